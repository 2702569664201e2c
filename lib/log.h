/* attache: one logging helper for the programs: levels, optional
 * timestamps, one line per call on stderr. The library itself never logs. */
#ifndef ATT_LOG_H
#define ATT_LOG_H

#include <stdbool.h>

enum att_level { ATT_ERROR = 0, ATT_WARN, ATT_INFO, ATT_DEBUG };

/* Thread safety: att_log, att_log_on, att_log_set_level and
 * att_log_level_parse may be called from any thread at any time;
 * att_log_setup may not (it writes the program name and the timestamp flag,
 * which every line reads without a lock). */

/* Set the program name shown on each line (prog must outlive the logging),
 * the most verbose level that is printed, and whether lines start with an
 * ISO timestamp. Call before any thread starts; NOT thread-safe. */
void att_log_setup(const char *prog, enum att_level max, bool timestamps);

/* Change the most verbose level printed (a reload). Thread-safe: an atomic
 * store; a line being logged meanwhile uses the old or the new level. */
void att_log_set_level(enum att_level max);

/* Log one line (a trailing newline is added; newlines and other control
 * characters in the formatted text are escaped, so a logged value cannot
 * forge a line). Thread-safe: one write(2) per line. */
void att_log(enum att_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* True when level would be printed. Thread-safe (an atomic load). */
bool att_log_on(enum att_level level);

/* Parse "error", "warn", "info", "debug" (any case; "warning" too); -1
 * when none. Pure: thread-safe. */
int att_log_level_parse(const char *s);

#endif
