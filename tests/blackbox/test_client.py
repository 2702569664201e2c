"""Black-box tests of attache, the command-line client (docs/man/attache.1),
against a real attached on the hand-made corpus of daemon.py (plus a few
documents with accents, CJK text and missing header fields).

Most runs go through a recording proxy: a Unix socket and a TCP port in
front of the daemon that relay every byte and keep each request and
response line. A test can thus check the exact request the client built
(every option must reach the daemon) and compare what the client printed
with the exact response it received. Tiny fake servers stand in for a
daemon that is down, dies mid-response, answers garbage or never answers.

Also here: the bash completion (contrib/attache.bash-completion) and the
man page (docs/man/attache.1).
"""
import errno
import fcntl
import json
import os
import pty
import re
import select
import shutil
import socket
import struct
import subprocess
import termios
import threading
import time
import unicodedata
import unittest

import daemon as dm
import harness as h

RUN_TIMEOUT = 60        # seconds for one run of the client
EXIT_OK, EXIT_NONE, EXIT_ERR = 0, 1, 2

SGR = re.compile(r"\x1b\[([0-9;]*)m")
FOOTER = re.compile(r"^(\d+) of about (\d+) results?, (\d+(?:\.\d+)?) ms"
                    r"(?: \(relaxed: any word\))?$")
SPELLING = re.compile(r"^Did you mean: (.+)\?$")
HEADER = re.compile(r"^(\d+)\. ")
# The id line; " · LANG · ACTOR, ..." follows when the passage has them.
ID_LINE = re.compile(r"^\s+(\S+)#(\d+)(?: \u00b7 .*)?$")
TOOK = re.compile(r", \d+(?:\.\d+)? ms(?= \(relaxed: any word\)$|$)", re.M)
PONG = re.compile(r"^pong \(revision (\d+), (\d+(?:\.\d+)?) ms\)\n$")

UNICODE_ID = "intl/unicode.txt"
LONG_WORD = "Donaudampfschifffahrtsgesellschaftskapit\u00e4n"      # 43 columns
CJK_LONG = "\u4e2d\u534e\u4eba\u6c11\u5171\u548c\u56fd\u5916\u4ea4\u90e8\u53d1\u8a00\u4eba"  # 26 columns
BRACKETS_ID = "misc/brackets.txt"   # the text's own brackets around a word searched for
# The plain markers of a match (without colour): U+27E6 and U+27E7.
PRE, POST = "\u27e6", "\u27e7"
EXTRA_DOCS = {
    UNICODE_ID: (
        "Title: Caf\u00e9 talks in Z\u00fcrich \u2014 \u5317\u4eac delegation\n"
        "Date: 2025-06-02\nSource: Xinhua\n\n"
        "The d\u00e9l\u00e9gation from \u5317\u4eac and \u4e0a\u6d77 met bankers in Z\u00fcrich "
        "and Malm\u00f6 over caf\u00e9 cr\u00e8me; the kaffeeklatsch lasted hours. "
        "\u6771\u4eac \u9999\u6e2f \u53f0\u5317 \u5927\u962a \u9996\u5c14 \u65b0\u52a0\u5761 "
        "\u5409\u9686\u5761 \u66fc\u8c37 \u6771\u4eac \u9999\u6e2f \u53f0\u5317 \u5927\u962a "
        "were mentioned, and na\u00efve fa\u00e7ade jalape\u00f1o pi\u00f1ata "
        "sm\u00f6rg\u00e5sbord r\u00e9sum\u00e9 co\u00f6peration were the words of the day. "
        f"The {LONG_WORD} and the {CJK_LONG} said nothing at all about the kaffeeklatsch.\n\n"
        "A spokesman said \"the kaffeeklatsch was cordial\" and left.\n"),
    "misc/memo.txt": "Title: Only a title here\n\nThe undated memo mentions walruses twice: "
                     "walruses.\n",
    "misc/note.txt": "Source: Wire\n\nA headless note about walruses.\n",
    BRACKETS_ID: "Title: Narwhal notes\n\nThe narwhal [sic] count was disputed; see "
                 "[[narwhal]], >>narwhal<< and \u00abnarwhal\u00bb in the appendix.\n",
}
NO_CLIENT = "bin/attache not built yet (client/ is being written)"


# ---------------------------------------------------------------------------
# Text helpers


def norm(s):
    """Whitespace runs to one space (wrapping changes nothing else)."""
    return " ".join(s.split())


def cols(s):
    """Display columns of s: East Asian wide and full-width characters count
    2, combining marks 0, the rest 1."""
    n = 0
    for c in s:
        if unicodedata.combining(c):
            continue
        n += 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
    return n


def strip_sgr(s):
    return SGR.sub("", s)


def styled(text):
    """Interpret the SGR sequences of text: (plain text, one frozenset of
    active SGR codes per character of it, the codes still active at the end)."""
    plain, attrs, cur = [], [], set()
    pos = 0
    fg = set(range(30, 38)) | set(range(90, 98))

    def emit(chunk):
        for ch in chunk:
            plain.append(ch)
            attrs.append(frozenset(cur))

    for m in SGR.finditer(text):
        emit(text[pos:m.start()])
        params = [int(x) if x else 0 for x in m.group(1).split(";")] if m.group(1) else [0]
        for p in params:
            if p == 0:
                cur.clear()
            elif p == 22:
                cur.discard(1)
                cur.discard(2)
            elif p == 39:
                cur -= fg
            elif p in fg:
                cur -= fg
                cur.add(p)
            else:
                cur.add(p)
        pos = m.end()
    emit(text[pos:])
    return "".join(plain), attrs, frozenset(cur)


def bracket_words(text):
    """The words between the PRE and POST markers, in order."""
    return [w for span in re.findall(f"{PRE}([^{PRE}{POST}]*){POST}", text)
            for w in span.split()]


def without_markers(s):
    return s.replace(PRE, "").replace(POST, "")


def mark_ranges(text, ranges, pre=PRE, post=POST):
    """text (str) with pre/post around each byte range."""
    b = text.encode("utf-8")
    out, prev = [], 0
    for s, e in ranges:
        out += [b[prev:s], pre.encode(), b[s:e], post.encode()]
        prev = e
    out.append(b[prev:])
    return b"".join(out).decode("utf-8")


def quote_line(q):
    who = q.get("speaker") or "unknown speaker"
    if q.get("speaker") and q.get("role"):
        who += f" ({q['role']})"
    return f"\u201c{q['text']}\u201d \u2014 {who}"


def header_line(hit):
    doc = hit["doc"]
    parts = [doc[k] for k in ("title", "date", "source") if doc.get(k)]
    return f"{hit['rank']}. " + " \u2014 ".join(parts)


def client_env(extra=None):
    """The environment of a run: ours without the variables the client
    reads (so only what a test sets counts), plus extra (None removes)."""
    e = h._env(None)
    for k in ("ATTACHE_ADDR", "ATTACHE_TOKEN_FILE", "NO_COLOR", "COLUMNS", "LINES"):
        e.pop(k, None)
    for k, v in (extra or {}).items():
        if v is None:
            e.pop(k, None)
        else:
            e[k] = v
    return e


class Run:
    """One finished run of the client. out is stdout decoded as strict
    UTF-8 (a run whose stdout is not valid UTF-8 fails where it is read)."""

    def __init__(self, args, rc, raw, err, secs):
        self.args, self.rc, self.raw, self.secs = args, rc, raw, secs
        self.err = err.decode("utf-8", "replace")
        self._out = None

    @property
    def out(self):
        if self._out is None:
            for i, line in enumerate(self.raw.split(b"\n")):
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError as e:
                    raise AssertionError(f"{self.cmdline()}: stdout line {i + 1} is not "
                                         f"UTF-8 ({e}): {line!r}") from None
            self._out = self.raw.decode("utf-8")
        return self._out

    def cmdline(self):
        return "attache " + " ".join(repr(a) if (" " in a or not a) else a
                                     for a in self.args)

    def __str__(self):
        return (f"{self.cmdline()} exited {self.rc} after {self.secs:.2f} s\n"
                f"--- stdout ---\n{self.raw[-2500:].decode('utf-8', 'replace')}"
                f"--- stderr ---\n{self.err[-1500:]}")


def run_client(args, env=None, stdin=None, timeout=RUN_TIMEOUT):
    args = [str(a) for a in args]
    t0 = time.monotonic()
    try:
        p = subprocess.run([h.bin_path("attache")] + args, env=client_env(env),
                           input=stdin if stdin is not None else b"",
                           capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"attache {args} still running after {timeout} s; stdout "
                             f"{(e.stdout or b'')[-500:]!r} stderr "
                             f"{(e.stderr or b'')[-500:]!r}") from None
    return Run(args, p.returncode, p.stdout, p.stderr, time.monotonic() - t0)


def run_pty(args, env=None, cols_=60, rows=24, timeout=RUN_TIMEOUT):
    """The client with stdout on a pseudo-terminal of cols_ columns (stderr
    piped). Returns a Run; the terminal's \\r\\n are turned back into \\n."""
    args = [str(a) for a in args]
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols_, 0, 0))
    t0 = time.monotonic()
    try:
        p = subprocess.Popen([h.bin_path("attache")] + args, env=client_env(env),
                             stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE)
    finally:
        os.close(slave)
    out = bytearray()
    deadline = t0 + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                p.kill()
                p.wait()
                raise AssertionError(f"attache {args} on a terminal still running after "
                                     f"{timeout} s")
            r, _, _ = select.select([master], [], [], left)
            if not r:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError as e:  # EIO: the child closed the terminal
                if e.errno != errno.EIO:
                    raise
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(master)
    err = p.stderr.read()
    p.stderr.close()
    rc = p.wait(timeout=timeout)
    return Run(args, rc, bytes(out).replace(b"\r\n", b"\n"), err, time.monotonic() - t0)


def require_client(test):
    if not os.path.exists(h.bin_path("attache")):
        test.skipTest(NO_CLIENT)


# ---------------------------------------------------------------------------
# The recording proxy and the fake servers


class Proxy:
    """Relays each connection (on its Unix socket or TCP port) to the
    daemon's Unix socket and records every request and response line."""

    def __init__(self, tmp, upstream):
        self.upstream = upstream
        self.path = os.path.join(tmp, "proxy.sock")
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind(self.path)
        self.unix.listen(64)
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(64)
        self.port = self.tcp.getsockname()[1]
        self.lock = threading.Lock()
        self.log = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def addr(self):
        return f"127.0.0.1:{self.port}"

    def _accept(self):
        socks = {self.unix: "unix", self.tcp: "tcp"}
        while not self.stopping.is_set():
            r, _, _ = select.select(list(socks), [], [], 0.1)
            for s in r:
                try:
                    conn, _ = s.accept()
                except OSError:
                    continue
                threading.Thread(target=self._serve, args=(conn, socks[s]),
                                 daemon=True).start()

    def _serve(self, conn, via):
        rec = {"via": via, "requests": [], "responses": []}
        with self.lock:
            self.log.append(rec)
        conn.settimeout(120)
        up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        up.settimeout(120)
        try:
            up.connect(self.upstream)
        except OSError:
            conn.close()
            up.close()
            return
        back = threading.Thread(target=self._pump, args=(up, conn, rec["responses"]),
                                daemon=True)
        back.start()
        self._pump(conn, up, rec["requests"])
        back.join(120)
        conn.close()
        up.close()

    def _pump(self, src, dst, lines):
        buf = b""
        while True:
            try:
                chunk = src.recv(1 << 16)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                with self.lock:
                    lines.append(line)
            try:
                dst.sendall(chunk)
            except OSError:
                break
        if buf:
            with self.lock:
                lines.append(buf)
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def take(self):
        """The connections recorded since the last take()."""
        with self.lock:
            log, self.log = self.log, []
        return log

    def stop(self):
        self.stopping.set()
        self.thread.join(5)
        self.unix.close()
        self.tcp.close()


