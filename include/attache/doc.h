/* attache: the document model and its readers (.txt, .md, .html, .jsonl).
 * Readers work on bytes in memory; file access is the caller's job. */
#ifndef ATTACHE_DOC_H
#define ATTACHE_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "attache.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One document. Every string is malloc'd, NUL-terminated, valid UTF-8 and
 * owned by the struct (att_doc_clear frees them); any but body may be NULL.
 * body holds the text to index, body_len bytes (body[body_len] == 0). */
/* Most further fields one document may carry. */
#define ATT_MAX_FIELDS 64

/* A further field of a document, beyond the named ones ("party":
 * "Republican"), from a sidecar file or a .jsonl record. */
struct att_field {
    char *name;   /* lower-case ASCII letters, digits, '_' and '-' */
    char *value;
};

struct att_doc {
    char *id;     /* path relative to the corpus root (or a .jsonl id) */
    char *title;
    char *date;   /* ISO: "YYYY-MM-DD", "YYYY-MM" or "YYYY" */
    char *source;
    char *url;
    char *author; /* byline, issuing office, or the speaker of the whole text */
    char *language; /* ISO 639-1 code, lower-case ("fr"); NULL: unknown */
    struct att_field *fields; /* nfields further fields, names distinct */
    size_t nfields, fields_cap;
    char *body;
    size_t body_len;
    bool title_from_body; /* title made from the first words of the body */
    bool date_from_name;  /* date taken from the file name (att_doc_parse) */
    char *warning; /* a problem that did not stop the reader, for the user:
                    * "date '2025-13-45' not understood"; NULL when none */
};

void att_doc_init(struct att_doc *d);  /* all fields NULL / 0 */
void att_doc_clear(struct att_doc *d); /* frees the fields, NULL-safe */

/* Set further field name to value (copies both), replacing a field of that
 * name. Returns ATT_OK, ATT_E_NOMEM, or ATT_E_TOOBIG past ATT_MAX_FIELDS. */
int att_doc_set_field(struct att_doc *d, const char *name, const char *value);

/* The value of further field name, or NULL. */
const char *att_doc_field(const struct att_doc *d, const char *name);

enum att_format {
    ATT_FMT_NONE = 0, /* not a document we read */
    ATT_FMT_TXT,
    ATT_FMT_MD,
    ATT_FMT_HTML,
    ATT_FMT_JSONL
};

/* The format for a file name by its extension (case-insensitive). */
enum att_format att_format_for_path(const char *path);

/* Single-document readers. data[0..len) is the raw file (not necessarily
 * NUL-terminated, may hold invalid UTF-8 or NUL bytes). On success fill
 * doc's body and what the file gives of title, date, source, url, author,
 * language and further fields, and warning when a date or language was
 * given but not understood (the field is then left NULL); doc must be
 * initialised; id is left alone. Return ATT_OK; on failure return a code,
 * fill err and leave doc cleared. Pure: safe from any thread.
 *
 * .txt: a header block of "Key: value" lines ended by a blank line, read
 * when at least one key is known (any case): Title, Date, Source, URL,
 * Author (or By, Authors), Language (or Lang). Other keys are ignored. The
 * first value of a field wins.
 *
 * .md: front matter between "---" lines: title, date, source, url, author
 * (or authors, by: a string, a "- item" list or a [flow, list], items
 * joined with ", "), language (or lang). Values may be plain, quoted (with
 * \" \\ \xXX \uXXXX \UXXXXXXXX escapes in "..."), folded (>) or
 * literal (|) over indented lines; each becomes one line. Any other key of
 * lower-case letters, digits, '_' and '-' (32 bytes at most) with a scalar
 * value becomes a further field, up to ATT_MAX_FIELDS (past that: left out
 * with a warning). Without a title, the first level-1 heading.
 *
 * .html, first found wins for each field:
 *   title:    JSON-LD headline (else name), og:title, <title>, first <h1>
 *   date:     JSON-LD datePublished (else dateCreated), article:published_time,
 *             meta date, pubdate, itemprop datePublished, DC.date, <time datetime>
 *   source:   JSON-LD publisher (its name), og:site_name
 *   author:   JSON-LD author (a name, {"name": ...}, or an array of them,
 *             joined with ", "), <meta name="author">, article:author (not a URL)
 *   language: <html lang>, content-language or og:locale, JSON-LD inLanguage
 *   url:      <link rel="canonical">, og:url
 * JSON-LD is the text of <script type="application/ld+json">: the first
 * item whose @type is an article (any "...Article", Report, BlogPosting,
 * ...), at the top, in a top-level array or in an @graph array, in the
 * first script that has one (later scripts fill fields still missing);
 * authors and publishers given as {"@id": ...} are looked up in the same
 * script. JSON-LD that does not parse is ignored. */
int att_read_txt(const char *data, size_t len, struct att_doc *doc, struct att_err *err);
int att_read_md(const char *data, size_t len, struct att_doc *doc, struct att_err *err);
int att_read_html(const char *data, size_t len, struct att_doc *doc, struct att_err *err);

