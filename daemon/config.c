/* attached: the settings table, and what it drives: getopt_long's options,
 * the config file ("key = value" lines whose keys are the long option
 * names), --help, defaults, and the live limits. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "attache/protocol.h"
#include "buf.h"
#include "config.h"
#include "log.h"
#include "numparse.h"
#include "token.h"

static int check_listen(const char *v, struct att_err *err);

static const char *const shard_failure_names[] = {"partial", "error", NULL};
static const char *const no_yes[] = {"no", "yes", NULL};

#define CFG(field) .off = offsetof(struct config, field)
/* A number: the member must be an unsigned (checked at compile time). */
#define NUM(field) CFG(field) + 0 * _Generic(((struct config *)0)->field, unsigned: 0)
/* A number a SIGHUP may change while the workers read it: also a member of
 * struct limits of the same name (an atomic unsigned), and its stats key. */
#define LIMIT(field, stats)                                                              \
    NUM(field), .key = #field,                                                          \
        .lim_off = offsetof(struct limits, field) +                                     \
                   0 * _Generic(((struct limits *)0)->field, unsigned: 0),              \
        .flags = SET_RELOAD | SET_LIMIT | ((stats) ? SET_STATS : 0)

static const struct setting table[] = {
    {"db", 'd', SET_LIST, CFG(dbs), .count_off = offsetof(struct config, ndb),
     .hi = CONFIG_MAX_DB, .flags = SET_NONEMPTY, .env = "ATTACHE_DB",
     .arg = "PATH|tcp://HOST:PORT",
     .help = "index folder, or a shard served by xapian-tcpsrv;\n"
             "repeatable: all are searched as one (default:\n$ATTACHE_DB)"},
    {"on-shard-failure", 0, SET_CHOICE, CFG(on_shard_failure), .def = CONFIG_SHARD_PARTIAL,
     .choices = shard_failure_names, .arg = "partial|error",
     .help = "a shard out of reach: answer from the others,\n"
             "flagged \"partial\" (default), or fail"},
    {"shard-timeout", 0, SET_MS, NUM(shard_timeout_ms), .lo = 10, .hi = 600000, .def = 2000,
     .arg = "MS", .help = "connect and read time-out of a remote shard ({def})"},
    {"shard-retry", 0, SET_MS, NUM(shard_retry_ms), .lo = 10, .hi = 3600000, .def = 1000,
     .arg = "MS", .help = "how often a shard out of reach is tried ({def})"},
    {"listen", 'l', SET_LIST, CFG(listen), .count_off = offsetof(struct config, nlisten),
     .hi = CONFIG_MAX_LISTEN, .check = check_listen, .arg = "ADDR:PORT",
     .help = "TCP address, repeatable (default " ATTACHE_DEFAULT_LISTEN ",\n"
             "IPv6 as [::1]:" ATTACHE_DEFAULT_PORT_STR "; \"none\": no TCP)"},
    {"http", 0, SET_LIST, CFG(http), .count_off = offsetof(struct config, nhttp),
     .hi = CONFIG_MAX_LISTEN, .check = check_listen, .env = "ATTACHE_HTTP", .arg = "ADDR:PORT",
     .help = "HTTP address, repeatable (default " ATTACHE_DEFAULT_HTTP ";\n"
             "\"none\": no HTTP): the JSON API, /health, /ready,\n/metrics and the search page"},
    {"http-cors", 0, SET_STRING, CFG(http_cors), .flags = SET_NONEMPTY, .arg = "ORIGIN",
     .help = "let pages of ORIGIN (https://host[:port]) call\nthe HTTP API (default: none)"},
    {"http-open-probes", 0, SET_CHOICE, CFG(http_open_probes), .choices = no_yes,
     .arg = "no|yes", .help = "/health and /metrics need no token (default no)"},
    {"socket", 's', SET_STRING, CFG(socket), .arg = "PATH", .help = "Unix socket"},
    {"socket-mode", 0, SET_MODE, NUM(socket_mode), .hi = 0777, .def = 0660, .arg = "OCTAL",
     .help = "its permissions (default {def})"},
    {"socket-group", 0, SET_STRING, CFG(socket_group), .flags = SET_NONEMPTY, .arg = "GROUP",
     .help = "its group (with --socket-mode 0660: the members\nof GROUP may connect)"},
    {"threads", 't', SET_COUNT, NUM(threads), .lo = 1, .hi = 256, .def = 0, .arg = "N",
     .help = "worker threads (default: the number of CPUs)"},
    {"config", 'c', SET_STRING, CFG(config_file), .flags = SET_CLI_ONLY, .arg = "FILE",
     .help = "\"key = value\" lines, keys as the long options"},
    {"max-connections", 0, SET_COUNT, LIMIT(max_connections, true), .lo = 1, .hi = 1000000,
     .def = ATTACHE_MAX_CONNECTIONS, .arg = "N", .help = "clients at once (default {def})"},
    {"evict-idle", 0, SET_MS, LIMIT(evict_idle_ms, true), .hi = 86400000,
     .def = ATTACHE_EVICT_IDLE_MS, .arg = "MS",
     .help = "at that cap, a new client takes the place of the\n"
             "one idle longest, if idle MS or more (default\n"
             "{def}; 0: turn the new client away)"},
    {"max-line", 0, SET_BYTES, LIMIT(max_line, true), .lo = 256, .hi = ATTACHE_MAX_LINE_HARD,
     .def = ATTACHE_MAX_LINE, .arg = "BYTES",
     .help = "longest request line (default {def})"},
    {"idle-timeout", 0, SET_SECONDS, LIMIT(idle_timeout_s, true), .hi = 86400 * 7,
     .def = ATTACHE_IDLE_TIMEOUT_S, .arg = "S",
     .help = "close silent clients after S seconds (default {def})"},
    {"request-timeout", 0, SET_SECONDS, LIMIT(request_timeout_s, true), .hi = 86400,
     .def = ATTACHE_REQUEST_TIMEOUT_S, .arg = "S",
     .help = "a request line must end S seconds after its first\n"
             "byte (default {def}; 0: no limit)"},
    {"query-time", 0, SET_MS, LIMIT(query_time_ms, true), .hi = 600000,
     .def = ATTACHE_QUERY_TIME_MS, .arg = "MS",
     .help = "time limit of one search (default {def})"},
    {"max-wildcard", 0, SET_COUNT, LIMIT(max_wildcard, true), .lo = 1, .hi = 1000000,
     .def = ATTACHE_MAX_WILDCARD, .arg = "N",
     .help = "terms one wildcard may expand to (default {def})"},
    {"max-output", 0, SET_BYTES, LIMIT(max_output, true), .lo = 4096, .hi = 1 << 30,
     .def = ATTACHE_MAX_OUTPUT, .arg = "BYTES",
     .help = "responses queued for a client (default {def})"},
    {"max-client-memory", 0, SET_BYTES, LIMIT(max_client_memory, true), .hi = UINT_MAX,
     .arg = "BYTES",
     .help = "bytes held for all clients at once (queued\n"
             "responses, requests read); past it, clients are\n"
             "paused and those that do not read are closed\n"
             "(default: 1/8 of the RAM, from 64 MiB to 2 GiB;\n"
             "0: no ceiling)"},
    {"max-per-ip", 0, SET_COUNT, LIMIT(max_per_ip, true), .hi = 1000000,
     .def = ATTACHE_MAX_PER_IP, .arg = "N",
     .help = "connections from one TCP client address\n"
             "(default 0: no limit)"},
    {"slow-ms", 0, SET_MS, LIMIT(slow_ms, false), .hi = 3600000, .arg = "MS",
     .help = "log requests slower than this (default: off)"},
    {"log-level", 0, SET_LEVEL, CFG(log_level), .def = ATT_WARN, .flags = SET_RELOAD,
     .arg = "LEVEL", .help = "error, warn, info (one line a request), debug"},
    {"pidfile", 0, SET_STRING, CFG(pidfile), .arg = "PATH", .help = "write the pid there"},
    {"token-file", 0, SET_STRING, CFG(token_file), .flags = SET_RELOAD | SET_NONEMPTY,
     .arg = "PATH",
     .help = "TCP clients must first send the token held in\n"
             "PATH (op \"auth\"); Unix-socket clients need not"},
    {"user", 0, SET_STRING, CFG(user), .flags = SET_NONEMPTY, .arg = "NAME",
     .help = "when started as root: listen, then run as NAME"},
    {"help", 'h', SET_ACTION, .flags = SET_CLI_ONLY, .help = "this help"},
    {"version", 'V', SET_ACTION, .flags = SET_CLI_ONLY, .help = "version"},
};

