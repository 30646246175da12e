#include <stdio.h>
#include <string.h>

#include "runfilter_impl.h"
#include "value.h"

/* A key's value in a record. */
struct val {
	int present;
	double num;
	const char *str;
	char buf[MLK_VALUE_FMT_MAX];
};

long long
mlk_run_time_ms(json_t *rec, const char *field)
{
	const char *s = json_string_value(json_object_get(rec, field));
	int64_t us;

	if (s == NULL || mlk_value_parse_timestamp(s, strlen(s), &us) < 0)
		return -1;
	return (long long)(us / 1000);
}

/* A JSON scalar as a string value. */
static void
scalar(json_t *j, struct val *v)
{
	if (json_is_string(j))
		v->str = json_string_value(j);
	else if (json_is_integer(j)) {
		snprintf(v->buf, sizeof(v->buf), "%lld",
		    (long long)json_integer_value(j));
		v->str = v->buf;
	} else if (json_is_real(j)) {
		mlk_value_format_float64(v->buf, json_real_value(j));
		v->str = v->buf;
	} else if (json_is_boolean(j))
		v->str = json_is_true(j) ? "true" : "false";
	else
		return;
	v->present = 1;
}

static void
get(const struct key *k, json_t *rec, struct val *v)
{
	static const char *const fields[] = { [A_RUN_ID] = "name",
		[A_RUN_NAME] = "run_name",
		[A_STATUS] = "status",
		[A_EXPERIMENT] = "experiment",
		[A_USER] = "user" };
	json_t *j;
	long long ms;

	memset(v, 0, sizeof(*v));
	switch (k->kind) {
	case K_METRIC:
		j = json_object_get(json_object_get(rec, "metrics"), k->name);
		if (json_is_number(j)) {
			v->present = 1;
			v->num = json_number_value(j);
		}
		return;
	case K_PARAM:
		scalar(json_object_get(json_object_get(rec, "parameters"),
		           k->name),
		    v);
		return;
	case K_TAG:
		scalar(json_object_get(json_object_get(rec, "tags"), k->name),
		    v);
		return;
	case K_ATTR:
		if (k->attr == A_START || k->attr == A_END) {
			ms = mlk_run_time_ms(rec,
			    k->attr == A_START ? "started" : "finished");
			if (ms >= 0) {
				v->present = 1;
				v->num = (double)ms;
			}
			return;
		}
		scalar(json_object_get(rec, fields[k->attr]), v);
		return;
	case K_DATASET:
		return;
	}
}

static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* SQL LIKE: '%' any text, '_' one byte; fold for ILIKE. */
static int
like(const char *s, const char *pat, int fold)
{
	const char *star = NULL, *back = NULL;

	while (*s) {
		if (*pat == '%') {
			star = ++pat;
			back = s;
			continue;
		}
		if (*pat == '_') { /* one UTF-8 character */
			pat++;
			s++;
			while ((*s & 0xC0) == 0x80)
				s++;
			continue;
		}
		if (*pat &&
		    (fold ? ascii_lower(*pat) == ascii_lower(*s) :
		            *pat == *s)) {
			pat++;
			s++;
			continue;
		}
		if (star == NULL)
			return 0;
		pat = star;
		s = ++back;
	}
	while (*pat == '%')
		pat++;
	return *pat == '\0';
}

static int
compare_val(const struct node *n, const struct val *v)
{
	int in = 0;

	if (!v->present)
		return 0;
	if (n->key.numeric) {
		switch (n->op) {
		case OP_EQ:
			return v->num == n->num;
		case OP_NE:
			return v->num != n->num;
		case OP_LT:
			return v->num < n->num;
		case OP_LE:
			return v->num <= n->num;
		case OP_GT:
			return v->num > n->num;
		case OP_GE:
			return v->num >= n->num;
		default:
			return 0;
		}
	}
	switch (n->op) {
	case OP_EQ:
		return strcmp(v->str, n->strs[0]) == 0;
	case OP_NE:
		return strcmp(v->str, n->strs[0]) != 0;
	case OP_LIKE:
		return like(v->str, n->strs[0], 0);
	case OP_ILIKE:
		return like(v->str, n->strs[0], 1);
	case OP_IN:
	case OP_NOT_IN:
		for (size_t i = 0; i < n->nstrs; i++)
			in |= strcmp(v->str, n->strs[i]) == 0;
		return n->op == OP_IN ? in : !in;
	default:
		return 0;
	}
}

static int
match(const struct node *n, json_t *rec)
{
	struct val v;
	json_t *inputs;

	switch (n->kind) {
	case N_AND:
		return match(n->l, rec) && match(n->r, rec);
	case N_OR:
		return match(n->l, rec) || match(n->r, rec);
	case N_CMP:
		break;
	}
	if (n->key.kind != K_DATASET) {
		get(&n->key, rec, &v);
		return compare_val(n, &v);
	}
	inputs = json_object_get(rec, "inputs");
	for (size_t i = 0; i < json_array_size(inputs); i++) {
		memset(&v, 0, sizeof(v));
		scalar(json_object_get(json_array_get(inputs, i),
		           n->key.attr == A_DS_NAME ? "name" : "commit"),
		    &v);
		if (compare_val(n, &v))
			return 1;
	}
	return 0;
}

int
mlk_run_filter_match(const struct mlk_run_filter *f, json_t *rec)
{
	return f->root == NULL || match(f->root, rec);
}

int
mlk_run_order_cmp(const struct mlk_run_order *o, json_t *a, json_t *b)
{
	for (size_t i = 0; i < o->n; i++) {
		const struct key *k = &o->keys[i].key;
		struct val va, vb;
		int c;

		get(k, a, &va);
		get(k, b, &vb);
		if (!va.present || !vb.present) {
			if (va.present != vb.present)
				return va.present ? -1 : 1;
			continue;
		}
		if (k->numeric)
			c = va.num < vb.num ? -1 : va.num > vb.num ? 1 : 0;
		else
			c = strcmp(va.str, vb.str);
		if (c)
			return o->keys[i].desc ? -c : c;
	}
	return 0;
}
