"""Black-box tests of highlighting in other scripts: the word a search finds
is the word the snippet marks, because highlighting cuts words by the
index's own rule (Xapian's term generator), not by an idea of a letter of
its own. An Arabic comma glued to a word (الوزير،) is punctuation, as are
the Greek question mark and the Devanagari danda; a curly apostrophe stays
inside a name (O’Brien) as the index has it; acronyms, C++ and foo_bar are
words of the index, and marked.
"""
import os
import unittest

import daemon as dm
import harness as h

WAZIR = "\u0627\u0644\u0648\u0632\u064a\u0631"          # the minister
AR_COMMA = "\u060c"
MINISTER_EL = "\u03c5\u03c0\u03bf\u03c5\u03c1\u03b3\u03cc\u03c2"  # υπουργός
GREEK_QM = "\u037e"
SAID_HI = "\u0915\u0939\u093e"                           # कहा
DANDA = "\u0964"

DOCS = {
    "arabic.txt": ("Arabic statement",
                   f"{WAZIR}{AR_COMMA} \u0642\u0627\u0644 \u0625\u0646 "
                   "\u0627\u0644\u0645\u062d\u0627\u062f\u062b\u0627\u062a "
                   "\u0633\u062a\u0633\u062a\u0645\u0631.\n"),
    "greek.txt": ("Greek question",
                  f"\u03a4\u03b9 \u03b5\u03af\u03c0\u03b5 \u03bf {MINISTER_EL}{GREEK_QM} "
                  "\u0394\u03b5\u03bd \u03b1\u03c0\u03ac\u03bd\u03c4\u03b7\u03c3\u03b5.\n"),
    "hindi.txt": ("Hindi statement",
                  f"\u092e\u0902\u0924\u094d\u0930\u0940 \u0928\u0947 {SAID_HI}{DANDA} "
                  "\u092c\u093e\u0924\u091a\u0940\u0924 \u091c\u093e\u0930\u0940 "
                  "\u0930\u0939\u0947\u0917\u0940\u0964\n"),
    "english.txt": ("Curly apostrophe",
                    "Mr O\u2019Brien said the ceasefire would hold.\n"),
    "symbols.txt": ("Symbols", "The U.S. embassy wrote C++ code. C# too, and foo_bar.\n"),
}


class HighlightScriptsTest(unittest.TestCase):
    """One daemon on a few one-paragraph documents in other scripts."""

    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.tmp = h.tmp_for(cls)
        corpus = os.path.join(cls.tmp, "corpus")
        for name, (title, body) in DOCS.items():
            h.write(os.path.join(corpus, name), f"Title: {title}\n\n{body}")
        cls.db = dm.build_index(corpus, os.path.join(cls.tmp, "db"))
        cls.d = dm.start_daemon(cls, cls.db, tmp=cls.tmp)

    def setUp(self):
        self.c = dm.connect_live(self, self.d)

    def only_hit(self, q, doc):
        """The one hit of q, which must be in doc."""
        r = self.c.request({"id": "q", "op": "search", "q": q})
        self.assertIs(r.get("ok"), True, r)
        self.assertEqual(len(r["hits"]), 1, r)
        hit = r["hits"][0]
        self.assertEqual(hit["doc"]["id"], doc, hit)
        return hit

    def check_marked(self, q, doc, word, after):
        """Searching q finds doc, whose passage has word followed by the
        character after: the match is word exactly, and the snippet marks
        it with after outside the marks."""
        hit = self.only_hit(q, doc)
        text = hit["passage"]["text"]
        marked = [dm.byte_slice(text, s, e) for s, e in hit["matches"]]
        self.assertEqual(marked, [word], hit)
        self.assertIn(f"<b>{word}</b>{after}", hit["snippet"], hit)

    def test_arabic_comma(self):
        self.check_marked(WAZIR, "arabic.txt", WAZIR, AR_COMMA)

    def test_greek_question_mark(self):
        self.check_marked(MINISTER_EL, "greek.txt", MINISTER_EL, GREEK_QM)

    def test_devanagari_danda(self):
        self.check_marked(SAID_HI, "hindi.txt", SAID_HI, DANDA)

    def test_curly_apostrophe(self):
        self.check_marked("O'Brien", "english.txt", "O\u2019Brien", " said")

    def test_acronym(self):
        self.check_marked("U.S.", "symbols.txt", "U.S", ". embassy")

    def test_suffixes_and_underscore(self):
        self.check_marked("C++", "symbols.txt", "C++", " code")
        self.check_marked("C#", "symbols.txt", "C#", " too")
        self.check_marked("foo_bar", "symbols.txt", "foo_bar", ".")


if __name__ == "__main__":
    unittest.main()
