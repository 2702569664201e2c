/* attache: parsing and validating protocol requests; error responses. */
#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attache/doc.h"
#include "attache/protocol.h"
#include "attache/text.h"
#include "protocol.h"
#include "terms.h"

static const char *const op_names[ATT_OP_COUNT] = {"search", "get", "stats", "ping", "auth"};

const char *att_op_name(enum att_op op)
{
    return op < ATT_OP_COUNT ? op_names[op] : "?";
}

#define FAIL(code, ...)                                                                        \
    do {                                                                                       \
        snprintf(msg, msglen, __VA_ARGS__);                                                    \
        return code;                                                                           \
    } while (0)

/* Levels of arrays and objects (a plain value adds none). */
static int depth_of(const cJSON *o)
{
    int d = 0;

    if (!cJSON_IsArray(o) && !cJSON_IsObject(o))
        return 0;
    for (const cJSON *c = o->child; c != NULL; c = c->next) {
        int k = depth_of(c);

        if (k > d)
            d = k;
    }
    return d + 1;
}

/* True when the JSON text holds a \u0000 escape: cJSON would turn it into
 * a NUL byte that silently cuts the string short. */
static bool has_nul_escape(const char *s, size_t len)
{
    for (const char *p = s; (p = memmem(p, len - (size_t)(p - s), "\\u0000", 6)) != NULL;
         p++) {
        size_t slashes = 0;

        while (p - (ptrdiff_t)slashes > s && p[-1 - (ptrdiff_t)slashes] == '\\')
            slashes++;
        if (slashes % 2 == 0)
            return true;
    }
    return false;
}

/* An optional integer field in lo..hi; false (msg filled) when invalid. */
static bool get_int(const cJSON *o, const char *name, long lo, long hi, long *out, char *msg,
                    size_t msglen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

    if (v == NULL)
        return true;
    /* The range first: casting an out-of-range double is undefined. */
    if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi ||
        v->valuedouble != (double)(long)v->valuedouble) {
        snprintf(msg, msglen, "%s must be an integer %ld..%ld", name, lo, hi);
        return false;
    }
    *out = (long)v->valuedouble;
    return true;
}

/* An optional string field of at most max bytes. */
static bool get_str(const cJSON *o, const char *name, size_t max, const char **out, char *msg,
                    size_t msglen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

    if (v == NULL)
        return true;
    if (!cJSON_IsString(v) || strlen(v->valuestring) > max) {
        snprintf(msg, msglen, "%s must be a string of at most %zu bytes", name, max);
        return false;
    }
    *out = v->valuestring;
    return true;
}

static bool get_bool(const cJSON *o, const char *name, bool *out, char *msg, size_t msglen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

    if (v == NULL)
        return true;
    if (!cJSON_IsBool(v)) {
        snprintf(msg, msglen, "%s must be true or false", name);
        return false;
    }
    *out = cJSON_IsTrue(v);
    return true;
}

/* Every member of o must be named in allowed (NULL-terminated). */
static bool only_known(const cJSON *o, const char *const *allowed, const char *what, char *msg,
                       size_t msglen)
{
    for (const cJSON *c = o->child; c != NULL; c = c->next) {
        bool ok = false;

        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, c->string) == 0;
        if (!ok) {
            snprintf(msg, msglen, "unknown field %.64s%s%s", c->string, what ? " in " : "",
                     what ? what : "");
            return false;
        }
    }
    return true;
}

/* YYYY, YYYY-MM or YYYY-MM-DD naming a real date (the rule of terms.h). */
static bool is_date(const char *s)
{
    char slot[9];

    return s == NULL || att_date_bound(s, strlen(s), false, slot);
}

/* An empty filter value filters nothing: treat it as absent. */
static void drop_empty(const char **v)
{
    if (*v != NULL && **v == '\0')
        *v = NULL;
}

static const char *parse_filter(const cJSON *f, struct att_request *r, char *msg, size_t msglen)
{
    static const char *const keys[] = {"source", "from", "to", "speaker", "doc", NULL};
    struct att_search *s = &r->s;

    if (f == NULL)
        return NULL;
    if (!cJSON_IsObject(f))
        FAIL(ATTACHE_ERR_BAD_REQUEST, "filter must be an object");
    if (!only_known(f, keys, "filter", msg, msglen) ||
        !get_str(f, "source", ATTACHE_MAX_FIELD, &s->source, msg, msglen) ||
        !get_str(f, "speaker", ATTACHE_MAX_FIELD, &s->speaker, msg, msglen) ||
        !get_str(f, "doc", ATTACHE_MAX_FIELD, &s->doc, msg, msglen) ||
        !get_str(f, "from", 10, &s->from, msg, msglen) ||
        !get_str(f, "to", 10, &s->to, msg, msglen))
        return ATTACHE_ERR_BAD_REQUEST;
    drop_empty(&s->source);
    drop_empty(&s->speaker);
    drop_empty(&s->doc);
    drop_empty(&s->from);
    drop_empty(&s->to);
    if (!is_date(s->from) || !is_date(s->to))
        FAIL(ATTACHE_ERR_BAD_REQUEST, "filter dates must be YYYY, YYYY-MM or YYYY-MM-DD");
    return NULL;
}

