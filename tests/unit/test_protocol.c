/* Unit tests of the request parser and the response lines (lib/protocol.c):
 * every op with its defaults, the id echoed in responses, each validation
 * error with its code, and the framing of response lines; the wire error
 * codes; requests built and responses read as the client does. docs/PROTOCOL.md
 * is the reference. Every request is parsed into a fixture that the
 * teardown frees, so that a failing test leaks nothing under the
 * sanitizers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "attache/protocol.h"
#include "buf.h"
#include "jsonw.h"
#include "protocol.h"

#define MSG_LEN 512 /* as in the daemon's dispatch */

#define OK NULL /* the request is accepted */
#define BAD_JSON ATTACHE_ERR_BAD_JSON
#define BAD_REQUEST ATTACHE_ERR_BAD_REQUEST
#define UNKNOWN_OP ATTACHE_ERR_UNKNOWN_OP

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- fixture ---- */

struct fx {
    struct att_request req; /* the last request parsed */
    char msg[MSG_LEN];      /* its error message */
    char *line;             /* the last request line built */
    char *tmp;              /* a repeated string, for long fields */
    char *out;              /* the last response line */
    cJSON *json;            /* out parsed back */
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);

    if (f == NULL)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    att_request_free(&f->req);
    free(f->line);
    free(f->tmp);
    free(f->out);
    cJSON_Delete(f->json);
    free(f);
    return 0;
}

/* ---- helpers ---- */

static bool same(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* A request line from fmt, with ' standing for ", kept in f->line. */
__attribute__((format(printf, 2, 3))) static const char *rq(struct fx *f, const char *fmt, ...)
{
    va_list ap;
    char *s;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    s = malloc((size_t)n + 1);
    assert_non_null(s);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    for (char *p = s; *p; p++) {
        if (*p == '\'')
            *p = '"';
    }
    free(f->line);
    f->line = s;
    return s;
}

/* s repeated n times, kept in f->tmp. */
static const char *rep(struct fx *f, const char *s, size_t n)
{
    size_t k = strlen(s);
    char *r = malloc(k * n + 1);

    assert_non_null(r);
    for (size_t i = 0; i < n; i++)
        memcpy(r + i * k, s, k);
    r[k * n] = '\0';
    free(f->tmp);
    f->tmp = r;
    return r;
}

/* pre, k times open, inner, k times close, post (' standing for "), kept
 * in f->line. */
static const char *nest(struct fx *f, const char *pre, size_t k, const char *open,
                        const char *inner, const char *close, const char *post)
{
    size_t n = strlen(pre) + k * (strlen(open) + strlen(close)) + strlen(inner) + strlen(post);
    char *s = malloc(n + 1);
    char *p = s;

    assert_non_null(s);
    p = stpcpy(p, pre);
    for (size_t i = 0; i < k; i++)
        p = stpcpy(p, open);
    p = stpcpy(p, inner);
    for (size_t i = 0; i < k; i++)
        p = stpcpy(p, close);
    stpcpy(p, post);
    for (p = s; *p; p++) {
        if (*p == '\'')
            *p = '"';
    }
    free(f->line);
    f->line = s;
    return s;
}

/* Parse line[0..len) into f->req, freeing the request before: NULL when
 * accepted, else the wire name of the error (message in f->msg). */
static const char *parse_n(struct fx *f, const char *line, size_t len)
{
    struct att_err err = {0};
    int rc;

    att_request_free(&f->req);
    memset(f->msg, 0, sizeof f->msg);
    rc = att_request_parse(line, len, &f->req, &err);
    if (rc == ATT_OK) {
        assert_int_equal(f->req.error, ATT_WE_NONE);
        return NULL;
    }
    assert_int_equal(rc, ATT_E_PARSE);
    assert_int_equal(err.code, ATT_E_PARSE);
    assert_non_null(att_wire_err_name(f->req.error));
    snprintf(f->msg, sizeof f->msg, "%s", err.msg);
    return att_wire_err_name(f->req.error);
}

/* Keep a response line in f->out, check its framing (one line, one "\n"
 * at the end) and parse it back into f->json. */
static const cJSON *take_line(struct fx *f, char *line, size_t len)
{
    const char *end = NULL;

    free(f->out);
    f->out = line;
    cJSON_Delete(f->json);
    f->json = NULL;
    assert_non_null(line);
    assert_int_equal(len, strlen(line));
    assert_true(len >= 2);
    assert_int_equal(line[len - 1], '\n');
    assert_null(memchr(line, '\n', len - 1));
    assert_null(memchr(line, '\r', len));
    f->json = cJSON_ParseWithOpts(line, &end, true);
    assert_non_null(f->json);
    assert_true(cJSON_IsObject(f->json));
    return f->json;
}

/* A bare success line for id, as the daemon writes it: {"id","ok":true}. */
static char *ok_line(const cJSON *id, size_t *len)
{
    struct att_buf b;
    struct att_jw w;

    att_buf_init(&b, SIZE_MAX / 2);
    att_jw_init_buf(&w, &b);
    att_jw_begin(&w, id, true);
    att_jw_end_obj(&w);
    att_jw_newline(&w);
    assert_int_equal(att_jw_flush(&w, NULL), ATT_OK);
    return att_buf_take(&b, len);
}

/* The line the daemon would answer f->req with: the error code (message
 * f->msg) or a bare success; parsed back into f->json. */
static const cJSON *reply(struct fx *f, const char *code)
{
    size_t len = 0;
    char *line;

    if (code != NULL) {
        line = att_error_line(f->req.id, code, f->msg, &len);
    } else {
        line = ok_line(f->req.id, &len);
    }
    return take_line(f, line, len);
}

/* Parse line[0..len): true when the result is want (NULL: accepted), the
 * message is not empty on error and contains needle (when given); prints
 * why not otherwise. Then checks the response built from the result. */
static bool check_at(struct fx *f, const char *file, int lineno, const char *line, size_t len,
                     const char *want, const char *needle)
{
    int shown = len > 160 ? 160 : (int)len;
    const char *code = parse_n(f, line, len);
    const cJSON *resp, *ok, *err, *c, *m;

    if (!same(code, want)) {
        print_error("%s:%d: request %.*s%s\n    got %s (%s), want %s\n", file, lineno, shown,
                    line, (size_t)shown < len ? "..." : "", code ? code : "success", f->msg,
                    want ? want : "success");
        return false;
    }
    if (code != NULL && f->msg[0] == '\0') {
        print_error("%s:%d: request %.*s: empty message for %s\n", file, lineno, shown, line,
                    code);
        return false;
    }
    if (code != NULL && needle != NULL && strstr(f->msg, needle) == NULL) {
        print_error("%s:%d: request %.*s: message \"%s\" does not name \"%s\"\n", file, lineno,
                    shown, line, f->msg, needle);
        return false;
    }
    resp = reply(f, code);
    ok = cJSON_GetObjectItemCaseSensitive(resp, "ok");
    assert_true(cJSON_IsBool(ok));
    assert_int_equal(cJSON_IsTrue(ok), code == NULL);
    assert_true(cJSON_HasObjectItem(resp, "id"));
    if (code != NULL) {
        err = cJSON_GetObjectItemCaseSensitive(resp, "error");
        assert_true(cJSON_IsObject(err));
        c = cJSON_GetObjectItemCaseSensitive(err, "code");
        m = cJSON_GetObjectItemCaseSensitive(err, "message");
        assert_true(cJSON_IsString(c));
        assert_true(cJSON_IsString(m));
        assert_string_equal(c->valuestring, code);
        assert_string_equal(m->valuestring, f->msg);
    }
    return true;
}

#define CHECK(f, line, want) check_at((f), __FILE__, __LINE__, (line), strlen(line), (want), NULL)

#define EXPECT_AT(f, line, len, want, needle)                                                  \
    do {                                                                                       \
        if (!check_at((f), __FILE__, __LINE__, (line), (len), (want), (needle)))             \
            _fail(__FILE__, __LINE__);                                                         \
    } while (0)

#define EXPECT(f, line, want) EXPECT_AT((f), (line), strlen(line), (want), NULL)
#define EXPECT_N(f, line, len, want) EXPECT_AT((f), (line), (len), (want), NULL)
#define EXPECT_MSG(f, line, want, needle) EXPECT_AT((f), (line), strlen(line), (want), (needle))

/* The "id" of the last response is the JSON value want (' standing for "). */
static void assert_reply_id(struct fx *f, const char *want)
{
    cJSON *w = cJSON_Parse(rq(f, "%s", want));
    bool eq;

    assert_non_null(w);
    eq = cJSON_Compare(cJSON_GetObjectItemCaseSensitive(f->json, "id"), w, true);
    cJSON_Delete(w);
    if (!eq)
        print_error("response %s: id is not %s\n", f->out, want);
    assert_true(eq);
}

/* ---- ops and their defaults ---- */

static void test_op_names(void **state)
{
    (void)state;
    assert_string_equal(att_op_name(ATT_OP_SEARCH), "search");
    assert_string_equal(att_op_name(ATT_OP_GET), "get");
    assert_string_equal(att_op_name(ATT_OP_STATS), "stats");
    assert_string_equal(att_op_name(ATT_OP_PING), "ping");
    assert_string_equal(att_op_name(ATT_OP_AUTH), "auth");
    assert_string_equal(att_op_name(ATT_OP_COUNT), "?");
}

static void test_search_defaults(void **state)
{
    struct fx *f = *state;
    const struct att_request *r = &f->req;

    /* Defaults are set whatever the struct held before. */
    memset(&f->req, 0xA5, sizeof f->req);
    f->req.root = NULL;
    EXPECT(f, rq(f, "{'op':'search','q':'taiwan arms'}"), OK);
    assert_int_equal(r->op, ATT_OP_SEARCH);
    assert_null(r->id);
    assert_non_null(r->root);
    assert_string_equal(r->s.q, "taiwan arms");
    assert_int_equal(r->s.qlen, 11);
    assert_int_equal(r->s.limit, 10);
    assert_int_equal(r->s.offset, 0);
    assert_int_equal(r->s.per_doc, 0);
    assert_int_equal(r->s.sort, ATT_SORT_RELEVANCE);
    assert_int_equal(r->s.match, ATT_MATCH_AUTO);
    assert_false(r->s.facets);
    assert_false(r->s.spelling);
    assert_null(r->s.source);
    assert_null(r->s.speaker);
    assert_null(r->s.doc);
    assert_null(r->s.from);
    assert_null(r->s.to);
    assert_string_equal(r->pre, "<b>");
    assert_string_equal(r->post, "</b>");
    assert_int_equal(r->snippet_len, 240);
    assert_true(r->quotes);
    assert_null(r->doc);
    assert_int_equal(r->passage, -1);
    /* The same values as the header's constants. */
    assert_int_equal(r->s.limit, ATTACHE_DEFAULT_LIMIT);
    assert_int_equal(r->snippet_len, ATTACHE_DEFAULT_SNIPPET);
}

static void test_search_every_field(void **state)
{
    struct fx *f = *state;
    const struct att_request *r = &f->req;

    EXPECT(f,
           rq(f, "{'id':7,'op':'search','q':'arms sale','limit':1000,'offset':100000,"
                 "'per_doc':1000,'sort':'-date','filter':{'source':'Reuters','from':'2025',"
                 "'to':'2025-11-24','speaker':'Lin Jian','doc':'seed/a.txt'},"
                 "'highlight':{'pre':'[','post':']','length':16},'quotes':false,"
                 "'facets':true,'match':'any'}"),
           OK);
    assert_int_equal(r->op, ATT_OP_SEARCH);
    assert_true(cJSON_IsNumber(r->id));
    assert_int_equal(r->id->valueint, 7);
    assert_string_equal(r->s.q, "arms sale");
    assert_int_equal(r->s.qlen, 9);
    assert_int_equal(r->s.limit, 1000);
    assert_int_equal(r->s.offset, 100000);
    assert_int_equal(r->s.per_doc, 1000);
    assert_int_equal(r->s.sort, ATT_SORT_DATE_DESC);
    assert_string_equal(r->s.source, "Reuters");
    assert_string_equal(r->s.from, "2025");
    assert_string_equal(r->s.to, "2025-11-24");
    assert_string_equal(r->s.speaker, "Lin Jian");
    assert_string_equal(r->s.doc, "seed/a.txt");
    assert_string_equal(r->pre, "[");
    assert_string_equal(r->post, "]");
    assert_int_equal(r->snippet_len, 16);
    assert_false(r->quotes);
    assert_true(r->s.facets);
    assert_int_equal(r->s.match, ATT_MATCH_ANY);
    assert_null(r->doc);
    assert_int_equal(r->passage, -1);
}

static void test_search_empty_objects_keep_defaults(void **state)
{
    struct fx *f = *state;
    const struct att_request *r = &f->req;

    EXPECT(f, rq(f, "{'op':'search','q':'a','filter':{},'highlight':{}}"), OK);
    assert_null(r->s.source);
    assert_null(r->s.from);
    assert_string_equal(r->pre, "<b>");
    assert_string_equal(r->post, "</b>");
    assert_int_equal(r->snippet_len, 240);
}

static void test_get_defaults(void **state)
{
    struct fx *f = *state;
    const struct att_request *r = &f->req;

    EXPECT(f, rq(f, "{'id':3,'op':'get','doc':'seed/trump-xi-call.txt'}"), OK);
    assert_int_equal(r->op, ATT_OP_GET);
    assert_string_equal(r->doc, "seed/trump-xi-call.txt");
    assert_int_equal(r->passage, -1);
    assert_null(r->s.q);
    assert_int_equal(r->s.limit, 10);
    assert_string_equal(r->pre, "<b>");
    assert_int_equal(r->snippet_len, 240);
    assert_true(r->quotes);

    EXPECT(f, rq(f, "{'id':4,'op':'get','doc':'seed/trump-xi-call.txt','passage':2}"), OK);
    assert_int_equal(r->op, ATT_OP_GET);
    assert_string_equal(r->doc, "seed/trump-xi-call.txt");
    assert_int_equal(r->passage, 2);
}

static void test_stats_and_ping(void **state)
{
    struct fx *f = *state;
    const struct att_request *r = &f->req;
    static const char *const ops[] = {"stats", "ping"};
    static const enum att_op want[] = {ATT_OP_STATS, ATT_OP_PING};

    for (size_t i = 0; i < COUNT(ops); i++) {
        /* A rich request first, to see that nothing of it remains. */
        EXPECT(f, rq(f, "{'op':'search','q':'x','limit':5,'filter':{'source':'s'}}"), OK);
        EXPECT(f, rq(f, "{'op':'%s'}", ops[i]), OK);
        assert_int_equal(r->op, want[i]);
        assert_null(r->id);
        assert_null(r->s.q);
        assert_null(r->s.source);
        assert_int_equal(r->s.limit, 10);
        assert_int_equal(r->s.offset, 0);
        assert_int_equal(r->s.per_doc, 0);
        assert_int_equal(r->s.sort, ATT_SORT_RELEVANCE);
        assert_string_equal(r->pre, "<b>");
        assert_string_equal(r->post, "</b>");
        assert_int_equal(r->snippet_len, 240);
        assert_true(r->quotes);
        assert_false(r->s.facets);
        assert_null(r->doc);
        assert_int_equal(r->passage, -1);

        EXPECT(f, rq(f, "{'op':'%s','id':6}", ops[i]), OK);
        assert_int_equal(r->op, want[i]);
        assert_non_null(r->id);
    }
}

/* ---- the id echo ---- */

static void test_id_echo(void **state)
{
    struct fx *f = *state;
    static const char *const ids[] = {
        "42",    "-7",   "1.5",   "0",     "9007199254740992", "'abc'", "''", "'line\\nbreak'",
        "'caf\\u00e9'", "{'a':[1,'b'],'c':null}", "[1,'x']", "[]", "{}", "null", "true",
        "false",
    };

    for (size_t i = 0; i < COUNT(ids); i++) {
        /* Success: att_jw_begin echoes the id. */
        EXPECT(f, rq(f, "{'id':%s,'op':'ping'}", ids[i]), OK);
        assert_non_null(f->req.id);
        assert_reply_id(f, ids[i]);
        /* Errors after the id was read echo it too. */
        EXPECT(f, rq(f, "{'id':%s,'op':'nope'}", ids[i]), UNKNOWN_OP);
        assert_reply_id(f, ids[i]);
        EXPECT(f, rq(f, "{'op':'search','id':%s}", ids[i]), BAD_REQUEST);
        assert_reply_id(f, ids[i]);
        EXPECT(f, rq(f, "{'id':%s,'op':'get','doc':''}", ids[i]), BAD_REQUEST);
        assert_reply_id(f, ids[i]);
        EXPECT(f, rq(f, "{'id':%s,'op':'ping','extra':1}", ids[i]), BAD_REQUEST);
        assert_reply_id(f, ids[i]);
    }
}

static void test_id_absent_is_null(void **state)
{
    struct fx *f = *state;

    EXPECT(f, rq(f, "{'op':'ping'}"), OK);
    assert_null(f->req.id);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(f->json, "id")));
    EXPECT(f, rq(f, "{'op':'nope'}"), UNKNOWN_OP);
    assert_null(f->req.id);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(f->json, "id")));
    /* The id is case-sensitive: "ID" is not it (and is an unknown field). */
    EXPECT(f, rq(f, "{'ID':1,'op':'ping'}"), BAD_REQUEST);
    assert_null(f->req.id);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(f->json, "id")));
}

