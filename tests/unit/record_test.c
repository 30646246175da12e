/* Records, messages, and the string builder under them. */
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "strbuf.h"
#include "tap.h"
#include "xmalloc.h"

static void
strbuf_cases(void)
{
	struct strbuf sb = STRBUF_INIT;
	char *p;
	size_t n;

	tap_ok(sb.buf != NULL && sb.buf[0] == '\0' && sb.len == 0,
	    "an empty strbuf is an empty string");
	strbuf_addstr(&sb, "abc");
	strbuf_addch(&sb, 0);
	strbuf_addf(&sb, "%d-%s", 42, "x");
	tap_is_int((long long)sb.len, 8, "length counts embedded NULs");
	tap_ok(memcmp(sb.buf, "abc\0" "42-x", 9) == 0, "content and final NUL");
	strbuf_setlen(&sb, 2);
	tap_is_str(sb.buf, "ab", "setlen truncates");
	for (int i = 0; i < 1000; i++)
		strbuf_addf(&sb, "%04d", i);
	tap_is_int((long long)sb.len, 4002, "grows");
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "trail \n\t");
	strbuf_rtrim(&sb);
	tap_is_str(sb.buf, "trail", "rtrim");
	p = strbuf_detach(&sb, &n);
	tap_ok(n == 5 && sb.len == 0 && sb.buf[0] == '\0',
	    "detach leaves an empty strbuf");
	free(p);
	p = strbuf_detach(&sb, NULL);
	tap_ok(p != NULL && p[0] == '\0' && p != strbuf_slopbuf,
	    "detach of an empty strbuf gives an owned empty string");
	free(p);
}

static void
record_cases(void)
{
	struct mlk_oid oid;
	struct mlk_error *err;
	json_t *rec, *back;
	char *msg, *sum;

	setenv("MLK_NOW", "1700000000", 1);
	setenv("MLK_USER", "Ada <ada@example.org>", 1);
	memset(&oid, 0xab, sizeof(oid));
	rec = mlk_record_new(NULL, "table", "bronze.t", "INGEST", NULL);
	mlk_record_add_input(rec, "bronze.src", &oid, 7);
	mlk_record_finish(rec);
	tap_is_str(mlk_record_str(rec, "user"), "Ada <ada@example.org>",
	    "the user");
	tap_is_str(mlk_record_str(rec, "started"),
	    "2023-11-14T22:13:20.000000Z", "start time in UTC, microseconds");
	tap_ok(mlk_record_validate(rec) == NULL, "a new record is valid");
	msg = mlk_record_message(rec, "INGEST bronze.t");
	sum = mlk_record_summary(msg);
	tap_is_str(sum, "INGEST bronze.t", "summary is the first line");
	free(sum);
	tap_ok(mlk_record_parse(msg, &back) == NULL && json_equal(rec, back),
	    "message round-trips the record");
	tap_is_str(json_string_value(json_object_get(json_array_get(
	    json_object_get(back, "inputs"), 0), "commit")),
	    "abababababababababababababababababababab", "input commit");
	json_decref(back);
	free(msg);

	err = mlk_record_parse("no body", &back);
	tap_ok(err && err->code == MLK_ERR_CORRUPT, "no record: corrupt");
	mlk_error_free(err);
	err = mlk_record_parse("x\n\n{\"a\": 1, \"a\": 2}", &back);
	tap_ok(err && err->code == MLK_ERR_CORRUPT, "duplicate keys: corrupt");
	mlk_error_free(err);
	err = mlk_record_parse("x\n\n[1]", &back);
	tap_ok(err && err->code == MLK_ERR_CORRUPT, "not an object: corrupt");
	mlk_error_free(err);
	json_object_del(rec, "kind");
	err = mlk_record_validate(rec);
	tap_ok(err && strstr(err->msg, "kind"), "a missing field is named");
	mlk_error_free(err);
	json_object_set_new(rec, "kind", json_string("table"));
	json_object_set_new(rec, "mlk", json_integer(99));
	err = mlk_record_validate(rec);
	tap_ok(err && strstr(err->msg, "newer"), "a newer format is refused");
	mlk_error_free(err);
	json_decref(rec);
}

static void
error_cases(void)
{
	struct mlk_error *err;

	tap_is_int(mlk_error_exit_code(NULL), 0, "no error: 0");
	err = mlk_error_new(MLK_ERR_USAGE, "bad %s", "flag");
	tap_is_int(mlk_error_exit_code(err), 2, "usage: 2");
	err = mlk_error_wrap(err, "cannot %s", "go");
	tap_is_str(err->msg, "cannot go: bad flag", "wrap prefixes context");
	mlk_error_free(err);
	err = mlk_error_new(MLK_ERR_CHECK, "x");
	tap_is_int(mlk_error_exit_code(err), 4, "check: 4");
	mlk_error_free(err);
	err = mlk_error_new(MLK_ERR_NOT_FOUND, "x");
	tap_is_int(mlk_error_exit_code(err), 1, "not found: 1");
	mlk_error_free(err);
}

int
main(void)
{
	strbuf_cases();
	record_cases();
	error_cases();
	return tap_done();
}
