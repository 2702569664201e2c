/* attache-index: the indexing run: lock the index, open a writer per
 * shard (and more for a fresh build), index and remove vanished files,
 * then merge, compact and swap the result in; and --compact. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "canary.h"
#include "changesets.h"
#include "log.h"
#include "progress.h"
#include "report.h"
#include "run.h"
#include "store.h"
#include "terms.h"
#include "walk.h"

static volatile sig_atomic_t stop_requested;

void run_request_stop(void)
{
    stop_requested = 1;
}

bool run_stopped(void)
{
    return stop_requested != 0;
}

/* One database the run writes: the index folder itself, or one shard. */
struct part {
    struct store *s;
    unsigned gens[RUN_MAX_JOBS]; /* [0]: the generation written; then extra lanes' */
    size_t first, nlanes;        /* its writers: run.b[first .. first + nlanes) */
    bool fresh;                  /* a first build or a rebuild of this part */
    unsigned ready;              /* the generation to put live at the end, 0 none */
};

/* An indexing run over the whole index. */
struct run {
    struct store top;        /* the index folder: the lock, the stub */
    struct store shard[STORE_MAX_SHARDS];
    struct part part[STORE_MAX_SHARDS];
    unsigned nparts, shards; /* shards: 0 for an unsharded index */
    unsigned had;            /* databases the index had before: 0 none */
    unsigned old_shards;     /* the shards it had, 0 when unsharded */
    bool publish;            /* the top stub names the shards at the end */
    uint64_t old_rev;        /* the revision readers saw before the run */
    struct builder b[STORE_MAX_SHARDS];
    struct att_xwdb *w[STORE_MAX_SHARDS];
    size_t nb;
    struct state st;
    struct att_actors *actors; /* the passages are tagged with */
    char *extras, *dump;       /* the alias file's lines; actors' dump */
    size_t nextras, ndump;
    long changesets;           /* the count each part remembers; -1 none */
};

/* Walk every PATH into files, a trailing '/' dropped first. Returns the
 * count of PATHs that could not be read, or -1 when memory ran out. */
static int collect(const struct run_opts *o, struct walk_list *files)
{
    struct walk_opts wo = {.follow_symlinks = o->follow};
    struct att_err err = {0};
    int bad = 0;

    for (int i = 0; i < o->npaths; i++) {
        char *arg = o->paths[i];
        size_t n = strlen(arg);

        while (n > 1 && arg[n - 1] == '/')
            arg[--n] = '\0';
        if (walk_collect(arg, &wo, files, &err) != ATT_OK) {
            att_log(ATT_ERROR, "%s", err.msg);
            if (err.code == ATT_E_NOMEM)
                return -1;
            bad++;
        }
    }
    return bad;
}

/* Remove records of files that vanished from a folder walked in full. */
static int remove_vanished(struct run *run, const struct walk_list *files, struct att_err *err)
{
    const struct state *st = &run->st;

    for (size_t i = 0; i < st->n && !stop_requested; i++) {
        struct rec *r = st->recs[i];
        struct builder *b = &run->b[run->shards > 1 ? store_shard_of(r->id, run->shards) : 0];

        if (r->seen || r->root == NULL || !walk_complete(files, r->root))
            continue;
        if (build_remove(b, r, err) != ATT_OK)
            return err->code;
        r->seen = true; /* gone: not counted as a document any more */
        r->docs = 0;
        r->passages = 0;
    }
    return ATT_OK;
}

/* Index every file, then drop the vanished ones. Returns an att status
 * for index failures; per-file failures are only counted. */
