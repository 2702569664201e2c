/* attache: the streaming JSON writer (lib/jsonw.h): escaping with UTF-8
 * repair, integers without printf, structure checks. Writes through a 4 KB
 * buffer to a sink; allocates nothing and keeps no state outside struct att_jw. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "attache/text.h"
#include "buf.h"
#include "jsonw.h"

_Static_assert(ATT_JW_DEPTH <= 64, "one bit of empty and obj per depth");

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD in UTF-8 */
#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* 1 for the ASCII bytes a JSON string holds as they are. */
static const unsigned char plain[128] = {
    ['\x20'] = 1, ['!'] = 1,  ['#'] = 1,  ['$'] = 1,  ['%'] = 1,  ['&'] = 1,  ['\''] = 1,
    ['('] = 1,    [')'] = 1,  ['*'] = 1,  ['+'] = 1,  [','] = 1,  ['-'] = 1,  ['.'] = 1,
    ['/'] = 1,    ['0'] = 1,  ['1'] = 1,  ['2'] = 1,  ['3'] = 1,  ['4'] = 1,  ['5'] = 1,
    ['6'] = 1,    ['7'] = 1,  ['8'] = 1,  ['9'] = 1,  [':'] = 1,  [';'] = 1,  ['<'] = 1,
    ['='] = 1,    ['>'] = 1,  ['?'] = 1,  ['@'] = 1,  ['A'] = 1,  ['B'] = 1,  ['C'] = 1,
    ['D'] = 1,    ['E'] = 1,  ['F'] = 1,  ['G'] = 1,  ['H'] = 1,  ['I'] = 1,  ['J'] = 1,
    ['K'] = 1,    ['L'] = 1,  ['M'] = 1,  ['N'] = 1,  ['O'] = 1,  ['P'] = 1,  ['Q'] = 1,
    ['R'] = 1,    ['S'] = 1,  ['T'] = 1,  ['U'] = 1,  ['V'] = 1,  ['W'] = 1,  ['X'] = 1,
    ['Y'] = 1,    ['Z'] = 1,  ['['] = 1,  [']'] = 1,  ['^'] = 1,  ['_'] = 1,  ['`'] = 1,
    ['a'] = 1,    ['b'] = 1,  ['c'] = 1,  ['d'] = 1,  ['e'] = 1,  ['f'] = 1,  ['g'] = 1,
    ['h'] = 1,    ['i'] = 1,  ['j'] = 1,  ['k'] = 1,  ['l'] = 1,  ['m'] = 1,  ['n'] = 1,
    ['o'] = 1,    ['p'] = 1,  ['q'] = 1,  ['r'] = 1,  ['s'] = 1,  ['t'] = 1,  ['u'] = 1,
    ['v'] = 1,    ['w'] = 1,  ['x'] = 1,  ['y'] = 1,  ['z'] = 1,  ['{'] = 1,  ['|'] = 1,
    ['}'] = 1,    ['~'] = 1,  ['\x7f'] = 1,
};

/* The escape of each byte below 0x20 that has a short form. */
static const char short_esc[32] = {
    ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
};

/* Hand buf to the sink; the first failure becomes the status. */
static void drain(struct att_jw *w)
{
    int rc;

    if (w->status == ATT_OK && w->len > 0) {
        rc = w->sink(w->ud, w->buf, w->len);
        if (rc != ATT_OK)
            w->status = rc > 0 && rc < ATT_E_MAX ? rc : ATT_E_IO;
    }
    w->len = 0;
}

/* put() when p[0..n) does not fit: fill and drain; a piece as large as
 * the buffer goes to the sink directly. */
static void put_slow(struct att_jw *w, const char *p, size_t n)
{
    while (n > 0 && w->status == ATT_OK) {
        size_t room = sizeof w->buf - w->len, k;

        if (room == 0 || (w->len > 0 && n >= sizeof w->buf)) {
            drain(w);
            continue;
        }
        if (w->len == 0 && n >= sizeof w->buf) {
            int rc = w->sink(w->ud, p, n);

            if (rc != ATT_OK)
                w->status = rc > 0 && rc < ATT_E_MAX ? rc : ATT_E_IO;
            return;
        }
        k = n < room ? n : room;
        memcpy(w->buf + w->len, p, k);
        w->len += k;
        p += k;
        n -= k;
    }
}

static inline void put(struct att_jw *w, const char *p, size_t n)
{
    if (n <= sizeof w->buf - w->len) {
        memcpy(w->buf + w->len, p, n);
        w->len += n;
    } else {
        put_slow(w, p, n);
    }
}

static inline void putc1(struct att_jw *w, char c)
{
    if (w->len < sizeof w->buf)
        w->buf[w->len++] = c;
    else
        put_slow(w, &c, 1);
}

static void misuse(struct att_jw *w)
{
    if (w->status == ATT_OK)
        w->status = ATT_E_INTERNAL;
}

