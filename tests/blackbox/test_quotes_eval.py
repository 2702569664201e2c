"""Black-box tests of bench/quotes/evaluate.py, the speaker-attribution
benchmark, run on the documents written for it (bench/quotes/docs) with
the programs under test: it indexes them, asks attached for their
quotations, and its counts add up. The figures must stay above a floor a
little under those measured (bench/quotes/README.md), so that a change
that makes the attribution worse fails here.
"""
import json
import os
import subprocess
import sys
import unittest

import daemon as dm
import harness as h

QUOTES = os.path.join(h.REPO, "bench", "quotes")
SCRIPT = os.path.join(QUOTES, "evaluate.py")
LABELS = os.path.join(QUOTES, "labels.jsonl")
# A little under the figures on bench/quotes/docs (README.md, "After").
FLOOR = {"precision": 0.97, "recall": 0.95, "null_accuracy": 0.95}
COUNTS = ("labels", "matched", "unmatched", "speaker_labels", "null_labels", "predictions",
          "correct", "wrong", "missed", "null_ok", "wrong_part_of_name")


def run_eval(*args, timeout=300):
    return subprocess.run(
        [sys.executable, SCRIPT, "--bin", os.path.dirname(h.bin_path("attached")),
         "--timeout", str(h.scaled(30))] + list(args),
        capture_output=True, text=True, timeout=h.scaled(timeout), stdin=subprocess.DEVNULL)


def read_labels(path=LABELS):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


class QuotesEvalTest(unittest.TestCase):
    """One run of the benchmark on bench/quotes/docs, checked for shape."""

    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.p = run_eval("--docs-only", "--json")
        cls.out = None
        if cls.p.returncode == 0:
            cls.out = json.loads(cls.p.stdout)

    def setUp(self):
        self.assertEqual(self.p.returncode, 0, self.p.stderr)
        self.assertIsNotNone(self.out)

    def check_figures(self, f, what):
        for key in COUNTS:
            self.assertIsInstance(f[key], int, (what, key))
            self.assertGreaterEqual(f[key], 0, (what, key))
        self.assertEqual(f["matched"] + f["unmatched"], f["labels"], what)
        self.assertEqual(f["speaker_labels"] + f["null_labels"], f["labels"], what)
        self.assertLessEqual(f["correct"] + f["missed"], f["speaker_labels"], what)
        self.assertEqual(f["correct"] + f["wrong"], f["predictions"], what)
        self.assertLessEqual(f["null_ok"], f["null_labels"], what)
        for key in ("precision", "recall", "null_accuracy"):
            if f[key] is not None:
                self.assertGreaterEqual(f[key], 0.0, (what, key))
                self.assertLessEqual(f[key], 1.0, (what, key))
        if f["predictions"]:
            self.assertAlmostEqual(f["precision"], f["correct"] / f["predictions"], places=3)
        if f["speaker_labels"]:
            self.assertAlmostEqual(f["recall"], f["correct"] / f["speaker_labels"], places=3)

    def test_every_written_document_is_evaluated(self):
        labels = [x for x in read_labels() if x["doc"].startswith("docs/")]
        docs = sorted({x["doc"] for x in labels})
        on_disk = sorted("docs/" + n for n in os.listdir(os.path.join(QUOTES, "docs")))
        self.assertEqual(docs, on_disk, "a document without labels, or labels without one")
        self.assertEqual(self.out["documents"], docs)
        self.assertEqual(self.out["total"]["labels"], len(labels))
        self.assertEqual(len(self.out["results"]), len(labels))
        others = sorted({x["doc"] for x in read_labels()} - set(docs))
        self.assertEqual(sorted(d for d, _ in self.out["skipped"]), others)

    def test_counts_add_up(self):
        total = self.out["total"]
        self.check_figures(total, "total")
        self.assertGreater(total["matched"], 0, "attached reported none of the quotations")
        for group in ("by_kind", "by_collection"):
            for name, f in self.out[group].items():
                self.check_figures(f, name)
            for key in COUNTS:
                self.assertEqual(sum(f[key] for f in self.out[group].values()), total[key],
                                 (group, key))
        outcomes = [r["outcome"] for r in self.out["results"]]
        self.assertEqual(outcomes.count("unmatched"), total["unmatched"])
        self.assertEqual(outcomes.count("correct"), total["correct"])
        self.assertEqual(outcomes.count("null_ok"), total["null_ok"])
        self.assertLessEqual(self.out["total"]["matched"], self.out["predicted_quotes"])

    def test_figures_floor(self):
        total = self.out["total"]
        for key, floor in FLOOR.items():
            self.assertGreaterEqual(total[key], floor, (key, total))

    def test_text_report(self):
        p = run_eval("--docs-only", "--verbose")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"precision [0-9.-]+ +recall [0-9.-]+ +null accuracy")
        self.assertIn("skipping", p.stderr)


class QuotesEvalJudgesTest(unittest.TestCase):
    """The script's judgement on a label file made for the test: a right
    speaker, a wrong one, and words that are not a quotation at all."""

    def test_outcomes(self):
        dm.skip_without_daemon()
        tmp = h.tmp_for(self)
        path = os.path.join(tmp, "labels.jsonl")
        doc = "docs/trade_talks_story.txt"
        rows = [
            # Words outside quotation marks: no quotation can match them.
            {"doc": doc, "quote": "as negotiators from both countries resumed",
             "speaker": None, "kind": "unnamed"},
            # Nobody of that name is in the document: never correct.
            {"doc": doc, "quote": "Tariff wars have no winners",
             "speaker": "Nobody Atall", "kind": "short_name"},
        ]
        with open(path, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")
        p = run_eval("--docs-only", "--json", "--labels", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        by_quote = {r["quote"]: r for r in out["results"]}
        self.assertEqual(by_quote[rows[0]["quote"]]["outcome"], "unmatched")
        self.assertIn(by_quote[rows[1]["quote"]]["outcome"], ("wrong", "missed"))
        self.assertEqual(out["total"]["labels"], 2)
        self.assertEqual(out["total"]["unmatched"], 1)
        self.assertEqual(out["total"]["correct"], 0)
        self.assertEqual(out["total"]["recall"], 0.0)

    def test_docs_filter(self):
        dm.skip_without_daemon()
        p = run_eval("--json", "--docs", "au_summit", "docs/eu_council.md")
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual(out["documents"], ["docs/au_summit.txt", "docs/eu_council.md"])
        want = [x for x in read_labels() if x["doc"] in out["documents"]]
        self.assertEqual(out["total"]["labels"], len(want))
        p = run_eval("--docs", "no_such_report")
        self.assertEqual(p.returncode, 2)
        self.assertIn("no labels for no_such_report", p.stderr)

    def test_label_not_in_document(self):
        tmp = h.tmp_for(self)
        path = os.path.join(tmp, "labels.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            f.write(json.dumps({"doc": "docs/au_summit.txt", "quote": "words nobody wrote here",
                                "speaker": None, "kind": "unnamed"}) + "\n")
        p = run_eval("--docs-only", "--labels", path)
        self.assertEqual(p.returncode, 2)
        self.assertIn("is not in docs/au_summit.txt", p.stderr)

    def test_missing_programs(self):
        tmp = h.tmp_for(self)
        p = subprocess.run([sys.executable, SCRIPT, "--docs-only", "--bin", tmp],
                           capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 1)
        self.assertIn("not found in", p.stderr)


if __name__ == "__main__":
    unittest.main()
