/* attache: token files and the constant-time comparison of tokens. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attache/protocol.h"
#include "token.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* The first line of buf[0..n), trimmed: *start and *len. */
static void first_line(const char *buf, size_t n, size_t *start, size_t *len)
{
    const char *nl = memchr(buf, '\n', n);
    size_t b = 0, e = nl ? (size_t)(nl - buf) : n;

    while (b < e && is_space(buf[b]))
        b++;
    while (e > b && is_space(buf[e - 1]))
        e--;
    *start = b;
    *len = e - b;
}

int att_token_read(const char *path, char **out, size_t *len, bool *loose,
                   struct att_err *err)
{
    char buf[ATTACHE_MAX_TOKEN + 256];
    struct stat st;
    size_t n = 0, b, k;
    ssize_t got = 1;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY), rc = ATT_OK;

    *out = NULL;
    *len = 0;
    *loose = false;
    if (fd < 0)
        return att_err_set(err, ATT_E_IO, "cannot read the token file %s: %s", path,
                           strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return att_err_set(err, ATT_E_IO, "cannot read the token file %s: not a file", path);
    }
    *loose = (st.st_mode & (S_IRGRP | S_IROTH)) != 0;
    while (n < sizeof buf && got > 0 && memchr(buf, '\n', n) == NULL) {
        got = read(fd, buf + n, sizeof buf - n);
        if (got < 0 && errno == EINTR)
            got = 1;
        else if (got > 0)
            n += (size_t)got;
    }
    if (got < 0)
        rc = att_err_set(err, ATT_E_IO, "cannot read the token file %s: %s", path,
                         strerror(errno));
    close(fd);
    first_line(buf, n, &b, &k);
    if (rc == ATT_OK && k == 0)
        rc = att_err_set(err, ATT_E_EMPTY, "the token file %s holds no token (its first "
                         "line is empty)", path);
    else if (rc == ATT_OK && (k > ATTACHE_MAX_TOKEN || memchr(buf + b, '\0', k) != NULL))
        rc = att_err_set(err, ATT_E_TOOBIG, "the token in %s is longer than %d bytes or "
                         "holds a NUL byte", path, ATTACHE_MAX_TOKEN);
    if (rc == ATT_OK) {
        *out = malloc(k + 1);
        if (*out == NULL) {
            rc = att_err_set(err, ATT_E_NOMEM, "out of memory");
        } else {
            memcpy(*out, buf + b, k);
            (*out)[k] = '\0';
            *len = k;
        }
    }
    explicit_bzero(buf, sizeof buf);
    return rc;
}

void att_token_free(char *tok, size_t len)
{
    if (tok == NULL)
        return;
    explicit_bzero(tok, len);
    free(tok);
}

bool att_token_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen > blen ? alen : blen;
    volatile unsigned char diff = 0;
    /* The lengths count apart: a shorter string must not compare as a
     * prefix, and no branch may leave the loop early. */
    unsigned char lendiff = (unsigned char)(alen != blen);

    for (size_t i = 0; i < n; i++) {
        /* Past its end, each string reads as zero bytes: both indices
         * stay in bounds, and the loop runs n times whatever the bytes. */
        size_t ia = i < alen ? i : 0, ib = i < blen ? i : 0;
        unsigned char ma = (unsigned char)-(i < alen), mb = (unsigned char)-(i < blen);
        unsigned char x = alen ? (unsigned char)a[ia] & ma : 0;
        unsigned char y = blen ? (unsigned char)b[ib] & mb : 0;

        diff = (unsigned char)(diff | (x ^ y));
    }
    return (diff | lendiff) == 0;
}
