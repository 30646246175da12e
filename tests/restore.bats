#!/usr/bin/env bats
load helpers

# bronze.t: @0 two rows, @1 three, @2 overwritten with one.
three_versions() {
	printf 'n,s\n1,a\n2,b\n' > a.csv
	printf 'n,s\n3,c\n' > b.csv
	printf 'n,s\n9,z\n' > c.csv
	MLK_NOW=1700000000 mlk ingest bronze.t a.csv > /dev/null
	MLK_NOW=1700000100 mlk ingest bronze.t b.csv > /dev/null
	MLK_NOW=1700000200 mlk ingest bronze.t c.csv --overwrite > /dev/null
}

tree_of() {
	git --git-dir=.mlk rev-parse "$(mlk log "$1" -n 1 --json | jq -r '.[0].commit')^{tree}"
}

@test "restore writes a new version with exactly the content of the old one" {
	init_repo
	three_versions
	run -0 mlk restore bronze.t bronze.t@0
	assert_output "Restored bronze.t to version 0 as version 3 (2 rows)"
	run -0 mlk cat bronze.t
	assert_output "$(printf 'n,s\n1,a\n2,b')"
	[ "$(tree_of bronze.t)" = "$(tree_of bronze.t@0)" ]
	run -0 mlk diff bronze.t@0 bronze.t --json
	echo "$output" | jq -e '.shared_chunks == 1 and .rows == {"added":0,"removed":0,"changed":0}'
	run -0 mlk log bronze.t --json
	echo "$output" | jq -e 'length == 4'
}

@test "restore records the operation, its parameters, input and metrics" {
	init_repo
	three_versions
	MLK_NOW=1700000300 mlk restore bronze.t @1 > /dev/null
	c0=$(mlk log bronze.t@1 -n 1 --json | jq -r '.[0].commit')
	c2=$(mlk log bronze.t@2 -n 1 --json | jq -r '.[0].commit')
	run -0 mlk show bronze.t --json
	echo "$output" | jq -e --arg c0 "$c0" --arg c2 "$c2" '
	    .record.operation == "RESTORE" and .record.kind == "table" and
	    .record.name == "bronze.t" and .record.version == 3 and
	    .record.parameters == {"restored": "bronze.t@1", "version": 1} and
	    .record.inputs == [{"name": "bronze.t", "commit": $c0, "version": 1}] and
	    .record.metrics == {"rows": 3, "rows_before": 1} and
	    .record.outputs == {"rows": 3, "columns": 2, "chunks": 2} and
	    .summary == "RESTORE bronze.t to version 1" and
	    [.parents[].commit] == [$c2, $c0]'
	run -0 mlk log bronze.t -n 1
	assert_line --index 1 "Table:      bronze.t@3"
	assert_line --index 2 "Date:       2023-11-14 22:18:20 UTC"
	assert_line --index 4 "Operation:  RESTORE"
	assert_line --index 5 "Parameters: restored=bronze.t@1, version=1"
	assert_line --index 6 --regexp '^Inputs:     bronze\.t@1 \([0-9a-f]{12}\)$'
	assert_line --index 7 "Metrics:    rows=3, rows_before=1"
	git --git-dir=.mlk fsck --strict 2>&1
}

@test "restore takes @N, ~N, @{time}, a full revision or a commit id" {
	init_repo
	three_versions
	run -0 mlk restore bronze.t '~2'
	assert_output "Restored bronze.t to version 0 as version 3 (2 rows)"
	run -0 mlk restore bronze.t 'bronze.t@{2023-11-14 22:15:00}'
	assert_output "Restored bronze.t to version 1 as version 4 (3 rows)"
	run -0 mlk restore bronze.t '@{2023-11-14 22:16:40}'
	assert_output "Restored bronze.t to version 2 as version 5 (1 row)"
	c0=$(mlk log bronze.t@0 -n 1 --json | jq -r '.[0].commit')
	run -0 mlk restore bronze.t "${c0:0:12}"
	assert_output "Restored bronze.t to version 0 as version 6 (2 rows)"
	run -0 mlk restore bronze.t @3
	assert_output "bronze.t@6 already has the content of version 3; nothing to do"
}