#define NSETTINGS (sizeof table / sizeof *table)
#define HELP_COLUMN 27

const struct setting *config_settings(size_t *n)
{
    *n = NSETTINGS;
    return table;
}

/* The member of c at offset off (a table's off or count_off). */
static void *at(struct config *c, size_t off)
{
    return (char *)c + off;
}

static int check_listen(const char *v, struct att_err *err)
{
    struct att_addr a;

    if (strcmp(v, "none") == 0)
        return ATT_OK;
    if (att_addr_parse(v, &a, err) != ATT_OK || a.kind != ATT_ADDR_TCP)
        return att_err_set(err, ATT_E_PARSE, "'%.200s': use HOST:PORT, [IPV6]:PORT or none",
                           v);
    return ATT_OK;
}

/* --- values ------------------------------------------------------------ */

static const char *unit_name(enum setting_type t)
{
    switch (t) {
    case SET_MS: return " (milliseconds)";
    case SET_SECONDS: return " (seconds)";
    case SET_BYTES: return " (bytes)";
    default: return "";
    }
}

static int set_number(struct config *c, const struct setting *s, const char *v,
                      struct att_err *err)
{
    long long n;

    if (att_parse_int(v, s->lo, s->hi, &n, err) != ATT_OK) {
        size_t len = strlen(err->msg);

        snprintf(err->msg + len, sizeof err->msg - len, "%s", unit_name(s->type));
        return ATT_E_PARSE;
    }
    *(unsigned *)at(c, s->off) = (unsigned)n;
    return ATT_OK;
}

