"""Black-box tests of attached's memory ceilings: --max-client-memory
(clients that send and never read are paused, then closed with
"overloaded", and what the daemon holds for clients comes back under the
ceiling while a client that reads is served throughout) and --max-per-ip
(the connections of one TCP client address, line protocol and HTTP
together; the Unix socket is exempt).
"""
import json
import os
import signal
import socket
import threading
import time
import unittest

import daemon as dm
import harness as h
import httpc

CAP = 2_000_000          # --max-client-memory of the non-reader test
MAX_OUTPUT = 1 << 20     # --max-output: each non-reader could hold a MiB
NON_READERS = 20
PIPELINED = 100          # searches each non-reader sends (answers of about 80 KB)


def rss_kib(pid):
    """VmRSS of process pid, in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc/PID/status")


def non_reader(d):
    """A TCP client with a small receive buffer (so that what it does not
    read stays in the daemon, not in the kernel) that pipelines PIPELINED
    big searches."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
    s.settimeout(dm.IO_TIMEOUT)
    s.connect((d.host, d.port))
    c = dm.Client(s)
    c.send_bytes(b"".join(c.encode({"id": k, "op": "search", "q": dm.BIG_QUERY,
                                    "limit": 1000}) for k in range(PIPELINED)))
    return c


def read_all(c, timeout):
    """Every response c receives until the daemon closes it or all
    PIPELINED are in: (responses, closed)."""
    got = []
    c.settimeout(timeout)
    while len(got) < PIPELINED:
        try:
            line = c.recv_line()
        except ConnectionResetError:
            return got, True
        if line is None:
            return got, True
        got.append(json.loads(line))
    return got, False


class ClientMemoryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.tmp, cls.corpus, cls.db = dm.small_index(cls)

    def test_non_readers_are_closed_and_memory_comes_back(self):
        d = dm.start_daemon(self, self.db, "--max-client-memory", CAP,
                            "--max-output", MAX_OUTPUT, tmp=self.tmp, http=True)
        good = d.connect()
        self.addCleanup(good.close)
        for _ in range(20):  # warm the allocator before the first measure
            good.call({"op": "search", "q": dm.BIG_QUERY, "limit": 1000})
        s0 = good.call({"op": "stats"})
        self.assertEqual(s0["limits"]["max_client_memory"], CAP)
        rss0 = rss_kib(d.pid)
        bad = []
        for _ in range(NON_READERS):
            bad.append(non_reader(d))
            self.addCleanup(bad[-1].close)
        peak_held, peak_rss, served = 0, rss0, 0

        def settled():
            nonlocal peak_held, peak_rss, served
            r = good.call({"op": "search", "q": "soybeans"})  # served throughout
            self.assertTrue(r["hits"])
            served += 1
            conn = good.call({"op": "stats"})["connections"]
            peak_held = max(peak_held, conn["memory_bytes"])
            peak_rss = max(peak_rss, rss_kib(d.pid))
            return conn["memory_closed"] > s0["connections"]["memory_closed"] and \
                conn["memory_bytes"] <= CAP and conn
        conn = h.wait_until(settled, 60, "non-readers closed, clients' memory under the ceiling",
                            interval=0.05)
        rss1 = rss_kib(d.pid)
        metrics = scrape(d)
        self.assertEqual(metrics["attache_client_memory_limit_bytes"], CAP)
        self.assertGreaterEqual(metrics["attache_connections_memory_closed_total"],
                                conn["memory_closed"])
        self.assertGreater(conn["memory_paused"], s0["connections"]["memory_paused"])
        # Without the ceiling the non-readers would hold 20 x 1 MiB. With it
        # each connection adds at most one response (about 80 KB) once the
        # ceiling is passed, and then waits.
        self.assertLessEqual(peak_held, CAP + (NON_READERS + 1) * 100_000,
                             f"peak held {peak_held}")
        if h.FLAVOUR == "rel":  # AddressSanitizer keeps freed memory in quarantine
            self.assertLess(rss1 - rss0, (CAP >> 10) + (16 << 10), f"RSS {rss0} -> {rss1} KiB")
        print(f"\n[memory] {NON_READERS} non-readers x {PIPELINED} searches, "
              f"--max-client-memory {CAP} --max-output {MAX_OUTPUT}: RSS {rss0} KiB before, "
              f"{rss1} KiB settled (peak {peak_rss} KiB); clients' memory peak {peak_held}, "
              f"settled {conn['memory_bytes']}; {conn['memory_closed']} closed, "
              f"{conn['memory_paused']} pauses; {served} searches served meanwhile")
        # Each client closed got whole answers, in order, then the error
        # (read at once, all together: a closed client has
        # ATTACHE_MEMORY_LINGER_S to take its last bytes).
        results = [None] * len(bad)

        def reader(i):
            results[i] = read_all(bad[i], dm.IO_TIMEOUT)
        threads = [threading.Thread(target=reader, args=(i,), daemon=True)
                   for i in range(len(bad))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(h.scaled(120))
        self.assertFalse([t for t in threads if t.is_alive()], "readers still running")
        closed = 0
        for got, was_closed in results:
            if not was_closed:
                self.assertEqual([r["id"] for r in got], list(range(PIPELINED)))
                continue
            closed += 1
            self.assertTrue(got, "a closed client gets at least the error")
            last = got[-1]
            self.assertEqual((last.get("ok"), dm.error_code(last), last.get("id", "?")),
                             (False, "overloaded", None),
                             f"the last line of a closed client (after {len(got) - 1} "
                             f"answers): {str(last)[:200]}")
            self.assertEqual([r["id"] for r in got[:-1]], list(range(len(got) - 1)))
            self.assertTrue(all(r["ok"] for r in got[:-1]))
        metrics = scrape(d)
        self.assertLessEqual(metrics["attache_client_memory_bytes"], CAP)
        final = good.call({"op": "stats"})["connections"]
        self.assertEqual(closed, final["memory_closed"] - s0["connections"]["memory_closed"])
        self.assertGreaterEqual(closed, 1)
        self.assertTrue(good.call({"op": "ping"})["pong"])


def scrape(d):
    """{name: value} of the samples without labels of d's /metrics."""
    status, _, body = httpc_get(d, "/metrics")
    if status != 200:
        raise AssertionError(f"/metrics answered {status}: {body}")
    return {k: float(v) for k, v in (line.rsplit(" ", 1) for line in body.splitlines()
                                     if line and not line.startswith("#") and "{" not in line)}


def httpc_get(d, path):
    """(status, response, body text) of GET path on d's HTTP port."""
    with httpc.Conn(d.host, d.http_port) as c:
        r = c.request("GET", path)
        return r.status, r, r.body.decode("utf-8", "replace")


class PerIpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.tmp, cls.corpus, cls.db = dm.small_index(cls)

    def start(self, *args):
        return dm.start_daemon(self, self.db, *args, tmp=self.tmp, http=True)

    def admitted(self, d, kind="tcp"):
        """A new connection that answers a ping (closed when the test
        ends), or None when the daemon closed it instead."""
        c = d.connect(kind)
        try:
            r = c.request({"op": "ping"})
        except (OSError, AssertionError):
            c.close()
            return None
        if not r["ok"]:
            c.close()
            return None
        self.addCleanup(c.close)
        return c

    def turned_away(self, d, port=None, host=None):
        """Connect (TCP) and expect the per-address "overloaded" line, then
        the end of the connection."""
        with dm.Client.tcp(host or d.host, port or d.port) as c:
            r = c.recv()
            dm.assert_error(self, r, "overloaded", None, "over --max-per-ip")
            self.assertIn("address", r["error"]["message"])
            self.assertTrue(c.wait_eof(dm.IO_TIMEOUT), "closed after the error")
            self.assertEqual(bytes(c.buf), b"", "one error line, nothing more")

    def test_fourth_connection_is_turned_away(self):
        d = self.start("--max-per-ip", 3)
        h.wait_until(lambda: self.stats(d)["connections"]["current"] == 1, 10,
                     "the readiness connection closed")
        cs = [self.admitted(d) for _ in range(3)]
        self.assertTrue(all(cs), "three are allowed")
        self.turned_away(d)
        # HTTP counts with the line protocol: 429, Retry-After, the error object.
        with httpc.Conn(d.host, d.http_port) as hc:
            r = hc.read_response()
            self.assertEqual(r.status, 429)
            self.assertEqual(r.header("retry-after"), "1")
            self.assertEqual(r.json()["error"]["code"], "overloaded")
            self.assertTrue(hc.wait_eof(dm.IO_TIMEOUT))
        # The Unix socket is not counted.
        u = [self.admitted(d, "unix") for _ in range(4)]
        self.assertTrue(all(u), "Unix-socket clients are not limited")
        s = self.stats(d)
        self.assertEqual(s["connections"]["per_ip_rejected"], 2)
        self.assertEqual(s["limits"]["max_per_ip"], 3)
        self.assertEqual(s["connections"]["rejected"], 0, "the connection cap is another count")
        # Closing one makes room (once the daemon has noticed).
        cs[1].close()
        cs[1] = h.wait_until(lambda: self.admitted(d), 10, "room for a new connection")
        for c in cs:
            c.close()
        got = h.wait_until(lambda: (lambda g: g[0] == 200 and g)(httpc_get(d, "/metrics")),
                           10, "room for HTTP")
        n = self.stats(d)["connections"]["per_ip_rejected"]
        self.assertIn(f"\nattache_connections_per_ip_rejected_total {n}\n", got[2])

    def stats(self, d):
        with d.connect("unix") as c:
            return c.call({"op": "stats"})

    @unittest.skipUnless(dm.have_ipv6_loopback(), "no IPv6 loopback")
    def test_ipv6_and_v4_mapped(self):
        dual, six = dm.free_port("::1", socket.AF_INET6), dm.free_port("::1", socket.AF_INET6)
        d = self.start("--max-per-ip", 2, "--listen", f"[::]:{dual}",
                       "--listen", f"[::1]:{six}")
        h.wait_until(lambda: self.stats(d)["connections"]["current"] == 1, 10,
                     "the readiness connection closed")

        def conn(host, port):
            c = dm.Client.tcp(host, port)
            self.addCleanup(c.close)
            return c.request({"op": "ping"})["ok"]
        # ::ffff:127.0.0.1 (IPv4 through the dual-stack socket) is 127.0.0.1.
        self.assertTrue(conn("127.0.0.1", d.port))
        self.assertTrue(conn("127.0.0.1", dual))
        self.turned_away(d, dual, "127.0.0.1")
        self.turned_away(d, d.port)
        # ::1 is another address.
        self.assertTrue(conn("::1", six))
        self.assertTrue(conn("::1", dual))
        self.turned_away(d, six, "::1")

    def test_sighup_changes_the_limit(self):
        conf = h.write(os.path.join(h.tmp_for(self), "a.conf"),
                       "max-per-ip = 1\nmax-client-memory = 5000000\n")
        d = self.start("--config", conf)
        self.assertEqual(self.stats(d)["limits"]["max_per_ip"], 1)
        self.assertEqual(self.stats(d)["limits"]["max_client_memory"], 5000000)
        h.wait_until(lambda: self.stats(d)["connections"]["current"] == 1, 10,
                     "the readiness connection closed")
        self.assertTrue(self.admitted(d))
        self.turned_away(d)
        h.write(conf, "max-per-ip = 2\nmax-client-memory = 6000000\n")
        d.signal(signal.SIGHUP)
        h.wait_until(lambda: self.stats(d)["limits"]["max_per_ip"] == 2, 10, "the new limit")
        self.assertEqual(self.stats(d)["limits"]["max_client_memory"], 6000000)
        self.assertTrue(self.admitted(d))
        self.turned_away(d)


if __name__ == "__main__":
    unittest.main()
