/* attache: reading a speaker from the words around a verb of saying: a name
 * with its title ("Foreign Minister Wang Yi said", "said Xi"), a body ("the
 * State Department said", "China's foreign ministry said"), an apposition
 * ("His Holiness, Pope Francis, said"), or a word that points at one ("he",
 * "the Pope", "the ministry"). Who those point at is quotes_ident.c's job. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "quotes_priv.h"

#define RUN_MAX 10        /* tokens in a title and a name, or a body's name */
#define APPOSITION_MAX 14 /* tokens in ", director of X," between name and verb */
#define ADVERBS_MAX 4     /* "also", "on Tuesday" ... between a name and its verb */
#define MODIFIERS_MAX 3   /* lower-case words in "China's foreign trade ministry" */
#define NONE SIZE_MAX

static void set_name(const struct ctx *c, struct who *w, size_t a, size_t b)
{
    w->sa = tk(c, a)->a;
    w->sb = tk(c, b)->b;
    w->ra = w->rb = 0;
    w->inst = w->spokes = false;
}

/* A name word proper: capitalised, no contraction, no title or modifier. */
static bool name_word(const struct ctx *c, size_t k)
{
    return cap(c, k) && !has(c, k, F_CONTR) && !has(c, k, F_ROLE);
}

/* "He Lifeng": "He" or "She" before a name word is a surname, as a pronoun
 * is never followed by a capitalised name in the same phrase. */
static bool pronoun_surname(const struct ctx *c, size_t k)
{
    return (tok_is(c, k, "He", false) || tok_is(c, k, "She", false)) && name_word(c, k + 1);
}

/* A preposition before a run makes it an object, not the subject of the
 * verb after it: "economists at Nomura wrote", "officials at the State
 * Department said" ("a spokesperson for the Commission said" is a body). */
static bool object_of(const struct ctx *c, size_t k)
{
    static const char *const p[] = {"at", "of", "from", "in", "with", "by", "on", "to",
                                    "about", "near", "for", NULL};

    for (size_t i = 0; p[i] != NULL; i++) {
        if (tok_is(c, k, p[i], false))
            return !(i == 10 && k > 0 && has(c, k - 1, F_SPOKES));
    }
    return false;
}

static bool determiner(const struct ctx *c, size_t k)
{
    static const char *const d[] = {"the", "a", "an", NULL};

    for (size_t i = 0; d[i] != NULL; i++) {
        if (tok_is(c, k, d[i], true))
            return true;
    }
    return false;
}

/* Token k opens a sentence (see quotes_priv.h). */
bool att_q_opens(const struct ctx *c, size_t k)
{
    const struct tok *p;

    if (k == 0)
        return true;
    p = tk(c, k - 1);
    if (p->kind == T_QUOTE) {
        const struct span *q = &c->kept.v[p->q];

        return q->e > q->s && strchr(".!?", c->t[q->e - 1]) != NULL && c->t[q->e - 1] != 0;
    }
    if (p->kind == T_PUNCT)
        return c->t[p->a] == '.' || c->t[p->a] == '!' || c->t[p->a] == '?';
    return p->kind == T_WORD && p->e > p->b && c->t[p->b] == '.' && p->b - p->a > 3;
}

/* --------------------------------------------------------------- runs */

/* Word k ends with a dot that is no initial's ("F.") or title's ("Mr."):
 * "of Arizona. Iain" is two sentences, not one name. */
static bool dot_end(const struct ctx *c, size_t k)
{
    const struct tok *x = tk(c, k);

    return is_word(c, k) && x->e > x->b && c->t[x->b] == '.' && x->b - x->a > 1
           && !has(c, k, F_ROLE);
}

/* The first token of the capitalised run ending at e: capitalised words with
 * particles ("von der") or joiners ("of the") between two of them. *join
 * gets the first joiner of the run, or NONE. */
static size_t run_start(const struct ctx *c, size_t e, size_t *join)
{
    size_t s = e;

    *join = NONE;
    while (s > 0 && e - s < RUN_MAX) {
        size_t j = s - 1, m = 0;

        while (j > 0 && m < 2 && (has(c, j, F_PART) || has(c, j, F_JOIN))) {
            j--;
            m++;
        }
        if (!cap(c, j) || has(c, j, F_CONTR) || dot_end(c, j))
            break;
        if (m > 0 && has(c, s - 1, F_JOIN))
            *join = j + 1;
        s = j;
    }
    if (s > 0 && pronoun_surname(c, s - 1))
        s--;
    return s;
}

/* The last title word in [s, e], or NONE. */
static size_t last_title(const struct ctx *c, size_t s, size_t e)
{
    for (size_t k = e + 1; k > s; k--) {
        if (has(c, k - 1, F_TITLE))
            return k - 1;
    }
    return NONE;
}

