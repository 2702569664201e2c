/* attache: the .html reader: libxml2's HTML parser driven through SAX (no
 * tree is built). Title, date, source, URL, author and language from the
 * head and its JSON-LD (lib/jsonld.c); the visible text of the body, one
 * line per block, without scripts, styles, navigation. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>

#include "attache/doc.h"
#include "attache/text.h"
#include "buf.h"
#include "doc_priv.h"

#define MAX_DEPTH 256    /* deeper nesting stops the parse, as in libxml2's own tree builder */
#define SNIFF_BYTES 4096 /* where a declared charset is looked for */
#define TEXT_GROWTH 3    /* most bytes of text one byte of HTML becomes (windows-1252 to UTF-8) */
#define TEXT_SLACK 4096  /* and a little more: the ceiling of a text is never met */
#define LD_MAX (1 << 20) /* bytes of one JSON-LD script read; a longer one is ignored */

/* What an element does to the text. */
enum {
    E_BLOCK = 1, /* starts and ends a line */
    E_SKIP = 2,  /* its content is not body text */
    E_CELL = 4,  /* a table cell: a space around it */
    E_PRE = 8,   /* keeps its line breaks */
    E_HEAD = 16,
    E_TITLE = 32,
    E_H1 = 64
};

/* Sorted by name for bsearch; libxml2 gives element names in lower case. */
static const struct elem {
    const char *name;
    int flags;
} elems[] = {
    {"address", E_BLOCK},    {"article", E_BLOCK},         {"aside", E_BLOCK | E_SKIP},
    {"blockquote", E_BLOCK}, {"body", E_BLOCK},            {"br", E_BLOCK},
    {"button", E_SKIP},      {"canvas", E_SKIP},           {"caption", E_BLOCK},
    {"center", E_BLOCK},     {"dd", E_BLOCK},              {"details", E_BLOCK},
    {"dialog", E_BLOCK},     {"div", E_BLOCK},             {"dl", E_BLOCK},
    {"dt", E_BLOCK},         {"fieldset", E_BLOCK},        {"figcaption", E_BLOCK},
    {"figure", E_BLOCK},     {"footer", E_BLOCK | E_SKIP}, {"form", E_BLOCK | E_SKIP},
    {"h1", E_BLOCK | E_H1},  {"h2", E_BLOCK},              {"h3", E_BLOCK},
    {"h4", E_BLOCK},         {"h5", E_BLOCK},              {"h6", E_BLOCK},
    {"head", E_HEAD},        {"header", E_BLOCK | E_SKIP}, {"hgroup", E_BLOCK},
    {"hr", E_BLOCK},         {"html", E_BLOCK},            {"iframe", E_SKIP},
    {"li", E_BLOCK},         {"main", E_BLOCK},            {"math", E_SKIP},
    {"nav", E_BLOCK | E_SKIP}, {"noscript", E_SKIP},       {"object", E_SKIP},
    {"ol", E_BLOCK},         {"option", E_BLOCK},          {"p", E_BLOCK},
    {"pre", E_BLOCK | E_PRE}, {"script", E_SKIP},          {"section", E_BLOCK},
    {"select", E_SKIP},      {"style", E_SKIP},            {"summary", E_BLOCK},
    {"svg", E_SKIP},         {"table", E_BLOCK},           {"tbody", E_BLOCK},
    {"td", E_CELL},          {"template", E_SKIP},         {"textarea", E_SKIP},
    {"tfoot", E_BLOCK},      {"th", E_CELL},               {"thead", E_BLOCK},
    {"title", E_TITLE},      {"tr", E_BLOCK},              {"ul", E_BLOCK},
};

/* Where a date may be declared, best first. */
enum { D_LD, D_PUBLISHED, D_DATE, D_PUBDATE, D_ITEMPROP, D_DC, D_TIME, D_N };

