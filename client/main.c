/* attache: the command-line client of attached. For a person: ranked
 * passages with the matched words highlighted, wrapped to the terminal.
 * For a script: --json, raw, and grep's exit statuses (0 found, 1 not
 * found, 2 trouble). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "attache/attache.h"
#include "attache/protocol.h"
#include "net.h"
#include "render.h"
#include "token.h"

enum { FOUND = 0, NOT_FOUND = 1, TROUBLE = 2 };

struct opts {
    const char *addr;
    const char *token_file; /* over TCP: authenticate with its token first */
    long limit, offset, page, per_doc;
    const char *source, *from, *to, *speaker, *doc, *sort, *match, *color;
    bool quotes_only, full, json;
    int width;
    double timeout;
};

enum { O_PAGE = 256, O_OFFSET, O_SOURCE, O_FROM, O_TO, O_SPEAKER, O_DOC, O_QUOTES_ONLY, O_SORT,
       O_PER_DOC, O_MATCH, O_FULL, O_JSON, O_COLOR, O_WIDTH, O_TIMEOUT, O_TOKEN_FILE };

static const struct option long_opts[] = {
    {"socket", required_argument, NULL, 's'}, {"connect", required_argument, NULL, 'C'},
    {"token-file", required_argument, NULL, O_TOKEN_FILE},
    {"limit", required_argument, NULL, 'n'}, {"page", required_argument, NULL, O_PAGE},
    {"offset", required_argument, NULL, O_OFFSET}, {"source", required_argument, NULL, O_SOURCE},
    {"from", required_argument, NULL, O_FROM}, {"to", required_argument, NULL, O_TO},
    {"speaker", required_argument, NULL, O_SPEAKER}, {"doc", required_argument, NULL, O_DOC},
    {"quotes-only", no_argument, NULL, O_QUOTES_ONLY}, {"sort", required_argument, NULL, O_SORT},
    {"per-doc", required_argument, NULL, O_PER_DOC}, {"match", required_argument, NULL, O_MATCH},
    {"full", no_argument, NULL, O_FULL}, {"json", no_argument, NULL, O_JSON},
    {"color", required_argument, NULL, O_COLOR}, {"colour", required_argument, NULL, O_COLOR},
    {"width", required_argument, NULL, O_WIDTH}, {"timeout", required_argument, NULL, O_TIMEOUT},
    {"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0}};

static void usage(FILE *to)
{
    fputs("Usage: attache [options] QUERY...   search\n"
          "       attache [options] get ID[#N]  a document, or one passage of it\n"
          "       attache [options] stats | ping | raw\n\n"
          "  -s, --socket PATH        the daemon's Unix socket\n"
          "  -C, --connect HOST:PORT  the daemon's TCP address (default 127.0.0.1:7311,\n"
          "                           or $ATTACHE_ADDR: unix:/path or host:port)\n"
          "      --token-file PATH    over TCP, authenticate with the token in PATH\n"
          "                           (default $ATTACHE_TOKEN_FILE)\n"
          "  -n, --limit N            hits to show (default 10)\n"
          "      --page N             page N of the results (1 is the first)\n"
          "      --offset N           skip N hits\n"
          "      --source S           only this source\n"
          "      --from DATE, --to DATE  only dates in this range (YYYY[-MM[-DD]])\n"
          "      --speaker NAME       only passages quoting NAME\n"
          "      --doc ID             only this document\n"
          "      --quotes-only        search inside quotations only\n"
          "      --sort relevance|date|-date\n"
          "      --per-doc N          at most N passages of one document\n"
          "      --match auto|all|any how words combine (default auto)\n"
          "      --full               whole passages instead of snippets\n"
          "      --json               the daemon's response as it is, one line\n"
          "      --color auto|always|never  highlight in colour (auto: on a terminal,\n"
          "                           unless NO_COLOR is set)\n"
          "      --width N            wrap at N columns (default: the terminal's)\n"
          "      --timeout SECONDS    give up after this long (default 10)\n"
          "  -h, --help, -V, --version\n\n"
          "Query syntax: words, \"a phrase\", AND OR NOT, +must -not, title:, quote:,\n"
          "speaker:, source:, 1860..1865 (dates), wild*. Exit status: 0 something\n"
          "matched, 1 nothing did, 2 an error.\n", to);
}

static bool whole(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*s == '\0' || *end != '\0' || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool one_of(const char *v, const char *a, const char *b, const char *c)
{
    return strcmp(v, a) == 0 || strcmp(v, b) == 0 || strcmp(v, c) == 0;
}

/* Returns 0 to go on, -1 to exit 0 (help, version), TROUBLE on bad usage. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
    long v;
    int c;

    o->addr = getenv("ATTACHE_ADDR");
    o->token_file = getenv("ATTACHE_TOKEN_FILE");
    o->limit = ATTACHE_DEFAULT_LIMIT;
    o->color = "auto";
    o->timeout = 10;
    /* "+": options stop at the first word, so a query may start with "-". */
    while ((c = getopt_long(argc, argv, "+s:C:n:hV", long_opts, NULL)) != -1) {
        bool ok = true;

        switch (c) {
        case 's':
            o->addr = optarg[0] == '/' || optarg[0] == '.' ? optarg : NULL;
            if (o->addr == NULL) {
                static char buf[4200];

                snprintf(buf, sizeof buf, "unix:%s", optarg);
                o->addr = buf;
            }
            break;
        case 'C': o->addr = optarg; break;
        case O_TOKEN_FILE: o->token_file = optarg; ok = *optarg != '\0'; break;
        case 'n': ok = whole(optarg, 1, ATTACHE_MAX_LIMIT, &o->limit); break;
        case O_PAGE: ok = whole(optarg, 1, ATTACHE_MAX_OFFSET, &o->page); break;
        case O_OFFSET: ok = whole(optarg, 0, ATTACHE_MAX_OFFSET, &o->offset); break;
        case O_PER_DOC: ok = whole(optarg, 0, ATTACHE_MAX_PER_DOC, &o->per_doc); break;
        case O_WIDTH: ok = whole(optarg, 10, 10000, &v); o->width = (int)v; break;
        case O_TIMEOUT: o->timeout = atof(optarg); ok = o->timeout > 0; break;
        case O_SOURCE: o->source = optarg; break;
        case O_FROM: o->from = optarg; break;
        case O_TO: o->to = optarg; break;
        case O_SPEAKER: o->speaker = optarg; break;
        case O_DOC: o->doc = optarg; break;
        case O_QUOTES_ONLY: o->quotes_only = true; break;
        case O_FULL: o->full = true; break;
        case O_JSON: o->json = true; break;
        case O_SORT: o->sort = optarg; ok = one_of(optarg, "relevance", "date", "-date"); break;
        case O_MATCH: o->match = optarg; ok = one_of(optarg, "auto", "all", "any"); break;
        case O_COLOR: o->color = optarg; ok = one_of(optarg, "auto", "always", "never"); break;
        case 'h': usage(stdout); return -1;
        case 'V': printf("attache %s\n", ATTACHE_VERSION); return -1;
        default: usage(stderr); return TROUBLE;
        }
        if (!ok) {
            fprintf(stderr, "attache: bad value '%s' for %s (see --help)\n", optarg,
                    argv[optind - 1]);
            return TROUBLE;
        }
    }
    if (o->page > 0)
        o->offset = (o->page - 1) * o->limit;
    return 0;
}

/* The query: the words joined; with --quotes-only each plain word (not an
 * operator, a field or inside a phrase) is searched inside quotations. */
static char *join_query(int argc, char **argv, bool quotes_only)
{
    size_t cap = 1;
    char *q;

    for (int i = 0; i < argc; i++)
        cap += strlen(argv[i]) * 8 + 8;
    q = calloc(1, cap);
    if (q == NULL)
        return NULL;
    for (int i = 0; i < argc; i++) {
        if (i > 0)
            strcat(q, " ");
        if (!quotes_only) {
            strcat(q, argv[i]);
            continue;
        }
        /* quote:word, quote:"a phrase": plain words and phrases are looked
         * for inside quotations; operators and other fields stay. */
        bool in_phrase = false;
        char *save = NULL;

        for (char *w = strtok_r(argv[i], " ", &save); w != NULL;
             w = strtok_r(NULL, " ", &save)) {
            bool op = !strcmp(w, "AND") || !strcmp(w, "OR") || !strcmp(w, "NOT") ||
                      !strcmp(w, "NEAR") || strchr(w, ':') != NULL;

            size_t n = strlen(q);

            if (n > 0 && q[n - 1] != ' ')
                strcat(q, " ");
            if (!in_phrase && !op)
                strcat(q, "quote:");
            strcat(q, w);
            if (w[0] == '"' && !in_phrase)
                in_phrase = strlen(w) == 1 || w[strlen(w) - 1] != '"';
            else if (in_phrase && w[strlen(w) - 1] == '"')
                in_phrase = false;
        }
    }
    return q;
}

static cJSON *search_request(const struct opts *o, const char *q, const struct style *st)
{
    cJSON *r = cJSON_CreateObject(), *f = cJSON_CreateObject(), *h;

    cJSON_AddNumberToObject(r, "id", 1);
    cJSON_AddStringToObject(r, "op", "search");
    cJSON_AddStringToObject(r, "q", q);
    cJSON_AddNumberToObject(r, "limit", (double)o->limit);
    if (o->offset)
        cJSON_AddNumberToObject(r, "offset", (double)o->offset);
    if (o->per_doc)
        cJSON_AddNumberToObject(r, "per_doc", (double)o->per_doc);
    if (o->sort)
        cJSON_AddStringToObject(r, "sort", o->sort);
    if (o->match)
        cJSON_AddStringToObject(r, "match", o->match);
    const char *keys[] = {"source", "from", "to", "speaker", "doc"};
    const char *vals[] = {o->source, o->from, o->to, o->speaker, o->doc};

    for (int i = 0; i < 5; i++) {
        if (vals[i] != NULL)
            cJSON_AddStringToObject(f, keys[i], vals[i]);
    }
    if (f->child != NULL)
        cJSON_AddItemToObject(r, "filter", f);
    else
        cJSON_Delete(f);
    if (!o->json) { /* our own markers, turned into colour or brackets */
        h = cJSON_AddObjectToObject(r, "highlight");
        cJSON_AddStringToObject(h, "pre", MARK_ON);
        cJSON_AddStringToObject(h, "post", MARK_OFF);
        cJSON_AddNumberToObject(h, "length", st->width > 60 ? 360 : 240);
    }
    return r;
}

static bool is_tty_color(const struct opts *o)
{
    const char *nc = getenv("NO_COLOR");

    if (strcmp(o->color, "always") == 0)
        return true;
    if (strcmp(o->color, "never") == 0)
        return false;
    return isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
}

static int term_width(const struct opts *o)
{
    struct winsize ws;
    const char *cols = getenv("COLUMNS");

    if (o->width > 0)
        return o->width;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 10)
        return ws.ws_col;
    if (cols != NULL && atoi(cols) >= 10)
        return atoi(cols);
    return 80;
}

/* Print an error response's code and message, with a hint for
 * "unauthorized". */
static void print_error(const char *code, const char *msg)
{
    fprintf(stderr, "attache: %s: %s%s\n", code, msg,
            strcmp(code, ATTACHE_ERR_UNAUTHORIZED) == 0
                ? " (give the daemon's token with --token-file FILE or $ATTACHE_TOKEN_FILE)"
                : "");
}

/* The auth request carrying tok, as one line; malloc'd (wipe it). */
static char *auth_line(const char *tok)
{
    cJSON *r = cJSON_CreateObject();
    char *s, *line = NULL;

    cJSON_AddStringToObject(r, "id", "auth");
    cJSON_AddStringToObject(r, "op", "auth");
    cJSON_AddStringToObject(r, "token", tok);
    s = cJSON_PrintUnformatted(r);
    if (s != NULL && (line = malloc(strlen(s) + 2)) != NULL)
        sprintf(line, "%s\n", s);
    if (s != NULL)
        explicit_bzero(s, strlen(s));
    free(s);
    cJSON_Delete(r); /* (cJSON's copy of the token is not wiped) */
    return line;
}

/* Over TCP with a token file: send "auth" and read its answer before any
 * other request. False after printing why. */
static bool authenticate(const struct opts *o, struct net *n)
{
    struct att_err err = {0};
    char *tok = NULL, *line, *resp = NULL, why[256] = "out of memory";
    size_t len = 0;
    bool loose, eof, ok = false;

    if (att_token_read(o->token_file, &tok, &len, &loose, &err) != ATT_OK) {
        fprintf(stderr, "attache: %s\n", err.msg);
        return false;
    }
    line = auth_line(tok);
    att_token_free(tok, len);
    if (line != NULL && net_send(n, line, strlen(line), why, sizeof why))
        resp = net_line(n, &eof, why, sizeof why);
    if (line != NULL)
        explicit_bzero(line, strlen(line));
    free(line);
    if (resp == NULL) {
        fprintf(stderr, "attache: %s: %s\n", n->addr, why);
        return false;
    }
    cJSON *r = cJSON_Parse(resp);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(r, "error");
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(e, "message");

    ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok"));
    if (!ok)
        print_error(cJSON_IsString(code) ? code->valuestring : "error",
                    cJSON_IsString(msg) ? msg->valuestring : "authentication refused");
    cJSON_Delete(r);
    free(resp);
    return ok;
}

static bool dial(const struct opts *o, struct net *n)
{
    const char *spec = o->addr && *o->addr ? o->addr : ATTACHE_DEFAULT_LISTEN;
    char host[4200], port[32] = "", why[256];
    bool is_unix;

    if (!net_parse(spec, &is_unix, host, sizeof host, port, sizeof port)) {
        fprintf(stderr, "attache: bad address '%s': use unix:/path or host:port\n", spec);
        return false;
    }
    if (!net_open(n, is_unix, host, port, o->timeout, why, sizeof why)) {
        fprintf(stderr, "attache: cannot connect to %s: %s (is attached running? start it "
                "with: attached --db INDEX%s%s)\n", n->addr, why, is_unix ? " --socket " : "",
                is_unix ? host : "");
        net_close(n);
        return false;
    }
    if (!is_unix && o->token_file != NULL && *o->token_file && !authenticate(o, n)) {
        net_close(n);
        return false;
    }
    return true;
}

/* Send one request, read its response line; NULL after printing why. */
static char *exchange(const struct opts *o, const cJSON *req)
{
    struct net n;
    char *line = cJSON_PrintUnformatted(req), *resp = NULL;
    char why[256];
    bool eof;

    if (line == NULL || !dial(o, &n)) {
        free(line);
        return NULL;
    }
    line = realloc(line, strlen(line) + 2);
    strcat(line, "\n");
    if (net_send(&n, line, strlen(line), why, sizeof why))
        resp = net_line(&n, &eof, why, sizeof why);
    if (resp == NULL)
        fprintf(stderr, "attache: %s: %s\n", n.addr, why);
    free(line);
    net_close(&n);
    return resp;
}

/* Parse a response; on an error response print it and return NULL. */
static cJSON *parse_response(const char *line)
{
    cJSON *r = cJSON_Parse(line);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(r, "error");

    if (r == NULL) {
        fprintf(stderr, "attache: the daemon sent something that is not JSON\n");
        return NULL;
    }
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok"))) {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(e, "message");

        print_error(cJSON_IsString(code) ? code->valuestring : "error",
                    cJSON_IsString(msg) ? msg->valuestring : "(no message)");
        cJSON_Delete(r);
        return NULL;
    }
    return r;
}

