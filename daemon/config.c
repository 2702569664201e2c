/* attached: options from the command line and a config file of
 * "key = value" lines whose keys are the long option names. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attache/attache.h"
#include "attache/protocol.h"
#include "config.h"
#include "log.h"
#include "token.h"

enum { O_SOCKET_MODE = 256, O_MAX_CONN, O_MAX_LINE, O_IDLE, O_QUERY_TIME, O_MAX_WILD,
       O_MAX_OUTPUT, O_SLOW, O_LOG_LEVEL, O_PIDFILE, O_ON_FAILURE, O_SHARD_TIMEOUT,
       O_SHARD_RETRY, O_TOKEN_FILE, O_USER, O_SOCKET_GROUP, O_REQUEST_TIMEOUT,
       O_EVICT_IDLE };

static const struct option long_opts[] = {
    {"db", required_argument, NULL, 'd'},
    {"listen", required_argument, NULL, 'l'},
    {"socket", required_argument, NULL, 's'},
    {"socket-mode", required_argument, NULL, O_SOCKET_MODE},
    {"socket-group", required_argument, NULL, O_SOCKET_GROUP},
    {"threads", required_argument, NULL, 't'},
    {"config", required_argument, NULL, 'c'},
    {"max-connections", required_argument, NULL, O_MAX_CONN},
    {"max-line", required_argument, NULL, O_MAX_LINE},
    {"idle-timeout", required_argument, NULL, O_IDLE},
    {"request-timeout", required_argument, NULL, O_REQUEST_TIMEOUT},
    {"evict-idle", required_argument, NULL, O_EVICT_IDLE},
    {"query-time", required_argument, NULL, O_QUERY_TIME},
    {"max-wildcard", required_argument, NULL, O_MAX_WILD},
    {"max-output", required_argument, NULL, O_MAX_OUTPUT},
    {"slow-ms", required_argument, NULL, O_SLOW},
    {"log-level", required_argument, NULL, O_LOG_LEVEL},
    {"pidfile", required_argument, NULL, O_PIDFILE},
    {"token-file", required_argument, NULL, O_TOKEN_FILE},
    {"user", required_argument, NULL, O_USER},
    {"on-shard-failure", required_argument, NULL, O_ON_FAILURE},
    {"shard-timeout", required_argument, NULL, O_SHARD_TIMEOUT},
    {"shard-retry", required_argument, NULL, O_SHARD_RETRY},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *to)
{
    fputs("Usage: attached [options]\n"
          "Serve an attache index over TCP and Unix sockets (JSON lines; see\n"
          "docs/PROTOCOL.md).\n\n"
          "  -d, --db PATH|tcp://HOST:PORT\n"
          "                           index folder, or a shard served by xapian-tcpsrv;\n"
          "                           repeatable: all are searched as one (default:\n"
          "                           $ATTACHE_DB)\n"
          "      --on-shard-failure partial|error\n"
          "                           a shard out of reach: answer from the others,\n"
          "                           flagged \"partial\" (default), or fail\n"
          "      --shard-timeout MS   connect and read time-out of a remote shard (2000)\n"
          "      --shard-retry MS     how often a shard out of reach is tried (1000)\n"
          "  -l, --listen ADDR:PORT   TCP address, repeatable (default 127.0.0.1:7311,\n"
          "                           IPv6 as [::1]:7311; \"none\": no TCP)\n"
          "  -s, --socket PATH        Unix socket\n"
          "      --socket-mode OCTAL  its permissions (default 0660)\n"
          "      --socket-group GROUP its group (with --socket-mode 0660: the members\n"
          "                           of GROUP may connect)\n"
          "  -t, --threads N          worker threads (default: the number of CPUs)\n"
          "  -c, --config FILE        \"key = value\" lines, keys as the long options\n"
          "      --max-connections N  clients at once (default 1024)\n"
          "      --evict-idle MS      at that cap, a new client takes the place of the\n"
          "                           one idle longest, if idle MS or more (default\n"
          "                           1000; 0: turn the new client away)\n"
          "      --max-line BYTES     longest request line (default 65536)\n"
          "      --idle-timeout S     close silent clients after S seconds (default 300)\n"
          "      --request-timeout S  a request line must end S seconds after its first\n"
          "                           byte (default 10; 0: no limit)\n"
          "      --query-time MS      time limit of one search (default 2000)\n"
          "      --max-wildcard N     terms one wildcard may expand to (default 1000)\n"
          "      --max-output BYTES   responses queued for a client (default 4194304)\n"
          "      --slow-ms MS         log requests slower than this (default: off)\n"
          "      --log-level LEVEL    error, warn, info (one line a request), debug\n"
          "      --pidfile PATH       write the pid there\n"
          "      --token-file PATH    TCP clients must first send the token held in\n"
          "                           PATH (op \"auth\"); Unix-socket clients need not\n"
          "      --user NAME          when started as root: listen, then run as NAME\n"
          "  -h, --help               this help\n"
          "  -V, --version            version\n\n"
          "Signals: TERM/INT finish the requests received and exit; HUP reopens the\n"
          "index and reloads the config file.\n", to);
}

static void defaults(struct config *c)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    memset(c, 0, sizeof *c);
    c->socket_mode = 0660;
    c->threads = n > 0 && n < 256 ? (unsigned)n : 2;
    c->max_connections = ATTACHE_MAX_CONNECTIONS;
    c->max_line = ATTACHE_MAX_LINE;
    c->idle_timeout_s = ATTACHE_IDLE_TIMEOUT_S;
    c->request_timeout_s = ATTACHE_REQUEST_TIMEOUT_S;
    c->evict_idle_ms = ATTACHE_EVICT_IDLE_MS;
    c->query_time_ms = ATTACHE_QUERY_TIME_MS;
    c->max_wildcard = ATTACHE_MAX_WILDCARD;
    c->max_output = ATTACHE_MAX_OUTPUT;
    c->log_level = ATT_WARN;
    c->partial = true;
    c->shard_timeout_ms = 2000;
    c->shard_retry_ms = 1000;
}

static bool number(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end != '\0' || v < lo || v > hi || v != (double)(long long)v)
        return false;
    *out = v;
    return true;
}

static bool set_str(char **dst, const char *v)
{
    char *p = strdup(v);

    if (p == NULL)
        return false;
    free(*dst);
    *dst = p;
    return true;
}

/* Apply one option (by its getopt value) to c; false when v is invalid. */
static bool apply(struct config *c, int opt, const char *v)
{
    double n = 0;
    char *end;

    switch (opt) {
    case 'd':
        if (c->ndb == CONFIG_MAX_DB || *v == '\0')
            return false;
        c->dbs[c->ndb] = strdup(v);
        return c->dbs[c->ndb++] != NULL;
    case O_ON_FAILURE:
        if (strcmp(v, "partial") != 0 && strcmp(v, "error") != 0)
            return false;
        c->partial = strcmp(v, "partial") == 0;
        return true;
    case O_SHARD_TIMEOUT:
        if (!number(v, 10, 600000, &n))
            return false;
        c->shard_timeout_ms = (unsigned)n;
        return true;
    case O_SHARD_RETRY:
        if (!number(v, 10, 3600000, &n))
            return false;
        c->shard_retry_ms = (unsigned)n;
        return true;
    case 's': return set_str(&c->socket, v);
    case 'c': return set_str(&c->config_file, v);
    case O_PIDFILE: return set_str(&c->pidfile, v);
    case O_TOKEN_FILE: return *v && set_str(&c->token_file, v);
    case O_USER: return *v && set_str(&c->user, v);
    case O_SOCKET_GROUP: return *v && set_str(&c->socket_group, v);
    case 'l':
        if (c->nlisten == CONFIG_MAX_LISTEN)
            return false;
        c->listen[c->nlisten] = strdup(v);
        return c->listen[c->nlisten++] != NULL;
    case O_SOCKET_MODE:
        c->socket_mode = (unsigned)strtoul(v, &end, 8);
        return *v && *end == '\0' && c->socket_mode <= 0777;
    case O_LOG_LEVEL:
        c->log_level = att_log_level_parse(v);
        return c->log_level >= 0;
    case 't':
        if (!number(v, 1, 256, &n))
            return false;
        c->threads = (unsigned)n;
        return true;
    case O_MAX_CONN:
        if (!number(v, 1, 1000000, &n))
            return false;
        c->max_connections = (unsigned)n;
        return true;
    case O_MAX_LINE:
        if (!number(v, 256, ATTACHE_MAX_LINE_HARD, &n))
            return false;
        c->max_line = (size_t)n;
        return true;
    case O_IDLE:
        if (!number(v, 0, 86400 * 7, &n))
            return false;
        c->idle_timeout_s = (unsigned)n;
        return true;
    case O_REQUEST_TIMEOUT:
        if (!number(v, 0, 86400, &n))
            return false;
        c->request_timeout_s = (unsigned)n;
        return true;
    case O_EVICT_IDLE:
        if (!number(v, 0, 86400000, &n))
            return false;
        c->evict_idle_ms = (unsigned)n;
        return true;
    case O_QUERY_TIME:
        if (!number(v, 0, 600000, &n))
            return false;
        c->query_time_ms = (unsigned)n;
        return true;
    case O_MAX_WILD:
        if (!number(v, 1, 1000000, &n))
            return false;
        c->max_wildcard = (unsigned)n;
        return true;
    case O_MAX_OUTPUT:
        if (!number(v, 4096, 1 << 30, &n))
            return false;
        c->max_output = (size_t)n;
        return true;
    case O_SLOW:
        if (!number(v, 0, 3600000, &n))
            return false;
        c->slow_ms = (unsigned)n;
        return true;
    default:
        return false;
    }
}

