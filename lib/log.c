/* attache: levelled logging to stderr, one write per line. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *prog_name = "attache";
static enum att_level max_level = ATT_WARN;
static bool with_time;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void att_log_setup(const char *prog, enum att_level max, bool timestamps)
{
    prog_name = prog;
    max_level = max;
    with_time = timestamps;
}

bool att_log_on(enum att_level level)
{
    return level <= max_level;
}

int att_log_level_parse(const char *s)
{
    for (int i = 0; i <= ATT_DEBUG; i++) {
        if (strcasecmp(s, level_names[i]) == 0)
            return i;
    }
    if (strcasecmp(s, "warning") == 0)
        return ATT_WARN;
    return -1;
}

/* Copy src to dst escaping control characters as \n, \r, \t or \xHH. */
static size_t escape(char *dst, size_t cap, const char *src)
{
    size_t o = 0;

    for (; *src && o + 5 < cap; src++) {
        unsigned char c = (unsigned char)*src;

        if (c >= 0x20 && c != 0x7f) {
            dst[o++] = (char)c;
        } else if (c == '\n' || c == '\r' || c == '\t') {
            dst[o++] = '\\';
            dst[o++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        } else {
            o += (size_t)snprintf(dst + o, cap - o, "\\x%02x", c);
        }
    }
    dst[o] = '\0';
    return o;
}

void att_log(enum att_level level, const char *fmt, ...)
{
    char msg[2048], line[4096];
    size_t n = 0;
    va_list ap;

    if (level > max_level)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (with_time) {
        struct timeval tv;
        struct tm tm;

        gettimeofday(&tv, NULL);
        gmtime_r(&tv.tv_sec, &tm);
        n += strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
        n += (size_t)snprintf(line + n, sizeof line - n, ".%03dZ ", (int)(tv.tv_usec / 1000));
    }
    n += (size_t)snprintf(line + n, sizeof line - n, "%s: %s%s", prog_name,
                          level == ATT_INFO ? "" : level_names[level],
                          level == ATT_INFO ? "" : ": ");
    n += escape(line + n, sizeof line - n - 1, msg);
    line[n++] = '\n';
    if (write(STDERR_FILENO, line, n) < 0) {
        /* Nowhere left to report a failed write to stderr. */
    }
}
