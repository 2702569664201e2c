"""Big .jsonl files: read as a stream in bounded memory, records as the
unit of change (an appended tail is all that is read; a changed, deleted
or added line changes that record alone), and a run killed in the middle
of a file resumes into exactly the clean build.

The file is generated on the fly (RECORDS small records); with
ATTACHE_TEST_BIG=1 (make test-big) the memory test reads a 1 GB file and a
200 MB .txt as well. Peak memory is the indexer's own ru_maxrss (tests/tools/peak_rss).
"""
import json
import os
import random
import shutil
import signal
import subprocess
import time
import unittest

import daemon as dm
import harness as h

BIG = os.environ.get("ATTACHE_TEST_BIG") == "1"
RECORDS = 3000                  # the make-test file: about 3 MB
BOUND_MB = 400                  # peak RSS with the default --max-memory, plus
RECORD_BYTES = 300              # this much for each record of the file at hand
SEED = int(os.environ.get("ATTACHE_JSONL_SEED", "20251130"))


def record(i, rng, with_id=True):
    r = {"title": f"Record {i}", "date": f"20{10 + i % 15}-0{1 + i % 9}-1{i % 9}",
         "body": h.article(SEED + i, paragraphs=rng.randint(1, 3), sentences=3)}
    if with_id:
        r["id"] = f"r{i}"
    return json.dumps(r) + "\n"


def make_lines(n, seed=SEED):
    rng = random.Random(seed)
    return [record(i, rng, with_id=(i % 10 != 7)) for i in range(n)]


def peak_rss(*args, timeout=3600):
    """Run attache-index under tests/tools/peak_rss: (rc, stdout, stderr,
    peak MB). Not wait4 from here: a child forked from this (large, long)
    test process starts with its high-water mark, which Linux keeps across
    exec."""
    tool = os.path.join(h.build_dir(), "tests", "peak_rss")
    if not os.path.exists(tool):
        raise unittest.SkipTest(f"{tool} not built (make check-build)")
    p = subprocess.run([tool] + h.indexer_cmd(*args), capture_output=True,
                       stdin=subprocess.DEVNULL, env=h._env(None), timeout=h.scaled(timeout))
    err = p.stderr.decode()
    lines = err.rstrip("\n").split("\n")
    last = lines[-1] if lines else ""
    if not last.startswith("peak_rss_kib "):
        raise AssertionError(f"peak_rss printed no figure: {err[-2000:]}")
    return p.returncode, p.stdout.decode(), "\n".join(lines[:-1]), int(last.split()[1]) / 1024


