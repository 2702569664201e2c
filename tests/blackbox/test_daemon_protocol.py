"""Black-box tests of attached's protocol (docs/PROTOCOL.md): ping, stats,
get, the ids echoed, every error a request can provoke, garbage on the
wire, pipelining, half-closed connections and the request log.

One daemon on the hand-made corpus (daemon.py) serves a whole class.
"""
import json
import os
import random
import re
import unittest

import daemon as dm
import harness as h


class PingStatsTest(dm.DaemonClass):
    def test_ping(self):
        r = self.c.request({"id": 1, "op": "ping"})
        self.assertEqual(r["ok"], True, r)
        self.assertEqual(r["id"], 1)
        self.assertIs(r["pong"], True, r)
        self.assertIsInstance(r["revision"], int, r)
        self.assertEqual(r["revision"], self.dbstats["revision"],
                         "ping's revision is the index's (attache-index --stats)")

    def test_any_id_is_echoed(self):
        for rid in (0, -7, 2 ** 53, 1.5, "abc", "ünï\u00e7ode ✓", "", True, [1, "x"],
                    {"a": {"b": [None]}}, None):
            with self.subTest(id=rid):
                r = self.c.request({"id": rid, "op": "ping"})
                self.assertIs(r["ok"], True, r)
                self.assertEqual(r["id"], rid, r)

    def test_missing_id_is_null(self):
        self.c.send({"op": "ping"})
        r = self.c.recv()
        self.assertIs(r["ok"], True, r)
        self.assertIn("id", r)
        self.assertIsNone(r["id"], r)
        self.c.send({"op": "nope"})
        r = self.c.recv()
        dm.assert_error(self, r, "unknown_op", None, "no id, unknown op")

    def test_response_is_one_line_of_utf8_json(self):
        self.c.send({"id": "\u00e9\u2713\n\"x\"", "op": "ping"})
        line = self.c.recv_line()
        self.assertNotIn(b"\n", line)
        r = json.loads(line.decode("utf-8"))
        self.assertEqual(r["id"], "\u00e9\u2713\n\"x\"")

    def test_tcp_and_unix_socket_agree(self):
        with self.d.connect("tcp") as t:
            a = t.call({"id": 1, "op": "search", "q": "trade", "limit": 20})
        b = self.c.call({"id": 1, "op": "search", "q": "trade", "limit": 20})
        self.assertEqual([dm.hit_key(x) for x in a["hits"]],
                         [dm.hit_key(x) for x in b["hits"]])
        self.assertTrue(a["hits"])

    def test_stats_fields(self):
        s = self.c.request({"id": "s", "op": "stats"})
        self.assertIs(s["ok"], True, s)
        self.assertEqual(s["id"], "s")
        missing = dm.STATS_KEYS - set(s)
        self.assertFalse(missing, f"stats lacks {sorted(missing)}: {s}")
        self.assertIsInstance(s["version"], str)
        self.assertRegex(s["version"], r"^\d+\.\d+")
        self.assertIsInstance(s["uptime_s"], int)
        self.assertGreaterEqual(s["uptime_s"], 0)
        self.assertEqual(s["threads"], 2, "started with --threads 2")
        self.assertEqual(s["revision"], self.dbstats["revision"])
        self.assertEqual(s["documents"], dm.CORPUS_DOCS)
        self.assertEqual(s["documents"], self.dbstats["documents"])
        self.assertEqual(s["passages"], self.dbstats["passages"])
        conn = s["connections"]
        for k in ("current", "total", "rejected", "evicted", "timed_out"):
            self.assertIsInstance(conn.get(k), int, f"connections.{k}: {conn}")
        self.assertGreaterEqual(conn["current"], 1, "this connection is open")
        self.assertGreaterEqual(conn["total"], conn["current"])
        req = s["requests"]
        for k in ("total", "search", "get", "stats", "ping"):
            self.assertIsInstance(req.get(k), int, f"requests.{k}: {req}")
        self.assertGreaterEqual(req["stats"], 1)
        self.assertGreaterEqual(req["ping"], 1, "the readiness ping")
        self.assertGreaterEqual(req["total"], req["search"] + req["get"] + req["stats"]
                                + req["ping"] - 1)
        self.assertIsInstance(s["errors"], dict)
        for k, v in s["errors"].items():
            self.assertIn(k, dm.ERROR_CODES, s["errors"])
            self.assertIsInstance(v, int)
        lat = s["latency_us"]
        for k in ("p50", "p90", "p99", "max"):
            self.assertIsInstance(lat.get(k), int, f"latency_us.{k}: {lat}")
            self.assertGreaterEqual(lat[k], 0)
        self.assertLessEqual(lat["p50"], lat["p90"], lat)
        self.assertLessEqual(lat["p90"], lat["p99"], lat)
        lim = s["limits"]
        self.assertEqual(set(lim) & dm.LIMIT_KEYS, dm.LIMIT_KEYS, lim)
        self.assertEqual(lim, dict(lim, max_line=65536, max_connections=1024,
                                   idle_timeout_s=300, request_timeout_s=10,
                                   evict_idle_ms=1000, query_time_ms=2000,
                                   max_wildcard=1000, max_limit=1000),
                         "the documented defaults")

    def test_stats_current_connections(self):
        # Only this test's connection is open (earlier ones are closed).
        h.wait_until(lambda: self.stats()["connections"]["current"] == 1, 5,
                     "connections.current == 1 (this connection alone)")
        base = self.stats()["connections"]
        with self.d.connect("tcp") as other:
            other.call({"op": "ping"})
            now = self.stats()["connections"]
            self.assertEqual(now["current"], base["current"] + 1, (base, now))
            self.assertGreaterEqual(now["total"], base["total"] + 1, (base, now))
        # Closed: the count goes back (the daemon notices the close soon).
        h.wait_until(lambda: self.stats()["connections"]["current"] == base["current"], 5,
                     f"connections.current back to {base['current']}")

    def test_stats_counts_requests_by_op(self):
        s1 = self.stats()["requests"]
        for _ in range(3):
            self.c.call({"op": "ping"})
        for _ in range(2):
            self.c.call({"op": "get", "doc": "news/soybeans.txt"})
        for q in ("trade", "soybeans", "red", "lifeline"):
            self.c.call({"op": "search", "q": q})
        s2 = self.stats()["requests"]
        delta = {k: s2[k] - s1[k] for k in ("total", "ping", "get", "search", "stats")}
        self.assertEqual(delta, {"total": 10, "ping": 3, "get": 2, "search": 4, "stats": 1},
                         f"before {s1}, after {s2}")

    def test_stats_counts_errors_by_code(self):
        e1 = self.stats()["errors"]
        self.c.send_bytes(b"this is not json\n")
        dm.assert_error(self, self.c.recv(), "bad_json", None)
        self.c.send_bytes(b"[1,2,3]\n")
        dm.assert_error(self, self.c.recv(), "bad_json", None)
        dm.assert_error(self, self.c.request({"id": 1, "op": "frobnicate"}), "unknown_op", 1)
        dm.assert_error(self, self.c.request({"id": 2, "op": "get", "doc": "no/such.txt"}),
                        "not_found", 2)
        dm.assert_error(self, self.c.request({"id": 3, "op": "search", "q": "x",
                                              "limit": 0}), "bad_request", 3)
        dm.assert_error(self, self.c.request({"id": 4, "op": "search", "q": "AND"}),
                        "query_syntax", 4)
        e2 = self.stats()["errors"]
        delta = {k: e2.get(k, 0) - e1.get(k, 0) for k in set(e1) | set(e2)}
        delta = {k: v for k, v in delta.items() if v}
        self.assertEqual(delta, {"bad_json": 2, "unknown_op": 1, "not_found": 1,
                                 "bad_request": 1, "query_syntax": 1},
                         f"before {e1}, after {e2}")


