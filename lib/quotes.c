/* attache: quotations in UTF-8 text and who said them. This file pairs quote
 * marks in each paragraph (" “ ” « » „ 「 」 『 』 and single ones, apostrophes
 * told apart by their neighbours) and hands the sentences around them to
 * quotes_speaker.c (who said it), after quotes_ident.c read the text's names. */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "quotes_priv.h"

#define QUOTE_MAX 3000    /* bytes: a longer quotation is a mismatched pair */
#define LOOKAHEAD 4       /* words of a next sentence searched for "said" */
#define GROUP_MAX 16384   /* bytes of a sentence group read at once */
#define MARGIN 2048       /* bytes read around the quotations of a longer group */

/* Marks: straight, opening and closing double; German low; corner and white
 * corner brackets; straight, opening and closing single. */
enum mark { M_NONE, M_DQ, M_LDQ, M_RDQ, M_LOW, M_LC, M_RC, M_LW, M_RW, M_SQ, M_LSQ, M_RSQ };

/* --------------------------------------------------------- characters */

static bool ascii_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static enum cls ascii_class(unsigned char c)
{
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
        return K_SPACE;
    if (c == '\0')
        return K_PUNCT;
    if (ascii_alnum(c) || c >= 0x80 || strchr("$%&@#_", c) != NULL)
        return K_WORD;
    if (c == '(' || c == '[' || c == '{')
        return K_OPEN;
    return K_PUNCT;
}

/* Class of U+3000..U+303F, CJK punctuation: t[i] = 0xE3, t[i + 1] = 0x80. */
static enum cls cjk_class(unsigned char c, size_t *n)
{
    *n = 3;
    if (c == 0x80)
        return K_SPACE; /* ideographic space */
    if (c == 0x8C || c == 0x8E)
        return K_OPEN; /* 「 『 */
    if (c == 0x81 || c == 0x82 || c == 0x8D || c == 0x8F)
        return K_PUNCT; /* 、 。 」 』 */
    *n = 1;
    return K_WORD;
}

/* Class of the character at t[i] (i < hi); *n gets its length. */
enum cls att_q_class_at(const unsigned char *t, size_t hi, size_t i, size_t *n)
{
    *n = 1;
    if (t[i] < 0x80)
        return ascii_class(t[i]);
    if (t[i] == 0xE3 && i + 2 < hi && t[i + 1] == 0x80)
        return cjk_class(t[i + 2], n);
    if (t[i] == 0xC2 && i + 1 < hi && (t[i + 1] == 0xA0 || t[i + 1] == 0xAB || t[i + 1] == 0xBB)) {
        *n = 2;
        return t[i + 1] == 0xA0 ? K_SPACE : t[i + 1] == 0xAB ? K_OPEN : K_PUNCT;
    }
    if (t[i] != 0xE2 || i + 2 >= hi || t[i + 1] != 0x80)
        return K_WORD;
    *n = 3;
    switch (t[i + 2]) {
    case 0x93: case 0x94: case 0x98: case 0x9C: case 0x9E:
        return K_OPEN;
    case 0x99: case 0x9D: case 0xA6:
        return K_PUNCT;
    case 0x89: case 0x8A: case 0xAF:
        return K_SPACE;
    default:
        *n = 1;
        return K_WORD;
    }
}

/* Class of the character ending at t[i], the paragraph starting at lo. */
static enum cls class_before(const unsigned char *t, size_t lo, size_t i)
{
    size_t j = i - 1, n;
    enum cls k;

    if (i <= lo)
        return K_SPACE;
    while (j > lo && i - j < 3 && (t[j] & 0xC0) == 0x80)
        j--;
    k = att_q_class_at(t, i, j, &n);
    return j + n == i ? k : K_WORD;
}

static enum cls class_after(const unsigned char *t, size_t hi, size_t i)
{
    size_t n;

    return i >= hi ? K_SPACE : att_q_class_at(t, hi, i, &n);
}

