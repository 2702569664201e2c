/* attache: the .jsonl reader: each non-blank line a JSON object (parsed with
 * cJSON) giving one document; lines that are not documents are reported
 * through the sink's on_bad and skipped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <xxhash.h>

#include "attache/doc.h"
#include "doc_priv.h"

/* Keys that may hold the body, first found wins (keys are matched without
 * regard to case). */
static const char *const body_keys[] = {"body", "text", "content"};

/* Members read as named fields (or the body): all others whose names suit
 * (att_doc_field_name) and whose values are strings or numbers become
 * further fields. */
static const char *const known_keys[] = {"id",     "title",    "date", "source", "url",
                                         "author", "language", "lang", "body",   "text",
                                         "content"};

/* Why obj cannot be a document, or NULL with *body set. */
static const char *check(const cJSON *obj, const cJSON **body)
{
    const cJSON *item = NULL;

    if (!cJSON_IsObject(obj))
        return "not a JSON object";
    for (size_t i = 0; i < sizeof body_keys / sizeof body_keys[0] && item == NULL; i++)
        item = cJSON_GetObjectItem(obj, body_keys[i]);
    if (item == NULL)
        return "no body";
    if (!cJSON_IsString(item) || item->valuestring == NULL)
        return "body is not a string";
    if (att_doc_blank(item->valuestring, strlen(item->valuestring)))
        return "empty body";
    *body = item;
    return NULL;
}

#define TITLE_MAX 100 /* bytes of a title made from the body, as att_doc_parse */

/* No id in the record: line >= 0 gives "<file_id>:<line>"; line < 0 (a
 * line read on its own) "<file_id>:<hex>", -(line + 1) being the line's
 * XXH3-64 shifted right by one: the id follows the content, not the place. */
static int set_id(const cJSON *obj, const char *file_id, long long line, struct att_doc *d)
{
    const cJSON *id = cJSON_GetObjectItem(obj, "id");
    char num[24];
    size_t n;

    if (cJSON_IsString(id) && id->valuestring != NULL &&
        !att_doc_blank(id->valuestring, strlen(id->valuestring))) {
        d->id = strdup(id->valuestring);
        return d->id != NULL ? ATT_OK : ATT_E_NOMEM;
    }
    if (cJSON_IsNumber(id)) {
        d->id = att_doc_number_text(id->valuedouble);
        return d->id != NULL ? ATT_OK : ATT_E_NOMEM;
    }
    /* No usable id: "<file_id>:<line>". */
    n = strlen(file_id);
    if (line >= 0)
        snprintf(num, sizeof num, ":%lld", line);
    else
        snprintf(num, sizeof num, ":%016llx", (unsigned long long)(-(line + 1)));
    d->id = malloc(n + strlen(num) + 1);
    if (d->id == NULL)
        return ATT_E_NOMEM;
    memcpy(d->id, file_id, n);
    memcpy(d->id + n, num, strlen(num) + 1);
    return ATT_OK;
}

static int set_str(const cJSON *obj, const char *key, char **out)
{
    const cJSON *item = cJSON_GetObjectItem(obj, key);

    if (!cJSON_IsString(item) || item->valuestring == NULL)
        return ATT_OK;
    return att_doc_collapse(item->valuestring, strlen(item->valuestring), out);
}

/* The date as text ("2025-11-24", "Nov 24, 2025") or a year as a number. */
static int set_date(const cJSON *obj, struct att_doc *d)
{
    const cJSON *item = cJSON_GetObjectItem(obj, "date");
    char *num = NULL, out[11];
    const char *s = NULL;
    bool ok;

    if (cJSON_IsString(item) && item->valuestring != NULL)
        s = item->valuestring;
    else if (cJSON_IsNumber(item))
        s = num = att_doc_number_text(item->valuedouble);
    if (s == NULL)
        return cJSON_IsNumber(item) ? ATT_E_NOMEM : ATT_OK;
    ok = att_date_normalize(s, strlen(s), out);
    if (!ok)
        att_doc_warn_date(d, s, strlen(s));
    free(num);
    if (!ok)
        return ATT_OK;
    d->date = strdup(out);
    return d->date != NULL ? ATT_OK : ATT_E_NOMEM;
}

