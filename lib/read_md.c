/* attache: the .md reader. YAML-style front matter (title, date, source,
 * url), then the Markdown text with its markup stripped: one line per block,
 * the lines of a paragraph joined, code kept as plain text. Linear time. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attache/doc.h"
#include "attache/text.h"
#include "doc_priv.h"

#define FRONT_MAX_LINES 200 /* a longer front matter block is not one */
#define CODE_RUN_MAX 8      /* a longer backtick run is text */
#define TAG_MAX 1024        /* an HTML tag longer than this is text */
#define URL_MAX 2048        /* a link destination longer than this is text */
#define NONE SIZE_MAX

enum kind { K_NONE, K_TEXT, K_LIST, K_HEAD, K_CODE, K_TABLE };

struct md {
    const char *s; /* the Markdown text, with "\n" line ends */
    size_t len;
    char *out; /* the text with the markup stripped */
    size_t n, cap;
    bool oom;
    enum kind prev;    /* kind of the last line written, K_NONE before any */
    bool gap;          /* a blank line came after it */
    size_t para;       /* start in out of the paragraph being written */
    size_t para_saved; /* para before the line being written */
    size_t line;       /* start in out of the line being written */
    size_t mark;       /* length of out before that line's separator */
    bool in_fence;
    char fence_ch;
    size_t fence_len;
    bool in_comment; /* inside <!-- --> */
    bool have_h1;
    size_t h1_start, h1_end; /* the first level-1 heading, in out */
    bool table;              /* the line is a table row: '|' separates */
    size_t from;             /* where the inline text of the line starts in s */
    size_t skip_from;        /* a link destination s[skip_from..skip_to) to drop */
    size_t skip_to;
    size_t code_fail[CODE_RUN_MAX + 1]; /* no backtick run of that length from here on */
    size_t next_paren;                  /* the next ')' in s at or after the last look */
    size_t next_gt;                     /* the next '>' likewise */
};

/* ---- output ---- */

static void put(struct md *m, const char *p, size_t k)
{
    size_t cap = m->cap;
    char *o;

    if (m->oom || k == 0)
        return;
    if (cap - m->n <= k) {
        while (cap - m->n <= k)
            cap = cap * 2 + 64;
        o = realloc(m->out, cap);
        if (o == NULL) {
            m->oom = true;
            return;
        }
        m->out = o;
        m->cap = cap;
    }
    memcpy(m->out + m->n, p, k);
    m->n += k;
}

static void put_c(struct md *m, char c)
{
    put(m, &c, 1);
}

/* Begin a line of the given kind: a paragraph line following one joins it
 * with a space; anything else goes on a new line, after an empty one when
 * the source had a blank line. */
static void start_line(struct md *m, enum kind kind)
{
    bool join = kind == K_TEXT && (m->prev == K_TEXT || m->prev == K_LIST) && !m->gap;

    m->mark = m->n;
    m->para_saved = m->para;
    if (join)
        put_c(m, ' ');
    else if (m->prev != K_NONE)
        put(m, "\n\n", m->gap ? 2 : 1);
    m->line = m->n;
    if (!join)
        m->para = m->n;
}

/* End the line: trim it, and take it back when nothing is left. */
static bool end_line(struct md *m, enum kind kind)
{
    while (m->n > m->line && (m->out[m->n - 1] == ' ' || m->out[m->n - 1] == '\t'))
        m->n--;
    if (m->n == m->line) {
        m->n = m->mark;
        m->para = m->para_saved;
        return false;
    }
    m->prev = kind;
    m->gap = false;
    return true;
}

static void blank(struct md *m)
{
    if (m->prev != K_NONE)
        m->gap = true;
}

/* ---- inline markup ---- */

