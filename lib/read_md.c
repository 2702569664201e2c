/* attache: the .md reader. YAML-style front matter (lib/front_matter.c),
 * then the Markdown read by md4c into plain text: one line per block,
 * the lines of a paragraph joined, code kept as plain text, markup dropped. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <md4c.h>

#include "attache/doc.h"
#include "buf.h"
#include "doc_priv.h"

#define LISTS_MAX 8         /* nested lists whose item numbers are followed */
#define ITEM_NUMBER_MIN 1000 /* "2025. A year": an item number kept as text */
#define MD_FLAGS (MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_TASKLISTS)

/* What a line of the output holds; a paragraph line joins the text or list
 * line before it when no blank line came between them in the source. */
enum kind { K_NONE, K_TEXT, K_LIST, K_HEAD, K_CODE, K_TABLE };

struct md {
    const char *s;            /* the Markdown text, with "\n" line ends */
    size_t len;
    struct att_buf out;       /* the plain text */
    int rc;                   /* the first error, ATT_OK while there is none */
    enum kind kind;           /* of the block being read; K_NONE between blocks */
    bool open;                /* its line has begun in out, at `line` */
    size_t line;
    enum kind prev;           /* kind of the last line written, K_NONE before any */
    bool gap;                 /* a blank line, code block or rule came after it */
    size_t src;               /* where in s the last text written ended */
    const char *at;           /* the text md4c handed over last (maybe not in s) */
    char prefix[24];          /* written before the first text of a list item */
    bool cell;                /* a table cell began: a space before its text */
    bool squeeze;             /* raw HTML was dropped: no double space there */
    bool html;                /* inside an HTML block */
    bool in_tag, in_comment;  /* inside a tag or a comment of that block */
    bool in_code;             /* inside a code block, collected in code */
    struct att_buf code;
    unsigned level;           /* of the heading being read */
    bool have_h1;
    size_t h1_start, h1_end;  /* the first level-1 heading, in out */
    unsigned depth;           /* of nested lists */
    unsigned item[LISTS_MAX]; /* the next item number of an ordered list, or 0 */
    char delim[LISTS_MAX];
};

/* ---- output ---- */

static bool in_source(const struct md *m, const char *p)
{
    uintptr_t a = (uintptr_t)p, s = (uintptr_t)m->s;

    return p != NULL && a >= s && a <= s + m->len;
}

static void add(struct md *m, const char *p, size_t n)
{
    if (m->rc == ATT_OK && n > 0)
        m->rc = att_buf_add(&m->out, p, n);
}

static bool ends_in_space(const struct md *m)
{
    return m->out.len > m->line && m->out.p[m->out.len - 1] == ' ';
}

/* True when a blank line (white space or '>' only) lies in s between the
 * last text written and p, which points into s or elsewhere (false). The
 * stretches looked at do not overlap: linear in all. */
static bool blank_before(const struct md *m, const char *p)
{
    size_t at;

    if (!in_source(m, p))
        return false;
    at = (size_t)(p - m->s);
    for (size_t i = m->src; i < at; i++) {
        size_t j = i + 1;

        if (m->s[i] != '\n')
            continue;
        while (j < at && (m->s[j] == ' ' || m->s[j] == '\t' || m->s[j] == '>'))
            j++;
        if (j < at && m->s[j] == '\n')
            return true;
    }
    return false;
}

/* Begin the line of the current block, whose first text is at p in s (or
 * NULL): a paragraph joins the line before with a space, anything else
 * goes on a new line, after an empty one when there was a gap. */
static void start_line(struct md *m, const char *p)
{
    bool gap = m->gap || blank_before(m, p);

    if (m->kind == K_NONE)
        m->kind = K_TEXT; /* text after a nested list, in its item */
    if (m->kind == K_TEXT && (m->prev == K_TEXT || m->prev == K_LIST) && !gap)
        add(m, " ", 1);
    else if (m->prev != K_NONE)
        add(m, "\n\n", gap ? 2 : 1);
    m->line = m->out.len;
    m->open = true;
    add(m, m->prefix, strlen(m->prefix));
    m->prefix[0] = '\0';
}

/* Write text p[0..n) on the current line; leading white space is dropped
 * from a line, and after dropped raw HTML when a space is already there. */
