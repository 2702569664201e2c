/* attached: the ceiling on the memory held for clients
 * (--max-client-memory). Every ATTACHE_MEMORY_CHECK_MS each worker sums
 * what all the workers hold (atomics), and lib/memcap.c says whether it
 * should pause or close some of its own connections, heaviest first, and
 * for how many bytes; a worker never touches another's connections. */
#include <event2/buffer.h>
#include <stdlib.h>

#include "attache/protocol.h"
#include "conn.h"
#include "log.h"

#define WHY "closed: the server holds too much for clients that do not read their responses"

/* May be paused or closed for memory: open, and holding something. */
static bool in_play(const struct conn *c)
{
    return !c->closing && !c->stopping && !c->lingering && !c->leaving && conn_held(c) > 0;
}

/* May be closed for memory: output waits that the client has not touched
 * for the grace period (a client that reads is never closed for memory). */
static bool not_reading(const struct conn *c, uint64_t now)
{
    return in_play(c) && evbuffer_get_length(bufferevent_get_output(c->bev)) > 0 &&
           now - c->taken_us >= (uint64_t)ATTACHE_MEMORY_GRACE_MS * 1000u;
}

/* The connection of w holding most, not yet chosen by check number
 * mark, among those not_reading (closing) or in_play (pausing). */
static struct conn *heaviest(struct worker *w, unsigned mark, bool closing, uint64_t now)
{
    struct conn *best = NULL;
    size_t most = 0;

    for (struct conn *c = w->conns; c != NULL; c = c->next) {
        size_t held = conn_held(c);

        if (c->mark != mark && held > most && (closing ? not_reading(c, now) : in_play(c))) {
            best = c;
            most = held;
        }
    }
    return best;
}

/* How much of c's output to keep so that the client receives whole
 * responses before the error: the rest of the response it has begun to
 * take (at most one). SIZE_MAX: an HTTP response's end is not known. */
static size_t keep_of(struct conn *c)
{
    struct evbuffer *out = bufferevent_get_output(c->bev);
    size_t len = evbuffer_get_length(out);
    unsigned k = 0;

    if (len == 0)
        return 0;
    if (!c->http) {
        struct evbuffer_ptr p = evbuffer_search(out, "\n", 1, NULL);

        return p.pos < 0 ? len : (size_t)p.pos + 1;
    }
    while (k < c->nends && c->ends[k] <= c->out_taken)
        k++;
    return k < c->nends ? (size_t)(c->ends[k] - c->out_taken) : SIZE_MAX;
}

/* Drop c's output past its first keep bytes; false without the memory
 * to do it (then all of it is dropped). The front of a bufferevent's
 * output is frozen (only its writes take from there): thawed meanwhile. */
static bool trim(struct conn *c, size_t keep)
{
    struct evbuffer *out = bufferevent_get_output(c->bev), *head = NULL;
    bool ok = keep >= evbuffer_get_length(out);

    if (ok)
        return true;
    evbuffer_unfreeze(out, 1);
    if (keep > 0) {
        head = evbuffer_new();
        ok = head != NULL && evbuffer_remove_buffer(out, head, keep) == (int)keep;
    } else {
        ok = true;
    }
    evbuffer_drain(out, evbuffer_get_length(out));
    if (ok && head != NULL)
        ok = evbuffer_add_buffer(out, head) == 0;
    if (!ok)
        evbuffer_drain(out, evbuffer_get_length(out));
    evbuffer_freeze(out, 1);
    evbuffer_free(head);
    return ok;
}

/* Close c for memory: what it holds goes, but for the response it has
 * begun to take, which the error follows ("overloaded": a JSON line, or
 * an HTTP 503); it then has ATTACHE_MEMORY_LINGER_S to take them. An
 * HTTP response whose end is unknown goes too, and no error follows. */
static void close_for_memory(struct conn *c, size_t total, size_t cap)
{
    struct evbuffer *out = bufferevent_get_output(c->bev);
    size_t keep = keep_of(c), len = 0;
    char *text = NULL;

    att_log(ATT_INFO, "worker %u: conn %lu (%s): holds %zu bytes, clients %zu of %zu "
            "(--max-client-memory); closed", c->w->index, c->id, c->ss.peer, conn_held(c),
            total, cap);
    atomic_fetch_add(&c->w->srv->conns_memory_closed, 1);
    if (trim(c, keep == SIZE_MAX ? 0 : keep) && keep != SIZE_MAX)
        text = c->http ? http_error_text(503, ATTACHE_ERR_OVERLOADED, WHY, &len)
                       : att_error_line(NULL, ATTACHE_ERR_OVERLOADED, WHY, &len);
    if (text != NULL && evbuffer_add(out, text, len) != 0)
        trim(c, 0); /* no half error */
    free(text);
    c->leaving = true;
    atomic_fetch_add(&c->w->leaving_bytes, evbuffer_get_length(out));
    conn_close_after(c, ATTACHE_MEMORY_LINGER_S);
}

/* Stop reading the heaviest of w until they hold share bytes together
 * (those paused already count); returns how much they hold. */
static size_t pause_heaviest(struct worker *w, size_t share)
{
    size_t covered = 0;
    struct conn *c;

    while (covered < share && (c = heaviest(w, w->mc.checks, false, 0)) != NULL) {
        size_t out = evbuffer_get_length(bufferevent_get_output(c->bev));

        c->mark = w->mc.checks;
        covered += conn_held(c);
        if (c->paused)
            continue;
        att_log(ATT_DEBUG, "worker %u: conn %lu (%s): holds %zu bytes; not read until it "
                "takes its responses (--max-client-memory)", w->index, c->id, c->ss.peer,
                conn_held(c));
        conn_pause(c, out / 2);
        c->mem_paused = true;
        atomic_fetch_add(&w->srv->conns_memory_paused, 1);
    }
    return covered;
}

/* Under the ceiling: read again the connections paused for memory that
 * have no output waiting (input held them; on_write resumes the others
 * once their clients take half of what waits: a client that never reads
 * stays paused). */
static void resume_idle(struct worker *w)
{
    for (struct conn *c = w->conns, *next; c != NULL; c = next) {
        next = c->next; /* c may be freed by what its requests do */
        if (c->mem_paused && !c->closing &&
            evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
            conn_resume(c);
    }
}

void conn_memory_check(struct worker *w)
{
    struct server *s = w->srv;
    size_t share = 0, covered = 0;
    struct att_memcap_in in = {
        .cap = atomic_load(&s->lim.max_client_memory),
        .total = w->stopping ? 0 : server_client_memory(s),
        .mine = atomic_load(&w->queued_bytes) + atomic_load(&w->input_bytes) -
                atomic_load(&w->leaving_bytes),
        .now_us = now_us(),
        .grace_us = (uint64_t)ATTACHE_MEMORY_GRACE_MS * 1000u,
    };
    enum att_memcap_act act = att_memcap_decide(&w->mc, &in, &share);
    struct conn *c;

    if (w->stopping)
        return; /* conn_stop_all answers and closes every connection */
    if (act == ATT_MC_UNDER) {
        resume_idle(w);
        return;
    }
    while (act == ATT_MC_CLOSE && covered < share &&
           (c = heaviest(w, w->mc.checks, true, in.now_us)) != NULL) {
        covered += conn_held(c);
        close_for_memory(c, in.total, in.cap);
    }
    if (covered < share)
        pause_heaviest(w, share - covered);
}
