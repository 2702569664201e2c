/* attache: a document body cut into passages: one per paragraph (line), long
 * paragraphs cut into windows of whole sentences, overlong sentences cut at
 * word boundaries. Byte ranges only; the body stays the caller's. */
#include <stdbool.h>
#include <stddef.h>

#include "attache/text.h"

#define WORDS_MAX (1u << 24) /* cap on every size in the options */

/* Windows being built inside one paragraph. */
struct win {
    const unsigned char *t;
    const struct att_passage_opts *o;
    struct att_spans *out;
    size_t first;     /* out->n when the paragraph began */
    size_t start;     /* current window, valid while words > 0 */
    size_t end;
    unsigned words;
    unsigned prev;    /* words in out->v[out->n - 1] when it is this paragraph's */
};

/* Fill *o with the defaults: 120, 40, 80 and 300 words. */
void att_passage_opts_default(struct att_passage_opts *o)
{
    o->max_words = 120;
    o->min_words = 40;
    o->target_words = 80;
    o->hard_words = 300;
}

/* Length of the white space character at t[i] (newlines included), else 0. */
static size_t space_at(const unsigned char *t, size_t len, size_t i)
{
    unsigned char c = t[i];

    if (c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\n' || c == '\r')
        return 1;
    if (c == 0xC2 && i + 1 < len && t[i + 1] == 0xA0)
        return 2;
    return 0;
}

static size_t skip_space(const unsigned char *t, size_t end, size_t i)
{
    size_t n = i < end ? space_at(t, end, i) : 0;

    while (n > 0) {
        i += n;
        n = i < end ? space_at(t, end, i) : 0;
    }
    return i;
}

static size_t skip_word(const unsigned char *t, size_t end, size_t i)
{
    while (i < end && space_at(t, end, i) == 0)
        i++;
    return i;
}

/* Words in t[a, b), counting no further than cap. */
static unsigned count_words(const unsigned char *t, size_t a, size_t b, unsigned cap)
{
    unsigned n = 0;

    a = skip_space(t, b, a);
    while (a < b && n < cap) {
        n++;
        a = skip_space(t, b, skip_word(t, b, a));
    }
    return n;
}

/* Sane options: min <= target <= max <= hard <= WORDS_MAX, target and max >= 1. */
static void clamp_opts(const struct att_passage_opts *in, struct att_passage_opts *o)
{
    if (in == NULL) {
        att_passage_opts_default(o);
        return;
    }
    *o = *in;
    if (o->hard_words > WORDS_MAX)
        o->hard_words = WORDS_MAX;
    if (o->max_words > o->hard_words)
        o->max_words = o->hard_words;
    if (o->max_words == 0)
        o->max_words = 1;
    if (o->hard_words < o->max_words)
        o->hard_words = o->max_words;
    if (o->target_words == 0 || o->target_words > o->max_words)
        o->target_words = o->max_words;
    if (o->min_words > o->target_words)
        o->min_words = o->target_words;
}

/* Close the current window. One under min_words joins the paragraph's
 * previous passage when the two stay within max_words * 1.5. */
static int emit(struct win *w)
{
    unsigned limit = w->o->max_words + w->o->max_words / 2;
    int rc;

    if (w->words == 0)
        return ATT_OK;
    if (w->words < w->o->min_words && w->out->n > w->first && w->prev + w->words <= limit) {
        w->out->v[w->out->n - 1].end = w->end;
        w->prev += w->words;
        w->words = 0;
        return ATT_OK;
    }
    rc = att_spans_push(w->out, w->start, w->end);
    w->prev = w->words;
    w->words = 0;
    return rc;
}

/* True if the window should close before a unit of n more words. */
static bool full_before(const struct win *w, unsigned n)
{
    const struct att_passage_opts *o = w->o;
    unsigned long sum = (unsigned long)w->words + n;

    if (sum > o->hard_words)
        return true;
    if (w->words < o->min_words)
        return false;
    if (sum > o->max_words || w->words >= o->target_words)
        return true;
    /* Stop short of target when going on would land further from it. */
    return sum > o->target_words && sum - o->target_words > o->target_words - w->words;
}

/* Add the unit [a, b) of n words: a sentence or a piece of one. */
static int feed(struct win *w, size_t a, size_t b, unsigned n)
{
    int rc = ATT_OK;

    if (w->words > 0 && full_before(w, n))
        rc = emit(w);
    if (w->words == 0)
        w->start = a;
    w->end = b;
    w->words += n;
    return rc;
}

/* Cut the sentence [a, b) of n words into even pieces of about target. */
static int feed_long(struct win *w, size_t a, size_t b, unsigned n)
{
    unsigned pieces = (n + w->o->target_words - 1) / w->o->target_words;
    unsigned size = (n + pieces - 1) / pieces;
    int rc = ATT_OK;

    while (a < b && rc == ATT_OK) {
        size_t e = a;
        unsigned k = 0;

        while (k < size && e < b) {
            e = skip_word(w->t, b, skip_space(w->t, b, e));
            k++;
        }
        rc = feed(w, a, e, k);
        a = skip_space(w->t, b, e);
    }
    return rc;
}

/* A paragraph over max_words: sentences, grouped into windows. */
static int split_long(struct win *w, size_t a, size_t b)
{
    struct att_spans s = {NULL, 0, 0};
    int rc = att_sentences((const char *)w->t + a, b - a, &s, NULL);

    for (size_t k = 0; k < s.n && rc == ATT_OK; k++) {
        size_t sa = a + s.v[k].start, sb = a + s.v[k].end;
        unsigned n = count_words(w->t, sa, sb, w->o->hard_words + 1);

        if (n > w->o->hard_words)
            rc = feed_long(w, sa, sb, count_words(w->t, sa, sb, ~0u));
        else
            rc = feed(w, sa, sb, n);
    }
    if (rc == ATT_OK)
        rc = emit(w);
    att_spans_free(&s);
    return rc;
}

/* The end of t[a, b) with trailing white space removed. */
static size_t trim_end(const unsigned char *t, size_t a, size_t b)
{
    while (b > a) {
        if (space_at(t, b, b - 1) == 1)
            b--;
        else if (b - a >= 2 && t[b - 2] == 0xC2 && t[b - 1] == 0xA0)
            b -= 2;
        else
            break;
    }
    return b;
}

/* One line [a, b) of the body. */
static int paragraph(struct win *w, size_t a, size_t b)
{
    unsigned n;

    a = skip_space(w->t, b, a);
    b = trim_end(w->t, a, b);
    if (a >= b)
        return ATT_OK;
    n = count_words(w->t, a, b, w->o->max_words + 1);
    if (n <= w->o->max_words)
        return att_spans_push(w->out, a, b);
    w->first = w->out->n;
    w->words = 0;
    return split_long(w, a, b);
}

/* Passages of body[0..len) appended to *out (see text.h). Options out of
 * order are put right (min <= target <= max <= hard, max at least 1). A
 * window under min_words joins the previous one of its paragraph when the
 * two stay within max_words * 1.5. Linear in len; any bytes are accepted.
 * Returns ATT_OK or ATT_E_NOMEM (*out keeps what was added). */
int att_passages(const char *body, size_t len, const struct att_passage_opts *opts,
                 struct att_spans *out, struct att_err *err)
{
    struct att_passage_opts o;
    struct win w = {(const unsigned char *)body, &o, out, 0, 0, 0, 0, 0};
    size_t a = 0;
    int rc = ATT_OK;

    clamp_opts(opts, &o);
    while (a < len && rc == ATT_OK) {
        size_t b = a;

        while (b < len && body[b] != '\n' && body[b] != '\r')
            b++;
        rc = paragraph(&w, a, b);
        a = b + 1;
    }
    if (rc != ATT_OK)
        return att_err_set(err, rc, "out of memory splitting passages");
    return ATT_OK;
}
