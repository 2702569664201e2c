/* attached: one request line to one response line: parse, pick the
 * operation, answer, count, log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attache/protocol.h"
#include "handlers.h"
#include "log.h"
#include "server.h"

char *dispatch_error(struct worker *w, const char *code, const char *msg, size_t *out_len)
{
    stats_request(&w->st, ATT_OP_COUNT, 0, code);
    att_log(ATT_WARN, "worker %u: %s: %s", w->index, code, msg);
    return att_error_line(NULL, code, msg, out_len);
}

static const char *code_of(int rc)
{
    switch (rc) {
    case ATT_E_QUERY: return ATTACHE_ERR_QUERY_SYNTAX;
    case ATT_E_TIMEOUT: return ATTACHE_ERR_TIMEOUT;
    case ATT_E_NOTFOUND: return ATTACHE_ERR_NOT_FOUND;
    case ATT_E_OPENING:
    case ATT_E_CORRUPT:
    case ATT_E_MODIFIED:
    case ATT_E_INDEX: return ATTACHE_ERR_UNAVAILABLE;
    default: return ATTACHE_ERR_INTERNAL;
    }
}

/* Run the operation; on failure return its error code (msg filled). */
static const char *run(struct worker *w, const struct att_request *req, cJSON *resp,
                       struct reply_info *info, char *msg, size_t msglen)
{
    struct att_err err = {0};
    int rc;

    worker_refresh(w, false);
    if (req->op == ATT_OP_AUTH) /* checked by gate(): here it is good */
        return handle_auth(w, resp, &err) == ATT_OK ? NULL : ATTACHE_ERR_INTERNAL;
    if (w->db == NULL && req->op != ATT_OP_PING && req->op != ATT_OP_STATS) {
        snprintf(msg, msglen, "the index %s cannot be opened", w->srv->cfg.db);
        return ATTACHE_ERR_UNAVAILABLE;
    }
    switch (req->op) {
    case ATT_OP_SEARCH: rc = handle_search(w, req, resp, info, &err); break;
    case ATT_OP_GET: rc = handle_get(w, req, resp, &err); break;
    case ATT_OP_STATS: rc = handle_stats(w, resp, &err); break;
    default: rc = handle_ping(w, resp, &err); break;
    }
    if (rc == ATT_OK)
        return NULL;
    snprintf(msg, msglen, "%s", err.msg[0] ? err.msg : att_strerror(rc));
    return code_of(rc);
}

/* A session that must authenticate: only a good "auth" passes until one
 * did, and a wrong token is refused even after. Returns code (the parse
 * result) to go on, or "unauthorized" with msg filled and ss->close set. */
static const char *gate(struct worker *w, struct session *ss, const char *code,
                        const struct att_request *req, char *msg, size_t msglen)
{
    bool is_auth = code == NULL && req->op == ATT_OP_AUTH;

    if (!ss->need_auth || (ss->authed && !is_auth))
        return code;
    if (is_auth && auth_check(&w->srv->auth, req->token, strlen(req->token))) {
        ss->authed = true;
        return NULL;
    }
    if (is_auth)
        snprintf(msg, msglen, "wrong token");
    else
        snprintf(msg, msglen, "authenticate first: over TCP the first request must be "
                 "{\"op\":\"auth\",\"token\":\"...\"} with the daemon's token");
    ss->close = true;
    return ATTACHE_ERR_UNAUTHORIZED;
}

static void log_request(struct worker *w, const char *peer, const struct att_request *req,
                        const char *code, uint64_t us, const struct reply_info *info)
{
    unsigned slow = atomic_load(&w->srv->lim.slow_ms);
    bool is_slow = slow > 0 && us >= (uint64_t)slow * 1000u;
    const char *q = req->op == ATT_OP_SEARCH && req->s.q ? req->s.q : "";
    const char *op = req->root && cJSON_IsObject(req->root) ? att_op_name(req->op) : "-";

    if (is_slow)
        att_log(ATT_WARN, "slow: %s %s %lluus hits=%zu q=\"%s\"", peer,
                op, (unsigned long long)us, info->hits, q);
    else if (att_log_on(ATT_DEBUG))
        att_log(ATT_DEBUG, "%s %s %lluus hits=%zu %s q=\"%s\"", peer, op,
                (unsigned long long)us, info->hits, code ? code : "ok", q);
    else if (att_log_on(ATT_INFO))
        att_log(ATT_INFO, "%s %s %lluus hits=%zu %s", peer, op,
                (unsigned long long)us, info->hits, code ? code : "ok");
}

char *dispatch_line(struct worker *w, const char *line, size_t len, struct session *ss,
                    size_t *out_len)
{
    const char *peer = ss->peer;
    uint64_t t0 = now_us();
    struct att_request req;
    struct reply_info info = {0};
    char msg[512] = "";
    cJSON *resp = NULL;
    char *out = NULL;
    const char *code = att_request_parse(line, len, &req, msg, sizeof msg);
    int op = code ? ATT_OP_COUNT : (int)req.op; /* unparsed: counted apart */

    code = gate(w, ss, code, &req, msg, sizeof msg);
    if (code != NULL && op != ATT_OP_AUTH)
        op = ATT_OP_COUNT; /* turned away: not counted as its op */
    if (code == NULL) {
        resp = att_response_new(req.id, true);
        code = resp ? run(w, &req, resp, &info, msg, sizeof msg) : ATTACHE_ERR_INTERNAL;
    }
    uint64_t us = now_us() - t0;

    if (code == NULL) {
        att_add_int(resp, "took_us", (long long)us);
        out = att_response_line(resp, out_len);
    } else {
        out = att_error_line(req.id, code, msg[0] ? msg : code, out_len);
        att_log(strcmp(code, ATTACHE_ERR_NOT_FOUND) == 0 ? ATT_INFO : ATT_WARN, "%s: %s: %s",
                peer, code, msg);
    }
    stats_request(&w->st, op, us, code);
    log_request(w, peer, &req, code, us, &info);
    cJSON_Delete(resp);
    att_request_free(&req);
    return out;
}
