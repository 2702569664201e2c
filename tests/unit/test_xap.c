/* Unit tests of the Xapian shim: errors come back as codes, never as an
 * abort, and what is written can be read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "attache/index.h"
#include "terms.h"

static char tmpdir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/att-xap-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd);
}

static char *sub(const char *name)
{
    static char p[128];

    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    return p;
}

static void missing_database_is_an_error(void **state)
{
    struct att_xdb *db = (void *)1;
    struct att_xwdb *w = (void *)1;
    struct att_err err = {0};

    (void)state;
    assert_int_equal(att_xdb_open(sub("nothing-here"), &db, &err), ATT_E_OPENING);
    assert_null(db);
    assert_true(strlen(err.msg) > 0);
    assert_int_equal(att_xwdb_open(sub("nothing-here"), 0, &w, &err), ATT_E_OPENING);
    assert_null(w);
}

static void corrupt_database_is_an_error(void **state)
{
    struct att_xdb *db = NULL;
    struct att_err err = {0};
    char cmd[512];
    int rc;

    (void)state;
    snprintf(cmd, sizeof cmd, "mkdir -p %s && for f in iamglass postlist.glass termlist.glass;"
             " do head -c 3000 /dev/urandom > %s/$f; done", sub("bad"), sub("bad"));
    assert_int_equal(system(cmd), 0);
    rc = att_xdb_open(sub("bad"), &db, &err);
    assert_true(rc == ATT_E_CORRUPT || rc == ATT_E_OPENING || rc == ATT_E_INDEX);
    assert_null(db);
    assert_true(strlen(err.msg) > 0);
}

static void empty_stub_is_an_error(void **state)
{
    struct att_xdb *db = NULL;
    struct att_err err = {0};
    char cmd[512];

    (void)state;
    snprintf(cmd, sizeof cmd, "mkdir -p %s && : > %s/XAPIANDB", sub("stub"), sub("stub"));
    assert_int_equal(system(cmd), 0);
    assert_int_not_equal(att_xdb_open(sub("stub"), &db, &err), ATT_OK);
    assert_null(db);
}

static void second_writer_is_locked(void **state)
{
    struct att_xwdb *a = NULL, *b = NULL;
    struct att_err err = {0};

    (void)state;
    assert_int_equal(att_xwdb_open(sub("lock"), ATT_XW_CREATE, &a, &err), ATT_OK);
    assert_int_equal(att_xwdb_open(sub("lock"), ATT_XW_CREATE, &b, &err), ATT_E_LOCKED);
    assert_null(b);
    att_xwdb_close(a);
    assert_int_equal(att_xwdb_open(sub("lock"), 0, &b, &err), ATT_OK);
    att_xwdb_close(b);
}

static int count_meta(void *ud, const char *key, size_t klen, const char *val, size_t vlen)
{
    (void)key;
    (void)klen;
    (void)val;
    (void)vlen;
    ++*(int *)ud;
    return 0;
}

static void write_then_read_back(void **state)
{
    struct att_xwdb *w = NULL;
    struct att_xdb *db = NULL;
    struct att_xdoc *d;
    struct att_xgen *g;
    struct att_xdb_info info;
    struct att_err err = {0};
    uint32_t freq = 0;
    char *val = NULL;
    size_t vlen = 0;
    int keys = 0;

    (void)state;
    assert_int_equal(att_xwdb_open(sub("rw"), ATT_XW_CREATE, &w, &err), ATT_OK);
    assert_int_equal(att_xwdb_begin(w, &err), ATT_OK);
    g = att_xgen_new();
    assert_non_null(g);
    d = att_xdoc_new(g);
    assert_non_null(d);
    assert_int_equal(att_xdoc_text(d, "", "Sanctions were imposed", 22, 1, ATT_XT_SPELLING,
                                   &err), ATT_OK);
    assert_int_equal(att_xdoc_term(d, "XDa.txt", 7, &err), ATT_OK);
    assert_int_equal(att_xdoc_data(d, "{}", 2, &err), ATT_OK);
    assert_int_equal(att_xwdb_add(w, d, &err), ATT_OK);
    att_xdoc_free(d);
    assert_int_equal(att_xwdb_add_spelling(w, g, &err), ATT_OK);
    att_xgen_free(g);
    assert_int_equal(att_xwdb_set_meta(w, "F:a", 3, "x\0y", 3, &err), ATT_OK);
    assert_int_equal(att_xwdb_set_meta(w, "F:b", 3, "z", 1, &err), ATT_OK);
    assert_int_equal(att_xwdb_commit(w, &err), ATT_OK);
    att_xwdb_close(w);

    assert_int_equal(att_xdb_open(sub("rw"), &db, &err), ATT_OK);
    assert_int_equal(att_xdb_termfreq(db, "sanction", 8, &freq, &err), ATT_OK);
    assert_int_equal(freq, 1); /* stemmed */
    assert_int_equal(att_xdb_termfreq(db, "XDa.txt", 7, &freq, &err), ATT_OK);
    assert_int_equal(freq, 1);
    assert_int_equal(att_xdb_get_meta(db, "F:a", 3, &val, &vlen, &err), ATT_OK);
    assert_int_equal(vlen, 3);
    assert_memory_equal(val, "x\0y", 3); /* NUL bytes survive */
    free(val);
    assert_int_equal(att_xdb_get_meta(db, "none", 4, &val, &vlen, &err), ATT_OK);
    assert_null(val);
    assert_int_equal(att_xdb_each_meta(db, "F:", 2, count_meta, &keys, &err), ATT_OK);
    assert_int_equal(keys, 2);
    assert_int_equal(att_xdb_get_info(db, &info, true, &err), ATT_OK);
    assert_int_equal(info.doccount, 1);
    assert_true(info.terms >= 4);
    att_xdb_close(db);
}

