/* attache-index: the index folder: its lock, its stub file and the
 * generations of the database behind it (swapped atomically by rebuilds
 * and compaction). */
#ifndef ATT_STORE_H
#define ATT_STORE_H

#include <stdbool.h>

#include "attache/attache.h"

/* DB/attache.lock  flock()ed by the one writer; holds its pid
 * DB/XAPIANDB      Xapian stub naming the live generation ("auto g3")
 * DB/gN/           the live generation: a glass database */
struct store {
    char *dir;      /* the index folder */
    int lock_fd;
    unsigned gen;   /* live generation, 0 when there is none yet */
};

/* Lock dir (creating it if needed), waiting up to wait_s seconds for
 * another writer. Removes generations left behind by interrupted runs.
 * Returns ATT_OK, ATT_E_LOCKED (err names the lock and its holder),
 * ATT_E_IO or ATT_E_OPENING (dir holds something that is not ours). */
int store_open(struct store *s, const char *dir, double wait_s, struct att_err *err);

/* Unlock and free. Safe on a store that failed to open. */
void store_close(struct store *s);

/* Path of generation gen (malloc'd). */
char *store_gen_path(const struct store *s, unsigned gen);

/* Make gen the live generation: write the stub atomically (a reader sees
 * either the old or the new one), then remove the previous generation. */
int store_swap(struct store *s, unsigned gen, struct att_err *err);

/* Remove a generation's folder (used when a new one is abandoned). */
void store_remove_gen(const struct store *s, unsigned gen);

/* Total size in bytes of the files under the live generation. */
long long store_size(const struct store *s);

/* Read-only look at an index folder without locking: the live
 * generation's path (malloc'd) or NULL with err filled. */
char *store_peek(const char *dir, struct att_err *err);

#endif
