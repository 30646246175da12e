/*
 * Cutting a CSV member into parts (ingest_impl.h): where each starts, and
 * at which line.
 */
#include <stdlib.h>
#include <string.h>

#include "ingest_impl.h"
#include "xmalloc.h"

/* What the threads of ingest_cut_parts() find in each part. */
struct scan_ctx {
	const char *buf;
	size_t len, nparts;
	const size_t *starts;
	char quote;
	uint64_t *nl; /* LF per part */
	int *quoted; /* whether a quote character is in the part */
};

static void
scan_part(void *arg, size_t j)
{
	struct scan_ctx *c = arg;
	size_t at = c->starts[j];
	size_t end = j + 1 < c->nparts ? c->starts[j + 1] : c->len;

	/* a megabyte at a time: the second look is in the cache */
	while (at < end) {
		size_t n =
		    end - at < ((size_t)1 << 20) ? end - at : (size_t)1 << 20;

		if (memchr(c->buf + at, c->quote, n))
			c->quoted[j] = 1;
		c->nl[j] += mlk_csv_count_lines(c->buf + at, n);
		at += n;
	}
}

/*
 * Cuts the data into parts that depend on the data only. Most texts have
 * no quote at all: then the cut is found near each boundary, and the
 * lines and the absence of quotes are counted on all threads; a text
 * with quotes is cut again by one scan that minds them.
 */
size_t
ingest_cut_parts(const struct mlk_ingest_opts *o, const char *buf, size_t len,
    uint64_t line, size_t **starts, uint64_t **lines)
{
	struct mlk_csv_dialect d = ingest_dialect(o);
	size_t want = len / MLK_INGEST_PART + 1, n;
	struct scan_ctx c;
	int quoted = 0;

	*starts = xcalloc(want, sizeof(**starts));
	*lines = xcalloc(want, sizeof(**lines));
	if (want < 2 || d.quote == '\0')
		return mlk_csv_split(&d, buf, len, line, want, *starts, *lines);
	n = mlk_csv_split_unquoted(buf, len, want, *starts);
	c.buf = buf;
	c.len = len;
	c.nparts = n;
	c.starts = *starts;
	c.quote = d.quote;
	c.nl = xcalloc(n, sizeof(*c.nl));
	c.quoted = xcalloc(n, sizeof(*c.quoted));
	ingest_pool_run(ingest_threads(o), n, scan_part, &c);
	for (size_t j = 0; j < n; j++)
		quoted |= c.quoted[j];
	if (quoted) {
		n = mlk_csv_split(&d, buf, len, line, want, *starts, *lines);
	} else {
		(*lines)[0] = line;
		for (size_t j = 1; j < n; j++)
			(*lines)[j] = (*lines)[j - 1] + c.nl[j - 1];
	}
	free(c.nl);
	free(c.quoted);
	return n;
}

int
ingest_cut_unquoted(const struct mlk_ingest_opts *o, const char *buf,
    size_t len, size_t **starts, uint64_t **lines, size_t *nparts)
{
	struct mlk_csv_dialect d = ingest_dialect(o);
	size_t want = len / MLK_INGEST_PART + 1;

	/* mlk_csv_split() takes a mark at the start for a quote's place */
	if (want < 2 || d.quote == '\0' ||
	    (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0))
		return 0;
	*starts = xcalloc(want, sizeof(**starts));
	*lines = xcalloc(want, sizeof(**lines));
	*nparts = mlk_csv_split_unquoted(buf, len, want, *starts);
	for (size_t j = 0; j < *nparts; j++)
		(*lines)[j] = 1;
	return 1;
}
