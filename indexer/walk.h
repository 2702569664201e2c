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
    int64_t size;
    int64_t mtime_ns;
    enum att_format fmt;
};

struct walk_list {
    struct walk_file *v;
    size_t n, cap;
};

struct walk_opts {
    bool follow_symlinks; /* follow every symlink, even out of the folder */
};

/* Append the readable files under arg (a folder, walked recursively, or a
 * single file) to out. Hidden files and folders are skipped; so are files
 * of unknown type and symlinks that lead out of the folder. *complete is
 * set to false when part of a folder could not be read (then nothing under
 * it may be taken as vanished). Returns ATT_OK, ATT_E_IO (arg itself
 * cannot be read; err says why) or ATT_E_NOMEM. */
int walk_collect(const char *arg, const struct walk_opts *o, struct walk_list *out,
                 bool *complete, struct att_err *err);

void walk_list_free(struct walk_list *l);

#endif
