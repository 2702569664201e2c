/* Unit tests for what the readers find besides title, date, source and url:
 * author, language (att_lang_normalize and its table), further fields,
 * schema.org JSON-LD in HTML, YAML block titles, and titles made from the
 * body of a speech (att_title_from_body). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "attache/doc.h"

#define MAX_GOT 8
#define ISO_CODES "/usr/share/iso-codes/json/"
/* Makes a first line longer than a title, so that a title is cut from it. */
#define MORE " And then it went on for a long while, as such speeches do, about the many " \
             "other matters of state."

/* What a sink collected: documents (fields stolen) and their lines. */
struct got {
    struct att_doc docs[MAX_GOT];
    long lines[MAX_GOT];
    int ndocs;
};

static int on_doc(void *ud, struct att_doc *d, long line)
{
    struct got *g = ud;

    if (g->ndocs < MAX_GOT) {
        g->docs[g->ndocs] = *d;
        g->lines[g->ndocs] = line;
        att_doc_init(d);
    }
    g->ndocs++;
    return ATT_OK;
}

static void got_free(struct got *g)
{
    for (int i = 0; i < g->ndocs && i < MAX_GOT; i++)
        att_doc_clear(&g->docs[i]);
    memset(g, 0, sizeof *g);
}

/* Parse s as a file of format f; the first document is g->docs[0]. */
static void parse(struct got *g, enum att_format f, const char *s)
{
    struct att_doc_sink sink = {on_doc, NULL, g};
    struct att_err err = {0, ""};

    got_free(g);
    assert_int_equal(att_doc_parse("a/file", f, s, strlen(s), &sink, &err), ATT_OK);
    assert_true(g->ndocs >= 1);
}

static void assert_str_or_null(const char *got, const char *want)
{
    if (want == NULL)
        assert_null(got);
    else
        assert_string_equal(got != NULL ? got : "(null)", want);
}

/* ---- language codes ---- */

static void assert_lang(const char *in, const char *want)
{
    char out[3] = "";

    if (want == NULL) {
        assert_false(att_lang_normalize(in, strlen(in), out));
        return;
    }
    if (!att_lang_normalize(in, strlen(in), out))
        fail_msg("'%s' not understood", in);
    assert_string_equal(out, want);
}

static void test_lang_normalize(void **state)
{
    static const char *const cases[][2] = {
        {"fr", "fr"},        {"FR", "fr"},         {"fr-FR", "fr"},     {"pt_BR", "pt"},
        {"zh-Hant-TW", "zh"}, {"fra", "fr"},       {"fre", "fr"},       {"French", "fr"},
        {" english ", "en"}, {"German", "de"},     {"ger", "de"},       {"deu", "de"},
        {"Dutch", "nl"},     {"Flemish", "nl"},    {"Greek", "el"},     {"Spanish", "es"},
        {"Castilian", "es"}, {"Malay", "ms"},      {"en-US", "en"},     {"English (US)", "en"},
        {"ru", "ru"},        {"Russian", "ru"},    {"nb", "nb"},        {"Norwegian Bokmål", "nb"},
        {"xx", NULL},        {"", NULL},           {"Klingon", NULL},   {"haw", NULL},
        {"x-default", NULL}, {"fr-", "fr"},        {"-fr", NULL},       {"f", NULL},
    };
    char big[300];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_lang(cases[i][0], cases[i][1]);
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_lang(big, NULL);
    assert_false(att_lang_normalize(NULL, 0, big));
}

/* The entries of one iso-codes file, or NULL when it is not installed. */
static cJSON *iso_codes(const char *file, const char *part, cJSON **root)
{
    char path[256];
    FILE *f;
    char *text;
    long n;

    snprintf(path, sizeof path, ISO_CODES "%s", file);
    f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    rewind(f);
    text = malloc((size_t)n + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    text[n] = '\0';
    *root = cJSON_Parse(text);
    free(text);
    assert_non_null(*root);
    return cJSON_GetObjectItem(*root, part);
}

/* Every code of a language with a two-letter code, and its name, give that
 * code: lib/lang_codes.c agrees with the installed iso-codes. */
static void check_iso_file(const char *file, const char *part, size_t *checked)
{
    static const char *const keys[] = {"alpha_2", "alpha_3", "bibliographic", "name"};
    cJSON *root = NULL, *langs = iso_codes(file, part, &root), *lang;

    cJSON_ArrayForEach(lang, langs) {
        const char *code = cJSON_GetStringValue(cJSON_GetObjectItem(lang, "alpha_2"));

        for (size_t k = 0; code != NULL && k < sizeof keys / sizeof keys[0]; k++) {
            const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(lang, keys[k]));

            char name[128];

            if (v != NULL) {
                /* "Catalan; Valencian": each name alone. */
                snprintf(name, sizeof name, "%.*s", (int)strcspn(v, ";"), v);
                assert_lang(name, code);
                (*checked)++;
            }
        }
    }
    cJSON_Delete(root);
}

