/* attache-index: reading a whole file into memory, with a size limit. */
#ifndef ATT_READFILE_H
#define ATT_READFILE_H

#include <stddef.h>

#include "attache/attache.h"

/* The file at path into *data (malloc'd, NUL-terminated) and *len.
 * Returns ATT_OK, ATT_E_IO (cannot be opened, not a regular file),
 * ATT_E_TOOBIG (over max bytes: --max-file-size) or ATT_E_NOMEM, err
 * saying why; a file that shrinks while read gives what was there. */
int readfile_load(const char *path, size_t max, char **data, size_t *len,
                  struct att_err *err);

#endif
