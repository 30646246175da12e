# Serving: wrk on loopback (2 threads, 32 connections) against mlk serve
# with a ridge model of 12 features (one of them a one-hot region), 1-row
# and 100-row dataframe_split requests; side by side with what MLflow's
# former scoring server did, a Flask app under gunicorn (2 workers) that
# parses the JSON into a pandas DataFrame and calls a scikit-learn
# Pipeline's predict. Both serve the same coefficients, and their
# predictions are checked to agree before timing.
#
# MLK_BENCH_SERVE_SECONDS (default 5) is each wrk run's duration;
# MLK_BENCH_SERVE_ROWS (default "1 100") the request sizes.
. "$MLK_SRC/tests/bench/lib.sh"
bench_tmpdir
secs=${MLK_BENCH_SERVE_SECONDS:-5}
sizes=${MLK_BENCH_SERVE_ROWS:-1 100}
py=/usr/bin/python3
app=$BENCH_DIR/serve_flask.py

command -v wrk >/dev/null 2>&1 || { bench_note "no wrk"; exit 1; }
command -v gunicorn >/dev/null 2>&1 || { bench_note "no gunicorn"; exit 1; }
$py -c 'import flask, sklearn, pandas' 2>/dev/null ||
	{ bench_note "no flask, sklearn or pandas for $py"; exit 1; }

cd "$BENCH_TMP" || exit 1
mlk_pid=
gunicorn_pid=
stop() {
	[ -z "$mlk_pid" ] || kill "$mlk_pid" 2>/dev/null
	[ -z "$gunicorn_pid" ] || kill "$gunicorn_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$BENCH_TMP"
}
trap stop EXIT

# The Pipeline's coefficients, given to mkmodel: the same model in both.
$py "$app" coef > coef.txt || exit 1
coef=$(sed -n 1p coef.txt)
intercept=$(sed -n 2p coef.txt)
"$MLK" init >/dev/null || exit 1
run=$("$MLK_TOOLS/mkmodel" --name energy --algo ridge --target kwh:float64 \
	--features 'f1:float64,f2:float64,f3:float64,f4:float64,f5:float64,f6:float64,f7:float64,f8:float64,f9:float64,f10:float64,hour:int64,region=east|north|south|west' \
	--coef "$coef" --intercept "$intercept") || exit 1

free_port() {
	$py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_ping URL: until it answers 200, at most 20 s.
wait_ping() {
	i=0
	while [ "$(curl -s -o /dev/null -w '%{http_code}' "$1/ping")" != 200 ]; do
		i=$((i + 1))
		[ $i -lt 400 ] || return 1
		sleep 0.05
	done
}

"$MLK" serve "runs:/$run" --port 0 --threads 2 2> mlk.log &
mlk_pid=$!
i=0
while ! port=$(sed -n 's/.*listening on http:\/\/[^ ]*:\([0-9][0-9]*\) with.*/\1/p' mlk.log) ||
    [ -z "$port" ]; do
	i=$((i + 1))
	[ $i -lt 400 ] || { cat mlk.log >&2; exit 1; }
	sleep 0.05
done
mlk_url=http://127.0.0.1:$port
wait_ping "$mlk_url" || exit 1
fport=$(free_port)
gunicorn -w 2 -b "127.0.0.1:$fport" --chdir "$BENCH_DIR" --log-level warning \
	serve_flask:app 2> gunicorn.log &
gunicorn_pid=$!
flask_url=http://127.0.0.1:$fport
wait_ping "$flask_url" || { cat gunicorn.log >&2; exit 1; }

# wrk_run URL BODY: "rps p50_ms p99_ms errors" from wrk --latency.
wrk_run() {
	MLK_WRK_BODY=$2 wrk -t2 -c32 -d"${secs}s" --latency \
		-s "$BENCH_DIR/serve_post.lua" "$1/invocations" > wrk.out 2>&1 ||
		{ cat wrk.out >&2; return 1; }
	awk '
	function ms(v) {
		if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
		if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
		if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
		return v + 0
	}
	/^Requests\/sec:/ { rps = $2 }
	$1 == "50%" { p50 = ms($2) }
	$1 == "99%" { p99 = ms($2) }
	/Non-2xx/ { err += $NF }
	/Socket errors/ { err += 1 }
	END { printf "%s %.3f %.3f %d\n", rps, p50, p99, err }' wrk.out
}

status=0
for rows in $sizes; do
	$py "$app" body "$rows" "body$rows.json" || exit 1
	# the same predictions from both, to 1e-9
	for u in "$mlk_url" "$flask_url"; do
		curl -s -H 'Content-Type: application/json' \
			--data-binary @"body$rows.json" "$u/invocations"
		echo
	done > answers.json
	agree=$($py -c '
import json, sys
a, b = [json.loads(l)["predictions"] for l in open("answers.json") if l.strip()]
print("true" if len(a) == len(b) and all(abs(x - y) <= 1e-9 * max(1, abs(y)) for x, y in zip(a, b)) else "false")')
	[ "$agree" = true ] || { bench_note "mlk and Flask disagree on $rows rows"; status=1; }
	# a short warm-up of each, then the timed runs
	secs_saved=$secs
	secs=1
	wrk_run "$mlk_url" "body$rows.json" >/dev/null || exit 1
	wrk_run "$flask_url" "body$rows.json" >/dev/null || exit 1
	secs=$secs_saved
	set -- $(wrk_run "$mlk_url" "body$rows.json") || exit 1
	m_rps=$1 m_p50=$2 m_p99=$3 m_err=$4
	set -- $(wrk_run "$flask_url" "body$rows.json") || exit 1
	f_rps=$1 f_p50=$2 f_p99=$3 f_err=$4
	ratio=$(calc "$m_rps / ($f_rps > 0 ? $f_rps : 1)")
	if [ "$rows" = 1 ]; then target=50; else target=30; fi
	bench_json "\"name\":\"serve_${rows}_rows\",\"rows\":$rows,\"seconds\":$secs,\"threads\":2,\"connections\":32,\"agree\":$agree,\"mlk\":{\"requests_per_s\":$m_rps,\"p50_ms\":$m_p50,\"p99_ms\":$m_p99,\"errors\":$m_err},\"flask_gunicorn\":{\"requests_per_s\":$f_rps,\"p50_ms\":$f_p50,\"p99_ms\":$f_p99,\"errors\":$f_err},\"ratio_requests_per_s\":$ratio,\"target_ratio\":$target$( [ "$rows" = 1 ] && printf ',"target_p99_ms":2')"
done
exit $status
