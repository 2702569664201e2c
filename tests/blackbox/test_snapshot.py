"""Black-box tests of attache-index --snapshot and --restore: a snapshot is
an index folder of its own (attached and --stats read it, xapian-check
passes) holding what the live index held; one taken while an indexer
commits holds whole batches; a sharded index is copied shard by shard; a
folder that is not empty is refused, and an interrupted snapshot leaves no
half folder; --restore swaps a snapshot in while a daemon serves, which
answers from it without a restart. See docs/RELIABILITY.md, "Backups".
"""
import os
import shutil
import signal
import subprocess
import unittest

import daemon as dm
import harness as h

QUERIES = ("trade", "soybeans", "sanctions harbour", dm.BIG_QUERY)


def snapshot(db, target, *extra):
    return h.run_indexer("-d", db, "--snapshot", target, *extra)


def restore(db, source, *extra):
    return h.run_indexer("-d", db, "--restore", source, *extra)


def answers(d):
    """What a daemon answers to QUERIES: (document, passage, score, rank)."""
    out = {}
    for q in QUERIES:
        with d.connect() as c:
            r = c.call({"op": "search", "q": q, "limit": 1000})
        out[q] = [(x["doc"]["id"], x["passage"]["n"], round(x["score"], 6), x["rank"])
                  for x in r["hits"]]
    return out


def figures(st):
    return {k: st[k] for k in ("documents", "passages", "files")}


def xapian_check(test, path):
    if shutil.which("xapian-check") is None:
        test.skipTest("xapian-check is not installed (apt-get install xapian-tools)")
    p = subprocess.run(["xapian-check", path], capture_output=True, text=True, timeout=600,
                       stdin=subprocess.DEVNULL)
    test.assertEqual(p.returncode, 0, f"xapian-check {path}: {(p.stdout + p.stderr)[-2000:]}")


def databases(folder):
    """The generation folders an index folder's stubs name."""
    with open(os.path.join(folder, "XAPIANDB")) as f:
        named = [ln.split()[1] for ln in f if ln.strip()]
    if len(named) == 1 and named[0].startswith("g"):
        return [os.path.join(folder, named[0])]
    return [db for sub in named for db in databases(os.path.join(folder, sub))]


