/* attached: per-worker counters and a latency histogram. */
#include <math.h>
#include <string.h>

#include "attache/protocol.h"
#include "stats.h"

static const char *const err_names[SE_COUNT] = {
    ATTACHE_ERR_BAD_JSON, ATTACHE_ERR_BAD_REQUEST, ATTACHE_ERR_UNKNOWN_OP,
    ATTACHE_ERR_TOO_LARGE, ATTACHE_ERR_QUERY_SYNTAX, ATTACHE_ERR_TIMEOUT,
    ATTACHE_ERR_NOT_FOUND, ATTACHE_ERR_OVERLOADED, ATTACHE_ERR_UNAVAILABLE,
    ATTACHE_ERR_UNAUTHORIZED, ATTACHE_ERR_INTERNAL,
};

void stats_init(struct stats *s)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
}

void stats_destroy(struct stats *s)
{
    pthread_mutex_destroy(&s->mu);
}

const char *stats_err_name(int i)
{
    return i >= 0 && i < SE_COUNT ? err_names[i] : "?";
}

int stats_err_index(const char *code)
{
    for (int i = 0; i < SE_COUNT; i++) {
        if (strcmp(code, err_names[i]) == 0)
            return i;
    }
    return SE_COUNT;
}

static double bucket_top(int i)
{
    return 10.0 * pow(1.25, i);
}

static int bucket_of(uint64_t us)
{
    int i = 0;

    while (i < STATS_BUCKETS - 1 && (double)us > bucket_top(i))
        i++;
    return i;
}

void stats_request(struct stats *s, int op, uint64_t us, const char *code)
{
    int b = bucket_of(us), e = code ? stats_err_index(code) : SE_COUNT;

    pthread_mutex_lock(&s->mu);
    if (op >= 0 && op < ATT_OP_COUNT)
        s->requests[op]++;
    if (e < SE_COUNT)
        s->errors[e]++;
    s->lat[b]++;
    if (us > s->lat_max)
        s->lat_max = us;
    pthread_mutex_unlock(&s->mu);
}

void stats_add(struct stats *s, uint64_t *field, uint64_t n)
{
    pthread_mutex_lock(&s->mu);
    *field += n;
    pthread_mutex_unlock(&s->mu);
}

void stats_sum(struct stats *dst, struct stats *src)
{
    pthread_mutex_lock(&src->mu);
    for (int i = 0; i < ATT_OP_COUNT; i++)
        dst->requests[i] += src->requests[i];
    for (int i = 0; i < SE_COUNT; i++)
        dst->errors[i] += src->errors[i];
    for (int i = 0; i < STATS_BUCKETS; i++)
        dst->lat[i] += src->lat[i];
    if (src->lat_max > dst->lat_max)
        dst->lat_max = src->lat_max;
    dst->yields += src->yields;
    dst->reopens += src->reopens;
    pthread_mutex_unlock(&src->mu);
}

uint64_t stats_percentile(const struct stats *s, double q)
{
    uint64_t total = 0, seen = 0;

    for (int i = 0; i < STATS_BUCKETS; i++)
        total += s->lat[i];
    if (total == 0)
        return 0;
    for (int i = 0; i < STATS_BUCKETS; i++) {
        seen += s->lat[i];
        if ((double)seen >= q * (double)total) {
            uint64_t top = (uint64_t)bucket_top(i);

            return top < s->lat_max ? top : s->lat_max;
        }
    }
    return s->lat_max;
}