static int set_mode(struct config *c, const struct setting *s, const char *v,
                    struct att_err *err)
{
    unsigned long m = strtoul(v, NULL, 8);

    if (*v == '\0' || strlen(v) > 4 || strspn(v, "01234567") != strlen(v) ||
        m > (unsigned long)s->hi)
        return att_err_set(err, ATT_E_PARSE, "'%.64s' is not an octal mode from 0 to 0%llo",
                           v, (unsigned long long)s->hi);
    *(unsigned *)at(c, s->off) = (unsigned)m;
    return ATT_OK;
}

static int set_choice(struct config *c, const struct setting *s, const char *v,
                      struct att_err *err)
{
    int level;

    if (s->type == SET_LEVEL) {
        level = att_log_level_parse(v);
        if (level < 0)
            return att_err_set(err, ATT_E_PARSE, "'%.64s' is not one of error, warn, info, "
                               "debug", v);
        *(int *)at(c, s->off) = level;
        return ATT_OK;
    }
    for (int i = 0; s->choices[i] != NULL; i++) {
        if (strcmp(v, s->choices[i]) == 0) {
            *(int *)at(c, s->off) = i;
            return ATT_OK;
        }
    }
    return att_err_set(err, ATT_E_PARSE, "'%.64s' is not %s", v, s->arg);
}

static int set_string(struct config *c, const struct setting *s, const char *v,
                      struct att_err *err)
{
    char *p, **dst;
    size_t *n = s->type == SET_LIST ? at(c, s->count_off) : NULL;

    if (n != NULL && *n == (size_t)s->hi)
        return att_err_set(err, ATT_E_TOOBIG, "'%.64s': at most %lld values", v, s->hi);
    p = strdup(v);
    if (p == NULL)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    if (n != NULL) {
        ((char **)at(c, s->off))[(*n)++] = p;
        return ATT_OK;
    }
    dst = at(c, s->off);
    free(*dst);
    *dst = p;
    return ATT_OK;
}

/* Check v and store it as setting s of c. ATT_OK, or a status with err
 * saying what is wrong with v ("'2.5' is not a whole number from 1 to
 * 256"); c is then unchanged. */