static void test_id_of_unreadable_requests_is_null(void **state)
{
    struct fx *f = *state;
    static const char bad_utf8[] = "{\"id\":1,\"op\":\"ping\",\"x\":\"\xff\"}";

    EXPECT(f, rq(f, "{'id':3,'op':'ping'"), BAD_JSON);
    assert_null(f->req.id);
    assert_reply_id(f, "null");
    EXPECT(f, rq(f, "[{'id':3,'op':'ping'}]"), BAD_JSON);
    assert_null(f->req.id);
    assert_reply_id(f, "null");
    EXPECT(f, bad_utf8, BAD_JSON);
    assert_null(f->req.id);
    assert_reply_id(f, "null");
}

static void test_id_of_too_deep_request_is_echoed(void **state)
{
    struct fx *f = *state;

    /* The id was read before the depth check: the error echoes it. */
    EXPECT(f, nest(f, "{'id':9,'op':'ping','x':", 20, "[", "", "]", "}"), BAD_JSON);
    assert_reply_id(f, "9");
}

/* A number too large for a double reads as inf, which JSON cannot write:
 * it is echoed as null (found by tests/fuzz/fuzz_request). */
static void test_id_out_of_double_range_is_null(void **state)
{
    struct fx *f = *state;
    static const char *const ids[] = {"1e999", "-1e999", "123456789e400"};

    for (size_t i = 0; i < COUNT(ids); i++) {
        EXPECT(f, rq(f, "{'id':%s,'op':'ping'}", ids[i]), OK);
        assert_reply_id(f, "null");
        EXPECT(f, rq(f, "{'id':%s,'op':'nope'}", ids[i]), UNKNOWN_OP);
        assert_reply_id(f, "null");
    }
}

