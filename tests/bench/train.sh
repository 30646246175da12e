#!/bin/sh
# train: the smart-meter table (MLK_BENCH_TRAIN_ROWS rows, default 1M),
# ingested typed, then the whole `mlk train` of ridge (load_kwh from
# temperature, hour, dow and one-hot holiday and region: 11 design
# columns and the intercept) and of logistic (high_load, load_kwh > 1 kWh,
# a column added to the CSV), and `mlk predict` of every row with the
# ridge model. Side by side with scikit-learn on the same CSV: pandas'
# read_csv, the same features and Ridge fit (whole), LogisticRegression
# lbfgs fit alone, and Ridge predict alone and with read_csv and to_csv
# of the predictions (as `mlk predict` reads the table and prints CSV).
# Rows with a missing or malformed value are dropped on both sides for
# training. Prints one train_<rows> line.
. "$(dirname "$0")/lib.sh"
: "${MLK:?MLK must name the mlk binary}"
export MLK
bench_tmpdir
gen=$MLK_TOOLS/genmeters
timeit=$MLK_TOOLS/timeit
runs=$MLK_BENCH_RUNS
rows=${MLK_BENCH_TRAIN_ROWS:-1000000}
csv=$BENCH_TMP/meters.csv
repo=$BENCH_TMP/repo
status=0
feats=temperature,hour,dow,holiday,region

if ! "$MLK" train -h 2>/dev/null | grep -q 'mlk train'; then
	bench_note "'$MLK train -h' does not answer; nothing to time"
	exit 1
fi

# The CSV, with high_load derived from load_kwh (empty when it is not a
# number), and its schema.
"$gen" "$rows" | awk -F, -v OFS=, '
	NR == 1 { print $0, "high_load"; next }
	{ h = ""
	  if ($8 ~ /^[0-9]+(\.[0-9]+)?$/) h = ($8 + 0 > 1.0) ? "true" : "false"
	  print $0, h }' > "$csv" || exit 1
bytes=$(wc -c < "$csv" | tr -d ' ')
schema=$BENCH_TMP/meters.yaml
{ cat "$BENCH_DIR/meters.yaml"
  printf '  - name: high_load\n    type: bool\n'; } > "$schema"

mkdir -p "$repo" && cd "$repo" || exit 1
"$MLK" init > /dev/null || exit 1
t0=$(date +%s.%N)
"$MLK" ingest --schema "$schema" --quarantine bronze.meters "$csv" > /dev/null ||
	{ bench_note "mlk ingest failed"; exit 1; }
ingest_s=$(calc "$(date +%s.%N) - $t0")

fields="\"name\":\"train_$rows\",\"rows\":$rows,\"csv_bytes\":$bytes,\"runs\":$runs"
fields="$fields,\"mlk_ingest_s\":$ingest_s"

# mlk_time NAME ARGS...: the median seconds of mlk ARGS, added as NAME.
mlk_time() {
	name=$1
	shift
	if out=$("$timeit" -n "$runs" -w 0 -- "$MLK" "$@"); then
		s=$(calc "$(printf '%s\n' "$out" | json_num median_ms) / 1000")
		fields="$fields,\"$name\":$s"
		fields="$fields,\"${name%_s}_max_rss_kb\":$(printf '%s\n' "$out" | json_num max_rss_kb)"
		eval "$name=\$s"
	else
		bench_note "mlk $* failed"
		status=1
	fi
}

# ---- mlk --------------------------------------------------------------
mlk_train_ridge_s=
mlk_train_logistic_s=
mlk_predict_s=
ridge_args="train ridge --data bronze.meters --target load_kwh --features $feats --algo ridge --param missing=drop"
logit_args="train logistic --data bronze.meters --target high_load --features $feats --algo logistic --param missing=drop"
# shellcheck disable=SC2086
mlk_time mlk_train_ridge_s $ridge_args
# shellcheck disable=SC2086
mlk_time mlk_train_logistic_s $logit_args
# One more of each for the model and its figures.
# shellcheck disable=SC2086
if j=$("$MLK" $ridge_args --json); then
	id=$(printf '%s\n' "$j" | sed -n 's/.*"run_id":"\([0-9a-f]*\)".*/\1/p')
	fields="$fields,\"mlk_ridge_train_rows\":$(printf '%s\n' "$j" | json_num training)"
	fields="$fields,\"mlk_ridge_r2\":$(printf '%s\n' "$j" | json_num r2)"
	if "$MLK" predict -h 2>/dev/null | grep -q 'mlk predict'; then
		if out=$("$timeit" -n "$runs" -w 0 -- \
		    sh -c '"$MLK" predict "runs:/$0" bronze.meters > /dev/null' "$id"); then
			mlk_predict_s=$(calc "$(printf '%s\n' "$out" | json_num median_ms) / 1000")
			fields="$fields,\"mlk_predict_s\":$mlk_predict_s"
		else
			bench_note "mlk predict failed"
			status=1
		fi
	else
		bench_note "'$MLK predict -h' does not answer; predict left out"
	fi
