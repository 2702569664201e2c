/* attached: counters. Each worker keeps its own under its own lock; the
 * stats operation sums them (memcached's per-thread stats). */
#ifndef ATT_STATS_H
#define ATT_STATS_H

#include <pthread.h>
#include <stdint.h>

#include "protocol.h"

#define STATS_BUCKETS 80 /* latency histogram: 10 us x 1.25^i */

enum stats_err { SE_BAD_JSON, SE_BAD_REQUEST, SE_UNKNOWN_OP, SE_TOO_LARGE, SE_QUERY_SYNTAX,
                 SE_TIMEOUT, SE_NOT_FOUND, SE_OVERLOADED, SE_UNAVAILABLE, SE_UNAUTHORIZED,
                 SE_INTERNAL, SE_COUNT };

struct stats {
    pthread_mutex_t mu;
    uint64_t requests[ATT_OP_COUNT];
    uint64_t errors[SE_COUNT];
    uint64_t lat[STATS_BUCKETS];
    uint64_t lat_max;
    uint64_t yields;    /* a connection gave way after its pipelining budget */
    uint64_t reopens;   /* the index was reopened on a new revision */
};

void stats_init(struct stats *s);
void stats_destroy(struct stats *s);

/* Count one request of op (ATT_OP_COUNT when unparsable) that took us
 * microseconds and failed with code (NULL when it succeeded). */
void stats_request(struct stats *s, int op, uint64_t us, const char *code);
void stats_add(struct stats *s, uint64_t *field, uint64_t n);

/* The error code's name and its index (SE_COUNT when unknown). */
const char *stats_err_name(int i);
int stats_err_index(const char *code);

/* Add src into dst (dst need not be locked: a private copy). */
void stats_sum(struct stats *dst, struct stats *src);

/* The latency (us) below which fraction q of the requests fell. */
uint64_t stats_percentile(const struct stats *s, double q);

#endif
