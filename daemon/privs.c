/* attached: --user and --socket-group. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "privs.h"

/* A group by name, or by number. */
static bool find_group(const char *name, gid_t *gid)
{
    struct group *g = getgrnam(name);
    char *end;
    unsigned long n;

    if (g != NULL) {
        *gid = g->gr_gid;
        return true;
    }
    n = strtoul(name, &end, 10);
    if (*name < '0' || *name > '9' || *end != '\0' || n > 0x7fffffffUL)
        return false;
    *gid = (gid_t)n;
    return true;
}

int privs_prepare(const struct config *c, struct privs *p)
{
    memset(p, 0, sizeof *p);
    if (c->socket_group != NULL) {
        if (!find_group(c->socket_group, &p->sock_gid)) {
            att_log(ATT_ERROR, "--socket-group %s: no such group", c->socket_group);
            return -1;
        }
        p->chgrp = true;
    }
    if (c->user == NULL)
        return 0;
    errno = 0;
    struct passwd *pw = getpwnam(c->user);

    if (pw == NULL) {
        att_log(ATT_ERROR, "--user %s: no such user", c->user);
        return -1;
    }
    if (geteuid() != 0 && pw->pw_uid != geteuid()) {
        att_log(ATT_ERROR, "--user %s: only root can run attached as another user (it runs "
                "as uid %u)", c->user, (unsigned)geteuid());
        return -1;
    }
    snprintf(p->user, sizeof p->user, "%s", c->user);
    p->uid = pw->pw_uid;
    p->gid = pw->pw_gid;
    p->drop = geteuid() == 0 && pw->pw_uid != 0;
    return 0;
}

int privs_socket(const struct privs *p, const char *path)
{
    uid_t uid = p->drop ? p->uid : (uid_t)-1;
    gid_t gid = p->chgrp ? p->sock_gid : p->drop ? p->gid : (gid_t)-1;

    if (uid == (uid_t)-1 && gid == (gid_t)-1)
        return 0;
    if (chown(path, uid, gid) != 0) {
        att_log(ATT_ERROR, "cannot set the owner or group of %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int privs_try_as_user(const struct privs *p, int (*fn)(void *), void *arg)
{
    int n = p->drop ? getgroups(0, NULL) : 0, rc = -1;
    gid_t *saved = malloc(((size_t)(n > 0 ? n : 0) + 1) * sizeof *saved);
    gid_t egid = getegid();

    if (!p->drop) {
        free(saved);
        return fn(arg);
    }
    if (saved == NULL || n < 0 || getgroups(n, saved) != n) {
        att_log(ATT_ERROR, "cannot read the supplementary groups: %s", strerror(errno));
        free(saved);
        return -1;
    }
    if (initgroups(p->user, p->gid) == 0 && setegid(p->gid) == 0 && seteuid(p->uid) == 0)
        rc = fn(arg);
    else
        att_log(ATT_ERROR, "cannot act as user %s: %s", p->user, strerror(errno));
    if (seteuid(0) != 0 || setegid(egid) != 0 || setgroups((size_t)n, saved) != 0) {
        att_log(ATT_ERROR, "cannot take root back after acting as %s: %s", p->user,
                strerror(errno));
        rc = -1;
    }
    free(saved);
    return rc;
}

int privs_drop(const struct privs *p)
{
    if (!p->drop)
        return 0;
    if (initgroups(p->user, p->gid) != 0 || setresgid(p->gid, p->gid, p->gid) != 0 ||
        setresuid(p->uid, p->uid, p->uid) != 0) {
        att_log(ATT_ERROR, "cannot switch to user %s: %s", p->user, strerror(errno));
        return -1;
    }
    if (setuid(0) == 0 || geteuid() != p->uid || getegid() != p->gid) {
        att_log(ATT_ERROR, "switching to user %s did not drop root for good", p->user);
        return -1;
    }
    att_log(ATT_INFO, "running as user %s (uid %u, gid %u)", p->user, (unsigned)p->uid,
            (unsigned)p->gid);
    return 0;
}
