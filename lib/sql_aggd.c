#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sql_agg_impl.h"
#include "strbuf.h"
#include "xmalloc.h"

#define EMPTY UINT32_MAX

/* key: the value's bits, or for a string its offset in the arena. */
struct aggd_entry {
	uint64_t hash;
	uint64_t key;
	uint32_t group;
	uint32_t len;
};

struct aggd_set {
	enum mlk_type type;
	struct aggd_entry *e;
	size_t cap, n;
	struct strbuf arena;
};

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

static uint64_t
hash_bytes(const char *s, size_t n)
{
	uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ n;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		h = (h ^ mix(w)) * UINT64_C(0x100000001b3);
	}
	if (i < n) {
		uint64_t w = 0;

		memcpy(&w, s + i, n - i);
		h = (h ^ mix(w)) * UINT64_C(0x100000001b3);
	}
	return mix(h);
}

struct aggd_set *
aggd_set_new(enum mlk_type type)
{
	struct aggd_set *s = xcalloc(1, sizeof(*s));

	s->type = type;
	strbuf_init(&s->arena, 0);
	return s;
}

void
aggd_set_free(struct aggd_set *s)
{
	if (s == NULL)
		return;
	free(s->e);
	strbuf_release(&s->arena);
	free(s);
}

static void
rehash(struct aggd_set *s)
{
	size_t cap = s->cap ? s->cap * 2 : 1024;
	struct aggd_entry *e = xmalloc(cap * sizeof(*e));

	for (size_t i = 0; i < cap; i++)
		e[i].group = EMPTY;
	for (size_t i = 0; i < s->cap; i++) {
		size_t j;

		if (s->e[i].group == EMPTY)
			continue;
		j = s->e[i].hash & (cap - 1);
		while (e[j].group != EMPTY)
			j = (j + 1) & (cap - 1);
		e[j] = s->e[i];
	}
	free(s->e);
	s->e = e;
	s->cap = cap;
}

/* The value of row r as 64 bits: -0.0 is 0.0 and every NaN one NaN. */
static uint64_t
key_of(const struct mlk_column *c, size_t r)
{
	uint64_t k;
	double d;

	switch (c->type) {
	case MLK_T_FLOAT64:
		d = c->f64[r];
		if (d == 0)
			d = 0;
		else if (d != d)
			d = NAN;
		memcpy(&k, &d, sizeof(k));
		return k;
	case MLK_T_BOOL:
		return c->b[r];
	default:
		return (uint64_t)c->i64[r];
	}
}

/* 1 when (g, row r of c) is new, and adds it. */
static int
insert(struct aggd_set *s, const struct mlk_column *c, size_t r, uint32_t g)
{
	const char *str = NULL;
	size_t len = 0, j;
	uint64_t h, k = 0;

	if (s->n * 2 >= s->cap)
		rehash(s);
	if (c->type == MLK_T_STRING) {
		str = mlk_column_get_str(c, r, &len);
		h = hash_bytes(str, len) ^ mix(g + UINT64_C(1));
	} else {
		k = key_of(c, r);
		h = mix(k ^ mix((uint64_t)g << 1 | 1));
	}
	for (j = h & (s->cap - 1); s->e[j].group != EMPTY;
	     j = (j + 1) & (s->cap - 1)) {
		const struct aggd_entry *e = &s->e[j];

		if (e->hash != h || e->group != g)
			continue;
		if (str == NULL ? e->key == k :
		                  e->len == len &&
		            memcmp(s->arena.buf + e->key, str, len) == 0)
			return 0;
	}
	if (str) {
		k = s->arena.len;
		strbuf_add(&s->arena, str, len);
	}
	s->e[j].hash = h;
	s->e[j].key = k;
	s->e[j].group = g;
	s->e[j].len = (uint32_t)len;
	s->n++;
	return 1;
}

void
aggd_filter(struct aggd_set *s, const struct mlk_column *arg,
    const uint32_t *group, const uint8_t *keep, size_t nrows, uint8_t *out)
{
	for (size_t r = 0; r < nrows; r++)
		out[r] = (keep == NULL || keep[r]) &&
		    !mlk_column_is_null(arg, r) && insert(s, arg, r, group[r]);
}

struct mlk_error *
aggd_merge(struct mlk_sql_aggstate *into, const struct mlk_sql_aggstate *from,
    const uint32_t *map)
{
	const struct aggd_set *s = from->dist;
	struct mlk_column c;
	uint32_t *group = xmalloc((s->n + 1) * sizeof(*group));
	uint8_t *keep = xmalloc(s->n + 1);
	size_t n = 0;

	mlk_column_init(&c, s->type);
	mlk_column_reserve(&c, s->n, s->arena.len);
	for (size_t i = 0; i < s->cap; i++) {
		const struct aggd_entry *e = &s->e[i];
		double d;

		if (e->group == EMPTY)
			continue;
		group[n++] = map[e->group];
		switch (s->type) {
		case MLK_T_STRING:
			mlk_column_append_str(&c, s->arena.buf + e->key,
			    e->len);
			break;
		case MLK_T_FLOAT64:
			memcpy(&d, &e->key, sizeof(d));
			mlk_column_append_f64(&c, d);
			break;
		case MLK_T_BOOL:
			mlk_column_append_bool(&c, (int)e->key);
			break;
		default:
			mlk_column_append_i64(&c, (int64_t)e->key);
			break;
		}
	}
	aggd_filter(into->dist, &c, group, NULL, n, keep);
	agg_fold(into, &c, group, keep, n);
	mlk_column_release(&c);
	free(group);
	free(keep);
	return NULL;
}
