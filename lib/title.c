/* attache: a title from the body text (att_title_from_body): what opens a
 * speech (salutations, thanks, speaker labels, stage directions) is passed
 * over, then the first line or sentence is taken, cut whole where possible. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attache/doc.h"
#include "attache/text.h"
#include "doc_priv.h"

#define TITLE_MIN 10    /* a first sentence shorter than this is no title */
#define SCAN_MAX 400    /* bytes looked at for a salutation ending in ':' */
#define OPENER_MAX 80   /* a "Thank you..." sentence longer than this is text */
#define STAGE_MAX 40    /* bytes of "(Applause.)" */
#define LABEL_MAX 40    /* bytes of an upper-case speaker label ("THE PRESIDENT:") */
#define PHRASE_WORDS 8  /* words of one phrase of a salutation without ':' */
#define OPENERS_MAX 12  /* openers passed over, at most */
#define ELLIPSIS "\xE2\x80\xA6"

/* Phrases that open a salutation ("Members of the Congress"), and up to how
 * many words a phrase so opened is a salutation on its own (0: only among
 * others, "distinguished guests"). Lower case, matched at a word's end. */
static const struct {
    const char *start;
    unsigned alone;
} addresses[] = {
    {"ladies and gentlemen", 3}, {"my fellow", 3},      {"fellow", 2},
    {"my dear", 4},              {"dear", 3},           {"my friends", 2},
    {"members of", 5},           {"gentlemen", 1},      {"ladies", 0},
    {"distinguished", 0},        {"honored", 0},        {"honoured", 0},
    {"honorable", 0},            {"honourable", 0},     {"senators", 1},
    {"representatives", 0},      {"delegates", 0},      {"your excellenc", 3},
    {"excellencies", 1},         {"your majesty", 2},   {"your highness", 3},
    {"my colleagues", 0},        {"colleagues", 1},     {"to the", 0},
    {"the senate", 0},           {"the congress", 0},   {"the first lady", 0},
    {"vice president", 0},       {"citizens", 0},       {"our distinguished", 0},
    {"friends", 0},
};

/* "Mr. Speaker", "Madam President": an honorific, then an office. */
static const char *const honorifics[] = {"mr.", "mr", "mister", "madam", "madame", "mrs.",
                                         "ms."};
static const char *const offices[] = {
    "speaker",  "president", "vice president", "vice-president", "chairman", "chairwoman",
    "chair",    "chief justice", "prime minister", "secretary", "mayor", "governor",
    "ambassador", "majority leader", "minority leader", "leader", "moderator",
};

/* Sentences that open a speech before its subject ("Thank you very much."). */
static const char *const thanks[] = {"thank you", "thanks", "please", "good morning",
                                     "good afternoon", "good evening", "hello"};

/* Speaker labels that end in '.' or ':' ("The President."). */
static const char *const labels[] = {"the president", "the vice president", "the speaker",
                                     "the chairman", "the chair", "the prime minister"};

/* Small words a cut title does not end on. */
static const char *const stop_words[] = {"a", "an", "and", "as", "at", "by", "for", "from",
                                         "in", "is", "its", "my", "of", "on", "or", "our",
                                         "that", "the", "their", "this", "to", "with", "your"};

static bool letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (unsigned char)c >= 0x80;
}

/* The length of w when s[0..n) starts with it (any case) and a word ends
 * there, else 0. */
static size_t starts(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);

    if (k > n || strncasecmp(s, w, k) != 0 || (k < n && letter(s[k]) && letter(w[k - 1])))
        return 0;
    return k;
}

static size_t skip_space(const char *s, size_t n, size_t i)
{
    while (i < n && att_doc_space((unsigned char)s[i]))
        i++;
    return i;
}

/* True when the '.' at s[i] ends an abbreviation or an initial ("Mr.",
 * "U.S.", "F."), not a sentence. */
static bool abbreviation(const char *s, size_t i)
{
    size_t w = i;

    while (w > 0 && !att_doc_space((unsigned char)s[w - 1]))
        w--;
    if (memchr(s + w, '.', i - w) != NULL)
        return true;
    return i - w <= 3 && s[w] >= 'A' && s[w] <= 'Z';
}

