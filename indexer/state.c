/* attache-index: file records as JSON in metadata, and a hash table. */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "buf.h"
#include "records.h"
#include "state.h"
#include "terms.h"

void state_init(struct state *st)
{
    memset(st, 0, sizeof *st);
}

static void rec_free(struct rec *r)
{
    if (r == NULL)
        return;
    free(r->id);
    free(r->root);
    free(r->failed);
    free(r->ids);
    rtab_free(r->tab);
    free(r);
}

void state_free(struct state *st)
{
    for (size_t i = 0; i < st->n; i++)
        rec_free(st->recs[i]);
    for (size_t i = 0; i < st->nconflicts; i++)
        free(st->conflicts[i].id);
    free(st->conflicts);
    free(st->recs);
    att_map_free(&st->map);
    state_init(st);
}

static bool is_rec(const void *val, const void *key)
{
    return strcmp(((const struct rec *)val)->id, key) == 0;
}

static uint64_t id_hash(const char *id)
{
    return XXH3_64bits(id, strlen(id));
}

struct rec *state_find(struct state *st, const char *id)
{
    return att_map_get(&st->map, id_hash(id), is_rec, id);
}

struct rec *state_add(struct state *st, const char *id)
{
    struct rec *r;

    /* The ceiling is the address space: only memory limits the records. */
    if (att_grow(&st->recs, &st->cap, st->n + 1, sizeof *st->recs,
                 SIZE_MAX / sizeof *st->recs) != ATT_OK)
        return NULL;
    r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->id = strdup(id);
    if (r->id == NULL || att_map_put(&st->map, id_hash(id), r, is_rec, id) != ATT_OK) {
        rec_free(r);
        return NULL;
    }
    st->recs[st->n++] = r;
    return r;
}

int state_set_str(char **dst, const char *src)
{
    char *p = src ? strdup(src) : NULL;

    if (src != NULL && p == NULL)
        return ATT_E_NOMEM;
    free(*dst);
    *dst = p;
    return ATT_OK;
}

int state_conflict(struct state *st, const char *id, long line, const struct rec *loser,
                   const struct rec *keeper)
{
    char *copy = strdup(id);

    if (copy == NULL || att_grow(&st->conflicts, &st->cconflicts, st->nconflicts + 1,
                                 sizeof *st->conflicts, SIZE_MAX / sizeof *st->conflicts)) {
        free(copy);
        return ATT_E_NOMEM;
    }
    st->conflicts[st->nconflicts++] = (struct id_conflict){copy, line, loser, keeper};
    return ATT_OK;
}

static char *dup_str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

    return cJSON_IsString(v) ? strdup(v->valuestring) : NULL;
}

static double get_num(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* The ids as 16 hex digits each, into r->ids; a damaged list is dropped. */
static int load_ids(struct rec *r, const char *hex)
{
    size_t len = strlen(hex), n = len / 16;

    if (n == 0 || len % 16 != 0 || strspn(hex, "0123456789abcdef") != len)
        return ATT_OK;
    r->ids = malloc(n * sizeof *r->ids);
    if (r->ids == NULL)
        return ATT_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        char one[17];

        memcpy(one, hex + 16 * i, 16);
        one[16] = '\0';
        r->ids[i] = strtoull(one, NULL, 16);
    }
    r->nids = n;
    return ATT_OK;
}

/* What a record holds besides its file's identity: the sidecar hashes,
 * the ids of its .jsonl records, a conflict over one. */
/* A 64-bit number, kept as a string (a double would round it); 0 none. */
static int64_t get_i64(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? strtoll(v->valuestring, NULL, 10) : 0;
}

static int load_extra(struct rec *r, const cJSON *o)
{
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(o, "meta");
    const cJSON *used = cJSON_GetObjectItemCaseSensitive(o, "meta_used");
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(o, "ids");

    if (cJSON_IsString(meta))
        snprintf(r->meta, sizeof r->meta, "%s", meta->valuestring);
    if (cJSON_IsString(used))
        snprintf(r->meta_used, sizeof r->meta_used, "%s", used->valuestring);
    r->conflict = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "conflict"));
    r->stream = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "stream"));
    r->rescan = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "rescan"));
    r->done = get_i64(o, "done");
    r->tbase = get_i64(o, "tbase");
    if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "phash")))
        snprintf(r->phash, sizeof r->phash, "%s",
                 cJSON_GetObjectItemCaseSensitive(o, "phash")->valuestring);
    return cJSON_IsString(ids) ? load_ids(r, ids->valuestring) : ATT_OK;
}

