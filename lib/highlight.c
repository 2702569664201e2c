/* attache: highlighting: the words of a passage that the caller's matcher
 * accepts, as merged byte ranges, and a snippet of whole sentences around
 * them with the matches marked. Knows nothing of queries or stemming. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attache/highlight.h"
#include "attache/text.h"
#include "buf.h"
#include "index_words.h"
#include "sorted.h"

#define DEFAULT_LENGTH 240
#define DEFAULT_ELLIPSIS "\xE2\x80\xA6" /* U+2026 */
#define FORM_MAX 256 /* bytes of a word rewritten for the matcher (the index keeps 64) */

/* ---------------------------------------------------------- match spans */

/* The matched range being grown. */
struct run {
    bool open;
    size_t a, b;
    size_t sentence; /* index of the sentence holding it */
};

static int flush(struct run *r, struct att_spans *out)
{
    int rc = ATT_OK;

    if (r->open)
        rc = att_spans_push(out, r->a, r->b);
    r->open = false;
    return rc;
}

/* Add one word, in sentence k, matched or not, to the range being grown. */
static int add_word(struct run *r, const struct att_word *w, size_t k, bool hit,
                    struct att_spans *out)
{
    int rc;

    if (!hit)
        return flush(r, out);
    if (r->open && !w->split && r->sentence == k) {
        r->b = w->b;
        return ATT_OK;
    }
    rc = flush(r, out);
    r->open = true;
    r->a = w->a;
    r->b = w->b;
    r->sentence = k;
    return rc;
}

/* The sentence holding the word starting at a: *k moves forward only. */
static size_t sentence_at(const struct att_spans *sents, size_t *k, size_t a)
{
    while (*k + 1 < sents->n && sents->v[*k].end <= a)
        (*k)++;
    return *k;
}

/* Without phrases: each word is matched and grown into ranges as it is cut
 * (one pass, nothing allocated but the ranges). */
static int match_words(const char *text, size_t len, const struct att_spans *sents,
                       const struct att_matcher *m, struct att_spans *out)
{
    struct att_wscan s = {(const unsigned char *)text, len, 0};
    struct run r = {false, 0, 0, 0};
    struct att_word w;
    char buf[FORM_MAX];
    size_t k = 0, n;
    int rc = ATT_OK;

    while (rc == ATT_OK && att_word_next(&s, &w)) {
        const char *word = text + w.a;

        n = w.b - w.a;
        if (w.form != ATT_WF_TEXT) /* rare: the call is kept off the common path */
            word = att_word_form(&s, &w, buf, sizeof buf, &n);
        rc = add_word(&r, &w, sentence_at(sents, &k, w.a), m->match(m->ud, word, n), out);
    }
    if (rc == ATT_OK)
        rc = flush(&r, out);
    return rc;
}

/* A word of a text with phrases, kept until the phrases are found. */
struct tok {
    struct att_word w;
    size_t sent;           /* the sentence holding it */
    bool hit, join;        /* matched; part of the phrase of the word before */
};

/* The words of a text as the matcher sees them: form[i][0..n[i]) is word
 * i as the index writes it (the arrays side by side, as phrases take
 * them). */
struct toks {
    struct tok *t;
    const char **form;
    size_t *n;
    size_t count, cap;
    char *arena;           /* the forms that are not the text itself */
    size_t used;
};

static void toks_free(struct toks *t)
{
    free(t->t);
    free(t->form);
    free(t->n);
    free(t->arena);
}

/* Room for one more word in every array (they share t->cap). */
static int toks_room(struct toks *t, size_t most)
{
    size_t c1 = t->cap, c2 = t->cap, c3 = t->cap;
    int rc;

    if (t->count < t->cap)
        return ATT_OK;
    rc = att_grow(&t->t, &c1, t->count + 1, sizeof *t->t, most);
    if (rc == ATT_OK)
        rc = att_grow(&t->form, &c2, t->count + 1, sizeof *t->form, most);
    if (rc == ATT_OK)
        rc = att_grow(&t->n, &c3, t->count + 1, sizeof *t->n, most);
    if (rc == ATT_OK)
        t->cap = c1 < c2 ? (c1 < c3 ? c1 : c3) : (c2 < c3 ? c2 : c3);
    return rc;
}

/* A rewritten form, copied where it stays put (it is never longer than its
 * word, so len bytes hold them all). */
