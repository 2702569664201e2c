/* attache: libFuzzer target for the .md reader: the input is a whole file
 * read by att_read_md, then by att_doc_parse as a .md file. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader(att_read_md, ATT_FMT_MD, "corpus/2025-11-24-fuzz.md", data, size);
    return 0;
}
