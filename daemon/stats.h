/* attached: counters. Each worker keeps its own under its own lock; the
 * stats operation sums them (memcached's per-thread stats). */
#ifndef ATT_STATS_H
#define ATT_STATS_H

#include <pthread.h>
#include <stdint.h>

#include "protocol.h"

#define STATS_BUCKETS 80 /* latency histogram: 10 us x 1.25^i */
#define STATS_HTTP_MIN 100 /* HTTP statuses counted: 100 to 599 */
#define STATS_HTTP_N 500

struct stats {
    pthread_mutex_t mu;
    uint64_t requests[ATT_OP_COUNT];
    uint64_t errors[ATT_WE_COUNT]; /* by code; [ATT_WE_NONE] stays 0 */
    /* by op (ATT_OP_COUNT: unparsed or turned away) and outcome
     * (ATT_WE_NONE: it succeeded) */
    uint64_t outcomes[ATT_OP_COUNT + 1][ATT_WE_COUNT];
    uint64_t lat[STATS_BUCKETS]; /* lat[i]: requests of at most stats_bucket_top(i) */
    uint64_t lat_max;
    uint64_t lat_sum;   /* microseconds, over every request counted in lat */
    uint64_t http[STATS_HTTP_N]; /* HTTP responses by status - STATS_HTTP_MIN */
    uint64_t yields;    /* a connection gave way after its pipelining budget */
    uint64_t reopens;   /* the index was reopened on a new revision */
};

void stats_init(struct stats *s);
void stats_destroy(struct stats *s);

/* Count one request of op (ATT_OP_COUNT when unparsable) that took us
 * microseconds and failed with code (ATT_WE_NONE when it succeeded). An op
 * out of range counts as ATT_OP_COUNT, a code out of range as
 * ATT_WE_INTERNAL. */
void stats_request(struct stats *s, int op, uint64_t us, enum att_wire_err code);
void stats_add(struct stats *s, uint64_t *field, uint64_t n);

/* Count one HTTP response of status (100 to 599; others are not counted). */
void stats_http(struct stats *s, int status);

/* Add src into dst (dst need not be locked: a private copy). */
void stats_sum(struct stats *dst, struct stats *src);

/* The latency (us) below which fraction q of the requests fell. */
uint64_t stats_percentile(const struct stats *s, double q);

/* The upper bound (us, inclusive) of latency bucket i; the last bucket
 * also holds every longer request. */
double stats_bucket_top(int i);

#endif
