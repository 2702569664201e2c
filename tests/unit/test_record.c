/* Unit tests of the passage record (lib/record.c): what is encoded reads
 * back through every accessor, records appended to one buffer decode one by
 * one, and damaged records (truncated, wrong version, strings, counts and
 * spans pointing outside) are refused. Records are decoded from copies of
 * their exact size, so a sanitizer build catches any read past the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "attache/text.h"
#include "buf.h"
#include "record.h"

/* The layout of record.h, written out again so that the tests check it. */
#define L_STR(i) (24 + 8 * (i)) /* doc, title, .., text, sig: i = 0..8 */
#define L_TEXT L_STR(7)
#define L_SIG L_STR(8)
#define L_COUNT(i) (96 + 4 * (i)) /* nfields, nsentences, nquotes, nactors */
#define L_ITEMS 112
#define L_FIELD 16
#define L_SENT 8
#define L_QUOTE 24
#define L_ACTOR 8
#define ABSENT 0xffffffffu

static const char intro[] = "Briefing of 24 November.\n\n";
static const char passage[] =
    "The minister spoke to reporters on Tuesday. \"We will not accept this proposal in "
    "any form,\" Foreign Minister Wang Yi said. Officials in Paris were more cautious! "
    "\"It is too early to judge the outcome,\" a spokesman added. Talks resume in May.";

struct fx {
    struct att_doc doc;
    char *body;         /* intro then passage: quotes are offsets in it */
    struct att_quote q[2];
    const char *actors[2];
    struct att_sig sig;
    struct att_rec_in in;
    struct att_buf b;   /* the encoded record(s) */
    char *copy;         /* an exact-size copy being decoded */
    size_t copy_len;
    struct att_err err;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);

    if (f == NULL)
        return -1;
    att_doc_init(&f->doc);
    att_buf_init(&f->b, 1 << 20);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    att_doc_clear(&f->doc);
    free(f->body);
    att_buf_free(&f->b);
    free(f->copy);
    free(f);
    return 0;
}

static uint32_t get32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;

    return (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
}

static void put32(char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (char)(v >> (8 * i));
}

/* Quotation i spans the words between the i-th pair of straight quotes of
 * the passage, as offsets in the body. */
static struct att_quote quote_in(const char *body, size_t qbase, int i)
{
    const char *open = body + qbase;
    struct att_quote q = {0, 0, NULL, NULL};

    for (int k = 0; k <= i; k++) {
        open = strchr(open, '"') + 1;
        q.start = (size_t)(open - body);
        open = strchr(open, '"');
        q.end = (size_t)(open - body);
        open++;
    }
    return q;
}

/* The full record: every metadata string, three further fields (one of
 * them empty), two quotes (one without speaker), two actors, a signature,
 * and offsets past 4 GB. Encoded into f->b. */
static void encode_full(struct fx *f)
{
    struct att_doc *d = &f->doc;
    size_t qbase = strlen(intro);

    d->id = strdup("speeches/2025-11-24-briefing.txt");
    d->title = strdup("Regular press conference");
    d->date = strdup("2025-11-24");
    d->source = strdup("Ministry of Foreign Affairs");
    d->url = strdup("https://example.org/briefings/1124");
    d->author = strdup("Mao Ning");
    d->language = strdup("en");
    assert_int_equal(att_doc_set_field(d, "venue", "Beijing"), ATT_OK);
    assert_int_equal(att_doc_set_field(d, "party", "n/a"), ATT_OK);
    assert_int_equal(att_doc_set_field(d, "empty", ""), ATT_OK);
    assert_int_equal(asprintf(&f->body, "%s%s", intro, passage), (int)(qbase + strlen(passage)));
    f->q[0] = quote_in(f->body, qbase, 0);
    f->q[0].speaker = "Wang Yi";
    f->q[0].role = "Foreign Minister";
    f->q[1] = quote_in(f->body, qbase, 1);
    f->actors[0] = "Wang Yi";
    f->actors[1] = "France";
    assert_true(att_sig_make(passage, strlen(passage), &f->sig));
    f->in = (struct att_rec_in){d, 7, 5000000000u, 5000000000u + strlen(passage),
                                f->body + qbase, strlen(passage), f->q, 2, qbase,
                                f->actors, 2, &f->sig};
    assert_int_equal(att_rec_encode(&f->in, &f->b, &f->err), ATT_OK);
}

