/* attache: the document model, att_doc_parse (binary check, UTF-8 repair,
 * reader dispatch, date and title fallbacks) and the helpers the readers
 * share. No file access: callers hand in bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attache/doc.h"
#include "attache/text.h"
#include "buf.h"
#include "doc_priv.h"

#define BINARY_SAMPLE 8192 /* bytes looked at by the binary check */
#define BINARY_CTL_PCT 10  /* control bytes above this share: binary */
#define TITLE_MAX 100      /* bytes of a title made from the body */
#define WARN_VALUE_MAX 80  /* bytes of a value quoted in a warning */

#define FIELD_NAME_MAX 32  /* bytes of the name of a further field */

enum meta_field { META_TITLE, META_DATE, META_SOURCE, META_URL, META_AUTHOR, META_LANG };

/* The names of the metadata fields a header or front matter may give. */
static const struct {
    const char *name;
    enum meta_field field;
} meta_names[] = {
    {"title", META_TITLE},   {"date", META_DATE},     {"source", META_SOURCE},
    {"url", META_URL},       {"author", META_AUTHOR}, {"authors", META_AUTHOR},
    {"by", META_AUTHOR},     {"language", META_LANG}, {"lang", META_LANG},
};

static const struct {
    const char *ext;
    enum att_format fmt;
} extensions[] = {
    {"txt", ATT_FMT_TXT},     {"text", ATT_FMT_TXT},   {"md", ATT_FMT_MD},
    {"markdown", ATT_FMT_MD}, {"html", ATT_FMT_HTML},  {"htm", ATT_FMT_HTML},
    {"xhtml", ATT_FMT_HTML},  {"jsonl", ATT_FMT_JSONL}, {"ndjson", ATT_FMT_JSONL},
};

/* The sink att_doc_parse gives the .jsonl reader: it applies the fallbacks
 * to each record before passing it on. */
struct wrap {
    const struct att_doc_sink *user;
    const char *file_id;
};

void att_doc_init(struct att_doc *d)
{
    d->id = NULL;
    d->title = NULL;
    d->date = NULL;
    d->source = NULL;
    d->url = NULL;
    d->author = NULL;
    d->language = NULL;
    d->fields = NULL;
    d->nfields = 0;
    d->fields_cap = 0;
    d->body = NULL;
    d->body_len = 0;
    d->title_from_body = false;
    d->date_from_name = false;
    d->warning = NULL;
}

void att_doc_clear(struct att_doc *d)
{
    if (d == NULL)
        return;
    free(d->id);
    free(d->title);
    free(d->date);
    free(d->source);
    free(d->url);
    free(d->author);
    free(d->language);
    for (size_t i = 0; i < d->nfields; i++) {
        free(d->fields[i].name);
        free(d->fields[i].value);
    }
    free(d->fields);
    free(d->body);
    free(d->warning);
    att_doc_init(d);
}

const char *att_doc_field(const struct att_doc *d, const char *name)
{
    for (size_t i = 0; i < d->nfields; i++)
        if (strcmp(d->fields[i].name, name) == 0)
            return d->fields[i].value;
    return NULL;
}

int att_doc_set_field(struct att_doc *d, const char *name, const char *value)
{
    char *v = strdup(value), *n = NULL;
    size_t i = 0;
    int rc;

    while (i < d->nfields && strcmp(d->fields[i].name, name) != 0)
        i++;
    if (v != NULL && i < d->nfields) {
        free(d->fields[i].value);
        d->fields[i].value = v;
        return ATT_OK;
    }
    n = v != NULL ? strdup(name) : NULL;
    rc = n != NULL ? att_grow(&d->fields, &d->fields_cap, d->nfields + 1, sizeof *d->fields,
                              ATT_MAX_FIELDS) : ATT_E_NOMEM;
    if (rc != ATT_OK) {
        free(v);
        free(n);
        return rc;
    }
    d->fields[d->nfields].name = n;
    d->fields[d->nfields].value = v;
    d->nfields++;
    return ATT_OK;
}

enum att_format att_format_for_path(const char *path)
{
    const char *base, *dot;

    if (path == NULL)
        return ATT_FMT_NONE;
    base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    dot = strrchr(base, '.');
    if (dot == NULL || dot == base)
        return ATT_FMT_NONE;
    for (size_t i = 0; i < sizeof extensions / sizeof extensions[0]; i++) {
        if (strcasecmp(dot + 1, extensions[i].ext) == 0)
            return extensions[i].fmt;
    }
    return ATT_FMT_NONE;
}

