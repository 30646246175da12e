#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "sql_func_impl.h"
#include "strbuf.h"
#include "xmalloc.h"

enum {
	S_LOWER,
	S_UPPER,
	S_TRIM,
	S_LTRIM,
	S_RTRIM,
	S_SUBSTR,
	S_LEFT,
	S_RIGHT,
	S_REPLACE,
	S_SPLIT_PART,
	S_STARTS_WITH,
	S_ENDS_WITH,
	S_CONTAINS,
	S_INSTR,
	S_LENGTH,
	S_REVERSE,
};

static int
any_null(const struct mlk_sql_arg *args, size_t nargs, size_t r)
{
	for (size_t i = 0; i < nargs; i++)
		if (sqlf_is_null(&args[i], r))
			return 1;
	return 0;
}

static const char *
str_at(const struct mlk_sql_arg *a, size_t r, size_t *n)
{
	return mlk_column_get_str(a->col, sqlf_row(a, r), n);
}

static int64_t
int_at(const struct mlk_sql_arg *a, size_t r)
{
	return a->col->i64[sqlf_row(a, r)];
}

static int
is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

static size_t
utf8_count(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += !is_cont((unsigned char)s[i]);
	return k;
}

/* The byte offset of code point number cp (clamped to n). */
static size_t
utf8_offset(const char *s, size_t n, size_t cp)
{
	size_t i = 0;

	while (i < n && cp > 0) {
		i++;
		while (i < n && is_cont((unsigned char)s[i]))
			i++;
		cp--;
	}
	return i;
}

static int
in_set(unsigned char c, const char *set, size_t setn)
{
	if (set == NULL)
		return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\v' || c == '\f';
	return memchr(set, c, setn) != NULL;
}

/* Appends s[0..n) and returns where it landed, to edit in place. */
static char *
append(struct mlk_column *out, const char *s, size_t n)
{
	mlk_column_append_str(out, s, n);
	return out->data + out->data_len - n;
}

/* The string functions whose result is a string. */
/* lower() and upper() of a column: one pass over all its bytes. */
static void
fold_case(int lower, const struct mlk_column *c, size_t nrows,
    struct mlk_column *out)
{
	/* c may be a slice (mlk_column_slice), its offsets not starting at 0 */
	size_t base = c->offsets[0], bytes = c->offsets[nrows] - base;
	unsigned char lo = lower ? 'A' : 'a';
	const char *src = c->data + base;
	char *d;

	mlk_column_reserve(out, nrows, bytes ? bytes : 1);
	for (size_t i = 0; i <= nrows; i++)
		out->offsets[i] = c->offsets[i] - base;
	d = out->data;
	for (size_t i = 0; i < bytes; i++) {
		unsigned char ch = (unsigned char)src[i];

		d[i] = (char)((unsigned char)(ch - lo) < 26 ? ch ^ 0x20 : ch);
	}
	out->data_len = bytes;
	out->nrows = nrows;
	if (c->nulls) {
		size_t nb = (nrows + 7) / 8;

		out->nulls = xcalloc((out->alloc + 7) / 8, 1);
		memcpy(out->nulls, c->nulls, nb);
		if (nrows % 8)
			out->nulls[nb - 1] &=
			    (uint8_t)((1u << (nrows % 8)) - 1);
		out->nnulls = c->nnulls;
	}
}

