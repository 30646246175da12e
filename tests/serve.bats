#!/usr/bin/env bats
# mlk serve: a server on a free port driven with curl through every input
# format and every error; predictions compared with mlk predict; an alias
# moved under load; token, body limit, timeout, SIGTERM.
load helpers

# helpers.bash's teardown, kept: ours stops the server first.
eval "helpers_$(declare -f teardown)"

teardown() {
	if [ -n "${SERVER_PID:-}" ]; then
		kill -KILL "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	[ -z "${LOAD_PID:-}" ] || kill "$LOAD_PID" 2>/dev/null || true
	helpers_teardown
}

FEATURES='temp:float64,hour:int64,region=east|west'

# A ridge regression REG (registered as energy, version 1) and a
# logistic classifier CLF, and three rows in table bronze.rows.
setup_models() {
	init_repo
	REG=$("$MLK_TOOLS/mkmodel" --features "$FEATURES" \
	    --target kwh:float64 --algo ridge --coef '2,0.5,0,10' \
	    --intercept 1 --name energy)
	CLF=$("$MLK_TOOLS/mkmodel" --features "$FEATURES" \
	    --target label:string --algo logistic --coef '0.2,0.1,0,1' \
	    --intercept -1 --classes no,yes --name churn)
	mlk register add energy "runs:/$REG" >/dev/null
	printf 'temp,hour,region\n1.5,3,west\n-2,,east\n0.25,7,north\n' \
	    > rows.csv
	mlk ingest bronze.rows rows.csv >/dev/null
}

# start_server ARGS...: mlk serve on a free port, in the background; sets
# URL once /ping answers.
start_server() {
	"$MLK" serve "$@" --port 0 2> serve.log &
	SERVER_PID=$!
	PORT=
	for _ in $(seq 200); do
		PORT=$(sed -n 's/.*listening on http:\/\/[^ ]*:\([0-9][0-9]*\) with.*/\1/p' serve.log)
		[ -n "$PORT" ] && break
		kill -0 "$SERVER_PID" 2>/dev/null || { cat serve.log; return 1; }
		sleep 0.05
	done
	[ -n "$PORT" ] || { cat serve.log; return 1; }
	URL=http://127.0.0.1:$PORT
	for _ in $(seq 100); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' ${AUTH:+-H "$AUTH"} \
		    "$URL/ping")" = 200 ] && return 0
		sleep 0.05
	done
	return 1
}

# post TYPE BODY [PATH]: the status in $status_code, the body in $reply.
post() {
	status_code=$(curl -s -o reply.out -w '%{http_code}' \
	    -H "Content-Type: $1" --data-binary "$2" "$URL${3:-/invocations}")
	reply=$(cat reply.out)
}

get() {
	status_code=$(curl -s -o reply.out -w '%{http_code}' "$URL$1")
	reply=$(cat reply.out)
}

# The predictions of mlk predict on bronze.rows, as a JSON list.
want_predictions() {
	mlk predict "runs:/$1" bronze.rows --format jsonl | jq -sc "$2"
}

