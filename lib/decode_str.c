/*
 * Reading encoded string columns back: every row's string, or a
 * dictionary and a code a row (mlk_column_decode_dict), checked alike.
 */
#include <stdlib.h>
#include <string.h>

#include "decode_impl.h"
#include "xmalloc.h"

struct sref {
	const uint8_t *p;
	size_t n;
};

static int
add_len(struct rd *r, size_t *total, size_t n)
{
	if (n > MLK_COLUMN_MAX_DATA - *total)
		return bad(r, "strings too large");
	*total += n;
	return 0;
}

/* A DICT's dictionary: n lengths, then the bytes. */
static int
get_str_plain(struct rd *r, struct sref *v, size_t n)
{
	size_t total = 0;
	const uint8_t *p;

	if (n > left(r))
		return bad(r, "truncated");
	for (size_t i = 0; i < n; i++)
		if (get_size(r, &v[i].n) < 0 || add_len(r, &total, v[i].n) < 0)
			return -1;
	if (get_bytes(r, total, &p) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		v[i].p = p;
		p += v[i].n;
	}
	return 0;
}

/*
 * PLAIN strings: the lengths go straight into the offsets, and since
 * nulls are empty the bytes are the column's data as they stand.
 */
static int
get_plain(struct rd *r, struct mlk_column *c, size_t nvals)
{
	size_t total = 0, len;
	const uint8_t *p;

	if (nvals > left(r))
		return bad(r, "truncated");
	for (size_t i = 0; i < c->nrows; i++) {
		if (!mlk_column_is_null(c, i) &&
		    (get_size(r, &len) < 0 || add_len(r, &total, len) < 0))
			return -1;
		c->offsets[i + 1] = total;
	}
	if (get_bytes(r, total, &p) < 0)
		return -1;
	mlk_column_reserve(c, c->nrows, total);
	if (total)
		memcpy(c->data, p, total);
	c->data_len = total;
	return 0;
}

/*
 * CONST or DICT: the values come from a short list, value k from
 * list[index[k]], or list[0] when index is NULL.
 */
/* memcpy for the short values strings mostly are, without a call. */
static inline void
copy_short(char *d, const char *s, size_t n)
{
	uint64_t a, b;
	uint32_t x, y;

	if (n >= 8 && n <= 16) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4 && n < 8) {
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		memcpy(d, &x, 4);
		memcpy(d + n - 4, &y, 4);
	} else if (n > 16) {
		memcpy(d, s, n);
	} else {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	}
}

static int
get_indexed(struct rd *r, struct mlk_column *c, const struct sref *list,
    size_t nlist, const int64_t *index)
{
	size_t total = 0, k = 0;

	for (size_t i = 0; i < c->nrows; i++) {
		uint64_t at;

		if (mlk_column_is_null(c, i))
			continue;
		at = index ? (uint64_t)index[k++] : 0;
		if (at >= nlist)
			return bad(r, "dictionary index out of range");
		if (add_len(r, &total, list[at].n) < 0)
			return -1;
	}
	mlk_column_reserve(c, c->nrows, total);
	k = 0;
	for (size_t i = 0; i < c->nrows; i++) {
		if (!mlk_column_is_null(c, i)) {
			const struct sref *v = &list[index ? index[k++] : 0];

			copy_short(c->data + c->data_len, (const char *)v->p,
			    v->n);
			c->data_len += v->n;
		}
		c->offsets[i + 1] = c->data_len;
	}
	return 0;
}

/* Room for n more bytes of string data, growing by doubling. */
static void
data_room(struct mlk_column *c, size_t n)
{
	size_t a = c->data_alloc < 256 ? 256 : c->data_alloc;

	if (n <= c->data_alloc - c->data_len)
		return;
	while (a - c->data_len < n)
		a *= 2;
	mlk_column_reserve(c, c->nrows, a);
}

/*
 * DICT's codes, a block at a time: coded_next() gives the next block in
 * at, m of them, having checked it before the caller uses it (each code
 * against the list; the bytes of their strings, added to total, which may
 * not pass the limit of a column's data).
 */
struct coded {
	struct ints it;
	const struct sref *list;
	size_t nlist, total;
	uint64_t at[BLOCK];
	size_t m, bytes; /* the block's codes, their strings' bytes */
};

static int
coded_start(struct rd *r, struct coded *cd, const struct sref *list,
    size_t nlist, unsigned inner, size_t nvals)
{
	cd->list = list;
	cd->nlist = nlist;
	cd->total = 0;
	return dec_ints_start(r, inner, nvals, &cd->it);
}

/* 1 with the next block in cd, 0 at the end, -1 on an error. */
static int
coded_next(struct rd *r, struct coded *cd)
{
	cd->bytes = 0;
	if (dec_ints_next(r, &cd->it, cd->at, &cd->m) < 0)
		return -1;
	for (size_t i = 0; i < cd->m; i++) {
		if (cd->at[i] >= cd->nlist)
			return bad(r, "dictionary index out of range");
		cd->bytes += cd->list[cd->at[i]].n;
	}
	if (add_len(r, &cd->total, cd->bytes) < 0)
		return -1;
	return cd->m > 0;
}