class JsonlStreamTest(unittest.TestCase):

    def setUp(self):
        self.tmp = h.tmp_for(self)
        self.lines = make_lines(RECORDS)

    def folder(self, name, lines):
        path = os.path.join(self.tmp, name, "dump.jsonl")
        h.write(path, "".join(lines))
        return os.path.dirname(path)

    def index(self, db, folder, *extra, rc=0):
        s, code, err = h.index_json(db, folder, extra=extra, timeout=900)
        self.assertEqual(code, rc, err[-2000:])
        return s, err

    def search(self, db, queries):
        """Each query's hits as (doc id, passage, text), in rank order."""
        d = dm.Daemon(db, self.tmp, "--listen", "none", tcp=False, threads=1)
        self.addCleanup(d.cleanup)
        d.start()
        out = []
        try:
            with d.connect() as c:
                for q in queries:
                    r = c.call({"op": "search", "q": q, "limit": 50, "quotes": False})
                    out.append([(x["doc"]["id"], x.get("n"), x.get("text")) for x in r["hits"]])
        finally:
            d.stop()
        return out

    def assertSameAsClean(self, db, lines, what):
        """db holds what a clean build of lines gives."""
        clean = os.path.join(self.tmp, f"clean-{what}")
        shutil.rmtree(clean, ignore_errors=True)
        self.index(clean, self.folder(f"c-{what}", lines))
        a, b = h.list_index(db), h.list_index(clean)
        self.assertEqual(list(a.values()), list(b.values()), what)
        sa, sb = h.stats(db), h.stats(clean)
        for k in ("documents", "passages", "terms", "consistent"):
            self.assertEqual(sa[k], sb[k], f"{what}: {k}")
        qs = ["treaty", "harvest AND court", "\"fishery shipping\"", "refugee", "governor"]
        self.assertEqual(self.search(db, qs), self.search(clean, qs), what)

    def test_memory_is_bounded(self):
        lines = self.lines
        folder = self.folder("mem", lines)
        if BIG:  # a 1 GB file of the same records over and over, ids made unique
            path = os.path.join(folder, "dump.jsonl")
            with open(path, "w") as f:
                n, size = 0, 0
                while size < (1 << 30):
                    for ln in self.lines:
                        r = json.loads(ln)
                        r["id"] = f"b{n}"
                        s = json.dumps(r) + "\n"
                        f.write(s)
                        size += len(s)
                        n += 1
            txt = os.path.join(self.tmp, "txt", "big.txt")
            with open(h.write(txt, ""), "w") as f:
                i, size = 0, 0
                while size < 200 << 20:
                    a = h.article(i, paragraphs=2) + "\n"
                    f.write(a)
                    size += len(a)
                    i += 1
        db = os.path.join(self.tmp, "db-mem")
        more = (os.path.dirname(txt),) if BIG else ()
        t0 = time.monotonic()
        rc, out, err, mb = peak_rss("-d", db, "--json", "--no-progress", folder, *more)
        self.assertEqual(rc, 0, err[-2000:])
        s = h.parse_json_line(out)
        self.assertEqual(s["records"]["added"], len(lines) if not BIG else s["documents"] - 1)
        bound = BOUND_MB + RECORD_BYTES * s["records"]["added"] / 2**20
        self.assertLess(mb, bound, f"peak RSS {mb:.0f} MB")
        print(f"    [jsonl] first index{' with a 200 MB .txt' if BIG else ''}: "
              f"{time.monotonic() - t0:.1f} s, {mb:.0f} MB")
        # One line more: read in no time, only that record indexed.
        with open(os.path.join(folder, "dump.jsonl"), "a") as f:
            f.write(json.dumps({"id": "tail", "body": "A last word on canals."}) + "\n")
        t0 = time.monotonic()
        rc, out, err, mb = peak_rss("-d", db, "--json", "--no-progress", folder)
        self.assertEqual(rc, 0, err[-2000:])
        s = h.parse_json_line(out)
        self.assertEqual(s["records"], {"added": 1, "updated": 0, "removed": 0,
                                        "unchanged": 0}, s)
        self.assertLess(mb, bound)
        print(f"    [jsonl] appended line: {time.monotonic() - t0:.2f} s, {mb:.0f} MB")

    def test_append_change_delete(self):
        lines = list(self.lines)
        folder = self.folder("live", lines)
        db = os.path.join(self.tmp, "db")
        s, _ = self.index(db, folder)
        self.assertEqual(s["records"]["added"], len(lines))
        self.assertEqual(s["added"], 1)
        # Appended lines: those alone.
        rng = random.Random(SEED + 1)
        more = [record(RECORDS + i, rng, with_id=(i != 1)) for i in range(3)]
        lines += more
        with open(os.path.join(folder, "dump.jsonl"), "a") as f:
            f.write("".join(more))
        s, _ = self.index(db, folder)
        self.assertEqual(s["records"], {"added": 3, "updated": 0, "removed": 0,
                                        "unchanged": 0}, s)
        self.assertSameAsClean(db, lines, "appended")
        # A changed line: that record updated, the others unchanged.
        r = json.loads(lines[10])
        r["body"] += " A new sentence about the harbour."
        lines[10] = json.dumps(r) + "\n"
        h.write(os.path.join(folder, "dump.jsonl"), "".join(lines))
        s, _ = self.index(db, folder)
        self.assertEqual(s["records"], {"added": 0, "updated": 1, "removed": 0,
                                        "unchanged": len(lines) - 1}, s)
        # A deleted line before a record without an id: that one stays.
        noid = json.loads(lines[17])
        self.assertNotIn("id", noid)
        del lines[16]
        h.write(os.path.join(folder, "dump.jsonl"), "".join(lines))
        before = h.list_index(db)
        s, _ = self.index(db, folder)
        self.assertEqual(s["records"], {"added": 0, "updated": 0, "removed": 1,
                                        "unchanged": len(lines)}, s)
        self.assertEqual(h.list_index(db)["dump.jsonl"][1], before["dump.jsonl"][1] - 1)
        self.assertSameAsClean(db, lines, "changed-deleted")

    def test_bad_and_oversize_lines_are_named(self):
        lines = list(self.lines[:50])
        lines.insert(5, "not json\n")
        lines.insert(9, json.dumps({"id": "huge", "body": "word " * 300000}) + "\n")
        folder = self.folder("bad", lines)
        db = os.path.join(self.tmp, "db")
        s, err = self.index(db, folder, "--max-record", "1")
        self.assertRegex(err, r"dump\.jsonl:6: skipped: not valid JSON")
        self.assertRegex(err, r"dump\.jsonl:10: skipped: a record over 1 MB")
        self.assertEqual(s["records"]["added"], 50)

    def test_a_later_line_with_the_same_id_replaces_the_earlier(self):
        lines = list(self.lines[:40])
        lines.insert(20, json.dumps({"id": "r3", "body": "The second copy speaks of "
                                     "lighthouses."}) + "\n")
        folder = self.folder("dup", lines)
        db = os.path.join(self.tmp, "db")
        s, _ = self.index(db, folder)
        self.assertEqual(s["documents"], 40)
        self.assertIs(h.stats(db)["consistent"], True)
        hits = self.search(db, ["lighthouses"])[0]
        self.assertEqual([x[0] for x in hits], ["r3"])
        s, _ = self.index(db, folder)
        self.assertEqual(s["unchanged"], 1)

    def test_kill9_mid_file_resumes_to_the_clean_build(self):
        lines = self.lines
        folder = self.folder("crash", lines)
        db = os.path.join(self.tmp, "db")
        rng = random.Random(SEED)
        t0 = time.monotonic()
        self.index(os.path.join(self.tmp, "timing"), folder, "--batch", "50")
        full = time.monotonic() - t0
        for k in range(3):
            p = h.start_indexer("-d", db, "--batch", "50", "--no-progress", folder)
            time.sleep(full * rng.uniform(0.2, 0.8) / (k + 1))  # a kill point, not a wait
            p.send_signal(signal.SIGKILL)
            p.communicate()
            st = h.stats(db, check=False)
            if st is not None:
                self.assertIs(st["consistent"], True, f"after kill {k}: {st}")
        s, _ = self.index(db, folder, "--batch", "50")
        self.assertSameAsClean(db, lines, "killed")


if __name__ == "__main__":
    unittest.main()
