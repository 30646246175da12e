#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "yamlev.h"

void
mlk_yaml_init(struct mlk_yaml *y, const char *name, const char *text,
    size_t len)
{
	y->name = name;
	y->have_ev = 0;
	if (!yaml_parser_initialize(&y->parser))
		abort();
	yaml_parser_set_input_string(&y->parser, (const unsigned char *)text,
	    len);
}

void
mlk_yaml_release(struct mlk_yaml *y)
{
	if (y->have_ev)
		yaml_event_delete(&y->ev);
	y->have_ev = 0;
	yaml_parser_delete(&y->parser);
}

struct mlk_error *
mlk_yaml_at(const struct mlk_yaml *y, yaml_mark_t m, const char *fmt, ...)
{
	struct mlk_error *err;
	va_list ap;

	va_start(ap, fmt);
	err = mlk_error_newv(MLK_ERR_PARSE, fmt, ap);
	va_end(ap);
	return mlk_error_wrap(err, "%s:%zu:%zu", y->name, m.line + 1,
	    m.column + 1);
}

static struct mlk_error *
parser_error(const struct mlk_yaml *y)
{
	const yaml_parser_t *p = &y->parser;
	const char *problem = p->problem ? p->problem : "cannot parse";

	if (p->error == YAML_MEMORY_ERROR)
		abort();
	if (p->error == YAML_READER_ERROR)
		return mlk_error_new(MLK_ERR_PARSE, "%s: %s at byte %zu",
		    y->name, problem, p->problem_offset);
	if (p->context)
		return mlk_yaml_at(y, p->problem_mark, "%s %s", p->context,
		    problem);
	return mlk_yaml_at(y, p->problem_mark, "%s", problem);
}

struct mlk_error *
mlk_yaml_next(struct mlk_yaml *y)
{
	const yaml_char_t *anchor = NULL;

	if (y->have_ev)
		yaml_event_delete(&y->ev);
	y->have_ev = 0;
	if (!yaml_parser_parse(&y->parser, &y->ev))
		return parser_error(y);
	y->have_ev = 1;
	switch (y->ev.type) {
	case YAML_ALIAS_EVENT:
		return mlk_yaml_at(y, y->ev.start_mark,
		    "aliases are not supported");
	case YAML_SCALAR_EVENT:
		anchor = y->ev.data.scalar.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = y->ev.data.sequence_start.anchor;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = y->ev.data.mapping_start.anchor;
		break;
	default:
		break;
	}
	if (anchor)
		return mlk_yaml_at(y, y->ev.start_mark,
		    "anchors are not supported");
	return NULL;
}

const char *
mlk_yaml_scalar(const struct mlk_yaml *y)
{
	return (const char *)y->ev.data.scalar.value;
}

struct mlk_error *
mlk_yaml_read_file(struct strbuf *sb, const char *path, size_t max)
{
	struct mlk_error *err = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1)
		return mlk_error_errno("cannot open '%s'", path);
	for (;;) {
		ssize_t n;

		strbuf_grow(sb, 8192);
		n = read(fd, sb->buf + sb->len, sb->alloc - sb->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = mlk_error_errno("cannot read '%s'", path);
			break;
		}
		if (n == 0)
			break;
		strbuf_setlen(sb, sb->len + (size_t)n);
		if (sb->len > max)
			break;
	}
	close(fd);
	return err;
}