static int index_files(struct run *r, const struct run_opts *o, struct att_err *err)
{
    struct walk_list files = {0};
    struct progress pg;
    int rc = ATT_OK, bad = collect(o, &files);

    if (bad < 0) {
        walk_list_free(&files);
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    }
    r->b[0].c.failed += (unsigned)bad; /* a PATH that cannot be read fails the run */
    progress_start(&pg, files.n, o->progress == 1 || (o->progress < 0 && !o->quiet &&
                                                         isatty(STDERR_FILENO)));
    rc = build_run(r->b, r->nb, r->shards, &files, &stop_requested, &pg, err);
    progress_end(&pg);
    if (rc == ATT_OK && !stop_requested)
        rc = remove_vanished(r, &files, err);
    walk_list_free(&files);
    return rc;
}

/* The writable generation: the live one, or a new one for --rebuild and
 * for a folder that holds no index yet. */
static int open_gen(struct store *s, bool rebuild, unsigned *gen, struct att_xwdb **w,
                    struct att_err *err)
{
    char *path;
    int rc;

    *gen = (rebuild || s->gen == 0) ? s->gen + 1 : s->gen;
    path = store_gen_path(s, *gen);
    if (path == NULL)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    rc = att_xwdb_open(path, ATT_XW_CREATE, w, err);
    free(path);
    return rc;
}

/* The passages of databases written apart were never compared: group
 * them afresh in the merged generation at path, before it goes live. */
static int regroup(const char *path, struct att_err *err)
{
    struct att_xwdb *w = NULL;
    int rc = att_xwdb_open(path, 0, &w, err);

    if (rc == ATT_OK)
        rc = att_xwdb_regroup_all(w, err);
    if (rc == ATT_OK)
        rc = att_xwdb_commit(w, err);
    att_xwdb_close(w);
    return rc;
}

/* Merge the generations gens[0..n-1] (compacted) into a new one after
 * the last: *next, not live yet; 0 when the merge failed or the run was
 * stopped (then nothing of it is left). The merged ones stay. */
static int merge_gens(struct store *s, const unsigned *gens, size_t n, unsigned *next,
                      struct att_err *err)
{
    char *src[RUN_MAX_JOBS] = {0};
    unsigned g = gens[n - 1] + 1;
    char *dst = store_gen_path(s, g);
    int rc = dst ? ATT_OK : att_err_set(err, ATT_E_NOMEM, "out of memory");

    for (size_t k = 0; rc == ATT_OK && k < n; k++) {
        src[k] = store_gen_path(s, gens[k]);
        if (src[k] == NULL)
            rc = att_err_set(err, ATT_E_NOMEM, "out of memory");
    }
    if (rc == ATT_OK)
        rc = att_xdb_merge((const char *const *)src, n, dst, err);
    if (rc == ATT_OK && n > 1 && !stop_requested)
        rc = regroup(dst, err);
    *next = rc == ATT_OK && !stop_requested ? g : 0;
    if (*next == 0)
        store_remove_gen(s, g);
    for (size_t k = 0; k < n; k++)
        free(src[k]);
    free(dst);
    return rc;
}

/* The canary gate (canary.h) over the generations gens[k] of stores[k]
 * (k < n: the new layout's databases) against the live index of o->db,
 * which has old_shards shards (0: unsharded). */
static int gate(const struct run_opts *o, unsigned old_shards, struct store *const *stores,
                const unsigned *gens, size_t n, bool *rejected, struct att_err *err)
{
    char *fresh[STORE_MAX_SHARDS] = {0};
    struct canary_gate g = {.db = o->db, .old_shards = old_shards,
                            .fresh = (const char *const *)fresh, .n = n,
                            .compact = o->compact};
    int rc = ATT_OK;

    for (size_t k = 0; rc == ATT_OK && k < n; k++) {
        fresh[k] = store_gen_path(stores[k], gens[k]);
        if (fresh[k] == NULL)
            rc = att_err_set(err, ATT_E_NOMEM, "out of memory");
    }
    if (rc == ATT_OK)
        rc = canary_gate(&o->canary, &g, rejected, err);
    for (size_t k = 0; k < n; k++)
        free(fresh[k]);
    return rc;
}

/* The revision of the index in dir as readers see it (summed over its
 * shards), before a rebuild replaces it. */