static const char *parse_highlight(const cJSON *h, struct att_request *r, char *msg,
                                   size_t msglen)
{
    static const char *const keys[] = {"pre", "post", "length", NULL};
    long len = (long)r->snippet_len;

    if (h == NULL)
        return NULL;
    if (!cJSON_IsObject(h))
        FAIL(ATTACHE_ERR_BAD_REQUEST, "highlight must be an object");
    if (!only_known(h, keys, "highlight", msg, msglen) ||
        !get_str(h, "pre", ATTACHE_MAX_MARKER, &r->pre, msg, msglen) ||
        !get_str(h, "post", ATTACHE_MAX_MARKER, &r->post, msg, msglen) ||
        !get_int(h, "length", ATTACHE_MIN_SNIPPET, ATTACHE_MAX_SNIPPET, &len, msg, msglen))
        return ATTACHE_ERR_BAD_REQUEST;
    r->snippet_len = (size_t)len;
    return NULL;
}

static const char *parse_sort(const cJSON *o, struct att_request *r, char *msg, size_t msglen)
{
    const char *sort = NULL;

    if (!get_str(o, "sort", 16, &sort, msg, msglen))
        return ATTACHE_ERR_BAD_REQUEST;
    if (sort == NULL || strcmp(sort, "relevance") == 0)
        r->s.sort = ATT_SORT_RELEVANCE;
    else if (strcmp(sort, "date") == 0)
        r->s.sort = ATT_SORT_DATE;
    else if (strcmp(sort, "-date") == 0)
        r->s.sort = ATT_SORT_DATE_DESC;
    else
        FAIL(ATTACHE_ERR_BAD_REQUEST, "sort must be \"relevance\", \"date\" or \"-date\"");
    return NULL;
}

static const char *parse_match(const cJSON *o, struct att_request *r, char *msg,
                               size_t msglen)
{
    const char *m = NULL;

    if (!get_str(o, "match", 16, &m, msg, msglen))
        return ATTACHE_ERR_BAD_REQUEST;
    if (m == NULL || strcmp(m, "auto") == 0)
        r->s.match = ATT_MATCH_AUTO;
    else if (strcmp(m, "all") == 0)
        r->s.match = ATT_MATCH_ALL;
    else if (strcmp(m, "any") == 0)
        r->s.match = ATT_MATCH_ANY;
    else
        FAIL(ATTACHE_ERR_BAD_REQUEST, "match must be \"auto\", \"all\" or \"any\"");
    return NULL;
}

/* The word* patterns of q (the rule of terms.h, which the shim expands).
 * Each becomes up to --max-wildcard terms, and the cost of a query grows
 * faster than their number (400 took a minute on a 10 MB index, beyond any
 * time limit: Xapian opens every term's postings before it starts the
 * clock), so their number is capped. */
static size_t count_wildcards(const char *q, size_t len)
{
    return att_wildcard_count(q, len);
}

static const char *parse_search(const cJSON *o, struct att_request *r, char *msg, size_t msglen)
{
    static const char *const keys[] = {"id",   "op",     "q",         "limit",  "offset",
                                       "filter", "per_doc", "sort", "highlight", "quotes",
                                       "facets", "match",  NULL};
    long limit = ATTACHE_DEFAULT_LIMIT, offset = 0, per_doc = 0;
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(o, "q");
    const char *code;

    if (!only_known(o, keys, NULL, msg, msglen))
        return ATTACHE_ERR_BAD_REQUEST;
    if (!cJSON_IsString(q))
        FAIL(ATTACHE_ERR_BAD_REQUEST, "q must be a string");
    r->s.q = q->valuestring;
    r->s.qlen = strlen(q->valuestring);
    if (r->s.qlen > ATTACHE_MAX_QUERY)
        FAIL(ATTACHE_ERR_BAD_REQUEST, "q must be at most %d bytes", ATTACHE_MAX_QUERY);
    size_t nwild = count_wildcards(r->s.q, r->s.qlen);
    if (nwild > ATTACHE_MAX_WILDCARDS)
        FAIL(ATTACHE_ERR_BAD_REQUEST, "q has %zu wildcards; at most %d are allowed", nwild,
             ATTACHE_MAX_WILDCARDS);
    if (!get_int(o, "limit", 1, ATTACHE_MAX_LIMIT, &limit, msg, msglen) ||
        !get_int(o, "offset", 0, ATTACHE_MAX_OFFSET, &offset, msg, msglen) ||
        !get_int(o, "per_doc", 0, ATTACHE_MAX_PER_DOC, &per_doc, msg, msglen) ||
        !get_bool(o, "quotes", &r->quotes, msg, msglen) ||
        !get_bool(o, "facets", &r->s.facets, msg, msglen))
        return ATTACHE_ERR_BAD_REQUEST;
    r->s.limit = (unsigned)limit;
    r->s.offset = (unsigned)offset;
    r->s.per_doc = (unsigned)per_doc;
    code = parse_filter(cJSON_GetObjectItemCaseSensitive(o, "filter"), r, msg, msglen);
    if (code == NULL)
        code = parse_highlight(cJSON_GetObjectItemCaseSensitive(o, "highlight"), r, msg, msglen);
    if (code == NULL)
        code = parse_sort(o, r, msg, msglen);
    if (code == NULL)
        code = parse_match(o, r, msg, msglen);
    if (code == NULL && r->s.qlen == 0 && !r->s.source && !r->s.speaker && !r->s.doc &&
        !r->s.from && !r->s.to)
        FAIL(ATTACHE_ERR_BAD_REQUEST, "q is empty and there is no filter");
    return code;
}

