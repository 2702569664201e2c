/* attache: one hash table for the indexer's lookups (records by id,
 * folders by path, .jsonl ids by their hash): open addressing over
 * entries the caller owns, each known by a 64-bit hash of its key. */
#ifndef ATT_HASHMAP_H
#define ATT_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct att_map_slot {
    uint64_t hash;
    void *val;              /* may be NULL in a used slot */
    bool used;
};

struct att_map {
    struct att_map_slot *slots; /* a power of two of them, at most half used */
    size_t nslots, used;
};

/* Whether entry val (never NULL: a used slot without an entry matches no
 * key) is the one for key. NULL: the hash alone says it (a table keyed by
 * hashes, where a used slot without an entry still holds its hash). */
typedef bool (*att_map_is)(const void *val, const void *key);

/* The slot of key (hash h): the used one holding it, or the empty one it
 * would take. NULL while the table has no slots. Writing ->val of a used
 * slot is allowed; nothing else of a slot may be changed. */
struct att_map_slot *att_map_find(const struct att_map *m, uint64_t h, att_map_is is,
                                  const void *key);

/* The entry for key, or NULL. */
void *att_map_get(const struct att_map *m, uint64_t h, att_map_is is, const void *key);

/* Make val the entry for key (replacing one there). Returns ATT_OK or
 * ATT_E_NOMEM (the table unchanged). */
int att_map_put(struct att_map *m, uint64_t h, void *val, att_map_is is, const void *key);

/* Free the slots (not the entries); m is left empty and reusable. */
void att_map_free(struct att_map *m);

#endif
