/* Unit tests of lib/shingle.c: copies of a paragraph that differ by a few
 * words resemble, two paragraphs on one topic do not, short texts have no
 * signature, and the encoding and band terms agree with the signature. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "shingle.h"

static const char *story =
    "Farmers across the northern plains began harvesting soybeans two weeks early this "
    "season after a dry summer left fields parched, according to the regional agriculture "
    "office, which said yields could fall by a fifth compared with last year while prices "
    "at local elevators climbed to their highest level since the drought of 2012.";

/* The same paragraph as another outlet ran it: three words changed and a
 * clause cut. */
static const char *copy =
    "Farmers across the northern plains started harvesting soybeans two weeks early this "
    "season after a dry summer left fields parched, according to the regional farm "
    "office, which said yields might fall by a fifth compared with last year while prices "
    "at local elevators climbed to their highest level since 2012.";

/* The same story told in other words. */
static const char *topic =
    "Soybean growers in the north are bringing in the crop early this year. Officials at "
    "the agriculture office warned that the harvest will be smaller than last year because "
    "of the dry weather, and elevator prices for soybeans are the highest in a decade, "
    "they said on Tuesday in a statement to farmers and traders.";

static struct att_sig sig_of(const char *t)
{
    struct att_sig s;

    assert_true(att_sig_make(t, strlen(t), &s));
    return s;
}

static bool share_band(const struct att_sig *a, const struct att_sig *b)
{
    for (unsigned i = 0; i < ATT_SIG_BANDS; i++) {
        char ta[ATT_BAND_TERM_MAX], tb[ATT_BAND_TERM_MAX];

        att_sig_band_term(a, i, "XB", ta);
        att_sig_band_term(b, i, "XB", tb);
        if (strcmp(ta, tb) == 0)
            return true;
    }
    return false;
}

static void test_identical(void **state)
{
    (void)state;
    struct att_sig a = sig_of(story), b = sig_of(story);

    assert_int_equal(att_sig_agree(&a, &b), ATT_SIG_K);
    assert_true(att_sig_resemblance(&a, &b) == 1.0);
    assert_true(att_sig_same(&a, &b));
}

static void test_near_copy(void **state)
{
    (void)state;
    struct att_sig a = sig_of(story), b = sig_of(copy);

    assert_true(att_sig_same(&a, &b));
    assert_true(att_sig_resemblance(&a, &b) >= 0.55);
    assert_true(share_band(&a, &b));
    /* Case, accents and punctuation are not words: still the same text. */
    struct att_sig c = sig_of("FARMERS across the northern PLAINS began harvesting soybéans two "
                              "weeks early -- this season, after a dry summer; left fields "
                              "parched according to the regional agriculture office");
    struct att_sig d = sig_of("farmers across the northern plains began harvesting soybeans "
                              "two weeks early this season after a dry summer left fields "
                              "parched according to the regional agriculture office");
    assert_int_equal(att_sig_agree(&c, &d), ATT_SIG_K);
}

static void test_different(void **state)
{
    (void)state;
    struct att_sig a = sig_of(story), b = sig_of(topic);

    assert_false(att_sig_same(&a, &b));
    assert_true(att_sig_resemblance(&a, &b) < 0.2);
    assert_false(share_band(&a, &b));
    /* The same words in another order are another text. */
    struct att_sig c = sig_of("office agriculture regional the to according parched fields "
                              "left summer dry a after season this early weeks two soybeans "
                              "harvesting began plains northern the across Farmers");
    struct att_sig d = sig_of("Farmers across the northern plains began harvesting soybeans "
                              "two weeks early this season after a dry summer left fields "
                              "parched according to the regional agriculture office");
    assert_false(att_sig_same(&c, &d));
}

static void test_short(void **state)
{
    (void)state;
    struct att_sig s;
    /* 10 words: 7 shingles. 11 words: 8. */
    const char *ten = "By Jane Doe and John Roe, Staff Writers of Reuters";
    const char *eleven = "By Jane Doe and John Roe, Staff Writers of the Reuters";

    assert_false(att_sig_make(ten, strlen(ten), &s));
    assert_false(att_sig_make("", 0, &s));
    assert_false(att_sig_make("one", 3, &s));
    assert_true(att_sig_make(eleven, strlen(eleven), &s));
}

static void test_encoding(void **state)
{
    (void)state;
    struct att_sig a = sig_of(story), b;
    char enc[ATT_SIG_HEX + 1], t1[ATT_BAND_TERM_MAX], t2[ATT_BAND_TERM_MAX];

    att_sig_encode(&a, enc);
    assert_int_equal(strlen(enc), ATT_SIG_HEX);
    assert_true(att_sig_decode(enc, ATT_SIG_HEX, &b));
    assert_memory_equal(&a, &b, sizeof a);
    assert_false(att_sig_decode(enc, ATT_SIG_HEX - 1, &b));
    assert_false(att_sig_decode("", 0, &b));
    enc[7] = 'G';
    assert_false(att_sig_decode(enc, ATT_SIG_HEX, &b));
    for (unsigned i = 0; i < ATT_SIG_BANDS; i++) {
        size_t n = att_sig_band_term(&a, i, "XB", t1);

        assert_int_equal(n, strlen(t1));
        assert_true(n < ATT_BAND_TERM_MAX);
        assert_memory_equal(t1, "XB", 2);
        assert_int_equal(t1[2], 'a' + (int)i);
        att_sig_band_term(&a, (i + 1) % ATT_SIG_BANDS, "XB", t2);
        assert_string_not_equal(t1, t2);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical), cmocka_unit_test(test_near_copy),
        cmocka_unit_test(test_different), cmocka_unit_test(test_short),
        cmocka_unit_test(test_encoding),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
