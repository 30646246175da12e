/*
 * The insides of run filters and orders, shared by their parser
 * (runfilter.c) and their evaluation (runfilter_match.c).
 */
#ifndef MLK_RUNFILTER_IMPL_H
#define MLK_RUNFILTER_IMPL_H

#include "runfilter.h"

enum key_kind { K_METRIC, K_PARAM, K_TAG, K_ATTR, K_DATASET };

enum attr {
	A_NONE,
	A_RUN_ID,
	A_RUN_NAME,
	A_STATUS,
	A_EXPERIMENT,
	A_USER,
	A_START,
	A_END,
	A_DS_NAME,
	A_DS_DIGEST,
};

struct key {
	enum key_kind kind;
	enum attr attr;
	char *name;
	int numeric;
};

enum op {
	OP_EQ,
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_LIKE,
	OP_ILIKE,
	OP_IN,
	OP_NOT_IN
};

enum node_kind { N_AND, N_OR, N_CMP };

struct node {
	enum node_kind kind;
	struct node *l, *r;
	struct key key;
	enum op op;
	double num;
	char **strs;
	size_t nstrs;
};

struct mlk_run_filter {
	struct node *root; /* NULL: matches everything */
};

struct order_key {
	struct key key;
	int desc;
};

struct mlk_run_order {
	struct order_key *keys;
	size_t n;
};

#endif
