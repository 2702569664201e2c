/* attache-index: the run's table of .jsonl record ids (by XXH3-64 of the
 * id) and the file holding each; deciding who keeps an id two files give. */
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "buf.h"
#include "hashmap.h"
#include "ids.h"
#include "readfile.h"

uint64_t ids_key(const char *id)
{
    return XXH3_64bits(id, strlen(id));
}

static struct rec *owner_of(const struct idmap *m, uint64_t key)
{
    return att_map_get(&m->map, key, NULL, NULL);
}

static int set(struct idmap *m, uint64_t key, struct rec *owner)
{
    return att_map_put(&m->map, key, owner, NULL, NULL);
}

/* Give back the ids of old[0..nold) not in now[0..nnow) (both sorted)
 * that r holds. */
static void give_back(struct idmap *m, const struct rec *r, const uint64_t *old, size_t nold,
                      const uint64_t *now, size_t nnow)
{
    size_t k = 0;

    for (size_t i = 0; i < nold; i++) {
        while (k < nnow && now[k] < old[i])
            k++;
        if (k < nnow && now[k] == old[i])
            continue;
        if (owner_of(m, old[i]) == r)
            att_map_find(&m->map, old[i], NULL, NULL)->val = NULL; /* held by none now */
    }
}

int ids_begin(struct idmap *m, struct state *st, const struct walk_list *files,
              size_t max_file)
{
    m->st = st;
    m->files = files;
    m->max_file = max_file;
    for (size_t i = 0; i < files->n; i++) {
        struct rec *r = state_find(st, files->v[i].id);

        if (r != NULL)
            r->pending = &files->v[i];
    }
    for (size_t i = 0; i < st->n; i++) {
        struct rec *r = st->recs[i];

        for (size_t k = 0; k < r->nids; k++) {
            if (owner_of(m, r->ids[k]) == NULL && set(m, r->ids[k], r) != ATT_OK)
                return ATT_E_NOMEM;
        }
    }
    return ATT_OK;
}

static int by_value(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

/* Sort v[0..n) and drop repeats; returns the new count. */
static size_t sort_unique(uint64_t *v, size_t n)
{
    size_t k = 0;

    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, by_value);
    for (size_t i = 1; i < n; i++) {
        if (v[i] != v[k])
            v[++k] = v[i];
    }
    return k + 1;
}

struct peek {
    uint64_t *v;
    size_t n, cap;
};

static int peek_doc(void *ud, struct att_doc *doc, long line)
{
    struct peek *k = ud;

    (void)line;
    if (att_grow(&k->v, &k->cap, k->n + 1, sizeof *k->v, SIZE_MAX / sizeof *k->v) != ATT_OK)
        return ATT_E_NOMEM;
    k->v[k->n++] = ids_key(doc->id);
    return ATT_OK;
}

/* The record ids g's file holds now, ahead of its turn, into *k; a file
 * that cannot be read holds none. Returns ATT_OK or ATT_E_NOMEM. */
static int peek(const struct idmap *m, const struct rec *g, struct peek *k)
{
    struct att_doc_sink sink = {peek_doc, NULL, k};
    struct att_err e = {0};
    char *data = NULL;
    size_t len = 0;
    int rc = ATT_OK;

    if (g->pending->fmt == ATT_FMT_JSONL)
        rc = readfile_load(g->pending->path, m->max_file, &data, &len, &e);
    if (data != NULL)
        rc = att_doc_parse(g->id, ATT_FMT_JSONL, data, len, &sink, &e);
    free(data);
    return rc == ATT_E_NOMEM ? rc : ATT_OK;
}

/* Whether g, not yet dealt with this run, still holds key: a file the
 * walk did not find in a folder walked in full has vanished; one it did
 * not look for keeps what it has; so does one unchanged since its record.
 * A changed one is read ahead, once. */
static bool still_holds(struct idmap *m, struct rec *g, uint64_t key, int *rc)
{
    const struct walk_file *f = g->pending;
    struct peek k = {0};

    if (f == NULL)
        return g->root == NULL || !walk_complete(m->files, g->root);
    if (f->size == g->size && f->mtime_ns == g->mtime_ns && g->hash[0] != '\0')
        return true;
    if (!g->peeked) {
        *rc = peek(m, g, &k);
        if (*rc == ATT_OK) {
            k.n = sort_unique(k.v, k.n);
            give_back(m, g, g->ids, g->nids, k.v, k.n);
            g->peeked = true;
        }
        free(k.v);
    }
    return owner_of(m, key) == g;
}

int ids_claim(struct idmap *m, struct rec *r, uint64_t key, struct rec **keeper)
{
    struct rec *g = owner_of(m, key);
    int rc = ATT_OK;

    *keeper = NULL;
    if (g != NULL && g != r && (g->seen || still_holds(m, g, key, &rc))) {
        *keeper = g;
        return rc;
    }
    return set(m, key, r);
}

bool ids_settle(struct idmap *m, struct rec *r, uint64_t *ids, size_t n)
{
    bool changed;

    n = sort_unique(ids, n);
    give_back(m, r, r->ids, r->nids, ids, n);
    changed = n != r->nids || (n > 0 && memcmp(ids, r->ids, n * sizeof *ids) != 0);
    free(r->ids);
    r->ids = n > 0 ? ids : NULL;
    r->nids = n;
    if (n == 0)
        free(ids);
    return changed;
}

void ids_end(struct idmap *m)
{
    for (size_t i = 0; m->st != NULL && i < m->st->n; i++)
        m->st->recs[i]->pending = NULL;
    att_map_free(&m->map);
}
