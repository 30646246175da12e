#!/usr/bin/env bats
load helpers

@test "status of an empty repository" {
	init_repo
	run -0 mlk status
	assert_output "repository   $TEST_DIR/work/.mlk
tables       0
runs         0
models       0
deployments  0
latest       nothing yet"
}

@test "status counts tables by layer, medallion layers first" {
	init_repo
	mkversion bronze.a
	mkversion bronze.b
	mkversion gold.c
	mkversion scratch.d
	mkversion silver.e
	mkversion -k model energy
	MLK_NOW=1700000000 mkversion -c last silver.e
	run -0 mlk status
	assert_line --index 1 "tables       5 (bronze 2, silver 1, gold 1, scratch 1)"
	assert_line --index 3 "models       1"
	assert_line --index 5 "latest       2023-11-14 22:13:20 UTC  TEST test version"
}

@test "status --json" {
	init_repo
	mkversion bronze.a
	mkversion -k model m
	run -0 mlk status --json
	echo "$output" | jq -e '.tables.total == 1 and .tables.bronze == 1 and .models == 1 and .runs == 0 and .latest.summary == "TEST test version"'
	assert_output --partial "\"repository\":\"$TEST_DIR/work/.mlk\""
}

@test "status takes no arguments" {
	init_repo
	run -2 mlk status extra
	assert_line --index 0 "mlk: too many arguments"
}
