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
#include "jsonw.h"
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
static void explain_term(struct att_jw *w, const struct att_explain_term *t)
{
    att_jw_obj(w, NULL);
    att_jw_str(w, "term", t->term);
    att_jw_str(w, "where", t->where);
    att_jw_bool(w, "expansion", t->expansion);
    if (t->expansion) {
        att_jw_str(w, "from", t->from ? t->from : "");
        att_jw_str(w, "kind", t->kind);
    }
    att_jw_end_obj(w);
}

/* {"parts": [{"where","words","terms","weight"}, ...]}: empty when the
 * search had nothing to say (ex NULL). */
static void render_explain(struct att_jw *w, const struct att_explain *ex)
{
    att_jw_obj(w, "explain");
    att_jw_arr(w, "parts");
    for (size_t k = 0; ex != NULL && k < ex->n; k++) {
        const struct att_explain_part *p = &ex->parts[k];

        att_jw_obj(w, NULL);
        att_jw_str(w, "where", p->where);
        att_jw_arr(w, "words");
        for (size_t j = 0; j < p->nwords; j++)
            att_jw_str(w, NULL, p->words[j]);
        att_jw_end_arr(w);
        att_jw_arr(w, "terms");
        for (size_t j = 0; j < p->nterms; j++)
            explain_term(w, &p->terms[j]);
        att_jw_end_arr(w);
        att_jw_real(w, "weight", p->weight);
        att_jw_end_obj(w);
    }
    att_jw_end_arr(w);
    att_jw_end_obj(w);
}

/* What the hits of one response share: the query's matchers and the
 * buffers reused from hit to hit. */
struct hits_ctx {
    const struct att_request *req;
    const struct att_result *r;
    struct word_ctx word;
    struct att_matcher m;
    struct att_phrases ph;
    struct att_spans matches, scratch;
};

#define STACK_SENTENCES 64

/* The matches of hit i's text into c->matches and its snippet (malloc'd;
 * NULL when not asked for or out of memory). */
static char *highlight(struct hits_ctx *c, const struct att_rec *rec)
{
    const struct att_request *req = c->req;
    struct att_snippet_opts so = {req->pre, req->post, req->snippet_len, "\xE2\x80\xA6"};
    struct att_span stack[STACK_SENTENCES];
    struct att_spans sents;
    char *snippet = NULL;

    c->matches.n = 0;
    if ((req->fields & (ATT_HF_SNIPPET | ATT_HF_MATCHES)) == 0 ||
        att_rec_sentences(rec, stack, STACK_SENTENCES, &sents) != ATT_OK)
        return NULL;
    att_match_phrase_spans_in(rec->text.p, rec->text.n, &sents, &c->m, &c->ph, &c->matches,
                              NULL);
    if (req->fields & ATT_HF_SNIPPET)
        snippet = att_snippet_in(rec->text.p, rec->text.n, &sents, &c->matches, &so);
    att_rec_sentences_done(&sents, stack);
    return snippet;
}

/* Hit i, with the members the request asks for; nothing when its record
 * cannot be read. */
static void render_hit(struct att_jw *w, struct hits_ctx *c, size_t i)
{
    const struct att_hit *h = &c->r->hits[i];
    unsigned f = c->req->fields;
    struct att_rec rec;
    char *snippet;

    if (att_rec_decode(h->data, h->len, &rec, NULL) != ATT_OK)
        return;
    c->word.hit = i;
    snippet = highlight(c, &rec);
    att_jw_obj(w, NULL);
    if (f & ATT_HF_RANK)
        att_jw_int(w, "rank", h->rank);
    if (f & ATT_HF_SCORE)
        att_jw_real(w, "score", h->score);
    if (f & ATT_HF_DOC)
        render_doc(w, "doc", &rec, f);
    if (f & ATT_HF_PASSAGE)
        render_passage(w, "passage", &rec, f, false);
    if (f & ATT_HF_SNIPPET)
        att_jw_str(w, "snippet", snippet ? snippet : "");
    if (f & ATT_HF_MATCHES)
        render_spans(w, "matches", &c->matches);
    if (f & ATT_HF_QUOTES)
        render_quotes(w, "quotes", &rec, &c->m, &c->ph, &c->scratch);
    if (f & ATT_HF_EXPLAIN)
        render_explain(w, c->r->explain ? &c->r->explain[i] : NULL);
    if ((f & ATT_HF_DUPLICATES) && (h->ndups > 0 || c->req->has_fields)) {
        render_dups(w, "duplicates", h->dups, h->ndups);
        if (h->dups_total > h->ndups)
            att_jw_int(w, "duplicates_total", h->dups_total);
    }
    att_jw_end_obj(w);
    free(snippet);
}

static void render_hits(struct att_jw *w, const struct att_request *req,
                        const struct att_result *r)
{
    struct hits_ctx c = {.req = req, .r = r, .word = {r, 0, true}};

    c.m = (struct att_matcher){match_word, &c.word};
    c.ph = (struct att_phrases){att_result_nphrases(r), phrase_len, match_phrase, &c.word};
    att_jw_arr(w, "hits");
    for (size_t i = 0; i < r->n; i++)
        render_hit(w, &c, i);
    att_jw_end_arr(w);
    att_spans_free(&c.matches);
    att_spans_free(&c.scratch);
}

static void add_facet(struct att_jw *w, const char *name, const struct att_count *v, size_t n)
{
    att_jw_obj(w, name);
    for (size_t i = 0; i < n; i++)
        att_jw_int_k(w, v[i].value, strlen(v[i].value), v[i].count);
    att_jw_end_obj(w);
}

static void render_result(struct att_jw *w, const struct att_request *req,
                          const struct att_result *r)
{
    att_jw_int(w, "revision", (long long)r->revision);
    att_jw_obj(w, "total");
    att_jw_int(w, "estimate", r->estimate);
    att_jw_int(w, "lower", r->lower);
    att_jw_int(w, "upper", r->upper);
    att_jw_end_obj(w);
    att_jw_bool(w, "relaxed", r->relaxed);
    if (r->partial || r->nmissing > 0)
        att_jw_bool(w, "partial", true);
    if (r->nmissing > 0) {
        att_jw_arr(w, "missing");
        for (size_t i = 0; i < r->nmissing; i++)
            att_jw_str(w, NULL, r->missing[i]);
        att_jw_end_arr(w);
    }
    render_hits(w, req, r);
    if (r->spelling)
        att_jw_str(w, "spelling", r->spelling);
    if (req->s.facets) {
        att_jw_obj(w, "facets");
        for (int k = 0; k < ATT_FACET_COUNT; k++)
            add_facet(w, att_facet_name((enum att_facet)k), r->facets[k].v, r->facets[k].n);
        att_jw_end_obj(w);
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

int handle_search(struct worker *w, const struct att_request *req, struct reply *rp,
                  struct att_err *err)
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
        reply_begin(rp);
        render_result(rp->jw, req, &r);
        rp->hits = r.n;
    }
    att_result_free(&r);
    free(q);
    return rc;
}