/* The smallest record: an id and a text, nothing else. */
static void encode_min(struct fx *f, const char *id, const char *text)
{
    f->doc.id = strdup(id);
    f->in = (struct att_rec_in){&f->doc, 0, 0, strlen(text), text, strlen(text), NULL, 0, 0,
                                NULL, 0, NULL};
    assert_int_equal(att_rec_encode(&f->in, &f->b, &f->err), ATT_OK);
}

/* Decode an exact-size copy of p[0..n) (replacing f->copy). */
static int decode_copy(struct fx *f, const char *p, size_t n, struct att_rec *r)
{
    free(f->copy);
    f->copy = malloc(n > 0 ? n : 1);
    f->copy_len = n;
    assert_non_null(f->copy);
    if (n > 0)
        memcpy(f->copy, p, n);
    f->err.code = ATT_OK;
    f->err.msg[0] = '\0';
    return att_rec_decode(f->copy, n, r, &f->err);
}

/* A damaged record must be refused, with a message. */
static void expect_corrupt(struct fx *f, const char *p, size_t n)
{
    struct att_rec r;

    assert_int_equal(decode_copy(f, p, n, &r), ATT_E_CORRUPT);
    assert_int_equal(f->err.code, ATT_E_CORRUPT);
    assert_true(f->err.msg[0] != '\0');
}

static void assert_str(struct att_str s, const char *want)
{
    if (want == NULL) {
        assert_null(s.p);
        assert_int_equal(s.n, 0);
        return;
    }
    assert_non_null(s.p);
    assert_int_equal(s.n, strlen(want));
    assert_memory_equal(s.p, want, s.n);
}

/* Every string of r lies inside the copy it was decoded from. */
static void assert_inside(const struct fx *f, struct att_str s)
{
    if (s.p != NULL) {
        assert_true(s.p >= f->copy);
        assert_true(s.p + s.n <= f->copy + f->copy_len);
    }
}

/* The sentences of r are those att_sentences finds in its text. */
static void check_sentences(const struct att_rec *r, const char *text, size_t len)
{
    struct att_spans want = {0};

    assert_int_equal(att_sentences(text, len, &want, NULL), ATT_OK);
    assert_int_equal(r->nsentences, want.n);
    for (size_t i = 0; i < want.n; i++) {
        struct att_span s = att_rec_sentence(r, i);

        assert_int_equal(s.start, want.v[i].start);
        assert_int_equal(s.end, want.v[i].end);
    }
    att_spans_free(&want);
}

static void check_full_meta(struct fx *f, const struct att_rec *r)
{
    struct att_str strs[] = {r->doc, r->title, r->date, r->source, r->url, r->author,
                             r->language, r->text, r->sig};
    const char *want[] = {f->doc.id, f->doc.title, f->doc.date, f->doc.source, f->doc.url,
                          f->doc.author, f->doc.language, passage};

    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        assert_str(strs[i], want[i]);
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        assert_inside(f, strs[i]);
    assert_int_equal(r->n, 7);
    assert_int_equal(r->start, 5000000000u);
    assert_int_equal(r->end, 5000000000u + strlen(passage));
    assert_int_equal(r->nfields, 3);
    for (size_t i = 0; i < r->nfields; i++) {
        struct att_str name, value;

        att_rec_field(r, i, &name, &value);
        assert_str(name, f->doc.fields[i].name);
        assert_str(value, f->doc.fields[i].value);
    }
}

