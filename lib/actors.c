/* attache: the gazetteer of actors: loading it from text, finding its
 * aliases in passages (hash tables of word phrases, longest match first),
 * looking names up, and writing it back out. No I/O, no logging. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "actors.h"
#include "attache/text.h"
#include "buf.h"
#include "xap_unicode.h"

enum { VAL_NONE = -1, VAL_BLOCK = -2 };

/* A key (an alias's words joined by single spaces, or an id) and what it
 * maps to. */
struct slot {
    char *key;
    size_t len;
    uint64_t h;
    int val;
    bool variant; /* the capitals of an alias, not the alias itself */
};

/* Open addressing with linear probing; cap a power of two, at most half
 * full. */
struct table {
    struct slot *v;
    size_t cap, n;
};

struct actor {
    char *id, *name;
    char **alias;   /* as written, the name first when it is one */
    size_t n, cap;
};

struct att_actors {
    struct actor *a;
    size_t n, cap;
    struct actor blocks;   /* the block phrases, as written */
    struct table aliases;  /* alias key -> actor index, VAL_BLOCK, VAL_NONE */
    struct table first;    /* first word of an alias -> most words of one */
    struct table ids;      /* id -> actor index */
    uint8_t starts[32];    /* bitmap of the first bytes of first words */
};

/* A word of text: text[s..e), and whether the gap after it may go on
 * inside a phrase. */
struct tok {
    size_t s, e;
    bool join;
};

#define MAX_TOKS_ALIAS (ATT_ACTORS_MAX_WORDS + 1)

static uint64_t hash(const char *s, size_t len)
{
    return XXH3_64bits(s, len);
}

static struct slot *table_find(const struct table *t, const char *key, size_t len, uint64_t h)
{
    if (t->cap == 0)
        return NULL;
    for (size_t i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        struct slot *s = &t->v[i];

        if (s->key == NULL)
            return NULL;
        if (s->h == h && s->len == len && memcmp(s->key, key, len) == 0)
            return s;
    }
}

static int table_grow(struct table *t)
{
    size_t cap = t->cap ? t->cap * 2 : 64;
    struct slot *v = calloc(cap, sizeof *v);

    if (v == NULL)
        return ATT_E_NOMEM;
    for (size_t i = 0; i < t->cap; i++) {
        size_t j = t->v[i].h & (cap - 1);

        if (t->v[i].key == NULL)
            continue;
        while (v[j].key != NULL)
            j = (j + 1) & (cap - 1);
        v[j] = t->v[i];
    }
    free(t->v);
    t->v = v;
    t->cap = cap;
    return ATT_OK;
}

/* The slot of key, made (val VAL_NONE) when missing; NULL when out of
 * memory. */
static struct slot *table_put(struct table *t, const char *key, size_t len)
{
    uint64_t h = hash(key, len);
    struct slot *s = table_find(t, key, len, h);
    size_t i;

    if (s != NULL)
        return s;
    if ((t->n + 1) * 2 > t->cap && table_grow(t) != ATT_OK)
        return NULL;
    for (i = h & (t->cap - 1); t->v[i].key != NULL; i = (i + 1) & (t->cap - 1)) {
    }
    s = &t->v[i];
    s->key = strndup(key, len);
    if (s->key == NULL)
        return NULL;
    s->len = len;
    s->h = h;
    s->val = VAL_NONE;
    s->variant = false;
    t->n++;
    return s;
}

static void table_free(struct table *t)
{
    for (size_t i = 0; i < t->cap; i++)
        free(t->v[i].key);
    free(t->v);
    memset(t, 0, sizeof *t);
}

static bool ascii_word(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Whether the character at s[i] is a word character; *adv its length. */
static bool word_char(const char *s, size_t len, size_t i, size_t *adv)
{
    uint32_t cp;

    if ((unsigned char)s[i] < 0x80) {
        *adv = 1;
        return ascii_word((unsigned char)s[i]);
    }
    cp = att_utf8_decode(s + i, len - i, adv);
    return att_uni_is_wordchar(cp);
}

/* Whether g[0..n), the gap between two words, lets a phrase go on: short,
 * and only white space, '.', '-', apostrophes and no-break spaces. */
static bool joins(const char *g, size_t n)
{
    if (n > 8)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)g[i];

        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '.' || c == '-' ||
            c == '\'')
            continue;
        if (c == 0xE2 && i + 2 < n && (unsigned char)g[i + 1] == 0x80 &&
            ((unsigned char)g[i + 2] == 0x99 || (unsigned char)g[i + 2] == 0x98)) {
            i += 2; /* U+2019, U+2018 */
            continue;
        }
        if (c == 0xC2 && i + 1 < n && (unsigned char)g[i + 1] == 0xA0) {
            i++;
            continue;
        }
        return false;
    }
    return true;
}

