/* attached: one client connection: a bufferevent, request lines with a
 * length cap, a pipelining budget per wake-up, back-pressure on output,
 * time-outs (idle, and a deadline for a request line once begun), making
 * room at the connection cap, and a close that waits for the output to
 * drain. */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "attache/protocol.h"
#include "conn.h"
#include "log.h"

/* Free c; keep_slot: its place in conns_current goes to a new connection. */
static void conn_free_slot(struct conn *c, bool keep_slot)
{
    struct worker *w = c->w;
    size_t out = evbuffer_get_length(bufferevent_get_output(c->bev));

    if (c->prev)
        c->prev->next = c->next;
    else
        w->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    atomic_fetch_sub(&w->queued_bytes, out);
    if (c->leaving)
        atomic_fetch_sub(&w->leaving_bytes, out);
    atomic_fetch_sub(&w->input_bytes, evbuffer_get_length(bufferevent_get_input(c->bev)));
    att_ipcount_release(&w->srv->ips, &c->ip);
    bufferevent_free(c->bev);
    if (c->deadline)
        event_free(c->deadline);
    free(c);
    if (!keep_slot)
        atomic_fetch_sub(&w->srv->conns_current, 1);
    if (w->stopping && w->conns == NULL)
        event_base_loopexit(w->base, NULL);
}

static void conn_free(struct conn *c)
{
    conn_free_slot(c, false);
}

/* A request cannot be answered (its response could not be built or
 * queued): say why at WARN, read nothing more, and close once the responses
 * queued before are sent. So every earlier request keeps its one response,
 * and the client sees the end of the stream right after the last of them,
 * not a silent gap. The caller's path ends in close_when_sent. */
static void conn_fail(struct conn *c, const char *why)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);

    att_log(ATT_WARN, "worker %u: conn %lu (%s): %s; closing the connection", c->w->index,
            c->id, c->ss.peer, why);
    c->closing = true;
    bufferevent_disable(c->bev, EV_READ);
    evbuffer_drain(in, evbuffer_get_length(in));
}

/* Whether clients hold more than --max-client-memory (not counting the
 * connections closed for it, on their way out). */
static bool over_memory(struct worker *w)
{
    size_t cap = atomic_load(&w->srv->lim.max_client_memory);

    return cap > 0 && server_client_memory(w->srv) > cap;
}

/* After a response was appended to the output (rc: whether it could be
 * written whole): back-pressure, or conn_fail. False after conn_fail. */
static bool sent(struct conn *c, int rc)
{
    struct evbuffer *out = bufferevent_get_output(c->bev);
    unsigned max_output = atomic_load(&c->w->srv->lim.max_output);

    if (rc != ATT_OK) {
        conn_fail(c, rc == ATT_E_NOMEM ? "out of memory writing a response"
                                       : "a response could not be completed");
        return false;
    }
    if (evbuffer_get_length(out) > max_output && !c->paused) {
        /* The client does not read: stop reading its requests until it
         * has taken half of what waits (le-proxy's back-pressure). */
        conn_pause(c, max_output / 2);
    } else if (!c->paused && over_memory(c->w)) {
        /* Clients hold too much: none adds more before taking some
         * (conn_mem.c closes the ones that never do). */
        conn_pause(c, evbuffer_get_length(out) / 2);
        c->mem_paused = true;
        atomic_fetch_add(&c->w->srv->conns_memory_paused, 1);
    }
    return true;
}

void conn_pause(struct conn *c, size_t resume_at)
{
    if (c->deadline != NULL) /* not read: a line under way waits for us */
        evtimer_del(c->deadline);
    c->paused = true;
    bufferevent_disable(c->bev, EV_READ);
    bufferevent_setwatermark(c->bev, EV_WRITE, resume_at, 0);
}

size_t conn_held(const struct conn *c)
{
    return evbuffer_get_length(bufferevent_get_output(c->bev)) +
           evbuffer_get_length(bufferevent_get_input(c->bev));
}

/* HTTP: remember where the response just queued ends (while there is
 * room; the oldest are the ones a close for memory needs). */
static void note_end(struct conn *c)
{
    unsigned k = 0;

    for (unsigned i = 0; i < c->nends; i++) {
        if (c->ends[i] > c->out_taken)
            c->ends[k++] = c->ends[i];
    }
    c->nends = k;
    if (k < CONN_ENDS)
        c->ends[c->nends++] = c->out_taken +
                              evbuffer_get_length(bufferevent_get_output(c->bev));
}

static bool send_error(struct conn *c, const char *code, const char *msg)
{
    return sent(c, dispatch_error(c->w, code, msg, bufferevent_get_output(c->bev)));
}

