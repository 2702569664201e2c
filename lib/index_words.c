/* attache: words as the index cuts them: Xapian's term generator's rule
 * (see index_words.h), ASCII here and other characters through Xapian's
 * tables (xap_unicode.h). Pure: thread-safe. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "attache/text.h"
#include "index_words.h"
#include "xap_unicode.h"

/* What a character between two words does to a phrase of matches. */
enum mark {
    M_NONE,   /* space, most punctuation, an invalid byte: a phrase goes on */
    M_CLAUSE, /* , ; : and their CJK and Arabic forms: a phrase never spans them */
    M_STOP    /* ! ? … and their CJK and Arabic forms, newlines: nor these */
};

/* What the term generator does with a character between two word characters. */
enum infix {
    I_NO,     /* ends the word */
    I_KEEP,   /* stays inside, as it is ("don't", "AT&T", "3,000") */
    I_APOS,   /* stays inside as an apostrophe (U+2019, U+201B) */
    I_IGNORE  /* stays inside, left out of the term (zero-width characters) */
};

/* One character of the text. */
struct chr {
    uint32_t cp; /* code point; U+FFFD for an invalid byte */
    size_t n;    /* length in bytes */
    bool word;   /* a word character to the term generator */
};

/* Scripts written without spaces between words: their words may be cut
 * anywhere in a snippet. */
static const uint32_t cjk[][2] = {
    {0x2E80, 0x2FDF},   {0x3005, 0x3007},   {0x3040, 0x31FF},   {0x3400, 0x4DBF},
    {0x4E00, 0x9FFF},   {0xF900, 0xFAFF},   {0x20000, 0x3FFFF},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool in_table(uint32_t cp, const uint32_t (*r)[2], size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (cp >= r[k][0] && cp <= r[k][1])
            return true;
    }
    return false;
}

/* Xapian's word characters among ASCII: letters, digits and '_'. */
static inline bool ascii_word(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_';
}

static inline bool ascii_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

/* The character at t[i] into *c; an invalid byte is a one-byte U+FFFD.
 * ASCII never leaves this file. */
static inline void read_chr(const unsigned char *t, size_t len, size_t i, struct chr *c)
{
    if (t[i] < 0x80) {
        c->cp = t[i];
        c->n = 1;
        c->word = ascii_word(t[i]);
        return;
    }
    c->cp = att_utf8_decode((const char *)t + i, len - i, &c->n);
    c->word = c->n > 1 && att_uni_is_wordchar(c->cp);
}

static bool is_digit(uint32_t cp)
{
    return cp < 0x80 ? cp >= '0' && cp <= '9' : att_uni_is_digit(cp);
}

