/* attache: requests of the daemon's protocol (docs/PROTOCOL.md): one JSON
 * line in, a validated struct out; and error responses. No I/O, no index:
 * pure functions, safe from any thread. */
#ifndef ATT_PROTOCOL_H
#define ATT_PROTOCOL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "attache/index.h"

enum att_op { ATT_OP_SEARCH, ATT_OP_GET, ATT_OP_STATS, ATT_OP_PING, ATT_OP_AUTH, ATT_OP_COUNT };

struct att_request {
    cJSON *root;            /* owns every string below */
    const cJSON *id;        /* borrowed from root; NULL when absent */
    enum att_op op;
    struct att_search s;    /* search */
    const char *pre, *post; /* highlight markers */
    size_t snippet_len;
    bool quotes;
    const char *doc;        /* get */
    long passage;           /* get: -1 for the whole document */
    const char *token;      /* auth */
};

/* The op's name ("search", ...). */
const char *att_op_name(enum att_op op);

/* Parse and validate one request line (without its newline). Returns NULL
 * on success, else the error code (ATTACHE_ERR_*) with msg filled; in both
 * cases req->id is set when the request's id could be read, so the error
 * can echo it. Call att_request_free() either way. */
const char *att_request_parse(const char *line, size_t len, struct att_request *req, char *msg,
                              size_t msglen);
void att_request_free(struct att_request *req);

/* A response object with "id" (copied from id, or null) and "ok". NULL when
 * out of memory. Caller owns it (cJSON_Delete). */
cJSON *att_response_new(const cJSON *id, bool ok);

/* A whole error response line, "\n" included, malloc'd (caller frees);
 * *len gets its length. NULL when out of memory. */
char *att_error_line(const cJSON *id, const char *code, const char *msg, size_t *len);

/* Print obj as one line with "\n", malloc'd; *len gets its length. */
char *att_response_line(const cJSON *obj, size_t *len);

/* Numbers for responses, added to o under name (NULL when out of memory).
 * They go in already printed: cJSON would print every number with
 * "%1.15g" and read it back to check, a tenth of a search's time. */
cJSON *att_add_int(cJSON *o, const char *name, long long v);
cJSON *att_add_real(cJSON *o, const char *name, double v);
cJSON *att_json_int(long long v);

#endif
