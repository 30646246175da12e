#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "record.h"
#include "strbuf.h"
#include "xmalloc.h"

int64_t
mlk_now_us(void)
{
	const char *env = getenv("MLK_NOW");
	struct timeval tv;

	if (env && *env)
		return strtoll(env, NULL, 10) * 1000000;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

char *
mlk_time_iso(char *buf, size_t size, int64_t seconds)
{
	time_t t = (time_t)seconds;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static json_t *
time_json(int64_t us)
{
	char buf[32], out[48];

	mlk_time_iso(buf, sizeof(buf), us / 1000000);
	buf[strlen(buf) - 1] = '\0';
	snprintf(out, sizeof(out), "%s.%06lldZ", buf,
	    (long long)(us % 1000000));
	return json_string(out);
}

json_t *
mlk_record_new(struct mlk_store *s, const char *kind, const char *name,
    const char *operation, const char *cwd)
{
	json_t *rec = json_object();
	char host[256] = "";
	char *ident = mlk_store_identity(s);

	gethostname(host, sizeof(host) - 1);
	json_object_set_new(rec, "mlk", json_integer(MLK_RECORD_FORMAT));
	json_object_set_new(rec, "kind", json_string(kind));
	json_object_set_new(rec, "name", json_string(name));
	json_object_set_new(rec, "operation", json_string(operation));
	json_object_set_new(rec, "parameters", json_object());
	json_object_set_new(rec, "inputs", json_array());
	json_object_set_new(rec, "user", json_string(ident));
	json_object_set_new(rec, "host", json_string(host));
	json_object_set_new(rec, "mlk_version", json_string(MLK_VERSION));
	json_object_set_new(rec, "started", time_json(mlk_now_us()));
	free(ident);
	if (cwd) {
		struct mlk_code_version cv;

		mlk_code_version_read(cwd, &cv);
		if (cv.present)
			json_object_set_new(rec, "code",
			    json_pack("{s:s, s:o, s:b}", "commit", cv.commit,
			        "branch",
			        cv.branch ? json_string(cv.branch) :
			                    json_null(),
			        "dirty", cv.dirty));
		mlk_code_version_release(&cv);
	}
	return rec;
}

void
mlk_record_finish(json_t *rec)
{
	json_object_set_new(rec, "finished", time_json(mlk_now_us()));
}

void
mlk_record_add_input(json_t *rec, const char *name,
    const struct mlk_oid *commit, long long version)
{
	char hex[MLK_OID_HEXSZ + 1];
	json_t *in = json_object_get(rec, "inputs");

	if (!json_is_array(in)) {
		in = json_array();
		json_object_set_new(rec, "inputs", in);
	}
	json_array_append_new(in,
	    json_pack("{s:s, s:s, s:I}", "name", name, "commit",
	        mlk_oid_fmt(hex, commit), "version", (json_int_t)version));
}

char *
mlk_record_message(json_t *rec, const char *summary)
{
	char *js = json_dumps(rec, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	char *msg = xstrfmt("%s\n\n%s\n", summary, js ? js : "{}");

	free(js);
	return msg;
}

char *
mlk_record_summary(const char *message)
{
	const char *nl = strchr(message, '\n');

	return nl ? xstrndup(message, (size_t)(nl - message)) :
	            xstrdup(message);
}

struct mlk_error *
mlk_record_parse(const char *message, json_t **out)
{
	const char *body = strstr(message, "\n\n");
	json_error_t jerr;

	*out = NULL;
	if (body == NULL)
		return mlk_error_new(MLK_ERR_CORRUPT,
		    "the commit has no record");
	*out = json_loads(body + 2, JSON_REJECT_DUPLICATES, &jerr);
	if (*out == NULL)
		return mlk_error_new(MLK_ERR_CORRUPT,
		    "the commit's record is not valid JSON: line %d: %s",
		    jerr.line, jerr.text);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return mlk_error_new(MLK_ERR_CORRUPT,
		    "the commit's record is not a JSON object");
	}
	return NULL;
}

struct mlk_error *
mlk_record_validate(json_t *rec)
{
	static const char *const strs[] = {
		"kind",
		"name",
		"operation",
		"user",
		"started",
	};

	if (!json_is_integer(json_object_get(rec, "mlk")))
		return mlk_error_new(MLK_ERR_CORRUPT,
		    "record has no format version 'mlk'");
	if (json_integer_value(json_object_get(rec, "mlk")) > MLK_RECORD_FORMAT)
		return mlk_error_new(MLK_ERR_CORRUPT,
		    "record format %lld is newer than this mlk understands",
		    (long long)json_integer_value(json_object_get(rec, "mlk")));
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!json_is_string(json_object_get(rec, strs[i])))
			return mlk_error_new(MLK_ERR_CORRUPT,
			    "record has no string '%s'", strs[i]);
	if (json_object_get(rec, "inputs") &&
	    !json_is_array(json_object_get(rec, "inputs")))
		return mlk_error_new(MLK_ERR_CORRUPT,
		    "record's 'inputs' is not a list");
	return NULL;
}

const char *
mlk_record_str(json_t *rec, const char *key)
{
	const char *s = json_string_value(json_object_get(rec, key));

	return s ? s : "";
}

long long
mlk_record_int(json_t *rec, const char *key, long long dflt)
{
	json_t *v = json_object_get(rec, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : dflt;
}
