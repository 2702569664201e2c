/* bench/fts5_peer: SQLite FTS5 in-process, the peer a small tool would
 * embed. "index" reads the same files as attache-index and cuts the same
 * passages (with libattache's splitter), one row per passage (the file
 * name, unindexed, and the passage text) in one transaction; "query" runs
 * the queries of a query file in turn, top 10 by bm25() with snippet(),
 * every column of every row read. Benchmark tool only.
 *
 * Usage: fts5_peer index DBFILE (FILE... | --files LISTFILE)
 *        fts5_peer query DBFILE QUERYFILE [-n QUERIES] [-t THREADS] [-d SECONDS]
 *
 * --files reads the file names one per line (a big corpus has too many
 * for argv). "query" runs on THREADS threads (1), each with its own
 * read-only connection and prepared statement, thread i starting at query
 * i of the file and going round it, until QUERIES (2000, split across the
 * threads) have run or SECONDS have passed; the latencies of all threads
 * make the percentiles.
 *
 * Queries are translated from attache's (Xapian's) syntax: a "quoted
 * phrase" stays a phrase, every other word becomes a quoted FTS5 string
 * (so '-', '*', ':' or '(' cannot make FTS5 reject the query), a leading
 * '+' and a "field:" prefix are dropped, "-word" and -"a phrase" become
 * "(...) NOT (word)", a trailing '*' becomes an FTS5 prefix query, AND, OR,
 * NOT and XOR are dropped, and terms without a letter or digit are dropped
 * (FTS5 would match nothing for them). Like attache's
 * default "match: auto", the terms are joined with AND, and when that
 * gives fewer than 10 rows the query is run again with OR. FTS5_TRACE=1 in
 * the environment prints each translation once; FTS5_OPTIMIZE=1 merges the
 * index into one b-tree after the commit ('optimize'). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attache/doc.h"
#include "attache/text.h"

#define PAGE 10

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die_db(sqlite3 *db, const char *what)
{
    fprintf(stderr, "fts5_peer: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "fts5_peer: %s: %s\n", sql, msg ? msg : "?");
        exit(1);
    }
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

static int cmd_index(const char *dbfile, int nfiles, char **files)
{
    static const char *const suffix[] = {"", "-journal", "-wal", "-shm"};
    char path[4096];
    sqlite3 *db;
    sqlite3_stmt *ins;
    unsigned long passages = 0;
    double t0 = now();

    for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
        snprintf(path, sizeof path, "%s%s", dbfile, suffix[i]);
        if (unlink(path) != 0 && errno != ENOENT) {
            perror(path);
            return 1;
        }
    }
    if (sqlite3_open(dbfile, &db) != SQLITE_OK)
        die_db(db, dbfile);
    exec(db, "CREATE VIRTUAL TABLE p USING fts5(doc UNINDEXED, body, "
             "tokenize='porter unicode61')");
    exec(db, "BEGIN");
    if (sqlite3_prepare_v2(db, "INSERT INTO p(doc, body) VALUES(?, ?)", -1, &ins, NULL) !=
        SQLITE_OK)
        die_db(db, "prepare insert");
    for (int f = 0; f < nfiles; f++) {
        size_t len = 0;
        char *raw = slurp(files[f], &len);
        struct att_spans ps = {NULL, 0, 0};
        struct att_doc d;
        const char *body;

        if (raw == NULL) {
            perror(files[f]);
            return 1;
        }
        att_doc_init(&d); /* the text attache indexes: header block apart */
        if (att_read_txt(raw, len, &d, NULL) != ATT_OK) {
            fprintf(stderr, "fts5_peer: %s: cannot read\n", files[f]);
            return 1;
        }
        body = d.body;
        len = d.body_len;
        if (att_passages(body, len, NULL, &ps, NULL) != ATT_OK) {
            fprintf(stderr, "fts5_peer: %s: out of memory\n", files[f]);
            return 1;
        }
        for (size_t p = 0; p < ps.n; p++) {
            sqlite3_bind_text(ins, 1, files[f], -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 2, body + ps.v[p].start, (int)(ps.v[p].end - ps.v[p].start),
                              SQLITE_STATIC);
            if (sqlite3_step(ins) != SQLITE_DONE)
                die_db(db, files[f]);
            sqlite3_reset(ins);
            passages++;
        }
        att_spans_free(&ps);
        att_doc_clear(&d);
        free(raw);
    }
    sqlite3_finalize(ins);
    exec(db, "COMMIT");
    if (getenv("FTS5_OPTIMIZE") != NULL) /* merge the b-trees into one */
        exec(db, "INSERT INTO p(p) VALUES('optimize')");
    if (sqlite3_close(db) != SQLITE_OK)
        die_db(db, "close");
    printf("{\"passages\":%lu,\"seconds\":%.3f}\n", passages, now() - t0);
    return 0;
}

