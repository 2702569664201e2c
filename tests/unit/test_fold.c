/* Unit tests of accent folding (lib/fold.h, att_term_fold) and of the
 * shim's languages: documents stemmed for their language, queries for
 * theirs, and the highlighter's matching of the words as written. */
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
#include "fold.h"
#include "terms.h"

static char tmpdir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/att-fold-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd);
}

/* att_fold of s, as a static string. */
static const char *fold(const char *s)
{
    static char out[256];
    size_t n = att_fold(out, s, strlen(s));

    assert_true(n <= strlen(s));
    assert_int_equal(n, strlen(out));
    return out;
}

static const char *term_fold(const char *s)
{
    static char out[256];
    size_t n = att_term_fold(out, s, strlen(s));

    assert_true(n <= strlen(s));
    assert_int_equal(n, strlen(out));
    return out;
}

static void latin_diacritics_go(void **state)
{
    (void)state;
    assert_string_equal(fold("Erdoğan"), "Erdogan");
    assert_string_equal(fold("naïve café Sánchez"), "naive cafe Sanchez");
    assert_string_equal(fold("Ñandú Ångström İstanbul"), "Nandu Angstrom Istanbul");
    assert_string_equal(fold("ǖ Nguyễn Đặng Gdańsk Łódź"), "u Nguyen Dang Gdansk Lodz");
    assert_string_equal(fold("Čapek Dvořák Şişli"), "Capek Dvorak Sisli");
    /* Decomposed text: the marks after a Latin letter go. */
    assert_string_equal(fold("Erdog\xcc\x86" "an e\xcc\x81\xcc\x81"), "Erdogan e");
    /* Ångström sign (U+212B) to A, through its singleton decomposition. */
    assert_string_equal(fold("\xe2\x84\xab"), "A");
}

static void letters_without_decomposition(void **state)
{
    (void)state;
    assert_string_equal(fold("Øresund søster"), "Oresund soster");
    assert_string_equal(fold("Straße STRAẞE"), "Strasse STRASSE");
    assert_string_equal(fold("Æble æble Œuvre œuvre"), "AEble aeble OEuvre oeuvre");
    assert_string_equal(fold("łódź Đorđe Guðrún Þór Ħal Kılıç"),
                        "lodz Dorde Gudrun THor Hal Kilic");
}

static void other_scripts_stay(void **state)
{
    (void)state;
    /* й is a letter of its own; ё is read as е. */
    assert_string_equal(fold("йод Йемен"), "йод Йемен");
    assert_string_equal(fold("ещё Ёлка"), "еще Елка");
    assert_string_equal(fold("ї"), "ї");
    /* Greek accents, Arabic vowel marks and hamza, Devanagari. */
    assert_string_equal(fold("Αθήνα ἀθῆναι"), "Αθήνα ἀθῆναι");
    assert_string_equal(fold("سَلَام أحمد"), "سَلَام أحمد");
    assert_string_equal(fold("हिन्दी"), "हिन्दी");
    /* A mark after a non-Latin letter or at the start stays. */
    assert_string_equal(fold("\xcc\x81" "a"), "\xcc\x81" "a");
    assert_string_equal(fold("и\xcc\x86"), "и\xcc\x86");
    assert_string_equal(fold("東京"), "東京");
}

static void ascii_and_bytes(void **state)
{
    char buf[32];

    (void)state;
    assert_string_equal(fold("Plain ASCII, 100% (kept)."), "Plain ASCII, 100% (kept).");
    assert_string_equal(fold(""), "");
    /* Invalid bytes are copied, the rest folded. */
    assert_string_equal(fold("\xff" "é" "\xc3"), "\xff" "e" "\xc3");
    /* In place. */
    strcpy(buf, "Sánchez Øre");
    assert_int_equal(att_fold(buf, buf, strlen(buf)), 11);
    assert_string_equal(buf, "Sanchez Ore");
    assert_false(att_fold_needed("Erdogan", 7));
    assert_true(att_fold_needed("Erdoğan", 8));
}

static void lower_never_grows(void **state)
{
    (void)state;
    assert_int_equal(att_fold_lower('A'), 'a');
    assert_int_equal(att_fold_lower(0xC9), 0xE9);   /* É é */
    assert_int_equal(att_fold_lower(0x416), 0x436); /* Ж ж */
    assert_int_equal(att_fold_lower(0x23A), 0x23A); /* Ⱥ: ⱥ takes 3 bytes */
}

static void filter_values(void **state)
{
    (void)state;
    assert_string_equal(term_fold("  Lucía   SÁNCHEZ "), "lucia sanchez");
    assert_string_equal(term_fold("Recep Tayyip ERDOĞAN"), "recep tayyip erdogan");
    assert_string_equal(term_fold("recep\xc2\xa0tayyip\terdogan"), "recep tayyip erdogan");
    assert_string_equal(term_fold("СЕВЕРНЫЙ Вестник"), "северный вестник");
    assert_string_equal(term_fold("Пётр СЕМЁНОВ"), "петр семенов");
    assert_string_equal(term_fold("ÉLODIE Œ"), "elodie oe");
    assert_string_equal(term_fold("Ⱥ"), "Ⱥ");
    assert_string_equal(term_fold("a\xff" "B"), "a\xff" "b");
    assert_string_equal(term_fold(" \xc2\xa0 "), "");
}

