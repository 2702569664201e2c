"""Black-box tests of replicas: an index written by attache-index
--changesets N, served by Xapian's xapian-replicate-server, copied by
contrib/attache-replica (one xapian-replicate per shard) into a folder that
attached serves, on loopback.

A replica catches up with the primary's commits (as changesets, applied
in place) and attached on it answers the new documents without a restart;
a replica stopped while the primary changes catches up when started
again; a copy killed half-way leaves the replica serving its old copy and
the next run completes it; --rebuild and --compact (a new database, so a
whole copy) reach the replica as one switch while clients search; the
replica answers exactly as the primary, gazetteer included; a sharded
primary replicates shard by shard. --changesets N is remembered by the
index and keeps N changesets per database.

A copy is caught half-way by a proxy between the replica and the server
that stops passing the server's bytes after a set amount. The long
variant (ATTACHE_TEST_REPLICATION_LONG=1, `make test-replication`) runs
the real corpus through many cycles and prints the times a replica took
to catch up.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import unittest

import daemon as dm
import harness as h

REPLICATE = shutil.which("xapian-replicate")
SERVER = shutil.which("xapian-replicate-server")
DELVE = shutil.which("xapian-delve")
NO_TOOLS = "xapian-replicate not found (Debian package xapian-tools)"
SCRIPT = os.path.join(h.REPO, "contrib", "attache-replica")
LONG = os.environ.get("ATTACHE_TEST_REPLICATION_LONG", "") not in ("", "0")
CATCH_UP = 30      # seconds for a replica polling every second to show a commit
CHANGESETS = "20"  # --changesets of the primaries


def skip_without_tools(test):
    if REPLICATE is None or SERVER is None or DELVE is None:
        test.skipTest(NO_TOOLS)
    dm.skip_without_daemon()


def kill_group(proc, sig):
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def start_server(test, parent):
    """xapian-replicate-server serving the folders under parent on a free
    port of 127.0.0.1 (in a session of its own, taken down with the test);
    returns the port once it accepts connections."""
    port = dm.free_port()
    log = open(os.path.join(parent, f"server-{port}.log"), "wb")
    proc = subprocess.Popen([SERVER, "-I", "127.0.0.1", "-p", str(port), parent],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                            start_new_session=True)

    def down():
        kill_group(proc, signal.SIGTERM)
        proc.wait(h.scaled(30))
        log.close()

    test.addCleanup(down)

    def accepts():
        if proc.poll() is not None:
            raise AssertionError(f"xapian-replicate-server exited {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    h.wait_until(accepts, 10, "xapian-replicate-server to listen", interval=0.02)
    return port


class Replica:
    """contrib/attache-replica HOST:PORT NAME FOLDER, in a session of its
    own: polling every second, changesets applied back to back."""

    def __init__(self, test, port, name, folder, *extra):
        self.test, self.folder = test, folder
        self.args = [SCRIPT, "-i", "1", "-r", "0", "-t", "20", *extra,
                     f"127.0.0.1:{port}", name, folder]
        self.proc = None
        self.log = folder + ".log"
        test.addCleanup(self.kill)

    def start(self):
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=log, start_new_session=True)
        return self

    def wait_ready(self, timeout=CATCH_UP):
        """Until REPLICA/XAPIANDB exists: every part holds a whole copy."""
        stub = os.path.join(self.folder, "XAPIANDB")

        def ready():
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"attache-replica exited {self.proc.returncode}: "
                                     f"{self.output()}")
            return os.path.exists(stub)

        h.wait_until(ready, timeout, f"{stub}", interval=0.05)
        return self

    def stop(self):
        """SIGTERM; the exit status (0 expected)."""
        kill_group(self.proc, signal.SIGTERM)
        return self.proc.wait(h.scaled(30))

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            kill_group(self.proc, signal.SIGKILL)
            self.proc.wait(h.scaled(30))

    def output(self):
        with open(self.log, "rb") as f:
            return f.read().decode("utf-8", "replace")[-3000:]


def one_shot(port, name, folder, *extra):
    """attache-replica --one-shot to its end: a CompletedProcess."""
    return subprocess.run([SCRIPT, "-o", "-r", "0", "-t", "20", *extra, f"127.0.0.1:{port}",
                           name, folder], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=h.scaled(300))


def live_copy(part):
    """The replica_N folder a Xapian replica folder's stub names."""
    with open(os.path.join(part, "XAPIANDB")) as f:
        names = [ln.split()[1] for ln in f if ln.startswith("auto ")]
    if len(names) != 1:
        raise AssertionError(f"odd stub in {part}: {names!r}")
    return names[0]


