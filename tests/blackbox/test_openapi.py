"""Black-box test of docs/openapi.yaml against the daemon's HTTP front:
real responses of a running attached (every operation, the probes, and
each error status it can be made to send) are validated against the
document's schemas by a small validator of the part of JSON Schema the
document uses (type, properties, required, items, enum, nullable,
additionalProperties, $ref, oneOf, minimum, maximum, minItems, maxItems),
the error code against the codes the response lists (x-error-codes); every
path of the document must be served, and every route the daemon serves
must be in the document.

The document is read with python3-yaml; without it each test is skipped,
saying so.
"""
import http.client
import json
import os
import re
import socket
import unittest
import urllib.parse

import daemon as dm
import harness as h

try:
    import yaml
except ImportError:  # python3-yaml (Debian) is not installed
    yaml = None

OPENAPI = os.path.join(h.REPO, "docs", "openapi.yaml")
NO_YAML = ("python3-yaml is not installed (apt-get install python3-yaml): "
           "docs/openapi.yaml cannot be read")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# The keywords a schema of the document may use: those validate() checks,
# and those that only describe.
CHECKED = {"$ref", "type", "properties", "required", "items", "enum", "nullable",
           "additionalProperties", "oneOf", "minimum", "maximum", "minItems", "maxItems"}
DESCRIPTIVE = {"description", "example", "title", "format"}
TOKEN = "s3cret-token-for-the-test"


def load_doc():
    with open(OPENAPI, encoding="utf-8") as f:
        return yaml.safe_load(f)


# ---------------------------------------------------------------------------
# The validator


class Invalid(AssertionError):
    """A value does not match its schema; the message says where and why."""


def resolve(doc, ref):
    """The object a local $ref ("#/components/schemas/Hit") names."""
    if not ref.startswith("#/"):
        raise Invalid(f"only local references are read: {ref}")
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            raise Invalid(f"unresolved reference {ref}")
        node = node[part]
    return node


def deref(doc, node):
    while isinstance(node, dict) and "$ref" in node:
        node = resolve(doc, node["$ref"])
    return node


TYPES = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def same(a, b):
    """JSON equality: true is not 1."""
    return type(a) is type(b) and a == b


def validate(doc, schema, value, where="$"):
    """Raise Invalid when value does not match schema (OpenAPI 3.0: null
    only where nullable)."""
    if "$ref" in schema:
        return validate(doc, resolve(doc, schema["$ref"]), value, where)
    if value is None:
        if schema.get("nullable") is True:
            return None
        raise Invalid(f"{where}: null, which the schema does not allow")
    if "oneOf" in schema:
        passed = []
        for i, alt in enumerate(schema["oneOf"]):
            try:
                validate(doc, alt, value, where)
                passed.append(i)
            except Invalid:
                pass
        if len(passed) != 1:
            raise Invalid(f"{where}: matches {len(passed)} of the oneOf alternatives "
                          f"(needs exactly 1): {json.dumps(value)[:200]}")
    t = schema.get("type")
    if t is not None and not TYPES[t](value):
        raise Invalid(f"{where}: {json.dumps(value)[:120]} is not of type {t}")
    if "enum" in schema and not any(same(value, e) for e in schema["enum"]):
        raise Invalid(f"{where}: {json.dumps(value)[:120]} is not one of {schema['enum']}")
    check_range(schema, value, where)
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            validate(doc, schema["items"], item, f"{where}[{i}]")
    if isinstance(value, dict):
        check_object(doc, schema, value, where)
    return None


def check_range(schema, value, where):
    number = TYPES["number"](value)
    if number and "minimum" in schema and value < schema["minimum"]:
        raise Invalid(f"{where}: {value} < minimum {schema['minimum']}")
    if number and "maximum" in schema and value > schema["maximum"]:
        raise Invalid(f"{where}: {value} > maximum {schema['maximum']}")
    if isinstance(value, list) and len(value) < schema.get("minItems", 0):
        raise Invalid(f"{where}: {len(value)} items, fewer than {schema['minItems']}")
    if isinstance(value, list) and len(value) > schema.get("maxItems", len(value)):
        raise Invalid(f"{where}: {len(value)} items, more than {schema['maxItems']}")


