/* attache-index: builds and incrementally updates an attache index from
 * folders of reports. Safe to run from cron: one writer at a time, atomic
 * batches, resumable after any interruption. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attache/attache.h"
#include "log.h"
#include "numparse.h"
#include "report.h"
#include "run.h"
#include "snapshot.h"
#include "store.h"

/* Passages a writer adds between two flushes of its postings (see main). */
#define INDEX_FLUSH_PASSAGES "1000"

enum { EXIT_FAILED_FILES = 1, EXIT_USAGE = 2, EXIT_REJECTED = 4, EXIT_LOCKED = 75,
       EXIT_INTERRUPTED = 130 };

static void on_signal(int sig)
{
    (void)sig;
    run_request_stop();
}

static void usage(FILE *to)
{
    fputs("Usage: attache-index [-d DB] [options] PATH...\n"
          "       attache-index [-d DB] --stats [--json] | --list | --compact\n"
          "       attache-index [-d DB] --snapshot DIR | --restore DIR\n"
          "Index the reports in each PATH (folders recursively, or single files) into\n"
          "the attache index DB. Only new and changed files are read; files that\n"
          "vanished from a folder PATH are removed from the index.\n\n"
          "  -d, --db DB            index folder (default: $ATTACHE_DB)\n"
          "  -q, --quiet            print errors only\n"
          "      --json             print the summary as one JSON object\n"
          "      --progress / --no-progress  force the progress bar on or off\n"
          "      --wait SECONDS     wait for another indexer to finish (default 0)\n"
          "      --retry-failed     read again the files that failed before\n"
          "      --rebuild          build a fresh index and swap it in atomically\n"
          "      --compact          compact the index in place (atomically)\n"
          "      --max-shrink PCT   --rebuild and --compact keep the old index live when\n"
          "                         the new one has fewer than (100-PCT)%% of its\n"
          "                         documents or passages, or lost a file still on disk\n"
          "                         (default 10; 100 turns both checks off)\n"
          "      --canary FILE      queries (one a line, # comments) that must each find\n"
          "                         a passage in a new --rebuild or --compact index\n"
          "      --snapshot DIR     copy the live index, compacted, into DIR (new or\n"
          "                         empty): a backup, safe while indexing and serving\n"
          "      --restore DIR      swap a snapshot in as the live index\n"
          "      --stats            show what the index holds\n"
          "      --list             list the indexed files (id, documents, passages)\n"
          "      --follow-symlinks  follow symlinks, even out of the folder\n"
          "      --batch N          passages per commit (default 20000)\n"
          "  -j, --jobs N           writer threads for a first build or --rebuild\n"
          "                         (default: one per core, at most 4)\n"
          "      --shards N         spread the index over N shards (a new index, or\n"
          "                         with --rebuild; remembered: later runs keep it)\n"
          "      --shard K/N        index only the files of shard K of N (0-based), as\n"
          "                         --shards N would place them: one shard server's\n"
          "                         own index (remembered like --shards)\n"
          "      --max-file-size MB skip larger files (default 512; not .jsonl, which\n"
          "                         is read as a stream)\n"
          "      --max-record MB    skip longer .jsonl lines (default 64)\n"
          "      --max-memory MB    the memory to keep within (default 400): sets the\n"
          "                         text per commit to an eighth of it\n"
          "      --aliases FILE     more actors and aliases, in the format of the\n"
          "                         built-in gazetteer (remembered; /dev/null drops it)\n"
          "      --changesets N     keep the changes of the last N commits for replicas\n"
          "                         (xapian-replicate; remembered; 0 stops)\n"
          "  -h, --help             this help\n"
          "  -V, --version          version\n\n"
          "Formats: .txt (optional Key: value header), .md (front matter), .html/.htm,\n"
          ".jsonl (one document per line). Exit status: 0 done, 1 some files failed\n"
          "(the rest indexed), 2 usage or index error, 75 index locked by another\n"
          "indexer, 4 the new index of --rebuild or --compact failed its checks (the old\n"
          "one stays live; the new one is kept in DB/rejected), 130 interrupted (what\n"
          "was committed stays).\n",
          to);
}

