/* attache: the daemon's side of responses: objects with the request's id
 * echoed exactly, numbers as JSON writes them, and the lines sent. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attache/attache.h"
#include "attache/protocol.h"
#include "buf.h"
#include "protocol.h"

/* A copy of the request's id to echo. A number is written out exactly
 * (cJSON prints 15 significant digits, which changes 9007199254740993);
 * one too large for a double is echoed as null. */
cJSON *att_json_id_copy(const cJSON *id)
{
    char num[64];

    if (id == NULL)
        return cJSON_CreateNull();
    if (!cJSON_IsNumber(id))
        return cJSON_Duplicate(id, true);
    if (!isfinite(id->valuedouble))
        return cJSON_CreateNull(); /* 1e999 reads as inf, which JSON cannot write */
    if (id->valuedouble == floor(id->valuedouble) && fabs(id->valuedouble) < 1e18)
        snprintf(num, sizeof num, "%.0f", id->valuedouble);
    else
        snprintf(num, sizeof num, "%.17g", id->valuedouble);
    return cJSON_CreateRaw(num);
}

cJSON *att_response_new(const cJSON *id, bool ok)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *idc = att_json_id_copy(id);

    if (o == NULL || idc == NULL || !cJSON_AddItemToObject(o, "id", idc) ||
        cJSON_AddBoolToObject(o, "ok", ok) == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

cJSON *att_json_int(long long v)
{
    char buf[24], *p = buf + sizeof buf;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

    *--p = '\0';
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        *--p = '-';
    return cJSON_CreateRaw(p);
}

cJSON *att_add_int(cJSON *o, const char *name, long long v)
{
    cJSON *n = att_json_int(v);

    if (n != NULL && !cJSON_AddItemToObject(o, name, n)) {
        cJSON_Delete(n);
        n = NULL;
    }
    return n;
}

cJSON *att_add_real(cJSON *o, const char *name, double v)
{
    char buf[32];
    cJSON *n;

    if (!isfinite(v))
        return cJSON_AddNullToObject(o, name);
    snprintf(buf, sizeof buf, "%.9g", v);
    n = cJSON_CreateRaw(buf);
    if (n != NULL && !cJSON_AddItemToObject(o, name, n)) {
        cJSON_Delete(n);
        n = NULL;
    }
    return n;
}

/* Responses are printed into a buffer big enough for most at once (a
 * page of hits is a few KB; cJSON doubles it when it is not). */
#define RESPONSE_BUF 16384

char *att_response_line(const cJSON *obj, size_t *len)
{
    char *s = cJSON_PrintBuffered(obj, RESPONSE_BUF, 0);
    struct att_buf b;

    if (s == NULL)
        return NULL;
    /* The buffer takes over cJSON's malloc'd text (cJSON's default hooks);
     * its ceiling leaves room for the '\n' alone, so it grows by exactly
     * that byte instead of doubling. */
    b.p = s;
    b.len = strlen(s);
    b.cap = b.len + 1;
    b.max = b.len + 1;
    if (att_buf_addc(&b, '\n') != ATT_OK) {
        att_buf_free(&b);
        return NULL;
    }
    return att_buf_take(&b, len);
}

void att_response_clear(cJSON *resp)
{
    cJSON *c = resp ? resp->child : NULL;

    while (c != NULL) {
        cJSON *next = c->next;

        if (strcmp(c->string, "id") != 0 && strcmp(c->string, "ok") != 0)
            cJSON_Delete(cJSON_DetachItemViaPointer(resp, c));
        c = next;
    }
}

char *att_wire_error_line(const cJSON *id, enum att_wire_err code, const char *msg,
                          size_t *len)
{
    const char *name = att_wire_err_name(code);

    return att_error_line(id, name ? name : ATTACHE_ERR_INTERNAL, msg, len);
}

char *att_error_line(const cJSON *id, const char *code, const char *msg, size_t *len)
{
    cJSON *o = att_response_new(id, false);
    cJSON *e = o ? cJSON_AddObjectToObject(o, "error") : NULL;
    char *line = NULL;

    if (e != NULL && cJSON_AddStringToObject(e, "code", code) != NULL &&
        cJSON_AddStringToObject(e, "message", msg) != NULL)
        line = att_response_line(o, len);
    cJSON_Delete(o);
    return line;
}
