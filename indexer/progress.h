/* attache-index: a progress bar on stderr while a terminal watches. */
#ifndef ATT_PROGRESS_H
#define ATT_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

struct progress {
    bool on;
    size_t total;
    double t0;
    double last;
    unsigned long records; /* .jsonl records read from big files so far */
};

double progress_now(void); /* monotonic seconds */

/* Draw nothing unless on (a terminal and not --quiet). */
void progress_start(struct progress *p, size_t total, bool on);
void progress_tick(struct progress *p, size_t done);
void progress_end(struct progress *p);

/* n more records read (shown beside the files); not thread-safe. */
void progress_records(struct progress *p, unsigned long n);

#endif
