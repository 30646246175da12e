#!/bin/sh
# predict: scoring the 1M-row smart-meter table (MLK_BENCH_ROWS rows) with
# a ridge-shaped model of 11 design columns (temperature, hour, dow,
# holiday one-hot, region one-hot) and a binary logistic one, made with
# tests/tools/mkmodel: CSV to /dev/null, JSON Lines, and --into a table.
# The yardstick is `mlk cat` of the same input columns, the cost of
# reading and printing alone.
. "$(dirname "$0")/lib.sh"
: "${MLK:?MLK must name the mlk binary}"
export MLK
bench_tmpdir
rows=${MLK_BENCH_ROWS:-1000000}
runs=$MLK_BENCH_RUNS
timeit=$MLK_TOOLS/timeit
status=0

if ! "$MLK" predict -h 2>&1 | grep -q predict; then
	bench_note "'$MLK predict -h' does not answer; leaving it out"
	exit 0
fi
repo=$BENCH_TMP/repo
mkdir -p "$repo" && cd "$repo" || exit 1
"$MLK_TOOLS/genmeters" "$rows" > meters.csv || exit 1
"$MLK" init > /dev/null &&
    "$MLK" ingest --schema "$MLK_SRC/tests/bench/meters.yaml" \
    --quarantine bronze.meters meters.csv > /dev/null || exit 1
feats='temperature,hour,dow,holiday:bool=false|true,region=central|coast|east|north|south|west'
ridge=$("$MLK_TOOLS/mkmodel" --features "$feats" --algo ridge \
    --coef '0.01,0.02,-0.03,0,0.1,0.05,-0.02,0.01,0.03,-0.04,0.02' \
    --intercept 0.4) || exit 1
logit=$("$MLK_TOOLS/mkmodel" --features "$feats" --classes high,low \
    --coef '-0.1,-0.2,0.03,0,0.4,-0.5,0.2,0.1,-0.3,0.4,-0.2' \
    --intercept 1.5) || exit 1

# time NAME ARGS...: the median of $runs runs of mlk ARGS.
time_mlk() {
	name=$1
	shift
	if out=$("$timeit" -n "$runs" -w 1 -C "$repo" -- "$MLK" "$@"); then
		ms=$(printf '%s\n' "$out" | json_num median_ms)
		bench_json "\"name\":\"$name\",\"rows\":$rows,\"runs\":$runs,\"median_ms\":$ms,\"rows_per_s\":$(calc "$rows / ($ms / 1000)"),\"max_rss_kb\":$(printf '%s\n' "$out" | json_num max_rss_kb)"
	else
		bench_note "mlk $* failed"
		status=1
	fi
}

time_mlk cat_features cat bronze.meters \
    --columns meter_id,temperature,hour,dow,holiday,region
time_mlk predict_ridge_csv predict "runs:/$ridge" bronze.meters
time_mlk predict_ridge_keep_csv predict "runs:/$ridge" bronze.meters \
    --keep meter_id,ts
time_mlk predict_ridge_jsonl predict "runs:/$ridge" bronze.meters \
    --format jsonl
time_mlk predict_ridge_into predict "runs:/$ridge" bronze.meters \
    --into gold.scores --keep meter_id
time_mlk predict_logistic_csv predict "runs:/$logit" bronze.meters
exit $status