/* Callbacks for multi-document input. on_doc gets a complete document
 * (id filled); it may steal fields (set them to NULL), the rest are freed
 * after it returns; a non-zero return stops the read with that status.
 * on_bad (may be NULL) is told of a record that was skipped. */
struct att_doc_sink {
    int (*on_doc)(void *ud, struct att_doc *doc, long line);
    void (*on_bad)(void *ud, long line, const char *why);
    void *ud;
};

/* .jsonl: one JSON object per line with id, title, date, source, url,
 * author (a string or an array of strings), language (or lang), body (body
 * required; "text" accepted for it). Every other member whose value is a
 * string or a number and whose name is 1 to 32 bytes of lower-case
 * letters, digits, '_' and '-' becomes a further field ("party":
 * "Republican"), up to ATT_MAX_FIELDS. A line without an id gets
 * "<file_id>:<line>". Bad lines go to on_bad and are skipped. Returns ATT_OK
 * when the file was read (even if some lines were bad), ATT_E_EMPTY when no
 * line held a document. */
int att_read_jsonl(const char *file_id, const char *data, size_t len,
                   const struct att_doc_sink *sink, struct att_err *err);

/* One .jsonl line data[0..len) (its newline may be included), line being
 * its number for messages: read as att_doc_parse reads each line of a
 * .jsonl file (invalid UTF-8 repaired, a date from file_id's name and a
 * title from the body when missing), except that a record without an id
 * gets "<file_id>:<16 hex digits>" from a hash of the line, so that its id
 * stays the same when lines before it come or go. A blank line is passed
 * over; a bad one goes to on_bad. Returns ATT_OK, ATT_E_NOMEM or the
 * sink's own status, err filled. Pure: safe from any thread. */
int att_read_jsonl_line(const char *file_id, const char *data, size_t len, long line,
                        const struct att_doc_sink *sink, struct att_err *err);

/* Parse any supported file: checks for binary content, repairs invalid
 * UTF-8, picks the reader for fmt, fills id (file_id, or the .jsonl ids),
 * falls back to a date from the file name and a title from the text, and
 * hands each document to sink->on_doc. Returns ATT_OK, or ATT_E_BINARY,
 * ATT_E_EMPTY, ATT_E_PARSE, ATT_E_NOMEM with err filled. */
int att_doc_parse(const char *file_id, enum att_format fmt, const char *data, size_t len,
                  const struct att_doc_sink *sink, struct att_err *err);

/* Normalise a date written in any common way ("2025-11-24T10:00:00Z",
 * "November 24, 2025", "24 Nov 2025", "Mon, 24 Nov 2025 10:00:00 +0000",
 * "2025/11/24", "2025"; month names in English, French, Spanish, German
 * and Russian: "1er janvier 2025", "24 de noviembre de 2025", "24. März
 * 2025", "24 ноября 2025") into out as "YYYY-MM-DD", "YYYY-MM" or "YYYY".
 * Returns false (out untouched) when s holds no recognisable date. */
bool att_date_normalize(const char *s, size_t len, char out[11]);

/* Normalise a language into out as its lower-case ISO 639-1 code ("fr"):
 * a two-letter code, a code with a region or script ("fr-FR", "pt_BR",
 * "zh-Hant-TW"), a three-letter ISO 639-2 or 639-3 code ("fra", "fre") or
 * an English name ("French"), in any case. Languages without a two-letter
 * code are not known. Returns false (out untouched) when s is none of
 * these. Pure: safe from any thread. */
bool att_lang_normalize(const char *s, size_t len, char out[3]);

/* A date from a file name's leading digits: "2025-11-24-call.txt" gives
 * 2025-11-24, "20251124_x.txt" 2025-11-24, "1862_abraham_lincoln_r.txt"
 * 1862. Only the last path component is looked at. */
bool att_date_from_filename(const char *path, char out[11]);

/* A title from the body when a document has none. What opens a speech is
 * passed over first: speaker labels ("The President.", "THE PRESIDENT:"),
 * stage directions ("(Applause.)"), short thanks and welcomes ("Thank you
 * very much.", "Please be seated."), and salutations, either ending in ':'
 * ("Mr. Speaker, Mr. President, Members of the Congress:") or a run of
 * forms of address ("Ladies and gentlemen, ...", "My fellow Americans,
 * ..."; the next word is then capitalised). Then: the first line when it
 * is at most max bytes, else its first sentence when that ends by max
 * bytes, else the line cut at a clause boundary (',', ';', ':', a dash) or
 * a word boundary (not after a small word such as "the"), never inside a
 * UTF-8 character, and marked with "…"; the result is at most max bytes.
 * When nothing but openers is there, they are the title. Returns a
 * malloc'd string, or NULL on empty body or no memory. */
char *att_title_from_body(const char *body, size_t len, size_t max);

#ifdef __cplusplus
}
#endif
#endif
