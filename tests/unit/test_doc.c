/* Unit tests for the document model and its readers (txt, md, html, jsonl),
 * the dispatch in att_doc_parse, and the date and title helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "attache/doc.h"
#include "attache/text.h"

#define MAX_GOT 16

/* What a sink collected: documents (fields stolen) and bad lines. */
struct got {
    struct att_doc docs[MAX_GOT];
    long lines[MAX_GOT];
    int ndocs;
    long bad[MAX_GOT];
    char why[MAX_GOT][64];
    int nbad;
    int stop_after; /* on_doc returns ATT_E_IO after this many; 0: never */
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
    return g->stop_after > 0 && g->ndocs >= g->stop_after ? ATT_E_IO : 0;
}

static void on_bad(void *ud, long line, const char *why)
{
    struct got *g = ud;

    if (g->nbad < MAX_GOT) {
        g->bad[g->nbad] = line;
        snprintf(g->why[g->nbad], sizeof g->why[0], "%s", why);
    }
    g->nbad++;
}

static void got_free(struct got *g)
{
    for (int i = 0; i < g->ndocs && i < MAX_GOT; i++)
        att_doc_clear(&g->docs[i]);
    memset(g, 0, sizeof *g);
}

static int parse_n(struct got *g, const char *id, enum att_format f, const char *s, size_t n)
{
    struct att_doc_sink sink = {on_doc, on_bad, g};
    struct att_err err = {0, ""};
    int rc = att_doc_parse(id, f, s, n, &sink, &err);

    if (rc != ATT_OK)
        assert_int_equal(err.code, rc);
    return rc;
}

static int parse(struct got *g, const char *id, enum att_format f, const char *s)
{
    return parse_n(g, id, f, s, strlen(s));
}

/* The whole of a fixture file, NUL-terminated; *len gets its size. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void assert_valid_doc(const struct att_doc *d)
{
    const char *fields[] = {d->id, d->title, d->date, d->source, d->url};

    assert_non_null(d->body);
    assert_int_equal(strlen(d->body), d->body_len);
    assert_true(att_utf8_valid(d->body, d->body_len));
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (fields[i] != NULL)
            assert_true(att_utf8_valid(fields[i], strlen(fields[i])));
    }
}

/* ---- formats ---- */

static void test_format_for_path(void **state)
{
    (void)state;
    assert_int_equal(att_format_for_path("a/b.txt"), ATT_FMT_TXT);
    assert_int_equal(att_format_for_path("B.TXT"), ATT_FMT_TXT);
    assert_int_equal(att_format_for_path("x.md"), ATT_FMT_MD);
    assert_int_equal(att_format_for_path("x.Markdown"), ATT_FMT_MD);
    assert_int_equal(att_format_for_path("x.html"), ATT_FMT_HTML);
    assert_int_equal(att_format_for_path("x.HTM"), ATT_FMT_HTML);
    assert_int_equal(att_format_for_path("feed.jsonl"), ATT_FMT_JSONL);
    assert_int_equal(att_format_for_path("feed.ndjson"), ATT_FMT_JSONL);
    assert_int_equal(att_format_for_path("x.pdf"), ATT_FMT_NONE);
    assert_int_equal(att_format_for_path("README"), ATT_FMT_NONE);
    assert_int_equal(att_format_for_path("dir.md/file"), ATT_FMT_NONE);
    assert_int_equal(att_format_for_path(".txt"), ATT_FMT_NONE);
    assert_int_equal(att_format_for_path("notes.txt~"), ATT_FMT_NONE);
    assert_int_equal(att_format_for_path(NULL), ATT_FMT_NONE);
}

static void test_unsupported_format(void **state)
{
    struct got g = {0};

    (void)state;
    assert_int_equal(parse(&g, "x", ATT_FMT_NONE, "text"), ATT_E_PARSE);
    assert_int_equal(g.ndocs, 0);
}

/* ---- .txt ---- */

static void test_txt_header(void **state)
{
    struct got g = {0};
    const char *s = "Title: Trump and Xi  talk\nDate: November 24, 2025\nSource: Reuters\n"
                    "URL: https://example.com/a?b=c\nAuthor: Jane Doe\n\n"
                    "President Trump spoke.\nSecond paragraph.\n";

    (void)state;
    assert_int_equal(parse(&g, "news/call.txt", ATT_FMT_TXT, s), ATT_OK);
    assert_int_equal(g.ndocs, 1);
    assert_valid_doc(&g.docs[0]);
    assert_string_equal(g.docs[0].id, "news/call.txt");
    assert_string_equal(g.docs[0].title, "Trump and Xi talk");
    assert_string_equal(g.docs[0].date, "2025-11-24");
    assert_string_equal(g.docs[0].source, "Reuters");
    assert_string_equal(g.docs[0].url, "https://example.com/a?b=c");
    assert_string_equal(g.docs[0].body, "President Trump spoke.\nSecond paragraph.\n");
    assert_int_equal(g.lines[0], 0);
    got_free(&g);
}

/* A text wrapped at a fixed width gives paragraphs, not one per line; a
 * text with one paragraph per line keeps them. */
static void test_txt_hard_wrap_joined(void **state)
{
    struct got g = {0};
    const char *wrapped =
        "The Minister met his counterpart on Monday morning to discuss the\n"
        "arms sale and the export restrictions that were suspended last year\n"
        "under the agreement reached in Busan between the two delegations.\n"
        "\n"
        "Both sides said the talks were constructive and agreed to meet again\n"
        "in the spring, when the working groups are due to report on trade,\n"
        "on fentanyl and on the purchase of soybeans by state companies.\n";
    const char *lines = "First paragraph.\nSecond paragraph.\nThird one.\n";

    (void)state;
    assert_int_equal(parse(&g, "w.txt", ATT_FMT_TXT, wrapped), ATT_OK);
    assert_null(strstr(g.docs[0].body, "the\narms"));
    assert_non_null(strstr(g.docs[0].body, "the arms sale"));
    assert_non_null(strstr(g.docs[0].body, "delegations.\n\nBoth"));
    assert_int_equal(g.docs[0].body_len, strlen(wrapped));
    got_free(&g);
    memset(&g, 0, sizeof g);
    assert_int_equal(parse(&g, "l.txt", ATT_FMT_TXT, lines), ATT_OK);
    assert_string_equal(g.docs[0].body, lines);
    got_free(&g);
}

static void test_txt_header_keys_any_case(void **state)
{
    struct got g = {0};

    (void)state;
    assert_int_equal(parse(&g, "a.txt", ATT_FMT_TXT, "TITLE: Up\ndate: 2025\nurl:\n\nBody"),
                     ATT_OK);
    assert_string_equal(g.docs[0].title, "Up");
    assert_string_equal(g.docs[0].date, "2025");
    assert_null(g.docs[0].url);
    assert_string_equal(g.docs[0].body, "Body");
    got_free(&g);
}

