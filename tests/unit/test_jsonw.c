/* Unit tests of the streaming JSON writer (lib/jsonw.c): every value call,
 * escaping and UTF-8 repair, strings across the 4 KB buffer, nesting to
 * the limit, misuse, failing sinks, and cJSON trees. Output is parsed back
 * with cJSON; a fixture frees everything, so a failing test leaks nothing. */
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "attache/text.h"
#include "buf.h"
#include "jsonw.h"

#define FFFD "\xEF\xBF\xBD"

struct fx {
    struct att_buf b; /* the output */
    struct att_jw w;  /* writing to b */
    struct att_err err;
    cJSON *json; /* b parsed back */
    char *tmp;   /* a long input */
    char *exp;   /* what it should read back as */
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);

    if (f == NULL)
        return -1;
    att_buf_init(&f->b, 1 << 24);
    att_jw_init_buf(&f->w, &f->b);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    att_buf_free(&f->b);
    cJSON_Delete(f->json);
    free(f->tmp);
    free(f->exp);
    free(f);
    return 0;
}

/* Flush (expecting ATT_OK), check the output is valid UTF-8 and parse it. */
static cJSON *parsed(struct fx *f)
{
    assert_int_equal(att_jw_flush(&f->w, &f->err), ATT_OK);
    assert_non_null(f->b.p);
    assert_true(att_utf8_valid(f->b.p, f->b.len));
    cJSON_Delete(f->json);
    f->json = cJSON_ParseWithLength(f->b.p, f->b.len);
    assert_non_null(f->json);
    return f->json;
}

/* Flush (expecting ATT_OK) and compare the text written. */
static void text_is(struct fx *f, const char *want)
{
    assert_int_equal(att_jw_flush(&f->w, &f->err), ATT_OK);
    assert_non_null(f->b.p);
    assert_string_equal(f->b.p, want);
}

/* A string item reading back as want[0..n): cJSON keeps the bytes after a
 * \u0000 in valuestring, so memcmp sees them all. */
static void string_is(const cJSON *item, const char *want, size_t n)
{
    assert_true(cJSON_IsString(item));
    assert_memory_equal(item->valuestring, want, n);
    assert_int_equal(item->valuestring[n], '\0');
}

static void test_jw_values(void **state)
{
    struct fx *f = *state;
    struct att_jw *w = &f->w;

    att_jw_obj(w, NULL);
    att_jw_str(w, "s", "text");
    att_jw_str(w, "none", NULL);
    att_jw_strn(w, "n", "abcdef", 3);
    att_jw_strn(w, "nn", NULL, 5);
    att_jw_int(w, "i", -42);
    att_jw_real(w, "r", 0.5);
    att_jw_bool(w, "t", true);
    att_jw_bool(w, "f", false);
    att_jw_null(w, "z");
    att_jw_raw(w, "raw", "[1,{\"a\":2}]xx", 11);
    att_jw_raw(w, "rn", NULL, 0);
    att_jw_arr(w, "a");
    att_jw_str(w, NULL, "x");
    att_jw_int(w, NULL, 7);
    att_jw_obj(w, NULL);
    att_jw_end_obj(w);
    att_jw_arr(w, NULL);
    att_jw_end_arr(w);
    att_jw_end_arr(w);
    att_jw_obj(w, "o");
    att_jw_end_obj(w);
    att_jw_end_obj(w);
    att_jw_newline(w);
    text_is(f, "{\"s\":\"text\",\"none\":null,\"n\":\"abc\",\"nn\":null,\"i\":-42,\"r\":0.5,"
               "\"t\":true,\"f\":false,\"z\":null,\"raw\":[1,{\"a\":2}],\"rn\":null,"
               "\"a\":[\"x\",7,{},[]],\"o\":{}}\n");
    assert_true(cJSON_IsObject(parsed(f)));
}

static void test_jw_top_level(void **state)
{
    struct fx *f = *state;
    struct att_jw *w = &f->w;

    att_jw_int(w, NULL, 1);
    att_jw_newline(w);
    att_jw_str(w, NULL, "two");
    att_jw_newline(w);
    att_jw_newline(w); /* an empty line is allowed */
    att_jw_arr(w, NULL);
    att_jw_end_arr(w);
    att_jw_newline(w);
    text_is(f, "1\n\"two\"\n\n[]\n");
}

