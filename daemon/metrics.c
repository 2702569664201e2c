/* attached: GET /metrics (the Prometheus text format 0.0.4 of the summed
 * worker counters, the connections and one worker's view of the index) and
 * the probes GET /health and GET /ready (small JSON objects). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "attache/protocol.h"
#include "http.h"
#include "jsonw.h"
#include "terms.h"

#define HIST_STEP 4 /* a histogram bucket of the text for every 4 of stats.h's */

/* The text under construction; failed once a write did not fit. */
struct out {
    struct evbuffer *b;
    bool failed;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (!o->failed && evbuffer_add_vprintf(o->b, fmt, ap) < 0)
        o->failed = true;
    va_end(ap);
}

/* s as a label value: backslash, double quote and newline escaped. */
static void put_label(struct out *o, const char *s)
{
    const char *run = s;

    for (; *s != '\0'; s++) {
        const char *esc = *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" : *s == '\n' ? "\\n" : NULL;

        if (esc == NULL)
            continue;
        if (!o->failed && (evbuffer_add(o->b, run, (size_t)(s - run)) != 0 ||
                           evbuffer_add(o->b, esc, 2) != 0))
            o->failed = true;
        run = s + 1;
    }
    if (!o->failed && evbuffer_add(o->b, run, (size_t)(s - run)) != 0)
        o->failed = true;
}

/* The # HELP and # TYPE lines of a family (help holds no '\' nor newline). */
static void family(struct out *o, const char *name, const char *type, const char *help)
{
    put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A family of one sample without labels. */
static void single(struct out *o, const char *name, const char *type, const char *help,
                   unsigned long long v)
{
    family(o, name, type, help);
    put(o, "%s %llu\n", name, v);
}

static const char *op_label(int op)
{
    return op == ATT_OP_COUNT ? "unparsed" : att_op_name((enum att_op)op);
}

static const char *code_label(int code)
{
    return code == ATT_WE_NONE ? "ok" : att_wire_err_name((enum att_wire_err)code);
}

/* Every operation with code "ok" (0 included, so that rates start from
 * the first scrape), and every other pair counted at least once. */
static void put_requests(struct out *o, const struct stats *st)
{
    family(o, "attache_requests_total", "counter",
           "Requests answered, by operation and outcome (ok or the error code).");
    for (int op = 0; op <= ATT_OP_COUNT; op++) {
        for (int code = 0; code < ATT_WE_COUNT; code++) {
            uint64_t n = st->outcomes[op][code];

            if (n > 0 || (code == ATT_WE_NONE && op < ATT_OP_COUNT))
                put(o, "attache_requests_total{op=\"%s\",code=\"%s\"} %llu\n", op_label(op),
                    code_label(code), (unsigned long long)n);
        }
    }
}

/* stats.h's buckets, HIST_STEP at a time, in seconds; +Inf counts all. */
static void put_latency(struct out *o, const struct stats *st)
{
    const char *name = "attache_request_duration_seconds";
    uint64_t seen = 0;

    family(o, name, "histogram", "Time to answer a request, from its line to its response.");
    for (int i = 0; i < STATS_BUCKETS; i++) {
        seen += st->lat[i];
        if (i % HIST_STEP == 0 && i + HIST_STEP < STATS_BUCKETS)
            put(o, "%s_bucket{le=\"%.6g\"} %llu\n", name, stats_bucket_top(i) / 1e6,
                (unsigned long long)seen);
    }
    put(o, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)seen);
    put(o, "%s_sum %llu.%06llu\n", name, (unsigned long long)(st->lat_sum / 1000000u),
        (unsigned long long)(st->lat_sum % 1000000u));
    put(o, "%s_count %llu\n", name, (unsigned long long)seen);
}

static void put_http(struct out *o, const struct stats *st)
{
    family(o, "attache_http_responses_total", "counter", "HTTP responses, by status code.");
    for (int i = 0; i < STATS_HTTP_N; i++) {
        if (st->http[i] > 0)
            put(o, "attache_http_responses_total{code=\"%d\"} %llu\n", STATS_HTTP_MIN + i,
                (unsigned long long)st->http[i]);
    }
}