/* The exit status a response line means, printing it for --json. */
static int json_out(const char *line, bool found)
{
    cJSON *r = cJSON_Parse(line);
    int rc = !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok")) ? TROUBLE
             : found ? FOUND : NOT_FOUND;

    puts(line);
    cJSON_Delete(r);
    return rc;
}

static int do_search(const struct opts *o, int argc, char **argv)
{
    struct style st = {is_tty_color(o), term_width(o), o->full};
    char *q = join_query(argc, argv, o->quotes_only), *line;
    cJSON *req = q ? search_request(o, q, &st) : NULL, *resp;
    int rc = TROUBLE, hits;

    line = req ? exchange(o, req) : NULL;
    if (line != NULL && o->json) {
        resp = cJSON_Parse(line);
        hits = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(resp, "hits"));
        rc = json_out(line, hits > 0);
        cJSON_Delete(resp);
    } else if (line != NULL && (resp = parse_response(line)) != NULL) {
        rc = render_search(stdout, resp, &st) > 0 ? FOUND : NOT_FOUND;
        cJSON_Delete(resp);
    }
    free(line);
    free(q);
    cJSON_Delete(req);
    return rc;
}

static int do_get(const struct opts *o, const char *id)
{
    struct style st = {is_tty_color(o), term_width(o), true};
    cJSON *req = cJSON_CreateObject(), *resp;
    char *doc = strdup(id), *hash = strrchr(doc, '#'), *line;
    long n = -1;
    int rc = TROUBLE;

    if (hash != NULL && whole(hash + 1, 0, 10000000, &n))
        *hash = '\0'; /* "doc#3": passage 3 */
    cJSON_AddNumberToObject(req, "id", 1);
    cJSON_AddStringToObject(req, "op", "get");
    cJSON_AddStringToObject(req, "doc", doc);
    if (n >= 0)
        cJSON_AddNumberToObject(req, "passage", (double)n);
    line = exchange(o, req);
    if (line != NULL && strstr(line, "\"code\":\"" ATTACHE_ERR_NOT_FOUND "\"") != NULL) {
        if (o->json)
            puts(line);
        else
            fprintf(stderr, "attache: no document %s\n", id);
        rc = NOT_FOUND;
    } else if (line != NULL && o->json) {
        rc = json_out(line, true);
    } else if (line != NULL && (resp = parse_response(line)) != NULL) {
        render_get(stdout, resp, &st);
        cJSON_Delete(resp);
        rc = FOUND;
    }
    free(line);
    free(doc);
    cJSON_Delete(req);
    return rc;
}