static void test_lang_table_matches_iso_codes(void **state)
{
    size_t checked = 0;
    FILE *f = fopen(ISO_CODES "iso_639-3.json", "rb");

    (void)state;
    if (f == NULL)
        skip(); /* the iso-codes package is not installed */
    fclose(f);
    check_iso_file("iso_639-2.json", "639-2", &checked);
    check_iso_file("iso_639-3.json", "639-3", &checked);
    assert_true(checked > 700);
}

/* ---- .txt ---- */

static void test_txt_author_and_language(void **state)
{
    struct got g = {0};

    (void)state;
    parse(&g, ATT_FMT_TXT, "Title: T\nAuthor: Jane Doe\nLanguage: French\n\nBody.\n");
    assert_string_equal(g.docs[0].author, "Jane Doe");
    assert_string_equal(g.docs[0].language, "fr");
    assert_string_equal(g.docs[0].body, "Body.\n");
    assert_null(g.docs[0].warning);
    /* By: and Lang: alone make a header. */
    parse(&g, ATT_FMT_TXT, "By: John Roe\nLang: pt_BR\n\nCorpo.\n");
    assert_string_equal(g.docs[0].author, "John Roe");
    assert_string_equal(g.docs[0].language, "pt");
    assert_string_equal(g.docs[0].body, "Corpo.\n");
    /* The first of Author: and By: wins. */
    parse(&g, ATT_FMT_TXT, "Author: A\nBy: B\n\nText.\n");
    assert_string_equal(g.docs[0].author, "A");
    parse(&g, ATT_FMT_TXT, "Title: T\nLanguage: Klingonese\n\nText.\n");
    assert_null(g.docs[0].language);
    assert_string_equal(g.docs[0].warning, "language 'Klingonese' not understood");
    got_free(&g);
}

/* ---- .md front matter ---- */

static void test_md_author(void **state)
{
    struct got g = {0};

    (void)state;
    parse(&g, ATT_FMT_MD, "---\nauthor: Jane Doe # staff\n---\nText.\n");
    assert_string_equal(g.docs[0].author, "Jane Doe");
    parse(&g, ATT_FMT_MD, "---\nauthor:\n  - Jane Doe\n  - \"John Roe\"\ntitle: T\n---\nText.\n");
    assert_string_equal(g.docs[0].author, "Jane Doe, John Roe");
    assert_string_equal(g.docs[0].title, "T");
    parse(&g, ATT_FMT_MD, "---\nauthors:\n- name: Ann Lee\n- Bo Chen\n---\nText.\n");
    assert_string_equal(g.docs[0].author, "Ann Lee, Bo Chen");
    parse(&g, ATT_FMT_MD, "---\nauthor: [Ann Lee, 'Bo, Chen', \"Cy\"]\n---\nText.\n");
    assert_string_equal(g.docs[0].author, "Ann Lee, Bo, Chen, Cy");
    got_free(&g);
}

static void test_md_language_and_fields(void **state)
{
    struct got g = {0};
    const char *md = "---\ntitle: T\nlanguage: de-DE\nparty: Republican\nseats: 12\n"
                     "tags:\n  - a\n  - b\nPlace: Ohio\nmeta:\n  x: 1\nnote: >\n  two\n"
                     "  lines\nempty:\n---\nText.\n";

    (void)state;
    parse(&g, ATT_FMT_MD, md);
    assert_string_equal(g.docs[0].language, "de");
    assert_string_equal(att_doc_field(&g.docs[0], "party"), "Republican");
    assert_string_equal(att_doc_field(&g.docs[0], "seats"), "12");
    assert_string_equal(att_doc_field(&g.docs[0], "note"), "two lines");
    assert_null(att_doc_field(&g.docs[0], "tags"));  /* a list */
    assert_null(att_doc_field(&g.docs[0], "meta"));  /* a mapping */
    assert_null(att_doc_field(&g.docs[0], "empty"));
    assert_null(att_doc_field(&g.docs[0], "Place")); /* not lower-case */
    assert_null(att_doc_field(&g.docs[0], "place"));
    assert_int_equal(g.docs[0].nfields, 3);
    parse(&g, ATT_FMT_MD, "---\nlang: Español\ntitle: T\n---\nTexto.\n");
    assert_null(g.docs[0].language);
    assert_string_equal(g.docs[0].warning, "language 'Español' not understood");
    got_free(&g);
}

