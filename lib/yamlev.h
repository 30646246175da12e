/*
 * A strict reader of small YAML files by libyaml's events, shared by the
 * hand-written files mlk reads (an ingest schema, a training spec). It
 * walks events rather than loading a document tree so that anchors and
 * aliases are seen, and refused, instead of silently expanded; every
 * error has code MLK_ERR_PARSE and says where: "name:line:column: ...".
 *
 *	struct mlk_yaml y;
 *
 *	mlk_yaml_init(&y, "train.yaml", text, len);
 *	while (!(err = mlk_yaml_next(&y)) && y.ev.type != ...)
 *		...
 *	mlk_yaml_release(&y);
 */
#ifndef MLK_YAMLEV_H
#define MLK_YAMLEV_H

#include <stddef.h>
#include <yaml.h>

#include "error.h"
#include "strbuf.h"

struct mlk_yaml {
	const char *name; /* for messages: the file name */
	yaml_parser_t parser;
	yaml_event_t ev; /* the current event, valid after mlk_yaml_next */
	int have_ev;
};

/* Reads text[0..len) (not copied: it must outlive y). */
void mlk_yaml_init(struct mlk_yaml *y, const char *name, const char *text,
    size_t len);
void mlk_yaml_release(struct mlk_yaml *y);

/* Moves to the next event; an anchor, an alias or bad YAML is an error. */
struct mlk_error *mlk_yaml_next(struct mlk_yaml *y);

/* The current event's text; the event must be a scalar. */
const char *mlk_yaml_scalar(const struct mlk_yaml *y);

/* An error placed at mark m: "name:line:column: <fmt>". */
struct mlk_error *mlk_yaml_at(const struct mlk_yaml *y, yaml_mark_t m,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Reads the file at path into sb, failing past max bytes. */
struct mlk_error *mlk_yaml_read_file(struct strbuf *sb, const char *path,
    size_t max);

#endif
