/*
 * Exactly once (load.h): which sources a table has ingested before, found
 * by their SHA-256, and which sources must be hashed before that can be
 * told and which can be hashed while they are parsed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "source.h"
#include "version.h"
#include "xmalloc.h"

struct mlk_error *
mlk_load_each_source(struct mlk_store *s, const char *table,
    void (*fn)(const json_t *source, long long version, void *), void *arg)
{
	struct mlk_head head;
	struct mlk_oid oid;
	long long v;
	struct mlk_error *err;

	if ((err = mlk_head_read(s, MLK_THING_TABLE, table, &head)))
		return err;
	oid = head.oid;
	v = head.version;
	while (head.found) {
		struct mlk_entry e;
		json_t *src;

		if ((err = mlk_entry_read(s, &oid, &e)))
			return err;
		src = e.record ? json_object_get(e.record, "sources") : NULL;
		for (size_t i = 0; i < json_array_size(src); i++)
			fn(json_array_get(src, i), v, arg);
		if (v <= 0 || e.commit.nparents == 0) {
			mlk_entry_release(&e);
			break;
		}
		oid = e.commit.parents[0];
		v--;
		mlk_entry_release(&e);
	}
	return NULL;
}

struct seen_ctx {
	struct mlk_load_source *src;
	size_t n;
};

static void
mark_seen(const json_t *source, long long version, void *arg)
{
	struct seen_ctx *c = arg;
	const char *sha = json_string_value(json_object_get(source, "sha256"));

	if (sha == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		if (!c->src[i].skipped && strcmp(c->src[i].sha256, sha) == 0) {
			c->src[i].skipped = 1;
			c->src[i].seen_version = version;
		}
}

/* The "bytes" of the sources a table's history records. */
struct seen_sizes {
	uint64_t *sizes;
	size_t n, alloc;
	int unknown; /* a source without its size */
};

static void
add_size(const json_t *source, long long version, void *arg)
{
	struct seen_sizes *z = arg;
	const json_t *b = json_object_get(source, "bytes");

	(void)version;
	if (!json_is_integer(b))
		z->unknown = 1;
	ALLOC_GROW(z->sizes, z->n + 1, z->alloc);
	z->sizes[z->n++] = (uint64_t)json_integer_value(b);
}

/*
 * Hashes the sources left unhashed: now, those whose size some source
 * of the table's history or of this load has too (the hash decides
 * whether they are skipped); on threads of their own, the others, which
 * cannot have been seen, while they are parsed: they stand as "pending
 * N", which matches nothing, until mlk_load_finish_hashes().
 */
static struct mlk_error *
start_hashes(struct mlk_store *s, const char *table,
    struct mlk_load_source *src, size_t n)
{
	struct seen_sizes z = { NULL, 0, 0, 0 };
	struct mlk_error *err;
	int any = 0;

	for (size_t i = 0; i < n; i++)
		any |= src[i].unhashed != NULL;
	if (!any)
		return NULL;
	if ((err = mlk_load_each_source(s, table, add_size, &z))) {
		free(z.sizes);
		return err;
	}
	for (size_t i = 0; i < n; i++) {
		int now = z.unknown;

		if (src[i].unhashed == NULL)
			continue;
		for (size_t k = 0; k < z.n; k++)
			now |= z.sizes[k] == src[i].bytes;
		for (size_t k = 0; k < n; k++)
			now |= k != i && src[k].bytes == src[i].bytes;
		if (now)
			mlk_sha256_hex(src[i].unhashed, src[i].unhashed_len,
			    src[i].sha256);
		else {
			src[i].job = mlk_sha256_start(src[i].unhashed,
			    src[i].unhashed_len);
			snprintf(src[i].sha256, sizeof(src[i].sha256),
			    "pending %zu", i);
		}
		src[i].unhashed = NULL;
	}
	free(z.sizes);
	return NULL;
}

void
mlk_load_finish_hashes(struct mlk_load_source *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (src[i].job) {
			mlk_sha256_finish(src[i].job, src[i].sha256);
			src[i].job = NULL;
		}
}

struct mlk_error *
mlk_load_check(struct mlk_store *s, const char *table,
    struct mlk_load_source *src, size_t n)
{
	struct seen_ctx c = { src, n };
	struct mlk_error *err;

	if ((err = start_hashes(s, table, src, n)))
		return err;
	for (size_t i = 0; i < n; i++) {
		src[i].skipped = 0;
		src[i].seen_version = -1;
		/* the same content twice in one ingest: once */
		for (size_t k = 0; k < i; k++)
			if (strcmp(src[k].sha256, src[i].sha256) == 0)
				src[i].skipped = 1;
	}
	return mlk_load_each_source(s, table, mark_seen, &c);
}