class FakeServer:
    """A server on a Unix socket (or TCP) that misbehaves: behaviour(conn,
    server) handles each accepted connection in a thread."""

    def __init__(self, tmp, behaviour, tcp=False):
        self.behaviour = behaviour
        if tcp:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.bind(("127.0.0.1", 0))
            self.addr = f"127.0.0.1:{self.sock.getsockname()[1]}"
            self.args = ["--connect", self.addr]
        else:
            FakeServer.n = getattr(FakeServer, "n", 0) + 1
            self.addr = os.path.join(tmp, f"fake{FakeServer.n}.sock")
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.bind(self.addr)
            self.args = ["--socket", self.addr]
        self.sock.listen(16)
        self.stopping = threading.Event()
        self.requests = []
        self.threads = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.stopping.is_set():
            r, _, _ = select.select([self.sock], [], [], 0.05)
            if not r:
                continue
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            t = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            self.threads.append(t)
            t.start()

    def _handle(self, conn):
        try:
            conn.settimeout(30)
            self.behaviour(conn, self)
        except OSError:
            pass
        finally:
            conn.close()

    def read_request(self, conn):
        buf = b""
        while b"\n" not in buf:
            chunk = conn.recv(65536)
            if not chunk:
                break
            buf += chunk
        line = buf.split(b"\n", 1)[0]
        self.requests.append(line)
        try:
            return json.loads(line)
        except ValueError:
            return {}

    def hold(self):
        """Keep a connection open, silent, until the server stops."""
        self.stopping.wait(60)

    def stop(self):
        self.stopping.set()
        self.thread.join(5)
        for t in self.threads:
            t.join(5)
        self.sock.close()


def answer_half(conn, srv):
    srv.read_request(conn)
    conn.sendall(b'{"id":1,"ok":true,"took_us":120,"revision":2,'
                 b'"total":{"estimate":3,"lower":3,"upper":3},"hits":[{"rank":1,"sc')


def answer_half_then_reset(conn, srv):
    answer_half(conn, srv)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def answer_nothing(conn, srv):
    srv.read_request(conn)
    srv.hold()


def close_at_once(conn, srv):
    pass


def answer_garbage(conn, srv):
    srv.read_request(conn)
    conn.sendall(b"this is not JSON at all\n")
    srv.hold()


def answer_trickle(conn, srv):
    req = srv.read_request(conn)
    line = json.dumps({"id": req.get("id"), "ok": True, "pong": True, "revision": 1,
                       "padding": "x" * 200}).encode() + b"\n"
    for i in range(len(line)):
        if srv.stopping.wait(0.2):
            return
        conn.sendall(line[i:i + 1])


def compact(obj):
    """A response line as attached writes it: compact JSON."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def close_unread_later(conn, srv):
    """Read nothing, close after 0.3 s: a client still sending gets EPIPE."""
    srv.stopping.wait(0.3)


def answer_then_close(conn, srv):
    req = srv.read_request(conn)
    conn.sendall(compact({"id": req.get("id"), "ok": True, "pong": True, "revision": 1}))


def answer_once_all_arrived(n):
    """Wait (up to 3 s) until n request lines have arrived before answering
    the first; record how many had. Then answer each line as it comes."""
    def behaviour(conn, srv):
        buf, lines = b"", []
        deadline = time.monotonic() + 3
        while len(lines) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            conn.settimeout(left)
            try:
                chunk = conn.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            buf += chunk
            *done, buf = buf.split(b"\n")
            lines += done
        srv.seen_before_answer = len(lines)
        conn.settimeout(30)
        while True:
            for line in lines:
                req = json.loads(line)
                conn.sendall(compact({"id": req.get("id"), "ok": True, "pong": True,
                                      "revision": 1}))
            lines = []
            chunk = conn.recv(65536)
            if not chunk:
                return
            buf += chunk
            *lines, buf = buf.split(b"\n")
    return behaviour


def answer_with(make):
    """Answer each request with make(request) (a dict or bytes)."""
    def behaviour(conn, srv):
        req = srv.read_request(conn)
        out = make(req)
        conn.sendall(out if isinstance(out, bytes) else compact(out))
        srv.hold()
    return behaviour


def answer_error(code, message):
    def behaviour(conn, srv):
        while True:
            req = srv.read_request(conn)
            if not req:
                return
            conn.sendall(json.dumps({"id": req.get("id"), "ok": False,
                                     "error": {"code": code, "message": message}}).encode()
                         + b"\n")
    return behaviour


# ---------------------------------------------------------------------------
# A daemon on the hand-made corpus, with the proxy in front of it


def skip_without_programs():
    """Raise SkipTest (from setUpClass) unless attached and attache are built."""
    for prog in ("attached", "attache"):
        if not os.path.exists(h.bin_path(prog)):
            raise unittest.SkipTest(NO_CLIENT if prog == "attache"
                                    else f"{h.bin_path(prog)} not built")


def write_client_corpus(root):
    dm.write_corpus(root)
    for fid, text in EXTRA_DOCS.items():
        h.write(os.path.join(root, fid), text)
    return root


class ClientCase(unittest.TestCase):
    """One daemon (and its proxy) for the whole class."""

    daemon_args = ()
    ipv6 = False

    @classmethod
    def setUpClass(cls):
        skip_without_programs()
        cls.tmp = h.tmp_for(cls)
        cls.corpus = write_client_corpus(os.path.join(cls.tmp, "corpus"))
        cls.db = dm.build_index(cls.corpus, os.path.join(cls.tmp, "db"))
        args = list(cls.daemon_args)
        cls.port6 = None
        if cls.ipv6 and dm.have_ipv6_loopback():
            cls.port6 = dm.free_port("::1", socket.AF_INET6)
            args += ["--listen", f"[::1]:{cls.port6}"]
        cls.d = dm.start_daemon(cls, cls.db, *args, tmp=cls.tmp)
        cls.proxy = Proxy(cls.tmp, cls.d.sock_path)
        cls.addClassCleanup(cls.proxy.stop)

    def setUp(self):
        self.c = dm.connect_live(self, self.d)
        self.proxy.take()

    # -- running the client

    def run_client(self, *args, addr="proxy", env=None, stdin=None, timeout=RUN_TIMEOUT):
        """attache with the address first: "proxy" (the recording proxy's
        Unix socket), "unix" or "tcp" (the daemon itself), None (none given)."""
        pre = {"proxy": ["--socket", self.proxy.path],
               "unix": ["--socket", self.d.sock_path],
               "tcp": ["--connect", f"{self.d.host}:{self.d.port}"], None: []}[addr]
        return run_client(pre + list(args), env=env, stdin=stdin, timeout=timeout)

    def exchanges(self):
        """Every (request, response line) the proxy relayed since setUp or
        the last call."""
        out = []
        for rec in self.proxy.take():
            for i, line in enumerate(rec["requests"]):
                try:
                    req = json.loads(line)
                except ValueError:
                    self.fail(f"the client sent a line that is not JSON: {line[:300]!r}")
                resp = rec["responses"][i] if i < len(rec["responses"]) else None
                out.append((req, resp))
        return out

    def exchange(self, p=None):
        """The one request the last run sent, its response line and parsed
        response."""
        ex = self.exchanges()
        self.assertEqual(len(ex), 1, f"one request per run, got {[r for r, _ in ex]}"
                         + (f"\n{p}" if p else ""))
        req, line = ex[0]
        self.assertIsNotNone(line, f"no response to {req}")
        return req, line, json.loads(line)

    def search(self, p, expect_rc=None):
        """The (request, response) of a search run p, which must have exited
        0 when it has hits and 1 when not (or expect_rc)."""
        req, line, resp = self.exchange(p)
        self.assertEqual(req.get("op"), "search", req)
        self.assertIs(resp["ok"], True, resp)
        want = expect_rc if expect_rc is not None else (EXIT_OK if resp["hits"] else EXIT_NONE)
        self.assertEqual(p.rc, want, f"exit status; {len(resp['hits'])} hits\n{p}")
        return req, resp

    def raw(self, req):
        r = self.c.request(req)
        self.assertIs(r["ok"], True, f"{req}: {r}")
        return r

    def raw_search(self, q, **params):
        return self.raw(dict(op="search", q=q, **params))

    def whole_hits(self, req):
        """The response to the search req (as the client sent it) with
        whole hits: a person's search asks only for what it prints."""
        return self.raw({k: v for k, v in req.items() if k not in ("id", "fields")})

    def keys(self, hits):
        return [dm.hit_key(x) for x in hits]

    # -- reading human output

    def parse_human(self, text, p=None):
        """The hit blocks (lists of lines), the footer match and the
        spelling suggestion (or None) of a search's human output."""
        what = f"\n{p}" if p else f"\n{text[-2000:]}"
        self.assertTrue(text.endswith("\n"), f"output ends with a newline{what}")
        lines = text[:-1].split("\n")
        at = [i for i, ln in enumerate(lines) if FOOTER.match(ln)]
        self.assertEqual(len(at), 1, f"one footer line 'N of about M results, X ms'{what}")
        fi = at[0]
        after = lines[fi + 1:]
        spelling = None
        if after:
            self.assertEqual(len(after), 1, f"only 'Did you mean' after the footer{what}")
            m = SPELLING.match(after[0])
            self.assertTrue(m, f"{after[0]!r} is not 'Did you mean: X?'{what}")
            spelling = m.group(1)
        self.assertNotIn("\n\n\n", text, f"one blank line between hits{what}")
        blocks, cur = [], []
        for ln in lines[:fi]:
            if ln.strip():
                cur.append(ln)
            elif cur:
                blocks.append(cur)
                cur = []
        if cur:
            blocks.append(cur)
        return blocks, FOOTER.match(lines[fi]), spelling

    def split_block(self, block, what=""):
        """(header lines, the id line's (doc id, n), the lines after it)."""
        self.assertRegex(block[0], HEADER, f"a hit starts with 'N. '{what}")
        for i, ln in enumerate(block):
            m = ID_LINE.match(ln)
            if m:
                return block[:i], (m.group(1), int(m.group(2))), block[i + 1:]
        self.fail(f"no 'DOC-ID#PASSAGE' line in hit {block}{what}")

    def expected_body(self, hit, req, full, markers):
        pre, post = markers
        if full:
            return mark_ranges(hit["passage"]["text"], hit["matches"], pre, post)
        hl = req.get("highlight") or {}
        return (hit["snippet"].replace(hl.get("pre", "<b>"), pre)
                .replace(hl.get("post", "</b>"), post))

    def check_human(self, p, req, resp, full=False, colour=False):
        """p's stdout shows resp as the CLI contract says: per hit its
        header, id line, snippet (or passage) with the matched words marked,
        one line per quotation; the footer; the spelling line."""
        text = p.out
        if colour:
            text = strip_sgr(text)
        else:
            self.assertNotIn("\x1b", text, f"no escape sequence without colour\n{p}")
        markers = ("", "") if colour else (PRE, POST)
        blocks, footer, spelling = self.parse_human(text, p)
        hits = resp["hits"]
        self.assertEqual(len(blocks), len(hits), f"one block per hit\n{p}")
        for block, hit in zip(blocks, hits):
            what = f" (hit {hit['rank']})\n{p}"
            head, (did, n), rest = self.split_block(block, what)
            self.assertEqual(norm(" ".join(head)), norm(header_line(hit)),
                             f"'N. TITLE \u2014 DATE \u2014 SOURCE'{what}")
            self.assertEqual((did, n), (hit["doc"]["id"], hit["passage"]["n"]), what)
            self.assertTrue(all(ln.startswith("   ") for ln in block[1:]),
                            f"lines after the first indented by 3 spaces{what}")
            self.assertTrue(rest, f"no snippet{what}")
            self.assertRegex(rest[0], r"^   \S", f"the text indented 3 spaces{what}")
            got = norm(" ".join(rest))
            body = norm(self.expected_body(hit, req, full, markers))
            self.assertTrue(got.startswith(body),
                            f"{'passage' if full else 'snippet'} with marked matches:\n"
                            f"  want {body!r}\n  got  {got!r}{what}")
            quotes = norm(without_markers(got[len(body):]))
            self.assertEqual(quotes, norm(" ".join(quote_line(q) for q in hit["quotes"])),
                             f"one '\u201cQUOTE\u201d \u2014 SPEAKER (ROLE)' per quotation{what}")
        shown, about, ms = footer.groups()
        self.assertEqual(int(shown), len(hits), f"footer N\n{p}")
        self.assertEqual(int(about), resp["total"]["estimate"], f"footer M\n{p}")
        self.assertEqual(footer.group(0).endswith("(relaxed: any word)"), resp["relaxed"],
                         f"footer says relaxed when the response does\n{p}")
        self.assertLessEqual(abs(float(ms) - resp["took_us"] / 1000), 0.05 + 1e-9,
                             f"footer X = took_us/1000 ({resp['took_us']} us)\n{p}")
        self.assertRegex(ms, r"^\d+\.\d$", f"X with one decimal\n{p}")
        self.assertEqual(spelling, resp.get("spelling"), f"'Did you mean' line\n{p}")
        return blocks

    def human(self, *args, full=False, colour=False, expect_rc=None, **kw):
        """Run a search (--color never unless colour), check its output
        against the response it got; (run, request, response)."""
        p = self.run_client(*args, **kw)
        req, resp = self.search(p, expect_rc)
        self.check_human(p, req, resp, full=full, colour=colour)
        return p, req, resp

    def assert_no_escape(self, p):
        self.assertNotIn(b"\x1b", p.raw, f"an ESC byte on stdout\n{p}")
        self.assertNotIn("\x1b", p.err, f"an ESC byte on stderr\n{p}")

    def assert_failed(self, p, *words):
        """Exit status 2, nothing on stdout, one line on stderr holding
        each of words, no traceback."""
        self.assertEqual(p.rc, EXIT_ERR, str(p))
        self.assertEqual(p.raw, b"", f"nothing on stdout\n{p}")
        lines = p.err.splitlines()
        self.assertEqual(len(lines), 1, f"exactly one line on stderr\n{p}")
        self.assertTrue(lines[0].strip(), str(p))
        for w in words:
            self.assertIn(w, lines[0], str(p))
        return lines[0]


