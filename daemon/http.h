/* attached: HTTP/1.1 on the connections of the --http listeners. conn.c
 * frames requests (http_frame.c parses a head), http.c routes them; the
 * JSON API runs the socket protocol's handlers, metrics.c and web.c add
 * the probes and the search page. Everything runs in a worker's thread. */
#ifndef ATT_HTTP_H
#define ATT_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "http_head.h"
#include "protocol.h"
#include "server.h"

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

/* What conn.c keeps for an HTTP connection. */
struct http_conn {
    const char *peer;
    bool continue_sent; /* "100 Continue" went out for the request under way */
};

enum http_step {
    HTTP_STEP_MORE,  /* no whole request yet */
    HTTP_STEP_DONE,  /* one request answered: go on */
    HTTP_STEP_CLOSE, /* answered: close once it is sent */
    HTTP_STEP_FAIL,  /* the response could not be written: close */
};

/* http.c: answer the request at the front of in, when it is whole
 * (appending the response to out and removing the request from in). */
enum http_step http_step(struct worker *w, struct http_conn *hc, struct evbuffer *in,
                         struct evbuffer *out);
/* Whether in holds a whole head (a request the daemon owes an answer). */
bool http_has_request(struct evbuffer *in);
/* 408 for a request not completed within secs (then close). */
enum http_step http_timeout(struct worker *w, struct evbuffer *out, unsigned secs);
/* A whole error response (Connection: close) with the protocol's error
 * object, for a client about to be closed; malloc'd, NULL without memory. */
char *http_error_text(int status, const char *code, const char *msg, size_t *len);
/* Write rp for rq (NULL: the request could not be read) into out. */
int http_send(struct worker *w, const struct http_req *rq, struct http_resp *rp,
              struct evbuffer *out);
/* Make rp the error response of status (its code from the status). */
void http_fail(struct http_resp *rp, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* http_api.c: route r (whole, body read) and answer it into out. */
enum http_step http_answer(struct worker *w, struct http_req *r, struct evbuffer *out);

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
