/*
 * The sources of an ingest: naming them (source_list.c), reading them
 * (source.c), and fingerprinting them (source.c, source_hash.c).
 *
 * A source is a file (or stdin) as the user named it. Its bytes may be
 * compressed (gzip, bzip2, xz, lzma, lzip, zstd, lz4, compress) and may be
 * an archive (tar, zip, 7z, cpio, rar); compression and format are found
 * from the content, never from the name. What comes out is members: each
 * regular file of an archive is a member named "archive.tar.gz:inner/a.csv",
 * and a plain or merely compressed file is one member named by its path
 * ("-" for stdin). An empty file is one empty member.
 *
 *	struct mlk_source src;
 *	struct mlk_member m;
 *	int done;
 *
 *	if ((err = mlk_source_open(&src, path, limit)))
 *		return err;
 *	src.sha256 and src.raw_bytes are known from here on
 *	while ((err = mlk_source_next_member(&src, &m, &done)) == NULL &&
 *	    !done) {
 *		use m.name, m.data.buf, m.data.len
 *		mlk_member_release(&m);
 *	}
 *	mlk_source_close(&src);
 *
 * Left out on purpose: the mtree format (it reads the files its text
 * names, from disk), the filters libarchive runs as external programs
 * (lrzip, lzop, grzip, and any whose library this libarchive lacks), and
 * uuencode (a text file starting "begin 644 x" would be decoded), so
 * that the content of a file never makes mlk open another file or start
 * a program. Other formats (iso9660, cab, lha, xar, warc, ar) are simply
 * not data people ingest.
 */
#ifndef MLK_SOURCE_H
#define MLK_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "strbuf.h"

/*
 * Operands expanded into paths, in order, each once. "-" is stdin.
 */
struct mlk_source_list {
	char **paths;
	size_t nr, alloc;
	/* private: the device and inode of each path, for de-duplication */
	struct mlk_source_id *ids;
	size_t ids_alloc;
};

#define MLK_SOURCE_LIST_INIT \
	{ \
		NULL, 0, 0, NULL, 0 \
	}

/*
 * Appends the sources the operands name, in the order given:
 *
 *	-          stdin
 *	a file     itself, whatever its type (a FIFO from <(...) too)
 *	a folder   every regular file inside, at any depth, sorted by path
 *	           (bytewise); names starting with '.' are skipped, files and
 *	           folders alike, and symbolic links to folders are not
 *	           followed. An empty folder adds nothing and is no error.
 *	a glob     an operand with * ? or [ that does not exist as it is
 *	           written is a pattern for glob(3); each match is then a
 *	           file or a folder as above, matches sorted bytewise
 *
 * A file already in the list (the same device and inode, or "-" twice)
 * is not added again: the first name stands. Errors: a missing operand
 * is MLK_ERR_ERRNO "cannot open 'x.csv': No such file or directory"; a
 * pattern that matches nothing is MLK_ERR_ERRNO (ENOENT) "no files match
 * '*.csv'"; an unreadable folder is MLK_ERR_ERRNO. On error the list
 * keeps what was added before.
 */
struct mlk_error *mlk_source_expand(struct mlk_source_list *,
    const char *const *operands, size_t n);
void mlk_source_list_release(struct mlk_source_list *);

/*
 * One member: its display name and all its bytes, decompressed, at buf
 * and len: NUL-terminated, but they may hold NUL bytes. The caller owns
 * it and frees it with mlk_member_release(). The bytes are data's, or,
 * for a plain file, the file mapped into memory (data is then empty).
 */
struct mlk_member {
	char *name;
	const char *buf;
	size_t len;
	struct strbuf data;
	/*
	 * Set when the member is all of its source's raw bytes and the
	 * source was opened with MLK_SOURCE_HASH_LATER and left unhashed:
	 * the caller then hashes buf itself (mlk_sha256_start()).
	 */
	int unhashed;
	/* private: the mapping of a plain file */
	void *map;
	size_t maplen;
};

