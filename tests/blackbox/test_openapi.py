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
import json
import os
import re
import unittest
import urllib.parse

import daemon as dm
import harness as h
import httpc

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


def call(d, method, path, body=None, headers=None):
    """One request on a new connection (a JSON body for a dict)."""
    if body is not None:
        headers = dict({"Content-Type": "application/json"}, **(headers or {}))
    return httpc.call(d, method, path, body, headers)


def raw(d, data):
    """Send data as it is on a new connection; the first response."""
    with httpc.Conn(d.host, d.http_port) as c:
        c.send(data)
        return c.read_response()


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


def page_paths(doc):
    return {p for p, ops in doc["paths"].items()
            if any("page" in op.get("tags", []) for m, op in ops.items() if m in METHODS)}


class LiveBase(unittest.TestCase):
    """A daemon with its HTTP front on the hand-made corpus, for the class."""

    daemon_args = ("--max-line", "4096", "--request-timeout", "1")

    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.doc = load_doc()
        cls.tmp, cls.corpus, cls.db = dm.small_index(cls)
        cls.d = dm.start_daemon(cls, cls.db, *cls.daemon_args, tmp=cls.tmp, http=True)

    def setUp(self):
        dm.check_alive(self, self.d)

    def response_doc(self, path, method, status):
        """The documented response of status for path and method (the
        document's NotFound for an unknown path, MethodNotAllowed for a
        method the path does not list)."""
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
        for name in resp.get("headers", {}):
            self.assertIsNotNone(r.header(name), f"{method} {path} {status}: no {name} header")
        if not content:
            self.assertEqual(r.body, b"", f"{method} {path} {status}: a body where none is "
                             "documented")
            return None
        self.assertIn(ctype, content, f"{method} {path} {status}: Content-Type {ctype} is "
                      f"not documented ({sorted(content)})")
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

    def has_page(self):
        """Whether the daemon was built with the search page."""
        return call(self.d, "GET", "/").status != 404


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
                                     "sort": "date", "per_doc": 2, "id": 12})
        got = self.check(call(self.d, "GET", "/search?" + qs), "/search", "GET")
        self.assertEqual(got["id"], 12)
        self.assertTrue(got["hits"])
        self.assertLessEqual(len(got["hits"]), 3)
        self.assertEqual(got["hits"][0]["rank"], 2)
        for hit in got["hits"]:
            self.assertEqual(hit["doc"]["source"], "Reuters")
        qs = urllib.parse.urlencode({"q": "lifeline", "speaker": "John Miller", "author": "",
                                     "actor": "", "language": "", "doc": ""})
        self.check(call(self.d, "GET", "/search?" + qs), "/search", "GET")

    def test_head_search(self):
        r = call(self.d, "HEAD", "/search?q=trade")
        self.assertEqual((r.status, r.body), (200, b""))
        self.assertEqual(r.header("content-type").split(";")[0], "application/json")

    def test_post_get(self):
        doc = self.some_doc_id()
        got = self.check(call(self.d, "POST", "/get", {"doc": doc}), "/get", "POST")
        self.assertEqual(got["doc"]["id"], doc)
        self.assertTrue(got["passages"])
        got = self.check(call(self.d, "POST", "/get", {"op": "get", "doc": doc, "passage": 0}),
                         "/get", "POST")
        self.assertEqual([p["n"] for p in got["passages"]], [0])

    def test_get_get(self):
        doc = self.some_doc_id()
        qs = urllib.parse.urlencode({"doc": doc, "passage": 1, "id": "g"})
        got = self.check(call(self.d, "GET", "/get?" + qs), "/get", "GET")
        self.assertEqual((got["id"], [p["n"] for p in got["passages"]]), ("g", [1]))

    def test_stats(self):
        got = self.check(call(self.d, "POST", "/stats", {}), "/stats", "POST")
        self.assertEqual(got["documents"], dm.CORPUS_DOCS)
        self.check(call(self.d, "POST", "/stats", {"op": "stats", "id": "s"}), "/stats",
                   "POST")
        self.check(call(self.d, "GET", "/stats"), "/stats", "GET")

    def test_health_and_ready(self):
        for path in ("/health", "/ready"):
            got = self.check(call(self.d, "GET", path), path, "GET")
            self.assertEqual(got["status"], "ok")

    def test_metrics(self):
        self.check(call(self.d, "GET", "/metrics"), "/metrics", "GET")

    def test_options(self):
        for path, ops in self.doc["paths"].items():
            if "options" in ops:
                self.check(call(self.d, "OPTIONS", path), path, "OPTIONS", 204)


