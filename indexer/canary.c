/* attache-index: the gate of a new generation before it goes live: its
 * counts and recorded files against the live index's, canary queries; a
 * generation that fails is moved to DB/rejected. Never touches the live one. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attache/index.h"
#include "buf.h"
#include "canary.h"
#include "log.h"
#include "state.h"
#include "store.h"
#include "stub.h"

#define LINE_MAX_BYTES 4096
#define WHY_MAX (16u << 20) /* the text of the failed checks, at most */

/* The checks that failed: how many, and a line on each. */
struct why {
    unsigned failed;
    struct att_buf text;
};

/* Note a failed check: a line (cut at 8 KB) into w->text. */
static void fail_check(struct why *w, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void fail_check(struct why *w, const char *fmt, ...)
{
    char line[8192];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    w->failed++;
    /* Out of memory, the check still counts: only its line is lost. */
    if (n > 0)
        att_buf_add(&w->text, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    att_buf_addc(&w->text, '\n');
}

/* One query line: blanks trimmed, "" for a blank line or a comment. */
static char *trim(char *line)
{
    size_t n;

    line += strspn(line, " \t\r\n");
    n = strlen(line);
    while (n > 0 && strchr(" \t\r\n", line[n - 1]) != NULL)
        line[--n] = '\0';
    return *line == '#' ? line + n : line;
}

static int add_query(struct canary_opts *c, const char *q, size_t *cap)
{
    char *copy = strdup(q);

    if (copy == NULL || att_grow(&c->queries, cap, c->nqueries + 1, sizeof *c->queries,
                                 CANARY_MAX_QUERIES) != ATT_OK) {
        free(copy);
        return ATT_E_NOMEM;
    }
    c->queries[c->nqueries++] = copy;
    return ATT_OK;
}

int canary_load(struct canary_opts *c, struct att_err *err)
{
    FILE *f;
    char *line = NULL;
    size_t lcap = 0, cap = 0;
    long no = 0;
    ssize_t len;
    int rc = ATT_OK;

    if (c->file == NULL)
        return ATT_OK;
    f = fopen(c->file, "re");
    if (f == NULL)
        return att_err_set(err, ATT_E_IO, "--canary %s: %s", c->file, strerror(errno));
    while (rc == ATT_OK && (len = getline(&line, &lcap, f)) >= 0) {
        const char *q = trim(line);

        no++;
        if ((size_t)len > LINE_MAX_BYTES || (*q && c->nqueries >= CANARY_MAX_QUERIES))
            rc = att_err_set(err, ATT_E_TOOBIG, "--canary %s:%ld: over %s", c->file, no,
                             (size_t)len > LINE_MAX_BYTES ? "4 KB" : "1000 queries");
        else if (*q && add_query(c, q, &cap) != ATT_OK)
            rc = att_err_set(err, ATT_E_NOMEM, "out of memory");
    }
    if (rc == ATT_OK && ferror(f))
        rc = att_err_set(err, ATT_E_IO, "--canary %s: cannot read it", c->file);
    if (rc == ATT_OK && c->nqueries == 0)
        rc = att_err_set(err, ATT_E_EMPTY, "--canary %s: no query in it (one a line; "
                         "'#' starts a comment)", c->file);
    free(line);
    fclose(f);
    return rc;
}

void canary_free(struct canary_opts *c)
{
    for (size_t i = 0; i < c->nqueries; i++)
        free(c->queries[i]);
    free(c->queries);
    c->queries = NULL;
    c->nqueries = 0;
}

/* One side of the comparison: an index opened read-only, its records. */
struct side {
    struct att_xdb *db;
    struct state st;
    unsigned long docs;
    uint32_t passages;
};

/* Open specs[0..n) as one index into s, with its records and counts
 * (documents as --stats counts them: the records' documents). */
static int side_open(struct side *s, const char *const *specs, size_t n, struct att_err *err)
{
    struct att_xdb_info info;
    int rc = att_xdb_open_many(specs, n, NULL, &s->db, err);

    state_init(&s->st);
    if (rc == ATT_OK)
        rc = state_load_ro(&s->st, s->db, err);
    if (rc == ATT_OK)
        rc = att_xdb_get_info(s->db, &info, false, err);
    if (rc != ATT_OK)
        return rc;
    s->passages = info.doccount;
    for (size_t i = 0; i < s->st.n; i++)
        s->docs += s->st.recs[i]->docs;
    return ATT_OK;
}

static void side_close(struct side *s)
{
    att_xdb_close(s->db);
    state_free(&s->st);
    memset(s, 0, sizeof *s);
}

/* The new count against the live one: a line in why when it fell by more
 * than pct percent. */
static void shrink(struct why *why, const char *what, const char *where,
                   unsigned long live, unsigned long fresh, unsigned pct)
{
    unsigned long long floor = ((unsigned long long)live * (100 - pct) + 99) / 100;

    if (live == 0 || fresh >= floor)
        return;
    fail_check(why, "%s%s: %lu in the new generation against %lu live (%.1f%%; "
                 "--max-shrink %u wants at least %llu)", what, where, fresh, live,
                 100.0 * (double)fresh / (double)live, pct, floor);
}

/* A record's file is gone from disk: missing, or not locatable (a file
 * given as a PATH of its own has no folder recorded). */
static bool gone_from_disk(const struct rec *r)
{
    struct stat sb;
    char *path = NULL;
    bool gone;

    if (r->root == NULL || asprintf(&path, "%s/%s", r->root, r->id) < 0)
        return true;
    gone = lstat(path, &sb) != 0 && (errno == ENOENT || errno == ENOTDIR);
    free(path);
    return gone;
}

/* The records of from that to lacks (those gone from disk left out when
 * on_disk): how many, the first one's id into *first. */
static size_t lacking(const struct state *from, struct state *to, bool on_disk,
                      const char **first)
{
    size_t n = 0;

    for (size_t i = 0; i < from->n; i++) {
        const struct rec *r = from->recs[i];

        if (state_find(to, r->id) != NULL || (on_disk && gone_from_disk(r)))
            continue;
        if (n++ == 0)
            *first = r->id;
    }
    return n;
}

static void check_files(struct side *live, struct side *fresh, bool compact,
                        struct why *why)
{
    const char *first = NULL, *first_extra = NULL;
    size_t missing = lacking(&live->st, &fresh->st, !compact, &first);
    size_t extra = compact ? lacking(&fresh->st, &live->st, false, &first_extra) : 0;

    if (missing > 0)
        fail_check(why, "files: %zu of the %zu files the live index records %s (the "
                     "first: %s)", missing, live->st.n, compact ? "are not in the "
                     "compacted copy" : "are not in the new generation but still on disk",
                     first);
    if (extra > 0)
        fail_check(why, "files: the compacted copy records %zu files the live index does "
                     "not (the first: %s)", extra, first_extra);
}

/* Each canary query on db: a line in why for each that finds nothing or
 * does not parse. Returns ATT_OK or the status of a failed search. */
static int check_queries(const struct canary_opts *c, struct att_xdb *db, struct why *why,
                         struct att_err *err)
{
    for (size_t i = 0; i < c->nqueries; i++) {
        const char *q = c->queries[i];
        struct att_search s = {.q = q, .qlen = strlen(q), .limit = 1};
        struct att_result r = {0};
        struct att_err e = {0};
        int rc = att_xdb_search(db, &s, &r, &e);

        if (rc == ATT_E_QUERY)
            fail_check(why, "canary: query \"%s\" does not parse: %s", q, e.msg);
        else if (rc == ATT_OK && r.n == 0)
            fail_check(why, "canary: query \"%s\" finds nothing in the new generation", q);
        att_result_free(&r);
        if (rc != ATT_OK && rc != ATT_E_QUERY)
            return att_err_set(err, rc, "canary query \"%s\": %s", q, e.msg);
    }
    return ATT_OK;
}

/* Shard k's counts, old against new, when the shard count stayed. */
static int check_shard(const struct canary_gate *g, unsigned k, unsigned pct,
                       struct why *why, struct att_err *err)
{
    struct side live = {0}, fresh = {0};
    char *dir = store_shard_dir(g->db, k, g->old_shards);
    char where[32];
    int rc;

    if (dir == NULL)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    rc = side_open(&live, (const char *const *)&dir, 1, err);
    if (rc == ATT_OK)
        rc = side_open(&fresh, &g->fresh[k], 1, err);
    snprintf(where, sizeof where, " of shard %u", k);
    if (rc == ATT_OK) {
        shrink(why, "documents", where, live.docs, fresh.docs, pct);
        shrink(why, "passages", where, live.passages, fresh.passages, pct);
    }
    side_close(&live);
    side_close(&fresh);
    free(dir);
    return rc;
}

/* The live index's databases: g->db, or its shard folders. */
static int open_live(const struct canary_gate *g, struct side *s, struct att_err *err)
{
    char *specs[STORE_MAX_SHARDS] = {0};
    size_t n = g->old_shards ? g->old_shards : 1;
    int rc = ATT_OK;

    for (size_t k = 0; rc == ATT_OK && k < n; k++) {
        specs[k] = g->old_shards ? store_shard_dir(g->db, (unsigned)k, g->old_shards)
                                 : strdup(g->db);
        if (specs[k] == NULL)
            rc = att_err_set(err, ATT_E_NOMEM, "out of memory");
    }
    if (rc == ATT_OK)
        rc = side_open(s, (const char *const *)specs, n, err);
    for (size_t k = 0; k < n; k++)
        free(specs[k]);
    return rc;
}

/* Every check; a line into why for each that fails. */
static int run_checks(const struct canary_opts *c, const struct canary_gate *g,
                      struct why *why, struct att_err *err)
{
    struct side live = {0}, fresh = {0};
    bool compare = c->max_shrink < 100, whole = false;
    int rc = compare ? open_live(g, &live, err) : ATT_OK;

    if (rc == ATT_E_VERSION || rc == ATT_E_OPENING || rc == ATT_E_CORRUPT) {
        att_log(ATT_WARN, "%s: the live index cannot be read (%s): the new generation's "
                "counts and files are not compared with it", g->db, err->msg);
        compare = false;
        rc = ATT_OK;
    }
    if (rc == ATT_OK)
        rc = side_open(&fresh, g->fresh, g->n, err);
    if (rc == ATT_OK && compare) {
        shrink(why, "documents", "", live.docs, fresh.docs, c->max_shrink);
        shrink(why, "passages", "", live.passages, fresh.passages, c->max_shrink);
        whole = why->failed > 0;
        check_files(&live, &fresh, g->compact, why);
    }
    /* Shard by shard (the same count): a loss in one the total hides. */
    for (unsigned k = 0; rc == ATT_OK && compare && !whole && g->n > 1 &&
                         k < g->old_shards && g->old_shards == g->n; k++)
        rc = check_shard(g, k, c->max_shrink, why, err);
    if (rc == ATT_OK)
        rc = check_queries(c, fresh.db, why, err);
    side_close(&live);
    side_close(&fresh);
    return rc;
}

/* Move the new database at from into folder dir as its live generation
 * (dir's stub naming it). */
static int move_gen(const char *from, const char *dir, struct att_err *err)
{
    const char *base = strrchr(from, '/');
    char *to = NULL;
    unsigned gen = 0;
    int rc;

    base = base ? base + 1 : from;
    if (sscanf(base, "g%u", &gen) != 1 || gen == 0)
        return att_err_set(err, ATT_E_INTERNAL, "%s is not a generation", from);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return att_err_set(err, ATT_E_IO, "cannot create %s: %s", dir, strerror(errno));
    if (asprintf(&to, "%s/%s", dir, base) < 0)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    rc = rename(from, to) == 0 ? att_stub_write(dir, gen, 0, err)
                               : att_err_set(err, ATT_E_IO, "cannot move %s to %s: %s", from,
                                             to, strerror(errno));
    free(to);
    return rc;
}

static int write_note(const char *dir, const char *why, struct att_err *err)
{
    char *path = NULL;
    FILE *f;
    int rc = ATT_OK;

    if (asprintf(&path, "%s/%s", dir, CANARY_NOTE) < 0)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    f = fopen(path, "we");
    if (f == NULL || fputs("The new generation was not put live; it failed these checks:\n",
                           f) < 0 || fputs(why, f) < 0)
        rc = att_err_set(err, ATT_E_IO, "cannot write %s: %s", path, strerror(errno));
    if (f != NULL && fclose(f) != 0 && rc == ATT_OK)
        rc = att_err_set(err, ATT_E_IO, "cannot write %s: %s", path, strerror(errno));
    free(path);
    return rc;
}

/* Move g's new databases into DB/rejected, laid out as an index folder. */
static int keep_rejected(const struct canary_gate *g, const char *why, struct att_err *err)
{
    char *dir = NULL;
    int rc = ATT_OK;

    if (asprintf(&dir, "%s/%s", g->db, CANARY_DIR) < 0)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    store_rm_tree(dir);
    if (g->n == 1)
        rc = move_gen(g->fresh[0], dir, err);
    else if (mkdir(dir, 0755) != 0)
        rc = att_err_set(err, ATT_E_IO, "cannot create %s: %s", dir, strerror(errno));
    for (size_t k = 0; g->n > 1 && rc == ATT_OK && k < g->n; k++) {
        char *sub = store_shard_dir(dir, (unsigned)k, (unsigned)g->n);

        rc = sub ? move_gen(g->fresh[k], sub, err)
                 : att_err_set(err, ATT_E_NOMEM, "out of memory");
        free(sub);
    }
    if (rc == ATT_OK && g->n > 1)
        rc = att_stub_write(dir, 0, (unsigned)g->n, err);
    if (rc == ATT_OK)
        rc = write_note(dir, why, err);
    free(dir);
    return rc;
}

/* Log each failed check (a line of why, which is cut up) and where the
 * rejected generation is. */
static void tell(const struct canary_gate *g, char *why, bool kept)
{
    char *save = NULL;

    if (kept)
        att_log(ATT_ERROR, "%s: the new generation failed its checks and was not put live; "
                "the live index is unchanged (the new one is kept in %s/%s)", g->db, g->db,
                CANARY_DIR);
    else
        att_log(ATT_ERROR, "%s: the new generation failed its checks and was not put live; "
                "the live index is unchanged", g->db);
    for (char *line = strtok_r(why, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save))
        att_log(ATT_ERROR, "failed check: %s", line);
}

int canary_gate(const struct canary_opts *c, const struct canary_gate *g, bool *rejected,
                struct att_err *err)
{
    struct why why = {0};
    struct att_err e = {0};
    char *dir = NULL;
    int rc;

    *rejected = false;
    att_buf_init(&why.text, WHY_MAX);
    rc = run_checks(c, g, &why, err);
    if (rc == ATT_OK && why.failed == 0 && asprintf(&dir, "%s/%s", g->db, CANARY_DIR) >= 0)
        store_rm_tree(dir); /* what it held is settled */
    if (rc == ATT_OK && why.failed > 0) {
        char none[] = "(out of memory)\n";
        char *text = why.text.p ? why.text.p : none;

        *rejected = true;
        if (keep_rejected(g, text, &e) != ATT_OK)
            att_log(ATT_WARN, "%s: the rejected generation cannot be kept: %s", g->db, e.msg);
        tell(g, text, e.code == ATT_OK);
    }
    free(dir);
    att_buf_free(&why.text);
    return rc;
}