static struct mlk_error *
eval_str(const struct mlk_sql_func *f, const struct mlk_sql_arg *args,
    size_t nargs, size_t nrows, struct mlk_column *out)
{
	if ((f->id == S_LOWER || f->id == S_UPPER) && !args[0].is_const &&
	    args[0].col->nrows == nrows) {
		sqlf_out_str(out, nrows, 0);
		fold_case(f->id == S_LOWER, args[0].col, nrows, out);
		return NULL;
	}
	sqlf_out_str(out, nrows, args[0].is_const ? 0 : args[0].col->data_len);
	for (size_t r = 0; r < nrows; r++) {
		size_t n, b = 0, e, xn, cp;
		const char *s, *x;
		char *d;
		int64_t i, k;

		if (any_null(args, nargs, r)) {
			mlk_column_append_null(out);
			continue;
		}
		s = str_at(&args[0], r, &n);
		e = n;
		switch (f->id) {
		case S_LOWER:
		case S_UPPER:
			/* ASCII letters only; other bytes pass through */
			d = append(out, s, n);
			for (size_t j = 0; j < n; j++) {
				unsigned char c = (unsigned char)d[j];

				if (f->id == S_LOWER && c >= 'A' && c <= 'Z')
					d[j] = (char)(c + 32);
				else if (f->id == S_UPPER && c >= 'a' &&
				    c <= 'z')
					d[j] = (char)(c - 32);
			}
			break;
		case S_REVERSE:
			d = append(out, s, n);
			for (size_t j = 0; j < n;) {
				size_t l = 1;

				while (j + l < n &&
				    is_cont((unsigned char)s[j + l]))
					l++;
				memcpy(d + n - j - l, s + j, l);
				j += l;
			}
			break;
		case S_TRIM:
		case S_LTRIM:
		case S_RTRIM:
			x = nargs > 1 ? str_at(&args[1], r, &xn) : NULL;
			xn = nargs > 1 ? xn : 0;
			if (f->id != S_RTRIM)
				while (
				    b < e && in_set((unsigned char)s[b], x, xn))
					b++;
			if (f->id != S_LTRIM)
				while (e > b &&
				    in_set((unsigned char)s[e - 1], x, xn))
					e--;
			mlk_column_append_str(out, s + b, e - b);
			break;
		case S_SUBSTR:
			/* 1-based; 0 is before the first, as in SQL */
			i = int_at(&args[1], r);
			k = nargs > 2 ? int_at(&args[2], r) : INT64_MAX;
			cp = utf8_count(s, n);
			/* negative counts from the end, clamped to the start */
			if (i < 0)
				i = (int64_t)cp + i + 1 < 1 ?
				    1 :
				    (int64_t)cp + i + 1;
			if (i == 0) {
				k = k == INT64_MAX || k == INT64_MIN ? k :
				                                       k - 1;
				i = 1;
			}
			if (k <= 0 || (uint64_t)i > cp) {
				mlk_column_append_str(out, "", 0);
				break;
			}
			b = utf8_offset(s, n, (size_t)(i - 1));
			e = (uint64_t)k >= cp ?
			    n :
			    b + utf8_offset(s + b, n - b, (size_t)k);
			mlk_column_append_str(out, s + b, e - b);
			break;
		case S_LEFT:
		case S_RIGHT:
			k = int_at(&args[1], r);
			cp = utf8_count(s, n);
			/* a negative count drops that many from the end */
			if (k < 0)
				k = (int64_t)cp + k < 0 ? 0 : (int64_t)cp + k;
			if ((uint64_t)k > cp)
				k = (int64_t)cp;
			if (f->id == S_LEFT)
				e = utf8_offset(s, n, (size_t)k);
			else
				b = utf8_offset(s, n, cp - (size_t)k);
			mlk_column_append_str(out, s + b, e - b);
			break;
		case S_SPLIT_PART:
			x = str_at(&args[1], r, &xn);
			i = int_at(&args[2], r);
			if (xn == 0) {
				mlk_column_append_str(out, s,
				    i == 1 || i == -1 ? n : 0);
				break;
			}
			if (i < 0) {
				/* from the end: count the parts first */
				int64_t parts = 1;

				for (const char *m = s;
				     (m = memmem(m, n - (size_t)(m - s), x,
				          xn)) != NULL;
				     m += xn)
					parts++;
				i = parts + i + 1;
			}
			if (i < 1) {
				mlk_column_append_str(out, "", 0);
				break;
			}
			while (--i > 0) {
				const char *m = memmem(s + b, n - b, x, xn);

				if (m == NULL) {
					b = n;
					break;
				}
				b = (size_t)(m - s) + xn;
			}
			{
				const char *m =
				    b < n ? memmem(s + b, n - b, x, xn) : NULL;

				e = m ? (size_t)(m - s) : n;
			}
			mlk_column_append_str(out, s + b, e - b);
			break;
		}
	}
	return NULL;
}