static void test_txt_no_header(void **state)
{
    struct got g = {0};

    (void)state;
    assert_int_equal(parse(&g, "plain.txt", ATT_FMT_TXT, "Short title\n\nThe body text.\n"),
                     ATT_OK);
    assert_string_equal(g.docs[0].title, "Short title");
    assert_null(g.docs[0].date);
    assert_null(g.docs[0].source);
    assert_string_equal(g.docs[0].body, "Short title\n\nThe body text.\n");
    got_free(&g);
}

static void test_txt_false_header(void **state)
{
    struct got g = {0};
    const char *s1 = "Washington: the president said on Monday that talks would go on.\n\n"
                     "More text.\n";
    const char *s2 = "Note: this is prose\nDate: 2025-01-01\nand not a header\n\nText.\n";
    const char *s3 = "Title: no blank line after, so no header\nText.\n";
    const char *s4 = "The Secretary of State said: yes\nDate: 2025-01-01\n\nText.\n";

    (void)state;
    assert_int_equal(parse(&g, "a.txt", ATT_FMT_TXT, s1), ATT_OK);
    assert_string_equal(g.docs[0].body, s1);
    assert_string_equal(g.docs[0].title,
                        "Washington: the president said on Monday that talks would go on.");
    got_free(&g);
    assert_int_equal(parse(&g, "a.txt", ATT_FMT_TXT, s2), ATT_OK);
    assert_string_equal(g.docs[0].body, s2);
    assert_null(g.docs[0].date);
    got_free(&g);
    assert_int_equal(parse(&g, "a.txt", ATT_FMT_TXT, s3), ATT_OK);
    assert_string_equal(g.docs[0].body, s3);
    got_free(&g);
    assert_int_equal(parse(&g, "a.txt", ATT_FMT_TXT, s4), ATT_OK);
    assert_string_equal(g.docs[0].body, s4);
    got_free(&g);
}

static void test_txt_unknown_keys_need_a_known_one(void **state)
{
    struct got g = {0};
    const char *s = "Classification: Unclassified\nDistribution: All\n\nBody.\n";

    (void)state;
    assert_int_equal(parse(&g, "a.txt", ATT_FMT_TXT, s), ATT_OK);
    assert_string_equal(g.docs[0].body, s);
    got_free(&g);
    assert_int_equal(parse(&g, "a.txt", ATT_FMT_TXT, "Posted by: Jane\nSource: AP\n\nBody.\n"),
                     ATT_OK);
    assert_string_equal(g.docs[0].source, "AP");
    assert_string_equal(g.docs[0].body, "Body.\n");
    got_free(&g);
}

static void test_txt_crlf(void **state)
{
    struct got g = {0};
    const char *s = "Title: Windows file\r\nDate: 2025-01-02\r\n\r\nLine one\r\nLine two\r\n";

    (void)state;
    assert_int_equal(parse(&g, "a.txt", ATT_FMT_TXT, s), ATT_OK);
    assert_string_equal(g.docs[0].title, "Windows file");
    assert_string_equal(g.docs[0].date, "2025-01-02");
    assert_string_equal(g.docs[0].body, "Line one\nLine two\n");
    got_free(&g);
    assert_int_equal(parse(&g, "a.txt", ATT_FMT_TXT, "Old\rMac\rlines"), ATT_OK);
    assert_string_equal(g.docs[0].body, "Old\nMac\nlines");
    assert_string_equal(g.docs[0].title, "Old");
    got_free(&g);
}

static void test_txt_bom(void **state)
{
    struct got g = {0};

    (void)state;
    assert_int_equal(parse(&g, "a.txt", ATT_FMT_TXT, "\xEF\xBB\xBFTitle: X\n\nBody"), ATT_OK);
    assert_string_equal(g.docs[0].title, "X");
    assert_string_equal(g.docs[0].body, "Body");
    got_free(&g);
}

static void test_txt_fixture_long_first_line(void **state)
{
    struct got g = {0};
    size_t n;
    char *s = slurp("tests/fixtures/doc/1862_abraham_lincoln_r.txt", &n);

    (void)state;
    assert_int_equal(parse_n(&g, "sotu/1862_abraham_lincoln_r.txt", ATT_FMT_TXT, s, n), ATT_OK);
    assert_string_equal(g.docs[0].date, "1862");
    assert_true(strlen(g.docs[0].title) <= 100);
    /* The salutation is passed over; the sentence is cut at a comma. */
    assert_string_equal(g.docs[0].title, "Since your last annual assembling another year of "
                                         "health and bountiful harvests has passed\u2026");
    assert_memory_equal(g.docs[0].body, s, n);
    got_free(&g);
    free(s);
}

static void test_reader_failure_keeps_id(void **state)
{
    struct att_doc d;
    struct att_err err = {0, ""};

    (void)state;
    att_doc_init(&d);
    d.id = strdup("keep/me.txt");
    assert_int_equal(att_read_txt("Title: x\n\n  \n", 13, &d, &err), ATT_E_EMPTY);
    assert_int_equal(err.code, ATT_E_EMPTY);
    assert_string_equal(d.id, "keep/me.txt");
    assert_null(d.title);
    assert_null(d.body);
    assert_int_equal(att_read_md("---\ntitle: x\n---\n<!-- -->\n", 26, &d, &err), ATT_E_EMPTY);
    assert_null(d.title);
    assert_int_equal(att_read_html("<title>t</title><script>x</script>", 34, &d, &err),
                     ATT_E_EMPTY);
    assert_null(d.title);
    assert_string_equal(d.id, "keep/me.txt");
    att_doc_clear(&d);
    att_doc_clear(NULL);
}

/* ---- title fallback ---- */

static void test_title_from_body(void **state)
{
    char buf[200], *t;
    const char *s1 = "The first sentence is here and it is long enough to count. Then more "
                     "text follows on the same line for a good while longer than a title.";
    const char *s2 = "Mr. Smith went to Washington on Monday to meet officials of the U.S. "
                     "government. He said the talks went very well indeed, and more.";

    (void)state;
    t = att_title_from_body("\n\n  Short line  \nrest", 20, 100);
    assert_string_equal(t, "Short line");
    free(t);
    t = att_title_from_body(s1, strlen(s1), 100);
    assert_string_equal(t, "The first sentence is here and it is long enough to count.");
    free(t);
    t = att_title_from_body(s2, strlen(s2), 100);
    assert_string_equal(t, "Mr. Smith went to Washington on Monday to meet officials of the U.S. "
                           "government.");
    free(t);
    memset(buf, '-', sizeof buf);
    t = att_title_from_body(buf, sizeof buf, 100);
    assert_non_null(t);
    assert_int_equal(strlen(t), 100);
    free(t);
    assert_null(att_title_from_body("", 0, 100));
    assert_null(att_title_from_body(" \n\t\n", 4, 100));
}

