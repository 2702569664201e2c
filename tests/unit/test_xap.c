/* Unit tests of the Xapian shim: errors come back as codes, never as an
 * abort, and what is written can be read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "attache/index.h"
#include "stub.h"
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

/* The spelling table gets each word lower-cased as Xapian splits it (runs
 * of word characters: letters, digits, '_'), whatever its script, words
 * over 64 bytes left out; thousands of distinct words all come through. */
static void spelling_words_are_counted(void **state)
{
    static const char text[] = "D\xc3\xa9j\xc3\xa0 vu, D\xc3\x89J\xc3\x80 VU! "
                               "d\xc3\xa9j\xc3\xa0_vu 42 \xc4\xb0stanbul \xe6\x97\xa5\xe6\x9c\xac "
                               "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    struct att_xwdb *w = NULL;
    struct att_xdb *db = NULL;
    struct att_xgen *g = att_xgen_new();
    struct att_xdoc *d = att_xdoc_new(g);
    struct att_xdb_info info;
    struct att_err err = {0};
    char many[3000 * 8];
    size_t n = 0;

    (void)state;
    assert_non_null(d);
    for (unsigned i = 0; i < 3000; i++)
        n += (size_t)snprintf(many + n, sizeof many - n, "w%u ", i);
    assert_int_equal(att_xdoc_text(d, "", text, strlen(text), 1, ATT_XT_SPELLING, &err), ATT_OK);
    /* deja (twice), vu (twice), deja_vu, 42, istanbul, the two CJK
     * characters as one word; the 65 a's are too long */
    assert_int_equal(att_xgen_spelling_words(g), 6);
    assert_int_equal(att_xdoc_text(d, "", many, n, 1, ATT_XT_SPELLING, &err), ATT_OK);
    assert_int_equal(att_xgen_spelling_words(g), 3006);
    assert_int_equal(att_xwdb_open(sub("spell"), ATT_XW_CREATE, &w, &err), ATT_OK);
    assert_int_equal(att_xwdb_add(w, d, &err), ATT_OK);
    assert_int_equal(att_xwdb_add_spelling(w, g, &err), ATT_OK);
    assert_int_equal(att_xgen_spelling_words(g), 0);
    assert_int_equal(att_xwdb_commit(w, &err), ATT_OK);
    att_xwdb_close(w);
    att_xdoc_free(d);
    att_xgen_free(g);
    assert_int_equal(att_xdb_open(sub("spell"), &db, &err), ATT_OK);
    assert_int_equal(att_xdb_get_info(db, &info, true, &err), ATT_OK);
    assert_int_equal(info.spellings, 3006);
    assert_int_equal(info.spelling_freq, 3008);
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

#define VERSION_HINT "index format 7 is not supported by this attache (format " ATT_FORMAT_VERSION "): rebuild it " \
                     "with attache-index --rebuild"

/* Stamp the database at path with format (NULL: remove the key). */
static void stamp(const char *path, const char *format)
{
    struct att_xwdb *w = NULL;
    struct att_err err = {0};

    assert_int_equal(att_xwdb_open(path, ATT_XW_CREATE, &w, &err), ATT_OK);
    assert_int_equal(att_xwdb_set_meta(w, ATT_META_FORMAT, strlen(ATT_META_FORMAT),
                                       format ? format : "", format ? strlen(format) : 0,
                                       &err), ATT_OK);
    assert_int_equal(att_xwdb_commit(w, &err), ATT_OK);
    att_xwdb_close(w);
}

static void new_database_carries_the_format(void **state)
{
    struct att_xwdb *w = NULL;
    struct att_xdb *db = NULL;
    struct att_err err = {0};
    char *val = NULL;

    (void)state;
    assert_int_equal(att_xwdb_open(sub("fmt-new"), ATT_XW_CREATE, &w, &err), ATT_OK);
    att_xwdb_close(w); /* nothing committed by the caller */
    assert_int_equal(att_xdb_open(sub("fmt-new"), &db, &err), ATT_OK);
    assert_int_equal(att_xdb_get_meta(db, ATT_META_FORMAT, strlen(ATT_META_FORMAT), &val, NULL,
                                      &err), ATT_OK);
    assert_non_null(val);
    assert_string_equal(val, ATT_FORMAT_VERSION);
    free(val);
    att_xdb_close(db);
    /* No key at all (never stamped): taken as this format. */
    stamp(sub("fmt-new"), NULL);
    assert_int_equal(att_xdb_open(sub("fmt-new"), &db, &err), ATT_OK);
    att_xdb_close(db);
}

static void other_format_is_refused(void **state)
{
    struct att_xwdb *w = (void *)1;
    struct att_xdb *db = (void *)1;
    struct att_err err = {0};
    char dst[128];

    (void)state;
    stamp(sub("fmt7"), "7");
    assert_int_equal(att_xdb_open(sub("fmt7"), &db, &err), ATT_E_VERSION);
    assert_null(db);
    assert_string_equal(err.msg, VERSION_HINT);
    assert_string_equal(att_strerror(ATT_E_VERSION), "version");
    memset(&err, 0, sizeof err);
    assert_int_equal(att_xwdb_open(sub("fmt7"), ATT_XW_CREATE, &w, &err), ATT_E_VERSION);
    assert_null(w);
    assert_string_equal(err.msg, VERSION_HINT);
    snprintf(dst, sizeof dst, "%s", sub("fmt7-copy"));
    assert_int_equal(att_xdb_compact(sub("fmt7"), dst, &err), ATT_E_VERSION);
}

/* An index folder whose stub names generation gen of format. */
static void make_gen(const char *dir, unsigned gen, const char *format)
{
    char path[160];
    struct att_err err = {0};

    snprintf(path, sizeof path, "%s/g%u", dir, gen);
    stamp(path, format);
    assert_int_equal(att_stub_write(dir, gen, 0, &err), ATT_OK);
}

static void swap_to_other_format_is_refused(void **state)
{
    struct att_xdb *db = NULL, *db2 = NULL;
    struct att_err err = {0};
    struct att_xdb_info info;
    bool changed = false;
    char dir[128];

    (void)state;
    snprintf(dir, sizeof dir, "%s", sub("fmt-swap"));
    assert_int_equal(mkdir(dir, 0755), 0);
    make_gen(dir, 1, ATT_FORMAT_VERSION);
    assert_int_equal(att_xdb_open(dir, &db, &err), ATT_OK);
    make_gen(dir, 2, "7");
    assert_int_equal(att_xdb_open(dir, &db2, &err), ATT_E_VERSION);
    assert_string_equal(err.msg, VERSION_HINT);
    memset(&err, 0, sizeof err);
    assert_int_equal(att_xdb_reopen(db, &changed, &err), ATT_E_VERSION);
    assert_string_equal(err.msg, VERSION_HINT);
    assert_int_equal(att_xdb_get_info(db, &info, false, &err), ATT_OK); /* g1 still read */
    att_xdb_close(db);
}

/* Index folder dir (generation 1) holding metadata key "k" = val. */
static void make_index(const char *dir, const char *val)
{
    char path[160];
    struct att_xwdb *w = NULL;
    struct att_err err = {0};

    assert_int_equal(mkdir(dir, 0755), 0);
    make_gen(dir, 1, ATT_FORMAT_VERSION);
    snprintf(path, sizeof path, "%s/g1", dir);
    assert_int_equal(att_xwdb_open(path, 0, &w, &err), ATT_OK);
    assert_int_equal(att_xwdb_set_meta(w, "k", 1, val, strlen(val), &err), ATT_OK);
    assert_int_equal(att_xwdb_commit(w, &err), ATT_OK);
    att_xwdb_close(w);
}

static void copy_of_several_databases(void **state)
{
    char a[128], b[128], da[128], db2[128];
    const char *srcs[2] = {a, b}, *dsts[2] = {da, db2};
    struct att_xdb *db = NULL;
    struct att_err err = {0};
    char *val = NULL;

    (void)state;
    snprintf(a, sizeof a, "%s", sub("copy-a"));
    snprintf(b, sizeof b, "%s", sub("copy-b"));
    snprintf(da, sizeof da, "%s", sub("copy-a2"));
    snprintf(db2, sizeof db2, "%s", sub("copy-b2"));
    make_index(a, "one");
    make_index(b, "two");
    /* Each folder's stub is followed; each copy is a database of its own. */
    assert_int_equal(att_xdb_copy(srcs, 2, dsts, &err), ATT_OK);
    assert_int_equal(att_xdb_open(db2, &db, &err), ATT_OK);
    assert_int_equal(att_xdb_get_meta(db, "k", 1, &val, NULL, &err), ATT_OK);
    assert_string_equal(val, "two");
    free(val);
    att_xdb_close(db);
    /* A source missing, or of another format: an error, nothing copied. */
    snprintf(da, sizeof da, "%s", sub("copy-c2"));
    srcs[1] = sub("copy-none");
    assert_int_equal(att_xdb_copy(srcs, 2, dsts, &err), ATT_E_OPENING);
    assert_int_equal(access(da, F_OK), -1);
    stamp(sub("copy-fmt7"), "7");
    srcs[1] = sub("copy-fmt7");
    assert_int_equal(att_xdb_copy(srcs, 2, dsts, &err), ATT_E_VERSION);
    assert_int_equal(access(da, F_OK), -1);
}

static void stub_read_and_write(void **state)
{
    struct att_stub st;
    struct att_err err = {0};
    char dir[128], path[200];
    FILE *f;

    (void)state;
    snprintf(dir, sizeof dir, "%s", sub("stubs"));
    assert_int_equal(mkdir(dir, 0755), 0);
    assert_int_equal(att_stub_read(dir, &st, &err), ATT_OK);
    assert_false(st.found);
    assert_int_equal(att_stub_read(sub("no-such-folder"), &st, &err), ATT_OK);
    assert_false(st.found);
    assert_int_equal(att_stub_write(dir, 3, 0, &err), ATT_OK);
    assert_int_equal(att_stub_read(dir, &st, &err), ATT_OK);
    assert_true(st.found);
    assert_int_equal(st.gen, 3);
    assert_int_equal(st.shards, 0);
    assert_int_equal(st.n, 1);
    snprintf(path, sizeof path, "%s/g3", dir);
    assert_string_equal(st.dbs[0], path);
    att_stub_free(&st);
    assert_int_equal(att_stub_write(dir, 0, 3, &err), ATT_OK);
    assert_int_equal(att_stub_read(dir, &st, &err), ATT_OK);
    assert_int_equal(st.gen, 0);
    assert_int_equal(st.shards, 3);
    assert_int_equal(st.n, 3);
    snprintf(path, sizeof path, "%s/s2of3", dir);
    assert_string_equal(st.dbs[2], path);
    att_stub_free(&st);
    assert_int_not_equal(att_stub_write(dir, 0, 1, &err), ATT_OK);
    /* Comments, blank lines and absolute paths, as Xapian allows; shards
     * out of order are not attache's layout. */
    snprintf(path, sizeof path, "%s/XAPIANDB", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("# shards\n\nauto s1of2\r\nauto  /abs/s0of2\n", f);
    fclose(f);
    assert_int_equal(att_stub_read(dir, &st, &err), ATT_OK);
    assert_int_equal(st.n, 2);
    assert_int_equal(st.shards, 0);
    assert_string_equal(st.dbs[1], "/abs/s0of2");
    att_stub_free(&st);
    att_stub_free(NULL);
}

static void wildcard_rule(void **state)
{
    const char *q = "soyb* *x a-b* 1* \xc3\xa9t\xc3\xa9* ** x*";
    size_t pos = 0, word, star;

    (void)state;
    assert_int_equal(att_wildcard_count(q, strlen(q)), 5);
    assert_true(att_wildcard_next(q, strlen(q), &pos, &word, &star));
    assert_int_equal(word, 0);
    assert_int_equal(star, 4);
    assert_true(att_wildcard_next(q, strlen(q), &pos, &word, &star));
    assert_int_equal(word, 11); /* "b*" of a-b* */
    assert_int_equal(star, 12);
    assert_int_equal(att_wildcard_count("*", 1), 0);
    assert_int_equal(att_wildcard_count("", 0), 0);
}

static void date_bounds(void **state)
{
    char s[9];

    (void)state;
    assert_true(att_date_bound("2025-11-24", 10, false, s));
    assert_string_equal(s, "20251124");
    assert_true(att_date_bound("2025-11", 7, false, s));
    assert_string_equal(s, "20251100");
    assert_true(att_date_bound("2025-11", 7, true, s));
    assert_string_equal(s, "20251199");
    assert_true(att_date_bound("1862", 4, true, s));
    assert_string_equal(s, "18629999");
    assert_false(att_date_bound("2025-02-30", 10, false, s));
    assert_false(att_date_bound("2025-13", 7, false, s));
    assert_false(att_date_bound("2025-1-5", 8, false, s));
    assert_false(att_date_bound("24 Nov 2025", 11, false, s));
    assert_true(att_date_bound("2025-11-24", 7, false, s)); /* only len bytes count */
    assert_string_equal(s, "20251100");
}

/* One passage dated 2025-11-24 in database name; the result of q. */
static int search_dates(const char *q, uint32_t *n)
{
    static bool built;
    struct att_xwdb *w = NULL;
    struct att_xdb *db = NULL;
    struct att_err err = {0};
    struct att_search s = {.q = q, .qlen = strlen(q), .limit = 10};
    struct att_result r;
    int rc;

    if (!built) {
        struct att_xgen *g = att_xgen_new();
        struct att_xdoc *d = att_xdoc_new(g);

        assert_int_equal(att_xwdb_open(sub("dates"), ATT_XW_CREATE, &w, &err), ATT_OK);
        assert_int_equal(att_xdoc_text(d, "", "harvest", 7, 1, 0, &err), ATT_OK);
        assert_int_equal(att_xdoc_value(d, ATT_SLOT_DATE, "20251124", 8, &err), ATT_OK);
        assert_int_equal(att_xwdb_add(w, d, &err), ATT_OK);
        assert_int_equal(att_xwdb_commit(w, &err), ATT_OK);
        att_xwdb_close(w);
        att_xdoc_free(d);
        att_xgen_free(g);
        built = true;
    }
    assert_int_equal(att_xdb_open(sub("dates"), &db, &err), ATT_OK);
    rc = att_xdb_search(db, &s, &r, &err);
    *n = (uint32_t)r.n;
    att_result_free(&r);
    att_xdb_close(db);
    return rc;
}

static void query_date_ranges_follow_the_rule(void **state)
{
    uint32_t n = 0;

    (void)state;
    assert_int_equal(search_dates("2025-11-01..2025-11-30", &n), ATT_OK);
    assert_int_equal(n, 1);
    assert_int_equal(search_dates("2025-11..2025-11", &n), ATT_OK);
    assert_int_equal(n, 1);
    assert_int_equal(search_dates("1999..2024", &n), ATT_OK);
    assert_int_equal(n, 0);
    assert_int_equal(search_dates("2025-02-30..2025-12-01", &n), ATT_E_QUERY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(missing_database_is_an_error),
        cmocka_unit_test(corrupt_database_is_an_error),
        cmocka_unit_test(empty_stub_is_an_error),
        cmocka_unit_test(second_writer_is_locked),
        cmocka_unit_test(write_then_read_back),
        cmocka_unit_test(spelling_words_are_counted),
        cmocka_unit_test(oversized_term_is_rejected),
        cmocka_unit_test(long_ids_hash_to_distinct_terms),
        cmocka_unit_test(date_slots),
        cmocka_unit_test(new_database_carries_the_format),
        cmocka_unit_test(other_format_is_refused),
        cmocka_unit_test(swap_to_other_format_is_refused),
        cmocka_unit_test(copy_of_several_databases),
        cmocka_unit_test(stub_read_and_write),
        cmocka_unit_test(wildcard_rule),
        cmocka_unit_test(date_bounds),
        cmocka_unit_test(query_date_ranges_follow_the_rule),
    };

    return cmocka_run_group_tests_name("xap", tests, setup, teardown);
}
