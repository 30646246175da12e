#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "promote.h"
#include "strbuf.h"
#include "xmalloc.h"

enum gate_op {
	G_NUM,
	G_REF,
	G_NEG,
	G_ADD,
	G_SUB,
	G_MUL,
	G_DIV,
	G_LT,
	G_LE,
	G_GT,
	G_GE,
	G_EQ,
	G_NE,
	G_AND,
	G_OR,
	G_NOT,
};

struct gate_node {
	enum gate_op op;
	double num; /* G_NUM */
	size_t ref; /* G_REF */
	int left, right; /* node indexes, -1 for none */
};

struct mlk_gate {
	char *text;
	struct gate_node *nodes;
	size_t nnodes, alloc;
	struct mlk_gate_ref *refs;
	size_t nrefs, ralloc;
	int root;
};

/* The parser: a cursor over the text and the first error. */
struct gparse {
	struct mlk_gate *g;
	const char *s;
	size_t pos;
	struct mlk_error *err;
};

enum gtype { T_NUM, T_BOOL };

static void fail_at(struct gparse *p, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail_at(struct gparse *p, size_t pos, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (p->err)
		return;
	strbuf_addf(&sb, "bad condition at column %zu: ", pos + 1);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_addf(&sb, "\n  %s\n  %*s^", p->s, (int)pos, "");
	p->err = mlk_error_new(MLK_ERR_USAGE, "%s", sb.buf);
	strbuf_release(&sb);
}

static void
skip_space(struct gparse *p)
{
	while (isspace((unsigned char)p->s[p->pos]))
		p->pos++;
}

static int
is_name_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static int
is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/* The keyword kw at the cursor, as a whole word; consumes it. */
static int
keyword(struct gparse *p, const char *kw)
{
	size_t n = strlen(kw);

	skip_space(p);
	if (strncasecmp(p->s + p->pos, kw, n) != 0 ||
	    is_name_char(p->s[p->pos + n]))
		return 0;
	p->pos += n;
	return 1;
}

/* The token at the cursor, for messages. */
static const char *
token_text(struct gparse *p, char *buf, size_t size)
{
	const char *t = p->s + p->pos;
	size_t n = 0;

	if (*t == '\0')
		return "the end";
	if (is_name_start(*t) || isdigit((unsigned char)*t))
		while (t[n] && (is_name_char(t[n])) && n + 1 < size - 2)
			n++;
	else
		n = 1;
	snprintf(buf, size, "'%.*s'", (int)n, t);
	return buf;
}

static int
node(struct gparse *p, enum gate_op op, int left, int right)
{
	struct mlk_gate *g = p->g;

	ALLOC_GROW(g->nodes, g->nnodes + 1, g->alloc);
	memset(&g->nodes[g->nnodes], 0, sizeof(g->nodes[0]));
	g->nodes[g->nnodes].op = op;
	g->nodes[g->nnodes].left = left;
	g->nodes[g->nnodes].right = right;
	return (int)g->nnodes++;
}

static size_t
add_ref(struct mlk_gate *g, int current, const char *name, size_t len,
    size_t pos)
{
	for (size_t i = 0; i < g->nrefs; i++)
		if (g->refs[i].current == current &&
		    strlen(g->refs[i].metric) == len &&
		    memcmp(g->refs[i].metric, name, len) == 0)
			return i;
	ALLOC_GROW(g->refs, g->nrefs + 1, g->ralloc);
	g->refs[g->nrefs].current = current;
	g->refs[g->nrefs].metric = xstrndup(name, len);
	g->refs[g->nrefs].column = pos + 1;
	return g->nrefs++;
}

static int parse_or(struct gparse *, enum gtype *);

/* The length of a decimal number: digits, a fraction, an exponent. */
static size_t
number_len(const char *s)
{
	size_t n = 0;

	while (isdigit((unsigned char)s[n]))
		n++;
	if (s[n] == '.')
		for (n++; isdigit((unsigned char)s[n]); n++)
			;
	if ((s[n] == 'e' || s[n] == 'E') &&
	    (isdigit((unsigned char)s[n + 1]) ||
	        ((s[n + 1] == '+' || s[n + 1] == '-') &&
	            isdigit((unsigned char)s[n + 2])))) {
		for (n += 2; isdigit((unsigned char)s[n]); n++)
			;
	}
	return n;
}

static int
parse_metric(struct gparse *p)
{
	size_t start = p->pos, n;
	int current = 0;
	const char *name;

	if (strncasecmp(p->s + p->pos, "current.", 8) == 0) {
		current = 1;
		p->pos += 8;
	}
	if (strncasecmp(p->s + p->pos, "metrics.", 8) != 0) {
		fail_at(p, p->pos, "%s",
		    current ? "expected 'metrics.' after 'current.'" :
		              "expected a number, a metric (metrics.<name>, "
		              "current.metrics.<name>) or '('");
		return -1;
	}
	p->pos += 8;
	if (p->s[p->pos] == '`') {
		const char *end = strchr(p->s + p->pos + 1, '`');

		if (end == NULL) {
			fail_at(p, p->pos, "%s", "missing closing '`'");
			return -1;
		}
		name = p->s + p->pos + 1;
		n = (size_t)(end - name);
		p->pos += n + 2;
	} else {
		name = p->s + p->pos;
		for (n = 0; is_name_char(name[n]); n++)
			;
		if (n == 0 || !is_name_start(name[0])) {
			fail_at(p, p->pos, "%s",
			    "expected a metric name (quote other names in "
			    "backticks)");
			return -1;
		}
		/* a trailing dot belongs to no name */
		while (n > 0 && name[n - 1] == '.')
			n--;
		p->pos += n;
	}
	if (n == 0) {
		fail_at(p, p->pos - 2, "%s", "empty metric name");
		return -1;
	}
	{
		int i = node(p, G_REF, -1, -1);

		p->g->nodes[i].ref = add_ref(p->g, current, name, n, start);
		return i;
	}
}

static int
parse_primary(struct gparse *p, enum gtype *t)
{
	const char *s;
	char *end;
	int i;

	skip_space(p);
	s = p->s + p->pos;
	if (*s == '(') {
		size_t open = p->pos;

		p->pos++;
		i = parse_or(p, t);
		skip_space(p);
		if (i >= 0 && p->s[p->pos] != ')') {
			fail_at(p, p->pos, "%s",
			    "expected ')' to close the '(' before");
			(void)open;
			return -1;
		}
		p->pos++;
		return i;
	}
	*t = T_NUM;
	if (isdigit((unsigned char)*s) ||
	    (*s == '.' && isdigit((unsigned char)s[1]))) {
		size_t n = number_len(s);
		char *num = xstrndup(s, n);
		double v = strtod(num, NULL);

		free(num);
		end = (char *)s + n;
		if (is_name_char(*end) && *end != '.') {
			fail_at(p, (size_t)(end - p->s), "%s",
			    "a number runs into a name");
			return -1;
		}
		i = node(p, G_NUM, -1, -1);
		p->g->nodes[i].num = v;
		p->pos += (size_t)(end - s);
		return i;
	}
	return parse_metric(p);
}

static int
parse_unary(struct gparse *p, enum gtype *t)
{
	size_t pos;
	int i;

	skip_space(p);
	pos = p->pos;
	if (p->s[pos] == '-' || p->s[pos] == '+') {
		p->pos++;
		if ((i = parse_unary(p, t)) < 0)
			return -1;
		if (*t != T_NUM) {
			fail_at(p, pos, "'%c' needs a number", p->s[pos]);
			return -1;
		}
		return p->s[pos] == '-' ? node(p, G_NEG, i, -1) : i;
	}
	return parse_primary(p, t);
}

/* Both operands of a binary operator at pos must be of type want. */
static int
check_types(struct gparse *p, size_t pos, enum gtype a, enum gtype b,
    enum gtype want, const char *op)
{
	if (a == want && b == want)
		return 0;
	if (want == T_NUM)
		fail_at(p, pos,
		    "'%s' compares or combines numbers, not "
		    "conditions",
		    op);
	else
		fail_at(p, pos,
		    "'%s' joins conditions (comparisons), not "
		    "numbers",
		    op);
	return -1;
}

/*
 * Arithmetic, left-associative: level 0 is + and - over level 1, level 1
 * is * and / over unary operands.
 */
static int
parse_arith(struct gparse *p, enum gtype *t, int level)
{
	static const char ops[2][2] = { { '+', '-' }, { '*', '/' } };
	static const enum gate_op nodes[2][2] = { { G_ADD, G_SUB },
		{ G_MUL, G_DIV } };
	int l = level ? parse_unary(p, t) : parse_arith(p, t, 1), r;

	while (l >= 0) {
		char opname[2] = { 0 };
		enum gtype rt;
		size_t pos;
		int k;

		skip_space(p);
		pos = p->pos;
		opname[0] = p->s[pos];
		if (opname[0] == ops[level][0])
			k = 0;
		else if (opname[0] == ops[level][1])
			k = 1;
		else
			break;
		p->pos++;
		r = level ? parse_unary(p, &rt) : parse_arith(p, &rt, 1);
		if (r < 0 || check_types(p, pos, *t, rt, T_NUM, opname))
			return -1;
		l = node(p, nodes[level][k], l, r);
	}
	return l;
}

static const struct {
	const char *text;
	enum gate_op op;
} cmp_ops[] = {
	{ "<=", G_LE },
	{ ">=", G_GE },
	{ "==", G_EQ },
	{ "!=", G_NE },
	{ "<>", G_NE },
	{ "<", G_LT },
	{ ">", G_GT },
	{ "=", G_EQ },
};

static int
parse_cmp(struct gparse *p, enum gtype *t)
{
	int l = parse_arith(p, t, 0), r;
	enum gtype rt;
	size_t pos, k;

	if (l < 0)
		return -1;
	skip_space(p);
	pos = p->pos;
	for (k = 0; k < sizeof(cmp_ops) / sizeof(cmp_ops[0]); k++)
		if (strncmp(p->s + pos, cmp_ops[k].text,
		        strlen(cmp_ops[k].text)) == 0)
			break;
	if (k == sizeof(cmp_ops) / sizeof(cmp_ops[0]))
		return l;
	p->pos += strlen(cmp_ops[k].text);
	if ((r = parse_arith(p, &rt, 0)) < 0 ||
	    check_types(p, pos, *t, rt, T_NUM, cmp_ops[k].text))
		return -1;
	*t = T_BOOL;
	return node(p, cmp_ops[k].op, l, r);
}

static int
parse_not(struct gparse *p, enum gtype *t)
{
	size_t pos;
	int i;

	skip_space(p);
	pos = p->pos;
	if (!keyword(p, "not"))
		return parse_cmp(p, t);
	if ((i = parse_not(p, t)) < 0)
		return -1;
	if (*t != T_BOOL) {
		fail_at(p, pos, "%s", "'not' needs a comparison");
		return -1;
	}
	return node(p, G_NOT, i, -1);
}

static int
parse_and(struct gparse *p, enum gtype *t)
{
	int l = parse_not(p, t), r;

	while (l >= 0) {
		enum gtype rt;
		size_t pos;

		skip_space(p);
		pos = p->pos;
		if (!keyword(p, "and"))
			break;
		if ((r = parse_not(p, &rt)) < 0 ||
		    check_types(p, pos, *t, rt, T_BOOL, "and"))
			return -1;
		l = node(p, G_AND, l, r);
	}
	return l;
}

static int
parse_or(struct gparse *p, enum gtype *t)
{
	int l = parse_and(p, t), r;

	while (l >= 0) {
		enum gtype rt;
		size_t pos;

		skip_space(p);
		pos = p->pos;
		if (!keyword(p, "or"))
			break;
		if ((r = parse_and(p, &rt)) < 0 ||
		    check_types(p, pos, *t, rt, T_BOOL, "or"))
			return -1;
		l = node(p, G_OR, l, r);
	}
	return l;
}

struct mlk_error *
mlk_gate_parse(const char *text, struct mlk_gate **out)
{
	struct mlk_gate *g = xcalloc(1, sizeof(*g));
	struct gparse p = { g, text, 0, NULL };
	enum gtype t = T_NUM;
	char buf[48];

	*out = NULL;
	g->text = xstrdup(text);
	g->root = parse_or(&p, &t);
	if (!p.err) {
		skip_space(&p);
		if (text[p.pos] != '\0')
			fail_at(&p, p.pos,
			    "expected 'and', 'or', ')' or the end, found %s",
			    token_text(&p, buf, sizeof(buf)));
		else if (t != T_BOOL)
			fail_at(&p, 0, "%s",
			    "a condition compares: this is only a number");
	}
	if (p.err) {
		mlk_gate_free(g);
		return p.err;
	}
	*out = g;
	return NULL;
}

void
mlk_gate_free(struct mlk_gate *g)
{
	if (g == NULL)
		return;
	for (size_t i = 0; i < g->nrefs; i++)
		free(g->refs[i].metric);
	free(g->refs);
	free(g->nodes);
	free(g->text);
	free(g);
}

const char *
mlk_gate_text(const struct mlk_gate *g)
{
	return g->text;
}

size_t
mlk_gate_nrefs(const struct mlk_gate *g)
{
	return g->nrefs;
}

const struct mlk_gate_ref *
mlk_gate_ref(const struct mlk_gate *g, size_t i)
{
	return &g->refs[i];
}

int
mlk_gate_uses_current(const struct mlk_gate *g)
{
	for (size_t i = 0; i < g->nrefs; i++)
		if (g->refs[i].current)
			return 1;
	return 0;
}

static double
eval(const struct mlk_gate *g, int i, const double *vals)
{
	const struct gate_node *n = &g->nodes[i];

	switch (n->op) {
	case G_NUM:
		return n->num;
	case G_REF:
		return vals[n->ref];
	case G_NEG:
		return -eval(g, n->left, vals);
	case G_NOT:
		return !eval(g, n->left, vals);
	case G_AND:
		return eval(g, n->left, vals) && eval(g, n->right, vals);
	case G_OR:
		return eval(g, n->left, vals) || eval(g, n->right, vals);
	default:
		break;
	}
	{
		double a = eval(g, n->left, vals), b = eval(g, n->right, vals);

		switch (n->op) {
		case G_ADD:
			return a + b;
		case G_SUB:
			return a - b;
		case G_MUL:
			return a * b;
		case G_DIV:
			return a / b;
		case G_LT:
			return a < b;
		case G_LE:
			return a <= b;
		case G_GT:
			return a > b;
		case G_GE:
			return a >= b;
		case G_EQ:
			return a == b;
		case G_NE:
			/* a NaN compares false, even unequal */
			return !isnan(a) && !isnan(b) && a != b;
		default:
			return 0;
		}
	}
}

int
mlk_gate_eval(const struct mlk_gate *g, const double *vals)
{
	return eval(g, g->root, vals) != 0;
}

struct mlk_error *
mlk_gate_check(const struct mlk_gate *g, json_t *candidate,
    const char *cand_label, json_t *current, const char *cur_label,
    double *vals, int *holds)
{
	*holds = 1;
	if (current == NULL)
		return NULL;
	for (size_t i = 0; i < g->nrefs; i++) {
		const struct mlk_gate_ref *r = &g->refs[i];
		json_t *m = r->current ? current : candidate;
		json_t *v =
		    json_is_object(m) ? json_object_get(m, r->metric) : NULL;

		if (!json_is_number(v))
			return mlk_error_new(MLK_ERR_NOT_FOUND,
			    "%s has no metric '%s' (%smetrics.%s at column "
			    "%zu of the condition)",
			    r->current ? cur_label : cand_label, r->metric,
			    r->current ? "current." : "", r->metric, r->column);
		vals[i] = json_number_value(v);
	}
	*holds = mlk_gate_eval(g, vals);
	return NULL;
}
