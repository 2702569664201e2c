/* attache: public C API of libattache: status codes and the error record
 * every library call fills. Include the unit headers for the rest. */
#ifndef ATTACHE_ATTACHE_H
#define ATTACHE_ATTACHE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ATTACHE_VERSION "0.1.0"

/* Every library function returns ATT_OK (0) or one of these. */
enum att_status {
    ATT_OK = 0,
    ATT_E_NOMEM,    /* out of memory */
    ATT_E_IO,       /* a file could not be read or written */
    ATT_E_PARSE,    /* input could not be parsed */
    ATT_E_TOOBIG,   /* input over a hard limit */
    ATT_E_EMPTY,    /* input holds no text to index */
    ATT_E_BINARY,   /* input is not text */
    ATT_E_OPENING,  /* index missing or cannot be opened */
    ATT_E_CORRUPT,  /* index damaged */
    ATT_E_LOCKED,   /* index locked by another writer */
    ATT_E_MODIFIED, /* index changed under a reader: reopen and retry */
    ATT_E_QUERY,    /* query could not be parsed */
    ATT_E_NOTFOUND, /* no such document, passage or key */
    ATT_E_INDEX,    /* any other index error */
    ATT_E_TIMEOUT,  /* a time limit was reached */
    ATT_E_INTERNAL, /* a bug: unexpected state or exception */
    ATT_E_VERSION,  /* index in another format: rebuild it */
    ATT_E_MAX
};

#define ATT_ERR_LEN 256

/* The error record a callee fills on failure; the caller owns it (usually
 * on the stack). code is an enum att_status, msg a NUL-terminated text. */
struct att_err {
    int code;
    char msg[ATT_ERR_LEN];
};

/* Fill err (which may be NULL) with code and a printf-style message, and
 * return code, so that `return att_err_set(err, ...)` reads naturally. */
int att_err_set(struct att_err *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* A short constant name for a status ("nomem", "locked", ...). */
const char *att_strerror(int code);

/* A byte range [start, end) in some text the caller holds. */
struct att_span {
    size_t start;
    size_t end;
};

/* A growable array of spans; the owner frees v with att_spans_free(). */
struct att_spans {
    struct att_span *v;
    size_t n;
    size_t cap;
};

/* Append a span; returns ATT_OK or ATT_E_NOMEM (the array is unchanged). */
int att_spans_push(struct att_spans *s, size_t start, size_t end);
void att_spans_free(struct att_spans *s); /* NULL-safe; leaves s empty */

#ifdef __cplusplus
}
#endif
#endif
