/* attache: wire constants of the daemon's protocol (docs/PROTOCOL.md is the
 * specification): operations, error codes, defaults and hard limits. */
#ifndef ATTACHE_PROTOCOL_H
#define ATTACHE_PROTOCOL_H

/* The protocol's version, sent by ping and stats as "protocol": it grows
 * when a change would break a client written for the one before. */
#define ATTACHE_PROTOCOL_VERSION 1

#define ATTACHE_DEFAULT_PORT 7311
#define ATTACHE_STR_(x) #x
#define ATTACHE_STR(x) ATTACHE_STR_(x)
#define ATTACHE_DEFAULT_PORT_STR ATTACHE_STR(ATTACHE_DEFAULT_PORT)   /* "7311" */
#define ATTACHE_DEFAULT_LISTEN "127.0.0.1:" ATTACHE_DEFAULT_PORT_STR /* loopback only */
#define ATTACHE_DEFAULT_HTTP_PORT 7312
#define ATTACHE_DEFAULT_HTTP "127.0.0.1:" ATTACHE_STR(ATTACHE_DEFAULT_HTTP_PORT) /* HTTP */

/* Requests. */
#define ATTACHE_MAX_LINE (64 * 1024)        /* bytes of one request line */
#define ATTACHE_MAX_LINE_HARD (16 << 20)    /* highest --max-line */
#define ATTACHE_DEFAULT_LIMIT 10
#define ATTACHE_MAX_LIMIT 1000              /* hits per response */
#define ATTACHE_MAX_OFFSET 100000           /* deepest page */
#define ATTACHE_MAX_QUERY 4096              /* bytes of q */
#define ATTACHE_MAX_WILDCARDS 32            /* word* patterns in one q */
#define ATTACHE_MAX_FIELD 1024              /* bytes of a filter value */
#define ATTACHE_MAX_LANG 16                 /* bytes of a language code */
#define ATTACHE_MAX_MARKER 64               /* bytes of highlight pre/post */
#define ATTACHE_DEFAULT_SNIPPET 240         /* bytes of snippet text */
#define ATTACHE_MIN_SNIPPET 16
#define ATTACHE_MAX_SNIPPET 10000
#define ATTACHE_MAX_PER_DOC 1000
#define ATTACHE_MAX_DEPTH 16                /* nesting of request JSON */
#define ATTACHE_MAX_TOKEN 1024              /* bytes of an auth token */

/* Server limits: the defaults of attached's options (their ranges, and
 * whether SIGHUP changes them, are in the settings table, daemon/config.c). */
#define ATTACHE_MAX_CONNECTIONS 1024
#define ATTACHE_IDLE_TIMEOUT_S 300
#define ATTACHE_REQUEST_TIMEOUT_S 10        /* from a line's first byte to its end */
#define ATTACHE_EVICT_IDLE_MS 1000          /* at the cap: idle this long, make room */
#define ATTACHE_QUERY_TIME_MS 2000          /* Xapian's time limit per query */
#define ATTACHE_MAX_WILDCARD 1000           /* terms one wildcard expands to */
#define ATTACHE_MAX_OUTPUT (4 << 20)        /* queued response bytes per conn */
/* --max-client-memory: 1/8 of the RAM, kept within these bounds */
#define ATTACHE_CLIENT_MEMORY_MIN (64u << 20)
#define ATTACHE_CLIENT_MEMORY_MAX (2u << 30)
#define ATTACHE_MEMORY_CHECK_MS 100         /* each worker checks the ceiling */
#define ATTACHE_MEMORY_GRACE_MS 1000        /* over it this long: close non-readers */
#define ATTACHE_MEMORY_LINGER_S 10          /* a client closed for memory: to read its last */
#define ATTACHE_MAX_PER_IP 0                /* connections per TCP address; 0: no limit */
#define ATTACHE_REQS_PER_EVENT 16           /* pipelined requests per wake-up */
#define ATTACHE_REOPEN_CHECK_MS 200         /* how often a worker looks for commits */

/* Error codes (error.code in a response); lib/protocol.h numbers them
 * (enum att_wire_err) in this order. */
#define ATTACHE_ERR_BAD_JSON "bad_json"           /* not valid JSON, or not an object */
#define ATTACHE_ERR_BAD_REQUEST "bad_request"     /* a field missing, of the wrong type or range */
#define ATTACHE_ERR_UNKNOWN_OP "unknown_op"       /* op is not search/get/stats/ping/auth */
#define ATTACHE_ERR_TOO_LARGE "too_large"         /* the request line is over the limit */
#define ATTACHE_ERR_QUERY_SYNTAX "query_syntax"   /* q could not be parsed */
#define ATTACHE_ERR_TIMEOUT "timeout"             /* no result within the time limit */
#define ATTACHE_ERR_NOT_FOUND "not_found"         /* get: no such document or passage */
#define ATTACHE_ERR_OVERLOADED "overloaded"       /* too many connections */
#define ATTACHE_ERR_UNAVAILABLE "unavailable"     /* the index cannot be read */
#define ATTACHE_ERR_UNAUTHORIZED "unauthorized"   /* TCP: no auth first, or a wrong token */
#define ATTACHE_ERR_INTERNAL "internal"           /* a bug: please report */

#endif
