/* attache-index: the run summary, --stats and --list. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attache/index.h"
#include "log.h"
#include "protocol.h"
#include "report.h"
#include "store.h"
#include "terms.h"

static unsigned long count_docs(const struct state *st, unsigned long *failed)
{
    unsigned long docs = 0;

    *failed = 0;
    for (size_t i = 0; i < st->n; i++) {
        docs += st->recs[i]->docs;
        if (st->recs[i]->failed != NULL && st->recs[i]->seen)
            (*failed)++;
    }
    return docs;
}

static int by_hash_then_id(const void *a, const void *b)
{
    const struct rec *x = *(const struct rec *const *)a, *y = *(const struct rec *const *)b;
    int c = strcmp(x->hash, y->hash);

    return c != 0 ? c : strcmp(x->id, y->id);
}

/* Files in the index with the same content: each named with the first
 * (by id) of its group. Returns how many. */
static unsigned same_content(const struct state *st)
{
    const struct rec **v = malloc((st->n ? st->n : 1) * sizeof *v);
    size_t n = 0, first = 0;
    unsigned dups = 0;

    if (v == NULL)
        return 0; /* only a warning is lost */
    for (size_t i = 0; i < st->n; i++) {
        const struct rec *r = st->recs[i];

        if (r->failed == NULL && r->docs > 0 && strlen(r->hash) == 32)
            v[n++] = r;
    }
    qsort(v, n, sizeof *v, by_hash_then_id);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(v[i]->hash, v[first]->hash) != 0) {
            first = i;
            continue;
        }
        att_log(ATT_WARN, "%s and %s have the same content", v[first]->id, v[i]->id);
        dups++;
    }
    free(v);
    return dups;
}

void report_overlaps(const struct state *st, struct build_counts *c)
{
    for (size_t i = 0; i < st->nconflicts; i++) {
        const struct id_conflict *k = &st->conflicts[i];

        att_log(ATT_ERROR, "%s:%ld: document id '%s' is also in %s, which keeps it; this "
                "record is not indexed", k->loser->id, k->line, k->id, k->keeper->id);
    }
    c->id_conflicts = (unsigned)st->nconflicts;
    c->duplicates = same_content(st);
}

void report_summary(const struct run_opts *o, const struct build_counts *c,
                    const struct state *st, unsigned long passages, double seconds,
                    bool interrupted)
{
    unsigned long failing;
    unsigned long docs = count_docs(st, &failing);

    if (o->json) {
        printf("{\"added\":%u,\"updated\":%u,\"removed\":%u,\"unchanged\":%u,\"failed\":%u,"
               "\"skipped\":%u,\"documents\":%lu,\"passages\":%lu,\"seconds\":%.3f,"
               "\"interrupted\":%s,\"meta_updated\":%u,\"duplicates\":%u,"
               "\"id_conflicts\":%u,\"records\":{\"added\":%u,\"updated\":%u,"
               "\"removed\":%u,\"unchanged\":%u}}\n",
               c->added, c->updated, c->removed, c->unchanged, c->failed, c->skipped, docs,
               passages, seconds, interrupted ? "true" : "false", c->meta_updated,
               c->duplicates, c->id_conflicts, c->rec_added, c->rec_updated, c->rec_removed,
               c->rec_unchanged);
    } else if (!o->quiet || interrupted) {
        printf("%s%u added, %u updated", interrupted ? "interrupted: " : "", c->added,
               c->updated);
        if (c->meta_updated)
            printf(" (%u for folder metadata)", c->meta_updated);
        printf(", %u removed, %u unchanged, %u failed", c->removed, c->unchanged, c->failed);
        if (c->skipped)
            printf(" (%u skipped: failed before, unchanged since; see --retry-failed)",
                   c->skipped);
        if (c->rec_added + c->rec_updated + c->rec_removed > 0)
            printf("; .jsonl records: %u added, %u updated, %u removed", c->rec_added,
                   c->rec_updated, c->rec_removed);
        printf("; %lu documents, %lu passages in %.2f s\n", docs, passages, seconds);
    }
    fflush(stdout);
}

struct tally {
    struct att_xdb *db;
    unsigned long files, failed, docs, passages, mismatched;
    struct att_err *err;
};