/* ---- bad_json ---- */

static void test_not_json(void **state)
{
    struct fx *f = *state;
    static const char *const lines[] = {
        "",
        " ",
        "\t",
        "x",
        "{",
        "}",
        "{\"op\":\"ping\"",
        "{\"op\":\"ping\",}",
        "{op:\"ping\"}",
        "{'op':'ping'}",
        "{\"op\" \"ping\"}",
        "{\"op\":\"ping\" \"id\":1}",
        "{\"op\":\"ping\",\"id\":NaN}",
        "{\"op\":\"ping\",\"id\":01x}",
        "{\"op\":\"ping\",\"id\":\"unterminated}",
        "{\"op\":\"ping\",\"id\":\"\\x41\"}",
        "{\"op\":\"ping\",\"id\":\"\\ud800\"}",
        "{\"op\":\"ping\",\"id\":\"\\udc00\"}",
        "{\"op\":\"ping\",\"id\":[1,]}",
    };

    for (size_t i = 0; i < COUNT(lines); i++)
        EXPECT(f, lines[i], BAD_JSON);
    /* A line of length 0 whatever the buffer holds. */
    EXPECT_N(f, "{\"op\":\"ping\"}", 0, BAD_JSON);
}

static void test_json_but_not_an_object(void **state)
{
    struct fx *f = *state;
    static const char *const lines[] = {
        "[]", "[{'op':'ping'}]", "42", "-1.5", "'ping'", "null", "true", "false", "[1,2,3]",
    };

    for (size_t i = 0; i < COUNT(lines); i++)
        EXPECT(f, rq(f, "%s", lines[i]), BAD_JSON);
}

static void test_invalid_utf8(void **state)
{
    struct fx *f = *state;
    static const char *const lines[] = {
        "{\"op\":\"ping\",\"id\":\"\xff\"}",              /* never valid */
        "{\"op\":\"ping\",\"id\":\"\x80\"}",              /* lone continuation */
        "{\"op\":\"ping\",\"id\":\"\xc0\xaf\"}",          /* overlong "/" */
        "{\"op\":\"ping\",\"id\":\"\xe0\x80\xaf\"}",      /* overlong, 3 bytes */
        "{\"op\":\"ping\",\"id\":\"\xed\xa0\x80\"}",      /* surrogate U+D800 */
        "{\"op\":\"ping\",\"id\":\"\xf4\x90\x80\x80\"}",  /* above U+10FFFF */
        "{\"op\":\"ping\",\"id\":\"\xe2\x82\"}",          /* truncated */
        "{\"op\":\"search\",\"q\":\"caf\xe9\"}",          /* Latin-1 */
        "{\"op\":\"ping\",\"\xc3\":1}",                   /* in a key */
        "{\"op\":\"ping\"}\xff",                          /* after the object */
        "\xef\xbb\xbf{\"op\":\"ping\"}\xc3",              /* BOM, then a cut sequence */
    };

    for (size_t i = 0; i < COUNT(lines); i++)
        EXPECT(f, lines[i], BAD_JSON);
}

