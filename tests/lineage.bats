#!/usr/bin/env bats
load helpers

mkrun() {
	"$MLK_TOOLS/mkrun" "$@" > /dev/null
}

# The first 12 digits of what a git revision names in the repository.
short() {
	git --git-dir=.mlk rev-parse "$1" | cut -c 1-12
}

sha() {
	sha256sum "$1" | cut -d ' ' -f 1
}

# Two files ingested into bronze.r (versions 0 and 1), a silver table
# made from bronze.r@1, and a run trained on silver.r and on bronze.r@0,
# which silver.r reaches too, with a model, registered as energy 1.
pipeline() {
	init_repo
	printf 'kwh,temp\n1.5,20\n2.5,21\n' > a.csv
	printf 'kwh,temp\n3.5,22\n' > b.csv
	MLK_NOW=1793530000 mlk ingest bronze.r a.csv > /dev/null
	MLK_NOW=1793530100 mlk ingest bronze.r b.csv > /dev/null
	MLK_NOW=1793530200 mkversion -i bronze.r silver.r
	MLK_NOW=1793534400 mkrun --id aaaa00000001 -n energy -i silver.r \
	    -i bronze.r@0 -M ridge
	MLK_NOW=1793534500 mkversion -k model -i runs:/aaaa00000001 energy
}

# The tree under the run, at depth $1 (two spaces a level).
run_tree() {
	local p
	p=$(printf '%*s' "$((2 * $1))" '')
	cat <<EOF
${p}run aaaa00000001  energy  FINISHED  $(short refs/runs/aaaa00000001)  2026-11-01 12:00:00
${p}  table silver.r@0  TEST  $(short refs/tables/silver.r)  2026-11-01 10:50:00
${p}    table bronze.r@1  INGEST  $(short refs/tables/bronze.r)  2026-11-01 10:48:20
${p}      source b.csv  sha256:$(sha b.csv)  1 row
${p}    table bronze.r@0  INGEST  $(short refs/tables/bronze.r~1)  2026-11-01 10:46:40
${p}      source a.csv  sha256:$(sha a.csv)  2 rows
${p}  table bronze.r@0  INGEST  $(short refs/tables/bronze.r~1)  2026-11-01 10:46:40  (shown above)
EOF
}

@test "lineage of a run: silver table, bronze table, source files, shared ancestors once" {
	pipeline
	run -0 mlk lineage runs:/aaaa00000001
	assert_output "$(run_tree 0)"
	run -0 mlk lineage runs:/aaaa
	assert_output "$(run_tree 0)"
	run -0 mlk lineage aaaa00000001
	assert_output "$(run_tree 0)"
	run -0 mlk lineage "$(git --git-dir=.mlk rev-parse refs/runs/aaaa00000001)" --format text
	assert_output "$(run_tree 0)"
}

@test "lineage of a model: a registered version, a run's model, a model tree" {
	pipeline
	run -0 mlk lineage models:/energy/1
	assert_output "model models:/energy/1  TEST  $(short refs/models/energy)  2026-11-01 12:01:40
$(run_tree 1)"
	run -0 mlk lineage models:/energy/latest
	assert_line --index 0 --partial "model models:/energy/1  TEST"
	git --git-dir=.mlk update-ref refs/aliases/energy/production refs/models/energy
	run -0 mlk lineage models:/energy@production
	assert_output "model models:/energy/1  TEST  $(short refs/models/energy)  2026-11-01 12:01:40
$(run_tree 1)"
	tree=$(git --git-dir=.mlk rev-parse refs/runs/aaaa00000001:model)
	run -0 mlk lineage "$tree"
	assert_output "model ${tree:0:12}
$(run_tree 1)"
}

@test "lineage of a table version: its sources, then its previous versions at the same depth" {
	pipeline
	printf 'kwh,temp\n9,9\n' > c.csv
	MLK_NOW=1793530300 mlk ingest bronze.r c.csv > /dev/null
	run -0 mlk lineage bronze.r
	assert_output - <<EOF
table bronze.r@2  INGEST  $(short refs/tables/bronze.r)  2026-11-01 10:51:40
  source c.csv  sha256:$(sha c.csv)  1 row
table bronze.r@1  INGEST  $(short refs/tables/bronze.r~1)  2026-11-01 10:48:20
  source b.csv  sha256:$(sha b.csv)  1 row
table bronze.r@0  INGEST  $(short refs/tables/bronze.r~2)  2026-11-01 10:46:40
  source a.csv  sha256:$(sha a.csv)  2 rows
EOF
	run -0 mlk lineage bronze.r@0
	assert_output "table bronze.r@0  INGEST  $(short refs/tables/bronze.r~2)  2026-11-01 10:46:40
  source a.csv  sha256:$(sha a.csv)  2 rows"
}

