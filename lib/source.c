/*
 * Reading a source: into memory (mapped when it is a regular file),
 * fingerprinted, then decompressed and unpacked member by member
 * (source.h). Naming the sources is source_list.c.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source.h"
#include "xmalloc.h"

enum { ST_START, ST_ARCHIVE, ST_DONE };

void
mlk_member_release(struct mlk_member *m)
{
	free(m->name);
	m->name = NULL;
	strbuf_release(&m->data);
	if (m->map)
		munmap(m->map, m->maplen);
	m->map = NULL;
	m->buf = NULL;
	m->len = 0;
}

static const char *
raw_ptr(const struct mlk_source *src)
{
	return src->map ? src->map : src->raw.buf;
}

static size_t
raw_len(const struct mlk_source *src)
{
	return src->map ? src->mapsize : src->raw.len;
}

static void
hex_of(char *hex, const unsigned char *digest, unsigned dlen)
{
	for (unsigned i = 0; i < dlen && i < MLK_SHA256_HEXSZ / 2; i++) {
		hex[2 * i] = "0123456789abcdef"[digest[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[digest[i] & 15];
	}
	hex[MLK_SHA256_HEXSZ] = '\0';
}

void
mlk_sha256_hex(const void *p, size_t n, char hex[MLK_SHA256_HEXSZ + 1])
{
	EVP_MD_CTX *md;
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;

	if ((md = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(md, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(md, p, n) ||
	    !EVP_DigestFinal_ex(md, digest, &dlen))
		abort();
	EVP_MD_CTX_free(md);
	hex_of(hex, digest, dlen);
}

/*
 * Maps a regular file of size bytes, pre-faulted, with a zero page after
 * it so that its bytes are NUL-terminated as a strbuf's are, and hashes
 * it: no copy from the page cache. A file truncated while it is mapped
 * faults (SIGBUS) when its lost pages are read; cmd/ingest.c turns that
 * into an error. Returns 0, or -1 when the file could not be mapped (the
 * caller reads it instead).
 */
static int
map_file(struct mlk_source *src, int fd, size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), total;
	char *base;

	total = (size + page) / page * page + page;
	base = mmap(NULL, total, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return -1;
	if (mmap(base, size, PROT_READ, MAP_PRIVATE | MAP_FIXED | MAP_POPULATE,
	        fd, 0) == MAP_FAILED) {
		munmap(base, total);
		return -1;
	}
	madvise(base, size, MADV_SEQUENTIAL);
	if (!src->hash_later)
		mlk_sha256_hex(base, size, src->sha256);
	src->map = base;
	src->maplen = total;
	src->mapsize = size;
	src->raw_bytes = size;
	return 0;
}

static struct mlk_error *
too_big(const char *name, size_t limit)
{
	return mlk_error_new(MLK_ERR_FAIL,
	    "'%s' is larger than the limit "
	    "of %zu bytes",
	    name, limit);
}

/*
 * Filling a buffer to a size known or not: exactly the size when it is
 * known (strbuf_grow() would round a gigabyte up to two), then doubling.
 * room() says where to read and how much: into sb while it has room,
 * else into probe, which took() then appends, so that a full buffer is
 * not doubled only to find the end of the input.
 */
static void
reserve(struct strbuf *sb, uint64_t size, size_t limit)
{
	size_t n = size < limit ? (size_t)size : limit + 1;

	if (sb->alloc == 0 && n > 0) {
		sb->buf = xmalloc(n + 1);
		sb->alloc = n + 1;
		sb->buf[0] = '\0';
	}
}

static char *
room(struct strbuf *sb, char *probe, size_t probe_size, size_t *n)
{
	*n = sb->alloc ? sb->alloc - sb->len - 1 : 0;
	if (*n)
		return sb->buf + sb->len;
	*n = probe_size;
	return probe;
}

static void
took(struct strbuf *sb, const char *dst, size_t n)
{
	if (dst == sb->buf + sb->len && sb->alloc)
		strbuf_setlen(sb, sb->len + n);
	else
		strbuf_add(sb, dst, n);
}