static const char *opt_name(int val)
{
    for (const struct option *o = long_opts; o->name; o++) {
        if (o->val == val)
            return o->name;
    }
    return "?";
}

static const struct option *by_name(const char *name)
{
    for (const struct option *o = long_opts; o->name; o++) {
        if (strcmp(o->name, name) == 0 && o->has_arg == required_argument)
            return o;
    }
    return NULL;
}

static char *trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        *--e = '\0';
    return s;
}

/* Read "key = value" lines; false after logging the first bad line. */
static bool load_file(struct config *c, const char *path)
{
    FILE *f = fopen(path, "r");
    char buf[4096];
    int lineno = 0;
    bool ok = true;

    if (f == NULL) {
        att_log(ATT_ERROR, "cannot read config file %s: %s", path, strerror(errno));
        return false;
    }
    while (ok && fgets(buf, sizeof buf, f) != NULL) {
        char *line = trim(buf), *sep, *key, *val;
        const struct option *o;

        lineno++;
        if (*line == '\0' || *line == '#')
            continue;
        sep = line + strcspn(line, "= \t");
        val = trim(sep + strspn(sep, "= \t"));
        *sep = '\0';
        key = line;
        o = by_name(key);
        ok = o != NULL && o->val != 'c' && apply(c, o->val, val);
        if (!ok)
            att_log(ATT_ERROR, "%s:%d: %s option \"%s\"", path, lineno,
                    o ? "bad value for" : "unknown", key);
    }
    fclose(f);
    return ok;
}

