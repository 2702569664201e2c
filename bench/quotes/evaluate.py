#!/usr/bin/env python3
"""Speaker attribution of attache's quotations against a labelled set:
precision, recall, null accuracy, figures per kind, unmatched labels.

The rules of the labels, the matching and the figures are in RULES.md
beside this script. The script copies the labelled documents into a
temporary corpus (bench/quotes/docs, and the seed and State of the Union
files it finds in the corpus folder), indexes it with attache-index,
starts attached on a Unix socket in the same temporary folder, asks it for
every passage of each document ("get") and compares the speakers of the
quotations it reports with the labels. Everything is removed afterwards.

Usage:
  evaluate.py [--corpus DIR] [--bin DIR] [--labels FILE] [--docs-only]
              [--docs NAME ...] [--json] [--verbose] [--timeout SECONDS] [--keep]

Exit status: 0 the figures were computed (whatever they are); 1 the run
could not be made (a program missing or failing, no document to evaluate);
2 bad options or a bad label file.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TIMEOUT = 30.0         # seconds for attached to start, and for each answer
INDEX_TIMEOUT = 600    # seconds for attache-index

KINDS = ("named", "short_name", "title", "pronoun", "institution", "possessive",
         "spokesperson", "non_ascii", "non_person_capital", "reported", "nested",
         "multi_paragraph", "continuation", "first_person", "unnamed", "document",
         "not_speech")
LABEL_KEYS = {"doc", "quote", "n", "speaker", "aliases", "kind", "note"}

# RULES.md section 5: titles dropped from the front of a speaker's name.
TITLES = sorted(["president", "vice president", "prime minister", "foreign minister",
                 "minister", "secretary of state", "secretary", "secretary-general",
                 "spokesperson", "spokesman", "spokeswoman", "ambassador", "chancellor",
                 "senator", "governor", "general", "cardinal", "pope", "sir",
                 "mr", "mrs", "ms", "dr"], key=len, reverse=True)
DOTTED = {"mr", "mrs", "ms", "dr"}


class Fail(Exception):
    """The run cannot be made."""


class BadLabels(Exception):
    """The label file is malformed."""


# ---------------------------------------------------------------- texts

def norm_text(s):
    """A quotation's text for matching (RULES.md section 4): curly marks
    straight, white space collapsed, leading white space and marks off."""
    s = s.replace("\u201c", '"').replace("\u201d", '"').replace("\u201e", '"')
    s = s.replace("\u2018", "'").replace("\u2019", "'")
    s = re.sub(r"\s+", " ", s)
    return s.lstrip(" \"'")


def norm_name(s):
    """A speaker's name for comparison (RULES.md section 5)."""
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.casefold().replace("\u2019", "'").replace("\u2018", "'")
    s = re.sub(r"\s+", " ", s).strip(" .,;:\"'")
    if s.startswith("the "):
        s = s[4:]
    changed = True
    while changed:
        changed = False
        for t in TITLES:
            for lead in ([t + " ", t + ". "] if t in DOTTED else [t + " "]):
                if s.startswith(lead) and len(s) > len(lead):
                    s = s[len(lead):].lstrip()
                    changed = True
    return s


# ---------------------------------------------------------------- labels

def load_labels(path):
    labels, seen = [], set()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                lab = json.loads(line)
            except ValueError as e:
                raise BadLabels("%s:%d: not JSON: %s" % (path, n, e))
            where = "%s:%d" % (path, n)
            if not isinstance(lab, dict):
                raise BadLabels("%s: not a JSON object" % where)
            extra = sorted(set(lab) - LABEL_KEYS)
            if extra:
                raise BadLabels("%s: unknown fields %s" % (where, ", ".join(extra)))
            for key in ("doc", "quote", "kind"):
                if not isinstance(lab.get(key), str) or not lab[key].strip():
                    raise BadLabels("%s: field %r missing or not a string" % (where, key))
            if "speaker" not in lab or not (lab["speaker"] is None
                                            or (isinstance(lab["speaker"], str)
                                                and lab["speaker"].strip())):
                raise BadLabels("%s: speaker must be a name or null" % where)
            aliases = lab.get("aliases", [])
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise BadLabels("%s: aliases must be a list of strings" % where)
            if aliases and lab["speaker"] is None:
                raise BadLabels("%s: aliases of a null speaker" % where)
            if lab["kind"] not in KINDS:
                raise BadLabels("%s: unknown kind %r" % (where, lab["kind"]))
            occ = lab.get("n", 1)
            if not isinstance(occ, int) or isinstance(occ, bool) or occ < 1:
                raise BadLabels("%s: n must be a positive integer" % where)
            key = (lab["doc"], norm_text(lab["quote"]), occ)
            if key in seen:
                raise BadLabels("%s: the same quotation is labelled twice" % where)
            seen.add(key)
            lab["n"] = occ
            lab["aliases"] = aliases
            lab["line"] = n
            labels.append(lab)
    if not labels:
        raise BadLabels("%s: no labels" % path)
    return labels


