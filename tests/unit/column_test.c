/*
 * The column vector, its encodings and its stats: round trips for every
 * type and encoding, the automatic choice, edge values, and damaged input.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "column.h"
#include "encode.h"
#include "error.h"
#include "strbuf.h"
#include "tap.h"

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double
f64(uint64_t bits)
{
	double d;

	memcpy(&d, &bits, sizeof(d));
	return d;
}

/*
 * Encodes c as enc, decodes, and compares. Returns the encoding the
 * header names, or -1 on failure. want_enc, when not AUTO, is checked.
 */
static int
roundtrip(const struct mlk_column *c, enum mlk_encoding enc,
    enum mlk_encoding want_enc, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	struct mlk_encoded_header h;
	struct mlk_column d;
	struct mlk_error *err;
	int ret = -1;

	mlk_column_init(&d, MLK_T_INT64);
	err = mlk_column_encode_as(c, enc, &sb);
	if (err) {
		tap_ok(0, "%s: encode as %s: %s", name, mlk_encoding_name(enc),
		    err->msg);
		goto done;
	}
	err = mlk_encoded_peek(sb.buf, sb.len, &h);
	if (err == NULL)
		err = mlk_column_decode(&d, sb.buf, sb.len, c->nrows);
	if (err) {
		tap_ok(0, "%s: decode %s: %s", name, mlk_encoding_name(enc),
		    err->msg);
		goto done;
	}
	ret = (int)h.encoding;
	tap_ok(mlk_column_equal(c, &d) && h.rows == c->nrows &&
	    h.nulls == c->nnulls && d.type == c->type &&
	    (want_enc == MLK_ENC_AUTO || (int)want_enc == ret),
	    "%s: %s round trip (%s, %zu bytes)", name, mlk_encoding_name(enc),
	    mlk_encoding_name(h.encoding), sb.len);
done:
	mlk_error_free(err);
	mlk_column_release(&d);
	strbuf_release(&sb);
	return ret;
}

/* Every encoding the type allows, forced, then the automatic choice. */
static void
roundtrip_all(const struct mlk_column *c, enum mlk_encoding want_auto,
    const char *name)
{
	static const enum mlk_encoding by_type[][5] = {
		[MLK_T_INT64] = { MLK_ENC_PLAIN, MLK_ENC_FOR, MLK_ENC_DELTA },
		[MLK_T_DATE] = { MLK_ENC_PLAIN, MLK_ENC_FOR, MLK_ENC_DELTA },
		[MLK_T_TIMESTAMP] = { MLK_ENC_PLAIN, MLK_ENC_FOR,
		    MLK_ENC_DELTA },
		[MLK_T_FLOAT64] = { MLK_ENC_PLAIN, MLK_ENC_BSS },
		[MLK_T_BOOL] = { MLK_ENC_PLAIN },
		[MLK_T_STRING] = { MLK_ENC_PLAIN, MLK_ENC_DICT },
	};
	int nvals = c->nrows > c->nnulls;
	int got;

	for (int i = 0; i < 5 && (i == 0 || by_type[c->type][i]); i++) {
		enum mlk_encoding e = by_type[c->type][i];

		if (c->type == MLK_T_STRING && e == MLK_ENC_DICT && !nvals)
			continue;
		roundtrip(c, e, nvals ? e : MLK_ENC_PLAIN, name);
	}
	got = roundtrip(c, MLK_ENC_AUTO, MLK_ENC_AUTO, name);
	if (want_auto != MLK_ENC_AUTO)
		tap_ok(got == (int)want_auto, "%s: auto chose %s, want %s",
		    name, mlk_encoding_name(got), mlk_encoding_name(want_auto));
}

