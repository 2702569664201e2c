/* attache-index: .jsonl records as the unit of change. Each record of a
 * streamed file is known by the hash of its id (ids.h) and remembered with
 * a hash of its line and its passage count, in a table kept beside the
 * file's record in the index's metadata; its passages carry a term of its
 * own, so that it can be replaced or removed alone. */
#ifndef ATT_RECORDS_H
#define ATT_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attache/attache.h"
#include "attache/index.h"

struct builder;
struct job;
struct rec;

#define REC_PREFIX "XR"      /* + 16 hex digits: the record's key and its file's */
#define REC_META "R:"        /* metadata key of a file's table of records */

/* A value: the line's hash (high 48 bits), the passages (15 bits) and a
 * mark (bit 0): met during the full pass under way. */
#define REC_SEEN 1u
#define REC_HASH_MASK (~(uint64_t)0xffff)

static inline uint64_t rec_val(uint64_t line_hash, size_t passages, bool seen)
{
    uint64_t n = passages > 0x7fff ? 0x7fff : passages;

    return (line_hash & REC_HASH_MASK) | n << 1 | (seen ? REC_SEEN : 0);
}

static inline unsigned rec_passages(uint64_t v)
{
    return (unsigned)(v >> 1 & 0x7fff);
}

/* key -> value, open addressing (key 0 is stored as 1). */
struct rtab {
    uint64_t *keys, *vals;
    size_t nslots, n;
};

uint64_t *rtab_get(const struct rtab *t, uint64_t key); /* NULL: none */
int rtab_put(struct rtab *t, uint64_t key, uint64_t val); /* ATT_OK, ATT_E_NOMEM */
void rtab_del(struct rtab *t, uint64_t key);
struct rtab *rtab_clone(const struct rtab *t); /* NULL t: an empty one; NULL: no memory */
void rtab_free(struct rtab *t);                /* NULL-safe */
/* Its keys, sorted (malloc'd; *n of them; NULL with *n 0 when none or no
 * memory: *ok says which). */
uint64_t *rtab_keys(const struct rtab *t, size_t *n, bool *ok);

/* The term of record key of file file_id into out (ATT_TERM_MAX + 1
 * bytes); its length. The file is part of it: a record that moves to
 * another file in a run is replaced there and removed here apart. */
size_t rec_term(char *out, const char *file_id, uint64_t key);

/* What a streamed job carries beside its documents: records to drop
 * before its documents are added, the table's changes, the progress. */
struct stream_part {
    uint64_t *dels;       /* records whose passages go first */
    size_t ndels, cdels;
    uint64_t *ups;        /* key, value pairs into the table */
    size_t nups, cups;    /* values: twice the pairs */
    uint64_t *gone;       /* records no longer in the file */
    size_t ngone, cgone;
    bool reset;           /* drop every passage and record of the file first */
    bool clear_seen;      /* a full pass begins */
    bool rescan;          /* a full pass is under way after this job */
    bool final;           /* the file is read to its end */
    bool fail;            /* it cannot be indexed: j->why */
    bool plain;           /* a piece of a streamed text: its passages are added to
                           * the file's, which holds one document (no table) */
    int64_t tbase;        /* plain: bytes of the document's text before done */
    bool changed;         /* final: some record was added, updated or removed */
    bool conflict;        /* final: a record was left out (ids.h) */
    int64_t done;         /* bytes of whole lines read so far */
    char phash[33];       /* XXH3-128 of those bytes */
    char hash[33];        /* final: of the whole file */
    char meta[17];        /* final: the folder metadata offered */
    unsigned added, updated, removed, unchanged, lines;
};

void stream_part_free(struct stream_part *sp); /* NULL-safe */

/* Writer side: apply a streamed job to b's index and to its file's table;
 * the record and table are saved by records_flush before the commit. */
int records_apply(struct builder *b, struct job *j, struct att_err *err);

/* Save the file record and table the batch under way changed, if any.
 * Called by build_flush before it commits. */
int records_flush(struct builder *b, struct att_err *err);

/* The table of r into the metadata (in the current transaction); drop it
 * (r->tab NULL or empty and drop). */
int records_save_table(struct att_xwdb *w, const struct rec *r, struct att_err *err);

/* A table as stored (the file id, NUL, then key and value pairs) into
 * its file's record in st, and the record's ids from its keys; a table
 * of no known file, or damaged, is passed over. ATT_OK or ATT_E_NOMEM. */
struct state;
int records_load_one(struct state *st, const char *val, size_t vlen);

#endif
