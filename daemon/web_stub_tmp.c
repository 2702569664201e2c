/* attached: stand-ins for the HTTP core until it is merged (removed then). */
#include "http.h"

__attribute__((weak)) int http_run_json(struct worker *w, const struct http_req *rq,
                                        const char *json, size_t len, struct evbuffer *out,
                                        enum att_wire_err *code)
{
    (void)w;
    (void)rq;
    (void)json;
    (void)len;
    (void)out;
    *code = ATT_WE_INTERNAL;
    return 1;
}

__attribute__((weak)) int http_status_of(enum att_wire_err code)
{
    return code == ATT_WE_NONE ? 200 : 500;
}

__attribute__((weak)) void http_resp_header(struct http_resp *rp, const char *name,
                                            const char *value)
{
    (void)rp;
    (void)name;
    (void)value;
}
