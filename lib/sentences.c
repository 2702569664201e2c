/* attache: sentence boundaries in UTF-8 text, as trimmed byte ranges. Knows
 * abbreviations, initials, decimals and quotations that go on (" “ ” « » „
 * 「 」 『 』, the spaces French puts inside guillemets); does not parse
 * grammar. One pass over the text: linear, never reads past len. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "attache/text.h"

#define TOKEN_MAX 24   /* a longer word before a dot is never an abbreviation */
#define STARTER_MAX 12 /* longest word in the starters table */

enum abbr { ABBR_NONE, ABBR_ALWAYS, ABBR_WEAK };

/* A dot after these never ends a sentence: a name or a number follows. */
static const char *const always_abbr[] = {
    "Mr", "Mrs", "Ms", "Messrs", "Dr", "Prof", "Gen", "Lt", "Col", "Maj", "Capt", "Sgt",
    "Adm", "Cmdr", "Brig", "Amb", "H.E", "Sen", "Rep", "Gov", "Pres", "Rev", "Hon", "Supt",
    "para", "paras", "Para", "art", "Art", "vol", "Vol", "fig", "Fig", "pp", "cf", "viz",
    "vs", "v", "e.g", "i.e", "approx", NULL,
};

/* A dot after these ends a sentence only before a word that usually opens
 * one ("the U.S. The talks", "Apple Inc. He"); so do initials and dotted
 * capitals ("John F. Kennedy", "U.N."), handled by shape. */
static const char *const weak_abbr[] = {
    "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
    "No", "Nos", "St", "Mt", "Ft", "Ave", "Blvd", "Inc", "Corp", "Ltd", "Co", "Bros", "Jr",
    "Sr", "Dept", "Gov't", NULL,
};

/* Words that commonly open a sentence, and rarely follow an abbreviation. */
static const char *const starters[] = {
    "The", "A", "An", "It", "Its", "He", "She", "They", "We", "I", "You", "This", "That",
    "These", "Those", "There", "Then", "But", "And", "Or", "So", "Yet", "In", "On", "At",
    "As", "After", "Before", "When", "While", "If", "However", "Meanwhile", "His", "Her",
    "Their", "Our", "My", "What", "Who", "Why", "How", "Some", "Many", "Most", "All", "For",
    "From", "With", "Since", "Although", "Also", "Now", "Today", "Yesterday", "Earlier",
    "Later", "According", "Both", "Each", "Such", "No", "Not", "Only", "Still", "Thus",
    NULL,
};

/* Length of the horizontal white space at t[i], else 0: 1 for ASCII, 2 for
 * U+00A0, 3 for the thin and narrow no-break spaces French puts inside
 * guillemets (U+2009, U+202F) and the ideographic space (U+3000). */
static size_t hspace(const unsigned char *t, size_t len, size_t i)
{
    unsigned char c = t[i];

    if (c == ' ' || c == '\t' || c == '\f' || c == '\v')
        return 1;
    if (c == 0xC2 && i + 1 < len && t[i + 1] == 0xA0)
        return 2;
    if (i + 2 < len && c == 0xE2 && t[i + 1] == 0x80 && (t[i + 2] == 0x89 || t[i + 2] == 0xAF))
        return 3;
    if (i + 2 < len && c == 0xE3 && t[i + 1] == 0x80 && t[i + 2] == 0x80)
        return 3;
    return 0;
}

static bool newline(unsigned char c)
{
    return c == '\n' || c == '\r';
}

/* The length of the white space character that ends just before t[i]
 * (i > 0), or 0. */
static size_t space_before(const unsigned char *t, size_t i)
{
    unsigned char c = t[i - 1];

    if (c == ' ' || c == '\t' || c == '\f' || c == '\v' || newline(c))
        return 1;
    if (c == 0xA0 && i >= 2 && t[i - 2] == 0xC2)
        return 2;
    if (i >= 3 && hspace(t, i, i - 3) == 3)
        return 3;
    return 0;
}

/* Trim white space off [a, b) and append it unless empty. */
static int push_trimmed(struct att_spans *out, const unsigned char *t, size_t a, size_t b)
{
    while (a < b) {
        size_t n = newline(t[a]) ? 1 : hspace(t, b, a);

        if (n == 0)
            break;
        a += n;
    }
    while (b > a && space_before(t, b) > 0)
        b -= space_before(t, b);
    if (a >= b)
        return ATT_OK;
    return att_spans_push(out, a, b);
}

static bool in_table(const char *const *table, const unsigned char *w, size_t n)
{
    for (size_t k = 0; table[k] != NULL; k++) {
        if (strlen(table[k]) == n && memcmp(table[k], w, n) == 0)
            return true;
    }
    return false;
}

/* "U.S", "H.W": single capital letters joined by dots (the last dot cut). */
static bool dotted_capitals(const unsigned char *w, size_t n)
{
    if (n % 2 == 0)
        return false;
    for (size_t k = 0; k < n; k++) {
        bool letter = (w[k] >= 'A' && w[k] <= 'Z');

        if (k % 2 == 0 ? !letter : w[k] != '.')
            return false;
    }
    return true;
}

