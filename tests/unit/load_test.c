/*
 * Exactly once (load.h): which sources mlk_load_check() hashes at once and
 * which it leaves hashing while they are parsed, and what it skips.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load.h"
#include "source.h"
#include "tap.h"
#include "xmalloc.h"

static struct mlk_store *store;

/* A source of text t, left unhashed (as a plain file is), or hashed. */
static void
source(struct mlk_load_source *s, const char *name, const char *t, int hashed)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->bytes = strlen(t);
	if (hashed)
		mlk_sha256_hex(t, strlen(t), s->sha256);
	else {
		s->unhashed = t;
		s->unhashed_len = strlen(t);
	}
}

static void
hex(const char *t, char out[MLK_SHA256_HEXSZ + 1])
{
	mlk_sha256_hex(t, strlen(t), out);
}

static void
test_check(void)
{
	static const char *const text[] = {
		"a\n1\n", /* 4 bytes: no other source has its size */
		"a\n22\n", /* 5 bytes, as the next */
		"a\n33\n",
		"a\n4444\n", /* hashed already (as a compressed file is) */
		"a\n22\n", /* the same content as the second */
	};
	const char *names[] = { "s0", "s1", "s2", "s3", "s4" };
	struct mlk_load_source src[5];
	struct mlk_load_member mem[5];
	struct mlk_load_opts o;
	struct mlk_load_result res;
	struct mlk_error *err;
	char want[MLK_SHA256_HEXSZ + 1];

	for (size_t i = 0; i < 5; i++) {
		source(&src[i], names[i], text[i], i == 3);
		mem[i] = (struct mlk_load_member){ names[i], text[i],
			strlen(text[i]), i };
	}
	err = mlk_load_check(store, "bronze.t", src, 5);
	tap_ok(err == NULL, "check a new table");
	tap_is_str(src[0].sha256, "pending 0",
	    "a size of its own: hashed later");
	hex(text[1], want);
	tap_is_str(src[1].sha256, want, "a size shared: hashed at once");
	hex(text[2], want);
	tap_is_str(src[2].sha256, want, "the other of that size too");
	hex(text[3], want);
	tap_is_str(src[3].sha256, want, "a hash given stays");
	tap_ok(!src[0].skipped && !src[1].skipped && !src[2].skipped &&
	        !src[3].skipped && src[4].skipped && src[4].seen_version == -1,
	    "the same content twice: once");
	for (size_t i = 0; i < 5; i++)
		tap_ok(src[i].unhashed == NULL, "s%zu: nothing left to start",
		    i);

	memset(&o, 0, sizeof(o));
	o.cwd = "/";
	o.operation = "INGEST";
	o.parameters = json_object();
	o.parse.store_path = mlk_store_path(store);
	err = mlk_load_run(store, "bronze.t", src, 5, mem, 5, &o, &res);
	tap_ok(err == NULL && res.version == 0 && res.rows_added == 4,
	    "load them");
	hex(text[0], want);
	tap_is_str(src[0].sha256, want, "hashed by the time the load returns");
	if (err == NULL)
		mlk_load_result_release(&res);
	mlk_error_free(err);

	/* Again: a size seen before is hashed at once, and skipped. */
	source(&src[0], "t0", "a\n1\n", 0);
	source(&src[1], "t1", "a\n55555\n", 0);
	source(&src[2], "t2", "a\n9\n", 0);
	err = mlk_load_check(store, "bronze.t", src, 3);
	tap_ok(err == NULL, "check again");
	tap_ok(src[0].skipped && src[0].seen_version == 0,
	    "seen before: skipped, with its version");
	tap_is_str(src[1].sha256, "pending 1", "a new size: hashed later");
	tap_ok(!src[1].skipped && !src[2].skipped, "new content: not skipped");
	hex("a\n9\n", want);
	tap_is_str(src[2].sha256, want, "a size seen before: hashed at once");
	mlk_load_finish_hashes(src, 3);
	hex("a\n55555\n", want);
	tap_is_str(src[1].sha256, want, "finish: the hash written");
	mlk_load_finish_hashes(src, 3);
	tap_is_str(src[1].sha256, want, "finish twice: nothing more");
	json_decref(o.parameters);
}

int
main(void)
{
	char dir[] = "/tmp/mlk-load-XXXXXX";
	char *cmd;

	if (!mkdtemp(dir))
		return 1;
	if (mlk_store_init(&store, dir) != NULL)
		return 1;
	test_check();
	mlk_store_close(store);
	cmd = xstrfmt("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_ok(0, "remove %s", dir);
	free(cmd);
	return tap_done();
}