static void
test_basics(void)
{
	struct mlk_column c;
	const char *s;
	size_t len;
	int ok = 1;

	mlk_column_init(&c, MLK_T_INT64);
	tap_ok(c.nrows == 0 && c.nulls == NULL && c.i64 == NULL,
	    "init allocates nothing");
	for (int64_t i = 0; i < 100000; i++) {
		if (i % 1000 == 7)
			mlk_column_append_null(&c);
		else
			mlk_column_append_i64(&c, i * 3);
	}
	for (size_t i = 0; i < c.nrows; i++) {
		int null = i % 1000 == 7;

		if (mlk_column_is_null(&c, i) != null ||
		    mlk_column_get_i64(&c, i) != (null ? 0 : (int64_t)i * 3))
			ok = 0;
	}
	tap_ok(ok && c.nrows == 100000 && c.nnulls == 100,
	    "100000 int rows with nulls read back");
	mlk_column_reset(&c);
	tap_ok(c.nrows == 0 && c.nnulls == 0 && c.nulls == NULL &&
	    c.alloc >= 100000, "reset keeps memory, drops nulls");
	mlk_column_append_i64(&c, 5);
	tap_ok(!mlk_column_is_null(&c, 0) && mlk_column_get_i64(&c, 0) == 5,
	    "append after reset");
	mlk_column_release(&c);

	mlk_column_init(&c, MLK_T_STRING);
	mlk_column_reserve(&c, 4, 3);
	mlk_column_append_str(&c, "abc", 3);
	mlk_column_append_str(&c, "", 0);
	mlk_column_append_null(&c);
	mlk_column_append_str(&c, "x\0y", 3);
	for (int i = 0; i < 1000; i++)
		mlk_column_append_str(&c, "0123456789", 10);
	s = mlk_column_get_str(&c, 0, &len);
	ok = len == 3 && memcmp(s, "abc", 3) == 0;
	mlk_column_get_str(&c, 1, &len);
	ok = ok && len == 0 && !mlk_column_is_null(&c, 1);
	mlk_column_get_str(&c, 2, &len);
	ok = ok && len == 0 && mlk_column_is_null(&c, 2);
	s = mlk_column_get_str(&c, 3, &len);
	ok = ok && len == 3 && memcmp(s, "x\0y", 3) == 0;
	s = mlk_column_get_str(&c, 1003, &len);
	ok = ok && len == 10 && memcmp(s, "0123456789", 10) == 0;
	tap_ok(ok && c.data_len == 10006 && c.offsets[c.nrows] == c.data_len,
	    "strings: empty, null, NUL bytes, growth");
	mlk_column_clear(&c);
	tap_ok(c.type == MLK_T_STRING && c.nrows == 0 && c.data == NULL,
	    "clear keeps the type");
	mlk_column_release(&c);

	mlk_column_init(&c, MLK_T_BOOL);
	mlk_column_append_bool(&c, 42);
	mlk_column_append_bool(&c, 0);
	mlk_column_append_null(&c);
	tap_ok(c.b[0] == 1 && c.b[1] == 0 && c.b[2] == 0 &&
	    mlk_column_is_null(&c, 2), "bool stores 0 or 1");
	mlk_column_release(&c);
}

static void
fill_ints(struct mlk_column *c, enum mlk_type t, size_t n, int kind)
{
	mlk_column_init(c, t);
	for (size_t i = 0; i < n; i++) {
		int64_t v;

		switch (kind) {
		case 0:         /* small range */
			v = 1000 + (int64_t)(rnd() % 24);
			break;
		case 1:         /* hourly timestamps, resetting every 8760 */
			v = 1700000000000000 + (int64_t)(i % 8760) * 3600000000;
			break;
		case 2:         /* random 64 bits */
			v = (int64_t)rnd();
			break;
		case 3:         /* extremes alternate: deltas overflow */
			v = i % 2 ? INT64_MAX : INT64_MIN;
			break;
		case 4:         /* constant */
			v = -7;
			break;
		default:        /* near-sorted with jitter and extremes */
			v = (int64_t)i * 1000 + (int64_t)(rnd() % 50);
			if (i % 777 == 5)
				v = i % 2 ? INT64_MIN : INT64_MAX;
			break;
		}
		if (kind != 4 && rnd() % 50 == 0)
			mlk_column_append_null(c);
		else
			mlk_column_append_i64(c, v);
	}
}

