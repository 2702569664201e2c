/* attache: the daemon's protocol (docs/PROTOCOL.md) on both sides: a
 * request line into a validated struct and back, responses and their error
 * codes. No I/O, no index: pure functions, safe from any thread. */
#ifndef ATT_PROTOCOL_H
#define ATT_PROTOCOL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "attache/index.h"

enum att_op { ATT_OP_SEARCH, ATT_OP_GET, ATT_OP_STATS, ATT_OP_PING, ATT_OP_AUTH, ATT_OP_COUNT };

/* The error codes of responses (error.code), in the order of the
 * ATTACHE_ERR_* names in attache/protocol.h. ATT_WE_NONE (0) is no error,
 * so a zeroed value means success. */
enum att_wire_err {
    ATT_WE_NONE,
    ATT_WE_BAD_JSON,
    ATT_WE_BAD_REQUEST,
    ATT_WE_UNKNOWN_OP,
    ATT_WE_TOO_LARGE,
    ATT_WE_QUERY_SYNTAX,
    ATT_WE_TIMEOUT,
    ATT_WE_NOT_FOUND,
    ATT_WE_OVERLOADED,
    ATT_WE_UNAVAILABLE,
    ATT_WE_UNAUTHORIZED,
    ATT_WE_INTERNAL,
    ATT_WE_COUNT
};

/* The code's name on the wire ("bad_json", ...); NULL for ATT_WE_NONE and
 * values out of range. Static strings. */
const char *att_wire_err_name(enum att_wire_err e);

/* The code named name (as sent in error.code); ATT_WE_NONE when no code
 * has that name (or name is NULL). */
enum att_wire_err att_wire_err_lookup(const char *name);

/* The code a failed operation answers with, for a library status: the one
 * mapping of ATT_E_* to the wire (ATT_OK gives ATT_WE_NONE; statuses that
 * should not reach a client give ATT_WE_INTERNAL). */
enum att_wire_err att_wire_err_of(int status);

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
    enum att_wire_err error; /* why att_request_parse refused it */
};

/* The op's name ("search", ...). */
const char *att_op_name(enum att_op op);

/* Parse and validate one request line (without its newline). Returns
 * ATT_OK, or ATT_E_PARSE with err filled and req->error set to the code to
 * answer with (bad_json, bad_request or unknown_op). In both cases req->id
 * is set when the request's id could be read, so the error can echo it.
 * Call att_request_free() either way. */
int att_request_parse(const char *line, size_t len, struct att_request *req,
                      struct att_err *err);
void att_request_free(struct att_request *req);

/* A request of op with every field at its default (as the parser would
 * fill it); owns nothing: a client points the fields at its own strings,
 * and id (NULL: none) at a cJSON value it keeps. */
void att_request_init(struct att_request *req, enum att_op op);

/* The request line for req ("\n" included): the op, the id, and the
 * fields of the op that differ from their defaults, so that parsing the
 * line gives req back. *line is malloc'd (caller frees; for auth it holds
 * the token: wipe it), *len its length. Returns ATT_OK or ATT_E_NOMEM. */
int att_request_build(const struct att_request *req, char **line, size_t *len,
                      struct att_err *err);

/* A response as a client reads it. */
struct att_response {
    cJSON *root;              /* the whole response; owns the strings below */
    bool ok;
    enum att_wire_err error;  /* when !ok: the code, ATT_WE_NONE when unknown */
    const char *code;         /* when !ok: error.code as sent ("error" if none) */
    const char *message;      /* when !ok: error.message ("" if none) */
};

/* Parse one response line (a trailing "\n" is allowed). Returns ATT_OK, or
 * ATT_E_PARSE (err filled) when it is not a JSON object with a boolean
 * "ok". Call att_response_free() either way. */
int att_response_parse(const char *line, size_t len, struct att_response *r,
                       struct att_err *err);
void att_response_free(struct att_response *r); /* NULL-safe, idempotent */

/* A copy of a request's id to echo (null for NULL): a number is written
 * out exactly, one JSON cannot hold is null. NULL when out of memory. */
cJSON *att_json_id_copy(const cJSON *id);

/* A response object with "id" (copied from id, or null) and "ok". NULL when
 * out of memory. Caller owns it (cJSON_Delete). */
cJSON *att_response_new(const cJSON *id, bool ok);

/* Remove every member of a response but "id" and "ok": the response is
 * as att_response_new made it, to be filled again. */
void att_response_clear(cJSON *resp);

/* A whole error response line, "\n" included, malloc'd (caller frees);
 * *len gets its length. NULL when out of memory. The first takes the
 * code's wire name (an ATTACHE_ERR_* string). */
char *att_error_line(const cJSON *id, const char *code, const char *msg, size_t *len);
char *att_wire_error_line(const cJSON *id, enum att_wire_err code, const char *msg,
                          size_t *len);

/* Print obj as one line with "\n", malloc'd; *len gets its length. */
char *att_response_line(const cJSON *obj, size_t *len);

/* Numbers for responses, added to o under name (NULL when out of memory).
 * They go in already printed: cJSON would print every number with
 * "%1.15g" and read it back to check, a tenth of a search's time. */
cJSON *att_add_int(cJSON *o, const char *name, long long v);
cJSON *att_add_real(cJSON *o, const char *name, double v);
cJSON *att_json_int(long long v);

#endif
