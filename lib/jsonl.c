#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "value.h"
#include "xmalloc.h"

/*
 * A key and value of the line being read. Text lives in the input (ptr
 * set) or in the scratch buffer at an offset, resolved once the line is
 * done and scratch no longer moves.
 */
struct mlk_jsonl_pair {
	const char *kptr, *vptr;
	size_t koff, klen, voff, vlen;
	enum mlk_json_kind kind;
	size_t pred; /* the column at this position last row */
};

enum { FAST_OK = 0, FAST_NO = -1 };
enum { COMMIT_OK, COMMIT_DUP, COMMIT_TOO_MANY };

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
static const char esc_from[] = "\"\\/bfnrt", esc_to[] = "\"\\/\b\f\n\r\t";

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
		if ((hit = memchr(esc_from, bs[1], 8))) {
			strbuf_addch(sb, esc_to[hit - esc_from]);
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

/* A real's text: exact, and never mistaken for an integer. */
static void
add_real(struct strbuf *sb, double d)
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
 * The text add_real() would give for a decimal without exponent, made
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
		add_real(scratch, d);
	}
	pr->vlen = scratch->len - pr->voff;
	return FAST_OK;
}

static struct mlk_jsonl_pair *
new_pair(struct mlk_jsonl_parser *p)
{
	struct mlk_jsonl_pair *pr;

	if (p->npairs == p->pairs_alloc) {
		size_t old = p->pairs_alloc;

		ALLOC_GROW(p->pairs, p->npairs + 1, p->pairs_alloc);
		for (size_t i = old; i < p->pairs_alloc; i++)
			p->pairs[i].pred = SIZE_MAX;
	}
	pr = &p->pairs[p->npairs++];
	pr->kptr = pr->vptr = NULL;
	return pr;
}

static const char *const words[] = { "true", "false", "null" };
static const enum mlk_json_kind word_kinds[] = {
	MLK_JSON_TRUE,
	MLK_JSON_FALSE,
	MLK_JSON_NULL,
};

/* The usual line: one flat object. FAST_NO for anything else. */
static int
fast_line(struct mlk_jsonl_parser *p, const char *s, const char *e)
{
	struct strbuf *scr = &p->scratch;

	s = ws(s, e);
	if (s == e || *s != '{')
		return FAST_NO;
	s = ws(s + 1, e);
	if (s < e && *s == '}')
		return ws(s + 1, e) == e ? FAST_OK : FAST_NO;
	for (;;) {
		struct mlk_jsonl_pair *pr = new_pair(p);

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

static void
add_json_string(struct strbuf *sb, const char *s, size_t n)
{
	strbuf_addch(sb, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *hit = c && c != '/' ? memchr(esc_to, c, 8) : NULL;

		if (hit)
			strbuf_addf(sb, "\\%c", esc_from[hit - esc_to]);
		else if (c < 0x20)
			strbuf_addf(sb, "\\u%04x", c);
		else
			strbuf_addch(sb, c);
	}
	strbuf_addch(sb, '"');
}

/* Compact JSON, keys in their order; depth is bounded by jansson's. */
static void
add_json(struct strbuf *sb, json_t *v)
{
	char buf[MLK_VALUE_FMT_MAX];
	const char *sep = "";

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		strbuf_addch(sb, '{');
		for (void *it = json_object_iter(v); it;
		     it = json_object_iter_next(v, it)) {
			strbuf_addstr(sb, sep);
			add_json_string(sb, json_object_iter_key(it),
			    json_object_iter_key_len(it));
			strbuf_addch(sb, ':');
			add_json(sb, json_object_iter_value(it));
			sep = ",";
		}
		strbuf_addch(sb, '}');
		break;
	case JSON_ARRAY:
		strbuf_addch(sb, '[');
		for (size_t i = 0; i < json_array_size(v); i++) {
			strbuf_addstr(sb, sep);
			add_json(sb, json_array_get(v, i));
			sep = ",";
		}
		strbuf_addch(sb, ']');
		break;
	case JSON_STRING:
		add_json_string(sb, json_string_value(v),
		    json_string_length(v));
		break;
	case JSON_INTEGER:
		strbuf_add(sb, buf,
		    mlk_value_format_int64(buf, json_integer_value(v)));
		break;
	case JSON_REAL:
		add_real(sb, json_real_value(v));
		break;
	case JSON_TRUE:
		strbuf_addstr(sb, "true");
		break;
	case JSON_FALSE:
		strbuf_addstr(sb, "false");
		break;
	case JSON_NULL:
		strbuf_addstr(sb, "null");
		break;
	}
}

/* Any line, through jansson: 0, or -1 with the reason in p->reason. */
static int
slow_line(struct mlk_jsonl_parser *p, const char *s, size_t n)
{
	static const enum mlk_json_kind kinds[] = {
		[JSON_OBJECT] = MLK_JSON_OBJECT,
		[JSON_ARRAY] = MLK_JSON_ARRAY,
		[JSON_STRING] = MLK_JSON_STRING,
		[JSON_INTEGER] = MLK_JSON_INTEGER,
		[JSON_REAL] = MLK_JSON_REAL,
		[JSON_TRUE] = MLK_JSON_TRUE,
		[JSON_FALSE] = MLK_JSON_FALSE,
		[JSON_NULL] = MLK_JSON_NULL,
	};
	struct strbuf *scr = &p->scratch;
	json_error_t je;
	json_t *root = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);

	if (root == NULL) {
		strbuf_addf(&p->reason, "column %d: %s", je.column, je.text);
		return -1;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		strbuf_addstr(&p->reason, "expected a JSON object");
		return -1;
	}
	for (void *it = json_object_iter(root); it;
	     it = json_object_iter_next(root, it)) {
		struct mlk_jsonl_pair *pr = new_pair(p);
		json_t *v = json_object_iter_value(it);

		pr->koff = scr->len;
		pr->klen = json_object_iter_key_len(it);
		strbuf_add(scr, json_object_iter_key(it), pr->klen);
		pr->kind = kinds[json_typeof(v)];
		pr->voff = scr->len;
		if (json_is_string(v))
			strbuf_add(scr, json_string_value(v),
			    json_string_length(v));
		else if (!json_is_null(v))
			add_json(scr, v);
		pr->vlen = scr->len - pr->voff;
	}
	json_decref(root);
	return 0;
}

