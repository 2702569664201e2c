/* attached: the search page's HTML pieces: escaping, links with
 * percent-encoded query strings, the query string's parameters, and the
 * frame, search form and hints every page shares. No index access. */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <unistr.h>

#include "attache/attache.h"
#include "numparse.h"
#include "web_page.h"

const char *const att_web_filter_names[ATT_WF_N] = {
    "from", "to", "source", "speaker", "author", "actor", "language",
};

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* ------------------------------------------------------------------ */
/* Escaping */

/* The entity of c, or NULL when c stands for itself. */
static const char *entity(unsigned char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    default: return NULL;
    }
}

/* Length of a marker at s[0..n), or 0: 1 for PRE, 2 for POST as *kind. */
static size_t marker_at(const char *s, size_t n, int *kind)
{
    if (n < 3 || (unsigned char)s[0] != 0xee || (unsigned char)s[1] != 0x80)
        return 0;
    if ((unsigned char)s[2] == 0x80 || (unsigned char)s[2] == 0x81) {
        *kind = (unsigned char)s[2] == 0x80 ? 1 : 2;
        return 3;
    }
    return 0;
}

/* s[0..len) escaped; markers become <mark>/</mark> when marks is true,
 * else are dropped. Returns whether a <mark> is left open. */
static bool esc_run(struct evbuffer *b, const char *s, size_t len, bool marks, bool open)
{
    size_t from = 0, i = 0;
    int kind;

    while (i < len) {
        const char *ent = entity((unsigned char)s[i]);
        size_t m = ent ? 0 : marker_at(s + i, len - i, &kind);
        if (ent == NULL && m == 0) {
            i++;
            continue;
        }
        evbuffer_add(b, s + from, i - from);
        if (ent != NULL) {
            evbuffer_add(b, ent, strlen(ent));
            i++;
        } else {
            if (marks && kind == 1 && !open)
                evbuffer_add(b, "<mark>", 6);
            else if (marks && kind == 2 && open)
                evbuffer_add(b, "</mark>", 7);
            open = marks ? kind == 1 : open;
            i += m;
        }
        from = i;
    }
    evbuffer_add(b, s + from, len - from);
    return open;
}

void att_web_esc(struct evbuffer *b, const char *s, size_t len)
{
    esc_run(b, s, len, false, false);
}

void att_web_escs(struct evbuffer *b, const char *s)
{
    if (s != NULL)
        esc_run(b, s, strlen(s), false, false);
}

void att_web_marked(struct evbuffer *b, const char *s, size_t len)
{
    if (esc_run(b, s, len, true, false))
        evbuffer_add(b, "</mark>", 7);
}

/* The integer at index i of the array a, or -1. */
static long long range_end(const cJSON *a, int i)
{
    const cJSON *v = cJSON_GetArrayItem(a, i);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : -1;
}

void att_web_ranges(struct evbuffer *b, const char *s, size_t len, const cJSON *ranges)
{
    size_t at = 0;
    const cJSON *r;

    cJSON_ArrayForEach(r, ranges) {
        long long st = range_end(r, 0), en = range_end(r, 1);
        if (st < (long long)at || en <= st || en > (long long)len)
            continue;
        att_web_esc(b, s + at, (size_t)st - at);
        evbuffer_add(b, "<mark>", 6);
        att_web_esc(b, s + st, (size_t)(en - st));
        evbuffer_add(b, "</mark>", 7);
        at = (size_t)en;
    }
    att_web_esc(b, s + at, len - at);
}

/* ------------------------------------------------------------------ */
/* Links */

void att_web_pct(struct evbuffer *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            evbuffer_add(b, s, 1);
        } else if (c == ' ') {
            evbuffer_add(b, "+", 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            evbuffer_add(b, e, 3);
        }
    }
}

/* "name=value" after sep ("?" first, then "&amp;"), when value is set. */
static void arg(struct evbuffer *b, bool *first, const char *name, const char *value)
{
    if (value == NULL || value[0] == '\0')
        return;
    evbuffer_add_printf(b, "%s%s=", *first ? "?" : "&amp;", name);
    att_web_pct(b, value);
    *first = false;
}

/* p's query, filters and sort, as arguments. */
static void query_args(struct evbuffer *b, bool *first, const struct att_web_params *p)
{
    if (p->has_q) {
        evbuffer_add_printf(b, "%sq=", *first ? "?" : "&amp;");
        att_web_pct(b, p->q);
        *first = false;
    }
    for (int i = 0; i < ATT_WF_N; i++)
        arg(b, first, att_web_filter_names[i], p->filter[i]);
    arg(b, first, "sort", p->sort);
}

void att_web_search_href(struct evbuffer *b, const struct att_web_params *p)
{
    bool first = true;

    evbuffer_add(b, "/", 1);
    query_args(b, &first, p);
    if (p->offset > 0)
        evbuffer_add_printf(b, "%soffset=%ld", first ? "?" : "&amp;", p->offset);
}