/* Passages the index really holds for a file (vs. its record). */
static int count_file(struct att_xdb *db, const struct rec *r, uint32_t *n, struct att_err *err)
{
    char term[ATT_TERM_MAX + 1];
    size_t len = att_term(term, ATT_P_FILE, r->id, strlen(r->id));

    return att_xdb_termfreq(db, term, len, n, err);
}

/* The live generation of o->db opened read-only, its records in st; the
 * caller says why when it fails (err). */
static int open_ro(const struct run_opts *o, struct att_xdb **db, struct state *st,
                   struct att_err *err)
{
    char *path = store_peek(o->db, err);
    int rc = path ? att_xdb_open(path, db, err) : err->code;

    free(path);
    if (rc == ATT_OK)
        rc = state_load_ro(st, *db, err);
    if (rc != ATT_OK) {
        att_xdb_close(*db);
        *db = NULL;
    }
    return rc;
}

static int by_id(const void *a, const void *b)
{
    return strcmp((*(struct rec *const *)a)->id, (*(struct rec *const *)b)->id);
}

int report_list(const struct run_opts *o)
{
    struct att_xdb *db = NULL;
    struct att_err err = {0};
    struct state st;
    int rc;

    state_init(&st);
    rc = open_ro(o, &db, &st, &err);
    if (rc == ATT_OK && st.n > 0)
        qsort(st.recs, st.n, sizeof *st.recs, by_id);
    for (size_t i = 0; rc == ATT_OK && i < st.n; i++) {
        const struct rec *r = st.recs[i];
        uint32_t n = 0;

        rc = count_file(db, r, &n, &err);
        if (r->failed != NULL)
            printf("%s\tfailed\t%s\n", r->id, r->failed);
        else
            printf("%s\t%u documents\t%u passages\t%s\n", r->id, r->docs, n, r->hash);
    }
    if (rc != ATT_OK && err.msg[0])
        att_log(ATT_ERROR, "%s: %s", o->db, err.msg);
    state_free(&st);
    att_xdb_close(db);
    return rc == ATT_OK ? 0 : 2;
}

/* Count the records and check each against the passages it really has. */
static int tally_all(struct tally *t, const struct state *st)
{
    for (size_t i = 0; i < st->n; i++) {
        const struct rec *r = st->recs[i];
        uint32_t n = 0;
        int rc = count_file(t->db, r, &n, t->err);

        if (rc != ATT_OK)
            return rc;
        t->files++;
        t->failed += r->failed != NULL;
        t->docs += r->docs;
        t->passages += n;
        t->mismatched += n != r->passages;
    }
    return ATT_OK;
}

/* The "shards" of --stats --json, in the shape attached's stats gives
 * them: one entry per database of the index in dir (of n databases): dir
 * itself when it is one, else each shard's folder, each opened read-only
 * on its own as the daemon opens what it is given. NULL (err filled) when
 * one cannot be opened or memory runs out. */
static cJSON *shard_list(const char *dir, unsigned n, struct att_err *err)
{
    struct att_xdb_source src[STORE_MAX_SHARDS];
    char *specs[STORE_MAX_SHARDS] = {0};
    struct att_xdb *db = NULL;
    cJSON *a = NULL;
    size_t got = 0;
    int rc = ATT_OK;

    n = n < 1 ? 1 : n > STORE_MAX_SHARDS ? STORE_MAX_SHARDS : n;
    for (unsigned k = 0; k < n && rc == ATT_OK; k++) {
        specs[k] = n == 1 ? strdup(dir) : store_shard_dir(dir, k, n);
        if (specs[k] == NULL)
            rc = att_err_set(err, ATT_E_NOMEM, "out of memory");
    }
    if (rc == ATT_OK)
        rc = att_xdb_open_many((const char *const *)specs, n, NULL, &db, err);
    if (rc == ATT_OK) {
        att_xdb_sources(db, src, STORE_MAX_SHARDS, &got);
        a = cJSON_CreateArray();
    }
    for (size_t k = 0; a != NULL && k < got; k++) {
        cJSON *e = cJSON_CreateObject();

        cJSON_AddItemToArray(a, e);
        cJSON_AddStringToObject(e, "db", src[k].spec);
        cJSON_AddStringToObject(e, "state", "up"); /* a local database, open */
        cJSON_AddNumberToObject(e, "revision", (double)src[k].revision);
        cJSON_AddNumberToObject(e, "passages", src[k].passages);
    }
    if (rc == ATT_OK && a == NULL)
        att_err_set(err, ATT_E_NOMEM, "out of memory");
    att_xdb_close(db);
    for (unsigned k = 0; k < n; k++)
        free(specs[k]);
    return a;
}

