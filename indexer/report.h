/* attache-index: what it prints: the run summary, --stats and --list. */
#ifndef ATT_REPORT_H
#define ATT_REPORT_H

#include <stdbool.h>

#include "build.h"
#include "run.h"
#include "state.h"

/* At the end of a run: warn of files whose content is the same as
 * another's and report each .jsonl record left out because another file
 * holds its id (an error); count both into c. */
void report_overlaps(const struct state *st, struct build_counts *c);

/* Print the summary of an indexing run (a line, or JSON with --json). */
void report_summary(const struct run_opts *o, const struct build_counts *c,
                    const struct state *st, unsigned long passages, double seconds,
                    bool interrupted);

/* --stats and --list on the index folder o->db; return an exit status. */
int report_stats(const struct run_opts *o);
int report_list(const struct run_opts *o);

#endif