/* The first of the name words ending at e, no further back than s (name
 * words with particles inside them); e + 1 when e is none. */
static size_t name_tail(const struct ctx *c, size_t s, size_t e)
{
    size_t n = e + 1;

    for (size_t k = e + 1; k > s; k--) {
        size_t j = k - 1;

        if (name_word(c, j) || (j + 1 == n && j >= s && pronoun_surname(c, j)))
            n = j;
        else if (!(n <= e && has(c, j, F_PART) && j > s))
            break;
    }
    return n;
}

/* The title block ending just before token k, as a byte range in w. */
static void role_back(const struct ctx *c, size_t k, struct who *w)
{
    size_t r = k;

    while (r > 0 && k - r < RUN_MAX) {
        if (has(c, r - 1, F_ROLE))
            r--;
        else if (r >= 2 && has(c, r - 1, F_JOIN) && (has(c, r - 2, F_ROLE)
                 || (r >= 3 && has(c, r - 2, F_JOIN) && has(c, r - 3, F_ROLE))))
            r--;
        else
            break;
    }
    w->ra = w->rb = 0;
    if (r < k) {
        w->ra = tk(c, r)->a;
        w->rb = tk(c, k - 1)->e;
    }
}

/* ----------------------------------------------------- bodies */

/* A body [s, e], with a possessive before it ("India's Ministry of ..."). */
static enum res body(const struct ctx *c, size_t s, size_t e, struct who *w)
{
    if (s > 0 && has(c, s - 1, F_CAP | F_POSS))
        s--;
    set_name(c, w, s, e);
    w->inst = true;
    /* "a spokesperson for the European Commission" */
    w->spokes = s >= 3 && determiner(c, s - 1) && tok_is(c, s - 2, "for", false)
                && has(c, s - 3, F_SPOKES);
    return R_NAME;
}

/* A lower-case body noun at e: "China's foreign ministry", "a Downing Street
 * spokesperson" (the body is Downing Street), "the ministry" (one named
 * before), "the spokesperson". */
static enum res body_noun(const struct ctx *c, size_t e, struct who *w)
{
    size_t m = e, join;
    bool sp = has(c, e, F_SPOKES);

    while (m > 0 && e - m < MODIFIERS_MAX && has(c, m - 1, F_LOWER) && !determiner(c, m - 1)
           && !has(c, m - 1, F_VERB) && !has(c, m - 1, F_GENERIC) && !has(c, m - 1, F_JOIN))
        m--;
    if (m > 0 && (cap(c, m - 1) || has(c, m - 1, F_CAP | F_POSS))) {
        size_t s = cap(c, m - 1) ? run_start(c, m - 1, &join) : m - 1;

        if (sp && has(c, m - 1, F_TITLE))
            return R_BLOCK;
        body(c, s, sp ? m - 1 : e, w);
        w->spokes = sp;
        return R_NAME;
    }
    if (m > 0 && determiner(c, m - 1) && m == e
        && (sp || tok_is(c, e, "ministry", false) || tok_is(c, e, "office", false)
            || tok_is(c, e, "department", false) || tok_is(c, e, "ministers", false))) {
        w->spokes = sp;
        return R_REFER;
    }
    return R_BLOCK;
}

/* A subject at e that is not a capitalised word. */
static enum res lower_subject(const struct ctx *c, size_t e, struct who *w)
{
    if (tok_is(c, e, "he", true) || tok_is(c, e, "she", true))
        return R_PRONOUN;
    if (!has(c, e, F_LOWER))
        return R_NONE;
    if (tok_is(c, e, "who", false) && e >= 2 && punct_is(c, e - 1, ',')) {
        enum res r = att_q_name_back(c, e - 2, w);

        return r == R_NAME && !w->inst ? R_NAME : R_BLOCK; /* "Wang Yi, who told" */
    }
    if (has(c, e, F_BODY))
        return body_noun(c, e, w);
    return has(c, e, F_GENERIC) || has(c, e, F_ROLE) ? R_BLOCK : R_NONE;
}

/* ------------------------------------------------------------ names */

/* A run [s, e] that ends with a title: "the Pope", "His Holiness". */
static enum res title_end(const struct ctx *c, size_t e, size_t join, struct who *w)
{
    if (join != NONE)
        return R_BLOCK; /* "the President of the United States" */
    w->inst = w->spokes = false;
    w->sa = w->sb = 0;
    w->ra = tk(c, e)->a;
    w->rb = tk(c, e)->b;
    return R_TITLE;
}

/* "Secretary of State Marco Rubio" names someone, "the President of the
 * United States" does not: after a title's joiners, a modifier must come
 * before a name. */
