/* attache: the two ends every response line shares, through the JSON
 * writer (lib/jsonw.h): the request's id echoed exactly, "ok", and error
 * objects. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attache/attache.h"
#include "attache/protocol.h"
#include "buf.h"
#include "jsonw.h"
#include "protocol.h"

void att_jw_id(struct att_jw *w, const cJSON *id)
{
    char num[64];
    int n;

    if (id == NULL || !cJSON_IsNumber(id)) {
        att_jw_cjson(w, "id", id);
        return;
    }
    /* Written out exactly (a double prints 9007199254740993 as it reads
     * it); one too large for a double, read as inf, is null. */
    if (!isfinite(id->valuedouble))
        n = snprintf(num, sizeof num, "null");
    else if (id->valuedouble == floor(id->valuedouble) && fabs(id->valuedouble) < 1e18)
        n = snprintf(num, sizeof num, "%.0f", id->valuedouble);
    else
        n = snprintf(num, sizeof num, "%.17g", id->valuedouble);
    att_jw_raw(w, "id", num, (size_t)n);
}

void att_jw_begin(struct att_jw *w, const cJSON *id, bool ok)
{
    att_jw_obj(w, NULL);
    att_jw_id(w, id);
    att_jw_bool(w, "ok", ok);
}

void att_jw_error(struct att_jw *w, const cJSON *id, const char *code, const char *msg)
{
    att_jw_begin(w, id, false);
    att_jw_obj(w, "error");
    att_jw_str(w, "code", code);
    att_jw_str(w, "message", msg);
    att_jw_end_obj(w);
    att_jw_end_obj(w);
    att_jw_newline(w);
}

char *att_wire_error_line(const cJSON *id, enum att_wire_err code, const char *msg,
                          size_t *len)
{
    const char *name = att_wire_err_name(code);

    return att_error_line(id, name ? name : ATTACHE_ERR_INTERNAL, msg, len);
}

char *att_error_line(const cJSON *id, const char *code, const char *msg, size_t *len)
{
    struct att_buf b;
    struct att_jw w;

    att_buf_init(&b, SIZE_MAX / 2);
    att_jw_init_buf(&w, &b);
    att_jw_error(&w, id, code, msg);
    if (att_jw_flush(&w, NULL) != ATT_OK) {
        att_buf_free(&b);
        return NULL;
    }
    return att_buf_take(&b, len);
}