@unittest.skipIf(yaml is None, NO_YAML)
class ErrorsTest(LiveBase):
    """Each error status the daemon can be made to send, against the
    response the document gives for it."""

    def test_400(self):
        cases = [("bad_json", b'{"q": '), ("bad_json", b"[1]"), ("bad_json", b""),
                 ("bad_request", {"q": "trade", "limit": 0}),
                 ("bad_request", {"q": "trade", "no_such_member": 1}),
                 ("bad_request", {"op": "get", "doc": "x"}),
                 ("query_syntax", {"q": "trade AND"}),
                 ("unknown_op", {"op": "frobnicate", "q": "trade"})]
        for code, body in cases:
            got = self.check(call(self.d, "POST", "/search", body), "/search", "POST", 400)
            self.assertEqual(got["error"]["code"], code, body)
        for target in ("/search?q=trade&limit=0", "/search?q=trade&no_such=1", "/search"):
            got = self.check(call(self.d, "GET", target), "/search", "GET", 400)
            self.assertEqual(got["error"]["code"], "bad_request", target)

    def test_404(self):
        for path in ("/nowhere", "/search/more", "/api/search"):
            got = self.check(call(self.d, "GET", path), path, "GET", 404)
            self.assertEqual(got["error"]["code"], "not_found")
        got = self.check(call(self.d, "POST", "/get", {"doc": "no/such/doc.txt"}), "/get",
                         "POST", 404)
        self.assertEqual(got["error"]["code"], "not_found")

    def test_405(self):
        for method, path in (("GET", "/nope-405"), ("DELETE", "/search"), ("PUT", "/get"),
                             ("POST", "/health"), ("POST", "/ready"), ("PATCH", "/metrics")):
            if path not in self.doc["paths"]:
                continue
            r = call(self.d, method, path, {} if method in ("POST", "PUT", "PATCH") else None)
            got = self.check(r, path, method, 405)
            self.assertEqual(got["error"]["code"], "bad_request")
            allowed = {m.strip().lower() for m in r.header("allow").split(",")}
            self.assertEqual(allowed, set(self.doc["paths"][path]) & set(METHODS),
                             f"{method} {path}: Allow against the document's methods")

    def test_408(self):
        """A head, or a body, not whole within --request-timeout (1 s)."""
        for part in (b"POST /search HTTP/1.1\r\nHost: x\r\nContent-Len",
                     b"POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{"):
            self.check(raw(self.d, part), "/search", "POST", 408)

    def test_411(self):
        r = raw(self.d, b"POST /search HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                        b"Content-Type: application/json\r\n\r\n5\r\n{\"q\":\r\n0\r\n\r\n")
        self.check(r, "/search", "POST", 411)

    def test_413(self):
        body = json.dumps({"q": "trade " * 1000}).encode()
        got = self.check(call(self.d, "POST", "/search", body), "/search", "POST", 413)
        self.assertEqual(got["error"]["code"], "too_large")

    def test_431(self):
        r = raw(self.d, b"GET /search?q=trade HTTP/1.1\r\nHost: x\r\n" +
                b"".join(b"X-Filler-%d: %s\r\n" % (i, b"y" * 200) for i in range(90)) +
                b"\r\n")
        self.check(r, "/search", "GET", 431)


@unittest.skipIf(yaml is None, NO_YAML)
class TokenTest(LiveBase):
    """With --token-file: 401 without the token (or with a wrong one), the
    answer with it; /ready and OPTIONS need none."""

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
            for method, path, body in (("POST", "/search", {"q": "trade"}),
                                       ("GET", "/search?q=trade", None),
                                       ("POST", "/stats", {}), ("GET", "/health", None),
                                       ("GET", "/metrics", None)):
                got = self.check(call(self.d, method, path, body, hdrs), path.split("?")[0],
                                 method, 401)
                self.assertEqual(got["error"]["code"], "unauthorized")
        good = {"Authorization": "Bearer " + TOKEN}
        self.check(call(self.d, "POST", "/search", {"q": "trade"}, good), "/search", "POST")
        self.check(call(self.d, "GET", "/health", None, good), "/health", "GET")

    def test_open_without_token(self):
        """What the document marks as needing no token (security: [])."""
        for path, ops in self.doc["paths"].items():
            for method, op in ops.items():
                if method not in METHODS or op.get("security") != [] or "{" in path:
                    continue
                if path in page_paths(self.doc) and not self.has_page():
                    continue
                if "requestBody" in op:
                    continue  # its credential is the body (POST /login): 401 is a wrong one
                r = call(self.d, method.upper(), path)
                self.assertNotEqual(r.status, 401, f"{method.upper()} {path}")
                self.assertIn(str(r.status), op["responses"], f"{method.upper()} {path}")


@unittest.skipIf(yaml is None, NO_YAML)
class RoutesTest(LiveBase):
    """The document and the daemon list the same routes and methods."""

    def test_every_documented_path_is_served(self):
        doc_id = self.some_doc_id()
        bodies = {"/search": {"q": "trade"}, "/get": {"doc": doc_id}, "/stats": {}}
        query = {"/search": "?q=trade", "/get": "?" + urllib.parse.urlencode({"doc": doc_id})}
        page = self.has_page()
        for path, ops in self.doc["paths"].items():
            if path in page_paths(self.doc) and not page:
                continue  # a daemon without the page: it answers 404 there
            target = self.concrete(path)
            for method in (m for m in ops if m in METHODS):
                r = call(self.d, method.upper(),
                         target + (query.get(path, "") if method in ("get", "head") else ""),
                         bodies.get(path) if method == "post" else None)
                self.assertIn(str(r.status), ops[method]["responses"],
                              f"{method.upper()} {path}: {r.status} {r.body[:300]!r}")
                self.assertNotIn(r.status, (404, 405), f"{method.upper()} {path}")

    def concrete(self, path):
        """path with its template filled from what the daemon serves (an
        asset the search page links to)."""
        if "{" not in path:
            return path
        html = call(self.d, "GET", "/").body.decode("utf-8", "replace")
        prefix = path.split("{")[0]
        m = re.search(re.escape(prefix) + r"([^\"'?#<> ]+)", html)
        self.assertIsNotNone(m, f"the page links to nothing under {prefix}")
        return prefix + m.group(1)

    def test_methods_match_allow(self):
        """For each path, the methods the daemon allows (the Allow of OPTIONS,
        or of the 405 a path that takes no OPTIONS sends) are those the
        document lists."""
        page = self.has_page()
        for path, ops in self.doc["paths"].items():
            if "{" in path or (path in page_paths(self.doc) and not page):
                continue
            r = call(self.d, "OPTIONS", path)
            self.assertIn(r.status, (204, 405), f"OPTIONS {path}: {r.status}")
            allowed = {m.strip().lower() for m in (r.header("allow") or "").split(",")}
            self.assertEqual(allowed, set(ops) & set(METHODS), f"{path}: Allow {allowed}")

    def test_every_served_route_is_documented(self):
        """The routes of the daemon's sources (the table of http_api.c, the
        page's paths in web.c) that it answers are the document's paths."""
        routes = source_routes()
        self.assertIn(("/search", False), routes, "the route table was not found in daemon/")
        documented = [re.compile("^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(p)) + "$")
                      for p in self.doc["paths"]]
        for route, prefix in sorted(routes):
            probe = route + "x" if prefix else route
            self.assertNotEqual(call(self.d, "OPTIONS", route).status if not prefix else 200,
                                404, f"{route}: named in the sources, not served")
            if prefix:
                self.assertTrue(any(p.startswith(route) and "{" in p for p in self.doc["paths"]),
                                f"{route}...: served, not in docs/openapi.yaml")
            else:
                self.assertTrue(any(d.match(probe) for d in documented),
                                f"{route}: served, not in docs/openapi.yaml")


def source_routes():
    """{(path, is_prefix)} of the routes in daemon/http_api.c's table and
    the paths daemon/web.c compares a request's path with."""
    found = set()
    api = os.path.join(h.REPO, "daemon", "http_api.c")
    if os.path.exists(api):
        with open(api, encoding="utf-8") as f:
            found |= {(p, False) for p in re.findall(r'\{\s*"(/[^"]*)",\s*R_', f.read())}
    web = os.path.join(h.REPO, "daemon", "web.c")
    if os.path.exists(web):
        with open(web, encoding="utf-8") as f:
            for fn, p in re.findall(r'str(n?)cmp\(\s*path,\s*"(/[^"]*)"', f.read()):
                found.add((p, fn == "n"))
    return found


if __name__ == "__main__":
    unittest.main()
