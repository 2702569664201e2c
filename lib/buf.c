/* attache: growable buffers and arrays with a ceiling. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void att_buf_init(struct att_buf *b, size_t max)
{
    b->p = NULL;
    b->len = b->cap = 0;
    b->max = max;
}

int att_buf_reserve(struct att_buf *b, size_t more)
{
    size_t need, cap;
    char *p;

    if (more > b->max - b->len)
        return ATT_E_TOOBIG;
    need = b->len + more + 1; /* the NUL */
    if (need <= b->cap)
        return ATT_OK;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (b->max < SIZE_MAX && cap > b->max + 1)
        cap = b->max + 1;
    p = realloc(b->p, cap);
    if (p == NULL)
        return ATT_E_NOMEM;
    b->p = p;
    b->cap = cap;
    return ATT_OK;
}

int att_buf_add(struct att_buf *b, const void *data, size_t n)
{
    int rc = att_buf_reserve(b, n);

    if (rc != ATT_OK)
        return rc;
    if (n > 0)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
    return ATT_OK;
}

int att_buf_addc(struct att_buf *b, char c)
{
    return att_buf_add(b, &c, 1);
}

int att_buf_addf(struct att_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n, rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return ATT_E_INTERNAL;
    rc = att_buf_reserve(b, (size_t)n);
    if (rc != ATT_OK)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return ATT_OK;
}

void att_buf_reset(struct att_buf *b)
{
    b->len = 0;
    if (b->p != NULL)
        b->p[0] = '\0';
}

char *att_buf_take(struct att_buf *b, size_t *len)
{
    char *p = b->p;

    if (p == NULL)
        p = calloc(1, 1);
    if (len != NULL)
        *len = p ? b->len : 0;
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

void att_buf_free(struct att_buf *b)
{
    if (b == NULL)
        return;
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

int att_grow(void *v, size_t *cap, size_t need, size_t size, size_t max)
{
    void **vp = v;
    size_t ncap;
    void *p;

    if (need <= *cap)
        return ATT_OK;
    if (need > max || size == 0 || need > SIZE_MAX / size)
        return ATT_E_TOOBIG;
    ncap = *cap ? *cap : 16;
    while (ncap < need)
        ncap = ncap > max / 2 ? max : ncap * 2;
    if (ncap > max)
        ncap = max;
    if (ncap > SIZE_MAX / size)
        ncap = need;
    p = realloc(*vp, ncap * size);
    if (p == NULL)
        return ATT_E_NOMEM;
    *vp = p;
    *cap = ncap;
    return ATT_OK;
}
