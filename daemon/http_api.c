/* attached: HTTP routes. The JSON API (/search, /get, /stats) runs the
 * socket protocol's handlers on the body, or on a request made of the
 * query string; /health, /ready and /metrics are metrics.c's; any other
 * path is the search page's (web.c). Authentication: with a token file,
 * every request but the page's own needs "Authorization: Bearer TOKEN" or
 * the page's cookie. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "attache/protocol.h"
#include "http.h"
#include "jsonw.h"
#include "log.h"

#define M_GET (1u << HTTP_GET)
#define M_HEAD (1u << HTTP_HEAD)
#define M_POST (1u << HTTP_POST)
#define M_OPTIONS (1u << HTTP_OPTIONS)

enum route_kind { R_API, R_HEALTH, R_READY, R_METRICS };

struct route {
    const char *path;
    enum route_kind kind;
    int op;             /* R_API: the op the path implies */
    unsigned methods;
    const char *allow;  /* the Allow header */
};

static const struct route routes[] = {
    {"/search", R_API, ATT_OP_SEARCH, M_GET | M_HEAD | M_POST | M_OPTIONS,
     "GET, HEAD, POST, OPTIONS"},
    {"/get", R_API, ATT_OP_GET, M_GET | M_HEAD | M_POST | M_OPTIONS, "GET, HEAD, POST, OPTIONS"},
    {"/stats", R_API, ATT_OP_STATS, M_GET | M_HEAD | M_POST | M_OPTIONS,
     "GET, HEAD, POST, OPTIONS"},
    {"/health", R_HEALTH, 0, M_GET | M_HEAD | M_OPTIONS, "GET, HEAD, OPTIONS"},
    {"/ready", R_READY, 0, M_GET | M_HEAD | M_OPTIONS, "GET, HEAD, OPTIONS"},
    {"/metrics", R_METRICS, 0, M_GET | M_HEAD | M_OPTIONS, "GET, HEAD, OPTIONS"},
};

#define COOKIE_NAME "attache_token"

static int to_evbuffer(void *ud, const char *p, size_t n)
{
    return evbuffer_add(ud, p, n) == 0 ? ATT_OK : ATT_E_NOMEM;
}

/* No token set, or a good one in the Authorization header or the cookie. */
static bool authed(struct worker *w, const struct http_req *r)
{
    const char *a = http_header(r, "Authorization");
    char cookie[512];

    if (!auth_required(&w->srv->auth))
        return true;
    if (a != NULL && strncasecmp(a, "Bearer ", 7) == 0) {
        a += 7;
        a += strspn(a, " ");
        return auth_check(&w->srv->auth, a, strlen(a));
    }
    if (http_cookie(r, COOKIE_NAME, cookie, sizeof cookie))
        return auth_check(&w->srv->auth, cookie, strlen(cookie));
    return false;
}

int http_run_json(struct worker *w, const struct http_req *rq, const char *json, size_t len,
                  struct evbuffer *out, enum att_wire_err *code)
{
    struct session ss = {.need_auth = false};

    snprintf(ss.peer, sizeof ss.peer, "%s", rq && rq->peer ? rq->peer : "http");
    return dispatch_request(w, json, len, ATT_OP_COUNT, &ss, out, code);
}

/* A value of the query string as a JSON number when it is one, else a
 * string (the protocol then says what it wants). */
static void put_value(struct att_jw *jw, const char *key, const char *v)
{
    if (*v != '\0' && strlen(v) < 16 && strspn(v, "0123456789") == strlen(v))
        att_jw_int(jw, key, strtoll(v, NULL, 10));
    else
        att_jw_str(jw, key, v);
}

/* "a,b,c" as a JSON array of strings. */
static void put_list(struct att_jw *jw, const char *key, const char *v)
{
    att_jw_arr(jw, key);
    while (*v) {
        size_t n = strcspn(v, ",");

        att_jw_strn(jw, NULL, v, n);
        v += n + (v[n] == ',');
    }
    att_jw_end_arr(jw);
}

