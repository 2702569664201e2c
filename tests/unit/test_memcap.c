/* Unit tests of lib/memcap.c: the rule of --max-client-memory (under,
 * pause, close after the grace period or past half the ceiling again) and
 * each worker's share of the excess. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "memcap.h"

#define MS 1000u

static enum att_memcap_act decide(struct att_memcap *m, size_t total, size_t mine,
                                  uint64_t now_ms, size_t *share)
{
    struct att_memcap_in in = {.cap = 1000, .total = total, .mine = mine,
                               .now_us = now_ms * MS, .grace_us = 1000 * MS};

    return att_memcap_decide(m, &in, share);
}

static void test_under_pause_close(void **state)
{
    struct att_memcap m = {0};
    size_t share = 7;

    (void)state;
    assert_int_equal(decide(&m, 1000, 500, 10, &share), ATT_MC_UNDER); /* at: under */
    assert_int_equal(share, 0);
    assert_int_equal(m.checks, 1);
    assert_int_equal(decide(&m, 1200, 1200, 20, &share), ATT_MC_PAUSE);
    assert_int_equal(share, 200);
    assert_int_equal(decide(&m, 1200, 1200, 1019, &share), ATT_MC_PAUSE); /* 999 ms */
    assert_int_equal(decide(&m, 1200, 1200, 1020, &share), ATT_MC_CLOSE); /* the grace */
    assert_int_equal(decide(&m, 900, 900, 1100, &share), ATT_MC_UNDER);   /* resets it */
    assert_int_equal(decide(&m, 1200, 1200, 1200, &share), ATT_MC_PAUSE);
    assert_int_equal(decide(&m, 1501, 1501, 1300, &share), ATT_MC_CLOSE); /* far over */
    assert_int_equal(share, 501);
    assert_int_equal(decide(&m, 1500, 1500, 1400, &share), ATT_MC_PAUSE); /* half: not */
    assert_int_equal(m.checks, 8);
}

static void test_shares(void **state)
{
    struct att_memcap m = {0};
    size_t a, b, c;

    (void)state;
    /* Three workers holding 1200, 600 and 1 of 1801: their shares add up
     * to the excess of 801 (each rounded up, so at most 2 more). */
    decide(&m, 1801, 1200, 0, &a);
    decide(&m, 1801, 600, 0, &b);
    decide(&m, 1801, 1, 0, &c);
    assert_int_equal(a, 534);
    assert_int_equal(b, 267);
    assert_int_equal(c, 1);
    assert_true(a + b + c >= 801 && a + b + c <= 803);
    decide(&m, 1801, 0, 0, &c); /* a worker holding nothing does nothing */
    assert_int_equal(c, 0);
    decide(&m, 1801, 5000, 0, &c); /* more than the total (a race): the excess */
    assert_int_equal(c, 801);
}

static void test_no_ceiling(void **state)
{
    struct att_memcap m = {0};
    struct att_memcap_in in = {.cap = 0, .total = (size_t)1 << 40, .mine = 1, .now_us = 5};
    size_t share = 3;

    (void)state;
    assert_int_equal(att_memcap_decide(&m, &in, &share), ATT_MC_UNDER);
    assert_int_equal(share, 0);
    assert_int_equal(m.over_since_us, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_under_pause_close),
        cmocka_unit_test(test_shares),
        cmocka_unit_test(test_no_ceiling),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
