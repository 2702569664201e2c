/* attache-index: --snapshot (a compacted copy of the live index, read at
 * one moment without the writer lock, renamed into place when complete)
 * and --restore (a snapshot copied in as new generations and swapped in). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attache/index.h"
#include "log.h"
#include "progress.h"
#include "snapshot.h"
#include "store.h"
#include "stub.h"
#include "terms.h"

static char *join(const char *a, const char *b)
{
    char *p = NULL;

    return asprintf(&p, "%s/%s", a, b) < 0 ? NULL : p;
}

/* An entry a snapshot writes: a stub, its temporary, a generation, a
 * shard folder. */
static bool ours(const char *name)
{
    unsigned a, b;
    char tail;

    return strcmp(name, ATT_STUB_NAME) == 0 || strcmp(name, ATT_STUB_NAME ".tmp") == 0 ||
           sscanf(name, "g%u%c", &a, &tail) == 1 || sscanf(name, "s%uof%u%c", &a, &b, &tail) == 2;
}

/* Whether folder dir holds entries: any (*others counts those a snapshot
 * does not write). -1 when it cannot be read. */
static int count_entries(const char *dir, size_t *others)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    *others = 0;
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n++;
        *others += !ours(e->d_name);
    }
    closedir(d);
    return n;
}

/* DIR: missing, or an empty folder. */
static int check_target(const char *dir, struct att_err *err)
{
    struct stat sb;
    size_t others;

    if (lstat(dir, &sb) != 0)
        return errno == ENOENT ? ATT_OK
                               : att_err_set(err, ATT_E_IO, "%s: %s", dir, strerror(errno));
    if (!S_ISDIR(sb.st_mode) || count_entries(dir, &others) != 0)
        return att_err_set(err, ATT_E_OPENING, "%s exists and is not an empty folder: a "
                           "snapshot goes into a new or empty one", dir);
    return ATT_OK;
}

/* Remove tmp when it is the leftover of an interrupted snapshot. */
static int clear_tmp(const char *tmp, struct att_err *err)
{
    size_t others;
    int n = count_entries(tmp, &others);

    if (n < 0 && errno == ENOENT)
        return ATT_OK;
    if (n < 0 || others > 0)
        return att_err_set(err, ATT_E_OPENING, "%s exists and is not the leftover of a "
                           "snapshot: remove it or choose another DIR", tmp);
    store_rm_tree(tmp);
    return ATT_OK;
}

/* Sources and destinations of one copy: n databases. */
struct copy {
    char *src[STORE_MAX_SHARDS], *dst[STORE_MAX_SHARDS], *sub[STORE_MAX_SHARDS];
    size_t n;
};

static void copy_free(struct copy *c)
{
    for (size_t k = 0; k < STORE_MAX_SHARDS; k++) {
        free(c->src[k]);
        free(c->dst[k]);
        free(c->sub[k]);
    }
    memset(c, 0, sizeof *c);
}

/* Plan the copy of db (shards of it, or none) into tmp: tmp/g1, or
 * tmp/sKofN/g1, their folders made. */
static int plan(struct copy *c, const char *db, unsigned shards, const char *tmp,
                struct att_err *err)
{
    c->n = shards ? shards : 1;
    if (mkdir(tmp, 0755) != 0)
        return att_err_set(err, ATT_E_IO, "cannot create %s: %s", tmp, strerror(errno));
    for (unsigned k = 0; k < c->n; k++) {
        c->src[k] = shards ? store_shard_dir(db, k, shards) : strdup(db);
        c->sub[k] = shards ? store_shard_dir(tmp, k, shards) : strdup(tmp);
        c->dst[k] = c->sub[k] ? join(c->sub[k], "g1") : NULL;
        if (c->src[k] == NULL || c->dst[k] == NULL)
            return att_err_set(err, ATT_E_NOMEM, "out of memory");
        if (shards && mkdir(c->sub[k], 0755) != 0)
            return att_err_set(err, ATT_E_IO, "cannot create %s: %s", c->sub[k],
                               strerror(errno));
    }
    return ATT_OK;
}

/* What the stub of dir names: *gen or *shards (zeros: no index). */
static int layout(const char *dir, unsigned *gen, unsigned *shards, struct att_err *err)
{
    struct att_stub st;
    int rc = att_stub_read(dir, &st, err);

    *gen = st.gen;
    *shards = st.shards;
    att_stub_free(&st);
    if (rc == ATT_OK && *gen == 0 && *shards == 0)
        rc = att_err_set(err, ATT_E_OPENING, "no attache index in %s", dir);
    return rc;
}

