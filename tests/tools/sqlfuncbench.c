/*
 * Times the SQL function library's kernels on batches of 65536 rows, as
 * the engine calls them: sqlfuncbench ROWS RUNS prints one line a kernel,
 * "name wall_ms cpu_ms", the medians of RUNS passes over ROWS rows (CPU
 * time says more than wall time on a machine others share).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "column.h"
#include "sql_func.h"

#define BATCH 65536

struct data {
	struct mlk_column i, f, s, ts, ci, cpat, cpart, cf;
	uint32_t group[BATCH];
};

static double
now_ms(clockid_t clock)
{
	struct timespec t;

	clock_gettime(clock, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
fill(struct data *d)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	mlk_column_init(&d->i, MLK_T_INT64);
	mlk_column_init(&d->f, MLK_T_FLOAT64);
	mlk_column_init(&d->s, MLK_T_STRING);
	mlk_column_init(&d->ts, MLK_T_TIMESTAMP);
	for (size_t r = 0; r < BATCH; r++) {
		char buf[32];
		int n;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		d->group[r] = (uint32_t)(x % 1000);
		mlk_column_append_i64(&d->i, (int64_t)(x % 100000) - 50000);
		if (r % 50 == 0)
			mlk_column_append_null(&d->f);
		else
			mlk_column_append_f64(&d->f, (double)(x % 10000) / 7);
		n = snprintf(buf, sizeof(buf), "MTR_%05u",
		    (unsigned)(x % 3000));
		mlk_column_append_str(&d->s, buf, (size_t)n);
		/* hourly readings from 2024 on */
		mlk_column_append_i64(&d->ts,
		    INT64_C(1704067200000000) +
		        (int64_t)r * INT64_C(3600000000));
	}
	mlk_column_init(&d->ci, MLK_T_INT64);
	mlk_column_append_i64(&d->ci, 7);
	mlk_column_init(&d->cf, MLK_T_FLOAT64);
	mlk_column_append_f64(&d->cf, 100);
	mlk_column_init(&d->cpat, MLK_T_STRING);
	mlk_column_append_str(&d->cpat, "MTR\\_00%", 8);
	mlk_column_init(&d->cpart, MLK_T_STRING);
	mlk_column_append_str(&d->cpart, "day", 3);
}

enum kernel {
	K_ADD,
	K_DIV,
	K_GE,
	K_AND,
	K_LIKE,
	K_CAST,
	K_TRUNC,
	K_LOWER,
	K_SUM,
	K_AVG,
	K_MAX,
	K_STDDEV,
	K_COUNT_DISTINCT,
	K_N
};

static const char *const names[K_N] = { "add_int", "div_int", "ge_float_const",
	"and_bool", "like_prefix", "cast_int_float", "date_trunc_day", "lower",
	"sum_float_1000_groups", "avg_float_1000_groups",
	"max_float_1000_groups", "stddev_float_1000_groups",
	"count_distinct_string_1000_groups" };

