"""Hostile HTTP against attached (docs/HTTP.md, "Hostile clients"): each
case gets a clear status or a bounded close, and the daemon keeps serving
a well-behaved client meanwhile. The parser behind it is fuzzed
(tests/fuzz/fuzz_http_head.c)."""
import json
import resource
import socket
import time
import unittest

import daemon as dm
import harness as h
import httpc

REQUEST_TIMEOUT = 2  # --request-timeout of the daemons here


def raise_fd_limit(want):
    """Raise this process's descriptor limit towards want; the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(max(soft, want), hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


class HostileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.tmp, cls.corpus, cls.db = dm.small_index(cls)
        cls.d = dm.start_daemon(cls, cls.db, "--request-timeout", str(REQUEST_TIMEOUT),
                                "--max-line", "4096", tmp=cls.tmp, http=True)

    def assertServing(self):
        r = httpc.call(self.d, "POST", "/search", {"q": "taiwan", "limit": 1})
        self.assertEqual(r.status, 200)
        self.assertTrue(r.json()["hits"])

    def refused(self, raw, status, closes=True):
        """Send raw bytes; the response must be status (then a close when
        closes). Returns the response."""
        with httpc.Conn(self.d.host, self.d.http_port) as c:
            c.send(raw)
            r = c.read_response()
            self.assertEqual(r.status, status, f"{raw[:200]!r}: {r.body!r}")
            self.assertFalse(r.json()["ok"])
            if closes:
                self.assertEqual(r.header("connection"), "close")
                self.assertTrue(c.wait_eof(dm.IO_TIMEOUT), "the connection stays open")
        self.assertServing()
        return r

    def test_oversized_head(self):
        big = b"GET /stats HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n"
        r = self.refused(big, 431)
        self.assertEqual(r.json()["error"]["code"], "too_large")

    def test_head_never_ends_over_the_limit(self):
        """No blank line ever: refused once 16 KB came, not buffered on."""
        self.refused(b"GET /stats HTTP/1.1\r\n" + b"X-A: b\r\n" * 3000, 431)

    def test_too_many_headers(self):
        head = b"GET /stats HTTP/1.1\r\nHost: x\r\n" + b"".join(
            b"X-H%d: v\r\n" % i for i in range(80)) + b"\r\n"
        self.refused(head, 431)

    def test_oversized_body(self):
        # Announced: refused before the body comes.
        self.refused(b"POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n",
                     413)
        # Sent whole: the answer still arrives (the daemon reads on before
        # it closes, so the client is not reset mid-send).
        body = json.dumps({"q": "x" * 10000}).encode()
        r = self.refused(httpc.encode("POST", "/search", body), 413)
        self.assertIn("--max-line", r.json()["error"]["message"])

    def test_slowloris_head(self):
        """A head dripped a byte at a time: 408 and a close once
        --request-timeout has passed, while others are served."""
        with httpc.Conn(self.d.host, self.d.http_port) as c:
            start = time.monotonic()
            closed = False
            for i, b in enumerate(b"GET /stats HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 1000):
                if i == 5:
                    self.assertServing()
                try:
                    c.send(bytes([b]))
                except OSError:
                    closed = True
                    break
                if c.wait_eof(0.2):
                    closed = True
                    break
                if time.monotonic() - start > h.scaled(REQUEST_TIMEOUT * 10):
                    break
            self.assertTrue(closed, "a dripping client is never cut off")
            elapsed = time.monotonic() - start
            self.assertGreaterEqual(elapsed, REQUEST_TIMEOUT * 0.9)
            self.assertIn(b" 408 ", bytes(c.buf[:20]))
        self.assertServing()

    def test_body_never_ends(self):
        with httpc.Conn(self.d.host, self.d.http_port) as c:
            c.send(b"POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{\"q\":")
            self.assertServing()
            r = c.read_response()
            self.assertEqual(r.status, 408)
            self.assertEqual(r.json()["error"]["code"], "timeout")
            self.assertTrue(c.wait_eof(dm.IO_TIMEOUT))

    def test_bad_methods(self):
        for raw, status in ((b"FOO /search HTTP/1.1\r\nHost: x\r\n\r\n", 405),
                            (b"get /search?q=x HTTP/1.1\r\nHost: x\r\n\r\n", 405),
                            (b"G(T /search HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                            (b"GET\r\n\r\n", 400),
                            (b"GET  /search HTTP/1.1\r\nHost: x\r\n\r\n", 400)):
            with self.subTest(raw=raw):
                self.refused(raw, status, closes=status == 400)

    def test_bad_targets(self):
        for target in (b"/search/../stats", b"/./stats", b"//stats", b"/%2e%2e/%2e%2e/etc/passwd",
                       b"/stats%00", b"/STATS", b"/static/../../etc/passwd"):
            with self.subTest(target=target):
                r = self.refused(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n", 404,
                                 closes=False)
                self.assertEqual(r.json()["error"]["code"], "not_found")
        for target in (b"search", b"http://x/search", b"/se\x01arch", b"/s\xffx"):
            with self.subTest(target=target):
                self.refused(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n", 400)

    def test_versions(self):
        self.refused(b"GET /stats HTTP/2.0\r\nHost: x\r\n\r\n", 505)
        self.refused(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505)
        self.refused(b"GET /stats HTTP/1.1x\r\nHost: x\r\n\r\n", 400)

    def test_smuggling(self):
        cases = [
            b"POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            b"POST /search HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Length: 4\r\n\r\n0\r\n\r\n",
            b"POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\n",
            b"POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: +4\r\n\r\n{}  ",
            b"POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: 4, 4\r\n\r\n{}  ",
            b"POST /search HTTP/1.1\r\nHost: x\r\nContent-Length : 4\r\n\r\n{}  ",
            b"POST /search HTTP/1.1\r\nHost: x\r\nX-A: b\r\n Content-Length: 4\r\n\r\n{}  ",
            b"POST /search HTTP/1.1\r\nHost: x\rContent-Length: 4\r\n\r\n{}  ",
            b"POST /search HTTP/1.1\r\nHost: x\r\nX: \x00\r\n\r\n",
        ]
        for raw in cases:
            with self.subTest(raw=raw):
                self.refused(raw, 400)
        self.refused(b"POST /search HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"5\r\n{\"q\":\r\n0\r\n\r\n", 411)
        # Identical duplicates are one Content-Length.
        with httpc.Conn(self.d.host, self.d.http_port) as c:
            body = b'{"q":"taiwan"}'
            c.send(b"POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n"
                   b"Content-Length: %d\r\n\r\n%s" % (len(body), len(body), body))
            self.assertEqual(c.read_response().status, 200)

    def test_smuggled_request_is_not_run(self):
        """A second request hidden in a body is part of the body."""
        inner = b"GET /stats HTTP/1.1\r\nHost: x\r\n\r\n"
        body = b'{"q":"taiwan"}' + b" " * 2 + inner
        with httpc.Conn(self.d.host, self.d.http_port) as c:
            c.send(b"POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s"
                   % (len(body), body))
            r = c.read_response()
            self.assertEqual(r.status, 400)   # text after the JSON object
            c.send(httpc.encode("GET", "/ready"))
            self.assertEqual(c.read_response().status, 200)

    def test_pipelined_burst(self):
        n = 200
        with httpc.Conn(self.d.host, self.d.http_port) as c:
            c.send(b"".join(httpc.encode("POST", "/search", {"q": "taiwan", "id": i,
                                                            "fields": ["rank"]})
                            for i in range(n)))
            ids = [c.read_response().json()["id"] for _ in range(n)]
        self.assertEqual(ids, list(range(n)))

    def test_half_close_after_request(self):
        """A client that sends its request and shuts its side still gets
        the answer."""
        with httpc.Conn(self.d.host, self.d.http_port) as c:
            c.send(httpc.encode("GET", "/search?q=taiwan&limit=1"))
            c.sock.shutdown(socket.SHUT_WR)
            self.assertEqual(c.read_response().status, 200)
            self.assertTrue(c.wait_eof(dm.IO_TIMEOUT))

    def test_garbage(self):
        self.refused(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64 + b"\r\n\r\n",
                     400)


class ManyConnectionsTest(unittest.TestCase):
    """Thousands of keep-alive connections: up to --max-connections are
    served; beyond it new ones get 503 with Retry-After and a close (with
    --evict-idle 0) or take the place of the idlest (by default)."""

    CAP = 1000

    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        if raise_fd_limit(2 * cls.CAP + 600) < 2 * cls.CAP + 600:
            raise unittest.SkipTest("ManyConnectionsTest: the descriptor limit is too low")
        cls.tmp, cls.corpus, cls.db = dm.small_index(cls)

    def open_many(self, d, n):
        conns = []
        for _ in range(n):
            c = httpc.Conn(d.host, d.http_port)
            self.addCleanup(c.close)
            conns.append(c)
        return conns

    def test_cap_refuses_with_503(self):
        d = dm.start_daemon(self, self.db, "--max-connections", str(self.CAP), "--evict-idle", "0",
                            http=True)
        conns = self.open_many(d, self.CAP)
        for c in conns[::50]:  # each is a live keep-alive connection
            self.assertEqual(c.request("GET", "/ready").status, 200)
        extra = self.open_many(d, 300)
        refused = 0
        for c in extra:
            r = c.read_response()
            self.assertEqual(r.status, 503)
            self.assertEqual(r.header("retry-after"), "1")
            self.assertEqual(r.json()["error"]["code"], "overloaded")
            refused += 1
        self.assertEqual(refused, 300)
        # The open ones still work; closing some makes room again.
        self.assertEqual(conns[-1].request("POST", "/search", {"q": "taiwan"}).status, 200)
        for c in conns[:10]:
            c.close()
        # Until the daemon has seen the closes, a newcomer may still be
        # turned away: wait for room, for a bounded time.
        deadline = time.monotonic() + dm.IO_TIMEOUT
        while True:
            try:
                if httpc.call(d, "GET", "/ready").status == 200:
                    break
            except (dm.Closed, ConnectionResetError):
                pass
            self.assertLess(time.monotonic(), deadline, "no room after closing ten")

    def test_idle_keep_alive_make_room(self):
        d = dm.start_daemon(self, self.db, "--max-connections", str(self.CAP), "--evict-idle",
                            "200", http=True)
        conns = self.open_many(d, self.CAP)
        for c in conns:
            self.assertEqual(c.request("GET", "/ready").status, 200)
        t0 = time.monotonic()
        while time.monotonic() - t0 < 0.3:  # every connection idle 200 ms
            time.sleep(0.05)
        for c in self.open_many(d, 200):  # each stays open: each needs a place
            self.assertEqual(c.request("GET", "/search?q=taiwan&limit=1").status, 200)
        evicted = 0
        for c in conns:
            if c.wait_eof(0):
                evicted += 1
        self.assertGreaterEqual(evicted, 200)


if __name__ == "__main__":
    unittest.main()
