"""Black-box tests of what a search's answer says beyond its hits
(docs/PROTOCOL.md, search): snippets that mark a quoted phrase only where
the whole phrase occurs, totals that do not move with the page size
(exact_total, relaxed), and spelling suggestions only when likely to help.
First on the small hand-made corpus, then on the real corpus (indexed
whole, skipped without it) with the phrase queries of the relevance set
bench/relevance/queries.jsonl.
"""
import json
import os
import re
import subprocess
import unittest

import daemon as dm
import harness as h
from test_client import ClientCase

PRE, POST = "\u27e6", "\u27e7"
MARKED = re.compile(PRE + "(.*?)" + POST)
QUERIES = os.path.join(h.REPO, "bench", "relevance", "queries.jsonl")
# The stop list of lib/xap_search.cc's stopper (English), in part: words a
# phrase holds that must never be marked alone.
STOP = {"a", "an", "and", "for", "in", "nor", "of", "on", "than", "the", "to"}


def words(s):
    return [w.lower() for w in re.findall(r"\w+", s)]


def phrases_of(q):
    """The quoted phrases of q, and its words outside them."""
    ph = re.findall(r'"([^"]*)"', q)
    return ph, words(re.sub(r'"[^"]*"', " ", q))


class Checks:
    def search(self, q, **params):
        r = self.c.request(dict(op="search", q=q, **params))
        self.assertIs(r["ok"], True, f"{q}: {r}")
        self.assertIsInstance(r["relaxed"], bool)
        return r

    def marked(self, q, **params):
        """The marked ranges of the first hit's snippet, and the snippet."""
        r = self.search(q, highlight={"pre": PRE, "post": POST}, **params)
        self.assertTrue(r["hits"], q)
        snip = r["hits"][0]["snippet"]
        return MARKED.findall(snip), snip

    def check_phrase_query(self, q, **params):
        """The first hit's snippet marks an occurrence of each phrase of q,
        and no word of a phrase alone (unless q also has it outside)."""
        ranges, snip = self.marked(q, **params)
        ph, loose = phrases_of(q)
        got = [words(m) for m in ranges]
        for p in ph:
            self.assertTrue(any(words(p) == g[i:i + len(words(p))]
                                for g in got for i in range(len(g))),
                            f"{q}: the whole phrase marked in {snip!r}")
            for g in got:
                self.assertFalse(len(g) == 1 and g[0] in words(p) and g[0] not in loose,
                                 f"{q}: {g[0]!r} alone marked in {snip!r}")
        return ranges, snip

    def totals(self, q, **params):
        return [self.search(q, limit=n, **params)["total"] for n in (1, 2, 10)]


