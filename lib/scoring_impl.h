/*
 * Shared by scoring.c and the scoring_*.c request and reply parsers;
 * not an API.
 */
#ifndef MLK_SCORING_IMPL_H
#define MLK_SCORING_IMPL_H

#include <jansson.h>

#include "scoring.h"

double scoring_now(void);

/* Rows between two looks at the clock. */
#define CLOCK_EVERY 1024

/* True, and the frame marked, when row is a clock row past deadline. */
static inline int
scoring_expired(struct mlk_scoring_frame *fr, double deadline, size_t row)
{
	if (deadline <= 0 || row % CLOCK_EVERY != CLOCK_EVERY - 1)
		return 0;
	if (scoring_now() < deadline)
		return 0;
	fr->timed_out = 1;
	return 1;
}

struct mlk_error *scoring_timeout(void);
void scoring_frame_init(struct mlk_scoring_frame *, const struct mlk_model *);
/* A JSON value's type, in pandas' words. */
const char *scoring_json_type(const json_t *);
struct mlk_error *scoring_mistyped(const struct mlk_feature *, const char *got);
/* Appends a JSON value to a column of its feature; -1 when mistyped. */
int scoring_put_json(struct mlk_column *, const json_t *);
/* "Model is missing inputs [...]" for the features not found, or NULL. */
struct mlk_error *scoring_missing(const struct mlk_model *, const int *found);
/* The bodies mlk_scoring_parse() hands on, into fr prepared for m. */
struct mlk_error *scoring_parse_json(const struct mlk_model *, const char *body,
    size_t len, double deadline, struct mlk_scoring_frame *fr);
struct mlk_error *scoring_parse_csv(const struct mlk_model *, const char *body,
    size_t len, double deadline, struct mlk_scoring_frame *fr);
/*
 * Parses a plain dataframe_split body straight into fr (scoring_fast.c):
 * 1 when it did, -1 past the deadline, 0 when the body needs the general
 * parser (fr is then partly filled: release and init it again).
 */
int scoring_fast_split(const struct mlk_model *, const char *body, size_t len,
    double deadline, struct mlk_scoring_frame *fr);

/*
 * A JSON number at *pp (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?)
 * into *out, the same double as mlk_value_parse_float64() gives, *pp
 * moved past it; 0 when there is none, or when it is an integer of 16
 * characters or more (the general parser says whether it fits).
 */
int scoring_num_scan(const char **pp, const char *end, double *out);
/* mlk_value_format_float64(), the same bytes, mostly without printf. */
size_t scoring_num_format(char *buf, double);

#endif
