/* Stubs of http.c for the unit tests that include daemon/conn.c: their
 * connections speak the line protocol, so none of these may be called. */
enum http_step http_step(struct worker *w, struct http_conn *hc, struct evbuffer *in,
                         struct evbuffer *out)
{
    (void)w, (void)hc, (void)in, (void)out;
    fail_msg("http_step called on a line connection");
    return HTTP_STEP_FAIL;
}

bool http_has_request(struct evbuffer *in)
{
    (void)in;
    fail_msg("http_has_request called on a line connection");
    return false;
}

enum http_step http_timeout(struct worker *w, struct evbuffer *out, unsigned secs)
{
    (void)w, (void)out, (void)secs;
    fail_msg("http_timeout called on a line connection");
    return HTTP_STEP_FAIL;
}

char *http_error_text(int status, const char *code, const char *msg, size_t *len)
{
    (void)status, (void)code, (void)msg, (void)len;
    fail_msg("http_error_text called on a line connection");
    return NULL;
}
