/* attache: checked string-to-number conversion for option values. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"

/* s looks like [-]digits[.digits]: strtod alone would take spaces, hex,
 * exponents, "inf" and "nan". */
static bool plain_decimal(const char *s, bool fraction)
{
    const char *p = s + (*s == '-');
    size_t digits = strspn(p, "0123456789");

    if (digits == 0)
        return false;
    p += digits;
    if (fraction && *p == '.') {
        digits = strspn(p + 1, "0123456789");
        if (digits == 0)
            return false;
        p += 1 + digits;
    }
    return *p == '\0';
}

int att_parse_int(const char *s, long long lo, long long hi, long long *out,
                  struct att_err *err)
{
    long long v;
    char *end;

    if (s == NULL || !plain_decimal(s, false))
        goto bad;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        goto bad;
    *out = v;
    return ATT_OK;
bad:
    return att_err_set(err, ATT_E_PARSE, "'%.64s' is not a whole number from %lld to %lld",
                       s ? s : "", lo, hi);
}

int att_parse_real(const char *s, double lo, double hi, double *out, struct att_err *err)
{
    double v;
    char *end;

    if (s == NULL || !plain_decimal(s, true))
        goto bad;
    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        goto bad;
    *out = v;
    return ATT_OK;
bad:
    return att_err_set(err, ATT_E_PARSE, "'%.64s' is not a number from %g to %g",
                       s ? s : "", lo, hi);
}
