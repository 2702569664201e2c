/* attached: the frame every page of the search page shares (head,
 * header, footer), the search form with its filters and the hints on
 * the query language. Static text and escaped values only. */
#include <string.h>

#include <event2/buffer.h>

#include "attache/protocol.h"
#include "web_page.h"

void att_web_head(struct evbuffer *b, const char *title)
{
    evbuffer_add_printf(b,
                        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                        "<meta name=\"viewport\" content=\"width=device-width, "
                        "initial-scale=1\">\n"
                        "<meta name=\"color-scheme\" content=\"light dark\">\n<title>");
    if (title != NULL && title[0] != '\0') {
        att_web_escs(b, title);
        evbuffer_add_printf(b, " · ");
    }
    evbuffer_add_printf(b,
                        "attache</title>\n"
                        "<link rel=\"stylesheet\" href=\"/static/style.css?v=%s\">\n"
                        "<script src=\"/static/app.js?v=%s\" defer></script>\n"
                        "</head>\n<body>\n"
                        "<a class=\"skip\" href=\"#main\">Skip to content</a>\n"
                        "<header class=\"top\"><a class=\"brand\" href=\"/\">attache</a>"
                        "</header>\n<main id=\"main\" tabindex=\"-1\">\n",
                        att_web_version, att_web_version);
}

void att_web_foot(struct evbuffer *b)
{
    evbuffer_add_printf(b,
                        "</main>\n<footer class=\"bottom\"><p>attache %s · "
                        "<kbd>/</kbd> search, <kbd>j</kbd> <kbd>k</kbd> move, "
                        "<kbd>Enter</kbd> open</p></footer>\n</body>\n</html>\n",
                        ATTACHE_VERSION);
}

void att_web_error(struct evbuffer *b, const char *message)
{
    evbuffer_add_printf(b, "<p class=\"error\" role=\"alert\">");
    att_web_escs(b, message);
    evbuffer_add_printf(b, "</p>\n");
}

/* The labels and hints of the filters, in att_web_filter order. */
static const char *const filter_labels[ATT_WF_N] = {
    "From", "To", "Source", "Speaker", "Author", "Actor", "Language",
};
static const char *const filter_hints[ATT_WF_N] = {
    "YYYY-MM-DD", "YYYY-MM-DD", "Reuters", "Lin Jian", "", "china, Beijing", "en",
};

/* One labelled text input of the filters. */
static void filter_input(struct evbuffer *b, int i, const char *value)
{
    const char *name = att_web_filter_names[i];

    evbuffer_add_printf(b, "<div class=\"field\"><label for=\"f-%s\">%s</label>"
                        "<input id=\"f-%s\" name=\"%s\" type=\"text\" value=\"",
                        name, filter_labels[i], name, name);
    att_web_escs(b, value);
    evbuffer_add_printf(b, "\" placeholder=\"%s\" autocomplete=\"off\"%s></div>\n",
                        filter_hints[i], i <= ATT_WF_TO ? " inputmode=\"numeric\"" : "");
}

static void sort_select(struct evbuffer *b, const char *sort)
{
    static const char *const values[] = {"", "-date", "date"};
    static const char *const labels[] = {"Relevance", "Newest first", "Oldest first"};

    evbuffer_add_printf(b, "<div class=\"field\"><label for=\"f-sort\">Order</label>"
                        "<select id=\"f-sort\" name=\"sort\">");
    for (int i = 0; i < 3; i++)
        evbuffer_add_printf(b, "<option value=\"%s\"%s>%s</option>", values[i],
                            strcmp(sort, values[i]) == 0 ? " selected" : "", labels[i]);
    evbuffer_add_printf(b, "</select></div>\n");
}

static void hints(struct evbuffer *b)
{
    evbuffer_add_printf(
        b, "<div id=\"hints\" class=\"hints\">\n<p>Every word must match (when too few passages "
           "hold them all, passages with some of them are shown); words are stemmed: "
           "<code>sanction</code> finds <i>sanctions</i>. Also:</p>\n<ul>\n"
           "<li><code>\"red line\"</code> a phrase</li>\n"
           "<li><code>title:taiwan</code> <code>quote:sanctions</code> "
           "<code>speaker:\"Lin Jian\"</code> <code>author:miller</code> "
           "<code>source:Reuters</code> <code>actor:china</code> one field</li>\n"
           "<li><code>trade AND (china OR japan) NOT tariff</code> "
           "<code>-word</code> <code>+word</code></li>\n"
           "<li><code>sanction*</code> a wildcard</li>\n"
           "<li><code>2025-11-01..2025-11-30</code> <code>2024..2025</code> dates</li>\n"
           "</ul>\n</div>\n");
}

void att_web_form(struct evbuffer *b, const struct att_web_params *p)
{
    bool open = p != NULL && (att_web_any_filter(p) || p->sort[0] != '\0');

    evbuffer_add_printf(b, "<form id=\"search\" class=\"search\" role=\"search\" action=\"/\" "
                        "method=\"get\">\n<label for=\"q\" class=\"lead\">Search the index"
                        "</label>\n<div class=\"bar\"><input id=\"q\" name=\"q\" "
                        "type=\"search\" value=\"");
    if (p != NULL)
        att_web_escs(b, p->q);
    evbuffer_add_printf(b, "\" autocomplete=\"off\" spellcheck=\"false\" "
                        "aria-describedby=\"hints\"><button type=\"submit\">Search</button>"
                        "</div>\n");
    hints(b);
    evbuffer_add_printf(b, "<details class=\"filters\" id=\"filters\"%s><summary>Filters "
                        "and order</summary>\n<div class=\"grid\">\n", open ? " open" : "");
    for (int i = 0; i < ATT_WF_N; i++)
        filter_input(b, i, p != NULL ? p->filter[i] : "");
    sort_select(b, p != NULL ? p->sort : "");
    evbuffer_add_printf(b, "</div>\n<button type=\"submit\" class=\"apply\">Apply</button>\n"
                        "</details>\n</form>\n");
}
