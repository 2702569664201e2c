/* attache: who said a quotation. Reads a sentence group as tokens (each
 * quotation one token), finds its attributions ("X said", "said X",
 * "according to X") and gives each quotation the nearest one. */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include "quotes_priv.h"
#include "sorted.h"

#define REACH 60     /* tokens from a quotation to its attribution, at most */
#define TERM_WORDS 5 /* words of a term in quotation marks, at most */

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

/* Tokens of [gs, ge), each kept quotation qa.. one token (see quotes_priv.h). */
int att_q_tokenize(struct ctx *c, size_t gs, size_t ge, size_t qa, size_t qb)
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

/* "he said" names the person named last: in this sentence or the one
 * before, or, in a paragraph's first sentence that names no one, the last
 * one named in the paragraph before. */
static bool pronoun_ok(const struct ctx *c)
{
    if (!c->has_last)
        return false;
    if (c->last_para == c->para_no)
        return c->group_no - c->last_group <= 1;
    return c->last_para + 1 == c->para_no && !c->para_named && c->group_no <= 1;
}

/* The role of w holds "spokesperson", "spokesman" or "spokeswoman". */
static bool role_spokes(const struct ctx *c, const struct who *w)
{
    static const char *const sp[] = {"spokesperson", "spokesman", "spokeswoman", NULL};

    for (size_t i = w->ra, j; i < w->rb; i = j + 1) {
        for (j = i; j < w->rb && c->t[j] != ' '; j++)
            ;
        for (size_t k = 0; sp[k] != NULL; k++) {
            if (att_q_same(sp[k], c->t + i, j - i, true))
                return true;
        }
    }
    return false;
}

/* Who a name search's answer r at token k stands for: a short name its
 * fullest form, a title its holder, "he" the last person, "the ministry"
 * the last body that spoke. R_NAME with *w, or R_BLOCK, or r unchanged. */
static enum res resolve(const struct ctx *c, enum res r, size_t k, struct who *w)
{
    size_t pos = tk(c, k)->a;
    bool sp = w->spokes;

    switch (r) {
    case R_NAME:
        att_q_expand(c, pos, w);
        return R_NAME;
    case R_TITLE:
        return att_q_titled(c, w->ra, w->rb, pos, w) ? R_NAME : R_BLOCK;
    case R_PRONOUN:
        if (!pronoun_ok(c))
            return R_BLOCK;
        *w = c->last;
        return R_NAME;
    case R_REFER:
        if (!(sp ? c->has_spk : c->has_inst))
            return R_BLOCK;
        *w = sp ? c->spk : c->inst;
        return R_NAME;
    default:
        return r;
    }
}

/* Remember a speaker for the "he", "the ministry" and "the spokesperson"
 * that may follow. */
static void remember(struct ctx *c, const struct who *w)
{
    if (w->spokes || role_spokes(c, w)) {
        c->spk = *w;
        c->has_spk = true;
    }
    if (w->inst) {
        c->inst = *w;
        c->has_inst = true;
        return;
    }
    c->last = *w;
    c->has_last = true;
    c->last_group = c->group_no;
    c->last_para = c->para_no;
    c->para_named = true;
}

/* An attribution verb at token k: record who it names, if anyone. */
static int on_verb(struct ctx *c, size_t k)
{
    struct who w = {0, 0, 0, 0, false, false};
    enum res r = att_q_subject_of(c, k, &w);

    if (r == R_NONE && has(c, k, F_BEFORE) && !is_word(c, k - 1))
        r = att_q_name_forward(c, k + 1, &w);
    if (r == R_NONE && c->has_subject && has(c, k, F_ING) && quote_soon(c, k)) {
        r = R_NAME;
        w = c->subject;
    }
    r = resolve(c, r, k, &w);
    if (r == R_NONE)
        return ATT_OK;
    if (r == R_NAME)
        remember(c, &w);
    else
        r = R_BLOCK;
    return push_cons(&c->verbs, k, r == R_NAME ? C_NAMED : C_BLOCK, &w);
}

