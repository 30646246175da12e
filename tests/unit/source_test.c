/*
 * Sources: real files made in a temporary folder by the gzip, bzip2, xz,
 * zstd, tar and zip tools. Each case's members are rendered as
 * "name=content" joined by ";", newlines as \n, and a trailing
 * "!CODE: message" for an error; each source's SHA-256 and size are
 * checked against sha256sum and stat.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source.h"
#include "strbuf.h"
#include "tap.h"
#include "xmalloc.h"

struct read_case {
	const char *name;
	const char *setup; /* shell commands run in the folder */
	const char *path;
	size_t limit; /* 0 for 1 MiB */
	const char *want;
};

#define CSV "printf 'a,b\\n1,2\\n' > t.csv"
#define TWO \
	"mkdir -p in/sub in/empty && printf 'x\\n1\\n' > in/a.csv && " \
	"printf 'y\\n2\\n' > in/sub/b.csv"

static const struct read_case read_cases[] = {
	{ "plain csv", CSV, "t.csv", 0, "t.csv=a,b\\n1,2\\n" },
	{ "no final newline", "printf 'a' > nonl.csv", "nonl.csv", 0,
	    "nonl.csv=a" },
	{ "empty file", ": > empty.csv", "empty.csv", 0, "empty.csv=" },
	{ "gzip", CSV " && gzip -c t.csv > t.csv.gz", "t.csv.gz", 0,
	    "t.csv.gz=a,b\\n1,2\\n" },
	{ "gzip of nothing", ": | gzip -c > e.gz", "e.gz", 0, "e.gz=" },
	{ "gzip by content, not name", CSV " && gzip -c t.csv > g.csv", "g.csv",
	    0, "g.csv=a,b\\n1,2\\n" },
	{ "text named .gz", CSV " && cp t.csv fake.gz", "fake.gz", 0,
	    "fake.gz=a,b\\n1,2\\n" },
	{ "two gzip members",
	    "printf 'a\\n' | gzip -c > cat.gz && "
	    "printf 'b\\n' | gzip -c >> cat.gz",
	    "cat.gz", 0, "cat.gz=a\\nb\\n" },
	{ "bzip2", CSV " && bzip2 -c t.csv > t.csv.bz2", "t.csv.bz2", 0,
	    "t.csv.bz2=a,b\\n1,2\\n" },
	{ "xz", CSV " && xz -c t.csv > t.csv.xz", "t.csv.xz", 0,
	    "t.csv.xz=a,b\\n1,2\\n" },
	{ "zstd", CSV " && zstd -q -c t.csv > t.csv.zst", "t.csv.zst", 0,
	    "t.csv.zst=a,b\\n1,2\\n" },
	{ "tar", TWO " && tar -cf t.tar -C in a.csv sub empty", "t.tar", 0,
	    "t.tar:a.csv=x\\n1\\n;t.tar:sub/b.csv=y\\n2\\n" },
	{ "tar.gz", TWO " && tar -czf t.tgz -C in .", "t.tgz", 0,
	    "t.tgz:./a.csv=x\\n1\\n;t.tgz:./sub/b.csv=y\\n2\\n" },
	{ "tar.xz with a link",
	    TWO " && ln -sf a.csv in/l.csv && "
	        "ln -f in/a.csv in/h.csv && tar -cJf t.txz -C in a.csv h.csv "
	        "l.csv",
	    "t.txz", 0, "t.txz:a.csv=x\\n1\\n" },
	{ "zip with a folder",
	    TWO " && (cd in && zip -qr ../t.zip a.csv sub "
	        "empty)",
	    "t.zip", 0, "t.zip:a.csv=x\\n1\\n;t.zip:sub/b.csv=y\\n2\\n" },
	{ "zip skips dot files",
	    TWO " && mkdir -p in/__MACOSX && "
	        "printf j > in/__MACOSX/._a.csv && printf j > in/sub/.hid && "
	        "(cd in && zip -qr ../m.zip __MACOSX a.csv sub)",
	    "m.zip", 0, "m.zip:a.csv=x\\n1\\n;m.zip:sub/b.csv=y\\n2\\n" },
	{ "zip of folders only", "mkdir -p zd/e && zip -qr z0.zip zd", "z0.zip",
	    0, "" },
	{ "empty tar", "mkdir -p et && tar -cf e.tar -C et .", "e.tar", 0, "" },
	{ "truncated gzip",
	    "head -c 2000 /dev/urandom | od -x > big && "
	    "gzip -c big | head -c 100 > trunc.gz",
	    "trunc.gz", 0,
	    "!PARSE: cannot read 'trunc.gz': truncated gzip input" },
	{ "corrupt zstd", CSV " && zstd -q -c t.csv | head -c 12 > c.zst",
	    "c.zst", 0, "!PARSE: cannot read 'c.zst': *" },
	{ "truncated tar.gz",
	    "head -c 3000 /dev/urandom > r && tar -czf "
	    "r.tgz r && head -c 1000 r.tgz > tr.tgz",
	    "tr.tgz", 0, "!PARSE: cannot read 'tr.tgz*" },
	{ "missing file", NULL, "nope.csv", 0,
	    "!ERRNO: cannot open 'nope.csv': No such file or directory" },
	{ "a folder", "mkdir -p adir", "adir", 0,
	    "!ERRNO: cannot read 'adir': Is a directory" },
	{ "raw past the limit", CSV, "t.csv", 5,
	    "!FAIL: 't.csv' is larger than the limit of 5 bytes" },
	{ "member past the limit", "yes | head -c 5000 | gzip -c > z.gz",
	    "z.gz", 1000,
	    "!FAIL: 'z.gz' is larger than the limit of 1000 bytes" },
	{ "tar member past the limit",
	    "yes | head -c 5000 > zz && "
	    "tar -czf zz.tgz zz",
	    "zz.tgz", 1000,
	    "!FAIL: 'zz.tgz:zz' is larger than the limit of 1000 bytes" },
};

