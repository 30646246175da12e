/*
 * Writing a string column chunk's values: PLAIN (the lengths, then the
 * bytes), CONST, or DICT (the distinct values in order of first
 * appearance, then a code a row through the integer encoder), whichever
 * is smallest unless one is forced.
 */
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "encode_impl.h"
#include "xmalloc.h"

/* Whether n bytes at s and t are the same; inline for short values. */
static inline int
same_bytes(const char *s, const char *t, size_t n)
{
	uint64_t a, b, c, e;
	uint32_t x, y, z, w;

	if (n > 16)
		return memcmp(s, t, n) == 0;
	/* two loads that overlap cover every byte, none past the end */
	if (n >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, t, 8);
		memcpy(&c, s + n - 8, 8);
		memcpy(&e, t + n - 8, 8);
		return ((a ^ b) | (c ^ e)) == 0;
	}
	if (n >= 4) {
		memcpy(&x, s, 4);
		memcpy(&y, t, 4);
		memcpy(&z, s + n - 4, 4);
		memcpy(&w, t + n - 4, 4);
		return ((x ^ y) | (z ^ w)) == 0;
	}
	for (size_t i = 0; i < n; i++)
		if (s[i] != t[i])
			return 0;
	return 1;
}

static inline uint64_t
load_le(const char *s, size_t n)
{
	uint64_t w = 0;

	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)(unsigned char)s[i] << (8 * i);
	return w;
}

/* Any good mix will do: the codes depend on the values' order only. */
static inline uint64_t
hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL * (n + 1), a, b;

	if (n >= 8) {
		const char *e = s + n - 8;

		for (; s < e; s += 8) {
			memcpy(&a, s, 8);
			h = (h ^ a) * 0xff51afd7ed558ccdULL;
			h ^= h >> 32;
		}
		memcpy(&a, e, 8);
		h ^= a;
	} else if (n >= 4) {
		uint32_t x, y;

		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		h ^= (uint64_t)x << 32 | y;
	} else {
		h ^= load_le(s, n);
	}
	b = h;
	b = (b ^ b >> 33) * 0xff51afd7ed558ccdULL;
	b = (b ^ b >> 33) * 0xc4ceb9fe1a85ec53ULL;
	return b ^ b >> 33;
}

/*
 * The distinct values in order of first appearance. A slot holds the
 * hash's high half and code + 1 (0 when empty), so that a probe reads the
 * slot alone until the hashes agree.
 */
struct dict {
	uint64_t *slot;
	size_t mask;
	size_t *row; /* row of each code's first appearance */
	const char **ptr; /* and its bytes */
	size_t *len;
	uint64_t *hash;
	size_t n, alloc;
	size_t bytes; /* PLAIN size of the values */
};

static void
dict_rehash(struct dict *d)
{
	d->mask = d->mask ? 2 * d->mask + 1 : 1023;
	free(d->slot);
	d->slot = xcalloc(d->mask + 1, sizeof(*d->slot));
	for (size_t c = 0; c < d->n; c++) {
		size_t i = d->hash[c] & d->mask;

		while (d->slot[i])
			i = (i + 1) & d->mask;
		d->slot[i] = (d->hash[c] & 0xffffffff00000000ULL) | (c + 1);
	}
}

/*
 * Codes the non-null values into codes[]; gives up (returns -1) once the
 * dictionary alone is as big as limit.
 */
static int
dict_build(const struct mlk_column *c, struct dict *d, int64_t *codes,
    size_t limit)
{
	size_t k = 0, pn = 0;
	const char *ps = NULL;

	memset(d, 0, sizeof(*d));
	dict_rehash(d);
	for (size_t r = 0; r < c->nrows; r++) {
		const char *s;
		size_t n, i;
		uint64_t h, e, tag;

		if (mlk_column_is_null(c, r))
			continue;
		s = mlk_column_get_str(c, r, &n);
		/* sorted or clustered data repeats the last value */
		if (k && n == pn && same_bytes(s, ps, n)) {
			codes[k] = codes[k - 1];
			k++;
			continue;
		}
		ps = s;
		pn = n;
		/*
		 * data that cycles through the same values (meters, hour
		 * after hour) has the code after the last one: tried first,
		 * its bytes next to the last one's, before hashing
		 */
		if (k && (size_t)codes[k - 1] + 1 < d->n) {
			size_t next = (size_t)codes[k - 1] + 1;

			if (d->len[next] == n &&
			    same_bytes(s, d->ptr[next], n)) {
				codes[k++] = (int64_t)next;
				continue;
			}
		}
		h = hash_bytes(s, n);
		tag = h & 0xffffffff00000000ULL;
		for (i = h & d->mask; (e = d->slot[i]) != 0;
		     i = (i + 1) & d->mask) {
			size_t code = (uint32_t)e - 1;

			if ((e & 0xffffffff00000000ULL) == tag &&
			    d->len[code] == n && same_bytes(s, d->ptr[code], n))
				break;
		}
		if (e == 0) {
			if (d->n >= UINT32_MAX - 1)
				return -1;
			if (d->n == d->alloc) {
				ALLOC_GROW(d->row, d->n + 1, d->alloc);
				d->hash = xreallocarray(d->hash, d->alloc,
				    sizeof(*d->hash));
				d->ptr = xreallocarray(d->ptr, d->alloc,
				    sizeof(*d->ptr));
				d->len = xreallocarray(d->len, d->alloc,
				    sizeof(*d->len));
			}
			d->row[d->n] = r;
			d->hash[d->n] = h;
			d->ptr[d->n] = s;
			d->len[d->n] = n;
			d->slot[i] = tag | ++d->n;
			d->bytes += mlk_enc_varint_len(n) + n;
			if (d->bytes >= limit)
				return -1;
			if (2 * d->n > d->mask)
				dict_rehash(d);
			codes[k++] = (int64_t)d->n - 1;
		} else {
			codes[k++] = (int64_t)(uint32_t)e - 1;
		}
	}
	return 0;
}

