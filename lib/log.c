/* attache: levelled logging to stderr, one write per line. The level is
 * an atomic, so that it may change while threads log (SIGHUP). */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* prog_name and with_time are written by att_log_setup alone, before any
 * thread starts; max_level by att_log_set_level at any time. */
static const char *prog_name = "attache";
static atomic_int max_level = ATT_WARN;
static bool with_time;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void att_log_setup(const char *prog, enum att_level max, bool timestamps)
{
    prog_name = prog;
    with_time = timestamps;
    att_log_set_level(max);
}

void att_log_set_level(enum att_level max)
{
    atomic_store_explicit(&max_level, (int)max, memory_order_relaxed);
}

bool att_log_on(enum att_level level)
{
    return (int)level <= atomic_load_explicit(&max_level, memory_order_relaxed);
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

/* Copy src to dst escaping control characters as \n, \r, \t or \xHH, and
 * those of UTF-8 that terminals or log viewers act on (C1 controls such as
 * U+009B, which starts an escape sequence; U+2028 and U+2029, line and
 * paragraph separators) as \uHHHH: a log line stays one line of text. */
static size_t escape(char *dst, size_t cap, const char *src)
{
    size_t o = 0;

    for (; *src && o + 7 < cap; src++) {
        const unsigned char *u = (const unsigned char *)src;

        if (u[0] == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f) {
            o += (size_t)snprintf(dst + o, cap - o, "\\u%04x", u[1]);
            src++;
        } else if (u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0xa8 || u[2] == 0xa9)) {
            o += (size_t)snprintf(dst + o, cap - o, "\\u%04x", 0x2000 + u[2] - 0x80);
            src += 2;
        } else if (u[0] >= 0x20 && u[0] != 0x7f) {
            dst[o++] = (char)u[0];
        } else if (u[0] == '\n' || u[0] == '\r' || u[0] == '\t') {
            dst[o++] = '\\';
            dst[o++] = u[0] == '\n' ? 'n' : u[0] == '\r' ? 'r' : 't';
        } else {
            o += (size_t)snprintf(dst + o, cap - o, "\\x%02x", u[0]);
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

    if (!att_log_on(level))
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
