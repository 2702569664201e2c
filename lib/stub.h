/* attache: the stub file of an index folder (DB/XAPIANDB, in Xapian's stub
 * format): the one reader and writer of it, for the indexer and the shim. */
#ifndef ATT_STUB_H
#define ATT_STUB_H

#include <stdbool.h>
#include <stddef.h>

#include "attache/attache.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ATT_STUB_NAME "XAPIANDB" /* the stub's file name in its folder */
#define ATT_STUB_MAX 4096        /* lines a stub may name */

/* What a stub names. attache writes one line "auto gN" (the live
 * generation, folder DB/gN), or for a sharded index one line per shard,
 * "auto s0ofN" .. "auto s{N-1}ofN" (folders that are index folders of
 * their own). Xapian opens a stub's databases as one. */
struct att_stub {
    bool found;       /* dir holds a stub */
    char **dbs;       /* the folders its lines name: a relative one joined
                       * to dir ("DB/g3"); malloc'd, att_stub_free() */
    size_t n;
    unsigned gen;     /* its first line is "auto gN": N; else 0 */
    unsigned shards;  /* exactly the lines of N >= 2 shards, in order: N;
                       * else 0 */
};

/* Read dir's stub into *st (emptied first). A folder with no stub (or dir
 * missing, or dir a file) gives ATT_OK with st->found false. Each line is
 * a kind ("auto") and a path; blank lines and '#' comments are skipped,
 * as are lines without a path. Returns ATT_OK, ATT_E_IO (unreadable),
 * ATT_E_TOOBIG (over ATT_STUB_MAX lines) or ATT_E_NOMEM; st is empty on
 * failure. Thread-safe. */
int att_stub_read(const char *dir, struct att_stub *st, struct att_err *err);

/* Free what st holds and leave it empty; NULL-safe. */
void att_stub_free(struct att_stub *st);

/* Make dir's stub name generation gen when gen > 0, else the shards of a
 * sharded index of shards (>= 2) shards; atomically: XAPIANDB.tmp is
 * written and fsync'd, renamed over the stub, and the folder fsync'd, so
 * a reader sees the old stub or the new one. Returns ATT_OK, ATT_E_IO or
 * ATT_E_NOMEM. */
int att_stub_write(const char *dir, unsigned gen, unsigned shards, struct att_err *err);

#ifdef __cplusplus
}
#endif
#endif