static void
test_ints(void)
{
	static const size_t sizes[] = { 0, 1, 2, 127, 128, 129, 1000, 65536 };
	static const enum mlk_encoding want[] = {
		MLK_ENC_FOR, MLK_ENC_DELTA, MLK_ENC_PLAIN, MLK_ENC_AUTO,
		MLK_ENC_CONST, MLK_ENC_AUTO,
	};
	struct mlk_column c;
	char name[64];

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (int kind = 0; kind < 6; kind++) {
			enum mlk_type t = kind == 1 ? MLK_T_TIMESTAMP :
			    kind == 0 ? MLK_T_DATE : MLK_T_INT64;

			fill_ints(&c, t, sizes[s], kind);
			snprintf(name, sizeof(name), "int kind %d, %zu rows",
			    kind, sizes[s]);
			roundtrip_all(&c, sizes[s] >= 1000 ? want[kind] :
			    MLK_ENC_AUTO, name);
			if (kind == 4 && sizes[s])
				roundtrip(&c, MLK_ENC_CONST, MLK_ENC_CONST,
				    name);
			mlk_column_release(&c);
		}
	}

	mlk_column_init(&c, MLK_T_INT64);
	mlk_column_append_i64(&c, INT64_MIN);
	mlk_column_append_i64(&c, INT64_MAX);
	mlk_column_append_i64(&c, 0);
	mlk_column_append_i64(&c, -1);
	mlk_column_append_i64(&c, INT64_MIN + 1);
	roundtrip_all(&c, MLK_ENC_AUTO, "int extremes");
	mlk_column_release(&c);

	mlk_column_init(&c, MLK_T_INT64);
	for (int i = 0; i < 300; i++)
		mlk_column_append_null(&c);
	roundtrip_all(&c, MLK_ENC_PLAIN, "int all null");
	mlk_column_release(&c);
}

/* m / 10^scale as a CSV parser reads it from text */
static double
decimal(int64_t m, int scale)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.*f", scale, (double)m / pow(10, scale));
	return strtod(buf, NULL);
}

static void
test_floats(void)
{
	static const uint64_t odd[] = {
		0x7ff8000000000000ULL,  /* quiet NaN */
		0xfff8000000000001ULL,  /* negative NaN with a payload */
		0x7ff0000000000001ULL,  /* signalling NaN */
		0x8000000000000000ULL,  /* -0.0 */
		0x0000000000000000ULL,
		0x7ff0000000000000ULL,  /* inf */
		0xfff0000000000000ULL,
		0x0000000000000001ULL,  /* smallest subnormal */
		0x7fefffffffffffffULL,  /* DBL_MAX */
	};
	struct mlk_column c;

	mlk_column_init(&c, MLK_T_FLOAT64);
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		mlk_column_append_f64(&c, f64(odd[i]));
		mlk_column_append_null(&c);
	}
	roundtrip_all(&c, MLK_ENC_BSS, "float odd values");
	mlk_column_release(&c);

	mlk_column_init(&c, MLK_T_FLOAT64);
	for (int i = 0; i < 5000; i++)
		mlk_column_append_f64(&c, f64(rnd()));
	roundtrip_all(&c, MLK_ENC_BSS, "float random bits");
	mlk_column_release(&c);

	/* one decimal, as a CSV parser makes them */
	mlk_column_init(&c, MLK_T_FLOAT64);
	for (int i = 0; i < 5000; i++) {
		if (i % 100 == 3)
			mlk_column_append_null(&c);
		else
			mlk_column_append_f64(&c, decimal((int64_t)(rnd() %
			    801) - 300, 1));
	}
	roundtrip_all(&c, MLK_ENC_DECIMAL, "float one decimal");
	roundtrip(&c, MLK_ENC_DECIMAL, MLK_ENC_DECIMAL, "float one decimal");
	/* a value with more decimals late in the chunk raises the scale */
	mlk_column_append_f64(&c, 0.125);
	roundtrip(&c, MLK_ENC_AUTO, MLK_ENC_DECIMAL, "float scale raised");
	/* -0.0, NaN, 0.1 + 0.2 are not decimals: exceptions */
	mlk_column_append_f64(&c, -0.0);
	mlk_column_append_f64(&c, f64(0x7ff0000000000abcULL));
	mlk_column_append_f64(&c, 0.1 + 0.2);
	roundtrip(&c, MLK_ENC_AUTO, MLK_ENC_DECIMAL, "float exceptions");
	mlk_column_reset(&c);
	mlk_column_append_f64(&c, -0.0);
	for (int i = 0; i < 62; i++)
		mlk_column_append_f64(&c, 1.5);
	mlk_column_append_f64(&c, 0.1 + 0.2);
	roundtrip(&c, MLK_ENC_AUTO, MLK_ENC_DECIMAL,
	    "float exceptions first and last");
	for (int i = 0; i < 3; i++)
		mlk_column_append_f64(&c, NAN);
	tap_ok(roundtrip(&c, MLK_ENC_AUTO, MLK_ENC_AUTO, "float 5 in 68 "
	    "exceptions") == MLK_ENC_PLAIN, "more than 1 in 16 exceptions: "
	    "not decimal");
	mlk_column_release(&c);

	/* few distinct values that are not decimals: BSS would hide them */
	mlk_column_init(&c, MLK_T_FLOAT64);
	for (int i = 0; i < 5000; i++)
		mlk_column_append_f64(&c, (double)(rnd() % 7) / 3.0);
	roundtrip_all(&c, MLK_ENC_PLAIN, "float few distinct");
	mlk_column_release(&c);

	mlk_column_init(&c, MLK_T_FLOAT64);
	for (int i = 0; i < 3000; i++)
		mlk_column_append_f64(&c, 1e15 - i * 0.5);
	roundtrip(&c, MLK_ENC_AUTO, MLK_ENC_AUTO, "float near 2^53");
	mlk_column_release(&c);

	mlk_column_init(&c, MLK_T_FLOAT64);
	for (int i = 0; i < 3000; i++)
		mlk_column_append_f64(&c, f64(0xfff8000000000001ULL));
	roundtrip_all(&c, MLK_ENC_CONST, "float constant NaN");
	roundtrip(&c, MLK_ENC_CONST, MLK_ENC_CONST, "float constant NaN");
	mlk_column_release(&c);

	mlk_column_init(&c, MLK_T_FLOAT64);
	mlk_column_append_f64(&c, 2.5);
	roundtrip_all(&c, MLK_ENC_CONST, "float one row");
	mlk_column_release(&c);
}

