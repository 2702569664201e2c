/* attache: micro benchmark of response printing: a typical 10-hit search
 * response (about 10 KB, passages of 1 KB prose) written with the streaming
 * writer (lib/jsonw.c) and built as a cJSON tree then printed. Prints
 * nanoseconds per response for each way. Usage: jsonw_bench [rounds]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "jsonw.h"
#include "protocol.h"

#define HITS 10

/* The strings of one hit. */
struct hit {
    char id[64], title[96], text[1100], snippet[300];
    long long start, end;
    double score;
};

static struct hit hits[HITS];

static const char *const words[] = {
    "the",      "minister",  "said",   "on",        "Tuesday", "that",    "talks",
    "would",    "resume",    "after",  "a",         "pause",   "of",      "several",
    "weeks,",   "while",     "critics", "\xE2\x80\x9C" "doubted\xE2\x80\x9D", "any",
    "progress", "\xE2\x80\x94", "and",  "Erdo\xC4\x9F" "an", "caf\xC3\xA9", "in",
    "Beijing.", "\"We",      "agreed\"", "budget",   "$330",    "million", "sale",
};

static void fill(char *s, size_t n, unsigned *seed)
{
    size_t at = 0;

    while (at + 16 < n) {
        const char *w;

        *seed = *seed * 1103515245u + 12345u;
        w = words[(*seed >> 16) % (sizeof words / sizeof words[0])];
        at += (size_t)snprintf(s + at, n - at, "%s ", w);
    }
    s[at] = '\0';
}

static void make_hits(void)
{
    unsigned seed = 1;

    for (int i = 0; i < HITS; i++) {
        struct hit *h = &hits[i];

        snprintf(h->id, sizeof h->id, "seed/2025/11/report-%d-talks.txt", i);
        fill(h->title, sizeof h->title, &seed);
        fill(h->text, sizeof h->text, &seed);
        strcpy(h->snippet, "\xE2\x80\xA6 approved a $330 million <b>arms</b> <b>sale</b> to "
                           "<b>Taiwan</b>, the ministry said \xE2\x80\xA6");
        h->start = 1102 + i * 977;
        h->end = h->start + (long long)strlen(h->text);
        h->score = 11.2 - i * 0.37;
    }
}

static int null_sink(void *ud, const char *p, size_t n)
{
    (void)p;
    *(size_t *)ud += n;
    return ATT_OK;
}

static void jw_hit(struct att_jw *w, const struct hit *h, int rank)
{
    att_jw_obj(w, NULL);
    att_jw_int(w, "rank", rank);
    att_jw_real(w, "score", h->score);
    att_jw_obj(w, "doc");
    att_jw_str(w, "id", h->id);
    att_jw_str(w, "title", h->title);
    att_jw_str(w, "date", "2025-11-24");
    att_jw_str(w, "source", "Wire");
    att_jw_str(w, "url", "https://example.org/2025/11/24/talks");
    att_jw_end_obj(w);
    att_jw_obj(w, "passage");
    att_jw_int(w, "n", rank + 1);
    att_jw_int(w, "start", h->start);
    att_jw_int(w, "end", h->end);
    att_jw_str(w, "text", h->text);
    att_jw_end_obj(w);
    att_jw_str(w, "snippet", h->snippet);
    att_jw_arr(w, "matches");
    for (int m = 0; m < 4; m++) {
        att_jw_arr(w, NULL);
        att_jw_int(w, NULL, 12 + m * 70);
        att_jw_int(w, NULL, 18 + m * 70);
        att_jw_end_arr(w);
    }
    att_jw_end_arr(w);
    att_jw_end_obj(w);
}

static void jw_response(struct att_jw *w)
{
    att_jw_obj(w, NULL);
    att_jw_int(w, "id", 42);
    att_jw_bool(w, "ok", true);
    att_jw_int(w, "took_us", 1234);
    att_jw_int(w, "total", 5678);
    att_jw_arr(w, "hits");
    for (int i = 0; i < HITS; i++)
        jw_hit(w, &hits[i], i + 1);
    att_jw_end_arr(w);
    att_jw_end_obj(w);
    att_jw_newline(w);
}

/* The same response as a cJSON tree (what the daemon built before it
 * had the writer). */
static void cj_num(cJSON *o, const char *k, double v, bool raw, bool real)
{
    (void)raw;
    (void)real;
    cJSON_AddNumberToObject(o, k, v);
}

