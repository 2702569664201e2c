"""Black-box tests of actors: passages tagged with the countries and
organisations they name (passage.actors, filter.actor, actor: in queries,
the actor facet), attache-index --aliases (new actors, bad lines, a changed
alias file, --rebuild), the gazetteer kept in the index, and the generated
data/actors.tsv against its sources.
"""
import os
import shutil
import subprocess
import sys
import unittest

import daemon as dm
import harness as h

REPORTS = {
    "talks.txt": "Title: Trade talks\nDate: 2025-01-10\n\n"
                 "Beijing and Washington resumed trade talks on Monday. The Chinese "
                 "delegation arrived late.\n",
    "alliance.txt": "Title: Alliance\nDate: 2025-02-11\n\n"
                    "Moscow warned NATO against new exercises near its border.\n",
    "market.txt": "Title: Market day\nDate: 2025-03-12\n\n"
                  "Let us go to the market and buy fine china and a turkey for dinner.\n",
    "region.txt": "Title: Region\nDate: 2025-04-13\n\n"
                  "Growth in Latin America slowed while Türkiye raised its rates.\n",
}


def write_reports(folder, reports):
    for name, text in reports.items():
        h.write(os.path.join(folder, name), text)
    return folder


def index(db, *args):
    """attache-index on db; the CompletedProcess (exit status checked)."""
    p = h.run_indexer("-d", db, *args)
    if p.returncode != h.EXIT_OK:
        raise AssertionError(f"attache-index {args} exited {p.returncode}:\n{p.stderr}")
    return p


def hits(c, q="", **filters):
    req = {"op": "search", "q": q, "limit": 50}
    if filters:
        req["filter"] = filters
    return c.call(req)["hits"]


def docs(found):
    return sorted(x["doc"]["id"] for x in found)


class Tagging(unittest.TestCase):
    """A daemon on four short reports indexed with the built-in actors."""

    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.tmp = h.tmp_for(cls)
        corpus = write_reports(os.path.join(cls.tmp, "corpus"), REPORTS)
        cls.db = os.path.join(cls.tmp, "db")
        index(cls.db, corpus)
        cls.d = dm.start_daemon(cls, cls.db, tmp=cls.tmp)

    def setUp(self):
        self.c = dm.connect_live(self, self.d)

    def test_passage_actors_in_first_seen_order(self):
        found = hits(self.c, "talks")
        self.assertEqual(docs(found), ["talks.txt"])
        self.assertEqual(found[0]["passage"]["actors"], ["china", "united-states"])
        found = hits(self.c, "exercises")
        self.assertEqual(found[0]["passage"]["actors"], ["russia", "nato"])

    def test_lower_case_words_and_block_phrases_name_nobody(self):
        self.assertEqual(hits(self.c, "market")[0]["passage"]["actors"], [])
        self.assertEqual(hits(self.c, "growth")[0]["passage"]["actors"], ["turkey"])

    def test_filter_by_id(self):
        self.assertEqual(docs(hits(self.c, "", actor="china")), ["talks.txt"])
        self.assertEqual(docs(hits(self.c, "", actor="united-states")), ["talks.txt"])
        self.assertEqual(docs(hits(self.c, "", actor="turkey")), ["region.txt"])

    def test_filter_by_name_or_alias(self):
        for name in ("China", "Chinese", "Beijing", "CHINESE", "People's Republic of China"):
            self.assertEqual(docs(hits(self.c, "", actor=name)), ["talks.txt"], name)
        self.assertEqual(docs(hits(self.c, "", actor="U.S.")), ["talks.txt"])
        self.assertEqual(docs(hits(self.c, "", actor="Turkiye")), ["region.txt"])
        self.assertEqual(hits(self.c, "", actor="Narnia"), [])

    def test_actor_in_query(self):
        self.assertEqual(docs(hits(self.c, "actor:china")), ["talks.txt"])
        self.assertEqual(docs(hits(self.c, "actor:Beijing")), ["talks.txt"])
        self.assertEqual(docs(hits(self.c, 'actor:"North Atlantic Treaty Organization"')),
                         ["alliance.txt"])
        self.assertEqual(docs(hits(self.c, "warned actor:Kremlin")), ["alliance.txt"])
        self.assertEqual(hits(self.c, "talks actor:russia"), [])

    def test_actor_facet(self):
        resp = self.c.call({"op": "search", "q": "", "filter": {"from": "2025"},
                            "facets": True})
        self.assertEqual(resp["facets"]["actor"],
                         {"china": 1, "united-states": 1, "russia": 1, "nato": 1, "turkey": 1})


