/*
 * Casts on the encoding (lib/sql_scanrd.c): TRY_CAST of a string column
 * decoded as its dictionary gives, bit for bit, what decoding every row
 * and casting it gives, for every target type, over malformed values,
 * signed zeros, exponents, huge and tiny numbers and nulls, whatever the
 * encoding; damaged bytes are refused alike.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "sql_func.h"
#include "sql_impl.h"
#include "tap.h"
#include "value.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const char *const tricky[] = { "1", "-0", "0", "+0", "-0.0", "0.0",
	"1e308", "1e309", "-1e309", "1.7976931348623157e308",
	"1.7976931348623159e308", "4.9e-324", "2.4e-324", "1e-400",
	"2.2250738585072014e-308", "2.2250738585072011e-308", "inf", "-inf",
	"+inf", "Infinity", "-Infinity", "nan", "NaN", "-nan", "0x10", "0x1p3",
	"", " ", " 1", "1 ", " 1.5 ", "\t2", "abc", "1,5", "12.3", "0.1", ".5",
	"5.", "-.5", "1e", "e5", "1e+", "1e-5", "1E5", "--1", "+-1", "1.2.3",
	"9007199254740993", "9223372036854775807", "9223372036854775808",
	"-9223372036854775808", "-9223372036854775809",
	"123456789012345678901234567890", "0.30000000000000004",
	"0.1000000000000000055511151231257827", "n/a", "-", "+", "true",
	"false", "TRUE", "t", "f", "yes", "no", "2024-03-01", "2024-02-30",
	"2024-03-01 12:00:00", "2024-03-01T12:00:00.123456", "12:00",
	"00000000000000000000001", "1_000", "１", "0.", "-0e0", "1e0400" };

#define NTRICKY (sizeof(tricky) / sizeof(tricky[0]))

/* A value: from the list, or a random number written one of several ways. */
static void
value(char *buf, size_t n)
{
	uint64_t r = rnd();
	double d;

	switch (r % 5) {
	case 0:
	case 1:
		snprintf(buf, n, "%s", tricky[(r >> 8) % NTRICKY]);
		break;
	case 2: /* a decimal, as meters write them */
		snprintf(buf, n, "%s%llu.%0*llu", r >> 40 & 1 ? "-" : "",
		    (unsigned long long)(r >> 8 & 0xfff),
		    (int)(r >> 20 & 3) + 1,
		    (unsigned long long)(r >> 24 & 0x3ff) % 1000);
		break;
	case 3: /* any double's bits, shortest text */
		memcpy(&d, &r, sizeof(d));
		mlk_value_format_float64(buf, d);
		break;
	default:
		snprintf(buf, n, "%lld", (long long)(r >> (r & 63)));
		break;
	}
}

/* The reference: every row decoded, then cast row by row. */
static struct mlk_error *
reference(const struct strbuf *sb, size_t rows, enum mlk_type to,
    struct mlk_column *out)
{
	struct mlk_column c;
	struct mlk_error *err;
	struct mlk_sql_arg a = { &c, 0 };

	mlk_column_init(&c, MLK_T_STRING);
	err = mlk_column_decode(&c, sb->buf, sb->len, rows);
	if (!err && c.type != MLK_T_STRING)
		mlk_column_widen(&c, MLK_T_STRING);
	if (!err)
		err = mlk_sql_cast(a, to, 1, rows, out);
	mlk_column_release(&c);
	return err;
}

static const enum mlk_type targets[] = { MLK_T_FLOAT64, MLK_T_INT64, MLK_T_BOOL,
	MLK_T_DATE, MLK_T_TIMESTAMP };

/* Casts src stored as enc both ways to every type; counts differences. */
static int
both_ways(struct scanrd *rd, const struct mlk_column *src,
    enum mlk_encoding enc)
{
	struct strbuf sb = STRBUF_INIT;
	struct mlk_error *err;
	int bad = 0;

	if ((err = mlk_column_encode_as(src, enc, &sb))) {
		mlk_error_free(err);
		strbuf_release(&sb);
		return -1;
	}
	for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
		struct mlk_column want, got;
		struct mlk_error *e1, *e2;

		mlk_column_init(&want, targets[t]);
		mlk_column_init(&got, targets[t]);
		e1 = reference(&sb, src->nrows, targets[t], &want);
		e2 = scanrd_cast(rd, sb.buf, sb.len, src->nrows, MLK_T_STRING,
		    &got);
		if (e1 || e2 || !mlk_column_equal(&want, &got))
			bad++;
		mlk_error_free(e1);
		mlk_error_free(e2);
		mlk_column_release(&want);
		mlk_column_release(&got);
	}
	strbuf_release(&sb);
	return bad;
}