static size_t opener_len(const unsigned char *w, size_t n)
{
    if (n >= 1 && w[0] != '\0' && strchr("([{\"'", w[0]) != NULL)
        return 1;
    if (n >= 2 && w[0] == 0xC2 && w[1] == 0xAB)
        return 2; /* « */
    if (n >= 3 && w[0] == 0xE2 && w[1] == 0x80 && (w[2] == 0x9C || w[2] == 0x98 || w[2] == 0x9E))
        return 3; /* “ ‘ „ */
    if (n >= 3 && w[0] == 0xE3 && w[1] == 0x80 && (w[2] == 0x8C || w[2] == 0x8E))
        return 3; /* 「 『 */
    return 0;
}

/* What kind of word ends at the dot t[dot], a sentence starting at start. */
static enum abbr word_before(const unsigned char *t, size_t start, size_t dot)
{
    size_t a = dot, n;

    while (a > start && dot - a <= TOKEN_MAX && !space_before(t, a))
        a--;
    if (dot - a > TOKEN_MAX)
        return ABBR_NONE;
    for (n = opener_len(t + a, dot - a); n > 0; n = opener_len(t + a, dot - a))
        a += n;
    n = dot - a;
    if (n == 0)
        return ABBR_NONE;
    if (in_table(always_abbr, t + a, n))
        return ABBR_ALWAYS;
    if (in_table(weak_abbr, t + a, n) || dotted_capitals(t + a, n))
        return ABBR_WEAK;
    return ABBR_NONE;
}

/* True if the word at t[k] is one of the sentence starters. */
static bool starter_at(const unsigned char *t, size_t len, size_t k)
{
    size_t m = k;

    while (m < len && m - k <= STARTER_MAX
           && ((t[m] >= 'a' && t[m] <= 'z') || (t[m] >= 'A' && t[m] <= 'Z')))
        m++;
    if (m == k || m - k > STARTER_MAX)
        return false;
    return in_table(starters, t + k, m - k);
}

/* A closing mark at t[i], its length in *n: " ' ) ] ” ’ “ (which closes
 * German „...“) 」 』, and » with the space French may put before it. */
static bool closer_at(const unsigned char *t, size_t len, size_t i, size_t *n)
{
    size_t h = hspace(t, len, i);

    if (t[i] == '"' || t[i] == '\'' || t[i] == ')' || t[i] == ']') {
        *n = 1;
        return true;
    }
    if (i + 2 < len && t[i] == 0xE2 && t[i + 1] == 0x80
        && (t[i + 2] == 0x9D || t[i + 2] == 0x99 || t[i + 2] == 0x9C)) {
        *n = 3;
        return true;
    }
    if (i + 2 < len && t[i] == 0xE3 && t[i + 1] == 0x80 && (t[i + 2] == 0x8D || t[i + 2] == 0x8F)) {
        *n = 3;
        return true;
    }
    if (i + h + 1 < len && t[i + h] == 0xC2 && t[i + h + 1] == 0xBB) {
        *n = h + 2;
        return true;
    }
    return false;
}

static bool terminal(unsigned char c)
{
    return c == '.' || c == '!' || c == '?';
}

/* One terminal mark run: punctuation at [p, r), closing marks at [r, j). */
struct stop {
    size_t start; /* where the current sentence began */
    size_t p, r, j;
};

/* True if the run in *s ends a sentence. Newlines end sentences anyway, so a
 * run followed by one (or by the end of text) is left to them. */
static bool is_break(const unsigned char *t, size_t len, const struct stop *s)
{
    size_t k = s->j, n;

    if (k >= len || hspace(t, len, k) == 0)
        return false;
    for (n = hspace(t, len, k); n > 0; n = k < len ? hspace(t, len, k) : 0)
        k += n;
    if (k >= len || newline(t[k]) || (t[k] >= 'a' && t[k] <= 'z'))
        return false;
    if (s->r - s->p == 1 && t[s->p] == '.' && s->j == s->r) {
        enum abbr kind = word_before(t, s->start, s->p);

        if (kind == ABBR_ALWAYS)
            return false;
        if (kind == ABBR_WEAK)
            return starter_at(t, len, k);
    }
    return true;
}

/* Sentences of text[0..len) appended to *out as trimmed, ordered byte
 * ranges that cover every non-blank byte (see text.h). Any bytes are
 * accepted; a boundary only ever falls after an ASCII byte or a whole
 * closing mark. Returns ATT_OK or ATT_E_NOMEM (*out keeps what was added). */
int att_sentences(const char *text, size_t len, struct att_spans *out, struct att_err *err)
{
    const unsigned char *t = (const unsigned char *)text;
    struct stop s = {0, 0, 0, 0};
    size_t i = 0, n;
    int rc = ATT_OK;

    while (i < len && rc == ATT_OK) {
        if (newline(t[i])) {
            rc = push_trimmed(out, t, s.start, i);
            s.start = ++i;
            continue;
        }
        if (!terminal(t[i])) {
            i++;
            continue;
        }
        s.p = i;
        for (s.r = i; s.r < len && terminal(t[s.r]); s.r++)
            ;
        for (s.j = s.r; s.j < len && closer_at(t, len, s.j, &n); s.j += n)
            ;
        if (is_break(t, len, &s)) {
            rc = push_trimmed(out, t, s.start, s.j);
            s.start = s.j;
        }
        i = s.j;
    }
    if (rc == ATT_OK)
        rc = push_trimmed(out, t, s.start, len);
    if (rc != ATT_OK)
        return att_err_set(err, rc, "out of memory splitting sentences");
    return ATT_OK;
}