static void
test_bools(void)
{
	struct mlk_column c;

	for (size_t n = 0; n < 20; n++) {
		char name[32];

		mlk_column_init(&c, MLK_T_BOOL);
		for (size_t i = 0; i < n; i++) {
			if (i % 5 == 4)
				mlk_column_append_null(&c);
			else
				mlk_column_append_bool(&c, (int)(rnd() & 1));
		}
		snprintf(name, sizeof(name), "bool %zu rows", n);
		roundtrip_all(&c, MLK_ENC_AUTO, name);
		mlk_column_release(&c);
	}
	mlk_column_init(&c, MLK_T_BOOL);
	for (int i = 0; i < 1000; i++)
		mlk_column_append_bool(&c, 1);
	roundtrip_all(&c, MLK_ENC_CONST, "bool all true");
	mlk_column_append_bool(&c, 0);
	roundtrip_all(&c, MLK_ENC_PLAIN, "bool one false");
	mlk_column_release(&c);
}

static void
test_strings(void)
{
	static const char *region[] = {
		"north", "south", "east", "west", "central", "islands",
	};
	struct mlk_column c;
	char buf[64];

	mlk_column_init(&c, MLK_T_STRING);
	for (int i = 0; i < 10000; i++) {
		if (i % 97 == 0)
			mlk_column_append_null(&c);
		else if (i % 89 == 0)
			mlk_column_append_str(&c, "", 0);
		else {
			const char *r = region[rnd() % 6];

			mlk_column_append_str(&c, r, strlen(r));
		}
	}
	roundtrip_all(&c, MLK_ENC_DICT, "string few distinct");
	mlk_column_release(&c);

	mlk_column_init(&c, MLK_T_STRING);
	for (int i = 0; i < 10000; i++) {
		int n = snprintf(buf, sizeof(buf), "row-%d-%llu", i,
		    (unsigned long long)rnd());

		mlk_column_append_str(&c, buf, (size_t)n);
	}
	roundtrip_all(&c, MLK_ENC_PLAIN, "string unique");
	mlk_column_release(&c);

	mlk_column_init(&c, MLK_T_STRING);
	for (int i = 0; i < 300; i++)
		mlk_column_append_str(&c, "same\0value", 10);
	mlk_column_append_null(&c);
	roundtrip_all(&c, MLK_ENC_CONST, "string constant");
	roundtrip(&c, MLK_ENC_CONST, MLK_ENC_CONST, "string constant");
	mlk_column_release(&c);

	mlk_column_init(&c, MLK_T_STRING);
	for (int i = 0; i < 300; i++)
		mlk_column_append_str(&c, "", 0);
	roundtrip_all(&c, MLK_ENC_CONST, "string all empty");
	mlk_column_release(&c);

	mlk_column_init(&c, MLK_T_STRING);
	for (int i = 0; i < 10; i++)
		mlk_column_append_null(&c);
	roundtrip_all(&c, MLK_ENC_PLAIN, "string all null");
	mlk_column_release(&c);

	mlk_column_init(&c, MLK_T_STRING);
	roundtrip_all(&c, MLK_ENC_PLAIN, "string zero rows");
	mlk_column_append_str(&c, "only", 4);
	roundtrip_all(&c, MLK_ENC_CONST, "string one row");
	mlk_column_release(&c);

	/* 10000 meter ids in order: a dictionary with sorted codes */
	mlk_column_init(&c, MLK_T_STRING);
	for (int i = 0; i < 65536; i++) {
		int n = snprintf(buf, sizeof(buf), "M%06d", i / 24);

		mlk_column_append_str(&c, buf, (size_t)n);
	}
	roundtrip_all(&c, MLK_ENC_DICT, "string meter ids");
	mlk_column_release(&c);

	/* meters cycling hour after hour, some missing or out of turn */
	mlk_column_init(&c, MLK_T_STRING);
	for (int i = 0; i < 65536; i++) {
		int n = snprintf(buf, sizeof(buf), "M%05d",
		    i % 997 == 0 ? (i * 7) % 1000 : i % 1000);

		if (i % 1013 == 5)
			mlk_column_append_null(&c);
		else
			mlk_column_append_str(&c, buf, (size_t)n);
	}
	roundtrip_all(&c, MLK_ENC_DICT, "string meter ids, cycling");
	mlk_column_release(&c);
}