static const struct {
    const char *key; /* a meta property, name or itemprop */
    int slot;
} date_keys[] = {
    {"article:published_time", D_PUBLISHED},
    {"date", D_DATE},
    {"pubdate", D_PUBDATE},
    {"datePublished", D_ITEMPROP},
    {"DC.date", D_DC},
    {"DC.date.issued", D_DC},
    {"dcterms.date", D_DC},
};

/* A growing text with its white space collapsed. */
struct text {
    struct att_buf b;
    int pending; /* white space not written yet: 0 none, 1 a space, 2 a line break */
    int rc;      /* the first failure to grow (ATT_E_NOMEM, ATT_E_TOOBIG), else ATT_OK */
};

struct html {
    htmlParserCtxtPtr ctxt;
    bool stopped;
    int depth;
    int skip;    /* elements open inside a skipped one (itself included) */
    int pre;     /* <pre> elements open */
    int in_head; /* the depth of the open <head>, <title>, <h1>; 0: none */
    int in_title;
    int in_h1;
    bool title_done, h1_done;
    struct text body, title, h1;
    char *dates[D_N];
    char *source, *canonical, *og_url, *og_title;
    char *author, *article_author; /* <meta name=author>, article:author */
    char *lang, *meta_lang;        /* <html lang>, content-language or og:locale */
    int in_ld;                     /* the depth of an open JSON-LD <script>; 0: none */
    struct att_buf ld_text;        /* its text */
    bool ld_skip;                  /* it is too long to read */
    struct att_jsonld ld;
    bool oom;
};

/* ---- text ---- */

/* The texts of an HTML file of len bytes, each empty, with a ceiling past
 * anything the file can give. */
static void texts_init(struct html *h, size_t len)
{
    size_t max = len > (SIZE_MAX - TEXT_SLACK) / TEXT_GROWTH ? SIZE_MAX
                                                             : len * TEXT_GROWTH + TEXT_SLACK;

    att_buf_init(&h->body.b, max);
    att_buf_init(&h->title.b, max);
    att_buf_init(&h->h1.b, max);
    att_buf_init(&h->ld_text, LD_MAX);
}

static void text_put(struct text *t, const char *s, size_t k)
{
    if (t->rc == ATT_OK)
        t->rc = att_buf_add(&t->b, s, k);
}

static void text_flush(struct text *t)
{
    if (t->b.len > 0 && t->pending == 2)
        text_put(t, "\n", 1);
    else if (t->b.len > 0 && t->pending == 1 && t->b.p[t->b.len - 1] != '\n')
        text_put(t, " ", 1);
    t->pending = 0;
}

static void text_break(struct text *t, int level)
{
    if (t->pending < level)
        t->pending = level;
}

/* The bytes of white space at s[i..n): ASCII, or 2 for a no-break space. */
static size_t space_at(const unsigned char *s, size_t i, size_t n)
{
    if (att_doc_space(s[i]))
        return 1;
    return s[i] == 0xC2 && i + 1 < n && s[i + 1] == 0xA0 ? 2 : 0;
}

/* Add s[0..n), white space collapsed; in <pre> line breaks are kept. */
static void text_add(struct text *t, const unsigned char *s, size_t n, bool pre)
{
    size_t i = 0;

    while (i < n) {
        size_t k = i, w;

        while (k < n && space_at(s, k, n) == 0)
            k++;
        if (k > i) {
            text_flush(t);
            text_put(t, (const char *)s + i, k - i);
            i = k;
            continue;
        }
        w = space_at(s, i, n);
        text_break(t, pre && s[i] == '\n' ? 2 : 1);
        i += w;
    }
}

/* ---- SAX callbacks ---- */

static int elem_cmp(const void *key, const void *e)
{
    return strcmp(key, ((const struct elem *)e)->name);
}

static int elem_flags(const xmlChar *name)
{
    const struct elem *e = bsearch(name, elems, sizeof elems / sizeof elems[0], sizeof elems[0],
                                   elem_cmp);

    return e != NULL ? e->flags : 0;
}

