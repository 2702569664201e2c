/* attached: one client connection as conn.c and conn_mem.c (the memory
 * ceiling) see it. Only the worker that owns a connection touches it. */
#ifndef ATT_CONN_H
#define ATT_CONN_H

#include <event2/bufferevent.h>

#include "http.h"
#include "server.h"

#define CONN_ENDS 8 /* HTTP responses whose ends are remembered */

struct conn {
    struct worker *w;
    unsigned long id;   /* for the log: 1, 2, ... in the order of opening */
    struct bufferevent *bev;
    struct session ss;  /* the peer, and where its authentication stands */
    bool discarding;  /* dropping the rest of an over-long line */
    bool closing;     /* no more reading: close once output is sent */
    bool paused;      /* reading stopped until the client reads */
    bool mem_paused;  /* ... by the memory ceiling (else by --max-output) */
    bool leaving;     /* closed for memory: its last bytes count in leaving_bytes */
    bool stopping;    /* the daemon stops: read what was sent, answer, close */
    bool line_done;   /* a request line ended since the deadline was set */
    bool http;        /* the client speaks HTTP (http.c frames its requests) */
    bool lingering;   /* HTTP, all sent: half-closed, dropping what still comes */
    struct http_conn hc;
    struct att_ipkey ip; /* its count in server.ips, released when freed */
    uint64_t active_us; /* last complete request, or output the client took */
    uint64_t taken_us;  /* last output the client took, or when output began
                           to wait after none did */
    uint64_t out_taken; /* bytes that left the output buffer, ever */
    uint64_t ends[CONN_ENDS]; /* HTTP: where the oldest responses not yet
                                 taken end, counted as out_taken counts */
    unsigned nends;
    unsigned mark;      /* conn_mem.c: the check that last chose it */
    struct event *deadline; /* --request-timeout of the line under way */
    struct conn *prev, *next;
};

/* Bytes c holds: its output waiting and its input read, not answered. */
size_t conn_held(const struct conn *c);

/* Stop reading c (its requests wait in the socket) until it takes half
 * of what waits for it, or until conn_resume. */
void conn_pause(struct conn *c, size_t resume_at);

/* Read c again, and answer the requests that waited meanwhile. */
void conn_resume(struct conn *c);

/* Read nothing more from c; free it once its output is sent, or after
 * secs seconds at the latest. */
void conn_close_after(struct conn *c, unsigned secs);

#endif