static void test_title_cut_at_word_and_utf8(void **state)
{
    char buf[400], *t;
    size_t n = 0;

    (void)state;
    while (n + 6 < sizeof buf) {
        memcpy(buf + n, "word, ", 6);
        n += 6;
    }
    t = att_title_from_body(buf, n, 100);
    assert_true(strlen(t) <= 100 && strlen(t) > 50);
    /* Cut at a comma, which is dropped, and marked with an ellipsis. */
    assert_memory_equal(t + strlen(t) - 4, "d\xE2\x80\xA6", 4);
    assert_memory_equal(t, buf, strlen(t) - 3);
    free(t);
    /* No space at all: cut at a character boundary of 2-byte characters. */
    for (n = 0; n + 2 <= 301; n += 2)
        memcpy(buf + n, "\xC3\xA9", 2);
    t = att_title_from_body(buf, n, 99);
    assert_true(strlen(t) <= 99);
    assert_true(att_utf8_valid(t, strlen(t)));
    assert_int_equal((strlen(t) - 3) % 2, 0);
    free(t);
}

/* ---- binary, empty, invalid UTF-8 ---- */

static void test_binary(void **state)
{
    struct got g = {0};
    char buf[10000];

    (void)state;
    assert_int_equal(parse_n(&g, "a.txt", ATT_FMT_TXT, "abc\0def", 7), ATT_E_BINARY);
    assert_int_equal(parse_n(&g, "a.html", ATT_FMT_HTML, "<p>a\0b</p>", 10), ATT_E_BINARY);
    for (size_t i = 0; i < 100; i++)
        buf[i] = (char)(i % 4 == 0 ? 0x01 : 'a');
    assert_int_equal(parse_n(&g, "a.md", ATT_FMT_MD, buf, 100), ATT_E_BINARY);
    assert_int_equal(g.ndocs, 0);
    /* A NUL past the sample is repaired, not rejected. */
    memset(buf, 'a', sizeof buf);
    buf[9000] = '\0';
    assert_int_equal(parse_n(&g, "a.txt", ATT_FMT_TXT, buf, sizeof buf), ATT_OK);
    assert_int_equal(g.docs[0].body_len, sizeof buf);
    assert_int_equal(g.docs[0].body[9000], ' ');
    got_free(&g);
    /* Tabs, form feeds and escape codes are text. */
    assert_int_equal(parse(&g, "a.txt", ATT_FMT_TXT, "a\tb\fc\x1b[0m"), ATT_OK);
    got_free(&g);
}

static void test_empty(void **state)
{
    struct got g = {0};
    const enum att_format fmts[] = {ATT_FMT_TXT, ATT_FMT_MD, ATT_FMT_HTML, ATT_FMT_JSONL};

    (void)state;
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(parse(&g, "e", fmts[i], ""), ATT_E_EMPTY);
        assert_int_equal(parse(&g, "e", fmts[i], "  \n\t\r\n"), ATT_E_EMPTY);
        assert_int_equal(parse_n(&g, "e", fmts[i], NULL, 0), ATT_E_EMPTY);
    }
    assert_int_equal(parse(&g, "e.txt", ATT_FMT_TXT, "Title: only a header\n\n\n"), ATT_E_EMPTY);
    assert_int_equal(parse(&g, "e.md", ATT_FMT_MD, "---\ntitle: x\n---\n\n"), ATT_E_EMPTY);
    assert_int_equal(parse(&g, "e.html", ATT_FMT_HTML, "<html><head><title>T</title></head>"),
                     ATT_E_EMPTY);
    assert_int_equal(g.ndocs, 0);
}

static void test_invalid_utf8_repaired(void **state)
{
    struct got g = {0};

    (void)state;
    assert_int_equal(
        parse(&g, "a.txt", ATT_FMT_TXT, "Title: caf\xE9\n\ncaf\xE9 au lait \xC0\xAF\n"), ATT_OK);
    assert_valid_doc(&g.docs[0]);
    assert_string_equal(g.docs[0].title, "caf\xEF\xBF\xBD");
    assert_string_equal(g.docs[0].body, "caf\xEF\xBF\xBD au lait \xEF\xBF\xBD\xEF\xBF\xBD\n");
    got_free(&g);
    assert_int_equal(parse(&g, "a.md", ATT_FMT_MD, "# T\xFF\n\nx\xFE"), ATT_OK);
    assert_valid_doc(&g.docs[0]);
    got_free(&g);
}

static void test_date_fallback_from_file_name(void **state)
{
    struct got g = {0};

    (void)state;
    assert_int_equal(parse(&g, "news/2025-11-24-call.txt", ATT_FMT_TXT, "Body"), ATT_OK);
    assert_string_equal(g.docs[0].date, "2025-11-24");
    got_free(&g);
    assert_int_equal(parse(&g, "2025-11-24-call.txt", ATT_FMT_TXT, "Date: 2024-01-01\n\nB"),
                     ATT_OK);
    assert_string_equal(g.docs[0].date, "2024-01-01");
    got_free(&g);
    assert_int_equal(parse(&g, "2025-11-24-call.txt", ATT_FMT_TXT, "Date: someday\n\nB"), ATT_OK);
    assert_string_equal(g.docs[0].date, "2025-11-24");
    got_free(&g);
}

static void test_sink_stops(void **state)
{
    struct got g = {0};

    (void)state;
    g.stop_after = 1;
    assert_int_equal(parse(&g, "a.txt", ATT_FMT_TXT, "Body"), ATT_E_IO);
    got_free(&g);
    g.stop_after = 2;
    assert_int_equal(parse(&g, "f.jsonl", ATT_FMT_JSONL,
                           "{\"body\":\"a\"}\n{\"body\":\"b\"}\n{\"body\":\"c\"}\n"),
                     ATT_E_IO);
    assert_int_equal(g.ndocs, 2);
    got_free(&g);
    /* A NULL sink or on_doc just reads. */
    assert_int_equal(att_doc_parse("a.txt", ATT_FMT_TXT, "x", 1, NULL, NULL), ATT_OK);
}

/* ---- .md ---- */

