/* Unit tests of lib/addr.c: the one address parser of attached (--listen)
 * and attache (--connect, --socket, ATTACHE_ADDR). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"

static void tcp_ok(const char *spec, const char *host, const char *port)
{
    struct att_addr a;
    struct att_err err = {0};

    assert_int_equal(att_addr_parse(spec, &a, &err), ATT_OK);
    assert_int_equal(a.kind, ATT_ADDR_TCP);
    assert_string_equal(a.host, host);
    assert_string_equal(a.port, port);
}

static void unix_ok(const char *spec, const char *path)
{
    struct att_addr a;
    struct att_err err = {0};

    assert_int_equal(att_addr_parse(spec, &a, &err), ATT_OK);
    assert_int_equal(a.kind, ATT_ADDR_UNIX);
    assert_string_equal(a.path, path);
}

static void test_tcp(void **state)
{
    (void)state;
    tcp_ok("127.0.0.1:7311", "127.0.0.1", "7311");
    tcp_ok("localhost:80", "localhost", "80");
    tcp_ok("[::1]:7311", "::1", "7311");
    tcp_ok("[fe80::1%eth0]:1", "fe80::1%eth0", "1");
    tcp_ok("::1:7311", "::1", "7311");   /* split at the last ':' */
    tcp_ok(":7311", "", "7311");         /* every address */
    tcp_ok("[]:7311", "", "7311");
    tcp_ok("host:0", "host", "0");
    tcp_ok("host:65535", "host", "65535");
    tcp_ok("host:007311", "host", "7311");
}

static void test_unix(void **state)
{
    (void)state;
    unix_ok("unix:/run/a.sock", "/run/a.sock");
    unix_ok("/run/a.sock", "/run/a.sock");
    unix_ok("./a.sock", "./a.sock");
    unix_ok("../x/a.sock", "../x/a.sock");
    unix_ok("unix:rel.sock", "rel.sock");
    unix_ok("/odd:7311", "/odd:7311"); /* a path, though it ends like a port */
}

static void test_bad(void **state)
{
    const char *bad[] = {"", "host", "host:", "host:x", "host:-1", "host:+1", "host:65536",
                         "host:1.5", "host: 1", "[::1]", "[::1]7311", "[::1:7311", "unix:",
                         "127.0.0.1:7311 ", "none"};
    struct att_addr a;
    struct att_err err = {0};
    char longpath[ATT_ADDR_PATH_MAX + 8], longhost[ATT_ADDR_HOST_MAX + 8];

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err.msg[0] = '\0';
        assert_int_equal(att_addr_parse(bad[i], &a, &err), ATT_E_PARSE);
        assert_true(err.msg[0] != '\0');
    }
    assert_int_equal(att_addr_parse(NULL, &a, &err), ATT_E_PARSE);
    memset(longpath, 'p', sizeof longpath);
    longpath[0] = '/';
    longpath[sizeof longpath - 1] = '\0';
    assert_int_equal(att_addr_parse(longpath, &a, &err), ATT_E_PARSE);
    memset(longhost, 'h', sizeof longhost);
    memcpy(longhost + sizeof longhost - 6, ":7311", 6);
    assert_int_equal(att_addr_parse(longhost, &a, &err), ATT_E_PARSE);
}

static void test_format(void **state)
{
    const char *same[] = {"127.0.0.1:7311", "[::1]:7311", "unix:/run/a.sock", "h:1"};
    struct att_addr a;
    struct att_err err = {0};
    char buf[300];

    (void)state;
    for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
        assert_int_equal(att_addr_parse(same[i], &a, &err), ATT_OK);
        assert_string_equal(att_addr_format(&a, buf, sizeof buf), same[i]);
    }
    assert_int_equal(att_addr_parse("/run/a.sock", &a, &err), ATT_OK);
    assert_string_equal(att_addr_format(&a, buf, sizeof buf), "unix:/run/a.sock");
    assert_int_equal(att_addr_parse("::1:80", &a, &err), ATT_OK);
    assert_string_equal(att_addr_format(&a, buf, sizeof buf), "[::1]:80");
    assert_string_equal(att_addr_format(&a, buf, 4), "[::");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp),
        cmocka_unit_test(test_unix),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
