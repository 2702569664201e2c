/* bench/sphinx_peer: Sphinx searchd (2.2, SphinxQL over the MySQL
 * protocol), the peer a site would run as a search server. "xmlpipe" feeds
 * Sphinx's indexer: it reads the same files as attache-index, cuts the
 * same passages as bench/fts5_peer (libattache's splitter) and writes them
 * as an xmlpipe2 stream on stdout, document ids 1..N in order, the passage
 * in the field "content" and the file name in the attribute "file" (the
 * schema is declared in the config that bench/sphinx.sh writes). "query"
 * runs a query file against a running searchd on T connections (one
 * thread each), top 10 with SNIPPET(), every column of every row read.
 * Benchmark tool only; bench/sphinx.sh drives both halves. What it shares
 * with fts5_peer (files, passages, translation, the threaded run) is in
 * bench/peer.c; what is Sphinx's is here.
 *
 * Usage: sphinx_peer xmlpipe (FILE... | --files LISTFILE)
 *        sphinx_peer query HOST:PORT QUERYFILE [--snippet-limit N] [-n QUERIES]
 *                          [-t THREADS] [-d SECONDS]
 *
 * xmlpipe: LISTFILE holds one file name a line. Bytes that XML 1.0 does
 * not allow (control characters other than tab, newline and carriage
 * return; invalid UTF-8; U+FFFE and U+FFFF) are dropped. When
 * SPHINX_PEER_COUNT names a file, the number of passages is written there
 * once the whole stream is out (the indexer owns stdout).
 *
 * query: THREADS threads (1), each with its own connection, thread i
 * starting at query i of the file and going round it, until QUERIES
 * (2000, split across the threads) have run or SECONDS have passed; the
 * clock starts once every thread is connected, and the latencies of all
 * threads make the percentiles. Any SQL error ends the run (exit 1).
 * The snippet is SNIPPET(content, q, 'limit=N', 'query_mode=1') with
 * --snippet-limit N (the options a search page passes: N characters,
 * Sphinx's defaults otherwise), else about 40 words (the prefix
 * configuration of bench/sphinx.sh, comparable to fts5_peer's snippet).
 *
 * Queries are translated from attache's (Xapian's) syntax by the same
 * code as for fts5_peer, with Sphinx's quoting: a "quoted phrase" stays a
 * phrase, every other word becomes a quoted Sphinx phrase with Sphinx's
 * operator characters backslash-escaped (so '-', '@', '/' or '(' cannot
 * make Sphinx reject the query), a leading '+' and a "field:" prefix are
 * dropped, "-word" and -"a phrase" become "(...) -(word | ...)", a
 * trailing '*' stays a prefix wildcard (matched as one only by an index
 * with min_prefix_len, the prefix configuration of bench/sphinx.sh; the
 * query set has none), AND, OR, NOT and XOR are dropped, and terms without a
 * letter or digit are dropped. Like attache's default "match: auto", the
 * terms are joined with AND (Sphinx's implicit operator), and when that
 * gives fewer than 10 rows the query is run again with OR ('|'). The
 * expression that ran also picks the snippet's words (query_mode=1).
 * SPHINX_TRACE=1 prints each translation to stderr before the run;
 * SPHINX_ROWS=1 prints every row read (id, file, snippet) to stderr. */
#include <errno.h>
#include <mysql.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attache/text.h"
#include "peer.h"

const char peer_name[] = "sphinx_peer";

/* The default snippet: about as long as fts5_peer's snippet() of 40 tokens. */
#define SNIPPET_WORDS                                                                        \
    "'before_match=<b>', 'after_match=</b>', 'chunk_separator=…', 'limit=0', "               \
    "'limit_words=40', 'around=20', 'query_mode=1'"

/* --- xmlpipe ---------------------------------------------------------- */

/* The length of the character at s[0..n) if XML 1.0 allows it, else 0
 * (drop one byte): control characters other than tab, newline and
 * carriage return, invalid UTF-8 (overlong, surrogate, truncated), U+FFFE
 * and U+FFFF. */
static size_t xml_char(const char *s, size_t n)
{
    unsigned char c = (unsigned char)s[0];
    size_t k = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;

    if (c < 0x20)
        return c == '\t' || c == '\n' || c == '\r';
    if (k == 0 || k > n || !att_utf8_valid(s, k))
        return 0;
    if (k == 3 && c == 0xef && (unsigned char)s[1] == 0xbf && (unsigned char)s[2] >= 0xbe)
        return 0;
    return k;
}

/* Write s[0..n) as XML character data: '&', '<' and '>' escaped, the
 * bytes xml_char() refuses dropped, everything else copied in runs. */
