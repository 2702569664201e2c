/* Unit tests of lib/sorted.c (binary search of arrays sorted on a size_t
 * field), on the two kinds of element it serves: spans and structs with
 * the key in the middle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "attache/attache.h"
#include "sorted.h"

static size_t first_span(const struct att_span *v, size_t n, size_t key)
{
    return att_lower_bound(v, n, sizeof *v, offsetof(struct att_span, start), key);
}

static void test_spans(void **state)
{
    const struct att_span v[] = {{2, 5}, {7, 9}, {7, 12}, {20, 21}};

    (void)state;
    assert_int_equal(first_span(v, 4, 0), 0);
    assert_int_equal(first_span(v, 4, 2), 0);
    assert_int_equal(first_span(v, 4, 3), 1);
    assert_int_equal(first_span(v, 4, 7), 1); /* the first of equal keys */
    assert_int_equal(first_span(v, 4, 8), 3);
    assert_int_equal(first_span(v, 4, 20), 3);
    assert_int_equal(first_span(v, 4, 21), 4); /* past the last: n */
    assert_int_equal(first_span(v, 4, SIZE_MAX), 4);
    assert_int_equal(first_span(NULL, 0, 5), 0);
    assert_int_equal(first_span(v, 1, 9), 1);
}

struct item {
    char tag;
    size_t at;
    int other;
};

static void test_key_inside_struct(void **state)
{
    struct item v[100];

    (void)state;
    for (size_t i = 0; i < 100; i++)
        v[i] = (struct item){.tag = 'x', .at = 3 * i, .other = -1};
    for (size_t key = 0; key <= 300; key++) {
        size_t got = att_lower_bound(v, 100, sizeof *v, offsetof(struct item, at), key);

        assert_int_equal(got, (key + 2) / 3 > 100 ? 100 : (key + 2) / 3);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spans),
        cmocka_unit_test(test_key_inside_struct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
