/* attache-index: builds and incrementally updates an attache index from
 * folders of reports. Safe to run from cron: one writer at a time, atomic
 * batches, resumable after any interruption. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attache/attache.h"
#include "build.h"
#include "log.h"
#include "progress.h"
#include "report.h"
#include "store.h"
#include "terms.h"
#include "walk.h"

enum { EXIT_FAILED_FILES = 1, EXIT_USAGE = 2, EXIT_LOCKED = 75, EXIT_INTERRUPTED = 130 };

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *to)
{
    fputs("Usage: attache-index [-d DB] [options] PATH...\n"
          "       attache-index [-d DB] --stats [--json] | --list | --compact\n"
          "Index the reports in each PATH (folders recursively, or single files) into\n"
          "the attache index DB. Only new and changed files are read; files that\n"
          "vanished from a folder PATH are removed from the index.\n\n"
          "  -d, --db DB            index folder (default: $ATTACHE_DB)\n"
          "  -q, --quiet            print errors only\n"
          "      --json             print the summary as one JSON object\n"
          "      --progress / --no-progress  force the progress bar on or off\n"
          "      --wait SECONDS     wait for another indexer to finish (default 0)\n"
          "      --retry-failed     read again the files that failed before\n"
          "      --rebuild          build a fresh index and swap it in atomically\n"
          "      --compact          compact the index in place (atomically)\n"
          "      --stats            show what the index holds\n"
          "      --list             list the indexed files (id, documents, passages)\n"
          "      --follow-symlinks  follow symlinks, even out of the folder\n"
          "      --batch N          passages per commit (default 20000)\n"
          "  -j, --jobs N           writer threads for a first build or --rebuild\n"
          "                         (default: one per core, at most 4)\n"
          "      --shards N         spread the index over N shards (a new index, or\n"
          "                         with --rebuild; remembered: later runs keep it)\n"
          "      --shard K/N        index only the files of shard K of N (0-based), as\n"
          "                         --shards N would place them: one shard server's\n"
          "                         own index (remembered like --shards)\n"
          "      --max-file-size MB skip larger files (default 512)\n"
          "  -h, --help             this help\n"
          "  -V, --version          version\n\n"
          "Formats: .txt (optional Key: value header), .md (front matter), .html/.htm,\n"
          ".jsonl (one document per line). Exit status: 0 done, 1 some files failed\n"
          "(the rest indexed), 2 usage or index error, 75 index locked by another\n"
          "indexer, 130 interrupted (what was committed stays).\n",
          to);
}

enum { O_JSON = 256, O_PROGRESS, O_NO_PROGRESS, O_WAIT, O_RETRY, O_REBUILD, O_COMPACT,
       O_STATS, O_LIST, O_FOLLOW, O_BATCH, O_MAXFILE, O_SHARDS, O_SHARD };

#define MAX_JOBS 16

static const struct option long_opts[] = {
    {"db", required_argument, NULL, 'd'},
    {"quiet", no_argument, NULL, 'q'},
    {"json", no_argument, NULL, O_JSON},
    {"progress", no_argument, NULL, O_PROGRESS},
    {"no-progress", no_argument, NULL, O_NO_PROGRESS},
    {"wait", required_argument, NULL, O_WAIT},
    {"retry-failed", no_argument, NULL, O_RETRY},
    {"rebuild", no_argument, NULL, O_REBUILD},
    {"compact", no_argument, NULL, O_COMPACT},
    {"stats", no_argument, NULL, O_STATS},
    {"list", no_argument, NULL, O_LIST},
    {"follow-symlinks", no_argument, NULL, O_FOLLOW},
    {"batch", required_argument, NULL, O_BATCH},
    {"max-file-size", required_argument, NULL, O_MAXFILE},
    {"jobs", required_argument, NULL, 'j'},
    {"shards", required_argument, NULL, O_SHARDS},
    {"shard", required_argument, NULL, O_SHARD},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static bool parse_num(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static const char *opt_name(int c)
{
    for (const struct option *p = long_opts; p->name != NULL; p++) {
        if (p->val == c)
            return p->name;
    }
    return "?";
}

/* Writers for a fresh build: one per core, at most four (the preparer
 * thread feeding them is the next limit). */
static unsigned default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : n > 4 ? 4 : (unsigned)n;
}

