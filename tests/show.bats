#!/usr/bin/env bats
load helpers

@test "show a version: record, parents by name, objects" {
	init_repo
	MLK_NOW=1700000000 mkversion bronze.src
	MLK_NOW=1700000000 mkversion -i bronze.src silver.t
	run -0 mlk show silver.t
	assert_line --index 1 "Table:      silver.t@0"
	assert_line --regexp '^Inputs:     bronze\.src@0 '
	assert_line "Host:       $(hostname)"
	assert_line "Parents:"
	assert_line --regexp '^    [0-9a-f]{40}  table bronze\.src@0$'
	assert_line "Objects:"
	assert_line --regexp '^    blob [0-9a-f]{40}  data$'
}

@test "show --json" {
	init_repo
	mkversion -n 2 bronze.t
	run -0 mlk show bronze.t --json
	echo "$output" | jq -e '.record.version == 1 and .parents[0].name == "bronze.t" and .parents[0].version == 0 and .entries[0].name == "data" and .entries[0].type == "blob"'
}

@test "show by object id prefix: commit, tree and blob" {
	init_repo
	mkversion bronze.t
	commit=$(git --git-dir=.mlk rev-parse refs/tables/bronze.t)
	run -0 mlk show "${commit:0:8}"
	assert_line --index 0 "commit $commit"
	tree=$(git --git-dir=.mlk rev-parse "$commit^{tree}")
	run -0 mlk show "$tree"
	assert_line --index 0 "tree $tree"
	blob=$(git --git-dir=.mlk rev-parse "$commit:data")
	run -0 mlk show --json "$blob"
	echo "$output" | jq -e '.type == "blob" and .size == 7'
}

@test "show records the code version of a git work tree" {
	git init -q -b trunk code
	cd code
	git -c user.name=a -c user.email=a@b commit -q --allow-empty -m one
	head=$(git rev-parse HEAD)
	init_repo
	mkversion bronze.t
	run -0 mlk show bronze.t
	assert_line "Code:       $head on trunk"
	echo x > tracked && git add tracked
	mkversion bronze.t
	run -0 mlk show bronze.t
	assert_line "Code:       $head on trunk (dirty)"
	run -0 mlk show bronze.t --json
	echo "$output" | jq -e '.record.code.dirty == true and .record.code.branch == "trunk"'
}

@test "show errors" {
	init_repo
	run -2 mlk show
	assert_line --index 0 "mlk: which revision?"
	run -1 mlk show bronze.none
	run -1 mlk show 0000000
	assert_output "mlk: no object '0000000'"
	run -2 mlk show a b
}
