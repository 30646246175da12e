#!/usr/bin/env bats
load helpers

# bronze.t@0 and an overwrite @1 with added, changed and equal rows.
two_versions() {
	printf 'id,name,score\n1,alice,0.5\n2,bob,1\n3,carl,-0\n4,dan,nan\n6,fay,2\n' > a.csv
	printf 'id,name,score\n1,alice,0.75\n2,"bob ""b""",1\n3,carl,0\n4,dan,nan\n5,eve,\n' > b.csv
	mlk ingest bronze.t a.csv > /dev/null
	mlk ingest bronze.t b.csv --overwrite > /dev/null
}

@test "diff --key: rows added, removed and changed, with old and new values" {
	init_repo
	two_versions
	run -0 mlk diff bronze.t@0 bronze.t@1 --key id
	assert_output - <<'EOF'
--- bronze.t@0 (5 rows, 3 columns)
+++ bronze.t@1 (5 rows, 3 columns)
Rows added:      1
Rows removed:    1
Rows changed:    3 (3 values; key id)

+ id=5, name="eve", score=NULL
- id=6, name="fay", score=2
~ id=1: score 0.5 -> 0.75
~ id=2: name "bob" -> "bob \"b\""
~ id=3: score -0 -> 0
EOF
}

@test "diff --key --json lists every change" {
	init_repo
	two_versions
	run -0 mlk diff bronze.t@0 bronze.t --key id --json
	ca=$(mlk log bronze.t@0 --json | jq -r '.[0].commit')
	cb=$(mlk log bronze.t --json | jq -r '.[0].commit')
	assert_output - <<EOF
{"a":{"table":"bronze.t","version":0,"commit":"$ca","rows":5,"columns":3},"b":{"table":"bronze.t","version":1,"commit":"$cb","rows":5,"columns":3},"key":["id"],"columns":{"added":[],"removed":[],"retyped":[]},"rows":{"added":1,"removed":1,"changed":3},"shared_chunks":0,"added":[{"id":5,"name":"eve","score":null}],"removed":[{"id":6,"name":"fay","score":2.0}],"changed":[{"key":{"id":1},"column":"score","old":0.5,"new":0.75},{"key":{"id":2},"column":"name","old":"bob","new":"bob \"b\""},{"key":{"id":3},"column":"score","old":-0.0,"new":0.0}]}
EOF
}

@test "diff without a key compares whole rows, as a multiset" {
	init_repo
	two_versions
	run -0 mlk diff bronze.t@0 bronze.t@1
	assert_output - <<'EOF'
--- bronze.t@0 (5 rows, 3 columns)
+++ bronze.t@1 (5 rows, 3 columns)
Rows added:      4
Rows removed:    4

+ id=1, name="alice", score=0.75
+ id=2, name="bob \"b\"", score=1
+ id=3, name="carl", score=0
+ id=5, name="eve", score=NULL
- id=1, name="alice", score=0.5
- id=2, name="bob", score=1
- id=3, name="carl", score=-0
- id=6, name="fay", score=2
EOF
	printf 'n,s\n1,a\n1,a\n2,b\n' > e.csv
	printf 'n,s\n1,a\n2,b\n2,b\n3,c\n' > f.csv
	mlk ingest bronze.d e.csv > /dev/null
	mlk ingest bronze.d f.csv --overwrite > /dev/null
	run -0 mlk diff bronze.d@0 bronze.d@1 --json
	echo "$output" | jq -e '.rows == {"added":2,"removed":1,"changed":0} and .added == [{"n":2,"s":"b"},{"n":3,"s":"c"}] and .removed == [{"n":1,"s":"a"}] and .key == null'
}

@test "diff of a version with itself: nothing, and no value read" {
	init_repo
	two_versions
	# With a key, the shared chunks' key column is read, nothing else.
	drop_chunk bronze.t 0 c1
	drop_chunk bronze.t 0 c2
	run -0 mlk diff bronze.t bronze.t@1 --key id
	assert_output - <<'EOF'
--- bronze.t@1 (5 rows, 3 columns)
+++ bronze.t@1 (5 rows, 3 columns)
Rows added:      0
Rows removed:    0
Rows changed:    0 (0 values; key id)
EOF
	drop_chunk bronze.t 0
	run -0 mlk diff bronze.t bronze.t --json
	echo "$output" | jq -e '.shared_chunks == 1 and .rows == {"added":0,"removed":0,"changed":0}'
}

