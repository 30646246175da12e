#!/usr/bin/env bats
# The SQL test suite: every tests/sql/cases/<name>.sql runs over the
# fixture tables (tests/sql/fixture.bash) and must print <name>.out
# exactly: CSV rows, or the error message and "[exit N]". Then the
# differential tests: queries that sqlite3 answers too, on the same data,
# must give the same rows (compared sorted).
load helpers
load sql/fixture

# The output of one case: CSV, or the message, then [exit N] on failure.
run_case() {
	local rc=0
	mlk query "$(cat "$1")" --format csv 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || echo "[exit $rc]"
	echo "[end]"
}

@test "sql: every case prints its expected output" {
	init_repo
	sql_fixture
	local fails=0 n=0 f exp
	for f in "$MLK_SRC"/tests/sql/cases/*.sql; do
		exp=${f%.sql}.out
		n=$((n + 1))
		run_case "$f" | sed '$d' > got.out
		if [ -n "${MLK_SQL_UPDATE:-}" ]; then
			cp got.out "$exp"
			continue
		fi
		if ! diff -u "$exp" got.out; then
			echo "--- in ${f##*/}"
			fails=$((fails + 1))
		fi
	done
	echo "$n cases, $fails failed"
	[ "$n" -gt 90 ]
	[ "$fails" -eq 0 ]
}

# The fixture as CSV files with headers, loaded into sqlite3 too.
sqlite_load() {
	local t
	for t in readings meters nums; do
		mlk cat "bronze.$t" > "$t.csv"
	done
	sqlite3 db.sqlite <<'SQL'
CREATE TABLE readings (meter TEXT, ts TEXT, load_kwh REAL, temp REAL);
CREATE TABLE meters (meter TEXT, region TEXT);
CREATE TABLE nums (i INTEGER, f REAL, s TEXT, b TEXT, d TEXT);
.mode csv
.import --skip 1 readings.csv readings
.import --skip 1 meters.csv meters
.import --skip 1 nums.csv nums
UPDATE readings SET load_kwh = NULL WHERE load_kwh = '';
UPDATE readings SET temp = NULL WHERE temp = '';
UPDATE nums SET i = NULL WHERE i = '';
UPDATE nums SET f = NULL WHERE f = '';
UPDATE nums SET s = NULL WHERE s = '';
SQL
}

# Rows of a query in both engines, sorted, numbers as sqlite prints them.
differ() {
	local q=$1 ours theirs
	ours=$(mlk query "$(echo "$q" | sed -E 's/(FROM|JOIN) (readings|meters|nums|w)\b/\1 bronze.\2/g')" --format csv | tail -n +2 |
	    sed 's/\.0\(,\|$\)/\1/g; s/true/1/g; s/false/0/g' | LC_ALL=C sort)
	theirs=$(sqlite3 -csv db.sqlite "$q" | sed 's/\.0\(,\|$\)/\1/g; s/"//g' |
	    LC_ALL=C sort)
	if [ "$ours" != "$theirs" ]; then
		echo "query: $q"
		echo "mlk:"
		echo "$ours"
		echo "sqlite3:"
		echo "$theirs"
		return 1
	fi
}

