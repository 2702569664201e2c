"""Black-box tests of attache-index: command line, summaries, incremental
updates, remembered failures, locking, interruption (SIGTERM, SIGKILL),
rebuild and compaction, run against the real programs.

Tests that need the real corpus (../shared/corpus, or var/corpus after
`make run`) skip with a reason when it is missing.
"""
import atexit
import os
import random
import re
import shutil
import signal
import tempfile
import subprocess
import time
import unittest

import daemon as dm
import harness as h

# Kill points of the SIGKILL tests are drawn from this seed (override with
# ATTACHE_TEST_SEED to explore other points; a failure message names it).
SEED = int(os.environ.get("ATTACHE_TEST_SEED", "20251124"))

DOC_EXTENSIONS = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".jsonl",
                  ".ndjson")


def count_documents(root):
    """Files the indexer reads under root: 234 in ../shared/corpus (seed/
    and 233 sotu/*.txt; sotu/LICENSE is ignored), 233 in the var/corpus that
    make run fetches."""
    n = 0
    for folder, subdirs, files in os.walk(root or "/nonexistent"):
        subdirs[:] = [d for d in subdirs if not d.startswith(".")]
        n += sum(1 for f in files if not f.startswith(".") and f.lower().endswith(DOC_EXTENSIONS))
    return n


_SOURCE = None


def corpus_source():
    """The real corpus. When it has no seed/ article (the var/corpus that
    make run fetches holds the speeches only), a copy of it with a stand-in
    seed/trump-xi-call.txt, so that the same tests run on it."""
    global _SOURCE
    if _SOURCE is None:
        root = h.corpus_dir()
        if root is None or os.path.isdir(os.path.join(root, "seed")):
            _SOURCE = root or ""
        else:
            tmp = tempfile.mkdtemp(prefix="attache-corpus-")
            atexit.register(shutil.rmtree, tmp, True)
            _SOURCE = os.path.join(tmp, "corpus")
            h.copy_tree(root, _SOURCE)
            h.write(os.path.join(_SOURCE, "seed", "trump-xi-call.txt"),
                    "Title: A stand-in report\n\n" + h.article(1))
    return _SOURCE or None


CORPUS_FILES = count_documents(corpus_source())
SUMMARY_LINE = re.compile(
    r"^(\d+) added, (\d+) updated, (\d+) removed, (\d+) unchanged, (\d+) failed"
    r"(?: \((\d+) skipped[^)]*\))?; (\d+) documents, (\d+) passages in [0-9.]+ s$")


def counts(summary):
    """The per-file counts of a summary, for exact comparison."""
    return {k: summary[k] for k in ("added", "updated", "removed", "unchanged", "failed",
                                    "skipped")}


def expect(added=0, updated=0, removed=0, unchanged=0, failed=0, skipped=0):
    return dict(added=added, updated=updated, removed=removed, unchanged=unchanged,
                failed=failed, skipped=skipped)


def list_passages(listing):
    return sum(v[2] for v in listing.values() if v[0] == "ok")


def list_documents(listing):
    return sum(v[1] for v in listing.values() if v[0] == "ok")


class Checks:
    """Assertions shared by the test classes (a mixin for TestCase)."""

    def assertIndexed(self, db, paths, expected, rc=0, extra=()):
        """Index paths with --json; assert the exit status and the exact
        per-file counts; return the summary."""
        summary, code, err = h.index_json(db, *paths, extra=extra)
        self.assertIsNotNone(summary, f"no JSON summary; exit {code}, stderr: {err}")
        self.assertEqual(set(summary), h.SUMMARY_KEYS, summary)
        self.assertEqual(counts(summary), expect(**expected), f"stderr: {err}")
        self.assertEqual(code, rc, f"exit status; stderr: {err}")
        self.assertIs(summary["interrupted"], False)
        self.summary_stderr = err
        return summary

    def assertConsistent(self, db, listing=None):
        """--stats agrees with itself and with --list; returns the stats."""
        st = h.stats(db)
        self.assertEqual(set(st), h.STATS_KEYS, st)
        self.assertIs(st["consistent"], True, st)
        listing = h.list_index(db) if listing is None else listing
        self.assertEqual(st["files"], len(listing), st)
        self.assertEqual(st["failed"], sum(v[0] == "failed" for v in listing.values()), st)
        self.assertEqual(st["passages"], list_passages(listing), st)
        self.assertEqual(st["documents"], list_documents(listing), st)
        return st

    def assertSameListing(self, got, want, what):
        missing = sorted(set(want) - set(got))
        extra = sorted(set(got) - set(want))
        differ = sorted(k for k in set(got) & set(want) if got[k] != want[k])
        self.assertEqual((missing, extra, differ[:5]), ([], [], []),
                         f"{what}: listing differs (missing, extra, different): "
                         + "; ".join(f"{k}: {got[k]} != {want[k]}" for k in differ[:5]))


# ---------------------------------------------------------------------------
# The real corpus: first and second run, incremental changes, rebuild,
# compaction, SIGKILL and SIGTERM mid-run. One clean build is shared.


