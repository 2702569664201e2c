/* attache: the command-line client of attached. For a person: ranked
 * passages with the matched words highlighted, wrapped to the terminal.
 * For a script: --json, raw, and grep's exit statuses (0 found, 1 not
 * found, 2 trouble). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "attache/attache.h"
#include "attache/protocol.h"
#include "buf.h"
#include "jsonw.h"
#include "net.h"
#include "numparse.h"
#include "opts.h"
#include "protocol.h"
#include "render.h"
#include "token.h"

/* quote:word, quote:"a phrase": the plain words and phrases of arg are
 * looked for inside quotations; operators and other fields stay. */
static bool add_quoted_words(struct att_buf *b, char *arg)
{
    bool in_phrase = false, ok = true;
    char *save = NULL;

    for (char *w = strtok_r(arg, " ", &save); ok && w != NULL; w = strtok_r(NULL, " ", &save)) {
        bool op = !strcmp(w, "AND") || !strcmp(w, "OR") || !strcmp(w, "NOT") ||
                  !strcmp(w, "NEAR") || strchr(w, ':') != NULL;
        size_t k = strlen(w);

        if (b->len > 0 && b->p[b->len - 1] != ' ')
            ok = att_buf_addc(b, ' ') == ATT_OK;
        if (ok && !in_phrase && !op)
            ok = att_buf_add(b, "quote:", 6) == ATT_OK;
        if (ok)
            ok = att_buf_add(b, w, k) == ATT_OK;
        if (w[0] == '"' && !in_phrase)
            in_phrase = k == 1 || w[k - 1] != '"';
        else if (in_phrase && w[k - 1] == '"')
            in_phrase = false;
    }
    return ok;
}

/* The query: the words joined; with --quotes-only each plain word (not an
 * operator, a field or inside a phrase) is searched inside quotations.
 * malloc'd; NULL after saying why. */
static char *join_query(int argc, char **argv, bool quotes_only)
{
    struct att_buf b;
    bool ok = true;

    att_buf_init(&b, ATTACHE_MAX_LINE_HARD);
    for (int i = 0; ok && i < argc; i++) {
        if (i > 0)
            ok = att_buf_addc(&b, ' ') == ATT_OK;
        if (ok && quotes_only)
            ok = add_quoted_words(&b, argv[i]);
        else if (ok)
            ok = att_buf_add(&b, argv[i], strlen(argv[i])) == ATT_OK;
    }
    if (!ok) {
        att_buf_free(&b);
        fprintf(stderr, "attache: the query is too long\n");
        return NULL;
    }
    return att_buf_take(&b, NULL);
}

static void search_request(const struct opts *o, const char *q, const struct style *st,
                           struct att_request *r)
{
    att_request_init(r, ATT_OP_SEARCH);
    r->s.q = q;
    r->s.qlen = strlen(q);
    r->s.limit = (unsigned)o->limit;
    r->s.offset = (unsigned)o->offset;
    r->s.per_doc = (unsigned)o->per_doc;
    r->s.exact_total = o->exact_total;
    r->s.no_expand = o->no_expand;
    r->s.explain = o->explain;
    r->s.collapse = !o->no_collapse;
    r->s.sort = (enum att_sort)o->sort;
    r->s.match = (enum att_match)o->match;
    r->s.source = o->source;
    r->s.from = o->from;
    r->s.to = o->to;
    r->s.speaker = o->speaker;
    r->s.author = o->author;
    r->s.actor = o->actor;
    r->s.language = o->language;
    r->s.lang = o->lang;
    r->s.doc = o->doc;
    if (!o->json) { /* our own markers, turned into colour or brackets */
        r->pre = MARK_ON;
        r->post = MARK_OFF;
        r->snippet_len = st->width > 60 ? 360 : 240;
    }
    /* For a person, only what is printed: the daemon then reads, highlights
     * and sends nothing else. --json gets the whole hit unless --fields. */
    if (!o->json && o->fields == NULL) {
        r->has_fields = true;
        r->fields = render_search_fields(st, o->explain);
    }
}

/* line (a request object and its '\n', as att_request_build writes it)
 * with "fields" added: the names between the commas of list, as written,
 * for the daemon to judge; an empty list names none. False when out of
 * memory. */