static cJSON *cj_response(bool raw)
{
    cJSON *o = cJSON_CreateObject(), *a;

    cj_num(o, "id", 42, raw, false);
    cJSON_AddBoolToObject(o, "ok", 1);
    cj_num(o, "took_us", 1234, raw, false);
    cj_num(o, "total", 5678, raw, false);
    a = cJSON_AddArrayToObject(o, "hits");
    for (int i = 0; i < HITS; i++) {
        const struct hit *h = &hits[i];
        cJSON *x = cJSON_CreateObject(), *d, *p, *m;

        cJSON_AddItemToArray(a, x);
        cj_num(x, "rank", i + 1, raw, false);
        cj_num(x, "score", h->score, raw, true);
        d = cJSON_AddObjectToObject(x, "doc");
        cJSON_AddStringToObject(d, "id", h->id);
        cJSON_AddStringToObject(d, "title", h->title);
        cJSON_AddStringToObject(d, "date", "2025-11-24");
        cJSON_AddStringToObject(d, "source", "Wire");
        cJSON_AddStringToObject(d, "url", "https://example.org/2025/11/24/talks");
        p = cJSON_AddObjectToObject(x, "passage");
        cj_num(p, "n", i + 2, raw, false);
        cj_num(p, "start", (double)h->start, raw, false);
        cj_num(p, "end", (double)h->end, raw, false);
        cJSON_AddStringToObject(p, "text", h->text);
        cJSON_AddStringToObject(x, "snippet", h->snippet);
        m = cJSON_AddArrayToObject(x, "matches");
        for (int k = 0; k < 4; k++) {
            int pair[2] = {12 + k * 70, 18 + k * 70};

            cJSON_AddItemToArray(m, cJSON_CreateIntArray(pair, 2));
        }
    }
    return o;
}

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

enum way { JW_NULL, JW_BUF, CJ_PRINT, WAYS };

static const char *const names[WAYS] = {
    "writer, to a counting sink",
    "writer, into an att_buf (reused)",
    "cJSON tree + cJSON_PrintUnformatted",
};

/* One response the given way; returns its length. */
static size_t once(enum way way, struct att_buf *b)
{
    struct att_jw w;
    size_t n = 0;
    char *s;
    cJSON *o;

    if (way == JW_NULL || way == JW_BUF) {
        if (way == JW_BUF) {
            att_buf_reset(b);
            att_jw_init_buf(&w, b);
        } else {
            att_jw_init(&w, null_sink, &n);
        }
        jw_response(&w);
        if (att_jw_flush(&w, NULL) != ATT_OK)
            abort();
        return way == JW_BUF ? b->len : n;
    }
    o = cj_response(false);
    s = cJSON_PrintUnformatted(o);
    if (s == NULL)
        abort();
    n = strlen(s) + 1;
    free(s);
    cJSON_Delete(o);
    return n;
}

/* The writer's response and cJSON's read back as the same JSON (scores
 * to the writer's 9 digits). */
static void same_json(struct att_buf *b)
{
    cJSON *o = cj_response(false), *back;
    char *s = cJSON_PrintUnformatted(o);
    cJSON *hits, *bhits;

    once(JW_BUF, b);
    back = cJSON_ParseWithLength(b->p, b->len);
    cJSON_Delete(o);
    o = cJSON_Parse(s);
    hits = cJSON_GetObjectItemCaseSensitive(o, "hits");
    bhits = cJSON_GetObjectItemCaseSensitive(back, "hits");
    for (int i = 0; hits != NULL && bhits != NULL && i < HITS; i++) {
        cJSON_DeleteItemFromObject(cJSON_GetArrayItem(hits, i), "score");
        cJSON_DeleteItemFromObject(cJSON_GetArrayItem(bhits, i), "score");
    }
    if (back == NULL || o == NULL || !cJSON_Compare(o, back, true)) {
        fprintf(stderr, "jsonw_bench: the two responses differ\n");
        exit(1);
    }
    free(s);
    cJSON_Delete(o);
    cJSON_Delete(back);
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 5, iters = 20000;
    struct att_buf b;

    make_hits();
    att_buf_init(&b, 1 << 20);
    same_json(&b);
    for (int way = 0; way < WAYS; way++) {
        double best = 1e300;
        size_t len = 0;

        for (int r = 0; r < rounds; r++) {
            double t0 = now_ns();

            for (int i = 0; i < iters; i++)
                len = once((enum way)way, &b);
            double dt = (now_ns() - t0) / iters;

            best = dt < best ? dt : best;
        }
        printf("%-62s %6zu bytes %8.0f ns\n", names[way], len, best);
    }
    att_buf_free(&b);
    return 0;
}