static void test_md_fixture(void **state)
{
    struct got g = {0};
    size_t n;
    char *s = slurp("tests/fixtures/doc/report.md", &n);

    (void)state;
    assert_int_equal(parse_n(&g, "reports/report.md", ATT_FMT_MD, s, n), ATT_OK);
    assert_valid_doc(&g.docs[0]);
    assert_string_equal(g.docs[0].title, "Readout of the \"Busan\" follow-up call");
    assert_string_equal(g.docs[0].date, "2025-11-24");
    assert_string_equal(g.docs[0].source, "State Department");
    assert_string_equal(g.docs[0].url, "https://state.example/readout");
    assert_string_equal(g.docs[0].body,
                        "A heading that is not the title\n\n"
                        "The Secretary met Foreign Minister Wang Yi in Busan to discuss the "
                        "trade agreement and tariffs.\n\n"
                        "Both sides \"agreed to keep talking,\" an official said.\n\n"
                        "First item with a chart\nSecond item, see the annex\n\n"
                        "Numbered one\nNumbered two\n\n"
                        "RAW CABLE TEXT 123\n\n"
                        "Text with inline html and snake_case_words.");
    got_free(&g);
    free(s);
}

static void md_body(const char *in, const char *want_body, const char *want_title)
{
    struct got g = {0};

    assert_int_equal(parse(&g, "x.md", ATT_FMT_MD, in), ATT_OK);
    assert_valid_doc(&g.docs[0]);
    assert_string_equal(g.docs[0].body, want_body);
    if (want_title != NULL)
        assert_string_equal(g.docs[0].title, want_title);
    got_free(&g);
}

static void test_md_titles(void **state)
{
    (void)state;
    md_body("Intro line\n\n# Real *Title* #\n\nBody", "Intro line\n\nReal Title\n\nBody",
            "Real Title");
    md_body("Setext title\n============\n\nBody", "Setext title\n\nBody", "Setext title");
    md_body("## Only a subheading\nBody", "Only a subheading\nBody", "Only a subheading");
    md_body("---\ntitle: 'It''s quoted' # not a comment\ndate: \"24 Nov 2025\"\n---\nB", "B",
            "It's quoted");
    md_body("---\ntitle: Plain # a comment\n...\nB", "B", "Plain");
}

static void test_md_not_front_matter(void **state)
{
    (void)state;
    md_body("---\nJust some text: here is a sentence\n---\nMore",
            "Just some text: here is a sentence\nMore", NULL);
    md_body("---\ntitle: never closed\n\nBody", "title: never closed\n\nBody", NULL);
}

static void test_md_inline(void **state)
{
    (void)state;
    md_body("2 * 3 = 6 and snake_case and **bold**_x_ ~~gone~~ ~5 miles",
            "2 * 3 = 6 and snake_case and boldx gone ~5 miles", NULL);
    md_body("Use ``a ` b`` here, `code` and a lone ` tick",
            "Use a ` b here, code and a lone ` tick", NULL);
    /* A backslash ending a paragraph is text (CommonMark: no hard break there). */
    md_body("\\*not emphasis\\* and a \\ backslash\\", "*not emphasis* and a \\ backslash\\",
            NULL);
    md_body("line\\\nbreak and  \ntwo spaces", "line break and two spaces", NULL);
    md_body("AT&amp;T &#8220;q&#x201D; &bogus; & x &#0; &lt;tag&gt;",
            "AT&T \xE2\x80\x9Cq\xE2\x80\x9D &bogus; & x &#0; <tag>", NULL);
    md_body("See <https://example.com/x> or <a href=\"y\">this</a> and a < b > c",
            "See https://example.com/x or this and a < b > c", NULL);
    md_body("[text][ref], [other][] and [sic] stay; [a](b) [c](<d e>)\n\n[ref]: /r\n[other]: /o",
            "text, other and [sic] stay; a c", NULL);
    /* A reference to no definition is text (CommonMark). */
    md_body("[text][nope] stays as written", "[text][nope] stays as written", NULL);
    md_body("a <!-- hidden\nstill hidden --> b", "a b", NULL);
}

static void test_md_blocks(void **state)
{
    (void)state;
    md_body("| a | b |\n|---|:-:|\n| 1 | 2 |", "a b\n1 2", NULL);
    md_body("Para line one\nline two\n\nNext para", "Para line one line two\n\nNext para", NULL);
    md_body("> quoted\n> > nested\n\n* * *\n\n- [ ] task\n+ plus\n10) ten\n\n2025. A year",
            "quoted nested\n\ntask\nplus\nten\n\n2025. A year", NULL);
    md_body("~~~ python\nx = `1`  \n\n# not a heading\n~~~\nafter",
            "x = `1`\n\n# not a heading\n\nafter", NULL);
    /* Footnotes are no CommonMark: "[^1]: text" is a paragraph like "[Note]: words". */
    md_body("Text[^1].\n\n[^1]: The footnote text.\n\n[ref]: http://x.example \"T\"\n"
            "[Note]: some words here",
            "Text[^1].\n\n[^1]: The footnote text.\n\n[Note]: some words here", NULL);
    md_body("    indented code\n\nText", "indented code\n\nText", NULL);
    md_body("```\ncode ending in spaces  \n```", "code ending in spaces", NULL);
    md_body("<div>\nHello <b>bold</b> &amp; more\n</div>\n\nPara one\n\n&ldquo;Para two&rdquo;"
            "\n\n<!-- c -->\nAfter",
            "Hello bold & more\n\nPara one\n\n\xE2\x80\x9CPara two\xE2\x80\x9D\n\nAfter", NULL);
    md_body("1. one\n2. two\n\n1999) Party\n2000) Millennium\n\n- x\n\n2024. Loose\n\n2025. items",
            "one\ntwo\n\n1999) Party\n2000) Millennium\n\nx\n\n2024. Loose\n\n2025. items", NULL);
}

/* Inputs that would be quadratic with naive scanning finish quickly. */
static void test_md_pathological(void **state)
{
    const char *pats[] = {"[", "`", "<a", "[x](", "` ``", "*_", "&#", "![", "](", "<!--"};
    size_t n = 2 * 1000 * 1000;
    char *buf = malloc(n + 1);
    struct got g = {0};

    (void)state;
    assert_non_null(buf);
    for (size_t p = 0; p < sizeof pats / sizeof pats[0]; p++) {
        size_t k = strlen(pats[p]);

        for (size_t i = 0; i < n; i++)
            buf[i] = pats[p][i % k];
        buf[n] = '\0';
        buf[0] = 'x'; /* some text in every variant */
        assert_int_equal(parse_n(&g, "p.md", ATT_FMT_MD, buf, n), ATT_OK);
        assert_valid_doc(&g.docs[0]);
        got_free(&g);
    }
    free(buf);
}

/* ---- .html ---- */