/* The bytes of closing quotes and brackets at s[i..n). */
static size_t closers(const char *s, size_t n, size_t i)
{
    size_t j = i;

    for (;;) {
        if (j < n && strchr("\"')]", s[j]) != NULL && s[j] != '\0')
            j++;
        else if (n - j >= 3 && (memcmp(s + j, "\xE2\x80\x9D", 3) == 0 ||
                                memcmp(s + j, "\xE2\x80\x99", 3) == 0))
            j += 3;
        else
            return j - i;
    }
}

/* When a sentence ends at s[i] ('.', '!' or '?' not in an abbreviation,
 * then closing quotes, then white space or the end), where it ends; else 0. */
static size_t sentence_end_at(const char *s, size_t n, size_t i)
{
    size_t j;

    if (s[i] != '.' && s[i] != '!' && s[i] != '?')
        return 0;
    j = i + 1 + closers(s, n, i + 1);
    if (j < n && !att_doc_space((unsigned char)s[j]))
        return 0;
    if (s[i] == '.' && abbreviation(s, i))
        return 0;
    /* "etc. and so on": a lower-case word after it goes on with the sentence. */
    if (s[i] == '.' && j + 1 < n && s[j + 1] >= 'a' && s[j + 1] <= 'z')
        return 0;
    return j;
}

/* ---- openers ---- */

/* How much of a salutation the phrase s[0..n) (trimmed) is: 0 none (or
 * more than max_words words), 1 one among others, 2 one on its own. */
static int address_kind(const char *s, size_t n, unsigned max_words)
{
    unsigned words = 1;
    size_t k;

    k = starts(s, n, "and ");
    s += k;
    n -= k;
    for (size_t i = 0; i < n; i++)
        words += s[i] == ' ';
    if (n == 0 || words > max_words)
        return 0;
    for (size_t h = 0; h < sizeof honorifics / sizeof honorifics[0]; h++) {
        k = starts(s, n, honorifics[h]);
        if (k == 0 || k >= n || s[k] != ' ')
            continue;
        for (size_t o = 0; o < sizeof offices / sizeof offices[0]; o++) {
            if (starts(s + k + 1, n - k - 1, offices[o]) > 0)
                return words <= 4 ? 2 : 1;
        }
    }
    for (size_t a = 0; a < sizeof addresses / sizeof addresses[0]; a++) {
        if (starts(s, n, addresses[a].start) > 0)
            return words <= addresses[a].alone ? 2 : 1;
    }
    return 0;
}

/* The phrase of s[0..n) that ends at the first ',', ';', ':', '!', '?',
 * sentence end or dash (or after SCAN_MAX bytes): its length (trailing
 * white space left out) and, in *next, where the text after its separator
 * starts. */
static size_t phrase(const char *s, size_t n, size_t *next)
{
    size_t i = 0, e;

    n = n < SCAN_MAX ? n : SCAN_MAX;
    while (i < n && strchr(",;:!?", s[i]) == NULL && sentence_end_at(s, n, i) == 0 &&
           !(n - i >= 3 && memcmp(s + i, "\xE2\x80\x94", 3) == 0) && s[i] != '\n')
        i++;
    e = i;
    while (e > 0 && att_doc_space((unsigned char)s[e - 1]))
        e--;
    *next = i < n ? i + (s[i] == '\xE2' ? 3 : 1) : n;
    return e;
}

/* A stage direction "(Applause.)" or "[Laughter]" at the start: its length. */
static size_t stage(const char *s, size_t n)
{
    const char *close;

    if (n == 0 || (s[0] != '(' && s[0] != '['))
        return 0;
    close = memchr(s, s[0] == '(' ? ')' : ']', n < STAGE_MAX ? n : STAGE_MAX);
    return close != NULL && memchr(s, '\n', (size_t)(close - s)) == NULL
               ? (size_t)(close - s) + 1 : 0;
}

/* A salutation ending in ':' ("Mr. Speaker, Mr. President, Members of the
 * Congress:"): its first phrase is one, and no sentence ends before the
 * ':'. Returns the bytes through the ':', or 0. */
static size_t colon_salutation(const char *s, size_t n)
{
    size_t next, m = n < SCAN_MAX ? n : SCAN_MAX;

    if (address_kind(s, phrase(s, n, &next), SCAN_MAX) == 0)
        return 0;
    for (size_t i = 0; i < m && s[i] != '\n'; i++) {
        if (sentence_end_at(s, n, i) > 0)
            return 0;
        if (s[i] == ':' && (i + 1 == n || att_doc_space((unsigned char)s[i + 1])))
            return i + 1;
    }
    return 0;
}