static void test_md_block_titles(void **state)
{
    struct got g = {0};

    (void)state;
    parse(&g, ATT_FMT_MD, "---\ntitle: >\n  A long title\n  folded in two\ndate: 2025-01-02\n"
                          "---\nText.\n");
    assert_string_equal(g.docs[0].title, "A long title folded in two");
    assert_string_equal(g.docs[0].date, "2025-01-02");
    parse(&g, ATT_FMT_MD, "---\ntitle: |-\n    Literal\n\n    title\nsource: S\n---\nText.\n");
    assert_string_equal(g.docs[0].title, "Literal title");
    assert_string_equal(g.docs[0].source, "S");
    parse(&g, ATT_FMT_MD, "---\ntitle: A plain title\n  that goes on\n---\nText.\n");
    assert_string_equal(g.docs[0].title, "A plain title that goes on");
    parse(&g, ATT_FMT_MD, "---\ntitle: \"Caf\\u00e9 \\\"talks\\\"\\x21 \\U0001F600\"\n---\nT.\n");
    assert_string_equal(g.docs[0].title, "Caf\xC3\xA9 \"talks\"! \xF0\x9F\x98\x80");
    parse(&g, ATT_FMT_MD, "---\ntitle: 'It''s here'\n---\nT.\n");
    assert_string_equal(g.docs[0].title, "It's here");
    /* A bad escape gives its letter, and nothing is read past it. */
    parse(&g, ATT_FMT_MD, "---\ntitle: \"a\\uZZ\"\n---\nT.\n");
    assert_string_equal(g.docs[0].title, "auZZ");
    got_free(&g);
}

static void test_md_too_many_fields(void **state)
{
    struct got g = {0};
    char md[4096];
    size_t n = (size_t)snprintf(md, sizeof md, "---\n");

    (void)state;
    for (int i = 0; i < ATT_MAX_FIELDS + 6; i++)
        n += (size_t)snprintf(md + n, sizeof md - n, "f%d: v%d\n", i, i);
    snprintf(md + n, sizeof md - n, "---\nText.\n");
    parse(&g, ATT_FMT_MD, md);
    assert_int_equal(g.docs[0].nfields, ATT_MAX_FIELDS);
    assert_string_equal(att_doc_field(&g.docs[0], "f63"), "v63");
    assert_null(att_doc_field(&g.docs[0], "f64"));
    assert_non_null(strstr(g.docs[0].warning, "'f64'"));
    got_free(&g);
}

/* ---- .jsonl ---- */

static void test_jsonl_author_language_fields(void **state)
{
    struct got g = {0};
    const char *s = "{\"id\": \"a\", \"title\": \"T\", \"author\": \"Jane Doe\", "
                    "\"language\": \"French\", \"party\": \"Rep\", \"seats\": 12, "
                    "\"share\": 0.5, \"Bad Key\": \"x\", \"nested\": {\"a\": 1}, \"ok\": true, "
                    "\"list\": [1], \"body\": \"Text.\"}\n"
                    "{\"author\": [\"A\", 3, \"B\"], \"lang\": \"pt_BR\", \"text\": \"T.\"}\n";

    (void)state;
    parse(&g, ATT_FMT_JSONL, s);
    assert_int_equal(g.ndocs, 2);
    assert_string_equal(g.docs[0].author, "Jane Doe");
    assert_string_equal(g.docs[0].language, "fr");
    assert_string_equal(att_doc_field(&g.docs[0], "party"), "Rep");
    assert_string_equal(att_doc_field(&g.docs[0], "seats"), "12");
    assert_string_equal(att_doc_field(&g.docs[0], "share"), "0.5");
    assert_int_equal(g.docs[0].nfields, 3);
    assert_null(att_doc_field(&g.docs[0], "title"));
    assert_string_equal(g.docs[1].author, "A, B");
    assert_string_equal(g.docs[1].language, "pt");
    assert_int_equal(g.docs[1].nfields, 0);
    got_free(&g);
}