static const char *
code_name(enum mlk_err_code c)
{
	switch (c) {
	case MLK_ERR_ERRNO:
		return "ERRNO";
	case MLK_ERR_PARSE:
		return "PARSE";
	case MLK_ERR_FAIL:
		return "FAIL";
	default:
		return "OTHER";
	}
}

static void
render(struct strbuf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			strbuf_addstr(out, "\\n");
		else
			strbuf_addch(out, s[i]);
	}
}

/* Reads every member of path into out; 0 on success. */
static int
read_source(struct strbuf *out, const char *path, size_t limit,
    struct mlk_source *src_out)
{
	struct mlk_source src;
	struct mlk_member m;
	struct mlk_error *err;
	int done, guard = 0;

	if ((err = mlk_source_open(&src, path, limit)) == NULL) {
		while (
		    (err = mlk_source_next_member(&src, &m, &done)) == NULL &&
		    !done && guard++ < 100) {
			if (out->len)
				strbuf_addch(out, ';');
			strbuf_addf(out, "%s=", m.name);
			render(out, m.buf, m.len);
			if (m.buf[m.len] != '\0')
				strbuf_addstr(out, "(not NUL-terminated)");
			mlk_member_release(&m);
		}
		if (src_out) {
			*src_out = src;
			src_out->path = NULL;
		}
		mlk_source_close(&src);
	}
	if (err) {
		strbuf_addf(out, "!%s: %s", code_name(err->code), err->msg);
		mlk_error_free(err);
		return -1;
	}
	return 0;
}

static char *
sha256sum(const char *path)
{
	char *cmd = xstrfmt("sha256sum < '%s'", path);
	FILE *f = popen(cmd, "r");
	char hex[65] = "";

	free(cmd);
	if (f == NULL || fscanf(f, "%64s", hex) != 1)
		hex[0] = '\0';
	if (f)
		pclose(f);
	return xstrdup(hex);
}

/* A trailing * in want matches any rest. */
static int
matches(const char *got, const char *want)
{
	size_t n = strlen(want);

	if (n && want[n - 1] == '*')
		return strncmp(got, want, n - 1) == 0;
	return strcmp(got, want) == 0;
}

static void
test_read(void)
{
	for (size_t i = 0; i < sizeof(read_cases) / sizeof(*read_cases); i++) {
		const struct read_case *c = &read_cases[i];
		struct strbuf got = STRBUF_INIT;
		struct mlk_source src;
		struct stat st;
		char *hex;
		int rc;

		if (c->setup && system(c->setup) != 0) {
			tap_ok(0, "%s: setup", c->name);
			continue;
		}
		rc = read_source(&got, c->path, c->limit ? c->limit : 1 << 20,
		    &src);
		if (!tap_ok(matches(got.buf, c->want), "%s", c->name))
			printf("#   got: '%s'\n#  want: '%s'\n", got.buf,
			    c->want);
		if (rc == 0) {
			hex = sha256sum(c->path);
			tap_is_str(src.sha256, hex, "  sha256 as sha256sum's");
			tap_ok(stat(c->path, &st) == 0 &&
			        (uint64_t)st.st_size == src.raw_bytes,
			    "  raw_bytes %llu",
			    (unsigned long long)src.raw_bytes);
			free(hex);
		}
		strbuf_release(&got);
	}
}

