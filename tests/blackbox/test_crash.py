"""Crash safety of the index: attache-index SIGKILLed at seeded moments
of a first build and the runs that resume it, of a --rebuild and of a
--compact; and a disk that fills up under it.

After every kill the live generation the DB/XAPIANDB stub names passes
xapian-check, --stats says consistent, --list holds whole files only (each
as in a clean build of the same corpus) and keeps what readers saw just
before the kill, and a daemon opens the index and answers a ping and a
search. The run after the last kill completes the index into exactly the
clean build.

Kill points are numbers of files gone through (the progress bar), drawn
from SEED: ATTACHE_CRASH_SEED overrides it, and every failure names it.
Each test prints a line with the seed, the kills and the time it took.
The indexes go to /dev/shm when it is a tmpfs (ATTACHE_CRASH_TMP: another
folder). The full-disk tests mount a small tmpfs: root only, else they
skip by name. See docs/RELIABILITY.md, "Crash safety".
"""
import json
import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import daemon as dm
import harness as h

SEED = int(os.environ.get("ATTACHE_CRASH_SEED", "20251129"))
RERUN = f"seed {SEED}; rerun with ATTACHE_CRASH_SEED={SEED} tests/run --only test_crash"

BATCH = ("--batch", "50")      # passages per commit: many commits per run
MIN_KILLS = 20                 # SIGKILLs of the first build and its resumed runs
FIRST_BATCH_POINTS = 3         # per round: kills before the first commit
INNER_POINTS = 20              # per round: kills spread over the rest; then the end
MAX_ROUNDS = 3                 # a round more only when runs ended before their kill
REBUILD_POINTS = 3             # in the first half, plus one once every file is read
COMPACT_KILLS, COMPACT_TRIES = 3, 12
DISK_MB, ROOMY_MB = 8, 256     # the full tmpfs, and its size once given room

# An error message about a full disk names the cause.
DISK_WORDS = re.compile(r"(?i)no space|space left|disk( is)? full|ENOSPC|file ?system (is )?full")


def scratch_root():
    """Where the indexes of the tests go: $ATTACHE_CRASH_TMP, else /dev/shm
    when it is a tmpfs with room, else /tmp. A SIGKILL loses nothing a
    process wrote, whatever the file system; on a tmpfs the fsyncs of the
    ~440 commits of a --batch 50 run cost nothing (on a busy disk they
    make a run several times slower)."""
    forced = os.environ.get("ATTACHE_CRASH_TMP")
    if forced:
        return forced
    try:
        with open("/proc/mounts") as f:
            shm = any(ln.split()[1:3] == ["/dev/shm", "tmpfs"] for ln in f)
        st = os.statvfs("/dev/shm")
        if shm and st.f_bavail * st.f_frsize > (1 << 30) and os.access("/dev/shm", os.W_OK):
            return "/dev/shm"
    except OSError:
        pass
    return "/tmp"


def note(text):
    """A line of figures in the test run's output."""
    print(f"    [test_crash] {text}", flush=True)


