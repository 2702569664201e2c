"""Black-box tests of attached's limits and robustness: too_large lines,
deep nesting, --max-connections (overloaded), --idle-timeout, many
concurrent clients, clients that vanish mid-response or do not read.
"""
import socket
import struct
import threading
import time
import unittest

import daemon as dm
import harness as h


skip_without_daemon = dm.skip_without_daemon


class SharedDaemonTest(dm.DaemonClass):
    """Default limits, one daemon for the class."""

    def test_too_large_line_then_same_connection_works(self):
        e1 = self.c.call({"op": "stats"})["errors"].get("too_large", 0)
        big = b'{"id":1,"op":"ping","pad":"' + b"x" * (1 << 20) + b'"}\n'
        self.c.send_bytes(big)
        r = self.c.recv()
        dm.assert_error(self, r, "too_large", what="a 1 MiB line")
        self.assertIsNone(r["id"], "a line that was not read has no id")
        r = self.c.request({"id": 2, "op": "ping"})
        self.assertEqual((r["ok"], r["id"], r.get("pong")), (True, 2, True), r)
        e2 = self.c.call({"op": "stats"})["errors"].get("too_large", 0)
        self.assertEqual(e2 - e1, 1)

    def test_too_large_in_a_pipeline(self):
        data = (self.c.encode({"id": 1, "op": "ping"})
                + b'{"id":2,"op":"search","q":"' + b"trade " * 40000 + b'"}\n'
                + self.c.encode({"id": 3, "op": "search", "q": "trade"}))
        self.c.send_bytes(data)
        got = [self.c.recv() for _ in range(3)]
        self.assertEqual((got[0]["id"], got[0]["ok"]), (1, True), got[0])
        dm.assert_error(self, got[1], "too_large")
        self.assertEqual((got[2]["id"], got[2]["ok"]), (3, True), got[2])
        self.assertTrue(got[2]["hits"])

    def test_too_large_without_newline_then_newline(self):
        # A long line arriving in pieces, the newline much later.
        self.c.send_bytes(b'{"id":1,"op":"ping","pad":"')
        for _ in range(20):
            self.c.send_bytes(b"y" * 10000)
        self.c.send_bytes(b'"}\n')
        dm.assert_error(self, self.c.recv(), "too_large")
        self.assertEqual(self.c.call({"id": 4, "op": "ping"})["id"], 4)

    def test_line_just_under_the_limit(self):
        rid = "z" * 65000
        r = self.c.request({"id": rid, "op": "ping"})
        self.assertIs(r["ok"], True, str(r)[:200])
        self.assertEqual(r["id"], rid)

    def test_50_concurrent_connections(self):
        queries = [("trade", {}), ("soybeans", {}), ('"red line"', {}),
                   ("sanctions", {"limit": 20}), ("tariff", {"sort": "-date", "limit": 30}),
                   ("", {"filter": {"source": "Reuters"}, "limit": 50}),
                   ("harbour OR drought", {"per_doc": 1, "limit": 100})]
        want = {}
        for q, p in queries:
            r = self.c.call(dict(op="search", q=q, **p))
            want[q] = [dm.hit_key(x) for x in r["hits"]]
            self.assertTrue(want[q], q)
        errors, done = [], []
        lock = threading.Lock()
        start = threading.Barrier(50, timeout=60)

        def client(i):
            try:
                c = self.d.connect("tcp" if i % 2 else "unix")
                with c:
                    start.wait()
                    for k in range(4):
                        q, p = queries[(i + k) % len(queries)]
                        rid = f"{i}.{k}"
                        r = c.request(dict(op="search", q=q, id=rid, **p))
                        if r["id"] != rid or not r["ok"]:
                            raise AssertionError(f"client {i}: {rid} -> {str(r)[:300]}")
                        got = [dm.hit_key(x) for x in r["hits"]]
                        if got != want[q]:
                            raise AssertionError(f"client {i}: {q!r} gave {got[:5]}..., "
                                                 f"expected {want[q][:5]}...")
                    c.call({"op": "ping"})
                with lock:
                    done.append(i)
            except Exception as e:  # reported below
                with lock:
                    errors.append(f"client {i}: {e!r}")

        threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertFalse([t for t in threads if t.is_alive()], "clients still running")
        self.assertEqual(errors, [])
        self.assertEqual(len(done), 50)
        h.wait_until(lambda: self.c.call({"op": "stats"})["connections"]["current"] == 1, 10,
                     "the 50 connections counted closed")

    def test_client_vanishing_mid_response(self):
        before = self.c.call({"op": "stats"})
        for i in range(10):
            c = self.d.connect("tcp" if i % 2 else "unix")
            for k in range(20):
                c.send({"id": k, "op": "search", "q": dm.BIG_QUERY, "limit": 1000})
            if i % 2:  # reset rather than close
                c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            if i % 3 == 0:
                c.recv_line()  # read part of the answers, then vanish
            c.close()
            self.assertIs(self.c.call({"op": "ping"})["pong"], True)
        with self.d.connect() as other:
            r = other.call({"op": "search", "q": "soybeans"})
            self.assertTrue(r["hits"])
        h.wait_until(lambda: self.c.call({"op": "stats"})["connections"]["current"] == 1, 10,
                     "the vanished connections counted closed")
        after = self.c.call({"op": "stats"})
        self.assertTrue(self.d.running())
        self.assertGreaterEqual(after["connections"]["total"],
                                before["connections"]["total"] + 10)
        self.assertFalse(after["errors"].get("internal"), after["errors"])

    @h.not_under_valgrind("answering the 300 pipelined searches takes over 10 s under "
                          "valgrind, and --request-timeout (10 s from a line's first byte) "
                          "cuts the line the daemon began reading")
    def test_client_that_does_not_read(self):
        # 300 requests with large answers, none read for a while: the daemon
        # stops reading that client, serves others, then answers it all.
        slow = self.d.connect()
        self.addCleanup(slow.close)
        n = 300
        slow.send_bytes(b"".join(slow.encode({"id": k, "op": "search", "q": dm.BIG_QUERY,
                                               "limit": 1000})
                                 for k in range(n)))
        for _ in range(20):
            self.assertIs(self.c.call({"op": "ping"})["pong"], True)
            r = self.c.call({"op": "search", "q": "trade"})
            self.assertTrue(r["hits"])
        ids, sizes = [], set()
        for _ in range(n):
            r = slow.recv()
            self.assertIs(r["ok"], True, str(r)[:300])
            sizes.add(len(r["hits"]))
            ids.append(r["id"])
        self.assertEqual(len(sizes), 1, "the same answer each time")
        self.assertGreater(sizes.pop(), 50)
        self.assertEqual(ids, list(range(n)))


