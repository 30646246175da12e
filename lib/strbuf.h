/*
 * A growable string, after git's strbuf.h.
 *
 * Invariants: buf is never NULL and always NUL-terminated at buf[len];
 * a strbuf may hold NUL bytes before len. STRBUF_INIT points buf at a
 * shared empty string, so an untouched strbuf needs no release.
 * strbuf_detach() hands the buffer to the caller, who frees it.
 */
#ifndef MLK_STRBUF_H
#define MLK_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

extern char strbuf_slopbuf[];

struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;
};

#define STRBUF_INIT \
	{ \
		0, 0, strbuf_slopbuf \
	}

void strbuf_init(struct strbuf *, size_t hint);
void strbuf_release(struct strbuf *);
/* The buffer, now the caller's; *len receives its length if non-NULL. */
char *strbuf_detach(struct strbuf *, size_t *len);
void strbuf_grow(struct strbuf *, size_t extra);
void strbuf_setlen(struct strbuf *, size_t);
#define strbuf_reset(sb) strbuf_setlen((sb), 0)

void strbuf_add(struct strbuf *, const void *, size_t);
void strbuf_addstr(struct strbuf *, const char *);
void strbuf_addch(struct strbuf *, int c);
void strbuf_addf(struct strbuf *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *, const char *fmt, va_list);
/* Append n copies of c. */
void strbuf_addchars(struct strbuf *, int c, size_t n);
void strbuf_rtrim(struct strbuf *);

#endif
