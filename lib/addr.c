/* attache: parsing and formatting socket addresses (see addr.h); shared by
 * attached's --listen and the client's --connect, --socket and ATTACHE_ADDR. */
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "numparse.h"

static int parse_unix(const char *spec, struct att_addr *out, struct att_err *err)
{
    const char *path = strncmp(spec, "unix:", 5) == 0 ? spec + 5 : spec;
    size_t n = strlen(path);

    if (n == 0)
        return att_err_set(err, ATT_E_PARSE, "'%.64s' names no socket path", spec);
    if (n >= sizeof out->path)
        return att_err_set(err, ATT_E_PARSE, "the socket path is over %zu bytes",
                           sizeof out->path - 1);
    out->kind = ATT_ADDR_UNIX;
    memcpy(out->path, path, n + 1);
    return ATT_OK;
}

/* "[v6]:port" or "host:port" (split at the last ':') into out. */
static int parse_tcp(const char *spec, struct att_addr *out, struct att_err *err)
{
    const char *host = spec, *colon;
    size_t hlen;
    long long port;

    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');

        if (close == NULL || close[1] != ':')
            return att_err_set(err, ATT_E_PARSE, "'%.64s': use [IPV6]:PORT", spec);
        host = spec + 1;
        hlen = (size_t)(close - host);
        colon = close + 1;
    } else {
        colon = strrchr(spec, ':');
        if (colon == NULL)
            return att_err_set(err, ATT_E_PARSE, "'%.64s' has no :PORT", spec);
        hlen = (size_t)(colon - spec);
    }
    if (hlen >= sizeof out->host)
        return att_err_set(err, ATT_E_PARSE, "the host name is over %zu bytes",
                           sizeof out->host - 1);
    if (colon[1] == '-' || att_parse_int(colon + 1, 0, 65535, &port, err) != ATT_OK)
        return att_err_set(err, ATT_E_PARSE, "'%.64s': the port must be a number from 0 "
                           "to 65535", spec);
    out->kind = ATT_ADDR_TCP;
    memcpy(out->host, host, hlen);
    out->host[hlen] = '\0';
    snprintf(out->port, sizeof out->port, "%lld", port); /* "07311" as "7311" */
    return ATT_OK;
}

int att_addr_parse(const char *spec, struct att_addr *out, struct att_err *err)
{
    if (spec == NULL || *spec == '\0')
        return att_err_set(err, ATT_E_PARSE, "an empty address");
    memset(out, 0, sizeof *out);
    if (strncmp(spec, "unix:", 5) == 0 || spec[0] == '/' || spec[0] == '.')
        return parse_unix(spec, out, err);
    return parse_tcp(spec, out, err);
}

char *att_addr_format(const struct att_addr *a, char *buf, size_t len)
{
    if (len == 0)
        return buf;
    if (a->kind == ATT_ADDR_UNIX)
        snprintf(buf, len, "unix:%s", a->path);
    else
        snprintf(buf, len, strchr(a->host, ':') ? "[%s]:%s" : "%s:%s", a->host, a->port);
    return buf;
}