/* 'X disagreed: "..."': a past-tense word just before a colon and a
 * quotation says who speaks, unless a document does ("the act reads:"). */
static bool colon_verb(const struct ctx *c, size_t k)
{
    const struct tok *x;

    if (k < 2 || tk(c, k)->kind != T_QUOTE || !punct_is(c, k - 1, ':') || !has(c, k - 2, F_LOWER))
        return false;
    x = tk(c, k - 2);
    if (has(c, k - 2, F_VERB) || has(c, k - 2, F_DOCV) || x->b - x->a < 4)
        return false;
    return c->t[x->b - 1] == 'd' && c->t[x->b - 2] == 'e';
}

/* A clause subject at token k ("Bruce declined", "Xi, who ...,"): kept for
 * a participle that follows, and as the person "she" points at when it
 * opens a sentence. */
static void on_subject(struct ctx *c, size_t k)
{
    struct who w = {0, 0, 0, 0, false, false};
    size_t s = k;

    if (att_q_name_back(c, k, &w) != R_NAME || w.inst)
        return;
    att_q_expand(c, tk(c, k)->a, &w);
    c->subject = w;
    c->has_subject = true;
    while (s > 0 && is_word(c, s - 1) && (cap(c, s - 1) || has(c, s - 1, F_PART)))
        s--;
    if (att_q_opens(c, s)) {
        c->last = w;
        c->has_last = true;
        c->last_group = c->group_no;
        c->last_para = c->para_no;
        c->para_named = true;
    }
}

/* Find the attributions of the tokenized group, in token order. */
static int scan_group(struct ctx *c)
{
    struct who w = {0, 0, 0, 0, false, false};
    int rc = ATT_OK;

    c->verbs.n = c->accs.n = 0;
    c->has_subject = false;
    for (size_t k = 0; k < c->toks.n && rc == ATT_OK; k++) {
        if (colon_verb(c, k))
            rc = on_verb(c, k - 2);
        if (!is_word(c, k) || rc != ATT_OK)
            continue;
        if (cap(c, k) && has(c, k + 1, F_LOWER) && !has(c, k + 1, F_PART))
            on_subject(c, k);
        if (tok_is(c, k, "according", true) && tok_is(c, k + 1, "to", false)) {
            enum res r = att_q_name_forward(c, k + 2, &w);

            if (resolve(c, r, k, &w) == R_NAME) {
                remember(c, &w);
                rc = push_cons(&c->accs, k, C_NAMED, &w);
            }
        } else if (has(c, k, F_VERB)) {
            rc = on_verb(c, k);
        }
    }
    return rc;
}

/* Where an attribution after the quotation token k may be: A_ANY; A_NOT
 * when the quotation ends a sentence that the next one does not continue
 * ('..."" And Churchill responded'); A_LAST when it ends with a full stop,
 * which an attribution before it in the sentence has ('X told Y that "A."
 * Z said, "B"'). */
enum after { A_ANY, A_LAST, A_NOT };

static enum after after_rule(const struct ctx *c, size_t k)
{
    const struct span *q = &c->kept.v[tk(c, k)->q];
    unsigned char end = c->t[q->e - 1];

    if (end != '.' && end != '!' && end != '?')
        return A_ANY;
    if (is_word(c, k + 1) && !has(c, k + 1, F_CAP)
        && att_q_case_at(c->t, tk(c, k + 1)->a, tk(c, k + 1)->b) > 0
        && !tok_is(c, k + 1, "He", false) && !tok_is(c, k + 1, "She", false))
        return A_NOT;
    return end == '.' ? A_LAST : A_ANY;
}

/* The attribution in v nearest to the quotation token at, within REACH:
 * one before it, or one after it but before the next quotation token
 * limit ("X said "A" and "B"" names both; '"A" ... "B," X said' only B),
 * as rule allows. */
static const struct cons *nearest(const struct consv *v, size_t at, size_t limit,
                                  enum after rule)
{
    const struct cons *before = NULL, *after = NULL;
    size_t lo = att_lower_bound(v->v, v->n, sizeof *v->v, offsetof(struct cons, at), at);

