/* attache: a growable byte buffer with a ceiling set at birth, and the same
 * growth rule for arrays. Not thread-safe; a buffer belongs to its owner. */
#ifndef ATT_BUF_H
#define ATT_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "attache/attache.h"

/* p[0..len) holds the bytes, followed by a NUL whenever p != NULL, so the
 * contents can be used as a C string when they hold no NUL of their own. */
struct att_buf {
    char *p;
    size_t len;
    size_t cap;
    size_t max; /* len never exceeds it */
};

/* Start empty (allocates nothing) with a ceiling of max bytes. */
void att_buf_init(struct att_buf *b, size_t max);

/* Make room for `more` bytes past len. Returns ATT_OK, ATT_E_TOOBIG when
 * len + more would pass max, or ATT_E_NOMEM; on failure b is unchanged.
 * Pointers into p are invalid after any call that may grow it. */
int att_buf_reserve(struct att_buf *b, size_t more);

/* Append n bytes (or a character, or printf-style text). Same returns as
 * att_buf_reserve; on failure nothing is appended. */
int att_buf_add(struct att_buf *b, const void *data, size_t n);
int att_buf_addc(struct att_buf *b, char c);
int att_buf_addf(struct att_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Empty b, keeping its memory. */
void att_buf_reset(struct att_buf *b);

/* Hand the bytes to the caller (who frees them; NUL-terminated, never NULL
 * unless out of memory) with their length in *len (may be NULL); b is left
 * empty with the same ceiling. */
char *att_buf_take(struct att_buf *b, size_t *len);

/* Free the bytes; NULL-safe; b is left empty and usable. */
void att_buf_free(struct att_buf *b);

/* Grow the array *v of *cap elements of `size` bytes so that it holds at
 * least `need`, doubling (from 16), never past `max` elements. Returns
 * ATT_OK, ATT_E_TOOBIG or ATT_E_NOMEM; on failure *v and *cap are
 * unchanged. */
int att_grow(void *v, size_t *cap, size_t need, size_t size, size_t max);

#endif
