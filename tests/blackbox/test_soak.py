"""Soak test: attached under load while attache-index keeps re-indexing.

attached (2 threads) serves an index of a copy of the corpus (the real one
when there is one, else a generated one of a few hundred files) while
bench/load keeps 8 connections busy on its Unix socket with
bench/queries.txt for ATTACHE_SOAK_SECONDS (default 15; `make soak` runs
90). All the while, every TICK seconds, a few files change (a sentence with
a counter word appended to a file, a new file, an earlier new file
deleted) and attache-index runs on the corpus; one run is an
`attache-index --compact` (at a third of the run; in runs of 45 s and
more, half-way, after a --rebuild at a third), so the daemon also goes
through generation swaps.

A checker thread, every CHECK_EVERY seconds, on two connections of its
own (one Unix, one TCP): every response (stats, search) is a JSON object
with ok true and its own id; the revision never goes back on one
connection; a counter word becomes findable on both connections within
FIND_BOUND seconds of the end of the indexer run that indexed it (and the
word of a deleted file disappears as fast), and once a connection has
seen a word at some revision it keeps finding it; and it samples the
daemon's VmRSS from /proc/PID/status.

At the end: load exited 0 (it fails on any error response) and stopped by
time, not by its request cap; attached still runs and exits 0 on SIGTERM
within STOP_BOUND seconds; its stderr holds no sanitizer report; and
memory does not grow after warm-up:

    max VmRSS over the second half of the run
        <= VmRSS at the end of warm-up (the first third) * 1.5 + 20 MB

Measured on 2 cores beside another test run, real corpus (docs/RELIABILITY.md):
the release daemon stays at 8.5-8.9 MB for 60 s (10-13 indexer runs, a
compaction and a rebuild); under AddressSanitizer the RSS climbs while the
quarantine of freed memory fills, then swings. The daemon runs here with a
quarantine of 32 MB (ASAN_OPTIONS quarantine_size_mb), which it fills in
well under the warm-up however little a request frees (AddressSanitizer's
default of 256 MB took 2-5 s of a busy daemon, and more when responses
freed less or the machine was loaded, so the warm-up value could be taken
before the plateau).
The bound is relative to the warm-up value because AddressSanitizer's RSS
is some 50 times the release build's; the factor covers those swings many
times over, and the slack is what a leak must exceed in the release build:
some 100-200 bytes a request over a 90 s run (600-1000 over 15 s), or
0.5 MB an index reopen. Lost memory is LeakSanitizer's to find, at exit.

One summary line (duration, requests, req/s, indexer runs, RSS at warm-up,
at the end and the maximum) goes to stderr, so that it shows in the test
log.
"""
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import unittest

import daemon as dm
import harness as h

FLAVOUR = os.environ.get("ATTACHE_FLAVOUR", "rel")
QUERIES = os.path.join(h.REPO, "bench", "queries.txt")

CONNS = 8             # load's connections
THREADS = 2           # attached's worker threads
TICK = 2.5            # seconds between rounds of changes and indexer runs
CHECK_EVERY = 0.5     # seconds between the checker's rounds
FIND_BOUND = 15       # seconds for an indexed change to show on every connection
STOP_BOUND = 30       # seconds for attached to exit on SIGTERM
LOAD_GRACE = 60       # seconds load may take past its duration to stop
WARMUP = 1 / 3        # share of the run that is warm-up for the RSS bound


def daemon_env():
    """The daemon's environment: under AddressSanitizer, a quarantine small
    enough to be full by the end of the warm-up."""
    if FLAVOUR != "san":
        return None
    return {"ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=32"}
RSS_FACTOR, RSS_SLACK_KB = 1.5, 20 * 1024
GEN_FILES = 300       # files of the generated corpus (no real corpus)
STICKY = 4            # words found earlier that the checker searches again each round

SANITIZER = re.compile(r"==\d+==(?:ERROR|WARNING): |AddressSanitizer|LeakSanitizer|"
                       r"UndefinedBehaviorSanitizer|runtime error: |SUMMARY: \w+Sanitizer")


def soak_seconds():
    text = os.environ.get("ATTACHE_SOAK_SECONDS", "15")
    try:
        secs = float(text)
    except ValueError:
        secs = -1
    if not secs >= 3 * TICK:  # room for an indexer run before and after the compaction
        raise ValueError(f"ATTACHE_SOAK_SECONDS must be a number of at least {3 * TICK:g}, "
                         f"not {text!r}")
    return secs


def load_bin():
    return os.path.join(h.build_dir(), "bench", "load")


