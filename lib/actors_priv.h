/* attache: the insides of the gazetteer of actors (lib/actors.c loads it,
 * lib/actors_find.c searches, looks up and dumps it). Not installed. */
#ifndef ATT_ACTORS_PRIV_H
#define ATT_ACTORS_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "actors.h"

/* What an alias key maps to besides an actor's index. */
enum { VAL_NONE = -1, VAL_BLOCK = -2 };

/* A key (an alias's words joined by single spaces, or an id) and what it
 * maps to. */
struct att_actor_slot {
    char *key;
    size_t len;
    uint64_t h;
    int val;
    bool variant; /* the capitals of an alias, not the alias itself */
};

/* Open addressing with linear probing; cap a power of two, at most half
 * full. */
struct att_actor_table {
    struct att_actor_slot *v;
    size_t cap, n;
};

struct att_actor {
    char *id, *name;
    char **alias;   /* as written, the name first when it is one */
    size_t n, cap;
};

struct att_actors {
    struct att_actor *a;
    size_t n, cap;
    struct att_actor blocks;   /* the block phrases, as written */
    struct att_actor_table aliases;  /* alias key -> actor index, VAL_BLOCK, VAL_NONE */
    struct att_actor_table first;    /* first word of an alias -> most words of one */
    struct att_actor_table ids;      /* id -> actor index */
    struct att_actor_table folded;   /* alias key in ASCII lower case -> actor index */
    uint8_t starts[32];    /* bitmap of the first bytes of first words */
};

/* A word of text: text[s..e), and whether the gap after it may go on
 * inside a phrase. */
struct att_actor_tok {
    size_t s, e;
    bool join;
};

/* XXH3-64 of s[0..len): the tables' hash. */
uint64_t att_actors_hash(const char *s, size_t len);

/* The slot of key[0..len) (hash h) in t, or NULL. */
struct att_actor_slot *att_actors_slot(const struct att_actor_table *t, const char *key,
                                       size_t len, uint64_t h);

/* The next word of s[0..len) at or after *pos into *t (join not set);
 * false when there is none. */
bool att_actors_next_word(const char *s, size_t len, size_t *pos, struct att_actor_tok *t);

/* Whether g[0..n), the gap between two words, lets a phrase go on. */
bool att_actors_joins(const char *g, size_t n);

/* The words of an alias into key (joined by single spaces; key holds
 * ATT_ACTORS_MAX_ALIAS + 1 bytes); the number of words, or 0 with *why
 * set when it cannot be an alias. */
size_t att_actors_key(const char *a, size_t len, char *key, size_t *klen, const char **why);

/* The index of actor id[0..len) in g, or VAL_NONE. */
int att_actors_index(const struct att_actors *g, const char *id, size_t len);

#endif
