#!/usr/bin/env python3
"""Relevance benchmark for attached: ranks of judged passages, MRR@10,
success@1 and success@10.

Each line of the queries file names one query and the passage that answers
it: a hit is relevant when its document id is the judged "doc" and the
judged "phrase" occurs in its passage text (white space collapsed on both
sides). The script sends one search request per query over one connection,
all pipelined, and reads the responses, matching them by id.

Figures are given per kind for each half of the tune/test split (RULES.md,
section 5) and for all queries. With --baseline, the same queries also go
to bench/bm25_floor (plain Xapian BM25 over the passage texts of the index
given by --db) and its figures come beside attache's.

Usage:
  evaluate.py [--socket PATH | --connect HOST:PORT] [--queries FILE]
              [--half tune|test|all] [--baseline --db INDEX [--bm25 PROGRAM]]
              [--extra JSON] [--json] [--verbose] [--timeout SECONDS]

The address defaults to $ATTACHE_ADDR ("unix:/path" or "host:port"), else
127.0.0.1:7311. Exit status: 0 every query was answered; 1 some response
was an error (or missing, or the daemon could not be reached, or it timed
out, or the baseline failed); 2 bad options or queries file.
"""
import argparse
import errno
import json
import os
import re
import selectors
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import relset  # noqa: E402  (beside this script)

DEFAULT_ADDR = "127.0.0.1:7311"
KINDS = relset.KINDS
HALVES = ("tune", "test", "all")
BM25_DEFAULT = os.path.join(relset.REPO, "build", "rel", "bench", "bm25_floor")
DEPTH = 10          # ranks beyond this count as misses
LIMIT = 10          # hits asked for per query
TIMEOUT = 30.0      # seconds without progress before giving up
MAX_LINE = 64 << 20  # a response line longer than this is a protocol fault


class Fail(Exception):
    """The run cannot go on (connection, time-out, protocol)."""


def collapse(s):
    return re.sub(r"\s+", " ", s).strip()


def parse_addr(text):
    """("unix", path) or ("tcp", (host, port)) from "unix:/p", "/p", "h:p", "[v6]:p"."""
    if text.startswith("unix:"):
        path = text[5:]
        if not path:
            raise ValueError("empty socket path in %r" % text)
        return "unix", path
    if text.startswith("/") or text.startswith("./"):
        return "unix", text
    m = re.match(r"^\[([^\]]+)\]:(\d+)$", text) or re.match(r"^([^:\[\]]*):(\d+)$", text)
    if not m:
        raise ValueError("address %r is not unix:/path or host:port" % text)
    port = int(m.group(2))
    if not 0 < port < 65536:
        raise ValueError("port out of range in %r" % text)
    return "tcp", (m.group(1) or "127.0.0.1", port)


def connect(addr, timeout):
    kind, where = addr
    if kind == "unix":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(where)
        except OSError:
            s.close()
            raise
        return s
    return socket.create_connection(where, timeout=timeout)


def load_queries(path):
    queries, seen = [], set()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                q = json.loads(line)
            except ValueError as e:
                raise ValueError("%s:%d: not JSON: %s" % (path, n, e))
            if not isinstance(q, dict):
                raise ValueError("%s:%d: not a JSON object" % (path, n))
            for key in ("id", "q", "doc", "phrase"):
                if not isinstance(q.get(key), str) or not q[key]:
                    raise ValueError("%s:%d: field %r missing or not a string" % (path, n, key))
            if q["id"] in seen:
                raise ValueError("%s:%d: duplicate id %r" % (path, n, q["id"]))
            seen.add(q["id"])
            q.setdefault("kind", "other")
            queries.append(q)
    if not queries:
        raise ValueError("%s: no queries" % path)
    return queries


