/* attache: the gazetteer of actors at work: finding its aliases in text
 * (longest phrase first), looking names up, listing an actor's aliases and
 * writing the gazetteer back out. Read-only: safe from any thread. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "actors_priv.h"
#include "buf.h"

size_t att_actors_count(const struct att_actors *g)
{
    return g->n;
}

size_t att_actors_alias_count(const struct att_actors *g)
{
    size_t n = 0;

    for (size_t i = 0; i < g->n; i++)
        n += g->a[i].n;
    return n;
}

const char *att_actors_name(const struct att_actors *g, const char *id)
{
    int i = att_actors_index(g, id, strlen(id));

    return i >= 0 ? g->a[i].name : NULL;
}

size_t att_actors_aliases(const struct att_actors *g, const char *id, const char *const **out)
{
    int i = att_actors_index(g, id, strlen(id));

    *out = i >= 0 ? (const char *const *)g->a[i].alias : NULL;
    return i >= 0 ? g->a[i].n : 0;
}

/* The longest alias or block phrase that starts at w[0] (of have words
 * in a row from text): its number of words with *val what it maps to, or
 * 0 when there is none. */
static size_t match_at(const struct att_actors *g, const char *text, const struct att_actor_tok *w,
                       size_t have, int *val)
{
    unsigned char c = (unsigned char)text[w[0].s];
    size_t l0 = w[0].e - w[0].s, klen = 0, best = 0;
    char key[ATT_ACTORS_MAX_ALIAS + 1];
    const struct att_actor_slot *f;

    if (!(g->starts[c >> 3] & (1u << (c & 7))) || l0 > ATT_ACTORS_MAX_ALIAS)
        return 0;
    f = att_actors_slot(&g->first, text + w[0].s, l0, att_actors_hash(text + w[0].s, l0));
    for (size_t k = 0; f != NULL && k < have && k < (size_t)f->val; k++) {
        size_t wl = w[k].e - w[k].s;
        const struct att_actor_slot *s;

        if ((k > 0 && !w[k - 1].join) || klen + 1 + wl > ATT_ACTORS_MAX_ALIAS)
            break;
        if (k > 0)
            key[klen++] = ' ';
        memcpy(key + klen, text + w[k].s, wl);
        klen += wl;
        s = att_actors_slot(&g->aliases, key, klen, att_actors_hash(key, klen));
        if (s != NULL && s->val != VAL_NONE) {
            best = k + 1;
            *val = s->val;
        }
    }
    return best;
}

static int add_id(struct att_actor_ids *out, const char *id)
{
    for (size_t i = 0; i < out->n; i++) {
        if (out->v[i] == id)
            return ATT_OK;
    }
    if (att_grow(&out->v, &out->cap, out->n + 1, sizeof *out->v, SIZE_MAX / sizeof *out->v))
        return ATT_E_NOMEM;
    out->v[out->n++] = id;
    return ATT_OK;
}

int att_actors_find(const struct att_actors *g, const char *text, size_t len,
                    struct att_actor_ids *out, struct att_err *err)
{
    struct att_actor_tok w[ATT_ACTORS_MAX_WORDS], t;
    size_t pos = 0, have = 0;
    bool more = true;

    out->n = 0;
    for (;;) {
        size_t n;
        int val = VAL_NONE;

        while (more && have < ATT_ACTORS_MAX_WORDS &&
               (more = att_actors_next_word(text, len, &pos, &t))) {
            if (have > 0)
                w[have - 1].join = att_actors_joins(text + w[have - 1].e, t.s - w[have - 1].e);
            t.join = false;
            w[have++] = t;
        }
        if (have == 0)
            return ATT_OK;
        n = match_at(g, text, w, have, &val);
        if (n > 0 && val >= 0 && add_id(out, g->a[val].id) != ATT_OK)
            return att_err_set(err, ATT_E_NOMEM, "out of memory finding actors");
        n = n > 0 ? n : 1;
        memmove(w, w + n, (have - n) * sizeof *w);
        have -= n;
    }
}

void att_actor_ids_free(struct att_actor_ids *out)
{
    free(out->v);
    memset(out, 0, sizeof *out);
}

const char *att_actors_lookup(const struct att_actors *g, const char *name, size_t len)
{
    char key[ATT_ACTORS_MAX_ALIAS + 1];
    const char *why;
    const struct att_actor_slot *s;
    size_t klen = 0, words;
    int i = att_actors_index(g, name, len);

    if (i >= 0)
        return g->a[i].id;
    words = len <= ATT_ACTORS_MAX_ALIAS ? att_actors_key(name, len, key, &klen, &why) : 0;
    s = words > 0 ? att_actors_slot(&g->aliases, key, klen, att_actors_hash(key, klen)) : NULL;
    if (s != NULL && s->val >= 0)
        return g->a[s->val].id;
    if (len <= ATT_ACTORS_MAX_ID) { /* ids are in lower case */
        char low[ATT_ACTORS_MAX_ID];

        for (size_t k = 0; k < len; k++)
            low[k] = (char)tolower((unsigned char)name[k]);
        i = att_actors_index(g, low, len);
        if (i >= 0)
            return g->a[i].id;
    }
    for (size_t k = 0; k < klen; k++)
        key[k] = (char)tolower((unsigned char)key[k]);
    s = words > 0 ? att_actors_slot(&g->folded, key, klen, att_actors_hash(key, klen)) : NULL;
    return s != NULL && s->val >= 0 ? g->a[s->val].id : NULL;
}

static int by_id(const void *a, const void *b)
{
    const struct att_actor *x = *(const struct att_actor *const *)a;
    const struct att_actor *y = *(const struct att_actor *const *)b;

    return strcmp(x->id, y->id);
}

/* One line of the dump: id, name (empty for the blocks), aliases. */
static int dump_actor(struct att_buf *b, const struct att_actor *a, const char *id)
{
    int rc = att_buf_addf(b, "%s\t%s", id, a->name ? a->name : "");

    for (size_t i = 0; rc == ATT_OK && i < a->n; i++) {
        if (a->name == NULL || i > 0 || strcmp(a->alias[i], a->name) != 0)
            rc = att_buf_addf(b, "\t%s", a->alias[i]);
    }
    return rc == ATT_OK ? att_buf_addc(b, '\n') : rc;
}

char *att_actors_dump(const struct att_actors *g, size_t *len)
{
    const struct att_actor **v = malloc((g->n + 1) * sizeof *v);
    struct att_buf b;
    int rc = v ? ATT_OK : ATT_E_NOMEM;

    att_buf_init(&b, SIZE_MAX / 2);
    for (size_t i = 0; v != NULL && i < g->n; i++)
        v[i] = &g->a[i];
    if (v != NULL)
        qsort(v, g->n, sizeof *v, by_id);
    for (size_t i = 0; rc == ATT_OK && i < g->n; i++)
        rc = dump_actor(&b, v[i], v[i]->id);
    if (rc == ATT_OK && g->blocks.n > 0)
        rc = dump_actor(&b, &g->blocks, "-");
    free(v);
    if (rc != ATT_OK) {
        att_buf_free(&b);
        return NULL;
    }
    return att_buf_take(&b, len);
}
