/* attache: unit tests of highlighting: match ranges (words cut as the index
 * cuts them, phrases, apostrophes, acronyms, other scripts) and snippets
 * (window choice, ellipses, markers, length, UTF-8 safety, huge and random
 * inputs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "attache/highlight.h"
#include "attache/text.h"
#include "helpers.h"
#include "xap_unicode.h"

#define ELL "\xE2\x80\xA6"

/* ------------------------------------------------------------ helpers */

/* The query words, in the stemmed form the test matcher compares. */
static const char *const vocab[] = {
    "sanction", "red", "line", "taiwan", "us", "china", "xi", "don't", "run", "3,000",
    "\xC3\x89lys\xC3\xA9" "e", "\xE4\xB8\xAD\xE5\x9B\xBD", "talk", "quote", NULL,
};

/* Lower-case ASCII, strip a possessive and then one plural "s" after a
 * letter, and look the result up in a NULL-ended list. */
static bool match_list(void *ud, const char *word, size_t len)
{
    const char *const *list = ud;
    char w[128];

    assert_true(len > 0);
    assert_true(att_utf8_valid(word, len));
    if (len >= sizeof w)
        return false;
    for (size_t i = 0; i < len; i++)
        w[i] = (word[i] >= 'A' && word[i] <= 'Z') ? (char)(word[i] + 32) : word[i];
    if (len > 2 && w[len - 2] == '\'' && w[len - 1] == 's')
        len -= 2;
    else if (len > 4 && memcmp(w + len - 4, "\xE2\x80\x99s", 4) == 0)
        len -= 4;
    else if (len > 2 && w[len - 1] == 's' && w[len - 2] >= 'a' && w[len - 2] <= 'z')
        len--;
    for (size_t k = 0; list[k] != NULL; k++) {
        if (strlen(list[k]) == len && memcmp(list[k], w, len) == 0)
            return true;
    }
    return false;
}

static struct att_spans spans_of(const char *t, size_t len, const char *const *words)
{
    struct att_matcher m = {match_list, (void *)words};
    struct att_spans s = {NULL, 0, 0};
    struct att_err err = {0, ""};

    assert_int_equal(att_match_spans(t, len, &m, &s, &err), ATT_OK);
    return s;
}

/* The ranges of t with the word list are exactly those of ap (NULL-ended). */
static void vexpect_ranges(const char *const *words, const char *t, va_list ap)
{
    struct att_spans s = spans_of(t, strlen(t), words);
    size_t k = 0;
    const char *want;

    for (want = va_arg(ap, const char *); want != NULL; want = va_arg(ap, const char *)) {
        assert_true(k < s.n);
        assert_int_equal(s.v[k].end - s.v[k].start, strlen(want));
        assert_memory_equal(t + s.v[k].start, want, strlen(want));
        k++;
    }
    assert_int_equal(k, s.n);
    att_spans_free(&s);
}

/* The same with the vocabulary. */
static void expect_ranges(const char *t, ...)
{
    va_list ap;

    va_start(ap, t);
    vexpect_ranges(vocab, t, ap);
    va_end(ap);
}

static void expect_ranges_of(const char *const *words, const char *t, ...)
{
    va_list ap;

    va_start(ap, t);
    vexpect_ranges(words, t, ap);
    va_end(ap);
}

/* The snippet of t for the vocabulary with the given marks and length. */
static char *snippet_of(const char *t, size_t len, const char *pre, const char *post,
                        size_t length)
{
    struct att_spans s = spans_of(t, len, vocab);
    struct att_snippet_opts o = {pre, post, length, NULL};
    char *out = att_snippet(t, len, &s, &o);

    assert_non_null(out);
    att_spans_free(&s);
    return out;
}

static void expect_snippet(const char *t, size_t length, const char *want)
{
    char *out = snippet_of(t, strlen(t), "<b>", "</b>", length);

    assert_string_equal(out, want);
    free(out);
}

/* Bytes of passage text in a snippet: without the ellipses at its ends
 * and without the markers. */
static size_t text_bytes(const char *out, const char *pre, const char *post)
{
    size_t n = strlen(out), total = 0, np = strlen(pre), nq = strlen(post);
    const char *p = out, *end;

    if (strcmp(out, ELL) == 0)
        return 0; /* nothing fits: the ellipsis alone */
    if (n >= 4 && memcmp(p, ELL " ", 4) == 0) {
        p += 4;
        n -= 4;
    }
    if (n >= 4 && memcmp(p + n - 4, " " ELL, 4) == 0)
        n -= 4;
    end = p + n;
    while (p < end) {
        if (np > 0 && (size_t)(end - p) >= np && memcmp(p, pre, np) == 0)
            p += np;
        else if (nq > 0 && (size_t)(end - p) >= nq && memcmp(p, post, nq) == 0)
            p += nq;
        else {
            p++;
            total++;
        }
    }
    return total;
}