def check_object(doc, schema, value, where):
    props = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in value:
            raise Invalid(f"{where}: the required member {name!r} is missing")
    extra = schema.get("additionalProperties", True)
    for name, v in value.items():
        if name in props:
            validate(doc, props[name], v, f"{where}.{name}")
        elif extra is False:
            raise Invalid(f"{where}: the member {name!r} is not in the schema")
        elif isinstance(extra, dict):
            validate(doc, extra, v, f"{where}.{name}")


def schemas_in(node, where="$"):
    """(where, schema) of every schema of the document: components.schemas,
    and the schema of each parameter, body, response and header."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "schema" and isinstance(v, dict):
                yield f"{where}.schema", v
            elif k == "schemas" and isinstance(v, dict):
                for name, s in v.items():
                    yield f"{where}.schemas.{name}", s
            else:
                yield from schemas_in(v, f"{where}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from schemas_in(v, f"{where}[{i}]")


def keywords(schema, where):
    """(where, keyword) of every keyword of schema and the schemas inside it."""
    if not isinstance(schema, dict):
        return
    for k, v in schema.items():
        yield where, k
        if k == "properties":
            for name, s in v.items():
                yield from keywords(s, f"{where}.{name}")
        elif k in ("items", "additionalProperties") and isinstance(v, dict):
            yield from keywords(v, f"{where}.{k}")
        elif k == "oneOf":
            for i, s in enumerate(v):
                yield from keywords(s, f"{where}.oneOf[{i}]")


# ---------------------------------------------------------------------------
# HTTP


class Reply:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return self.headers.get(name.lower())

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise AssertionError(f"HTTP {self.status}: the body is not JSON ({e}): "
                                 f"{self.body[:300]!r}") from None


def call(d, method, path, body=None, headers=None):
    """One request on a new connection; the Reply."""
    conn = http.client.HTTPConnection(d.host, d.http_port, timeout=dm.IO_TIMEOUT)
    try:
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        hdrs = {"Content-Type": "application/json"} if body is not None else {}
        hdrs.update(headers or {})
        conn.request(method, path, body=body, headers=hdrs)
        r = conn.getresponse()
        return Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    finally:
        conn.close()


def raw(d, data):
    """Send data as it is on a new connection; the status of the first
    response, its headers and body (by Content-Length)."""
    with socket.create_connection((d.host, d.http_port), timeout=dm.IO_TIMEOUT) as s:
        s.sendall(data)
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                raise AssertionError(f"closed without a response: {buf!r}")
            buf += chunk
        head, body = buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip()
                   for k, v in (ln.split(":", 1) for ln in lines[1:])}
        n = int(headers.get("content-length", "0"))
        while len(body) < n:
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
        return Reply(int(lines[0].split()[1]), headers, body[:n])


# ---------------------------------------------------------------------------
# The tests


@unittest.skipIf(yaml is None, NO_YAML)
class DocumentTest(unittest.TestCase):
    """The document itself: OpenAPI 3.0, every reference resolves, and its
    schemas use only what the validator checks."""

    @classmethod
    def setUpClass(cls):
        cls.doc = load_doc()

    def test_is_openapi_3_0(self):
        self.assertRegex(str(self.doc.get("openapi")), r"^3\.0\.\d+$")
        for key in ("info", "paths", "components"):
            self.assertIn(key, self.doc)
        self.assertEqual(self.doc["components"]["securitySchemes"]["bearer"],
                         {"type": "http", "scheme": "bearer",
                          "description": self.doc["components"]["securitySchemes"]
                          ["bearer"].get("description")})

    def test_every_reference_resolves(self):
        refs = re.findall(r"\$ref['\"]?:\s*['\"]?([^'\"\s}]+)", json.dumps(self.doc))
        self.assertTrue(refs)
        for ref in refs:
            resolve(self.doc, ref)

    def test_schemas_use_only_checked_keywords(self):
        seen = set()
        for where, schema in schemas_in(self.doc):
            for at, k in keywords(schema, where):
                seen.add(k)
                self.assertIn(k, CHECKED | DESCRIPTIVE, f"{at}: {k} is not checked by the "
                              "validator of this test")
        self.assertTrue({"$ref", "required", "nullable", "additionalProperties"} <= seen)

    def test_validator_rejects(self):
        """The validator can fail: each kind of mistake is caught."""
        hit = deref(self.doc, self.doc["components"]["schemas"]["Hit"])
        good = {"rank": 1, "score": 1.5, "doc": {"id": "a", "title": None, "date": None,
                                                  "source": None, "url": None,
                                                  "author": None, "language": None,
                                                  "fields": {}},
                "passage": {"n": 0, "start": 0, "end": 3, "text": "abc", "actors": []},
                "snippet": "abc", "matches": [[0, 3]]}
        validate(self.doc, hit, good)
        bad = [dict(good, rank="1"), dict(good, rank=True), dict(good, extra=1),
               {k: v for k, v in good.items() if k != "snippet"},
               dict(good, matches=[[0]]), dict(good, doc=dict(good["doc"], id=None)),
               dict(good, doc=dict(good["doc"], fields={"a": 1})), dict(good, rank=0)]
        for b in bad:
            with self.assertRaises(Invalid, msg=json.dumps(b)):
                validate(self.doc, hit, b)
        err = self.doc["components"]["schemas"]["Error"]
        with self.assertRaises(Invalid):
            validate(self.doc, err, {"id": None, "ok": False,
                                     "error": {"code": "no_such_code", "message": "x"}})
        with self.assertRaises(Invalid):
            validate(self.doc, {"oneOf": [{"type": "integer"}, {"type": "number"}]}, 3)
        validate(self.doc, {"oneOf": [{"type": "integer"}, {"type": "string"}]}, 3)


class LiveBase(unittest.TestCase):
    """A daemon with its HTTP front on the hand-made corpus, for the class."""

    daemon_args = ("--max-line", "4096")

    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.doc = load_doc()
        cls.tmp, cls.corpus, cls.db = dm.small_index(cls)
        cls.d = dm.start_daemon(cls, cls.db, *cls.daemon_args, tmp=cls.tmp, http=True)

    def setUp(self):
        dm.check_alive(self, self.d)

    def op(self, path, method):
        ops = self.doc["paths"].get(path)
        self.assertIsNotNone(ops, f"{path} is not in docs/openapi.yaml")
        self.assertIn(method.lower(), ops, f"{method} {path} is not in docs/openapi.yaml")
        return ops[method.lower()]

    def response_doc(self, path, method, status):
        """The documented response of status for path and method (the
        document's components.responses for an undocumented path)."""
        ops = self.doc["paths"].get(path, {})
        if method.lower() in ops:
            resp = ops[method.lower()]["responses"].get(str(status))
            self.assertIsNotNone(resp, f"{method} {path}: status {status} is not documented")
            return deref(self.doc, resp)
        common = {404: "NotFound", 405: "MethodNotAllowed"}
        self.assertIn(status, common, f"{method} {path}: no documented response")
        return self.doc["components"]["responses"][common[status]]

    def check(self, r, path, method, status=200):
        """r has status and a body valid for its documented response; the
        JSON body, or the text body of a non-JSON response."""
        self.assertEqual(r.status, status, f"{method} {path}: {r.body[:500]!r}")
        resp = self.response_doc(path, method, status)
        content = resp.get("content", {})
        ctype = (r.header("content-type") or "").split(";")[0].strip()
        self.assertIn(ctype, content, f"{method} {path} {status}: Content-Type {ctype} is "
                      f"not documented ({sorted(content)})")
        for name in resp.get("headers", {}):
            if name.lower() in ("allow", "retry-after"):
                self.assertIsNotNone(r.header(name), f"{method} {path}: no {name} header")
        if ctype != "application/json":
            return r.body.decode("utf-8")
        body = r.json()
        try:
            validate(self.doc, content[ctype]["schema"], body)
        except Invalid as e:
            self.fail(f"{method} {path} {status}: {e}\n{json.dumps(body)[:1500]}")
        if "x-error-codes" in resp:
            self.assertIn(body["error"]["code"], resp["x-error-codes"],
                          f"{method} {path} {status}: code not among those documented")
        return body

    def some_doc_id(self):
        r = call(self.d, "POST", "/search", {"q": "trade", "limit": 1})
        return self.check(r, "/search", "POST")["hits"][0]["doc"]["id"]


@unittest.skipIf(yaml is None, NO_YAML)
class ResponsesTest(LiveBase):
    """Each operation's real answer against its schema."""

    def test_post_search(self):
        for body in ({"q": "trade", "limit": 5},
                     {"op": "search", "id": 7, "q": '"red line"', "facets": True,
                      "explain": True, "exact_total": True},
                     {"q": "lifeline", "quotes": False, "sort": "-date",
                      "filter": {"source": "Reuters", "from": "2020"}},
                     {"q": "zzzznothing"}):
            r = call(self.d, "POST", "/search", body)
            got = self.check(r, "/search", "POST")
            self.assertEqual(got["id"], body.get("id"))
        self.assertEqual(got["hits"], [])

    def test_post_search_hits_hold_quotes(self):
        got = self.check(call(self.d, "POST", "/search", {"q": "red line"}), "/search", "POST")
        self.assertTrue(got["hits"])
        self.assertTrue(any(hit["quotes"] for hit in got["hits"]), got)

    def test_get_search(self):
        qs = urllib.parse.urlencode({"q": "sanctions OR trade", "limit": 3, "offset": 1,
                                     "from": "2013", "to": "2025-12-31", "source": "Reuters",
                                     "sort": "date"})
        got = self.check(call(self.d, "GET", "/search?" + qs), "/search", "GET")
        self.assertLessEqual(len(got["hits"]), 3)
        self.assertTrue(got["hits"])
        self.assertEqual(got["hits"][0]["rank"], 2)
        for hit in got["hits"]:
            self.assertEqual(hit["doc"]["source"], "Reuters")
        qs = urllib.parse.urlencode({"q": "lifeline", "speaker": "John Miller",
                                     "author": ""})
        self.check(call(self.d, "GET", "/search?" + qs), "/search", "GET")

    def test_post_get(self):
        doc = self.some_doc_id()
        got = self.check(call(self.d, "POST", "/get", {"doc": doc}), "/get", "POST")
        self.assertEqual(got["doc"]["id"], doc)
        self.assertTrue(got["passages"])
        got = self.check(call(self.d, "POST", "/get", {"op": "get", "doc": doc, "passage": 0}),
                         "/get", "POST")
        self.assertEqual([p["n"] for p in got["passages"]], [0])

    def test_post_stats(self):
        got = self.check(call(self.d, "POST", "/stats", {}), "/stats", "POST")
        self.assertEqual(got["documents"], dm.CORPUS_DOCS)
        self.check(call(self.d, "POST", "/stats", {"op": "stats", "id": "s"}), "/stats",
                   "POST")

    def test_health_and_ready(self):
        for path in ("/health", "/ready"):
            self.check(call(self.d, "GET", path), path, "GET")

    def test_metrics(self):
        text = self.check(call(self.d, "GET", "/metrics"), "/metrics", "GET")
        self.assertRegex(text, r"(?m)^# TYPE \w+ (counter|gauge|histogram|summary)$")


@unittest.skipIf(yaml is None, NO_YAML)
class ErrorsTest(LiveBase):
    """Each error status the daemon can be made to send, against the
    response the document gives for it."""

    def test_400(self):
        cases = [("bad_json", b'{"q": '), ("bad_json", b"[1]"),
                 ("bad_request", {"q": "trade", "limit": 0}),
                 ("bad_request", {"q": "trade", "no_such_member": 1}),
                 ("query_syntax", {"q": "trade AND"}),
                 ("unknown_op", {"op": "frobnicate", "q": "trade"})]
        for code, body in cases:
            got = self.check(call(self.d, "POST", "/search", body), "/search", "POST", 400)
            self.assertEqual(got["error"]["code"], code, body)
        got = self.check(call(self.d, "GET", "/search?q=trade&limit=0"), "/search", "GET",
                         400)
        self.assertEqual(got["error"]["code"], "bad_request")

    def test_404(self):
        for path in ("/nowhere", "/search/more", "/static-nothing"):
            got = self.check(call(self.d, "GET", path), path, "GET", 404)
            self.assertEqual(got["error"]["code"], "not_found")
        got = self.check(call(self.d, "POST", "/get", {"doc": "no/such/doc.txt"}), "/get",
                         "POST", 404)
        self.assertEqual(got["error"]["code"], "not_found")

    def test_405(self):
        for method, path in (("GET", "/get"), ("GET", "/stats"), ("DELETE", "/search"),
                             ("POST", "/health"), ("PUT", "/metrics")):
            r = call(self.d, method, path, {} if method in ("POST", "PUT") else None)
            self.check(r, path, method, 405)
            allowed = {m.strip().lower() for m in r.header("allow").split(",")}
            self.assertTrue(set(self.doc["paths"][path]) <= allowed | {"head"},
                            f"{method} {path}: Allow {r.header('allow')}")
            self.assertNotIn(method.lower(), allowed)

    def test_413(self):
        body = json.dumps({"q": "trade " * 1000}).encode()
        got = self.check(call(self.d, "POST", "/search", body), "/search", "POST", 413)
        self.assertEqual(got["error"]["code"], "too_large")

    def test_411(self):
        r = raw(self.d, b"POST /search HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                        b"Content-Type: application/json\r\n\r\n5\r\n{\"q\":\r\n0\r\n\r\n")
        self.check(r, "/search", "POST", 411)

    def test_431(self):
        r = raw(self.d, b"GET /search?q=trade HTTP/1.1\r\nHost: x\r\n" +
                b"".join(b"X-Filler-%d: %s\r\n" % (i, b"y" * 200) for i in range(200)) +
                b"\r\n")
        self.check(r, "/search", "GET", 431)


@unittest.skipIf(yaml is None, NO_YAML)
class TokenTest(LiveBase):
    """With --token-file: 401 without the token (or with a wrong one), 200
    with it."""

    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.doc = load_doc()
        cls.tmp, cls.corpus, cls.db = dm.small_index(cls)
        path = os.path.join(cls.tmp, "token")
        h.write(path, TOKEN + "\n")
        os.chmod(path, 0o600)
        cls.d = dm.start_daemon(cls, cls.db, "--token-file", path, tmp=cls.tmp, http=True)

    def test_401(self):
        for hdrs in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
            got = self.check(call(self.d, "POST", "/search", {"q": "trade"}, hdrs), "/search",
                             "POST", 401)
            self.assertEqual(got["error"]["code"], "unauthorized")
        self.check(call(self.d, "POST", "/search", {"q": "trade"},
                        {"Authorization": "Bearer " + TOKEN}), "/search", "POST")


@unittest.skipIf(yaml is None, NO_YAML)
class RoutesTest(LiveBase):
    """The document and the daemon list the same routes."""

    SOURCES = ("http.c", "http_frame.c", "metrics.c", "web.c")

    def test_every_documented_path_is_served(self):
        doc_id = self.some_doc_id()
        bodies = {"/search": {"q": "trade"}, "/get": {"doc": doc_id}, "/stats": {}}
        for path, ops in self.doc["paths"].items():
            for method in (m for m in ops if m in METHODS):
                target = path + ("?q=trade" if (method, path) == ("get", "/search") else "")
                r = call(self.d, method.upper(), target,
                         bodies.get(path) if method == "post" else None)
                self.assertIn(str(r.status), ops[method]["responses"],
                              f"{method.upper()} {path}: {r.status} {r.body[:300]!r}")
                self.assertNotIn(r.status, (404, 405), f"{method.upper()} {path}")

    def test_every_served_route_is_documented(self):
        """The paths named in the daemon's HTTP sources that it answers (not
        404) are the document's paths."""
        found = set()
        for name in self.SOURCES:
            path = os.path.join(h.REPO, "daemon", name)
            if os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                    found |= set(re.findall(r'"(/[A-Za-z0-9_./-]*)"', f.read()))
        self.assertIn("/search", found, "the route table was not found in daemon/")
        served = {p for p in found
                  if call(self.d, "GET", p).status != 404 or
                  call(self.d, "POST", p, {}).status != 404}
        self.assertEqual(served - set(self.doc["paths"]), set(),
                         "routes the daemon serves that docs/openapi.yaml does not list")


if __name__ == "__main__":
    unittest.main()