static void test_full(void **state)
{
    struct fx *f = *state;
    struct att_rec r;
    struct att_sig sig;

    encode_full(f);
    assert_int_equal(decode_copy(f, f->b.p, f->b.len, &r), ATT_OK);
    assert_ptr_equal(r.base, f->copy);
    check_full_meta(f, &r);
    check_sentences(&r, passage, strlen(passage));
    assert_true(r.nsentences >= 5);
    assert_int_equal(r.nquotes, 2);
    for (size_t i = 0; i < r.nquotes; i++) {
        struct att_rec_quote q;

        att_rec_quote(&r, i, &q);
        assert_int_equal(q.start, f->q[i].start - strlen(intro));
        assert_int_equal(q.end, f->q[i].end - strlen(intro));
        assert_str(q.speaker, f->q[i].speaker);
        assert_str(q.role, f->q[i].role);
    }
    assert_memory_equal(r.text.p + f->q[1].start - strlen(intro), "It is too early", 15);
    assert_int_equal(r.nactors, 2);
    assert_str(att_rec_actor(&r, 0), "Wang Yi");
    assert_str(att_rec_actor(&r, 1), "France");
    memset(&sig, 0xee, sizeof sig);
    assert_true(att_rec_sig(&r, &sig));
    assert_memory_equal(&sig, &f->sig, sizeof sig);
    assert_int_equal(r.sig.n, 2 * ATT_SIG_K);
}

static void test_minimal(void **state)
{
    struct fx *f = *state;
    struct att_rec r;
    struct att_sig sig;

    encode_min(f, "a.txt", "One sentence. And another one here.");
    assert_int_equal(decode_copy(f, f->b.p, f->b.len, &r), ATT_OK);
    assert_str(r.doc, "a.txt");
    assert_str(r.text, "One sentence. And another one here.");
    assert_str(r.title, NULL);
    assert_str(r.date, NULL);
    assert_str(r.source, NULL);
    assert_str(r.url, NULL);
    assert_str(r.author, NULL);
    assert_str(r.language, NULL);
    assert_str(r.sig, NULL);
    assert_false(att_rec_sig(&r, &sig));
    assert_int_equal(r.nfields, 0);
    assert_int_equal(r.nquotes, 0);
    assert_int_equal(r.nactors, 0);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.start, 0);
    assert_int_equal(r.end, strlen("One sentence. And another one here."));
    check_sentences(&r, r.text.p, r.text.n);
    assert_int_equal(r.nsentences, 2);
}

/* An empty text and an empty id are present, not absent. */
static void test_empty_text(void **state)
{
    struct fx *f = *state;
    struct att_rec r;

    encode_min(f, "", "");
    assert_int_equal(decode_copy(f, f->b.p, f->b.len, &r), ATT_OK);
    assert_non_null(r.text.p);
    assert_int_equal(r.text.n, 0);
    assert_non_null(r.doc.p);
    assert_int_equal(r.doc.n, 0);
    assert_int_equal(r.nsentences, 0);
    assert_true(r.text.p <= f->copy + f->b.len);
}

/* att_rec_encode appends: each record decodes from where it starts. */
static void test_appended(void **state)
{
    struct fx *f = *state;
    const char *texts[] = {"First passage. It has two sentences.", "", "Third one."};
    size_t at[4];
    struct att_doc docs[3];

    for (size_t i = 0; i < 3; i++) {
        char id[16];

        att_doc_init(&docs[i]);
        snprintf(id, sizeof id, "doc-%zu", i);
        docs[i].id = strdup(id);
        docs[i].title = i == 1 ? strdup("Middle") : NULL;
        f->in = (struct att_rec_in){&docs[i], (unsigned)i, 10 * i, 10 * i + strlen(texts[i]),
                                    texts[i], strlen(texts[i]), NULL, 0, 0, NULL, 0, NULL};
        at[i] = f->b.len;
        assert_int_equal(att_rec_encode(&f->in, &f->b, &f->err), ATT_OK);
        assert_true(f->b.len > at[i]);
        assert_int_equal(f->b.p[f->b.len], '\0');
    }
    at[3] = f->b.len;
    for (size_t i = 0; i < 3; i++) {
        struct att_rec r;
        char id[16];

        snprintf(id, sizeof id, "doc-%zu", i);
        assert_int_equal(decode_copy(f, f->b.p + at[i], at[i + 1] - at[i], &r), ATT_OK);
        assert_str(r.doc, id);
        assert_str(r.title, i == 1 ? "Middle" : NULL);
        assert_str(r.text, texts[i]);
        assert_int_equal(r.n, i);
        assert_int_equal(r.start, 10 * i);
        check_sentences(&r, texts[i], strlen(texts[i]));
        att_doc_clear(&docs[i]);
    }
}

