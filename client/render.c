/* attache (client): rendering responses for a person. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attache/text.h"
#include "buf.h"
#include "protocol.h"
#include "render.h"

#define BOLD "\033[1m"
#define DIM "\033[2m"
#define HIT "\033[1;31m"
#define RESET "\033[0m"
/* Without colour a match is shown between U+27E6 and U+27E7 (one column
 * each): the output is UTF-8 already (dashes, quotation marks), and prose
 * has no use for these brackets, so they cannot be mistaken for the
 * text's own [ ], ( ), << >> or French guillemets. */
#define PLAIN_ON "\xE2\x9F\xA6"
#define PLAIN_OFF "\xE2\x9F\xA7"

static int columns(uint32_t c)
{
    if (c < 0x20 || (c >= 0x300 && c < 0x370) || c == 0x200B)
        return 0; /* controls, combining marks, zero-width space */
    if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) ||
        (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
        (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
        (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1FAFF) ||
        (c >= 0x20000 && c <= 0x3FFFD))
        return 2;
    return 1;
}

/* Display width of word[0..len) as it will be printed. */
static int word_width(const char *w, size_t len, const struct style *st)
{
    int cols = 0;

    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n;

        if (w[i] == MARK_ON[0] || w[i] == MARK_OFF[0]) {
            cols += st->color ? 0 : 1;
            i++;
            continue;
        }
        if (w[i] == BOLD_ON[0] || w[i] == BOLD_OFF[0]) {
            i++;
            continue;
        }
        cp = att_utf8_decode(w + i, len - i, &n); /* a bad byte: one U+FFFD */
        i += n;
        cols += columns(cp);
    }
    return cols;
}

/* Print one word, turning markers into colour or PLAIN_ON/PLAIN_OFF. */
static void put_word(FILE *out, const char *w, size_t len, const struct style *st,
                     bool *in_hit)
{
    for (size_t i = 0; i < len; i++) {
        if (w[i] == MARK_ON[0]) {
            fputs(st->color ? HIT : PLAIN_ON, out);
            *in_hit = true;
        } else if (w[i] == MARK_OFF[0]) {
            fputs(st->color ? RESET : PLAIN_OFF, out);
            *in_hit = false;
        } else if (w[i] == BOLD_ON[0] || w[i] == BOLD_OFF[0]) {
            if (st->color)
                fputs(w[i] == BOLD_ON[0] ? BOLD : RESET, out);
        } else {
            fputc(w[i], out);
        }
    }
}

void render_wrapped(FILE *out, const char *text, int indent, const struct style *st)
{
    render_hanging(out, text, indent, indent, st);
}