class CorpusTest(Checks, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.shared = corpus_source()
        if cls.shared is None:
            return  # each test skips, by name (setUp)
        cls.tmp = h.tmp_for(cls)
        # The indexed folder is a copy (same times), restored before each
        # test that changes it, so the records' root stays the same path.
        cls.work = os.path.join(cls.tmp, "corpus")
        h.copy_tree(cls.shared, cls.work)
        cls.db0 = os.path.join(cls.tmp, "db0")
        p = h.run_indexer("-d", cls.db0, "--json", "--no-progress", cls.work)
        cls.first = (p.returncode, p.stdout, p.stderr)
        cls.summary0 = h.parse_json_line(p.stdout) if p.stdout.strip() else None
        cls.stats0 = h.stats(cls.db0, check=False)
        cls.list_text0 = h.run_indexer("--list", "-d", cls.db0).stdout
        cls.list0 = h.parse_list(cls.list_text0)
        p = h.run_indexer("-d", cls.db0, "--json", "--no-progress", cls.work)
        cls.second = (p.returncode, p.stdout, p.stderr)
        cls.stats1 = h.stats(cls.db0, check=False)
        cls.n = 0

    def setUp(self):
        if self.shared is None:
            self.skipTest(h.NO_CORPUS)

    def fresh(self):
        """A private (corpus, db) pair: the corpus copy restored to its
        original state at the path the clean build used, and a copy of the
        clean build's index."""
        if os.path.exists(self.work):
            shutil.rmtree(self.work)
        h.copy_tree(self.shared, self.work)
        self.addCleanup(shutil.rmtree, self.work, ignore_errors=True)
        type(self).n += 1
        db = os.path.join(self.tmp, f"db-{self.n}")
        h.copy_tree(self.db0, db)
        self.addCleanup(shutil.rmtree, db, ignore_errors=True)
        return self.work, db

    def new_db(self, name):
        type(self).n += 1
        db = os.path.join(self.tmp, f"{name}-{self.n}")
        self.addCleanup(shutil.rmtree, db, ignore_errors=True)
        return db

    # -- first and second run ------------------------------------------------

    def test_first_run_summary(self):
        rc, out, err = self.first
        self.assertEqual(rc, 0, err)
        s = self.summary0
        self.assertEqual(set(s), h.SUMMARY_KEYS)
        self.assertEqual(counts(s), expect(added=CORPUS_FILES), err)
        self.assertEqual(s["documents"], CORPUS_FILES)
        self.assertGreater(s["passages"], 10 * CORPUS_FILES)  # speeches split up
        self.assertIs(s["interrupted"], False)
        self.assertIsInstance(s["seconds"], (int, float))
        self.assertGreaterEqual(s["seconds"], 0)

    def test_first_run_listing(self):
        lines = self.list_text0.splitlines()
        self.assertEqual(len(lines), CORPUS_FILES)
        ids = [ln.split("\t")[0] for ln in lines]
        self.assertEqual(ids, sorted(ids, key=lambda s: s.encode()), "sorted by id")
        self.assertIn("seed/trump-xi-call.txt", self.list0)
        self.assertEqual(sum(i.startswith("sotu/") and i.endswith(".txt") for i in ids), 233)
        self.assertNotIn("sotu/LICENSE", self.list0)
        for fid, v in self.list0.items():
            self.assertEqual(v[0], "ok", f"{fid}: {v}")
            self.assertEqual(v[1], 1, f"{fid}: one document")
            self.assertGreaterEqual(v[2], 1, f"{fid}: passages")
            self.assertRegex(v[3], r"^[0-9a-f]{32}$", fid)
        self.assertEqual(list_passages(self.list0), self.summary0["passages"])
        # Every speech is long: it spans several passages.
        self.assertGreater(self.list0["sotu/1790_george_washington_n.txt"][2], 1)

    def test_first_run_stats(self):
        st = self.stats0
        self.assertIsNotNone(st)
        self.assertEqual(set(st), h.STATS_KEYS)
        self.assertEqual(st["documents"], CORPUS_FILES)
        self.assertEqual(st["files"], CORPUS_FILES)
        self.assertEqual(st["failed"], 0)
        self.assertEqual(st["passages"], self.summary0["passages"])
        self.assertGreater(st["terms"], 1000)
        self.assertGreater(st["bytes"], 0)
        self.assertGreaterEqual(st["revision"], 1)
        self.assertIs(st["consistent"], True)

    def test_second_run_changes_nothing(self):
        rc, out, err = self.second
        self.assertEqual(rc, 0, err)
        s = h.parse_json_line(out)
        self.assertEqual(counts(s), expect(unchanged=CORPUS_FILES), err)
        self.assertEqual(s["documents"], CORPUS_FILES)
        self.assertEqual(s["passages"], self.summary0["passages"])
        # Nothing changed: nothing committed, same revision.
        self.assertEqual(self.stats1["revision"], self.stats0["revision"])
        self.assertIs(self.stats1["consistent"], True)

    def test_plain_summary_line_and_quiet(self):
        corpus, db = self.fresh()
        p = h.run_indexer("-d", db, "--no-progress", corpus)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        m = SUMMARY_LINE.match(p.stdout.strip())
        self.assertIsNotNone(m, p.stdout)
        self.assertEqual(m.group(4), str(CORPUS_FILES))  # unchanged
        self.assertEqual(m.group(7), str(CORPUS_FILES))  # documents
        self.assertEqual(m.group(8), str(self.summary0["passages"]))
        os.utime(os.path.join(corpus, "seed", "trump-xi-call.txt"))
        with open(os.path.join(corpus, "sotu", "1790_george_washington_n.txt"), "a") as f:
            f.write("\n\nA closing paragraph added for the test.\n")
        p = h.run_indexer("-d", db, "--quiet", corpus)
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "", ""))
        # It did its work all the same.
        self.assertEqual(h.list_index(db)["sotu/1790_george_washington_n.txt"][2],
                         self.list0["sotu/1790_george_washington_n.txt"][2] + 1)

    # -- incremental runs on a copy -----------------------------------------

    def test_touch_keeps_file_unchanged(self):
        corpus, db = self.fresh()
        rev0 = h.stats(db)["revision"]
        for fid in ("seed/trump-xi-call.txt", "sotu/1862_abraham_lincoln_r.txt"):
            path = os.path.join(corpus, fid)
            self.assertTrue(os.path.isfile(path), path)
            st = os.stat(path)
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
        s = self.assertIndexed(db, [corpus], dict(unchanged=CORPUS_FILES))
        self.assertEqual((s["documents"], s["passages"]),
                         (CORPUS_FILES, self.summary0["passages"]))
        listing = h.list_index(db)
        self.assertSameListing(listing, self.list0, "after touch")
        self.assertConsistent(db, listing)
        self.assertGreaterEqual(h.stats(db)["revision"], rev0)
        # The new times were recorded: the next run has nothing to do.
        rev1 = h.stats(db)["revision"]
        self.assertIndexed(db, [corpus], dict(unchanged=CORPUS_FILES))
        self.assertEqual(h.stats(db)["revision"], rev1)

    def test_changed_content_is_updated(self):
        corpus, db = self.fresh()
        rev0 = h.stats(db)["revision"]
        fid = "sotu/1790_george_washington_n.txt"
        with open(os.path.join(corpus, fid), "a") as f:
            f.write("\n\nThe treaty with the northern tribes was signed at the harbour.\n"
                    "\nA second new paragraph about the public credit and the loan.\n")
        s = self.assertIndexed(db, [corpus], dict(updated=1, unchanged=CORPUS_FILES - 1))
        self.assertEqual(s["documents"], CORPUS_FILES)
        self.assertEqual(s["passages"], self.summary0["passages"] + 2)
        listing = h.list_index(db)
        self.assertEqual(listing[fid][:3], ("ok", 1, self.list0[fid][2] + 2))
        self.assertNotEqual(listing[fid][3], self.list0[fid][3], "new hash")
        others = {k: v for k, v in listing.items() if k != fid}
        self.assertSameListing(others, {k: v for k, v in self.list0.items() if k != fid},
                               "the other files")
        st = self.assertConsistent(db, listing)
        self.assertGreater(st["revision"], rev0)

    def test_deleted_file_is_removed(self):
        corpus, db = self.fresh()
        fid = "sotu/1790_george_washington_n.txt"
        os.unlink(os.path.join(corpus, fid))
        s = self.assertIndexed(db, [corpus], dict(removed=1, unchanged=CORPUS_FILES - 1))
        self.assertEqual(s["documents"], CORPUS_FILES - 1)
        self.assertEqual(s["passages"], self.summary0["passages"] - self.list0[fid][2])
        listing = h.list_index(db)
        self.assertSameListing(listing, {k: v for k, v in self.list0.items() if k != fid},
                               "after delete")
        st = self.assertConsistent(db, listing)
        self.assertEqual((st["files"], st["documents"]), (CORPUS_FILES - 1, CORPUS_FILES - 1))
        self.assertGreater(st["revision"], self.stats0["revision"])
        self.assertIndexed(db, [corpus], dict(unchanged=CORPUS_FILES - 1))

    def test_deleted_folder_is_removed(self):
        corpus, db = self.fresh()
        shutil.rmtree(os.path.join(corpus, "seed"))
        s = self.assertIndexed(db, [corpus], dict(removed=1, unchanged=CORPUS_FILES - 1))
        self.assertEqual(s["documents"], CORPUS_FILES - 1)
        self.assertNotIn("seed/trump-xi-call.txt", h.list_index(db))

    def test_renamed_file_is_removed_and_added(self):
        corpus, db = self.fresh()
        old, new = "sotu/1790_george_washington_n.txt", "sotu/1790_washington_renamed.txt"
        os.rename(os.path.join(corpus, old), os.path.join(corpus, new))
        s = self.assertIndexed(db, [corpus], dict(added=1, removed=1,
                                                  unchanged=CORPUS_FILES - 1))
        self.assertEqual((s["documents"], s["passages"]),
                         (CORPUS_FILES, self.summary0["passages"]))
        listing = h.list_index(db)
        self.assertNotIn(old, listing)
        self.assertEqual(listing[new], self.list0[old], "same content, same record")
        want = {k: v for k, v in self.list0.items() if k != old}
        want[new] = self.list0[old]
        self.assertSameListing(listing, want, "after rename")
        self.assertConsistent(db, listing)

    def test_new_file_is_added(self):
        corpus, db = self.fresh()
        fid = "seed/new-report.txt"
        h.write(os.path.join(corpus, fid), "Title: A new report\n\n" + h.article(7))
        s = self.assertIndexed(db, [corpus], dict(added=1, unchanged=CORPUS_FILES))
        self.assertEqual(s["documents"], CORPUS_FILES + 1)
        listing = h.list_index(db)
        self.assertEqual(len(listing), CORPUS_FILES + 1)
        self.assertEqual(listing[fid][:2], ("ok", 1))
        self.assertGreaterEqual(listing[fid][2], 1)
        self.assertEqual(s["passages"], self.summary0["passages"] + listing[fid][2])
        self.assertConsistent(db, listing)

    def test_several_changes_in_one_run(self):
        corpus, db = self.fresh()
        os.unlink(os.path.join(corpus, "sotu/1791_george_washington_n.txt"))
        os.rename(os.path.join(corpus, "sotu/1792_george_washington_n.txt"),
                  os.path.join(corpus, "sotu/renamed.txt"))
        with open(os.path.join(corpus, "sotu/1793_george_washington_n.txt"), "a") as f:
            f.write("\n\nOne more paragraph.\n")
        os.utime(os.path.join(corpus, "sotu/1794_george_washington_n.txt"))
        h.write(os.path.join(corpus, "extra/a.md"), "---\ntitle: A\n---\n" + h.article(1))
        h.write(os.path.join(corpus, "extra/b.html"),
                "<html><head><title>B</title></head><body><p>" + h.article(2)
                + "</p></body></html>")
        s = self.assertIndexed(db, [corpus], dict(added=3, removed=2, updated=1,
                                                  unchanged=CORPUS_FILES - 3))
        self.assertEqual(s["documents"], CORPUS_FILES + 1)
        listing = h.list_index(db)
        self.assertEqual(len(listing), CORPUS_FILES + 1)
        self.assertConsistent(db, listing)

    # -- rebuild and compaction ---------------------------------------------

    def test_rebuild_swaps_in_a_new_generation(self):
        corpus, db = self.fresh()
        old = h.live_generation(db)
        self.assertEqual(h.generations(db), [old])
        s = self.assertIndexed(db, [corpus], dict(added=CORPUS_FILES), extra=["--rebuild"])
        self.assertEqual((s["documents"], s["passages"]),
                         (CORPUS_FILES, self.summary0["passages"]))
        new = h.live_generation(db)
        self.assertNotEqual(new, old)
        self.assertEqual(h.generations(db), [new], "the old generation is gone")
        self.assertEqual(h.list_text(db), self.list_text0)
        self.assertConsistent(db)
        # The rebuilt index is a normal one: the next run has nothing to do.
        self.assertIndexed(db, [corpus], dict(unchanged=CORPUS_FILES))

    def test_sigterm_with_two_writers_then_resume(self):
        """A first build written by two threads, stopped: the index keeps
        what the first thread committed, in whole files, the summary counts
        only that, the second thread's database is gone, and the next run
        completes it into exactly the clean build."""
        db = self.new_db("term2")
        s, listing, st, _ = self.interrupt_first_build(db, 2, 40)
        self.assertWholeFiles(listing, "after SIGTERM")
        self.assertLess(len(listing), CORPUS_FILES)
        self.assertEqual(s["added"], len(listing), "the summary counts what was kept")
        self.assertEqual((s["documents"], s["passages"]), (st["documents"], st["passages"]))
        self.assertEqual(h.generations(db), [h.live_generation(db)],
                         "the second writer's database is gone")
        done = len(listing)
        s = self.assertIndexed(db, [self.shared], dict(added=CORPUS_FILES - done,
                                                       unchanged=done))
        self.assertEqual(s["passages"], self.summary0["passages"])
        self.assertEqual(h.list_text(db), self.list_text0)

    def test_sharded_build_killed_then_resumed(self):
        """A first build over 3 shards, SIGKILLed while it runs: every
        shard opens on its own, consistent and with whole files only, the
        index names its 3 shards, and the next run completes it into
        exactly the files and passages of the clean build."""
        db = self.new_db("shards-kill")
        w = self.watch(db, "--batch", "50", "--shards", "3", "--json", self.shared)
        w.wait_files(60)
        w.signal(signal.SIGKILL)
        rc, out, err = w.finish()
        self.assertEqual(rc, -signal.SIGKILL, err)
        st = self.assertConsistent(db)
        self.assertEqual(len(st["shards"]), 3, st)
        kept = h.list_index(db)
        self.assertWholeFiles(kept, "after SIGKILL")
        total = 0
        for k in range(3):
            shard = os.path.join(db, f"s{k}of3")
            self.assertTrue(h.stats(shard)["consistent"], shard)
            part = h.list_index(shard)
            self.assertWholeFiles(part, shard)
            total += len(part)
        self.assertEqual(total, len(kept), "each file in one shard")
        s = self.assertIndexed(db, [self.shared], dict(added=CORPUS_FILES - len(kept),
                                                       unchanged=len(kept)))
        self.assertEqual(s["passages"], self.summary0["passages"])
        self.assertEqual(h.list_text(db), self.list_text0)
        self.assertEqual(len(h.stats(db)["shards"]), 3)

    def test_writer_threads_build_the_same_index(self):
        """One, two or three writer threads (each its own database, merged
        at the end) give the same files, passages, terms and spelling
        words; only the merged generation is left."""
        corpus, _ = self.fresh()
        want = None
        for jobs in ("1", "2", "3"):
            db = self.new_db(f"jobs{jobs}")
            s = self.assertIndexed(db, [corpus], dict(added=CORPUS_FILES),
                                   extra=["--jobs", jobs])
            self.assertEqual(h.list_text(db), self.list_text0, f"--jobs {jobs}")
            st = self.assertConsistent(db)
            got = (s["passages"], st["passages"], st["terms"], st["documents"],
                   st["spellings"], st["spelling_freq"])
            want = want or got
            self.assertEqual(got, want, f"--jobs {jobs}")
            self.assertEqual(h.generations(db), [h.live_generation(db)], f"--jobs {jobs}")
        # A rebuild with threads replaces the index and the revision grows.
        before = h.stats(db)["revision"]
        self.assertIndexed(db, [corpus], dict(added=CORPUS_FILES),
                           extra=["--rebuild", "--jobs", "3"])
        self.assertEqual(h.list_text(db), self.list_text0)
        self.assertGreater(h.stats(db)["revision"], before)
        self.assertEqual(h.generations(db), [h.live_generation(db)])

    def test_compact_keeps_the_listing(self):
        corpus, db = self.fresh()
        old = h.live_generation(db)
        p = h.run_indexer("-d", db, "--compact")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("compacted", p.stdout)
        self.assertNotEqual(h.live_generation(db), old)
        self.assertEqual(h.generations(db), [h.live_generation(db)])
        self.assertEqual(h.list_text(db), self.list_text0)
        st = self.assertConsistent(db)
        self.assertEqual((st["documents"], st["passages"], st["files"]),
                         (CORPUS_FILES, self.summary0["passages"], CORPUS_FILES))
        self.assertIndexed(db, [corpus], dict(unchanged=CORPUS_FILES))
        old = h.live_generation(db)
        p = h.run_indexer("-d", db, "--compact", "--quiet")
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "", ""))
        self.assertNotEqual(h.live_generation(db), old)
        self.assertEqual(h.generations(db), [h.live_generation(db)])

    def test_compact_without_index_fails(self):
        db = self.new_db("empty")
        os.makedirs(db)
        p = h.run_indexer("-d", db, "--compact")
        self.assertEqual(p.returncode, h.EXIT_USAGE, p.stderr)
        self.assertIn("no index", p.stderr)

    # -- interruption -------------------------------------------------------

    def committed_after(self, start, k):
        """Files a --batch 50 run that began at walk position start has
        surely committed once it went through k files: it commits after a
        file when its batch holds 50 passages or more (one file less, in
        case it commits before a file instead)."""
        ids = sorted(self.list0)  # the walk order: by name, folder by folder
        batch, committed = 0, start
        for i in range(start, k):
            batch += self.list0[ids[i]][2]
            if batch >= 50:
                committed, batch = i + 1, 0
        return max(start, committed - 1)

    def assertWholeFiles(self, listing, what):
        """Every file the index holds is whole: as in the clean build."""
        for fid, v in listing.items():
            self.assertIn(fid, self.list0, what)
            self.assertEqual(v, self.list0[fid], f"{fid}, {what}")

    def assertPrefix(self, listing, what):
        """The index holds the first files in walk order, each whole."""
        ids = sorted(self.list0)
        self.assertEqual(sorted(listing), ids[:len(listing)], what)
        for fid, v in listing.items():
            self.assertEqual(v, self.list0[fid], f"{fid}, {what}")

    def kill_points(self):
        """Three kill points (files gone through, in walk order), drawn
        from SEED, at least 20 files apart."""
        rng = random.Random(SEED)
        while True:
            points = sorted(rng.sample(range(15, CORPUS_FILES - 30), 3))
            if points[1] - points[0] >= 20 and points[2] - points[1] >= 20:
                return points

    def watch(self, db, *args):
        w = h.Watched("-d", db, *args)
        self.addCleanup(w.stop)
        return w

    def interrupt_first_build(self, db, jobs, files):
        """Index the shared corpus into the new db (--batch 50, --json) from
        `jobs` threads, SIGTERM it once `files` files are done: it must exit
        interrupted, say so in its summary and leave a consistent index.
        Returns (summary, listing, stats, files done when signalled)."""
        w = self.watch(db, "--batch", "50", "--jobs", str(jobs), "--json", self.shared)
        at = w.wait_files(files)
        w.signal(signal.SIGTERM)
        rc, out, err = w.finish()
        self.assertEqual(rc, h.EXIT_INTERRUPTED, err)
        s = h.parse_json_line(out)
        self.assertIs(s["interrupted"], True)
        listing = h.list_index(db)
        return s, listing, self.assertConsistent(db, listing), at

    def freeze_and_kill(self, w, db, what):
        """SIGSTOP the run, read the index as a reader sees it while the
        writer is alive, SIGKILL it; the index after the kill must be the
        one the reader saw (a commit is durable once visible).
        Returns (listing, stats)."""
        w.signal(signal.SIGSTOP)
        try:
            seen = h.list_text(db)
            seen_stats = h.stats(db)
        finally:
            w.signal(signal.SIGKILL)
        rc, out, err = w.finish()
        self.assertEqual(rc, -signal.SIGKILL, f"{what}: {err}")
        after = h.list_text(db)
        self.assertEqual(after, seen, f"{what}: the index after the kill differs from the "
                         "one a reader saw just before it")
        listing = h.parse_list(after)
        st = self.assertConsistent(db, listing)
        self.assertIs(seen_stats["consistent"], True, f"{what}: mid-run {seen_stats}")
        self.assertPrefix(listing, what)
        return listing, st

    def test_kill9_then_resume(self):
        """SIGKILL in the first batch of the first build, then at three
        points of --batch 50 runs that resume it: each time the index
        opens, is consistent, holds whole files only and keeps every batch
        committed so far (which readers saw while it ran); the last run
        completes it into exactly the clean build."""
        db = self.new_db("kill")
        # Default batch: nothing but the empty index is committed yet.
        w = self.watch(db, "--json", self.shared)
        w.wait_files(1)
        listing, st = self.freeze_and_kill(w, db, "killed in the first batch")
        done = len(listing)
        points = self.kill_points()
        for point in points:
            what = f"killed after {point} files (points {points}, seed {SEED})"
            w = self.watch(db, "--batch", "50", "--json", self.shared)
            at = w.wait_files(point)
            listing, st = self.freeze_and_kill(w, db, what)
            want = self.committed_after(done, at)
            self.assertGreaterEqual(len(listing), want,
                                    f"{what}: committed batches are not in the index (the "
                                    f"run had gone through {at} files; the index holds "
                                    f"{len(listing)}, {want} expected at least; stats {st})")
            self.assertGreater(st["revision"], 1, what)
            self.assertLess(len(listing), CORPUS_FILES, f"{what}: before the end")
            done = len(listing)
        s = self.assertIndexed(db, [self.shared], dict(added=CORPUS_FILES - done,
                                                       unchanged=done))
        self.assertEqual(s["passages"], self.summary0["passages"])
        self.assertEqual(h.list_text(db), self.list_text0)
        self.assertConsistent(db)
        self.assertEqual(h.generations(db), [h.live_generation(db)])

    def test_sigterm_keeps_what_was_done(self):
        db = self.new_db("term")
        s, listing, st, at = self.interrupt_first_build(db, 1, 25)
        self.assertEqual(s["failed"] + s["updated"] + s["removed"] + s["unchanged"], 0, s)
        self.assertGreaterEqual(s["added"], at, "it stops after the file in hand")
        self.assertLess(s["added"], CORPUS_FILES)
        self.assertEqual(s["added"], len(listing), "every file it added is kept")
        self.assertEqual((s["documents"], s["passages"]), (st["documents"], st["passages"]))
        self.assertPrefix(listing, "after SIGTERM")
        # Without --json (and even with --quiet) the summary line says so.
        # (An index in place is written from one thread whatever --jobs.)
        w = self.watch(db, "--batch", "50", "--quiet", self.shared)
        w.wait_files(len(listing) + 10)
        w.signal(signal.SIGTERM)
        rc, out, err = w.finish()
        self.assertEqual(rc, h.EXIT_INTERRUPTED, err)
        m = re.match(r"interrupted: (\d+) added, 0 updated, 0 removed, (\d+) unchanged, "
                     r"0 failed; (\d+) documents", out)
        self.assertIsNotNone(m, out)
        self.assertEqual(int(m.group(2)), len(listing))
        self.assertEqual(int(m.group(3)), len(h.list_index(db)))
        self.assertIs(h.stats(db)["consistent"], True)