/* Every marked part of the snippet is one whole match range of t. */
static void check_marked(const char *out, const char *t, const struct att_spans *s)
{
    const char *p = strstr(out, "<b>");

    while (p != NULL) {
        const char *q = strstr(p + 3, "</b>");
        bool found = false;

        assert_non_null(q);
        for (size_t k = 0; k < s->n && !found; k++) {
            size_t n = s->v[k].end - s->v[k].start;

            found = n == (size_t)(q - p - 3) && memcmp(t + s->v[k].start, p + 3, n) == 0;
        }
        assert_true(found);
        p = strstr(q + 4, "<b>");
    }
}

/* ------------------------------------------------------------ match spans */

static void test_single_words(void **state)
{
    (void)state;
    expect_ranges("The sanctions were lifted.", "sanctions", NULL);
    expect_ranges("Sanction, sanctions; SANCTIONS", "Sanction", "sanctions", "SANCTIONS", NULL);
    expect_ranges("No match in here at all.", NULL);
    expect_ranges("sanctionsx unsanctioned", NULL);
    expect_ranges("Taiwan", "Taiwan", NULL);
}

static void test_phrase_merge(void **state)
{
    (void)state;
    expect_ranges("He drew a red line over Taiwan.", "red line", "Taiwan", NULL);
    expect_ranges("a red  \t line", "red  \t line", NULL);
    expect_ranges("a red hot line", "red", "line", NULL);
    expect_ranges("(red) line and \"Taiwan\" talks", "red) line", "Taiwan\" talks", NULL);
    expect_ranges("red/line, Taiwan: talks", "red/line", "Taiwan", "talks", NULL);
    expect_ranges("U.S.-China talks", "U.S.-China talks", NULL);
    expect_ranges("the U.S. sanctions", "U.S. sanctions", NULL);
}

static void test_no_merge_across_sentence_end(void **state)
{
    (void)state;
    expect_ranges("He drew a red line. Red lines matter.", "red line", "Red lines", NULL);
    expect_ranges("Cross the line! red alert", "line", "red", NULL);
    expect_ranges("Is it a line? Red, yes.", "line", "Red", NULL);
    expect_ranges("red line\nred line", "red line", "red line", NULL);
    expect_ranges("a line\xE2\x80\xA6 red", "line", "red", NULL);
    expect_ranges("\xE4\xB8\xAD\xE5\x9B\xBD\xE3\x80\x82" "China", "\xE4\xB8\xAD\xE5\x9B\xBD",
                  "China", NULL);
}

static void test_apostrophes_and_abbreviations(void **state)
{
    (void)state;
    expect_ranges("We don't know.", "don't", NULL);
    expect_ranges("Xi\xE2\x80\x99s visit and Xi's call", "Xi\xE2\x80\x99s", "Xi's", NULL);
    expect_ranges("The U.S. said so.", "U.S", NULL);
    expect_ranges("Ties with the U.S.", "U.S", NULL);
    expect_ranges("U.S.-China", "U.S.-China", NULL);
    expect_ranges("state-run media", "run", NULL);
    expect_ranges("'talks' and 'Taiwan'", "talks", "Taiwan", NULL);
    expect_ranges("the talks\xE2\x80\x99 end", "talks", NULL);
    expect_ranges("some 3,000 troops, not 3, 000", "3,000", NULL);
}

static void test_multibyte(void **state)
{
    (void)state;
    /* Ideographs and Latin letters next to them are one word, as the index
     * (without CJK n-grams) has it: a search for "sanctions" does not find
     * this one, so it is not marked. */
    expect_ranges("\xE7\xBE\x8E\xE5\x9B\xBD\xE5\xAF\xB9\xE5\x8D\x8E" "sanctions", NULL);
    expect_ranges("\xE7\xBE\x8E\xE5\x9B\xBD\xE5\xAF\xB9\xE5\x8D\x8E sanctions",
                  "sanctions", NULL);
    expect_ranges("\xE4\xB8\xAD\xE5\x9B\xBD China", "\xE4\xB8\xAD\xE5\x9B\xBD China", NULL);
    expect_ranges("\xE4\xB8\xAD\xE5\x9B\xBD\xE4\xBA\xBA", NULL);
    expect_ranges("At the \xC3\x89lys\xC3\xA9" "e Taiwan",
                  "\xC3\x89lys\xC3\xA9" "e Taiwan", NULL);
    expect_ranges("\xE4\xB8\xAD\xE5\x9B\xBD\xEF\xBC\x8C" "China",
                  "\xE4\xB8\xAD\xE5\x9B\xBD", "China", NULL);
    expect_ranges("\xC3\x89lys\xC3\xA9" "en \xC3\x89lys\xC3\xA9" "es",
                  "\xC3\x89lys\xC3\xA9" "es", NULL);
    expect_ranges("red\xC2\xA0line", "red\xC2\xA0line", NULL);
    expect_ranges("sanctions\xE2\x80\x94" "China", "sanctions\xE2\x80\x94" "China", NULL);
    expect_ranges("\xC3\xA0 sanctions \xC3\xA9t\xC3\xA9", "sanctions", NULL);
}