@test "serve: every MLflow input format scores as mlk predict does" {
	setup_models
	want=$(want_predictions "$REG" '[.[].prediction]')
	start_server "runs:/$REG"
	J=application/json
	for body in \
	    '{"dataframe_split": {"columns": ["temp", "hour", "region"], "data": [[1.5, 3, "west"], [-2, null, "east"], [0.25, 7, "north"]]}}' \
	    '{"dataframe_split": {"index": [0, 1, 2], "columns": ["region", "x", "hour", "temp"], "data": [["west", 0, 3, 1.5], ["east", 0, null, -2], ["north", 0, 7, 0.25]]}}' \
	    '{"dataframe_records": [{"temp": 1.5, "hour": 3, "region": "west"}, {"temp": -2, "region": "east"}, {"temp": 0.25, "hour": 7, "region": "north"}]}' \
	    '{"instances": [{"temp": 1.5, "hour": 3, "region": "west"}, {"temp": -2, "hour": null, "region": "east"}, {"temp": 0.25, "hour": 7, "region": "north"}]}' \
	    '{"inputs": [[1.5, 3, "west"], [-2, null, "east"], [0.25, 7, "north"]], "params": {}}' \
	    '{"inputs": {"temp": [1.5, -2, 0.25], "hour": [3, null, 7], "region": ["west", "east", "north"]}}'; do
		post $J "$body"
		[ "$status_code" = 200 ] || { echo "$body -> $status_code $reply"; false; }
		[ "$(echo "$reply" | jq -c .predictions)" = "$want" ] ||
		    { echo "$body -> $reply, want $want"; false; }
	done
	post 'application/json; charset=utf-8' \
	    '{"inputs": [[1.5, 3, "west"], [-2, null, "east"], [0.25, 7, "north"]]}'
	[ "$status_code" = 200 ]
	[ "$(echo "$reply" | jq -c .predictions)" = "$want" ]
	post text/csv "$(cat rows.csv)"
	[ "$status_code" = 200 ]
	[ "$(echo "$reply" | jq -c .predictions)" = "$want" ]
	post text/csv "$(printf 'temp,hour,region\n')"
	[ "$status_code" = 200 ]
	[ "$reply" = '{"predictions": []}' ]
	# one access log line per request
	[ "$(grep -c '"POST /invocations HTTP/1.1" 200 ' serve.log)" -eq 9 ]
}

@test "serve: a classifier's records, as mlk predict --format jsonl" {
	setup_models
	want=$(want_predictions "$CLF" '.')
	start_server "runs:/$CLF"
	post text/csv "$(cat rows.csv)"
	[ "$status_code" = 200 ]
	[ "$(echo "$reply" | jq -c .predictions)" = "$want" ]
	echo "$reply" | jq -e '.predictions[0] | keys == ["prediction", "probability_no", "probability_yes"]'
}

@test "serve: bad requests get 400, 404, 405 and 415, and the server lives on" {
	setup_models
	start_server "runs:/$REG"
	J=application/json
	post $J '{"inputs": [1, 2'
	[ "$status_code" = 400 ]
	echo "$reply" | jq -e '.error_code == "BAD_REQUEST" and (.message | startswith("Failed to parse input from JSON"))'
	post $J '[{"temp": 1}]'
	[ "$status_code" = 400 ]
	echo "$reply" | jq -e '.message | endswith("Received a list.")'
	post $J '{"rows": []}'
	[ "$status_code" = 400 ]
	echo "$reply" | jq -e ".message | endswith(\"Received dictionary with input fields: ['rows'].\")"
	post $J '{"inputs": [], "instances": []}'
	[ "$status_code" = 400 ]
	echo "$reply" | jq -e ".message | contains(\"exactly one of the input fields\")"
	post $J '{"dataframe_split": {"columns": ["temp"], "data": [[1]]}}'
	[ "$status_code" = 400 ]
	echo "$reply" | jq -e ".message == \"Model is missing inputs ['hour', 'region'].\""
	post $J '{"dataframe_records": [{"temp": "warm", "hour": 1, "region": "east"}]}'
	[ "$status_code" = 400 ]
	echo "$reply" | jq -e '.message == "Incompatible input types for column temp. Can not safely convert str to float64."'
	post $J '{"inputs": {"temp": [1, 2], "hour": [1], "region": ["east"]}}'
	[ "$status_code" = 400 ]
	post $J '{"inputs": [], "params": 3}'
	[ "$status_code" = 400 ]
	post text/csv "$(printf 'temp,region\n1,east\n')"
	[ "$status_code" = 400 ]
	echo "$reply" | jq -e ".message == \"Model is missing inputs ['hour'].\""
	post text/csv "$(printf 'temp,hour,region\n1,x,east\n')"
	[ "$status_code" = 400 ]
	echo "$reply" | jq -e '.message | contains("column hour. Can not safely convert '"'x'"' to int64 (line 2)")'
	post text/plain 'temp,hour,region'
	[ "$status_code" = 415 ]
	[ "$reply" = "This predictor only supports the following content types: Types: ['text/csv', 'application/json']. Got 'text/plain'." ]
	headers=$(curl -si -H 'Content-Type: text/plain' -d x "$URL/invocations")
	echo "$headers" | grep -q '^Content-Type: text/plain'
	post 'application/json; charset=latin-1' '{"inputs": []}'
	[ "$status_code" = 415 ]
	status_code=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary '{}' -H 'Content-Type:' "$URL/invocations")
	[ "$status_code" = 415 ]
	get /nowhere
	[ "$status_code" = 404 ]
	echo "$reply" | jq -e '.error_code == "ENDPOINT_NOT_FOUND"'
	post $J '{"inputs": []}' /models/nobody/invocations
	[ "$status_code" = 404 ]
	get /v2/models/nobody
	[ "$status_code" = 404 ]
	get /invocations
	[ "$status_code" = 405 ]
	get /ping
	[ "$status_code" = 200 ]
	kill -0 "$SERVER_PID"
}