static const char *parse_get(const cJSON *o, struct att_request *r, char *msg, size_t msglen)
{
    static const char *const keys[] = {"id", "op", "doc", "passage", NULL};

    if (!only_known(o, keys, NULL, msg, msglen) ||
        !get_str(o, "doc", ATTACHE_MAX_FIELD, &r->doc, msg, msglen) ||
        !get_int(o, "passage", 0, 10000000, &r->passage, msg, msglen))
        return ATTACHE_ERR_BAD_REQUEST;
    if (r->doc == NULL || *r->doc == '\0')
        FAIL(ATTACHE_ERR_BAD_REQUEST, "doc must be a document id");
    return NULL;
}

static const char *parse_auth(const cJSON *o, struct att_request *r, char *msg, size_t msglen)
{
    static const char *const keys[] = {"id", "op", "token", NULL};

    if (!only_known(o, keys, NULL, msg, msglen) ||
        !get_str(o, "token", ATTACHE_MAX_TOKEN, &r->token, msg, msglen))
        return ATTACHE_ERR_BAD_REQUEST;
    if (r->token == NULL)
        FAIL(ATTACHE_ERR_BAD_REQUEST, "token must be a string of at most %d bytes",
             ATTACHE_MAX_TOKEN);
    return NULL;
}

static const char *parse_plain(const cJSON *o, char *msg, size_t msglen)
{
    static const char *const keys[] = {"id", "op", NULL};

    return only_known(o, keys, NULL, msg, msglen) ? NULL : ATTACHE_ERR_BAD_REQUEST;
}

static void defaults(struct att_request *r)
{
    memset(r, 0, sizeof *r);
    r->s.limit = ATTACHE_DEFAULT_LIMIT;
    r->snippet_len = ATTACHE_DEFAULT_SNIPPET;
    r->pre = "<b>";
    r->post = "</b>";
    r->quotes = true;
    r->passage = -1;
}

const char *att_request_parse(const char *line, size_t len, struct att_request *r, char *msg,
                              size_t msglen)
{
    const char *end = NULL;
    const cJSON *op;

    defaults(r);
    if (!att_utf8_valid(line, len))
        FAIL(ATTACHE_ERR_BAD_JSON, "the request is not valid UTF-8");
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        /* JSON has no raw control characters, in strings none at all, and
         * between tokens only tab, CR and LF as white space (cJSON would
         * skip a NUL as white space, cut a string at one, and take a raw
         * tab inside a string). */
        unsigned char c = (unsigned char)line[i];

        if (in_string && c == '\\')
            i++; /* an escape: the next byte is not the string's end */
        else if (c == '"')
            in_string = !in_string;
        else if (c < 0x20 && (in_string || (c != '\t' && c != '\r' && c != '\n')))
            FAIL(ATTACHE_ERR_BAD_JSON, "raw control character (byte %zu) in the request", i);
    }
    r->root = cJSON_ParseWithLengthOpts(line, len, &end, false);
    if (r->root == NULL || !cJSON_IsObject(r->root))
        FAIL(ATTACHE_ERR_BAD_JSON, "the request must be one JSON object on one line");
    r->id = cJSON_GetObjectItemCaseSensitive(r->root, "id");
    while (end < line + len && (*end == ' ' || *end == '\t' || *end == '\r'))
        end++;
    if (end != line + len)
        FAIL(ATTACHE_ERR_BAD_JSON, "text after the JSON object (one request per line)");
    if (has_nul_escape(line, len)) {
        if (cJSON_IsString(r->id))
            r->id = NULL; /* it may be the cut string: do not echo it */
        FAIL(ATTACHE_ERR_BAD_REQUEST, "strings must not hold NUL characters (\\u0000)");
    }
    if (depth_of(r->root) > ATTACHE_MAX_DEPTH)
        FAIL(ATTACHE_ERR_BAD_JSON, "the request is nested deeper than %d", ATTACHE_MAX_DEPTH);
    op = cJSON_GetObjectItemCaseSensitive(r->root, "op");
    if (!cJSON_IsString(op))
        FAIL(ATTACHE_ERR_BAD_REQUEST, "op must be a string: search, get, stats, ping or auth");
    r->op = ATT_OP_COUNT;
    for (int i = 0; i < ATT_OP_COUNT; i++) {
        if (strcmp(op->valuestring, op_names[i]) == 0)
            r->op = (enum att_op)i;
    }
    if (r->op == ATT_OP_COUNT)
        FAIL(ATTACHE_ERR_UNKNOWN_OP,
             "unknown op \"%.64s\": use search, get, stats, ping or auth", op->valuestring);
    switch (r->op) {
    case ATT_OP_SEARCH: return parse_search(r->root, r, msg, msglen);
    case ATT_OP_GET: return parse_get(r->root, r, msg, msglen);
    case ATT_OP_AUTH: return parse_auth(r->root, r, msg, msglen);
    default: return parse_plain(r->root, msg, msglen);
    }
}