/* ---- the shim: languages of documents and of queries ---------------- */

struct doc {
    const char *lang;
    const char *text;
    const char *speaker; /* a folded boolean term, as the indexer writes */
};

static const struct doc docs[] = {
    {"fr", "Les négociations ont repris à Genève.", NULL},
    {"ru", "Переговоры продолжились. Ещё одна встреча.", NULL},
    {"ar", "وتتناول المحادثات ملف التجارة.", NULL},
    {NULL, "\"We will keep it open,\" President Erdoğan said.", "Recep Tayyip ERDOĞAN"},
    {"zh", "Running shoes 东京", NULL},
    {"de", "Die Verhandlungen wurden fortgesetzt.", NULL},
};

static void build(const char *path)
{
    struct att_xwdb *w = NULL;
    struct att_xgen *g = att_xgen_new();
    struct att_err err = {0};
    char term[ATT_TERM_MAX + 1], f[128];

    assert_non_null(g);
    assert_int_equal(att_xwdb_open(path, ATT_XW_CREATE, &w, &err), ATT_OK);
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        struct att_xdoc *d = att_xdoc_new(g);

        assert_non_null(d);
        assert_int_equal(att_xgen_set_language(g, docs[i].lang, &err), ATT_OK);
        assert_int_equal(att_xdoc_text(d, "", docs[i].text, strlen(docs[i].text), 1, 0, &err),
                         ATT_OK);
        if (docs[i].speaker) {
            att_term_fold(f, docs[i].speaker, strlen(docs[i].speaker));
            size_t n = att_term(term, ATT_P_SPK, f, strlen(f));
            assert_int_equal(att_xdoc_term(d, term, n, &err), ATT_OK);
        }
        assert_int_equal(att_xdoc_data(d, docs[i].text, strlen(docs[i].text), &err), ATT_OK);
        assert_int_equal(att_xwdb_add(w, d, &err), ATT_OK);
        att_xdoc_free(d);
    }
    assert_int_equal(att_xwdb_commit(w, &err), ATT_OK);
    att_xwdb_close(w);
    att_xgen_free(g);
}

static uint32_t freq(struct att_xdb *db, const char *term)
{
    struct att_err err = {0};
    uint32_t n = 0;

    assert_int_equal(att_xdb_termfreq(db, term, strlen(term), &n, &err), ATT_OK);
    return n;
}

/* One generator going back and forth between two languages stems each
 * document for its own: the same words, English and French in turn. */
static void languages_in_turn_keep_their_stems(void **state)
{
    static const char text[] = "running nationalit\xc3\xa9s";
    struct att_xwdb *w = NULL;
    struct att_xdb *db = NULL;
    struct att_xgen *g = att_xgen_new();
    struct att_err err = {0};
    char path[128];

    (void)state;
    snprintf(path, sizeof path, "%s/turns", tmpdir);
    assert_non_null(g);
    assert_int_equal(att_xwdb_open(path, ATT_XW_CREATE, &w, &err), ATT_OK);
    for (int i = 0; i < 6; i++) {
        struct att_xdoc *d = att_xdoc_new(g);

        assert_non_null(d);
        assert_int_equal(att_xgen_set_language(g, i % 2 ? "fr" : "en", &err), ATT_OK);
        assert_int_equal(att_xdoc_text(d, "", text, strlen(text), 1, 0, &err), ATT_OK);
        assert_int_equal(att_xwdb_add(w, d, &err), ATT_OK);
        att_xdoc_free(d);
    }
    assert_int_equal(att_xwdb_commit(w, &err), ATT_OK);
    att_xwdb_close(w);
    att_xgen_free(g);
    assert_int_equal(att_xdb_open(path, &db, &err), ATT_OK);
    assert_int_equal(freq(db, "run"), 3);         /* English */
    assert_int_equal(freq(db, "nationalite"), 3); /* English, folded */
    assert_int_equal(freq(db, "running"), 3);     /* French */
    assert_int_equal(freq(db, "national"), 3);    /* French */
    att_xdb_close(db);
}

