/* attache: checked conversion of option and setting values to numbers, with
 * one set of rules for the three programs. No I/O; pure. */
#ifndef ATT_NUMPARSE_H
#define ATT_NUMPARSE_H

#include "attache/attache.h"

/* A whole decimal number: an optional '-', digits, nothing before or after
 * (no spaces, no fraction, no exponent, no suffix), within [lo, hi].
 * Returns ATT_OK and sets *out, or ATT_E_PARSE with err->msg saying what
 * was wrong ("'2.5' is not a whole number from 1 to 64"); *out is then
 * untouched. */
int att_parse_int(const char *s, long long lo, long long hi, long long *out,
                  struct att_err *err);

/* A decimal number that may have a fraction ("0.5", "2"), no exponent,
 * no inf or nan, within [lo, hi]. Same returns as att_parse_int. */
int att_parse_real(const char *s, double lo, double hi, double *out, struct att_err *err);

#endif
