/*
 * A fast path for the body clients send most: {"dataframe_split":
 * {"columns": [...], "data": [[...], ...]}} with plain values, scanned
 * straight into the columns without building a JSON tree. It takes a
 * strict subset of JSON (ASCII strings without escapes, numbers as JSON
 * writes them, columns before data, no index or params) and gives up on
 * anything else, the general parser then parsing the body again, so
 * that every error and every unusual body gets the same answer either
 * way.
 */
#include <stdlib.h>
#include <string.h>

#include "scoring_impl.h"
#include "value.h"
#include "xmalloc.h"

struct cur {
	const char *p, *end;
};

static inline __attribute__((always_inline)) void
ws(struct cur *c)
{
	while (c->p < c->end &&
	    (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static inline __attribute__((always_inline)) int
lit(struct cur *c, char ch)
{
	ws(c);
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return 1;
	}
	return 0;
}

/* A string of printable ASCII without escapes. */
static int
str(struct cur *c, const char **s, size_t *n)
{
	const char *q;

	ws(c);
	if (c->p >= c->end || *c->p != '"')
		return 0;
	q = ++c->p;
	while (c->p < c->end && *c->p != '"') {
		unsigned char u = (unsigned char)*c->p;

		if (u == '\\' || u < 0x20 || u >= 0x80)
			return 0;
		c->p++;
	}
	if (c->p >= c->end)
		return 0;
	*s = q;
	*n = (size_t)(c->p - q);
	c->p++;
	return 1;
}

static int
key(struct cur *c, const char *k)
{
	const char *s;
	size_t n;

	return str(c, &s, &n) && n == strlen(k) && memcmp(s, k, n) == 0 &&
	    lit(c, ':');
}

static int
word(struct cur *c, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0)
		return 0;
	c->p += n;
	return 1;
}

/* One value into col, or skipped when col is NULL; 0 to give up. */
static inline __attribute__((always_inline)) int
value(struct cur *c, struct mlk_column *col)
{
	const char *s;
	size_t n;
	double x;
	int32_t d;
	int64_t t;
	int b;

	ws(c);
	if (c->p >= c->end)
		return 0;
	switch (*c->p) {
	case '"':
		if (!str(c, &s, &n))
			return 0;
		if (col == NULL)
			return 1;
		if (col->type == MLK_T_STRING)
			mlk_column_append_str(col, s, n);
		else if (col->type == MLK_T_DATE &&
		    mlk_value_parse_date(s, n, &d) == 0)
			mlk_column_append_i64(col, d);
		else if (col->type == MLK_T_TIMESTAMP &&
		    mlk_value_parse_timestamp(s, n, &t) == 0)
			mlk_column_append_i64(col, t);
		else
			return 0;
		return 1;
	case 'n':
		if (!word(c, "null"))
			return 0;
		if (col)
			mlk_column_append_null(col);
		return 1;
	case 't':
	case 'f':
		b = *c->p == 't';
		if (!word(c, b ? "true" : "false"))
			return 0;
		if (col == NULL)
			return 1;
		if (col->type != MLK_T_BOOL)
			return 0;
		mlk_column_append_bool(col, b);
		return 1;
	default:
		if (!scoring_num_scan(&c->p, c->end, &x))
			return 0;
		if (col == NULL)
			return 1;
		if (col->type != MLK_T_FLOAT64)
			return 0;
		mlk_column_append_f64(col, x);
		return 1;
	}
}

/*
 * Room in every column for the rows the rest of the body holds if they
 * are as long as the first one (row bytes of left), so that the columns
 * grow once.
 */
static void
reserve(struct mlk_scoring_frame *fr, size_t row, size_t left)
{
	size_t n = left / (row ? row : 1) + 2;

	if (n > 65536)
		n = 65536;
	for (size_t f = 0; f < fr->ncols; f++)
		mlk_column_reserve(&fr->cols[f], n, 0);
}

/* map, full at *alloc entries, with room for twice as many. */
static long *
grow_map(long *map, const long *map_buf, size_t *alloc)
{
	long *to = xreallocarray(NULL, *alloc * 2, sizeof(*map));

	memcpy(to, map, *alloc * sizeof(*map));
	if (map != map_buf)
		free(map);
	*alloc *= 2;
	return to;
}

int
scoring_fast_split(const struct mlk_model *m, const char *body, size_t len,
    double deadline, struct mlk_scoring_frame *fr)
{
	struct cur c = { body, body + len };
	/* column j feeds feature map[j], or -1; on the stack when few */
	long map_buf[32], *map = map_buf;
	int found_buf[32] = { 0 };
	int *found = m->nfeatures < 32 ?
	    found_buf :
	    xcalloc(m->nfeatures + 1, sizeof(*found));
	size_t ncols = 0, alloc = 32, rows = 0, nfound = 0;
	int ok = 0;
	const char *s;
	size_t n;

	if (!lit(&c, '{') || !key(&c, "dataframe_split") || !lit(&c, '{') ||
	    !key(&c, "columns") || !lit(&c, '['))
		goto done;
	if (!lit(&c, ']')) {
		do {
			if (!str(&c, &s, &n))
				goto done;
			if (ncols == alloc)
				map = grow_map(map, map_buf, &alloc);
			map[ncols] = -1;
			for (size_t f = 0; f < m->nfeatures; f++)
				if (!found[f] &&
				    strlen(m->features[f].name) == n &&
				    memcmp(m->features[f].name, s, n) == 0) {
					found[f] = 1;
					nfound++;
					map[ncols] = (long)f;
					break;
				}
			ncols++;
		} while (lit(&c, ','));
		if (!lit(&c, ']'))
			goto done;
	}
	if (nfound != m->nfeatures || !lit(&c, ',') || !key(&c, "data") ||
	    !lit(&c, '['))
		goto done;
	if (!lit(&c, ']')) {
		do {
			const char *row = c.p;

			if (!lit(&c, '['))
				goto done;
			for (size_t j = 0; j < ncols; j++)
				if ((j && !lit(&c, ',')) ||
				    !value(&c,
				        map[j] < 0 ? NULL : &fr->cols[map[j]]))
					goto done;
			if (!lit(&c, ']'))
				goto done;
			if (rows == 0)
				reserve(fr, (size_t)(c.p - row),
				    (size_t)(c.end - c.p));
			if (scoring_expired(fr, deadline, rows++)) {
				ok = -1;
				goto done;
			}
		} while (lit(&c, ','));
		if (!lit(&c, ']'))
			goto done;
	}
	if (!lit(&c, '}') || !lit(&c, '}'))
		goto done;
	ws(&c);
	if (c.p != c.end)
		goto done;
	fr->nrows = rows;
	ok = 1;
done:
	if (map != map_buf)
		free(map);
	if (found != found_buf)
		free(found);
	return ok;
}
