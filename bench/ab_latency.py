#!/usr/bin/env python3
"""Server time per query of two attached daemons over the same index: A
(say, an older build) and B, each query of a file asked of both in turn,
several times, keeping each side's minimum (the least disturbed run).
Prints the sum of the minimums, B/A, the median of the per-query ratios,
and the queries B loses most on.

    python3 bench/ab_latency.py --a /tmp/old.sock --b /tmp/new.sock
    python3 bench/ab_latency.py --a A.sock --b B.sock --extra-b '{"collapse":false}'

Needs only Python 3. The time is the daemon's own ("took_us"), so the
client and the socket do not count.
"""
import argparse
import json
import os
import socket
import statistics


def connect(path):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    return s, s.makefile("rb")


def took(conn, req):
    s, f = conn
    s.sendall((json.dumps(req) + "\n").encode())
    resp = json.loads(f.readline())
    if not resp.get("ok"):
        raise SystemExit(f"ab_latency: {req['q']!r}: {resp.get('error')}")
    return resp["took_us"] / 1000.0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--a", required=True, help="Unix socket of daemon A")
    ap.add_argument("--b", required=True, help="Unix socket of daemon B")
    ap.add_argument("--queries", default=os.path.join(here, "queries.txt"))
    ap.add_argument("--runs", type=int, default=7, help="runs of each query on each side")
    ap.add_argument("--extra", default="{}", help="request fields for both, as JSON")
    ap.add_argument("--extra-b", default="{}", help="request fields for B only, as JSON")
    ap.add_argument("--top", type=int, default=8, help="queries B loses most on")
    args = ap.parse_args()
    a, b = connect(args.a), connect(args.b)
    extra, extra_b = json.loads(args.extra), json.loads(args.extra_b)
    with open(args.queries, encoding="utf-8") as f:
        queries = [q.strip() for q in f if q.strip() and not q.startswith("#")]
    rows = []
    for q in queries:
        req = dict({"op": "search", "q": q, "limit": 10}, **extra)
        ta = min(took(a, req) for _ in range(args.runs))
        tb = min(took(b, dict(req, **extra_b)) for _ in range(args.runs))
        rows.append((q, ta, tb))
    sa, sb = sum(r[1] for r in rows), sum(r[2] for r in rows)
    ratios = [r[2] / r[1] for r in rows if r[1] > 0]
    print(f"{len(rows)} queries, minimum of {args.runs} runs each: "
          f"A {sa:.1f} ms, B {sb:.1f} ms, B/A {sb / sa:.3f}; "
          f"median per-query B/A {statistics.median(ratios):.3f}")
    for q, ta, tb in sorted(rows, key=lambda r: r[1] - r[2])[:args.top]:
        print(f"  {q[:40]:40} {ta:.2f} -> {tb:.2f} ms")


if __name__ == "__main__":
    main()
