/* bench/fts5_peer: SQLite FTS5 in-process, the peer a small tool would
 * embed. "index" reads the same files as attache-index and cuts the same
 * passages (with libattache's splitter), one row per passage (the file
 * name, unindexed, and the passage text) in one transaction; "query" runs
 * the queries of a query file in turn, top 10 by bm25() with snippet(),
 * every column of every row read. Benchmark tool only. What it shares with
 * sphinx_peer (files, passages, translation, the threaded run) is in
 * bench/peer.c; what is FTS5's is here.
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
 * index into one b-tree after the commit ('optimize'); FTS5_ROWS=1 prints
 * every row read (file, bm25, snippet) to stderr. */
#include <errno.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "peer.h"

const char peer_name[] = "fts5_peer";

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

/* --- index ------------------------------------------------------------ */

/* The open database and its insert statement, for insert_passage. */
struct inserter {
    sqlite3 *db;
    sqlite3_stmt *ins;
};

static void insert_passage(void *arg, const char *file, const char *text, size_t len)
{
    struct inserter *in = arg;

    sqlite3_bind_text(in->ins, 1, file, -1, SQLITE_STATIC);
    sqlite3_bind_text(in->ins, 2, text, (int)len, SQLITE_STATIC);
    if (sqlite3_step(in->ins) != SQLITE_DONE)
        die_db(in->db, file);
    sqlite3_reset(in->ins);
}

/* Remove the database and what SQLite may have left beside it. */
static void remove_db(const char *dbfile)
{
    static const char *const suffix[] = {"", "-journal", "-wal", "-shm"};
    char path[4096];

    for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
        snprintf(path, sizeof path, "%s%s", dbfile, suffix[i]);
        if (unlink(path) != 0 && errno != ENOENT) {
            perror(path);
            exit(1);
        }
    }
}

static int cmd_index(const char *dbfile, size_t nfiles, char **files)
{
    struct inserter in;
    unsigned long passages = 0;
    double t0 = peer_now();

    remove_db(dbfile);
    if (sqlite3_open(dbfile, &in.db) != SQLITE_OK)
        die_db(in.db, dbfile);
    exec(in.db, "CREATE VIRTUAL TABLE p USING fts5(doc UNINDEXED, body, "
                "tokenize='porter unicode61')");
    exec(in.db, "BEGIN");
    if (sqlite3_prepare_v2(in.db, "INSERT INTO p(doc, body) VALUES(?, ?)", -1, &in.ins, NULL) !=
        SQLITE_OK)
        die_db(in.db, "prepare insert");
    for (size_t f = 0; f < nfiles; f++)
        passages += peer_passages(files[f], insert_passage, &in);
    sqlite3_finalize(in.ins);
    exec(in.db, "COMMIT");
    if (getenv("FTS5_OPTIMIZE") != NULL) /* merge the b-trees into one */
        exec(in.db, "INSERT INTO p(p) VALUES('optimize')");
    if (sqlite3_close(in.db) != SQLITE_OK)
        die_db(in.db, "close");
    printf("{\"passages\":%lu,\"seconds\":%.3f}\n", passages, peer_now() - t0);
    return 0;
}

/* --- query ------------------------------------------------------------ */

/* An FTS5 string doubles a '"' inside it. */
static void quote_fts5(struct peer_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        peer_put(b, s[i] == '"' ? "\"\"" : s + i, 1 + (s[i] == '"'));
}

static const struct peer_syntax fts5_syntax = {
    .and_op = " AND ",
    .or_op = " OR ",
    .not_op = ") NOT (",
    .prefix_end = "\" *", /* "word" * */
    .quote = quote_fts5,
};

static const char query_sql[] = "SELECT doc, bm25(p), snippet(p, 1, '<b>', '</b>', '…', 40) "
                                "FROM p WHERE p MATCH ? ORDER BY bm25(p) LIMIT 10";

static bool show_rows; /* FTS5_ROWS: print every row read; set before any thread */

/* One query thread's connection and statement. */
struct conn {
    sqlite3 *db;
    sqlite3_stmt *st;
};

/* The connection is opened with NOMUTEX: it and its statement never leave
 * their thread, so SQLite's per-connection mutex would only cost time
 * (sqlite3_threadsafe() is checked before). */
static void *conn_open(const void *dbfile, int thread)
{
    struct conn *c = peer_xrealloc(NULL, sizeof *c);

    (void)thread;
    if (sqlite3_open_v2(dbfile, &c->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK)
        die_db(c->db, dbfile);
    if (sqlite3_prepare_v2(c->db, query_sql, -1, &c->st, NULL) != SQLITE_OK)
        die_db(c->db, "prepare query");
    return c;
}

/* Run the statement with expr bound; returns the number of rows read. */
static int conn_search(void *conn, const char *expr, size_t *bytes)
{
    struct conn *c = conn;
    int rows = 0, rc;

    sqlite3_bind_text(c->st, 1, expr, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(c->st)) == SQLITE_ROW) {
        for (int k = 0; k < 3; k++)
            *bytes +=
                (size_t)sqlite3_column_bytes(c->st, k) + (sqlite3_column_text(c->st, k) != NULL);
        if (show_rows)
            fprintf(stderr, "  %s %s %s\n", sqlite3_column_text(c->st, 0),
                    sqlite3_column_text(c->st, 1), sqlite3_column_text(c->st, 2));
        rows++;
    }
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "fts5_peer: query %s: %s\n", expr, sqlite3_errmsg(c->db));
        exit(1);
    }
    sqlite3_reset(c->st);
    return rows;
}

static void conn_close(void *conn)
{
    struct conn *c = conn;

    sqlite3_finalize(c->st);
    sqlite3_close(c->db);
    free(c);
}

static int cmd_query(const char *dbfile, const char *qfile, const struct peer_opts *o)
{
    size_t nq;
    char **qs = peer_load_queries(qfile, &nq);
    struct peer_engine e = {.syntax = &fts5_syntax, .ctx = dbfile, .open = conn_open,
                            .search = conn_search, .close = conn_close};

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
        peer_trace(&fts5_syntax, qs, nq);
    show_rows = getenv("FTS5_ROWS") != NULL;

    int rc = peer_run(&e, qs, nq, o);

    peer_free_lines(qs, nq);
    return rc;
}

/* --- command line ----------------------------------------------------- */

static int usage(void)
{
    fprintf(stderr, "usage: fts5_peer index DBFILE (FILE... | --files LISTFILE)\n"
                    "       fts5_peer query DBFILE QUERYFILE [-n QUERIES] [-t THREADS] "
                    "[-d SECONDS]\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "index") == 0) {
        char **files = NULL;
        size_t n = 0;

        if (!peer_file_args(argc - 3, argv + 3, &files, &n))
            return usage();

        int rc = cmd_index(argv[2], n, files);

        peer_free_lines(files, n);
        return rc;
    }
    if (argc >= 4 && strcmp(argv[1], "query") == 0) {
        struct peer_opts o;

        if (!peer_parse_opts(argc - 4, argv + 4, &o))
            return usage();
        return cmd_query(argv[2], argv[3], &o);
    }
    return usage();
}