class GetTest(dm.DaemonClass):
    def test_whole_document(self):
        title, date, source, url, paras = dm.NEWS["news/beijing-tokyo.txt"]
        r = self.c.request({"id": 3, "op": "get", "doc": "news/beijing-tokyo.txt"})
        self.assertIs(r["ok"], True, r)
        self.assertEqual(r["id"], 3)
        self.assertEqual(r["revision"], self.dbstats["revision"])
        doc = r["doc"]
        self.assertEqual(doc["id"], "news/beijing-tokyo.txt")
        self.assertEqual(doc["title"], title)
        self.assertEqual(doc["date"], date)
        self.assertEqual(doc["source"], source)
        self.assertEqual(doc["url"], url)
        ps = r["passages"]
        self.assertEqual([p["n"] for p in ps], list(range(len(paras))), "n = 0, 1, ... in order")
        self.assertEqual([p["text"] for p in ps], paras, "one passage per paragraph")
        prev_end = -1
        for p in ps:
            self.assertIsInstance(p["start"], int)
            self.assertIsInstance(p["end"], int)
            self.assertEqual(p["end"] - p["start"], len(p["text"].encode()), p)
            self.assertGreater(p["start"], prev_end, "passages in order, disjoint")
            prev_end = p["end"]
            self.assertIsInstance(p["quotes"], list)
            for q in p["quotes"]:
                self.assertEqual(dm.byte_slice(p["text"], q["start"], q["end"]), q["text"], q)
        speakers = {(q["speaker"] or "").lower() for q in ps[1]["quotes"]}
        self.assertIn("wang yi", speakers, ps[1]["quotes"])
        quote = [q for q in ps[1]["quotes"] if "red line" in q["text"]]
        self.assertTrue(quote, ps[1]["quotes"])
        self.assertEqual((quote[0]["speaker"] or "").lower(), "wang yi")
        lin = [q for q in ps[2]["quotes"] if q["text"].startswith("grossly violated")]
        self.assertTrue(lin, ps[2]["quotes"])
        self.assertEqual((lin[0]["speaker"] or "").lower(), "lin jian")

    def test_document_without_url(self):
        r = self.c.call({"op": "get", "doc": "speeches/1999-address.txt"})
        self.assertIsNone(r["doc"]["url"], "null when unknown")
        self.assertEqual(r["doc"]["date"], "1999-01-19")
        self.assertEqual(len(r["passages"]), 2)

    def test_utf8_offsets(self):
        r = self.c.call({"op": "get", "doc": "news/sanctions-eu.txt"})
        p = r["passages"][2]
        self.assertEqual(p["text"], dm.NEWS["news/sanctions-eu.txt"][4][2])
        shadow = [q for q in p["quotes"] if q["text"] == "shadow fleet"]
        self.assertTrue(shadow, p["quotes"])
        b = p["text"].encode()
        self.assertEqual(b[shadow[0]["start"]:shadow[0]["end"]], "shadow fleet".encode())
        self.assertEqual(shadow[0]["start"], b.index(b"shadow fleet"), "a byte offset")

    def test_one_passage(self):
        whole = self.c.call({"op": "get", "doc": "news/soybeans.txt"})
        for n in range(len(whole["passages"])):
            r = self.c.request({"id": n, "op": "get", "doc": "news/soybeans.txt", "passage": n})
            self.assertIs(r["ok"], True, r)
            self.assertEqual(r["id"], n)
            self.assertEqual(r["doc"], whole["doc"])
            self.assertEqual(r["passages"], [whole["passages"][n]])

    def test_not_found(self):
        n = len(dm.NEWS["news/soybeans.txt"][4])
        cases = [
            ({"op": "get", "doc": "news/nothing-here.txt"}, "unknown document"),
            ({"op": "get", "doc": "news/soybeans.txt", "passage": n}, "passage out of range"),
            ({"op": "get", "doc": "news/soybeans.txt", "passage": 100000}, "far out of range"),
            ({"op": "get", "doc": "../../../../etc/passwd"}, "a path is not read"),
            ({"op": "get", "doc": os.path.join(self.corpus, "news", "soybeans.txt")},
             "an absolute path of an indexed file is not an id"),
            ({"op": "get", "doc": "news/soybeans.tx"}, "a prefix of an id"),
        ]
        for i, (req, what) in enumerate(cases):
            with self.subTest(what):
                r = self.c.request(dict(req, id=f"nf{i}"))
                dm.assert_error(self, r, "not_found", f"nf{i}", what)
        self.c.call({"op": "ping"})

    def test_negative_passage_or_empty_id(self):
        for i, req in enumerate(({"op": "get", "doc": "news/soybeans.txt", "passage": -1},
                                 {"op": "get", "doc": ""})):
            with self.subTest(req=req):
                r = self.c.request(dict(req, id=i))
                self.assertIs(r["ok"], False, r)
                self.assertIn(dm.error_code(r), ("bad_request", "not_found"), r)
                self.assertEqual(r["id"], i)


