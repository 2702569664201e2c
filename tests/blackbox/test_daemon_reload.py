"""Black-box tests of attached following its index while serving: commits
of attache-index (added, changed and removed files) show up within a few
seconds with a growing revision, and --rebuild / --compact swaps do not
disturb clients searching all the while.
"""
import os
import signal
import threading
import time
import unittest

import daemon as dm
import harness as h

DEADLINE = 5  # seconds for a commit to show (the daemon checks every 200 ms)


class Searcher(threading.Thread):
    """A client searching without pause until stopped; every failure (an
    error response, a search without hits, a lost connection) is kept."""

    def __init__(self, d, q="trade", kind="unix"):
        super().__init__(daemon=True)
        self.d, self.q, self.kind = d, q, kind
        self.errors, self.count, self.revisions = [], 0, []
        self.halt = threading.Event()

    def run(self):
        try:
            with self.d.connect(self.kind) as c:
                while not self.halt.is_set():
                    self.count += 1
                    rid = self.count
                    r = c.request({"id": rid, "op": "search", "q": self.q, "limit": 5})
                    if not r["ok"] or r["id"] != rid:
                        self.errors.append(f"search {rid}: {str(r)[:300]}")
                    elif not r["hits"]:
                        self.errors.append(f"search {rid}: no hits: {str(r)[:300]}")
                    else:
                        self.revisions.append(r["revision"])
                    if rid % 10 == 0:
                        r = c.request({"id": -rid, "op": "get", "doc": "news/soybeans.txt"})
                        if not r["ok"]:
                            self.errors.append(f"get: {str(r)[:300]}")
        except Exception as e:
            self.errors.append(f"after {self.count} searches: {e!r}")

    def finish(self, test, monotonic=True):
        self.halt.set()
        self.join(60)
        test.assertFalse(self.is_alive(), "the searching client hangs")
        test.assertEqual(self.errors[:10], [], f"{len(self.errors)} failures while serving")
        test.assertGreater(self.count, 5, "the client searched all along")
        if monotonic:
            test.assertEqual(self.revisions, sorted(self.revisions),
                             "the revision never goes back")