static void
test_same(void)
{
	struct scanrd rd;
	char buf[64];
	int bad = 0, runs = 0;

	scanrd_init(&rd);
	for (int round = 0; round < 40; round++) {
		struct mlk_column c;
		size_t rows = round < 4 ? (size_t)round : 1 + rnd() % 3000;
		int nullish = round % 3;

		mlk_column_init(&c, MLK_T_STRING);
		for (size_t i = 0; i < rows; i++) {
			if (nullish && rnd() % (nullish == 1 ? 10 : 2) == 0) {
				mlk_column_append_null(&c);
				continue;
			}
			value(buf, sizeof(buf));
			mlk_column_append_str(&c, buf, strlen(buf));
		}
		for (int e = 0; e < 3; e++) {
			static const enum mlk_encoding encs[] = { MLK_ENC_DICT,
				MLK_ENC_PLAIN, MLK_ENC_AUTO };
			int b = both_ways(&rd, &c, encs[e]);

			if (b >= 0) {
				bad += b;
				runs++;
			}
		}
		mlk_column_release(&c);
	}
	tap_ok(bad == 0 && runs > 100,
	    "dictionary and row by row casts agree (%d of %d differ)", bad,
	    runs);

	/* every tricky value alone: CONST, with nulls around it */
	bad = 0;
	for (size_t i = 0; i < NTRICKY; i++) {
		struct mlk_column c;

		mlk_column_init(&c, MLK_T_STRING);
		for (int r = 0; r < 20; r++) {
			if (r % 7 == 3)
				mlk_column_append_null(&c);
			else
				mlk_column_append_str(&c, tricky[i],
				    strlen(tricky[i]));
		}
		bad += both_ways(&rd, &c, MLK_ENC_CONST) != 0;
		bad += both_ways(&rd, &c, MLK_ENC_DICT) != 0;
		mlk_column_release(&c);
	}
	tap_ok(bad == 0, "each value alone, CONST and DICT (%d differ)", bad);
	scanrd_release(&rd);
}

/* A column stored as int64 or float64 under a string schema type. */
static void
test_widened(void)
{
	struct scanrd rd;
	struct strbuf sb = STRBUF_INIT;
	struct mlk_column c, want, got;
	struct mlk_error *err;

	scanrd_init(&rd);
	mlk_column_init(&c, MLK_T_FLOAT64);
	for (int i = 0; i < 300; i++) {
		if (i % 11 == 0)
			mlk_column_append_null(&c);
		else
			mlk_column_append_f64(&c, (double)(i % 17) / 8 - 1);
	}
	mlk_column_append_f64(&c, -0.0);
	err = mlk_column_encode(&c, &sb);
	mlk_column_init(&want, MLK_T_FLOAT64);
	mlk_column_init(&got, MLK_T_FLOAT64);
	if (!err)
		err = reference(&sb, c.nrows, MLK_T_FLOAT64, &want);
	if (!err)
		err = scanrd_cast(&rd, sb.buf, sb.len, c.nrows, MLK_T_STRING,
		    &got);
	tap_ok(!err && mlk_column_equal(&want, &got) && got.nnulls == 28,
	    "a float column under a string type: widened, then cast");
	mlk_error_free(err);
	mlk_column_release(&c);
	mlk_column_release(&want);
	mlk_column_release(&got);
	strbuf_release(&sb);
	scanrd_release(&rd);
}

/* Truncated or damaged bytes: an error (CORRUPT) and no crash, as decode. */
static void
test_corrupt(void)
{
	struct scanrd rd;
	struct strbuf sb = STRBUF_INIT;
	struct mlk_column c, got;
	int accepted = 0, differ = 0;
	char buf[64];

	scanrd_init(&rd);
	mlk_column_init(&c, MLK_T_STRING);
	mlk_column_init(&got, MLK_T_FLOAT64);
	for (int i = 0; i < 400; i++) {
		if (i % 9 == 0) {
			mlk_column_append_null(&c);
			continue;
		}
		snprintf(buf, sizeof(buf), "%d.%d", i % 13, i % 7);
		mlk_column_append_str(&c, buf, strlen(buf));
	}
	mlk_error_free(mlk_column_encode_as(&c, MLK_ENC_DICT, &sb));
	for (size_t n = 0; n < sb.len; n++) {
		struct mlk_error *err =
		    scanrd_cast(&rd, sb.buf, n, c.nrows, MLK_T_STRING, &got);

		accepted += err == NULL;
		mlk_error_free(err);
	}
	tap_ok(accepted == 0, "every truncation is refused (%d accepted)",
	    accepted);
	for (int k = 0; k < 3000; k++) {
		size_t at = rnd() % sb.len;
		char old = sb.buf[at];
		struct mlk_column d;
		struct mlk_error *e1, *e2;

		sb.buf[at] = (char)rnd();
		mlk_column_init(&d, MLK_T_FLOAT64);
		e1 = reference(&sb, c.nrows, MLK_T_FLOAT64, &d);
		e2 = scanrd_cast(&rd, sb.buf, sb.len, c.nrows, MLK_T_STRING,
		    &got);
		if ((e1 == NULL) != (e2 == NULL) ||
		    (e1 &&
		        (e1->code != MLK_ERR_CORRUPT ||
		            e2->code != MLK_ERR_CORRUPT)) ||
		    (!e1 && !mlk_column_equal(&d, &got)))
			differ++;
		mlk_error_free(e1);
		mlk_error_free(e2);
		mlk_column_release(&d);
		sb.buf[at] = old;
	}
	tap_ok(differ == 0,
	    "damaged bytes: refused, or read the same, as decoding refuses "
	    "or reads them (%d differ)",
	    differ);
	mlk_column_release(&c);
	mlk_column_release(&got);
	strbuf_release(&sb);
	scanrd_release(&rd);
}

int
main(void)
{
	test_same();
	test_widened();
	test_corrupt();
	return tap_done();
}