# ---------------------------------------------------------------------------
# Files that cannot be read, odd files, and remembered failures.


GOOD_JSONL = ('{"id": "wire-1", "title": "First", "date": "2025-11-24", '
              '"body": "Ministers met to discuss trade."}\n'
              '{"id": "wire-2", "title": "Second", "body": "The envoy arrived on Monday."}\n'
              '{"id": "wire-3", "title": "Broken", "body": \n'
              '{"title": "Fourth", "text": "Talks resume next week in the capital."}\n')


def make_bad_folder(root):
    """Three good files and the troublesome ones. Returns {name: what is
    expected}: "ok" or "failed"."""
    h.write(os.path.join(root, "good1.txt"), "Title: Good one\nDate: 2025-11-24\n\n"
            + h.article(11))
    h.write(os.path.join(root, "good2.md"), "---\ntitle: Good two\n---\n\n" + h.article(12))
    h.write(os.path.join(root, "good3.html"),
            "<!DOCTYPE html><html><head><title>Good three</title></head><body>"
            + "".join(f"<p>{p}</p>" for p in h.article(13).split("\n\n")) + "</body></html>")
    h.write(os.path.join(root, "binary.txt"),
            b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 64, "wb")
    h.write(os.path.join(root, "empty.txt"), "")
    h.write(os.path.join(root, "badutf8.txt"),
            b"Invalid bytes \xff\xfe here and a lone \xc3\x28 pair in the sentence.\n\n"
            + h.article(14).encode() + b"\n\xe2\x82 cut short.\n", "wb")
    h.write(os.path.join(root, "broken.html"),
            "<html><head><title>Broken page<body><div><p>Unclosed paragraph about the "
            "<b>summit <i>and the treaty<p>Another paragraph <table><tr><td>cell text "
            "about grain exports")
    h.write(os.path.join(root, "data.jsonl"), GOOD_JSONL)
    return {"good1.txt": "ok", "good2.md": "ok", "good3.html": "ok", "binary.txt": "failed",
            "empty.txt": "failed", "badutf8.txt": "ok", "broken.html": "ok",
            "data.jsonl": "ok"}


