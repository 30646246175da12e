#!/usr/bin/env bats
# mlk query: output formats, --json with inputs, EXPLAIN, errors with
# positions and exit codes, and reading no more than the query needs.
load helpers

readings() {
	mktable -c 2 bronze.r 'meter:string,kwh:float64,n:int64' <<'CSV'
m1,1.5,1
m2,,2
m1,3,3
m3,-1,4
CSV
}

@test "query: CSV is the default when not on a terminal" {
	init_repo
	readings
	run -0 mlk query "SELECT meter, kwh FROM bronze.r WHERE n > 1"
	assert_output - <<'EOF'
meter,kwh
m2,
m1,3
m3,-1
EOF
}

@test "query: --format tsv, jsonl and table" {
	init_repo
	readings
	run -0 mlk query "SELECT meter, kwh AS \"the kwh\" FROM bronze.r LIMIT 2" --format tsv
	assert_output "$(printf 'meter\tthe kwh\nm1\t1.5\nm2\t')"
	run -0 mlk query "SELECT meter, kwh, n > 2 AS big FROM bronze.r LIMIT 2" --format jsonl
	assert_output - <<'EOF'
{"meter":"m1","kwh":1.5,"big":false}
{"meter":"m2","kwh":null,"big":false}
EOF
	run -0 mlk query "SELECT meter, sum(kwh) AS s FROM bronze.r GROUP BY meter ORDER BY meter" --format table
	assert_output - <<'EOF'
meter     s
-----  ----
m1      4.5
m2     NULL
m3       -1
(3 rows)
EOF
}

@test "query: --json gives columns, types, rows and the versions read" {
	init_repo
	readings
	commit=$(mlk log bronze.r -n 1 --json | jq -r '.[0].commit')
	run -0 mlk query "SELECT meter, n FROM bronze.r WHERE n <= 2" --json
	assert_output "{\"columns\":[\"meter\",\"n\"],\"types\":[\"string\",\"int64\"],\"rows\":[[\"m1\",1],[\"m2\",2]],\"inputs\":[{\"table\":\"bronze.r\",\"version\":0,\"commit\":\"$commit\"}]}"
	echo "$output" | jq -e . >/dev/null
}

@test "query: --json lists each version read once, pinned ones too" {
	init_repo
	readings
	printf 'm4,2,5\n' | mktable -a bronze.r 'meter:string,kwh:float64,n:int64'
	run -0 mlk query "SELECT count(*) AS c FROM bronze.r a JOIN bronze.r VERSION AS OF 0 b ON a.n = b.n JOIN bronze.r c ON c.n = a.n" --json
	echo "$output" | jq -e '.rows == [[4]]'
	echo "$output" | jq -e '[.inputs[].version] == [1, 0]'
}

@test "query: EXPLAIN prints the plan" {
	init_repo
	readings
	run -0 mlk query "EXPLAIN SELECT meter, count(*) FROM bronze.r WHERE n > 2 GROUP BY meter ORDER BY 2 DESC"
	assert_line --index 0 --regexp '^sort by '
	assert_output --partial "hash aggregate by meter: count(*)"
	assert_output --partial "filter (n > 2)"
	assert_output --partial "scan bronze.r@0 columns=2/3 chunks=2 skip-by-stats: (n > 2)"
}

@test "query: a scan reads only the columns it uses" {
	init_repo
	readings
	drop_chunk bronze.r 0 c1
	drop_chunk bronze.r 1 c1
	run -0 mlk query "SELECT meter FROM bronze.r WHERE n > 3"
	assert_output "$(printf 'meter\nm3')"
	run -1 mlk query "SELECT kwh FROM bronze.r"
}

@test "query: chunks whose statistics exclude the WHERE comparison are not read" {
	init_repo
	readings
	drop_chunk bronze.r 0
	run -0 mlk query "SELECT meter, n FROM bronze.r WHERE n >= 3"
	assert_output "$(printf 'meter,n\nm1,3\nm3,4')"
	run -0 mlk query "SELECT count(*) FROM bronze.r WHERE n > 10 AND meter = 'x'"
	run -1 mlk query "SELECT meter FROM bronze.r WHERE n >= 2"
}

@test "query: LIMIT stops reading" {
	init_repo
	readings
	drop_chunk bronze.r 1
	run -0 mlk query "SELECT n FROM bronze.r LIMIT 2"
	assert_output "$(printf 'n\n1\n2')"
}