/* One try: the live index of db copied into tmp (made afresh), with its
 * stubs. ATT_E_MODIFIED when the layout changed meanwhile too. */
static int copy_once(const char *db, const char *tmp, struct att_err *err)
{
    struct copy c = {0};
    unsigned gen, shards, gen2, shards2;
    int rc = layout(db, &gen, &shards, err);

    if (rc == ATT_OK)
        rc = plan(&c, db, shards, tmp, err);
    if (rc == ATT_OK)
        rc = att_xdb_copy((const char *const *)c.src, c.n, (const char *const *)c.dst, err);
    for (size_t k = 0; rc == ATT_OK && shards && k < c.n; k++)
        rc = att_stub_write(c.sub[k], 1, 0, err);
    if (rc == ATT_OK)
        rc = att_stub_write(tmp, shards ? 0 : 1, shards, err);
    /* A reshard swaps the top stub: the shards copied must be the ones
     * it named when the copy began. */
    if (rc == ATT_OK && layout(db, &gen2, &shards2, err) == ATT_OK && shards2 != shards)
        rc = att_err_set(err, ATT_E_MODIFIED, "%s was resharded during the copy", db);
    copy_free(&c);
    return rc;
}

/* The copy into tmp, tried again when a writer overtook it. */
static int copy_tries(const char *db, const char *tmp, struct att_err *err)
{
    int rc = ATT_E_MODIFIED;

    for (int i = 0; i < SNAPSHOT_TRIES && (rc == ATT_E_MODIFIED || rc == ATT_E_OPENING); i++) {
        if (i > 0)
            att_log(ATT_INFO, "%s: copying again (%s)", db, err->msg);
        store_rm_tree(tmp);
        rc = copy_once(db, tmp, err);
    }
    if (rc != ATT_OK)
        store_rm_tree(tmp);
    return rc;
}

/* The copy, without a lock; when writers overtook every try (they commit
 * faster than a copy takes), once more under the writer lock, waited for
 * up to wait_s seconds. */
static int copy_live(const char *db, const char *tmp, double wait_s, struct att_err *err)
{
    struct store lock = {.lock_fd = -1};
    int rc = copy_tries(db, tmp, err);

    if (rc != ATT_E_MODIFIED)
        return rc;
    att_log(ATT_WARN, "%s: the index changed under %d copies: copying under the writer lock",
            db, SNAPSHOT_TRIES);
    rc = store_open(&lock, db, wait_s, err);
    if (rc == ATT_E_LOCKED)
        att_err_set(err, rc, "the index changed under %d copies, and an indexer holds it: "
                    "try again, or add --wait SECONDS to copy it once it is free",
                    SNAPSHOT_TRIES);
    if (rc == ATT_OK)
        rc = copy_once(db, tmp, err);
    if (rc != ATT_OK)
        store_rm_tree(tmp);
    store_close(&lock);
    return rc;
}

