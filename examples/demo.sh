#!/bin/sh
# The example pipeline, from raw files to a served model:
#   ingest   two days of smart-meter readings into bronze (the second
#            run of the same files is a no-op: exactly once)
#   refine   bronze -> silver (clean, with an expectation) -> gold
#            (daily aggregates, and hourly features with a lag); the
#            second refine of the same query is a no-op
#   train    a ridge regression on the gold features, as a tracked run,
#            with its metrics and lineage back to the source files
#   register the model, promote it to production behind a gate
#   serve    models:/energy@production, and score one request with curl
# Usage: examples/demo.sh [path/to/mlk]
set -eu
MLK=${1:-mlk}
here=$(cd "$(dirname "$0")" && pwd)
work=${MLK_DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/mlk-demo.XXXXXX")}
cd "$work"
echo "# working in $work"

run() {
	echo
	echo "\$ mlk $*"
	"$MLK" "$@"
}

run init
run ingest bronze.readings "$here/data/readings-2026-11-01.csv"
run ingest bronze.readings "$here/data/readings-2026-11-02.csv"
echo
echo "# the same files again: each was ingested once already"
run ingest bronze.readings "$here"/data/*.csv
run describe bronze.readings

echo
echo "# bronze -> silver: typed, cleaned, with a rule every row must keep"
run refine silver.readings --sql "
  SELECT meter_id, ts, hour, holiday, region, temperature, load_kwh
  FROM bronze.readings
  WHERE load_kwh IS NOT NULL AND temperature IS NOT NULL" \
	--expect "non_negative_load: load_kwh >= 0" --on-violation drop
echo
echo "# silver -> gold: daily totals per meter, and hourly features"
run refine gold.daily --sql "
  SELECT meter_id, CAST(date_trunc('day', ts) AS DATE) AS day,
         round(sum(load_kwh), 3) AS load_kwh, max(load_kwh) AS peak_kwh,
         round(avg(temperature), 2) AS temperature
  FROM silver.readings
  GROUP BY meter_id, day
  ORDER BY meter_id, day"
run refine gold.features --sql "
  SELECT meter_id, ts, hour, holiday, region, temperature,
         lag(load_kwh, 1) OVER (PARTITION BY meter_id ORDER BY ts)
           AS load_prev_kwh,
         load_kwh
  FROM silver.readings"
echo
echo "# the same query on the same inputs: nothing to do"
run refine gold.features --sql "
  SELECT meter_id, ts, hour, holiday, region, temperature,
         lag(load_kwh, 1) OVER (PARTITION BY meter_id ORDER BY ts)
           AS load_prev_kwh,
         load_kwh
  FROM silver.readings"
run query "SELECT r.region, round(sum(d.load_kwh), 3) AS kwh, max(d.peak_kwh) AS peak
  FROM gold.daily d
  JOIN (SELECT DISTINCT meter_id, region FROM silver.readings) r
    ON d.meter_id = r.meter_id
  GROUP BY r.region ORDER BY kwh DESC" --format table

echo
echo "# train a model on the gold table: a tracked run"
run train energy --data gold.features --target load_kwh \
	--features hour,holiday,region,temperature,load_prev_kwh \
	--algo ridge --param alpha=0.1 --split test=0.25 --seed 7
run_id=$("$MLK" track ls --json | jq -r '.[0].run_id // .[0].id')
run track ls
run lineage "runs:/$run_id"

echo
echo "# register it and promote it to production, behind a gate"
run register add energy "runs:/$run_id" --description "hourly load, ridge"
run register promote energy 1 --to production \
	--if "metrics.rmse < current.metrics.rmse"
run register show energy

echo
echo "# serve models:/energy@production and score one request"
log=$work/serve.log
"$MLK" serve models:/energy@production --port 0 2> "$log" &
server=$!
trap 'kill $server 2> /dev/null || true' EXIT
port=
for i in $(seq 1 100); do
	port=$(sed -n 's/.*listening on http:\/\/[^ ]*:\([0-9][0-9]*\) .*/\1/p' "$log" | head -1)
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || { cat "$log" >&2; exit 1; }
body='{"dataframe_split": {"columns": ["hour", "holiday", "region", "temperature", "load_prev_kwh"], "data": [[18, false, "south", 4.5, 1.2]]}}'
echo
echo "\$ curl -s http://127.0.0.1:$port/invocations -H 'Content-Type: application/json' -d '$body'"
curl -s "http://127.0.0.1:$port/invocations" \
	-H 'Content-Type: application/json' -d "$body"
echo
kill $server
wait $server || true
trap - EXIT
run fsck
run status