static bool add_fields(char **line, size_t *len, const char *list)
{
    const char *end = list + strlen(list);
    struct att_err err = {0};
    struct att_buf b;
    struct att_jw w;
    size_t n;
    int rc;

    att_buf_init(&b, SIZE_MAX / 2);
    rc = att_buf_add(&b, *line, *len - 2); /* without "}\n" */
    if (rc == ATT_OK)
        rc = att_buf_add(&b, ",\"fields\":", 10);
    att_jw_init_buf(&w, &b);
    att_jw_arr(&w, NULL);
    for (const char *p = list; *list != '\0' && p <= end; p += n + 1) {
        n = strcspn(p, ",");
        att_jw_strn(&w, NULL, p, n);
    }
    att_jw_end_arr(&w);
    if (rc == ATT_OK)
        rc = att_jw_flush(&w, &err);
    if (rc == ATT_OK)
        rc = att_buf_add(&b, "}\n", 2);
    if (rc != ATT_OK) {
        att_buf_free(&b);
        return false;
    }
    free(*line);
    *line = att_buf_take(&b, len);
    return true;
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

/* Over TCP with a token file: send "auth" and read its answer before any
 * other request. False after printing why. */
static bool authenticate(const struct opts *o, struct net *n)
{
    struct att_err err = {0};
    struct att_request req;
    struct att_response r = {0};
    cJSON *id = cJSON_CreateString("auth");
    char *tok = NULL, *line = NULL, *resp = NULL, why[256] = "out of memory";
    size_t len = 0, llen = 0;
    bool loose, eof, ok;

    if (att_token_read(o->token_file, &tok, &len, &loose, &err) != ATT_OK) {
        fprintf(stderr, "attache: %s\n", err.msg);
        cJSON_Delete(id);
        return false;
    }
    att_request_init(&req, ATT_OP_AUTH);
    req.id = id;
    req.token = tok;
    if (id != NULL && att_request_build(&req, &line, &llen, &err) == ATT_OK &&
        net_send(n, line, llen, why, sizeof why))
        resp = net_line(n, &eof, why, sizeof why);
    att_token_free(tok, len);
    cJSON_Delete(id); /* (cJSON's copies of the token are not wiped) */
    if (line != NULL)
        explicit_bzero(line, llen);
    free(line);
    if (resp == NULL) {
        fprintf(stderr, "attache: %s: %s\n", net_addr(n), why);
        return false;
    }
    ok = att_response_parse(resp, strlen(resp), &r, &err) == ATT_OK && r.ok;
    if (!ok)
        print_error(r.code ? r.code : "error",
                    r.message && *r.message ? r.message : "authentication refused");
    att_response_free(&r);
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
                "with: attached --db INDEX%s%s)\n", net_addr(n), why, is_unix ? " --socket " : "",
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

/* A response line and what it says. */
struct reply {
    char *line;              /* as received, without '\n' */
    struct att_response r;   /* parsed */
    bool parsed;             /* line is a JSON object with "ok" */
};

static void reply_free(struct reply *rep)
{
    att_response_free(&rep->r);
    free(rep->line);
}

/* Send req (with id 1), read its response line into rep; false after
 * printing why when none came. */
static bool exchange(const struct opts *o, struct att_request *req, struct reply *rep)
{
    struct att_err err = {0};
    struct net n;
    cJSON *id = cJSON_CreateNumber(1);
    char *line = NULL, why[256];
    size_t len = 0;
    bool eof;

    memset(rep, 0, sizeof *rep);
    req->id = id;
    if (id == NULL || att_request_build(req, &line, &len, &err) != ATT_OK) {
        fprintf(stderr, "attache: %s\n", id ? err.msg : "out of memory");
        cJSON_Delete(id);
        return false;
    }
    req->id = NULL;
    cJSON_Delete(id);
    if (req->op == ATT_OP_SEARCH && o->fields != NULL && !add_fields(&line, &len, o->fields)) {
        fprintf(stderr, "attache: out of memory\n");
        free(line);
        return false;
    }
    if (!dial(o, &n)) {
        free(line);
        return false;
    }
    if (net_send(&n, line, len, why, sizeof why))
        rep->line = net_line(&n, &eof, why, sizeof why);
    if (rep->line == NULL)
        fprintf(stderr, "attache: %s: %s\n", net_addr(&n), why);
    free(line);
    net_close(&n);
    if (rep->line == NULL)
        return false;
    rep->parsed = att_response_parse(rep->line, strlen(rep->line), &rep->r, &err) == ATT_OK;
    return true;
}

/* True for a good response; otherwise print the error it holds. */
static bool reply_ok(const struct reply *rep)
{
    if (!rep->parsed)
        fprintf(stderr, "attache: the daemon sent something that is not JSON\n");
    else if (!rep->r.ok)
        print_error(rep->r.code, *rep->r.message ? rep->r.message : "(no message)");
    return rep->parsed && rep->r.ok;
}

/* --json: print the response line as it is; the exit status it means. */
static int json_out(const struct reply *rep, bool found)
{
    puts(rep->line);
    return !rep->parsed || !rep->r.ok ? TROUBLE : found ? FOUND : NOT_FOUND;
}

static int do_search(const struct opts *o, int argc, char **argv)
{
    struct style st = {is_tty_color(o), term_width(o), o->full};
    char *q = join_query(argc, argv, o->quotes_only);
    struct att_request req;
    struct reply rep = {0};
    int rc = TROUBLE;

    if (q != NULL)
        search_request(o, q, &st, &req);
    if (q != NULL && exchange(o, &req, &rep)) {
        if (o->json)
            rc = json_out(&rep, cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
                                    rep.r.root, "hits")) > 0);
        else if (reply_ok(&rep))
            rc = render_search(stdout, rep.r.root, &st) > 0 ? FOUND : NOT_FOUND;
    }
    reply_free(&rep);
    free(q);
    return rc;
}