static uint64_t
hash_key(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static void
hash_insert(struct mlk_jsonl_parser *p, size_t col)
{
	size_t mask = p->hash_size - 1;
	size_t i = hash_key(p->names[col], p->namelens[col]) & mask;

	while (p->hash[i])
		i = (i + 1) & mask;
	p->hash[i] = (uint32_t)col + 1;
}

static void
hash_rebuild(struct mlk_jsonl_parser *p, size_t size)
{
	free(p->hash);
	p->hash_size = size;
	p->hash = xcalloc(size, sizeof(*p->hash));
	for (size_t c = 0; c < p->ncols; c++)
		hash_insert(p, c);
}

/* The column named k, added if new; SIZE_MAX past the limit. */
static size_t
column(struct mlk_jsonl_parser *p, const char *k, size_t n)
{
	size_t mask = p->hash_size - 1, i = hash_key(k, n) & mask, col;

	for (; p->hash[i]; i = (i + 1) & mask) {
		col = p->hash[i] - 1;
		if (p->namelens[col] == n && memcmp(p->names[col], k, n) == 0)
			return col;
	}
	if (p->ncols >= p->max_columns)
		return SIZE_MAX;
	col = p->ncols++;
	ALLOC_GROW(p->names, p->ncols, p->names_alloc);
	p->namelens =
	    xreallocarray(p->namelens, p->names_alloc, sizeof(*p->namelens));
	p->names[col] = xstrndup(k, n);
	p->namelens[col] = n;
	if (p->ncols > p->vals_alloc) {
		size_t old = p->vals_alloc;

		ALLOC_GROW(p->vals, p->ncols, p->vals_alloc);
		p->seen = xrealloc(p->seen, p->vals_alloc);
		memset(p->vals + old, 0,
		    (p->vals_alloc - old) * sizeof(*p->vals));
		memset(p->seen + old, 0, p->vals_alloc - old);
	}
	if (p->ncols * 2 > p->hash_size)
		hash_rebuild(p, p->hash_size * 2);
	else
		hash_insert(p, col);
	return col;
}

static void
reset_row(struct mlk_jsonl_parser *p)
{
	for (size_t i = 0; i < p->nset; i++) {
		p->vals[p->set[i]] = (struct mlk_jsonl_value){ NULL, 0, 0 };
		p->seen[p->set[i]] = 0;
	}
	p->nset = 0;
}

/* Puts the line's pairs into their columns. */
static int
commit(struct mlk_jsonl_parser *p)
{
	size_t ncols = p->ncols;
	const char *scr = p->scratch.buf;

	for (size_t i = 0; i < p->npairs; i++) {
		struct mlk_jsonl_pair *pr = &p->pairs[i];
		const char *k = pr->kptr ? pr->kptr : scr + pr->koff;
		size_t col = pr->pred;
		struct mlk_jsonl_value *v;

		if (col >= p->ncols || p->namelens[col] != pr->klen ||
		    memcmp(p->names[col], k, pr->klen) != 0)
			col = column(p, k, pr->klen);
		if (col == SIZE_MAX || p->seen[col]) {
			reset_row(p);
			while (p->ncols > ncols)
				free(p->names[--p->ncols]);
			hash_rebuild(p, p->hash_size);
			return col == SIZE_MAX ? COMMIT_TOO_MANY : COMMIT_DUP;
		}
		pr->pred = col;
		p->seen[col] = 1;
		ALLOC_GROW(p->set, p->nset + 1, p->set_alloc);
		p->set[p->nset++] = col;
		v = &p->vals[col];
		v->kind = pr->kind;
		v->len = pr->vlen;
		v->ptr = pr->kind == MLK_JSON_NULL ? NULL :
		    pr->vptr                       ? pr->vptr :
		                                     scr + pr->voff;
	}
	return COMMIT_OK;
}

static int
blank(const char *s, const char *e)
{
	while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	return s == e;
}

/* Parses one line into the row: 0, or -1 with the reason set. */
static int
parse_line(struct mlk_jsonl_parser *p, const char *s, const char *e)
{
	int rc;

	strbuf_reset(&p->scratch);
	p->npairs = 0;
	if (!(p->flags & MLK_JSONL_NO_FAST) && fast_line(p, s, e) == FAST_OK) {
		if ((rc = commit(p)) == COMMIT_TOO_MANY)
			goto too_many;
		if (rc == COMMIT_OK)
			return 0;
		/* A duplicate key: jansson says so in its words. */
		strbuf_reset(&p->scratch);
	}
	p->npairs = 0;
	if (slow_line(p, s, (size_t)(e - s)))
		return -1;
	if ((rc = commit(p)) == COMMIT_OK)
		return 0;
	if (rc == COMMIT_DUP) {
		strbuf_addstr(&p->reason, "duplicate object key");
		return -1;
	}
too_many:
	strbuf_addf(&p->reason, "more than %zu columns", p->max_columns);
	return -1;
}

struct mlk_error *
mlk_jsonl_next(struct mlk_jsonl_parser *p, const struct mlk_jsonl_row **out)
{
	*out = NULL;
	reset_row(p);
	while (!p->failed && p->pos < p->len) {
		const char *s = p->buf + p->pos, *e;
		const char *nl = memchr(s, '\n', p->len - p->pos);
		uint64_t line = p->line++;

		e = nl ? nl : p->buf + p->len;
		p->pos = (size_t)(e - p->buf) + (nl != NULL);
		if (blank(s, e))
			continue;
		strbuf_reset(&p->reason);
		p->row = (struct mlk_jsonl_row){ line, s,
			(size_t)(e - s) - (e > s && e[-1] == '\r'), NULL, 0,
			p->vals };
		if (parse_line(p, s, e)) {
			if (!(p->flags & MLK_JSONL_KEEP_BAD)) {
				p->failed = 1;
				return mlk_error_new(MLK_ERR_PARSE,
				    "line %llu%s%s", (unsigned long long)line,
				    strncmp(p->reason.buf, "column ", 7) ?
				        ": " :
				        ", ",
				    p->reason.buf);
			}
			p->row.bad = p->reason.buf;
		}
		p->row.ncols = p->ncols;
		p->row.vals = p->vals;
		*out = &p->row;
		return NULL;
	}
	return NULL;
}

void
mlk_jsonl_init(struct mlk_jsonl_parser *p, const char *buf, size_t len,
    unsigned flags)
{
	memset(p, 0, sizeof(*p));
	p->buf = buf ? buf : "";
	p->len = buf ? len : 0;
	p->flags = flags;
	p->max_columns = MLK_JSONL_MAX_COLUMNS;
	strbuf_init(&p->scratch, 0);
	strbuf_init(&p->reason, 0);
	hash_rebuild(p, 64);
	mlk_jsonl_start_line(p, 1);
	if (p->len >= 3 && memcmp(p->buf, "\xef\xbb\xbf", 3) == 0)
		p->pos = p->start = 3;
}

void
mlk_jsonl_start_line(struct mlk_jsonl_parser *p, uint64_t line)
{
	p->line = p->start_line = line;
	p->pos = p->start = 0;
}

void
mlk_jsonl_set_max_columns(struct mlk_jsonl_parser *p, size_t n)
{
	p->max_columns = n;
}

void
mlk_jsonl_rewind(struct mlk_jsonl_parser *p)
{
	reset_row(p);
	p->pos = p->start;
	p->line = p->start_line;
	p->failed = 0;
}

size_t
mlk_jsonl_ncols(const struct mlk_jsonl_parser *p)
{
	return p->ncols;
}

const char *
mlk_jsonl_column(const struct mlk_jsonl_parser *p, size_t i)
{
	return i < p->ncols ? p->names[i] : NULL;
}

void
mlk_jsonl_release(struct mlk_jsonl_parser *p)
{
	for (size_t i = 0; i < p->ncols; i++)
		free(p->names[i]);
	free(p->names);
	free(p->namelens);
	free(p->hash);
	free(p->vals);
	free(p->seen);
	free(p->pairs);
	free(p->set);
	strbuf_release(&p->scratch);
	strbuf_release(&p->reason);
	memset(p, 0, sizeof(*p));
}
