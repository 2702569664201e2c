/* attached: HTTP/1.1 framing on a connection (conn.c calls http_step for
 * each request), and the response: status line, the fixed headers
 * (security, caching, CORS), gzip, keep-alive. Routing is http_api.c's. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <zlib.h>

#include "attache/attache.h"
#include "attache/protocol.h"
#include "http.h"
#include "jsonw.h"
#include "log.h"

/* The page and the API: nothing from elsewhere, no inline code, no frames. */
#define CSP "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
            "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
#define GZIP_MIN 860 /* smaller bodies are sent as they are */

static const char *reason(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 204: return "No Content";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Internal Server Error";
    }
}

int http_status_of(enum att_wire_err code)
{
    switch (code) {
    case ATT_WE_NONE: return 200;
    case ATT_WE_BAD_JSON:
    case ATT_WE_BAD_REQUEST:
    case ATT_WE_UNKNOWN_OP:
    case ATT_WE_QUERY_SYNTAX: return 400;
    case ATT_WE_UNAUTHORIZED: return 401;
    case ATT_WE_NOT_FOUND: return 404;
    case ATT_WE_TOO_LARGE: return 413;
    case ATT_WE_OVERLOADED:
    case ATT_WE_UNAVAILABLE: return 503;
    case ATT_WE_TIMEOUT: return 504;
    default: return 500;
    }
}

/* The protocol's code for an HTTP error status of our own making. */
static const char *code_of_status(int status)
{
    switch (status) {
    case 401: return ATTACHE_ERR_UNAUTHORIZED;
    case 404: return ATTACHE_ERR_NOT_FOUND;
    case 408: return ATTACHE_ERR_TIMEOUT;
    case 413:
    case 431: return ATTACHE_ERR_TOO_LARGE;
    case 503: return ATTACHE_ERR_OVERLOADED;
    case 500: return ATTACHE_ERR_INTERNAL;
    default: return ATTACHE_ERR_BAD_REQUEST;
    }
}

void http_resp_header(struct http_resp *rp, const char *name, const char *value)
{
    size_t room = sizeof rp->headers - rp->hlen;
    int n = snprintf(rp->headers + rp->hlen, room, "%s: %s\r\n", name, value);

    if (n > 0 && (size_t)n < room)
        rp->hlen += (size_t)n;
    else
        rp->headers[rp->hlen] = '\0';
}

static int to_evbuffer(void *ud, const char *p, size_t n)
{
    return evbuffer_add(ud, p, n) == 0 ? ATT_OK : ATT_E_NOMEM;
}

static void http_error_body(struct evbuffer *body, const char *code, const char *msg)
{
    struct att_jw jw;

    att_jw_init(&jw, to_evbuffer, body);
    att_jw_error(&jw, NULL, code, msg);
    att_jw_flush(&jw, NULL);
}

void http_fail(struct http_resp *rp, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rp->status = status;
    rp->type = NULL;
    evbuffer_drain(rp->body, evbuffer_get_length(rp->body));
    http_error_body(rp->body, code_of_status(status), msg);
    if (status == 503)
        http_resp_header(rp, "Retry-After", "1");
}

char *http_error_text(int status, const char *code, const char *msg, size_t *len)
{
    struct evbuffer *b = evbuffer_new();
    char head[256], *text = NULL;
    int n;

    if (b == NULL)
        return NULL;
    http_error_body(b, code, msg);
    n = snprintf(head, sizeof head,
                 "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                 "%sConnection: close\r\n\r\n", status, reason(status), evbuffer_get_length(b),
                 status == 503 || status == 429 ? "Retry-After: 1\r\n" : "");
    if (n > 0 && (size_t)n < sizeof head && evbuffer_prepend(b, head, (size_t)n) == 0) {
        *len = evbuffer_get_length(b);
        text = malloc(*len + 1);
        if (text != NULL) {
            evbuffer_remove(b, text, *len);
            text[*len] = '\0';
        }
    }
    evbuffer_free(b);
    return text;
}

/* Whether the client takes gzip: a coding "gzip" or "*" without q=0. */
static bool accepts_gzip(const struct http_req *rq)
{
    const char *v = http_header(rq, "Accept-Encoding");

    while (v != NULL && *v) {
        size_t n;

        v += strspn(v, " \t,");
        n = strcspn(v, ",");
        if ((strncasecmp(v, "gzip", 4) == 0 && strchr(" \t;,", v[4] ? v[4] : ',')) ||
            (v[0] == '*' && strchr(" \t;,", v[1] ? v[1] : ','))) {
            const char *q = memchr(v, ';', n);
            const char *qv = q ? strstr(q, "q=") : NULL;

            return qv == NULL || qv >= v + n || strtod(qv + 2, NULL) > 0.0;
        }
        v += n;
    }
    return false;
}