# ---------------------------------------------------------------------------
# Human output


class OutputTest(ClientCase):
    def test_plain_output(self):
        for q in (["soybeans"], ["red", "line"], ['"red line"'], ["kaffeeklatsch"],
                  ["walruses"], [dm.BIG_QUERY]):
            with self.subTest(q=q):
                p, req, resp = self.human("--color", "never", *q)
                self.assertEqual(req["q"], " ".join(q), "the words joined with spaces")
                self.assertTrue(resp["hits"])
                self.assert_no_escape(p)
                self.assertTrue(bracket_words(p.out), f"matched words marked\n{p}")

    def test_marked_words_are_the_matches(self):
        p, req, resp = self.human("--color", "never", "soybeans")
        for w in bracket_words(p.out):
            self.assertTrue(dm.stem_match(w.strip(".,;:\"'"), "soybeans"), f"[{w}]\n{p}")
        p, req, resp = self.human("--color", "never", '"red line"')
        self.assertIn(f"{PRE}red line{POST}", norm(p.out), str(p))

    def test_plain_markers_unlike_the_texts_brackets(self):
        """Without colour a match is marked with characters prose does not
        use, so the text's own [ ], [[ ]], >> << and guillemets stay as they
        are and are never taken for a match."""
        p, req, resp = self.human("--color", "never", "--full", "narwhal", full=True)
        self.assertEqual([x["doc"]["id"] for x in resp["hits"]], [BRACKETS_ID], resp)
        text = norm(p.out)
        for want in (f"The {PRE}narwhal{POST} [sic] count", f"[[{PRE}narwhal{POST}]]",
                     f">>{PRE}narwhal{POST}<<", f"\u00ab{PRE}narwhal{POST}\u00bb"):
            self.assertIn(want, text, str(p))
        self.assertEqual(p.out.count(PRE), len(resp["hits"][0]["matches"]), str(p))
        self.assertEqual(p.out.count(POST), p.out.count(PRE), str(p))
        self.assertEqual(bracket_words(p.out), ["narwhal"] * 4, str(p))

    def test_quote_lines(self):
        p, req, resp = self.human("--color", "never", "red")
        text = norm(without_markers(p.out))
        self.assertIn("\u201ccrossed a red line that should not have been touched\u201d "
                      "\u2014 Wang Yi (Foreign Minister)", text, str(p))
        p, req, resp = self.human("--color", "never", "kaffeeklatsch")
        self.assertIn("\u201cthe kaffeeklatsch was cordial\u201d \u2014 unknown speaker",
                      norm(without_markers(p.out)), str(p))
        p, req, resp = self.human("--color", "never", "grossly")
        text = norm(without_markers(p.out))
        self.assertIn("\u201cgrossly violated\u201d \u2014 Lin Jian (spokesperson)", text)
        self.assertIn("\u201cChina deplores and opposes that.\u201d \u2014 Lin Jian "
                      "(spokesperson)", text)

    def test_missing_header_parts_left_out(self):
        p, req, resp = self.human("--color", "never", "walruses")
        heads = {b[0] for b in self.parse_human(p.out)[0]}
        self.assertTrue(any(re.match(r"^\d\. Only a title here$", x) for x in heads), heads)
        self.assertTrue(any(re.match(r"^\d\. A headless note about walruses\. \u2014 Wire$", x)
                            for x in heads), heads)
        for x in heads:
            self.assertFalse(x.rstrip().endswith("\u2014"), f"dangling separator: {x!r}")
            self.assertNotIn("\u2014 \u2014", x)

    def test_footer(self):
        p, req, resp = self.human("--color", "never", "soybeans")
        line = p.out.rstrip("\n").split("\n")[-1]
        m = FOOTER.match(line)
        self.assertTrue(m, f"last line {line!r}")
        self.assertEqual(int(m.group(1)), len(resp["hits"]))
        self.assertEqual(int(m.group(2)), resp["total"]["estimate"])
        p, req, resp = self.human("--color", "never", "-n", "3", dm.BIG_QUERY)
        m = FOOTER.match(p.out.rstrip("\n").split("\n")[-1])
        self.assertEqual(m.group(1), "3")
        self.assertGreater(int(m.group(2)), 3)

    def test_no_hits(self):
        p, req, resp = self.human("--color", "never", "zyzzyva", expect_rc=EXIT_NONE)
        self.assertEqual(resp["hits"], [])
        self.assertRegex(p.out, r"^0 of about 0 results?, \d+\.\d ms\n$", str(p))

    def test_spelling(self):
        p, req, resp = self.human("--color", "never", "soybaens", expect_rc=EXIT_NONE)
        self.assertEqual(resp.get("spelling"), "soybeans", resp)
        self.assertTrue(p.out.endswith("\nDid you mean: soybeans?\n"), str(p))

    def test_colour_always(self):
        for q in ("soybeans", '"red line"', "taiwan arms sale", "kaffeeklatsch"):
            with self.subTest(q=q):
                pc = self.run_client("--color", "always", "--width", "200", q)
                req, resp = self.search(pc)
                self.check_human(pc, req, resp, colour=True)
                pn = self.run_client("--color", "never", "--width", "200", q)
                self.search(pn)
                self.assertIn("\x1b[1;31m", pc.out, str(pc))
                other = re.sub(r"\x1b\[[0-9;]*m", "", pc.out)
                self.assertNotIn("\x1b", other, f"only SGR escape sequences\n{pc}")
                # stripping the escapes gives the plain text but for the markers
                # (and the time in the footer: two runs)
                self.assertEqual(norm(TOOK.sub(", X ms", strip_sgr(pc.out))),
                                 norm(TOOK.sub(", X ms", without_markers(pn.out))))
                # matched words bold red, the same words the plain output marks
                plain, attrs, end = styled(pc.out)
                red = "".join(ch if 31 in a else " " for ch, a in zip(plain, attrs))
                self.assertEqual(red.split(), bracket_words(pn.out),
                                 f"red words != marked words\n{pc}\n{pn}")
                for ch, a in zip(plain, attrs):
                    if 31 in a:
                        self.assertIn(1, a, "matched words bold as well as red")
                for m in re.finditer(r"\x1b\[1;31m(.*?)\x1b\[0m", pc.out, re.S):
                    self.assertTrue(strip_sgr(m.group(1)).strip(), m)
                self.assertEqual(end, frozenset(), "attributes reset at the end")
                # title bold, id dim
                for hit in resp["hits"]:
                    for needle, code, what in ((hit["doc"]["title"], 1, "title bold"),
                                               (f"{hit['doc']['id']}#{hit['passage']['n']}",
                                                2, "id dim")):
                        i = plain.find(needle)
                        self.assertGreaterEqual(i, 0, needle)
                        self.assertTrue(all(code in a for a in attrs[i:i + len(needle)]),
                                        f"{what}: {needle!r}\n{pc.out[:600]!r}")

    def test_colour_never_auto_pipe_and_no_color(self):
        cases = [(["--color", "never"], {}), (["--color", "auto"], {}), ([], {}),
                 (["--color", "auto"], {"NO_COLOR": "1"}), ([], {"NO_COLOR": "1"}),
                 (["--color", "never"], {"NO_COLOR": ""})]
        for opts, env in cases:
            with self.subTest(opts=opts, env=env):
                p, req, resp = self.human(*opts, "soybeans", env=env)
                self.assert_no_escape(p)
                self.assertIn(f"{PRE}soybeans{POST}", p.out)

    def test_colour_auto_on_a_terminal(self):
        for opts, env, colour in ((["--color", "auto"], {}, True), ([], {}, True),
                                  ([], {"NO_COLOR": ""}, True),
                                  ([], {"NO_COLOR": "1"}, False),
                                  (["--color", "auto"], {"NO_COLOR": "yes"}, False),
                                  (["--color", "never"], {}, False),
                                  (["--color", "always"], {"NO_COLOR": "1"}, True)):
            with self.subTest(opts=opts, env=env):
                p = run_pty(["--socket", self.proxy.path] + opts + ["soybeans"], env=env)
                req, resp = self.search(p)
                self.check_human(p, req, resp, colour=colour)
                if colour:
                    self.assertIn("\x1b[1;31m", p.out, str(p))
                else:
                    self.assert_no_escape(p)

    def test_colour_always_with_a_pipe(self):
        p = self.run_client("--color", "always", "soybeans", env={"NO_COLOR": "1"})
        self.search(p)
        self.assertIn("\x1b[1;31msoybeans\x1b[0m", p.out, str(p))

    def test_full_passage(self):
        p, req, resp = self.human("--color", "never", "--full", "kaffeeklatsch", full=True)
        text = norm(without_markers(p.out))
        self.assertIn("said nothing at all about the kaffeeklatsch.", text, str(p))
        self.assertIn(norm(EXTRA_DOCS[UNICODE_ID].split("\n\n")[1]), text)
        p2, _, resp2 = self.human("--color", "never", "kaffeeklatsch")
        self.assertNotIn("said nothing at all", p2.out, "the snippet is cut")
        p, req, resp = self.human("--color", "never", "--full", "-n", "5", dm.BIG_QUERY,
                                  full=True)
        for hit in resp["hits"]:
            self.assertIn(norm(hit["passage"]["text"]), norm(without_markers(p.out)))

    def test_blank_line_between_hits(self):
        p, req, resp = self.human("--color", "never", "-n", "4", dm.BIG_QUERY)
        lines = p.out.split("\n")
        starts = [i for i, ln in enumerate(lines) if HEADER.match(ln)]
        self.assertEqual(len(starts), 4)
        for i in starts[1:]:
            self.assertEqual(lines[i - 1], "", f"blank line before hit at line {i}\n{p}")


# ---------------------------------------------------------------------------
# Wrapping