static bool title_of_place(const struct ctx *c, size_t title, size_t join)
{
    size_t k = join;

    if (title == NONE || title > join)
        return false;
    while (has(c, k, F_JOIN))
        k++;
    return !has(c, k, F_ROLE);
}

/* "Lawyers said": one plural-looking capitalised word opening a sentence
 * that no name of the text holds is a common noun, not a name. */
static bool plural_opener(const struct ctx *c, size_t k)
{
    const struct tok *x = tk(c, k);

    if (!att_q_opens(c, k) || x->b - x->a < 4 || c->t[x->b - 1] != 's')
        return false;
    if (c->t[x->b - 2] == 's' || c->t[x->b - 2] == 'u' || c->t[x->b - 2] == 'i')
        return false; /* "Ross", "Marcus", "Louis" */
    return !att_q_known(c, x->a, x->b);
}

/* A word of [s, e] is a role: "Germany's Federal Foreign Office" is a body,
 * "China's Xi Jinping" a person. */
static bool has_role(const struct ctx *c, size_t s, size_t e)
{
    for (size_t k = s; k <= e; k++) {
        if (has(c, k, F_ROLE))
            return true;
    }
    return false;
}

/* The speaker whose words end at token e (see quotes_priv.h). */
enum res att_q_name_back(const struct ctx *c, size_t e, struct who *w)
{
    size_t s, title, n, join;

    if (!is_word(c, e))
        return R_NONE;
    if (!cap(c, e) || has(c, e, F_CONTR))
        return lower_subject(c, e, w);
    s = run_start(c, e, &join);
    title = last_title(c, s, e);
    if (title == e)
        return title_end(c, e, join, w);
    if (join != NONE && title_of_place(c, title, join))
        return R_BLOCK;
    if (title == NONE && (join != NONE || (s > 0 && determiner(c, s - 1))
                          || (s > 0 && has(c, s - 1, F_CAP | F_POSS) && has_role(c, s, e))))
        return body(c, s, e, w); /* "the Kremlin", "India's Ministry of ..." */
    n = name_tail(c, title == NONE ? s : title + 1, e);
    if (n > e)
        return title == NONE ? body(c, s, e, w) : R_BLOCK; /* "White House said" */
    if (n == e && title == NONE && (plural_opener(c, n) || has(c, n, F_GENERIC)))
        return R_NONE; /* "Lawyers said", "People danced" */
    set_name(c, w, n, e);
    role_back(c, n, w);
    return R_NAME;
}

/* "according to a statement from X": the token of X. */
static size_t skip_document(const struct ctx *c, size_t k)
{
    const struct tok *x = tk(c, k + 1 < c->toks.n ? k + 1 : k);

    if (!determiner(c, k) || !is_word(c, k + 1)
        || !att_q_docnoun(c->t + x->a, x->b - x->a))
        return k;
    if (tok_is(c, k + 2, "from", false) || tok_is(c, k + 2, "by", false)
        || tok_is(c, k + 2, "of", false))
        return k + 3;
    return k;
}

/* The end of the capitalised run starting at k, cut before a joiner unless
 * the run is a body (art: it follows an article). */
static size_t run_end(const struct ctx *c, size_t k, bool art)
{
    size_t e = k;

    for (size_t j = k + 1; j < c->toks.n && j - k < RUN_MAX; j++) {
        size_t m = j;

        while (m < c->toks.n && m - j < 2 && (has(c, m, F_PART) || (art && has(c, m, F_JOIN))))
            m++;
        if (!cap(c, m) || dot_end(c, e))
            break;
        e = j = m;
    }
    return e;
}

/* The name that starts at token k, after "said" or "according to". */
enum res att_q_name_forward(const struct ctx *c, size_t k, struct who *w)
{
    bool art = false;
    size_t e, r, title, k0;

    k = skip_document(c, k);
    if (determiner(c, k)) {
        art = true;
        k++;
    }
    if (art && has(c, k, F_BODY) && !cap(c, k + 1))
        return body_noun(c, k, w);
    if (!art && (tok_is(c, k, "He", false) || tok_is(c, k, "She", false))
        && !pronoun_surname(c, k) && att_q_known(c, tk(c, k)->a, tk(c, k)->b)) {
        set_name(c, w, k, k); /* "according to He" names He Lifeng */
        return R_NAME;
    }
    for (k0 = k; has(c, k, F_ROLE) && !cap(c, k) && k - k0 < RUN_MAX; k++)
        ; /* "according to spokesperson Mao Ning" */
    if (!cap(c, k) && !pronoun_surname(c, k))
        return k > k0 ? R_BLOCK : R_NONE;
    e = run_end(c, k, art);
    if (has(c, e + 1, F_DIGIT) || has(c, e + 1, F_CAP | F_POSS))
        return has(c, e + 1, F_DIGIT) ? R_BLOCK : R_NONE; /* "Article 51", "Xi's aide" */
    title = last_title(c, k, e);
    if (art && title == NONE)
        return body(c, k, e, w);
    for (r = title == NONE ? k : title + 1; r <= e && !name_word(c, r)
         && !pronoun_surname(c, r); r++)
        ;
    if (r > e)
        return title != NONE ? title_end(c, title, NONE, w) : R_BLOCK;
    set_name(c, w, r, e);
    if (r > k0) {
        w->ra = tk(c, k0)->a;
        w->rb = tk(c, r - 1)->e;
    }
    return R_NAME;
}

