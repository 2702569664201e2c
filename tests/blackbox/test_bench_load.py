"""bench/load works against the real daemon, over the socket protocol and
over HTTP (--http): it answers every request, counts none as an error,
stops by itself, and fails the run (exit 1) when the daemon answers with
errors (over HTTP, a status other than 200). A correctness check of the tool only: the
figures it prints are never asserted."""
import json
import os
import subprocess
import unittest

import daemon as dm
import harness as h


def load_bin():
    return os.path.join(h.build_dir(), "bench", "load")


class LoadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(load_bin()):
            raise unittest.SkipTest(f"{load_bin()} not built (make check-build)")
        cls.tmp, cls.corpus, cls.db = dm.small_index(cls)
        cls.d = dm.start_daemon(cls, cls.db)

    def run_load(self, queries, *args):
        path = os.path.join(self.tmp, f"q{len(queries)}.txt")
        with open(path, "w") as f:
            f.write("\n".join(queries) + "\n")
        p = subprocess.run([load_bin(), "--socket", self.d.sock_path, "--queries", path,
                            "--json", *args], capture_output=True, text=True, timeout=60)
        return p, (json.loads(p.stdout) if p.stdout.strip() else None)

    def test_counts_every_request(self):
        p, r = self.run_load(["trade", '"red line"', '{"op":"ping"}'], "-c", "3", "-n", "90",
                             "-p", "4")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual((r["requests"], r["errors"], r["conns"], r["pipeline"]),
                         (90, 0, 3, 4))
        self.assertLessEqual(r["p50_us"], r["p99_us"])
        self.assertLessEqual(r["p99_us"], r["max_us"])
        self.assertGreater(r["rps"], 0)

    def test_error_responses_fail_the_run(self):
        p, r = self.run_load(['{"op":"search","q":"trade","limit":0}'], "-n", "5")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual((r["requests"], r["errors"]), (5, 5))
        self.assertIn("bad_request", p.stderr)

    def test_stops_by_time(self):
        p, r = self.run_load(["trade"], "-n", "100000000", "-d", "0.5")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertLess(r["seconds"], 5)
        self.assertLess(r["requests"], 100000000)


class LoadHttpTest(unittest.TestCase):
    """load --http: the same requests as the bodies of POST /OP on the
    daemon's HTTP listener, on kept-alive connections."""

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(load_bin()):
            raise unittest.SkipTest(f"{load_bin()} not built (make check-build)")
        cls.tmp, cls.corpus, cls.db = dm.small_index(cls)
        cls.d = dm.start_daemon(cls, cls.db, http=True)

    def setUp(self):
        self.c = dm.connect_live(self, self.d)

    def run_load(self, queries, *args):
        path = os.path.join(self.tmp, f"h{len(queries)}.txt")
        with open(path, "w") as f:
            f.write("\n".join(queries) + "\n")
        p = subprocess.run([load_bin(), "--http", f"{self.d.host}:{self.d.http_port}",
                            "--queries", path, "--json", *args],
                           capture_output=True, text=True, timeout=60)
        return p, (json.loads(p.stdout) if p.stdout.strip() else None)

    def test_counts_every_request_on_kept_alive_connections(self):
        before = self.c.call({"op": "stats"})
        p, r = self.run_load(["trade", '"red line"', '{"op":"get","doc":"news/soybeans.txt"}',
                              '{"op":"stats"}'], "-c", "3", "-n", "90", "-p", "4")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual((r["requests"], r["errors"], r["conns"], r["pipeline"]),
                         (90, 0, 3, 4))
        self.assertLessEqual(r["p50_us"], r["p99_us"])
        after = self.c.call({"op": "stats"})
        # Every request reached its operation, over three connections only.
        ops = ("search", "get", "stats")
        self.assertEqual(sum(after["requests"][k] - before["requests"][k] for k in ops), 91)
        self.assertGreater(after["requests"]["get"] - before["requests"]["get"], 0)
        self.assertEqual(after["connections"]["total"] - before["connections"]["total"], 3)

    def test_request_extra_goes_into_the_body(self):
        p, r = self.run_load(["trade"], "-n", "4", "--request-extra", '{"limit":0}')
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual((r["requests"], r["errors"]), (4, 4))
        self.assertIn("HTTP 400", p.stderr)
        self.assertIn("bad_request", p.stderr)

    def test_non_200_fails_the_run(self):
        p, r = self.run_load(['{"op":"get","doc":"no/such.txt"}'], "-n", "3")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual((r["requests"], r["errors"]), (3, 3))
        self.assertIn("HTTP 404", p.stderr)

    def test_stops_by_time(self):
        p, r = self.run_load(["trade"], "-n", "100000000", "-d", "0.5")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertLess(r["seconds"], 5)
        self.assertLess(r["requests"], 100000000)