/* Stop reading: the connection closes once its output is sent. */
static void stop_reading(struct conn *c)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);

    c->closing = true;
    bufferevent_disable(c->bev, EV_READ);
    evbuffer_drain(in, evbuffer_get_length(in));
}

/* Answer the complete request line of pos bytes (then eol_len bytes of
 * end of line) at the front of in. False when nothing more is to be read
 * now: the client was turned away, the answer failed, or it is paused. */
static bool handle_line(struct conn *c, struct evbuffer *in, size_t pos, size_t eol_len)
{
    char *line = malloc(pos + 1);
    size_t len = pos;
    bool ok = true;

    c->active_us = now_us();
    if (line == NULL) {
        conn_fail(c, "out of memory reading a request");
        return false;
    }
    evbuffer_remove(in, line, len);
    evbuffer_drain(in, eol_len);
    line[len] = '\0';
    if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
    if (len > 0 && strspn(line, " \t") != len) { /* blank lines are ignored */
        ok = sent(c, dispatch_line(c->w, line, len, &c->ss, bufferevent_get_output(c->bev)));
    }
    free(line);
    if (ok && c->ss.close) /* turned away: nothing more is read or answered */
        stop_reading(c);
    return ok && !c->closing && !c->paused;
}

/* HTTP: answer at most budget whole requests; true when more may wait. */
static bool handle_http(struct conn *c, unsigned budget)
{
    for (unsigned n = 0; n < budget; n++) {
        enum http_step st = http_step(c->w, &c->hc, bufferevent_get_input(c->bev),
                                      bufferevent_get_output(c->bev));

        if (st == HTTP_STEP_MORE)
            return false;
        c->line_done = true;
        c->active_us = now_us();
        note_end(c);
        if (!sent(c, st == HTTP_STEP_FAIL ? ATT_E_INTERNAL : ATT_OK))
            return false;
        if (st == HTTP_STEP_CLOSE) {
            stop_reading(c);
            return false;
        }
        if (c->paused)
            return false;
    }
    return true;
}

/* Handle at most budget complete lines; true when more may be waiting. */
static bool handle_lines(struct conn *c, unsigned budget)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);
    size_t max = atomic_load(&c->w->srv->lim.max_line);

    if (c->http)
        return handle_http(c, budget);
    for (unsigned n = 0; n < budget; n++) {
        size_t eol_len = 0;
        struct evbuffer_ptr p = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);

        if (p.pos < 0) { /* no full line yet */
            if (!c->discarding && evbuffer_get_length(in) > max) {
                c->discarding = true;
                if (!send_error(c, ATTACHE_ERR_TOO_LARGE, "request line over the limit"))
                    return false;
            }
            if (c->discarding)
                evbuffer_drain(in, evbuffer_get_length(in));
            return false;
        }
        c->line_done = true;
        if (c->discarding || (size_t)p.pos > max) {
            if (!c->discarding &&
                !send_error(c, ATTACHE_ERR_TOO_LARGE, "request line over the limit"))
                return false;
            c->discarding = false;
            evbuffer_drain(in, (size_t)p.pos + eol_len);
            continue;
        }
        if (!handle_line(c, in, (size_t)p.pos, eol_len))
            return false;
    }
    return true;
}

#define LINGER_S 2

static void on_deadline(evutil_socket_t fd, short what, void *arg);

/* All is sent: close. An HTTP client may still be sending (a body that
 * was refused), and a client closed for memory had requests left unread:
 * closing with its bytes unread would reset the connection and could
 * destroy the response before it reads it, so half-close and drop what
 * comes for LINGER_S seconds first (nginx's lingering close). */
static void conn_done(struct conn *c)
{
    struct timeval tv = {.tv_sec = LINGER_S};
    int pending = 0;

    if ((!c->http && !c->leaving) || c->lingering ||
        ioctl(bufferevent_getfd(c->bev), FIONREAD, &pending) != 0 || pending == 0 ||
        (c->deadline == NULL && (c->deadline = evtimer_new(c->w->base, on_deadline, c)) == NULL)) {
        conn_free(c);
        return;
    }
    c->lingering = true;
    shutdown(bufferevent_getfd(c->bev), SHUT_WR);
    evtimer_add(c->deadline, &tv);
    bufferevent_enable(c->bev, EV_READ);
}

static void close_when_sent(struct conn *c)
{
    c->closing = true;
    bufferevent_disable(c->bev, EV_READ);
    if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
        conn_done(c);
}

static void finish(struct conn *c);
static void drain_or_finish(struct conn *c);