fi
# shellcheck disable=SC2086
if j=$("$MLK" $logit_args --json); then
	fields="$fields,\"mlk_logistic_iterations\":$(printf '%s\n' "$j" | json_num iterations)"
	fields="$fields,\"mlk_logistic_accuracy\":$(printf '%s\n' "$j" | json_num accuracy)"
fi

# ---- scikit-learn -----------------------------------------------------
if /usr/bin/python3 -c 'import sklearn, pandas' 2>/dev/null; then
	if sk=$(/usr/bin/python3 - "$csv" "$runs" <<'EOF'
import json, statistics, sys, time
import numpy as np, pandas as pd, sklearn
from sklearn.linear_model import LogisticRegression, Ridge

csv, runs = sys.argv[1], int(sys.argv[2])
feats = ["temperature", "hour", "dow", "holiday", "region"]

def load():
    df = pd.read_csv(csv)
    for c in ["temperature", "hour", "dow", "load_kwh"]:
        df[c] = pd.to_numeric(df[c], errors="coerce")
    df = df.dropna(subset=feats + ["load_kwh"])
    X = pd.get_dummies(df[feats], columns=["holiday", "region"]).to_numpy(float)
    return df, X

ridge, logit, pred, pred_csv = [], [], [], []
for _ in range(runs):
    t0 = time.perf_counter()
    df, X = load()
    m = Ridge(alpha=1.0).fit(X, df["load_kwh"].to_numpy())
    ridge.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    m.predict(X)
    pred.append(time.perf_counter() - t0)
for _ in range(runs):
    t0 = time.perf_counter()
    df2, X2 = load()
    pd.DataFrame({"prediction": m.predict(X2)}).to_csv(
        "/dev/null", index=False)
    pred_csv.append(time.perf_counter() - t0)
keep = df["high_load"].notna().to_numpy()
Xl, yl = X[keep], (df["high_load"][keep].astype(str).str.lower() == "true").to_numpy()
for _ in range(runs):
    t0 = time.perf_counter()
    lm = LogisticRegression().fit(Xl, yl)
    logit.append(time.perf_counter() - t0)
print(json.dumps({
    "sk_ridge_load_fit_s": round(statistics.median(ridge), 3),
    "sk_ridge_predict_s": round(statistics.median(pred), 3),
    "sk_load_predict_csv_s": round(statistics.median(pred_csv), 3),
    "sk_logistic_lbfgs_fit_s": round(statistics.median(logit), 3),
    "sk_logistic_iterations": int(lm.n_iter_[0]),
    "sk_rows": int(X.shape[0]), "sk_design_columns": int(X.shape[1]),
    "sklearn_version": sklearn.__version__}))
EOF
	); then
		sk_ridge=$(printf '%s\n' "$sk" | json_num sk_ridge_load_fit_s)
		sk_logit=$(printf '%s\n' "$sk" | json_num sk_logistic_lbfgs_fit_s)
		sk_pred=$(printf '%s\n' "$sk" | json_num sk_load_predict_csv_s)
		fields="$fields,$(printf '%s\n' "$sk" | sed -e 's/^{//' -e 's/}$//')"
		[ -n "$mlk_train_ridge_s" ] &&
			fields="$fields,\"ridge_ratio_vs_sklearn\":$(calc "$mlk_train_ridge_s / $sk_ridge")"
		[ -n "$mlk_train_logistic_s" ] &&
			fields="$fields,\"logistic_ratio_vs_sklearn\":$(calc "$mlk_train_logistic_s / $sk_logit")"
		[ -n "$mlk_predict_s" ] &&
			fields="$fields,\"predict_ratio_vs_sklearn\":$(calc "$mlk_predict_s / $sk_pred")"
	else
		bench_note "scikit-learn failed"
		status=1
	fi
else
	bench_note "no scikit-learn for /usr/bin/python3; leaving it out"
fi

bench_json "$fields"
exit $status