static void test_jsonl_warnings_carry_their_line(void **state)
{
    struct got g = {0};
    char s[4096];
    size_t n;

    (void)state;
    parse(&g, ATT_FMT_JSONL, "{\"body\": \"fine\"}\n{\"date\": \"2025-13-45\", \"body\": \"x\"}\n"
                             "{\"language\": \"Elvish\", \"body\": \"y\"}\n");
    assert_int_equal(g.ndocs, 3);
    assert_null(g.docs[0].warning);
    assert_int_equal(g.lines[1], 2);
    assert_null(g.docs[1].date);
    assert_string_equal(g.docs[1].warning, "date '2025-13-45' not understood");
    assert_int_equal(g.lines[2], 3);
    assert_null(g.docs[2].language);
    assert_string_equal(g.docs[2].warning, "language 'Elvish' not understood");
    n = (size_t)snprintf(s, sizeof s, "{\"body\": \"b\"");
    for (int i = 0; i < ATT_MAX_FIELDS + 3; i++)
        n += (size_t)snprintf(s + n, sizeof s - n, ", \"k%d\": %d", i, i);
    snprintf(s + n, sizeof s - n, "}\n");
    parse(&g, ATT_FMT_JSONL, s);
    assert_int_equal(g.docs[0].nfields, ATT_MAX_FIELDS);
    assert_non_null(strstr(g.docs[0].warning, "further fields"));
    got_free(&g);
}

/* ---- .html ---- */

static void test_html_author_and_language(void **state)
{
    struct got g = {0};

    (void)state;
    parse(&g, ATT_FMT_HTML, "<html lang=\"fr-FR\"><head><title>T</title>"
                            "<meta property=\"article:author\" content=\"https://fb.com/x\">"
                            "<meta property=\"article:author\" content=\"Ann Lee\">"
                            "</head><body><p>Texte.</p></body></html>");
    assert_string_equal(g.docs[0].language, "fr");
    assert_string_equal(g.docs[0].author, "Ann Lee");
    parse(&g, ATT_FMT_HTML, "<html><head><meta name=\"author\" content=\"Jane Doe\">"
                            "<meta property=\"article:author\" content=\"Ann Lee\">"
                            "<meta http-equiv=\"content-language\" content=\"de\">"
                            "</head><body><p>Text.</p></body></html>");
    assert_string_equal(g.docs[0].author, "Jane Doe");
    assert_string_equal(g.docs[0].language, "de");
    parse(&g, ATT_FMT_HTML, "<html lang=\"tlh\"><body><p>Text.</p></body></html>");
    assert_null(g.docs[0].language);
    assert_string_equal(g.docs[0].warning, "language 'tlh' not understood");
    got_free(&g);
}

static void test_html_og_fallbacks(void **state)
{
    struct got g = {0};

    (void)state;
    parse(&g, ATT_FMT_HTML, "<html><head><title>Talks | Site</title>"
                            "<meta property=\"og:title\" content=\"Talks\">"
                            "<meta property=\"og:site_name\" content=\"Site\">"
                            "</head><body><h1>H</h1><p>Text.</p></body></html>");
    assert_string_equal(g.docs[0].title, "Talks");
    assert_string_equal(g.docs[0].source, "Site");
    parse(&g, ATT_FMT_HTML, "<html><head><title>Only title</title></head>"
                            "<body><h1>H</h1><p>Text.</p></body></html>");
    assert_string_equal(g.docs[0].title, "Only title");
    got_free(&g);
}

/* The fields of a page whose head holds the JSON-LD ld, a <title> and og:
 * tags that it should win over. */
static void html_ld(struct got *g, const char *ld)
{
    char page[4096];

    snprintf(page, sizeof page,
             "<html><head><title>Page title</title>"
             "<meta property=\"og:title\" content=\"OG title\">"
             "<meta property=\"og:site_name\" content=\"OG site\">"
             "<meta name=\"author\" content=\"Meta Author\">"
             "<meta property=\"article:published_time\" content=\"2020-01-01\">"
             "<script type=\"application/ld+json\">%s</script></head>"
             "<body><p>The text of the page.</p></body></html>",
             ld);
    parse(g, ATT_FMT_HTML, page);
    assert_string_equal(g->docs[0].body, "The text of the page.");
}

static void assert_meta(const struct att_doc *d, const char *title, const char *date,
                        const char *author, const char *source)
{
    assert_str_or_null(d->title, title);
    assert_str_or_null(d->date, date);
    assert_str_or_null(d->author, author);
    assert_str_or_null(d->source, source);
}