static void test_curly_quotes(void **state)
{
    (void)state;
    expect_ranges("He said \xE2\x80\x9Csanctions\xE2\x80\x9D twice.", "sanctions", NULL);
    expect_ranges("a \xE2\x80\x98red line\xE2\x80\x99 was", "red line", NULL);
    expect_ranges("\xE2\x80\x9CTaiwan\xE2\x80\x9D", "Taiwan", NULL);
    expect_ranges("\xC2\xABsanctions\xC2\xBB", "sanctions", NULL);
}

struct seen {
    char buf[512];
    size_t n;
};

static bool record(void *ud, const char *word, size_t len)
{
    struct seen *s = ud;

    assert_true(s->n + len + 1 < sizeof s->buf);
    memcpy(s->buf + s->n, word, len);
    s->n += len;
    s->buf[s->n++] = '|';
    s->buf[s->n] = '\0';
    return false;
}

/* The matcher sees each word once, in order, as the rules cut them. */
static void test_words_seen(void **state)
{
    const char *t = "Xi\xE2\x80\x99s U.S.-China talks, don't \xE2\x80\x9Cstop\xE2\x80\x9D "
                    "$1.5 bn; \xE4\xB8\xAD\xE5\x9B\xBD" "abc e.g. 'x' end.";
    struct seen s = {"", 0};
    struct att_matcher m = {record, &s};
    struct att_spans out = {NULL, 0, 0};

    (void)state;
    assert_int_equal(att_match_spans(t, strlen(t), &m, &out, NULL), ATT_OK);
    assert_string_equal(s.buf, "Xi's|US|China|talks|don't|stop|1.5|bn|"
                               "\xE4\xB8\xAD\xE5\x9B\xBD" "abc|e|g|x|end|");
    assert_int_equal(out.n, 0);
    assert_int_equal(att_match_spans(t, strlen(t), NULL, &out, NULL), ATT_OK);
    assert_int_equal(att_match_spans("", 0, &m, &out, NULL), ATT_OK);
    assert_int_equal(out.n, 0);
}

static void test_nul_and_invalid_bytes(void **state)
{
    const char t[] = "red\0line \xFF sanctions\xC3 red\xE2\x80line \xC0\xAE. \xFFred";
    struct att_spans s = spans_of(t, sizeof t - 1, vocab);

    (void)state;
    /* NUL and invalid bytes separate words but end no sentence */
    assert_int_equal(s.n, 2);
    assert_int_equal(s.v[0].start, 0);
    assert_int_equal(s.v[0].end, 4 + strlen("line \xFF sanctions\xC3 red\xE2\x80line"));
    assert_int_equal(s.v[1].start, sizeof t - 4);
    assert_int_equal(s.v[1].end, sizeof t - 1);
    att_spans_free(&s);
}

/* ------------------------------------------------------------ the index's words */

/* Words cut as Xapian's term generator cuts them for the index. */

#define WAZIR "\xD8\xA7\xD9\x84\xD9\x88\xD8\xB2\xD9\x8A\xD8\xB1" /* the minister */
#define QALA "\xD9\x82\xD8\xA7\xD9\x84"                          /* said */
#define AR_COMMA "\xD8\x8C"                                      /* U+060C */
#define AR_SEMI "\xD8\x9B"                                       /* U+061B */

/* The words the matcher sees in t, each followed by '|'. */
static void expect_words(const char *t, const char *want)
{
    struct seen s = {"", 0};
    struct att_matcher m = {record, &s};
    struct att_spans out = {NULL, 0, 0};

    assert_int_equal(att_match_spans(t, strlen(t), &m, &out, NULL), ATT_OK);
    assert_string_equal(s.buf, want);
    att_spans_free(&out);
}

/* The Arabic comma is punctuation, not a letter: the word before it is the
 * index's word, found and marked without the comma; and a phrase ends at
 * it as at ','. */
static void test_index_words_arabic(void **state)
{
    static const char *const words[] = {WAZIR, QALA, NULL};
    const char *t = WAZIR AR_COMMA " " QALA;
    struct att_spans s = spans_of(t, strlen(t), words);
    char *snip;

    (void)state;
    expect_words(t, WAZIR "|" QALA "|");
    assert_int_equal(s.n, 2);
    assert_int_equal(s.v[0].start, 0);
    assert_int_equal(s.v[0].end, strlen(WAZIR));
    snip = att_snippet(t, strlen(t), &s, &(struct att_snippet_opts){"<b>", "</b>", 240, NULL});
    assert_string_equal(snip, "<b>" WAZIR "</b>" AR_COMMA " <b>" QALA "</b>");
    free(snip);
    att_spans_free(&s);
    expect_ranges_of(words, QALA " " WAZIR AR_SEMI, QALA " " WAZIR, NULL);
    expect_words(WAZIR AR_SEMI WAZIR "\xD8\x9F", WAZIR "|" WAZIR "|");
}