static void test_valid_utf8(void **state)
{
    struct fx *f = *state;

    EXPECT(f, "{\"op\":\"search\",\"q\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}", OK);
    assert_string_equal(f->req.s.q, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    assert_int_equal(f->req.s.qlen, 14);
    /* Escapes are decoded to UTF-8, surrogate pairs included. */
    EXPECT(f, "{\"op\":\"search\",\"q\":\"caf\\u00e9 \\u20ac \\ud83d\\ude00\"}", OK);
    assert_string_equal(f->req.s.q, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    assert_int_equal(f->req.s.qlen, 14);
}

static void test_line_is_not_nul_terminated(void **state)
{
    struct fx *f = *state;
    static const char text[] = "{\"id\":1,\"op\":\"search\",\"q\":\"abc\",\"limit\":5}";
    size_t n = sizeof text - 1;
    char *exact = malloc(n);

    /* A buffer of exactly the line's bytes: the sanitizers catch any
     * read past it. */
    assert_non_null(exact);
    memcpy(exact, text, n);
    free(f->tmp);
    f->tmp = exact;
    EXPECT_N(f, exact, n, OK);
    assert_string_equal(f->req.s.q, "abc");
    assert_int_equal(f->req.s.limit, 5);
    /* Only len bytes count: what follows them in the buffer is ignored. */
    EXPECT_N(f, "{\"op\":\"ping\"}{garbage", 13, OK);
    assert_int_equal(f->req.op, ATT_OP_PING);
    /* A cut line is not JSON. */
    EXPECT_N(f, exact, n - 1, BAD_JSON);
    EXPECT_N(f, "{\"op\":\"ping\",\"id\":\"\xe2\x82\xac\"}", 20, BAD_JSON);
}

static void test_whitespace_around_the_object(void **state)
{
    struct fx *f = *state;

    EXPECT(f, " \t{ \"op\" : \"ping\" , \"id\" : [ 1 , 2 ] } \t", OK);
    assert_int_equal(f->req.op, ATT_OP_PING);
    EXPECT(f, "{\"op\":\"ping\"}\r", OK); /* a client sending CRLF */
    assert_int_equal(f->req.op, ATT_OP_PING);
    EXPECT(f, "{\r\"op\"\t:\t\"ping\"\t}", OK);
    /* Inside a string, white space must be escaped. */
    EXPECT(f, "{\"op\":\"search\",\"q\":\"tax\tcut\"}", BAD_JSON);
    EXPECT(f, "{\"op\":\"search\",\"q\":\"tax\rcut\"}", BAD_JSON);
    EXPECT(f, "{\"op\":\"ping\",\"id\":\"\\\"\t\"}", BAD_JSON);
    EXPECT(f, "{\"op\":\"search\",\"q\":\"tax\\tcut \\\\\"}", OK);
    assert_string_equal(f->req.s.q, "tax\tcut \\");
    EXPECT(f, "{\"op\":\"ping\",\"id\":\"\\\\\"\t}", OK); /* the string ends at \\" */
}

/* Text after the object makes the line invalid JSON (docs/PROTOCOL.md:
 * bad_json when "the line is not valid JSON"). */
static void test_trailing_garbage(void **state)
{
    struct fx *f = *state;
    static const char *const lines[] = {
        "{\"op\":\"ping\"} x",
        "{\"op\":\"ping\"}{\"op\":\"stats\"}",
        "{\"op\":\"ping\"}]",
        "{\"op\":\"ping\"},",
        "{}}",
        "{\"op\":\"get\",\"doc\":\"a\"} {\"op\":\"ping\"}",
    };
    static const char with_nul[] = "{\"op\":\"ping\"}\0junk";
    int missed = 0;

    for (size_t i = 0; i < COUNT(lines); i++)
        missed += !CHECK(f, lines[i], BAD_JSON);
    missed += !check_at(f, __FILE__, __LINE__, with_nul, sizeof with_nul - 1, BAD_JSON, NULL);
    assert_int_equal(missed, 0);
}

/* ---- nesting ---- */

static void test_depth_limit(void **state)
{
    struct fx *f = *state;
    int max = ATTACHE_MAX_DEPTH;

    assert_int_equal(max, 16);
    /* The root object and 15 empty arrays: 16 levels. */
    EXPECT(f, nest(f, "{'id':", (size_t)max - 1, "[", "", "]", ",'op':'ping'}"), OK);
    /* 17 levels. */
    EXPECT(f, nest(f, "{'id':", (size_t)max, "[", "", "]", ",'op':'ping'}"), BAD_JSON);
    EXPECT(f, nest(f, "{'id':", (size_t)max, "[", "1", "]", ",'op':'ping'}"), BAD_JSON);
    EXPECT_MSG(f, nest(f, "{'id':", 40, "[", "'x'", "]", ",'op':'ping'}"), BAD_JSON, "16");
    /* Objects count as arrays do: root, 14 objects and {} are 16 levels. */
    EXPECT(f, nest(f, "{'op':'ping','id':", (size_t)max - 2, "{'a':", "{}", "}", "}"), OK);
    EXPECT(f, nest(f, "{'op':'ping','id':", (size_t)max - 1, "{'a':", "{}", "}", "}"),
           BAD_JSON);
    /* Too deep whatever the op or the field: checked before anything else. */
    EXPECT(f, nest(f, "{'op':'search','q':'a','filter':", 20, "{'x':", "1", "}", "}"),
           BAD_JSON);
    EXPECT(f, nest(f, "{'op':'nope','x':", 20, "[", "", "]", "}"), BAD_JSON);
    /* Width is no depth. */
    EXPECT(f, rq(f, "{'op':'ping','id':[%s0]}", rep(f, "[1,2,{'a':'b'}],", 5000)), OK);
}

/* Depth counts nested arrays and objects, so the limit does not depend on
 * what the innermost one holds: the root and 15 arrays are 16 levels,
 * whether the last array is empty or not. */
static void test_depth_counts_containers(void **state)
{
    struct fx *f = *state;
    int missed = 0;

    missed += !CHECK(f, nest(f, "{'id':", 15, "[", "", "]", ",'op':'ping'}"), OK);
    missed += !CHECK(f, nest(f, "{'id':", 15, "[", "1", "]", ",'op':'ping'}"), OK);
    missed += !CHECK(f, nest(f, "{'id':", 15, "[", "'s'", "]", ",'op':'ping'}"), OK);
    missed += !CHECK(f, nest(f, "{'op':'ping','id':", 14, "{'a':", "{'b':1}", "}", "}"), OK);
    assert_int_equal(missed, 0);
}

static void test_cjson_nesting_limit(void **state)
{
    struct fx *f = *state;

    /* cJSON refuses more than CJSON_NESTING_LIMIT levels: bad_json, no
     * crash, nothing leaked. */
    EXPECT(f, nest(f, "", 100000, "[", "", "]", ""), BAD_JSON);
    assert_null(f->req.root);
    EXPECT(f, nest(f, "", 100000, "{'a':", "1", "}", ""), BAD_JSON);
    EXPECT(f, nest(f, "{'id':", 100000, "[", "", "]", ",'op':'ping'}"), BAD_JSON);
    assert_null(f->req.id);
    assert_reply_id(f, "null");
    /* Just under cJSON's limit: parsed, then refused by the depth check. */
    EXPECT(f, nest(f, "{'id':7,'op':'ping','x':", 990, "[", "", "]", "}"), BAD_JSON);
    assert_reply_id(f, "7");
}

/* ---- op ---- */

static void test_op_missing_or_not_a_string(void **state)
{
    struct fx *f = *state;
    static const char *const ops[] = {"5", "null", "true", "[]", "{}", "['ping']"};

    EXPECT_MSG(f, rq(f, "{}"), BAD_REQUEST, "op");
    EXPECT_MSG(f, rq(f, "{'id':1}"), BAD_REQUEST, "op");
    EXPECT_MSG(f, rq(f, "{'id':1,'q':'a'}"), BAD_REQUEST, "op");
    EXPECT_MSG(f, rq(f, "{'Op':'ping'}"), BAD_REQUEST, "op");
    for (size_t i = 0; i < COUNT(ops); i++)
        EXPECT_MSG(f, rq(f, "{'op':%s}", ops[i]), BAD_REQUEST, "op");
}

static void test_unknown_op(void **state)
{
    struct fx *f = *state;
    static const char *const ops[] = {
        "frobnicate", "PING", "Search", "search ", " get", "stat", "pingx", "index", "ping\\n",
    };

    for (size_t i = 0; i < COUNT(ops); i++) {
        EXPECT(f, rq(f, "{'op':'%s'}", ops[i]), UNKNOWN_OP);
        assert_null(f->req.id);
    }
    EXPECT_MSG(f, rq(f, "{'op':'frobnicate'}"), UNKNOWN_OP, "\"frobnicate\"");
    EXPECT_MSG(f, rq(f, "{'op':'PING'}"), UNKNOWN_OP, "PING");
    EXPECT(f, rq(f, "{'op':''}"), UNKNOWN_OP);
    /* Other fields do not matter before the op is known. */
    EXPECT_MSG(f, rq(f, "{'op':'delete','q':5,'zzz':1}"), UNKNOWN_OP, "delete");
    /* A long name is cut in the message, which stays within its buffer. */
    EXPECT_MSG(f, rq(f, "{'op':'%s'}", rep(f, "x", 5000)), UNKNOWN_OP, "xxxxxxxx");
    assert_true(strlen(f->msg) < 200);
    /* A newline in the op's name: the message has one, the line does not. */
    EXPECT(f, rq(f, "{'id':1,'op':'a\\nb'}"), UNKNOWN_OP);
    assert_non_null(strchr(f->msg, '\n'));
}

/* ---- search: q ---- */

static void test_q_required_string(void **state)
{
    struct fx *f = *state;
    static const char *const qs[] = {"null", "5", "true", "[]", "{}", "['a']"};

    EXPECT_MSG(f, rq(f, "{'op':'search'}"), BAD_REQUEST, "q");
    EXPECT_MSG(f, rq(f, "{'op':'search','limit':5}"), BAD_REQUEST, "q");
    for (size_t i = 0; i < COUNT(qs); i++)
        EXPECT_MSG(f, rq(f, "{'op':'search','q':%s}", qs[i]), BAD_REQUEST, "q");
}

static void test_q_length(void **state)
{
    struct fx *f = *state;
    int max = ATTACHE_MAX_QUERY;

    assert_int_equal(max, 4096);
    EXPECT(f, rq(f, "{'op':'search','q':'%s'}", rep(f, "a", 4096)), OK);
    assert_int_equal(f->req.s.qlen, 4096);
    assert_int_equal(strlen(f->req.s.q), 4096);
    EXPECT_MSG(f, rq(f, "{'op':'search','q':'%s'}", rep(f, "a", 4097)), BAD_REQUEST, "4096");
    EXPECT(f, rq(f, "{'op':'search','q':'%s'}", rep(f, "a", 100000)), BAD_REQUEST);
    /* Bytes of UTF-8, after decoding the escapes. */
    EXPECT(f, rq(f, "{'op':'search','q':'%s'}", rep(f, "\xc3\xa9", 2048)), OK);
    assert_int_equal(f->req.s.qlen, 4096);
    EXPECT(f, rq(f, "{'op':'search','q':'%s'}", rep(f, "\xc3\xa9", 2049)), BAD_REQUEST);
    EXPECT(f, rq(f, "{'op':'search','q':'%s'}", rep(f, "\\u00e9", 2048)), OK);
    assert_int_equal(f->req.s.qlen, 4096);
    EXPECT(f, rq(f, "{'op':'search','q':'%s'}", rep(f, "\\u00e9", 2049)), BAD_REQUEST);
    EXPECT(f, rq(f, "{'op':'search','q':'%s'}", rep(f, "\\n", 4097)), BAD_REQUEST);
}

static void test_q_wildcards(void **state)
{
    struct fx *f = *state;

    assert_int_equal(ATTACHE_MAX_WILDCARDS, 32);
    EXPECT(f, rq(f, "{'op':'search','q':'%s'}", rep(f, "a* ", 32)), OK);
    EXPECT_MSG(f, rq(f, "{'op':'search','q':'%s'}", rep(f, "a* ", 33)), BAD_REQUEST,
               "33 wildcards");
    EXPECT(f, rq(f, "{'op':'search','q':'%s'}", rep(f, "tax* OR ", 500)), BAD_REQUEST);
    /* A '*' after a letter, a digit or a byte of a UTF-8 letter is one. */
    EXPECT(f, rq(f, "{'op':'search','q':'%s'}", rep(f, "\xc3\xa9* 9* ", 17)), BAD_REQUEST);
    /* Stars that follow no letter expand nothing and are not counted. */
    EXPECT(f, rq(f, "{'op':'search','q':'%s'}", rep(f, " * (*) -* ", 100)), OK);
    EXPECT(f, rq(f, "{'op':'search','q':'*%s'}", rep(f, "*", 500)), OK);
}

static void test_q_empty(void **state)
{
    struct fx *f = *state;
    static const char *const filters[] = {
        "{'source':'Reuters'}", "{'speaker':'Lin Jian'}", "{'doc':'seed/a.txt'}",
        "{'from':'2025'}",      "{'to':'2025-11'}",       "{'from':'2025','to':'2026'}",
    };

    EXPECT_MSG(f, rq(f, "{'op':'search','q':''}"), BAD_REQUEST, "q");
    EXPECT(f, rq(f, "{'op':'search','q':'','filter':{}}"), BAD_REQUEST);
    EXPECT(f, rq(f, "{'op':'search','q':'','limit':5,'sort':'date'}"), BAD_REQUEST);
    for (size_t i = 0; i < COUNT(filters); i++) {
        EXPECT(f, rq(f, "{'op':'search','q':'','filter':%s}", filters[i]), OK);
        assert_string_equal(f->req.s.q, "");
        assert_int_equal(f->req.s.qlen, 0);
    }
}

/* A filter value of "" means no filter (include/attache/index.h and
 * lib/xap_search.cc ignore it), so q "" with only such values lists the whole
 * index, which the "q is empty and there is no filter" rule forbids. */
static void test_q_empty_with_only_empty_filter_values(void **state)
{
    struct fx *f = *state;
    int missed = 0;

    missed += !CHECK(f, rq(f, "{'op':'search','q':'','filter':{'source':''}}"), BAD_REQUEST);
    missed += !CHECK(f, rq(f, "{'op':'search','q':'','filter':{'speaker':''}}"), BAD_REQUEST);
    missed += !CHECK(f, rq(f, "{'op':'search','q':'','filter':{'doc':''}}"), BAD_REQUEST);
    assert_int_equal(missed, 0);
}

/* A string holding U+0000 cannot be passed on as a C string: it would be
 * cut there, and "a\u0000b" would silently become "a". */
static void test_nul_in_strings(void **state)
{
    struct fx *f = *state;
    int missed = 0;

    missed += !CHECK(f, rq(f, "{'op':'get','doc':'seed/a.txt\\u0000.bak'}"), BAD_REQUEST);
    missed += !CHECK(f, rq(f, "{'op':'search','q':'taiwan\\u0000 OR china'}"), BAD_REQUEST);
    missed += !CHECK(f, rq(f, "{'op':'search','q':'a','filter':{'source':'X\\u0000Y'}}"),
                     BAD_REQUEST);
    missed += !CHECK(f, rq(f, "{'op':'search','q':'a','sort':'date\\u0000x'}"), BAD_REQUEST);
    assert_int_equal(missed, 0);
}

/* ---- search: numbers ---- */

static void test_limit(void **state)
{
    struct fx *f = *state;
    static const char *const bad[] = {
        "0",    "1001",    "-1",    "1.5",   "10.5", "'10'", "1e300", "-1e300",
        "1e999", "-1e999", "true",  "false", "null", "[]",   "{}",    "[10]",
        "2147483648", "4294967306", "1e18", "-0.5",
    };

    for (size_t i = 0; i < COUNT(bad); i++)
        EXPECT_MSG(f, rq(f, "{'op':'search','q':'a','limit':%s}", bad[i]), BAD_REQUEST,
                   "limit");
    EXPECT(f, rq(f, "{'op':'search','q':'a','limit':1}"), OK);
    assert_int_equal(f->req.s.limit, 1);
    EXPECT(f, rq(f, "{'op':'search','q':'a','limit':1000}"), OK);
    assert_int_equal(f->req.s.limit, 1000);
    assert_int_equal(ATTACHE_MAX_LIMIT, 1000);
}

static void test_offset(void **state)
{
    struct fx *f = *state;
    static const char *const bad[] = {
        "-1", "100001", "0.5", "'0'", "null", "true", "1e300", "-1e300", "4294967296",
    };

    for (size_t i = 0; i < COUNT(bad); i++)
        EXPECT_MSG(f, rq(f, "{'op':'search','q':'a','offset':%s}", bad[i]), BAD_REQUEST,
                   "offset");
    EXPECT(f, rq(f, "{'op':'search','q':'a','offset':0}"), OK);
    assert_int_equal(f->req.s.offset, 0);
    EXPECT(f, rq(f, "{'op':'search','q':'a','offset':100000}"), OK);
    assert_int_equal(f->req.s.offset, 100000);
    assert_int_equal(ATTACHE_MAX_OFFSET, 100000);
}

static void test_per_doc(void **state)
{
    struct fx *f = *state;
    static const char *const bad[] = {"-1", "1001", "2.5", "'1'", "false", "null", "1e300"};

    for (size_t i = 0; i < COUNT(bad); i++)
        EXPECT_MSG(f, rq(f, "{'op':'search','q':'a','per_doc':%s}", bad[i]), BAD_REQUEST,
                   "per_doc");
    EXPECT(f, rq(f, "{'op':'search','q':'a','per_doc':0}"), OK);
    assert_int_equal(f->req.s.per_doc, 0);
    EXPECT(f, rq(f, "{'op':'search','q':'a','per_doc':1}"), OK);
    assert_int_equal(f->req.s.per_doc, 1);
    EXPECT(f, rq(f, "{'op':'search','q':'a','per_doc':1000}"), OK);
    assert_int_equal(f->req.s.per_doc, 1000);
}

/* ---- search: sort ---- */

static void test_sort(void **state)
{
    struct fx *f = *state;
    static const char *const bad[] = {
        "'x'",   "''",   "'Date'", "'DATE'", "'+date'", "'relevance '", "' date'",
        "'relevancerelevancerelevance'", "1", "null", "true", "['date']",
        "{}",
    };

    EXPECT(f, rq(f, "{'op':'search','q':'a','sort':'relevance'}"), OK);
    assert_int_equal(f->req.s.sort, ATT_SORT_RELEVANCE);
    EXPECT(f, rq(f, "{'op':'search','q':'a','sort':'date'}"), OK);
    assert_int_equal(f->req.s.sort, ATT_SORT_DATE);
    EXPECT(f, rq(f, "{'op':'search','q':'a','sort':'-date'}"), OK);
    assert_int_equal(f->req.s.sort, ATT_SORT_DATE_DESC);
    for (size_t i = 0; i < COUNT(bad); i++)
        EXPECT_MSG(f, rq(f, "{'op':'search','q':'a','sort':%s}", bad[i]), BAD_REQUEST, "sort");
}

/* ---- search: match ---- */

static void test_match(void **state)
{
    struct fx *f = *state;
    static const char *const bad[] = {
        "'x'", "''", "'ALL'", "'any '", "'or'", "'allanyautoallanyauto'", "1", "true", "null",
        "['all']",
    };

    EXPECT(f, rq(f, "{'op':'search','q':'a'}"), OK);
    assert_int_equal(f->req.s.match, ATT_MATCH_AUTO);
    EXPECT(f, rq(f, "{'op':'search','q':'a','match':'auto'}"), OK);
    assert_int_equal(f->req.s.match, ATT_MATCH_AUTO);
    EXPECT(f, rq(f, "{'op':'search','q':'a','match':'all'}"), OK);
    assert_int_equal(f->req.s.match, ATT_MATCH_ALL);
    EXPECT(f, rq(f, "{'op':'search','q':'a','match':'any'}"), OK);
    assert_int_equal(f->req.s.match, ATT_MATCH_ANY);
    for (size_t i = 0; i < COUNT(bad); i++)
        EXPECT_MSG(f, rq(f, "{'op':'search','q':'a','match':%s}", bad[i]), BAD_REQUEST,
                   "match");
    /* Only search takes it. */
    EXPECT_MSG(f, rq(f, "{'op':'get','doc':'a','match':'all'}"), BAD_REQUEST, "match");
    EXPECT_MSG(f, rq(f, "{'op':'ping','match':'all'}"), BAD_REQUEST, "match");
}

/* ---- search: filter ---- */

static void test_filter_shape(void **state)
{
    struct fx *f = *state;
    static const char *const bad[] = {"[]", "'source'", "1", "null", "true", "[{'source':'x'}]"};

    for (size_t i = 0; i < COUNT(bad); i++)
        EXPECT_MSG(f, rq(f, "{'op':'search','q':'a','filter':%s}", bad[i]), BAD_REQUEST,
                   "filter");
    EXPECT_MSG(f, rq(f, "{'op':'search','q':'a','filter':{'lang':'en'}}"), BAD_REQUEST,
               "lang");
    EXPECT_MSG(f, rq(f, "{'op':'search','q':'a','filter':{'source':'x','Source':'y'}}"),
               BAD_REQUEST, "Source");
    EXPECT_MSG(f, rq(f, "{'op':'search','q':'a','filter':{'q':'x'}}"), BAD_REQUEST,
               "unknown field q");
    EXPECT(f, rq(f, "{'op':'search','q':'a','filter':{'%s':1}}", rep(f, "k", 3000)),
           BAD_REQUEST);
}

static void test_filter_strings(void **state)
{
    struct fx *f = *state;
    static const char *const keys[] = {"source", "speaker", "doc"};
    static const char *const bad[] = {"1", "null", "true", "{}", "['x']"};
    int max = ATTACHE_MAX_FIELD;

    assert_int_equal(max, 1024);
    for (size_t k = 0; k < COUNT(keys); k++) {
        for (size_t i = 0; i < COUNT(bad); i++)
            EXPECT_MSG(f, rq(f, "{'op':'search','q':'a','filter':{'%s':%s}}", keys[k], bad[i]),
                       BAD_REQUEST, keys[k]);
        EXPECT(f, rq(f, "{'op':'search','q':'a','filter':{'%s':'%s'}}", keys[k],
                     rep(f, "s", 1024)),
               OK);
        EXPECT_MSG(f, rq(f, "{'op':'search','q':'a','filter':{'%s':'%s'}}", keys[k],
                         rep(f, "s", 1025)),
                   BAD_REQUEST, keys[k]);
    }
    EXPECT(f, rq(f, "{'op':'search','q':'a','filter':{'source':'Le Monde','speaker':'Wang Yi',"
                    "'doc':'seed/x.txt'}}"),
           OK);
    assert_string_equal(f->req.s.source, "Le Monde");
    assert_string_equal(f->req.s.speaker, "Wang Yi");
    assert_string_equal(f->req.s.doc, "seed/x.txt");
    assert_null(f->req.s.from);
    assert_null(f->req.s.to);
}

static void test_filter_dates(void **state)
{
    struct fx *f = *state;
    static const char *const keys[] = {"from", "to"};
    static const char *const good[] = {"2025", "2025-11", "2025-11-24", "1999-01-01"};
    static const char *const bad[] = {
        "'25'",         "'202'",        "'20251'",      "'2025-1'",     "'2025-1-01'",
        "'2025-11-2'",  "'2025/11/24'", "'2025.11.24'", "'20251124'",   "'abcd'",
        "'2025-ab'",    "'2025-11-2x'", "' 2025'",      "'2025 '",
        "'-2025'",      "'2025-11-'",   "'2025-11-24 '", "'2025-11-24T00:00'",
        "2025",         "null",         "true",         "['2025']",     "{}",
    };

    for (size_t k = 0; k < COUNT(keys); k++) {
        for (size_t i = 0; i < COUNT(good); i++) {
            EXPECT(f, rq(f, "{'op':'search','q':'a','filter':{'%s':'%s'}}", keys[k], good[i]),
                   OK);
            assert_string_equal(k == 0 ? f->req.s.from : f->req.s.to, good[i]);
            assert_null(k == 0 ? f->req.s.to : f->req.s.from);
        }
        for (size_t i = 0; i < COUNT(bad); i++)
            EXPECT(f, rq(f, "{'op':'search','q':'a','filter':{'%s':%s}}", keys[k], bad[i]),
                   BAD_REQUEST);
    }
    EXPECT_MSG(f, rq(f, "{'op':'search','q':'a','filter':{'from':'2025/11'}}"), BAD_REQUEST,
               "YYYY");
    EXPECT(f, rq(f, "{'op':'search','q':'','filter':{'from':'2025-11','to':'2025-11-30'}}"), OK);
    assert_string_equal(f->req.s.from, "2025-11");
    assert_string_equal(f->req.s.to, "2025-11-30");
    /* One bad date of two is enough. */
    EXPECT(f, rq(f, "{'op':'search','q':'a','filter':{'from':'2025','to':'2025-1'}}"),
           BAD_REQUEST);
}

/* Filter dates must name real days and months, and an empty one filters
 * nothing. */
static void test_filter_dates_calendar(void **state)
{
    struct fx *f = *state;
    static const char *const dates[] = {
        "2025-13-01", "2025-00-00", "2025-02-30", "2025-11-31", "2025-19-99", "0000", "9999-99",
    };

    for (size_t i = 0; i < COUNT(dates); i++)
        EXPECT(f, rq(f, "{'op':'search','q':'a','filter':{'from':'%s'}}", dates[i]),
               BAD_REQUEST);
    EXPECT(f, rq(f, "{'op':'search','q':'a','filter':{'from':'2024-02-29'}}"), OK);
    EXPECT(f, rq(f, "{'op':'search','q':'a','filter':{'from':''}}"), OK);
    assert_null(f->req.s.from);
}

/* ---- search: highlight ---- */

static void test_highlight(void **state)
{
    struct fx *f = *state;
    static const char *const markers[] = {"pre", "post"};
    static const char *const not_strings[] = {"1", "null", "true", "[]", "{}"};
    static const char *const bad_len[] = {
        "15", "0", "-1", "10001", "16.5", "'240'", "null", "true", "1e300",
    };
    int max = ATTACHE_MAX_MARKER;

    assert_int_equal(max, 64);
    EXPECT_MSG(f, rq(f, "{'op':'search','q':'a','highlight':[]}"), BAD_REQUEST, "highlight");
    EXPECT_MSG(f, rq(f, "{'op':'search','q':'a','highlight':'<b>'}"), BAD_REQUEST,
               "highlight");
    EXPECT_MSG(f, rq(f, "{'op':'search','q':'a','highlight':null}"), BAD_REQUEST, "highlight");
    EXPECT_MSG(f, rq(f, "{'op':'search','q':'a','highlight':{'color':'red'}}"), BAD_REQUEST,
               "color");
    for (size_t k = 0; k < COUNT(markers); k++) {
        EXPECT(f, rq(f, "{'op':'search','q':'a','highlight':{'%s':'%s'}}", markers[k],
                     rep(f, "x", 64)),
               OK);
        assert_int_equal(strlen(k == 0 ? f->req.pre : f->req.post), 64);
        EXPECT_MSG(f, rq(f, "{'op':'search','q':'a','highlight':{'%s':'%s'}}", markers[k],
                         rep(f, "x", 65)),
                   BAD_REQUEST, markers[k]);
        /* Bytes, not characters. */
        EXPECT(f, rq(f, "{'op':'search','q':'a','highlight':{'%s':'%s'}}", markers[k],
                     rep(f, "\xc3\xa9", 32)),
               OK);
        EXPECT(f, rq(f, "{'op':'search','q':'a','highlight':{'%s':'%s'}}", markers[k],
                     rep(f, "\xc3\xa9", 33)),
               BAD_REQUEST);
        EXPECT(f, rq(f, "{'op':'search','q':'a','highlight':{'%s':'%s'}}", markers[k],
                     rep(f, "x", 1000)),
               BAD_REQUEST);
        for (size_t i = 0; i < COUNT(not_strings); i++)
            EXPECT_MSG(f, rq(f, "{'op':'search','q':'a','highlight':{'%s':%s}}", markers[k],
                             not_strings[i]),
                       BAD_REQUEST, markers[k]);
    }
    for (size_t i = 0; i < COUNT(bad_len); i++)
        EXPECT_MSG(f, rq(f, "{'op':'search','q':'a','highlight':{'length':%s}}", bad_len[i]),
                   BAD_REQUEST, "length");
    EXPECT(f, rq(f, "{'op':'search','q':'a','highlight':{'length':16}}"), OK);
    assert_int_equal(f->req.snippet_len, 16);
    EXPECT(f, rq(f, "{'op':'search','q':'a','highlight':{'length':10000}}"), OK);
    assert_int_equal(f->req.snippet_len, 10000);
    assert_string_equal(f->req.pre, "<b>");
    assert_string_equal(f->req.post, "</b>");
    EXPECT(f, rq(f, "{'op':'search','q':'a','highlight':{'pre':'<em>','post':'</em>'}}"), OK);
    assert_string_equal(f->req.pre, "<em>");
    assert_string_equal(f->req.post, "</em>");
    assert_int_equal(f->req.snippet_len, 240);
    assert_int_equal(ATTACHE_MIN_SNIPPET, 16);
    assert_int_equal(ATTACHE_MAX_SNIPPET, 10000);
}

/* ---- search: booleans ---- */

static void test_quotes_and_facets(void **state)
{
    struct fx *f = *state;
    static const char *const bad[] = {"'false'", "'true'", "0", "1", "null", "[]", "{}"};

    EXPECT(f, rq(f, "{'op':'search','q':'a','quotes':false}"), OK);
    assert_false(f->req.quotes);
    EXPECT(f, rq(f, "{'op':'search','q':'a','quotes':true}"), OK);
    assert_true(f->req.quotes);
    EXPECT(f, rq(f, "{'op':'search','q':'a','facets':true}"), OK);
    assert_true(f->req.s.facets);
    EXPECT(f, rq(f, "{'op':'search','q':'a','facets':false}"), OK);
    assert_false(f->req.s.facets);
    for (size_t i = 0; i < COUNT(bad); i++) {
        EXPECT_MSG(f, rq(f, "{'op':'search','q':'a','quotes':%s}", bad[i]), BAD_REQUEST,
                   "quotes");
        EXPECT_MSG(f, rq(f, "{'op':'search','q':'a','facets':%s}", bad[i]), BAD_REQUEST,
                   "facets");
    }
}

/* ---- unknown fields ---- */

static void test_unknown_top_level_fields(void **state)
{
    struct fx *f = *state;
    static const char *const names[] = {
        "limits", "Q", "query", "match_any", "spelling", "time_limit_ms", "passage", "doc", "",
    };

    for (size_t i = 0; i < COUNT(names); i++) {
        EXPECT(f, rq(f, "{'op':'search','q':'a','%s':1}", names[i]), BAD_REQUEST);
        if (names[i][0] != '\0')
            assert_non_null(strstr(f->msg, names[i]));
    }
    EXPECT_MSG(f, rq(f, "{'op':'search','q':'a','limits':5}"), BAD_REQUEST,
               "unknown field limits");
    EXPECT_MSG(f, rq(f, "{'id':1,'op':'get','doc':'a','passages':1}"), BAD_REQUEST,
               "passages");
    EXPECT_MSG(f, rq(f, "{'op':'get','doc':'a','q':'x'}"), BAD_REQUEST, "unknown field q");
    EXPECT_MSG(f, rq(f, "{'op':'get','doc':'a','highlight':{}}"), BAD_REQUEST, "highlight");
    /* The field is named even when the rest of the request is wrong. */
    EXPECT_MSG(f, rq(f, "{'op':'search','verbose':true}"), BAD_REQUEST, "verbose");
    /* A long name is cut in the message. */
    EXPECT_MSG(f, rq(f, "{'op':'ping','%s':1}", rep(f, "n", 3000)), BAD_REQUEST, "nnnnnnnn");
    assert_true(strlen(f->msg) < 200);
}

static void test_stats_and_ping_take_no_fields(void **state)
{
    struct fx *f = *state;
    static const char *const ops[] = {"stats", "ping"};
    static const char *const fields[] = {
        "'q':'a'", "'doc':'a'", "'limit':5", "'filter':{}", "'verbose':true", "'pong':true",
        "'passage':0",
    };

    for (size_t o = 0; o < COUNT(ops); o++) {
        for (size_t i = 0; i < COUNT(fields); i++) {
            char name[32];
            const char *end = strchr(fields[i] + 1, '\'');

            snprintf(name, sizeof name, "%.*s", (int)(end - fields[i] - 1), fields[i] + 1);
            EXPECT_MSG(f, rq(f, "{'id':1,'op':'%s',%s}", ops[o], fields[i]), BAD_REQUEST,
                       name);
            assert_reply_id(f, "1");
        }
    }
}

/* ---- auth ---- */

static void test_auth(void **state)
{
    struct fx *f = *state;

    EXPECT(f, rq(f, "{'id':7,'op':'auth','token':'s3cret'}"), OK);
    assert_int_equal(f->req.op, ATT_OP_AUTH);
    assert_string_equal(f->req.token, "s3cret");
    assert_reply_id(f, "7");
    /* The longest token, and one byte more. */
    EXPECT(f, rq(f, "{'op':'auth','token':'%s'}", rep(f, "t", ATTACHE_MAX_TOKEN)), OK);
    assert_int_equal(strlen(f->req.token), ATTACHE_MAX_TOKEN);
    EXPECT_MSG(f, rq(f, "{'op':'auth','token':'%s'}", rep(f, "t", ATTACHE_MAX_TOKEN + 1)),
               BAD_REQUEST, "token");
    /* The token is required, a string, and nothing else is allowed. */
    EXPECT_MSG(f, rq(f, "{'id':1,'op':'auth'}"), BAD_REQUEST, "token");
    assert_reply_id(f, "1");
    EXPECT_MSG(f, rq(f, "{'op':'auth','token':5}"), BAD_REQUEST, "token");
    EXPECT_MSG(f, rq(f, "{'op':'auth','token':null}"), BAD_REQUEST, "token");
    EXPECT_MSG(f, rq(f, "{'op':'auth','token':'a','user':'b'}"), BAD_REQUEST, "user");
    EXPECT_MSG(f, rq(f, "{'op':'auth','token':'a\\u0000b'}"), BAD_REQUEST, "NUL");
    /* Other ops take no token. */
    EXPECT_MSG(f, rq(f, "{'op':'ping','token':'a'}"), BAD_REQUEST, "token");
    EXPECT(f, rq(f, "{'op':'Auth','token':'a'}"), UNKNOWN_OP);
}

/* ---- get ---- */

static void test_get_doc(void **state)
{
    struct fx *f = *state;
    static const char *const bad[] = {"''", "1", "null", "true", "[]", "{}", "['a']"};

    EXPECT_MSG(f, rq(f, "{'op':'get'}"), BAD_REQUEST, "doc");
    EXPECT_MSG(f, rq(f, "{'op':'get','passage':1}"), BAD_REQUEST, "doc");
    for (size_t i = 0; i < COUNT(bad); i++)
        EXPECT_MSG(f, rq(f, "{'op':'get','doc':%s}", bad[i]), BAD_REQUEST, "doc");
    EXPECT(f, rq(f, "{'op':'get','doc':'%s'}", rep(f, "d", 1024)), OK);
    assert_int_equal(strlen(f->req.doc), 1024);
    EXPECT_MSG(f, rq(f, "{'op':'get','doc':'%s'}", rep(f, "d", 1025)), BAD_REQUEST, "doc");
    EXPECT(f, rq(f, "{'op':'get','doc':'caf\xc3\xa9/../x y.txt'}"), OK);
    assert_string_equal(f->req.doc, "caf\xc3\xa9/../x y.txt");
}

static void test_get_passage(void **state)
{
    struct fx *f = *state;
    static const char *const bad[] = {
        "-1", "-2", "10000001", "1.5", "'2'", "null", "true", "[]", "1e300", "-1e300",
    };

    for (size_t i = 0; i < COUNT(bad); i++)
        EXPECT_MSG(f, rq(f, "{'op':'get','doc':'a','passage':%s}", bad[i]), BAD_REQUEST,
                   "passage");
    EXPECT(f, rq(f, "{'op':'get','doc':'a','passage':0}"), OK);
    assert_int_equal(f->req.passage, 0);
    EXPECT(f, rq(f, "{'op':'get','doc':'a','passage':10000000}"), OK);
    assert_int_equal(f->req.passage, 10000000);
    /* A bad passage is reported even when doc is missing. */
    EXPECT(f, rq(f, "{'op':'get','passage':-5}"), BAD_REQUEST);
}

/* ---- messages ---- */

static void test_message_fits_the_error_record(void **state)
{
    struct fx *f = *state;
    const char *code;

    const char *line = rq(f, "{'op':'%s'}", rep(f, "frobnicate", 100));

    code = parse_n(f, line, strlen(line));
    assert_non_null(code);
    assert_string_equal(code, UNKNOWN_OP);
    assert_true(strlen(f->msg) < ATT_ERR_LEN);
    assert_non_null(strstr(f->msg, "frobnicate"));
    assert_null(strstr(f->msg, rep(f, "frobnicate", 8))); /* the op is cut short */
}

/* ---- freeing ---- */

static void test_free_is_idempotent(void **state)
{
    struct fx *f = *state;

    EXPECT(f, rq(f, "{'id':{'a':1},'op':'ping'}"), OK);
    assert_non_null(f->req.root);
    assert_non_null(f->req.id);
    att_request_free(&f->req);
    assert_null(f->req.root);
    assert_null(f->req.id);
    att_request_free(&f->req);
    /* After a failure before any JSON was read. */
    EXPECT(f, "{\"op\":\"\xff\"}", BAD_JSON);
    assert_null(f->req.root);
    att_request_free(&f->req);
    att_request_free(&f->req);
}

/* ---- response lines ---- */

static void test_response_begin(void **state)
{
    struct fx *f = *state;
    struct att_buf b;
    struct att_jw w;
    size_t len = 0;
    char *line = ok_line(NULL, &len);

    take_line(f, line, len);
    assert_string_equal(f->out, "{\"id\":null,\"ok\":true}\n");
    assert_int_equal(len, 22);

    att_buf_init(&b, SIZE_MAX / 2);
    att_jw_init_buf(&w, &b);
    att_jw_begin(&w, NULL, false);
    att_jw_end_obj(&w);
    att_jw_newline(&w);
    assert_int_equal(att_jw_flush(&w, NULL), ATT_OK);
    line = att_buf_take(&b, &len);
    take_line(f, line, len);
    assert_string_equal(f->out, "{\"id\":null,\"ok\":false}\n");
}

/* Responses are lines: a newline inside a string or a key is escaped. */
static void test_response_line_escapes_newlines(void **state)
{
    struct fx *f = *state;
    cJSON *o = cJSON_CreateObject();
    struct att_buf b;
    struct att_jw w;
    size_t len = 0;
    char *line;
    bool eq;

    assert_non_null(o);
    cJSON_AddStringToObject(o, "text", "one\ntwo\r\nthree\n\n");
    cJSON_AddStringToObject(o, "key\nwith\nnewlines", "\n");
    cJSON_AddStringToObject(o, "tab", "a\tb\x01" "c");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "list"), cJSON_CreateString("x\ny"));
    cJSON_AddNumberToObject(o, "n", 12);
    att_buf_init(&b, SIZE_MAX / 2);
    att_jw_init_buf(&w, &b);
    att_jw_cjson(&w, NULL, o);
    att_jw_newline(&w);
    assert_int_equal(att_jw_flush(&w, NULL), ATT_OK);
    line = att_buf_take(&b, &len);
    take_line(f, line, len);
    assert_non_null(strstr(f->out, "one\\ntwo\\r\\nthree\\n\\n"));
    assert_non_null(strstr(f->out, "key\\nwith\\nnewlines"));
    assert_null(strchr(f->out, '\n') == f->out + len - 1 ? NULL : f->out);
    eq = cJSON_Compare(f->json, o, true);
    cJSON_Delete(o);
    assert_true(eq);
}

