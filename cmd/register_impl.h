/*
 * What the files of `mlk register` share: register.c parses the command
 * line and does add, ls and show; register_alias.c does alias, promote,
 * rollback and history.
 */
#ifndef MLK_CMD_REGISTER_IMPL_H
#define MLK_CMD_REGISTER_IMPL_H

#include "cmd.h"

/* The options of every verb, as parsed. */
struct reg_args {
	const char *verb;
	char **ops; /* the operands after the verb */
	int nops;
	int json;
	const char *description;
	json_t *tags; /* --tag k=v, an object */
	const char *expect; /* NULL when not given */
	int delete;
	const char *to;
	const char *cond; /* --if */
};

extern const struct cmd_usage reg_usage;

/* A version number operand: MLK_ERR_USAGE when it is not one. */
struct mlk_error *reg_parse_version(const char *text, long long *out);
/* A number as people read it (the fewest digits that read back). */
const char *reg_fmt_num(char *buf, double v);

struct mlk_error *reg_alias(struct reg_args *, struct mlk_ctx *);
struct mlk_error *reg_promote(struct reg_args *, struct mlk_ctx *);
struct mlk_error *reg_rollback(struct reg_args *, struct mlk_ctx *);
struct mlk_error *reg_history(struct reg_args *, struct mlk_ctx *);

#endif