/* The quote mark at t[i], if any; *n gets its length. */
static enum mark mark_at(const unsigned char *t, size_t hi, size_t i, size_t *n)
{
    *n = 1;
    if (t[i] == '"')
        return M_DQ;
    if (t[i] == '\'')
        return M_SQ;
    if (t[i] == 0xC2 && i + 1 < hi && (t[i + 1] == 0xAB || t[i + 1] == 0xBB)) {
        *n = 2;
        return t[i + 1] == 0xAB ? M_LDQ : M_RDQ;
    }
    if (t[i] == 0xE3 && i + 2 < hi && t[i + 1] == 0x80 && t[i + 2] >= 0x8C && t[i + 2] <= 0x8F) {
        static const enum mark corner[] = {M_LC, M_RC, M_LW, M_RW};

        *n = 3;
        return corner[t[i + 2] - 0x8C];
    }
    if (t[i] != 0xE2 || i + 2 >= hi || t[i + 1] != 0x80)
        return M_NONE;
    *n = 3;
    switch (t[i + 2]) {
    case 0x9E:
        return M_LOW;
    case 0x9C:
        return M_LDQ;
    case 0x9D:
        return M_RDQ;
    case 0x98:
        return M_LSQ;
    case 0x99:
        return M_RSQ;
    default:
        return M_NONE;
    }
}

/* ------------------------------------------------------ pairing marks */

/* A Chinese or Japanese character (kana, CJK ideographs): each counts as a
 * word, as those scripts put no space between words. *n gets its length. */
static bool cjk_char(const unsigned char *t, size_t a, size_t b, size_t *n)
{
    uint32_t cp;

    if (t[a] < 0xE3 || t[a] > 0xE9)
        return false;
    cp = att_utf8_decode((const char *)t + a, b - a, n);
    return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x4DBF)
           || (cp >= 0x4E00 && cp <= 0x9FFF);
}

/* Words in t[a, b) that hold a letter or digit, counting no further than 2. */
static unsigned count_words(const unsigned char *t, size_t a, size_t b)
{
    unsigned words = 0;
    bool in = false, counted = false;
    size_t n;

    while (a < b && words < 2) {
        if (cjk_char(t, a, b, &n)) {
            words++;
            in = counted = true;
        } else if (att_q_class_at(t, b, a, &n) == K_SPACE) {
            in = false;
        } else {
            if (!in)
                counted = false;
            in = true;
            if (!counted && (ascii_alnum(t[a]) || t[a] >= 0x80)) {
                counted = true;
                words++;
            }
        }
        a += n;
    }
    return words;
}

/* The length of the white space character ending at t[e] (after s), or 0. */
static size_t space_before(const unsigned char *t, size_t s, size_t e)
{
    size_t j = e - 1, n;

    while (j > s && e - j < 3 && (t[j] & 0xC0) == 0x80)
        j--;
    return att_q_class_at(t, e, j, &n) == K_SPACE && j + n == e ? n : 0;
}

/* Trim the inner bounds: white space (the thin and no-break spaces inside
 * guillemets too), and a trailing , ; or : which belongs to the sentence
 * around the quotation ("touched," plunging). */
static void trim_inner(const unsigned char *t, size_t *s, size_t *e)
{
    size_t n;

    while (*s < *e && att_q_class_at(t, *e, *s, &n) == K_SPACE)
        *s += n;
    while (*e > *s) {
        unsigned char c = t[*e - 1];

        if (c == ',' || c == ';' || c == ':')
            (*e)--;
        else if ((n = space_before(t, *s, *e)) > 0)
            *e -= n;
        else
            break;
    }
}

/* Close the quotation opened at o by the mark t[i, i + n). */
static int close_quote(struct ctx *c, struct open *o, size_t i, size_t n, bool dbl)
{
    struct spanv *v = dbl ? &c->dv : &c->sv;
    struct span sp = {o->at, i + n, o->inner, i, dbl};

    o->on = false;
    if (i - o->at > QUOTE_MAX)
        return ATT_OK;
    trim_inner(c->t, &sp.s, &sp.e);
    if (count_words(c->t, sp.s, sp.e) < 2)
        return ATT_OK;
    if (att_grow(&v->v, &v->cap, v->n + 1, sizeof *v->v, ATT_Q_ITEMS_MAX) != ATT_OK)
        return ATT_E_NOMEM;
    v->v[v->n++] = sp;
    return ATT_OK;
}

