# Fitting alone, on the same random data (MLK_BENCH_FIT_ROWS rows, default
# 1,000,000, by 12 columns): mlk's ridge and logistic (lbfgs) against
# scikit-learn's Ridge (solver auto) and LogisticRegression (lbfgs), in
# the same process conditions; the target is at most half sklearn's time.
. "$MLK_SRC/tests/bench/lib.sh"
bench_tmpdir
rows=${MLK_BENCH_FIT_ROWS:-1000000}
p=12
runs=$MLK_BENCH_RUNS
py=${MLK_BENCH_PYTHON:-/usr/bin/python3}
data=$BENCH_TMP/fit.f64

"$MLK_TOOLS/fitbench" gen "$data" "$rows" $p || exit 1
status=0
for algo in ridge logistic; do
	m=$("$MLK_TOOLS/fitbench" $algo "$data" "$rows" $p "$runs") || status=1
	s=$("$py" "$MLK_SRC/tests/bench/fit_sklearn.py" $algo "$data" "$rows" \
		$p "$runs") || { bench_note "no scikit-learn"; s=; }
	mm=$(printf '%s\n' "$m" | json_num median_ms)
	mi=$(printf '%s\n' "$m" | json_num iterations)
	sm=$(printf '%s\n' "$s" | json_num median_ms)
	si=$(printf '%s\n' "$s" | json_num iterations)
	ratio=null
	[ -n "$mm" ] && [ -n "$sm" ] && ratio=$(calc "$mm / $sm")
	bench_json "\"name\":\"fit_$algo\",\"rows\":$rows,\"cols\":$p,\"runs\":$runs,\"mlk_median_ms\":${mm:-null},\"sklearn_median_ms\":${sm:-null},\"ratio\":$ratio,\"mlk_iterations\":${mi:-null},\"sklearn_iterations\":${si:-null},\"target_ratio\":0.5"
done
exit $status
