"""Helpers for the black-box tests of attached, the query daemon: a small
hand-made corpus, starting and stopping the daemon, and a client of its
JSON-lines protocol (docs/PROTOCOL.md).

The daemon is started on a Unix socket in a temporary folder and on a TCP
port of 127.0.0.1 chosen free beforehand (attached does not take port 0).
It counts as ready once a connection succeeds and a ping is answered; no
test sleeps a fixed time to wait for it.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import unittest

import harness as h

# Waits, in seconds, scaled for a slow flavour (harness.SLOWDOWN).
READY_TIMEOUT = h.scaled(20)    # for a daemon to answer its first ping
STOP_TIMEOUT = h.scaled(30)     # for a daemon to exit after SIGTERM
IO_TIMEOUT = h.scaled(float(os.environ.get("ATTACHE_TEST_IO_TIMEOUT", "30")))  # a socket call

EXIT_OK, EXIT_USAGE = 0, 2

ERROR_CODES = {"bad_json", "bad_request", "unknown_op", "too_large", "query_syntax",
               "timeout", "not_found", "overloaded", "unavailable", "unauthorized",
               "internal"}
STATS_KEYS = {"version", "uptime_s", "threads", "revision", "documents", "passages",
              "connections", "requests", "errors", "latency_us", "limits"}
LIMIT_KEYS = {"max_line", "max_connections", "idle_timeout_s", "request_timeout_s",
              "evict_idle_ms", "query_time_ms",
              "max_wildcard", "max_limit"}


# ---------------------------------------------------------------------------
# Ports and addresses


def free_port(host="127.0.0.1", family=socket.AF_INET):
    """A TCP port nobody listens on right now: bind to port 0, read the
    port, close (attached itself does not accept port 0)."""
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def have_ipv6_loopback():
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


# ---------------------------------------------------------------------------
# The client


class Closed(AssertionError):
    """The daemon closed the connection where a response was expected."""


class Client:
    """One connection speaking JSON lines. Every socket call has a time-out,
    so a silent daemon fails a test instead of hanging it."""

    def __init__(self, sock, timeout=IO_TIMEOUT):
        self.sock = sock
        self.sock.settimeout(timeout)
        self.buf = bytearray()
        self.eof = False
        self.next_id = 1

    @classmethod
    def unix(cls, path, timeout=IO_TIMEOUT):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(path)
        except BaseException:
            s.close()
            raise
        return cls(s, timeout)

    @classmethod
    def tcp(cls, host, port, timeout=IO_TIMEOUT):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        s = socket.socket(family, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect((host, port))
        except BaseException:
            s.close()
            raise
        return cls(s, timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def settimeout(self, t):
        self.sock.settimeout(t)

    # -- sending

    @staticmethod
    def encode(obj):
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"

    def send(self, obj):
        self.sock.sendall(self.encode(obj))

    def send_bytes(self, data):
        self.sock.sendall(data)

    def shutdown_write(self):
        self.sock.shutdown(socket.SHUT_WR)

    # -- receiving

    def _fill(self):
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def recv_line(self, timeout=None):
        """The next line (bytes, without its newline), or None at EOF."""
        old = self.sock.gettimeout()
        if timeout is not None:
            self.sock.settimeout(timeout)
        try:
            while True:
                i = self.buf.find(b"\n")
                if i >= 0:
                    line = bytes(self.buf[:i])
                    del self.buf[:i + 1]
                    return line
                if self.eof or not self._fill():
                    if self.buf:
                        raise AssertionError(f"connection closed after a partial line: "
                                             f"{bytes(self.buf[:300])!r}")
                    return None
        finally:
            if timeout is not None:
                self.sock.settimeout(old)

    def recv(self, timeout=None):
        """The next response, parsed: a JSON object with "ok"."""
        try:
            line = self.recv_line(timeout)
        except socket.timeout:
            raise AssertionError(f"no response within "
                                 f"{timeout or self.sock.gettimeout()} s") from None
        if line is None:
            raise Closed("the daemon closed the connection instead of answering")
        try:
            resp = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise AssertionError(f"response is not a JSON line ({e}): {line[:300]!r}") from None
        if not isinstance(resp, dict) or not isinstance(resp.get("ok"), bool):
            raise AssertionError(f"response is not an object with a boolean ok: {line[:300]!r}")
        if "id" not in resp:
            raise AssertionError(f"response does not echo an id: {line[:300]!r}")
        return resp

    def request(self, obj, timeout=None):
        """Send obj (an "id" is added when it has none) and read its response."""
        if "id" not in obj:
            obj = dict(obj, id=self.next_id)
            self.next_id += 1
        self.send(obj)
        return self.recv(timeout)

    def call(self, obj, timeout=None):
        """request() that must succeed: returns the response, raises with
        the error otherwise."""
        resp = self.request(obj, timeout)
        if resp["ok"] is not True:
            raise AssertionError(f"request {obj!r} failed: {resp!r}")
        if "id" in obj and resp["id"] != obj["id"]:
            raise AssertionError(f"response id {resp['id']!r} != request id {obj['id']!r}")
        return resp

    def wait_eof(self, timeout):
        """Read (and keep in self.buf) until the daemon closes the
        connection; True when it did within timeout seconds."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.sock.settimeout(left)
            try:
                self._fill()
            except socket.timeout:
                return False
            except ConnectionResetError:
                self.eof = True
        return True


