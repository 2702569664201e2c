/* attache: the passage record (layout in record.h): built once by the
 * indexer, read in place by the daemon for every hit. */
#include <stdlib.h>
#include <string.h>

#include "attache/text.h"
#include "buf.h"
#include "record.h"

#define ABSENT 0xffffffffu
#define NSTR 9                              /* doc .. sig */
#define HEAD (4 + 4 + 8 + 8)                /* version .. end */
#define COUNTS (HEAD + NSTR * 8)            /* where the four counts are */
#define ITEMS (COUNTS + 16)                 /* where the arrays start */
#define FIELD_SZ 16
#define SENT_SZ 8
#define QUOTE_SZ 24
#define ACTOR_SZ 8

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* The record under construction: the fixed part first, strings after. */
struct enc {
    struct att_buf *b;
    size_t base;  /* where the record starts in b */
    size_t heap;  /* bytes of fixed part: strings go after */
    int rc;
};

/* Write string s (n bytes; NULL: absent) as a str at fixed offset at. */
static void put_str(struct enc *e, size_t at, const char *s, size_t n)
{
    size_t off = e->b->len - e->base;

    if (e->rc != ATT_OK)
        return;
    if (s == NULL) {
        put32((unsigned char *)e->b->p + e->base + at, ABSENT);
        put32((unsigned char *)e->b->p + e->base + at + 4, 0);
        return;
    }
    if (off + n >= ABSENT) {
        e->rc = ATT_E_TOOBIG;
        return;
    }
    e->rc = att_buf_add(e->b, s, n);
    if (e->rc != ATT_OK)
        return;
    put32((unsigned char *)e->b->p + e->base + at, (uint32_t)off);
    put32((unsigned char *)e->b->p + e->base + at + 4, (uint32_t)n);
}

static void put_cstr(struct enc *e, size_t at, const char *s)
{
    put_str(e, at, s, s ? strlen(s) : 0);
}

static unsigned char *fixed(struct enc *e, size_t at)
{
    return (unsigned char *)e->b->p + e->base + at;
}

/* The fixed part: header, strings of the document, counts, sentences. */
static void encode_head(struct enc *e, const struct att_rec_in *in, const struct att_spans *s)
{
    const struct att_doc *d = in->doc;
    const char *strs[NSTR - 2] = {d->id,     d->title,  d->date,    d->source,
                                  d->url,    d->author, d->language};
    unsigned char *p = fixed(e, 0);

    p[0] = ATT_REC_VERSION;
    put32(p + 4, in->n);
    put64(p + 8, in->start);
    put64(p + 16, in->end);
    put32(p + COUNTS, (uint32_t)d->nfields);
    put32(p + COUNTS + 4, (uint32_t)s->n);
    put32(p + COUNTS + 8, (uint32_t)in->nquotes);
    put32(p + COUNTS + 12, (uint32_t)in->nactors);
    for (size_t i = 0; i < s->n; i++) {
        size_t at = ITEMS + d->nfields * FIELD_SZ + i * SENT_SZ;

        put32(fixed(e, at), (uint32_t)s->v[i].start);
        put32(fixed(e, at + 4), (uint32_t)s->v[i].end);
    }
    for (size_t i = 0; i < NSTR - 2; i++)
        put_cstr(e, HEAD + i * 8, strs[i]);
    put_str(e, HEAD + (NSTR - 2) * 8, in->text, in->text_len);
    if (in->sig != NULL) {
        unsigned char sig[2 * ATT_SIG_K];

        for (size_t i = 0; i < ATT_SIG_K; i++) {
            sig[2 * i] = (unsigned char)(in->sig->v[i] & 0xff);
            sig[2 * i + 1] = (unsigned char)(in->sig->v[i] >> 8);
        }
        put_str(e, HEAD + (NSTR - 1) * 8, (const char *)sig, sizeof sig);
    } else {
        put_str(e, HEAD + (NSTR - 1) * 8, NULL, 0);
    }
}

