"""Black-box tests of attached's monitoring over HTTP: GET /metrics (the
Prometheus text format 0.0.4: requests by operation and outcome, their
latency histogram, HTTP responses by status, connections, the index and
its shards) and the probes GET /health and GET /ready.

The daemons listen with --http on a free port of 127.0.0.1 (daemon.py);
the client is http.client. promtool (Debian package prometheus) checks
the text when it is installed.
"""
import http.client
import json
import re
import shutil
import subprocess
import unittest

import daemon as dm
import harness as h

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
FAMILIES = {
    "attache_build_info": "gauge",
    "attache_uptime_seconds": "gauge",
    "attache_requests_total": "counter",
    "attache_request_duration_seconds": "histogram",
    "attache_http_responses_total": "counter",
    "attache_connections_open": "gauge",
    "attache_connections_total": "counter",
    "attache_connections_rejected_total": "counter",
    "attache_connections_evicted_total": "counter",
    "attache_connections_timed_out_total": "counter",
    "attache_connections_per_ip_rejected_total": "counter",
    "attache_connections_memory_paused_total": "counter",
    "attache_connections_memory_closed_total": "counter",
    "attache_output_queued_bytes": "gauge",
    "attache_client_memory_bytes": "gauge",
    "attache_client_memory_limit_bytes": "gauge",
    "attache_pipelining_yields_total": "counter",
    "attache_index_reopens_total": "counter",
    "attache_index_revision": "gauge",
    "attache_index_documents": "gauge",
    "attache_index_passages": "gauge",
    "attache_index_age_seconds": "gauge",
    "attache_shard_up": "gauge",
}


def unescape(v):
    return re.sub(r'\\(.)', lambda m: "\n" if m.group(1) == "n" else m.group(1), v)


def parse(text):
    """{(name, frozenset of (label, value)): value} of every sample, and
    {family: type} of the # TYPE lines; fails on a line of neither kind."""
    samples, types = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            types[name] = kind
        elif line.startswith("# HELP "):
            continue
        else:
            m = SAMPLE.match(line)
            if m is None:
                raise AssertionError(f"not a sample: {line!r}")
            labels = frozenset((k, unescape(v)) for k, v in LABEL.findall(m.group(3) or ""))
            samples[(m.group(1), labels)] = float(m.group(4))
    return samples, types


def key(name, **labels):
    return (name, frozenset(labels.items()))


class Http:
    """One keep-alive HTTP connection to d's --http port."""

    def __init__(self, d):
        self.conn = http.client.HTTPConnection("127.0.0.1", d.http_port, timeout=dm.IO_TIMEOUT)

    def get(self, path):
        """(status, headers, body as text)."""
        self.conn.request("GET", path)
        r = self.conn.getresponse()
        return r.status, r.headers, r.read().decode("utf-8")

    def metrics(self):
        status, headers, body = self.get("/metrics")
        if status != 200:
            raise AssertionError(f"/metrics answered {status}: {body}")
        return body

    def samples(self):
        return parse(self.metrics())[0]

    def probe(self, path):
        status, headers, body = self.get(path)
        return status, json.loads(body)

    def close(self):
        self.conn.close()