static int do_simple(const struct opts *o, const char *op)
{
    cJSON *req = cJSON_CreateObject(), *resp;
    char *line;
    int rc = TROUBLE;

    cJSON_AddNumberToObject(req, "id", 1);
    cJSON_AddStringToObject(req, "op", op);
    line = exchange(o, req);
    if (line != NULL && o->json) {
        rc = json_out(line, true);
    } else if (line != NULL && (resp = parse_response(line)) != NULL) {
        const cJSON *rev = cJSON_GetObjectItemCaseSensitive(resp, "revision");
        const cJSON *took = cJSON_GetObjectItemCaseSensitive(resp, "took_us");

        if (strcmp(op, "ping") == 0)
            printf("pong (revision %.0f, %.1f ms)\n", cJSON_IsNumber(rev) ? rev->valuedouble : 0,
                   cJSON_IsNumber(took) ? took->valuedouble / 1000.0 : 0);
        else
            render_stats(stdout, resp);
        cJSON_Delete(resp);
        rc = FOUND;
    }
    free(line);
    cJSON_Delete(req);
    return rc;
}

/* True when a response line says "ok": true. */
static bool ok_line(const char *line)
{
    cJSON *r = cJSON_Parse(line);
    bool ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok"));

    cJSON_Delete(r);
    return ok;
}

