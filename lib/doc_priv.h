/* attache: helpers shared by the document readers (lib/document.c and
 * lib/read_*.c); not part of the public API. All pure and thread-safe. */
#ifndef ATTACHE_DOC_PRIV_H
#define ATTACHE_DOC_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "attache/doc.h"

/* True for the ASCII white space a reader skips: space, \t, \n, \v, \f, \r. */
bool att_doc_space(unsigned char c);

/* True when s[0..len) holds nothing but ASCII white space. */
bool att_doc_blank(const char *s, size_t len);

/* Bytes of a UTF-8 byte order mark at the start of s[0..len) (3 or 0). */
size_t att_doc_bom(const char *s, size_t len);

/* s[0..len) trimmed, each run of white space made one space, into a
 * malloc'd *out (NULL when nothing is left). Returns ATT_OK or ATT_E_NOMEM. */
int att_doc_collapse(const char *s, size_t len, char **out);

/* A malloc'd copy of s[0..len) with "\r\n" and lone "\r" turned into "\n";
 * *out_len gets its length. NULL when out of memory. */
char *att_doc_unix_lines(const char *s, size_t len, size_t *out_len);

/* Make *data and *len valid UTF-8 without NUL bytes: leaves them alone when they
 * already are (*owned = NULL), else points them at a repaired copy that the
 * caller frees through *owned. Returns ATT_OK or ATT_E_NOMEM. */
int att_doc_clean_input(const char **data, size_t *len, char **owned);

/* A reader's first step: *data (NULL reads as empty) made ready as
 * att_doc_clean_input does. Returns ATT_OK, or ATT_E_NOMEM with err filled. */
int att_doc_read_begin(const char **data, size_t *len, char **owned, struct att_err *err);

/* A reader's last step: returns rc. On failure it first drops what doc
 * holds (att_doc_drop) and fills err: "no text" for ATT_E_EMPTY, toobig
 * for ATT_E_TOOBIG when toobig is not NULL, "out of memory" otherwise. */
int att_doc_read_end(struct att_doc *doc, int rc, const char *toobig, struct att_err *err);

/* Free the fields a reader fills (all but id) and set them to NULL / 0. */
void att_doc_drop(struct att_doc *d);

/* Repair, in place, every field of d that is not valid UTF-8.
 * Returns ATT_OK or ATT_E_NOMEM. */
int att_doc_fix_utf8(struct att_doc *d);

/* True when key[0..klen) names a metadata field (title, date, source or
 * url), case-insensitively. */
bool att_doc_meta_key(const char *key, size_t klen);

/* Store val[0..vlen) (collapsed) as the field key names, unless that field
 * is already set (the first value wins). Dates go through
 * att_date_normalize and are dropped when unrecognised (with a
 * warning, att_doc_warn_date); unknown keys and
 * empty values are ignored. Returns ATT_OK or ATT_E_NOMEM. */
/* Set d->warning to "date 'VAL' not understood", val[0..vlen) collapsed and
 * cut to 80 bytes, unless d already has a warning or val is blank. Without
 * memory the warning is left out. */
void att_doc_warn_date(struct att_doc *d, const char *val, size_t vlen);

int att_doc_set_meta(struct att_doc *d, const char *key, size_t klen, const char *val,
                     size_t vlen);

#endif
