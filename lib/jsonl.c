/*
 * The JSON lines reader: lines into rows, keys into columns; a line is
 * read by jsonl_fast.c or, failing that, jsonl_json.c.
 */
#include <stdlib.h>
#include <string.h>

#include "jsonl_impl.h"

enum { COMMIT_OK, COMMIT_DUP, COMMIT_TOO_MANY };

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
	if (!(p->flags & MLK_JSONL_NO_FAST) &&
	    jsonl_fast_line(p, s, e) == FAST_OK) {
		if ((rc = commit(p)) == COMMIT_TOO_MANY)
			goto too_many;
		if (rc == COMMIT_OK)
			return 0;
		/* A duplicate key: jansson says so in its words. */
		strbuf_reset(&p->scratch);
	}
	p->npairs = 0;
	if (jsonl_slow_line(p, s, (size_t)(e - s)))
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
