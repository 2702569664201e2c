/* attached: the search page's results (GET /?q=...): the search request
 * made from the page's parameters, and its response as HTML: hits with
 * highlighted snippets and quotations, facets, filters, pages. Every
 * string of the index is escaped; only http(s) URLs become links. */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "attache/attache.h"
#include "web_page.h"

#define FACET_SHOWN 10 /* values shown per facet */

static const char *const hit_fields[] = {"rank", "doc", "passage.n", "snippet", "quotes"};

/* The search request of p, or NULL when out of memory. */
static cJSON *search_request(const struct att_web_params *p)
{
    cJSON *r = cJSON_CreateObject(), *f, *hl;
    bool ok = r != NULL;

    ok = ok && cJSON_AddStringToObject(r, "op", "search") && cJSON_AddStringToObject(r, "q", p->q);
    ok = ok && cJSON_AddNumberToObject(r, "limit", ATT_WEB_LIMIT) &&
         cJSON_AddNumberToObject(r, "offset", (double)p->offset) &&
         cJSON_AddBoolToObject(r, "facets", true);
    if (ok && p->sort[0] != '\0')
        ok = cJSON_AddStringToObject(r, "sort", p->sort) != NULL;
    ok = ok && (hl = cJSON_AddObjectToObject(r, "highlight")) != NULL &&
         cJSON_AddStringToObject(hl, "pre", ATT_WEB_PRE) &&
         cJSON_AddStringToObject(hl, "post", ATT_WEB_POST);
    ok = ok && cJSON_AddItemToObject(r, "fields", cJSON_CreateStringArray(
                                         hit_fields, sizeof hit_fields / sizeof hit_fields[0]));
    ok = ok && (f = cJSON_AddObjectToObject(r, "filter")) != NULL;
    for (int i = 0; ok && i < ATT_WF_N; i++)
        if (p->filter[i][0] != '\0')
            ok = cJSON_AddStringToObject(f, att_web_filter_names[i], p->filter[i]) != NULL;
    if (!ok) {
        cJSON_Delete(r);
        return NULL;
    }
    return r;
}

static const char *str_of(const cJSON *obj, const char *name)
{
    return cJSON_GetStringValue(cJSON_GetObjectItem(obj, name));
}

static long long num_of(const cJSON *obj, const char *name, long long dflt)
{
    const cJSON *v = cJSON_GetObjectItem(obj, name);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : dflt;
}

/* ------------------------------------------------------------------ */
/* One hit */

void att_web_doc_meta(struct evbuffer *b, const cJSON *doc)
{
    const char *date = str_of(doc, "date"), *author = str_of(doc, "author");
    const char *source = str_of(doc, "source"), *url = str_of(doc, "url");

    evbuffer_add_printf(b, "<p class=\"meta\">");
    if (date != NULL) {
        evbuffer_add_printf(b, "<time class=\"date\" datetime=\"");
        att_web_escs(b, date);
        evbuffer_add_printf(b, "\">");
        att_web_escs(b, date);
        evbuffer_add_printf(b, "</time>");
    }
    if (author != NULL) {
        evbuffer_add_printf(b, "<span class=\"author\">");
        att_web_escs(b, author);
        evbuffer_add_printf(b, "</span>");
    }
    if (source != NULL) {
        evbuffer_add_printf(b, "<span class=\"source\">");
        att_web_escs(b, source);
        evbuffer_add_printf(b, "</span>");
    }
    if (url != NULL) {
        bool link = att_web_linkable(url);
        evbuffer_add_printf(b, link ? "<a class=\"url\" rel=\"noopener noreferrer\" href=\""
                                    : "<span class=\"url\">");
        if (link) {
            att_web_escs(b, url);
            evbuffer_add_printf(b, "\">");
        }
        att_web_escs(b, url);
        evbuffer_add_printf(b, link ? "</a>" : "</span>");
    }
    evbuffer_add_printf(b, "</p>\n");
}