/* Returns 0 to run, -1 to exit 0 (help, version), or EXIT_USAGE. */
static int parse_args(int argc, char **argv, struct run_opts *o)
{
    double v;
    int c;

    o->db = getenv("ATTACHE_DB");
    o->progress = -1;
    o->build.batch_passages = 20000;
    o->build.batch_bytes = 64u << 20;
    o->build.max_file = 512u << 20;
    o->jobs = default_jobs();
    while ((c = getopt_long(argc, argv, "d:j:qhV", long_opts, NULL)) != -1) {
        switch (c) {
        case 'd': o->db = optarg; break;
        case 'j':
            if (!parse_num(optarg, 1, MAX_JOBS, &v))
                goto bad_value;
            o->jobs = (unsigned)v;
            break;
        case 'q': o->quiet = true; break;
        case O_JSON: o->json = true; break;
        case O_PROGRESS: o->progress = 1; break;
        case O_NO_PROGRESS: o->progress = 0; break;
        case O_RETRY: o->build.retry_failed = true; break;
        case O_REBUILD: o->rebuild = true; break;
        case O_COMPACT: o->compact = true; break;
        case O_STATS: o->stats = true; break;
        case O_LIST: o->list = true; break;
        case O_FOLLOW: o->follow = true; break;
        case O_WAIT:
            if (!parse_num(optarg, 0, 86400, &o->wait))
                goto bad_value;
            break;
        case O_BATCH:
            if (!parse_num(optarg, 1, 1e7, &v))
                goto bad_value;
            o->build.batch_passages = (unsigned)v;
            break;
        case O_SHARDS:
            if (!parse_num(optarg, 1, STORE_MAX_SHARDS, &v))
                goto bad_value;
            o->shards = (unsigned)v;
            break;
        case O_SHARD: {
            unsigned k, n;
            char tail;

            if (sscanf(optarg, "%u/%u%c", &k, &n, &tail) != 2 || n < 2 || n > 1024 || k >= n)
                goto bad_value;
            o->build.share_k = k;
            o->build.share_n = n;
            break;
        }
        case O_MAXFILE:
            if (!parse_num(optarg, 1, 1 << 20, &v))
                goto bad_value;
            o->build.max_file = (size_t)(v * 1024 * 1024);
            break;
        case 'h': usage(stdout); return -1;
        case 'V': printf("attache-index %s\n", ATTACHE_VERSION); return -1;
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    o->paths = argv + optind;
    o->npaths = argc - optind;
    if (o->db == NULL || *o->db == '\0') {
        att_log(ATT_ERROR, "no index given: use -d DB or set ATTACHE_DB");
        return EXIT_USAGE;
    }
    if (o->npaths == 0 && !o->stats && !o->list && !o->compact) {
        att_log(ATT_ERROR, "nothing to index: give one or more PATHs (see --help)");
        return EXIT_USAGE;
    }
    if ((o->stats || o->list) && (o->npaths > 0 || o->compact || o->rebuild)) {
        att_log(ATT_ERROR, "--stats and --list take no PATH and no other mode");
        return EXIT_USAGE;
    }
    if (o->build.share_n > 1 && o->shards > 1) {
        att_log(ATT_ERROR, "--shard K/N makes an index of one share: not with --shards");
        return EXIT_USAGE;
    }
    if (o->compact && (o->npaths > 0 || o->rebuild)) {
        att_log(ATT_ERROR, "--compact takes no PATH and no --rebuild");
        return EXIT_USAGE;
    }
    return 0;
bad_value:
    att_log(ATT_ERROR, "bad value for --%s: '%s'", opt_name(c), optarg);
    return EXIT_USAGE;
}

static bool is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

struct root {
    char real[PATH_MAX];
    bool complete;
};

/* Walk every PATH into files; roots[i] is set for folder arguments. */
static int collect(const struct run_opts *o, struct walk_list *files, struct root *roots,
                   size_t *first)
{
    struct walk_opts wo = {.follow_symlinks = o->follow};
    struct att_err err = {0};
    int bad = 0;

    for (int i = 0; i < o->npaths; i++) {
        char *arg = o->paths[i];
        size_t n = strlen(arg);

        while (n > 1 && arg[n - 1] == '/')
            arg[--n] = '\0';
        roots[i].real[0] = '\0';
        first[i] = files->n;
        if (walk_collect(arg, &wo, files, &roots[i].complete, &err) != ATT_OK) {
            att_log(ATT_ERROR, "%s", err.msg);
            if (err.code == ATT_E_NOMEM)
                return -1;
            bad++;
            continue;
        }
        if (realpath(arg, roots[i].real) == NULL || !is_dir(roots[i].real))
            roots[i].real[0] = '\0';
    }
    return bad;
}

/* The folder argument a file came from, by its position in the list. */
static const char *root_of(const struct run_opts *o, const struct root *roots,
                           const size_t *first, size_t k)
{
    const char *r = NULL;

    for (int i = 0; i < o->npaths; i++) {
        if (k >= first[i])
            r = roots[i].real[0] ? roots[i].real : NULL;
    }
    return r;
}

/* Remove records of files that vanished from a folder walked in full. */
static int remove_vanished(struct builder *lanes, unsigned shards, const struct run_opts *o,
                           const struct root *roots, struct att_err *err)
{
    const struct state *st = lanes[0].st;

    for (size_t i = 0; i < st->n && !stop_requested; i++) {
        struct rec *r = st->recs[i];
        struct builder *b = &lanes[shards > 1 ? store_shard_of(r->id, shards) : 0];
        bool walked = false;

        if (r->seen || r->root == NULL)
            continue;
        for (int k = 0; k < o->npaths; k++) {
            if (roots[k].complete && strcmp(roots[k].real, r->root) == 0)
                walked = true;
        }
        if (!walked)
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
static int index_files(struct builder *b, size_t nlanes, unsigned shards,
                       const struct run_opts *o, struct att_err *err)
{
    struct walk_list files = {0};
    struct root *roots = calloc((size_t)o->npaths, sizeof *roots);
    size_t *first = calloc((size_t)o->npaths, sizeof *first);
    const char **file_roots = NULL;
    struct progress pg;
    int rc = ATT_OK, bad = 0;

    if (roots == NULL || first == NULL || (bad = collect(o, &files, roots, first)) < 0 ||
        (file_roots = calloc(files.n + 1, sizeof *file_roots)) == NULL) {
        rc = att_err_set(err, ATT_E_NOMEM, "out of memory");
        goto out;
    }
    b->c.failed += (unsigned)bad; /* a PATH that cannot be read fails the run */
    for (size_t i = 0; i < files.n; i++)
        file_roots[i] = root_of(o, roots, first, i);
    progress_start(&pg, files.n, o->progress == 1 || (o->progress < 0 && !o->quiet &&
                                                         isatty(STDERR_FILENO)));
    rc = build_run(b, nlanes, shards, &files, file_roots, &stop_requested, &pg, err);
    progress_end(&pg);
    if (rc == ATT_OK && !stop_requested)
        rc = remove_vanished(b, shards, o, roots, err);
out:
    walk_list_free(&files);
    free(file_roots);
    free(roots);
    free(first);
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

/* Merge the generations gens[0..n-1] (compacted) into a new one after
 * the last and swap it in (the lock is held); the merged ones are then
 * removed, unless one of them is still live (interrupted: the new one is
 * dropped). */
static int merge_into_live(struct store *s, const unsigned *gens, size_t n, struct att_err *err)
{
    char *src[MAX_JOBS] = {0};
    unsigned next = gens[n - 1] + 1;
    char *dst = store_gen_path(s, next);
    int rc = dst ? ATT_OK : att_err_set(err, ATT_E_NOMEM, "out of memory");

    for (size_t k = 0; rc == ATT_OK && k < n; k++) {
        src[k] = store_gen_path(s, gens[k]);
        if (src[k] == NULL)
            rc = att_err_set(err, ATT_E_NOMEM, "out of memory");
    }
    if (rc == ATT_OK)
        rc = att_xdb_merge((const char *const *)src, n, dst, err);
    if (rc == ATT_OK && !stop_requested)
        rc = store_swap(s, next, err);
    else
        store_remove_gen(s, next);
    for (size_t k = 0; k < n; k++) {
        if (gens[k] != s->gen && s->gen == next)
            store_remove_gen(s, gens[k]);
        free(src[k]);
    }
    free(dst);
    return rc;
}

/* Copy the live generation compacted into the next one and swap it in. */
static int compact_live(struct store *s, struct att_err *err)
{
    return merge_into_live(s, &s->gen, 1, err);
}

/* The revision of the index in dir as readers see it (summed over its
 * shards), before a rebuild replaces it. */
static uint64_t live_revision(const char *dir)
{
    struct att_xdb *db = NULL;
    uint64_t rev = 0;

    if (att_xdb_open(dir, &db, NULL) == ATT_OK)
        rev = att_xdb_revision(db);
    att_xdb_close(db);
    return rev;
}

static int run_exit(const struct run_opts *o, int rc, const struct att_err *err,
                    unsigned failed);

/* One database the run writes: the index folder itself, or one shard. */
struct part {
    struct store *s;
    unsigned gens[MAX_JOBS]; /* [0]: the generation written; then extra lanes' */
    size_t first, nlanes;    /* its writers: run.b[first .. first + nlanes) */
    bool fresh;              /* a first build or a rebuild of this part */
};

/* An indexing run over the whole index. */
struct run {
    struct store top;        /* the index folder: the lock, the stub */
    struct store shard[STORE_MAX_SHARDS];
    struct part part[STORE_MAX_SHARDS];
    unsigned nparts, shards; /* shards: 0 for an unsharded index */
    bool publish;            /* the top stub names the shards at the end */
    uint64_t old_rev;        /* the revision readers saw before the run */
    struct builder b[STORE_MAX_SHARDS];
    struct att_xwdb *w[STORE_MAX_SHARDS];
    size_t nb;
    struct state st;
};

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
 * the passages it keeps to *passages, close them; then put the part's
 * work live: a fresh build merged and compacted into one generation (a
 * database written in one go is about twice the size of its compacted
 * copy, which takes a few percent of the build to make). Interrupted or
 * failed, a fresh build is dropped, save a first build's first lane. */
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
    }
    *passages += kept;
    done = rc == ATT_OK && !stop_requested;
    if (done && p->fresh && kept > 0)
        rc = merge_into_live(p->s, p->gens, p->nlanes, err);
    else if (done && p->gens[0] != p->s->gen)
        rc = store_swap(p->s, p->gens[0], err);
    for (size_t k = 0; k < p->nlanes; k++) {
        if (p->gens[k] != 0 && p->gens[k] != p->s->gen)
            store_remove_gen(p->s, p->gens[k]);
    }
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

static int run_index(struct run_opts *o)
{
    struct run *r = calloc(1, sizeof *r);
    struct att_err err = {0};
    double t0 = progress_now();
    uint32_t passages = 0;
    int rc;

    if (r == NULL) {
        att_log(ATT_ERROR, "%s: out of memory", o->db);
        return EXIT_USAGE;
    }
    for (size_t k = 0; k < STORE_MAX_SHARDS; k++)
        r->shard[k].lock_fd = -1;
    state_init(&r->st);
    rc = open_run(r, o, &err);
    if (rc == ATT_OK)
        rc = index_files(r->b, r->nb, r->shards, o, &err);
    for (unsigned k = 0; k < r->nparts && r->part[k].s != NULL && r->nb > r->part[k].first; k++)
        rc = close_part(r, &r->part[k], rc, &passages, &err);
    if (rc == ATT_OK && !stop_requested && r->publish)
        rc = store_set_shards(&r->top, r->shards, &err);
    else if (rc == ATT_OK && !stop_requested && r->shards == 0 && r->top.shards != 0)
        store_remove_shards(&r->top); /* back to one database */
    for (size_t k = 0; k < STORE_MAX_SHARDS; k++)
        store_close(&r->shard[k]);
    store_close(&r->top);
    /* An interrupted first build keeps what its first lane committed; the
     * next run indexes the rest. */
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
    if (rc == ATT_OK)
        report_summary(o, &r->b[0].c, &r->st, passages, progress_now() - t0, stop_requested);
    state_free(&r->st);
    rc = run_exit(o, rc, &err, r->b[0].c.failed);
    free(r);
    return rc;
}

/* The exit status for a run that ended with rc (err says why). */
static int run_exit(const struct run_opts *o, int rc, const struct att_err *err,
                    unsigned failed)
{
    if (rc != ATT_OK) {
        att_log(ATT_ERROR, "%s: %s", o->db, err->msg);
        return rc == ATT_E_LOCKED ? EXIT_LOCKED : EXIT_USAGE;
    }
    if (stop_requested)
        return EXIT_INTERRUPTED;
    return failed > 0 ? EXIT_FAILED_FILES : 0;
}

/* --compact: each shard in turn, or the index. */
static int run_compact(const struct run_opts *o)
{
    struct store top = {0}, sh = {0};
    struct att_err err = {0};
    int rc = store_open(&top, o->db, o->wait, &err);

    if (rc == ATT_OK && top.gen == 0 && top.shards == 0)
        rc = att_err_set(&err, ATT_E_OPENING, "no index to compact");
    if (rc == ATT_OK && top.shards == 0)
        rc = compact_live(&top, &err);
    for (unsigned k = 0; rc == ATT_OK && k < top.shards && !stop_requested; k++) {
        rc = store_open_shard(&sh, &top, k, top.shards, &err);
        if (rc == ATT_OK && sh.gen != 0)
            rc = compact_live(&sh, &err);
        store_close(&sh);
    }
    if (rc == ATT_OK && !o->quiet && !stop_requested)
        printf("compacted %s: %lld bytes\n", o->db, store_index_size(o->db));
    store_close(&top);
    return run_exit(o, rc, &err, 0);
}

int main(int argc, char **argv)
{
    struct run_opts o = {0};
    struct sigaction sa = {.sa_handler = on_signal};
    int rc;

    att_log_setup("attache-index", ATT_WARN, false);
    rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    if (o.quiet)
        att_log_setup("attache-index", ATT_ERROR, false);
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (o.stats)
        return report_stats(&o);
    if (o.list)
        return report_list(&o);
    if (o.compact)
        return run_compact(&o);
    return run_index(&o);
}