# ---------------------------------------------------------------------------
# The daemon


class Daemon:
    """attached running in the background. args are extra options; the
    socket, the TCP address (tcp=False: --listen none; tcp="default": no
    --listen) and --threads are added unless given as None;
    http=True adds --http on a free port of 127.0.0.1 (self.http_port)."""

    counter = 0

    def __init__(self, db, tmp, *args, unix=True, tcp=True, threads=2, env=None,
                 log_level=None, http=False):
        Daemon.counter += 1
        n = Daemon.counter
        self.db, self.tmp = db, tmp
        self.sock_path = os.path.join(tmp, f"d{n}.sock") if unix else None
        self.host = "127.0.0.1"
        self.port = free_port() if tcp is True else None
        self.tcp_default = tcp == "default"
        self.http_port = free_port() if http else None
        self.threads = threads
        self.args = [str(a) for a in args]
        self.env = env
        self.log_level = log_level
        self.stderr_path = os.path.join(tmp, f"d{n}.stderr")
        self.proc = None
        self._errf = None

    def cmd(self):
        c = [h.bin_path("attached")]
        if self.db is not None:
            c += ["--db", self.db]
        if self.sock_path is not None:
            c += ["--socket", self.sock_path]
        if self.port is not None:
            c += ["--listen", f"{self.host}:{self.port}"]
        elif self.tcp_default:
            pass  # the daemon's default address
        elif "--listen" not in self.args and "-l" not in self.args:
            c += ["--listen", "none"]  # never the default port, which may be taken
        if self.http_port is not None:
            c += ["--http", f"{self.host}:{self.http_port}"]
        if self.threads is not None:
            c += ["--threads", str(self.threads)]
        if self.log_level is not None:
            c += ["--log-level", self.log_level]
        return c + self.args

    @property
    def pid(self):
        return self.proc.pid

    def start(self, wait=True):
        self._errf = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(self.cmd(), stdin=subprocess.DEVNULL,
                                     stdout=self._errf, stderr=self._errf,
                                     env=h._env(self.env))
        if wait:
            self.wait_ready()
        return self

    def stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def connect(self, kind=None, timeout=IO_TIMEOUT):
        """A new Client on the Unix socket (default when there is one) or TCP."""
        kind = kind or ("unix" if self.sock_path else "tcp")
        if kind == "unix":
            return Client.unix(self.sock_path, timeout)
        return Client.tcp(self.host, self.port, timeout)

    def wait_ready(self, timeout=READY_TIMEOUT, kind=None):
        """Wait until a connection succeeds and a ping is answered; fails
        with the daemon's stderr when it exits first."""
        deadline = time.monotonic() + timeout
        last = None
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"attached exited with status {self.proc.returncode} "
                                     f"before it was ready; command {self.cmd()}; "
                                     f"stderr:\n{self.stderr()[-3000:]}")
            try:
                with self.connect(kind, timeout=max(1.0, deadline - time.monotonic())) as c:
                    r = c.request({"id": "ready", "op": "ping"})
                    if r.get("ok") is True and r.get("pong") is True:
                        return self
                    last = r
            except (OSError, AssertionError) as e:
                last = e
            if time.monotonic() > deadline:
                raise AssertionError(f"attached not ready after {timeout} s ({last!r}); "
                                     f"stderr:\n{self.stderr()[-3000:]}")
            time.sleep(0.02)

    def signal(self, sig):
        os.kill(self.proc.pid, sig)

    def wait(self, timeout=STOP_TIMEOUT):
        """The exit status, once it exits (raises subprocess.TimeoutExpired)."""
        rc = self.proc.wait(timeout=timeout)
        if self._errf is not None:
            self._errf.close()
            self._errf = None
        return rc

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM, wait, and SIGKILL when it does not exit in time. Returns
        the exit status, or None when it had to be killed."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                return self.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.wait(h.scaled(60))
                return None
        return self.wait(h.scaled(60))

    def cleanup(self):
        """For addCleanup: stop it; a daemon that was still running must exit
        0 (under AddressSanitizer, a leak or error at exit fails here)."""
        if self.proc is None:
            return
        was_running = self.proc.poll() is None
        rc = self.stop()
        if was_running and rc != 0:
            raise AssertionError(f"attached exited with status {rc} on SIGTERM "
                                 f"(None: it had to be killed); stderr:\n"
                                 f"{self.stderr()[-3000:]}")


