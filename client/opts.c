/* attache: the client's options: the table, --help, and the rules for
 * each value (a bad one names its option). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attache/attache.h"
#include "attache/protocol.h"
#include "numparse.h"
#include "opts.h"

enum { O_PAGE = 256, O_OFFSET, O_SOURCE, O_FROM, O_TO, O_SPEAKER, O_DOC, O_QUOTES_ONLY, O_SORT,
       O_PER_DOC, O_MATCH, O_FULL, O_JSON, O_COLOR, O_WIDTH, O_TIMEOUT, O_TOKEN_FILE,
       O_AUTHOR, O_ACTOR, O_LANGUAGE, O_LANG, O_EXACT_TOTAL, O_NO_EXPAND, O_EXPLAIN,
       O_NO_COLLAPSE, O_FIELDS };

static const struct option long_opts[] = {
    {"socket", required_argument, NULL, 's'}, {"connect", required_argument, NULL, 'C'},
    {"token-file", required_argument, NULL, O_TOKEN_FILE},
    {"limit", required_argument, NULL, 'n'}, {"page", required_argument, NULL, O_PAGE},
    {"offset", required_argument, NULL, O_OFFSET}, {"source", required_argument, NULL, O_SOURCE},
    {"from", required_argument, NULL, O_FROM}, {"to", required_argument, NULL, O_TO},
    {"speaker", required_argument, NULL, O_SPEAKER}, {"doc", required_argument, NULL, O_DOC},
    {"author", required_argument, NULL, O_AUTHOR}, {"actor", required_argument, NULL, O_ACTOR},
    {"language", required_argument, NULL, O_LANGUAGE}, {"lang", required_argument, NULL, O_LANG},
    {"quotes-only", no_argument, NULL, O_QUOTES_ONLY}, {"sort", required_argument, NULL, O_SORT},
    {"per-doc", required_argument, NULL, O_PER_DOC}, {"match", required_argument, NULL, O_MATCH},
    {"full", no_argument, NULL, O_FULL}, {"json", no_argument, NULL, O_JSON},
    {"fields", required_argument, NULL, O_FIELDS},
    {"exact-total", no_argument, NULL, O_EXACT_TOTAL},
    {"no-expand", no_argument, NULL, O_NO_EXPAND},
    {"explain", no_argument, NULL, O_EXPLAIN},
    {"no-collapse", no_argument, NULL, O_NO_COLLAPSE},
    {"color", required_argument, NULL, O_COLOR}, {"colour", required_argument, NULL, O_COLOR},
    {"width", required_argument, NULL, O_WIDTH}, {"timeout", required_argument, NULL, O_TIMEOUT},
    {"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0}};

static void usage(FILE *to)
{
    fputs("Usage: attache [options] QUERY...   search\n"
          "       attache [options] get ID[#N]  a document, or one passage of it\n"
          "       attache [options] stats | ping | raw\n\n"
          "  -s, --socket PATH        the daemon's Unix socket\n"
          "  -C, --connect HOST:PORT  the daemon's TCP address (default 127.0.0.1:7311,\n"
          "                           or $ATTACHE_ADDR: unix:/path or host:port)\n"
          "      --token-file PATH    over TCP, authenticate with the token in PATH\n"
          "                           (default $ATTACHE_TOKEN_FILE)\n"
          "  -n, --limit N            hits to show (default 10)\n"
          "      --page N             page N of the results (1 is the first)\n"
          "      --offset N           skip N hits\n"
          "      --source S           only this source\n"
          "      --from DATE, --to DATE  only dates in this range (YYYY[-MM[-DD]])\n"
          "      --speaker NAME       only passages quoting NAME\n"
          "      --author NAME        only documents by NAME\n"
          "      --actor ID           only passages naming this actor (china, un, ...)\n"
          "      --language CODE      only documents in this language (fr, es, ...)\n"
          "      --lang CODE          the query's language, for its stemming\n"
          "                           (default en)\n"
          "      --doc ID             only this document\n"
          "      --quotes-only        search inside quotations only\n"
          "      --sort relevance|date|-date\n"
          "      --per-doc N          at most N passages of one document\n"
          "      --match auto|all|any how words combine (default auto)\n"
          "      --exact-total        count every match (not an estimate)\n"
          "      --no-expand          match words as written (no other names of\n"
          "                           the actors they name)\n"
          "      --explain            show under each hit the parts of the query that\n"
          "                           matched it and what each added to its score\n"
          "      --no-collapse        list copies of a story in other documents as hits\n"
          "                           of their own (default: one hit, \"also in\" them)\n"
          "      --full               whole passages instead of snippets\n"
          "      --json               the daemon's response as it is, one line\n"
          "      --fields LIST        ask only for these members of each hit (comma-\n"
          "                           separated: doc.title,snippet,...; see the man page)\n"
          "      --color auto|always|never  highlight in colour (auto: on a terminal,\n"
          "                           unless NO_COLOR is set)\n"
          "      --width N            wrap at N columns (default: the terminal's)\n"
          "      --timeout SECONDS    give up after this long (default 10)\n"
          "  -h, --help, -V, --version\n"
          "  --                       ends the options (which may also follow the query\n"
          "                           or sub-command): the words after it are the query\n\n"
          "Query syntax: words, \"a phrase\", AND OR NOT, +must -not, title:, quote:,\n"
          "speaker:, author:, source:, actor:, 1860..1865 (dates), wild*. Exit status:\n"
          "0 something "
          "matched, 1 nothing did, 2 an error.\n", to);
}

/* The option as the user may write it, for messages: "-n/--limit". */
static const char *opt_name(int c)
{
    for (const struct option *o = long_opts; o->name != NULL; o++) {
        static char name[64];

        if (o->val == c && c < 256)
            snprintf(name, sizeof name, "-%c/--%s", c, o->name);
        else if (o->val == c)
            snprintf(name, sizeof name, "--%s", o->name);
        if (o->val == c)
            return name;
    }
    return "?";
}

