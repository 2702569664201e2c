/* attached: passage records into response members, read in place and
 * printed by the JSON writer: nothing is parsed or copied per hit. */
#include <string.h>

#include "protocol.h"
#include "render.h"

/* name: s, or null when the record does not have it. */
static void put(struct att_jw *w, const char *name, struct att_str s)
{
    if (s.p != NULL)
        att_jw_strn(w, name, s.p, s.n);
    else
        att_jw_null(w, name);
}

void render_doc(struct att_jw *w, const char *key, const struct att_rec *r, unsigned mask)
{
    att_jw_obj(w, key);
    if (mask & ATT_HF_DOC_ID)
        put(w, "id", r->doc);
    if (mask & ATT_HF_DOC_TITLE)
        put(w, "title", r->title);
    if (mask & ATT_HF_DOC_DATE)
        put(w, "date", r->date);
    if (mask & ATT_HF_DOC_SOURCE)
        put(w, "source", r->source);
    if (mask & ATT_HF_DOC_URL)
        put(w, "url", r->url);
    if (mask & ATT_HF_DOC_AUTHOR)
        put(w, "author", r->author);
    if (mask & ATT_HF_DOC_LANGUAGE)
        put(w, "language", r->language);
    if (mask & ATT_HF_DOC_FIELDS) {
        att_jw_obj(w, "fields");
        for (size_t i = 0; i < r->nfields; i++) {
            struct att_str name, value;

            att_rec_field(r, i, &name, &value);
            att_jw_strn_k(w, name.p, name.n, value.p, value.n);
        }
        att_jw_end_obj(w);
    }
    att_jw_end_obj(w);
}

void render_passage(struct att_jw *w, const char *key, const struct att_rec *r, unsigned mask,
                    bool quotes)
{
    att_jw_obj(w, key);
    if (mask & ATT_HF_P_N)
        att_jw_int(w, "n", r->n);
    if (mask & ATT_HF_P_START)
        att_jw_int(w, "start", (long long)r->start);
    if (mask & ATT_HF_P_END)
        att_jw_int(w, "end", (long long)r->end);
    if (mask & ATT_HF_P_TEXT)
        put(w, "text", r->text);
    if (mask & ATT_HF_P_ACTORS) {
        att_jw_arr(w, "actors");
        for (size_t i = 0; i < r->nactors; i++) {
            struct att_str a = att_rec_actor(r, i);

            att_jw_strn(w, NULL, a.p, a.n);
        }
        att_jw_end_arr(w);
    }
    if (quotes)
        render_quotes(w, "quotes", r, NULL, NULL, NULL);
    att_jw_end_obj(w);
}

void render_spans(struct att_jw *w, const char *key, const struct att_spans *s)
{
    att_jw_arr(w, key);
    for (size_t i = 0; i < s->n; i++) {
        att_jw_arr(w, NULL);
        att_jw_int(w, NULL, (long long)s->v[i].start);
        att_jw_int(w, NULL, (long long)s->v[i].end);
        att_jw_end_arr(w);
    }
    att_jw_end_arr(w);
}

/* One quotation, its matches found with m (NULL: none). */
static void render_quote(struct att_jw *w, const struct att_rec *r, size_t i,
                         const struct att_matcher *m, const struct att_phrases *ph,
                         struct att_spans *spans)
{
    struct att_rec_quote q;
    const char *qt;
    size_t qlen;

    att_rec_quote(r, i, &q);
    qt = r->text.p + q.start;
    qlen = q.end - q.start;
    att_jw_obj(w, NULL);
    att_jw_strn(w, "text", qt, qlen);
    put(w, "speaker", q.speaker);
    put(w, "role", q.role);
    att_jw_int(w, "start", (long long)q.start);
    att_jw_int(w, "end", (long long)q.end);
    if (spans != NULL)
        spans->n = 0;
    if (m != NULL && spans != NULL &&
        att_match_phrase_spans(qt, qlen, m, ph, spans, NULL) == ATT_OK) {
        render_spans(w, "matches", spans);
    } else {
        att_jw_arr(w, "matches");
        att_jw_end_arr(w);
    }
    att_jw_end_obj(w);
}

void render_quotes(struct att_jw *w, const char *key, const struct att_rec *r,
                   const struct att_matcher *m, const struct att_phrases *ph,
                   struct att_spans *spans)
{
    att_jw_arr(w, key);
    for (size_t i = 0; i < r->nquotes; i++)
        render_quote(w, r, i, m, ph, spans);
    att_jw_end_arr(w);
}

void render_dups(struct att_jw *w, const char *key, const struct att_dup *dups, size_t ndups)
{
    att_jw_arr(w, key);
    for (size_t i = 0; i < ndups; i++) {
        att_jw_obj(w, NULL);
        att_jw_str(w, "doc", dups[i].doc);
        att_jw_int(w, "passage", dups[i].passage);
        att_jw_end_obj(w);
    }
    att_jw_end_arr(w);
}
