/* attache: the YAML-style front matter of a .md file: "key: value" lines
 * between "---" fences. Scalars (plain, quoted, folded ">" and literal "|",
 * over several lines) and, for the author, lists; no full YAML. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attache/doc.h"
#include "buf.h"
#include "doc_priv.h"

#define FRONT_MAX_LINES 200 /* a longer front matter block is not one */

/* One "key: value" of the block and the lines that belong to it. */
struct entry {
    const char *key;
    size_t klen;
    const char *v;    /* the value on the key's line, trimmed */
    size_t vlen;
    const char *more; /* the indented, blank and "- " lines after it */
    size_t mlen;
};

static bool word_byte(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (unsigned char)c >= 0x80;
}

static size_t line_end(const char *s, size_t p, size_t len)
{
    const char *nl = memchr(s + p, '\n', len - p);

    return nl != NULL ? (size_t)(nl - s) : len;
}

static bool is_fence(const char *s, size_t p, size_t e, const char *f)
{
    return e - p >= 3 && memcmp(s + p, f, 3) == 0 && att_doc_blank(s + p + 3, e - p - 3);
}

/* The length of the key of a "key: value" line s[p..e), or 0. */
static size_t yaml_key(const char *s, size_t p, size_t e)
{
    size_t i = p;

    while (i < e && (word_byte(s[i]) || s[i] == '_' || s[i] == '-' || s[i] == '.'))
        i++;
    if (i == p || i >= e || s[i] != ':' || s[p] == '-' || (unsigned char)s[p] >= 0x80)
        return 0;
    if (i + 1 < e && s[i + 1] != ' ' && s[i + 1] != '\t')
        return 0;
    return i - p;
}

/* A "- item" line: a dash followed by white space or the end of the line. */
static bool list_item(const char *s, size_t n)
{
    return n >= 1 && s[0] == '-' && (n == 1 || s[1] == ' ' || s[1] == '\t');
}

/* A line a front matter block may hold: blank, a comment, indented or a
 * list item, or "key: value". */
static bool yaml_line(const char *s, size_t p, size_t e)
{
    return att_doc_blank(s + p, e - p) || s[p] == '#' || s[p] == ' ' || s[p] == '\t' ||
           s[p] == '-' || yaml_key(s, p, e) > 0;
}

/* A line that continues the entry above it: blank, indented or "- item". */
static bool more_line(const char *s, size_t p, size_t e)
{
    return att_doc_blank(s + p, e - p) || s[p] == ' ' || s[p] == '\t' ||
           list_item(s + p, e - p);
}

size_t att_front_end(const char *s, size_t len)
{
    size_t p, e = line_end(s, 0, len), lines = 0;

    if (!is_fence(s, 0, e, "---"))
        return 0;
    for (p = e + 1; p < len && lines < FRONT_MAX_LINES; p = e + 1, lines++) {
        e = line_end(s, p, len);
        if (is_fence(s, p, e, "---") || is_fence(s, p, e, "..."))
            return e < len ? e + 1 : e;
        if (!yaml_line(s, p, e))
            return 0;
    }
    return 0;
}

/* ---- values ---- */

/* Write the code point cp as UTF-8 into out; returns the length (0 for a
 * surrogate, a control character or past U+10FFFF). */
static size_t put_utf8(uint32_t cp, char *out)
{
    size_t len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;

    if (cp < 0x20 || (cp >= 0xD800 && cp < 0xE000) || cp > 0x10FFFF)
        return 0;
    if (len == 1) {
        out[0] = (char)cp;
        return 1;
    }
    for (size_t i = len - 1; i > 0; i--, cp >>= 6)
        out[i] = (char)(0x80 | (cp & 0x3F));
    out[0] = (char)(((0xFF00u >> len) & 0xFF) | cp);
    return len;
}

/* The escape after a backslash at v[i] (i < n) of a "..." value, written
 * to out; *k grows by what was written. Returns the index of its last byte.
 * \n and \t become a space; \xXX, \uXXXX and \UXXXXXXXX give a character. */
static size_t escape(const char *v, size_t n, size_t i, char *out, size_t *k)
{
    size_t digits = v[i] == 'x' ? 2 : v[i] == 'u' ? 4 : v[i] == 'U' ? 8 : 0, j;
    uint32_t cp = 0;

    if (digits == 0 || i + digits >= n) {
        out[(*k)++] = v[i] == 'n' || v[i] == 't' ? ' ' : v[i];
        return i;
    }
    for (j = i + 1; j <= i + digits; j++) {
        char c = (char)(v[j] | 0x20);
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;

        if (d < 0 || cp > 0x10FFFF) {
            out[(*k)++] = v[i]; /* not an escape after all: the letter */
            return i;
        }
        cp = cp * 16 + (uint32_t)d;
    }
    /* Four bytes at most, and the escape took at least three. */
    *k += put_utf8(cp, out + *k);
    return i + digits;
}