/* A growable string. */
struct buf {
    char *s;
    size_t n, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        if (b->s == NULL) {
            fprintf(stderr, "fts5_peer: out of memory\n");
            exit(1);
        }
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static bool has_word_char(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isalnum((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80)
            return true;
    return false;
}

/* Append one term (or phrase) to both expressions, quoted for FTS5. */
static void add_term(struct buf *all, struct buf *any, const char *s, size_t n, bool prefix,
                     int *nterms)
{
    struct buf *out[2] = {all, any};

    if (!has_word_char(s, n))
        return;
    for (int k = 0; k < 2; k++) {
        if (*nterms > 0)
            put(out[k], k == 0 ? " AND " : " OR ", k == 0 ? 5 : 4);
        put(out[k], "\"", 1);
        for (size_t i = 0; i < n; i++)
            put(out[k], s[i] == '"' ? "\"\"" : s + i, 1 + (s[i] == '"'));
        put(out[k], prefix ? "\" *" : "\"", prefix ? 3 : 1);
    }
    (*nterms)++;
}

/* Translate one query line into an AND and an OR expression; returns the
 * number of terms and phrases kept. */
static int translate(const char *q, struct buf *all, struct buf *any)
{
    struct buf neg = {0}, neg_any = {0}; /* -word: excluded, as in Xapian */
    int nterms = 0, nneg = 0;
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

            if (negated)
                add_term(&neg, &neg_any, q + 1, n, false, &nneg);
            else
                add_term(all, any, q + 1, n, false, &nterms);
            negated = false;
            q += 1 + n + (e != NULL);
            continue;
        }
        const char *e = q;

        while (*e != '\0' && !isspace((unsigned char)*e) && *e != '"')
            e++;
        const char *s = q;
        size_t n = (size_t)(e - q);

        q = e;
        negated = n > 1 && *s == '-';

        while (n > 0 && (*s == '+' || *s == '-'))
            s++, n--;
        const char *colon = memchr(s, ':', n);

        if (colon != NULL && colon > s) { /* field:word -> word */
            bool field = true;

            for (const char *c = s; c < colon; c++)
                field = field && (islower((unsigned char)*c) || *c == '_');
            if (field) {
                n -= (size_t)(colon + 1 - s);
                s = colon + 1;
            }
        }
        if ((n == 3 && (!memcmp(s, "AND", 3) || !memcmp(s, "NOT", 3) || !memcmp(s, "XOR", 3))) ||
            (n == 2 && !memcmp(s, "OR", 2)))
            continue;
        bool prefix = n > 1 && s[n - 1] == '*';

        if (negated)
            add_term(&neg, &neg_any, s, n - prefix, prefix, &nneg);
        else
            add_term(all, any, s, n - prefix, prefix, &nterms);
    }
    if (nterms > 0 && nneg > 0) { /* (a AND b) NOT (c OR d) */
        struct buf *out[2] = {all, any};

        for (int k = 0; k < 2; k++) {
            struct buf t = {0};

            put(&t, "(", 1);
            put(&t, out[k]->s, out[k]->n);
            put(&t, ") NOT (", 7);
            put(&t, neg_any.s, neg_any.n);
            put(&t, ")", 1);
            free(out[k]->s);
            *out[k] = t;
        }
    }
    free(neg.s);
    free(neg_any.s);
    return nterms;
}