/* A failed encode leaves the buffer as it was, records before it intact. */
static void test_encode_fails(void **state)
{
    struct fx *f = *state;
    struct att_buf small;
    size_t before;
    struct att_rec r;

    encode_min(f, "x", "Some text that fits.");
    att_buf_init(&small, 2 * f->b.len - 1); /* the second record's text does not fit */
    assert_int_equal(att_rec_encode(&f->in, &small, &f->err), ATT_OK);
    before = small.len;
    f->err.code = ATT_OK;
    assert_int_equal(att_rec_encode(&f->in, &small, &f->err), ATT_E_TOOBIG);
    assert_int_equal(f->err.code, ATT_E_TOOBIG);
    assert_int_equal(small.len, before);
    assert_int_equal(small.p[small.len], '\0');
    assert_int_equal(decode_copy(f, small.p, small.len, &r), ATT_OK);
    assert_str(r.text, "Some text that fits.");
    att_buf_free(&small);
    if (SIZE_MAX > 0xffffffffu) { /* a text over 4 GB is refused before it is read */
        f->in.text_len = (size_t)0xffffffffu;
        before = f->b.len;
        assert_int_equal(att_rec_encode(&f->in, &f->b, &f->err), ATT_E_TOOBIG);
        assert_int_equal(f->b.len, before);
    }
}

/* Every strict prefix of a record is refused. */
static void test_truncated(void **state)
{
    struct fx *f = *state;
    size_t full;

    encode_full(f);
    full = f->b.len;
    for (size_t k = 0; k < full; k++)
        expect_corrupt(f, f->b.p, k);
    att_buf_reset(&f->b);
    att_doc_clear(&f->doc);
    encode_min(f, "short", "Tiny.");
    for (size_t k = 0; k < f->b.len; k++)
        expect_corrupt(f, f->b.p, k);
}

static void test_version(void **state)
{
    struct fx *f = *state;
    const unsigned char bad[] = {0, ATT_REC_VERSION + 1, 0xff, ATT_REC_ZSTD};

    encode_full(f);
    for (size_t i = 0; i < sizeof bad; i++) {
        f->b.p[0] = (char)bad[i];
        expect_corrupt(f, f->b.p, f->b.len);
    }
    f->b.p[0] = ATT_REC_VERSION;
    expect_corrupt(f, NULL, 0);
}

/* Where each str of the full record sits in its fixed part. */
static size_t str_slots(const char *p, size_t *slot)
{
    size_t n = 0, at = L_ITEMS;
    uint32_t nf = get32(p + L_COUNT(0)), ns = get32(p + L_COUNT(1));
    uint32_t nq = get32(p + L_COUNT(2)), na = get32(p + L_COUNT(3));

    for (size_t i = 0; i < 9; i++)
        slot[n++] = L_STR(i);
    for (size_t i = 0; i < nf; i++, at += L_FIELD) {
        slot[n++] = at;
        slot[n++] = at + 8;
    }
    at += ns * L_SENT;
    for (size_t i = 0; i < nq; i++, at += L_QUOTE) {
        slot[n++] = at + 8;
        slot[n++] = at + 16;
    }
    for (size_t i = 0; i < na; i++, at += L_ACTOR)
        slot[n++] = at;
    return n;
}

