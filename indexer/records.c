/* attache-index: the table of a streamed .jsonl file's records, and how
 * the writer applies a streamed job (records.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "build.h"
#include "buf.h"
#include "log.h"
#include "prepare.h"
#include "records.h"
#include "state.h"
#include "terms.h"

static size_t slot_of(const struct rtab *t, uint64_t key)
{
    uint64_t h = key * 0x9E3779B97F4A7C15ull;

    return (size_t)(h >> 7) & (t->nslots - 1);
}

uint64_t *rtab_get(const struct rtab *t, uint64_t key)
{
    key = key ? key : 1;
    if (t == NULL || t->nslots == 0)
        return NULL;
    for (size_t i = slot_of(t, key);; i = (i + 1) & (t->nslots - 1)) {
        if (t->keys[i] == key)
            return &t->vals[i];
        if (t->keys[i] == 0)
            return NULL;
    }
}

static void place(uint64_t *keys, uint64_t *vals, size_t nslots, uint64_t key, uint64_t val)
{
    struct rtab t = {keys, vals, nslots, 0};
    size_t i = slot_of(&t, key);

    while (keys[i] != 0 && keys[i] != key)
        i = (i + 1) & (nslots - 1);
    keys[i] = key;
    vals[i] = val;
}

static int grow(struct rtab *t)
{
    size_t n = t->nslots ? 2 * t->nslots : 64;
    uint64_t *k = calloc(n, sizeof *k), *v = calloc(n, sizeof *v);

    if (k == NULL || v == NULL) {
        free(k);
        free(v);
        return ATT_E_NOMEM;
    }
    for (size_t i = 0; i < t->nslots; i++) {
        if (t->keys[i] != 0)
            place(k, v, n, t->keys[i], t->vals[i]);
    }
    free(t->keys);
    free(t->vals);
    t->keys = k;
    t->vals = v;
    t->nslots = n;
    return ATT_OK;
}

int rtab_put(struct rtab *t, uint64_t key, uint64_t val)
{
    uint64_t *v;

    key = key ? key : 1;
    v = rtab_get(t, key);
    if (v != NULL) {
        *v = val;
        return ATT_OK;
    }
    if (2 * (t->n + 1) > t->nslots && grow(t) != ATT_OK)
        return ATT_E_NOMEM;
    place(t->keys, t->vals, t->nslots, key, val);
    t->n++;
    return ATT_OK;
}

/* Linear probing without tombstones: the entries after the hole that
 * would no longer be found move back into it. */
void rtab_del(struct rtab *t, uint64_t key)
{
    uint64_t *v = rtab_get(t, key ? key : 1);
    size_t mask, i, j;

    if (v == NULL)
        return;
    mask = t->nslots - 1;
    i = (size_t)(v - t->vals);
    t->keys[i] = 0;
    t->n--;
    for (j = (i + 1) & mask; t->keys[j] != 0; j = (j + 1) & mask) {
        size_t home = slot_of(t, t->keys[j]);
        bool between = i <= j ? (i < home && home <= j) : (i < home || home <= j);

        if (between)
            continue;
        t->keys[i] = t->keys[j];
        t->vals[i] = t->vals[j];
        t->keys[j] = 0;
        i = j;
    }
}

struct rtab *rtab_clone(const struct rtab *t)
{
    struct rtab *c = calloc(1, sizeof *c);

    if (c == NULL || t == NULL || t->nslots == 0)
        return c;
    c->keys = malloc(t->nslots * sizeof *c->keys);
    c->vals = malloc(t->nslots * sizeof *c->vals);
    if (c->keys == NULL || c->vals == NULL) {
        rtab_free(c);
        return NULL;
    }
    memcpy(c->keys, t->keys, t->nslots * sizeof *c->keys);
    memcpy(c->vals, t->vals, t->nslots * sizeof *c->vals);
    c->nslots = t->nslots;
    c->n = t->n;
    return c;
}

void rtab_free(struct rtab *t)
{
    if (t == NULL)
        return;
    free(t->keys);
    free(t->vals);
    free(t);
}