static const char *attr(const xmlChar **atts, const char *name)
{
    for (size_t i = 0; atts != NULL && atts[i] != NULL; i += 2) {
        if (strcasecmp((const char *)atts[i], name) == 0)
            return atts[i + 1] != NULL ? (const char *)atts[i + 1] : "";
    }
    return NULL;
}

/* Keep the first value seen for a field. */
static void keep(struct html *h, char **slot, const char *val)
{
    if (*slot != NULL || val == NULL)
        return;
    *slot = strdup(val);
    if (*slot == NULL)
        h->oom = true;
}

/* A link rather than a name ("article:author" often holds a profile URL). */
static bool is_link(const char *s)
{
    return s != NULL && (s[0] == '/' || strstr(s, "://") != NULL);
}

static void meta_key(struct html *h, const char *key, const char *content)
{
    if (key == NULL)
        return;
    if (strcasecmp(key, "og:site_name") == 0)
        keep(h, &h->source, content);
    else if (strcasecmp(key, "og:url") == 0)
        keep(h, &h->og_url, content);
    else if (strcasecmp(key, "og:title") == 0)
        keep(h, &h->og_title, content);
    else if (strcasecmp(key, "author") == 0 && !is_link(content))
        keep(h, &h->author, content);
    else if (strcasecmp(key, "article:author") == 0 && !is_link(content))
        keep(h, &h->article_author, content);
    else if (strcasecmp(key, "content-language") == 0 || strcasecmp(key, "og:locale") == 0)
        keep(h, &h->meta_lang, content);
    for (size_t i = 0; i < sizeof date_keys / sizeof date_keys[0]; i++) {
        if (strcasecmp(key, date_keys[i].key) == 0)
            keep(h, &h->dates[date_keys[i].slot], content);
    }
}

/* <meta>, <link rel=canonical> and <time datetime>. */
static void metadata(struct html *h, const char *name, const xmlChar **atts)
{
    const char *rel;

    if (strcmp(name, "meta") == 0 && attr(atts, "content") != NULL) {
        meta_key(h, attr(atts, "property"), attr(atts, "content"));
        meta_key(h, attr(atts, "name"), attr(atts, "content"));
        meta_key(h, attr(atts, "itemprop"), attr(atts, "content"));
        meta_key(h, attr(atts, "http-equiv"), attr(atts, "content"));
    } else if (strcmp(name, "html") == 0) {
        keep(h, &h->lang, attr(atts, "lang"));
        keep(h, &h->lang, attr(atts, "xml:lang"));
    } else if (strcmp(name, "link") == 0) {
        rel = attr(atts, "rel");
        if (rel != NULL && strcasecmp(rel, "canonical") == 0)
            keep(h, &h->canonical, attr(atts, "href"));
    } else if (strcmp(name, "time") == 0) {
        keep(h, &h->dates[D_TIME], attr(atts, "datetime"));
    }
}

static void on_start(void *ud, const xmlChar *name, const xmlChar **atts)
{
    struct html *h = ud;
    int f = elem_flags(name);

    if (h->stopped)
        return;
    if (++h->depth > MAX_DEPTH) {
        /* libxml2 looks through all open elements at each end tag, so deep
         * nesting would make the parse quadratic. */
        h->stopped = true;
        xmlStopParser(h->ctxt);
        return;
    }
    metadata(h, (const char *)name, atts);
    if (h->in_ld == 0 && strcmp((const char *)name, "script") == 0 && attr(atts, "type") != NULL &&
        strncasecmp(attr(atts, "type"), "application/ld+json", 19) == 0)
        h->in_ld = h->depth;
    if ((f & E_HEAD) && h->in_head == 0)
        h->in_head = h->depth;
    if ((f & E_TITLE) && h->skip == 0 && !h->title_done && h->in_title == 0)
        h->in_title = h->depth;
    if ((f & E_H1) && !h->h1_done && h->in_h1 == 0)
        h->in_h1 = h->depth;
    if (h->skip > 0 || (f & E_SKIP))
        h->skip++;
    if (f & E_PRE)
        h->pre++;
    if (f & E_BLOCK)
        text_break(&h->body, 2);
    if (f & E_CELL)
        text_break(&h->body, 1);
}