/* ---- helpers shared with the readers (doc_priv.h) ---- */

bool att_doc_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

bool att_doc_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (!att_doc_space((unsigned char)s[i]))
            return false;
    }
    return true;
}

size_t att_doc_bom(const char *s, size_t len)
{
    return len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

int att_doc_collapse(const char *s, size_t len, char **out)
{
    char *r;
    size_t n = 0;
    bool gap = false;

    *out = NULL;
    r = malloc(len + 1);
    if (r == NULL)
        return ATT_E_NOMEM;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (att_doc_space(c) || c == 0) {
            gap = n > 0;
            continue;
        }
        if (gap)
            r[n++] = ' ';
        gap = false;
        r[n++] = (char)c;
    }
    if (n == 0) {
        free(r);
        return ATT_OK;
    }
    r[n] = '\0';
    *out = r;
    return ATT_OK;
}

char *att_doc_unix_lines(const char *s, size_t len, size_t *out_len)
{
    char *r = malloc(len + 1);
    size_t i = 0, n = 0;

    if (r == NULL)
        return NULL;
    while (i < len) {
        const char *cr = memchr(s + i, '\r', len - i);
        size_t run = cr != NULL ? (size_t)(cr - (s + i)) : len - i;

        memcpy(r + n, s + i, run);
        n += run;
        i += run;
        if (i < len) {
            r[n++] = '\n';
            i += (i + 1 < len && s[i + 1] == '\n') ? 2 : 1;
        }
    }
    r[n] = '\0';
    *out_len = n;
    return r;
}

int att_doc_clean_input(const char **data, size_t *len, char **owned)
{
    size_t n;
    char *fixed;

    *owned = NULL;
    if (*len == 0 || (memchr(*data, 0, *len) == NULL && att_utf8_valid(*data, *len)))
        return ATT_OK;
    fixed = att_utf8_repair(*data, *len, &n);
    if (fixed == NULL)
        return ATT_E_NOMEM;
    *owned = fixed;
    *data = fixed;
    *len = n;
    return ATT_OK;
}

int att_doc_read_begin(const char **data, size_t *len, char **owned, struct att_err *err)
{
    if (*data == NULL) {
        *data = "";
        *len = 0;
    }
    if (att_doc_clean_input(data, len, owned) != ATT_OK)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    return ATT_OK;
}

int att_doc_read_end(struct att_doc *doc, int rc, const char *toobig, struct att_err *err)
{
    if (rc == ATT_OK)
        return ATT_OK;
    att_doc_drop(doc);
    if (rc == ATT_E_EMPTY)
        return att_err_set(err, rc, "no text");
    if (rc == ATT_E_TOOBIG && toobig != NULL)
        return att_err_set(err, rc, "%s", toobig);
    return att_err_set(err, rc, "out of memory");
}

void att_doc_drop(struct att_doc *d)
{
    char *id = d->id;

    d->id = NULL;
    att_doc_clear(d);
    d->id = id;
}

/* Replace *s by a repaired copy when it is not valid UTF-8 without NULs. */
static int fix_field(char **s, size_t *len)
{
    size_t n = len != NULL ? *len : (*s != NULL ? strlen(*s) : 0);
    char *fixed;

    if (*s == NULL || (memchr(*s, 0, n) == NULL && att_utf8_valid(*s, n)))
        return ATT_OK;
    fixed = att_utf8_repair(*s, n, &n);
    if (fixed == NULL)
        return ATT_E_NOMEM;
    free(*s);
    *s = fixed;
    if (len != NULL)
        *len = n;
    return ATT_OK;
}

int att_doc_fix_utf8(struct att_doc *d)
{
    char **fields[] = {&d->id,     &d->title,  &d->date,     &d->source,
                       &d->url,    &d->author, &d->language, &d->warning};

    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (fix_field(fields[i], NULL) != ATT_OK)
            return ATT_E_NOMEM;
    }
    for (size_t i = 0; i < d->nfields; i++) {
        if (fix_field(&d->fields[i].name, NULL) != ATT_OK ||
            fix_field(&d->fields[i].value, NULL) != ATT_OK)
            return ATT_E_NOMEM;
    }
    return fix_field(&d->body, &d->body_len);
}

static int meta_index(const char *key, size_t klen)
{
    for (size_t i = 0; i < sizeof meta_names / sizeof meta_names[0]; i++) {
        if (strlen(meta_names[i].name) == klen && strncasecmp(key, meta_names[i].name, klen) == 0)
            return (int)meta_names[i].field;
    }
    return -1;
}