static int set_value(struct config *c, const struct setting *s, const char *v,
                     struct att_err *err)
{
    if ((s->flags & SET_NONEMPTY) && *v == '\0')
        return att_err_set(err, ATT_E_PARSE, "'' (it cannot be empty)");
    if (s->check != NULL && s->check(v, err) != ATT_OK)
        return ATT_E_PARSE;
    switch (s->type) {
    case SET_COUNT:
    case SET_MS:
    case SET_SECONDS:
    case SET_BYTES: return set_number(c, s, v, err);
    case SET_MODE: return set_mode(c, s, v, err);
    case SET_CHOICE:
    case SET_LEVEL: return set_choice(c, s, v, err);
    case SET_STRING:
    case SET_LIST: return set_string(c, s, v, err);
    default: return att_err_set(err, ATT_E_INTERNAL, "takes no value");
    }
}

/* Empty the list s of c (the command line replaces the file's values). */
static void list_clear(struct config *c, const struct setting *s)
{
    char **v = at(c, s->off);
    size_t *n = at(c, s->count_off);

    for (size_t i = 0; i < *n; i++)
        free(v[i]);
    *n = 0;
}

/* The default of --max-client-memory: 1/8 of the physical memory, within
 * [ATTACHE_CLIENT_MEMORY_MIN, ATTACHE_CLIENT_MEMORY_MAX]; the least when
 * sysconf cannot tell. */
static unsigned client_memory_default(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    unsigned long long eighth = pages > 0 && size > 0
                                    ? (unsigned long long)pages * (unsigned long long)size / 8
                                    : 0;

    if (eighth < ATTACHE_CLIENT_MEMORY_MIN)
        return ATTACHE_CLIENT_MEMORY_MIN;
    return eighth > ATTACHE_CLIENT_MEMORY_MAX ? ATTACHE_CLIENT_MEMORY_MAX : (unsigned)eighth;
}

static void defaults(struct config *c)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < NSETTINGS; i++) {
        const struct setting *s = &table[i];

        if (s->type <= SET_BYTES || s->type == SET_MODE)
            *(unsigned *)at(c, s->off) = (unsigned)s->def;
        else if (s->type == SET_CHOICE || s->type == SET_LEVEL)
            *(int *)at(c, s->off) = (int)s->def;
    }
    c->threads = cpus > 0 && cpus < 256 ? (unsigned)cpus : 2; /* the table's 0 */
    c->max_client_memory = client_memory_default();
}

/* --- --help --------------------------------------------------------------- */

static void print_default(FILE *to, const struct setting *s)
{
    if (s->type == SET_MODE)
        fprintf(to, "0%llo", (unsigned long long)s->def);
    else if (s->type == SET_CHOICE)
        fputs(s->choices[s->def], to);
    else
        fprintf(to, "%lld", s->def);
}

/* The help lines of s, the first after col columns, the others indented. */
static void print_help_text(FILE *to, const struct setting *s, int col)
{
    fprintf(to, "%*s", HELP_COLUMN - col, "");
    for (const char *p = s->help; *p; p++) {
        if (strncmp(p, "{def}", 5) == 0) {
            print_default(to, s);
            p += 4;
        } else if (*p == '\n') {
            fprintf(to, "\n%*s", HELP_COLUMN, "");
        } else {
            fputc(*p, to);
        }
    }
    fputc('\n', to);
}

/* The SET_RELOAD settings as " --a, --b and --c", wrapped at 78 columns;
 * col: where the line stands. */
static void print_reloaded(FILE *to, int col)
{
    size_t n = 0, k = 0;

    for (size_t i = 0; i < NSETTINGS; i++)
        n += (table[i].flags & SET_RELOAD) != 0;
    for (size_t i = 0; i < NSETTINGS; i++) {
        const char *sep = k == 0 ? "" : k + 1 == n ? " and" : ",";
        int len = (int)(strlen(sep) + strlen(table[i].name) + 3);

        if (!(table[i].flags & SET_RELOAD))
            continue;
        k++;
        if (col + len > 78) {
            fprintf(to, "%s\n--%s", sep, table[i].name);
            col = len - (int)strlen(sep) - 1;
        } else {
            fprintf(to, "%s --%s", sep, table[i].name);
            col += len;
        }
    }
}

