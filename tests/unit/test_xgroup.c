/* Unit tests of the writing side of near-duplicate groups
 * (lib/xap_group.cc): regrouping a merged database groups copies in
 * different documents, and takes the group away from passages whose band
 * terms only passages of their own document share. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "attache/index.h"
#include "buf.h"
#include "record.h"
#include "shingle.h"
#include "terms.h"

static char tmpdir[64];

static const char *story =
    "Farmers across the northern plains began harvesting soybeans two weeks early this "
    "season after a dry summer left fields parched, according to the regional agriculture "
    "office, which said yields could fall by a fifth compared with last year.";

static const char *copy =
    "Farmers across the northern plains started harvesting soybeans two weeks early this "
    "season after a dry summer left fields parched, according to the regional farm "
    "office, which said yields might fall by a fifth compared with last year.";

static const char *harbour =
    "Fishing boats stayed in the harbour for a third day as storms kept battering the "
    "coast, and the port authority said it would not reopen the outer channel until "
    "divers had checked the sea wall for damage caused by the waves on Sunday.";

static const char *other =
    "The city council voted on Monday night to extend the opening hours of the public "
    "library through the winter, after a petition signed by several hundred students "
    "asked for a quiet place to study in the evenings before their examinations.";

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/att-xgroup-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd);
}

/* Add passage n of document doc with the text's signature, its band
 * terms and, when group is not NULL, that group (value and term) as a
 * database written apart would have left it. */
static void add_passage(struct att_xwdb *w, struct att_xgen *g, const char *doc, unsigned n,
                        const char *text, const char *group)
{
    struct att_err err = {0};
    struct att_xdoc *d = att_xdoc_new(g);
    struct att_sig sig;
    struct att_doc doc_meta = {.id = (char *)doc};
    struct att_rec_in in = {&doc_meta, n, 0, strlen(text), text, strlen(text),
                            NULL, 0, 0, NULL, 0, &sig};
    struct att_buf rec;
    char term[ATT_TERM_MAX + 1], enc[32];

    assert_non_null(d);
    assert_true(att_sig_make(text, strlen(text), &sig));
    att_buf_init(&rec, SIZE_MAX / 2);
    assert_int_equal(att_rec_encode(&in, &rec, &err), ATT_OK);
    assert_int_equal(att_xdoc_data(d, rec.p, rec.len, &err), ATT_OK);
    att_buf_free(&rec);
    assert_int_equal(att_xdoc_value(d, ATT_SLOT_DOC, doc, strlen(doc), &err), ATT_OK);
    assert_int_equal(att_xdoc_value(d, ATT_SLOT_PASSAGE, enc, att_sortable(n, enc), &err),
                     ATT_OK);
    assert_int_equal(att_xdoc_bands(d, &sig, &err), ATT_OK);
    if (group != NULL) {
        assert_int_equal(att_xdoc_value(d, ATT_SLOT_GROUP, group, strlen(group), &err),
                         ATT_OK);
        assert_int_equal(att_xdoc_term(d, term, att_term(term, ATT_P_GROUP, group,
                                                          strlen(group)), &err), ATT_OK);
    }
    assert_int_equal(att_xwdb_add(w, d, &err), ATT_OK);
    att_xdoc_free(d);
}

/* How many passages of the database at path are in group. */
static uint32_t members(const char *path, const char *group)
{
    struct att_xdb *db = NULL;
    struct att_err err = {0};
    char term[ATT_TERM_MAX + 1];
    uint32_t freq = 0;

    assert_int_equal(att_xdb_open(path, &db, &err), ATT_OK);
    assert_int_equal(att_xdb_termfreq(db, term, att_term(term, ATT_P_GROUP, group,
                                                         strlen(group)), &freq, &err), ATT_OK);
    att_xdb_close(db);
    return freq;
}

static void regroup_all_groups_copies_of_other_documents_only(void **state)
{
    struct att_xwdb *w = NULL;
    struct att_xgen *g = att_xgen_new();
    struct att_err err = {0};
    char path[96];

    (void)state;
    assert_non_null(g);
    snprintf(path, sizeof path, "%s/db", tmpdir);
    assert_int_equal(att_xwdb_open(path, ATT_XW_CREATE, &w, &err), ATT_OK);
    assert_int_equal(att_xwdb_begin(w, &err), ATT_OK);
    /* Two copies in one document, with a group that no longer holds. */
    add_passage(w, g, "a.txt", 0, harbour, "0:gone.txt");
    add_passage(w, g, "a.txt", 1, harbour, "0:gone.txt");
    /* Copies in two documents, not yet compared; and an unrelated one. */
    add_passage(w, g, "d.txt", 0, story, NULL);
    add_passage(w, g, "c.txt", 2, copy, NULL);
    add_passage(w, g, "e.txt", 0, other, NULL);
    assert_int_equal(att_xwdb_commit(w, &err), ATT_OK);
    assert_int_equal(att_xwdb_regroup_all(w, &err), ATT_OK);
    assert_int_equal(att_xwdb_commit(w, &err), ATT_OK);
    att_xwdb_close(w);
    att_xgen_free(g);

    assert_int_equal(members(path, "0:gone.txt"), 0);
    assert_int_equal(members(path, "2:c.txt"), 2);
    assert_int_equal(members(path, "0:a.txt"), 0);
    assert_int_equal(members(path, "0:e.txt"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(regroup_all_groups_copies_of_other_documents_only),
    };
    return cmocka_run_group_tests_name("xgroup", tests, setup, teardown);
}
