/* attache: the protocol's requests (parsed and validated, or built by a
 * client), responses (built by the daemon, read by a client) and error
 * codes. */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attache/attache.h"
#include "attache/doc.h"
#include "attache/protocol.h"
#include "attache/text.h"
#include "buf.h"
#include "json_check.h"
#include "jsonw.h"
#include "protocol.h"
#include "terms.h"

static const char *const op_names[ATT_OP_COUNT] = {"search", "get", "stats", "ping", "auth"};

const char *att_op_name(enum att_op op)
{
    return op < ATT_OP_COUNT ? op_names[op] : "?";
}

/* Refuse the request with wire code e and a message. */
static const char *const wire_names[ATT_WE_COUNT] = {
    [ATT_WE_BAD_JSON] = ATTACHE_ERR_BAD_JSON, [ATT_WE_BAD_REQUEST] = ATTACHE_ERR_BAD_REQUEST,
    [ATT_WE_UNKNOWN_OP] = ATTACHE_ERR_UNKNOWN_OP, [ATT_WE_TOO_LARGE] = ATTACHE_ERR_TOO_LARGE,
    [ATT_WE_QUERY_SYNTAX] = ATTACHE_ERR_QUERY_SYNTAX, [ATT_WE_TIMEOUT] = ATTACHE_ERR_TIMEOUT,
    [ATT_WE_NOT_FOUND] = ATTACHE_ERR_NOT_FOUND, [ATT_WE_OVERLOADED] = ATTACHE_ERR_OVERLOADED,
    [ATT_WE_UNAVAILABLE] = ATTACHE_ERR_UNAVAILABLE,
    [ATT_WE_UNAUTHORIZED] = ATTACHE_ERR_UNAUTHORIZED, [ATT_WE_INTERNAL] = ATTACHE_ERR_INTERNAL,
};

const char *att_wire_err_name(enum att_wire_err e)
{
    return e > ATT_WE_NONE && e < ATT_WE_COUNT ? wire_names[e] : NULL;
}

enum att_wire_err att_wire_err_lookup(const char *name)
{
    for (int i = ATT_WE_NONE + 1; name != NULL && i < ATT_WE_COUNT; i++) {
        if (strcmp(name, wire_names[i]) == 0)
            return (enum att_wire_err)i;
    }
    return ATT_WE_NONE;
}

enum att_wire_err att_wire_err_of(int status)
{
    switch (status) {
    case ATT_OK: return ATT_WE_NONE;
    case ATT_E_QUERY: return ATT_WE_QUERY_SYNTAX;
    case ATT_E_TIMEOUT: return ATT_WE_TIMEOUT;
    case ATT_E_NOTFOUND: return ATT_WE_NOT_FOUND;
    case ATT_E_OPENING:
    case ATT_E_VERSION: /* an index of another format swapped in */
    case ATT_E_CORRUPT:
    case ATT_E_MODIFIED: /* still modified after the retries */
    case ATT_E_INDEX: return ATT_WE_UNAVAILABLE;
    default: return ATT_WE_INTERNAL;
    }
}

#define FAIL(e, ...)                                                                           \
    do {                                                                                       \
        att_err_set(err, ATT_E_PARSE, __VA_ARGS__);                                            \
        return e;                                                                              \
    } while (0)

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
static bool get_int(const cJSON *o, const char *name, long lo, long hi, long *out,
                    struct att_err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

    if (v == NULL)
        return true;
    /* The range first: casting an out-of-range double is undefined. */
    if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi ||
        v->valuedouble != (double)(long)v->valuedouble) {
        att_err_set(err, ATT_E_PARSE, "%s must be an integer %ld..%ld", name, lo, hi);
        return false;
    }
    *out = (long)v->valuedouble;
    return true;
}