class ParallelWorkersTest(unittest.TestCase):
    """Several workers running the same kinds of search at once."""

    def setUp(self):
        skip_without_daemon()
        self.tmp, self.corpus, self.db = dm.small_index(self)

    def run_pipelines(self, d, make, clients=8, n=1000):
        cs = [d.connect("tcp" if i % 2 else "unix") for i in range(clients)]
        for c in cs:
            self.addCleanup(c.close)
        problems = []
        for i, c in enumerate(cs):
            try:
                c.send_bytes(b"".join(c.encode(make(i, k)) for k in range(n)))
            except OSError as e:
                problems.append(f"client {i}: sending: {e!r}")
        for i, c in enumerate(cs):
            try:
                for k in range(n):
                    r = c.recv()
                    if not r["ok"] or r["id"] != k:
                        problems.append(f"client {i}: {str(r)[:200]}")
                        break
            except (OSError, AssertionError) as e:
                problems.append(f"client {i}: after {k} answers: {e!r}")
        alive = d.running()
        if problems or not alive:
            self.fail(f"{len(problems)} clients failed ({'; '.join(problems[:3])}); daemon "
                      f"{'running' if alive else f'exited {d.proc.returncode}'}; end of its "
                      f"stderr:\n{d.stderr()[-2500:]}")

    def test_filter_only_searches_in_parallel(self):
        # q "" (everything that passes the filter) on every worker at once.
        d = dm.start_daemon(self, self.db, tmp=self.tmp, threads=8)
        for _ in range(3):
            self.run_pipelines(d, lambda i, k: {"id": k, "op": "search", "q": "", "limit": 1,
                                                "quotes": False,
                                                "filter": {"source": ("AP", "Reuters")[i % 2]}},
                               clients=16)

    def test_word_searches_in_parallel(self):
        d = dm.start_daemon(self, self.db, tmp=self.tmp, threads=4)
        words = ("trade", "tariff", "harbour OR drought", "soyb*", '"red line"', "sanction")
        self.run_pipelines(d, lambda i, k: {"id": k, "op": "search", "limit": 3,
                                            "q": words[(i + k) % len(words)]})


