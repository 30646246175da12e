#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "xmalloc.h"

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SWAR 1
#endif

/*
 * The first delimiter or LF in [s, end), or end. Eight bytes at a time:
 * (x - ONES) & ~x & HIGHS marks the zero bytes of x; it may also mark
 * bytes above the first zero, never below, so the lowest mark is exact.
 */
static inline const char *
scan_field(const char *s, const char *end, char delim)
{
#ifdef SWAR
	uint64_t dm = ONES * (unsigned char)delim, nm = ONES * '\n';

	while (end - s >= 8) {
		uint64_t x, a, b, t;

		memcpy(&x, s, 8);
		a = x ^ dm;
		b = x ^ nm;
		t = (((a - ONES) & ~a) | ((b - ONES) & ~b)) & HIGHS;
		if (t)
			return s + (__builtin_ctzll(t) >> 3);
		s += 8;
	}
#endif
	while (s < end && *s != delim && *s != '\n')
		s++;
	return s;
}

/* The number of LF in [s, end). */
static uint64_t
count_lines(const char *s, const char *end)
{
	uint64_t n = 0;

#ifdef SWAR
	uint64_t nm = ONES * '\n', lo7 = ONES * 0x7f;

	while (end - s >= 8) {
		uint64_t x;

		/* Exact: the high bit is set for the zero bytes only. */
		memcpy(&x, s, 8);
		x ^= nm;
		x = ~(((x & lo7) + lo7) | x) & HIGHS;
		/* bytes of 0 or 1 summed into the top byte, no popcount call */
		n += ((x >> 7) * ONES) >> 56;
		s += 8;
	}
#endif
	for (; s < end; s++)
		n += *s == '\n';
	return n;
}

void
mlk_csv_init(struct mlk_csv_parser *p, const struct mlk_csv_dialect *d)
{
	memset(p, 0, sizeof(*p));
	p->dialect = *d;
	p->bom = 1;
	p->line = 1;
	p->eof = 1;
	strbuf_init(&p->scratch, 0);
}

void
mlk_csv_release(struct mlk_csv_parser *p)
{
	free(p->rec.fields);
	strbuf_release(&p->scratch);
	memset(p, 0, sizeof(*p));
}

void
mlk_csv_start_line(struct mlk_csv_parser *p, uint64_t line)
{
	p->line = line;
	p->bom = 0;
}

void
mlk_csv_feed(struct mlk_csv_parser *p, const char *buf, size_t len, int eof)
{
	p->buf = buf ? buf : "";
	p->len = buf ? len : 0;
	p->pos = 0;
	p->eof = eof;
}

size_t
mlk_csv_consumed(const struct mlk_csv_parser *p)
{
	return p->pos;
}

static struct mlk_error *
parse_error(uint64_t line, size_t field, const char *what)
{
	return mlk_error_new(MLK_ERR_PARSE, "line %llu, field %zu: %s",
	    (unsigned long long)line, field, what);
}

/*
 * Skips the byte order mark and empty lines before the next record.
 * Returns 0 when more input is needed to decide.
 */