@test "serve: ping, health, version, metrics" {
	setup_models
	start_server "runs:/$REG"
	get /ping
	[ "$status_code" = 200 ]
	get /health
	[ "$status_code" = 200 ]
	get /version
	[ "$status_code" = 200 ]
	[ "mlk version $reply" = "$(mlk --version)" ]
	post application/json '{"inputs": [[1, 2, "east"], [3, 4, "west"]]}'
	post application/json '{"inputs": [[1, 2'
	get /metrics
	[ "$status_code" = 200 ]
	echo "$reply" | grep -qx "mlk_serve_requests_total{model=\"$REG\",path=\"invocations\",status=\"200\"} 1"
	echo "$reply" | grep -qx "mlk_serve_requests_total{model=\"$REG\",path=\"invocations\",status=\"400\"} 1"
	echo "$reply" | grep -qx "mlk_serve_requests_total{model=\"\",path=\"health\",status=\"200\"} [0-9]*"
	echo "$reply" | grep -qx "mlk_serve_rows_total{model=\"$REG\"} 2"
	echo "$reply" | grep -qx "mlk_serve_request_duration_seconds_count{model=\"$REG\",path=\"invocations\"} 2"
	echo "$reply" | grep -qx "mlk_serve_request_duration_seconds_bucket{model=\"$REG\",path=\"invocations\",le=\"+Inf\"} 2"
	echo "$reply" | grep -q "^mlk_serve_model_info{model=\"$REG\",version=\"[0-9a-f]*\",tree=\"[0-9a-f]\{40\}\"} 1$"
}

@test "serve: the Open Inference Protocol V2" {
	setup_models
	want=$(want_predictions "$REG" '[.[].prediction]')
	start_server "runs:/$REG" "c=runs:/$CLF"
	get /v2/health/live
	[ "$status_code" = 200 ]
	get /v2/health/ready
	[ "$status_code" = 200 ]
	get "/v2/models/$REG/ready"
	[ "$status_code" = 200 ]
	get "/v2/models/$REG"
	[ "$status_code" = 200 ]
	echo "$reply" | jq -e --arg n "$REG" '.name == $n and .platform == "mlk" and .inputs == [{"name": "temp", "datatype": "FP64", "shape": [-1]}, {"name": "hour", "datatype": "INT64", "shape": [-1]}, {"name": "region", "datatype": "BYTES", "shape": [-1]}] and .outputs[0].name == "predictions"'
	body='{"id": "q1", "inputs": [{"name": "temp", "shape": [3], "datatype": "FP64", "data": [1.5, -2, 0.25]}, {"name": "hour", "shape": [3, 1], "datatype": "INT64", "data": [[3], [null], [7]]}, {"name": "region", "shape": [3], "datatype": "BYTES", "data": ["west", "east", "north"]}]}'
	post application/json "$body" "/v2/models/$REG/infer"
	[ "$status_code" = 200 ]
	echo "$reply" | jq -e --arg n "$REG" '.model_name == $n and .id == "q1" and .outputs[0].name == "predictions" and .outputs[0].shape == [3]'
	[ "$(echo "$reply" | jq -c '.outputs[0].data')" = "$want" ]
	post application/json "$body" /v2/models/c/infer
	[ "$status_code" = 200 ]
	echo "$reply" | jq -e '.outputs[0].name == "label" and .outputs[1].name == "probabilities" and .outputs[1].shape == [3, 2]'
	[ "$(echo "$reply" | jq -c '.outputs[0].data')" = "$(want_predictions "$CLF" '[.[].prediction]')" ]
	post application/json '{"inputs": [{"name": "temp", "shape": [1], "datatype": "BYTES", "data": ["x"]}]}' "/v2/models/$REG/infer"
	[ "$status_code" = 400 ]
	echo "$reply" | jq -e '.error | contains("datatype BYTES")'
	post application/json '{"inputs": []}' "/v2/models/$REG/infer"
	[ "$status_code" = 400 ]
	echo "$reply" | jq -e '.error | contains("missing inputs")'
}