class WrapTest(ClientCase):
    def body_lines(self, p, colour=False):
        """The snippet/passage and quotation lines of every hit."""
        text = strip_sgr(p.out) if colour else p.out
        out = []
        for block in self.parse_human(text, p)[0]:
            out.append(self.split_block(block)[2])
        return out

    def check_width(self, p, width, colour=False, what="", lines=None):
        for i, raw in enumerate(p.raw.split(b"\n")):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                self.fail(f"line {i + 1} is not UTF-8 (a character cut?): {raw!r}")
        self.assertNotIn("\ufffd", p.out, "a replacement character in the output")
        lines = lines if lines is not None else [ln for b in self.body_lines(p, colour)
                                                 for ln in b]
        for ln in lines:
            if cols(ln) > width:
                self.assertNotIn(" ", ln.strip(),
                                 f"{what}a line of {cols(ln)} columns > {width} that is not "
                                 f"one unbreakable word: {ln!r}\n{p}")

    def check_filled(self, p, width, colour=False):
        """Greedy filling: the next line's first word would not have fitted
        (1 column of slack), so wide characters count 2 columns, not
        3 bytes; escape sequences count nothing."""
        for body in self.body_lines(p, colour):
            for a, b in zip(body, body[1:]):
                if b.lstrip().startswith("\u201c"):   # a quotation starts a new line
                    continue
                nxt = b.split()[0]
                self.assertGreater(cols(a) + 1 + cols(nxt), width - 1,
                                   f"{nxt!r} would have fitted on the line before "
                                   f"({cols(a)} columns, width {width}): {a!r}\n{p}")

    def check_intact(self, p, width, colour=False):
        text = strip_sgr(p.out) if colour else p.out
        lines = text.split("\n")
        for word in (LONG_WORD, CJK_LONG):
            self.assertTrue(any(word in without_markers(ln)
                                for ln in lines), f"{word!r} cut at width {width}\n{p}")
        for word in ("\u65b0\u52a0\u5761", "\u5409\u9686\u5761", "sm\u00f6rg\u00e5sbord",
                     "co\u00f6peration", "jalape\u00f1o"):
            self.assertTrue(any(word in ln for ln in lines), f"{word!r} cut\n{p}")

    def test_width_40_and_20(self):
        for width in (40, 20):
            for colour in (False, True):
                with self.subTest(width=width, colour=colour):
                    p = self.run_client("--color", "always" if colour else "never", "--full",
                                        "--width", width, "kaffeeklatsch")
                    req, resp = self.search(p)
                    self.check_human(p, req, resp, full=True, colour=colour)
                    self.check_width(p, width, colour)
                    self.check_intact(p, width, colour)
                    self.check_filled(p, width, colour)

    def test_width_sweep(self):
        """Every width from 20 to 70, with and without colour: escape
        sequences and markers are counted right wherever the lines break."""
        for colour in (False, True):
            for width in range(20, 71):
                with self.subTest(width=width, colour=colour):
                    p = self.run_client("--color", "always" if colour else "never", "--full",
                                        "--width", width, "kaffeeklatsch", "OR", "soybeans")
                    self.assertEqual(p.rc, EXIT_OK, str(p))
                    self.proxy.take()
                    self.check_width(p, width, colour)
                    self.check_filled(p, width, colour)

    def test_width_snippets(self):
        for width in (40, 20):
            with self.subTest(width=width):
                p, req, resp = self.human("--color", "never", "--width", width, "-n", "20",
                                          dm.BIG_QUERY)
                self.check_width(p, width)
                self.check_filled(p, width)
                p, req, resp = self.human("--color", "never", "--width", width, "red",
                                          "line")
                self.check_width(p, width)

    def test_width_every_line(self):
        """Headers too: no line wider than the width but for an unbreakable
        word (each kind of line is a subtest). The footer is one status line
        that scripts may grep, and is never wrapped."""
        for width in (40, 20):
            p, req, resp = self.human("--color", "never", "--width", width, "kaffeeklatsch",
                                      "OR", "walruses", "OR", "soybeans")
            blocks = self.parse_human(p.out, p)[0]
            kinds = {"header": [], "id": [], "text and quotations": []}
            for block in blocks:
                head, _, rest = self.split_block(block)
                kinds["header"] += head
                kinds["id"].append(block[len(head)])
                kinds["text and quotations"] += rest
            for kind, lines in kinds.items():
                with self.subTest(width=width, lines=kind):
                    self.assertTrue(lines)
                    self.check_width(p, width, lines=lines, what=f"{kind}: ")

    def test_default_width_80(self):
        p, req, resp = self.human("--color", "never", "--full", "-n", "5", dm.BIG_QUERY,
                                  full=True)
        lines = [ln for b in self.body_lines(p) for ln in b]
        self.check_width(p, 80, lines=lines)
        self.assertGreater(max(cols(ln) for ln in lines), 70, f"80 columns are used\n{p}")

    def test_columns_variable(self):
        p, req, resp = self.human("--color", "never", "--full", "-n", "5", dm.BIG_QUERY,
                                  full=True, env={"COLUMNS": "50"})
        lines = [ln for b in self.body_lines(p) for ln in b]
        self.check_width(p, 50, lines=lines)
        self.assertGreater(max(cols(ln) for ln in lines), 40, f"50 columns are used\n{p}")
        p, req, resp = self.human("--color", "never", "--full", "--width", "30", "-n", "5",
                                  dm.BIG_QUERY, full=True, env={"COLUMNS": "120"})
        self.check_width(p, 30)
        self.check_filled(p, 30)

    def test_terminal_width_wins(self):
        p = run_pty(["--socket", self.proxy.path, "--color", "never", "--full", "-n", "5",
                     dm.BIG_QUERY], env={"COLUMNS": "120"}, cols_=50)
        req, resp = self.search(p)
        self.check_human(p, req, resp, full=True)
        lines = [ln for b in self.body_lines(p) for ln in b]
        self.check_width(p, 50, lines=lines)
        self.assertGreater(max(cols(ln) for ln in lines), 40, f"the terminal's 50\n{p}")


# ---------------------------------------------------------------------------
# --json


class JsonTest(ClientCase):
    def compare(self, client, raw, what):
        a = {k: v for k, v in client.items() if k not in ("took_us", "id")}
        b = {k: v for k, v in raw.items() if k not in ("took_us", "id")}
        if a != b and "hits" in a and "hits" in b:
            for x, y in zip(a["hits"], b["hits"]):
                for k in ("doc", "passage", "snippet", "matches", "quotes", "rank"):
                    self.assertEqual(x.get(k), y.get(k), f"{what}: hit {y.get('rank')} {k}")
        self.assertEqual(a, b, what)

    def test_json_is_the_response_line(self):
        for q, extra in ((["trade"], ["-n", "5"]), (['"red line"'], []),
                         (["kaffeeklatsch"], []), (["walruses"], []), (["soybaens"], []),
                         (["taiwan", "arms", "sale"], ["-n", "3"])):
            with self.subTest(q=q):
                p = self.run_client("--json", *extra, *q)
                req, line, resp = self.exchange(p)
                self.assertEqual(p.raw, line + b"\n", f"exactly the response line\n{p}")
                self.assertEqual(p.rc, EXIT_OK if resp["hits"] else EXIT_NONE, str(p))
                self.assertEqual(p.err, "")
                limit = int(extra[1]) if extra else 10
                raw = self.raw_search(" ".join(q), limit=limit)
                self.compare(json.loads(p.out), raw,
                             f"--json {q} vs a raw search with the same q and limit")

    def test_json_direct(self):
        for addr in ("unix", "tcp"):
            with self.subTest(addr=addr):
                p = self.run_client("--json", "soybeans", addr=addr)
                self.assertEqual(p.rc, EXIT_OK, str(p))
                self.assertEqual(p.out.count("\n"), 1, "one line")
                self.compare(json.loads(p.out), self.raw_search("soybeans"), "--json soybeans")

    def test_json_with_filters(self):
        p = self.run_client("--json", "-n", "50", "--source", "Reuters", "--from", "2015",
                            "--sort", "-date", "trade")
        req, line, resp = self.exchange(p)
        self.assertEqual(p.raw, line + b"\n")
        raw = self.raw_search("trade", limit=50, filter={"source": "Reuters", "from": "2015"},
                              sort="-date")
        self.assertTrue(raw["hits"])
        self.compare(json.loads(p.out), raw, "--json with filters")

    def test_json_no_colour_no_wrapping(self):
        p = self.run_client("--json", "--color", "always", "--width", "20", "--full",
                            "kaffeeklatsch")
        req, line, resp = self.exchange(p)
        self.assertEqual(p.raw, line + b"\n")
        self.assertNotIn(b"\x1b", p.raw)

    def test_json_error(self):
        p = self.run_client("--json", "trade AND")
        self.assertEqual(p.rc, EXIT_ERR, str(p))
        req, line, resp = self.exchange(p)
        self.assertEqual(dm.error_code(resp), "query_syntax")
        self.assertIn(resp["error"]["message"], p.out + p.err, str(p))

    def test_json_get_and_stats(self):
        p = self.run_client("--json", "get", "news/soybeans.txt")
        req, line, resp = self.exchange(p)
        self.assertEqual((p.rc, p.raw), (EXIT_OK, line + b"\n"), str(p))
        self.assertEqual(req.get("doc"), "news/soybeans.txt")
        p = self.run_client("--json", "stats")
        req, line, resp = self.exchange(p)
        self.assertEqual((p.rc, p.raw), (EXIT_OK, line + b"\n"), str(p))
        self.assertTrue(dm.STATS_KEYS <= set(json.loads(p.out)))


# ---------------------------------------------------------------------------
# Every option reaches the daemon


