"""Shared rules of the relevance set: the tune/test split, the evaluation
corpus (the sample corpus plus the reports kept in this repository) and the
word rule that decides how many content words a paraphrase shares with its
passage. Used by check_queries.py and evaluate.py; see RULES.md.
"""
import hashlib
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
KINDS = ("exact", "paraphrase", "phrase", "actor", "author_year", "quotation")
HALVES = ("tune", "test")

# Folders of this repository that join the sample corpus, as
# (top-level name in the evaluation corpus, folder under the repository).
PROJECT_FOLDERS = (
    ("reports", "bench/quotes/docs"),
    ("sample", "corpus/sample"),
    ("languages", "tests/fixtures/languages"),
)
# The extensions attache-index reads; attache-meta.jsonl is folder metadata.
DOC_EXTS = (".txt", ".md", ".html", ".htm", ".jsonl")
META_NAME = "attache-meta.jsonl"

# Words that never count as content words (RULES.md, "paraphrase").
STOP = frozenset("""
a about after all also an and any are as at be been before being but by can
could did do does for from had has have he her his how i if in into is it its
may me more most my no not of on one or our she should shall so such than that
the their them then there these they this those to upon us was we were what
when where which who whom why will with would you your
""".split())
PREFIX = 5      # two content words are the same when their first 5 letters are
WINDOW = 120    # words either side of the phrase that stand for the passage


def half(qid):
    """'test' when the SHA-256 of the id (UTF-8) is even as a number, else
    'tune'. Fixed for ever: a query never moves between halves."""
    return "test" if int(hashlib.sha256(qid.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "tune"


def default_shared():
    """The sample corpus (seed/ and sotu/): $ATTACHE_TEST_CORPUS, else
    ../shared/corpus beside the repository, /work/shared/corpus, var/corpus."""
    cands = [os.environ.get("ATTACHE_TEST_CORPUS") or "",
             os.path.join(REPO, "..", "shared", "corpus"),
             os.path.join(REPO, "..", "..", "shared", "corpus"),
             os.path.join(REPO, "var", "corpus")]
    for path in cands:
        if path and os.path.isdir(os.path.join(path, "sotu")):
            return os.path.normpath(path)
    return None


def corpus_roots(corpus):
    """[(id prefix, folder)] of the evaluation corpus built on `corpus`: the
    folder itself (ids relative to it), plus each project folder whose
    top-level name the folder does not already have (an assembled corpus
    from corpus.sh has them all)."""
    roots = [("", corpus)]
    for name, rel in PROJECT_FOLDERS:
        if not os.path.exists(os.path.join(corpus, name)):
            roots.append((name + "/", os.path.join(REPO, rel)))
    return roots


def load_corpus(corpus):
    """Map document id ('/'-separated path in the evaluation corpus) to text."""
    docs = {}
    for prefix, root in corpus_roots(corpus):
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if (name.startswith(".") or name == META_NAME
                        or not name.lower().endswith(DOC_EXTS)):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, "rb") as f:
                    data = f.read()
                doc_id = prefix + os.path.relpath(path, root).replace(os.sep, "/")
                docs[doc_id] = data.decode("utf-8", errors="replace")
    return docs


def words(text):
    return re.findall(r"[0-9a-z]+", text.lower().replace("\u2019", "'").replace("'s ", " "))


def content_stems(text):
    """The set of content words of a text, each cut to its first 5 letters."""
    return {w[:PREFIX] for w in words(text) if len(w) >= 3 and w not in STOP}


def context(text, phrase):
    """What stands for the judged passage: the phrase's paragraph (text
    between blank lines) cut to WINDOW words either side of the phrase."""
    at = text.find(phrase)
    if at < 0:
        return ""
    start = text.rfind("\n\n", 0, at)
    start = 0 if start < 0 else start
    end = text.find("\n\n", at + len(phrase))
    end = len(text) if end < 0 else end
    before = text[start:at].split()[-WINDOW:]
    after = text[at + len(phrase):end].split()[:WINDOW]
    return " ".join(before + [phrase] + after)


def shared_words(query, text, phrase):
    """Content words (as 5-letter stems) the query shares with its passage."""
    return sorted(content_stems(query) & content_stems(context(text, phrase)))
