/* attached: get, stats, ping and auth (search is in search.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attache/protocol.h"
#include "handlers.h"
#include "render.h"
#include "terms.h"

/* "version" (the program's) and "protocol" (ATTACHE_PROTOCOL_VERSION). */
static bool add_versions(cJSON *resp)
{
    return cJSON_AddStringToObject(resp, "version", ATTACHE_VERSION) != NULL &&
           att_add_int(resp, "protocol", ATTACHE_PROTOCOL_VERSION) != NULL;
}

int handle_ping(struct worker *w, cJSON *resp, struct att_err *err)
{
    (void)err;
    cJSON_AddBoolToObject(resp, "pong", true);
    cJSON_AddNumberToObject(resp, "revision", (double)w->revision);
    return add_versions(resp) ? ATT_OK : ATT_E_NOMEM;
}

int handle_auth(struct worker *w, cJSON *resp, struct att_err *err)
{
    (void)w;
    (void)err;
    return cJSON_AddBoolToObject(resp, "auth", true) ? ATT_OK : ATT_E_NOMEM;
}

struct get_ctx {
    cJSON *resp;
    cJSON *passages;
    int rc;
};

static int add_passage(void *ud, uint32_t docid, const char *data, size_t len)
{
    struct get_ctx *g = ud;
    cJSON *stored = cJSON_ParseWithLength(data, len);

    (void)docid;
    if (stored == NULL)
        return ATT_E_CORRUPT;
    if (g->passages == NULL) { /* the first passage gives the document */
        cJSON_AddItemToObject(g->resp, "doc", render_doc(stored));
        g->passages = cJSON_AddArrayToObject(g->resp, "passages");
    }
    cJSON_AddItemToArray(g->passages, render_passage(stored, true));
    cJSON_Delete(stored);
    return ATT_OK;
}

int handle_get(struct worker *w, const struct att_request *req, cJSON *resp,
               struct att_err *err)
{
    struct get_ctx g = {.resp = resp};
    int rc = att_xdb_get(w->db, req->doc, req->passage, add_passage, &g, err);

    if (rc == ATT_E_CORRUPT)
        att_err_set(err, rc, "a stored passage of %s is damaged", req->doc);
    cJSON_AddNumberToObject(resp, "revision", (double)w->revision);
    return rc;
}

static void add_counts(cJSON *o, const char *name, const uint64_t *v, int n,
                       const char *(*label)(int))
{
    cJSON *c = cJSON_AddObjectToObject(o, name);

    for (int i = 0; c != NULL && i < n; i++) {
        if (v[i] > 0 || strcmp(name, "requests") == 0)
            cJSON_AddNumberToObject(c, label(i), (double)v[i]);
    }
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
static void add_limits(cJSON *resp, const struct limits *l)
{
    cJSON *o = cJSON_AddObjectToObject(resp, "limits");
    size_t n;
    const struct setting *t = config_settings(&n);

    for (size_t i = 0; i < n; i++) {
        if (t[i].flags & SET_STATS)
            cJSON_AddNumberToObject(o, t[i].key, limits_get(l, &t[i]));
    }
    cJSON_AddNumberToObject(o, "max_limit", ATTACHE_MAX_LIMIT);
}

static void add_traffic(struct server *s, cJSON *resp)
{
    struct stats sum;
    cJSON *c, *lat;
    uint64_t total = 0;

    stats_init(&sum);
    for (unsigned i = 0; i < s->nworkers; i++)
        stats_sum(&sum, &s->workers[i].st);
    c = cJSON_AddObjectToObject(resp, "connections");
    cJSON_AddNumberToObject(c, "current", atomic_load(&s->conns_current));
    cJSON_AddNumberToObject(c, "total", (double)atomic_load(&s->conns_total));
    cJSON_AddNumberToObject(c, "rejected", (double)atomic_load(&s->conns_rejected));
    cJSON_AddNumberToObject(c, "evicted", (double)atomic_load(&s->conns_evicted));
    cJSON_AddNumberToObject(c, "timed_out", (double)atomic_load(&s->conns_timed_out));
    add_counts(resp, "requests", sum.requests, ATT_OP_COUNT, op_label);
    for (int i = 0; i < ATT_OP_COUNT; i++)
        total += sum.requests[i];
    cJSON_AddNumberToObject(cJSON_GetObjectItem(resp, "requests"), "total", (double)total);
    add_counts(resp, "errors", sum.errors, ATT_WE_COUNT, err_label);
    lat = cJSON_AddObjectToObject(resp, "latency_us");
    cJSON_AddNumberToObject(lat, "p50", (double)stats_percentile(&sum, 0.50));
    cJSON_AddNumberToObject(lat, "p90", (double)stats_percentile(&sum, 0.90));
    cJSON_AddNumberToObject(lat, "p99", (double)stats_percentile(&sum, 0.99));
    cJSON_AddNumberToObject(lat, "max", (double)sum.lat_max);
    cJSON_AddNumberToObject(resp, "yields", (double)sum.yields);
    cJSON_AddNumberToObject(resp, "reopens", (double)sum.reopens);
    stats_destroy(&sum);
}

/* Each database searched: "shards": [{"db", "state": "up"|"out",
 * "revision", "passages"} or {"db", "state": "out", "error"}]; [] while
 * the index cannot be opened (db NULL). */
static void add_shards(struct att_xdb *db, cJSON *resp)
{
    struct att_xdb_source src[CONFIG_MAX_DB];
    cJSON *a = cJSON_AddArrayToObject(resp, "shards");
    size_t n = 0;

    if (db != NULL)
        att_xdb_sources(db, src, CONFIG_MAX_DB, &n);
    for (size_t i = 0; a != NULL && i < n; i++) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(a, o);
        cJSON_AddStringToObject(o, "db", src[i].spec);
        cJSON_AddStringToObject(o, "state", src[i].up ? "up" : "out");
        if (src[i].up) {
            att_add_int(o, "revision", (long long)src[i].revision);
            att_add_int(o, "passages", src[i].passages);
        } else {
            cJSON_AddStringToObject(o, "error", src[i].error);
        }
    }
}

int handle_stats(struct worker *w, cJSON *resp, struct att_err *err)
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
    if (!add_versions(resp))
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    cJSON_AddNumberToObject(resp, "uptime_s", (double)(time(NULL) - s->started));
    cJSON_AddNumberToObject(resp, "threads", s->nworkers);
    cJSON_AddNumberToObject(resp, "revision", (double)w->revision);
    cJSON_AddNumberToObject(resp, "documents", (double)docs);
    cJSON_AddNumberToObject(resp, "passages", info.doccount);
    add_traffic(s, resp);
    add_limits(resp, &s->lim);
    add_shards(w->db, resp);
    return ATT_OK;
}
