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

/* Hand *jp to the writers (ending the batch after it when it is big
 * enough) and make *jp a new, empty part of the same file. ATT_OK;
 * ATT_E_INTERNAL when the writers gave up; ATT_E_NOMEM (err filled). */
int stream_hand_on(struct preparer *p, struct job **jp, struct att_err *err);

/* The file cannot be read: j (its last part) says why, holds no passage,
 * and the file's passages go when it is applied. */
void stream_fail(struct job *j, const char *why);

/* stream_file for a .txt or .md file larger than a batch's text
 * (stream_text.c): read in pieces of about a megabyte, each piece's
 * passages a part of their own; a full pass whenever the file changed,
 * resumed where a killed run left it. */
struct job *stream_text_file(struct preparer *p, struct job *j, const struct walk_file *f,
                             bool *fatal, struct att_err *err);

#endif
