/* Unit tests of lib/sidecar.c: parsing attache-meta.jsonl (bad lines
 * reported by number and skipped), the fields a file gets (names,
 * patterns, every file; later lines win), their hash, and filling a
 * document's missing metadata. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sidecar.h"

struct bad {
    long line[16];
    char why[16][200];
    size_t n;
};

static void on_bad(void *ud, long line, const char *why)
{
    struct bad *b = ud;

    assert_true(b->n < 16);
    b->line[b->n] = line;
    snprintf(b->why[b->n], sizeof b->why[b->n], "%s", why);
    b->n++;
}

static void parse(const char *text, struct att_sidecar *sc, struct bad *b)
{
    struct att_err err = {0};

    memset(sc, 0, sizeof *sc);
    memset(b, 0, sizeof *b);
    assert_int_equal(att_sidecar_parse(text, strlen(text), sc, on_bad, b, &err), ATT_OK);
}

/* The value set gives name, or NULL. */
static const char *get(const struct att_sidecar_set *set, const char *name)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->name[i], name) == 0)
            return set->value[i];
    return NULL;
}

static void test_lines_and_bad_lines(void **state)
{
    const char *text =
        "# comment\n"
        "\n"
        "{\"file\":\"a.txt\",\"title\":\"  A   title \",\"party\":\"Whig\"}\r\n"
        "not json\n"
        "[1,2]\n"
        "{\"file\":\"a.txt\",\"title\":3}\n"
        "{\"file\":\"a.txt\",\"Party\":\"x\"}\n"
        "{\"file\":\"a.txt\",\"date\":\"someday\"}\n"
        "{\"file\":\"a/b.txt\",\"party\":\"x\"}\n"
        "{\"file\":\"a.txt\",\"id\":\"x\"}\n"
        "{\"file\":\"a.txt\",\"language\":\"martian\"}\n"
        "{\"file\":\"a.txt\",\"party\":\"\"}\n"
        "{\"file\":\"a.txt\",\"party\":null}\n"
        "   # indented comment\n"
        "{\"file\":\"a.txt\",\"date\":1862,\"seats\":12,\"language\":\"FR\"} \n";
    struct att_sidecar sc;
    struct att_sidecar_set set;
    struct bad b;
    const long want[] = {4, 5, 6, 7, 8, 9, 10, 11, 12, 13};

    (void)state;
    parse(text, &sc, &b);
    assert_int_equal(sc.n, 2);
    assert_int_equal(b.n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < b.n; i++)
        assert_int_equal(b.line[i], want[i]);
    assert_string_equal(b.why[0], "not valid JSON");
    assert_string_equal(b.why[1], "not a JSON object");
    assert_non_null(strstr(b.why[2], "'title' is not a string"));
    assert_non_null(strstr(b.why[3], "field name 'Party'"));
    assert_non_null(strstr(b.why[4], "date 'someday' not understood"));
    assert_non_null(strstr(b.why[5], "without '/'"));
    assert_non_null(strstr(b.why[6], "'id' cannot be given"));
    assert_non_null(strstr(b.why[7], "language 'martian'"));
    assert_non_null(strstr(b.why[8], "is empty"));
    assert_non_null(strstr(b.why[9], "'party' is not a string"));
    att_sidecar_match(&sc, "a.txt", &set);
    assert_string_equal(get(&set, "title"), "A title"); /* white space collapsed */
    assert_string_equal(get(&set, "party"), "Whig");
    assert_string_equal(get(&set, "date"), "1862");
    assert_string_equal(get(&set, "seats"), "12");
    assert_string_equal(get(&set, "language"), "fr");
    for (size_t i = 1; i < set.n; i++)
        assert_true(strcmp(set.name[i - 1], set.name[i]) < 0);
    att_sidecar_match(&sc, "b.txt", &set);
    assert_int_equal(set.n, 0);
    att_sidecar_free(&sc);
}

static void test_patterns_and_order(void **state)
{
    const char *text =
        "{\"party\":\"None\",\"source\":\"Archive\"}\n"
        "{\"file\":\"*_r.txt\",\"party\":\"Republican\"}\n"
        "{\"file\":\"1862_lincoln_r.txt\",\"author\":\"Lincoln\",\"party\":\"Union\"}\n"
        "{\"file\":\"18??_*.txt\",\"date\":\"1800\"}\n"
        "{\"file\":\"[draft].txt\",\"title\":\"Draft\"}\n"
        "{\"file\":\"1862_lincoln_r.txt\",\"date\":\"December 1, 1862\"}\n";
    struct att_sidecar sc;
    struct att_sidecar_set set;
    struct bad b;

    (void)state;
    parse(text, &sc, &b);
    assert_int_equal(b.n, 0);
    att_sidecar_match(&sc, "1862_lincoln_r.txt", &set);
    assert_string_equal(get(&set, "party"), "Union");        /* the named line comes later */
    assert_string_equal(get(&set, "author"), "Lincoln");
    assert_string_equal(get(&set, "source"), "Archive");     /* every file */
    assert_string_equal(get(&set, "date"), "1862-12-01");    /* the later of two lines */
    att_sidecar_match(&sc, "1870_grant_r.txt", &set);
    assert_string_equal(get(&set, "party"), "Republican");
    assert_string_equal(get(&set, "date"), "1800");
    assert_null(get(&set, "author"));
    att_sidecar_match(&sc, "1961_kennedy_d.txt", &set);
    assert_string_equal(get(&set, "party"), "None");
    assert_null(get(&set, "date"));
    att_sidecar_match(&sc, "[draft].txt", &set); /* a name that looks like a pattern */
    assert_string_equal(get(&set, "title"), "Draft");
    att_sidecar_free(&sc);
}