bool att_doc_meta_key(const char *key, size_t klen)
{
    return meta_index(key, klen) >= 0;
}

int att_doc_set_meta(struct att_doc *d, const char *key, size_t klen, const char *val,
                     size_t vlen)
{
    char **slots[] = {&d->title, &d->date, &d->source, &d->url, &d->author, &d->language};
    int idx = meta_index(key, klen);
    char date[11];

    if (idx < 0 || *slots[idx] != NULL)
        return ATT_OK;
    if (idx == META_LANG)
        return att_doc_set_language(d, val, vlen);
    if (idx != META_DATE)
        return att_doc_collapse(val, vlen, slots[idx]);
    if (!att_date_normalize(val, vlen, date)) {
        att_doc_warn_date(d, val, vlen);
        return ATT_OK;
    }
    d->date = strdup(date);
    return d->date != NULL ? ATT_OK : ATT_E_NOMEM;
}

int att_doc_set_language(struct att_doc *d, const char *val, size_t vlen)
{
    char code[3];

    if (d->language != NULL || att_doc_blank(val, vlen))
        return ATT_OK;
    if (!att_lang_normalize(val, vlen, code)) {
        att_doc_warn(d, "language", val, vlen);
        return ATT_OK;
    }
    d->language = strdup(code);
    return d->language != NULL ? ATT_OK : ATT_E_NOMEM;
}

void att_doc_warn(struct att_doc *d, const char *what, const char *val, size_t vlen)
{
    char *v = NULL;
    size_t n, size;

    if (d->warning != NULL || att_doc_collapse(val, vlen, &v) != ATT_OK || v == NULL)
        return;
    n = strlen(v);
    if (n > WARN_VALUE_MAX)
        n = att_utf8_floor(v, n, WARN_VALUE_MAX);
    size = strlen(what) + n + sizeof " '...' not understood";
    d->warning = malloc(size);
    if (d->warning != NULL)
        snprintf(d->warning, size, "%s '%.*s%s' not understood", what, (int)n, v,
                 v[n] ? "..." : "");
    free(v);
}

void att_doc_warn_date(struct att_doc *d, const char *val, size_t vlen)
{
    att_doc_warn(d, "date", val, vlen);
}

