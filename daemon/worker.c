/* attached: worker threads. Each has its own event_base (no locking in
 * libevent), its own read-only index handle, and a queue through which
 * the listener hands it new connections, woken by a byte on a pipe. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attache/protocol.h"
#include "log.h"
#include "notify.h"
#include "server.h"
#include "terms.h"

uint64_t now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int open_index(const struct config *c, struct att_xdb **out, struct att_err *err)
{
    struct att_xdb_opts o = {c->shard_timeout_ms, c->shard_retry_ms,
                             c->on_shard_failure == CONFIG_SHARD_PARTIAL};

    return att_xdb_open_many((const char *const *)c->dbs, c->ndb, &o, out, err);
}

/* The gazetteer the index was tagged with (its metadata; the built-in
 * one for an index that holds none), parsed again only when it changed.
 * On failure the worker keeps the one it had. */
static void load_actors(struct worker *w)
{
    struct att_actors *g = NULL;
    struct att_err err = {0};
    char *text = NULL;
    size_t len = 0;

    if (w->db == NULL || att_xdb_get_meta(w->db, ATT_META_ACTORS, strlen(ATT_META_ACTORS), &text,
                                          &len, &err) != ATT_OK)
        return;
    if (w->actors != NULL && (text == NULL) == (w->actors_text == NULL) &&
        (text == NULL || (len == w->actors_len && memcmp(text, w->actors_text, len) == 0))) {
        free(text);
        return;
    }
    if (text == NULL)
        att_actors_builtin(&g, &err);
    else if ((g = att_actors_new()) != NULL &&
             att_actors_load(g, text, len, NULL, NULL, &err) != ATT_OK) {
        att_actors_free(g);
        g = NULL;
    }
    if (g == NULL) {
        att_log(ATT_WARN, "worker %u: cannot load the actors: out of memory", w->index);
        free(text);
        return;
    }
    att_actors_free(w->actors);
    free(w->actors_text);
    w->actors = g;
    w->actors_text = text;
    w->actors_len = len;
}

void worker_refresh(struct worker *w, bool force)
{
    struct att_err err = {0};
    uint64_t now = now_us();
    bool changed = false;

    if (!force && now - w->last_check_us < ATTACHE_REOPEN_CHECK_MS * 1000u)
        return;
    w->last_check_us = now;
    if (w->db == NULL) { /* the index was unreadable: try afresh */
        w->open_error = open_index(&w->srv->cfg, &w->db, &err);
        if (w->open_error != ATT_OK)
            return;
        changed = true;
    } else if (att_xdb_reopen(w->db, &changed, &err) != ATT_OK) {
        att_log(ATT_WARN, "worker %u: reopen failed: %s", w->index, err.msg);
        return;
    }
    if (changed) {
        uint64_t rev = att_xdb_revision(w->db);

        if (rev != w->revision) {
            att_log(ATT_DEBUG, "worker %u: revision %llu", w->index, (unsigned long long)rev);
            w->changed_at = time(NULL);
        }
        w->revision = rev;
        stats_add(&w->st, &w->st.reopens, 1);
        load_actors(w);
    }
}

/* SIGHUP: open the databases afresh (remote shards reconnect, and so see
 * a generation their server's index swapped in) and drop the old handle;
 * when that fails, keep it and catch up as usual. */
static void worker_reload(struct worker *w)
{
    struct att_xdb *fresh = NULL;
    struct att_err err = {0};
    uint64_t rev;

    if (open_index(&w->srv->cfg, &fresh, &err) != ATT_OK) {
        att_log(ATT_WARN, "worker %u: reopen failed: %s", w->index, err.msg);
        worker_refresh(w, true);
        return;
    }
    att_xdb_close(w->db);
    w->db = fresh;
    w->open_error = ATT_OK;
    rev = att_xdb_revision(w->db);
    if (rev != w->revision)
        w->changed_at = time(NULL);
    w->revision = rev;
    w->last_check_us = now_us();
    stats_add(&w->st, &w->st.reopens, 1);
    load_actors(w);
}

static struct pending *take_queue(struct worker *w)
{
    struct pending *p;

    pthread_mutex_lock(&w->qmu);
    p = w->queue;
    w->queue = NULL;
    pthread_mutex_unlock(&w->qmu);
    return p;
}

/* Open the connection p holds a slot for; it takes p's count in
 * server.ips (given back when it cannot be opened). */
static void open_pending(struct worker *w, struct pending *p)
{
    struct conn *c = conn_open(w, p->fd, p->peer, p->tcp, p->http);

    if (c != NULL)
        conn_keep_ip(c, &p->ip);
    else
        att_ipcount_release(&w->srv->ips, &p->ip);
}

/* A connection that came at the cap: a slot freed meanwhile, or one this
 * worker makes by closing an idle connection, or the next worker's turn;
 * when every worker has looked, it is turned away. */
static void make_room(struct worker *w, struct pending *p)
{
    struct server *s = w->srv;

    if (slot_reserve(s) || conn_evict_idlest(w)) {
        atomic_fetch_add(&s->conns_total, 1);
        open_pending(w, p);
    } else if (p->room_tries > 1) {
        p->room_tries--;
        worker_hand(&s->workers[(w->index + 1) % s->nworkers], p);
    } else {
        att_ipcount_release(&s->ips, &p->ip);
        conn_reject(s, p->fd, p->http);
    }
}