/* ---------------------------------------------------------- subjects */

/* The name or title in w starts its clause, which ends at token e: "Sun
 * Yun, director ..." does, "The leader of the People's Party, ..." not. */
static bool opens_clause(const struct ctx *c, size_t e, const struct who *w)
{
    size_t start = w->ra != w->rb ? w->ra : w->sa, k = e;

    while (k > 0 && tk(c, k)->a > start)
        k--;
    if (k == 0 || att_q_opens(c, k) || tk(c, k - 1)->kind == T_QUOTE)
        return true;
    return punct_is(c, k - 1, ',') || punct_is(c, k - 1, ';') || punct_is(c, k - 1, ':')
           || punct_is(c, k - 1, '(');
}

/* A comma before a verb: "Sun Yun, director of the Stimson Center, said"
 * names the name before the first comma; "His Holiness, Pope Francis,
 * said" and "Canada's trade minister, Dominic LeBlanc, said" the name
 * between the commas. */
static enum res apposition(const struct ctx *c, size_t j, struct who *w)
{
    for (size_t m = j; m > 0 && j - m < APPOSITION_MAX; m--) {
        struct who a = {0, 0, 0, 0, false, false}, b = a;
        enum res ra, rb;
        bool bname;

        if (tk(c, m - 1)->kind == T_QUOTE)
            return R_NONE;
        if (!punct_is(c, m - 1, ',') || m < 2 || m == j)
            continue;
        rb = att_q_name_back(c, j - 1, &b);
        bname = rb == R_NAME && !b.inst && (b.ra != b.rb ? b.ra : b.sa) == tk(c, m)->a;
        ra = att_q_name_back(c, m - 2, &a);
        if (ra == R_NAME && !(bname && (a.inst || !opens_clause(c, m - 2, &a)))
            && (has(c, m, F_LOWER) || has(c, m, F_ROLE) || bname)) {
            *w = a;
            return R_NAME;
        }
        if (bname) {
            *w = b;
            return R_NAME;
        }
        return R_NONE;
    }
    return R_NONE;
}

/* "Warren (D-Mass.) said": the token before a parenthesis that ends at j. */
static size_t skip_parenthesis(const struct ctx *c, size_t j)
{
    if (!punct_is(c, j, ')'))
        return j;
    for (size_t m = j; m > 1 && j - m < APPOSITION_MAX; m--) {
        if (punct_is(c, m - 1, '('))
            return m - 2;
        if (tk(c, m - 1)->kind == T_QUOTE)
            break;
    }
    return j;
}

/* The subject of the verb at token k: "Xi said", "he said", "Xi also said",
 * "Lavrov on Tuesday said". */
enum res att_q_subject_of(const struct ctx *c, size_t k, struct who *w)
{
    size_t j, steps = 0;
    enum res r;

    if (k == 0)
        return R_NONE;
    j = k - 1;
    while (j > 0 && steps++ < ADVERBS_MAX) {
        size_t d = j;

        if (has(c, j, F_ADV)) {
            j--;
            continue;
        }
        if (has(c, d, F_DIGIT) && d > 1)
            d--;
        if (d > 1 && has(c, d, F_TIME) && tok_is(c, d - 1, "on", false))
            j = d - 2; /* "on Tuesday", "on May 5" */
        else
            break;
    }
    j = skip_parenthesis(c, j);
    if (punct_is(c, j, ','))
        return apposition(c, j, w);
    if (!is_word(c, j))
        return R_NONE;
    r = att_q_name_back(c, j, w);
    if (r == R_NAME || r == R_TITLE) {
        size_t s = j, start = w->ra != w->rb ? w->ra : w->sa;

        while (s > 0 && tk(c, s)->a > start)
            s--;
        if (s > 0 && has(c, k, F_ING) && tok_is(c, s - 1, "with", false))
            return r; /* "with Wang Yi stating" */
        if (s > 0 && (object_of(c, s - 1) || (s > 1 && determiner(c, s - 1)
                                               && object_of(c, s - 2))))
            return R_BLOCK;
    }
    return r;
}
