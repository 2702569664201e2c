"""Black-box tests of attached's search operation (docs/PROTOCOL.md): the
response's fields and offsets, every parameter (limit, offset, filter,
per_doc, sort, highlight, quotes, facets) and the query syntax (phrases,
stemming, field prefixes, date ranges, wildcards, boolean operators,
spelling suggestions); then the seed article of the real corpus.
"""
import collections
import re
import unittest

import daemon as dm

DATE = re.compile(r"^\d{4}(-\d\d(-\d\d)?)?$")
# A phrase's words are one match range; the spec's example marks them apart.
ARMS_SALE = re.compile(r"<b>arms sale</b>|<b>arms</b> <b>sale</b>")


class SearchChecks:
    """Assertions on search responses (a mixin for TestCase)."""

    full_docs = set(dm.NEWS) | {dm.filler_meta(i)[0] for i in range(dm.FILLER_N)}

    def search(self, q, **params):
        req = dict(op="search", q=q, **params)
        r = self.c.request(dict(req, id="q"))
        self.assertIs(r["ok"], True, f"{req}: {r}")
        self.assertEqual(r["id"], "q")
        self.check_response(r, req)
        return r

    def all_hits(self, q, **params):
        r = self.search(q, limit=1000, **params)
        self.assertLess(len(r["hits"]), 1000, "the test corpus is small")
        return r["hits"]

    def check_response(self, r, req):
        """Every field of a search response, with its type and offsets."""
        offset = req.get("offset", 0)
        limit = req.get("limit", 10)
        self.assertIsInstance(r.get("took_us"), int, r)
        self.assertGreaterEqual(r["took_us"], 0)
        self.assertIsInstance(r.get("revision"), int, r)
        total = r.get("total")
        self.assertIsInstance(total, dict, r)
        for k in ("estimate", "lower", "upper"):
            self.assertIsInstance(total.get(k), int, f"total.{k}: {total}")
        self.assertLessEqual(total["lower"], total["estimate"], total)
        self.assertLessEqual(total["estimate"], total["upper"], total)
        self.assertIsInstance(r.get("hits"), list, r)
        hits = r["hits"]
        self.assertLessEqual(len(hits), limit)
        if "partial" in r:
            self.assertIs(r["partial"], True, r)
        if offset == 0 and total["lower"] == total["upper"]:
            self.assertEqual(len(hits), min(limit, total["lower"]), total)
        qwords = query_words(req.get("q", ""))
        for i, hit in enumerate(hits):
            self.check_hit(hit, offset + i + 1, qwords, req)
        return r

    def check_hit(self, hit, rank, qwords, req):
        what = f"hit {rank} of {req}"
        self.assertEqual(hit.get("rank"), rank, what)
        self.assertIsInstance(hit.get("score"), (int, float), what)
        self.assertNotIsInstance(hit["score"], bool)
        doc = hit.get("doc")
        self.assertIsInstance(doc, dict, what)
        self.assertIsInstance(doc.get("id"), str, what)
        for k in ("title", "date", "source", "url"):  # each null when unknown
            self.assertIn(k, doc, f"doc.{k} of {what}: {doc}")
            if doc[k] is not None:
                self.assertIsInstance(doc[k], str, f"doc.{k} of {what}: {doc}")
        if doc["id"] in self.full_docs:  # the hand-made corpus: all but url known
            for k in ("title", "date", "source"):
                self.assertIsInstance(doc[k], str, f"{what}: {doc}")
        if doc["date"] is not None:
            self.assertRegex(doc["date"], DATE)
        p = hit.get("passage")
        self.assertIsInstance(p, dict, what)
        for k in ("n", "start", "end"):
            self.assertIsInstance(p.get(k), int, f"passage.{k} of {what}: {p}")
        self.assertIsInstance(p.get("text"), str, what)
        self.assertGreaterEqual(p["n"], 0)
        text = p["text"]
        tb = text.encode()
        self.assertEqual(p["end"] - p["start"], len(tb), f"passage offsets of {what}")
        self.assertIsInstance(hit.get("snippet"), str, what)
        self.assertIsInstance(hit.get("matches"), list, what)
        prev = 0
        for m in hit["matches"]:
            self.assertTrue(isinstance(m, list) and len(m) == 2
                            and all(isinstance(x, int) for x in m), f"{what}: match {m}")
            s, e = m
            self.assertTrue(prev <= s < e <= len(tb), f"{what}: match {m} in {len(tb)} bytes "
                            f"(ordered, disjoint)")
            prev = e
            try:
                word = tb[s:e].decode("utf-8")
            except UnicodeDecodeError:
                self.fail(f"{what}: match {m} cuts a UTF-8 character: {tb[s:e]!r}")
            if qwords:
                for w in dm.words_of(word):
                    self.assertTrue(any(dm.stem_match(w, q) for q in qwords),
                                    f"{what}: matched {word!r} ({w!r}) is none of {qwords}")
        if req.get("quotes", True):
            self.assertIsInstance(hit.get("quotes"), list, what)
        for q in hit.get("quotes") or []:
            self.assertIsInstance(q.get("text"), str, f"{what}: {q}")
            for k in ("speaker", "role"):
                self.assertIn(k, q, f"{what}: quote {q}")
                self.assertTrue(q[k] is None or isinstance(q[k], str), f"{what}: {q}")
            self.assertIsInstance(q.get("start"), int, f"{what}: {q}")
            self.assertIsInstance(q.get("end"), int, f"{what}: {q}")
            self.assertEqual(tb[q["start"]:q["end"]], q["text"].encode(),
                             f"{what}: passage.text bytes [start:end] != quote text {q}")
            qb = q["text"].encode()
            self.assertIsInstance(q.get("matches"), list, f"{what}: {q}")
            for m in q["matches"]:
                self.assertTrue(0 <= m[0] < m[1] <= len(qb), f"{what}: quote match {m}: {q}")
                qb[m[0]:m[1]].decode("utf-8")


