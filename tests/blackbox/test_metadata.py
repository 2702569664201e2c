"""Black-box tests of document metadata beyond title, date and source
(docs/PROTOCOL.md, objects doc and facets): a document's author, language
and further fields, from each format's own headers, as the daemon returns
them, filters by them (filter.author, filter.language, author: and
language: in queries), counts them (facets) and as the client shows them.
"""
import json
import os
import shutil
import subprocess
import unittest

import daemon as dm
import harness as h

TXT = """Title: Ministers meet on grain corridor
Author: Jane Roe
Date: 2025-03-01
Source: Harbour Wire

The foreign ministers met in Istanbul to discuss the grain corridor.
Shipping through the strait resumed after the talks, officials said.
"""

HTML = """<!doctype html>
<html lang="es-ES"><head><title>Page title</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Summit ends with a corridor pledge",
 "datePublished": "2025-04-02T09:00:00Z",
 "author": {"@type": "Person", "name": "Pablo Ruiz"},
 "publisher": {"@type": "Organization", "name": "Diario Costero"}}
</script></head>
<body><p>La cumbre terminó con una promesa sobre el corredor de grano.</p>
<p>Los ministros hablaron del corredor durante horas.</p></body></html>
"""

RECORDS = [
    {"id": "brief-1", "title": "Briefing on the corridor", "author": "Jane Roe",
     "date": "2025-03-02", "language": "en", "party": "Coalition",
     "body": "The spokesperson briefed reporters on the grain corridor and its escorts."},
    {"id": "brief-2", "title": "Note verbale sur le corridor", "author": "Marc Dupont",
     "date": "2025-03-05", "language": "fr", "desk": "Europe",
     "body": "Le ministre a présenté le corridor céréalier aux ambassadeurs réunis."},
]


def write_corpus(root):
    h.write(os.path.join(root, "news", "ministers.txt"), TXT)
    h.write(os.path.join(root, "web", "summit.html"), HTML)
    h.write(os.path.join(root, "briefs", "all.jsonl"),
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS))


class MetadataTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.tmp = h.make_tmp("attache-meta-")
        corpus = os.path.join(cls.tmp, "corpus")
        write_corpus(corpus)
        cls.db = os.path.join(cls.tmp, "db")
        dm.build_index(corpus, cls.db)
        cls.d = dm.Daemon(cls.db, cls.tmp)
        cls.d.start()
        cls.c = cls.d.connect()

    @classmethod
    def tearDownClass(cls):
        cls.c.close()
        cls.d.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def call(self, **req):
        r = self.c.request(req)
        self.assertIs(r["ok"], True, f"{req}: {r}")
        return r

    def doc_of(self, doc_id):
        r = self.call(op="get", doc=doc_id)
        return r["doc"], r["passages"]

    def hits(self, q="", **kw):
        return self.call(op="search", q=q, limit=100, **kw)["hits"]

    def ids(self, hits):
        return sorted({x["doc"]["id"] for x in hits})

    def test_author_from_each_format(self):
        cases = {"news/ministers.txt": "Jane Roe", "web/summit.html": "Pablo Ruiz",
                 "brief-1": "Jane Roe", "brief-2": "Marc Dupont"}
        for doc_id, author in cases.items():
            doc, _ = self.doc_of(doc_id)
            self.assertEqual(doc["author"], author, doc)

    def test_json_ld_gives_title_date_source(self):
        doc, _ = self.doc_of("web/summit.html")
        self.assertEqual(doc["title"], "Summit ends with a corridor pledge")
        self.assertEqual(doc["date"], "2025-04-02")
        self.assertEqual(doc["source"], "Diario Costero")
        self.assertEqual(doc["language"], "es")

    def test_language_and_further_fields(self):
        doc, _ = self.doc_of("brief-2")
        self.assertEqual(doc["language"], "fr")
        self.assertEqual(doc["fields"], {"desk": "Europe"})
        doc, _ = self.doc_of("brief-1")
        self.assertEqual(doc["fields"], {"party": "Coalition"})
        doc, _ = self.doc_of("news/ministers.txt")
        self.assertIsNone(doc["language"])
        self.assertEqual(doc["fields"], {})

    def test_filter_author_is_exact_and_case_insensitive(self):
        got = self.ids(self.hits("corridor", filter={"author": "jane ROE"}))
        self.assertEqual(got, ["brief-1", "news/ministers.txt"])
        self.assertEqual(self.hits("corridor", filter={"author": "Jane"}), [])
        everything = self.ids(self.hits("corridor"))
        self.assertEqual(self.ids(self.hits("corridor", filter={"author": ""})), everything)
        self.assertEqual(len(everything), 4)

    def test_author_words_in_the_query(self):
        self.assertEqual(self.ids(self.hits("author:dupont")), ["brief-2"])
        self.assertEqual(self.ids(self.hits("author:roe corridor", match="all")),
                         ["brief-1", "news/ministers.txt"])

    def test_filter_language(self):
        self.assertEqual(self.ids(self.hits("", filter={"language": "fr"})), ["brief-2"])
        self.assertEqual(self.ids(self.hits("language:es")), ["web/summit.html"])

    def test_facets_count_authors_and_languages(self):
        r = self.call(op="search", q="", filter={"from": "2025"}, facets=True, limit=1)
        f = r["facets"]
        passages = {}
        for doc_id in ("news/ministers.txt", "web/summit.html", "brief-1", "brief-2"):
            doc, ps = self.doc_of(doc_id)
            passages[doc_id] = (doc, len(ps))
        want_auth, want_lang = {}, {}
        for doc, n in passages.values():
            want_auth[doc["author"]] = want_auth.get(doc["author"], 0) + n
            if doc["language"]:
                want_lang[doc["language"]] = want_lang.get(doc["language"], 0) + n
        self.assertEqual(f["author"], want_auth)
        self.assertEqual(f["language"], want_lang)

    def test_client_shows_and_filters_by_author(self):
        env = dict(os.environ, ATTACHE_ADDR="unix:" + self.d.sock_path, NO_COLOR="1")
        p = subprocess.run([h.bin_path("attache"), "corridor", "--author", "Marc Dupont",
                            "--color", "never"], capture_output=True, text=True, env=env,
                           timeout=30, stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Note verbale sur le corridor \u2014 Marc Dupont \u2014 2025-03-05",
                      p.stdout)
        self.assertIn("brief-2#0 \u00b7 fr", p.stdout)
        self.assertNotIn("Jane Roe", p.stdout)


if __name__ == "__main__":
    unittest.main()