void att_web_quotes(struct evbuffer *b, const cJSON *quotes, bool marks)
{
    const cJSON *q;

    if (cJSON_GetArraySize(quotes) == 0)
        return;
    evbuffer_add_printf(b, "<ul class=\"quotes\">\n");
    cJSON_ArrayForEach(q, quotes) {
        const char *text = str_of(q, "text"), *who = str_of(q, "speaker");
        const char *role = str_of(q, "role");
        if (text == NULL)
            continue;
        evbuffer_add_printf(b, "<li><q>");
        if (marks)
            att_web_ranges(b, text, strlen(text), cJSON_GetObjectItem(q, "matches"));
        else
            att_web_escs(b, text);
        evbuffer_add_printf(b, "</q>");
        if (who != NULL) {
            evbuffer_add_printf(b, " <span class=\"who\"><span class=\"speaker\">");
            att_web_escs(b, who);
            evbuffer_add_printf(b, "</span>");
            if (role != NULL) {
                evbuffer_add_printf(b, ", <span class=\"role\">");
                att_web_escs(b, role);
                evbuffer_add_printf(b, "</span>");
            }
            evbuffer_add_printf(b, "</span>");
        }
        evbuffer_add_printf(b, "</li>\n");
    }
    evbuffer_add_printf(b, "</ul>\n");
}

static void hit_html(struct evbuffer *b, const cJSON *hit, const struct att_web_params *p)
{
    const cJSON *doc = cJSON_GetObjectItem(hit, "doc");
    const char *id = str_of(doc, "id"), *title = str_of(doc, "title");
    const char *snippet = str_of(hit, "snippet");
    long n = (long)num_of(cJSON_GetObjectItem(hit, "passage"), "n", -1);

    evbuffer_add_printf(b, "<li class=\"hit\">\n<h3><a class=\"title\" href=\"");
    att_web_doc_href(b, id != NULL ? id : "", n, p);
    evbuffer_add_printf(b, "\">");
    att_web_escs(b, title != NULL && title[0] != '\0' ? title : id);
    evbuffer_add_printf(b, "</a></h3>\n");
    att_web_doc_meta(b, doc);
    if (snippet != NULL) {
        evbuffer_add_printf(b, "<p class=\"snippet\">");
        att_web_marked(b, snippet, strlen(snippet));
        evbuffer_add_printf(b, "</p>\n");
    }
    att_web_quotes(b, cJSON_GetObjectItem(hit, "quotes"), true);
    evbuffer_add_printf(b, "</li>\n");
}

/* ------------------------------------------------------------------ */
/* Facets */

/* The facets the page shows, with the filter a click sets (year: from
 * and to). */
static const struct {
    const char *name, *label;
    enum att_web_filter filter;
} facet_kinds[] = {
    {"source", "Source", ATT_WF_SOURCE}, {"year", "Year", ATT_WF_FROM},
    {"author", "Author", ATT_WF_AUTHOR}, {"actor", "Actor", ATT_WF_ACTOR},
    {"language", "Language", ATT_WF_LANGUAGE},
};

static int by_count(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    if (x->valuedouble != y->valuedouble)
        return x->valuedouble < y->valuedouble ? 1 : -1;
    return strcmp(x->string, y->string);
}

static int by_key_desc(const void *a, const void *b)
{
    return strcmp((*(const cJSON *const *)b)->string, (*(const cJSON *const *)a)->string);
}

