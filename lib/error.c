#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "strbuf.h"
#include "xmalloc.h"

struct mlk_error *
mlk_error_newv(enum mlk_err_code code, const char *fmt, va_list ap)
{
	struct mlk_error *err = xcalloc(1, sizeof(*err));
	struct strbuf sb = STRBUF_INIT;

	strbuf_vaddf(&sb, fmt, ap);
	err->code = code;
	err->msg = strbuf_detach(&sb, NULL);
	return err;
}

struct mlk_error *
mlk_error_new(enum mlk_err_code code, const char *fmt, ...)
{
	struct mlk_error *err;
	va_list ap;

	va_start(ap, fmt);
	err = mlk_error_newv(code, fmt, ap);
	va_end(ap);
	return err;
}

struct mlk_error *
mlk_error_errno(const char *fmt, ...)
{
	int saved = errno;
	struct mlk_error *err = xcalloc(1, sizeof(*err));
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_addf(&sb, ": %s", strerror(saved));
	err->code = saved == ENOMEM ? MLK_ERR_NOMEM : MLK_ERR_ERRNO;
	err->sys_errno = saved;
	err->msg = strbuf_detach(&sb, NULL);
	errno = saved;
	return err;
}

struct mlk_error *
mlk_error_wrap(struct mlk_error *err, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_addf(&sb, ": %s", err->msg);
	free(err->msg);
	err->msg = strbuf_detach(&sb, NULL);
	return err;
}

int
mlk_error_exit_code(const struct mlk_error *err)
{
	if (err == NULL)
		return 0;
	switch (err->code) {
	case MLK_ERR_USAGE:
	case MLK_ERR_BAD_REV:
		return 2;
	case MLK_ERR_CONFLICT:
		return 3;
	case MLK_ERR_CHECK:
		return 4;
	default:
		return 1;
	}
}

void
mlk_error_free(struct mlk_error *err)
{
	if (err == NULL)
		return;
	free(err->msg);
	free(err);
}
