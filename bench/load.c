/* bench/load: a load generator for attached. C connections (one thread
 * each) send requests from a file in a loop, PIPELINE at a time, until N
 * requests or SECONDS have passed (whichever comes first: it always stops
 * by itself), then print throughput and latency percentiles. Any error
 * response fails the run (exit 1).
 *
 * Usage: load (--socket PATH | --connect HOST:PORT) --queries FILE
 *             [-c CONNS] [-n REQUESTS] [-d SECONDS] [-p PIPELINE]
 *             [--request-extra JSON]... [--json]
 * A line of FILE that starts with '{' is sent as it is; any other line is
 * sent as the request template with "q" set to the line:
 * {"op":"search","q":LINE}. Each --request-extra JSON object (in order)
 * has its members merged into every request, replacing members of the
 * same name: '{"limit":10,"highlight":{"length":200}}'. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct opts {
    const char *sock, *host, *port, *queries;
    int conns, pipeline;
    long requests;
    double seconds;
    bool json;
};

static struct opts o = {.conns = 1, .pipeline = 1, .requests = 1000, .seconds = 30};
/* What a query line becomes: this object with "q" set to the line, then
 * the --request-extra members. The one place to change the request. */
static const char request_template[] = "{\"op\":\"search\"}";
static cJSON *extra; /* the --request-extra members, merged; NULL: none */
static char **lines;
static size_t nlines;
static atomic_long issued, done, errors;
static double deadline;
static uint64_t *lat; /* microseconds of every answered request */
static atomic_long nlat;

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "load: %s: %s\n", what, strerror(errno));
    exit(2);
}

static int dial(void)
{
    int fd;

    if (o.sock != NULL) {
        struct sockaddr_un sun = {.sun_family = AF_UNIX};

        snprintf(sun.sun_path, sizeof sun.sun_path, "%s", o.sock);
        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0)
            die(o.sock);
        return fd;
    }
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;

    if (getaddrinfo(o.host, o.port, &hints, &res) != 0)
        die("getaddrinfo");
    fd = socket(res->ai_family, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) != 0)
        die(o.host);
    freeaddrinfo(res);
    return fd;
}

/* Merge the members of object from into object into (duplicated; a
 * member of the same name is replaced). */
static void merge(cJSON *into, const cJSON *from)
{
    const cJSON *m;

    cJSON_ArrayForEach(m, from) {
        cJSON *dup = cJSON_Duplicate(m, true);

        if (dup == NULL)
            die("out of memory");
        if (cJSON_HasObjectItem(into, m->string))
            cJSON_ReplaceItemInObjectCaseSensitive(into, m->string, dup);
        else
            cJSON_AddItemToObject(into, m->string, dup);
    }
}

/* The request line (malloc'd, ending in '\n') for one line of the query
 * file, or exit (2) when a JSON line cannot take the extra members. */
static char *make_request(const char *buf)
{
    cJSON *r;
    char *s, *line;

    if (buf[0] == '{' && extra == NULL) {
        line = malloc(strlen(buf) + 2);
        sprintf(line, "%s\n", buf);
        return line;
    }
    if (buf[0] == '{') {
        r = cJSON_Parse(buf);
        if (!cJSON_IsObject(r)) {
            fprintf(stderr, "load: not a JSON object, cannot add --request-extra: %s\n", buf);
            exit(2);
        }
    } else {
        r = cJSON_Parse(request_template);
        cJSON_AddStringToObject(r, "q", buf);
    }
    if (extra != NULL)
        merge(r, extra);
    s = cJSON_PrintUnformatted(r);
    line = malloc(strlen(s) + 2);
    sprintf(line, "%s\n", s);
    free(s);
    cJSON_Delete(r);
    return line;
}

/* One --request-extra: a JSON object merged into the others given. */
static bool add_extra(const char *json)
{
    cJSON *x = cJSON_Parse(json);

    if (!cJSON_IsObject(x)) {
        cJSON_Delete(x);
        return false;
    }
    if (extra == NULL) {
        extra = x;
        return true;
    }
    merge(extra, x);
    cJSON_Delete(x);
    return true;
}

static void load_queries(void)
{
    FILE *f = fopen(o.queries, "r");
    char buf[65536];

    if (f == NULL)
        die(o.queries);
    while (fgets(buf, sizeof buf, f) != NULL) {
        buf[strcspn(buf, "\n")] = '\0';
        if (buf[0] == '\0' || buf[0] == '#')
            continue;
        lines = realloc(lines, (nlines + 1) * sizeof *lines);
        lines[nlines++] = make_request(buf);
    }
    fclose(f);
    if (nlines == 0) {
        fprintf(stderr, "load: no queries in %s\n", o.queries);
        exit(2);
    }
}

/* Read one response line into buf (grown as needed); false at EOF. */
static bool read_line(int fd, char **buf, size_t *cap, size_t *have, size_t *len)
{
    for (;;) {
        char *nl = *have ? memchr(*buf, '\n', *have) : NULL;

        if (nl != NULL) {
            *len = (size_t)(nl - *buf) + 1;
            return true;
        }
        if (*have == *cap) {
            *cap = *cap ? *cap * 2 : 65536;
            *buf = realloc(*buf, *cap);
        }
        ssize_t n = read(fd, *buf + *have, *cap - *have);

        if (n <= 0)
            return false;
        *have += (size_t)n;
    }
}

