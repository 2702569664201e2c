"""Black-box tests of the relevance set (bench/relevance): its judgements
hold on the real corpus, the tune/test split is the fixed rule of RULES.md
and holds every kind in both halves, and evaluate.py runs end to end on a
small index, attache and the BM25 baseline, and reports both halves.
"""
import hashlib
import json
import os
import subprocess
import sys
import unittest

import daemon as dm
import harness as h

REL = os.path.join(h.REPO, "bench", "relevance")
sys.path.insert(0, REL)
import relset  # noqa: E402

QUERIES = os.path.join(REL, "queries.jsonl")


def read_queries(path=QUERIES):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def run_script(name, *args, timeout=120):
    return subprocess.run([sys.executable, os.path.join(REL, name)] + list(args),
                          capture_output=True, text=True, timeout=h.scaled(timeout),
                          stdin=subprocess.DEVNULL)


class SplitTest(unittest.TestCase):
    """The split is a fixed function of the id (RULES.md, section 5)."""

    def test_known_ids_land_in_fixed_halves(self):
        self.assertEqual(relset.half("q01"), "tune")
        self.assertEqual(relset.half("q02"), "test")
        self.assertEqual(relset.half("q52"), "test")
        self.assertEqual(relset.half("q207"), "test")
        self.assertEqual(relset.half("q53"), "tune")

    def test_rule_is_the_parity_of_sha256(self):
        for i in range(1, 400):
            qid = "q%02d" % i
            even = int(hashlib.sha256(qid.encode()).hexdigest(), 16) % 2 == 0
            self.assertEqual(relset.half(qid), "test" if even else "tune", qid)

    def test_both_halves_hold_every_kind(self):
        seen = {}
        for q in read_queries():
            self.assertIn(q["kind"], relset.KINDS, q["id"])
            seen.setdefault(q["kind"], set()).add(relset.half(q["id"]))
        for kind in relset.KINDS:
            self.assertEqual(seen.get(kind), {"tune", "test"}, kind)

    def test_first_set_is_kept(self):
        ids = [q["id"] for q in read_queries()]
        self.assertEqual(ids[:51], ["q%02d" % i for i in range(1, 52)])
        self.assertEqual(len(ids), len(set(ids)))
        self.assertGreaterEqual(len(ids), 200)


class CheckQueriesTest(unittest.TestCase):
    """check_queries.py on the set and the real corpus."""

    def test_set_passes_on_the_corpus(self):
        corpus = h.corpus_dir()
        if corpus is None or not os.path.isdir(os.path.join(corpus, "sotu")):
            self.skipTest(h.NO_CORPUS)
        p = run_script("check_queries.py", "--corpus", corpus)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("all good", p.stdout)

    def test_a_broken_judgement_is_reported(self):
        tmp = h.tmp_for(self)
        os.makedirs(os.path.join(tmp, "c", "seed"))
        os.makedirs(os.path.join(tmp, "c", "sotu"))
        h.write(os.path.join(tmp, "c", "seed", "a.txt"),
                "The walrus sang loudly at the harbour gate.\n")
        bad = os.path.join(tmp, "q.jsonl")
        h.write(bad, json.dumps({"id": "q60", "q": "walrus harbour sang", "kind": "paraphrase",
                                 "doc": "seed/a.txt", "phrase": "The walrus sang loudly",
                                 "note": "shares three words"}) + "\n")
        p = run_script("check_queries.py", "--corpus", os.path.join(tmp, "c"), "--queries", bad)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("paraphrase shares 3 content words", p.stdout)


DOCS = {
    "alpha.txt": "The walrus colony at the northern harbour grew to four hundred animals "
                 "this winter, the wardens said.\n\nFerries now leave the quay at noon.\n",
    "beta.txt": "Parliament approved the budget for schools and hospitals on Tuesday "
                "after a long night of votes.\n\nThe minister thanked the clerks.\n",
}
SMALL_SET = [
    {"id": "q01", "q": "walrus colony harbour", "kind": "exact", "doc": "alpha.txt",
     "phrase": "The walrus colony at the northern harbour", "note": "tune half"},
    {"id": "q02", "q": "budget schools hospitals", "kind": "exact", "doc": "beta.txt",
     "phrase": "approved the budget for schools and hospitals", "note": "test half"},
    {"id": "q52", "q": "lawmakers pass spending plan", "kind": "paraphrase", "doc": "beta.txt",
     "phrase": "approved the budget for schools and hospitals", "note": "test half"},
]


class EvaluateTest(unittest.TestCase):
    """evaluate.py against a daemon on a two-document index, with the
    BM25 baseline."""

    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.bm25 = os.path.join(h.build_dir(), "bench", "bm25_floor")
        if not os.path.exists(cls.bm25):
            raise unittest.SkipTest(f"{cls.bm25} not built (make check-build)")
        tmp = h.tmp_for(cls)
        corpus = os.path.join(tmp, "corpus")
        os.makedirs(corpus)
        for name, text in DOCS.items():
            h.write(os.path.join(corpus, name), text)
        cls.db = os.path.join(tmp, "db")
        p = h.run_indexer("-d", cls.db, corpus)
        if p.returncode != 0:
            raise AssertionError(f"attache-index failed: {p.stderr}")
        cls.queries = os.path.join(tmp, "q.jsonl")
        h.write(cls.queries, "".join(json.dumps(q) + "\n" for q in SMALL_SET))
        cls.d = dm.start_daemon(cls, cls.db)

    def evaluate(self, *args):
        dm.check_alive(self, self.d)
        return run_script("evaluate.py", "--socket", self.d.sock_path, "--queries", self.queries,
                          "--baseline", "--db", self.db, "--bm25", self.bm25, *args)

    def test_table_has_both_halves_and_the_baseline(self):
        p = self.evaluate()
        self.assertEqual(p.returncode, 0, p.stderr)
        for head in ("tune half", "test half", "all queries", "BM25 MRR"):
            self.assertIn(head, p.stdout)

    def test_json_figures_per_half(self):
        p = self.evaluate("--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual(sorted(out["halves"]), ["all", "test", "tune"])
        self.assertEqual(out["halves"]["tune"]["total"]["queries"], 1)
        self.assertEqual(out["halves"]["test"]["total"]["queries"], 2)
        self.assertEqual(out["ranks"]["q01"], 1)
        self.assertEqual(out["ranks"]["q02"], 1)
        self.assertEqual(out["bm25"]["ranks"]["q01"], 1)
        self.assertEqual(out["bm25"]["ranks"]["q02"], 1)
        self.assertIsNone(out["bm25"]["ranks"]["q52"])
        self.assertEqual(out["bm25"]["halves"]["tune"]["by_kind"]["exact"]["mrr@10"], 1.0)

    def test_half_restricts_the_queries(self):
        p = self.evaluate("--json", "--half", "tune")
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual(sorted(out["ranks"]), ["q01"])
        self.assertEqual(sorted(out["halves"]), ["tune"])

    def test_baseline_needs_the_index(self):
        p = run_script("evaluate.py", "--socket", self.d.sock_path, "--queries", self.queries,
                       "--baseline")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--db", p.stderr)


if __name__ == "__main__":
    unittest.main()