@test "sql: the same rows as sqlite3 on shared queries" {
	command -v sqlite3 >/dev/null || skip "no sqlite3"
	init_repo
	sql_fixture
	sqlite_load
	differ "SELECT meter, load_kwh FROM readings WHERE load_kwh > 0.5"
	differ "SELECT meter, load_kwh FROM readings WHERE load_kwh IS NULL OR temp IS NULL"
	differ "SELECT meter, count(*), sum(load_kwh), min(load_kwh), max(temp) FROM readings GROUP BY meter"
	differ "SELECT meter, count(load_kwh) FROM readings GROUP BY meter HAVING count(*) > 1"
	differ "SELECT count(*), count(load_kwh), sum(load_kwh), max(load_kwh) FROM readings"
	differ "SELECT DISTINCT meter FROM readings"
	differ "SELECT r.meter, r.load_kwh, m.region FROM readings r JOIN meters m ON r.meter = m.meter"
	differ "SELECT m.meter, m.region, r.load_kwh FROM meters m LEFT JOIN readings r ON m.meter = r.meter"
	differ "SELECT m.meter, r.ts FROM meters m LEFT JOIN readings r ON m.meter = r.meter AND r.load_kwh > 1"
	differ "SELECT a.i, b.i FROM nums a JOIN nums b ON a.i < b.i"
	differ "SELECT m.meter, n.i FROM meters m CROSS JOIN nums n"
	differ "SELECT i, CASE WHEN i IS NULL THEN 'none' WHEN i < 2 THEN 'low' ELSE 'high' END FROM nums"
	differ "SELECT i FROM nums WHERE i IN (1, 3) OR i BETWEEN 2 AND 2"
	differ "SELECT i, i NOT IN (1, 2) FROM nums WHERE i IS NOT NULL"
	differ "SELECT region FROM meters WHERE region LIKE 'south%'"
	differ "SELECT i * 2 + 1, i - 3, i % 2 FROM nums WHERE i IS NOT NULL"
	differ "SELECT meter FROM readings WHERE load_kwh > 1 UNION ALL SELECT meter FROM meters"
	differ "SELECT t.meter, t.n FROM (SELECT meter, count(*) AS n FROM readings GROUP BY meter) t WHERE t.n > 1"
	differ "WITH d AS (SELECT meter, sum(load_kwh) AS s FROM readings GROUP BY meter) SELECT meter FROM d WHERE s > 1"
	differ "SELECT meter, load_kwh FROM readings ORDER BY load_kwh DESC LIMIT 3"
	differ "SELECT meter, ts, row_number() OVER (PARTITION BY meter ORDER BY ts) FROM readings"
	differ "SELECT meter, ts, lag(load_kwh) OVER (PARTITION BY meter ORDER BY ts) FROM readings"
	differ "SELECT meter, ts, sum(load_kwh) OVER (PARTITION BY meter ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM readings"
	differ "SELECT meter, rank() OVER (ORDER BY meter) FROM meters"
	differ "SELECT count(DISTINCT meter) FROM meters"
}

@test "sql: a parallel aggregation over large chunks, in slices, equals one thread" {
	init_repo
	# 40000 rows in chunks of 20000, so that workers hand chunks on in
	# slices; nulls on rows that are not multiples of 8; halves sum
	# exactly in any order
	awk 'BEGIN { for (i = 1; i <= 40000; i++) {
		s = (i % 7 == 3) ? "" : sprintf("K%03d", i % 37)
		v = (i % 11 == 5) ? "" : sprintf("%d.%d", i % 101, 5 * (i % 2))
		b = (i % 13 == 0) ? "" : (i % 2 ? "true" : "false")
		print i "," s "," v "," b } }' |
	    mktable -c 20000 bronze.s 'i:int64,s:string,v:string,b:bool'
	q="SELECT lower(s) AS k, count(*) AS n, count(v) AS nv,
	        sum(TRY_CAST(v AS DOUBLE)) AS sv, min(v) AS lo, max(s) AS hi,
	        sum(i) AS si, count(b) AS nb, max(b) AS mb
	    FROM bronze.s WHERE i % 3 <> 1 OR s IS NULL
	    GROUP BY 1 ORDER BY 1 NULLS FIRST"
	"$MLK_TOOLS/sqlrel" -t 1 -- "$q" > one.csv
	"$MLK_TOOLS/sqlrel" -t 2 -- "$q" > two.csv
	[ "$(wc -l < one.csv)" -gt 30 ]
	cmp one.csv two.csv
	q="SELECT s, upper(s) AS u, count(*) AS n FROM bronze.s
	    WHERE i > 8190 GROUP BY 1, 2 ORDER BY 1 NULLS FIRST"
	"$MLK_TOOLS/sqlrel" -t 1 -- "$q" > one.csv
	"$MLK_TOOLS/sqlrel" -t 2 -- "$q" > two.csv
	cmp one.csv two.csv
	# most rows pass (the workers fold the filter's mask), or few do
	# (they copy the rows out): the rows, in the order of a plain
	# filter (s || '' is not folded through a mask)
	plain="s || '' AS k"
	for w in "i % 5 <> 1" "i % 5 = 1" "i % 5 <> 1 AND i > 30000"; do
		q="SELECT s AS k, count(*) AS n, sum(TRY_CAST(v AS DOUBLE)) AS sv,
		        max(i) AS mi, count(b) FILTER (WHERE b) AS nb
		    FROM bronze.s WHERE $w GROUP BY 1"
		"$MLK_TOOLS/sqlrel" -t 2 -- "$q" > fused.csv
		"$MLK_TOOLS/sqlrel" -t 2 -- "${q/s AS k/$plain}" > plain.csv
		[ "$(wc -l < fused.csv)" -gt 30 ]
		cmp fused.csv plain.csv
	done
}

