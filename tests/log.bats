#!/usr/bin/env bats
load helpers

@test "log of a table: versions newest first, with Delta's history columns" {
	init_repo
	MLK_NOW=1700000000 mkversion -n 2 bronze.t
	MLK_NOW=1700000100 mkversion -i bronze.t@0 silver.s
	run -0 mlk log silver.s
	assert_line --index 0 --regexp '^commit [0-9a-f]{40}$'
	assert_line --index 1 "Table:      silver.s@0"
	assert_line --index 2 "Date:       2023-11-14 22:15:00 UTC"
	assert_line --index 3 "User:       Test User <test@example.org>"
	assert_line --index 4 "Operation:  TEST"
	assert_line --index 5 "Parameters: i=0"
	assert_line --index 6 --regexp '^Inputs:     bronze\.t@0 \([0-9a-f]{12}\)$'
	assert_line --index 7 "Metrics:    rows=1"
	run -0 mlk log bronze.t
	[ "$(echo "$output" | grep -c '^commit ')" -eq 2 ]
	assert_line --index 1 "Table:      bronze.t@1"
}

@test "log of a revision starts there" {
	init_repo
	mkversion -n 5 bronze.t
	run -0 mlk log bronze.t@2 --json
	echo "$output" | jq -e 'length == 3 and .[0].record.version == 2 and .[2].record.version == 0'
	run -0 mlk log bronze.t~4 --json
	echo "$output" | jq -e 'length == 1'
}

@test "log -n limits" {
	init_repo
	mkversion -n 5 bronze.t
	run -0 mlk log -n 2 bronze.t --json
	echo "$output" | jq -e 'length == 2 and .[0].record.version == 4'
	run -0 mlk log --max-count 0 --json
	assert_output "[]"
	run -2 mlk log -n x
	assert_line --index 0 "mlk: '-n' takes a count, not 'x'"
	run -2 mlk log -n -1
}

@test "log without a revision: all activity, newest first" {
	init_repo
	MLK_NOW=1700000000 mkversion bronze.a
	MLK_NOW=1700000200 mkversion bronze.b
	MLK_NOW=1700000100 mkversion bronze.a
	MLK_NOW=1700000300 mkversion -k model m
	run -0 mlk log --json
	echo "$output" | jq -e '[.[].record | "\(.name)@\(.version)"] == ["m@1", "bronze.b@0", "bronze.a@1", "bronze.a@0"]'
	run -0 mlk log -n 1 --json
	echo "$output" | jq -e 'length == 1 and .[0].record.name == "m"'
}

@test "log --json carries commit, parents, timestamp and the record" {
	init_repo
	MLK_NOW=1700000000 mkversion -n 2 bronze.t
	run -0 mlk log -n 1 bronze.t --json
	echo "$output" | jq -e '.[0] | (.commit | length) == 40 and (.parents | length) == 1 and .timestamp == "2023-11-14T22:13:20Z" and .record.operation == "TEST" and .record.kind == "table"'
}

@test "log errors: unknown table exits 1, malformed revision exits 2" {
	init_repo
	run -1 mlk log bronze.nope
	assert_output "mlk: 'bronze.nope': no table 'bronze.nope'"
	mkversion bronze.t
	run -1 mlk log bronze.t@7
	assert_output "mlk: 'bronze.t@7': table 'bronze.t' has no version 7 (latest is 0)"
	run -2 mlk log 'bronze.t@{yesterday}'
	assert_output --partial "mlk: bad revision 'bronze.t@{yesterday}'"
	run -2 mlk log Bronze.T
	run -2 mlk log a b
}

@test "log by time travel" {
	init_repo
	MLK_NOW=1700000000 mkversion bronze.t
	MLK_NOW=1700003600 mkversion bronze.t
	run -0 mlk log 'bronze.t@{2023-11-14 22:30}' --json
	echo "$output" | jq -e '.[0].record.version == 0'
	run -1 mlk log 'bronze.t@{2020-01-01}'
	assert_output --partial "did not exist yet"
}

@test "an empty repository has an empty log" {
	init_repo
	run -0 mlk log
	assert_output ""
}
