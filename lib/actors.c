/* attache: the gazetteer of actors: its hash tables of alias phrases, the
 * word rules of matching, and loading it from text line by line (the
 * search, lookups and dump are in actors_find.c). No I/O, no logging. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "actors_priv.h"
#include "attache/text.h"
#include "buf.h"
#include "xap_unicode.h"

uint64_t att_actors_hash(const char *s, size_t len)
{
    return XXH3_64bits(s, len);
}

struct att_actor_slot *att_actors_slot(const struct att_actor_table *t, const char *key,
                                       size_t len, uint64_t h)
{
    if (t->cap == 0)
        return NULL;
    for (size_t i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        struct att_actor_slot *s = &t->v[i];

        if (s->key == NULL)
            return NULL;
        if (s->h == h && s->len == len && memcmp(s->key, key, len) == 0)
            return s;
    }
}

static int table_grow(struct att_actor_table *t)
{
    size_t cap = t->cap ? t->cap * 2 : 64;
    struct att_actor_slot *v = calloc(cap, sizeof *v);

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
static struct att_actor_slot *table_put(struct att_actor_table *t, const char *key, size_t len)
{
    uint64_t h = att_actors_hash(key, len);
    struct att_actor_slot *s = att_actors_slot(t, key, len, h);
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

static void table_free(struct att_actor_table *t)
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
bool att_actors_joins(const char *g, size_t n)
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
bool att_actors_next_word(const char *s, size_t len, size_t *pos, struct att_actor_tok *t)
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
size_t att_actors_key(const char *a, size_t len, char *key, size_t *klen, const char **why)
{
    struct att_actor_tok t;
    size_t pos = 0, n = 0, prev_e = 0;

    *klen = 0;
    while (att_actors_next_word(a, len, &pos, &t)) {
        if (n > 0 && !att_actors_joins(a + prev_e, t.s - prev_e)) {
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

static int push_alias(struct att_actor *a, const char *s, size_t len)
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
static void drop_alias(struct att_actor *a, const char *key, size_t klen)
{
    char k[ATT_ACTORS_MAX_ALIAS + 1];
    const char *why;
    size_t kl, j = 0;

    for (size_t i = 0; i < a->n; i++) {
        if (att_actors_key(a->alias[i], strlen(a->alias[i]), k, &kl, &why) > 0 && kl == klen &&
            memcmp(k, key, klen) == 0)
            free(a->alias[i]);
        else
            a->alias[j++] = a->alias[i];
    }
    a->n = j;
}

static struct att_actor *owner(struct att_actors *g, int val)
{
    return val == VAL_BLOCK ? &g->blocks : val >= 0 ? &g->a[val] : NULL;
}

/* Note the first word of key[0..klen), an alias of words words. */
static int note_first(struct att_actors *g, const char *key, size_t klen, size_t words)
{
    const char *sp = memchr(key, ' ', klen);
    struct att_actor_slot *f = table_put(&g->first, key, sp ? (size_t)(sp - key) : klen);

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
    struct att_actor_slot *s;

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
    struct att_actor_slot *s = table_put(&g->aliases, key, klen);
    struct att_actor *was;
    int rc;

    if (s == NULL)
        return ATT_E_NOMEM;
    if (s->val == val && !s->variant) { /* the same alias: as written last */
        drop_alias(owner(g, val), key, klen);
        return push_alias(owner(g, val), a, len);
    }
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
    struct att_actor_slot *s = att_actors_slot(&g->aliases, key, klen, att_actors_hash(key, klen));
    char up[ATT_ACTORS_MAX_ALIAS + 1];

    if (s == NULL || s->val != val || s->variant)
        return false;
    s->val = VAL_NONE;
    drop_alias(owner(g, val), key, klen);
    for (size_t i = 0; i < klen; i++)
        up[i] = key[i] >= 'a' && key[i] <= 'z' ? (char)(key[i] - 'a' + 'A') : key[i];
    s = att_actors_slot(&g->aliases, up, klen, att_actors_hash(up, klen));
    if (s != NULL && s->variant && s->val == val)
        s->val = VAL_NONE;
    return true;
}

int att_actors_index(const struct att_actors *g, const char *id, size_t len)
{
    const struct att_actor_slot *s = att_actors_slot(&g->ids, id, len, att_actors_hash(id, len));

    return s ? s->val : VAL_NONE;
}

/* A new actor; its index, or VAL_NONE when out of memory. */
static int new_actor(struct att_actors *g, const char *id, size_t len)
{
    struct att_actor_slot *s;
    struct att_actor *a;

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
    else if (att_actors_key(f, len, key, &klen, &why) > 0)
        return true;
    snprintf(l->why, sizeof l->why, "alias '%.*s': %s", (int)(len > 64 ? 64 : len), f, why);
    return false;
}

/* Whether p[0..len) holds a control character other than a tab. */
static bool has_control(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)p[i] < 0x20 && p[i] != '\t')
            return true;
    }
    return false;
}

static int name_owner(const struct att_actors *g, const char *key, size_t klen);

/* Whether the name n[0..nlen) is free for actor id: no other actor has a
 * name with the same words. */
static bool free_name(const struct att_actors *g, struct line *l, const char *id, size_t idlen,
                      const char *n, size_t nlen)
{
    char key[ATT_ACTORS_MAX_ALIAS + 1];
    const char *why;
    size_t klen;
    int who;

    att_actors_key(n, nlen, key, &klen, &why);
    who = name_owner(g, key, klen);
    if (who < 0 || (strlen(g->a[who].id) == idlen && memcmp(g->a[who].id, id, idlen) == 0))
        return true;
    snprintf(l->why, sizeof l->why, "'%.*s' is already the name of %s",
             (int)(nlen > 64 ? 64 : nlen), n, g->a[who].id);
    return false;
}

