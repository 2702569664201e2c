#!/usr/bin/env python3
"""Check the judged queries of the relevance benchmark against the corpus.

Every query must name a document that exists, and its phrase must occur
exactly once in that document's text and in no other document of the
corpus, so that the phrase picks out one passage. The script also checks
the shape of each line (fields, kinds, unique ids, 4 to 12 words per
phrase).

Usage: check_queries.py [--corpus DIR] [--queries FILE] [--quiet]

The corpus defaults to ../shared/corpus beside the repository, else
var/corpus inside it. Exit status: 0 all good, 1 some query is wrong,
2 the corpus or the queries file cannot be read.
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
KINDS = ("exact", "paraphrase", "phrase")
FIELDS = ("id", "q", "kind", "doc", "phrase", "note")
# The extensions attache-index reads; other files (LICENSE, README) are not
# documents and are left out.
DOC_EXTS = (".txt", ".md", ".html", ".htm", ".jsonl")


def default_corpus():
    for path in (os.path.join(REPO, "..", "shared", "corpus"), os.path.join(REPO, "var", "corpus")):
        if os.path.isdir(path):
            return os.path.normpath(path)
    return None


def load_corpus(root):
    """Map document id (path relative to root, '/'-separated) to text."""
    docs = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(DOC_EXTS):
                continue
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                data = f.read()
            doc_id = os.path.relpath(path, root).replace(os.sep, "/")
            docs[doc_id] = data.decode("utf-8", errors="replace")
    return docs


def load_queries(path):
    queries = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as e:
                raise ValueError("%s:%d: not JSON: %s" % (path, n, e))
            if not isinstance(obj, dict):
                raise ValueError("%s:%d: not a JSON object" % (path, n))
            queries.append((n, obj))
    return queries


def check(queries, docs):
    """Return a list of problems, one string each."""
    problems = []
    seen = set()
    for n, q in queries:
        where = "line %d (%s)" % (n, q.get("id", "?"))
        missing = [k for k in FIELDS if not isinstance(q.get(k), str) or not q.get(k)]
        if missing:
            problems.append("%s: missing or empty field(s): %s" % (where, ", ".join(missing)))
            continue
        extra = sorted(set(q) - set(FIELDS))
        if extra:
            problems.append("%s: unknown field(s): %s" % (where, ", ".join(extra)))
        if q["id"] in seen:
            problems.append("%s: duplicate id" % where)
        seen.add(q["id"])
        if q["kind"] not in KINDS:
            problems.append("%s: kind %r is not one of %s" % (where, q["kind"], "|".join(KINDS)))
        if q["kind"] == "phrase" and '"' not in q["q"]:
            problems.append("%s: a phrase query should quote its phrase" % where)
        phrase = q["phrase"]
        words = len(phrase.split())
        if not 4 <= words <= 12:
            problems.append("%s: phrase has %d words (4 to 12 wanted)" % (where, words))
        if re.search(r"[\n\r]", phrase):
            problems.append("%s: phrase spans lines" % where)
        text = docs.get(q["doc"])
        if text is None:
            problems.append("%s: document %s is not in the corpus" % (where, q["doc"]))
            continue
        count = text.count(phrase)
        if count != 1:
            problems.append("%s: phrase occurs %d times in %s (once wanted): %r"
                            % (where, count, q["doc"], phrase))
        others = [d for d, t in docs.items() if d != q["doc"] and phrase in t]
        if others:
            problems.append("%s: phrase also occurs in %s" % (where, ", ".join(others[:5])))
    return problems


def main():
    ap = argparse.ArgumentParser(description="Check the relevance judgements against the corpus.")
    ap.add_argument("--corpus", help="corpus folder (default ../shared/corpus beside the "
                    "repository, else var/corpus)")
    ap.add_argument("--queries", default=os.path.join(HERE, "queries.jsonl"),
                    help="judged queries (default: queries.jsonl beside this script)")
    ap.add_argument("--quiet", action="store_true", help="print problems only")
    args = ap.parse_args()

    corpus = args.corpus or default_corpus()
    if corpus is None or not os.path.isdir(corpus):
        print("check_queries: no corpus folder (give --corpus DIR)", file=sys.stderr)
        return 2
    try:
        queries = load_queries(args.queries)
    except (OSError, ValueError) as e:
        print("check_queries: %s" % e, file=sys.stderr)
        return 2
    docs = load_corpus(corpus)
    if not docs:
        print("check_queries: no documents under %s" % corpus, file=sys.stderr)
        return 2

    problems = check(queries, docs)
    for p in problems:
        print(p)
    kinds = {}
    for _, q in queries:
        kinds[q.get("kind")] = kinds.get(q.get("kind"), 0) + 1
    if not args.quiet or problems:
        split = ", ".join("%s %d" % (k, kinds.get(k, 0)) for k in KINDS)
        status = "%d problem(s)" % len(problems) if problems else "all good"
        print("%d queries (%s) against %d documents in %s: %s"
              % (len(queries), split, len(docs), corpus, status))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