/* The quoted value v[0..n) (v[0] is the quote) unquoted into out (n bytes
 * at least): "..." takes backslash escapes, '...' takes '' for a quote;
 * what follows the closing quote is ignored. Returns the length. */
static size_t unquote(const char *v, size_t n, char *out)
{
    char q = v[0];
    size_t k = 0;

    for (size_t i = 1; i < n; i++) {
        if (v[i] == q && !(q == '\'' && i + 1 < n && v[i + 1] == '\''))
            break;
        if (q == '"' && v[i] == '\\' && i + 1 < n) {
            i = escape(v, n, i + 1, out, &k);
            continue;
        }
        if (q == '\'' && v[i] == '\'')
            i++;
        out[k++] = v[i];
    }
    return k;
}

/* Add the scalar v[0..n) to b: quotes removed, a " # comment" dropped
 * from a plain value. */
static int scalar(struct att_buf *b, const char *v, size_t n)
{
    char *tmp;
    int rc;

    if (n == 0)
        return ATT_OK;
    if (v[0] != '"' && v[0] != '\'') {
        for (size_t i = 1; i < n; i++) {
            if (v[i] == '#' && (v[i - 1] == ' ' || v[i - 1] == '\t'))
                n = i;
        }
        return att_buf_add(b, v, n);
    }
    tmp = malloc(n);
    if (tmp == NULL)
        return ATT_E_NOMEM;
    rc = att_buf_add(b, tmp, unquote(v, n, tmp));
    free(tmp);
    return rc;
}

/* ---- entries ---- */

enum shape { SH_NONE, SH_TEXT, SH_LIST, SH_MAP };

/* The line of m[0..mlen) at *p, without its indentation and trailing
 * white space, into *s and *n; *p moves past it. False at the end. */
static bool next_line(const char *m, size_t mlen, size_t *p, const char **s, size_t *n)
{
    size_t b = *p, e;

    if (*p >= mlen)
        return false;
    e = line_end(m, *p, mlen);
    *p = e + 1;
    while (b < e && (m[b] == ' ' || m[b] == '\t'))
        b++;
    while (e > b && att_doc_space((unsigned char)m[e - 1]))
        e--;
    *s = m + b;
    *n = e - b;
    return true;
}

/* What the lines after a key hold, judged by the first that is not blank
 * or a comment: text, a list, or a nested mapping. */
static enum shape more_shape(const struct entry *en)
{
    size_t p = 0, n;
    const char *s;

    while (next_line(en->more, en->mlen, &p, &s, &n)) {
        if (n == 0 || s[0] == '#')
            continue;
        if (list_item(s, n))
            return SH_LIST;
        return yaml_key(s, 0, n) > 0 ? SH_MAP : SH_TEXT;
    }
    return SH_NONE;
}

/* The lines after the key joined with spaces into b: a folded or literal
 * block, or the rest of a plain scalar (plain: comments dropped). */
static int more_text(struct att_buf *b, const struct entry *en, bool plain)
{
    size_t p = 0, n;
    const char *s;
    int rc = ATT_OK;

    while (rc == ATT_OK && next_line(en->more, en->mlen, &p, &s, &n)) {
        if (n == 0 || (plain && s[0] == '#'))
            continue;
        rc = att_buf_addc(b, ' ');
        if (rc == ATT_OK)
            rc = plain ? scalar(b, s, n) : att_buf_add(b, s, n);
    }
    return rc;
}

/* Add the list item v[0..n) (a scalar, or "name: X" of a mapping) to *list. */
static int list_add(char **list, const char *v, size_t n)
{
    struct att_buf b;
    size_t k;
    int rc;

    while (n > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        n--;
    }
    k = yaml_key(v, 0, n);
    if (k > 0 && !(k == 4 && memcmp(v, "name", 4) == 0))
        return ATT_OK;
    if (k > 0) {
        v += k + 1;
        n -= k + 1;
        while (n > 0 && (*v == ' ' || *v == '\t')) {
            v++;
            n--;
        }
    }
    att_buf_init(&b, SIZE_MAX);
    rc = scalar(&b, v, n);
    if (rc == ATT_OK && b.len > 0)
        rc = att_doc_list_add(list, b.p, b.len);
    att_buf_free(&b);
    return rc;
}