/* One word of the record changed to v: must be refused. */
static void expect_corrupt_with(struct fx *f, size_t at, uint32_t v)
{
    uint32_t old = get32(f->b.p + at);

    put32(f->b.p + at, v);
    expect_corrupt(f, f->b.p, f->b.len);
    put32(f->b.p + at, old);
}

static void test_bad_strings(void **state)
{
    struct fx *f = *state;
    size_t slot[64], n, len;
    struct att_rec r;

    encode_full(f);
    len = f->b.len;
    n = str_slots(f->b.p, slot);
    assert_int_equal(n, 9 + 2 * 3 + 2 * 2 + 2);
    for (size_t i = 0; i < n; i++) {
        uint32_t off = get32(f->b.p + slot[i]);

        expect_corrupt_with(f, slot[i], (uint32_t)len + 1);
        expect_corrupt_with(f, slot[i], ABSENT - 1);
        expect_corrupt_with(f, slot[i], 0x80000000u);
        if (off == ABSENT) /* an absent speaker or role: its length is not read */
            continue;
        expect_corrupt_with(f, slot[i] + 4, ABSENT);
        expect_corrupt_with(f, slot[i] + 4, (uint32_t)(len - off) + 1);
        expect_corrupt_with(f, slot[i] + 4, 0x80000000u);
        assert_int_equal(decode_copy(f, f->b.p, len, &r), ATT_OK);
    }
    /* The id, the text, field names and values and actors are never absent;
     * other metadata, the signature, speakers and roles may be. Slots: 0-8
     * the header's (0 id, 7 text), 9-14 fields, 15-18 quotes, 19-20 actors. */
    for (size_t i = 0; i < n; i++) {
        bool needed = i == 0 || i == 7 || (i >= 9 && i < 15) || i >= 19;
        uint32_t old = get32(f->b.p + slot[i]);

        if (needed) {
            expect_corrupt_with(f, slot[i], ABSENT);
            continue;
        }
        put32(f->b.p + slot[i], ABSENT);
        assert_int_equal(decode_copy(f, f->b.p, len, &r), ATT_OK);
        put32(f->b.p + slot[i], old);
    }
    /* A signature has exactly ATT_SIG_K values. */
    expect_corrupt_with(f, L_SIG + 4, 2 * ATT_SIG_K - 2);
    expect_corrupt_with(f, L_SIG + 4, 2 * ATT_SIG_K + 2);
    expect_corrupt_with(f, L_SIG + 4, 0);
}

static void test_bad_counts(void **state)
{
    struct fx *f = *state;
    const size_t size[4] = {L_FIELD, L_SENT, L_QUOTE, L_ACTOR};
    size_t fixed = L_ITEMS;

    encode_full(f);
    for (size_t i = 0; i < 4; i++)
        fixed += get32(f->b.p + L_COUNT(i)) * size[i];
    for (size_t i = 0; i < 4; i++) {
        uint32_t c = get32(f->b.p + L_COUNT(i));
        /* the fewest items that no longer fit in the record */
        uint32_t past = c + (uint32_t)((f->b.len - fixed) / size[i]) + 1;

        expect_corrupt_with(f, L_COUNT(i), ABSENT);
        expect_corrupt_with(f, L_COUNT(i), ABSENT - 1);
        expect_corrupt_with(f, L_COUNT(i), 0x80000000u);
        expect_corrupt_with(f, L_COUNT(i), 0x10000000u);
        expect_corrupt_with(f, L_COUNT(i), past);
    }
}

/* A record that is all fixed part (empty id and text): one item of any
 * kind lies past its end, the first byte past it included. */
static void test_counts_past_fixed(void **state)
{
    struct fx *f = *state;

    encode_min(f, "", "");
    assert_int_equal(f->b.len, L_ITEMS);
    for (size_t i = 0; i < 4; i++)
        expect_corrupt_with(f, L_COUNT(i), 1);
}