/* DICT's rows: the strings of the codes, a checked block at a time. */
static int
get_coded(struct rd *r, struct mlk_column *c, const struct sref *list,
    size_t nlist, unsigned inner, size_t nvals)
{
	struct coded cd;
	size_t row = 0;
	int more;

	if (coded_start(r, &cd, list, nlist, inner, nvals) < 0)
		return -1;
	while ((more = coded_next(r, &cd)) > 0) {
		data_room(c, cd.bytes);
		for (size_t i = 0; i < cd.m; i++) {
			const struct sref *v = &list[cd.at[i]];

			while (mlk_column_is_null(c, row))
				c->offsets[++row] = c->data_len;
			copy_short(c->data + c->data_len, (const char *)v->p,
			    v->n);
			c->data_len += v->n;
			c->offsets[++row] = c->data_len;
		}
	}
	if (more < 0)
		return -1;
	while (row < c->nrows)
		c->offsets[++row] = c->data_len;
	return 0;
}

int
dec_get_strings(struct rd *r, unsigned enc, struct mlk_column *c, size_t nvals)
{
	struct sref one, *dict = NULL;
	unsigned inner;
	size_t nd;
	int ret = -1;

	switch (enc) {
	case MLK_ENC_PLAIN:
		return get_plain(r, c, nvals);
	case MLK_ENC_CONST:
		if (get_size(r, &one.n) < 0 || get_bytes(r, one.n, &one.p) < 0)
			return -1;
		if (one.n && nvals > MLK_COLUMN_MAX_DATA / one.n)
			return bad(r, "strings too large");
		return get_indexed(r, c, &one, 1, NULL);
	case MLK_ENC_DICT:
		if (get_size(r, &nd) < 0)
			return -1;
		if (nd == 0 || nd > nvals)
			return bad(r, "bad dictionary size");
		dict = xreallocarray(NULL, nd, sizeof(*dict));
		if (get_str_plain(r, dict, nd) == 0 && get_u8(r, &inner) == 0)
			ret = get_coded(r, c, dict, nd, inner, nvals);
		break;
	default:
		return bad(r, "bad string encoding");
	}
	free(dict);
	return ret;
}

/* The codes of DICT's or CONST's rows, nulls UINT32_MAX; sizes checked. */
static int
get_codes(struct rd *r, const struct mlk_encoded_header *h, const uint8_t *mask,
    const struct sref *list, size_t nlist, unsigned inner, uint32_t *codes)
{
	size_t nvals = h->rows - h->nulls, row = 0;
	struct coded cd;
	int more;

	if (h->encoding == MLK_ENC_CONST) {
		/* the checks get_strings makes, so both refuse alike */
		if (list[0].n && nvals > MLK_COLUMN_MAX_DATA / list[0].n)
			return bad(r, "strings too large");
		for (size_t i = 0; i < h->rows; i++)
			codes[i] = mask && (mask[i >> 3] >> (i & 7) & 1) ?
			    UINT32_MAX :
			    0;
		return 0;
	}
	if (coded_start(r, &cd, list, nlist, inner, nvals) < 0)
		return -1;
	while ((more = coded_next(r, &cd)) > 0)
		for (size_t i = 0; i < cd.m; i++) {
			while (mask && (mask[row >> 3] >> (row & 7) & 1))
				codes[row++] = UINT32_MAX;
			codes[row++] = (uint32_t)cd.at[i];
		}
	if (more < 0)
		return -1;
	while (row < h->rows)
		codes[row++] = UINT32_MAX;
	return 0;
}

struct mlk_error *
mlk_column_decode_dict(const void *buf, size_t len, size_t max_rows,
    struct mlk_column *dict, uint32_t *codes, size_t *nrows, int *done)
{
	struct rd r = { buf, (const uint8_t *)buf + len, NULL };
	struct mlk_encoded_header h;
	struct sref one, *list = &one;
	const uint8_t *mask = NULL;
	size_t nd = 1, bytes = 0;
	unsigned inner = 0;

	*done = 0;
	*nrows = 0;
	if (dec_get_header(&r, &h) < 0)
		return dec_corrupt(&r);
	if (h.type != MLK_T_STRING || h.nulls == h.rows ||
	    (h.encoding != MLK_ENC_DICT && h.encoding != MLK_ENC_CONST))
		return NULL;
	if (h.rows > max_rows) {
		bad(&r, "more rows than expected");
	} else if (dec_get_mask(&r, &h, &mask) < 0) {
		/* r.why says */
	} else if (h.encoding == MLK_ENC_CONST) {
		if (get_size(&r, &one.n) == 0)
			get_bytes(&r, one.n, &one.p);
	} else if (get_size(&r, &nd) < 0) {
		/* r.why says */
	} else if (nd == 0 || nd > h.rows - h.nulls) {
		bad(&r, "bad dictionary size");
	} else if (nd >= UINT32_MAX) {
		return NULL;
	} else {
		list = xreallocarray(NULL, nd, sizeof(*list));
		if (get_str_plain(&r, list, nd) == 0)
			get_u8(&r, &inner);
	}
	if (!r.why)
		get_codes(&r, &h, mask, list, nd, inner, codes);
	if (!r.why && r.p != r.end)
		bad(&r, "trailing bytes");
	if (!r.why) {
		mlk_column_reset(dict);
		for (size_t i = 0; i < nd; i++)
			bytes += list[i].n;
		mlk_column_reserve(dict, nd, bytes);
		for (size_t i = 0; i < nd; i++)
			mlk_column_append_str(dict, (const char *)list[i].p,
			    list[i].n);
	}
	if (list != &one)
		free(list);
	if (r.why)
		return dec_corrupt(&r);
	*nrows = h.rows;
	*done = 1;
	return NULL;
}