static void
test_refusals(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct mlk_column c;
	struct mlk_error *err;

	strbuf_addstr(&sb, "keep");
	mlk_column_init(&c, MLK_T_INT64);
	mlk_column_append_i64(&c, 1);
	mlk_column_append_i64(&c, 2);
	err = mlk_column_encode_as(&c, MLK_ENC_CONST, &sb);
	tap_ok(err && err->code == MLK_ERR_USAGE && sb.len == 4,
	    "const refused for differing ints, output untouched");
	mlk_error_free(err);
	err = mlk_column_encode_as(&c, MLK_ENC_DICT, &sb);
	tap_ok(err && err->code == MLK_ERR_USAGE, "dict refused for ints");
	mlk_error_free(err);
	mlk_column_release(&c);

	mlk_column_init(&c, MLK_T_FLOAT64);
	mlk_column_append_f64(&c, 0.1);
	mlk_column_append_f64(&c, M_PI);
	err = mlk_column_encode_as(&c, MLK_ENC_DECIMAL, &sb);
	tap_ok(err && err->code == MLK_ERR_USAGE, "decimal refused for pi");
	mlk_error_free(err);
	err = mlk_column_encode_as(&c, MLK_ENC_FOR, &sb);
	tap_ok(err && err->code == MLK_ERR_USAGE, "for refused for floats");
	mlk_error_free(err);
	mlk_column_release(&c);

	mlk_column_init(&c, MLK_T_BOOL);
	mlk_column_append_bool(&c, 1);
	err = mlk_column_encode_as(&c, MLK_ENC_BSS, &sb);
	tap_ok(err && err->code == MLK_ERR_USAGE && sb.len == 4,
	    "bss refused for bools");
	mlk_error_free(err);
	mlk_column_release(&c);
	strbuf_release(&sb);
}