@test "diff: schema changes, and an append compares only the new chunks" {
	init_repo
	printf 'n,s\n1,a\n2,b\n' > c.csv
	printf 'n,s,extra\n2.5,c,x\n' > d.csv
	mlk ingest bronze.w c.csv > /dev/null
	mlk ingest bronze.w d.csv --merge-schema > /dev/null
	run -0 mlk diff bronze.w@0 bronze.w@1
	assert_output - <<'EOF'
--- bronze.w@0 (2 rows, 2 columns)
+++ bronze.w@1 (3 rows, 3 columns)
Columns added:   extra (string)
Types changed:   n (int64 -> float64)
Rows added:      1
Rows removed:    0

+ n=2.5, s="c", extra="x"
EOF
	# The shared chunk's values are not read, only its key column.
	drop_chunk bronze.w 0 c1
	run -0 mlk diff bronze.w@0 bronze.w@1 --key n --json
	echo "$output" | jq -e '.shared_chunks == 1 and .rows == {"added":1,"removed":0,"changed":0} and .columns.retyped == [{"name":"n","from":"int64","to":"float64"}] and .columns.added == [{"name":"extra","type":"string"}]'
	run -0 mlk diff bronze.w@0 bronze.w@1 --json
	echo "$output" | jq -e '.rows.added == 1'
	# Keyed on s, the shared chunk's range (a to b) misses the new
	# row's key (c): not even its key column is read.
	run -0 mlk diff bronze.w@0 bronze.w@1 --key s --json
	echo "$output" | jq -e '.rows.added == 1'
}

@test "diff --key reads a shared chunk's key column when its range meets the new keys" {
	init_repo
	printf 'n,s\n1,a\n3,c\n' > a.csv
	printf 'n,s\n2,b\n' > b.csv
	mlk ingest bronze.t a.csv > /dev/null
	mlk ingest bronze.t b.csv > /dev/null
	drop_chunk bronze.t 0 c1
	run -0 mlk diff bronze.t@0 bronze.t@1 --key n
	assert_line --index 2 "Rows added:      1"
	drop_chunk bronze.t 0 c0
	run -1 mlk diff bronze.t@0 bronze.t@1 --key n
	run -0 mlk diff bronze.t@0 bronze.t@1
	assert_line --index 2 "Rows added:      1"
}

@test "diff: columns removed, and a removed row shows its own columns" {
	init_repo
	printf 'k,a,b\n1,x,true\n2,y,false\n' > a.csv
	printf 'k,a\n1,x\n' > b.csv
	mlk ingest bronze.t a.csv > /dev/null
	mlk ingest bronze.t b.csv --overwrite > /dev/null
	run -0 mlk diff bronze.t@0 bronze.t@1 --key k
	assert_output - <<'EOF'
--- bronze.t@0 (2 rows, 3 columns)
+++ bronze.t@1 (1 row, 2 columns)
Columns removed: b (bool)
Rows added:      0
Rows removed:    1
Rows changed:    0 (0 values; key k)

- k=2, a="y", b=false
EOF
}

@test "diff with a key of two columns, across two tables" {
	init_repo
	printf 'site,day,kwh\na,2024-01-01,1.5\na,2024-01-02,2\nb,2024-01-01,3\n' > a.csv
	printf 'site,day,kwh\na,2024-01-01,1.5\na,2024-01-02,2.5\nb,2024-01-02,3\n' > b.csv
	mlk ingest bronze.x a.csv > /dev/null
	mlk ingest silver.y b.csv > /dev/null
	run -0 mlk diff bronze.x silver.y --key site,day
	assert_output - <<'EOF'
--- bronze.x@0 (3 rows, 3 columns)
+++ silver.y@0 (3 rows, 3 columns)
Rows added:      1
Rows removed:    1
Rows changed:    1 (1 value; key site, day)

+ site="b", day=2024-01-02, kwh=3
- site="b", day=2024-01-01, kwh=3
~ site="a", day=2024-01-02: kwh 2 -> 2.5
EOF
	run -0 mlk diff bronze.x silver.y --key site,day --json
	echo "$output" | jq -e '.key == ["site","day"] and .changed == [{"key":{"site":"a","day":"2024-01-02"},"column":"kwh","old":2.0,"new":2.5}]'
}

