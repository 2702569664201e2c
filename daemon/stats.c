/* attached: per-worker counters and a latency histogram. */
#include <math.h>
#include <string.h>

#include "stats.h"

void stats_init(struct stats *s)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
}

void stats_destroy(struct stats *s)
{
    pthread_mutex_destroy(&s->mu);
}

double stats_bucket_top(int i)
{
    return 10.0 * pow(1.25, i);
}

static int bucket_of(uint64_t us)
{
    int i = 0;

    while (i < STATS_BUCKETS - 1 && (double)us > stats_bucket_top(i))
        i++;
    return i;
}

void stats_request(struct stats *s, int op, uint64_t us, enum att_wire_err code)
{
    int b = bucket_of(us);

    pthread_mutex_lock(&s->mu);
    if (op < 0 || op > ATT_OP_COUNT)
        op = ATT_OP_COUNT;
    if (code < ATT_WE_NONE || code >= ATT_WE_COUNT)
        code = ATT_WE_INTERNAL;
    if (op < ATT_OP_COUNT)
        s->requests[op]++;
    if (code > ATT_WE_NONE)
        s->errors[code]++;
    s->outcomes[op][code]++;
    s->lat[b]++;
    s->lat_sum += us;
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

void stats_http(struct stats *s, int status)
{
    if (status < STATS_HTTP_MIN || status >= STATS_HTTP_MIN + STATS_HTTP_N)
        return;
    pthread_mutex_lock(&s->mu);
    s->http[status - STATS_HTTP_MIN]++;
    pthread_mutex_unlock(&s->mu);
}

void stats_sum(struct stats *dst, struct stats *src)
{
    pthread_mutex_lock(&src->mu);
    for (int i = 0; i < ATT_OP_COUNT; i++)
        dst->requests[i] += src->requests[i];
    for (int i = 0; i < ATT_WE_COUNT; i++)
        dst->errors[i] += src->errors[i];
    for (int i = 0; i <= ATT_OP_COUNT; i++) {
        for (int j = 0; j < ATT_WE_COUNT; j++)
            dst->outcomes[i][j] += src->outcomes[i][j];
    }
    for (int i = 0; i < STATS_BUCKETS; i++)
        dst->lat[i] += src->lat[i];
    if (src->lat_max > dst->lat_max)
        dst->lat_max = src->lat_max;
    dst->lat_sum += src->lat_sum;
    for (int i = 0; i < STATS_HTTP_N; i++)
        dst->http[i] += src->http[i];
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
            uint64_t top = (uint64_t)stats_bucket_top(i);

            return top < s->lat_max ? top : s->lat_max;
        }
    }
    return s->lat_max;
}