@test "restore to the current content writes nothing" {
	init_repo
	three_versions
	before=$(git --git-dir=.mlk rev-parse refs/tables/bronze.t)
	run -0 mlk restore bronze.t @2
	assert_output "bronze.t@2 already has the content of version 2; nothing to do"
	run -0 mlk restore bronze.t bronze.t --json
	echo "$output" | jq -e --arg c "$before" '. == {"table":"bronze.t","version":2,"commit":$c,"restored":{"version":2,"commit":$c},"rows":1,"changed":false}'
	[ "$(git --git-dir=.mlk rev-parse refs/tables/bronze.t)" = "$before" ]
	mlk restore bronze.t @0 > /dev/null
	run -0 mlk restore bronze.t @0
	assert_output "bronze.t@3 already has the content of version 0; nothing to do"
}

@test "restore --json" {
	init_repo
	three_versions
	run -0 mlk restore bronze.t @0 --json
	new=$(git --git-dir=.mlk rev-parse refs/tables/bronze.t)
	c0=$(mlk log bronze.t@0 -n 1 --json | jq -r '.[0].commit')
	assert_output "{\"table\":\"bronze.t\",\"version\":3,\"commit\":\"$new\",\"restored\":{\"version\":0,\"commit\":\"$c0\"},\"rows\":2,\"changed\":true}"
}

@test "restore refuses a version of another table" {
	init_repo
	three_versions
	mlk ingest silver.s a.csv > /dev/null
	run -2 mlk restore bronze.t silver.s@0
	assert_output "mlk: 'silver.s@0' is a version of table 'silver.s', not of 'bronze.t': restore brings back a version of the same table"
	mkversion -k model energy
	run -1 mlk restore bronze.t models:/energy/1
	assert_output "mlk: 'models:/energy/1' is not a table version"
}

@test "restore errors: unknown table 1, bad revision 2, bad option 2" {
	init_repo
	run -1 mlk restore bronze.nope @0
	assert_output "mlk: no table 'bronze.nope'"
	three_versions
	run -1 mlk restore bronze.t @7
	assert_output "mlk: 'bronze.t@7': table 'bronze.t' has no version 7 (latest is 2)"
	run -1 mlk restore bronze.t '~9'
	assert_output "mlk: 'bronze.t~9': table 'bronze.t' has no version that far back"
	run -2 mlk restore bronze.t '@{tomorrow}'
	assert_output --partial "mlk: bad revision 'bronze.t@{tomorrow}'"
	run -2 mlk restore bronze.t @x
	assert_output --partial "mlk: bad revision 'bronze.t@x'"
	run -2 mlk restore Bronze.T @0
	assert_line --index 0 "mlk: 'Bronze.T' is not a table name (layer.name, lowercase)"
	run -2 mlk restore bronze.t @0 --bogus
	assert_line --index 0 "mlk: unknown option '--bogus'"
	assert_line --index 1 "usage: mlk restore <table> <rev> [--json]"
	run -2 mlk restore bronze.t
	assert_line --index 0 "mlk: which table, and which version?"
	run -2 mlk restore bronze.t @0 @1
	assert_line --index 0 "mlk: too many arguments"
	run -0 mlk log bronze.t --json
	echo "$output" | jq -e 'length == 3'
}

@test "restore loses a race with exit 3 and writes no version" {
	init_repo
	three_versions
	before=$(git --git-dir=.mlk rev-parse refs/tables/bronze.t)
	# Another writer holds the ref's lock.
	touch .mlk/refs/tables/bronze.t.lock
	run -3 mlk restore bronze.t @0
	assert_output --partial "mlk: concurrent update of 'refs/tables/bronze.t'"
	rm .mlk/refs/tables/bronze.t.lock
	[ "$(git --git-dir=.mlk rev-parse refs/tables/bronze.t)" = "$before" ]
	run -0 mlk restore bronze.t @0
}

@test "restore outside a repository exits 1" {
	run -1 mlk restore bronze.t @0
	assert_output --partial "not an mlk repository"
}