/* Make the rename of dir's entry durable. */
static void sync_parent(const char *dir)
{
    char *copy = strdup(dir), *slash = copy ? strrchr(copy, '/') : NULL;
    int fd;

    if (copy == NULL)
        return;
    if (slash == copy)
        slash[1] = '\0';
    else if (slash != NULL)
        *slash = '\0';
    fd = open(slash ? copy : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(copy);
}

/* The passages and revision of the index in dir: it must open. */
static int figures(const char *dir, struct att_xdb_info *info, struct att_err *err)
{
    struct att_xdb *db = NULL;
    int rc = att_xdb_open(dir, &db, err);

    if (rc == ATT_OK)
        rc = att_xdb_get_info(db, info, false, err);
    att_xdb_close(db);
    return rc;
}

int snapshot_take(const struct run_opts *o, struct att_err *err)
{
    double t0 = progress_now();
    struct att_xdb_info info;
    char *tmp = NULL;
    bool made = false;
    int rc = check_target(o->snapshot, err);

    if (rc == ATT_OK && asprintf(&tmp, "%s.tmp", o->snapshot) < 0)
        rc = att_err_set(err, ATT_E_NOMEM, "out of memory");
    if (rc == ATT_OK)
        rc = clear_tmp(tmp, err);
    if (rc == ATT_OK)
        rc = copy_live(o->db, tmp, o->wait, err);
    made = rc == ATT_OK;
    if (rc == ATT_OK)
        rc = figures(tmp, &info, err);
    /* rename(2) replaces an empty folder as well as no folder. */
    if (rc == ATT_OK && rename(tmp, o->snapshot) != 0)
        rc = att_err_set(err, ATT_E_IO, "cannot rename %s to %s: %s", tmp, o->snapshot,
                         strerror(errno));
    if (rc == ATT_OK)
        sync_parent(o->snapshot);
    else if (made)
        store_rm_tree(tmp);
    if (rc == ATT_OK && !o->quiet)
        printf("snapshot of %s in %s: %u passages, revision %llu, %lld bytes in %.1f s\n",
               o->db, o->snapshot, info.doccount, (unsigned long long)info.revision,
               store_index_size(o->snapshot), progress_now() - t0);
    free(tmp);
    return rc;
}

/* ---- restore ------------------------------------------------------- */

/* A snapshot's databases: the generation folders its stubs name. */
struct snap {
    char *gen[STORE_MAX_SHARDS];
    unsigned shards; /* 0: unsharded, gen[0] */
};

static void snap_free(struct snap *s)
{
    for (size_t k = 0; k < STORE_MAX_SHARDS; k++)
        free(s->gen[k]);
    memset(s, 0, sizeof *s);
}

/* The generation the stub of dir names into *out (malloc'd). */
static int named_gen(const char *dir, const char *what, char **out, struct att_err *err)
{
    struct att_stub st;
    int rc = att_stub_read(dir, &st, err);

    if (rc == ATT_OK && !st.found)
        rc = att_err_set(err, ATT_E_OPENING, "%s holds no %s stub: not an attache index "
                         "folder", what, ATT_STUB_NAME);
    else if (rc == ATT_OK && st.gen == 0)
        rc = att_err_set(err, ATT_E_OPENING, "the stub of %s names %s, not a generation: "
                         "not an attache index of this layout", what,
                         st.shards ? "shards" : "no database");
    if (rc == ATT_OK && (*out = strdup(st.dbs[0])) == NULL)
        rc = att_err_set(err, ATT_E_NOMEM, "out of memory");
    att_stub_free(&st);
    return rc;
}

/* Read dir as a snapshot: a folder, an attache index folder (not a bare
 * Xapian database) whose stub names a generation or shards that each
 * name one, all of this attache's index format. */
static int snap_read(const char *dir, struct snap *s, struct att_err *err)
{
    struct stat sb;
    struct att_xdb *db = NULL;
    char *glass = join(dir, "iamglass");
    unsigned gen = 0;
    int rc = glass ? ATT_OK : att_err_set(err, ATT_E_NOMEM, "out of memory");

    if (rc == ATT_OK && (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)))
        rc = att_err_set(err, ATT_E_OPENING, "%s is not a folder", dir);
    else if (rc == ATT_OK && access(glass, F_OK) == 0)
        rc = att_err_set(err, ATT_E_OPENING, "%s is a plain Xapian database, not an attache "
                         "index folder", dir);
    free(glass);
    if (rc == ATT_OK)
        rc = layout(dir, &gen, &s->shards, err);
    if (rc == ATT_OK && s->shards == 0)
        rc = named_gen(dir, dir, &s->gen[0], err);
    for (unsigned k = 0; rc == ATT_OK && k < s->shards; k++) {
        char *sub = store_shard_dir(dir, k, s->shards);

        rc = sub ? named_gen(sub, sub, &s->gen[k], err)
                 : att_err_set(err, ATT_E_NOMEM, "out of memory");
        free(sub);
    }
    if (rc == ATT_OK)
        rc = att_xdb_open(dir, &db, err); /* every database, its format checked */
    att_xdb_close(db);
    return rc;
}

/* The revision readers of dir see (0: none, or no index). */
static uint64_t revision_of(const char *dir)
{
    struct att_xdb *db = NULL;
    uint64_t rev = 0;

    if (att_xdb_open(dir, &db, NULL) == ATT_OK)
        rev = att_xdb_revision(db);
    att_xdb_close(db);
    return rev;
}

/* Add more to the attache revision of the database at path (one commit). */
static int raise_revision(const char *path, uint64_t more, struct att_err *err)
{
    struct att_xwdb *w = NULL;
    char *val = NULL, num[32];
    int rc = att_xwdb_open(path, 0, &w, err);

    if (rc == ATT_OK)
        rc = att_xwdb_get_meta(w, ATT_META_REVISION, strlen(ATT_META_REVISION), &val, NULL,
                               err);
    if (rc == ATT_OK) {
        snprintf(num, sizeof num, "%llu",
                 (val ? strtoull(val, NULL, 10) : 0) + (unsigned long long)more);
        rc = att_xwdb_set_meta(w, ATT_META_REVISION, strlen(ATT_META_REVISION), num,
                               strlen(num), err);
    }
    if (rc == ATT_OK)
        rc = att_xwdb_commit(w, err);
    free(val);
    att_xwdb_close(w);
    return rc;
}