class BadFilesTest(Checks, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = h.tmp_for(cls)
        cls.folder = os.path.join(cls.tmp, "in")
        cls.expected = make_bad_folder(cls.folder)
        # A 2 MB paragraph of words without any sentence end or newline.
        rng = random.Random(3)
        text = h.words(rng, 300_000)
        h.write(os.path.join(cls.folder, "nopunct.txt"), text[:2_000_000].rsplit(" ", 1)[0])
        cls.expected["nopunct.txt"] = "ok"
        cls.db = os.path.join(cls.tmp, "db")
        cls.run1 = h.index_json(cls.db, cls.folder)
        cls.listing = h.list_index(cls.db) if cls.run1[1] in (0, 1) else {}

    def test_summary_counts_failures(self):
        s, rc, err = self.run1
        self.assertIsNotNone(s, err)
        self.assertEqual(counts(s), expect(added=7, failed=2), err)
        self.assertEqual(rc, h.EXIT_FAILED_FILES, err)
        self.assertEqual(s["documents"], 6 + 3)

    def test_failures_are_reported_by_name(self):
        err = self.run1[2]
        for name in ("binary.txt", "empty.txt"):
            self.assertTrue(any(name in ln for ln in err.splitlines()), f"{name}: {err}")
        for name in ("good1.txt", "good2.md", "good3.html", "badutf8.txt", "broken.html"):
            self.assertNotIn(name, err)

    def test_listing_shows_each_file(self):
        self.assertEqual(sorted(self.listing), sorted(self.expected))
        for name, want in self.expected.items():
            self.assertEqual(self.listing[name][0], want, f"{name}: {self.listing[name]}")
        self.assertRegex(self.listing["empty.txt"][1], r"(?i)empty|no text")
        self.assertRegex(self.listing["binary.txt"][1], r"(?i)binary")
        self.assertConsistent(self.db, self.listing)
        self.assertEqual(h.stats(self.db)["failed"], 2)

    def test_invalid_utf8_is_indexed(self):
        self.assertEqual(self.listing["badutf8.txt"][:2], ("ok", 1))
        self.assertGreaterEqual(self.listing["badutf8.txt"][2], 6)

    def test_broken_html_is_indexed(self):
        self.assertEqual(self.listing["broken.html"][:2], ("ok", 1))
        self.assertGreaterEqual(self.listing["broken.html"][2], 1)

    def test_jsonl_bad_line_is_skipped_and_named(self):
        self.assertEqual(self.listing["data.jsonl"][:2], ("ok", 3))
        self.assertGreaterEqual(self.listing["data.jsonl"][2], 3)
        err = self.run1[2]
        self.assertRegex(err, r"data\.jsonl:3\b", "the bad line's number")
        self.assertNotRegex(err, r"data\.jsonl:[124]\b")

    def test_long_line_without_sentences_is_cut(self):
        v = self.listing["nopunct.txt"]
        self.assertEqual(v[:2], ("ok", 1))
        self.assertGreater(v[2], 100, "300,000 words make many passages")

    def test_remembered_failures(self):
        folder = os.path.join(h.tmp_for(self), "in")
        make_bad_folder(folder)
        db = os.path.join(h.tmp_for(self), "db")
        self.assertIndexed(db, [folder], dict(added=6, failed=2), rc=h.EXIT_FAILED_FILES)
        # Not read again: skipped, not failed, and a clean exit.
        s = self.assertIndexed(db, [folder], dict(unchanged=6, skipped=2))
        self.assertNotIn("binary.txt", self.summary_stderr)
        self.assertNotIn("empty.txt", self.summary_stderr)
        p = h.run_indexer("-d", db, "--no-progress", folder)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"\(2 skipped")
        listing = h.list_index(db)
        self.assertEqual(listing["binary.txt"][0], "failed")
        self.assertEqual(h.stats(db)["failed"], 2)
        # --retry-failed reads them again.
        self.assertIndexed(db, [folder], dict(unchanged=6, failed=2),
                           rc=h.EXIT_FAILED_FILES, extra=["--retry-failed"])
        self.assertIn("binary.txt", self.summary_stderr)
        # Fixed: read again because it changed, and added.
        h.write(os.path.join(folder, "binary.txt"), h.article(99))
        s = self.assertIndexed(db, [folder], dict(added=1, unchanged=6, skipped=1))
        self.assertEqual(s["documents"], 5 + 3 + 1)
        listing = h.list_index(db)
        self.assertEqual(listing["binary.txt"][:2], ("ok", 1))
        self.assertEqual(listing["empty.txt"][0], "failed")
        self.assertEqual(h.stats(db)["failed"], 1)
        # A good file that turns bad fails, and its passages go.
        with open(os.path.join(folder, "good1.txt"), "wb") as f:
            f.write(b"\x00\x01\x02" * 1000)
        s = self.assertIndexed(db, [folder], dict(failed=1, unchanged=6, skipped=1),
                               rc=h.EXIT_FAILED_FILES)
        listing = h.list_index(db)
        self.assertEqual(listing["good1.txt"][0], "failed")
        self.assertConsistent(db, listing)


