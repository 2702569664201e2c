/* bench/peer: what the benchmark peers (fts5_peer, sphinx_peer) share:
 * reading the corpus and the query file, cutting the passages attache
 * indexes, translating attache's (Xapian's) query syntax, and the timed
 * query run on threads with its JSON report. The engine-specific parts
 * (quoting, SQL, connections) come in as parameters and callbacks.
 * Benchmark tools only: every failure prints a line and exits. */
#ifndef BENCH_PEER_H
#define BENCH_PEER_H

#include <stdbool.h>
#include <stddef.h>

/* The program's name, which starts every message; each peer defines it. */
extern const char peer_name[];

/* realloc that exits when memory runs out. */
void *peer_xrealloc(void *p, size_t n);

/* Seconds on the monotonic clock. */
double peer_now(void);

/* A growable string, always NUL-terminated once something was put. The
 * owner frees s. */
struct peer_buf {
    char *s;
    size_t n, cap;
};

void peer_put(struct peer_buf *b, const char *s, size_t n);
void peer_puts(struct peer_buf *b, const char *s);

/* String vectors: v holds n malloc'd strings; peer_free_lines frees both. */
void peer_push(char ***v, size_t *n, const char *s);
void peer_free_lines(char **v, size_t n);

/* The files of a command line argv[0..argc): names, and "--files LISTFILE"
 * for the names in LISTFILE, one a line (a big corpus has too many for
 * argv), in order. False when "--files" has no LISTFILE; exits (2) when a
 * list cannot be read. */
bool peer_file_args(int argc, char **argv, char ***files, size_t *n);

/* The queries of a query file: one a line, empty lines and '#' comments
 * skipped, a line starting with '{' a JSON request whose "q" is kept (as
 * query_floor does) or dropped when it has none. Exits (2) when the file
 * cannot be read or holds no query. Free with peer_free_lines. */
char **peer_load_queries(const char *path, size_t *n);

/* Read file as attache-index does (its header block apart), cut its body
 * into attache's passages and call fn once per passage, in order, with
 * the text borrowed for the call. Returns the number of passages; exits
 * on a file it cannot read. */
size_t peer_passages(const char *file,
                     void (*fn)(void *arg, const char *file, const char *text, size_t len),
                     void *arg);

/* How an engine's query language writes what the translation produces.
 * Every term and phrase becomes a double-quoted string; these say how
 * terms are joined, excluded and prefixed and how the inside of a string
 * is escaped, which is where FTS5 and SphinxQL differ. */
struct peer_syntax {
    const char *and_op;     /* between the terms of the AND expression */
    const char *or_op;      /* between the terms of the OR expression */
    const char *not_op;     /* "(" kept not_op excluded ")", brackets included */
    const char *prefix_end; /* ends a quoted prefix term, instead of '"' */
    /* Append s[0..n) as the inside of a quoted string. */
    void (*quote)(struct peer_buf *b, const char *s, size_t n);
};

/* Translate one query line from attache's syntax into an AND and an OR
 * expression (both reset first); returns the number of terms and phrases
 * kept. Rules: a "quoted phrase" stays a phrase, every other word becomes
 * a quoted string, a leading '+' and a "field:" prefix are dropped,
 * "-word" and -"a phrase" are excluded ("(" kept not_op "word" or_op ...
 * ")"; a phrase right after "-word" is excluded too), a trailing '*'
 * makes a prefix term, AND, OR, NOT and XOR are dropped, and terms
 * without a letter or digit (or a non-ASCII byte) are dropped. */
int peer_translate(const struct peer_syntax *syn, const char *q, struct peer_buf *all,
                   struct peer_buf *any);

/* Print each query's translation once to stderr ("Q  =>  AND  |  OR"). */
void peer_trace(const struct peer_syntax *syn, char *const *qs, size_t nq);

/* Options of "query". */
struct peer_opts {
    long total;   /* -n: queries over all threads (2000) */
    long threads; /* -t: threads, each with its own connection (1) */
    double limit; /* -d: seconds the run may last; 0 for no limit */
};

/* Parse [-n QUERIES] [-t THREADS] [-d SECONDS] from argv[0..argc) into *o,
 * defaults first; false on anything else. */
bool peer_parse_opts(int argc, char **argv, struct peer_opts *o);

/* An engine to query. open and close run in the query thread (the
 * connection never leaves it); open is called before the clock starts. */
struct peer_engine {
    const struct peer_syntax *syntax;
    const void *ctx; /* passed to open: what to connect to */
    /* A connection for query thread number thread, or exit. */
    void *(*open)(const void *ctx, int thread);
    /* Run one expression, top 10; returns the rows read and adds the
     * bytes of every column of every row to *bytes. */
    int (*search)(void *conn, const char *expr, size_t *bytes);
    void (*close)(void *conn);
};

/* Run the queries on o->threads threads, thread i starting at qs[i] and
 * going round, until o->total queries (split across the threads) have run
 * or o->limit seconds have passed. Each query line runs with its terms
 * joined with AND, then with OR when that gives fewer than 10 rows (like
 * attache's default "match: auto"). The clock runs from the moment every
 * thread has opened its connection to the end of the last one; prints
 * the run as one JSON line on stdout. Returns 0; exits on failure. */
int peer_run(const struct peer_engine *e, char *const *qs, size_t nq, const struct peer_opts *o);

#endif
