/* attache: libFuzzer target for quotation finding and speaker attribution
 * (att_quotes_find). Any bytes must be safe; on valid UTF-8 (the input
 * repaired when it is not) quotes must be in order, inside the text, never
 * cut a character, and speakers and roles must be valid UTF-8. */
#include "fuzz.h"

static void find(const char *t, size_t len, bool utf8)
{
    struct att_quotes q = {NULL, 0, 0};
    struct att_err err = {0, ""};
    size_t at = 0;

    FUZZ_CHECK(att_quotes_find(t, len, &q, &err) == ATT_OK);
    FUZZ_CHECK(q.n <= q.cap);
    for (size_t k = 0; k < q.n; k++) {
        const struct att_quote *x = &q.v[k];

        FUZZ_CHECK(x->start >= at && x->start < x->end && x->end <= len);
        FUZZ_CHECK(!utf8 || (fuzz_boundary(t, len, x->start) && fuzz_boundary(t, len, x->end)));
        FUZZ_CHECK(x->speaker == NULL || *x->speaker != '\0');
        fuzz_check_field(x->speaker, utf8);
        fuzz_check_field(x->role, utf8);
        at = x->start;
    }
    att_quotes_free(&q);
    FUZZ_CHECK(q.v == NULL && q.n == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size > 0 ? size : 1), *fixed;
    size_t flen;

    FUZZ_CHECK(text != NULL);
    if (size > 0)
        memcpy(text, data, size);
    if (att_utf8_valid(text, size)) {
        find(text, size, true);
    } else {
        find(text, size, false);
        fixed = att_utf8_repair(text, size, &flen);
        FUZZ_CHECK(fixed != NULL);
        find(fixed, flen, true);
        free(fixed);
    }
    free(text);
    return 0;
}