def xapian_uuid(path, strict=True):
    """The UUID of the database at path (xapian-delve); when it cannot be
    read, an AssertionError, or None when not strict (a replica may be
    switching copies)."""
    p = subprocess.run([DELVE, path], capture_output=True, text=True, timeout=60)
    m = re.search(r"^UUID = (\S+)", p.stdout, re.M)
    if p.returncode != 0 or m is None:
        if not strict:
            return None
        raise AssertionError(f"xapian-delve {path}: {p.stderr}")
    return m.group(1)


def changesets(gen_path):
    return sorted(n for n in os.listdir(gen_path) if re.fullmatch(r"changes\d+", n))


def same_response(r):
    """A response without what differs from one daemon to another."""
    r = dict(r)
    r.pop("took_us", None)
    return r


class StallProxy:
    """A TCP proxy from a free port to 127.0.0.1:port that stops passing the
    server's bytes once it passed limit of them (self.holding is then set),
    until close()."""

    def __init__(self, test, port, limit):
        self.target, self.limit = port, limit
        self.holding = threading.Event()
        self.closed = threading.Event()
        self.socks = []
        self.lsock = socket.socket()
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(4)
        self.port = self.lsock.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()
        test.addCleanup(self.close)

    def accept(self):
        while not self.closed.is_set():
            try:
                c, _ = self.lsock.accept()
                s = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                return
            self.socks += [c, s]
            threading.Thread(target=self.pump, args=(c, s, None), daemon=True).start()
            threading.Thread(target=self.pump, args=(s, c, self.limit), daemon=True).start()

    def pump(self, src, dst, limit):
        passed = 0
        try:
            while True:
                data = src.recv(1 << 16)
                if not data:
                    break
                if limit is not None and passed + len(data) > limit:
                    dst.sendall(data[:max(0, limit - passed)])
                    self.holding.set()
                    self.closed.wait()
                    return
                dst.sendall(data)
                passed += len(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.closed.set()
        for s in [self.lsock] + self.socks:
            try:
                s.close()
            except OSError:
                pass


class Searcher(threading.Thread):
    """A client of attached searching q without pause until stopped; keeps
    every failure (an error, no hits, a lost connection) and the revisions."""

    def __init__(self, d, q="trade"):
        super().__init__(daemon=True)
        self.d, self.q = d, q
        self.errors, self.revisions, self.count = [], [], 0
        self.halt = threading.Event()

    def run(self):
        try:
            with self.d.connect() as c:
                while not self.halt.is_set():
                    self.count += 1
                    r = c.request({"op": "search", "q": self.q, "limit": 5})
                    if not r["ok"]:
                        self.errors.append(f"search {self.count}: {str(r)[:300]}")
                    elif not r["hits"]:
                        self.errors.append(f"search {self.count}: no hits")
                    else:
                        self.revisions.append(r["revision"])
        except Exception as e:
            self.errors.append(f"after {self.count} searches: {e!r}")

    def finish(self, test):
        self.halt.set()
        self.join(60)
        test.assertFalse(self.is_alive(), "the searching client hangs")
        test.assertEqual(self.errors[:10], [], f"{len(self.errors)} failures on the replica")
        test.assertGreater(self.count, 5, "the client searched all along")


NEW_FILE = ("Title: Clove harvest\nDate: 2025-12-01\nSource: AP\n\n"
            "Traders in Stone Town said the zanzibarite clove harvest doubled.\n")


class ReplicaBase(unittest.TestCase):
    """A primary index of the hand-made corpus under self.home (the folder
    xapian-replicate-server serves, as NAME "index"), and its server."""

    shards = 1

    def setUp(self):
        skip_without_tools(self)
        self.tmp = h.tmp_for(self)
        self.home = os.path.join(self.tmp, "primary")
        os.makedirs(self.home)
        self.corpus = dm.write_corpus(os.path.join(self.tmp, "corpus"))
        self.db = os.path.join(self.home, "index")
        extra = ["--shards", str(self.shards)] if self.shards > 1 else []
        self.index("--changesets", CHANGESETS, *extra)
        self.port = start_server(self, self.home)
        self.rdir = os.path.join(self.tmp, "replica")

    def index(self, *extra):
        p = h.run_indexer("-d", self.db, "--no-progress", "-q", *extra, self.corpus)
        self.assertEqual(p.returncode, 0, p.stderr)

    def add(self, name, text):
        h.write(os.path.join(self.corpus, name), text)
        self.index()

    def replica(self, *extra):
        return Replica(self, self.port, "index", self.rdir, *extra)

    def search(self, c, q, **params):
        return c.call(dict(op="search", q=q, limit=100, **params))

    def docs(self, c, q):
        return sorted({x["doc"]["id"] for x in self.search(c, q)["hits"]})

    def primary_revision(self):
        return h.stats(self.db)["revision"]


class ReplicaTest(ReplicaBase):
    def test_replica_follows_commits_without_restart(self):
        rep = self.replica().start().wait_ready()
        self.assertEqual(open(os.path.join(self.rdir, "XAPIANDB")).read(), "auto db\n")
        d = dm.start_daemon(self, self.rdir, tmp=self.tmp)
        c = dm.connect_live(self, d)
        self.assertEqual(self.docs(c, "zanzibarite"), [])
        copy = live_copy(os.path.join(self.rdir, "db"))
        for i in range(3):
            self.add(f"news/spice{i}.txt", NEW_FILE.replace("zanzibarite", f"zanzibarite{i}"))
            h.wait_until(lambda: self.docs(c, f"zanzibarite{i}"), CATCH_UP,
                         f"the replica's daemon to find commit {i}", interval=0.1)
        self.assertEqual(c.call({"op": "ping"})["revision"], self.primary_revision())
        self.assertEqual(live_copy(os.path.join(self.rdir, "db")), copy,
                         "commits reach the replica as changesets, not whole copies")
        self.assertTrue(d.running())
        self.assertEqual(rep.stop(), 0, rep.output())

    def test_stopped_replica_catches_up(self):
        rep = self.replica().start().wait_ready()
        d = dm.start_daemon(self, self.rdir, tmp=self.tmp)
        c = dm.connect_live(self, d)
        rev0 = c.call({"op": "ping"})["revision"]
        self.assertEqual(rep.stop(), 0, rep.output())
        for i in range(3):
            self.add(f"more/m{i}.txt", f"Title: More {i}\n\nThe quokka{i} count rose.\n")
        os.remove(os.path.join(self.corpus, "filler", "f03.txt"))
        self.index()
        self.assertEqual(c.call({"op": "ping"})["revision"], rev0, "no copy while stopped")
        self.assertEqual(self.docs(c, "quokka0"), [])
        rep.start()
        want = self.primary_revision()
        h.wait_until(lambda: c.call({"op": "ping"})["revision"] == want, CATCH_UP,
                     "the restarted replica to catch up", interval=0.1)
        for i in range(3):
            self.assertEqual(self.docs(c, f"quokka{i}"), [f"more/m{i}.txt"])
        r = c.request({"op": "get", "doc": "filler/f03.txt"})
        self.assertEqual(dm.error_code(r), "not_found")

    def test_killed_mid_copy_keeps_the_old_copy(self):
        p = one_shot(self.port, "index", self.rdir)
        self.assertEqual(p.returncode, 0, p.stderr)
        part = os.path.join(self.rdir, "db")
        copy = live_copy(part)
        d = dm.start_daemon(self, self.rdir, tmp=self.tmp)
        c = dm.connect_live(self, d)
        rev0, before = c.call({"op": "ping"})["revision"], self.docs(c, "trade")
        # A rebuild makes a new database: the replica needs a whole copy.
        h.write(os.path.join(self.corpus, "news", "spice.txt"), NEW_FILE)
        self.index("--rebuild")
        size = sum(os.path.getsize(os.path.join(dp, f))
                   for dp, _, fs in os.walk(os.path.join(self.db, h.live_generation(self.db)))
                   for f in fs)
        proxy = StallProxy(self, self.port, size // 3)
        cut = Replica(self, proxy.port, "index", self.rdir, "-o").start()
        h.wait_until(proxy.holding.is_set, CATCH_UP, "a third of the copy", interval=0.02)
        other = os.path.join(part, "replica_1" if copy == "replica_0" else "replica_0")
        h.wait_until(lambda: os.path.isdir(other) and os.listdir(other), 10,
                     "the copy under way in " + other)
        kill_group(cut.proc, signal.SIGKILL)
        cut.proc.wait(h.scaled(30))
        proxy.close()
        self.assertEqual(live_copy(part), copy, "a half copy never goes live")
        for _ in range(20):
            self.assertEqual(c.call({"op": "ping"})["revision"], rev0)
            self.assertEqual(self.docs(c, "trade"), before)
            self.assertEqual(self.docs(c, "zanzibarite"), [])
        p = one_shot(self.port, "index", self.rdir)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotEqual(live_copy(part), copy)
        self.assertEqual(xapian_uuid(part), xapian_uuid(self.db))
        h.wait_until(lambda: self.docs(c, "zanzibarite"), CATCH_UP,
                     "the daemon on the completed copy", interval=0.1)
        self.assertEqual(c.call({"op": "ping"})["revision"], self.primary_revision())

    def test_rebuild_and_compact_switch_at_once(self):
        self.replica().start().wait_ready()
        d = dm.start_daemon(self, self.rdir, tmp=self.tmp)
        c = dm.connect_live(self, d)
        before = self.docs(c, "trade")
        searchers = [Searcher(d, "trade"), Searcher(d, "soybeans")]
        for s in searchers:
            s.start()
            self.addCleanup(s.halt.set)
        part = os.path.join(self.rdir, "db")
        for mode in ("--rebuild", "--compact"):
            copy = live_copy(part)
            if mode == "--rebuild":
                self.index(mode)
            else:
                p = h.run_indexer("-d", self.db, "--compact", "-q")
                self.assertEqual(p.returncode, 0, p.stderr)
            want = xapian_uuid(self.db)
            h.wait_until(lambda: xapian_uuid(part, strict=False) == want, CATCH_UP,
                         f"the replica to switch to the database of {mode}", interval=0.1)
            self.assertNotEqual(live_copy(part), copy, f"{mode}: a whole copy, switched")
            h.wait_until(lambda: c.call({"op": "ping"})["revision"] == self.primary_revision(),
                         CATCH_UP, f"the daemon after {mode}", interval=0.05)
        for s in searchers:
            s.finish(self)
        self.assertEqual(self.docs(c, "trade"), before)
        self.assertTrue(d.running())


class SameAnswersTest(ReplicaBase):
    """The replica answers every request as the primary does, the alias
    file's actors included (the gazetteer travels in the metadata)."""

    def setUp(self):
        super().setUp()
        aliases = os.path.join(self.tmp, "aliases.tsv")
        h.write(aliases, "gondor\tGondor\tMinas Tirith\tGondorian\n")
        h.write(os.path.join(self.corpus, "news", "gondor.txt"),
                "Title: Envoys\nDate: 2025-10-02\nSource: AP\n\n"
                "Envoys of Gondor met the trade minister. \"The river stays open,\" "
                "the Gondorian envoy said.\n")
        self.index("--aliases", aliases)

    def requests(self):
        return [
            {"op": "search", "q": "trade", "limit": 20},
            {"op": "search", "q": "tariff OR drought", "facets": True, "per_doc": 1},
            {"op": "search", "q": "\"red line\"", "fields": ["doc", "snippet", "matches"]},
            {"op": "search", "q": "", "filter": {"actor": "Minas Tirith"}, "facets": True},
            {"op": "search", "q": "river", "filter": {"actor": "gondor"}},
            {"op": "search", "q": "trade", "sort": "date", "limit": 50},
            {"op": "search", "q": "harvst", "limit": 3},
            {"op": "search", "q": "minister", "explain": True, "limit": 3},
            {"op": "get", "doc": "news/soybeans.txt"},
            {"op": "get", "doc": "news/gondor.txt"},
        ]

    def test_same_answers(self):
        p = one_shot(self.port, "index", self.rdir)
        self.assertEqual(p.returncode, 0, p.stderr)
        dp = dm.start_daemon(self, self.db, tmp=self.tmp)
        dr = dm.start_daemon(self, self.rdir, tmp=self.tmp)
        cp, cr = dm.connect_live(self, dp), dm.connect_live(self, dr)
        for req in self.requests():
            a, b = cp.call(dict(req, id=1)), cr.call(dict(req, id=1))
            self.assertEqual(same_response(b), same_response(a), f"request {req}")
        hits = self.search(cr, "", filter={"actor": "Minas Tirith"})["hits"]
        self.assertEqual({x["doc"]["id"] for x in hits}, {"news/gondor.txt"})


class ShardedReplicaTest(ReplicaBase):
    shards = 2

    def test_sharded_primary(self):
        self.replica("--shards", "2").start().wait_ready()
        with open(os.path.join(self.rdir, "XAPIANDB")) as f:
            self.assertEqual(f.read().split("\n"), ["auto s0of2", "auto s1of2", ""])
        dp = dm.start_daemon(self, self.db, tmp=self.tmp)
        dr = dm.start_daemon(self, self.rdir, tmp=self.tmp)
        cp, cr = dm.connect_live(self, dp), dm.connect_live(self, dr)
        for i in range(4):  # files that land in either shard
            self.add(f"news/spice{i}.txt", NEW_FILE.replace("zanzibarite", f"zanzibarite{i}"))
        want = self.primary_revision()
        h.wait_until(lambda: cr.call({"op": "ping"})["revision"] == want, CATCH_UP,
                     "the sharded replica to catch up", interval=0.1)
        for q in ("trade", "zanzibarite0 OR zanzibarite1 OR zanzibarite2 OR zanzibarite3",
                  "tariff OR drought"):
            req = {"id": 1, "op": "search", "q": q, "limit": 50, "facets": True}
            self.assertEqual(same_response(cr.call(req)), same_response(cp.call(req)), q)
        self.assertEqual(len(self.docs(cr, "zanzibarite*")), 4)


class ChangesetsOptionTest(unittest.TestCase):
    """attache-index --changesets N: N changesets kept per database,
    remembered across runs and a rebuild; 0 stops writing them."""

    def setUp(self):
        if not os.path.exists(h.bin_path("attache-index")):
            self.skipTest("attache-index not built")
        self.tmp = h.tmp_for(self)
        self.corpus = dm.write_corpus(os.path.join(self.tmp, "corpus"))
        self.db = os.path.join(self.tmp, "db")
        self.n = 0

    def index(self, *extra, env=None):
        p = h.run_indexer("-d", self.db, "-q", *extra, self.corpus,
                          env=dict({"XAPIAN_MAX_CHANGESETS": ""}, **(env or {})))
        self.assertEqual(p.returncode, 0, p.stderr)

    def update(self, *extra):
        self.n += 1
        h.write(os.path.join(self.corpus, "more", f"u{self.n}.txt"),
                f"Title: Update {self.n}\n\nThe word is wallaby{self.n}.\n")
        self.index(*extra)

    def live(self):
        return os.path.join(self.db, h.live_generation(self.db))

    def test_kept_remembered_and_stopped(self):
        self.index("--changesets", "2")
        for _ in range(4):
            self.update()
        kept = changesets(self.live())
        self.assertEqual(len(kept), 2, f"the last 2 of the commits: {kept}")
        self.index("--rebuild")
        self.assertEqual(changesets(self.live()), [], "a new database starts with none")
        self.update()
        self.assertEqual(len(changesets(self.live())), 1, "remembered across --rebuild")
        self.update("--changesets", "0")
        had = changesets(self.live())
        self.update()
        self.assertEqual(changesets(self.live()), had, "--changesets 0 stops them")

    def test_none_by_default(self):
        self.index()
        self.update()
        self.assertEqual(changesets(self.live()), [])

    def test_bad_values(self):
        for bad in ("-1", "x", "100001", ""):
            p = h.run_indexer("-d", self.db, "--changesets", bad, self.corpus)
            self.assertEqual(p.returncode, h.EXIT_USAGE, bad)
            self.assertIn("--changesets", p.stderr)


class ReplicaScriptTest(unittest.TestCase):
    """attache-replica refuses what it cannot do before copying anything."""

    def setUp(self):
        if not os.access(SCRIPT, os.X_OK):
            self.skipTest(f"{SCRIPT} is not executable")
        self.tmp = h.tmp_for(self)

    def run_script(self, *args):
        return subprocess.run([SCRIPT, *args], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=30)

    def test_usage_errors(self):
        for args in ((), ("host", "index", "r"), ("127.0.0.1:0", "index", "r"),
                     ("--shards", "0", "127.0.0.1:7010", "index", "r"),
                     ("--interval", "x", "127.0.0.1:7010", "index", "r")):
            p = self.run_script(*args)
            self.assertEqual(p.returncode, 2, f"{args}: {p.stderr}")
        self.assertEqual(self.run_script("--help").returncode, 0)

    def test_refuses_an_index_folder(self):
        skip_without_tools(self)
        tmp, _, db = dm.small_index(self)
        p = self.run_script("-o", "127.0.0.1:7010", "index", db)
        self.assertEqual(p.returncode, 2)
        self.assertIn("not a replica", p.stderr)


@unittest.skipUnless(LONG, "the long variant: ATTACHE_TEST_REPLICATION_LONG=1 "
                           "(make test-replication)")
class RealCorpusCyclesTest(unittest.TestCase):
    """The real corpus, replicated whole, then many cycles of updates,
    rebuilds and compactions with clients searching the replica all along;
    prints how long the replica took to catch up each time."""

    CYCLES = 12

    def setUp(self):
        skip_without_tools(self)
        src = h.corpus_dir()
        if src is None:
            self.skipTest(h.NO_CORPUS)
        self.tmp = h.tmp_for(self)
        self.home = os.path.join(self.tmp, "primary")
        os.makedirs(self.home)
        self.corpus = os.path.join(self.tmp, "corpus")
        h.copy_tree(src, self.corpus)
        self.db = os.path.join(self.home, "index")
        self.index("--changesets", "50")
        self.port = start_server(self, self.home)
        self.rdir = os.path.join(self.tmp, "replica")

    def index(self, *extra):
        p = h.run_indexer("-d", self.db, "--no-progress", "-q", *extra, self.corpus,
                          timeout=900)
        self.assertEqual(p.returncode, 0, p.stderr)

    def caught_up(self, c, what):
        """Seconds until the replica holds the primary's database (its
        UUID: a whole copy after a rebuild or compaction) and the daemon
        on it answers at the primary's revision."""
        t0, want = time.monotonic(), h.stats(self.db)["revision"]
        uuid, part = xapian_uuid(self.db), os.path.join(self.rdir, "db")
        h.wait_until(lambda: xapian_uuid(part, strict=False) == uuid and
                     c.call({"op": "ping"})["revision"] == want, 120, what, interval=0.05)
        return time.monotonic() - t0

    def test_cycles(self):
        t0 = time.monotonic()
        p = one_shot(self.port, "index", self.rdir)
        self.assertEqual(p.returncode, 0, p.stderr)
        full = time.monotonic() - t0
        rep = Replica(self, self.port, "index", self.rdir).start().wait_ready()
        d = dm.start_daemon(self, self.rdir, tmp=self.tmp)
        c = dm.connect_live(self, d)
        searchers = [Searcher(d, "congress"), Searcher(d, "war OR peace")]
        for s in searchers:
            s.start()
            self.addCleanup(s.halt.set)
        times = {"update": [], "--rebuild": [], "--compact": []}
        for i in range(self.CYCLES):
            mode = ("--rebuild", "--compact")[i // 4 % 2] if i % 4 == 3 else "update"
            if mode == "update":
                h.write(os.path.join(self.corpus, "cycles", f"c{i}.txt"),
                        f"Title: Cycle {i}\n\n" + h.article(7000 + i, paragraphs=40)
                        + f"\nThe marker is numbat{i}.\n")
                self.index()
            elif mode == "--rebuild":
                self.index("--rebuild")
            else:
                p = h.run_indexer("-d", self.db, "--compact", "-q", timeout=900)
                self.assertEqual(p.returncode, 0, p.stderr)
            times[mode].append(self.caught_up(c, f"cycle {i} ({mode})"))
        for s in searchers:
            s.finish(self)
        dp = dm.start_daemon(self, self.db, tmp=self.tmp)
        cp = dm.connect_live(self, dp)
        for q in ("congress", "war OR peace", "numbat*", "\"united states\""):
            req = {"id": 1, "op": "search", "q": q, "limit": 50, "facets": True}
            self.assertEqual(same_response(c.call(req)), same_response(cp.call(req)), q)
        self.assertEqual(rep.stop(), 0, rep.output())
        print(f"\nreplication of the real corpus: whole copy {full:.2f} s (one-shot); "
              + "; ".join(f"{k}: " + ", ".join(f"{t:.2f}" for t in v) + " s"
                          for k, v in times.items()), flush=True)


if __name__ == "__main__":
    unittest.main()