void att_request_free(struct att_request *r)
{
    cJSON_Delete(r->root);
    r->root = NULL;
    r->id = NULL;
}

/* A copy of the request's id to echo. A number is written out exactly
 * (cJSON prints 15 significant digits, which changes 9007199254740993);
 * one too large for a double is echoed as null. */
static cJSON *copy_id(const cJSON *id)
{
    char num[64];

    if (id == NULL)
        return cJSON_CreateNull();
    if (!cJSON_IsNumber(id))
        return cJSON_Duplicate(id, true);
    if (!isfinite(id->valuedouble))
        return cJSON_CreateNull(); /* 1e999 reads as inf, which JSON cannot write */
    if (id->valuedouble == floor(id->valuedouble) && fabs(id->valuedouble) < 1e18)
        snprintf(num, sizeof num, "%.0f", id->valuedouble);
    else
        snprintf(num, sizeof num, "%.17g", id->valuedouble);
    return cJSON_CreateRaw(num);
}

cJSON *att_response_new(const cJSON *id, bool ok)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *idc = copy_id(id);

    if (o == NULL || idc == NULL || !cJSON_AddItemToObject(o, "id", idc) ||
        cJSON_AddBoolToObject(o, "ok", ok) == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

cJSON *att_json_int(long long v)
{
    char buf[24], *p = buf + sizeof buf;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

    *--p = '\0';
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        *--p = '-';
    return cJSON_CreateRaw(p);
}

cJSON *att_add_int(cJSON *o, const char *name, long long v)
{
    cJSON *n = att_json_int(v);

    if (n != NULL && !cJSON_AddItemToObject(o, name, n)) {
        cJSON_Delete(n);
        n = NULL;
    }
    return n;
}

cJSON *att_add_real(cJSON *o, const char *name, double v)
{
    char buf[32];
    cJSON *n;

    if (!isfinite(v))
        return cJSON_AddNullToObject(o, name);
    snprintf(buf, sizeof buf, "%.9g", v);
    n = cJSON_CreateRaw(buf);
    if (n != NULL && !cJSON_AddItemToObject(o, name, n)) {
        cJSON_Delete(n);
        n = NULL;
    }
    return n;
}

/* Responses are printed into a buffer big enough for most at once (a
 * page of hits is a few KB; cJSON doubles it when it is not). */
#define RESPONSE_BUF 16384

char *att_response_line(const cJSON *obj, size_t *len)
{
    char *s = cJSON_PrintBuffered(obj, RESPONSE_BUF, 0);
    size_t n;
    char *line;

    if (s == NULL)
        return NULL;
    n = strlen(s);
    line = realloc(s, n + 2);
    if (line == NULL) {
        free(s);
        return NULL;
    }
    line[n] = '\n';
    line[n + 1] = '\0';
    *len = n + 1;
    return line;
}

char *att_error_line(const cJSON *id, const char *code, const char *msg, size_t *len)
{
    cJSON *o = att_response_new(id, false);
    cJSON *e = o ? cJSON_AddObjectToObject(o, "error") : NULL;
    char *line = NULL;

    if (e != NULL && cJSON_AddStringToObject(e, "code", code) != NULL &&
        cJSON_AddStringToObject(e, "message", msg) != NULL)
        line = att_response_line(o, len);
    cJSON_Delete(o);
    return line;
}