@test "sql: TRY_CAST of a scanned string, cast on its dictionary, gives the rows of casting row by row" {
	init_repo
	# chunks of 20000 rows: few distinct values (a dictionary), then
	# many (plain strings); malformed values, signed zeros, exponents
	awk 'BEGIN { split("12.5,-0,0,1e3,-1.5e-3,x,,1e400,nan, 7 ,0x10,9223372036854775808,2024-03-01", w, ",")
		for (i = 1; i <= 50000; i++) {
			v = i > 40000 ? sprintf("%d.%03d", i, i % 997) : w[1 + i % 13]
			if (i % 17 == 4) v = ""
			print i "," v } }' |
	    mktable -c 20000 bronze.c 'i:int64,v:string'
	q="SELECT i, TRY_CAST(v AS DOUBLE) AS d, TRY_CAST(v AS BIGINT) AS n,
	        TRY_CAST(v AS DATE) AS dt, v FROM bronze.c"
	run -0 mlk query "EXPLAIN $q"
	assert_output --partial "cast-on-read: TRY_CAST(v AS float64), TRY_CAST(v AS int64), TRY_CAST(v AS date)"
	# through a filter the casts stay in the projection, row by row
	r="SELECT i, TRY_CAST(v AS DOUBLE) AS d, TRY_CAST(v AS BIGINT) AS n,
	        TRY_CAST(v AS DATE) AS dt, v FROM (SELECT * FROM bronze.c WHERE i > 0)"
	run -0 mlk query "EXPLAIN $r"
	refute_output --partial "cast-on-read"
	"$MLK_TOOLS/sqlrel" -t 1 -- "$q" > cast.csv
	"$MLK_TOOLS/sqlrel" -t 1 -- "$r" > rows.csv
	[ "$(wc -l < cast.csv)" -eq 50002 ]
	cmp cast.csv rows.csv
	a="SELECT count(*) AS n, sum(TRY_CAST(v AS DOUBLE)) AS s,
	        count(TRY_CAST(v AS DOUBLE)) AS c FROM bronze.c"
	"$MLK_TOOLS/sqlrel" -t 2 -- "$a" > two.csv
	"$MLK_TOOLS/sqlrel" -t 2 -- "WITH t AS (SELECT * FROM bronze.c WHERE i > 0) ${a/bronze.c/t}" > rows.csv
	cmp two.csv rows.csv
}

@test "sql: window partitions sorted by counting give sqlite3's rows" {
	command -v sqlite3 >/dev/null || skip "no sqlite3"
	init_repo
	# rows out of order within partitions; (p, t) unique so that lag
	# has one answer; q spans few values, g spans more than the rows
	awk 'BEGIN { for (i = 0; i < 3000; i++) {
		t = (i * 7919) % 3000
		v = (i % 9 == 4) ? "" : i % 50
		print "P" (t % 11) "," (1000000 + t % 5) "," (t % 4) "000000000000," t "," v } }' > w.csv
	mktable -c 1000 bronze.w 'p:string,q:int64,g:int64,t:int64,v:int64' < w.csv
	sqlite3 db.sqlite <<'SQL'
CREATE TABLE w (p TEXT, q INTEGER, g INTEGER, t INTEGER, v INTEGER);
.mode csv
.import w.csv w
UPDATE w SET v = NULL WHERE v = '';
SQL
	differ "SELECT p, t, lag(v, 2) OVER (PARTITION BY p ORDER BY t) FROM w"
	differ "SELECT p, t, lag(v) OVER (PARTITION BY p ORDER BY t DESC) FROM w"
	differ "SELECT q, t, row_number() OVER (PARTITION BY q ORDER BY t) FROM w"
	differ "SELECT g, t, lead(v, 3) OVER (PARTITION BY g ORDER BY t DESC) FROM w"
	differ "SELECT q, t, sum(v) OVER (PARTITION BY q ORDER BY t ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM w"
}

# Tables big enough for the join to build and probe on several threads:
# bronze.jl 70,000 rows (one batch), bronze.jr 40,000 rows; int keys with
# duplicates, NULLs and keys on one side only; string keys too, and
# strings of 1 to 25 bytes.
join_tables() {
	awk 'BEGIN { for (i = 0; i < 70000; i++) {
		k = (i * 7919) % 30011
		printf "%d,%s,m%d,%d\n", i, (i % 53 == 0 ? "" : k), k % 500, i % 10 }
	}' | mktable -c 70000 bronze.jl 'i:int64,k:int64,s:string,g:int64'
	awk 'BEGIN { for (j = 0; j < 40000; j++) {
		k = (j * 104729) % 25000
		printf "%d,%s,m%d,%s\n", j, (j % 61 == 0 ? "" : k), j % 700,
		    substr("region-with-a-long-name-", 1, j % 25) (j % 6) }
	}' | mktable bronze.jr 'j:int64,k:int64,s:string,region:string'
}

