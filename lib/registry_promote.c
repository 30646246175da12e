/* Gated promotion: the gate evaluated on the metrics of the runs. */
#include <stdlib.h>
#include <string.h>

#include "promote.h"
#include "registry.h"
#include "xmalloc.h"

void
mlk_promotion_release(struct mlk_promotion *p)
{
	free(p->values);
	memset(p, 0, sizeof(*p));
}

/* Compares the candidate with the holder; fills out. */
static struct mlk_error *
gate_holds(struct mlk_store *s, const struct mlk_model_version *cand,
    const char *alias, const struct mlk_gate *gate, struct mlk_promotion *out)
{
	struct mlk_model_version cur;
	struct mlk_error *err;
	json_t *cm = NULL, *hm = NULL;
	char *cl, *hl;

	if ((err = mlk_registry_version(s, cand->name, out->holder, &cur)))
		return err;
	cl = xstrfmt("the run of version %lld", cand->version);
	hl = xstrfmt("the run of version %lld (%s)", cur.version, alias);
	out->nvalues = mlk_gate_nrefs(gate);
	out->values = xcalloc(out->nvalues ? out->nvalues : 1, sizeof(double));
	if (!(err = mlk_registry_metrics(s, cand, &cm)) &&
	    !(err = mlk_registry_metrics(s, &cur, &hm)))
		err = mlk_gate_check(gate, cm, cl, hm, hl, out->values,
		    &out->holds);
	json_decref(cm);
	json_decref(hm);
	free(cl);
	free(hl);
	mlk_model_version_release(&cur);
	return err;
}

struct mlk_error *
mlk_registry_promote(struct mlk_store *s, const char *model, long long version,
    const char *alias, const struct mlk_gate *gate, const char *cwd,
    struct mlk_promotion *out)
{
	struct mlk_model_version cand;
	struct mlk_error *err;
	json_t *extra = NULL;
	long long old;

	memset(out, 0, sizeof(*out));
	out->holder = -1;
	out->holds = 1;
	if ((err = mlk_registry_version(s, model, version, &cand)))
		return err;
	if ((err = mlk_registry_alias_read(s, model, alias, &out->holder,
	         NULL)))
		goto done;
	if (out->holder == version)
		goto done;
	if (gate && out->holder >= 0 &&
	    (err = gate_holds(s, &cand, alias, gate, out)))
		goto done;
	if (!out->holds) {
		err = mlk_error_new(MLK_ERR_CHECK,
		    "condition not met: alias '%s' of model '%s' stays at "
		    "version %lld",
		    alias, model, out->holder);
		goto done;
	}
	extra = json_object();
	json_object_set_new(extra, "condition",
	    gate ? json_string(mlk_gate_text(gate)) : json_null());
	if (out->values) {
		json_t *vals = json_object();

		for (size_t i = 0; i < out->nvalues; i++) {
			const struct mlk_gate_ref *r = mlk_gate_ref(gate, i);
			char *key = xstrfmt("%smetrics.%s",
			    r->current ? "current." : "", r->metric);

			json_object_set_new(vals, key,
			    json_real(out->values[i]));
			free(key);
		}
		json_object_set_new(extra, "values", vals);
	}
	err = mlk_registry_alias_set(s, model, alias, version,
	    out->holder >= 0 ? out->holder : MLK_EXPECT_NONE, "PROMOTE", extra,
	    cwd, &old);
done:
	json_decref(extra);
	mlk_model_version_release(&cand);
	return err;
}
