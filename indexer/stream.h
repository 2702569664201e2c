/* attache-index: a .jsonl file read as a stream, record by record, in
 * bounded memory: only new and changed records are indexed, the tail
 * after what the index already holds is all that is parsed when the file
 * grew, and the progress goes into the index with each batch. */
#ifndef ATT_STREAM_H
#define ATT_STREAM_H

#include <stdbool.h>

#include "prepare.h"

/* Read f (record r = j->r, already claimed) into jobs: each but the last
 * handed to p->emit; the last returned (NULL when the run stops or the
 * writers gave up, or with *fatal when memory ran out, err filled). j is
 * used as the first job. */
struct job *stream_file(struct preparer *p, struct job *j, const struct walk_file *f,
                        bool *fatal, struct att_err *err);

#endif
