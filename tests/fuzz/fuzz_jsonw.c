/* attache: libFuzzer target for the streaming JSON writer (lib/jsonw.c).
 * The input is a small program of writer calls; a model of the writer's
 * rules predicts its status after each call, every name and string written
 * is decoded back from the output and compared with its expected value
 * (computed here, independently of lib/utf8.c), and balanced output with
 * status ATT_OK parses with cJSON line by line. */
#include <cjson/cJSON.h>
#include <math.h>

#include "buf.h"
#include "fuzz.h"
#include "jsonw.h"

#define OUT_MAX (64u << 10) /* the sink fails past this (or sooner, by the input) */
#define LONG_MAX_LEN 9000 /* a long string: over two buffers */

/* The input, read byte by byte (zeros once it runs out). */
struct prog {
    const uint8_t *d;
    size_t n, i;
};

/* What the harness expects of the writer. */
struct model {
    unsigned depth;
    bool obj[ATT_JW_DEPTH + 1];   /* obj[d]: the container at depth d is an object */
    bool empty[ATT_JW_DEPTH + 1]; /* it has no member yet */
    bool top;                     /* a value stands at top level */
    int status;
};

/* The sink: everything kept in out; fails with the buffer's ceiling. */
struct sink {
    struct att_buf out;
    int failed; /* the first error returned, or ATT_OK */
    size_t calls_after;
};

static struct att_jw w; /* 4 KB: kept off libFuzzer's stack */

static int sink_fn(void *ud, const char *p, size_t n)
{
    struct sink *s = ud;
    int rc;

    if (s->failed != ATT_OK)
        s->calls_after++;
    rc = att_buf_add(&s->out, p, n);
    if (rc != ATT_OK && s->failed == ATT_OK)
        s->failed = rc;
    return rc;
}

static uint8_t byte(struct prog *p)
{
    return p->i < p->n ? p->d[p->i++] : 0;
}

/* Up to k bytes of the input; *got says how many. */
static const char *take(struct prog *p, size_t k, size_t *got)
{
    const char *s = (const char *)p->d + p->i;

    *got = k < p->n - p->i ? k : p->n - p->i;
    p->i += *got;
    return s;
}

/* The length of a well-formed UTF-8 sequence at s[0..n) (Unicode's table
 * of well-formed byte sequences), or 0. */
static size_t wellformed(const uint8_t *s, size_t n)
{
    uint8_t c = s[0], lo = 0x80, hi = 0xBF;
    size_t k;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        k = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        k = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        k = 4;
    else
        return 0;
    if (c == 0xE0)
        lo = 0xA0;
    else if (c == 0xED)
        hi = 0x9F;
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;
    if (n < k || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t j = 2; j < k; j++)
        if (s[j] < 0x80 || s[j] > 0xBF)
            return 0;
    return k;
}

/* s[0..n) with each byte that begins no well-formed sequence replaced by
 * U+FFFD: malloc'd (n * 3 + 1 bytes), its length in *len. */