class OptionsTest(ClientCase):
    def test_limit(self):
        for opts, n in ((["-n", "3"], 3), (["--limit", "3"], 3), (["--limit=4"], 4), ([], 10),
                        (["-n", "1000"], None)):
            with self.subTest(opts=opts):
                p, req, resp = self.human("--color", "never", *opts, dm.BIG_QUERY)
                self.assertEqual(req.get("limit", 10), n or 1000, req)
                self.assertEqual(len(resp["hits"]),
                                 n or len(self.raw_search(dm.BIG_QUERY, limit=1000)["hits"]))
                self.assertEqual([b[0].split(".")[0] for b in self.parse_human(p.out)[0]],
                                 [str(i) for i in range(1, len(resp["hits"]) + 1)])

    def test_page_continues(self):
        p1, r1, a = self.human("--color", "never", "-n", "5", dm.BIG_QUERY)
        p2, r2, b = self.human("--color", "never", "-n", "5", "--page", "2", dm.BIG_QUERY)
        self.assertEqual((r2.get("offset"), r2.get("limit")), (5, 5), r2)
        self.assertIn(r1.get("offset", 0), (0,), r1)
        both = self.raw_search(dm.BIG_QUERY, limit=10)["hits"]
        self.assertEqual(self.keys(a["hits"]) + self.keys(b["hits"]), self.keys(both))
        self.assertEqual([x["rank"] for x in b["hits"]], [6, 7, 8, 9, 10])
        self.assertEqual([blk[0].split(".")[0] for blk in self.parse_human(p2.out)[0]],
                         ["6", "7", "8", "9", "10"], str(p2))
        p3, r3, c = self.human("--color", "never", "-n", "3", "--page", "3", dm.BIG_QUERY)
        self.assertEqual(r3.get("offset"), 6, r3)
        p4, r4, d = self.human("--color", "never", "--page", "2", dm.BIG_QUERY)
        self.assertEqual((r4.get("offset"), r4.get("limit", 10)), (10, 10), r4)

    def test_offset(self):
        p, req, resp = self.human("--color", "never", "-n", "4", "--offset", "7", dm.BIG_QUERY)
        self.assertEqual(req.get("offset"), 7, req)
        raw = self.raw_search(dm.BIG_QUERY, limit=4, offset=7)
        self.assertEqual(self.keys(resp["hits"]), self.keys(raw["hits"]))
        self.assertEqual(resp["hits"][0]["rank"], 8)
        p, req, resp = self.human("--color", "never", "--offset", "100000", "trade",
                                  expect_rc=EXIT_NONE)

    def test_source(self):
        p, req, resp = self.human("--color", "never", "-n", "100", "--source", "Bloomberg",
                                  "trade")
        self.assertEqual((req.get("filter") or {}).get("source"), "Bloomberg", req)
        self.assertTrue(resp["hits"])
        self.assertEqual({x["doc"]["source"] for x in resp["hits"]}, {"Bloomberg"})
        self.assertLess(len(resp["hits"]), len(self.raw_search("trade", limit=100)["hits"]))

    def test_from_to(self):
        p, req, resp = self.human("--color", "never", "-n", "100", "--from", "2015", "--to",
                                  "2016-06", "trade")
        f = req.get("filter") or {}
        self.assertEqual((f.get("from"), f.get("to")), ("2015", "2016-06"), req)
        self.assertTrue(resp["hits"])
        for x in resp["hits"]:
            self.assertTrue("2015-01-01" <= x["doc"]["date"] <= "2016-06-31", x["doc"])
        raw = self.raw_search("trade", limit=100, filter={"from": "2015", "to": "2016-06"})
        self.assertEqual(self.keys(resp["hits"]), self.keys(raw["hits"]))
        p, req, resp = self.human("--color", "never", "--from", "2025-11-14", "taiwan")
        self.assertEqual(req["filter"], {"from": "2025-11-14"}, req)

    def test_speaker(self):
        p, req, resp = self.human("--color", "never", "--speaker", "Wang Yi", "red")
        self.assertEqual((req.get("filter") or {}).get("speaker"), "Wang Yi", req)
        self.assertEqual(self.keys(resp["hits"]), [("news/beijing-tokyo.txt", 1)])
        self.assertEqual(len(self.raw_search("red")["hits"]), 2, "red alone finds 2")
        self.assertIn("\u2014 Wang Yi (Foreign Minister)", norm(p.out))
        p, req, resp = self.human("--color", "never", "--speaker=Lin Jian", "taiwan")
        self.assertEqual(self.keys(resp["hits"]), [("news/beijing-tokyo.txt", 2)])

    def test_doc(self):
        fid = "news/soybeans.txt"
        p, req, resp = self.human("--color", "never", "-n", "100", "--doc", fid,
                                  dm.BIG_QUERY)
        self.assertEqual((req.get("filter") or {}).get("doc"), fid, req)
        self.assertTrue(resp["hits"])
        self.assertEqual({x["doc"]["id"] for x in resp["hits"]}, {fid})
        every = self.raw_search(dm.BIG_QUERY, limit=100)["hits"]
        self.assertGreater(len({x["doc"]["id"] for x in every}), 1, "the filter matters")
        self.assertEqual(self.keys(resp["hits"]),
                         [k for k in self.keys(every) if k[0] == fid])

    def test_quotes_only(self):
        p, req, resp = self.human("--color", "never", "--quotes-only", "lifeline")
        self.assertEqual(req["q"], "quote:lifeline", req)
        self.assertEqual(self.keys(resp["hits"]), [("news/soybeans.txt", 1)])
        self.assertEqual(len(self.raw_search("lifeline")["hits"]), 2)
        p, req, resp = self.human("--color", "never", "--quotes-only", "red", "line")
        self.assertEqual(req["q"], "quote:red quote:line", req)
        resp = self.whole_hits(req)
        self.assertTrue(resp["hits"])
        for hit in resp["hits"]:
            tb = hit["passage"]["text"].encode()
            for s, e in hit["matches"]:
                self.assertTrue(any(q["start"] <= s and e <= q["end"] for q in hit["quotes"]),
                                f"match {tb[s:e]!r} outside the quotations of "
                                f"{dm.hit_key(hit)}")
        self.assertNotIn(("news/sanctions-eu.txt", 1), self.keys(resp["hits"]))

    def test_sort(self):
        for opt, rev in (("date", False), ("-date", True)):
            with self.subTest(sort=opt):
                p, req, resp = self.human("--color", "never", "-n", "100", "--width", "200",
                                          f"--sort={opt}", "trade")
                self.assertEqual(req.get("sort"), opt, req)
                dates = [x["doc"]["date"] for x in resp["hits"]]
                self.assertGreater(len(set(dates)), 3)
                self.assertEqual(dates, sorted(dates, reverse=rev))
                shown = re.findall(r"^\d+\. .* \u2014 (\d{4}-\d\d-\d\d) \u2014 ", p.out, re.M)
                self.assertEqual(shown, dates, str(p))
        p, req, resp = self.human("--color", "never", "--sort", "relevance", "trade")
        self.assertIn(req.get("sort", "relevance"), ("relevance",))

    def test_per_doc(self):
        p, req, resp = self.human("--color", "never", "-n", "100", "--per-doc", "1",
                                  dm.BIG_QUERY)
        self.assertEqual(req.get("per_doc"), 1, req)
        ids = [x["doc"]["id"] for x in resp["hits"]]
        self.assertEqual(len(ids), len(set(ids)))
        every = self.raw_search(dm.BIG_QUERY, limit=100)["hits"]
        self.assertGreater(len(every), len(ids))
        self.assertEqual(set(ids), {x["doc"]["id"] for x in every})

    def test_match(self):
        counts = {}
        for m in ("all", "any", "auto"):
            with self.subTest(match=m):
                p, req, resp = self.human("--color", "never", "-n", "100", "--match", m,
                                          "soybeans", "tariffs")
                self.assertEqual(req.get("match", "auto"), m, req)
                raw = self.raw_search("soybeans tariffs", limit=100, match=m)
                self.assertEqual(self.keys(resp["hits"]), self.keys(raw["hits"]))
                counts[m] = len(resp["hits"])
        self.assertLess(counts["all"], counts["any"])

    def test_display_options_keep_the_search(self):
        """--full, --width, --timeout and --color change what is shown, not
        what is searched (the snippet's length may follow the width)."""
        keys = ("op", "q", "limit", "offset", "filter", "sort", "match", "per_doc", "quotes")

        def search_of(*args):
            p = self.run_client(*args, "soybeans")
            self.assertEqual(p.rc, EXIT_OK, str(p))
            req = self.exchange(p)[0]
            return {k: req.get(k) for k in keys}

        base = search_of("--color", "never")
        for opts in (["--width", "33"], ["--timeout", "7"], ["--full"], ["--color", "always"],
                     ["--width", "200", "--full", "--timeout", "3"]):
            with self.subTest(opts=opts):
                self.assertEqual(search_of(*opts), base)

    def test_options_after_the_query(self):
        """Options anywhere on the line, as GNU programs take them: after
        the query words and between them they are options, not words."""
        keys = ("op", "q", "limit", "offset", "filter", "sort", "match", "per_doc")
        p1 = self.run_client("--color", "never", "-n", "2", "--from", "2014", "--to", "2025",
                             "--source", "Reuters", "--sort", "date", "trade", "harbour")
        r1 = self.search(p1)[0]
        p2 = self.run_client("trade", "--from", "2014", "harbour", "-n", "2", "--source",
                             "Reuters", "--to", "2025", "--sort", "date", "--color", "never")
        r2 = self.search(p2)[0]
        self.assertEqual({k: r2.get(k) for k in keys}, {k: r1.get(k) for k in keys})
        self.assertEqual(r2["q"], "trade harbour")
        p = self.run_client("soybeans", "--color", "always")
        self.search(p)
        self.assertIn("\x1b[1;31m", p.out, f"--color after the query is an option\n{p}")
        p = self.run_client("soybeans", "--json")
        self.search(p)
        self.assertIs(json.loads(p.out)["ok"], True, str(p))

    def test_double_dash_ends_the_options(self):
        for args, q, limit in ((["--", "-tariff", "soybeans"], "-tariff soybeans", None),
                               (["-n", "1", "soybeans", "--", "-tariff"], "soybeans -tariff",
                                1),
                               (["soybeans", "--", "--limit", "3"], "soybeans --limit 3",
                                None),
                               (["--", "get", "soybeans"], None, None)):
            with self.subTest(args=args):
                p = self.run_client("--color", "never", *args)
                ex = self.exchanges()
                self.assertEqual(len(ex), 1, str(p))
                req = ex[0][0]
                if q is None:   # a sub-command is still the first word
                    self.assertEqual(req.get("op"), "get", req)
                    continue
                self.assertEqual((req.get("op"), req.get("q")), ("search", q), req)
                if limit is not None:
                    self.assertEqual(req.get("limit"), limit, req)
                self.assertIn(p.rc, (EXIT_OK, EXIT_NONE), str(p))

    def test_dash_word_without_double_dash(self):
        """A word starting with "-" is an option; an unknown one says how
        to search for it."""
        p = self.run_client("soybeans", "-tariff")
        self.assertEqual(p.rc, EXIT_ERR, str(p))
        self.assertEqual(p.raw, b"", str(p))
        self.assertIn("attache -- -WORD", p.err, str(p))
        p = self.run_client("soybeans", "--limit")
        self.assertEqual(p.rc, EXIT_ERR, str(p))
        self.assertNotIn("-WORD", p.err, f"a missing value is not an unknown option\n{p}")
        self.assertEqual(self.exchanges(), [], "nothing was sent")

    def test_subcommands_with_options_around_them(self):
        fid = "news/beijing-tokyo.txt"
        for args in (["get", fid, "--json"], ["--json", "get", fid], ["get", "--json", fid]):
            with self.subTest(args=args):
                p = self.run_client(*args)
                self.assertEqual(p.rc, EXIT_OK, str(p))
                req, line, resp = self.exchange(p)
                self.assertEqual((req.get("op"), req.get("doc")), ("get", fid), req)
                self.assertEqual(p.raw, line + b"\n", "--json: the response line")
        for cmd in ("stats", "ping"):
            for args in ([cmd, "--json"], ["--json", cmd]):
                with self.subTest(args=args):
                    p = self.run_client(*args)
                    self.assertEqual(p.rc, EXIT_OK, str(p))
                    req, line, resp = self.exchange(p)
                    self.assertEqual(req.get("op"), cmd, req)
                    self.assertEqual(p.raw, line + b"\n", "--json: the response line")
        p = self.run_client("raw", "--timeout", "5", stdin=b'{"id":1,"op":"ping"}\n')
        self.assertEqual(p.rc, EXIT_OK, str(p))
        self.assertIs(json.loads(p.out)["pong"], True, str(p))
        p = self.run_client("ping", "--connect", f"{self.d.host}:{self.d.port}", addr=None)
        self.assertRegex(p.out, PONG, "an address after the sub-command")

    def test_options_combined(self):
        p, req, resp = self.human("--color", "never", "-n", "2", "--page", "2", "--source",
                                  "Reuters", "--from", "2014", "--to", "2025", "--sort",
                                  "date", "--per-doc", "1", "--match", "any", "trade",
                                  "harbour")
        f = req.get("filter") or {}
        self.assertEqual((req.get("limit"), req.get("offset"), f.get("source"), f.get("from"),
                          f.get("to"), req.get("sort"), req.get("per_doc"), req.get("match"),
                          req.get("q")),
                         (2, 2, "Reuters", "2014", "2025", "date", 1, "any", "trade harbour"))
        raw = self.raw_search("trade harbour", limit=2, offset=2, sort="date", per_doc=1,
                              match="any",
                              filter={"source": "Reuters", "from": "2014", "to": "2025"})
        self.assertEqual(self.keys(resp["hits"]), self.keys(raw["hits"]))
        self.assertTrue(resp["hits"])


# ---------------------------------------------------------------------------
# Exit statuses and usage


