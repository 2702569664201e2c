/* attache: libFuzzer target for the passage record (lib/record.c). The
 * input is decoded as a record: when accepted, every accessor must stay
 * inside it and every span inside the text. Then the input is cut into the
 * strings of a record, which must encode, decode and read back unchanged. */
#include "fuzz.h"

#include "buf.h"
#include "record.h"

/* s lies inside data[0..size) (an absent string has no length). */
static bool inside(const char *data, size_t size, struct att_str s)
{
    if (s.p == NULL)
        return s.n == 0;
    return s.p >= data && s.n <= size && (size_t)(s.p - data) <= size - s.n;
}

static volatile unsigned sink;

/* Read every byte of s, so that a sanitizer sees any read out of bounds. */
static void touch(struct att_str s)
{
    unsigned sum = 0;

    for (size_t i = 0; i < s.n; i++)
        sum += (unsigned char)s.p[i];
    sink += sum;
}

static void check_str(const char *data, size_t size, struct att_str s, bool needed)
{
    FUZZ_CHECK(inside(data, size, s));
    FUZZ_CHECK(!needed || s.p != NULL);
    touch(s);
}

/* The items of an accepted record: fields, sentences, quotes, actors. */
static void check_items(const char *data, size_t size, const struct att_rec *r)
{
    for (size_t i = 0; i < r->nfields; i++) {
        struct att_str name, value;

        att_rec_field(r, i, &name, &value);
        check_str(data, size, name, true);
        check_str(data, size, value, true);
    }
    for (size_t i = 0; i < r->nsentences; i++) {
        struct att_span s = att_rec_sentence(r, i);

        FUZZ_CHECK(s.start <= s.end && s.end <= r->text.n);
    }
    for (size_t i = 0; i < r->nquotes; i++) {
        struct att_rec_quote q;

        att_rec_quote(r, i, &q);
        FUZZ_CHECK(q.start <= q.end && q.end <= r->text.n);
        check_str(data, size, q.speaker, false);
        check_str(data, size, q.role, false);
    }
    for (size_t i = 0; i < r->nactors; i++)
        check_str(data, size, att_rec_actor(r, i), true);
}

/* The sentence array, through a small stack array and past it. */
static void check_sentence_array(const struct att_rec *r)
{
    struct att_span stack[4];
    struct att_spans s;

    FUZZ_CHECK(att_rec_sentences(r, stack, 4, &s) == ATT_OK);
    FUZZ_CHECK(s.n == r->nsentences && (s.v == stack) == (r->nsentences <= 4));
    for (size_t i = 0; i < s.n; i++) {
        struct att_span want = att_rec_sentence(r, i);

        FUZZ_CHECK(s.v[i].start == want.start && s.v[i].end == want.end);
    }
    att_rec_sentences_done(&s, stack);
    FUZZ_CHECK(s.v == NULL && s.n == 0);
}

/* Decode data[0..size); when it is accepted, walk all of it. Returns the
 * status of att_rec_decode. */
static int walk(const char *data, size_t size, struct att_rec *r)
{
    struct att_err err = {0, ""};
    struct att_str strs[9];
    struct att_sig sig;
    int rc = att_rec_decode(data, size, r, &err);

    if (rc != ATT_OK) {
        FUZZ_CHECK(rc == ATT_E_CORRUPT && err.code == ATT_E_CORRUPT);
        FUZZ_CHECK(memchr(err.msg, '\0', sizeof err.msg) != NULL && err.msg[0] != '\0');
        return rc;
    }
    FUZZ_CHECK((const char *)r->base == data);
    strs[0] = r->doc, strs[1] = r->title, strs[2] = r->date, strs[3] = r->source;
    strs[4] = r->url, strs[5] = r->author, strs[6] = r->language, strs[7] = r->text;
    strs[8] = r->sig;
    for (size_t i = 0; i < 9; i++)
        check_str(data, size, strs[i], i == 0 || i == 7);
    FUZZ_CHECK(r->sig.p == NULL || r->sig.n == 2 * ATT_SIG_K);
    FUZZ_CHECK(att_rec_sig(r, &sig) == (r->sig.p != NULL));
    for (size_t i = 0; r->sig.p != NULL && i < ATT_SIG_K; i++)
        FUZZ_CHECK(sig.v[i] == ((unsigned char)r->sig.p[2 * i] |
                                (unsigned char)r->sig.p[2 * i + 1] << 8));
    check_items(data, size, r);
    check_sentence_array(r);
    return rc;
}

