/*
 * The fast path of the JSON lines reader: one flat object per line, its
 * strings and numbers scanned by hand into the same text jansson's path
 * gives; anything unusual goes back to jsonl_json.c.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl_impl.h"
#include "value.h"

#define R16(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
/* Bytes that end a run of plain string text. */
static const unsigned char special[256] = {
	R16(1),
	R16(1), /* controls */
	0,
	0,
	1,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0, /* '"' */
	R16(0),
	R16(0),
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	1,
	0,
	0,
	0, /* '\\' */
	R16(0),
	R16(0),
	R16(1),
	R16(1),
	R16(1),
	R16(1),
	R16(1),
	R16(1),
	R16(1),
	R16(1),
};

static const char *
ws(const char *s, const char *e)
{
	while (s < e && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++;
	return s;
}

/* The length of the valid UTF-8 sequence at q, as jansson takes it, or 0. */
static size_t
utf8_seq(const unsigned char *q, const unsigned char *e)
{
	unsigned c = q[0], cp;
	size_t n;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if ((size_t)(e - q) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((q[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (q[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

static void
add_utf8(struct strbuf *sb, unsigned cp)
{
	static const unsigned char lead[] = { 0, 0, 0xc0, 0xe0, 0xf0 };
	size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
	char b[4];

	for (size_t i = n - 1; i > 0; i--, cp >>= 6)
		b[i] = (char)(0x80 | (cp & 0x3f));
	b[0] = (char)(lead[n] | cp);
	strbuf_add(sb, b, n);
}

static long
hex4(const char *s, const char *e)
{
	char buf[5] = { 0 };

	if (e - s < 4)
		return -1;
	for (int i = 0; i < 4; i++)
		if (!isxdigit((unsigned char)(buf[i] = s[i])))
			return -1;
	return strtol(buf, NULL, 16);
}

/* The escapes that stand for one byte. */
const char jsonl_esc_from[] = "\"\\/bfnrt", jsonl_esc_to[] = "\"\\/\b\f\n\r\t";

/* Decodes the escapes of s..e into sb; -1 for any jansson refuses. */
static int
unescape(struct strbuf *sb, const char *s, const char *e)
{
	while (s < e) {
		const char *bs = memchr(s, '\\', (size_t)(e - s)), *hit;
		long cp, lo;

		if (bs == NULL) {
			strbuf_add(sb, s, (size_t)(e - s));
			break;
		}
		strbuf_add(sb, s, (size_t)(bs - s));
		s = bs + 2;
		if ((hit = memchr(jsonl_esc_from, bs[1], 8))) {
			strbuf_addch(sb, jsonl_esc_to[hit - jsonl_esc_from]);
			continue;
		}
		if (bs[1] != 'u')
			return -1;
		if ((cp = hex4(s, e)) <= 0 || (cp >= 0xdc00 && cp <= 0xdfff))
			return -1;
		s += 4;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (e - s < 6 || s[0] != '\\' || s[1] != 'u' ||
			    (lo = hex4(s + 2, e)) < 0xdc00 || lo > 0xdfff)
				return -1;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			s += 6;
		}
		add_utf8(sb, (unsigned)cp);
	}
	return 0;
}

/*
 * A string whose opening quote is behind *sp: its text as a view into
 * the input when it has no escapes, else decoded into scratch.
 */
static int
fast_string(struct strbuf *scratch, const char **sp, const char *e,
    const char **ptr, size_t *off, size_t *len)
{
	const unsigned char *q = (const unsigned char *)*sp;
	const unsigned char *start = q, *end = (const unsigned char *)e;
	int esc = 0;

	for (;;) {
		size_t n;

		while (q < end && !special[*q])
			q++;
		if (q == end)
			return FAST_NO;
		if (*q == '"')
			break;
		if (*q == '\\') {
			if (end - q < 2)
				return FAST_NO;
			esc = 1;
			q += 2;
			continue;
		}
		if (*q < 0x20 || (n = utf8_seq(q, end)) == 0)
			return FAST_NO;
		q += n;
	}
	if (!esc) {
		*ptr = (const char *)start;
		*len = (size_t)(q - start);
	} else {
		*ptr = NULL;
		*off = scratch->len;
		if (unescape(scratch, (const char *)start, (const char *)q))
			return FAST_NO;
		*len = scratch->len - *off;
	}
	*sp = (const char *)q + 1;
	return FAST_OK;
}

void
jsonl_add_real(struct strbuf *sb, double d)
{
	char buf[MLK_VALUE_FMT_MAX];
	size_t n = mlk_value_format_float64(buf, d);

	strbuf_add(sb, buf, n);
	if (strcspn(buf, ".eEn") == n)
		strbuf_addstr(sb, ".0");
}

static const char *
digits(const char *s, const char *e)
{
	while (s < e && *s >= '0' && *s <= '9')
		s++;
	return s;
}

/*
 * The text jsonl_add_real() would give for a decimal without exponent, made
 * without formatting: when it has at most 15 significant digits (so that
 * %.15g gives them back) and a decimal exponent from -4 to 14 (so that
 * %g writes no exponent), that is the literal less its trailing zeros.
 */
static int
decimal_text(struct strbuf *sb, const char *s, const char *e)
{
	const char *dot = memchr(s, '.', (size_t)(e - s));
	const char *i = s + (*s == '-'), *f = dot + 1;
	size_t ni = (size_t)(dot - i), z = 0;

	while (e > f && e[-1] == '0')
		e--;
	if (ni == 1 && *i == '0') {
		while (f + z < e && f[z] == '0')
			z++;
		if (f + z == e) { /* zero */
			strbuf_addstr(sb, *s == '-' ? "-0.0" : "0.0");
			return 0;
		}
		if (z > 3 || e - f - z > 15)
			return -1;
	} else if (ni + (size_t)(e - f) > 15) {
		return -1;
	}
	strbuf_add(sb, s, (size_t)(dot - s) + 1);
	if (e == f)
		strbuf_addch(sb, '0');
	else
		strbuf_add(sb, f, (size_t)(e - f));
	return 0;
}

static int
fast_number(struct strbuf *scratch, const char **sp, const char *e,
    struct mlk_jsonl_pair *pr)
{
	const char *s = *sp, *q = s;
	int real = 0;
	double d;

	if (*q == '-')
		q++;
	if (q < e && *q == '0')
		q++;
	else if (q < e && *q >= '1' && *q <= '9')
		q = digits(q, e);
	else
		return FAST_NO;
	if (q < e && *q == '.') {
		real = 1;
		if (++q == e || *q < '0' || *q > '9')
			return FAST_NO;
		q = digits(q, e);
	}
	if (q < e && (*q == 'e' || *q == 'E')) {
		real = 2;
		if (++q < e && (*q == '+' || *q == '-'))
			q++;
		if (q == e || *q < '0' || *q > '9')
			return FAST_NO;
		q = digits(q, e);
	}
	*sp = q;
	if (!real) {
		/* Past 18 digits int64 may overflow: jansson decides. */
		if (q - s - (*s == '-') > 18)
			return FAST_NO;
		pr->kind = MLK_JSON_INTEGER;
		pr->vptr = q - s == 2 && *s == '-' && s[1] == '0' ? "0" : s;
		pr->vlen = q - s == 2 && *s == '-' && s[1] == '0' ?
		    1 :
		    (size_t)(q - s);
		return FAST_OK;
	}
	pr->kind = MLK_JSON_REAL;
	pr->vptr = NULL;
	pr->voff = scratch->len;
	if (real == 2 || decimal_text(scratch, s, q)) {
		if (mlk_value_parse_float64(s, (size_t)(q - s), &d) || isinf(d))
			return FAST_NO;
		jsonl_add_real(scratch, d);
	}
	pr->vlen = scratch->len - pr->voff;
	return FAST_OK;
}

static const char *const words[] = { "true", "false", "null" };
static const enum mlk_json_kind word_kinds[] = {
	MLK_JSON_TRUE,
	MLK_JSON_FALSE,
	MLK_JSON_NULL,
};

int
jsonl_fast_line(struct mlk_jsonl_parser *p, const char *s, const char *e)
{
	struct strbuf *scr = &p->scratch;

	s = ws(s, e);
	if (s == e || *s != '{')
		return FAST_NO;
	s = ws(s + 1, e);
	if (s < e && *s == '}')
		return ws(s + 1, e) == e ? FAST_OK : FAST_NO;
	for (;;) {
		struct mlk_jsonl_pair *pr = jsonl_new_pair(p);

		if (s == e || *s != '"')
			return FAST_NO;
		s++;
		if (fast_string(scr, &s, e, &pr->kptr, &pr->koff, &pr->klen))
			return FAST_NO;
		s = ws(s, e);
		if (s == e || *s != ':')
			return FAST_NO;
		s = ws(s + 1, e);
		if (s == e)
			return FAST_NO;
		pr->vptr = s;
		switch (*s) {
		case '"':
			s++;
			pr->kind = MLK_JSON_STRING;
			if (fast_string(scr, &s, e, &pr->vptr, &pr->voff,
			        &pr->vlen))
				return FAST_NO;
			break;
		case 't':
		case 'f':
		case 'n': {
			int w = *s == 't' ? 0 : *s == 'f' ? 1 : 2;
			size_t n = strlen(words[w]);

			if ((size_t)(e - s) < n || memcmp(s, words[w], n) != 0)
				return FAST_NO;
			pr->kind = word_kinds[w];
			pr->vptr = w == 2 ? NULL : s;
			pr->vlen = w == 2 ? 0 : n;
			s += n;
			break;
		}
		default:
			if (fast_number(scr, &s, e, pr))
				return FAST_NO;
			break;
		}
		s = ws(s, e);
		if (s < e && *s == ',') {
			s = ws(s + 1, e);
			continue;
		}
		if (s < e && *s == '}')
			break;
		return FAST_NO;
	}
	return ws(s + 1, e) == e ? FAST_OK : FAST_NO;
}