@test "serve: several models, by name" {
	setup_models
	start_server models:/energy/1 "c=runs:/$CLF"
	grep -q "model 'energy': models:/energy/1, version 1" serve.log
	post application/json '{"inputs": [[1, 2, "east"]]}' /models/energy/invocations
	[ "$status_code" = 200 ]
	[ "$reply" = '{"predictions": [4]}' ]
	post application/json '{"inputs": [[1, 2, "east"]]}'
	[ "$reply" = '{"predictions": [4]}' ]
	post application/json '{"inputs": [[1, 2, "east"]]}' /models/c/invocations
	[ "$status_code" = 200 ]
	echo "$reply" | jq -e '.predictions[0].prediction == "no"'
	kill "$SERVER_PID"
	wait "$SERVER_PID"
	run -2 mlk serve "a=runs:/$REG" "a=runs:/$CLF" --port 0
	assert_output --partial "two models are named 'a'"
}

@test "serve: an alias moved under load, no request fails" {
	setup_models
	V2=$("$MLK_TOOLS/mkmodel" --features "$FEATURES" --target kwh:float64 \
	    --algo ridge --coef '2,0.5,0,10' --intercept 101 --name energy)
	mlk register add energy "runs:/$V2" >/dev/null
	mlk register alias energy production 1 >/dev/null
	start_server models:/energy@production --reload 0
	body='{"inputs": [[1, 2, "east"]]}'
	post application/json "$body"
	[ "$reply" = '{"predictions": [4]}' ]
	# wrk's connections and a loop of curl requests, while the alias moves
	printf '%s' "$body" > body.json
	printf '%s\n' 'local f = io.open("body.json", "rb")' \
	    'wrk.method = "POST"' 'wrk.body = f:read("*a")' \
	    'wrk.headers["Content-Type"] = "application/json"' > post.lua
	wrk -t1 -c8 -d3s -s post.lua "$URL/invocations" > wrk.out 2>&1 &
	WRK_PID=$!
	(
		for _ in $(seq 150); do
			rm -f load.out
			curl -s -o load.out -w '%{http_code}\n' \
			    -H 'Content-Type: application/json' \
			    --data-binary "$body" "$URL/invocations"
			{ cat load.out; echo; } >> replies 2>/dev/null
		done > codes
	) &
	LOAD_PID=$!
	sleep 1
	mlk register alias energy production 2 >/dev/null
	kill -HUP "$SERVER_PID"
	wait "$LOAD_PID"
	LOAD_PID=
	wait "$WRK_PID"
	cat wrk.out
	grep -q '^Requests/sec:' wrk.out
	! grep -Eq 'Non-2xx|Socket errors' wrk.out
	[ "$(sort -u codes)" = 200 ]
	[ "$(wc -l < codes)" -eq 150 ]
	grep -q "now serves version 2, was 1" serve.log
	post application/json "$body"
	[ "$reply" = '{"predictions": [104]}' ]
	# both versions answered, each whole
	[ "$(sort -u replies | grep -c .)" -le 2 ]
	grep -q '"predictions": \[4\]' replies
	# moving it back with git itself, found by the periodic check
	kill "$SERVER_PID"; wait "$SERVER_PID"
	start_server models:/energy@production --reload 0.1
	old=$(git --git-dir=.mlk rev-parse refs/aliases/energy/production)
	mlk register alias energy production 1 >/dev/null
	for _ in $(seq 50); do
		post application/json "$body"
		[ "$reply" = '{"predictions": [4]}' ] && break
		sleep 0.1
	done
	[ "$reply" = '{"predictions": [4]}' ]
	git --git-dir=.mlk update-ref refs/aliases/energy/production "$old"
	for _ in $(seq 50); do
		post application/json "$body"
		[ "$reply" = '{"predictions": [104]}' ] && break
		sleep 0.1
	done
	[ "$reply" = '{"predictions": [104]}' ]
	grep -c "now serves version" serve.log | grep -qx 2
}