/* The author: a string, or an array of strings joined with ", ". */
static int set_author(const cJSON *obj, struct att_doc *d)
{
    const cJSON *item = cJSON_GetObjectItem(obj, "author"), *a;
    int rc = ATT_OK;

    if (cJSON_IsString(item) && item->valuestring != NULL)
        return att_doc_collapse(item->valuestring, strlen(item->valuestring), &d->author);
    if (!cJSON_IsArray(item))
        return ATT_OK;
    cJSON_ArrayForEach(a, item) {
        if (rc == ATT_OK && cJSON_IsString(a) && a->valuestring != NULL)
            rc = att_doc_list_add(&d->author, a->valuestring, strlen(a->valuestring));
    }
    return rc;
}

/* "language", else "lang", through att_lang_normalize. */
static int set_language(const cJSON *obj, struct att_doc *d)
{
    const cJSON *item = cJSON_GetObjectItem(obj, "language");

    if (!cJSON_IsString(item))
        item = cJSON_GetObjectItem(obj, "lang");
    if (!cJSON_IsString(item) || item->valuestring == NULL)
        return ATT_OK;
    return att_doc_set_language(d, item->valuestring, strlen(item->valuestring));
}

static bool known_key(const char *name)
{
    for (size_t i = 0; i < sizeof known_keys / sizeof known_keys[0]; i++) {
        if (strcasecmp(name, known_keys[i]) == 0)
            return true;
    }
    return false;
}

/* The further fields: other string and number members with a suitable name. */
static int set_fields(const cJSON *obj, struct att_doc *d)
{
    const cJSON *item;
    int rc = ATT_OK;

    cJSON_ArrayForEach(item, obj) {
        char *num = NULL;
        const char *v = NULL;

        if (item->string == NULL || known_key(item->string) ||
            !att_doc_field_name(item->string, strlen(item->string)))
            continue;
        if (cJSON_IsString(item))
            v = item->valuestring;
        else if (cJSON_IsNumber(item))
            v = num = att_doc_number_text(item->valuedouble);
        if (v == NULL)
            rc = cJSON_IsNumber(item) ? ATT_E_NOMEM : ATT_OK;
        else
            rc = att_doc_add_field(d, item->string, strlen(item->string), v, strlen(v));
        free(num);
        if (rc != ATT_OK)
            return rc;
    }
    return ATT_OK;
}

static int fill(const cJSON *obj, const cJSON *body, const char *file_id, long long line,
                struct att_doc *d)
{
    int rc = set_id(obj, file_id, line, d);

    if (rc == ATT_OK)
        rc = set_str(obj, "title", &d->title);
    if (rc == ATT_OK)
        rc = set_date(obj, d);
    if (rc == ATT_OK)
        rc = set_str(obj, "source", &d->source);
    if (rc == ATT_OK)
        rc = set_str(obj, "url", &d->url);
    if (rc == ATT_OK)
        rc = set_author(obj, d);
    if (rc == ATT_OK)
        rc = set_language(obj, d);
    if (rc == ATT_OK)
        rc = set_fields(obj, d);
    if (rc != ATT_OK)
        return rc;
    d->body = att_doc_unix_lines(body->valuestring, strlen(body->valuestring), &d->body_len);
    if (d->body == NULL)
        return ATT_E_NOMEM;
    return att_doc_fix_utf8(d);
}

/* What att_doc_parse adds to a record: a date from the file name, a title
 * from the body. */
static int fallbacks(struct att_doc *d, const char *file_id)
{
    char date[11];

    if (d->date == NULL && att_date_from_filename(file_id, date)) {
        d->date = strdup(date);
        if (d->date == NULL)
            return ATT_E_NOMEM;
        d->date_from_name = true;
    }
    if (d->title == NULL && d->body != NULL) { /* without memory: no title */
        d->title = att_title_from_body(d->body, d->body_len, TITLE_MAX);
        d->title_from_body = d->title != NULL;
    }
    return att_doc_fix_utf8(d);
}

