/* attached: the token TCP clients authenticate with ("auth", docs/PROTOCOL.md):
 * held by the server, replaced on SIGHUP, checked by the workers. */
#ifndef ATT_AUTH_H
#define ATT_AUTH_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct auth {
    pthread_mutex_t mu;  /* guards tok and len: SIGHUP swaps them */
    char *tok;           /* NULL: no token, nobody needs to authenticate */
    size_t len;
};

void auth_init(struct auth *a);
void auth_destroy(struct auth *a); /* wipes the token */

/* Take tok (malloc'd, len bytes; NULL for none) as the token from now on;
 * consumes it. The old one is wiped. Thread-safe. */
void auth_set(struct auth *a, char *tok, size_t len);

/* True when a token is set (new TCP connections must authenticate). */
bool auth_required(struct auth *a);

/* True when tok matches the token in constant time, or no token is set. */
bool auth_check(struct auth *a, const char *tok, size_t len);

/* True when sa is a loopback address (127.0.0.0/8, ::1, or 127/8 mapped
 * into IPv6). */
bool auth_is_loopback(const struct sockaddr *sa);

#endif