/* Whether a complete request (line) waits in c's input for the daemon. */
static bool has_complete_line(struct conn *c)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);

    if (c->http)
        return http_has_request(in);
    return evbuffer_search_eol(in, NULL, NULL, EVBUFFER_EOL_LF).pos >= 0;
}

/* A line began and did not end in time (a client dripping its request a
 * byte at a time, or stuck halfway). */
static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    unsigned s = atomic_load(&c->w->srv->lim.request_timeout_s);
    char msg[64];

    (void)fd;
    (void)what;
    if (c->lingering || c->leaving) { /* its time to take the last bytes is up */
        conn_free(c);
        return;
    }
    if (c->closing || has_complete_line(c))
        return; /* the daemon is behind, not the client: set_deadline re-arms */
    att_log(ATT_INFO, "%s: request not completed within %us, closed", c->ss.peer, s);
    atomic_fetch_add(&c->w->srv->conns_timed_out, 1);
    snprintf(msg, sizeof msg, "request not completed within %u s", s);
    if (c->http)
        sent(c, http_timeout(c->w, bufferevent_get_output(c->bev), s) == HTTP_STEP_FAIL
                    ? ATT_E_INTERNAL : ATT_OK);
    else
        send_error(c, ATTACHE_ERR_TIMEOUT, msg);
    evbuffer_drain(bufferevent_get_input(c->bev),
                   evbuffer_get_length(bufferevent_get_input(c->bev)));
    close_when_sent(c);
}

/* After the complete lines are handled: while a line is under way, it has
 * --request-timeout from its first byte (a new line, a new deadline); a
 * client paused for not reading is the idle time-out's. */
static void set_deadline(struct conn *c)
{
    struct timeval tv = {.tv_sec = atomic_load(&c->w->srv->lim.request_timeout_s)};
    bool under_way = evbuffer_get_length(bufferevent_get_input(c->bev)) > 0 || c->discarding;

    if (c->paused || !under_way || tv.tv_sec == 0) {
        if (c->deadline)
            evtimer_del(c->deadline);
    } else if (c->line_done || c->deadline == NULL ||
               !evtimer_pending(c->deadline, NULL)) {
        if (c->deadline == NULL)
            c->deadline = evtimer_new(c->w->base, on_deadline, c);
        if (c->deadline)
            evtimer_add(c->deadline, &tv);
    }
    c->line_done = false;
}

static void on_read(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;

    (void)bev;
    if (c->lingering) {
        evbuffer_drain(bufferevent_get_input(bev), evbuffer_get_length(bufferevent_get_input(bev)));
        return;
    }
    if (c->closing)
        return;
    if (c->stopping) {
        drain_or_finish(c);
        return;
    }
    if (handle_lines(c, ATTACHE_REQS_PER_EVENT) &&
        evbuffer_get_length(bufferevent_get_input(c->bev)) > 0) {
        /* Budget spent with more waiting: let the other clients of this
         * worker go first, then come back (memcached's reqs_per_event). */
        stats_add(&c->w->st, &c->w->st.yields, 1);
        if (c->deadline) /* complete lines wait on us: no client deadline */
            evtimer_del(c->deadline);
        c->line_done = true;
        bufferevent_trigger(c->bev, EV_READ,
                            BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
    } else if (c->closing) {
        close_when_sent(c); /* turned away: freed once the answer is sent */
    } else {
        set_deadline(c);
    }
}

static void on_write(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;
    size_t left = evbuffer_get_length(bufferevent_get_output(bev));

    if (c->lingering)
        return;
    if (c->closing) {
        if (left == 0)
            conn_done(c);
        return;
    }
    if (c->paused && left <= atomic_load(&c->w->srv->lim.max_output) / 2)
        conn_resume(c);
}

void conn_resume(struct conn *c)
{
    c->paused = false;
    c->mem_paused = false;
    bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
    bufferevent_enable(c->bev, EV_READ);
    on_read(c->bev, c); /* requests that arrived meanwhile are waiting */
}

void conn_close_after(struct conn *c, unsigned secs)
{
    struct timeval tv = {.tv_sec = secs};

    stop_reading(c);
    bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
    if (c->deadline == NULL)
        c->deadline = evtimer_new(c->w->base, on_deadline, c);
    if (c->deadline != NULL)
        evtimer_add(c->deadline, &tv);
    close_when_sent(c);
}

/* Everything received so far gets answered, then the connection closes.
 * The client sends no more: a last line without its newline is a request
 * too (printf '{"op":"ping"}' | nc), unless it was over the limit. */
static void finish(struct conn *c)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);

    while (!c->paused && handle_lines(c, ATTACHE_REQS_PER_EVENT)) {
    }
    if (!c->http && !c->paused && !c->closing && !c->discarding &&
        evbuffer_get_length(in) > 0 &&
        evbuffer_get_length(in) <= atomic_load(&c->w->srv->lim.max_line) &&
        evbuffer_search_eol(in, NULL, NULL, EVBUFFER_EOL_LF).pos < 0)
        handle_line(c, in, evbuffer_get_length(in), 0);
    close_when_sent(c);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    struct conn *c = arg;

    (void)bev;
    if ((what & BEV_EVENT_EOF) && !c->lingering) {
        /* Half-closed: the client is done sending but may still read. */
        if (!c->closing)
            finish(c);
        return;
    }
    if (what & BEV_EVENT_TIMEOUT)
        att_log(ATT_INFO, "%s: idle for %us, closed", c->ss.peer,
                atomic_load(&c->w->srv->lim.idle_timeout_s));
    else if (what & BEV_EVENT_ERROR)
        att_log(ATT_DEBUG, "%s: %s", c->ss.peer, strerror(errno));
    conn_free(c);
}

