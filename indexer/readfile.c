/* attache-index: a whole file into memory, with a size limit. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "readfile.h"

int readfile_load(const char *path, size_t max, char **data, size_t *len, struct att_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    size_t got = 0;
    char *buf;

    *data = NULL;
    if (fd < 0)
        return att_err_set(err, ATT_E_IO, "cannot open: %s", strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return att_err_set(err, ATT_E_IO, "not a regular file");
    }
    if ((size_t)st.st_size > max) {
        close(fd);
        return att_err_set(err, ATT_E_TOOBIG, "file of %lld bytes is over the limit of %zu "
                           "(--max-file-size)", (long long)st.st_size, max);
    }
    buf = malloc((size_t)st.st_size + 1);
    if (buf == NULL) {
        close(fd);
        return att_err_set(err, ATT_E_NOMEM, "out of memory reading %lld bytes",
                           (long long)st.st_size);
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* shrank while we read: index what is there */
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return ATT_OK;
}