/* The end of a JSON-LD script: read what it says (when it was not too
 * long to keep), then forget its text. */
static void end_ld(struct html *h)
{
    if (!h->ld_skip && h->ld_text.p != NULL &&
        att_jsonld_read(h->ld_text.p, h->ld_text.len, &h->ld) != ATT_OK)
        h->oom = true;
    att_buf_reset(&h->ld_text);
    h->in_ld = 0;
    h->ld_skip = false;
}

static void on_end(void *ud, const xmlChar *name)
{
    struct html *h = ud;
    int f = elem_flags(name);

    if (h->stopped || h->depth == 0)
        return;
    if (h->skip > 0)
        h->skip--;
    if ((f & E_PRE) && h->pre > 0)
        h->pre--;
    if (f & E_BLOCK)
        text_break(&h->body, 2);
    if (f & (E_BLOCK | E_CELL))
        text_break(&h->h1, 1);
    if (f & E_CELL)
        text_break(&h->body, 1);
    if (h->in_head == h->depth)
        h->in_head = 0;
    if (h->in_title == h->depth) {
        h->in_title = 0;
        h->title_done = true;
    }
    if (h->in_h1 == h->depth) {
        h->in_h1 = 0;
        h->h1_done = true;
    }
    if (h->in_ld == h->depth)
        end_ld(h);
    h->depth--;
}

static void on_text(void *ud, const xmlChar *s, int len)
{
    struct html *h = ud;

    if (h->stopped || len <= 0)
        return;
    if (h->in_ld > 0 && !h->ld_skip) {
        int rc = att_buf_add(&h->ld_text, s, (size_t)len);

        h->ld_skip = rc != ATT_OK; /* too long: ignored */
        h->oom = h->oom || rc == ATT_E_NOMEM;
    }
    if (h->in_title > 0)
        text_add(&h->title, s, (size_t)len, false);
    if (h->in_h1 > 0)
        text_add(&h->h1, s, (size_t)len, false);
    if (h->skip == 0 && h->in_head == 0 && h->in_title == 0)
        text_add(&h->body, s, (size_t)len, h->pre > 0);
}

/* ---- character set ---- */

enum charset { CS_NONE, CS_UTF8, CS_OTHER };

/* The charset declared by a BOM or a "charset=" in the first bytes. */
static enum charset declared(const char *s, size_t len)
{
    size_t n = len < SNIFF_BYTES ? len : SNIFF_BYTES;

    if (att_doc_bom(s, len) > 0)
        return CS_UTF8;
    if (len >= 2 && ((s[0] == '\xFF' && s[1] == '\xFE') || (s[0] == '\xFE' && s[1] == '\xFF')))
        return CS_OTHER;
    for (size_t i = 0; i + 7 < n; i++) {
        size_t k = i + 7;

        if ((s[i] | 0x20) != 'c' || strncasecmp(s + i, "charset", 7) != 0)
            continue;
        while (k < n && s[k] == ' ')
            k++;
        if (k >= n || s[k] != '=')
            continue;
        k++;
        while (k < n && (s[k] == ' ' || s[k] == '"' || s[k] == '\''))
            k++;
        if ((n - k >= 5 && strncasecmp(s + k, "utf-8", 5) == 0) ||
            (n - k >= 4 && strncasecmp(s + k, "utf8", 4) == 0))
            return CS_UTF8;
        if (k < n && ((s[k] | 0x20) >= 'a' && (s[k] | 0x20) <= 'z'))
            return CS_OTHER;
    }
    return CS_NONE;
}