class ExitStatusTest(ClientCase):
    def test_hits_and_no_hits(self):
        p = self.run_client("--color", "never", "soybeans")
        self.assertEqual(p.rc, EXIT_OK, str(p))
        p = self.run_client("--color", "never", "zyzzyva")
        self.assertEqual(p.rc, EXIT_NONE, str(p))
        p = self.run_client("--json", "zyzzyva")
        self.assertEqual(p.rc, EXIT_NONE, str(p))
        self.assertEqual(json.loads(p.out)["hits"], [])

    def test_usage_errors(self):
        cases = (["--bogus", "trade"], ["-Z", "trade"], ["--limit", "0", "trade"],
                 ["--limit", "abc", "trade"], ["-n", "-3", "trade"],
                 ["--limit", "1001", "trade"], ["--page", "0", "trade"],
                 ["--page", "x", "trade"], ["--offset", "-1", "trade"],
                 ["--sort", "sideways", "trade"], ["--color", "sometimes", "trade"],
                 ["--match", "most", "trade"], ["--width", "abc", "trade"],
                 ["--timeout", "abc", "trade"], ["--per-doc", "x", "trade"], ["--limit"],
                 ["get"])
        for args in cases:
            with self.subTest(args=args):
                p = self.run_client(*args)
                self.assertEqual(p.rc, EXIT_ERR, str(p))
                self.assertEqual(p.raw, b"", f"nothing on stdout\n{p}")
                self.assertTrue(p.err.strip(), f"a message on stderr\n{p}")
                self.assertNotIn("Traceback", p.err)

    def test_bad_value_names_the_option(self):
        """A bad number or word names the option and the accepted range."""
        for args, want in (
                (["-n", "0"], "attache: -n/--limit: '0' is not a whole number from 1 to 1000"),
                (["--limit", "2.5"], "-n/--limit: '2.5' is not a whole number from 1 to 1000"),
                (["--page", "0"], "--page: '0' is not a whole number from 1 to 100000"),
                (["--offset", "-1"], "--offset: '-1' is not a whole number from 0 to 100000"),
                (["--per-doc", "1e3"], "--per-doc: '1e3' is not a whole number from 0 to 1000"),
                (["--width", " 80"], "--width: ' 80' is not a whole number from 10 to 10000"),
                (["--timeout", "0"], "--timeout: '0' is not a number from 0.001 to 86400"),
                (["--sort", "up"], "--sort: 'up' is not one of relevance, date, -date")):
            with self.subTest(args=args):
                p = self.run_client(*args, "trade")
                self.assertEqual(p.rc, EXIT_ERR, str(p))
                self.assertIn(want, p.err, str(p))
                self.assertEqual(p.raw, b"", str(p))
        self.assertEqual(self.exchanges(), [], "nothing was sent")

    def test_usage_error_before_connecting(self):
        """Bad options are reported as such, not as a connection problem."""
        dead = os.path.join(self.tmp, "nobody-here.sock")
        for args in (["--bogus", "trade"], ["--sort", "sideways", "trade"],
                     ["--color", "sometimes", "trade"], ["--match", "most", "trade"],
                     ["--limit", "abc", "trade"]):
            with self.subTest(args=args):
                p = run_client(["--socket", dead] + args)
                self.assertEqual(p.rc, EXIT_ERR, str(p))
                self.assertTrue(any(a.strip("-") in p.err for a in args[:-1]),
                                f"names the option or its value\n{p}")
                self.assertNotIn("nobody-here", p.err, f"a usage error, not a connect error\n{p}")

    def test_help_and_version(self):
        for opt in ("-h", "--help"):
            p = run_client([opt])
            self.assertEqual(p.rc, EXIT_OK, str(p))
            self.assertIn("attache", p.out)
            for o in ("--limit", "--json", "--color", "--socket", "--connect"):
                self.assertIn(o, p.out, f"{opt} lists {o}")
            self.assertRegex(p.out, r"(?m)^\s+--\s+ends the options \(which may also follow",
                             "-- explained")
        version = dm.run_daemon(["--version"]).stdout.split()[-1]
        for opt in ("-V", "--version"):
            p = run_client([opt])
            self.assertEqual(p.rc, EXIT_OK, str(p))
            self.assertIn(version, p.out, str(p))

    def test_server_error(self):
        raw = self.c.request({"op": "search", "q": "trade AND"})
        self.assertEqual(dm.error_code(raw), "query_syntax")
        for q in ("trade AND", "OR trade"):
            with self.subTest(q=q):
                p = self.run_client("--color", "never", q)
                self.assertEqual(p.rc, EXIT_ERR, str(p))
                req, line, resp = self.exchange(p)
                self.assertEqual(dm.error_code(resp), "query_syntax")
                self.assertEqual(p.raw, b"", f"nothing on stdout\n{p}")
                self.assertTrue(resp["error"]["message"] in p.err
                                or "query_syntax" in p.err, f"says why\n{p}")
                self.assertNotIn("Traceback", p.err)

    def test_server_error_codes(self):
        for code in ("unavailable", "internal", "timeout", "overloaded"):
            with self.subTest(code=code):
                srv = FakeServer(self.tmp, answer_error(code, f"the {code} message"))
                self.addCleanup(srv.stop)
                p = run_client(srv.args + ["--color", "never", "trade"])
                self.assertEqual(p.rc, EXIT_ERR, str(p))
                self.assertIn(f"the {code} message", p.err, str(p))
                self.assertEqual(p.raw, b"")


# ---------------------------------------------------------------------------
# Addresses


class AddressTest(ClientCase):
    ipv6 = True

    def ping_via(self, args, env=None, via="unix"):
        p = run_client(args + ["ping"], env=env)
        self.assertEqual(p.rc, EXIT_OK, str(p))
        self.assertRegex(p.out, PONG)
        recs = self.proxy.take()
        self.assertEqual([r["via"] for r in recs], [via],
                         f"the request went through the proxy's {via} side")
        return p

    def test_socket_option(self):
        self.ping_via(["--socket", self.proxy.path])
        self.ping_via(["-s", self.proxy.path])
        self.ping_via([f"--socket={self.proxy.path}"])

    def test_connect_option(self):
        self.ping_via(["--connect", self.proxy.addr], via="tcp")
        self.ping_via(["-C", self.proxy.addr], via="tcp")

    def test_attache_addr(self):
        self.ping_via([], env={"ATTACHE_ADDR": f"unix:{self.proxy.path}"})
        self.ping_via([], env={"ATTACHE_ADDR": self.proxy.addr}, via="tcp")
        p = run_client(["--color", "never", "soybeans"],
                       env={"ATTACHE_ADDR": f"unix:{self.proxy.path}"})
        req, resp = self.search(p)
        self.check_human(p, req, resp)

    def test_options_win_over_attache_addr(self):
        dead = f"unix:{os.path.join(self.tmp, 'dead.sock')}"
        self.ping_via(["--socket", self.proxy.path], env={"ATTACHE_ADDR": dead})
        self.ping_via(["--connect", self.proxy.addr], env={"ATTACHE_ADDR": dead}, via="tcp")

    def test_localhost_name(self):
        self.ping_via(["--connect", f"localhost:{self.proxy.port}"], via="tcp")

    def test_ipv6(self):
        if self.port6 is None:
            self.skipTest("no IPv6 loopback")
        for args, env in ((["--connect", f"[::1]:{self.port6}"], None),
                          ([], {"ATTACHE_ADDR": f"[::1]:{self.port6}"})):
            with self.subTest(args=args, env=env):
                p = run_client(args + ["--json", "soybeans"], env=env)
                self.assertEqual(p.rc, EXIT_OK, str(p))
                self.assertTrue(json.loads(p.out)["hits"])

    def test_default_address(self):
        try:
            with socket.create_connection(("127.0.0.1", 7311), timeout=2):
                self.skipTest("something listens on 127.0.0.1:7311")
        except OSError:
            pass
        p = run_client(["ping"])
        self.assert_failed(p, "127.0.0.1:7311", "attached")

    def test_bad_attache_addr(self):
        for addr in ("nonsense", "unix:", "127.0.0.1:notaport", "127.0.0.1:99999"):
            with self.subTest(addr=addr):
                p = run_client(["ping"], env={"ATTACHE_ADDR": addr})
                self.assertEqual(p.rc, EXIT_ERR, str(p))
                self.assertEqual(len(p.err.splitlines()), 1, str(p))


# ---------------------------------------------------------------------------
# Sub-commands


class SubcommandTest(ClientCase):
    def check_get(self, p, fid, want):
        """p printed document fid's header once (title, date, source; id;
        URL), then one "#N TEXT" block per passage of want (the protocol's
        0-based numbers), in order, each after a blank line."""
        title, date, source, url, paras = dm.NEWS[fid]
        self.assertEqual(p.rc, EXIT_OK, str(p))
        resp = self.exchange(p)[2]
        self.assertEqual([x["n"] for x in resp["passages"]], want, resp)
        blocks = [b.split("\n") for b in p.out.rstrip("\n").split("\n\n")]
        self.assertEqual(blocks[0], [f"{title} \u2014 {date} \u2014 {source}", f"   {fid}",
                                     f"   {url}"], f"the header once\n{p}")
        self.assertEqual(p.out.count(title), 1, f"the title once\n{p}")
        self.assertEqual(len(blocks) - 1, len(want), f"one block per passage\n{p}")
        for block, x in zip(blocks[1:], resp["passages"]):
            self.assertTrue(block[0].startswith(f"#{x['n']} "), f"#{x['n']} first\n{p}")
            self.assertTrue(all(ln.startswith("   ") for ln in block[1:]), str(p))
            body = norm(" ".join(block))[len(f"#{x['n']} "):]
            self.assertTrue(body.startswith(norm(x["text"])), f"passage {x['n']}\n{p}")
        self.assertNotRegex(p.out, r"(?m)^\d+\.", f"no 1-based 'N.' numbers\n{p}")

    def test_get_header_once_passages_numbered(self):
        fid = "news/beijing-tokyo.txt"
        n = len(dm.NEWS[fid][4])
        p = self.run_client("--color", "never", "--width", "200", "get", fid)
        self.check_get(p, fid, list(range(n)))
        for k in (0, n - 1):
            with self.subTest(passage=k):
                p = self.run_client("--color", "never", "--width", "200", "get", f"{fid}#{k}")
                self.check_get(p, fid, [k])

    def test_get_colour(self):
        fid = "news/beijing-tokyo.txt"
        p = self.run_client("--color", "always", "get", f"{fid}#1")
        self.assertEqual(p.rc, EXIT_OK, str(p))
        self.exchange(p)
        plain, attrs, end = styled(p.out)
        i = plain.find(f"{fid}\n")
        self.assertTrue(i >= 0 and all(2 in a for a in attrs[i:i + len(fid)]), "id dim")
        i = plain.find("\n#1 ")
        self.assertTrue(i >= 0 and all(1 in a for a in attrs[i + 1:i + 3]), "#1 bold")
        self.assertNotIn(1, attrs[i + 4], "the text after the number is not bold")
        self.assertEqual(end, frozenset())

    def test_get(self):
        fid = "news/beijing-tokyo.txt"
        title, date, source, url, paras = dm.NEWS[fid]
        p = self.run_client("--color", "never", "get", fid)
        self.assertEqual(p.rc, EXIT_OK, str(p))
        req, line, resp = self.exchange(p)
        self.assertEqual((req.get("op"), req.get("doc"), req.get("passage")), ("get", fid, None))
        text = norm(p.out)
        self.assertIn(title, text)
        at = [text.find(norm(x)) for x in paras]
        self.assertTrue(all(i >= 0 for i in at), f"every passage shown\n{p}")
        self.assertEqual(at, sorted(at), "in order")
        self.assertNotIn("\x1b", p.out)

    def test_get_passage(self):
        fid = "news/beijing-tokyo.txt"
        paras = dm.NEWS[fid][4]
        for spec, n in ((f"{fid}#2", 2), (f"{fid}#0", 0)):
            with self.subTest(spec=spec):
                p = self.run_client("--color", "never", "get", spec)
                self.assertEqual(p.rc, EXIT_OK, str(p))
                req, line, resp = self.exchange(p)
                self.assertEqual((req.get("doc"), req.get("passage")), (fid, n), req)
                text = norm(p.out)
                self.assertIn(norm(paras[n]), text)
                for i, other in enumerate(paras):
                    if i != n:
                        self.assertNotIn(norm(other), text, f"passage {i} shown too\n{p}")

    def test_get_unicode(self):
        p = self.run_client("--color", "never", "--width", "20", "get", UNICODE_ID)
        self.assertEqual(p.rc, EXIT_OK, str(p))
        self.assertIn(CJK_LONG, p.out)
        self.assertIn(norm(EXTRA_DOCS[UNICODE_ID].split("\n\n")[1]), norm(p.out))

    def test_get_not_found(self):
        for spec in ("missing/nothing.txt", "news/soybeans.txt#99"):
            with self.subTest(spec=spec):
                p = self.run_client("--color", "never", "get", spec)
                self.assertEqual(p.rc, EXIT_NONE, str(p))
                req, line, resp = self.exchange(p)
                self.assertEqual(dm.error_code(resp), "not_found")
                self.assertNotIn("Traceback", p.err)

    def test_stats(self):
        raw = self.raw({"op": "stats"})
        p = self.run_client("stats")
        self.assertEqual(p.rc, EXIT_OK, str(p))
        head, sep, table = p.out.partition("\nshards:\n")
        for ln in head.splitlines():
            if ln.strip():
                self.assertRegex(ln, r"^\s*[\w.\- ]+:( .*)?$", "key: value lines")
        # Then the shard table docs/SCALING.md tells operators to watch:
        # a header, and one row per database with its state.
        self.assertTrue(sep, f"no shard table\n{p}")
        rows = [ln.split() for ln in table.splitlines() if ln.strip()]
        self.assertEqual(rows[0], ["db", "state", "revision", "passages"])
        self.assertEqual(len(rows) - 1, len(raw["shards"]), str(p))
        for row, sh in zip(rows[1:], raw["shards"]):
            self.assertEqual(row[:4], [sh["db"], sh["state"], str(sh["revision"]),
                                       str(sh["passages"])], str(p))
        for k in ("documents", "passages", "revision"):
            self.assertRegex(p.out, rf"(?m)^\s*{k}: {raw[k]}$", str(p))
        self.assertRegex(p.out, rf"(?m)^\s*version: {re.escape(raw['version'])}$")

    def test_ping(self):
        raw = self.raw({"op": "ping"})
        for addr in ("proxy", "tcp"):
            p = self.run_client("ping", addr=addr)
            self.assertEqual(p.rc, EXIT_OK, str(p))
            m = PONG.match(p.out)
            self.assertTrue(m, f"'pong (revision N, X ms)'\n{p}")
            self.assertEqual(int(m.group(1)), raw["revision"])

    def test_raw_three(self):
        reqs = [{"id": 1, "op": "ping"},
                {"id": "two", "op": "search", "q": "soybeans", "limit": 2},
                {"id": 3, "op": "stats"}]
        data = b"".join(json.dumps(r).encode() + b"\n" for r in reqs)
        p = self.run_client("raw", stdin=data)
        self.assertEqual(p.rc, EXIT_OK, str(p))
        lines = p.out.split("\n")
        self.assertEqual(lines[-1], "", "ends with a newline")
        got = [json.loads(x) for x in lines[:-1]]
        self.assertEqual([r["id"] for r in got], [1, "two", 3], str(p))
        self.assertTrue(all(r["ok"] for r in got))
        self.assertIs(got[0]["pong"], True)
        self.assertEqual(len(got[1]["hits"]), 2)
        self.assertIn("documents", got[2])
        relayed = [line for _, line in self.exchanges()]
        self.assertEqual([x.encode() for x in lines[:-1]], relayed, "lines as received")

    def test_raw_error_status(self):
        reqs = [{"id": 1, "op": "ping"}, {"id": 2, "op": "nope"}, {"id": 3, "op": "ping"}]
        data = b"".join(json.dumps(r).encode() + b"\n" for r in reqs)
        p = self.run_client("raw", stdin=data)
        self.assertEqual(p.rc, EXIT_ERR, str(p))
        got = [json.loads(x) for x in p.out.splitlines()]
        self.assertEqual([(r["id"], r["ok"]) for r in got], [(1, True), (2, False), (3, True)])

    def test_raw_error_with_a_tricky_id(self):
        """The exit status follows each response's ok, whatever its id holds."""
        reqs = [{"id": {"ok": True}, "op": "nope"}, {"id": '"ok":true', "op": "nope"}]
        for req in reqs:
            with self.subTest(req=req):
                p = self.run_client("raw", stdin=json.dumps(req).encode() + b"\n")
                got = [json.loads(x) for x in p.out.splitlines()]
                self.assertEqual([(r["id"], r["ok"]) for r in got], [(req["id"], False)])
                self.assertEqual(p.rc, EXIT_ERR, f"a response with ok:false\n{p}")

    def test_raw_empty(self):
        p = self.run_client("raw", stdin=b"")
        self.assertEqual((p.rc, p.raw), (EXIT_OK, b""), str(p))

    def test_raw_many_pipelined(self):
        """More response bytes than the daemon queues for a client that does
        not read (--max-output, 4 MiB): the client must read while it writes."""
        n = 300
        pad = "p" * 2000    # 600 KB of requests: more than the socket buffers hold
        data = b"".join(json.dumps({"id": [i, pad], "op": "search", "q": dm.BIG_QUERY,
                                    "limit": 100}).encode() + b"\n" for i in range(n))
        p = self.run_client("raw", stdin=data, timeout=120)
        self.assertEqual(p.rc, EXIT_OK, str(p)[:3000])
        lines = p.raw.split(b"\n")
        self.assertEqual(len(lines), n + 1)
        self.assertEqual([json.loads(x)["id"] for x in lines[:-1]],
                         [[i, pad] for i in range(n)])
        self.assertGreater(len(p.raw), 4 << 20, "the test needs > 4 MiB of responses")


