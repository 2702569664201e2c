/* attache: libFuzzer target for the client's renderer (client/render.c):
 * the input is one response line from the daemon, parsed as the client
 * does and rendered as a search, a get and a stats response, into
 * /dev/null. The input's length picks the style (colour, width, full
 * passages), and the raw input is also wrapped as plain text. */
#include <cjson/cJSON.h>

#include "fuzz.h"
#include "render.h"

static FILE *sink;

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    sink = fopen("/dev/null", "w");
    FUZZ_CHECK(sink != NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int widths[] = {10, 37, 80, 200};
    struct style st = {(size & 1) != 0, widths[(size >> 1) % 4], (size & 8) != 0};
    char *line = fuzz_cstr(data, size);
    cJSON *resp = cJSON_Parse(line);

    /* The client renders only objects that say "ok": true (parse_response
     * in client/main.c); render whatever object came, to cover more. */
    if (cJSON_IsObject(resp)) {
        render_search(sink, resp, &st);
        render_get(sink, resp, &st);
        render_stats(sink, resp);
    }
    cJSON_Delete(resp);
    render_hanging(sink, line, (int)(size % 7), 3, &st);
    free(line);
    return 0;
}
