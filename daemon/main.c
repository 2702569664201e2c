/* attached: the attache query daemon. The main thread owns the listening
 * sockets and the signals; worker threads serve the connections (see
 * docs/ARCHITECTURE.md for the thread model). */
#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attache/attache.h"
#include "log.h"
#include "notify.h"
#include "server.h"

static void on_stop(evutil_socket_t sig, short what, void *arg)
{
    struct server *s = arg;

    (void)what;
    att_log(ATT_INFO, "signal %d: finishing the requests received, then exiting", (int)sig);
    notify_stopping(s);
    listeners_close(s);
    workers_message(s, 'q');
    event_base_loopexit(s->base, NULL);
}

static void on_hup(evutil_socket_t sig, short what, void *arg)
{
    struct server *s = arg;
    struct config fresh;

    (void)sig;
    (void)what;
    notify_reloading(s); /* the last worker to reopen tells READY=1 again */
    if (config_build(&fresh, s->argc, s->argv) != 0) {
        att_log(ATT_ERROR, "SIGHUP: the configuration has errors; keeping the old one");
    } else {
        limits_set(&s->lim, &fresh);
        att_log_set_level((enum att_level)fresh.log_level); /* workers log meanwhile */
        /* A new token holds for the connections that come next. */
        if (fresh.token == NULL && auth_required(&s->auth))
            att_log(ATT_WARN, "SIGHUP: no --token-file any more: new TCP connections need "
                    "no token");
        auth_set(&s->auth, fresh.token, fresh.token_len);
        fresh.token = NULL;
    }
    config_free(&fresh);
    workers_message(s, 'r');
    att_log(ATT_INFO, "SIGHUP: configuration reloaded, index reopened");
}

static int write_pidfile(const char *path)
{
    FILE *f = fopen(path, "w");

    if (f == NULL || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0) {
        att_log(ATT_ERROR, "cannot write pidfile %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* The index must open before anything listens: a clear error, exit 2.
 * (Remote shards out of reach are only reported: they may join later.)
 * p: with --user, the index is opened as that user (the message names it). */
static int check_index(const struct config *c, const struct privs *p)
{
    struct att_xdb *x = NULL;
    struct att_err err = {0};
    struct att_xdb_source src[CONFIG_MAX_DB];
    size_t n = 0;
    int rc = open_index(c, &x, &err);

    if (rc != ATT_OK && p != NULL && p->drop)
        att_log(ATT_ERROR, "cannot open the index %s as user %s: %s (make it readable by "
                "that user, or choose another --user)", c->db, p->user, err.msg);
    else if (rc != ATT_OK && c->ndb == 1)
        att_log(ATT_ERROR, "cannot open the index %s: %s (build it with attache-index -d %s "
                "PATH)", c->db, err.msg, c->db);
    else if (rc != ATT_OK)
        att_log(ATT_ERROR, "cannot open the index: %s", err.msg);
    if (rc == ATT_OK)
        att_xdb_sources(x, src, CONFIG_MAX_DB, &n);
    for (size_t i = 0; i < n; i++) {
        if (!src[i].up)
            att_log(ATT_WARN, "%s is out of reach for now: %s", src[i].spec, src[i].error);
    }
    att_xdb_close(x);
    return rc;
}

static int check_index_cb(void *arg)
{
    const struct server *s = arg;

    return check_index(&s->cfg, &s->privs);
}

static int serve(struct server *s)
{
    struct event *sigs[3];
    int nums[3] = {SIGTERM, SIGINT, SIGHUP};
    int rc;

    for (int i = 0; i < 3; i++) {
        sigs[i] = evsignal_new(s->base, nums[i], nums[i] == SIGHUP ? on_hup : on_stop, s);
        if (sigs[i] == NULL || event_add(sigs[i], NULL) != 0)
            return -1;
    }
    att_log(ATT_INFO, "serving %s with %u threads", s->cfg.db, s->nworkers);
    rc = notify_ready(s); /* bound, listening, workers running */
    if (rc == 0)
        event_base_dispatch(s->base);
    notify_fini(s);
    for (int i = 0; i < 3; i++)
        event_free(sigs[i]);
    return rc;
}

/* Bind, write the pidfile, drop root, start the workers: 0 or exit 2. */
static int start(struct server *s, bool *pid_written)
{
    s->base = event_base_new();
    if (s->base == NULL || listeners_open(s) != 0)
        return 2;
    if (s->cfg.pidfile != NULL && write_pidfile(s->cfg.pidfile) != 0)
        return 2;
    *pid_written = s->cfg.pidfile != NULL;
    if (privs_drop(&s->privs) != 0)
        return 2;
    notify_init(s);
    return workers_start(s) == 0 ? 0 : 2;
}

int main(int argc, char **argv)
{
    struct server s = {0};
    bool pid_written = false;
    int rc;

    att_log_setup("attached", ATT_WARN, true);
    rc = config_build(&s.cfg, argc, argv);
    if (rc != 0) {
        config_free(&s.cfg);
        return rc < 0 ? 0 : rc;
    }
    att_log_set_level((enum att_level)s.cfg.log_level);
    s.argc = argc;
    s.argv = argv;
    s.started = time(NULL);
    limits_set(&s.lim, &s.cfg);
    auth_init(&s.auth);
    att_ipcount_init(&s.ips);
    auth_set(&s.auth, s.cfg.token, s.cfg.token_len);
    s.cfg.token = NULL; /* the server's now */
    signal(SIGPIPE, SIG_IGN);
    /* With --user the index is tried as that user, before anything is bound:
     * root could read an index the daemon then cannot. */
    rc = privs_prepare(&s.cfg, &s.privs) == 0 ? 0 : 2;
    if (rc == 0 && privs_try_as_user(&s.privs, check_index_cb, &s) != ATT_OK)
        rc = 2;
    if (rc == 0)
        rc = start(&s, &pid_written);
    if (rc == 0 && serve(&s) != 0)
        rc = 2;
    if (rc != 0) { /* stop what started */
        listeners_close(&s);
        workers_message(&s, 'q');
    }
    workers_join(&s);
    listeners_close(&s);
    if (s.base)
        event_base_free(s.base);
    /* (After --user these may fail, the folder being root's: the next
     * start replaces a stale socket and pidfile.) */
    if (s.unix_bound)
        unlink(s.cfg.socket);
    if (pid_written)
        unlink(s.cfg.pidfile);
    auth_destroy(&s.auth);
    att_ipcount_destroy(&s.ips);
    config_free(&s.cfg);
    return rc;
}