static char **load_queries(const char *path, size_t *count)
{
    FILE *f = fopen(path, "r");
    char line[65536];
    char **v = NULL;
    size_t n = 0;

    if (f == NULL) {
        perror(path);
        exit(2);
    }
    while (fgets(line, sizeof line, f) != NULL) {
        char *q = line;

        q[strcspn(q, "\r\n")] = '\0';
        if (q[0] == '\0' || q[0] == '#')
            continue;
        if (q[0] == '{') { /* a JSON request: take its "q" */
            char *k = strstr(q, "\"q\":\"");

            if (k == NULL)
                continue;
            q = k + 5;
            char *e = strchr(q, '"');

            if (e != NULL)
                *e = '\0';
        }
        v = realloc(v, (n + 1) * sizeof *v);
        v[n++] = strdup(q);
    }
    fclose(f);
    *count = n;
    return v;
}

/* Run the statement with expr bound; returns the number of rows read. */
static int run(sqlite3 *db, sqlite3_stmt *st, const char *expr, size_t *bytes)
{
    int rows = 0, rc;

    sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < 3; c++)
            *bytes += (size_t)sqlite3_column_bytes(st, c) + (sqlite3_column_text(st, c) != NULL);
        rows++;
    }
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "fts5_peer: query %s: %s\n", expr, sqlite3_errmsg(db));
        exit(1);
    }
    sqlite3_reset(st);
    return rows;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* What query threads counted. */
struct tally {
    long n;         /* queries run */
    long fallbacks; /* queries whose AND gave fewer than PAGE rows, run again with OR */
    long empty;     /* queries with no rows at all */
    size_t bytes;   /* bytes of every column of every row read */
};

/* One query thread: its own connection and statement, its share of the
 * run and its own latencies. Set up by cmd_query, read after the join. */
struct worker {
    pthread_t tid;
    const char *dbfile;
    char *const *qs;        /* the query file, shared, read-only */
    size_t nq;              /* number of queries in qs */
    size_t first;           /* this thread starts at qs[first] */
    long quota;             /* queries this thread runs at most */
    double limit;           /* seconds the run may last; 0 for no limit */
    pthread_barrier_t *go;  /* opens when every thread is ready */
    double *lat;            /* quota slots (µs), tally.n of them filled */
    struct tally tally;
};

/* Options of "query". */
struct query_opts {
    long total;   /* -n: queries over all threads (2000) */
    long threads; /* -t: threads, each with its own connection (1) */
    double limit; /* -d: seconds the run may last; 0 for no limit */
};

static const char query_sql[] = "SELECT doc, bm25(p), snippet(p, 1, '<b>', '</b>', '…', 40) "
                                "FROM p WHERE p MATCH ? ORDER BY bm25(p) LIMIT 10";

/* Run one query line: its terms joined with AND, then with OR when AND
 * gives fewer than PAGE rows; counts into *t (but not t->n). */
static void one_query(sqlite3 *db, sqlite3_stmt *st, const char *q, struct buf *all,
                      struct buf *any, struct tally *t)
{
    int nterms = translate(q, all, any);
    int rows = 0;

    if (nterms > 0) {
        rows = run(db, st, all->s, &t->bytes);
        if (rows < PAGE && nterms > 1) {
            t->fallbacks++;
            rows = run(db, st, any->s, &t->bytes);
        }
    }
    t->empty += rows == 0;
}

/* Thread body. The connection is opened with NOMUTEX: it and its
 * statement never leave this thread, so SQLite's per-connection mutex
 * would only cost time (sqlite3_threadsafe() is checked before). A
 * failure exits the process, as everywhere in this tool. */
