/* attache: helpers shared by the libFuzzer targets of tests/fuzz/: a
 * NUL-terminated copy of the input, and checks that stop the run (abort,
 * which libFuzzer reports as a crash) when a library contract is broken. */
#ifndef ATT_FUZZ_H
#define ATT_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attache/attache.h"
#include "attache/doc.h"
#include "attache/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort with a message when cond is false: a broken contract is a bug. */
#define FUZZ_CHECK(cond)                                                                       \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: contract broken: %s\n", __FILE__, __LINE__, #cond);       \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

/* A malloc'd NUL-terminated copy of data[0..size); aborts when out of
 * memory (libFuzzer's -rss_limit_mb catches real growth first). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    FUZZ_CHECK(s != NULL);
    if (size > 0)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* True when offset i of t[0..len) does not fall inside a UTF-8 character. */
static inline bool fuzz_boundary(const char *t, size_t len, size_t i)
{
    return i == 0 || i >= len || ((unsigned char)t[i] & 0xC0) != 0x80;
}

/* Spans inside [0, len), ordered and disjoint; when nonempty, none empty;
 * when utf8, none cuts a character of t. */
static inline void fuzz_check_spans(const char *t, size_t len, const struct att_spans *s,
                                    bool nonempty, bool utf8)
{
    size_t at = 0;

    FUZZ_CHECK(s->n <= s->cap);
    for (size_t k = 0; k < s->n; k++) {
        FUZZ_CHECK(s->v[k].start >= at);
        FUZZ_CHECK(s->v[k].start <= s->v[k].end);
        FUZZ_CHECK(s->v[k].end <= len);
        FUZZ_CHECK(!nonempty || s->v[k].start < s->v[k].end);
        FUZZ_CHECK(!utf8 || fuzz_boundary(t, len, s->v[k].start));
        FUZZ_CHECK(!utf8 || fuzz_boundary(t, len, s->v[k].end));
        at = s->v[k].end;
    }
}

/* A string field of a document: NULL, or NUL-terminated (valid UTF-8
 * when utf8). */
static inline void fuzz_check_field(const char *s, bool utf8)
{
    FUZZ_CHECK(s == NULL || !utf8 || att_utf8_valid(s, strlen(s)));
}

/* What a reader promises on success (attache/doc.h): a body of body_len
 * bytes ending in a NUL; after att_doc_parse also valid UTF-8 everywhere
 * and an id. */
static inline void fuzz_check_doc(const struct att_doc *d, bool parsed)
{
    FUZZ_CHECK(d->body != NULL && d->body[d->body_len] == '\0');
    FUZZ_CHECK(!parsed || d->id != NULL);
    FUZZ_CHECK(!parsed || att_utf8_valid(d->body, d->body_len));
    fuzz_check_field(d->id, parsed);
    fuzz_check_field(d->title, parsed);
    fuzz_check_field(d->source, parsed);
    fuzz_check_field(d->url, parsed);
    fuzz_check_field(d->date, parsed);
    FUZZ_CHECK(d->date == NULL || strlen(d->date) == 4 || strlen(d->date) == 7 ||
               strlen(d->date) == 10);
    FUZZ_CHECK(!d->title_from_body || d->title != NULL);
    fuzz_check_field(d->author, parsed);
    fuzz_check_field(d->warning, parsed);
    FUZZ_CHECK(d->language == NULL || (strlen(d->language) == 2 && d->language[0] >= 'a' &&
                                       d->language[0] <= 'z' && d->language[1] >= 'a' &&
                                       d->language[1] <= 'z'));
    FUZZ_CHECK(d->nfields <= ATT_MAX_FIELDS && d->nfields <= d->fields_cap);
    for (size_t i = 0; i < d->nfields; i++) {
        FUZZ_CHECK(d->fields[i].name != NULL && d->fields[i].value != NULL);
        FUZZ_CHECK(strlen(d->fields[i].name) >= 1 && strlen(d->fields[i].name) <= 32);
        FUZZ_CHECK(strspn(d->fields[i].name, "abcdefghijklmnopqrstuvwxyz0123456789_-") ==
                   strlen(d->fields[i].name));
        fuzz_check_field(d->fields[i].value, parsed);
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(d->fields[i].name, d->fields[j].name) != 0);
    }
}

/* A doc left cleared by a reader that failed. */
static inline void fuzz_check_cleared(const struct att_doc *d)
{
    FUZZ_CHECK(d->title == NULL && d->date == NULL && d->source == NULL && d->url == NULL &&
               d->body == NULL && d->body_len == 0);
    FUZZ_CHECK(d->author == NULL && d->language == NULL && d->nfields == 0 &&
               d->warning == NULL);
}

/* att_doc_parse's sink: check each document, keep nothing. */
static inline int fuzz_on_doc(void *ud, struct att_doc *d, long line)
{
    (void)ud;
    FUZZ_CHECK(line >= 0);
    fuzz_check_doc(d, true);
    return ATT_OK;
}

static inline void fuzz_on_bad(void *ud, long line, const char *why)
{
    (void)ud;
    FUZZ_CHECK(line > 0 && why != NULL);
}

/* Read data with a single-document reader, then through att_doc_parse (binary
 * check, UTF-8 repair, fallbacks) under a file name that holds a date. */
static inline void fuzz_reader(int (*read)(const char *, size_t, struct att_doc *,
                                           struct att_err *),
                               enum att_format fmt, const char *name, const uint8_t *data,
                               size_t size)
{
    struct att_doc_sink sink = {fuzz_on_doc, fuzz_on_bad, NULL};
    struct att_err err = {0, ""};
    struct att_doc d;
    int rc;

    att_doc_init(&d);
    rc = read((const char *)data, size, &d, &err);
    if (rc == ATT_OK)
        fuzz_check_doc(&d, false);
    else
        fuzz_check_cleared(&d);
    FUZZ_CHECK(rc == ATT_OK || memchr(err.msg, '\0', sizeof err.msg) != NULL);
    att_doc_clear(&d);
    rc = att_doc_parse(name, fmt, (const char *)data, size, &sink, &err);
    FUZZ_CHECK(rc != ATT_E_INTERNAL);
}

#endif