/* r's sidecar hashes, ids and conflict into o. */
static int save_extra(cJSON *o, const struct rec *r)
{
    char *hex;

    if (r->meta[0] != '\0')
        cJSON_AddStringToObject(o, "meta", r->meta);
    if (r->meta_used[0] != '\0')
        cJSON_AddStringToObject(o, "meta_used", r->meta_used);
    if (r->conflict)
        cJSON_AddTrueToObject(o, "conflict");
    if (r->stream) { /* its ids are its table's keys (records.h) */
        char done[32];

        snprintf(done, sizeof done, "%lld", (long long)r->done);
        cJSON_AddTrueToObject(o, "stream");
        cJSON_AddStringToObject(o, "done", done);
        cJSON_AddStringToObject(o, "phash", r->phash);
        if (r->rescan)
            cJSON_AddTrueToObject(o, "rescan");
        if (r->tbase > 0) {
            snprintf(done, sizeof done, "%lld", (long long)r->tbase);
            cJSON_AddStringToObject(o, "tbase", done);
        }
        return ATT_OK;
    }
    if (r->nids == 0)
        return ATT_OK;
    hex = r->nids < SIZE_MAX / 16 ? malloc(16 * r->nids + 1) : NULL;
    if (hex == NULL)
        return ATT_E_NOMEM;
    for (size_t i = 0; i < r->nids; i++)
        snprintf(hex + 16 * i, 17, "%016llx", (unsigned long long)r->ids[i]);
    cJSON_AddStringToObject(o, "ids", hex);
    free(hex);
    return ATT_OK;
}

/* One metadata entry into a record; a damaged entry is dropped (the file
 * then counts as new and is indexed again). */
static int load_one(void *ud, const char *key, size_t klen, const char *val, size_t vlen)
{
    struct state *st = ud;
    cJSON *o = cJSON_ParseWithLength(val, vlen);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
    const cJSON *hash = cJSON_GetObjectItemCaseSensitive(o, "hash");
    const cJSON *mt;
    struct rec *r;
    int rc;

    (void)key;
    (void)klen;
    if (!cJSON_IsString(id) || state_find(st, id->valuestring) != NULL) {
        cJSON_Delete(o);
        return 0;
    }
    r = state_add(st, id->valuestring);
    if (r == NULL) {
        cJSON_Delete(o);
        return ATT_E_NOMEM;
    }
    r->root = dup_str(o, "root");
    r->failed = dup_str(o, "failed");
    r->size = (int64_t)get_num(o, "size");
    mt = cJSON_GetObjectItemCaseSensitive(o, "mtime_ns");
    /* A string: nanoseconds since 1970 do not fit a double exactly. */
    r->mtime_ns = cJSON_IsString(mt) ? strtoll(mt->valuestring, NULL, 10) : 0;
    r->docs = (uint32_t)get_num(o, "docs");
    r->passages = (uint32_t)get_num(o, "passages");
    if (cJSON_IsString(hash))
        snprintf(r->hash, sizeof r->hash, "%s", hash->valuestring);
    rc = load_extra(r, o);
    cJSON_Delete(o);
    return rc;
}

static int load_table(void *ud, const char *key, size_t klen, const char *val, size_t vlen)
{
    (void)key;
    (void)klen;
    return records_load_one(ud, val, vlen);
}

int state_load(struct state *st, struct att_xwdb *w, struct att_err *err)
{
    int rc = att_xwdb_each_meta(w, ATT_META_FILE, strlen(ATT_META_FILE), load_one, st, err);

    if (rc == ATT_OK)
        rc = att_xwdb_each_meta(w, REC_META, strlen(REC_META), load_table, st, err);
    if (rc == ATT_E_NOMEM)
        att_err_set(err, rc, "out of memory loading file records");
    return rc;
}

int state_load_ro(struct state *st, struct att_xdb *db, struct att_err *err)
{
    int rc = att_xdb_each_meta(db, ATT_META_FILE, strlen(ATT_META_FILE), load_one, st, err);

    if (rc == ATT_E_NOMEM)
        att_err_set(err, rc, "out of memory loading file records");
    return rc;
}

static size_t rec_key(char *out, const struct rec *r)
{
    return att_term(out, ATT_META_FILE, r->id, strlen(r->id));
}

int state_save(struct att_xwdb *w, const struct rec *r, struct att_err *err)
{
    char key[ATT_TERM_MAX + 1];
    size_t klen = rec_key(key, r);
    cJSON *o = cJSON_CreateObject();
    char mtime[32];
    char *text;
    int rc;

    if (o == NULL)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    cJSON_AddStringToObject(o, "id", r->id);
    if (r->root != NULL)
        cJSON_AddStringToObject(o, "root", r->root);
    cJSON_AddNumberToObject(o, "size", (double)r->size);
    snprintf(mtime, sizeof mtime, "%lld", (long long)r->mtime_ns);
    cJSON_AddStringToObject(o, "mtime_ns", mtime);
    cJSON_AddStringToObject(o, "hash", r->hash);
    cJSON_AddNumberToObject(o, "docs", r->docs);
    cJSON_AddNumberToObject(o, "passages", r->passages);
    if (r->failed != NULL)
        cJSON_AddStringToObject(o, "failed", r->failed);
    text = save_extra(o, r) == ATT_OK ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (text == NULL)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    rc = att_xwdb_set_meta(w, key, klen, text, strlen(text), err);
    free(text);
    return rc;
}

int state_forget(struct att_xwdb *w, const struct rec *r, struct att_err *err)
{
    char key[ATT_TERM_MAX + 1];
    size_t klen = rec_key(key, r);
    int rc = att_xwdb_set_meta(w, key, klen, "", 0, err);

    return rc == ATT_OK && r->stream ? records_save_table(w, &(struct rec){.id = r->id}, err)
                                     : rc;
}