static const char *keep_form(struct toks *t, size_t len, const char *form, size_t n)
{
    if (t->arena == NULL)
        t->arena = malloc(len);
    if (t->arena == NULL)
        return NULL;
    memcpy(t->arena + t->used, form, n);
    t->used += n;
    return t->arena + t->used - n;
}

/* Cut text into words, with their forms and sentences, in one pass.
 * Returns ATT_OK or ATT_E_NOMEM. */
static int tokenise(const char *text, size_t len, const struct att_spans *sents,
                    struct toks *t)
{
    struct att_wscan s = {(const unsigned char *)text, len, 0};
    struct att_word w;
    char buf[FORM_MAX];
    size_t k = 0;

    while (att_word_next(&s, &w)) {
        size_t i = t->count, n = w.b - w.a;
        const char *word = text + w.a;

        if (toks_room(t, len + 1) != ATT_OK)
            return ATT_E_NOMEM;
        if (w.form != ATT_WF_TEXT) { /* rare: the call is kept off the common path */
            word = att_word_form(&s, &w, buf, sizeof buf, &n);
            if (word == buf)
                word = keep_form(t, len, buf, n);
            if (word == NULL)
                return ATT_E_NOMEM;
        }
        t->t[i] = (struct tok){w, sentence_at(sents, &k, w.a), false, false};
        t->form[i] = word;
        t->n[i] = n;
        t->count++;
    }
    return ATT_OK;
}

/* Mark every occurrence of each of p's phrases in t: its words hit, and
 * each joined to the one before. */
static void mark_phrases(const struct att_phrases *p, struct toks *t)
{
    for (size_t k = 0; k < p->n; k++) {
        size_t n = p->len(p->ud, k);

        for (size_t i = 0; n > 0 && i + n <= t->count; i++) {
            if (!p->match(p->ud, k, t->form + i, t->n + i))
                continue;
            for (size_t j = i; j < i + n; j++) {
                t->t[j].hit = true;
                t->t[j].join = t->t[j].join || j > i;
            }
        }
    }
}

/* With phrases: the words are cut first, then the phrases found, then the
 * words grown into ranges. */
static int match_phrased(const char *text, size_t len, const struct att_spans *sents,
                         const struct att_matcher *m, const struct att_phrases *p,
                         struct att_spans *out)
{
    struct toks t = {0};
    struct run r = {false, 0, 0, 0};
    int rc = tokenise(text, len, sents, &t);

    if (rc == ATT_OK)
        mark_phrases(p, &t);
    for (size_t i = 0; rc == ATT_OK && i < t.count; i++) {
        const struct tok *w = &t.t[i];

        if (w->join && r.open) {
            r.b = w->w.b;
            continue;
        }
        rc = add_word(&r, &w->w, w->sent, w->hit || m->match(m->ud, t.form[i], t.n[i]), out);
    }
    if (rc == ATT_OK)
        rc = flush(&r, out);
    toks_free(&t);
    return rc;
}

/* A range is cut where the sentence splitter sees a boundary ("line.
 * Red"), at ! ? … and at clause marks (, ; :), but not at the dots of
 * abbreviations ("U.S. sanctions") nor at dashes, quotes or brackets
 * ("U.S.-China"), nor inside an occurrence of a phrase. */
int att_match_phrase_spans_in(const char *text, size_t len, const struct att_spans *sents,
                              const struct att_matcher *m, const struct att_phrases *p,
                              struct att_spans *out, struct att_err *err)
{
    int rc;

    if (m == NULL || m->match == NULL || text == NULL || len == 0)
        return ATT_OK;
    if (p != NULL && p->n > 0 && p->len != NULL && p->match != NULL)
        rc = match_phrased(text, len, sents, m, p, out);
    else
        rc = match_words(text, len, sents, m, out);
    if (rc != ATT_OK)
        return att_err_set(err, rc, "out of memory highlighting");
    return ATT_OK;
}

int att_match_spans_in(const char *text, size_t len, const struct att_spans *sents,
                       const struct att_matcher *m, struct att_spans *out,
                       struct att_err *err)
{
    return att_match_phrase_spans_in(text, len, sents, m, NULL, out, err);
}

int att_match_phrase_spans(const char *text, size_t len, const struct att_matcher *m,
                           const struct att_phrases *p, struct att_spans *out,
                           struct att_err *err)
{
    struct att_spans sents = {NULL, 0, 0};
    int rc;