static int
skip_blank(struct mlk_csv_parser *p)
{
	const char *s = p->buf + p->pos, *end = p->buf + p->len;

	if (p->bom) {
		size_t n = p->len < 3 ? p->len : 3;

		if (n < 3 && !p->eof &&
		    (n == 0 || memcmp(s, "\xef\xbb\xbf", n) == 0))
			return 0;
		if (n == 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
			s += 3;
		p->bom = 0;
	}
	for (;;) {
		if (s < end && *s == '\n') {
			s++;
		} else if (s < end && *s == '\r' &&
		    (end - s == 1 || s[1] == '\n')) {
			if (end - s == 1 && !p->eof)
				break;
			s += end - s == 1 ? 1 : 2;
		} else {
			break;
		}
		p->line++;
	}
	p->pos = (size_t)(s - p->buf);
	return 1;
}

struct mlk_error *
mlk_csv_next(struct mlk_csv_parser *p, const struct mlk_csv_record **out)
{
	struct mlk_csv_record *rec = &p->rec;
	const char *s, *end = p->buf + p->len;
	char delim = p->dialect.delim, quote = p->dialect.quote;
	uint64_t nl = 0; /* LF inside quoted fields so far */
	int escaped = 0;

	*out = NULL;
	if (!skip_blank(p) || p->pos == p->len)
		return NULL;
	s = p->buf + p->pos;
	strbuf_reset(&p->scratch);
	rec->line = p->line;
	rec->nfields = 0;
	for (;;) {
		struct mlk_csv_field *f;

		ALLOC_GROW(rec->fields, rec->nfields + 1, p->falloc);
		f = &rec->fields[rec->nfields++];
		if (quote != '\0' && s < end && *s == quote) {
			const char *open = s++, *start = s, *e;
			size_t off = p->scratch.len;
			int esc = 0;

			p->nquoted++;

			for (;;) {
				e = memchr(s, quote, (size_t)(end - s));
				if (e == NULL) {
					if (!p->eof)
						return NULL;
					return parse_error(rec->line + nl,
					    rec->nfields,
					    "unterminated quoted field");
				}
				if (e + 1 == end && !p->eof)
					return NULL;
				if (e + 1 == end || e[1] != quote)
					break;
				strbuf_add(&p->scratch, start,
				    (size_t)(e + 1 - start));
				s = start = e + 2;
				esc = 1;
			}
			f->quoted = 1;
			if (esc) {
				strbuf_add(&p->scratch, start,
				    (size_t)(e - start));
				/* Set once the scratch buffer stops moving. */
				f->ptr = NULL;
				f->len = p->scratch.len - off;
				escaped = 1;
			} else {
				f->ptr = start;
				f->len = (size_t)(e - start);
			}
			if (memchr(open, '\n', (size_t)(e - open)))
				nl += count_lines(open, e);
			s = e + 1;
			if (s == end) {
				if (!p->eof)
					return NULL;
				break;
			}
			if (*s == delim) {
				s++;
				continue;
			}
			if (*s == '\n') {
				s++;
				break;
			}
			if (*s == '\r' && (end - s == 1 || s[1] == '\n')) {
				if (end - s == 1 && !p->eof)
					return NULL;
				s += end - s == 1 ? 1 : 2;
				break;
			}
			return parse_error(rec->line + nl, rec->nfields,
			    "unexpected character after closing quote");
		} else {
			const char *e = scan_field(s, end, delim);

			f->ptr = s;
			f->len = (size_t)(e - s);
			f->quoted = 0;
			if (e == end && !p->eof)
				return NULL;
			s = e == end ? e : e + 1;
			if (e < end && *e == delim)
				continue;
			/* At LF or the end of input a CR ends the line too. */
			if (f->len > 0 && e[-1] == '\r')
				f->len--;
			break;
		}
	}
	if (escaped) {
		const char *t = p->scratch.buf;

		for (size_t i = 0; i < rec->nfields; i++)
			if (rec->fields[i].ptr == NULL) {
				rec->fields[i].ptr = t;
				t += rec->fields[i].len;
			}
	}
	/* The line ends with the record's LF, if it had one. */
	p->line += nl + (s > p->buf && s[-1] == '\n');
	p->pos = (size_t)(s - p->buf);
	*out = rec;
	return NULL;
}

size_t
mlk_csv_split(const struct mlk_csv_dialect *d, const char *buf, size_t len,
    uint64_t first_line, size_t nparts, size_t *starts, uint64_t *lines)
{
	const char *s = buf, *end = buf + len, *data = buf;
	char quote = d->quote;
	uint64_t line = first_line;
	size_t n = 1, target;

	starts[0] = 0;
	lines[0] = first_line;
	if (nparts < 2 || len == 0)
		return 1;
	target = len / nparts;
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s = data = buf + 3;
	while (s < end && n < nparts) {
		const char *q = NULL;

		if (quote)
			q = memchr(s, quote, (size_t)(end - s));
		if (q == NULL)
			q = end;
		/*
		 * [s, q) is outside quotes: every LF in it ends a record. Cut
		 * after the first LF from target - 1 on, so that a record
		 * starting right at target starts the part.
		 */
		while (n < nparts && buf + target <= q) {
			const char *t = buf + (target ? target - 1 : 0);
			const char *e;

			if (t < s)
				t = s;
			e = memchr(t, '\n', (size_t)(q - t));
			if (e == NULL)
				break;
			line += count_lines(s, e + 1);
			s = e + 1;
			if (s == end)
				return n;
			starts[n] = (size_t)(s - buf);
			lines[n] = line;
			n++;
			target = len / nparts * n + len % nparts * n / nparts;
		}
		if (n == nparts)
			break;
		line += count_lines(s, q);
		s = q;
		if (q == end)
			break;
		/* Only a quote that begins a field opens a quoted one. */
		if (q == data || q[-1] == '\n' || q[-1] == d->delim) {
			const char *open = q++;

			for (;;) {
				q = memchr(q, quote, (size_t)(end - q));
				if (q == NULL)
					return n; /* unterminated */
				if (q + 1 < end && q[1] == quote)
					q += 2;
				else
					break;
			}
			line += count_lines(open, q);
		}
		s = q + 1;
	}
	return n;
}

size_t
mlk_csv_split_unquoted(const char *buf, size_t len, size_t nparts,
    size_t *starts)
{
	const char *s = buf, *end = buf + len;
	size_t n = 1, target;

	starts[0] = 0;
	if (nparts < 2 || len == 0)
		return 1;
	target = len / nparts;
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s = buf + 3;
	/* as mlk_csv_split() does when the text has no quote at all */
	while (n < nparts && buf + target <= end) {
		const char *t = buf + (target ? target - 1 : 0);
		const char *e;

		if (t < s)
			t = s;
		e = memchr(t, '\n', (size_t)(end - t));
		if (e == NULL)
			break;
		s = e + 1;
		if (s == end)
			return n;
		starts[n++] = (size_t)(s - buf);
		target = len / nparts * n + len % nparts * n / nparts;
	}
	return n;
}

uint64_t
mlk_csv_count_lines(const char *s, size_t len)
{
	return count_lines(s, s + len);
}

char
mlk_csv_sniff(const char *buf, size_t len)
{
	static const char cands[] = { ',', '\t', ';', '|' };
	char best = ',';
	size_t best_score = 0;

	for (size_t c = 0; c < sizeof(cands); c++) {
		struct mlk_csv_dialect d = { cands[c], '"' };
		struct mlk_csv_parser p;
		const struct mlk_csv_record *rec;
		struct mlk_error *err = NULL;
		size_t counts[64], nrec = 0, score = 0;

		for (int eof = 0; eof < 2 && nrec == 0; eof++) {
			mlk_csv_init(&p, &d);
			mlk_csv_feed(&p, buf, len, eof);
			while (nrec < 64 &&
			    (err = mlk_csv_next(&p, &rec)) == NULL && rec)
				counts[nrec++] = rec->nfields;
			mlk_error_free(err);
			err = NULL;
			mlk_csv_release(&p);
		}
		/* The most common field count, if above 1, and how common. */
		for (size_t i = 0; i < nrec; i++) {
			size_t k = 0;

			if (counts[i] < 2)
				continue;
			for (size_t j = 0; j < nrec; j++)
				k += counts[j] == counts[i];
			if (k > score)
				score = k;
		}
		if (score > best_score) {
			best_score = score;
			best = cands[c];
		}
	}
	return best;
}

void
mlk_csv_write_field(struct strbuf *sb, const struct mlk_csv_dialect *d,
    const char *ptr, size_t len)
{
	char quote = d->quote;
	int need = len == 0;

	if (ptr == NULL)
		return;
	if (quote == '\0') {
		strbuf_add(sb, ptr, len);
		return;
	}
	if (len > 0 &&
	    (ptr[0] == ' ' || ptr[0] == '\t' || ptr[len - 1] == ' ' ||
	        ptr[len - 1] == '\t'))
		need = 1;
	for (size_t i = 0; i < len && !need; i++) {
		char c = ptr[i];

		need = c == d->delim || c == quote || c == '\n' || c == '\r';
	}
	if (!need) {
		strbuf_add(sb, ptr, len);
		return;
	}
	strbuf_grow(sb, len + 2);
	strbuf_addch(sb, quote);
	for (const char *s = ptr, *end = ptr + len; s < end;) {
		const char *q = memchr(s, quote, (size_t)(end - s));

		if (q == NULL) {
			strbuf_add(sb, s, (size_t)(end - s));
			break;
		}
		strbuf_add(sb, s, (size_t)(q + 1 - s));
		strbuf_addch(sb, quote);
		s = q + 1;
	}
	strbuf_addch(sb, quote);
}