static void *worker_main(void *arg)
{
    struct worker *w = arg;
    sqlite3 *db;
    sqlite3_stmt *st;
    struct buf all = {0}, any = {0};

    if (sqlite3_open_v2(w->dbfile, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK)
        die_db(db, w->dbfile);
    if (sqlite3_prepare_v2(db, query_sql, -1, &st, NULL) != SQLITE_OK)
        die_db(db, "prepare query");
    pthread_barrier_wait(w->go);

    double deadline = w->limit > 0 ? now() + w->limit : 0;

    while (w->tally.n < w->quota) {
        double q0 = now();

        one_query(db, st, w->qs[(w->first + (size_t)w->tally.n) % w->nq], &all, &any, &w->tally);
        double q1 = now();

        w->lat[w->tally.n++] = (q1 - q0) * 1e6;
        if (deadline > 0 && q1 >= deadline)
            break;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(all.s);
    free(any.s);
    return NULL;
}

/* FTS5_TRACE: print each query's translation once, before the run. */
static void trace(char *const *qs, size_t nq)
{
    struct buf all = {0}, any = {0};

    for (size_t i = 0; i < nq; i++) {
        translate(qs[i], &all, &any);
        fprintf(stderr, "%s  =>  %s  |  %s\n", qs[i], all.s, any.s);
    }
    free(all.s);
    free(any.s);
}

static double pct(const double *lat, long n, double q)
{
    return lat[(size_t)(q * (double)(n - 1) + 0.5)];
}

/* Merge the threads' latencies into lat (their slices are in order, so
 * each moves down), sort them, and print the run as one JSON line. */
static void report(long threads, const struct worker *ws, double *lat, double secs)
{
    struct tally sum = {0};

    for (long i = 0; i < threads; i++) {
        const struct tally *t = &ws[i].tally;

        memmove(lat + sum.n, ws[i].lat, (size_t)t->n * sizeof *lat);
        sum.n += t->n;
        sum.fallbacks += t->fallbacks;
        sum.empty += t->empty;
        sum.bytes += t->bytes;
    }
    qsort(lat, (size_t)sum.n, sizeof *lat, cmp_double);
    printf("{\"threads\":%ld,\"queries\":%ld,\"seconds\":%.3f,\"qps\":%.1f,\"p50_us\":%.0f,"
           "\"p90_us\":%.0f,\"p99_us\":%.0f,\"max_us\":%.0f,\"or_fallbacks\":%ld,"
           "\"no_hits\":%ld,\"bytes\":%zu}\n",
           threads, sum.n, secs, (double)sum.n / secs, pct(lat, sum.n, .5),
           pct(lat, sum.n, .9), pct(lat, sum.n, .99), lat[sum.n - 1], sum.fallbacks, sum.empty,
           sum.bytes);
}

/* Start the threads, each with its share of o->total queries and its own
 * slice of lat, and wait for them; returns the seconds from the moment
 * all were ready to the last one's end. */
static double run_threads(const char *dbfile, char *const *qs, size_t nq,
                          const struct query_opts *o, struct worker *ws, double *lat)
{
    pthread_barrier_t go;
    long off = 0;

    pthread_barrier_init(&go, NULL, (unsigned)o->threads + 1);
    for (long i = 0; i < o->threads; i++) {
        struct worker *w = &ws[i];

        *w = (struct worker){.dbfile = dbfile, .qs = qs, .nq = nq, .first = (size_t)i,
                             .quota = o->total / o->threads + (i < o->total % o->threads),
                             .limit = o->limit, .go = &go, .lat = lat + off};
        off += w->quota;
        if (pthread_create(&w->tid, NULL, worker_main, w) != 0) {
            fprintf(stderr, "fts5_peer: cannot start thread %ld\n", i);
            exit(1);
        }
    }
    pthread_barrier_wait(&go); /* every connection open, every statement prepared */

    double t0 = now();

    for (long i = 0; i < o->threads; i++)
        pthread_join(ws[i].tid, NULL);

    double secs = now() - t0;

    pthread_barrier_destroy(&go);
    return secs;
}

static int cmd_query(const char *dbfile, const char *qfile, const struct query_opts *o)
{
    size_t nq;
    char **qs = load_queries(qfile, &nq);

    if (nq == 0) {
        fprintf(stderr, "fts5_peer: no queries in %s\n", qfile);
        return 2;
    }
    if (o->threads > 1 && sqlite3_threadsafe() == 0) {
        fprintf(stderr, "fts5_peer: this SQLite is built without threads "
                        "(SQLITE_THREADSAFE=0); use -t 1\n");
        return 2;
    }
    if (sqlite3_initialize() != SQLITE_OK) { /* once, before any thread */
        fprintf(stderr, "fts5_peer: sqlite3_initialize failed\n");
        return 1;
    }
    if (getenv("FTS5_TRACE") != NULL)
        trace(qs, nq);

    double *lat = calloc((size_t)o->total, sizeof *lat);
    struct worker *ws = calloc((size_t)o->threads, sizeof *ws);

    if (lat == NULL || ws == NULL) {
        fprintf(stderr, "fts5_peer: out of memory\n");
        return 1;
    }
    report(o->threads, ws, lat, run_threads(dbfile, qs, nq, o, ws, lat));
    free(ws);
    free(lat);
    for (size_t i = 0; i < nq; i++)
        free(qs[i]);
    free(qs);
    return 0;
}

/* The lines of a list file, one file name each (empty lines skipped), as
 * a malloc'd array of malloc'd strings; exits on failure. */
static char **load_list(const char *path, int *count)
{
    FILE *f = fopen(path, "r");
    char *line = NULL, **v = NULL;
    size_t cap = 0, n = 0, vcap = 0;
    ssize_t len;

    if (f == NULL) {
        perror(path);
        exit(2);
    }
    while ((len = getline(&line, &cap, f)) != -1) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        if (n == vcap) {
            vcap = vcap ? vcap * 2 : 1024;
            v = realloc(v, vcap * sizeof *v);
        }
        if (v == NULL || n >= INT_MAX) {
            fprintf(stderr, "fts5_peer: %s: out of memory or too many files\n", path);
            exit(1);
        }
        v[n] = strdup(line);
        if (v[n++] == NULL) {
            fprintf(stderr, "fts5_peer: %s: out of memory\n", path);
            exit(1);
        }
    }
    free(line);
    fclose(f);
    *count = (int)n;
    return v;
}

static int usage(void)
{
    fprintf(stderr, "usage: fts5_peer index DBFILE (FILE... | --files LISTFILE)\n"
                    "       fts5_peer query DBFILE QUERYFILE [-n QUERIES] [-t THREADS] "
                    "[-d SECONDS]\n");
    return 2;
}

static int main_index(int argc, char **argv)
{
    if (strcmp(argv[3], "--files") != 0)
        return cmd_index(argv[2], argc - 3, argv + 3);
    if (argc != 5)
        return usage();

    int n;
    char **files = load_list(argv[4], &n);
    int rc = cmd_index(argv[2], n, files);

    for (int i = 0; i < n; i++)
        free(files[i]);
    free(files);
    return rc;
}

/* A whole-string number in [min, max]. */
static bool parse_num(const char *s, double min, double max, double *out)
{
    char *end;

    errno = 0;
    *out = strtod(s, &end);
    return errno == 0 && end != s && *end == '\0' && *out >= min && *out <= max;
}

static int main_query(int argc, char **argv)
{
    struct query_opts o = {.total = 2000, .threads = 1, .limit = 0};

    for (int i = 4; i < argc; i++) {
        double v;

        if (i + 1 >= argc || !parse_num(argv[i + 1], 0, 1e12, &v))
            return usage();
        if (strcmp(argv[i], "-n") == 0 && v >= 1 && v == (long)v)
            o.total = (long)v;
        else if (strcmp(argv[i], "-t") == 0 && v >= 1 && v <= 1024 && v == (long)v)
            o.threads = (long)v;
        else if (strcmp(argv[i], "-d") == 0 && v > 0)
            o.limit = v;
        else
            return usage();
        i++;
    }
    return cmd_query(argv[2], argv[3], &o);
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "index") == 0)
        return main_index(argc, argv);
    if (argc >= 4 && strcmp(argv[1], "query") == 0)
        return main_query(argc, argv);
    return usage();
}
