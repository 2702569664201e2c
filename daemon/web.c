/* attached: the search page's routes (web_route): "/" and "/doc" (HTML
 * made from search and get responses, web_results.c and web_doc.c),
 * "/login" (the token kept in a cookie), "/static/" (the compiled-in
 * assets of web/). Runs in a worker's thread, like the rest of HTTP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "attache/attache.h"
#include "web_page.h"

#define HTML_TYPE "text/html; charset=utf-8"
#define COOKIE_NAME "attache_token"
#define COOKIE_MAX 511 /* bytes of a token http_api.c reads from the cookie */
#define NEXT_MAX 1024 /* bytes of a "next" kept through the login form */

int att_web_run(struct worker *w, const struct http_req *rq, const cJSON *req, cJSON **resp,
                int *status)
{
    enum att_wire_err code = ATT_WE_NONE;
    struct evbuffer *out = evbuffer_new();
    char *json = cJSON_PrintUnformatted(req);
    int rc = ATT_E_NOMEM;

    *resp = NULL;
    *status = 500;
    if (out != NULL && json != NULL) {
        rc = http_run_json(w, rq, json, strlen(json), out, &code);
        if (rc == ATT_OK) {
            size_t n = evbuffer_get_length(out);
            const char *text = (const char *)evbuffer_pullup(out, -1);
            *resp = text != NULL ? cJSON_ParseWithLength(text, n) : NULL;
            rc = cJSON_IsObject(*resp) ? ATT_OK : ATT_E_INTERNAL;
            *status = http_status_of(code);
        }
    }
    if (rc != ATT_OK) {
        cJSON_Delete(*resp);
        *resp = NULL;
    }
    cJSON_free(json);
    if (out != NULL)
        evbuffer_free(out);
    return rc;
}

const char *att_web_errmsg(const cJSON *resp)
{
    const cJSON *err = cJSON_GetObjectItem(resp, "error");
    const char *msg = cJSON_GetStringValue(cJSON_GetObjectItem(err, "message"));

    return msg != NULL ? msg : "the request failed";
}

/* ------------------------------------------------------------------ */
/* Assets */

/* GET /static/NAME: the asset, cached for good when asked for with the
 * current version (?v=...), else revalidated each time. */
static bool static_asset(const struct http_req *rq, struct http_resp *rp, const char *name)
{
    char want[64];

    for (size_t i = 0; i < att_web_nassets; i++) {
        const struct att_web_asset *a = &att_web_assets[i];
        if (strcmp(a->name, name) != 0)
            continue;
        snprintf(want, sizeof want, "v=%s", att_web_version);
        rp->status = 200;
        rp->type = a->type;
        http_resp_header(rp, "Cache-Control", strcmp(rq->query, want) == 0
                                                  ? "public, max-age=31536000, immutable"
                                                  : "no-cache");
        evbuffer_add(rp->body, a->data, a->len);
        return true;
    }
    return false;
}

/* ------------------------------------------------------------------ */
/* Login */

/* The login page: the form, with message (NULL: none) above it, next
 * (the target to return to) in a hidden field. */
static void login_page(struct http_resp *rp, int status, const char *message, const char *next)
{
    struct evbuffer *b = rp->body;

    rp->status = status;
    rp->type = HTML_TYPE;
    att_web_head(b, "Sign in");
    evbuffer_add_printf(b, "<form class=\"login\" action=\"/login\" method=\"post\">\n"
                        "<h1>Sign in</h1>\n<p>This index asks for its access token (the "
                        "one in the daemon's token file). It is kept in a cookie of this "
                        "browser.</p>\n");
    if (message != NULL)
        att_web_error(b, message);
    evbuffer_add_printf(b, "<label for=\"token\">Token</label>\n<input id=\"token\" "
                        "name=\"token\" type=\"password\" autocomplete=\"current-password\" "
                        "required autofocus>\n<input type=\"hidden\" name=\"next\" value=\"");
    att_web_escs(b, next);
    evbuffer_add_printf(b, "\">\n<button type=\"submit\">Sign in</button>\n</form>\n");
    att_web_foot(b);
}

/* next when it is a path of this site in plain printable ASCII, else "/". */
static const char *safe_next(const char *next)
{
    size_t n = strlen(next);

    if (n == 0 || n > NEXT_MAX || next[0] != '/' || next[1] == '/' || next[1] == '\\')
        return "/";
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)next[i] <= 0x20 || (unsigned char)next[i] >= 0x7f ||
            next[i] == '\\')
            return "/";
    return next;
}

/* True when every byte of tok may stand in a cookie's value (RFC 6265),
 * and the core reads a cookie that long. */
static bool cookie_safe(const char *tok)
{
    if (strlen(tok) > COOKIE_MAX)
        return false;
    for (const unsigned char *c = (const unsigned char *)tok; *c; c++)
        if (*c < 0x21 || *c > 0x7e || *c == '"' || *c == ',' || *c == ';' || *c == '\\')
            return false;
    return tok[0] != '\0';
}