static void test_bad_spans(void **state)
{
    struct fx *f = *state;
    uint32_t nf, ns, tn;
    size_t sent, quote;
    struct att_rec r;

    encode_full(f);
    nf = get32(f->b.p + L_COUNT(0));
    ns = get32(f->b.p + L_COUNT(1));
    tn = get32(f->b.p + L_TEXT + 4);
    sent = L_ITEMS + nf * L_FIELD;
    quote = sent + ns * L_SENT;
    for (uint32_t i = 0; i < ns; i++) { /* start past end; end past the text */
        expect_corrupt_with(f, sent + i * L_SENT, get32(f->b.p + sent + i * L_SENT + 4) + 1);
        expect_corrupt_with(f, sent + i * L_SENT + 4, tn + 1);
        expect_corrupt_with(f, sent + i * L_SENT + 4, ABSENT);
    }
    for (uint32_t i = 0; i < 2; i++) {
        size_t q = quote + i * L_QUOTE;

        expect_corrupt_with(f, q, get32(f->b.p + q + 4) + 1);
        expect_corrupt_with(f, q, ABSENT);
        expect_corrupt_with(f, q + 4, tn + 1);
        expect_corrupt_with(f, q + 4, ABSENT);
    }
    /* Spans may reach the text's end, and be empty. */
    put32(f->b.p + quote + 4, tn);
    put32(f->b.p + sent + (ns - 1) * L_SENT, tn);
    put32(f->b.p + sent + (ns - 1) * L_SENT + 4, tn);
    assert_int_equal(decode_copy(f, f->b.p, f->b.len, &r), ATT_OK);
    assert_int_equal(att_rec_sentence(&r, ns - 1).start, tn);
}

static void check_spans(const struct att_rec *r, const struct att_spans *s)
{
    assert_int_equal(s->n, r->nsentences);
    for (size_t i = 0; i < s->n; i++) {
        struct att_span want = att_rec_sentence(r, i);

        assert_int_equal(s->v[i].start, want.start);
        assert_int_equal(s->v[i].end, want.end);
    }
}

static void test_sentences_array(void **state)
{
    struct fx *f = *state;
    struct att_span stack[16];
    struct att_spans s;
    struct att_rec r;

    encode_full(f);
    assert_int_equal(decode_copy(f, f->b.p, f->b.len, &r), ATT_OK);
    assert_true(r.nsentences >= 2 && r.nsentences <= 16);
    assert_int_equal(att_rec_sentences(&r, stack, 16, &s), ATT_OK);
    assert_ptr_equal(s.v, stack);
    check_spans(&r, &s);
    att_rec_sentences_done(&s, stack); /* must not free the stack */
    assert_null(s.v);
    assert_int_equal(s.n, 0);
    assert_int_equal(att_rec_sentences(&r, stack, r.nsentences, &s), ATT_OK);
    assert_ptr_equal(s.v, stack);
    att_rec_sentences_done(&s, stack);
    assert_int_equal(att_rec_sentences(&r, stack, r.nsentences - 1, &s), ATT_OK);
    assert_ptr_not_equal(s.v, stack);
    check_spans(&r, &s);
    att_rec_sentences_done(&s, stack); /* frees the heap copy (leak check) */
    assert_null(s.v);
    assert_int_equal(att_rec_sentences(&r, NULL, 0, &s), ATT_OK);
    check_spans(&r, &s);
    att_rec_sentences_done(&s, NULL);
    assert_int_equal(s.n + s.cap, 0);
}

/* No sentences: no allocation, whatever the stack. */
static void test_sentences_none(void **state)
{
    struct fx *f = *state;
    struct att_spans s;
    struct att_rec r;

    encode_min(f, "e", "");
    assert_int_equal(decode_copy(f, f->b.p, f->b.len, &r), ATT_OK);
    assert_int_equal(att_rec_sentences(&r, NULL, 0, &s), ATT_OK);
    assert_int_equal(s.n, 0);
    att_rec_sentences_done(&s, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_minimal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_appended, setup, teardown),
        cmocka_unit_test_setup_teardown(test_encode_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts_past_fixed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_spans, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sentences_array, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sentences_none, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