def vm_rss_kb(pid):
    """VmRSS of pid in kB, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def mb(kb):
    return f"{kb / 1024:.1f} MB" if kb is not None else "?"


def write_generated_corpus(root):
    """The hand-made corpus plus GEN_FILES reports mixing its news
    paragraphs with generated text."""
    dm.write_corpus(root)
    rng = random.Random(7)
    paras = [p for (_, _, _, _, ps) in dm.NEWS.values() for p in ps]
    for i in range(GEN_FILES):
        body = rng.sample(paras, 2) + [h.article(20000 + i, paragraphs=3)]
        h.write(os.path.join(root, "gen", f"g{i:03d}.txt"),
                f"Title: Generated report {i}\nDate: {2000 + i % 25}-{1 + i % 12:02d}-"
                f"{1 + i % 28:02d}\nSource: {dm.FILLER_SOURCES[i % 3]}\n\n"
                + "\n\n".join(body) + "\n")
    return root


class Checker(threading.Thread):
    """Checks the daemon every CHECK_EVERY seconds from two connections of
    its own and samples its RSS; the first failure stops it and is kept."""

    def __init__(self, d):
        super().__init__(daemon=True)
        self.d = d
        # Made one after the other, so the round-robin hand-off gives them
        # to different workers (a connection stays with its worker).
        self.conns = [("unix", d.connect("unix")), ("tcp", d.connect("tcp"))]
        self.last_rev = {name: None for name, _ in self.conns}
        self.lock = threading.Lock()
        self.pending = []       # [word, present, since, {connections that saw it so}]
        self.seen = {}          # word -> {connection: revision it was first found at}
        self.deleted = set()    # words whose file was deleted
        self.confirmed = set()  # words found on every connection
        self.took = []          # seconds from the end of an indexer run to visible
        self.failures = []
        self.rss = []           # (seconds since t0, kB)
        self.rounds = self.requests = self.next_id = 0
        self.t0 = None
        self.halt = threading.Event()

    def close(self):
        for _, c in self.conns:
            c.close()

    def expect(self, word, present, since):
        """word must be findable (present) or not on every connection
        within FIND_BOUND seconds of since (the end of an indexer run)."""
        with self.lock:
            self.pending.append([word, present, since, set()])

    def forget(self, word):
        """word's file is about to be deleted: it need not stay findable."""
        with self.lock:
            self.deleted.add(word)

    def is_confirmed(self, word):
        with self.lock:
            return word in self.confirmed

    def idle(self):
        with self.lock:
            return not self.pending

    def call(self, name, c, obj):
        self.next_id += 1
        rid = self.next_id
        r = c.request(dict(obj, id=rid))  # raises on a line that is not a JSON object
        self.requests += 1
        if r.get("ok") is not True or r.get("id") != rid:
            raise AssertionError(f"{name}: {obj!r} (id {rid}) got {json.dumps(r)[:400]}")
        rev = r.get("revision")
        if not isinstance(rev, int):
            raise AssertionError(f"{name}: no integer revision in {json.dumps(r)[:400]}")
        last = self.last_rev[name]
        if last is not None and rev < last:
            raise AssertionError(f"{name}: the revision went back from {last} to {rev} "
                                 f"on one connection ({obj!r})")
        self.last_rev[name] = rev
        return r

    def search(self, name, c, word):
        """(revision, whether word has hits) on connection name."""
        r = self.call(name, c, {"op": "search", "q": word, "limit": 10, "quotes": False})
        return r["revision"], bool(r["hits"])

    def round(self):
        kb = vm_rss_kb(self.d.pid)
        if kb is not None:
            self.rss.append((time.monotonic() - self.t0, kb))
        with self.lock:
            pending = list(self.pending)
            seen = {w: dict(s) for w, s in self.seen.items() if w not in self.deleted}
        seen = dict(list(seen.items())[-STICKY:])
        for name, c in self.conns:
            st = self.call(name, c, {"op": "stats"})
            missing = dm.STATS_KEYS - set(st)
            if missing:
                raise AssertionError(f"{name}: stats lacks {sorted(missing)}: {str(st)[:300]}")
            # A word a connection found at some revision stays findable at
            # later ones (appended words are never removed; a new file is
            # deleted only after forget()): the last STICKY words found.
            for word, revs in seen.items():
                if name in revs:
                    rev, found = self.search(name, c, word)
                    if not found and rev >= revs[name]:
                        raise AssertionError(f"{name}: {word} was found at revision "
                                             f"{revs[name]}, not at revision {rev}")
        for p in pending:  # only this thread changes an entry's set
            word, present, since, ok_on = p
            for name, c in self.conns:
                if name not in ok_on:
                    rev, found = self.search(name, c, word)
                    if found == present:
                        ok_on.add(name)
                        if present:
                            with self.lock:
                                self.seen.setdefault(word, {})[name] = rev
            took = time.monotonic() - since
            if len(ok_on) == len(self.conns):
                with self.lock:
                    self.pending.remove(p)
                    if present:
                        self.confirmed.add(word)
                    self.took.append(took)
            elif took > FIND_BOUND:
                late = sorted(n for n, _ in self.conns if n not in ok_on)
                raise AssertionError(f"{word} still {'not findable' if present else 'found'} "
                                     f"on {late} {took:.1f} s after the end of the indexer "
                                     f"run (bound {FIND_BOUND} s)")
        self.rounds += 1

    def run(self):
        try:
            while not self.halt.is_set():
                self.round()
                self.halt.wait(CHECK_EVERY)
        except Exception as e:  # the test reports it
            with self.lock:
                self.failures.append(f"checker round {self.rounds}: {e}")