/* Further fields, quotations and actors: their fixed entries and strings. */
static void encode_items(struct enc *e, const struct att_rec_in *in, size_t nsent)
{
    const struct att_doc *d = in->doc;
    size_t at = ITEMS;

    for (size_t i = 0; i < d->nfields; i++, at += FIELD_SZ) {
        put_cstr(e, at, d->fields[i].name);
        put_cstr(e, at + 8, d->fields[i].value);
    }
    at += nsent * SENT_SZ;
    for (size_t i = 0; i < in->nquotes; i++, at += QUOTE_SZ) {
        const struct att_quote *q = &in->quotes[i];

        if (e->rc != ATT_OK)
            return;
        put32(fixed(e, at), (uint32_t)(q->start - in->qbase));
        put32(fixed(e, at + 4), (uint32_t)(q->end - in->qbase));
        put_cstr(e, at + 8, q->speaker);
        put_cstr(e, at + 16, q->role);
    }
    for (size_t i = 0; i < in->nactors; i++, at += ACTOR_SZ)
        put_cstr(e, at, in->actors[i]);
}

int att_rec_encode(const struct att_rec_in *in, struct att_buf *out, struct att_err *err)
{
    struct att_spans s = {0};
    struct enc e = {out, out->len, 0, ATT_OK};
    size_t nf = in->doc->nfields;

    if (in->text_len >= ABSENT)
        return att_err_set(err, ATT_E_TOOBIG, "passage over 4 GB");
    e.rc = att_sentences(in->text, in->text_len, &s, err);
    if (e.rc != ATT_OK)
        return e.rc;
    e.heap = ITEMS + nf * FIELD_SZ + s.n * SENT_SZ + in->nquotes * QUOTE_SZ +
             in->nactors * ACTOR_SZ;
    e.rc = att_buf_reserve(out, e.heap);
    if (e.rc == ATT_OK) {
        memset(out->p + out->len, 0, e.heap + 1); /* and the NUL that follows a buffer */
        out->len += e.heap;
        encode_head(&e, in, &s);
        encode_items(&e, in, s.n);
    }
    att_spans_free(&s);
    if (e.rc != ATT_OK) {
        out->len = e.base;
        if (out->p != NULL)
            out->p[out->len] = '\0';
        return att_err_set(err, e.rc, e.rc == ATT_E_NOMEM ? "out of memory"
                                                          : "passage record too big");
    }
    return ATT_OK;
}

/* The str at p of a record of len bytes; false when it points outside. */
static bool str_at(const unsigned char *base, size_t len, const unsigned char *p,
                   struct att_str *s)
{
    uint32_t off = get32(p), n = get32(p + 4);

    if (off == ABSENT) {
        s->p = NULL;
        s->n = 0;
        return true;
    }
    if (off > len || n > len - off)
        return false;
    s->p = (const char *)base + off;
    s->n = n;
    return true;
}

/* Every str and span of the arrays of r lies inside its len bytes. */
static bool items_ok(const struct att_rec *r, size_t len)
{
    struct att_str s;

    for (size_t i = 0; i < r->nfields; i++)
        if (!str_at(r->base, len, r->fields + i * FIELD_SZ, &s) || s.p == NULL ||
            !str_at(r->base, len, r->fields + i * FIELD_SZ + 8, &s) || s.p == NULL)
            return false;
    for (size_t i = 0; i < r->nsentences; i++) {
        struct att_span sp = att_rec_sentence(r, i);

        if (sp.start > sp.end || sp.end > r->text.n)
            return false;
    }
    for (size_t i = 0; i < r->nquotes; i++) {
        const unsigned char *q = r->quotes + i * QUOTE_SZ;

        if (get32(q) > get32(q + 4) || get32(q + 4) > r->text.n ||
            !str_at(r->base, len, q + 8, &s) || !str_at(r->base, len, q + 16, &s))
            return false;
    }
    for (size_t i = 0; i < r->nactors; i++)
        if (!str_at(r->base, len, r->actors + i * ACTOR_SZ, &s) || s.p == NULL)
            return false;
    return true;
}