class CrashTest(unittest.TestCase):
    """One clean build of the real corpus is the reference of all tests."""

    @classmethod
    def setUpClass(cls):
        cls.corpus = h.corpus_dir()
        cls.clean_error = None
        cls.disk = None
        if cls.corpus is None:
            return  # each test skips, by name (setUp)
        cls.tmp = tempfile.mkdtemp(prefix="attache-crash-", dir=scratch_root())
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        cls.db0 = os.path.join(cls.tmp, "clean")
        t0 = time.monotonic()
        p = h.run_indexer("-d", cls.db0, "--json", "--no-progress", cls.corpus)
        note(f"seed {SEED} (ATTACHE_CRASH_SEED); indexes in {cls.tmp}; the clean build "
             f"took {time.monotonic() - t0:.1f} s")
        if p.returncode != 0:
            cls.clean_error = f"the clean build exited {p.returncode}: {p.stderr[-2000:]}"
            return
        cls.summary0 = h.parse_json_line(p.stdout)
        cls.list_text0 = h.list_text(cls.db0)
        cls.list0 = h.parse_list(cls.list_text0)
        cls.stats0 = h.stats(cls.db0)
        cls.files = len(cls.list0)
        cls.n = 0
        cls.with_word = set()  # files of the corpus with the word "government"
        for fid in cls.list0:
            with open(os.path.join(cls.corpus, fid), encoding="utf-8", errors="replace") as f:
                if "government" in f.read().lower():
                    cls.with_word.add(fid)

    def setUp(self):
        if self.corpus is None:
            self.skipTest(h.NO_CORPUS)
        if shutil.which("xapian-check") is None:
            self.skipTest("xapian-check is not installed (apt-get install xapian-tools)")
        dm.require_daemon(self)
        if self.clean_error:
            self.fail(self.clean_error)
        self.dtmp = h.tmp_for(self)  # daemon sockets and logs
        self.t0 = time.monotonic()
        self.check_s = 0.0  # time spent checking the index after kills
        self.pick = random.Random(SEED + 100)  # the files the daemon is asked for

    def new_db(self, name, copy_clean=False):
        type(self).n += 1
        db = os.path.join(self.tmp, f"{name}-{self.n}")
        self.addCleanup(shutil.rmtree, db, ignore_errors=True)
        if copy_clean:
            h.copy_tree(self.db0, db)
        return db

    # -- checks --------------------------------------------------------------

    def xapian_check(self, db, what):
        """xapian-check on the live generation must exit 0."""
        path = os.path.join(db, h.live_generation(db))
        self.assertTrue(os.path.isdir(path), f"{what}: the stub names {path}, which does not "
                        f"exist ({RERUN})")
        p = subprocess.run(["xapian-check", path], capture_output=True, text=True,
                           timeout=600, stdin=subprocess.DEVNULL)
        if p.returncode != 0:
            self.fail(f"{what}: `xapian-check {path}` exited {p.returncode} (0 expected); "
                      f"{RERUN}; its output ends:\n{(p.stdout + p.stderr)[-2500:]}")

    def assertConsistent(self, db, listing, what):
        st = h.stats(db)
        self.assertIs(st["consistent"], True, f"{what}: --stats {st} ({RERUN})")
        ok = [v for v in listing.values() if v[0] == "ok"]
        self.assertEqual((st["files"], st["documents"], st["passages"]),
                         (len(listing), sum(v[1] for v in ok), sum(v[2] for v in ok)),
                         f"{what}: --stats {st} disagrees with --list ({RERUN})")
        return st

    def assertWholeFiles(self, listing, what, also=None):
        """Every file the index holds is whole: its --list entry is the one
        of the clean build (or of also, a listing of other files)."""
        for fid, v in listing.items():
            want = self.list0.get(fid) if also is None or fid not in also else also[fid]
            self.assertIsNotNone(want, f"{what}: {fid} is not a file of the corpus ({RERUN})")
            self.assertEqual(v, want, f"{what}: {fid} is not whole: {v} in the index, {want} "
                             f"in a clean build ({RERUN})")

    def assertDaemonAnswers(self, db, listing, st, what):
        """attached opens db and answers a ping (at the revision --stats
        gives) and searches: all the passages of a file drawn from the
        listing, and a word query."""
        d = dm.Daemon(db, self.dtmp, "--listen", "none", tcp=False, threads=1)
        self.addCleanup(d.cleanup)
        try:
            d.start()
        except AssertionError as e:
            self.fail(f"{what}: the daemon cannot serve the index: {e} ({RERUN})")
        try:
            with d.connect() as c:
                r = c.call({"op": "ping"})
                self.assertEqual(r.get("revision"), st["revision"],
                                 f"{what}: ping {r} ({RERUN})")
                ok = sorted(k for k, v in listing.items() if v[0] == "ok")
                if ok:
                    fid = self.pick.choice(ok)
                    r = c.call({"op": "search", "q": "", "filter": {"doc": fid},
                                "limit": 1000, "quotes": False})
                    n = listing[fid][2]
                    self.assertEqual((len(r["hits"]), r["total"]["lower"],
                                      r["total"]["upper"]), (n, n, n),
                                     f"{what}: the passages of {fid} ({RERUN})")
                    self.assertTrue(all(x["doc"]["id"] == fid for x in r["hits"]), what)
                r = c.call({"op": "search", "q": "government", "limit": 5, "quotes": False})
                if set(ok) & self.with_word:
                    self.assertTrue(r["hits"], f"{what}: no hit for government ({RERUN})")
                if not ok:
                    self.assertEqual(r["hits"], [], f"{what}: an empty index ({RERUN})")
        finally:
            rc = d.stop()
        self.assertEqual(rc, 0, f"{what}: attached exited {rc} on SIGTERM; "
                         f"stderr:\n{d.stderr()[-2000:]}")

    def check_index(self, db, what, want_text=None, also=None):
        """All the checks of an index after a crash; (listing, stats)."""
        t0 = time.monotonic()
        try:
            return self._check_index(db, what, want_text, also)
        finally:
            self.check_s += time.monotonic() - t0

    def _check_index(self, db, what, want_text, also):
        self.xapian_check(db, what)
        text = h.list_text(db)
        if want_text is not None:
            self.assertEqual(text, want_text, f"{what}: --list differs from the index before "
                             f"the run ({RERUN})")
        listing = h.parse_list(text)
        self.assertWholeFiles(listing, what, also)
        st = self.assertConsistent(db, listing, what)
        self.assertDaemonAnswers(db, listing, st, what)
        return listing, st

    def kill_at(self, db, args, point, what):
        """Run attache-index with args on db, and once its progress bar
        shows point files done, freeze it (SIGSTOP), read --list as a
        reader sees it with the writer alive, and SIGKILL it. Returns
        (killed, files done, (rc, stdout, stderr)); when killed, --list
        after the kill is checked to be what the reader saw (a commit is
        durable once visible)."""
        w = h.Watched("-d", db, *args)
        self.addCleanup(w.stop)
        deadline = time.monotonic() + 300
        while w.files_done() < point and w.running():  # Watched.wait_files, polled faster
            self.assertLess(time.monotonic(), deadline, f"{what}: no progress in 300 s")
            time.sleep(0.001)
        at = w.files_done()
        if at < point:  # it ended before: an error, or done
            return False, at, w.finish()
        w.signal(signal.SIGSTOP)
        try:
            seen = h.run_indexer("--list", "-d", db, timeout=120)
        finally:
            w.signal(signal.SIGKILL)
        res = w.finish()
        if res[0] != -signal.SIGKILL:
            return False, at, res
        if seen.returncode == 0:
            self.assertEqual(h.list_text(db), seen.stdout, f"{what}: the index after the kill "
                             f"differs from the one a reader saw just before it ({RERUN})")
        return True, at, res

    def assertComplete(self, db, summary, rc, err, what, gens=True):
        """A run that must complete the index into exactly the clean build."""
        self.assertEqual(rc, 0, f"{what}: exit status; stderr: {err} ({RERUN})")
        self.assertIsNotNone(summary, f"{what}: no summary; stderr: {err}")
        self.assertIs(summary["interrupted"], False, what)
        self.assertEqual(h.list_text(db), self.list_text0,
                         f"{what}: --list differs from the clean build's ({RERUN})")
        st = h.stats(db)
        for k in ("documents", "passages", "files", "failed", "consistent"):
            self.assertEqual(st[k], self.stats0[k], f"{what}: --stats {k}: {st} vs the clean "
                             f"build's {self.stats0} ({RERUN})")
        self.assertEqual(summary["passages"], self.summary0["passages"], what)
        self.xapian_check(db, what)
        if gens:
            self.assertEqual(h.generations(db), [h.live_generation(db)],
                             f"{what}: only the live generation is left ({RERUN})")

    # -- 1. a first build and the runs that resume it ------------------------

    def round_points(self, rng):
        """Kill points of one round, in files gone through: three at the
        first file, inside the first batch (a --batch 50 run commits after
        the third file, and the progress bar draws the first file at once,
        the next ones 0.1 s later: so each of these runs starts from
        nothing again: the first build, then two runs that resume an empty
        index), one in each of INNER_POINTS equal stretches of the rest,
        and the end (every file read: the last commit, vanished files)."""
        points = [1] * FIRST_BATCH_POINTS
        span = (self.files - 3) / INNER_POINTS
        for k in range(INNER_POINTS):
            lo = 3 + int(k * span)
            hi = 3 + int((k + 1) * span) - 1
            points.append(rng.randint(lo + 1, max(lo + 1, hi - 1)))
        return points + [self.files]

    def test_kill9_first_build_and_resumed_runs(self):
        """At least 20 SIGKILLs of --batch 50 runs into one DB: the first
        build and two runs after it killed in their first batch, then each
        run that resumes the index killed further on; the run after the
        last kill completes it into exactly the clean build."""
        rng = random.Random(SEED)
        kills, rounds, first_batch, at_end, log = 0, 0, 0, 0, []
        while kills < MIN_KILLS and rounds < MAX_ROUNDS:
            rounds += 1
            db = self.new_db("first")
            points = self.round_points(rng)
            before = {}
            for i, point in enumerate(points):
                what = (f"round {rounds}, run {i + 1}: `attache-index -d DB --batch 50 "
                        f"CORPUS` SIGKILLed after {point} files (points {points})")
                killed, at, (rc, out, err) = self.kill_at(db, ("--json",) + BATCH
                                                          + (self.corpus,), point, what)
                if not killed:
                    # Only the end point may see the run complete first.
                    self.assertEqual(rc, 0, f"{what}: ended before the kill; {err} ({RERUN})")
                    self.assertEqual(point, self.files, f"{what}: ended before ({RERUN})")
                    log.append(f"r{rounds}:{point}=done")
                    before = h.list_index(db)
                    break
                kills += 1
                listing, st = self.check_index(db, what)
                lost = sorted(k for k in before if listing.get(k) != before[k])
                self.assertEqual(lost, [], f"{what}: files committed by earlier runs are "
                                 f"gone or changed ({RERUN})")
                new = len(listing) - len(before)
                first_batch += new == 0 and point < self.files
                at_end += point == self.files
                log.append(f"r{rounds}:{point}@{at}+{new}")
                before = listing
            what = f"round {rounds}: the run after the last kill (points {points})"
            s, rc, err = h.index_json(db, self.corpus, extra=BATCH)
            self.assertIsNotNone(s, f"{what}: exit {rc}, stderr {err}")
            self.assertEqual((s["added"], s["unchanged"], s["updated"], s["removed"],
                              s["failed"]),
                             (self.files - len(before), len(before), 0, 0, 0),
                             f"{what}: it resumes where the last kill left ({RERUN})")
            self.assertComplete(db, s, rc, err, what)
        self.assertGreaterEqual(kills, MIN_KILLS, f"kills performed ({RERUN}); {log}")
        note(f"first build: seed {SEED}, {kills} kills in {rounds} rounds ({first_batch} "
             f"before any new commit of the run, {at_end} after the last file), "
             f"{time.monotonic() - self.t0:.1f} s ({self.check_s:.1f} s of checks); "
             f"point@seen+files kept: {' '.join(log)}")

    # -- 2. --rebuild ---------------------------------------------------------

    def test_kill9_during_rebuild(self):
        """SIGKILL during --rebuild at seeded points and once every file is
        read (merge and swap): the previous index stays live, whole and
        usable; the next run leaves only the live generation; a last
        --rebuild completes."""
        rng = random.Random(SEED + 1)
        db = self.new_db("rebuild", copy_clean=True)
        half = (self.files // 2 - 5) / REBUILD_POINTS  # one in each third of the first half
        points = [rng.randint(5 + int(k * half), 4 + int((k + 1) * half))
                  for k in range(REBUILD_POINTS)] + [self.files]
        kills, log = 0, []
        for point in points:
            what = (f"`attache-index -d DB --rebuild --batch 50 CORPUS` SIGKILLed after "
                    f"{point} files (points {points})")
            live = h.live_generation(db)
            killed, at, (rc, out, err) = self.kill_at(
                db, ("--rebuild", "--json") + BATCH + (self.corpus,), point, what)
            if not killed:
                self.assertEqual(rc, 0, f"{what}: ended before the kill; {err} ({RERUN})")
                self.assertEqual(point, self.files, f"{what}: ended before ({RERUN})")
                self.assertNotEqual(h.live_generation(db), live, what)
                self.assertComplete(db, h.parse_json_line(out), rc, err, what)
                log.append(f"{point}=done")
                continue
            kills += 1
            now = h.live_generation(db)
            left = [g for g in h.generations(db) if g != now]
            if now != live:  # killed after the swap: the new one must be complete
                log.append(f"{point}@{at}:swapped {live}->{now}, strays {left}")
            else:
                log.append(f"{point}@{at}:{live} kept, strays {left}")
            self.check_index(db, what, want_text=self.list_text0)
            # The next run (an incremental one: nothing to do) drops the
            # leftovers; the live generation stays.
            s, rc, err = h.index_json(db, self.corpus)
            self.assertEqual((rc, s and s["unchanged"]), (0, self.files),
                             f"{what}: the next run: {s} {err} ({RERUN})")
            self.assertEqual(h.live_generation(db), now, what)
            self.assertEqual(h.generations(db), [now], f"{what}: after the next run only the "
                             f"live generation is left ({RERUN})")
            self.assertEqual(h.list_text(db), self.list_text0, what)
        self.assertGreaterEqual(kills, REBUILD_POINTS, f"{RERUN}; {log}")
        live = h.live_generation(db)
        s, rc, err = h.index_json(db, self.corpus, extra=("--rebuild",) + BATCH)
        self.assertEqual(s and s["added"], self.files, f"the last --rebuild: {s} {err}")
        self.assertNotEqual(h.live_generation(db), live, "the last --rebuild swaps")
        self.assertComplete(db, s, rc, err, "the last --rebuild")
        note(f"rebuild: seed {SEED}, {kills} kills, {time.monotonic() - self.t0:.1f} s "
             f"({self.check_s:.1f} s of checks); "
             f"{'; '.join(log)}")

    # -- 3. --compact ---------------------------------------------------------

    def test_kill9_during_compact(self):
        """SIGKILL shortly after --compact starts writing the next
        generation (a seeded delay after the folder appears): the stub
        names a complete generation, the index is intact and usable; the
        next run leaves only the live generation; a last --compact
        completes."""
        rng = random.Random(SEED + 2)
        db = self.new_db("compact", copy_clean=True)
        kills = tries = done_first = 0
        scale, log = 0.4, []
        while kills < COMPACT_KILLS and tries < COMPACT_TRIES:
            tries += 1
            live = h.live_generation(db)
            nxt = os.path.join(db, f"g{int(live[1:]) + 1}")
            self.assertFalse(os.path.exists(nxt), f"a leftover {nxt} before try {tries}")
            delay = rng.uniform(0, scale)
            what = (f"`attache-index -d DB --compact` SIGKILLed {delay * 1000:.0f} ms after "
                    f"{os.path.basename(nxt)} appeared (try {tries})")
            proc = h.start_indexer("-d", db, "--compact")
            self.addCleanup(h.stop, proc)
            h.wait_until(lambda: os.path.isdir(nxt) or proc.poll() is not None, 60,
                         f"{nxt} to appear", interval=0.0005)
            time.sleep(delay)
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            rc, out, err = h.finish(proc)
            if rc != -signal.SIGKILL:
                self.assertEqual(rc, 0, f"{what}: {err}")
                self.assertNotEqual(h.live_generation(db), live, what)
                self.assertEqual(h.generations(db), [h.live_generation(db)], what)
                self.assertEqual(h.list_text(db), self.list_text0, what)
                done_first += 1
                scale /= 2  # it was too quick for that delay: aim earlier
                log.append(f"{delay * 1000:.0f}ms=done")
                continue
            kills += 1
            now = h.live_generation(db)
            self.assertIn(now, (live, os.path.basename(nxt)), what)
            left = [g for g in h.generations(db) if g != now]
            log.append(f"{delay * 1000:.0f}ms:{'swapped' if now != live else 'kept'} {now}, "
                       f"strays {left}")
            self.check_index(db, what, want_text=self.list_text0)
            s, rc, err = h.index_json(db, self.corpus)
            self.assertEqual((rc, s and s["unchanged"]), (0, self.files),
                             f"{what}: the next run: {s} {err} ({RERUN})")
            self.assertEqual(h.generations(db), [now], f"{what}: after the next run only the "
                             f"live generation is left ({RERUN})")
        self.assertGreaterEqual(kills, COMPACT_KILLS,
                                f"--compact ended before the kill in {done_first} of {tries} "
                                f"tries ({RERUN}); {log}")
        live = h.live_generation(db)
        p = h.run_indexer("-d", db, "--compact")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotEqual(h.live_generation(db), live)
        self.assertEqual(h.generations(db), [h.live_generation(db)])
        self.assertEqual(h.list_text(db), self.list_text0)
        self.xapian_check(db, "the last --compact")
        note(f"compact: seed {SEED}, {kills} kills in {tries} tries ({done_first} finished "
             f"first), {time.monotonic() - self.t0:.1f} s ({self.check_s:.1f} s of checks); "
             f"{'; '.join(log)}")

    # -- 4. a full disk -------------------------------------------------------

    def full_disk(self):
        """Once for the class: a tmpfs of DISK_MB MB holding the index of
        the small hand-made corpus; the real corpus indexed into it (fills
        it), then --rebuild on the full disk. Returns what was seen (a
        dict; "skip": why it cannot be done)."""
        cls = type(self)
        if cls.disk is not None:
            return cls.disk
        if os.geteuid() != 0:
            cls.disk = {"skip": "mounting a tmpfs needs root (the test runs as uid "
                                f"{os.geteuid()})"}
            return cls.disk
        base = h.make_tmp("attache-crash-disk-")
        cls.addClassCleanup(shutil.rmtree, base, ignore_errors=True)
        mnt = os.path.join(base, "mnt")
        os.makedirs(mnt)
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "tmpfs", mnt],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            cls.disk = {"skip": f"cannot mount a tmpfs (mount exited {p.returncode}: "
                                f"{p.stderr.strip()})"}
            return cls.disk
        cls.addClassCleanup(subprocess.run, ["umount", "-l", mnt], capture_output=True,
                            timeout=60)
        seen = cls.disk = {"mnt": mnt}
        small = seen["small_dir"] = dm.write_corpus(os.path.join(base, "small"))
        db = seen["db"] = os.path.join(mnt, "db")
        seen["small"] = h.index_json(db, small)
        seen["small_list"] = h.list_text(db)
        seen["small_gen"] = h.live_generation(db)
        # The real corpus into it: about 40 MB of index for 8 MB of disk.
        seen["big"] = h.index_json(db, self.corpus, extra=BATCH)
        seen["df_after_big"] = shutil.disk_usage(mnt)
        seen["after_big"] = h.list_text(db)
        seen["gens_after_big"] = h.generations(db)
        seen["gen_after_big"] = h.live_generation(db)
        seen["xc_after_big"] = subprocess.run(
            ["xapian-check", os.path.join(db, seen["gen_after_big"])], capture_output=True,
            text=True, timeout=600, stdin=subprocess.DEVNULL)
        # --rebuild on the full disk.
        seen["rebuild"] = h.index_json(db, small, self.corpus, extra=("--rebuild",))
        seen["after_rebuild"] = h.list_text(db)
        seen["gens_after_rebuild"] = h.generations(db)
        seen["gen_after_rebuild"] = h.live_generation(db)
        return seen

    def disk_or_skip(self):
        seen = self.full_disk()
        if "skip" in seen:
            self.skipTest(seen["skip"])
        return seen

    def test_full_disk_keeps_the_previous_index(self):
        """A DB on a full tmpfs: the run fails with exit status 2, and the
        index it held (the small corpus) is still whole and usable, and
        so after a --rebuild that fails too; given room, the next run
        writes again."""
        seen = self.disk_or_skip()
        db = seen["db"]
        s, rc, err = seen["small"]
        self.assertEqual(rc, 0, f"the small corpus on a {DISK_MB} MB tmpfs: {err}")
        small = h.parse_list(seen["small_list"])
        s, rc, err = seen["big"]
        note(f"full disk ({DISK_MB} MB tmpfs, the real corpus added to a small index): "
             f"exit {rc}, stderr {err.strip()!r}, summary {s}, "
             f"{len(h.parse_list(seen['after_big'])) - len(small)} files of the real corpus "
             f"kept, {seen['df_after_big'].free} bytes free")
        what = f"`attache-index -d DB --batch 50 CORPUS` on a full {DISK_MB} MB tmpfs"
        self.assertEqual(rc, h.EXIT_USAGE, f"{what}: exit status; stderr {err!r}")
        self.assertTrue(err.strip(), f"{what}: no error message")
        self.assertEqual(seen["gen_after_big"], seen["small_gen"], what)
        after = h.parse_list(seen["after_big"])
        for fid, v in small.items():
            self.assertEqual(after.get(fid), v, f"{what}: the small corpus' {fid}")
        self.assertWholeFiles(after, what, also=small)
        xc = seen["xc_after_big"]
        self.assertEqual(xc.returncode, 0, f"{what}: xapian-check on the live generation "
                         f"exited {xc.returncode}: {(xc.stdout + xc.stderr)[-2000:]}")
        s, rc, err = seen["rebuild"]
        note(f"full disk, --rebuild: exit {rc}, stderr {err.strip()!r}, generations left "
             f"{seen['gens_after_rebuild']} (live {seen['gen_after_rebuild']})")
        what2 = "`attache-index -d DB --rebuild SMALL CORPUS` on the full tmpfs"
        self.assertEqual(rc, h.EXIT_USAGE, f"{what2}: exit status; stderr {err!r}")
        self.assertEqual(seen["gen_after_rebuild"], seen["gen_after_big"],
                         f"{what2}: the stub still names the previous index")
        self.assertEqual(seen["after_rebuild"], seen["after_big"], f"{what2}: --list")
        # On the still full disk: every check of an index after a crash.
        self.check_index(db, f"{what2}, the disk still full",
                         want_text=seen["after_big"], also=small)
        # Given room, the next run writes again and drops the leftovers.
        p = subprocess.run(["mount", "-o", f"remount,size={ROOMY_MB}m", seen["mnt"]],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, f"remount: {p.stderr}")
        fid = sorted(small)[0]
        with open(os.path.join(seen["small_dir"], fid), "a") as f:
            f.write("\nThe harbour reopened once the storm had passed.\n")
        s, rc, err = h.index_json(db, seen["small_dir"])
        self.assertEqual((rc, s and s["updated"], s and s["unchanged"]),
                         (0, 1, len(small) - 1), f"with room again: {s} {err}")
        self.assertEqual(h.generations(db), [h.live_generation(db)],
                         "with room again: only the live generation is left")
        listing = h.list_index(db)
        self.assertNotEqual(listing[fid][3], small[fid][3], f"{fid}: updated")
        small[fid] = listing[fid]
        self.check_index(db, "with room again", also=small)

    def test_full_disk_error_names_the_cause(self):
        """The error of a run that fills the disk says so (no space left
        on the device), so that whoever reads it knows what to do."""
        seen = self.disk_or_skip()
        s, rc, err = seen["big"]
        self.assertEqual(rc, h.EXIT_USAGE, err)
        msgs = [("adding the real corpus", err), ("--rebuild", seen["rebuild"][2])]
        bad = [f"{what}: {e.strip()!r}" for what, e in msgs if not DISK_WORDS.search(e)]
        self.assertEqual(bad, [], f"attache-index on a full {DISK_MB} MB tmpfs exits 2 but "
                         "its error does not say that the disk is full (expected words like "
                         "'No space left on device')")


