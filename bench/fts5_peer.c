/* bench/fts5_peer: SQLite FTS5 in-process, the peer a small tool would
 * embed. "index" reads the same files as attache-index and cuts the same
 * passages (with libattache's splitter), one row per passage (the file
 * name, unindexed, and the passage text) in one transaction; "query" runs
 * the queries of a query file in turn, top 10 by bm25() with snippet(),
 * every column of every row read. Benchmark tool only.
 *
 * Usage: fts5_peer index DBFILE FILE...
 *        fts5_peer query DBFILE QUERYFILE [-n QUERIES]
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
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
        char *body = slurp(files[f], &len);
        struct att_spans ps = {NULL, 0, 0};

        if (body == NULL) {
            perror(files[f]);
            return 1;
        }
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
        free(body);
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

static int cmd_query(const char *dbfile, const char *qfile, long total)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    size_t nq, bytes = 0;
    char **qs = load_queries(qfile, &nq);
    struct buf all = {0}, any = {0};
    long fallbacks = 0, empty = 0;
    bool trace = getenv("FTS5_TRACE") != NULL; /* print each translation once */

    if (nq == 0 || total <= 0) {
        fprintf(stderr, "fts5_peer: no queries in %s\n", qfile);
        return 2;
    }
    if (sqlite3_open_v2(dbfile, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die_db(db, dbfile);
    if (sqlite3_prepare_v2(db,
                           "SELECT doc, bm25(p), snippet(p, 1, '<b>', '</b>', '…', 40) "
                           "FROM p WHERE p MATCH ? ORDER BY bm25(p) LIMIT 10",
                           -1, &st, NULL) != SQLITE_OK)
        die_db(db, "prepare query");

    double *lat = calloc((size_t)total, sizeof *lat);
    double t0 = now();

    for (long i = 0; i < total; i++) {
        double q0 = now();
        int nterms = translate(qs[(size_t)i % nq], &all, &any);
        int rows = 0;

        if (trace && (size_t)i < nq)
            fprintf(stderr, "%s  =>  %s  |  %s\n", qs[i], all.s, any.s);

        if (nterms > 0) {
            rows = run(db, st, all.s, &bytes);
            if (rows < PAGE && nterms > 1) {
                fallbacks++;
                rows = run(db, st, any.s, &bytes);
            }
        }
        empty += rows == 0;
        lat[i] = (now() - q0) * 1e6;
    }
    double secs = now() - t0;

    qsort(lat, (size_t)total, sizeof *lat, cmp_double);
#define PCT(q) lat[(size_t)((q) * (double)(total - 1) + 0.5)]
    printf("{\"queries\":%ld,\"seconds\":%.3f,\"qps\":%.1f,\"p50_us\":%.0f,\"p90_us\":%.0f,"
           "\"p99_us\":%.0f,\"max_us\":%.0f,\"or_fallbacks\":%ld,\"no_hits\":%ld,\"bytes\":%zu}\n",
           total, secs, (double)total / secs, PCT(.5), PCT(.9), PCT(.99), lat[total - 1],
           fallbacks, empty, bytes);
#undef PCT
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(lat);
    free(all.s);
    free(any.s);
    for (size_t i = 0; i < nq; i++)
        free(qs[i]);
    free(qs);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "index") == 0)
        return cmd_index(argv[2], argc - 3, argv + 3);
    if (argc >= 4 && strcmp(argv[1], "query") == 0) {
        long total = 2000;

        for (int i = 4; i < argc; i++) {
            if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
                total = atol(argv[++i]);
            else
                goto usage;
        }
        return cmd_query(argv[2], argv[3], total);
    }
usage:
    fprintf(stderr, "usage: fts5_peer index DBFILE FILE...\n"
                    "       fts5_peer query DBFILE QUERYFILE [-n QUERIES]\n");
    return 2;
}
