/*
 * Typed scalars as text: parsing, formatting, and inferring a column's
 * type from its values. Text is a pointer and a length, not
 * NUL-terminated. Every parser skips spaces and tabs around the value, as
 * pandas and DuckDB do, and none depends on the locale.
 *
 * What parses:
 *	int64      [+-]digits, without overflow
 *	float64    [+-] digits [. digits] or . digits, then [eE][+-]digits;
 *	           or inf, infinity, nan in any case; no hex forms. The
 *	           result is correctly rounded.
 *	bool       true, false, t, f, yes, no in any case, and 1, 0
 *	date       YYYY-MM-DD, years 0000 to 9999
 *	timestamp  a date, alone (midnight) or followed by 'T', 't' or a
 *	           space and HH:MM[:SS[.fraction]], then optionally 'Z', 'z'
 *	           or an offset +HH:MM, +HHMM or +HH (or -). A fraction past
 *	           microseconds is cut off. Without offset the time is UTC.
 *
 * What formats, so that parsing it gives the same value back:
 *	int64      -123
 *	float64    the shortest of %.15g, %.16g, %.17g that reads back
 *	           exactly, and so usually the shortest decimal: 0.1, 1e-300,
 *	           -0; inf, -inf, nan
 *	bool       true, false
 *	date       2024-02-29
 *	timestamp  2024-02-29 13:05:09 in UTC without a zone, and
 *	           .123400 after the seconds (always six digits) only when
 *	           there is a fraction
 * Dates and timestamps outside years 0000 to 9999 format but do not
 * parse back.
 */
#ifndef MLK_VALUE_H
#define MLK_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "types.h"

/*
 * The parsers return 0 and store the value, or -1, leaving *out alone,
 * when the text is not one.
 */
int mlk_value_parse_int64(const char *s, size_t len, int64_t *out);
int mlk_value_parse_float64(const char *s, size_t len, double *out);
int mlk_value_parse_bool(const char *s, size_t len, int *out);
/* Days since 1970-01-01. */
int mlk_value_parse_date(const char *s, size_t len, int32_t *out);
/* Microseconds since 1970-01-01 00:00:00 UTC. */
int mlk_value_parse_timestamp(const char *s, size_t len, int64_t *out);

/* 1e0 .. 1e22: the powers of ten a double holds exactly. */
#define MLK_POW10_EXACT 22
extern const double mlk_pow10[MLK_POW10_EXACT + 1];

/* Room for any formatted value and its terminating NUL. */
#define MLK_VALUE_FMT_MAX 48

/*
 * The formatters write the text and a NUL to buf, which has room for
 * MLK_VALUE_FMT_MAX bytes, and return its length.
 */
size_t mlk_value_format_int64(char *buf, int64_t);
size_t mlk_value_format_float64(char *buf, double);
size_t mlk_value_format_bool(char *buf, int);
size_t mlk_value_format_date(char *buf, int32_t);
size_t mlk_value_format_timestamp(char *buf, int64_t);

/*
 * The proleptic Gregorian calendar, no time zone: days since 1970-01-01
 * from a year, month (1-12) and day, and back.
 */
int64_t mlk_days_from_civil(int64_t y, unsigned m, unsigned d);
void mlk_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/*
 * Type inference for one column: fed its values one at a time (the
 * caller skips nulls), it keeps the narrowest type that holds them all.
 * int64 widens to float64 (an integer too large for int64 is a float64),
 * a mix of dates and timestamps is timestamp, and any other mix is
 * string. Only the words true and false, in any case, make a bool: a
 * column of 0 and 1 is int64. A column with no values is string. Once a
 * column is string a value costs one test.
 */
struct mlk_value_infer {
	unsigned maybe; /* bit (1 << enum mlk_type) per type left */
	uint64_t n; /* values seen */
};

void mlk_value_infer_init(struct mlk_value_infer *);
void mlk_value_infer_add(struct mlk_value_infer *, const char *s, size_t len);
/* Adds what src saw to dst: for columns inferred in parts, in parallel. */
void mlk_value_infer_merge(struct mlk_value_infer *dst,
    const struct mlk_value_infer *src);
enum mlk_type mlk_value_infer_type(const struct mlk_value_infer *);

#endif
