/* attache: libFuzzer target for highlighting: match ranges and snippets.
 * The first byte picks the matcher's letter (a word matches when it starts
 * with it, in either ASCII case) and the second the snippet length; the
 * rest is the text. Any bytes must be safe; on valid UTF-8 (the input
 * repaired when it is not) every promise of attache/highlight.h holds. */
#include "attache/highlight.h"
#include "fuzz.h"

struct letter {
    unsigned char c;
    bool utf8;
};

static bool match_letter(void *ud, const char *word, size_t len)
{
    const struct letter *l = ud;
    unsigned char c = (unsigned char)word[0];

    FUZZ_CHECK(len > 0);
    FUZZ_CHECK(!l->utf8 || att_utf8_valid(word, len));
    if (c >= 'A' && c <= 'Z')
        c = (unsigned char)(c + 32);
    return c == l->c;
}

static void highlight(const char *t, size_t len, struct letter *l, size_t length)
{
    struct att_matcher m = {match_letter, l};
    struct att_snippet_opts o = {"<b>", "</b>", length, "\xE2\x80\xA6"};
    struct att_spans sent = {NULL, 0, 0}, a = {NULL, 0, 0}, b = {NULL, 0, 0};
    struct att_err err = {0, ""};
    char *snip;

    FUZZ_CHECK(att_match_spans(t, len, &m, &a, &err) == ATT_OK);
    fuzz_check_spans(t, len, &a, true, l->utf8);
    FUZZ_CHECK(att_sentences(t, len, &sent, &err) == ATT_OK);
    FUZZ_CHECK(att_match_spans_in(t, len, &sent, &m, &b, &err) == ATT_OK);
    fuzz_check_spans(t, len, &b, true, l->utf8);
    snip = att_snippet(t, len, &a, &o);
    FUZZ_CHECK(snip != NULL);
    FUZZ_CHECK(!l->utf8 || att_utf8_valid(snip, strlen(snip)));
    free(snip);
    snip = att_snippet_in(t, len, &sent, &b, &o);
    FUZZ_CHECK(snip != NULL);
    FUZZ_CHECK(!l->utf8 || att_utf8_valid(snip, strlen(snip)));
    free(snip);
    att_spans_free(&sent);
    att_spans_free(&a);
    att_spans_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct letter l = {'a', true};
    size_t length = 240, flen;
    char *text, *fixed;

    if (size >= 2) {
        l.c = (unsigned char)(data[0] >= 'A' && data[0] <= 'Z' ? data[0] + 32 : data[0]);
        length = 1 + (size_t)data[1] * 4;
        data += 2;
        size -= 2;
    }
    text = malloc(size > 0 ? size : 1);
    FUZZ_CHECK(text != NULL);
    if (size > 0)
        memcpy(text, data, size);
    if (att_utf8_valid(text, size)) {
        highlight(text, size, &l, length);
    } else {
        l.utf8 = false;
        highlight(text, size, &l, length);
        fixed = att_utf8_repair(text, size, &flen);
        FUZZ_CHECK(fixed != NULL);
        l.utf8 = true;
        highlight(fixed, flen, &l, length);
        free(fixed);
    }
    free(text);
    return 0;
}