class SizeLimitTest(Checks, unittest.TestCase):
    def test_max_file_size(self):
        tmp = h.tmp_for(self)
        folder = os.path.join(tmp, "in")
        h.write(os.path.join(folder, "small.txt"), h.article(1))
        rng = random.Random(2)
        h.write(os.path.join(folder, "large.txt"),
                "\n\n".join(h.words(rng, 100) + "." for _ in range(2500)))
        self.assertGreater(os.path.getsize(os.path.join(folder, "large.txt")), 1 << 20)
        db = os.path.join(tmp, "db")
        self.assertIndexed(db, [folder], dict(added=1, failed=1), rc=h.EXIT_FAILED_FILES,
                           extra=["--max-file-size", "1"])
        self.assertIn("large.txt", self.summary_stderr)
        listing = h.list_index(db)
        self.assertEqual(listing["large.txt"][0], "failed")
        self.assertIn("--max-file-size", listing["large.txt"][1])
        # Same limit: remembered, not read again, and not a failure any more.
        self.assertIndexed(db, [folder], dict(unchanged=1, skipped=1), rc=0,
                           extra=["--max-file-size", "1"])
        # With the default limit the next run takes it.
        self.assertIndexed(db, [folder], dict(unchanged=1, added=1))
        self.assertEqual(h.list_index(db)["large.txt"][:2], ("ok", 1))
        self.assertConsistent(db)


