/* attached: settings: defaults in one place, then the config file, the
 * environment and the command line (which wins). */
#ifndef ATT_CONFIG_H
#define ATT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_MAX_LISTEN 16
#define CONFIG_MAX_DB 64

struct config {
    char *db;                /* the databases, for messages: "a, b, c" */
    char *dbs[CONFIG_MAX_DB]; /* index folders and tcp://HOST:PORT shards */
    size_t ndb;
    bool partial;            /* a shard out: search the others (else fail) */
    unsigned shard_timeout_ms;
    unsigned shard_retry_ms;
    char *listen[CONFIG_MAX_LISTEN];
    size_t nlisten;          /* 0: the default address; "none" disables TCP */
    char *socket;
    unsigned socket_mode;
    unsigned threads;
    char *config_file;
    unsigned max_connections;
    size_t max_line;
    unsigned idle_timeout_s;
    unsigned request_timeout_s; /* 0: a request line may take any time */
    unsigned evict_idle_ms;     /* 0: at the cap, turn new clients away */
    unsigned query_time_ms;
    unsigned max_wildcard;
    size_t max_output;
    unsigned slow_ms;        /* 0: no slow-query log */
    int log_level;
    char *pidfile;
    char *token_file;        /* TCP clients must "auth" with its token */
    char *token;             /* read from token_file by config_build */
    size_t token_len;
    char *user;              /* run as this user once listening (root only) */
    char *socket_group;      /* the Unix socket's group */
};

/* Build the settings: defaults, then the config file (-c), then the other
 * options; ATTACHE_DB when neither names a database. --db and --listen
 * given there replace the file's. The token file, when one is named, is read
 * (a warning when its group or others may read it). Returns 0 to run, -1
 * when it printed help or version (exit 0), or 2 after printing a usage
 * error or why the token file is no good. */
int config_build(struct config *c, int argc, char **argv);

/* Free what c holds (the token is wiped first). */
void config_free(struct config *c);

#endif
