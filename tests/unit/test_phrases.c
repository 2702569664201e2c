/* Phrases in highlighting: the shim's phrases of a parsed query
 * (att_result_nphrases, att_result_phrase_match) and the highlighter's
 * marking of their occurrences (att_match_phrase_spans). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "attache/highlight.h"
#include "attache/index.h"

static char tmpdir[64];
static struct att_xdb *db;

static const char *const docs[] = {
    "President Erdoğan said the talks would go on.",
    "We must move the north forward; the south waits.",
    "Old age security came in 1935, and the age of security began.",
    "He crossed a red line, then another line that was red.",
    "These light-houses of the skies shine.",
};

static int setup(void **state)
{
    struct att_xwdb *w = NULL;
    struct att_xgen *g = att_xgen_new();
    struct att_err err = {0};
    char path[128];

    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/att-phr-XXXXXX");
    if (mkdtemp(tmpdir) == NULL || g == NULL)
        return -1;
    snprintf(path, sizeof path, "%s/db", tmpdir);
    if (att_xwdb_open(path, ATT_XW_CREATE, &w, &err) != ATT_OK)
        return -1;
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        struct att_xdoc *d = att_xdoc_new(g);

        if (d == NULL || att_xdoc_text(d, "", docs[i], strlen(docs[i]), 1, 0, &err) != ATT_OK ||
            att_xdoc_data(d, docs[i], strlen(docs[i]), &err) != ATT_OK ||
            att_xwdb_add(w, d, &err) != ATT_OK)
            return -1;
        att_xdoc_free(d);
    }
    if (att_xwdb_commit(w, &err) != ATT_OK)
        return -1;
    att_xwdb_close(w);
    att_xgen_free(g);
    return att_xdb_open(path, &db, &err) == ATT_OK ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    att_xdb_close(db);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd);
}

static void run(const char *q, struct att_result *r)
{
    struct att_search s = {0};
    struct att_err err = {0};

    s.q = q;
    s.qlen = strlen(q);
    s.limit = 10;
    assert_int_equal(att_xdb_search(db, &s, r, &err), ATT_OK);
}

/* Whether the n words of the NULL-terminated list are phrase k of r. */
static bool phrase_is(const struct att_result *r, size_t k, const char *const *words,
                      bool in_quote)
{
    size_t lens[16], n = 0;

    for (; words[n] != NULL; n++)
        lens[n] = strlen(words[n]);
    assert_int_equal(att_result_phrase_len(r, k), n);
    return att_result_phrase_match(r, k, words, lens, in_quote);
}

static bool word(const struct att_result *r, const char *w)
{
    return att_result_match(r, 0, w, strlen(w), false);
}

static void phrase_words_match_only_together(void **state)
{
    struct att_result r;
    static const char *const mtn[] = {"move", "The", "North", NULL};
    static const char *const mtS[] = {"move", "the", "South", NULL};

    (void)state;
    run("\"move the north\" forward", &r);
    assert_int_equal(r.n, 1);
    assert_int_equal(att_result_nphrases(&r), 1);
    assert_true(phrase_is(&r, 0, mtn, false));
    assert_false(phrase_is(&r, 0, mtS, false));
    assert_false(word(&r, "the"));
    assert_false(word(&r, "north"));
    assert_true(word(&r, "forward")); /* outside the phrase: alone */
    assert_int_equal(att_result_phrase_len(&r, 1), 0);
    att_result_free(&r);
}

static void phrases_stem_and_fold(void **state)
{
    struct att_result r;
    static const char *const pes[] = {"President", "Erdoğan", "said", NULL};
    static const char *const lhs[] = {"light", "houses", "of", "the", "skies", NULL};

    (void)state;
    run("\"president erdogan said\"", &r);
    assert_int_equal(r.n, 1);
    assert_true(phrase_is(&r, 0, pes, false));
    att_result_free(&r);
    run("\"light-houses of the skies\"", &r);
    assert_int_equal(r.n, 1);
    assert_int_equal(att_result_nphrases(&r), 1);
    assert_true(phrase_is(&r, 0, lhs, false));
    att_result_free(&r);
    run("skies", &r);
    assert_true(word(&r, "skies"));
    assert_true(word(&r, "sky"));
    att_result_free(&r);
}

static void fields_and_adj(void **state)
{
    struct att_result r;
    static const char *const rl[] = {"red", "line", NULL};

    (void)state;
    run("quote:\"red line\"", &r);
    assert_int_equal(att_result_nphrases(&r), 1);
    assert_false(phrase_is(&r, 0, rl, false));
    assert_true(phrase_is(&r, 0, rl, true));
    att_result_free(&r);
    run("title:\"red line\" OR \"red line\"", &r);
    assert_int_equal(att_result_nphrases(&r), 1); /* one phrase, however many fields */
    att_result_free(&r);
    run("red ADJ line", &r); /* a window wider than the words: words of their own */
    assert_int_equal(att_result_nphrases(&r), 0);
    assert_true(word(&r, "red"));
    assert_true(word(&r, "line"));
    att_result_free(&r);
}

/* A matcher for words in a list, and one phrase of a list of words. */
static bool in_list(void *ud, const char *w, size_t n)
{
    for (const char *const *l = ud; *l != NULL; l++) {
        if (strlen(*l) == n && strncmp(*l, w, n) == 0)
            return true;
    }
    return false;
}

static size_t one_len(void *ud, size_t k)
{
    size_t n = 0;

    (void)k;
    while (((const char *const *)ud)[n] != NULL)
        n++;
    return n;
}

static bool one_match(void *ud, size_t k, const char *const *w, const size_t *lens)
{
    const char *const *p = ud;

    (void)k;
    for (size_t j = 0; p[j] != NULL; j++) {
        if (strlen(p[j]) != lens[j] || strncmp(p[j], w[j], lens[j]) != 0)
            return false;
    }
    return true;
}

static void highlighter_marks_occurrences(void **state)
{
    static const char *const alone[] = {"waits", NULL};
    static const char *const phrase[] = {"the", "age", "security", NULL};
    const char *t = "Old age security. And the age security? Then the age. The age security";
    struct att_matcher m = {in_list, (void *)alone};
    struct att_phrases p = {1, one_len, one_match, (void *)phrase};
    struct att_spans out = {0};
    struct att_err err = {0};

    (void)state;
    assert_int_equal(att_match_phrase_spans(t, strlen(t), &m, &p, &out, &err), ATT_OK);
    assert_int_equal(out.n, 1); /* only the whole phrase (this matcher minds case) */
    assert_memory_equal(t + out.v[0].start, "the age security", 16);
    att_spans_free(&out);
    t = "So the. age security, waits";
    assert_int_equal(att_match_phrase_spans(t, strlen(t), &m, &p, &out, &err), ATT_OK);
    assert_int_equal(out.n, 2); /* across the sentence end; the word alone */
    assert_int_equal(out.v[0].start, 3);
    assert_int_equal(out.v[0].end, 20);
    att_spans_free(&out);
    assert_int_equal(att_match_phrase_spans(t, strlen(t), &m, NULL, &out, &err), ATT_OK);
    assert_int_equal(out.n, 1); /* without phrases: the matcher alone */
    att_spans_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(phrase_words_match_only_together),
        cmocka_unit_test(phrases_stem_and_fold),
        cmocka_unit_test(fields_and_adj),
        cmocka_unit_test(highlighter_marks_occurrences),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