static void test_html_fixture(void **state)
{
    struct got g = {0};
    size_t n;
    char *s = slurp("tests/fixtures/doc/article.html", &n);

    (void)state;
    assert_int_equal(parse_n(&g, "web/article.html", ATT_FMT_HTML, s, n), ATT_OK);
    assert_valid_doc(&g.docs[0]);
    assert_string_equal(g.docs[0].title, "Trump and Xi discuss trade by phone");
    assert_string_equal(g.docs[0].date, "2025-11-24");
    assert_string_equal(g.docs[0].source, "Example News");
    assert_string_equal(g.docs[0].url, "https://news.example/2025/11/24/trump-xi");
    assert_string_equal(g.docs[0].body,
                        "Trump and Xi discuss trade\n"
                        "President Donald Trump and Chinese President Xi Jinping held a phone "
                        "call on Monday to discuss trade & Taiwan.\n"
                        "Xi called Taiwan\xE2\x80\x99s return \xE2\x80\x9C" "an integral part"
                        "\xE2\x80\x9D of the post-war order, a readout cited by the "
                        "\xC3\x89lys\xC3\xA9" "e said.\n"
                        "We talked about many things.\n"
                        "First point\nSecond point");
    got_free(&g);
    free(s);
}

static void html_doc(struct got *g, const char *in)
{
    assert_int_equal(parse(g, "x.html", ATT_FMT_HTML, in), ATT_OK);
    assert_int_equal(g->ndocs, 1);
    assert_valid_doc(&g->docs[0]);
}

static void test_html_title_and_meta(void **state)
{
    struct got g = {0};

    (void)state;
    html_doc(&g, "<body><h1>Main <em>head</em>line</h1><p>Text</p>"
                 "<time datetime=\"2024-03-05T08:00\">March 5</time></body>");
    assert_string_equal(g.docs[0].title, "Main headline");
    assert_string_equal(g.docs[0].date, "2024-03-05");
    assert_string_equal(g.docs[0].body, "Main headline\nText\nMarch 5");
    got_free(&g);
    html_doc(&g, "<meta name=pubdate content=\"Mon, 24 Nov 2025 10:00:00 +0000\">"
                 "<meta property=og:url content=\"https://x.example/og\"><p>T</p>");
    assert_string_equal(g.docs[0].date, "2025-11-24");
    assert_string_equal(g.docs[0].url, "https://x.example/og");
    got_free(&g);
    html_doc(&g, "<meta itemprop=datePublished content=2023-07-01><p>T</p>");
    assert_string_equal(g.docs[0].date, "2023-07-01");
    got_free(&g);
    html_doc(&g, "<meta name=\"DC.date\" content=\"2022\"><meta name=date content=junk><p>T</p>");
    assert_string_equal(g.docs[0].date, "2022");
    got_free(&g);
    /* An SVG <title> is no page title. */
    html_doc(&g, "<body><svg><title>icon</title></svg><p>Body text</p></body>");
    assert_string_equal(g.docs[0].title, "Body text");
    assert_string_equal(g.docs[0].body, "Body text");
    got_free(&g);
}

static void test_html_text(void **state)
{
    struct got g = {0};

    (void)state;
    html_doc(&g, "<p>a<br>b&nbsp;c</p><pre>line 1\n  line 2\n\n\nline 3</pre>"
                 "<table><tr><td>x</td><td>y</td></tr><tr><th>z</th></tr></table>"
                 "<noscript>no</noscript><template>t</template><p>A &amp; B &lt;&gt; "
                 "&eacute; &#8220;q&#8221;</p>");
    assert_string_equal(g.docs[0].body, "a\nb c\nline 1\nline 2\nline 3\nx y\nz\n"
                                        "A & B <> \xC3\xA9 \xE2\x80\x9Cq\xE2\x80\x9D");
    got_free(&g);
    html_doc(&g, "Not HTML at all,\njust  words.");
    assert_string_equal(g.docs[0].body, "Not HTML at all, just words.");
    got_free(&g);
}

static void test_html_broken(void **state)
{
    struct got g = {0};
    size_t n = 20000;
    char *deep = malloc(n * 5 + 64);

    (void)state;
    html_doc(&g, "<p>Unclosed <b>bold <i>text<p>Next para<div>block & more</span></p></x>"
                 "<p attr=\"unterminated>tail text");
    assert_non_null(strstr(g.docs[0].body, "Unclosed bold text\nNext para\nblock & more"));
    got_free(&g);
    html_doc(&g, "<<<>>><p>ok</p><!-- unterminated comment");
    assert_non_null(strstr(g.docs[0].body, "ok"));
    got_free(&g);
    /* Very deep nesting stops the parse but keeps what came before. */
    assert_non_null(deep);
    strcpy(deep, "<p>start</p>");
    for (size_t i = 0; i < n; i++)
        memcpy(deep + 12 + i * 5, "<div>", 5);
    strcpy(deep + 12 + n * 5, "deep");
    html_doc(&g, deep);
    assert_string_equal(g.docs[0].body, "start");
    got_free(&g);
    free(deep);
}

static void test_html_charsets(void **state)
{
    struct got g = {0};

    (void)state;
    html_doc(&g, "<meta charset=\"iso-8859-1\"><title>Caf\xE9</title><p>caf\xE9</p>");
    assert_string_equal(g.docs[0].title, "Caf\xC3\xA9");
    assert_string_equal(g.docs[0].body, "caf\xC3\xA9");
    got_free(&g);
    html_doc(&g, "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">"
                 "<p>\x93q\x94</p>");
    assert_string_equal(g.docs[0].body, "\xE2\x80\x9Cq\xE2\x80\x9D");
    got_free(&g);
    /* Undeclared: UTF-8 when it is UTF-8, else windows-1252. */
    html_doc(&g, "<p>caf\xC3\xA9 na\xC3\xAFve</p>");
    assert_string_equal(g.docs[0].body, "caf\xC3\xA9 na\xC3\xAFve");
    got_free(&g);
    html_doc(&g, "<p>caf\xE9 \x93q\x94</p>");
    assert_string_equal(g.docs[0].body, "caf\xC3\xA9 \xE2\x80\x9Cq\xE2\x80\x9D");
    got_free(&g);
    /* Declared UTF-8 with a bad byte: only that byte is replaced. */
    html_doc(&g, "<meta charset=utf-8><p>caf\xC3\xA9 bad\xFF ok \xC3\xA9</p>");
    assert_string_equal(g.docs[0].body, "caf\xC3\xA9 bad\xEF\xBF\xBD ok \xC3\xA9");
    got_free(&g);
    html_doc(&g, "\xEF\xBB\xBF<title>BOM</title><p>x</p>");
    assert_string_equal(g.docs[0].title, "BOM");
    got_free(&g);
}