/* A record built from the input: byte 0 says what is present, bytes 1 and
 * 2 place a quotation, the rest is cut at NUL bytes into the strings. */
enum { P_ID, P_TITLE, P_DATE, P_SOURCE, P_URL, P_AUTHOR, P_LANG, P_TEXT, P_FNAME, P_FVALUE,
       P_SPEAKER, P_ROLE, P_ACTOR, NPIECES };

struct built {
    char *copy;                /* the input past byte 2, NUL-terminated */
    const char *piece[NPIECES]; /* NULL: not in the input */
    struct att_doc doc;        /* its strings borrow from copy, its fields are its own */
    struct att_quote quote;
    const char *actor;
    struct att_sig sig;
    struct att_rec_in in;
};

static void cut(struct built *b, const uint8_t *data, size_t size)
{
    size_t len = size - 3, at = 0;
    uint8_t flags = data[0];

    b->copy = fuzz_cstr(data + 3, len);
    for (size_t k = 0; k < NPIECES && at <= len; k++) {
        b->piece[k] = b->copy + at;
        at += strlen(b->copy + at) + 1;
    }
    att_doc_init(&b->doc);
    b->doc.id = (char *)(b->piece[P_ID] ? b->piece[P_ID] : "");
    b->doc.title = (char *)b->piece[P_TITLE];
    b->doc.date = (char *)b->piece[P_DATE];
    b->doc.source = (char *)b->piece[P_SOURCE];
    b->doc.url = (char *)b->piece[P_URL];
    b->doc.author = (char *)b->piece[P_AUTHOR];
    b->doc.language = (char *)b->piece[P_LANG];
    if ((flags & 1) && b->piece[P_FNAME] != NULL)
        FUZZ_CHECK(att_doc_set_field(&b->doc, b->piece[P_FNAME],
                                     b->piece[P_FVALUE] ? b->piece[P_FVALUE] : "") == ATT_OK);
    b->in.doc = &b->doc;
    b->in.text = b->piece[P_TEXT] ? b->piece[P_TEXT] : "";
    b->in.text_len = strlen(b->in.text);
    b->in.n = (unsigned)data[1] << 24 | data[2];
    b->in.start = (size_t)data[1] << 33 | data[2];
    b->in.end = b->in.start + b->in.text_len;
    if (flags & 2) {
        size_t s = data[1] % (b->in.text_len + 1), e = data[2] % (b->in.text_len + 1);

        b->in.qbase = (size_t)flags << 4;
        b->quote.start = b->in.qbase + (s < e ? s : e);
        b->quote.end = b->in.qbase + (s < e ? e : s);
        b->quote.speaker = (char *)b->piece[P_SPEAKER];
        b->quote.role = (char *)b->piece[P_ROLE];
        b->in.quotes = &b->quote;
        b->in.nquotes = 1;
    }
    b->actor = b->piece[P_ACTOR];
    b->in.actors = &b->actor;
    b->in.nactors = (flags & 4) && b->actor != NULL;
    if ((flags & 8) && att_sig_make(b->in.text, b->in.text_len, &b->sig))
        b->in.sig = &b->sig;
}

static void free_built(struct built *b)
{
    for (size_t i = 0; i < b->doc.nfields; i++) {
        free(b->doc.fields[i].name);
        free(b->doc.fields[i].value);
    }
    free(b->doc.fields);
    free(b->copy);
}