static void
test_stats(void)
{
	struct mlk_column_stats st, st2;
	struct mlk_column c;
	char big[100];

	mlk_column_init(&c, MLK_T_INT64);
	mlk_column_append_null(&c);
	mlk_column_append_i64(&c, 5);
	mlk_column_append_i64(&c, INT64_MIN);
	mlk_column_append_i64(&c, INT64_MAX);
	mlk_column_stats(&c, &st);
	tap_ok(st.rows == 4 && st.nulls == 1 && st.has_range &&
	    st.min_i == INT64_MIN && st.max_i == INT64_MAX, "int stats");
	mlk_column_stats_release(&st);
	mlk_column_release(&c);

	mlk_column_init(&c, MLK_T_FLOAT64);
	mlk_column_append_f64(&c, NAN);
	mlk_column_append_f64(&c, 2.5);
	mlk_column_append_f64(&c, -1.0);
	mlk_column_append_f64(&c, NAN);
	mlk_column_stats(&c, &st);
	tap_ok(st.nans == 2 && st.has_range && st.min_f == -1.0 &&
	    st.max_f == 2.5, "float stats skip NaN");
	mlk_column_stats_release(&st);
	mlk_column_release(&c);

	mlk_column_init(&c, MLK_T_FLOAT64);
	mlk_column_append_f64(&c, NAN);
	mlk_column_append_null(&c);
	mlk_column_stats(&c, &st);
	tap_ok(!st.has_range && st.nans == 1 && st.nulls == 1,
	    "float stats, no range");
	mlk_column_stats_release(&st);
	mlk_column_release(&c);

	mlk_column_init(&c, MLK_T_BOOL);
	mlk_column_append_bool(&c, 1);
	mlk_column_stats(&c, &st);
	tap_ok(st.has_range && st.min_i == 1 && st.max_i == 1, "bool stats");
	mlk_column_stats_release(&st);
	mlk_column_release(&c);

	/* 63 'a's then 'é' (2 bytes) then more: the cut falls inside é */
	memset(big, 'a', 63);
	memcpy(big + 63, "\xc3\xa9zzzz", 6);
	mlk_column_init(&c, MLK_T_STRING);
	mlk_column_append_str(&c, "b", 1);
	mlk_column_append_str(&c, big, 69);
	mlk_column_append_str(&c, "", 0);
	mlk_column_append_null(&c);
	mlk_column_append_str(&c, "\xff", 1);
	mlk_column_stats(&c, &st);
	tap_ok(st.has_range && st.min_len == 0 && !st.min_cut &&
	    st.max_len == 1 && (unsigned char)st.max_s[0] == 0xff &&
	    !st.max_cut, "string stats: empty min, bytes compare unsigned");
	mlk_column_stats_release(&st);
	mlk_column_reset(&c);
	mlk_column_append_str(&c, big, 69);
	mlk_column_append_str(&c, "a", 1);
	mlk_column_stats(&c, &st);
	tap_ok(st.max_cut && st.max_len == 63 && strlen(st.max_s) == 63 &&
	    !st.min_cut && strcmp(st.min_s, "a") == 0,
	    "string stats: cut at a character boundary");

	/* merge: a cut max "aaa..." against a longer exact value */
	mlk_column_reset(&c);
	memcpy(big + 63, "b", 2);
	mlk_column_append_str(&c, big, 64);
	mlk_column_append_str(&c, "0", 1);
	mlk_column_stats(&c, &st2);
	mlk_column_stats_merge(&st, &st2);
	tap_ok(st.rows == 4 && st.max_cut && st.max_len == 63 &&
	    strcmp(st.min_s, "0") == 0,
	    "stats merge: cut prefix stays a cut prefix");
	mlk_column_stats_release(&st2);
	mlk_column_reset(&c);
	mlk_column_append_str(&c, "zz", 2);
	mlk_column_stats(&c, &st2);
	mlk_column_stats_merge(&st, &st2);
	tap_ok(strcmp(st.max_s, "zz") == 0 && !st.max_cut,
	    "stats merge: a larger exact max wins");
	mlk_column_stats_release(&st2);
	mlk_column_stats_release(&st);

	memset(&st, 0, sizeof(st));
	st.type = MLK_T_STRING;
	mlk_column_stats(&c, &st2);
	mlk_column_stats_merge(&st, &st2);
	tap_ok(st.has_range && strcmp(st.min_s, "zz") == 0 && st.rows == 1,
	    "stats merge into empty");
	mlk_column_stats_release(&st2);
	mlk_column_stats_release(&st);
	mlk_column_release(&c);
}

/* Decoding chunk after chunk into one column, then appending to it. */
static void
test_reuse(void)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	struct mlk_column c, d, want;
	struct mlk_error *err;
	int ok = 1;

	mlk_column_init(&c, MLK_T_STRING);
	for (int i = 0; i < 1000; i++) {
		if (i % 10 == 0)
			mlk_column_append_null(&c);
		else
			mlk_column_append_str(&c, "abcdefgh", (size_t)(i % 9));
	}
	mlk_column_encode(&c, &a);
	mlk_column_reset(&c);
	for (int i = 0; i < 30; i++)
		mlk_column_append_str(&c, "xy", 2);
	mlk_column_encode(&c, &b);

	mlk_column_init(&d, MLK_T_FLOAT64);
	mlk_column_append_f64(&d, 1.0);
	for (int k = 0; k < 3; k++) {
		err = mlk_column_decode(&d, a.buf, a.len, 1000);
		ok = ok && err == NULL && d.nrows == 1000 && d.nnulls == 100;
		mlk_error_free(err);
		err = mlk_column_decode(&d, b.buf, b.len, 1000);
		ok = ok && err == NULL && mlk_column_equal(&c, &d) &&
		    d.nulls == NULL;
		mlk_error_free(err);
	}
	tap_ok(ok, "decoding chunks into one column, its type changing");

	/* a decoded column takes appends, nulls included */
	err = mlk_column_decode(&d, a.buf, a.len, 1000);
	mlk_error_free(err);
	mlk_column_init(&want, MLK_T_STRING);
	for (size_t i = 0; i < d.nrows; i++) {
		size_t n;
		const char *p = mlk_column_get_str(&d, i, &n);

		if (mlk_column_is_null(&d, i))
			mlk_column_append_null(&want);
		else
			mlk_column_append_str(&want, p, n);
	}
	for (int i = 0; i < 5000; i++) {
		if (i % 3)
			mlk_column_append_null(&d);
		else
			mlk_column_append_str(&d, "tail", 4);
		if (i % 3)
			mlk_column_append_null(&want);
		else
			mlk_column_append_str(&want, "tail", 4);
	}
	tap_ok(mlk_column_equal(&d, &want), "appends after decoding");
	mlk_column_release(&want);
	mlk_column_release(&d);
	mlk_column_release(&c);
	strbuf_release(&a);
	strbuf_release(&b);
}