@test "lineage: one file ingested into two tables is one source" {
	init_repo
	printf 'n\n1\n' > a.csv
	mlk ingest bronze.x a.csv > /dev/null
	mlk ingest bronze.y a.csv > /dev/null
	mkversion -i bronze.x -i bronze.y silver.xy
	run -0 mlk lineage silver.xy --format json
	echo "$output" | jq -e --arg s "sha256:$(sha a.csv)" '
	    (.nodes | length) == 4
	    and ([.nodes[] | select(.kind == "source")] | length) == 1
	    and ([.nodes[] | .inputs[] | select(.id == $s)] | length) == 2'
	run -0 mlk lineage silver.xy
	assert_line --index 4 --partial "(shown above)"
	[ "${#lines[@]}" -eq 5 ]
}

@test "lineage --format json: nodes with their inputs and edges" {
	pipeline
	run -0 mlk lineage runs:/aaaa00000001 --format json
	run_c=$(git --git-dir=.mlk rev-parse refs/runs/aaaa00000001)
	silver=$(git --git-dir=.mlk rev-parse refs/tables/silver.r)
	b1=$(git --git-dir=.mlk rev-parse refs/tables/bronze.r)
	b0=$(git --git-dir=.mlk rev-parse refs/tables/bronze.r~1)
	echo "$output" | jq -e --arg r "$run_c" --arg s "$silver" \
	    --arg b1 "$b1" --arg b0 "$b0" --arg sa "$(sha a.csv)" \
	    --arg sb "$(sha b.csv)" '
	    .root == $r and (.nodes | length) == 6
	    and ([.nodes[].id] | unique | length) == 6
	    and .nodes[0] == {"id": $r, "kind": "run", "name": "aaaa00000001",
	        "operation": "TRAIN", "run_name": "energy",
	        "experiment": "Default", "status": "FINISHED", "commit": $r,
	        "timestamp": "2026-11-01T12:00:00Z",
	        "inputs": [{"id": $s, "edge": "input"},
	                   {"id": $b0, "edge": "input"}]}
	    and (.nodes[] | select(.id == $b1) | .inputs) ==
	        [{"id": ("sha256:" + $sb), "edge": "source"},
	         {"id": $b0, "edge": "previous"}]
	    and (.nodes[] | select(.id == $b1) | .version) == 1
	    and (.nodes[] | select(.id == ("sha256:" + $sa))) ==
	        {"id": ("sha256:" + $sa), "kind": "source", "name": "a.csv",
	         "sha256": $sa, "bytes": 23, "rows": 2, "inputs": []}'
	tree=$(git --git-dir=.mlk rev-parse refs/runs/aaaa00000001:model)
	run -0 mlk lineage "$tree" --format json
	echo "$output" | jq -e --arg t "$tree" --arg r "$run_c" '
	    .nodes[0] == {"id": $t, "kind": "model_tree", "tree": $t,
	        "inputs": [{"id": $r, "edge": "run"}]}'
}

@test "lineage --format dot: a Graphviz digraph, inputs to outputs" {
	pipeline
	run -0 mlk lineage runs:/aaaa00000001 --format dot
	assert_output - <<EOF
digraph lineage {
	rankdir=LR;
	node [shape=box, fontname="Helvetica"];
	n0 [label="run aaaa00000001  energy  FINISHED", shape=ellipse, penwidth=2];
	n1 [label="table silver.r@0  TEST"];
	n2 [label="table bronze.r@0  INGEST"];
	n3 [label="table bronze.r@1  INGEST"];
	n4 [label="source a.csv  sha256:$(sha a.csv)  2 rows", shape=note];
	n5 [label="source b.csv  sha256:$(sha b.csv)  1 row", shape=note];
	n1 -> n0;
	n2 -> n0;
	n3 -> n1;
	n4 -> n2;
	n5 -> n3;
	n2 -> n3 [style=dashed];
}
EOF
	if command -v dot > /dev/null; then
		mlk lineage runs:/aaaa00000001 --format dot | dot -Tsvg > /dev/null
	fi
	run -0 mlk lineage models:/energy/1 --format dot
	assert_line --index 3 --partial 'label="model models:/energy/1  TEST", shape=box3d'
}