void att_web_doc_href(struct evbuffer *b, const char *id, long n, const struct att_web_params *p)
{
    bool first = true;

    evbuffer_add(b, "/doc", 4);
    arg(b, &first, "id", id);
    if (n >= 0)
        evbuffer_add_printf(b, "&amp;p=%ld", n);
    if (p != NULL)
        query_args(b, &first, p);
    if (n >= 0)
        evbuffer_add_printf(b, "#p%ld", n);
}

bool att_web_linkable(const char *url)
{
    return url != NULL && (strncasecmp(url, "http://", 7) == 0 ||
                           strncasecmp(url, "https://", 8) == 0);
}

/* ------------------------------------------------------------------ */
/* The query string */

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

/* Decode s[0..n) ("+", %XX) into out, then keep what is UTF-8 (NUL and
 * bytes that start no character become U+FFFD); out ends in NUL and
 * grows by at most 3 * n + 1 bytes (so a pair of the query string of
 * L bytes, name and value, takes at most 5 * L). Returns the end of out. */
static char *decode(const char *s, size_t n, char *out, char *scratch)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        int hi = -1, lo = -1;
        if (s[i] == '%' && i + 2 < n) {
            hi = hexval(s[i + 1]);
            lo = hexval(s[i + 2]);
        }
        if (hi >= 0 && lo >= 0) {
            scratch[k++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            scratch[k++] = s[i] == '+' ? ' ' : s[i];
        }
    }
    for (size_t i = 0; i < k;) {
        ucs4_t uc;
        int m = u8_mbtoucr(&uc, (const uint8_t *)scratch + i, k - i);
        if (m <= 0 || uc == 0) {
            memcpy(out, REPLACEMENT, 3);
            out += 3;
            i++;
        } else {
            memcpy(out, scratch + i, (size_t)m);
            out += m;
            i += (size_t)m;
        }
    }
    *out = '\0';
    return out + 1;
}

/* Keep the decoded value of name in p; unknown names are ignored. */
static void take(struct att_web_params *p, const char *name, const char *value)
{
    long long n;

    if (strcmp(name, "q") == 0) {
        p->q = value;
        p->has_q = true;
    } else if (strcmp(name, "sort") == 0) {
        if (strcmp(value, "date") == 0 || strcmp(value, "-date") == 0)
            p->sort = value;
    } else if (strcmp(name, "id") == 0) {
        p->id = value;
    } else if (strcmp(name, "token") == 0) {
        p->token = value;
    } else if (strcmp(name, "next") == 0) {
        p->next = value;
    } else if (strcmp(name, "offset") == 0) {
        if (att_parse_int(value, 0, ATT_WEB_MAX_OFFSET, &n, NULL) == ATT_OK)
            p->offset = (long)n;
    } else if (strcmp(name, "p") == 0) {
        if (att_parse_int(value, 0, 1000000000, &n, NULL) == ATT_OK)
            p->p = (long)n;
    } else {
        for (int i = 0; i < ATT_WF_N; i++)
            if (strcmp(name, att_web_filter_names[i]) == 0)
                p->filter[i] = value;
    }
}

int att_web_params_parse(const char *query, size_t len, struct att_web_params *out)
{
    char *scratch, *at;
    size_t i = 0;

    memset(out, 0, sizeof *out);
    out->q = out->sort = out->id = out->token = out->next = "";
    for (int k = 0; k < ATT_WF_N; k++)
        out->filter[k] = "";
    out->p = -1;
    out->cap = 5 * len + 4; /* see decode: at most 5 per byte */
    out->buf = malloc(out->cap);
    scratch = malloc(len + 1);
    if (out->buf == NULL || scratch == NULL) {
        free(scratch);
        att_web_params_free(out);
        return ATT_E_NOMEM;
    }
    at = out->buf;
    while (i < len) {
        size_t end = i, eq;
        while (end < len && query[end] != '&' && query[end] != ';')
            end++;
        for (eq = i; eq < end && query[eq] != '='; eq++)
            ;
        if (end > i) {
            char *name = at;
            at = decode(query + i, eq - i, at, scratch);
            char *value = at;
            at = decode(query + eq + (eq < end), end - eq - (eq < end), at, scratch);
            take(out, name, value);
        }
        i = end + 1;
    }
    free(scratch);
    return ATT_OK;
}

void att_web_params_free(struct att_web_params *p)
{
    if (p->buf != NULL)
        explicit_bzero(p->buf, p->cap);
    free(p->buf);
    p->buf = NULL;
}

bool att_web_any_filter(const struct att_web_params *p)
{
    for (int i = 0; i < ATT_WF_N; i++)
        if (p->filter[i][0] != '\0')
            return true;
    return false;
}
