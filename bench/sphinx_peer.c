/* bench/sphinx_peer: Sphinx searchd (2.2, SphinxQL over the MySQL
 * protocol), the peer a site would run as a search server. "xmlpipe" feeds
 * Sphinx's indexer: it reads the same files as attache-index, cuts the
 * same passages as bench/fts5_peer (libattache's splitter) and writes them
 * as an xmlpipe2 stream on stdout, document ids 1..N in order, the passage
 * in the field "content" and the file name in the attribute "file" (the
 * schema is declared in the config that bench/sphinx.sh writes). "query"
 * runs a query file against a running searchd on T connections (one
 * thread each), top 10 with SNIPPET(), every column of every row read.
 * Benchmark tool only; bench/sphinx.sh drives both halves.
 *
 * Usage: sphinx_peer xmlpipe (FILE... | --files LISTFILE)
 *        sphinx_peer query HOST:PORT QUERYFILE [-n QUERIES] [-t THREADS] [-d SECONDS]
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
 *
 * Queries are translated from attache's (Xapian's) syntax the way
 * fts5_peer does it for FTS5: a "quoted phrase" stays a phrase, every
 * other word becomes a quoted Sphinx phrase with Sphinx's operator
 * characters backslash-escaped (so '-', '@', '/' or '(' cannot make Sphinx
 * reject the query), a leading '+' and a "field:" prefix are dropped,
 * "-word" and -"a phrase" become "(...) -(word | ...)", a trailing '*'
 * stays a prefix wildcard (the index has dict = keywords and
 * min_prefix_len), AND, OR, NOT and XOR are dropped, and terms without a
 * letter or digit are dropped. Like attache's default "match: auto", the
 * terms are joined with AND (Sphinx's implicit operator), and when that
 * gives fewer than 10 rows the query is run again with OR ('|'). The
 * expression that ran also picks the snippet's words (query_mode=1).
 * SPHINX_TRACE=1 prints each translation to stderr before the run;
 * SPHINX_ROWS=1 prints every row read (id, file, snippet) to stderr. */
#include <ctype.h>
#include <errno.h>
#include <mysql.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attache/doc.h"
#include "attache/text.h"

#define PAGE 10

/* The snippet: about as long as fts5_peer's snippet() of 40 tokens. */
#define SNIPPET_OPTS                                                                         \
    "'before_match=<b>', 'after_match=</b>', 'chunk_separator=…', 'limit=0', "               \
    "'limit_words=40', 'around=20', 'query_mode=1'"

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (p == NULL) {
        fprintf(stderr, "sphinx_peer: out of memory\n");
        exit(1);
    }
    return p;
}

/* A growable string, always NUL-terminated once something was put. */
struct buf {
    char *s;
    size_t n, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->s = xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

/* The whole file in a malloc'd buffer; NULL (and errno) on failure. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;

    if (f == NULL)
        return NULL;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            char *b = realloc(buf, cap);

            if (b == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = b;
        }
        size_t k = fread(buf + n, 1, cap - n, f);

        n += k;
        if (k == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Append a copy of s to the string vector *v of *n. */
static void push(char ***v, size_t *n, const char *s)
{
    size_t len = strlen(s) + 1;

    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[*n] = memcpy(xrealloc(NULL, len), s, len);
    (*n)++;
}

/* The lines of path (newline and carriage return cut, empty lines and
 * lines starting with '#' skipped when skip_comments) appended to *v. */
static void read_lines(const char *path, bool skip_comments, char ***v, size_t *n)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;

    if (f == NULL) {
        perror(path);
        exit(2);
    }
    while (getline(&line, &cap, f) != -1) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0' || (skip_comments && line[0] == '#'))
            continue;
        push(v, n, line);
    }
    if (ferror(f)) {
        perror(path);
        exit(2);
    }
    free(line);
    fclose(f);
}