@test "serve: --token-file" {
	setup_models
	echo 's3cret-token' > token
	AUTH='Authorization: Bearer s3cret-token' start_server "runs:/$REG" --token-file token
	status_code=$(curl -s -o reply.out -w '%{http_code}' "$URL/ping")
	[ "$status_code" = 401 ]
	headers=$(curl -si "$URL/ping")
	echo "$headers" | grep -qi '^WWW-Authenticate: Bearer'
	status_code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer wrong' "$URL/ping")
	[ "$status_code" = 401 ]
	status_code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer s3cret-tokenx' "$URL/ping")
	[ "$status_code" = 401 ]
	status_code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d '{"inputs": [[1, 2, "east"]]}' "$URL/invocations")
	[ "$status_code" = 401 ]
	status_code=$(curl -s -o reply.out -w '%{http_code}' -H 'Authorization: Bearer s3cret-token' -H 'Content-Type: application/json' -d '{"inputs": [[1, 2, "east"]]}' "$URL/invocations")
	[ "$status_code" = 200 ]
	[ "$(cat reply.out)" = '{"predictions": [4]}' ]
	: > empty
	run -2 mlk serve "runs:/$REG" --token-file empty --port 0
	assert_output --partial "must hold one token"
	run -1 mlk serve "runs:/$REG" --token-file missing --port 0
	assert_output --partial "cannot open 'missing'"
}