# ---------------------------------------------------------------------------
# The real corpus's seed article


class SeedTest(ClientCase):
    @classmethod
    def setUpClass(cls):
        skip_without_programs()
        cls.tmp, cls.db = dm.seed_index(cls)
        cls.d = dm.start_daemon(cls, cls.db, tmp=cls.tmp)
        cls.proxy = Proxy(cls.tmp, cls.d.sock_path)
        cls.addClassCleanup(cls.proxy.stop)

    def test_speaker_wang_yi(self):
        every = self.raw_search("japan", limit=100)["hits"]
        self.assertTrue(any("Wang Yi" not in [q["speaker"] for q in x["quotes"]]
                            for x in every), "japan alone finds other passages")
        p, req, resp = self.human("--color", "never", "--speaker", "Wang Yi", "japan")
        self.assertTrue(resp["hits"])
        for hit in resp["hits"]:
            self.assertIn("Wang Yi", [q["speaker"] for q in hit["quotes"]])
        self.assertIn("\u201ccrossed a red line that should not have been touched\u201d "
                      "\u2014 Wang Yi (Foreign Minister)", norm(without_markers(p.out)))

    def test_speaker_lin_jian_and_quotes_only(self):
        p, req, resp = self.human("--color", "never", "--speaker", "lin jian", "taiwan")
        resp = self.whole_hits(req)
        self.assertTrue(resp["hits"])
        for hit in resp["hits"]:
            self.assertIn("grossly violated", hit["passage"]["text"])
        p, req, resp = self.human("--color", "never", "--quotes-only", "deplores")
        self.assertEqual(len(resp["hits"]), 1)
        self.assertIn("China deplores and opposes that.", norm(without_markers(p.out)))

    def test_get_seed(self):
        p = self.run_client("--color", "never", "get", "seed/trump-xi-call.txt")
        self.assertEqual(p.rc, EXIT_OK, str(p))
        for phrase in ("12 million metric tons", "grossly violated",
                       "interest in Ukraine peace talks."):
            self.assertIn(phrase, norm(p.out))


# ---------------------------------------------------------------------------
# A daemon that is down, dies, babbles or keeps silent


class FailureTest(unittest.TestCase):
    def setUp(self):
        require_client(self)
        self.tmp = h.tmp_for(self)

    assert_failed = ClientCase.assert_failed

    def fake(self, behaviour, tcp=False):
        srv = FakeServer(self.tmp, behaviour, tcp)
        self.addCleanup(srv.stop)
        return srv

    def test_daemon_down_unix(self):
        path = os.path.join(self.tmp, "down.sock")
        for args, env in ((["--socket", path], None), ([], {"ATTACHE_ADDR": f"unix:{path}"})):
            for cmd in (["--color", "never", "trade"], ["ping"], ["--json", "trade"]):
                with self.subTest(args=args, cmd=cmd):
                    p = run_client(args + cmd, env=env)
                    self.assert_failed(p, path, "attached")

    def test_daemon_down_stale_socket(self):
        path = os.path.join(self.tmp, "stale.sock")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        s.close()   # the file stays, nobody listens: connection refused
        p = run_client(["--socket", path, "trade"])
        self.assert_failed(p, path, "attached")

    def test_daemon_down_tcp(self):
        port = dm.free_port()
        for args, env in ((["--connect", f"127.0.0.1:{port}"], None),
                          ([], {"ATTACHE_ADDR": f"127.0.0.1:{port}"})):
            with self.subTest(args=args):
                p = run_client(args + ["trade"], env=env)
                self.assert_failed(p, f"127.0.0.1:{port}", "attached")

    def test_socket_is_not_a_socket(self):
        path = h.write(os.path.join(self.tmp, "plain-file"), "x")
        p = run_client(["--socket", path, "trade"])
        self.assert_failed(p, path)

    def test_dies_mid_response(self):
        for tcp in (False, True):
            for cmd in (["--color", "never", "trade"], ["--json", "trade"], ["ping"],
                        ["stats"], ["get", "a.txt"]):
                with self.subTest(tcp=tcp, cmd=cmd):
                    srv = self.fake(answer_half, tcp)
                    p = run_client(srv.args + cmd)
                    msg = self.assert_failed(p)
                    self.assertEqual(len(srv.requests), 1, "the request was sent")
                    self.assertNotIn("Traceback", p.err)
                    self.assertNotRegex(msg, r"(?i)refused|is attached running",
                                        "the connection worked; it dropped")

    def test_reset_mid_response(self):
        srv = self.fake(answer_half_then_reset, tcp=True)
        p = run_client(srv.args + ["--color", "never", "trade"])
        self.assert_failed(p)

    def test_closed_at_once(self):
        for cmd in (["trade"], ["ping"]):
            with self.subTest(cmd=cmd):
                srv = self.fake(close_at_once)
                p = run_client(srv.args + cmd)
                self.assertGreaterEqual(p.rc, 0, f"killed by signal {-p.rc} (SIGPIPE?)\n{p}")
                self.assert_failed(p)

    def test_garbage_answer(self):
        srv = self.fake(answer_garbage)
        t0 = time.monotonic()
        p = run_client(srv.args + ["--timeout", "5", "--color", "never", "trade"])
        self.assert_failed(p)
        self.assertLess(time.monotonic() - t0, 4, "a bad line is an error at once")

    def test_never_answers(self):
        srv = self.fake(answer_nothing)
        for cmd in (["trade"], ["ping"], ["--json", "trade"]):
            with self.subTest(cmd=cmd):
                p = run_client(srv.args + ["--timeout", "1"] + cmd, timeout=30)
                self.assertLess(p.secs, 4, f"--timeout 1 took {p.secs:.1f} s\n{p}")
                msg = self.assert_failed(p)
                self.assertRegex(msg, r"(?i)tim(e|ed)[ -]?out|time limit", "says it timed out")

    def test_trickling_answer(self):
        """--timeout covers the whole request, not each read."""
        srv = self.fake(answer_trickle)
        p = run_client(srv.args + ["--timeout", "1", "ping"], timeout=60)
        self.assertLess(p.secs, 4, f"--timeout 1 took {p.secs:.1f} s\n{p}")
        self.assert_failed(p)

    def test_default_timeout(self):
        srv = self.fake(answer_nothing)
        p = run_client(srv.args + ["ping"], timeout=60)
        self.assert_failed(p)
        self.assertTrue(8 <= p.secs <= 15, f"the default time-out is 10 s: took {p.secs:.1f} s")


# ---------------------------------------------------------------------------
# Responses as docs/PROTOCOL.md allows them, from a fake daemon


def protocol_hit(rank, doc, n=0, text="The arms sale went ahead.", quotes=()):
    return {"rank": rank, "score": 1.5, "doc": doc,
            "passage": {"n": n, "start": 0, "end": len(text.encode()), "text": text},
            "snippet": text.replace("arms", "<b>arms</b>"),
            "matches": [[4, 8]], "quotes": list(quotes)}


