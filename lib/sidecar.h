/* attache: the metadata file a folder may hold for files that carry none
 * (attache-meta.jsonl): its lines parsed into rules, the fields the rules
 * give one file, and a document's missing metadata filled from them.
 * Pure: bytes in, no file access; safe from any thread. */
#ifndef ATT_SIDECAR_H
#define ATT_SIDECAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attache/doc.h"

#define ATT_SIDECAR_NAME "attache-meta.jsonl"
#define ATT_SIDECAR_MAX_BYTES (16u << 20) /* a larger one is ignored (the caller's check) */
#define ATT_SIDECAR_NAME_MAX 32           /* bytes of a field name */
/* Most fields one file can get: the six named ones and the further ones. */
#define ATT_SIDECAR_MAX_SET (ATT_MAX_FIELDS + 6)

struct att_meta_pair {
    char *name;  /* "title", "author", "date", "source", "url", "language", or a
                  * further field: [a-z0-9_-]{1,32} */
    char *value; /* collapsed white space, valid UTF-8; a date normalised */
};

/* One line: the files it is for and the fields it gives them. */
struct att_sidecar_rule {
    char *file;  /* a name, or an fnmatch(3) pattern when glob; NULL: every file */
    bool glob;
    struct att_meta_pair *v;
    size_t n, cap;
};

/* A parsed sidecar. All zero is a valid empty one. */
struct att_sidecar {
    struct att_sidecar_rule *rules; /* in line order */
    size_t n, cap;
    size_t *named;  /* rules with a plain name, sorted by (name, order) */
    size_t nnamed;
    size_t *wide;   /* the other rules (a pattern or every file), in order */
    size_t nwide;
};

/* The fields a sidecar gives one file, a later line's value winning;
 * sorted by name. The strings are borrowed from the sidecar. */
struct att_sidecar_set {
    const char *name[ATT_SIDECAR_MAX_SET];
    const char *value[ATT_SIDECAR_MAX_SET];
    size_t n;
};

/* Parse data[0..len) (JSON lines; blank lines and lines starting with '#'
 * skipped) into sc, which must be all zero. A malformed line is told to
 * on_bad (may be NULL: its number from 1, and why) and skipped; the rest
 * is kept. Returns ATT_OK,
 * or ATT_E_NOMEM with err filled (sc then holds what was parsed; free it). */
int att_sidecar_parse(const char *data, size_t len, struct att_sidecar *sc,
                      void (*on_bad)(void *ud, long line, const char *why), void *ud,
                      struct att_err *err);

/* Free what sc holds and zero it. NULL-safe. */
void att_sidecar_free(struct att_sidecar *sc);

/* The fields sc gives the file named name (a name, no '/') into *set. */
void att_sidecar_match(const struct att_sidecar *sc, const char *name,
                       struct att_sidecar_set *set);

/* A hash of set as 16 hex digits, "" when set is empty: equal sets, equal
 * hashes. */
void att_sidecar_hash(const struct att_sidecar_set *set, char out[17]);

/* Fill what d lacks from set: a named field that is NULL (a title made
 * from the body and a date from the file name count as missing), a
 * further field d does not have (past ATT_MAX_FIELDS the rest is left
 * out). Each field applied is added to *applied and mixed into *h.
 * Returns ATT_OK or ATT_E_NOMEM. */
int att_sidecar_apply(const struct att_sidecar_set *set, struct att_doc *d, uint64_t *h,
                      unsigned *applied);


#endif
