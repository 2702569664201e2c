/* attache: libFuzzer target for the .html reader: the input is a whole file
 * read by att_read_html, then by att_doc_parse as a .html file. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader(att_read_html, ATT_FMT_HTML, "corpus/2025-11-24-fuzz.html", data, size);
    return 0;
}