static void on_notify(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    char buf[64];
    ssize_t n = read(fd, buf, sizeof buf);

    (void)what;
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] == 'q' && !w->stopping) {
            w->stopping = true;
            conn_stop_all(w);
        } else if (buf[i] == 'r') {
            worker_reload(w);
            notify_reloaded(w->srv);
        }
    }
    /* Connections queued in reverse: open them in arrival order. */
    struct pending *p = take_queue(w), *rev = NULL;

    while (p != NULL) {
        struct pending *next = p->next;

        p->next = rev;
        rev = p;
        p = next;
    }
    while (rev != NULL) {
        struct pending *next = rev->next;

        if (w->stopping) {
            close(rev->fd);
            att_ipcount_release(&w->srv->ips, &rev->ip);
            if (rev->room_tries == 0)
                atomic_fetch_sub(&w->srv->conns_current, 1);
        } else if (rev->room_tries == 0) {
            open_pending(w, rev);
        } else {
            make_room(w, rev);
        }
        free(rev);
        rev = next;
    }
}

static void on_memcap(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    conn_memory_check(arg);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;

    event_base_dispatch(w->base);
    return NULL;
}

static int worker_init(struct server *s, struct worker *w, unsigned i)
{
    struct att_err err = {0};
    struct timeval check = {.tv_usec = ATTACHE_MEMORY_CHECK_MS * 1000};

    w->srv = s;
    w->index = i;
    stats_init(&w->st);
    pthread_mutex_init(&w->qmu, NULL);
    w->open_error = open_index(&s->cfg, &w->db, &err);
    if (w->open_error != ATT_OK) {
        att_log(ATT_ERROR, "cannot open the index %s: %s", s->cfg.db, err.msg);
        return -1;
    }
    w->revision = att_xdb_revision(w->db);
    w->last_check_us = now_us();
    load_actors(w);
    w->base = event_base_new_with_config(NULL);
    if (w->base == NULL || pipe2(w->notify, O_CLOEXEC | O_NONBLOCK) != 0)
        return -1;
    w->notify_ev = event_new(w->base, w->notify[0], EV_READ | EV_PERSIST, on_notify, w);
    if (w->notify_ev == NULL || event_add(w->notify_ev, NULL) != 0)
        return -1;
    w->memcap_ev = event_new(w->base, -1, EV_PERSIST, on_memcap, w);
    if (w->memcap_ev == NULL || event_add(w->memcap_ev, &check) != 0)
        return -1;
    return notify_worker_start(w);
}

int workers_start(struct server *s)
{
    s->workers = calloc(s->cfg.threads, sizeof *s->workers);
    if (s->workers == NULL)
        return -1;
    for (unsigned i = 0; i < s->cfg.threads; i++) {
        s->workers[i].notify[0] = s->workers[i].notify[1] = -1;
        s->nworkers = i + 1; /* worker_fini undoes even a half-made one */
        if (worker_init(s, &s->workers[i], i) != 0)
            return -1;
    }
    for (unsigned i = 0; i < s->nworkers; i++) {
        if (pthread_create(&s->workers[i].tid, NULL, worker_main, &s->workers[i]) != 0)
            return -1;
    }
    return 0;
}

static void notify(struct worker *w, char msg)
{
    while (write(w->notify[1], &msg, 1) < 0 && errno == EINTR) {
    }
}

void worker_hand(struct worker *w, const struct pending *from)
{
    struct pending *p = malloc(sizeof *p);

    if (p == NULL) {
        struct att_ipkey ip = from->ip;

        close(from->fd);
        att_ipcount_release(&w->srv->ips, &ip);
        if (from->room_tries == 0)
            atomic_fetch_sub(&w->srv->conns_current, 1);
        return;
    }
    *p = *from;
    pthread_mutex_lock(&w->qmu);
    p->next = w->queue;
    w->queue = p;
    pthread_mutex_unlock(&w->qmu);
    notify(w, 'c');
}

void workers_message(struct server *s, char msg)
{
    for (unsigned i = 0; i < s->nworkers; i++)
        notify(&s->workers[i], msg);
}

/* Free what worker_init made (the thread, if any, has ended). */
static void worker_fini(struct worker *w)
{
    for (struct pending *p = take_queue(w), *n; p != NULL; p = n) {
        n = p->next;
        close(p->fd);
        att_ipcount_release(&w->srv->ips, &p->ip);
        free(p);
    }
    conn_free_all(w);
    if (w->notify_ev)
        event_free(w->notify_ev);
    if (w->memcap_ev)
        event_free(w->memcap_ev);
    if (w->drain_ev)
        event_free(w->drain_ev);
    notify_worker_fini(w);
    if (w->base)
        event_base_free(w->base);
    if (w->notify[0] >= 0)
        close(w->notify[0]);
    if (w->notify[1] >= 0)
        close(w->notify[1]);
    att_xdb_close(w->db);
    att_actors_free(w->actors);
    free(w->actors_text);
    stats_destroy(&w->st);
    pthread_mutex_destroy(&w->qmu);
}

void workers_join(struct server *s)
{
    for (unsigned i = 0; i < s->nworkers; i++) {
        if (s->workers[i].tid)
            pthread_join(s->workers[i].tid, NULL);
        worker_fini(&s->workers[i]);
    }
    free(s->workers);
    s->workers = NULL;
    s->nworkers = 0;
}
