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

/* The members of a search hit a request can ask for ("fields"): one bit
 * each; "doc" and "passage" name all of their members. */
enum att_hit_field {
    ATT_HF_RANK = 1u << 0,
    ATT_HF_SCORE = 1u << 1,
    ATT_HF_DOC_ID = 1u << 2,
    ATT_HF_DOC_TITLE = 1u << 3,
    ATT_HF_DOC_DATE = 1u << 4,
    ATT_HF_DOC_SOURCE = 1u << 5,
    ATT_HF_DOC_URL = 1u << 6,
    ATT_HF_DOC_AUTHOR = 1u << 7,
    ATT_HF_DOC_LANGUAGE = 1u << 8,
    ATT_HF_DOC_FIELDS = 1u << 9,
    ATT_HF_P_N = 1u << 10,
    ATT_HF_P_START = 1u << 11,
    ATT_HF_P_END = 1u << 12,
    ATT_HF_P_TEXT = 1u << 13,
    ATT_HF_P_ACTORS = 1u << 14,
    ATT_HF_SNIPPET = 1u << 15,
    ATT_HF_MATCHES = 1u << 16,
    ATT_HF_QUOTES = 1u << 17,
    ATT_HF_EXPLAIN = 1u << 18,
    ATT_HF_DUPLICATES = 1u << 19,
};
#define ATT_HF_DOC (0xffu << 2)     /* doc.id .. doc.fields */
#define ATT_HF_PASSAGE (0x1fu << 10) /* passage.n .. passage.actors */
#define ATT_HF_ALL ((1u << 20) - 1)

/* The name of each field a request may name, in bit order, then "doc"
 * and "passage"; NULL-terminated. */
extern const char *const att_hit_field_names[];

struct att_request {
    cJSON *root;            /* owns every string below */
    const cJSON *id;        /* borrowed from root; NULL when absent */
    enum att_op op;
    struct att_search s;    /* search */
    const char *pre, *post; /* highlight markers */
    size_t snippet_len;
    bool quotes;
    unsigned fields;        /* search: the att_hit_field bits a hit holds */
    bool has_fields;        /* fields came from the request's "fields" */
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

/* att_request_parse for a request whose op is implied (HTTP's POST /search
 * implies "search"): an object without "op" is of op implied, one with
 * another op is bad_request. ATT_OP_COUNT implies nothing. */
int att_request_parse_as(const char *line, size_t len, enum att_op implied,
                         struct att_request *req, struct att_err *err);

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

/* The response side, through the JSON writer (lib/jsonw.h). */
struct att_jw;

/* The member "id": the request's id (null for NULL), a number written
 * out exactly, one JSON cannot hold as null. */
void att_jw_id(struct att_jw *w, const cJSON *id);

/* Open a response object with "id" and "ok"; the caller adds its members
 * and closes it. */
void att_jw_begin(struct att_jw *w, const cJSON *id, bool ok);

/* A whole error response, {"id","ok":false,"error":{"code","message"}}
 * and its "\n". */
void att_jw_error(struct att_jw *w, const cJSON *id, const char *code, const char *msg);

/* The same as a malloc'd line (caller frees); *len gets its length. NULL
 * when out of memory. The first takes the code's wire name (an
 * ATTACHE_ERR_* string). */
char *att_error_line(const cJSON *id, const char *code, const char *msg, size_t *len);
char *att_wire_error_line(const cJSON *id, enum att_wire_err code, const char *msg,
                          size_t *len);

#endif
