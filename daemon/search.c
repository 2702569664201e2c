/* attached: the search operation: the request into a shim search, each
 * hit's stored passage into the response with its matches, snippet and
 * quotations highlighted from the passage text itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attache/highlight.h"
#include "attache/protocol.h"
#include "attache/text.h"
#include "buf.h"
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

static size_t phrase_len(void *ud, size_t k)
{
    const struct word_ctx *c = ud;

    return att_result_phrase_len(c->r, k);
}

static bool match_phrase(void *ud, size_t k, const char *const *words, const size_t *lens)
{
    const struct word_ctx *c = ud;

    return att_result_phrase_match(c->r, k, words, lens, c->in_quote);
}

/* One term of an explained part: {"term","where","expansion"}, and for an
 * expansion "from" and "kind" (null when unknown). */
static cJSON *explain_term(const struct att_explain_term *t)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "term", t->term);
    cJSON_AddStringToObject(o, "where", t->where);
    cJSON_AddBoolToObject(o, "expansion", t->expansion);
    if (t->expansion) {
        cJSON_AddStringToObject(o, "from", t->from ? t->from : "");
        if (t->kind != NULL)
            cJSON_AddStringToObject(o, "kind", t->kind);
        else
            cJSON_AddNullToObject(o, "kind");
    }
    return o;
}

/* {"parts": [{"where","words","terms","weight"}, ...]}: empty when the
 * search had nothing to say (ex NULL). */
static cJSON *render_explain(const struct att_explain *ex)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *parts = cJSON_AddArrayToObject(o, "parts");

    for (size_t k = 0; parts != NULL && ex != NULL && k < ex->n; k++) {
        const struct att_explain_part *p = &ex->parts[k];
        cJSON *po = cJSON_CreateObject();
        cJSON *where = cJSON_AddStringToObject(po, "where", p->where);
        cJSON *words = where ? cJSON_AddArrayToObject(po, "words") : NULL;
        cJSON *terms = words ? cJSON_AddArrayToObject(po, "terms") : NULL;

        for (size_t j = 0; words != NULL && j < p->nwords; j++)
            cJSON_AddItemToArray(words, cJSON_CreateString(p->words[j]));
        for (size_t j = 0; terms != NULL && j < p->nterms; j++)
            cJSON_AddItemToArray(terms, explain_term(&p->terms[j]));
        att_add_real(po, "weight", p->weight);
        cJSON_AddItemToArray(parts, po);
    }
    return o;
}

static cJSON *render_hit(const struct att_request *req, const struct att_result *r, size_t i)
{
    const struct att_hit *h = &r->hits[i];
    cJSON *stored = cJSON_ParseWithLength(h->data, h->len);
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(stored, "text");
    struct word_ctx body = {r, i, true}, quote = {r, i, true}; /* quote: words too */
    struct att_matcher mb = {match_word, &body}, mq = {match_word, &quote};
    struct att_phrases pb = {att_result_nphrases(r), phrase_len, match_phrase, &body};
    struct att_phrases pq = {att_result_nphrases(r), phrase_len, match_phrase, &quote};
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
        att_match_phrase_spans_in(text->valuestring, len, &sents, &mb, &pb, &spans, NULL);
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
        cJSON_AddItemToObject(hit, "quotes", render_quotes(stored, &mq, &pq));
    if (req->s.explain)
        cJSON_AddItemToObject(hit, "explain", render_explain(r->explain ? &r->explain[i] : NULL));
    if (h->ndups > 0) {
        cJSON_AddItemToObject(hit, "duplicates", render_dups(h->dups, h->ndups));
        if (h->dups_total > h->ndups)
            att_add_int(hit, "duplicates_total", h->dups_total);
    }
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
    cJSON_AddBoolToObject(resp, "relaxed", r->relaxed);
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

/* Whether q[i] starts "actor:" as a word of its own. */
static bool actor_at(const char *q, size_t len, size_t i)
{
    return len - i > 6 && memcmp(q + i, "actor:", 6) == 0 &&
           (i == 0 || q[i - 1] == ' ' || q[i - 1] == '(' || q[i - 1] == '+' ||
            q[i - 1] == '-' || q[i - 1] == '\t');
}

/* The value after "actor:" at q[*i], as name[0..*nlen) (a phrase in
 * double quotes, or up to a space or ')'); *i moves past it. */
static const char *actor_value(const char *q, size_t len, size_t *i, size_t *nlen)
{
    size_t s = *i, e;

    if (q[s] == '"') {
        const char *close = memchr(q + s + 1, '"', len - s - 1);

        e = close ? (size_t)(close - q) : len;
        *i = close ? e + 1 : len;
        *nlen = e - s - 1;
        return q + s + 1;
    }
    for (e = s; e < len && q[e] != ' ' && q[e] != ')' && q[e] != '\t'; e++) {
    }
    *i = e;
    *nlen = e - s;
    return q + s;
}

/* q with each actor:NAME the gazetteer knows written actor:ID ("actor:
 * China", actor:"United States"); NULL when there is none to change or
 * memory ran out (q then stands). */
static char *resolve_actors(const struct att_actors *g, const char *q, size_t len,
                            size_t *out_len)
{
    struct att_buf b;
    size_t i = 0, done = 0;
    bool changed = false;
    int rc = ATT_OK;

    att_buf_init(&b, SIZE_MAX / 2);
    while (rc == ATT_OK && i < len) {
        size_t at = i, nlen;
        const char *name, *id;

        if (!actor_at(q, len, i++))
            continue;
        i = at + 6;
        name = actor_value(q, len, &i, &nlen);
        id = nlen > 0 ? att_actors_lookup(g, name, nlen) : NULL;
        if (id == NULL || (strlen(id) == nlen && memcmp(id, name, nlen) == 0))
            continue;
        rc = att_buf_add(&b, q + done, at + 6 - done);
        if (rc == ATT_OK)
            rc = att_buf_add(&b, id, strlen(id));
        done = i;
        changed = true;
    }
    if (rc == ATT_OK && changed)
        rc = att_buf_add(&b, q + done, len - done);
    if (rc != ATT_OK || !changed) {
        att_buf_free(&b);
        return NULL;
    }
    return att_buf_take(&b, out_len);
}

int handle_search(struct worker *w, const struct att_request *req, cJSON *resp,
                  struct reply_info *info, struct att_err *err)
{
    struct att_search s = req->s;
    struct att_result r;
    char *q = NULL;
    int rc;

    /* An actor may be named by an alias: the index holds ids. */
    if (w->actors != NULL && s.actor != NULL && *s.actor != '\0') {
        const char *id = att_actors_lookup(w->actors, s.actor, strlen(s.actor));

        s.actor = id ? id : s.actor;
    }
    if (w->actors != NULL && s.q != NULL)
        q = resolve_actors(w->actors, s.q, s.qlen, &s.qlen);
    s.q = q ? q : s.q;

    s.time_limit_ms = atomic_load(&w->srv->lim.query_time_ms);
    s.max_wildcard = atomic_load(&w->srv->lim.max_wildcard);
    s.spelling = true;
    s.actors = w->actors;
    rc = att_xdb_search(w->db, &s, &r, err); /* ATT_E_MODIFIED: dispatch retries */
    if (rc == ATT_OK) {
        if (r.revision > w->revision)
            w->revision = r.revision;
        render_result(req, &r, resp);
        info->hits = r.n;
    }
    att_result_free(&r);
    free(q);
    return rc;
}