void mlk_member_release(struct mlk_member *);

#define MLK_SHA256_HEXSZ 64

/*
 * An open source. The public fields are set by mlk_source_open(): the
 * whole source is read then, so its fingerprint is known before any
 * member is decompressed (an ingest can skip a file it has seen without
 * decompressing it). The raw bytes stay in memory until the source is
 * closed (a plain file's are handed over as its member, not copied): to
 * bound memory, an ingest over many files opens, reads and closes them
 * one at a time rather than opening them all first.
 */
struct mlk_source {
	char *path; /* as given; "-" for stdin */
	/*
	 * SHA-256 of the raw bytes, before decompression, in lowercase hex;
	 * empty while MLK_SOURCE_HASH_LATER leaves it to do
	 */
	char sha256[MLK_SHA256_HEXSZ + 1];
	uint64_t raw_bytes; /* how many raw bytes */

	/* private */
	struct strbuf raw;
	char *map; /* a regular file, mapped, instead of raw */
	size_t maplen, mapsize;
	struct archive *ar;
	size_t limit;
	uint64_t nmembers;
	int state;
	int hash_later;
};

/*
 * Reads the source at path ("-" for stdin) into memory and hashes it.
 * limit bounds both the raw source and each decompressed member, in
 * bytes: a bigger one is an error naming it (MLK_ERR_FAIL), which also
 * stops a decompression bomb. Errors: MLK_ERR_ERRNO "cannot open
 * 'x.csv': ...", "cannot read 'x.csv': ...". On error nothing needs
 * closing (closing it anyway is harmless); on success close the source
 * with mlk_source_close().
 */
struct mlk_error *mlk_source_open(struct mlk_source *, const char *path,
    size_t limit);

/*
 * The same, but a regular file that is read mapped is not hashed yet:
 * sha256 stays empty until mlk_source_next_member() finds what it holds.
 * When the file is a plain one, its one member, all of the raw bytes,
 * comes out marked unhashed, for the caller to hash (on a thread, while
 * it parses); when it is compressed or an archive, the source is hashed
 * before its first member is read, as mlk_source_open() would.
 */
#define MLK_SOURCE_HASH_LATER 1u
struct mlk_error *mlk_source_open_flags(struct mlk_source *, const char *path,
    size_t limit, unsigned flags);

/*
 * SHA-256 on a thread of its own: mlk_sha256_start() begins hashing the
 * n bytes at p, which must stay as they are until mlk_sha256_finish()
 * has waited for it, written the lowercase hex digest and freed the job.
 * Without a thread to be had, start hashes at once.
 */
/* The SHA-256 of the n bytes at p, in lowercase hex. */
void mlk_sha256_hex(const void *p, size_t n, char hex[MLK_SHA256_HEXSZ + 1]);
struct mlk_sha256_job;
struct mlk_sha256_job *mlk_sha256_start(const void *p, size_t n);
void mlk_sha256_finish(struct mlk_sha256_job *, char hex[MLK_SHA256_HEXSZ + 1]);

/*
 * The next member in *out, which the caller then owns, and *done = 0; or
 * *done = 1 when there are no more, leaving *out empty. Members of an
 * archive come in archive order; entries that are not regular files
 * (folders, links, devices), hard links to earlier entries, and entries
 * with a path component starting with '.' or named "__MACOSX" (the
 * resource forks macOS adds) are skipped. An archive with no regular
 * file has no members (and so has a file of only NUL bytes, which is
 * what an empty tar is); the caller decides whether that is an error.
 * Errors name the source or the member: MLK_ERR_PARSE "cannot read
 * 'x.csv.gz': truncated gzip input" for damaged or unsupported content,
 * MLK_ERR_FAIL for a member past the limit. After an error the source is good only for closing.
 */
struct mlk_error *mlk_source_next_member(struct mlk_source *,
    struct mlk_member *out, int *done);

void mlk_source_close(struct mlk_source *);

#endif