@test "lineage: names that need escaping in dot and JSON" {
	init_repo
	printf 'n\n1\n' > 'we"ird\name.csv'
	mlk ingest bronze.q 'we"ird\name.csv' > /dev/null
	run -0 mlk lineage bronze.q --format dot
	assert_line --index 4 --partial 'label="source we\"ird\\name.csv  sha256:'
	run -0 mlk lineage bronze.q --format json
	echo "$output" | jq -e '.nodes[1].name == "we\"ird\\name.csv"'
}

@test "lineage errors: usage 2, nothing there 1, not a version 1" {
	pipeline
	run -2 mlk lineage
	assert_line --index 0 "mlk: the lineage of which revision?"
	assert_line --index 1 "usage: mlk lineage <rev> [--format text|dot|json]"
	run -2 mlk lineage bronze.r silver.r
	assert_line --index 0 "mlk: too many arguments"
	run -2 mlk lineage bronze.r --format svg
	assert_line --index 0 "mlk: unknown format 'svg' (text, dot or json)"
	run -2 mlk lineage bronze.r --format
	assert_line --index 0 "mlk: option '--format' needs a value"
	run -2 mlk lineage 'bronze.r@x'
	assert_output --partial "mlk: bad revision 'bronze.r@x'"
	run -1 mlk lineage bronze.nope
	assert_output "mlk: 'bronze.nope': no table 'bronze.nope'"
	run -1 mlk lineage runs:/ffff
	assert_output "mlk: 'runs:/ffff': no run 'ffff'"
	blob=$(git --git-dir=.mlk rev-parse refs/runs/aaaa00000001:model/MLmodel)
	run -1 mlk lineage "$blob"
	assert_output "mlk: '$blob' is not a version, a run or a model"
	tree=$(git --git-dir=.mlk rev-parse refs/tables/bronze.r^{tree})
	run -1 mlk lineage "$tree"
	assert_output "mlk: '$tree' is not a version, a run or a model"
}

@test "lineage: a parent that is gone is an error, not a shorter lineage" {
	pipeline
	b0=$(git --git-dir=.mlk rev-parse refs/tables/bronze.r~1)
	rm -f ".mlk/objects/${b0:0:2}/${b0:2}"
	run -1 mlk lineage runs:/aaaa00000001
	assert_output --partial "$b0"
}

@test "lineage outside a repository exits 1" {
	run -1 mlk lineage bronze.r
	assert_output --partial "not an mlk repository"
}

@test "lineage of a real model artifact (mkmodel): tree, run, table, source" {
	init_repo
	printf 'x,y\n1,2\n' > a.csv
	MLK_NOW=1793530000 mlk ingest bronze.r a.csv > /dev/null
	MLK_NOW=1793534400 "$MLK_TOOLS/mkmodel" --features x --target y \
	    --coef 2 --input bronze.r --id bbbb00000002 --name energy > /dev/null
	tree=$(git --git-dir=.mlk rev-parse refs/runs/bbbb00000002:model)
	want="model ${tree:0:12}
  run bbbb00000002  energy  FINISHED  $(short refs/runs/bbbb00000002)  2026-11-01 12:00:00
    table bronze.r@0  INGEST  $(short refs/tables/bronze.r)  2026-11-01 10:46:40
      source a.csv  sha256:$(sha a.csv)  1 row"
	run -0 mlk lineage "$tree"
	assert_output "$want"
	run -0 mlk lineage "${tree:0:10}"
	assert_output "$want"
	run -0 mlk lineage runs:/bbbb00000002/model
	assert_output "$want"
	run -0 mlk lineage runs:/bbbb/model --format json
	echo "$output" | jq -e --arg t "$tree" '.nodes[0].id == $t and .nodes[0].inputs[0].edge == "run" and .nodes[1].name == "bbbb00000002"'
	run -1 mlk lineage runs:/bbbb/data
	assert_output "mlk: 'runs:/bbbb/data' is not a version, a run or a model"
}