static void put_connections(struct out *o, struct server *s)
{
    size_t queued = 0;

    single(o, "attache_connections_open", "gauge", "Connections open now.",
           atomic_load(&s->conns_current));
    single(o, "attache_connections_total", "counter", "Connections accepted.",
           atomic_load(&s->conns_total));
    single(o, "attache_connections_rejected_total", "counter",
           "Connections turned away at the connection cap (overloaded).",
           atomic_load(&s->conns_rejected));
    single(o, "attache_connections_evicted_total", "counter",
           "Idle connections closed to make room at the connection cap.",
           atomic_load(&s->conns_evicted));
    single(o, "attache_connections_timed_out_total", "counter",
           "Connections closed because a request did not arrive whole in time.",
           atomic_load(&s->conns_timed_out));
    single(o, "attache_connections_per_ip_rejected_total", "counter",
           "Connections turned away at the cap per client address (--max-per-ip).",
           atomic_load(&s->conns_per_ip_rejected));
    single(o, "attache_connections_memory_paused_total", "counter",
           "Times a connection stopped being read because clients held too much memory.",
           atomic_load(&s->conns_memory_paused));
    single(o, "attache_connections_memory_closed_total", "counter",
           "Connections not reading their responses, closed because clients held too much "
           "memory.", atomic_load(&s->conns_memory_closed));
    for (unsigned i = 0; i < s->nworkers; i++)
        queued += atomic_load(&s->workers[i].queued_bytes);
    single(o, "attache_output_queued_bytes", "gauge",
           "Bytes of responses queued for clients and not yet sent.", queued);
    single(o, "attache_client_memory_bytes", "gauge",
           "Bytes held for clients, as --max-client-memory counts them: responses queued "
           "and requests read, not yet answered.",
           server_client_memory(s));
    single(o, "attache_client_memory_limit_bytes", "gauge",
           "The ceiling on attache_client_memory_bytes (--max-client-memory; 0: none).",
           atomic_load(&s->lim.max_client_memory));
}

/* What w's index is now: revision, documents, passages, age, each shard. */
static void put_index(struct out *o, struct worker *w)
{
    struct server *s = w->srv;
    struct att_xdb_source src[CONFIG_MAX_DB];
    struct att_xdb_info info = {0};
    struct att_err err = {0};
    time_t now = time(NULL), since = w->changed_at != 0 ? w->changed_at : s->started;
    uint64_t docs = 0;
    size_t n = 0;

    single(o, "attache_index_revision", "gauge",
           "Revision of the index served (summed over its databases).", w->revision);
    if (w->db != NULL && att_xdb_get_info(w->db, &info, false, &err) == ATT_OK &&
        att_xdb_prefix_count(w->db, ATT_P_DOC, &docs, &err) == ATT_OK) {
        single(o, "attache_index_documents", "gauge", "Documents in the index.", docs);
        single(o, "attache_index_passages", "gauge", "Passages in the index.", info.doccount);
    }
    single(o, "attache_index_age_seconds", "gauge",
           "Seconds since the revision served changed (at start: since the daemon started).",
           (unsigned long long)(now > since ? now - since : 0));
    if (w->db != NULL)
        att_xdb_sources(w->db, src, CONFIG_MAX_DB, &n);
    family(o, "attache_shard_up", "gauge",
           "Whether each database of the index can be searched (1) or is out (0).");
    for (size_t i = 0; i < n; i++) {
        put(o, "attache_shard_up{db=\"");
        put_label(o, src[i].spec);
        put(o, "\"} %d\n", src[i].up ? 1 : 0);
    }
}

/* Returns ATT_OK, or ATT_E_NOMEM when the text could not be written
 * whole. Runs in w's thread: w's index is read, and every worker's
 * counters, each under its lock in turn (into a private sum). */
int metrics_write(struct worker *w, struct evbuffer *out)
{
    struct server *s = w->srv;
    struct out o = {out, false};
    struct stats sum;

    worker_refresh(w, false);
    stats_init(&sum);
    for (unsigned i = 0; i < s->nworkers; i++)
        stats_sum(&sum, &s->workers[i].st);
    family(&o, "attache_build_info", "gauge", "The program's version, always 1.");
    put(&o, "attache_build_info{version=\"");
    put_label(&o, ATTACHE_VERSION);
    put(&o, "\",protocol=\"%d\"} 1\n", ATTACHE_PROTOCOL_VERSION);
    single(&o, "attache_uptime_seconds", "gauge", "Seconds since the daemon started.",
           (unsigned long long)(time(NULL) - s->started));
    put_requests(&o, &sum);
    put_latency(&o, &sum);
    put_http(&o, &sum);
    put_connections(&o, s);
    single(&o, "attache_pipelining_yields_total", "counter",
           "Times a connection gave way to others after its pipelining budget.", sum.yields);
    single(&o, "attache_index_reopens_total", "counter",
           "Times a worker reopened the index on a new revision.", sum.reopens);
    put_index(&o, w);
    stats_destroy(&sum);
    return o.failed ? ATT_E_NOMEM : ATT_OK;
}