/* Builds the row aside: it has pieces from three arguments. */
static struct mlk_error *
eval_replace(const struct mlk_sql_func *f, const struct mlk_sql_arg *args,
    size_t nargs, size_t nrows, struct mlk_column *out)
{
	struct strbuf sb = STRBUF_INIT;

	sqlf_out_str(out, nrows, args[0].is_const ? 0 : args[0].col->data_len);
	for (size_t r = 0; r < nrows; r++) {
		size_t n, xn, yn, b = 0;
		const char *s, *x, *y;

		if (any_null(args, nargs, r)) {
			mlk_column_append_null(out);
			continue;
		}
		s = str_at(&args[0], r, &n);
		x = str_at(&args[1], r, &xn);
		y = str_at(&args[2], r, &yn);
		if (xn == 0 || memmem(s, n, x, xn) == NULL) {
			mlk_column_append_str(out, s, n);
			continue;
		}
		strbuf_reset(&sb);
		while (b < n) {
			const char *m = memmem(s + b, n - b, x, xn);
			size_t upto = m ? (size_t)(m - s) : n;

			strbuf_add(&sb, s + b, upto - b);
			b = upto;
			if (m) {
				strbuf_add(&sb, y, yn);
				b += xn;
			}
		}
		mlk_column_append_str(out, sb.buf, sb.len);
	}
	strbuf_release(&sb);
	return NULL;
}

/* NULL arguments are skipped, as in DuckDB (|| gives NULL instead). */
static struct mlk_error *
eval_concat(const struct mlk_sql_func *f, const struct mlk_sql_arg *args,
    size_t nargs, size_t nrows, struct mlk_column *out)
{
	struct strbuf sb = STRBUF_INIT;

	sqlf_out_str(out, nrows, 0);
	for (size_t r = 0; r < nrows; r++) {
		strbuf_reset(&sb);
		for (size_t i = 0; i < nargs; i++) {
			size_t n;
			const char *s;

			if (sqlf_is_null(&args[i], r))
				continue;
			s = str_at(&args[i], r, &n);
			strbuf_add(&sb, s, n);
		}
		mlk_column_append_str(out, sb.buf, sb.len);
	}
	strbuf_release(&sb);
	return NULL;
}

/* The functions whose result is a bool or an int64. */
static struct mlk_error *
eval_scalar(const struct mlk_sql_func *f, const struct mlk_sql_arg *args,
    size_t nargs, size_t nrows, struct mlk_column *out)
{
	sqlf_out_fixed(out, nrows);
	if (f->id == S_LENGTH && !args[0].is_const) {
		const struct mlk_column *c = args[0].col;

		for (size_t r = 0; r < nrows; r++)
			out->i64[r] =
			    (int64_t)utf8_count(c->data + c->offsets[r],
			        c->offsets[r + 1] - c->offsets[r]);
		sqlf_nulls_union(out, args, nargs, nrows);
		return NULL;
	}
	for (size_t r = 0; r < nrows; r++) {
		size_t n, xn = 0;
		const char *s = str_at(&args[0], r, &n), *x = NULL, *m;

		if (nargs > 1)
			x = str_at(&args[1], r, &xn);
		switch (f->id) {
		case S_LENGTH:
			out->i64[r] = (int64_t)utf8_count(s, n);
			break;
		case S_STARTS_WITH:
			out->b[r] = xn <= n && memcmp(s, x, xn) == 0;
			break;
		case S_ENDS_WITH:
			out->b[r] = xn <= n && memcmp(s + n - xn, x, xn) == 0;
			break;
		case S_CONTAINS:
			out->b[r] = xn == 0 || memmem(s, n, x, xn) != NULL;
			break;
		case S_INSTR:
			m = xn == 0 ? s : memmem(s, n, x, xn);
			out->i64[r] =
			    m ? (int64_t)utf8_count(s, (size_t)(m - s)) + 1 : 0;
			break;
		}
	}
	sqlf_nulls_union(out, args, nargs, nrows);
	sqlf_zero_nulls(out);
	return NULL;
}