static void send_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, s, n);

        if (k <= 0)
            die("write");
        s += k;
        n -= (size_t)k;
    }
}

static void *client(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    int fd = dial();
    char *buf = NULL;
    size_t cap = 0, have = 0;
    double *sent = calloc((size_t)o.pipeline, sizeof *sent);

    while (now() < deadline) {
        int k = 0;

        for (; k < o.pipeline; k++) {
            if (atomic_fetch_add(&issued, 1) >= o.requests)
                break;
            const char *line = lines[rand_r(&seed) % nlines];

            sent[k] = now();
            send_all(fd, line, strlen(line));
        }
        for (int i = 0; i < k; i++) {
            size_t len;

            if (!read_line(fd, &buf, &cap, &have, &len)) {
                fprintf(stderr, "load: the daemon closed the connection\n");
                exit(1);
            }
            if (memmem(buf, len, "\"ok\":false", 10) != NULL) {
                if (atomic_fetch_add(&errors, 1) < 5)
                    fprintf(stderr, "load: error response: %.*s", (int)len, buf);
            }
            lat[atomic_fetch_add(&nlat, 1)] = (uint64_t)((now() - sent[i]) * 1e6);
            atomic_fetch_add(&done, 1);
            memmove(buf, buf + len, have - len);
            have -= len;
        }
        if (k < o.pipeline)
            break;
    }
    close(fd);
    free(buf);
    free(sent);
    return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static uint64_t pct(long n, double q)
{
    long i = (long)(q * (double)(n - 1) + 0.5);

    return n ? lat[i] : 0;
}

static void parse(int argc, char **argv)
{
    static const struct option lo[] = {
        {"socket", required_argument, NULL, 's'}, {"connect", required_argument, NULL, 't'},
        {"queries", required_argument, NULL, 'q'}, {"json", no_argument, NULL, 'j'},
        {"request-extra", required_argument, NULL, 'x'}, {NULL, 0, NULL, 0}};
    int c;

    while ((c = getopt_long(argc, argv, "c:n:d:p:", lo, NULL)) != -1) {
        switch (c) {
        case 's': o.sock = optarg; break;
        case 't': {
            char *colon = strrchr(optarg, ':');

            if (colon == NULL)
                goto usage;
            *colon = '\0';
            o.host = optarg;
            o.port = colon + 1;
            break;
        }
        case 'q': o.queries = optarg; break;
        case 'j': o.json = true; break;
        case 'x':
            if (!add_extra(optarg)) {
                fprintf(stderr, "load: --request-extra wants a JSON object: %s\n", optarg);
                goto usage;
            }
            break;
        case 'c': o.conns = atoi(optarg); break;
        case 'n': o.requests = atol(optarg); break;
        case 'd': o.seconds = atof(optarg); break;
        case 'p': o.pipeline = atoi(optarg); break;
        default: goto usage;
        }
    }
    if ((o.sock || o.host) && o.queries && o.conns > 0 && o.conns <= 1024 && o.pipeline > 0 &&
        o.requests > 0 && o.seconds > 0)
        return;
usage:
    fprintf(stderr, "usage: load (--socket PATH | --connect HOST:PORT) --queries FILE "
            "[-c CONNS] [-n REQUESTS] [-d SECONDS] [-p PIPELINE] [--request-extra JSON]... "
            "[--json]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    pthread_t *t;
    double t0, secs;
    long n;

    parse(argc, argv);
    load_queries();
    lat = calloc((size_t)o.requests + (size_t)o.conns * (size_t)o.pipeline, sizeof *lat);
    t = calloc((size_t)o.conns, sizeof *t);
    t0 = now();
    deadline = t0 + o.seconds;
    for (int i = 0; i < o.conns; i++)
        pthread_create(&t[i], NULL, client, (void *)(uintptr_t)(i * 7919 + 1));
    for (int i = 0; i < o.conns; i++)
        pthread_join(t[i], NULL);
    secs = now() - t0;
    n = atomic_load(&nlat);
    qsort(lat, (size_t)n, sizeof *lat, cmp_u64);
    if (o.json)
        printf("{\"conns\":%d,\"pipeline\":%d,\"requests\":%ld,\"errors\":%ld,\"seconds\":%.3f,"
               "\"rps\":%.1f,\"p50_us\":%llu,\"p90_us\":%llu,\"p99_us\":%llu,\"max_us\":%llu}\n",
               o.conns, o.pipeline, n, atomic_load(&errors), secs, n / secs,
               (unsigned long long)pct(n, .5), (unsigned long long)pct(n, .9),
               (unsigned long long)pct(n, .99), (unsigned long long)(n ? lat[n - 1] : 0));
    else
        printf("%ld requests in %.2f s: %.0f/s; latency p50 %llu us, p90 %llu, p99 %llu, "
               "max %llu; %ld errors\n", n, secs, n / secs, (unsigned long long)pct(n, .5),
               (unsigned long long)pct(n, .9), (unsigned long long)pct(n, .99),
               (unsigned long long)(n ? lat[n - 1] : 0), atomic_load(&errors));
    for (size_t i = 0; i < nlines; i++)
        free(lines[i]);
    free(lines);
    cJSON_Delete(extra);
    free(lat);
    free(t);
    return atomic_load(&errors) > 0 ? 1 : 0;
}