/* More valid multi-byte UTF-8 sequences than invalid bytes: UTF-8 with a
 * few bad bytes rather than a legacy 8-bit encoding. */
static bool mostly_utf8(const char *s, size_t len)
{
    size_t good = 0, bad = 0, i = 0, n;

    while (i < len) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        (void)att_utf8_decode(s + i, len - i, &n); /* a bad byte: n == 1 */
        if (n > 1)
            good++;
        else
            bad++;
        i += n;
    }
    return good > bad;
}

/* Decide how the bytes are decoded: a declared non-UTF-8 charset is left to
 * libxml2; UTF-8 (declared, or valid, or nearly so) is repaired and forced;
 * other undeclared 8-bit text is read as windows-1252. */
static int prepare(const char **data, size_t *len, char **owned, const char **enc)
{
    enum charset cs = declared(*data, *len);
    size_t bom;

    *owned = NULL;
    *enc = NULL;
    if (cs == CS_OTHER)
        return ATT_OK;
    if (cs == CS_NONE && !att_utf8_valid(*data, *len) && !mostly_utf8(*data, *len)) {
        *enc = "windows-1252";
        return ATT_OK;
    }
    *enc = "UTF-8";
    if (att_doc_clean_input(data, len, owned) != ATT_OK)
        return ATT_E_NOMEM;
    bom = att_doc_bom(*data, *len);
    *data += bom;
    *len -= bom;
    return ATT_OK;
}

/* ---- parse ---- */

static void force_encoding(htmlParserCtxtPtr ctxt, const char *enc)
{
    xmlCharEncodingHandlerPtr hdlr = xmlFindCharEncodingHandler(enc);

    if (hdlr == NULL || xmlSwitchToEncoding(ctxt, hdlr) != 0)
        return;
    /* A set input encoding also makes libxml2 ignore <meta charset>. */
    if (ctxt->input->encoding != NULL)
        xmlFree((xmlChar *)ctxt->input->encoding);
    ctxt->input->encoding = xmlStrdup((const xmlChar *)enc);
}

static int parse(struct html *h, const char *data, size_t len, const char *enc)
{
    htmlParserCtxtPtr ctxt;

    xmlInitParser();
    ctxt = htmlCreateMemoryParserCtxt(data, (int)len);
    if (ctxt == NULL)
        return ATT_E_NOMEM;
    if (enc != NULL)
        force_encoding(ctxt, enc);
    memset(ctxt->sax, 0, sizeof *ctxt->sax);
    ctxt->sax->startElement = on_start;
    ctxt->sax->endElement = on_end;
    ctxt->sax->characters = on_text;
    ctxt->sax->ignorableWhitespace = on_text;
    ctxt->userData = h;
    h->ctxt = ctxt;
    htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                 HTML_PARSE_NONET);
    htmlParseDocument(ctxt);
    if (ctxt->myDoc != NULL)
        xmlFreeDoc(ctxt->myDoc);
    ctxt->myDoc = NULL;
    htmlFreeParserCtxt(ctxt);
    h->ctxt = NULL;
    return ATT_OK;
}

/* The first date candidate understood; when there were some and none was,
 * a warning naming the first. */
static int pick_date(struct html *h, struct att_doc *doc)
{
    char date[11];
    const char *first = NULL;

    for (int i = 0; i < D_N; i++) {
        if (h->dates[i] == NULL)
            continue;
        if (first == NULL)
            first = h->dates[i];
        if (!att_date_normalize(h->dates[i], strlen(h->dates[i]), date))
            continue;
        doc->date = strdup(date);
        return doc->date != NULL ? ATT_OK : ATT_E_NOMEM;
    }
    if (first != NULL)
        att_doc_warn_date(doc, first, strlen(first));
    return ATT_OK;
}

