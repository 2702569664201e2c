/* bench/peer: the parts of the benchmark peers that do not depend on the
 * engine (see peer.h): files and query files in, passages out, attache's
 * query syntax translated, the threaded query run timed and reported. */
#include "peer.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attache/doc.h"
#include "attache/text.h"

/* A page of hits: a query whose AND gives fewer rows runs again with OR. */
#define PAGE 10

void *peer_xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (p == NULL) {
        fprintf(stderr, "%s: out of memory\n", peer_name);
        exit(1);
    }
    return p;
}

double peer_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void peer_put(struct peer_buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->s = peer_xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

void peer_puts(struct peer_buf *b, const char *s)
{
    peer_put(b, s, strlen(s));
}

/* --- files ------------------------------------------------------------ */

void peer_push(char ***v, size_t *n, const char *s)
{
    size_t len = strlen(s) + 1;

    *v = peer_xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[*n] = memcpy(peer_xrealloc(NULL, len), s, len);
    (*n)++;
}

void peer_free_lines(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
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
        peer_push(v, n, line);
    }
    if (ferror(f)) {
        perror(path);
        exit(2);
    }
    free(line);
    fclose(f);
}

bool peer_file_args(int argc, char **argv, char ***files, size_t *n)
{
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--files") != 0)
            peer_push(files, n, argv[i]);
        else if (i + 1 < argc)
            read_lines(argv[++i], false, files, n);
        else
            return false;
    }
    return true;
}

/* Keep the "q" of the JSON requests among qs, and drop those without. */
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