static void free_lines(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

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

/* Cut one file into passages and write one document per passage; returns
 * the number written. Exits on a file it cannot read. */
static unsigned long xml_file(FILE *out, const char *file, unsigned long id)
{
    size_t len = 0;
    char *raw = slurp(file, &len);
    struct att_spans ps = {NULL, 0, 0};
    struct att_doc d;
    const char *body;
    size_t n;

    if (raw == NULL) {
        perror(file);
        exit(1);
    }
    att_doc_init(&d); /* the text attache indexes: header block apart */
    if (att_read_txt(raw, len, &d, NULL) != ATT_OK) {
        fprintf(stderr, "sphinx_peer: %s: cannot read\n", file);
        exit(1);
    }
    body = d.body;
    len = d.body_len;
    if (att_passages(body, len, NULL, &ps, NULL) != ATT_OK) {
        fprintf(stderr, "sphinx_peer: %s: out of memory\n", file);
        exit(1);
    }
    for (size_t p = 0; p < ps.n; p++) {
        fprintf(out, "<sphinx:document id=\"%lu\">\n<file>", id + p + 1);
        xml_text(out, file, strlen(file));
        fputs("</file>\n<content>", out);
        xml_text(out, body + ps.v[p].start, ps.v[p].end - ps.v[p].start);
        fputs("</content>\n</sphinx:document>\n", out);
    }
    n = ps.n;
    att_spans_free(&ps);
    att_doc_clear(&d);
    free(raw);
    return (unsigned long)n;
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
    unsigned long id = 0;

    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    fputs("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<sphinx:docset>\n", stdout);
    for (size_t f = 0; f < nfiles; f++)
        id += xml_file(stdout, files[f], id);
    fputs("</sphinx:docset>\n", stdout);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("sphinx_peer: stdout");
        return 1;
    }
    if (count != NULL && count[0] != '\0')
        write_count(count, id);
    return 0;
}

/* --- query translation ------------------------------------------------ */

static bool has_word_char(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isalnum((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80)
            return true;
    return false;
}

/* Append s[0..n) with every character that Sphinx's query parser treats
 * as an operator backslash-escaped. An escaped character is an ordinary
 * character to the parser, and a separator to the tokenizer unless
 * charset_table has it, as in the indexed text. */
static void put_escaped(struct buf *b, const char *s, size_t n)
{
    static const char special[] = "\\()|-!@~\"&/^$=<*?%";

    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\0' && strchr(special, s[i]) != NULL)
            put(b, "\\", 1);
        put(b, s + i, 1);
    }
}

/* Append one term (or phrase) to both expressions as a Sphinx phrase. */
static void add_term(struct buf *all, struct buf *any, const char *s, size_t n, bool prefix,
                     int *nterms)
{
    struct buf *out[2] = {all, any};

    if (!has_word_char(s, n))
        return;
    for (int k = 0; k < 2; k++) {
        if (*nterms > 0)
            put(out[k], k == 0 ? " " : " | ", k == 0 ? 1 : 3);
        put(out[k], "\"", 1);
        put_escaped(out[k], s, n);
        put(out[k], prefix ? "*\"" : "\"", prefix ? 2 : 1);
    }
    (*nterms)++;
}

/* "(a b) -(c | d)" for both expressions. */
static void add_negation(struct buf *all, struct buf *any, const struct buf *neg_any)
{
    struct buf *out[2] = {all, any};

    for (int k = 0; k < 2; k++) {
        struct buf t = {0};

        put(&t, "(", 1);
        put(&t, out[k]->s, out[k]->n);
        put(&t, ") -(", 4);
        put(&t, neg_any->s, neg_any->n);
        put(&t, ")", 1);
        free(out[k]->s);
        *out[k] = t;
    }
}

/* Skip a leading '+'/'-' run and a "field:" prefix of the word s[0..*n);
 * returns the word's start. */
static const char *strip_word(const char *s, size_t *n)
{
    while (*n > 0 && (*s == '+' || *s == '-'))
        s++, (*n)--;
    const char *colon = memchr(s, ':', *n);

    if (colon != NULL && colon > s) { /* field:word -> word */
        bool field = true;

        for (const char *c = s; c < colon; c++)
            field = field && (islower((unsigned char)*c) || *c == '_');
        if (field) {
            *n -= (size_t)(colon + 1 - s);
            s = colon + 1;
        }
    }
    return s;
}

static bool is_operator(const char *s, size_t n)
{
    return (n == 3 && (!memcmp(s, "AND", 3) || !memcmp(s, "NOT", 3) || !memcmp(s, "XOR", 3))) ||
           (n == 2 && !memcmp(s, "OR", 2));
}

/* Terms kept so far, positive and negated ("-word"), in both forms. */
struct terms {
    struct buf *all, *any, neg, neg_any;
    int nterms, nneg;
};

static void add(struct terms *t, bool negated, const char *s, size_t n, bool prefix)
{
    if (negated)
        add_term(&t->neg, &t->neg_any, s, n, prefix, &t->nneg);
    else
        add_term(t->all, t->any, s, n, prefix, &t->nterms);
}

