/* attache-index: backups of a live index (--snapshot DIR: a compacted,
 * consistent copy that is itself an index folder) and their restoration
 * as a new generation swapped in atomically (--restore DIR). */
#ifndef ATT_SNAPSHOT_H
#define ATT_SNAPSHOT_H

#include "attache/attache.h"
#include "run.h"

#define SNAPSHOT_TRIES 5 /* copies tried when a writer overwrote what one read */

/* --snapshot o->snapshot: copy the live index of o->db, compacted, into
 * that folder, which must not exist or be empty. Takes no lock: safe
 * while an indexer and daemons work. Every database (the index, or each
 * shard) is opened before any is copied, and each copy holds the
 * revision its database had then (whole commits: records and passages
 * agree); when a writer overwrote what a copy was reading, it starts
 * again, up to SNAPSHOT_TRIES times, then once under the writer lock
 * (waiting up to o->wait seconds for it). The copy is written into DIR.tmp
 * (a leftover of an interrupted snapshot there is removed first), then
 * renamed to DIR: an interrupted snapshot leaves no DIR. The snapshot
 * holds the stubs and the live generations; never the lock, leftovers or
 * DB/rejected. Prints a line unless o->quiet. Returns ATT_OK, or
 * ATT_E_OPENING (no index, DIR not empty, ...), ATT_E_LOCKED (every try
 * was overtaken, and the lock was not free in time), ATT_E_IO or another
 * index error; err says why. */
int snapshot_take(const struct run_opts *o, struct att_err *err);

/* --restore o->restore: under the writer lock of o->db (waiting o->wait),
 * copy the snapshot (an attache index folder of this format, sharded or
 * not, not o->db itself) in as new generations and swap them in as
 * --rebuild does: each database atomically, and a change of layout by
 * the top stub at once. The revision readers see goes on growing. The
 * daemon follows by itself. Prints a line unless o->quiet. Returns ATT_OK,
 * ATT_E_OPENING (err names why DIR is not such an index), ATT_E_VERSION,
 * ATT_E_LOCKED or another index error. */
int snapshot_restore(const struct run_opts *o, struct att_err *err);

#endif
