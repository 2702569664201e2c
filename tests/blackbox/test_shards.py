"""Black-box tests of sharded indexes and of attached searching several
databases as one.

attache-index --shards N spreads the files of an index over N shard
folders (DB/s<k>of<N>, each an ordinary index folder named by the top
DB/XAPIANDB stub); the count is remembered, changed only with --rebuild,
and updates, removals and --compact reach every shard. attached takes
--db more than once, each a local index folder (sharded or not) or
tcp://HOST:PORT, a database served by Xapian's xapian-tcpsrv, and answers
as if from one unsharded index (same hits, same scores, ties ordered by
document id). A remote shard out of reach is left out ("partial" and
"missing", or error "unavailable" with --on-shard-failure error) and joins
again by itself once its server is back.

The equality tests index the real corpus twice (unsharded and over three
shards) once for their class; the rest use the small hand-made corpus.
xapian-tcpsrv forks a child per connection, so each one is started in a
session of its own and taken down (or frozen) by process group.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import unittest

import daemon as dm
import harness as h

TCPSRV = shutil.which("xapian-tcpsrv")
NO_TCPSRV = "xapian-tcpsrv not found (Debian package xapian-tools)"
SHARD_DIR = re.compile(r"^s(\d+)of(\d+)$")
REJOIN_TIMEOUT = 40   # seconds for a shard back in reach to be searched again
# xapian-tcpsrv closes a connection idle for 60 s by default. The tests
# other than IdleConnectionTest give it an hour, so that a slow run (the
# sanitizer build) does not meet what IdleConnectionTest shows.
LONG_IDLE_MS = 3600 * 1000


def require_programs(cls_or_test, tcpsrv=False):
    """Skip (a class from setUpClass, or a test) when a program is missing."""
    missing = None
    for name in ("attache-index", "attached"):
        if not os.path.exists(h.bin_path(name)):
            missing = f"{h.bin_path(name)} not built"
    if missing is None and tcpsrv and TCPSRV is None:
        missing = NO_TCPSRV
    if missing is not None:
        if isinstance(cls_or_test, type):
            raise unittest.SkipTest(missing)
        cls_or_test.skipTest(missing)


# ---------------------------------------------------------------------------
# Index folders


def shard_name(k, n):
    return f"s{k}of{n}"


def shard_folders(db):
    """The s<k>of<N> folders in db, in shard order."""
    names = [n for n in os.listdir(db)
             if SHARD_DIR.match(n) and os.path.isdir(os.path.join(db, n))]
    return sorted(names, key=lambda n: (int(SHARD_DIR.match(n).group(2)),
                                        int(SHARD_DIR.match(n).group(1))))


def stub_lines(db):
    with open(os.path.join(db, "XAPIANDB")) as f:
        return [ln.strip() for ln in f.read().splitlines() if ln.strip()]


def check_layout(test, db, n):
    """db is sharded over n: its stub names s0ofN..., each such folder (and
    no other) exists and is an index folder whose stub names a generation
    it holds; db holds no generation of its own."""
    names = [shard_name(k, n) for k in range(n)]
    test.assertEqual(stub_lines(db), [f"auto {x}" for x in names], f"{db}/XAPIANDB")
    test.assertEqual(shard_folders(db), names, f"shard folders of {db}")
    test.assertEqual(h.generations(db), [], f"{db} holds no gN of its own when sharded")
    for x in names:
        sub = os.path.join(db, x)
        gen = h.live_generation(sub)
        test.assertTrue(os.path.isdir(os.path.join(sub, gen)), f"{sub}/XAPIANDB names {gen}")
        test.assertTrue(os.path.exists(h.lock_path(sub)), f"{sub}/attache.lock")


def check_unsharded_layout(test, db):
    gen = h.live_generation(db)
    test.assertTrue(os.path.isdir(os.path.join(db, gen)), f"{db}/XAPIANDB names {gen}")
    test.assertEqual(shard_folders(db), [], f"no s*of* folder is left in {db}")


def shard_lists(db, n):
    """[--list of each shard folder, as harness.parse_list dicts]."""
    return [h.list_index(os.path.join(db, shard_name(k, n))) for k in range(n)]


def shard_of(lists):
    """{file id: the shard listing it}; fails when one is in two shards."""
    where = {}
    for k, listing in enumerate(lists):
        for fid in listing:
            if fid in where:
                raise AssertionError(f"{fid} is listed in shard {where[fid]} and shard {k}")
            where[fid] = k
    return where


def build(corpus, db, *extra):
    """Index corpus into db with --json; the summary (must succeed)."""
    summary, rc, err = h.index_json(db, corpus, extra=[str(x) for x in extra])
    if rc != 0 or summary is None:
        raise AssertionError(f"attache-index -d {db} {' '.join(map(str, extra))} exited {rc}: "
                             f"{err}")
    return summary


def counts(summary):
    return {k: summary[k] for k in ("added", "updated", "removed", "unchanged", "failed")}


def small_corpus(test, name="corpus"):
    tmp = h.tmp_for(test)
    return tmp, dm.write_corpus(os.path.join(tmp, name))


# ---------------------------------------------------------------------------
# xapian-tcpsrv


def group_members(pgid):
    """Live (not zombie) processes of process group pgid."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            out.append(int(name))
    return out