class ErrorsTest(dm.DaemonClass):
    def assertWorks(self, c=None):
        """The connection still answers."""
        c = c or self.c
        r = c.request({"id": "after", "op": "ping"})
        self.assertEqual((r["ok"], r["id"], r.get("pong")), (True, "after", True), r)

    def test_unknown_op(self):
        for i, op in enumerate(("frobnicate", "PING", "Search", "", "ping ", "stats\n")):
            with self.subTest(op=op):
                dm.assert_error(self, self.c.request({"id": i, "op": op}), "unknown_op", i)
        self.assertWorks()

    def test_missing_op(self):
        dm.assert_error(self, self.c.request({"id": 1}), "bad_request", 1, "no op")
        dm.assert_error(self, self.c.request({"id": 2, "q": "trade"}), "bad_request", 2)
        for i, op in enumerate((5, None, ["ping"], {"op": "ping"}, True)):
            with self.subTest(op=op):
                r = self.c.request({"id": i, "op": op})
                self.assertIs(r["ok"], False, r)
                self.assertIn(dm.error_code(r), ("bad_request", "unknown_op"), r)
                self.assertEqual(r["id"], i)
        self.assertWorks()

    def test_bad_json(self):
        lines = [b"hello", b"{", b"}", b"{\"op\":\"ping\"", b"{'op':'ping'}", b"{op:ping}",
                 b"[1,2]", b"[{\"op\":\"ping\"}]", b"\"ping\"", b"42", b"null", b"true",
                 b"{\"op\":\"ping\"} trailing", b"{\"op\":\"ping\"}{\"op\":\"ping\"}",
                 b"{\"id\":1,\"op\":\"ping\",}",
                 b"{\"id\":NaN,\"op\":\"ping\"}"]
        for line in lines:
            with self.subTest(line=line):
                self.c.send_bytes(line + b"\n")
                r = self.c.recv()
                dm.assert_error(self, r, "bad_json", what=repr(line))
                if not line.startswith(b"{\"id\":1"):
                    self.assertIsNone(r["id"], r)
        self.assertWorks()

    def test_duplicate_keys(self):
        """JSON leaves a repeated key undefined (the first wins in one
        library, the last in another): refused, at any depth."""
        for line, echoed in ((b'{"id":7,"op":"search","q":"trade","q":"soybeans"}', 7),
                             (b'{"id":7,"op":"ping","op":"stats"}', 7),
                             (b'{"id":7,"id":8,"op":"ping"}', None),
                             (b'{"id":7,"op":"search","q":"trade",'
                              b'"filter":{"source":"AP","source":"Reuters"}}', 7)):
            with self.subTest(line=line):
                self.c.send_bytes(line + b"\n")
                r = self.c.recv()
                dm.assert_error(self, r, "bad_json", echoed, repr(line))
                self.assertIn("twice", r["error"]["message"])
        # The same key in two different objects is no repeat.
        ok = self.c.request({"id": 9, "op": "search", "q": "trade",
                             "filter": {"source": "Reuters"}, "highlight": {"length": 200}})
        self.assertIs(ok["ok"], True, ok)
        self.assertWorks()

    def test_bad_json_deep_nesting(self):
        for depth in (20, 1000, 20000):
            with self.subTest(depth=depth):
                line = (b'{"id":5,"op":"ping","x":' + b"[" * depth + b"]" * depth + b"}\n")
                self.assertLess(len(line), 65536)
                self.c.send_bytes(line)
                r = self.c.recv()
                dm.assert_error(self, r, "bad_json", what=f"{depth} deep")
                self.assertIn(r["id"], (None, 5), r)
                self.c.send_bytes(b"{" * depth + b"\n")
                dm.assert_error(self, self.c.recv(), "bad_json", what=f"{depth} open braces")
                k = min(depth, 10000)  # 5 bytes a level: under 64 KiB
                self.c.send_bytes(b'{"a":' * k + b"1" + b"}" * k + b"\n")
                dm.assert_error(self, self.c.recv(), "bad_json", what=f"{k} objects")
        self.assertWorks()

    def test_moderate_nesting_is_not_bad_json(self):
        # 8 levels is within the limit of 16: the request is read, and
        # refused for its unknown field, not for its depth.
        line = b'{"id":6,"op":"ping","x":' + b"[" * 7 + b"]" * 7 + b"}\n"
        self.c.send_bytes(line)
        dm.assert_error(self, self.c.recv(), "bad_request", 6, "unknown field x, 8 deep")

    def test_bad_request(self):
        s = {"op": "search", "q": "trade"}
        cases = [
            ({"op": "search"}, "missing q"),
            (dict(s, q=5), "q a number"),
            (dict(s, q=None), "q null"),
            (dict(s, q=["trade"]), "q an array"),
            (dict(s, limit=0), "limit 0"),
            (dict(s, limit=1001), "limit 1001"),
            (dict(s, limit=-1), "limit -1"),
            (dict(s, limit="10"), "limit a string"),
            (dict(s, limit=2.5), "limit not an integer"),
            (dict(s, limit=True), "limit a boolean"),
            (dict(s, limit=1e300), "limit 1e300"),
            (dict(s, limit=10 ** 20), "limit 10^20"),
            (dict(s, limit=-(10 ** 20)), "limit -10^20"),
            (dict(s, offset=-1), "offset -1"),
            (dict(s, offset=100001), "offset 100001"),
            (dict(s, offset=1e300), "offset 1e300"),
            (dict(s, offset=2 ** 64 + 5), "offset 2^64+5 (wraps to 5 as uint64)"),
            (dict(s, offset="5"), "offset a string"),
            (dict(s, per_doc=-1), "per_doc -1"),
            (dict(s, per_doc=1001), "per_doc 1001"),
            (dict(s, per_doc="2"), "per_doc a string"),
            (dict(s, sort="random"), "sort unknown"),
            (dict(s, sort=1), "sort a number"),
            (dict(s, quotes="no"), "quotes a string"),
            (dict(s, quotes=0), "quotes a number"),
            (dict(s, facets="yes"), "facets a string"),
            (dict(s, filter="reuters"), "filter a string"),
            (dict(s, filter=["reuters"]), "filter an array"),
            (dict(s, filter={"bogus": "x"}), "unknown filter"),
            (dict(s, filter={"source": 5}), "filter.source a number"),
            (dict(s, filter={"speaker": ["Wang Yi"]}), "filter.speaker an array"),
            (dict(s, filter={"doc": 3}), "filter.doc a number"),
            (dict(s, filter={"from": "2025-13-01"}), "month 13"),
            (dict(s, filter={"from": "2025-11-45"}), "day 45"),
            (dict(s, filter={"to": "yesterday"}), "not a date"),
            (dict(s, filter={"from": "2025/11/01"}), "slashes"),
            (dict(s, filter={"to": "2025-02-30"}), "30 February"),
            (dict(s, filter={"to": "2023-02-29"}), "29 February of a common year"),
            (dict(s, filter={"from": "2025-00"}), "month 0"),
            (dict(s, filter={"from": "2025-11-00"}), "day 0"),
            (dict(s, match="some"), "match unknown"),
            (dict(s, match=1), "match a number"),
            (dict(s, q="trade\u0000tariff"), "a NUL in q"),
            (dict(s, filter={"source": "reu\u0000ters"}), "a NUL in a filter"),
            ({"op": "get", "doc": "news/soybeans.txt\u0000x"}, "a NUL in an id"),
            (dict(s, filter={"to": 2025}), "a number for a date"),
            (dict(s, highlight="yes"), "highlight a string"),
            (dict(s, highlight={"pre": 5}), "highlight.pre a number"),
            (dict(s, highlight={"post": "x" * 65}), "highlight.post of 65 bytes"),
            (dict(s, highlight={"pre": "\u00e9" * 33}), "highlight.pre of 66 bytes"),
            (dict(s, highlight={"length": 15}), "highlight.length 15"),
            (dict(s, highlight={"length": 10001}), "highlight.length 10001"),
            (dict(s, highlight={"length": "long"}), "highlight.length a string"),
            (dict(s, highlight={"colour": "red"}), "unknown highlight field"),
            (dict(s, bogus=1), "unknown field"),
            ({"op": "ping", "extra": True}, "unknown field on ping"),
            ({"op": "stats", "verbose": 1}, "unknown field on stats"),
            ({"op": "get"}, "get without doc"),
            ({"op": "get", "doc": 5}, "doc a number"),
            ({"op": "get", "doc": None}, "doc null"),
            ({"op": "get", "doc": "news/soybeans.txt", "passage": "1"}, "passage a string"),
            ({"op": "get", "doc": "news/soybeans.txt", "passage": 1.5}, "passage 1.5"),
            ({"op": "get", "doc": "news/soybeans.txt", "passage": 1e300}, "passage 1e300"),
        ]
        for i, (req, what) in enumerate(cases):
            with self.subTest(what):
                r = self.c.request(dict(req, id=i))
                dm.assert_error(self, r, "bad_request", i, f"{what}: {req}")
        self.assertWorks()

    def test_valid_edge_values(self):
        s = {"op": "search", "q": "trade"}
        for req in (dict(s, limit=1), dict(s, limit=1000), dict(s, offset=0),
                    dict(s, offset=100000), dict(s, per_doc=0), dict(s, per_doc=1000),
                    dict(s, highlight={"length": 16}), dict(s, highlight={"length": 10000}),
                    dict(s, highlight={"pre": "x" * 64, "post": "y" * 64}),
                    dict(s, sort="relevance"), dict(s, quotes=False), dict(s, facets=True),
                    dict(s, filter={"from": "2013", "to": "2025-11"}),
                    dict(s, filter={"from": "2018-12-31"}),
                    dict(s, filter={"to": "2024-02-29"}), dict(s, match="all"),
                    dict(s, match="any"), dict(s, match="auto")):
            with self.subTest(req=req):
                r = self.c.request(dict(req, id="edge"))
                self.assertIs(r["ok"], True, f"{req}: {r}")
        r = self.c.call({"op": "search", "q": "trade", "offset": 100000})
        self.assertEqual(r["hits"], [])

    def test_query_syntax(self):
        for i, q in enumerate(("AND", "trade AND", "trade OR OR tariff", "NOT", "OR trade",
                               "trade XOR")):
            with self.subTest(q=q):
                r = self.c.request({"id": i, "op": "search", "q": q})
                dm.assert_error(self, r, "query_syntax", i, repr(q))
        self.assertWorks()

    def test_error_keeps_pipelined_order(self):
        reqs = [{"id": 1, "op": "ping"}, {"id": 2, "op": "nope"},
                {"id": 3, "op": "search", "q": "AND"},
                {"id": 4, "op": "get", "doc": "missing.txt"},
                {"id": 5, "op": "search", "q": "trade", "limit": 0},
                {"id": 6, "op": "ping"}]
        data = b"".join(self.c.encode(r) for r in reqs)
        data = data.replace(b'{"id":3', b'garbage\n{"id":3')
        self.c.send_bytes(data)
        got = [self.c.recv() for _ in range(len(reqs) + 1)]
        self.assertEqual([(r["id"], r["ok"], dm.error_code(r)) for r in got],
                         [(1, True, None), (2, False, "unknown_op"), (None, False, "bad_json"),
                          (3, False, "query_syntax"), (4, False, "not_found"),
                          (5, False, "bad_request"), (6, True, None)])


