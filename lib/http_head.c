/* The head of an HTTP/1.x request: request line, header fields, the
 * framing headers checked (RFC 9112): one Content-Length, no
 * Transfer-Encoding, no folded lines, no blanks before a colon. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_head.h"

#define BAD(code, ...)                                                                   \
    do {                                                                                 \
        *status = (code);                                                                \
        snprintf(msg, msglen, __VA_ARGS__);                                              \
        return HTTP_PARSE_BAD;                                                           \
    } while (0)

size_t http_head_end(const char *p, size_t n)
{
    /* The blank line: CRLF CRLF, or a bare LF for either end of line. */
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '\n')
            continue;
        if (i + 1 < n && p[i + 1] == '\n')
            return i + 2;
        if (i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

/* RFC 9110 tchar. */
static bool is_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* The next line of [*p, end): NUL-terminated in place without its CR LF;
 * NULL at the end. A CR elsewhere than before the LF is refused (*bad). */
static char *next_line(char **p, char *end, bool *bad)
{
    char *s = *p, *nl;

    if (s >= end)
        return NULL;
    nl = memchr(s, '\n', (size_t)(end - s));
    if (nl == NULL)
        nl = end;
    *p = nl < end ? nl + 1 : end;
    if (nl > s && nl[-1] == '\r')
        nl--;
    *nl = '\0';
    if (memchr(s, '\r', (size_t)(nl - s)) != NULL)
        *bad = true;
    return s;
}

static enum http_method method_of(const char *m)
{
    static const char *const names[] = {"GET", "HEAD", "POST", "OPTIONS"};

    for (int i = 0; i < 4; i++) {
        if (strcmp(m, names[i]) == 0)
            return (enum http_method)i;
    }
    return HTTP_OTHER;
}

static int parse_request_line(char *line, struct http_req *r, int *status, char *msg,
                              size_t msglen)
{
    char *sp1 = strchr(line, ' '), *sp2, *target, *q;

    if (sp1 == NULL || (sp2 = strchr(sp1 + 1, ' ')) == NULL || strchr(sp2 + 1, ' '))
        BAD(400, "the request line must be METHOD TARGET HTTP/1.1");
    *sp1 = *sp2 = '\0';
    target = sp1 + 1;
    for (const char *m = line; *m; m++) {
        if (!is_tchar((unsigned char)*m))
            BAD(400, "the method is not a token");
    }
    if (*line == '\0')
        BAD(400, "the request line must be METHOD TARGET HTTP/1.1");
    const char *v = sp2 + 1;
    bool shaped = strncmp(v, "HTTP/", 5) == 0 && v[5] >= '0' && v[5] <= '9' && v[6] == '.' &&
                  v[7] >= '0' && v[7] <= '9' && v[8] == '\0';
    if (!shaped)
        BAD(400, "the request line must end in HTTP/1.1 or HTTP/1.0");
    if (v[5] != '1')
        BAD(505, "only HTTP/1.0 and HTTP/1.1 are spoken");
    if (*target != '/' && strcmp(target, "*") != 0)
        BAD(400, "the target must be a path beginning with /");
    for (const unsigned char *t = (const unsigned char *)target; *t; t++) {
        if (*t <= 0x20 || *t >= 0x7f)
            BAD(400, "the target holds a byte that must be percent-encoded");
    }
    r->method_name = line;
    r->method = method_of(line);
    r->minor = v[7] - '0';
    q = strchr(target, '?');
    r->query = "";
    if (q != NULL) {
        *q = '\0';
        r->query = q + 1;
    }
    r->path = target;
    return HTTP_PARSE_OK;
}

static char *trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        *--e = '\0';
    return s;
}

static int add_header(char *line, struct http_req *r, int *status, char *msg, size_t msglen)
{
    char *colon = strchr(line, ':');

    if (*line == ' ' || *line == '\t')
        BAD(400, "folded header lines are not accepted");
    if (colon == NULL || colon == line)
        BAD(400, "a header line without a name and a colon");
    *colon = '\0';
    for (const char *n = line; *n; n++) {
        if (!is_tchar((unsigned char)*n))
            BAD(400, "a header name holds a blank or a byte that is not allowed");
    }
    if (r->nhdr == HTTP_MAX_HEADERS)
        BAD(431, "more than %d header lines", HTTP_MAX_HEADERS);
    char *v = trim(colon + 1);
    for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
        if ((*c < 0x20 && *c != '\t') || *c == 0x7f)
            BAD(400, "header %s holds a control character", line);
    }
    r->hdr[r->nhdr++] = (struct http_header){line, v};
    return HTTP_PARSE_OK;
}

