/* attache-index: the metadata files of the folders walked
 * (attache-meta.jsonl, lib/sidecar.h), each read and parsed once per run,
 * and the fields each file gets from its own folder's. Used by the
 * preparer thread only. */
#ifndef ATT_META_H
#define ATT_META_H

#include <stddef.h>

#include "hashmap.h"
#include "sidecar.h"

struct meta_folder;

/* Every folder asked about this run. All zero is an empty cache. */
struct meta_cache {
    struct att_map map;     /* folder path -> struct meta_folder * */
};

/* The fields the metadata file beside path (a file as the walk gives it)
 * offers that file into *set (borrowed from c: valid until
 * meta_cache_free), and their hash into hash ("" when none). The folder's
 * file is read on the first call for it; its bad lines, and a file too
 * large or unreadable, are logged as warnings. Returns ATT_OK or
 * ATT_E_NOMEM. */
int meta_for_file(struct meta_cache *c, const char *path, struct att_sidecar_set *set,
                  char hash[17]);

/* Free every folder's parsed file and zero c. */
void meta_cache_free(struct meta_cache *c);

#endif
