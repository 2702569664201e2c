/* attached: the search operation: the request into a shim search, each
 * hit's stored passage into the response with its matches, snippet and
 * quotations highlighted from the passage text itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attache/highlight.h"
#include "attache/protocol.h"
#include "attache/text.h"
#include "handlers.h"
#include "render.h"

struct word_ctx {
    const struct att_result *r;
    size_t hit;
    bool in_quote;
};

static bool match_word(void *ud, const char *word, size_t len)
{
    const struct word_ctx *c = ud;

    return att_result_match(c->r, c->hit, word, len, c->in_quote);
}

static cJSON *render_hit(const struct att_request *req, const struct att_result *r, size_t i)
{
    const struct att_hit *h = &r->hits[i];
    cJSON *stored = cJSON_ParseWithLength(h->data, h->len);
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(stored, "text");
    struct word_ctx body = {r, i, true}, quote = {r, i, true}; /* quote: words too */
    struct att_matcher mb = {match_word, &body}, mq = {match_word, &quote};
    struct att_snippet_opts so = {req->pre, req->post, req->snippet_len, "\xE2\x80\xA6"};
    struct att_spans spans = {0}, sents = {0};
    cJSON *hit;
    char *snippet = NULL;
    size_t len;

    if (!cJSON_IsString(text)) {
        cJSON_Delete(stored);
        return NULL;
    }
    len = strlen(text->valuestring);
    if (att_sentences(text->valuestring, len, &sents, NULL) == ATT_OK) {
        att_match_spans_in(text->valuestring, len, &sents, &mb, &spans, NULL);
        snippet = att_snippet_in(text->valuestring, len, &sents, &spans, &so);
    }
    att_spans_free(&sents);
    hit = cJSON_CreateObject();
    att_add_int(hit, "rank", h->rank);
    att_add_real(hit, "score", h->score);
    cJSON_AddItemToObject(hit, "doc", render_doc(stored));
    cJSON_AddItemToObject(hit, "passage", render_passage(stored, false));
    cJSON_AddStringToObject(hit, "snippet", snippet ? snippet : "");
    cJSON_AddItemToObject(hit, "matches", render_spans(&spans));
    if (req->quotes)
        cJSON_AddItemToObject(hit, "quotes", render_quotes(stored, &mq));
    free(snippet);
    att_spans_free(&spans);
    cJSON_Delete(stored);
    return hit;
}

static void add_facet(cJSON *to, const char *name, const struct att_count *v, size_t n)
{
    cJSON *o = cJSON_AddObjectToObject(to, name);

    for (size_t i = 0; o != NULL && i < n; i++)
        att_add_int(o, v[i].value, v[i].count);
}

static void render_result(const struct att_request *req, const struct att_result *r,
                          cJSON *resp)
{
    cJSON *total = cJSON_AddObjectToObject(resp, "total");
    cJSON *hits;

    att_add_int(resp, "revision", (long long)r->revision);
    att_add_int(total, "estimate", r->estimate);
    att_add_int(total, "lower", r->lower);
    att_add_int(total, "upper", r->upper);
    if (r->partial || r->nmissing > 0)
        cJSON_AddBoolToObject(resp, "partial", true);
    if (r->nmissing > 0) {
        cJSON *m = cJSON_AddArrayToObject(resp, "missing");

        for (size_t i = 0; m != NULL && i < r->nmissing; i++)
            cJSON_AddItemToArray(m, cJSON_CreateString(r->missing[i]));
    }
    hits = cJSON_AddArrayToObject(resp, "hits");
    for (size_t i = 0; i < r->n; i++) {
        cJSON *h = render_hit(req, r, i);

        if (h != NULL)
            cJSON_AddItemToArray(hits, h);
    }
    if (r->spelling)
        cJSON_AddStringToObject(resp, "spelling", r->spelling);
    if (req->s.facets) {
        cJSON *f = cJSON_AddObjectToObject(resp, "facets");

        for (int k = 0; k < ATT_FACET_COUNT; k++)
            add_facet(f, att_facet_name((enum att_facet)k), r->facets[k].v, r->facets[k].n);
    }
}

int handle_search(struct worker *w, const struct att_request *req, cJSON *resp,
                  struct reply_info *info, struct att_err *err)
{
    struct att_search s = req->s;
    struct att_result r;
    int rc;

    s.time_limit_ms = atomic_load(&w->srv->lim.query_time_ms);
    s.max_wildcard = atomic_load(&w->srv->lim.max_wildcard);
    s.spelling = true;
    rc = att_xdb_search(w->db, &s, &r, err); /* ATT_E_MODIFIED: dispatch retries */
    if (rc == ATT_OK) {
        if (r.revision > w->revision)
            w->revision = r.revision;
        render_result(req, &r, resp);
        info->hits = r.n;
    }
    att_result_free(&r);
    return rc;
}
