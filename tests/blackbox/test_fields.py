"""Black-box tests of a search's "fields" (docs/PROTOCOL.md): each hit holds
exactly the members named, with the values the same search gives without
"fields"; "doc" and "passage" name whole objects; quotes and explain are
computed when named whatever "quotes" and "explain" say; "duplicates" is on
every hit; bad lists are bad_request and the connection goes on; the rest
of the response does not change. Then the client: a search for a person
asks only for what it prints (and prints the same as from whole hits),
--json asks for everything, --fields LIST passes the names through.

The corpus is test_client's (the hand-made news, accents, missing header
parts) with test_duplicates' wire copies, a story with more copies than a
hit lists, and a report with an author, a language and a further field.
"""
import json
import os
import re
import unittest

import daemon as dm
import harness as h
import test_client as tc
import test_duplicates as td

FIELD_NAMES = ("rank", "score", "doc.id", "doc.title", "doc.date", "doc.source", "doc.url",
               "doc.author", "doc.language", "doc.fields", "passage.n", "passage.start",
               "passage.end", "passage.text", "passage.actors", "snippet", "matches",
               "quotes", "explain", "duplicates")

# Hits of every kind: quotations (grossly), actors (taiwan), copies
# (livestock), an author, a language and further fields (dockers), no
# duplicate (soybeans).
Q = "grossly OR taiwan OR livestock OR dockers OR soybeans"
COPY_Q = "livestock"            # the wire copies: one hit, "also in" the two others
MANY_Q = "uphill"               # a story with more copies than a hit lists
MANY_COPIES = 24
STRIKE_ID = "misc/labelled/strike.txt"

STRIKE = ("Title: Dockers strike at the harbour of Valparaiso\nAuthor: Marta Quiroga\n"
          "Language: fr\nDate: 2025-02-03\nSource: AFP\n\n"
          "Les dockers du port de Valparaiso ont cess\u00e9 le travail lundi. "
          "\u00ab Nous voulons des salaires justes \u00bb, a d\u00e9clar\u00e9 un syndicaliste "
          "devant le quai.\n")


def write_fields_corpus(root):
    tc.write_client_corpus(root)
    for doc, paras in zip(td.DOCS, (td.copy_a(), td.copy_b(), td.copy_c())):
        h.write(os.path.join(root, doc), td.text("Wire story", paras))
    for i in range(MANY_COPIES):
        h.write(os.path.join(root, f"wire/many/m{i:02d}.txt"),
                td.text("Wire story", [f"By reporter number {i}", td.OTHER_TELLING]))
    h.write(os.path.join(root, STRIKE_ID), STRIKE)
    h.write(os.path.join(root, "misc/labelled/attache-meta.jsonl"),
            json.dumps({"file": "strike.txt", "desk": "ports", "edition": "late"}) + "\n")
    return root


def member(hit, name):
    """The value name gives in a whole hit: hit[name], hit["doc"][x] for
    "doc.x", hit["passage"][x] for "passage.x"."""
    if "." in name:
        outer, inner = name.split(".", 1)
        return hit[outer][inner]
    return hit[name]


def without_took(resp):
    return {k: v for k, v in resp.items() if k != "took_us"}


class FieldsCase(tc.ClientCase):
    """A daemon (and test_client's recording proxy) on the corpus above."""

    @classmethod
    def setUpClass(cls):
        tc.skip_without_programs()
        cls.tmp = h.tmp_for(cls)
        cls.corpus = write_fields_corpus(os.path.join(cls.tmp, "corpus"))
        cls.db = dm.build_index(cls.corpus, os.path.join(cls.tmp, "db"))
        cls.port6 = None
        cls.d = dm.start_daemon(cls, cls.db, tmp=cls.tmp)
        cls.proxy = tc.Proxy(cls.tmp, cls.d.sock_path)
        cls.addClassCleanup(cls.proxy.stop)

    def search_line(self, **params):
        """A search's response line (bytes) and the response."""
        req = dict(op="search", id=self.id()[-20:], **params)
        self.c.send(req)
        line = self.c.recv_line()
        self.assertIsNotNone(line, f"no response to {req}")
        resp = json.loads(line)
        self.assertIs(resp.get("ok"), True, f"{req}: {resp}")
        return line, resp


# ---------------------------------------------------------------------------
# The protocol