static void test_index_words_cjk(void **state)
{
    (void)state;
    /* A run of ideographs is one word, with any letters glued to it; the
     * ideographic comma and full stop end it. */
    expect_words("\xE4\xB8\xAD\xE5\x9B\xBD\xEF\xBC\x8C" "China "
                 "\xE4\xB8\xAD\xE5\x9B\xBD" "abc \xE4\xB8\xAD\xE5\x9B\xBD\xE4\xBA\xBA\xE3\x80\x82",
                 "\xE4\xB8\xAD\xE5\x9B\xBD|China|\xE4\xB8\xAD\xE5\x9B\xBD" "abc|"
                 "\xE4\xB8\xAD\xE5\x9B\xBD\xE4\xBA\xBA|");
    expect_ranges("\xE4\xB8\xAD\xE5\x9B\xBD" "abc", NULL);
    expect_ranges("\xE4\xB8\xAD\xE5\x9B\xBD\xE3\x80\x81\xE4\xB8\xAD\xE5\x9B\xBD",
                  "\xE4\xB8\xAD\xE5\x9B\xBD", "\xE4\xB8\xAD\xE5\x9B\xBD", NULL);
    expect_words("\xE3\x81\xB2\xE3\x82\x89\xE3\x81\x8C\xE3\x81\xAA",
                 "\xE3\x81\xB2\xE3\x82\x89\xE3\x81\x8C\xE3\x81\xAA|"); /* kana */
}

static void test_index_words_latin(void **state)
{
    static const char *const words[] = {"caf\xC3\xA9", "cafe\xCC\x81", "na\xC3\xAFve", NULL};

    (void)state;
    /* Accented letters, combining marks (U+0301) and the Greek question
     * mark U+037E (which is not a letter) */
    expect_words("\xC3\x89lys\xC3\xA9" "e caf\xC3\xA9 cafe\xCC\x81 na\xC3\xAFve Stra\xC3\x9F" "e",
                 "\xC3\x89lys\xC3\xA9" "e|caf\xC3\xA9|cafe\xCC\x81|na\xC3\xAFve|"
                 "Stra\xC3\x9F" "e|");
    expect_ranges_of(words, "Un cafe\xCC\x81, na\xC3\xAFve?", "cafe\xCC\x81", "na\xC3\xAFve",
                     NULL);
    expect_words("\xCF\x84\xCE\xB9\xCD\xBE x", "\xCF\x84\xCE\xB9|x|");
}

static void test_index_words_digits(void **state)
{
    (void)state;
    /* , . ; join two digits (of any script), and nothing else */
    expect_words("3,000 3, 000 1.5 v1.2 2;3 1'2 3,a e.g. 12.",
                 "3,000|3|000|1.5|v1.2|2;3|1|2|3|a|e|g|12|");
    expect_words("\xD9\xA3,\xD9\xA0\xD9\xA0 \xD9\xA1\xD9\xA2",
                 "\xD9\xA3,\xD9\xA0\xD9\xA0|\xD9\xA1\xD9\xA2|");
    expect_ranges("some 3,000 troops", "3,000", NULL);
}

static void test_index_words_apostrophes(void **state)
{
    static const char *const words[] = {"o'brien", "don't", NULL};

    (void)state;
    /* An apostrophe (' U+2019 U+201B) between two letters stays inside,
     * and the matcher sees it as ' */
    expect_words("don't O'Brien O\xE2\x80\x99" "Brien O\xE2\x80\x9B" "Brien",
                 "don't|O'Brien|O'Brien|O'Brien|");
    expect_words("rock 'n' roll, don''t, the boys' club",
                 "rock|n|roll|don|t|the|boys|club|");
    expect_ranges_of(words, "Mr O\xE2\x80\x99" "Brien said he don\xE2\x80\x99t",
                     "O\xE2\x80\x99" "Brien", "don\xE2\x80\x99t", NULL);
    expect_words("AT&T col\xC2\xB7lecci\xC3\xB3", "AT&T|col\xC2\xB7lecci\xC3\xB3|");
}

static void test_index_words_symbols(void **state)
{
    static const char *const words[] = {"c++", "c#", "us", NULL};

    (void)state;
    expect_words("C++ C# fish+chips C++++ foo_bar",
                 "C++|C#|fish|chips|C|foo_bar|");
    expect_ranges_of(words, "In C++, C#.", "C++", "C#", NULL);
    /* acronyms: capitals each with a dot, the matcher sees them without */
    expect_words("U.S. P.T.O U.Sa A. I.B.M.'s", "US|PTO|U|Sa|A|IBM|s|");
    expect_ranges_of(words, "the U.S. and", "U.S", NULL);
    /* zero-width characters inside a word are left out of it */
    expect_words("foo\xE2\x80\x8B" "bar \xE2\x80\x8B" "x", "foobar|x|");
}

