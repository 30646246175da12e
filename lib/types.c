#include <string.h>

#include "types.h"

static const char *const type_names[MLK_T_COUNT] = {
	"int64",
	"float64",
	"bool",
	"string",
	"date",
	"timestamp",
};

const char *
mlk_type_name(enum mlk_type t)
{
	if ((unsigned)t >= MLK_T_COUNT)
		return "unknown";
	return type_names[t];
}

int
mlk_type_parse(const char *name)
{
	for (int i = 0; i < MLK_T_COUNT; i++)
		if (strcmp(name, type_names[i]) == 0)
			return i;
	return -1;
}
