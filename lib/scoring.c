/*
 * MLflow request bodies into feature columns: the frame they fill, the
 * content type that picks the parser (scoring_json.c, scoring_csv.c),
 * and the clock. The messages here and there are MLflow's scoring
 * server's, so that clients written against it read the same.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "scoring.h"
#include "scoring_impl.h"
#include "xmalloc.h"

double
scoring_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct mlk_error *
scoring_timeout(void)
{
	return mlk_error_new(MLK_ERR_FAIL, "request timed out");
}

void
mlk_scoring_frame_release(struct mlk_scoring_frame *fr)
{
	for (size_t f = 0; fr->cols && f < fr->ncols; f++)
		mlk_column_release(&fr->cols[f]);
	free(fr->cols);
	free(fr->colp);
	fr->cols = NULL;
	fr->colp = NULL;
	fr->ncols = fr->nrows = 0;
}

/* The column type a feature's values are kept in. */
static enum mlk_type
slot_type(const struct mlk_feature *f)
{
	switch (f->type) {
	case MLK_T_BOOL:
	case MLK_T_STRING:
	case MLK_T_DATE:
	case MLK_T_TIMESTAMP:
		return f->type;
	default:
		return MLK_T_FLOAT64;
	}
}

void
scoring_frame_init(struct mlk_scoring_frame *fr, const struct mlk_model *m)
{
	memset(fr, 0, sizeof(*fr));
	fr->ncols = m->nfeatures;
	fr->cols = xcalloc(m->nfeatures ? m->nfeatures : 1, sizeof(*fr->cols));
	fr->colp = xcalloc(m->nfeatures ? m->nfeatures : 1, sizeof(*fr->colp));
	for (size_t f = 0; f < m->nfeatures; f++) {
		mlk_column_init(&fr->cols[f], slot_type(&m->features[f]));
		fr->colp[f] = &fr->cols[f];
	}
}

/*
 * fr emptied for a parse with m: a frame from an earlier parse keeps its
 * columns' memory when they have the types m's features want.
 */
static void
frame_prepare(struct mlk_scoring_frame *fr, const struct mlk_model *m)
{
	size_t f = 0;

	if (fr->cols && fr->ncols == m->nfeatures)
		while (f < m->nfeatures &&
		    fr->cols[f].type == slot_type(&m->features[f]))
			f++;
	if (fr->cols == NULL || fr->ncols != m->nfeatures || f < m->nfeatures) {
		mlk_scoring_frame_release(fr);
		scoring_frame_init(fr, m);
		return;
	}
	for (f = 0; f < m->nfeatures; f++) {
		mlk_column_reset(&fr->cols[f]);
		fr->colp[f] = &fr->cols[f];
	}
	fr->nrows = 0;
	fr->timed_out = 0;
}

struct mlk_error *
scoring_missing(const struct mlk_model *m, const int *found)
{
	struct strbuf sb = STRBUF_INIT;
	struct mlk_error *err;
	const char *sep = "";

	for (size_t f = 0; f < m->nfeatures; f++) {
		if (found[f])
			continue;
		strbuf_addf(&sb, "%s'%s'", sep, m->features[f].name);
		sep = ", ";
	}
	if (sb.len == 0)
		return NULL;
	err = mlk_error_new(MLK_ERR_PARSE, "Model is missing inputs [%s].",
	    sb.buf);
	strbuf_release(&sb);
	return err;
}

struct mlk_error *
mlk_scoring_parse(const struct mlk_model *m, enum mlk_scoring_body kind,
    const char *body, size_t len, double deadline,
    struct mlk_scoring_frame *out)
{
	frame_prepare(out, m);
	if (kind == MLK_SCORING_CSV)
		return scoring_parse_csv(m, body, len, deadline, out);
	return scoring_parse_json(m, body, len, deadline, out);
}

/* A media type's parameter list: only charset=utf-8 may be there. */
static int
params_ok(const char *p)
{
	while (*p) {
		size_t n;

		p += strspn(p, " \t;");
		if (!*p)
			break;
		n = strcspn(p, ";");
		if (strncasecmp(p, "charset=", 8) != 0)
			return 0;
		p += 8;
		n -= 8;
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n >= 2 && p[0] == '"' && p[n - 1] == '"') {
			p++;
			n -= 2;
		}
		if (!((n == 5 && strncasecmp(p, "utf-8", 5) == 0) ||
		        (n == 4 && strncasecmp(p, "utf8", 4) == 0)))
			return 0;
		p += strcspn(p, ";");
	}
	return 1;
}

struct mlk_error *
mlk_scoring_content_type(const char *ct, enum mlk_scoring_body *out)
{
	static const struct {
		const char *name;
		enum mlk_scoring_body kind;
	} types[] = {
		{ "application/json", MLK_SCORING_JSON },
		{ "text/csv", MLK_SCORING_CSV },
	};
	size_t n;

	if (ct == NULL)
		ct = "";
	n = strcspn(ct, ";");
	while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	for (size_t i = 0; i < 2; i++) {
		if (strlen(types[i].name) != n ||
		    strncasecmp(types[i].name, ct, n) != 0)
			continue;
		if (!params_ok(ct + strcspn(ct, ";")))
			return mlk_error_new(MLK_ERR_USAGE,
			    "This predictor only supports UTF-8 charset; got "
			    "Content-Type '%s'",
			    ct);
		*out = types[i].kind;
		return NULL;
	}
	return mlk_error_new(MLK_ERR_USAGE,
	    "This predictor only supports the following content types: "
	    "Types: ['text/csv', 'application/json']. Got '%.*s'.",
	    (int)(n > 200 ? 200 : n), ct);
}