class GarbageTest(dm.DaemonClass):
    def test_binary_garbage_nul_and_invalid_utf8(self):
        rng = random.Random(7311)
        other = self.d.connect("tcp")
        self.addCleanup(other.close)
        lines = []
        for _ in range(40):
            line = bytes(rng.randrange(256) for _ in range(rng.randint(1, 3000)))
            line = line.replace(b"\n", b"")
            if not line.strip():
                line += b"#"  # an empty line need not be answered
            lines.append(line)
        lines += [b"\x00", b"\x00\x00\x00\x00", b'{"id":1,"op":"ping"}\x00',
                  b'\x00{"id":1,"op":"ping"}', b'{"id":1,"op":"pi\x00ng"}',
                  b'{"id":1,"op":"ping","x":"a\x00b"}', b'{"id":1,"op":"ping\x01"}',
                  b"\xff\xfe\xfd",
                  b"\xef\xbb\xbf\xff"]
        self.c.send_bytes(b"\n".join(lines) + b"\n")
        wrong = []
        for i, line in enumerate(lines):
            r = self.c.recv()
            if r["ok"] is not False or dm.error_code(r) != "bad_json":
                wrong.append(f"line {i} {line[:60]!r} -> {str(r)[:160]}")
            # Meanwhile another client is served.
            if i % 10 == 0:
                other.call({"op": "ping"})
        if wrong:
            self.fail(f"{len(wrong)} lines not answered with bad_json: " + " | ".join(wrong))
        self.c.call({"id": "ok", "op": "ping"})

    def test_invalid_utf8_in_strings(self):
        for i, raw in enumerate((b"\xff\xfe", b"caf\xc3", b"\xc3\x28", b"\xed\xa0\x80",
                                 b"\xf8\x88\x80\x80\x80", b"\xc0\xaf")):
            with self.subTest(raw=raw):
                self.c.send_bytes(b'{"id":%d,"op":"search","q":"trade ' % i + raw + b'"}\n')
                r = self.c.recv()
                dm.assert_error(self, r, "bad_json", what=f"invalid UTF-8 {raw!r}")
        self.c.call({"op": "ping"})

    def test_escaped_nul(self):
        # A string holding \u0000 is a bad request (a C string would end there).
        for i, req in enumerate(({"op": "search", "q": "trade\u0000tariff"},
                                 {"op": "get", "doc": "news/soybeans.txt\u0000x"},
                                 {"op": "search", "q": "", "filter": {"doc": "news/soybeans.txt\u0000"}},
                                 {"op": "ping", "id": "a\u0000b"})):
            with self.subTest(req=req):
                r = self.c.request(dict({"id": i}, **req))
                self.assertIs(r["ok"], False, r)
                self.assertEqual(dm.error_code(r), "bad_request", r)
        self.c.call({"op": "ping"})


