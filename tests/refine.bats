#!/usr/bin/env bats
# mlk refine: SQL into a new version with exact lineage, modes,
# idempotence, expectations, external programs, atomicity.
load helpers

# bronze.r: 6 readings, one with a negative load and one with a null.
readings() {
	init_repo
	printf '%s\n' 'meter,day,load' 'm1,2026-11-01,1.5' 'm1,2026-11-02,2.5' \
	    'm2,2026-11-01,-1' 'm2,2026-11-02,' 'm3,2026-11-01,4' \
	    'm3,2026-11-02,6' > r.csv
	mlk ingest bronze.r r.csv > /dev/null
}

parents() {
	git --git-dir=.mlk log -1 --format=%P "refs/tables/$1"
}

@test "refine writes a version whose parents are the previous version and the inputs" {
	readings
	run -0 mlk refine silver.r --sql "SELECT meter, load FROM bronze.r WHERE load >= 0"
	assert_output "silver.r@0: 4 rows (from 1 input)"
	run -0 mlk cat silver.r
	assert_output 'meter,load
m1,1.5
m1,2.5
m3,4
m3,6'
	bronze=$(git --git-dir=.mlk rev-parse refs/tables/bronze.r)
	[ "$(parents silver.r)" = "$bronze" ]
	run -0 mlk show silver.r --json
	echo "$output" | jq -e '.record.operation == "REFINE" and .record.parameters.sql == "SELECT meter, load FROM bronze.r WHERE load >= 0" and .record.inputs[0].name == "bronze.r" and .record.inputs[0].version == 0'
	# the second version's first parent is the first
	printf '%s\n' 'meter,day,load' 'm4,2026-11-03,9' > s.csv
	mlk ingest bronze.r s.csv > /dev/null
	run -0 mlk refine silver.r --sql "SELECT meter, load FROM bronze.r WHERE load >= 0"
	assert_output "silver.r@1: 5 rows (from 1 input)"
	first=$(git --git-dir=.mlk rev-parse refs/tables/silver.r~1)
	bronze=$(git --git-dir=.mlk rev-parse refs/tables/bronze.r)
	[ "$(parents silver.r)" = "$first $bronze" ]
}

@test "an aggregation's result, written as it comes, is the chunk copying it writes" {
	readings
	q="SELECT meter, max(day) AS d, sum(load) AS s, avg(load) AS a,
	       count(*) AS n FROM bronze.r GROUP BY 1"
	mlk refine gold.direct --sql "$q" > /dev/null
	# an expectation makes the sink copy the rows first
	mlk refine gold.copied --sql "$q" --expect "any: n > 0" > /dev/null
	run -0 mlk cat gold.direct
	assert_line 'm2,2026-11-02,-1,-1,2'
	[ "$(git --git-dir=.mlk rev-parse 'refs/tables/gold.direct^{tree}')" = \
	    "$(git --git-dir=.mlk rev-parse 'refs/tables/gold.copied^{tree}')" ]
	# more rows than a chunk holds: written in slices, strings and nulls
	awk 'BEGIN { print "k,v"; for (i = 0; i < 150000; i++)
		printf "key%d,%s\n", i % 70001, i % 9 == 4 ? "" : i % 13 }' > big.csv
	mlk ingest bronze.big big.csv > /dev/null
	q="SELECT k, max(v) AS m, sum(v) AS s FROM bronze.big GROUP BY 1"
	mlk refine gold.bdirect --sql "$q" > /dev/null
	mlk refine gold.bcopied --sql "$q" --expect "any: true" > /dev/null
	run -0 mlk describe gold.bdirect
	assert_output --partial "Chunks:     2"
	[ "$(git --git-dir=.mlk rev-parse 'refs/tables/gold.bdirect^{tree}')" = \
	    "$(git --git-dir=.mlk rev-parse 'refs/tables/gold.bcopied^{tree}')" ]
}

@test "refine is idempotent: same query, same inputs, nothing written" {
	readings
	run -0 mlk refine gold.m --sql "SELECT meter, sum(load) AS total FROM bronze.r GROUP BY meter ORDER BY meter"
	head=$(git --git-dir=.mlk rev-parse refs/tables/gold.m)
	run -0 mlk refine gold.m --sql "SELECT meter, sum(load) AS total FROM bronze.r GROUP BY meter ORDER BY meter"
	assert_output "gold.m@0 is up to date (3 rows)"
	[ "$(git --git-dir=.mlk rev-parse refs/tables/gold.m)" = "$head" ]
	run -0 mlk refine gold.m --json --sql "SELECT meter, sum(load) AS total FROM bronze.r GROUP BY meter ORDER BY meter"
	echo "$output" | jq -e '.up_to_date == true and .version == 0'
	# a new input version, or a new query text, makes a new version
	run -0 mlk refine gold.m --sql "SELECT meter, max(load) AS total FROM bronze.r GROUP BY meter ORDER BY meter"
	assert_output "gold.m@1: 3 rows (from 1 input)"
}

