/*
 * The schemas of the two versions of a table diff: the columns in common
 * and the type both convert to, the added, removed and key columns; and
 * the chunks both versions hold, whose rows need no comparing.
 */
#include <stdlib.h>

#include "tablediff_impl.h"
#include "tablescan.h"
#include "xmalloc.h"

/* The type both a and b convert to. */
static enum mlk_type
align_type(enum mlk_type a, enum mlk_type b)
{
	if (mlk_type_widens(a, b))
		return b;
	if (mlk_type_widens(b, a))
		return a;
	return MLK_T_STRING;
}

struct mlk_error *
tablediff_schemas(struct ctx *x)
{
	const struct mlk_schema *sa = &x->a->schema, *sb = &x->b->schema;
	struct mlk_table_diff *d = x->d;
	size_t alloc = 0;

	x->ca = xcalloc(sb->ncols + 1, sizeof(*x->ca));
	x->cb = xcalloc(sb->ncols + 1, sizeof(*x->cb));
	x->a_extra = xcalloc(sa->ncols + 1, sizeof(*x->a_extra));
	d->added_cols = xcalloc(sb->ncols + 1, sizeof(*d->added_cols));
	d->removed_cols = xcalloc(sa->ncols + 1, sizeof(*d->removed_cols));
	for (size_t j = 0; j < sb->ncols; j++) {
		int i = mlk_schema_find(sa, sb->cols[j].name);

		if (i < 0) {
			d->added_cols[d->nadded_cols++] = j;
			continue;
		}
		if (sa->cols[i].type != sb->cols[j].type) {
			ALLOC_GROW(d->retyped, d->nretyped + 1, alloc);
			d->retyped[d->nretyped].a = (size_t)i;
			d->retyped[d->nretyped++].b = j;
		}
		x->ca[x->ncommon] = (size_t)i;
		x->cb[x->ncommon++] = j;
		mlk_schema_add(&d->common, sb->cols[j].name,
		    align_type(sa->cols[i].type, sb->cols[j].type),
		    sa->cols[i].nullable || sb->cols[j].nullable);
	}
	for (size_t i = 0; i < sa->ncols; i++)
		if (mlk_schema_find(sb, sa->cols[i].name) < 0) {
			d->removed_cols[d->nremoved_cols++] = i;
			x->a_extra[x->na_extra++] = i;
		}
	mlk_schema_copy(&d->added_schema, sb);
	mlk_schema_copy(&d->removed_schema, sa);
	for (size_t c = 0; c < x->ncommon; c++) {
		d->added_schema.cols[x->cb[c]].type = d->common.cols[c].type;
		d->removed_schema.cols[x->ca[c]].type = d->common.cols[c].type;
	}
	if (x->o->nkey)
		d->key = xcalloc(x->o->nkey, sizeof(*d->key));
	for (size_t k = 0; k < x->o->nkey; k++) {
		const char *name = x->o->key[k];
		int i = mlk_schema_find(&d->common, name);

		if (i < 0 && mlk_schema_find(sb, name) < 0)
			return mlk_schema_unknown(sb, name, x->o->name_b);
		if (i < 0)
			return mlk_schema_unknown(sa, name, x->o->name_a);
		d->key[d->nkey++] = (size_t)i;
	}
	return NULL;
}

static int
oid_idx_cmp(const void *p, const void *q, void *arg)
{
	const struct mlk_snapshot *s = arg;
	const size_t *i = p, *j = q;

	return mlk_oid_cmp(&s->chunks[*i].tree, &s->chunks[*j].tree);
}

/* Marks the chunks both versions hold, pairing copies one to one. */
void
tablediff_shared_chunks(struct ctx *x)
{
	size_t na = x->a->nchunks, nb = x->b->nchunks, i = 0, j = 0;
	size_t *ia = xcalloc(na + 1, sizeof(*ia));
	size_t *ib = xcalloc(nb + 1, sizeof(*ib));

	x->a_shared = xcalloc(na + 1, 1);
	x->b_shared = xcalloc(nb + 1, 1);
	/* The same chunk means the same rows only if the ids mean the same. */
	for (size_t c = 0; c < x->ncommon; c++)
		if (x->a->schema.cols[x->ca[c]].id !=
		    x->b->schema.cols[x->cb[c]].id)
			na = nb = 0;
	for (size_t k = 0; k < na; k++)
		ia[k] = k;
	for (size_t k = 0; k < nb; k++)
		ib[k] = k;
	qsort_r(ia, na, sizeof(*ia), oid_idx_cmp, (void *)x->a);
	qsort_r(ib, nb, sizeof(*ib), oid_idx_cmp, (void *)x->b);
	while (i < na && j < nb) {
		int c = mlk_oid_cmp(&x->a->chunks[ia[i]].tree,
		    &x->b->chunks[ib[j]].tree);

		if (c < 0)
			i++;
		else if (c > 0)
			j++;
		else {
			x->a_shared[ia[i++]] = 1;
			x->b_shared[ib[j++]] = 1;
			x->d->shared_chunks++;
		}
	}
	free(ia);
	free(ib);
}