static bool ascii_punct(char c)
{
    return c != '\0' && strchr("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) != NULL;
}

static bool word_byte(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (unsigned char)c >= 0x80;
}

static bool special(char c)
{
    return c != '\0' && strchr("\\`![<&*_~|", c) != NULL;
}

static size_t run_of(const char *s, size_t i, size_t b, char c)
{
    size_t k = i;

    while (k < b && s[k] == c)
        k++;
    return k - i;
}

/* A backslash escape, or a hard line break at the end of the line. */
static size_t escape(struct md *m, size_t i, size_t b)
{
    if (i + 1 == b)
        return b;
    if (ascii_punct(m->s[i + 1])) {
        put_c(m, m->s[i + 1]);
        return i + 2;
    }
    put_c(m, '\\');
    return i + 1;
}

/* The start of the next backtick run of exactly r bytes in s[from..b), or
 * NONE. A search that fails is remembered, so the line stays linear. */
static size_t code_close(struct md *m, size_t from, size_t b, size_t r)
{
    size_t p = from;

    if (m->code_fail[r] <= from)
        return NONE;
    while (p < b) {
        const char *q = memchr(m->s + p, '`', b - p);
        size_t at, k;

        if (q == NULL)
            break;
        at = (size_t)(q - m->s);
        k = run_of(m->s, at, b, '`');
        if (k == r)
            return at;
        p = at + k;
    }
    m->code_fail[r] = from;
    return NONE;
}

/* `code`: keep the code, drop the backticks. */
static size_t code_span(struct md *m, size_t i, size_t b)
{
    size_t r = run_of(m->s, i, b, '`');
    size_t c = r <= CODE_RUN_MAX ? code_close(m, i + r, b, r) : NONE;

    if (c == NONE) {
        put(m, m->s + i, r);
        return i + r;
    }
    put(m, m->s + i + r, c - (i + r));
    return c + r;
}

/* The next c at or after from, cached in *next across calls; NONE when it
 * is not on this line (before b) or further than max bytes. */
static size_t next_of(struct md *m, size_t *next, char c, size_t from, size_t b, size_t max)
{
    if (*next < from) {
        const char *q = memchr(m->s + from, c, m->len - from);

        *next = q != NULL ? (size_t)(q - m->s) : m->len;
    }
    if (*next >= b || *next - from > max)
        return NONE;
    return *next;
}

/* The ']' closing the '[' at i, with no other bracket between, or NONE. */
static size_t close_bracket(const char *s, size_t i, size_t b)
{
    size_t j = i + 1;

    while (j < b && s[j] != ']' && s[j] != '[')
        j++;
    return j < b && s[j] == ']' && j > i + 1 ? j : NONE;
}

/* [text](url), [text][ref] and, through image(), ![alt](src): keep the
 * text, drop the brackets and the destination. */
static bool link(struct md *m, size_t i, size_t b)
{
    size_t j = close_bracket(m->s, i, b), k;

    if (j == NONE || j + 1 >= b)
        return false;
    if (m->s[j + 1] == '(')
        k = next_of(m, &m->next_paren, ')', j + 2, b, URL_MAX);
    else if (m->s[j + 1] == '[')
        k = j + 2 < b && m->s[j + 2] == ']' ? j + 2 : close_bracket(m->s, j + 1, b);
    else
        return false;
    if (k == NONE)
        return false;
    m->skip_from = j;
    m->skip_to = k + 1;
    return true;
}

static size_t bracket(struct md *m, size_t i, size_t b)
{
    if (!link(m, i, b))
        put_c(m, '[');
    return i + 1;
}

static size_t image(struct md *m, size_t i, size_t b)
{
    if (i + 1 < b && m->s[i + 1] == '[' && link(m, i + 1, b))
        return i + 2;
    put_c(m, '!');
    return i + 1;
}

/* <tag ...> and <!-- comments --> are dropped; <https://...> keeps its URL. */
static size_t tag(struct md *m, size_t i, size_t b)
{
    const char *s = m->s;
    char c = i + 1 < b ? s[i + 1] : '\0';
    size_t g;

    if (b - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
        m->in_comment = true;
        return i + 4;
    }
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '/' || c == '!' || c == '?'))
        g = NONE;
    else
        g = next_of(m, &m->next_gt, '>', i + 1, b, TAG_MAX);
    if (g == NONE) {
        put_c(m, '<');
        return i + 1;
    }
    if (memchr(s + i, ' ', g - i) == NULL &&
        (memmem(s + i, g - i, "://", 3) != NULL || memchr(s + i, '@', g - i) != NULL))
        put(m, s + i + 1, g - i - 1);
    return g + 1;
}

