"""Black-box tests of near-duplicate collapsing (docs/PROTOCOL.md, "collapse"):
three copies of a wire story that differ by a lead sentence, a byline and a
few words come back as one hit listing the other two, unless the request
says "collapse": false; the groups follow copies that are deleted, edited or
added; paging, totals and per_doc agree with collapsing; the client shows
"also in:" and takes --no-collapse.
"""
import os
import subprocess
import unittest

import daemon as dm
import harness as h

# The story, paragraph by paragraph (each well over 8 four-word shingles).
STORY = [
    "Engineers at the Lakeview reservoir opened two spillway gates on Thursday after "
    "three days of heavy rain pushed the water level to within a metre of the dam's crest, "
    "the regional water authority said in a statement issued late in the evening.",
    "Residents of four villages downstream were told to move livestock and vehicles to "
    "higher ground, and the county council opened its sports hall as a shelter for "
    "families who could not stay with relatives or neighbours overnight.",
    "The authority said the dam itself was sound and that the release of water was a "
    "precaution, but it warned that roads along the river valley could flood within hours "
    "and asked drivers to avoid the old bridge at Millford until Saturday.",
    "Forecasters expect the rain to ease on Friday afternoon, although a second band of "
    "showers moving in from the west could bring another forty millimetres to the hills "
    "above the reservoir before the weekend is over.",
]

# The same event in other words: one topic, no copy.
OTHER_TELLING = (
    "Heavy rain has filled the Lakeview reservoir almost to the top, so the water "
    "authority let some of it out through the spillway this week. Villagers living along "
    "the valley moved their animals and cars uphill as a precaution, and a shelter was "
    "set up in the sports hall, officials at the county council told reporters.")

DOCS = ("wire/a-reuters.txt", "wire/b-ap.txt", "wire/c-afp.txt")
TOPIC = "local/lakeview-feature.txt"


def copy_a():
    return ["By Anna Berg", STORY[0], STORY[1], STORY[2], STORY[3]]


def copy_b():
    """A lead sentence before the first paragraph, a few words changed."""
    lead = "Water managers took emergency action at a swollen reservoir on Thursday. "
    return ["By Tom Reyes, Associated Press",
            lead + STORY[0],
            STORY[1].replace("four villages", "several villages").replace("overnight", "tonight"),
            STORY[2].replace("was sound", "remained safe"),
            STORY[3].replace("forty", "fifty")]


def copy_c():
    """A lead paragraph of its own, other words changed."""
    return ["From our correspondent in Millford",
            "Anxious hours for the valley as the reservoir rises.",
            STORY[0].replace("on Thursday", "on Thursday morning"),
            STORY[1].replace("sports hall", "community hall"),
            STORY[2].replace("until Saturday", "for two days"),
            STORY[3]]


def text(title, paragraphs):
    """A file of the corpus (the title holds none of the words searched)."""
    return f"Title: {title}\nDate: 2025-03-06\nSource: Wire\n\n" + "\n\n".join(paragraphs) + "\n"


def key(hit):
    return (hit["doc"]["id"], hit["passage"]["n"])