def check_alive(test, d):
    """Fail at once, with the daemon's exit status and the end of its stderr,
    when a daemon shared by a class died during an earlier test."""
    if not d.running():
        test.fail(f"attached is no longer running (exit status {d.proc.returncode}; "
                  f"-N: killed by signal N); end of its stderr:\n{d.stderr()[-2500:]}")


def start_daemon(test, db, *args, **kw):
    """A started Daemon stopped when the test (or class, from setUpClass)
    is done; the temporary folder comes from harness.tmp_for."""
    tmp = kw.pop("tmp", None) or h.tmp_for(test)
    d = Daemon(db, tmp, *args, **kw)
    if isinstance(test, type):
        test.addClassCleanup(d.cleanup)
    else:
        test.addCleanup(d.cleanup)
    return d.start()


def connect_live(test, d):
    """For setUp of a class that shares daemon d: fail at once when d has
    died (check_alive), else a new connection closed when test ends."""
    check_alive(test, d)
    c = d.connect()
    test.addCleanup(c.close)
    return c


def run_daemon(args, env=None, timeout=30):
    """attached run to its end (start-up errors); a CompletedProcess.
    timeout is scaled for a slow flavour."""
    return subprocess.run([h.bin_path("attached")] + [str(a) for a in args],
                          env=h._env(env), capture_output=True, text=True,
                          timeout=h.scaled(timeout), stdin=subprocess.DEVNULL)


# ---------------------------------------------------------------------------
# The hand-made corpus: a few news stories with quotations, a speech, and
# filler reports that share common words (paging, sorting, facets).

NEWS = {
    "news/beijing-tokyo.txt": (
        "Beijing rebukes Tokyo over Taiwan remarks", "2025-11-14", "Reuters",
        "https://example.com/news/beijing-tokyo",
        ["Japanese Prime Minister Sanae Takaichi told lawmakers that Japan's military could "
         "intervene if China acts against Taiwan. The remarks drew an angry response from "
         "officials in the Chinese capital.",
         "Beijing rebuked the remarks, with Foreign Minister Wang Yi stating Japan had "
         "\"crossed a red line that should not have been touched,\" plunging relations to a "
         "new low.",
         "Earlier this month Washington approved an arms sale to Taiwan. Beijing protested, "
         "with spokesperson Lin Jian saying it \"grossly violated\" the one-China principle "
         "and that \"China deplores and opposes that.\"",
         "Analysts expect the dispute to weigh on trade between the two neighbours for "
         "months, and several airlines have already cancelled flights."]),
    "news/soybeans.txt": (
        "China resumes soybean purchases from American farmers", "2025-11-20", "Bloomberg",
        "https://example.com/news/soybeans",
        ["China committed to buy at least 12 million metric tons of U.S. soybeans this year, "
         "traders said, after the two leaders agreed to a truce in the trade war.",
         "Farmers in Iowa welcomed the news. \"This is a lifeline for growers,\" said John "
         "Miller, a farmer who plants corn and soybeans on two thousand acres.",
         "The agreement also eased sanctions on several Chinese shipping companies and "
         "lowered tariffs on industrial goods from both countries."]),
    "news/sanctions-eu.txt": (
        "European Union widens sanctions", "2024-03-05", "Reuters",
        "https://example.com/news/sanctions-eu",
        ["The European Union widened sanctions against shipping firms on Tuesday. Diplomats "
         "said the measures target vessels that carry oil around the price cap.",
         "A red flag was raised at the port while the long line of tankers waited outside "
         "the harbour for the pilots.",
         "In Z\u00fcrich and Malm\u00f6, bankers said the new sanctions on \u201cshadow "
         "fleet\u201d tankers would bite, and the caf\u00e9 owners near the station shrugged.",
         "Officials called the shipping corridor the lifeline of the northern economy."]),
    "speeches/1999-address.txt": (
        "Address on the economy", "1999-01-19", "Congress", None,
        ["The President said that commerce with China would grow in the coming years and "
         "that our exporters would benefit.",
         "Our farmers grow wheat, corn and soybeans for the world, and they deserve open "
         "markets abroad."]),
}

