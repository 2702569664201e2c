/* attache: libFuzzer target for the HTTP request head parser
 * (lib/http_head.c): find the head's end, parse it in place, and check
 * what a parsed head promises: a known status when refused; else a path
 * beginning with '/' (or "*"), printable targets, header names that are
 * tokens, values without control characters, a Content-Length that is
 * -1 or a number, and cookies that fit. */
#include "fuzz.h"
#include "http_head.h"

static void check_parsed(const struct http_req *r, const char *head, size_t len)
{
    char cookie[64];

    FUZZ_CHECK(r->method_name != NULL && r->path != NULL && r->query != NULL);
    FUZZ_CHECK(r->path[0] == '/' || strcmp(r->path, "*") == 0);
    FUZZ_CHECK(r->minor >= 0 && r->minor <= 9);
    FUZZ_CHECK(r->nhdr <= HTTP_MAX_HEADERS);
    FUZZ_CHECK(r->content_length >= -1);
    for (const char *p = r->path; *p; p++)
        FUZZ_CHECK((unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f);
    for (size_t i = 0; i < r->nhdr; i++) {
        const char *n = r->hdr[i].name, *v = r->hdr[i].value;

        FUZZ_CHECK(n >= head && n < head + len && *n != '\0');
        FUZZ_CHECK(strpbrk(n, " \t:\r\n") == NULL);
        for (; *v; v++)
            FUZZ_CHECK((unsigned char)*v >= 0x20 || *v == '\t');
        FUZZ_CHECK(r->hdr[i].value[0] != ' ' && r->hdr[i].value[0] != '\t');
    }
    if (http_cookie(r, "attache_token", cookie, sizeof cookie))
        FUZZ_CHECK(strlen(cookie) < sizeof cookie && strchr(cookie, ';') == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = fuzz_cstr(data, size), msg[160];
    size_t end = http_head_end(in, size);
    struct http_req r;
    int status = 0;

    FUZZ_CHECK(end <= size);
    if (end > 0) {
        char *head = malloc(end + 1);

        FUZZ_CHECK(head != NULL);
        memcpy(head, in, end);
        head[end] = '\0';
        switch (http_head_parse(head, end, &r, &status, msg, sizeof msg)) {
        case HTTP_PARSE_OK: check_parsed(&r, head, end); break;
        case HTTP_PARSE_BAD:
            FUZZ_CHECK(status == 400 || status == 411 || status == 431 || status == 505);
            FUZZ_CHECK(msg[0] != '\0' && strlen(msg) < sizeof msg);
            break;
        default: FUZZ_CHECK(false);
        }
        free(head);
    }
    free(in);
    return 0;
}