    if (lo > 0 && at - v->v[lo - 1].at <= REACH)
        before = &v->v[lo - 1];
    if (lo < v->n && v->v[lo].at < limit && v->v[lo].at - at <= REACH && rule != A_NOT)
        after = &v->v[lo];
    if (before != NULL && after != NULL && rule == A_ANY)
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

/* Short function words a title may hold lower-case: "Back to the Future". */
static bool title_joiner(const unsigned char *t, size_t a, size_t b)
{
    static const char *const w[] = {"of", "for", "the", "and", "to", "a", "an", "in", "on", "at",
                                    "de", "la", "le", "du", "des", "del", NULL};

    for (size_t k = 0; w[k] != NULL; k++) {
        if (att_q_same(w[k], t + a, b - a, false))
            return true;
    }
    return false;
}

/* The quotation is a name or a title, not words someone said: every word
 * capitalised or a number ("Quartet for Sudan", "Task Force 8-14", "Be
 * Best"), with no sentence punctuation at its end. */
static bool title_case(const struct ctx *c, const struct span *sp)
{
    const unsigned char *t = c->t;
    size_t i = sp->s, words = 0, caps = 0;
    bool last_cap = false;
    unsigned char end = t[sp->e - 1];

    if (end == '.' || end == '!' || end == '?' || end == ',')
        return false;
    while (i < sp->e) {
        size_t a = i, b, n;

        while (a < sp->e && att_q_class_at(t, sp->e, a, &n) == K_SPACE)
            a += n;
        for (b = a; b < sp->e && att_q_class_at(t, sp->e, b, &n) != K_SPACE; b += n)
            ;
        if (b == a)
            break;
        i = b;
        words++;
        last_cap = att_q_case_at(t, a, b) > 0 || (t[a] >= '0' && t[a] <= '9');
        if (last_cap)
            caps++;
        else if (words == 1 || !title_joiner(t, a, b))
            return false;
    }
    return words >= 2 && caps >= 2 && last_cap;
}

/* The quotation token k is a term: a few words without punctuation after
 * an article or "so-called" ("the "coalition of the willing""), not words
 * someone said ('a "good, and very important, deal"' may be). */
static bool term(const struct ctx *c, size_t k)
{
    const struct span *q = &c->kept.v[tk(c, k)->q];
    size_t words = 1;

    if (k == 0 || !(tok_is(c, k - 1, "the", true) || tok_is(c, k - 1, "a", true)
                    || tok_is(c, k - 1, "an", true) || tok_is(c, k - 1, "so-called", true)))
        return false;
    for (size_t i = q->s; i < q->e; i++) {
        if (c->t[i] == ',' || c->t[i] == ';' || c->t[i] == '.' || c->t[i] == '!')
            return false;
        words += c->t[i] == ' ';
    }
    return words <= TERM_WORDS;
}

/* Attribute and emit every quotation token of the group. A group opening
 * with a quotation (or a bracket and one: a translation) and holding no
 * attribution goes on the previous group's quotation ('"A," Xi said. "B."')
 * when there was one. */
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
        if (title_case(c, &c->kept.v[tk(c, k)->q]) || term(c, k)) {
            rc = emit(c, &c->kept.v[tk(c, k)->q], NULL);
            continue;
        }
        x = nearest(&c->verbs, k, limit, after_rule(c, k));
        if (x == NULL)
            x = nearest(&c->accs, k, limit, after_rule(c, k));
        if (x != NULL && x->kind == C_NAMED)
            w = &x->who;
        else if ((k == 0 || (k == 1 && punct_is(c, 0, '('))) && quiet && c->prev_quoted
                 && c->prev_named)
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
    int rc = att_q_tokenize(c, a, b, qa, qb);

    if (rc == ATT_OK)
        rc = scan_group(c);
    if (rc == ATT_OK)
        rc = attribute(c);
    return rc;
}