static void
dict_release(struct dict *d)
{
	free(d->slot);
	free(d->row);
	free(d->ptr);
	free(d->len);
	free(d->hash);
}

/* The lengths as varints, straight into sb's buffer. */
static void
put_lengths(struct strbuf *sb, const struct mlk_column *c, const size_t *rows,
    size_t n)
{
	uint8_t *o;
	size_t len;

	strbuf_grow(sb, 10 * n);
	o = (uint8_t *)sb->buf + sb->len;
	for (size_t i = 0, r = 0; i < n; i++, r++) {
		if (rows)
			r = rows[i];
		else
			while (mlk_column_is_null(c, r))
				r++;
		len = c->offsets[r + 1] - c->offsets[r];
		while (len >= 0x80) {
			*o++ = (uint8_t)(len | 0x80);
			len >>= 7;
		}
		*o++ = (uint8_t)len;
	}
	strbuf_setlen(sb, (size_t)((char *)o - sb->buf));
}

int
mlk_enc_put_strings(struct strbuf *sb, const struct mlk_column *c, size_t nvals,
    int enc)
{
	size_t plain = 0, k = 0, n, n0 = 0;
	const char *s, *s0 = NULL;
	int constant = 1, ret = -1;
	int64_t *codes = NULL;
	struct int_plan pl;
	struct dict d;

	memset(&d, 0, sizeof(d));
	for (size_t r = 0; r < c->nrows; r++) {
		if (mlk_column_is_null(c, r))
			continue;
		s = mlk_column_get_str(c, r, &n);
		if (k++ == 0) {
			s0 = s;
			n0 = n;
		} else if (constant) {
			constant = n == n0 && same_bytes(s, s0, n);
		}
		plain += mlk_enc_varint_len(n) + n;
	}
	if (enc == MLK_ENC_AUTO && constant)
		enc = MLK_ENC_CONST;
	if (enc == MLK_ENC_AUTO || enc == MLK_ENC_DICT) {
		codes = xreallocarray(NULL, nvals, sizeof(*codes));
		if (dict_build(c, &d, codes,
		        enc == MLK_ENC_DICT ? SIZE_MAX : plain) == 0) {
			mlk_enc_int_plan(codes, nvals, &pl);
			if (enc == MLK_ENC_DICT ||
			    d.bytes + pl.size + mlk_enc_varint_len(d.n) + 1 <
			        plain)
				enc = MLK_ENC_DICT;
		}
		if (enc == MLK_ENC_AUTO)
			enc = MLK_ENC_PLAIN;
	}
	switch (enc) {
	case MLK_ENC_PLAIN:
		/* nulls are empty, so the values' bytes are all of data */
		put_lengths(sb, c, NULL, nvals);
		strbuf_add(sb, c->data, c->data_len);
		break;
	case MLK_ENC_CONST:
		if (!constant)
			goto done;
		mlk_enc_put_varint(sb, n0);
		strbuf_add(sb, s0, n0);
		break;
	case MLK_ENC_DICT:
		if (d.n == 0)
			goto done;
		mlk_enc_put_varint(sb, d.n);
		put_lengths(sb, c, d.row, d.n);
		for (size_t i = 0; i < d.n; i++) {
			s = mlk_column_get_str(c, d.row[i], &n);
			strbuf_add(sb, s, n);
		}
		strbuf_addch(sb, (int)pl.enc);
		mlk_enc_put_ints(sb, codes, nvals, &pl);
		break;
	default:
		goto done;
	}
	ret = enc;
done:
	dict_release(&d);
	free(codes);
	return ret;
}