static void test_html_jsonld(void **state)
{
    struct got g = {0};

    (void)state;
    html_ld(&g, "{\"@context\": \"https://schema.org\", \"@type\": \"NewsArticle\", "
                "\"headline\": \"LD headline\", \"datePublished\": \"2025-11-24T10:00:00Z\", "
                "\"author\": {\"@type\": \"Person\", \"name\": \"Jane Doe\"}, "
                "\"publisher\": {\"@type\": \"Organization\", \"name\": \"LD News\"}, "
                "\"inLanguage\": \"en-GB\"}");
    assert_meta(&g.docs[0], "LD headline", "2025-11-24", "Jane Doe", "LD News");
    assert_string_equal(g.docs[0].language, "en");
    /* Authors as an array of strings and objects; a type list. */
    html_ld(&g, "{\"@type\": [\"Report\", \"CreativeWork\"], \"name\": \"A report\", "
                "\"author\": [\"Ann Lee\", {\"name\": \"Bo Chen\"}, 7], "
                "\"publisher\": \"Office\"}");
    assert_meta(&g.docs[0], "A report", "2020-01-01", "Ann Lee, Bo Chen", "Office");
    /* @graph with references by @id; a WebPage item is not the article. */
    html_ld(&g, "{\"@context\": \"https://schema.org\", \"@graph\": ["
                "{\"@type\": \"WebPage\", \"name\": \"Web page\"},"
                "{\"@type\": \"schema:BlogPosting\", \"headline\": \"Post\", "
                "\"author\": {\"@id\": \"#p1\"}, \"publisher\": {\"@id\": \"#org\"}},"
                "{\"@type\": \"Person\", \"@id\": \"#p1\", \"name\": \"Cy Dee\"},"
                "{\"@type\": \"Organization\", \"@id\": \"#org\", \"name\": \"Blog Inc\"}]}");
    assert_meta(&g.docs[0], "Post", "2020-01-01", "Cy Dee", "Blog Inc");
    /* A top-level array. */
    html_ld(&g, "[{\"@type\": \"BreadcrumbList\"}, {\"@type\": \"http://schema.org/Article\", "
                "\"headline\": \"In a list\", \"datePublished\": \"2024-05\"}]");
    assert_meta(&g.docs[0], "In a list", "2024-05", "Meta Author", "OG site");
    /* Broken or unrelated JSON-LD is ignored: meta and og: tags apply. */
    html_ld(&g, "{\"@type\": \"NewsArticle\", \"headline\": ");
    assert_meta(&g.docs[0], "OG title", "2020-01-01", "Meta Author", "OG site");
    html_ld(&g, "{\"@type\": \"Organization\", \"name\": \"Org\"}");
    assert_meta(&g.docs[0], "OG title", "2020-01-01", "Meta Author", "OG site");
    html_ld(&g, "<!-- not json -->");
    assert_meta(&g.docs[0], "OG title", "2020-01-01", "Meta Author", "OG site");
    got_free(&g);
}

static void test_html_jsonld_first_script_wins(void **state)
{
    struct got g = {0};

    (void)state;
    parse(&g, ATT_FMT_HTML,
          "<html><head><script type=\"application/ld+json\">{\"@type\": \"Article\", "
          "\"headline\": \"First\"}</script><script type=\"application/ld+json; charset=utf-8\">"
          "{\"@type\": \"Article\", \"headline\": \"Second\", \"author\": \"Au\"}</script>"
          "<script>var x = {\"@type\": \"Article\", \"headline\": \"Not LD\"};</script>"
          "</head><body><p>Text.</p></body></html>");
    assert_string_equal(g.docs[0].title, "First");
    assert_string_equal(g.docs[0].author, "Au");
    assert_string_equal(g.docs[0].body, "Text.");
    got_free(&g);
}

/* ---- titles from the body ---- */

static void assert_title(const char *body, const char *want)
{
    char *t = att_title_from_body(body, strlen(body), 100);

    assert_non_null(t);
    assert_string_equal(t, want);
    free(t);
}