static uint64_t live_revision(const char *dir)
{
    struct att_xdb *db = NULL;
    uint64_t rev = 0;

    if (att_xdb_open(dir, &db, NULL) == ATT_OK)
        rev = att_xdb_revision(db); /* the summed revision, read through att_xdb_revision */
    att_xdb_close(db);
    return rev;
}

/* A fresh build of an unsharded index writes from several threads, each
 * into a generation of its own after gens[0]; they are merged when the run
 * completes. Opens up to want - 1 more (fewer when one cannot be made). */
static void open_lanes(struct run *r, struct part *p, size_t want, const struct run_opts *o)
{
    while (p->nlanes < want && r->nb < STORE_MAX_SHARDS) {
        unsigned g = p->gens[p->nlanes - 1] + 1;
        char *path = store_gen_path(p->s, g);
        struct att_err e = {0};
        struct builder *b = &r->b[r->nb];
        int rc = path ? att_xwdb_open(path, ATT_XW_CREATE, &r->w[r->nb], &e) : ATT_E_NOMEM;

        free(path);
        if (rc == ATT_OK)
            rc = build_begin(b, r->w[r->nb], &r->st, &o->build, &e);
        if (rc != ATT_OK) { /* fewer writers; the build goes on */
            att_log(ATT_WARN, "%s: one writer fewer: %s", o->db, e.msg);
            att_xwdb_close(r->w[r->nb]);
            r->w[r->nb] = NULL;
            store_remove_gen(p->s, g);
            return;
        }
        b->revision = r->b[p->first].revision;
        b->lane = (unsigned)r->nb;
        b->path = store_gen_path(p->s, g);
        p->gens[p->nlanes++] = g;
        r->nb++;
    }
}

/* Open part p's writable generation and its writer; a first build goes
 * live at once (so that an interrupted one resumes), unless it replaces
 * another layout, which it does only when complete. */
static int open_part(struct run *r, struct part *p, const struct run_opts *o,
                     struct att_err *err)
{
    struct builder *b = &r->b[r->nb];
    struct att_xwdb **w = &r->w[r->nb];
    int rc = open_gen(p->s, o->rebuild, &p->gens[0], w, err);

    if (rc != ATT_OK)
        return rc;
    p->fresh = p->gens[0] != p->s->gen;
    p->first = r->nb;
    p->nlanes = 1;
    if (!p->fresh)
        rc = state_load(&r->st, *w, err);
    if (rc == ATT_OK)
        rc = build_begin(b, *w, &r->st, &o->build, err);
    if (rc != ATT_OK)
        return rc;
    b->lane = (unsigned)r->nb;
    b->path = store_gen_path(p->s, p->gens[0]);
    r->nb++;
    if (p->fresh && b->revision < r->old_rev) /* revisions go on growing */
        b->revision = r->old_rev;
    if (p->s->gen == 0 && p->s->shards == 0) {
        rc = build_touch(b, err);
        if (rc == ATT_OK)
            rc = store_swap(p->s, p->gens[0], err);
    }
    return rc;
}

/* Commit part p's writers (or drop what is pending after a failure), add
 * the passages it keeps to *passages, close them; then make ready the
 * generation that puts the part's work live (go_live): a fresh build
 * merged and compacted into one (a database written in one go is about
 * twice the size of its compacted copy, which takes a few percent of the
 * build to make). */
static int close_part(struct run *r, struct part *p, int rc, uint32_t *passages,
                      struct att_err *err)
{
    uint32_t kept = 0;
    bool done;