def doc_wanted(doc, names):
    """True if --docs names the document: its id ("docs/au_summit.txt"),
    its file name ("au_summit.txt") or that name without its extension."""
    if names is None:
        return True
    base = os.path.basename(doc)
    return any(n in (doc, base, os.path.splitext(base)[0]) for n in names)


def doc_path(doc, corpus):
    """Where a labelled document is read from: docs/ beside this script,
    anything else under the corpus folder (None when there is none)."""
    if doc.startswith("docs/"):
        return os.path.join(HERE, doc)
    if corpus is None:
        return None
    return os.path.join(corpus, doc)


def check_quotes(labels, paths):
    """Problems with labels whose quote is not in its document's file."""
    problems, texts = [], {}
    for lab in labels:
        p = paths.get(lab["doc"])
        if p is None:
            continue
        if p not in texts:
            with open(p, encoding="utf-8") as f:
                texts[p] = norm_text(" " + f.read())
        if norm_text(lab["quote"]) not in texts[p]:
            problems.append("line %d: quote %r is not in %s" % (lab["line"], lab["quote"],
                                                                 lab["doc"]))
    return problems


# ---------------------------------------------------------------- programs

def run_index(bindir, db, corpus):
    cmd = [os.path.join(bindir, "attache-index"), "-d", db, "--no-progress", "--json", corpus]
    env = dict(os.environ)
    env.pop("ATTACHE_DB", None)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=INDEX_TIMEOUT,
                           stdin=subprocess.DEVNULL, env=env)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise Fail("attache-index: %s" % e)
    if p.returncode != 0:
        raise Fail("attache-index exited with status %d: %s"
                   % (p.returncode, p.stderr.strip()[-2000:]))


