/* attache: the .txt reader. An optional header block of "Key: value" lines
 * (Title, Date, Source, URL, Author/By, Language/Lang; other keys allowed and
 * ignored) ended by a blank line, then the body. Without a valid header the
 * whole file is the body. */
#include <stdlib.h>
#include <string.h>

#include "attache/doc.h"
#include "doc_priv.h"

#define HEADER_MAX_LINES 32 /* a longer block is text, not a header */
#define HEADER_KEY_MAX 30   /* bytes of a header key */

static bool key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.';
}

/* The length of the key of a "Key: value" line s[0..n), or 0 when the line
 * is not one. A key is one or two words of at most HEADER_KEY_MAX bytes,
 * starts with a letter and is followed by ':' and white space (or the end). */
static size_t header_key(const char *s, size_t n)
{
    size_t i = 0;
    bool space = false;

    if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return 0;
    while (i < n && i <= HEADER_KEY_MAX && s[i] != ':') {
        if (s[i] == ' ') {
            if (space || s[i - 1] == ' ')
                return 0;
            space = true;
        } else if (!key_char(s[i])) {
            return 0;
        }
        i++;
    }
    if (i >= n || i > HEADER_KEY_MAX || s[i] != ':' || s[i - 1] == ' ')
        return 0;
    if (i + 1 < n && s[i + 1] != ' ' && s[i + 1] != '\t' && s[i + 1] != '\r')
        return 0;
    return i;
}

/* Where the body starts when s[0..len) opens with a header block, else 0.
 * Every line up to the first blank line must be "Key: value" and at least
 * one key must be a known one, so prose like "Washington: the president
 * said..." stays text. */
static size_t header_end(const char *s, size_t len)
{
    size_t p = 0, lines = 0;
    bool known = false;

    while (p < len) {
        const char *nl = memchr(s + p, '\n', len - p);
        size_t e = nl != NULL ? (size_t)(nl - s) : len;
        size_t k;

        if (att_doc_blank(s + p, e - p)) {
            if (lines == 0 || !known)
                return 0;
            return nl != NULL ? e + 1 : e;
        }
        if (nl == NULL || ++lines > HEADER_MAX_LINES)
            return 0;
        k = header_key(s + p, e - p);
        if (k == 0)
            return 0;
        known = known || att_doc_meta_key(s + p, k);
        p = e + 1;
    }
    return 0;
}

/* Store the known fields of the header block s[0..len). */
static int read_header(const char *s, size_t len, struct att_doc *doc)
{
    size_t p = 0;

    while (p < len) {
        const char *nl = memchr(s + p, '\n', len - p);
        size_t e = nl != NULL ? (size_t)(nl - s) : len;
        size_t k = header_key(s + p, e - p);

        if (k > 0 && att_doc_set_meta(doc, s + p, k, s + p + k + 1, e - p - k - 1) != ATT_OK)
            return ATT_E_NOMEM;
        p = e + 1;
    }
    return ATT_OK;
}

/* True when b[0..len) looks hard-wrapped: paragraphs separated by blank
 * lines, and most lines inside a paragraph of a typical wrapping width. */
static bool hard_wrapped(const char *b, size_t len)
{
    size_t p = 0, inner = 0, wrapped = 0;
    bool blank_seen = false;

    while (p < len) {
        const char *nl = memchr(b + p, '\n', len - p);
        size_t e = nl != NULL ? (size_t)(nl - b) : len;
        size_t next = e + 1;

        if (att_doc_blank(b + p, e - p)) {
            blank_seen = true;
        } else if (nl != NULL && next < len && b[next] != '\n') {
            inner++;
            wrapped += e - p >= 40 && e - p <= 100;
        }
        p = e + 1;
    }
    return blank_seen && inner >= 4 && wrapped * 10 >= inner * 7;
}

/* Join the lines of each paragraph with spaces (same length, in place), so
 * that a text wrapped at 72 columns gives paragraphs, not one passage per
 * line. Blank lines still separate paragraphs. */
static void unwrap(char *b, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (b[i] == '\n' && i > 0 && b[i - 1] != '\n' && b[i + 1] != '\n')
            b[i] = ' ';
    }
}

static int set_body(struct att_doc *doc, const char *s, size_t len)
{
    if (att_doc_blank(s, len))
        return ATT_E_EMPTY;
    doc->body = att_doc_unix_lines(s, len, &doc->body_len);
    if (doc->body == NULL)
        return ATT_E_NOMEM;
    if (hard_wrapped(doc->body, doc->body_len))
        unwrap(doc->body, doc->body_len);
    return ATT_OK;
}

int att_read_txt(const char *data, size_t len, struct att_doc *doc, struct att_err *err)
{
    char *owned = NULL;
    size_t start, body;
    int rc;

    if (att_doc_read_begin(&data, &len, &owned, err) != ATT_OK)
        return ATT_E_NOMEM;
    start = att_doc_bom(data, len);
    body = header_end(data + start, len - start);
    rc = read_header(data + start, body, doc);
    if (rc == ATT_OK)
        rc = set_body(doc, data + start + body, len - start - body);
    free(owned);
    return att_doc_read_end(doc, rc, NULL, err);
}