static char *repaired(const char *s, size_t n, size_t *len)
{
    const uint8_t *u = (const uint8_t *)s;
    char *r = malloc(n * 3 + 1);
    size_t o = 0;

    FUZZ_CHECK(r != NULL);
    for (size_t i = 0; i < n;) {
        size_t k = wellformed(u + i, n - i);

        if (k == 0) {
            memcpy(r + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else {
            memcpy(r + o, s + i, k);
            o += k;
            i += k;
        }
    }
    *len = o;
    return r;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The escape \uXXXX at t[*i..n) (after the backslash and 'u'), into r. */
static void unicode_escape(const char *t, size_t n, size_t *i, char *r, size_t *o)
{
    unsigned cp = 0;

    FUZZ_CHECK(n - *i >= 4);
    for (int k = 0; k < 4; k++) {
        int h = hexval(t[(*i)++]);

        FUZZ_CHECK(h >= 0);
        cp = cp << 4 | (unsigned)h;
    }
    FUZZ_CHECK(cp < 0xD800 || cp > 0xDFFF); /* the writer has no need of surrogates */
    if (cp < 0x80) {
        r[(*o)++] = (char)cp;
    } else if (cp < 0x800) {
        r[(*o)++] = (char)(0xC0 | cp >> 6);
        r[(*o)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        r[(*o)++] = (char)(0xE0 | cp >> 12);
        r[(*o)++] = (char)(0x80 | (cp >> 6 & 0x3F));
        r[(*o)++] = (char)(0x80 | (cp & 0x3F));
    }
}

/* Decode the JSON string token at t[*i..n) and compare it with want[0..wn). */
static void string_token_is(const char *t, size_t n, size_t *i, const char *want, size_t wn)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    char *r = malloc(n + 1);
    size_t o = 0;

    FUZZ_CHECK(r != NULL && *i < n && t[(*i)++] == '"');
    for (;;) {
        char c;

        FUZZ_CHECK(*i < n);
        c = t[(*i)++];
        if (c == '"')
            break;
        FUZZ_CHECK((unsigned char)c >= 0x20);
        if (c != '\\') {
            r[o++] = c;
            continue;
        }
        FUZZ_CHECK(*i < n);
        c = t[(*i)++];
        if (c == 'u') {
            unicode_escape(t, n, i, r, &o);
        } else {
            const char *e = memchr(from, c, sizeof from - 1);

            FUZZ_CHECK(c != '\0' && e != NULL);
            r[o++] = to[e - from];
        }
    }
    FUZZ_CHECK(o == wn && memcmp(r, want, wn) == 0);
    free(r);
}

/* A name or string as the writer must give it back. */
struct text {
    const char *p; /* NULL: none */
    size_t n;
};

/* The bytes [from, to) of the output so far: the sink's, then the writer's buffer. */
static char *slice(const struct sink *s, size_t from, size_t to)
{
    char *r = malloc(to - from + 1);

    FUZZ_CHECK(r != NULL && to <= s->out.len + w.len);
    for (size_t k = from; k < to; k++)
        r[k - from] = k < s->out.len ? s->out.p[k] : w.buf[k - s->out.len];
    return r;
}

/* The output of one value call, t[0..n): separator, name, then the value,
 * which must start with `value` (a string's token is decoded instead). */
static void check_member(const char *t, size_t n, bool comma, struct text key,
                         const struct text *str, const char *value)
{
    size_t i = 0, wn;
    char *want;

    if (comma)
        FUZZ_CHECK(n > 0 && t[i++] == ',');
    if (key.p != NULL) {
        want = repaired(key.p, key.n, &wn);
        string_token_is(t, n, &i, want, wn);
        free(want);
        FUZZ_CHECK(i < n && t[i++] == ':');
    }
    if (str != NULL && str->p != NULL) {
        want = repaired(str->p, str->n, &wn);
        string_token_is(t, n, &i, want, wn);
        free(want);
        FUZZ_CHECK(i == n);
    } else if (value != NULL) {
        FUZZ_CHECK(n - i == strlen(value) && memcmp(t + i, value, n - i) == 0);
    }
}

/* The status the model predicts for a value (or an open) with name key. */
static bool model_value_ok(struct model *m, bool has_key, bool opens)
{
    if (m->status != ATT_OK)
        return false;
    if ((m->depth == 0 && (has_key || m->top)) ||
        (m->depth > 0 && m->obj[m->depth] != has_key) || (opens && m->depth == ATT_JW_DEPTH)) {
        m->status = ATT_E_INTERNAL;
        return false;
    }
    if (m->depth == 0)
        m->top = true;
    return true;
}

/* Containers along the deepest path of v. */
static unsigned tree_depth(const cJSON *v)
{
    unsigned d = 0;

    if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
        return 0;
    for (const cJSON *c = v->child; c != NULL; c = c->next) {
        unsigned k = tree_depth(c);

        d = k > d ? k : d;
    }
    return d + 1;
}

/* One run: the program, the model and the sink. */
struct run {
    struct prog p;
    struct model m;
    struct sink s;
};

enum op {
    OP_OBJ, OP_ARR, OP_END_OBJ, OP_END_ARR, OP_STRN, OP_STR, OP_INT, OP_REAL,
    OP_BOOL, OP_NULL, OP_RAW, OP_CJSON, OP_NEWLINE, OP_FLUSH, OP_LONG, OP_CLOSE,
};

/* The status after a call: a failing sink stops the writer too. */
static void settle(struct run *r)
{
    if (r->m.status == ATT_OK && r->s.failed != ATT_OK)
        r->m.status = r->s.failed;
    FUZZ_CHECK(w.status == r->m.status);
}

/* A name for the next value, from the input: present where one belongs,
 * or the other way round when wrong (misuse). For the _k variants (kv) it
 * may hold NUL bytes; otherwise it is the NUL-terminated copy in cbuf. */
static struct text pick_key(struct run *r, bool wrong, bool kv, char cbuf[40])
{
    bool want = r->m.depth > 0 && r->m.obj[r->m.depth];
    struct text k = {NULL, 0};

    if (wrong)
        want = !want;
    if (!want)
        return k;
    k.p = take(&r->p, byte(&r->p) % 32, &k.n);
    if (!kv) {
        memcpy(cbuf, k.p, k.n);
        cbuf[k.n] = '\0';
        k.p = cbuf;
        k.n = strlen(cbuf);
    }
    return k;
}

/* A string value: s[0..n) with strn (or its _k variant), the copy up to
 * the first NUL with str, or NULL (flags & 6 == 6) for null. */
static void write_string(struct run *r, enum op op, uint8_t flags, struct text key,
                         struct text *str, char *val)
{
    char *c;

    if (op == OP_LONG) {
        size_t len = (size_t)byte(&r->p) << 8, k;
        const char *pat;

        len = (len | byte(&r->p)) % LONG_MAX_LEN;
        pat = take(&r->p, byte(&r->p) % 16 + 1, &k);

        c = malloc(len + 1);
        FUZZ_CHECK(c != NULL);
        for (size_t i = 0; i < len; i++)
            c[i] = k > 0 ? pat[i % k] : 'a';
        str->p = c;
        str->n = len;
        att_jw_strn_k(&w, key.p, key.n, c, len);
        return; /* the caller frees str->p */
    }
    str->p = take(&r->p, byte(&r->p), &str->n);
    if ((flags & 6) == 6) {
        str->p = NULL;
        strcpy(val, "null");
        att_jw_strn_k(&w, key.p, key.n, NULL, 0);
    } else if (op == OP_STR) {
        c = fuzz_cstr((const uint8_t *)str->p, str->n);
        str->n = strlen(c);
        att_jw_str(&w, key.p, c);
        free(c);
    } else if (flags & 1) {
        att_jw_strn_k(&w, key.p, key.n, str->p, str->n);
    } else {
        att_jw_strn(&w, key.p, str->p, str->n);
    }
}

/* A number from the next 8 bytes of the input, with its expected text. */
static void write_number(struct run *r, enum op op, uint8_t flags, struct text key, char *val)
{
    bool kv = flags & 1;
    long long i = 0;
    double d = 0;
    size_t n;
    const char *b = take(&r->p, 8, &n);

    if (op == OP_INT) {
        memcpy(&i, b, n);
        snprintf(val, 64, "%lld", i);
        if (kv)
            att_jw_int_k(&w, key.p, key.n, i);
        else
            att_jw_int(&w, key.p, i);
        return;
    }
    memcpy(&d, b, n);
    if (isfinite(d))
        snprintf(val, 64, "%.9g", d);
    else
        strcpy(val, "null");
    if (kv)
        att_jw_real_k(&w, key.p, key.n, d);
    else
        att_jw_real(&w, key.p, d);
}

/* Raw JSON the caller vouches for. */
static const char *const raws[] = {"0", "[1,\"x\"]", "{\"a\":{}}", "\"\\u00e9\"", "-1.5e3", "[]"};

/* bool, null, raw or a cJSON tree parsed from the input (*tree, which the
 * caller deletes; NULL when the bytes are not JSON, written as null). */
static void write_other(struct run *r, enum op op, uint8_t flags, struct text key, char *val,
                        cJSON **tree)
{
    const char *raw;
    size_t n;

    switch (op) {
    case OP_BOOL:
        strcpy(val, flags & 2 ? "true" : "false");
        att_jw_bool(&w, key.p, flags & 2);
        break;
    case OP_NULL:
        strcpy(val, "null");
        att_jw_null(&w, key.p);
        break;
    case OP_RAW:
        raw = raws[flags % (sizeof raws / sizeof raws[0])];
        strcpy(val, raw);
        if (flags & 1)
            att_jw_raw_k(&w, key.p, key.n, raw, strlen(raw));
        else
            att_jw_raw(&w, key.p, raw, strlen(raw));
        break;
    default: /* OP_CJSON */
        raw = take(&r->p, byte(&r->p), &n);
        *tree = cJSON_ParseWithLength(raw, n);
        if (*tree == NULL)
            strcpy(val, "null");
        att_jw_cjson(&w, key.p, *tree);
    }
}

/* Opens, strings, numbers and the rest, with the model's prediction and
 * the check of what was written. */
static void value_op(struct run *r, enum op op, uint8_t flags)
{
    char cbuf[40], val[64] = "";
    struct text key, str = {NULL, 0};
    bool opens = op == OP_OBJ || op == OP_ARR, comma, ok;
    unsigned d = r->m.depth;
    cJSON *tree = NULL;
    size_t pos = r->s.out.len + w.len;

    bool has_k = op != OP_STR && op != OP_BOOL && op != OP_NULL && op != OP_CJSON;

    key = pick_key(r, flags == 15, has_k && (flags & 1) != 0, cbuf);
    if (!has_k)
        flags &= ~1u; /* no _k variant */
    comma = d > 0 && !r->m.empty[d];
    ok = model_value_ok(&r->m, key.p != NULL, opens);
    if (opens) {
        strcpy(val, op == OP_OBJ ? "{" : "[");
        if (flags & 1)
            (op == OP_OBJ ? att_jw_obj_k : att_jw_arr_k)(&w, key.p, key.n);
        else
            (op == OP_OBJ ? att_jw_obj : att_jw_arr)(&w, key.p);
    } else if (op == OP_STR || op == OP_STRN || op == OP_LONG) {
        write_string(r, op, flags, key, &str, val);
    } else if (op == OP_INT || op == OP_REAL) {
        write_number(r, op, flags, key, val);
    } else {
        write_other(r, op, flags, key, val, &tree);
    }
    if (ok && tree != NULL && d + tree_depth(tree) > ATT_JW_DEPTH) {
        /* unless the sink failed on the way down */
        r->m.status = r->s.failed != ATT_OK ? r->s.failed : ATT_E_INTERNAL;
        ok = false;
    }
    if (ok) {
        r->m.empty[d] = false;
        if (opens) {
            r->m.depth++;
            r->m.obj[d + 1] = op == OP_OBJ;
            r->m.empty[d + 1] = true;
        }
    }
    settle(r);
    if (ok && w.status == ATT_OK) {
        char *t = slice(&r->s, pos, r->s.out.len + w.len);

        check_member(t, r->s.out.len + w.len - pos, comma, key, &str, tree ? NULL : val);
        free(t);
    }
    if (op == OP_LONG)
        free((char *)str.p);
    cJSON_Delete(tree);
}

/* A close of either kind (OP_CLOSE: the kind that is open). */
static void close_op(struct run *r, enum op op)
{
    bool obj = op == OP_END_OBJ || (op == OP_CLOSE && r->m.depth > 0 && r->m.obj[r->m.depth]);
    size_t pos = r->s.out.len + w.len;

    if (r->m.status == ATT_OK) {
        if (r->m.depth == 0 || r->m.obj[r->m.depth] != obj)
            r->m.status = ATT_E_INTERNAL;
        else
            r->m.depth--;
    }
    (obj ? att_jw_end_obj : att_jw_end_arr)(&w);
    settle(r);
    if (w.status == ATT_OK) {
        char *t = slice(&r->s, pos, r->s.out.len + w.len);

        FUZZ_CHECK(r->s.out.len + w.len == pos + 1 && t[0] == (obj ? '}' : ']'));
        free(t);
    }
}

static void run_op(struct run *r)
{
    uint8_t b = byte(&r->p), flags = b >> 4;
    enum op op = (enum op)(b % 16);
    struct att_err err = {0, ""};
    int rc;

    if (op == OP_END_OBJ || op == OP_END_ARR || op == OP_CLOSE) {
        close_op(r, op);
    } else if (op == OP_NEWLINE) {
        if (r->m.status == ATT_OK && r->m.depth != 0)
            r->m.status = ATT_E_INTERNAL;
        else if (r->m.status == ATT_OK)
            r->m.top = false;
        att_jw_newline(&w);
        settle(r);
    } else if (op == OP_FLUSH) {
        rc = att_jw_flush(&w, &err);
        settle(r);
        FUZZ_CHECK(rc == w.status && (rc == ATT_OK || err.code == rc));
        FUZZ_CHECK(rc != ATT_OK || w.len == 0);
    } else {
        value_op(r, op, flags);
    }
}

/* Each nonempty line of out[0..len) is one JSON value, all of it. */
static void check_lines(const char *out, size_t len)
{
    size_t at = 0;

    while (at < len) {
        const char *nl = memchr(out + at, '\n', len - at), *end = NULL;
        size_t n = nl ? (size_t)(nl - out) - at : len - at;
        cJSON *v;

        if (n > 0) {
            v = cJSON_ParseWithLengthOpts(out + at, n, &end, false);
            FUZZ_CHECK(v != NULL && end == out + at + n);
            cJSON_Delete(v);
        }
        at += n + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct run r;
    struct att_err err = {0, ""};
    size_t fixed;
    char *fixed_out;
    int rc;

    memset(&r, 0, sizeof r);
    r.p.d = data;
    r.p.n = size;
    /* The first byte: past 0x80, a sink that fails after a few KB. */
    att_buf_init(&r.s.out, size > 0 && data[0] >= 0x80 ? (size_t)(data[0] & 0x7F) * 131 : OUT_MAX);
    r.p.i = size > 0 ? 1 : 0;
    att_jw_init(&w, sink_fn, &r.s);
    while (r.p.i < r.p.n)
        run_op(&r);
    while (r.m.status == ATT_OK && r.m.depth > 0)
        close_op(&r, OP_CLOSE);
    rc = att_jw_flush(&w, &err);
    settle(&r);
    FUZZ_CHECK(rc == r.m.status);
    FUZZ_CHECK(r.s.calls_after == 0);
    if (w.status == ATT_OK) {
        const char *out = r.s.out.p ? r.s.out.p : "";

        FUZZ_CHECK(w.depth == 0 && w.len == 0);
        fixed_out = repaired(out, r.s.out.len, &fixed); /* the output is valid UTF-8 */
        FUZZ_CHECK(fixed == r.s.out.len && memcmp(fixed_out, out, fixed) == 0);
        free(fixed_out);
        check_lines(out, r.s.out.len);
    }
    att_buf_free(&r.s.out);
    return 0;
}