/* The ASCII fast path agrees with Xapian's tables. */
static void test_ascii_as_xapian(void **state)
{
    (void)state;
    for (unsigned c = 1; c < 0x80; c++) {
        char t[2] = {(char)c, '\0'};
        struct seen s = {"", 0};
        struct att_matcher m = {record, &s};
        struct att_spans out = {NULL, 0, 0};

        assert_int_equal(att_match_spans(t, 1, &m, &out, NULL), ATT_OK);
        assert_int_equal(s.n > 0, att_uni_is_wordchar(c));
        assert_int_equal(att_uni_is_digit(c), c >= '0' && c <= '9');
    }
    assert_true(att_uni_is_wordchar(0x0627));
    assert_false(att_uni_is_wordchar(0x060C));
    assert_true(att_uni_is_digit(0x0661));
    assert_false(att_uni_is_wordchar(0x110000));
    assert_false(att_uni_is_digit(0xFFFFFFFF));
}

/* ------------------------------------------------------------ snippets */

static const char *const dense =
    "Markets were calm on Monday. Officials discussed sanctions and a red line on Taiwan. "
    "The weather was mild. Sanctions were tightened later.";

static void test_snippet_densest(void **state)
{
    size_t s1 = strlen("Officials discussed sanctions and a red line on Taiwan.");
    size_t s13 = strlen(dense) - (size_t)(strstr(dense, "Officials") - dense);

    (void)state;
    expect_snippet(dense, s1, ELL " Officials discussed <b>sanctions</b> and a <b>red line</b>"
                              " on <b>Taiwan</b>. " ELL);
    expect_snippet(dense, s13, ELL " Officials discussed <b>sanctions</b> and a "
                               "<b>red line</b> on <b>Taiwan</b>. The weather was mild. "
                               "<b>Sanctions</b> were tightened later.");
    expect_snippet(dense, 1000, "Markets were calm on Monday. Officials discussed "
                                "<b>sanctions</b> and a <b>red line</b> on <b>Taiwan</b>. "
                                "The weather was mild. <b>Sanctions</b> were tightened later.");
    /* Equal counts: the earlier window. */
    expect_snippet("Sanctions here. Filler words there. Sanctions again.", 16,
                   "<b>Sanctions</b> here. " ELL);
}

static void test_snippet_ellipses(void **state)
{
    const char *t = "Alpha one. Beta two. Gamma sanctions. Delta four.";

    (void)state;
    expect_snippet(t, 16, ELL " Gamma <b>sanctions</b>. " ELL);
    expect_snippet(t, 27, ELL " Beta two. Gamma <b>sanctions</b>. " ELL);
    expect_snippet("Sanctions first. Then the rest. And more.", 20,
                   "<b>Sanctions</b> first. " ELL);
    expect_snippet("One thing. Two things. Last sanctions.", 27,
                   ELL " Two things. Last <b>sanctions</b>.");
    expect_snippet("  Padded sanctions.  \n ", 40, "Padded <b>sanctions</b>.");
}

static void test_snippet_markers(void **state)
{
    const char *t = "A red line on Taiwan. Nothing else.";
    struct att_spans s = spans_of(t, strlen(t), vocab);
    struct att_snippet_opts o = {"[", "]", 21, "..."};
    char *out = att_snippet(t, strlen(t), &s, &o);

    (void)state;
    assert_string_equal(out, "A [red line] on [Taiwan]. ...");
    free(out);
    o.pre = NULL;
    o.post = NULL;
    o.ellipsis = NULL;
    out = att_snippet(t, strlen(t), &s, &o);
    assert_string_equal(out, "A red line on Taiwan. " ELL);
    free(out);
    out = att_snippet(t, strlen(t), &s, NULL);
    assert_string_equal(out, t);
    free(out);
    out = att_snippet(t, strlen(t), NULL, NULL);
    assert_string_equal(out, t);
    free(out);
    att_spans_free(&s);
}

