/* attached: one request line to one response line: parse, pick the
 * operation, answer (retrying once the index moved under it), count, log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attache/protocol.h"
#include "handlers.h"
#include "log.h"
#include "server.h"

/* Runs of an operation after the first, each on a fresher revision, when
 * the index keeps being modified under it. */
#define MAX_RETRIES 2

static char *wire_error(struct worker *w, enum att_wire_err code, const char *msg,
                        size_t *out_len)
{
    stats_request(&w->st, ATT_OP_COUNT, 0, code);
    att_log(ATT_WARN, "worker %u: %s: %s", w->index, att_wire_err_name(code), msg);
    return att_wire_error_line(NULL, code, msg, out_len);
}

char *dispatch_error(struct worker *w, const char *code, const char *msg, size_t *out_len)
{
    enum att_wire_err e = att_wire_err_lookup(code);

    return wire_error(w, e != ATT_WE_NONE ? e : ATT_WE_INTERNAL, msg, out_len);
}

static int run_op(struct worker *w, const struct att_request *req, cJSON *resp,
                  struct reply_info *info, struct att_err *err)
{
    switch (req->op) {
    case ATT_OP_SEARCH: return handle_search(w, req, resp, info, err);
    case ATT_OP_GET: return handle_get(w, req, resp, err);
    case ATT_OP_STATS: return handle_stats(w, resp, err);
    case ATT_OP_AUTH: return handle_auth(w, resp, err); /* checked by gate(): it is good */
    default: return handle_ping(w, resp, err);
    }
}

/* Run the operation into resp. When the index was modified under it
 * (ATT_E_MODIFIED), catch up with the new revision and run it again from
 * an empty response, at most MAX_RETRIES times: the only place where a
 * request is retried. */
static int run_retrying(struct worker *w, const struct att_request *req, cJSON *resp,
                        struct reply_info *info, struct att_err *err)
{
    int rc = run_op(w, req, resp, info, err);

    for (int retry = 0; rc == ATT_E_MODIFIED && retry < MAX_RETRIES; retry++) {
        att_log(ATT_DEBUG, "worker %u: index modified under %s: retrying", w->index,
                att_op_name(req->op));
        worker_refresh(w, true);
        att_response_clear(resp);
        *info = (struct reply_info){0};
        *err = (struct att_err){0};
        rc = run_op(w, req, resp, info, err);
    }
    return rc;
}

/* Run the operation; on failure return its error code (err->msg filled). */
static enum att_wire_err run(struct worker *w, const struct att_request *req, cJSON *resp,
                             struct reply_info *info, struct att_err *err)
{
    int rc;

    worker_refresh(w, false);
    if (w->db == NULL && req->op != ATT_OP_PING && req->op != ATT_OP_STATS &&
        req->op != ATT_OP_AUTH) {
        snprintf(err->msg, sizeof err->msg, "the index %s cannot be opened", w->srv->cfg.db);
        return ATT_WE_UNAVAILABLE;
    }
    rc = run_retrying(w, req, resp, info, err);
    if (rc != ATT_OK && err->msg[0] == '\0')
        snprintf(err->msg, sizeof err->msg, "%s", att_strerror(rc));
    return att_wire_err_of(rc);
}

/* A session that must authenticate: only a good "auth" passes until one
 * did, and a wrong token is refused even after. Returns code (the parse
 * result) to go on, or "unauthorized" with err->msg filled and ss->close
 * set. */
static enum att_wire_err gate(struct worker *w, struct session *ss, enum att_wire_err code,
                              const struct att_request *req, struct att_err *err)
{
    bool is_auth = code == ATT_WE_NONE && req->op == ATT_OP_AUTH;

    if (!ss->need_auth || (ss->authed && !is_auth))
        return code;
    if (is_auth && auth_check(&w->srv->auth, req->token, strlen(req->token))) {
        ss->authed = true;
        return ATT_WE_NONE;
    }
    if (is_auth)
        snprintf(err->msg, sizeof err->msg, "wrong token");
    else
        snprintf(err->msg, sizeof err->msg, "authenticate first: over TCP the first request "
                 "must be {\"op\":\"auth\",\"token\":\"...\"} with the daemon's token");
    ss->close = true;
    return ATT_WE_UNAUTHORIZED;
}

static void log_request(struct worker *w, const char *peer, const struct att_request *req,
                        enum att_wire_err code, uint64_t us, const struct reply_info *info)
{
    unsigned slow = atomic_load(&w->srv->lim.slow_ms);
    bool is_slow = slow > 0 && us >= (uint64_t)slow * 1000u;
    const char *q = req->op == ATT_OP_SEARCH && req->s.q ? req->s.q : "";
    const char *op = req->root && cJSON_IsObject(req->root) ? att_op_name(req->op) : "-";
    const char *result = code == ATT_WE_NONE ? "ok" : att_wire_err_name(code);

    if (is_slow)
        att_log(ATT_WARN, "slow: %s %s %lluus hits=%zu q=\"%s\"", peer,
                op, (unsigned long long)us, info->hits, q);
    else if (att_log_on(ATT_DEBUG))
        att_log(ATT_DEBUG, "%s %s %lluus hits=%zu %s q=\"%s\"", peer, op,
                (unsigned long long)us, info->hits, result, q);
    else if (att_log_on(ATT_INFO))
        att_log(ATT_INFO, "%s %s %lluus hits=%zu %s", peer, op,
                (unsigned long long)us, info->hits, result);
}

char *dispatch_line(struct worker *w, const char *line, size_t len, struct session *ss,
                    size_t *out_len)
{
    const char *peer = ss->peer;
    uint64_t t0 = now_us();
    struct att_request req;
    struct reply_info info = {0};
    struct att_err err = {0};
    cJSON *resp = NULL;
    char *out = NULL;
    enum att_wire_err code = ATT_WE_NONE;
    int op;

    if (att_request_parse(line, len, &req, &err) != ATT_OK)
        code = req.error;
    op = code != ATT_WE_NONE ? ATT_OP_COUNT : (int)req.op; /* unparsed: counted apart */
    code = gate(w, ss, code, &req, &err);
    if (code != ATT_WE_NONE && op != ATT_OP_AUTH)
        op = ATT_OP_COUNT; /* turned away: not counted as its op */
    if (code == ATT_WE_NONE) {
        resp = att_response_new(req.id, true);
        code = resp ? run(w, &req, resp, &info, &err) : ATT_WE_INTERNAL;
    }
    uint64_t us = now_us() - t0;

    if (code == ATT_WE_NONE) {
        att_add_int(resp, "took_us", (long long)us);
        out = att_response_line(resp, out_len);
    } else {
        const char *msg = err.msg[0] ? err.msg : att_wire_err_name(code);

        out = att_wire_error_line(req.id, code, msg, out_len);
        att_log(code == ATT_WE_NOT_FOUND ? ATT_INFO : ATT_WARN, "%s: %s: %s", peer,
                att_wire_err_name(code), msg);
    }
    stats_request(&w->st, op, us, code);
    log_request(w, peer, &req, code, us, &info);
    cJSON_Delete(resp);
    att_request_free(&req);
    return out;
}
