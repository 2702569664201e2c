/* attache: one logging helper for the programs: levels, optional
 * timestamps, one line per call on stderr. The library itself never logs. */
#ifndef ATT_LOG_H
#define ATT_LOG_H

#include <stdbool.h>

enum att_level { ATT_ERROR = 0, ATT_WARN, ATT_INFO, ATT_DEBUG };

/* Set the program name shown on each line, the most verbose level that is
 * printed, and whether lines start with an ISO timestamp. Call once before
 * any thread starts. */
void att_log_setup(const char *prog, enum att_level max, bool timestamps);

/* Log one line (a trailing newline is added; newlines and other control
 * characters in the formatted text are escaped, so a logged value cannot
 * forge a line). Thread-safe: one write(2) per line. */
void att_log(enum att_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* True when level would be printed. */
bool att_log_on(enum att_level level);

/* Parse "error", "warn", "info", "debug"; -1 when none. */
int att_log_level_parse(const char *s);

#endif
