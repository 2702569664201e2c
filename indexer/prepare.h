/* attache-index: the first half of indexing, which needs no database:
 * decide whether a file changed, read, hash and parse it, and build its
 * passages' Xapian documents into a job for the writer (build.c). */
#ifndef ATT_PREPARE_H
#define ATT_PREPARE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attache/index.h"
#include "build.h"
#include "ids.h"
#include "meta.h"
#include "state.h"
#include "walk.h"

enum job_kind {
    JOB_INDEX, /* replace the file's passages with docs[] */
    JOB_SAME,  /* read, but its content hash is unchanged: save the record */
    JOB_FAIL,  /* could not be indexed: drop its passages, record why */
    JOB_END,   /* no more files (carries the last words for spelling) */
    JOB_STREAM /* a part of a streamed .jsonl file (records.h: sp) */
};

struct job {
    enum job_kind kind;
    struct rec *r;          /* its fields are the writer's once queued */
    bool existed;           /* had passages before (updated, not added) */
    char why[256];          /* JOB_FAIL: the reason */
    struct att_xdoc **docs; /* JOB_INDEX: one per passage */
    size_t ndocs, cap;
    uint32_t ndoc;          /* documents in the file (several for .jsonl) */
    bool meta_only;         /* the same content, other metadata from its folder */
    struct att_xgen *spell; /* non-NULL: add its words, then commit */
    size_t done;            /* files dealt with once this job is applied */
    int lane;               /* the writer it is for; -1: any */
    struct stream_part *sp; /* JOB_STREAM: what it changes beside docs[] */
    struct job *next;
};

struct preparer {
    struct state *st;
    struct build_opts o;
    struct att_xgen *g;     /* builds the documents, counts spelling */
    struct build_counts c;  /* unchanged, skipped, bytes_read */
    struct att_actor_ids actors; /* the actors of the passage being built */
    unsigned batch_passages;
    size_t batch_bytes;
    struct meta_cache meta;      /* the folders' metadata files */
    struct att_sidecar_set set;  /* the fields the file at hand is offered */
    char offered[17];            /* their hash, "" for none */
    struct idmap ids;            /* which file holds each .jsonl record id */
    /* Streamed files hand their jobs before the last to emit (false: the
     * writers gave up), done being the files dealt with before. */
    bool (*emit)(void *ud, struct job *j, size_t done);
    void *emit_ud;
    volatile sig_atomic_t *stop; /* non-zero: stop soon */
    size_t nfile;                /* the walk's index of the file at hand */
    /* A piece of a streamed text (stream_text.c): its passages are numbered
     * from base_n and placed from base_off in the whole document's text. */
    unsigned base_n;
    size_t base_off;
};

int prepare_init(struct preparer *p, struct state *st, const struct build_opts *o,
                 struct att_err *err);
void prepare_fini(struct preparer *p);

/* Before the first prepare_file: the run's walk, and the record ids the
 * index holds. Returns ATT_OK or ATT_E_NOMEM (err filled). */
int prepare_begin(struct preparer *p, const struct walk_list *files, struct att_err *err);

/* The job for file f (its record remembers f->root), or NULL with *fatal
 * false when the file is unchanged or skipped, or NULL with *fatal true and
 * err filled when memory ran out. */
struct job *prepare_file(struct preparer *p, const struct walk_file *f, bool *fatal,
                         struct att_err *err);

void job_free(struct job *j); /* NULL-safe */

/* For the streamed reader (stream.c): split d into passages built into j
 * (counted into the batch); end the batch after j when it is big enough
 * (j then carries its spelling words). ATT_OK, or a failure (memory). */
int prepare_doc(struct preparer *p, struct job *j, const struct att_doc *d,
                struct att_err *err);
int prepare_end_batch(struct preparer *p, struct job *j);

#endif
