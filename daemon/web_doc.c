/* attached: the search page's view of one document (GET /doc?id=...&p=N):
 * every passage of a get response in order, its quotations set apart, the
 * passage N marked as the current one under the anchor "pN". */
#include <string.h>

#include <event2/buffer.h>

#include "attache/attache.h"
#include "web_page.h"

static cJSON *get_request(const char *id)
{
    cJSON *r = cJSON_CreateObject();

    if (r == NULL || !cJSON_AddStringToObject(r, "op", "get") ||
        !cJSON_AddStringToObject(r, "doc", id)) {
        cJSON_Delete(r);
        return NULL;
    }
    return r;
}

static long long num_of(const cJSON *obj, const char *name, long long dflt)
{
    const cJSON *v = cJSON_GetObjectItem(obj, name);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : dflt;
}

/* text[0..len) escaped, its quotations (start/end, in order, within text)
 * in <span class="quote">. */
static void text_with_quotes(struct evbuffer *b, const char *text, size_t len,
                             const cJSON *quotes)
{
    size_t at = 0;
    const cJSON *q;

    cJSON_ArrayForEach(q, quotes) {
        long long st = num_of(q, "start", -1), en = num_of(q, "end", -1);
        if (st < (long long)at || en <= st || en > (long long)len)
            continue;
        att_web_esc(b, text + at, (size_t)st - at);
        evbuffer_add_printf(b, "<span class=\"quote\">");
        att_web_esc(b, text + st, (size_t)(en - st));
        evbuffer_add_printf(b, "</span>");
        at = (size_t)en;
    }
    att_web_esc(b, text + at, len - at);
}

static void passage_html(struct evbuffer *b, const cJSON *pa, long current)
{
    long n = (long)num_of(pa, "n", -1);
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItem(pa, "text"));
    const cJSON *quotes = cJSON_GetObjectItem(pa, "quotes");
    bool cur = n == current;

    if (text == NULL)
        return;
    evbuffer_add_printf(b, "<section class=\"passage%s\" id=\"p%ld\"%s>\n",
                        cur ? " current" : "", n,
                        cur ? " aria-current=\"true\" tabindex=\"-1\" aria-label=\"The passage "
                              "found\""
                            : "");
    evbuffer_add_printf(b, "<p class=\"text\">");
    text_with_quotes(b, text, strlen(text), quotes);
    evbuffer_add_printf(b, "</p>\n");
    if (cur)
        att_web_quotes(b, quotes, false);
    evbuffer_add_printf(b, "</section>\n");
}

/* The document of a get response. */
static void doc_html(struct evbuffer *b, const cJSON *resp, const struct att_web_params *p)
{
    const cJSON *doc = cJSON_GetObjectItem(resp, "doc"), *pa;
    const char *title = cJSON_GetStringValue(cJSON_GetObjectItem(doc, "title"));
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(doc, "id"));

    evbuffer_add_printf(b, "<article class=\"document\">\n");
    if (p->q[0] != '\0' || att_web_any_filter(p)) {
        struct att_web_params q = *p;
        q.offset = 0;
        evbuffer_add_printf(b, "<p class=\"back\"><a href=\"");
        att_web_search_href(b, &q);
        evbuffer_add_printf(b, "\">← Back to the results</a></p>\n");
    }
    evbuffer_add_printf(b, "<h1>");
    att_web_escs(b, title != NULL && title[0] != '\0' ? title : id);
    evbuffer_add_printf(b, "</h1>\n");
    att_web_doc_meta(b, doc);
    evbuffer_add_printf(b, "<p class=\"docid\">");
    att_web_escs(b, id);
    evbuffer_add_printf(b, "</p>\n<div class=\"passages\">\n");
    cJSON_ArrayForEach(pa, cJSON_GetObjectItem(resp, "passages"))
        passage_html(b, pa, p->p);
    evbuffer_add_printf(b, "</div>\n</article>\n");
}

void att_web_doc(struct worker *w, const struct http_req *rq, const struct att_web_params *p,
                 struct http_resp *rp)
{
    struct evbuffer *b = rp->body;
    cJSON *req = NULL, *resp = NULL;
    const cJSON *title;
    int status = 200;

    if (p->id[0] == '\0') {
        att_web_head(b, "No document");
        att_web_error(b, "No document was asked for (id=...).");
        status = 400;
    } else if ((req = get_request(p->id)) == NULL ||
               att_web_run(w, rq, req, &resp, &status) != ATT_OK) {
        att_web_head(b, "Error");
        att_web_error(b, "The document could not be read.");
        status = 500;
    } else if (!cJSON_IsTrue(cJSON_GetObjectItem(resp, "ok"))) {
        att_web_head(b, "Error");
        att_web_error(b, att_web_errmsg(resp));
    } else {
        title = cJSON_GetObjectItem(cJSON_GetObjectItem(resp, "doc"), "title");
        att_web_head(b, cJSON_IsString(title) ? title->valuestring : p->id);
        doc_html(b, resp, p);
    }
    att_web_foot(b);
    rp->status = status;
    cJSON_Delete(req);
    cJSON_Delete(resp);
}