/* A salutation of phrases ("Ladies and gentlemen, ..."): two or more, or
 * one that is a salutation on its own. Returns the bytes it takes, or 0. */
static size_t vocative(const char *s, size_t n)
{
    size_t p = 0, end = 0, next, k, count = 0;
    int kind = 0, best = 0;

    while (p < n) {
        k = stage(s + p, n - p);
        if (k > 0) {
            p = skip_space(s, n, p + k);
            continue;
        }
        k = phrase(s + p, n - p, &next);
        kind = address_kind(s + p, k, PHRASE_WORDS);
        if (kind == 0)
            break;
        count++;
        best = kind > best ? kind : best;
        p = skip_space(s, n, p + next);
        end = p;
    }
    if (count == 0 || (count == 1 && best < 2))
        return 0;
    return end;
}

/* A short opening sentence of thanks or welcome: its length, or 0. */
static size_t thanks_sentence(const char *s, size_t n)
{
    size_t m = n < OPENER_MAX ? n : OPENER_MAX, k = 0;

    for (size_t t = 0; t < sizeof thanks / sizeof thanks[0] && k == 0; t++)
        k = starts(s, n, thanks[t]);
    for (size_t i = k; k > 0 && i < m && s[i] != '\n'; i++) {
        size_t e = sentence_end_at(s, n, i);

        if (e > 0)
            return e;
    }
    return 0;
}

/* A speaker label: "The President." or "THE PRESIDENT:". Its length, or 0. */
static size_t speaker_label(const char *s, size_t n)
{
    size_t i = 0, upper = 0;

    for (size_t l = 0; l < sizeof labels / sizeof labels[0]; l++) {
        size_t k = starts(s, n, labels[l]);

        if (k > 0 && k < n && (s[k] == '.' || s[k] == ':') &&
            (k + 1 == n || att_doc_space((unsigned char)s[k + 1])))
            return k + 1;
    }
    while (i < n && i < LABEL_MAX && ((s[i] >= 'A' && s[i] <= 'Z') || strchr(" .'-", s[i]))) {
        upper += s[i] >= 'A' && s[i] <= 'Z';
        i++;
    }
    if (upper >= 2 && i < n && s[i] == ':' && (i + 1 == n || s[i + 1] == ' ' || s[i + 1] == '\n'))
        return i + 1;
    return 0;
}

/* Where the text proper starts in s[0..n) (white space already skipped):
 * past the openers of a speech. *vocative_seen is set when what follows
 * them goes on a sentence ("Ladies and gentlemen, it is..."). */
static size_t skip_openers(const char *s, size_t n, bool *vocative_seen)
{
    size_t p = 0, k = 1;

    *vocative_seen = false;
    for (int round = 0; round < OPENERS_MAX && k > 0 && p < n; round++) {
        k = speaker_label(s + p, n - p);
        if (k == 0)
            k = stage(s + p, n - p);
        if (k == 0)
            k = thanks_sentence(s + p, n - p);
        if (k == 0)
            k = colon_salutation(s + p, n - p);
        if (k == 0 && (k = vocative(s + p, n - p)) > 0)
            *vocative_seen = true;
        p = skip_space(s, n, p + k);
        while (k > 0 && p < n && (s[p] == '-' || s[p] == ',' || s[p] == ';'))
            p = skip_space(s, n, p + 1);
        while (k > 0 && n - p >= 3 && (memcmp(s + p, "\xE2\x80\x94", 3) == 0 ||
                                       memcmp(s + p, "\xE2\x80\x93", 3) == 0))
            p = skip_space(s, n, p + 3);
    }
    return p;
}

/* ---- cutting ---- */

/* The end of the first sentence of s[0..n) that is at least TITLE_MIN
 * bytes long and ends by max bytes, or 0. */
static size_t first_sentence(const char *s, size_t n, size_t max)
{
    for (size_t i = 0; i < n && i < max; i++) {
        size_t e = sentence_end_at(s, n, i);

        if (e >= TITLE_MIN && e <= max)
            return e;
    }
    return 0;
}

/* The last clause boundary (',', ';', ':' or a dash between words) of
 * s[0..lim] past lim * 2 / 5: the length before it, or 0. */
