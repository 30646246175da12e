/*
 * The hash join's parts, shared by sql_join.c (the operator),
 * sql_join_hash.c (key hashing, the hash table, probing a range of left
 * rows, and the split of that work over threads) and sql_join_gather.c
 * (the output columns).
 */
#ifndef MLK_SQL_JOIN_IMPL_H
#define MLK_SQL_JOIN_IMPL_H

#include "sql_impl.h"

/*
 * The right side's rows by bucket: bucket b holds entries [start[b],
 * start[b + 1]), its rows in ascending order, so a probe lists the
 * matches of a left row in the right side's order. Rows with a NULL key
 * are in no bucket.
 */
struct join_ent {
	uint32_t tag; /* the hash's high half */
	uint32_t row;
};

struct join_ht {
	size_t mask; /* buckets - 1: a bucket is a hash's low bits */
	uint32_t *start; /* buckets + 1 */
	struct join_ent *ent;
};

/*
 * Builds the table from the hashes h of n rows (isnull[r]: row r has a
 * NULL key) on nt threads; the table is the same for every nt.
 */
void join_ht_build(struct join_ht *, const uint64_t *h, const uint8_t *isnull,
    size_t n, size_t nt);
void join_ht_release(struct join_ht *);

/*
 * The hashes of rows [from, to) of the key values k into h, and whether
 * a key is NULL into isnull. Equal keys (as jkeys_equal) hash alike.
 */
void jkeys_hash(const struct val *k, size_t nk, size_t from, size_t to,
    uint64_t *h, uint8_t *isnull);

/* A worker's pairs: left row li[i] with right row ri[i] (SIZE_MAX: none). */
struct join_pairs {
	size_t *li, *ri;
	size_t n, alloc;
	size_t stop; /* the first left row left unprobed */
};

/* What probing needs: the left batch's keys, the right side's table. */
struct join_probe {
	const struct val *lk, *rk;
	size_t nkeys;
	const uint64_t *lh;
	const uint8_t *lnull;
	const struct join_ht *ht;
	size_t nright;
	int null_pair; /* a (l, SIZE_MAX) pair for each row without match */
	size_t cap; /* stop after the row that brings the pairs to cap */
};

/* The pairs of left rows [from, to) into out (emptied first). */
void join_probe_range(const struct join_probe *, size_t from, size_t to,
    struct join_pairs *out);
void join_pairs_release(struct join_pairs *);

/* A list of pairs: left row li[i] with right row ri[i]. */
struct join_seg {
	const size_t *li, *ri;
	size_t n;
};

/*
 * Appends src[idx[i]] for i < n to dst, a NULL where idx[i] is SIZE_MAX
 * (sql_join_gather.c).
 */
void join_gather(struct mlk_column *dst, const struct mlk_column *src,
    const size_t *idx, size_t n);

/*
 * Runs fn(arg, t) for every t < nt, each on a thread of its own (t = 0
 * on the caller's), and returns when all have; as the parallel scan and
 * aggregation do, a thread that cannot start runs on the caller.
 */
void join_par(size_t nt, void (*fn)(void *arg, size_t t), void *arg);

#endif