/* Reads all of fd into src->raw, hashing as it goes. */
static struct mlk_error *
read_raw(struct mlk_source *src, int fd)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	struct mlk_error *err = NULL;
	struct stat st;
	char probe[16384];
	size_t n;

	if (md == NULL || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		abort();
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		reserve(&src->raw, (uint64_t)st.st_size, src->limit);
	for (;;) {
		char *dst = room(&src->raw, probe, sizeof(probe), &n);
		ssize_t got = read(fd, dst, n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err = mlk_error_errno("cannot read '%s'", src->path);
			break;
		}
		if (got == 0)
			break;
		if (!EVP_DigestUpdate(md, dst, (size_t)got))
			abort();
		took(&src->raw, dst, (size_t)got);
		if (src->raw.len > src->limit) {
			err = too_big(src->path, src->limit);
			break;
		}
	}
	if (!EVP_DigestFinal_ex(md, digest, &dlen))
		abort();
	EVP_MD_CTX_free(md);
	hex_of(src->sha256, digest, dlen);
	src->raw_bytes = src->raw.len;
	return err;
}

struct mlk_error *
mlk_source_open(struct mlk_source *src, const char *path, size_t limit)
{
	return mlk_source_open_flags(src, path, limit, 0);
}

struct mlk_error *
mlk_source_open_flags(struct mlk_source *src, const char *path, size_t limit,
    unsigned flags)
{
	struct mlk_error *err;
	int is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);

	memset(src, 0, sizeof(*src));
	strbuf_init(&src->raw, 0);
	src->limit = limit;
	src->hash_later = (flags & MLK_SOURCE_HASH_LATER) != 0;
	if (fd == -1)
		return mlk_error_errno("cannot open '%s'", path);
	src->path = xstrdup(path);
	if (!is_stdin) {
		struct stat st;

		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_size > 0 && (uint64_t)st.st_size <= src->limit &&
		    map_file(src, fd, (size_t)st.st_size) == 0) {
			close(fd);
			return NULL;
		}
	}
	err = read_raw(src, fd);
	if (!is_stdin)
		close(fd);
	if (err) {
		mlk_source_close(src);
		memset(src, 0, sizeof(*src));
		strbuf_init(&src->raw, 0);
	}
	return err;
}

/* The source is in memory: whatever libarchive finds wrong is content. */
static struct mlk_error *
archive_err(struct archive *a, const char *name)
{
	const char *msg = archive_error_string(a);

	if (archive_errno(a) == ENOMEM)
		abort();
	return mlk_error_new(MLK_ERR_PARSE, "cannot read '%s': %s", name,
	    msg ? msg : "unknown error");
}

static struct archive *
archive_new(void)
{
	struct archive *a = archive_read_new();

	if (a == NULL)
		abort();
	/*
	 * A filter whose library this libarchive lacks would run an
	 * external program instead: those are left out, and their data
	 * then reads as text, which fails loudly enough.
	 */
	if (archive_zlib_version())
		archive_read_support_filter_gzip(a);
	if (archive_bzlib_version())
		archive_read_support_filter_bzip2(a);
	if (archive_liblzma_version()) {
		archive_read_support_filter_xz(a);
		archive_read_support_filter_lzma(a);
		archive_read_support_filter_lzip(a);
	}
	if (archive_libzstd_version())
		archive_read_support_filter_zstd(a);
	if (archive_liblz4_version())
		archive_read_support_filter_lz4(a);
	archive_read_support_filter_compress(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_7zip(a);
	archive_read_support_format_cpio(a);
	archive_read_support_format_rar(a);
	archive_read_support_format_rar5(a);
	archive_read_support_format_raw(a);
	archive_read_support_format_empty(a);
	return a;
}

/* Whether an archive path names something to skip: .x or __MACOSX. */
static int
skip_entry_path(const char *p)
{
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n > 0 && p[0] == '.' &&
		    !(n == 1 || (n == 2 && p[1] == '.')))
			return 1;
		if (n == 8 && memcmp(p, "__MACOSX", 8) == 0)
			return 1;
		p += n;
		while (*p == '/')
			p++;
	}
	return 0;
}

static struct mlk_error *
read_data(struct mlk_source *src, struct mlk_member *out,
    struct archive_entry *e)
{
	char probe[16384];
	size_t n;

