/* attache-index: which file holds each .jsonl record id, so that an id
 * one file holds is not indexed again from another. The table starts from
 * the ids the records remember (state.h) and follows the run; the file
 * that held an id first keeps it, and an id that left its file for
 * another in the same run has moved. Used by the preparer thread only. */
#ifndef ATT_IDS_H
#define ATT_IDS_H

#include <stddef.h>
#include <stdint.h>

#include "hashmap.h"
#include "state.h"
#include "walk.h"

struct id_slot;

struct idmap {
    struct att_map map;    /* id hash -> struct rec * holding it (NULL: none now) */
    struct state *st;
    const struct walk_list *files;
    size_t max_file;       /* larger files are not read (--max-file-size) */
};

/* The hash a record id is known by. */
uint64_t ids_key(const char *id);

/* Fill m (zeroed) with the ids of st's records and mark each record
 * files holds with its walk entry (r->pending); files over max_file bytes
 * are never read. Returns ATT_OK or ATT_E_NOMEM. */
int ids_begin(struct idmap *m, struct state *st, const struct walk_list *files,
              size_t max_file);

/* Whether file r may index a record of id key: ATT_OK with *keeper NULL
 * when no other file holds it (r holds it now), or with *keeper the file
 * that keeps it. A file not yet read this run keeps it if it still holds
 * it: unchanged since its record, or read ahead (once) to see. Returns ATT_E_NOMEM when
 * memory ran out. */
int ids_claim(struct idmap *m, struct rec *r, uint64_t key, struct rec **keeper);

/* r was read and holds ids[0..n) now: the ones it held before and no
 * longer does are given back, and r keeps the list, sorted and without
 * repeats (consumes ids; NULL with n 0 for none). Returns whether the
 * list differs from the one r had. */
bool ids_settle(struct idmap *m, struct rec *r, uint64_t *ids, size_t n);

/* Free the table and clear the records' walk entries. */
void ids_end(struct idmap *m);

#endif
