#!/usr/bin/env bats
load helpers

# Writes a run through lib/run.h (tests/tools/mkrun.c).
mkrun() {
	"$MLK_TOOLS/mkrun" "$@" > /dev/null
}

run_commit() {
	git --git-dir=.mlk rev-parse "refs/runs/$1"
}

# Three runs a day apart: a (oldest), b (failed), c (another experiment),
# the first trained on an ingested table.
three_runs() {
	init_repo
	printf 'kwh,temp\n1.5,20\n2.5,21\n' > a.csv
	MLK_NOW=1793530000 mlk ingest bronze.r a.csv > /dev/null
	MLK_NOW=1793534400 mkrun --id aaaa00000001 -n energy -i bronze.r \
	    -p alpha=0.1 -p algo=ridge -m rmse=0.41 -m r2=0.9 \
	    -m training_rmse=0.39 -m rmse_std=0.01 -t team=grid -M ridge -d 2 \
	    -H loss=1.2,0.5,0.31
	MLK_NOW=1793620800 mkrun --id bbbb00000002 -n energy -s FAILED \
	    -p alpha=1 -p algo=lasso -m rmse=0.7 -t team=ops
	MLK_NOW=1793707200 mkrun --id cccc00000003 -e tuning -n churn \
	    -p alpha=0.1 -p l1_ratio=0.5 -m rmse=0.3 -m r2=0.95 \
	    -m accuracy=0.8 -d 1
	mkversion -k model -i runs:/aaaa00000001 energy
	mkversion -k model -n 2 energy
	mkversion -k model -i runs:/aaaa00000001 energy
}

# The run ids `mlk track ls --json` prints, one line.
ls_ids() {
	mlk track ls --json "$@" | jq -r '[.[].run_id] | join(" ")'
}

@test "track ls: every run, newest first, with params and main metrics" {
	three_runs
	run -0 mlk track ls
	assert_output - <<'EOF'
RUN           EXPERIMENT  NAME    STATUS    STARTED              PARAMS                   accuracy    r2  rmse
------------  ----------  ------  --------  -------------------  -----------------------  --------  ----  ----
cccc00000003  tuning      churn   FINISHED  2026-11-03 12:00:00  alpha=0.1, l1_ratio=0.5       0.8  0.95   0.3
bbbb00000002  Default     energy  FAILED    2026-11-02 12:00:00  alpha=1, algo=lasso                       0.7
aaaa00000001  Default     energy  FINISHED  2026-11-01 12:00:00  alpha=0.1, algo=ridge               0.9  0.41
EOF
}

@test "track ls --json: MLflow's fields for each run" {
	three_runs
	run -0 mlk track ls --json --max-results 1
	assert_output "[{\"run_id\":\"cccc00000003\",\"commit\":\"$(run_commit cccc00000003)\",\"experiment\":\"tuning\",\"run_name\":\"churn\",\"status\":\"FINISHED\",\"start_time\":\"2026-11-03T12:00:00.000000Z\",\"end_time\":\"2026-11-03T12:00:01.000000Z\",\"user\":\"Test User <test@example.org>\",\"params\":{\"alpha\":\"0.1\",\"l1_ratio\":\"0.5\"},\"metrics\":{\"rmse\":0.3,\"r2\":0.95,\"accuracy\":0.8},\"tags\":{},\"inputs\":[],\"model\":null}]"
	run -0 mlk track ls --json
	echo "$output" | jq -e '.[2].model != null and .[2].inputs[0].name == "bronze.r" and .[2].inputs[0].version == 0 and .[1].end_time == null'
}

@test "track ls --experiment" {
	three_runs
	run -0 ls_ids --experiment Default
	assert_output "bbbb00000002 aaaa00000001"
	run -0 ls_ids --experiment tuning
	assert_output "cccc00000003"
	run -0 mlk track ls --experiment none
	assert_output ""
	run -0 mlk track ls --experiment none --json
	assert_output "[]"
}