/* True when none of the 8 bytes in x needs a look: no byte >= 0x80, below
 * 0x20, '"' or '\\' (each test is exact for the word as a whole). */
static inline bool word_plain(uint64_t x)
{
    uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');
    uint64_t bad = x | ((x - ONES * 0x20) & ~x) | ((q - ONES) & ~q) | ((b - ONES) & ~b);

    return (bad & HIGHS) == 0;
}

/* The first i' >= i in u[0..n) whose byte is not plain ASCII. */
static inline size_t skip_plain(const unsigned char *u, size_t i, size_t n)
{
    uint64_t x;

    while (n - i >= 8) {
        memcpy(&x, u + i, 8);
        if (!word_plain(x))
            break;
        i += 8;
    }
    while (i < n && u[i] < 0x80 && plain[u[i]])
        i++;
    return i;
}

static void put_escape(struct att_jw *w, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

    if (c == '"' || c == '\\') {
        e[1] = (char)c;
        put(w, e, 2);
    } else if (short_esc[c] != 0) {
        e[1] = short_esc[c];
        put(w, e, 2);
    } else {
        put(w, e, 6);
    }
}

/* s[0..n) as the inside of a JSON string: runs that need nothing are
 * copied whole (valid multi-byte characters included); escapes and U+FFFD
 * go between them. */
static void put_escaped(struct att_jw *w, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, run = 0, adv;
    uint32_t cp;

    while (w->status == ATT_OK) {
        i = skip_plain(u, i, n);
        if (i == n)
            break;
        if (u[i] >= 0x80) {
            cp = att_utf8_decode(s + i, n - i, &adv);
            if (cp != 0xFFFD || adv == 3) {
                i += adv;
                continue;
            }
        }
        put(w, s + run, i - run);
        if (u[i] >= 0x80)
            put(w, REPLACEMENT, 3);
        else
            put_escape(w, u[i]);
        run = ++i;
    }
    put(w, s + run, n - run);
}

static void put_string(struct att_jw *w, const char *s, size_t n)
{
    putc1(w, '"');
    put_escaped(w, s, n);
    putc1(w, '"');
}

/* The separator and name before a value; false when the writer has
 * stopped or the name does not fit where the value goes. */
static bool begin(struct att_jw *w, const char *key, size_t klen)
{
    uint64_t bit;

    if (w->status != ATT_OK)
        return false;
    if (w->depth == 0) {
        if (key != NULL || w->top) {
            misuse(w);
            return false;
        }
        w->top = true;
        return true;
    }
    bit = 1ULL << (w->depth - 1);
    if (((w->obj & bit) != 0) != (key != NULL)) {
        misuse(w);
        return false;
    }
    if ((w->empty & bit) == 0)
        putc1(w, ',');
    w->empty &= ~bit;
    if (key != NULL) {
        put_string(w, key, klen);
        putc1(w, ':');
    }
    return w->status == ATT_OK;
}

static void open_container(struct att_jw *w, const char *key, size_t klen, bool obj)
{
    uint64_t bit;

    if (w->status == ATT_OK && w->depth >= ATT_JW_DEPTH)
        misuse(w);
    if (!begin(w, key, klen))
        return;
    bit = 1ULL << w->depth++;
    w->empty |= bit;
    if (obj)
        w->obj |= bit;
    else
        w->obj &= ~bit;
    putc1(w, obj ? '{' : '[');
}

static void close_container(struct att_jw *w, bool obj)
{
    uint64_t bit;

    if (w->status != ATT_OK)
        return;
    if (w->depth == 0) {
        misuse(w);
        return;
    }
    bit = 1ULL << (w->depth - 1);
    if (((w->obj & bit) != 0) != obj) {
        misuse(w);
        return;
    }
    w->depth--;
    putc1(w, obj ? '}' : ']');
}

/* v in decimal at the end of buf[24]; returns where it starts. */
static char *fmt_int(char *buf, long long v)
{
    char *p = buf + 24;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        *--p = '-';
    return p;
}

static void put_int(struct att_jw *w, long long v)
{
    char buf[24], *p = fmt_int(buf, v);

    put(w, p, (size_t)(buf + sizeof buf - p));
}

/* v with printf's fmt ("%.9g" or "%.17g"), or null when not finite. */
static void put_real(struct att_jw *w, const char *fmt, double v)
{
    char buf[40];
    int n;

    if (!isfinite(v)) {
        put(w, "null", 4);
        return;
    }
    n = snprintf(buf, sizeof buf, fmt, v);
    if (n <= 0 || (size_t)n >= sizeof buf) {
        misuse(w);
        return;
    }
    put(w, buf, (size_t)n);
}

static size_t key_len(const char *key)
{
    return key != NULL ? strlen(key) : 0;
}

void att_jw_init(struct att_jw *w, att_jw_sink_fn sink, void *ud)
{
    w->sink = sink;
    w->ud = ud;
    w->status = ATT_OK;
    w->depth = 0;
    w->empty = 0;
    w->obj = 0;
    w->top = false;
    w->len = 0;
}