static bool is_filter(const char *k)
{
    static const char *const names[] = {"from", "to", "source", "speaker", "author",
                                        "actor", "language", "doc", NULL};

    for (int i = 0; names[i]; i++) {
        if (strcmp(k, names[i]) == 0)
            return true;
    }
    return false;
}

/* The request a GET's query string stands for, written into json;
 * false with msg filled when a parameter is unknown or malformed. */
static bool query_request(const struct route *rt, const char *query, struct evbuffer *json,
                          char *msg, size_t msglen)
{
    static const char *const plain[] = {"q", "limit", "offset", "sort", "per_doc", "id",
                                        "doc", "passage", NULL};
    struct evkeyvalq kv;
    struct evkeyval *e;
    struct att_jw jw;
    bool ok = true, filter = false;

    TAILQ_INIT(&kv);
    if (*query && evhttp_parse_query_str(query, &kv) != 0) {
        snprintf(msg, msglen, "the query string is malformed (use name=value&...)");
        return false;
    }
    att_jw_init(&jw, to_evbuffer, json);
    att_jw_obj(&jw, NULL);
    att_jw_str(&jw, "op", att_op_name((enum att_op)rt->op));
    TAILQ_FOREACH(e, &kv, next) {
        bool known = strcmp(e->key, "fields") == 0;

        for (int i = 0; plain[i] && !known; i++)
            known = strcmp(e->key, plain[i]) == 0;
        if (strcmp(e->key, "fields") == 0)
            put_list(&jw, "fields", e->value);
        else if (known && (rt->op != ATT_OP_SEARCH || strcmp(e->key, "doc") != 0))
            put_value(&jw, e->key, e->value);
        else if (rt->op == ATT_OP_SEARCH && is_filter(e->key))
            filter = true;
        else if (ok) {
            snprintf(msg, msglen, "unknown parameter \"%.64s\"", e->key);
            ok = false;
        }
    }
    if (filter) {
        att_jw_obj(&jw, "filter");
        TAILQ_FOREACH(e, &kv, next) {
            if (is_filter(e->key))
                att_jw_str(&jw, e->key, e->value);
        }
        att_jw_end_obj(&jw);
    }
    att_jw_end_obj(&jw);
    evhttp_clear_headers(&kv);
    if (ok && att_jw_flush(&jw, NULL) != ATT_OK) {
        snprintf(msg, msglen, "out of memory");
        ok = false;
    }
    return ok;
}

static void api(struct worker *w, const struct route *rt, const struct http_req *r,
                struct http_resp *rp)
{
    struct session ss = {.need_auth = false};
    enum att_wire_err code = ATT_WE_NONE;
    struct evbuffer *json = NULL;
    char msg[160];
    int rc;

    snprintf(ss.peer, sizeof ss.peer, "%s", r->peer ? r->peer : "http");
    if (r->method == HTTP_POST) {
        rc = dispatch_request(w, r->body, r->body_len, rt->op, &ss, rp->body, &code);
    } else {
        json = evbuffer_new();
        if (json == NULL || !query_request(rt, r->query, json, msg, sizeof msg)) {
            http_fail(rp, json == NULL ? 500 : 400, "%s", json == NULL ? "out of memory" : msg);
            evbuffer_free(json);
            return;
        }
        size_t len = evbuffer_get_length(json);
        rc = dispatch_request(w, (const char *)evbuffer_pullup(json, -1), len, rt->op, &ss,
                              rp->body, &code);
        evbuffer_free(json);
    }
    if (rc != ATT_OK) {
        http_fail(rp, 500, "the response could not be written");
        return;
    }
    rp->status = http_status_of(code);
    if (rp->status == 503)
        http_resp_header(rp, "Retry-After", "1");
}