class PipelineTest(dm.DaemonClass):
    def test_100_pipelined_requests(self):
        reqs = []
        for i in range(100):
            kind = i % 5
            if kind == 0:
                reqs.append({"id": i, "op": "ping"})
            elif kind == 1:
                reqs.append({"id": i, "op": "search", "q": "trade", "limit": 1 + i % 7})
            elif kind == 2:
                reqs.append({"id": i, "op": "get", "doc": "news/soybeans.txt"})
            elif kind == 3:
                reqs.append({"id": f"s{i}", "op": "stats"})
            else:
                reqs.append({"id": [i], "op": "nope"})
        self.c.send_bytes(b"".join(self.c.encode(r) for r in reqs))
        for i, req in enumerate(reqs):
            r = self.c.recv()
            self.assertEqual(r["id"], req["id"], f"response {i} out of order")
            if req["op"] == "nope":
                dm.assert_error(self, r, "unknown_op", req["id"])
            else:
                self.assertIs(r["ok"], True, r)
            if req["op"] == "search":
                self.assertEqual(len(r["hits"]), req["limit"])
            if req["op"] == "get":
                self.assertEqual(r["doc"]["id"], "news/soybeans.txt")

    def test_requests_split_across_writes(self):
        data = b"".join(self.c.encode({"id": i, "op": "ping"}) for i in range(20))
        for i in range(0, len(data), 7):  # in pieces that cut lines anywhere
            self.c.send_bytes(data[i:i + 7])
        self.assertEqual([self.c.recv()["id"] for _ in range(20)], list(range(20)))

    def test_half_closed_connection_gets_its_answers(self):
        self.c.send({"id": "hc", "op": "search", "q": "soybeans"})
        self.c.shutdown_write()
        r = self.c.recv()
        self.assertEqual((r["ok"], r["id"]), (True, "hc"), r)
        self.assertTrue(r["hits"])
        self.assertTrue(self.c.wait_eof(10), "no EOF after the last answer")
        self.assertEqual(bytes(self.c.buf), b"")

    def test_half_closed_after_pipeline(self):
        reqs = [{"id": i, "op": "search", "q": "trade", "limit": 50} for i in range(20)]
        self.c.send_bytes(b"".join(self.c.encode(r) for r in reqs))
        self.c.shutdown_write()
        self.assertEqual([self.c.recv()["id"] for _ in reqs], list(range(20)))
        self.assertTrue(self.c.wait_eof(10), "no EOF after the last answer")

    def test_half_closed_with_unterminated_line(self):
        # The last line lacks its newline: it is a request all the same
        # (printf '{"op":"ping"}' | nc), answered, then EOF.
        self.c.send_bytes(b'{"id":1,"op":"ping"}\n{"id":2,"op":"ping"}')
        self.c.shutdown_write()
        self.assertEqual(self.c.recv()["id"], 1)
        last = self.c.recv()
        self.assertEqual((last["id"], last["ok"]), (2, True), last)
        self.assertTrue(self.c.wait_eof(10), "no EOF after the last answer")

    def test_only_line_unterminated(self):
        self.c.send_bytes(b'{"id":"solo","op":"search","q":"soybeans"}')
        self.c.shutdown_write()
        r = self.c.recv()
        self.assertEqual((r["id"], r["ok"]), ("solo", True), r)
        self.assertTrue(r["hits"])
        self.assertTrue(self.c.wait_eof(10), "no EOF after the answer")