def query_words(q):
    """The plain words of a simple query (no operators, prefixes, ranges)
    whose matches a test checks; None when the query is not that simple."""
    if not q or re.search(r"[:()+\-]|\.\.|\b(AND|OR|NOT|XOR|NEAR|ADJ)\b", q):
        return None
    return [w for w in re.findall(r"[\w*]+", q)]


class SearchTest(SearchChecks, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.tmp, cls.corpus, cls.db = dm.small_index(cls)
        cls.d = dm.start_daemon(cls, cls.db, tmp=cls.tmp)
        with cls.d.connect() as c:
            cls.docs = {}
            for fid in [*dm.NEWS, *(dm.filler_meta(i)[0] for i in range(dm.FILLER_N))]:
                cls.docs[fid] = c.call({"op": "get", "doc": fid})

    def setUp(self):
        self.c = dm.connect_live(self, self.d)

    def passage(self, fid, n):
        return self.docs[fid]["passages"][n]

    def keys(self, hits):
        return [dm.hit_key(x) for x in hits]

    # -- the response ----------------------------------------------------------

    def test_response_fields(self):
        # (How many hits: test_words_are_joined_with_and.)
        r = self.search("taiwan arms sale")
        hit = r["hits"][0]
        self.assertEqual(dm.hit_key(hit), ("news/beijing-tokyo.txt", 2))
        self.assertEqual(hit["rank"], 1)
        self.assertGreater(hit["score"], 0)
        title, date, source, url, paras = dm.NEWS["news/beijing-tokyo.txt"]
        self.assertEqual(hit["doc"], dict(hit["doc"], id="news/beijing-tokyo.txt", title=title,
                                          date=date, source=source, url=url))
        self.assertEqual(hit["passage"]["text"], paras[2])
        text = hit["passage"]["text"]
        words = [dm.byte_slice(text, s, e) for s, e in hit["matches"]]
        self.assertIn("arms sale", words, "a matched phrase of adjacent words is one range")
        self.assertIn("Taiwan", words)
        self.assertRegex(hit["snippet"], ARMS_SALE)
        speakers = {q["speaker"] for q in hit["quotes"]}
        self.assertIn("Lin Jian", speakers, hit["quotes"])

    def test_hit_is_the_indexed_passage(self):
        for hit in self.all_hits("sanctions"):
            fid, n = dm.hit_key(hit)
            got = self.passage(fid, n)
            self.assertEqual({k: hit["passage"][k] for k in ("n", "start", "end", "text")},
                             {k: got[k] for k in ("n", "start", "end", "text")})
            self.assertEqual(hit["doc"], self.docs[fid]["doc"])
            self.assertEqual([(q["text"], q["start"], q["end"], q["speaker"])
                              for q in hit["quotes"]],
                             [(q["text"], q["start"], q["end"], q["speaker"])
                              for q in got["quotes"]])

    def test_utf8_byte_offsets(self):
        hits = [x for x in self.all_hits("tankers bankers")
                if dm.hit_key(x) == ("news/sanctions-eu.txt", 2)]
        self.assertEqual(len(hits), 1)
        hit = hits[0]
        text = hit["passage"]["text"]
        self.assertIn("Z\u00fcrich", text)
        words = [dm.byte_slice(text, s, e) for s, e in hit["matches"]]
        self.assertEqual(sorted(words), ["bankers", "tankers"], hit["matches"])
        b = text.encode()
        self.assertEqual(hit["matches"][0][0], b.index(b"bankers"), "byte offsets, not chars")
        q = [x for x in hit["quotes"] if x["text"] == "shadow fleet"]
        self.assertEqual(len(q), 1, hit["quotes"])
        self.assertEqual(q[0]["start"], b.index("shadow fleet".encode()))

    def test_quote_matches(self):
        hit = self.search("touched")["hits"][0]
        q = [x for x in hit["quotes"] if "touched" in x["text"]]
        self.assertEqual(len(q), 1, hit["quotes"])
        qb = q[0]["text"].encode()
        self.assertEqual([qb[s:e].decode() for s, e in q[0]["matches"]], ["touched"], q)

    # -- limit, offset ------------------------------------------------------------

    def contains_all(self, hit, q):
        where = (hit["passage"]["text"] + " " + hit["doc"].get("title", "")).lower()
        return all(any(dm.stem_match(x, w) for x in dm.words_of(where)) for w in q.split())

    def contains_some(self, hit, q):
        where = (hit["passage"]["text"] + " " + hit["doc"].get("title", "")).lower()
        return any(any(dm.stem_match(x, w) for x in dm.words_of(where)) for w in q.split())

    def test_match_all(self):
        # "all: every word must match" (in the passage or the document's title).
        self.assertEqual(self.keys(self.all_hits("lifeline rebuked", match="all")), [],
                         "no passage has both words")
        self.assertEqual(self.keys(self.search("lifeline rebuked", limit=1,
                                               match="all")["hits"]), [])
        self.assertEqual(self.keys(self.all_hits("taiwan arms sale", match="all")),
                         [("news/beijing-tokyo.txt", 2)])
        for q in ("sanctions tankers", "red line", "trade tariff", "soybeans farmers"):
            with self.subTest(q=q):
                hits = self.all_hits(q, match="all")
                self.assertTrue(hits)
                for hit in hits:
                    self.assertTrue(self.contains_all(hit, q), f"{q!r}: {dm.hit_key(hit)}")

    def test_match_any(self):
        a = set(self.keys(self.all_hits("lifeline", match="any")))
        b = set(self.keys(self.all_hits("rebuked", match="any")))
        self.assertEqual(set(self.keys(self.all_hits("lifeline rebuked", match="any"))), a | b)
        hits = self.all_hits("trade tariff", match="any")
        both = self.keys(self.all_hits("trade tariff", match="all"))
        self.assertGreater(len(hits), len(both))
        for hit in hits:
            self.assertTrue(self.contains_some(hit, "trade tariff"), dm.hit_key(hit))
        self.assertEqual(self.keys(hits[:len(both)]), both,
                         "passages with both words rank first")

    def test_match_auto(self):
        # "auto: all, unless fewer passages than a page (limit) hold every
        # word, then any"; auto is the default.
        for q in ("trade tariff", "taiwan arms sale", "lifeline rebuked", "trade"):
            every = self.keys(self.all_hits(q, match="all"))
            n = len(every)
            for offset, limit in ((0, 1), (0, 10), (0, max(n, 1)), (0, n + 1), (max(n - 3, 0), 3),
                                  (max(n - 3, 0), 5), (n, 5), (0, 1000)):
                with self.subTest(q=q, offset=offset, limit=limit, all=n):
                    mode = "all" if n >= limit else "any"
                    want = self.keys(self.search(q, offset=offset, limit=limit,
                                                 match=mode)["hits"])
                    for params in ({}, {"match": "auto"}):
                        got = self.keys(self.search(q, offset=offset, limit=limit,
                                                    **params)["hits"])
                        self.assertEqual(got, want, f"auto should act as {mode}")

    def test_pages_of_a_several_word_query(self):
        # Paging gives each hit once: page n+1 continues page n (auto makes
        # the same choice on every page of a given size).
        for q in ("trade tariff", "trade tariff harbour", "sanctions tankers"):
            for match in ("all", "any", "auto"):
                with self.subTest(q=q, match=match):
                    every = self.keys(self.all_hits(q, match=match))
                    pages = []
                    for off in range(0, 100, 5):
                        pages += self.keys(self.search(q, limit=5, offset=off,
                                                       match=match)["hits"])
                    dup = [k for k, n in collections.Counter(pages).items() if n > 1]
                    self.assertEqual(dup, [], f"{q!r}: {len(dup)} hits on two pages of 5")
                    if match == "auto":  # a page of 1000 may choose otherwise
                        mode = "all" if len(self.all_hits(q, match="all")) >= 5 else "any"
                        every = self.keys(self.all_hits(q, match=mode))
                    self.assertEqual(pages, every, f"{q!r}: pages of 5 differ from one page "
                                     f"of 1000")

    def test_stop_words(self):
        # "Common function words (the, of, and...) are ignored outside phrases."
        p3 = ("news/sanctions-eu.txt", 3)
        self.assertEqual(self.keys(self.all_hits("lifeline of the economy", match="all")), [p3])
        hit = self.all_hits("the lifeline of the economy", match="all")[0]
        text = hit["passage"]["text"]
        self.assertEqual([dm.byte_slice(text, s, e) for s, e in hit["matches"]],
                         ["lifeline", "economy"], "function words are not marked")
        self.assertEqual(self.keys(self.all_hits('"corridor the lifeline"')), [p3])
        self.assertEqual(self.keys(self.all_hits('"corridor lifeline"')), [],
                         "inside a phrase a function word counts")

    def test_limit(self):
        every = self.all_hits("trade")
        self.assertGreater(len(every), 20)
        self.assertEqual(len(self.search("trade")["hits"]), 10, "the default limit")
        self.assertEqual(len(self.search("trade", limit=3)["hits"]), 3)
        self.assertEqual(len(self.search("trade", limit=1)["hits"]), 1)
        r = self.search("trade", limit=1000, facets=True)
        self.assertEqual(r["total"]["estimate"], len(every))
        self.assertEqual(self.keys(self.search("trade", limit=7)["hits"]),
                         self.keys(every[:7]))

    def test_offset_pages(self):
        first = self.search("trade", limit=10)["hits"]
        p1 = self.search("trade", limit=5, offset=0)["hits"]
        p2 = self.search("trade", limit=5, offset=5)["hits"]
        self.assertEqual([x["rank"] for x in p2], [6, 7, 8, 9, 10])
        self.assertFalse(set(self.keys(p1)) & set(self.keys(p2)), "pages overlap")
        self.assertEqual(self.keys(p1 + p2), self.keys(first), "page 2 continues page 1")
        every = self.all_hits("trade")
        pages = []
        for off in range(0, len(every) + 7, 7):
            pages += self.search("trade", limit=7, offset=off)["hits"]
        self.assertEqual(self.keys(pages), self.keys(every))
        last = self.search("trade", limit=10, offset=len(every))
        self.assertEqual(last["hits"], [])
        tail = self.search("trade", limit=10, offset=len(every) - 2)["hits"]
        self.assertEqual([x["rank"] for x in tail], [len(every) - 1, len(every)])

    # -- filters ------------------------------------------------------------------

    def test_filter_source(self):
        every = self.all_hits("trade")
        want = [k for k, x in zip(self.keys(every), every) if x["doc"]["source"] == "Reuters"]
        self.assertTrue(want)
        for src in ("Reuters", "reuters", "REUTERS"):
            with self.subTest(source=src):
                hits = self.all_hits("trade", filter={"source": src})
                self.assertEqual(sorted(self.keys(hits)), sorted(want))
        self.assertEqual(self.all_hits("trade", filter={"source": "Reut"}), [],
                         "exact, not a prefix")
        self.assertEqual(self.all_hits("trade", filter={"source": "Nobody"}), [])

    def test_filter_dates(self):
        every = self.all_hits("trade")
        cases = [({"from": "2015", "to": "2016"}, "2015-01-01", "2016-12-31"),
                 ({"from": "2014-03", "to": "2017-02"}, "2014-03-01", "2017-02-31"),
                 ({"from": "2016-06-10"}, "2016-06-10", "9999"),
                 ({"to": "2014-12-31"}, "0000", "2014-12-31"),
                 ({"from": "2025-11-14", "to": "2025-11-14"}, "2025-11-14", "2025-11-14")]
        for f, lo, hi in cases:
            with self.subTest(filter=f):
                want = sorted(k for k, x in zip(self.keys(every), every)
                              if lo <= x["doc"]["date"] <= hi)
                self.assertTrue(want, f"the corpus has hits for {f}")
                self.assertLess(len(want), len(every))
                hits = self.all_hits("trade", filter=f)
                self.assertEqual(sorted(self.keys(hits)), want, f)

    def test_filter_speaker(self):
        for name in ("Wang Yi", "wang yi", "WANG YI"):
            with self.subTest(speaker=name):
                hits = self.all_hits("", filter={"speaker": name})
                self.assertEqual(self.keys(hits), [("news/beijing-tokyo.txt", 1)])
                self.assertIn("Wang Yi", [q["speaker"] for q in hits[0]["quotes"]])
        hits = self.all_hits("", filter={"speaker": "Lin Jian"})
        self.assertEqual(self.keys(hits), [("news/beijing-tokyo.txt", 2)])
        self.assertIn("grossly violated", hits[0]["passage"]["text"])
        self.assertEqual(self.all_hits("red", filter={"speaker": "Lin Jian"}), [])
        self.assertEqual(self.all_hits("", filter={"speaker": "Wang"}), [],
                         "the exact name, not a word of it")
        hits = self.all_hits("lifeline", filter={"speaker": "John Miller"})
        self.assertEqual(self.keys(hits), [("news/soybeans.txt", 1)])

    def test_filter_doc(self):
        fid = "news/beijing-tokyo.txt"
        hits = self.all_hits("", filter={"doc": fid})
        self.assertEqual(sorted(self.keys(hits)),
                         [(fid, n) for n in range(len(self.docs[fid]["passages"]))],
                         "an empty q with a filter lists everything that passes it")
        for x in hits:
            self.assertEqual(x["score"], 0, "a pure filter scores 0")
        hits = self.all_hits("trade", filter={"doc": "filler/f03.txt"})
        self.assertTrue(hits)
        self.assertEqual({x["doc"]["id"] for x in hits}, {"filler/f03.txt"})
        self.assertEqual(self.all_hits("", filter={"doc": "filler/f03"}), [])

    def test_empty_filter_values_filter_nothing(self):
        every = sorted(self.keys(self.all_hits("trade")))
        for f in ({"source": ""}, {"speaker": ""}, {"doc": ""}, {"from": ""}, {"to": ""},
                  {"source": "", "from": "", "to": "", "speaker": "", "doc": ""}, {}):
            with self.subTest(filter=f):
                self.assertEqual(sorted(self.keys(self.all_hits("trade", filter=f))), every)

    def test_filters_combine(self):
        hits = self.all_hits("", filter={"source": "reuters", "from": "2025"})
        self.assertEqual({x["doc"]["id"] for x in hits}, {"news/beijing-tokyo.txt"})
        hits = self.all_hits("", filter={"source": "reuters", "from": "2025",
                                         "speaker": "Lin Jian", "doc": "news/beijing-tokyo.txt"})
        self.assertEqual(self.keys(hits), [("news/beijing-tokyo.txt", 2)])
        self.assertEqual(self.all_hits("", filter={"source": "bloomberg", "to": "2000"}), [])

    def test_per_doc(self):
        every = self.all_hits("trade")
        per = collections.Counter(x["doc"]["id"] for x in every)
        self.assertGreater(max(per.values()), 2, "some document has several matches")
        for n in (1, 2, 3):
            with self.subTest(per_doc=n):
                hits = self.all_hits("trade", per_doc=n)
                got = collections.Counter(x["doc"]["id"] for x in hits)
                self.assertEqual(got, collections.Counter({d: min(n, c) for d, c in per.items()}))
        hits = self.all_hits("trade", per_doc=0)
        self.assertEqual(len(hits), len(every), "0: no limit")
        top = self.search("trade", per_doc=1, limit=5)["hits"]
        self.assertEqual(len({x["doc"]["id"] for x in top}), 5)

    # -- sort ---------------------------------------------------------------------

    def test_sort_by_date(self):
        every = self.all_hits("trade")
        dates = [x["doc"]["date"] for x in self.all_hits("trade", sort="date")]
        self.assertEqual(dates, sorted(dates), "oldest first")
        self.assertEqual(len(dates), len(every))
        dates = [x["doc"]["date"] for x in self.all_hits("trade", sort="-date")]
        self.assertEqual(dates, sorted(dates, reverse=True), "newest first")
        self.assertNotEqual(dates, sorted(dates), "the corpus has several dates")
        rel = self.keys(self.all_hits("trade", sort="relevance"))
        self.assertEqual(rel, self.keys(every), "relevance is the default")
        p = self.search("trade", sort="-date", limit=3, offset=3)["hits"]
        self.assertEqual([x["rank"] for x in p], [4, 5, 6])
        self.assertEqual(self.keys(p), self.keys(self.all_hits("trade", sort="-date")[3:6]))

    # -- highlight, quotes, facets ----------------------------------------------------

    def test_highlight(self):
        for length in (16, 60, 100, 240, 10000):
            hl = {"pre": "[[", "post": "]]", "length": length}
            with self.subTest(length=length):
                for hit in self.all_hits("sanctions tankers", highlight=hl):
                    self.check_snippet(hit, "[[", "]]", length, ["sanctions", "tankers"])
                for hit in self.all_hits("trade", highlight=hl)[:20]:
                    self.check_snippet(hit, "[[", "]]", length, ["trade"])

    def test_default_highlight(self):
        hits = self.all_hits("soybeans")
        self.assertTrue(hits)
        for hit in hits:
            self.check_snippet(hit, "<b>", "</b>", 240, ["soybeans"])
        long = [x for x in self.all_hits("trade") if len(x["passage"]["text"].encode()) > 260]
        self.assertTrue(long, "some filler passage is longer than 240 bytes")
        for hit in long:
            self.assertIn("\u2026", hit["snippet"], "an ellipsis where text was left out")

    def check_snippet(self, hit, pre, post, length, qwords):
        sn, text = hit["snippet"], hit["passage"]["text"]
        what = f"{dm.hit_key(hit)} snippet {sn!r}"
        marked = re.findall(re.escape(pre) + "(.*?)" + re.escape(post), sn)
        if hit["matches"] and length >= 60:
            self.assertTrue(marked, f"{what}: no marker though the passage matched")
        for m in marked:
            self.assertTrue(dm.words_of(m), what)
            for w in dm.words_of(m):
                self.assertTrue(any(dm.stem_match(w, q) for q in qwords), f"{what}: {w!r}")
        plain = sn.replace(pre, "").replace(post, "")
        self.assertEqual(sn.count(pre), sn.count(post), what)
        # The bytes of text shown (the spaces next to an ellipsis aside).
        shown = plain.replace("\u2026", "").strip()
        self.assertLessEqual(len(shown.encode()), length, what)
        for piece in plain.split("\u2026"):
            self.assertIn(piece.strip(), text, f"{what}: not a piece of the passage")

    def test_highlight_markers_any_bytes(self):
        hl = {"pre": "\u00ab\u2192", "post": "\u2190\u00bb"}
        hit = self.search("lifeline", highlight=hl, filter={"doc": "news/soybeans.txt"})["hits"][0]
        self.assertIn("\u00ab\u2192lifeline\u2190\u00bb", hit["snippet"])

    def test_quotes_false(self):
        on = self.search("red line", filter={"doc": "news/beijing-tokyo.txt"})["hits"]
        self.assertTrue(on[0]["quotes"])
        off = self.search("red line", quotes=False,
                          filter={"doc": "news/beijing-tokyo.txt"})["hits"]
        self.assertEqual(self.keys(on), self.keys(off))
        for hit in off:
            self.assertFalse(hit.get("quotes"), f"quotes:false still gave {hit.get('quotes')}")

    def test_facets(self):
        r = self.search("soybeans", facets=True, limit=1)
        self.assertEqual(len(r["hits"]), 1)
        every = self.all_hits("soybeans")
        f = r.get("facets")
        self.assertIsInstance(f, dict, r)
        self.assertEqual({k.lower(): v for k, v in f["source"].items()},
                         dict(collections.Counter(x["doc"]["source"].lower() for x in every)),
                         "counts over the whole match set, not the page")
        self.assertEqual(f["year"], dict(collections.Counter(x["doc"]["date"][:4]
                                                             for x in every)))
        self.assertEqual(sum(f["year"].values()), r["total"]["estimate"])
        self.assertEqual(r["total"]["estimate"], len(every))
        self.assertFalse(self.search("soybeans").get("facets"), "only with facets:true")

    def test_facets_larger_set(self):
        r = self.search("trade", facets=True)
        every = self.all_hits("trade")
        self.assertEqual(sum(r["facets"]["year"].values()), len(every))
        self.assertEqual(sum(r["facets"]["source"].values()), len(every))
        self.assertEqual(r["facets"]["year"],
                         dict(collections.Counter(x["doc"]["date"][:4] for x in every)))
        for k, v in r["facets"]["year"].items():
            self.assertRegex(k, r"^\d{4}$")
            self.assertIsInstance(v, int)

    # -- the query syntax ------------------------------------------------------------

    def test_phrase(self):
        hits = self.all_hits('"red line"')
        self.assertEqual(self.keys(hits), [("news/beijing-tokyo.txt", 1)],
                         "the passage with the words apart does not match")
        text = hits[0]["passage"]["text"]
        self.assertIn("red line", [dm.byte_slice(text, s, e) for s, e in hits[0]["matches"]])
        both = sorted(self.keys(self.all_hits("red line")))
        self.assertEqual(both, [("news/beijing-tokyo.txt", 1), ("news/sanctions-eu.txt", 1)],
                         "without quotes the words may stand apart")

    def test_stemming(self):
        hits = self.all_hits("sanction")
        self.assertIn(("news/soybeans.txt", 2), self.keys(hits))
        self.assertIn(("news/sanctions-eu.txt", 2), self.keys(hits))
        hit = [x for x in hits if dm.hit_key(x) == ("news/soybeans.txt", 2)][0]
        text = hit["passage"]["text"]
        self.assertEqual([dm.byte_slice(text, s, e) for s, e in hit["matches"]], ["sanctions"])
        self.assertEqual(sorted(self.keys(self.all_hits("sanctions"))),
                         sorted(self.keys(hits)))

    def test_field_title(self):
        hits = self.all_hits("title:soybean")
        self.assertEqual(sorted(self.keys(hits)),
                         [("news/soybeans.txt", n) for n in range(3)],
                         "every passage of the document whose title has the word")
        self.assertEqual(self.all_hits("title:lifeline"), [])

    def test_field_quote(self):
        plain = sorted(self.keys(self.all_hits("lifeline")))
        self.assertEqual(plain, [("news/sanctions-eu.txt", 3), ("news/soybeans.txt", 1)])
        hits = self.all_hits("quote:lifeline")
        self.assertEqual(self.keys(hits), [("news/soybeans.txt", 1)],
                         "only the passage where the word is inside a quotation")
        self.assertEqual(self.keys(self.all_hits('quote:"red line"')),
                         [("news/beijing-tokyo.txt", 1)])

    def test_field_speaker(self):
        hits = self.all_hits("speaker:wang")
        self.assertEqual(self.keys(hits), [("news/beijing-tokyo.txt", 1)])
        self.assertEqual(self.keys(self.all_hits("speaker:jian")),
                         [("news/beijing-tokyo.txt", 2)])
        self.assertEqual(self.all_hits("speaker:takaichi"), [], "mentioned, never quoted")

    def test_field_source(self):
        hits = self.all_hits("farmers source:bloomberg")
        self.assertTrue(hits)
        self.assertEqual({x["doc"]["source"] for x in hits}, {"Bloomberg"})
        every = self.all_hits("farmers")
        self.assertGreater(len(every), len(hits), "Congress's speech has farmers too")
        self.assertEqual(len(self.all_hits("source:bloomberg")),
                         len(self.all_hits("", filter={"source": "Bloomberg"})))

    def test_date_range_in_query(self):
        hits = self.all_hits("2025-11-01..2025-11-30")
        self.assertEqual({x["doc"]["id"] for x in hits},
                         {"news/beijing-tokyo.txt", "news/soybeans.txt"})
        hits = self.all_hits("trade 2025-11-01..2025-11-30")
        self.assertEqual(sorted(self.keys(hits)),
                         [("news/beijing-tokyo.txt", 3), ("news/soybeans.txt", 0)])
        hits = self.all_hits("trade 2015..2016")
        self.assertTrue(hits)
        self.assertTrue(all("2015" <= x["doc"]["date"][:4] <= "2016" for x in hits))
        self.assertLess(len(hits), len(self.all_hits("trade")))

    def test_wildcard(self):
        hits = self.all_hits("soyb*")
        keys = self.keys(hits)
        for k in (("news/soybeans.txt", 0), ("news/soybeans.txt", 1),
                  ("speeches/1999-address.txt", 1)):
            self.assertIn(k, keys)
        for hit in hits:
            text = hit["passage"]["text"]
            for s, e in hit["matches"]:
                self.assertTrue(dm.byte_slice(text, s, e).lower().startswith("soyb"), hit)
        hit = [x for x in hits if dm.hit_key(x) == ("news/soybeans.txt", 0)][0]
        text = hit["passage"]["text"]
        self.assertIn("soybeans", [dm.byte_slice(text, s, e) for s, e in hit["matches"]])

    def test_boolean_not_or(self):
        soy = set(self.keys(self.all_hits("soybeans")))
        self.assertIn(("news/soybeans.txt", 1), soy, "the passage about Iowa")
        not_iowa = set(self.keys(self.all_hits("soybeans NOT iowa")))
        self.assertEqual(not_iowa, soy - {("news/soybeans.txt", 1)})
        self.assertEqual(set(self.keys(self.all_hits("soybeans -iowa"))), not_iowa)
        a = set(self.keys(self.all_hits("lifeline")))
        b = set(self.keys(self.all_hits("rebuked")))
        self.assertEqual(set(self.keys(self.all_hits("lifeline OR rebuked"))), a | b)
        self.assertEqual(self.all_hits("lifeline AND rebuked"), [])
        self.assertEqual(set(self.keys(self.all_hits("(lifeline OR rebuked) AND officials"))),
                         {k for k in a | b if "officials" in self.passage(*k)["text"].lower()})

    def test_spelling(self):
        r = self.search("soybaens")
        self.assertEqual(r["hits"], [])
        self.assertIn("spelling", r, "a suggestion for a misspelled word")
        self.assertIn("soybeans", r["spelling"])
        fixed = self.search(r["spelling"])
        self.assertTrue(fixed["hits"])
        r = self.search("soybeans")
        self.assertNotIn("spelling", r, "no suggestion for a word that matches plenty")


class SeedTest(SearchChecks, unittest.TestCase):
    """The seed article of the real corpus, indexed alone (as seed/...)."""

    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.tmp, cls.db = dm.seed_index(cls)
        cls.d = dm.start_daemon(cls, cls.db, tmp=cls.tmp)

    def setUp(self):
        self.c = dm.connect_live(self, self.d)

    def test_soybeans(self):
        r = self.search("soybeans")
        hit = r["hits"][0]
        self.assertEqual(hit["doc"]["id"], "seed/trump-xi-call.txt")
        self.assertIn("12 million metric tons", hit["passage"]["text"])
        text = hit["passage"]["text"]
        self.assertEqual({dm.byte_slice(text, s, e) for s, e in hit["matches"]}, {"soybeans"})
        self.assertIn("<b>soybeans</b>", hit["snippet"])

    def test_red_line(self):
        hit = self.search('"red line"')["hits"][0]
        text = hit["passage"]["text"]
        self.assertIn("crossed a red line that should not have been touched", text)
        wang = [q for q in hit["quotes"] if q["speaker"] == "Wang Yi"]
        self.assertTrue(wang, hit["quotes"])
        self.assertIn("red line", wang[0]["text"])
        self.assertIn("red line", [dm.byte_slice(text, s, e) for s, e in hit["matches"]])

    def test_speaker_lin_jian(self):
        hits = self.search("", filter={"speaker": "Lin Jian"}, limit=100)["hits"]
        self.assertTrue(hits)
        for hit in hits:
            self.assertIn("grossly violated", hit["passage"]["text"])
            self.assertIn("Lin Jian", [q["speaker"] for q in hit["quotes"]])

    def test_taiwan_arms_sale(self):
        hit = self.search("taiwan arms sale")["hits"][0]
        text = hit["passage"]["text"]
        self.assertIn("$330 million arms sale", text)
        self.assertIn("arms sale", [dm.byte_slice(text, s, e) for s, e in hit["matches"]])
        self.assertRegex(hit["snippet"], r"<b>(Taiwan|arms)")

    def test_get_whole_article(self):
        r = self.c.call({"op": "get", "doc": "seed/trump-xi-call.txt"})
        ps = r["passages"]
        self.assertEqual([p["n"] for p in ps], list(range(len(ps))))
        joined = " ".join(p["text"] for p in ps)
        for phrase in ("President Donald Trump and Chinese President Xi Jinping held a phone call",
                       "12 million metric tons", "grossly violated",
                       "interest in Ukraine peace talks."):
            self.assertIn(phrase, joined)


if __name__ == "__main__":
    unittest.main()
