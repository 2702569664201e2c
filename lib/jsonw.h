/* attache: the streaming JSON writer shared by the daemon and the client:
 * values go through a 4 KB buffer to a sink, with commas, escaping and
 * UTF-8 repair done here. No allocation; a writer belongs to one thread. */
#ifndef ATT_JSONW_H
#define ATT_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "attache/attache.h"

struct att_buf; /* lib/buf.h */

/* Where output goes: n bytes at p; returns ATT_OK or an ATT_E_* code (then
 * the writer stops: later calls do nothing, nothing more reaches the sink;
 * a value that is no ATT_E_* code counts as ATT_E_IO). */
typedef int (*att_jw_sink_fn)(void *ud, const char *p, size_t n);

/* Containers nest at most this deep (the outermost one is at depth 1). */
#define ATT_JW_DEPTH 64

/* Lives on the caller's stack; only the functions below touch its fields. */
struct att_jw {
    att_jw_sink_fn sink;
    void *ud;
    int status;     /* ATT_OK, or the first error: every later call does nothing */
    unsigned depth; /* containers open; 0 at top level */
    uint64_t empty; /* bit d-1: the container at depth d has no member yet */
    uint64_t obj;   /* bit d-1: the container at depth d is an object (else an array) */
    bool top;       /* a value stands at top level since the last newline */
    size_t len;     /* bytes waiting in buf */
    char buf[4096];
};

/* Start writing to sink(ud, ...). */
void att_jw_init(struct att_jw *w, att_jw_sink_fn sink, void *ud);
/* Start writing to the end of b (its ceiling applies: past it, the status
 * becomes ATT_E_TOOBIG). b must outlive the writer. */
void att_jw_init_buf(struct att_jw *w, struct att_buf *b);

/* Every value call takes key: the member's name inside an object (a
 * NUL-terminated string), NULL inside an array and at top level; anything
 * else is a programming error and sets the status to ATT_E_INTERNAL, as do
 * nesting past ATT_JW_DEPTH, a close without an open or of the other kind,
 * and a second value at top level before att_jw_newline. Commas and ':' are
 * written here. Strings and keys are escaped (", \, bytes below 0x20) and
 * each byte that does not begin a valid UTF-8 sequence becomes U+FFFD
 * (as att_utf8_decode reads it), so the output is always valid UTF-8. */
void att_jw_obj(struct att_jw *w, const char *key); /* opens { */
void att_jw_end_obj(struct att_jw *w);
void att_jw_arr(struct att_jw *w, const char *key); /* opens [ */
void att_jw_end_arr(struct att_jw *w);
/* s NUL-terminated; NULL writes null. */
void att_jw_str(struct att_jw *w, const char *key, const char *s);
/* s[0..n), which may hold NUL bytes (written \u0000); s NULL writes null. */
void att_jw_strn(struct att_jw *w, const char *key, const char *s, size_t n);
/* An integer in decimal, exactly. */
void att_jw_int(struct att_jw *w, const char *key, long long v);
/* "%.9g"; inf and nan write null. */
void att_jw_real(struct att_jw *w, const char *key, double v);
void att_jw_bool(struct att_jw *w, const char *key, bool v);
void att_jw_null(struct att_jw *w, const char *key);
/* json[0..n): valid JSON that the caller vouches for, copied as it is;
 * json NULL writes null. */
void att_jw_raw(struct att_jw *w, const char *key, const char *json, size_t n);
/* The tree v written by this writer: a number that is an integer exactly
 * with |v| < 2^53 as an integer, others "%.17g", inf and nan as null;
 * cJSON_Raw items copied as they are; v NULL writes null. Its containers
 * count towards ATT_JW_DEPTH. */
void att_jw_cjson(struct att_jw *w, const char *key, const cJSON *v);

/* Variants whose member name is key[0..klen), for names that come from
 * data (facet values, field names): it may hold NUL bytes or invalid UTF-8
 * and is escaped like a string. key NULL means no name, as above. */
void att_jw_obj_k(struct att_jw *w, const char *key, size_t klen);
void att_jw_arr_k(struct att_jw *w, const char *key, size_t klen);
void att_jw_strn_k(struct att_jw *w, const char *key, size_t klen, const char *s, size_t n);
void att_jw_int_k(struct att_jw *w, const char *key, size_t klen, long long v);
void att_jw_real_k(struct att_jw *w, const char *key, size_t klen, double v);
void att_jw_raw_k(struct att_jw *w, const char *key, size_t klen, const char *json, size_t n);

/* '\n' at top level (responses and requests are lines); inside a container
 * it is a programming error (ATT_E_INTERNAL). */
void att_jw_newline(struct att_jw *w);

/* Hand the buffered bytes to the sink. Returns w->status: ATT_OK, or the
 * first error (err filled; the bytes not yet handed over are dropped).
 * The writer stays usable after ATT_OK, for the next line. */
int att_jw_flush(struct att_jw *w, struct att_err *err);

#endif
