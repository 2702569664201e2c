/* attache-index: finds the files to index under each path argument, in a
 * stable order, with their ids, sizes and times. Reads no file contents. */
#ifndef ATT_WALK_H
#define ATT_WALK_H

#include <stdbool.h>
#include <stdint.h>

#include "attache/doc.h"

struct walk_file {
    char *path;        /* as opened: the argument joined with the id */
    char *id;          /* path relative to the argument (its name for a file) */
    const char *root;  /* the real path of the folder argument it was found
                        * under, NULL for a file argument; borrowed from the
                        * list (its roots) */
    int64_t size;
    int64_t mtime_ns;
    enum att_format fmt;
};

/* A folder argument walked. */
struct walk_root {
    char *real;        /* its real path */
    bool complete;     /* every part of it could be read */
};

struct walk_list {
    struct walk_file *v;
    size_t n, cap;
    struct walk_root *roots; /* in the order walked */
    size_t nroots, rcap;
};

struct walk_opts {
    bool follow_symlinks; /* follow every symlink, even out of the folder */
};

/* Append the readable files under arg (a folder, walked recursively, or a
 * single file) to out, each with its root. Hidden files and folders are
 * skipped; so are files of unknown type, symlinks that lead out of the
 * folder and metadata files (attache-meta.jsonl, read by meta.c). A
 * folder is added to out's roots, marked incomplete when part of it could
 * not be read (then nothing under it may be taken as vanished).
 * Returns ATT_OK, ATT_E_IO (arg itself cannot be read; err says why) or
 * ATT_E_NOMEM. */
int walk_collect(const char *arg, const struct walk_opts *o, struct walk_list *out,
                 struct att_err *err);

/* True when root (a real path) is a folder of l walked in full: a file
 * recorded under it that the walk did not find has vanished. */
bool walk_complete(const struct walk_list *l, const char *root);

void walk_list_free(struct walk_list *l);

#endif
