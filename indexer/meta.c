/* attache-index: a cache of the folders' metadata files for one run: a
 * hash table from a folder to its parsed attache-meta.jsonl (or to
 * nothing, when it has none). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "log.h"
#include "meta.h"

struct meta_folder {
    char *dir;              /* the folder's part of the path, '/' included */
    struct att_sidecar sc;  /* empty when it has no metadata file */
};

/* The folder's part of a path, as a key of the cache. */
struct dir_key {
    const char *dir;
    size_t len;
};

static bool is_dir(const void *val, const void *key)
{
    const struct meta_folder *f = val;
    const struct dir_key *k = key;

    return strlen(f->dir) == k->len && memcmp(f->dir, k->dir, k->len) == 0;
}

static void folder_free(struct meta_folder *f)
{
    if (f == NULL)
        return;
    att_sidecar_free(&f->sc);
    free(f->dir);
    free(f);
}

static void warn_line(void *ud, long line, const char *why)
{
    att_log(ATT_WARN, "%s:%ld: %s", (const char *)ud, line, why);
}

/* The metadata file at path into *data (malloc'd, NULL when there is
 * none or it cannot be used, which is logged) and *len. Returns ATT_OK or
 * ATT_E_NOMEM. */
static int read_sidecar(const char *path, char **data, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    size_t size = 0, got = 0;

    *data = NULL;
    *len = 0;
    if (fd < 0) {
        if (errno != ENOENT && errno != ENOTDIR)
            att_log(ATT_WARN, "%s: cannot read: %s; ignored", path, strerror(errno));
        return ATT_OK;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        att_log(ATT_WARN, "%s: not a regular file; ignored", path);
    else if ((size_t)st.st_size > ATT_SIDECAR_MAX_BYTES)
        att_log(ATT_WARN, "%s: %lld bytes, over the limit of %u MB; ignored", path,
                (long long)st.st_size, ATT_SIDECAR_MAX_BYTES >> 20);
    else
        size = (size_t)st.st_size + 1;
    *data = size ? malloc(size) : NULL;
    while (*data != NULL && got + 1 < size) {
        ssize_t n = read(fd, *data + got, size - 1 - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* shrank while read: take what is there */
        got += (size_t)n;
    }
    close(fd);
    *len = got;
    return size > 0 && *data == NULL ? ATT_E_NOMEM : ATT_OK;
}

/* A new entry for the folder dir[0..len), its file read and parsed;
 * NULL when memory ran out. */
static struct meta_folder *load_folder(const char *dir, size_t len)
{
    struct meta_folder *m = calloc(1, sizeof *m);
    char *path = m ? malloc(len + sizeof ATT_SIDECAR_NAME) : NULL;
    struct att_err err = {0};
    char *data = NULL;
    size_t n = 0;
    int rc = path ? ATT_OK : ATT_E_NOMEM;

    if (rc == ATT_OK) {
        m->dir = strndup(dir, len);
        memcpy(path, dir, len);
        memcpy(path + len, ATT_SIDECAR_NAME, sizeof ATT_SIDECAR_NAME);
        rc = m->dir ? read_sidecar(path, &data, &n) : ATT_E_NOMEM;
    }
    if (rc == ATT_OK && data != NULL)
        rc = att_sidecar_parse(data, n, &m->sc, warn_line, path, &err);
    free(data);
    free(path);
    if (rc != ATT_OK) {
        folder_free(m);
        m = NULL;
    }
    return m;
}

int meta_for_file(struct meta_cache *c, const char *path, struct att_sidecar_set *set,
                  char hash[17])
{
    const char *slash = strrchr(path, '/');
    struct dir_key k = {path, slash ? (size_t)(slash - path) + 1 : 0};
    uint64_t h = XXH3_64bits(path, k.len);
    struct meta_folder *f = att_map_get(&c->map, h, is_dir, &k);

    set->n = 0;
    hash[0] = '\0';
    if (f == NULL) {
        f = load_folder(path, k.len);
        if (f == NULL || att_map_put(&c->map, h, f, is_dir, &k) != ATT_OK) {
            folder_free(f);
            return ATT_E_NOMEM;
        }
    }
    att_sidecar_match(&f->sc, path + k.len, set);
    att_sidecar_hash(set, hash);
    return ATT_OK;
}

void meta_cache_free(struct meta_cache *c)
{
    for (size_t i = 0; i < c->map.nslots; i++)
        folder_free(c->map.slots[i].val);
    att_map_free(&c->map);
}
