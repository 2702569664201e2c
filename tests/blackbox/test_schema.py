"""Black-box test of the response schema: every kind of response attached
sends (search with and without its options, get, stats, ping, auth, and
every error it can be made to send) is checked against the field tables of
docs/PROTOCOL.md, read from the document itself, so that the two cannot
drift apart: an undocumented field, a missing one, one of the wrong type
or one present against its documented condition fails the test; so does a
documented field that no response ever carried.

The tables' format (## Responses in PROTOCOL.md): a heading
"### Object `NAME`", then a table "| field | type | present | meaning |".
"""
import json
import os
import re
import unittest

import daemon as dm
import harness as h

PROTOCOL_MD = os.path.join(h.REPO, "docs", "PROTOCOL.md")
BASIC = {"string", "integer", "number", "boolean", "any", "range"}

# Documented fields the daemons of this test cannot be made to send: a
# shard out of reach needs remote shards (tests/blackbox/test_shards.py);
# a copy needs copies of a passage in several documents
# (tests/blackbox/test_duplicates.py).
NOT_PRODUCED = {("shard", "error"), ("copy", "doc"), ("copy", "passage")}
# Error codes they cannot be made to send: a bug; an index that cannot be
# read while the daemon runs.
CODES_NOT_PRODUCED = {"internal", "unavailable"}


# ---------------------------------------------------------------------------
# Reading PROTOCOL.md


def cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def tables(text):
    """(heading, header cells, rows of cells) of each Markdown table."""
    heading, out, lines, i = "", [], text.splitlines(), 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        if (line.startswith("|") and i + 1 < len(lines)
                and re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", lines[i + 1].strip())):
            header, rows = cells(line), []
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(cells(lines[i]))
                i += 1
            out.append((heading, header, rows))
            continue
        i += 1
    return out


def unquote(s):
    m = re.fullmatch(r"`([^`]*)`", s.strip())
    return m.group(1) if m else s.strip()


def parse_type(t):
    t = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", t).strip()  # links
    if t.endswith(" or null"):
        return ("nullable", parse_type(t[:-len(" or null")]))
    if t.startswith("array of "):
        return ("array", parse_type(t[len("array of "):]))
    if t.startswith("map of "):
        return ("map", parse_type(t[len("map of "):]))
    m = re.fullmatch(r"`(\w+)`", t)
    if m:
        return ("object", m.group(1))
    if t in BASIC:
        return ("basic", t)
    raise ValueError(f"PROTOCOL.md: a type this test cannot read: {t!r}")


def parse_presence(p):
    if p in ("always", "sometimes"):
        return (p,)
    m = re.fullmatch(r"if the request's `(\w+)` is `([^`]+)`", p)
    if m:
        return ("request", m.group(1), m.group(2))
    m = re.fullmatch(r"if `(\w+)` is `([^`]+)`", p)
    if m:
        return ("sibling", m.group(1), m.group(2))
    raise ValueError(f"PROTOCOL.md: a presence this test cannot read: {p!r}")


def literal(text):
    """A documented value ("true", "\"relevance\"", "10") as JSON, or the text."""
    try:
        return json.loads(unquote(text))
    except ValueError:
        return unquote(text)


class Schema:
    """The objects, request defaults and error codes of PROTOCOL.md."""

    def __init__(self, text):
        self.objects, self.defaults, self.codes = {}, {}, set()
        for heading, header, rows in tables(text):
            cols = [c.lower() for c in header]
            m = re.fullmatch(r"Object `(\w+)`", heading)
            if cols == ["field", "type", "present", "meaning"]:
                if not m:
                    raise ValueError(f"PROTOCOL.md: a field table under {heading!r}, "
                                     "not under '### Object `NAME`'")
                fields = self.objects.setdefault(m.group(1), {})
                for row in rows:
                    fields[unquote(row[0])] = (parse_type(row[1]), parse_presence(row[2]))
            elif cols[:3] == ["field", "type", "default"]:
                op = self.defaults.setdefault(heading, {})
                for row in rows:
                    op[unquote(row[0])] = literal(row[2])
            elif cols and cols[0] == "code":
                self.codes |= {unquote(row[0]) for row in rows}
        for need in ("response", "error", "search", "get", "stats", "ping", "auth"):
            if need not in self.objects:
                raise ValueError(f"PROTOCOL.md has no table for Object `{need}`")


def load_schema():
    with open(PROTOCOL_MD, encoding="utf-8") as f:
        return Schema(f.read())


# ---------------------------------------------------------------------------
# Checking responses


def same_value(actual, documented):
    if documented in ("true", "false"):
        return actual is (documented == "true")
    return actual == documented


class Checker:
    """Checks responses against a Schema; keeps the problems found and the
    (object, field) pairs seen."""

    def __init__(self, schema):
        self.schema = schema
        self.problems = []
        self.seen = set()
        self.codes = set()

    def response(self, resp, request=None, what=""):
        """Check one response to request (a dict; None when unreadable)."""
        fields = dict(self.schema.objects["response"])
        owner = dict.fromkeys(fields, "response")
        if resp.get("ok") is True and request is not None:
            fields.update(self.schema.objects[request["op"]])
            owner.update(dict.fromkeys(self.schema.objects[request["op"]], request["op"]))
        self.fields(resp, "response", fields, {"request": request}, what or str(request),
                    owner)
        if resp.get("ok") is False and isinstance(resp.get("error"), dict):
            code = resp["error"].get("code")
            self.codes.add(code)
            if code not in self.schema.codes:
                self.problems.append(f"{what}: error code {code!r} is not documented")

    def condition(self, presence, obj, ctx):
        """True when the field must be present, False when it must not, None
        when either is right."""
        kind = presence[0]
        if kind == "always":
            return True
        if kind == "sometimes":
            return None
        field, value = presence[1], presence[2]
        if kind == "sibling":
            return same_value(obj.get(field), value)
        req = ctx["request"] or {}
        defaults = self.schema.defaults.get(req.get("op"), {})
        return same_value(req.get(field, defaults.get(field)), value)

    def fields(self, obj, name, fields, ctx, path, owner=None):
        """Check obj against fields (of Object name; owner maps a field to
        the object documenting it when they are merged)."""
        owner = owner or {}
        if not isinstance(obj, dict):
            self.problems.append(f"{path}: {name} is not an object: {obj!r}")
            return
        for k in obj:
            if k not in fields:
                self.problems.append(f"{path}.{k}: not documented in Object `{name}`")
        for k, (typ, presence) in fields.items():
            must = self.condition(presence, obj, ctx)
            if k in obj:
                self.seen.add((owner.get(k, name), k))
                if must is False:
                    self.problems.append(f"{path}.{k}: present, but documented {presence}")
                self.value(obj[k], typ, ctx, f"{path}.{k}")
            elif must:
                self.problems.append(f"{path}.{k}: missing (Object `{name}`, {presence})")

    def value(self, v, typ, ctx, path):
        kind, arg = typ
        if kind == "nullable":
            if v is not None:
                self.value(v, arg, ctx, path)
        elif kind == "array":
            if not isinstance(v, list):
                self.problems.append(f"{path}: not an array: {v!r}")
                return
            for i, x in enumerate(v):
                self.value(x, arg, ctx, f"{path}[{i}]")
        elif kind == "map":
            if not isinstance(v, dict):
                self.problems.append(f"{path}: not an object: {v!r}")
                return
            for k, x in v.items():
                self.value(x, arg, ctx, f"{path}.{k}")
        elif kind == "object":
            self.fields(v, arg, self.schema.objects[arg], ctx, path)
        elif not basic_ok(v, arg):
            self.problems.append(f"{path}: not {arg}: {v!r}")


def basic_ok(v, t):
    is_int = isinstance(v, int) and not isinstance(v, bool)
    return {"string": isinstance(v, str), "integer": is_int,
            "number": is_int or isinstance(v, float), "boolean": isinstance(v, bool),
            "any": True,
            "range": isinstance(v, list) and len(v) == 2 and all(basic_ok(x, "integer")
                                                                 for x in v)}[t]


# ---------------------------------------------------------------------------


class ReadTheDocTest(unittest.TestCase):
    def test_protocol_md_has_the_tables(self):
        s = load_schema()
        self.assertIn("url", s.objects["doc"])
        self.assertEqual(s.defaults["search"].get("quotes"), True)
        self.assertEqual(s.defaults["search"].get("facets"), False)
        self.assertEqual(s.codes, dm.ERROR_CODES)

    def test_checker_finds_drift(self):
        """The checker can fail: extra, missing, mistyped and misplaced fields."""
        c = Checker(load_schema())
        req = {"op": "ping"}
        good = {"id": 1, "ok": True, "took_us": 5, "pong": True, "revision": 3,
                "version": "0.1.0", "protocol": 1}
        c.response(good, req)
        self.assertEqual(c.problems, [])
        for bad in (dict(good, extra=1), {k: v for k, v in good.items() if k != "revision"},
                    dict(good, revision="3"), dict(good, error={"code": "x", "message": ""}),
                    {"id": None, "ok": False, "error": {"code": "nope", "message": "m"}}):
            with self.subTest(bad=bad):
                c.problems = []
                c.response(bad, req)
                self.assertTrue(c.problems, f"{bad} passed")


class SchemaTest(unittest.TestCase):
    """Every kind of response, from daemons on the hand-made corpus."""

    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.schema = load_schema()
        cls.tmp, cls.corpus, cls.db = dm.small_index(cls)

    def setUp(self):
        self.check = Checker(self.schema)

    def assertClean(self):
        self.assertEqual(self.check.problems, [], "responses that PROTOCOL.md does not describe")

    def ask(self, c, req, ok=True):
        resp = c.request(dict(req))
        self.check.response(resp, req)
        if ok is not None:
            self.assertIs(resp["ok"], ok, f"{req}: {resp}")
        return resp

    def walk_ok(self, c):
        s = {"op": "search", "q": "trade"}
        for req in (s, dict(s, facets=True), dict(s, quotes=False), dict(s, facets=False),
                    dict(s, highlight={"pre": "[", "post": "]", "length": 60}),
                    dict(s, per_doc=1, limit=50), dict(s, limit=3, offset=3),
                    dict(s, explain=True), dict(s, explain=False),
                    dict(s, q="Tokyo Beijing", explain=True, match="any"),
                    dict(s, q="Tokyo", expand=False),
                    dict(s, sort="date", match="any"), dict(s, offset=100000),
                    {"op": "search", "q": "zyzzyva"},
                    {"op": "search", "q": "", "filter": {"source": "Congress"}},
                    {"op": "search", "q": "lifeline", "facets": True, "quotes": True},
                    {"op": "get", "doc": "news/beijing-tokyo.txt"},
                    {"op": "get", "doc": "news/soybeans.txt", "passage": 1},
                    {"op": "get", "doc": "speeches/1999-address.txt"},
                    {"op": "stats"}, {"op": "ping"}, {"op": "auth", "token": "any"}):
            self.ask(c, req)

    def walk_errors(self, c):
        for req, code in (({"op": "search", "q": "trade", "limit": 0}, "bad_request"),
                          ({"op": "nope"}, "unknown_op"),
                          ({"op": "search", "q": "trade AND"}, "query_syntax"),
                          ({"op": "get", "doc": "no/such.txt"}, "not_found")):
            dm.assert_error(self, self.ask(c, req, ok=False), code)
        for line in (b"not json\n", b"[1]\n", b"x" * 70000 + b"\n"):
            c.send_bytes(line)
            resp = c.recv()
            self.check.response(resp, None, repr(line[:20]))
            self.assertIs(resp["ok"], False, resp)

    def test_every_response(self):
        d = dm.start_daemon(self, self.db, tmp=self.tmp)
        with d.connect() as c:
            self.walk_ok(c)
            self.walk_errors(c)
        self.assertClean()
        got = self.check.seen
        with d.connect("tcp") as c:
            r = self.ask(c, {"op": "get", "doc": "speeches/1999-address.txt"})
        self.assertIsNone(r["doc"]["url"], "null when unknown")
        self.assertEqual(r["doc"]["date"], "1999-01-19")
        missing = {(o, f) for o, fields in self.schema.objects.items()
                   for f, (_, p) in fields.items() if p[0] != "sometimes"} - got - NOT_PRODUCED
        self.assertFalse(missing, "documented fields no response carried")

    def test_empty_quotes_and_null_speaker(self):
        d = dm.start_daemon(self, self.db, tmp=self.tmp)
        with d.connect() as c:
            r = self.ask(c, {"op": "search", "q": "sanctions", "limit": 100})
            g = self.ask(c, {"op": "get", "doc": "news/beijing-tokyo.txt"})
        self.assertClean()
        self.assertTrue(any(h["quotes"] == [] for h in r["hits"]), "[] when there are none")
        self.assertTrue(all(isinstance(p["quotes"], list) for p in g["passages"]))
        self.assertTrue(any(p["quotes"] == [] for p in g["passages"]), g["passages"])

    def test_unauthorized_and_request_timeout(self):
        token = os.path.join(self.tmp, "token")
        h.write(token, "kP3-schema-token\n")
        os.chmod(token, 0o600)
        d = dm.start_daemon(self, self.db, "--token-file", token, "--request-timeout", "1",
                            tmp=self.tmp)
        with d.connect("tcp") as c:
            dm.assert_error(self, self.ask(c, {"op": "ping"}, ok=False), "unauthorized")
        with d.connect("tcp") as c:
            self.ask(c, {"op": "auth", "token": "kP3-schema-token"})
            self.ask(c, {"op": "ping"})
            c.send_bytes(b'{"op":"pi')  # never ended: the request time-out
            resp = c.recv(timeout=30)
            self.check.response(resp, None, "request time-out")
            dm.assert_error(self, resp, "timeout", None)
        self.assertClean()
        self.assertEqual(self.check.codes, {"unauthorized", "timeout"})

    def test_overloaded(self):
        d = dm.start_daemon(self, self.db, "--max-connections", "1", "--evict-idle", "0",
                            tmp=self.tmp)
        def first():
            """A served connection, once the readiness one is counted closed."""
            c = d.connect()
            try:
                if c.request({"op": "stats"})["ok"]:
                    return c
            except (OSError, AssertionError):
                pass
            c.close()
            return None

        a = h.wait_until(first, 10, "a connection served")
        self.addCleanup(a.close)
        with d.connect("tcp") as b:
            resp = b.recv()
            self.check.response(resp, None, "a connection over the cap")
            dm.assert_error(self, resp, "overloaded", None)
        self.assertClean()

    def test_every_error_code_is_produced(self):
        """The codes of PROTOCOL.md's error table, each sent by the daemon
        somewhere in this file, but the ones it cannot be made to send."""
        produced = {"bad_json", "bad_request", "unknown_op", "too_large", "query_syntax",
                    "not_found", "unauthorized", "timeout", "overloaded"}
        self.assertEqual(self.schema.codes - CODES_NOT_PRODUCED, produced)
        d = dm.start_daemon(self, self.db, tmp=self.tmp)
        with d.connect() as c:
            self.walk_errors(c)
        self.assertClean()
        self.assertEqual(self.check.codes, {"bad_json", "bad_request", "unknown_op",
                                            "too_large", "query_syntax", "not_found"})


if __name__ == "__main__":
    unittest.main()