/* An optional string field of at most max bytes. */
static bool get_str(const cJSON *o, const char *name, size_t max, const char **out,
                    struct att_err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

    if (v == NULL)
        return true;
    if (!cJSON_IsString(v) || strlen(v->valuestring) > max) {
        att_err_set(err, ATT_E_PARSE, "%s must be a string of at most %zu bytes", name, max);
        return false;
    }
    *out = v->valuestring;
    return true;
}

static bool get_bool(const cJSON *o, const char *name, bool *out, struct att_err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

    if (v == NULL)
        return true;
    if (!cJSON_IsBool(v)) {
        att_err_set(err, ATT_E_PARSE, "%s must be true or false", name);
        return false;
    }
    *out = cJSON_IsTrue(v);
    return true;
}

/* Every member of o must be named in allowed (NULL-terminated). */
static bool only_known(const cJSON *o, const char *const *allowed, const char *what,
                       struct att_err *err)
{
    for (const cJSON *c = o->child; c != NULL; c = c->next) {
        bool ok = false;

        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, c->string) == 0;
        if (!ok) {
            att_err_set(err, ATT_E_PARSE, "unknown field %.64s%s%s", c->string,
                        what ? " in " : "", what ? what : "");
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

/* The string filters of a search, in the order a built request lists
 * them: their names and where they go in struct att_search. */
static const struct filter_key {
    const char *name;
    size_t off;
    size_t max;
} filter_keys[] = {
    {"source", offsetof(struct att_search, source), ATTACHE_MAX_FIELD},
    {"from", offsetof(struct att_search, from), 10},
    {"to", offsetof(struct att_search, to), 10},
    {"speaker", offsetof(struct att_search, speaker), ATTACHE_MAX_FIELD},
    {"author", offsetof(struct att_search, author), ATTACHE_MAX_FIELD},
    {"actor", offsetof(struct att_search, actor), ATTACHE_MAX_FIELD},
    {"language", offsetof(struct att_search, language), ATTACHE_MAX_LANG},
    {"doc", offsetof(struct att_search, doc), ATTACHE_MAX_FIELD},
};
#define NFILTERS (sizeof filter_keys / sizeof filter_keys[0])

static const char **filter_at(struct att_search *s, size_t i)
{
    return (const char **)((char *)s + filter_keys[i].off);
}

/* Whether s has any filter. */
static bool has_filter(const struct att_search *s)
{
    for (size_t i = 0; i < NFILTERS; i++)
        if (*filter_at((struct att_search *)s, i) != NULL)
            return true;
    return false;
}

static enum att_wire_err parse_filter(const cJSON *f, struct att_request *r, struct att_err *err)
{
    struct att_search *s = &r->s;

    if (f == NULL)
        return ATT_WE_NONE;
    if (!cJSON_IsObject(f))
        FAIL(ATT_WE_BAD_REQUEST, "filter must be an object");
    for (const cJSON *c = f->child; c != NULL; c = c->next) {
        size_t i = 0;

        while (i < NFILTERS && strcmp(filter_keys[i].name, c->string) != 0)
            i++;
        if (i == NFILTERS)
            FAIL(ATT_WE_BAD_REQUEST, "unknown field %.64s in filter", c->string);
        if (!get_str(f, c->string, filter_keys[i].max, filter_at(s, i), err))
            return ATT_WE_BAD_REQUEST;
        if (**filter_at(s, i) == '\0') /* an empty value filters nothing */
            *filter_at(s, i) = NULL;
    }
    if (!is_date(s->from) || !is_date(s->to))
        FAIL(ATT_WE_BAD_REQUEST, "filter dates must be YYYY, YYYY-MM or YYYY-MM-DD");
    return ATT_WE_NONE;
}

static enum att_wire_err parse_highlight(const cJSON *h, struct att_request *r, struct att_err *err)
{
    static const char *const keys[] = {"pre", "post", "length", NULL};
    long len = (long)r->snippet_len;

    if (h == NULL)
        return ATT_WE_NONE;
    if (!cJSON_IsObject(h))
        FAIL(ATT_WE_BAD_REQUEST, "highlight must be an object");
    if (!only_known(h, keys, "highlight", err) ||
        !get_str(h, "pre", ATTACHE_MAX_MARKER, &r->pre, err) ||
        !get_str(h, "post", ATTACHE_MAX_MARKER, &r->post, err) ||
        !get_int(h, "length", ATTACHE_MIN_SNIPPET, ATTACHE_MAX_SNIPPET, &len, err))
        return ATT_WE_BAD_REQUEST;
    r->snippet_len = (size_t)len;
    return ATT_WE_NONE;
}

static const char *const sort_names[] = {"relevance", "date", "-date"}; /* enum att_sort */
static const char *const match_names[] = {"auto", "all", "any"};      /* enum att_match */

/* An optional field naming one of names[0..2]: *out its index (0 when
 * absent); false (err filled) when it names none. */
static bool get_word(const cJSON *o, const char *name, const char *const names[3], int *out,
                     struct att_err *err)
{
    const char *v = NULL;

    if (!get_str(o, name, 16, &v, err))
        return false;
    for (*out = 0; v != NULL && *out < 3 && strcmp(v, names[*out]) != 0;)
        ++*out;
    if (*out < 3)
        return true;
    att_err_set(err, ATT_E_PARSE, "%s must be \"%s\", \"%s\" or \"%s\"", name, names[0],
                names[1], names[2]);
    return false;
}

static enum att_wire_err parse_words(const cJSON *o, struct att_request *r,
                                     struct att_err *err)
{
    int sort, match;

    if (!get_word(o, "sort", sort_names, &sort, err) ||
        !get_word(o, "match", match_names, &match, err))
        return ATT_WE_BAD_REQUEST;
    r->s.sort = (enum att_sort)sort;
    r->s.match = (enum att_match)match;
    return ATT_WE_NONE;
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

const char *const att_hit_field_names[] = {
    "rank",         "score",       "doc.id",         "doc.title",     "doc.date",
    "doc.source",   "doc.url",     "doc.author",     "doc.language",  "doc.fields",
    "passage.n",    "passage.start", "passage.end",  "passage.text",  "passage.actors",
    "snippet",      "matches",     "quotes",         "explain",       "duplicates",
    "doc",          "passage",     NULL};

/* The bits of one name of att_hit_field_names; 0 when unknown. */
static unsigned hit_field_bits(const char *name)
{
    for (unsigned i = 0; att_hit_field_names[i] != NULL; i++)
        if (strcmp(att_hit_field_names[i], name) == 0)
            return i < 20 ? 1u << i : i == 20 ? ATT_HF_DOC : ATT_HF_PASSAGE;
    return 0;
}

/* "fields": the members each hit holds, an array of names (at most 32).
 * Without it, every member, quotes and explain as their own fields say. */
static enum att_wire_err parse_fields(const cJSON *f, struct att_request *r,
                                      struct att_err *err)
{
    int n = 0;

    if (f == NULL) {
        r->fields = ATT_HF_ALL & ~(r->quotes ? 0u : (unsigned)ATT_HF_QUOTES) &
                    ~(r->s.explain ? 0u : (unsigned)ATT_HF_EXPLAIN);
        return ATT_WE_NONE;
    }
    if (!cJSON_IsArray(f))
        FAIL(ATT_WE_BAD_REQUEST, "fields must be an array of field names such as "
             "[\"doc.title\",\"snippet\"]");
    r->has_fields = true;
    r->fields = 0;
    for (const cJSON *c = f->child; c != NULL; c = c->next) {
        unsigned bits = cJSON_IsString(c) ? hit_field_bits(c->valuestring) : 0;

        if (++n > 32)
            FAIL(ATT_WE_BAD_REQUEST, "fields names at most 32 fields");
        if (bits == 0)
            FAIL(ATT_WE_BAD_REQUEST, "fields: %s%.64s%s is not a field of a hit (rank, score, "
                 "doc, doc.*, passage, passage.*, snippet, matches, quotes, explain, "
                 "duplicates)", cJSON_IsString(c) ? "\"" : "",
                 cJSON_IsString(c) ? c->valuestring : "a non-string",
                 cJSON_IsString(c) ? "\"" : "");
        r->fields |= bits;
    }
    /* What is asked for is computed: fields decides over quotes and explain. */
    r->quotes = (r->fields & ATT_HF_QUOTES) != 0;
    r->s.explain = (r->fields & ATT_HF_EXPLAIN) != 0;
    return ATT_WE_NONE;
}

static enum att_wire_err parse_search(const cJSON *o, struct att_request *r, struct att_err *err)
{
    static const char *const keys[] = {"id",   "op",     "q",         "limit",  "offset",
                                       "filter", "per_doc", "sort", "highlight", "quotes",
                                       "facets", "match",  "lang", "exact_total",
                                       "expand", "explain", "collapse", "fields", NULL};
    long limit = ATTACHE_DEFAULT_LIMIT, offset = 0, per_doc = 0;
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(o, "q");
    bool expand = true;
    enum att_wire_err code;

    if (!only_known(o, keys, NULL, err))
        return ATT_WE_BAD_REQUEST;
    if (!cJSON_IsString(q))
        FAIL(ATT_WE_BAD_REQUEST, "q must be a string");
    r->s.q = q->valuestring;
    r->s.qlen = strlen(q->valuestring);
    if (r->s.qlen > ATTACHE_MAX_QUERY)
        FAIL(ATT_WE_BAD_REQUEST, "q must be at most %d bytes", ATTACHE_MAX_QUERY);
    size_t nwild = count_wildcards(r->s.q, r->s.qlen);
    if (nwild > ATTACHE_MAX_WILDCARDS)
        FAIL(ATT_WE_BAD_REQUEST, "q has %zu wildcards; at most %d are allowed", nwild,
             ATTACHE_MAX_WILDCARDS);
    if (!get_int(o, "limit", 1, ATTACHE_MAX_LIMIT, &limit, err) ||
        !get_int(o, "offset", 0, ATTACHE_MAX_OFFSET, &offset, err) ||
        !get_int(o, "per_doc", 0, ATTACHE_MAX_PER_DOC, &per_doc, err) ||
        !get_bool(o, "quotes", &r->quotes, err) ||
        !get_bool(o, "facets", &r->s.facets, err) ||
        !get_bool(o, "exact_total", &r->s.exact_total, err) ||
        !get_bool(o, "expand", &expand, err) ||
        !get_bool(o, "explain", &r->s.explain, err) ||
        !get_bool(o, "collapse", &r->s.collapse, err) ||
        !get_str(o, "lang", ATTACHE_MAX_LANG, &r->s.lang, err))
        return ATT_WE_BAD_REQUEST;
    if (r->s.lang != NULL && !att_lang_known(r->s.lang))
        FAIL(ATT_WE_BAD_REQUEST, "lang \"%s\" is not a language attache stems (%s)", r->s.lang,
             ATT_LANGS);
    r->s.no_expand = !expand;
    r->s.limit = (unsigned)limit;
    r->s.offset = (unsigned)offset;
    r->s.per_doc = (unsigned)per_doc;
    code = parse_filter(cJSON_GetObjectItemCaseSensitive(o, "filter"), r, err);
    if (code == ATT_WE_NONE)
        code = parse_highlight(cJSON_GetObjectItemCaseSensitive(o, "highlight"), r, err);
    if (code == ATT_WE_NONE)
        code = parse_words(o, r, err);
    if (code == ATT_WE_NONE)
        code = parse_fields(cJSON_GetObjectItemCaseSensitive(o, "fields"), r, err);
    if (code == ATT_WE_NONE && r->s.qlen == 0 && !has_filter(&r->s))
        FAIL(ATT_WE_BAD_REQUEST, "q is empty and there is no filter");
    return code;
}

static enum att_wire_err parse_get(const cJSON *o, struct att_request *r, struct att_err *err)
{
    static const char *const keys[] = {"id", "op", "doc", "passage", NULL};

    if (!only_known(o, keys, NULL, err) ||
        !get_str(o, "doc", ATTACHE_MAX_FIELD, &r->doc, err) ||
        !get_int(o, "passage", 0, 10000000, &r->passage, err))
        return ATT_WE_BAD_REQUEST;
    if (r->doc == NULL || *r->doc == '\0')
        FAIL(ATT_WE_BAD_REQUEST, "doc must be a document id");
    return ATT_WE_NONE;
}

static enum att_wire_err parse_auth(const cJSON *o, struct att_request *r, struct att_err *err)
{
    static const char *const keys[] = {"id", "op", "token", NULL};

    if (!only_known(o, keys, NULL, err) ||
        !get_str(o, "token", ATTACHE_MAX_TOKEN, &r->token, err))
        return ATT_WE_BAD_REQUEST;
    if (r->token == NULL)
        FAIL(ATT_WE_BAD_REQUEST, "token must be a string of at most %d bytes",
             ATTACHE_MAX_TOKEN);
    return ATT_WE_NONE;
}

static enum att_wire_err parse_plain(const cJSON *o, struct att_err *err)
{
    static const char *const keys[] = {"id", "op", NULL};

    return only_known(o, keys, NULL, err) ? ATT_WE_NONE : ATT_WE_BAD_REQUEST;
}

static void defaults(struct att_request *r)
{
    memset(r, 0, sizeof *r);
    r->s.limit = ATTACHE_DEFAULT_LIMIT;
    r->snippet_len = ATTACHE_DEFAULT_SNIPPET;
    r->pre = "<b>";
    r->post = "</b>";
    r->quotes = true;
    r->s.collapse = true;
    r->passage = -1;
}

/* The bytes of a line: UTF-8, and no raw control character where JSON
 * allows none. */
static enum att_wire_err check_bytes(const char *line, size_t len, struct att_err *err)
{
    bool in_string = false;

    if (!att_utf8_valid(line, len))
        FAIL(ATT_WE_BAD_JSON, "the request is not valid UTF-8");
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
            FAIL(ATT_WE_BAD_JSON, "raw control character (byte %zu) in the request", i);
    }
    return ATT_WE_NONE;
}

/* One JSON object alone on the line, its id, and its op. */
static enum att_wire_err parse_envelope(const char *line, size_t len, enum att_op implied,
                                        struct att_request *r, struct att_err *err)
{
    const char *end = NULL;
    const cJSON *op;

    r->root = cJSON_ParseWithLengthOpts(line, len, &end, false);
    if (r->root == NULL || !cJSON_IsObject(r->root))
        FAIL(ATT_WE_BAD_JSON, "the request must be one JSON object on one line");
    r->id = cJSON_GetObjectItemCaseSensitive(r->root, "id");
    while (end < line + len && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
        end++;
    if (end != line + len)
        FAIL(ATT_WE_BAD_JSON, "text after the JSON object (one request per line)");
    if (has_nul_escape(line, len)) {
        if (cJSON_IsString(r->id))
            r->id = NULL; /* it may be the cut string: do not echo it */
        FAIL(ATT_WE_BAD_REQUEST, "strings must not hold NUL characters (\\u0000)");
    }
    if (att_json_depth(r->root) > ATTACHE_MAX_DEPTH)
        FAIL(ATT_WE_BAD_JSON, "the request is nested deeper than %d", ATTACHE_MAX_DEPTH);
    const char *dup = att_json_duplicate_key(r->root);
    if (dup != NULL) {
        if (strcmp(dup, "id") == 0)
            r->id = NULL; /* which of them is meant is the question */
        FAIL(ATT_WE_BAD_JSON, "key \"%.64s\" appears twice in an object", dup);
    }
    op = cJSON_GetObjectItemCaseSensitive(r->root, "op");
    if (op == NULL && implied != ATT_OP_COUNT) {
        r->op = implied;
        return ATT_WE_NONE;
    }
    if (!cJSON_IsString(op))
        FAIL(ATT_WE_BAD_REQUEST, "op must be a string: search, get, stats, ping or auth");
    r->op = ATT_OP_COUNT;
    for (int i = 0; i < ATT_OP_COUNT; i++) {
        if (strcmp(op->valuestring, op_names[i]) == 0)
            r->op = (enum att_op)i;
    }
    if (r->op == ATT_OP_COUNT)
        FAIL(ATT_WE_UNKNOWN_OP,
             "unknown op \"%.64s\": use search, get, stats, ping or auth", op->valuestring);
    if (implied != ATT_OP_COUNT && r->op != implied)
        FAIL(ATT_WE_BAD_REQUEST, "op \"%s\" does not belong here, where op is \"%s\"",
             op_names[r->op], op_names[implied]);
    return ATT_WE_NONE;
}

int att_request_parse(const char *line, size_t len, struct att_request *r, struct att_err *err)
{
    return att_request_parse_as(line, len, ATT_OP_COUNT, r, err);
}

int att_request_parse_as(const char *line, size_t len, enum att_op implied,
                         struct att_request *r, struct att_err *err)
{
    enum att_wire_err e;

    defaults(r);
    e = check_bytes(line, len, err);
    if (e == ATT_WE_NONE)
        e = parse_envelope(line, len, implied, r, err);
    if (e == ATT_WE_NONE) {
        switch (r->op) {
        case ATT_OP_SEARCH: e = parse_search(r->root, r, err); break;
        case ATT_OP_GET: e = parse_get(r->root, r, err); break;
        case ATT_OP_AUTH: e = parse_auth(r->root, r, err); break;
        default: e = parse_plain(r->root, err); break;
        }
    }
    r->error = e;
    return e == ATT_WE_NONE ? ATT_OK : ATT_E_PARSE;
}

void att_request_free(struct att_request *r)
{
    cJSON_Delete(r->root);
    r->root = NULL;
    r->id = NULL;
}

/* ---- the client's side: building requests, reading responses ---- */

void att_request_init(struct att_request *req, enum att_op op)
{
    defaults(req);
    req->op = op;
}

/* "filter" and "highlight" with the members that differ from defaults. */
static void build_search_objects(const struct att_request *r, struct att_jw *w)
{
    bool pre = strcmp(r->pre, "<b>") != 0, post = strcmp(r->post, "</b>") != 0;
    bool any = false;

    for (size_t i = 0; i < NFILTERS; i++) {
        const char *v = *filter_at((struct att_search *)&r->s, i);

        if (v != NULL && !any)
            att_jw_obj(w, "filter");
        if (v != NULL)
            att_jw_str(w, filter_keys[i].name, v);
        any = any || v != NULL;
    }
    if (any)
        att_jw_end_obj(w);
    if (!pre && !post && r->snippet_len == ATTACHE_DEFAULT_SNIPPET)
        return;
    att_jw_obj(w, "highlight");
    if (pre)
        att_jw_str(w, "pre", r->pre);
    if (post)
        att_jw_str(w, "post", r->post);
    if (r->snippet_len != ATTACHE_DEFAULT_SNIPPET)
        att_jw_int(w, "length", (long long)r->snippet_len);
    att_jw_end_obj(w);
}

/* "fields" when the request names them. */
static void build_fields(const struct att_request *r, struct att_jw *w)
{
    if (!r->has_fields)
        return;
    att_jw_arr(w, "fields");
    for (unsigned i = 0; i < 20; i++)
        if ((r->fields & (1u << i)) != 0)
            att_jw_str(w, NULL, att_hit_field_names[i]);
    att_jw_end_arr(w);
}

static void build_search(const struct att_request *r, struct att_jw *w)
{
    const struct att_search *s = &r->s;

    att_jw_str(w, "q", s->q ? s->q : "");
    if (s->limit != ATTACHE_DEFAULT_LIMIT)
        att_jw_int(w, "limit", s->limit);
    if (s->offset != 0)
        att_jw_int(w, "offset", s->offset);
    if (s->per_doc != 0)
        att_jw_int(w, "per_doc", s->per_doc);
    if (s->sort != ATT_SORT_RELEVANCE)
        att_jw_str(w, "sort", sort_names[s->sort]);
    if (s->match != ATT_MATCH_AUTO)
        att_jw_str(w, "match", match_names[s->match]);
    if (s->lang != NULL)
        att_jw_str(w, "lang", s->lang);
    if (!r->quotes)
        att_jw_bool(w, "quotes", false);
    if (s->facets)
        att_jw_bool(w, "facets", true);
    if (s->exact_total)
        att_jw_bool(w, "exact_total", true);
    if (s->no_expand)
        att_jw_bool(w, "expand", false);
    if (s->explain)
        att_jw_bool(w, "explain", true);
    if (!s->collapse)
        att_jw_bool(w, "collapse", false);
    build_search_objects(r, w);
    build_fields(r, w);
}

int att_request_build(const struct att_request *r, char **line, size_t *len,
                      struct att_err *err)
{
    struct att_buf b;
    struct att_jw w;

    att_buf_init(&b, SIZE_MAX / 2);
    att_jw_init_buf(&w, &b);
    att_jw_obj(&w, NULL);
    if (r->id != NULL)
        att_jw_id(&w, r->id);
    att_jw_str(&w, "op", att_op_name(r->op));
    if (r->op == ATT_OP_SEARCH) {
        build_search(r, &w);
    } else if (r->op == ATT_OP_GET) {
        att_jw_str(&w, "doc", r->doc ? r->doc : "");
        if (r->passage >= 0)
            att_jw_int(&w, "passage", r->passage);
    } else if (r->op == ATT_OP_AUTH) {
        att_jw_str(&w, "token", r->token ? r->token : "");
    }
    att_jw_end_obj(&w);
    att_jw_newline(&w);
    if (att_jw_flush(&w, err) != ATT_OK) {
        att_buf_free(&b);
        *line = NULL;
        return att_err_set(err, ATT_E_NOMEM, "out of memory building a request");
    }
    *line = att_buf_take(&b, len);
    return ATT_OK;
}

int att_response_parse(const char *line, size_t len, struct att_response *r,
                       struct att_err *err)
{
    const cJSON *ok, *e, *code, *msg;

    memset(r, 0, sizeof *r);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    r->root = cJSON_ParseWithLength(line, len);
    ok = cJSON_GetObjectItemCaseSensitive(r->root, "ok");
    if (!cJSON_IsObject(r->root) || !cJSON_IsBool(ok))
        return att_err_set(err, ATT_E_PARSE, "the daemon sent something that is not a "
                           "JSON object with \"ok\"");
    r->ok = cJSON_IsTrue(ok);
    if (r->ok)
        return ATT_OK;
    e = cJSON_GetObjectItemCaseSensitive(r->root, "error");
    code = cJSON_GetObjectItemCaseSensitive(e, "code");
    msg = cJSON_GetObjectItemCaseSensitive(e, "message");
    r->code = cJSON_IsString(code) ? code->valuestring : "error";
    r->message = cJSON_IsString(msg) ? msg->valuestring : "";
    r->error = att_wire_err_lookup(r->code);
    return ATT_OK;
}

void att_response_free(struct att_response *r)
{
    if (r == NULL)
        return;
    cJSON_Delete(r->root);
    memset(r, 0, sizeof *r);
}
