"""Black-box tests of the metadata a folder gives its files
(attache-meta.jsonl) and of what attache-index says about files that
overlap: files with the same content, and .jsonl records whose id another
file holds. Results are read through attached's get and search and
attache-index's --json and --list.
"""
import json
import os
import re
import unittest

import daemon as dm
import harness as h

SIDECAR = "attache-meta.jsonl"


def counts(summary):
    return {k: summary[k] for k in ("added", "updated", "removed", "unchanged", "failed",
                                    "skipped", "meta_updated", "duplicates", "id_conflicts")}


def expect(added=0, updated=0, removed=0, unchanged=0, failed=0, skipped=0, meta_updated=0,
           duplicates=0, id_conflicts=0):
    return dict(added=added, updated=updated, removed=removed, unchanged=unchanged,
                failed=failed, skipped=skipped, meta_updated=meta_updated,
                duplicates=duplicates, id_conflicts=id_conflicts)


def sidecar(folder, *lines):
    """Write folder/attache-meta.jsonl: dicts as JSON, strings as they are."""
    text = "".join((ln if isinstance(ln, str) else json.dumps(ln)) + "\n" for ln in lines)
    return h.write(os.path.join(folder, SIDECAR), text)


def jsonl(path, *records):
    return h.write(path, "".join(json.dumps(r) + "\n" for r in records))


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = h.tmp_for(self)
        self.corpus = os.path.join(self.tmp, "corpus")
        self.db = os.path.join(self.tmp, "db")
        os.makedirs(self.corpus)

    def path(self, rel):
        return os.path.join(self.corpus, rel)

    def index(self, rc=0, **want):
        """Index the corpus; assert the exit status and, when given, the
        counts (the ones not given are 0). Returns (summary, stderr)."""
        summary, code, err = h.index_json(self.db, self.corpus)
        self.assertIsNotNone(summary, f"no summary; exit {code}: {err}")
        self.assertEqual(set(summary), h.SUMMARY_KEYS, summary)
        self.assertEqual(code, rc, f"exit status; stderr: {err}")
        if want:
            self.assertEqual(counts(summary), expect(**want), f"stderr: {err}")
        return summary, err

    def get_docs(self, *ids):
        """{id: (doc, [passage texts])} through a daemon started for it."""
        d = dm.start_daemon(self, self.db)
        out = {}
        with d.connect() as c:
            for i in ids:
                r = c.call({"op": "get", "doc": i})
                out[i] = (r["doc"], [p["text"] for p in r["passages"]])
        d.stop()
        return out

    def doc(self, i):
        return self.get_docs(i)[i][0]