static void test_error_line(void **state)
{
    struct fx *f = *state;
    cJSON *id = cJSON_CreateString("req\n1");
    const cJSON *e, *resp;
    size_t len = 0;
    char *line;

    assert_non_null(id);
    line = att_error_line(id, BAD_REQUEST, "first line\nsecond line\r\n", &len);
    resp = take_line(f, line, len);
    cJSON_Delete(id);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(resp, "id")),
                        "req\n1");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(resp, "ok")));
    e = cJSON_GetObjectItemCaseSensitive(resp, "error");
    assert_true(cJSON_IsObject(e));
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "code")),
                        BAD_REQUEST);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "message")),
                        "first line\nsecond line\r\n");

    line = att_error_line(NULL, ATTACHE_ERR_OVERLOADED, "too many", &len);
    resp = take_line(f, line, len);
    assert_string_equal(f->out, "{\"id\":null,\"ok\":false,\"error\":{\"code\":\"overloaded\","
                                "\"message\":\"too many\"}}\n");
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(resp, "id")));
}

/* ---- error codes ---- */

static void test_wire_error_names(void **state)
{
    static const char *const names[] = {
        ATTACHE_ERR_BAD_JSON,    ATTACHE_ERR_BAD_REQUEST, ATTACHE_ERR_UNKNOWN_OP,
        ATTACHE_ERR_TOO_LARGE,   ATTACHE_ERR_QUERY_SYNTAX, ATTACHE_ERR_TIMEOUT,
        ATTACHE_ERR_NOT_FOUND,   ATTACHE_ERR_OVERLOADED, ATTACHE_ERR_UNAVAILABLE,
        ATTACHE_ERR_UNAUTHORIZED, ATTACHE_ERR_INTERNAL};

    (void)state;
    assert_int_equal(COUNT(names), ATT_WE_COUNT - 1);
    for (int i = ATT_WE_NONE + 1; i < ATT_WE_COUNT; i++) {
        assert_string_equal(att_wire_err_name((enum att_wire_err)i), names[i - 1]);
        assert_int_equal(att_wire_err_lookup(names[i - 1]), i);
    }
    assert_null(att_wire_err_name(ATT_WE_NONE));
    assert_null(att_wire_err_name(ATT_WE_COUNT));
    assert_int_equal(att_wire_err_lookup("Bad_Json"), ATT_WE_NONE);
    assert_int_equal(att_wire_err_lookup(""), ATT_WE_NONE);
    assert_int_equal(att_wire_err_lookup(NULL), ATT_WE_NONE);
}