/* Every byte below 0x20, the quote and the backslash, in values and keys. */
static void test_jw_escapes(void **state)
{
    struct fx *f = *state;
    char all[34];
    const cJSON *o;

    for (int c = 0; c < 32; c++)
        all[c] = (char)c;
    all[32] = '"';
    all[33] = '\\';
    att_jw_obj(&f->w, NULL);
    att_jw_strn(&f->w, "all", all, sizeof all);
    att_jw_str(&f->w, "k\"\\\n", "\b\f\n\r\t\x01\x1f");
    att_jw_strn(&f->w, "nul", "a\0b\0", 4);
    att_jw_end_obj(&f->w);
    o = parsed(f);
    string_is(cJSON_GetObjectItemCaseSensitive(o, "all"), all, sizeof all);
    string_is(cJSON_GetObjectItemCaseSensitive(o, "k\"\\\n"), "\b\f\n\r\t\x01\x1f", 7);
    string_is(cJSON_GetObjectItemCaseSensitive(o, "nul"), "a\0b\0", 4);
    assert_non_null(strstr(f->b.p, "\"k\\\"\\\\\\n\":\"\\b\\f\\n\\r\\t\\u0001\\u001f\""));
    assert_non_null(strstr(f->b.p, "\"a\\u0000b\\u0000\""));
    assert_null(memchr(f->b.p, '\0', f->b.len)); /* no raw NUL reaches the output */
}

/* Valid UTF-8 passes; each byte that begins no valid sequence is U+FFFD. */
static void test_jw_utf8(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF",
         "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"},
        {"a\xFF" "b", "a" FFFD "b"},                    /* never a lead byte */
        {"\x80\xBF", FFFD FFFD},                        /* stray continuations */
        {"\xC0\x80", FFFD FFFD},                        /* overlong NUL */
        {"\xE0\x80\xAF", FFFD FFFD FFFD},               /* overlong '/' */
        {"\xED\xA0\x80", FFFD FFFD FFFD},               /* a surrogate */
        {"\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD},      /* past U+10FFFF */
        {"\xF5x", FFFD "x"},
        {"x\xE2\x82", "x" FFFD FFFD},                   /* cut at the end */
        {"\xE2\x82x\xF0\x9F\x98", FFFD FFFD "x" FFFD FFFD FFFD},
        {FFFD, FFFD},                                   /* a real U+FFFD stays */
    };
    struct fx *f = *state;
    const cJSON *a, *o;
    size_t i;

    att_jw_arr(&f->w, NULL);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        att_jw_str(&f->w, NULL, cases[i].in);
    att_jw_obj(&f->w, NULL);
    att_jw_str(&f->w, "k\xFF\xC3\xA9", "v");
    att_jw_end_obj(&f->w);
    att_jw_end_arr(&f->w);
    a = parsed(f);
    assert_int_equal(cJSON_GetArraySize(a), (int)i + 1);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        string_is(cJSON_GetArrayItem(a, (int)i), cases[i].out, strlen(cases[i].out));
    o = cJSON_GetArrayItem(a, (int)i);
    string_is(cJSON_GetObjectItemCaseSensitive(o, "k" FFFD "\xC3\xA9"), "v", 1);
}

/* A sink that keeps everything, counting the calls and the largest piece. */
struct rec {
    struct att_buf b;
    size_t calls, biggest, fail_after; /* fail once fail_after bytes are passed */
    size_t calls_after_fail;
    bool failed;
};

static int rec_sink(void *ud, const char *p, size_t n)
{
    struct rec *r = ud;

    if (r->failed)
        r->calls_after_fail++;
    r->calls++;
    if (n > r->biggest)
        r->biggest = n;
    if (r->b.len + n > r->fail_after) {
        r->failed = true;
        return ATT_E_IO;
    }
    return att_buf_add(&r->b, p, n);
}

/* n bytes mixing plain text, escapes, multi-byte and invalid bytes (none
 * NUL), so that something special falls on each side of each 4 KB mark. */
