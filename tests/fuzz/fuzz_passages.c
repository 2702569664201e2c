/* attache: libFuzzer target for sentence and passage splitting. The first
 * four bytes of the input set the passage sizes in words (small, to reach
 * the long-paragraph paths; 0 tests the clamping), the rest is the text.
 * Any bytes must be safe; on valid UTF-8 (the input repaired when it is
 * not) the ranges must keep every promise of attache/text.h. */
#include "fuzz.h"

/* No white space (ASCII or U+00A0) at either end of t[s.start, s.end). */
static bool trimmed(const char *t, struct att_span s)
{
    static const char ws[] = " \t\n\v\f\r";
    const unsigned char *u = (const unsigned char *)t;

    /* memchr, not strchr: a NUL byte is text here. */
    if (memchr(ws, t[s.start], 6) != NULL || memchr(ws, t[s.end - 1], 6) != NULL)
        return false;
    if (s.end - s.start >= 2 && u[s.start] == 0xC2 && u[s.start + 1] == 0xA0)
        return false;
    return !(s.end - s.start >= 2 && u[s.end - 2] == 0xC2 && u[s.end - 1] == 0xA0);
}

static void split(const char *t, size_t len, const struct att_passage_opts *o, bool utf8)
{
    struct att_spans s = {NULL, 0, 0}, p = {NULL, 0, 0};
    struct att_err err = {0, ""};

    FUZZ_CHECK(att_sentences(t, len, &s, &err) == ATT_OK);
    fuzz_check_spans(t, len, &s, true, utf8);
    FUZZ_CHECK(att_passages(t, len, o, &p, &err) == ATT_OK);
    fuzz_check_spans(t, len, &p, true, utf8);
    for (size_t k = 0; utf8 && k < p.n; k++)
        FUZZ_CHECK(trimmed(t, p.v[k]));
    for (size_t k = 0; utf8 && k < s.n; k++)
        FUZZ_CHECK(trimmed(t, s.v[k]));
    att_spans_free(&s);
    att_spans_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct att_passage_opts o;
    char *text, *fixed;
    size_t len, flen;

    att_passage_opts_default(&o);
    if (size >= 4) {
        o.max_words = data[0] % 64;
        o.min_words = data[1] % 32;
        o.target_words = data[2] % 64;
        o.hard_words = data[3] % 128;
        data += 4;
        size -= 4;
    }
    /* An exact-size copy: ASan sees any read past the end. */
    text = malloc(size > 0 ? size : 1);
    FUZZ_CHECK(text != NULL);
    if (size > 0)
        memcpy(text, data, size);
    len = size;
    if (att_utf8_valid(text, len)) {
        split(text, len, &o, true);
        split(text, len, NULL, true);
    } else {
        split(text, len, &o, false);
        fixed = att_utf8_repair(text, len, &flen);
        FUZZ_CHECK(fixed != NULL && att_utf8_valid(fixed, flen));
        split(fixed, flen, &o, true);
        free(fixed);
    }
    free(text);
    return 0;
}