static int do_get(const struct opts *o, const char *id)
{
    struct style st = {is_tty_color(o), term_width(o), true};
    struct att_request req;
    struct att_err err = {0};
    struct reply rep = {0};
    char *doc = strdup(id), *hash = doc ? strrchr(doc, '#') : NULL;
    long long n;
    int rc = TROUBLE;

    att_request_init(&req, ATT_OP_GET);
    if (hash != NULL && att_parse_int(hash + 1, 0, 10000000, &n, &err) == ATT_OK) {
        *hash = '\0'; /* "doc#3": passage 3 */
        req.passage = (long)n;
    }
    req.doc = doc;
    if (doc != NULL && exchange(o, &req, &rep)) {
        if (rep.parsed && !rep.r.ok && rep.r.error == ATT_WE_NOT_FOUND) {
            if (o->json)
                puts(rep.line);
            else
                fprintf(stderr, "attache: no document %s\n", id);
            rc = NOT_FOUND;
        } else if (o->json) {
            rc = json_out(&rep, true);
        } else if (reply_ok(&rep)) {
            render_get(stdout, rep.r.root, &st);
            rc = FOUND;
        }
    }
    reply_free(&rep);
    free(doc);
    return rc;
}

static int do_simple(const struct opts *o, enum att_op op)
{
    struct att_request req;
    struct reply rep = {0};
    int rc = TROUBLE;

    att_request_init(&req, op);
    if (!exchange(o, &req, &rep)) {
        rc = TROUBLE;
    } else if (o->json) {
        rc = json_out(&rep, true);
    } else if (reply_ok(&rep)) {
        const cJSON *rev = cJSON_GetObjectItemCaseSensitive(rep.r.root, "revision");
        const cJSON *took = cJSON_GetObjectItemCaseSensitive(rep.r.root, "took_us");

        if (op == ATT_OP_PING)
            printf("pong (revision %.0f, %.1f ms)\n", cJSON_IsNumber(rev) ? rev->valuedouble : 0,
                   cJSON_IsNumber(took) ? took->valuedouble / 1000.0 : 0);
        else
            render_stats(stdout, rep.r.root);
        rc = FOUND;
    }
    reply_free(&rep);
    return rc;
}

/* True when a response line says "ok": true. */
static bool ok_line(const char *line)
{
    struct att_response r;
    struct att_err err;
    bool ok = att_response_parse(line, strlen(line), &r, &err) == ATT_OK && r.ok;

    att_response_free(&r);
    return ok;
}

