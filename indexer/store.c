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

#include "store.h"

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

/* The generation a stub names ("auto gN"), 0 when none or unreadable. */
static unsigned read_stub_gen(const char *dir)
{
    char *p = path_join(dir, "XAPIANDB");
    FILE *f = p ? fopen(p, "r") : NULL;
    unsigned gen = 0;

    if (f != NULL) {
        if (fscanf(f, "auto g%u", &gen) != 1)
            gen = 0;
        fclose(f);
    }
    free(p);
    return gen;
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

void store_remove_gen(const struct store *s, unsigned gen)
{
    char *p = store_gen_path(s, gen);

    if (p != NULL)
        rm_tree(p);
    free(p);
}

/* Remove every gN folder but the live one: leftovers of an interrupted
 * rebuild, compaction or first build. */
static void remove_strays(struct store *s)
{
    DIR *d = opendir(s->dir);
    struct dirent *e;

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        unsigned g;
        char tail;

        if (sscanf(e->d_name, "g%u%c", &g, &tail) == 1 && g != s->gen)
            store_remove_gen(s, g);
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
    s->gen = read_stub_gen(dir);
    remove_strays(s);
    return ATT_OK;
}

void store_close(struct store *s)
{
    if (s->lock_fd >= 0)
        close(s->lock_fd); /* releases the flock */
    s->lock_fd = -1;
    free(s->dir);
    s->dir = NULL;
}

static int fsync_path(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    int rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

int store_swap(struct store *s, unsigned gen, struct att_err *err)
{
    char *tmp = path_join(s->dir, "XAPIANDB.tmp");
    char *stub = path_join(s->dir, "XAPIANDB");
    unsigned old = s->gen;
    FILE *f = tmp ? fopen(tmp, "w") : NULL;
    int rc = ATT_OK;

    if (f == NULL || stub == NULL) {
        rc = att_err_set(err, ATT_E_IO, "cannot write stub in %s: %s", s->dir, strerror(errno));
        goto out;
    }
    fprintf(f, "auto g%u\n", gen);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        fclose(f);
        rc = att_err_set(err, ATT_E_IO, "cannot write %s: %s", tmp, strerror(errno));
        goto out;
    }
    fclose(f);
    if (rename(tmp, stub) != 0) {
        rc = att_err_set(err, ATT_E_IO, "cannot rename %s: %s", tmp, strerror(errno));
        goto out;
    }
    fsync_path(s->dir, O_RDONLY | O_DIRECTORY);
    s->gen = gen;
    if (old != 0 && old != gen)
        store_remove_gen(s, old);
out:
    free(tmp);
    free(stub);
    return rc;
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
    unsigned gen = read_stub_gen(dir);
    struct store s = {.dir = (char *)dir, .lock_fd = -1, .gen = gen};

    if (gen == 0) {
        att_err_set(err, ATT_E_OPENING, "no attache index in %s", dir);
        return NULL;
    }
    return store_gen_path(&s, gen);
}
