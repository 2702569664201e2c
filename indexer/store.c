/* attache-index: lock, stub and generations of an index folder. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "store.h"
#include "stub.h"

static char *path_join(const char *a, const char *b)
{
    char *p = NULL;

    if (asprintf(&p, "%s/%s", a, b) < 0)
        return NULL;
    return p;
}

char *store_gen_path(const struct store *s, unsigned gen)
{
    char name[32];

    snprintf(name, sizeof name, "g%u", gen);
    return path_join(s->dir, name);
}

/* What dir's stub names: a generation (*gen), or the shards of a sharded
 * index (*shards = N); zeros when it names neither. */
static int read_stub(const char *dir, unsigned *gen, unsigned *shards, struct att_err *err)
{
    struct att_stub st;
    int rc = att_stub_read(dir, &st, err);

    *gen = st.gen;
    *shards = st.shards;
    att_stub_free(&st);
    return rc;
}

unsigned store_shard_of(const char *id, unsigned n)
{
    return n <= 1 ? 0 : (unsigned)(XXH3_64bits(id, strlen(id)) % n);
}

char *store_shard_dir(const char *dir, unsigned k, unsigned n)
{
    char name[32];

    snprintf(name, sizeof name, "s%uof%u", k, n);
    return path_join(dir, name);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    if (flag == FTW_DP)
        return rmdir(path);
    return unlink(path);
}

static void rm_tree(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void store_rm_tree(const char *path)
{
    rm_tree(path);
}

void store_remove_gen(const struct store *s, unsigned gen)
{
    char *p = store_gen_path(s, gen);

    if (p != NULL)
        rm_tree(p);
    free(p);
}

/* Remove every gN folder but the live one, and every shard folder the
 * stub does not name: leftovers of an interrupted rebuild, compaction,
 * first build or change of shard count. */
static void remove_strays(struct store *s)
{
    DIR *d = opendir(s->dir);
    struct dirent *e;

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        unsigned g, k, n;
        char tail;

        if (sscanf(e->d_name, "g%u%c", &g, &tail) == 1 && g != s->gen) {
            store_remove_gen(s, g);
        } else if (sscanf(e->d_name, "s%uof%u%c", &k, &n, &tail) == 2 && n != s->shards) {
            char *p = path_join(s->dir, e->d_name);

            if (p != NULL)
                rm_tree(p);
            free(p);
        }
    }
    closedir(d);
}

static int take_lock(struct store *s, double wait_s, struct att_err *err)
{
    char *p = path_join(s->dir, "attache.lock");
    struct timespec t0, now;
    char pid[32] = "";

    if (p == NULL)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    s->lock_fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (s->lock_fd < 0) {
        att_err_set(err, ATT_E_IO, "cannot open lock %s: %s", p, strerror(errno));
        free(p);
        return ATT_E_IO;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        double waited = (double)(now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9;

        if (errno != EWOULDBLOCK || waited >= wait_s) {
            ssize_t n = pread(s->lock_fd, pid, sizeof pid - 1, 0);

            pid[n > 0 ? n : 0] = '\0';
            pid[strcspn(pid, "\n")] = '\0';
            att_err_set(err, ATT_E_LOCKED, "index is locked by another attache-index%s%s%s "
                        "(lock %s)", *pid ? " (pid " : "", pid, *pid ? ")" : "", p);
            free(p);
            return ATT_E_LOCKED;
        }
        /* Another writer holds it: poll its release until the deadline. */
        nanosleep(&(struct timespec){.tv_nsec = 50 * 1000 * 1000}, NULL);
    }
    free(p);
    snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(s->lock_fd, 0) != 0 || pwrite(s->lock_fd, pid, strlen(pid), 0) < 0)
        return att_err_set(err, ATT_E_IO, "cannot write lock file: %s", strerror(errno));
    return ATT_OK;
}

