/* attache-index: the changesets Xapian writes at each commit for replicas
 * (xapian-replicate): how many to keep, from --changesets N or the count
 * the index remembers. */
#ifndef ATT_CHANGESETS_H
#define ATT_CHANGESETS_H

#include "attache/attache.h"
#include "build.h"
#include "run.h"

/* Metadata key: the --changesets count the index remembers ("N"). */
#define CHANGESETS_META "attache:changesets"

/* The count this run keeps and remembers: --changesets N when given, else
 * the one the index in o->db remembers, else -1 (none: the index keeps no
 * count, and XAPIAN_MAX_CHANGESETS from the environment, if any, applies).
 * Sets XAPIAN_MAX_CHANGESETS for this process's commits: --changesets
 * replaces the environment's value, a remembered count only an empty or
 * missing one. Call
 * before any writer thread starts (setenv is not thread-safe). */
long changesets_setup(const struct run_opts *o);

/* Record count (>= 0) in b's database when it holds another or none, in
 * b's next commit. Returns ATT_OK or the writer's error. */
int changesets_remember(struct builder *b, long count, struct att_err *err);

#endif