static void test_title_skips_salutations(void **state)
{
    (void)state;
    assert_title("Mr. Speaker, Mr. President, distinguished Members of the Congress, honored "
                 "guests, and fellow citizens: Today marks my first State of the Union." MORE,
                 "Today marks my first State of the Union.");
    assert_title("Madam Speaker, Vice President Biden, Members of Congress: Our Constitution "
                 "declares it." MORE, "Our Constitution declares it.");
    assert_title("Mr. President, Mr. Speaker, Members of the Congress: I come before you." MORE,
                 "I come before you.");
    assert_title("Members of the Congress: It is gratifying to report." MORE,
                 "It is gratifying to report.");
    assert_title("To the Senate and House of Representatives: The year has passed." MORE,
                 "The year has passed.");
    assert_title("Ladies and gentlemen, it is a pleasure to be here." MORE,
                 "It is a pleasure to be here.");
    assert_title("My fellow Americans, tonight we meet again." MORE, "Tonight we meet again.");
    assert_title("My fellow citizens: The state of our Union is strong." MORE,
                 "The state of our Union is strong.");
    assert_title("Madam Speaker, Madam Vice President\xE2\x80\x94(applause)\xE2\x80\x94no "
                 "President has ever said those words." MORE,
                 "No President has ever said those words.");
}

static void test_title_skips_openers(void **state)
{
    (void)state;
    assert_title("Thank you. Thank you very much. Mr. Speaker, Mr. Vice President, Members of "
                 "Congress: Tonight marks the eighth year." MORE, "Tonight marks the eighth year.");
    assert_title("The President. Mr. Speaker, Members of Congress: Today in America a teacher "
                 "spent extra time." MORE, "Today in America a teacher spent extra time.");
    assert_title("THE PRESIDENT: Good evening. We gather at a hard time." MORE,
                 "We gather at a hard time.");
    assert_title("(Applause.) Please, everybody, have a seat. The work goes on." MORE,
                 "The work goes on.");
    assert_title("\n  Thank you all.\n\nReport on the harvest\nbody", "Report on the harvest");
    /* Nothing but an opener: it is the title. */
    assert_title("Thank you very much.", "Thank you very much.");
}

static void test_title_keeps_ordinary_openings(void **state)
{
    (void)state;
    assert_title("Mr. Smith went to Washington on Monday." MORE,
                 "Mr. Smith went to Washington on Monday.");
    assert_title("Members of the Senate voted today, and the bill passed." MORE,
                 "Members of the Senate voted today, and the bill passed.");
    assert_title("Washington: the talks ended on Monday." MORE,
                 "Washington: the talks ended on Monday.");
    assert_title("Thank you notes are a dying art, the survey of a thousand households "
                 "across the country found this year." MORE,
                 "Thank you notes are a dying art, the survey of a thousand households across "
                 "the country found\xE2\x80\xA6");
    assert_title("President Lincoln spoke, and the hall went quiet." MORE,
                 "President Lincoln spoke, and the hall went quiet.");
}

static void test_title_cuts_whole(void **state)
{
    (void)state;
    /* At a sentence end, closing quote included. */
    assert_title("He said \"the state of the Union is strong and getting stronger every day.\" "
                 "Then he went on for a long while about the budget and the rest of it all.",
                 "He said \"the state of the Union is strong and getting stronger every day.\"");
    /* At a clause boundary, with an ellipsis. */
    assert_title("The year that has passed since the submission of my last message to Congress "
                 "has, especially during the latter part of it, been an eventful one.",
                 "The year that has passed since the submission of my last message to Congress "
                 "has\xE2\x80\xA6");
    /* At a word, not after a small word, with an ellipsis. */
    assert_title("It is provided by the Constitution that the President shall from time to "
                 "time give to the Congress information of the state of the Union.",
                 "It is provided by the Constitution that the President shall from time to time "
                 "give\xE2\x80\xA6");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lang_normalize),
        cmocka_unit_test(test_lang_table_matches_iso_codes),
        cmocka_unit_test(test_txt_author_and_language),
        cmocka_unit_test(test_md_author),
        cmocka_unit_test(test_md_language_and_fields),
        cmocka_unit_test(test_md_block_titles),
        cmocka_unit_test(test_md_too_many_fields),
        cmocka_unit_test(test_jsonl_author_language_fields),
        cmocka_unit_test(test_jsonl_warnings_carry_their_line),
        cmocka_unit_test(test_html_author_and_language),
        cmocka_unit_test(test_html_og_fallbacks),
        cmocka_unit_test(test_html_jsonld),
        cmocka_unit_test(test_html_jsonld_first_script_wins),
        cmocka_unit_test(test_title_skips_salutations),
        cmocka_unit_test(test_title_skips_openers),
        cmocka_unit_test(test_title_keeps_ordinary_openings),
        cmocka_unit_test(test_title_cuts_whole),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