class ReloadTest(unittest.TestCase):
    def setUp(self):
        dm.skip_without_daemon()
        self.tmp, self.corpus, self.db = dm.small_index(self)
        self.d = dm.start_daemon(self, self.db, tmp=self.tmp)
        self.c = self.d.connect()
        self.addCleanup(self.c.close)

    def index(self, *extra):
        p = h.run_indexer("-d", self.db, "--no-progress", *extra, self.corpus)
        self.assertEqual(p.returncode, 0, p.stderr)
        return time.monotonic()

    def search(self, q, **params):
        return self.c.call(dict(op="search", q=q, limit=1000, **params))

    def wait_for(self, cond, what, since):
        h.wait_until(cond, DEADLINE, what, interval=0.05)
        took = time.monotonic() - since
        self.assertLess(took, DEADLINE + 1, what)

    def test_added_changed_removed_files_show_up(self):
        rev0 = self.c.call({"op": "ping"})["revision"]
        self.assertEqual(self.search("zanzibarite")["hits"], [])
        s1 = Searcher(self.d, "trade", "unix")
        s2 = Searcher(self.d, "soybeans", "tcp")
        s1.start()
        s2.start()
        self.addCleanup(s1.halt.set)
        self.addCleanup(s2.halt.set)

        # A new file with a new word.
        h.write(os.path.join(self.corpus, "news", "spice.txt"),
                "Title: Clove harvest\nDate: 2025-12-01\nSource: AP\n\n"
                "Traders in Stone Town said the zanzibarite clove harvest doubled this year.\n")
        t = self.index()
        self.wait_for(lambda: self.search("zanzibarite")["hits"], "the new document", t)
        r = self.search("zanzibarite")
        self.assertEqual([dm.hit_key(x) for x in r["hits"]], [("news/spice.txt", 0)])
        rev1 = r["revision"]
        self.assertGreater(rev1, rev0, "the revision grows with a commit")
        self.assertEqual(rev1, h.stats(self.db)["revision"])
        self.assertEqual(self.c.call({"op": "ping"})["revision"], rev1)
        st = self.c.call({"op": "stats"})
        self.assertEqual((st["revision"], st["documents"]), (rev1, dm.CORPUS_DOCS + 1))

        # A changed file.
        title, date, source, url, paras = dm.NEWS["news/soybeans.txt"]
        paras = paras[:2] + ["The agreement also covers quinoa and lentils from the plains."]
        h.write(os.path.join(self.corpus, "news", "soybeans.txt"),
                dm.news_text(title, date, source, url, paras))
        t = self.index()
        self.wait_for(lambda: self.search("quinoa")["hits"], "the changed document", t)
        get = self.c.call({"op": "get", "doc": "news/soybeans.txt", "passage": 2})
        self.assertEqual(get["passages"][0]["text"], paras[2])
        self.assertEqual(self.search("tariffs", filter={"doc": "news/soybeans.txt"})["hits"],
                         [], "the old text is gone")
        rev2 = get["revision"]
        self.assertGreater(rev2, rev1)

        # A removed file.
        self.assertTrue(self.search("", filter={"doc": "filler/f03.txt"})["hits"])
        os.remove(os.path.join(self.corpus, "filler", "f03.txt"))
        t = self.index()

        def gone():
            r = self.c.request({"op": "get", "doc": "filler/f03.txt"})
            return (not r["ok"] and dm.error_code(r) == "not_found"
                    and not self.search("", filter={"doc": "filler/f03.txt"})["hits"])

        self.wait_for(gone, "the removed document gone", t)
        self.assertNotIn("filler/f03.txt",
                         {x["doc"]["id"] for x in self.search("trade")["hits"]})
        r = self.c.call({"op": "stats"})
        self.assertGreater(r["revision"], rev2)
        self.assertEqual(r["documents"], dm.CORPUS_DOCS)
        self.assertEqual(r["passages"], h.stats(self.db)["passages"])
        s1.finish(self)
        s2.finish(self)
        self.assertGreater(s1.revisions[-1], s1.revisions[0], "a client saw the new revisions")

    def test_many_commits_while_searching(self):
        searchers = [Searcher(self.d, q, kind) for q, kind in
                     (("trade", "unix"), ("tariff", "tcp"), ("soybeans", "unix"))]
        for s in searchers:
            s.start()
            self.addCleanup(s.halt.set)
        for i in range(30):
            h.write(os.path.join(self.corpus, "more", f"m{i:02d}.txt"),
                    f"Title: More {i}\nDate: 2020-01-{i + 1:02d}\nSource: AP\n\n"
                    + h.article(5000 + i) + f"\nThe marker word is quokka{i}.\n")
        t = self.index("--batch", "10")
        self.wait_for(lambda: len({x["doc"]["id"] for x in self.search("quokka*")["hits"]})
                      == 30, "30 new documents", t)
        for s in searchers:
            s.finish(self)

    def test_rebuild_and_compact_while_serving(self):
        before = [dm.hit_key(x) for x in self.search("trade")["hits"]]
        s1 = Searcher(self.d, "trade", "unix")
        s2 = Searcher(self.d, "lifeline", "tcp")
        s1.start()
        s2.start()
        self.addCleanup(s1.halt.set)
        self.addCleanup(s2.halt.set)
        gen0 = h.live_generation(self.db)
        for extra in (("--rebuild",), ("--rebuild",)):
            self.index(*extra)
        p = h.run_indexer("-d", self.db, "--compact")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotEqual(h.live_generation(self.db), gen0)
        self.assertFalse(os.path.exists(os.path.join(self.db, gen0)), "the old generation")
        self.assertEqual([dm.hit_key(x) for x in self.search("trade")["hits"]], before)
        # The daemon follows the new generation: a later commit shows up.
        h.write(os.path.join(self.corpus, "news", "late.txt"),
                "Title: Late\nDate: 2025-12-02\nSource: AP\n\nA wombatite shipment arrived.\n")
        t = self.index()
        self.wait_for(lambda: self.search("wombatite")["hits"], "a commit after the swaps", t)
        # (The revision across a rebuild is test_revision_grows_across_rebuild's.)
        s1.finish(self, monotonic=False)
        s2.finish(self, monotonic=False)
        st = self.c.call({"op": "stats"})
        self.assertEqual(st["documents"], dm.CORPUS_DOCS + 1)
        self.assertEqual(st["revision"], h.stats(self.db)["revision"])

    def test_revision_grows_across_rebuild(self):
        # PROTOCOL.md: "revision ... grows with every commit of attache-index";
        # a client may cache answers by revision, so a rebuild must not
        # bring back an older number.
        rev0 = self.c.call({"op": "ping"})["revision"]
        t = self.index("--rebuild")
        self.wait_for(lambda: h.live_generation(self.db) and
                      self.c.call({"op": "stats"})["revision"] == h.stats(self.db)["revision"],
                      "the daemon on the rebuilt index", t)
        self.assertGreater(self.c.call({"op": "ping"})["revision"], rev0,
                           f"revision after --rebuild (attache-index --stats says "
                           f"{h.stats(self.db)['revision']}, it was {rev0})")