static void xml_text(FILE *out, const char *s, size_t n)
{
    size_t i = 0, from = 0;

    while (i < n) {
        size_t k = xml_char(s + i, n - i);
        const char *esc = s[i] == '&' ? "&amp;" : s[i] == '<' ? "&lt;" : s[i] == '>' ? "&gt;"
                                                                                     : NULL;

        if (k > 0 && esc == NULL) {
            i += k;
            continue;
        }
        fwrite(s + from, 1, i - from, out);
        if (esc != NULL)
            fputs(esc, out);
        i += k > 0 ? k : 1;
        from = i;
    }
    fwrite(s + from, 1, n - from, out);
}

/* The stream being written and the last document id in it. */
struct xml_out {
    FILE *out;
    unsigned long id;
};

/* One passage as one document, the next id. */
static void xml_passage(void *arg, const char *file, const char *text, size_t len)
{
    struct xml_out *x = arg;

    fprintf(x->out, "<sphinx:document id=\"%lu\">\n<file>", ++x->id);
    xml_text(x->out, file, strlen(file));
    fputs("</file>\n<content>", x->out);
    xml_text(x->out, text, len);
    fputs("</content>\n</sphinx:document>\n", x->out);
}

static void write_count(const char *path, unsigned long n)
{
    FILE *f = fopen(path, "w");

    if (f == NULL || fprintf(f, "%lu\n", n) < 0 || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static int cmd_xmlpipe(size_t nfiles, char **files)
{
    static char obuf[1 << 20];
    const char *count = getenv("SPHINX_PEER_COUNT");
    struct xml_out x = {stdout, 0};

    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    fputs("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<sphinx:docset>\n", stdout);
    for (size_t f = 0; f < nfiles; f++)
        peer_passages(files[f], xml_passage, &x);
    fputs("</sphinx:docset>\n", stdout);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("sphinx_peer: stdout");
        return 1;
    }
    if (count != NULL && count[0] != '\0')
        write_count(count, x.id);
    return 0;
}

/* --- query ------------------------------------------------------------ */

/* Append s[0..n) with every character that Sphinx's query parser treats
 * as an operator backslash-escaped. An escaped character is an ordinary
 * character to the parser, and a separator to the tokenizer unless
 * charset_table has it, as in the indexed text. */
static void quote_sphinx(struct peer_buf *b, const char *s, size_t n)
{
    static const char special[] = "\\()|-!@~\"&/^$=<*?%";

    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\0' && strchr(special, s[i]) != NULL)
            peer_put(b, "\\", 1);
        peer_put(b, s + i, 1);
    }
}

static const struct peer_syntax sphinx_syntax = {
    .and_op = " ", /* Sphinx's implicit operator */
    .or_op = " | ",
    .not_op = ") -(",
    .prefix_end = "*\"", /* "word*" */
    .quote = quote_sphinx,
};

/* Where searchd listens, and the SNIPPET() options to ask for. */
struct target {
    const char *host;
    unsigned port;
    char snippet[160];
};

static bool show_rows; /* SPHINX_ROWS: print every row read; set before any thread */

/* One query thread's connection, and the buffer its SQL is built in. */
struct conn {
    MYSQL *db;
    int id;              /* thread number, for messages */
    const char *snippet; /* the target's SNIPPET() options */
    struct peer_buf sql;
};

static void die_sql(struct conn *c, const char *what)
{
    fprintf(stderr, "sphinx_peer: thread %d: %s: %s\n", c->id, what, mysql_error(c->db));
    exit(1);
}

static void *conn_open(const void *ctx, int thread)
{
    const struct target *t = ctx;
    struct conn *c = peer_xrealloc(NULL, sizeof *c);
    unsigned proto = MYSQL_PROTOCOL_TCP; /* "localhost" would mean the Unix socket */

    mysql_thread_init();
    *c = (struct conn){.db = mysql_init(NULL), .id = thread, .snippet = t->snippet};
    if (c->db == NULL) {
        fprintf(stderr, "sphinx_peer: mysql_init failed\n");
        exit(1);
    }
    mysql_options(c->db, MYSQL_OPT_PROTOCOL, &proto);
    if (mysql_real_connect(c->db, t->host, NULL, NULL, NULL, t->port, NULL, 0) == NULL)
        die_sql(c, "connect");
    return c;
}

/* Append s as the inside of an SQL string literal ('\'' and '\\' escaped). */
static void put_sql(struct peer_buf *b, const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '\'' || *s == '\\')
            peer_put(b, "\\", 1);
        peer_put(b, s, 1);
    }
}