class Daemon:
    """attached on a Unix socket, answering one request at a time."""

    def __init__(self, bindir, db, sock_path, timeout=TIMEOUT):
        self.sock_path = sock_path
        self.timeout = timeout
        self.log = open(os.path.join(os.path.dirname(sock_path), "attached.log"), "w+")
        cmd = [os.path.join(bindir, "attached"), "--db", db, "--socket", sock_path,
               "--listen", "none", "--threads", "1"]
        env = dict(os.environ)
        env.pop("ATTACHE_DB", None)
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.log,
                                         stderr=subprocess.STDOUT, env=env)
        except OSError as e:
            self.log.close()
            raise Fail("attached: %s" % e)
        self.sock = None
        self.buf = b""
        self.next_id = 0

    def stderr_tail(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read().strip()[-2000:]

    def wait_ready(self):
        deadline = time.monotonic() + self.timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Fail("attached exited with status %d: %s"
                           % (self.proc.returncode, self.stderr_tail()))
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(self.timeout)
                s.connect(self.sock_path)
                self.sock = s
                if self.request({"op": "ping"}).get("ok") is True:
                    return
            except OSError as e:
                last = e
                if self.sock is not None:
                    self.sock.close()
                    self.sock = None
            time.sleep(0.05)  # polling for the socket to appear, not a fixed wait
        raise Fail("attached not ready after %.0f s (%s)" % (self.timeout, last))

    def request(self, req):
        self.next_id += 1
        req = dict(req, id=self.next_id)
        self.sock.sendall(json.dumps(req, ensure_ascii=False).encode("utf-8") + b"\n")
        while b"\n" not in self.buf:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise Fail("attached closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        try:
            resp = json.loads(line)
        except ValueError:
            raise Fail("attached sent a line that is not JSON")
        if not isinstance(resp, dict) or resp.get("id") != self.next_id:
            raise Fail("attached answered out of turn: %r" % line[:200])
        return resp

    def stop(self):
        if self.sock is not None:
            self.sock.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def collect(daemon, doc):
    """[(quote text, speaker or None)] of a document, in document order."""
    resp = daemon.request({"op": "get", "doc": doc})
    if resp.get("ok") is not True:
        err = resp.get("error") if isinstance(resp.get("error"), dict) else {}
        raise Fail("get %s: %s: %s" % (doc, err.get("code"), err.get("message")))
    out = []
    for p in sorted(resp.get("passages") or [], key=lambda p: p.get("n", 0)):
        for q in p.get("quotes") or []:
            sp = q.get("speaker")
            out.append((q.get("text") or "", sp if isinstance(sp, str) and sp.strip() else None))
    return out


# ---------------------------------------------------------------- scoring

def match(labels, predicted):
    """Pair each label with one predicted quotation of its document
    (RULES.md section 4): lab["pred"] = (text, speaker) or absent."""
    claimed = {doc: [False] * len(qs) for doc, qs in predicted.items()}
    for how in ("start", "contains"):
        for lab in labels:
            if "pred" in lab or lab["doc"] not in predicted:
                continue
            want = norm_text(lab["quote"])
            texts = [norm_text(text) for text, _ in predicted[lab["doc"]]]
            if how == "start":
                hits = [i for i, t in enumerate(texts) if t.startswith(want)]
                hits = hits[lab["n"] - 1:lab["n"]]
            else:
                hits = [i for i, t in enumerate(texts) if want in t]
            hits = [i for i in hits if not claimed[lab["doc"]][i]]
            if hits:
                claimed[lab["doc"]][hits[0]] = True
                lab["pred"] = predicted[lab["doc"]][hits[0]]
                lab["matched_by"] = how


def judge(lab):
    """The outcome of one evaluated label."""
    if "pred" not in lab:
        return "unmatched"
    speaker = lab["pred"][1]
    if lab["speaker"] is None:
        return "null_ok" if speaker is None else "wrong"
    if speaker is None:
        return "missed"
    forms = {norm_name(lab["speaker"])} | {norm_name(a) for a in lab["aliases"]}
    return "correct" if norm_name(speaker) in forms else "wrong"


def part_of_name(lab):
    """A wrong speaker made only of words of the right name ("Xi" for "Xi
    Jinping"): counted apart as a hint, still wrong by RULES.md."""
    if lab["outcome"] != "wrong" or lab["speaker"] is None:
        return False
    got = set(norm_name(lab["pred"][1]).split())
    return any(got <= set(norm_name(f).split()) for f in [lab["speaker"]] + lab["aliases"])


def figures(labs):
    c = {k: 0 for k in ("correct", "wrong", "missed", "null_ok", "unmatched")}
    for lab in labs:
        c[lab["outcome"]] += 1
    nonnull = [lab for lab in labs if lab["speaker"] is not None]
    nulls = [lab for lab in labs if lab["speaker"] is None and lab["outcome"] != "unmatched"]
    predicted = sum(1 for lab in labs if "pred" in lab and lab["pred"][1] is not None)
    return {
        "labels": len(labs),
        "matched": len(labs) - c["unmatched"],
        "unmatched": c["unmatched"],
        "speaker_labels": len(nonnull),
        "null_labels": sum(1 for lab in labs if lab["speaker"] is None),
        "predictions": predicted,
        "correct": c["correct"],
        "wrong": c["wrong"],
        "missed": c["missed"] + sum(1 for lab in nonnull if lab["outcome"] == "unmatched"),
        "null_ok": c["null_ok"],
        "wrong_part_of_name": sum(1 for lab in labs if part_of_name(lab)),
        "precision": round(c["correct"] / predicted, 4) if predicted else None,
        "recall": round(c["correct"] / len(nonnull), 4) if nonnull else None,
        "null_accuracy": round(c["null_ok"] / len(nulls), 4) if nulls else None,
    }


# ---------------------------------------------------------------- output

def fmt(x):
    return "   -" if x is None else "%.3f" % x


def print_report(summary, labs, verbose):
    t = summary["total"]
    print("quotation speakers: %d labels over %d documents (%d skipped)"
          % (t["labels"], len(summary["documents"]), len(summary["skipped"])))
    for doc, why in summary["skipped"]:
        print("  skipped %s: %s" % (doc, why))
    print()
    print("%-20s %6s %7s %5s %7s %5s %6s %6s %5s %9s %7s %7s"
          % ("group", "labels", "matched", "pred", "correct", "wrong", "missed", "nullok",
             "unm", "precision", "recall", "nullacc"))
    rows = [(k, v) for k, v in summary["by_kind"].items()]
    rows += [("", None)] + [("[%s]" % k, v) for k, v in summary["by_collection"].items()]
    rows += [("[non-ASCII speaker]", summary["non_ascii_speaker"]), ("", None),
             ("all", t)]
    for name, f in rows:
        if f is None:
            print()
            continue
        print("%-20s %6d %7d %5d %7d %5d %6d %6d %5d %9s %7s %7s"
              % (name, f["labels"], f["matched"], f["predictions"], f["correct"], f["wrong"],
                 f["missed"], f["null_ok"], f["unmatched"], fmt(f["precision"]),
                 fmt(f["recall"]), fmt(f["null_accuracy"])))
    print()
    print("precision %s  recall %s  null accuracy %s  (%d unmatched labels)"
          % (fmt(t["precision"]), fmt(t["recall"]), fmt(t["null_accuracy"]), t["unmatched"]))
    print("of the %d wrong speakers, %d are part of the right name (\"Xi\" for \"Xi Jinping\")"
          % (t["wrong"], t["wrong_part_of_name"]))
    unmatched = [lab for lab in labs if lab["outcome"] == "unmatched"]
    if unmatched:
        print()
        print("unmatched labels (attache reported no quotation with this text):")
        for lab in unmatched:
            print("  %s  %-18s %r" % (lab["doc"], lab["kind"], lab["quote"]))
    if verbose:
        for what in ("wrong", "missed"):
            bad = [lab for lab in labs if lab["outcome"] == what]
            if not bad:
                continue
            print()
            print("%s (%d):" % ("wrong attributions" if what == "wrong" else
                                "missed speakers", len(bad)))
            for lab in bad:
                print("  %s  %-18s %r\n      label %r, attache %r"
                      % (lab["doc"], lab["kind"], lab["quote"], lab["speaker"], lab["pred"][1]))


# ---------------------------------------------------------------- main

def default_corpus():
    for p in (os.path.join(REPO, "..", "shared", "corpus"), os.path.join(REPO, "var", "corpus")):
        if os.path.isdir(p):
            return os.path.realpath(p)
    return None


def main():
    ap = argparse.ArgumentParser(
        description="Precision and recall of attache's quotation speakers on a labelled set.")
    ap.add_argument("--corpus", metavar="DIR",
                    help="folder holding seed/ and sotu/ (default ../shared/corpus "
                         "beside the repository, else var/corpus)")
    ap.add_argument("--bin", metavar="DIR", default=os.path.join(REPO, "bin"),
                    help="folder of attache-index and attached (default bin/)")
    ap.add_argument("--labels", metavar="FILE", default=os.path.join(HERE, "labels.jsonl"),
                    help="label file (default labels.jsonl beside this script)")
    ap.add_argument("--docs-only", action="store_true",
                    help="evaluate the documents of bench/quotes/docs only")
    ap.add_argument("--docs", nargs="+", metavar="NAME",
                    help="evaluate only these documents (id, file name or file name "
                         "without extension)")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    ap.add_argument("--verbose", action="store_true",
                    help="list every wrong attribution and missed speaker")
    ap.add_argument("--timeout", type=float, default=TIMEOUT, metavar="SECONDS",
                    help="wait for attached to start, and for each answer (default 30)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the temporary corpus, index and daemon log (path on stderr)")
    args = ap.parse_args()

    try:
        labels = load_labels(args.labels)
    except (OSError, BadLabels) as e:
        print("evaluate: %s" % e, file=sys.stderr)
        return 2
    corpus = None
    if not args.docs_only:
        corpus = os.path.realpath(args.corpus) if args.corpus else default_corpus()
        if args.corpus and not os.path.isdir(args.corpus):
            print("evaluate: --corpus %s is not a folder" % args.corpus, file=sys.stderr)
            return 2
    if args.timeout <= 0:
        print("evaluate: --timeout must be positive", file=sys.stderr)
        return 2
    for prog in ("attache-index", "attached"):
        if not os.access(os.path.join(args.bin, prog), os.X_OK):
            print("evaluate: %s not found in %s (run make first, or give --bin)"
                  % (prog, args.bin), file=sys.stderr)
            return 1

    if args.docs:
        unknown = [n for n in args.docs if not any(doc_wanted(lab["doc"], [n]) for lab in labels)]
        if unknown:
            print("evaluate: --docs: no labels for %s" % ", ".join(unknown), file=sys.stderr)
            return 2
        labels = [lab for lab in labels if doc_wanted(lab["doc"], args.docs)]
    docs = sorted({lab["doc"] for lab in labels})
    paths, skipped = {}, []
    for doc in docs:
        if args.docs_only and not doc.startswith("docs/"):
            skipped.append((doc, "--docs-only"))
            continue
        p = doc_path(doc, corpus)
        if p is None:
            skipped.append((doc, "no corpus folder (give --corpus DIR)"))
        elif not os.path.isfile(p):
            skipped.append((doc, "not in %s" % os.path.dirname(p)))
        else:
            paths[doc] = p
    if not paths:
        print("evaluate: none of the labelled documents is here", file=sys.stderr)
        return 1
    problems = check_quotes(labels, paths)
    if problems:
        for line in problems:
            print("evaluate: %s: %s" % (args.labels, line), file=sys.stderr)
        return 2
    if skipped and not args.json:
        print("evaluate: skipping %d documents whose files are not here: %s"
              % (len(skipped), ", ".join(d for d, _ in skipped)), file=sys.stderr)

    tmp = tempfile.mkdtemp(prefix="attache-quotes-")
    daemon = None
    try:
        root = os.path.join(tmp, "corpus")
        for doc, p in paths.items():
            dst = os.path.join(root, doc)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(p, dst)
        db = os.path.join(tmp, "db")
        run_index(args.bin, db, root)
        daemon = Daemon(args.bin, db, os.path.join(tmp, "s.sock"), args.timeout)
        daemon.wait_ready()
        predicted = {doc: collect(daemon, doc) for doc in sorted(paths)}
    except (Fail, OSError) as e:
        print("evaluate: %s" % e, file=sys.stderr)
        return 1
    finally:
        if daemon is not None:
            daemon.stop()
        if args.keep:
            print("evaluate: kept %s" % tmp, file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    labs = [lab for lab in labels if lab["doc"] in paths]
    match(labs, predicted)
    for lab in labs:
        lab["outcome"] = judge(lab)
    kinds = [k for k in KINDS if any(lab["kind"] == k for lab in labs)]
    colls = sorted({lab["doc"].split("/")[0] for lab in labs})
    summary = {
        "labels_file": os.path.relpath(args.labels, REPO),
        "corpus": corpus,
        "documents": sorted(paths),
        "skipped": skipped,
        "total": figures(labs),
        "by_kind": {k: figures([lab for lab in labs if lab["kind"] == k]) for k in kinds},
        "by_collection": {c: figures([lab for lab in labs if lab["doc"].split("/")[0] == c])
                          for c in colls},
        "non_ascii_speaker": figures([lab for lab in labs if lab["speaker"] is not None
                                      and not lab["speaker"].isascii()]),
        "predicted_quotes": sum(len(v) for v in predicted.values()),
        "results": [{"doc": lab["doc"], "quote": lab["quote"], "kind": lab["kind"],
                     "label": lab["speaker"], "outcome": lab["outcome"],
                     "predicted": lab["pred"][1] if "pred" in lab else None,
                     "matched_by": lab.get("matched_by")} for lab in labs],
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print_report(summary, labs, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