/* The next word of s[0..len) at or after *pos into *t (join not set);
 * false when there is none. */
static bool next_word(const char *s, size_t len, size_t *pos, struct tok *t)
{
    size_t i = *pos, adv;

    while (i < len && !word_char(s, len, i, &adv))
        i += adv;
    if (i >= len)
        return false;
    t->s = i;
    while (i < len && word_char(s, len, i, &adv))
        i += adv;
    t->e = i;
    *pos = i;
    return true;
}

/* The words of an alias into key (joined by single spaces, at most
 * ATT_ACTORS_MAX_ALIAS bytes); returns the number of words, or 0 with
 * *why set when it cannot be an alias. */
static size_t alias_key(const char *a, size_t len, char *key, size_t *klen, const char **why)
{
    struct tok t;
    size_t pos = 0, n = 0, prev_e = 0;

    *klen = 0;
    while (next_word(a, len, &pos, &t)) {
        if (n > 0 && !joins(a + prev_e, t.s - prev_e)) {
            *why = "only white space, '.', '-' or an apostrophe may part its words";
            return 0;
        }
        if (++n > ATT_ACTORS_MAX_WORDS) {
            *why = "more than 8 words";
            return 0;
        }
        if (n > 1)
            key[(*klen)++] = ' ';
        memcpy(key + *klen, a + t.s, t.e - t.s);
        *klen += t.e - t.s;
        prev_e = t.e;
    }
    if (n == 0)
        *why = "no letter or digit";
    return n;
}

static int push_alias(struct actor *a, const char *s, size_t len)
{
    char *c;

    if (att_grow(&a->alias, &a->cap, a->n + 1, sizeof *a->alias, SIZE_MAX / sizeof *a->alias))
        return ATT_E_NOMEM;
    c = strndup(s, len);
    if (c == NULL)
        return ATT_E_NOMEM;
    a->alias[a->n++] = c;
    return ATT_OK;
}

/* Remove from a the aliases whose key is key[0..klen). */
static void drop_alias(struct actor *a, const char *key, size_t klen)
{
    char k[ATT_ACTORS_MAX_ALIAS + 1];
    const char *why;
    size_t kl, j = 0;

    for (size_t i = 0; i < a->n; i++) {
        if (alias_key(a->alias[i], strlen(a->alias[i]), k, &kl, &why) > 0 && kl == klen &&
            memcmp(k, key, klen) == 0)
            free(a->alias[i]);
        else
            a->alias[j++] = a->alias[i];
    }
    a->n = j;
}

static struct actor *owner(struct att_actors *g, int val)
{
    return val == VAL_BLOCK ? &g->blocks : val >= 0 ? &g->a[val] : NULL;
}

/* Note the first word of key[0..klen), an alias of words words. */
static int note_first(struct att_actors *g, const char *key, size_t klen, size_t words)
{
    const char *sp = memchr(key, ' ', klen);
    struct slot *f = table_put(&g->first, key, sp ? (size_t)(sp - key) : klen);

    if (f == NULL)
        return ATT_E_NOMEM;
    if (f->val < (int)words)
        f->val = (int)words;
    g->starts[(unsigned char)key[0] >> 3] |= (uint8_t)(1u << ((unsigned char)key[0] & 7));
    return ATT_OK;
}

/* The capitals of an alias with a lower-case ASCII letter also name val,
 * unless they are an alias of their own. */
static int put_variant(struct att_actors *g, int val, const char *key, size_t klen, size_t words)
{
    char up[ATT_ACTORS_MAX_ALIAS + 1];
    bool lower = false;
    struct slot *s;

    for (size_t i = 0; i < klen; i++) {
        lower = lower || (key[i] >= 'a' && key[i] <= 'z');
        up[i] = key[i] >= 'a' && key[i] <= 'z' ? (char)(key[i] - 'a' + 'A') : key[i];
    }
    if (!lower)
        return ATT_OK;
    s = table_put(&g->aliases, up, klen);
    if (s == NULL)
        return ATT_E_NOMEM;
    if (s->val == VAL_NONE || s->variant) {
        s->val = val;
        s->variant = true;
    }
    return note_first(g, up, klen, words);
}

/* Give the alias a[0..len) (key[0..klen), of words words) to val: an
 * actor's index or VAL_BLOCK. It leaves the actor that had it. */
