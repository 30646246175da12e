/*
 * Errors as values. A lib/ function that can fail returns a struct
 * mlk_error *: NULL on success, otherwise an error the caller owns and
 * frees with mlk_error_free() (or hands up the stack). Callers branch on
 * the code, never on the text. Only main() prints an error.
 */
#ifndef MLK_ERROR_H
#define MLK_ERROR_H

#include <stdarg.h>

enum mlk_err_code {
	MLK_ERR_FAIL = 1, /* the operation failed (generic) */
	MLK_ERR_ERRNO, /* a system call failed; errno is kept */
	MLK_ERR_NOMEM, /* out of memory */
	MLK_ERR_USAGE, /* bad option or argument */
	MLK_ERR_BAD_REV, /* a revision that does not parse */
	MLK_ERR_NOT_FOUND, /* a revision, ref or object that does not exist */
	MLK_ERR_NOT_REPO, /* no .mlk repository here */
	MLK_ERR_EXISTS, /* something that must not exist does */
	MLK_ERR_CONFLICT, /* a concurrent update was detected */
	MLK_ERR_CHECK, /* a check, gate or verification did not pass */
	MLK_ERR_CORRUPT, /* stored data is damaged */
	MLK_ERR_PARSE, /* input that does not parse */
	MLK_ERR_STORE, /* the object store failed */
	MLK_ERR_AMBIGUOUS, /* an object id prefix matches several objects */
};

struct mlk_error {
	enum mlk_err_code code;
	int sys_errno; /* errno when code is MLK_ERR_ERRNO, else 0 */
	char *msg; /* lowercase, no full stop: "cannot open 'x'" */
};

/* A new error with a printf-style message. Never returns NULL. */
struct mlk_error *mlk_error_new(enum mlk_err_code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
struct mlk_error *mlk_error_newv(enum mlk_err_code, const char *fmt, va_list);

/*
 * An error from errno, captured now: the message reads
 * "<fmt>: <strerror(errno)>".
 */
struct mlk_error *mlk_error_errno(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Prefix an error's message with more context: "<fmt>: <old message>". */
struct mlk_error *mlk_error_wrap(struct mlk_error *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The process exit status for an error, from the table in mlk(1). */
int mlk_error_exit_code(const struct mlk_error *);

void mlk_error_free(struct mlk_error *);

#endif
