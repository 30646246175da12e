/*
 * A table schema written by hand in YAML, for `mlk ingest --schema`:
 *
 *	columns:
 *	  - name: meter_id
 *	    type: string
 *	    nullable: false
 *	  - name: kwh
 *	    type: float64
 *
 * Keys are exactly name, type and nullable; the top level has exactly
 * the key columns, a list of at least one column. type is an mlk type
 * name as mlk_type_parse() takes it (int64, float64, bool, string, date,
 * timestamp); other names are refused with a hint ("did you mean
 * 'int64'?") for the usual names of other systems (int, integer, double,
 * text, boolean, datetime ...) and for typos. nullable is true or false
 * (also True, TRUE ...), and true when left out. A name is any non-empty
 * text; the caller decides which names a table accepts.
 *
 * Being strict is the point: a key, a type or a shape that is not known
 * is an error, never ignored. Anchors and aliases are refused (no
 * "billion laughs"), as is a second document; the file may be at most
 * MLK_SCHEMAFILE_MAX bytes, and the shape allows no deep nesting (any
 * collection where a scalar belongs is an error at once).
 *
 * Errors have code MLK_ERR_PARSE and say where, from libyaml's marks:
 * "schema.yaml:4:11: unknown type 'strin' (did you mean 'string'?)",
 * "schema.yaml:7:11: duplicate column 'kwh' (first at line 3)".
 */
#ifndef MLK_SCHEMAFILE_H
#define MLK_SCHEMAFILE_H

#include <stddef.h>

#include "error.h"
#include "types.h"

#define MLK_SCHEMAFILE_MAX (1 << 20)

struct mlk_schemafile_col {
	char *name; /* NUL-free, non-empty */
	enum mlk_type type;
	int nullable; /* 1 unless nullable: false */
	unsigned line; /* where its entry starts, from 1 */
};

/* The columns in file order; names are unique (compared exactly). */
struct mlk_schemafile {
	struct mlk_schemafile_col *cols;
	size_t nr, alloc;
};

#define MLK_SCHEMAFILE_INIT \
	{ \
		NULL, 0, 0 \
	}

/*
 * Reads the schema in the file at path into sf, which must be empty
 * (MLK_SCHEMAFILE_INIT or released). Messages start with path. A file
 * that cannot be read is MLK_ERR_ERRNO "cannot open 'x.yaml': ...". On
 * error sf is left empty. The caller releases sf.
 */
struct mlk_error *mlk_schemafile_read(struct mlk_schemafile *sf,
    const char *path);

/* The same, from text in memory; name is what messages start with. */
struct mlk_error *mlk_schemafile_parse(struct mlk_schemafile *sf,
    const char *name, const char *text, size_t len);

void mlk_schemafile_release(struct mlk_schemafile *);

#endif
