/* attache: reading and writing the stub file of an index folder
 * (DB/XAPIANDB): which generation, or which shards, make up its index. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "stub.h"

void att_stub_free(struct att_stub *st)
{
    if (st == NULL)
        return;
    for (size_t i = 0; i < st->n; i++)
        free(st->dbs[i]);
    free(st->dbs);
    memset(st, 0, sizeof *st);
}

/* Split line (its end of line removed) into kind and path, each
 * NUL-terminated in place; false for a blank line, a comment or a line
 * without a path. */
static bool split_line(char *line, char **kind, char **where)
{
    size_t len = strlen(line);

    while (len > 0 && strchr(" \t\r\n", line[len - 1]) != NULL)
        line[--len] = '\0';
    line += strspn(line, " \t");
    if (*line == '\0' || *line == '#')
        return false;
    *kind = line;
    line += strcspn(line, " \t");
    if (*line == '\0')
        return false;
    *line++ = '\0';
    line += strspn(line, " \t");
    *where = line;
    return *line != '\0';
}

/* Note line i ("kind where") in st's reading of attache's two layouts:
 * *want is the shard count the lines so far agree on, 0 once they don't. */
static void interpret(struct att_stub *st, size_t i, const char *kind, const char *where,
                      unsigned *want)
{
    unsigned g, k, n;
    char tail;
    bool autokind = strcmp(kind, "auto") == 0;

    if (i == 0 && autokind && sscanf(where, "g%u%c", &g, &tail) == 1)
        st->gen = g;
    if (!autokind || sscanf(where, "s%uof%u%c", &k, &n, &tail) != 2 || k != i || n < 2 ||
        (i > 0 && n != *want))
        *want = 0;
    else if (i == 0)
        *want = n;
}

/* Append the path of where (joined to dir when relative) to st->dbs. */
static int add_db(struct att_stub *st, size_t *cap, const char *dir, const char *where,
                  struct att_err *err)
{
    char *p = NULL;
    int rc = att_grow(&st->dbs, cap, st->n + 1, sizeof *st->dbs, ATT_STUB_MAX);

    if (rc == ATT_E_TOOBIG)
        return att_err_set(err, rc, "%s/%s names over %d databases", dir, ATT_STUB_NAME,
                           ATT_STUB_MAX);
    if (rc != ATT_OK)
        return att_err_set(err, rc, "out of memory");
    if (where[0] == '/')
        p = strdup(where);
    else if (asprintf(&p, "%s/%s", dir, where) < 0)
        p = NULL;
    if (p == NULL)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    st->dbs[st->n++] = p;
    return ATT_OK;
}

/* Read the stub f (of dir, at path) into st. */
static int read_lines(FILE *f, const char *dir, const char *path, struct att_stub *st,
                      struct att_err *err)
{
    char *line = NULL, *kind, *where;
    size_t size = 0, cap = 0;
    unsigned want = 0;
    int rc = ATT_OK;

    errno = 0;
    while (rc == ATT_OK && getline(&line, &size, f) >= 0) {
        if (!split_line(line, &kind, &where))
            continue;
        interpret(st, st->n, kind, where, &want);
        rc = add_db(st, &cap, dir, where, err);
    }
    if (rc == ATT_OK && ferror(f))
        rc = att_err_set(err, ATT_E_IO, "cannot read %s: %s", path, strerror(errno));
    free(line);
    st->shards = want != 0 && st->n == want ? want : 0;
    return rc;
}

int att_stub_read(const char *dir, struct att_stub *st, struct att_err *err)
{
    char *path = NULL;
    FILE *f;
    int rc;

    memset(st, 0, sizeof *st);
    if (asprintf(&path, "%s/%s", dir, ATT_STUB_NAME) < 0)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    f = fopen(path, "re");
    if (f == NULL) {
        rc = errno == ENOENT || errno == ENOTDIR
                 ? ATT_OK
                 : att_err_set(err, ATT_E_IO, "cannot read %s: %s", path, strerror(errno));
        free(path);
        return rc;
    }
    st->found = true;
    rc = read_lines(f, dir, path, st, err);
    fclose(f);
    free(path);
    if (rc != ATT_OK)
        att_stub_free(st);
    return rc;
}

/* Write text to dir's stub through XAPIANDB.tmp (see att_stub_write). */
static int replace_stub(const char *dir, const char *text, struct att_err *err)
{
    char *tmp = NULL, *stub = NULL;
    FILE *f = NULL;
    int rc = ATT_OK, dfd;

    if (asprintf(&tmp, "%s/%s.tmp", dir, ATT_STUB_NAME) < 0 ||
        asprintf(&stub, "%s/%s", dir, ATT_STUB_NAME) < 0) {
        free(tmp);
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    }
    f = fopen(tmp, "we");
    if (f == NULL) {
        rc = att_err_set(err, ATT_E_IO, "cannot write stub in %s: %s", dir, strerror(errno));
        goto out;
    }
    fputs(text, f);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        rc = att_err_set(err, ATT_E_IO, "cannot write %s: %s", tmp, strerror(errno));
        fclose(f);
        goto out;
    }
    fclose(f);
    if (rename(tmp, stub) != 0) {
        rc = att_err_set(err, ATT_E_IO, "cannot rename %s: %s", tmp, strerror(errno));
        goto out;
    }
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
out:
    free(tmp);
    free(stub);
    return rc;
}

int att_stub_write(const char *dir, unsigned gen, unsigned shards, struct att_err *err)
{
    struct att_buf text;
    int rc = ATT_OK;

    if (gen == 0 && shards < 2)
        return att_err_set(err, ATT_E_INTERNAL, "a stub names a generation or 2 shards or more");
    att_buf_init(&text, 64 + (size_t)shards * 32);
    if (gen > 0)
        rc = att_buf_addf(&text, "auto g%u\n", gen);
    for (unsigned k = 0; gen == 0 && rc == ATT_OK && k < shards; k++)
        rc = att_buf_addf(&text, "auto s%uof%u\n", k, shards);
    if (rc == ATT_OK)
        rc = replace_stub(dir, text.p, err);
    else
        att_err_set(err, rc, "out of memory");
    att_buf_free(&text);
    return rc;
}