static void test_wire_error_of_status(void **state)
{
    (void)state;
    assert_int_equal(att_wire_err_of(ATT_OK), ATT_WE_NONE);
    assert_int_equal(att_wire_err_of(ATT_E_QUERY), ATT_WE_QUERY_SYNTAX);
    assert_int_equal(att_wire_err_of(ATT_E_TIMEOUT), ATT_WE_TIMEOUT);
    assert_int_equal(att_wire_err_of(ATT_E_NOTFOUND), ATT_WE_NOT_FOUND);
    assert_int_equal(att_wire_err_of(ATT_E_OPENING), ATT_WE_UNAVAILABLE);
    assert_int_equal(att_wire_err_of(ATT_E_CORRUPT), ATT_WE_UNAVAILABLE);
    assert_int_equal(att_wire_err_of(ATT_E_MODIFIED), ATT_WE_UNAVAILABLE);
    assert_int_equal(att_wire_err_of(ATT_E_INDEX), ATT_WE_UNAVAILABLE);
    assert_int_equal(att_wire_err_of(ATT_E_NOMEM), ATT_WE_INTERNAL);
    assert_int_equal(att_wire_err_of(ATT_E_INTERNAL), ATT_WE_INTERNAL);
    assert_int_equal(att_wire_err_of(12345), ATT_WE_INTERNAL);
}

