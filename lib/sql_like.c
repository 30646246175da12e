#include <stdlib.h>
#include <string.h>

#include "sql_func_impl.h"
#include "strbuf.h"

static inline unsigned char
fold_ch(unsigned char c, int fold)
{
	return fold && c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Bytes of the UTF-8 character starting with c (1 for a stray byte). */
static inline size_t
utf8_len(unsigned char c)
{
	return c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/*
 * Wildcard matching with one backtrack point, the last %: linear for
 * patterns with one %, at worst quadratic, never exponential.
 */
int
sqlf_like(const char *s, size_t n, const char *p, size_t pn, int fold)
{
	size_t si = 0, pi = 0, star_p = SIZE_MAX, star_s = 0;

	while (si < n) {
		if (pi < pn && p[pi] == '%') {
			while (pi < pn && p[pi] == '%')
				pi++;
			if (pi == pn)
				return 1;
			star_p = pi, star_s = si;
			continue;
		}
		if (pi < pn && p[pi] == '_') {
			size_t l = utf8_len((unsigned char)s[si]);

			si += l > n - si ? n - si : l;
			pi++;
			continue;
		}
		if (pi < pn) {
			size_t q = pi;

			if (p[q] == '\\' && q + 1 < pn)
				q++;
			if (fold_ch((unsigned char)p[q], fold) ==
			    fold_ch((unsigned char)s[si], fold)) {
				si++, pi = q + 1;
				continue;
			}
		}
		if (star_p == SIZE_MAX)
			return 0;
		/* let the last % take one more character */
		star_s += utf8_len((unsigned char)s[star_s]);
		if (star_s > n)
			return 0;
		si = star_s, pi = star_p;
	}
	while (pi < pn && p[pi] == '%')
		pi++;
	return pi == pn;
}

/* s[0..n) equals the lower-case l[0..n), ASCII letters caselessly. */
static int
eq_fold(const char *s, const char *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fold_ch((unsigned char)s[i], 1) != (unsigned char)l[i])
			return 0;
	return 1;
}

static int
contains_fold(const char *s, size_t sn, const char *l, size_t ln)
{
	if (ln == 0)
		return 1;
	for (size_t i = 0; i + ln <= sn; i++)
		if (fold_ch((unsigned char)s[i], 1) == (unsigned char)l[0] &&
		    eq_fold(s + i + 1, l + 1, ln - 1))
			return 1;
	return 0;
}

enum like_kind {
	LIKE_GENERAL,
	LIKE_EXACT,
	LIKE_PREFIX,
	LIKE_SUFFIX,
	LIKE_CONTAINS
};

/*
 * A constant pattern of literals (escaped or not) with %s at its ends
 * only needs no matcher: its literal, unescaped, goes to lit.
 */
static enum like_kind
like_classify(const char *p, size_t pn, struct strbuf *lit)
{
	int lead = 0, trail = 0;
	size_t i = 0;

	while (i < pn && p[i] == '%')
		i++, lead = 1;
	while (i < pn) {
		if (p[i] == '%') {
			while (i < pn && p[i] == '%')
				i++;
			if (i < pn)
				return LIKE_GENERAL;
			trail = 1;
			break;
		}
		if (p[i] == '_')
			return LIKE_GENERAL;
		if (p[i] == '\\' && i + 1 < pn)
			i++;
		strbuf_addch(lit, p[i++]);
	}
	if (lead && trail)
		return LIKE_CONTAINS;
	if (lead)
		return LIKE_SUFFIX;
	if (trail)
		return LIKE_PREFIX;
	return LIKE_EXACT;
}

#define LIKE_LOOP(EXPR) \
	do { \
		for (size_t r = 0; r < n; r++) { \
			size_t row = sqlf_row(&a, r); \
			const char *s = a.col->data + a.col->offsets[row]; \
			size_t sn = \
			    a.col->offsets[row + 1] - a.col->offsets[row]; \
			o[r] = (EXPR); \
		} \
	} while (0)

void
sqlf_like_eval(int fold, struct mlk_sql_arg a, struct mlk_sql_arg b, size_t n,
    struct mlk_column *out)
{
	struct strbuf lit = STRBUF_INIT;
	enum like_kind kind = LIKE_GENERAL;
	uint8_t *o = out->b;
	const char *p = NULL, *l;
	size_t pn = 0, ln;

	if (b.is_const) {
		p = mlk_column_get_str(b.col, 0, &pn);
		kind = like_classify(p, pn, &lit);
	}
	l = lit.buf, ln = lit.len;
	if (fold && kind != LIKE_GENERAL) {
		/* ILIKE: the literal in lower case, each row folded as read */
		for (size_t i = 0; i < ln; i++)
			lit.buf[i] = (char)fold_ch((unsigned char)l[i], 1);
		switch (kind) {
		case LIKE_EXACT:
			LIKE_LOOP(sn == ln && eq_fold(s, l, ln));
			break;
		case LIKE_PREFIX:
			LIKE_LOOP(sn >= ln && eq_fold(s, l, ln));
			break;
		case LIKE_SUFFIX:
			LIKE_LOOP(sn >= ln && eq_fold(s + sn - ln, l, ln));
			break;
		default:
			LIKE_LOOP(contains_fold(s, sn, l, ln));
			break;
		}
		strbuf_release(&lit);
		return;
	}
	switch (kind) {
	case LIKE_EXACT:
		LIKE_LOOP(sn == ln && memcmp(s, l, ln) == 0);
		break;
	case LIKE_PREFIX:
		LIKE_LOOP(sn >= ln && memcmp(s, l, ln) == 0);
		break;
	case LIKE_SUFFIX:
		LIKE_LOOP(sn >= ln && memcmp(s + sn - ln, l, ln) == 0);
		break;
	case LIKE_CONTAINS:
		LIKE_LOOP(ln == 0 || memmem(s, sn, l, ln) != NULL);
		break;
	default:
		for (size_t r = 0; r < n; r++) {
			size_t sn;
			const char *s =
			    mlk_column_get_str(a.col, sqlf_row(&a, r), &sn);

			if (!b.is_const)
				p = mlk_column_get_str(b.col, r, &pn);
			o[r] = (uint8_t)sqlf_like(s, sn, p, pn, fold);
		}
		break;
	}
	strbuf_release(&lit);
}
