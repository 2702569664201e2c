/* Unit tests of daemon/metrics.c and the counters of daemon/stats.c, built
 * into this test (worker_refresh stubbed): the text format's families,
 * counts and escaping, the probes' answers, and the cost of one scrape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../daemon/metrics.c"
#include "../../daemon/stats.c"
#include "helpers.h"

void worker_refresh(struct worker *w, bool force)
{
    (void)w;
    (void)force;
}

static char tmpdir[64];
static char dbpath[128];

/* A server of two workers; the first may have the index at dbpath open. */
struct fixture {
    struct server srv;
    struct worker w[2];
};

static void fixture_init(struct fixture *f, bool open)
{
    struct att_err err = {0};

    memset(f, 0, sizeof *f);
    f->srv.workers = f->w;
    f->srv.nworkers = 2;
    f->srv.started = time(NULL);
    f->srv.cfg.db = dbpath;
    for (int i = 0; i < 2; i++) {
        f->w[i].srv = &f->srv;
        f->w[i].index = (unsigned)i;
        stats_init(&f->w[i].st);
    }
    if (open) {
        assert_int_equal(att_xdb_open(dbpath, &f->w[0].db, &err), ATT_OK);
        f->w[0].revision = att_xdb_revision(f->w[0].db);
    } else {
        f->w[0].open_error = ATT_E_OPENING;
    }
}

static void fixture_free(struct fixture *f)
{
    for (int i = 0; i < 2; i++) {
        att_xdb_close(f->w[i].db);
        stats_destroy(&f->w[i].st);
    }
}

/* What fn wrote to an evbuffer, NUL-terminated (static: one at a time). */
static char *drain(struct evbuffer *b)
{
    static char text[65536];
    size_t n = evbuffer_get_length(b);

    assert_true(n < sizeof text);
    evbuffer_remove(b, text, n);
    text[n] = '\0';
    return text;
}

static char *scrape(struct fixture *f)
{
    struct evbuffer *b = evbuffer_new();
    char *text;

    assert_int_equal(metrics_write(&f->w[0], b), ATT_OK);
    text = drain(b);
    evbuffer_free(b);
    return text;
}

/* The value of the sample whose name and labels are exactly series. */
static double sample(const char *text, const char *series)
{
    size_t n = strlen(series);
    const char *p = text;

    while (p != NULL) {
        if (strncmp(p, series, n) == 0 && p[n] == ' ')
            return strtod(p + n + 1, NULL);
        p = strchr(p, '\n');
        p = p != NULL ? p + 1 : NULL;
    }
    fail_msg("no sample %s in:\n%s", series, text);
    return -1;
}

/* A tiny index: two documents, three passages. */
static int setup(void **state)
{
    struct att_xwdb *w = NULL;
    struct att_xgen *g;
    struct att_err err = {0};
    static const char *const docs[] = {"XDa.txt", "XDa.txt", "XDb.txt"};

    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/att-metrics-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    snprintf(dbpath, sizeof dbpath, "%s/db \"one\"", tmpdir);
    if (att_xwdb_open(dbpath, ATT_XW_CREATE, &w, &err) != ATT_OK)
        return -1;
    g = att_xgen_new();
    for (int i = 0; i < 3; i++) {
        struct att_xdoc *d = att_xdoc_new(g);

        if (att_xdoc_text(d, "", "Sanctions were imposed", 22, 1, 0, &err) != ATT_OK ||
            att_xdoc_term(d, docs[i], strlen(docs[i]), &err) != ATT_OK ||
            att_xwdb_add(w, d, &err) != ATT_OK)
            return -1;
        att_xdoc_free(d);
    }
    att_xgen_free(g);
    if (att_xwdb_commit(w, &err) != ATT_OK)
        return -1;
    att_xwdb_close(w);
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd);
}

/* Requests counted by op and outcome in both workers are summed; the
 * histogram is cumulative, its +Inf bucket and _count are the requests,
 * _sum their time; HTTP statuses outside 100-599 are not counted. */
