#!/usr/bin/env bats
load helpers

@test "ls of an empty repository prints nothing, --json an empty array" {
	init_repo
	run -0 mlk ls
	assert_output ""
	run -0 mlk ls --json
	assert_output "[]"
}

@test "ls groups tables by layer: bronze, silver, gold, then the others by name" {
	init_repo
	printf 'a,b\n1,x\n2,y\n' > t.csv
	for t in gold.g silver.s bronze.b zeta.z archive.a bronze.a; do
		MLK_NOW=1700000000 mlk ingest "$t" t.csv > /dev/null
	done
	printf 'a,b\n3,z\n' > more.csv
	MLK_NOW=1700000100 mlk ingest bronze.b more.csv > /dev/null
	run -0 mlk ls
	assert_output - <<'EOF'
TABLE      VERSION  ROWS  COLUMNS  CHANGED (UTC)
---------  -------  ----  -------  -------------------
bronze.a         0     2        2  2023-11-14 22:13:20
bronze.b         1     3        2  2023-11-14 22:15:00

silver.s         0     2        2  2023-11-14 22:13:20

gold.g           0     2        2  2023-11-14 22:13:20

archive.a        0     2        2  2023-11-14 22:13:20

zeta.z           0     2        2  2023-11-14 22:13:20
EOF
}

@test "ls --json: one object a table, in the same order" {
	init_repo
	printf 'a\n1\n' > t.csv
	MLK_NOW=1700000000 mlk ingest silver.s t.csv > /dev/null
	MLK_NOW=1700000000 mlk ingest bronze.b t.csv > /dev/null
	commit=$(mlk log bronze.b --json | jq -r '.[0].commit')
	run -0 mlk ls --json
	echo "$output" | jq -e '[.[].name] == ["bronze.b", "silver.s"]'
	echo "$output" | jq -e --arg c "$commit" '.[0] == {"name":"bronze.b","layer":"bronze","version":0,"rows":1,"columns":1,"chunks":1,"commit":$c,"timestamp":"2023-11-14T22:13:20Z"}'
}

@test "ls reads no chunk data" {
	init_repo
	printf 'a\n1\n' > t.csv
	mlk ingest bronze.t t.csv > /dev/null
	drop_chunk bronze.t 0
	run -1 mlk cat bronze.t
	run -0 mlk ls --json
	echo "$output" | jq -e '.[0].rows == 1'
}

@test "ls shows a table whose head is not a readable snapshot, and goes on" {
	init_repo
	MLK_NOW=1700000000 mkversion bronze.raw
	printf 'a\n1\n' > t.csv
	MLK_NOW=1700000000 mlk ingest bronze.t t.csv > /dev/null
	run -0 mlk ls
	assert_output - <<'EOF'
TABLE       VERSION  ROWS  COLUMNS  CHANGED (UTC)
----------  -------  ----  -------  -------------------
bronze.raw        0     -        -  2023-11-14 22:13:20
bronze.t          0     1        1  2023-11-14 22:13:20
EOF
	run -0 mlk ls --json
	echo "$output" | jq -e '.[0] | .rows == null and .columns == null and .chunks == null and .version == 0'
}

@test "ls lists only tables" {
	init_repo
	mkversion -k model energy
	mkversion -k deployment web
	run -0 mlk ls
	assert_output ""
}

@test "ls errors: bad option 2, an argument 2" {
	init_repo
	run -2 mlk ls --bogus
	assert_line --index 0 "mlk: unknown option '--bogus'"
	assert_line --index 1 "usage: mlk ls [--json]"
	run -2 mlk ls -x
	assert_line --index 0 "mlk: unknown option '-x'"
	run -2 mlk ls bronze
	assert_line --index 0 "mlk: too many arguments"
}

@test "ls outside a repository exits 1" {
	run -1 mlk ls
	assert_output --partial "not an mlk repository"
}