@test "query: errors name the line and column; bad queries exit 2" {
	init_repo
	readings
	run -2 mlk query "SELECT meter, kwhh FROM bronze.r"
	assert_output "mlk: line 1, column 15: unknown column 'kwhh'; did you mean 'kwh'?"
	run -2 mlk query "SELECT meter
FROM bronze.r
WHERE n >"
	assert_output "mlk: line 3, column 10: expected an expression at the end of the query"
	run -2 mlk query "SELECT * FROM bronze.nope"
	assert_output --partial "line 1, column 15: "
	run -2 mlk query "SELECT * FROM bronze.r VERSION AS OF 5"
	run -2 mlk query "DELETE FROM bronze.r"
	assert_output "mlk: line 1, column 1: expected SELECT or WITH, not 'DELETE'"
}

@test "query: runtime failures exit 1" {
	init_repo
	readings
	run -1 mlk query "SELECT CAST(meter AS int64) FROM bronze.r"
	assert_output "mlk: line 1, column 8: cannot cast 'm1' to int64"
	run -1 mlk query "SELECT n + 9223372036854775807 FROM bronze.r"
	assert_output --partial "integer overflow"
}

@test "query: usage errors" {
	run -2 mlk query
	assert_output --partial "which query?"
	run -2 mlk query "SELECT 1" "SELECT 2"
	assert_output --partial "too many arguments"
	run -2 mlk query "SELECT 1" --format xml
	assert_output --partial "unknown format 'xml'"
	run -2 mlk query "SELECT 1" --format csv --json
	assert_output --partial "do not go together"
}

@test "query: outside a repository" {
	run -1 mlk query "SELECT 1"
	assert_output --partial "repository"
}

@test "query: writes nothing" {
	init_repo
	readings
	before=$(git --git-dir=.mlk for-each-ref | sha1sum)
	run -0 mlk query "SELECT count(*) FROM bronze.r"
	[ "$(git --git-dir=.mlk for-each-ref | sha1sum)" = "$before" ]
}

@test "query: a table larger than a batch streams through filter and limit" {
	init_repo
	seq 1 200000 | awk '{ print $1 "," ($1 % 7) }' |
	    mktable -c 65536 bronze.big 'i:int64,m:int64'
	run -0 mlk query "SELECT count(*) AS c, sum(i) AS s FROM bronze.big WHERE m = 3"
	assert_output "$(printf 'c,s\n28572,2857242858')"
	run -0 mlk query "SELECT i FROM bronze.big WHERE m = 0 LIMIT 3 OFFSET 10000"
	assert_output "$(printf 'i\n70007\n70014\n70021')"
}

sqlrel() {
	"$MLK_TOOLS/sqlrel" "$@"
}

@test "query API: caller relations name a version; inputs; expectations" {
	init_repo
	readings
	printf 'm9,9,9\n' | mktable -a bronze.r 'meter:string,kwh:float64,n:int64'
	run -0 sqlrel -e "kwh >= 0 AND meter IS NOT NULL" target=bronze.r@0 -- \
	    "SELECT t.meter, t.kwh FROM target t JOIN bronze.r r ON t.n = r.n WHERE r.n > 2"
	assert_output - <<'EOF'
meter,kwh,expect
m1,3,1
m3,-1,0
input bronze.r@0
input bronze.r@1
EOF
	run -2 sqlrel target=bronze.r@0 -- "SELECT * FROM target VERSION AS OF 1"
	assert_output "sqlrel: line 1, column 15: 'target' names one version already"
	run -2 sqlrel -e "kwhh > 0" -- "SELECT kwh FROM bronze.r"
	assert_output "sqlrel: line 1, column 1: unknown column 'kwhh'; did you mean 'kwh'?"
}

@test "query API: one thread or several give the same rows in the same order" {
	init_repo
	seq 1 50000 | awk '{ print $1 "," ($1 % 13) }' |
	    mktable -c 1000 bronze.big 'i:int64,m:int64'
	q="SELECT i, m FROM bronze.big WHERE m > 3 AND i % 5 = 0"
	sqlrel -t 1 -- "$q" > one.csv
	sqlrel -t 4 -- "$q" > four.csv
	[ "$(wc -l < one.csv)" -gt 5000 ]
	cmp one.csv four.csv
	q="SELECT m, count(*), sum(i) FROM bronze.big GROUP BY m ORDER BY m"
	sqlrel -t 1 -- "$q" > one.csv
	sqlrel -t 4 -- "$q" > four.csv
	cmp one.csv four.csv
}