static int give_alias(struct att_actors *g, int val, const char *a, size_t len, const char *key,
                      size_t klen, size_t words)
{
    struct slot *s = table_put(&g->aliases, key, klen);
    struct actor *was;
    int rc;

    if (s == NULL)
        return ATT_E_NOMEM;
    if (s->val == val && !s->variant)
        return ATT_OK;
    was = s->variant ? NULL : owner(g, s->val);
    if (was != NULL)
        drop_alias(was, key, klen);
    s->val = val;
    s->variant = false;
    rc = push_alias(owner(g, val), a, len);
    if (rc == ATT_OK)
        rc = note_first(g, key, klen, words);
    return rc == ATT_OK ? put_variant(g, val, key, klen, words) : rc;
}

/* Take the alias of key[0..klen) from val; false when val does not have
 * it. */
static bool take_alias(struct att_actors *g, int val, const char *key, size_t klen)
{
    struct slot *s = table_find(&g->aliases, key, klen, hash(key, klen));
    char up[ATT_ACTORS_MAX_ALIAS + 1];

    if (s == NULL || s->val != val || s->variant)
        return false;
    s->val = VAL_NONE;
    drop_alias(owner(g, val), key, klen);
    for (size_t i = 0; i < klen; i++)
        up[i] = key[i] >= 'a' && key[i] <= 'z' ? (char)(key[i] - 'a' + 'A') : key[i];
    s = table_find(&g->aliases, up, klen, hash(up, klen));
    if (s != NULL && s->variant && s->val == val)
        s->val = VAL_NONE;
    return true;
}

static int find_actor(const struct att_actors *g, const char *id, size_t len)
{
    const struct slot *s = table_find(&g->ids, id, len, hash(id, len));

    return s ? s->val : VAL_NONE;
}

/* A new actor; its index, or VAL_NONE when out of memory. */
static int new_actor(struct att_actors *g, const char *id, size_t len)
{
    struct slot *s;
    struct actor *a;

    if (att_grow(&g->a, &g->cap, g->n + 1, sizeof *g->a, (size_t)INT32_MAX) != ATT_OK)
        return VAL_NONE;
    s = table_put(&g->ids, id, len);
    a = &g->a[g->n];
    memset(a, 0, sizeof *a);
    a->id = strndup(id, len);
    if (s == NULL || a->id == NULL) {
        free(a->id);
        return VAL_NONE;
    }
    s->val = (int)g->n;
    return (int)g->n++;
}

static bool valid_id(const char *s, size_t len)
{
    if (len == 0 || len > ATT_ACTORS_MAX_ID || s[0] == '-' || s[len - 1] == '-')
        return false;
    for (size_t i = 0; i < len; i++) {
        bool ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
                  (s[i] == '-' && s[i + 1] != '-');

        if (!ok)
            return false;
    }
    return true;
}

/* One line being read: its fields, one at a time. */
struct line {
    const char *p;
    size_t len, pos;
    char why[320];
};

/* The next tab-separated field into *f, *flen; false past the last. */
static bool next_field(struct line *l, const char **f, size_t *flen)
{
    const char *tab;

    if (l->pos > l->len)
        return false;
    *f = l->p + l->pos;
    tab = memchr(*f, '\t', l->len - l->pos);
    *flen = tab ? (size_t)(tab - *f) : l->len - l->pos;
    l->pos += *flen + 1;
    return true;
}

/* Whether the field f[0..len) is an alias (after a '-' when it removes
 * one); else l->why says why. */
static bool check_alias(struct line *l, const char *f, size_t len)
{
    char key[ATT_ACTORS_MAX_ALIAS + 1];
    const char *why = NULL;
    size_t klen;

    if (len > 0 && f[0] == '-') {
        f++;
        len--;
    }
    if (len > ATT_ACTORS_MAX_ALIAS)
        why = "longer than 255 bytes";
    else if (alias_key(f, len, key, &klen, &why) > 0)
        return true;
    snprintf(l->why, sizeof l->why, "alias '%.*s': %s", (int)(len > 64 ? 64 : len), f, why);
    return false;
}

