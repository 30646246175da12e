#!/bin/sh
# query: mlk's SQL engine on the smart-meter table (genmeters, ingested
# as bronze.readings): the clean-and-aggregate query a refine to gold
# runs (drop null and malformed values, keep load_kwh >= 0, per meter and
# day: sum, mean, max of load_kwh, mean temperature), a lag feature (the
# load 24 hours earlier per meter), a join of the daily table with a
# meter-region table, and a filter that streams. Seconds (median) and
# peak memory per query. MLK_BENCH_QUERY_ROWS sets the size (default
# 1,000,000; 10,000,000 with MLK_BENCH_LARGE=1).
. "$(dirname "$0")/lib.sh"
: "${MLK:?MLK must name the mlk binary}"
bench_tmpdir
gen=$MLK_TOOLS/genmeters
timeit=$MLK_TOOLS/timeit
runs=$MLK_BENCH_RUNS
rows=${MLK_BENCH_QUERY_ROWS:-1000000}
[ "${MLK_BENCH_LARGE:-0}" = 1 ] && rows=10000000
repo=$BENCH_TMP/query
status=0

mkdir -p "$repo" && cd "$repo" || exit 1
"$MLK" init >/dev/null || exit 1
"$gen" "$rows" > meters.csv || exit 1
"$MLK" ingest bronze.readings meters.csv >/dev/null || exit 1
# The meter-region table: one row per meter.
"$MLK" query "SELECT DISTINCT meter_id, region FROM bronze.readings
    WHERE region IS NOT NULL" > regions.csv || exit 1
"$MLK" ingest bronze.regions regions.csv >/dev/null || exit 1

clean="SELECT meter_id, ts, TRY_CAST(load_kwh AS double) AS kwh,
    TRY_CAST(temperature AS double) AS temp FROM bronze.readings
    WHERE meter_id IS NOT NULL AND ts IS NOT NULL"
daily="SELECT meter_id, date_trunc('day', ts) AS day, sum(kwh) AS kwh,
    avg(kwh) AS mean_kwh, max(kwh) AS peak_kwh, avg(temp) AS mean_temp
    FROM ($clean) c
    WHERE kwh IS NOT NULL AND kwh >= 0 AND temp IS NOT NULL
    GROUP BY meter_id, day"
lag="SELECT meter_id, ts, load_kwh, lag(load_kwh, 24) OVER
    (PARTITION BY meter_id ORDER BY ts) AS load_24h FROM bronze.readings"
join="WITH d AS ($daily) SELECT r.region, d.day, sum(d.kwh) AS kwh
    FROM d JOIN bronze.regions r ON d.meter_id = r.meter_id
    GROUP BY r.region, d.day"
filter="SELECT meter_id, ts, load_kwh FROM bronze.readings
    WHERE hour = 18 AND holiday = false"

for q in clean_aggregate:daily lag_24h:lag join_region:join filter:filter; do
	name=${q%%:*}
	eval "sql=\$${q#*:}"
	out=$("$timeit" -n "$runs" -w 0 -- sh -c \
	    'exec "$0" query "$1" --format csv > /dev/null' "$MLK" "$sql") ||
	    { bench_note "$name failed"; status=1; continue; }
	ms=$(printf '%s\n' "$out" | json_num median_ms)
	rss=$(printf '%s\n' "$out" | json_num max_rss_kb)
	bench_json "\"name\":\"query_$name\",\"rows\":$rows,\"runs\":$runs,\"median_s\":$(calc "$ms / 1000"),\"max_rss_kb\":$rss"
done
exit $status