if __name__ == "__main__":
    unittest.main()


class JsonlCrashTest(unittest.TestCase):
    """One big .jsonl file (the corpus's texts, one record per line, twice)
    killed with SIGKILL at seeded moments of its first build and of the
    runs that resume it: after every kill --stats is consistent (the file's
    record claims no more than the index holds), and the last run ends in
    exactly the clean build."""

    KILLS = 6

    def test_kill9_in_the_middle_of_a_jsonl_file(self):
        corpus = h.corpus_dir()
        if corpus is None:
            self.skipTest(h.NO_CORPUS)
        tmp = tempfile.mkdtemp(prefix="attache-crash-jsonl-", dir=scratch_root())
        self.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
        names = sorted(os.path.relpath(os.path.join(d, n), corpus)
                       for d, _, ns in os.walk(corpus) for n in ns if n.endswith(".txt"))[:120]
        lines = []
        for k in range(2):
            for n in names:
                with open(os.path.join(corpus, n), encoding="utf-8", errors="replace") as f:
                    body = f.read()
                rec = {"body": body} if len(lines) % 9 == 4 else {"id": f"{k}-{n}", "body": body}
                lines.append(json.dumps(rec) + "\n")
        folder = os.path.join(tmp, "dump")
        h.write(os.path.join(folder, "all.jsonl"), "".join(lines))
        clean, db = os.path.join(tmp, "clean"), os.path.join(tmp, "db")
        t0 = time.monotonic()
        p = h.run_indexer("-d", clean, "--batch", "50", "--no-progress", folder, timeout=900)
        full = time.monotonic() - t0
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        rng = random.Random(SEED + 7)
        points = sorted(rng.uniform(0.05, 0.9) for _ in range(self.KILLS))
        kills = []
        for at in points:
            proc = h.start_indexer("-d", db, "--batch", "50", "--no-progress", folder)
            try:
                proc.wait(timeout=full * at / 2)  # a seeded kill point, not a wait
            except subprocess.TimeoutExpired:
                proc.kill()
            proc.communicate()
            st = h.stats(db, check=False)
            kills.append(f"{at:.2f}:{st['passages'] if st else '-'}")
            if st is not None:
                self.assertIs(st["consistent"], True, f"after a kill: {st} ({RERUN})")
        p = h.run_indexer("-d", db, "--batch", "50", "--json", "--no-progress", folder,
                          timeout=900)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        note(f"jsonl: seed {SEED}, {len(lines)} records, kills at {' '.join(kills)}")
        self.assertEqual(h.list_index(db), h.list_index(clean), RERUN)
        a, b = h.stats(db), h.stats(clean)
        self.assertEqual({k: a[k] for k in ("documents", "passages", "terms")},
                         {k: b[k] for k in ("documents", "passages", "terms")}, RERUN)