/* Translate one query line into an AND and an OR expression; returns the
 * number of terms and phrases kept. */
static int translate(const char *q, struct buf *all, struct buf *any)
{
    struct terms t = {.all = all, .any = any};
    bool negated = false;

    all->n = any->n = 0;
    put(all, "", 0);
    put(any, "", 0);
    while (*q != '\0') {
        if (isspace((unsigned char)*q)) {
            q++;
            continue;
        }
        if ((*q == '-' || *q == '+') && q[1] == '"') { /* -"a phrase" */
            negated = *q == '-';
            q++;
            continue;
        }
        if (*q == '"') { /* a phrase, closed or not */
            const char *e = strchr(q + 1, '"');
            size_t n = e ? (size_t)(e - q - 1) : strlen(q + 1);

            add(&t, negated, q + 1, n, false);
            negated = false;
            q += 1 + n + (e != NULL);
            continue;
        }
        const char *e = q;

        while (*e != '\0' && !isspace((unsigned char)*e) && *e != '"')
            e++;
        size_t n = (size_t)(e - q);
        const char *s;

        negated = n > 1 && *q == '-';
        s = strip_word(q, &n);
        q = e;
        if (is_operator(s, n))
            continue;
        bool prefix = n > 1 && s[n - 1] == '*';

        add(&t, negated, s, n - prefix, prefix);
    }
    if (t.nterms > 0 && t.nneg > 0)
        add_negation(all, any, &t.neg_any);
    free(t.neg.s);
    free(t.neg_any.s);
    return t.nterms;
}

/* --- query run -------------------------------------------------------- */

/* The run, set up by main before any thread starts, then read-only. */
static struct {
    char **qs;       /* the query file */
    size_t nq;       /* number of queries in qs */
    long total;      /* -n: queries over all threads (2000) */
    int threads;     /* -t: threads, each with its own connection (1) */
    double limit;    /* -d: seconds the run may last; 0 for no limit */
    const char *host;
    unsigned port;
    bool rows;       /* SPHINX_ROWS: print every row read */
    pthread_barrier_t go; /* opens when every thread is connected */
} run_cfg;

/* One query thread: its connection, its share of the run (quota queries
 * from qs[first] on, round the file), its latencies and counters. */
struct worker {
    pthread_t tid;
    int id;
    MYSQL *db;
    size_t first;
    long quota;
    double *lat; /* microseconds, one per query run */
    long nlat, cap;
    long fallbacks, empty;
    size_t bytes;
    struct buf all, any, sql;
};

/* Append s as the inside of an SQL string literal ('\'' and '\\' escaped). */
static void put_sql(struct buf *b, const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '\'' || *s == '\\')
            put(b, "\\", 1);
        put(b, s, 1);
    }
}

static void die_sql(struct worker *w, const char *what)
{
    fprintf(stderr, "sphinx_peer: thread %d: %s: %s\n", w->id, what, mysql_error(w->db));
    exit(1);
}

/* Run the search for expr; returns the number of rows read. */
static int run(struct worker *w, const char *expr)
{
    MYSQL_RES *res;
    MYSQL_ROW row;
    int rows = 0;

    w->sql.n = 0;
    puts_(&w->sql, "SELECT id, file, SNIPPET(content, '");
    put_sql(&w->sql, expr);
    puts_(&w->sql, "', " SNIPPET_OPTS ") AS s FROM passages WHERE MATCH('");
    put_sql(&w->sql, expr);
    puts_(&w->sql, "') LIMIT 10");
    if (mysql_real_query(w->db, w->sql.s, w->sql.n) != 0)
        die_sql(w, w->sql.s);
    res = mysql_store_result(w->db);
    if (res == NULL)
        die_sql(w, w->sql.s);

    unsigned nf = mysql_num_fields(res);

    while ((row = mysql_fetch_row(res)) != NULL) {
        unsigned long *len = mysql_fetch_lengths(res);

        for (unsigned c = 0; c < nf; c++)
            w->bytes += len[c] + (row[c] != NULL);
        if (run_cfg.rows)
            fprintf(stderr, "  %s %s %s\n", row[0], row[1], row[2]);
        rows++;
    }
    mysql_free_result(res);
    return rows;
}

/* One query line: translate, search, fall back to OR, time it all.
 * Returns when it ended. */
