"""Black-box tests of attached and signals: SIGTERM and SIGINT stop it
cleanly (requests already received are answered, exit 0, pidfile removed),
SIGHUP reloads the config file and reopens the index, SIGPIPE is ignored.
"""
import json
import os
import re
import signal
import socket
import unittest

import daemon as dm
import harness as h


class SignalTest(unittest.TestCase):
    def setUp(self):
        dm.skip_without_daemon()
        self.tmp, self.corpus, self.db = dm.small_index(self)
        self.pidfile = os.path.join(self.tmp, "attached.pid")

    def start(self, *args, **kw):
        return dm.start_daemon(self, self.db, *args, tmp=self.tmp, **kw)

    def read_pidfile(self):
        try:
            with open(self.pidfile) as f:
                return f.read().strip()
        except FileNotFoundError:
            return None

    @h.not_under_valgrind("the daemon gives clients 10 s to take their last responses "
                          "after SIGTERM; under valgrind answering the requests in flight "
                          "takes longer, so the deadline cuts a response (the leak this "
                          "case once showed is checked by the memcheck run of the others)")
    def test_sigterm_answers_requests_in_flight(self):
        d = self.start("--pidfile", self.pidfile)
        h.wait_until(lambda: self.read_pidfile() == str(d.pid), 5, "the pidfile")
        idle = d.connect()  # an idle client must not hold up the exit
        self.addCleanup(idle.close)
        clients, sent = [], []
        for i in range(6):
            c = d.connect("tcp" if i % 2 else "unix")
            self.addCleanup(c.close)
            c.call({"op": "ping"})  # accepted and served before the batch
            reqs = []
            for k in range(150):
                if k % 3 == 0:
                    reqs.append({"id": [i, k], "op": "search", "q": "trade", "limit": 50,
                                 "facets": True})
                elif k % 3 == 1:
                    reqs.append({"id": [i, k], "op": "search", "q": dm.BIG_QUERY, "limit": 200})
                else:
                    reqs.append({"id": [i, k], "op": "get", "doc": "news/beijing-tokyo.txt"})
            c.send_bytes(b"".join(c.encode(r) for r in reqs))  # fully sent
            clients.append(c)
            sent.append(reqs)
        d.signal(signal.SIGTERM)
        answered, ends = [], []
        for i, (c, reqs) in enumerate(zip(clients, sent)):
            got, end = [], "EOF"
            try:
                while True:
                    line = c.recv_line(timeout=60)
                    if line is None:
                        break
                    got.append(json.loads(line))
            except ConnectionResetError:
                end = "connection reset"
            answered.append(got)
            ends.append(end)
        rc = d.wait(30)
        summary = [f"client {i}: {len(got)}/{len(reqs)} then {end}"
                   for i, (got, reqs, end) in enumerate(zip(answered, sent, ends))]
        if [len(g) for g in answered] != [len(r) for r in sent]:
            self.fail("requests fully sent before SIGTERM left unanswered: "
                      + "; ".join(summary) + f"; exit status {rc}")
        for got, reqs in zip(answered, sent):
            self.assertEqual([r["id"] for r in got], [r["id"] for r in reqs])
            bad = [r for r in got if not r["ok"]]
            self.assertEqual(bad[:3], [], "errors after SIGTERM")
        self.assertTrue(idle.wait_eof(30), "the idle client is disconnected")
        self.assertEqual(rc, 0, d.stderr())
        self.assertIsNone(self.read_pidfile(), "the pidfile is removed")

    def test_sigterm_stops_accepting(self):
        d = self.start()
        c = d.connect()
        self.addCleanup(c.close)
        c.call({"op": "ping"})
        d.signal(signal.SIGTERM)
        self.assertEqual(d.wait(30), 0, d.stderr())
        with self.assertRaises(OSError):
            dm.Client.tcp(d.host, d.port, timeout=5).request({"op": "ping"})

    def test_sigterm_with_a_client_that_never_reads(self):
        # A client that sends requests and never reads their responses
        # keeps its connection past SIGTERM's 10-second drain deadline; the
        # daemon then exits 0 and frees that connection too (the sanitizer
        # flavour fails the exit status on a leak, memcheck on its log).
        d = self.start()
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(s.close)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(d.sock_path)
        req = dm.Client.encode({"op": "search", "q": "trade", "limit": 100, "quotes": True})
        s.sendall(req * 200)
        with d.connect() as c:  # the daemon has taken the requests in
            h.wait_until(lambda: c.call({"op": "stats"})["requests"]["total"] >= 50, 30,
                         "the non-reader's requests answered into its buffers")
        d.signal(signal.SIGTERM)
        self.assertEqual(d.wait(h.scaled(40)), 0, d.stderr())
        self.assertIn("did not read their last responses in time", d.stderr())

    def test_sigint(self):
        d = self.start("--pidfile", self.pidfile)
        c = d.connect()
        self.addCleanup(c.close)
        c.call({"op": "ping"})
        c.send({"id": "x", "op": "search", "q": "trade"})
        h.wait_until(lambda: self.read_pidfile() == str(d.pid), 5, "the pidfile")
        d.signal(signal.SIGINT)
        self.assertEqual(c.recv()["id"], "x")
        self.assertEqual(d.wait(30), 0, d.stderr())
        self.assertIsNone(self.read_pidfile())

    def test_sigpipe_ignored(self):
        d = self.start()
        for i in range(20):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(d.sock_path)
            req = dm.Client.encode({"op": "search", "q": dm.BIG_QUERY, "limit": 1000})
            s.sendall(req * 30)
            s.shutdown(socket.SHUT_RD)
            s.close()
        with d.connect() as c:
            self.assertIs(c.call({"op": "ping"})["pong"], True)
        self.assertTrue(d.running(), d.stderr())

    def write_config(self, path, **opts):
        with open(path + ".new", "w") as f:
            f.write("# attached configuration for a test\n\n")
            for k, v in opts.items():
                f.write(f"{k.replace('_', '-')} = {v}\n")
        os.replace(path + ".new", path)

    def test_sighup_reloads_config(self):
        conf = os.path.join(self.tmp, "attached.conf")
        self.write_config(conf, log_level="warn", max_line=65536)
        d = self.start("--config", conf, "--idle-timeout", "100")
        c = d.connect()
        self.addCleanup(c.close)
        for _ in range(3):
            c.call({"op": "ping"})
        c.call({"op": "search", "q": "trade"})
        lim = c.call({"op": "stats"})["limits"]
        self.assertEqual((lim["max_line"], lim["idle_timeout_s"]), (65536, 100))
        quiet = d.stderr()
        self.assertFalse(re.search(r"\bping\b", quiet), f"requests logged at warn: {quiet}")

        self.write_config(conf, log_level="info", max_line=2000, idle_timeout=50)
        d.signal(signal.SIGHUP)
        h.wait_until(lambda: c.call({"op": "stats"})["limits"]["max_line"] == 2000, 5,
                     "max-line 2000 after SIGHUP")
        since = len(d.stderr())
        c.call({"id": "logged", "op": "ping"})
        h.wait_until(lambda: re.search(r"\bping\b", d.stderr()[since:]), 5,
                     "a request log line after SIGHUP set log-level = info")
        self.assertEqual(c.call({"op": "stats"})["limits"]["idle_timeout_s"], 100,
                         "the command line still wins over the file")
        c.send_bytes(b'{"id":1,"op":"ping","pad":"' + b"x" * 3000 + b'"}\n')
        dm.assert_error(self, c.recv(), "too_large", None, "a 3000-byte line, max-line 2000")
        self.assertEqual(c.call({"id": 2, "op": "ping"})["id"], 2)
        with d.connect("tcp") as other:
            self.assertIs(other.call({"op": "ping"})["pong"], True)
        self.assertTrue(d.running())

    def test_sighup_reopens_the_index(self):
        d = self.start()
        c = d.connect()
        self.addCleanup(c.close)
        rev0 = c.call({"op": "ping"})["revision"]
        h.write(os.path.join(self.corpus, "news", "hup.txt"),
                "Title: Hup\nDate: 2025-12-03\nSource: AP\n\nThe okapiite reserve grew.\n")
        p = h.run_indexer("-d", self.db, "--no-progress", self.corpus)
        self.assertEqual(p.returncode, 0, p.stderr)
        d.signal(signal.SIGHUP)
        h.wait_until(lambda: c.call({"op": "search", "q": "okapiite"})["hits"], 5,
                     "the new document after SIGHUP")
        self.assertGreater(c.call({"op": "ping"})["revision"], rev0)
        for _ in range(5):  # several in a row
            d.signal(signal.SIGHUP)
            self.assertIs(c.call({"op": "ping"})["pong"], True)
        self.assertTrue(d.running())
        self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    unittest.main()
