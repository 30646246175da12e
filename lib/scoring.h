/*
 * Scoring requests, as MLflow's scoring server and the Open Inference
 * Protocol V2 define them: a request body becomes one column per model
 * feature (a frame), and predictions become a response body. Nothing
 * here prints or touches the network; mlk serve drives it.
 *
 * MLflow's JSON body is an object with exactly one of
 *   dataframe_split    {"columns": [...], "data": [[...], ...], "index"}
 *   dataframe_records  [{"col": value, ...}, ...]
 *   instances, inputs  a list of rows (objects, or lists in the model's
 *                      feature order, or scalars for a one-feature
 *                      model), or an object of columns (lists, or
 *                      scalars for one row)
 * and optionally "params" (an object, ignored: mlk models take none).
 * A CSV body has a header row. Columns the model does not use are
 * ignored; missing ones, values of the wrong type and malformed bodies
 * are MLK_ERR_PARSE errors whose messages are MLflow's ("Model is
 * missing inputs ['region'].", "Incompatible input types for column
 * temperature. ..."), ready to go into a 400 reply.
 *
 * Values by the feature's type in the training table: int64 and float64
 * take JSON numbers, bool takes true and false, string takes strings,
 * date and timestamp take strings in mlk's formats (value.h); null is a
 * null everywhere, imputed by the model. In CSV an empty unquoted field
 * is a null and the rest parses as value.h says.
 */
#ifndef MLK_SCORING_H
#define MLK_SCORING_H

#include <stddef.h>

#include "column.h"
#include "error.h"
#include "model.h"
#include "strbuf.h"

/* The rows of a request, one column per model feature in its order. */
struct mlk_scoring_frame {
	size_t nrows;
	size_t ncols; /* the model's nfeatures */
	struct mlk_column *cols;
	const struct mlk_column **colp; /* &cols[f], for mlk_model_predict */
	int timed_out; /* set when parsing stopped at the deadline */
};

/* Frees the columns; the frame may be released twice. */
void mlk_scoring_frame_release(struct mlk_scoring_frame *);

enum mlk_scoring_body {
	MLK_SCORING_JSON,
	MLK_SCORING_CSV,
};

/*
 * Checks a Content-Type header (NULL when absent): application/json or
 * text/csv, with no parameter but charset=utf-8 (any case). Otherwise
 * MLK_ERR_USAGE with the plain-text message of a 415 reply.
 */
struct mlk_error *mlk_scoring_content_type(const char *content_type,
    enum mlk_scoring_body *out);

/*
 * Parses an MLflow request body of len bytes into out, which the caller
 * releases whatever the result, or parses into again: out is zeroed, or
 * a frame an earlier parse filled, whose memory is then reused. deadline
 * is a CLOCK_MONOTONIC time in seconds, or 0 for none: past it parsing
 * stops with out->timed_out set and an MLK_ERR_FAIL error.
 */
struct mlk_error *mlk_scoring_parse(const struct mlk_model *,
    enum mlk_scoring_body, const char *body, size_t len, double deadline,
    struct mlk_scoring_frame *out);

/*
 * Parses a V2 inference request: {"id", "inputs": [{"name", "shape",
 * "datatype", "data"}, ...], "parameters"}, one tensor per feature,
 * shape [rows] or [rows, 1], data flat or nested. *id receives the
 * request's id (a copy, freed by the caller) or NULL.
 */
struct mlk_error *mlk_scoring_parse_v2(const struct mlk_model *,
    const char *body, size_t len, double deadline,
    struct mlk_scoring_frame *out, char **id);

/*
 * Appends {"predictions": [...]}: numbers for a regression (null for a
 * value that is not finite), and for a classifier one record per row,
 * {"prediction": <class>, "probability_<class>": p, ...}, as mlk
 * predict --format jsonl writes them, the class typed as the training
 * target (a number, a bool or a string). proba
 * (nrows x nclasses) may be NULL for a regression.
 */
void mlk_scoring_format(const struct mlk_model *, const double *pred,
    const double *proba, size_t nrows, struct strbuf *);

/*
 * Appends a V2 inference response: model_name, model_version, id (when
 * not NULL) and outputs: "predictions" (FP64, [rows]) for a regression;
 * "label" ([rows], INT64, BOOL or BYTES as the target) and
 * "probabilities" (FP64, [rows, classes]) for a classifier.
 */
void mlk_scoring_format_v2(const struct mlk_model *, const char *name,
    const char *version, const char *id, const double *pred,
    const double *proba, size_t nrows, struct strbuf *);

/* Appends V2 model metadata: name, versions, platform, inputs, outputs. */
void mlk_scoring_metadata_v2(const struct mlk_model *, const char *name,
    const char *version, struct strbuf *);

/* Appends s as a JSON string, quotes included. */
void mlk_scoring_json_str(struct strbuf *, const char *s, size_t len);

#endif