static void set_timeouts(struct conn *c)
{
    unsigned idle = atomic_load(&c->w->srv->lim.idle_timeout_s);
    struct timeval tv = {.tv_sec = idle};

    if (idle > 0)
        bufferevent_set_timeouts(c->bev, &tv, &tv);
}

/* The client took some of its responses: it is alive. Counts what waits
 * in the worker's queued_bytes (and leaving_bytes). */
static void on_output(struct evbuffer *out, const struct evbuffer_cb_info *info, void *arg)
{
    struct conn *c = arg;

    (void)out;
    if (info->n_deleted > 0 || info->orig_size == 0)
        c->taken_us = now_us(); /* took some, or output begins to wait */
    if (info->n_deleted > 0)
        c->active_us = c->taken_us;
    c->out_taken += info->n_deleted;
    if (info->n_added > info->n_deleted)
        atomic_fetch_add(&c->w->queued_bytes, info->n_added - info->n_deleted);
    else if (info->n_deleted > info->n_added)
        atomic_fetch_sub(&c->w->queued_bytes, info->n_deleted - info->n_added);
    if (c->leaving && info->n_deleted > info->n_added)
        atomic_fetch_sub(&c->w->leaving_bytes, info->n_deleted - info->n_added);
}

/* Counts the requests read and not yet answered in input_bytes. */
static void on_input(struct evbuffer *in, const struct evbuffer_cb_info *info, void *arg)
{
    struct conn *c = arg;

    (void)in;
    if (info->n_added > info->n_deleted)
        atomic_fetch_add(&c->w->input_bytes, info->n_added - info->n_deleted);
    else if (info->n_deleted > info->n_added)
        atomic_fetch_sub(&c->w->input_bytes, info->n_deleted - info->n_added);
}

/* A request waits for this worker, which was busy: in the socket, or
 * whole in the input buffer (a line under way does not count, nor do the
 * requests of a client paused for not reading its responses). */
static bool has_request(struct conn *c)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);
    int pending = 0;

    if (c->paused)
        return false;
    if (ioctl(bufferevent_getfd(c->bev), FIONREAD, &pending) == 0 && pending > 0)
        return true;
    return evbuffer_get_length(in) > 0 && has_complete_line(c);
}

/* Answers wait in c's output that its socket would take now: this worker
 * was busy (with c's requests or another client's) and has not yet
 * written them, which says nothing of the client. A client that does not
 * read fills its socket first, and is then idle like any other. */
static bool owes_answers(struct conn *c)
{
    struct pollfd p = {.fd = bufferevent_getfd(c->bev), .events = POLLOUT};

    if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
        return false;
    return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP)) == 0 &&
           (p.revents & POLLOUT) != 0;
}

/* Idle: nothing owed either way (no request waiting, no answer the socket
 * would take) since evict_idle ago. A line under way is not a request:
 * a client dripping one is idle (it is told overloaded). */
