/* Unit tests of daemon/conn.c, built into this test with its neighbours
 * stubbed: a response that cannot be built or queued (out of memory) is
 * logged at WARN with the connection id, and the connection is closed once
 * the responses before it are sent; no later request is answered. The
 * failures are injected: dispatch_line failing to finish a response, and
 * libevent's allocator (event_set_mem_functions) failing once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../daemon/conn.c"
#include "conn_http_stubs.h"

static const char *fail_build;  /* dispatch_line cannot finish this one */
static const char *fail_queue;  /* ... or fails libevent's next allocation */
static int fail_allocs;         /* libevent allocations left to fail */

static void *test_malloc_fn(size_t n)
{
    if (fail_allocs > 0) {
        fail_allocs--;
        return NULL;
    }
    return malloc(n);
}

static void *test_realloc_fn(void *p, size_t n)
{
    return realloc(p, n);
}

/* --- stubs of what conn.c calls in the rest of the daemon ---------------- */

int dispatch_line(struct worker *w, const char *line, size_t len, struct session *ss,
                  struct evbuffer *out)
{
    (void)w;
    (void)ss;
    (void)len;
    if (fail_build != NULL && strcmp(line, fail_build) == 0)
        return ATT_E_INTERNAL; /* a response left unfinished */
    if (fail_queue != NULL && strcmp(line, fail_queue) == 0) {
        /* A reference always takes a new chain: that allocation fails. */
        fail_allocs = 1;
        return evbuffer_add_reference(out, "ok:", 3, NULL, NULL) != 0 ? ATT_E_NOMEM : ATT_OK;
    }
    return evbuffer_add_printf(out, "ok:%s\n", line) < 0 ? ATT_E_NOMEM : ATT_OK;
}

int dispatch_error(struct worker *w, const char *code, const char *msg, struct evbuffer *out)
{
    size_t len;
    char *line = att_error_line(NULL, code, msg, &len);
    int rc = line != NULL && evbuffer_add(out, line, len) == 0 ? ATT_OK : ATT_E_NOMEM;

    (void)w;
    free(line);
    return rc;
}

uint64_t now_us(void)
{
    return 0;
}

void stats_add(struct stats *s, uint64_t *field, uint64_t n)
{
    (void)s;
    *field += n;
}

bool auth_required(struct auth *a)
{
    (void)a;
    return false;
}

/* --- the test ------------------------------------------------------------ */

static void on_guard(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    *(bool *)arg = true;
}

/* Send requests on one connection (then the end of the stream when eof);
 * return what came back before the end of the stream, and the log in *log
 * (both malloc'd). Fails unless the daemon side closed within 5 s. */
static char *exchange(const char *requests, bool eof, char **log)
{
    struct server srv = {0};
    struct worker w = {.srv = &srv, .index = 3};
    FILE *logf = tmpfile();
    int sv[2], logfd = fileno(logf), saved = dup(STDERR_FILENO);
    struct timeval five = {.tv_sec = 5};
    bool expired = false;
    static char got[4096], logbuf[4096];
    size_t n = 0;
    ssize_t k;

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    evutil_make_socket_nonblocking(sv[0]);
    atomic_store(&srv.lim.max_line, 1000);
    atomic_store(&srv.lim.max_output, 1 << 20);
    atomic_store(&srv.conns_current, 1);
    w.base = event_base_new();
    assert_non_null(w.base);
    struct event *guard = evtimer_new(w.base, on_guard, &expired);

    evtimer_add(guard, &five);
    dup2(logfd, STDERR_FILENO);
    conn_open(&w, sv[0], "peer", false, false);
    assert_int_equal(write(sv[1], requests, strlen(requests)), (ssize_t)strlen(requests));
    if (eof)
        shutdown(sv[1], SHUT_WR);
    while (w.conns != NULL && !expired)
        event_base_loop(w.base, EVLOOP_ONCE);
    dup2(saved, STDERR_FILENO);
    assert_false(expired); /* the connection was closed */
    assert_int_equal(atomic_load(&srv.conns_current), 0);
    while ((k = read(sv[1], got + n, sizeof got - 1 - n)) > 0)
        n += (size_t)k;
    assert_int_equal(k, 0); /* the end of the stream, not an error */
    got[n] = '\0';
    k = pread(logfd, logbuf, sizeof logbuf - 1, 0);
    logbuf[k > 0 ? k : 0] = '\0';
    *log = strdup(logbuf);
    event_free(guard);
    event_base_free(w.base);
    close(sv[1]);
    close(saved);
    fclose(logf);
    return strdup(got);
}

static void test_response_not_built(void **state)
{
    char *log, *got;

    (void)state;
    fail_build = "b";
    got = exchange("a\nb\nc\n", false, &log);
    fail_build = NULL;
    assert_string_equal(got, "ok:a\n"); /* a answered; b failed; c not read */
    assert_non_null(strstr(log, "warn: worker 3: conn 1 (peer): a response could not be "
                                "completed; closing the connection"));
    free(got);
    free(log);
}

static void test_response_not_queued(void **state)
{
    char *log, *got;

    (void)state;
    fail_queue = "y";
    got = exchange("x\ny\nz\n", false, &log);
    fail_queue = NULL;
    assert_int_equal(fail_allocs, 0);
    assert_string_equal(got, "ok:x\n");
    assert_non_null(strstr(log, "warn: worker 3: conn 1 (peer): out of memory writing a "
                                "response; closing the connection"));
    free(got);
    free(log);
}

static void test_all_answered(void **state)
{
    char *log, *got;

    (void)state;
    got = exchange("p\n\nq\n", true, &log); /* EOF after them: answered, then closed */
    assert_string_equal(got, "ok:p\nok:q\n");
    assert_null(strstr(log, "closing"));
    free(got);
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_response_not_built),
        cmocka_unit_test(test_response_not_queued),
        cmocka_unit_test(test_all_answered),
    };

    event_set_mem_functions(test_malloc_fn, test_realloc_fn, free);
    att_log_setup("attached", ATT_WARN, false);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