/* --stats --json: one line. */
static int print_stats_json(const struct run_opts *o, const struct tally *t,
                            const struct att_xdb_info *info, bool ok, struct att_err *err)
{
    cJSON *shards = shard_list(o->db, info->shards, err);
    char *text = shards ? cJSON_PrintUnformatted(shards) : NULL;

    cJSON_Delete(shards);
    if (text == NULL)
        return shards ? att_err_set(err, ATT_E_NOMEM, "out of memory") : err->code;
    printf("{\"documents\":%lu,\"passages\":%u,\"files\":%lu,\"failed\":%lu,"
           "\"terms\":%llu,\"spellings\":%llu,\"spelling_freq\":%llu,\"bytes\":%lld,"
           "\"revision\":%llu,\"shards\":%s,\"consistent\":%s}\n",
           t->docs, info->doccount, t->files, t->failed, (unsigned long long)info->terms,
           (unsigned long long)info->spellings, (unsigned long long)info->spelling_freq,
           store_index_size(o->db), (unsigned long long)info->revision, text,
           ok ? "true" : "false");
    free(text);
    return ATT_OK;
}

/* --stats: a line per figure. */
static void print_stats_text(const struct run_opts *o, const struct tally *t,
                             const struct att_xdb_info *info, bool ok)
{
    char *gen = store_peek(o->db, NULL);

    printf("index      %s\ndocuments  %lu\npassages   %u\nfiles      %lu (%lu failed)\n"
           "terms      %llu\nspelling   %llu words\nsize       %.1f MB\nrevision   %llu\n"
           "shards     %u\nconsistent %s\n",
           gen ? gen : o->db, t->docs, info->doccount, t->files, t->failed,
           (unsigned long long)info->terms, (unsigned long long)info->spellings,
           store_index_size(o->db) / 1048576.0,
           (unsigned long long)info->revision, info->shards,
           ok ? "yes" : "NO: passages and records differ");
    free(gen);
}

/* One reading of the index for --stats: ATT_OK (printed, *ok set), or an
 * error before anything was printed. */
static int stats_once(const struct run_opts *o, bool *ok, struct att_err *err)
{
    struct att_xdb *db = NULL;
    struct att_xdb_info info;
    struct tally t = {0};
    struct state st;
    int rc;

    state_init(&st);
    rc = open_ro(o, &db, &st, err);
    t.db = db;
    t.err = err;
    if (rc == ATT_OK)
        rc = tally_all(&t, &st);
    if (rc == ATT_OK)
        rc = att_xdb_get_info(db, &info, true, err);
    *ok = rc == ATT_OK && t.mismatched == 0 && t.passages == info.doccount;
    if (rc == ATT_OK && o->json)
        rc = print_stats_json(o, &t, &info, *ok, err);
    else if (rc == ATT_OK)
        print_stats_text(o, &t, &info, *ok);
    state_free(&st);
    att_xdb_close(db);
    return rc;
}

/* An indexer committing while --stats reads may discard the revision it
 * reads (Xapian's DatabaseModifiedError): read again from a fresh handle,
 * as the daemon does, a few times. */
#define STATS_TRIES 5

int report_stats(const struct run_opts *o)
{
    struct att_err err = {0};
    bool ok = false;
    int rc = ATT_E_MODIFIED;

    for (int i = 0; i < STATS_TRIES && rc == ATT_E_MODIFIED; i++) {
        err = (struct att_err){0};
        rc = stats_once(o, &ok, &err);
    }
    if (rc != ATT_OK && err.msg[0])
        att_log(ATT_ERROR, "%s: %s", o->db, err.msg);
    return rc == ATT_OK ? (ok ? 0 : 1) : 2;
}
