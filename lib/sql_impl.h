/*
 * The SQL engine's insides, shared by its modules: tokens, the syntax
 * tree with positions, bound (typed) expressions, plan operators and the
 * column helpers they share. Nothing outside lib/sql*.c includes it.
 */
#ifndef MLK_SQL_IMPL_H
#define MLK_SQL_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "column.h"
#include "error.h"
#include "sql.h"
#include "sql_func.h"
#include "strbuf.h"
#include "tablescan.h"

/* --- tokens (sql_lex.c) ---------------------------------------------- */

enum tok_kind {
	T_EOF,
	T_IDENT, /* a bare word, keywords included */
	T_QIDENT, /* "quoted" */
	T_INT,
	T_FLOAT,
	T_STRING, /* 'text' */
	T_OP, /* punctuation: ( ) , . * + - / // % = <> != < <= > >= || ; :: */
};

struct tok {
	enum tok_kind kind;
	char *text; /* identifier, string value or operator, NUL-terminated */
	size_t len;
	int line, col;
	size_t off, end; /* byte offsets in the query text */
};

struct toklist {
	struct tok *v;
	size_t n, alloc;
};

struct mlk_error *sql_lex(const char *sql, struct toklist *out);
void sql_toklist_release(struct toklist *);
/* MLK_ERR_USAGE "line L, column C: <fmt>". */
struct mlk_error *sql_error_at(int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* --- syntax tree (sql_parse.c, sql_parse_expr.c) --------------------- */

enum ast_kind {
	A_COL, /* [qual.]name */
	A_STAR, /* * or qual.* */
	A_INT,
	A_FLOAT,
	A_STR,
	A_BOOL,
	A_NULL,
	A_TYPED, /* DATE '...', TIMESTAMP '...': sval, cast_to */
	A_INTERVAL, /* INTERVAL '...': iv */
	A_BINOP, /* op, args[0..1] */
	A_UNOP, /* unop, args[0] */
	A_FUNC, /* name(args), maybe aggregate or window */
	A_CASE, /* args: when, then, when, then, ...; else_ may be NULL */
	A_CAST, /* args[0], cast_to, try_cast */
};

struct ast_order {
	struct ast *e;
	int desc;
	int nulls_first; /* -1 unset */
};

struct ast_window {
	struct ast **part;
	size_t npart;
	struct ast_order *order;
	size_t norder;
	int has_frame;
	long long preceding; /* -1: UNBOUNDED */
	long long following; /* 0: CURRENT ROW; -1 UNBOUNDED */
};

struct ast {
	enum ast_kind kind;
	int line, col;
	size_t off, end; /* source text */
	char *name; /* column or function name (functions lower-cased) */
	char *qual; /* column qualifier, "a" or "bronze.readings" */
	int quoted;
	int64_t ival;
	double fval;
	char *sval;
	struct mlk_sql_interval iv;
	int op; /* enum mlk_sql_op or enum mlk_sql_unop */
	struct ast **args;
	size_t nargs;
	struct ast *else_;
	int distinct, count_star, try_cast;
	enum mlk_type cast_to;
	struct ast *filter; /* FILTER (WHERE ...) */
	struct ast_window *over;
};

struct sel_item {
	struct ast *e;
	char *alias;
};

enum from_kind { F_TABLE, F_SUBQ, F_JOIN };
enum join_kind { J_INNER, J_LEFT, J_CROSS };

struct from {
	enum from_kind kind;
	int line, col;
	char *name; /* F_TABLE: "bronze.readings" */
	char *alias;
	char *pin; /* "@3" or "@{...}" or NULL */
	struct query *sub;
	enum join_kind jkind;
	struct from *left, *right;
	struct ast *on;
};

struct select {
	int distinct;
	struct sel_item *items;
	size_t nitems;
	struct from *from; /* NULL: SELECT without FROM */
	struct ast *where;
	struct ast **group;
	size_t ngroup;
	struct ast *having;
	struct select *next; /* UNION ALL */
	int line, col;
};

struct cte {
	char *name;
	struct query *q;
};

struct query {
	struct cte *ctes;
	size_t nctes;
	struct select *body;
	struct ast_order *order;
	size_t norder;
	struct ast *limit, *offset;
	int explain;
};

struct parser {
	const char *sql;
	struct toklist toks;
	size_t pos;
	int depth; /* nesting, bounded so that no input overflows the stack */
};

/* How deep expressions and subqueries may nest. */
#define SQL_MAX_DEPTH 1000

struct mlk_error *sql_parse(const char *sql, struct query **out);
/* One expression, alone (mlk_sql_expr_compile). */
struct mlk_error *sql_parse_expr_text(const char *sql, struct ast **out);
void sql_query_free(struct query *);
void sql_ast_free(struct ast *);
struct ast *sql_ast_dup(const struct ast *);
int sql_ast_equal(const struct ast *, const struct ast *);

/* Parser internals shared by the two parser files. */
const struct tok *p_peek(struct parser *, size_t ahead);
const struct tok *p_next(struct parser *);
int p_is_kw(struct parser *, size_t ahead, const char *kw);
int p_accept_kw(struct parser *, const char *kw);
int p_is_op(struct parser *, const char *op);
int p_accept_op(struct parser *, const char *op);
struct mlk_error *p_expect_kw(struct parser *, const char *kw);
struct mlk_error *p_expect_op(struct parser *, const char *op);
struct mlk_error *p_unexpected(struct parser *, const char *what);
int p_reserved(const char *word);
struct mlk_error *p_expr(struct parser *, struct ast **out);
struct mlk_error *p_query(struct parser *, struct query **out);
struct mlk_error *p_type(struct parser *, enum mlk_type *out);
struct mlk_error *p_or(struct parser *, struct ast **out);
struct mlk_error *p_primary(struct parser *, struct ast **out);
/* Tree constructors (sql_parse_prim.c). */
struct ast *sql_node(enum ast_kind, const struct tok *);
struct ast *sql_binop(int op, struct ast *l, struct ast *r);
struct ast *sql_unop(int op, struct ast *x, const struct tok *);
void sql_add_arg(struct ast *a, struct ast *x, size_t *alloc);

/* --- bound expressions (sql_bind*.c, sql_expr.c) --------------------- */

enum bx_kind {
	BX_COL, /* input column idx */
	BX_CONST, /* constant: konst, one row */
	BX_OP,
	BX_UNOP,
	BX_CAST,
	BX_FUNC,
	BX_CASE, /* args: when, then, ...[, else] ; has_else */
	BX_INTERVAL, /* args[0] +/- iv (sign) */
};

struct bx {
	enum bx_kind kind;
	enum mlk_type type;
	int line, col;
	size_t idx;
	struct mlk_column konst;
	int untyped_null; /* the NULL literal, typed by its context */
	int winref; /* BX_COL: idx counts from the window results */
	int op;
	int try_cast;
	int has_else;
	int sign;
	struct mlk_sql_interval iv;
	const struct mlk_sql_func *fn;
	struct bx **args;
	size_t nargs;
};

struct bx *bx_new(enum bx_kind, enum mlk_type, int line, int col);
struct bx *bx_col(size_t idx, enum mlk_type);
void bx_free(struct bx *);
/* Text for EXPLAIN. */
void bx_print(struct strbuf *, const struct bx *, char *const *names);

/*
 * A value computed over a batch: a column (maybe an input's, not owned)
 * or a constant (one row for all).
 */
struct val {
	struct mlk_column *col;
	int is_const;
	int owned;
};

struct mlk_error *bx_eval(const struct bx *, const struct mlk_column *in,
    size_t nrows, struct val *out);
void val_release(struct val *);
/* keep[r] = 1 when the boolean e is true on row r (not NULL, not false). */
struct mlk_error *bx_eval_mask(const struct bx *, const struct mlk_column *in,
    size_t nrows, uint8_t *keep);
/* Evaluates into a column of its own of nrows rows (constants repeated). */
struct mlk_error *bx_eval_into(const struct bx *, const struct mlk_column *in,
    size_t nrows, struct mlk_column *out);

/* --- column helpers (sql_col.c) -------------------------------------- */

/* Appends row r of src (a constant: row 0) to dst of the same type. */
void col_append_cell(struct mlk_column *dst, const struct mlk_column *src,
    size_t r);
/* Appends src[idx[i]] for i < n; idx[i] == SIZE_MAX appends a null. */
void col_gather(struct mlk_column *dst, const struct mlk_column *src,
    const size_t *idx, size_t n);
/* Appends rows [from, from + n) of src. */
void col_append_range(struct mlk_column *dst, const struct mlk_column *src,
    size_t from, size_t n);
/* Appends the rows whose keep is 1. */
void col_filter(struct mlk_column *dst, const struct mlk_column *src,
    const uint8_t *keep);
/* Compares two non-null cells of one type: NaN sorts after numbers. */
int col_cmp(const struct mlk_column *a, size_t ra, const struct mlk_column *b,
    size_t rb);
/* Equality for grouping: nulls equal each other. */
int col_same(const struct mlk_column *a, size_t ra, const struct mlk_column *b,
    size_t rb);
/* Mixes the hash of row r (nulls hash alike) into h[r] for every row. */
void col_hash(const struct mlk_column *, size_t nrows, int is_const,
    uint64_t *h);

/* A growable table of rows: materialised input of a blocking operator. */
struct rel {
	struct mlk_column *cols;
	size_t ncols, nrows;
};
void rel_init(struct rel *, size_t ncols, const enum mlk_type *types);
void rel_append(struct rel *, const struct mlk_column *cols, size_t nrows);
void rel_release(struct rel *);

/* A hash table of distinct keys, numbered 0, 1, ... as first seen. */
struct htab {
	uint64_t *slots; /* open addressing: group id | hash high bits */
	size_t cap;
	uint64_t *hashes; /* per group */
	size_t halloc;
	struct rel keys; /* per group, its key */
};
void htab_init(struct htab *, size_t nkeys, const enum mlk_type *types);
/* The group of every row of the key columns k, adding new ones. */
void htab_groups(struct htab *, const struct val *k, size_t nrows,
    uint32_t *gid);
/* The same for the rows keep[r] allows only (gid[r] 0 for the others). */
void htab_groups_keep(struct htab *, const struct val *k, size_t nrows,
    const uint8_t *keep, uint32_t *gid);
void htab_release(struct htab *);

/*
 * Sorts idx[0 .. n - 1] (row numbers) by the key columns, stably: NULLs
 * last unless nulls_first[i]; desc and nulls_first may be NULL.
 */
void sort_index(const struct mlk_column *const *cols, const int *desc,
    const int *nulls_first, size_t nk, size_t *idx, size_t n);

/* --- plan (sql_plan.c and the operator files) ------------------------ */

enum plan_kind {
	P_SCAN,
	P_VALUES, /* SELECT without FROM: one row, no columns */
	P_FILTER,
	P_PROJECT,
	P_AGG,
	P_JOIN,
	P_SORT,
	P_LIMIT,
	P_WINDOW,
	P_UNION,
};

struct agg_call {
	const struct mlk_sql_agg *agg;
	struct bx *arg; /* NULL for count(*) */
	struct bx *filter;
	enum mlk_type type;
	char *text;
};

struct win_call {
	char *fname; /* row_number, rank, lag, sum, ... */
	struct bx *arg, *arg2, *arg3; /* lag(x, n, default) */
	long long offset;
	struct bx **part;
	size_t npart;
	struct bx **order;
	int *desc, *nulls_first;
	size_t norder;
	int has_frame;
	long long preceding, following;
	enum mlk_type type;
	char *text;
};

struct plan;

struct plan_ops {
	struct mlk_error *(*open)(struct plan *);
	/* The next batch: p->cur, p->nrows; *more 0 at the end. */
	struct mlk_error *(*next)(struct plan *, int *more);
	void (*close)(struct plan *);
};

struct exec_ctx {
	struct mlk_store *store;
	int threads;
};

struct plan {
	enum plan_kind kind;
	const struct plan_ops *ops;
	struct exec_ctx *ctx;
	struct plan *child, *right;
	/* output */
	size_t ncols;
	enum mlk_type *types;
	char **names;
	struct mlk_column *out; /* ncols columns the operator owns */
	struct mlk_column *view; /* ncols shallow copies, never released */
	struct mlk_column *cur; /* the current batch: out, view or a child's */
	size_t nrows;
	/* P_SCAN */
	struct mlk_table_version *tv;
	size_t *want;
	size_t nwant;
	struct bx **skip; /* conjuncts on the scan's columns, for stats */
	size_t nskip;
	/* NULL, or tcast[k] 1: column k is TRY_CAST(want[k] AS types[k]) */
	uint8_t *tcast;
	/* P_FILTER, P_JOIN residual: pred; P_PROJECT: exprs */
	struct bx *pred;
	struct bx **exprs;
	size_t nexprs;
	/* P_AGG: group keys exprs, aggs */
	struct agg_call *aggs;
	size_t naggs;
	/* P_JOIN */
	enum join_kind jkind;
	struct bx **lkeys, **rkeys;
	size_t nkeys;
	/* P_SORT */
	size_t *skeys;
	int *sdesc, *snulls_first;
	size_t nskeys;
	/* P_LIMIT */
	long long limit, offset;
	/* P_WINDOW */
	struct win_call *wins;
	size_t nwins;
	/* runtime state of the operator */
	void *st;
};

/*
 * Reading a scan's chunks (sql_scanrd.c): what mlk_chunk_read() gives,
 * with the columns of tcast decoded cast. The scratch is a reader's, kept
 * from chunk to chunk.
 */
struct scanrd {
	struct strbuf sb;
	struct mlk_column dict, conv, tmp;
	uint32_t *codes;
	size_t acodes;
};
void scanrd_init(struct scanrd *);
void scanrd_release(struct scanrd *);
struct mlk_error *scanrd_read(struct scanrd *, struct mlk_store *,
    const struct plan *scan, const struct mlk_chunk *, struct mlk_column *);
/* The chunks a scan reads, after skipping by statistics. */
size_t scan_reads(const struct plan *, size_t **out);
/*
 * A worker's share of a scan: reads[pos], reads[pos + stride], ..., each
 * chunk handed on in slices of WSCAN_SLICE rows, so that the operators'
 * per-batch columns stay in the cache and their memory is reused.
 */
struct wscan {
	const size_t *reads;
	size_t nreads, pos, stride;
	size_t rows, from; /* the chunk read last, and its next slice */
	struct scanrd rd;
};
#define WSCAN_SLICE 8192
extern const struct plan_ops wscan_ops;

/*
 * TRY_CAST(x AS out->type) of the len encoded bytes of a column of rows
 * rows whose schema type is type (a string): on the dictionary when the
 * strings are stored as one.
 */
struct mlk_error *scanrd_cast(struct scanrd *, const void *buf, size_t len,
    size_t rows, enum mlk_type type, struct mlk_column *out);
/* Moves TRY_CASTs of scanned strings in projections into their scans. */
void plan_push_casts(struct plan *);

/* The parallel scan (sql_pscan.c): reads[] lists the chunks to read. */
struct mlk_error *pscan_open(struct plan *, size_t *reads, size_t nreads,
    void **out);
struct mlk_error *pscan_next(void *, struct plan *, int *more);
void pscan_close(void *);

void plan_free(struct plan *);
void plan_set_schema(struct plan *, size_t ncols);
void plan_explain(const struct plan *, int depth, struct strbuf *);
struct mlk_error *plan_open(struct plan *);
struct mlk_error *plan_next(struct plan *, int *more);
void plan_close(struct plan *);
/* Reads a plan's every row into rel (typed as its output). */
struct mlk_error *plan_drain(struct plan *, struct rel *);

/* Groups and aggregate states: a whole aggregation, or a worker's part. */
struct agg_part {
	struct htab ht;
	struct mlk_sql_aggstate **states;
	/* same[j] >= 0: aggregate j shares state same[j] (sum and avg of x) */
	long *same;
};
void agg_part_init(const struct plan *agg, struct agg_part *);
void agg_part_release(const struct plan *agg, struct agg_part *);
/* Folds a batch of the aggregation's input into pt. */
struct mlk_error *agg_part_fold(const struct plan *agg, struct agg_part *pt,
    const struct mlk_column *in, size_t nrows);
/*
 * The same for the rows keep[r] allows only, as if the others had been
 * filtered out: the group and aggregate expressions must not fail on a
 * row (pagg_fuse_ok).
 */
struct mlk_error *agg_part_fold_keep(const struct plan *agg,
    struct agg_part *pt, const struct mlk_column *in, size_t nrows,
    const uint8_t *keep);
/*
 * Merges from's groups into into's (new ones after into's); into empty
 * may take from's groups and states, leaving from empty.
 */
struct mlk_error *agg_part_merge(const struct plan *agg, struct agg_part *into,
    struct agg_part *from);
/*
 * Whether p's batch is its last: an aggregation gives all its rows at
 * once, through projections and filters (sql_agg_exec.c).
 */
int plan_last_batch(const struct plan *p);
/* Whether the aggregation's input can be split by chunks (sql_pagg.c). */
int pagg_chain_ok(const struct plan *child);
/*
 * Runs the input on the worker threads and merges into into; then emit
 * (agg) makes the output, on a thread too.
 */
struct mlk_error *pagg_run_all(struct plan *agg, struct agg_part *into,
    struct mlk_error *(*emit)(struct plan *));

extern const struct plan_ops scan_ops, values_ops, filter_ops, project_ops,
    limit_ops, union_ops, agg_ops, join_ops, sort_ops, window_ops;

/* --- binding (sql_bind*.c) ------------------------------------------- */

struct mlk_query {
	struct mlk_store *store;
	struct exec_ctx ctx;
	struct query *ast;
	struct plan *root;
	struct mlk_schema schema;
	struct mlk_query_input *inputs;
	size_t ninputs, ainputs;
	struct mlk_table_version **tvs;
	size_t ntvs;
	const struct mlk_query_opts *opts;
	const char *sql;
	char **tv_revs; /* the revision each of tvs was read by */
	struct used *used;
	size_t nused;
	int pass; /* 1: collecting used columns, 2: planning */
	struct cte_bind *ctes;
	size_t nctes, actes;
	int explain;
	int opened, done;
};

/* A column visible by name while binding: plan output column i. */
struct scol {
	char *qual; /* "a" or "bronze.readings"; NULL for none */
	char *qual2; /* "readings" for "bronze.readings" */
	char *name;
	enum mlk_type type;
	int origin; /* index in mlk_query.used, or -1 */
	size_t ocol; /* the schema column there */
};

struct scope {
	struct scol *v;
	size_t n, alloc;
};

void scope_add(struct scope *, const char *qual, const char *qual2,
    const char *name, enum mlk_type, int origin, size_t ocol);
void scope_release(struct scope *);

/* Columns of a table in FROM that the query uses (the first pass). */
struct used {
	const struct from *f;
	uint8_t *cols;
	size_t n;
};

struct cte_bind {
	const char *name;
	const struct query *q;
};

/* What binding an expression may see and collect. */
struct bctx {
	struct mlk_query *q;
	const struct scope *sc;
	const char *clause; /* "WHERE", for messages */
	int allow_agg, allow_win;
	/* Grouped: column refs must be group keys or inside aggregates. */
	int grouped;
	struct ast **group;
	struct bx **gbx; /* bound group keys */
	size_t ngroup;
	struct agg_call *aggs;
	size_t naggs, aalloc;
	struct ast **agg_asts;
	struct win_call *wins;
	size_t nwins, walloc;
	struct ast **win_asts;
};

struct mlk_error *bind_expr(struct bctx *, const struct ast *, struct bx **);
/* The same, requiring a boolean (or NULL) result. */
struct mlk_error *bind_bool(struct bctx *, const struct ast *, struct bx **);
int is_agg_name(const char *);
/* Functions, aggregates and windows (sql_bind_call.c). */
struct mlk_error *bind_call(struct bctx *, const struct ast *, struct bx **);
/* err's message at a's position; err is freed. */
struct mlk_error *sql_at(const struct ast *a, struct mlk_error *err);
/* Gives the NULL literal e type t. */
struct bx *retype_null(struct bx *e, enum mlk_type t);
/* Casts the non-NULL v[i] to their common type *t. */
struct mlk_error *unify(const struct ast *a, struct bx **v, size_t n,
    enum mlk_type *t);
/* Whether an expression calls an aggregate outside any OVER. */
int ast_has_agg(const struct ast *);
/* Casts e to t when it is not already; folds constants. */
struct bx *bx_cast_to(struct bx *e, enum mlk_type t);
/* Adds delta to every column index in e. */
void bx_shift(struct bx *e, long delta);
/* Adds base to window references (winref) in e. */
void bx_fix_winref(struct bx *e, size_t base);
/* Lowest and highest column index in e; 0 when none (returns 0). */
int bx_cols(const struct bx *e, size_t *lo, size_t *hi);

struct mlk_error *sql_plan_query(struct mlk_query *, const struct query *,
    struct plan **out, struct scope *sc);
struct plan *plan_new(struct mlk_query *, enum plan_kind,
    const struct plan_ops *);
struct mlk_error *bind_from(struct mlk_query *, const struct from *,
    struct plan **out, struct scope *sc);
struct mlk_error *bind_conjuncts(struct bctx *, const struct ast *,
    struct bx ***out, size_t *n);
/* a AND b; a may be NULL. */
struct bx *bx_and(struct bx *a, struct bx *b);

#endif