static void test_html_big_text(void **state)
{
    size_t n = 12 * 1000 * 1000;
    char *buf = malloc(n + 8);
    struct got g = {0};

    (void)state;
    assert_non_null(buf);
    memcpy(buf, "<p>", 3);
    memset(buf + 3, 'a', n);
    assert_int_equal(parse_n(&g, "big.html", ATT_FMT_HTML, buf, n + 3), ATT_OK);
    /* A text node over libxml2's 10 MB tree limit is still read whole. */
    assert_int_equal(g.docs[0].body_len, n);
    got_free(&g);
    free(buf);
}

/* ---- .jsonl ---- */

static void test_jsonl_fixture(void **state)
{
    struct got g = {0};
    size_t n;
    char *s = slurp("tests/fixtures/doc/feed.jsonl", &n);
    const long bad_lines[] = {4, 5, 6, 8, 9};
    const char *whys[] = {"not valid JSON", "not a JSON object", "no body",
                          "body is not a string", "empty body"};

    (void)state;
    assert_int_equal(parse_n(&g, "feeds/feed.jsonl", ATT_FMT_JSONL, s, n), ATT_OK);
    assert_int_equal(g.ndocs, 3);
    for (int i = 0; i < 3; i++)
        assert_valid_doc(&g.docs[i]);
    assert_string_equal(g.docs[0].id, "a1");
    assert_string_equal(g.docs[0].title, "First");
    assert_string_equal(g.docs[0].date, "2025-11-24");
    assert_string_equal(g.docs[0].source, "Wire");
    assert_string_equal(g.docs[0].url, "https://w.example/1");
    assert_string_equal(g.docs[0].body, "Line one.\nLine two.");
    assert_int_equal(g.lines[0], 1);
    assert_string_equal(g.docs[1].id, "feeds/feed.jsonl:3");
    assert_string_equal(g.docs[1].title, "No id here");
    assert_string_equal(g.docs[1].body, "Body from the text key.");
    assert_int_equal(g.lines[1], 3);
    assert_string_equal(g.docs[2].id, "7");
    assert_null(g.docs[2].date);
    assert_string_equal(g.docs[2].title, "Numeric id.");
    assert_int_equal(g.nbad, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(g.bad[i], bad_lines[i]);
        assert_string_equal(g.why[i], whys[i]);
    }
    got_free(&g);
    free(s);
}

static void test_jsonl_edges(void **state)
{
    struct got g = {0};

    (void)state;
    assert_int_equal(parse(&g, "2024-06-01-f.jsonl", ATT_FMT_JSONL,
                           "\xEF\xBB\xBF{\"id\":1.5,\"date\":2019,\"content\":\"c\\r\\nd\"}  "),
                     ATT_OK);
    assert_string_equal(g.docs[0].id, "1.5");
    assert_string_equal(g.docs[0].date, "2019");
    assert_string_equal(g.docs[0].body, "c\nd");
    got_free(&g);
    assert_int_equal(parse(&g, "2024-06-01-f.jsonl", ATT_FMT_JSONL,
                           "{\"id\":\"\",\"Body\":\"x\",\"title\":\" multi\\nline \"}\n"),
                     ATT_OK);
    assert_string_equal(g.docs[0].id, "2024-06-01-f.jsonl:1");
    assert_string_equal(g.docs[0].date, "2024-06-01");
    assert_string_equal(g.docs[0].title, "multi line");
    got_free(&g);
    assert_int_equal(parse(&g, "f.jsonl", ATT_FMT_JSONL, "{\"body\":\"x\"} junk\n\"str\"\n{"),
                     ATT_E_EMPTY);
    assert_int_equal(g.nbad, 3);
    assert_int_equal(g.bad[2], 3);
    got_free(&g);
}

static void test_jsonl_direct_and_long_line(void **state)
{
    size_t n = 20 * 1000 * 1000;
    char *buf = malloc(n + 64);
    struct got g = {0};
    struct att_doc_sink sink = {on_doc, on_bad, &g};
    struct att_err err = {0, ""};

    (void)state;
    assert_non_null(buf);
    strcpy(buf, "{\"body\":\"");
    memset(buf + 9, 'w', n);
    strcpy(buf + 9 + n, "\",\"title\":\"caf\xE9\"}\n{\"body\":\"two\"}");
    assert_int_equal(att_read_jsonl("big.jsonl", buf, strlen(buf), &sink, &err), ATT_OK);
    assert_int_equal(g.ndocs, 2);
    assert_int_equal(g.docs[0].body_len, n);
    assert_string_equal(g.docs[0].title, "caf\xEF\xBF\xBD");
    assert_string_equal(g.docs[0].id, "big.jsonl:1");
    assert_null(g.docs[1].title); /* the fallbacks are att_doc_parse's job */
    got_free(&g);
    free(buf);
}

/* ---- dates ---- */

static void test_date_normalize(void **state)
{
    static const char *const cases[][2] = {
        {"2025-11-24", "2025-11-24"},
        {"2025-11-24T10:00:00Z", "2025-11-24"},
        {"2025-11-24T23:30:00-05:00", "2025-11-24"},
        {"  2025-11-24 10:00  ", "2025-11-24"},
        {"2025-1-5", "2025-01-05"},
        {"20251124", "2025-11-24"},
        {"20251124T100000Z", "2025-11-24"},
        {"2025/11/24", "2025-11-24"},
        {"2025-11", "2025-11"},
        {"2025", "2025"},
        {"24.11.2025", "2025-11-24"},
        {"05.06.2025", "2025-06-05"},
        {"11/24/2025", "2025-11-24"},
        {"24/11/2025", "2025-11-24"},
        {"24-11-2025", "2025-11-24"},
        {"05/06/2025", "2025"},
        {"06/06/2025", "2025-06-06"},
        {"November 24, 2025", "2025-11-24"},
        {"november 24 2025", "2025-11-24"},
        {"Nov 24, 2025", "2025-11-24"},
        {"Nov. 24, 2025", "2025-11-24"},
        {"Sept. 3, 2025", "2025-09-03"},
        {"November 24th, 2025", "2025-11-24"},
        {"24 November 2025", "2025-11-24"},
        {"1st Dec 2025", "2025-12-01"},
        {"24-Nov-2025", "2025-11-24"},
        {"Monday, November 24, 2025", "2025-11-24"},
        {"Mon, 24 Nov 2025 10:00:00 +0000", "2025-11-24"},
        {"Mon Nov 24 10:00:00 2025", "2025-11-24"},
        {"Published: May 5, 2025 at 9am", "2025-05-05"},
        {"2025 November 24", "2025-11-24"},
        {"November 2025", "2025-11"},
        {"Feb 29, 2024", "2024-02-29"},
        {"2000-02-29", "2000-02-29"},
        {"1862", "1862"},
    };
    char out[11];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(out, 'x', sizeof out);
        if (!att_date_normalize(cases[i][0], strlen(cases[i][0]), out))
            fail_msg("not a date: \"%s\"", cases[i][0]);
        if (strcmp(out, cases[i][1]) != 0)
            fail_msg("\"%s\" gave %s, not %s", cases[i][0], out, cases[i][1]);
    }
}

