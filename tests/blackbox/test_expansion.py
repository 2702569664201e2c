"""Black-box tests of query expansion: a query word that names an actor
also matches the actor's other names (one synonym group with the word),
highlighted in the hits; phrases and field values stay literal; "expand":
false and the client's --no-expand turn it off; plain words match the
document's author.
"""
import os
import subprocess
import unittest

import daemon as dm
import harness as h

REPORTS = {
    "capital.txt": "Title: Statement\nDate: 2025-01-10\n\n"
                   "Officials in Beijing rejected the tariff schedule on Monday.\n",
    "country.txt": "Title: Note\nDate: 2025-01-11\n\n"
                   "China rejected the tariff schedule again, a spokesman said.\n",
    "people.txt": "Title: Wire\nDate: 2025-01-12\n\n"
                  "The Chinese delegation rejected a tariff proposal by letter.\n",
    "other.txt": "Title: Elsewhere\nDate: 2025-01-13\n\n"
                 "Brazil accepted the tariff schedule after long talks.\n",
    "byline.txt": "Title: Harvest report\nAuthor: Maria Delgado\nDate: 2025-01-14\n\n"
                  "Wheat yields rose across the plains this season.\n",
}


def search(c, q, **extra):
    req = {"op": "search", "q": q, "limit": 20,
           "highlight": {"pre": "[[", "post": "]]", "length": 400}}
    req.update(extra)
    return c.call(req)


def ids(resp):
    return [x["doc"]["id"] for x in resp["hits"]]


class Expansion(unittest.TestCase):
    """A daemon on five short reports."""

    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.tmp = h.tmp_for(cls)
        corpus = os.path.join(cls.tmp, "corpus")
        for name, text in REPORTS.items():
            h.write(os.path.join(corpus, name), text)
        cls.db = os.path.join(cls.tmp, "db")
        p = h.run_indexer("-d", cls.db, corpus)
        if p.returncode != h.EXIT_OK:
            raise AssertionError(f"attache-index exited {p.returncode}:\n{p.stderr}")
        cls.d = dm.start_daemon(cls, cls.db, tmp=cls.tmp)

    def setUp(self):
        self.c = dm.connect_live(self, self.d)

    def test_capital_finds_country_and_demonym_first(self):
        found = ids(search(self.c, "Beijing tariff"))
        self.assertEqual(sorted(found[:3]), ["capital.txt", "country.txt", "people.txt"])
        self.assertNotIn("other.txt", found[:3])

    def test_every_word_must_match_still_expands(self):
        found = ids(search(self.c, "Beijing rejected", match="all"))
        self.assertEqual(sorted(found), ["capital.txt", "country.txt", "people.txt"])

    def test_lower_case_word_expands(self):
        found = ids(search(self.c, "chinese schedule", match="all"))
        self.assertEqual(sorted(found), ["capital.txt", "country.txt"])

    def test_other_names_are_highlighted(self):
        resp = search(self.c, "Beijing", match="all")
        snippets = {x["doc"]["id"]: x["snippet"] for x in resp["hits"]}
        self.assertIn("[[Beijing]]", snippets["capital.txt"])
        self.assertIn("[[China]]", snippets["country.txt"])
        self.assertIn("[[Chinese]]", snippets["people.txt"])

    def test_explain_names_the_expansion(self):
        resp = search(self.c, "Beijing", match="all", explain=True)
        hit = next(x for x in resp["hits"] if x["doc"]["id"] == "country.txt")
        terms = [t for p in hit["explain"]["parts"] for t in p["terms"]]
        self.assertIn({"term": "china", "where": "body", "expansion": True,
                       "from": "beijing", "kind": "alias"}, terms)
        hit = next(x for x in resp["hits"] if x["doc"]["id"] == "capital.txt")
        terms = [t for p in hit["explain"]["parts"] for t in p["terms"]]
        self.assertIn({"term": "beij", "where": "body", "expansion": False}, terms)

    def test_expand_false_matches_as_written(self):
        found = ids(search(self.c, "Beijing tariff", expand=False, match="all"))
        self.assertEqual(found, ["capital.txt"])

    def test_phrases_and_fields_stay_literal(self):
        self.assertEqual(ids(search(self.c, '"Officials in Beijing"')), ["capital.txt"])
        self.assertEqual(ids(search(self.c, '"Beijing"')), ["capital.txt"])
        self.assertEqual(ids(search(self.c, "title:Beijing")), [])

    def test_words_naming_no_actor_are_unchanged(self):
        self.assertEqual(ids(search(self.c, "wheat")), ["byline.txt"])

    def test_plain_words_match_the_author(self):
        self.assertEqual(ids(search(self.c, "Delgado")), ["byline.txt"])
        self.assertEqual(ids(search(self.c, "Delgado wheat", match="all")), ["byline.txt"])

    def test_bad_expand_is_bad_request_and_connection_lives(self):
        resp = self.c.request({"op": "search", "q": "Beijing", "expand": 3})
        self.assertEqual(resp["error"]["code"], "bad_request")
        self.assertIn("expand", resp["error"]["message"])
        self.assertEqual(ids(search(self.c, "Officials")), ["capital.txt"])

    def test_client_no_expand(self):
        base = [h.bin_path("attache"), "--socket", self.d.sock_path, "--json",
                "--match", "all"]
        env = dict(os.environ, NO_COLOR="1")
        wide = subprocess.run(base + ["Beijing"], capture_output=True, env=env, timeout=30)
        narrow = subprocess.run(base + ["--no-expand", "Beijing"], capture_output=True,
                                env=env, timeout=30)
        self.assertEqual(wide.returncode, 0, wide.stderr)
        self.assertEqual(narrow.returncode, 0, narrow.stderr)
        self.assertIn(b"country.txt", wide.stdout)
        self.assertIn(b"capital.txt", narrow.stdout)
        self.assertNotIn(b"country.txt", narrow.stdout)


if __name__ == "__main__":
    unittest.main()
