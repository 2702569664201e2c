/* attache: unit tests of the text unit: UTF-8 decoding, sentences, passages
 * and quotations, on hand-made cases, long lines, random bytes and the
 * shared corpus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <dirent.h>

#include "attache/text.h"
#include "helpers.h"

#define SEED_FILE "../shared/corpus/seed/trump-xi-call.txt"
#define SOTU_DIR "../shared/corpus/sotu"

/* ------------------------------------------------------------ helpers */

static bool ws_at(const char *t, size_t len, size_t i, size_t *n)
{
    unsigned char c = (unsigned char)t[i];

    *n = 1;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
        return true;
    *n = 2;
    return c == 0xC2 && i + 1 < len && (unsigned char)t[i + 1] == 0xA0;
}

static bool continuation(const char *t, size_t len, size_t i)
{
    return i < len && ((unsigned char)t[i] & 0xC0) == 0x80;
}

/* Ordered, non-overlapping, non-empty, trimmed, not cutting a character
 * (when the text is valid UTF-8). */
static void check_spans(const char *t, size_t len, const struct att_spans *s, bool utf8)
{
    size_t n;

    for (size_t k = 0; k < s->n; k++) {
        const struct att_span *x = &s->v[k];

        assert_true(x->start < x->end);
        assert_true(x->end <= len);
        if (k > 0)
            assert_true(s->v[k - 1].end <= x->start);
        assert_false(ws_at(t, len, x->start, &n));
        assert_false(ws_at(t, len, x->end - 1, &n));
        assert_false(x->end >= 2 && ws_at(t, len, x->end - 2, &n) && n == 2);
        if (utf8) {
            assert_false(continuation(t, len, x->start));
            assert_false(continuation(t, len, x->end));
        }
    }
}

/* Every word of t (run of non-white space) lies inside exactly one span. */
static void check_cover(const char *t, size_t len, const struct att_spans *s)
{
    size_t i = 0, k = 0, n;

    while (i < len) {
        size_t a;

        if (ws_at(t, len, i, &n)) {
            i += n;
            continue;
        }
        a = i;
        while (i < len && !ws_at(t, len, i, &n))
            i++;
        while (k < s->n && s->v[k].end <= a)
            k++;
        assert_true(k < s->n);
        assert_true(s->v[k].start <= a && i <= s->v[k].end);
    }
}

static unsigned words_in(const char *t, size_t len, size_t a, size_t b)
{
    unsigned w = 0;
    bool in = false;
    size_t n;

    while (a < b) {
        bool sp = ws_at(t, len, a, &n);

        if (!sp && !in)
            w++;
        in = !sp;
        a += sp ? n : 1;
    }
    return w;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n = -1;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0)
        n = ftell(f);
    if (n >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        if (buf != NULL) {
            buf[n] = '\0';
            *len = (size_t)n;
        }
    }
    fclose(f);
    return buf;
}

/* ------------------------------------------------------------ UTF-8 */

/* att_utf8_decode on s[0..len) gives cp and consumes adv bytes. */
static void expect_decode(const char *s, size_t len, uint32_t cp, size_t adv)
{
    size_t n = 99;

    assert_int_equal(att_utf8_decode(s, len, &n), cp);
    assert_int_equal(n, adv);
}

/* A bad sequence: one U+FFFD for its first byte. */
static void expect_bad(const char *s)
{
    expect_decode(s, strlen(s), 0xFFFD, 1);
}

static void test_utf8_decode(void **state)
{
    (void)state;
    expect_decode("A", 1, 'A', 1);
    expect_decode("\0x", 2, 0, 1);
    expect_decode("\x7F", 1, 0x7F, 1);
    expect_decode("\xC2\x80", 2, 0x80, 2);
    expect_decode("\xC3\xA9tat", 5, 0xE9, 2);
    expect_decode("\xDF\xBF", 2, 0x7FF, 2);
    expect_decode("\xE0\xA0\x80", 3, 0x800, 3);
    expect_decode("\xD8\x8C", 2, 0x60C, 2);             /* Arabic comma */
    expect_decode("\xED\x9F\xBF", 3, 0xD7FF, 3);         /* just below the surrogates */
    expect_decode("\xEE\x80\x80", 3, 0xE000, 3);         /* just above them */
    expect_decode("\xEF\xBF\xBD", 3, 0xFFFD, 3);         /* a genuine U+FFFD: 3 bytes */
    expect_decode("\xEF\xBF\xBF", 3, 0xFFFF, 3);
    expect_decode("\xF0\x90\x80\x80", 4, 0x10000, 4);
    expect_decode("\xF0\x9F\x98\x80!", 5, 0x1F600, 4);
    expect_decode("\xF4\x8F\xBF\xBF", 4, 0x10FFFF, 4);
    /* truncated, by the end of the bytes or by a byte that does not go on */
    expect_decode("\xC3", 1, 0xFFFD, 1);
    expect_decode("\xE4\xB8\xAD", 2, 0xFFFD, 1);
    expect_decode("\xF0\x9F\x98\x80", 3, 0xFFFD, 1);
    expect_bad("\xC3" "A");
    expect_bad("\xE4\xB8" "A");
    expect_bad("\xF0\x9F\x98" " ");
    expect_bad("\xE4\xC3\xA9");
    /* overlong forms */
    expect_bad("\xC0\x80");
    expect_bad("\xC1\xBF");
    expect_bad("\xE0\x80\x80");
    expect_bad("\xE0\x9F\xBF");
    expect_bad("\xF0\x80\x80\x80");
    expect_bad("\xF0\x8F\xBF\xBF");
    /* surrogates, and past U+10FFFF */
    expect_bad("\xED\xA0\x80");
    expect_bad("\xED\xBF\xBF");
    expect_bad("\xF4\x90\x80\x80");
    expect_bad("\xF5\x80\x80\x80");
    /* bytes that never start a character */
    expect_bad("\x80");
    expect_bad("\xBF" "A");
    expect_bad("\xF8\x88\x80\x80\x80");
    expect_bad("\xFE");
    expect_bad("\xFF");
    expect_decode("", 0, 0xFFFD, 0);
}

