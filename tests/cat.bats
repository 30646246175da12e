#!/usr/bin/env bats
load helpers

# A table with every type, nulls, empty strings and awkward values.
mixed() {
	cat > t.csv <<'EOF'
id,name,score,ok,day,at
1,alice,0.1,true,2024-02-29,2024-02-29 13:05:09.5
2,"",,false,,
3,,1e-300,,1970-01-01,1970-01-01
4,"a,b ""q""",nan,true,2000-01-01,2000-01-01 00:00:01
5," sp",-0,false,,
6,"two
lines",0.30000000000000004,true,,
7,x,-inf,,,
EOF
	mlk ingest bronze.t t.csv > /dev/null
}

@test "cat writes CSV with a header: nulls empty, empty strings quoted" {
	init_repo
	mixed
	run -0 mlk cat bronze.t
	assert_output - <<'EOF'
id,name,score,ok,day,at
1,alice,0.1,true,2024-02-29,2024-02-29 13:05:09.500000
2,"",,false,,
3,,1e-300,,1970-01-01,1970-01-01 00:00:00
4,"a,b ""q""",nan,true,2000-01-01,2000-01-01 00:00:01
5," sp",-0,false,,
6,"two
lines",0.30000000000000004,true,,
7,x,-inf,,,
EOF
}

@test "cat's CSV ingests back into the same table, floats exactly" {
	init_repo
	mixed
	mlk cat bronze.t > back.csv
	run -0 mlk ingest bronze.back back.csv
	run -0 mlk diff bronze.t bronze.back --json
	echo "$output" | jq -e '.rows == {"added":0,"removed":0,"changed":0} and .columns.retyped == []'
	run -0 mlk cat bronze.back
	assert_output "$(cat back.csv)"
	run -0 mlk describe bronze.back --json
	echo "$output" | jq -e '[.columns[].type] == ["int64","string","float64","bool","date","timestamp"]'
}

@test "cat --format jsonl ingests back into the same table" {
	init_repo
	mixed
	mlk cat bronze.t --format jsonl > back.jsonl
	mlk ingest bronze.back back.jsonl > /dev/null
	run -0 mlk diff bronze.t bronze.back --key id --json
	echo "$output" | jq -e '.rows == {"added":0,"removed":0,"changed":0} and .columns.retyped == []'
	# A one-column table with a null, which CSV cannot hold.
	printf 'a,b\n1,\n,\n' > two.csv
	mlk ingest bronze.two two.csv > /dev/null
	mlk cat bronze.two --columns a --format jsonl > a.jsonl
	mlk ingest bronze.a a.jsonl > /dev/null
	run -0 mlk cat bronze.a --format jsonl
	assert_output "$(printf '{"a":1}\n{"a":null}')"
}

@test "cat --format tsv" {
	init_repo
	printf 'a,b\n1,"x\ty"\n2,\n,""\n' > t.csv
	mlk ingest bronze.t t.csv > /dev/null
	run -0 mlk cat bronze.t --format tsv
	assert_output "$(printf 'a\tb\n1\t"x\ty"\n2\t\n\t""')"
}

@test "cat --format jsonl: one object a row, typed values" {
	init_repo
	mixed
	run -0 mlk cat bronze.t --format jsonl
	assert_output - <<'EOF'
{"id":1,"name":"alice","score":0.1,"ok":true,"day":"2024-02-29","at":"2024-02-29 13:05:09.500000"}
{"id":2,"name":"","score":null,"ok":false,"day":null,"at":null}
{"id":3,"name":null,"score":1e-300,"ok":null,"day":"1970-01-01","at":"1970-01-01 00:00:00"}
{"id":4,"name":"a,b \"q\"","score":"nan","ok":true,"day":"2000-01-01","at":"2000-01-01 00:00:01"}
{"id":5,"name":" sp","score":-0.0,"ok":false,"day":null,"at":null}
{"id":6,"name":"two\nlines","score":0.30000000000000004,"ok":true,"day":null,"at":null}
{"id":7,"name":"x","score":"-inf","ok":null,"day":null,"at":null}
EOF
	mlk cat bronze.t --format jsonl | jq -e -s 'length == 7'
}

@test "cat --format jsonl: integral floats keep a '.0', bad UTF-8 becomes U+FFFD" {
	init_repo
	printf 'f,s\n1,\xff\n2.5,ok\n' > t.csv
	mlk ingest bronze.t t.csv > /dev/null
	run -0 mlk cat bronze.t --format jsonl
	assert_output - <<'EOF'
{"f":1.0,"s":"\ufffd"}
{"f":2.5,"s":"ok"}
EOF
}

