/* attached: what the files of the search page share: web.c routes, web_html.c
 * escapes and links, web_frame.c the frame and form, web_results.c the hits,
 * web_doc.c a document; tools/embed-assets.sh compiles web/ in. */
#ifndef ATT_WEB_PAGE_H
#define ATT_WEB_PAGE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "http.h"

/* One file of web/, as tools/embed-assets.sh compiles it in. */
struct att_web_asset {
    const char *name;          /* "style.css" */
    const char *type;          /* its Content-Type */
    const unsigned char *data;
    size_t len;
};
extern const struct att_web_asset att_web_assets[];
extern const size_t att_web_nassets;
extern const char att_web_version[]; /* changes with the assets' bytes */

/* The markers asked for around each match of a snippet (U+E000, U+E001,
 * of the Private Use Area): att_web_marked turns them into <mark>. */
#define ATT_WEB_PRE "\xee\x80\x80"
#define ATT_WEB_POST "\xee\x80\x81"

#define ATT_WEB_LIMIT 10  /* hits per page */
#define ATT_WEB_MAX_OFFSET 100000

/* The filters of the page, in the order of att_web_filter_names (which
 * are both the query-string names and the protocol's filter members). */
enum att_web_filter {
    ATT_WF_FROM, ATT_WF_TO, ATT_WF_SOURCE, ATT_WF_SPEAKER, ATT_WF_AUTHOR,
    ATT_WF_ACTOR, ATT_WF_LANGUAGE, ATT_WF_N
};
extern const char *const att_web_filter_names[ATT_WF_N];

/* The parameters of a page's query string, decoded ("+" and %XX, bytes
 * that are not UTF-8 replaced by U+FFFD). Every string is "" when absent. */
struct att_web_params {
    char *buf;                   /* owns the strings */
    size_t cap;                  /* bytes of buf */
    const char *q;
    const char *filter[ATT_WF_N];
    const char *sort;            /* "", "date" or "-date" */
    const char *id;              /* /doc: the document */
    const char *token;           /* POST /login */
    const char *next;            /* POST /login: where to go next */
    long offset;                 /* 0..ATT_WEB_MAX_OFFSET */
    long p;                      /* /doc: the passage, -1 when none */
    bool has_q;                  /* q was given (even empty) */
};

/* Decode query (as in a URL or a form body, not decoded) into out; free
 * with att_web_params_free, which wipes the strings (a token is among
 * them). ATT_OK or ATT_E_NOMEM. */
int att_web_params_parse(const char *query, size_t len, struct att_web_params *out);
void att_web_params_free(struct att_web_params *p);
bool att_web_any_filter(const struct att_web_params *p);

/* Write s[0..len) with & < > " ' escaped (the markers dropped). */
void att_web_esc(struct evbuffer *b, const char *s, size_t len);
void att_web_escs(struct evbuffer *b, const char *s); /* s may be NULL */
/* As att_web_esc, with the markers as <mark> and </mark>, balanced. */
void att_web_marked(struct evbuffer *b, const char *s, size_t len);
/* As att_web_esc, with the byte ranges [[start,end],...] of ranges (sorted,
 * within s) in <mark>; a range out of order or of bounds is ignored. */
void att_web_ranges(struct evbuffer *b, const char *s, size_t len, const cJSON *ranges);
/* s percent-encoded for a query string (only unreserved bytes kept,
 * space as "+"): also safe in an HTML attribute. */
void att_web_pct(struct evbuffer *b, const char *s);
/* The link "/?q=...&amp;from=..." of p (HTML-escaped, for an href). */
void att_web_search_href(struct evbuffer *b, const struct att_web_params *p);
/* The link to passage n of document id, with p's query along. */
void att_web_doc_href(struct evbuffer *b, const char *id, long n, const struct att_web_params *p);
/* True for an http: or https: URL, the only ones made links. */
bool att_web_linkable(const char *url);

/* The page around a body: head (title escaped) up to <main>, and from
 * </main> to the end. */
void att_web_head(struct evbuffer *b, const char *title);
void att_web_foot(struct evbuffer *b);
/* The search form with p's values (p NULL: empty), and the hints. */
void att_web_form(struct evbuffer *b, const struct att_web_params *p);
/* A paragraph of class "error" with message. */
void att_web_error(struct evbuffer *b, const char *message);

/* web.c: run the socket-protocol request req (not consumed) for rq:
 * *resp is its parsed response (the caller frees it with cJSON_Delete),
 * *status the HTTP status it maps to. ATT_OK, or an error (then *resp
 * is NULL). */
int att_web_run(struct worker *w, const struct http_req *rq, const cJSON *req, cJSON **resp,
                int *status);
/* The message of an error response, or a general one. */
const char *att_web_errmsg(const cJSON *resp);

/* web_results.c: GET / with p: the form, and the hits when there is a
 * query or a filter. Fills rp (status and body). */
void att_web_results(struct worker *w, const struct http_req *rq, const struct att_web_params *p,
                     struct http_resp *rp);

/* web_results.c: the line of date, author, source and URL of doc (a
 * "doc" object of a response). */
void att_web_doc_meta(struct evbuffer *b, const cJSON *doc);
/* web_results.c: the quotations (an array of "quote") with their
 * speakers; marks: their matches in <mark>. */
void att_web_quotes(struct evbuffer *b, const cJSON *quotes, bool marks);

/* web_doc.c: GET /doc with p (id, p). Fills rp. */
void att_web_doc(struct worker *w, const struct http_req *rq, const struct att_web_params *p,
                 struct http_resp *rp);

#endif