/* Put the UTF-8 form of cp into b; returns its length. */
static size_t encode(uint32_t cp, char *b)
{
    if (cp < 0x80) {
        b[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    b[0] = (char)(0xF0 | (cp >> 18));
    b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    b[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Every code point but the surrogates comes back whole; the validator,
 * the repair and a walk with the decoder agree on random bytes. */
static void test_utf8_decode_agrees(void **state)
{
    uint32_t seed = 7;
    char b[24];

    (void)state;
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        size_t n = encode(cp, b);

        if (cp >= 0xD800 && cp <= 0xDFFF)
            expect_decode(b, n, 0xFFFD, 1);
        else
            expect_decode(b, n, cp, n);
        assert_true(att_utf8_valid(b, n) == !(cp >= 0xD800 && cp <= 0xDFFF));
    }
    for (int round = 0; round < 200000; round++) {
        size_t len = 1 + rnd(&seed) % sizeof b, i = 0, fixed = 0, adv, flen;
        bool valid = true;
        char *rep;

        for (size_t k = 0; k < len; k++)
            b[k] = (char)(rnd(&seed) % 3 == 0 ? rnd(&seed) % 0x80 : 0x80 + rnd(&seed) % 0x80);
        while (i < len) {
            uint32_t cp = att_utf8_decode(b + i, len - i, &adv);
            bool bad = adv == 1 && (unsigned char)b[i] >= 0x80;

            assert_true(adv >= 1 && adv <= len - i);
            assert_true(!bad || cp == 0xFFFD);
            valid = valid && !bad;
            fixed += bad ? 3 : adv;
            i += adv;
        }
        assert_true(att_utf8_valid(b, len) == valid);
        rep = att_utf8_repair(b, len, &flen);
        assert_non_null(rep);
        assert_int_equal(flen, fixed);
        free(rep);
    }
}

/* ---------------------------------------------------------- sentences */

static void expect_sentences(const char *text, const char *const *want, size_t n)
{
    struct att_spans s = {NULL, 0, 0};
    struct att_err err;
    size_t len = strlen(text);

    assert_int_equal(att_sentences(text, len, &s, &err), ATT_OK);
    check_spans(text, len, &s, true);
    if (s.n != n) {
        for (size_t k = 0; k < s.n; k++)
            print_message("  got [%.*s]\n", (int)(s.v[k].end - s.v[k].start), text + s.v[k].start);
    }
    assert_int_equal(s.n, n);
    for (size_t k = 0; k < n; k++) {
        assert_int_equal(s.v[k].end - s.v[k].start, strlen(want[k]));
        assert_memory_equal(text + s.v[k].start, want[k], strlen(want[k]));
    }
    att_spans_free(&s);
}

static void expect_one_sentence(const char *text)
{
    const char *want[] = {text};

    expect_sentences(text, want, 1);
}

static void test_sentences_basic(void **state)
{
    const char *a[] = {"He left.", "She stayed!", "Did she?", "Yes."};
    const char *b[] = {"One.", "Two"};

    (void)state;
    expect_sentences("He left. She stayed! Did she? Yes.", a, 4);
    expect_sentences("  One.   Two  ", b, 2);
    expect_sentences("", NULL, 0);
    expect_sentences(" \t\n \n ", NULL, 0);
}

static void test_sentences_abbreviations(void **state)
{
    static const char *const one[] = {
        "The U.S. President spoke today.", "The U.K. Government agreed.",
        "The U.N. Security Council met.", "Mr. Smith arrived.", "Mrs. Smith arrived.",
        "Ms. Lee arrived.", "Dr. Jones arrived.", "Gen. Milley spoke.", "Amb. Burns spoke.",
        "H.E. Wang Yi spoke.", "See para. 4 of the report.", "We met on Jan. 5 in Rome.",
        "It ended Feb. 12 here.", "It ended Mar. 12 here.", "It ended Apr. 12 here.",
        "It ended Jun. 12 here.", "It ended Jul. 12 here.", "It ended Aug. 12 here.",
        "It ended Sep. 12 here.", "It ended Sept. 12 here.", "It ended Oct. 12 here.",
        "It ended Nov. 12 here.", "It ended Dec. 12 here.", "Item No. 5 was sold.",
        "They visited St. Louis today.", "Lt. Dan spoke.", "Col. Sanders spoke.",
        "Sen. Warren spoke.", "Rep. Pelosi spoke.", "Gov. Newsom spoke.", "Prof. Chen spoke.",
        "Shares of Apple Inc. Fell sharply.", "Acme Corp. Director Bob spoke.",
        "Acme Ltd. Chairman Bob spoke.", "Acme Co. Director Bob spoke.",
        "Roe vs. Wade was decided.", "Apples, pears, etc. and more came.",
        "Fruits, e.g. Apples, are good.", "Fruits, i.e. Apples and Pears, are good.",
        "We met at 9 a.m. and left.", "We met at 5 p.m. and left.",
    };

    (void)state;
    for (size_t k = 0; k < sizeof one / sizeof one[0]; k++)
        expect_one_sentence(one[k]);
}

static void test_sentences_abbreviation_ends(void **state)
{
    const char *us[] = {"They met in the U.S.", "The talks went well."};
    const char *etc[] = {"Apples, pears, etc.", "The end."};
    const char *pm[] = {"We met at 9 p.m.", "Then we left."};

    (void)state;
    expect_sentences("They met in the U.S. The talks went well.", us, 2);
    expect_sentences("Apples, pears, etc. The end.", etc, 2);
    expect_sentences("We met at 9 p.m. Then we left.", pm, 2);
}

static void test_sentences_initials_decimals(void **state)
{
    const char *a[] = {"John F. Kennedy spoke.", "George H. W. Bush listened."};
    const char *b[] = {"It cost $1.5 billion.", "The rest was $330.5 million."};

    (void)state;
    expect_sentences("John F. Kennedy spoke. George H. W. Bush listened.", a, 2);
    expect_sentences("It cost $1.5 billion. The rest was $330.5 million.", b, 2);
    expect_one_sentence("Growth was 2.5 percent in 2024 and 3.25 percent later.");
}

static void test_sentences_quotes(void **state)
{
    const char *two[] = {"He said \"We will win.\"", "Then he left."};
    const char *curly[] = {"He said \xE2\x80\x9CWe will win.\xE2\x80\x9D", "Then he left."};
    const char *paren[] = {"(See above.)", "Then go."};

    (void)state;
    expect_one_sentence("He said \"stop!\" and left.");
    expect_one_sentence("\"Why?\" she asked.");
    expect_one_sentence("He said \xE2\x80\x9Cstop!\xE2\x80\x9D and left.");
    expect_sentences("He said \"We will win.\" Then he left.", two, 2);
    expect_sentences("He said \xE2\x80\x9CWe will win.\xE2\x80\x9D Then he left.", curly, 2);
    expect_sentences("(See above.) Then go.", paren, 2);
}

static void test_sentences_other_marks(void **state)
{
    const char *guil[] = {"He said \xC2\xABWe will win.\xC2\xBB", "Then he left."};
    const char *thin[] = {"He said \xC2\xAB\xE2\x80\xAFWe will win.\xE2\x80\xAF\xC2\xBB",
                          "Then he left."};
    const char *low[] = {"Er sagte \xE2\x80\x9EWir gewinnen.\xE2\x80\x9C", "Dann ging er."};
    const char *corner[] = {"He wrote \xE3\x80\x8C" "Done.\xE3\x80\x8D", "Then he left."};

    (void)state;
    expect_sentences("He said \xC2\xABWe will win.\xC2\xBB Then he left.", guil, 2);
    expect_sentences("He said \xC2\xAB\xE2\x80\xAFWe will win.\xE2\x80\xAF\xC2\xBB Then he left.",
                     thin, 2);
    expect_one_sentence("\xC2\xAB\xC2\xA0Why?\xC2\xA0\xC2\xBB she asked.");
    expect_sentences("Er sagte \xE2\x80\x9EWir gewinnen.\xE2\x80\x9C Dann ging er.", low, 2);
    expect_sentences("He wrote \xE3\x80\x8C" "Done.\xE3\x80\x8D Then he left.", corner, 2);
    expect_one_sentence("\xE3\x80\x8CWhy?\xE3\x80\x8D she asked.");
}

static void test_sentences_lines(void **state)
{
    const char *a[] = {"a b c", "d e", "f"};
    const char *b[] = {"no punctuation at all here"};

    (void)state;
    expect_sentences("a b c\nd e\r\n\nf\n", a, 3);
    expect_sentences("  no punctuation at all here  ", b, 1);
}

static void test_sentences_multibyte(void **state)
{
    const char *a[] = {"Caf\xC3\xA9 au lait.", "\xC3\x87" "a va?", "\xC3\x9C" "ber alles!",
                       "\xCE\x95\xCE\xBB\xCE\xBB\xCE\xAC\xCE\xB4\xCE\xB1.",
                       "\xE4\xB8\xAD\xE5\x9B\xBD\xE3\x80\x82\xE5\x8C\x97\xE4\xBA\xAC\xE3\x80\x82"};
    const char *nbsp[] = {"One.", "Two."};
    const char *text = "Caf\xC3\xA9 au lait. \xC3\x87" "a va? \xC3\x9C" "ber alles! "
                       "\xCE\x95\xCE\xBB\xCE\xBB\xCE\xAC\xCE\xB4\xCE\xB1. "
                       "\xE4\xB8\xAD\xE5\x9B\xBD\xE3\x80\x82\xE5\x8C\x97\xE4\xBA\xAC\xE3\x80\x82";

    (void)state;
    expect_sentences(text, a, 5);
    expect_sentences("\xC2\xA0One.\xC2\xA0Two.\xC2\xA0", nbsp, 2);
}

static void test_sentences_long_line(void **state)
{
    size_t len = 200 * 1024;
    char *t = malloc(len + 1);
    struct att_spans s = {NULL, 0, 0};
    double t0;

    (void)state;
    assert_non_null(t);
    for (size_t i = 0; i < len; i++)
        t[i] = (i % 6 == 5) ? ' ' : 'w';
    t[len] = '\0';
    t0 = now();
    assert_int_equal(att_sentences(t, len, &s, NULL), ATT_OK);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.v[0].start, 0);
    s.n = 0;
    for (size_t i = 0; i + 8 < len; i += 60)
        memcpy(t + i, "End. Now", 8);
    assert_int_equal(att_sentences(t, len, &s, NULL), ATT_OK);
    assert_true(s.n > len / 70);
    check_spans(t, len, &s, true);
    if (!SLOW)
        assert_true(now() - t0 < 1.0);
    att_spans_free(&s);
    free(t);
}

static void fill_random(char *t, size_t len, uint32_t *seed)
{
    static const char *const bits[] = {
        ".", "!", "?", "\"", "'", " ", " ", "\n", "\xC2\xA0", "\xE2\x80\x9D", "\xE2\x80\x99",
        "U.S.", "Mr.", "a", "B", "\xC3", "\xA9", "\0", "said", "Xi", "(", ")", "1.5",
    };
    size_t i = 0;

    while (i < len) {
        const char *b = bits[rnd(seed) % (sizeof bits / sizeof bits[0])];
        size_t n = b[0] == '\0' ? 1 : strlen(b);

        if (n > len - i)
            n = len - i;
        memcpy(t + i, b, n);
        i += n;
    }
}

static void test_sentences_random(void **state)
{
    uint32_t seed = 12345;
    char buf[512];

    (void)state;
    for (int round = 0; round < 2000; round++) {
        struct att_spans s = {NULL, 0, 0};
        size_t len = rnd(&seed) % sizeof buf;

        fill_random(buf, len, &seed);
        assert_int_equal(att_sentences(buf, len, &s, NULL), ATT_OK);
        check_spans(buf, len, &s, false);
        att_spans_free(&s);
    }
}

/* ----------------------------------------------------------- passages */

static struct att_spans passages_of(const char *t, size_t len, const struct att_passage_opts *o)
{
    struct att_spans s = {NULL, 0, 0};
    struct att_err err;

    assert_int_equal(att_passages(t, len, o, &s, &err), ATT_OK);
    check_spans(t, len, &s, true);
    check_cover(t, len, &s);
    return s;
}

static void test_passages_paragraphs(void **state)
{
    const char *t = "First paragraph here.\nSecond one.\n\n  Third  \r\n\xC2\xA0\n";
    struct att_spans s = passages_of(t, strlen(t), NULL);

    (void)state;
    assert_int_equal(s.n, 3);
    assert_memory_equal(t + s.v[0].start, "First paragraph here.", 21);
    assert_memory_equal(t + s.v[1].start, "Second one.", 11);
    assert_int_equal(s.v[2].end - s.v[2].start, 5);
    att_spans_free(&s);
}

/* A paragraph of sentences of the given sizes in words; caller frees. */
static char *paragraph_of(const unsigned *sizes, size_t n, size_t *len)
{
    size_t cap = 16, k;
    char *t;

    for (k = 0; k < n; k++)
        cap += sizes[k] * 8 + 2;
    t = malloc(cap);
    assert_non_null(t);
    *len = 0;
    for (k = 0; k < n; k++) {
        for (unsigned w = 0; w < sizes[k]; w++)
            *len += (size_t)sprintf(t + *len, "%s", w == 0 ? "Word" : " word");
        *len += (size_t)sprintf(t + *len, ". ");
    }
    t[--*len] = '\0';
    return t;
}

static void test_passages_windows(void **state)
{
    unsigned sizes[40];
    struct att_spans s;
    size_t len;
    char *t;

    (void)state;
    for (size_t k = 0; k < 40; k++)
        sizes[k] = 5 + (unsigned)(k * 7 % 23);
    t = paragraph_of(sizes, 40, &len);
    s = passages_of(t, len, NULL);
    assert_true(s.n > 3);
    for (size_t k = 0; k < s.n; k++) {
        unsigned w = words_in(t, len, s.v[k].start, s.v[k].end);

        assert_true(w >= 40 && w <= 180);
        assert_int_equal(t[s.v[k].end - 1], '.'); /* whole sentences */
    }
    att_spans_free(&s);
    free(t);
}

static void test_passages_small_remainder(void **state)
{
    unsigned joins[] = {50, 50, 25, 10}, apart[] = {160, 30};
    struct att_spans s;
    size_t len;
    char *t = paragraph_of(joins, 4, &len);

    (void)state;
    s = passages_of(t, len, NULL); /* 100, then 35 joins: 135 <= 180 */
    assert_int_equal(s.n, 1);
    att_spans_free(&s);
    free(t);
    t = paragraph_of(apart, 2, &len);
    s = passages_of(t, len, NULL); /* 160 + 30 > 180: the 30 stay apart */
    assert_int_equal(s.n, 2);
    assert_int_equal(words_in(t, len, s.v[0].start, s.v[0].end), 160);
    att_spans_free(&s);
    free(t);
}

static void test_passages_long_sentence(void **state)
{
    unsigned sizes[] = {20, 1000, 30};
    struct att_spans s;
    size_t len;
    char *t = paragraph_of(sizes, 3, &len);

    (void)state;
    s = passages_of(t, len, NULL);
    assert_true(s.n >= 12);
    for (size_t k = 0; k < s.n; k++)
        assert_true(words_in(t, len, s.v[k].start, s.v[k].end) <= 120);
    att_spans_free(&s);
    free(t);
}

static void test_passages_options(void **state)
{
    struct att_passage_opts d, zero = {0, 0, 0, 0}, odd = {5, 50, 500, 2};
    unsigned sizes[] = {30, 30, 30, 30, 30};
    struct att_spans a, b;
    size_t len;
    char *t = paragraph_of(sizes, 5, &len);

    (void)state;
    att_passage_opts_default(&d);
    assert_int_equal(d.max_words, 120);
    assert_int_equal(d.min_words, 40);
    assert_int_equal(d.target_words, 80);
    assert_int_equal(d.hard_words, 300);
    a = passages_of(t, len, NULL);
    b = passages_of(t, len, &d);
    assert_int_equal(a.n, b.n);
    assert_memory_equal(a.v, b.v, a.n * sizeof *a.v);
    att_spans_free(&a);
    att_spans_free(&b);
    a = passages_of(t, len, &zero);
    assert_int_equal(a.n, 150); /* one word each */
    att_spans_free(&a);
    a = passages_of(t, len, &odd);
    assert_true(a.n >= 30);
    att_spans_free(&a);
    free(t);
}

static void test_passages_huge_line(void **state)
{
    size_t len = SLOW ? 10u << 20 : 50u << 20;
    char *t = malloc(len);
    struct att_spans s = {NULL, 0, 0};
    double t0;

    (void)state;
    assert_non_null(t);
    for (size_t i = 0; i < len; i++)
        t[i] = (i % 7 == 6) ? ' ' : 'x';
    t0 = now();
    assert_int_equal(att_passages(t, len, NULL, &s, NULL), ATT_OK);
    if (!SLOW)
        assert_true(now() - t0 < 3.0);
    assert_true(s.n >= len / 7 / 81);
    for (size_t k = 1; k < s.n; k++)
        assert_true(s.v[k - 1].end < s.v[k].start);
    assert_int_equal(s.v[0].start, 0);
    assert_int_equal(words_in(t, len, s.v[0].start, s.v[0].end), 80);
    att_spans_free(&s);
    free(t);
}

static void test_passages_random(void **state)
{
    struct att_passage_opts o = {12, 4, 8, 30};
    uint32_t seed = 777;
    char buf[2048];

    (void)state;
    for (int round = 0; round < 1000; round++) {
        struct att_spans s = {NULL, 0, 0};
        size_t len = rnd(&seed) % sizeof buf;

        fill_random(buf, len, &seed);
        assert_int_equal(att_passages(buf, len, round % 2 ? &o : NULL, &s, NULL), ATT_OK);
        check_spans(buf, len, &s, false);
        check_cover(buf, len, &s);
        att_spans_free(&s);
    }
}

/* One file of the corpus: invariants, and the sizes tallied into in/all. */
static void sotu_file(const char *path, size_t *in, size_t *all)
{
    struct att_spans s = {NULL, 0, 0};
    size_t len;
    char *t = slurp(path, &len);

    assert_non_null(t);
    assert_int_equal(att_passages(t, len, NULL, &s, NULL), ATT_OK);
    check_spans(t, len, &s, att_utf8_valid(t, len));
    check_cover(t, len, &s);
    for (size_t k = 0; k < s.n; k++) {
        unsigned w = words_in(t, len, s.v[k].start, s.v[k].end);

        assert_true(w <= 300);
        *in += w >= 40 && w <= 180;
        (*all)++;
    }
    att_spans_free(&s);
    free(t);
}

static void test_passages_sotu(void **state)
{
    DIR *d = opendir(SOTU_DIR);
    struct dirent *e;
    size_t in = 0, all = 0, files = 0;
    char path[1024];

    (void)state;
    if (d == NULL) {
        print_message("note: %s missing: corpus test skipped\n", SOTU_DIR);
        skip();
    }
    for (e = readdir(d); e != NULL; e = readdir(d)) {
        size_t n = strlen(e->d_name);

        if (n < 4 || strcmp(e->d_name + n - 4, ".txt") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", SOTU_DIR, e->d_name);
        sotu_file(path, &in, &all);
        files++;
    }
    closedir(d);
    print_message("sotu: %zu files, %zu passages, %zu of 40..180 words\n", files, all, in);
    assert_true(files > 0);
    assert_true(in * 10 >= all * 9);
}

/* --------------------------------------------------------- quotations */

static struct att_quotes quotes_of(const char *t)
{
    struct att_quotes q = {NULL, 0, 0};
    struct att_err err;
    size_t len = strlen(t);

    assert_int_equal(att_quotes_find(t, len, &q, &err), ATT_OK);
    for (size_t k = 0; k < q.n; k++) {
        assert_true(q.v[k].start < q.v[k].end && q.v[k].end <= len);
        if (k > 0)
            assert_true(q.v[k - 1].end < q.v[k].start);
    }
    return q;
}

/* The quotation whose text is exactly s; fails if none. */
static const struct att_quote *quote(const struct att_quotes *q, const char *t, const char *s)
{
    size_t n = strlen(s);

    for (size_t k = 0; k < q->n; k++) {
        if (q->v[k].end - q->v[k].start == n && memcmp(t + q->v[k].start, s, n) == 0)
            return &q->v[k];
    }
    print_message("no quotation [%s]\n", s);
    fail();
    return NULL;
}

static void expect_speaker(const struct att_quote *x, const char *speaker, const char *role)
{
    if (speaker == NULL)
        assert_null(x->speaker);
    else
        assert_string_equal(x->speaker, speaker);
    if (role == NULL)
        assert_null(x->role);
    else
        assert_string_equal(x->role, role);
}

/* Speaker is s or, when given, alt. */
static void expect_either(const struct att_quote *x, const char *s, const char *alt)
{
    assert_non_null(x->speaker);
    if (strcmp(x->speaker, s) != 0)
        assert_string_equal(x->speaker, alt);
}

static void test_quotes_seed(void **state)
{
    struct att_quotes q = {NULL, 0, 0};
    size_t len;
    char *t = slurp(SEED_FILE, &len);

    (void)state;
    if (t == NULL) {
        print_message("note: %s missing: seed test skipped\n", SEED_FILE);
        skip();
    }
    assert_int_equal(att_quotes_find(t, len, &q, NULL), ATT_OK);
    expect_either(quote(&q, t, "an integral part of the post-war international order"), "Xi",
                  "Xi Jinping");
    /* the comma inside the closing quote belongs to the sentence: left out */
    expect_speaker(quote(&q, t, "crossed a red line that should not have been touched"),
                   "Wang Yi", "Foreign Minister");
    expect_speaker(quote(&q, t, "grossly violated"), "Lin Jian", "spokesperson");
    /* a final period inside the marks stays in */
    expect_speaker(quote(&q, t, "China deplores and opposes that."), "Lin Jian", "spokesperson");
    expect_either(quote(&q, t, "Our relationship with China is extremely strong!"), "Trump",
                  "Donald Trump");
    expect_either(quote(&q, t, "fascism and militarism"), "Xi", "Xi Jinping");
    expect_either(quote(&q, t, "at its root"), "Xi", "Xi Jinping");
    att_quotes_free(&q);
    free(t);
}

static void test_quotes_apostrophes(void **state)
{
    const char *t = "Xi's visit, don't worry, the '90s were fun, China\xE2\x80\x99s economy and "
                    "the students' books are fine. Rock 'n' roll lives on in the '80s and "
                    "the \xE2\x80\x98" "90s, says Lin\xE2\x80\x99s aide. The boys' toys won't "
                    "break, O'Brien's dog can't bark.";
    struct att_quotes q = quotes_of(t);

    (void)state;
    assert_int_equal(q.n, 0);
    att_quotes_free(&q);
}

static void test_quotes_single_words(void **state)
{
    const char *t = "She called it \"fascism\" and left. They fought \"fascism and militarism,\" "
                    "he said.";
    struct att_quotes q = quotes_of(t);

    (void)state;
    assert_int_equal(q.n, 1);
    quote(&q, t, "fascism and militarism");
    att_quotes_free(&q);
}

static void test_quotes_unbalanced(void **state)
{
    const char *t = "He said \"this is open and never closed, the whole line long\n"
                    "\"Next line quote here\" said Bob Smith. It's a 5\" screen.\n"
                    "'Single and open\nThe end.";
    struct att_quotes q = quotes_of(t);

    (void)state;
    assert_int_equal(q.n, 1);
    expect_speaker(quote(&q, t, "Next line quote here"), "Bob Smith", NULL);
    att_quotes_free(&q);
}

static void test_quotes_curly(void **state)
{
    const char *t = "\xE2\x80\x9CWe will fight on,\xE2\x80\x9D said Prime Minister Boris Johnson.\n"
                    "\xE2\x80\x98This is a single quote,\xE2\x80\x99 Wang said.\n"
                    "'Straight single quotes too,' she said.";
    struct att_quotes q = quotes_of(t);

    (void)state;
    assert_int_equal(q.n, 3);
    expect_speaker(quote(&q, t, "We will fight on"), "Boris Johnson", "Prime Minister");
    expect_speaker(quote(&q, t, "This is a single quote"), "Wang", NULL);
    /* "she" opens the paragraph after one that named Wang last */
    expect_speaker(quote(&q, t, "Straight single quotes too"), "Wang", NULL);
    att_quotes_free(&q);
}

static void test_quotes_orders(void **state)
{
    const char *t = "\"We are ready to talk,\" said Chinese President Xi Jinping.\n"
                    "\"The talks were frank,\" according to spokesperson Mao Ning.\n"
                    "According to Reuters, Foreign Minister Wang Yi said \"the door is open.\"\n"
                    "Sun Yun, director of the Stimson Center, said \"the call was useful.\"\n"
                    "\"It is time to act,\" U.S. Ambassador Nicholas Burns told reporters. "
                    "\"We must move now.\"\n"
                    "\"We won!\" Trump wrote on social media.";
    struct att_quotes q = quotes_of(t);

    (void)state;
    expect_speaker(quote(&q, t, "We are ready to talk"), "Xi Jinping", "Chinese President");
    expect_speaker(quote(&q, t, "The talks were frank"), "Mao Ning", "spokesperson");
    expect_speaker(quote(&q, t, "the door is open."), "Wang Yi", "Foreign Minister");
    expect_speaker(quote(&q, t, "the call was useful."), "Sun Yun", NULL);
    expect_speaker(quote(&q, t, "It is time to act"), "Nicholas Burns", "U.S. Ambassador");
    expect_speaker(quote(&q, t, "We must move now."), "Nicholas Burns", "U.S. Ambassador");
    expect_speaker(quote(&q, t, "We won!"), "Trump", NULL);
    att_quotes_free(&q);
}

static void test_quotes_names(void **state)
{
    const char *t = "Ursula von der Leyen said \"we stand with Ukraine.\"\n"
                    "Sen. Elizabeth Warren (D-Mass.) said \"this is outrageous.\"\n"
                    "Mr. Trump said \"we will see what happens.\"\n"
                    "Kremlin spokesman Dmitry Peskov told reporters: \"There are no plans.\"\n"
                    "Xi Jinping's aide said \"we will consider it.\"\n"
                    "I've said \"it twice now\" before.\n"
                    "The President of the United States said \"this is it.\"";
    struct att_quotes q = quotes_of(t);

    (void)state;
    assert_int_equal(q.n, 7);
    expect_speaker(&q.v[0], "Ursula von der Leyen", NULL);
    expect_speaker(&q.v[1], "Elizabeth Warren", "Sen.");
    expect_speaker(&q.v[2], "Trump", "Mr.");
    expect_speaker(&q.v[3], "Dmitry Peskov", "spokesman");
    expect_speaker(&q.v[4], NULL, NULL);
    expect_speaker(&q.v[5], NULL, NULL);
    expect_speaker(&q.v[6], NULL, NULL);
    att_quotes_free(&q);
}

static void test_quotes_no_speaker(void **state)
{
    const char *t = "The ministry said the move was \"deeply regrettable and wrong.\"\n"
                    "A sign read \"keep off the grass\" all day.\n"
                    "\"Not acceptable at all,\" the spokesman said.";
    struct att_quotes q = quotes_of(t);

    (void)state;
    assert_int_equal(q.n, 3);
    for (size_t k = 0; k < q.n; k++)
        expect_speaker(&q.v[k], NULL, NULL);
    att_quotes_free(&q);
}

static void test_quotes_pronoun_and_sharing(void **state)
{
    const char *t = "Secretary of State Marco Rubio said \"we are ready to talk\" on Monday. "
                    "\"We hope for peace,\" he added.\n"
                    "\"We hope for peace,\" he added.\n"
                    "Lin Jian said it was \"a grave mistake\" and \"a clear provocation.\"";
    struct att_quotes q = quotes_of(t);

    (void)state;
    assert_int_equal(q.n, 5);
    expect_speaker(&q.v[0], "Marco Rubio", "Secretary of State");
    expect_speaker(&q.v[1], "Marco Rubio", "Secretary of State");
    /* the paragraph before named Rubio last, and this one no one yet */
    expect_speaker(&q.v[2], "Marco Rubio", "Secretary of State");
    expect_speaker(&q.v[3], "Lin Jian", NULL);
    expect_speaker(&q.v[4], "Lin Jian", NULL);
    att_quotes_free(&q);
}

static void test_quotes_nested(void **state)
{
    const char *t = "\xE2\x80\x9CThe outer \xE2\x80\x98inner words here\xE2\x80\x99 end,"
                    "\xE2\x80\x9D Wang said. \"He told me 'go home now' twice,\" Li said.";
    struct att_quotes q = quotes_of(t);

    (void)state;
    assert_int_equal(q.n, 2);
    expect_speaker(quote(&q, t, "The outer \xE2\x80\x98inner words here\xE2\x80\x99 end"), "Wang",
                   NULL);
    expect_speaker(quote(&q, t, "He told me 'go home now' twice"), "Li", NULL);
    att_quotes_free(&q);
}

/* A short name stands for the fullest name the text gives the same person. */
static void test_quotes_short_names(void **state)
{
    const char *t =
        "Chinese President Xi Jinping met Foreign Minister Wang Yi and Vice Premier He Lifeng.\n"
        "\"We will open wider,\" Xi said. \"Tariff wars have no winners,\" Wang added.\n"
        "According to He, both sides agreed to \"address each other's concerns.\"\n"
        "Von der Leyen said the plan was \"a turning point for Europe.\"\n"
        "European Commission President Ursula von der Leyen arrived later.\n"
        "Prime Minister Mark Carney spoke with NATO Secretary-General Mark Rutte. "
        "\"Every ally will do its part,\" Rutte said.\n"
        "Brazil's President Luiz In\xC3\xA1" "cio Lula da Silva spoke first. "
        "\"We are a sovereign country,\" Lula said.\n"
        "\"Some words of my own,\" Kathy said on Monday. She is Kathy Proctor.";
    struct att_quotes q = quotes_of(t);

    (void)state;
    expect_speaker(quote(&q, t, "We will open wider"), "Xi Jinping", "Chinese President");
    expect_speaker(quote(&q, t, "Tariff wars have no winners"), "Wang Yi", "Foreign Minister");
    expect_speaker(quote(&q, t, "address each other's concerns."), "He Lifeng", "Vice Premier");
    /* a fuller name given only later still counts */
    expect_speaker(quote(&q, t, "a turning point for Europe."), "Ursula von der Leyen",
                   "President");
    /* two Marks: the one whose surname it is */
    expect_speaker(quote(&q, t, "Every ally will do its part"), "Mark Rutte",
                   "NATO Secretary-General");
    expect_speaker(quote(&q, t, "We are a sovereign country"),
                   "Luiz In\xC3\xA1" "cio Lula da Silva", "President");
    expect_speaker(quote(&q, t, "Some words of my own"), "Kathy Proctor", NULL);
    att_quotes_free(&q);
}

/* "he" and "she" carry the last person named: in the same or the next
 * sentence, or in the first sentence of the next paragraph; no further. */
static void test_quotes_pronouns(void **state)
{
    const char *t = "Spokeswoman Martina Weber opened the briefing. \"We are ready,\" Weber said.\n"
                    "Asked about the drones, she said the government had \"no reason to doubt "
                    "them.\"\n"
                    "Weber left early. The room emptied. Reporters waited for an hour. "
                    "\"Nothing more today,\" she said.\n"
                    "A nurse came in. The lights went out.\n"
                    "\"It is like every shot is a dose of hope,\" she said.";
    struct att_quotes q = quotes_of(t);

    (void)state;
    expect_speaker(quote(&q, t, "We are ready"), "Martina Weber", "Spokeswoman");
    expect_speaker(quote(&q, t, "no reason to doubt them."), "Martina Weber", "Spokeswoman");
    expect_speaker(quote(&q, t, "Nothing more today"), NULL, NULL);
    expect_speaker(quote(&q, t, "It is like every shot is a dose of hope"), NULL, NULL);
    att_quotes_free(&q);
}

/* Bodies speak as named: possessive subjects, "the X", spokespeople. */
static void test_quotes_bodies(void **state)
{
    const char *t = "China's foreign ministry said it \"firmly opposes any interference.\"\n"
                    "The State Department said Rubio \"raised serious concerns.\"\n"
                    "The Kremlin said it had \"taken note of the proposal.\"\n"
                    "The UN Security Council on Wednesday called for \"maximum restraint "
                    "at once.\" \"We are concerned,\" the Council said.\n"
                    "India's Ministry of External Affairs said talks were \"moving forward.\"\n"
                    "A spokesperson for the European Commission said it was \"open to all.\" "
                    "\"No more for now,\" the spokesperson said.\n"
                    "\"Such statements do not befit a neighbour,\" according to a statement "
                    "from the ministry.\n"
                    "Officials at the State Department said it was \"too early to tell.\"\n"
                    "Economists at Nomura wrote that growth would \"slow down sharply.\"\n"
                    "A Downing Street spokesperson added that \"talks went well.\"";
    struct att_quotes q = quotes_of(t);

    (void)state;
    expect_speaker(quote(&q, t, "firmly opposes any interference."), "China's foreign ministry",
                   NULL);
    expect_speaker(quote(&q, t, "raised serious concerns."), "State Department", NULL);
    expect_speaker(quote(&q, t, "taken note of the proposal."), "Kremlin", NULL);
    expect_speaker(quote(&q, t, "maximum restraint at once."), "UN Security Council", NULL);
    expect_speaker(quote(&q, t, "We are concerned"), "UN Security Council", NULL);
    expect_speaker(quote(&q, t, "moving forward."), "India's Ministry of External Affairs", NULL);
    expect_speaker(quote(&q, t, "open to all."), "European Commission", NULL);
    expect_speaker(quote(&q, t, "No more for now"), "European Commission", NULL);
    expect_speaker(quote(&q, t, "Such statements do not befit a neighbour"), "European Commission",
                   NULL);
    expect_speaker(quote(&q, t, "too early to tell."), NULL, NULL);
    expect_speaker(quote(&q, t, "slow down sharply."), NULL, NULL);
    expect_speaker(quote(&q, t, "talks went well."), "Downing Street", NULL);
    att_quotes_free(&q);
}

/* Capitalised words that are not people never speak. */
static void test_quotes_not_people(void **state)
{
    const char *t = "His Holiness, Pope Francis, said \"the weapons must fall silent.\" "
                    "\"May peace come soon,\" the Pope told pilgrims.\n"
                    "According to Article 51 of the Charter, nothing \"shall impair the right "
                    "of self-defence.\"\n"
                    "Section 3 of the act reads: \"The President shall impose sanctions.\" "
                    "Lawyers said the words \"knowingly engages\" would be tested.\n"
                    "I'd like to be the \"Education President\" and work with the \"Education "
                    "Congress\" on it.\n"
                    "Merz said the \"coalition of the willing\" was united.\n"
                    "Foreign Minister Sergei Lavrov on Tuesday said \"no date is set.\"\n"
                    "On Monday, Senator Tim Scott, the chairman of the committee, disagreed: "
                    "\"This is a strong law.\"";
    struct att_quotes q = quotes_of(t);

    (void)state;
    expect_speaker(quote(&q, t, "the weapons must fall silent."), "Francis", "Pope");
    expect_speaker(quote(&q, t, "May peace come soon"), "Francis", "Pope");
    expect_speaker(quote(&q, t, "shall impair the right of self-defence."), NULL, NULL);
    expect_speaker(quote(&q, t, "The President shall impose sanctions."), NULL, NULL);
    expect_speaker(quote(&q, t, "knowingly engages"), NULL, NULL);
    expect_speaker(quote(&q, t, "Education President"), NULL, NULL);
    expect_speaker(quote(&q, t, "Education Congress"), NULL, NULL);
    expect_speaker(quote(&q, t, "coalition of the willing"), NULL, NULL);
    expect_speaker(quote(&q, t, "no date is set."), "Sergei Lavrov", "Foreign Minister");
    expect_speaker(quote(&q, t, "This is a strong law."), "Tim Scott", "Senator");
    att_quotes_free(&q);
}

/* Names in any script: capitals are found by their Unicode category. */
static void test_quotes_non_ascii(void **state)
{
    const char *t = "President Recep Tayyip Erdo\xC4\x9F" "an spoke. \"We are ready,\" "
                    "Erdo\xC4\x9F" "an said.\n"
                    "\xC5\x81ukasz \xC5\xBB" "ak said \"the border is calm.\"\n"
                    "\xC3\x81ngela Dom\xC3\xADnguez told reporters: \"We will keep talking.\"\n"
                    "\xD0\xA1\xD0\xB5\xD1\x80\xD0\xB3\xD0\xB5\xD0\xB9 "
                    "\xD0\x9B\xD0\xB0\xD0\xB2\xD1\x80\xD0\xBE\xD0\xB2 said "
                    "\"there are no plans.\"\n"
                    "The \xC3\x89lys\xC3\xA9" "e Palace was brief. \"France stands firm,\" the "
                    "\xC3\x89lys\xC3\xA9" "e said.";
    struct att_quotes q = quotes_of(t);

    (void)state;
    expect_speaker(quote(&q, t, "We are ready"), "Recep Tayyip Erdo\xC4\x9F" "an", "President");
    expect_speaker(quote(&q, t, "the border is calm."), "\xC5\x81ukasz \xC5\xBB" "ak", NULL);
    expect_speaker(quote(&q, t, "We will keep talking."), "\xC3\x81ngela Dom\xC3\xADnguez", NULL);
    expect_speaker(quote(&q, t, "there are no plans."),
                   "\xD0\xA1\xD0\xB5\xD1\x80\xD0\xB3\xD0\xB5\xD0\xB9 "
                   "\xD0\x9B\xD0\xB0\xD0\xB2\xD1\x80\xD0\xBE\xD0\xB2", NULL);
    expect_speaker(quote(&q, t, "France stands firm"), "\xC3\x89lys\xC3\xA9" "e Palace", NULL);
    att_quotes_free(&q);
}

/* Guillemets (with the spaces French puts inside or without), German low
 * marks and Japanese corner brackets. */
static void test_quotes_other_marks(void **state)
{
    const char *t = "\xC2\xAB\xE2\x80\xAF" "Every day costs lives\xE2\x80\xAF\xC2\xBB, said Jean "
                    "Dupont. \xC2\xAB\xC2\xA0We need a truce now.\xC2\xA0\xC2\xBB\n"
                    "\xC2\xABThose responsible will answer\xC2\xBB, Dupont said.\n"
                    "Angela Merkel said: \xE2\x80\x9EWir schaffen das.\xE2\x80\x9C Later she "
                    "wrote \xE2\x80\x9E" "Both ways work\xE2\x80\x9D again.\n"
                    "\xE3\x80\x8C\xE6\x97\xA5\xE6\x9C\xAC\xE3\x81\xAF\xE5\xA4\x89\xE3\x82\x8F"
                    "\xE3\x82\x8B\xE3\x80\x8D\xE3\x81\xA8\xE8\xBF\xB0\xE3\x81\xB9\xE3\x81\x9F\n"
                    "\xE3\x80\x8C\xE5\xBD\xBC\xE3\x81\xAF\xE3\x80\x8E\xE3\x81\xAF\xE3\x81\x84"
                    "\xE3\x80\x8F\xE3\x81\xA8\xE8\xA8\x80\xE3\x81\xA3\xE3\x81\x9F\xE3\x80\x8D\n"
                    "\xE3\x80\x8E\xE6\xBA\x90\xE6\xB0\x8F\xE7\x89\xA9\xE8\xAA\x9E\xE3\x80\x8F";
    struct att_quotes q = quotes_of(t);

    (void)state;
    assert_int_equal(q.n, 8);
    expect_speaker(quote(&q, t, "Every day costs lives"), "Jean Dupont", NULL);
    expect_speaker(quote(&q, t, "We need a truce now."), "Jean Dupont", NULL);
    expect_speaker(quote(&q, t, "Those responsible will answer"), "Jean Dupont", NULL);
    expect_speaker(quote(&q, t, "Wir schaffen das."), "Angela Merkel", NULL);
    quote(&q, t, "Both ways work");
    quote(&q, t, "\xE6\x97\xA5\xE6\x9C\xAC\xE3\x81\xAF\xE5\xA4\x89\xE3\x82\x8F\xE3\x82\x8B");
    /* the outer pair holds the inner one */
    quote(&q, t, "\xE5\xBD\xBC\xE3\x81\xAF\xE3\x80\x8E\xE3\x81\xAF\xE3\x81\x84\xE3\x80\x8F"
                 "\xE3\x81\xA8\xE8\xA8\x80\xE3\x81\xA3\xE3\x81\x9F");
    quote(&q, t, "\xE6\xBA\x90\xE6\xB0\x8F\xE7\x89\xA9\xE8\xAA\x9E");
    att_quotes_free(&q);
}

static void test_quotes_long_line(void **state)
{
    static const char piece[] = "Xi's aide said \"we will not yield an inch\" and the '90s "
                                "band's \xE2\x80\x9C" "big hit\xE2\x80\x9D played; "
                                "'rock 'n' roll' ";
    size_t len = 200 * 1024, n = sizeof piece - 1;
    char *t = malloc(len + 1);
    struct att_quotes q = {NULL, 0, 0};
    double t0;

    (void)state;
    assert_non_null(t);
    for (size_t i = 0; i < len; i++)
        t[i] = piece[i % n];
    t[len] = '\0';
    t0 = now();
    assert_int_equal(att_quotes_find(t, len, &q, NULL), ATT_OK);
    assert_true(q.n >= len / n);
    att_quotes_free(&q);
    for (size_t i = 0; i < len; i++)
        t[i] = "\"' \xE2\x80\x9Cx"[i % 7];
    assert_int_equal(att_quotes_find(t, len, &q, NULL), ATT_OK);
    att_quotes_free(&q);
    if (!SLOW)
        assert_true(now() - t0 < 1.0);
    free(t);
}

static void test_quotes_random(void **state)
{
    uint32_t seed = 4242;
    char buf[1024];

    (void)state;
    for (int round = 0; round < 2000; round++) {
        struct att_quotes q = {NULL, 0, 0};
        size_t len = rnd(&seed) % sizeof buf;

        fill_random(buf, len, &seed);
        assert_int_equal(att_quotes_find(buf, len, &q, NULL), ATT_OK);
        for (size_t k = 0; k < q.n; k++) {
            assert_true(q.v[k].start < q.v[k].end && q.v[k].end <= len);
            if (k > 0)
                assert_true(q.v[k - 1].end <= q.v[k].start);
        }
        att_quotes_free(&q);
    }
    att_quotes_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_decode),
        cmocka_unit_test(test_utf8_decode_agrees),
        cmocka_unit_test(test_sentences_basic),
        cmocka_unit_test(test_sentences_abbreviations),
        cmocka_unit_test(test_sentences_abbreviation_ends),
        cmocka_unit_test(test_sentences_initials_decimals),
        cmocka_unit_test(test_sentences_quotes),
        cmocka_unit_test(test_sentences_other_marks),
        cmocka_unit_test(test_sentences_lines),
        cmocka_unit_test(test_sentences_multibyte),
        cmocka_unit_test(test_sentences_long_line),
        cmocka_unit_test(test_sentences_random),
        cmocka_unit_test(test_passages_paragraphs),
        cmocka_unit_test(test_passages_windows),
        cmocka_unit_test(test_passages_small_remainder),
        cmocka_unit_test(test_passages_long_sentence),
        cmocka_unit_test(test_passages_options),
        cmocka_unit_test(test_passages_huge_line),
        cmocka_unit_test(test_passages_random),
        cmocka_unit_test(test_passages_sotu),
        cmocka_unit_test(test_quotes_seed),
        cmocka_unit_test(test_quotes_apostrophes),
        cmocka_unit_test(test_quotes_single_words),
        cmocka_unit_test(test_quotes_unbalanced),
        cmocka_unit_test(test_quotes_curly),
        cmocka_unit_test(test_quotes_orders),
        cmocka_unit_test(test_quotes_names),
        cmocka_unit_test(test_quotes_no_speaker),
        cmocka_unit_test(test_quotes_pronoun_and_sharing),
        cmocka_unit_test(test_quotes_nested),
        cmocka_unit_test(test_quotes_short_names),
        cmocka_unit_test(test_quotes_pronouns),
        cmocka_unit_test(test_quotes_bodies),
        cmocka_unit_test(test_quotes_not_people),
        cmocka_unit_test(test_quotes_non_ascii),
        cmocka_unit_test(test_quotes_other_marks),
        cmocka_unit_test(test_quotes_long_line),
        cmocka_unit_test(test_quotes_random),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