void render_hanging(FILE *out, const char *text, int first_indent, int indent,
                    const struct style *st)
{
    int col = 0;
    bool in_hit = false, first = true;

    for (const char *p = text; *p;) {
        size_t ws = strspn(p, " \t\n\r"), len;

        p += ws;
        len = strcspn(p, " \t\n\r");
        if (len == 0)
            break;
        int w = word_width(p, len, st);

        if (!first && col + 1 + w > st->width) {
            if (in_hit && st->color)
                fputs(RESET, out);
            fprintf(out, "\n%*s", indent, "");
            if (in_hit && st->color)
                fputs(HIT, out);
            col = indent;
        } else if (first) {
            fprintf(out, "%*s", first_indent, "");
            col = first_indent;
        } else {
            fputc(' ', out);
            col++;
        }
        put_word(out, p, len, st, &in_hit);
        col += w;
        first = false;
        p += len;
    }
    if (in_hit && st->color)
        fputs(RESET, out);
    if (!first)
        fputc('\n', out);
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* A rank or passage number as an int: 0 when absent or out of range (a
 * cast of a double an int cannot hold is undefined). */
static int int_num(const cJSON *o, const char *key)
{
    double v = num(o, key);

    return v > -1e9 && v < 1e9 ? (int)v : 0;
}

/* text with MARK_ON/MARK_OFF around the byte ranges of matches (ordered,
 * inside text); malloc'd. */
static char *mark(const char *text, const cJSON *matches)
{
    size_t len = strlen(text), at = 0, o = 0;
    char *out = malloc(len + 2 * (size_t)cJSON_GetArraySize(matches) + 1);
    const cJSON *m;

    if (out == NULL)
        return NULL;
    cJSON_ArrayForEach(m, matches) {
        double s = cJSON_GetArrayItem(m, 0) ? cJSON_GetArrayItem(m, 0)->valuedouble : -1;
        double e = cJSON_GetArrayItem(m, 1) ? cJSON_GetArrayItem(m, 1)->valuedouble : -1;

        if (s < (double)at || e <= s || e > (double)len)
            continue; /* out of order or out of range: not marked */
        memcpy(out + o, text + at, (size_t)s - at);
        o += (size_t)s - at;
        out[o++] = MARK_ON[0];
        memcpy(out + o, text + (size_t)s, (size_t)(e - s));
        o += (size_t)(e - s);
        out[o++] = MARK_OFF[0];
        at = (size_t)e;
    }
    memcpy(out + o, text + at, len - at);
    out[o + len - at] = '\0';
    return out;
}

/* "TITLE — AUTHOR — DATE — SOURCE" after prefix (which may be empty) into
 * line, the parts that are missing left out (and the author when the title
 * already names it); false when doc has none. */
static bool doc_line(char *line, size_t size, const char *prefix, const cJSON *doc)
{
    const char *parts[4] = {str(doc, "title"), str(doc, "author"), str(doc, "date"),
                            str(doc, "source")};
    size_t n = (size_t)snprintf(line, size, "%s", prefix);
    bool any = false;

    if (parts[0] != NULL && parts[1] != NULL && strstr(parts[0], parts[1]) != NULL)
        parts[1] = NULL;

    for (int i = 0; i < 4; i++) {
        if (parts[i] == NULL || n >= size)
            continue;
        n += (size_t)snprintf(line + n, size - n, "%s%s%s%s",
                              any ? " \xE2\x80\x94 " : *prefix ? " " : "",
                              i == 0 ? BOLD_ON : "", parts[i], i == 0 ? BOLD_OFF : "");
        any = true;
    }
    return any;
}

/* " · fr · china, united-states": the document's language and the
 * passage's actors, when known, after col columns; an item that would
 * pass the width is left out (--json has them all). */
static void detail_line(FILE *out, const cJSON *doc, const cJSON *passage, int col,
                        const struct style *st)
{
    const cJSON *actors = cJSON_GetObjectItemCaseSensitive(passage, "actors");
    const char *lang = str(doc, "language");
    const cJSON *a;
    bool first = true;

    if (lang != NULL && col + 3 + (int)strlen(lang) <= st->width) {
        fprintf(out, " \xC2\xB7 %s", lang);
        col += 3 + (int)strlen(lang);
    }
    cJSON_ArrayForEach(a, actors) {
        if (cJSON_IsString(a) && col + (first ? 3 : 2) + (int)strlen(a->valuestring) <= st->width) {
            fprintf(out, "%s%s", first ? " \xC2\xB7 " : ", ", a->valuestring);
            col += (first ? 3 : 2) + (int)strlen(a->valuestring);
            first = false;
        }
    }
}

static void header(FILE *out, int rank, const cJSON *doc, const cJSON *passage,
                   const struct style *st)
{
    const char *id = str(doc, "id");
    char line[8192], num[32];
    int n;

    snprintf(num, sizeof num, "%d.", rank);
    doc_line(line, sizeof line, num, doc);
    render_hanging(out, line, 0, 3, st);
    n = snprintf(num, sizeof num, "#%d", int_num(passage, "n"));
    fprintf(out, "   %s%s%s", st->color ? DIM : "", id ? id : "?", num);
    detail_line(out, doc, passage, 3 + word_width(id ? id : "?", strlen(id ? id : "?"), st) + n,
                st);
    fprintf(out, "%s\n", st->color ? RESET : "");
}

static void quotes(FILE *out, const cJSON *qs, const struct style *st)
{
    const cJSON *q;

    cJSON_ArrayForEach(q, qs) {
        const char *text = str(q, "text"), *who = str(q, "speaker"), *role = str(q, "role");
        char *marked = text ? mark(text, cJSON_GetObjectItemCaseSensitive(q, "matches")) : NULL;
        char *line = NULL;

        if (marked == NULL)
            continue;
        if (asprintf(&line, "\xE2\x80\x9C%s\xE2\x80\x9D \xE2\x80\x94 %s%s%s%s", marked,
                     who ? who : "unknown speaker", role ? " (" : "", role ? role : "",
                     role ? ")" : "") > 0)
            render_wrapped(out, line, 3, st);
        free(line);
        free(marked);
    }
}

/* One term of an explained part into b: "term"; where:"term" when it is
 * found elsewhere than its part says; from<-"term" (kind) for one an
 * expansion added. */
static void explain_term(struct att_buf *b, const cJSON *t, const char *where)
{
    const char *term = str(t, "term"), *tw = str(t, "where");
    const char *from = str(t, "from"), *kind = str(t, "kind");

    if (term == NULL)
        return;
    if (tw != NULL && where != NULL && strcmp(tw, where) != 0)
        att_buf_addf(b, "%s:", tw);
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "expansion")))
        att_buf_addf(b, "%s<-", from ? from : "?");
    att_buf_addf(b, "\"%s\"", term);
    if (kind != NULL)
        att_buf_addf(b, " (%s)", kind);
}