char **peer_load_queries(const char *path, size_t *n)
{
    char **qs = NULL;

    *n = 0;
    read_lines(path, true, &qs, n);
    json_queries(qs, n);
    if (*n == 0) {
        fprintf(stderr, "%s: no queries in %s\n", peer_name, path);
        exit(2);
    }
    return qs;
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

size_t peer_passages(const char *file,
                     void (*fn)(void *arg, const char *file, const char *text, size_t len),
                     void *arg)
{
    size_t len = 0;
    char *raw = slurp(file, &len);
    struct att_spans ps = {NULL, 0, 0};
    struct att_doc d;
    size_t n;

    if (raw == NULL) {
        perror(file);
        exit(1);
    }
    att_doc_init(&d); /* the text attache indexes: header block apart */
    if (att_read_txt(raw, len, &d, NULL) != ATT_OK) {
        fprintf(stderr, "%s: %s: cannot read\n", peer_name, file);
        exit(1);
    }
    if (att_passages(d.body, d.body_len, NULL, &ps, NULL) != ATT_OK) {
        fprintf(stderr, "%s: %s: out of memory\n", peer_name, file);
        exit(1);
    }
    for (size_t p = 0; p < ps.n; p++)
        fn(arg, file, d.body + ps.v[p].start, ps.v[p].end - ps.v[p].start);
    n = ps.n;
    att_spans_free(&ps);
    att_doc_clear(&d);
    free(raw);
    return n;
}

/* --- query translation ------------------------------------------------ */

/* Whether s[0..n) has a letter, a digit or a non-ASCII byte: a term
 * without any has no token to match (FTS5 would find nothing for it). */
static bool has_word_char(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isalnum((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80)
            return true;
    return false;
}

/* Append one term (or phrase) s[0..n) to both expressions out[0] (AND)
 * and out[1] (OR), quoted, and count it in *count. */
static void add_term(const struct peer_syntax *syn, struct peer_buf *out[2], int *count,
                     const char *s, size_t n, bool prefix)
{
    const char *join[2] = {syn->and_op, syn->or_op};

    if (!has_word_char(s, n))
        return;
    for (int k = 0; k < 2; k++) {
        if (*count > 0)
            peer_puts(out[k], join[k]);
        peer_put(out[k], "\"", 1);
        syn->quote(out[k], s, n);
        peer_puts(out[k], prefix ? syn->prefix_end : "\"");
    }
    (*count)++;
}

/* Terms kept so far, positive and negated ("-word"), in both forms (only
 * the OR form of the negated ones is used: any of them excludes a row). */
struct terms {
    const struct peer_syntax *syn;
    struct peer_buf *pos[2], *neg[2];
    int npos, nneg;
};

static void add(struct terms *t, bool negated, const char *s, size_t n, bool prefix)
{
    if (negated)
        add_term(t->syn, t->neg, &t->nneg, s, n, prefix);
    else
        add_term(t->syn, t->pos, &t->npos, s, n, prefix);
}

/* "(kept) NOT_OP (excluded)" for both expressions. */
static void add_negation(const struct terms *t)
{
    for (int k = 0; k < 2; k++) {
        struct peer_buf e = {0};

        peer_put(&e, "(", 1);
        peer_put(&e, t->pos[k]->s, t->pos[k]->n);
        peer_puts(&e, t->syn->not_op);
        peer_put(&e, t->neg[1]->s, t->neg[1]->n);
        peer_put(&e, ")", 1);
        free(t->pos[k]->s);
        *t->pos[k] = e;
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

/* Add the word at *q (up to a space, a '"' or the end) and move *q past
 * it. *negated is set by the word's leading '-' and left set after it, so
 * a phrase right after "-word" (or "-OR") is excluded too: the peers have
 * always translated so, and changing it would change their results. */
static void add_word(struct terms *t, const char **q, bool *negated)
{
    const char *e = *q;

    while (*e != '\0' && !isspace((unsigned char)*e) && *e != '"')
        e++;
    size_t n = (size_t)(e - *q);
    const char *s;

    *negated = n > 1 && **q == '-';
    s = strip_word(*q, &n);
    *q = e;
    if (is_operator(s, n))
        return;
    bool prefix = n > 1 && s[n - 1] == '*';

    add(t, *negated, s, n - prefix, prefix);
}

int peer_translate(const struct peer_syntax *syn, const char *q, struct peer_buf *all,
                   struct peer_buf *any)
{
    struct peer_buf neg = {0}, neg_any = {0};
    struct terms t = {.syn = syn, .pos = {all, any}, .neg = {&neg, &neg_any}};
    bool negated = false;

    all->n = any->n = 0;
    peer_put(all, "", 0);
    peer_put(any, "", 0);
    while (*q != '\0') {
        if (isspace((unsigned char)*q)) {
            q++;
        } else if ((*q == '-' || *q == '+') && q[1] == '"') { /* -"a phrase" */
            negated = *q == '-';
            q++;
        } else if (*q == '"') { /* a phrase, closed or not */
            const char *e = strchr(q + 1, '"');
            size_t n = e ? (size_t)(e - q - 1) : strlen(q + 1);

            add(&t, negated, q + 1, n, false);
            negated = false;
            q += 1 + n + (e != NULL);
        } else {
            add_word(&t, &q, &negated);
        }
    }
    if (t.npos > 0 && t.nneg > 0)
        add_negation(&t);
    free(neg.s);
    free(neg_any.s);
    return t.npos;
}

void peer_trace(const struct peer_syntax *syn, char *const *qs, size_t nq)
{
    struct peer_buf all = {0}, any = {0};

    for (size_t i = 0; i < nq; i++) {
        peer_translate(syn, qs[i], &all, &any);
        fprintf(stderr, "%s  =>  %s  |  %s\n", qs[i], all.s, any.s);
    }
    free(all.s);
    free(any.s);
}

/* --- query run -------------------------------------------------------- */

/* A whole-string number in [min, max]. */
static bool parse_num(const char *s, double min, double max, double *out)
{
    char *end;

    errno = 0;
    *out = strtod(s, &end);
    return errno == 0 && end != s && *end == '\0' && *out >= min && *out <= max;
}

bool peer_parse_opts(int argc, char **argv, struct peer_opts *o)
{
    *o = (struct peer_opts){.total = 2000, .threads = 1, .limit = 0};
    for (int i = 0; i < argc; i += 2) {
        double v;

        if (i + 1 >= argc || !parse_num(argv[i + 1], 0, 1e12, &v))
            return false;
        if (strcmp(argv[i], "-n") == 0 && v >= 1 && v == (long)v)
            o->total = (long)v;
        else if (strcmp(argv[i], "-t") == 0 && v >= 1 && v <= 1024 && v == (long)v)
            o->threads = (long)v;
        else if (strcmp(argv[i], "-d") == 0 && v > 0)
            o->limit = v;
        else
            return false;
    }
    return true;
}

/* What query threads counted. */
struct tally {
    long n;         /* queries run */
    long fallbacks; /* queries whose AND gave fewer than PAGE rows, run again with OR */
    long empty;     /* queries with no rows at all */
    size_t bytes;   /* bytes of every column of every row read */
};

/* One query thread: its share of the run and its own latencies. Set up
 * by peer_run, read after the join. */
struct worker {
    pthread_t tid;
    const struct peer_engine *e;
    int id;                /* thread number, for the engine's messages */
    char *const *qs;       /* the query file, shared, read-only */
    size_t nq;             /* number of queries in qs */
    size_t first;          /* this thread starts at qs[first] */
    long quota;            /* queries this thread runs at most */
    double limit;          /* seconds the run may last; 0 for no limit */
    pthread_barrier_t *go; /* opens when every thread is ready */
    double *lat;           /* quota slots (µs), tally.n of them filled */
    struct tally tally;
};

/* Run one query line: its terms joined with AND, then with OR when AND
 * gives fewer than PAGE rows; counts into *t (but not t->n). */
static void one_query(const struct peer_engine *e, void *conn, const char *q,
                      struct peer_buf *both[2], struct tally *t)
{
    int nterms = peer_translate(e->syntax, q, both[0], both[1]);
    int rows = 0;

    if (nterms > 0) {
        rows = e->search(conn, both[0]->s, &t->bytes);
        if (rows < PAGE && nterms > 1) {
            t->fallbacks++;
            rows = e->search(conn, both[1]->s, &t->bytes);
        }
    }
    t->empty += rows == 0;
}

/* Thread body: open, wait for the others, run the share. */
static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct peer_buf all = {0}, any = {0};
    struct peer_buf *both[2] = {&all, &any};
    void *conn = w->e->open(w->e->ctx, w->id);

    pthread_barrier_wait(w->go);

    double deadline = w->limit > 0 ? peer_now() + w->limit : 0;

    while (w->tally.n < w->quota) {
        double q0 = peer_now();

        one_query(w->e, conn, w->qs[(w->first + (size_t)w->tally.n) % w->nq], both, &w->tally);
        double q1 = peer_now();

        w->lat[w->tally.n++] = (q1 - q0) * 1e6;
        if (deadline > 0 && q1 >= deadline)
            break;
    }
    w->e->close(conn);
    free(all.s);
    free(any.s);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double pct(const double *lat, long n, double q)
{
    return lat[(size_t)(q * (double)(n - 1) + 0.5)];
}

/* Merge the threads' latencies into lat (their slices are in order, so
 * each moves down), sort them, and print the run as one JSON line. Every
 * thread with a quota runs at least one query, so there is one. */
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
static double run_threads(const struct peer_engine *e, char *const *qs, size_t nq,
                          const struct peer_opts *o, struct worker *ws, double *lat)
{
    pthread_barrier_t go;
    long off = 0;

    pthread_barrier_init(&go, NULL, (unsigned)o->threads + 1);
    for (long i = 0; i < o->threads; i++) {
        struct worker *w = &ws[i];

        *w = (struct worker){.e = e, .id = (int)i, .qs = qs, .nq = nq, .first = (size_t)i,
                             .quota = o->total / o->threads + (i < o->total % o->threads),
                             .limit = o->limit, .go = &go, .lat = lat + off};
        off += w->quota;
        if (pthread_create(&w->tid, NULL, worker_main, w) != 0) {
            fprintf(stderr, "%s: cannot start thread %ld\n", peer_name, i);
            exit(1);
        }
    }
    pthread_barrier_wait(&go); /* every connection open */

    double t0 = peer_now();

    for (long i = 0; i < o->threads; i++)
        pthread_join(ws[i].tid, NULL);

    double secs = peer_now() - t0;

    pthread_barrier_destroy(&go);
    return secs;
}

int peer_run(const struct peer_engine *e, char *const *qs, size_t nq, const struct peer_opts *o)
{
    double *lat = calloc((size_t)o->total, sizeof *lat);
    struct worker *ws = calloc((size_t)o->threads, sizeof *ws);

    if (lat == NULL || ws == NULL) {
        fprintf(stderr, "%s: out of memory\n", peer_name);
        exit(1);
    }
    report(o->threads, ws, lat, run_threads(e, qs, nq, o, ws, lat));
    free(ws);
    free(lat);
    return 0;
}