/* Replace the body with its gzip; false (body untouched) on failure. */
static bool gzip_body(struct evbuffer *body)
{
    size_t len = evbuffer_get_length(body);
    unsigned char *in = evbuffer_pullup(body, -1);
    struct evbuffer *gz = evbuffer_new();
    z_stream z = {0};
    struct evbuffer_iovec v;
    bool ok = false;

    if (in == NULL || gz == NULL ||
        deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        evbuffer_free(gz);
        return false;
    }
    if (evbuffer_reserve_space(gz, (ev_ssize_t)deflateBound(&z, (uLong)len), &v, 1) == 1) {
        z.next_in = in;
        z.avail_in = (uInt)len;
        z.next_out = v.iov_base;
        z.avail_out = (uInt)v.iov_len;
        if (deflate(&z, Z_FINISH) == Z_STREAM_END) {
            v.iov_len = z.total_out;
            ok = evbuffer_commit_space(gz, &v, 1) == 0;
        }
    }
    deflateEnd(&z);
    if (ok) {
        evbuffer_drain(body, len);
        ok = evbuffer_add_buffer(body, gz) == 0;
    }
    evbuffer_free(gz);
    return ok;
}

static void add_date(struct evbuffer *out)
{
    char date[64];
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
    evbuffer_add(out, date, strlen(date));
}

/* CORS: the allowed origin, when the request comes from it. */
static const char *cors_origin(const struct worker *w, const struct http_req *rq)
{
    const char *allowed = w->srv->cfg.http_cors, *origin = http_header(rq, "Origin");

    return allowed != NULL && origin != NULL && strcmp(allowed, origin) == 0 ? allowed : NULL;
}

int http_send(struct worker *w, const struct http_req *rq, struct http_resp *rp,
              struct evbuffer *out)
{
    const char *origin = rq ? cors_origin(w, rq) : NULL;
    bool gz = false, head = rq != NULL && rq->method == HTTP_HEAD;
    size_t len = evbuffer_get_length(rp->body);

    if (rq != NULL && len >= GZIP_MIN && rp->status != 304 && accepts_gzip(rq))
        gz = gzip_body(rp->body);
    len = evbuffer_get_length(rp->body);
    evbuffer_add_printf(out, "HTTP/1.%d %d %s\r\n", rq && rq->minor == 0 ? 0 : 1, rp->status,
                        reason(rp->status));
    add_date(out);
    evbuffer_add_printf(out, "Server: attache/%s\r\nContent-Type: %s\r\n"
                        "Content-Length: %zu\r\n", ATTACHE_VERSION,
                        rp->type ? rp->type : "application/json", len);
    if (rp->close || rq == NULL || !rq->keep_alive)
        evbuffer_add(out, "Connection: close\r\n", 19);
    else if (rq->minor == 0)
        evbuffer_add(out, "Connection: keep-alive\r\n", 24);
    if (gz)
        evbuffer_add(out, "Content-Encoding: gzip\r\n", 24);
    if (len >= GZIP_MIN || gz)
        evbuffer_add(out, "Vary: Accept-Encoding\r\n", 23);
    if (origin != NULL)
        evbuffer_add_printf(out, "Access-Control-Allow-Origin: %s\r\nVary: Origin\r\n", origin);
    if (strstr(rp->headers, "Cache-Control:") == NULL)
        evbuffer_add(out, "Cache-Control: no-store\r\n", 25);
    evbuffer_add_printf(out, "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n"
                        "X-Frame-Options: DENY\r\nContent-Security-Policy: " CSP "\r\n%s\r\n",
                        rp->headers);
    if (head)
        evbuffer_drain(rp->body, len);
    return evbuffer_add_buffer(out, rp->body) == 0 ? ATT_OK : ATT_E_NOMEM;
}

/* Answer status for a request that cannot be read (or NULL rq: its head
 * could not be parsed) and close. */
static enum http_step refuse(struct worker *w, const struct http_req *rq, struct evbuffer *out,
                             int status, const char *msg)
{
    struct http_resp rp = {.status = status};

    rp.body = evbuffer_new();
    if (rp.body == NULL)
        return HTTP_STEP_FAIL;
    http_fail(&rp, status, "%s", msg);
    rp.close = true;
    stats_http(&w->st, status);
    int rc = http_send(w, rq, &rp, out);
    evbuffer_free(rp.body);
    return rc == ATT_OK ? HTTP_STEP_CLOSE : HTTP_STEP_FAIL;
}

enum http_step http_timeout(struct worker *w, struct evbuffer *out, unsigned secs)
{
    char msg[64];

