"""Black-box tests of the gate a new generation passes before --rebuild or
--compact puts it live: documents and passages within --max-shrink of the
live index's, no file lost that is still on disk, every --canary query
finding a passage. A failed gate exits 4, names each failed check with its
figures, keeps the old generation live (for --stats and a serving daemon)
and the new one in DB/rejected. See docs/RELIABILITY.md, "The canary gate".
"""
import os
import shutil
import unittest

import daemon as dm
import harness as h

EXIT_REJECTED = 4


def figures(st):
    return {k: st[k] for k in ("documents", "passages", "files")}


class CanaryTest(unittest.TestCase):
    def setUp(self):
        dm.skip_without_daemon()
        self.tmp, self.corpus, self.db = dm.small_index(self)
        self.st0 = h.stats(self.db)
        self.rejected = os.path.join(self.db, "rejected")

    def rebuild(self, *extra, db=None, paths=None):
        return h.run_indexer("-d", db or self.db, "--no-progress", "--rebuild", *extra,
                             *(paths or [self.corpus]))

    def canary(self, *lines):
        path = os.path.join(self.tmp, "canary.txt")
        h.write(path, "".join(ln + "\n" for ln in lines))
        return path

    def assertRejected(self, p, *words):
        self.assertEqual(p.returncode, EXIT_REJECTED, p.stderr)
        self.assertIn("failed its checks and was not put live", p.stderr)
        for w in words:
            self.assertIn(w, p.stderr)
        self.assertTrue(os.path.isfile(os.path.join(self.rejected, "REJECTED")))

    def test_shrink_rejected_then_allowed(self):
        d = dm.start_daemon(self, self.db, tmp=self.tmp)
        live = h.live_generation(self.db)
        shutil.rmtree(os.path.join(self.corpus, "filler"))  # 12 of the 16 files
        p = self.rebuild()
        n = len(dm.NEWS)
        self.assertRejected(p, f"documents: {n} in the new generation against "
                            f"{dm.CORPUS_DOCS} live", "passages: ", "--max-shrink 10")
        self.assertNotIn("files:", p.stderr, "the deleted files are gone from disk")
        # the old generation is still live, for --stats and for the daemon
        self.assertEqual(h.live_generation(self.db), live)
        self.assertEqual(h.generations(self.db), [live])
        self.assertEqual(figures(h.stats(self.db)), figures(self.st0))
        with d.connect() as c:
            self.assertEqual(c.call({"op": "stats"})["documents"], dm.CORPUS_DOCS)
        # the rejected one is kept as an index folder of its own
        self.assertEqual(h.stats(self.rejected)["documents"], n)
        with open(os.path.join(self.rejected, "REJECTED")) as f:
            self.assertIn("documents: ", f.read())
        # a second rejection replaces it: only the last one is kept
        p = self.rebuild("--max-shrink", "50")
        self.assertRejected(p, "--max-shrink 50")
        self.assertEqual(len([x for x in os.listdir(self.rejected) if x.startswith("g")]), 1)
        # --max-shrink 100 turns the check off: it goes live, rejected/ goes
        p = self.rebuild("--max-shrink", "100")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotEqual(h.live_generation(self.db), live)
        self.assertFalse(os.path.exists(self.rejected))
        self.assertEqual(h.stats(self.db)["documents"], n)
        h.wait_until(lambda: d.connect().call({"op": "stats"})["documents"] == n, 10,
                     "the daemon serving the new generation")

    def test_a_small_loss_is_allowed(self):
        os.remove(os.path.join(self.corpus, "filler/f00.txt"))  # 1 of 16: 6%
        p = self.rebuild()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(h.stats(self.db)["documents"], dm.CORPUS_DOCS - 1)
        self.assertFalse(os.path.exists(self.rejected))

    def test_lost_files_still_on_disk(self):
        """A rebuild given only part of the folders loses files that still
        exist: rejected, even with a loose --max-shrink."""
        news = os.path.join(self.tmp, "news-only")
        shutil.copytree(self.corpus, news)
        shutil.rmtree(os.path.join(news, "filler"))
        live = h.live_generation(self.db)
        p = self.rebuild("--max-shrink", "90", paths=[news])
        self.assertRejected(p, "files: 12 of the 16 files the live index records are not "
                            "in the new generation but still on disk (the first: "
                            "filler/f00.txt)")
        self.assertEqual(h.live_generation(self.db), live)

    def test_canary_queries(self):
        p = self.rebuild("--canary", self.canary("# what must always be found", "",
                                                 "soybeans", "  harbour tankers  "))
        self.assertEqual(p.returncode, 0, p.stderr)
        live = h.live_generation(self.db)
        p = self.rebuild("--canary", self.canary("soybeans", "zanzibarite"))
        self.assertRejected(p, 'canary: query "zanzibarite" finds nothing')
        self.assertNotIn('"soybeans"', p.stderr)
        self.assertEqual(h.live_generation(self.db), live)
        p = self.rebuild("--canary", self.canary("trade AND"))
        self.assertRejected(p, 'canary: query "trade AND" does not parse')

    def test_compact_passes_on_a_healthy_index(self):
        list0, live = h.list_text(self.db), h.live_generation(self.db)
        p = h.run_indexer("-d", self.db, "--compact", "--canary", self.canary("soybeans"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("compacted", p.stdout)
        self.assertNotEqual(h.live_generation(self.db), live)
        self.assertEqual(h.list_text(self.db), list0)
        self.assertFalse(os.path.exists(self.rejected))
        p = h.run_indexer("-d", self.db, "--compact", "--canary", self.canary("zanzibarite"))
        self.assertRejected(p, "zanzibarite")
        self.assertEqual(h.list_text(self.db), list0)

    def test_sharded(self):
        db = dm.build_index(self.corpus, os.path.join(self.tmp, "sharded"), "--shards", "3")
        st0 = h.stats(db)
        self.rejected = os.path.join(db, "rejected")
        p = h.run_indexer("-d", db, "--compact", "--canary", self.canary("soybeans"))
        self.assertEqual(p.returncode, 0, p.stderr)
        shutil.rmtree(os.path.join(self.corpus, "filler"))
        p = self.rebuild(db=db)
        self.assertRejected(p, "documents: ")
        self.assertEqual(figures(h.stats(db)), figures(st0))
        self.assertEqual(len(h.stats(self.rejected)["shards"]), 3)
        self.assertEqual(h.stats(self.rejected)["documents"], len(dm.NEWS))
        p = self.rebuild("--max-shrink", "100", "--shards", "2", db=db)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(h.stats(db)["shards"]), 2)

    def test_usage(self):
        for args, why in ((["--canary", self.canary("x"), self.corpus], "--rebuild or --compact"),
                          (["--max-shrink", "10", self.corpus], "--rebuild or --compact"),
                          (["--rebuild", "--max-shrink", "101", self.corpus], "0 to 100"),
                          (["--rebuild", "--canary", self.canary("# none"), self.corpus],
                           "no query"),
                          (["--compact", "--canary", os.path.join(self.tmp, "nope")],
                           "--canary")):
            p = h.run_indexer("-d", self.db, *args)
            self.assertEqual(p.returncode, h.EXIT_USAGE, f"{args}: {p.stderr}")
            self.assertIn(why, p.stderr, args)
        self.assertEqual(figures(h.stats(self.db)), figures(self.st0))


if __name__ == "__main__":
    unittest.main()
