/* attache-index: turns files into passage documents and writes them in
 * batches, each batch one atomic commit holding both the passages and the
 * bookkeeping of the files they came from. */
#ifndef ATT_BUILD_H
#define ATT_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "attache/index.h"
#include "state.h"
#include "walk.h"

struct build_opts {
    unsigned batch_passages; /* commit after this many passages */
    size_t batch_bytes;      /* ... or this much text */
    size_t max_file;         /* larger files fail as too large */
    bool retry_failed;       /* re-read files that failed before */
};

struct build_counts {
    unsigned added, updated, removed, unchanged, failed, skipped;
    uint64_t bytes_read;
};

struct builder {
    struct att_xwdb *w;
    struct state *st;
    struct build_opts o;
    struct build_counts c;
    unsigned batch_passages;
    size_t batch_bytes;
    uint64_t revision;
    bool in_tx;
};

/* Start writing to w (whose records are in st). Reads the revision. */
int build_begin(struct builder *b, struct att_xwdb *w, struct state *st,
                const struct build_opts *o, struct att_err *err);

/* Bring one file up to date: unchanged files are left alone, new and
 * changed ones (re)indexed, unreadable ones recorded as failed (logged and
 * counted; not an error). root is the folder argument's real path, or
 * NULL for a file argument. Returns non-zero only when the index itself
 * failed (the run must stop). */
int build_file(struct builder *b, const struct walk_file *f, const char *root,
               struct att_err *err);

/* Remove a vanished file's passages and record. */
int build_remove(struct builder *b, struct rec *r, struct att_err *err);

/* Commit what is pending (a no-op when nothing is). */
int build_flush(struct builder *b, struct att_err *err);

/* Commit even when nothing is pending (stamps format and revision). */
int build_touch(struct builder *b, struct att_err *err);

/* Drop what is pending (on a fatal error). */
void build_abort(struct builder *b);

#endif
