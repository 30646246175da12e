/*
 * Promotion gates: the condition a candidate model version must meet to
 * take an alias (`mlk register promote --if`), compared with the alias's
 * current holder on the metrics of the runs that made them:
 *
 *   metrics.rmse < current.metrics.rmse
 *   metrics.roc_auc >= current.metrics.roc_auc + 0.01 and metrics.rmse < 5
 *
 * The grammar (keywords in any case):
 *
 *   cond    := and ("or" and)*
 *   and     := not ("and" not)*
 *   not     := "not" not | cmp
 *   cmp     := sum [("<" | "<=" | ">" | ">=" | "=" | "==" | "!=" | "<>") sum]
 *   sum     := term (("+" | "-") term)*
 *   term    := unary (("*" | "/") unary)*
 *   unary   := ("-" | "+") unary | primary
 *   primary := number | metric | "(" cond ")"
 *   metric  := ["current."] "metrics." (name | `any text but a backtick`)
 *
 * A name is letters, digits, '_', '-' and '.' after the first letter or
 * '_'; a metric whose name holds other characters is quoted in backticks
 * (metrics.`f1 score`), as MLflow's search does. Numbers are decimals
 * with an optional exponent. Arithmetic is IEEE double: x / 0 is an
 * infinity, and a comparison with a NaN is false. A condition is a truth
 * value: comparisons joined by and, or, not; a number where a truth value
 * is wanted (or the reverse) is an error.
 *
 * Errors from parsing are MLK_ERR_USAGE and name the column (from 1) in
 * the condition, with the condition and a caret under that column.
 */
#ifndef MLK_PROMOTE_H
#define MLK_PROMOTE_H

#include <jansson.h>
#include <stddef.h>

#include "error.h"

struct mlk_gate;

/* One metric the condition reads. */
struct mlk_gate_ref {
	int current; /* 1 for current.metrics.<name>, 0 for metrics.<name> */
	char *metric; /* the metric's name */
	size_t column; /* where it first appears, from 1 */
};

/* Parses a condition; the caller frees *out with mlk_gate_free(). */
struct mlk_error *mlk_gate_parse(const char *text, struct mlk_gate **out);
void mlk_gate_free(struct mlk_gate *);

/* The condition's text, as given. */
const char *mlk_gate_text(const struct mlk_gate *);
/*
 * The distinct metrics the condition reads, in order of first
 * appearance; the values given to mlk_gate_eval() follow this order.
 */
size_t mlk_gate_nrefs(const struct mlk_gate *);
const struct mlk_gate_ref *mlk_gate_ref(const struct mlk_gate *, size_t i);
/* Whether the condition reads any current.metrics.<name>. */
int mlk_gate_uses_current(const struct mlk_gate *);

/* Evaluates the condition with vals[i] the value of ref i: 1 or 0. */
int mlk_gate_eval(const struct mlk_gate *, const double *vals);

/*
 * Looks each ref up in the metrics objects of the candidate's run and
 * the holder's run (JSON objects of numbers) into vals (room for
 * mlk_gate_nrefs()), then evaluates into *holds. When current is NULL
 * (the alias has no holder) the condition holds and vals are not filled.
 * A metric missing from its object, or not a number, is MLK_ERR_NOT_FOUND
 * naming it and whose run lacks it (cand_label, cur_label: "version 4").
 */
struct mlk_error *mlk_gate_check(const struct mlk_gate *, json_t *candidate,
    const char *cand_label, json_t *current, const char *cur_label,
    double *vals, int *holds);

#endif