@test "sql: big joins give the same rows in the same order on 1, 2 and 4 threads" {
	init_repo
	join_tables
	local q n=0
	while IFS= read -r q; do
		n=$((n + 1))
		"$MLK_TOOLS/sqlrel" -t 1 -- "$q" > one.csv
		"$MLK_TOOLS/sqlrel" -t 2 -- "$q" > two.csv
		"$MLK_TOOLS/sqlrel" -t 4 -- "$q" > four.csv
		[ "$(wc -l < one.csv)" -gt 1000 ] || { echo "few rows: $q"; false; }
		cmp one.csv two.csv || { echo "2 threads differ: $q"; false; }
		cmp one.csv four.csv || { echo "4 threads differ: $q"; false; }
	done <<'SQL'
SELECT l.i, r.j, r.region FROM bronze.jl l JOIN bronze.jr r ON l.k = r.k
SELECT l.i, r.j FROM bronze.jl l LEFT JOIN bronze.jr r ON l.k = r.k
SELECT l.i, r.j FROM bronze.jl l LEFT JOIN bronze.jr r ON l.k = r.k AND r.j % 3 = 0
SELECT l.i, r.j FROM bronze.jl l JOIN bronze.jr r ON l.k = r.k AND l.i < r.j
SELECT l.i, r.j FROM bronze.jl l JOIN bronze.jr r ON l.s = r.s AND l.g = r.j % 10
SELECT l.i, r.j FROM bronze.jl l LEFT JOIN bronze.jr r ON l.k = r.k + 100000
SELECT l.i, r.j FROM bronze.jl l CROSS JOIN (SELECT j FROM bronze.jr WHERE j < 3) r
SQL
	[ "$n" -eq 7 ]
	# The order promised: left rows in order, their matches in order.
	"$MLK_TOOLS/sqlrel" -t 4 -- "SELECT l.i, r.j FROM bronze.jl l JOIN bronze.jr r ON l.k = r.k" |
	    sed '1d; /^input /d' | LC_ALL=C sort -t, -k1,1n -k2,2n -c
	# EXPLAIN shows the workers.
	"$MLK_TOOLS/sqlrel" -t 2 -- "EXPLAIN SELECT l.i FROM bronze.jl l JOIN bronze.jr r ON l.k = r.k AND l.i < r.j" |
	    grep -Fx '  hash join inner on k = k filter (i < j) (2 workers)'
	"$MLK_TOOLS/sqlrel" -t 1 -- "EXPLAIN SELECT l.i FROM bronze.jl l JOIN bronze.jr r ON l.k = r.k" |
	    grep -Fx '  hash join inner on k = k'
	# No match at all: no rows; LEFT: every left row once.
	run -0 mlk query "SELECT count(*) FROM bronze.jl l JOIN bronze.jr r ON l.k = r.k + 100000" --format csv
	assert_output "$(printf 'count(*)\n0')"
	run -0 mlk query "SELECT count(*), count(r.j) FROM bronze.jl l LEFT JOIN bronze.jr r ON l.k = r.k + 100000" --format csv
	assert_output "$(printf 'count(*),count(r.j)\n70000,0')"
}

@test "sql: big joins give the same rows as sqlite3" {
	command -v sqlite3 >/dev/null || skip "no sqlite3"
	init_repo
	join_tables
	mlk cat bronze.jl > jl.csv
	mlk cat bronze.jr > jr.csv
	sqlite3 db.sqlite <<'SQL'
CREATE TABLE jl (i INTEGER, k INTEGER, s TEXT, g INTEGER);
CREATE TABLE jr (j INTEGER, k INTEGER, s TEXT, region TEXT);
.mode csv
.import --skip 1 jl.csv jl
.import --skip 1 jr.csv jr
UPDATE jl SET k = NULL WHERE k = '';
UPDATE jr SET k = NULL WHERE k = '';
SQL
	local q ours theirs
	for q in "SELECT l.i, r.j, r.region FROM jl l JOIN jr r ON l.k = r.k" \
	    "SELECT l.i, r.j FROM jl l LEFT JOIN jr r ON l.k = r.k AND r.j % 3 = 0" \
	    "SELECT l.i, r.j FROM jl l JOIN jr r ON l.s = r.s AND l.g = r.j % 10"; do
		ours=$(mlk query "$(echo "$q" | sed 's/ jl / bronze.jl /; s/ jr / bronze.jr /')" --format csv |
		    sed 1d | LC_ALL=C sort)
		theirs=$(sqlite3 -csv db.sqlite "$q" | LC_ALL=C sort)
		[ -n "$ours" ]
		[ "$ours" = "$theirs" ] || { echo "differs: $q"; false; }
	done
}