static char *mixed(size_t n, uint32_t seed)
{
    static const char *pieces[] = {"plain words ", "\"", "\\", "\n", "\x01", "\xC3\xA9",
                                   "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xFF", "\xE2\x82",
                                   "\x80", "tab\t"};
    char *s = malloc(n + 1);
    size_t i = 0;

    assert_non_null(s);
    while (i < n) {
        const char *p;
        size_t k;

        seed = seed * 1103515245u + 12345u;
        p = pieces[(seed >> 16) % (sizeof pieces / sizeof pieces[0])];
        k = strlen(p) < n - i ? strlen(p) : n - i;
        memcpy(s + i, p, k);
        i += k;
    }
    s[n] = '\0';
    return s;
}

static void long_string(struct fx *f, size_t n)
{
    size_t explen;
    const cJSON *o;

    free(f->tmp);
    free(f->exp);
    f->tmp = mixed(n, (uint32_t)n);
    f->exp = att_utf8_repair(f->tmp, n, &explen); /* no NUL in tmp: only U+FFFD */
    assert_non_null(f->exp);
    att_buf_reset(&f->b);
    att_jw_obj(&f->w, NULL);
    att_jw_strn(&f->w, "s", f->tmp, n);
    att_jw_strn_k(&f->w, f->tmp, n, "v", 1); /* as a key too */
    att_jw_end_obj(&f->w);
    att_jw_newline(&f->w);
    o = parsed(f);
    string_is(cJSON_GetObjectItemCaseSensitive(o, "s"), f->exp, explen);
    assert_non_null(o->child->next);
    assert_int_equal(strlen(o->child->next->string), explen);
    assert_memory_equal(o->child->next->string, f->exp, explen);
}

static void test_jw_long_strings(void **state)
{
    struct fx *f = *state;
    size_t sizes[] = {4095, 4096, 4097, 5000, 8191, 100 * 1024};

    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        long_string(f, sizes[i]);
}

/* Pieces reach the sink in at most 4 KB, except long runs that need no
 * escape, which go straight from the caller's string. */
static void test_jw_sink_pieces(void **state)
{
    struct fx *f = *state;
    struct rec r = {.fail_after = SIZE_MAX};
    size_t n = 100 * 1024;

    att_buf_init(&r.b, SIZE_MAX);
    f->tmp = mixed(n, 7);
    att_jw_init(&f->w, rec_sink, &r);
    att_jw_strn(&f->w, NULL, f->tmp, n);
    assert_int_equal(att_jw_flush(&f->w, &f->err), ATT_OK);
    assert_true(r.calls >= n / 4096);
    assert_int_equal(r.biggest, 4096);
    att_buf_reset(&r.b);
    memset(f->tmp, 'a', n);
    att_jw_init(&f->w, rec_sink, &r);
    att_jw_strn(&f->w, NULL, f->tmp, n);
    assert_int_equal(att_jw_flush(&f->w, &f->err), ATT_OK);
    assert_int_equal(r.b.len, n + 2);
    assert_int_equal(r.biggest, n); /* one call for the whole run */
    att_buf_free(&r.b);
}

/* 64 containers nest; the 65th stops the writer. */
static void nest(struct att_jw *w, unsigned n)
{
    for (unsigned d = 0; d < n; d++) {
        if (d % 2 == 0)
            att_jw_arr_k(w, d == 0 ? NULL : "k", d == 0 ? 0 : 1);
        else
            att_jw_obj(w, NULL);
    }
}

static void unnest(struct att_jw *w, unsigned n)
{
    for (unsigned d = n; d-- > 0;) {
        if (d % 2 == 0)
            att_jw_end_arr(w);
        else
            att_jw_end_obj(w);
    }
}