/* A sentence longer than the length is cut at words around its match. */
static void test_snippet_cut(void **state)
{
    char t[1024] = "";
    char *out;
    const char *body, *hit;

    (void)state;
    for (int i = 0; i < 30; i++)
        snprintf(t + strlen(t), sizeof t - strlen(t), "word%d ", i);
    strcat(t, "red line ");
    for (int i = 30; i < 60; i++)
        snprintf(t + strlen(t), sizeof t - strlen(t), "word%d ", i);
    strcat(t, "end.");
    out = snippet_of(t, strlen(t), "<b>", "</b>", 60);
    assert_true(strncmp(out, ELL " word", 8) == 0);
    assert_int_equal(memcmp(out + strlen(out) - 4, " " ELL, 4), 0);
    hit = strstr(out, "<b>red line</b>");
    assert_non_null(hit);
    assert_true(text_bytes(out, "<b>", "</b>") <= 60);
    assert_true(text_bytes(out, "<b>", "</b>") >= 45);
    /* more room after the match than before it */
    assert_true((size_t)(hit - out) < strlen(hit));
    free(out);
    /* whole words: the shown text starts and ends at word boundaries */
    out = snippet_of(t, strlen(t), "", "", 60);
    out[strlen(out) - 4] = '\0';
    body = strstr(t, out + 4);
    assert_non_null(body);
    assert_int_equal(body[-1], ' ');
    assert_int_equal(body[strlen(out + 4)], ' ');
    free(out);
}

/* No matches: the first sentences, or a cut of the first one. */
static void test_snippet_no_match(void **state)
{
    const char *t = "Nothing here. Or here either. Long last sentence of text.";

    (void)state;
    expect_snippet(t, 30, "Nothing here. Or here either. " ELL);
    expect_snippet(t, 10, "Nothing " ELL);
    expect_snippet(t, 200, t);
    expect_snippet("Supercalifragilistic words", 5, "Super " ELL);
}

static void test_snippet_empty_and_tiny(void **state)
{
    char *out;

    (void)state;
    expect_snippet("", 240, "");
    expect_snippet(" \n\t \n", 240, "");
    out = att_snippet(NULL, 0, NULL, NULL);
    assert_string_equal(out, "");
    free(out);
    expect_snippet("sanctions", 1, "s " ELL);
    expect_snippet("\xE4\xB8\xAD\xE5\x9B\xBD", 2, ELL);
    expect_snippet("\xE4\xB8\xAD\xE5\x9B\xBD", 4, "\xE4\xB8\xAD " ELL);
    expect_snippet("a sanctions", 3, ELL " san " ELL);
    /* length 0 means the default */
    expect_snippet("Short red text.", 0, "Short <b>red</b> text.");
}

/* A match longer than the length cannot be shown whole: it is not marked. */
static void test_snippet_long_match(void **state)
{
    const char *t = "Before it: red line red line red line red line red line; after.";
    char *out = snippet_of(t, strlen(t), "<b>", "</b>", 20);

    (void)state;
    assert_null(strstr(out, "<b>"));
    assert_true(text_bytes(out, "<b>", "</b>") <= 20);
    free(out);
}

/* Over every length: within it, marks whole, never a cut match. */
static void test_snippet_lengths(void **state)
{
    const char *t = "Officials said on Monday that the U.S.-China talks on sanctions had "
                    "stalled, and that a red line over Taiwan had been drawn by Xi\xE2\x80\x99s "
                    "government. Analysts disagreed. \xE2\x80\x9CThe sanctions will bite,"
                    "\xE2\x80\x9D one said; others expected more talks in the new year, "
                    "perhaps in Geneva, perhaps at the \xC3\x89lys\xC3\xA9" "e.";
    size_t len = strlen(t);
    struct att_spans s = spans_of(t, len, vocab);

    (void)state;
    for (size_t n = 1; n <= 300; n++) {
        struct att_snippet_opts o = {"<b>", "</b>", n, NULL};
        char *out = att_snippet(t, len, &s, &o);

        assert_non_null(out);
        assert_true(att_utf8_valid(out, strlen(out)));
        assert_true(text_bytes(out, "<b>", "</b>") <= n);
        check_marked(out, t, &s);
        if (n >= 40)
            assert_non_null(strstr(out, "<b>"));
        free(out);
    }
    att_spans_free(&s);
}