static size_t comment_end(struct md *m, size_t i, size_t b)
{
    const char *e = memmem(m->s + i, b - i, "-->", 3);

    if (e == NULL)
        return b;
    m->in_comment = false;
    return (size_t)(e - m->s) + 3;
}

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
    size_t i = hex ? 2 : 1;

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
    if (cp < 0x800) {
        buf[0] = (char)(0xC0 | (cp >> 6));
        buf[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        buf[0] = (char)(0xE0 | (cp >> 12));
        buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    buf[0] = (char)(0xF0 | (cp >> 18));
    buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* &amp; &#233; &#xE9; and a few common named entities; others stay as text. */
static size_t entity(struct md *m, size_t i, size_t b)
{
    const char *s = m->s;
    size_t j = i + 1, n;
    char buf[4];

    while (j < b && j - i <= 10 && (word_byte(s[j]) || s[j] == '#'))
        j++;
    n = j - i - 1;
    if (j < b && s[j] == ';' && n > 0 && s[i + 1] == '#') {
        size_t k = char_ref(s + i + 1, n, buf);

        if (k > 0) {
            put(m, buf, k);
            return j + 1;
        }
    }
    for (size_t e = 0; j < b && s[j] == ';' && e < sizeof entities / sizeof entities[0]; e++) {
        if (strlen(entities[e].name) == n && memcmp(s + i + 1, entities[e].name, n) == 0) {
            put(m, entities[e].text, strlen(entities[e].text));
            return j + 1;
        }
    }
    put_c(m, '&');
    return i + 1;
}

/* Emphasis and strike-through markers (*, _, ~~) are dropped unless they
 * stand alone between spaces ("2 * 3") or, for '_', inside a word. */
static size_t emphasis(struct md *m, size_t i, size_t b)
{
    const char *s = m->s;
    char c = s[i];
    size_t r = run_of(s, i, b, c);
    char before = i > m->from ? s[i - 1] : ' ';
    char after = i + r < b ? s[i + r] : ' ';
    bool keep = att_doc_space((unsigned char)before) && att_doc_space((unsigned char)after);

    if (c == '_' && word_byte(before) && word_byte(after))
        keep = true;
    if (c == '~' && r != 2)
        keep = true;
    if (keep)
        put(m, s + i, r);
    return i + r;
}

static size_t plain(struct md *m, size_t i, size_t b)
{
    size_t e = i + 1;

    while (e < b && !special(m->s[e]) && e != m->skip_from)
        e++;
    put(m, m->s + i, e - i);
    return e;
}

static size_t inline_at(struct md *m, size_t i, size_t b)
{
    switch (m->s[i]) {
    case '\\':
        return escape(m, i, b);
    case '`':
        return code_span(m, i, b);
    case '!':
        return image(m, i, b);
    case '[':
        return bracket(m, i, b);
    case '<':
        return tag(m, i, b);
    case '&':
        return entity(m, i, b);
    case '*':
    case '_':
    case '~':
        return emphasis(m, i, b);
    case '|':
        if (!m->table)
            break;
        if (m->n > m->line && m->out[m->n - 1] != ' ')
            put_c(m, ' ');
        for (i++; i < b && m->s[i] == ' ';)
            i++;
        return i;
    default:
        break;
    }
    return plain(m, i, b);
}

/* Write the inline text s[i..b) without its markup. */
static void inline_text(struct md *m, size_t i, size_t b)
{
    while (i < b && (m->s[i] == ' ' || m->s[i] == '\t'))
        i++;
    m->from = i;
    m->skip_from = NONE;
    for (size_t k = 0; k <= CODE_RUN_MAX; k++)
        m->code_fail[k] = NONE;
    while (i < b) {
        if (m->in_comment) {
            i = comment_end(m, i, b);
            /* No double space where a comment was. */
            while (i < b && m->s[i] == ' ' && (m->n == m->line || m->out[m->n - 1] == ' '))
                i++;
        } else if (i == m->skip_from) {
            i = m->skip_to;
            m->skip_from = NONE;
        } else {
            i = inline_at(m, i, b);
        }
    }
}

/* ---- blocks ---- */

static void text_block(struct md *m, enum kind kind, size_t i, size_t b)
{
    start_line(m, kind);
    inline_text(m, i, b);
    end_line(m, kind);
}

/* Past any block quote markers ("> ", "> > ") at the start of s[i..b). */
static size_t unquote_line(const char *s, size_t i, size_t b)
{
    for (;;) {
        size_t k = i;

        while (k < b && k - i < 3 && s[k] == ' ')
            k++;
        if (k >= b || s[k] != '>')
            return i;
        i = k + 1;
        if (i < b && s[i] == ' ')
            i++;
    }
}

/* ``` or ~~~ opens a fenced code block; its text is kept as it is. */
static bool fence_open(struct md *m, size_t j, size_t b)
{
    char c = m->s[j];
    size_t r = run_of(m->s, j, b, c);

    if (r < 3 || (c == '`' && memchr(m->s + j + r, '`', b - j - r) != NULL))
        return false;
    m->in_fence = true;
    m->fence_ch = c;
    m->fence_len = r;
    blank(m);
    return true;
}

static void fence_line(struct md *m, size_t a, size_t b)
{
    size_t j = a;

    while (j < b && j - a < 3 && m->s[j] == ' ')
        j++;
    if (j < b && m->s[j] == m->fence_ch) {
        size_t r = run_of(m->s, j, b, m->fence_ch);

        if (r >= m->fence_len && att_doc_blank(m->s + j + r, b - j - r)) {
            m->in_fence = false;
            blank(m);
            return;
        }
    }
    if (att_doc_blank(m->s + a, b - a)) {
        blank(m);
        return;
    }
    start_line(m, K_CODE);
    put(m, m->s + a, b - a);
    end_line(m, K_CODE);
}

/* A "===" or "---" line under a paragraph makes it a heading. */
static bool setext(struct md *m, size_t j, size_t b)
{
    char c = m->s[j];
    size_t r = run_of(m->s, j, b, c);

    if (m->prev != K_TEXT || m->gap || r < 2 || !att_doc_blank(m->s + j + r, b - j - r))
        return false;
    if (c == '=' && !m->have_h1) {
        m->have_h1 = true;
        m->h1_start = m->para;
        m->h1_end = m->n;
    }
    m->prev = K_HEAD;
    return true;
}

static bool hrule(const char *s, size_t j, size_t b)
{
    size_t count = 0;

    for (size_t k = j; k < b; k++) {
        if (s[k] == s[j])
            count++;
        else if (s[k] != ' ' && s[k] != '\t')
            return false;
    }
    return count >= 3;
}

/* "# Heading #": level 1 to 6, the closing #s dropped. */
static bool heading(struct md *m, size_t j, size_t b)
{
    const char *s = m->s;
    size_t r = run_of(s, j, b, '#'), k = j + r, e = b, h;

    if (r > 6 || (k < b && s[k] != ' ' && s[k] != '\t'))
        return false;
    while (e > k && (s[e - 1] == ' ' || s[e - 1] == '\t'))
        e--;
    h = e;
    while (h > k && s[h - 1] == '#')
        h--;
    if (h == k || s[h - 1] == ' ' || s[h - 1] == '\t')
        e = h;
    start_line(m, K_HEAD);
    inline_text(m, k, e);
    if (end_line(m, K_HEAD) && r == 1 && !m->have_h1) {
        m->have_h1 = true;
        m->h1_start = m->line;
        m->h1_end = m->n;
    }
    return true;
}

/* "[label]: url": a link reference definition is dropped; a footnote
 * "[^1]: text" keeps its text; "[Note]: some words" stays as it is. */
static bool refdef(struct md *m, size_t j, size_t b)
{
    const char *s = m->s, *q = memchr(s + j, ']', b - j);
    size_t k, v;

    if (q == NULL)
        return false;
    k = (size_t)(q - s);
    if (k == j + 1 || k + 1 >= b || s[k + 1] != ':')
        return false;
    if (s[j + 1] == '^') {
        text_block(m, K_TEXT, k + 2, b);
        return true;
    }
    v = k + 2;
    while (v < b && (s[v] == ' ' || s[v] == '\t'))
        v++;
    if (v < b && s[v] != '<' && s[v] != '/' && memchr(s + v, ' ', b - v) != NULL &&
        memmem(s + v, b - v, "://", 3) == NULL)
        return false;
    return true;
}

static size_t list_marker(const char *s, size_t j, size_t b)
{
    size_t k = j;

    if (s[j] == '-' || s[j] == '*' || s[j] == '+') {
        k = j + 1;
    } else {
        while (k < b && k - j < 3 && s[k] >= '0' && s[k] <= '9')
            k++;
        if (k == j || k >= b || (s[k] != '.' && s[k] != ')'))
            return j;
        k++;
    }
    if (k < b && s[k] != ' ' && s[k] != '\t')
        return j;
    while (k < b && (s[k] == ' ' || s[k] == '\t'))
        k++;
    if (b - k >= 4 && s[k] == '[' && (s[k + 1] == ' ' || s[k + 1] == 'x' || s[k + 1] == 'X') &&
        s[k + 2] == ']' && s[k + 3] == ' ')
        k += 4;
    return k;
}

/* "| a | b |" rows keep their cells; the "|---|---|" row is dropped. */
static void table_row(struct md *m, size_t j, size_t b)
{
    size_t k = j;

    while (k < b && m->s[k] != '\0' && strchr("|-: \t", m->s[k]) != NULL)
        k++;
    if (k == b && memchr(m->s + j, '-', b - j) != NULL)
        return;
    m->table = true;
    text_block(m, K_TABLE, j + 1, b);
    m->table = false;
}

static bool block(struct md *m, size_t j, size_t b)
{
    char c = m->s[j];

    if ((c == '`' || c == '~') && fence_open(m, j, b))
        return true;
    if ((c == '=' || c == '-') && setext(m, j, b))
        return true;
    if ((c == '-' || c == '*' || c == '_') && hrule(m->s, j, b)) {
        blank(m);
        return true;
    }
    if (c == '#' && heading(m, j, b))
        return true;
    return c == '[' && refdef(m, j, b);
}

static void md_line(struct md *m, size_t a, size_t b)
{
    size_t j, cols = 0, k;

    if (m->in_fence) {
        fence_line(m, a, b);
        return;
    }
    j = unquote_line(m->s, a, b);
    while (j < b && (m->s[j] == ' ' || m->s[j] == '\t')) {
        cols += m->s[j] == '\t' ? 4 : 1;
        j++;
    }
    if (j == b) {
        blank(m);
        return;
    }
    if (cols < 4 && block(m, j, b))
        return;
    if (m->s[j] == '|') {
        table_row(m, j, b);
        return;
    }
    k = list_marker(m->s, j, b);
    text_block(m, k != j ? K_LIST : K_TEXT, k, b);
}

/* Strip the Markdown s[0..len) into doc->body; the first level-1 heading
 * becomes the title when there is none. */
static int strip(struct att_doc *doc, const char *s, size_t len)
{
    struct md m = {.s = s, .len = len, .skip_from = NONE};
    size_t p = 0;

    m.cap = len + 64;
    m.out = malloc(m.cap);
    if (m.out == NULL)
        return ATT_E_NOMEM;
    while (p < len && !m.oom) {
        const char *nl = memchr(s + p, '\n', len - p);
        size_t e = nl != NULL ? (size_t)(nl - s) : len;

        md_line(&m, p, e);
        p = e + 1;
    }
    if (m.oom || (doc->title == NULL && m.have_h1 &&
                  att_doc_collapse(m.out + m.h1_start, m.h1_end - m.h1_start, &doc->title) != 0)) {
        free(m.out);
        return ATT_E_NOMEM;
    }
    m.out[m.n] = '\0';
    if (att_doc_blank(m.out, m.n)) {
        free(m.out);
        return ATT_E_EMPTY;
    }
    doc->body = m.out;
    doc->body_len = m.n;
    return ATT_OK;
}

/* ---- front matter ---- */

static size_t line_end(const char *s, size_t p, size_t len)
{
    const char *nl = memchr(s + p, '\n', len - p);

    return nl != NULL ? (size_t)(nl - s) : len;
}

static bool is_fence(const char *s, size_t p, size_t e, const char *f)
{
    return e - p >= 3 && memcmp(s + p, f, 3) == 0 && att_doc_blank(s + p + 3, e - p - 3);
}

/* The length of the key of a "key: value" line s[p..e), or 0. */
static size_t yaml_key(const char *s, size_t p, size_t e)
{
    size_t i = p;

    while (i < e && (word_byte(s[i]) || s[i] == '_' || s[i] == '-' || s[i] == '.'))
        i++;
    if (i == p || i >= e || s[i] != ':' || s[p] == '-' || (unsigned char)s[p] >= 0x80)
        return 0;
    if (i + 1 < e && s[i + 1] != ' ' && s[i + 1] != '\t')
        return 0;
    return i - p;
}

/* A line a front matter block may hold: blank, a comment, indented or a
 * list item (both ignored), or "key: value". */
static bool yaml_line(const char *s, size_t p, size_t e)
{
    return att_doc_blank(s + p, e - p) || s[p] == '#' || s[p] == ' ' || s[p] == '\t' ||
           s[p] == '-' || yaml_key(s, p, e) > 0;
}

/* The length of the front matter block opening s[0..len), or 0. */
static size_t front_end(const char *s, size_t len)
{
    size_t p, e = line_end(s, 0, len), lines = 0;

    if (!is_fence(s, 0, e, "---"))
        return 0;
    for (p = e + 1; p < len && lines < FRONT_MAX_LINES; p = e + 1, lines++) {
        e = line_end(s, p, len);
        if (is_fence(s, p, e, "---") || is_fence(s, p, e, "..."))
            return e < len ? e + 1 : e;
        if (!yaml_line(s, p, e))
            return 0;
    }
    return 0;
}

/* The quoted value v[0..n) (v[0] is the quote) unquoted into out: "..."
 * takes backslash escapes, '...' takes '' for a quote; what follows the
 * closing quote is ignored. Returns the length. */
static size_t unquote(const char *v, size_t n, char *out)
{
    char q = v[0];
    size_t k = 0;

    for (size_t i = 1; i < n; i++) {
        if (v[i] == q && !(q == '\'' && i + 1 < n && v[i + 1] == '\''))
            break;
        if (q == '"' && v[i] == '\\' && i + 1 < n) {
            i++;
            out[k++] = v[i] == 'n' || v[i] == 't' ? ' ' : v[i];
            continue;
        }
        if (q == '\'' && v[i] == '\'')
            i++;
        out[k++] = v[i];
    }
    return k;
}

/* Store one front matter value: quotes removed, a " # comment" dropped from
 * a plain value, block scalars (| and >) ignored. */
static int front_value(struct att_doc *doc, const char *key, size_t klen, const char *v,
                       size_t n)
{
    char *tmp;
    int rc;

    if (n == 0 || v[0] == '|' || v[0] == '>')
        return ATT_OK;
    if (v[0] != '"' && v[0] != '\'') {
        for (size_t i = 1; i < n; i++) {
            if (v[i] == '#' && (v[i - 1] == ' ' || v[i - 1] == '\t'))
                n = i;
        }
        return att_doc_set_meta(doc, key, klen, v, n);
    }
    tmp = malloc(n);
    if (tmp == NULL)
        return ATT_E_NOMEM;
    rc = att_doc_set_meta(doc, key, klen, tmp, unquote(v, n, tmp));
    free(tmp);
    return rc;
}

static int front_matter(struct att_doc *doc, const char *s, size_t len)
{
    size_t p = 0;

    while (p < len) {
        size_t e = line_end(s, p, len), k = yaml_key(s, p, e), v;

        if (k > 0) {
            v = p + k + 1;
            while (v < e && (s[v] == ' ' || s[v] == '\t'))
                v++;
            while (e > v && att_doc_space((unsigned char)s[e - 1]))
                e--;
            if (front_value(doc, s + p, k, s + v, e - v) != ATT_OK)
                return ATT_E_NOMEM;
        }
        p = line_end(s, p, len) + 1;
    }
    return ATT_OK;
}

int att_read_md(const char *data, size_t len, struct att_doc *doc, struct att_err *err)
{
    char *owned = NULL, *text;
    size_t n, start, fm;
    int rc;

    if (data == NULL) {
        data = "";
        len = 0;
    }
    if (att_doc_clean_input(&data, &len, &owned) != ATT_OK)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    text = att_doc_unix_lines(data, len, &n);
    free(owned);
    if (text == NULL)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    start = att_doc_bom(text, n);
    fm = front_end(text + start, n - start);
    rc = front_matter(doc, text + start, fm);
    if (rc == ATT_OK)
        rc = strip(doc, text + start + fm, n - start - fm);
    free(text);
    if (rc == ATT_OK)
        return ATT_OK;
    att_doc_drop(doc);
    if (rc == ATT_E_EMPTY)
        return att_err_set(err, rc, "no text");
    return att_err_set(err, rc, "out of memory");
}