class DuplicatesTest(unittest.TestCase):
    """Each test builds its own corpus and index (they change them)."""

    def setUp(self):
        dm.skip_without_daemon()
        self.tmp = h.tmp_for(self)
        self.corpus = os.path.join(self.tmp, "corpus")
        self.db = os.path.join(self.tmp, "db")
        self.d = None
        self.write(DOCS[0], copy_a())
        self.write(DOCS[1], copy_b())
        self.write(DOCS[2], copy_c())
        self.write(TOPIC, [OTHER_TELLING])
        for i in range(4):
            h.write(os.path.join(self.corpus, f"filler/f{i}.txt"),
                    f"Title: Filler {i}\n\n" + h.article(500 + i))

    def write(self, doc, paragraphs):
        h.write(os.path.join(self.corpus, doc), text("Wire story", paragraphs))

    def index(self, *extra):
        dm.build_index(self.corpus, self.db, *extra)
        if self.d is not None:  # a daemon of its own for each state of the index
            self.d.stop()
            self.d = None

    def search(self, q, **params):
        if self.d is None:
            self.d = dm.start_daemon(self, self.db, tcp=False, threads=1)
        with self.d.connect() as c:
            r = c.request(dict(dict(op="search", id="s", q=q, limit=50), **params))
        self.assertIs(r.get("ok"), True, r)
        return r

    def copies(self, q, extra=None, **params):
        """The hits of q that are passages of the three copies (or extra)."""
        return [x for x in self.search(q, **params)["hits"]
                if x["doc"]["id"] in DOCS or x["doc"]["id"] == extra]

    def assert_group(self, hits, members):
        """hits: one hit, a passage of one of members (doc ids), listing the
        passages of the others in its duplicates, sorted."""
        self.assertEqual(len(hits), 1, [key(x) for x in hits])
        hit = hits[0]
        self.assertIn(hit["doc"]["id"], members)
        dups = hit.get("duplicates")
        self.assertIsInstance(dups, list, hit)
        self.assertEqual(sorted(d["doc"] for d in dups),
                         sorted(m for m in members if m != hit["doc"]["id"]), dups)
        self.assertEqual(dups, sorted(dups, key=lambda d: (d["doc"], d["passage"])))
        for d in dups:
            self.assertEqual(set(d), {"doc", "passage"})
            self.assertIsInstance(d["passage"], int)
        self.assertNotIn("duplicates_total", hit)  # not capped
        return hit

    def test_copies_collapse(self):
        # Three writers: the copies land in databases written apart and
        # merged at the end, where they are compared.
        self.index("-j", "3")
        # "spillway" is in the first paragraph of every copy and in the
        # other telling of the story, which is no copy.
        r = self.search("spillway")
        hits = r["hits"]
        self.assertEqual(sorted(x["doc"]["id"] for x in hits), sorted([hits[0]["doc"]["id"],
                                                                       TOPIC]))
        self.assert_group([x for x in hits if x["doc"]["id"] in DOCS], DOCS)
        topic = [x for x in hits if x["doc"]["id"] == TOPIC][0]
        self.assertNotIn("duplicates", topic)
        self.assertEqual(r["total"], {"estimate": 2, "lower": 2, "upper": 2})
        # Each paragraph of the story: one hit, with the passage numbers of
        # the copies (the bylines and lead lines shift them).
        hit = self.assert_group(self.copies("forecasters"), DOCS)
        where = {hit["doc"]["id"]: hit["passage"]["n"]}
        where.update({d["doc"]: d["passage"] for d in hit["duplicates"]})
        self.assertEqual(where, {DOCS[0]: 4, DOCS[1]: 4, DOCS[2]: 5})
        self.assert_group(self.copies("livestock"), DOCS)
        self.assert_group(self.copies('"old bridge"'), DOCS)

    def test_no_collapse(self):
        self.index()
        hits = self.search("spillway", collapse=False)["hits"]
        self.assertEqual(sorted(x["doc"]["id"] for x in hits), sorted(DOCS + (TOPIC,)))
        for x in hits:
            self.assertNotIn("duplicates", x)
        self.assertEqual(self.search("spillway", collapse=True)["total"]["upper"], 2)

    def test_short_passages_never_group(self):
        # Bylines and lead lines are under 8 shingles: never copies, even
        # when they are the same words.
        self.write(DOCS[1], ["By Anna Berg"] + copy_b()[1:])
        self.index()
        hits = self.copies("Anna Berg")
        self.assertEqual(sorted(key(x) for x in hits), [(DOCS[0], 0), (DOCS[1], 0)])
        for x in hits:
            self.assertNotIn("duplicates", x)

    def test_bad_collapse_value(self):
        self.index()
        self.d = dm.start_daemon(self, self.db, tcp=False, threads=1)
        with self.d.connect() as c:
            for bad in ("yes", 1, None, [], {}):
                r = c.request({"id": 7, "op": "search", "q": "spillway", "collapse": bad})
                dm.assert_error(self, r, "bad_request", rid=7, what=f"collapse {bad!r}")
                self.assertIn("collapse", r["error"]["message"])
            r = c.request({"id": 8, "op": "search", "q": "spillway", "collapse": False})
            self.assertIs(r["ok"], True, r)
            self.assertEqual(len(r["hits"]), 4)

    def test_delete_copy(self):
        self.index()
        os.remove(os.path.join(self.corpus, DOCS[2]))
        self.index()
        self.assert_group(self.copies("livestock"), DOCS[:2])
        self.assert_group(self.copies("forecasters"), DOCS[:2])

    def test_delete_representative(self):
        self.index()
        # The group's id is its least passage: the first copy's.
        os.remove(os.path.join(self.corpus, DOCS[0]))
        self.index()
        hit = self.assert_group(self.copies("livestock"), DOCS[1:])
        self.assert_group(self.copies("forecasters"), DOCS[1:])
        # Collapsed on the new group: one hit, totals agree.
        self.assertEqual(self.search("livestock")["total"]["upper"], 1, hit)
        self.assertEqual(len(self.copies("livestock", collapse=False)), 2)
        # A new copy whose passages come before the remaining ones joins
        # them (their group no longer names the copy that went).
        late = "wire/a2-upi.txt"
        self.write(late, ["By Lee Chan, UPI"] + copy_a()[1:])
        self.index()
        members = DOCS[1:] + (late,)
        self.assert_group(self.copies("livestock", extra=late), members)
        self.assert_group(self.copies("forecasters", extra=late), members)

    def test_edited_copy_leaves(self):
        self.index()
        self.write(DOCS[1], ["By Tom Reyes, Associated Press",
                             "Livestock markets were quiet this week as buyers waited for "
                             "the spring sales, and prices for young cattle barely moved "
                             "from the levels of January, auctioneers in the county said."])
        self.index()
        hits = self.copies("livestock")
        self.assertEqual(len(hits), 2, [key(x) for x in hits])
        edited = [x for x in hits if x["doc"]["id"] == DOCS[1]]
        self.assertEqual(len(edited), 1)
        self.assertNotIn("duplicates", edited[0])
        self.assert_group([x for x in hits if x["doc"]["id"] != DOCS[1]], (DOCS[0], DOCS[2]))

    def test_copies_arrive_one_by_one(self):
        # Each run adds one copy to a live index (no merge of fresh lanes):
        # the groups are made as they come.
        for doc in DOCS:
            os.rename(os.path.join(self.corpus, doc), os.path.join(self.tmp, doc.replace("/", "_")))
        self.index("-j", "1")
        for doc in reversed(DOCS):
            os.rename(os.path.join(self.tmp, doc.replace("/", "_")), os.path.join(self.corpus, doc))
            self.index()
        self.assert_group(self.copies("livestock"), DOCS)
        self.assert_group(self.copies("forecasters"), DOCS)

    def test_copies_in_a_json_lines_feed(self):
        # A feed read record by record: its records join the groups as
        # lines come, change and go, like files do.
        import json
        for doc in DOCS[1:]:
            os.remove(os.path.join(self.corpus, doc))
        feed = os.path.join(self.corpus, "wire/feed.jsonl")

        def line(rid, paragraphs):
            return json.dumps({"id": rid, "title": "Wire story", "date": "2025-03-06",
                               "body": "\n\n".join(paragraphs)}) + "\n"
        h.write(feed, line("feed-ap", copy_b()))
        self.index()
        self.assert_group(self.copies("livestock", extra="feed-ap"), (DOCS[0], "feed-ap"))
        with open(feed, "a", encoding="utf-8") as f:  # appended: read alone
            f.write(line("feed-afp", copy_c()))
        self.index()
        both = (DOCS[0], "feed-ap", "feed-afp")
        hits = [x for x in self.search("forecasters")["hits"] if x["doc"]["id"] in both]
        self.assert_group(hits, both)
        h.write(feed, line("feed-afp", copy_c()))  # the first line deleted
        self.index()
        hits = [x for x in self.search("forecasters")["hits"] if x["doc"]["id"] in both]
        self.assert_group(hits, (DOCS[0], "feed-afp"))
        self.assertEqual(len([x for x in self.search("forecasters", collapse=False)["hits"]
                              if x["doc"]["id"] in both]), 2)

    def test_paging_and_totals(self):
        self.index()
        q = "reservoir OR livestock OR bridge OR forecasters OR spillway"
        whole = self.search(q, exact_total=True)
        keys = [key(x) for x in whole["hits"]]
        n = len(keys)
        self.assertEqual(whole["total"], {"estimate": n, "lower": n, "upper": n})
        # The four paragraphs of the story, each once, the other telling and
        # the third copy's lead line ("the reservoir rises").
        self.assertEqual(n, 6, keys)
        self.assertIn((DOCS[2], 1), keys)
        hidden = {(d["doc"], d["passage"]) for x in whole["hits"] for d in x.get("duplicates", [])}
        self.assertFalse(hidden & set(keys))
        self.assertEqual(len(self.search(q, collapse=False)["hits"]), 14)  # 3 x 4 + 2
        paged = []
        for off in range(n + 1):
            r = self.search(q, offset=off, limit=1)
            self.assertEqual(r["total"], whole["total"], (off, r["total"], whole["total"]))
            paged += [key(x) for x in r["hits"]]
            self.assertEqual([x["rank"] for x in r["hits"]], [off + 1] if off < n else [])
        self.assertEqual(paged, keys)

    def test_per_doc(self):
        self.index()
        q = "reservoir OR livestock OR bridge OR forecasters OR spillway"
        collapsed = [key(x) for x in self.search(q)["hits"]]
        for per_doc in (1, 2):
            whole = self.search(q, per_doc=per_doc)
            keys = [key(x) for x in whole["hits"]]
            # The rule (docs/PROTOCOL.md): the collapsed ranking, with a
            # document's passages past the per_doc-th left out.
            want, seen = [], {}
            for k in collapsed:
                seen[k[0]] = seen.get(k[0], 0) + 1
                if seen[k[0]] <= per_doc:
                    want.append(k)
            self.assertEqual(keys, want, per_doc)
            hidden = {(d["doc"], d["passage"])
                      for x in whole["hits"] for d in x.get("duplicates", [])}
            self.assertFalse(hidden & set(keys))
            n = len(keys)
            self.assertEqual(whole["total"], {"estimate": n, "lower": n, "upper": n})
            paged = []
            for off in range(n + 1):
                r = self.search(q, per_doc=per_doc, offset=off, limit=1)
                self.assertEqual(r["total"], whole["total"], off)
                self.assertEqual([x["rank"] for x in r["hits"]], [off + 1] if off < n else [])
                paged += [key(x) for x in r["hits"]]
            self.assertEqual(paged, keys)
        self.assertEqual(len(self.search(q, per_doc=1)["hits"]), 4)  # a, b, c, the other
        # Without collapse, per_doc alone: every document once.
        plain = self.search(q, per_doc=1, collapse=False)["hits"]
        self.assertEqual(sorted(x["doc"]["id"] for x in plain), sorted(DOCS + (TOPIC,)))
        for x in plain:
            self.assertNotIn("duplicates", x)

    def test_client(self):
        self.index()
        self.d = dm.start_daemon(self, self.db, tcp=False, threads=1)
        cmd = [h.bin_path("attache"), "-s", self.d.sock_path, "--color", "never", "--width", "200"]
        p = subprocess.run(cmd + ["forecasters"], capture_output=True, text=True,
                           timeout=h.scaled(30))
        self.assertEqual(p.returncode, 0, p.stderr)
        also = [ln.strip() for ln in p.stdout.splitlines() if "also in:" in ln]
        self.assertEqual(len(also), 1, p.stdout)
        listed = also[0][len("also in: "):].split(", ")
        self.assertEqual(len(listed), 2, also)
        for item in listed:
            doc, _, n = item.rpartition("#")
            self.assertIn(doc, DOCS)
            self.assertTrue(n.isdigit(), item)
        p = subprocess.run(cmd + ["--no-collapse", "forecasters"], capture_output=True,
                           text=True, timeout=h.scaled(30))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("also in:", p.stdout)
        for doc in DOCS:
            self.assertIn(doc, p.stdout)


if __name__ == "__main__":
    unittest.main()
