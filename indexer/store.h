/* attache-index: the index folder: its lock, its stub file and the
 * generations of the database behind it (swapped atomically by rebuilds
 * and compaction). */
#ifndef ATT_STORE_H
#define ATT_STORE_H

#include <stdbool.h>

#include "attache/attache.h"

/* DB/attache.lock  flock()ed by the one writer; holds its pid
 * DB/XAPIANDB      Xapian stub naming the live generation ("auto g3")
 * DB/gN/           the live generation: a glass database
 *
 * A sharded index (attache-index --shards N) holds instead one index
 * folder per shard, each laid out as above, and a stub naming them:
 * DB/XAPIANDB      "auto s0of3", "auto s1of3", "auto s2of3", one per line
 * DB/s0of3/ ...    shard 0 of 3: XAPIANDB, gN/, attache.lock
 * A file's passages go to shard store_shard_of(file id, N). The stubs are
 * read and written by lib/stub.h, as the shim reads them. */
struct store {
    char *dir;      /* the index folder */
    int lock_fd;
    unsigned gen;   /* live generation, 0 when there is none (or sharded) */
    unsigned shards; /* shards its stub names: 0 none or unsharded */
};

#define STORE_MAX_SHARDS 64

/* The shard (0..n-1) of the file id: XXH3-64 of its bytes, modulo n. */
unsigned store_shard_of(const char *id, unsigned n);

/* Path of shard k of n of the index folder dir (malloc'd). */
char *store_shard_dir(const char *dir, unsigned k, unsigned n);

/* Open shard k of n of the (locked) index top: its folder as a store of
 * its own, locked too. */
int store_open_shard(struct store *s, const struct store *top, unsigned k, unsigned n,
                     struct att_err *err);

/* Make top's stub name the n shards (atomically), then remove what the
 * old stub named: a generation, or shards of another count. */
int store_set_shards(struct store *top, unsigned n, struct att_err *err);

/* Remove every shard folder of top (after it went back to one database). */
void store_remove_shards(const struct store *top);

/* Size in bytes of the live index of dir: its generation, or the shards'. */
long long store_index_size(const char *dir);

/* Lock dir (creating it if needed), waiting up to wait_s seconds for
 * another writer. Removes generations left behind by interrupted runs.
 * Returns ATT_OK, ATT_E_LOCKED (err names the lock and its holder),
 * ATT_E_IO (or its stub cannot be read) or ATT_E_OPENING (dir holds
 * something that is not ours). The index's format is checked where its
 * live generation is opened for writing (att_xwdb_open: ATT_E_VERSION),
 * which --rebuild, writing a new one, never does. */
int store_open(struct store *s, const char *dir, double wait_s, struct att_err *err);

/* Unlock and free. Safe on a store that failed to open. */
void store_close(struct store *s);

/* Path of generation gen (malloc'd). */
char *store_gen_path(const struct store *s, unsigned gen);

/* Make gen the live generation: write the stub atomically (a reader sees
 * either the old or the new one), then remove the previous generation. */
int store_swap(struct store *s, unsigned gen, struct att_err *err);

/* Remove path and everything under it (symlinks are removed, not
 * followed); a missing path is no error. */
void store_rm_tree(const char *path);

/* Remove a generation's folder (used when a new one is abandoned). */
void store_remove_gen(const struct store *s, unsigned gen);

/* Total size in bytes of the files under the live generation. */
long long store_size(const struct store *s);

/* Read-only look at an index folder without locking: the path to open
 * (malloc'd): the live generation's, or dir itself when it is sharded;
 * NULL with err filled when it holds no index. */
char *store_peek(const char *dir, struct att_err *err);

#endif