static void test_jw_depth(void **state)
{
    struct fx *f = *state;
    const cJSON *j;
    int depth = 0;

    nest(&f->w, ATT_JW_DEPTH);
    att_jw_int(&f->w, "deep", 1);
    unnest(&f->w, ATT_JW_DEPTH);
    assert_int_equal(f->w.depth, 0);
    for (j = parsed(f); j != NULL; j = j->child)
        depth++;
    assert_int_equal(depth, ATT_JW_DEPTH + 1); /* and the number */
    att_buf_reset(&f->b);
    att_jw_init_buf(&f->w, &f->b);
    nest(&f->w, ATT_JW_DEPTH + 1);
    assert_int_equal(f->w.status, ATT_E_INTERNAL);
    unnest(&f->w, ATT_JW_DEPTH + 1);
    assert_int_equal(att_jw_flush(&f->w, &f->err), ATT_E_INTERNAL);
    assert_int_equal(f->err.code, ATT_E_INTERNAL);
    assert_true(f->err.msg[0] != '\0');
    assert_int_equal(f->b.len, 0); /* nothing reached the sink */
}

/* Each way of misusing the writer: ATT_E_INTERNAL, then nothing more. */
static void misuse_case(struct fx *f, int which)
{
    struct att_jw *w = &f->w;
    size_t len;

    att_buf_reset(&f->b);
    att_jw_init_buf(w, &f->b);
    if (which >= 3)
        att_jw_obj(w, NULL);
    if (which >= 8)
        att_jw_arr(w, "a");
    switch (which) {
    case 0: att_jw_end_obj(w); break;       /* a close without an open */
    case 1: att_jw_end_arr(w); break;
    case 2: att_jw_int(w, "k", 1); break;   /* a key at top level */
    case 3: att_jw_end_arr(w); break;       /* the other kind */
    case 4: att_jw_int(w, NULL, 1); break;  /* no key in an object */
    case 5: att_jw_obj(w, NULL); break;
    case 6: att_jw_newline(w); break;       /* a newline inside */
    case 7: att_jw_cjson(w, NULL, NULL); break;
    case 8: att_jw_str(w, "k", "v"); break; /* a key in an array */
    case 9: att_jw_end_obj(w); break;
    case 10: att_jw_arr(w, "k"); break;
    default:                                /* two values on one line */
        att_buf_reset(&f->b);
        att_jw_init_buf(w, &f->b);
        att_jw_int(w, NULL, 1);
        att_jw_int(w, NULL, 2);
    }
    assert_int_equal(w->status, ATT_E_INTERNAL);
    len = w->len;
    att_jw_str(w, NULL, "after");
    att_jw_int(w, "after", 1);
    att_jw_end_obj(w);
    att_jw_newline(w);
    assert_int_equal(w->len, len);
    assert_int_equal(att_jw_flush(w, &f->err), ATT_E_INTERNAL);
    assert_int_equal(f->err.code, ATT_E_INTERNAL);
    assert_int_equal(f->b.len, 0);
}

static void test_jw_misuse(void **state)
{
    for (int which = 0; which <= 11; which++)
        misuse_case(*state, which);
}

/* A sink that fails after N bytes: the status says so, it is not called
 * again, and flush reports the code. */
static void test_jw_failing_sink(void **state)
{
    struct fx *f = *state;
    size_t limits[] = {0, 1, 4095, 4096, 10000, 50000};

    f->tmp = mixed(3000, 3);
    for (size_t k = 0; k < sizeof limits / sizeof limits[0]; k++) {
        struct rec r = {.fail_after = limits[k]};

        att_buf_init(&r.b, SIZE_MAX);
        att_jw_init(&f->w, rec_sink, &r);
        att_jw_arr(&f->w, NULL);
        for (int i = 0; i < 40 && f->w.status == ATT_OK; i++)
            att_jw_str(&f->w, NULL, f->tmp);
        assert_int_equal(f->w.status, ATT_E_IO);
        for (int i = 0; i < 40; i++)
            att_jw_str(&f->w, NULL, f->tmp);
        att_jw_end_arr(&f->w);
        assert_int_equal(att_jw_flush(&f->w, &f->err), ATT_E_IO);
        assert_int_equal(att_jw_flush(&f->w, &f->err), ATT_E_IO);
        assert_int_equal(f->err.code, ATT_E_IO);
        assert_true(r.failed);
        assert_int_equal(r.calls_after_fail, 0);
        assert_true(r.b.len <= limits[k]);
        att_buf_free(&r.b);
    }
}

