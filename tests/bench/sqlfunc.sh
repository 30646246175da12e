#!/bin/sh
# The SQL engine's kernels (lib/sql_op.c, sql_cast.c, sql_f*.c, sql_agg.c)
# on batches of 65536 rows as the engine hands them over, without the
# engine: operators, LIKE, a cast, date_trunc, lower and aggregates over
# 1000 groups. MLK_BENCH_SQLFUNC_ROWS (default 10000000) sets the rows.
. "$(dirname "$0")/lib.sh"

rows=${MLK_BENCH_SQLFUNC_ROWS:-10000000}
tool=$MLK_TOOLS/sqlfuncbench
[ -x "$tool" ] || { bench_note "no $tool: run make first"; exit 1; }
"$tool" "$rows" "$MLK_BENCH_RUNS" | while read -r name ms cpu; do
	bench_json "\"name\":$(json_str "sqlfunc_$name"),\"rows\":$rows,\"median_ms\":$ms,\"cpu_ms\":$cpu,\"cpu_ns_per_row\":$(calc "$cpu * 1000000 / $rows")"
done