@test "track ls --filter: MLflow's syntax, with OR and parentheses" {
	three_runs
	run -0 ls_ids --filter "metrics.rmse < 0.5 and params.alpha = '0.1'"
	assert_output "cccc00000003 aaaa00000001"
	run -0 ls_ids --filter "attributes.status = 'FINISHED'"
	assert_output "cccc00000003 aaaa00000001"
	run -0 ls_ids --filter "attributes.status != 'FINISHED'"
	assert_output "bbbb00000002"
	run -0 ls_ids --filter "tags.team LIKE 'g%'"
	assert_output "aaaa00000001"
	run -0 ls_ids --filter "tags.team ILIKE '%P%'"
	assert_output "bbbb00000002"
	run -0 ls_ids --filter "params.algo IN ('ridge', 'lasso')"
	assert_output "bbbb00000002 aaaa00000001"
	run -0 ls_ids --filter "params.alpha = '1' OR metrics.r2 > 0.92"
	assert_output "cccc00000003 bbbb00000002"
	run -0 ls_ids --filter "params.alpha = '1' or params.alpha = '0.1' and metrics.r2 < 0.92"
	assert_output "bbbb00000002 aaaa00000001"
	run -0 ls_ids --filter "(params.alpha = '1' or params.alpha = '0.1') and metrics.r2 < 0.92"
	assert_output "aaaa00000001"
	run -0 ls_ids --filter "metrics.\`training_rmse\` >= 0.39"
	assert_output "aaaa00000001"
	run -0 ls_ids --filter "attributes.start_time >= '2026-11-02' and attributes.run_name = 'energy'"
	assert_output "bbbb00000002"
	run -0 ls_ids --filter "datasets.name = 'bronze.r'"
	assert_output "aaaa00000001"
	# a run without the metric matches nothing, != included
	run -0 ls_ids --filter "metrics.r2 != 0.9"
	assert_output "cccc00000003"
	run -0 ls_ids --filter "metrics.rmse < 0.5" --experiment Default
	assert_output "aaaa00000001"
}

@test "track ls --order-by: keys in turn, runs lacking a key last" {
	three_runs
	run -0 ls_ids --order-by "metrics.rmse ASC"
	assert_output "cccc00000003 aaaa00000001 bbbb00000002"
	run -0 ls_ids --order-by "metrics.rmse DESC"
	assert_output "bbbb00000002 aaaa00000001 cccc00000003"
	run -0 ls_ids --order-by "metrics.r2 DESC"
	assert_output "cccc00000003 aaaa00000001 bbbb00000002"
	run -0 ls_ids --order-by "metrics.r2"
	assert_output "aaaa00000001 cccc00000003 bbbb00000002"
	run -0 ls_ids --order-by "params.alpha desc, metrics.rmse"
	assert_output "bbbb00000002 cccc00000003 aaaa00000001"
	run -0 ls_ids --order-by "params.alpha, attributes.start_time"
	assert_output "aaaa00000001 cccc00000003 bbbb00000002"
	# equal keys keep newest first
	run -0 ls_ids --order-by "params.alpha"
	assert_output "cccc00000003 aaaa00000001 bbbb00000002"
	run -0 ls_ids --order-by "metrics.rmse" --max-results 2 --filter "metrics.rmse > 0"
	assert_output "cccc00000003 aaaa00000001"
	run -0 mlk track ls --order-by "metrics.rmse desc" --max-results 1
	assert_line --index 2 --regexp '^bbbb00000002 '
	[ "${#lines[@]}" -eq 3 ]
}

@test "track ls errors: a filter that does not parse names the position, exit 2" {
	three_runs
	run -2 mlk track ls --filter "metrics.rmse < 'x'"
	assert_output "mlk: bad filter at position 16: a metric compares with a number, not a string: 'metrics.rmse < 'x''"
	run -2 mlk track ls --filter "params.alpha = 0.1"
	assert_output "mlk: bad filter at position 16: a value for a param must be quoted: 'params.alpha = 0.1'"
	run -2 mlk track ls --filter "(metrics.rmse < 1"
	assert_output "mlk: bad filter at position 1: '(' is not closed: '(metrics.rmse < 1'"
	run -2 mlk track ls --order-by "metrics.rmse UP"
	assert_output "mlk: bad order at position 14: expected ASC, DESC, ',' or the end: 'metrics.rmse UP'"
	run -2 mlk track ls --max-results 0
	assert_line --index 0 "mlk: --max-results takes a positive number, not '0'"
	run -2 mlk track ls --max-results x
	assert_line --index 0 "mlk: --max-results takes a positive number, not 'x'"
	run -2 mlk track ls extra
	assert_line --index 0 "mlk: too many arguments"
	run -2 mlk track ls --bogus
	assert_line --index 0 "mlk: unknown option '--bogus'"
	assert_line --index 1 "usage: mlk track ls [--experiment <name>] [--filter <filter>]"
}

@test "track ls in a repository without runs prints nothing" {
	init_repo
	run -0 mlk track ls
	assert_output ""
	run -0 mlk track ls --json
	assert_output "[]"
}