@test "serve: --max-body" {
	setup_models
	start_server "runs:/$REG" --max-body 100
	post application/json '{"inputs": [[1, 2, "east"]]}'
	[ "$status_code" = 200 ]
	post application/json "{\"inputs\": [$(printf '[1, 2, "east"], %.0s' $(seq 20))[1, 2, "east"]]}"
	[ "$status_code" = 413 ]
	echo "$reply" | jq -e '.message == "the request body is larger than 100 bytes"'
	# chunked, without a length
	status_code=$(printf 'temp,hour,region\n%s' "$(printf '1,2,east\n%.0s' $(seq 50))" |
	    curl -s -o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' -H 'Content-Type: text/csv' --data-binary @- "$URL/invocations")
	[ "$status_code" = 413 ]
	post application/json '{"inputs": [[1, 2, "east"]]}'
	[ "$status_code" = 200 ]
}

@test "serve: --timeout" {
	setup_models
	start_server "runs:/$REG" --timeout 0.001
	awk 'BEGIN { print "temp,hour,region"; for (i = 0; i < 300000; i++) print i ",3,west" }' > big.csv
	status_code=$(curl -s -o reply.out -w '%{http_code}' -H 'Content-Type: text/csv' --data-binary @big.csv "$URL/invocations")
	[ "$status_code" = 504 ]
	jq -e '.error_code == "DEADLINE_EXCEEDED"' reply.out
	kill "$SERVER_PID"; wait "$SERVER_PID"
	start_server "runs:/$REG" --timeout 30
	status_code=$(curl -s -o reply.out -w '%{http_code}' -H 'Content-Type: text/csv' --data-binary @big.csv "$URL/invocations")
	[ "$status_code" = 200 ]
	[ "$(jq '.predictions | length' reply.out)" -eq 300000 ]
}

@test "serve: SIGTERM drains and exits 0" {
	setup_models
	start_server "runs:/$REG"
	awk 'BEGIN { print "temp,hour,region"; for (i = 0; i < 300000; i++) print i ",3,west" }' > big.csv
	# a slow upload: the request is in flight when SIGTERM comes
	curl -s --limit-rate 2M -o reply.out -w '%{http_code}' \
	    -H 'Content-Type: text/csv' --data-binary @big.csv \
	    "$URL/invocations" > code &
	curl_pid=$!
	sleep 0.5
	kill -TERM "$SERVER_PID"
	rc=0
	wait "$SERVER_PID" || rc=$?
	SERVER_PID=
	[ "$rc" -eq 0 ]
	wait "$curl_pid"
	[ "$(cat code)" = 200 ]
	[ "$(jq '.predictions | length' reply.out)" -eq 300000 ]
	grep -q 'SIGTERM: draining' serve.log
	tail -n 1 serve.log | grep -qx 'mlk serve: stopped'
}

# The CPUs the threads of process $1 are pinned to, one line each, for
# the threads that may run on a single CPU only.
pinned_cpus() {
	for t in /proc/"$1"/task/*/status; do
		sed -n 's/^Cpus_allowed_list:[[:space:]]*\([0-9][0-9]*\)$/\1/p' "$t"
	done | sort -n
}

@test "serve: a worker pinned to each CPU; every CPU's connections served" {
	n=$(nproc)
	[ "$n" -ge 2 ] || skip "one CPU"
	setup_models
	start_server "runs:/$REG" --threads "$n"
	run pinned_cpus "$SERVER_PID"
	[ "${#lines[@]}" -eq "$n" ]
	[ "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" -eq "$n" ]
	# clients on each CPU, several connections each: all answered
	for cpu in $(seq 0 $((n - 1))); do
		for i in 1 2 3; do
			taskset -c "$cpu" curl -s -o /dev/null -o /dev/null -w '%{http_code}\n' \
			    -H 'Content-Type: text/csv' \
			    --data-binary $'temp,hour,region\n1.5,3,west\n' \
			    "$URL/invocations" "$URL/invocations"
		done
	done > codes
	[ "$(sort -u codes)" = 200 ]
	[ "$(wc -l < codes)" -eq $((6 * n)) ]
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID"
	SERVER_PID=

	# fewer workers than CPUs: none pinned
	start_server "runs:/$REG" --threads 1
	run pinned_cpus "$SERVER_PID"
	[ "${#lines[@]}" -eq 0 ]
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID"
	SERVER_PID=

	# one worker for each CPU it may run on, unless told
	taskset -c 1 "$MLK" serve "runs:/$REG" --port 0 2> serve.log &
	SERVER_PID=$!
	for _ in $(seq 200); do
		grep -q 'listening on' serve.log && break
		sleep 0.05
	done
	grep -q 'listening on http://127.0.0.1:[0-9]* with 1 threads' serve.log
}

@test "serve: usage errors and models that do not load" {
	run -2 mlk serve
	assert_output --partial "which model to serve?"
	run -2 mlk serve x --port 70000
	assert_output --partial "option '--port' wants a number from 0 to 65535"
	run -2 mlk serve x --threads 0
	run -2 mlk serve x --bogus
	run -1 mlk serve runs:/abcd --port 0
	setup_models
	run -1 mlk serve runs:/ffff1234 --port 0
	assert_output --partial "cannot load 'runs:/ffff1234'"
	run -1 mlk serve bronze.rows --port 0
	run -0 timeout 10 "$MLK" serve runs:/x -h
	assert_line --index 0 "usage: mlk serve <model-rev>... [--host <host>] [--port <port>]"
}