/* ---- /health and /ready ---------------------------------------------- */

static int to_evbuffer(void *ud, const char *p, size_t n)
{
    return evbuffer_add(ud, p, n) == 0 ? ATT_OK : ATT_E_NOMEM;
}

/* What a probe found: the index's numbers when it could read them, its
 * databases, and what is wrong (readable sentences). */
struct probe {
    bool counted;            /* docs and info are known */
    uint64_t docs;
    struct att_xdb_info info;
    struct att_xdb_source src[CONFIG_MAX_DB];
    size_t nsrc;
    char problems[CONFIG_MAX_DB + 3][300];
    size_t nprob;
};

static void add_problem(struct probe *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_problem(struct probe *p, const char *fmt, ...)
{
    va_list ap;

    if (p->nprob >= sizeof p->problems / sizeof p->problems[0])
        return;
    va_start(ap, fmt);
    vsnprintf(p->problems[p->nprob++], sizeof p->problems[0], fmt, ap);
    va_end(ap);
}

/* Look at w: stopping, its index open; unless ready, each database too. */
static void examine(struct worker *w, bool ready, struct probe *p)
{
    struct att_err err = {0};

    if (w->stopping)
        add_problem(p, "the daemon is shutting down");
    if (w->db == NULL) {
        add_problem(p, "the index %s cannot be opened: %s", w->srv->cfg.db,
                    att_strerror(w->open_error));
        return;
    }
    p->counted = att_xdb_get_info(w->db, &p->info, false, &err) == ATT_OK &&
                 att_xdb_prefix_count(w->db, ATT_P_DOC, &p->docs, &err) == ATT_OK;
    if (ready)
        return;
    if (!p->counted)
        add_problem(p, "the index cannot be read: %s", err.msg);
    att_xdb_sources(w->db, p->src, CONFIG_MAX_DB, &p->nsrc);
    for (size_t i = 0; i < p->nsrc; i++) {
        if (!p->src[i].up)
            add_problem(p, "shard %s is out: %s", p->src[i].spec, p->src[i].error);
    }
}

static void write_probe(struct att_jw *jw, const struct worker *w, const struct probe *p)
{
    att_jw_str(jw, "status", p->nprob == 0 ? "ok" : "unavailable");
    if (p->nprob > 0) {
        att_jw_arr(jw, "problems");
        for (size_t i = 0; i < p->nprob; i++)
            att_jw_str(jw, NULL, p->problems[i]);
        att_jw_end_arr(jw);
    }
    if (w->db != NULL)
        att_jw_int(jw, "revision", (long long)w->revision);
    if (p->counted) {
        att_jw_int(jw, "documents", (long long)p->docs);
        att_jw_int(jw, "passages", p->info.doccount);
    }
    if (p->nsrc > 0) {
        att_jw_arr(jw, "shards");
        for (size_t i = 0; i < p->nsrc; i++) {
            att_jw_obj(jw, NULL);
            att_jw_str(jw, "db", p->src[i].spec);
            att_jw_str(jw, "state", p->src[i].up ? "up" : "out");
            att_jw_end_obj(jw);
        }
        att_jw_end_arr(jw);
    }
}

/* ready (/ready): whether w can answer (its index open, not stopping);
 * else (/health) also whether every database of the index is up, listed
 * in "shards". Returns 200 ("status": "ok"), or 503 ("status":
 * "unavailable", "problems": [...]); 500 when the body could not be
 * written (out of memory). Runs in w's thread. */
int health_write(struct worker *w, bool ready, struct evbuffer *out)
{
    struct probe p;
    struct att_jw jw;

    memset(&p, 0, sizeof p);
    worker_refresh(w, false);
    examine(w, ready, &p);
    att_jw_init(&jw, to_evbuffer, out);
    att_jw_obj(&jw, NULL);
    write_probe(&jw, w, &p);
    att_jw_end_obj(&jw);
    att_jw_newline(&jw);
    if (att_jw_flush(&jw, NULL) != ATT_OK)
        return 500;
    return p.nprob == 0 ? 200 : 503;
}