/* Check a whole line before any of it is used. */
static bool check_line(const struct att_actors *g, struct line *l)
{
    const char *id = NULL, *name = NULL, *f;
    size_t idlen = 0, nlen = 0, flen;
    bool block;

    if (!att_utf8_valid(l->p, l->len) || has_control(l->p, l->len)) {
        snprintf(l->why, sizeof l->why, "not valid UTF-8 text");
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
    if (nlen == 0 && !block && att_actors_index(g, id, idlen) < 0) {
        snprintf(l->why, sizeof l->why, "actor '%.*s' is new: give its name", (int)idlen, id);
        return false;
    }
    if (nlen > 0 && (block || name[0] == '-')) {
        snprintf(l->why, sizeof l->why, block ? "the block line '-' takes no name"
                                              : "a name cannot start with '-'");
        return false;
    }
    if (nlen > 0 && (!check_alias(l, name, nlen) || !free_name(g, l, id, idlen, name, nlen)))
        return false;
    while (next_field(l, &f, &flen)) {
        if (flen > 0 && !check_alias(l, f, flen))
            return false;
    }
    return true;
}

/* Whether key[0..klen) is the key of the name of actor val. */
static bool is_name(const struct att_actors *g, int val, const char *key, size_t klen)
{
    char k[ATT_ACTORS_MAX_ALIAS + 1];
    const char *why;
    size_t kl;

    return val >= 0 && g->a[val].name != NULL &&
           att_actors_key(g->a[val].name, strlen(g->a[val].name), k, &kl, &why) > 0 && kl == klen &&
           memcmp(k, key, klen) == 0;
}

/* The actor whose name has the key key[0..klen), or VAL_NONE. */
static int name_owner(const struct att_actors *g, const char *key, size_t klen)
{
    const struct att_actor_slot *s =
        att_actors_slot(&g->aliases, key, klen, att_actors_hash(key, klen));

    return s != NULL && !s->variant && is_name(g, s->val, key, klen) ? s->val : VAL_NONE;
}

/* Add or remove the alias field f[0..len) for val. A name stays with its
 * actor: neither moved nor removed (l->why says so). */
static int apply_alias(struct att_actors *g, int val, const char *f, size_t len, const char *id,
                       struct line *l)
{
    char key[ATT_ACTORS_MAX_ALIAS + 1];
    const char *why;
    bool drop = f[0] == '-';
    size_t klen, words = att_actors_key(f + drop, len - drop, key, &klen, &why);
    int named = name_owner(g, key, klen);
    int show = (int)(len - drop > 64 ? 64 : len - drop);

    if (named >= 0 && (named != val || drop)) {
        snprintf(l->why, sizeof l->why, "'%.*s' is the name of %s: it stays", show, f + drop,
                 g->a[named].id);
        return ATT_OK;
    }
    if (!drop)
        return give_alias(g, val, f, len, key, klen, words);
    if (!take_alias(g, val, key, klen))
        snprintf(l->why, sizeof l->why, "'%.*s' is not an alias of %s: nothing to remove",
                 show, f + 1, id);
    return ATT_OK;
}

/* Move the actor's name to the front of its aliases. */
static void name_first(struct att_actor *a)
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
    val = idlen == 1 && id[0] == '-' ? VAL_BLOCK : att_actors_index(g, id, idlen);
    if (val == VAL_NONE && (val = new_actor(g, id, idlen)) == VAL_NONE)
        return ATT_E_NOMEM;
    if (nlen > 0) {
        char *n = strndup(name, nlen);

        if (n == NULL)
            return ATT_E_NOMEM;
        free(g->a[val].name);
        g->a[val].name = n;
        rc = apply_alias(g, val, name, nlen, g->a[val].id, l);
    }
    while (rc == ATT_OK && next_field(l, &f, &flen)) {
        if (flen > 0)
            rc = apply_alias(g, val, f, flen, val >= 0 ? g->a[val].id : "-", l);
    }
    if (val >= 0)
        name_first(&g->a[val]);
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

/* g->folded made anew from g->aliases: each alias key of an actor in
 * ASCII lower case, for att_actors_lookup's names in another case. */
static int fold_aliases(struct att_actors *g)
{
    char low[ATT_ACTORS_MAX_ALIAS + 1];

    table_free(&g->folded);
    for (size_t k = 0; k < g->aliases.cap; k++) {
        const struct att_actor_slot *a = &g->aliases.v[k];
        struct att_actor_slot *s;

        if (a->key == NULL || a->val < 0 || a->len > ATT_ACTORS_MAX_ALIAS)
            continue;
        for (size_t i = 0; i < a->len; i++)
            low[i] = (char)tolower((unsigned char)a->key[i]);
        s = table_put(&g->folded, low, a->len);
        if (s == NULL)
            return ATT_E_NOMEM;
        if (s->val == VAL_NONE)
            s->val = a->val;
    }
    return ATT_OK;
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
    if (fold_aliases(g) != ATT_OK)
        return att_err_set(err, ATT_E_NOMEM, "out of memory loading the actors");
    return ATT_OK;
}

struct att_actors *att_actors_new(void)
{
    return calloc(1, sizeof(struct att_actors));
}

static void actor_clear(struct att_actor *a)
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
    table_free(&g->folded);
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
