/*
 * Model artifacts: a fitted model and the preprocessing that turns table
 * rows into its design matrix, stored as a git tree in MLflow's shape
 * (documented in mlk-repository(5)):
 *
 *   <model tree>
 *     MLmodel              YAML: artifact_path, flavors (an "mlk" flavor
 *                          with algorithm, task and format_version),
 *                          signature (inputs and outputs: name and type
 *                          lists), run_id, utc_time_created,
 *                          model_size_bytes, mlk_version
 *     model.json           the preprocessing and the fitted parameters
 *     input_example.json   a few training rows, as MLflow's
 *                          dataframe_split
 *
 * The bytes are a function of the fit and the training data alone
 * (created is the run's start, given by the caller), so retraining on
 * the same inputs with the same seed gives the same tree id.
 *
 * Preprocessing, the same in train, predict and serve:
 *   - a numeric input (int64, float64, date, timestamp as its number) is
 *     one design column: null -> impute value (the training mean), then
 *     (x - center) / scale (center 0 and scale 1 unless standardised);
 *   - a string or bool input is one-hot: one design column per category
 *     seen in training (sorted bytewise; bools as "false", "true"); null
 *     -> the most frequent category; a category not seen in training is
 *     all zeros.
 */
#ifndef MLK_MODEL_H
#define MLK_MODEL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "column.h"
#include "error.h"
#include "fit.h"
#include "store.h"
#include "table.h"
#include "types.h"

#define MLK_MODEL_FORMAT 1

enum mlk_task {
	MLK_TASK_REGRESSION,
	MLK_TASK_CLASSIFICATION,
};

enum mlk_feature_kind {
	MLK_FEAT_NUMERIC,
	MLK_FEAT_ONEHOT,
};

struct mlk_feature {
	char *name; /* the input column's name */
	enum mlk_type type; /* its type in the training table */
	enum mlk_feature_kind kind;
	double impute; /* numeric */
	double center, scale; /* numeric */
	char **categories; /* one-hot, sorted bytewise */
	size_t ncategories;
	size_t impute_category; /* one-hot: index of the most frequent */
	size_t offset; /* its first design column */
};

struct mlk_model {
	enum mlk_task task;
	struct mlk_feature *features;
	size_t nfeatures;
	size_t ndesign; /* design columns: the sum over the features */
	char *target;
	enum mlk_type target_type;
	char **classes; /* classification: labels as text, sorted */
	size_t nclasses;
	struct mlk_fit_opts opts; /* algorithm and settings */
	struct mlk_fit fit; /* coefficients over the design columns */
	char *run_id; /* the run that trained it */
	int64_t created; /* microseconds since the epoch */
	json_t *params; /* the parameters as given, strings */
	json_t *input_example; /* dataframe_split object, or NULL */
};

void mlk_model_release(struct mlk_model *);

/* Writes the artifact; out is the model tree. */
struct mlk_error *mlk_model_write(struct mlk_store *, const struct mlk_model *,
    struct mlk_oid *out);
/* Reads the artifact from a model tree. MLK_ERR_CORRUPT when invalid. */
struct mlk_error *mlk_model_read(struct mlk_store *, const struct mlk_oid *tree,
    struct mlk_model *out);

/* Where a model revision led. */
struct mlk_model_source {
	struct mlk_oid tree; /* the model tree */
	int has_run;
	struct mlk_oid run; /* the run's commit */
	char *run_id;
	char *name; /* registered name, or NULL */
	long long version; /* registered version, or -1 */
	struct mlk_oid commit; /* the registered version's commit */
};

/*
 * Resolves a model revision: runs:/<id>, models:/<name>/<version>,
 * models:/<name>@<alias>, models:/<name>/latest, or an object id of a
 * run, a registered model version or a model tree. A revision that
 * names something else is MLK_ERR_FAIL ("'x' is not a model").
 */
struct mlk_error *mlk_model_resolve(struct mlk_store *, const char *rev,
    struct mlk_model_source *out);
void mlk_model_source_release(struct mlk_model_source *);
/* mlk_model_resolve() then mlk_model_read(); src may be NULL. */
struct mlk_error *mlk_model_load(struct mlk_store *, const char *rev,
    struct mlk_model *out, struct mlk_model_source *src);

/*
 * Finds each feature's column in a schema: idx[f] is the schema index
 * of feature f. MLK_ERR_USAGE naming every missing column ("missing
 * column 'region'") and every column whose type cannot feed the feature
 * ("column 'temperature' is string, the model wants a number").
 * Numeric features accept int64, float64, bool, date and timestamp;
 * one-hot features accept string and bool.
 */
struct mlk_error *mlk_model_bind(const struct mlk_model *,
    const struct mlk_schema *, size_t *idx);

/*
 * The design matrix of nrows rows, column-major (X[j * nrows + i]):
 * cols[f] holds feature f's values. X has room for ndesign * nrows.
 */
void mlk_model_design(const struct mlk_model *,
    const struct mlk_column *const *cols, size_t nrows, double *X);

/*
 * Scores nrows rows: cols[f] holds feature f's values (any type
 * mlk_model_bind() accepts). For regression pred[i] is the prediction;
 * for classification pred[i] is the class index (into classes) and, when
 * proba is not NULL, proba[i * nclasses + c] the probabilities. Safe to
 * call from several threads at once on one model.
 */
struct mlk_error *mlk_model_predict(const struct mlk_model *,
    const struct mlk_column *const *cols, size_t nrows, double *pred,
    double *proba);

#endif