class SmallCorpusTest(Checks, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.tmp, cls.corpus, cls.db = dm.small_index(cls)
        cls.d = dm.start_daemon(cls, cls.db, tmp=cls.tmp)

    def setUp(self):
        self.c = dm.connect_live(self, self.d)

    def test_phrase_only_whole(self):
        ranges, _ = self.check_phrase_query('"red line"')
        self.assertEqual(ranges, ["red line"])
        ranges, _ = self.check_phrase_query('"long line of tankers"')
        self.assertEqual(ranges, ["long line of tankers"])

    def test_words_outside_phrases_marked_alone(self):
        ranges, _ = self.check_phrase_query('"red line" touched')
        self.assertIn("red line", ranges)
        self.assertIn("touched", ranges)
        ranges, _ = self.marked("sanctions shipping", match="all")
        self.assertTrue(set(words(" ".join(ranges))) <= {"sanctions", "shipping"})

    def test_phrase_in_field(self):
        ranges, _ = self.check_phrase_query('quote:"red line"')
        self.assertEqual(ranges, ["red line"])

    def test_adj_words_marked_alone(self):
        for hit in self.search("red ADJ line", limit=100)["hits"]:
            text = hit["passage"]["text"]
            got = [dm.byte_slice(text, a, b).lower() for a, b in hit["matches"]]
            self.assertTrue(set(got) <= {"red", "line", "red line"}, got)
            self.assertTrue({"red", "red line"} & set(got), got)

    def test_phrase_in_quotes(self):
        r = self.search('"red line"')
        qs = [q for q in r["hits"][0]["quotes"] if "red line" in q["text"]]
        self.assertTrue(qs)
        text = qs[0]["text"]
        self.assertEqual([dm.byte_slice(text, s, e) for s, e in qs[0]["matches"]],
                         ["red line"])

    def test_estimate_does_not_move_with_limit(self):
        for q, params in (("filler", {}), ("report", {"filter": {"from": "2014"}}),
                          (dm.BIG_QUERY, {"match": "any"})):
            t = self.totals(q, **params)
            self.assertEqual(len({x["estimate"] for x in t}), 1, f"{q}: {t}")
            exact = self.search(q, limit=1, exact_total=True, **params)["total"]
            self.assertEqual(exact["lower"], exact["upper"])
            self.assertEqual(exact["estimate"], exact["lower"])
            self.assertEqual(exact["estimate"], t[0]["estimate"], "small sets are exact")
            everything = self.search(q, limit=1000, **params)
            self.assertEqual(len(everything["hits"]), exact["estimate"])

    def test_exact_total_must_be_boolean(self):
        r = self.c.request(dict(op="search", q="soybeans", exact_total=1))
        self.assertIs(r["ok"], False)
        self.assertEqual(r["error"]["code"], "bad_request")

    def test_relaxed(self):
        self.assertIs(self.search("soybeans")["relaxed"], False)
        self.assertIs(self.search("zzyzx")["relaxed"], False, "one word: any is all")
        self.assertIs(self.search("soybeans", match="all")["relaxed"], False)
        r = self.search("soybeans harbour")
        self.assertIs(r["relaxed"], True, "no passage holds both")
        self.assertIs(self.search("soybeans harbour", match="any")["relaxed"], False)

    def test_spelling(self):
        r = self.search("soybaens")
        self.assertIn("soybeans", r.get("spelling", ""))
        for q in ("soybeans", "shrugged", "pilots"):
            self.assertNotIn("spelling", self.search(q), f"{q} is in the index")


class ClientOptionTest(ClientCase):
    def test_exact_total(self):
        p, req, resp = self.human("soybeans", "--exact-total")
        self.assertIs(req.get("exact_total"), True, req)
        self.assertEqual(resp["total"]["lower"], resp["total"]["upper"])
        p, req, resp = self.human("soybeans")
        self.assertNotIn("exact_total", req)

    def test_relaxed_footer(self):
        p, req, resp = self.human("soybeans", "zzyzx", expect_rc=None)
        self.assertIs(resp["relaxed"], True)
        self.assertIn("(relaxed: any word)", p.out.splitlines()[-1])
        p, req, resp = self.human("soybeans", "--match", "all")
        self.assertNotIn("relaxed", p.out)


class RealCorpusTest(Checks, unittest.TestCase):
    """The relevance set's evaluation corpus (the real corpus and the
    reports written for the project, assembled by bench/relevance/corpus.sh)
    indexed whole."""

    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        shared = h.corpus_dir()
        if shared is None:
            raise unittest.SkipTest(h.NO_CORPUS)
        cls.tmp = h.tmp_for(cls)
        corpus = os.path.join(cls.tmp, "corpus")
        p = subprocess.run([os.path.join(h.REPO, "bench", "relevance", "corpus.sh"), corpus,
                            shared], capture_output=True, text=True, timeout=120,
                           stdin=subprocess.DEVNULL)
        if p.returncode != 0:
            raise AssertionError(f"corpus.sh exited {p.returncode}: {p.stderr}")
        cls.db = dm.build_index(corpus, os.path.join(cls.tmp, "db"))
        cls.d = dm.start_daemon(cls, cls.db, tmp=cls.tmp)

    def setUp(self):
        self.c = dm.connect_live(self, self.d)

    def test_phrase_queries_of_the_relevance_set(self):
        with open(QUERIES, encoding="utf-8") as f:
            qs = [json.loads(line) for line in f if line.strip()]
        qs = [x for x in qs if x["kind"] == "phrase"]
        self.assertGreaterEqual(len(qs), 10)
        for x in qs:
            with self.subTest(q=x["q"]):
                ranges, snip = self.check_phrase_query(x["q"])
                for m in ranges:
                    self.assertFalse(len(words(m)) == 1 and words(m)[0] in STOP,
                                     f"{x['q']}: stop word {m!r} marked in {snip!r}")

    def test_phrase_words_not_alone(self):
        for q in ('"move the north"', '"age security"', '"old age security"'):
            r = self.search(q, limit=1)
            self.assertTrue(r["hits"], f"{q} is in the addresses")
            with self.subTest(q=q):
                self.check_phrase_query(q)

    def test_estimate_stable(self):
        f = {"from": "1929", "to": "1941"}
        t = self.totals("depression", filter=f)
        facets = self.search("depression", limit=1, filter=f, facets=True)["total"]
        exact = self.search("depression", limit=1, filter=f, exact_total=True)["total"]
        self.assertEqual({x["estimate"] for x in t}, {exact["estimate"]}, t)
        self.assertEqual(facets["estimate"], exact["estimate"])
        self.assertEqual(exact["lower"], exact["upper"])
        big = self.totals("government")
        self.assertEqual(len({x["estimate"] for x in big}), 1, big)
        exact = self.search("government", limit=1, exact_total=True)["total"]
        self.assertEqual(exact["lower"], exact["upper"])
        self.assertEqual(exact["estimate"], exact["lower"])

    def test_suggestions(self):
        for typo, fixed in (("slavry", "slavery"), ("constitition", "constitution"),
                            ("econmy", "economy"), ("goverment", "government")):
            self.assertEqual(self.search(typo).get("spelling"), fixed, typo)
        for word in ("putin", "covid", "naive"):
            r = self.search(word)
            self.assertTrue(r["hits"], f"{word} is in the corpus")
            self.assertNotIn("spelling", r, word)

    def test_relaxed(self):
        self.assertIs(self.search("slavry emancipation")["relaxed"], True)
        self.assertIs(self.search("slavery emancipation", limit=1)["relaxed"], False)


if __name__ == "__main__":
    unittest.main()
