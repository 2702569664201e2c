/* Unit tests of lib/actors.c: loading a gazetteer (and its bad lines),
 * finding actors in text by the matching rules of lib/actors.h, lookups,
 * the aliases of an id, the canonical dump, and the built-in gazetteer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "actors.h"
#include "helpers.h"

struct warns {
    int n;
    long line[8];
    char why[8][320];
};

static void on_warn(void *ud, long line, const char *why)
{
    struct warns *w = ud;

    if (w->n < 8) {
        w->line[w->n] = line;
        snprintf(w->why[w->n], sizeof w->why[0], "%s", why);
    }
    w->n++;
}

static struct att_actors *load(const char *text, struct warns *w)
{
    struct att_actors *g = att_actors_new();
    struct att_err err = {0};

    assert_non_null(g);
    assert_int_equal(att_actors_load(g, text, strlen(text), on_warn, w, &err), ATT_OK);
    return g;
}

/* The ids found in text, joined by spaces ("" for none). */
static const char *found(const struct att_actors *g, const char *text)
{
    static char out[512];
    struct att_actor_ids ids = {0};
    struct att_err err = {0};

    out[0] = '\0';
    assert_int_equal(att_actors_find(g, text, strlen(text), &ids, &err), ATT_OK);
    for (size_t i = 0; i < ids.n; i++)
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i ? " " : "", ids.v[i]);
    att_actor_ids_free(&ids);
    return out;
}

static const char small[] =
    "# a comment\n"
    "\n"
    "china\tChina\tChinese\tBeijing\tPeking\tPRC\tPeople's Republic of China\n"
    "united-states\tUnited States\tUS\tU.S.\tAmerica\tAmerican\tAmericans\tWashington\r\n"
    "turkey\tTürkiye\tTurkiye\tTurkey\n"
    "soviet-union\tSoviet Union\tUSSR\tSoviet\n"
    "russia\tRussia\tMoscow\n"
    "papua-new-guinea\tPapua New Guinea\n"
    "guinea\tGuinea\n"
    "un\tUnited Nations\tUN\tU.N.\tUN Security Council\n"
    "-\t\tLatin America\tGeorge Washington\n";

static void test_load_and_match(void **state)
{
    struct warns w = {0};
    struct att_actors *g = load(small, &w);

    (void)state;
    assert_int_equal(w.n, 0);
    assert_int_equal(att_actors_count(g), 8);
    assert_string_equal(found(g, "China and the United States met."), "china united-states");
    assert_string_equal(found(g, "The U.S. and China; China again."), "united-states china");
    assert_string_equal(found(g, "China's envoy went to Washington."), "china united-states");
    /* demonyms, capitals, former names, as listed */
    assert_string_equal(found(g, "Chinese officials in Peking"), "china");
    assert_string_equal(found(g, "talks in Moscow"), "russia");
    assert_string_equal(found(g, "the USSR and the Soviet Union"), "soviet-union");
    assert_string_equal(found(g, "nothing here"), "");
    assert_string_equal(found(g, ""), "");
    att_actors_free(g);
}

static void test_case_rules(void **state)
{
    struct warns w = {0};
    struct att_actors *g = load(small, &w);

    (void)state;
    assert_string_equal(found(g, "let us go"), "");      /* "US" only as written */
    assert_string_equal(found(g, "Us and them"), "");
    assert_string_equal(found(g, "US troops"), "united-states");
    assert_string_equal(found(g, "fine china and turkey"), ""); /* lower case: no */
    assert_string_equal(found(g, "CHINA AND THE UNITED STATES"), "china united-states");
    assert_string_equal(found(g, "ChInA"), "");
    att_actors_free(g);
}

static void test_words_and_phrases(void **state)
{
    struct warns w = {0};
    struct att_actors *g = load(small, &w);

    (void)state;
    /* no match inside a word */
    assert_string_equal(found(g, "Indochinese and Chinatown"), "");
    assert_string_equal(found(g, "UNESCO"), "");
    /* the longest alias wins and hides the shorter inside it */
    assert_string_equal(found(g, "Papua New Guinea"), "papua-new-guinea");
    assert_string_equal(found(g, "Guinea and Papua New Guinea"), "guinea papua-new-guinea");
    assert_string_equal(found(g, "the UN Security Council"), "un");
    /* block phrases */
    assert_string_equal(found(g, "Latin America"), "");
    assert_string_equal(found(g, "George Washington said"), "");
    assert_string_equal(found(g, "Latin America and America"), "united-states");
    /* phrases across hyphens, apostrophes, line ends; not across commas */
    assert_string_equal(found(g, "US-China trade"), "united-states china");
    assert_string_equal(found(g, "the People\xE2\x80\x99s Republic of China"), "china");
    assert_string_equal(found(g, "Papua New\nGuinea"), "papua-new-guinea");
    assert_string_equal(found(g, "Papua New, Guinea"), "guinea");
    assert_string_equal(found(g, "U. S. A."), "united-states");
    att_actors_free(g);
}

