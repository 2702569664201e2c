/* attache: the shared secret of attached's "auth" request: read from a
 * token file, compared in constant time. Used by the daemon and the
 * client alike; no logging. */
#ifndef ATT_TOKEN_H
#define ATT_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#include "attache/attache.h"

/* Read the token of the file at path: its first line, white space around
 * it trimmed. On ATT_OK, *out is a malloc'd NUL-terminated copy (free it
 * with att_token_free) of *len bytes, and *loose tells whether the file is
 * readable by its group or by others. Otherwise returns ATT_E_IO (the file
 * cannot be read), ATT_E_EMPTY (no token in it), ATT_E_TOOBIG (longer than
 * ATTACHE_MAX_TOKEN bytes) or ATT_E_NOMEM, err filled, *out NULL. */
int att_token_read(const char *path, char **out, size_t *len, bool *loose,
                   struct att_err *err);

/* Wipe and free a token from att_token_read. NULL is a no-op. */
void att_token_free(char *tok, size_t len);

/* True when a[0..alen) and b[0..blen) are the same bytes. The time taken
 * depends only on the longer length, never on where the two differ nor on
 * whether the lengths differ. Pure: safe from any thread. */
bool att_token_equal(const char *a, size_t alen, const char *b, size_t blen);

#endif