static void test_wire_error_line(void **state)
{
    struct fx *f = *state;
    size_t len = 0;
    char *line;

    line = att_wire_error_line(NULL, ATT_WE_TOO_LARGE, "long", &len);
    take_line(f, line, len);
    assert_string_equal(f->out, "{\"id\":null,\"ok\":false,\"error\":{\"code\":\"too_large\","
                                "\"message\":\"long\"}}\n");
    line = att_wire_error_line(NULL, ATT_WE_NONE, "?", &len);
    take_line(f, line, len);
    assert_non_null(strstr(f->out, "\"internal\""));
}

/* ---- building requests (the client's side) ---- */

/* Build r into f->line, check it is one line, and parse it back into
 * f->req (which must accept it). */
static void build_and_parse(struct fx *f, const struct att_request *r)
{
    struct att_err err = {0};
    char *line = NULL;
    size_t len = 0;

    assert_int_equal(att_request_build(r, &line, &len, &err), ATT_OK);
    assert_non_null(line);
    assert_int_equal(len, strlen(line));
    assert_int_equal(line[len - 1], '\n');
    assert_null(memchr(line, '\n', len - 1));
    free(f->line);
    f->line = line;
    assert_null(parse_n(f, line, len - 1));
}

static void test_build_default_requests(void **state)
{
    struct fx *f = *state;
    struct att_request r;
    cJSON *id = cJSON_CreateNumber(7);

    att_request_init(&r, ATT_OP_SEARCH);
    r.id = id;
    r.s.q = "arms sale";
    build_and_parse(f, &r);
    assert_string_equal(f->line, "{\"id\":7,\"op\":\"search\",\"q\":\"arms sale\"}\n");
    assert_int_equal(f->req.s.limit, ATTACHE_DEFAULT_LIMIT);
    assert_true(f->req.quotes);
    att_request_init(&r, ATT_OP_PING);
    build_and_parse(f, &r);
    assert_string_equal(f->line, "{\"op\":\"ping\"}\n");
    assert_null(f->req.id);
    att_request_init(&r, ATT_OP_STATS);
    r.id = id;
    build_and_parse(f, &r);
    assert_string_equal(f->line, "{\"id\":7,\"op\":\"stats\"}\n");
    assert_int_equal(f->req.op, ATT_OP_STATS);
    cJSON_Delete(id);
}