static int odd_sink(void *ud, const char *p, size_t n)
{
    (void)p;
    (void)n;
    ++*(int *)ud;
    return -1;
}

/* A sink's return that is no ATT_E_* code counts as ATT_E_IO. */
static void test_jw_sink_odd_code(void **state)
{
    struct fx *f = *state;
    int calls = 0;

    att_jw_init(&f->w, odd_sink, &calls);
    att_jw_int(&f->w, NULL, 1);
    assert_int_equal(att_jw_flush(&f->w, &f->err), ATT_E_IO);
    assert_int_equal(att_jw_flush(&f->w, NULL), ATT_E_IO);
    assert_int_equal(calls, 1);
}

/* att_jw_init_buf: the buffer's ceiling stops the writer with TOOBIG. */
static void test_jw_buf_ceiling(void **state)
{
    struct fx *f = *state;
    struct att_buf small;

    att_buf_init(&small, 100);
    att_jw_init_buf(&f->w, &small);
    att_jw_arr(&f->w, NULL);
    for (int i = 0; i < 30; i++)
        att_jw_str(&f->w, NULL, "0123456789");
    att_jw_end_arr(&f->w);
    assert_int_equal(att_jw_flush(&f->w, &f->err), ATT_E_TOOBIG);
    assert_int_equal(f->err.code, ATT_E_TOOBIG);
    assert_int_equal(small.len, 0);
    att_buf_free(&small);
}

static void test_jw_integers(void **state)
{
    static const long long v[] = {0,           1,           -1,         9,
                                  10,          -10,         99999,      1000000007,
                                  LLONG_MAX,   LLONG_MIN,   LLONG_MIN + 1, 9007199254740993LL};
    struct fx *f = *state;
    char want[64];
    size_t at = 0;

    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        att_jw_int(&f->w, NULL, v[i]);
        att_jw_newline(&f->w);
    }
    assert_int_equal(att_jw_flush(&f->w, &f->err), ATT_OK);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        size_t n = (size_t)snprintf(want, sizeof want, "%lld\n", v[i]);

        assert_true(at + n <= f->b.len);
        assert_memory_equal(f->b.p + at, want, n);
        at += n;
    }
    assert_int_equal(at, f->b.len);
}

static void test_jw_reals(void **state)
{
    struct fx *f = *state;

    att_jw_arr(&f->w, NULL);
    att_jw_real(&f->w, NULL, 0.1);
    att_jw_real(&f->w, NULL, 1.0 / 3);
    att_jw_real(&f->w, NULL, -2.5e-7);
    att_jw_real(&f->w, NULL, 1e300);
    att_jw_real(&f->w, NULL, 3);
    att_jw_real(&f->w, NULL, INFINITY);
    att_jw_real(&f->w, NULL, -INFINITY);
    att_jw_real(&f->w, NULL, NAN);
    att_jw_obj(&f->w, NULL);
    att_jw_real_k(&f->w, "r\0x", 3, 12.25);
    att_jw_end_obj(&f->w);
    att_jw_end_arr(&f->w);
    text_is(f, "[0.1,0.333333333,-2.5e-07,1e+300,3,null,null,null,{\"r\\u0000x\":12.25}]");
    assert_true(fabs(cJSON_GetArrayItem(parsed(f), 1)->valuedouble - 1.0 / 3) < 1e-9);
}

/* The variants taking a key with its length: names from data. */
static void test_jw_keyed(void **state)
{
    struct fx *f = *state;
    struct att_jw *w = &f->w;

    att_jw_obj_k(w, NULL, 0);
    att_jw_obj_k(w, "facet\0x", 7);
    att_jw_int_k(w, "Ren\xC3\xA9", 5, 3);
    att_jw_int_k(w, "bad\xFF", 4, 2);
    att_jw_strn_k(w, "ab", 1, "s", 1);
    att_jw_raw_k(w, "r", 1, "[true]", 6);
    att_jw_arr_k(w, "", 0);
    att_jw_arr_k(w, NULL, 0);
    att_jw_end_arr(w);
    att_jw_end_arr(w);
    att_jw_end_obj(w);
    att_jw_end_obj(w);
    text_is(f, "{\"facet\\u0000x\":{\"Ren\xC3\xA9\":3,\"bad" FFFD "\":2,\"a\":\"s\","
               "\"r\":[true],\"\":[[]]}}");
    att_jw_int_k(w, "k", 1, 1); /* a key at top level */
    assert_int_equal(att_jw_flush(w, &f->err), ATT_E_INTERNAL);
}