static void counters_are_summed(void **state)
{
    struct fixture f;
    char *t;

    (void)state;
    fixture_init(&f, false);
    stats_request(&f.w[0].st, ATT_OP_SEARCH, 5, ATT_WE_NONE);
    stats_request(&f.w[1].st, ATT_OP_SEARCH, 30, ATT_WE_NONE);
    stats_request(&f.w[1].st, ATT_OP_SEARCH, 2000000, ATT_WE_TIMEOUT);
    stats_request(&f.w[0].st, ATT_OP_COUNT, 0, ATT_WE_BAD_JSON);
    stats_http(&f.w[0].st, 200);
    stats_http(&f.w[1].st, 200);
    stats_http(&f.w[1].st, 503);
    stats_http(&f.w[1].st, 600);
    atomic_store(&f.w[0].queued_bytes, 100);
    atomic_store(&f.w[1].queued_bytes, 23);
    t = scrape(&f);
    assert_int_equal(sample(t, "attache_requests_total{op=\"search\",code=\"ok\"}"), 2);
    assert_int_equal(sample(t, "attache_requests_total{op=\"search\",code=\"timeout\"}"), 1);
    assert_int_equal(sample(t, "attache_requests_total{op=\"get\",code=\"ok\"}"), 0);
    assert_int_equal(sample(t, "attache_requests_total{op=\"unparsed\",code=\"bad_json\"}"), 1);
    assert_null(strstr(t, "op=\"unparsed\",code=\"ok\""));
    assert_int_equal(sample(t, "attache_request_duration_seconds_bucket{le=\"1e-05\"}"), 2);
    assert_int_equal(sample(t, "attache_request_duration_seconds_bucket{le=\"5.96046e-05\"}"),
                     3);
    assert_int_equal(sample(t, "attache_request_duration_seconds_bucket{le=\"+Inf\"}"), 4);
    assert_int_equal(sample(t, "attache_request_duration_seconds_count"), 4);
    assert_non_null(strstr(t, "\nattache_request_duration_seconds_sum 2.000035\n"));
    assert_int_equal(sample(t, "attache_http_responses_total{code=\"200\"}"), 2);
    assert_int_equal(sample(t, "attache_http_responses_total{code=\"503\"}"), 1);
    assert_null(strstr(t, "code=\"600\""));
    assert_int_equal(sample(t, "attache_output_queued_bytes"), 123);
    assert_non_null(strstr(t, "attache_build_info{version=\"" ATTACHE_VERSION "\","));
    /* no index: neither its numbers nor shards */
    assert_null(strstr(t, "attache_index_documents"));
    assert_null(strstr(t, "attache_shard_up{"));
    fixture_free(&f);
}

/* Buckets never decrease, and every sample follows its family's # HELP
 * and # TYPE. */
static void text_is_well_formed(void **state)
{
    struct fixture f;
    char family_name[128] = "";
    double last = -1;
    char *t, *line, *save = NULL;

    (void)state;
    fixture_init(&f, true);
    for (uint64_t us = 1; us < 100000000; us *= 3)
        stats_request(&f.w[us % 2].st, ATT_OP_GET, us, ATT_WE_NONE);
    t = scrape(&f);
    for (line = strtok_r(t, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "# HELP ", 7) == 0) {
            sscanf(line + 7, "%127s", family_name);
            continue;
        }
        if (strncmp(line, "# TYPE ", 7) == 0) {
            assert_int_equal(strncmp(line + 7, family_name, strlen(family_name)), 0);
            continue;
        }
        assert_true(family_name[0] != '\0');
        assert_int_equal(strncmp(line, family_name, strlen(family_name)), 0);
        if (strstr(line, "_bucket{") != NULL) {
            double v = strtod(strrchr(line, ' ') + 1, NULL);

            assert_true(v >= last);
            last = v;
        }
    }
    assert_true(last == 17.0); /* 3^0 .. 3^16 */
    fixture_free(&f);
}