/* One link of a facet: p with the facet's filter set to value. */
static void facet_link(struct evbuffer *b, const struct att_web_params *p, int kind,
                       const cJSON *v)
{
    struct att_web_params q = *p;
    enum att_web_filter f = facet_kinds[kind].filter;
    bool year = f == ATT_WF_FROM;
    bool on = strcmp(p->filter[f], v->string) == 0 &&
              (!year || strcmp(p->filter[ATT_WF_TO], v->string) == 0);

    q.offset = 0;
    q.filter[f] = v->string;
    if (year)
        q.filter[ATT_WF_TO] = v->string;
    evbuffer_add_printf(b, "<li><a href=\"");
    att_web_search_href(b, &q);
    evbuffer_add_printf(b, "\"%s><span class=\"value\">", on ? " aria-current=\"true\"" : "");
    att_web_escs(b, v->string);
    evbuffer_add_printf(b, "</span> <span class=\"count\">%lld</span></a></li>\n",
                        (long long)v->valuedouble);
}

static void facet_html(struct evbuffer *b, const cJSON *map, const struct att_web_params *p,
                       int kind)
{
    const cJSON *v, *vals[256];
    size_t n = 0;

    cJSON_ArrayForEach(v, map)
        if (cJSON_IsNumber(v) && v->string != NULL && n < sizeof vals / sizeof vals[0])
            vals[n++] = v;
    if (n == 0)
        return;
    qsort(vals, n, sizeof vals[0], kind == 1 ? by_key_desc : by_count);
    evbuffer_add_printf(b, "<section class=\"facet\" data-facet=\"%s\">\n<h3>%s</h3>\n<ul>\n",
                        facet_kinds[kind].name, facet_kinds[kind].label);
    for (size_t i = 0; i < n && i < FACET_SHOWN; i++)
        facet_link(b, p, kind, vals[i]);
    evbuffer_add_printf(b, "</ul>\n</section>\n");
}

static void facets_html(struct evbuffer *b, const cJSON *facets, const struct att_web_params *p)
{
    if (!cJSON_IsObject(facets))
        return;
    evbuffer_add_printf(b, "<aside class=\"facets\" aria-label=\"Refine\">\n<h2>Refine</h2>\n");
    for (int k = 0; k < (int)(sizeof facet_kinds / sizeof facet_kinds[0]); k++)
        facet_html(b, cJSON_GetObjectItem(facets, facet_kinds[k].name), p, k);
    evbuffer_add_printf(b, "</aside>\n");
}

/* ------------------------------------------------------------------ */
/* Around the hits */

/* The filters in force, each a link that removes it. */
static void active_filters(struct evbuffer *b, const struct att_web_params *p)
{
    if (!att_web_any_filter(p))
        return;
    evbuffer_add_printf(b, "<ul class=\"active\" aria-label=\"Filters in force\">\n");
    for (int i = 0; i < ATT_WF_N; i++) {
        struct att_web_params q = *p;
        if (p->filter[i][0] == '\0')
            continue;
        q.filter[i] = "";
        q.offset = 0;
        evbuffer_add_printf(b, "<li><a href=\"");
        att_web_search_href(b, &q);
        evbuffer_add_printf(b, "\" title=\"Remove this filter\">%s: ", att_web_filter_names[i]);
        att_web_escs(b, p->filter[i]);
        evbuffer_add_printf(b, " <span aria-hidden=\"true\">×</span></a></li>\n");
    }
    evbuffer_add_printf(b, "</ul>\n");
}

/* Previous and next pages of ATT_WEB_LIMIT hits. */
static void pages(struct evbuffer *b, const struct att_web_params *p, long long total, int nhits)
{
    struct att_web_params q = *p;
    long page = p->offset / ATT_WEB_LIMIT + 1;
    long long npages = (total + ATT_WEB_LIMIT - 1) / ATT_WEB_LIMIT;

    if (p->offset == 0 && p->offset + nhits >= total)
        return;
    evbuffer_add_printf(b, "<nav class=\"pages\" aria-label=\"Pages\">\n");
    if (p->offset > 0) {
        q.offset = p->offset > ATT_WEB_LIMIT ? p->offset - ATT_WEB_LIMIT : 0;
        evbuffer_add_printf(b, "<a rel=\"prev\" href=\"");
        att_web_search_href(b, &q);
        evbuffer_add_printf(b, "\">← Previous</a>\n");
    }
    evbuffer_add_printf(b, "<span class=\"page\">Page %ld of %lld</span>\n", page,
                        npages > page ? npages : page);
    if (p->offset + nhits < total && p->offset + ATT_WEB_LIMIT <= ATT_WEB_MAX_OFFSET) {
        q.offset = p->offset + ATT_WEB_LIMIT;
        evbuffer_add_printf(b, "<a rel=\"next\" href=\"");
        att_web_search_href(b, &q);
        evbuffer_add_printf(b, "\">Next →</a>\n");
    }
    evbuffer_add_printf(b, "</nav>\n");
}