@test "cat --format table: aligned, numbers right, NULL, escapes, a row count" {
	init_repo
	mixed
	run -0 mlk cat bronze.t --format table
	assert_output - <<'EOF'
id  name                      score  ok     day         at
--  ----------  -------------------  -----  ----------  --------------------------
 1  alice                       0.1  true   2024-02-29  2024-02-29 13:05:09.500000
 2                             NULL  false  NULL        NULL
 3  NULL                     1e-300  NULL   1970-01-01  1970-01-01 00:00:00
 4  a,b "q"                     nan  true   2000-01-01  2000-01-01 00:00:01
 5   sp                          -0  false  NULL        NULL
 6  two\nlines  0.30000000000000004  true   NULL        NULL
 7  x                          -inf  NULL   NULL        NULL
(7 rows)
EOF
}

@test "cat --format table shows 1000 rows unless --limit says otherwise" {
	init_repo
	{ echo n; seq 1 1001; } > t.csv
	mlk ingest bronze.t t.csv > /dev/null
	run -0 mlk cat bronze.t --format table
	assert_line --index 1000 " 999"
	assert_line --index 1001 "1000"
	assert_line --index 1002 "(1000 of 1001 rows)"
	[ "${#lines[@]}" -eq 1003 ]
	run -0 mlk cat bronze.t --format table --limit 2
	assert_output - <<'EOF'
n
-
1
2
(2 of 1001 rows)
EOF
	run -0 mlk cat bronze.t --format table --limit 5000
	assert_line --index 1003 "(1001 rows)"
	run -0 mlk cat bronze.t --limit 1 --format=table --columns n
	assert_line --index 3 "(1 of 1001 rows)"
}

@test "cat --format table cuts long values" {
	init_repo
	printf 's\n%s\n' "$(printf 'x%.0s' $(seq 1 60))" > t.csv
	mlk ingest bronze.t t.csv > /dev/null
	run -0 mlk cat bronze.t --format table
	assert_line --index 2 "$(printf 'x%.0s' $(seq 1 45))..."
}

@test "cat --columns picks and orders columns" {
	init_repo
	mixed
	run -0 mlk cat bronze.t --columns score,id --limit 3
	assert_output - <<'EOF'
score,id
0.1,1
,2
1e-300,3
EOF
	run -0 mlk cat bronze.t --columns=id,id --limit 1
	assert_output "$(printf 'id,id\n1,1')"
}

@test "cat --columns: an unknown column exits 2, with a suggestion when one is close" {
	init_repo
	mixed
	run -2 mlk cat bronze.t --columns id,nmae
	assert_output "mlk: unknown column 'nmae'; did you mean 'name'?"
	run -2 mlk cat bronze.t --columns ID
	assert_output "mlk: unknown column 'ID'; did you mean 'id'?"
	run -2 mlk cat bronze.t --columns region
	assert_output "mlk: unknown column 'region'"
	run -2 mlk cat bronze.t --columns id,,name
	assert_output "mlk: empty column name in 'id,,name'"
}

@test "cat --limit stops early" {
	init_repo
	mixed
	run -0 mlk cat bronze.t --limit 2
	assert_output "$(printf 'id,name,score,ok,day,at\n1,alice,0.1,true,2024-02-29,2024-02-29 13:05:09.500000\n2,"",,false,,')"
	run -0 mlk cat bronze.t --limit 0 --format jsonl
	assert_output ""
	run -0 mlk cat bronze.t --limit 0
	assert_output "id,name,score,ok,day,at"
	run -2 mlk cat bronze.t --limit x
	assert_line --index 0 "mlk: '--limit' takes a number of rows, not 'x'"
	assert_line --index 1 "usage: mlk cat <rev> [--format <format>] [--columns <list>] [--limit <n>]"
	run -2 mlk cat bronze.t --limit -1
	run -2 mlk cat bronze.t --limit ''
}

@test "cat streams chunk by chunk: --limit reads no further chunk" {
	init_repo
	printf 'n,s\n1,a\n2,b\n' > a.csv
	printf 'n,s\n3,c\n4,d\n' > b.csv
	mlk ingest bronze.t a.csv > /dev/null
	mlk ingest bronze.t b.csv > /dev/null
	drop_chunk bronze.t 1
	run -0 mlk cat bronze.t --limit 2
	assert_output "$(printf 'n,s\n1,a\n2,b')"
	run -1 mlk cat bronze.t
	assert_line --index 0 "n,s"
	assert_line --index 1 "1,a"
}

