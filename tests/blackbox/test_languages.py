"""Black-box tests of languages and accents (docs/PROTOCOL.md, "Languages
and accents"): Latin diacritics are folded on both sides (Erdogan finds
Erdoğan, and the other way round, in words, phrases, wildcards and filter
values) while the match marked is the word as written; a document is
stemmed for its language and a query for its "lang", so a French, German,
Russian or Arabic query finds the inflected forms of its words; Cyrillic
й stays a letter of its own, ё is read as е.

The reports in tests/fixtures/languages/ name their language and author in
Language: and Author: header lines.
"""
import os
import unittest

import daemon as dm
import harness as h

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures",
                        "languages")
DOCS = sorted(os.listdir(FIXTURES))


class LanguagesTest(unittest.TestCase):
    """One daemon on the reports of tests/fixtures/languages/."""

    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.tmp = h.tmp_for(cls)
        corpus = h.copy_tree(FIXTURES, os.path.join(cls.tmp, "corpus"))
        cls.db = dm.build_index(corpus, os.path.join(cls.tmp, "db"))
        cls.d = dm.start_daemon(cls, cls.db, tmp=cls.tmp)

    def setUp(self):
        self.c = dm.connect_live(self, self.d)

    # -- helpers ----------------------------------------------------------------

    def search(self, q, **params):
        r = self.c.request(dict(id="q", op="search", q=q, limit=100, **params))
        self.assertIs(r.get("ok"), True, f"{q!r} {params}: {r}")
        return r["hits"]

    def docs(self, q, **params):
        return {hit["doc"]["id"] for hit in self.search(q, **params)}

    def marked(self, q, doc, **params):
        """The words marked in doc's passages by searching q, as written."""
        hits = [x for x in self.search(q, **params) if x["doc"]["id"] == doc]
        self.assertTrue(hits, f"{q!r} {params} does not find {doc}")
        return [dm.byte_slice(x["passage"]["text"], s, e)
                for x in hits for s, e in x["matches"]]

    # -- accents ------------------------------------------------------------------

    def test_accents_folded_both_ways(self):
        for q in ("Erdogan", "erdoğan", "ERDOĞAN", "Erdog\u0306an"):
            self.assertEqual(self.docs(q), {"en-ankara.txt"}, q)
        for q in ("naive", "naïve", "NAÏVE"):
            self.assertEqual(self.docs(q), {"en-ankara.txt", "en-harbour.txt"}, q)
        for q in ("sanchez", "Sánchez"):
            self.assertEqual(self.docs(q), {"en-ankara.txt", "es-salarios.txt"}, q)
        # Letters without a decomposition, and a Danish Å.
        self.assertEqual(self.docs("oresund"), {"en-harbour.txt"})
        self.assertEqual(self.docs("Gdansk Arhus"), {"en-harbour.txt"})
        self.assertEqual(self.docs("Øresund"), {"en-harbour.txt"})

    def test_highlight_marks_the_word_as_written(self):
        self.assertEqual(self.marked("erdogan", "en-ankara.txt"), ["Erdoğan", "Erdoğan"])
        self.assertEqual(self.marked("naive", "en-ankara.txt"), ["naïve"])
        self.assertEqual(self.marked("naïve", "en-harbour.txt"), ["naive"])
        self.assertEqual(self.marked("Sánchez", "en-ankara.txt"), ["Sanchez"])
        hit = self.search("Erdogan", highlight={"pre": "[", "post": "]"})[0]
        self.assertIn("[Erdoğan]", hit["snippet"], hit)

    def test_phrase_with_folded_name(self):
        self.assertEqual(self.docs('"Recep Tayyip Erdogan"'), {"en-ankara.txt"})
        self.assertEqual(self.docs('"Tayyip Erdogan said"'), {"en-ankara.txt"})
        self.assertEqual(self.docs('"Erdogan Tayyip"'), set(), "word order still counts")
        marked = self.marked('"recep tayyip erdogan"', "en-ankara.txt")
        self.assertEqual(" ".join(marked).split()[:3], ["Recep", "Tayyip", "Erdoğan"], marked)

    def test_wildcard_folded(self):
        self.assertEqual(self.docs("erdo*"), {"en-ankara.txt"})
        self.assertEqual(self.marked("Erdoğ*", "en-ankara.txt"), ["Erdoğan", "Erdoğan"])
        self.assertEqual(self.docs("gdań*"), {"en-harbour.txt"})

    def test_filter_values_folded(self):
        for speaker in ("Recep Tayyip Erdogan", "recep tayyip erdoğan", "RECEP  TAYYIP ERDOĞAN"):
            hits = self.search("", filter={"speaker": speaker})
            self.assertEqual({x["doc"]["id"] for x in hits}, {"en-ankara.txt"}, speaker)
        for source in ("Северный вестник", "СЕВЕРНЫЙ ВЕСТНИК", "северный\u00a0вестник"):
            hits = self.search("", filter={"source": source})
            self.assertEqual({x["doc"]["id"] for x in hits}, {"ru-zerno.txt"}, source)
        self.assertEqual(self.docs('source:"северный вестник"'), {"ru-zerno.txt"})
        self.assertEqual(self.docs('source:"Bosphorus Wire" erdogan'), {"en-ankara.txt"})

    def test_filter_author_folded(self):
        for author in ("lucia sanchez", "LUCÍA SÁNCHEZ", "Lucía Sánchez"):
            hits = self.search("", filter={"author": author})
            self.assertEqual({x["doc"]["id"] for x in hits}, {"es-salarios.txt"}, author)
        for author in ("Петр Семенов", "пётр семёнов"):
            hits = self.search("", filter={"author": author})
            self.assertEqual({x["doc"]["id"] for x in hits}, {"ru-zerno.txt"}, author)
        self.assertEqual(self.docs("author:yilmaz"), {"en-ankara.txt"})

    # -- languages ---------------------------------------------------------------

    def test_filter_language(self):
        for code, doc in (("fr", "fr-geneve.txt"), ("FR", "fr-geneve.txt"),
                          ("ru", "ru-zerno.txt"), ("ar", "ar-qahira.txt")):
            hits = self.search("", filter={"language": code})
            self.assertEqual({x["doc"]["id"] for x in hits}, {doc}, code)
        self.assertEqual(self.docs("language:de"), {"de-haushalt.txt"})

    def test_french_query_finds_inflected_forms(self):
        self.assertEqual(self.marked("négociation", "fr-geneve.txt", lang="fr"),
                         ["négociations"])
        self.assertEqual(self.marked("negociation", "fr-geneve.txt", lang="fr"),
                         ["négociations"], "without its accent too")
        self.assertEqual(self.marked("nationalité", "fr-geneve.txt", lang="fr"),
                         ["nationalités"])
        self.assertEqual(self.marked("négo*", "fr-geneve.txt", lang="fr"), ["négociations"])

    def test_german_query_finds_inflected_forms(self):
        self.assertEqual(self.marked("Verhandlung", "de-haushalt.txt", lang="de"),
                         ["Verhandlungen"])
        self.assertNotIn("de-haushalt.txt", self.docs("Verhandlung"),
                         "an English query is not stemmed as German")
        self.assertEqual(self.marked("Krankenhaus", "de-haushalt.txt", lang="de"),
                         ["Krankenhäuser"])

    def test_russian_text_is_stemmed_as_russian(self):
        self.assertEqual(self.marked("переговорах", "ru-zerno.txt", lang="ru"),
                         ["Переговоры"])
        self.assertEqual(self.docs("переговорах"), set(),
                         "English leaves the word whole; the document holds its stem")
        self.assertEqual(self.marked("район", "ru-zerno.txt", lang="ru"), ["районы"])

    def test_cyrillic_letters(self):
        self.assertEqual(self.docs("раионы"), set(), "й is not и")
        for q in ("еще", "ещё", "ЕЩЕ"):
            self.assertEqual(self.marked(q, "ru-zerno.txt", lang="ru"), ["Ещё"], q)
        self.assertEqual(self.docs("раионы", lang="ru"), set(), "й is not и")

    def test_arabic_query_finds_the_word_with_its_article(self):
        self.assertEqual(self.marked("تجارة", "ar-qahira.txt", lang="ar"), ["التجارة"])

    def test_stop_words_are_english_only(self):
        # "a" is an English function word, dropped from an English query,
        # but a French verb ("a dit"), kept in a French one.
        self.assertIn("a", self.marked("a genève", "fr-geneve.txt", lang="fr", match="all"))
        self.assertEqual(self.marked("a genève", "fr-geneve.txt", match="all"), ["Genève"])

    def test_bad_lang_is_refused(self):
        for lang in ("xx", "zh", "french"):
            r = self.c.request({"id": 1, "op": "search", "q": "genève", "lang": lang})
            dm.assert_error(self, r, "bad_request", 1, f"lang {lang!r}")


if __name__ == "__main__":
    unittest.main()