static void oversized_term_is_rejected(void **state)
{
    struct att_xwdb *w = NULL;
    struct att_xdoc *d;
    struct att_xgen *g;
    struct att_err err = {0};
    char big[300];

    (void)state;
    memset(big, 'a', sizeof big);
    assert_int_equal(att_xwdb_open(sub("big"), ATT_XW_CREATE, &w, &err), ATT_OK);
    g = att_xgen_new();
    d = att_xdoc_new(g);
    assert_int_equal(att_xdoc_term(d, big, sizeof big, &err), ATT_E_TOOBIG);
    assert_int_equal(att_xdoc_term(d, "", 0, &err), ATT_E_TOOBIG);
    att_xdoc_free(d);
    att_xgen_free(g);
    att_xwdb_close(w);
}

static void long_ids_hash_to_distinct_terms(void **state)
{
    char a[ATT_TERM_MAX + 1], b[ATT_TERM_MAX + 1], va[400], vb[400];
    size_t na, nb;

    (void)state;
    memset(va, 'x', sizeof va);
    memcpy(vb, va, sizeof vb);
    vb[399] = 'y';
    na = att_term(a, "XF", va, sizeof va);
    nb = att_term(b, "XF", vb, sizeof vb);
    assert_true(na <= ATT_TERM_MAX && nb <= ATT_TERM_MAX);
    assert_true(na != nb || memcmp(a, b, na) != 0);
    assert_int_equal(att_term(a, "XF", "short", 5), 7);
    assert_string_equal(a, "XFshort");
}

static void date_slots(void **state)
{
    char s[9];

    (void)state;
    assert_true(att_date_slot("2025-11-24", s));
    assert_string_equal(s, "20251124");
    assert_true(att_date_slot("1862", s));
    assert_string_equal(s, "18620000");
    assert_true(att_date_slot("2025-11", s));
    assert_string_equal(s, "20251100");
    assert_false(att_date_slot("25-11-24", s));
    assert_false(att_date_slot("2025/11/24", s));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(missing_database_is_an_error),
        cmocka_unit_test(corrupt_database_is_an_error),
        cmocka_unit_test(empty_stub_is_an_error),
        cmocka_unit_test(second_writer_is_locked),
        cmocka_unit_test(write_then_read_back),
        cmocka_unit_test(oversized_term_is_rejected),
        cmocka_unit_test(long_ids_hash_to_distinct_terms),
        cmocka_unit_test(date_slots),
    };

    return cmocka_run_group_tests_name("xap", tests, setup, teardown);
}
