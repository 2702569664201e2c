/* attached: get, stats, ping and auth (search is in search.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attache/protocol.h"
#include "buf.h"
#include "handlers.h"
#include "render.h"
#include "terms.h"

void reply_begin(struct reply *rp)
{
    att_jw_begin(rp->jw, rp->req ? rp->req->id : NULL, true);
    rp->begun = true;
}

/* "version" (the program's) and "protocol" (ATTACHE_PROTOCOL_VERSION). */
static void add_versions(struct att_jw *w)
{
    att_jw_str(w, "version", ATTACHE_VERSION);
    att_jw_int(w, "protocol", ATTACHE_PROTOCOL_VERSION);
}

int handle_ping(struct worker *w, struct reply *rp, struct att_err *err)
{
    (void)err;
    reply_begin(rp);
    att_jw_bool(rp->jw, "pong", true);
    att_jw_int(rp->jw, "revision", (long long)w->revision);
    add_versions(rp->jw);
    return ATT_OK;
}

int handle_auth(struct worker *w, struct reply *rp, struct att_err *err)
{
    (void)w;
    (void)err;
    reply_begin(rp);
    att_jw_bool(rp->jw, "auth", true);
    return ATT_OK;
}

/* The passages' records, checked and kept one after the other (each
 * preceded by its length), to be written once every one could be read. */
struct get_ctx {
    struct att_buf recs;
    size_t n;
};

static int keep_passage(void *ud, uint32_t docid, const char *data, size_t len)
{
    struct get_ctx *g = ud;
    struct att_rec r;

    (void)docid;
    if (att_rec_decode(data, len, &r, NULL) != ATT_OK)
        return ATT_E_CORRUPT;
    if (att_buf_add(&g->recs, &len, sizeof len) != ATT_OK ||
        att_buf_add(&g->recs, data, len) != ATT_OK)
        return ATT_E_NOMEM;
    g->n++;
    return ATT_OK;
}

/* The record at *p (as keep_passage kept it) into r; *p moves past it. */
static void next_rec(const char **p, struct att_rec *r)
{
    size_t len;

    memcpy(&len, *p, sizeof len);
    att_rec_decode(*p + sizeof len, len, r, NULL); /* checked by keep_passage */
    *p += sizeof len + len;
}

/* "doc" from the first passage, then "passages". */
static void write_get(struct att_jw *w, const struct get_ctx *g)
{
    const char *p = g->recs.p;
    struct att_rec r;

    next_rec(&p, &r);
    render_doc(w, "doc", &r, ATT_HF_DOC);
    att_jw_arr(w, "passages");
    for (size_t i = 0; i < g->n; i++) {
        if (i > 0)
            next_rec(&p, &r);
        render_passage(w, NULL, &r, ATT_HF_PASSAGE, true);
    }
    att_jw_end_arr(w);
}

int handle_get(struct worker *w, const struct att_request *req, struct reply *rp,
               struct att_err *err)
{
    struct get_ctx g = {.n = 0};
    int rc;

    att_buf_init(&g.recs, SIZE_MAX / 2);
    rc = att_xdb_get(w->db, req->doc, req->passage, keep_passage, &g, err);
    if (rc == ATT_E_CORRUPT)
        att_err_set(err, rc, "a stored passage of %s is damaged", req->doc);
    else if (rc == ATT_E_NOMEM)
        att_err_set(err, rc, "out of memory");
    if (rc == ATT_OK) {
        reply_begin(rp);
        write_get(rp->jw, &g);
        att_jw_int(rp->jw, "revision", (long long)w->revision);
    }
    att_buf_free(&g.recs);
    return rc;
}

/* A number: an integer exactly when it is one. */
static void put_num(struct att_jw *w, const char *name, double v)
{
    if (v == floor(v) && fabs(v) < 9007199254740992.0)
        att_jw_int(w, name, (long long)v);
    else
        att_jw_real(w, name, v);
}

/* The object name: v[i] under label(i), those that are not 0 (all of them
 * for "requests", with their total). */
static void add_counts(struct att_jw *w, const char *name, const uint64_t *v, int n,
                       const char *(*label)(int))
{
    bool all = strcmp(name, "requests") == 0;
    uint64_t total = 0;

    att_jw_obj(w, name);
    for (int i = 0; i < n; i++) {
        if (v[i] > 0 || all)
            att_jw_int(w, label(i), (long long)v[i]);
        total += v[i];
    }
    if (all)
        att_jw_int(w, "total", (long long)total);
    att_jw_end_obj(w);
}

static const char *op_label(int i)
{
    return att_op_name((enum att_op)i);
}

