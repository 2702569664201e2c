/* Unit tests of the eviction rule of daemon/conn.c (conn_evict_idlest),
 * built into this test with its neighbours stubbed and the clock set by
 * the test: at the connection cap, a connection idle long enough makes
 * room, but never one that a request waits on or whose answers wait to
 * be written; an evicted connection with nothing half-sent is told
 * overloaded first. */
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

static uint64_t clock_us = 1000000; /* now_us(): moved by the tests */

/* --- stubs of what conn.c calls in the rest of the daemon ---------------- */

int dispatch_line(struct worker *w, const char *line, size_t len, struct session *ss,
                  struct evbuffer *out)
{
    (void)w;
    (void)ss;
    (void)len;
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
    return clock_us;
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

/* One worker with one connection over a socket pair: the test holds the
 * client's end. */
struct rig {
    struct server srv;
    struct worker w;
    int client;
};

static void rig_open(struct rig *r)
{
    int sv[2];

    memset(r, 0, sizeof *r);
    r->w.srv = &r->srv;
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    evutil_make_socket_nonblocking(sv[0]);
    evutil_make_socket_nonblocking(sv[1]);
    atomic_store(&r->srv.lim.max_line, 1000);
    atomic_store(&r->srv.lim.max_output, 1 << 20);
    atomic_store(&r->srv.lim.evict_idle_ms, 1000);
    atomic_store(&r->srv.conns_current, 1);
    r->w.base = event_base_new();
    assert_non_null(r->w.base);
    conn_open(&r->w, sv[0], "peer", false, false);
    r->client = sv[1];
}

static void rig_close(struct rig *r)
{
    conn_free_all(&r->w);
    event_base_free(r->w.base);
    close(r->client);
}

/* Send text as the client and let the worker read it once: its answers
 * are queued, not yet written (the write waits for the next turn). */
static void send_and_read_once(struct rig *r, const char *text)
{
    assert_int_equal(write(r->client, text, strlen(text)), (ssize_t)strlen(text));
    event_base_loop(r->w.base, EVLOOP_ONCE);
}

/* What the client can read now (static buffer). */
static const char *client_reads(struct rig *r)
{
    static char got[8192];
    size_t n = 0;
    ssize_t k;

    while (n < sizeof got - 1 && (k = read(r->client, got + n, sizeof got - 1 - n)) > 0)
        n += (size_t)k;
    got[n] = '\0';
    return got;
}

static void test_answers_not_yet_written_are_kept(void **state)
{
    struct rig r;

    (void)state;
    rig_open(&r);
    send_and_read_once(&r, "a\nb\n");
    assert_non_null(r.w.conns);
    assert_true(evbuffer_get_length(bufferevent_get_output(r.w.conns->bev)) > 0);
    assert_string_equal(client_reads(&r), ""); /* not written yet */
    clock_us += 5000000; /* the worker was busy 5 s since */
    assert_false(conn_evict_idlest(&r.w));
    assert_non_null(r.w.conns);
    while (evbuffer_get_length(bufferevent_get_output(r.w.conns->bev)) > 0)
        event_base_loop(r.w.base, EVLOOP_ONCE);
    assert_string_equal(client_reads(&r), "ok:a\nok:b\n");
    rig_close(&r);
}

static void test_request_waiting_is_kept(void **state)
{
    struct rig r;

    (void)state;
    rig_open(&r);
    assert_int_equal(write(r.client, "c\n", 2), 2); /* in the socket, not yet read */
    clock_us += 5000000;
    assert_false(conn_evict_idlest(&r.w));
    event_base_loop(r.w.base, EVLOOP_ONCE);
    while (evbuffer_get_length(bufferevent_get_output(r.w.conns->bev)) > 0)
        event_base_loop(r.w.base, EVLOOP_ONCE);
    assert_string_equal(client_reads(&r), "ok:c\n");
    rig_close(&r);
}

static void test_idle_is_told_and_closed(void **state)
{
    struct rig r;

    (void)state;
    rig_open(&r);
    clock_us += 999000; /* not yet idle 1 s */
    assert_false(conn_evict_idlest(&r.w));
    clock_us += 1000;
    assert_true(conn_evict_idlest(&r.w));
    assert_null(r.w.conns);
    event_base_loop(r.w.base, EVLOOP_NONBLOCK); /* libevent closes the socket */
    assert_int_equal(atomic_load(&r.srv.conns_current), 1); /* the slot is handed on */
    assert_int_equal(atomic_load(&r.srv.conns_evicted), 1);
    assert_non_null(strstr(client_reads(&r), "\"overloaded\""));
    assert_int_equal(read(r.client, (char[1]){0}, 1), 0); /* then the end of the stream */
    rig_close(&r);
}

/* A client that does not read: its answers fill the socket, and once it
 * has taken nothing for the idle time it makes room like any other (what
 * was queued for it is dropped; nothing is added to a half-sent answer). */
static void test_non_reader_is_evicted(void **state)
{
    char junk[4096];
    struct rig r;
    int fd;

    (void)state;
    rig_open(&r);
    fd = bufferevent_getfd(r.w.conns->bev);
    memset(junk, 'j', sizeof junk);
    while (write(fd, junk, sizeof junk) > 0) { /* the client's socket is full */
    }
    send_and_read_once(&r, "d\n");
    assert_true(evbuffer_get_length(bufferevent_get_output(r.w.conns->bev)) > 0);
    clock_us += 5000000;
    assert_true(conn_evict_idlest(&r.w));
    assert_null(r.w.conns);
    event_base_loop(r.w.base, EVLOOP_NONBLOCK); /* libevent closes the socket */
    for (const char *got = client_reads(&r); *got != '\0'; got = client_reads(&r))
        assert_null(strstr(got, "overloaded")); /* the junk, then the end */
    assert_int_equal(read(r.client, junk, 1), 0);
    rig_close(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answers_not_yet_written_are_kept),
        cmocka_unit_test(test_request_waiting_is_kept),
        cmocka_unit_test(test_idle_is_told_and_closed),
        cmocka_unit_test(test_non_reader_is_evicted),
    };

    att_log_setup("attached", ATT_ERROR, false);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