def exchange(sock, lines, want, timeout):
    """Send every line and read response lines until `want` arrived.

    Writing and reading go on together (one selector loop), so a daemon that
    stops reading until its answers are read cannot dead-lock us. Returns
    the list of raw response lines; raises Fail when no byte moves for
    `timeout` seconds or the daemon closes the connection early (the lines
    read so far are in the exception's `partial` attribute).
    """
    out = b"".join(lines)
    sent = 0
    buf = b""
    got = []
    sock.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
    deadline = time.monotonic() + timeout
    try:
        while len(got) < want:
            left = deadline - time.monotonic()
            if left <= 0:
                e = Fail("no answer for %.0f s (%d of %d responses read)" % (timeout, len(got), want))
                e.partial = got
                raise e
            for key, mask in sel.select(left):
                if mask & selectors.EVENT_WRITE and sent < len(out):
                    try:
                        n = sock.send(out[sent:sent + 65536])
                    except (BlockingIOError, InterruptedError):
                        n = 0
                    except OSError as e:
                        if e.errno in (errno.EPIPE, errno.ECONNRESET):
                            n = 0  # the daemon hung up; what it said is still to read
                            sent = len(out)
                        else:
                            raise
                    sent += n
                    if n:
                        deadline = time.monotonic() + timeout
                    if sent >= len(out):
                        sel.modify(sock, selectors.EVENT_READ)
                if mask & selectors.EVENT_READ:
                    try:
                        chunk = sock.recv(1 << 20)
                    except (BlockingIOError, InterruptedError):
                        continue
                    except ConnectionResetError:
                        chunk = b""
                    if not chunk:
                        if buf.strip():
                            got.append(buf)
                        e = Fail("the daemon closed the connection after %d of %d responses"
                                 % (len(got), want))
                        e.partial = got
                        raise e
                    deadline = time.monotonic() + timeout
                    buf += chunk
                    while b"\n" in buf:
                        line, buf = buf.split(b"\n", 1)
                        if line.strip():
                            got.append(line)
                    if len(buf) > MAX_LINE:
                        raise Fail("a response line longer than %d bytes" % MAX_LINE)
    finally:
        sel.close()
    return got


def judge(q, resp):
    """(rank of the first relevant hit or None, top hits as (doc id, passage n))."""
    hits = resp.get("hits")
    if not isinstance(hits, list):
        return None, []
    phrase = collapse(q["phrase"])
    top = []
    rank = None
    for i, h in enumerate(hits[:DEPTH], 1):
        doc = h.get("doc") if isinstance(h, dict) else None
        passage = h.get("passage") if isinstance(h, dict) else None
        doc_id = doc.get("id") if isinstance(doc, dict) else None
        text = passage.get("text") if isinstance(passage, dict) else None
        top.append((doc_id, passage.get("n") if isinstance(passage, dict) else None))
        if rank is None and doc_id == q["doc"] and isinstance(text, str) and phrase in collapse(text):
            rank = i
    return rank, top


def bm25_ranks(program, index, queries, timeout):
    """{query id: rank or None} from bench/bm25_floor over the index's
    passages, judged like attache's hits (document id and phrase)."""
    feed = "".join("%s\t%s\n" % (q["id"], re.sub(r"[\t\n\r]", " ", q["q"])) for q in queries)
    try:
        done = subprocess.run([program, index], input=feed.encode("utf-8"), capture_output=True,
                              timeout=max(timeout, 600))
    except (OSError, subprocess.TimeoutExpired) as e:
        raise Fail("baseline: cannot run %s: %s" % (program, e))
    if done.returncode != 0:
        raise Fail("baseline: %s exited %d: %s" % (program, done.returncode,
                                                  done.stderr.decode("utf-8", "replace").strip()))
    hits = {}
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split("\t", 3)
        if len(parts) == 4:
            doc_id = parts[2].rsplit("#", 1)[0]
            hits.setdefault(parts[0], []).append({"doc": {"id": doc_id},
                                                  "passage": {"n": parts[2].rsplit("#", 1)[-1],
                                                              "text": parts[3]}})
    return {q["id"]: judge(q, {"hits": hits.get(q["id"], [])})[0] for q in queries}


def metrics(ranks):
    n = len(ranks)
    if n == 0:
        return {"queries": 0, "mrr@10": 0.0, "success@1": 0.0, "success@10": 0.0}
    return {
        "queries": n,
        "mrr@10": round(sum(1.0 / r for r in ranks if r is not None and r <= DEPTH) / n, 4),
        "success@1": round(sum(1 for r in ranks if r == 1) / n, 4),
        "success@10": round(sum(1 for r in ranks if r is not None and r <= DEPTH) / n, 4),
    }


def figures(results, kinds, half, key):
    """{"total", "by_kind"} of one half ("all" for every query) by ranks[key]."""
    rs = [r for r in results if half == "all" or r["half"] == half]
    return {"total": metrics([r[key] for r in rs]),
            "by_kind": {k: metrics([r[key] for r in rs if r["kind"] == k]) for k in kinds}}