static void test_snippet_utf8(void **state)
{
    const char *t = "\xE4\xB8\xAD\xE5\x9B\xBD\xE5\xA4\x96\xE4\xBA\xA4\xE9\x83\xA8\xE8\xAF\xB4"
                    "\xEF\xBC\x8C" "sanctions \xE6\x98\xAF\xE9\x94\x99\xE8\xAF\xAF\xE7\x9A\x84"
                    "\xE3\x80\x82 \xC3\x89lys\xC3\xA9" "e \xC3\xA0 \xC3\xA9t\xC3\xA9 "
                    "\xE2\x80\x9Cr\xC3\xA9" "d\xE2\x80\x9D \xF0\x9F\x98\x80\xF0\x9F\x98\x80 "
                    "\xD0\x9A\xD0\xB8\xD1\x82\xD0\xB0\xD0\xB9 \xD0\xB8 \xD0\xA1\xD0\xA8\xD0\x90 "
                    "\xE4\xB8\xAD\xE5\x9B\xBD\xE4\xB8\xAD\xE5\x9B\xBD\xE4\xB8\xAD\xE5\x9B\xBD "
                    "\xE2\x80\x94 \xCE\x95\xCE\xBB\xCE\xBB\xCE\xAC\xCE\xB4\xCE\xB1 Taiwan "
                    "\xE5\x8F\xB0\xE6\xB9\xBE\xE5\x8F\xB0\xE6\xB9\xBE\xE5\x8F\xB0\xE6\xB9\xBE"
                    "\xE5\x8F\xB0\xE6\xB9\xBE\xE5\x8F\xB0\xE6\xB9\xBE. \xE2\x80\x9C" "And "
                    "\xE2\x80\x98more\xE2\x80\x99\xE2\x80\xA6\xE2\x80\x9D";
    size_t len = strlen(t);
    struct att_spans s = spans_of(t, len, vocab);

    (void)state;
    assert_true(att_utf8_valid(t, len));
    assert_true(s.n >= 3);
    for (size_t n = 1; n <= 300; n++) {
        struct att_snippet_opts o = {"<b>", "</b>", n, NULL};
        char *out = att_snippet(t, len, &s, &o);
        char *bare = att_snippet(t, len, NULL, &o);

        assert_true(att_utf8_valid(out, strlen(out)));
        assert_true(att_utf8_valid(bare, strlen(bare)));
        assert_true(text_bytes(out, "<b>", "</b>") <= n);
        assert_true(text_bytes(bare, "", "") <= n);
        check_marked(out, t, &s);
        free(out);
        free(bare);
    }
    att_spans_free(&s);
}

/* Caller ranges out of the text, overlapping or inside a character. */
static void test_snippet_bad_ranges(void **state)
{
    const char *t = "\xC3\x89lys\xC3\xA9" "e talks. Second sentence here.";
    struct att_span v[] = {{1, 3}, {2, 5}, {9, 9}, {20, 10}, {9, 14}, {12, 17}, {30, 400}};
    struct att_spans s = {v, sizeof v / sizeof v[0], sizeof v / sizeof v[0]};
    struct att_snippet_opts o = {"<", ">", 240, NULL};
    char *out = att_snippet(t, strlen(t), &s, &o);

    (void)state;
    assert_string_equal(out, "<\xC3\x89l>ys\xC3\xA9" "e <talks>. Second sentence here.");
    free(out);
}

static void test_snippet_nul(void **state)
{
    const char t[] = "A red\0line here.";
    char *out = snippet_of(t, sizeof t - 1, "<b>", "</b>", 240);

    (void)state;
    assert_string_equal(out, "A <b>red line</b> here.");
    free(out);
}

/* ------------------------------------------------------------ big and random */

static char *big_sentence(size_t want, size_t *len)
{
    static const char *const words[] = {"alpha", "beta", "gamma", "delta", "sanctions",
                                        "epsilon", "\xC3\xA9t\xC3\xA9", "zeta"};
    char *t = malloc(want + 32);
    uint32_t seed = 7;
    size_t n = 0;

    assert_non_null(t);
    while (n < want) {
        uint32_t r = rnd(&seed) % 400;
        const char *w = words[r < 399 ? (r % 8 == 4 ? 0 : r % 8) : 4];

        memcpy(t + n, w, strlen(w));
        n += strlen(w);
        t[n++] = ' ';
    }
    t[n++] = 'x';
    t[n] = '\0';
    *len = n;
    return t;
}

static void test_huge_sentence(void **state)
{
    size_t len;
    char *t = big_sentence(200 * 1024, &len);
    double t0 = now();
    struct att_spans s = spans_of(t, len, vocab);
    struct att_snippet_opts o = {"<b>", "</b>", 240, NULL};
    char *out = att_snippet(t, len, &s, &o);
    struct att_span last = {0, 0};
    struct att_spans one = {&last, 1, 1};

    (void)state;
    assert_true(s.n > 10);
    assert_true(text_bytes(out, "<b>", "</b>") <= 240);
    assert_non_null(strstr(out, "<b>sanctions</b>"));
    free(out);
    /* a match at the very end: the scan runs through the whole sentence */
    last.start = len - 1;
    last.end = len;
    out = att_snippet(t, len, &one, &o);
    assert_non_null(strstr(out, "<b>x</b>"));
    free(out);
    out = att_snippet(t, len, NULL, &o);
    assert_true(text_bytes(out, "", "") <= 240);
    free(out);
    if (!SLOW)
        assert_true(now() - t0 < 0.5);
    att_spans_free(&s);
    free(t);
}

/* Many sentences and many matches: still linear. */
static void test_huge_text(void **state)
{
    size_t n = 0, cap = 400 * 1024;
    char *t = malloc(cap + 64);
    double t0 = now();
    struct att_spans s;
    char *out;

    (void)state;
    assert_non_null(t);
    while (n < cap) {
        n += (size_t)sprintf(t + n, "Talks on sanctions %zu went on. ", n % 7);
    }
    s = spans_of(t, n, vocab);
    assert_true(s.n > 10000);
    out = snippet_of(t, n, "<b>", "</b>", 240);
    assert_true(text_bytes(out, "<b>", "</b>") <= 240);
    if (!SLOW)
        assert_true(now() - t0 < 0.5);
    free(out);
    att_spans_free(&s);
    free(t);
}

