/*
 * The syntax tree: freeing, copying and comparing (GROUP BY matches
 * select-list expressions by structure).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql_impl.h"
#include "xmalloc.h"

static void
window_free(struct ast_window *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->npart; i++)
		sql_ast_free(w->part[i]);
	free(w->part);
	for (size_t i = 0; i < w->norder; i++)
		sql_ast_free(w->order[i].e);
	free(w->order);
	free(w);
}

void
sql_ast_free(struct ast *a)
{
	if (!a)
		return;
	free(a->name);
	free(a->qual);
	free(a->sval);
	for (size_t i = 0; i < a->nargs; i++)
		sql_ast_free(a->args[i]);
	free(a->args);
	sql_ast_free(a->else_);
	sql_ast_free(a->filter);
	window_free(a->over);
	free(a);
}

struct ast *
sql_ast_dup(const struct ast *a)
{
	struct ast *d;

	if (!a)
		return NULL;
	d = xmalloc(sizeof(*d));
	*d = *a;
	d->name = a->name ? xstrdup(a->name) : NULL;
	d->qual = a->qual ? xstrdup(a->qual) : NULL;
	d->sval = a->sval ?
	    xstrndup(a->sval,
	        a->kind == A_STR ? (size_t)a->ival : strlen(a->sval)) :
	    NULL;
	d->args = a->nargs ? xcalloc(a->nargs, sizeof(*d->args)) : NULL;
	for (size_t i = 0; i < a->nargs; i++)
		d->args[i] = sql_ast_dup(a->args[i]);
	d->else_ = sql_ast_dup(a->else_);
	d->filter = sql_ast_dup(a->filter);
	d->over = NULL;
	if (a->over) {
		const struct ast_window *w = a->over;
		struct ast_window *v = xcalloc(1, sizeof(*v));
		*v = *w;
		v->part = w->npart ? xcalloc(w->npart, sizeof(*v->part)) : NULL;
		for (size_t i = 0; i < w->npart; i++)
			v->part[i] = sql_ast_dup(w->part[i]);
		v->order =
		    w->norder ? xcalloc(w->norder, sizeof(*v->order)) : NULL;
		for (size_t i = 0; i < w->norder; i++) {
			v->order[i] = w->order[i];
			v->order[i].e = sql_ast_dup(w->order[i].e);
		}
		d->over = v;
	}
	return d;
}

static int
streq_opt(const char *a, const char *b, int ci)
{
	if (!a || !b)
		return a == b;
	return ci ? strcasecmp(a, b) == 0 : strcmp(a, b) == 0;
}

int
sql_ast_equal(const struct ast *a, const struct ast *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind || a->nargs != b->nargs || a->op != b->op ||
	    a->distinct != b->distinct || a->count_star != b->count_star ||
	    a->try_cast != b->try_cast || a->cast_to != b->cast_to ||
	    a->ival != b->ival || !streq_opt(a->qual, b->qual, 1) ||
	    !streq_opt(a->name, b->name, !a->quoted && !b->quoted) ||
	    !streq_opt(a->sval, b->sval, 0) || a->over || b->over)
		return 0;
	if (a->kind == A_FLOAT && a->fval != b->fval)
		return 0;
	if (a->kind == A_INTERVAL && memcmp(&a->iv, &b->iv, sizeof(a->iv)))
		return 0;
	for (size_t i = 0; i < a->nargs; i++)
		if (!sql_ast_equal(a->args[i], b->args[i]))
			return 0;
	return sql_ast_equal(a->else_, b->else_) &&
	    sql_ast_equal(a->filter, b->filter);
}
