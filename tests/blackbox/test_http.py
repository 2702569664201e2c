"""Black-box tests of attached's HTTP front (docs/HTTP.md): the JSON API
gives the socket protocol's answers, status codes follow the error codes,
GET query strings, keep-alive and HTTP/1.0, pipelining, gzip, HEAD,
CORS, tokens. The daemon is the real one, on a free port."""
import gzip
import json
import os
import socket
import unittest

import daemon as dm
import harness as h
import httpc

TOKEN = "http-test-token_0123456789abcdef"


def socket_answer(d, req):
    """The socket protocol's response to req, without took_us."""
    with d.connect() as c:
        c.send(req)
        r = c.recv()
    r.pop("took_us", None)
    return r


def strip(obj):
    obj.pop("took_us", None)
    return obj


class ApiTest(dm.DaemonClass):
    """The API gives what the socket protocol gives."""

    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.tmp, cls.corpus, cls.db = dm.small_index(cls)
        cls.d = dm.start_daemon(cls, cls.db, tmp=cls.tmp, http=True)

    def post(self, path, body, headers=None):
        return httpc.call(self.d, "POST", path, body, headers)

    def test_post_search_equals_socket(self):
        for req in ({"q": "taiwan", "limit": 3}, {"q": "beijing", "facets": True},
                    {"q": "", "filter": {"source": "Reuters"}, "limit": 2, "id": 7}):
            with self.subTest(req=req):
                r = self.post("/search", req)
                self.assertEqual(r.status, 200)
                self.assertEqual(r.header("content-type"), "application/json")
                want = socket_answer(self.d, dict(req, op="search"))
                self.assertEqual(strip(r.json()), want)

    def test_id_echoed_or_null(self):
        self.assertEqual(self.post("/search", {"q": "taiwan", "id": "abc"}).json()["id"], "abc")
        self.assertIsNone(self.post("/search", {"q": "taiwan"}).json()["id"])

    def test_op_must_match_the_path(self):
        self.assertEqual(self.post("/search", {"op": "search", "q": "taiwan"}).status, 200)
        r = self.post("/search", {"op": "get", "doc": "x"})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["error"]["code"], "bad_request")
        self.assertEqual(self.post("/stats", {"op": "stats"}).status, 200)

    def test_body_may_end_in_a_newline(self):
        r = self.post("/search", '{\n  "q": "taiwan",\n  "limit": 1\n}\n')
        self.assertEqual(r.status, 200, r.body)
        r = self.post("/search", '{"q": "taiwan"}\n{"q": "x"}\n')
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["error"]["code"], "bad_json")

    def test_get_search_query_string(self):
        r = httpc.call(self.d, "GET", "/search?q=taiwan+arms&limit=2&source=Reuters"
                       "&from=2025-01&fields=doc.title,doc.source")
        self.assertEqual(r.status, 200)
        want = socket_answer(self.d, {"op": "search", "q": "taiwan arms", "limit": 2,
                                      "filter": {"source": "Reuters", "from": "2025-01"},
                                      "fields": ["doc.title", "doc.source"]})
        self.assertEqual(strip(r.json()), want)
        self.assertTrue(r.json()["hits"])
        for hit in r.json()["hits"]:
            self.assertEqual(set(hit), {"doc"})
            self.assertEqual(hit["doc"]["source"], "Reuters")

    def test_percent_encoding(self):
        r = httpc.call(self.d, "GET", "/search?q=%22red%20line%22&limit=1")
        want = socket_answer(self.d, {"op": "search", "q": "\"red line\"", "limit": 1})
        self.assertEqual(strip(r.json()), want)
        self.assertEqual(r.json()["total"]["lower"], 1)

    def test_get_bad_parameters(self):
        for path in ("/search?q=x&bogus=1", "/search?q=x&limit=ten", "/search?q=x&limit=-1",
                     "/search?q"):
            with self.subTest(path=path):
                r = httpc.call(self.d, "GET", path)
                self.assertEqual(r.status, 400)
                self.assertIn(r.json()["error"]["code"], ("bad_request", "bad_json"))

    def test_get_document(self):
        hit = self.post("/search", {"q": "taiwan", "limit": 1}).json()["hits"][0]
        doc = hit["doc"]["id"]
        r = self.post("/get", {"doc": doc})
        self.assertEqual(r.status, 200)
        self.assertEqual(strip(r.json()), socket_answer(self.d, {"op": "get", "doc": doc}))
        g = httpc.call(self.d, "GET", "/get?doc=" + doc.replace("/", "%2F") + "&passage=0")
        self.assertEqual(strip(g.json()),
                         socket_answer(self.d, {"op": "get", "doc": doc, "passage": 0}))
        missing = self.post("/get", {"doc": "no/such.txt"})
        self.assertEqual(missing.status, 404)
        self.assertEqual(missing.json()["error"]["code"], "not_found")

    def test_stats(self):
        r = httpc.call(self.d, "GET", "/stats")
        self.assertEqual(r.status, 200)
        self.assertTrue(dm.STATS_KEYS <= set(r.json()))

    def test_error_statuses(self):
        cases = [("POST", "/search", "{not json", 400, "bad_json"),
                 ("POST", "/search", {"q": "trade AND"}, 400, "query_syntax"),
                 ("POST", "/search", {"q": 5}, 400, "bad_request"),
                 ("POST", "/search", "[1]", 400, "bad_json"),
                 ("POST", "/search", {"op": "dance"}, 400, "unknown_op"),
                 ("GET", "/nowhere", None, 404, "not_found"),
                 ("GET", "/search/../metrics", None, 404, "not_found"),
                 ("GET", "/%2e%2e/etc/passwd", None, 404, "not_found"),
                 ("DELETE", "/search", None, 405, "bad_request"),
                 ("PUT", "/stats", "{}", 405, "bad_request")]
        for method, path, body, status, code in cases:
            with self.subTest(method=method, path=path):
                r = httpc.call(self.d, method, path, body)
                self.assertEqual(r.status, status, r.body)
                self.assertEqual(r.json()["error"]["code"], code)
                self.assertFalse(r.json()["ok"])
        r = httpc.call(self.d, "DELETE", "/search")
        self.assertIn("POST", r.header("allow"))

    def test_security_headers(self):
        r = httpc.call(self.d, "GET", "/search?q=taiwan")
        csp = r.header("content-security-policy")
        self.assertIn("default-src 'none'", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertEqual(r.header("x-content-type-options"), "nosniff")
        self.assertEqual(r.header("cache-control"), "no-store")

    def test_keep_alive_and_pipelining(self):
        with httpc.Conn(self.d.host, self.d.http_port) as c:
            for q in ("taiwan", "beijing", "harbour"):
                r = c.request("POST", "/search", {"q": q, "limit": 1})
                self.assertEqual(r.status, 200)
                self.assertIsNone(r.header("connection"))
            # Three requests in one write: three answers, in order.
            c.send(b"".join(httpc.encode("POST", "/search", {"q": q, "id": i})
                            for i, q in enumerate(("taiwan", "drought", "nothingatallxyz"))))
            ids = [c.read_response().json()["id"] for _ in range(3)]
            self.assertEqual(ids, [0, 1, 2])
            r = c.request("GET", "/stats", headers={"Connection": "close"})
            self.assertEqual(r.header("connection"), "close")
            self.assertTrue(c.wait_eof(dm.IO_TIMEOUT))

    def test_http_1_0(self):
        with httpc.Conn(self.d.host, self.d.http_port) as c:
            r = c.request("GET", "/stats", version="1.0", headers={"Host": None})
            self.assertEqual(r.status, 200)
            self.assertTrue(r.version.startswith("HTTP/1."))
            self.assertTrue(c.wait_eof(dm.IO_TIMEOUT), "HTTP/1.0 closes by default")
        with httpc.Conn(self.d.host, self.d.http_port) as c:
            for _ in range(2):
                r = c.request("GET", "/stats", version="1.0",
                              headers={"Connection": "keep-alive"})
                self.assertEqual(r.status, 200)
                self.assertEqual(r.header("connection"), "keep-alive")

    def test_host_required_in_1_1(self):
        r = httpc.call(self.d, "GET", "/stats", headers={"Host": None})
        self.assertEqual(r.status, 400)

    def test_gzip(self):
        req = {"q": dm.BIG_QUERY, "limit": 20}
        plain = self.post("/search", req)
        gz = self.post("/search", req, {"Accept-Encoding": "gzip, deflate"})
        self.assertEqual(gz.header("content-encoding"), "gzip")
        self.assertIn("Accept-Encoding", gz.header("vary"))
        self.assertLess(len(gz.body), len(plain.body))
        self.assertEqual(strip(json.loads(gzip.decompress(gz.body))), strip(plain.json()))
        self.assertIsNone(plain.header("content-encoding"))
        refused = self.post("/search", req, {"Accept-Encoding": "gzip;q=0, identity"})
        self.assertIsNone(refused.header("content-encoding"))
        small = self.post("/search", {"q": "taiwan", "limit": 1, "fields": ["rank"]},
                          {"Accept-Encoding": "gzip"})
        self.assertIsNone(small.header("content-encoding"), "tiny bodies go as they are")

    def test_head(self):
        with httpc.Conn(self.d.host, self.d.http_port) as c:
            get = c.request("GET", "/stats")
            head = c.request("HEAD", "/search?q=taiwan")
            self.assertEqual(head.status, 200)
            self.assertGreater(int(head.header("content-length")), 0)
            self.assertEqual(head.body, b"")
            # The connection is still in step: the next answer is whole.
            self.assertEqual(c.request("GET", "/stats").status, get.status)

    def test_expect_100_continue(self):
        body = json.dumps({"q": "taiwan", "limit": 1}).encode()
        with httpc.Conn(self.d.host, self.d.http_port) as c:
            c.send(f"POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
                   "Expect: 100-continue\r\n\r\n".encode())
            self.assertEqual(c.read_response().status, 100)
            c.send(body)
            self.assertEqual(c.read_response().status, 200)

    def test_cors_off_by_default(self):
        r = self.post("/search", {"q": "taiwan"}, {"Origin": "https://evil.example"})
        self.assertIsNone(r.header("access-control-allow-origin"))
        pre = httpc.call(self.d, "OPTIONS", "/search", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        self.assertIsNone(pre.header("access-control-allow-origin"))

    def test_socket_protocol_still_served(self):
        with self.d.connect("tcp") as c:
            self.assertTrue(c.call({"op": "ping"})["ok"])

    def test_daemon_serves_http_on_its_port_only(self):
        """A JSON line on the HTTP port is not a request: 400, then close."""
        with httpc.Conn(self.d.host, self.d.http_port) as c:
            c.send(b'{"op":"ping"}\n\n')
            r = c.read_response()
            self.assertEqual(r.status, 400)
            self.assertTrue(c.wait_eof(dm.IO_TIMEOUT))


class CorsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.tmp, cls.corpus, cls.db = dm.small_index(cls)
        cls.d = dm.start_daemon(cls, cls.db, "--http-cors", "https://app.example",
                                tmp=cls.tmp, http=True)

    def test_allowed_origin(self):
        r = httpc.call(self.d, "POST", "/search", {"q": "taiwan"},
                       {"Origin": "https://app.example"})
        self.assertEqual(r.header("access-control-allow-origin"), "https://app.example")
        self.assertIn("Origin", r.all("vary"))
        pre = httpc.call(self.d, "OPTIONS", "/search", headers={
            "Origin": "https://app.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type"})
        self.assertEqual(pre.status, 204)
        self.assertEqual(pre.header("access-control-allow-origin"), "https://app.example")
        self.assertIn("POST", pre.header("access-control-allow-methods"))
        self.assertIn("Authorization", pre.header("access-control-allow-headers"))

    def test_other_origin(self):
        r = httpc.call(self.d, "POST", "/search", {"q": "taiwan"},
                       {"Origin": "https://app.example.evil"})
        self.assertIsNone(r.header("access-control-allow-origin"))


class TokenTest(unittest.TestCase):
    """With --token-file: Bearer tokens, 401 otherwise; /ready open; the
    probes open only with --http-open-probes yes."""

    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.tmp, cls.corpus, cls.db = dm.small_index(cls)
        tf = os.path.join(cls.tmp, "token")
        h.write(tf, TOKEN + "\n")
        os.chmod(tf, 0o600)
        cls.d = dm.start_daemon(cls, cls.db, "--token-file", tf, tmp=cls.tmp, http=True)
        cls.open = dm.start_daemon(cls, cls.db, "--token-file", tf, "--http-open-probes", "yes",
                                   tmp=cls.tmp, http=True)

    def test_bearer(self):
        auth = {"Authorization": "Bearer " + TOKEN}
        r = httpc.call(self.d, "POST", "/search", {"q": "taiwan"}, auth)
        self.assertEqual(r.status, 200)
        self.assertTrue(r.json()["hits"])
        low = httpc.call(self.d, "GET", "/stats", headers={"Authorization": "bearer " + TOKEN})
        self.assertEqual(low.status, 200)

    def test_refused(self):
        for headers in ({}, {"Authorization": "Bearer wrong"},
                        {"Authorization": "Bearer " + TOKEN[:-1]},
                        {"Authorization": "Basic " + TOKEN},
                        {"Cookie": "attache_token=nope"}):
            for method, path in (("POST", "/search"), ("GET", "/stats"), ("GET", "/health"),
                                 ("GET", "/metrics"), ("POST", "/get")):
                with self.subTest(headers=headers, path=path):
                    r = httpc.call(self.d, method, path, {} if method == "POST" else None,
                                   headers)
                    self.assertEqual(r.status, 401)
                    self.assertEqual(r.json()["error"]["code"], "unauthorized")
                    self.assertIn("Bearer", r.header("www-authenticate"))

    def test_cookie(self):
        r = httpc.call(self.d, "GET", "/search?q=taiwan",
                       headers={"Cookie": f"theme=dark; attache_token={TOKEN}"})
        self.assertEqual(r.status, 200)

    def test_probes(self):
        self.assertEqual(httpc.call(self.d, "GET", "/ready").status, 200)
        self.assertEqual(httpc.call(self.open, "GET", "/health").status, 200)
        self.assertEqual(httpc.call(self.open, "GET", "/metrics").status, 200)
        self.assertEqual(httpc.call(self.open, "GET", "/stats").status, 401)

    def test_socket_protocol_keeps_its_rule(self):
        with self.d.connect("tcp") as c:
            self.assertEqual(c.request({"op": "ping"})["error"]["code"], "unauthorized")


class OptionsTest(dm.StartCase):
    def test_bad_address(self):
        p = dm.run_daemon(self.common() + ["--http", "nowhere"])
        self.assertEqual(p.returncode, dm.EXIT_USAGE)
        self.assertIn("--http", p.stderr)

    def test_port_taken(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            port = s.getsockname()[1]
            p = dm.run_daemon(self.common() + ["--http", f"127.0.0.1:{port}"])
            self.assertEqual(p.returncode, dm.EXIT_USAGE)
            self.assertIn(str(port), p.stderr)

    def test_two_addresses(self):
        p1, p2 = dm.free_port(), dm.free_port()
        d = dm.start_daemon(self, self.db, "--http", f"127.0.0.1:{p1}", "--http",
                            f"127.0.0.1:{p2}")
        for port in (p1, p2):
            with httpc.Conn("127.0.0.1", port) as c:
                self.assertEqual(c.request("GET", "/ready").status, 200)
        self.assertTrue(d.running())


if __name__ == "__main__":
    unittest.main()