/* OPTIONS: the methods, and for the allowed origin a CORS preflight answer. */
static void options(struct worker *w, const struct route *rt, const struct http_req *r,
                    struct http_resp *rp)
{
    const char *allowed = w->srv->cfg.http_cors, *origin = http_header(r, "Origin");

    rp->status = 204;
    http_resp_header(rp, "Allow", rt->allow);
    if (allowed != NULL && origin != NULL && strcmp(allowed, origin) == 0) {
        http_resp_header(rp, "Access-Control-Allow-Methods", rt->allow);
        http_resp_header(rp, "Access-Control-Allow-Headers", "Authorization, Content-Type");
        http_resp_header(rp, "Access-Control-Max-Age", "600");
    }
}

static void route(struct worker *w, struct http_req *r, struct http_resp *rp)
{
    const struct route *rt = NULL;

    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        if (strcmp(r->path, routes[i].path) == 0)
            rt = &routes[i];
    }
    if (rt == NULL) {
        if (!web_route(w, r, rp))
            http_fail(rp, 404, "no such path: the API is /search, /get and /stats");
        return;
    }
    if (!(rt->methods & (1u << r->method))) {
        http_fail(rp, 405, "%s is not allowed here: use %s", r->method_name, rt->allow);
        http_resp_header(rp, "Allow", rt->allow);
        return;
    }
    if (r->method == HTTP_OPTIONS) {
        options(w, rt, r, rp);
        return;
    }
    bool open = rt->kind == R_READY ||
                (w->srv->cfg.http_open_probes && (rt->kind == R_HEALTH || rt->kind == R_METRICS));
    if (!r->authed && !open) {
        http_fail(rp, 401, "send the daemon's token: Authorization: Bearer TOKEN");
        http_resp_header(rp, "WWW-Authenticate", "Bearer realm=\"attache\"");
        return;
    }
    switch (rt->kind) {
    case R_API: api(w, rt, r, rp); break;
    case R_HEALTH: rp->status = health_write(w, false, rp->body); break;
    case R_READY: rp->status = health_write(w, true, rp->body); break;
    case R_METRICS:
        rp->type = "text/plain; version=0.0.4; charset=utf-8";
        if (metrics_write(w, rp->body) != ATT_OK)
            http_fail(rp, 500, "the metrics could not be written");
        break;
    }
}

enum http_step http_answer(struct worker *w, struct http_req *r, struct evbuffer *out)
{
    struct http_resp rp = {.status = 200};
    const char *proto = http_header(r, "X-Forwarded-Proto");
    int rc;

    rp.body = evbuffer_new();
    if (rp.body == NULL)
        return HTTP_STEP_FAIL;
    r->secure = proto != NULL && strcasecmp(proto, "https") == 0;
    r->authed = authed(w, r);
    route(w, r, &rp);
    stats_http(&w->st, rp.status);
    rc = http_send(w, r, &rp, out);
    evbuffer_free(rp.body);
    if (rc != ATT_OK)
        return HTTP_STEP_FAIL;
    return rp.close || !r->keep_alive ? HTTP_STEP_CLOSE : HTTP_STEP_DONE;
}

/* Until metrics.c and web.c exist. */
__attribute__((weak)) int metrics_write(struct worker *w, struct evbuffer *out)
{
    (void)w;
    return evbuffer_add_printf(out, "# none yet\n") < 0 ? ATT_E_NOMEM : ATT_OK;
}

__attribute__((weak)) int health_write(struct worker *w, bool ready, struct evbuffer *out)
{
    (void)ready;
    evbuffer_add_printf(out, "{\"status\":\"%s\"}\n", w->db ? "ok" : "unavailable");
    return w->db ? 200 : 503;
}

__attribute__((weak)) bool web_route(struct worker *w, const struct http_req *rq,
                                     struct http_resp *rp)
{
    (void)w;
    (void)rq;
    (void)rp;
    return false;
}

__attribute__((weak)) void stats_http(struct stats *s, int status)
{
    (void)s;
    (void)status;
}
