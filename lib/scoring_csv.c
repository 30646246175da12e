/*
 * text/csv request bodies into feature columns: a header naming the
 * features, then one record per row.
 */
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "scoring_impl.h"
#include "value.h"
#include "xmalloc.h"

/* Appends a text value (CSV); returns -1 when it is not of the type. */
static int
put_text(struct mlk_column *c, const char *s, size_t n, int quoted)
{
	double x;
	int b;
	int32_t d;
	int64_t t;

	if (n == 0 && !quoted && c->type != MLK_T_STRING) {
		mlk_column_append_null(c);
		return 0;
	}
	switch (c->type) {
	case MLK_T_FLOAT64:
		if (mlk_value_parse_float64(s, n, &x))
			return -1;
		mlk_column_append_f64(c, x);
		return 0;
	case MLK_T_BOOL:
		if (mlk_value_parse_bool(s, n, &b))
			return -1;
		mlk_column_append_bool(c, b);
		return 0;
	case MLK_T_DATE:
		if (mlk_value_parse_date(s, n, &d))
			return -1;
		mlk_column_append_i64(c, d);
		return 0;
	case MLK_T_TIMESTAMP:
		if (mlk_value_parse_timestamp(s, n, &t))
			return -1;
		mlk_column_append_i64(c, t);
		return 0;
	default:
		if (n == 0 && !quoted)
			mlk_column_append_null(c);
		else
			mlk_column_append_str(c, s, n);
		return 0;
	}
}

struct mlk_error *
scoring_parse_csv(const struct mlk_model *m, const char *body, size_t len,
    double deadline, struct mlk_scoring_frame *fr)
{
	struct mlk_csv_dialect dialect = MLK_CSV_DIALECT_CSV;
	const struct mlk_csv_record *rec;
	struct mlk_csv_parser p;
	struct mlk_error *err;
	size_t *idx = xcalloc(m->nfeatures + 1, sizeof(*idx));
	int *found = xcalloc(m->nfeatures + 1, sizeof(*found));
	size_t width = 0, i = 0;

	mlk_csv_init(&p, &dialect);
	mlk_csv_feed(&p, body, len, 1);
	if ((err = mlk_csv_next(&p, &rec)))
		goto bad;
	if (rec == NULL) {
		err = mlk_error_new(MLK_ERR_PARSE,
		    "Failed to parse input as CSV: no header row");
		goto done;
	}
	width = rec->nfields;
	for (size_t j = 0; j < width; j++)
		for (size_t f = 0; f < m->nfeatures; f++)
			if (!found[f] &&
			    strlen(m->features[f].name) == rec->fields[j].len &&
			    memcmp(m->features[f].name, rec->fields[j].ptr,
			        rec->fields[j].len) == 0) {
				idx[f] = j;
				found[f] = 1;
			}
	if ((err = scoring_missing(m, found)))
		goto done;
	while ((err = mlk_csv_next(&p, &rec)) == NULL && rec != NULL) {
		if (rec->nfields != width) {
			err = mlk_error_new(MLK_ERR_PARSE,
			    "Failed to parse input as CSV: line %llu has %zu "
			    "fields, the header %zu",
			    (unsigned long long)rec->line, rec->nfields, width);
			goto done;
		}
		for (size_t f = 0; f < m->nfeatures; f++) {
			const struct mlk_csv_field *fl = &rec->fields[idx[f]];

			if (put_text(&fr->cols[f], fl->ptr, fl->len,
			        fl->quoted)) {
				err = mlk_error_new(MLK_ERR_PARSE,
				    "Incompatible input types for column %s. "
				    "Can not safely convert '%.*s' to %s "
				    "(line %llu).",
				    m->features[f].name,
				    (int)(fl->len > 40 ? 40 : fl->len), fl->ptr,
				    mlk_type_name(m->features[f].type),
				    (unsigned long long)rec->line);
				goto done;
			}
		}
		if (scoring_expired(fr, deadline, i++)) {
			err = scoring_timeout();
			goto done;
		}
	}
	if (err)
		goto bad;
	fr->nrows = i;
	goto done;
bad:
	err = mlk_error_wrap(err, "Failed to parse input as CSV");
done:
	mlk_csv_release(&p);
	free(idx);
	free(found);
	return err;
}