/* Run the search for expr; returns the number of rows read. */
static int conn_search(void *conn, const char *expr, size_t *bytes)
{
    struct conn *c = conn;
    MYSQL_RES *res;
    MYSQL_ROW row;
    int rows = 0;

    c->sql.n = 0;
    peer_puts(&c->sql, "SELECT id, file, SNIPPET(content, '");
    put_sql(&c->sql, expr);
    peer_puts(&c->sql, "', ");
    peer_puts(&c->sql, c->snippet);
    peer_puts(&c->sql, ") AS s FROM passages WHERE MATCH('");
    put_sql(&c->sql, expr);
    peer_puts(&c->sql, "') LIMIT 10");
    if (mysql_real_query(c->db, c->sql.s, c->sql.n) != 0)
        die_sql(c, c->sql.s);
    res = mysql_store_result(c->db);
    if (res == NULL)
        die_sql(c, c->sql.s);

    unsigned nf = mysql_num_fields(res);

    while ((row = mysql_fetch_row(res)) != NULL) {
        unsigned long *len = mysql_fetch_lengths(res);

        for (unsigned k = 0; k < nf; k++)
            *bytes += len[k] + (row[k] != NULL);
        if (show_rows)
            fprintf(stderr, "  %s %s %s\n", row[0], row[1], row[2]);
        rows++;
    }
    mysql_free_result(res);
    return rows;
}

static void conn_close(void *conn)
{
    struct conn *c = conn;

    mysql_close(c->db);
    mysql_thread_end();
    free(c->sql.s);
    free(c);
}

static int cmd_query(const struct target *t, const char *qfile, const struct peer_opts *o)
{
    size_t nq;
    char **qs = peer_load_queries(qfile, &nq);
    struct peer_engine e = {.syntax = &sphinx_syntax, .ctx = t, .open = conn_open,
                            .search = conn_search, .close = conn_close};

    if (mysql_library_init(0, NULL, NULL) != 0) { /* once, before any thread */
        fprintf(stderr, "sphinx_peer: mysql_library_init failed\n");
        return 1;
    }
    if (getenv("SPHINX_TRACE") != NULL)
        peer_trace(&sphinx_syntax, qs, nq);
    show_rows = getenv("SPHINX_ROWS") != NULL;

    int rc = peer_run(&e, qs, nq, o);

    peer_free_lines(qs, nq);
    mysql_library_end();
    return rc;
}

/* --- command line ----------------------------------------------------- */

static int usage(void)
{
    fprintf(stderr, "usage: sphinx_peer xmlpipe (FILE... | --files LISTFILE)\n"
                    "       sphinx_peer query HOST:PORT QUERYFILE [--snippet-limit N] "
                    "[-n QUERIES] [-t THREADS] [-d SECONDS]\n");
    return 2;
}

/* HOST:PORT into *t (cutting s at the colon). */
static bool parse_target(char *s, struct target *t)
{
    char *colon = strrchr(s, ':');
    char *end;
    long port;

    if (colon == NULL)
        return false;
    errno = 0;
    port = strtol(colon + 1, &end, 10);
    if (errno != 0 || end == colon + 1 || *end != '\0' || port < 1 || port > 65535)
        return false;
    *colon = '\0';
    *t = (struct target){.host = s, .port = (unsigned)port};
    snprintf(t->snippet, sizeof t->snippet, "%s", SNIPPET_WORDS);
    return true;
}

/* Take "--snippet-limit N" (1..65535) out of argv[0..*argc) into t's
 * snippet options; false when it is there but N is not a number in range. */
static bool snippet_arg(int *argc, char **argv, struct target *t)
{
    for (int i = 0; i < *argc; i++) {
        if (strcmp(argv[i], "--snippet-limit") != 0)
            continue;
        char *end;
        long n;

        if (i + 1 >= *argc)
            return false;
        errno = 0;
        n = strtol(argv[i + 1], &end, 10);
        if (errno != 0 || end == argv[i + 1] || *end != '\0' || n < 1 || n > 65535)
            return false;
        snprintf(t->snippet, sizeof t->snippet, "'limit=%ld', 'query_mode=1'", n);
        memmove(argv + i, argv + i + 2, (size_t)(*argc - i - 2) * sizeof *argv);
        *argc -= 2;
        i--;
    }
    return true;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "xmlpipe") == 0) {
        char **files = NULL;
        size_t n = 0;

        if (!peer_file_args(argc - 2, argv + 2, &files, &n))
            return usage();

        int rc = cmd_xmlpipe(n, files);

        peer_free_lines(files, n);
        return rc;
    }
    if (argc >= 4 && strcmp(argv[1], "query") == 0) {
        struct target t;
        struct peer_opts o;
        int n = argc - 4;

        if (!parse_target(argv[2], &t) || !snippet_arg(&n, argv + 4, &t) ||
            !peer_parse_opts(n, argv + 4, &o))
            return usage();
        return cmd_query(&t, argv[3], &o);
    }
    return usage();
}
