/* attached: the listening sockets (TCP and Unix) in the listener thread,
 * the connection cap, and the round-robin hand-off to the workers. */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/listener.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "addr.h"
#include "attache/protocol.h"
#include "log.h"
#include "http.h"
#include "protocol.h"
#include "server.h"

static void peer_name(const struct sockaddr *sa, char *out, size_t len)
{
    char host[INET6_ADDRSTRLEN] = "?";

    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)sa;

        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        snprintf(out, len, "%s:%u", host, ntohs(in->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)sa;

        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        snprintf(out, len, "[%s]:%u", host, ntohs(in6->sin6_port));
    } else {
        snprintf(out, len, "unix");
    }
}

bool slot_reserve(struct server *s)
{
    unsigned n = atomic_load(&s->conns_current);

    do {
        if (n >= atomic_load(&s->lim.max_connections))
            return false;
    } while (!atomic_compare_exchange_weak(&s->conns_current, &n, n + 1));
    return true;
}

/* One "overloaded" error line (an HTTP client: a response of status),
 * then close (memcached's maxconns_fast). */
static void turn_away(int fd, bool http, int status, const char *msg)
{
    size_t len = 0;
    char *line = http ? http_error_text(status, ATTACHE_ERR_OVERLOADED, msg, &len)
                      : att_error_line(NULL, ATTACHE_ERR_OVERLOADED, msg, &len);

    if (line != NULL && send(fd, line, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
        att_log(ATT_DEBUG, "could not tell a rejected client: %s", strerror(errno));
    free(line);
    close(fd);
}

void conn_reject(struct server *s, int fd, bool http)
{
    turn_away(fd, http, 503, "too many connections; try again later");
    atomic_fetch_add(&s->conns_rejected, 1);
    att_log(ATT_WARN, "%s: %u connections already open", ATTACHE_ERR_OVERLOADED,
            atomic_load(&s->conns_current));
}

/* Count the connection from sa in s->ips into *ip: false when its
 * address has --max-per-ip open already (the client is then turned away:
 * an HTTP client with 429). A Unix-socket client is never counted. */
static bool ip_admit(struct server *s, evutil_socket_t fd, const struct sockaddr *sa,
                     const char *peer, bool http, struct att_ipkey *ip)
{
    unsigned max = atomic_load(&s->lim.max_per_ip);
    struct att_err err = {0};
    int rc;

    if (!att_ipkey_of(sa, ip))
        return true;
    rc = att_ipcount_take(&s->ips, ip, max, &err);
    if (rc == ATT_E_NOMEM) /* not counted: let it in rather than refuse all */
        att_log(ATT_WARN, "%s: not counted per address: %s", peer, err.msg);
    if (rc != ATT_E_TOOBIG)
        return true;
    turn_away(fd, http, 429, "too many connections from this address; try again later");
    atomic_fetch_add(&s->conns_per_ip_rejected, 1);
    att_log(ATT_WARN, "%s: %s: %s (--max-per-ip %u)", ATTACHE_ERR_OVERLOADED, peer, err.msg,
            max);
    return false;
}

static void accept_conn(struct server *s, evutil_socket_t fd, struct sockaddr *sa, bool http)
{
    struct pending p = {.fd = fd, .tcp = sa->sa_family != AF_UNIX, .http = http};

    peer_name(sa, p.peer, sizeof p.peer);
    if (!ip_admit(s, fd, sa, p.peer, http, &p.ip))
        return;
    if (slot_reserve(s)) {
        atomic_fetch_add(&s->conns_total, 1);
        worker_hand(&s->workers[s->next_worker++ % s->nworkers], &p);
    } else if (atomic_load(&s->lim.evict_idle_ms) > 0) {
        /* Full: the workers look for an idle connection to close (nginx
         * drains idle keep-alive connections the same way). */
        p.room_tries = s->nworkers;
        worker_hand(&s->workers[s->next_worker++ % s->nworkers], &p);
    } else {
        att_ipcount_release(&s->ips, &p.ip);
        conn_reject(s, fd, http);
    }
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
                      int salen, void *arg)
{
    (void)l;
    (void)salen;
    accept_conn(arg, fd, sa, false);
}

static void on_accept_http(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
                           int salen, void *arg)
{
    (void)l;
    (void)salen;
    accept_conn(arg, fd, sa, true);
}

static void resume(evutil_socket_t fd, short what, void *arg)
{
    struct server *s = arg;

    (void)fd;
    (void)what;
    for (size_t i = 0; i < s->nlisteners; i++)
        evconnlistener_enable(s->listeners[i]);
}

static void on_accept_error(struct evconnlistener *l, void *arg)
{
    struct server *s = arg;
    int e = EVUTIL_SOCKET_ERROR();
    struct timeval tv = {.tv_sec = 1};

    (void)l;
    att_log(ATT_ERROR, "accept: %s", evutil_socket_error_to_string(e));
    if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
        /* Out of descriptors: stop accepting for a second, not spin. */
        for (size_t i = 0; i < s->nlisteners; i++)
            evconnlistener_disable(s->listeners[i]);
        if (s->resume_ev == NULL)
            s->resume_ev = evtimer_new(s->base, resume, s);
        if (s->resume_ev != NULL)
            evtimer_add(s->resume_ev, &tv);
    }
}

static int add_listener(struct server *s, struct evconnlistener *l, const char *what)
{
    if (l == NULL) {
        att_log(ATT_ERROR, "cannot listen on %s: %s", what, strerror(errno));
        return -1;
    }
    evconnlistener_set_error_cb(l, on_accept_error);
    s->listeners[s->nlisteners++] = l;
    return 0;
}

/* Anyone who can reach a non-loopback address can query: say so loudly
 * unless a token guards it. */
static void warn_exposed(struct server *s, const char *addr, const struct sockaddr *sa)
{
    if (auth_is_loopback(sa) || auth_required(&s->auth))
        return;
    att_log(ATT_WARN, "WARNING: listening on %s without --token-file: anyone who can reach "
            "%s can query the index; give --token-file FILE (clients then send its token "
            "first), or listen on 127.0.0.1 only", addr, addr);
}

/* addr: as --listen takes it (config.c checked it with att_addr_parse);
 * http: its clients speak HTTP. */
static int open_tcp(struct server *s, const char *addr, bool http)
{
    struct att_addr a;
    struct att_err err = {0};
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE};
    struct addrinfo *res = NULL;
    int rc;

    if (att_addr_parse(addr, &a, &err) != ATT_OK || a.kind != ATT_ADDR_TCP) {
        att_log(ATT_ERROR, "bad --%s address '%s': use HOST:PORT or [IPV6]:PORT",
                http ? "http" : "listen", addr);
        return -1;
    }
    rc = getaddrinfo(*a.host ? a.host : NULL, a.port, &hints, &res);
    if (rc != 0) {
        att_log(ATT_ERROR, "cannot listen on %s: %s", addr, gai_strerror(rc));
        return -1;
    }
    if (s->nlisteners == SERVER_MAX_LISTENERS)
        rc = -1;
    else
        rc = add_listener(s, evconnlistener_new_bind(s->base, http ? on_accept_http : on_accept, s,
                                                     LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
                                                         LEV_OPT_CLOSE_ON_EXEC,
                                                     511, res->ai_addr, (int)res->ai_addrlen),
                          addr);
    if (rc == 0)
        warn_exposed(s, addr, res->ai_addr);
    freeaddrinfo(res);
    return rc;
}