    if (m == NULL || m->match == NULL || text == NULL || len == 0)
        return ATT_OK;
    rc = att_sentences(text, len, &sents, err);
    if (rc == ATT_OK)
        rc = att_match_phrase_spans_in(text, len, &sents, m, p, out, err);
    att_spans_free(&sents);
    return rc;
}

int att_match_spans(const char *text, size_t len, const struct att_matcher *m,
                    struct att_spans *out, struct att_err *err)
{
    return att_match_phrase_spans(text, len, m, NULL, out, err);
}

/* ---------------------------------------------------------- snippets */

/* The passage, its sentences and its matches (cleaned), while choosing. */
struct snip {
    const unsigned char *t;
    size_t len;
    size_t limit;          /* most bytes of text to show */
    struct att_span *m;    /* ordered, disjoint, on character boundaries */
    size_t nm;
    struct att_spans s;    /* sentences */
};

static bool cont_byte(const unsigned char *t, size_t len, size_t i)
{
    return i < len && (t[i] & 0xC0) == 0x80;
}

/* The smallest character boundary at or after i. */
static size_t char_ceil(const unsigned char *t, size_t len, size_t i)
{
    size_t k = 0;

    while (k < 3 && cont_byte(t, len, i + k))
        k++;
    return i + k;
}

static size_t char_floor(const unsigned char *t, size_t len, size_t i)
{
    return att_utf8_floor((const char *)t, len, i);
}

/* Length of the white space ending just before t[i], else 0. */
static size_t space_before(const unsigned char *t, size_t i)
{
    unsigned char c = t[i - 1];

    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
        return 1;
    return (c == 0xA0 && i >= 2 && t[i - 2] == 0xC2) ? 2 : 0;
}

static size_t space_at(const unsigned char *t, size_t len, size_t i)
{
    unsigned char c = t[i];

    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
        return 1;
    return (c == 0xC2 && i + 1 < len && t[i + 1] == 0xA0) ? 2 : 0;
}

/* Trim white space off both ends of *c. */
static void trim(const unsigned char *t, size_t len, struct att_span *c)
{
    size_t n;

    for (n = c->start < c->end ? space_at(t, len, c->start) : 0; n > 0;
         n = c->start < c->end ? space_at(t, len, c->start) : 0)
        c->start += n;
    for (n = c->end > c->start ? space_before(t, c->end) : 0; n > 0;
         n = c->end > c->start ? space_before(t, c->end) : 0)
        c->end -= n;
    if (c->end < c->start)
        c->end = c->start;
}

/* Copy the caller's ranges, snapped outwards to character boundaries,
 * dropping any that are empty, out of the text or overlap the one before:
 * the snippet must hold whatever it is given. */
static int clean_matches(struct snip *p, const struct att_spans *in)
{
    size_t prev = 0;

    if (in == NULL || in->v == NULL || in->n == 0)
        return ATT_OK;
    p->m = malloc(in->n * sizeof *p->m);
    if (p->m == NULL)
        return ATT_E_NOMEM;
    for (size_t k = 0; k < in->n; k++) {
        size_t a = in->v[k].start, b = in->v[k].end;

        if (b > p->len || a >= b)
            continue;
        a = char_floor(p->t, p->len, a);
        b = char_ceil(p->t, p->len, b);
        if (a < prev)
            continue;
        p->m[p->nm].start = a;
        p->m[p->nm].end = b;
        p->nm++;
        prev = b;
    }
    return ATT_OK;
}

/* How many matches lie wholly inside each sentence (calloc'd, NULL when
 * out of memory). */
static size_t *count_matches(const struct snip *p)
{
    size_t *cnt = calloc(p->s.n, sizeof *cnt);
    size_t k = 0;

    if (cnt == NULL)
        return NULL;
    for (size_t i = 0; i < p->nm; i++) {
        const struct att_span *m = &p->m[i];

        while (k < p->s.n && p->s.v[k].end <= m->start)
            k++;
        if (k == p->s.n)
            break;
        if (p->s.v[k].start <= m->start && m->end <= p->s.v[k].end)
            cnt[k]++;
    }
    return cnt;
}

/* The run of whole sentences that fits the limit and holds the most
 * matches (the earliest of equals, as long as it can be) into *c; returns
 * the count. *c is left alone when no sentence fits. Two cursors: linear. */
