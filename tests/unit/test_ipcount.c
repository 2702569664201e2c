/* Unit tests of lib/ipcount.c: connections counted per client address
 * (IPv4 and IPv6, v4-mapped IPv6 as IPv4), the limit, releases, and the
 * table staying small as addresses come and go. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "ipcount.h"

static struct att_ipkey key4(const char *ip)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(1234)};
    struct att_ipkey k;

    assert_int_equal(inet_pton(AF_INET, ip, &sa.sin_addr), 1);
    assert_true(att_ipkey_of((struct sockaddr *)&sa, &k));
    return k;
}

static struct att_ipkey key6(const char *ip)
{
    struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons(99)};
    struct att_ipkey k;

    assert_int_equal(inet_pton(AF_INET6, ip, &sa.sin6_addr), 1);
    assert_true(att_ipkey_of((struct sockaddr *)&sa, &k));
    return k;
}

static void test_limit_and_release(void **state)
{
    struct att_ipcount t;
    struct att_ipkey a[4], b = key4("10.0.0.2");
    struct att_err err = {0};

    (void)state;
    att_ipcount_init(&t);
    for (int i = 0; i < 3; i++) {
        a[i] = key4("10.0.0.1");
        assert_int_equal(att_ipcount_take(&t, &a[i], 3, &err), ATT_OK);
        assert_true(a[i].counted);
    }
    a[3] = key4("10.0.0.1");
    assert_int_equal(att_ipcount_take(&t, &a[3], 3, &err), ATT_E_TOOBIG);
    assert_false(a[3].counted);
    assert_non_null(strstr(err.msg, "3 connections"));
    att_ipcount_release(&t, &a[3]); /* not counted: nothing */
    assert_int_equal(att_ipcount_get(&t, &a[0]), 3);
    assert_int_equal(att_ipcount_take(&t, &b, 3, &err), ATT_OK); /* another address */
    att_ipcount_release(&t, &a[1]);
    assert_false(a[1].counted);
    att_ipcount_release(&t, &a[1]); /* twice: once only */
    assert_int_equal(att_ipcount_get(&t, &a[0]), 2);
    assert_int_equal(att_ipcount_take(&t, &a[3], 3, &err), ATT_OK); /* room again */
    assert_int_equal(att_ipcount_take(&t, &a[1], 0, &err), ATT_OK); /* 0: no limit */
    assert_int_equal(att_ipcount_get(&t, &a[0]), 4);
    assert_int_equal(att_ipcount_size(&t), 2);
    att_ipcount_destroy(&t);
}

static void test_families(void **state)
{
    struct att_ipcount t;
    struct att_ipkey v4 = key4("127.0.0.1"), mapped = key6("::ffff:127.0.0.1");
    struct att_ipkey lo6 = key6("::1"), k;
    struct sockaddr sa = {.sa_family = AF_UNIX};

    (void)state;
    att_ipcount_init(&t);
    assert_memory_equal(v4.addr, mapped.addr, 16);
    assert_int_equal(att_ipcount_take(&t, &v4, 1, NULL), ATT_OK);
    assert_int_equal(att_ipcount_take(&t, &mapped, 1, NULL), ATT_E_TOOBIG);
    assert_int_equal(att_ipcount_take(&t, &lo6, 1, NULL), ATT_OK);
    assert_false(att_ipkey_of(&sa, &k));
    assert_false(k.counted);
    att_ipcount_release(&t, &v4);
    att_ipcount_release(&t, &lo6);
    assert_int_equal(att_ipcount_size(&t), 0);
    att_ipcount_destroy(&t);
}

/* Many addresses, each opened and closed: the table is rebuilt rather
 * than filled with the slots they leave; and what is live stays right. */
static void test_churn(void **state)
{
    struct att_ipcount t;
    struct att_ipkey keep = key6("2001:db8::1"), k;
    char ip[64];

    (void)state;
    att_ipcount_init(&t);
    assert_int_equal(att_ipcount_take(&t, &keep, 0, NULL), ATT_OK);
    for (unsigned i = 0; i < 100000; i++) {
        snprintf(ip, sizeof ip, "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        k = key4(ip);
        assert_int_equal(att_ipcount_take(&t, &k, 1, NULL), ATT_OK);
        att_ipcount_release(&t, &k);
    }
    assert_int_equal(att_ipcount_size(&t), 1);
    assert_int_equal(att_ipcount_get(&t, &keep), 1);
    assert_true(t.map.nslots <= 4096); /* not one slot per address ever seen */
    att_ipcount_release(&t, &keep);
    att_ipcount_destroy(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit_and_release),
        cmocka_unit_test(test_families),
        cmocka_unit_test(test_churn),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