class BigFileTest(Checks, unittest.TestCase):
    @h.not_under_valgrind("volume: 50 MB through the indexer takes about 8 minutes under "
                          "memcheck, for code the smaller BadFilesTest cases walk too")
    def test_50mb_single_line(self):
        tmp = h.tmp_for(self)
        folder = os.path.join(tmp, "in")
        size = 50 * 1024 * 1024
        # Long words: 50 MB of them, yet fewer words to index.
        vocab = ("administration representatives international negotiations "
                 "correspondence constitutional appropriations establishment manufacturing "
                 "transportation responsibilities circumstances consideration "
                 "recommendations communication extraordinary infrastructure "
                 "agricultural commissioners independence").split()
        rng = random.Random(50)
        block = " ".join(" ".join(rng.choice(vocab) for _ in range(rng.randint(6, 25)))
                         .capitalize() + "." for _ in range(6000)) + " "
        data = (block * (size // len(block) + 1))[:size].rsplit(" ", 1)[0] + " end"
        self.assertNotIn("\n", data)
        h.write(os.path.join(folder, "big.txt"), data)
        h.write(os.path.join(folder, "small.txt"), h.article(5))
        db = os.path.join(tmp, "db")
        s = self.assertIndexed(db, [folder], dict(added=2), rc=0)
        listing = h.list_index(db)
        self.assertEqual(listing["big.txt"][:2], ("ok", 1))
        self.assertGreater(listing["big.txt"][2], 1000, "50 MB in many passages")
        self.assertEqual(s["passages"], list_passages(listing))
        self.assertConsistent(db, listing)
        self.assertIndexed(db, [folder], dict(unchanged=2))


# ---------------------------------------------------------------------------
# Which files are taken, their ids, and which vanish.


def make_tree(root):
    """A small folder with files to take and files to leave; returns the
    ids expected."""
    for i, rel in enumerate(["a/one.txt", "a/two.md", "b/three.html", "b/page.htm",
                             "UPPER.TXT", "c/d/e/deep.txt"]):
        text = h.article(100 + i)
        if rel.endswith((".html", ".htm")):
            text = f"<html><body><p>{text}</p></body></html>"
        h.write(os.path.join(root, rel), text)
    for rel in [".hidden.txt", "a/.secret.md", ".git/notes.txt", ".git/objects/x.txt",
                "a/.cache/c.txt", "notes.pdf", "data.csv", "README", "image.png",
                "script.py", "a/b.txt~", "LICENSE"]:
        h.write(os.path.join(root, rel), h.article(200))
    return sorted(["a/one.txt", "a/two.md", "b/three.html", "b/page.htm", "UPPER.TXT",
                   "c/d/e/deep.txt"])


class WalkTest(Checks, unittest.TestCase):
    def setUp(self):
        self.tmp = h.tmp_for(self)
        self.db = os.path.join(self.tmp, "db")

    def test_hidden_and_unknown_files_are_ignored(self):
        folder = os.path.join(self.tmp, "docs")
        ids = make_tree(folder)
        self.assertIndexed(self.db, [folder], dict(added=len(ids)))
        self.assertEqual(sorted(h.list_index(self.db)), ids)
        # More hidden and unknown files later change nothing.
        h.write(os.path.join(folder, ".new-hidden.txt"), h.article(1))
        h.write(os.path.join(folder, ".git/new.txt"), h.article(2))
        h.write(os.path.join(folder, "a/new.doc"), h.article(3))
        self.assertIndexed(self.db, [folder], dict(unchanged=len(ids)))

    def test_ids_are_relative_to_the_argument(self):
        folder = os.path.join(self.tmp, "docs")
        ids = make_tree(folder)
        self.assertIndexed(self.db, [folder + "/a/"], dict(added=2))
        self.assertEqual(sorted(h.list_index(self.db)), ["one.txt", "two.md"])
        db2 = os.path.join(self.tmp, "db2")
        self.assertIndexed(db2, [os.path.join(folder, "c/d/e/deep.txt")], dict(added=1))
        self.assertEqual(list(h.list_index(db2)), ["deep.txt"])
        # A relative argument gives the same ids.
        db3 = os.path.join(self.tmp, "db3")
        p = h.run_indexer("-d", db3, "--quiet", "docs", cwd=self.tmp)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sorted(h.list_index(db3)), ids)

    def test_only_walked_folders_lose_vanished_files(self):
        a = os.path.join(self.tmp, "a")
        b = os.path.join(self.tmp, "b")
        for i in range(3):
            h.write(os.path.join(a, f"a{i}.txt"), h.article(i))
            h.write(os.path.join(b, f"b{i}.txt"), h.article(10 + i))
        single = h.write(os.path.join(self.tmp, "single.txt"), h.article(20))
        self.assertIndexed(self.db, [a], dict(added=3))
        s = self.assertIndexed(self.db, [b], dict(added=3))
        self.assertEqual(s["documents"], 6)
        self.assertIndexed(self.db, [single], dict(added=1))
        os.unlink(os.path.join(a, "a0.txt"))
        os.unlink(single)
        # b alone: a's vanished file stays, and so does the single file.
        s = self.assertIndexed(self.db, [b], dict(unchanged=3))
        self.assertEqual(s["documents"], 7)
        self.assertIn("a0.txt", h.list_index(self.db))
        # a walked again: now it goes; a file argument never does.
        s = self.assertIndexed(self.db, [a], dict(removed=1, unchanged=2))
        self.assertEqual(s["documents"], 6)
        listing = h.list_index(self.db)
        self.assertEqual(sorted(listing), ["a1.txt", "a2.txt", "b0.txt", "b1.txt", "b2.txt",
                                           "single.txt"])
        self.assertConsistent(self.db, listing)
        # Both at once.
        os.unlink(os.path.join(b, "b2.txt"))
        self.assertIndexed(self.db, [a, b], dict(removed=1, unchanged=4))

    def test_rebuild_drops_vanished_files(self):
        folder = os.path.join(self.tmp, "docs")
        ids = make_tree(folder)
        self.assertIndexed(self.db, [folder], dict(added=len(ids)))
        before = h.list_index(self.db)
        os.unlink(os.path.join(folder, "a/one.txt"))
        old = h.live_generation(self.db)
        # One file in six is gone: more than the gate's default --max-shrink 10.
        self.assertIndexed(self.db, [folder], dict(added=len(ids) - 1),
                           extra=["--rebuild", "--max-shrink", "100"])
        self.assertNotEqual(h.live_generation(self.db), old)
        self.assertEqual(h.generations(self.db), [h.live_generation(self.db)])
        self.assertSameListing(h.list_index(self.db),
                               {k: v for k, v in before.items() if k != "a/one.txt"},
                               "rebuild without a/one.txt")

    def test_symlinks_out_of_the_folder_are_not_followed(self):
        folder = os.path.join(self.tmp, "docs")
        outside = os.path.join(self.tmp, "private")
        h.write(os.path.join(folder, "plain.txt"), h.article(1))
        h.write(os.path.join(folder, "sub/inner.txt"), h.article(2))
        h.write(os.path.join(outside, "secret.txt"), h.article(3))
        h.write(os.path.join(outside, "deeper/also.txt"), h.article(4))
        os.symlink("sub/inner.txt", os.path.join(folder, "to-inner.txt"))
        os.symlink("../private/secret.txt", os.path.join(folder, "relative-out.txt"))
        os.symlink(os.path.join(outside, "secret.txt"), os.path.join(folder, "absolute-out.txt"))
        os.symlink("sub/../../private/secret.txt", os.path.join(folder, "sneaky.txt"))
        os.symlink(outside, os.path.join(folder, "folder-out"))
        os.symlink("no-such-file.txt", os.path.join(folder, "dangling.txt"))
        # Without --follow-symlinks: only what lies inside the folder.
        self.assertIndexed(self.db, [folder], dict(added=3))
        self.assertEqual(sorted(h.list_index(self.db)),
                         ["plain.txt", "sub/inner.txt", "to-inner.txt"])
        for name in ("relative-out.txt", "absolute-out.txt", "sneaky.txt", "dangling.txt"):
            self.assertRegex(self.summary_stderr, rf"{name}: symlink leads out of the folder"
                             r".*--follow-symlinks")
        # With it: the links are followed wherever they lead.
        db2 = os.path.join(self.tmp, "db2")
        self.assertIndexed(db2, [folder], dict(added=8), extra=["--follow-symlinks"])
        self.assertRegex(self.summary_stderr, r"dangling.txt: symlink leads to no file")
        self.assertEqual(sorted(h.list_index(db2)),
                         ["absolute-out.txt", "folder-out/deeper/also.txt",
                          "folder-out/secret.txt", "plain.txt", "relative-out.txt",
                          "sneaky.txt", "sub/inner.txt", "to-inner.txt"])

    def test_missing_path_is_reported(self):
        good = os.path.join(self.tmp, "good")
        for i in range(3):
            h.write(os.path.join(good, f"g{i}.txt"), h.article(i))
        missing = os.path.join(self.tmp, "no-such-folder")
        p = h.run_indexer("-d", self.db, "--json", good, missing)
        self.assertIn("no-such-folder", p.stderr)
        self.assertNotEqual(p.returncode, 0,
                            "a PATH that does not exist must not exit 0; stderr: " + p.stderr)
        # The rest was indexed, and the index is fine.
        listing = h.list_index(self.db)
        self.assertEqual(sorted(listing), ["g0.txt", "g1.txt", "g2.txt"])
        self.assertConsistent(self.db, listing)
        self.assertIndexed(self.db, [good], dict(unchanged=3))

    def test_vanished_folder_removes_nothing(self):
        """A folder PATH that is gone (an unmounted share, say) is not a
        folder whose files all vanished."""
        folder = os.path.join(self.tmp, "share")
        ids = make_tree(folder)
        self.assertIndexed(self.db, [folder], dict(added=len(ids)))
        before = h.list_text(self.db)
        os.rename(folder, folder + ".away")
        p = h.run_indexer("-d", self.db, "--json", folder)
        self.assertIn("share", p.stderr)
        self.assertEqual(h.list_text(self.db), before)
        self.assertConsistent(self.db)
        os.rename(folder + ".away", folder)
        self.assertIndexed(self.db, [folder], dict(unchanged=len(ids)))

    def test_missing_path_alone(self):
        p = h.run_indexer("-d", self.db, os.path.join(self.tmp, "nothing-here"))
        self.assertIn("nothing-here", p.stderr)
        self.assertNotEqual(p.returncode, 0, "stderr: " + p.stderr)

    def test_quiet_prints_nothing(self):
        folder = os.path.join(self.tmp, "docs")
        ids = make_tree(folder)
        p = h.run_indexer("-d", self.db, "--quiet", folder)
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "", ""))
        p = h.run_indexer("-d", self.db, "-q", folder)
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "", ""))
        self.assertEqual(sorted(h.list_index(self.db)), ids)
        # Errors still show.
        h.write(os.path.join(folder, "bad.txt"), b"\x00\x00\x00binary", "wb")
        p = h.run_indexer("-d", self.db, "--quiet", folder)
        self.assertEqual(p.returncode, h.EXIT_FAILED_FILES)
        self.assertEqual(p.stdout, "")
        self.assertIn("bad.txt", p.stderr)

    def test_db_from_environment(self):
        folder = os.path.join(self.tmp, "docs")
        ids = make_tree(folder)
        p = h.run_indexer("--json", folder, env={"ATTACHE_DB": self.db})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(h.parse_json_line(p.stdout)["added"], len(ids))
        self.assertIsNotNone(h.live_generation(self.db))
        p = h.run_indexer("--list", env={"ATTACHE_DB": self.db})
        self.assertEqual(sorted(h.parse_list(p.stdout)), ids)
        # -d wins over the environment.
        before = h.stats(self.db)
        other = os.path.join(self.tmp, "other")
        h.write(os.path.join(folder, "new.txt"), h.article(9))
        p = h.run_indexer("-d", other, "--json", folder, env={"ATTACHE_DB": self.db})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(h.parse_json_line(p.stdout)["added"], len(ids) + 1)
        self.assertEqual(h.stats(self.db), before)