/* Print every complete response line waiting in n; counts them. */
static int print_ready(struct net *n, long *pending, bool *all_ok)
{
    char *nl;

    while (*pending > 0 && n->len > 0 && (nl = memchr(n->buf, '\n', n->len)) != NULL) {
        size_t k = (size_t)(nl - n->buf);

        *nl = '\0';
        *all_ok = ok_line(n->buf) && *all_ok;
        puts(n->buf);
        memmove(n->buf, nl + 1, n->len - k - 1);
        n->len -= k + 1;
        (*pending)--;
    }
    fflush(stdout);
    return 0;
}

/* Take in what the daemon sent; false at EOF or error. */
static bool take_in(struct net *n)
{
    if (n->len == n->cap) {
        size_t cap = n->cap ? n->cap * 2 : 65536;
        char *b = realloc(n->buf, cap);

        if (b == NULL)
            return false;
        n->buf = b;
        n->cap = cap;
    }
    ssize_t k = recv(n->fd, n->buf + n->len, n->cap - n->len, 0);

    if (k > 0)
        n->len += (size_t)k;
    return k > 0 || (k < 0 && (errno == EAGAIN || errno == EINTR));
}

struct outq {
    char *buf;
    size_t len, cap;
    size_t line_start; /* where the stdin line being copied began */
    bool blank;        /* that line holds only white space so far */
};

