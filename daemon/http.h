/* attached: HTTP/1.1 on the connections of the --http listeners. conn.c
 * frames requests (http_frame.c parses a head), http.c routes them; the
 * JSON API runs the socket protocol's handlers, metrics.c and web.c add
 * the probes and the search page. Everything runs in a worker's thread. */
#ifndef ATT_HTTP_H
#define ATT_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "protocol.h"
#include "server.h"

#define HTTP_MAX_HEADERS 64
#define HTTP_MAX_HEAD 16384 /* request line and headers, in bytes */

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_OPTIONS, HTTP_OTHER };

struct http_header {
    const char *name; /* as sent; compare without regard to case */
    const char *value; /* leading and trailing blanks removed */
};

/* One request, valid while it is being answered. Every string is
 * NUL-terminated. */
struct http_req {
    enum http_method method;
    const char *method_name;
    const char *path;     /* the target up to '?', not decoded: "/search" */
    const char *query;    /* after '?', not decoded, or "" */
    int minor;            /* HTTP/1.minor */
    struct http_header hdr[HTTP_MAX_HEADERS];
    size_t nhdr;
    const char *body;     /* NUL-terminated, body_len bytes */
    size_t body_len;
    long long content_length; /* -1: none was sent */
    bool keep_alive;      /* by the version and Connection */
    bool authed;          /* no token is needed, or a good one came (header or cookie) */
    bool secure;          /* a proxy says it came over TLS (X-Forwarded-Proto: https) */
    const char *peer;
};

/* The value of the first header called name (any case), or NULL. */
const char *http_header(const struct http_req *r, const char *name);

/* The value of the cookie called name in r's Cookie headers, copied into
 * out (at most outlen - 1 bytes); false when there is none. */
bool http_cookie(const struct http_req *r, const char *name, char *out, size_t outlen);

/* A response under construction: the handler sets status and type and
 * writes the body; http.c adds the status line, Content-Length,
 * Connection, the security headers, CORS and gzip. */
struct http_resp {
    int status;            /* 200 unless set */
    const char *type;      /* Content-Type; NULL: application/json */
    struct evbuffer *body;
    char headers[1024];    /* more header lines, each ending in "\r\n" */
    size_t hlen;
    bool close;            /* close the connection once it is sent */
};

/* Add the header line "name: value" to rp (dropped when it does not fit,
 * which the fixed headers of this program never do). */
void http_resp_header(struct http_resp *rp, const char *name, const char *value);

/* Run one socket-protocol request (a JSON object, with its "op") as a
 * client that passed authentication would: its response object is
 * appended to out, and *code tells how it went. ATT_OK, or an error
 * when the response could not be written. */
int http_run_json(struct worker *w, const struct http_req *rq, const char *json, size_t len,
                  struct evbuffer *out, enum att_wire_err *code);

/* The HTTP status of a protocol error code (200 for ATT_WE_NONE). */
int http_status_of(enum att_wire_err code);

/* metrics.c: GET /metrics, the Prometheus text format (0.0.4) of every
 * worker's counters, the connections and w's view of the index. */
int metrics_write(struct worker *w, struct evbuffer *out);

/* metrics.c: GET /health (ready false) and GET /ready (true): a small JSON
 * object; returns the HTTP status (200, or 503 naming what is wrong). */
int health_write(struct worker *w, bool ready, struct evbuffer *out);

/* web.c: the search page and what it needs ("/", "/doc", "/login",
 * "/static/..."). Returns true when path is the page's (rp is then
 * filled), false to let http.c answer 404. */
bool web_route(struct worker *w, const struct http_req *rq, struct http_resp *rp);

#endif