/* One part into b: WHERE "term", ... WEIGHT; a phrase's terms in one pair
 * of quotation marks. */
static void explain_part(struct att_buf *b, const cJSON *p)
{
    const char *where = str(p, "where");
    bool phrase = where != NULL && strcmp(where, "phrase") == 0;
    const cJSON *t;
    int k = 0;

    att_buf_addf(b, "%s %s", where ? where : "?", phrase ? "\"" : "");
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(p, "terms")) {
        if (phrase)
            att_buf_addf(b, "%s%s", k++ ? " " : "", str(t, "term") ? str(t, "term") : "");
        else if (k++ == 0 || att_buf_add(b, ", ", 2) == ATT_OK)
            explain_term(b, t, where);
    }
    att_buf_addf(b, "%s %.2f", phrase ? "\"" : "", num(p, "weight"));
}

/* "explain: SCORE = PART + PART ...", under a hit that has an explanation
 * (--explain). */
static void explain(FILE *out, const cJSON *h, const struct style *st)
{
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(h, "explain"), *p;
    struct att_buf b;
    int k = 0;

    if (!cJSON_IsObject(ex))
        return;
    att_buf_init(&b, 1 << 20);
    att_buf_addf(&b, "explain: %.2f =", num(h, "score"));
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(ex, "parts")) {
        att_buf_add(&b, k > 0 ? " + " : " ", k > 0 ? 3 : 1);
        explain_part(&b, p);
        k++;
    }
    if (k == 0)
        att_buf_addf(&b, " (no weighted part)");
    if (b.p != NULL)
        render_hanging(out, b.p, 3, 5, st);
    att_buf_free(&b);
}

/* "also in: DOC#N, ..." under a hit: its copies in other documents (with
 * "..., N in all" when the daemon listed only some). */
static void also_in(FILE *out, const cJSON *h, const struct style *st)
{
    const cJSON *dups = cJSON_GetObjectItemCaseSensitive(h, "duplicates"), *d;
    int listed = 0, total = int_num(h, "duplicates_total");
    struct att_buf b;
    int rc;

    if (cJSON_GetArraySize(dups) == 0)
        return;
    att_buf_init(&b, 1u << 20);
    rc = att_buf_add(&b, "also in: ", 9);
    cJSON_ArrayForEach(d, dups) {
        const char *doc = str(d, "doc");

        if (rc == ATT_OK)
            rc = att_buf_addf(&b, "%s%s#%d", listed ? ", " : "", doc ? doc : "?",
                              int_num(d, "passage"));
        listed++;
    }
    if (rc == ATT_OK && total > listed)
        rc = att_buf_addf(&b, ", \xE2\x80\xA6 %d in all", total);
    if (rc == ATT_OK && att_buf_addc(&b, '\0') == ATT_OK)
        render_wrapped(out, b.p, 3, st);
    att_buf_free(&b);
}

unsigned render_search_fields(const struct style *st, bool explained)
{
    /* header(): rank, the doc_line() parts, the id and detail_line()'s
     * language and actors; the body; quotes(); also_in(); explain(). */
    unsigned f = ATT_HF_RANK | ATT_HF_DOC_ID | ATT_HF_DOC_TITLE | ATT_HF_DOC_AUTHOR |
                 ATT_HF_DOC_DATE | ATT_HF_DOC_SOURCE | ATT_HF_DOC_LANGUAGE | ATT_HF_P_N |
                 ATT_HF_P_ACTORS | ATT_HF_QUOTES | ATT_HF_DUPLICATES;

    f |= st->full ? ATT_HF_P_TEXT | ATT_HF_MATCHES : ATT_HF_SNIPPET;
    if (explained)
        f |= ATT_HF_EXPLAIN | ATT_HF_SCORE;
    return f;
}

int render_search(FILE *out, const cJSON *resp, const struct style *st)
{
    const cJSON *hits = cJSON_GetObjectItemCaseSensitive(resp, "hits");
    const cJSON *total = cJSON_GetObjectItemCaseSensitive(resp, "total");
    const char *spelling = str(resp, "spelling");
    const cJSON *h;
    int n = 0;

    cJSON_ArrayForEach(h, hits) {
        const cJSON *passage = cJSON_GetObjectItemCaseSensitive(h, "passage");
        char *marked = NULL;

        header(out, int_num(h, "rank"), cJSON_GetObjectItemCaseSensitive(h, "doc"), passage,
               st);
        if (st->full && str(passage, "text"))
            marked = mark(str(passage, "text"), cJSON_GetObjectItemCaseSensitive(h, "matches"));
        render_wrapped(out, marked ? marked : (str(h, "snippet") ? str(h, "snippet") : ""), 3,
                       st);
        free(marked);
        quotes(out, cJSON_GetObjectItemCaseSensitive(h, "quotes"), st);
        explain(out, h, st);
        also_in(out, h, st);
        fputc('\n', out);
        n++;
    }
    char foot[512];

    snprintf(foot, sizeof foot, "%d of about %.0f results, %.1f ms%s%s", n,
             num(total, "estimate"), num(resp, "took_us") / 1000.0,
             cJSON_IsTrue(cJSON_GetObjectItem(resp, "relaxed")) ? " (relaxed: any word)" : "",
             cJSON_IsTrue(cJSON_GetObjectItem(resp, "partial"))
                 ? " (time limit reached: partial results)" : "");
    fprintf(out, "%s\n", foot); /* one status line, never wrapped: scripts grep it */
    if (spelling)
        fprintf(out, "Did you mean: %s?\n", spelling);
    return n;
}