def print_table(half, fig, bm25):
    """One table: a row per kind and one for the half, attache's figures and,
    when there is a baseline, BM25's beside them."""
    print()
    head = "%-12s %7s %8s %10s %11s" % (half + " half" if half != "all" else "all queries",
                                         "queries", "MRR@10", "success@1", "success@10")
    if bm25 is not None:
        head += "   %8s %7s %8s" % ("BM25 MRR", "BM25 s@1", "BM25 s@10")
    print(head)
    rows = [(k, fig["by_kind"][k]) for k in fig["by_kind"]] + [("all", fig["total"])]
    for name, m in rows:
        line = "%-12s %7d %8.3f %10.3f %11.3f" % (name, m["queries"], m["mrr@10"],
                                                  m["success@1"], m["success@10"])
        if bm25 is not None:
            b = bm25["total"] if name == "all" else bm25["by_kind"][name]
            line += "   %8.3f %8.3f %9.3f" % (b["mrr@10"], b["success@1"], b["success@10"])
        print(line)


def main():
    ap = argparse.ArgumentParser(description="Relevance benchmark for attached (MRR@10, success@1, success@10).")
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--socket", metavar="PATH", help="Unix socket of the daemon")
    where.add_argument("--connect", metavar="HOST:PORT", help="TCP address of the daemon")
    ap.add_argument("--queries", default=os.path.join(HERE, "queries.jsonl"),
                    help="judged queries (default: queries.jsonl beside this script)")
    ap.add_argument("--extra", metavar="JSON", default=None,
                    help='extra request fields merged into every search, e.g. \'{"per_doc":1}\'')
    ap.add_argument("--half", choices=HALVES, default="all",
                    help="ask only the queries of one half of the tune/test split (default all)")
    ap.add_argument("--baseline", action="store_true",
                    help="also run the plain-BM25 baseline (bench/bm25_floor) on --db")
    ap.add_argument("--db", metavar="INDEX",
                    help="the attache index the daemon serves (--baseline)")
    ap.add_argument("--bm25", metavar="PROGRAM", default=BM25_DEFAULT,
                    help="the baseline program (default build/rel/bench/bm25_floor)")
    ap.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    ap.add_argument("--verbose", action="store_true", help="show the top 3 hits of each miss")
    ap.add_argument("--timeout", type=float, default=TIMEOUT,
                    help="seconds without progress before giving up (default 30)")
    args = ap.parse_args()

    try:
        if args.socket:
            addr = ("unix", args.socket)
        elif args.connect:
            addr = parse_addr(args.connect)
            if addr[0] != "tcp":
                raise ValueError("--connect wants HOST:PORT (use --socket for a Unix socket)")
        else:
            addr = parse_addr(os.environ.get("ATTACHE_ADDR") or DEFAULT_ADDR)
        extra = {}
        if args.extra:
            extra = json.loads(args.extra)
            if not isinstance(extra, dict):
                raise ValueError("--extra must be a JSON object")
            bad = sorted(set(extra) & {"id", "op", "q"})
            if bad:
                raise ValueError("--extra may not set %s" % ", ".join(bad))
        if args.timeout <= 0:
            raise ValueError("--timeout must be positive")
        if args.baseline and not args.db:
            raise ValueError("--baseline needs --db INDEX")
        queries = load_queries(args.queries)
        if args.half != "all":
            queries = [q for q in queries if relset.half(q["id"]) == args.half]
            if not queries:
                raise ValueError("no query in the %s half" % args.half)
    except (OSError, ValueError) as e:
        print("evaluate: %s" % e, file=sys.stderr)
        return 2

    lines = []
    for q in queries:
        req = {"id": q["id"], "op": "search", "q": q["q"], "limit": LIMIT}
        req.update(extra)
        lines.append(json.dumps(req, ensure_ascii=False).encode("utf-8") + b"\n")

    fatal = None
    raw = []
    t0 = time.monotonic()
    try:
        sock = connect(addr, args.timeout)
    except OSError as e:
        where = addr[1] if addr[0] == "unix" else "%s:%d" % addr[1]
        print("evaluate: cannot connect to %s: %s" % (where, e), file=sys.stderr)
        return 1
    try:
        raw = exchange(sock, lines, len(lines), args.timeout)
    except Fail as e:
        fatal = str(e)
        raw = getattr(e, "partial", [])
    except OSError as e:
        fatal = "connection: %s" % e
    finally:
        sock.close()
    wall = time.monotonic() - t0
    base = None
    if args.baseline:
        try:
            base = bm25_ranks(args.bm25, args.db, queries, args.timeout)
        except Fail as e:
            fatal = (fatal + "; " if fatal else "") + str(e)

    ids = {q["id"] for q in queries}
    by_id = {}
    errors = []      # (query id or None, code, message)
    unmatched = 0
    for line in raw:
        try:
            resp = json.loads(line)
        except ValueError:
            errors.append((None, "bad_response", "a response line is not JSON"))
            continue
        if not isinstance(resp, dict):
            errors.append((None, "bad_response", "a response is not a JSON object"))
            continue
        rid = resp.get("id")
        if resp.get("ok") is not True:
            err = resp.get("error") if isinstance(resp.get("error"), dict) else {}
            errors.append((rid if isinstance(rid, str) else None,
                           str(err.get("code", "?")), str(err.get("message", ""))))
        if isinstance(rid, str) and rid in ids and rid not in by_id:
            by_id[rid] = resp
        else:
            unmatched += 1

    results = []
    partial = 0
    took = []
    for q in queries:
        resp = by_id.get(q["id"])
        status = "ok"
        if resp is None:
            status = "missing"
            rank, top = None, []
        elif resp.get("ok") is not True:
            status = "error"
            rank, top = None, []
        else:
            rank, top = judge(q, resp)
            if resp.get("partial") is True:
                partial += 1
            if isinstance(resp.get("took_us"), (int, float)):
                took.append(resp["took_us"])
        results.append({"id": q["id"], "kind": q.get("kind", "other"), "q": q["q"],
                        "half": relset.half(q["id"]), "rank": rank, "status": status,
                        "top": top[:3], "bm25": base.get(q["id"]) if base else None})

    codes = {}
    for _, code, _ in errors:
        codes[code] = codes.get(code, 0) + 1
    missing = sum(1 for r in results if r["status"] == "missing")
    kinds = [k for k in KINDS if any(r["kind"] == k for r in results)]
    kinds += sorted({r["kind"] for r in results} - set(KINDS))
    halves = [h for h in HALVES if args.half in (h, "all")]
    summary = {
        "total": metrics([r["rank"] for r in results]),
        "by_kind": {k: metrics([r["rank"] for r in results if r["kind"] == k]) for k in kinds},
        "half": args.half,
        "halves": {h: figures(results, kinds, h, "rank") for h in halves},
        "errors": len(errors),
        "error_codes": codes,
        "missing": missing,
        "unmatched": unmatched,
        "partial": partial,
        "seconds": round(wall, 3),
        "took_us": {"median": sorted(took)[len(took) // 2] if took else None,
                    "max": max(took) if took else None},
        "ranks": {r["id"]: r["rank"] for r in results},
    }
    if base is not None:
        summary["bm25"] = {"halves": {h: figures(results, kinds, h, "bm25") for h in halves},
                           "ranks": {r["id"]: r["bm25"] for r in results}}
    if args.extra:
        summary["extra"] = extra
    if fatal:
        summary["fatal"] = fatal

    if args.json:
        print(json.dumps(summary, sort_keys=False))
    else:
        width = max(len(r["id"]) for r in results)
        for r in results:
            rank = str(r["rank"]) if r["rank"] is not None else "-"
            if r["status"] != "ok":
                rank = r["status"]
            bm = ""
            if base is not None:
                bm = "  %5s" % (r["bm25"] if r["bm25"] is not None else "-")
            print("%-*s  %-11s %-4s  %7s%s  %s" % (width, r["id"], r["kind"], r["half"], rank,
                                                  bm, r["q"]))
            if args.verbose and r["rank"] is None and r["status"] == "ok":
                if r["top"]:
                    for doc_id, n in r["top"]:
                        print("%*s  %-11s %-4s  %7s    %s #%s"
                              % (width, "", "", "", "", doc_id, n))
                else:
                    print("%*s  %-11s %-4s  %7s    (no hits)" % (width, "", "", "", ""))
        for h in halves:
            print_table(h, summary["halves"][h], summary["bm25"]["halves"][h] if base else None)
        print()
        med = summary["took_us"]["median"]
        print("errors %d, missing %d, partial %d; %.2f s wall%s"
              % (len(errors), missing, partial, wall,
                 ", median took_us %s" % med if med is not None else ""))
    for rid, code, msg in errors[:10]:
        print("error%s: %s: %s" % (" (%s)" % rid if rid else "", code, msg), file=sys.stderr)
    if len(errors) > 10:
        print("... and %d more error responses" % (len(errors) - 10), file=sys.stderr)
    if fatal:
        print("evaluate: %s" % fatal, file=sys.stderr)
    return 1 if errors or missing or fatal or unmatched else 0


if __name__ == "__main__":
    sys.exit(main())
