/* attache: one parser for the addresses the daemon listens on and the
 * client connects to: "HOST:PORT", "[IPV6]:PORT", ":PORT", "unix:PATH",
 * "/PATH" and "./PATH". Text only: no name look-up, no I/O. */
#ifndef ATT_ADDR_H
#define ATT_ADDR_H

#include "attache/attache.h"

#define ATT_ADDR_HOST_MAX 256  /* bytes of a host name, with its NUL */
#define ATT_ADDR_PATH_MAX 4096 /* bytes of a socket path, with its NUL */

enum att_addr_kind { ATT_ADDR_TCP, ATT_ADDR_UNIX };

struct att_addr {
    enum att_addr_kind kind;
    char host[ATT_ADDR_HOST_MAX]; /* TCP: without brackets; "" for ":PORT" */
    char port[6];                 /* TCP: decimal digits, 0 to 65535 */
    char path[ATT_ADDR_PATH_MAX]; /* Unix: the socket's path, never "" */
};

/* Parse spec into *out. A Unix socket is "unix:PATH", or a path beginning
 * with '/' or '.'; anything else is TCP: "[IPV6]:PORT", or HOST:PORT split
 * at the last ':' (so "::1:7311" is host "::1"); HOST may be empty (":PORT",
 * meaning every address: the caller decides whether it accepts that). The
 * port is digits only, at most 65535. Returns ATT_OK, or ATT_E_PARSE with
 * err saying what is wrong (*out is then unspecified). Pure: thread-safe. */
int att_addr_parse(const char *spec, struct att_addr *out, struct att_err *err);

/* Write a as it would be given to att_addr_parse ("[::1]:7311" for an IPv6
 * host, "unix:/run/a.sock") into buf of size len (truncated, always
 * NUL-terminated when len > 0). Returns buf. Pure: thread-safe. */
char *att_addr_format(const struct att_addr *a, char *buf, size_t len);

#endif