/* The index's numbers, and the database's path escaped as a label. */
static void index_and_shards(void **state)
{
    struct fixture f;
    char want[256];
    char *t;

    (void)state;
    fixture_init(&f, true);
    t = scrape(&f);
    assert_int_equal(sample(t, "attache_index_documents"), 2);
    assert_int_equal(sample(t, "attache_index_passages"), 3);
    snprintf(want, sizeof want, "attache_shard_up{db=\"%s/db \\\"one\\\"\"}", tmpdir);
    assert_int_equal(sample(t, want), 1);
    assert_true(sample(t, "attache_index_age_seconds") >= 0);
    fixture_free(&f);
}

static void label_escaping(void **state)
{
    struct evbuffer *b = evbuffer_new();
    struct out o = {b, false};

    (void)state;
    put_label(&o, "a\"b\\c\nd");
    put_label(&o, "");
    put_label(&o, "plain");
    assert_string_equal(drain(b), "a\\\"b\\\\c\\ndplain");
    evbuffer_free(b);
}

static int probe(struct worker *w, bool ready, char **body)
{
    struct evbuffer *b = evbuffer_new();
    int status = health_write(w, ready, b);

    *body = drain(b);
    evbuffer_free(b);
    return status;
}

/* No index: 503 naming it; stopping: 503 for /ready too; else 200 with
 * the index's numbers. */
static void probes(void **state)
{
    struct fixture f;
    char *body, want[256];

    (void)state;
    fixture_init(&f, false);
    assert_int_equal(probe(&f.w[0], false, &body), 503);
    snprintf(want, sizeof want, "{\"status\":\"unavailable\",\"problems\":[\"the index %s/db "
             "\\\"one\\\" cannot be opened: ", tmpdir);
    assert_int_equal(strncmp(body, want, strlen(want)), 0);
    assert_int_equal(probe(&f.w[0], true, &body), 503);
    fixture_free(&f);

    fixture_init(&f, true);
    assert_int_equal(probe(&f.w[0], true, &body), 200);
    assert_non_null(strstr(body, "{\"status\":\"ok\",\"revision\":"));
    assert_non_null(strstr(body, "\"documents\":2,\"passages\":3}\n"));
    assert_int_equal(probe(&f.w[0], false, &body), 200);
    assert_non_null(strstr(body, "\"state\":\"up\"}]}\n"));
    f.w[0].stopping = true;
    assert_int_equal(probe(&f.w[0], true, &body), 503);
    assert_non_null(strstr(body, "\"problems\":[\"the daemon is shutting down\"]"));
    fixture_free(&f);
}

/* The cost of one scrape with an index open (printed; no bound is
 * asserted, the machine's load varies). */
static void scrape_cost(void **state)
{
    struct fixture f;
    struct evbuffer *b = evbuffer_new();
    int rounds = SLOW ? 200 : 5000;
    double t0;

    (void)state;
    fixture_init(&f, true);
    for (int i = 0; i < 1000; i++)
        stats_request(&f.w[i % 2].st, i % ATT_OP_COUNT, (uint64_t)i * 37, i % ATT_WE_COUNT);
    t0 = now();
    for (int i = 0; i < rounds; i++) {
        assert_int_equal(metrics_write(&f.w[0], b), ATT_OK);
        evbuffer_drain(b, evbuffer_get_length(b));
    }
    printf("metrics_write: %.1f us per scrape\n", (now() - t0) / rounds * 1e6);
    t0 = now();
    for (int i = 0; i < rounds; i++) {
        assert_int_equal(health_write(&f.w[0], false, b), 200);
        evbuffer_drain(b, evbuffer_get_length(b));
    }
    printf("health_write: %.1f us per probe\n", (now() - t0) / rounds * 1e6);
    evbuffer_free(b);
    fixture_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counters_are_summed),
        cmocka_unit_test(text_is_well_formed),
        cmocka_unit_test(index_and_shards),
        cmocka_unit_test(label_escaping),
        cmocka_unit_test(probes),
        cmocka_unit_test(scrape_cost),
    };

    return cmocka_run_group_tests_name("metrics", tests, setup, teardown);
}