/* Parse s[0..n) as one JSON object, trailing white space allowed. */
static cJSON *parse_line(const char *s, size_t n)
{
    const char *end = NULL;
    cJSON *obj = cJSON_ParseWithLengthOpts(s, n, &end, false);

    if (obj != NULL && end != NULL && !att_doc_blank(end, n - (size_t)(end - s))) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

/* Read the line s[0..n) and hand its document to the sink (*delivered is
 * then set), or report it as bad. Returns ATT_OK, ATT_E_NOMEM, or the sink's
 * own non-zero status. */
static int one_line(const char *file_id, const char *s, size_t n, long line, long long key,
                    const struct att_doc_sink *sink, bool *delivered)
{
    cJSON *obj = parse_line(s, n);
    const cJSON *body = NULL;
    const char *why = obj != NULL ? check(obj, &body) : "not valid JSON";
    struct att_doc d;
    int rc;

    *delivered = false;
    if (why != NULL) {
        cJSON_Delete(obj);
        if (sink != NULL && sink->on_bad != NULL)
            sink->on_bad(sink->ud, line, why);
        return ATT_OK;
    }
    att_doc_init(&d);
    rc = fill(obj, body, file_id, key, &d);
    cJSON_Delete(obj);
    if (rc == ATT_OK && key < 0)
        rc = fallbacks(&d, file_id);
    if (rc == ATT_OK) {
        *delivered = true;
        if (sink != NULL && sink->on_doc != NULL)
            rc = sink->on_doc(sink->ud, &d, line);
    }
    att_doc_clear(&d);
    return rc;
}

int att_read_jsonl(const char *file_id, const char *data, size_t len,
                   const struct att_doc_sink *sink, struct att_err *err)
{
    size_t p, docs = 0;
    long line = 0;

    if (data == NULL) {
        data = "";
        len = 0;
    }
    if (file_id == NULL)
        file_id = "";
    for (p = att_doc_bom(data, len); p < len;) {
        const char *nl = memchr(data + p, '\n', len - p);
        size_t e = nl != NULL ? (size_t)(nl - data) : len, le = e;
        bool delivered = false;
        int rc = ATT_OK;

        line++;
        if (le > p && data[le - 1] == '\r')
            le--;
        if (!att_doc_blank(data + p, le - p))
            rc = one_line(file_id, data + p, le - p, line, line, sink, &delivered);
        if (rc == ATT_E_NOMEM)
            return att_err_set(err, rc, "out of memory at line %ld", line);
        if (rc != ATT_OK)
            return att_err_set(err, rc, "stopped by the document sink at line %ld", line);
        docs += delivered ? 1 : 0;
        p = e + 1;
    }
    if (docs == 0)
        return att_err_set(err, ATT_E_EMPTY, "no document in the file");
    return ATT_OK;
}

int att_read_jsonl_line(const char *file_id, const char *data, size_t len, long line,
                        const struct att_doc_sink *sink, struct att_err *err)
{
    char *fixed = NULL;
    bool delivered = false;
    long long key;
    int rc;

    if (file_id == NULL)
        file_id = "";
    while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
        len--;
    if (att_doc_blank(data, len))
        return ATT_OK;
    key = -(long long)(XXH3_64bits(data, len) >> 1) - 1; /* never 0, always < 0 */
    if (memchr(data, '\0', len) != NULL) {
        if (sink != NULL && sink->on_bad != NULL)
            sink->on_bad(sink->ud, line, "not valid JSON");
        return ATT_OK;
    }
    if (att_doc_read_begin(&data, &len, &fixed, err) != ATT_OK)
        return ATT_E_NOMEM;
    rc = one_line(file_id, data, len, line, key, sink, &delivered);
    free(fixed);
    if (rc == ATT_E_NOMEM)
        return att_err_set(err, rc, "out of memory at line %ld", line);
    if (rc != ATT_OK)
        return att_err_set(err, rc, "stopped by the document sink at line %ld", line);
    return ATT_OK;
}