static void open_quote(struct open *o, size_t i, size_t n, bool low)
{
    o->on = true;
    o->low = low;
    o->at = i;
    o->inner = i + n;
}

static int on_double(struct ctx *c, enum mark m, size_t i, size_t n)
{
    enum cls p = class_before(c->t, c->lo, i), q = class_after(c->t, c->hi, i + n);
    bool closer = (p == K_WORD || p == K_PUNCT) && (q == K_SPACE || q == K_PUNCT);

    if (c->dq.on && i - c->dq.at > QUOTE_MAX)
        c->dq.on = false; /* a stray mark: start over from this one */
    if (m == M_LDQ && c->dq.on && c->dq.low)
        return close_quote(c, &c->dq, i, n, true); /* „...“ */
    if (m == M_LDQ || m == M_LOW) {
        open_quote(&c->dq, i, n, m == M_LOW);
        return ATT_OK;
    }
    if (c->dq.on)
        return close_quote(c, &c->dq, i, n, true);
    if (m == M_DQ && !closer)
        open_quote(&c->dq, i, n, false);
    return ATT_OK;
}

/* 「...」 and 『...』: each pair opens and closes on its own, so that one
 * may hold the other. */
static int on_corner(struct ctx *c, enum mark m, size_t i, size_t n)
{
    struct open *o = m == M_LC || m == M_RC ? &c->cq : &c->wq;

    if (o->on && i - o->at > QUOTE_MAX)
        o->on = false;
    if (m == M_LC || m == M_LW) {
        open_quote(o, i, n, false);
        return ATT_OK;
    }
    return o->on ? close_quote(c, o, i, n, true) : ATT_OK;
}

/* "'90s", "'08": an apostrophe before two digits. */
static bool decade(const unsigned char *t, size_t hi, size_t j)
{
    if (j + 1 >= hi || !(t[j] >= '0' && t[j] <= '9') || !(t[j + 1] >= '0' && t[j + 1] <= '9'))
        return false;
    return j + 2 >= hi || t[j + 2] == 's' || !ascii_alnum(t[j + 2]);
}

/* "the students' books": s' before a lower-case word that is not a verb of
 * saying ("'we want more cars' said the man" still closes). */
static bool plural_possessive(const struct ctx *c, size_t i, size_t j)
{
    const unsigned char *t = c->t;
    size_t k = j, w;

    if (i == c->lo || t[i - 1] != 's')
        return false;
    while (k < c->hi && (t[k] == ' ' || t[k] == '\t'))
        k++;
    for (w = k; w < c->hi && w - k < 16 && t[w] >= 'a' && t[w] <= 'z'; w++)
        ;
    return w > k && !att_q_saying(t + k, w - k);
}

static int on_single(struct ctx *c, enum mark m, size_t i, size_t n)
{
    enum cls p = class_before(c->t, c->lo, i), q = class_after(c->t, c->hi, i + n);
    bool opener = (p == K_SPACE || p == K_OPEN) && q != K_SPACE;
    bool closer = (p == K_WORD || p == K_PUNCT) && (q == K_SPACE || q == K_PUNCT);

    if ((p == K_WORD && q == K_WORD) || decade(c->t, c->hi, i + n))
        return ATT_OK; /* an apostrophe: "don't", "China's", "'90s" */
    if (c->sq.on && i - c->sq.at > QUOTE_MAX)
        c->sq.on = false;
    if (c->sq.on && closer && m != M_LSQ && !plural_possessive(c, i, i + n))
        return close_quote(c, &c->sq, i, n, false);
    if (opener || (m == M_LSQ && q != K_SPACE))
        open_quote(&c->sq, i, n, false);
    return ATT_OK;
}