	if (archive_entry_size_is_set(e) && archive_entry_size(e) > 0) {
		if ((uint64_t)archive_entry_size(e) > src->limit)
			return too_big(out->name, src->limit);
		reserve(&out->data, (uint64_t)archive_entry_size(e),
		    src->limit);
	}
	for (;;) {
		char *dst = room(&out->data, probe, sizeof(probe), &n);
		la_ssize_t got = archive_read_data(src->ar, dst, n);

		if (got < 0)
			return archive_err(src->ar, out->name);
		if (got == 0)
			return NULL;
		took(&out->data, dst, (size_t)got);
		if (out->data.len > src->limit)
			return too_big(out->name, src->limit);
	}
}

static struct mlk_error *
next_member(struct mlk_source *src, struct mlk_member *out, int *done)
{
	struct archive_entry *e;
	struct mlk_error *err;

	memset(out, 0, sizeof(*out));
	strbuf_init(&out->data, 0);
	*done = 0;
	if (src->state == ST_DONE) {
		*done = 1;
		return NULL;
	}
	if (src->state == ST_START && raw_len(src) == 0) {
		/* Nothing at all is one empty file, not an empty archive. */
		src->state = ST_DONE;
		out->name = xstrdup(src->path);
		src->nmembers++;
		return NULL;
	}
	if (src->state == ST_START) {
		src->ar = archive_new();
		if (archive_read_open_memory(src->ar, raw_ptr(src),
		        raw_len(src)) != ARCHIVE_OK) {
			src->state = ST_DONE;
			return archive_err(src->ar, src->path);
		}
		src->state = ST_ARCHIVE;
	}
	for (;;) {
		int rc = archive_read_next_header(src->ar, &e);
		const char *inner;

		if (rc == ARCHIVE_EOF) {
			src->state = ST_DONE;
			/* Compressed nothing: raw bids on no input, empty does. */
			if (src->nmembers == 0 &&
			    archive_format(src->ar) == ARCHIVE_FORMAT_EMPTY) {
				out->name = xstrdup(src->path);
				src->nmembers++;
				return NULL;
			}
			*done = 1;
			return NULL;
		}
		if (rc < ARCHIVE_WARN) {
			src->state = ST_DONE;
			return archive_err(src->ar, src->path);
		}
		if (archive_format(src->ar) == ARCHIVE_FORMAT_RAW) {
			if (src->nmembers > 0) {
				src->state = ST_DONE;
				*done = 1;
				return NULL;
			}
			out->name = xstrdup(src->path);
		} else {
			inner = archive_entry_pathname(e);
			if (inner == NULL)
				inner = "";
			if (archive_entry_filetype(e) != AE_IFREG ||
			    archive_entry_hardlink(e) != NULL ||
			    skip_entry_path(inner))
				continue;
			out->name = xstrfmt("%s:%s", src->path, inner);
		}
		src->nmembers++;
		break;
	}
	if (archive_format(src->ar) == ARCHIVE_FORMAT_RAW &&
	    archive_filter_count(src->ar) == 1 &&
	    archive_filter_code(src->ar, 0) == ARCHIVE_FILTER_NONE) {
		/* A plain file: hand over the bytes read, without a copy. */
		archive_read_free(src->ar);
		src->ar = NULL;
		if (src->map) {
			out->map = src->map;
			out->maplen = src->maplen;
			out->buf = src->map;
			out->len = src->mapsize;
			out->unhashed = src->sha256[0] == '\0';
			src->map = NULL;
		} else {
			out->data = src->raw;
			strbuf_init(&src->raw, 0);
		}
		src->state = ST_DONE;
		return NULL;
	}
	if ((err = read_data(src, out, e))) {
		src->state = ST_DONE;
		mlk_member_release(out);
		return err;
	}
	return NULL;
}

void
mlk_source_close(struct mlk_source *src)
{
	if (src->ar)
		archive_read_free(src->ar);
	src->ar = NULL;
	free(src->path);
	src->path = NULL;
	strbuf_release(&src->raw);
	if (src->map)
		munmap(src->map, src->maplen);
	src->map = NULL;
}

struct mlk_error *
mlk_source_next_member(struct mlk_source *src, struct mlk_member *out,
    int *done)
{
	struct mlk_error *err = next_member(src, out, done);

	/* raw bytes not handed over go with the source: hashed now */
	if (src->map && src->sha256[0] == '\0')
		mlk_sha256_hex(src->map, src->mapsize, src->sha256);

	if (!err && !*done && out->map == NULL) {
		out->buf = out->data.buf;
		out->len = out->data.len;
	}
	return err;
}
