/* Unit tests of lib/buf.c (growable buffer and arrays with a ceiling) and
 * lib/numparse.c (the number rules shared by the three programs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "hashmap.h"
#include "numparse.h"

static void test_buf_append_and_take(void **state)
{
    struct att_buf b;
    size_t len;
    char *p;

    (void)state;
    att_buf_init(&b, 1 << 20);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(att_buf_add(&b, "abc", 3), ATT_OK);
    assert_int_equal(b.len, 3000);
    assert_int_equal(att_buf_addf(&b, "-%d-", 42), ATT_OK);
    assert_int_equal(att_buf_addc(&b, 'z'), ATT_OK);
    assert_string_equal(b.p + 3000, "-42-z");
    p = att_buf_take(&b, &len);
    assert_int_equal(len, 3005);
    assert_null(b.p);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.max, 1 << 20); /* the ceiling stays */
    free(p);
    p = att_buf_take(&b, &len);        /* empty: "" not NULL */
    assert_non_null(p);
    assert_int_equal(len, 0);
    assert_string_equal(p, "");
    free(p);
}

static void test_buf_ceiling(void **state)
{
    struct att_buf b;

    (void)state;
    att_buf_init(&b, 10);
    assert_int_equal(att_buf_add(&b, "0123456789", 10), ATT_OK);
    assert_int_equal(att_buf_addc(&b, 'x'), ATT_E_TOOBIG);
    assert_int_equal(b.len, 10); /* unchanged on failure */
    assert_memory_equal(b.p, "0123456789", 11);
    assert_int_equal(att_buf_addf(&b, "%s", "y"), ATT_E_TOOBIG);
    att_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_int_equal(att_buf_addf(&b, "%05d", 7), ATT_OK);
    assert_string_equal(b.p, "00007");
    att_buf_free(&b);
    att_buf_free(&b); /* twice is fine */
    att_buf_free(NULL);
}

static void test_grow(void **state)
{
    int *v = NULL;
    size_t cap = 0;

    (void)state;
    assert_int_equal(att_grow(&v, &cap, 1, sizeof *v, 100), ATT_OK);
    assert_true(cap >= 1 && cap <= 100);
    assert_int_equal(att_grow(&v, &cap, 100, sizeof *v, 100), ATT_OK);
    assert_int_equal(cap, 100);
    v[99] = 7;
    assert_int_equal(att_grow(&v, &cap, 101, sizeof *v, 100), ATT_E_TOOBIG);
    assert_int_equal(cap, 100);
    assert_int_equal(v[99], 7);
    assert_int_equal(att_grow(&v, &cap, SIZE_MAX / 2, sizeof *v, SIZE_MAX), ATT_E_TOOBIG);
    free(v);
}

static void test_parse_int(void **state)
{
    struct att_err err;
    long long v = -7;

    (void)state;
    assert_int_equal(att_parse_int("42", 1, 64, &v, &err), ATT_OK);
    assert_int_equal(v, 42);
    assert_int_equal(att_parse_int("-3", -5, 5, &v, &err), ATT_OK);
    assert_int_equal(v, -3);
    const char *bad[] = {"2.5", "", " 4", "4 ", "0x10", "1e3", "+4", "65", "0", "four",
                         "99999999999999999999999", "-", "inf", "nan"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        v = -7;
        assert_int_equal(att_parse_int(bad[i], 1, 64, &v, &err), ATT_E_PARSE);
        assert_int_equal(v, -7);
        assert_non_null(strstr(err.msg, "from 1 to 64"));
    }
    assert_int_equal(att_parse_int(NULL, 1, 64, &v, &err), ATT_E_PARSE);
}

static void test_parse_real(void **state)
{
    struct att_err err;
    double v = -1;

    (void)state;
    assert_int_equal(att_parse_real("0.5", 0, 10, &v, &err), ATT_OK);
    assert_true(v == 0.5);
    assert_int_equal(att_parse_real("10", 0, 10, &v, &err), ATT_OK);
    assert_true(v == 10);
    const char *bad[] = {"10.5", ".5", "5.", "1e1", "inf", "nan", "", " 1", "-1", "0x1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(att_parse_real(bad[i], 0, 10, &v, &err), ATT_E_PARSE);
    assert_true(v == 10);
}

static bool same_int(const void *val, const void *key)
{
    return *(const int *)val == *(const int *)key;
}

/* Entries found by hash and key, replaced, kept through growth, and a
 * used slot emptied of its entry keeps the chain to the ones after it. */
static void test_hashmap(void **state)
{
    static int v[3000];
    struct att_map m = {0};

    (void)state;
    assert_null(att_map_get(&m, 7, same_int, &v[0]));
    for (int i = 0; i < 3000; i++) {
        v[i] = i;
        /* Keys come in pairs that share a hash: only the key tells the
         * two apart. */
        assert_int_equal(att_map_put(&m, (uint64_t)(i / 2) * 2654435761u, &v[i], same_int,
                                     &v[i]), ATT_OK);
    }
    assert_int_equal(m.used, 3000);
    assert_true(m.used * 2 <= m.nslots);
    for (int i = 0; i < 3000; i++) {
        int k = i;

        assert_ptr_equal(att_map_get(&m, (uint64_t)(i / 2) * 2654435761u, same_int, &k), &v[i]);
    }
    att_map_find(&m, 0, same_int, &v[0])->val = NULL;
    assert_null(att_map_get(&m, 0, same_int, &v[0]));
    assert_ptr_equal(att_map_get(&m, 0, same_int, &v[1]), &v[1]);
    assert_int_equal(att_map_put(&m, 5, &v[2], NULL, NULL), ATT_OK);
    assert_int_equal(att_map_put(&m, 5, &v[3], NULL, NULL), ATT_OK);
    assert_ptr_equal(att_map_get(&m, 5, NULL, NULL), &v[3]);
    assert_int_equal(m.used, 3001);
    att_map_free(&m);
    assert_int_equal(m.nslots, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_append_and_take),
        cmocka_unit_test(test_buf_ceiling),
        cmocka_unit_test(test_grow),
        cmocka_unit_test(test_parse_int),
        cmocka_unit_test(test_parse_real),
        cmocka_unit_test(test_hashmap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