static size_t best_window(const struct snip *p, const size_t *cnt, struct att_span *c)
{
    const struct att_span *s = p->s.v;
    size_t j = 0, sum = 0, best = 0;
    bool found = false;

    for (size_t i = 0; i < p->s.n; i++) {
        if (j < i) {
            j = i;
            sum = 0;
        }
        while (j < p->s.n && s[j].end - s[i].start <= p->limit)
            sum += cnt[j++];
        if (j == i)
            continue;
        if (!found || sum > best) {
            found = true;
            best = sum;
            c->start = s[i].start;
            c->end = s[j - 1].end;
        }
        sum -= cnt[i];
    }
    return best;
}

/* Shrink *c (inside the sentence [lo, hi)) to start at a word start and
 * end at a word end; ideographic text may be cut between any two
 * characters. A word longer than the whole window is cut at a character
 * boundary. Scans from lo to c->end: linear. */
static void snap(const struct snip *p, size_t lo, size_t hi, struct att_span *c)
{
    struct att_wscan s = {p->t, hi, lo};
    struct att_word w;
    size_t x = c->start, y = c->end;
    bool have = x <= lo;

    c->start = have ? lo : x;
    c->end = c->start;
    while (att_word_next(&s, &w) && w.a < y) {
        if (!have && (w.a >= x || (w.cjk && w.b > x))) {
            c->start = w.a >= x ? w.a : char_ceil(p->t, hi, x);
            c->end = c->start;
            have = true;
        }
        if (have && w.b <= y)
            c->end = w.b;
        else if (have && w.cjk)
            c->end = char_floor(p->t, hi, y);
    }
    if (have && y >= hi)
        c->end = hi;
    if (!have || c->end <= c->start) {
        c->start = char_ceil(p->t, hi, x);
        c->end = char_floor(p->t, hi, y);
        if (c->end < c->start)
            c->end = c->start;
    }
    trim(p->t, p->len, c);
}

/* Move the edges of *c off any match they would cut in two, unless that
 * leaves nothing. */
static void keep_whole(const struct snip *p, struct att_span *c)
{
    struct att_span d = *c;

    for (size_t i = 0; i < p->nm; i++) {
        const struct att_span *m = &p->m[i];

        if (m->start < d.start && m->end > d.start)
            d.start = m->end;
        if (m->start < d.end && m->end > d.end)
            d.end = m->start;
    }
    trim(p->t, p->len, &d);
    if (d.start < d.end)
        *c = d;
}

/* The sentence around match m, widened to hold it: [*lo, *hi). */
static void sentence_of(const struct snip *p, const struct att_span *m, size_t *lo, size_t *hi)
{
    size_t k = 0;

    while (k < p->s.n && p->s.v[k].end <= m->start)
        k++;
    *lo = m->start;
    *hi = m->end;
    if (k < p->s.n && p->s.v[k].start < *lo)
        *lo = p->s.v[k].start;
    if (k < p->s.n && p->s.v[k].end > *hi)
        *hi = p->s.v[k].end;
}

/* A cut of about the limit from the sentence of match m, placed so that a
 * third of the spare room comes before the match. A match longer than the
 * limit is shown from its start, cut, and so not marked. */
static void cut_around(const struct snip *p, const struct att_span *m, struct att_span *c)
{
    size_t lo, hi, x, w = m->end - m->start;

    sentence_of(p, m, &lo, &hi);
    if (w > p->limit) {
        x = m->start;
    } else {
        size_t before = (p->limit - w) / 3;

        x = m->start - lo > before ? m->start - before : lo;
        if (hi - x < p->limit)
            x = hi - lo > p->limit ? hi - p->limit : lo;
    }
    c->start = x;
    c->end = hi - x > p->limit ? x + p->limit : hi;
    snap(p, lo, hi, c);
    if (w <= p->limit && c->start > m->start)
        c->start = m->start;
    if (w <= p->limit && c->end < m->end)
        c->end = m->end;
    keep_whole(p, c);
}

/* The part of the text to show: the densest window of sentences, else a
 * cut around the first match, else the first sentences or a cut of the
 * first one. */
static void choose(const struct snip *p, const size_t *cnt, struct att_span *c)
{
    const struct att_span *s0 = &p->s.v[0];

    if (best_window(p, cnt, c) > 0)
        return;
    if (p->nm > 0) {
        cut_around(p, &p->m[0], c);
        return;
    }
    if (s0->end - s0->start <= p->limit)
        return; /* best_window chose the first sentences */
    c->start = s0->start;
    c->end = s0->start + p->limit;
    snap(p, s0->start, s0->end, c);
}