static void test_build_search_round_trip(void **state)
{
    struct fx *f = *state;
    struct att_request r;

    att_request_init(&r, ATT_OP_SEARCH);
    r.s.q = "\"red line\" wang*";
    r.s.limit = 3;
    r.s.offset = 30;
    r.s.per_doc = 2;
    r.s.sort = ATT_SORT_DATE_DESC;
    r.s.match = ATT_MATCH_ANY;
    r.s.source = "Reuters";
    r.s.from = "2024";
    r.s.to = "2025-11-30";
    r.s.speaker = "Wang Yi";
    r.s.doc = "news/a.txt";
    r.s.facets = true;
    r.quotes = false;
    r.pre = "\x01";
    r.post = "\x02";
    r.snippet_len = 360;
    build_and_parse(f, &r);
    assert_string_equal(f->req.s.q, r.s.q);
    assert_int_equal(f->req.s.qlen, strlen(r.s.q));
    assert_int_equal(f->req.s.limit, 3);
    assert_int_equal(f->req.s.offset, 30);
    assert_int_equal(f->req.s.per_doc, 2);
    assert_int_equal(f->req.s.sort, ATT_SORT_DATE_DESC);
    assert_int_equal(f->req.s.match, ATT_MATCH_ANY);
    assert_string_equal(f->req.s.source, "Reuters");
    assert_string_equal(f->req.s.from, "2024");
    assert_string_equal(f->req.s.to, "2025-11-30");
    assert_string_equal(f->req.s.speaker, "Wang Yi");
    assert_string_equal(f->req.s.doc, "news/a.txt");
    assert_true(f->req.s.facets);
    assert_false(f->req.quotes);
    assert_string_equal(f->req.pre, "\x01");
    assert_string_equal(f->req.post, "\x02");
    assert_int_equal(f->req.snippet_len, 360);
    r.s.sort = ATT_SORT_DATE;
    r.s.match = ATT_MATCH_ALL;
    build_and_parse(f, &r);
    assert_int_equal(f->req.s.sort, ATT_SORT_DATE);
    assert_int_equal(f->req.s.match, ATT_MATCH_ALL);
}

static void test_build_get_and_auth(void **state)
{
    struct fx *f = *state;
    struct att_request r;
    cJSON *id = cJSON_CreateString("auth");

    att_request_init(&r, ATT_OP_GET);
    r.doc = "news/soybeans.txt";
    build_and_parse(f, &r);
    assert_string_equal(f->line, "{\"op\":\"get\",\"doc\":\"news/soybeans.txt\"}\n");
    assert_int_equal(f->req.passage, -1);
    r.passage = 0;
    build_and_parse(f, &r);
    assert_int_equal(f->req.passage, 0);
    att_request_init(&r, ATT_OP_AUTH);
    r.id = id;
    r.token = "kP3\"x";
    build_and_parse(f, &r);
    assert_string_equal(f->req.token, "kP3\"x");
    assert_string_equal(cJSON_GetStringValue(f->req.id), "auth");
    cJSON_Delete(id);
}

/* ---- reading responses (the client's side) ---- */

static void test_response_parse(void **state)
{
    struct att_response r;
    struct att_err err = {0};
    const char *ok = "{\"id\":1,\"ok\":true,\"pong\":true}\n";
    const char *bad = "{\"id\":1,\"ok\":false,\"error\":{\"code\":\"not_found\","
                      "\"message\":\"no such document\"}}";

    (void)state;
    assert_int_equal(att_response_parse(ok, strlen(ok), &r, &err), ATT_OK);
    assert_true(r.ok);
    assert_int_equal(r.error, ATT_WE_NONE);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.root, "pong")));
    att_response_free(&r);
    assert_int_equal(att_response_parse(bad, strlen(bad), &r, &err), ATT_OK);
    assert_false(r.ok);
    assert_int_equal(r.error, ATT_WE_NOT_FOUND);
    assert_string_equal(r.code, "not_found");
    assert_string_equal(r.message, "no such document");
    att_response_free(&r);
    att_response_free(&r); /* idempotent */
    bad = "{\"ok\":false,\"error\":{\"code\":\"new_code\"}}";
    assert_int_equal(att_response_parse(bad, strlen(bad), &r, &err), ATT_OK);
    assert_int_equal(r.error, ATT_WE_NONE);
    assert_string_equal(r.code, "new_code");
    assert_string_equal(r.message, "");
    att_response_free(&r);
    bad = "{\"ok\":false}";
    assert_int_equal(att_response_parse(bad, strlen(bad), &r, &err), ATT_OK);
    assert_string_equal(r.code, "error");
    att_response_free(&r);
    for (size_t i = 0; i < 4; i++) {
        static const char *const junk[] = {"garbage", "[1]", "{\"ok\":1}", ""};

        err.code = ATT_OK;
        assert_int_equal(att_response_parse(junk[i], strlen(junk[i]), &r, &err), ATT_E_PARSE);
        assert_int_equal(err.code, ATT_E_PARSE);
        att_response_free(&r);
    }
    att_response_free(NULL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_op_names),
        T(test_search_defaults),
        T(test_search_every_field),
        T(test_search_empty_objects_keep_defaults),
        T(test_get_defaults),
        T(test_stats_and_ping),
        T(test_id_echo),
        T(test_id_absent_is_null),
        T(test_id_of_unreadable_requests_is_null),
        T(test_id_of_too_deep_request_is_echoed),
        T(test_id_out_of_double_range_is_null),
        T(test_not_json),
        T(test_json_but_not_an_object),
        T(test_invalid_utf8),
        T(test_valid_utf8),
        T(test_line_is_not_nul_terminated),
        T(test_whitespace_around_the_object),
        T(test_trailing_garbage),
        T(test_depth_limit),
        T(test_depth_counts_containers),
        T(test_cjson_nesting_limit),
        T(test_op_missing_or_not_a_string),
        T(test_unknown_op),
        T(test_q_required_string),
        T(test_q_length),
        T(test_q_wildcards),
        T(test_q_empty),
        T(test_q_empty_with_only_empty_filter_values),
        T(test_nul_in_strings),
        T(test_limit),
        T(test_offset),
        T(test_per_doc),
        T(test_sort),
        T(test_match),
        T(test_filter_shape),
        T(test_filter_strings),
        T(test_filter_dates),
        T(test_filter_dates_calendar),
        T(test_highlight),
        T(test_quotes_and_facets),
        T(test_unknown_top_level_fields),
        T(test_stats_and_ping_take_no_fields),
        T(test_auth),
        T(test_get_doc),
        T(test_get_passage),
        T(test_message_fits_the_error_record),
        T(test_free_is_idempotent),
        T(test_response_begin),
        T(test_response_line_escapes_newlines),
        T(test_error_line),
        T(test_wire_error_names),
        T(test_wire_error_of_status),
        T(test_wire_error_line),
        T(test_build_default_requests),
        T(test_build_search_round_trip),
        T(test_build_get_and_auth),
        T(test_response_parse),
    };
#undef T

    return cmocka_run_group_tests(tests, NULL, NULL);
}
