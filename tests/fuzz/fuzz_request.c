/* attache: libFuzzer target for the daemon's request parser: parse the
 * input as one request line, then build the response line the daemon would
 * send (an error echoing the id, or an empty success), which must be one
 * valid JSON object on one line. */
#include <cjson/cJSON.h>

#include "attache/protocol.h"
#include "buf.h"
#include "fuzz.h"
#include "jsonw.h"
#include "protocol.h"

/* The fields a valid request promises (lib/protocol.h, docs/PROTOCOL.md). */
static void check_request(const struct att_request *r)
{
    FUZZ_CHECK(r->root != NULL && r->op < ATT_OP_COUNT);
    if (r->op == ATT_OP_SEARCH) {
        FUZZ_CHECK(r->s.q != NULL && strlen(r->s.q) == r->s.qlen);
        FUZZ_CHECK(r->s.qlen <= ATTACHE_MAX_QUERY);
        FUZZ_CHECK(r->s.limit >= 1 && r->s.limit <= ATTACHE_MAX_LIMIT);
        FUZZ_CHECK(r->s.offset <= ATTACHE_MAX_OFFSET);
        FUZZ_CHECK(r->s.per_doc <= ATTACHE_MAX_PER_DOC);
        FUZZ_CHECK(r->snippet_len >= ATTACHE_MIN_SNIPPET &&
                   r->snippet_len <= ATTACHE_MAX_SNIPPET);
        FUZZ_CHECK(r->pre != NULL && strlen(r->pre) <= ATTACHE_MAX_MARKER);
        FUZZ_CHECK(r->post != NULL && strlen(r->post) <= ATTACHE_MAX_MARKER);
    } else if (r->op == ATT_OP_GET) {
        FUZZ_CHECK(r->doc != NULL && *r->doc != '\0');
        FUZZ_CHECK(r->passage >= -1);
    }
}

/* line[0..len) ends in its only newline and holds one JSON object. */
static void check_line(const char *line, size_t len)
{
    cJSON *o;

    FUZZ_CHECK(line != NULL && len >= 2 && strlen(line) == len);
    FUZZ_CHECK(memchr(line, '\n', len) == line + len - 1);
    o = cJSON_ParseWithLength(line, len - 1);
    FUZZ_CHECK(cJSON_IsObject(o));
    FUZZ_CHECK(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(o, "ok")));
    cJSON_Delete(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct att_request req;
    struct att_err err = {0};
    char *line;
    size_t len = 0;

    if (att_request_parse((const char *)data, size, &req, &err) != ATT_OK) {
        FUZZ_CHECK(memchr(err.msg, '\0', sizeof err.msg) != NULL);
        FUZZ_CHECK(att_wire_err_name(req.error) != NULL);
        line = att_wire_error_line(req.id, req.error, err.msg, &len);
    } else {
        struct att_buf b;
        struct att_jw w;

        check_request(&req);
        att_buf_init(&b, SIZE_MAX / 2);
        att_jw_init_buf(&w, &b);
        att_jw_begin(&w, req.id, true);
        att_jw_int(&w, "took_us", (long long)size);
        att_jw_real(&w, "score", (double)size / 7.0);
        att_jw_str(&w, "op", att_op_name(req.op));
        att_jw_end_obj(&w);
        att_jw_newline(&w);
        FUZZ_CHECK(att_jw_flush(&w, NULL) == ATT_OK);
        line = att_buf_take(&b, &len);
    }
    check_line(line, len);
    free(line);
    att_request_free(&req);
    return 0;
}
