/* attache (client): connecting to attached and exchanging lines, with
 * one deadline for the whole exchange. */
#ifndef ATT_NET_H
#define ATT_NET_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* The most bytes read but not yet returned as lines, so the longest
 * response line the client takes (a longer one fails the exchange).
 * attached puts no bound on a response: a "get" carries a whole document,
 * and attache-index takes files of up to 512 MiB by default; 1 GiB leaves
 * room for that text escaped as JSON. */
#define NET_MAX_IN ((size_t)1 << 30)

/* Room made for each read from the socket. */
#define NET_READ 65536

struct net {
    int fd;
    char addr[300];     /* as the user would write it, for messages */
    double deadline;    /* monotonic seconds */
    struct att_buf in;  /* bytes read but not yet returned, NET_MAX_IN at most */
};

/* Parse an address with att_addr_parse (lib/addr.h): "unix:/path", "/path"
 * or "./path" (a socket, its path into host), "host:port", "[v6]:port".
 * Returns false when it is none of these, or has no host. */
bool net_parse(const char *spec, bool *is_unix, char *host, size_t hlen, char *port,
               size_t plen);

/* Connect within timeout seconds. On failure returns false and writes one
 * line explaining it into why. */
bool net_open(struct net *n, bool is_unix, const char *host, const char *port, double timeout,
              char *why, size_t wlen);

/* Send all of s; false (why filled) on error or time-out. */
bool net_send(struct net *n, const char *s, size_t len, char *why, size_t wlen);

/* The next line (without '\n'), malloc'd; NULL at EOF, error or time-out
 * (why filled; *eof set for a clean end of stream). */
char *net_line(struct net *n, bool *eof, char *why, size_t wlen);

/* Give the next exchange timeout seconds from now. */
void net_deadline(struct net *n, double timeout);

void net_close(struct net *n);

/* For a caller that polls the socket itself (the raw mode). */

/* The socket, for poll(); the address as the user would write it. */
int net_fd(const struct net *n);
const char *net_addr(const struct net *n);

/* Take in what the socket holds now, without waiting. False at EOF, on an
 * error or when out of memory (an interrupted or empty read is not one). */
bool net_read_some(struct net *n);

/* The next whole line already taken in (without '\n'), malloc'd; NULL when
 * none is whole yet (or out of memory). No I/O. */
char *net_buffered_line(struct net *n);

/* Send what the socket takes of s[0..len) now, without waiting: the bytes
 * sent (0 when it takes none), or -1 on an error (errno set). */
long net_send_some(struct net *n, const char *s, size_t len);

#endif
