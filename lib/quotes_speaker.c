/* attache: who said a quotation. Reads a sentence group as tokens (each
 * quotation one token), finds its attributions ("X said", "said X",
 * "according to X") and gives each quotation the nearest one. */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include "quotes_priv.h"
#include "sorted.h"

#define REACH 60 /* tokens from a quotation to its attribution, at most */

/* ----------------------------------------------------------- tokens */

static bool word_char(const unsigned char *t, size_t hi, size_t i, size_t *n)
{
    enum cls k = att_q_class_at(t, hi, i, n);

    if (k == K_WORD)
        return true;
    if (t[i] == '.' || t[i] == '\'' || t[i] == '-')
        return true;
    return *n == 3 && t[i] == 0xE2 && t[i + 1] == 0x80 && t[i + 2] == 0x99;
}

static bool edge_char(const unsigned char *t, size_t a, size_t b, bool back, size_t *n)
{
    size_t i = back ? b - 1 : a;

    *n = 1;
    if (t[i] == '.' || t[i] == '\'' || t[i] == '-')
        return true;
    *n = 3;
    if (b - a < 3)
        return false;
    i = back ? b - 3 : a;
    return t[i] == 0xE2 && t[i + 1] == 0x80 && (t[i + 2] == 0x99 || t[i + 2] == 0x98);
}

static int push_tok(struct tokv *v, size_t a, size_t b, size_t e, enum tkind kind)
{
    if (att_grow(&v->v, &v->cap, v->n + 1, sizeof *v->v, ATT_Q_ITEMS_MAX) != ATT_OK)
        return ATT_E_NOMEM;
    v->v[v->n].a = a;
    v->v[v->n].b = b;
    v->v[v->n].e = e;
    v->v[v->n].q = 0;
    v->v[v->n].kind = kind;
    v->v[v->n].flags = 0;
    v->n++;
    return ATT_OK;
}

/* A word [i, j): its core has no dots, apostrophes or hyphens at the edges. */
static int push_word(struct ctx *c, size_t i, size_t j)
{
    size_t a = i, b = j, n;

    while (a < b && edge_char(c->t, a, b, false, &n))
        a += n;
    while (b > a && edge_char(c->t, a, b, true, &n))
        b -= n;
    if (a == b)
        return push_tok(&c->toks, i, j, j, T_PUNCT);
    if (push_tok(&c->toks, a, b, j, T_WORD) != ATT_OK)
        return ATT_E_NOMEM;
    c->toks.v[c->toks.n - 1].flags = att_q_word_flags(c->t, a, b, j);
    return ATT_OK;
}

/* Tokens of [gs, ge), each kept quotation qa.. one token. */
static int tokenize(struct ctx *c, size_t gs, size_t ge, size_t qa, size_t qb)
{
    size_t i = gs, n, q = qa;
    int rc = ATT_OK;

    c->toks.n = 0;
    while (i < ge && rc == ATT_OK) {
        size_t stop = q < qb ? c->kept.v[q].os : ge;

        if (q < qb && i >= stop) {
            rc = push_tok(&c->toks, c->kept.v[q].os, c->kept.v[q].oe, c->kept.v[q].oe, T_QUOTE);
            c->toks.v[c->toks.n - 1].q = q;
            i = c->kept.v[q].oe > i ? c->kept.v[q].oe : i;
            q++;
        } else if (att_q_class_at(c->t, ge, i, &n) == K_SPACE) {
            i += n;
        } else if (word_char(c->t, ge, i, &n)) {
            size_t j = i;

            while (j < ge && j < stop && word_char(c->t, ge, j, &n))
                j += n;
            rc = push_word(c, i, j);
            i = j;
        } else {
            rc = push_tok(&c->toks, i, i + n, i + n, T_PUNCT);
            i += n;
        }
    }
    return rc;
}

/* ---------------------------------------------------- attributions */

static int push_cons(struct consv *v, size_t at, enum ckind kind, const struct who *w)
{
    if (att_grow(&v->v, &v->cap, v->n + 1, sizeof *v->v, ATT_Q_ITEMS_MAX) != ATT_OK)
        return ATT_E_NOMEM;
    v->v[v->n].at = at;
    v->v[v->n].kind = kind;
    v->v[v->n].who = *w;
    v->n++;
    return ATT_OK;
}

/* True if a quotation follows token k closely: "saying it "...". */
static bool quote_soon(const struct ctx *c, size_t k)
{
    for (size_t j = k + 1; j < c->toks.n && j <= k + 3; j++) {
        if (tk(c, j)->kind == T_QUOTE)
            return true;
    }
    return false;
}

/* An attribution verb at token k: record who it names, if anyone. */
static int on_verb(struct ctx *c, size_t k)
{
    struct who w = {0, 0, 0, 0};
    enum res r = att_q_subject_of(c, k, &w);

    if (r == R_NONE && has(c, k, F_BEFORE) && !is_word(c, k - 1))
        r = att_q_name_forward(c, k + 1, &w);
    if (r == R_NONE && c->has_subject && has(c, k, F_ING) && quote_soon(c, k)) {
        r = R_NAME;
        w = c->subject;
    }
    if (r == R_PRONOUN) {
        /* "he said" names whoever was named in this or the previous sentence */
        r = c->has_last && c->group_no - c->last_group <= 1 ? R_NAME : R_BLOCK;
        w = c->last;
    }
    if (r == R_NONE)
        return ATT_OK;
    if (r == R_NAME) {
        c->last = w;
        c->has_last = true;
        c->last_group = c->group_no;
    }
    return push_cons(&c->verbs, k, r == R_NAME ? C_NAMED : C_BLOCK, &w);
}