static size_t clause_cut(const char *s, size_t lim)
{
    for (size_t i = lim; i > lim * 2 / 5; i--) {
        bool em = i + 3 <= lim && memcmp(s + i, "\xE2\x80\x94", 3) == 0;
        bool en = i + 4 <= lim && memcmp(s + i, "\xE2\x80\x93 ", 4) == 0 && s[i - 1] == ' ';
        bool hyphen = i + 1 < lim && s[i] == '-' && s[i - 1] == ' ' && s[i + 1] == ' ';

        if (s[i] == ',' || s[i] == ';' || s[i] == ':' || em || en || hyphen)
            return i;
    }
    return 0;
}

/* True when the word that ends s[0..n) is a small word a title should not
 * end on; *start gets where it begins. */
static bool ends_in_stop_word(const char *s, size_t n, size_t *start)
{
    size_t w = n;

    while (w > 0 && s[w - 1] != ' ')
        w--;
    *start = w;
    for (size_t i = 0; i < sizeof stop_words / sizeof stop_words[0]; i++) {
        if (strlen(stop_words[i]) == n - w && strncasecmp(s + w, stop_words[i], n - w) == 0)
            return true;
    }
    return false;
}

/* Cut s[0..n) (n > lim) to at most lim bytes: at a clause boundary, else
 * at the last space, else at a character boundary; then trailing
 * punctuation and small words are dropped. Returns the length kept. */
static size_t cut(const char *s, size_t n, size_t lim)
{
    size_t k = clause_cut(s, lim), w;

    if (k == 0) {
        k = att_utf8_floor(s, n, lim);
        w = k;
        while (w > lim / 2 && s[w] != ' ')
            w--;
        k = w > lim / 2 ? w : k;
    }
    for (;;) {
        w = k;
        while (w > 0 && (att_doc_space((unsigned char)s[w - 1]) ||
                         strchr(",;:-", s[w - 1]) != NULL))
            w--;
        k = w > 0 ? w : k;
        if (!ends_in_stop_word(s, k, &w) || w <= lim / 3)
            return k;
        k = w;
    }
}

/* s[0..n) collapsed, with an ellipsis after it when ell; NULL without
 * memory or text. */
static char *title_text(const char *s, size_t n, bool ell, bool upper)
{
    char *t = NULL, *r;
    size_t k;

    if (n == 0 || att_doc_collapse(s, n, &t) != ATT_OK || t == NULL)
        return NULL;
    if (upper && t[0] >= 'a' && t[0] <= 'z')
        t[0] = (char)(t[0] - 'a' + 'A');
    if (!ell)
        return t;
    k = strlen(t);
    r = realloc(t, k + sizeof ELLIPSIS);
    if (r == NULL) {
        free(t);
        return NULL;
    }
    memcpy(r + k, ELLIPSIS, sizeof ELLIPSIS);
    return r;
}

/* After a salutation, a short rest of its sentence (", as am I."): its
 * length, or 0 when the sentence goes on for longer. */
static size_t short_rest(const char *s, size_t n)
{
    /* "I." ends a sentence here, though it looks like an initial. */
    for (size_t i = 0; i < n && i < TITLE_MIN + 6 && s[i] != '\n'; i++) {
        if (strchr(".!?", s[i]) != NULL && s[i] != '\0' &&
            (i + 1 == n || att_doc_space((unsigned char)s[i + 1])))
            return i + 1;
    }
    return 0;
}

char *att_title_from_body(const char *body, size_t len, size_t max)
{
    size_t n = skip_space(body, len, 0), skip, end;
    bool vocative_seen = false, ell = false;
    const char *nl;

    body += n;
    len -= n;
    skip = skip_openers(body, len, &vocative_seen);
    if (vocative_seen && skip < len)
        skip = skip_space(body, len, skip + short_rest(body + skip, len - skip));
    if (skip < len) {
        body += skip;
        len -= skip;
    } else {
        vocative_seen = false; /* nothing but openers: they are the text */
    }
    nl = len > 0 ? memchr(body, '\n', len) : NULL;
    n = nl != NULL ? (size_t)(nl - body) : len;
    while (n > 0 && att_doc_space((unsigned char)body[n - 1]))
        n--;
    if (n > max) {
        end = first_sentence(body, n, max);
        ell = end == 0 && max >= 2 * sizeof ELLIPSIS;
        if (end == 0)
            end = cut(body, n, ell ? max - (sizeof ELLIPSIS - 1) : max);
        n = end;
    }
    return title_text(body, n, ell, vocative_seen);
}