static const char *err_label(int i)
{
    const char *name = att_wire_err_name((enum att_wire_err)i);

    return name ? name : "?";
}

/* stats.limits: the settings the table marks SET_STATS, as they are now,
 * and the hard cap on hits. */
static void add_limits(struct att_jw *w, const struct limits *l)
{
    size_t n;
    const struct setting *t = config_settings(&n);

    att_jw_obj(w, "limits");
    for (size_t i = 0; i < n; i++) {
        if (t[i].flags & SET_STATS)
            put_num(w, t[i].key, limits_get(l, &t[i]));
    }
    att_jw_int(w, "max_limit", ATTACHE_MAX_LIMIT);
    att_jw_end_obj(w);
}

static void add_traffic(struct server *s, struct att_jw *w)
{
    struct stats sum;

    stats_init(&sum);
    for (unsigned i = 0; i < s->nworkers; i++)
        stats_sum(&sum, &s->workers[i].st);
    att_jw_obj(w, "connections");
    att_jw_int(w, "current", atomic_load(&s->conns_current));
    att_jw_int(w, "total", (long long)atomic_load(&s->conns_total));
    att_jw_int(w, "rejected", (long long)atomic_load(&s->conns_rejected));
    att_jw_int(w, "evicted", (long long)atomic_load(&s->conns_evicted));
    att_jw_int(w, "timed_out", (long long)atomic_load(&s->conns_timed_out));
    att_jw_int(w, "per_ip_rejected", (long long)atomic_load(&s->conns_per_ip_rejected));
    att_jw_int(w, "memory_paused", (long long)atomic_load(&s->conns_memory_paused));
    att_jw_int(w, "memory_closed", (long long)atomic_load(&s->conns_memory_closed));
    att_jw_int(w, "memory_bytes", (long long)server_client_memory(s));
    att_jw_end_obj(w);
    add_counts(w, "requests", sum.requests, ATT_OP_COUNT, op_label);
    add_counts(w, "errors", sum.errors, ATT_WE_COUNT, err_label);
    att_jw_obj(w, "latency_us");
    att_jw_int(w, "p50", (long long)stats_percentile(&sum, 0.50));
    att_jw_int(w, "p90", (long long)stats_percentile(&sum, 0.90));
    att_jw_int(w, "p99", (long long)stats_percentile(&sum, 0.99));
    att_jw_int(w, "max", (long long)sum.lat_max);
    att_jw_end_obj(w);
    att_jw_int(w, "yields", (long long)sum.yields);
    att_jw_int(w, "reopens", (long long)sum.reopens);
    stats_destroy(&sum);
}

/* Each database searched: "shards": [{"db", "state": "up"|"out",
 * "revision", "passages"} or {"db", "state": "out", "error"}]; [] while
 * the index cannot be opened (db NULL). */
static void add_shards(struct att_xdb *db, struct att_jw *w)
{
    struct att_xdb_source src[CONFIG_MAX_DB];
    size_t n = 0;

    if (db != NULL)
        att_xdb_sources(db, src, CONFIG_MAX_DB, &n);
    att_jw_arr(w, "shards");
    for (size_t i = 0; i < n; i++) {
        att_jw_obj(w, NULL);
        att_jw_str(w, "db", src[i].spec);
        att_jw_str(w, "state", src[i].up ? "up" : "out");
        if (src[i].up) {
            att_jw_int(w, "revision", (long long)src[i].revision);
            att_jw_int(w, "passages", src[i].passages);
        } else {
            att_jw_str(w, "error", src[i].error);
        }
        att_jw_end_obj(w);
    }
    att_jw_end_arr(w);
}

int handle_stats(struct worker *w, struct reply *rp, struct att_err *err)
{
    struct server *s = w->srv;
    struct att_xdb_info info = {0};
    uint64_t docs = 0;
    int rc = ATT_OK;

    if (w->db != NULL) {
        rc = att_xdb_get_info(w->db, &info, false, err);
        if (rc == ATT_OK)
            rc = att_xdb_prefix_count(w->db, ATT_P_DOC, &docs, err);
    }
    if (rc != ATT_OK)
        return rc;
    reply_begin(rp);
    add_versions(rp->jw);
    att_jw_int(rp->jw, "uptime_s", (long long)(time(NULL) - s->started));
    att_jw_int(rp->jw, "threads", s->nworkers);
    att_jw_int(rp->jw, "revision", (long long)w->revision);
    att_jw_int(rp->jw, "documents", (long long)docs);
    att_jw_int(rp->jw, "passages", info.doccount);
    add_traffic(s, rp->jw);
    add_limits(rp->jw, &s->lim);
    add_shards(w->db, rp->jw);
    return ATT_OK;
}