/* The restore under way: the locked index, its stores, the new gens. */
struct restore {
    struct store top, sh[STORE_MAX_SHARDS];
    struct store *to[STORE_MAX_SHARDS]; /* where each snapshot database goes */
    unsigned gen[STORE_MAX_SHARDS];     /* the new generation there */
    size_t n;
};

/* Copy each database of the snapshot in as the next generation of its
 * store (shards of the snapshot's count opened, made when new). */
static int copy_in(struct restore *r, const struct snap *s, struct att_err *err)
{
    int rc = ATT_OK;

    r->n = s->shards ? s->shards : 1;
    for (size_t k = 0; rc == ATT_OK && k < r->n; k++) {
        char *path;

        r->to[k] = s->shards ? &r->sh[k] : &r->top;
        if (s->shards)
            rc = store_open_shard(&r->sh[k], &r->top, (unsigned)k, s->shards, err);
        if (rc != ATT_OK)
            break;
        r->gen[k] = r->to[k]->gen + 1;
        path = store_gen_path(r->to[k], r->gen[k]);
        rc = path ? att_xdb_compact(s->gen[k], path, err)
                  : att_err_set(err, ATT_E_NOMEM, "out of memory");
        free(path);
    }
    return rc;
}

/* Swap the copies in: each store's stub, then the top stub when the
 * layout changed (its old databases are then removed). */
static int swap_in(struct restore *r, unsigned shards, struct att_err *err)
{
    bool was_sharded = r->top.shards != 0;
    int rc = ATT_OK;

    for (size_t k = 0; rc == ATT_OK && k < r->n; k++)
        rc = store_swap(r->to[k], r->gen[k], err);
    if (rc == ATT_OK && shards != 0 && r->top.shards != shards)
        rc = store_set_shards(&r->top, shards, err);
    else if (rc == ATT_OK && shards == 0 && was_sharded)
        store_remove_shards(&r->top);
    return rc;
}

int snapshot_restore(const struct run_opts *o, struct att_err *err)
{
    struct restore *r = calloc(1, sizeof *r);
    struct snap s = {0};
    char real_db[PATH_MAX], real_snap[PATH_MAX];
    uint64_t old_rev, snap_rev;
    int rc = r ? snap_read(o->restore, &s, err) : att_err_set(err, ATT_E_NOMEM, "out of memory");

    if (rc == ATT_OK && realpath(o->db, real_db) && realpath(o->restore, real_snap) &&
        strcmp(real_db, real_snap) == 0)
        rc = att_err_set(err, ATT_E_OPENING, "%s is the index itself", o->restore);
    for (size_t k = 0; r != NULL && k < STORE_MAX_SHARDS; k++)
        r->sh[k].lock_fd = -1;
    if (rc == ATT_OK)
        rc = store_open(&r->top, o->db, o->wait, err);
    old_rev = rc == ATT_OK ? revision_of(o->db) : 0;
    snap_rev = revision_of(o->restore);
    if (rc == ATT_OK)
        rc = copy_in(r, &s, err);
    /* Readers must never see the revision go back. */
    if (rc == ATT_OK && snap_rev <= old_rev) {
        char *first = store_gen_path(r->to[0], r->gen[0]);

        rc = first ? raise_revision(first, old_rev + 1 - snap_rev, err)
                   : att_err_set(err, ATT_E_NOMEM, "out of memory");
        free(first);
    }
    if (rc == ATT_OK)
        rc = swap_in(r, s.shards, err);
    for (size_t k = 0; r != NULL && k < r->n; k++) {
        if (r->to[k] != NULL && r->gen[k] != 0 && r->gen[k] != r->to[k]->gen)
            store_remove_gen(r->to[k], r->gen[k]);
        store_close(&r->sh[k]);
    }
    if (rc == ATT_OK && !o->quiet)
        printf("restored %s from %s: revision %llu\n", o->db, o->restore,
               (unsigned long long)revision_of(o->db));
    if (r != NULL)
        store_close(&r->top);
    snap_free(&s);
    free(r);
    return rc;
}