/* The "- item" lines after the key, into *list. */
static int block_list(char **list, const struct entry *en)
{
    size_t p = 0, n;
    const char *s;
    int rc = ATT_OK;

    while (rc == ATT_OK && next_line(en->more, en->mlen, &p, &s, &n)) {
        if (list_item(s, n) && n > 2)
            rc = list_add(list, s + 2, n - 2);
    }
    return rc;
}

/* The flow list v[0..n) ("[a, 'b', c]") into *list. */
static int flow_list(char **list, const char *v, size_t n)
{
    size_t start = 1;
    char q = 0;
    int rc = ATT_OK;

    for (size_t i = 1; rc == ATT_OK && i <= n; i++) {
        char c = i < n ? v[i] : ']';

        if (q != 0) {
            q = c == q ? 0 : q;
            continue;
        }
        if (c == '"' || c == '\'') {
            q = c;
        } else if (c == ',' || c == ']') {
            rc = list_add(list, v + start, i - start);
            start = i + 1;
            if (c == ']')
                break;
        }
    }
    return rc;
}

/* True when key[0..klen) names the author, whose value may be a list. */
static bool author_key(const char *key, size_t klen)
{
    static const char *const names[] = {"author", "authors", "by"};

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strlen(names[i]) == klen && strncasecmp(key, names[i], klen) == 0)
            return true;
    }
    return false;
}

/* The value of en: a scalar into b, or (when lists are taken) a list into
 * *list. A nested mapping, or a list where none is taken, gives nothing. */
static int entry_value(const struct entry *en, bool lists, struct att_buf *b, char **list)
{
    char c = en->vlen > 0 ? en->v[0] : '\0';
    enum shape shape;
    int rc;

    if (c == '|' || c == '>')
        return more_text(b, en, false);
    if (c == '[')
        return lists ? flow_list(list, en->v, en->vlen) : ATT_OK;
    if (c == '{')
        return ATT_OK;
    shape = more_shape(en);
    if (c == '\0' && shape == SH_LIST)
        return lists ? block_list(list, en) : ATT_OK;
    if (c == '\0')
        return shape == SH_TEXT ? more_text(b, en, true) : ATT_OK;
    rc = scalar(b, en->v, en->vlen);
    if (rc == ATT_OK && shape == SH_TEXT && c != '"' && c != '\'')
        rc = more_text(b, en, true);
    return rc;
}

/* Store en as a metadata field, or else as a further field. */
static int store(struct att_doc *doc, const struct entry *en)
{
    struct att_buf b;
    char *list = NULL;
    int rc;

    att_buf_init(&b, SIZE_MAX);
    rc = entry_value(en, author_key(en->key, en->klen), &b, &list);
    if (rc == ATT_OK && list != NULL)
        rc = att_doc_set_meta(doc, en->key, en->klen, list, strlen(list));
    else if (rc == ATT_OK && b.len > 0 && att_doc_meta_key(en->key, en->klen))
        rc = att_doc_set_meta(doc, en->key, en->klen, b.p, b.len);
    else if (rc == ATT_OK && b.len > 0)
        rc = att_doc_add_field(doc, en->key, en->klen, b.p, b.len);
    free(list);
    att_buf_free(&b);
    return rc;
}

int att_front_read(struct att_doc *doc, const char *s, size_t len)
{
    size_t p = 0;

    while (p < len) {
        size_t e = line_end(s, p, len), k = yaml_key(s, p, e), v, q;
        struct entry en = {s + p, k, NULL, 0, s + (e < len ? e + 1 : len), 0};

        p = e + 1;
        if (k == 0)
            continue;
        for (q = p; q < len && more_line(s, q, line_end(s, q, len));)
            q = line_end(s, q, len) + 1;
        en.mlen = q > p ? (q < len ? q : len) - (size_t)(en.more - s) : 0;
        for (v = (size_t)(en.key - s) + k + 1; v < e && (s[v] == ' ' || s[v] == '\t');)
            v++;
        while (e > v && att_doc_space((unsigned char)s[e - 1]))
            e--;
        en.v = s + v;
        en.vlen = e - v;
        if (store(doc, &en) != ATT_OK)
            return ATT_E_NOMEM;
        p = q;
    }
    return ATT_OK;
}