/* One pass of kernel k over rows rows; exits on an error. */
static void
run(enum kernel k, struct data *d, size_t rows)
{
	struct mlk_sql_arg i = { &d->i, 0 }, f = { &d->f, 0 }, s = { &d->s, 0 };
	struct mlk_sql_arg ci = { &d->ci, 1 };
	struct mlk_sql_arg cf = { &d->cf, 1 }, pat = { &d->cpat, 1 };
	struct mlk_sql_arg fa[2] = { { &d->cpart, 1 }, { &d->ts, 0 } };
	static const char *const agg[] = { "sum", "avg", "max", "stddev" };
	const struct mlk_sql_agg *a = NULL;
	struct mlk_sql_aggstate *st = NULL;
	const struct mlk_sql_func *fn;
	enum mlk_type t[2] = { MLK_T_STRING, MLK_T_TIMESTAMP }, cast[2], rt;
	struct mlk_column out, b1, b2;
	struct mlk_error *err = NULL;

	mlk_column_init(&out, MLK_T_BOOL);
	mlk_column_init(&b1, MLK_T_BOOL);
	mlk_column_init(&b2, MLK_T_BOOL);
	if (k >= K_SUM) {
		enum mlk_type at =
		    k == K_COUNT_DISTINCT ? MLK_T_STRING : MLK_T_FLOAT64;

		err =
		    mlk_sql_agg_resolve(k == K_COUNT_DISTINCT ? "count" :
		                                                agg[k - K_SUM],
		        k == K_COUNT_DISTINCT, &at, 1, &a, &rt);
		if (err == NULL)
			st = mlk_sql_agg_new(a, at);
	}
	if (k == K_AND) {
		mlk_sql_op_eval(MLK_OP_GE, f, cf, BATCH, &b1);
		mlk_sql_op_eval(MLK_OP_LT, i, ci, BATCH, &b2);
	}
	if (k == K_TRUNC)
		err = mlk_sql_func_resolve("date_trunc", t, 2, &fn, cast, &rt);
	if (k == K_LOWER)
		err = mlk_sql_func_resolve("lower", t, 1, &fn, cast, &rt);
	for (size_t done = 0; done < rows && !err; done += BATCH) {
		size_t n = rows - done < BATCH ? rows - done : BATCH;
		struct mlk_sql_arg x = { &b1, 0 }, y = { &b2, 0 };

		switch (k) {
		case K_ADD:
			out.type = MLK_T_INT64;
			err = mlk_sql_op_eval(MLK_OP_ADD, i, i, n, &out);
			break;
		case K_DIV:
			out.type = MLK_T_INT64;
			err = mlk_sql_op_eval(MLK_OP_IDIV, i, ci, n, &out);
			break;
		case K_GE:
			err = mlk_sql_op_eval(MLK_OP_GE, f, cf, n, &out);
			break;
		case K_AND:
			err = mlk_sql_op_eval(MLK_OP_AND, x, y, n, &out);
			break;
		case K_LIKE:
			err = mlk_sql_op_eval(MLK_OP_LIKE, s, pat, n, &out);
			break;
		case K_CAST:
			out.type = MLK_T_FLOAT64;
			err = mlk_sql_cast(i, MLK_T_FLOAT64, 0, n, &out);
			break;
		case K_TRUNC:
			out.type = MLK_T_TIMESTAMP;
			err = mlk_sql_func_eval(fn, fa, 2, n, &out);
			break;
		case K_LOWER:
			out.type = MLK_T_STRING;
			err = mlk_sql_func_eval(fn, &s, 1, n, &out);
			break;
		default:
			err = mlk_sql_agg_update(st,
			    k == K_COUNT_DISTINCT ? &d->s : &d->f, d->group,
			    NULL, n);
			break;
		}
	}
	if (st && !err) {
		struct mlk_column res;

		mlk_column_init(&res, rt);
		err = mlk_sql_agg_finish(st, 1000, &res);
		mlk_column_release(&res);
	}
	if (err) {
		fprintf(stderr, "sqlfuncbench: %s: %s\n", names[k], err->msg);
		exit(1);
	}
	mlk_sql_agg_free(st);
	mlk_column_release(&out);
	mlk_column_release(&b1);
	mlk_column_release(&b2);
}

int
main(int argc, char **argv)
{
	size_t rows = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
	int runs = argc > 2 ? atoi(argv[2]) : 3;
	struct data *d = malloc(sizeof(*d));
	double *ms, *cpu;

	if (d == NULL || runs < 1 || runs > 1000) {
		fprintf(stderr, "usage: sqlfuncbench [ROWS [RUNS]]\n");
		return 2;
	}
	ms = malloc((size_t)runs * sizeof(*ms));
	cpu = malloc((size_t)runs * sizeof(*cpu));
	fill(d);
	for (int k = 0; k < K_N; k++) {
		for (int i = 0; i < runs; i++) {
			double t = now_ms(CLOCK_MONOTONIC);
			double c = now_ms(CLOCK_PROCESS_CPUTIME_ID);

			run((enum kernel)k, d, rows);
			ms[i] = now_ms(CLOCK_MONOTONIC) - t;
			cpu[i] = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c;
		}
		qsort(ms, (size_t)runs, sizeof(*ms), cmp_double);
		qsort(cpu, (size_t)runs, sizeof(*cpu), cmp_double);
		printf("%s %.3f %.3f\n", names[k], ms[runs / 2], cpu[runs / 2]);
	}
	free(ms);
	free(cpu);
	mlk_column_release(&d->i);
	mlk_column_release(&d->f);
	mlk_column_release(&d->s);
	mlk_column_release(&d->ts);
	mlk_column_release(&d->ci);
	mlk_column_release(&d->cf);
	mlk_column_release(&d->cpat);
	mlk_column_release(&d->cpart);
	free(d);
	return 0;
}