/* c->db: the databases joined with ", ", for messages. */
static bool join_dbs(struct config *c)
{
    size_t len = 1;
    char *p;

    for (size_t i = 0; i < c->ndb; i++)
        len += strlen(c->dbs[i]) + 2;
    p = malloc(len);
    if (p == NULL)
        return false;
    *p = '\0';
    for (size_t i = 0; i < c->ndb; i++) {
        if (i > 0)
            strcat(p, ", ");
        strcat(p, c->dbs[i]);
    }
    free(c->db);
    c->db = p;
    return true;
}

/* The -c argument, looked for before the other options are applied. */
static const char *find_config(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) && i + 1 < argc)
            return argv[i + 1];
        if (strncmp(argv[i], "--config=", 9) == 0)
            return argv[i] + 9;
        if (strcmp(argv[i], "--") == 0)
            break;
    }
    return NULL;
}

/* Read the token of c->token_file into c->token; false after logging why. */
static bool load_token(struct config *c)
{
    struct att_err err = {0};
    bool loose = false;

    if (c->token_file == NULL)
        return true;
    if (att_token_read(c->token_file, &c->token, &c->token_len, &loose, &err) != ATT_OK) {
        att_log(ATT_ERROR, "--token-file: %s", err.msg);
        return false;
    }
    if (loose)
        att_log(ATT_WARN, "the token file %s is readable by its group or by others: "
                "chmod 600 it", c->token_file);
    return true;
}

int config_build(struct config *c, int argc, char **argv)
{
    const char *file = find_config(argc, argv);
    const char *env = getenv("ATTACHE_DB");
    bool cli_listen = false, cli_db = false;
    int opt;

    defaults(c);
    if (file != NULL && !load_file(c, file))
        return 2;
    if (c->ndb == 0 && env != NULL && *env && !apply(c, 'd', env))
        return 2;
    optind = 0; /* rescan: config_build runs again on SIGHUP */

    while ((opt = getopt_long(argc, argv, "d:l:s:t:c:hV", long_opts, NULL)) != -1) {
        if (opt == 'h') {
            usage(stdout);
            return -1;
        }
        if (opt == 'V') {
            printf("attached %s\n", ATTACHE_VERSION);
            return -1;
        }
        if (opt == '?') {
            usage(stderr);
            return 2;
        }
        if (opt == 'l' && !cli_listen) {
            for (size_t i = 0; i < c->nlisten; i++)
                free(c->listen[i]);
            c->nlisten = 0; /* command-line addresses replace the file's */
            cli_listen = true;
        }
        if (opt == 'd' && !cli_db) {
            for (size_t i = 0; i < c->ndb; i++)
                free(c->dbs[i]);
            c->ndb = 0; /* so do the command line's databases */
            cli_db = true;
        }
        if (!apply(c, opt, optarg)) {
            att_log(ATT_ERROR, "bad value for --%s: '%s'", opt_name(opt), optarg);
            return 2;
        }
    }
    if (optind < argc) {
        att_log(ATT_ERROR, "unexpected argument '%s' (see --help)", argv[optind]);
        return 2;
    }
    if (c->ndb == 0) {
        att_log(ATT_ERROR, "no index given: use --db PATH or set ATTACHE_DB");
        return 2;
    }
    return join_dbs(c) && load_token(c) ? 0 : 2;
}

void config_free(struct config *c)
{
    free(c->db);
    for (size_t i = 0; i < c->ndb; i++)
        free(c->dbs[i]);
    for (size_t i = 0; i < c->nlisten; i++)
        free(c->listen[i]);
    free(c->socket);
    free(c->config_file);
    free(c->pidfile);
    free(c->token_file);
    att_token_free(c->token, c->token_len);
    free(c->user);
    free(c->socket_group);
    memset(c, 0, sizeof *c);
}