class SnapshotTest(unittest.TestCase):
    def setUp(self):
        dm.skip_without_daemon()
        self.tmp, self.corpus, self.db = dm.small_index(self)
        self.snap = os.path.join(self.tmp, "snap")

    def take(self, db=None, target=None):
        p = snapshot(db or self.db, target or self.snap)
        self.assertEqual(p.returncode, h.EXIT_OK, p.stderr)
        self.assertIn("snapshot of", p.stdout)
        return target or self.snap

    def test_round_trip(self):
        """The snapshot serves what the index served; restored after the
        index changed, the index answers as before."""
        st0, list0 = h.stats(self.db), h.list_text(self.db)
        d = dm.start_daemon(self, self.db, tmp=self.tmp)
        want = answers(d)
        self.take()
        self.assertEqual(sorted(os.listdir(self.snap)), ["XAPIANDB", "g1"])
        self.assertEqual(figures(h.stats(self.snap)), figures(st0))
        self.assertIs(h.stats(self.snap)["consistent"], True)
        self.assertEqual(h.list_text(self.snap), list0)
        for path in databases(self.snap):
            xapian_check(self, path)
        on_snap = dm.start_daemon(self, self.snap, tmp=self.tmp)
        self.assertEqual(answers(on_snap), want, "attached --db SNAPSHOT")
        on_snap.stop()
        # the index changes; the restore brings back what was copied
        os.remove(os.path.join(self.corpus, "news/soybeans.txt"))
        h.write(os.path.join(self.corpus, "news/extra.txt"), "Title: Extra\n\n" + h.article(7))
        dm.build_index(self.corpus, self.db)
        self.assertNotEqual(h.list_text(self.db), list0)
        rev = h.stats(self.db)["revision"]
        p = restore(self.db, self.snap)
        self.assertEqual(p.returncode, h.EXIT_OK, p.stderr)
        self.assertIn("restored", p.stdout)
        self.assertEqual(h.list_text(self.db), list0)
        st = h.stats(self.db)
        self.assertEqual(figures(st), figures(st0))
        self.assertGreater(st["revision"], rev, "the revision never goes back")
        self.assertEqual(h.generations(self.db), [h.live_generation(self.db)])
        h.wait_until(lambda: answers(d) == want, 10, "the daemon answering as before")
        # the snapshot itself is untouched, and the next run takes it from there
        self.assertEqual(h.list_text(self.snap), list0)
        s, rc, err = h.index_json(self.db, self.corpus)
        self.assertEqual((rc, s["added"], s["removed"]), (0, 1, 1), err)

    def test_sharded(self):
        db = dm.build_index(self.corpus, os.path.join(self.tmp, "sharded"), "--shards", "3")
        st0, list0 = h.stats(db), h.list_text(db)
        self.take(db)
        with open(os.path.join(self.snap, "XAPIANDB")) as f:
            self.assertEqual(f.read().split(), ["auto", "s0of3", "auto", "s1of3", "auto",
                                                "s2of3"])
        self.assertEqual(sorted(os.listdir(self.snap)), ["XAPIANDB", "s0of3", "s1of3",
                                                         "s2of3"])
        st = h.stats(self.snap)
        self.assertEqual(figures(st), figures(st0))
        self.assertEqual([s["passages"] for s in st["shards"]],
                         [s["passages"] for s in st0["shards"]])
        self.assertEqual(h.list_text(self.snap), list0)
        for path in databases(self.snap):
            self.assertEqual(os.path.basename(path), "g1")
            xapian_check(self, path)
        # restored into the unsharded index, that index becomes sharded
        p = restore(self.db, self.snap)
        self.assertEqual(p.returncode, h.EXIT_OK, p.stderr)
        self.assertEqual(sorted(n for n in os.listdir(self.db) if n != "attache.lock"),
                         ["XAPIANDB", "s0of3", "s1of3", "s2of3"])
        self.assertEqual(h.list_text(self.db), list0)
        self.assertEqual(len(h.stats(self.db)["shards"]), 3)

    def test_target_must_be_new_or_empty(self):
        os.makedirs(self.snap)
        h.write(os.path.join(self.snap, "keep.txt"), "mine\n")
        p = snapshot(self.db, self.snap)
        self.assertEqual(p.returncode, h.EXIT_USAGE, p.stderr)
        self.assertIn("not an empty folder", p.stderr)
        self.assertEqual(os.listdir(self.snap), ["keep.txt"])
        self.assertFalse(os.path.exists(self.snap + ".tmp"))
        os.remove(os.path.join(self.snap, "keep.txt"))
        p = snapshot(self.db, self.snap + "/")  # an empty folder will do, named as a folder
        self.assertEqual(p.returncode, h.EXIT_OK, p.stderr)
        self.assertIn("XAPIANDB", os.listdir(self.snap))
        self.assertFalse(os.path.exists(self.snap + ".tmp"))

    def test_interrupted_snapshot_leaves_no_folder(self):
        """A snapshot is written into DIR.tmp and renamed when complete: the
        leftover of an interrupted one is no DIR, and the next snapshot
        clears it. A DIR.tmp that is not such a leftover is refused."""
        tmp = self.snap + ".tmp"
        os.makedirs(os.path.join(tmp, "g1"))
        h.write(os.path.join(tmp, "g1", "postlist.glass"), "half\n")
        self.assertFalse(os.path.exists(self.snap))
        self.take()
        self.assertFalse(os.path.exists(tmp))
        self.assertEqual(h.list_text(self.snap), h.list_text(self.db))
        other = os.path.join(self.tmp, "other")
        h.write(os.path.join(other + ".tmp", "notes.txt"), "mine\n")
        p = snapshot(self.db, other)
        self.assertEqual(p.returncode, h.EXIT_USAGE, p.stderr)
        self.assertIn("not the leftover of a snapshot", p.stderr)
        self.assertEqual(os.listdir(other + ".tmp"), ["notes.txt"])
        self.assertFalse(os.path.exists(other))

    def test_restore_refuses_what_is_not_a_snapshot(self):
        list0 = h.list_text(self.db)
        gen = os.path.join(self.db, h.live_generation(self.db))
        plain = os.path.join(self.tmp, "plain")
        os.makedirs(plain)
        h.write(os.path.join(plain, "a.txt"), "x\n")
        for source, why in ((plain, "no attache index"), (gen, "plain Xapian database"),
                            (os.path.join(self.tmp, "nothing"), "is not a folder"),
                            (self.db, "the index itself")):
            p = restore(self.db, source)
            self.assertEqual(p.returncode, h.EXIT_USAGE, f"{source}: {p.stderr}")
            self.assertIn(why, p.stderr, source)
        self.assertEqual(h.list_text(self.db), list0)
        self.assertEqual(h.generations(self.db), [h.live_generation(self.db)])

    def test_usage(self):
        for args, why in ((["--snapshot", self.snap, self.corpus], "no PATH"),
                          (["--snapshot", self.snap, "--compact"], "no other mode"),
                          (["--restore", self.snap, "--rebuild"], "no other mode")):
            p = h.run_indexer("-d", self.db, *args)
            self.assertEqual(p.returncode, h.EXIT_USAGE, f"{args}: {p.stderr}")
            self.assertIn(why, p.stderr, args)