int att_rec_decode(const char *data, size_t len, struct att_rec *r, struct att_err *err)
{
    const unsigned char *p = (const unsigned char *)data;
    struct att_str *strs[NSTR] = {&r->doc,    &r->title,  &r->date,     &r->source,
                                  &r->url,    &r->author, &r->language, &r->text,
                                  &r->sig};
    uint64_t need = ITEMS;

    memset(r, 0, sizeof *r);
    if (len < ITEMS || p[0] != ATT_REC_VERSION)
        return att_err_set(err, ATT_E_CORRUPT, "not a passage record of version %d",
                           ATT_REC_VERSION);
    r->base = p;
    r->n = get32(p + 4);
    r->start = get64(p + 8);
    r->end = get64(p + 16);
    for (size_t i = 0; i < NSTR; i++)
        if (!str_at(p, len, p + HEAD + i * 8, strs[i]))
            return att_err_set(err, ATT_E_CORRUPT, "passage record: string out of bounds");
    r->nfields = get32(p + COUNTS);
    r->nsentences = get32(p + COUNTS + 4);
    r->nquotes = get32(p + COUNTS + 8);
    r->nactors = get32(p + COUNTS + 12);
    need += (uint64_t)r->nfields * FIELD_SZ + (uint64_t)r->nsentences * SENT_SZ +
            (uint64_t)r->nquotes * QUOTE_SZ + (uint64_t)r->nactors * ACTOR_SZ;
    if (need > len || r->doc.p == NULL || r->text.p == NULL ||
        (r->sig.p != NULL && r->sig.n != 2 * ATT_SIG_K))
        return att_err_set(err, ATT_E_CORRUPT, "passage record: truncated");
    r->fields = p + ITEMS;
    r->sentences = r->fields + r->nfields * FIELD_SZ;
    r->quotes = r->sentences + r->nsentences * SENT_SZ;
    r->actors = r->quotes + r->nquotes * QUOTE_SZ;
    if (!items_ok(r, len))
        return att_err_set(err, ATT_E_CORRUPT, "passage record: item out of bounds");
    return ATT_OK;
}

/* Strings were checked by att_rec_decode: these only read them. */
static struct att_str str_of(const struct att_rec *r, const unsigned char *p)
{
    struct att_str s = {NULL, 0};
    uint32_t off = get32(p);

    if (off != ABSENT) {
        s.p = (const char *)r->base + off;
        s.n = get32(p + 4);
    }
    return s;
}

void att_rec_field(const struct att_rec *r, size_t i, struct att_str *name,
                   struct att_str *value)
{
    *name = str_of(r, r->fields + i * FIELD_SZ);
    *value = str_of(r, r->fields + i * FIELD_SZ + 8);
}

struct att_span att_rec_sentence(const struct att_rec *r, size_t i)
{
    const unsigned char *p = r->sentences + i * SENT_SZ;
    struct att_span s = {get32(p), get32(p + 4)};

    return s;
}

void att_rec_quote(const struct att_rec *r, size_t i, struct att_rec_quote *q)
{
    const unsigned char *p = r->quotes + i * QUOTE_SZ;

    q->start = get32(p);
    q->end = get32(p + 4);
    q->speaker = str_of(r, p + 8);
    q->role = str_of(r, p + 16);
}

struct att_str att_rec_actor(const struct att_rec *r, size_t i)
{
    return str_of(r, r->actors + i * ACTOR_SZ);
}

int att_rec_sentences(const struct att_rec *r, struct att_span *stack, size_t cap,
                      struct att_spans *out)
{
    struct att_span *v = stack;

    if (r->nsentences > cap) {
        v = malloc(r->nsentences * sizeof *v);
        if (v == NULL)
            return ATT_E_NOMEM;
    }
    for (size_t i = 0; i < r->nsentences; i++)
        v[i] = att_rec_sentence(r, i);
    out->v = v;
    out->n = r->nsentences;
    out->cap = r->nsentences;
    return ATT_OK;
}

void att_rec_sentences_done(struct att_spans *s, const struct att_span *stack)
{
    if (s->v != stack)
        free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

bool att_rec_sig(const struct att_rec *r, struct att_sig *sig)
{
    const unsigned char *p = (const unsigned char *)r->sig.p;

    if (p == NULL)
        return false;
    for (size_t i = 0; i < ATT_SIG_K; i++)
        sig->v[i] = (uint16_t)(p[2 * i] | p[2 * i + 1] << 8);
    return true;
}
