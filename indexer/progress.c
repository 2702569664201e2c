/* attache-index: progress bar, redrawn at most ten times a second. */
#include <stdio.h>
#include <time.h>

#include "progress.h"

double progress_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_start(struct progress *p, size_t total, bool on)
{
    p->on = on && total > 0;
    p->total = total;
    p->t0 = progress_now();
    p->last = 0;
    p->records = 0;
}

void progress_records(struct progress *p, unsigned long n)
{
    p->records += n;
}

void progress_tick(struct progress *p, size_t done)
{
    char bar[31];
    double now;
    size_t fill;

    if (!p->on)
        return;
    now = progress_now();
    if (now - p->last < 0.1 && done < p->total)
        return;
    p->last = now;
    fill = p->total ? done * 30 / p->total : 30;
    for (size_t i = 0; i < 30; i++)
        bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
    bar[30] = '\0';
    fprintf(stderr, "\r[%s] %zu/%zu files %3zu%%", bar, done, p->total,
            p->total ? done * 100 / p->total : 100);
    if (p->records > 0)
        fprintf(stderr, ", %lu records", p->records);
    fprintf(stderr, " %.1f s", now - p->t0);
    fflush(stderr);
}

void progress_end(struct progress *p)
{
    if (p->on)
        fputs("\r\033[K", stderr);
    p->on = false;
}
