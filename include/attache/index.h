/* attache: the C API over Xapian. Every call catches every C++ exception
 * and turns it into a status code plus message; no C++ type, exception or
 * allocation crosses this boundary. Strings travel as (ptr, len) because
 * Xapian strings may hold NUL bytes. Handles are not thread-safe: each
 * thread opens its own, and objects from one handle stay in its thread. */
#ifndef ATTACHE_INDEX_H
#define ATTACHE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attache.h"

#ifdef __cplusplus
extern "C" {
#endif

struct att_xwdb; /* a writable database (holds Xapian's write lock) */
struct att_xdb;  /* a read-only database, possibly several shards as one */
struct att_xgen; /* turns text into terms; counts words for spelling */
struct att_xdoc; /* a document being built */

/* ---- writing ------------------------------------------------------- */

#define ATT_XW_CREATE 1u /* create the database if it does not exist */

/* Open the Xapian database at path for writing. *out is owned by the
 * caller: att_xwdb_close(). A database this creates (ATT_XW_CREATE, no
 * document yet) is stamped with this attache's index format
 * (ATT_META_FORMAT in lib/terms.h); one stamped with another is refused.
 * Returns ATT_OK, ATT_E_LOCKED (another writer), ATT_E_OPENING (missing
 * without ATT_XW_CREATE, or not a database), ATT_E_VERSION (another index
 * format: err says to rebuild it), ATT_E_CORRUPT, ATT_E_IO, ATT_E_NOMEM. */
int att_xwdb_open(const char *path, unsigned flags, struct att_xwdb **out, struct att_err *err);

/* Release the lock and free w without committing what is pending (a
 * transaction in progress is cancelled). NULL is a no-op. */
void att_xwdb_close(struct att_xwdb *w);

/* Transactions: everything between begin and commit reaches the disk
 * atomically, or not at all. */
int att_xwdb_begin(struct att_xwdb *w, struct att_err *err);
int att_xwdb_commit(struct att_xwdb *w, struct att_err *err);
int att_xwdb_cancel(struct att_xwdb *w, struct att_err *err);

/* Insert d, or replace every document indexed by the unique term uterm
 * with it. d stays owned by the caller. */
int att_xwdb_replace(struct att_xwdb *w, const char *uterm, size_t ulen,
                     const struct att_xdoc *d, struct att_err *err);

/* Add d as a new document. */
int att_xwdb_add(struct att_xwdb *w, const struct att_xdoc *d, struct att_err *err);

/* Delete every document indexed by term. */
int att_xwdb_delete_term(struct att_xwdb *w, const char *term, size_t len, struct att_err *err);

/* User metadata. An empty value deletes the key. get: *val is malloc'd
 * (caller frees), NUL-terminated, *vlen its length; a missing key gives
 * ATT_OK with *val NULL. */
int att_xwdb_set_meta(struct att_xwdb *w, const char *key, size_t klen, const char *val,
                      size_t vlen, struct att_err *err);
int att_xwdb_get_meta(struct att_xwdb *w, const char *key, size_t klen, char **val, size_t *vlen,
                      struct att_err *err);

/* Call fn for every metadata key starting with prefix, in key order, with
 * the key and its value (both borrowed for the call). fn returns non-zero
 * to stop; that value is returned. */
typedef int (*att_meta_fn)(void *ud, const char *key, size_t klen, const char *val, size_t vlen);
int att_xwdb_each_meta(struct att_xwdb *w, const char *prefix, size_t plen, att_meta_fn fn,
                       void *ud, struct att_err *err);

/* Number of documents indexed by term (0 when none). */
int att_xwdb_termfreq(struct att_xwdb *w, const char *term, size_t len, uint32_t *freq,
                      struct att_err *err);

/* Documents and last revision. */
int att_xwdb_doccount(struct att_xwdb *w, uint32_t *count, struct att_err *err);

/* Copy the database at src into a compacted new database at dst. */
int att_xdb_compact(const char *src, const char *dst, struct att_err *err);

/* Merge the n databases at srcs into one compacted new database at dst.
 * Documents are renumbered when n > 1; spelling frequencies add up; a
 * metadata key held by several keeps the first one's value, except
 * attache:revision, which keeps the highest. A source of another index
 * format is refused (ATT_E_VERSION). */
int att_xdb_merge(const char *const *srcs, size_t n, const char *dst, struct att_err *err);

/* Copy the n databases at srcs (each a database folder, or a folder whose
 * stub names one) into compacted new databases at dsts[0..n). Every source
 * is opened before the first is copied, and each copy holds the revision
 * its source had when opened: a writer may commit meanwhile. Returns
 * ATT_OK, ATT_E_MODIFIED (a writer overwrote what a copy was still
 * reading: copy again into fresh folders), ATT_E_OPENING, ATT_E_VERSION,
 * ATT_E_IO or another index error. */
int att_xdb_copy(const char *const *srcs, size_t n, const char *const *dsts,
                 struct att_err *err);

/* ---- near-duplicate groups (lib/xap_group.cc) ----------------------- */

/* A passage resembling passages of other documents (lib/shingle.h) is in
 * a group: the least passage key (document id, then passage number) among
 * itself and them, in ATT_SLOT_GROUP and as an ATT_P_GROUP term. A writer
 * keeps the groups current in the transaction of each change:
 * att_xgroup_leave before the passages indexed by a term are deleted,
 * att_xgroup_add for each of their successors (if any), then
 * att_xgroup_settle. Both look
 * only at w's database: passages in other shards are not compared. */
struct att_xgroup; /* what a writer remembers between the two */
/* For the writes to w (the database at path, or NULL when unknown) of
 * one thread, for as long as w is open. Whether a passage may have copies
 * is first asked of a read-only view of path, and of w only when it may.
 * NULL when out of memory. */
struct att_xgroup *att_xgroup_new(struct att_xwdb *w, const char *path);
void att_xgroup_free(struct att_xgroup *g); /* NULL-safe */

/* Note the neighbours of the passages indexed by term, about to go. A
 * change may drop the passages of several terms, each noted first. */
int att_xgroup_leave(struct att_xwdb *w, struct att_xgroup *g, const char *term, size_t len,
                     struct att_err *err);

/* Add d to w as att_xwdb_add does, noting it for att_xgroup_settle
 * when att_xdoc_bands gave it a signature. */
int att_xgroup_add(struct att_xwdb *w, struct att_xgroup *g, const struct att_xdoc *d,
                   struct att_err *err);

/* Group the passages added through g and bring their neighbours and
 * those noted by att_xgroup_leave up to date; forgets what was noted,
 * also on error. */
int att_xgroup_settle(struct att_xwdb *w, struct att_xgroup *g, struct att_err *err);

/* Compute every group of w's database afresh (after merging databases
 * written apart, whose passages were never compared). */
int att_xwdb_regroup_all(struct att_xwdb *w, struct att_err *err);

/* ---- building documents -------------------------------------------- */

/* A text indexer: English stemming, stemmed terms with positions, and a
 * count of the words seen for the spelling table. Terms are accent-folded
 * after stemming (lib/fold.h: "Erdoğan" is indexed as "erdogan"), as
 * queries are. Owned by the caller: att_xgen_free(). Used by one thread at
 * a time; it needs no database, so documents can be built in one thread
 * and written in another. NULL when out of memory. */
struct att_xgen *att_xgen_new(void);
void att_xgen_free(struct att_xgen *g); /* NULL-safe */

/* Stem the text g indexes from now on for the language of ISO 639-1 code
 * (a query with "lang" of that code finds its words): "fr", "FR", "fr-CA"
 * all French. NULL, "", and a language attache has no stemmer for (zh,
 * ja, pl: att_lang_stemmer) are stemmed as English, as queries without a
 * language are. Cheap when the language does not change. Returns ATT_OK
 * or ATT_E_NOMEM. */
int att_xgen_set_language(struct att_xgen *g, const char *code, struct att_err *err);

/* Move the words g counted into w's spelling table (part of w's next
 * commit) and clear g's count. */
int att_xwdb_add_spelling(struct att_xwdb *w, struct att_xgen *g, struct att_err *err);

/* Distinct words g has counted for spelling since it was last emptied. */
size_t att_xgen_spelling_words(const struct att_xgen *g);

/* A new empty document whose text is indexed by g (which must outlive
 * it). Caller owns it: att_xdoc_free(). NULL when out of memory. */
struct att_xdoc *att_xdoc_new(struct att_xgen *g);
void att_xdoc_free(struct att_xdoc *d); /* NULL-safe */

/* Flags for att_xdoc_text. */
#define ATT_XT_SPELLING 1u /* count the words for the spelling table */

/* Index free text under prefix ("" for the body) with positions. Each
 * call starts 100 positions after the previous one, so a phrase never
 * spans two fields. wdf_inc weights each occurrence (1 normally). */
int att_xdoc_text(struct att_xdoc *d, const char *prefix, const char *text, size_t len,
                  unsigned wdf_inc, unsigned flags, struct att_err *err);

/* Add a boolean term (no positions, wdf 0). Terms over the backend's limit
 * are rejected with ATT_E_TOOBIG; use att_term_* to build safe ones. */
int att_xdoc_term(struct att_xdoc *d, const char *term, size_t len, struct att_err *err);
int att_xdoc_value(struct att_xdoc *d, unsigned slot, const char *val, size_t len,
                   struct att_err *err);
/* The passage record (lib/record.h) as the document data, packed as the
 * index stores records. */
int att_xdoc_data(struct att_xdoc *d, const char *data, size_t len, struct att_err *err);

struct att_sig;
/* Give d the band terms (ATT_P_BAND) of its text's MinHash signature
 * (lib/shingle.h), by which its copies are found. The signature itself
 * goes into d's data, as the member ATT_DATA_SIG (lib/terms.h). */
int att_xdoc_bands(struct att_xdoc *d, const struct att_sig *sig, struct att_err *err);

/* ---- reading ------------------------------------------------------- */

/* Open path read-only (a database directory, a stub file, or a directory
 * holding a XAPIANDB stub, which may name shards). Caller owns *out:
 * att_xdb_close(). A database stamped with another index format than
 * this attache's is refused; one with no stamp is format 1.
 * Returns ATT_OK, ATT_E_OPENING, ATT_E_VERSION (err: "index format 7 is
 * not supported by this attache (format 2): rebuild it with attache-index
 * --rebuild"), ATT_E_CORRUPT, ATT_E_NOMEM. */
int att_xdb_open(const char *path, struct att_xdb **out, struct att_err *err);
void att_xdb_close(struct att_xdb *db); /* NULL-safe */

/* Several sources searched as one database, with Xapian's combined
 * statistics (scores as if they were one index). A source is an index
 * folder (local; sharded or not) or "tcp://HOST:PORT", a database served
 * by xapian-tcpsrv. A remote source that cannot be reached is left out
 * and tried again every retry_ms; while one is out, a search fails with
 * ATT_E_OPENING naming it, or with partial set runs on the others and
 * lists it in the result's missing[]. At least one source must open. */
struct att_xdb_opts {
    unsigned timeout_ms;   /* a remote source's connect and read time-out */
    unsigned retry_ms;     /* how often a source that is out is tried */
    bool partial;          /* search what is up rather than fail */
};
int att_xdb_open_many(const char *const *specs, size_t n, const struct att_xdb_opts *o,
                      struct att_xdb **out, struct att_err *err);

/* Catch up with the latest commit, follow swapped generations, bring back
 * sources that are out once they answer. *changed (may be NULL) is set
 * when the revision moved or the set of sources did. A generation swapped
 * in that cannot be opened (or is of another index format) takes its
 * source out; for a lone local source the error is returned instead
 * (ATT_E_VERSION, ...) and the generation opened before is kept. */
int att_xdb_reopen(struct att_xdb *db, bool *changed, struct att_err *err);

/* One source, as stats shows it. */
struct att_xdb_source {
    const char *spec;      /* as given; borrowed from db */
    bool up;
    bool remote;
    uint64_t revision;     /* when up */
    uint32_t passages;     /* when up */
    char error[200];       /* when out: why */
};
/* Fill out[0..*n) (at most max) with db's sources. Borrowed strings. */
void att_xdb_sources(struct att_xdb *db, struct att_xdb_source *out, size_t max, size_t *n);

struct att_xdb_info {
    uint32_t doccount;   /* Xapian documents (passages) */
    uint32_t lastdocid;
    uint64_t revision;   /* sum of the shards' revisions */
    unsigned shards;     /* databases searched as one */
    uint64_t terms;      /* distinct terms (free-text and boolean) */
    uint64_t spellings;  /* distinct words in the spelling table */
    uint64_t spelling_freq; /* their frequencies, summed */
    double avglength;    /* mean passage length in terms */
};
int att_xdb_get_info(struct att_xdb *db, struct att_xdb_info *info, bool count_terms,
                 struct att_err *err);

/* The revision attache's indexer stamped on db (summed over shards); 0
 * when unknown. Cheap: one metadata lookup per shard. */
uint64_t att_xdb_revision(struct att_xdb *db);

/* Number of distinct terms starting with prefix (e.g. documents:
 * ATT_P_DOC). */
int att_xdb_prefix_count(struct att_xdb *db, const char *prefix, uint64_t *count,
                         struct att_err *err);

int att_xdb_termfreq(struct att_xdb *db, const char *term, size_t len, uint32_t *freq,
                     struct att_err *err);
int att_xdb_get_meta(struct att_xdb *db, const char *key, size_t klen, char **val, size_t *vlen,
                     struct att_err *err);
int att_xdb_each_meta(struct att_xdb *db, const char *prefix, size_t plen, att_meta_fn fn,
                      void *ud, struct att_err *err);

/* Call fn for every document indexed by term, in docid order, with its
 * docid and data (borrowed for the call). fn returns non-zero to stop. */
typedef int (*att_doc_fn)(void *ud, uint32_t docid, const char *data, size_t len);
int att_xdb_each_doc(struct att_xdb *db, const char *term, size_t len, att_doc_fn fn, void *ud,
                     struct att_err *err);

/* ---- searching ----------------------------------------------------- */

enum att_sort { ATT_SORT_RELEVANCE = 0, ATT_SORT_DATE, ATT_SORT_DATE_DESC };

/* How the words of a query combine: every word (all), any word ranked by
 * how well it matches (any), or all when that fills the page, else any
 * (auto). */
enum att_match { ATT_MATCH_AUTO = 0, ATT_MATCH_ALL, ATT_MATCH_ANY };

/* A search. Strings are borrowed for the call; NULL (or "") means none. */
struct att_actors; /* lib/actors.h */

struct att_search {
    const char *q;          /* query in Xapian syntax; "" matches all */
    size_t qlen;
    unsigned offset, limit;
    unsigned per_doc;       /* most passages per document, 0 no limit */
    enum att_sort sort;
    enum att_match match;
    const char *source;     /* filters */
    const char *speaker;
    const char *author;
    const char *actor;      /* an actor id ("china") */
    const char *language;   /* documents in this language ("fr") */
    const char *doc;
    const char *from;       /* "YYYY[-MM[-DD]]" inclusive */
    const char *to;
    const char *lang;       /* the query's language ("fr"): its stemmer; NULL:
                             * English */
    bool facets;            /* count all matches by each enum att_facet */
    bool exact_total;       /* count every match: lower == upper == estimate */
    bool spelling;          /* suggest a correction when few match */
    unsigned time_limit_ms; /* 0: none */
    unsigned max_wildcard;  /* terms a wildcard may expand to */
    const struct att_actors *actors; /* expand words naming actors; NULL: none */
    bool no_expand;         /* no expansion of query words */
    bool explain;           /* say why each hit scores what it does (att_result's
                             * explain); costs a few queries per hit */
    bool collapse;          /* copies of a passage (its near-duplicate group)
                             * make one hit, which lists the others */
};

/* A copy of a hit's passage: in another document, or rarely in the same. */
struct att_dup {
    char *doc;              /* malloc'd */
    unsigned passage;
};

#define ATT_MAX_DUPS 20     /* copies listed with a hit */

struct att_hit {
    uint32_t docid;
    unsigned rank;          /* 1-based over the whole result */
    double score;
    char *data;             /* the stored passage JSON (malloc'd) */
    size_t len;
    struct att_dup *dups;   /* with collapse: the other passages of its group,
                             * by document id and number, at most ATT_MAX_DUPS */
    size_t ndups;
    uint32_t dups_total;    /* all of them (>= ndups) */
};

struct att_count {
    char *value;            /* malloc'd */
    uint32_t count;
};

/* What a search's facets count its matches by. */
enum att_facet {
    ATT_FACET_SOURCE = 0,
    ATT_FACET_YEAR,
    ATT_FACET_AUTHOR,
    ATT_FACET_LANGUAGE,
    ATT_FACET_ACTOR,        /* a passage counts once for each actor it names */
    ATT_FACET_COUNT
};

/* The facet's name in the protocol ("source", "year", ...). */
const char *att_facet_name(enum att_facet f);

struct att_xquery;          /* the parsed query, for highlighting */

/* One index term of an explained part that matched the hit. */
struct att_explain_term {
    char *term;             /* as indexed, its prefix removed (malloc'd) */
    const char *where;      /* static: "body", "title", "author", "actor",
                             * "quotation", "speaker" or "other" */
    bool expansion;         /* added by a query expansion (an alias, a
                             * synonym), not the user's own word */
    char *from;             /* expansion: the query word it came from; else NULL */
    char *kind;             /* expansion: its kind ("alias", "wordnet"), NULL
                             * when unknown or not an expansion */
};

/* One weighted part of the query that matched the hit: a word in one
 * field, a phrase, a wildcard, a word with its expansions. */
struct att_explain_part {
    const char *where;      /* static: a term's where, or "phrase" */
    char **words;           /* the query words it came from, as typed */
    size_t nwords;
    struct att_explain_term *terms; /* those of its terms the hit holds */
    size_t nterms;
    double weight;          /* its share of the hit's score */
};

/* Why a hit scores what it does: its parts, heaviest first. For queries
 * of words joined by AND and OR their weights add up to the score. */
struct att_explain {
    struct att_explain_part *parts;
    size_t n;
};

struct att_result {
    struct att_hit *hits;
    size_t n;
    uint32_t estimate, lower, upper;
    bool partial;           /* the time limit cut the match short */
    bool relaxed;           /* auto matched any word: too few held every one */
    char *spelling;         /* corrected query, or NULL */
    struct {
        struct att_count *v; /* with facets: by count, desc */
        size_t n;
    } facets[ATT_FACET_COUNT];
    uint64_t revision;
    char **missing;         /* sources left out (out of reach), or NULL */
    size_t nmissing;
    struct att_xquery *query;
    struct att_explain *explain; /* with att_search.explain: one per hit, else NULL */
};

/* Run a search on db. On a database modified meanwhile it reopens and
 * tries once more. Fills *r (the caller frees it with att_result_free,
 * also after an error). Returns ATT_OK, ATT_E_QUERY (q does not parse;
 * err says why), ATT_E_TIMEOUT (time limit and nothing found),
 * ATT_E_MODIFIED (modified again), ATT_E_INDEX, ATT_E_NOMEM. */
int att_xdb_search(struct att_xdb *db, const struct att_search *s, struct att_result *r,
                   struct att_err *err);
void att_result_free(struct att_result *r); /* NULL-safe; leaves r empty */

/* Whether one word of hit i's passage text (word[0..len) as written)
 * matches r's query: the word is lower-cased, stemmed for the query's
 * language and accent-folded as the indexer does ("Erdoğan" matches
 * "erdogan"). in_quote: the word is inside a quotation (then quote: terms match
 * too). Thread-safe only in the thread that ran the search. */
bool att_result_match(const struct att_result *r, size_t i, const char *word, size_t len,
                      bool in_quote);

/* The phrases of r's query ("a b c", also inside title: and quote:; not a
 * ADJ b): their words match only together, so att_result_match says no
 * to a word that is only in phrases. att_result_phrase_len: the words of
 * phrase k (0 when k is out of range). att_result_phrase_match: whether
 * words[j][0..lens[j]), j < att_result_phrase_len(r, k), consecutive words
 * of a hit (as for att_result_match), are an occurrence of phrase k
 * (in_quote: inside a quotation, where quote: phrases match too). Thread-
 * safe only in the thread that ran the search. */
size_t att_result_nphrases(const struct att_result *r);
size_t att_result_phrase_len(const struct att_result *r, size_t k);
bool att_result_phrase_match(const struct att_result *r, size_t k, const char *const *words,
                             const size_t *lens, bool in_quote);

/* The passages of document doc_id, in order: fn gets each passage's data
 * (borrowed). passage < 0: all of them, else only that one. Returns
 * ATT_OK, ATT_E_NOTFOUND, or an index error. */
int att_xdb_get(struct att_xdb *db, const char *doc_id, long passage, att_doc_fn fn, void *ud,
                struct att_err *err);

/* ---- encodings ----------------------------------------------------- */

/* Xapian's sortable encoding of a number into out (at least 18 bytes);
 * returns the length (0 when out of memory). */
size_t att_sortable(double v, char *out);

#ifdef __cplusplus
}
#endif
#endif
