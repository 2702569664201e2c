/* attached: settings, described once in a table (config.c) that drives the
 * command line, the config file, --help, the limits the workers read live
 * and stats.limits. Precedence: defaults, the file, the environment, the
 * command line (which wins). */
#ifndef ATT_CONFIG_H
#define ATT_CONFIG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "attache/attache.h"

#define CONFIG_MAX_LISTEN 16
#define CONFIG_MAX_DB 64

enum config_shard_failure { CONFIG_SHARD_PARTIAL, CONFIG_SHARD_ERROR };

/* Every number a setting holds fits an unsigned (the table's ranges). */
struct config {
    char *db;                /* the databases, for messages: "a, b, c" */
    char *dbs[CONFIG_MAX_DB]; /* index folders and tcp://HOST:PORT shards */
    size_t ndb;
    int on_shard_failure;    /* enum config_shard_failure */
    unsigned shard_timeout_ms;
    unsigned shard_retry_ms;
    char *listen[CONFIG_MAX_LISTEN]; /* checked by att_addr_parse, or "none" */
    size_t nlisten;          /* 0: the default address; "none" disables TCP */
    char *http[CONFIG_MAX_LISTEN]; /* the HTTP addresses, like listen */
    size_t nhttp;            /* 0: the default HTTP address */
    char *http_cors;         /* the one origin allowed to call from a browser */
    int http_open_probes;    /* 1: /health and /metrics need no token */
    char *socket;
    unsigned socket_mode;
    unsigned threads;
    char *config_file;
    unsigned max_connections;
    unsigned max_line;
    unsigned idle_timeout_s;
    unsigned request_timeout_s; /* 0: a request line may take any time */
    unsigned evict_idle_ms;     /* 0: at the cap, turn new clients away */
    unsigned query_time_ms;
    unsigned max_wildcard;
    unsigned max_output;
    unsigned max_client_memory; /* bytes held for all clients; 0: no ceiling */
    unsigned max_per_ip;     /* connections from one TCP address; 0: no limit */
    unsigned slow_ms;        /* 0: no slow-query log */
    int log_level;           /* enum att_level */
    char *pidfile;
    char *token_file;        /* TCP clients must "auth" with its token */
    char *token;             /* read from token_file by config_build */
    size_t token_len;
    char *user;              /* run as this user once listening (root only) */
    char *socket_group;      /* the Unix socket's group */
};

/* The settings SIGHUP may change while the workers read them (each a
 * SET_LIMIT entry of the table, under the same name as in struct config). */
struct limits {
    atomic_uint max_line;
    atomic_uint max_output;
    atomic_uint max_client_memory;
    atomic_uint max_per_ip;
    atomic_uint idle_timeout_s;
    atomic_uint request_timeout_s;
    atomic_uint evict_idle_ms;
    atomic_uint query_time_ms;
    atomic_uint max_wildcard;
    atomic_uint slow_ms;
    atomic_uint max_connections;
};

enum setting_type {
    SET_COUNT,   /* a whole number */
    SET_MS,      /* a whole number of milliseconds */
    SET_SECONDS, /* a whole number of seconds */
    SET_BYTES,   /* a whole number of bytes */
    SET_STRING,  /* char *, replaced by each new value */
    SET_LIST,    /* char *[], one more item per value (repeatable) */
    SET_CHOICE,  /* int: the index of the value among choices */
    SET_LEVEL,   /* int: a log level (att_log_level_parse) */
    SET_MODE,    /* unsigned: file permissions in octal */
    SET_ACTION,  /* no value: --help, --version */
};

#define SET_RELOAD   1u /* SIGHUP applies a new value (else it is kept) */
#define SET_LIMIT    2u /* also in struct limits, which the workers read */
#define SET_STATS    4u /* shown in stats.limits (under key) */
#define SET_CLI_ONLY 8u /* not a config file key */
#define SET_NONEMPTY 16u /* "" is refused */

struct setting {
    const char *name;     /* --name, and the config file key */
    char short_name;      /* -x, or 0 */
    enum setting_type type;
    size_t off;           /* offsetof(struct config, ...) of the value */
    size_t count_off;     /* SET_LIST: offsetof(struct config, ...) of its count */
    long long lo, hi;     /* numbers: the range; SET_LIST: hi is the most items */
    long long def;        /* numbers, choices, levels, modes: the default */
    unsigned flags;       /* SET_* above */
    const char *key;      /* SET_LIMIT: the field of struct limits; the stats key */
    size_t lim_off;       /* SET_LIMIT: offsetof(struct limits, ...) */
    const char *const *choices; /* SET_CHOICE: NULL-terminated */
    int (*check)(const char *v, struct att_err *err); /* more rules, or NULL */
    const char *env;      /* a variable read when neither file nor options set it */
    const char *arg;      /* the value's name in --help */
    const char *help;     /* lines of --help; "{def}" stands for the default */
};

/* The table, in --help order; its length in *n. Constant: thread-safe. */
const struct setting *config_settings(size_t *n);

/* Build the settings: defaults, then the config file (-c), then the
 * environment for what the file left unset, then the other options; a
 * repeatable option given on the command line replaces the file's values.
 * The token file, when one is named, is read (a warning when its group or
 * others may read it). Returns 0 to run, -1 when it printed help or version
 * (exit 0), or 2 after logging a usage error (naming the option and what it
 * takes) or why the token file is no good. Main thread only (getopt). */
int config_build(struct config *c, int argc, char **argv);

/* Free what c holds (the token is wiped first). */
void config_free(struct config *c);

/* Copy the SET_LIMIT settings of c into l. Thread-safe for readers of l
 * (each value an atomic store). */
void limits_set(struct limits *l, const struct config *c);

/* The current value in l of the SET_LIMIT setting s. Thread-safe. */
unsigned limits_get(const struct limits *l, const struct setting *s);

#endif