/* 303 to next with the cookie of tok; false when it does not fit. */
static bool login_ok(const struct http_req *rq, struct http_resp *rp, const char *tok,
                     const char *next)
{
    char cookie[sizeof rp->headers];
    int n = snprintf(cookie, sizeof cookie, "%s=%s; HttpOnly; SameSite=Strict; Path=/%s",
                     COOKIE_NAME, tok, rq->secure ? "; Secure" : "");
    size_t need = (size_t)n + strlen(next) + 40; /* the two names, ": ", CRLFs */

    if (n < 0 || (size_t)n >= sizeof cookie || rp->hlen + need > sizeof rp->headers) {
        explicit_bzero(cookie, sizeof cookie);
        return false;
    }
    rp->status = 303;
    rp->type = HTML_TYPE;
    http_resp_header(rp, "Set-Cookie", cookie);
    http_resp_header(rp, "Location", next);
    evbuffer_add_printf(rp->body, "<!DOCTYPE html>\n<title>Signed in</title>\n"
                        "<p><a href=\"/\">Continue</a></p>\n");
    explicit_bzero(cookie, sizeof cookie);
    return true;
}

/* POST /login: token=...&next=... from a form. */
static void login_post(struct worker *w, const struct http_req *rq, struct http_resp *rp)
{
    struct att_web_params p;
    const char *next;

    if (att_web_params_parse(rq->body, rq->body_len, &p) != ATT_OK) {
        login_page(rp, 500, "Out of memory.", "/");
        return;
    }
    next = safe_next(p.next);
    if (!auth_required(&w->srv->auth)) {
        rp->status = 303;
        http_resp_header(rp, "Location", next);
    } else if (p.token[0] == '\0' || !auth_check(&w->srv->auth, p.token, strlen(p.token))) {
        login_page(rp, 401, "That token is not the right one.", next);
    } else if (!cookie_safe(p.token) || !login_ok(rq, rp, p.token, next)) {
        login_page(rp, 400, "The token is right, but cannot be kept in a cookie (too long, "
                   "or holding spaces, quotes, commas or semicolons): use the JSON API "
                   "with an Authorization header instead.", next);
    }
    att_web_params_free(&p); /* wipes the token */
}

/* The request's target (path and query), for the login form's next. */
static void target_of(const struct http_req *rq, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%s%s%s", rq->path, rq->query[0] ? "?" : "", rq->query);

    if (n < 0 || (size_t)n >= outlen)
        snprintf(out, outlen, "/");
}

/* ------------------------------------------------------------------ */
/* Routes */

/* 405 for a path of the page asked with another method. */
static bool not_allowed(struct http_resp *rp, const char *allow)
{
    rp->status = 405;
    rp->type = "text/plain; charset=utf-8";
    http_resp_header(rp, "Allow", allow);
    evbuffer_add_printf(rp->body, "method not allowed\n");
    return true;
}

/* GET / and GET /doc: the page, or the login form when rq is not
 * authenticated. */
static bool page(struct worker *w, const struct http_req *rq, struct http_resp *rp, bool doc)
{
    struct att_web_params p;
    char target[NEXT_MAX + 1];

    http_resp_header(rp, "Cache-Control", "no-store");
    if (!rq->authed) {
        target_of(rq, target, sizeof target);
        login_page(rp, 401, NULL, safe_next(target));
        return true;
    }
    if (att_web_params_parse(rq->query, strlen(rq->query), &p) != ATT_OK) {
        rp->status = 500;
        rp->type = "text/plain; charset=utf-8";
        evbuffer_add_printf(rp->body, "out of memory\n");
        return true;
    }
    rp->type = HTML_TYPE;
    if (doc)
        att_web_doc(w, rq, &p, rp);
    else
        att_web_results(w, rq, &p, rp);
    att_web_params_free(&p);
    return true;
}

bool web_route(struct worker *w, const struct http_req *rq, struct http_resp *rp)
{
    bool get = rq->method == HTTP_GET || rq->method == HTTP_HEAD;
    const char *path = rq->path;

    if (strncmp(path, "/static/", 8) == 0) {
        if (!get)
            return not_allowed(rp, "GET, HEAD");
        return static_asset(rq, rp, path + 8);
    }
    if (strcmp(path, "/") == 0 || strcmp(path, "/doc") == 0) {
        if (!get)
            return not_allowed(rp, "GET, HEAD");
        return page(w, rq, rp, path[1] == 'd');
    }
    if (strcmp(path, "/login") != 0)
        return false;
    http_resp_header(rp, "Cache-Control", "no-store");
    if (rq->method == HTTP_POST) {
        login_post(w, rq, rp);
    } else if (!get) {
        return not_allowed(rp, "GET, HEAD, POST");
    } else if (rq->authed) {
        rp->status = 303;
        http_resp_header(rp, "Location", "/");
    } else {
        login_page(rp, 200, NULL, "/");
    }
    return true;
}