/* Check a whole line before any of it is used. */
static bool check_line(const struct att_actors *g, struct line *l)
{
    const char *id = NULL, *name = NULL, *f;
    size_t idlen = 0, nlen = 0, flen;
    bool block;

    if (!att_utf8_valid(l->p, l->len)) {
        snprintf(l->why, sizeof l->why, "not valid UTF-8");
        return false;
    }
    next_field(l, &id, &idlen);
    block = idlen == 1 && id[0] == '-';
    if (!block && !valid_id(id, idlen)) {
        snprintf(l->why, sizeof l->why, "'%.*s' is not an id (lower-case ASCII letters, "
                 "digits and hyphens, at most 64)", (int)(idlen > 64 ? 64 : idlen), id);
        return false;
    }
    if (!next_field(l, &name, &nlen))
        nlen = 0;
    if (nlen == 0 && !block && find_actor(g, id, idlen) < 0) {
        snprintf(l->why, sizeof l->why, "actor '%.*s' is new: give its name", (int)idlen, id);
        return false;
    }
    if (nlen > 0 && (block || name[0] == '-')) {
        snprintf(l->why, sizeof l->why, block ? "the block line '-' takes no name"
                                              : "a name cannot start with '-'");
        return false;
    }
    if (nlen > 0 && !check_alias(l, name, nlen))
        return false;
    while (next_field(l, &f, &flen)) {
        if (flen > 0 && !check_alias(l, f, flen))
            return false;
    }
    return true;
}

/* Add or remove the alias field f[0..len) for val. */
static int apply_alias(struct att_actors *g, int val, const char *f, size_t len, const char *id,
                       struct line *l)
{
    char key[ATT_ACTORS_MAX_ALIAS + 1];
    const char *why;
    bool drop = f[0] == '-';
    size_t klen, words = alias_key(f + drop, len - drop, key, &klen, &why);

    if (!drop)
        return give_alias(g, val, f, len, key, klen, words);
    if (!take_alias(g, val, key, klen))
        snprintf(l->why, sizeof l->why, "'%.*s' is not an alias of %s: nothing to remove",
                 (int)(len > 65 ? 64 : len - 1), f + 1, id);
    return ATT_OK;
}

/* Move the actor's name to the front of its aliases. */
static void name_first(struct actor *a)
{
    for (size_t i = 1; i < a->n; i++) {
        if (strcmp(a->alias[i], a->name) == 0) {
            char *n = a->alias[i];

            memmove(a->alias + 1, a->alias, i * sizeof *a->alias);
            a->alias[0] = n;
            return;
        }
    }
}

/* Apply a checked line. */
static int apply_line(struct att_actors *g, struct line *l)
{
    const char *id = NULL, *name = NULL, *f;
    size_t idlen = 0, nlen = 0, flen;
    int val, rc = ATT_OK;

    l->pos = 0;
    l->why[0] = '\0';
    next_field(l, &id, &idlen);
    if (!next_field(l, &name, &nlen))
        nlen = 0;
    val = idlen == 1 && id[0] == '-' ? VAL_BLOCK : find_actor(g, id, idlen);
    if (val == VAL_NONE && (val = new_actor(g, id, idlen)) == VAL_NONE)
        return ATT_E_NOMEM;
    if (nlen > 0) {
        char *n = strndup(name, nlen);

        if (n == NULL)
            return ATT_E_NOMEM;
        free(g->a[val].name);
        g->a[val].name = n;
        rc = apply_alias(g, val, name, nlen, g->a[val].id, l);
        name_first(&g->a[val]);
    }
    while (rc == ATT_OK && next_field(l, &f, &flen)) {
        if (flen > 0)
            rc = apply_alias(g, val, f, flen, val >= 0 ? g->a[val].id : "-", l);
    }
    return rc;
}

/* A line with nothing to read: empty, blank or a comment. */
static bool blank(const char *p, size_t len)
{
    size_t i = 0;

    while (i < len && (p[i] == ' ' || p[i] == '\t'))
        i++;
    return i == len || p[i] == '#';
}

int att_actors_load(struct att_actors *g, const char *text, size_t len, att_actors_warn_fn warn,
                    void *ud, struct att_err *err)
{
    size_t pos = 0;
    long no = 0;

    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        struct line l = {.p = text + pos, .len = end - pos};
        int rc;

        no++;
        pos = end + 1;
        if (l.len > 0 && l.p[l.len - 1] == '\r')
            l.len--;
        if (blank(l.p, l.len))
            continue;
        if (!check_line(g, &l)) {
            if (warn != NULL)
                warn(ud, no, l.why);
            continue;
        }
        rc = apply_line(g, &l);
        if (rc != ATT_OK)
            return att_err_set(err, rc, "out of memory loading the actors");
        if (l.why[0] != '\0' && warn != NULL)
            warn(ud, no, l.why);
    }
    return ATT_OK;
}

struct att_actors *att_actors_new(void)
{
    return calloc(1, sizeof(struct att_actors));
}

static void actor_clear(struct actor *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->alias[i]);
    free(a->alias);
    free(a->id);
    free(a->name);
}