static int copy_str(const char *s, char **out)
{
    return s != NULL ? att_doc_collapse(s, strlen(s), out) : ATT_OK;
}

/* The first of a, b, c that is not NULL or blank, or NULL. */
static const char *first(const char *a, const char *b, const char *c)
{
    const char *v[] = {a, b, c};

    for (size_t i = 0; i < 3; i++) {
        if (v[i] != NULL && !att_doc_blank(v[i], strlen(v[i])))
            return v[i];
    }
    return NULL;
}

/* Move what the parse found into doc. The order for each field is written
 * in attache/doc.h (att_read_html). */
static int fill(struct html *h, struct att_doc *doc)
{
    int rc = h->oom ? ATT_E_NOMEM : ATT_OK;
    const char *lang;

    if (rc == ATT_OK)
        rc = h->body.rc != ATT_OK ? h->body.rc : h->title.rc != ATT_OK ? h->title.rc : h->h1.rc;
    if (rc != ATT_OK)
        return rc;
    if (h->body.b.p == NULL || att_doc_blank(h->body.b.p, h->body.b.len))
        return ATT_E_EMPTY;
    doc->body = att_buf_take(&h->body.b, &doc->body_len);
    rc = copy_str(first(h->ld.title, h->og_title, NULL), &doc->title);
    if (rc == ATT_OK && doc->title == NULL && h->title.b.p != NULL)
        rc = att_doc_collapse(h->title.b.p, h->title.b.len, &doc->title);
    if (rc == ATT_OK && doc->title == NULL && h->h1.b.p != NULL)
        rc = att_doc_collapse(h->h1.b.p, h->h1.b.len, &doc->title);
    h->dates[D_LD] = h->ld.date;
    h->ld.date = NULL;
    if (rc == ATT_OK)
        rc = pick_date(h, doc);
    if (rc == ATT_OK)
        rc = copy_str(first(h->ld.source, h->source, NULL), &doc->source);
    if (rc == ATT_OK)
        rc = copy_str(h->canonical != NULL ? h->canonical : h->og_url, &doc->url);
    if (rc == ATT_OK)
        rc = copy_str(first(h->ld.author, h->author, h->article_author), &doc->author);
    if (rc == ATT_OK && (lang = first(h->lang, h->meta_lang, h->ld.language)) != NULL)
        rc = att_doc_set_language(doc, lang, strlen(lang));
    return rc == ATT_OK ? att_doc_fix_utf8(doc) : rc;
}

static void html_free(struct html *h)
{
    att_buf_free(&h->body.b);
    att_buf_free(&h->title.b);
    att_buf_free(&h->h1.b);
    for (int i = 0; i < D_N; i++)
        free(h->dates[i]);
    free(h->source);
    free(h->canonical);
    free(h->og_url);
    free(h->og_title);
    free(h->author);
    free(h->article_author);
    free(h->lang);
    free(h->meta_lang);
    att_buf_free(&h->ld_text);
    att_jsonld_clear(&h->ld);
}

int att_read_html(const char *data, size_t len, struct att_doc *doc, struct att_err *err)
{
    struct html h = {.ctxt = NULL};
    char *owned = NULL, big[64] = "";
    const char *enc;
    int rc;

    if (data == NULL || att_doc_blank(data, len))
        return att_err_set(err, ATT_E_EMPTY, "no text");
    if (len > INT_MAX)
        return att_err_set(err, ATT_E_TOOBIG, "HTML file over 2 GB");
    texts_init(&h, len);
    rc = prepare(&data, &len, &owned, &enc);
    if (rc == ATT_OK && len > 0)
        rc = parse(&h, data, len, enc);
    free(owned);
    if (rc == ATT_OK)
        rc = fill(&h, doc);
    html_free(&h);
    if (rc == ATT_E_TOOBIG)
        snprintf(big, sizeof big, "HTML text past %zu bytes", h.body.b.max);
    return att_doc_read_end(doc, rc, big, err);
}