class ReloadSettingsTest(unittest.TestCase):
    """SIGHUP reads the config file again: every limit of stats.limits takes
    its new value (the settings table marks them reloadable), the others
    (here --threads) stay, and a file with an error changes nothing."""

    FIRST = {"max-connections": 300, "evict-idle": 2000, "max-line": 4000,
             "idle-timeout": 120, "request-timeout": 20, "query-time": 1000,
             "max-wildcard": 200, "max-output": 200000}
    SECOND = {"max-connections": 40, "evict-idle": 0, "max-line": 5000,
              "idle-timeout": 60, "request-timeout": 0, "query-time": 900,
              "max-wildcard": 20, "max-output": 300000}
    KEYS = {"max-connections": "max_connections", "evict-idle": "evict_idle_ms",
            "max-line": "max_line", "idle-timeout": "idle_timeout_s",
            "request-timeout": "request_timeout_s", "query-time": "query_time_ms",
            "max-wildcard": "max_wildcard", "max-output": "max_output"}

    def setUp(self):
        dm.skip_without_daemon()
        self.tmp, self.corpus, self.db = dm.small_index(self)
        self.conf = os.path.join(self.tmp, "attached.conf")

    def write_config(self, settings):
        h.write(self.conf + ".new", "".join(f"{k} = {v}\n" for k, v in settings.items()))
        os.replace(self.conf + ".new", self.conf)

    def limits(self, c, settings):
        lim = c.call({"op": "stats"})["limits"]
        return {k: lim[self.KEYS[k]] for k in settings}

    def test_sighup_reloads_every_limit(self):
        self.write_config(dict(self.FIRST, threads=2))
        d = dm.start_daemon(self, None, "--config", self.conf, "--db", self.db, tmp=self.tmp,
                            threads=None)
        c = d.connect()
        self.addCleanup(c.close)
        self.assertEqual(self.limits(c, self.FIRST), self.FIRST)
        self.write_config(dict(self.SECOND, threads=3))
        d.signal(signal.SIGHUP)
        h.wait_until(lambda: self.limits(c, self.SECOND) == self.SECOND, DEADLINE,
                     "the second file's limits after SIGHUP")
        self.assertEqual(c.call({"op": "stats"})["threads"], 2, "--threads is not reloaded")

        self.write_config(dict(self.FIRST, **{"max-line": "1e3"}))
        since = len(d.stderr())
        d.signal(signal.SIGHUP)
        h.wait_until(lambda: "keeping the old one" in d.stderr()[since:], DEADLINE,
                     "the SIGHUP error")
        err = d.stderr()[since:]
        self.assertIn(f'{self.conf}:3: bad value for option "max-line"', err)
        self.assertEqual(self.limits(c, self.SECOND), self.SECOND, "a bad file changes nothing")
        self.assertTrue(d.running())


if __name__ == "__main__":
    unittest.main()
