"""Black-box tests of the index format guard: an index (or every shard of
one) stamped with another format than this attache's (metadata key
attache:format) is refused by attached and by attache-index, with a
message naming the fix, attache-index --rebuild, which then works.

The stamp is set with build/<flavour>/tests/set_index_meta (tests/tools/),
which writes a metadata key into every database of an index folder.
"""
import os
import subprocess
import unittest

import daemon as dm
import harness as h

FORMAT_KEY = "attache:format"
REFUSAL = ("index format 7 is not supported by this attache (format 3): "
           "rebuild it with attache-index --rebuild")


def helper():
    flavour = os.environ.get("ATTACHE_FLAVOUR", "rel")
    return os.path.join(h.REPO, "build", flavour, "tests", "set_index_meta")


def restamp(db, value):
    p = subprocess.run([helper(), db, FORMAT_KEY, value], capture_output=True, text=True,
                       timeout=60, stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        raise AssertionError(f"set_index_meta exited {p.returncode}: {p.stderr}")


def snapshot(db):
    """Every file under db but the lock files (attache's and Xapian's
    flintlock, touched by each run that takes them): relative path ->
    (size, mtime in ns)."""
    files = {}
    for root, _, names in os.walk(db):
        for name in names:
            if name in ("attache.lock", "flintlock"):
                continue
            path = os.path.join(root, name)
            st = os.stat(path)
            files[os.path.relpath(path, db)] = (st.st_size, st.st_mtime_ns)
    return files


class IndexVersionTest(unittest.TestCase):
    maxDiff = None
    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        if not os.path.exists(helper()):
            raise unittest.SkipTest(f"{helper()} not built (make check-build)")

    def setUp(self):
        self.tmp = h.tmp_for(self)
        self.corpus = dm.write_corpus(os.path.join(self.tmp, "corpus"))
        self.db = os.path.join(self.tmp, "db")

    def daemon_args(self):
        return ["--db", self.db, "--socket", os.path.join(self.tmp, "s.sock"),
                "--listen", f"127.0.0.1:{dm.free_port()}", "--threads", "1"]

    def assertRefused(self, p, what):
        self.assertEqual(p.returncode, h.EXIT_USAGE,
                         f"{what}: exit status {p.returncode}; stderr: {p.stderr}")
        self.assertIn(REFUSAL, p.stderr, f"{what}: the message names the fix")

    def check_guard(self, *build_args):
        dm.build_index(self.corpus, self.db, *build_args)
        restamp(self.db, "7")
        before = snapshot(self.db)

        self.assertRefused(dm.run_daemon(self.daemon_args()), "attached")
        h.write(os.path.join(self.corpus, "news", "late.txt"),
                "Title: Late news\nDate: 2025-12-01\n\nThe zanzibarite harvest was late.\n")
        self.assertRefused(h.run_indexer("-d", self.db, "--no-progress", self.corpus),
                           "attache-index DB PATH")
        self.assertRefused(h.run_indexer("-d", self.db, "--compact"), "attache-index --compact")
        self.assertRefused(h.run_indexer("-d", self.db, "--stats"), "attache-index --stats")
        self.assertEqual(snapshot(self.db), before, "the refused runs left the index as it was")

        p = h.run_indexer("-d", self.db, "--no-progress", "--quiet", "--rebuild", self.corpus)
        self.assertEqual(p.returncode, h.EXIT_OK, f"--rebuild: {p.stdout} {p.stderr}")
        d = dm.start_daemon(self, self.db, tmp=self.tmp)
        with d.connect() as c:
            r = c.call({"op": "search", "q": "zanzibarite"})
            self.assertEqual([dm.hit_key(x)[0] for x in r["hits"]], ["news/late.txt"])
            self.assertEqual(c.call({"op": "stats"})["documents"], dm.CORPUS_DOCS + 1)
        # The rebuilt index carries this attache's format: later runs accept it.
        p = h.run_indexer("-d", self.db, "--no-progress", "--quiet", self.corpus)
        self.assertEqual(p.returncode, h.EXIT_OK, f"after --rebuild: {p.stderr}")

    def test_index(self):
        self.check_guard()

    def test_sharded_index(self):
        self.check_guard("--shards", "2")


if __name__ == "__main__":
    unittest.main()