class DeepNestingTest(unittest.TestCase):
    def setUp(self):
        skip_without_daemon()
        self.tmp, self.corpus, self.db = dm.small_index(self)

    def test_100000_deep_and_max_line(self):
        d = dm.start_daemon(self, self.db, "--max-line", "400000", tmp=self.tmp)
        with d.connect() as c:
            self.assertEqual(c.call({"op": "stats"})["limits"]["max_line"], 400000)
            for line in (b'{"id":7,"op":"ping","x":' + b"[" * 100000 + b"]" * 100000 + b"}",
                         b"[" * 100000 + b"]" * 100000,
                         b"[" * 100000,
                         b'{"a":' * 50000 + b"1" + b"}" * 50000,
                         b"{" * 300000):
                with self.subTest(line=line[:30]):
                    c.send_bytes(line + b"\n")
                    r = c.recv()
                    dm.assert_error(self, r, "bad_json")
                    self.assertIn(r["id"], (None, 7))
                    self.assertEqual(c.call({"id": 8, "op": "ping"})["id"], 8)
            c.send_bytes(b'{"id":1,"op":"ping","pad":"' + b"x" * 400000 + b'"}\n')
            dm.assert_error(self, c.recv(), "too_large", None)
            rid = "y" * 300000
            self.assertEqual(c.call({"id": rid, "op": "ping"})["id"], rid)
        self.assertTrue(d.running())


class OverloadTest(unittest.TestCase):
    def setUp(self):
        skip_without_daemon()
        self.tmp, self.corpus, self.db = dm.small_index(self)

    def test_max_connections(self):
        # --evict-idle 0: no idle connection makes room (test_daemon_hostile
        # covers making room).
        d = dm.start_daemon(self, self.db, "--max-connections", "2", "--evict-idle", "0",
                            tmp=self.tmp)
        a = d.connect()
        self.addCleanup(a.close)
        h.wait_until(lambda: a.call({"op": "stats"})["connections"]["current"] == 1, 5,
                     "the readiness connection counted closed")
        self.assertEqual(a.call({"op": "stats"})["limits"]["max_connections"], 2)
        b = d.connect("tcp")
        self.addCleanup(b.close)
        self.assertIs(b.call({"op": "ping"})["pong"], True)
        for kind in ("unix", "tcp"):
            with self.subTest(third=kind):
                c = d.connect(kind)
                self.addCleanup(c.close)
                r = c.recv()
                dm.assert_error(self, r, "overloaded", None, "the third connection")
                self.assertTrue(c.wait_eof(10), "an overloaded connection is closed")
                self.assertEqual(bytes(c.buf), b"", "one error line, nothing more")
        # The two served ones still work.
        self.assertIs(a.call({"op": "ping"})["pong"], True)
        self.assertIs(b.call({"op": "ping"})["pong"], True)
        s = a.call({"op": "stats"})
        self.assertGreaterEqual(s["connections"]["rejected"], 2)
        self.assertEqual(s["connections"]["current"], 2)
        b.close()

        def served():
            try:
                with d.connect() as c:
                    r = c.request({"id": "new", "op": "ping"})
                    return r["ok"] and r.get("pong")
            except (OSError, AssertionError):
                return False

        h.wait_until(served, 5, "a new connection served after one was closed")
        self.assertIs(a.call({"op": "ping"})["pong"], True)


class IdleTimeoutTest(unittest.TestCase):
    def setUp(self):
        skip_without_daemon()
        self.tmp, self.corpus, self.db = dm.small_index(self)

    def test_idle_connection_is_closed(self):
        d = dm.start_daemon(self, self.db, "--idle-timeout", "1", tmp=self.tmp)
        busy = d.connect()
        self.addCleanup(busy.close)
        self.assertEqual(busy.call({"op": "stats"})["limits"]["idle_timeout_s"], 1)
        idle = d.connect("tcp")
        self.addCleanup(idle.close)
        idle.call({"op": "ping"})
        t0 = time.monotonic()
        # The busy connection sends something every 0.3 s: never idle.
        while time.monotonic() - t0 < 2.5:
            self.assertIs(busy.call({"op": "ping"})["pong"], True)
            time.sleep(0.3)
        self.assertTrue(idle.wait_eof(5), "an idle connection is closed (--idle-timeout 1)")
        silent = d.connect()
        self.addCleanup(silent.close)
        t1 = time.monotonic()
        self.assertTrue(silent.wait_eof(6), "a connection that never sent anything")
        self.assertGreater(time.monotonic() - t1, 0.5)
        partial = d.connect()
        self.addCleanup(partial.close)
        partial.send_bytes(b'{"id":1,"op":')  # half a line, then silence
        self.assertTrue(partial.wait_eof(6), "a connection stuck in the middle of a line")
        self.assertTrue(d.running())


if __name__ == "__main__":
    unittest.main()