/* The marks around matches and omissions, with their lengths. */
struct marks {
    const char *pre, *post, *ell;
    size_t npre, npost, nell;
};

static void put(char *out, size_t *o, const char *s, size_t n)
{
    memcpy(out + *o, s, n);
    *o += n;
}

/* Copy text[a..b) with NUL bytes made spaces: the result is a C string. */
static void put_text(char *out, size_t *o, const unsigned char *t, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++)
        out[(*o)++] = t[i] == '\0' ? ' ' : (char)t[i];
}

/* Index of the first match starting at or after a. */
static size_t first_from(const struct snip *p, size_t a)
{
    return att_lower_bound(p->m, p->nm, sizeof *p->m, offsetof(struct att_span, start), a);
}

/* Write the body c with its marks and ellipses; bytes counted first. */
static char *render(const struct snip *p, struct att_span c, const struct marks *mk)
{
    bool head = c.start > p->s.v[0].start, tail = c.end < p->s.v[p->s.n - 1].end;
    size_t i0 = first_from(p, c.start), i1 = i0, o = 0, at = c.start, need;
    char *out;

    while (i1 < p->nm && p->m[i1].end <= c.end)
        i1++;
    need = c.end - c.start + 1 + (head ? mk->nell + 1 : 0) + (tail ? mk->nell + 1 : 0);
    if (i1 > i0 && mk->npre + mk->npost > (SIZE_MAX - need) / (i1 - i0))
        return NULL;
    out = malloc(need + (i1 - i0) * (mk->npre + mk->npost));
    if (out == NULL)
        return NULL;
    if (head) {
        put(out, &o, mk->ell, mk->nell);
        put(out, &o, " ", 1);
    }
    for (size_t i = i0; i < i1; i++) {
        put_text(out, &o, p->t, at, p->m[i].start);
        put(out, &o, mk->pre, mk->npre);
        put_text(out, &o, p->t, p->m[i].start, p->m[i].end);
        put(out, &o, mk->post, mk->npost);
        at = p->m[i].end;
    }
    put_text(out, &o, p->t, at, c.end);
    if (tail) {
        put(out, &o, " ", 1);
        put(out, &o, mk->ell, mk->nell);
    }
    out[o] = '\0';
    return out;
}

static void read_opts(const struct att_snippet_opts *opts, struct marks *mk, size_t *limit)
{
    mk->pre = opts != NULL && opts->pre != NULL ? opts->pre : "";
    mk->post = opts != NULL && opts->post != NULL ? opts->post : "";
    mk->ell = opts != NULL && opts->ellipsis != NULL ? opts->ellipsis : DEFAULT_ELLIPSIS;
    mk->npre = strlen(mk->pre);
    mk->npost = strlen(mk->post);
    mk->nell = strlen(mk->ell);
    *limit = opts != NULL && opts->length > 0 ? opts->length : DEFAULT_LENGTH;
}

/* Sentences, match counts per sentence, the choice, then the text. When
 * the limit leaves no room for a single character, the ellipsis alone. */
char *att_snippet(const char *text, size_t len, const struct att_spans *matches,
                  const struct att_snippet_opts *opts)
{
    struct att_spans sents = {NULL, 0, 0};
    char *out = NULL;

    if (text == NULL || len == 0)
        return strdup("");
    if (att_sentences(text, len, &sents, NULL) == ATT_OK)
        out = att_snippet_in(text, len, &sents, matches, opts);
    att_spans_free(&sents);
    return out;
}

char *att_snippet_in(const char *text, size_t len, const struct att_spans *sentences,
                     const struct att_spans *matches, const struct att_snippet_opts *opts)
{
    struct snip p = {(const unsigned char *)text, len, 0, NULL, 0, *sentences};
    struct marks mk;
    struct att_span c = {0, 0};
    size_t *cnt = NULL;
    char *out = NULL;

    read_opts(opts, &mk, &p.limit);
    if (text == NULL || len == 0)
        return strdup("");
    if (p.s.n == 0) {
        out = strdup("");
        goto out;
    }
    if (clean_matches(&p, matches) != ATT_OK)
        goto out;
    cnt = count_matches(&p);
    if (cnt == NULL)
        goto out;
    choose(&p, cnt, &c);
    out = c.start < c.end ? render(&p, c, &mk) : strdup(mk.ell);
out:
    free(cnt);
    free(p.m);
    return out;
}
