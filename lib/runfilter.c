#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runfilter_impl.h"
#include "strbuf.h"
#include "value.h"
#include "xmalloc.h"

/* The parser's state: the text, where it is, and the first error. */
struct parser {
	const char *text, *p;
	const char *what; /* "filter" or "order" */
	struct mlk_error *err;
};

static void
perr(struct parser *ps, const char *at, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (ps->err)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	ps->err =
	    mlk_error_new(MLK_ERR_USAGE, "bad %s at position %zu: %s: '%s'",
	        ps->what, (size_t)(at - ps->text) + 1, sb.buf, ps->text);
	strbuf_release(&sb);
}

static void
skip_ws(struct parser *ps)
{
	while (
	    *ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
}

/* The length of the word of letters and '_' at p. */
static size_t
word_len(const char *p)
{
	size_t n = 0;

	while (isalpha((unsigned char)p[n]) || p[n] == '_')
		n++;
	return n;
}

/* Consumes keyword kw (case-insensitive, whole word) if it is next. */
static int
keyword(struct parser *ps, const char *kw)
{
	size_t n;

	skip_ws(ps);
	n = word_len(ps->p);
	if (n != strlen(kw) || strncasecmp(ps->p, kw, n) != 0)
		return 0;
	ps->p += n;
	return 1;
}

static int
name_char(int c)
{
	return isalnum(c) || c == '_' || c == '-' || c == '.' || c == '/' ||
	    c == ':';
}

/* A quoted text at p (quote char q): doubled or '\'-escaped quotes. */
static char *
quoted(struct parser *ps, const char *what)
{
	const char *start = ps->p;
	struct strbuf sb = STRBUF_INIT;
	char q = *ps->p++;

	for (;;) {
		if (*ps->p == '\0') {
			perr(ps, start, "%s has no closing %c", what, q);
			strbuf_release(&sb);
			return NULL;
		}
		if (*ps->p == '\\' && ps->p[1] != '\0') {
			strbuf_addch(&sb, ps->p[1]);
			ps->p += 2;
			continue;
		}
		if (*ps->p == q) {
			if (ps->p[1] != q) {
				ps->p++;
				break;
			}
			ps->p++;
		}
		strbuf_addch(&sb, *ps->p++);
	}
	return strbuf_detach(&sb, NULL);
}

static const struct {
	const char *name;
	enum key_kind kind;
} prefixes[] = {
	{ "metrics", K_METRIC },
	{ "metric", K_METRIC },
	{ "params", K_PARAM },
	{ "param", K_PARAM },
	{ "parameters", K_PARAM },
	{ "parameter", K_PARAM },
	{ "tags", K_TAG },
	{ "tag", K_TAG },
	{ "attributes", K_ATTR },
	{ "attribute", K_ATTR },
	{ "attr", K_ATTR },
	{ "run", K_ATTR },
	{ "datasets", K_DATASET },
	{ "dataset", K_DATASET },
};

static const struct {
	const char *name;
	enum key_kind kind;
	enum attr attr;
} attrs[] = {
	{ "run_id", K_ATTR, A_RUN_ID },
	{ "run_name", K_ATTR, A_RUN_NAME },
	{ "status", K_ATTR, A_STATUS },
	{ "experiment", K_ATTR, A_EXPERIMENT },
	{ "experiment_name", K_ATTR, A_EXPERIMENT },
	{ "user_id", K_ATTR, A_USER },
	{ "user", K_ATTR, A_USER },
	{ "start_time", K_ATTR, A_START },
	{ "created", K_ATTR, A_START },
	{ "end_time", K_ATTR, A_END },
	{ "name", K_DATASET, A_DS_NAME },
	{ "digest", K_DATASET, A_DS_DIGEST },
};

static int
parse_key(struct parser *ps, struct key *k)
{
	const char *start;
	size_t n, i;

	memset(k, 0, sizeof(*k));
	skip_ws(ps);
	start = ps->p;
	n = word_len(ps->p);
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (n == strlen(prefixes[i].name) &&
		    strncasecmp(ps->p, prefixes[i].name, n) == 0)
			break;
	if (n == 0 || i == sizeof(prefixes) / sizeof(prefixes[0]) ||
	    ps->p[n] != '.') {
		perr(ps, start,
		    "expected a key such as metrics.rmse, params.alpha, "
		    "tags.x or attributes.status");
		return -1;
	}
	k->kind = prefixes[i].kind;
	ps->p += n + 1;
	if (*ps->p == '`' || *ps->p == '"') {
		if ((k->name = quoted(ps, "a quoted key")) == NULL)
			return -1;
	} else {
		n = 0;
		while (name_char((unsigned char)ps->p[n]))
			n++;
		if (n == 0) {
			perr(ps, ps->p, "expected a name after '%.*s'",
			    (int)(ps->p - start), start);
			return -1;
		}
		k->name = xstrndup(ps->p, n);
		ps->p += n;
	}
	if (k->kind == K_ATTR || k->kind == K_DATASET) {
		for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
			if (attrs[i].kind == k->kind &&
			    strcmp(attrs[i].name, k->name) == 0)
				break;
		if (i == sizeof(attrs) / sizeof(attrs[0])) {
			perr(ps, start, "unknown %s '%s'",
			    k->kind == K_ATTR ? "attribute" : "dataset field",
			    k->name);
			free(k->name);
			k->name = NULL;
			return -1;
		}
		k->attr = attrs[i].attr;
	}
	k->numeric =
	    k->kind == K_METRIC || k->attr == A_START || k->attr == A_END;
	return 0;
}

static void
node_free(struct node *n)
{
	if (n == NULL)
		return;
	node_free(n->l);
	node_free(n->r);
	free(n->key.name);
	for (size_t i = 0; i < n->nstrs; i++)
		free(n->strs[i]);
	free(n->strs);
	free(n);
}

/* A number at p: [+-]digits[.digits][e[+-]digits]. */
static int
number(struct parser *ps, double *out)
{
	const char *s = ps->p, *q = s;

	if (*q == '+' || *q == '-')
		q++;
	while (isdigit((unsigned char)*q) || *q == '.')
		q++;
	if ((*q == 'e' || *q == 'E') && q > s) {
		q++;
		if (*q == '+' || *q == '-')
			q++;
		while (isdigit((unsigned char)*q))
			q++;
	}
	if (q == s || name_char((unsigned char)*q) ||
	    mlk_value_parse_float64(s, (size_t)(q - s), out) < 0)
		return -1;
	ps->p = q;
	return 0;
}

/* One value for a comparison with key k: into n->num or n->strs. */
static int
value(struct parser *ps, struct node *n)
{
	const char *at;
	double d;
	char *s;

	skip_ws(ps);
	at = ps->p;
	if (*ps->p == '\'' || *ps->p == '"') {
		if ((s = quoted(ps, "a string")) == NULL)
			return -1;
		if (n->key.numeric && n->key.kind == K_METRIC) {
			free(s);
			perr(ps, at,
			    "a metric compares with a number, not a "
			    "string");
			return -1;
		}
		if (n->key.numeric) {
			int64_t us;

			if (mlk_value_parse_timestamp(s, strlen(s), &us) < 0) {
				free(s);
				perr(ps, at,
				    "expected a time such as "
				    "'2026-11-01 12:00'");
				return -1;
			}
			free(s);
			n->num = (double)(us / 1000);
			return 0;
		}
		n->strs = xreallocarray(n->strs, n->nstrs + 1, sizeof(char *));
		n->strs[n->nstrs++] = s;
		return 0;
	}
	if (number(ps, &d) == 0) {
		if (!n->key.numeric) {
			perr(ps, at, "a value for %s must be quoted",
			    n->key.kind == K_PARAM   ? "a param" :
			        n->key.kind == K_TAG ? "a tag" :
			                               "this key");
			return -1;
		}
		n->num = d;
		return 0;
	}
	perr(ps, at, "expected a %s",
	    n->key.numeric ? "number" : "quoted string");
	return -1;
}

static const struct {
	const char *text;
	enum op op;
} symbols[] = {
	{ "!=", OP_NE },
	{ "<>", OP_NE },
	{ "<=", OP_LE },
	{ ">=", OP_GE },
	{ "==", OP_EQ },
	{ "=", OP_EQ },
	{ "<", OP_LT },
	{ ">", OP_GT },
};

static const char *const op_names[] = { "=", "!=", "<", "<=", ">", ">=", "LIKE",
	"ILIKE", "IN", "NOT IN" };

static int
comparator(struct parser *ps, struct node *n)
{
	const char *at;
	size_t i;

	skip_ws(ps);
	at = ps->p;
	for (i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++)
		if (strncmp(ps->p, symbols[i].text, strlen(symbols[i].text)) ==
		    0) {
			n->op = symbols[i].op;
			ps->p += strlen(symbols[i].text);
			break;
		}
	if (i == sizeof(symbols) / sizeof(symbols[0])) {
		if (keyword(ps, "like"))
			n->op = OP_LIKE;
		else if (keyword(ps, "ilike"))
			n->op = OP_ILIKE;
		else if (keyword(ps, "in"))
			n->op = OP_IN;
		else if (keyword(ps, "not") && keyword(ps, "in"))
			n->op = OP_NOT_IN;
		else {
			perr(ps, at,
			    "expected a comparator (=, !=, <, <=, >, >=, "
			    "LIKE, ILIKE, IN, NOT IN)");
			return -1;
		}
	}
	if (n->key.numeric && n->op >= OP_LIKE) {
		perr(ps, at, "%s does not apply to %s", op_names[n->op],
		    n->key.kind == K_METRIC ? "a metric" : "a time");
		return -1;
	}
	if (!n->key.numeric && n->op >= OP_LT && n->op <= OP_GE) {
		perr(ps, at, "%s does not apply to strings", op_names[n->op]);
		return -1;
	}
	return 0;
}

static struct node *parse_or(struct parser *);

static struct node *
parse_cmp(struct parser *ps)
{
	struct node *n = xcalloc(1, sizeof(*n));

	n->kind = N_CMP;
	if (parse_key(ps, &n->key) < 0 || comparator(ps, n) < 0)
		goto fail;
	if (n->op != OP_IN && n->op != OP_NOT_IN) {
		if (value(ps, n) < 0)
			goto fail;
		return n;
	}
	skip_ws(ps);
	if (*ps->p != '(') {
		perr(ps, ps->p, "expected '(' after %s", op_names[n->op]);
		goto fail;
	}
	ps->p++;
	for (;;) {
		if (value(ps, n) < 0)
			goto fail;
		skip_ws(ps);
		if (*ps->p == ')') {
			ps->p++;
			return n;
		}
		if (*ps->p != ',') {
			perr(ps, ps->p, "expected ',' or ')'");
			goto fail;
		}
		ps->p++;
	}
fail:
	node_free(n);
	return NULL;
}

static struct node *
parse_primary(struct parser *ps)
{
	struct node *n;
	const char *open;

	skip_ws(ps);
	if (*ps->p != '(')
		return parse_cmp(ps);
	open = ps->p++;
	if ((n = parse_or(ps)) == NULL)
		return NULL;
	skip_ws(ps);
	if (*ps->p != ')') {
		perr(ps, *ps->p ? ps->p : open,
		    *ps->p ? "expected ')'" : "'(' is not closed");
		node_free(n);
		return NULL;
	}
	ps->p++;
	return n;
}

static struct node *
join(enum node_kind kind, struct node *l, struct node *r)
{
	struct node *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->l = l;
	n->r = r;
	return n;
}

static struct node *
parse_and(struct parser *ps)
{
	struct node *l = parse_primary(ps), *r;

	while (l && keyword(ps, "and")) {
		if ((r = parse_primary(ps)) == NULL) {
			node_free(l);
			return NULL;
		}
		l = join(N_AND, l, r);
	}
	return l;
}

static struct node *
parse_or(struct parser *ps)
{
	struct node *l = parse_and(ps), *r;

	while (l && keyword(ps, "or")) {
		if ((r = parse_and(ps)) == NULL) {
			node_free(l);
			return NULL;
		}
		l = join(N_OR, l, r);
	}
	return l;
}

struct mlk_error *
mlk_run_filter_parse(const char *text, struct mlk_run_filter **out)
{
	struct parser ps = { text, text, "filter", NULL };
	struct node *root = NULL;

	*out = NULL;
	skip_ws(&ps);
	if (*ps.p != '\0') {
		root = parse_or(&ps);
		skip_ws(&ps);
		if (root && *ps.p != '\0')
			perr(&ps, ps.p, "expected AND, OR or the end");
	}
	if (ps.err) {
		node_free(root);
		return ps.err;
	}
	*out = xcalloc(1, sizeof(**out));
	(*out)->root = root;
	return NULL;
}

void
mlk_run_filter_free(struct mlk_run_filter *f)
{
	if (f == NULL)
		return;
	node_free(f->root);
	free(f);
}

struct mlk_error *
mlk_run_order_parse(const char *text, struct mlk_run_order **out)
{
	struct parser ps = { text, text, "order", NULL };
	struct mlk_run_order *o = xcalloc(1, sizeof(*o));

	*out = NULL;
	for (;;) {
		struct order_key k;
		const char *at;

		skip_ws(&ps);
		at = ps.p;
		if (parse_key(&ps, &k.key) < 0)
			break;
		k.desc = 0;
		o->keys = xreallocarray(o->keys, o->n + 1, sizeof(*o->keys));
		o->keys[o->n++] = k;
		if (k.key.kind == K_DATASET) {
			perr(&ps, at, "runs cannot be ordered by a dataset");
			break;
		}
		if (keyword(&ps, "desc"))
			o->keys[o->n - 1].desc = 1;
		else
			(void)keyword(&ps, "asc");
		skip_ws(&ps);
		if (*ps.p == '\0')
			break;
		if (*ps.p != ',') {
			perr(&ps, ps.p, "expected ASC, DESC, ',' or the end");
			break;
		}
		ps.p++;
	}
	if (ps.err) {
		mlk_run_order_free(o);
		return ps.err;
	}
	*out = o;
	return NULL;
}

void
mlk_run_order_free(struct mlk_run_order *o)
{
	if (o == NULL)
		return;
	for (size_t i = 0; i < o->n; i++)
		free(o->keys[i].key.name);
	free(o->keys);
	free(o);
}