/* Find the attributions of the tokenized group, in token order. */
static int scan_group(struct ctx *c)
{
    struct who w;
    int rc = ATT_OK;

    c->verbs.n = c->accs.n = 0;
    c->has_subject = false;
    for (size_t k = 0; k < c->toks.n && rc == ATT_OK; k++) {
        if (!is_word(c, k))
            continue;
        if (cap(c, k) && has(c, k + 1, F_LOWER) && !has(c, k + 1, F_PART)
            && att_q_name_back(c, k, &w) == R_NAME) {
            c->subject = w;
            c->has_subject = true;
        }
        if (tok_is(c, k, "according", true) && tok_is(c, k + 1, "to", false)) {
            if (att_q_name_forward(c, k + 2, &w) == R_NAME)
                rc = push_cons(&c->accs, k, C_NAMED, &w);
        } else if (has(c, k, F_VERB)) {
            rc = on_verb(c, k);
        }
    }
    return rc;
}

/* The attribution in v nearest to the quotation token at, within REACH:
 * one before it, or one after it but before the next quotation token
 * limit ("X said "A" and "B"" names both; '"A" ... "B," X said' only B). */
static const struct cons *nearest(const struct consv *v, size_t at, size_t limit)
{
    const struct cons *before = NULL, *after = NULL;
    size_t lo = att_lower_bound(v->v, v->n, sizeof *v->v, offsetof(struct cons, at), at);

    if (lo > 0 && at - v->v[lo - 1].at <= REACH)
        before = &v->v[lo - 1];
    if (lo < v->n && v->v[lo].at < limit && v->v[lo].at - at <= REACH)
        after = &v->v[lo];
    if (before != NULL && after != NULL)
        return at - before->at <= after->at - at ? before : after;
    return before != NULL ? before : after;
}

/* --------------------------------------------------------- output */

static bool space_byte(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* A malloc'd copy of t[a, b) with each run of white space made one space. */
static char *copy_name(const unsigned char *t, size_t a, size_t b, bool *nomem)
{
    char *s;
    size_t o = 0;

    if (a >= b)
        return NULL;
    s = malloc(b - a + 1);
    if (s == NULL) {
        *nomem = true;
        return NULL;
    }
    while (a < b) {
        bool nbsp = t[a] == 0xC2 && a + 1 < b && t[a + 1] == 0xA0;

        if (space_byte(t[a]) || nbsp) {
            if (o > 0 && s[o - 1] != ' ')
                s[o++] = ' ';
            a += nbsp ? 2 : 1;
        } else {
            s[o++] = (char)t[a++];
        }
    }
    while (o > 0 && s[o - 1] == ' ')
        o--;
    s[o] = '\0';
    return s;
}

/* Append a quotation with the speaker in w (NULL: unknown). */
static int emit(struct ctx *c, const struct span *sp, const struct who *w)
{
    struct att_quotes *q = c->out;
    struct att_quote *x;
    bool nomem = false;

    if (att_grow(&q->v, &q->cap, q->n + 1, sizeof *q->v, ATT_Q_ITEMS_MAX) != ATT_OK)
        return ATT_E_NOMEM;
    x = &q->v[q->n];
    x->start = sp->s;
    x->end = sp->e;
    x->speaker = w != NULL ? copy_name(c->t, w->sa, w->sb, &nomem) : NULL;
    x->role = w != NULL ? copy_name(c->t, w->ra, w->rb, &nomem) : NULL;
    q->n++;
    return nomem ? ATT_E_NOMEM : ATT_OK;
}

/* The index of the first quotation token after token k, or the count. */
static size_t next_quote(const struct ctx *c, size_t k)
{
    for (k++; k < c->toks.n && tk(c, k)->kind != T_QUOTE; k++)
        ;
    return k;
}

/* Attribute and emit every quotation token of the group. A group opening
 * with a quotation and holding no attribution goes on the previous group's
 * quotation ('"A," Xi said. "B."') when there was one. */
static int attribute(struct ctx *c)
{
    bool quiet = c->verbs.n == 0 && c->accs.n == 0;
    bool quoted = false;
    int rc = ATT_OK;

    for (size_t k = 0; k < c->toks.n && rc == ATT_OK; k = next_quote(c, k)) {
        size_t limit = next_quote(c, k);
        const struct cons *x;
        const struct who *w = NULL;

        if (tk(c, k)->kind != T_QUOTE)
            continue;
        x = nearest(&c->verbs, k, limit);
        if (x == NULL)
            x = nearest(&c->accs, k, limit);
        if (x != NULL && x->kind == C_NAMED)
            w = &x->who;
        else if (k == 0 && quiet && c->prev_quoted && c->prev_named)
            w = &c->prev_who;
        rc = emit(c, &c->kept.v[tk(c, k)->q], w);
        if (w != NULL)
            c->prev_who = *w;
        c->prev_named = w != NULL;
        quoted = true;
    }
    c->prev_quoted = quoted;
    return rc;
}

/* ------------------------------------------------------- a group */

/* Read [a, b), holding quotations qa..qb: tokens, attributions, output
 * (see quotes_priv.h). */
int att_q_read(struct ctx *c, size_t a, size_t b, size_t qa, size_t qb)
{
    int rc = tokenize(c, a, b, qa, qb);

    if (rc == ATT_OK)
        rc = scan_group(c);
    if (rc == ATT_OK)
        rc = attribute(c);
    return rc;
}
