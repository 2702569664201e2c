/* attache-index: the writing half of indexing. A preparer thread turns
 * files into jobs (prepare.c); this side applies them to the index in
 * batches, each batch one atomic commit holding both the passages and the
 * bookkeeping of the files they came from. */
#ifndef ATT_BUILD_H
#define ATT_BUILD_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "actors.h"
#include "attache/index.h"
#include "progress.h"
#include "state.h"
#include "walk.h"

struct build_opts {
    unsigned batch_passages; /* commit after this many passages */
    size_t batch_bytes;      /* ... or this much text */
    size_t max_file;         /* larger files fail as too large (not .jsonl) */
    size_t max_record;       /* longer .jsonl lines are skipped */
    bool retry_failed;       /* re-read files that failed before */
    unsigned share_k, share_n; /* share_n > 1: index only files of share k */
    const struct att_actors *actors; /* tags passages with actors; NULL: none */
};

struct build_counts {
    unsigned added, updated, removed, unchanged, failed, skipped;
    uint64_t bytes_read;
    unsigned meta_updated;  /* of updated: the same content, other folder metadata */
    unsigned duplicates;    /* files with the same content as another (the end) */
    unsigned id_conflicts;  /* .jsonl records left out: another file holds the id */
    unsigned rec_added, rec_updated, rec_removed, rec_unchanged; /* streamed records */
};

static inline struct build_counts build_counts_add(struct build_counts a, struct build_counts b)
{
    return (struct build_counts){a.added + b.added, a.updated + b.updated,
                                 a.removed + b.removed, a.unchanged + b.unchanged,
                                 a.failed + b.failed, a.skipped + b.skipped,
                                 a.bytes_read + b.bytes_read,
                                 a.meta_updated + b.meta_updated,
                                 a.duplicates + b.duplicates,
                                 a.id_conflicts + b.id_conflicts,
                                 a.rec_added + b.rec_added, a.rec_updated + b.rec_updated,
                                 a.rec_removed + b.rec_removed,
                                 a.rec_unchanged + b.rec_unchanged};
}

struct builder {
    struct att_xwdb *w;
    struct state *st;
    struct build_opts o;
    struct build_counts c;
    unsigned batch_passages; /* passages added or removed since the last commit */
    uint64_t revision;
    bool in_tx;
    unsigned lane;           /* its index among the writers */
    struct att_xgroup *grp;  /* near-duplicate groups; made at its first write */
    char *path;              /* its database's folder (malloc'd; may be NULL) */
    struct att_err err;      /* why this lane's writing stopped */
    struct rec *dirty;       /* a streamed file whose record the batch changed */
};

/* Start writing to w (whose records are in st). Reads the revision. */
int build_begin(struct builder *b, struct att_xwdb *w, struct state *st,
                const struct build_opts *o, struct att_err *err);

/* Bring every file up to date: unchanged files are left alone, new and
 * changed ones (re)indexed, unreadable ones recorded as failed (logged and
 * counted, not an error); each record remembers its file's root. Reading
 * and parsing run in a thread of their own; each of the nlanes builders
 * writes the files it takes to its own database in a thread of its own
 * (lane 0 in the caller's), so a file's passages and record are always in
 * one database. With shards > 1, lane k writes shard k and gets the files
 * store_shard_of() puts there; else any lane takes any file. Each lane
 * counts what it wrote; lanes[0].c also gets the preparer's counts. Stops
 * early, with what was done committed, when *stop becomes non-zero.
 * Returns non-zero only when an index itself failed. */
int build_run(struct builder *lanes, size_t nlanes, unsigned shards,
              const struct walk_list *files, volatile sig_atomic_t *stop,
              struct progress *pg, struct att_err *err);

/* The passages indexed by term[0..n) go, their near-duplicate
 * neighbours noted (lib/xap_group.cc); any number of drops, then one
 * build_add, which adds docs[0..ndocs) (maybe none) and brings the groups
 * of all of them up to date. */
int build_drop(struct builder *b, const char *term, size_t n, struct att_err *err);
int build_add(struct builder *b, struct att_xdoc *const *docs, size_t ndocs,
              struct att_err *err);

/* Remove a vanished file's passages and record. */
int build_remove(struct builder *b, struct rec *r, struct att_err *err);

/* Commit what is pending (a no-op when nothing is). */
int build_flush(struct builder *b, struct att_err *err);

/* Commit even when nothing is pending (stamps format and revision). */
int build_touch(struct builder *b, struct att_err *err);

/* Set the metadata key to val[0..len) (empty: remove it) in the batch
 * under way, beginning one when none is. */
int build_set_meta(struct builder *b, const char *key, const char *val, size_t len,
                   struct att_err *err);

/* Drop what is pending (on a fatal error). */
void build_abort(struct builder *b);

/* Free what the builder holds, once its database is closed. */
void build_end(struct builder *b);

#endif
