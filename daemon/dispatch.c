/* attached: one request line to one response line: parse, pick the
 * operation, answer (retrying once the index moved under it), count, log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "attache/protocol.h"
#include "handlers.h"
#include "log.h"
#include "server.h"

/* Runs of an operation after the first, each on a fresher revision, when
 * the index keeps being modified under it. */
#define MAX_RETRIES 2

/* The writer's sink: the connection's output buffer. */
static int to_evbuffer(void *ud, const char *p, size_t n)
{
    return evbuffer_add(ud, p, n) == 0 ? ATT_OK : ATT_E_NOMEM;
}

int dispatch_error(struct worker *w, const char *code, const char *msg, struct evbuffer *out)
{
    enum att_wire_err e = att_wire_err_lookup(code);
    struct att_jw jw;

    e = e != ATT_WE_NONE ? e : ATT_WE_INTERNAL;
    stats_request(&w->st, ATT_OP_COUNT, 0, e);
    att_log(ATT_WARN, "worker %u: %s: %s", w->index, att_wire_err_name(e), msg);
    att_jw_init(&jw, to_evbuffer, out);
    att_jw_error(&jw, NULL, att_wire_err_name(e), msg);
    return att_jw_flush(&jw, NULL);
}

static int run_op(struct worker *w, const struct att_request *req, struct reply *rp,
                  struct att_err *err)
{
    switch (req->op) {
    case ATT_OP_SEARCH: return handle_search(w, req, rp, err);
    case ATT_OP_GET: return handle_get(w, req, rp, err);
    case ATT_OP_STATS: return handle_stats(w, rp, err);
    case ATT_OP_AUTH: return handle_auth(w, rp, err); /* checked by gate(): it is good */
    default: return handle_ping(w, rp, err);
    }
}

/* Run the operation. When the index was modified under it
 * (ATT_E_MODIFIED, which comes before it writes anything), catch up with
 * the new revision and run it again, at most MAX_RETRIES times: the only
 * place where a request is retried. */
static int run_retrying(struct worker *w, const struct att_request *req, struct reply *rp,
                        struct att_err *err)
{
    int rc = run_op(w, req, rp, err);

    for (int retry = 0; rc == ATT_E_MODIFIED && !rp->begun && retry < MAX_RETRIES; retry++) {
        att_log(ATT_DEBUG, "worker %u: index modified under %s: retrying", w->index,
                att_op_name(req->op));
        worker_refresh(w, true);
        rp->hits = 0;
        *err = (struct att_err){0};
        rc = run_op(w, req, rp, err);
    }
    return rc;
}

/* Run the operation; on failure return its error code (err->msg filled). */
static enum att_wire_err run(struct worker *w, const struct att_request *req, struct reply *rp,
                             struct att_err *err)
{
    int rc;

    worker_refresh(w, false);
    if (w->db == NULL && req->op != ATT_OP_PING && req->op != ATT_OP_STATS &&
        req->op != ATT_OP_AUTH) {
        snprintf(err->msg, sizeof err->msg, "the index %s cannot be opened", w->srv->cfg.db);
        return ATT_WE_UNAVAILABLE;
    }
    rc = run_retrying(w, req, rp, err);
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
                        enum att_wire_err code, uint64_t us, size_t hits)
{
    unsigned slow = atomic_load(&w->srv->lim.slow_ms);
    bool is_slow = slow > 0 && us >= (uint64_t)slow * 1000u;
    const char *q = req->op == ATT_OP_SEARCH && req->s.q ? req->s.q : "";
    const char *op = req->root && cJSON_IsObject(req->root) ? att_op_name(req->op) : "-";
    const char *result = code == ATT_WE_NONE ? "ok" : att_wire_err_name(code);

    if (is_slow)
        att_log(ATT_WARN, "slow: %s %s %lluus hits=%zu q=\"%s\"", peer,
                op, (unsigned long long)us, hits, q);
    else if (att_log_on(ATT_DEBUG))
        att_log(ATT_DEBUG, "%s %s %lluus hits=%zu %s q=\"%s\"", peer, op,
                (unsigned long long)us, hits, result, q);
    else if (att_log_on(ATT_INFO))
        att_log(ATT_INFO, "%s %s %lluus hits=%zu %s", peer, op,
                (unsigned long long)us, hits, result);
}

/* The end of the response: "took_us" (the whole request, up to here)
 * after the operation's members, or the error response when it failed. */
static void finish(const char *peer, const struct att_request *req, struct reply *rp,
                   enum att_wire_err code, uint64_t us, const struct att_err *err)
{
    const char *msg = err->msg[0] ? err->msg : att_wire_err_name(code);

    if (code == ATT_WE_NONE) {
        att_jw_int(rp->jw, "took_us", (long long)us);
        att_jw_end_obj(rp->jw);
        att_jw_newline(rp->jw);
        return;
    }
    att_log(code == ATT_WE_NOT_FOUND ? ATT_INFO : ATT_WARN, "%s: %s: %s", peer,
            att_wire_err_name(code), msg);
    if (!rp->begun)
        att_jw_error(rp->jw, req->id, att_wire_err_name(code), msg);
    /* else an operation failed after it began its answer: the line is
     * left unfinished, and dispatch_line's caller closes the connection */
}

int dispatch_line(struct worker *w, const char *line, size_t len, struct session *ss,
                  struct evbuffer *out)
{
    enum att_wire_err code;

    return dispatch_request(w, line, len, ATT_OP_COUNT, ss, out, &code);
}

int dispatch_request(struct worker *w, const char *line, size_t len, int implied,
                     struct session *ss, struct evbuffer *out, enum att_wire_err *codep)
{
    uint64_t t0 = now_us();
    struct att_request req;
    struct att_err err = {0};
    struct att_jw jw;
    struct reply rp = {&jw, &req, false, 0};
    enum att_wire_err code = ATT_WE_NONE;
    int op, rc;

    att_jw_init(&jw, to_evbuffer, out);
    if (att_request_parse_as(line, len, (enum att_op)implied, &req, &err) != ATT_OK)
        code = req.error;
    op = code != ATT_WE_NONE ? ATT_OP_COUNT : (int)req.op; /* unparsed: counted apart */
    code = gate(w, ss, code, &req, &err);
    if (code != ATT_WE_NONE && op != ATT_OP_AUTH)
        op = ATT_OP_COUNT; /* turned away: not counted as its op */
    if (code == ATT_WE_NONE)
        code = run(w, &req, &rp, &err);
    uint64_t us = now_us() - t0;

    finish(ss->peer, &req, &rp, code, us, &err);
    rc = code != ATT_WE_NONE && rp.begun ? ATT_E_INTERNAL : att_jw_flush(&jw, NULL);
    stats_request(&w->st, op, us, code);
    log_request(w, ss->peer, &req, code, us, rp.hits);
    att_request_free(&req);
    *codep = code;
    return rc;
}