/* The line of the count, and the notes on a relaxed query or spelling. */
static void summary(struct evbuffer *b, const cJSON *resp, const struct att_web_params *p)
{
    const cJSON *total = cJSON_GetObjectItem(resp, "total");
    long long est = num_of(total, "estimate", 0);
    bool exact = num_of(total, "lower", -1) == num_of(total, "upper", -2);
    const char *spelling = str_of(resp, "spelling");

    evbuffer_add_printf(b, "<h2 class=\"total\" id=\"total\" data-total=\"%lld\">%s%lld "
                        "passage%s match</h2>\n", est, exact ? "" : "About ", est,
                        est == 1 ? "" : "s");
    if (cJSON_IsTrue(cJSON_GetObjectItem(resp, "relaxed")))
        evbuffer_add_printf(b, "<p class=\"note\">No passage holds every word: these hold "
                            "some of them.</p>\n");
    if (spelling != NULL) {
        struct att_web_params q = *p;
        q.q = spelling;
        q.offset = 0;
        evbuffer_add_printf(b, "<p class=\"note\">Did you mean <a class=\"spelling\" href=\"");
        att_web_search_href(b, &q);
        evbuffer_add_printf(b, "\">");
        att_web_escs(b, spelling);
        evbuffer_add_printf(b, "</a>?</p>\n");
    }
    active_filters(b, p);
}

static void results_html(struct evbuffer *b, const cJSON *resp, const struct att_web_params *p)
{
    const cJSON *hits = cJSON_GetObjectItem(resp, "hits"), *hit;
    long long total = num_of(cJSON_GetObjectItem(resp, "total"), "estimate", 0);

    summary(b, resp, p);
    evbuffer_add_printf(b, "<div class=\"layout\">\n<ol class=\"hits\" id=\"hits\" "
                        "start=\"%ld\">\n", p->offset + 1);
    cJSON_ArrayForEach(hit, hits)
        hit_html(b, hit, p);
    evbuffer_add_printf(b, "</ol>\n");
    facets_html(b, cJSON_GetObjectItem(resp, "facets"), p);
    evbuffer_add_printf(b, "</div>\n");
    pages(b, p, total, cJSON_GetArraySize(hits));
}

void att_web_results(struct worker *w, const struct http_req *rq, const struct att_web_params *p,
                     struct http_resp *rp)
{
    struct evbuffer *b = rp->body;
    cJSON *req = NULL, *resp = NULL;
    int status = 200;

    att_web_head(b, p->q[0] != '\0' ? p->q : NULL);
    att_web_form(b, p);
    evbuffer_add_printf(b, "<section id=\"results\" class=\"results\" aria-label=\"Results\">\n");
    if (p->q[0] != '\0' || att_web_any_filter(p)) {
        req = search_request(p);
        if (req == NULL || att_web_run(w, rq, req, &resp, &status) != ATT_OK) {
            status = 500;
            att_web_error(b, "The search could not be run.");
        } else if (!cJSON_IsTrue(cJSON_GetObjectItem(resp, "ok"))) {
            att_web_error(b, att_web_errmsg(resp));
        } else {
            results_html(b, resp, p);
        }
    }
    evbuffer_add_printf(b, "</section>\n");
    att_web_foot(b);
    rp->status = status;
    cJSON_Delete(req);
    cJSON_Delete(resp);
}
