/* bench/load: a load generator for attached. C connections (one thread
 * each) send requests from a file in a loop, PIPELINE at a time, until N
 * requests or SECONDS have passed (whichever comes first: it always stops
 * by itself), then print throughput and latency percentiles. Any error
 * response fails the run (exit 1).
 *
 * Usage: load (--socket PATH | --connect HOST:PORT | --http HOST:PORT)
 *             --queries FILE [-c CONNS] [-n REQUESTS] [-d SECONDS]
 *             [-p PIPELINE] [--request-extra JSON]... [--json]
 * A line of FILE that starts with '{' is sent as it is; any other line is
 * sent as the request template with "q" set to the line:
 * {"op":"search","q":LINE}. Each --request-extra JSON object (in order)
 * has its members merged into every request, replacing members of the
 * same name: '{"limit":10,"highlight":{"length":200}}'.
 * --http sends each request as the body of an HTTP/1.1 POST to /OP (the
 * request's "op", /search without one) on keep-alive connections; a
 * response whose status is not 200 is an error. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct opts {
    const char *sock, *host, *port, *queries;
    int conns, pipeline;
    long requests;
    double seconds;
    bool json, http;
};

static struct opts o = {.conns = 1, .pipeline = 1, .requests = 1000, .seconds = 30};
/* What a query line becomes: this object with "q" set to the line, then
 * the --request-extra members. The one place to change the request. */
static const char request_template[] = "{\"op\":\"search\"}";
static cJSON *extra; /* the --request-extra members, merged; NULL: none */
static char **lines; /* what is sent for each query line: a JSON line, or an HTTP request */
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
    /* Pipelined requests go out in several writes before any answer is
     * read: without this, Nagle's algorithm holds the second one back
     * until the daemon's delayed ACK (about 40 ms). One request at a
     * time is not affected. */
    int one = 1;

    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
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

/* The request (malloc'd JSON text, one line) for one line of the query
 * file, or exit (2) when a JSON line cannot take the extra members. */
static char *make_json(const char *buf)
{
    cJSON *r;
    char *s;

    if (buf[0] == '{' && extra == NULL)
        return strdup(buf);
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
    cJSON_Delete(r);
    return s;
}

/* The path an HTTP request of json goes to: "/" and its "op" (copied into
 * path), "/search" when it has none or json is not an object. */
static void http_path(const char *json, char *path, size_t len)
{
    cJSON *r = cJSON_Parse(json);
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(r, "op");

    snprintf(path, len, "/%s", cJSON_IsString(op) ? op->valuestring : "search");
    cJSON_Delete(r);
}

/* What is sent for one line of the query file (malloc'd): the JSON line
 * ending in '\n', or with --http a whole HTTP/1.1 request with it as body. */
