/*
 * The hash join's table and probe (lib/sql_join_hash.c): the table built
 * on 1 to 4 threads is the same, equal keys hash alike (-0.0 and 0.0,
 * every NaN), NULL keys match nothing, and probing a range in pieces
 * gives the pairs of probing it whole.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql_join_impl.h"
#include "tap.h"
#include "xmalloc.h"

static void
test_float_keys(void)
{
	struct mlk_column c;
	struct val v = { &c, 0, 0 };
	uint64_t h[5];
	uint8_t isnull[5];

	mlk_column_init(&c, MLK_T_FLOAT64);
	mlk_column_append_f64(&c, 0.0);
	mlk_column_append_f64(&c, -0.0);
	mlk_column_append_f64(&c, NAN);
	mlk_column_append_f64(&c, -NAN);
	mlk_column_append_null(&c);
	jkeys_hash(&v, 1, 0, 5, h, isnull);
	tap_ok(h[0] == h[1], "-0.0 hashes as 0.0");
	tap_ok(h[2] == h[3], "every NaN hashes alike");
	tap_ok(!isnull[0] && !isnull[3] && isnull[4], "NULL keys are marked");
	mlk_column_release(&c);
}

/* n rows of two keys: an int with duplicates and NULLs, a short string. */
static void
make_keys(struct mlk_column *c, size_t n, unsigned seed)
{
	char buf[32];

	mlk_column_init(&c[0], MLK_T_INT64);
	mlk_column_init(&c[1], MLK_T_STRING);
	for (size_t r = 0; r < n; r++) {
		unsigned x = (unsigned)(r * 2654435761u) ^ seed;
		if (x % 41 == 0)
			mlk_column_append_null(&c[0]);
		else
			mlk_column_append_i64(&c[0], (int64_t)(x % 997));
		snprintf(buf, sizeof(buf), "k%u", x % 3);
		mlk_column_append_str(&c[1], buf, strlen(buf));
	}
}

/* The pairs of a LEFT join, counted per key value (int < 997, k0..k2). */
static size_t
brute_pairs(const struct mlk_column *lc, size_t nl, const struct mlk_column *rc,
    size_t nr)
{
	size_t *cnt = xcalloc(997 * 3, sizeof(*cnt)), n = 0, len;

	for (size_t r = 0; r < nr; r++)
		if (!mlk_column_is_null(&rc[0], r))
			cnt[rc[0].i64[r] * 3 +
			    mlk_column_get_str(&rc[1], r, &len)[1] - '0']++;
	for (size_t l = 0; l < nl; l++) {
		size_t c = 0;
		if (!mlk_column_is_null(&lc[0], l))
			c = cnt[lc[0].i64[l] * 3 +
			    mlk_column_get_str(&lc[1], l, &len)[1] - '0'];
		n += c ? c : 1;
	}
	free(cnt);
	return n;
}

static void
test_build_and_probe(void)
{
	enum { NR = 20000, NL = 30000 };
	struct mlk_column rc[2], lc[2];
	struct val rk[2] = { { &rc[0], 0, 0 }, { &rc[1], 0, 0 } };
	struct val lk[2] = { { &lc[0], 0, 0 }, { &lc[1], 0, 0 } };
	uint64_t *rh = xcalloc(NR, sizeof(*rh)), *lh = xcalloc(NL, 8);
	uint8_t *rn = xcalloc(NR, 1), *ln = xcalloc(NL, 1);
	struct join_ht ht[4];
	struct join_probe pr = { 0 };
	struct join_pairs whole = { 0 }, part = { 0 };
	size_t nb, l, k = 0, same = 1, ordered = 1;

	make_keys(rc, NR, 7);
	make_keys(lc, NL, 11);
	jkeys_hash(rk, 2, 0, NR / 3, rh, rn);
	jkeys_hash(rk, 2, NR / 3, NR, rh, rn);
	jkeys_hash(lk, 2, 0, NL, lh, ln);
	for (size_t t = 0; t < 4; t++)
		join_ht_build(&ht[t], rh, rn, NR, t + 1);
	nb = ht[0].mask + 1;
	for (size_t t = 1; t < 4; t++)
		same &= ht[t].mask == ht[0].mask &&
		    memcmp(ht[t].start, ht[0].start, (nb + 1) * 4) == 0 &&
		    memcmp(ht[t].ent, ht[0].ent, ht[0].start[nb] * 8) == 0;
	tap_ok(same, "the table is the same on 1 to 4 threads");
	for (size_t b = 0; b < nb; b++)
		for (uint32_t e = ht[0].start[b]; e + 1 < ht[0].start[b + 1];
		     e++)
			ordered &= ht[0].ent[e].row < ht[0].ent[e + 1].row;
	tap_ok(ordered, "a bucket lists its rows in order");
	tap_ok(ht[0].start[nb] < NR, "NULL keys are left out");

	pr.lk = lk;
	pr.rk = rk;
	pr.nkeys = 2;
	pr.lh = lh;
	pr.lnull = ln;
	pr.ht = &ht[0];
	pr.nright = NR;
	pr.null_pair = 1;
	pr.cap = SIZE_MAX;
	join_probe_range(&pr, 0, NL, &whole);
	tap_is_int((long long)whole.stop, NL, "probed to the end");
	/* In pieces of at most 1000 pairs, as a full batch stops. */
	pr.cap = 1000;
	for (l = 0; l < NL; l = part.stop) {
		join_probe_range(&pr, l, NL, &part);
		if (part.stop == l || k + part.n > whole.n)
			break;
		same = memcmp(part.li, whole.li + k, part.n * 8) == 0 &&
		    memcmp(part.ri, whole.ri + k, part.n * 8) == 0;
		if (!same)
			break;
		k += part.n;
	}
	tap_ok(l == NL && k == whole.n && same,
	    "probing in pieces gives the same pairs");
	same = 1;
	for (size_t i = 0; i < whole.n; i++) {
		size_t a = whole.li[i], b = whole.ri[i];
		if (b == SIZE_MAX) {
			same &= i + 1 == whole.n || whole.li[i + 1] != a;
			continue;
		}
		size_t la, lb;
		const char *sa = mlk_column_get_str(&lc[1], a, &la);
		const char *sb = mlk_column_get_str(&rc[1], b, &lb);
		same &= !ln[a] && lc[0].i64[a] == rc[0].i64[b] && la == lb &&
		    memcmp(sa, sb, la) == 0;
	}
	tap_ok(same, "every pair matches on its keys");
	tap_is_int((long long)whole.n, (long long)brute_pairs(lc, NL, rc, NR),
	    "every match is paired");
	for (size_t t = 0; t < 4; t++)
		join_ht_release(&ht[t]);
	join_pairs_release(&whole);
	join_pairs_release(&part);
	for (size_t i = 0; i < 2; i++) {
		mlk_column_release(&rc[i]);
		mlk_column_release(&lc[i]);
	}
	free(rh);
	free(lh);
	free(rn);
	free(ln);
}

struct count_job {
	int hits[8];
};

static void
count_part(void *arg, size_t t)
{
	((struct count_job *)arg)->hits[t]++;
}

static void
test_par(void)
{
	struct count_job j = { { 0 } };
	int ok = 1;

	join_par(8, count_part, &j);
	for (size_t t = 0; t < 8; t++)
		ok &= j.hits[t] == 1;
	tap_ok(ok, "join_par runs every part once");
}

int
main(void)
{
	test_float_keys();
	test_build_and_probe();
	test_par();
	return tap_done();
}