# ---------------------------------------------------------------------------
# Command line errors.


class UsageTest(unittest.TestCase):
    def setUp(self):
        self.tmp = h.tmp_for(self)
        self.db = os.path.join(self.tmp, "db")
        self.folder = os.path.join(self.tmp, "in")
        h.write(os.path.join(self.folder, "a.txt"), h.article(1))

    def assertUsage(self, p, *words):
        self.assertEqual(p.returncode, h.EXIT_USAGE, p.stderr)
        self.assertEqual(p.stdout, "")
        for w in words:
            self.assertIn(w, p.stderr)

    def test_no_db(self):
        p = h.run_indexer(self.folder)
        self.assertUsage(p, "-d DB", "ATTACHE_DB")
        p = h.run_indexer(self.folder, env={"ATTACHE_DB": ""})
        self.assertUsage(p, "ATTACHE_DB")

    def test_no_path(self):
        self.assertUsage(h.run_indexer("-d", self.db), "PATH")
        self.assertFalse(os.path.exists(os.path.join(self.db, "XAPIANDB")))

    def test_bad_values(self):
        for args, word in ((["--batch", "0"], "--batch"), (["--batch", "x"], "--batch"),
                           (["--wait", "-1"], "--wait"), (["--max-file-size", "0"],
                                                          "--max-file-size")):
            self.assertUsage(h.run_indexer("-d", self.db, *args, self.folder), word, args[1])
        p = h.run_indexer("-d", self.db, "--no-such-option", self.folder)
        self.assertUsage(p, "Usage:")

    def test_whole_numbers_only(self):
        """Counts take whole numbers in their range, seconds may have a
        fraction; a refused value names its option and the rule."""
        for opt, bad, rule in (("--jobs", "2.5", "a whole number from 1 to 16"),
                               ("--jobs", "0", "a whole number from 1 to 16"),
                               ("-j", "17", "a whole number from 1 to 16"),
                               ("--jobs", "1e1", "a whole number from 1 to 16"),
                               ("--shards", "x", "a whole number from 1 to 64"),
                               ("--shards", "2.0", "a whole number from 1 to 64"),
                               ("--batch", "1.5", "a whole number from 1 to 10000000"),
                               ("--batch", " 5", "a whole number from 1 to 10000000"),
                               ("--max-file-size", "0.5", "a whole number from 1 to 1048576"),
                               ("--wait", "1e2", "a number from 0 to 86400"),
                               ("--wait", "0x10", "a number from 0 to 86400")):
            with self.subTest(opt=opt, value=bad):
                p = h.run_indexer("-d", self.db, opt, bad, self.folder)
                name = "--jobs" if opt == "-j" else opt
                self.assertUsage(p, f"{name}: '{bad}' is not {rule}")
                self.assertFalse(os.path.exists(self.db), "no index made by a refused run")
        s, rc, err = h.index_json(self.db, self.folder,
                                  extra=["--jobs", "2", "--shards", "1", "--batch", "7",
                                         "--max-file-size", "3", "--wait", "0.5"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(s["added"], 1, s)

    def test_shard_k_of_n(self):
        for bad in ("3/3", "2/1", "x", "1", "1/x", "-1/3", "0/2.5", "1/3/4", "0/1025", " 0/2"):
            with self.subTest(shard=bad):
                p = h.run_indexer("-d", self.db, "--shard", bad, self.folder)
                self.assertUsage(p, f"--shard: '{bad}' is not K/N")
                self.assertFalse(os.path.exists(self.db), "no index made by a refused run")
        p = h.run_indexer("-d", self.db, "--shard", "0/2", "--shards", "2", self.folder)
        self.assertUsage(p, "--shard K/N", "--shards")
        for k in (0, 1):
            db = f"{self.db}{k}"
            s, rc, err = h.index_json(db, self.folder, extra=["--shard", f"{k}/2"])
            self.assertEqual(rc, 0, err)
            self.assertEqual(s["documents"], h.stats(db)["documents"])
        self.assertEqual(h.stats(f"{self.db}0")["documents"] + h.stats(f"{self.db}1")["documents"],
                         1, "a.txt is in exactly one share")

    def test_conflicting_modes(self):
        self.assertUsage(h.run_indexer("-d", self.db, "--stats", self.folder), "--stats")
        self.assertUsage(h.run_indexer("-d", self.db, "--list", "--compact"), "--list")
        self.assertUsage(h.run_indexer("-d", self.db, "--compact", self.folder), "--compact")

    def test_help_and_version(self):
        p = h.run_indexer("--help")
        self.assertEqual(p.returncode, 0)
        self.assertTrue(p.stdout.startswith("Usage: attache-index"), p.stdout)
        self.assertIn("--retry-failed", p.stdout)
        p = h.run_indexer("-V")
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, r"^attache-index \S+\n$")

    def test_stats_and_list_without_index(self):
        os.makedirs(self.db)
        for mode in ("--stats", "--list"):
            p = h.run_indexer("-d", self.db, mode)
            self.assertEqual(p.returncode, h.EXIT_USAGE, p.stderr)
            self.assertIn("no attache index", p.stderr)

    def test_plain_xapian_database_is_refused(self):
        os.makedirs(self.db)
        h.write(os.path.join(self.db, "iamglass"), "")
        p = h.run_indexer("-d", self.db, self.folder)
        self.assertEqual(p.returncode, h.EXIT_USAGE, p.stderr)
        self.assertIn("not an attache index", p.stderr)
        self.assertEqual(sorted(os.listdir(self.db)), ["iamglass"])

    def test_db_is_a_file(self):
        h.write(self.db, "not a folder")
        p = h.run_indexer("-d", self.db, self.folder)
        self.assertEqual(p.returncode, h.EXIT_USAGE, p.stderr)
        self.assertIn("not a folder", p.stderr)


class StatsShardsTest(Checks, unittest.TestCase):
    """--stats --json gives "shards" in the shape of attached's stats: one
    object per database of the index, each with its revision and passages."""

    def setUp(self):
        self.tmp = h.tmp_for(self)
        self.folder = os.path.join(self.tmp, "in")
        for i in range(12):
            h.write(os.path.join(self.folder, f"a{i}.txt"), h.article(i))

    def test_unsharded(self):
        db = os.path.join(self.tmp, "U")
        self.assertIndexed(db, [self.folder], dict(added=12))
        st = self.assertConsistent(db)
        self.assertEqual(st["shards"], [{"db": db, "state": "up", "revision": st["revision"],
                                         "passages": st["passages"]}])
        p = h.run_indexer("-d", db, "--stats")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"(?m)^shards +1$")

    def test_three_shards(self):
        db = os.path.join(self.tmp, "S")
        self.assertIndexed(db, [self.folder], dict(added=12), extra=["--shards", "3"])
        st = self.assertConsistent(db)
        want = []
        for k in range(3):
            shard = os.path.join(db, f"s{k}of3")
            one = h.stats(shard)
            self.assertEqual(one["shards"], [{"db": shard, "state": "up",
                                              "revision": one["revision"],
                                              "passages": one["passages"]}])
            want.append(one["shards"][0])
        self.assertEqual(st["shards"], want)
        self.assertEqual(sum(x["passages"] for x in want), st["passages"])
        self.assertEqual(sum(x["revision"] for x in want), st["revision"])
        self.assertTrue(all(x["passages"] > 0 for x in want), "12 files: no shard empty")
        p = h.run_indexer("-d", db, "--stats")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"(?m)^shards +3$")


