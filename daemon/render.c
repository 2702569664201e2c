/* attached: building response objects from stored passage data. */
#include <stdlib.h>
#include <string.h>

#include "protocol.h"
#include "render.h"

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* name: the string from[key], or null when it has none. */
static void add_or_null(cJSON *to, const char *name, const cJSON *from, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(from, key);

    if (cJSON_IsString(v))
        cJSON_AddStringToObject(to, name, v->valuestring);
    else
        cJSON_AddNullToObject(to, name);
}

cJSON *render_doc(const cJSON *stored)
{
    cJSON *d = cJSON_CreateObject();
    cJSON *f;

    add_or_null(d, "id", stored, "doc");
    add_or_null(d, "title", stored, "title");
    add_or_null(d, "date", stored, "date");
    add_or_null(d, "source", stored, "source");
    add_or_null(d, "url", stored, "url");
    add_or_null(d, "author", stored, "author");
    add_or_null(d, "language", stored, "language");
    f = cJSON_GetObjectItemCaseSensitive(stored, "fields");
    f = cJSON_IsObject(f) ? cJSON_Duplicate(f, true) : cJSON_CreateObject();
    if (f != NULL && !cJSON_AddItemToObject(d, "fields", f))
        cJSON_Delete(f);
    return d;
}

cJSON *render_passage(const cJSON *stored, bool quotes)
{
    cJSON *p = cJSON_CreateObject();
    cJSON *a;

    att_add_int(p, "n", (long long)num(stored, "n"));
    att_add_int(p, "start", (long long)num(stored, "start"));
    att_add_int(p, "end", (long long)num(stored, "end"));
    add_or_null(p, "text", stored, "text");
    a = cJSON_GetObjectItemCaseSensitive(stored, "actors");
    a = cJSON_IsArray(a) ? cJSON_Duplicate(a, true) : cJSON_CreateArray();
    if (a != NULL && !cJSON_AddItemToObject(p, "actors", a))
        cJSON_Delete(a);
    if (quotes)
        cJSON_AddItemToObject(p, "quotes", render_quotes(stored, NULL, NULL));
    return p;
}

cJSON *render_spans(const struct att_spans *s)
{
    cJSON *a = cJSON_CreateArray();

    for (size_t i = 0; a != NULL && i < s->n; i++) {
        cJSON *pair = cJSON_CreateArray();

        cJSON_AddItemToArray(pair, att_json_int((long long)s->v[i].start));
        cJSON_AddItemToArray(pair, att_json_int((long long)s->v[i].end));
        cJSON_AddItemToArray(a, pair);
    }
    return a;
}

/* One quotation; NULL when its offsets do not fit the text. */
static cJSON *render_quote(const cJSON *q, const char *text, size_t tlen,
                           const struct att_matcher *m, const struct att_phrases *ph)
{
    double s = num(q, "start"), e = num(q, "end");
    struct att_spans spans = {0};
    cJSON *o;
    char *qt;

    if (s < 0 || e < s || e > (double)tlen)
        return NULL;
    qt = strndup(text + (size_t)s, (size_t)(e - s));
    o = cJSON_CreateObject();
    if (qt == NULL || o == NULL) {
        free(qt);
        cJSON_Delete(o);
        return NULL;
    }
    cJSON_AddStringToObject(o, "text", qt);
    add_or_null(o, "speaker", q, "speaker");
    add_or_null(o, "role", q, "role");
    att_add_int(o, "start", (long long)s);
    att_add_int(o, "end", (long long)e);
    if (m != NULL && att_match_phrase_spans(qt, strlen(qt), m, ph, &spans, NULL) == ATT_OK)
        cJSON_AddItemToObject(o, "matches", render_spans(&spans));
    else
        cJSON_AddItemToObject(o, "matches", cJSON_CreateArray());
    att_spans_free(&spans);
    free(qt);
    return o;
}

cJSON *render_quotes(const cJSON *stored, const struct att_matcher *m,
                     const struct att_phrases *ph)
{
    const cJSON *qs = cJSON_GetObjectItemCaseSensitive(stored, "quotes");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(stored, "text");
    cJSON *a = cJSON_CreateArray();
    const cJSON *q;

    if (!cJSON_IsString(text))
        return a;
    cJSON_ArrayForEach(q, qs) {
        cJSON *o = render_quote(q, text->valuestring, strlen(text->valuestring), m, ph);

        if (o != NULL)
            cJSON_AddItemToArray(a, o);
    }
    return a;
}

cJSON *render_dups(const struct att_dup *dups, size_t ndups)
{
    cJSON *a = cJSON_CreateArray();

    for (size_t i = 0; a != NULL && i < ndups; i++) {
        cJSON *e = cJSON_CreateObject();

        if (e == NULL || !cJSON_AddItemToArray(a, e)) {
            cJSON_Delete(e);
            break;
        }
        cJSON_AddStringToObject(e, "doc", dups[i].doc);
        att_add_int(e, "passage", dups[i].passage);
    }
    return a;
}