static int by_value(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

uint64_t *rtab_keys(const struct rtab *t, size_t *n, bool *ok)
{
    uint64_t *v;
    size_t k = 0;

    *n = 0;
    *ok = true;
    if (t == NULL || t->n == 0)
        return NULL;
    v = malloc(t->n * sizeof *v);
    if (v == NULL) {
        *ok = false;
        return NULL;
    }
    for (size_t i = 0; i < t->nslots; i++) {
        if (t->keys[i] != 0)
            v[k++] = t->keys[i];
    }
    qsort(v, k, sizeof *v, by_value);
    *n = k;
    return v;
}

size_t rec_term(char *out, const char *file_id, uint64_t key)
{
    char hex[17];

    key ^= XXH3_64bits(file_id, strlen(file_id));
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)key);
    return att_term(out, REC_PREFIX, hex, 16);
}

void stream_part_free(struct stream_part *sp)
{
    if (sp == NULL)
        return;
    free(sp->dels);
    free(sp->ups);
    free(sp->gone);
    free(sp);
}

static int drop_term(struct builder *b, const struct rec *r, uint64_t key, struct att_err *err)
{
    char term[ATT_TERM_MAX + 1];
    size_t n = rec_term(term, r->id, key);

    return build_drop(b, term, n, err);
}

/* The table's changes into r's counts and table. */
static int update_table(struct rec *r, const struct stream_part *sp)
{
    for (size_t i = 0; i < sp->ngone; i++) {
        uint64_t *v = rtab_get(r->tab, sp->gone[i]);

        if (v == NULL)
            continue;
        r->passages -= rec_passages(*v);
        r->docs--;
        rtab_del(r->tab, sp->gone[i]);
    }
    for (size_t i = 0; i < sp->nups / 2; i++) {
        uint64_t key = sp->ups[2 * i], val = sp->ups[2 * i + 1], *v = rtab_get(r->tab, key);

        if (v != NULL) {
            r->passages -= rec_passages(*v);
            *v = val;
        } else if (rtab_put(r->tab, key, val) != ATT_OK) {
            return ATT_E_NOMEM;
        } else {
            r->docs++;
        }
        r->passages += rec_passages(val);
    }
    return ATT_OK;
}

/* The first job of a full pass: over a file held otherwise (indexed
 * whole, or failed), every passage goes; else the marks are cleared. */
static int begin_pass(struct builder *b, struct rec *r, const struct stream_part *sp,
                      struct att_err *err)
{
    char term[ATT_TERM_MAX + 1];
    size_t n;

    if (sp->clear_seen) {
        for (size_t i = 0; i < r->tab->nslots; i++)
            r->tab->vals[i] &= ~(uint64_t)REC_SEEN;
    }
    if (!sp->reset)
        return ATT_OK;
    n = att_term(term, ATT_P_FILE, r->id, strlen(r->id));
    rtab_free(r->tab);
    r->tab = calloc(1, sizeof *r->tab);
    r->docs = 0;
    r->passages = 0;
    if (r->tab == NULL)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    return build_drop(b, term, n, err);
}

/* The file cannot be indexed: its passages and table go, the reason stays. */
static int fail_stream(struct builder *b, struct job *j, struct att_err *err)
{
    struct rec *r = j->r;
    struct stream_part sp = {.reset = true};
    int rc = begin_pass(b, r, &sp, err);

    if (rc == ATT_OK)
        rc = build_add(b, NULL, 0, err);
    att_log(ATT_ERROR, "%s: skipped: %s", r->id, j->why);
    b->c.failed++;
    r->done = 0;
    r->phash[0] = '\0';
    r->rescan = false;
    memcpy(r->hash, j->sp->hash, sizeof r->hash);
    if (rc == ATT_OK && state_set_str(&r->failed, j->why) != ATT_OK)
        rc = att_err_set(err, ATT_E_NOMEM, "out of memory");
    return rc;
}

/* The end of the file: its record says what it now holds. */
static void end_file(struct builder *b, struct job *j)
{
    struct rec *r = j->r;
    const struct stream_part *sp = j->sp;

    memcpy(r->hash, sp->hash, sizeof r->hash);
    memcpy(r->meta, sp->meta, sizeof r->meta);
    r->meta_used[0] = '\0';
    r->conflict = sp->conflict;
    if (!j->existed)
        b->c.added++;
    else if (sp->changed)
        b->c.updated++;
    else
        b->c.unchanged++;
}