@test "track show: every field of the record" {
	three_runs
	run -0 mlk track show aaaa00000001
	assert_output - <<EOF
Run:         aaaa00000001
Commit:      $(run_commit aaaa00000001)
Experiment:  Default
Name:        energy
Status:      FINISHED
Operation:   TRAIN
User:        Test User <test@example.org>
Host:        $(hostname)
mlk:         $(mlk --version | awk '{ print $NF }')
Started:     2026-11-01 12:00:00 UTC
Finished:    2026-11-01 12:00:02 UTC (2.000 s)
Model:       runs:/aaaa00000001  ridge regression  tree $(git --git-dir=.mlk rev-parse refs/runs/aaaa00000001:model)
Registered:  models:/energy/4
             models:/energy/1
Inputs:      bronze.r@0 ($(git --git-dir=.mlk rev-parse refs/tables/bronze.r))

Parameters:
  alpha  0.1
  algo   ridge

Metrics:
  rmse           0.41
  r2             0.9
  training_rmse  0.39
  rmse_std       0.01

Metric history:
  loss  3 steps, first 1.2, last 0.31, min 0.31 at step 2

Tags:
  team  grid
EOF
}

@test "track show: a run id prefix, runs:/, the code version" {
	init_repo
	git -c init.defaultBranch=main init -q code
	cd code
	git -c user.name=t -c user.email=t@x commit -q --allow-empty -m first
	MLK_DIR=../.mlk mkrun --id dddd00000004 -n x
	echo change > file
	git add file
	MLK_DIR=../.mlk mkrun --id dddd00000005 -n y
	head=$(git rev-parse HEAD)
	cd ..
	run -0 mlk track show runs:/dddd00000004
	assert_line --index 0 "Run:         dddd00000004"
	assert_line "Code:        $head on main"
	run -0 mlk track show dddd00000005
	assert_line "Code:        $head on main (dirty)"
	refute_line --partial "Finished:"
	refute_line --partial "Model:"
	run -1 mlk track show dddd
	assert_output "mlk: run id prefix 'dddd' is ambiguous: dddd00000004, dddd00000005"
	run -0 mlk track show dddd00000004 --json
	echo "$output" | jq -e --arg h "$head" '.record.code == {"commit": $h, "branch": "main", "dirty": false} and .registered == []'
}

@test "track show --json: the run, its commit, parents and whole record" {
	three_runs
	run -0 mlk track show aaaa --json
	commit=$(run_commit aaaa00000001)
	parent=$(git --git-dir=.mlk rev-parse refs/tables/bronze.r)
	echo "$output" | jq -e --arg c "$commit" --arg p "$parent" '
	    .run_id == "aaaa00000001" and .commit == $c and .parents == [$p]
	    and .tree != null and (.model | length) == 40
	    and .record.kind == "run" and .record.name == "aaaa00000001"
	    and .record.metric_history.loss[2].value == 0.31
	    and .record.tags == {"team": "grid"}
	    and .params == {"alpha": "0.1", "algo": "ridge"}
	    and .registered == ["models:/energy/4", "models:/energy/1"]'
	git --git-dir=.mlk cat-file commit "$commit" | sed '1,/^$/d' | sed '1,2d' > record.json
	echo "$output" | jq -e --slurpfile r record.json '.record == $r[0]'
}

@test "track show errors: no run, bad arguments" {
	three_runs
	run -1 mlk track show eeee
	assert_output "mlk: no run 'eeee'"
	run -1 mlk track show nothex
	assert_output "mlk: no run 'nothex' (a run id is 4 to 32 hex digits)"
	run -2 mlk track show
	assert_line --index 0 "mlk: which run?"
	run -2 mlk track show aaaa bbbb
	assert_line --index 0 "mlk: too many arguments"
	run -2 mlk track show aaaa --filter x
	assert_line --index 0 "mlk: unknown option '--filter'"
}

@test "track without a subcommand, or an unknown one, is a usage error naming ls and show" {
	run -2 mlk track
	assert_output - <<'EOF'
mlk: which subcommand? ls or show
usage: mlk track ls [--experiment <name>] [--filter <filter>]
                    [--order-by <keys>] [--max-results <n>] [--json]
   or: mlk track show <run> [--json]
EOF
	run -2 mlk track list
	assert_line --index 0 "mlk: unknown subcommand 'list' (ls or show)"
	run -2 mlk track --json
	assert_line --index 0 "mlk: which subcommand? ls or show"
	run -0 mlk track ls -h
	assert_line --index 0 "usage: mlk track ls [--experiment <name>] [--filter <filter>]"
	assert_line --partial "--order-by <keys>"
	run -0 mlk track show --completion-helper
	assert_output "--help --json"
}

@test "track outside a repository exits 1, after checking its arguments" {
	run -1 mlk track ls
	assert_output --partial "not an mlk repository"
	run -2 mlk track ls --filter "x"
	run -1 mlk track show aaaa
	assert_output --partial "not an mlk repository"
}
