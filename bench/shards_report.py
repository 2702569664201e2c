#!/usr/bin/env python3
"""bench/shards_report.py: the tables of bench/SHARDS.md from the results
bench/shards.sh collects.

Usage: bench/shards_report.py RESULTS

RESULTS has one tab-separated line a run: kind (attached or floor), setup
(one, local-N, remote-N), connections, round, server CPU milliseconds over
the run, the 1-minute load average before it, and the JSON printed by
bench/load (attached) or bench/query_floor (floor). Each table cell is the
median over the rounds; ratios are against the one index at the same
number of connections. Prints Markdown.
"""
import json
import statistics
import sys


def label(setup):
    if setup == "one":
        return "one index"
    kind, k = setup.split("-")
    if kind == "local":
        return "%s local shards (one process)" % k
    return "%s remote shards (%s xapian-tcpsrv)" % (k, k)


def load(path):
    runs = {}
    order = []
    for line in open(path, encoding="utf-8"):
        kind, setup, conns, _round, cpu_ms, la, js = line.rstrip("\n").split("\t")
        d = json.loads(js)
        count = d.get("requests", d.get("queries"))
        key = (kind, setup, int(conns))
        if key not in runs:
            runs[key] = []
            order.append(key)
        runs[key].append({
            "rps": d.get("rps", d.get("qps")),
            "p50": d["p50_us"],
            "p99": d["p99_us"],
            "cpu": float(cpu_ms) / count,
            "load": float(la),
        })
    return runs, order


def cell(rs, what):
    return statistics.median(r[what] for r in rs)


def table(kind, runs, order, cpu_title):
    print("| setup | conns | req/s | p50 µs | p99 µs | %s | req/s ÷ one index "
          "| p50 ÷ one index | load avg before |" % cpu_title)
    print("|---|---|---|---|---|---|---|---|---|")
    for key in order:
        if key[0] != kind:
            continue
        rs = runs[key]
        base = runs[(kind, "one", key[2])]
        loads = [r["load"] for r in rs]
        print("| %s | %d | %.0f | %.0f | %.0f | %.2f | %.2f× | %.2f× | %s |" % (
            label(key[1]), key[2], cell(rs, "rps"), cell(rs, "p50"), cell(rs, "p99"),
            cell(rs, "cpu"), cell(rs, "rps") / cell(base, "rps"),
            cell(rs, "p50") / cell(base, "p50"),
            "%.1f" % loads[0] if len(loads) == 1 else
            "%.1f–%.1f" % (min(loads), max(loads))))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().split("\n\n")[1])
    runs, order = load(sys.argv[1])
    print("### attached")
    print()
    table("attached", runs, order, "server CPU ms a request")
    print()
    print("Server CPU: attached and the xapian-tcpsrv processes it uses"
          " (utime+stime from /proc), over the requests of the run.")
    print()
    print("### Raw Xapian floor (bench/query_floor on the same layouts)")
    print()
    table("floor", runs, order, "CPU ms a query")
    print()
    print("CPU: query_floor itself (a client thread a connection, in-process)"
          " and the xapian-tcpsrv processes it uses.")


if __name__ == "__main__":
    main()