static bool same(struct att_str s, const char *want)
{
    if (want == NULL)
        return s.p == NULL && s.n == 0;
    return s.p != NULL && s.n == strlen(want) && memcmp(s.p, want, s.n) == 0;
}

/* The decoded r holds what b was built from. */
static void compare(const struct built *b, const struct att_rec *r)
{
    const struct att_doc *d = &b->doc;
    struct att_spans want = {NULL, 0, 0};
    struct att_sig sig;

    FUZZ_CHECK(same(r->doc, d->id) && same(r->title, d->title) && same(r->date, d->date));
    FUZZ_CHECK(same(r->source, d->source) && same(r->url, d->url));
    FUZZ_CHECK(same(r->author, d->author) && same(r->language, d->language));
    FUZZ_CHECK(same(r->text, b->in.text));
    FUZZ_CHECK(r->n == b->in.n && r->start == b->in.start && r->end == b->in.end);
    FUZZ_CHECK(r->nfields == d->nfields && r->nquotes == b->in.nquotes);
    FUZZ_CHECK(r->nactors == b->in.nactors);
    for (size_t i = 0; i < r->nfields; i++) {
        struct att_str name, value;

        att_rec_field(r, i, &name, &value);
        FUZZ_CHECK(same(name, d->fields[i].name) && same(value, d->fields[i].value));
    }
    for (size_t i = 0; i < r->nquotes; i++) {
        struct att_rec_quote q;

        att_rec_quote(r, i, &q);
        FUZZ_CHECK(q.start == b->quote.start - b->in.qbase);
        FUZZ_CHECK(q.end == b->quote.end - b->in.qbase);
        FUZZ_CHECK(same(q.speaker, b->quote.speaker) && same(q.role, b->quote.role));
    }
    for (size_t i = 0; i < r->nactors; i++)
        FUZZ_CHECK(same(att_rec_actor(r, i), b->actor));
    FUZZ_CHECK(att_rec_sig(r, &sig) == (b->in.sig != NULL));
    FUZZ_CHECK(b->in.sig == NULL || memcmp(&sig, b->in.sig, sizeof sig) == 0);
    FUZZ_CHECK(att_sentences(b->in.text, b->in.text_len, &want, NULL) == ATT_OK);
    FUZZ_CHECK(r->nsentences == want.n);
    for (size_t i = 0; i < want.n; i++) {
        struct att_span s = att_rec_sentence(r, i);

        FUZZ_CHECK(s.start == want.v[i].start && s.end == want.v[i].end);
    }
    att_spans_free(&want);
}

/* Encode b twice into one buffer (the second with another number), then
 * decode each from an exact-size copy and compare. */
static void round_trip(struct built *b)
{
    struct att_err err = {0, ""};
    struct att_buf out;
    unsigned n0 = b->in.n;
    size_t mid;

    att_buf_init(&out, 1 << 24);
    FUZZ_CHECK(att_rec_encode(&b->in, &out, &err) == ATT_OK);
    mid = out.len;
    b->in.n++;
    FUZZ_CHECK(att_rec_encode(&b->in, &out, &err) == ATT_OK);
    FUZZ_CHECK(out.p[out.len] == '\0');
    for (int k = 0; k < 2; k++) {
        size_t from = k == 0 ? 0 : mid, to = k == 0 ? mid : out.len;
        char *copy = malloc(to - from);
        struct att_rec r;

        FUZZ_CHECK(copy != NULL);
        memcpy(copy, out.p + from, to - from);
        FUZZ_CHECK(walk(copy, to - from, &r) == ATT_OK);
        b->in.n = n0 + (unsigned)k;
        compare(b, &r);
        free(copy);
    }
    att_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct att_rec r;
    struct built b;

    walk((const char *)data, size, &r);
    if (size < 3)
        return 0;
    memset(&b, 0, sizeof b);
    cut(&b, data, size);
    round_trip(&b);
    free_built(&b);
    return 0;
}
