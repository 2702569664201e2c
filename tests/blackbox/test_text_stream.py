"""Big .txt and .md files: a file larger than an eighth of one commit's text
(which is an eighth of --max-memory) is read in pieces of about a megabyte, cut where a
paragraph ends, so memory does not grow with the file. What the index then
holds is what reading the file whole gives (same passages, numbers,
offsets and metadata on every passage); an unchanged file is left alone,
a changed one replaced; a run killed in the middle of the file resumes at
its last commit and ends with exactly the clean build.

The files are generated (a few MB); --max-memory 16 makes them streamed
(2 MB of text per commit: files over 256 KB are streamed). make test-big indexes a 200 MB .txt with the
defaults (tests/blackbox/test_jsonl_stream.py).
"""
import os
import random
import shutil
import signal
import time
import unittest

import daemon as dm
import harness as h

SEED = int(os.environ.get("ATTACHE_TEXT_SEED", "20251205"))
STREAM = ("--max-memory", "16")  # files over 256 KB are streamed
QUERIES = ["treaty", "harvest AND court", "\"fishery shipping\"", "refugee", "governor",
           "lighthouse keeper", "author:\"Ada Quill\""]


def big_text(seed, mb, header="Title: The long record\nAuthor: Ada Quill\n\n"):
    """Paragraphs of generated text, over mb MB, with a header."""
    parts, size, i = [header], 0, 0
    while size < mb << 20:
        a = h.article(seed + i, paragraphs=4)
        parts.append(a + "\n")
        size += len(a) + 1
        i += 1
    return "".join(parts)


class TextStreamTest(unittest.TestCase):

    def setUp(self):
        self.tmp = h.tmp_for(self)

    def folder(self, name, files):
        """A corpus folder holding files ({name: text})."""
        root = os.path.join(self.tmp, name)
        shutil.rmtree(root, ignore_errors=True)
        for fn, text in files.items():
            h.write(os.path.join(root, fn), text)
        return root

    def index(self, db, folder, *extra, rc=0):
        s, code, err = h.index_json(db, folder, extra=("--batch", "500") + extra, timeout=900)
        self.assertEqual(code, rc, err[-2000:])
        return s

    def search(self, db, queries=QUERIES):
        """Each query's hits: (doc, title, author, n, start, end, text)."""
        d = dm.Daemon(db, self.tmp, "--listen", "none", tcp=False, threads=1)
        self.addCleanup(d.cleanup)
        d.start()
        out = []
        try:
            with d.connect() as c:
                for q in queries:
                    r = c.call({"op": "search", "q": q, "limit": 30, "collapse": False})
                    out.append([(x["doc"]["id"], x["doc"].get("title"), x["doc"].get("author"),
                                 x["passage"]["n"], x["passage"]["start"],
                                 x["passage"]["end"], x["passage"]["text"])
                                for x in r["hits"]])
        finally:
            d.stop()
        return out

    def assertSameIndex(self, db, other, what):
        self.assertEqual(h.list_index(db), h.list_index(other), what)
        sa, sb = h.stats(db), h.stats(other)
        for k in ("documents", "passages", "terms", "consistent"):
            self.assertEqual(sa[k], sb[k], f"{what}: {k}")
        self.assertTrue(sa["consistent"], what)
        a, b = self.search(db), self.search(other)
        self.assertTrue(any(a), f"{what}: no query finds anything")
        self.assertEqual(a, b, what)

    def test_streamed_is_what_reading_whole_gives(self):
        files = {"long.txt": big_text(SEED, 3),
                 "notes.md": "---\ntitle: Field notes\nauthor: Ben Ito\n---\n\n"
                             + big_text(SEED + 7000, 2, header="")}
        folder = self.folder("c", files)
        streamed, whole = os.path.join(self.tmp, "s"), os.path.join(self.tmp, "w")
        s = self.index(streamed, folder, *STREAM)
        self.assertEqual((s["added"], s["documents"]), (2, 2), s)
        self.index(whole, folder)
        self.assertSameIndex(streamed, whole, "streamed against whole")
        # Metadata from the head reaches passages of the last piece.
        hits = self.search(streamed, ["author:\"Ben Ito\""])[0]
        self.assertTrue(hits)
        self.assertTrue(all(x[1] == "Field notes" for x in hits), hits[:2])
        last = max(x[3] for x in self.search(streamed, ["author:\"Ada Quill\""])[0])
        self.assertGreater(last, 5000)

    def test_unchanged_touched_and_changed(self):
        text = big_text(SEED, 3)
        folder = self.folder("c", {"long.txt": text})
        db = os.path.join(self.tmp, "db")
        self.index(db, folder, *STREAM)
        s = self.index(db, folder, *STREAM)
        self.assertEqual(s["unchanged"], 1, s)
        os.utime(os.path.join(folder, "long.txt"))  # touched: read, found the same
        s = self.index(db, folder, *STREAM)
        self.assertEqual((s["unchanged"], s["updated"]), (1, 0), s)
        # A word changed in the middle: the file is replaced.
        mid = len(text) // 2
        cut = text.index(". ", mid) + 2
        text = text[:cut] + "The lighthouse keeper wrote down every ship. " + text[cut:]
        h.write(os.path.join(folder, "long.txt"), text)
        s = self.index(db, folder, *STREAM)
        self.assertEqual(s["updated"], 1, s)
        clean = os.path.join(self.tmp, "clean")
        self.index(clean, self.folder("c2", {"long.txt": text}), *STREAM)
        self.assertSameIndex(db, clean, "changed")
        self.assertEqual(len(self.search(db, ["lighthouse keeper"])[0]), 1)

    def test_kill9_mid_file_resumes_to_the_clean_build(self):
        rng = random.Random(SEED)
        old, new = big_text(SEED, 4), big_text(SEED + 1, 4)
        folder = self.folder("c", {"long.txt": old})
        clean = os.path.join(self.tmp, "clean")
        t0 = time.monotonic()
        self.index(clean, self.folder("c-clean", {"long.txt": new}), *STREAM)
        full = time.monotonic() - t0
        db = os.path.join(self.tmp, "db")
        self.index(db, folder, *STREAM)
        h.write(os.path.join(folder, "long.txt"), new)  # a pass over a changed file
        kills = 0
        for k in range(3):
            p = h.start_indexer("-d", db, "--batch", "500", "--no-progress", *STREAM, folder)
            time.sleep(full * rng.uniform(0.2, 0.8) / (k + 1))  # a kill point, not a wait
            p.send_signal(signal.SIGKILL)
            p.communicate()
            kills += p.returncode == -signal.SIGKILL
            st = h.stats(db, check=False)
            if st is not None:
                self.assertIs(st["consistent"], True, f"after kill {k}: {st}")
        print(f"    [text] {kills} of 3 runs killed mid-way (seed {SEED})")
        self.index(db, folder, *STREAM)
        self.assertSameIndex(db, clean, "killed")


if __name__ == "__main__":
    unittest.main()