@test "diff shows 20 rows of each kind; --json shows them all" {
	init_repo
	{ echo n; seq 1 5; } > a.csv
	{ echo n; seq 1 30; } > b.csv
	mlk ingest bronze.t a.csv > /dev/null
	mlk ingest bronze.t b.csv --overwrite > /dev/null
	run -0 mlk diff bronze.t@0 bronze.t@1 --key n
	assert_line --index 5 "+ n=6"
	assert_line --index 24 "+ n=25"
	assert_line --index 25 "... and 5 more added rows (--json lists them all)"
	[ "${#lines[@]}" -eq 26 ]
	run -0 mlk diff bronze.t@0 bronze.t@1 --key n --json
	echo "$output" | jq -e '.rows.added == 25 and (.added | length) == 25'
}

@test "diff: a duplicate key exits 1 and names the key and the version" {
	init_repo
	printf 'n,s\n1,a\n1,b\n2,c\n' > a.csv
	printf 'n,s\n1,a\n' > b.csv
	mlk ingest bronze.t a.csv > /dev/null
	mlk ingest bronze.u b.csv > /dev/null
	run -0 mlk diff bronze.u bronze.u
	assert_line --index 0 "--- bronze.u@0 (1 row, 2 columns)"
	run -1 mlk diff bronze.t bronze.u --key n
	assert_output "mlk: duplicate key (n=1) in 'bronze.t@0': --key must name columns whose values are unique"
	run -1 mlk diff bronze.u bronze.t --key n
	assert_output "mlk: duplicate key (n=1) in 'bronze.t@0': --key must name columns whose values are unique"
	run -0 mlk diff bronze.u bronze.t --key s
	# A key repeated across a shared chunk and a new one.
	printf 'n,s\n2,z\n' > c.csv
	mlk ingest bronze.u c.csv > /dev/null
	mlk ingest bronze.u b.csv --force > /dev/null
	run -1 mlk diff bronze.u@1 bronze.u@2 --key n
	assert_output "mlk: duplicate key (n=1) in 'bronze.u@2': --key must name columns whose values are unique"
}

@test "diff --key: an unknown column exits 2, with a suggestion" {
	init_repo
	two_versions
	run -2 mlk diff bronze.t@0 bronze.t --key idd
	assert_output "mlk: unknown column 'idd' in 'bronze.t@1'; did you mean 'id'?"
	printf 'id,extra\n1,x\n' > c.csv
	mlk ingest bronze.c c.csv > /dev/null
	run -2 mlk diff bronze.t bronze.c --key extra
	assert_output "mlk: unknown column 'extra' in 'bronze.t@1'"
	run -2 mlk diff bronze.t bronze.c --key id,
	assert_line --index 0 "mlk: empty column name in '--key'"
}

@test "diff errors: unknown table 1, bad revision 2, bad option 2" {
	init_repo
	two_versions
	run -1 mlk diff bronze.t bronze.nope
	assert_output "mlk: 'bronze.nope': no table 'bronze.nope'"
	run -1 mlk diff bronze.t@5 bronze.t
	assert_output "mlk: 'bronze.t@5': table 'bronze.t' has no version 5 (latest is 1)"
	run -2 mlk diff bronze.t 'bronze.t@{now'
	assert_output --partial "mlk: bad revision 'bronze.t@{now'"
	run -2 mlk diff bronze.t bronze.t --bogus
	assert_line --index 0 "mlk: unknown option '--bogus'"
	assert_line --index 1 "usage: mlk diff <rev-a> <rev-b> [--key <columns>] [--json]"
	run -2 mlk diff bronze.t --key
	assert_line --index 0 "mlk: option '--key' needs a value"
	run -2 mlk diff bronze.t
	assert_line --index 0 "mlk: which two table versions?"
	run -2 mlk diff a.b c.d e.f
	assert_line --index 0 "mlk: too many arguments"
	mkversion -k model energy
	run -1 mlk diff bronze.t models:/energy/1
	assert_output "mlk: 'models:/energy/1' is not a table version"
}

@test "diff outside a repository exits 1" {
	run -1 mlk diff bronze.t bronze.u
	assert_output --partial "not an mlk repository"
}