/* Keep x unless it sits inside the last kept quotation (the outer one wins)
 * or crosses it; a double-quoted span wins a crossing with a single one. */
static int keep(struct spanv *k, const struct span *x)
{
    if (k->n > 0 && x->os < k->v[k->n - 1].oe) {
        const struct span *last = &k->v[k->n - 1];

        if (x->oe <= last->oe || last->dbl || !x->dbl)
            return ATT_OK;
        k->n--;
    }
    if (att_grow(&k->v, &k->cap, k->n + 1, sizeof *k->v, ATT_Q_ITEMS_MAX) != ATT_OK)
        return ATT_E_NOMEM;
    k->v[k->n++] = *x;
    return ATT_OK;
}

static int by_start(const void *x, const void *y)
{
    const struct span *a = x, *b = y;

    return a->os < b->os ? -1 : a->os > b->os;
}

/* Pair the quote marks of the paragraph into c->kept, in text order. */
static int pair_marks(struct ctx *c)
{
    size_t i = c->lo, a = 0, b = 0, n;
    bool corner = false;
    int rc = ATT_OK;

    c->dv.n = c->sv.n = c->kept.n = 0;
    c->dq.on = c->sq.on = c->cq.on = c->wq.on = false;
    while (i < c->hi && rc == ATT_OK) {
        enum mark m = mark_at(c->t, c->hi, i, &n);

        if (m == M_DQ || m == M_LDQ || m == M_RDQ || m == M_LOW) {
            rc = on_double(c, m, i, n);
        } else if (m >= M_LC && m <= M_RW) {
            rc = on_corner(c, m, i, n);
            corner = true;
        } else if (m != M_NONE) {
            rc = on_single(c, m, i, n);
        }
        i += n;
    }
    if (corner) /* a corner pair closes after the pairs it holds */
        qsort(c->dv.v, c->dv.n, sizeof *c->dv.v, by_start);
    while (rc == ATT_OK && (a < c->dv.n || b < c->sv.n)) {
        if (b >= c->sv.n || (a < c->dv.n && c->dv.v[a].os <= c->sv.v[b].os))
            rc = keep(&c->kept, &c->dv.v[a++]);
        else
            rc = keep(&c->kept, &c->sv.v[b++]);
    }
    return rc;
}

/* --------------------------------------------------------- driving */

/* True if one of the first words of [a, b) is a verb of saying, so that
 * '"We will win!" Xi said.' reads as one sentence. */
static bool said_soon(const unsigned char *t, size_t a, size_t b)
{
    for (unsigned words = 0; a < b && words < LOOKAHEAD; words++) {
        size_t w = a;

        while (w < b && t[w] >= 'a' && t[w] <= 'z')
            w++;
        if (w > a && att_q_saying(t + a, w - a) && !att_q_participle(t + a, w - a))
            return true;
        while (w < b && ascii_class(t[w]) != K_SPACE)
            w++;
        while (w < b && ascii_class(t[w]) == K_SPACE)
            w++;
        a = w;
    }
    return false;
}

/* Read the group g with quotations qa..qb as sentence group no. A
 * group over GROUP_MAX bytes (a text without full stops) is read in pieces
 * around its quotations, to bound memory; the rest of it is skipped. */
static int group(struct ctx *c, size_t no, struct att_span g, size_t qa, size_t qb)
{
    const struct span *v = c->kept.v;
    size_t floor = g.start;
    int rc = ATT_OK;

    c->group_no = no;
    if (g.end - g.start <= GROUP_MAX)
        return att_q_read(c, g.start, g.end, qa, qb);
    while (qa < qb && rc == ATT_OK) {
        size_t q = qa + 1, a, b;

        while (q < qb && v[q].oe - v[qa].os <= GROUP_MAX)
            q++;
        a = v[qa].os > floor + MARGIN ? v[qa].os - MARGIN : floor;
        b = v[q - 1].oe + MARGIN < g.end ? v[q - 1].oe + MARGIN : g.end;
        if (q < qb && b > v[q].os)
            b = v[q].os;
        rc = att_q_read(c, a, b, qa, q);
        floor = b;
        qa = q;
    }
    return rc;
}

