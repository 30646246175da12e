/*
 * Training: what `mlk train` and `mlk reproduce` do, without printing.
 *
 * A training spec (the options, from train.yaml and the command line)
 * names a table revision, a target and features, an algorithm and its
 * parameters, a split and a seed. mlk_train_fit() reads the columns it
 * needs, drops or imputes missing values, builds the preprocessing from
 * the training rows (model.h), splits the rows, fits (fit.h), computes
 * the metrics, and writes the model artifact. mlk_train_run() then
 * records the run (run.h): its parents are the input table version.
 *
 * Deterministic: the same spec, data, run id and creation time give the
 * same model bytes. The random split and the folds come from our own
 * PRNG (splitmix64) seeded by the spec's seed, never from libc.
 */
#ifndef MLK_TRAIN_H
#define MLK_TRAIN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "fit.h"
#include "model.h"
#include "run.h"
#include "store.h"

/* The YAML file may be at most this many bytes. */
#define MLK_TRAIN_SPEC_MAX (1 << 20)

enum mlk_split_kind {
	MLK_SPLIT_NONE,
	MLK_SPLIT_RANDOM, /* test=F: a seeded random fraction F */
	MLK_SPLIT_TIME, /* by=COL,test=F: the last fraction F in COL's order */
};

struct mlk_train_param {
	char *key, *value; /* as given, before validation */
};

struct mlk_train_spec {
	char *name; /* the model's name (the run's run_name) */
	char *data; /* a table revision */
	char *target;
	char **features; /* NULL: every column but the target */
	size_t nfeatures;
	char *algo; /* NULL: logistic for a string or bool target,
	               linear for the others */
	struct mlk_train_param *params; /* one per key, in order given */
	size_t nparams, aparams;
	enum mlk_split_kind split;
	double test; /* the test fraction, 0 < test < 1 */
	char *split_by; /* MLK_SPLIT_TIME: the time column */
	int cv; /* K-fold cross-validation; 0 for none */
	uint64_t seed; /* 0 unless given */
	char *experiment; /* NULL: "Default" */
};

void mlk_train_spec_init(struct mlk_train_spec *);
void mlk_train_spec_release(struct mlk_train_spec *);

/*
 * Sets one field from its text, as train.yaml and the command line give
 * it: name, data, target, features (comma-separated), algo, split
 * ("test=0.2", "by=ts,test=0.2" or "none"), cv, seed, experiment. A bad
 * value is MLK_ERR_USAGE naming the field. A later call overrides.
 */
struct mlk_error *mlk_train_spec_set(struct mlk_train_spec *, const char *key,
    const char *value);
/*
 * Sets a parameter, "k=v" (mlk_train_spec_param) or key and value; a key
 * given again replaces the earlier value. A key no algorithm takes, or a
 * bad value, is MLK_ERR_USAGE naming it; whether the algorithm takes the
 * key is checked by mlk_train_spec_opts(), once the algorithm is known.
 */
struct mlk_error *mlk_train_spec_param(struct mlk_train_spec *, const char *kv);
struct mlk_error *mlk_train_spec_set_param(struct mlk_train_spec *,
    const char *key, const char *value);

/*
 * Reads train.yaml: a mapping of the fields above, with features a list
 * (or a comma-separated string), params a mapping, split a string or a
 * mapping {test: 0.2, by: ts}. Fields given override those already set;
 * an unknown key, a wrong shape or a bad value is MLK_ERR_PARSE with
 * "<path>:<line>:<column>: ". A file that cannot be read is
 * MLK_ERR_ERRNO. Anchors and aliases are refused.
 */
struct mlk_error *mlk_train_spec_read(struct mlk_train_spec *,
    const char *path);
/* The same from text in memory; name is what messages start with. */
struct mlk_error *mlk_train_spec_parse(struct mlk_train_spec *,
    const char *name, const char *text, size_t len);

/*
 * The parameters of a spec for an algorithm: validates every key and
 * value (MLK_ERR_USAGE "unknown parameter 'x' for ridge (it takes
 * alpha, ...)" or "bad value 'x' for parameter 'alpha': ..."), fills
 * opts (mlk_fit_opts_init() then the parameters), *standardize and
 * *drop_missing, and, when params is not NULL, sets it to an object of
 * every parameter the algorithm takes, as text: those given as given,
 * the others their defaults.
 *
 * Parameters: fit_intercept, standardize (true|false), missing
 * (impute|drop) for all; alpha for ridge, lasso, elasticnet; l1_ratio for
 * elasticnet; tol, max_iter for lasso, elasticnet, logistic; C and
 * solver (auto|lbfgs|newton) for logistic.
 */
struct mlk_error *mlk_train_spec_opts(const struct mlk_train_spec *,
    enum mlk_algo, struct mlk_fit_opts *opts, int *standardize,
    int *drop_missing, json_t **params);

/* The split as text: "none", "test=0.2" or "by=ts,test=0.2". */
char *mlk_train_split_text(const struct mlk_train_spec *);

/* Reports progress: stage text, and iter >= 0 with loss during a fit. */
struct mlk_train_progress {
	void (*fn)(void *ctx, const char *stage, int iter, double loss);
	void *ctx;
};

struct mlk_train_result {
	struct mlk_model model; /* the final model */
	struct mlk_oid model_tree;
	char *table; /* the input table version: name, number, commit */
	long long version;
	struct mlk_oid commit;
	size_t rows; /* rows in the table version */
	size_t rows_dropped; /* rows left out: missing target, or values */
	size_t rows_train, rows_test;
	json_t *metrics; /* {"rmse": .., "training_rmse": .., ...} */
	json_t *history; /* {"loss": [{"step", "value", "timestamp"}]} */
	json_t *params; /* every parameter of the algorithm, as text */
	json_t *data; /* the record's "data": what reproduce needs */
};

void mlk_train_result_release(struct mlk_train_result *);

/*
 * Fits and writes the model artifact (not the run): run_id and created
 * (microseconds since the epoch) go into the model. progress may be NULL.
 * Usage errors (MLK_ERR_USAGE): an unknown column, a feature that is the
 * target, a string target for regression, bad parameters. Data errors
 * (MLK_ERR_FAIL): no rows, a single class for classification, too few
 * rows for the split.
 */
struct mlk_error *mlk_train_fit(struct mlk_store *,
    const struct mlk_train_spec *, const char *run_id, int64_t created,
    const struct mlk_train_progress *, struct mlk_train_result *out);

/*
 * A whole training: a new run id, mlk_train_fit(), then the run's commit
 * and ref (run.h) with its record; cwd is where the user's code version
 * is read. On success run_id holds the run's id.
 */
struct mlk_error *mlk_train_run(struct mlk_store *,
    const struct mlk_train_spec *, const char *cwd,
    const struct mlk_train_progress *, struct mlk_train_result *out,
    char run_id[MLK_RUN_ID_LEN + 1]);

/*
 * The spec of a recorded run, for reproduce: the data pinned to the
 * exact input commit, the algorithm, parameters, split and seed; and
 * the creation time its model was given. MLK_ERR_CORRUPT when the
 * record lacks what retraining needs.
 */
struct mlk_error *mlk_train_spec_from_record(json_t *record,
    struct mlk_train_spec *out, int64_t *created);

#endif