enum { O_JSON = 256, O_PROGRESS, O_NO_PROGRESS, O_WAIT, O_RETRY, O_REBUILD, O_COMPACT,
       O_STATS, O_LIST, O_FOLLOW, O_BATCH, O_MAXFILE, O_SHARDS, O_SHARD, O_ALIASES,
       O_MAXREC, O_MAXMEM, O_SHRINK, O_CANARY, O_SNAPSHOT, O_RESTORE, O_CHANGESETS };

static const struct option long_opts[] = {
    {"db", required_argument, NULL, 'd'},
    {"quiet", no_argument, NULL, 'q'},
    {"json", no_argument, NULL, O_JSON},
    {"progress", no_argument, NULL, O_PROGRESS},
    {"no-progress", no_argument, NULL, O_NO_PROGRESS},
    {"wait", required_argument, NULL, O_WAIT},
    {"retry-failed", no_argument, NULL, O_RETRY},
    {"rebuild", no_argument, NULL, O_REBUILD},
    {"compact", no_argument, NULL, O_COMPACT},
    {"stats", no_argument, NULL, O_STATS},
    {"list", no_argument, NULL, O_LIST},
    {"follow-symlinks", no_argument, NULL, O_FOLLOW},
    {"batch", required_argument, NULL, O_BATCH},
    {"max-file-size", required_argument, NULL, O_MAXFILE},
    {"max-record", required_argument, NULL, O_MAXREC},
    {"max-memory", required_argument, NULL, O_MAXMEM},
    {"jobs", required_argument, NULL, 'j'},
    {"shards", required_argument, NULL, O_SHARDS},
    {"shard", required_argument, NULL, O_SHARD},
    {"aliases", required_argument, NULL, O_ALIASES},
    {"max-shrink", required_argument, NULL, O_SHRINK},
    {"canary", required_argument, NULL, O_CANARY},
    {"snapshot", required_argument, NULL, O_SNAPSHOT},
    {"restore", required_argument, NULL, O_RESTORE},
    {"changesets", required_argument, NULL, O_CHANGESETS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static const char *opt_name(int c)
{
    for (const struct option *p = long_opts; p->name != NULL; p++) {
        if (p->val == c)
            return p->name;
    }
    return "?";
}

/* optarg as a whole number from lo to hi into *out; false, with the
 * option named in the message logged, when it is not one. */
static bool whole_arg(int c, long long lo, long long hi, long long *out)
{
    struct att_err err = {0};

    if (att_parse_int(optarg, lo, hi, out, &err) == ATT_OK)
        return true;
    att_log(ATT_ERROR, "--%s: %s", opt_name(c), err.msg);
    return false;
}

/* --shard K/N: shard K (0-based) of N, N from 2 to 1024. */
static bool share_arg(struct build_opts *b)
{
    const char *slash = strchr(optarg, '/');
    char k[32];
    long long kv, nv;

    if (slash != NULL && (size_t)(slash - optarg) < sizeof k) {
        memcpy(k, optarg, (size_t)(slash - optarg));
        k[slash - optarg] = '\0';
        if (att_parse_int(slash + 1, 2, 1024, &nv, NULL) == ATT_OK &&
            att_parse_int(k, 0, nv - 1, &kv, NULL) == ATT_OK) {
            b->share_k = (unsigned)kv;
            b->share_n = (unsigned)nv;
            return true;
        }
    }
    att_log(ATT_ERROR, "--shard: '%.64s' is not K/N: shard K of N, K from 0 to N - 1, "
            "N a whole number from 2 to 1024", optarg);
    return false;
}

/* The value of option c (one that takes a number) into o; false (logged)
 * when it is out of range or not a number of the kind the option takes. */
static bool take_value(int c, struct run_opts *o)
{
    struct att_err err = {0};
    long long v;

    switch (c) {
    case 'j':
        if (!whole_arg(c, 1, RUN_MAX_JOBS, &v))
            return false;
        o->jobs = (unsigned)v;
        return true;
    case O_WAIT: /* seconds: a fraction is fine */
        if (att_parse_real(optarg, 0, 86400, &o->wait, &err) == ATT_OK)
            return true;
        att_log(ATT_ERROR, "--%s: %s", opt_name(c), err.msg);
        return false;
    case O_BATCH:
        if (!whole_arg(c, 1, 10000000, &v))
            return false;
        o->build.batch_passages = (unsigned)v;
        return true;
    case O_SHARDS:
        if (!whole_arg(c, 1, STORE_MAX_SHARDS, &v))
            return false;
        o->shards = (unsigned)v;
        return true;
    case O_MAXFILE: /* megabytes */
        if (!whole_arg(c, 1, 1 << 20, &v))
            return false;
        o->build.max_file = (size_t)v << 20;
        return true;
    case O_MAXREC: /* megabytes */
        if (!whole_arg(c, 1, 4096, &v))
            return false;
        o->build.max_record = (size_t)v << 20;
        return true;
    case O_MAXMEM: /* megabytes: the text of a batch is an eighth */
        if (!whole_arg(c, 16, 1 << 20, &v))
            return false;
        o->build.batch_bytes = (size_t)v << 17;
        return true;
    case O_SHRINK: /* percent */
        if (!whole_arg(c, 0, 100, &v))
            return false;
        o->canary.max_shrink = (unsigned)v;
        o->gated = true;
        return true;
    case O_CHANGESETS:
        if (!whole_arg(c, 0, RUN_MAX_CHANGESETS, &v))
            return false;
        o->changesets = (unsigned)v;
        o->changesets_given = true;
        return true;
    default:
        return share_arg(&o->build);
    }
}

/* A folder argument without its trailing '/'s (removed in place): DIR.tmp
 * is made beside DIR. */
static const char *folder_arg(char *arg)
{
    size_t n = strlen(arg);

    while (n > 1 && arg[n - 1] == '/')
        arg[--n] = '\0';
    return arg;
}

/* Option c (getopt_long's answer) into o. Returns 0 to go on, -1 to exit
 * 0 (help, version), or EXIT_USAGE. */
static int take_opt(int c, struct run_opts *o)
{
    switch (c) {
    case 'd': o->db = optarg; return 0;
    case 'q': o->quiet = true; return 0;
    case O_JSON: o->json = true; return 0;
    case O_PROGRESS: o->progress = 1; return 0;
    case O_NO_PROGRESS: o->progress = 0; return 0;
    case O_RETRY: o->build.retry_failed = true; return 0;
    case O_REBUILD: o->rebuild = true; return 0;
    case O_COMPACT: o->compact = true; return 0;
    case O_STATS: o->stats = true; return 0;
    case O_LIST: o->list = true; return 0;
    case O_FOLLOW: o->follow = true; return 0;
    case O_ALIASES: o->aliases = optarg; return 0;
    case O_CANARY: o->canary.file = optarg; o->gated = true; return 0;
    case O_SNAPSHOT: o->snapshot = folder_arg(optarg); return 0;
    case O_RESTORE: o->restore = folder_arg(optarg); return 0;
    case 'j': case O_WAIT: case O_BATCH: case O_SHARDS: case O_SHARD: case O_MAXFILE:
    case O_MAXREC: case O_MAXMEM: case O_SHRINK: case O_CHANGESETS:
        return take_value(c, o) ? 0 : EXIT_USAGE;
    case 'h': usage(stdout); return -1;
    case 'V': printf("attache-index %s\n", ATTACHE_VERSION); return -1;
    default: usage(stderr); return EXIT_USAGE;
    }
}

/* Writers for a fresh build: one per core, at most four (the preparer
 * thread feeding them is the next limit). */
static unsigned default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : n > 4 ? 4 : (unsigned)n;
}

/* The options together: an index, something to do, modes that go
 * together. Returns 0 or EXIT_USAGE (logged). */
static int check_modes(const struct run_opts *o)
{
    const char *why = NULL;

    bool copy = o->snapshot != NULL || o->restore != NULL;

    if (o->db == NULL || *o->db == '\0')
        why = "no index given: use -d DB or set ATTACHE_DB";
    else if (copy && (o->npaths > 0 || o->stats || o->list || o->compact || o->rebuild ||
                      (o->snapshot && o->restore)))
        why = "--snapshot and --restore take no PATH and no other mode";
    else if ((o->snapshot && !*o->snapshot) || (o->restore && !*o->restore))
        why = "--snapshot and --restore take a folder";
    else if (o->gated && !o->rebuild && !o->compact)
        why = "--max-shrink and --canary check the new index of --rebuild or --compact: "
              "give one of them";
    else if (o->npaths == 0 && !o->stats && !o->list && !o->compact && !copy)
        why = "nothing to index: give one or more PATHs (see --help)";
    else if ((o->stats || o->list) && (o->npaths > 0 || o->compact || o->rebuild))
        why = "--stats and --list take no PATH and no other mode";
    else if (o->build.share_n > 1 && o->shards > 1)
        why = "--shard K/N makes an index of one share: not with --shards";
    else if (o->compact && (o->npaths > 0 || o->rebuild))
        why = "--compact takes no PATH and no --rebuild";
    if (why == NULL)
        return 0;
    att_log(ATT_ERROR, "%s", why);
    return EXIT_USAGE;
}

/* Returns 0 to run, -1 to exit 0 (help, version), or EXIT_USAGE. */
static int parse_args(int argc, char **argv, struct run_opts *o)
{
    int c, rc;

    o->db = getenv("ATTACHE_DB");
    o->progress = -1;
    o->build.batch_passages = 20000;
    o->build.batch_bytes = 400u << 17; /* --max-memory 400 */
    o->build.max_record = 64u << 20;
    o->build.max_file = 512u << 20;
    o->jobs = default_jobs();
    o->canary.max_shrink = CANARY_SHRINK;
    while ((c = getopt_long(argc, argv, "d:j:qhV", long_opts, NULL)) != -1) {
        rc = take_opt(c, o);
        if (rc != 0)
            return rc;
    }
    o->paths = argv + optind;
    o->npaths = argc - optind;
    return check_modes(o);
}

/* The exit status of a run that returned rc (err says why) with failed
 * files that could not be indexed. */
static int exit_status(const struct run_opts *o, int rc, const struct att_err *err,
                       unsigned failed, bool rejected)
{
    if (rc != ATT_OK) {
        att_log(ATT_ERROR, "%s: %s", o->db, err->msg);
        return rc == ATT_E_LOCKED ? EXIT_LOCKED : EXIT_USAGE;
    }
    if (run_stopped())
        return EXIT_INTERRUPTED;
    if (rejected)
        return EXIT_REJECTED;
    return failed > 0 ? EXIT_FAILED_FILES : 0;
}

int main(int argc, char **argv)
{
    struct run_opts o = {0};
    struct sigaction sa = {.sa_handler = on_signal};
    struct att_err err = {0};
    unsigned failed = 0;
    bool rejected = false;
    int rc;

    att_log_setup("attache-index", ATT_WARN, false);
    rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    if (o.quiet)
        att_log_setup("attache-index", ATT_ERROR, false);
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* Xapian keeps a writer's new postings in memory (std::maps) until
     * this many documents were added: at its default, 10 000, their maps
     * outgrew the caches, and a first build took a third more CPU and
     * twice the memory. Given in the environment, the user's value wins. */
    setenv("XAPIAN_FLUSH_THRESHOLD", INDEX_FLUSH_PASSAGES, 0);
    if (o.stats)
        return report_stats(&o);
    if (o.list)
        return report_list(&o);
    if (o.snapshot != NULL || o.restore != NULL) {
        rc = o.snapshot ? snapshot_take(&o, &err) : snapshot_restore(&o, &err);
        return exit_status(&o, rc, &err, 0, false);
    }
    if (canary_load(&o.canary, &err) != ATT_OK) {
        att_log(ATT_ERROR, "%s", err.msg);
        return EXIT_USAGE;
    }
    if (o.compact)
        rc = run_compact(&o, &rejected, &err);
    else
        rc = run_index(&o, &failed, &rejected, &err);
    canary_free(&o.canary);
    return exit_status(&o, rc, &err, failed, rejected);
}
