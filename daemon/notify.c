/* attached: readiness, reload, stop and watchdog notifications to the
 * service manager through sd_notify (libsystemd). Nothing here runs, and no
 * timer is made, unless NOTIFY_SOCKET is set: without systemd the daemon
 * behaves as if this file did not exist. */
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"
#include "server.h"

/* A failing notification is worth one line, not one per ping. */
static atomic_bool warned;

static void sent(int rc)
{
    if (rc < 0 && !atomic_exchange(&warned, true))
        att_log(ATT_WARN, "cannot notify the service manager (NOTIFY_SOCKET): %s",
                strerror(-rc));
}

static struct timeval period(uint64_t us)
{
    struct timeval tv;

    if (us < 1000) /* a watchdog this short is a mistake: do not spin */
        us = 1000;
    tv.tv_sec = (time_t)(us / 1000000u);
    tv.tv_usec = (suseconds_t)(us % 1000000u);
    return tv;
}

void notify_init(struct server *s)
{
    const char *sock = getenv("NOTIFY_SOCKET");
    uint64_t usec = 0;
    int rc;

    s->notify_on = sock != NULL && *sock != '\0';
    s->watchdog_us = 0;
    atomic_store(&s->reloads_pending, 0);
    if (!s->notify_on)
        return;
    /* 0 when WATCHDOG_USEC is unset, or WATCHDOG_PID names another process */
    rc = sd_watchdog_enabled(0, &usec);
    if (rc < 0)
        att_log(ATT_WARN, "WATCHDOG_USEC or WATCHDOG_PID is not valid (%s): no watchdog "
                "pings", strerror(-rc));
    else if (rc > 0)
        s->watchdog_us = usec;
}

/* A ping vouches for the whole daemon: the listener's loop is turning (it
 * runs this), and so is every worker's, each having beaten within the
 * watchdog interval. Otherwise no ping, and systemd restarts a daemon
 * that stays stuck. */
static void on_watchdog(evutil_socket_t fd, short what, void *arg)
{
    struct server *s = arg;
    uint64_t now = now_us();

    (void)fd;
    (void)what;
    for (unsigned i = 0; i < s->nworkers; i++) {
        uint64_t beat = atomic_load(&s->workers[i].beat_us);

        if (now <= beat || now - beat <= s->watchdog_us)
            continue;
        if (!s->watchdog_held)
            att_log(ATT_ERROR, "watchdog: worker %u has not turned its event loop for %" PRIu64
                    " ms: no ping (the service manager restarts a daemon that stays stuck)",
                    i, (now - beat) / 1000u);
        s->watchdog_held = true;
        return;
    }
    if (s->watchdog_held)
        att_log(ATT_WARN, "watchdog: every worker turns its loop again: pings resume");
    s->watchdog_held = false;
    sent(sd_notify(0, "WATCHDOG=1"));
}

static void send_ready(const struct server *s)
{
    sent(sd_notifyf(0, "READY=1\nSTATUS=serving %s with %u threads\nMAINPID=%ld", s->cfg.db,
                    s->nworkers, (long)getpid()));
}

int notify_ready(struct server *s)
{
    struct timeval tv;

    if (!s->notify_on)
        return 0;
    if (s->watchdog_us > 0) {
        tv = period(s->watchdog_us / 2);
        s->watchdog_ev = event_new(s->base, -1, EV_PERSIST, on_watchdog, s);
        if (s->watchdog_ev == NULL || event_add(s->watchdog_ev, &tv) != 0) {
            att_log(ATT_ERROR, "watchdog: cannot make its timer");
            return -1;
        }
        att_log(ATT_INFO, "watchdog: a ping every %" PRIu64 " ms while every worker's loop "
                "turns", s->watchdog_us / 2000u);
    }
    send_ready(s);
    return 0;
}

void notify_fini(struct server *s)
{
    if (s->watchdog_ev != NULL)
        event_free(s->watchdog_ev);
    s->watchdog_ev = NULL;
}

void notify_reloading(struct server *s)
{
    if (!s->notify_on)
        return;
    atomic_fetch_add(&s->reloads_pending, s->nworkers);
    /* MONOTONIC_USEC: the clock of now_us(), as Type=notify-reload asks */
    sent(sd_notifyf(0, "RELOADING=1\nSTATUS=reloading the configuration and the index\n"
                    "MONOTONIC_USEC=%" PRIu64, now_us()));
}

void notify_reloaded(struct server *s)
{
    unsigned n;

    if (!s->notify_on)
        return;
    n = atomic_load(&s->reloads_pending);
    do {
        if (n == 0) /* not a reload notify_reloading counted */
            return;
    } while (!atomic_compare_exchange_weak(&s->reloads_pending, &n, n - 1));
    if (n == 1)
        send_ready(s);
}

/* systemd's watchdog still runs while a service stops, and the listener's
 * loop, which pings, ends here: one last ping (while the workers were
 * sound) leaves the drain (at most 10 s) a whole interval. */
void notify_stopping(struct server *s)
{
    if (!s->notify_on)
        return;
    sent(sd_notifyf(0, "STOPPING=1\nSTATUS=finishing the requests received, then exiting%s",
                    s->watchdog_us > 0 && !s->watchdog_held ? "\nWATCHDOG=1" : ""));
}

static void on_beat(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;

    (void)fd;
    (void)what;
    atomic_store(&w->beat_us, now_us());
}

int notify_worker_start(struct worker *w)
{
    struct timeval tv;

    atomic_store(&w->beat_us, now_us());
    if (w->srv->watchdog_us == 0)
        return 0;
    tv = period(w->srv->watchdog_us / 4);
    w->beat_ev = event_new(w->base, -1, EV_PERSIST, on_beat, w);
    if (w->beat_ev == NULL || event_add(w->beat_ev, &tv) != 0) {
        att_log(ATT_ERROR, "worker %u: cannot make its watchdog timer", w->index);
        return -1;
    }
    return 0;
}

void notify_worker_fini(struct worker *w)
{
    if (w->beat_ev != NULL)
        event_free(w->beat_ev);
    w->beat_ev = NULL;
}