static void
test_stdin(void)
{
	struct strbuf got = STRBUF_INIT;
	struct mlk_source src;
	int saved = dup(0), fd;
	char *hex;

	if (system("printf 'k\\n7\\n' | xz -c > s.xz") != 0 ||
	    (fd = open("s.xz", O_RDONLY)) == -1) {
		tap_ok(0, "stdin setup");
		return;
	}
	dup2(fd, 0);
	close(fd);
	read_source(&got, "-", 1 << 20, &src);
	tap_is_str(got.buf, "-=k\\n7\\n", "stdin, xz");
	hex = sha256sum("s.xz");
	tap_is_str(src.sha256, hex, "  sha256 of stdin's raw bytes");
	free(hex);
	dup2(saved, 0);
	close(saved);
	strbuf_release(&got);
}

/* The known hash of nothing, and of "abc". */
static void
test_known_hashes(void)
{
	struct strbuf got = STRBUF_INIT;
	struct mlk_source src;

	if (system("printf abc > abc.txt && : > nothing") != 0)
		tap_ok(0, "setup");
	read_source(&got, "nothing", 100, &src);
	tap_is_str(src.sha256,
	    "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855",
	    "sha256 of nothing");
	tap_ok(src.raw_bytes == 0, "  0 bytes");
	read_source(&got, "abc.txt", 100, &src);
	tap_is_str(src.sha256,
	    "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad",
	    "sha256 of abc");
	strbuf_release(&got);
}

/* A member is the caller's: it outlives the source. */
static void
test_member_ownership(void)
{
	struct mlk_source src;
	struct mlk_member m1, m2;
	int done = 0, ok;

	ok = mlk_source_open(&src, "t.csv", 100) == NULL &&
	    mlk_source_next_member(&src, &m1, &done) == NULL && !done &&
	    mlk_source_next_member(&src, &m2, &done) == NULL && done &&
	    m2.name == NULL && m2.len == 0 &&
	    mlk_source_next_member(&src, &m2, &done) == NULL && done;
	mlk_source_close(&src);
	tap_ok(ok && strcmp(m1.buf, "a,b\n1,2\n") == 0,
	    "a member outlives its source; done stays done");
	mlk_member_release(&m1);
	mlk_member_release(&m2);
}

static int
same_as_file(const char *data, size_t len, const char *path)
{
	FILE *f = fopen(path, "rb");
	struct strbuf want = STRBUF_INIT;
	char buf[65536];
	size_t n;
	int same;

	while (f && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&want, buf, n);
	if (f)
		fclose(f);
	same = f && want.len == len && memcmp(want.buf, data, want.len) == 0;
	strbuf_release(&want);
	return same;
}

/* Megabytes, of known size and not: every byte comes through. */
static void
test_big(void)
{
	static const char *const paths[] = {
		"big.csv",
		"big.csv.gz",
		"big.tar",
		"big.zst",
		"fifo",
	};

	if (system(
	        "seq 1 400000 > big.csv && gzip -c big.csv > big.csv.gz "
	        "&& tar -cf big.tar big.csv && zstd -q -c big.csv > big.zst && "
	        "mkfifo fifo && (gzip -c big.csv > fifo &)") != 0)
		tap_ok(0, "big setup");
	for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
		struct mlk_source src;
		struct mlk_member m;
		int done = 1, ok;

		ok = mlk_source_open(&src, paths[i], 1 << 24) == NULL &&
		    mlk_source_next_member(&src, &m, &done) == NULL && !done &&
		    same_as_file(m.buf, m.len, "big.csv");
		mlk_member_release(&m);
		ok = ok && mlk_source_next_member(&src, &m, &done) == NULL &&
		    done;
		mlk_source_close(&src);
		tap_ok(ok, "%s: all %s bytes", paths[i], "2.7M");
	}
}

struct expand_case {
	const char *name;
	const char *operands; /* space-separated */
	const char *want; /* paths joined by " ", or "!CODE: msg" */
};

static const struct expand_case expand_cases[] = {
	{ "a file", "x/b.csv", "x/b.csv" },
	{ "stdin", "-", "-" },
	{ "a folder, sorted, no dot files", "x",
	    "x/a.csv/in.csv x/a.gz x/b.csv x/c/d.csv x/z" },
	{ "a folder with a slash", "x/c/", "x/c/d.csv" },
	{ "an empty folder", "emptydir", "" },
	{ "a glob", "x/*.csv", "x/a.csv/in.csv x/b.csv" },
	{ "a glob over folders", "x/?", "x/c/d.csv x/z" },
	{ "a glob of one class", "x/[ab].*", "x/a.csv/in.csv x/a.gz x/b.csv" },
	{ "a literal name with a star", "lit*.csv", "lit*.csv" },
	{ "each once, first name stands", "x/b.csv x ./x/b.csv - - x/*",
	    "x/b.csv x/a.csv/in.csv x/a.gz x/c/d.csv x/z -" },
	{ "a file called -", "dash", "./-" },
	{ "a glob with no match", "x/*.tsv",
	    "!ERRNO: no files match 'x/*.tsv'" },
	{ "a missing file", "x/b.csv nope.csv",
	    "!ERRNO: cannot open 'nope.csv': No such file or directory" },
};