static void test_hash(void **state)
{
    struct att_sidecar a, c;
    struct att_sidecar_set sa, sc;
    struct bad b;
    char ha[17], hc[17];

    (void)state;
    parse("{\"file\":\"x.txt\",\"party\":\"A\",\"title\":\"T\"}\n", &a, &b);
    parse("{\"title\":\"T\"}\n{\"file\":\"x.txt\",\"party\":\"A\"}\n", &c, &b);
    att_sidecar_match(&a, "x.txt", &sa);
    att_sidecar_match(&c, "x.txt", &sc);
    att_sidecar_hash(&sa, ha);
    att_sidecar_hash(&sc, hc);
    assert_int_equal(strlen(ha), 16);
    assert_string_equal(ha, hc); /* the same fields, however they were written */
    att_sidecar_match(&a, "y.txt", &sa);
    att_sidecar_hash(&sa, ha);
    assert_string_equal(ha, "");
    att_sidecar_match(&c, "y.txt", &sc);
    att_sidecar_hash(&sc, hc);
    assert_int_equal(strlen(hc), 16);
    att_sidecar_free(&a);
    att_sidecar_free(&c);
}

static void test_apply_fills_only_what_is_missing(void **state)
{
    struct att_sidecar sc;
    struct att_sidecar_set set;
    struct att_doc d;
    struct bad b;
    uint64_t h = 0, h0;
    unsigned n = 0;

    (void)state;
    parse("{\"title\":\"Side\",\"date\":\"1862\",\"author\":\"A\",\"source\":\"S\","
          "\"party\":\"P\",\"seats\":\"3\"}\n", &sc, &b);
    att_sidecar_match(&sc, "f.txt", &set);
    att_doc_init(&d);
    d.title = strdup("Own");
    d.date = strdup("1999");
    d.source = strdup("Own source");
    assert_int_equal(att_doc_set_field(&d, "party", "Own party"), ATT_OK);
    assert_int_equal(att_sidecar_apply(&set, &d, &h, &n), ATT_OK);
    assert_string_equal(d.title, "Own");
    assert_string_equal(d.date, "1999");
    assert_string_equal(d.source, "Own source");
    assert_string_equal(d.author, "A");
    assert_string_equal(att_doc_field(&d, "party"), "Own party");
    assert_string_equal(att_doc_field(&d, "seats"), "3");
    assert_int_equal(n, 2);
    att_doc_clear(&d);

    /* A title made from the body and a date from the file name give way. */
    h0 = h;
    att_doc_init(&d);
    d.title = strdup("First words of the body");
    d.title_from_body = true;
    d.date = strdup("1861");
    d.date_from_name = true;
    n = 0;
    assert_int_equal(att_sidecar_apply(&set, &d, &h, &n), ATT_OK);
    assert_string_equal(d.title, "Side");
    assert_false(d.title_from_body);
    assert_string_equal(d.date, "1862");
    assert_false(d.date_from_name);
    assert_int_equal(n, 6);
    assert_true(h != h0);
    att_doc_clear(&d);
    att_sidecar_free(&sc);
}

static void test_limits(void **state)
{
    char *text = malloc(8192);
    size_t at = 0;
    struct att_sidecar sc;
    struct att_sidecar_set set;
    struct bad b;
    char lang[3];

    (void)state;
    at += (size_t)sprintf(text + at, "{\"file\":\"a.txt\"");
    for (int i = 0; i <= ATT_MAX_FIELDS; i++)
        at += (size_t)sprintf(text + at, ",\"f%d\":\"v\"", i);
    sprintf(text + at, "}\n");
    parse(text, &sc, &b);
    assert_int_equal(b.n, 1);
    assert_non_null(strstr(b.why[0], "more than"));
    att_sidecar_match(&sc, "a.txt", &set);
    assert_int_equal(set.n, 0);
    att_sidecar_free(&sc);
    free(text);

    parse("\xEF\xBB\xBF{\"x\":\"y\"}", &sc, &b); /* a BOM, no final newline */
    assert_int_equal(b.n, 0);
    assert_int_equal(sc.n, 1);
    att_sidecar_free(&sc);
    parse("", &sc, &b);
    assert_int_equal(sc.n, 0);
    att_sidecar_match(&sc, "a.txt", &set);
    assert_int_equal(set.n, 0);
    att_sidecar_free(&sc);

    assert_true(att_lang_normalize("pt-BR", 5, lang));
    assert_string_equal(lang, "pt");
    assert_false(att_lang_normalize("f", 1, lang));
    assert_true(att_lang_normalize("fra", 3, lang));
    assert_string_equal(lang, "fr");
    assert_false(att_lang_normalize("", 0, lang));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_and_bad_lines),
        cmocka_unit_test(test_patterns_and_order),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_apply_fills_only_what_is_missing),
        cmocka_unit_test(test_limits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