/* Pieces random text is made of: ASCII, separators, multi-byte letters,
 * quotes, stops, broken sequences, NUL. */
static const char *const pieces[] = {
    "a", "s", "red", "line", " ", " ", "  ", ".", ". ", "! ", "?", "'", "-", ",", "\n",
    "U.S.", "\xC3\xA9", "\xE4\xB8\xAD", "\xE2\x80\x99", "\xE2\x80\x9C", "\xE2\x80\xA6",
    "\xC2\xA0", "\xF0\x9F\x98\x80", "Sanctions", "3,0", "\xE3\x80\x82", "X",
};

static size_t random_text(uint32_t *seed, unsigned char *buf, size_t cap, bool valid)
{
    size_t n = 0, want = rnd(seed) % cap;

    while (n < want) {
        uint32_t r = rnd(seed);
        const char *p = pieces[r % (sizeof pieces / sizeof pieces[0])];
        size_t k = strlen(p);

        if (!valid && (r >> 8) % 4 == 0) {
            buf[n++] = (unsigned char)(r >> 16);
            continue;
        }
        if (n + k > cap)
            break;
        memcpy(buf + n, p, k);
        n += k;
    }
    return n;
}

static bool match_random(void *ud, const char *word, size_t len)
{
    (void)ud;
    assert_true(len > 0);
    return ((unsigned char)word[0] + len) % 3 != 0;
}

static void check_random(const unsigned char *buf, size_t n, uint32_t *seed, bool valid)
{
    struct att_matcher m = {match_random, NULL};
    struct att_spans s = {NULL, 0, 0};
    size_t length = 1 + rnd(seed) % 200;
    struct att_snippet_opts o = {"<b>", "</b>", length, NULL};
    char *out;

    assert_int_equal(att_match_spans((const char *)buf, n, &m, &s, NULL), ATT_OK);
    for (size_t k = 0; k < s.n; k++) {
        assert_true(s.v[k].start < s.v[k].end && s.v[k].end <= n);
        assert_true(k == 0 || s.v[k - 1].end < s.v[k].start);
    }
    out = att_snippet((const char *)buf, n, &s, &o);
    assert_non_null(out);
    if (valid) {
        assert_true(att_utf8_valid(out, strlen(out)));
        assert_true(text_bytes(out, "<b>", "</b>") <= length);
    }
    free(out);
    att_spans_free(&s);
}

static void test_random(void **state)
{
    uint32_t seed = 0x9E3779B9u;
    unsigned char buf[600];
    int rounds = SLOW ? 1500 : 4000;

    (void)state;
    for (int i = 0; i < rounds; i++) {
        bool valid = i % 2 == 0;
        size_t n;

        if (i % 5 == 4) {
            n = rnd(&seed) % sizeof buf;
            for (size_t k = 0; k < n; k++)
                buf[k] = (unsigned char)rnd(&seed);
            valid = att_utf8_valid((const char *)buf, n);
        } else {
            n = random_text(&seed, buf, sizeof buf, valid);
            valid = valid || att_utf8_valid((const char *)buf, n);
        }
        check_random(buf, n, &seed, valid);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_words),
        cmocka_unit_test(test_phrase_merge),
        cmocka_unit_test(test_no_merge_across_sentence_end),
        cmocka_unit_test(test_apostrophes_and_abbreviations),
        cmocka_unit_test(test_multibyte),
        cmocka_unit_test(test_curly_quotes),
        cmocka_unit_test(test_words_seen),
        cmocka_unit_test(test_nul_and_invalid_bytes),
        cmocka_unit_test(test_index_words_arabic),
        cmocka_unit_test(test_index_words_cjk),
        cmocka_unit_test(test_index_words_latin),
        cmocka_unit_test(test_index_words_digits),
        cmocka_unit_test(test_index_words_apostrophes),
        cmocka_unit_test(test_index_words_symbols),
        cmocka_unit_test(test_ascii_as_xapian),
        cmocka_unit_test(test_snippet_densest),
        cmocka_unit_test(test_snippet_ellipses),
        cmocka_unit_test(test_snippet_markers),
        cmocka_unit_test(test_snippet_cut),
        cmocka_unit_test(test_snippet_no_match),
        cmocka_unit_test(test_snippet_empty_and_tiny),
        cmocka_unit_test(test_snippet_long_match),
        cmocka_unit_test(test_snippet_lengths),
        cmocka_unit_test(test_snippet_utf8),
        cmocka_unit_test(test_snippet_bad_ranges),
        cmocka_unit_test(test_snippet_nul),
        cmocka_unit_test(test_huge_sentence),
        cmocka_unit_test(test_huge_text),
        cmocka_unit_test(test_random),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