class MetricsTest(dm.DaemonClass):
    """A daemon on the hand-made corpus with --http, shared by the class."""

    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.tmp, cls.corpus, cls.db = dm.small_index(cls)
        d = dm.Daemon(cls.db, cls.tmp, http=True)
        cls.addClassCleanup(d.cleanup)
        cls.d = d.start()

    def setUp(self):
        super().setUp()
        self.http = Http(self.d)
        self.addCleanup(self.http.close)

    def test_content_type_and_families(self):
        status, headers, body = self.http.get("/metrics")
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["Content-Type"], CONTENT_TYPE)
        samples, types = parse(body)
        self.assertEqual(types, FAMILIES, "every family, with its type")
        for fam in FAMILIES:
            self.assertIn(f"# HELP {fam} ", body, f"{fam} has a # HELP line")
        build = [k for k in samples if k[0] == "attache_build_info"]
        self.assertEqual(len(build), 1, build)
        self.assertEqual(dict(build[0][1])["version"], self.stats()["version"])
        self.assertEqual(samples[build[0]], 1)

    @unittest.skipIf(shutil.which("promtool") is None,
                     "promtool is not installed (Debian package prometheus)")
    def test_promtool_accepts_the_text(self):
        self.c.call({"op": "search", "q": "sanctions"})
        self.c.request({"op": "get", "doc": "no/such/doc"})
        text = self.http.metrics()
        p = subprocess.run(["promtool", "check", "metrics"], input=text, text=True,
                           capture_output=True, timeout=h.scaled(60))
        self.assertEqual(p.returncode, 0, f"promtool: {p.stdout}{p.stderr}\n{text}")

    def test_requests_move_by_op_and_outcome(self):
        before = self.http.samples()
        n = 7
        for i in range(n):
            self.c.call({"op": "search", "q": "sanctions", "limit": 1 + i})
        r = self.c.request({"op": "get", "doc": "no/such/doc"})
        self.assertEqual(r["error"]["code"], "not_found", r)
        self.c.send_bytes(b"{not json\n")
        self.assertEqual(self.c.recv()["error"]["code"], "bad_json")
        r = self.c.request({"op": "search", "q": "sanctions", "limit": "many"})
        self.assertEqual(r["error"]["code"], "bad_request", r)
        after = self.http.samples()

        def moved(op, code):
            k = key("attache_requests_total", op=op, code=code)
            return after.get(k, 0) - before.get(k, 0)

        self.assertEqual(moved("search", "ok"), n)
        self.assertEqual(moved("get", "not_found"), 1)
        self.assertEqual(moved("unparsed", "bad_json"), 1)
        self.assertEqual(moved("unparsed", "bad_request"), 1, "a request that does not parse "
                         "is counted apart from its op")
        self.assertEqual(moved("get", "ok"), 0)
        self.assertIn(key("attache_requests_total", op="ping", code="ok"), after,
                      "each op's ok is there, even at 0")

    def test_histogram_counts_every_request(self):
        for q in ("sanctions", "tariff", "\"red line\""):
            self.c.call({"op": "search", "q": q})
        samples = self.http.samples()
        requests = sum(v for (name, _), v in samples.items()
                       if name == "attache_requests_total")
        count = samples[key("attache_request_duration_seconds_count")]
        self.assertGreater(count, 0)
        self.assertEqual(count, requests)
        buckets = sorted((float(dict(labels)["le"]), v) for (name, labels), v in samples.items()
                         if name == "attache_request_duration_seconds_bucket")
        self.assertEqual(buckets[-1], (float("inf"), count))
        self.assertEqual([v for _, v in buckets], sorted(v for _, v in buckets),
                         "cumulative buckets")
        self.assertGreater(samples[key("attache_request_duration_seconds_sum")], 0)

    def test_index_matches_the_stats_op(self):
        st = self.stats()
        samples = self.http.samples()
        self.assertEqual(samples[key("attache_index_documents")], st["documents"])
        self.assertEqual(samples[key("attache_index_documents")], dm.CORPUS_DOCS)
        self.assertEqual(samples[key("attache_index_passages")], st["passages"])
        self.assertEqual(samples[key("attache_index_revision")], st["revision"])
        self.assertEqual(samples[key("attache_shard_up", db=self.db)], 1)
        self.assertGreaterEqual(samples[key("attache_index_age_seconds")], 0)
        self.assertGreaterEqual(samples[key("attache_uptime_seconds")], 0)

    def test_http_responses_by_status(self):
        before = self.http.samples()
        status, _, _ = self.http.get("/no/such/page")
        self.assertEqual(status, 404)
        after = self.http.samples()
        k404 = key("attache_http_responses_total", code="404")
        k200 = key("attache_http_responses_total", code="200")
        self.assertEqual(after.get(k404, 0) - before.get(k404, 0), 1)
        self.assertGreaterEqual(after.get(k200, 0) - before.get(k200, 0), 1,
                                "the scrape before was counted")

    def test_probes(self):
        status, body = self.http.probe("/health")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["status"], "ok")
        self.assertNotIn("problems", body)
        self.assertEqual(body["documents"], dm.CORPUS_DOCS)
        self.assertEqual(body["revision"], self.stats()["revision"])
        self.assertEqual(body["shards"], [{"db": self.db, "state": "up"}])
        status, body = self.http.probe("/ready")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["status"], "ok")
        self.assertEqual(body["documents"], dm.CORPUS_DOCS)


class ConnectionsTest(dm.StartCase):
    """The connection gauges, on a daemon of its own (no other client)."""

    def test_connections_gauge(self):
        d = dm.Daemon(self.db, self.t, http=True)
        self.addCleanup(d.cleanup)
        d.start()
        web = Http(d)
        self.addCleanup(web.close)

        def gauge():
            return web.samples()[key("attache_connections_open")]

        # the readiness check's connection closes; the scraper's may count
        h.wait_until(lambda: gauge() <= 1, 10, "no connection but the scraper's")
        base = gauge()
        total = web.samples()[key("attache_connections_total")]
        clients = [d.connect("tcp") for _ in range(3)]
        for c in clients:
            self.addCleanup(c.close)
            self.assertIs(c.call({"op": "ping"})["pong"], True)
        samples = web.samples()
        self.assertEqual(samples[key("attache_connections_open")], base + 3)
        self.assertEqual(samples[key("attache_connections_total")], total + 3)
        for c in clients:
            c.close()
        h.wait_until(lambda: gauge() == base, 10, "the gauge back once they closed")


class ShardOutTest(dm.StartCase):
    """A remote shard nobody serves, with --on-shard-failure partial."""

    def test_shard_out_is_named(self):
        spec = f"tcp://127.0.0.1:{dm.free_port()}"
        d = dm.Daemon(self.db, self.t, "--db", spec, "--on-shard-failure", "partial",
                      "--shard-timeout", "200", http=True)
        self.addCleanup(d.cleanup)
        d.start()
        web = Http(d)
        self.addCleanup(web.close)
        status, body = web.probe("/health")
        self.assertEqual(status, 503, body)
        self.assertEqual(body["status"], "unavailable")
        self.assertTrue(any(spec in p for p in body["problems"]), body)
        self.assertFalse(any(self.db in p for p in body["problems"]), body)
        self.assertEqual(body["shards"], [{"db": self.db, "state": "up"},
                                          {"db": spec, "state": "out"}])
        samples = web.samples()
        self.assertEqual(samples[key("attache_shard_up", db=spec)], 0)
        self.assertEqual(samples[key("attache_shard_up", db=self.db)], 1)
        status, body = web.probe("/ready")
        self.assertEqual(status, 200, "searches go on without the shard: ready")
        self.assertEqual(body["status"], "ok")


class MissingIndexTest(dm.StartCase):
    """attached refuses to start without its index (exit 2), so /health
    never sees one missing at start; the unit test of metrics.c covers
    that answer. Here: the refusal stands with --http too."""

    def test_no_index_no_start(self):
        missing = f"{self.t}/no-index"
        p = dm.run_daemon(["--db", missing, "--http", f"127.0.0.1:{dm.free_port()}"]
                          + self.listen_args())
        self.assertEqual(p.returncode, dm.EXIT_USAGE, p.stderr)
        self.assertIn(missing, p.stderr)


if __name__ == "__main__":
    unittest.main()
