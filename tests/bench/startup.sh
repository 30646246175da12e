# Start-up: `mlk status` and `mlk log -n 1` in a repository with 1,000
# table refs (loose, then packed by mlk gc), median of many runs; and the
# floor under them: /bin/true, and `mlk --version` (no repository).
. "$MLK_SRC/tests/bench/lib.sh"
bench_tmpdir
timeit=$MLK_TOOLS/timeit
runs=${MLK_BENCH_STARTUP_RUNS:-200}
repo=$BENCH_TMP/repo

mkdir "$repo" && cd "$repo" || exit 1
"$MLK" init >/dev/null || exit 1
printf 'a,b\n1,x\n' > a.csv
"$MLK" ingest bronze.base a.csv >/dev/null || exit 1
base=$(git --git-dir=.mlk rev-parse refs/tables/bronze.base) || exit 1
i=1
while [ $i -lt 1000 ]; do
	echo "create refs/tables/bronze.t$i $base"
	i=$((i + 1))
done | git --git-dir=.mlk update-ref --stdin || exit 1

one() {
	out=$("$timeit" -n "$runs" -w 10 -- "$@") || return 1
	printf '%s' "$(printf '%s\n' "$out" | json_num median_ms)"
}

status=0
for refs in loose packed; do
	if [ $refs = packed ]; then
		"$MLK" gc >/dev/null || exit 1
	fi
	s=$(one "$MLK" status) || status=1
	l=$(one "$MLK" log -n 1) || status=1
	bench_json "\"name\":\"startup_1000_refs_$refs\",\"refs\":1000,\"runs\":$runs,\"status_median_ms\":${s:-null},\"log_n1_median_ms\":${l:-null},\"target_status_ms\":5"
done
t=$(one /bin/true)
v=$(one "$MLK" --version)
bench_json "\"name\":\"startup_floor\",\"runs\":$runs,\"true_median_ms\":${t:-null},\"version_median_ms\":${v:-null}"
exit $status
