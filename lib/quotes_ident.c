/* attache: the names a document gives, for telling who a speaker is. A pass
 * over the whole text collects its capitalised names with their titles
 * ("Chinese President Xi Jinping" gives "Xi Jinping", titled "Chinese
 * President"); a short name then stands for the fullest of them ("Xi"), and
 * a title alone for the last person who held it ("the Pope"). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "quotes_priv.h"

#define ENT_MAX 2048   /* names kept for a text; later ones are not */
#define SLOTS 4096     /* hash slots, a power of two, at least 2 * ENT_MAX */
#define CHUNK 16384    /* bytes of a paragraph tokenized at once */
#define WORDS_MAX 12   /* words of a name compared */
#define RUN_MAX 10     /* tokens of a run that make a name */

/* ------------------------------------------------------------- words */

struct words {
    size_t a[WORDS_MAX], b[WORDS_MAX];
    unsigned n;
};

static bool space_at(const unsigned char *t, size_t i, size_t end, size_t *n)
{
    *n = 1;
    if (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')
        return true;
    if (t[i] == 0xC2 && i + 1 < end && t[i + 1] == 0xA0) {
        *n = 2;
        return true;
    }
    if (t[i] == 0xE2 && i + 2 < end && t[i + 1] == 0x80 && (t[i + 2] == 0xAF || t[i + 2] == 0x89)) {
        *n = 3;
        return true;
    }
    return false;
}

/* The words of t[a, b), split at white space, a trailing dot cut. */
static void split(const unsigned char *t, size_t a, size_t b, struct words *w)
{
    size_t n;

    w->n = 0;
    while (a < b && w->n < WORDS_MAX) {
        size_t s;

        while (a < b && space_at(t, a, b, &n))
            a += n;
        for (s = a; a < b && !space_at(t, a, b, &n); a++)
            ;
        if (a > s) {
            w->a[w->n] = s;
            w->b[w->n] = a > s + 1 && t[a - 1] == '.' ? a - 1 : a;
            w->n++;
        }
    }
}

/* Two words equal, ignoring ASCII case. */
static bool same_word(const unsigned char *t, size_t a1, size_t b1, size_t a2, size_t b2)
{
    if (b1 - a1 != b2 - a2)
        return false;
    for (size_t k = 0; k < b1 - a1; k++) {
        unsigned char x = t[a1 + k], y = t[a2 + k];

        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

/* The words of s are those of e from its word at */
static bool fits_at(const unsigned char *t, const struct words *s, const struct words *e,
                    unsigned at)
{
    for (unsigned k = 0; k < s->n; k++) {
        if (!same_word(t, s->a[k], s->b[k], e->a[at + k], e->b[at + k]))
            return false;
    }
    return true;
}

/* 3: the words of s end e ("Tayyip Erdoğan" ends "Recep Tayyip Erdoğan"),
 * 2: they start it ("Xi" starts "Xi Jinping"), 1: they are inside it
 * ("Lula" in "Luiz Inácio Lula da Silva"), 0: none; e must have more
 * words than s. */
static int fits(const unsigned char *t, const struct words *s, const struct words *e)
{
    if (e->n <= s->n)
        return 0;
    if (fits_at(t, s, e, e->n - s->n))
        return 3;
    if (fits_at(t, s, e, 0))
        return 2;
    for (unsigned at = 1; at + s->n < e->n; at++) {
        if (fits_at(t, s, e, at))
            return 1;
    }
    return 0;
}

/* ---------------------------------------------------------- the store */

static uint32_t hash(const unsigned char *t, size_t a, size_t b)
{
    uint32_t h = 2166136261u;

    for (size_t i = a; i < b; i++) {
        unsigned char x = t[i] >= 'A' && t[i] <= 'Z' ? (unsigned char)(t[i] - 'A' + 'a') : t[i];

        h = (h ^ x) * 16777619u;
    }
    return h;
}

/* Add the name [a, b) titled [ra, rb), first seen at pos, unless it is
 * there already or the store is full. */
static int add(struct ctx *c, const struct who *w, size_t pos)
{
    struct entv *v = &c->ents;
    uint32_t h = hash(c->t, w->sa, w->sb), i;
    struct words ws;

    if (v->slot == NULL) {
        v->slot = calloc(SLOTS, sizeof *v->slot);
        if (v->slot == NULL)
            return ATT_E_NOMEM;
    }
    for (i = h & (SLOTS - 1); v->slot[i] != 0; i = (i + 1) & (SLOTS - 1)) {
        const struct ent *x = &v->v[v->slot[i] - 1];

        if (x->b - x->a == w->sb - w->sa && same_word(c->t, x->a, x->b, w->sa, w->sb))
            return ATT_OK;
    }
    if (v->n >= ENT_MAX)
        return ATT_OK;
    if (att_grow(&v->v, &v->cap, v->n + 1, sizeof *v->v, ENT_MAX) != ATT_OK)
        return ATT_E_NOMEM;
    split(c->t, w->sa, w->sb, &ws);
    if (ws.n == 0)
        return ATT_OK;
    v->v[v->n] = (struct ent){w->sa, w->sb, w->ra, w->rb, pos, ws.a[0], ws.b[0],
                              ws.a[ws.n - 1], ws.b[ws.n - 1], ws.n, w->inst};
    v->slot[i] = (uint32_t)++v->n;
    return ATT_OK;
}

void att_q_ents_free(struct ctx *c)
{
    free(c->ents.v);
    free(c->ents.slot);
    c->ents.v = NULL;
    c->ents.slot = NULL;
    c->ents.n = c->ents.cap = 0;
}

/* --------------------------------------------------------- the pass */

/* The last token of the capitalised run that starts at k (particles inside;
 * the words around a joiner make runs of their own, read with it). */
static size_t run_end(const struct ctx *c, size_t k)
{
    size_t e = k;

    for (size_t j = k + 1; j < c->toks.n && j - k < RUN_MAX; j++) {
        size_t m = j;
        const struct tok *x = tk(c, e);

        while (m < c->toks.n && m - j < 2 && has(c, m, F_PART))
            m++;
        if (!cap(c, m) || (x->e > x->b && c->t[x->b] == '.' && x->b - x->a > 1
                           && !has(c, e, F_ROLE)))
            break;
        e = j = m;
    }
    return e;
}

/* Register what the run ending at e names: the speaker read from it, and
 * the body before a title ("European Council" of "European Council
 * President António Costa"). */
static int add_run(struct ctx *c, size_t s, size_t e)
{
    struct who w = {0, 0, 0, 0, false, false};
    enum res r = att_q_name_back(c, e, &w);
    size_t k;
    int rc = ATT_OK;

    if (r != R_NAME)
        return ATT_OK;
    if (w.ra != w.rb || w.inst || memchr(c->t + w.sa, ' ', w.sb - w.sa) != NULL)
        rc = add(c, &w, w.sa);
    if (rc != ATT_OK || w.ra == w.rb || w.inst)
        return rc;
    for (k = s; k <= e && tk(c, k)->b <= w.ra; k++)
        ;
    if (k >= s + 2 && !has(c, k - 1, F_ROLE) && !has(c, k - 1, F_JOIN)) {
        struct who b = {tk(c, s)->a, tk(c, k - 1)->b, 0, 0, true, false};

        rc = add(c, &b, b.sa);
    }
    return rc;
}

/* Tokenize [a, b) and register its runs. */
static int scan_piece(struct ctx *c, size_t a, size_t b)
{
    int rc = att_q_tokenize(c, a, b, 0, 0);

    for (size_t k = 0; k < c->toks.n && rc == ATT_OK; k++) {
        bool he = (tok_is(c, k, "He", false) || tok_is(c, k, "She", false)) && k + 1 < c->toks.n
                  && cap(c, k + 1) && !has(c, k + 1, F_ROLE);
        size_t e;

        if (!cap(c, k) && !he)
            continue;
        e = run_end(c, he ? k + 1 : k);
        rc = add_run(c, k, e);
        k = e;
    }
    return rc;
}

/* Collect the names of text[0..len) (see quotes_priv.h), paragraph by
 * paragraph, a long one in pieces cut at white space. */
int att_q_collect(struct ctx *c, size_t len)
{
    size_t lo = 0, hi, n;
    int rc = ATT_OK;

    while (lo < len && rc == ATT_OK) {
        for (hi = lo; hi < len && c->t[hi] != '\n' && c->t[hi] != '\r'; hi++)
            ;
        for (size_t a = lo, b; a < hi && rc == ATT_OK; a = b) {
            b = hi - a > CHUNK ? a + CHUNK : hi;
            while (b < hi && !space_at(c->t, b, hi, &n))
                b++;
            rc = scan_piece(c, a, b);
        }
        lo = hi + 1;
    }
    c->toks.n = 0;
    return rc;
}

/* ------------------------------------------------------------ look-ups */

/* Better than *best for a name at pos: a name that ends with the short one
 * over one that starts with it over one that holds it, one given before pos
 * over one after, more words, then the nearest. */
static bool better(const struct ent *x, int fx, const struct ent *best, int fb, size_t pos)
{
    bool xb = x->pos < pos, bb;

    if (best == NULL)
        return true;
    bb = best->pos < pos;
    if (fx != fb)
        return fx > fb;
    if (xb != bb)
        return xb;
    if (x->words != best->words)
        return x->words > best->words;
    return xb ? x->pos > best->pos : x->pos < best->pos;
}

/* A quick test before fits(): x may hold the words of s. */
static bool may_fit(const unsigned char *t, const struct words *s, const struct ent *x)
{
    size_t n = s->b[0] - s->a[0];

    if (same_word(t, s->a[0], s->b[0], x->fa, x->fb))
        return true;
    if (same_word(t, s->a[s->n - 1], s->b[s->n - 1], x->la, x->lb))
        return true;
    return x->words > s->n + 1 && memmem(t + x->a, x->b - x->a, t + s->a[0], n) != NULL;
}

/* The fullest name of the text holding w's name (see quotes_priv.h). */
void att_q_expand(const struct ctx *c, size_t pos, struct who *w)
{
    const struct ent *best = NULL;
    struct words s, e;
    int fb = 0;

    split(c->t, w->sa, w->sb, &s);
    if (s.n == 0 || s.n >= WORDS_MAX)
        return;
    for (size_t k = 0; k < c->ents.n; k++) {
        const struct ent *x = &c->ents.v[k];
        int f;

        if (x->words <= s.n || x->inst != w->inst || !may_fit(c->t, &s, x))
            continue;
        split(c->t, x->a, x->b, &e);
        f = fits(c->t, &s, &e);
        if (f == 1 && x->inst)
            f = 0; /* a body is known by its first or last words */
        if (f > 0 && better(x, f, best, fb, pos)) {
            best = x;
            fb = f;
        }
    }
    if (best == NULL)
        return;
    w->sa = best->a;
    w->sb = best->b;
    if (w->ra == w->rb) {
        w->ra = best->ra;
        w->rb = best->rb;
    }
}

/* A name of the text starts or ends with the word t[a, b). */
bool att_q_known(const struct ctx *c, size_t a, size_t b)
{
    for (size_t k = 0; k < c->ents.n; k++) {
        const struct ent *x = &c->ents.v[k];

        if (!x->inst && x->words > 1
            && (same_word(c->t, a, b, x->fa, x->fb) || same_word(c->t, a, b, x->la, x->lb)))
            return true;
    }
    return false;
}

/* The person last titled t[a, b) before pos (see quotes_priv.h). */
bool att_q_titled(const struct ctx *c, size_t a, size_t b, size_t pos, struct who *w)
{
    const struct ent *best = NULL;
    struct words r;

    for (size_t k = 0; k < c->ents.n; k++) {
        const struct ent *x = &c->ents.v[k];

        if (x->inst || x->ra == x->rb || x->pos >= pos || (best != NULL && best->pos > x->pos))
            continue;
        split(c->t, x->ra, x->rb, &r);
        for (unsigned i = 0; i < r.n; i++) {
            if (same_word(c->t, a, b, r.a[i], r.b[i]))
                best = x;
        }
    }
    if (best == NULL)
        return false;
    *w = (struct who){best->a, best->b, best->ra, best->rb, false, false};
    return true;
}
