/*
 * Private to the JSON lines reader (jsonl.c, jsonl_fast.c, jsonl_json.c):
 * the pairs a line is read into, and the two ways of reading a line.
 */
#ifndef MLK_JSONL_IMPL_H
#define MLK_JSONL_IMPL_H

#include <stdint.h>

#include "jsonl.h"
#include "xmalloc.h"

/*
 * A key and value of the line being read. Text lives in the input (ptr
 * set) or in the scratch buffer at an offset, resolved once the line is
 * done and scratch no longer moves.
 */
struct mlk_jsonl_pair {
	const char *kptr, *vptr;
	size_t koff, klen, voff, vlen;
	enum mlk_json_kind kind;
	size_t pred; /* the column at this position last row */
};

enum { FAST_OK = 0, FAST_NO = -1 };

/* The escapes that stand for one byte, and the bytes (jsonl_fast.c). */
extern const char jsonl_esc_from[], jsonl_esc_to[];

/* Inline: the fast path takes one per key. */
static inline struct mlk_jsonl_pair *
jsonl_new_pair(struct mlk_jsonl_parser *p)
{
	struct mlk_jsonl_pair *pr;

	if (p->npairs == p->pairs_alloc) {
		size_t old = p->pairs_alloc;

		ALLOC_GROW(p->pairs, p->npairs + 1, p->pairs_alloc);
		for (size_t i = old; i < p->pairs_alloc; i++)
			p->pairs[i].pred = SIZE_MAX;
	}
	pr = &p->pairs[p->npairs++];
	pr->kptr = pr->vptr = NULL;
	return pr;
}

/* A real's text: exact, and never mistaken for an integer. */
void jsonl_add_real(struct strbuf *, double);
/* The usual line: one flat object. FAST_NO for anything else. */
int jsonl_fast_line(struct mlk_jsonl_parser *, const char *s, const char *e);
/* Any line, through jansson: 0, or -1 with the reason in p->reason. */
int jsonl_slow_line(struct mlk_jsonl_parser *, const char *s, size_t n);

#endif