FILLER_N = 12
FILLER_SOURCES = ("Reuters", "AP", "Bloomberg")


def filler_meta(i):
    """(id, title, date, source) of filler report i."""
    return (f"filler/f{i:02d}.txt", f"Filler report number {i}",
            f"{2013 + i // 2}-{1 + i % 12:02d}-{10 + i:02d}", FILLER_SOURCES[i % 3])


def news_text(title, date, source, url, paragraphs):
    head = f"Title: {title}\nDate: {date}\nSource: {source}\n"
    if url:
        head += f"URL: {url}\n"
    return head + "\n" + "\n\n".join(paragraphs) + "\n"


def write_corpus(root):
    """Write the hand-made corpus into root; returns root."""
    for fid, (title, date, source, url, paras) in NEWS.items():
        h.write(os.path.join(root, fid), news_text(title, date, source, url, paras))
    for i in range(FILLER_N):
        fid, title, date, source = filler_meta(i)
        h.write(os.path.join(root, fid),
                f"Title: {title}\nDate: {date}\nSource: {source}\n\n" + h.article(1000 + i))
    return root


CORPUS_DOCS = len(NEWS) + FILLER_N

# A query with a long answer (most filler passages), for load. Tests of other
# behaviours use it rather than q "" so that the crash of parallel q ""
# searches (test_daemon_limits.ParallelWorkersTest) does not hide them.
BIG_QUERY = "trade OR tariff OR drought OR harbour OR ceasefire OR sanction"


def build_index(corpus, db, *extra):
    """Index corpus into db (must succeed); returns db."""
    p = h.run_indexer("-d", db, "--no-progress", "--quiet", *extra, corpus)
    if p.returncode != 0:
        raise AssertionError(f"attache-index exited {p.returncode}: {p.stdout} {p.stderr}")
    return db


def small_index(test):
    """(tmp, corpus, db): the hand-made corpus indexed in a new temporary
    folder of test (a TestCase, or its class in setUpClass)."""
    tmp = h.tmp_for(test)
    corpus = write_corpus(os.path.join(tmp, "corpus"))
    db = build_index(corpus, os.path.join(tmp, "db"))
    return tmp, corpus, db


def seed_index(test):
    """(tmp, db): the real corpus's seed article alone (as seed/...) indexed
    in a new temporary folder of test (a TestCase, or its class in
    setUpClass); raises SkipTest without the corpus or its seed/ folder."""
    shared = h.corpus_dir()
    if shared is None or not os.path.isdir(os.path.join(shared, "seed")):
        raise unittest.SkipTest(h.NO_CORPUS + " (its seed/ folder)")
    tmp = h.tmp_for(test)
    corpus = os.path.join(tmp, "corpus")
    os.makedirs(corpus)
    shutil.copytree(os.path.join(shared, "seed"), os.path.join(corpus, "seed"))
    return tmp, build_index(corpus, os.path.join(tmp, "db"))


