/* attache: the command line of the client: its options and their rules. */
#ifndef ATT_CLIENT_OPTS_H
#define ATT_CLIENT_OPTS_H

#include <stdbool.h>

enum { FOUND = 0, NOT_FOUND = 1, TROUBLE = 2 };

struct opts {
    const char *addr;
    const char *token_file; /* over TCP: authenticate with its token first */
    long long limit, offset, page, per_doc;
    const char *source, *from, *to, *speaker, *doc, *color;
    const char *author, *actor, *language, *lang;
    const char *fields;     /* --fields: the hit members to ask for, comma-separated
                             * names as given (NULL: the client's own choice) */
    int sort, match;        /* enum att_sort, enum att_match */
    bool quotes_only, full, json, exact_total, no_expand, explain;
    bool no_collapse;       /* copies are hits of their own */
    int width;
    double timeout;
};

/* Parse argv's options into o (GNU order: options may follow the query;
 * "--" ends them). Returns 0 to go on, -1 to exit 0 (help, version),
 * TROUBLE after saying what is wrong. optind is left at the first word. */
int parse_opts(int argc, char **argv, struct opts *o);

#endif
