# Helpers for the benchmark scripts, sourced by tests/bench/run and by each
# tests/bench/*.sh. POSIX sh. Benchmarks print JSON on stdout, one object a
# line, and everything else on stderr.
#
# Environment: MLK (the binary), MLK_TOOLS (the built tests/tools),
# MLK_SRC (the source tree); MLK_BENCH_CACHE (default ~/.cache/mlk-bench)
# keeps what is downloaded; MLK_BENCH_TMP (default $TMPDIR or /tmp) holds
# the generated data; MLK_BENCH_RUNS (default 3) is how often each timing
# is repeated, the median reported.

MLK_SRC=${MLK_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
MLK_TOOLS=${MLK_TOOLS:-$MLK_SRC/build/std/tests/tools}
MLK_BENCH_CACHE=${MLK_BENCH_CACHE:-${HOME:-/tmp}/.cache/mlk-bench}
MLK_BENCH_RUNS=${MLK_BENCH_RUNS:-3}
# The DuckDB Node client, pinned so that figures stay comparable.
MLK_BENCH_DUCKDB_VERSION=${MLK_BENCH_DUCKDB_VERSION:-1.5.6-r.1}
BENCH_DIR=$MLK_SRC/tests/bench

bench_note() {
	printf '%s: %s\n' "$(basename "$0" .sh)" "$*" >&2
}

# json_str STRING: STRING as a JSON string, quotes included.
json_str() {
	printf '"'
	printf '%s' "$1" | tr -d '\001-\010\013-\037' |
		sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/	/\\t/g' |
		awk 'NR > 1 { printf "\\n" } { printf "%s", $0 }'
	printf '"'
}

# machine_json: {"cores":N,"cpu":"model"}.
machine_json() {
	cores=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null)
	cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo 2>/dev/null |
		head -n 1)
	[ -n "$cpu" ] || cpu=$(uname -m)
	printf '{"cores":%s,"cpu":%s}' "${cores:-0}" "$(json_str "$cpu")"
}

# bench_json FIELDS: prints {FIELDS,"machine":{...}}, FIELDS being JSON
# members such as "name":"x","median_ms":1.5. The machine is described
# once, by tests/bench/run, and shared through the environment.
bench_json() {
	[ -n "${MLK_BENCH_MACHINE:-}" ] || MLK_BENCH_MACHINE=$(machine_json)
	printf '{%s,"machine":%s}\n' "$1" "$MLK_BENCH_MACHINE"
}

# json_num KEY: the number KEY has in the one-line JSON object on stdin.
json_num() {
	sed -n 's/.*"'"$1"'": *\(-\{0,1\}[0-9][0-9.eE+-]*\).*/\1/p' | head -n 1
}

# median: the median of the numbers on stdin, one a line.
median() {
	sort -g | awk '{ v[NR] = $1 }
		END { if (NR == 0) exit 1
		      if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]
		      else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# calc EXPR: EXPR evaluated by awk, printed with 3 decimals.
calc() {
	awk "BEGIN { printf \"%.3f\", $1 }"
}

# bench_tmpdir: makes $BENCH_TMP, removed when the script exits.
bench_tmpdir() {
	BENCH_TMP=$(mktemp -d "${MLK_BENCH_TMP:-${TMPDIR:-/tmp}}/mlk-bench.XXXXXX") ||
		exit 1
	trap 'rm -rf "$BENCH_TMP"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# duckdb_setup: installs @duckdb/node-api into $MLK_BENCH_CACHE/node once,
# with npm, and exports MLK_BENCH_NODE_DIR for duckdb_csv_to_parquet.mjs.
# Fails, and the caller leaves DuckDB out, without node and npm or when the
# install fails (no network, say). MLK_BENCH_NO_DUCKDB=1 skips it.
duckdb_setup() {
	[ "${MLK_BENCH_NO_DUCKDB:-0}" = 1 ] && return 1
	command -v node >/dev/null 2>&1 || return 1
	dir=$MLK_BENCH_CACHE/node
	pkg=$dir/node_modules/@duckdb/node-api/package.json
	if ! grep -q "\"version\": *\"$MLK_BENCH_DUCKDB_VERSION\"" "$pkg" \
	    2>/dev/null; then
		command -v npm >/dev/null 2>&1 || return 1
		mkdir -p "$dir" || return 1
		bench_note "installing @duckdb/node-api@$MLK_BENCH_DUCKDB_VERSION" \
			"into $dir"
		if ! npm install --prefix "$dir" --no-audit --no-fund \
		    --loglevel=error \
		    "@duckdb/node-api@$MLK_BENCH_DUCKDB_VERSION" >&2; then
			bench_note "cannot install @duckdb/node-api;" \
				"leaving DuckDB out"
			return 1
		fi
	fi
	MLK_BENCH_NODE_DIR=$dir
	export MLK_BENCH_NODE_DIR
}

# have_duckdb: DuckDB is installed and loads.
have_duckdb() {
	duckdb_setup || return 1
	(cd "$MLK_BENCH_NODE_DIR" &&
		node -e 'require("@duckdb/node-api").version()') >/dev/null 2>&1 ||
		{ bench_note "@duckdb/node-api does not load; leaving DuckDB out"
		  return 1; }
}

# have_pandas: Debian's python3 has pandas (make deps-bench installs it).
have_pandas() {
	/usr/bin/python3 -c 'import pandas' >/dev/null 2>&1 ||
		{ bench_note "no pandas for /usr/bin/python3; leaving it out"
		  return 1; }
}