/* A get's passage: "#N TEXT" (N the protocol's 0-based number, bold),
 * the text wrapped under a hanging indent, then its quotations. */
static void get_passage(FILE *out, const cJSON *p, const struct style *st)
{
    const char *text = str(p, "text");
    char *line = NULL;

    if (asprintf(&line, BOLD_ON "#%d" BOLD_OFF " %s", int_num(p, "n"), text ? text : "") < 0)
        return;
    render_hanging(out, line, 0, 3, st);
    free(line);
    quotes(out, cJSON_GetObjectItemCaseSensitive(p, "quotes"), st);
}

void render_get(FILE *out, const cJSON *resp, const struct style *st)
{
    const cJSON *doc = cJSON_GetObjectItemCaseSensitive(resp, "doc");
    const char *id = str(doc, "id"), *url = str(doc, "url");
    char line[8192];
    bool head = doc_line(line, sizeof line, "", doc);
    const cJSON *p;

    /* The document's header once: "TITLE — DATE — SOURCE" (when it has
     * any of them), its id (dim), its URL. */
    if (head)
        render_hanging(out, line, 0, 3, st);
    fprintf(out, "%s%s%s%s\n", head ? "   " : "", st->color ? DIM : "", id ? id : "?",
            st->color ? RESET : "");
    if (url != NULL)
        render_wrapped(out, url, 3, st);
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(resp, "passages")) {
        fputc('\n', out);
        get_passage(out, p, st);
    }
}

static void flat(FILE *out, const cJSON *o, const char *prefix)
{
    const cJSON *c;

    cJSON_ArrayForEach(c, o) {
        char key[256];

        if (strcmp(c->string, "id") == 0 || strcmp(c->string, "ok") == 0)
            continue;
        snprintf(key, sizeof key, "%s%s", prefix, c->string);
        if (cJSON_IsObject(c)) {
            char sub[260];

            snprintf(sub, sizeof sub, "%s.", key);
            flat(out, c, sub);
        } else if (cJSON_IsString(c)) {
            fprintf(out, "%s: %s\n", key, c->valuestring);
        } else if (cJSON_IsNumber(c)) {
            fprintf(out, "%s: %.15g\n", key, c->valuedouble);
        }
    }
}

/* The "shards" array as a table: one line per database given to --db. */
static void shard_table(FILE *out, const cJSON *shards)
{
    const cJSON *sh;
    int w = 2;

    cJSON_ArrayForEach(sh, shards) {
        const cJSON *db = cJSON_GetObjectItemCaseSensitive(sh, "db");

        if (cJSON_IsString(db) && (int)strlen(db->valuestring) > w)
            w = (int)strlen(db->valuestring);
    }
    fprintf(out, "shards:\n  %-*s  %-5s  %10s  %10s\n", w, "db", "state", "revision",
            "passages");
    cJSON_ArrayForEach(sh, shards) {
        const cJSON *db = cJSON_GetObjectItemCaseSensitive(sh, "db");
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(sh, "state");
        const cJSON *rev = cJSON_GetObjectItemCaseSensitive(sh, "revision");
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(sh, "passages");
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(sh, "error");
        char rs[32] = "-", ns[32] = "-";

        if (cJSON_IsNumber(rev))
            snprintf(rs, sizeof rs, "%.15g", rev->valuedouble);
        if (cJSON_IsNumber(n))
            snprintf(ns, sizeof ns, "%.15g", n->valuedouble);
        fprintf(out, "  %-*s  %-5s  %10s  %10s", w, cJSON_IsString(db) ? db->valuestring : "?",
                cJSON_IsString(st) ? st->valuestring : "?", rs, ns);
        if (cJSON_IsString(e))
            fprintf(out, "  %s", e->valuestring);
        fputc('\n', out);
    }
}

void render_stats(FILE *out, const cJSON *resp)
{
    const cJSON *shards = cJSON_GetObjectItemCaseSensitive(resp, "shards");

    flat(out, resp, "");
    if (cJSON_IsArray(shards) && cJSON_GetArraySize(shards) > 0)
        shard_table(out, shards);
}