/* Append stdin bytes to the queue; complete non-blank lines count as
 * requests (the daemon answers no blank line, so they are dropped). */
static bool queue_input(struct outq *q, const char *b, size_t n, long *pending)
{
    for (size_t i = 0; i < n; i++) {
        if (q->len == q->cap) {
            size_t cap = q->cap ? q->cap * 2 : 65536;
            char *nb = realloc(q->buf, cap);

            if (nb == NULL)
                return false;
            q->buf = nb;
            q->cap = cap;
        }
        q->buf[q->len++] = b[i];
        if (b[i] != '\n') {
            q->blank = q->blank && strchr(" \t\r", b[i]) != NULL;
            continue;
        }
        if (q->blank)
            q->len = q->line_start;
        else
            (*pending)++;
        q->line_start = q->len;
        q->blank = true;
    }
    return true;
}

/* Send what is queued, as far as the socket takes it now. */
static bool flush_some(struct net *n, struct outq *q)
{
    size_t ready = q->line_start; /* whole lines only */
    ssize_t k = ready ? send(n->fd, q->buf, ready, MSG_NOSIGNAL | MSG_DONTWAIT) : 0;

    if (k < 0)
        return errno == EAGAIN || errno == EINTR;
    memmove(q->buf, q->buf + k, q->len - (size_t)k);
    q->len -= (size_t)k;
    q->line_start -= (size_t)k;
    return true;
}