class ProtocolTest(FieldsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.d.connect() as c:
            cls.whole = c.call({"op": "search", "q": Q, "limit": 50})
            cls.explained = c.call({"op": "search", "q": Q, "limit": 50, "explain": True})

    def test_the_query_has_every_kind_of_hit(self):
        """The comparisons below mean something: the hits have quotations,
        actors, copies, an author, a language and further fields."""
        hits = self.whole["hits"]
        self.assertTrue(any(x["quotes"] for x in hits), "a hit with quotations")
        self.assertTrue(any(x["passage"]["actors"] for x in hits), "a hit with actors")
        self.assertTrue(any(x.get("duplicates") for x in hits), "a hit with copies")
        self.assertTrue(any("duplicates" not in x for x in hits), "a hit without copies")
        strike = [x for x in hits if x["doc"]["id"] == STRIKE_ID]
        self.assertTrue(strike, "the report with an author")
        self.assertEqual((strike[0]["doc"]["author"], strike[0]["doc"]["language"],
                          strike[0]["doc"]["fields"]),
                         ("Marta Quiroga", "fr", {"desk": "ports", "edition": "late"}))

    def test_each_field_alone(self):
        whole = self.whole
        for name in FIELD_NAMES:
            with self.subTest(field=name):
                r = self.c.call({"op": "search", "q": Q, "limit": 50, "fields": [name]})
                self.assertEqual(without_took(dict(r, hits=None, id=None)),
                                 without_took(dict(whole, hits=None, id=None)),
                                 "the response's other members do not change")
                self.assertEqual(len(r["hits"]), len(whole["hits"]))
                base = self.explained if name == "explain" else whole
                for got, full in zip(r["hits"], base["hits"]):
                    if name == "duplicates":
                        self.assertEqual(got, {"duplicates": full.get("duplicates", [])})
                    elif "." in name:
                        outer, inner = name.split(".", 1)
                        self.assertEqual(got, {outer: {inner: member(full, name)}})
                    else:
                        self.assertEqual(got, {name: full[name]})

    def test_doc_and_passage_are_whole_objects(self):
        for names, keys in ((["doc"], ("doc",)), (["passage"], ("passage",)),
                            (["doc", "doc.title"], ("doc",)),
                            (["passage.n", "passage", "rank"], ("passage", "rank")),
                            (["doc", "passage", "snippet"], ("doc", "passage", "snippet"))):
            with self.subTest(fields=names):
                r = self.c.call({"op": "search", "q": Q, "limit": 50, "fields": names})
                want = [{k: x[k] for k in keys} for x in self.whole["hits"]]
                self.assertEqual(r["hits"], want)

    def test_some_members_of_doc(self):
        r = self.c.call({"op": "search", "q": Q, "limit": 50,
                         "fields": ["doc.title", "snippet", "doc.author", "passage.n"]})
        want = [{"doc": {"title": x["doc"]["title"], "author": x["doc"]["author"]},
                 "passage": {"n": x["passage"]["n"]}, "snippet": x["snippet"]}
                for x in self.whole["hits"]]
        self.assertEqual(r["hits"], want)

    def test_no_fields_gives_empty_hits(self):
        r = self.c.call({"op": "search", "q": Q, "limit": 50, "fields": []})
        self.assertEqual(r["hits"], [{}] * len(self.whole["hits"]))
        self.assertEqual(r["total"], self.whole["total"])

    def test_bad_lists(self):
        cases = ((["title"], '"title"'), (["doc.title", "Rank"], '"Rank"'),
                 (["doc.nope"], '"doc.nope"'), ([""], '""'), ([3], "non-string"),
                 ([None], "non-string"), (["rank", ["snippet"]], "non-string"),
                 ("doc.title", "array"), ({"doc.title": True}, "array"), (None, "array"),
                 (7, "array"), (["rank"] * 33, "32"),
                 (list(FIELD_NAMES) + ["doc", "passage"] + ["rank"] * 11, "32"))
        for i, (fields, says) in enumerate(cases):
            with self.subTest(fields=fields):
                r = self.c.request({"id": ["bad", i], "op": "search", "q": Q,
                                    "fields": fields})
                dm.assert_error(self, r, "bad_request", ["bad", i], f"fields {fields!r}")
                self.assertIn(says, r["error"]["message"])
                self.assertIn("field", r["error"]["message"])
                ok = self.c.call({"id": i, "op": "search", "q": Q, "fields": ["rank"]})
                self.assertEqual([x["rank"] for x in ok["hits"]],
                                 [x["rank"] for x in self.whole["hits"][:10]],
                                 "the connection goes on serving")

    def test_32_names(self):
        names = list(FIELD_NAMES) + ["doc", "passage"] + ["rank"] * 10
        self.assertEqual(len(names), 32)
        r = self.c.call({"op": "search", "q": Q, "limit": 50, "fields": names})
        self.assertEqual(r["hits"], [dict(x, duplicates=x.get("duplicates", []))
                                     for x in self.explained["hits"]],
                         "every member, explain and duplicates included")

    def test_quotes_named_over_quotes_false(self):
        r = self.c.call({"op": "search", "q": Q, "limit": 50, "quotes": False,
                         "fields": ["quotes", "rank"]})
        self.assertEqual(r["hits"], [{"rank": x["rank"], "quotes": x["quotes"]}
                                     for x in self.whole["hits"]])
        plain = self.c.call({"op": "search", "q": Q, "limit": 50, "quotes": False})
        self.assertTrue(all("quotes" not in x for x in plain["hits"]),
                        "without fields, quotes: false leaves them out")
        r = self.c.call({"op": "search", "q": Q, "limit": 50, "quotes": True,
                         "fields": ["rank"]})
        self.assertEqual(r["hits"], [{"rank": x["rank"]} for x in self.whole["hits"]],
                         "quotes not named: not there, whatever quotes says")

    def test_explain_named_without_explain_true(self):
        for extra in ({}, {"explain": False}):
            with self.subTest(extra=extra):
                r = self.c.call(dict({"op": "search", "q": Q, "limit": 50,
                                      "fields": ["explain", "score"]}, **extra))
                self.assertEqual(r["hits"], [{"score": x["score"], "explain": x["explain"]}
                                             for x in self.explained["hits"]])
        r = self.c.call({"op": "search", "q": Q, "limit": 50, "explain": True,
                         "fields": ["score"]})
        self.assertEqual(r["hits"], [{"score": x["score"]} for x in self.whole["hits"]],
                         "explain not named: not there, whatever explain says")

    def test_duplicates_on_every_hit(self):
        r = self.c.call({"op": "search", "q": f"{COPY_Q} OR soybeans", "limit": 50,
                         "fields": ["doc.id", "duplicates"]})
        self.assertTrue(r["hits"])
        with_copies = [x for x in r["hits"] if x["duplicates"]]
        self.assertEqual(len(with_copies), 1, r["hits"])
        self.assertEqual(sorted(d["doc"] for d in with_copies[0]["duplicates"]),
                         sorted(set(td.DOCS) - {with_copies[0]["doc"]["id"]}))
        for x in r["hits"]:
            self.assertEqual(set(x), {"doc", "duplicates"}, x)
        flat = self.c.call({"op": "search", "q": COPY_Q, "collapse": False,
                            "fields": ["duplicates"]})
        self.assertEqual(flat["hits"], [{"duplicates": []}] * 3,
                         "collapse: false: each copy is a hit, with no copies")

    def test_duplicates_total_when_some_are_listed(self):
        whole = self.c.call({"op": "search", "q": MANY_Q})
        top = whole["hits"][0]
        self.assertEqual(top["duplicates_total"], MANY_COPIES - 1, top)
        self.assertLess(len(top["duplicates"]), MANY_COPIES - 1)
        r = self.c.call({"op": "search", "q": MANY_Q, "fields": ["duplicates"]})
        self.assertEqual(r["hits"][0], {"duplicates": top["duplicates"],
                                        "duplicates_total": MANY_COPIES - 1})

    def test_other_members_unchanged(self):
        """total, revision, relaxed, facets, spelling: as without fields."""
        for params in ({"q": Q, "facets": True}, {"q": "soybaens"},
                       {"q": "grossly soybeans tariff"},
                       {"q": dm.BIG_QUERY, "limit": 3, "offset": 5, "sort": "-date"}):
            with self.subTest(params=params):
                whole = self.c.call(dict(op="search", **params))
                r = self.c.call(dict(op="search", fields=["rank"], **params))
                self.assertEqual(without_took(dict(r, hits=None, id=None)),
                                 without_took(dict(whole, hits=None, id=None)))
                self.assertEqual(r["hits"], [{"rank": x["rank"]} for x in whole["hits"]])

    def test_titles_and_snippets_cost_less_than_half(self):
        whole, _ = self.search_line(q=dm.BIG_QUERY, limit=50)
        small, resp = self.search_line(q=dm.BIG_QUERY, limit=50,
                                       fields=["doc.title", "snippet"])
        self.assertGreaterEqual(len(resp["hits"]), 20)
        self.assertLess(len(small), len(whole) / 2, f"{len(small)} vs {len(whole)} bytes")

    def test_through_the_clients_raw_mode(self):
        reqs = [{"id": 1, "op": "search", "q": Q, "fields": ["doc.title", "snippet"]},
                {"id": 2, "op": "search", "q": Q, "fields": "snippet"},
                {"id": 3, "op": "search", "q": Q, "fields": []}]
        p = self.run_client("raw", stdin=b"".join(json.dumps(r).encode() + b"\n"
                                                  for r in reqs))
        self.assertEqual(p.rc, tc.EXIT_ERR, f"one response is an error\n{p}")
        got = [json.loads(x) for x in p.out.splitlines()]
        relayed = [req for req, _ in self.exchanges()]
        self.assertEqual(relayed, reqs, "the lines reach the daemon as they are")
        self.assertEqual(without_took(got[0]), without_took(self.c.call(reqs[0])))
        dm.assert_error(self, got[1], "bad_request", 2)
        self.assertEqual(got[2]["hits"], [{}] * 10)


# ---------------------------------------------------------------------------
# The client


HUMAN = ["rank", "doc.id", "doc.title", "doc.date", "doc.source", "doc.author",
         "doc.language", "passage.n", "passage.actors", "quotes", "duplicates"]


def human_fields(full=False, explain=False):
    """What a search for a person asks for, in the order it is sent."""
    names = HUMAN + (["passage.text", "matches"] if full else ["snippet"]) + \
        (["score", "explain"] if explain else [])
    return sorted(names, key=FIELD_NAMES.index)


class ClientTest(FieldsCase):
    def full_answer(self, r):
        """For the fake daemon: the whole hits of the request r."""
        whole = {k: v for k, v in r.items() if k != "fields"}
        return dict(self.c.call(whole), id=r.get("id"))

    def test_human_asks_only_for_what_it_prints(self):
        """The output from the members asked for is the output from whole
        hits (a fake daemon answers the same search without fields)."""
        opts_list = ([], ["--full"], ["--explain"], ["--full", "--explain"],
                     ["--color", "always"], ["--no-collapse"], ["--width", "50"],
                     ["--quotes-only"], ["-n", "30", "--per-doc", "1"])
        for q in (Q, "grossly", COPY_Q, MANY_Q, "kaffeeklatsch", "walruses", "soybaens"):
            for opts in opts_list:
                with self.subTest(q=q, opts=opts):
                    args = ["--color", "never", "--width", "80"] + opts + [q]
                    p = self.run_client(*args)
                    req, line, resp = self.exchange(p)
                    self.assertEqual(req["fields"], human_fields("--full" in opts,
                                                                 "--explain" in opts))
                    srv = tc.FakeServer(self.tmp, tc.answer_with(self.full_answer))
                    self.addCleanup(srv.stop)
                    whole = tc.run_client(srv.args + args)
                    self.assertEqual(tc.TOOK.sub("", p.out), tc.TOOK.sub("", whole.out),
                                     f"with fields:\n{p}\nwith whole hits:\n{whole}")
                    self.assertEqual(p.rc, whole.rc)
                    srv.stop()

    def test_human_output_checks(self):
        """The output still holds what test_client checks, against the
        response the client received."""
        for args, full in ((["grossly"], False), (["--full", "taiwan"], True),
                           (["-n", "5", dm.BIG_QUERY], False)):
            with self.subTest(args=args):
                self.human("--color", "never", *args, full=full)

    def test_json_asks_for_whole_hits(self):
        p = self.run_client("--json", "--explain", "--full", Q)
        req, line, resp = self.exchange(p)
        self.assertNotIn("fields", req)
        self.assertEqual(p.raw, line + b"\n")
        self.assertIn("text", resp["hits"][0]["passage"])

    def test_fields_option_with_json(self):
        p = self.run_client("--json", "--fields", "doc.title,snippet", Q)
        req, line, resp = self.exchange(p)
        self.assertEqual(req["fields"], ["doc.title", "snippet"])
        self.assertEqual((p.rc, p.raw), (tc.EXIT_OK, line + b"\n"), str(p))
        self.assertTrue(resp["hits"])
        self.assertTrue(all(set(x) == {"doc", "snippet"} and set(x["doc"]) == {"title"}
                            for x in resp["hits"]), resp["hits"])

    def test_fields_option_passes_names_as_given(self):
        for value, sent in (("doc,rank", ["doc", "rank"]), ("rank", ["rank"]),
                            ("passage.n,passage.n", ["passage.n", "passage.n"]),
                            ("", []), ("quotes,explain", ["quotes", "explain"])):
            with self.subTest(value=value):
                p = self.run_client("--json", f"--fields={value}", Q)
                req, line, resp = self.exchange(p)
                self.assertEqual(req["fields"], sent)
                self.assertEqual((p.rc, p.raw), (tc.EXIT_OK, line + b"\n"), str(p))
        for value, sent, says in (("title", ["title"], '"title"'),
                                  ("rank,,snippet", ["rank", "", "snippet"], '""'),
                                  ("rank,", ["rank", ""], '""'),
                                  (",".join(["rank"] * 33), ["rank"] * 33, "32")):
            with self.subTest(value=value):
                p = self.run_client("--json", "--fields", value, Q)
                req, line, resp = self.exchange(p)
                self.assertEqual(req["fields"], sent, "not checked by the client")
                self.assertEqual((p.rc, p.raw), (tc.EXIT_ERR, line + b"\n"), str(p))
                self.assertEqual(dm.error_code(resp), "bad_request")
                self.assertIn(says, resp["error"]["message"])
                p = self.run_client("--fields", value, Q)
                self.assertEqual(self.exchange(p)[0]["fields"], sent)
                msg = self.assert_failed(p, "bad_request")
                self.assertIn(says, msg)

    def test_fields_option_for_a_person(self):
        """--fields overrides what a person's search asks for: what is not
        asked for is not shown."""
        p = self.run_client("--color", "never", "--fields", "rank,doc.title,snippet",
                            "--explain", "grossly")
        req, line, resp = self.exchange(p)
        self.assertEqual(req["fields"], ["rank", "doc.title", "snippet"])
        self.assertEqual(p.rc, tc.EXIT_OK, str(p))
        hit = resp["hits"][0]
        self.assertEqual(set(hit), {"rank", "doc", "snippet"})
        self.assertIn(hit["doc"]["title"], p.out)
        self.assertIn(tc.norm(hit["snippet"].replace("\x01", tc.PRE).replace("\x02", tc.POST)),
                      tc.norm(p.out))
        self.assertNotIn("\u201c", p.out, "no quotation asked for, none shown")
        self.assertNotIn("explain:", p.out)
        self.assertNotIn("news/", p.out, "no document id asked for")

    def test_fields_option_leaves_get_alone(self):
        p = self.run_client("--json", "--fields", "rank", "get", "news/soybeans.txt")
        req, line, resp = self.exchange(p)
        self.assertEqual(req, {"id": 1, "op": "get", "doc": "news/soybeans.txt"})
        self.assertEqual(p.rc, tc.EXIT_OK, str(p))

    def test_fields_completion(self):
        tc.CompletionTest.setUpClass()  # skips without bash
        probe = tc.CompletionTest("test_registered")
        self.assertIn("--fields", probe.complete("attache --fi"))
        self.assertEqual(probe.complete("attache --fields doc.t"), {"doc.title"})
        self.assertEqual(probe.complete("attache --fields rank,passage."),
                         {"rank," + n for n in FIELD_NAMES + ("passage",)
                          if n.startswith("passage.")})
        self.assertEqual(probe.complete("attache --fields=rank,sn"), {"rank,snippet"})
        self.assertTrue(set(FIELD_NAMES) <= probe.complete("attache --fields "))
        self.assertEqual(probe.complete("attache --fields doc st"), {"stats"},
                         "the list is the option's value, not the query's first word")


if __name__ == "__main__":
    unittest.main()
