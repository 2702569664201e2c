"""Black-box tests of a search's explain (docs/PROTOCOL.md, Object
`explain`): each hit's weighted parts of the query, where they matched, and
what each added to the score; present only when asked; with per_doc and
filters; a bad value; and the client's --explain line.
"""
import os
import subprocess
import unittest

import daemon as dm
import harness as h

WHERES = {"body", "title", "author", "actor", "quotation", "speaker", "phrase", "other"}

DOCS = {
    "harbour/strike.txt": (
        "Title: Dockers strike at Valparaiso harbour\nAuthor: Marta Quiroga\n"
        "Date: 2024-05-02\nSource: Wire\n\n"
        "Dockers walked out on Monday and the harbour fell silent. Cranes stood idle "
        "along the quay while shipping firms counted the cost of every hour.\n\n"
        "The union leader Rosa Ibarra told reporters: \"We will not unload a single "
        "crate until the wages rise.\" The crowd at the gate cheered her words.\n\n"
        "Shipping firms diverted cargo to other ports while the strike went on, and "
        "the harbour stayed closed for a second week.\n"),
    "harbour/talks.txt": (
        "Title: Wage talks at the port\nAuthor: Paul Esteban\n"
        "Date: 2024-05-20\nSource: Daily\n\n"
        "Talks between the union and the shipping firms began on Thursday at the "
        "harbour office, three weeks after the strike started.\n\n"
        "Negotiators said the wages offer was improved and the strike could end "
        "soon, although the harbour remained closed.\n\n"
        "The harbour master said cargo was piling up on the quay and in the "
        "warehouses of the harbour.\n"),
}
FILLER = 8


def close(a, b):
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


class ExplainTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.tmp = h.tmp_for(cls)
        corpus = os.path.join(cls.tmp, "corpus")
        for fid, text in DOCS.items():
            h.write(os.path.join(corpus, fid), text)
        for i in range(FILLER):
            h.write(os.path.join(corpus, f"filler/f{i}.txt"),
                    f"Title: Filler {i}\nDate: 2020-01-0{i + 1}\nSource: Wire\n\n"
                    + h.article(500 + i))
        cls.db = dm.build_index(corpus, os.path.join(cls.tmp, "db"))
        cls.d = dm.start_daemon(cls, cls.db, tmp=cls.tmp)

    def setUp(self):
        self.c = dm.connect_live(self, self.d)

    def search(self, q, **params):
        req = dict(op="search", q=q, id="x", **params)
        r = self.c.request(req)
        self.assertIs(r.get("ok"), True, f"{req}: {r}")
        return r["hits"]

    def explained(self, q, **params):
        """The hits of q with explain, each explanation checked for its shape
        and its parts adding up to the score."""
        hits = self.search(q, explain=True, **params)
        self.assertTrue(hits, f"{q!r} {params} found nothing")
        for hit in hits:
            self.check_explain(hit, f"{q!r} {params} hit {hit['rank']}")
        return hits

    def check_explain(self, hit, what):
        ex = hit.get("explain")
        self.assertIsInstance(ex, dict, what)
        self.assertEqual(set(ex), {"parts"}, what)
        parts = ex["parts"]
        self.assertIsInstance(parts, list, what)
        self.assertTrue(parts, f"{what}: no part: {hit}")
        for p in parts:
            self.assertEqual(set(p), {"where", "words", "terms", "weight"}, f"{what}: {p}")
            self.assertIn(p["where"], WHERES, what)
            self.assertTrue(p["words"] and all(isinstance(w, str) and w for w in p["words"]),
                            f"{what}: {p}")
            self.assertTrue(p["terms"], f"{what}: {p}")
            for t in p["terms"]:
                self.assertIn(t.get("where"), WHERES - {"phrase"}, f"{what}: {t}")
                self.assertIsInstance(t.get("term"), str, f"{what}: {t}")
                self.assertIs(t.get("expansion"), False, f"{what}: no expansion here: {t}")
                self.assertEqual(set(t), {"term", "where", "expansion"}, f"{what}: {t}")
            self.assertIsInstance(p["weight"], (int, float), what)
            self.assertGreater(p["weight"], 0, what)
        weights = [p["weight"] for p in parts]
        self.assertEqual(weights, sorted(weights, reverse=True), f"{what}: heaviest first")
        self.assertTrue(close(sum(weights), hit["score"]),
                        f"{what}: parts add up to {sum(weights)}, score {hit['score']}: {ex}")

    def only_part(self, hit):
        parts = hit["explain"]["parts"]
        self.assertEqual(len(parts), 1, parts)
        return parts[0]

    def test_present_only_when_asked(self):
        for params in ({}, {"explain": False}):
            hits = self.search("harbour", **params)
            self.assertTrue(hits)
            for hit in hits:
                self.assertNotIn("explain", hit, params)
        hits = self.search("harbour", explain=True)
        self.assertTrue(hits)
        for hit in hits:
            self.assertIn("explain", hit)

    def test_parts_add_up_to_the_score(self):
        for q, params in (("harbour", {}), ("harbour strike", {"match": "all"}),
                          ("harbour cargo wages", {"match": "any"}),
                          ("harbour OR cargo OR crate", {}),
                          ("harbour -cargo", {}), ("(harbour AND strike) OR quay", {}),
                          ("harbour strike", {"sort": "-date"})):
            hits = self.explained(q, **params)
            self.assertGreaterEqual(len(hits), 2, q)

    def test_a_plain_word_matches_body_and_title(self):
        hit = self.explained("dockers")[0]
        self.assertEqual(hit["doc"]["id"], "harbour/strike.txt")
        wheres = {p["where"]: p for p in hit["explain"]["parts"]}
        self.assertEqual(set(wheres), {"body", "title"}, hit["explain"])
        for where, p in wheres.items():
            self.assertEqual(p["words"], ["dockers"])
            self.assertEqual(p["terms"], [{"term": "docker", "where": where,
                                           "expansion": False}])

    def test_title_only_word(self):
        hits = self.explained("Valparaiso")
        for hit in hits:
            p = self.only_part(hit)
            self.assertEqual(p["where"], "title")
            self.assertEqual(p["words"], ["Valparaiso"])  # as typed
            self.assertEqual(p["terms"], [{"term": "valparaiso", "where": "title",
                                           "expansion": False}])
            self.assertTrue(close(p["weight"], hit["score"]))

    def test_quotation_words(self):
        hits = self.explained("quote:unload")
        self.assertEqual(len(hits), 1, hits)
        p = self.only_part(hits[0])
        self.assertEqual(p["where"], "quotation")
        self.assertEqual(p["terms"], [{"term": "unload", "where": "quotation",
                                       "expansion": False}])

    def test_author_words(self):
        hits = self.explained("author:quiroga")
        self.assertEqual({x["doc"]["id"] for x in hits}, {"harbour/strike.txt"})
        for hit in hits:
            p = self.only_part(hit)
            self.assertEqual(p["where"], "author")
            self.assertEqual(p["terms"], [{"term": "quiroga", "where": "author",
                                           "expansion": False}])

    def test_speaker_words(self):
        hits = self.explained("speaker:ibarra")
        self.assertEqual([dm.hit_key(x) for x in hits], [("harbour/strike.txt", 1)])
        p = self.only_part(hits[0])
        self.assertEqual(p["where"], "speaker")
        self.assertEqual(p["terms"], [{"term": "ibarra", "where": "speaker",
                                       "expansion": False}])

    def test_phrase(self):
        hits = self.explained('"harbour fell silent" quay')
        hit = hits[0]
        self.assertEqual(dm.hit_key(hit), ("harbour/strike.txt", 0))
        phrases = [p for p in hit["explain"]["parts"] if p["where"] == "phrase"]
        self.assertEqual(len(phrases), 1, hit["explain"])
        self.assertEqual(phrases[0]["words"], ["harbour", "fell", "silent"])
        self.assertEqual([(t["term"], t["where"]) for t in phrases[0]["terms"]],
                         [("harbour", "body"), ("fell", "body"), ("silent", "body")])
        others = {p["where"] for p in hit["explain"]["parts"]} - {"phrase"}
        self.assertEqual(others, {"body"}, hit["explain"])

    def test_wildcard(self):
        hit = self.explained("warehou*")[0]
        p = self.only_part(hit)
        self.assertEqual(p["words"], ["warehou*"])
        self.assertEqual(p["terms"], [{"term": "warehous", "where": "body",
                                       "expansion": False}])

    def test_with_per_doc(self):
        hits = self.explained("harbour", per_doc=1, limit=5)
        ids = [x["doc"]["id"] for x in hits]
        self.assertEqual(len(ids), len(set(ids)), ids)
        self.assertLessEqual(set(DOCS), set(ids))

    def test_with_filters(self):
        hits = self.explained("harbour strike", filter={"author": "Paul Esteban"})
        self.assertEqual({x["doc"]["id"] for x in hits}, {"harbour/talks.txt"})
        hits = self.explained("harbour", filter={"from": "2024-05-10", "source": "daily"})
        self.assertEqual({x["doc"]["id"] for x in hits}, {"harbour/talks.txt"})

    def test_filters_alone_weigh_nothing(self):
        hits = self.search("", explain=True, filter={"author": "Paul Esteban"})
        self.assertTrue(hits)
        for hit in hits:
            self.assertEqual(hit["explain"], {"parts": []})
            self.assertEqual(hit["score"], 0)

    def test_bad_value(self):
        for bad in (3, "yes", None, [True], {}):
            r = self.c.request({"op": "search", "q": "harbour", "explain": bad, "id": 9})
            dm.assert_error(self, r, "bad_request", 9, f"explain {bad!r}")
            self.assertIn("explain", r["error"]["message"])
        # The connection goes on.
        hits = self.search("harbour", explain=True)
        self.assertIn("explain", hits[0])

    def run_client(self, *args):
        p = subprocess.run([h.bin_path("attache"), "-s", self.d.sock_path, "--color", "never",
                            "--width", "200", *args], capture_output=True, text=True,
                           timeout=h.scaled(60), stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def test_client(self):
        hit = self.search("Valparaiso", explain=True)[0]
        out = self.run_client("--explain", "-n", "1", "Valparaiso")
        lines = [x.strip() for x in out.splitlines() if x.strip().startswith("explain:")]
        score = f"{hit['score']:.2f}"
        self.assertEqual(lines, [f'explain: {score} = title "valparaiso" {score}'], out)
        out = self.run_client("-n", "3", "Valparaiso")
        self.assertNotIn("explain:", out)
        out = self.run_client("--explain", "-n", "1", '"harbour fell silent"')
        self.assertRegex(out, r'(?m)^   explain: ([\d.]+) = phrase "harbour fell silent" \1$')


if __name__ == "__main__":
    unittest.main()
