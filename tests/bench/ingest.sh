#!/bin/sh
# ingest: a smart-meter CSV into a table. The 1M-row file (~54 MB) always,
# the 10M-row one (~540 MB) when MLK_BENCH_LARGE=1. Yardsticks on the same
# file: DuckDB's CSV to Parquet (its sniffed types, and typed numbers) and
# pandas' read_csv. Prints a genmeters_<size> line and an ingest_<size> line
# per file; a yardstick that is not installed is left out of the line.
. "$(dirname "$0")/lib.sh"
: "${MLK:?MLK must name the mlk binary}"
export MLK
bench_tmpdir
gen=$MLK_TOOLS/genmeters
timeit=$MLK_TOOLS/timeit
runs=$MLK_BENCH_RUNS
status=0

sizes=${MLK_BENCH_SIZES:-"1000000:1m"}
[ "${MLK_BENCH_LARGE:-0}" = 1 ] && sizes="$sizes 10000000:10m"
duckdb=0; have_duckdb && duckdb=1
pandas=0; have_pandas && pandas=1
# mlk is timed once it has the command: then ingest -h gives its synopsis.
ingest=0
if help=$("$MLK" ingest -h 2>&1) && printf '%s' "$help" | grep -q ingest; then
	ingest=1
else
	bench_note "'$MLK ingest -h' does not answer; leaving mlk out"
fi

# duckdb_median [--typed]: the median seconds of $runs conversions of
# $csv; the last run's JSON is left in $BENCH_TMP/duck.json.
duckdb_median() {
	i=0
	: > "$BENCH_TMP/duck.s"
	while [ $i -lt "$runs" ]; do
		node "$BENCH_DIR/duckdb_csv_to_parquet.mjs" "$@" "$csv" \
			"$BENCH_TMP/out.parquet" > "$BENCH_TMP/duck.json" ||
			return 1
		json_num duckdb_csv_to_parquet_s < "$BENCH_TMP/duck.json" \
			>> "$BENCH_TMP/duck.s"
		i=$((i + 1))
	done
	median < "$BENCH_TMP/duck.s"
}