static bool zero_width(uint32_t cp)
{
    return (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF;
}

/* cp between two word characters that are not both digits. */
static enum infix infix_any(uint32_t cp)
{
    if (cp == '\'' || cp == '&' || cp == 0xB7 || cp == 0x5F4 || cp == 0x2027)
        return I_KEEP;
    if (cp == 0x2019 || cp == 0x201B)
        return I_APOS;
    return zero_width(cp) ? I_IGNORE : I_NO;
}

/* cp between two digits. */
static enum infix infix_digits(uint32_t cp)
{
    switch (cp) {
    case ',': case '.': case ';': case 0x37E: case 0x589: case 0x60D: case 0x7F8:
    case 0x2044: case 0xFE10: case 0xFE13: case 0xFE14:
        return I_KEEP;
    default:
        return zero_width(cp) ? I_IGNORE : I_NO;
    }
}

/* A character that may be an infix of some kind: a quick test that spares
 * looking at the next character after most word ends. */
static inline bool may_join(uint32_t cp)
{
    return cp >= 0x80 || cp == '\'' || cp == '&' || cp == ',' || cp == '.' || cp == ';';
}

static enum mark mark_of(uint32_t cp)
{
    switch (cp) {
    case ',': case ';': case ':':
    case 0x060C: case 0x061B: /* Arabic comma and semicolon */
    case 0x3001: case 0xFF0C: case 0xFF1A: case 0xFF1B:
        return M_CLAUSE;
    case '!': case '?': case '\n': case '\r':
    case 0x061F: case 0x06D4: /* Arabic question mark and full stop */
    case 0x2026: case 0x2028: case 0x2029: case 0x3002: case 0xFF01: case 0xFF1F:
        return M_STOP;
    default:
        return M_NONE;
    }
}

/* ---------------------------------------------------------- words */

/* If an acronym starts at s->pos (capitals each followed by a dot but
 * perhaps the last, two or more, and no word character after), move
 * s->pos past it and its last dot, end w at its last letter, and return
 * true. */
static bool acronym(struct att_wscan *s, struct att_word *w)
{
    const unsigned char *t = s->t;
    size_t p = s->pos, letters = 0, end;
    struct chr c;

    if (!ascii_upper(t[p]))
        return false;
    for (;;) {
        end = ++p;
        letters++;
        if (p >= s->len || t[p] != '.')
            break;
        p++;
        if (p >= s->len || !ascii_upper(t[p]))
            break;
    }
    if (letters < 2)
        return false;
    if (p < s->len) {
        read_chr(t, s->len, p, &c);
        if (c.word)
            return false;
    }
    w->b = end;
    w->form = ATT_WF_ACRONYM;
    s->pos = p;
    return true;
}

/* Up to three '+' or '#' at w->b stay in the word when no word character
 * follows them ("C++", "C#", but "fish+chips"). */
static void suffix(struct att_wscan *s, struct att_word *w)
{
    size_t p = w->b, k = 0;
    struct chr c;

    while (p + k < s->len && k < 4 && (s->t[p + k] == '+' || s->t[p + k] == '#'))
        k++;
    if (k == 0 || k > 3)
        return;
    if (p + k < s->len) {
        read_chr(s->t, s->len, p + k, &c);
        if (c.word)
            return;
    }
    w->b = p + k;
    s->pos = p + k;
}

/* Move s->pos past the run of word characters there (ASCII in a tight
 * loop); *last gets the last of them. */
static void skip_run(struct att_wscan *s, struct att_word *w, struct chr *last)
{
    struct chr c;

    for (;;) {
        size_t p = s->pos;

        while (p < s->len && s->t[p] < 0x80 && ascii_word(s->t[p]))
            p++;
        if (p > s->pos) {
            last->cp = s->t[p - 1];
            last->n = 1;
            s->pos = p;
        }
        if (p >= s->len || s->t[p] < 0x80)
            return;
        read_chr(s->t, s->len, p, &c);
        if (!c.word)
            return;
        w->cjk = w->cjk || (c.cp >= 0x2E80 && in_table(c.cp, cjk, COUNT(cjk)));
        *last = c;
        s->pos += c.n;
    }
}

/* Move s->pos past the word that starts there, into w. */
static void skip_word(struct att_wscan *s, struct att_word *w)
{
    struct chr last = {0, 0, true}, c, next;
    enum infix in;

    for (;;) {
        skip_run(s, w, &last);
        if (s->pos >= s->len)
            break;
        read_chr(s->t, s->len, s->pos, &c);
        if (!may_join(c.cp) || s->pos + c.n >= s->len)
            break;
        read_chr(s->t, s->len, s->pos + c.n, &next);
        if (!next.word)
            break;
        in = is_digit(last.cp) && is_digit(next.cp) ? infix_digits(c.cp) : infix_any(c.cp);
        if (in == I_NO)
            break;
        if (in != I_KEEP)
            w->form = ATT_WF_MARKS;
        s->pos += c.n;
    }
    w->b = s->pos;
    suffix(s, w);
}

bool att_word_next(struct att_wscan *s, struct att_word *w)
{
    struct chr c;

    w->split = false;
    w->cjk = false;
    w->form = ATT_WF_TEXT;
    while (s->pos < s->len) {
        read_chr(s->t, s->len, s->pos, &c);
        if (c.word) {
            w->a = s->pos;
            if (!acronym(s, w))
                skip_word(s, w);
            return true;
        }
        if (mark_of(c.cp) != M_NONE)
            w->split = true;
        s->pos += c.n;
    }
    return false;
}

const char *att_word_form(const struct att_wscan *s, const struct att_word *w, char *buf,
                          size_t cap, size_t *n)
{
    struct chr c;
    size_t o = 0;

    *n = w->b - w->a;
    if (w->form == ATT_WF_TEXT || *n > cap)
        return (const char *)s->t + w->a;
    for (size_t i = w->a; i < w->b; i += c.n) {
        read_chr(s->t, s->len, i, &c);
        if (w->form == ATT_WF_ACRONYM && c.cp == '.')
            continue;
        if (c.cp == 0x2019 || c.cp == 0x201B)
            buf[o++] = '\'';
        else if (!zero_width(c.cp)) {
            memcpy(buf + o, s->t + i, c.n);
            o += c.n;
        }
    }
    *n = o;
    return buf;
}