class FakeDaemonTest(unittest.TestCase):
    def setUp(self):
        require_client(self)
        self.tmp = h.tmp_for(self)

    def fake(self, behaviour):
        srv = FakeServer(self.tmp, behaviour)
        self.addCleanup(srv.stop)
        return srv

    def test_ping_as_documented(self):
        """PROTOCOL.md's ping response has no took_us."""
        srv = self.fake(answer_with(lambda r: {"id": r.get("id"), "ok": True, "pong": True,
                                               "revision": 12}))
        p = run_client(srv.args + ["ping"])
        self.assertGreaterEqual(p.rc, 0, f"killed by signal {-p.rc}\n{p}")
        self.assertEqual(p.rc, EXIT_OK, str(p))
        m = PONG.match(p.out)
        self.assertTrue(m, f"'pong (revision N, X ms)'\n{p}")
        self.assertEqual(m.group(1), "12")

    def test_search_as_documented(self):
        """The example response of PROTOCOL.md, and documents that lack a
        title, a date or a source: each missing part is left out with its
        separator."""
        full = {"id": "seed/trump-xi-call.txt", "title": "Call", "date": "2025-11-24",
                "source": "Reuters", "url": "https://example.com/x"}
        hits = [protocol_hit(1, full, 2, quotes=[{"text": "grossly violated",
                                                  "speaker": "Lin Jian", "role": "spokesperson",
                                                  "start": 0, "end": 3, "matches": []}]),
                protocol_hit(2, {k: v for k, v in full.items() if k != "title"}),
                protocol_hit(3, {k: v for k, v in full.items() if k != "date"}),
                protocol_hit(4, {k: v for k, v in full.items() if k != "source"})]
        resp = {"ok": True, "took_us": 640, "revision": 12,
                "total": {"estimate": 30, "lower": 3, "upper": 40}, "hits": hits}
        def answer(r):  # markers as asked for, as the daemon does
            hl = r.get("highlight", {})
            pre, post = hl.get("pre", "<b>"), hl.get("post", "</b>")
            marked = [dict(x, snippet=x["snippet"].replace("<b>", pre).replace("</b>", post))
                      for x in hits]
            return dict(resp, id=r.get("id"), hits=marked)

        srv = self.fake(answer_with(answer))
        p = run_client(srv.args + ["--color", "never", "arms"])
        self.assertEqual(p.rc, EXIT_OK, str(p))
        heads = [ln for ln in p.out.split("\n") if HEADER.match(ln)]
        self.assertEqual(heads, ["1. Call \u2014 2025-11-24 \u2014 Reuters",
                                 "2. 2025-11-24 \u2014 Reuters",
                                 "3. Call \u2014 Reuters",
                                 "4. Call \u2014 2025-11-24"], str(p))
        self.assertIn("\u201cgrossly violated\u201d \u2014 Lin Jian (spokesperson)", p.out)
        self.assertIn(f"The {PRE}arms{POST} sale went ahead.", p.out)
        self.assertTrue(p.out.endswith("\n4 of about 30 results, 0.6 ms\n"), str(p))

    def test_raw_is_pipelined(self):
        """raw sends the requests without waiting for each response."""
        srv = self.fake(answer_once_all_arrived(3))
        data = b"".join(json.dumps({"id": i, "op": "ping"}).encode() + b"\n"
                        for i in range(3))
        p = run_client(srv.args + ["raw"], stdin=data)
        self.assertEqual([json.loads(x)["id"] for x in p.out.splitlines()], [0, 1, 2], str(p))
        self.assertEqual(p.rc, EXIT_OK, str(p))
        self.assertEqual(srv.seen_before_answer, 3,
                         "requests the daemon had received before its first answer: raw "
                         "waited for each response before sending the next request")

    def test_raw_status_reads_the_json(self):
        """ok:true is a JSON value, whatever the spacing of the line."""
        for line, rc in ((b'{"id": 1, "ok": true, "pong": true}\n', EXIT_OK),
                         (b'{"id":{"ok":true},"ok":false,"error":{"code":"internal",'
                          b'"message":"x"}}\n', EXIT_ERR)):
            with self.subTest(line=line):
                srv = self.fake(answer_with(lambda r, line=line: line))
                p = run_client(srv.args + ["raw"], stdin=b'{"id":1,"op":"ping"}\n')
                self.assertEqual(p.raw, line, str(p))
                self.assertEqual(p.rc, rc, str(p))

    def test_closed_while_sending(self):
        """The daemon goes away while a long request is being sent: EPIPE,
        not a death by SIGPIPE."""
        srv = self.fake(close_unread_later)
        words = ["w" * 100000] * 8     # 800 KB: more than a socket buffer holds
        p = run_client(srv.args + ["--color", "never"] + words)
        self.assertGreaterEqual(p.rc, 0, f"killed by signal {-p.rc} (SIGPIPE)\n"
                                f"{p.err[-500:]}")
        self.assertEqual(p.rc, EXIT_ERR)
        self.assertEqual(len(p.err.splitlines()), 1, p.err[-500:])

    def test_raw_daemon_gone(self):
        """raw: the daemon answers one request and closes; the rest cannot
        be sent."""
        srv = self.fake(answer_then_close)
        data = b"".join(json.dumps({"id": i, "op": "ping"}).encode() + b"\n"
                        for i in range(3))
        p = run_client(srv.args + ["raw"], stdin=data)
        self.assertGreaterEqual(p.rc, 0, f"killed by signal {-p.rc} (SIGPIPE?)\n{p}")
        self.assertEqual(p.rc, EXIT_ERR, str(p))
        self.assertEqual(len(p.err.splitlines()), 1, str(p))
        self.assertLessEqual(len(p.out.splitlines()), 1, str(p))


# ---------------------------------------------------------------------------
# Bash completion and the man page

COMPLETION = os.path.join(h.REPO, "contrib", "attache.bash-completion")
MANPAGE = os.path.join(h.REPO, "docs", "man", "attache.1")


def help_options(prog):
    """The long options a program's --help lists (None when not built)."""
    if not os.path.exists(h.bin_path(prog)):
        return None
    p = subprocess.run([h.bin_path(prog), "--help"], capture_output=True, text=True,
                       timeout=30, stdin=subprocess.DEVNULL)
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", p.stdout + p.stderr))


class CompletionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.bash = shutil.which("bash")
        if cls.bash is None:
            raise unittest.SkipTest("bash not installed")

    def complete(self, line, cwd=None):
        """COMPREPLY for the command line (the cursor at its end; a trailing
        space starts a new empty word)."""
        words = line.split()
        if line.endswith(" "):
            words.append("")
        script = (
            'source "$1" || exit 9\n'
            'spec=$(complete -p "$2" 2>/dev/null) || exit 8\n'
            'func=$(sed -n "s/.*-F \\([^ ]*\\).*/\\1/p" <<<"$spec")\n'
            '[ -n "$func" ] || exit 7\n'
            'shift 2\n'
            'COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))\n'
            'COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}\n'
            'prev=""; [ $COMP_CWORD -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD-1]}\n'
            '"$func" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "$prev" 2>/dev/null\n'
            'printf "%s\\n" "${COMPREPLY[@]}"\n')
        p = subprocess.run([self.bash, "--norc", "--noprofile", "-c", script, "bash",
                            COMPLETION, words[0]] + words, capture_output=True, text=True,
                           timeout=30, cwd=cwd, stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 0, f"{line!r}: exit {p.returncode} "
                         f"(9: cannot source, 8: no completion for {words[0]}) {p.stderr}")
        return {x for x in p.stdout.split("\n") if x}

    def test_registered(self):
        for prog in ("attache", "attache-index", "attached"):
            with self.subTest(prog=prog):
                self.complete(f"{prog} ")

    def test_attache_options(self):
        self.assertEqual(self.complete("attache --so"), {"--socket", "--sort", "--source"})
        self.assertEqual(self.complete("attache --sort "), {"relevance", "date", "-date"})
        self.assertEqual(self.complete("attache --sort d"), {"date"})
        self.assertEqual(self.complete("attache --color "), {"auto", "always", "never"})
        self.assertEqual(self.complete("attache --match a"), {"auto", "all", "any"})
        self.assertEqual(self.complete("attache -n 5 --qu"), {"--quotes-only"})
        self.assertEqual(self.complete("attache --p"), {"--page", "--per-doc"})
        self.assertTrue({"get", "stats", "ping", "raw"} <= self.complete("attache "))
        self.assertEqual(self.complete("attache --json st"), {"stats"})
        self.assertEqual(self.complete("attache --limit "), set())

    def test_attache_every_option(self):
        want = {"--socket", "--connect", "--limit", "--page", "--offset", "--source", "--from",
                "--to", "--speaker", "--doc", "--quotes-only", "--sort", "--per-doc",
                "--match", "--full", "--json", "--color", "--width", "--timeout", "--help",
                "--version"}
        got = self.complete("attache --")
        self.assertTrue(want <= got, f"missing {want - got}")
        listed = help_options("attache")
        if listed:
            self.assertTrue(listed <= got, f"attache --help lists {listed - got}")

    def test_file_completion(self):
        d = h.tmp_for(self)
        for name in ("alpha.sock", "alpine.txt", "beta"):
            h.write(os.path.join(d, name), "")
        os.mkdir(os.path.join(d, "alps"))
        for opt in ("--socket", "-s"):
            with self.subTest(opt=opt):
                got = self.complete(f"attache {opt} {d}/al")
                self.assertEqual({x.rstrip("/") for x in got},
                                 {f"{d}/alpha.sock", f"{d}/alpine.txt", f"{d}/alps"})
        got = {x.rstrip("/") for x in self.complete("attache -s al", cwd=d)}
        self.assertEqual(got, {"alpha.sock", "alpine.txt", "alps"})

    def test_attache_index(self):
        self.assertEqual(self.complete("attache-index --re"),
                         {"--rebuild", "--restore", "--retry-failed"})
        self.assertEqual(self.complete("attache-index --no"), {"--no-progress"})
        listed = help_options("attache-index")
        got = self.complete("attache-index --")
        if listed:
            self.assertEqual(listed, got)
        d = h.tmp_for(self)
        os.mkdir(os.path.join(d, "dbdir"))
        h.write(os.path.join(d, "dbfile"), "")
        self.assertEqual({x.rstrip("/") for x in self.complete(f"attache-index -d {d}/db")},
                         {f"{d}/dbdir"}, "directories only for --db")
        self.assertEqual({x.rstrip("/") for x in
                          self.complete(f"attache-index -d x {d}/db")},
                         {f"{d}/dbdir", f"{d}/dbfile"}, "files and folders for PATH")

    def test_attached(self):
        self.assertEqual(self.complete("attached --li"), {"--listen"})
        self.assertEqual(self.complete("attached --log-level "),
                         {"error", "warn", "info", "debug"})
        self.assertEqual(self.complete("attached --max-c"),
                         {"--max-connections", "--max-client-memory"})
        listed = help_options("attached")
        if listed:
            self.assertEqual(listed, self.complete("attached --"))


class ManPageTest(unittest.TestCase):
    def test_renders(self):
        if shutil.which("man") is None:
            self.skipTest("man not installed")
        p = subprocess.run(["man", "-l", MANPAGE], capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, MANPAGER="cat", PAGER="cat", MANWIDTH="80"),
                           stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr.strip(), "", "no warnings")
        for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "SUB-COMMANDS",
                        "EXIT STATUS", "ENVIRONMENT", "EXAMPLES", "SEE ALSO"):
            self.assertRegex(p.stdout, "(?m)^" + section.replace("-", ".") + "$")
        if shutil.which("groff"):
            g = subprocess.run(["groff", "-man", "-ww", "-z", MANPAGE], capture_output=True,
                               text=True, timeout=60)
            self.assertEqual(g.stderr.strip(), "", "groff -ww warnings")

    def test_every_option_documented(self):
        with open(MANPAGE) as f:
            text = f.read().replace("\\-", "-")
        for opt in ("--socket", "--connect", "--limit", "--page", "--offset", "--source",
                    "--from", "--to", "--speaker", "--doc", "--quotes-only", "--sort",
                    "--per-doc", "--match", "--full", "--json", "--color", "--width",
                    "--timeout", "--help", "--version", "ATTACHE_ADDR", "NO_COLOR",
                    "COLUMNS"):
            self.assertIn(opt, text)
        listed = help_options("attache") or set()
        self.assertTrue(all(o in text for o in listed),
                        f"--help lists {[o for o in listed if o not in text]}")


if __name__ == "__main__":
    unittest.main()