@test "cat across many small chunks: order kept, --limit stops mid-table" {
	init_repo
	printf '1,a\n2,b\n3,c\n4,d\n5,e\n6,f\n7,g\n' |
	    mktable -c 2 bronze.t 'n:int64,s:string'
	run -0 mlk describe bronze.t --json
	echo "$output" | jq -e '.chunks == 4 and .rows == 7'
	run -0 mlk cat bronze.t --format jsonl --columns s
	assert_output "$(printf '{"s":"%s"}\n' a b c d e f g)"
	drop_chunk bronze.t 2
	drop_chunk bronze.t 3
	run -0 mlk cat bronze.t --limit 3 --format table
	assert_output "$(printf 'n  s\n-  -\n1  a\n2  b\n3  c\n(3 of 7 rows)')"
	run -0 mlk cat bronze.t --limit 4
	run -1 mlk cat bronze.t --limit 5
}

@test "cat reads only the columns it prints" {
	init_repo
	printf 'n,s\n1,a\n2,b\n' > a.csv
	mlk ingest bronze.t a.csv > /dev/null
	drop_chunk bronze.t 0 c1
	run -0 mlk cat bronze.t --columns n
	assert_output "$(printf 'n\n1\n2')"
	run -1 mlk cat bronze.t --columns s
}

@test "cat of an earlier version, and of a version after schema evolution" {
	init_repo
	printf 'n\n1\n' > a.csv
	printf 'n,extra\n2.5,x\n' > b.csv
	mlk ingest bronze.t a.csv > /dev/null
	mlk ingest bronze.t b.csv --merge-schema > /dev/null
	run -0 mlk cat bronze.t@0
	assert_output "$(printf 'n\n1')"
	run -0 mlk cat bronze.t
	assert_output "$(printf 'n,extra\n1,\n2.5,x')"
	run -0 mlk cat bronze.t~1 --format jsonl
	assert_output '{"n":1}'
}

@test "cat of a version named by its commit id" {
	init_repo
	mixed
	commit=$(mlk log bronze.t --json | jq -r '.[0].commit')
	run -0 mlk cat "${commit:0:10}" --limit 1 --columns id
	assert_output "$(printf 'id\n1')"
}

@test "cat of an empty table prints the header" {
	init_repo
	printf 'a,b\n' > t.csv
	mlk ingest bronze.t t.csv > /dev/null || skip "ingest makes no table from a header alone"
	run -0 mlk cat bronze.t
	assert_output "a,b"
	run -0 mlk cat bronze.t --format table
	assert_output "$(printf 'a  b\n-  -\n(0 rows)')"
}

@test "cat errors: unknown table 1, bad revision 2, bad option 2" {
	init_repo
	run -1 mlk cat bronze.nope
	assert_output "mlk: 'bronze.nope': no table 'bronze.nope'"
	mixed
	run -1 mlk cat bronze.t@4
	assert_output "mlk: 'bronze.t@4': table 'bronze.t' has no version 4 (latest is 0)"
	run -2 mlk cat 'bronze.t@{soon}'
	assert_output --partial "mlk: bad revision 'bronze.t@{soon}'"
	run -2 mlk cat Bronze.T
	run -2 mlk cat bronze.t --bogus
	assert_line --index 0 "mlk: unknown option '--bogus'"
	run -2 mlk cat bronze.t --format xml
	assert_line --index 0 "mlk: unknown format 'xml' (csv, tsv, jsonl or table)"
	run -2 mlk cat bronze.t --format
	assert_line --index 0 "mlk: option '--format' needs a value"
	run -2 mlk cat
	assert_line --index 0 "mlk: which table version?"
	run -2 mlk cat bronze.t bronze.t
	assert_line --index 0 "mlk: too many arguments"
}

@test "cat of something that is not a table version exits 1" {
	init_repo
	mkversion -k model energy
	run -1 mlk cat models:/energy/1
	assert_output "mlk: 'models:/energy/1' is not a table version"
	mkversion bronze.raw
	run -1 mlk cat bronze.raw
	assert_output "mlk: 'bronze.raw': table snapshot: no meta.json: not a table version"
}

@test "cat outside a repository exits 1" {
	run -1 mlk cat bronze.t
	assert_output --partial "not an mlk repository"
}

@test "cat into a closed pipe stops quietly" {
	init_repo
	{ echo n; seq 1 200000; } > t.csv
	mlk ingest bronze.t t.csv > /dev/null
	run bash -c 'set -o pipefail; "$MLK" cat bronze.t | head -2'
	assert_output "$(printf 'n\n1')"
	[ "$status" -eq 141 ]
}

@test "cat to a full disk fails, and stops reading" {
	[ -w /dev/full ] || skip "no /dev/full"
	init_repo
	{ echo n; seq 1 200000; } > t.csv
	mlk ingest bronze.t t.csv > /dev/null
	run -1 bash -c '"$MLK" cat bronze.t > /dev/full'
	assert_output "mlk: cannot write output: No space left on device"
}
