/* attache-index: per-file bookkeeping kept in the index's metadata (one
 * key per file, written in the same commit as the file's passages), and
 * the in-memory table of it used during a run. */
#ifndef ATT_STATE_H
#define ATT_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "attache/attache.h"
#include "attache/index.h"
#include "hashmap.h"

struct walk_file;

struct rec {
    char *id;          /* file id: path relative to its root */
    char *root;        /* absolute path of the folder argument it came from */
    int64_t size;
    int64_t mtime_ns;
    char hash[33];     /* XXH3-128 of the contents, hex */
    uint32_t docs;     /* documents it held (several for .jsonl) */
    uint32_t passages;
    char *failed;      /* why it could not be indexed, NULL when it was */
    char meta[17];     /* hash of the fields its folder's sidecar offers it, "" none */
    char meta_used[17]; /* hash of those its documents took, "" none */
    uint64_t *ids;     /* .jsonl: hashes of the record ids it holds (sorted) */
    size_t nids;
    bool conflict;     /* some record was left out: its id is another file's */
    /* A streamed .jsonl file (records.h), or a streamed text (no table): */
    bool stream;       /* its records are kept one by one, in tab */
    struct rtab *tab;  /* its records (the writer's copy), or NULL */
    int64_t done;      /* bytes of whole lines indexed: the index holds them */
    char phash[33];    /* XXH3-128 of those bytes, hex */
    bool rescan;       /* a full pass over it was under way */
    int64_t tbase;     /* a streamed text: bytes of its document's text before done */
    /* Only during a run: */
    bool seen;         /* met during this run's walk */
    bool peeked;       /* its ids were read ahead of its turn (ids.c) */
    const struct walk_file *pending; /* where this run's walk found it, or NULL */
    unsigned lane;     /* the writer that last saved it this run (0: the first) */
};

/* A .jsonl record left out because another file holds its id. */
struct id_conflict {
    char *id;
    long line;              /* in the loser's file */
    const struct rec *loser, *keeper;
};

struct state {
    struct rec **recs; /* every record, in load/insert order */
    size_t n, cap;
    struct att_map map;      /* id -> its record */
    struct id_conflict *conflicts; /* found this run, in the order met */
    size_t nconflicts, cconflicts;
};

void state_init(struct state *st);
void state_free(struct state *st);

/* Load every record from w's metadata. */
int state_load(struct state *st, struct att_xwdb *w, struct att_err *err);

/* Same from a read-only handle (for --stats and --list). */
int state_load_ro(struct state *st, struct att_xdb *db, struct att_err *err);

/* The record for id, or NULL. Borrowed from st. */
struct rec *state_find(struct state *st, const char *id);

/* A new empty record for id, owned by st. NULL when out of memory. */
struct rec *state_add(struct state *st, const char *id);

/* Replace *dst with a malloc'd copy of src (NULL allowed), freeing the
 * old string. Returns ATT_OK or ATT_E_NOMEM (then *dst is unchanged). */
int state_set_str(char **dst, const char *src);

/* Note that loser's record of id (at line) was left out, keeper holding
 * it. Returns ATT_OK or ATT_E_NOMEM. */
int state_conflict(struct state *st, const char *id, long line, const struct rec *loser,
                   const struct rec *keeper);

/* Write r to w's metadata (in the current transaction). */
int state_save(struct att_xwdb *w, const struct rec *r, struct att_err *err);

/* Remove r's metadata key. */
int state_forget(struct att_xwdb *w, const struct rec *r, struct att_err *err);

#endif
