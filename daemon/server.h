/* attached: what the listener thread and the workers share. Lock order:
 * worker->qmu, then stats.mu; no thread holds two workers' locks. */
#ifndef ATT_SERVER_H
#define ATT_SERVER_H

#include <event2/event.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "actors.h"
#include "attache/index.h"
#include "auth.h"
#include "config.h"
#include "ipcount.h"
#include "memcap.h"
#include "privs.h"
#include "protocol.h"
#include "stats.h"

struct pending {          /* a connection on its way to a worker */
    int fd;
    char peer[64];
    bool tcp;             /* not the Unix socket */
    bool http;            /* from an --http listener */
    unsigned room_tries;  /* 0: a slot is held; else at the cap, the workers
                             left to look for an idle connection to evict */
    struct att_ipkey ip;  /* TCP: counted in server.ips until released */
    struct pending *next;
};

struct conn;

#define SERVER_MAX_LISTENERS (2 * CONFIG_MAX_LISTEN + 1) /* --listen, --http, --socket */

struct worker {
    struct server *srv;
    unsigned index;
    pthread_t tid;
    struct event_base *base;
    int notify[2];        /* pipe: the listener writes one byte per message */
    struct event *notify_ev;
    struct event *drain_ev; /* while stopping: checks whether all is sent */
    pthread_mutex_t qmu;  /* guards queue */
    struct pending *queue;
    struct att_xdb *db;   /* this worker's own read-only handle */
    struct att_actors *actors; /* the index's gazetteer (worker.c), never NULL
                                  once loaded; text: its metadata, or NULL */
    char *actors_text;
    size_t actors_len;
    uint64_t revision;
    time_t changed_at;    /* when revision last changed; 0: not since start */
    uint64_t last_check_us;
    struct stats st;
    atomic_size_t queued_bytes; /* response bytes queued on its connections,
                                   not yet sent (other threads read it) */
    atomic_size_t input_bytes;  /* request bytes read from its clients and
                                   not yet answered (other threads read it) */
    atomic_size_t leaving_bytes; /* of queued_bytes, those of connections
                                    closed for memory, on their way out */
    struct att_memcap mc;  /* the memory ceiling's state (conn_mem.c) */
    struct event *memcap_ev; /* its check, every ATTACHE_MEMORY_CHECK_MS */
    struct conn *conns;   /* every open connection, for shutdown */
    bool stopping;
    int open_error;       /* ATT_OK, or why the index could not be opened */
    struct event *beat_ev;           /* notify.c: with the watchdog on, */
    atomic_uint_least64_t beat_us;   /* now_us() of its last turn of the loop */
};

struct server {
    struct config cfg;
    struct limits lim;        /* config.h: the settings SIGHUP may change */
    struct event_base *base;  /* the listener thread's */
    struct worker *workers;
    unsigned nworkers;
    unsigned next_worker;
    atomic_uint conns_current;
    atomic_ulong conns_total;
    atomic_ulong conns_rejected;
    atomic_ulong conns_evicted;   /* idle, closed to make room at the cap */
    atomic_ulong conns_timed_out; /* a request line not ended in time */
    atomic_ulong conns_memory_paused; /* stopped reading: over --max-client-memory */
    atomic_ulong conns_memory_closed; /* closed: over --max-client-memory */
    atomic_ulong conns_per_ip_rejected; /* turned away at --max-per-ip */
    struct att_ipcount ips;       /* open TCP connections per client address */
    atomic_ulong conn_ids;        /* the last connection id given (from 1) */
    time_t started;
    int argc;
    char **argv;
    struct evconnlistener *listeners[SERVER_MAX_LISTENERS];
    size_t nlisteners;
    struct event *resume_ev;  /* re-enables accepting after EMFILE */
    bool unix_bound;          /* we made cfg.socket: remove it at exit */
    struct auth auth;         /* the token of TCP clients (SIGHUP replaces it) */
    struct privs privs;       /* --user, --socket-group */
    bool notify_on;           /* notify.c: NOTIFY_SOCKET is set */
    uint64_t watchdog_us;     /* WATCHDOG_USEC for this process; 0: no watchdog */
    struct event *watchdog_ev; /* the pings, on base */
    bool watchdog_held;       /* pings held back: a worker's loop is stuck */
    atomic_uint reloads_pending; /* workers yet to finish a SIGHUP reload */
};

