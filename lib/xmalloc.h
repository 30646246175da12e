/*
 * Allocators that never return NULL: on exhaustion they abort, as tmux's
 * do. Memory is the one resource mlk does not try to recover from.
 */
#ifndef MLK_XMALLOC_H
#define MLK_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *, size_t);
/* realloc of nmemb * size bytes, aborting on overflow. */
void *xreallocarray(void *, size_t nmemb, size_t size);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
/* A new string from a printf format; the caller frees it. */
char *xstrfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Grow an array to hold at least n elements, doubling, as git's
 * ALLOC_GROW: ALLOC_GROW(items, nr + 1, alloc).
 */
#define ALLOC_GROW(x, n, alloc) \
	do { \
		if ((n) > (alloc)) { \
			(alloc) = (alloc) < 16 ? 16 : (alloc); \
			while ((alloc) < (n)) \
				(alloc) *= 2; \
			(x) = xreallocarray((x), (alloc), sizeof(*(x))); \
		} \
	} while (0)

#endif
