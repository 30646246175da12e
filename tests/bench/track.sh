# Run search and lineage: `mlk track ls` with a filter and an order over
# MLK_BENCH_TRACK_RUNS runs (default 10,000: a busy year of tuning), and
# `mlk lineage` of a run trained on a table with MLK_BENCH_LINEAGE_VERSIONS
# versions (default 10,000: a year of hourly ingests), each with a source
# file, loose and then packed by mlk gc; medians of MLK_BENCH_RUNS runs.
# The history is written by git fast-import, as mlk would have written it.
. "$MLK_SRC/tests/bench/lib.sh"
bench_tmpdir
timeit=$MLK_TOOLS/timeit
nruns=${MLK_BENCH_TRACK_RUNS:-10000}
nversions=${MLK_BENCH_LINEAGE_VERSIONS:-10000}
repo=$BENCH_TMP/repo

mkdir "$repo" && cd "$repo" || exit 1
"$MLK" init >/dev/null || exit 1

# A record as mlk writes it, in a fast-import "data" block.
TZ=UTC awk -v nruns="$nruns" -v nver="$nversions" '
function data(msg) {
	printf "data %d\n%s\n", length(msg), msg
}
function iso(t) {
	return strftime("%Y-%m-%dT%H:%M:%S.000000Z", t, 1)
}
BEGIN {
	t0 = 1793491200
	for (v = 0; v < nver; v++) {
		sha = sprintf("%064x", v)
		msg = sprintf("INGEST bronze.hourly\n\n{\"mlk\":1,\"kind\":\"table\"," \
		    "\"name\":\"bronze.hourly\",\"operation\":\"INGEST\"," \
		    "\"parameters\":{},\"inputs\":[],\"user\":\"B <b@x>\"," \
		    "\"started\":\"%s\",\"sources\":[{\"name\":\"h%06d.csv\"," \
		    "\"sha256\":\"%s\",\"bytes\":1000,\"rows\":10}]," \
		    "\"version\":%d}", iso(t0 + 3600 * v), v, sha, v)
		print "commit refs/tables/bronze.hourly"
		printf "mark :%d\n", v + 1
		printf "committer B <b@x> %d +0000\n", t0 + 3600 * v
		data(msg)
		if (v > 0)
			printf "from :%d\n", v
		print "deleteall"
		print ""
	}
	for (r = 0; r < nruns; r++) {
		id = sprintf("%012x", 1000000 + r)
		msg = sprintf("TRAIN r%d run %s\n\n{\"mlk\":1,\"kind\":\"run\"," \
		    "\"name\":\"%s\",\"operation\":\"TRAIN\"," \
		    "\"parameters\":{\"alpha\":\"0.%d\",\"algo\":\"%s\"}," \
		    "\"inputs\":[],\"user\":\"B <b@x>\",\"started\":\"%s\"," \
		    "\"experiment\":\"exp%d\",\"run_name\":\"r%d\"," \
		    "\"status\":\"%s\",\"metrics\":{\"rmse\":%.4f,\"r2\":%.4f," \
		    "\"training_rmse\":%.4f},\"tags\":{\"team\":\"t%d\"}}",
		    r, id, id, r % 10, r % 3 ? "ridge" : "lasso", iso(t0 + 60 * r),
		    r % 5, r, r % 17 ? "FINISHED" : "FAILED", (r % 997) / 997,
		    (r % 101) / 101, (r % 991) / 991, r % 7)
		printf "commit refs/runs/%s\n", id
		printf "committer B <b@x> %d +0000\n", t0 + 60 * r
		data(msg)
		if (r == nruns - 1)
			printf "from :%d\n", nver
		print "deleteall"
		print ""
	}
}' | git --git-dir=.mlk fast-import --quiet || exit 1
last=$(printf '%012x' $((1000000 + nruns - 1)))

one() {
	out=$("$timeit" -n "$MLK_BENCH_RUNS" -w 1 -- "$@") || return 1
	printf '%s' "$(printf '%s\n' "$out" | json_num median_ms)"
}

status=0
for refs in loose packed; do
	if [ $refs = packed ]; then
		"$MLK" gc >/dev/null || exit 1
	elif [ "$(git --git-dir=.mlk count-objects | cut -d ' ' -f 1)" = 0 ]; then
		# fast-import packs what it writes: unpack, as mlk writes loose
		mkdir -p .mlk/old && mv .mlk/objects/pack/* .mlk/old/ &&
			for p in .mlk/old/*.pack; do
				git --git-dir=.mlk unpack-objects -q < "$p" || exit 1
			done && rm -rf .mlk/old
	fi
	ls=$(one "$MLK" track ls --max-results 10) || status=1
	f=$(one "$MLK" track ls --filter "metrics.rmse < 0.5 and params.alpha = '0.1' or tags.team LIKE 't1%'" --order-by "metrics.rmse ASC, attributes.start_time DESC" --max-results 10) || status=1
	j=$(one "$MLK" track ls --json) || status=1
	l=$(one "$MLK" lineage "runs:/$last" --format json) || status=1
	t=$(one "$MLK" lineage "runs:/$last") || status=1
	bench_json "\"name\":\"track_ls_${refs}\",\"runs\":$nruns,\"ls_median_ms\":${ls:-null},\"filter_order_median_ms\":${f:-null},\"json_all_median_ms\":${j:-null}"
	bench_json "\"name\":\"lineage_${refs}\",\"versions\":$nversions,\"json_median_ms\":${l:-null},\"text_median_ms\":${t:-null}"
done
exit $status
