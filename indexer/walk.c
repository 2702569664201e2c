/* attache-index: walking folders with fts(3). */
#include <errno.h>
#include <fts.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "log.h"
#include "sidecar.h"
#include "walk.h"

void walk_list_free(struct walk_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].path);
        free(l->v[i].id);
    }
    for (size_t i = 0; i < l->nroots; i++)
        free(l->roots[i].real);
    free(l->v);
    free(l->roots);
    memset(l, 0, sizeof *l);
}

bool walk_complete(const struct walk_list *l, const char *root)
{
    for (size_t i = 0; i < l->nroots; i++) {
        if (l->roots[i].complete && strcmp(l->roots[i].real, root) == 0)
            return true;
    }
    return false;
}

/* A folder's metadata file: read for the files beside it, never indexed. */
static bool is_sidecar(const char *name)
{
    return strcmp(name, ATT_SIDECAR_NAME) == 0;
}

static int by_name(const FTSENT **a, const FTSENT **b)
{
    return strcmp((*a)->fts_name, (*b)->fts_name);
}

/* Append a file found under root (NULL: a file argument). */
static int push(struct walk_list *l, const struct walk_root *root, const char *path,
                const char *id, const struct stat *st)
{
    struct walk_file *f;

    /* The ceiling is the address space: only memory limits the walk. */
    if (att_grow(&l->v, &l->cap, l->n + 1, sizeof *l->v, SIZE_MAX / sizeof *l->v) != ATT_OK)
        return ATT_E_NOMEM;
    f = &l->v[l->n];
    f->root = root ? root->real : NULL;
    f->path = strdup(path);
    f->id = strdup(id);
    if (f->path == NULL || f->id == NULL) {
        free(f->path);
        free(f->id);
        return ATT_E_NOMEM;
    }
    f->size = (int64_t)st->st_size;
    f->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
    f->fmt = att_format_for_path(path);
    l->n++;
    return ATT_OK;
}

/* A symlink met in a physical walk: follow it only to a regular file that
 * lies inside the folder being walked. */
static bool link_inside(const char *path, const char *root_real, struct stat *st)
{
    char real[PATH_MAX];
    size_t n = strlen(root_real);

    if (realpath(path, real) == NULL || stat(real, st) != 0 || !S_ISREG(st->st_mode))
        return false;
    return strncmp(real, root_real, n) == 0 && (real[n] == '/' || real[n] == '\0');
}

static int visit(FTS *fts, FTSENT *e, struct walk_root *root, size_t arglen,
                 struct walk_list *out)
{
    struct stat lst;
    const struct stat *st = e->fts_statp;
    const char *id = e->fts_path + arglen;

    while (*id == '/')
        id++;
    if (e->fts_level > 0 && e->fts_name[0] == '.') {
        if (e->fts_info == FTS_D)
            fts_set(fts, e, FTS_SKIP);
        return ATT_OK;
    }
    switch (e->fts_info) {
    case FTS_F:
        break;
    case FTS_SL:
        if (att_format_for_path(e->fts_name) == ATT_FMT_NONE || is_sidecar(e->fts_name))
            return ATT_OK;
        if (!link_inside(e->fts_accpath, root->real, &lst)) {
            att_log(ATT_WARN, "%s: symlink leads out of the folder or to no file; not followed "
                    "(see --follow-symlinks)", e->fts_path);
            return ATT_OK;
        }
        st = &lst;
        break;
    case FTS_DNR:
    case FTS_ERR:
    case FTS_NS:
        att_log(ATT_ERROR, "%s: %s", e->fts_path, strerror(e->fts_errno));
        root->complete = false;
        return ATT_OK;
    case FTS_SLNONE: /* --follow-symlinks: a link to nothing */
        if (att_format_for_path(e->fts_name) != ATT_FMT_NONE)
            att_log(ATT_WARN, "%s: symlink leads to no file; skipped", e->fts_path);
        return ATT_OK;
    case FTS_DC:
        att_log(ATT_WARN, "%s: folder loop, not walked again", e->fts_path);
        return ATT_OK;
    default:
        return ATT_OK;
    }
    if (att_format_for_path(e->fts_name) == ATT_FMT_NONE || is_sidecar(e->fts_name))
        return ATT_OK;
    return push(out, root, e->fts_path, *id ? id : e->fts_name, st);
}

/* Add the folder whose real path is real to l's roots; NULL when out of
 * memory. The pointer is valid until the next root is added. */
static struct walk_root *add_root(struct walk_list *l, const char *real)
{
    struct walk_root *r;

    if (att_grow(&l->roots, &l->rcap, l->nroots + 1, sizeof *l->roots,
                 SIZE_MAX / sizeof *l->roots) != ATT_OK)
        return NULL;
    r = &l->roots[l->nroots];
    r->real = strdup(real);
    r->complete = true;
    if (r->real == NULL)
        return NULL;
    l->nroots++;
    return r;
}

/* Walk the folder arg (whose real path root holds) into out. */
static int walk_folder(const char *arg, const struct walk_opts *o, struct walk_root *root,
                       struct walk_list *out, struct att_err *err)
{
    char *argv[2] = {(char *)arg, NULL};
    FTS *fts = fts_open(argv, (o->follow_symlinks ? FTS_LOGICAL : FTS_PHYSICAL) | FTS_NOCHDIR,
                        by_name);
    size_t arglen = strlen(arg);
    FTSENT *e;
    int rc = ATT_OK;

    if (fts == NULL) {
        root->complete = false;
        return att_err_set(err, ATT_E_IO, "%s: %s", arg, strerror(errno));
    }
    for (;;) {
        errno = 0;
        e = fts_read(fts);
        if (e == NULL)
            break;
        rc = visit(fts, e, root, arglen, out);
        if (rc != ATT_OK)
            break;
    }
    if (e == NULL && errno != 0) {
        att_log(ATT_ERROR, "%s: %s", arg, strerror(errno));
        root->complete = false;
    }
    fts_close(fts);
    if (rc == ATT_E_NOMEM)
        att_err_set(err, rc, "out of memory walking %s", arg);
    return rc;
}

int walk_collect(const char *arg, const struct walk_opts *o, struct walk_list *out,
                 struct att_err *err)
{
    char root_real[PATH_MAX];
    struct walk_root *root;
    struct stat st;

    if (stat(arg, &st) != 0 || realpath(arg, root_real) == NULL)
        return att_err_set(err, ATT_E_IO, "%s: %s", arg, strerror(errno));
    if (!S_ISDIR(st.st_mode)) {
        const char *base = strrchr(arg, '/');

        if (is_sidecar(base ? base + 1 : arg))
            return ATT_OK;
        if (push(out, NULL, arg, base ? base + 1 : arg, &st) != ATT_OK)
            return att_err_set(err, ATT_E_NOMEM, "out of memory walking %s", arg);
        return ATT_OK;
    }
    root = add_root(out, root_real);
    if (root == NULL)
        return att_err_set(err, ATT_E_NOMEM, "out of memory walking %s", arg);
    return walk_folder(arg, o, root, out, err);
}
