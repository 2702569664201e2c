/* attache: libFuzzer target for the .txt reader: the input is a whole file
 * read by att_read_txt, then by att_doc_parse as a .txt file. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader(att_read_txt, ATT_FMT_TXT, "corpus/2025-11-24-fuzz.txt", data, size);
    return 0;
}