/* The next group of sentences from sentence *k: it grows until no
 * quotation crosses its end, and takes in a next sentence that attributes
 * the quotation it ends with. *q moves past its quotations. */
static struct att_span next_group(const struct ctx *c, size_t *k, size_t *q)
{
    const struct att_span *s = c->sent.v;
    size_t ns = c->sent.n, qa = *q;
    struct att_span g = {c->lo + s[*k].start, c->lo + s[*k].end};

    (*k)++;
    while (*q < c->kept.n && c->kept.v[*q].os < g.end) {
        while (c->kept.v[*q].oe > g.end && *k < ns)
            g.end = c->lo + s[(*k)++].end;
        (*q)++;
    }
    if (*q > qa && c->kept.v[*q - 1].oe == g.end && *k < ns
        && said_soon(c->t, c->lo + s[*k].start, c->lo + s[*k].end))
        g.end = c->lo + s[(*k)++].end;
    while (*q < c->kept.n && c->kept.v[*q].os < g.end)
        (*q)++;
    return g;
}

/* Walk the paragraph's sentence groups. A group without quotations is read
 * only when the next one has some, for its "he said". */
static int walk_groups(struct ctx *c)
{
    struct att_span prev = {0, 0};
    size_t k = 0, q = 0, no = 0;
    int rc = ATT_OK;

    while (k < c->sent.n && rc == ATT_OK) {
        size_t qa = q;
        struct att_span g = next_group(c, &k, &q);

        no++;
        if (q == qa) {
            prev = g;
            c->prev_quoted = false;
            continue;
        }
        if (prev.end > prev.start)
            rc = group(c, no - 1, prev, qa, qa);
        prev.start = prev.end = 0;
        if (rc == ATT_OK)
            rc = group(c, no, g, qa, q);
    }
    return rc;
}

static int paragraph(struct ctx *c)
{
    int rc = pair_marks(c);

    if (rc != ATT_OK || c->kept.n == 0)
        return rc;
    c->sent.n = 0;
    rc = att_sentences((const char *)c->t + c->lo, c->hi - c->lo, &c->sent, NULL);
    if (rc != ATT_OK)
        return rc;
    c->prev_quoted = c->prev_named = c->para_named = false;
    return walk_groups(c);
}

/* Quotations of text[0..len), appended to *out in text order with their
 * speakers (see text.h). Paragraph by paragraph: marks are paired within a
 * line, and only paragraphs holding a quotation are read further. On
 * ATT_E_NOMEM what was appended stays in *out for att_quotes_free(). */
int att_quotes_find(const char *text, size_t len, struct att_quotes *out, struct att_err *err)
{
    struct ctx c;
    int rc = ATT_OK;

    memset(&c, 0, sizeof c);
    c.t = (const unsigned char *)text;
    c.out = out;
    rc = att_q_collect(&c, len);
    while (c.lo < len && rc == ATT_OK) {
        for (c.hi = c.lo; c.hi < len && text[c.hi] != '\n' && text[c.hi] != '\r'; c.hi++)
            ;
        if (c.hi > c.lo)
            c.para_no++;
        rc = paragraph(&c);
        c.lo = c.hi + 1;
    }
    att_q_ents_free(&c);
    free(c.dv.v);
    free(c.sv.v);
    free(c.kept.v);
    free(c.toks.v);
    free(c.verbs.v);
    free(c.accs.v);
    att_spans_free(&c.sent);
    if (rc != ATT_OK)
        return att_err_set(err, rc, "out of memory finding quotations");
    return ATT_OK;
}

/* Free every speaker, role and the array; q is left empty. NULL is a no-op. */
void att_quotes_free(struct att_quotes *q)
{
    if (q == NULL)
        return;
    for (size_t k = 0; k < q->n; k++) {
        free(q->v[k].speaker);
        free(q->v[k].role);
    }
    free(q->v);
    q->v = NULL;
    q->n = 0;
    q->cap = 0;
}