static void test_accents_and_order(void **state)
{
    struct warns w = {0};
    struct att_actors *g = load(small, &w);

    (void)state;
    assert_string_equal(found(g, "Türkiye"), "turkey");
    assert_string_equal(found(g, "Turkiye"), "turkey");
    assert_string_equal(found(g, "Türkiyelı"), ""); /* a longer word */
    assert_string_equal(found(g, "«Türkiye» — Russia"), "turkey russia");
    /* distinct ids, in first-seen order */
    assert_string_equal(found(g, "Moscow, China, Russia, Peking, UN, US, China"),
                        "russia china un united-states");
    att_actors_free(g);
}

static void test_bad_lines(void **state)
{
    struct warns w = {0};
    const char *text = "China\tChina\n"                 /* 1: id in capitals */
                       "new-one\t\tNew\n"               /* 2: new, no name */
                       "ok\tOkland\tOk,Land\n"          /* 3: comma inside */
                       "x--y\tX\n"                      /* 4: double hyphen */
                       "ok\tOkland\t\xff\n"             /* 5: not UTF-8 */
                       "ok\tOkland\t...\n"              /* 6: no letter */
                       "ok\tOkland\tOkie\n"             /* 7: good */
                       "ok\t\t-Nope\n";                 /* 8: nothing to remove */
    struct att_actors *g = load(text, &w);

    (void)state;
    assert_int_equal(w.n, 7);
    for (int i = 0; i < 6; i++)
        assert_int_equal(w.line[i], i + 1);
    assert_int_equal(w.line[6], 8);
    assert_non_null(strstr(w.why[0], "'China' is not an id"));
    assert_non_null(strstr(w.why[1], "is new: give its name"));
    assert_non_null(strstr(w.why[2], "Ok,Land"));
    assert_non_null(strstr(w.why[4], "UTF-8"));
    assert_non_null(strstr(w.why[6], "nothing to remove"));
    assert_int_equal(att_actors_count(g), 1);
    assert_string_equal(found(g, "Okie and Okland"), "ok");
    att_actors_free(g);
}

static void test_extend_and_remove(void **state)
{
    struct warns w = {0};
    struct att_actors *g = load(small, &w);
    struct att_err err = {0};
    const char *more = "china\t\t-Peking\tMiddle Kingdom\n"
                       "taiwan\tTaiwan\tRepublic of China\tChinese\n" /* "Chinese" moves */
                       "-\t\t-George Washington\n";
    const char *const *al;

    (void)state;
    assert_int_equal(att_actors_load(g, more, strlen(more), on_warn, &w, &err), ATT_OK);
    assert_int_equal(w.n, 0);
    assert_string_equal(found(g, "Peking"), "");
    assert_string_equal(found(g, "the Middle Kingdom"), "china");
    assert_string_equal(found(g, "Chinese"), "taiwan");
    assert_string_equal(found(g, "CHINESE"), "taiwan");
    assert_string_equal(found(g, "George Washington"), "united-states");
    assert_int_equal(att_actors_aliases(g, "china", &al), 5);
    assert_string_equal(al[0], "China");
    assert_string_equal(al[4], "Middle Kingdom");
    assert_int_equal(att_actors_aliases(g, "nobody", &al), 0);
    assert_null(al);
    att_actors_free(g);
}

/* A name stays with its actor; two actors never share one. */
static void test_names_stay(void **state)
{
    struct warns w = {0};
    const char *text = "x\tFoo\tFoo Land\n"
                       "y\tBar\tFoo\tFoo Land\n"  /* Foo stays; Foo Land moves */
                       "x\t\t-Foo\n"              /* the name cannot go */
                       "z\tFoo\n"                  /* nor be a second name */
                       "x\tFoo\tFoo\n";           /* the same line again: no change */
    struct att_actors *g = load(text, &w);
    const char *const *al;

    (void)state;
    assert_int_equal(w.n, 3);
    assert_int_equal(w.line[0], 2);
    assert_non_null(strstr(w.why[0], "'Foo' is the name of x"));
    assert_int_equal(w.line[1], 3);
    assert_int_equal(w.line[2], 4);
    assert_non_null(strstr(w.why[2], "already the name of x"));
    assert_string_equal(found(g, "Foo and Foo Land"), "x y");
    assert_int_equal(att_actors_aliases(g, "x", &al), 1);
    assert_string_equal(al[0], "Foo");
    assert_null(att_actors_name(g, "z"));
    att_actors_free(g);
}