/* A whole number for option c in lo..hi; false after saying why. */
static bool whole_opt(int c, const char *v, long long lo, long long hi, long long *out)
{
    struct att_err err = {0};

    if (att_parse_int(v, lo, hi, out, &err) == ATT_OK)
        return true;
    fprintf(stderr, "attache: %s: %s (see --help)\n", opt_name(c), err.msg);
    return false;
}

/* Which of three words v is for option c (0, 1, 2); -1 after saying why
 * it is none. */
static int word_opt(int c, const char *v, const char *a, const char *b, const char *d)
{
    if (strcmp(v, a) == 0 || strcmp(v, b) == 0 || strcmp(v, d) == 0)
        return strcmp(v, a) == 0 ? 0 : strcmp(v, b) == 0 ? 1 : 2;
    fprintf(stderr, "attache: %s: '%.64s' is not one of %s, %s, %s (see --help)\n",
            opt_name(c), v, a, b, d);
    return -1;
}

static bool timeout_opt(const char *v, double *out)
{
    struct att_err err = {0};

    if (att_parse_real(v, 0.001, 86400, out, &err) == ATT_OK)
        return true;
    fprintf(stderr, "attache: --timeout: %s (see --help)\n", err.msg);
    return false;
}

/* One option c with its value v; false after saying what is wrong. */
static bool set_opt(struct opts *o, int c, char *v)
{
    long long w = 0;

    switch (c) {
    case 's':
        o->addr = v[0] == '/' || v[0] == '.' ? v : NULL;
        if (o->addr == NULL) {
            static char buf[4200];

            snprintf(buf, sizeof buf, "unix:%s", v);
            o->addr = buf;
        }
        return true;
    case 'C': o->addr = v; return true;
    case O_TOKEN_FILE: o->token_file = v; return *v != '\0';
    case 'n': return whole_opt(c, v, 1, ATTACHE_MAX_LIMIT, &o->limit);
    case O_PAGE: return whole_opt(c, v, 1, ATTACHE_MAX_OFFSET, &o->page);
    case O_OFFSET: return whole_opt(c, v, 0, ATTACHE_MAX_OFFSET, &o->offset);
    case O_PER_DOC: return whole_opt(c, v, 0, ATTACHE_MAX_PER_DOC, &o->per_doc);
    case O_WIDTH:
        o->width = whole_opt(c, v, 10, 10000, &w) ? (int)w : -1;
        return o->width > 0;
    case O_TIMEOUT: return timeout_opt(v, &o->timeout);
    case O_SOURCE: o->source = v; return true;
    case O_FROM: o->from = v; return true;
    case O_TO: o->to = v; return true;
    case O_SPEAKER: o->speaker = v; return true;
    case O_AUTHOR: o->author = v; return true;
    case O_ACTOR: o->actor = v; return true;
    case O_LANGUAGE: o->language = v; return true;
    case O_LANG: o->lang = v; return true;
    case O_DOC: o->doc = v; return true;
    case O_QUOTES_ONLY: o->quotes_only = true; return true;
    case O_FULL: o->full = true; return true;
    case O_JSON: o->json = true; return true;
    case O_FIELDS: o->fields = v; return true;
    case O_EXACT_TOTAL: o->exact_total = true; return true;
    case O_NO_EXPAND: o->no_expand = true; return true;
    case O_EXPLAIN: o->explain = true; return true;
    case O_NO_COLLAPSE: o->no_collapse = true; return true;
    case O_SORT: o->sort = word_opt(c, v, "relevance", "date", "-date"); return o->sort >= 0;
    case O_MATCH: o->match = word_opt(c, v, "auto", "all", "any"); return o->match >= 0;
    case O_COLOR: o->color = v; return word_opt(c, v, "auto", "always", "never") >= 0;
    default: return false;
    }
}

/* Returns 0 to go on, -1 to exit 0 (help, version), TROUBLE on bad usage. */
int parse_opts(int argc, char **argv, struct opts *o)
{
    int c;

    o->addr = getenv("ATTACHE_ADDR");
    o->token_file = getenv("ATTACHE_TOKEN_FILE");
    o->limit = ATTACHE_DEFAULT_LIMIT;
    o->color = "auto";
    o->timeout = 10;
    /* Options anywhere on the line (GNU getopt moves the other words after
     * them, in order); "--" ends them, for a query word starting with "-". */
    while ((c = getopt_long(argc, argv, "s:C:n:hV", long_opts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return -1;
        }
        if (c == 'V') {
            printf("attache %s\n", ATTACHE_VERSION);
            return -1;
        }
        if (c == '?' || c == ':') {
            if (optopt == 0 || (optopt < 256 && strchr("sCnhV", optopt) == NULL))
                fputs("attache: to search for -WORD: attache -- -WORD\n", stderr);
            usage(stderr);
            return TROUBLE;
        }
        if (!set_opt(o, c, optarg)) {
            if (c == O_TOKEN_FILE)
                fprintf(stderr, "attache: --token-file: an empty path (see --help)\n");
            return TROUBLE;
        }
    }
    if (o->page > 0)
        o->offset = (o->page - 1) * o->limit;
    return 0;
}