    snprintf(msg, sizeof msg, "request not completed within %u s", secs);
    return refuse(w, NULL, out, 408, msg);
}

/* Blank lines between requests are allowed (RFC 9112 2.2): drop them. */
static void skip_blank_lines(struct evbuffer *in)
{
    unsigned char *p;

    while ((p = evbuffer_pullup(in, 1)) != NULL && (*p == '\r' || *p == '\n'))
        evbuffer_drain(in, 1);
}

bool http_has_request(struct evbuffer *in)
{
    size_t n = evbuffer_get_length(in);
    size_t look = n < HTTP_MAX_HEAD ? n : HTTP_MAX_HEAD;
    const char *p = look ? (const char *)evbuffer_pullup(in, (ev_ssize_t)look) : NULL;
    size_t hl = p != NULL ? http_head_end(p, look) : 0;
    struct http_req r;
    char *head, msg[8];
    int status;
    bool whole;

    if (hl == 0)
        return n >= HTTP_MAX_HEAD; /* over the limit: a refusal is owed */
    if ((head = malloc(hl + 1)) == NULL)
        return true;
    memcpy(head, p, hl);
    head[hl] = '\0';
    /* A head that cannot be parsed is owed its refusal; one with a body
     * waits for all of it. */
    whole = http_head_parse(head, hl, &r, &status, msg, sizeof msg) != HTTP_PARSE_OK ||
            r.content_length <= 0 || n >= hl + (size_t)r.content_length;
    free(head);
    return whole;
}

/* The head at the front of in, parsed into a copy with room for the body:
 * HTTP_STEP_DONE with *buf, *r and *head_len set; else how to go on. */
static enum http_step take_head(struct worker *w, struct http_conn *hc, struct evbuffer *in,
                                struct evbuffer *out, char **buf, struct http_req *r,
                                size_t *head_len)
{
    size_t n = evbuffer_get_length(in), look = n < HTTP_MAX_HEAD ? n : HTTP_MAX_HEAD;
    const char *p = (const char *)evbuffer_pullup(in, (ev_ssize_t)look);
    size_t max_body = atomic_load(&w->srv->lim.max_line);
    size_t hl = p ? http_head_end(p, look) : 0;
    char msg[160];
    int status;

    if (hl == 0)
        return n >= HTTP_MAX_HEAD ? refuse(w, NULL, out, 431, "the request head is over the "
                                           "limit of " ATTACHE_STR(HTTP_MAX_HEAD) " bytes")
                                  : HTTP_STEP_MORE;
    *buf = malloc(hl + 1);
    if (*buf == NULL)
        return HTTP_STEP_FAIL;
    memcpy(*buf, p, hl);
    (*buf)[hl] = '\0';
    if (http_head_parse(*buf, hl, r, &status, msg, sizeof msg) != HTTP_PARSE_OK)
        return refuse(w, NULL, out, status, msg);
    if (r->content_length > (long long)max_body) {
        snprintf(msg, sizeof msg, "the body is over the limit of %zu bytes (--max-line)",
                 max_body);
        return refuse(w, r, out, 413, msg);
    }
    *head_len = hl;
    if (r->content_length > 0 && n < hl + (size_t)r->content_length) {
        const char *expect = http_header(r, "Expect");

        if (expect != NULL && strcasecmp(expect, "100-continue") == 0 && !hc->continue_sent) {
            evbuffer_add_printf(out, "HTTP/1.1 100 Continue\r\n\r\n");
            hc->continue_sent = true;
        }
        return HTTP_STEP_MORE;
    }
    return HTTP_STEP_DONE;
}

enum http_step http_step(struct worker *w, struct http_conn *hc, struct evbuffer *in,
                         struct evbuffer *out)
{
    struct http_req r;
    size_t head_len = 0, body_len;
    char *head = NULL, *body = NULL;
    enum http_step step;

    skip_blank_lines(in);
    if (evbuffer_get_length(in) == 0)
        return HTTP_STEP_MORE;
    step = take_head(w, hc, in, out, &head, &r, &head_len);
    if (step != HTTP_STEP_DONE) {
        free(head);
        return step;
    }
    body_len = r.content_length > 0 ? (size_t)r.content_length : 0;
    body = malloc(body_len + 1);
    if (body == NULL) {
        free(head);
        return HTTP_STEP_FAIL;
    }
    evbuffer_drain(in, head_len);
    evbuffer_remove(in, body, body_len);
    body[body_len] = '\0';
    r.body = body;
    r.body_len = body_len;
    r.peer = hc->peer;
    hc->continue_sent = false;
    step = http_answer(w, &r, out);
    free(body);
    free(head);
    return step;
}