class SoakTest(unittest.TestCase):
    def test_soak(self):
        for path in (h.bin_path("attached"), h.bin_path("attache-index"), load_bin()):
            if not os.path.exists(path):
                self.skipTest(f"{path} not built (make check-build)")
        seconds = soak_seconds()
        tmp = h.tmp_for(self)
        corpus = os.path.join(tmp, "corpus")
        real = h.corpus_dir()
        if real:
            h.copy_tree(real, corpus)
        else:
            write_generated_corpus(corpus)
        db = dm.build_index(corpus, os.path.join(tmp, "db"))
        indexed = set(h.list_index(db))
        targets = sorted(f for f in indexed if f.endswith(".txt"))  # appended to
        self.assertTrue(targets, "no indexed .txt file to append to")

        d = dm.start_daemon(self, db, tmp=tmp, threads=THREADS, env=daemon_env())
        checker = Checker(d)
        self.addCleanup(checker.close)
        self.addCleanup(checker.halt.set)

        n_cap = int(seconds * 50000) + 100000  # far more than it can do: it stops by time
        load = subprocess.Popen([load_bin(), "--socket", d.sock_path, "--queries", QUERIES,
                                 "-c", str(CONNS), "-n", str(n_cap), "-d", f"{seconds:g}",
                                 "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, stdin=subprocess.DEVNULL)
        self.addCleanup(h.stop, load)
        t0 = checker.t0 = time.monotonic()
        checker.start()

        rng = random.Random(11)
        runs = []       # (kind, seconds it took)
        added = []      # (relative path, word) of new files not deleted yet
        # The swaps: in a short run a compaction at a third (after an indexer
        # run, however slow the runs are); in a long one a rebuild at a third
        # (done well before the end) and a compaction half-way.
        long_run = seconds >= 45
        compact_at = seconds / 2 if long_run else seconds / 3
        rebuild_at = seconds / 3 if long_run else None
        k = 0
        next_tick = t0 + TICK
        while True:
            try:
                load.wait(timeout=max(0.0, next_tick - time.monotonic()))
                break  # load is done
            except subprocess.TimeoutExpired:
                pass
            if not checker.is_alive():
                h.stop(load)
                self.fail(f"the checker failed: {checker.failures}" + (
                    "" if d.running() else f"; attached exited {d.proc.returncode}: "
                    f"{d.stderr()[-2000:]}"))
            if time.monotonic() > t0 + seconds + LOAD_GRACE:
                self.fail(f"load still runs {LOAD_GRACE} s after its {seconds:g} s")
            k += 1
            now = time.monotonic() - t0
            if compact_at is not None and now >= compact_at and runs:
                compact_at = None
                kind, extra = "compact", ("--compact",)
            elif rebuild_at is not None and now >= rebuild_at:
                rebuild_at = None
                kind, extra = "rebuild", ("--rebuild",)
            else:
                kind, extra = "index", ()
            expect = []
            if kind != "compact":
                # A sentence with a counter word appended to an indexed file.
                word = f"soakmark{k}"
                h.write(os.path.join(corpus, rng.choice(targets)),
                        f"\nThe soak counter word is {word}.\n", mode="a")
                expect.append((word, True))
                # A new file.
                new = (f"soak/new{k:04d}.txt", f"soaknew{k}")
                h.write(os.path.join(corpus, new[0]),
                        f"Title: Soak {k}\nDate: 2025-12-{1 + k % 28:02d}\nSource: AP\n\n"
                        + h.article(30000 + k, paragraphs=2)
                        + f"\nThe new file's word is {new[1]}.\n")
                expect.append((new[1], True))
                # An earlier new file deleted (once every connection has found it).
                gone = next((a for a in added if checker.is_confirmed(a[1])), None)
                if gone:
                    added.remove(gone)
                    checker.forget(gone[1])
                    os.remove(os.path.join(corpus, gone[0]))
                    expect.append((gone[1], False))
                added.append(new)
            started = time.monotonic()
            if kind == "compact":
                p = h.run_indexer("-d", db, "--compact", timeout=300)
                self.assertEqual(p.returncode, 0, f"attache-index --compact: {p.stderr}")
            else:
                summary, rc, err = h.index_json(db, corpus, extra=extra)
                self.assertEqual(rc, 0, f"attache-index {' '.join(extra)} exited {rc}: {err}")
                if kind == "index":
                    want = {"added": 1, "updated": 1, "removed": int(bool(gone)), "failed": 0}
                    got = {key: summary[key] for key in want}
                    self.assertEqual(got, want, f"indexer run {k}: {summary}")
            ended = time.monotonic()
            runs.append((kind, ended - started))
            for word, present in expect:
                checker.expect(word, present, ended)
            next_tick = max(next_tick + TICK, ended + 0.5)

        out, err = load.communicate(timeout=60)
        try:
            r = json.loads(out) if out.strip() else {}
        except ValueError:
            r = {}
        # The last changes: the checker finishes with them (or fails on them).
        h.wait_until(lambda: checker.idle() or not checker.is_alive(), FIND_BOUND + 30,
                     "the checker's last expectations", interval=0.1)
        checker.halt.set()
        checker.join(60)
        self.assertFalse(checker.is_alive(), "the checker hangs")
        checker.close()

        # SIGTERM: attached must exit 0 within STOP_BOUND.
        alive, stop_rc, stop_s = d.running(), None, None
        if alive:
            since = time.monotonic()
            d.signal(signal.SIGTERM)
            try:
                stop_rc = d.wait(STOP_BOUND)
                stop_s = time.monotonic() - since
            except subprocess.TimeoutExpired:
                pass
        stderr = d.stderr()

        # RSS while load ran: at the end of warm-up, the maximum of the
        # second half, at the end.
        load_secs = r.get("seconds") or seconds
        samples = [(t, kb) for t, kb in checker.rss if t <= load_secs + CHECK_EVERY]
        warm = next((kb for t, kb in samples if t >= load_secs * WARMUP), None)
        second_max = max((kb for t, kb in samples if t >= load_secs / 2), default=None)
        rss_max = max((kb for _, kb in samples), default=None)
        rss_end = samples[-1][1] if samples else None
        requests = r.get("requests")
        index_runs = ", ".join(f"{sum(1 for x in runs if x[0] == kind)} {kind}"
                               for kind in ("index", "compact", "rebuild")
                               if any(x[0] == kind for x in runs))
        print(f"\nsoak {FLAVOUR}: {load_secs:.1f} s, {requests} requests, "
              f"{r.get('rps', 0):.0f} req/s (p99 {r.get('p99_us', 0) / 1000:.1f} ms), "
              f"{len(runs)} indexer runs ({index_runs}; longest "
              f"{max((x[1] for x in runs), default=0):.2f} s), checker {checker.rounds} rounds "
              f"{checker.requests} requests, changes visible in at most "
              f"{max(checker.took, default=0):.2f} s; RSS warm-up {mb(warm)}, end "
              f"{mb(rss_end)}, max {mb(rss_max)} (second half {mb(second_max)}); "
              f"{'real' if real else 'generated'} corpus; SIGTERM: exit {stop_rc}"
              + (f" in {stop_s:.2f} s" if stop_s is not None else ""),
              file=sys.stderr, flush=True)

        self.assertEqual(checker.failures, [], "the checker's findings")
        self.assertEqual(load.returncode, 0, f"load exited {load.returncode} (an error "
                         f"response, or a lost connection): {err[-2000:]}")
        self.assertEqual(r.get("errors"), 0, out)
        self.assertLess(requests, n_cap, "load stopped by its request cap, not by time")
        self.assertIn("index", [x[0] for x in runs], f"no indexer run with changes: {runs}")
        self.assertIn("compact", [x[0] for x in runs], f"no --compact ran: {runs}")

        self.assertTrue(alive, f"attached died during the soak (status {d.proc.returncode}; "
                        f"-N: signal N): {stderr[-3000:]}")
        self.assertIsNotNone(stop_s, f"attached did not exit within {STOP_BOUND} s of SIGTERM")
        self.assertEqual(stop_rc, 0, f"attached exited {stop_rc} on SIGTERM: {stderr[-3000:]}")
        m = SANITIZER.search(stderr)
        self.assertIsNone(m, f"a sanitizer report in attached's stderr: "
                             f"{stderr[max(0, m.start() - 200):][:3000] if m else ''}")

        self.assertIsNotNone(warm, f"no RSS sample after warm-up: {samples}")
        bound = warm * RSS_FACTOR + RSS_SLACK_KB
        self.assertLessEqual(second_max, bound,
                             f"attached's memory grew: max VmRSS over the second half "
                             f"{mb(second_max)} > bound {mb(bound)} = RSS at the end of "
                             f"warm-up {mb(warm)} x {RSS_FACTOR} + {RSS_SLACK_KB // 1024} MB "
                             f"(samples, s: MB: "
                             f"{[(round(t, 1), round(kb / 1024, 1)) for t, kb in samples]})")


if __name__ == "__main__":
    unittest.main()