/* --- regular expressions --------------------------------------------- */

struct re_cache {
	regex_t re;
	int compiled, cflags;
	struct strbuf pat, subject;
};

static struct mlk_error *
re_flags(const char *s, size_t n, int *cflags, int *global)
{
	*cflags = REG_EXTENDED;
	*global = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == 'i')
			*cflags |= REG_ICASE;
		else if (s[i] == 'g')
			*global = 1;
		else if (s[i] != 'c')
			return mlk_error_new(MLK_ERR_FAIL,
			    "unknown regular expression option '%c'", s[i]);
	}
	return NULL;
}

static struct mlk_error *
re_get(struct re_cache *rc, const char *p, size_t pn, int cflags)
{
	char msg[128];
	int rcode;

	if (rc->compiled && rc->cflags == cflags && rc->pat.len == pn &&
	    memcmp(rc->pat.buf, p, pn) == 0)
		return NULL;
	if (rc->compiled)
		regfree(&rc->re);
	rc->compiled = 0;
	strbuf_reset(&rc->pat);
	strbuf_add(&rc->pat, p, pn);
	rcode = regcomp(&rc->re, rc->pat.buf, cflags);
	if (rcode) {
		regerror(rcode, &rc->re, msg, sizeof(msg));
		return mlk_error_new(MLK_ERR_FAIL,
		    "invalid regular expression '%s': %s", rc->pat.buf, msg);
	}
	rc->compiled = 1;
	rc->cflags = cflags;
	return NULL;
}

static void
re_release(struct re_cache *rc)
{
	if (rc->compiled)
		regfree(&rc->re);
	strbuf_release(&rc->pat);
	strbuf_release(&rc->subject);
}

/* Appends repl with \0 .. \9 replaced by the groups of m. */
static void
add_repl(struct strbuf *sb, const char *base, const regmatch_t *m,
    const char *repl, size_t rn)
{
	for (size_t i = 0; i < rn; i++) {
		if (repl[i] == '\\' && i + 1 < rn && repl[i + 1] >= '0' &&
		    repl[i + 1] <= '9') {
			const regmatch_t *g = &m[repl[++i] - '0'];

			if (g->rm_so >= 0)
				strbuf_add(sb, base + g->rm_so,
				    (size_t)(g->rm_eo - g->rm_so));
			continue;
		}
		if (repl[i] == '\\' && i + 1 < rn)
			i++;
		strbuf_addch(sb, repl[i]);
	}
}

enum { RE_MATCHES, RE_REPLACE };