@test "VERSION AS OF pins the input; the record names that version" {
	readings
	printf '%s\n' 'meter,day,load' 'm9,2026-11-09,9' > s.csv
	mlk ingest bronze.r s.csv > /dev/null
	run -0 mlk refine silver.old --sql "SELECT count(*) AS n FROM bronze.r VERSION AS OF 0"
	run -0 mlk cat silver.old
	assert_output 'n
6'
	run -0 mlk show silver.old --json
	echo "$output" | jq -e '.record.inputs[0].version == 0'
}

@test "append adds rows; types must match the table's" {
	readings
	mlk refine silver.a --sql "SELECT meter, load FROM bronze.r WHERE meter = 'm1'" > /dev/null
	run -0 mlk refine silver.a --mode append --sql "SELECT meter, load FROM bronze.r WHERE meter = 'm3'"
	assert_output "silver.a@1: 4 rows, 2 added (from 1 input)"
	run -0 mlk cat silver.a
	assert_output 'meter,load
m1,1.5
m1,2.5
m3,4
m3,6'
	# shared chunk: the first version's chunk is in the second
	c0=$(git --git-dir=.mlk show refs/tables/silver.a~1:meta.json | jq -r '.chunks[0].tree')
	c1=$(git --git-dir=.mlk show refs/tables/silver.a:meta.json | jq -r '.chunks[0].tree')
	[ "$c0" = "$c1" ]
	run -2 mlk refine silver.a --mode append --sql "SELECT meter FROM bronze.r"
	assert_output --partial "the result has no column 'load', which table 'silver.a' has"
	run -2 mlk refine silver.a --mode append --sql "SELECT meter, day AS load FROM bronze.r"
	assert_output --partial "column 'load' is date in the result but float64 in table 'silver.a'"
	run -0 mlk log silver.a --json
	[ "$(echo "$output" | jq length)" -eq 2 ]
}

@test "merge upserts on the key; untouched chunks are shared; duplicate keys fail" {
	readings
	mlk refine silver.latest --sql "SELECT meter, max(day) AS day FROM bronze.r WHERE meter <> 'm3' GROUP BY meter ORDER BY meter" > /dev/null
	run -0 mlk refine silver.latest --mode merge --key meter --sql "SELECT 'm2' AS meter, DATE '2026-11-30' AS day UNION ALL SELECT 'm3', DATE '2026-11-02'"
	assert_output "silver.latest@1: 3 rows, 1 updated, 1 inserted (from 0 inputs)"
	run -0 mlk query "SELECT meter, day FROM silver.latest ORDER BY meter" --format csv
	assert_output 'meter,day
m1,2026-11-02
m2,2026-11-30
m3,2026-11-02'
	run -1 mlk refine silver.latest --mode merge --key meter --sql "SELECT 'm1' AS meter, DATE '2026-11-01' AS day UNION ALL SELECT 'm1', DATE '2026-11-02'"
	assert_output --partial "several result rows have the key (meter=m1)"
	run -2 mlk refine silver.latest --mode merge --sql "SELECT 1 AS x"
	assert_output --partial "--mode merge needs --key"
	run -2 mlk refine silver.latest --mode merge --key nope --sql "SELECT meter, day FROM silver.latest"
	assert_output --partial "unknown column 'nope'"
	[ "$(mlk log silver.latest --json | jq length)" -eq 2 ]
}

@test "expectations: fail writes nothing and exits 4 with an example" {
	readings
	run -4 mlk refine silver.r --sql "SELECT * FROM bronze.r" --expect "positive: load >= 0" --expect "named: meter IS NOT NULL"
	assert_output --partial "expectation 'positive' failed on 2 rows"
	assert_output --partial "meter=m2"
	run -1 mlk log silver.r
	run -1 git --git-dir=.mlk rev-parse --verify -q refs/tables/silver.r
}

@test "expectations: drop removes and counts, warn keeps and counts; log shows them" {
	readings
	run -0 mlk refine silver.d --sql "SELECT * FROM bronze.r" --expect "positive: load >= 0" --on-violation drop
	assert_output "silver.d@0: 4 rows (from 1 input)
expectation 'positive': 2 rows failed, dropped"
	run -0 mlk show silver.d --json
	echo "$output" | jq -e '.record.metrics.failed_positive == 2 and .record.metrics.rows_dropped == 2 and .record.expectations[0].action == "drop"'
	run -0 mlk log silver.d
	assert_output --partial "failed_positive=2"
	run -0 mlk refine silver.w --sql "SELECT * FROM bronze.r" --expect "positive: load >= 0" --on-violation warn
	assert_output "silver.w@0: 6 rows (from 1 input)
expectation 'positive': 2 rows failed, kept"
}

