/*
 * The column types of mlk tables. Every column is nullable. Dates are days
 * since 1970-01-01; timestamps are microseconds since the epoch, UTC.
 */
#ifndef MLK_TYPES_H
#define MLK_TYPES_H

#include <stdint.h>

enum mlk_type {
	MLK_T_INT64 = 0,
	MLK_T_FLOAT64,
	MLK_T_BOOL,
	MLK_T_STRING,
	MLK_T_DATE,
	MLK_T_TIMESTAMP,
	MLK_T_COUNT,
};

/* "int64", "float64", "bool", "string", "date", "timestamp". */
const char *mlk_type_name(enum mlk_type);
/* Parses a type name; returns -1 when it is not one. */
int mlk_type_parse(const char *name);

#endif
