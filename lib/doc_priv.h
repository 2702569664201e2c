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

/* True when key[0..klen) names a metadata field, case-insensitively:
 * title, date, source, url, author (also "by" and "authors"), language
 * (also "lang"). */
bool att_doc_meta_key(const char *key, size_t klen);

/* Store val[0..vlen) (collapsed) as the field key names, unless that field
 * is already set (the first value wins). Dates go through
 * att_date_normalize and languages through att_lang_normalize; a value
 * they do not understand is dropped with a warning (att_doc_warn). Unknown
 * keys and empty values are ignored. Returns ATT_OK or ATT_E_NOMEM. */
int att_doc_set_meta(struct att_doc *d, const char *key, size_t klen, const char *val,
                     size_t vlen);

/* Set d->warning to "WHAT 'VAL' not understood", val[0..vlen) collapsed and
 * cut to 80 bytes, unless d already has a warning or val is blank. Without
 * memory the warning is left out. */
void att_doc_warn(struct att_doc *d, const char *what, const char *val, size_t vlen);

/* att_doc_warn(d, "date", val, vlen). */
void att_doc_warn_date(struct att_doc *d, const char *val, size_t vlen);

/* Set d->language from val[0..vlen) through att_lang_normalize unless it
 * is set; an unknown language is left out with a warning. Returns ATT_OK
 * or ATT_E_NOMEM. */
int att_doc_set_language(struct att_doc *d, const char *val, size_t vlen);

/* A JSON number as text, malloc'd (NULL when out of memory): whole
 * numbers without a fraction or exponent ("1862"), others exactly. */
char *att_doc_number_text(double v);

/* True when name[0..len) may name a further field: 1 to 32 bytes of
 * lower-case ASCII letters, digits, '_' and '-'. */
bool att_doc_field_name(const char *name, size_t len);

/* Add the further field name[0..nlen) (checked with att_doc_field_name,
 * ignored when it fails) with the value val[0..vlen) collapsed (ignored
 * when blank), unless d has that field already (the first value wins).
 * Past ATT_MAX_FIELDS the field is left out with a warning. Returns ATT_OK
 * or ATT_E_NOMEM. */
int att_doc_add_field(struct att_doc *d, const char *name, size_t nlen, const char *val,
                      size_t vlen);

/* Append item[0..n) (collapsed; nothing when blank) to the list *list,
 * items joined with ", ": a list of authors. *list is malloc'd or NULL.
 * Returns ATT_OK or ATT_E_NOMEM. */
int att_doc_list_add(char **list, const char *item, size_t n);

/* The length of the front matter block ("---" lines around "key: value"
 * lines) opening the .md text s[0..len), or 0 when there is none. */
size_t att_front_end(const char *s, size_t len);

/* Store what the front matter block s[0..len) (as measured by
 * att_front_end) gives: title, date, source, url, author, language with
 * att_doc_set_meta (the author may be a list, joined with ", "), other
 * lower-case keys with a scalar value as further fields. Values may be
 * plain, quoted, folded (>) or literal (|), over several lines; each
 * becomes one line. Returns ATT_OK or ATT_E_NOMEM. */
int att_front_read(struct att_doc *doc, const char *s, size_t len);

/* One entry of the language table (lib/lang_codes.c): a lower-case name
 * or code and its ISO 639-1 code. Sorted by name (strcmp). */
struct att_lang_name {
    const char *name;
    const char *code;
};

extern const struct att_lang_name att_lang_names[];
extern const size_t att_lang_nnames;

/* A schema.org description of a page (JSON-LD), as read by att_jsonld_read.
 * Every string is malloc'd or NULL. */
struct att_jsonld {
    char *title;    /* headline, else name */
    char *date;     /* datePublished as written (not normalised) */
    char *author;   /* the names of its authors, joined with ", " */
    char *source;   /* publisher's name */
    char *language; /* inLanguage as written */
};

/* Read the JSON-LD text s[0..len) (the content of one <script
 * type="application/ld+json">) and fill the fields of ld that are still
 * NULL from the first article-like item (@type Article, NewsArticle,
 * Report, BlogPosting, ...: see lib/jsonld.c) at the top, in a top-level
 * array or in an @graph array. Authors and publishers given as {"@id": ...}
 * are looked up among the other items. Text that is not JSON, or holds no
 * such item, is ignored. Returns ATT_OK or ATT_E_NOMEM. */
int att_jsonld_read(const char *s, size_t len, struct att_jsonld *ld);

/* Free the strings of ld and set them to NULL. */
void att_jsonld_clear(struct att_jsonld *ld);

#endif