/* Flushing in the middle: the output continues where it was. */
static void test_jw_flush_midway(void **state)
{
    struct fx *f = *state;

    att_jw_obj(&f->w, NULL);
    att_jw_int(&f->w, "a", 1);
    assert_int_equal(att_jw_flush(&f->w, &f->err), ATT_OK);
    assert_string_equal(f->b.p, "{\"a\":1");
    att_jw_int(&f->w, "b", 2);
    att_jw_end_obj(&f->w);
    att_jw_newline(&f->w);
    text_is(f, "{\"a\":1,\"b\":2}\n");
}

/* A nested tree: numbers as integers when exact, raw items copied. */
static void test_jw_cjson(void **state)
{
    static const char src[] =
        "{\"a\":[1,-2,2.5,1e20,9007199254740992,-0.125,1e-300,0.1,true,false,null],"
        "\"o\":{\"s\":\"x\\\"\\n\\u0001\\u00e9\",\"e\":{},\"l\":[[],[{}]]},\"big\":4.5e15}";
    struct fx *f = *state;
    cJSON *t = cJSON_Parse(src), *back;

    assert_non_null(t);
    cJSON_AddItemToObject(t, "id", cJSON_CreateRaw("9007199254740993"));
    cJSON_AddItemToArray(cJSON_GetObjectItem(t, "a"), cJSON_CreateNumber(NAN));
    att_jw_obj(&f->w, NULL);
    att_jw_cjson(&f->w, "tree", t);
    att_jw_cjson(&f->w, "none", NULL);
    att_jw_end_obj(&f->w);
    back = cJSON_GetObjectItem(parsed(f), "tree");
    assert_non_null(strstr(f->b.p, "\"id\":9007199254740993}"));
    assert_non_null(strstr(f->b.p, "[1,-2,2.5,1e+20,9007199254740992,-0.125,1e-300,"
                                   "0.10000000000000001,true,false,null,null]"));
    assert_non_null(strstr(f->b.p, "\"big\":4500000000000000,"));
    assert_non_null(strstr(f->b.p, "\"none\":null}"));
    cJSON_DeleteItemFromObject(t, "id");
    cJSON_DeleteItemFromObject(back, "id");
    cJSON_DeleteItemFromArray(cJSON_GetObjectItem(t, "a"), 11);
    cJSON_DeleteItemFromArray(cJSON_GetObjectItem(back, "a"), 11);
    assert_true(cJSON_Compare(t, back, true));
    cJSON_Delete(t);
}

/* A tree deeper than the limit stops the writer. */
static void test_jw_cjson_too_deep(void **state)
{
    struct fx *f = *state;
    cJSON *t = cJSON_CreateArray(), *c = t;

    assert_non_null(t);
    for (int d = 1; d < ATT_JW_DEPTH; d++)
        c = cJSON_AddArrayToObject(c, "x");
    att_jw_cjson(&f->w, NULL, t);
    assert_int_equal(f->w.status, ATT_OK);
    att_jw_newline(&f->w);
    cJSON_AddArrayToObject(c, "x");
    att_jw_cjson(&f->w, NULL, t);
    cJSON_Delete(t);
    assert_int_equal(att_jw_flush(&f->w, &f->err), ATT_E_INTERNAL);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_jw_values),       T(test_jw_top_level),   T(test_jw_escapes),
        T(test_jw_utf8),         T(test_jw_long_strings), T(test_jw_sink_pieces),
        T(test_jw_depth),        T(test_jw_misuse),      T(test_jw_failing_sink),
        T(test_jw_buf_ceiling),  T(test_jw_integers),    T(test_jw_reals),
        T(test_jw_keyed),        T(test_jw_flush_midway), T(test_jw_cjson),
        T(test_jw_cjson_too_deep), T(test_jw_sink_odd_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
