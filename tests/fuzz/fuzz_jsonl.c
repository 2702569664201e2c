/* attache: libFuzzer target for the .jsonl reader: the input is a whole file
 * read by att_read_jsonl, then by att_doc_parse as a .jsonl file. */
#include "fuzz.h"

static int on_doc(void *ud, struct att_doc *d, long line)
{
    long *last = ud;

    FUZZ_CHECK(line > *last);
    *last = line;
    fuzz_check_doc(d, false);
    FUZZ_CHECK(d->id != NULL);
    return ATT_OK;
}

static void on_bad(void *ud, long line, const char *why)
{
    long *last = ud;

    FUZZ_CHECK(line > *last && why != NULL);
    *last = line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    long last = 0;
    struct att_doc_sink sink = {on_doc, on_bad, &last};
    struct att_doc_sink checked = {fuzz_on_doc, fuzz_on_bad, NULL};
    struct att_err err = {0, ""};
    int rc;

    rc = att_read_jsonl("fuzz.jsonl", (const char *)data, size, &sink, &err);
    FUZZ_CHECK(rc == ATT_OK || rc == ATT_E_EMPTY);
    rc = att_doc_parse("corpus/2025-11-24-fuzz.jsonl", ATT_FMT_JSONL, (const char *)data, size,
                       &checked, &err);
    FUZZ_CHECK(rc != ATT_E_INTERNAL);
    return 0;
}