static void usage(FILE *to)
{
    fputs("Usage: attached [options]\n"
          "Serve an attache index over TCP and Unix sockets (JSON lines; see\n"
          "docs/PROTOCOL.md).\n\n", to);
    for (size_t i = 0; i < NSETTINGS; i++) {
        const struct setting *s = &table[i];
        char left[80];
        int col;

        if (s->short_name)
            col = snprintf(left, sizeof left, "  -%c, --%s", s->short_name, s->name);
        else
            col = snprintf(left, sizeof left, "      --%s", s->name);
        if (s->arg != NULL)
            col += snprintf(left + col, sizeof left - (size_t)col, " %s", s->arg);
        fputs(left, to);
        if (col >= HELP_COLUMN) { /* no room for a space before the text */
            fputc('\n', to);
            col = 0;
        }
        print_help_text(to, s, col);
    }
    fputs("\nSignals: TERM/INT finish the requests received and exit; HUP reopens the\n"
          "index and reloads the config file, which changes", to);
    print_reloaded(to, 47);
    fputs(";\nthe other settings stay as they are.\n", to);
}

/* --- the config file --------------------------------------------------------- */

static const struct setting *by_name(const char *name)
{
    for (size_t i = 0; i < NSETTINGS; i++) {
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
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

/* One "key = value" line; false after logging what is wrong with it. */
static bool file_line(struct config *c, char *line, const char *path, int lineno,
                      bool *seen)
{
    char *sep = line + strcspn(line, "= \t"), *val = trim(sep + strspn(sep, "= \t"));
    const struct setting *s;
    struct att_err err = {0};

    *sep = '\0';
    s = by_name(line);
    if (s == NULL || s->type == SET_ACTION) {
        att_log(ATT_ERROR, "%s:%d: unknown option \"%s\"", path, lineno, line);
        return false;
    }
    if (s->flags & SET_CLI_ONLY) {
        att_log(ATT_ERROR, "%s:%d: bad value for option \"%s\": it is for the command line "
                "only", path, lineno, line);
        return false;
    }
    if (set_value(c, s, val, &err) != ATT_OK) {
        att_log(ATT_ERROR, "%s:%d: bad value for option \"%s\": %s", path, lineno, line,
                err.msg);
        return false;
    }
    seen[s - table] = true;
    return true;
}

/* Read "key = value" lines; false after logging the first bad line. seen:
 * which settings the file set. */
static bool load_file(struct config *c, const char *path, bool *seen)
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
        char *line = trim(buf);

        lineno++;
        if (*line != '\0' && *line != '#')
            ok = file_line(c, line, path, lineno, seen);
    }
    fclose(f);
    return ok;
}

/* Settings with a variable that neither the file nor options set. */
static bool load_env(struct config *c, const bool *seen)
{
    for (size_t i = 0; i < NSETTINGS; i++) {
        const char *v = table[i].env ? getenv(table[i].env) : NULL;
        struct att_err err = {0};

        if (v == NULL || *v == '\0' || seen[i])
            continue;
        if (set_value(c, &table[i], v, &err) != ATT_OK) {
            att_log(ATT_ERROR, "bad value for $%s: %s", table[i].env, err.msg);
            return false;
        }
    }
    return true;
}

/* --- the command line ----------------------------------------------------------- */

/* getopt_long's view of the table: val is the short name, or 256 + index. */
struct getopt_table {
    struct option longs[NSETTINGS + 1];
    char shorts[2 * NSETTINGS + 1];
};

static void make_getopt(struct getopt_table *g)
{
    size_t k = 0;

    for (size_t i = 0; i < NSETTINGS; i++) {
        const struct setting *s = &table[i];
        bool arg = s->type != SET_ACTION;

        g->longs[i] = (struct option){s->name, arg ? required_argument : no_argument, NULL,
                                      s->short_name ? s->short_name : 256 + (int)i};
        if (s->short_name) {
            g->shorts[k++] = s->short_name;
            if (arg)
                g->shorts[k++] = ':';
        }
    }
    g->longs[NSETTINGS] = (struct option){NULL, 0, NULL, 0};
    g->shorts[k] = '\0';
}

static const struct setting *by_val(int val)
{
    for (size_t i = 0; i < NSETTINGS; i++) {
        if (val == (table[i].short_name ? table[i].short_name : 256 + (int)i))
            return &table[i];
    }
    return NULL;
}