static void test_date_invalid(void **state)
{
    static const char *const cases[] = {
        "",           "   ",           "2025-02-30",   "2025-13-01",     "2025-00-10",
        "2025-11-31", "2023-02-29",    "1900-02-29",   "0999",           "3000-01-01",
        "20251324",   "13/14/2025",    "32.01.2025",   "11/24/25",       "November 31, 2025",
        "Nov 20255", "sometime",      "Washington",   "2025 was a year", "12345",
        "2025.11",    "Monday",        "24 November",  "2025-11-245",    "June 0, 2025",
        "2025-00",    "12:30",      "2025\0-11-24",  "Nov 24, 20250",
    };
    char out[11] = "untouched";
    const char *s;

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = strlen(cases[i]);

        if (i == sizeof cases / sizeof cases[0] - 2)
            n = 11; /* with the NUL */
        if (att_date_normalize(cases[i], n, out))
            fail_msg("\"%s\" gave %s", cases[i], out);
    }
    assert_string_equal(out, "untouched");
    assert_false(att_date_normalize(NULL, 0, out));
    memset(out, 'x', sizeof out);
    s = "1 January 2025 and a very long tail that goes on and on past any date anyone would "
        "write down";
    assert_false(att_date_normalize(s, strlen(s), out));
}

/* Each case: text, then the date it gives. */
static void check_dates(const char *const (*cases)[2], size_t n)
{
    char out[11];

    for (size_t i = 0; i < n; i++) {
        memset(out, 'x', sizeof out);
        if (!att_date_normalize(cases[i][0], strlen(cases[i][0]), out))
            fail_msg("not a date: \"%s\"", cases[i][0]);
        if (strcmp(out, cases[i][1]) != 0)
            fail_msg("\"%s\" gave %s, not %s", cases[i][0], out, cases[i][1]);
    }
}

static void test_date_french(void **state)
{
    static const char *const cases[][2] = {
        {"24 novembre 2025", "2025-11-24"},   {"1er janvier 2025", "2025-01-01"},
        {"lundi 24 novembre 2025", "2025-11-24"}, {"le 3 février 2024", "2024-02-03"},
        {"3 fevrier 2024", "2024-02-03"},     {"3 févr. 2024", "2024-02-03"},
        {"15 AOÛT 1999", "1999-08-15"},       {"15 aout 1999", "1999-08-15"},
        {"2 Décembre 2025", "2025-12-02"},    {"2 déc. 2025", "2025-12-02"},
        {"14 juillet 1789", "1789-07-14"},    {"14 juil. 1789", "1789-07-14"},
        {"1 mai 2020", "2020-05-01"},         {"juin 2021", "2021-06"},
        {"10 avr. 2021", "2021-04-10"},       {"29 février 2024", "2024-02-29"},
    };

    (void)state;
    check_dates(cases, sizeof cases / sizeof cases[0]);
}

static void test_date_spanish(void **state)
{
    static const char *const cases[][2] = {
        {"24 de noviembre de 2025", "2025-11-24"}, {"1 de enero de 2025", "2025-01-01"},
        {"lunes, 24 de noviembre de 2025", "2025-11-24"}, {"3 de marzo del 2024", "2024-03-03"},
        {"1º de mayo de 2020", "2020-05-01"},     {"7 ago 2019", "2019-08-07"},
        {"12 de Septiembre de 2001", "2001-09-12"}, {"12 setiembre 2001", "2001-09-12"},
        {"25 DICIEMBRE 2025", "2025-12-25"},      {"5 ene. 2025", "2025-01-05"},
        {"abril de 2023", "2023-04"},             {"2 de julio de 2023", "2023-07-02"},
    };

    (void)state;
    check_dates(cases, sizeof cases / sizeof cases[0]);
}

static void test_date_german(void **state)
{
    static const char *const cases[][2] = {
        {"24. November 2025", "2025-11-24"}, {"Montag, 24. November 2025", "2025-11-24"},
        {"3. März 2024", "2024-03-03"},      {"3. Maerz 2024", "2024-03-03"},
        {"3. Marz 2024", "2024-03-03"},      {"3. MÄRZ 2024", "2024-03-03"},
        {"1. Januar 2025", "2025-01-01"},    {"1. Jänner 2025", "2025-01-01"},
        {"6. Dez. 2025", "2025-12-06"},      {"3. Okt. 1990", "1990-10-03"},
        {"9. Mai 1945", "1945-05-09"},       {"den 20. Juli 1969", "1969-07-20"},
        {"Oktober 1990", "1990-10"},
    };

    (void)state;
    check_dates(cases, sizeof cases / sizeof cases[0]);
}

static void test_date_russian(void **state)
{
    static const char *const cases[][2] = {
        {"24 ноября 2025", "2025-11-24"},     {"24 ноября 2025 г.", "2025-11-24"},
        {"1 января 2025 года", "2025-01-01"}, {"23 февраля 2024", "2024-02-23"},
        {"8 марта 2024", "2024-03-08"},       {"12 апреля 1961", "1961-04-12"},
        {"9 мая 1945", "1945-05-09"},         {"12 июня 2020", "2020-06-12"},
        {"4 июля 1776", "1776-07-04"},        {"19 августа 1991", "1991-08-19"},
        {"1 сентября 2025", "2025-09-01"},    {"25 октября 1917", "1917-10-25"},
        {"31 декабря 1999", "1999-12-31"},    {"ноябрь 2025", "2025-11"},
        {"май 2025", "2025-05"},              {"24 НОЯБРЯ 2025", "2025-11-24"},
        {"понедельник, 24 ноября 2025", "2025-11-24"}, {"24 нояб. 2025", "2025-11-24"},
        {"24\xc2\xa0ноября\xc2\xa0" "2025", "2025-11-24"}, {"Декабрь 2025", "2025-12"},
    };

    (void)state;
    check_dates(cases, sizeof cases / sizeof cases[0]);
}

/* Month names of other languages do not make nonsense a date. */
static void test_date_foreign_invalid(void **state)
{
    static const char *const cases[] = {
        "31 février 2025",  "30 февраля 2024", "29 Februar 2023", "32 de enero de 2025",
        "31 juin 2025",     "24 novembre",     "24 ноябр 2025x", "0 mai 2020",
        "24 novembres 2025", "24 ноябряя 2025", "24 noviembre de", "de de de 2025",
        "24 \xd0\xbd\xd0 2025", "Maerzen 2025",   "24 nov\xc3\xa9 2025",
    };
    char out[11] = "untouched";

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (att_date_normalize(cases[i], strlen(cases[i]), out))
            fail_msg("\"%s\" gave %s", cases[i], out);
    }
    assert_string_equal(out, "untouched");
}

