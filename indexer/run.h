/* attache-index: one run over an index folder: lock it, open the databases
 * to write (one per shard, several writers for a fresh build), index the
 * files, remove the vanished ones and put the result live; and --compact. */
#ifndef ATT_RUN_H
#define ATT_RUN_H

#include <stdbool.h>

#include "attache/attache.h"
#include "build.h"
#include "canary.h"

#define RUN_MAX_JOBS 16 /* writers for a fresh build, at most */
#define RUN_MAX_CHANGESETS 100000 /* --changesets N, at most */

struct run_opts {
    const char *db;
    bool quiet, json, rebuild, compact, stats, list, retry, follow;
    int progress;          /* -1 auto (a terminal), 0 off, 1 on */
    double wait;
    unsigned jobs;         /* writers for a fresh build (1..RUN_MAX_JOBS) */
    unsigned shards;       /* --shards, 0 when not given */
    const char *aliases;   /* --aliases FILE, NULL when not given */
    struct canary_opts canary; /* the gate of --rebuild and --compact */
    bool gated;            /* --max-shrink or --canary was given */
    const char *snapshot;  /* --snapshot DIR, NULL when not given */
    const char *restore;   /* --restore DIR, NULL when not given */
    bool changesets_given; /* --changesets N was given: N in changesets */
    unsigned changesets;
    struct build_opts build;
    char **paths;
    int npaths;
};

/* Ask the run under way to stop soon, keeping what it committed.
 * Async-signal-safe: only sets a flag. */
void run_request_stop(void);

/* True once run_request_stop() was called. */
bool run_stopped(void);

/* Bring the index o->db up to date with the files under o->paths (a
 * trailing '/' is dropped from each, in place), and print the summary.
 * When the index holds one share and --shard was not given, o->build
 * gets that share. A --rebuild of an index that had one goes live only
 * when it passes the canary gate (canary.h, o->canary): *rejected is set
 * when it did not (the old index stays live). Returns ATT_OK (then
 * *failed is the count of files that could not be indexed; stopped early
 * when run_stopped()) or the status of an index failure, err saying why. */
int run_index(struct run_opts *o, unsigned *failed, bool *rejected, struct att_err *err);

/* --compact: compact every database of the live index of o->db (each
 * shard) into a new generation; when the new ones pass the canary gate
 * (the same files and counts), swap them in, each atomically, one after
 * the other; else set *rejected. Same returns. */
int run_compact(const struct run_opts *o, bool *rejected, struct att_err *err);

#endif