class RequestLogTest(dm.DaemonClass):
    daemon_args = ("--log-level", "info")

    OPS = ("ping", "search", "get", "stats")

    def log_lines(self, since):
        return self.d.stderr()[since:].splitlines()

    def test_one_line_per_request(self):
        h.wait_until(lambda: any(re.search(r"\bping\b", ln) for ln in self.log_lines(0)), 5,
                     "the readiness ping's log line")
        since = len(self.d.stderr())
        self.c.call({"op": "search", "q": "soybeans"})
        self.c.call({"op": "search", "q": "trade"})
        self.c.call({"op": "search", "q": "lifeline"})
        self.c.call({"op": "get", "doc": "news/soybeans.txt"})
        self.c.call({"op": "stats"})
        self.c.call({"op": "ping"})

        def counts():
            lines = self.log_lines(since)
            return {op: sum(bool(re.search(rf"\b{op}\b", ln)) for ln in lines)
                    for op in self.OPS}, lines

        h.wait_until(lambda: counts()[0] == {"search": 3, "get": 1, "stats": 1, "ping": 1},
                     5, "one log line per request")
        n, lines = counts()
        self.assertEqual(n, {"search": 3, "get": 1, "stats": 1, "ping": 1}, lines)
        for ln in lines:
            self.assertRegex(ln, r"\d\d:\d\d:\d\d", f"log line without a time: {ln!r}")
        searches = [ln for ln in lines if re.search(r"\bsearch\b", ln)]
        for ln in searches:
            self.assertRegex(ln, r"\d", ln)
        # client, op, took_us, hits: the hits and the time are in the line.
        self.assertTrue(all("hits" in ln for ln in searches), searches)
        self.assertTrue(all(re.search(r"took|\d+\s*(us|\u00b5s|ms)\b", ln) for ln in searches),
                        searches)
        self.assertTrue(all(re.search(r"unix|127\.0\.0\.1|client", ln) for ln in searches),
                        f"the client is named: {searches}")


if __name__ == "__main__":
    unittest.main()