static double one_query(struct worker *w, const char *q)
{
    double q0 = now(), q1;
    int nterms = translate(q, &w->all, &w->any);
    int rows = 0;

    if (nterms > 0) {
        rows = run(w, w->all.s);
        if (rows < PAGE && nterms > 1) {
            w->fallbacks++;
            rows = run(w, w->any.s);
        }
    }
    w->empty += rows == 0;
    q1 = now();
    if (w->nlat == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 1024;
        w->lat = xrealloc(w->lat, (size_t)w->cap * sizeof *w->lat);
    }
    w->lat[w->nlat++] = (q1 - q0) * 1e6;
    return q1;
}

static void connect_db(struct worker *w)
{
    unsigned proto = MYSQL_PROTOCOL_TCP; /* "localhost" would mean the Unix socket */

    w->db = mysql_init(NULL);
    if (w->db == NULL) {
        fprintf(stderr, "sphinx_peer: mysql_init failed\n");
        exit(1);
    }
    mysql_options(w->db, MYSQL_OPT_PROTOCOL, &proto);
    if (mysql_real_connect(w->db, run_cfg.host, NULL, NULL, NULL, run_cfg.port, NULL, 0) ==
        NULL)
        die_sql(w, "connect");
}

/* Thread body: connect, wait for the others, run the share. A failure
 * exits the process, as everywhere in this tool. */
static void *worker_main(void *arg)
{
    struct worker *w = arg;

    mysql_thread_init();
    connect_db(w);
    pthread_barrier_wait(&run_cfg.go);

    double deadline = run_cfg.limit > 0 ? now() + run_cfg.limit : 0;

    while (w->nlat < w->quota) {
        double end = one_query(w, run_cfg.qs[(w->first + (size_t)w->nlat) % run_cfg.nq]);

        if (deadline > 0 && end >= deadline)
            break;
    }
    mysql_close(w->db);
    mysql_thread_end();
    return NULL;
}