static void documents_are_stemmed_for_their_language(void **state)
{
    char path[128];
    struct att_xdb *db = NULL;
    struct att_err err = {0};

    (void)state;
    snprintf(path, sizeof path, "%s/stems", tmpdir);
    build(path);
    assert_int_equal(att_xdb_open(path, &db, &err), ATT_OK);
    assert_int_equal(freq(db, "negoci"), 1);        /* French, folded */
    assert_int_equal(freq(db, "négoci"), 0);
    assert_int_equal(freq(db, "genev"), 1);
    assert_int_equal(freq(db, "переговор"), 1);     /* Russian */
    assert_int_equal(freq(db, "ещ"), 1);            /* ё read as е, then stemmed */
    assert_int_equal(freq(db, "تجار"), 1);          /* Arabic: the article goes */
    assert_int_equal(freq(db, "erdogan"), 1);       /* no language: English */
    assert_int_equal(freq(db, "run"), 1);           /* no stemmer (zh): English */
    assert_int_equal(freq(db, "东京"), 1);
    assert_int_equal(freq(db, "verhandl"), 1);      /* German */
    att_xdb_close(db);
}

/* Search q in lang on the index of build(); the number of hits, and
 * whether the word (as written in a passage) is marked in the first. */
static size_t search(const char *q, const char *lang, const char *speaker, const char *word,
                     bool *marked)
{
    char path[128];
    struct att_xdb *db = NULL;
    struct att_err err = {0};
    struct att_search s = {0};
    struct att_result r;
    size_t n;

    snprintf(path, sizeof path, "%s/stems", tmpdir);
    if (access(path, F_OK) != 0)
        build(path);
    assert_int_equal(att_xdb_open(path, &db, &err), ATT_OK);
    s.q = q;
    s.qlen = strlen(q);
    s.limit = 10;
    s.lang = lang;
    s.speaker = speaker;
    s.match = ATT_MATCH_ALL;
    assert_int_equal(att_xdb_search(db, &s, &r, &err), ATT_OK);
    n = r.n;
    if (marked != NULL)
        *marked = n > 0 && att_result_match(&r, 0, word, strlen(word), false);
    att_result_free(&r);
    att_xdb_close(db);
    return n;
}

static void queries_are_stemmed_for_their_language(void **state)
{
    bool m = false;

    (void)state;
    assert_int_equal(search("négociation", "fr", NULL, "négociations", &m), 1);
    assert_true(m);
    assert_int_equal(search("negociation", "fr", NULL, "Négociations", &m), 1);
    assert_true(m);
    assert_int_equal(search("nego*", "fr", NULL, "négociations", &m), 1);
    assert_true(m);
    assert_int_equal(search("négociation", NULL, NULL, NULL, NULL), 0); /* English stem */
    assert_int_equal(search("переговорах", "ru", NULL, "Переговоры", &m), 1);
    assert_true(m);
    assert_int_equal(search("переговорах", NULL, NULL, NULL, NULL), 0);
    assert_int_equal(search("еще", "ru", NULL, "Ещё", &m), 1);
    assert_true(m);
    assert_int_equal(search("Verhandlung", "de", NULL, "Verhandlungen", &m), 1);
    assert_true(m);
    /* Arabic stems lose their article: the highlighter does not compare
     * the words' first letters. */
    assert_int_equal(search("تجارة", "ar", NULL, "التجارة", &m), 1);
    assert_true(m);
    assert_int_equal(search("تجارة", NULL, NULL, NULL, NULL), 0);
}

static void accents_match_both_ways(void **state)
{
    bool m = false;

    (void)state;
    assert_int_equal(search("Erdogan", NULL, NULL, "Erdoğan", &m), 1);
    assert_true(m);
    assert_int_equal(search("ERDOĞAN", NULL, NULL, "Erdoğan", &m), 1);
    assert_true(m);
    /* a word of a phrase alone is not marked: test_phrases.c finds the phrase */
    assert_int_equal(search("\"president erdogan said\"", NULL, NULL, "Erdoğan", &m), 1);
    assert_false(m);
    assert_int_equal(search("erdoğ*", NULL, NULL, "Erdoğan", &m), 1);
    assert_true(m);
    assert_int_equal(search("Erdogan", NULL, NULL, "Erdogen", &m), 1);
    assert_false(m);
    assert_int_equal(search("geneve", "fr", NULL, "Genève", &m), 1);
    assert_true(m);
    assert_int_equal(search("Genève", NULL, NULL, "Genève", &m), 1); /* as English too */
    assert_true(m);
}

static void speaker_filter_is_folded(void **state)
{
    (void)state;
    assert_int_equal(search("", NULL, "Recep Tayyip Erdogan", NULL, NULL), 1);
    assert_int_equal(search("", NULL, "recep  tayyip erdoğan", NULL, NULL), 1);
    assert_int_equal(search("", NULL, "Tayyip Erdogan", NULL, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(latin_diacritics_go),
        cmocka_unit_test(letters_without_decomposition),
        cmocka_unit_test(other_scripts_stay),
        cmocka_unit_test(ascii_and_bytes),
        cmocka_unit_test(lower_never_grows),
        cmocka_unit_test(filter_values),
        cmocka_unit_test(documents_are_stemmed_for_their_language),
        cmocka_unit_test(languages_in_turn_keep_their_stems),
        cmocka_unit_test(queries_are_stemmed_for_their_language),
        cmocka_unit_test(accents_match_both_ways),
        cmocka_unit_test(speaker_filter_is_folded),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
