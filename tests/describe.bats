#!/usr/bin/env bats
load helpers

# Two chunks: statistics must be merged across them.
two_chunks() {
	printf 'id,name,score,ok,day\n3,bob,0.5,true,2024-01-02\n1,,nan,,\n' > a.csv
	printf 'id,name,score,ok,day\n7,zed,-2,false,2023-12-31\n2,amy,,true,\n' > b.csv
	MLK_NOW=1700000000 mlk ingest bronze.t a.csv > /dev/null
	MLK_NOW=1700000100 mlk ingest bronze.t b.csv > /dev/null
}

@test "describe: the schema and statistics merged over every chunk" {
	init_repo
	two_chunks
	run -0 mlk describe bronze.t
	assert_line --index 0 "Table:      bronze.t@1"
	assert_line --index 1 --regexp '^Commit:     [0-9a-f]{40}$'
	assert_output --partial - <<'EOF'
Date:       2023-11-14 22:15:00 UTC
Rows:       4
Chunks:     2
Columns:    5

COLUMN  TYPE     NULLABLE  NULLS  NANS  MIN         MAX
------  -------  --------  -----  ----  ----------  ----------
id      int64    yes           0        1           7
name    string   yes           1        amy         zed
score   float64  yes           1     1  -2          0.5
ok      bool     yes           1        false       true
day     date     yes           2        2023-12-31  2024-01-02
EOF
	[ "${#lines[@]}" -eq 13 ]
}

@test "describe --json" {
	init_repo
	two_chunks
	run -0 mlk describe bronze.t --json
	commit=$(mlk log bronze.t -n 1 --json | jq -r '.[0].commit')
	assert_output - <<EOF
{"table":"bronze.t","version":1,"commit":"$commit","timestamp":"2023-11-14T22:15:00Z","rows":4,"chunks":2,"columns":[{"name":"id","type":"int64","nullable":true,"nulls":0,"min":1,"max":7},{"name":"name","type":"string","nullable":true,"nulls":1,"min":"amy","max":"zed"},{"name":"score","type":"float64","nullable":true,"nulls":1,"nans":1,"min":-2.0,"max":0.5},{"name":"ok","type":"bool","nullable":true,"nulls":1,"min":false,"max":true},{"name":"day","type":"date","nullable":true,"nulls":2,"min":"2023-12-31","max":"2024-01-02"}]}
EOF
}

@test "describe of an earlier version" {
	init_repo
	two_chunks
	run -0 mlk describe bronze.t@0 --json
	echo "$output" | jq -e '.version == 0 and .rows == 2 and .chunks == 1 and .columns[0].max == 3 and .columns[2].nulls == 0 and .columns[2].nans == 1 and .columns[2].min == 0.5'
	run -0 mlk describe bronze.t~1
	assert_line --index 0 "Table:      bronze.t@0"
}

@test "describe reads no column data" {
	init_repo
	two_chunks
	drop_chunk bronze.t 0
	drop_chunk bronze.t 1
	run -1 mlk cat bronze.t
	run -0 mlk describe bronze.t --json
	echo "$output" | jq -e '.rows == 4 and .columns[1].max == "zed"'
}

@test "describe: a column of nulls has no range, timestamps and non-nullable columns" {
	init_repo
	cat > schema.yaml <<'EOF'
columns:
  - name: at
    type: timestamp
    nullable: false
  - name: gone
    type: float64
EOF
	printf 'at,gone\n2024-01-01 00:00:00.25,\n2023-06-30T12:00:00Z,\n' > t.csv
	mlk ingest bronze.t t.csv --schema schema.yaml > /dev/null
	run -0 mlk describe bronze.t
	assert_line --index 8 "at      timestamp  no            0        2023-06-30 12:00:00  2024-01-01 00:00:00.250000"
	assert_line --index 9 "gone    float64    yes           2     0"
	run -0 mlk describe bronze.t --json
	echo "$output" | jq -e '.columns == [{"name":"at","type":"timestamp","nullable":false,"nulls":0,"min":"2023-06-30 12:00:00","max":"2024-01-01 00:00:00.250000"},{"name":"gone","type":"float64","nullable":true,"nulls":2,"nans":0,"min":null,"max":null}]'
}

@test "describe: long strings have cut bounds, marked" {
	init_repo
	long=$(printf 'y%.0s' $(seq 1 70))
	printf 's\na%s\nb\n' "$long" > t.csv
	mlk ingest bronze.t t.csv > /dev/null
	run -0 mlk describe bronze.t --json
	echo "$output" | jq -e --arg p "a$(printf 'y%.0s' $(seq 1 63))" '.columns[0] | .min == $p and .min_cut == true and .max == "b" and (has("max_cut") | not)'
	run -0 mlk describe bronze.t
	assert_line --index 8 "s       string  yes           0        a$(printf 'y%.0s' $(seq 1 36))...  b"
}

@test "describe of a table after schema evolution: older chunks count as nulls" {
	init_repo
	printf 'n\n1\n2\n' > a.csv
	printf 'n,extra\n3,x\n' > b.csv
	mlk ingest bronze.t a.csv > /dev/null
	mlk ingest bronze.t b.csv --merge-schema > /dev/null
	run -0 mlk describe bronze.t --json
	echo "$output" | jq -e '.columns[1] == {"name":"extra","type":"string","nullable":true,"nulls":2,"min":"x","max":"x"}'
}

@test "describe: a chunk whose range was dropped on widening makes it unknown" {
	init_repo
	printf '1\n2\n' | mktable bronze.t 'n:int64'
	printf 'x\n' | mktable -a bronze.t 'n:string'
	run -0 mlk describe bronze.t --json
	echo "$output" | jq -e '.columns == [{"name":"n","type":"string","nullable":true,"nulls":0,"min":null,"max":null}]'
	run -0 mlk cat bronze.t --format jsonl
	assert_output "$(printf '{"n":"1"}\n{"n":"2"}\n{"n":"x"}')"
}

@test "describe errors: unknown table 1, bad revision 2, bad option 2" {
	init_repo
	run -1 mlk describe bronze.nope
	assert_output "mlk: 'bronze.nope': no table 'bronze.nope'"
	two_chunks
	run -1 mlk describe bronze.t@2
	assert_output "mlk: 'bronze.t@2': table 'bronze.t' has no version 2 (latest is 1)"
	run -2 mlk describe 'bronze.t@x'
	assert_output --partial "mlk: bad revision 'bronze.t@x'"
	run -2 mlk describe bronze.t --bogus
	assert_line --index 0 "mlk: unknown option '--bogus'"
	assert_line --index 1 "usage: mlk describe <rev> [--json]"
	run -2 mlk describe bronze.t --json=1
	assert_line --index 0 "mlk: option '--json' takes no value"
	run -2 mlk describe
	assert_line --index 0 "mlk: which table version?"
	run -2 mlk describe bronze.t bronze.t
	assert_line --index 0 "mlk: too many arguments"
	mkversion -k model energy
	run -1 mlk describe models:/energy/1
	assert_output "mlk: 'models:/energy/1' is not a table version"
}

@test "describe outside a repository exits 1" {
	run -1 mlk describe bronze.t
	assert_output --partial "not an mlk repository"
}
