/* The head of an HTTP/1.x request (request line and header fields) parsed
 * strictly: whatever could be read two ways (by us and by a proxy in
 * front) is refused, so no request can be smuggled past one of them. */
#ifndef ATT_HTTP_HEAD_H
#define ATT_HTTP_HEAD_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_MAX_HEADERS 64
#define HTTP_MAX_HEAD 16384 /* request line and header fields, in bytes */

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_OPTIONS, HTTP_OTHER };

struct http_header {
    const char *name;  /* as sent; compare without regard to case */
    const char *value; /* leading and trailing blanks removed */
};

/* One request, valid while it is being answered. Every string is
 * NUL-terminated. */
struct http_req {
    enum http_method method;
    const char *method_name;
    const char *path;     /* the target up to '?', not decoded: "/search" */
    const char *query;    /* after '?', not decoded, or "" */
    int minor;            /* HTTP/1.minor */
    struct http_header hdr[HTTP_MAX_HEADERS];
    size_t nhdr;
    const char *body;     /* NUL-terminated, body_len bytes */
    size_t body_len;
    long long content_length; /* -1: none was sent */
    bool keep_alive;      /* by the version and Connection */
    bool authed;          /* no token is needed, or a good one came (header or cookie) */
    bool secure;          /* a proxy says it came over TLS (X-Forwarded-Proto: https) */
    const char *peer;
};

enum http_parse { HTTP_PARSE_MORE, HTTP_PARSE_OK, HTTP_PARSE_BAD };

/* Where the head at the front of p (n bytes) ends: its length with the
 * blank line, or 0 when the blank line has not come yet. */
size_t http_head_end(const char *p, size_t n);

/* Parse the head of len bytes at p (http_head_end's length), in place: p
 * is cut into the strings r points to. HTTP_PARSE_OK with r filled (body
 * NULL, body_len 0, content_length as sent); else HTTP_PARSE_BAD with
 * *status (400, 411, 431, 501, 505) and msg saying why. */
int http_head_parse(char *p, size_t len, struct http_req *r, int *status, char *msg,
                    size_t msglen);

/* The value of the first header called name (any case), or NULL. */
const char *http_header(const struct http_req *r, const char *name);

/* The value of the cookie called name in r's Cookie headers, copied into
 * out (at most outlen - 1 bytes); false when there is none or it is longer. */
bool http_cookie(const struct http_req *r, const char *name, char *out, size_t outlen);

#endif
