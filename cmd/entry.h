/* Printing one version for log and show (cmd/entry.c). */
#ifndef MLK_CMD_ENTRY_H
#define MLK_CMD_ENTRY_H

#include <jansson.h>

#include "version.h"

/* The text block for a version; verbose adds outputs, host, code. */
void cmd_entry_print(const struct mlk_entry *, int verbose);
/* {"commit", "tree", "parents", "timestamp", "summary", "record"}. */
json_t *cmd_entry_json(const struct mlk_entry *);

#endif