class RestoreWhileServingTest(unittest.TestCase):
    def test_daemon_follows_a_restore(self):
        dm.skip_without_daemon()
        tmp, corpus, db = dm.small_index(self)
        d = dm.start_daemon(self, db, tmp=tmp)
        want = answers(d)
        with d.connect() as c:
            rev0 = c.call({"op": "stats"})["revision"]
        snap = os.path.join(tmp, "snap")
        self.assertEqual(snapshot(db, snap).returncode, 0)
        shutil.rmtree(os.path.join(corpus, "filler"))
        dm.build_index(corpus, db)

        def docs():
            with d.connect() as c:
                return c.call({"op": "stats"})

        h.wait_until(lambda: docs()["documents"] == len(dm.NEWS), 10, "the removal served")
        p = restore(db, snap)
        self.assertEqual(p.returncode, h.EXIT_OK, p.stderr)
        st = h.wait_until(lambda: (lambda s: s if s["documents"] == dm.CORPUS_DOCS else None)(
            docs()), 10, "the restored index served")
        self.assertGreater(st["revision"], rev0)
        h.wait_until(lambda: answers(d) == want, 10, "the answers of before")
        self.assertTrue(d.running())


class SnapshotWhileIndexingTest(unittest.TestCase):
    """Snapshots of an index an indexer run is adding files to: each is a
    valid index holding the files of before and whole batches of the new
    ones, in walk order."""

    NEW = 240

    def setUp(self):
        self.tmp = h.tmp_for(self)
        self.corpus = os.path.join(self.tmp, "corpus")
        for i in range(20):
            h.write(os.path.join(self.corpus, "a", f"f{i:03d}.txt"), h.article(i))
        self.db = dm.build_index(self.corpus, os.path.join(self.tmp, "db"))
        self.before = h.list_index(self.db)
        for i in range(self.NEW):
            h.write(os.path.join(self.corpus, "b", f"f{i:03d}.txt"), h.article(500 + i))
        # the index the run will make, for whole-file comparisons
        self.final = h.list_index(dm.build_index(self.corpus, os.path.join(self.tmp, "ref")))
        self.n = 0

    def check(self, snap, what):
        listing = h.list_index(snap)
        st = h.stats(snap)
        self.assertIs(st["consistent"], True, f"{what}: {st}")
        new = sorted(k for k in listing if k.startswith("b/"))
        self.assertEqual({k: v for k, v in listing.items() if k.startswith("a/")}, self.before,
                         what)
        self.assertEqual(new, sorted(k for k in self.final if k.startswith("b/"))[:len(new)],
                         f"{what}: the first new files in walk order")
        for k in new:
            self.assertEqual(listing[k], self.final[k], f"{what}: {k} whole")
        for path in databases(snap):
            xapian_check(self, path)
        return len(new)

    def next_snap(self):
        self.n += 1
        return os.path.join(self.tmp, f"snap{self.n}")

    def test_snapshots_during_a_run(self):
        run = h.start_indexer("-d", self.db, "--no-progress", "--quiet", "--batch", "60",
                              self.corpus)
        self.addCleanup(h.stop, run)
        seen, frozen = [], 0
        rev = h.stats(self.db)["revision"]

        def committed():
            return run.poll() is not None or h.stats(self.db)["revision"] > rev

        # Frozen (SIGSTOP) the run holds the lock and maybe a transaction:
        # the snapshot copies the last commit.
        while frozen < 3:
            h.wait_until(committed, 60, "a commit of the run")
            if run.poll() is not None:
                break
            run.send_signal(signal.SIGSTOP)
            try:
                snap = self.next_snap()
                p = snapshot(self.db, snap)
            finally:
                run.send_signal(signal.SIGCONT)
            self.assertEqual(p.returncode, h.EXIT_OK, f"snapshot of a frozen run: {p.stderr}")
            seen.append(self.check(snap, f"snapshot {self.n} (run frozen)"))
            rev = h.stats(snap)["revision"]
            frozen += 1
        self.assertGreater(frozen, 0, "the run ended before a snapshot could be taken")
        # Running: a copy overtaken by commits is tried again; past the
        # tries it waits for the lock (--wait), so it always completes.
        snap = self.next_snap()
        p = snapshot(self.db, snap, "--wait", "300")
        self.assertEqual(p.returncode, h.EXIT_OK, p.stderr)
        seen.append(self.check(snap, f"snapshot {self.n} (run going on)"))
        out, err = run.communicate(timeout=h.scaled(300))
        self.assertEqual(run.returncode, 0, err)
        self.assertEqual(seen, sorted(seen), "later snapshots hold more")
        snap = self.next_snap()
        self.assertEqual(snapshot(self.db, snap).returncode, 0)
        self.assertEqual(self.check(snap, "after the run"), self.NEW)


if __name__ == "__main__":
    unittest.main()
