/* attache (client): sockets with a deadline, line by line. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "net.h"

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool net_parse(const char *spec, bool *is_unix, char *host, size_t hlen, char *port,
               size_t plen)
{
    struct att_addr a;
    struct att_err err = {0};

    if (att_addr_parse(spec, &a, &err) != ATT_OK)
        return false;
    *is_unix = a.kind == ATT_ADDR_UNIX;
    if (*is_unix) {
        snprintf(host, hlen, "%s", a.path);
        return true;
    }
    snprintf(host, hlen, "%s", a.host);
    snprintf(port, plen, "%s", a.port);
    return host[0] != '\0'; /* ":PORT" is for listening, not connecting */
}

/* Wait until fd is ready for events or the deadline passes. */
static int wait_fd(const struct net *n, short events)
{
    struct pollfd p = {.fd = n->fd, .events = events};
    double left = n->deadline - now();
    int rc;

    if (left <= 0)
        return 0;
    do {
        rc = poll(&p, 1, (int)(left * 1000) + 1);
    } while (rc < 0 && errno == EINTR);
    return rc;
}

static bool connect_fd(struct net *n, const struct sockaddr *sa, socklen_t len, char *why,
                       size_t wlen)
{
    int err = 0;
    socklen_t elen = sizeof err;

    n->fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (n->fd < 0) {
        snprintf(why, wlen, "%s", strerror(errno));
        return false;
    }
    if (connect(n->fd, sa, len) == 0)
        return true;
    if (errno != EINPROGRESS && errno != EAGAIN) {
        snprintf(why, wlen, "%s", strerror(errno));
        return false;
    }
    if (wait_fd(n, POLLOUT) <= 0) {
        snprintf(why, wlen, "timed out");
        return false;
    }
    getsockopt(n->fd, SOL_SOCKET, SO_ERROR, &err, &elen);
    if (err != 0)
        snprintf(why, wlen, "%s", strerror(err));
    return err == 0;
}

bool net_open(struct net *n, bool is_unix, const char *host, const char *port, double timeout,
              char *why, size_t wlen)
{
    memset(n, 0, sizeof *n);
    n->fd = -1;
    n->deadline = now() + timeout;
    att_buf_init(&n->in, NET_MAX_IN);
    if (is_unix) {
        struct sockaddr_un sun = {.sun_family = AF_UNIX};

        snprintf(n->addr, sizeof n->addr, "unix:%s", host);
        if (strlen(host) >= sizeof sun.sun_path) {
            snprintf(why, wlen, "socket path too long");
            return false;
        }
        memcpy(sun.sun_path, host, strlen(host) + 1);
        return connect_fd(n, (struct sockaddr *)&sun, sizeof sun, why, wlen);
    }
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    int rc = getaddrinfo(host, port, &hints, &res);
    bool ok;

    snprintf(n->addr, sizeof n->addr, strchr(host, ':') ? "[%s]:%s" : "%s:%s", host, port);
    if (rc != 0) {
        snprintf(why, wlen, "%s", gai_strerror(rc));
        return false;
    }
    ok = connect_fd(n, res->ai_addr, res->ai_addrlen, why, wlen);
    freeaddrinfo(res);
    return ok;
}

/* After a send or recv that gave k <= 0 (but not a recv's end of stream):
 * wait and return true when it was only interrupted or would block;
 * otherwise false, with why saying `late` at the deadline or the error. */
static bool wait_again(const struct net *n, ssize_t k, short events, const char *late,
                       char *why, size_t wlen)
{
    if (k < 0 && (errno == EAGAIN || errno == EINTR)) {
        if (wait_fd(n, events) > 0)
            return true;
        snprintf(why, wlen, "%s", late);
        return false;
    }
    snprintf(why, wlen, "%s", strerror(errno));
    return false;
}

bool net_send(struct net *n, const char *s, size_t len, char *why, size_t wlen)
{
    while (len > 0) {
        ssize_t k = send(n->fd, s, len, MSG_NOSIGNAL);

        if (k > 0) {
            s += k;
            len -= (size_t)k;
        } else if (!wait_again(n, k, POLLOUT, "timed out sending the request", why, wlen)) {
            return false;
        }
    }
    return true;
}

/* The first whole line held in n->in: true with *line its bytes without
 * the '\n' (malloc'd; NULL when out of memory, and then the line stays);
 * false when no line is whole yet. */
static bool take_line(struct net *n, char **line)
{
    char *nl = n->in.len ? memchr(n->in.p, '\n', n->in.len) : NULL;
    size_t k;

    *line = NULL;
    if (nl == NULL)
        return false;
    k = (size_t)(nl - n->in.p);
    *line = strndup(n->in.p, k);
    if (*line != NULL) {
        memmove(n->in.p, nl + 1, n->in.len - k - 1);
        n->in.len -= k + 1;
        n->in.p[n->in.len] = '\0';
    }
    return true;
}

/* Read what the socket gives into n->in (flags for recv): recv's answer,
 * or -1 with *rc set when n->in is at its ceiling or out of memory. */
static ssize_t read_in(struct net *n, int flags, int *rc)
{
    size_t left = n->in.max - n->in.len;
    ssize_t k;

    /* room for a read of NET_READ bytes, or for what the ceiling leaves */
    *rc = att_buf_reserve(&n->in, left == 0 ? 1 : left < NET_READ ? left : NET_READ);
    if (*rc != ATT_OK)
        return -1;
    k = recv(n->fd, n->in.p + n->in.len, n->in.cap - n->in.len - 1, flags);
    if (k > 0) {
        n->in.len += (size_t)k;
        n->in.p[n->in.len] = '\0';
    }
    return k;
}

char *net_line(struct net *n, bool *eof, char *why, size_t wlen)
{
    char *line;
    int rc;

    *eof = false;
    while (!take_line(n, &line)) {
        ssize_t k = read_in(n, 0, &rc);

        if (k > 0)
            continue;
        if (rc == ATT_E_TOOBIG) {
            snprintf(why, wlen, "a response line over %zu bytes", n->in.max);
        } else if (rc != ATT_OK) {
            snprintf(why, wlen, "out of memory");
        } else if (k == 0) {
            *eof = n->in.len == 0;
            snprintf(why, wlen, n->in.len ? "the connection closed in the middle of a response"
                                          : "the connection closed");
        } else if (wait_again(n, k, POLLIN, "no response within the time-out", why, wlen)) {
            continue;
        }
        return NULL;
    }
    if (line == NULL)
        snprintf(why, wlen, "out of memory");
    return line;
}

void net_deadline(struct net *n, double timeout)
{
    n->deadline = now() + timeout;
}

void net_close(struct net *n)
{
    if (n->fd >= 0)
        close(n->fd);
    att_buf_free(&n->in);
    memset(n, 0, sizeof *n);
    n->fd = -1;
}

/* ---- for the raw mode: non-blocking steps, the caller polls ---- */

int net_fd(const struct net *n)
{
    return n->fd;
}

const char *net_addr(const struct net *n)
{
    return n->addr;
}

bool net_read_some(struct net *n)
{
    int rc;
    ssize_t k = read_in(n, MSG_DONTWAIT, &rc);

    if (rc != ATT_OK)
        return false;
    return k > 0 || (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR));
}

char *net_buffered_line(struct net *n)
{
    char *line;

    take_line(n, &line);
    return line;
}

long net_send_some(struct net *n, const char *s, size_t len)
{
    ssize_t k = len ? send(n->fd, s, len, MSG_NOSIGNAL | MSG_DONTWAIT) : 0;

    if (k < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
    return (long)k;
}