static char *make_request(const char *buf)
{
    char *json = make_json(buf), *out, path[256];
    size_t n = strlen(json), cap;

    if (!o.http) {
        out = malloc(n + 2);
        sprintf(out, "%s\n", json);
        free(json);
        return out;
    }
    http_path(json, path, sizeof path);
    cap = n + strlen(path) + strlen(o.host) + strlen(o.port) + 160;
    out = malloc(cap);
    bool v6 = strchr(o.host, ':') != NULL;

    snprintf(out, cap, "POST %s HTTP/1.1\r\nHost: %s%s%s:%s\r\n"
             "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
             path, v6 ? "[" : "", o.host, v6 ? "]" : "", o.port, n, json);
    free(json);
    return out;
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

/* A connection's read buffer: have bytes of cap read, the first response
 * starting at buf. */
struct inbuf {
    char *buf;
    size_t cap, have;
};

/* Read more into in (grown as needed); false at EOF or on an error. */
static bool fill(int fd, struct inbuf *in)
{
    if (in->have == in->cap) {
        in->cap = in->cap ? in->cap * 2 : 65536;
        in->buf = realloc(in->buf, in->cap);
        if (in->buf == NULL)
            die("out of memory");
    }
    ssize_t n = read(fd, in->buf + in->have, in->cap - in->have);

    if (n <= 0)
        return false;
    in->have += (size_t)n;
    return true;
}

/* One response read: its length at the start of the buffer, whether it is
 * an error, and whether the daemon closes the connection after it. */
struct reply {
    size_t len;
    bool error, close;
    int status; /* HTTP only */
};

/* Wait for one response line; false at EOF. */
static bool read_line(int fd, struct inbuf *in, struct reply *r)
{
    for (;;) {
        char *nl = in->have ? memchr(in->buf, '\n', in->have) : NULL;

        if (nl != NULL) {
            r->len = (size_t)(nl - in->buf) + 1;
            r->error = memmem(in->buf, r->len, "\"ok\":false", 10) != NULL;
            return true;
        }
        if (!fill(fd, in))
            return false;
    }
}

/* Whether the comma-separated header value v (of n bytes) holds token t,
 * in any case. */
static bool has_token(const char *v, size_t n, const char *t)
{
    size_t tl = strlen(t);

    while (n > 0) {
        while (n > 0 && (*v == ' ' || *v == '\t' || *v == ',')) {
            v++;
            n--;
        }
        size_t w = 0;

        while (w < n && v[w] != ',')
            w++;
        size_t e = w;

        while (e > 0 && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (e == tl && strncasecmp(v, t, tl) == 0)
            return true;
        v += w;
        n -= w;
    }
    return false;
}

static void bad_http(const char *why, const char *head, size_t n)
{
    fprintf(stderr, "load: %s: %.*s\n", why, (int)(n < 300 ? n : 300), head);
    exit(1);
}

/* The value v (n bytes) of a Content-Length header, or -1 when it is not
 * a decimal number. */
static long long content_length(const char *v, size_t n)
{
    long long x = 0;
    size_t i = 0, digits = 0;

    while (i < n && (v[i] == ' ' || v[i] == '\t'))
        i++;
    for (; i < n && isdigit((unsigned char)v[i]) && digits < 15; i++, digits++)
        x = x * 10 + (v[i] - '0');
    while (i < n && (v[i] == ' ' || v[i] == '\t'))
        i++;
    return digits > 0 && i == n ? x : -1;
}

/* Parse the head in[0..hlen) (status line and headers, hlen counting the
 * blank line): r->status, r->close and the body's length, or exit (1) when
 * it is not an HTTP/1.x response with a Content-Length. */
static size_t parse_head(const char *head, size_t hlen, struct reply *r)
{
    long long clen = -1;
    const char *p = memchr(head, '\n', hlen), *end = head + hlen - 2;

    /* "HTTP/1.x NNN reason": the head holds at least its blank line. */
    if (hlen < 16 || memcmp(head, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)head[7]) ||
        head[8] != ' ' || !isdigit((unsigned char)head[9]) ||
        !isdigit((unsigned char)head[10]) || !isdigit((unsigned char)head[11]) ||
        (head[12] != ' ' && head[12] != '\r'))
        bad_http("not an HTTP/1.x status line", head, hlen);
    r->status = (head[9] - '0') * 100 + (head[10] - '0') * 10 + (head[11] - '0');
    r->close = head[7] == '0'; /* HTTP/1.0 closes unless it says keep-alive */
    while (p != NULL && p + 1 < end) {
        const char *line = p + 1, *eol = memchr(line, '\n', (size_t)(end - line));
        const char *colon = memchr(line, ':', (size_t)((eol ? eol : end) - line));
        size_t vlen;

        p = eol;
        if (colon == NULL)
            bad_http("a header without a colon", line, (size_t)((eol ? eol : end) - line));
        vlen = (size_t)((eol ? eol : end) - colon - 1);
        if (vlen > 0 && colon[vlen] == '\r')
            vlen--;
        if ((size_t)(colon - line) == 14 && strncasecmp(line, "content-length", 14) == 0)
            clen = content_length(colon + 1, vlen);
        else if ((size_t)(colon - line) == 10 && strncasecmp(line, "connection", 10) == 0)
            r->close = has_token(colon + 1, vlen, "close") ||
                       (r->close && !has_token(colon + 1, vlen, "keep-alive"));
        else if ((size_t)(colon - line) == 17 &&
                 strncasecmp(line, "transfer-encoding", 17) == 0)
            bad_http("Transfer-Encoding is not read (a Content-Length is expected)", head, hlen);
    }
    if (clen < 0)
        bad_http("a response without a Content-Length", head, hlen);
    return (size_t)clen;
}

/* Wait for one whole HTTP response (head and Content-Length body); false
 * at EOF. A status other than 200 is an error. */
static bool read_http(int fd, struct inbuf *in, struct reply *r)
{
    char *blank;

    while ((blank = in->have ? memmem(in->buf, in->have, "\r\n\r\n", 4) : NULL) == NULL) {
        if (in->have > 65536)
            bad_http("a response head over 64 KiB", in->buf, in->have);
        if (!fill(fd, in))
            return false;
    }
    size_t hlen = (size_t)(blank - in->buf) + 4;

    r->len = hlen + parse_head(in->buf, hlen, r);
    r->error = r->status != 200;
    while (in->have < r->len) {
        if (!fill(fd, in))
            return false;
    }
    return true;
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

/* Count one response: its latency from sent, and an error (the first few
 * printed). */
static void count(const struct inbuf *in, const struct reply *r, double sent)
{
    if (r->error && atomic_fetch_add(&errors, 1) < 5) {
        if (o.http)
            fprintf(stderr, "load: HTTP %d response: %.*s\n", r->status,
                    (int)(r->len < 2000 ? r->len : 2000), in->buf);
        else
            fprintf(stderr, "load: error response: %.*s", (int)r->len, in->buf);
    }
    lat[atomic_fetch_add(&nlat, 1)] = (uint64_t)((now() - sent) * 1e6);
    atomic_fetch_add(&done, 1);
}

/* Send up to PIPELINE requests on *fd, then read their responses in order.
 * Returns how many were sent; *fd is -1 when the daemon closed it after
 * the last response (HTTP's Connection: close). */
static int round_trip(int *fd, struct inbuf *in, double *sent, unsigned *seed)
{
    int k = 0;

    for (; k < o.pipeline; k++) {
        if (atomic_fetch_add(&issued, 1) >= o.requests)
            break;
        const char *req = lines[rand_r(seed) % nlines];

        sent[k] = now();
        send_all(*fd, req, strlen(req));
    }
    for (int i = 0; i < k; i++) {
        struct reply r = {0};

        if (!(o.http ? read_http(*fd, in, &r) : read_line(*fd, in, &r))) {
            fprintf(stderr, "load: the daemon closed the connection\n");
            exit(1);
        }
        count(in, &r, sent[i]);
        memmove(in->buf, in->buf + r.len, in->have - r.len);
        in->have -= r.len;
        if (r.close && i + 1 < k) {
            fprintf(stderr, "load: the daemon closed the connection with %d requests "
                    "unanswered\n", k - i - 1);
            exit(1);
        }
        if (r.close) {
            close(*fd);
            *fd = -1;
            in->have = 0;
        }
    }
    return k;
}

static void *client(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    int fd = -1;
    struct inbuf in = {0};
    double *sent = calloc((size_t)o.pipeline, sizeof *sent);

    while (now() < deadline) {
        if (fd < 0)
            fd = dial();
        if (round_trip(&fd, &in, sent, &seed) < o.pipeline)
            break;
    }
    if (fd >= 0)
        close(fd);
    free(in.buf);
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

/* HOST:PORT (an IPv6 address in brackets) into o.host and o.port. */
static bool host_port(char *arg)
{
    char *colon = strrchr(arg, ':');

    if (colon == NULL || colon[1] == '\0')
        return false;
    *colon = '\0';
    o.port = colon + 1;
    if (arg[0] == '[' && colon > arg + 1 && colon[-1] == ']') {
        colon[-1] = '\0';
        arg++;
    }
    o.host = arg;
    return true;
}

static void parse(int argc, char **argv)
{
    static const struct option lo[] = {
        {"socket", required_argument, NULL, 's'}, {"connect", required_argument, NULL, 't'},
        {"http", required_argument, NULL, 'h'},
        {"queries", required_argument, NULL, 'q'}, {"json", no_argument, NULL, 'j'},
        {"request-extra", required_argument, NULL, 'x'}, {NULL, 0, NULL, 0}};
    int c;

    while ((c = getopt_long(argc, argv, "c:n:d:p:", lo, NULL)) != -1) {
        switch (c) {
        case 's': o.sock = optarg; break;
        case 'h': /* fall through: the last of --connect and --http counts */
        case 't':
            o.http = c == 'h';
            if (!host_port(optarg))
                goto usage;
            break;
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
    if ((o.sock || o.host) && !(o.sock && o.http) && o.queries && o.conns > 0 &&
        o.conns <= 1024 && o.pipeline > 0 && o.requests > 0 && o.seconds > 0)
        return;
usage:
    fprintf(stderr, "usage: load (--socket PATH | --connect HOST:PORT | --http HOST:PORT) "
            "--queries FILE "
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
