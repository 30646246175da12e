/*
 * Private to the table diff module (tablediff.c, tablediff_schema.c,
 * tablediff_key.c): the state of one diff and the row bytes it compares.
 */
#ifndef MLK_TABLEDIFF_IMPL_H
#define MLK_TABLEDIFF_IMPL_H

#include <stdint.h>
#include <string.h>

#include "strbuf.h"
#include "tablediff.h"

/*
 * Rows are compared as bytes: each value is serialized as a tag byte (0
 * for a null, 1 for a value), then 8 bytes (integers, dates, timestamps,
 * float bits), 1 byte (bools), or a varint length and the bytes
 * (strings). An a row is its common values in common order, then its
 * other values in a's order; a key is its key values in key order.
 */

#define F_A 0x1 /* the key is in a row of a's own chunks */
#define F_B 0x2 /* ... in a row of b's own chunks */

struct entry {
	uint64_t hash;
	size_t key_off, key_len; /* in the arena */
	size_t row_off, common_len; /* a's row, keyed */
	unsigned flags;
	size_t na, matched; /* without a key: a's copies, paired */
};

/* The range of one key column's values in the rows compared. */
struct kbox {
	int has, has_null, has_nan;
	int64_t min_i, max_i;
	double min_f, max_f;
	struct strbuf min_s, max_s;
};

/* An a row, without a key: its entry and which copy of it it is. */
struct arow {
	size_t ent, occ, off;
};

struct ctx {
	struct mlk_store *s;
	const struct mlk_snapshot *a, *b;
	const struct mlk_diff_opts *o;
	struct mlk_table_diff *d;
	size_t ncommon;
	size_t *ca, *cb; /* per common column: a's, b's index */
	size_t *a_extra, na_extra; /* a's columns that are not common */
	unsigned char *a_shared, *b_shared;
	struct entry *ent;
	size_t nent, ent_alloc;
	size_t *slots, nslots; /* entry index + 1, or 0 */
	struct strbuf arena, row, key;
	struct arow *arows;
	size_t narows, arows_alloc;
	struct kbox *box; /* per key column, over own rows */
};

static inline uint64_t
hash_bytes(const unsigned char *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xff51afd7ed558ccdULL), v;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&v, p, 8);
		h = (h ^ v) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	v = 0;
	memcpy(&v, p, n);
	h = (h ^ v) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

static inline void
ser_cell(struct strbuf *sb, const struct mlk_column *c, size_t r)
{
	unsigned char buf[10];
	const char *p;
	size_t len, n = 0;

	if (mlk_column_is_null(c, r)) {
		strbuf_addch(sb, 0);
		return;
	}
	strbuf_addch(sb, 1);
	switch (c->type) {
	case MLK_T_FLOAT64:
		strbuf_add(sb, &c->f64[r], 8);
		return;
	case MLK_T_BOOL:
		strbuf_addch(sb, c->b[r]);
		return;
	case MLK_T_STRING:
		p = mlk_column_get_str(c, r, &len);
		for (size_t v = len;; v >>= 7) {
			buf[n++] =
			    (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
			if (v <= 0x7f)
				break;
		}
		strbuf_add(sb, buf, n);
		strbuf_add(sb, p, len);
		return;
	default:
		strbuf_add(sb, &c->i64[r], 8);
		return;
	}
}
/* tablediff_schema.c: the columns in common, the chunks both hold. */
struct mlk_error *tablediff_schemas(struct ctx *);
void tablediff_shared_chunks(struct ctx *);

/* tablediff_key.c: keyed diffs' duplicate keys and key ranges. */
void tablediff_box_row(struct ctx *, const struct mlk_column *,
    const size_t *map, size_t r);
struct mlk_error *tablediff_keyed_shared(struct ctx *);
struct mlk_error *tablediff_duplicate_row(struct ctx *,
    const struct mlk_column *, const size_t *map, size_t r,
    const char *version);

/* tablediff.c: the table of keys or rows, and reading chunks. */
void tablediff_copy_cell(struct mlk_column *dst, const struct mlk_column *src,
    size_t r);
long tablediff_find(struct ctx *, uint64_t h, const void *p, size_t n);
void tablediff_key_bytes(struct ctx *, const struct mlk_column *,
    const size_t *map, size_t r);
struct mlk_error *tablediff_read_chunk(struct ctx *,
    const struct mlk_snapshot *, size_t k, const size_t *want, size_t nwant,
    struct mlk_column *);
struct mlk_column *tablediff_columns_new(const struct mlk_schema *);
void tablediff_columns_free(struct mlk_column *, size_t n);

#endif