for size in $sizes; do
	rows=${size%%:*}
	label=${size#*:}
	csv=$BENCH_TMP/meters_$label.csv

	# genmeters, writing the file the others read.
	out=$("$timeit" -n "$runs" -w 0 -- \
		sh -c 'exec "$0" "$1" > "$2"' "$gen" "$rows" "$csv") || exit 1
	ms=$(printf '%s\n' "$out" | json_num median_ms)
	bytes=$(wc -c < "$csv" | tr -d ' ')
	bench_json "\"name\":\"genmeters_$label\",\"rows\":$rows,\"bytes\":$bytes,\"median_ms\":$ms,\"mb_per_s\":$(calc "$bytes / 1e6 / ($ms / 1000)")"

	fields="\"name\":\"ingest_$label\",\"rows\":$rows,\"bytes\":$bytes,\"runs\":$runs"
	duck_s=
	duck_typed_s=
	if [ $duckdb = 1 ]; then
		if duck_s=$(duckdb_median); then
			fields="$fields,\"duckdb_csv_to_parquet_s\":$duck_s"
			j=$BENCH_TMP/duck.json
			fields="$fields,\"duckdb_parquet_bytes\":$(json_num parquet_bytes < "$j")"
			fields="$fields,\"duckdb_threads\":$(json_num threads < "$j")"
			fields="$fields,\"duckdb_max_rss_kb\":$(json_num max_rss_kb < "$j")"
			v=$(sed -n 's/.*"duckdb_version":"\([^"]*\)".*/\1/p' "$j")
			fields="$fields,\"duckdb_version\":$(json_str "$v")"
		else
			bench_note "DuckDB failed on $csv"
			duck_s=
			status=1
		fi
		if s=$(duckdb_median --typed); then
			duck_typed_s=$s
			fields="$fields,\"duckdb_typed_csv_to_parquet_s\":$s"
		else
			bench_note "DuckDB --typed failed on $csv"
			status=1
		fi
	fi

	if [ $pandas = 1 ]; then
		i=0
		: > "$BENCH_TMP/pandas.s"
		while [ $i -lt "$runs" ]; do
			if ! p=$(/usr/bin/python3 "$BENCH_DIR/pandas_read_csv.py" "$csv"); then
				bench_note "pandas failed on $csv"
				status=1
				break
			fi
			printf '%s\n' "$p" | json_num pandas_read_csv_s >> "$BENCH_TMP/pandas.s"
			i=$((i + 1))
		done
		if [ $i = "$runs" ]; then
			fields="$fields,\"pandas_read_csv_s\":$(median < "$BENCH_TMP/pandas.s")"
			fields="$fields,\"pandas_max_rss_kb\":$(printf '%s\n' "$p" | json_num max_rss_kb)"
			v=$(printf '%s\n' "$p" |
				sed -n 's/.*"pandas_version": *"\([^"]*\)".*/\1/p')
			fields="$fields,\"pandas_version\":$(json_str "$v")"
		fi
	fi

	# ---- mlk ingest -------------------------------------------------
	# LEAD: the timing of `mlk ingest bronze.meters FILE.csv` goes here.
	# Each run gets a fresh repository (timeit -p runs `mlk init` untimed
	# first); the stored bytes are those of the last run's repository.
	if [ $ingest = 1 ]; then
		repo=$BENCH_TMP/repo
		rm -rf "$repo" && mkdir "$repo" || exit 1
		if out=$("$timeit" -n "$runs" -w 0 -C "$repo" \
		    -p 'rm -rf .mlk && "$MLK" init' -- \
		    "$MLK" ingest bronze.meters "$csv"); then
			ms=$(printf '%s\n' "$out" | json_num median_ms)
			mlk_s=$(calc "$ms / 1000")
			fields="$fields,\"mlk_ingest_s\":$mlk_s"
			fields="$fields,\"mlk_mb_per_s\":$(calc "$bytes / 1e6 / ($ms / 1000)")"
			[ -n "$duck_s" ] &&
				fields="$fields,\"ratio_vs_duckdb\":$(calc "($ms / 1000) / $duck_s")"
			fields="$fields,\"max_rss_kb\":$(printf '%s\n' "$out" | json_num max_rss_kb)"
			if stored=$(du -sb "$repo/.mlk" 2>/dev/null | cut -f 1) &&
			    [ -n "$stored" ]; then
				fields="$fields,\"mlk_stored_bytes\":$stored"
			else
				bench_note "no $repo/.mlk after mlk ingest"
				status=1
			fi
		else
			bench_note "mlk ingest failed on $csv"
			status=1
		fi
	fi
	# Typed, as DuckDB's typed read: a schema, bad values quarantined.
	if [ $ingest = 1 ] && out=$("$timeit" -n "$runs" -w 0 -C "$repo" \
	    -p 'rm -rf .mlk && "$MLK" init' -- \
	    "$MLK" ingest --schema "$MLK_SRC/tests/bench/meters.yaml" \
	    --quarantine bronze.meters "$csv"); then
		ms=$(printf '%s\n' "$out" | json_num median_ms)
		fields="$fields,\"mlk_typed_ingest_s\":$(calc "$ms / 1000")"
		fields="$fields,\"mlk_typed_mb_per_s\":$(calc "$bytes / 1e6 / ($ms / 1000)")"
		[ -n "$duck_typed_s" ] &&
			fields="$fields,\"typed_ratio_vs_duckdb\":$(calc "($ms / 1000) / $duck_typed_s")"
		fields="$fields,\"typed_max_rss_kb\":$(printf '%s\n' "$out" | json_num max_rss_kb)"
		if [ -x "$MLK" ] && "$MLK" cat -h >/dev/null 2>&1 &&
		    out=$("$timeit" -n "$runs" -w 1 -C "$repo" -- \
		    sh -c '"$MLK" cat bronze.meters > /dev/null'); then
			ms=$(printf '%s\n' "$out" | json_num median_ms)
			fields="$fields,\"mlk_cat_csv_s\":$(calc "$ms / 1000")"
		fi
		if "$MLK" cat -h >/dev/null 2>&1 &&
		    out=$("$timeit" -n "$runs" -w 1 -C "$repo" -- \
		    sh -c '"$MLK" cat --columns load_kwh bronze.meters > /dev/null'); then
			ms=$(printf '%s\n' "$out" | json_num median_ms)
			fields="$fields,\"mlk_scan_one_column_s\":$(calc "$ms / 1000")"
		fi
	fi
	# ---- end of mlk ingest ------------------------------------------

	bench_json "$fields"
	rm -f "$csv" "$BENCH_TMP/out.parquet"
done
exit $status