# ---------------------------------------------------------------------------
# One writer at a time.


class LockTest(Checks, unittest.TestCase):
    FILES = 120

    @classmethod
    def setUpClass(cls):
        cls.tmp = h.tmp_for(cls)
        cls.folder = os.path.join(cls.tmp, "in")
        for i in range(cls.FILES):
            h.write(os.path.join(cls.folder, f"f{i:03d}.txt"), h.article(i, paragraphs=8))

    def hold(self, db, *extra):
        """Start an indexer on db and freeze it (SIGSTOP) while it holds the
        lock; returns the process."""
        proc = h.start_indexer("-d", db, "--batch", "1", "--json", "--no-progress", *extra,
                               self.folder)
        self.addCleanup(h.stop, proc)
        h.wait_until(lambda: h.lock_pid(db) == proc.pid or proc.poll() is not None, 60,
                     "the first indexer to write its pid into the lock")
        os.kill(proc.pid, signal.SIGSTOP)
        self.assertIsNone(proc.poll(), "the first indexer ended too soon")
        self.assertTrue(h.lock_held(db), "the first indexer holds the lock")
        return proc

    def release(self, proc, db, waiter=False):
        """Let the frozen indexer finish; the lock is then free, unless
        another indexer waits for it (--wait), which may take it at once."""
        os.kill(proc.pid, signal.SIGCONT)
        rc, out, err = h.finish(proc)
        self.assertEqual(rc, 0, err)
        s = h.parse_json_line(out)
        self.assertEqual(counts(s), expect(added=self.FILES))
        if not waiter:
            self.assertFalse(h.lock_held(db))
        return s

    def test_second_indexer_exits_75(self):
        db = os.path.join(h.tmp_for(self), "db")
        self.assertIndexed(db, [self.folder], dict(added=self.FILES))
        first = self.hold(db, "--rebuild")
        for mode in ([self.folder], ["--rebuild", self.folder], ["--compact"]):
            t0 = time.monotonic()
            p = h.run_indexer("-d", db, *mode, timeout=60)
            took = time.monotonic() - t0
            self.assertEqual(p.returncode, h.EXIT_LOCKED, f"{mode}: {p.stderr}")
            self.assertIn("locked", p.stderr)
            self.assertIn("attache.lock", p.stderr)
            self.assertIn(str(first.pid), p.stderr, "names the holder")
            self.assertEqual(p.stdout, "")
            self.assertLess(took, 10, "exits at once")
        # Readers are not locked out, and see the index as it was.
        st = h.stats(db)
        self.assertEqual((st["files"], st["consistent"]), (self.FILES, True))
        self.assertEqual(h.lock_pid(db), first.pid)
        self.release(first, db)
        self.assertEqual(len(h.list_index(db)), self.FILES)
        self.assertEqual(h.generations(db), [h.live_generation(db)])
        self.assertIndexed(db, [self.folder], dict(unchanged=self.FILES))

    def test_wait_for_the_first_to_finish(self):
        db = os.path.join(h.tmp_for(self), "db")
        first = self.hold(db)
        second = h.start_indexer("-d", db, "--wait", "60", "--json", "--no-progress",
                                 self.folder)
        self.addCleanup(h.stop, second)
        # It waits as long as the first one holds the lock.
        with self.assertRaises(subprocess.TimeoutExpired):
            second.wait(timeout=1.5)
        self.release(first, db, waiter=True)
        rc, out, err = h.finish(second, timeout=120)
        self.assertEqual(rc, 0, err)
        self.assertEqual(counts(h.parse_json_line(out)), expect(unchanged=self.FILES))
        self.assertEqual(h.lock_pid(db), second.pid)
        self.assertConsistent(db)

    def test_interrupted_rebuild_keeps_the_old_index(self):
        db = os.path.join(h.tmp_for(self), "db")
        self.assertIndexed(db, [self.folder], dict(added=self.FILES))
        before = h.list_text(db)
        old = h.live_generation(db)
        proc = h.start_indexer("-d", db, "--rebuild", "--batch", "1", "--json",
                               "--no-progress", self.folder)
        self.addCleanup(h.stop, proc)
        h.wait_until(lambda: h.lock_pid(db) == proc.pid or proc.poll() is not None, 60,
                     "the rebuild to take the lock")
        os.kill(proc.pid, signal.SIGSTOP)
        self.assertIsNone(proc.poll(), "the rebuild ended too soon")
        os.kill(proc.pid, signal.SIGTERM)
        os.kill(proc.pid, signal.SIGCONT)
        rc, out, err = h.finish(proc)
        self.assertEqual(rc, h.EXIT_INTERRUPTED, err)
        self.assertIs(h.parse_json_line(out)["interrupted"], True)
        self.assertEqual(h.live_generation(db), old)
        self.assertEqual(h.generations(db), [old], "the new generation is dropped")
        self.assertEqual(h.list_text(db), before)
        self.assertConsistent(db)

    def test_wait_gives_up(self):
        db = os.path.join(h.tmp_for(self), "db")
        first = self.hold(db)
        t0 = time.monotonic()
        p = h.run_indexer("-d", db, "--wait", "0.5", self.folder, timeout=60)
        took = time.monotonic() - t0
        self.assertEqual(p.returncode, h.EXIT_LOCKED, p.stderr)
        self.assertIn("attache.lock", p.stderr)
        self.assertGreaterEqual(took, 0.5)
        self.release(first, db)


class DateWarningTest(Checks, unittest.TestCase):
    """A date that is given but not understood draws a warning naming the
    file and the value; the document is indexed without a date, and the
    exit status and counts stay those of a clean run."""

    def test_bad_dates_warn_and_index(self):
        folder = os.path.join(h.tmp_for(self), "in")
        h.write(os.path.join(folder, "nonsense.txt"),
                "Title: Nonsense\nDate: 31 février 2025\n\n" + h.article(21))
        h.write(os.path.join(folder, "french.txt"),
                "Title: French\nDate: 24 novembre 2025\n\n" + h.article(22))
        h.write(os.path.join(folder, "wire.jsonl"),
                '{"id": "w-1", "date": "2025-11-24", "body": "Ministers met on trade."}\n'
                '{"id": "w-2", "date": "2025-13-45", "body": "The envoy arrived."}\n')
        db = os.path.join(h.tmp_for(self), "db")
        s = self.assertIndexed(db, [folder], dict(added=3))
        self.assertEqual(s["documents"], 4)
        err = self.summary_stderr.splitlines()
        self.assertIn("attache-index: warn: nonsense.txt: date '31 février 2025' not understood",
                      err)
        self.assertIn("attache-index: warn: wire.jsonl:2: date '2025-13-45' not understood",
                      err)
        self.assertFalse([ln for ln in err if "french.txt" in ln or "wire.jsonl:1" in ln], err)
        listing = h.list_index(db)
        self.assertEqual({k: v[:2] for k, v in listing.items()},
                         {"nonsense.txt": ("ok", 1), "french.txt": ("ok", 1),
                          "wire.jsonl": ("ok", 2)})
        d = dm.start_daemon(self, db)
        with d.connect() as c:
            dates = {doc: c.call({"op": "get", "doc": doc})["doc"]["date"]
                     for doc in ("nonsense.txt", "french.txt", "w-1", "w-2")}
        self.assertEqual(dates, {"nonsense.txt": None, "french.txt": "2025-11-24",
                                 "w-1": "2025-11-24", "w-2": None})
        # Unchanged files are not read again, so the warning is not repeated.
        self.assertIndexed(db, [folder], dict(unchanged=3))
        self.assertNotIn("not understood", self.summary_stderr)


if __name__ == "__main__":
    unittest.main()