/* The -c argument (the last), found before the other options are applied:
 * a first getopt pass, quiet (the second reports what is wrong). */
static const char *find_config(int argc, char **argv, const struct getopt_table *g)
{
    const struct setting *conf = by_name("config");
    const char *file = NULL;
    int opt;

    opterr = 0;
    optind = 0; /* rescan: config_build runs again on SIGHUP */
    while ((opt = getopt_long(argc, argv, g->shorts, g->longs, NULL)) != -1) {
        if (by_val(opt) == conf)
            file = optarg;
    }
    opterr = 1;
    optind = 0;
    return file;
}

/* The option opt (getopt's value) with value v; 0, -1 (help or version
 * printed) or 2 (logged why). cli_seen: the lists given so far. */
static int cli_option(struct config *c, int opt, const char *v, bool *cli_seen)
{
    const struct setting *s = by_val(opt);
    struct att_err err = {0};

    if (s == NULL) { /* getopt said what it did not like */
        usage(stderr);
        return 2;
    }
    if (s->type == SET_ACTION) {
        if (s->short_name == 'h')
            usage(stdout);
        else
            printf("attached %s\n", ATTACHE_VERSION);
        return -1;
    }
    if (s->type == SET_LIST && !cli_seen[s - table])
        list_clear(c, s); /* command-line values replace the file's */
    cli_seen[s - table] = true;
    if (set_value(c, s, v, &err) != ATT_OK) {
        att_log(ATT_ERROR, "bad value for --%s: %s", s->name, err.msg);
        return 2;
    }
    return 0;
}

static int parse_args(struct config *c, int argc, char **argv, const struct getopt_table *g)
{
    bool cli_seen[NSETTINGS] = {false};
    int opt, rc = 0;

    while (rc == 0 && (opt = getopt_long(argc, argv, g->shorts, g->longs, NULL)) != -1) {
        rc = cli_option(c, opt, optarg, cli_seen);
    }
    if (rc == 0 && optind < argc) {
        att_log(ATT_ERROR, "unexpected argument '%s' (see --help)", argv[optind]);
        rc = 2;
    }
    return rc;
}

/* c->db: the databases joined with ", ", for messages. */
static bool join_dbs(struct config *c)
{
    struct att_buf b;

    att_buf_init(&b, (size_t)-1);
    for (size_t i = 0; i < c->ndb; i++) {
        if (att_buf_addf(&b, "%s%s", i > 0 ? ", " : "", c->dbs[i]) != ATT_OK) {
            att_buf_free(&b);
            return false;
        }
    }
    free(c->db);
    c->db = att_buf_take(&b, NULL);
    return c->db != NULL;
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
    struct getopt_table g;
    bool seen[NSETTINGS] = {false};
    const char *file;
    int rc;

    defaults(c);
    make_getopt(&g);
    file = find_config(argc, argv, &g);
    if (file != NULL && !load_file(c, file, seen))
        return 2;
    if (!load_env(c, seen))
        return 2;
    rc = parse_args(c, argc, argv, &g);
    if (rc != 0)
        return rc;
    if (c->ndb == 0) {
        att_log(ATT_ERROR, "no index given: use --db PATH or set ATTACHE_DB");
        return 2;
    }
    return join_dbs(c) && load_token(c) ? 0 : 2;
}

void config_free(struct config *c)
{
    free(c->db);
    for (size_t i = 0; i < NSETTINGS; i++) {
        const struct setting *s = &table[i];

        if (s->type == SET_LIST)
            list_clear(c, s);
        else if (s->type == SET_STRING)
            free(*(char **)at(c, s->off));
    }
    att_token_free(c->token, c->token_len);
    memset(c, 0, sizeof *c);
}

void limits_set(struct limits *l, const struct config *c)
{
    for (size_t i = 0; i < NSETTINGS; i++) {
        const struct setting *s = &table[i];

        if (s->flags & SET_LIMIT)
            atomic_store((atomic_uint *)((char *)l + s->lim_off),
                         *(const unsigned *)((const char *)c + s->off));
    }
}

unsigned limits_get(const struct limits *l, const struct setting *s)
{
    return atomic_load((const atomic_uint *)((const char *)l + s->lim_off));
}