static void test_lookup(void **state)
{
    struct warns w = {0};
    struct att_actors *g = load(small, &w);

    (void)state;
    assert_string_equal(att_actors_lookup(g, "china", 5), "china");
    assert_string_equal(att_actors_lookup(g, "China", 5), "china");
    assert_string_equal(att_actors_lookup(g, "Chinese", 7), "china");
    assert_string_equal(att_actors_lookup(g, "beijing", 7), "china");
    assert_string_equal(att_actors_lookup(g, "U.S.", 4), "united-states");
    assert_string_equal(att_actors_lookup(g, "united states", 13), "united-states");
    assert_string_equal(att_actors_lookup(g, "UNITED-STATES", 13), "united-states");
    assert_string_equal(att_actors_lookup(g, "Turkiye", 7), "turkey");
    assert_null(att_actors_lookup(g, "Latin America", 13)); /* a block names nobody */
    assert_null(att_actors_lookup(g, "Narnia", 6));
    assert_null(att_actors_lookup(g, "", 0));
    assert_string_equal(att_actors_name(g, "turkey"), "Türkiye");
    assert_null(att_actors_name(g, "narnia"));
    att_actors_free(g);
}

static void test_dump_round_trip(void **state)
{
    struct warns w = {0};
    struct att_actors *g = load(small, &w), *h;
    size_t len, len2;
    char *d = att_actors_dump(g, &len), *d2;

    (void)state;
    assert_non_null(d);
    assert_int_equal(strlen(d), len);
    assert_non_null(strstr(d, "china\tChina\tChinese\tBeijing"));
    assert_true(strstr(d, "china\t") < strstr(d, "guinea\t")); /* by id */
    assert_non_null(strstr(d, "\n-\t\tLatin America\tGeorge Washington\n"));
    h = load(d, &w);
    d2 = att_actors_dump(h, &len2);
    assert_int_equal(w.n, 0);
    assert_int_equal(len, len2);
    assert_memory_equal(d, d2, len);
    free(d);
    free(d2);
    att_actors_free(g);
    att_actors_free(h);
}

static void test_builtin(void **state)
{
    struct att_actors *g = NULL;
    struct att_err err = {0};
    struct warns w = {0};
    struct att_actors *again;

    (void)state;
    assert_int_equal(att_actors_builtin(&g, &err), ATT_OK);
    again = load(att_actors_builtin_text, &w);
    assert_int_equal(w.n, 0); /* the shipped file loads without a warning */
    assert_true(att_actors_count(g) > 250);
    assert_true(att_actors_alias_count(g) > 1000);
    assert_string_equal(found(g, "Beijing and Moscow"), "china russia");
    assert_string_equal(found(g, "the Chinese and the French"), "china france");
    assert_string_equal(found(g, "Persia, Siam, Burma and Ceylon"),
                        "iran thailand myanmar sri-lanka");
    assert_string_equal(found(g, "the Soviet Union"), "soviet-union");
    assert_string_equal(found(g, "the Kremlin and the White House"), "russia united-states");
    assert_string_equal(found(g, "NATO and the European Union at the G7"), "nato eu g7");
    assert_string_equal(found(g, "Latin America and the Gulf of Mexico"), "");
    assert_string_equal(found(g, "Côte d'Ivoire or Cote d'Ivoire"), "ivory-coast");
    assert_string_equal(found(g, "Indochinese"), "");
    assert_string_equal(att_actors_lookup(g, "UK", 2), "united-kingdom");
    assert_string_equal(att_actors_lookup(g, "Beijing", 7), "china");
    att_actors_free(g);
    att_actors_free(again);
}

/* Every word of a long text goes through the tables: fast enough to run
 * on every passage. */
static void test_speed(void **state)
{
    struct att_actors *g = NULL;
    struct att_err err = {0};
    struct att_actor_ids ids = {0};
    const char *unit = "The President of the United States spoke of trade with China, "
                       "of the alliance with Britain and of peace in Europe. ";
    size_t n = strlen(unit), reps = SLOW ? 200 : 20000;
    char *text = malloc(n * reps + 1);
    double t0;

    (void)state;
    assert_non_null(text);
    for (size_t i = 0; i < reps; i++)
        memcpy(text + i * n, unit, n);
    text[n * reps] = '\0';
    assert_int_equal(att_actors_builtin(&g, &err), ATT_OK);
    t0 = now();
    assert_int_equal(att_actors_find(g, text, n * reps, &ids, &err), ATT_OK);
    assert_int_equal(ids.n, 3);
    if (!SLOW) /* 2.5 MB: well under a second */
        assert_true(now() - t0 < 1.0);
    att_actor_ids_free(&ids);
    att_actors_free(g);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_and_match),
        cmocka_unit_test(test_case_rules),
        cmocka_unit_test(test_words_and_phrases),
        cmocka_unit_test(test_accents_and_order),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_extend_and_remove),
        cmocka_unit_test(test_names_stay),
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_dump_round_trip),
        cmocka_unit_test(test_builtin),
        cmocka_unit_test(test_speed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