/* Decodes bytes that may be anything; returns 1 when it decoded. */
static int
try_decode(const void *buf, size_t len)
{
	struct mlk_column d;
	struct mlk_error *err;
	int ok;

	mlk_column_init(&d, MLK_T_INT64);
	err = mlk_column_decode(&d, buf, len, 70000);
	ok = err == NULL;
	if (err && err->code != MLK_ERR_CORRUPT)
		ok = -1;
	if (err && (d.nrows || d.nnulls || d.nulls || d.data_len))
		ok = -1;
	mlk_error_free(err);
	mlk_column_release(&d);
	return ok;
}

static void
encode_sample(struct strbuf *sb, int which)
{
	struct mlk_column c;
	static const enum mlk_encoding enc[] = {
		MLK_ENC_PLAIN, MLK_ENC_FOR, MLK_ENC_DELTA, MLK_ENC_CONST,
		MLK_ENC_PLAIN, MLK_ENC_BSS, MLK_ENC_DECIMAL, MLK_ENC_PLAIN,
		MLK_ENC_PLAIN, MLK_ENC_DICT, MLK_ENC_CONST,
	};
	struct mlk_error *err;
	enum mlk_type t = which < 4 ? MLK_T_INT64 : which < 7 ?
	    MLK_T_FLOAT64 : which < 8 ? MLK_T_BOOL : MLK_T_STRING;

	mlk_column_init(&c, t);
	for (int i = 0; i < 300; i++) {
		if (i % 7 == 3 && which != 3 && which != 10) {
			mlk_column_append_null(&c);
			continue;
		}
		switch (t) {
		case MLK_T_INT64:
			mlk_column_append_i64(&c, which == 3 ? 9 :
			    i * 1000 + (int64_t)(rnd() % 300));
			break;
		case MLK_T_FLOAT64:
			mlk_column_append_f64(&c, (double)(i % 50) / 10);
			break;
		case MLK_T_BOOL:
			mlk_column_append_bool(&c, i % 3 == 0);
			break;
		default:
			mlk_column_append_str(&c, which == 10 ? "k" :
			    "abcdef" + i % 5, which == 10 ? 1 : 1 + i % 3);
			break;
		}
	}
	err = mlk_column_encode_as(&c, enc[which], sb);
	mlk_error_free(err);
	mlk_column_release(&c);
}

