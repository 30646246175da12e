#!/bin/sh
# refine: the smart-meter table (1M rows, or MLK_BENCH_REFINE_ROWS;
# 10M with MLK_BENCH_LARGE=1) from bronze to gold. Three refines, each
# timed from the stored table with a fresh target (the ref is deleted
# before each run, or refine would find the table up to date):
#   clean  drop rows with null or malformed values, keep load_kwh >= 0,
#          aggregate per meter and day (sum, mean, max of load_kwh; mean
#          temperature)
#   lag    the load 24 hours earlier, per meter (a window)
#   join   the daily table joined with a meter-region table
# Side by side: DuckDB running the same queries on the table already in
# its memory. Prints one refine_<size> line.
. "$(dirname "$0")/lib.sh"
: "${MLK:?MLK must name the mlk binary}"
export MLK
bench_tmpdir
gen=$MLK_TOOLS/genmeters
timeit=$MLK_TOOLS/timeit
runs=$MLK_BENCH_RUNS

rows=${MLK_BENCH_REFINE_ROWS:-1000000}
[ "${MLK_BENCH_LARGE:-0}" = 1 ] && rows=10000000
label=$(awk "BEGIN { r = $rows; if (r % 1000000 == 0) print r / 1000000 \"m\"; else print r }")
csv=$BENCH_TMP/meters.csv
repo=$BENCH_TMP/repo
"$gen" "$rows" > "$csv" || exit 1
mkdir -p "$repo" && cd "$repo" || exit 1
"$MLK" init > /dev/null && "$MLK" ingest bronze.readings "$csv" > /dev/null ||
	exit 1

CLEAN="WITH typed AS (
  SELECT meter_id, ts, TRY_CAST(load_kwh AS DOUBLE) AS load_kwh,
         TRY_CAST(temperature AS DOUBLE) AS temperature
  FROM bronze.readings)
SELECT meter_id, CAST(date_trunc('day', ts) AS DATE) AS day,
       sum(load_kwh) AS load_sum, avg(load_kwh) AS load_mean,
       max(load_kwh) AS load_max, avg(temperature) AS temp_mean
FROM typed
WHERE load_kwh IS NOT NULL AND temperature IS NOT NULL AND load_kwh >= 0
GROUP BY 1, 2"
LAG="SELECT meter_id, ts, TRY_CAST(load_kwh AS DOUBLE) AS load_kwh,
       lag(TRY_CAST(load_kwh AS DOUBLE), 24)
         OVER (PARTITION BY meter_id ORDER BY ts) AS load_24h_ago
FROM bronze.readings"
REGIONS="SELECT DISTINCT meter_id, region FROM bronze.readings"
JOIN="SELECT d.meter_id, d.day, d.load_sum, r.region
FROM gold.daily d JOIN silver.regions r ON d.meter_id = r.meter_id"

# refine_time TABLE SQL: the median seconds and peak RSS of $runs refines.
refine_time() {
	out=$("$timeit" -n "$runs" -w 0 -C "$repo" \
		-p "git --git-dir=.mlk update-ref -d refs/tables/$1 2>/dev/null; true" \
		-- "$MLK" refine "$1" --sql "$2") || return 1
	printf '%s\n' "$out"
}

status=0
fields="\"name\":\"refine_$label\",\"rows\":$rows,\"runs\":$runs"
for q in clean:gold.daily lag:silver.lagged join:gold.daily_region; do
	name=${q%%:*}
	table=${q#*:}
	case $name in
	clean) sql=$CLEAN ;;
	lag) sql=$LAG ;;
	join)
		"$MLK" refine silver.regions --sql "$REGIONS" > /dev/null
		sql=$JOIN
		;;
	esac
	if out=$(refine_time "$table" "$sql"); then
		ms=$(printf '%s\n' "$out" | json_num median_ms)
		fields="$fields,\"${name}_s\":$(calc "$ms / 1000")"
		fields="$fields,\"${name}_max_rss_kb\":$(printf '%s\n' "$out" | json_num max_rss_kb)"
	else
		bench_note "mlk refine $table failed"
		status=1
	fi
	# the later queries read the clean table
	[ "$name" = clean ] && "$MLK" refine gold.daily --sql "$CLEAN" > /dev/null
done
daily=$("$MLK" query "SELECT count(*) AS n FROM gold.daily" --format csv | tail -1)
fields="$fields,\"daily_rows\":$daily"

if have_duckdb; then
	if d=$(node "$BENCH_DIR/duckdb_refine.mjs" "$csv"); then
		for k in clean lag join; do
			s=$(printf '%s\n' "$d" | json_num "duckdb_${k}_s")
			fields="$fields,\"duckdb_${k}_s\":$s"
			m=$(printf '%s\n' "$fields" | sed -n "s/.*\"${k}_s\":\([0-9.]*\).*/\1/p")
			[ -n "$m" ] && [ "$s" != 0 ] &&
				fields="$fields,\"${k}_ratio\":$(calc "$m / $s")"
		done
		fields="$fields,\"duckdb_max_rss_kb\":$(printf '%s\n' "$d" | json_num max_rss_kb)"
		fields="$fields,\"duckdb_daily_rows\":$(printf '%s\n' "$d" | json_num daily_rows)"
		v=$(printf '%s\n' "$d" | sed -n 's/.*"duckdb_version":"\([^"]*\)".*/\1/p')
		fields="$fields,\"duckdb_version\":$(json_str "$v")"
	else
		bench_note "DuckDB failed on the refine queries"
		status=1
	fi
fi
bench_json "$fields"
exit $status
