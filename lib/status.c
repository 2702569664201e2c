/* attache: status codes, the error record, and the span array shared by
 * the text units. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "attache/attache.h"
#include "buf.h"

/* Most spans in one array: each covers at least a byte of some text, so
 * this is far past any document; with 16-byte spans, 4 GB. */
#define SPANS_MAX ((size_t)1 << 28)

static const char *const names[ATT_E_MAX] = {
    [ATT_OK] = "ok",
    [ATT_E_NOMEM] = "nomem",
    [ATT_E_IO] = "io",
    [ATT_E_PARSE] = "parse",
    [ATT_E_TOOBIG] = "toobig",
    [ATT_E_EMPTY] = "empty",
    [ATT_E_BINARY] = "binary",
    [ATT_E_OPENING] = "opening",
    [ATT_E_CORRUPT] = "corrupt",
    [ATT_E_LOCKED] = "locked",
    [ATT_E_MODIFIED] = "modified",
    [ATT_E_QUERY] = "query",
    [ATT_E_NOTFOUND] = "notfound",
    [ATT_E_INDEX] = "index",
    [ATT_E_TIMEOUT] = "timeout",
    [ATT_E_INTERNAL] = "internal",
    [ATT_E_VERSION] = "version",
};

int att_err_set(struct att_err *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return code;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

const char *att_strerror(int code)
{
    if (code < 0 || code >= ATT_E_MAX || names[code] == NULL)
        return "unknown";
    return names[code];
}

int att_spans_push(struct att_spans *s, size_t start, size_t end)
{
    if (att_grow(&s->v, &s->cap, s->n + 1, sizeof *s->v, SPANS_MAX) != ATT_OK)
        return ATT_E_NOMEM; /* out of memory or past the ceiling: the same to callers */
    s->v[s->n].start = start;
    s->v[s->n].end = end;
    s->n++;
    return ATT_OK;
}

void att_spans_free(struct att_spans *s)
{
    if (s == NULL)
        return;
    free(s->v);
    s->v = NULL;
    s->n = 0;
    s->cap = 0;
}