static struct mlk_error *
eval_regexp(const struct mlk_sql_func *f, const struct mlk_sql_arg *args,
    size_t nargs, size_t nrows, struct mlk_column *out)
{
	struct re_cache rc = { .compiled = 0 };
	struct strbuf res = STRBUF_INIT;
	struct mlk_error *err = NULL;
	size_t flag_arg = f->id == RE_MATCHES ? 2 : 3;
	int replace = f->id == RE_REPLACE;

	strbuf_init(&rc.pat, 0);
	strbuf_init(&rc.subject, 0);
	if (replace)
		sqlf_out_str(out, nrows, args[0].col->data_len);
	else
		sqlf_out_fixed(out, nrows);
	for (size_t r = 0; r < nrows && !err; r++) {
		size_t n, pn, fn = 0, rn = 0;
		const char *s, *p, *fl = NULL, *repl = NULL;
		int cflags, global;
		regmatch_t m[10];

		if (any_null(args, nargs, r)) {
			if (replace)
				mlk_column_append_null(out);
			else
				out->b[r] = 0, sqlf_set_null(out, r);
			continue;
		}
		s = str_at(&args[0], r, &n);
		p = str_at(&args[1], r, &pn);
		if (nargs > flag_arg)
			fl = str_at(&args[flag_arg], r, &fn);
		if ((err = re_flags(fl, fn, &cflags, &global)) ||
		    (err = re_get(&rc, p, pn,
		         cflags | (replace ? 0 : REG_NOSUB))))
			break;
		/* regexec wants a C string */
		strbuf_reset(&rc.subject);
		strbuf_add(&rc.subject, s, n);
		if (!replace) {
			out->b[r] =
			    regexec(&rc.re, rc.subject.buf, 0, NULL, 0) == 0;
			continue;
		}
		repl = str_at(&args[2], r, &rn);
		strbuf_reset(&res);
		{
			const char *cur = rc.subject.buf;
			const char *end = rc.subject.buf + rc.subject.len;
			int eflags = 0;

			while (cur <= end &&
			    regexec(&rc.re, cur, 10, m, eflags) == 0) {
				strbuf_add(&res, cur, (size_t)m[0].rm_so);
				add_repl(&res, cur, m, repl, rn);
				if (m[0].rm_eo == m[0].rm_so) {
					/* an empty match moves on a byte */
					if (cur + m[0].rm_eo < end)
						strbuf_addch(&res,
						    cur[m[0].rm_eo]);
					cur += m[0].rm_eo + 1;
				} else {
					cur += m[0].rm_eo;
				}
				eflags = REG_NOTBOL;
				if (!global)
					break;
			}
			if (cur < end)
				strbuf_add(&res, cur, (size_t)(end - cur));
		}
		mlk_column_append_str(out, res.buf, res.len);
	}
	re_release(&rc);
	strbuf_release(&res);
	return err;
}

const struct mlk_sql_func sqlf_fstr_table[] = {
	{ "lower", 1, 1, "S", 'S', 0, S_LOWER, NULL, eval_str },
	{ "upper", 1, 1, "S", 'S', 0, S_UPPER, NULL, eval_str },
	{ "trim", 1, 2, "SS", 'S', 0, S_TRIM, NULL, eval_str },
	{ "ltrim", 1, 2, "SS", 'S', 0, S_LTRIM, NULL, eval_str },
	{ "rtrim", 1, 2, "SS", 'S', 0, S_RTRIM, NULL, eval_str },
	{ "substr", 2, 3, "SII", 'S', 0, S_SUBSTR, NULL, eval_str },
	{ "left", 2, 2, "SI", 'S', 0, S_LEFT, NULL, eval_str },
	{ "right", 2, 2, "SI", 'S', 0, S_RIGHT, NULL, eval_str },
	{ "reverse", 1, 1, "S", 'S', 0, S_REVERSE, NULL, eval_str },
	{ "replace", 3, 3, "SSS", 'S', 0, S_REPLACE, NULL, eval_replace },
	{ "split_part", 3, 3, "SSI", 'S', 0, S_SPLIT_PART, NULL, eval_str },
	{ "concat", 1, -1, "X", 'S', 0, 0, NULL, eval_concat },
	{ "length", 1, 1, "S", 'I', 0, S_LENGTH, NULL, eval_scalar },
	{ "starts_with", 2, 2, "SS", 'B', 0, S_STARTS_WITH, NULL, eval_scalar },
	{ "ends_with", 2, 2, "SS", 'B', 0, S_ENDS_WITH, NULL, eval_scalar },
	{ "contains", 2, 2, "SS", 'B', 0, S_CONTAINS, NULL, eval_scalar },
	{ "instr", 2, 2, "SS", 'I', 0, S_INSTR, NULL, eval_scalar },
	{ "regexp_matches", 2, 3, "SSS", 'B', 0, RE_MATCHES, NULL,
	    eval_regexp },
	{ "regexp_replace", 3, 4, "SSSS", 'S', 0, RE_REPLACE, NULL,
	    eval_regexp },
	{ NULL, 0, 0, NULL, 0, 0, 0, NULL, NULL },
};