/* Content-Length: digits only; several must all agree. */
static int framing(struct http_req *r, int *status, char *msg, size_t msglen)
{
    r->content_length = -1;
    for (size_t i = 0; i < r->nhdr; i++) {
        const char *v = r->hdr[i].value;
        long long n = 0;

        if (strcasecmp(r->hdr[i].name, "Transfer-Encoding") == 0) {
            if (http_header(r, "Content-Length") != NULL)
                BAD(400, "Content-Length and Transfer-Encoding together are refused");
            BAD(411, "send the body with a Content-Length (no Transfer-Encoding)");
        }
        if (strcasecmp(r->hdr[i].name, "Content-Length") != 0)
            continue;
        if (*v == '\0' || strspn(v, "0123456789") != strlen(v) || strlen(v) > 15)
            BAD(400, "Content-Length must be a number of bytes");
        n = strtoll(v, NULL, 10);
        if (r->content_length >= 0 && n != r->content_length)
            BAD(400, "two different Content-Length headers");
        r->content_length = n;
    }
    return HTTP_PARSE_OK;
}

/* Whether the comma-separated list v holds token (any case). */
static bool has_token(const char *v, const char *token)
{
    size_t n = strlen(token);

    while (v != NULL && *v) {
        v += strspn(v, " \t,");
        if (strncasecmp(v, token, n) == 0 && strchr(" \t,", v[n]) != NULL)
            return true;
        v = strchr(v, ',');
    }
    return false;
}

int http_head_parse(char *p, size_t len, struct http_req *r, int *status, char *msg,
                    size_t msglen)
{
    char *end = p + len, *line;
    bool bad = false;
    int rc;

    memset(r, 0, sizeof *r);
    *status = 400;
    if (memchr(p, '\0', len) != NULL)
        BAD(400, "a NUL byte in the request head");
    line = next_line(&p, end, &bad);
    while (line != NULL && *line == '\0' && !bad) /* RFC 9112 2.2: blank lines first */
        line = next_line(&p, end, &bad);
    if (line == NULL)
        BAD(400, "no request line");
    if ((rc = parse_request_line(line, r, status, msg, msglen)) != HTTP_PARSE_OK)
        return rc;
    while ((line = next_line(&p, end, &bad)) != NULL && *line != '\0') {
        if ((rc = add_header(line, r, status, msg, msglen)) != HTTP_PARSE_OK)
            return rc;
    }
    if (bad)
        BAD(400, "a bare carriage return in the head");
    if ((rc = framing(r, status, msg, msglen)) != HTTP_PARSE_OK)
        return rc;
    if (r->minor >= 1 && http_header(r, "Host") == NULL)
        BAD(400, "HTTP/1.1 requests must have a Host header");
    const char *conn = http_header(r, "Connection");
    r->keep_alive = r->minor >= 1 ? !has_token(conn, "close") : has_token(conn, "keep-alive");
    return HTTP_PARSE_OK;
}

const char *http_header(const struct http_req *r, const char *name)
{
    for (size_t i = 0; i < r->nhdr; i++) {
        if (strcasecmp(r->hdr[i].name, name) == 0)
            return r->hdr[i].value;
    }
    return NULL;
}

bool http_cookie(const struct http_req *r, const char *name, char *out, size_t outlen)
{
    size_t n = strlen(name);

    for (size_t i = 0; i < r->nhdr; i++) {
        const char *v = r->hdr[i].value;

        if (strcasecmp(r->hdr[i].name, "Cookie") != 0)
            continue;
        while (*v) {
            size_t len;

            v += strspn(v, " \t;");
            len = strcspn(v, ";");
            if (len > n && strncmp(v, name, n) == 0 && v[n] == '=') {
                if (len - n - 1 >= outlen)
                    return false;
                memcpy(out, v + n + 1, len - n - 1);
                out[len - n - 1] = '\0';
                return true;
            }
            v += len;
        }
    }
    return false;
}