/* Print every complete response line waiting in n; counts them. */
static void print_ready(struct net *n, long *pending, bool *all_ok)
{
    char *line = *pending > 0 ? net_buffered_line(n) : NULL;

    for (; line != NULL; line = *pending > 0 ? net_buffered_line(n) : NULL) {
        *all_ok = ok_line(line) && *all_ok;
        puts(line);
        free(line);
        (*pending)--;
    }
    fflush(stdout);
}

/* Lines of stdin on their way to the daemon. */
struct outq {
    struct att_buf b;
    size_t line_start; /* where the stdin line being copied began */
    bool blank;        /* that line holds only white space so far */
};

/* Drop q's bytes from `from` on (from <= q->b.len). */
static void outq_cut(struct outq *q, size_t from)
{
    q->b.len = from;
    if (q->b.p != NULL)
        q->b.p[from] = '\0';
}

/* Append stdin bytes to the queue; complete non-blank lines count as
 * requests (the daemon answers no blank line, so they are dropped). */
static bool queue_input(struct outq *q, const char *b, size_t n, long *pending)
{
    for (size_t i = 0; i < n; i++) {
        if (att_buf_addc(&q->b, b[i]) != ATT_OK)
            return false;
        if (b[i] != '\n') {
            q->blank = q->blank && b[i] != '\0' && strchr(" \t\r", b[i]) != NULL;
            continue;
        }
        if (q->blank)
            outq_cut(q, q->line_start);
        else
            (*pending)++;
        q->line_start = q->b.len;
        q->blank = true;
    }
    return true;
}

/* Send what is queued, as far as the socket takes it now. */
static bool flush_some(struct net *n, struct outq *q)
{
    long k = net_send_some(n, q->b.p, q->line_start); /* whole lines only */

    if (k <= 0)
        return k == 0;
    memmove(q->b.p, q->b.p + k, q->b.len - (size_t)k);
    q->line_start -= (size_t)k;
    outq_cut(q, q->b.len - (size_t)k);
    return true;
}

/* One turn of the raw mode's loop: wait for the socket or stdin, move
 * what is ready. False when the exchange failed (after saying why). */
static bool raw_turn(const struct opts *o, struct net *n, struct outq *q, long *pending,
                     bool *in_open, bool *all_ok)
{
    char chunk[65536];
    struct pollfd p[2] = {
        {.fd = net_fd(n), .events = POLLIN | (q->line_start ? POLLOUT : 0)},
        {.fd = STDIN_FILENO,
         .events = *in_open && (q->b.len < (1u << 20) || q->line_start == 0) ? POLLIN : 0}};
    int rc = poll(p, 2, *in_open ? -1 : (int)(o->timeout * 1000));
    bool failed = true;

    if (rc == 0)
        fprintf(stderr, "attache: %s: no response within the time-out\n", net_addr(n));
    else if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) && !net_read_some(n))
        fprintf(stderr, "attache: %s: the connection closed\n", net_addr(n));
    else if ((p[0].revents & POLLOUT) && !flush_some(n, q))
        fprintf(stderr, "attache: %s: %s\n", net_addr(n), strerror(errno));
    else
        failed = false;
    print_ready(n, pending, all_ok);
    if (!failed && (p[1].revents & (POLLIN | POLLHUP))) {
        ssize_t k = read(STDIN_FILENO, chunk, sizeof chunk);

        if (k <= 0) {
            *in_open = false;
            if (q->b.len > q->line_start) /* a last line without '\n' */
                failed = !queue_input(q, "\n", 1, pending);
        } else {
            failed = !queue_input(q, chunk, (size_t)k, pending);
        }
        if (failed)
            fprintf(stderr, "attache: a request line longer than %d bytes\n",
                    ATTACHE_MAX_LINE_HARD);
    }
    return !failed;
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

    if (!dial(o, &n))
        return TROUBLE;
    att_buf_init(&q.b, (size_t)ATTACHE_MAX_LINE_HARD + (1u << 20));
    while (!failed && (in_open || q.line_start > 0 || pending > 0))
        failed = !raw_turn(o, &n, &q, &pending, &in_open, &all_ok);
    att_buf_free(&q.b);
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
        return do_simple(&o, strcmp(cmd, "ping") == 0 ? ATT_OP_PING : ATT_OP_STATS);
    if (strcmp(cmd, "raw") == 0 && argc == 1)
        return do_raw(&o);
    return do_search(&o, argc, argv);
}