static int buf_sink(void *ud, const char *p, size_t n)
{
    return att_buf_add(ud, p, n);
}

void att_jw_init_buf(struct att_jw *w, struct att_buf *b)
{
    att_jw_init(w, buf_sink, b);
}

void att_jw_obj_k(struct att_jw *w, const char *key, size_t klen)
{
    open_container(w, key, klen, true);
}

void att_jw_arr_k(struct att_jw *w, const char *key, size_t klen)
{
    open_container(w, key, klen, false);
}

void att_jw_obj(struct att_jw *w, const char *key)
{
    open_container(w, key, key_len(key), true);
}

void att_jw_arr(struct att_jw *w, const char *key)
{
    open_container(w, key, key_len(key), false);
}

void att_jw_end_obj(struct att_jw *w)
{
    close_container(w, true);
}

void att_jw_end_arr(struct att_jw *w)
{
    close_container(w, false);
}

void att_jw_strn_k(struct att_jw *w, const char *key, size_t klen, const char *s, size_t n)
{
    if (!begin(w, key, klen))
        return;
    if (s == NULL)
        put(w, "null", 4);
    else
        put_string(w, s, n);
}

void att_jw_strn(struct att_jw *w, const char *key, const char *s, size_t n)
{
    att_jw_strn_k(w, key, key_len(key), s, n);
}

void att_jw_str(struct att_jw *w, const char *key, const char *s)
{
    att_jw_strn_k(w, key, key_len(key), s, s != NULL ? strlen(s) : 0);
}

void att_jw_int_k(struct att_jw *w, const char *key, size_t klen, long long v)
{
    if (begin(w, key, klen))
        put_int(w, v);
}

void att_jw_int(struct att_jw *w, const char *key, long long v)
{
    att_jw_int_k(w, key, key_len(key), v);
}

void att_jw_real_k(struct att_jw *w, const char *key, size_t klen, double v)
{
    if (begin(w, key, klen))
        put_real(w, "%.9g", v);
}

void att_jw_real(struct att_jw *w, const char *key, double v)
{
    att_jw_real_k(w, key, key_len(key), v);
}

void att_jw_bool(struct att_jw *w, const char *key, bool v)
{
    if (begin(w, key, key_len(key)))
        put(w, v ? "true" : "false", v ? 4 : 5);
}

void att_jw_null(struct att_jw *w, const char *key)
{
    if (begin(w, key, key_len(key)))
        put(w, "null", 4);
}

void att_jw_raw_k(struct att_jw *w, const char *key, size_t klen, const char *json, size_t n)
{
    if (!begin(w, key, klen))
        return;
    if (json == NULL)
        put(w, "null", 4);
    else
        put(w, json, n);
}

void att_jw_raw(struct att_jw *w, const char *key, const char *json, size_t n)
{
    att_jw_raw_k(w, key, key_len(key), json, n);
}

/* A cJSON number: integers below 2^53 exactly, others with 17 digits. */
static void put_number(struct att_jw *w, double v)
{
    if (fabs(v) < 9007199254740992.0 && v == (double)(long long)v)
        put_int(w, (long long)v);
    else
        put_real(w, "%.17g", v);
}

void att_jw_cjson(struct att_jw *w, const char *key, const cJSON *v)
{
    bool obj = cJSON_IsObject(v);

    if (obj || cJSON_IsArray(v)) {
        open_container(w, key, key_len(key), obj);
        for (const cJSON *c = v->child; c != NULL && w->status == ATT_OK; c = c->next)
            att_jw_cjson(w, obj ? c->string : NULL, c);
        close_container(w, obj);
        return;
    }
    if (!begin(w, key, key_len(key)))
        return;
    if (cJSON_IsString(v) && v->valuestring != NULL)
        put_string(w, v->valuestring, strlen(v->valuestring));
    else if (cJSON_IsRaw(v) && v->valuestring != NULL)
        put(w, v->valuestring, strlen(v->valuestring));
    else if (cJSON_IsNumber(v))
        put_number(w, v->valuedouble);
    else if (cJSON_IsTrue(v))
        put(w, "true", 4);
    else if (cJSON_IsFalse(v))
        put(w, "false", 5);
    else
        put(w, "null", 4);
}

void att_jw_newline(struct att_jw *w)
{
    if (w->status != ATT_OK)
        return;
    if (w->depth != 0) {
        misuse(w);
        return;
    }
    w->top = false;
    putc1(w, '\n');
}

int att_jw_flush(struct att_jw *w, struct att_err *err)
{
    drain(w);
    if (w->status == ATT_E_INTERNAL)
        return att_err_set(err, w->status,
                           "JSON writer misused (nesting, a close, a key or a second value)");
    if (w->status != ATT_OK)
        return att_err_set(err, w->status, "JSON output stopped: %s",
                           att_strerror(w->status));
    return ATT_OK;
}
