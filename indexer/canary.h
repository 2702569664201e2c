/* attache-index: the gate a new generation passes before --rebuild or
 * --compact puts it live (its counts against the live index's, the files
 * the live one records, canary queries), and DB/rejected, where a new
 * generation that failed it is kept for inspection. */
#ifndef ATT_CANARY_H
#define ATT_CANARY_H

#include <stdbool.h>
#include <stddef.h>

#include "attache/attache.h"

#define CANARY_SHRINK 10          /* --max-shrink by default: percent */
#define CANARY_DIR "rejected"     /* DB/rejected: the last rejected generation */
#define CANARY_NOTE "REJECTED"    /* DB/rejected/REJECTED: why, in words */
#define CANARY_MAX_QUERIES 1000   /* lines of a --canary file */

struct canary_opts {
    unsigned max_shrink;  /* percent the documents or passages may fall by;
                           * 100 turns the count and file checks off */
    const char *file;     /* --canary FILE, or NULL */
    char **queries;       /* its queries (canary_load), malloc'd */
    size_t nqueries;
};

/* Read c->file (when set) into c->queries: one query a line, blank lines
 * and lines starting with '#' skipped, surrounding blanks trimmed. Returns
 * ATT_OK, ATT_E_IO (unreadable), ATT_E_EMPTY (no query in it),
 * ATT_E_TOOBIG (over CANARY_MAX_QUERIES lines, or a line over 4 KB) or
 * ATT_E_NOMEM; err names the file and line. */
int canary_load(struct canary_opts *c, struct att_err *err);

/* Free the queries; c->file and c->max_shrink stay. */
void canary_free(struct canary_opts *c);

/* A new generation waiting to go live, and the live index it replaces. */
struct canary_gate {
    const char *db;           /* the index folder (locked by the caller) */
    unsigned old_shards;      /* shards the live index has; 0 unsharded */
    const char *const *fresh; /* the new databases: one, or one per shard
                               * of the new layout in shard order */
    size_t n;
    bool compact;             /* a compaction: the file sets must be the same */
};

/* Check g's new generation against the live index of g->db:
 * - documents and passages: each at least (100 - max_shrink)% of the live
 *   index's (skipped when the live one has none), as a whole and, when
 *   the shard count is the same, shard by shard;
 * - files: every file the live index records is recorded in the new one,
 *   unless it is gone from disk (a compaction: both record the same);
 * - each canary query finds at least one passage in the new generation.
 * max_shrink 100 skips the first two. A live index that cannot be read
 * (another format) is not compared; the queries still run.
 * When every check passes: DB/rejected is removed and *rejected false.
 * Otherwise each failed check is logged with its figures, the new
 * databases are moved into DB/rejected (an index folder of their layout,
 * replacing one kept before, with the reasons in DB/rejected/REJECTED)
 * and *rejected is true. Returns ATT_OK, or the status of an index or
 * file error (err says why; *rejected false, nothing moved). */
int canary_gate(const struct canary_opts *c, const struct canary_gate *g, bool *rejected,
                struct att_err *err);

#endif