class TcpSrv:
    """xapian-tcpsrv serving one database folder on 127.0.0.1, in a session
    (and so a process group) of its own: killing the group takes down the
    server and the child it forked for each open connection."""

    def __init__(self, path, tmp, port=None, idle_ms=LONG_IDLE_MS):
        self.path, self.tmp = path, tmp
        self.port = port or dm.free_port()
        self.idle_ms = idle_ms
        self.proc = None
        self.gone = False  # killed and reaped: its group id may be reused
        self.err_path = os.path.join(tmp, f"tcpsrv-{self.port}-{time.monotonic_ns()}.stderr")

    @property
    def spec(self):
        return f"tcp://127.0.0.1:{self.port}"

    def stderr(self):
        try:
            with open(self.err_path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def start(self, timeout=20):
        cmd = [TCPSRV, "--port", str(self.port), "--interface", "127.0.0.1", "--quiet"]
        if self.idle_ms:
            cmd += ["--idle-timeout", str(self.idle_ms)]
        cmd.append(self.path)
        with open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                                         start_new_session=True)

        def listening():
            if self.proc.poll() is not None:
                raise AssertionError(f"xapian-tcpsrv exited with status {self.proc.returncode}"
                                     f" (port {self.port}): {self.stderr()[-1000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                return False

        h.wait_until(listening, timeout, f"xapian-tcpsrv listening on port {self.port}",
                     interval=0.02)
        return self

    def _group(self, sig):
        if self.proc is None or self.gone:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def freeze(self):
        """SIGSTOP the server and its connections: a shard that hangs."""
        self._group(signal.SIGSTOP)

    def thaw(self):
        self._group(signal.SIGCONT)

    def connections(self):
        """The children serving a connection now (the group but the server)."""
        if self.proc is None or self.gone:
            return []
        return [p for p in group_members(self.proc.pid) if p != self.proc.pid]

    def kill(self):
        """Take the shard down: SIGKILL the whole group (after SIGCONT), reap
        the server, and wait until no child of it serves a connection."""
        if self.proc is None or self.gone:
            return
        pgid = self.proc.pid
        self._group(signal.SIGCONT)
        self._group(signal.SIGKILL)
        self.proc.wait(timeout=30)
        h.wait_until(lambda: not group_members(pgid), 30,
                     f"the children of xapian-tcpsrv (group {pgid}) to end")
        self.gone = True


def start_tcpsrv(test, path, tmp, port=None, idle_ms=LONG_IDLE_MS):
    """A started TcpSrv killed when the test (or class) is done."""
    t = TcpSrv(path, tmp, port=port, idle_ms=idle_ms)
    if isinstance(test, type):
        test.addClassCleanup(t.kill)
    else:
        test.addCleanup(t.kill)
    return t.start()


# ---------------------------------------------------------------------------
# Asking a daemon


def ask(d, req, timeout=dm.IO_TIMEOUT):
    """One request on a connection of its own: the daemon hands connections
    to its workers in turn, and each worker keeps its own view of the
    shards, so successive calls visit every worker."""
    with d.connect(timeout=timeout) as c:
        return c.request(dict(req))


def search(d, req, timeout=dm.IO_TIMEOUT):
    """A search (req without "op") that must succeed."""
    r = ask(d, dict(req, op="search"), timeout)
    if r.get("ok") is not True:
        raise AssertionError(f"search {req!r} failed on {d.cmd()}: {r!r}")
    return r


def rows(resp):
    """What must be equal between layouts: (document, passage, score, rank)."""
    return [(x["doc"]["id"], x["passage"]["n"], round(x["score"], 6), x["rank"])
            for x in resp["hits"]]


def without_scores(resp):
    """The hits with everything but their score (text, snippet, matches...)."""
    return [{k: v for k, v in x.items() if k != "score"} for x in resp["hits"]]


def on_every_worker(d, req, ok):
    """ok(response) for len(workers) requests in a row on fresh connections
    (one on each worker): the last response, or None."""
    last = None
    for _ in range(d.threads or 1):
        r = ask(d, req)
        if not ok(r):
            return None
        last = r
    return last


def full(r):
    return r.get("ok") is True and "missing" not in r and "partial" not in r


def wait_full(d, req, timeout=REJOIN_TIMEOUT):
    """Send req until every worker answers it from all its databases (no
    "missing"); returns the last response."""
    return h.wait_until(lambda: on_every_worker(d, dict(req, op="search"), full), timeout,
                        f"{req!r} answered without a missing shard by {d.cmd()}",
                        interval=0.05)


# ---------------------------------------------------------------------------
# The real corpus: sharded and unsharded indexes, their layout and totals,
# and the same answers from every way of serving them.

BENCH_QUERIES = os.path.join(h.REPO, "bench", "queries.txt")


def bench_queries(n=20):
    with open(BENCH_QUERIES) as f:
        qs = [ln.strip() for ln in f if ln.strip() and not ln.startswith("#")]
    return qs[:n]


SPECIAL_QUERIES = [
    {"q": '"national debt"'},
    {"q": '"federal reserve" OR "balanced budget"'},
    {"q": "war", "filter": {"from": "1900", "to": "1950"}},
    {"q": "peace treaty", "filter": {"from": "1800-01-01", "to": "1899-12-31"}},
    {"q": "tariff", "per_doc": 1},
    {"q": "income tax", "offset": 10, "limit": 10},
    {"q": "income tax", "offset": 25, "limit": 5},
    {"q": "railroads", "sort": "date"},
    {"q": "railroads", "sort": "-date"},
    {"q": "slavery emancipation", "match": "any"},
    {"q": "gold silver", "match": "all"},
    {"q": "war NOT peace"},
    {"q": "soviet NEAR union"},
    {"q": "xylophone quixotic"},  # matches nothing (or almost): auto falls back to any
]

MISSPELLED = ["emancipatoin", "constitutoin", "goverment", "presidnet", "econmy",
              "railrods", "soybaens", "agricultrue"]


class RealCorpusTest(unittest.TestCase):
    """The real corpus indexed unsharded (U) and over three shards (S),
    once; daemons on U, on S, on S's three shards served by xapian-tcpsrv,
    and on S/s0of3 with the other two remote."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        require_programs(cls)
        cls.corpus = h.corpus_dir()
        if cls.corpus is None:
            raise unittest.SkipTest(h.NO_CORPUS)
        cls.tmp = h.tmp_for(cls)
        cls.U = os.path.join(cls.tmp, "U")
        cls.S = os.path.join(cls.tmp, "S")
        cls.sum_u = build(cls.corpus, cls.U)
        cls.sum_s = build(cls.corpus, cls.S, "--shards", 3)
        cls.stats_u = h.stats(cls.U)
        cls.stats_s = h.stats(cls.S)
        cls.shard_paths = [os.path.join(cls.S, shard_name(k, 3)) for k in range(3)]
        cls.shard_stats = [h.stats(p) for p in cls.shard_paths]
        cls.list_u = h.list_index(cls.U)
        cls.dU = dm.start_daemon(cls, cls.U, tmp=cls.tmp)
        cls.dS = dm.start_daemon(cls, cls.S, tmp=cls.tmp)
        cls.remote = []
        if TCPSRV is not None:
            cls.srv = [start_tcpsrv(cls, p, cls.tmp) for p in cls.shard_paths]
            specs = [t.spec for t in cls.srv]
            cls.dR = dm.start_daemon(cls, specs[0], "--db", specs[1], "--db", specs[2],
                                     tmp=cls.tmp)
            cls.dM = dm.start_daemon(cls, cls.shard_paths[0], "--db", specs[1],
                                     "--db", specs[2], tmp=cls.tmp)
            cls.remote = [("remote", cls.dR), ("mixed", cls.dM)]

    def setUp(self):
        for _, d in self.daemons():
            dm.check_alive(self, d)

    def daemons(self):
        """(name, daemon) of every way of serving the index, U first."""
        return [("unsharded", self.dU), ("sharded", self.dS)] + self.remote

    # -- the index ------------------------------------------------------------

    def test_sharded_stats_match_unsharded(self):
        self.assertEqual(counts(self.sum_s), counts(self.sum_u))
        self.assertEqual(self.sum_s["documents"], self.sum_u["documents"])
        self.assertEqual(self.sum_s["passages"], self.sum_u["passages"])
        s, u = self.stats_s, self.stats_u
        self.assertEqual(len(s["shards"]), 3, s)
        self.assertEqual(len(u["shards"]), 1, u)
        for k in ("documents", "passages", "files", "failed", "spelling_freq"):
            self.assertEqual(s[k], u[k], f"{k}: sharded {s} vs unsharded {u}")
        self.assertIs(s["consistent"], True, s)
        self.assertGreater(s["documents"], 200, "the real corpus has ~234 files")

    def test_layout(self):
        check_layout(self, self.S, 3)
        check_unsharded_layout(self, self.U)

    def test_each_shard_opens_alone(self):
        for k, st in enumerate(self.shard_stats):
            with self.subTest(shard=k):
                self.assertEqual(len(st["shards"]), 1, st)
                self.assertIs(st["consistent"], True, st)
                self.assertGreater(st["documents"], 0, f"3 shards of 234 files: none empty {st}")
        for key in ("documents", "passages", "files", "spelling_freq"):
            self.assertEqual(sum(st[key] for st in self.shard_stats), self.stats_s[key],
                             f"{key} of the shards add up to the total")

    def test_every_file_in_exactly_one_shard(self):
        lists = shard_lists(self.S, 3)
        where = shard_of(lists)  # raises on a file in two shards
        union = {}
        for listing in lists:
            union.update(listing)
        self.assertEqual(union, self.list_u,
                         "the shards' --list together are the unsharded --list")
        self.assertEqual(h.list_index(self.S), self.list_u, "--list of the sharded index")
        self.assertEqual(set(where), set(self.list_u))

    def test_count_is_remembered(self):
        tmp = h.tmp_for(self)
        db = h.copy_tree(self.S, os.path.join(tmp, "S"))
        before_stub, before_stats = stub_lines(db), h.stats(db)
        # a later run without --shards keeps the three shards
        summary, rc, err = h.index_json(db, self.corpus)
        self.assertEqual(rc, 0, err)
        self.assertEqual(counts(summary), dict(added=0, updated=0, removed=0,
                                               unchanged=self.sum_u["added"], failed=0))
        self.assertEqual(stub_lines(db), before_stub)
        check_layout(self, db, 3)
        after = h.stats(db)
        self.assertEqual(len(after["shards"]), 3)
        self.assertEqual({k: after[k] for k in ("documents", "passages", "files")},
                         {k: before_stats[k] for k in ("documents", "passages", "files")})
        # asking another count without --rebuild fails and changes nothing
        listing = h.list_text(db)
        summary, rc, err = h.index_json(db, self.corpus, extra=["--shards", "2"])
        self.assertEqual(rc, h.EXIT_USAGE, f"--shards 2 on a 3-shard index: {summary} {err}")
        self.assertIn("--rebuild", err)
        self.assertIsNone(summary, "no summary for a refused run")
        self.assertEqual(stub_lines(db), before_stub)
        check_layout(self, db, 3)
        self.assertEqual(h.list_text(db), listing)
        self.assertEqual(len(h.stats(db)["shards"]), 3)
        # the same count again is fine
        summary, rc, err = h.index_json(db, self.corpus, extra=["--shards", "3"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(summary["unchanged"], self.sum_u["added"], summary)

    # -- the daemons: the same answers -------------------------------------------

    def queries(self):
        return ([{"q": q} for q in bench_queries()] + SPECIAL_QUERIES)

    def require_remote(self):
        if not self.remote:
            self.skipTest(NO_TCPSRV)

    def test_same_hits_everywhere(self):
        names = [n for n, _ in self.daemons()]
        with_hits = 0
        for q in self.queries():
            req = dict({"limit": 20, "quotes": False}, **q)
            resps = [search(d, req) for _, d in self.daemons()]
            ru = resps[0]
            with_hits += bool(ru["hits"])
            for name, r in zip(names[1:], resps[1:]):
                with self.subTest(req=req, daemon=name):
                    self.assertNotIn("missing", r)
                    self.assertNotIn("partial", r)
                    self.assertEqual(rows(r), rows(ru),
                                     f"{name} vs unsharded: (doc, passage, score, rank) of "
                                     f"{req}; searched as one with combined statistics, the "
                                     f"hits and scores must be those of the unsharded index")
                    self.assertEqual(without_scores(r), without_scores(ru),
                                     f"{name} vs unsharded: hits of {req}")
                    self.check_totals(name, req, ru["total"], r["total"])
        self.assertGreater(with_hits, len(self.queries()) // 2, "most queries find something")

    def test_wildcards_find_the_same_passages(self):
        """Wildcards are expanded by Xapian in each shard against that
        shard's words, so their weights (and the order of their hits) are
        not those of one index (docs/SCALING.md, limits); the passages they
        match are the same."""
        for q in ("tax*", "railroad*", "emancipat*"):
            req = {"q": q, "limit": 20, "quotes": False}
            ru = search(self.dU, req)
            for name, d in self.daemons()[1:]:
                with self.subTest(q=q, daemon=name):
                    r = search(d, req)
                    self.assertNotIn("missing", r)
                    self.assertEqual(len(r["hits"]), len(ru["hits"]))
                    self.check_totals(name, req, ru["total"], r["total"])

    def check_totals(self, name, req, tu, t):
        exact_u = tu["lower"] == tu["upper"]
        if exact_u and t["lower"] == t["upper"]:
            self.assertEqual(t["estimate"], tu["estimate"], f"{name}: total of {req}")
        if exact_u:
            self.assertTrue(t["lower"] <= tu["estimate"] <= t["upper"],
                            f"{name}: total {t} of {req} excludes the exact count {tu}")

    def test_paging_is_consistent(self):
        req = {"q": "income tax", "quotes": False}
        for name, d in self.daemons():
            with self.subTest(daemon=name):
                whole = rows(search(d, dict(req, limit=30)))
                pages = []
                for off in (0, 10, 20):
                    pages += rows(search(d, dict(req, limit=10, offset=off)))
                self.assertEqual(pages, whole, f"{name}: three pages of 10 vs one of 30")
                self.assertEqual(len(whole), 30)

    def test_facets_equal(self):
        for req in ({"q": "tariff", "facets": True, "limit": 5},
                    {"q": "war", "facets": True, "limit": 5,
                     "filter": {"from": "1900", "to": "1950"}}):
            resps = [(n, search(d, req)) for n, d in self.daemons()]
            ru = resps[0][1]
            fu = ru.get("facets")
            self.assertIsInstance(fu, dict, ru)
            self.assertTrue(fu.get("year"), f"year facet of {req}: {fu}")
            self.assertLessEqual(sum(fu["year"].values()), ru["total"]["upper"])
            for name, r in resps[1:]:
                with self.subTest(req=req, daemon=name):
                    self.assertEqual(rows(r), rows(ru), f"{name}: hits of {req}")
                    f = r.get("facets") or {}
                    self.assertEqual(
                        f, fu, f"{name}: facets of {req} differ from the unsharded index's: "
                        f"the year counts add up to {sum(f.get('year', {}).values())}, not "
                        f"{sum(fu['year'].values())}, for {r['total']} matching passages "
                        f"(unsharded: {ru['total']})")

    def test_get_through_remote_shards(self):
        self.require_remote()
        top = search(self.dU, {"q": "income tax", "limit": 1})["hits"][0]
        fid, n = dm.hit_key(top)
        whole_u = ask(self.dU, {"op": "get", "doc": fid})
        one_u = ask(self.dU, {"op": "get", "doc": fid, "passage": n})
        self.assertIs(whole_u["ok"], True, whole_u)
        for name, d in self.daemons()[1:]:
            with self.subTest(daemon=name):
                whole = ask(d, {"op": "get", "doc": fid})
                self.assertIs(whole["ok"], True, f"{name}: get {fid}: {whole}")
                self.assertEqual(whole["doc"], whole_u["doc"])
                self.assertEqual(whole["passages"], whole_u["passages"])
                one = ask(d, {"op": "get", "doc": fid, "passage": n})
                self.assertIs(one["ok"], True, f"{name}: get {fid} passage {n}: {one}")
                self.assertEqual(one["passages"], one_u["passages"])
                self.assertEqual(one["passages"][0]["text"], top["passage"]["text"])
                dm.assert_error(self, ask(d, {"op": "get", "doc": "no/such-file.txt"}),
                                "not_found", what=f"{name}: get of an unknown document")
        # a document of each shard, through the daemon on the remote ones
        where = shard_of(shard_lists(self.S, 3))
        for k in range(3):
            fid = min(f for f, s in where.items() if s == k)
            got = ask(self.dR, {"op": "get", "doc": fid, "passage": 0})
            self.assertIs(got["ok"], True, f"get {fid} (shard {k}) through tcpsrv: {got}")
            self.assertEqual(got["doc"]["id"], fid)

    def test_spelling_of_local_shards(self):
        suggested = 0
        for word in MISSPELLED:
            with self.subTest(word=word):
                ru = search(self.dU, {"q": word, "limit": 5})
                rs = search(self.dS, {"q": word, "limit": 5})
                self.assertEqual(rs.get("spelling"), ru.get("spelling"),
                                 f"spelling of {word!r}: sharded vs unsharded")
                suggested += "spelling" in ru
        self.assertGreater(suggested, 0, "some misspelled word gets a suggestion")

    def test_stats_lists_shards(self):
        r = ask(self.dS, {"op": "stats"})
        self.assertIs(r["ok"], True, r)
        self.assertEqual(r["passages"], self.stats_u["passages"])
        self.assertEqual(r["shards"], [{"db": self.S, "state": "up",
                                        "revision": self.stats_s["revision"],
                                        "passages": self.stats_u["passages"]}])
        r = ask(self.dU, {"op": "stats"})
        self.assertEqual(r["shards"], [{"db": self.U, "state": "up",
                                        "revision": self.stats_u["revision"],
                                        "passages": self.stats_u["passages"]}])
        self.assertEqual(self.stats_u["shards"], r["shards"], "attache-index --stats --json")
        if not self.remote:
            return
        specs = [t.spec for t in self.srv]
        for name, d, dbs in (("remote", self.dR, specs),
                             ("mixed", self.dM, [self.shard_paths[0]] + specs[1:])):
            r = ask(d, {"op": "stats"})
            self.assertIs(r["ok"], True, r)
            self.assertEqual(r["passages"], self.stats_u["passages"], name)
            want = [{"db": db, "state": "up", "revision": st["revision"],
                     "passages": st["passages"]} for db, st in zip(dbs, self.shard_stats)]
            self.assertEqual(r["shards"], want, f"{name}: stats shards")


# ---------------------------------------------------------------------------
# The small corpus: resharding, updates, compaction, hot reload.


class ShardedIndexTest(unittest.TestCase):
    def setUp(self):
        require_programs(self)
        self.tmp, self.corpus = small_corpus(self)
        self.db = os.path.join(self.tmp, "S")

    def sharded(self, n=3):
        return build(self.corpus, self.db, "--shards", n)

    def daemon(self, db=None, *args):
        return dm.start_daemon(self, db or self.db, *args, tmp=self.tmp)

    def test_shard_count_range(self):
        for bad in ("0", "65", "-1", "x", ""):
            with self.subTest(shards=bad):
                db = os.path.join(self.tmp, f"bad{bad}")
                p = h.run_indexer("-d", db, "--shards", bad, "--no-progress", self.corpus)
                self.assertEqual(p.returncode, h.EXIT_USAGE, p.stderr)
                self.assertIn("--shards", p.stderr)
                self.assertFalse(os.path.exists(os.path.join(db, "XAPIANDB")),
                                 "no index made by a refused run")
        db = os.path.join(self.tmp, "s64")
        s = build(self.corpus, db, "--shards", 64)
        self.assertEqual(s["added"], dm.CORPUS_DOCS)
        check_layout(self, db, 64)
        st = h.stats(db)
        self.assertEqual((len(st["shards"]), st["documents"], st["consistent"]),
                         (64, dm.CORPUS_DOCS, True), st)

    def test_bad_shard_options_of_attached(self):
        self.sharded(3)
        for opts in (["--on-shard-failure", "maybe"], ["--shard-timeout", "5"],
                     ["--shard-timeout", "x"], ["--shard-retry", "0"]):
            with self.subTest(opts=opts):
                p = dm.run_daemon(["--db", self.db, "--listen", f"127.0.0.1:{dm.free_port()}",
                                   "--threads", "1"] + opts, timeout=30)
                self.assertEqual(p.returncode, dm.EXIT_USAGE, p.stderr)
                self.assertIn(opts[0], p.stderr)

    def test_reshard_and_back_to_one(self):
        first = self.sharded(3)
        check_layout(self, self.db, 3)
        listing, st3 = h.list_index(self.db), h.stats(self.db)
        totals = {k: st3[k] for k in ("documents", "passages", "files")}

        def same_index(n):
            st = h.stats(self.db)
            self.assertEqual(len(st["shards"]), n, st)
            self.assertIs(st["consistent"], True, st)
            self.assertEqual({k: st[k] for k in totals}, totals, f"{n} shards")
            self.assertEqual(h.list_index(self.db), listing, f"--list over {n} shards")

        s = build(self.corpus, self.db, "--rebuild", "--shards", 2)
        self.assertEqual(s["documents"], first["documents"])
        check_layout(self, self.db, 2)  # s0of3... are gone
        same_index(2)
        self.assertEqual(shard_of(shard_lists(self.db, 2)).keys(), listing.keys())
        # the new count is remembered
        s = build(self.corpus, self.db)
        self.assertEqual(counts(s), dict(added=0, updated=0, removed=0,
                                         unchanged=dm.CORPUS_DOCS, failed=0))
        check_layout(self, self.db, 2)
        # back to one database
        s = build(self.corpus, self.db, "--rebuild", "--shards", 1)
        self.assertEqual(s["added"], dm.CORPUS_DOCS)
        check_unsharded_layout(self, self.db)
        same_index(1)
        s = build(self.corpus, self.db)
        self.assertEqual(s["unchanged"], dm.CORPUS_DOCS, s)
        check_unsharded_layout(self, self.db)

    def test_unsharded_to_sharded_needs_rebuild(self):
        build(self.corpus, self.db)
        listing = h.list_text(self.db)
        summary, rc, err = h.index_json(self.db, self.corpus, extra=["--shards", "3"])
        self.assertEqual(rc, h.EXIT_USAGE, f"{summary} {err}")
        self.assertIn("--rebuild", err)
        check_unsharded_layout(self, self.db)
        self.assertEqual(h.list_text(self.db), listing)
        s = build(self.corpus, self.db, "--rebuild", "--shards", 3)
        self.assertEqual(s["added"], dm.CORPUS_DOCS)
        check_layout(self, self.db, 3)
        self.assertEqual(h.list_text(self.db), listing)

    def test_updates_reach_the_right_shard(self):
        self.sharded(3)
        before = shard_lists(self.db, 3)
        where = shard_of(before)
        changed, deleted = "news/soybeans.txt", "filler/f03.txt"
        with open(os.path.join(self.corpus, changed), "a") as f:
            f.write("\nA quokkafluxion of grain barges crowded the river at dawn.\n")
        os.remove(os.path.join(self.corpus, deleted))
        s = build(self.corpus, self.db)
        self.assertEqual(counts(s), dict(added=0, updated=1, removed=1,
                                         unchanged=dm.CORPUS_DOCS - 2, failed=0))
        st = h.stats(self.db)
        self.assertEqual((len(st["shards"]), st["documents"], st["consistent"]),
                         (3, dm.CORPUS_DOCS - 1, True), st)
        after = shard_lists(self.db, 3)
        self.assertEqual(shard_of(after), {f: k for f, k in where.items() if f != deleted},
                         "every file stays in its shard; the deleted one is in none")
        k = where[changed]
        self.assertNotEqual(after[k][changed], before[k][changed], "its hash changed")
        for j in range(3):  # only the shards of the two files changed
            want = {f: v for f, v in before[j].items() if f not in (changed, deleted)}
            self.assertEqual({f: v for f, v in after[j].items() if f != changed}, want,
                             f"the other files of shard {j}")
        # searched through a daemon on the sharded index, as a fresh
        # unsharded index of the same files answers
        fresh = os.path.join(self.tmp, "U")
        build(self.corpus, fresh)
        d, du = self.daemon(), self.daemon(fresh)
        r = search(d, {"q": "quokkafluxion"})
        self.assertEqual([dm.hit_key(x)[0] for x in r["hits"]], [changed], r)
        for q in ("quokkafluxion", "grain barges", dm.BIG_QUERY, "soybeans"):
            self.assertEqual(rows(search(d, {"q": q, "limit": 200})),
                             rows(search(du, {"q": q, "limit": 200})), q)
        big = search(d, {"q": dm.BIG_QUERY, "limit": 500})
        self.assertNotIn(deleted, {x["doc"]["id"] for x in big["hits"]})
        dm.assert_error(self, ask(d, {"op": "get", "doc": deleted}), "not_found",
                        what="get of the deleted file")

    def test_compact_each_shard(self):
        self.sharded(3)
        listing, st = h.list_text(self.db), h.stats(self.db)
        gens = [h.live_generation(os.path.join(self.db, n)) for n in shard_folders(self.db)]
        d = self.daemon()
        hits = rows(search(d, {"q": dm.BIG_QUERY, "limit": 200}))
        p = h.run_indexer("-d", self.db, "--compact")
        self.assertEqual(p.returncode, 0, p.stderr)
        check_layout(self, self.db, 3)
        after = [h.live_generation(os.path.join(self.db, n)) for n in shard_folders(self.db)]
        for k, (g0, g1) in enumerate(zip(gens, after)):
            self.assertNotEqual(g1, g0, f"shard {k} compacted into a new generation")
            self.assertEqual(h.generations(os.path.join(self.db, shard_name(k, 3))), [g1],
                             f"the old generation of shard {k} is removed")
        st2 = h.stats(self.db)
        for k in ("documents", "passages", "files", "shards"):
            self.assertEqual(st2[k], st[k], k)
        self.assertIs(st2["consistent"], True, st2)
        self.assertEqual(h.list_text(self.db), listing)
        # the daemon follows the swap, with the same answers
        req = {"q": dm.BIG_QUERY, "limit": 200}
        h.wait_until(lambda: on_every_worker(d, dict(req, op="search"),
                                             lambda r: full(r) and rows(r) == hits),
                     10, "the same hits after --compact")

    def test_hot_reload_across_shards(self):
        self.sharded(3)
        d = self.daemon()
        rev0 = ask(d, {"op": "ping"})["revision"]
        self.assertEqual(search(d, {"q": "zanzibarite"})["hits"], [])
        new = "news/hot.txt"
        h.write(os.path.join(self.corpus, new),
                "Title: Hot news\nDate: 2025-12-01\nSource: AP\n\n"
                "Zanzibarite deposits were found near the harbour.\n")
        s = build(self.corpus, self.db)
        self.assertEqual(s["added"], 1, s)
        where = shard_of(shard_lists(self.db, 3))
        self.assertIn(new, where)

        def found(r):
            return (r.get("ok") is True and [dm.hit_key(x)[0] for x in r["hits"]] == [new]
                    and r["revision"] > rev0)

        r = h.wait_until(lambda: on_every_worker(d, {"op": "search", "q": "zanzibarite"}, found),
                         10, "the new document in every worker's answers")
        self.assertGreater(ask(d, {"op": "ping"})["revision"], rev0)
        self.assertEqual(r["hits"][0]["doc"]["title"], "Hot news")

    def test_reshard_under_a_running_daemon(self):
        self.sharded(3)
        d = self.daemon()
        req = {"q": dm.BIG_QUERY, "limit": 200}
        hits = rows(search(d, req))
        build(self.corpus, self.db, "--rebuild", "--shards", 2)
        check_layout(self, self.db, 2)
        h.wait_until(lambda: on_every_worker(d, dict(req, op="search"),
                                             lambda r: full(r) and rows(r) == hits),
                     10, "the same hits after resharding")
        # the daemon reads the new shards: a change made in them shows
        with open(os.path.join(self.corpus, "news/sanctions-eu.txt"), "a") as f:
            f.write("\nThe brigantine flotilla left the harbour.\n")
        build(self.corpus, self.db)
        h.wait_until(lambda: on_every_worker(
            d, {"op": "search", "q": "brigantine"},
            lambda r: [dm.hit_key(x)[0] for x in r.get("hits", [])] == ["news/sanctions-eu.txt"]),
            10, "a change made after resharding")
        st = ask(d, {"op": "stats"})
        self.assertEqual(st["shards"][0]["state"], "up", st)
        self.assertEqual(st["passages"], h.stats(self.db)["passages"])


# ---------------------------------------------------------------------------
# Remote shards that go away, hang and come back (small corpus).

QUERIES = [{"q": dm.BIG_QUERY, "limit": 100, "quotes": False},
           {"q": "sanctions shipping", "limit": 20},
           {"q": "farmers soybeans", "limit": 20, "match": "any"}]


class RemoteShardTest(unittest.TestCase):
    """S: the small corpus over three shards; U: unsharded. Each test serves
    S/s1of3 and S/s2of3 with xapian-tcpsrv and starts attached on
    S/s0of3 + those; shard 1 is the one that goes away."""

    maxDiff = None
    VICTIM = 1

    @classmethod
    def setUpClass(cls):
        require_programs(cls, tcpsrv=True)
        cls.tmp, cls.corpus = small_corpus(cls)
        cls.U = os.path.join(cls.tmp, "U")
        cls.S = os.path.join(cls.tmp, "S")
        build(cls.corpus, cls.U)
        build(cls.corpus, cls.S, "--shards", 3)
        cls.paths = [os.path.join(cls.S, shard_name(k, 3)) for k in range(3)]
        cls.where = shard_of(shard_lists(cls.S, 3))
        cls.victim_docs = {f for f, k in cls.where.items() if k == cls.VICTIM}
        others = [p for k, p in enumerate(cls.paths) if k != cls.VICTIM]
        # what a full answer and an answer without the victim look like
        dU = dm.start_daemon(cls, cls.U, tmp=cls.tmp)
        dO = dm.start_daemon(cls, others[0], "--db", others[1], tmp=cls.tmp)
        cls.ref_full = [rows(search(dU, q)) for q in QUERIES]
        cls.ref_without = [rows(search(dO, q)) for q in QUERIES]
        dU.cleanup()
        dO.cleanup()

    def setUp(self):
        self.assertTrue(self.victim_docs, "the victim shard holds some files")
        self.assertNotEqual(self.ref_full[0], self.ref_without[0],
                            "the victim shard matters to the first query")
        self.assertTrue(any(x[0] in self.victim_docs for x in self.ref_full[0]))

    def serve(self, k, port=None, idle_ms=LONG_IDLE_MS):
        return start_tcpsrv(self, self.paths[k], self.tmp, port=port, idle_ms=idle_ms)

    def mixed_daemon(self, *args, threads=2):
        """tcpsrv for shards 1 and 2, attached on s0of3 + both."""
        self.srv = {k: self.serve(k) for k in (1, 2)}
        return dm.start_daemon(self, self.paths[0], "--db", self.srv[1].spec,
                               "--db", self.srv[2].spec, *args, tmp=self.tmp, threads=threads)

    def assert_full(self, d):
        for q, want in zip(QUERIES, self.ref_full):
            r = search(d, q)
            self.assertTrue(full(r), f"{q}: {r}")
            self.assertEqual(rows(r), want, f"full answer to {q} (as from the unsharded index)")

    def partial_answers(self, d, spec, timeout=dm.IO_TIMEOUT):
        """Each query of QUERIES once, with spec out of reach: each must be
        answered, flagged partial, with spec missing. [(q, response,
        seconds)]."""
        out = []
        for q in QUERIES:
            t0 = time.monotonic()
            r = search(d, q, timeout=timeout)
            took = time.monotonic() - t0
            self.assertIs(r.get("partial"), True, f"{q} without {spec} (in {took:.2f} s): {r}")
            self.assertIn(spec, r.get("missing", []), f"{q} (in {took:.2f} s): {r}")
            out.append((q, r, took))
        return out

    def check_partial(self, answers, spec, states=None):
        """The partial answers are those of the shards still in reach: only
        spec is missing, and the hits are the other shards' hits."""
        for (q, r, took), want in zip(answers, self.ref_without):
            self.assertEqual(r.get("missing"), [spec],
                             f"only the shard out of reach ({spec}) may be missing, the "
                             f"others answer; {q} (in {took:.2f} s); shards: {states}")
            self.assertEqual(rows(r), want, f"{q}: the answer of the other shards")
            self.assertFalse({x["doc"]["id"] for x in r["hits"]} & self.victim_docs,
                             "no hit from the missing shard")

    def assert_partial(self, d, spec, timeout=dm.IO_TIMEOUT):
        self.check_partial(self.partial_answers(d, spec, timeout), spec)

    def shard_states(self, d):
        r = ask(d, {"op": "stats"})
        self.assertIs(r["ok"], True, r)
        return r["shards"]

    def restart(self, k, port):
        return self.serve(k, port=port)

    def test_partial_then_rejoin(self):
        d = self.mixed_daemon()  # default --shard-retry (1000 ms)
        self.assert_full(d)
        conns0 = ask(d, {"op": "stats"})["connections"]["total"]
        victim = self.srv[self.VICTIM]
        victim.kill()
        for _ in range(d.threads):  # each worker finds it out
            self.assert_partial(d, victim.spec)
        for _ in range(d.threads):
            states = self.shard_states(d)
            self.assertEqual([s["db"] for s in states],
                             [self.paths[0], self.srv[1].spec, self.srv[2].spec])
            out = states[self.VICTIM]
            self.assertEqual(out["state"], "out", states)
            self.assertIsInstance(out.get("error"), str, states)
            self.assertTrue(out["error"], states)
            self.assertEqual([s["state"] for k, s in enumerate(states) if k != self.VICTIM],
                             ["up", "up"], states)
        # the server comes back on the same port
        self.restart(self.VICTIM, victim.port)
        t0 = time.monotonic()
        wait_full(d, QUERIES[0])
        took = time.monotonic() - t0
        self.assert_full(d)
        for _ in range(d.threads):
            states = self.shard_states(d)
            self.assertEqual([s["state"] for s in states], ["up"] * 3,
                             f"{states} ({took:.2f} s after the restart)")
        self.assertTrue(d.running(), "attached did not restart")
        self.assertGreater(ask(d, {"op": "stats"})["connections"]["total"], conns0,
                           "the same daemon counts on (it was not restarted)")

    def test_error_mode(self):
        d = self.mixed_daemon("--on-shard-failure", "error", "--shard-retry", "200")
        self.assert_full(d)
        victim = self.srv[self.VICTIM]
        victim.kill()
        for _ in range(d.threads):
            r = ask(d, dict(QUERIES[0], op="search"))
            dm.assert_error(self, r, "unavailable", what="a search with a shard out")
            self.assertIn(victim.spec, r["error"]["message"])
            self.assertIs(ask(d, {"op": "ping"}).get("pong"), True, "ping still works")
        self.restart(self.VICTIM, victim.port)
        wait_full(d, QUERIES[0])
        self.assert_full(d)

    def test_hanging_shard(self):
        d = self.mixed_daemon("--shard-timeout", "500", "--shard-retry", "200")
        self.assert_full(d)
        victim = self.srv[self.VICTIM]
        victim.freeze()
        self.addCleanup(victim.thaw)
        answers, states = [], []
        for _ in range(d.threads):
            # the client's 10 s time-out bounds the wait; the time taken is
            # only reported
            answers += self.partial_answers(d, victim.spec, timeout=10)
            states.append(self.shard_states(d))
        victim.thaw()
        t0 = time.monotonic()
        wait_full(d, QUERIES[0])
        self.assert_full(d)
        self.assertLess(time.monotonic() - t0, REJOIN_TIMEOUT)
        # (checked last, so that the rejoin above is tested all the same)
        self.check_partial(answers, victim.spec, states)

    def test_startup_with_a_remote_shard_down(self):
        d = dm.Daemon(self.paths[0], self.tmp, "--shard-retry", "200")
        port = dm.free_port()
        while port == d.port:
            port = dm.free_port()
        spec = f"tcp://127.0.0.1:{port}"
        # the remote one first: attached must not take it for the only one
        d.db = spec
        d.args = ["--db", self.paths[0]] + d.args
        self.addCleanup(d.cleanup)
        d.start()
        self.assertIn(spec, d.stderr(), "a warning names the shard out of reach")
        dO = dm.start_daemon(self, self.paths[0], tmp=self.tmp)
        dF = dm.start_daemon(self, self.paths[0], "--db", self.paths[1], tmp=self.tmp)
        for _ in range(d.threads):
            for q in QUERIES:
                r = search(d, q)
                self.assertIs(r.get("partial"), True, r)
                self.assertEqual(r.get("missing"), [spec], r)
                self.assertEqual(rows(r), rows(search(dO, q)), f"{q}: shard 0 alone")
        states = self.shard_states(d)
        self.assertEqual([s["state"] for s in states], ["out", "up"], states)
        self.serve(1, port=port)
        wait_full(d, QUERIES[0])
        for q in QUERIES:
            self.assertEqual(rows(search(d, q)), rows(search(dF, q)),
                             f"{q}: shards 0 and 1 once the server is up")
        self.assertEqual([s["state"] for s in self.shard_states(d)], ["up", "up"])

    def check_refused(self, dbs, what):
        sock = os.path.join(self.tmp, "refused.sock")
        args = []
        for db in dbs:
            args += ["--db", db]
        p = dm.run_daemon(args + ["--listen", f"127.0.0.1:{dm.free_port()}", "--socket", sock,
                                  "--threads", "1"], timeout=30)
        self.assertEqual(p.returncode, dm.EXIT_USAGE, f"{what}: {p.stderr}")
        self.assertTrue(p.stderr.strip(), f"{what}: a message on stderr")
        return p.stderr

    def test_only_unreachable_remotes(self):
        ports = [dm.free_port(), dm.free_port()]
        specs = [f"tcp://127.0.0.1:{p}" for p in ports]
        err = self.check_refused(specs, "two remote databases out of reach")
        for s in specs:
            self.assertIn(s, err)
        err = self.check_refused(specs[:1], "one remote database out of reach")
        self.assertIn(specs[0], err)

    def test_bad_remote_spec(self):
        for spec in ("tcp://nohost", "tcp://127.0.0.1:", "tcp://:7000", "tcp://127.0.0.1:0",
                     "tcp://127.0.0.1:70000", "tcp://127.0.0.1:12x"):
            with self.subTest(spec=spec):
                err = self.check_refused([spec], "a bad spec")
                self.assertIn(spec, err)
                # also next to a good database: a mistake, not a shard out
                err = self.check_refused([self.paths[0], spec], "a bad spec with a good db")
                self.assertIn(spec, err)

    def test_remote_shard_follows_updates(self):
        tmp = h.tmp_for(self)
        corpus = h.copy_tree(self.corpus, os.path.join(tmp, "corpus"))
        db = os.path.join(tmp, "S")
        build(corpus, db, "--shards", 3)
        srv = [start_tcpsrv(self, os.path.join(db, shard_name(k, 3)), tmp) for k in range(3)]
        d = dm.start_daemon(self, srv[0].spec, "--db", srv[1].spec, "--db", srv[2].spec,
                            tmp=tmp)
        rev0 = ask(d, {"op": "ping"})["revision"]
        where = shard_of(shard_lists(db, 3))
        # a change in a file of each shard
        changed = {}
        for k in range(3):
            fid = min(f for f, s in where.items() if s == k)
            word = f"glockenspiel{'abc'[k]}x"
            with open(os.path.join(corpus, fid), "a") as f:
                f.write(f"\nThe {word} played on the quay.\n")
            changed[word] = fid
        s = build(corpus, db)
        self.assertEqual(s["updated"], 3, s)
        for word, fid in changed.items():
            h.wait_until(lambda: on_every_worker(
                d, {"op": "search", "q": word},
                lambda r: [dm.hit_key(x)[0] for x in r.get("hits", [])] == [fid]
                and "missing" not in r),
                10, f"{word} (changed in {fid}) through xapian-tcpsrv")
        self.assertGreater(ask(d, {"op": "ping"})["revision"], rev0)


class IdleConnectionTest(unittest.TestCase):
    """xapian-tcpsrv closes a connection that stays idle longer than its
    --idle-timeout (60 s by default). A server that is up must not count as
    out of reach because it closed an idle connection: the next search
    reconnects and answers in full."""

    def test_server_closing_an_idle_connection(self):
        require_programs(self, tcpsrv=True)
        tmp, corpus = small_corpus(self)
        db = os.path.join(tmp, "S")
        build(corpus, db, "--shards", 2)
        srv = start_tcpsrv(self, os.path.join(db, "s1of2"), tmp, idle_ms=300)
        d = dm.start_daemon(self, os.path.join(db, "s0of2"), "--db", srv.spec, tmp=tmp,
                            threads=1)
        req = {"q": dm.BIG_QUERY, "limit": 50}
        first = search(d, req)
        self.assertTrue(full(first), first)
        # the server ends each connection child once it has been idle 300 ms
        h.wait_until(lambda: not srv.connections(), 20,
                     "xapian-tcpsrv to close the idle connections")
        r = search(d, req)
        self.assertTrue(full(r),
                        f"BUG: xapian-tcpsrv closed the daemon's idle connection (its "
                        f"--idle-timeout; 60 s by default) and the next search left the shard "
                        f"out though its server is up and reachable: missing "
                        f"{r.get('missing')}; stats: {ask(d, {'op': 'stats'}).get('shards')}")
        self.assertEqual(rows(r), rows(first))


if __name__ == "__main__":
    unittest.main()