    for (size_t k = p->first; k < p->first + p->nlanes; k++) {
        uint32_t count = 0;

        if (rc == ATT_OK)
            rc = build_flush(&r->b[k], err);
        else
            build_abort(&r->b[k]);
        if (rc == ATT_OK)
            rc = att_xwdb_doccount(r->w[k], &count, err);
        if (k == p->first || !stop_requested) /* the others are dropped */
            kept += count;
        att_xwdb_close(r->w[k]);
        r->w[k] = NULL;
        build_end(&r->b[k]);
    }
    *passages += kept;
    done = rc == ATT_OK && !stop_requested;
    if (done && p->fresh && kept > 0)
        rc = merge_gens(p->s, p->gens, p->nlanes, &p->ready, err);
    else if (done && p->gens[0] != p->s->gen)
        p->ready = p->gens[0];
    return rc;
}

/* Put the ready generation of each of the first n parts live (unless rc
 * says the run failed, or it was stopped), then remove the generations
 * the run wrote that are not live. Interrupted or failed, a fresh build
 * is dropped, save a first build's first lane. Returns the run's status. */
static int go_live(struct run *r, unsigned n, int rc, struct att_err *err)
{
    for (unsigned i = 0; i < n; i++) {
        struct part *p = &r->part[i];

        if (rc == ATT_OK && !stop_requested && p->ready != 0 && p->ready != p->s->gen)
            rc = store_swap(p->s, p->ready, err);
        if (p->ready != 0 && p->ready != p->s->gen)
            store_remove_gen(p->s, p->ready);
        for (size_t k = 0; k < p->nlanes; k++) {
            if (p->gens[k] != 0 && p->gens[k] != p->s->gen)
                store_remove_gen(p->s, p->gens[k]);
        }
    }
    return rc;
}

/* A rebuild of an index that had one: the canary gate over the parts'
 * ready generations (a part with none: its live one, a first build's). A
 * rejected one was moved away and is not put live. */
static int gate_parts(struct run *r, const struct run_opts *o, unsigned n, bool *rejected,
                      struct att_err *err)
{
    struct store *stores[STORE_MAX_SHARDS] = {0};
    unsigned gens[STORE_MAX_SHARDS] = {0};
    int rc;

    for (unsigned k = 0; k < n; k++) {
        stores[k] = r->part[k].s;
        gens[k] = r->part[k].ready ? r->part[k].ready : r->part[k].s->gen;
    }
    rc = gate(o, r->old_shards, stores, gens, n, rejected, err);
    for (unsigned k = 0; *rejected && k < n; k++)
        r->part[k].ready = 0;
    return rc;
}

