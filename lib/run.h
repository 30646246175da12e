/*
 * Runs: one training (or any tracked job) is one commit at
 * refs/runs/<id>, as MLflow's runs are, with the exact input table
 * versions as its parents. Its tree holds the artifacts:
 *
 *   <run tree>
 *     model/               the model tree (model.h), when the run made one
 *
 * Its record (record.h: kind "run", name the run id, operation "TRAIN")
 * adds to the common fields, as documented in mlk-repository(5):
 *
 *   experiment     "Default" unless given
 *   run_name       a name for people; the model name for mlk train
 *   status         "FINISHED" or "FAILED"
 *   parameters     {"alpha": "0.1", ...}: every value a string, as MLflow
 *   metrics        {"rmse": 0.41, "training_rmse": 0.39, ...}: the
 *                  evaluation metrics (on the test split, the mean over
 *                  cross-validation folds, else the training data) under
 *                  their plain names, "training_<m>" on the training rows,
 *                  "<m>_std" across folds
 *   metric_history {"loss": [{"step": 0, "value": 1.2, "timestamp": ms}]}
 *   tags           {"k": "v"}
 *   model          {"tree": "<oid>", "algorithm": "ridge", "task": ...}
 *   data           {"rev": ..., "target": ..., "features": [...],
 *                   "split": ..., "seed": ...}: what reproduce needs
 *
 * Run ids are 12 lowercase hex digits from the system's random source;
 * any unique prefix of 4 or more names a run.
 */
#ifndef MLK_RUN_H
#define MLK_RUN_H

#include <jansson.h>

#include "error.h"
#include "store.h"

#define MLK_RUN_ID_LEN 12

/* A new run id into buf (at least MLK_RUN_ID_LEN + 1 bytes). */
struct mlk_error *mlk_run_id_new(char *buf);

/*
 * Writes a run: its commit (parents the inputs, tree the artifacts,
 * message the record under summary) and its ref, created only if absent
 * (MLK_ERR_EXISTS otherwise). out receives the commit.
 */
struct mlk_error *mlk_run_write(struct mlk_store *, const char *id,
    json_t *record, const char *summary, const struct mlk_oid *tree,
    const struct mlk_oid *inputs, size_t ninputs, struct mlk_oid *out);

struct mlk_run {
	char *id;
	struct mlk_oid commit;
	struct mlk_oid tree;
	json_t *record; /* never NULL after a successful read */
	int has_model;
	struct mlk_oid model; /* the model/ subtree */
};

/*
 * Reads a run by id or unique id prefix (MLK_ERR_NOT_FOUND, or
 * MLK_ERR_AMBIGUOUS naming the candidates).
 */
struct mlk_error *mlk_run_read(struct mlk_store *, const char *id,
    struct mlk_run *out);
/* The same from a run's commit. */
struct mlk_error *mlk_run_read_commit(struct mlk_store *,
    const struct mlk_oid *commit, struct mlk_run *out);
/* Every run, newest start first; release each then free the array. */
struct mlk_error *mlk_run_list(struct mlk_store *, struct mlk_run **out,
    size_t *n);
void mlk_run_release(struct mlk_run *);

#endif
