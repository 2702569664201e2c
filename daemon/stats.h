/* attached: counters. Each worker keeps its own under its own lock; the
 * stats operation sums them (memcached's per-thread stats). */
#ifndef ATT_STATS_H
#define ATT_STATS_H

#include <pthread.h>
#include <stdint.h>

#include "protocol.h"

#define STATS_BUCKETS 80 /* latency histogram: 10 us x 1.25^i */

struct stats {
    pthread_mutex_t mu;
    uint64_t requests[ATT_OP_COUNT];
    uint64_t errors[ATT_WE_COUNT]; /* by code; [ATT_WE_NONE] stays 0 */
    uint64_t lat[STATS_BUCKETS];
    uint64_t lat_max;
    uint64_t yields;    /* a connection gave way after its pipelining budget */
    uint64_t reopens;   /* the index was reopened on a new revision */
};

void stats_init(struct stats *s);
void stats_destroy(struct stats *s);

/* Count one request of op (ATT_OP_COUNT when unparsable) that took us
 * microseconds and failed with code (ATT_WE_NONE when it succeeded). */
void stats_request(struct stats *s, int op, uint64_t us, enum att_wire_err code);
void stats_add(struct stats *s, uint64_t *field, uint64_t n);
/* Count one HTTP response of status. */
void stats_http(struct stats *s, int status);

/* Add src into dst (dst need not be locked: a private copy). */
void stats_sum(struct stats *dst, struct stats *src);

/* The latency (us) below which fraction q of the requests fell. */
uint64_t stats_percentile(const struct stats *s, double q);

#endif