/* The integrator's console: stdin's lines are sent as they come (requests
 * are pipelined) while responses are read and printed as they arrive, in
 * order; reading and writing go on together, so no amount of requests can
 * deadlock against the daemon's output limit. Exit 0 when every response
 * was ok. */
static int do_raw(const struct opts *o)
{
    struct net n;
    struct outq q = {.blank = true};
    long pending = 0;
    bool all_ok = true, in_open = true, failed = false;
    char chunk[65536];

    if (!dial(o, &n))
        return TROUBLE;
    while (!failed && (in_open || q.line_start > 0 || pending > 0)) {
        struct pollfd p[2] = {
            {.fd = n.fd, .events = POLLIN | (q.line_start ? POLLOUT : 0)},
            {.fd = STDIN_FILENO, .events = in_open && q.len < (1u << 20) ? POLLIN : 0}};
        int rc = poll(p, 2, in_open ? -1 : (int)(o->timeout * 1000));

        if (rc == 0) {
            fprintf(stderr, "attache: %s: no response within the time-out\n", n.addr);
            failed = true;
        } else if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) && !take_in(&n)) {
            fprintf(stderr, "attache: %s: the connection closed\n", n.addr);
            failed = true;
        } else if ((p[0].revents & POLLOUT) && !flush_some(&n, &q)) {
            fprintf(stderr, "attache: %s: %s\n", n.addr, strerror(errno));
            failed = true;
        }
        print_ready(&n, &pending, &all_ok);
        if (!failed && (p[1].revents & (POLLIN | POLLHUP))) {
            ssize_t k = read(STDIN_FILENO, chunk, sizeof chunk);

            if (k <= 0) {
                in_open = false;
                if (q.len > q.line_start) /* a last line without '\n' */
                    queue_input(&q, "\n", 1, &pending);
            } else if (!queue_input(&q, chunk, (size_t)k, &pending)) {
                failed = true;
            }
        }
    }
    free(q.buf);
    net_close(&n);
    return all_ok && !failed && pending == 0 ? FOUND : TROUBLE;
}

int main(int argc, char **argv)
{
    struct opts o = {0};
    int rc = parse_opts(argc, argv, &o);
    const char *cmd;

    if (rc != 0)
        return rc < 0 ? 0 : rc;
    argc -= optind;
    argv += optind;
    if (argc == 0) {
        fprintf(stderr, "attache: nothing to search for (see attache --help)\n");
        return TROUBLE;
    }
    cmd = argv[0];
    if (strcmp(cmd, "get") == 0 && argc == 2)
        return do_get(&o, argv[1]);
    if (strcmp(cmd, "get") == 0) {
        fprintf(stderr, "attache: usage: attache get ID[#PASSAGE]\n");
        return TROUBLE;
    }
    if ((strcmp(cmd, "stats") == 0 || strcmp(cmd, "ping") == 0) && argc == 1)
        return do_simple(&o, cmd);
    if (strcmp(cmd, "raw") == 0 && argc == 1)
        return do_raw(&o);
    return do_search(&o, argc, argv);
}