class AliasFile(unittest.TestCase):
    """attache-index --aliases FILE, each test on a fresh index."""

    def setUp(self):
        self.t = h.tmp_for(self)
        self.corpus = write_reports(os.path.join(self.t, "corpus"), {
            "old.txt": "Title: Old\n\nEnvoys of Gondor met the French minister.\n"})
        self.db = os.path.join(self.t, "db")
        self.aliases = os.path.join(self.t, "aliases.tsv")

    def search(self, db, **filters):
        d = dm.start_daemon(self, db, tmp=self.t)
        with d.connect() as c:
            return docs(hits(c, "", **filters))

    def test_alias_file_adds_an_actor(self):
        h.write(self.aliases, "# more actors\ngondor\tGondor\tMinas Tirith\tGondorian\n"
                              "france\t\tGaul\n")
        index(self.db, "--aliases", self.aliases, self.corpus)
        self.assertEqual(self.search(self.db, actor="gondor"), ["old.txt"])
        self.assertEqual(self.search(self.db, actor="Minas Tirith"), ["old.txt"])
        self.assertEqual(self.search(self.db, actor="Gaul"), ["old.txt"])

    def test_bad_line_is_warned_and_skipped(self):
        h.write(self.aliases, "gondor\tGondor\n"
                              "Bad Id\tNobody\n"
                              "mordor\t\tMordor\n")
        p = index(self.db, "--aliases", self.aliases, self.corpus)
        self.assertIn(f"attache-index: warn: {self.aliases}:2: 'Bad Id' is not an id", p.stderr)
        self.assertIn(f"attache-index: warn: {self.aliases}:3: actor 'mordor' is new",
                      p.stderr)
        self.assertEqual(self.search(self.db, actor="gondor"), ["old.txt"])

    def test_unreadable_alias_file_stops_the_run(self):
        p = h.run_indexer("-d", self.db, "--aliases", os.path.join(self.t, "none.tsv"),
                          self.corpus)
        self.assertEqual(p.returncode, h.EXIT_USAGE, p.stderr)
        self.assertIn("none.tsv", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.db, "XAPIANDB")))

    def test_changed_alias_file_then_rebuild(self):
        changed = ("the alias file changed: files indexed before keep their actors "
                   "until attache-index --rebuild")
        p = index(self.db, self.corpus)
        self.assertNotIn("changed", p.stderr)
        h.write(self.aliases, "gondor\tGondor\n")
        h.write(os.path.join(self.corpus, "new.txt"), "Title: New\n\nGondor again.\n")
        p = index(self.db, "--aliases", self.aliases, self.corpus)
        self.assertIn(changed, p.stderr)
        self.assertEqual(self.search(self.db, actor="gondor"), ["new.txt"])
        # The same file again, or none (it is remembered): nothing changed.
        self.assertNotIn("changed", index(self.db, "--aliases", self.aliases,
                                          self.corpus).stderr)
        self.assertNotIn("changed", index(self.db, self.corpus).stderr)
        index(self.db, "--rebuild", self.corpus)
        self.assertEqual(self.search(self.db, actor="gondor"), ["new.txt", "old.txt"])
        # /dev/null drops the lines: a change again.
        self.assertIn("changed", index(self.db, "--aliases", os.devnull, self.corpus).stderr)

    def test_the_index_carries_its_gazetteer(self):
        h.write(self.aliases, "gondor\tGondor\tMinas Tirith\n")
        index(self.db, "--aliases", self.aliases, self.corpus)
        os.remove(self.aliases)
        copy = h.copy_tree(self.db, os.path.join(self.t, "copy"))
        shutil.rmtree(self.db)
        self.assertEqual(self.search(copy, actor="Minas Tirith"), ["old.txt"])
        self.assertEqual(self.search(copy, actor="French"), ["old.txt"])


class Generator(unittest.TestCase):
    """data/actors.tsv is what tools/gen-actors.py makes from iso-codes,
    WordNet and data/actors-curated.tsv."""

    def test_generated_file_is_up_to_date(self):
        if not (os.path.exists("/usr/share/iso-codes/json/iso_3166-1.json") and
                os.path.exists("/usr/share/wordnet/data.noun")):
            self.skipTest("iso-codes and wordnet-base are not installed")
        p = subprocess.run([sys.executable, os.path.join(h.REPO, "tools", "gen-actors.py"),
                            "--check"], capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)


if __name__ == "__main__":
    unittest.main()