static int apply_part(struct builder *b, struct job *j, struct att_err *err)
{
    struct rec *r = j->r;
    const struct stream_part *sp = j->sp;
    int rc = begin_pass(b, r, sp, err);

    for (size_t i = 0; rc == ATT_OK && i < sp->ndels; i++)
        rc = drop_term(b, r, sp->dels[i], err);
    for (size_t i = 0; rc == ATT_OK && i < sp->ngone; i++)
        rc = drop_term(b, r, sp->gone[i], err);
    if (rc == ATT_OK)
        rc = build_add(b, j->docs, j->ndocs, err);
    if (rc == ATT_OK && update_table(r, sp) != ATT_OK)
        rc = att_err_set(err, ATT_E_NOMEM, "out of memory");
    if (rc != ATT_OK)
        return rc;
    if (sp->plain) { /* one document, its passages in pieces */
        r->passages += (uint32_t)j->ndocs;
        r->docs = r->passages > 0;
        r->tbase = sp->tbase;
    }
    if (!sp->final) /* the record never claims a file read to its end */
        r->hash[0] = '\0';
    b->batch_passages += (unsigned)(j->ndocs + sp->ndels + sp->ngone);
    r->done = sp->done;
    memcpy(r->phash, sp->phash, sizeof r->phash);
    r->rescan = sp->rescan;
    free(r->failed);
    r->failed = NULL;
    b->c.rec_added += sp->added;
    b->c.rec_updated += sp->updated;
    b->c.rec_removed += sp->removed;
    b->c.rec_unchanged += sp->unchanged;
    if (sp->final)
        end_file(b, j);
    return ATT_OK;
}

int records_apply(struct builder *b, struct job *j, struct att_err *err)
{
    struct rec *r = j->r;
    int rc = ATT_OK;

    if (b->dirty != NULL && b->dirty != r)
        rc = records_flush(b, err);
    if (rc == ATT_OK && r->tab == NULL && (r->tab = calloc(1, sizeof *r->tab)) == NULL)
        rc = att_err_set(err, ATT_E_NOMEM, "out of memory");
    if (rc != ATT_OK)
        return rc;
    r->stream = true;
    r->lane = b->lane;
    b->dirty = r;
    return j->sp->fail ? fail_stream(b, j, err) : apply_part(b, j, err);
}

int records_save_table(struct att_xwdb *w, const struct rec *r, struct att_err *err)
{
    char key[ATT_TERM_MAX + 1];
    size_t klen = att_term(key, REC_META, r->id, strlen(r->id)), idlen = strlen(r->id) + 1;
    size_t n = r->tab != NULL ? r->tab->n : 0, k = 0;
    char *val;
    int rc;

    if (n == 0)
        return att_xwdb_set_meta(w, key, klen, "", 0, err);
    val = malloc(idlen + 16 * n);
    if (val == NULL)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    memcpy(val, r->id, idlen);
    for (size_t i = 0; i < r->tab->nslots; i++) {
        if (r->tab->keys[i] == 0)
            continue;
        memcpy(val + idlen + 16 * k, &r->tab->keys[i], 8);
        memcpy(val + idlen + 16 * k + 8, &r->tab->vals[i], 8);
        k++;
    }
    rc = att_xwdb_set_meta(w, key, klen, val, idlen + 16 * n, err);
    free(val);
    return rc;
}

int records_flush(struct builder *b, struct att_err *err)
{
    struct rec *r = b->dirty;
    int rc;

    if (r == NULL)
        return ATT_OK;
    b->dirty = NULL;
    rc = state_save(b->w, r, err);
    return rc == ATT_OK ? records_save_table(b->w, r, err) : rc;
}

int records_load_one(struct state *st, const char *val, size_t vlen)
{
    const char *nul = memchr(val, '\0', vlen);
    size_t idlen = nul != NULL ? (size_t)(nul - val) + 1 : 0, n;
    struct rec *r = nul != NULL ? state_find(st, val) : NULL;
    bool ok;

    if (r == NULL || (vlen - idlen) % 16 != 0 || r->tab != NULL)
        return ATT_OK;
    n = (vlen - idlen) / 16;
    r->tab = calloc(1, sizeof *r->tab);
    if (r->tab == NULL)
        return ATT_E_NOMEM;
    r->stream = true;
    for (size_t i = 0; i < n; i++) {
        uint64_t k, v;

        memcpy(&k, val + idlen + 16 * i, 8);
        memcpy(&v, val + idlen + 16 * i + 8, 8);
        if (rtab_put(r->tab, k, v) != ATT_OK)
            return ATT_E_NOMEM;
    }
    free(r->ids);
    r->ids = rtab_keys(r->tab, &r->nids, &ok);
    return ok ? ATT_OK : ATT_E_NOMEM;
}
