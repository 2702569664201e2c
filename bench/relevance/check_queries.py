#!/usr/bin/env python3
"""Check the judged queries of the relevance benchmark against the corpus.

Every query must name a document that exists, and its phrase must occur
exactly once in that document's text and in no other document of the
corpus, so that the phrase picks out one passage. The script also checks
the shape of each line (fields, kinds, unique ids, 4 to 12 words per
phrase), the rules of each kind (RULES.md, section 3) and that both halves
of the tune/test split hold every kind.

Usage: check_queries.py [--corpus DIR] [--queries FILE] [--quiet]

The corpus is the evaluation corpus of RULES.md: DIR (default
$ATTACHE_TEST_CORPUS, else ../shared/corpus beside the repository, else
var/corpus) plus the repository's reports, sample and language folders
when DIR does not have them (relset.py). Exit status: 0 all good, 1 some query is wrong,
2 the corpus or the queries file cannot be read.
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import relset  # noqa: E402  (beside this script)

KINDS = relset.KINDS
FIELDS = ("id", "q", "kind", "doc", "phrase", "note")
FIRST_RULED = 52    # the kind rules apply from q52 on (RULES.md, section 3)
default_corpus = relset.default_shared
load_corpus = relset.load_corpus


def id_number(qid):
    m = re.match(r"^q(\d+)$", qid)
    return int(m.group(1)) if m else 0


def doc_year(doc_id, text):
    m = re.match(r"^sotu/(\d{4})_", doc_id)
    if m:
        return m.group(1)
    m = re.search(r"^Date:\s*(\d{4})", text, re.M) or re.search(r"^date:\s*\"?(\d{4})", text, re.M)
    if m:
        return m.group(1)
    m = re.search(r"(\d{4})-\d\d-\d\d", doc_id)
    return m.group(1) if m else None


def author_words(doc_id):
    m = re.match(r"^sotu/\d{4}_(.*)_[a-z]+\.txt$", doc_id)
    return set(m.group(1).split("_")) - {"jr"} if m else set()


def kind_problems(q, text):
    """Problems with the rules of q's kind (RULES.md, section 3)."""
    kind, query = q["kind"], q["q"]
    ctx = relset.context(text, q["phrase"])
    out = []
    if kind != "phrase" and '"' in query:
        out.append("only phrase queries quote")
    if kind == "exact":
        n = len(query.split())
        if not 2 <= n <= 6:
            out.append("exact query has %d words (2 to 6 wanted)" % n)
        lost = sorted(relset.content_stems(query) - relset.content_stems(ctx))
        if lost:
            out.append("exact query words not in the passage: %s" % ", ".join(lost))
    elif kind == "paraphrase":
        shared = relset.shared_words(query, text, q["phrase"])
        if len(shared) > 1:
            out.append("paraphrase shares %d content words with its passage: %s"
                       % (len(shared), ", ".join(shared)))
    elif kind == "phrase":
        inner = re.findall(r'"([^"]+)"', query)
        cw = relset.words(ctx)
        for part in inner:
            pw = relset.words(part)
            if not any(cw[i:i + len(pw)] == pw for i in range(len(cw))):
                out.append("quoted words %r are not a phrase of the passage" % part)
    elif kind == "actor":
        m = re.search(r"actor: ([^;,.)]+)", q["note"])
        if not m:
            out.append("actor query's note lacks 'actor: WORD'")
        else:
            word = m.group(1).strip()
            if word.lower() not in query.lower():
                out.append("actor word %r is not in the query" % word)
            if relset.words(word) and set(relset.words(word)) <= set(relset.words(ctx)):
                out.append("actor word %r occurs in the passage" % word)
    elif kind == "author_year":
        qw = set(relset.words(query))
        year = doc_year(q["doc"], text)
        names = author_words(q["doc"])
        if not q["doc"].startswith("sotu/"):
            names = {w.lower() for w in re.findall(r"\b[A-Z][a-z]{3,}", query)
                     if re.search(r"\b%s\b" % w, text)}
        if not ((year and year in qw) or (names & qw)):
            out.append("author_year query names neither the year nor the author")
    elif kind == "quotation":
        if q["doc"].startswith("sotu/"):
            out.append("quotation queries are about the written reports, not the speeches")
    return out


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
        if q["kind"] == "phrase" and q["q"].count('"') < 2:
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
        if count == 1 and q["kind"] in KINDS and id_number(q["id"]) >= FIRST_RULED:
            for p in kind_problems(q, text):
                problems.append("%s: %s" % (where, p))
    problems += split_problems(queries)
    return problems


def split_problems(queries):
    """Each half must hold every kind the set uses (RULES.md, section 5)."""
    have = {}
    for _, q in queries:
        if isinstance(q.get("id"), str) and q.get("kind") in KINDS:
            have.setdefault(q["kind"], set()).add(relset.half(q["id"]))
    return ["split: no %s query in the %s half" % (k, h)
            for k in KINDS if k in have for h in relset.HALVES if h not in have[k]]


def main():
    ap = argparse.ArgumentParser(description="Check the relevance judgements against the corpus.")
    ap.add_argument("--corpus", help="corpus folder (default $ATTACHE_TEST_CORPUS, else "
                    "../shared/corpus beside the repository, else var/corpus); the repository's "
                    "reports/, sample/ and languages/ are added when it lacks them")
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
        key = (q.get("kind"), relset.half(str(q.get("id"))))
        kinds[key] = kinds.get(key, 0) + 1
    if not args.quiet or problems:
        split = ", ".join("%s %d/%d" % (k, kinds.get((k, "tune"), 0), kinds.get((k, "test"), 0))
                          for k in KINDS)
        status = "%d problem(s)" % len(problems) if problems else "all good"
        print("%d queries (tune/test: %s) against %d documents in %s: %s"
              % (len(queries), split, len(docs), corpus, status))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