/* A socket file at path that nobody answers on is stale: remove it. A
 * live one belongs to another daemon and is never taken over. */
static int clear_socket_path(const char *path, const struct sockaddr_un *sun)
{
    struct stat st;
    int fd, rc;

    if (lstat(path, &st) != 0)
        return 0;
    if (!S_ISSOCK(st.st_mode)) {
        att_log(ATT_ERROR, "%s exists and is not a socket; not touching it", path);
        return -1;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    rc = fd >= 0 ? connect(fd, (const struct sockaddr *)sun, sizeof *sun) : -1;
    if (fd >= 0)
        close(fd);
    if (rc == 0) {
        att_log(ATT_ERROR, "%s: another daemon is serving on this socket", path);
        return -1;
    }
    att_log(ATT_INFO, "%s: removing a stale socket", path);
    return unlink(path);
}

static int open_unix(struct server *s)
{
    const char *path = s->cfg.socket;
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof sun.sun_path) {
        att_log(ATT_ERROR, "socket path too long: %s", path);
        return -1;
    }
    memcpy(sun.sun_path, path, strlen(path) + 1);
    if (clear_socket_path(path, &sun) != 0)
        return -1;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
        att_log(ATT_ERROR, "cannot listen on %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    s->unix_bound = true;
    /* Mode, owner and group are set before anyone can connect. */
    if (privs_socket(&s->privs, path) != 0) {
        close(fd);
        return -1;
    }
    if (chmod(path, s->cfg.socket_mode) != 0 || listen(fd, 511) != 0) {
        att_log(ATT_ERROR, "cannot listen on %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return add_listener(s, evconnlistener_new(s->base, on_accept, s,
                                              LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0,
                                              fd), path);
}

int listeners_open(struct server *s)
{
    bool none = s->cfg.nlisten == 1 && strcmp(s->cfg.listen[0], "none") == 0;

    bool no_http = s->cfg.nhttp == 1 && strcmp(s->cfg.http[0], "none") == 0;

    if (s->cfg.nlisten == 0 && open_tcp(s, ATTACHE_DEFAULT_LISTEN, false) != 0)
        return -1;
    for (size_t i = 0; !none && i < s->cfg.nlisten; i++) {
        if (open_tcp(s, s->cfg.listen[i], false) != 0)
            return -1;
    }
    if (s->cfg.nhttp == 0 && open_tcp(s, ATTACHE_DEFAULT_HTTP, true) != 0) {
        att_log(ATT_ERROR, "give --http ADDR:PORT for another HTTP address, or --http none");
        return -1;
    }
    for (size_t i = 0; !no_http && i < s->cfg.nhttp; i++) {
        if (open_tcp(s, s->cfg.http[i], true) != 0)
            return -1;
    }
    if (s->cfg.socket != NULL && open_unix(s) != 0)
        return -1;
    if (s->nlisteners == 0) {
        att_log(ATT_ERROR, "nothing to listen on: give --socket with --listen none");
        return -1;
    }
    return 0;
}

void listeners_close(struct server *s)
{
    for (size_t i = 0; i < s->nlisteners; i++)
        evconnlistener_free(s->listeners[i]);
    s->nlisteners = 0;
    if (s->resume_ev != NULL)
        event_free(s->resume_ev);
    s->resume_ev = NULL;
}