/* The alias file at path, whole, into *out (malloc'd); at most 64 MB. */
static int read_aliases(const char *path, char **out, size_t *len, struct att_err *err)
{
    FILE *f = fopen(path, "rb");
    struct att_buf b;
    char chunk[65536];
    size_t n;
    int rc = ATT_OK;

    if (f == NULL)
        return att_err_set(err, ATT_E_IO, "--aliases %s: %s", path, strerror(errno));
    att_buf_init(&b, 64u << 20);
    while (rc == ATT_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = att_buf_add(&b, chunk, n);
    if (rc == ATT_OK && ferror(f))
        rc = att_err_set(err, ATT_E_IO, "--aliases %s: cannot read it", path);
    else if (rc != ATT_OK)
        rc = att_err_set(err, rc, "--aliases %s: %s", path,
                         rc == ATT_E_TOOBIG ? "over 64 MB" : "out of memory");
    fclose(f);
    *out = rc == ATT_OK ? att_buf_take(&b, len) : NULL;
    att_buf_free(&b);
    return rc;
}

static void alias_warn(void *ud, long line, const char *why)
{
    att_log(ATT_WARN, "%s:%ld: %s", (const char *)ud, line, why);
}

/* The actors of the run: the built-in ones, and the lines of --aliases
 * FILE (its bad lines warned about) or else those the index remembers. */
static int load_actors(struct run *r, const struct run_opts *o, struct att_err *err)
{
    struct att_xdb *db = NULL;
    int rc = ATT_OK;

    if (o->aliases != NULL)
        rc = read_aliases(o->aliases, &r->extras, &r->nextras, err);
    else if (att_xdb_open(o->db, &db, NULL) == ATT_OK)
        att_xdb_get_meta(db, ATT_META_ALIAS_FILE, strlen(ATT_META_ALIAS_FILE), &r->extras,
                         &r->nextras, NULL);
    att_xdb_close(db);
    if (rc == ATT_OK)
        rc = att_actors_builtin(&r->actors, err);
    if (rc == ATT_OK && r->extras != NULL)
        rc = att_actors_load(r->actors, r->extras, r->nextras, o->aliases ? alias_warn : NULL,
                             (void *)o->aliases, err);
    if (rc == ATT_OK && (r->dump = att_actors_dump(r->actors, &r->ndump)) == NULL)
        rc = att_err_set(err, ATT_E_NOMEM, "out of memory");
    return rc;
}

/* Each part records the actors when they differ from those it holds (in
 * its first batch); passages indexed before keep theirs, which is said. */
static int record_actors(struct run *r, const struct run_opts *o, struct att_err *err)
{
    bool changed = false;
    int rc = ATT_OK;

    for (unsigned k = 0; rc == ATT_OK && k < r->nparts; k++) {
        const struct part *p = &r->part[k];
        char *have = NULL;
        size_t hlen = 0;

        rc = att_xwdb_get_meta(r->w[p->first], ATT_META_ACTORS, strlen(ATT_META_ACTORS), &have,
                               &hlen, err);
        if (rc == ATT_OK && (have == NULL || hlen != r->ndump || memcmp(have, r->dump, hlen))) {
            changed = changed || (!p->fresh && r->st.n > 0);
            rc = build_set_meta(&r->b[p->first], ATT_META_ACTORS, r->dump, r->ndump, err);
            if (rc == ATT_OK)
                rc = build_set_meta(&r->b[p->first], ATT_META_ALIAS_FILE,
                                    r->extras ? r->extras : "", r->nextras, err);
        }
        free(have);
    }
    for (size_t k = 0; k < r->nb; k++)
        r->b[k].o.actors = r->actors;
    if (changed)
        att_log(ATT_WARN, "the %s changed: files indexed before keep their actors until "
                "attache-index --rebuild", o->aliases ? "alias file" : "gazetteer of actors");
    return rc;
}

/* The share ("K/N") the index in dir holds, "" for all files. */
static void stored_share(const char *dir, char *out, size_t size)
{
    struct att_xdb *db = NULL;
    char *v = NULL;

    *out = '\0';
    if (att_xdb_open(dir, &db, NULL) == ATT_OK &&
        att_xdb_get_meta(db, ATT_META_SHARE, strlen(ATT_META_SHARE), &v, NULL, NULL) == ATT_OK &&
        v != NULL)
        snprintf(out, size, "%s", v);
    free(v);
    att_xdb_close(db);
}

/* --shard K/N against the share the index holds: the same, or remembered
 * when not given; another one only with --rebuild. */
static int check_share(struct run_opts *o, const struct store *top, struct att_err *err)
{
    char have[32], want[32] = "";
    unsigned k, n;

    if (top->gen == 0)
        return ATT_OK;
    stored_share(o->db, have, sizeof have);
    if (o->build.share_n > 1)
        snprintf(want, sizeof want, "%u/%u", o->build.share_k, o->build.share_n);
    if (o->build.share_n <= 1 && !o->rebuild && sscanf(have, "%u/%u", &k, &n) == 2) {
        o->build.share_k = k;
        o->build.share_n = n;
        return ATT_OK;
    }
    if (strcmp(have, want) != 0 && !o->rebuild && o->build.share_n > 1)
        return att_err_set(err, ATT_E_OPENING, "the index holds %s%s, not share %s; to "
                           "change that, add --rebuild", *have ? "share " : "all files",
                           have, want);
    return ATT_OK;
}

/* Lock the index, check the shard count asked for against the one it
 * has, and open the parts to write. */
static int open_run(struct run *r, struct run_opts *o, struct att_err *err)
{
    unsigned have, want;
    int rc = store_open(&r->top, o->db, o->wait, err);

    if (rc == ATT_OK)
        rc = check_share(o, &r->top, err);
    if (rc != ATT_OK)
        return rc;
    have = r->top.shards ? r->top.shards : r->top.gen ? 1 : 0;
    if (r->top.shards != 0 && o->build.share_n > 1 && !o->rebuild)
        return att_err_set(err, ATT_E_OPENING, "the index is sharded (%u shards); --shard "
                           "K/N makes an index of one share: give a new folder, or add "
                           "--rebuild", r->top.shards);
    want = o->shards ? o->shards : have ? have : 1;
    if (have != 0 && want != have && !o->rebuild)
        return att_err_set(err, ATT_E_OPENING, "the index has %u shard%s, not %u; to change "
                           "that, add --rebuild (which builds it again over %u)", have,
                           have == 1 ? "" : "s", want, want);
    if (have != 0)
        r->old_rev = live_revision(o->db);
    r->had = have;
    r->old_shards = r->top.shards;
    r->shards = want > 1 ? want : 0;
    r->nparts = want;
    if (r->shards == 0) {
        r->part[0].s = &r->top;
        rc = open_part(r, &r->part[0], o, err);
        if (rc == ATT_OK && r->part[0].fresh)
            open_lanes(r, &r->part[0], o->jobs, o);
        return rc;
    }
    for (unsigned k = 0; rc == ATT_OK && k < want; k++) {
        r->part[k].s = &r->shard[k];
        rc = store_open_shard(&r->shard[k], &r->top, k, want, err);
        if (rc == ATT_OK)
            rc = open_part(r, &r->part[k], o, err);
    }
    /* A new index names its shards at once; one that had another layout
     * only once they are complete. */
    if (rc == ATT_OK && have == 0)
        rc = store_set_shards(&r->top, want, err);
    r->publish = have != 0 && r->top.shards != want;
    return rc;
}

/* Close every part the run opened; a rebuild passes the canary gate;
 * put the parts live, then name the shards in the top stub or go back to
 * one database, and unlock. Returns the run's status. */
static int finish_run(struct run *r, const struct run_opts *o, int rc, uint32_t *passages,
                      bool *rejected, struct att_err *err)
{
    unsigned n = 0;

    for (; n < r->nparts && r->part[n].s != NULL && r->nb > r->part[n].first; n++)
        rc = close_part(r, &r->part[n], rc, passages, err);
    if (rc == ATT_OK && !stop_requested && o->rebuild && r->had != 0)
        rc = gate_parts(r, o, n, rejected, err);
    rc = go_live(r, n, rc, err);
    if (rc == ATT_OK && !stop_requested && !*rejected && r->publish)
        rc = store_set_shards(&r->top, r->shards, err);
    else if (rc == ATT_OK && !stop_requested && !*rejected && r->shards == 0 &&
             r->top.shards != 0)
        store_remove_shards(&r->top); /* back to one database */
    for (size_t k = 0; k < STORE_MAX_SHARDS; k++)
        store_close(&r->shard[k]);
    store_close(&r->top);
    return rc;
}

/* Add every lane's counts to lane 0's. An interrupted first build keeps
 * what its first lane committed; the next run indexes the rest. */
static void sum_lanes(struct run *r)
{
    for (size_t k = 1; k < r->nb; k++) {
        if (!stop_requested || r->shards != 0)
            r->b[0].c = build_counts_add(r->b[0].c, r->b[k].c);
    }
    for (size_t i = 0; stop_requested && r->shards == 0 && r->nb > 1 && i < r->st.n; i++) {
        if (r->st.recs[i]->lane != 0) {
            r->st.recs[i]->docs = 0;
            r->st.recs[i]->passages = 0;
        }
    }
}

int run_index(struct run_opts *o, unsigned *failed, bool *rejected, struct att_err *err)
{
    struct run *r = calloc(1, sizeof *r);
    double t0 = progress_now();
    uint32_t passages = 0;
    int rc;

    *failed = 0;
    *rejected = false;
    if (r == NULL)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    for (size_t k = 0; k < STORE_MAX_SHARDS; k++)
        r->shard[k].lock_fd = -1;
    state_init(&r->st);
    r->changesets = changesets_setup(o);
    rc = load_actors(r, o, err);
    if (rc == ATT_OK)
        rc = open_run(r, o, err);
    if (rc == ATT_OK)
        rc = record_actors(r, o, err);
    for (unsigned k = 0; rc == ATT_OK && k < r->nparts; k++) /* in each part's first commit */
        rc = changesets_remember(&r->b[r->part[k].first], r->changesets, err);
    if (rc == ATT_OK)
        rc = index_files(r, o, err);
    rc = finish_run(r, o, rc, &passages, rejected, err);
    sum_lanes(r);
    if (rc == ATT_OK)
        report_overlaps(&r->st, &r->b[0].c);
    if (rc == ATT_OK)
        report_summary(o, &r->b[0].c, &r->st, passages, progress_now() - t0, stop_requested);
    *failed = r->b[0].c.failed + r->b[0].c.id_conflicts; /* both exit 1 */
    state_free(&r->st);
    att_actors_free(r->actors);
    free(r->extras);
    free(r->dump);
    free(r);
    return rc;
}

/* --compact: each database of the (locked) index top compacted into a
 * new generation of its store (*stores[k], *next[k]; shards opened and
 * locked into sh[]). Returns the count in *n. */
static int compact_all(struct store *top, struct store *sh, struct store **stores,
                       unsigned *next, unsigned *n, struct att_err *err)
{
    int rc = ATT_OK;

    *n = 0;
    for (unsigned k = 0; rc == ATT_OK && k < (top->shards ? top->shards : 1); k++) {
        stores[k] = top->shards ? &sh[k] : top;
        if (top->shards)
            rc = store_open_shard(&sh[k], top, k, top->shards, err);
        if (rc == ATT_OK && stores[k]->gen == 0)
            rc = att_err_set(err, ATT_E_OPENING, "%s holds no index", stores[k]->dir);
        if (rc == ATT_OK)
            rc = merge_gens(stores[k], &stores[k]->gen, 1, &next[k], err);
        *n = k + 1;
        if (rc == ATT_OK && next[k] == 0) /* stopped */
            break;
    }
    return rc;
}

int run_compact(const struct run_opts *o, bool *rejected, struct att_err *err)
{
    struct store top = {0}, sh[STORE_MAX_SHARDS], *stores[STORE_MAX_SHARDS] = {0};
    unsigned next[STORE_MAX_SHARDS] = {0}, n = 0;
    int rc = store_open(&top, o->db, o->wait, err);

    *rejected = false;
    for (size_t k = 0; k < STORE_MAX_SHARDS; k++)
        sh[k] = (struct store){.lock_fd = -1};
    if (rc == ATT_OK && top.gen == 0 && top.shards == 0)
        rc = att_err_set(err, ATT_E_OPENING, "no index to compact");
    if (rc == ATT_OK)
        rc = compact_all(&top, sh, stores, next, &n, err);
    if (rc == ATT_OK && !stop_requested)
        rc = gate(o, top.shards, stores, next, n, rejected, err);
    /* All of them compacted and checked: they go live together. */
    for (unsigned k = 0; rc == ATT_OK && !stop_requested && !*rejected && k < n; k++)
        rc = store_swap(stores[k], next[k], err);
    for (unsigned k = 0; k < n; k++) {
        if (next[k] != 0 && next[k] != stores[k]->gen)
            store_remove_gen(stores[k], next[k]);
        store_close(&sh[k]);
    }
    if (rc == ATT_OK && !o->quiet && !stop_requested && !*rejected)
        printf("compacted %s: %lld bytes\n", o->db, store_index_size(o->db));
    store_close(&top);
    return rc;
}
