/* attache: how many connections each client IP address holds open. A
 * table the listener thread fills as it accepts and the workers empty as
 * they close, under its own mutex; IPv4 counts as its v4-mapped IPv6
 * address, so one client is one key whichever socket it came through. */
#ifndef ATT_IPCOUNT_H
#define ATT_IPCOUNT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "attache/attache.h"
#include "hashmap.h"

struct att_ipkey {
    unsigned char addr[16]; /* IPv6, or IPv4 as ::ffff:a.b.c.d */
    bool counted;           /* att_ipcount_take counted it: release it once */
};

struct att_ipcount {
    pthread_mutex_t mu;   /* guards the rest */
    struct att_map map;   /* hash of addr -> struct entry (ipcount.c) */
    size_t live, dead;    /* entries, and slots left without one */
};

/* An empty table; att_ipcount_destroy frees it. A table of all zero bytes
 * must not be used (the mutex is initialised here). */
void att_ipcount_init(struct att_ipcount *t);
void att_ipcount_destroy(struct att_ipcount *t); /* entries still counted are freed */

/* The key of a peer's address: true for AF_INET and AF_INET6 (counted
 * false), false for any other family (a Unix socket: never counted). */
bool att_ipkey_of(const struct sockaddr *sa, struct att_ipkey *k);

/* One more connection of k->addr, unless max (0: no limit) are open
 * already. ATT_OK (k->counted set), ATT_E_TOOBIG (at max: nothing
 * counted), or ATT_E_NOMEM (nothing counted). Thread-safe. */
int att_ipcount_take(struct att_ipcount *t, struct att_ipkey *k, unsigned max,
                     struct att_err *err);

/* One connection of k fewer, when k->counted (which is cleared); else
 * nothing. Thread-safe. */
void att_ipcount_release(struct att_ipcount *t, struct att_ipkey *k);

/* Connections of addr open now (for tests and logs). Thread-safe. */
unsigned att_ipcount_get(struct att_ipcount *t, const struct att_ipkey *k);

/* Addresses with at least one connection. Thread-safe. */
size_t att_ipcount_size(struct att_ipcount *t);

#endif