void att_actors_free(struct att_actors *g)
{
    if (g == NULL)
        return;
    for (size_t i = 0; i < g->n; i++)
        actor_clear(&g->a[i]);
    actor_clear(&g->blocks);
    free(g->a);
    table_free(&g->aliases);
    table_free(&g->first);
    table_free(&g->ids);
    free(g);
}

int att_actors_builtin(struct att_actors **out, struct att_err *err)
{
    int rc;

    *out = att_actors_new();
    if (*out == NULL)
        return att_err_set(err, ATT_E_NOMEM, "out of memory loading the actors");
    rc = att_actors_load(*out, att_actors_builtin_text, att_actors_builtin_len, NULL, NULL, err);
    if (rc != ATT_OK) {
        att_actors_free(*out);
        *out = NULL;
    }
    return rc;
}

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
    int i = find_actor(g, id, strlen(id));

    return i >= 0 ? g->a[i].name : NULL;
}

size_t att_actors_aliases(const struct att_actors *g, const char *id, const char *const **out)
{
    int i = find_actor(g, id, strlen(id));

    *out = i >= 0 ? (const char *const *)g->a[i].alias : NULL;
    return i >= 0 ? g->a[i].n : 0;
}

/* The longest alias or block phrase that starts at w[0] (of have words
 * in a row from text): its number of words with *val what it maps to, or
 * 0 when there is none. */
static size_t match_at(const struct att_actors *g, const char *text, const struct tok *w,
                       size_t have, int *val)
{
    unsigned char c = (unsigned char)text[w[0].s];
    size_t l0 = w[0].e - w[0].s, klen = 0, best = 0;
    char key[ATT_ACTORS_MAX_ALIAS + 1];
    const struct slot *f;

    if (!(g->starts[c >> 3] & (1u << (c & 7))) || l0 > ATT_ACTORS_MAX_ALIAS)
        return 0;
    f = table_find(&g->first, text + w[0].s, l0, hash(text + w[0].s, l0));
    for (size_t k = 0; f != NULL && k < have && k < (size_t)f->val; k++) {
        size_t wl = w[k].e - w[k].s;
        const struct slot *s;

        if ((k > 0 && !w[k - 1].join) || klen + 1 + wl > ATT_ACTORS_MAX_ALIAS)
            break;
        if (k > 0)
            key[klen++] = ' ';
        memcpy(key + klen, text + w[k].s, wl);
        klen += wl;
        s = table_find(&g->aliases, key, klen, hash(key, klen));
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
    struct tok w[ATT_ACTORS_MAX_WORDS], t;
    size_t pos = 0, have = 0;
    bool more = true;

    out->n = 0;
    for (;;) {
        size_t n;
        int val = VAL_NONE;

        while (more && have < ATT_ACTORS_MAX_WORDS && (more = next_word(text, len, &pos, &t))) {
            if (have > 0)
                w[have - 1].join = joins(text + w[have - 1].e, t.s - w[have - 1].e);
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

/* Whether a[0..alen) and b[0..blen) agree but for the case of ASCII
 * letters. */
static bool same_folded(const char *a, size_t alen, const char *b, size_t blen)
{
    return alen == blen && strncasecmp(a, b, alen) == 0;
}

const char *att_actors_lookup(const struct att_actors *g, const char *name, size_t len)
{
    char key[ATT_ACTORS_MAX_ALIAS + 1];
    const char *why;
    const struct slot *s;
    size_t klen = 0, words;
    int i = find_actor(g, name, len);

    if (i >= 0)
        return g->a[i].id;
    words = len <= ATT_ACTORS_MAX_ALIAS ? alias_key(name, len, key, &klen, &why) : 0;
    s = words > 0 ? table_find(&g->aliases, key, klen, hash(key, klen)) : NULL;
    if (s != NULL && s->val >= 0)
        return g->a[s->val].id;
    for (size_t k = 0; k < g->n; k++) {
        if (same_folded(g->a[k].id, strlen(g->a[k].id), name, len))
            return g->a[k].id;
    }
    for (size_t k = 0; words > 0 && k < g->aliases.cap; k++) {
        s = &g->aliases.v[k];
        if (s->key != NULL && s->val >= 0 && same_folded(s->key, s->len, key, klen))
            return g->a[s->val].id;
    }
    return NULL;
}

static int by_id(const void *a, const void *b)
{
    return strcmp((*(const struct actor *const *)a)->id, (*(const struct actor *const *)b)->id);
}

/* One line of the dump: id, name (empty for the blocks), aliases. */
static int dump_actor(struct att_buf *b, const struct actor *a, const char *id)
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
    const struct actor **v = malloc((g->n + 1) * sizeof *v);
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