@test "bad expectations and bad queries are usage errors" {
	readings
	run -2 mlk refine silver.x --sql "SELECT * FROM bronze.r" --expect "load >= 0"
	assert_output --partial "has no name"
	run -2 mlk refine silver.x --sql "SELECT * FROM bronze.r" --expect "ok: lod >= 0"
	assert_output --partial "expectation 'ok'"
	assert_output --partial "unknown column 'lod'"
	run -2 mlk refine silver.x --sql "SELECT lod FROM bronze.r"
	assert_output --partial "unknown column 'lod'"
	run -2 mlk refine silver.x --sql "SELEC 1"
	run -2 mlk refine silver.x --sql "SELECT * FROM bronze.nope"
	assert_output --partial "no table 'bronze.nope'"
	run -2 mlk refine silver.x --sql "SELECT 1" --on-violation explode
	run -2 mlk refine silver.x --sql "SELECT 1" --mode sideways
	run -2 mlk refine silver.x
	assert_output --partial "missing query"
	run -2 mlk refine Silver --sql "SELECT 1"
	run -2 mlk refine silver.x --sql "SELECT 1" extra
	[ ! -e .mlk/refs/tables/silver.x ]
}

@test "-f reads the query from a file or stdin" {
	readings
	printf 'SELECT meter\nFROM bronze.r\nWHERE load > 3\n' > q.sql
	run -0 mlk refine silver.f -f q.sql
	assert_output "silver.f@0: 2 rows (from 1 input)"
	run -0 mlk refine silver.f -f - < q.sql
	assert_output "silver.f@0 is up to date (2 rows)"
	run -1 mlk refine silver.f -f nope.sql
	assert_output --partial "nope.sql"
}

@test "--exec feeds the input as CSV and reads the program's CSV" {
	readings
	cat > clean.sh <<'SH'
#!/bin/sh
awk -F, 'NR == 1 { print "meter,double"; next } $3 != "" { print $1 "," $3 * 2 }'
SH
	chmod +x clean.sh
	run -0 mlk refine silver.p --from bronze.r --exec -- ./clean.sh
	assert_output "silver.p@0: 5 rows (from 1 input)"
	run -0 mlk cat silver.p
	assert_line --index 1 'm1,3'
	run -0 mlk show silver.p --json
	echo "$output" | jq -e '.record.parameters.exec == ["./clean.sh"] and (.record.parameters.programs["./clean.sh"] | length) == 64'
	bronze=$(git --git-dir=.mlk rev-parse refs/tables/bronze.r)
	[ "$(parents silver.p)" = "$bronze" ]
	# idempotent, until the program changes
	run -0 mlk refine silver.p --from bronze.r --exec -- ./clean.sh
	assert_output --partial "is up to date"
	echo '# changed' >> clean.sh
	run -0 mlk refine silver.p --from bronze.r --exec -- ./clean.sh
	assert_output "silver.p@1: 5 rows (from 1 input)"
}

@test "--exec: further inputs come as files named by MLK_INPUT_1" {
	readings
	mlk refine silver.m --sql "SELECT DISTINCT meter FROM bronze.r ORDER BY meter" > /dev/null
	run -0 mlk refine gold.j --from bronze.r --from silver.m --exec -- sh -c 'wc -l < "$MLK_INPUT_1" | tr -d " " | sed "1s/^/lines\n/"; cat > /dev/null'
	run -0 mlk cat gold.j
	assert_output 'lines
4'
	[ "$(git --git-dir=.mlk log -1 --format=%P refs/tables/gold.j | wc -w)" -eq 2 ]
}

@test "--exec: a failing program, no output, or a missing program write nothing" {
	readings
	run -1 mlk refine silver.e --from bronze.r --exec -- sh -c 'cat > /dev/null; echo boom >&2; exit 3'
	assert_output --partial "boom"
	assert_output --partial "exited with status 3"
	run -1 mlk refine silver.e --from bronze.r --exec -- true
	assert_output --partial "wrote nothing"
	run -1 mlk refine silver.e --from bronze.r --exec -- ./no-such-program
	assert_output --partial "cannot run './no-such-program'"
	run -1 mlk refine silver.e --from bronze.r --exec -- sh -c 'kill -9 $$'
	assert_output --partial "killed by signal 9"
	run -2 mlk refine silver.e --exec -- true
	assert_output --partial "needs at least one --from"
	run -2 mlk refine silver.e --from bronze.r --exec
	assert_output --partial "needs a program"
	run -2 mlk refine silver.e --from bronze.r --sql "SELECT 1"
	run -1 mlk refine silver.e --from bronze.nope --exec -- cat
	run -1 git --git-dir=.mlk rev-parse --verify -q refs/tables/silver.e
}

@test "a program that does not read its input is not an error" {
	readings
	run -0 mlk refine silver.h --from bronze.r --exec -- sh -c 'printf "a\n1\n"'
	assert_output "silver.h@0: 1 row (from 1 input)"
}

@test "a refine that loses the race to another writer exits 3" {
	readings
	mlk refine silver.c --sql "SELECT 1 AS x" > /dev/null
	# the program moves the table while refine runs
	run -3 mlk refine silver.c --from bronze.r --exec -- sh -c 'cat > /dev/null; "$MLK" refine silver.c --sql "SELECT 2 AS x" > /dev/null; printf "x\n3\n"'
	run -0 mlk cat silver.c
	assert_output 'x
2'
}