static void
test_corrupt(void)
{
	struct strbuf sb = STRBUF_INIT;
	int crashed = 0, prefix_ok = 0, flips = 0, decoded = 0;
	uint8_t junk[512];

	for (int which = 0; which < 11; which++) {
		strbuf_reset(&sb);
		encode_sample(&sb, which);
		if (try_decode(sb.buf, sb.len) != 1)
			tap_ok(0, "sample %d decodes", which);
		/* every proper prefix must be refused */
		for (size_t n = 0; n < sb.len; n++) {
			int r = try_decode(sb.buf, n);

			if (r != 0)
				prefix_ok++;
			if (r < 0)
				crashed++;
		}
		/* random byte changes: any answer but a crash */
		for (int k = 0; k < 3000; k++) {
			size_t at = rnd() % sb.len;
			char old = sb.buf[at];
			int r;

			sb.buf[at] = (char)(k % 3 ? rnd() :
			    old ^ 1u << rnd() % 8);
			r = try_decode(sb.buf, sb.len);
			if (r < 0)
				crashed++;
			decoded += r == 1;
			flips++;
			sb.buf[at] = old;
		}
	}
	tap_ok(prefix_ok == 0, "every truncation is refused (%d accepted)",
	    prefix_ok);
	tap_ok(crashed == 0, "%d byte changes: errors are CORRUPT and leave "
	    "the column empty (%d still decoded)", flips, decoded);

	/* random bytes behind a plausible header */
	for (int k = 0; k < 20000; k++) {
		size_t n = 5 + rnd() % (sizeof(junk) - 5);

		for (size_t i = 0; i < n; i++)
			junk[i] = (uint8_t)rnd();
		junk[0] = MLK_ENCODE_VERSION;
		junk[1] = (uint8_t)(rnd() % MLK_T_COUNT);
		junk[2] = (uint8_t)(rnd() % MLK_ENC_COUNT);
		junk[3] = (uint8_t)(rnd() % 128);
		junk[4] = (uint8_t)(rnd() % 4 ? 0 : rnd() % 128);
		if (try_decode(junk, n) < 0)
			crashed++;
	}
	tap_ok(crashed == 0, "random bodies do not crash");

	/* hand-made damage */
	{
		/* 65536 rows of a constant int */
		static const uint8_t many[] = { 1, 0, 1, 0x80, 0x80, 0x04, 0,
			1, 0, 0, 0, 0, 0, 0, 0 };
		static const uint8_t width[] = { 1, 0, 2, 4, 0,
			0, 0, 0, 0, 0, 0, 0, 0, 0, 65, 0 };
		static const uint8_t nulls[] = { 1, 0, 0, 2, 3 };
		static const uint8_t version[] = { 2, 0, 0, 0, 0 };
		static const uint8_t varint[] = { 1, 0, 0, 0xff, 0xff, 0xff,
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0 };
		static const uint8_t dict[] = { 1, 3, 6, 2, 0, 1, 1, 'a', 1,
			1, 0, 0, 0, 0, 0, 0, 0 };
		static const uint8_t pad[] = { 1, 2, 0, 3, 0, 0xff };
		static const uint8_t trailing[] = { 1, 2, 1, 3, 0, 1, 0 };
		struct mlk_column d;
		struct mlk_error *err;

		mlk_column_init(&d, MLK_T_INT64);
		err = mlk_column_decode(&d, many, sizeof(many), 65535);
		tap_ok(err && err->code == MLK_ERR_CORRUPT,
		    "more rows than max_rows: %s", err ? err->msg : "");
		mlk_error_free(err);
		err = mlk_column_decode(&d, many, sizeof(many), 65536);
		tap_ok(err == NULL && d.nrows == 65536 && d.i64[65535] == 1,
		    "the same with max_rows 65536 decodes");
		mlk_error_free(err);
		mlk_column_release(&d);
		tap_ok(try_decode(width, sizeof(width)) == 0, "bit width 65");
		tap_ok(try_decode(nulls, sizeof(nulls)) == 0, "nulls > rows");
		tap_ok(try_decode(version, sizeof(version)) == 0,
		    "unknown version");
		tap_ok(try_decode(varint, sizeof(varint)) == 0,
		    "varint overflow");
		tap_ok(try_decode(dict, sizeof(dict)) == 0,
		    "dictionary index out of range");
		tap_ok(try_decode(pad, sizeof(pad)) == 0, "bool padding set");
		tap_ok(try_decode(trailing, sizeof(trailing)) == 0,
		    "trailing bytes");
		/* a 16 KiB constant string said to fill 70000 rows */
		strbuf_reset(&sb);
		strbuf_add(&sb, "\x01\x03\x01\xf0\xa2\x04\x00\x80\x80\x01",
		    10);
		strbuf_addchars(&sb, 'x', 16384);
		tap_ok(try_decode(sb.buf, sb.len) == 0,
		    "strings past MLK_COLUMN_MAX_DATA");
		strbuf_reset(&sb);
		strbuf_add(&sb, "\x01\x03\x01\x10\x00\x80\x80\x01", 8);
		strbuf_addchars(&sb, 'x', 16384);
		tap_ok(try_decode(sb.buf, sb.len) == 1,
		    "the same string in 16 rows decodes");
	}
	strbuf_release(&sb);
}

int
main(void)
{
	test_basics();
	test_ints();
	test_floats();
	test_bools();
	test_strings();
	test_refusals();
	test_stats();
	test_reuse();
	test_corrupt();
	return tap_done();
}