/* A date given but not understood leaves the document without a date and
 * with a warning that quotes the value; a good or missing date gives none. */
static void test_date_warning(void **state)
{
    static const struct {
        enum att_format fmt;
        const char *text, *warning;
    } cases[] = {
        {ATT_FMT_TXT, "Title: T\nDate: 31 février 2025\n\nBody.\n",
         "date '31 février 2025' not understood"},
        {ATT_FMT_MD, "---\ntitle: T\ndate: \"2025-13-45\"\n---\n\nBody.\n",
         "date '2025-13-45' not understood"},
        {ATT_FMT_HTML, "<html><head><meta name=\"date\" content=\"someday\"></head>"
                       "<body><p>Body.</p></body></html>", "date 'someday' not understood"},
        {ATT_FMT_JSONL, "{\"date\":\"2025-13-45\",\"body\":\"Body.\"}\n",
         "date '2025-13-45' not understood"},
        {ATT_FMT_JSONL, "{\"date\":99999,\"body\":\"Body.\"}\n", "date '99999' not understood"},
        {ATT_FMT_TXT, "Date: 24 novembre 2025\n\nBody.\n", NULL},
        {ATT_FMT_TXT, "Title: T\n\nBody.\n", NULL},
        {ATT_FMT_JSONL, "{\"date\":\"24 ноября 2025\",\"body\":\"Body.\"}\n", NULL},
    };
    struct got g = {0};

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(parse(&g, "x", cases[i].fmt, cases[i].text), ATT_OK);
        assert_int_equal(g.ndocs, 1);
        if (cases[i].warning == NULL) {
            assert_null(g.docs[0].warning);
            assert_true(g.docs[0].date != NULL || strstr(cases[i].text, "ate") == NULL);
        } else {
            assert_null(g.docs[0].date);
            assert_non_null(g.docs[0].warning);
            assert_string_equal(g.docs[0].warning, cases[i].warning);
        }
        got_free(&g);
    }
}

/* A long value is cut in the warning, on a character boundary. */
static void test_date_warning_is_cut(void **state)
{
    char text[400];
    struct got g = {0};
    size_t n;

    (void)state;
    n = (size_t)snprintf(text, sizeof text, "Date: x");
    for (int i = 0; i < 60; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "é");
    snprintf(text + n, sizeof text - n, "\n\nBody.\n");
    assert_int_equal(parse(&g, "x.txt", ATT_FMT_TXT, text), ATT_OK);
    assert_non_null(g.docs[0].warning);
    /* "x" and 39 two-byte characters fit in 80 bytes; then "...". */
    assert_int_equal(strlen(g.docs[0].warning), strlen("date '' not understood") + 79 + 3);
    assert_non_null(strstr(g.docs[0].warning, "éé...' not understood"));
    got_free(&g);
}

static void test_date_from_filename(void **state)
{
    static const char *const cases[][2] = {
        {"2025-11-24-call.txt", "2025-11-24"},
        {"news/2025-11-24.md", "2025-11-24"},
        {"20251124_x.txt", "2025-11-24"},
        {"2025_11_24_report.html", "2025-11-24"},
        {"sotu/1862_abraham_lincoln_r.txt", "1862"},
        {"2010_barack_obama_d.txt", "2010"},
        {"2025-11-report.txt", "2025-11"},
        {"2025-13-40-x.txt", "2025"},
        {"1999_12_angry.txt", "1999"},
        {"2024.txt", "2024"},
        {"2024", "2024"},
    };
    static const char *const none[] = {
        "call.txt", "2025-11-24/call.txt", "12345678.txt", "123.txt", "12345_x.txt",
        "0999_x.txt", "x2025-11-24.txt", "", "dir/",
    };
    char out[11];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (!att_date_from_filename(cases[i][0], out))
            fail_msg("no date in \"%s\"", cases[i][0]);
        if (strcmp(out, cases[i][1]) != 0)
            fail_msg("\"%s\" gave %s, not %s", cases[i][0], out, cases[i][1]);
    }
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        if (att_date_from_filename(none[i], out))
            fail_msg("\"%s\" gave %s", none[i], out);
    }
    assert_false(att_date_from_filename(NULL, out));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_for_path),
        cmocka_unit_test(test_unsupported_format),
        cmocka_unit_test(test_txt_header),
        cmocka_unit_test(test_txt_header_keys_any_case),
        cmocka_unit_test(test_txt_no_header),
        cmocka_unit_test(test_txt_false_header),
        cmocka_unit_test(test_txt_unknown_keys_need_a_known_one),
        cmocka_unit_test(test_txt_crlf),
        cmocka_unit_test(test_txt_hard_wrap_joined),
        cmocka_unit_test(test_txt_bom),
        cmocka_unit_test(test_txt_fixture_long_first_line),
        cmocka_unit_test(test_reader_failure_keeps_id),
        cmocka_unit_test(test_title_from_body),
        cmocka_unit_test(test_title_cut_at_word_and_utf8),
        cmocka_unit_test(test_binary),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_invalid_utf8_repaired),
        cmocka_unit_test(test_date_fallback_from_file_name),
        cmocka_unit_test(test_sink_stops),
        cmocka_unit_test(test_md_fixture),
        cmocka_unit_test(test_md_titles),
        cmocka_unit_test(test_md_not_front_matter),
        cmocka_unit_test(test_md_inline),
        cmocka_unit_test(test_md_blocks),
        cmocka_unit_test(test_md_pathological),
        cmocka_unit_test(test_html_fixture),
        cmocka_unit_test(test_html_title_and_meta),
        cmocka_unit_test(test_html_text),
        cmocka_unit_test(test_html_broken),
        cmocka_unit_test(test_html_charsets),
        cmocka_unit_test(test_html_big_text),
        cmocka_unit_test(test_jsonl_fixture),
        cmocka_unit_test(test_jsonl_edges),
        cmocka_unit_test(test_jsonl_direct_and_long_line),
        cmocka_unit_test(test_date_normalize),
        cmocka_unit_test(test_date_invalid),
        cmocka_unit_test(test_date_french),
        cmocka_unit_test(test_date_spanish),
        cmocka_unit_test(test_date_german),
        cmocka_unit_test(test_date_russian),
        cmocka_unit_test(test_date_foreign_invalid),
        cmocka_unit_test(test_date_warning),
        cmocka_unit_test(test_date_warning_is_cut),
        cmocka_unit_test(test_date_from_filename),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