bool att_doc_field_name(const char *name, size_t len)
{
    if (len == 0 || len > FIELD_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* Warn that the further field name[0..nlen) (and any after it) was left out. */
static void warn_fields(struct att_doc *d, const char *name, size_t nlen)
{
    size_t size = nlen + 64;

    if (d->warning != NULL)
        return;
    d->warning = malloc(size);
    if (d->warning != NULL)
        snprintf(d->warning, size, "more than %d further fields: '%.*s' and any after it "
                 "left out", ATT_MAX_FIELDS, (int)nlen, name);
}

int att_doc_add_field(struct att_doc *d, const char *name, size_t nlen, const char *val,
                      size_t vlen)
{
    char key[FIELD_NAME_MAX + 1], *v = NULL;
    int rc;

    if (!att_doc_field_name(name, nlen))
        return ATT_OK;
    memcpy(key, name, nlen);
    key[nlen] = '\0';
    if (att_doc_field(d, key) != NULL)
        return ATT_OK;
    rc = att_doc_collapse(val, vlen, &v);
    if (rc != ATT_OK || v == NULL)
        return rc;
    rc = att_doc_set_field(d, key, v);
    free(v);
    if (rc == ATT_E_TOOBIG) {
        warn_fields(d, name, nlen);
        return ATT_OK;
    }
    return rc;
}

int att_doc_list_add(char **list, const char *item, size_t n)
{
    char *v = NULL, *joined;
    size_t have = *list != NULL ? strlen(*list) : 0;
    int rc = att_doc_collapse(item, n, &v);

    if (rc != ATT_OK || v == NULL)
        return rc;
    if (*list == NULL) {
        *list = v;
        return ATT_OK;
    }
    joined = malloc(have + 2 + strlen(v) + 1);
    if (joined != NULL) {
        memcpy(joined, *list, have);
        memcpy(joined + have, ", ", 2);
        strcpy(joined + have + 2, v);
        free(*list);
        *list = joined;
    }
    free(v);
    return joined != NULL ? ATT_OK : ATT_E_NOMEM;
}

/* ---- att_doc_parse ---- */

/* NUL bytes, or many control bytes, near the start: not text. */
static bool looks_binary(const char *s, size_t len)
{
    size_t n = len < BINARY_SAMPLE ? len : BINARY_SAMPLE, ctl = 0;

    if (memchr(s, 0, n) != NULL)
        return true;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        /* ESC is allowed: terminal colour codes turn up in text dumps. */
        if ((c < 0x20 && !att_doc_space(c) && c != 0x1B) || c == 0x7F)
            ctl++;
    }
    return ctl * 100 > n * BINARY_CTL_PCT;
}

/* The fallbacks: a date from the file name, a title from the body. */
static int finish(struct att_doc *d, const char *file_id)
{
    char date[11];

    if (d->date == NULL && file_id != NULL && att_date_from_filename(file_id, date)) {
        d->date = strdup(date);
        if (d->date == NULL)
            return ATT_E_NOMEM;
        d->date_from_name = true;
    }
    /* Without memory for it the document simply has no title. */
    if (d->title == NULL && d->body != NULL) {
        d->title = att_title_from_body(d->body, d->body_len, TITLE_MAX);
        d->title_from_body = d->title != NULL;
    }
    return att_doc_fix_utf8(d);
}

static int wrap_doc(void *ud, struct att_doc *d, long line)
{
    struct wrap *w = ud;
    int rc = finish(d, w->file_id);

    if (rc != ATT_OK || w->user == NULL || w->user->on_doc == NULL)
        return rc;
    return w->user->on_doc(w->user->ud, d, line);
}

static void wrap_bad(void *ud, long line, const char *why)
{
    struct wrap *w = ud;

    if (w->user != NULL && w->user->on_bad != NULL)
        w->user->on_bad(w->user->ud, line, why);
}

static int read_one(enum att_format fmt, const char *data, size_t len, struct att_doc *d,
                    struct att_err *err)
{
    switch (fmt) {
    case ATT_FMT_TXT:
        return att_read_txt(data, len, d, err);
    case ATT_FMT_MD:
        return att_read_md(data, len, d, err);
    case ATT_FMT_HTML:
        return att_read_html(data, len, d, err);
    default:
        return att_err_set(err, ATT_E_INTERNAL, "no single-document reader");
    }
}

static int parse_one(const char *file_id, enum att_format fmt, const char *data, size_t len,
                     const struct att_doc_sink *sink, struct att_err *err)
{
    struct att_doc d;
    int rc;

    att_doc_init(&d);
    rc = read_one(fmt, data, len, &d, err);
    if (rc != ATT_OK)
        return rc;
    d.id = strdup(file_id != NULL ? file_id : "");
    rc = d.id != NULL ? finish(&d, file_id) : ATT_E_NOMEM;
    if (rc != ATT_OK) {
        rc = att_err_set(err, rc, "out of memory");
        goto out;
    }
    if (sink != NULL && sink->on_doc != NULL)
        rc = sink->on_doc(sink->ud, &d, 0);
    if (rc != ATT_OK)
        att_err_set(err, rc, "stopped by the document sink (%s)", att_strerror(rc));
out:
    att_doc_clear(&d);
    return rc;
}

int att_doc_parse(const char *file_id, enum att_format fmt, const char *data, size_t len,
                  const struct att_doc_sink *sink, struct att_err *err)
{
    struct wrap w = {sink, file_id};
    struct att_doc_sink wrapped = {wrap_doc, wrap_bad, &w};
    char *fixed = NULL;
    int rc;

    if (fmt != ATT_FMT_TXT && fmt != ATT_FMT_MD && fmt != ATT_FMT_HTML && fmt != ATT_FMT_JSONL)
        return att_err_set(err, ATT_E_PARSE, "not a supported document format");
    if (data == NULL || att_doc_blank(data, len))
        return att_err_set(err, ATT_E_EMPTY, "no text");
    if (looks_binary(data, len))
        return att_err_set(err, ATT_E_BINARY, "binary content");
    /* HTML declares its own charset, so only its reader may decode it. */
    if (fmt != ATT_FMT_HTML && att_doc_read_begin(&data, &len, &fixed, err) != ATT_OK)
        return ATT_E_NOMEM;
    if (fmt == ATT_FMT_JSONL)
        rc = att_read_jsonl(file_id != NULL ? file_id : "", data, len, &wrapped, err);
    else
        rc = parse_one(file_id, fmt, data, len, sink, err);
    free(fixed);
    return rc;
}

char *att_doc_number_text(double v)
{
    char buf[40];

    if (v > -1e15 && v < 1e15 && (double)(long long)v == v)
        snprintf(buf, sizeof buf, "%lld", (long long)v);
    else
        snprintf(buf, sizeof buf, "%.17g", v);
    return strdup(buf);
}
