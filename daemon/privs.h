/* attached: running as another user (--user) and the Unix socket's group
 * (--socket-group): names resolved before anything is bound, root dropped
 * for good once the sockets are bound and the pidfile written. */
#ifndef ATT_PRIVS_H
#define ATT_PRIVS_H

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"

struct privs {
    bool drop;          /* started as root with --user: switch to uid/gid */
    uid_t uid;
    gid_t gid;          /* the user's primary group */
    char user[256];
    bool chgrp;         /* --socket-group given */
    gid_t sock_gid;
};

/* Resolve c->user and c->socket_group into p. Without root, --user may only
 * name the user attached runs as. Returns 0, or -1 after logging why. */
int privs_prepare(const struct config *c, struct privs *p);

/* Give the Unix socket at path its owner and group: the --user's (when
 * dropping root), and the --socket-group. Returns 0, or -1 after logging. */
int privs_socket(const struct privs *p, const char *path);

/* Run fn(arg) with the effective user, group and groups of p->user, then
 * take root's back (fn(arg) alone when there is nothing to drop). Lets the
 * index be tried as that user before anything is bound. Returns fn's
 * result, or -1 after logging when switching fails. No threads yet. */
int privs_try_as_user(const struct privs *p, int (*fn)(void *), void *arg);

/* Become p->user for good: its supplementary groups, gid and uid (real,
 * effective and saved). Call before any thread starts. Returns 0 (also
 * when there is nothing to drop), or -1 after logging why. */
int privs_drop(const struct privs *p);

#endif