/* SPHINX_TRACE: print each query's translation once, before the run. */
static void trace(void)
{
    struct buf all = {0}, any = {0};

    for (size_t i = 0; i < run_cfg.nq; i++) {
        translate(run_cfg.qs[i], &all, &any);
        fprintf(stderr, "%s  =>  %s  |  %s\n", run_cfg.qs[i], all.s, any.s);
    }
    free(all.s);
    free(any.s);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* Gather the threads' latencies and counters; print the JSON line. */
static void report(struct worker *ws, double secs)
{
    long n = 0, fallbacks = 0, empty = 0;
    size_t bytes = 0;
    double *lat;

    for (int t = 0; t < run_cfg.threads; t++)
        n += ws[t].nlat;
    lat = xrealloc(NULL, ((size_t)n + 1) * sizeof *lat);
    n = 0;
    for (int t = 0; t < run_cfg.threads; t++) {
        memcpy(lat + n, ws[t].lat, (size_t)ws[t].nlat * sizeof *lat);
        n += ws[t].nlat;
        fallbacks += ws[t].fallbacks;
        empty += ws[t].empty;
        bytes += ws[t].bytes;
    }
    if (n == 0) {
        fprintf(stderr, "sphinx_peer: no query ran\n");
        exit(1);
    }
    qsort(lat, (size_t)n, sizeof *lat, cmp_double);
#define PCT(q) lat[(size_t)((q) * (double)(n - 1) + 0.5)]
    printf("{\"threads\":%d,\"queries\":%ld,\"seconds\":%.3f,\"qps\":%.1f,\"p50_us\":%.0f,"
           "\"p90_us\":%.0f,\"p99_us\":%.0f,\"max_us\":%.0f,\"or_fallbacks\":%ld,"
           "\"no_hits\":%ld,\"bytes\":%zu}\n",
           run_cfg.threads, n, secs, (double)n / secs, PCT(.5), PCT(.9), PCT(.99), lat[n - 1],
           fallbacks, empty, bytes);
#undef PCT
    free(lat);
}

/* The clock runs from the moment every thread is connected to the end of
 * the last one. */
static int cmd_query(void)
{
    int nt = run_cfg.threads;
    struct worker *ws = xrealloc(NULL, (size_t)nt * sizeof *ws);
    double t0;

    if (mysql_library_init(0, NULL, NULL) != 0) { /* once, before any thread */
        fprintf(stderr, "sphinx_peer: mysql_library_init failed\n");
        return 1;
    }
    if (getenv("SPHINX_TRACE") != NULL)
        trace();
    memset(ws, 0, (size_t)nt * sizeof *ws);
    pthread_barrier_init(&run_cfg.go, NULL, (unsigned)nt + 1);
    for (int t = 0; t < nt; t++) {
        ws[t].id = t;
        ws[t].first = (size_t)t;
        ws[t].quota = run_cfg.total / nt + (t < run_cfg.total % nt);
        if (pthread_create(&ws[t].tid, NULL, worker_main, &ws[t]) != 0) {
            fprintf(stderr, "sphinx_peer: cannot start thread %d\n", t);
            return 1;
        }
    }
    pthread_barrier_wait(&run_cfg.go);
    t0 = now();
    for (int t = 0; t < nt; t++)
        pthread_join(ws[t].tid, NULL);
    report(ws, now() - t0);
    pthread_barrier_destroy(&run_cfg.go);
    for (int t = 0; t < nt; t++) {
        free(ws[t].lat);
        free(ws[t].all.s);
        free(ws[t].any.s);
        free(ws[t].sql.s);
    }
    free(ws);
    mysql_library_end();
    return 0;
}

/* --- command line ----------------------------------------------------- */

static bool parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* A line of the query file that starts with '{' is a JSON request: keep
 * its "q" (as query_floor and fts5_peer do), or drop it when it has none. */
static void json_queries(char **qs, size_t *nq)
{
    size_t kept = 0;

    for (size_t i = 0; i < *nq; i++) {
        char *q = qs[i];
        char *k = q[0] == '{' ? strstr(q, "\"q\":\"") : NULL;

        if (q[0] == '{' && k == NULL) {
            free(q);
            continue;
        }
        if (k != NULL) {
            memmove(q, k + 5, strlen(k + 5) + 1);
            q[strcspn(q, "\"")] = '\0';
        }
        qs[kept++] = q;
    }
    *nq = kept;
}

/* query HOST:PORT QUERYFILE [-n QUERIES] [-t THREADS] [-d SECONDS] */
static bool parse_query(int argc, char **argv)
{
    char *colon = strrchr(argv[2], ':');
    long port, v;

    if (colon == NULL || !parse_long(colon + 1, 1, 65535, &port))
        return false;
    *colon = '\0';
    run_cfg.host = argv[2];
    run_cfg.port = (unsigned)port;
    run_cfg.total = 2000;
    run_cfg.threads = 1;
    for (int i = 4; i < argc; i += 2) {
        char *end = NULL;

        if (i + 1 >= argc)
            return false;
        if (strcmp(argv[i], "-n") == 0 && parse_long(argv[i + 1], 1, 1000000000, &v))
            run_cfg.total = v;
        else if (strcmp(argv[i], "-t") == 0 && parse_long(argv[i + 1], 1, 1024, &v))
            run_cfg.threads = (int)v;
        else if (strcmp(argv[i], "-d") == 0)
            run_cfg.limit = strtod(argv[i + 1], &end);
        else
            return false;
        if (end != NULL && (end == argv[i + 1] || *end != '\0' || !(run_cfg.limit > 0)))
            return false;
    }
    read_lines(argv[3], true, &run_cfg.qs, &run_cfg.nq);
    json_queries(run_cfg.qs, &run_cfg.nq);
    run_cfg.rows = getenv("SPHINX_ROWS") != NULL;
    return true;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "xmlpipe") == 0) {
        char **files = NULL;
        size_t n = 0;
        int rc;

        for (int i = 2; i < argc; i++) {
            if (strcmp(argv[i], "--files") == 0 && i + 1 < argc)
                read_lines(argv[++i], false, &files, &n);
            else
                push(&files, &n, argv[i]);
        }
        rc = cmd_xmlpipe(n, files);
        free_lines(files, n);
        return rc;
    }
    if (argc >= 4 && strcmp(argv[1], "query") == 0) {
        if (!parse_query(argc, argv))
            goto usage;
        if (run_cfg.nq == 0) {
            fprintf(stderr, "sphinx_peer: no queries in %s\n", argv[3]);
            return 2;
        }
        int rc = cmd_query();

        free_lines(run_cfg.qs, run_cfg.nq);
        return rc;
    }
usage:
    fprintf(stderr, "usage: sphinx_peer xmlpipe (FILE... | --files LISTFILE)\n"
                    "       sphinx_peer query HOST:PORT QUERYFILE [-n QUERIES] [-t THREADS] "
                    "[-d SECONDS]\n");
    return 2;
}