static void text(struct md *m, const char *p, size_t n)
{
    bool skip = !m->open || (m->squeeze && ends_in_space(m));

    while (skip && n > 0 && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    if (n == 0)
        return;
    if (!m->open)
        start_line(m, in_source(m, p) ? p : m->at);
    else if (m->cell && !ends_in_space(m))
        add(m, " ", 1);
    m->cell = m->squeeze = false;
    add(m, p, n);
    if (in_source(m, p))
        m->src = (size_t)(p + n - m->s);
}

/* End the current line: trim it; a level-1 heading is remembered. */
static void end_line(struct md *m)
{
    char *p = m->out.p;

    if (m->open && p != NULL) {
        while (m->out.len > m->line && (p[m->out.len - 1] == ' ' || p[m->out.len - 1] == '\t'))
            m->out.len--;
        p[m->out.len] = '\0'; /* as struct att_buf promises */
        if (m->kind == K_HEAD && m->level == 1 && !m->have_h1) {
            m->have_h1 = true;
            m->h1_start = m->line;
            m->h1_end = m->out.len;
        }
        m->prev = m->kind;
        m->gap = false;
    }
    m->open = m->cell = m->squeeze = false;
    m->kind = K_NONE;
}

/* One space between words, none at the start of a line. */
static void space(struct md *m)
{
    if (m->open && !ends_in_space(m))
        add(m, " ", 1);
}

static void begin(struct md *m, enum kind kind)
{
    end_line(m);
    m->kind = kind;
}

static void blank(struct md *m)
{
    if (m->prev != K_NONE)
        m->gap = true;
}

/* ---- text ---- */

static const struct {
    const char *name;
    const char *text;
} entities[] = {
    {"amp", "&"},
    {"lt", "<"},
    {"gt", ">"},
    {"quot", "\""},
    {"apos", "'"},
    {"nbsp", " "},
    {"mdash", "\xE2\x80\x94"},
    {"ndash", "\xE2\x80\x93"},
    {"hellip", "\xE2\x80\xA6"},
    {"lsquo", "\xE2\x80\x98"},
    {"rsquo", "\xE2\x80\x99"},
    {"ldquo", "\xE2\x80\x9C"},
    {"rdquo", "\xE2\x80\x9D"},
    {"copy", "\xC2\xA9"},
};

/* Encode the character reference s[0..n) ("#233", "#xE9") as UTF-8 into
 * buf; returns its length, or 0 when it is not a printable character. */
static size_t char_ref(const char *s, size_t n, char buf[4])
{
    bool hex = n > 1 && (s[1] == 'x' || s[1] == 'X');
    unsigned long cp = 0;
    size_t i = hex ? 2 : 1, len;

    if (i >= n || n - i > 7)
        return 0;
    for (; i < n; i++) {
        char c = s[i];
        int v = c >= '0' && c <= '9' ? c - '0' : -1;

        if (hex && v < 0 && ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'))
            v = (c | 0x20) - 'a' + 10;
        if (v < 0 || (!hex && v > 9))
            return 0;
        cp = cp * (hex ? 16 : 10) + (unsigned long)v;
    }
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || (cp >= 0xD800 && cp < 0xE000) || cp > 0x10FFFF)
        return 0;
    if (cp < 0x80) {
        buf[0] = (char)cp;
        return 1;
    }
    len = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (i = len - 1; i > 0; i--, cp >>= 6)
        buf[i] = (char)(0x80 | (cp & 0x3F));
    buf[0] = (char)(((0xFF00u >> len) & 0xFF) | cp); /* 110xxxxx, 1110xxxx, 11110xxx */
    return len;
}

/* Write the character reference or entity p[0..n) ("&amp;", "&#233;",
 * "&#xE9;") decoded when it is one of ours, else as it is. */
static void entity(struct md *m, const char *p, size_t n)
{
    char buf[4];
    size_t k;

    if (n > 3 && p[1] == '#') {
        k = char_ref(p + 1, n - 2, buf);
        if (k > 0) {
            text(m, buf, k);
            return;
        }
    }
    for (size_t e = 0; n > 2 && e < sizeof entities / sizeof entities[0]; e++) {
        if (strlen(entities[e].name) == n - 2 && memcmp(p + 1, entities[e].name, n - 2) == 0) {
            text(m, entities[e].text, strlen(entities[e].text));
            return;
        }
    }
    text(m, p, n);
}

/* The end of an entity at p[0..n) ("&name;" or "&#...;"), or 0. */
static size_t entity_len(const char *p, size_t n)
{
    for (size_t i = 1; i < n && i < 12; i++) {
        if (p[i] == ';')
            return i > 1 ? i + 1 : 0;
        if (!((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z') && !(p[i] >= '0' && p[i] <= '9') &&
            p[i] != '#')
            return 0;
    }
    return 0;
}

/* A '<' followed by c opens a tag. */
static bool tag_start(char c)
{
    return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '/' || c == '!' || c == '?';
}

/* Text of an HTML block p[0..n): tags and comments dropped, entities
 * decoded, lines joined; the state carries over from call to call. */
static void html_text(struct md *m, const char *p, size_t n)
{
    size_t i = 0;

    while (i < n) {
        size_t k = i, e;

        if (m->in_comment || m->in_tag) {
            const char *end = m->in_comment ? memmem(p + i, n - i, "-->", 3)
                                             : memchr(p + i, '>', n - i);

            if (end == NULL)
                return;
            i = (size_t)(end - p) + (m->in_comment ? 3 : 1);
            m->in_comment = m->in_tag = false;
            m->squeeze = true;
            continue;
        }
        while (k < n && p[k] != '<' && p[k] != '&' && p[k] != '\n')
            k++;
        text(m, p + i, k - i);
        if (k == n)
            return;
        if (p[k] == '\n') {
            space(m);
        } else if (p[k] == '&' && (e = entity_len(p + k, n - k)) > 0) {
            entity(m, p + k, e);
            k += e - 1;
        } else if (p[k] == '<' && n - k >= 4 && memcmp(p + k, "<!--", 4) == 0) {
            m->in_comment = true;
            k += 3;
        } else if (p[k] == '<' && k + 1 < n && tag_start(p[k + 1])) {
            m->in_tag = true;
        } else {
            text(m, p + k, 1);
        }
        i = k + 1;
    }
}

/* ---- md4c callbacks ---- */

/* The lines of a code block, kept as they are; blank ones make a gap. */
static void code_lines(struct md *m)
{
    const char *s = m->code.p;
    size_t p = 0, n = m->code.len;

    blank(m);
    while (p < n) {
        const char *nl = memchr(s + p, '\n', n - p);
        size_t e = nl != NULL ? (size_t)(nl - s) : n;

        if (att_doc_blank(s + p, e - p)) {
            blank(m);
        } else {
            begin(m, K_CODE);
            start_line(m, NULL); /* the indentation stays */
            add(m, s + p, e - p);
            end_line(m);
        }
        p = e + 1;
    }
    blank(m);
    att_buf_reset(&m->code);
    m->in_code = false;
}

/* A list item. From ITEM_NUMBER_MIN on, its number stays as text: "2025.
 * A year" reads as a year more often than as an item. */
static void list_item(struct md *m)
{
    unsigned d = m->depth - 1;

    begin(m, K_LIST);
    m->prefix[0] = '\0';
    if (m->depth == 0 || d >= LISTS_MAX || m->item[d] == 0)
        return;
    if (m->item[d] >= ITEM_NUMBER_MIN)
        snprintf(m->prefix, sizeof m->prefix, "%u%c ", m->item[d], m->delim[d]);
    m->item[d]++;
}

static void list_enter(struct md *m, MD_BLOCKTYPE type, const void *detail)
{
    const MD_BLOCK_OL_DETAIL *ol = detail;

    if (m->depth < LISTS_MAX) {
        m->item[m->depth] = type == MD_BLOCK_OL ? ol->start : 0;
        m->delim[m->depth] = type == MD_BLOCK_OL ? ol->mark_delimiter : '.';
    }
    m->depth++;
}

static int on_enter(MD_BLOCKTYPE type, void *detail, void *ud)
{
    struct md *m = ud;

    switch (type) {
    case MD_BLOCK_P:
        begin(m, K_TEXT);
        break;
    case MD_BLOCK_H:
        begin(m, K_HEAD);
        m->level = ((const MD_BLOCK_H_DETAIL *)detail)->level;
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        list_enter(m, type, detail);
        break;
    case MD_BLOCK_LI:
        list_item(m);
        break;
    case MD_BLOCK_TR:
        begin(m, K_TABLE);
        break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
        m->cell = true;
        break;
    case MD_BLOCK_HTML:
        begin(m, K_TEXT);
        m->html = true;
        m->in_tag = m->in_comment = false;
        break;
    case MD_BLOCK_CODE:
        end_line(m);
        m->in_code = true;
        break;
    case MD_BLOCK_HR:
        end_line(m);
        blank(m);
        break;
    default:
        break;
    }
    return m->rc;
}

static int on_leave(MD_BLOCKTYPE type, void *detail, void *ud)
{
    struct md *m = ud;

    (void)detail;
    switch (type) {
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        m->depth--;
        break;
    case MD_BLOCK_CODE:
        code_lines(m);
        break;
    case MD_BLOCK_HTML:
        m->html = false;
        end_line(m);
        break;
    case MD_BLOCK_LI:
        m->prefix[0] = '\0';
        end_line(m);
        break;
    case MD_BLOCK_P:
    case MD_BLOCK_H:
    case MD_BLOCK_TR:
        end_line(m);
        break;
    default:
        break;
    }
    return m->rc;
}

/* Spans need nothing: a link or image gives its text, code its code. */
static int on_span(MD_SPANTYPE type, void *detail, void *ud)
{
    (void)type;
    (void)detail;
    (void)ud;
    return 0;
}

static int on_text(MD_TEXTTYPE type, const MD_CHAR *p, MD_SIZE n, void *ud)
{
    struct md *m = ud;

    m->at = p;
    if (m->in_code) {
        if (m->rc == ATT_OK)
            m->rc = att_buf_add(&m->code, p, n);
        return m->rc;
    }
    switch (type) {
    case MD_TEXT_NULLCHAR:
        text(m, "\xEF\xBF\xBD", 3);
        break;
    case MD_TEXT_BR:
    case MD_TEXT_SOFTBR:
        space(m);
        break;
    case MD_TEXT_ENTITY:
        entity(m, p, n);
        break;
    case MD_TEXT_HTML:
        if (m->html)
            html_text(m, p, n);
        else
            m->squeeze = true; /* inline raw HTML is dropped */
        break;
    default:
        text(m, p, n);
        break;
    }
    return m->rc;
}

/* Read the Markdown s[0..len) into doc->body; the first level-1 heading
 * becomes the title when there is none. */
static int body(struct att_doc *doc, const char *s, size_t len)
{
    const MD_PARSER parser = {0, MD_FLAGS, on_enter, on_leave, on_span, on_span, on_text,
                              NULL, NULL};
    struct md m = {.s = s, .len = len};
    int rc;

    if ((MD_SIZE)len != len)
        return ATT_E_TOOBIG;
    att_buf_init(&m.out, SIZE_MAX);
    att_buf_init(&m.code, SIZE_MAX);
    rc = md_parse(s, (MD_SIZE)len, &parser, &m);
    end_line(&m);
    if (m.rc == ATT_OK && rc != 0)
        m.rc = ATT_E_NOMEM; /* md4c fails only when out of memory */
    if (m.rc == ATT_OK && doc->title == NULL && m.have_h1)
        m.rc = att_doc_collapse(m.out.p + m.h1_start, m.h1_end - m.h1_start, &doc->title);
    if (m.rc == ATT_OK && att_doc_blank(m.out.p, m.out.len))
        m.rc = ATT_E_EMPTY;
    att_buf_free(&m.code);
    if (m.rc != ATT_OK) {
        att_buf_free(&m.out);
        return m.rc;
    }
    doc->body = att_buf_take(&m.out, &doc->body_len);
    return doc->body != NULL ? ATT_OK : ATT_E_NOMEM;
}

int att_read_md(const char *data, size_t len, struct att_doc *doc, struct att_err *err)
{
    char *owned = NULL, *text;
    size_t n, start, fm;
    int rc;

    if (att_doc_read_begin(&data, &len, &owned, err) != ATT_OK)
        return ATT_E_NOMEM;
    text = att_doc_unix_lines(data, len, &n);
    free(owned);
    if (text == NULL)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    start = att_doc_bom(text, n);
    fm = att_front_end(text + start, n - start);
    rc = att_front_read(doc, text + start, fm);
    if (rc == ATT_OK)
        rc = body(doc, text + start + fm, n - start - fm);
    free(text);
    return att_doc_read_end(doc, rc, "too large for the Markdown parser", err);
}