class SidecarTest(Base):
    def speeches(self):
        """Three speeches whose files carry no metadata, one with a header."""
        h.write(self.path("sotu/1862_abraham_lincoln_r.txt"),
                "Fellow citizens of the Senate and House of Representatives.\n\n"
                + h.article(1))
        h.write(self.path("sotu/1961_john_kennedy_d.txt"),
                "It is a pleasure to return from whence I came.\n\n" + h.article(2))
        h.write(self.path("sotu/1901_william_mckinley_r.txt"),
                "Title: The header's title\nDate: 1901-12-03\n\n" + h.article(3))

    def test_fields_fill_what_the_file_lacks(self):
        self.speeches()
        sidecar(self.path("sotu"),
                {"file": "*_r.txt", "party": "Republican"},
                {"file": "1862_abraham_lincoln_r.txt", "title": "Second Annual Message",
                 "author": "Abraham Lincoln", "date": "December 1, 1862",
                 "source": "The American Presidency Project", "url": "https://example.com/1862"},
                {"file": "1961_john_kennedy_d.txt", "author": "John F. Kennedy",
                 "party": "Democratic", "language": "EN", "term": 1},
                {"file": "1901_william_mckinley_r.txt", "title": "Not this one",
                 "date": "1900", "author": "William McKinley"})
        self.index(added=3)
        got = self.get_docs("sotu/1862_abraham_lincoln_r.txt", "sotu/1961_john_kennedy_d.txt",
                            "sotu/1901_william_mckinley_r.txt")
        lincoln = got["sotu/1862_abraham_lincoln_r.txt"][0]
        self.assertEqual((lincoln["title"], lincoln["author"], lincoln["date"]),
                         ("Second Annual Message", "Abraham Lincoln", "1862-12-01"))
        self.assertEqual(lincoln["source"], "The American Presidency Project")
        self.assertEqual(lincoln["url"], "https://example.com/1862")
        self.assertEqual(lincoln["fields"], {"party": "Republican"})
        kennedy = got["sotu/1961_john_kennedy_d.txt"][0]
        self.assertEqual(kennedy["author"], "John F. Kennedy")
        self.assertEqual(kennedy["language"], "en")
        self.assertEqual(kennedy["fields"], {"party": "Democratic", "term": "1"})
        # No date given: the one from the file name stays; no title: the
        # first line's.
        self.assertEqual(kennedy["date"], "1961")
        self.assertEqual(kennedy["title"], "It is a pleasure to return from whence I came.")
        # The file's own header wins; the sidecar fills the rest.
        mckinley = got["sotu/1901_william_mckinley_r.txt"][0]
        self.assertEqual((mckinley["title"], mckinley["date"], mckinley["author"]),
                         ("The header's title", "1901-12-03", "William McKinley"))
        self.assertEqual(mckinley["fields"], {"party": "Republican"})
        # The author is indexed as the document's.
        d = dm.start_daemon(self, self.db)
        with d.connect() as c:
            r = c.call({"op": "search", "q": "author:lincoln"})
            self.assertEqual({x["doc"]["id"] for x in r["hits"]},
                             {"sotu/1862_abraham_lincoln_r.txt"}, r)
            r = c.call({"op": "search", "q": "pleasure",
                        "filter": {"author": "John F. Kennedy"}})
            self.assertEqual(len(r["hits"]), 1, r)

    def test_patterns_lines_in_order(self):
        for name in ("a_r.txt", "b_r.txt", "c_d.txt", "notes.md"):
            h.write(self.path(f"f/{name}"), f"Text of {name}.\n\n" + h.article(len(name)))
        sidecar(self.path("f"),
                {"source": "Archive", "party": "unknown"},         # every file
                {"file": "a_r.txt", "party": "Whig"},
                {"file": "*_r.txt", "party": "Republican"},        # later: wins over a_r's
                {"file": "b_r.txt", "party": "Union"},             # later again
                {"file": "[cd]_?.txt", "author": "D"},
                {"file": "*.md", "source": "Notes"})
        self.index(added=4)
        got = {k: v[0] for k, v in self.get_docs("f/a_r.txt", "f/b_r.txt", "f/c_d.txt",
                                                 "f/notes.md").items()}
        self.assertEqual(got["f/a_r.txt"]["fields"], {"party": "Republican"})
        self.assertEqual(got["f/b_r.txt"]["fields"], {"party": "Union"})
        self.assertEqual(got["f/c_d.txt"]["fields"], {"party": "unknown"})
        self.assertEqual(got["f/c_d.txt"]["author"], "D")
        self.assertIsNone(got["f/a_r.txt"]["author"])
        self.assertEqual(got["f/a_r.txt"]["source"], "Archive")
        self.assertEqual(got["f/notes.md"]["source"], "Notes")

    def test_folder_only_not_subfolders(self):
        h.write(self.path("top/a.txt"), h.article(4))
        h.write(self.path("top/sub/b.txt"), h.article(5))
        sidecar(self.path("top"), {"author": "Top"})
        self.index(added=2)
        got = self.get_docs("top/a.txt", "top/sub/b.txt")
        self.assertEqual(got["top/a.txt"][0]["author"], "Top")
        self.assertIsNone(got["top/sub/b.txt"][0]["author"])

    def test_jsonl_records_get_the_fields(self):
        jsonl(self.path("feed/wire.jsonl"),
              {"id": "w1", "title": "Own title", "body": "The first wire story."},
              {"id": "w2", "body": "The second wire story.", "source": "Own source"})
        sidecar(self.path("feed"),
                {"file": "wire.jsonl", "title": "Folder title", "source": "Wire",
                 "party": "none", "date": "2025-11-24"})
        self.index(added=1)
        got = self.get_docs("w1", "w2")
        w1, w2 = got["w1"][0], got["w2"][0]
        self.assertEqual((w1["title"], w1["source"]), ("Own title", "Wire"))
        self.assertEqual((w2["title"], w2["source"]), ("Folder title", "Own source"))
        for d in (w1, w2):
            self.assertEqual((d["date"], d["fields"]), ("2025-11-24", {"party": "none"}))

    def test_malformed_lines_warn_and_the_rest_applies(self):
        h.write(self.path("m/a.txt"), h.article(6))
        sidecar(self.path("m"),
                "# a comment",
                "",
                {"file": "a.txt", "author": "Good"},
                "{not json",
                {"file": "a.txt", "title": 12},
                {"file": "a.txt", "Party": "x"},
                {"file": "a.txt", "date": "sometime soon"},
                {"file": "a.txt", "party": "Whig"})
        summary, err = self.index(added=1)
        where = os.path.join(self.corpus, "m", SIDECAR)
        for line, why in ((4, "not valid JSON"), (5, "'title' is not a string"),
                          (6, "field name 'Party'"), (7, "date 'sometime soon'")):
            self.assertRegex(err, rf"(?m)^attache-index: warn: {re.escape(where)}:{line}: "
                                  rf".*{re.escape(why)}")
        self.assertNotRegex(err, rf"{re.escape(where)}:(1|2|3|8):")
        d = self.doc("m/a.txt")
        self.assertEqual((d["author"], d["fields"]), ("Good", {"party": "Whig"}))

    def test_sidecar_is_never_indexed(self):
        h.write(self.path("s/a.txt"), h.article(7))
        sidecar(self.path("s"), "# notes on the quokka", {"file": "a.txt", "title": "Given"})
        os.makedirs(self.path("empty"))
        sidecar(self.path("empty"), {"title": "alone"})
        self.index(added=1)
        listing = h.list_index(self.db)
        self.assertEqual(sorted(listing), ["s/a.txt"])
        st = h.stats(self.db)
        self.assertEqual((st["files"], st["documents"]), (1, 1))
        d = dm.start_daemon(self, self.db)
        with d.connect() as c:
            r = c.call({"op": "search", "q": "quokka"})
            self.assertEqual(r["hits"], [], "its text is not a document's")
        # Given as a file argument, it is left out too.
        p = h.run_indexer("-d", self.db, "--json", self.path(f"s/{SIDECAR}"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(h.parse_json_line(p.stdout)["added"], 0)

    def test_too_large_or_not_a_file_is_ignored(self):
        h.write(self.path("big/a.txt"), h.article(11))
        big = sidecar(self.path("big"), {"author": "Never"})
        with open(big, "a") as f:
            f.write("#" + "x" * (16 << 20) + "\n")
        h.write(self.path("odd/b.txt"), h.article(12))
        os.makedirs(self.path(f"odd/{SIDECAR}"))
        summary, err = self.index(added=2)
        self.assertRegex(err, rf"warn: {re.escape(big)}: \d+ bytes, over the limit of 16 MB; "
                              r"ignored")
        self.assertRegex(err, rf"warn: {re.escape(self.path('odd/' + SIDECAR))}: not a regular "
                              r"file; ignored")
        got = self.get_docs("big/a.txt", "odd/b.txt")
        self.assertIsNone(got["big/a.txt"][0]["author"])

    def test_editing_reindexes_only_the_files_it_changes(self):
        self.speeches()
        lines = [{"file": "*_r.txt", "party": "Republican"},
                 {"file": "1961_john_kennedy_d.txt", "party": "Democratic"},
                 {"file": "1901_william_mckinley_r.txt", "title": "Shadowed"}]
        sidecar(self.path("sotu"), *lines)
        self.index(added=3)
        self.index(unchanged=3)
        # One file's field changes: that file only.
        lines[1] = {"file": "1961_john_kennedy_d.txt", "party": "Democrat"}
        sidecar(self.path("sotu"), *lines)
        self.index(updated=1, meta_updated=1, unchanged=2)
        self.assertEqual(self.doc("sotu/1961_john_kennedy_d.txt")["fields"],
                         {"party": "Democrat"})
        # A field the file's own header gives: nothing changes in the index.
        lines[2] = {"file": "1901_william_mckinley_r.txt", "title": "Shadowed again"}
        sidecar(self.path("sotu"), *lines)
        self.index(unchanged=3)
        # The same fields written another way: nothing to do.
        sidecar(self.path("sotu"), "# reordered", lines[2], lines[1], lines[0])
        self.index(unchanged=3)
        # Deleted: every file that took a field loses it.
        os.remove(self.path(f"sotu/{SIDECAR}"))
        self.index(updated=3, meta_updated=3)
        got = self.get_docs("sotu/1862_abraham_lincoln_r.txt", "sotu/1961_john_kennedy_d.txt")
        for doc, _ in got.values():
            self.assertEqual(doc["fields"], {})
        # Added again, for one file.
        sidecar(self.path("sotu"), {"file": "1862_*", "author": "A. Lincoln"})
        self.index(updated=1, meta_updated=1, unchanged=2)
        self.assertEqual(self.doc("sotu/1862_abraham_lincoln_r.txt")["author"], "A. Lincoln")
        # A changed file is counted as changed, not for its metadata.
        with open(self.path("sotu/1862_abraham_lincoln_r.txt"), "a") as f:
            f.write("\nOne more paragraph at the end.\n")
        sidecar(self.path("sotu"), {"file": "1862_*", "author": "Abraham Lincoln"})
        self.index(updated=1, unchanged=2)

    def test_plain_summary_names_metadata_updates(self):
        h.write(self.path("p/a.txt"), h.article(8))
        self.index(added=1)
        sidecar(self.path("p"), {"author": "X"})
        p = h.run_indexer("-d", self.db, "--no-progress", self.corpus)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"^0 added, 1 updated \(1 for folder metadata\), 0 removed, "
                                   r"0 unchanged, 0 failed; 1 documents")


class OverlapTest(Base):
    def test_same_content_is_reported(self):
        text = h.article(9)
        h.write(self.path("a.txt"), text)
        h.write(self.path("b/a-copy.txt"), text)
        h.write(self.path("b/other.txt"), h.article(10))
        summary, err = self.index(added=3, duplicates=1)
        self.assertIn("attache-index: warn: a.txt and b/a-copy.txt have the same content", err)
        self.assertEqual(len(re.findall("have the same content", err)), 1, err)
        self.assertEqual(sorted(h.list_index(self.db)), ["a.txt", "b/a-copy.txt", "b/other.txt"])
        # A third copy is named against the first.
        h.write(self.path("c.txt"), text)
        summary, err = self.index(added=1, unchanged=3, duplicates=2)
        self.assertIn("a.txt and c.txt have the same content", err)
        os.remove(self.path("a.txt"))
        os.remove(self.path("c.txt"))
        summary, err = self.index(removed=2, unchanged=2)
        self.assertNotIn("same content", err)

    def conflict_files(self):
        jsonl(self.path("feeds/a.jsonl"),
              {"id": "X", "body": "Alpha holds the first story."},
              {"id": "Y", "body": "Alpha's second story."})
        jsonl(self.path("feeds/b.jsonl"),
              {"id": "Z", "body": "Bravo's own story."},
              {"id": "X", "body": "Bravo repeats the identifier."})

    def assertConflict(self, err, loser="feeds/b.jsonl", keeper="feeds/a.jsonl", ident="X",
                       line=2):
        self.assertRegex(err, rf"(?m)^attache-index: error: {re.escape(loser)}:{line}: "
                              rf"document id '{ident}' is also in {re.escape(keeper)}, "
                              r"which keeps it")

    def test_id_in_two_files_in_one_run(self):
        self.conflict_files()
        summary, err = self.index(rc=h.EXIT_FAILED_FILES, added=2, id_conflicts=1)
        self.assertConflict(err)
        self.assertEqual(summary["documents"], 3)
        listing = h.list_index(self.db)
        self.assertEqual((listing["feeds/a.jsonl"][1], listing["feeds/b.jsonl"][1]), (2, 1))
        got = self.get_docs("X", "Z")
        self.assertEqual(got["X"][1], ["Alpha holds the first story."])
        self.assertEqual(got["Z"][1], ["Bravo's own story."])
        # The next run says so again, and changes nothing.
        summary, err = self.index(rc=h.EXIT_FAILED_FILES, unchanged=2, id_conflicts=1)
        self.assertConflict(err)
        self.assertEqual(self.get_docs("X")["X"][1], ["Alpha holds the first story."])

    def test_id_taken_in_an_earlier_run_stays_with_its_file(self):
        # b.jsonl comes first in the walk; its id was a.jsonl's first.
        jsonl(self.path("feeds/b.jsonl"), {"id": "X", "body": "The first holder's story."})
        self.index(added=1)
        jsonl(self.path("feeds/a.jsonl"), {"id": "X", "body": "A newcomer with the same id."},
              {"id": "Q", "body": "The newcomer's other story."})
        summary, err = self.index(rc=h.EXIT_FAILED_FILES, added=1, unchanged=1, id_conflicts=1)
        self.assertConflict(err, loser="feeds/a.jsonl", keeper="feeds/b.jsonl", line=1)
        self.assertEqual(self.get_docs("X")["X"][1], ["The first holder's story."])

    def test_moved_record_is_not_an_error(self):
        for first, second in (("a", "b"), ("b", "a")):
            with self.subTest(moved_from=first):
                self.setUp()
                src, dst = self.path(f"feeds/{first}.jsonl"), self.path(f"feeds/{second}.jsonl")
                jsonl(src, {"id": "M", "body": "The record before it moved."},
                      {"id": "K", "body": "A record that stays."})
                jsonl(dst, {"id": "O", "body": "The other file's record."})
                self.index(added=2)
                jsonl(src, {"id": "K", "body": "A record that stays."})
                jsonl(dst, {"id": "O", "body": "The other file's record."},
                      {"id": "M", "body": "The record after it moved."})
                summary, err = self.index(updated=2)
                self.assertNotIn("document id", err)
                self.assertEqual(self.get_docs("M")["M"][1], ["The record after it moved."])
                listing = h.list_index(self.db)
                self.assertEqual((listing[f"feeds/{first}.jsonl"][1],
                                  listing[f"feeds/{second}.jsonl"][1]), (1, 2))

    def test_left_out_record_comes_in_once_the_id_is_free(self):
        self.conflict_files()
        self.index(rc=h.EXIT_FAILED_FILES, added=2, id_conflicts=1)
        # a.jsonl lets go of X: b.jsonl, unchanged, now holds it.
        jsonl(self.path("feeds/a.jsonl"), {"id": "Y", "body": "Alpha's second story."})
        summary, err = self.index(updated=2)
        self.assertNotIn("document id", err)
        self.assertEqual(self.get_docs("X")["X"][1], ["Bravo repeats the identifier."])
        # And when the keeper goes away altogether.
        self.setUp()
        self.conflict_files()
        self.index(rc=h.EXIT_FAILED_FILES, added=2, id_conflicts=1)
        os.remove(self.path("feeds/a.jsonl"))
        summary, err = self.index(updated=1, removed=1)
        self.assertEqual(self.get_docs("X")["X"][1], ["Bravo repeats the identifier."])


if __name__ == "__main__":
    unittest.main()