bool conn_evict_idlest(struct worker *w)
{
    uint64_t now = now_us(), least = (uint64_t)atomic_load(&w->srv->lim.evict_idle_ms) * 1000u;
    struct conn *idlest = NULL;

    if (least == 0)
        return false;
    for (struct conn *c = w->conns; c != NULL; c = c->next) {
        if (!c->closing && !c->stopping && now - c->active_us >= least && !has_request(c) &&
            !owes_answers(c)) {
            least = now - c->active_us;
            idlest = c;
        }
    }
    if (idlest == NULL)
        return false;
    att_log(ATT_INFO, "%s: idle for %llu ms, closed to make room", idlest->ss.peer,
            (unsigned long long)(least / 1000u));
    if (evbuffer_get_length(bufferevent_get_output(idlest->bev)) == 0) {
        /* Nothing half-sent: say why, if the socket takes it at once. */
        size_t len = 0;
        const char *why = "closed to make room for another client";
        char *line = idlest->http ? http_error_text(503, ATTACHE_ERR_OVERLOADED, why, &len)
                                  : att_error_line(NULL, ATTACHE_ERR_OVERLOADED, why, &len);

        if (line != NULL && send(bufferevent_getfd(idlest->bev), line, len,
                                 MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
            att_log(ATT_DEBUG, "%s: %s", idlest->ss.peer, strerror(errno));
        free(line);
    }
    atomic_fetch_add(&w->srv->conns_evicted, 1);
    conn_free_slot(idlest, true);
    return true;
}

struct conn *conn_open(struct worker *w, int fd, const char *peer, bool tcp, bool http)
{
    struct conn *c = calloc(1, sizeof *c);

    if (c == NULL) {
        att_log(ATT_WARN, "worker %u: %s: out of memory opening a connection; closed",
                w->index, peer);
        close(fd);
        atomic_fetch_sub(&w->srv->conns_current, 1);
        return NULL;
    }
    c->w = w;
    c->id = atomic_fetch_add(&w->srv->conn_ids, 1) + 1;
    snprintf(c->ss.peer, sizeof c->ss.peer, "%s", peer);
    /* The token of this moment holds for the connection's life (a token
     * SIGHUP sets applies to new connections). */
    c->ss.need_auth = tcp && !http && auth_required(&w->srv->auth);
    c->http = http;
    c->hc.peer = c->ss.peer;
    if (tcp) {
        /* Responses go out whole, at once: without this, Nagle's algorithm
         * holds the last piece of a pipelined batch until the client's
         * delayed ACK (~40 ms). */
        int one = 1;

        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    c->bev = bufferevent_socket_new(w->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (c->bev == NULL) {
        close(fd);
        free(c);
        atomic_fetch_sub(&w->srv->conns_current, 1);
        return NULL;
    }
    c->next = w->conns;
    if (w->conns)
        w->conns->prev = c;
    w->conns = c;
    c->active_us = c->taken_us = now_us();
    bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
    evbuffer_add_cb(bufferevent_get_output(c->bev), on_output, c);
    evbuffer_add_cb(bufferevent_get_input(c->bev), on_input, c);
    set_timeouts(c);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
    return c;
}

void conn_keep_ip(struct conn *c, struct att_ipkey *ip)
{
    c->ip = *ip;
    ip->counted = false;
}

static void drain_deadline(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;

    (void)fd;
    (void)what;
    att_log(ATT_WARN, "worker %u: clients did not read their last responses in time",
            w->index);
    event_base_loopexit(w->base, NULL);
}

/* While stopping: as long as the socket still holds bytes the client sent
 * before the stop, keep reading (the bufferevent does it: its input buffer
 * takes no other writer); once it holds none, answer and close. */
static void drain_or_finish(struct conn *c)
{
    int pending = 0;

    while (!c->paused && handle_lines(c, ATTACHE_REQS_PER_EVENT)) {
    }
    if (c->closing) { /* turned away: freed once the answer is sent */
        close_when_sent(c);
        return;
    }
    if (c->paused)
        return; /* the client reads slowly: on_write resumes (or the deadline) */
    if (ioctl(bufferevent_getfd(c->bev), FIONREAD, &pending) == 0 && pending > 0) {
        bufferevent_enable(c->bev, EV_READ);
        return;
    }
    finish(c);
}

void conn_free_all(struct worker *w)
{
    while (w->conns != NULL)
        conn_free(w->conns);
}

void conn_stop_all(struct worker *w)
{
    struct timeval deadline = {.tv_sec = 10};

    for (struct conn *c = w->conns, *next; c != NULL; c = next) {
        next = c->next;
        if (c->closing)
            continue;
        c->stopping = true;
        if (c->mem_paused) { /* what it sent is answered, memory or not */
            c->paused = c->mem_paused = false;
            bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
        }
        drain_or_finish(c);
    }
    if (w->conns == NULL) {
        event_base_loopexit(w->base, NULL);
        return;
    }
    w->drain_ev = evtimer_new(w->base, drain_deadline, w);
    if (w->drain_ev != NULL)
        evtimer_add(w->drain_ev, &deadline);
}