static void
test_expand(void)
{
	if (system("mkdir -p x/c x/.git x/a.csv emptydir dash && "
	           "touch x/b.csv x/a.gz x/z x/.hidden x/.git/config "
	           "x/c/d.csv x/a.csv/in.csv 'lit*.csv' dash/- && "
	           "ln -sfn ../x x/c/loop && ln -sf ../b.csv x/c/.l && "
	           "mkfifo x/c/fifo") != 0)
		tap_ok(0, "expand setup");
	for (size_t i = 0; i < sizeof(expand_cases) / sizeof(*expand_cases);
	     i++) {
		const struct expand_case *c = &expand_cases[i];
		struct mlk_source_list l = MLK_SOURCE_LIST_INIT;
		struct strbuf got = STRBUF_INIT;
		char *ops = xstrdup(c->operands), *save = NULL;
		const char *argv[16];
		size_t n = 0;
		struct mlk_error *err;

		for (char *t = strtok_r(ops, " ", &save); t && n < 16;
		     t = strtok_r(NULL, " ", &save))
			argv[n++] = t;
		if (strcmp(c->name, "a file called -") == 0) {
			if (chdir("dash") == 0) {
				argv[0] = "*";
				n = 1;
			}
		}
		err = mlk_source_expand(&l, argv, n);
		if (strcmp(c->name, "a file called -") == 0 && chdir("..") != 0)
			abort();
		for (size_t k = 0; k < l.nr && !err; k++)
			strbuf_addf(&got, "%s%s", k ? " " : "", l.paths[k]);
		if (err) {
			strbuf_addf(&got, "!%s: %s", code_name(err->code),
			    err->msg);
			tap_ok(err->code != MLK_ERR_ERRNO ||
			        err->sys_errno == ENOENT,
			    "%s: ENOENT", c->name);
			mlk_error_free(err);
		}
		tap_is_str(got.buf, c->want, c->name);
		strbuf_release(&got);
		mlk_source_list_release(&l);
		free(ops);
	}
}

/* MLK_SOURCE_HASH_LATER: a plain file is left to its caller to hash. */
static void
test_hash_later(void)
{
	static const char *const paths[] = { "later.csv", "later.csv.gz" };

	if (system("printf 'a,b\\n1,2\\n' > later.csv && "
	           "gzip -c later.csv > later.csv.gz") != 0) {
		tap_ok(0, "hash later: setup");
		return;
	}
	for (int i = 0; i < 2; i++) {
		struct mlk_source src;
		struct mlk_member m;
		char got[MLK_SHA256_HEXSZ + 1], *hex = sha256sum(paths[i]);
		int done = 1;

		if (mlk_source_open_flags(&src, paths[i], 1 << 20,
		        MLK_SOURCE_HASH_LATER) ||
		    mlk_source_next_member(&src, &m, &done) || done) {
			tap_ok(0, "hash later: %s opens", paths[i]);
			free(hex);
			continue;
		}
		tap_ok(matches(m.buf, "a,b\n1,2\n"), "hash later: %s reads",
		    paths[i]);
		tap_ok(m.unhashed == (i == 0), "hash later: %s %s", paths[i],
		    i == 0 ? "is the caller's to hash" : "is hashed");
		if (m.unhashed) {
			tap_is_str(src.sha256, "", "  no hash yet");
			mlk_sha256_finish(mlk_sha256_start(m.buf, m.len), got);
		} else {
			memcpy(got, src.sha256, sizeof(got));
		}
		tap_is_str(got, hex, "  sha256 as sha256sum's");
		mlk_member_release(&m);
		mlk_source_close(&src);
		free(hex);
	}
}

int
main(void)
{
	char dir[] = "/tmp/mlk-source-XXXXXX";
	char *cmd;

	if (!mkdtemp(dir) || chdir(dir) != 0)
		return 1;
	test_read();
	test_stdin();
	test_known_hashes();
	test_hash_later();
	test_member_ownership();
	test_big();
	test_expand();
	if (chdir("/") != 0)
		return 1;
	cmd = xstrfmt("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	free(cmd);
	return tap_done();
}