int store_open(struct store *s, const char *dir, double wait_s, struct att_err *err)
{
    struct stat st;
    char *glass;
    int rc;

    s->lock_fd = -1;
    s->gen = 0;
    s->dir = strdup(dir);
    if (s->dir == NULL)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return att_err_set(err, ATT_E_IO, "cannot create %s: %s", dir, strerror(errno));
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return att_err_set(err, ATT_E_OPENING, "%s is not a folder", dir);
    glass = path_join(dir, "iamglass");
    rc = glass != NULL && access(glass, F_OK) == 0;
    free(glass);
    if (rc)
        return att_err_set(err, ATT_E_OPENING, "%s is a plain Xapian database, not an attache "
                           "index; give attache-index a new folder", dir);
    rc = take_lock(s, wait_s, err);
    if (rc != ATT_OK)
        return rc;
    rc = read_stub(dir, &s->gen, &s->shards, err);
    if (rc != ATT_OK)
        return rc;
    remove_strays(s);
    return ATT_OK;
}

int store_open_shard(struct store *s, const struct store *top, unsigned k, unsigned n,
                     struct att_err *err)
{
    char *dir = store_shard_dir(top->dir, k, n);
    int rc;

    if (dir == NULL) {
        s->dir = NULL;
        s->lock_fd = -1;
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    }
    rc = store_open(s, dir, 0, err);
    free(dir);
    return rc;
}

int store_set_shards(struct store *top, unsigned n, struct att_err *err)
{
    int rc = att_stub_write(top->dir, 0, n, err);

    if (rc != ATT_OK)
        return rc;
    top->gen = 0;
    top->shards = n;
    remove_strays(top);
    return ATT_OK;
}

void store_remove_shards(const struct store *top)
{
    struct store s = *top;

    s.shards = 0; /* no shard folder is named any more */
    remove_strays(&s);
}

void store_close(struct store *s)
{
    if (s->lock_fd >= 0)
        close(s->lock_fd); /* releases the flock */
    s->lock_fd = -1;
    free(s->dir);
    s->dir = NULL;
}

int store_swap(struct store *s, unsigned gen, struct att_err *err)
{
    unsigned old = s->gen;
    int rc = att_stub_write(s->dir, gen, 0, err);

    if (rc != ATT_OK)
        return rc;
    s->gen = gen;
    if (old != 0 && old != gen)
        store_remove_gen(s, old);
    return ATT_OK;
}

static long long total_size;

static int add_size(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)path;
    (void)ftw;
    if (flag == FTW_F)
        total_size += (long long)sb->st_size;
    return 0;
}

long long store_size(const struct store *s)
{
    char *p = store_gen_path(s, s->gen);

    total_size = 0;
    if (p != NULL)
        nftw(p, add_size, 16, FTW_PHYS);
    free(p);
    return total_size;
}

char *store_peek(const char *dir, struct att_err *err)
{
    struct store s = {.dir = (char *)dir, .lock_fd = -1};
    char *p;

    if (read_stub(dir, &s.gen, &s.shards, err) != ATT_OK)
        return NULL;
    if (s.gen == 0 && s.shards == 0) {
        att_err_set(err, ATT_E_OPENING, "no attache index in %s", dir);
        return NULL;
    }
    p = s.shards ? strdup(dir) : store_gen_path(&s, s.gen);
    if (p == NULL)
        att_err_set(err, ATT_E_NOMEM, "out of memory");
    return p;
}

long long store_index_size(const char *dir)
{
    struct store s = {.dir = (char *)dir, .lock_fd = -1};
    long long sum = 0;

    read_stub(dir, &s.gen, &s.shards, NULL);
    if (s.shards == 0)
        return store_size(&s);
    for (unsigned k = 0; k < s.shards; k++) {
        char *sd = store_shard_dir(dir, k, s.shards);

        if (sd != NULL)
            sum += store_index_size(sd);
        free(sd);
    }
    return sum;
}