def skip_without_daemon():
    """Raise SkipTest (from setUp or setUpClass) when bin/attached is not
    built."""
    if not os.path.exists(h.bin_path("attached")):
        raise unittest.SkipTest(f"{h.bin_path('attached')} not built")


class DaemonClass(unittest.TestCase):
    """A daemon on the hand-made corpus for the whole class (started with
    daemon_args), and a fresh connection self.c for each test."""

    daemon_args = ()

    @classmethod
    def setUpClass(cls):
        skip_without_daemon()
        cls.tmp, cls.corpus, cls.db = small_index(cls)
        cls.dbstats = h.stats(cls.db)
        cls.d = start_daemon(cls, cls.db, *cls.daemon_args, tmp=cls.tmp)

    def setUp(self):
        self.c = connect_live(self, self.d)

    def stats(self, c=None):
        return (c or self.c).call({"op": "stats"})


class StartCase(unittest.TestCase):
    """For tests that start attached themselves, or watch it refuse to:
    the hand-made corpus indexed once for the class (cls.db), and a new
    temporary folder self.t for each test."""

    @classmethod
    def setUpClass(cls):
        skip_without_daemon()
        cls.tmp, cls.corpus, cls.db = small_index(cls)

    def setUp(self):
        self.t = h.tmp_for(self)

    def listen_args(self):
        """Options for one thread on the socket self.t/s.sock and a free
        port of 127.0.0.1."""
        return ["--socket", os.path.join(self.t, "s.sock"),
                "--listen", f"127.0.0.1:{free_port()}", "--threads", "1"]

    def common(self, db=None):
        """listen_args() on the index db (the class's by default)."""
        return ["--db", db or self.db] + self.listen_args()

    def assertExit2(self, args, what, env=None, names=None):
        """attached run with args must exit 2 with a message on stderr
        (naming names, when given) and leave self.t/s.sock unbound;
        returns the CompletedProcess."""
        p = run_daemon(args, env=env)
        self.assertEqual(p.returncode, EXIT_USAGE,
                         f"{what}: exit status {p.returncode}; stderr: {p.stderr}")
        self.assertTrue(p.stderr.strip(), f"{what}: no message on stderr")
        if names:
            self.assertIn(names, p.stderr, f"{what}: the message names {names}")
        self.assertFalse(os.path.exists(os.path.join(self.t, "s.sock")),
                         f"{what}: nothing bound")
        return p


def require_daemon(test):
    """Skip test with a clear reason when bin/attached is not built."""
    skip_without_daemon()


# ---------------------------------------------------------------------------
# Checking responses


def error_code(resp):
    err = resp.get("error")
    return err.get("code") if isinstance(err, dict) else None


def assert_error(test, resp, code, rid=..., what=""):
    """resp is an error with this code (and echoes rid unless it is ...)."""
    test.assertIs(resp.get("ok"), False, f"{what}: expected error {code}, got {resp!r}")
    err = resp.get("error")
    test.assertIsInstance(err, dict, f"{what}: {resp!r}")
    test.assertEqual(err.get("code"), code, f"{what}: {resp!r}")
    test.assertIsInstance(err.get("message"), str, f"{what}: {resp!r}")
    test.assertTrue(err["message"], f"{what}: empty message: {resp!r}")
    if rid is not ...:
        test.assertIn("id", resp)
        test.assertEqual(resp["id"], rid, f"{what}: id not echoed: {resp!r}")


WORD = re.compile(r"\w+(?:['.]\w+)*", re.UNICODE)


def words_of(text):
    return WORD.findall(text)


def stem_match(word, qword):
    """A crude stand-in for the English stemmer: word and query word share
    all but a short ending ("sanctions" ~ "sanction", "soybean" ~ "soybeans")."""
    w, q = word.lower(), qword.lower()
    if q.endswith("*"):
        return w.startswith(q[:-1])
    common = len(os.path.commonprefix([w, q]))
    return common >= 3 and common >= min(len(w), len(q)) - 2


def byte_slice(text, start, end):
    """text (str) encoded to UTF-8, [start:end], decoded (raises when the
    range cuts a character)."""
    return text.encode("utf-8")[start:end].decode("utf-8")


def hit_key(hit):
    return (hit["doc"]["id"], hit["passage"]["n"])