/* Bytes held for clients by every worker of s now, as --max-client-memory
 * counts them: responses queued and requests read, not yet answered, but
 * for what connections already closed for memory still send (their last
 * response and the error: conn_mem.c). Thread-safe (atomics). */
static inline size_t server_client_memory(struct server *s)
{
    size_t total = 0, leaving = 0;

    for (unsigned i = 0; i < s->nworkers; i++) {
        total += atomic_load(&s->workers[i].queued_bytes) +
                 atomic_load(&s->workers[i].input_bytes);
        leaving += atomic_load(&s->workers[i].leaving_bytes);
    }
    return total > leaving ? total - leaving : 0;
}

/* What dispatch_line knows of a connection, and may change. */
struct session {
    char peer[64];
    bool need_auth;   /* TCP while a token is set: "auth" must come first */
    bool authed;      /* it came, with the right token */
    bool close;       /* set by dispatch_line: close after this response */
};

uint64_t now_us(void); /* monotonic microseconds */

/* worker.c */
int workers_start(struct server *s);
/* From the listener: the connection p describes (copied; p->next is
 * ignored). p->room_tries 0: it holds a slot (conns_current counts it);
 * else the cap is reached, and w and the workers after it, room_tries in
 * all, look for an idle connection to make room, before it is turned
 * away. What p->ip holds in server.ips is then w's to release. */
void worker_hand(struct worker *w, const struct pending *p);
void workers_message(struct server *s, char msg); /* 'q' stop, 'r' reopen */
void workers_join(struct server *s);

/* Check (rate-limited) for a new revision and reopen. */
void worker_refresh(struct worker *w, bool force);

/* Open the databases of c as one (att_xdb_open_many with c's shard
 * settings). */
int open_index(const struct config *c, struct att_xdb **out, struct att_err *err);

/* conn.c */
/* The connection of fd, from peer, now owned by w; NULL when it could
 * not be made (fd is then closed and its slot given back). */
struct conn *conn_open(struct worker *w, int fd, const char *peer, bool tcp, bool http);
/* c now holds ip's count in server.ips, released when c is freed
 * (ip->counted is cleared: the count is c's). */
void conn_keep_ip(struct conn *c, struct att_ipkey *ip);
/* Close the connection of w idle longest, if idle at least evict_idle_ms,
 * keeping its slot in conns_current for a new one; false when none is. */
bool conn_evict_idlest(struct worker *w);
void conn_stop_all(struct worker *w); /* answer what was received, then close */
/* Free every connection the worker still holds (its loop has ended: the
 * ones whose clients did not take their last responses in time). */
void conn_free_all(struct worker *w);

/* conn_mem.c: the --max-client-memory check of w's connections (a
 * persistent timer of w's loop calls it every ATTACHE_MEMORY_CHECK_MS). */
void conn_memory_check(struct worker *w);

/* dispatch.c: one request line in, its response line appended to out
 * (the connection's output buffer). A session that must authenticate gets
 * "unauthorized" for anything but a good "auth", and ss->close set.
 * Returns ATT_OK, or an error when the response could not be written
 * whole (the connection must then be closed). */
struct evbuffer;
int dispatch_line(struct worker *w, const char *line, size_t len, struct session *ss,
                  struct evbuffer *out);
/* dispatch_line for HTTP: implied is the op the path implies
 * (att_request_parse_as; ATT_OP_COUNT: none), and *code tells how the
 * request went. */
int dispatch_request(struct worker *w, const char *line, size_t len, int implied,
                     struct session *ss, struct evbuffer *out, enum att_wire_err *code);
int dispatch_error(struct worker *w, const char *code, const char *msg, struct evbuffer *out);

/* listener.c */
int listeners_open(struct server *s);
/* Take a slot in conns_current unless max_connections are open. */
bool slot_reserve(struct server *s);
/* Tell the client of fd "overloaded" (http: in a 503 response) and close it. */
void conn_reject(struct server *s, int fd, bool http);
void listeners_close(struct server *s);

#endif
