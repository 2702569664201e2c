#!/usr/bin/env python3
"""bench/report.py: turn the benchmark results into bench/RESULTS.md and charts.

Usage: python3 bench/report.py RESULTS.jsonl OUTDIR

Writes OUTDIR/RESULTS.md and, when gnuplot is installed, OUTDIR/latency.svg,
OUTDIR/throughput.svg and OUTDIR/scale.svg (RESULTS.md names them relative to
itself). Python 3 standard library only, plus the gnuplot program.

Input (the contract with the benchmark driver): JSON lines, one record per
measurement, told apart by "kind". Any record may be missing; a record that
repeats an earlier key (same kind, corpus, system, conns) replaces it; lines
that are not JSON objects are skipped with a warning; records without a string
"corpus" (and "system", but for "corpus" records) or with conns < 1 are
ignored; unknown systems are shown under their raw names.

  {"kind":"meta", "date", "command", "cores", "cpu", "mem_gb", "kernel", "os",
   "versions":{"attache","xapian","sqlite","sphinx","libevent","gcc",...},
   "requests", "seconds_total", "attache_request"}           once per run
  {"kind":"corpus", "corpus", "path", "files", "mb", "passages"}
  {"kind":"index", "corpus", "system", "seconds", "rss_mb", "disk_mb", "passages"}
      system: attache, xapian_all, xapian_some, fts5, sphinx_deployed,
      sphinx (the prefix configuration)
  {"kind":"noop", "corpus", "system", "seconds", "rss_mb"}    no-op reindex
  {"kind":"query", "corpus", "system", "conns", "requests", "rps" (or "qps"),
   "p50_us", "p90_us", "p99_us", "max_us", "server_cpu_ms"}
      system: attache_top10, attache_http, attache_top10_unix, attache_unix,
      attache_tcp, xapian_floor, xapian_snippet, fts5, sphinx_deployed, sphinx; conns: 1,
      2, 4, 8, 16 (any subset); server_cpu_ms (daemons only): the server's
      CPU time (user + system) per query over the run
  {"kind":"noise", ...}  as "query": a run repeated later, to show the noise
  {"kind":"rss", "corpus", "system", "rss_mb", "rss_anon_mb", "when"}
      daemon memory: peak RSS (VmHWM) and RssAnon after its runs

Corpora are "base" and the scale corpora "10M", "100M", "1G" (in that order;
others follow in input order). Ratios are always attache ÷ peer. The
reference row of attached is attache_top10 (asked what searchd is asked)
when the results have it, else attache_unix. The summary at the top sets
the aims against the base corpus's figures, each against the faster
Sphinx configuration for that figure, and attache_http (the same request
as attache_top10, as POST /search over HTTP) against attache_top10.
"""

import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile

# A system: its key in the results, its label in tables, a short name for
# column headers and charts, what it measures, and its colour in the charts
# (one colour per family: attache blue, Xapian green/orange, FTS5 purple,
# Sphinx brown).
System = collections.namedtuple("System", "key label short desc color")

INDEX_SYSTEMS = [
    System("attache", "attache-index", "attache", "attache's indexer: passages, quotes, "
           "compacted index", "#1f77b4"),
    System("xapian_all", "raw Xapian, STEM_ALL (floor)", "Xapian STEM_ALL",
           "bare TermGenerator on the same passages, stemmed terms only", "#2ca02c"),
    System("xapian_some", "raw Xapian, STEM_SOME (Xapian's default)", "Xapian STEM_SOME",
           "bare TermGenerator, stemmed and unstemmed terms", "#ff7f0e"),
    System("fts5", "SQLite FTS5 (porter unicode61)", "FTS5",
           "one row per passage, one transaction", "#9467bd"),
    System("sphinx_deployed", "Sphinx indexer 2.2, deployed", "Sphinx deployed",
           "Sphinx's indexer on the same passages, no prefix indexing", "#8c564b"),
    System("sphinx", "Sphinx indexer 2.2, prefix", "Sphinx prefix",
           "the same with min_prefix_len = 1 (word* works)", "#c49c94"),
]
QUERY_SYSTEMS = [
    System("attache_top10", "attached, top 10 + 200-byte snippet, TCP", "attached",
           "asked what searchd is asked: top 10, highlight.length 200, no quotes",
           "#1f77b4"),
    System("attache_http", "attached, top 10 + 200-byte snippet, HTTP POST /search",
           "attached (HTTP)", "the same request as the body of POST /search on its HTTP "
           "listener, keep-alive", "#393b79"),
    System("attache_top10_unix", "attached, top 10 + 200-byte snippet, Unix socket",
           "attached (Unix)", "the same over its Unix socket", "#17becf"),
    System("attache_unix", "attached, full default request, Unix socket",
           "attached (full)", "defaults: 240-byte snippets, quotations", "#aec7e8"),
    System("attache_tcp", "attached, full default request, TCP", "attached (full, TCP)",
           "the same over TCP on localhost", "#9edae5"),
    System("xapian_floor", "raw Xapian, no snippets (floor)", "Xapian floor",
           "in-process, same query parsing, top 10 with stored data", "#2ca02c"),
    System("xapian_snippet", "raw Xapian with MSet::snippet", "Xapian + snippet",
           "the floor plus Xapian's own snippets", "#ff7f0e"),
    System("fts5", "SQLite FTS5 in-process (bm25 + snippet)", "FTS5",
           "AND, then OR when AND gives fewer than 10 rows", "#9467bd"),
    System("sphinx_deployed", "Sphinx searchd 2.2, deployed (MySQL protocol)",
           "searchd deployed", "no prefix indexing; SNIPPET(content, q, 'limit=200', "
           "'query_mode=1')", "#8c564b"),
    System("sphinx", "Sphinx searchd 2.2, prefix (MySQL protocol)", "searchd prefix",
           "min_prefix_len = 1; SNIPPET() of about 40 words", "#c49c94"),
]
OTHER_COLORS = ["#d62728", "#e377c2", "#7f7f7f", "#bcbd22"]
DAEMONS = {"attache": "attached", "sphinx": "Sphinx searchd (prefix)",
           "sphinx_deployed": "Sphinx searchd (deployed)"}
CORPUS_ORDER = ["base", "10M", "100M", "1G"]
REF_INDEX = "attache"
REF_QUERIES = ["attache_top10", "attache_unix"]  # the first present is the reference
HTTP_QUERY, SOCKET_QUERY = "attache_http", "attache_top10"  # the same request, two fronts
HTTP_AIM = 1.15  # HTTP p50 ÷ socket p50, at most
SPHINX_INDEX = ["sphinx_deployed", "sphinx"]
SPHINX_QUERY = ["sphinx_deployed", "sphinx"]
SUMMARY_CORPUS = "base"
TERMINAL = "set terminal svg size 800,480 dynamic font 'sans,11'"
CHARTS = [("latency.svg", "Latency against connections"),
          ("throughput.svg", "Throughput against connections"),
          ("scale.svg", "Index cost and query p99 against corpus size")]
DASH = "—"
LOG_Y = ["set logscale y 10", "set yrange [*:*]", "set format y '%.0f'"]
LINEAR_Y = ["unset logscale y", "set yrange [0:*]", "set format y '%g'"]


# ---------------------------------------------------------------- input

class Results:
    """The records of one run, keyed for lookup."""

    def __init__(self):
        self.meta = {}
        self.corpus = {}  # corpus -> record
        self.index = {}   # (corpus, system) -> record
        self.noop = {}    # (corpus, system) -> record
        self.query = {}   # (corpus, system, conns) -> record
        self.rss = {}     # (corpus, system) -> record
        self.noise = {}   # (corpus, system, conns) -> record of the repeated run
        self.seen = []    # corpora in input order
        self.ref = REF_QUERIES[0]  # the reference query system, set by load()

    def add(self, rec):
        kind, corpus = rec.get("kind"), rec.get("corpus")
        if kind == "meta":
            self.meta = rec
            return
        if not isinstance(corpus, str) or kind not in ("corpus", "index", "noop",
                                                        "query", "noise", "rss"):
            return
        system, conns = rec.get("system"), num(rec.get("conns"))
        if kind != "corpus" and not isinstance(system, str):
            return
        if kind in ("query", "noise") and (conns is None or conns < 1):
            return
        if corpus not in self.seen:
            self.seen.append(corpus)
        if kind == "corpus":
            self.corpus[corpus] = rec
        elif kind in ("query", "noise"):
            getattr(self, kind)[(corpus, system, int(conns))] = rec
        else:
            getattr(self, kind)[(corpus, system)] = rec

    def corpora(self):
        known = [c for c in CORPUS_ORDER if c in self.seen]
        return known + [c for c in self.seen if c not in CORPUS_ORDER]

    def conns(self, corpus):
        return sorted({k[2] for k in self.query if k[0] == corpus})

    def mb(self, corpus):
        """The corpus size in MB, or None when unknown (or not positive)."""
        mb = num(self.corpus.get(corpus, {}).get("mb"))
        return mb if mb is not None and mb > 0 else None


def load(path):
    res = Results()
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError as e:
                warn("%s:%d: not JSON (%s), skipped" % (path, lineno, e))
                continue
            if isinstance(rec, dict):
                res.add(rec)
            else:
                warn("%s:%d: not a JSON object, skipped" % (path, lineno))
    present = {k[1] for k in res.query}
    res.ref = next((r for r in REF_QUERIES if r in present), REF_QUERIES[0])
    return res


def warn(msg):
    print("report.py: " + msg, file=sys.stderr)


# ---------------------------------------------------------------- numbers

def num(v):
    """v as a float, or None when it is missing or not a number."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v)


def div(a, b):
    a, b = num(a), num(b)
    return a / b if a is not None and b else None


def fmt(v, digits=0):
    v = num(v)
    return DASH if v is None else "%.*f" % (digits, v)


def fmt_secs(v):
    v = num(v)
    return DASH if v is None else fmt(v, 2 if v < 100 else 0)


def fmt_ratio(r):
    if r is None:
        return DASH
    return "%.*f×" % (2 if r < 10 else 1 if r < 100 else 0, r)


def rate(rec):
    """Requests per second of a query record (rps, or qps from in-process tools)."""
    return num(rec.get("rps", rec.get("qps"))) if rec else None


# ---------------------------------------------------------------- markdown

def table(header, rows):
    """A markdown table as a list of lines."""
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out + [""]


def systems_present(catalogue, present):
    """The Systems whose keys are in present: catalogue order, then unknown keys
    under their own names."""
    known = [s for s in catalogue if s.key in present]
    unknown = sorted(present - {s.key for s in catalogue}, key=str)
    return known + [System(k, str(k), str(k), "", OTHER_COLORS[i % len(OTHER_COLORS)])
                    for i, k in enumerate(unknown)]


def system_of(key, catalogue):
    """The System of key, or one named after key when the catalogue lacks it."""
    return next((s for s in catalogue if s.key == key),
                System(key, str(key), str(key), "", OTHER_COLORS[0]))


def index_systems(res, corpora):
    return systems_present(INDEX_SYSTEMS, {s for c, s in res.index if c in corpora})


def query_systems(res, corpora, conns=None):
    return systems_present(QUERY_SYSTEMS, {s for c, s, n in res.query
                                           if c in corpora and conns in (None, n)})


def joined(parts, sep=", "):
    """The parts that are present (not None or empty), joined."""
    return sep.join(str(p) for p in parts if p not in (None, ""))


def meta_lines(m):
    v = m.get("versions") if isinstance(m.get("versions"), dict) else {}
    total = num(m.get("seconds_total"))
    machine = joined([
        "%s cores" % m["cores"] if m.get("cores") else None, m.get("cpu"),
        "%s GB RAM" % fmt(m["mem_gb"]) if num(m.get("mem_gb")) else None, m.get("os"),
        "kernel %s" % m["kernel"] if m.get("kernel") else None])
    return [
        "- Run: " + (joined([m.get("date"), "whole run %.0f s" % total if total else None])
                     or "date unknown"),
        "- Machine: " + (machine or "unknown"),
        "- Versions: " + (joined("%s %s" % kv for kv in v.items()) or "unknown"),
        "- Requests per query run: %s" % m.get("requests", "unknown"),
    ] + (["- attached's top-10 request: `%s`" % request_text(m["attache_request"])]
         if m.get("attache_request") else []) + [""]


def request_text(r):
    """A request as JSON text (the driver may store it as an object)."""
    return r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)


def section_header(res):
    command = res.meta.get("command") or "make bench"
    return [
        "# Benchmark results", "",
        "<!-- Generated by bench/report.py from the results of `%s`." % command,
        "     Do not edit by hand: change bench/report.py or rerun the benchmarks. -->", "",
        "*Generated by `%s` (bench/report.py); do not edit this file by hand.*" % command, "",
    ] + meta_lines(res.meta) + [
        "Every figure comes from one run on one machine; compare the ratios, not the",
        "absolute numbers. Ratios are attache ÷ peer: for times and latencies below",
        "1× attache is faster, for throughput (req/s) above 1× attache is faster.",
        "The queries' ratios are those of \"%s\"." % system_of(res.ref, QUERY_SYSTEMS).label,
        "",
    ]


def section_systems(res):
    idx = {s for _, s in res.index}
    qry = {s for _, s, _ in res.query}
    rows = [("index", s.label, s.desc) for s in INDEX_SYSTEMS if s.key in idx]
    rows += [("query", s.label, s.desc) for s in QUERY_SYSTEMS if s.key in qry]
    if not rows:
        return []
    return ["## Systems", ""] + table(["", "system", "what it measures"], rows)


def corpus_line(res, corpus):
    c = res.corpus.get(corpus)
    if c is None:
        return "No corpus record for this corpus."
    when = " Measured %s." % c["date"] if c.get("date") else ""
    return "Corpus `%s`: %s files, %s MB, %s passages.%s" % (
        c.get("path", corpus), fmt(c.get("files")), fmt(c.get("mb"), 1),
        fmt(c.get("passages")), when)


def section_index(res, corpus):
    systems = index_systems(res, [corpus])
    if not systems:
        return []
    ref = res.index.get((corpus, REF_INDEX), {}).get("seconds")
    mb = res.mb(corpus)
    rows = []
    for s in systems:
        r = res.index[(corpus, s.key)]
        rows.append([s.label, fmt(r.get("passages")), fmt_secs(r.get("seconds")),
                     fmt(div(r.get("seconds"), mb), 3), fmt(r.get("rss_mb")),
                     fmt(r.get("disk_mb"), 1),
                     DASH if s.key == REF_INDEX else fmt_ratio(div(ref, r.get("seconds")))])
    head = ["index build", "passages", "seconds", "s per MB", "peak RSS MB", "on disk MB",
            "attache ÷ peer (time)"]
    return ["### Index build", ""] + table(head, rows)


def records_of(recs, corpus):
    """(system, record) of one corpus from a {(corpus, system): record} dict."""
    return sorted(((k[1], r) for k, r in recs.items() if k[0] == corpus),
                  key=lambda kr: str(kr[0]))


def bullets(lines):
    return ["- " + line for line in lines] + ([""] if lines else [])


def section_noop(res, corpus):
    return bullets(["No-op reindex (%s rerun with nothing changed): %s s, peak RSS %s MB." % (
        system_of(s, INDEX_SYSTEMS).label, fmt_secs(r.get("seconds")), fmt(r.get("rss_mb")))
        for s, r in records_of(res.noop, corpus)])


def section_rss(res, corpus):
    return bullets(["%s%s: peak RSS %s MB%s." % (
        DAEMONS.get(s, s), " " + r["when"] if r.get("when") else "", fmt(r.get("rss_mb"), 1),
        "" if num(r.get("rss_anon_mb")) is None else ", RssAnon %s MB" % fmt(r["rss_anon_mb"], 1))
        for s, r in records_of(res.rss, corpus)])


def section_cpu(res, corpus):
    """The daemons' CPU time per query, by connections."""
    conns = res.conns(corpus)
    systems = [s for s in query_systems(res, [corpus])
               if any(num(res.query.get((corpus, s.key, n), {}).get("server_cpu_ms"))
                      is not None for n in conns)]
    if not systems:
        return []
    cpu = {(s.key, n): num(res.query.get((corpus, s.key, n), {}).get("server_cpu_ms"))
           for s in systems for n in conns}
    ref_name = system_of(res.ref, QUERY_SYSTEMS).short
    rows = []
    for s in systems:
        rows.append([s.label] + [fmt(cpu[(s.key, n)], 3) for n in conns])
        if s.key != res.ref and any(cpu.get((res.ref, n)) for n in conns):
            rows.append(["*%s ÷ %s*" % (ref_name, s.short)] +
                        [fmt_ratio(div(cpu.get((res.ref, n)), cpu[(s.key, n)]))
                         for n in conns])
    head = ["server CPU ms per query, by connections"] + [str(n) for n in conns]
    return ["### Server CPU per query", "",
            "The daemon's user + system time (all its threads, /proc/PID/stat) over a "
            "run, divided by the queries of the run; below 1× attached uses less.", ""] + \
        table(head, rows)


def section_latency(res, corpus):
    systems = query_systems(res, [corpus], 1)
    if not systems:
        return []
    ref = res.query.get((corpus, res.ref, 1), {})
    rows = []
    for s in systems:
        r = res.query[(corpus, s.key, 1)]
        ratios = [DASH if s.key == res.ref else fmt_ratio(div(ref.get(f), r.get(f)))
                  for f in ("p50_us", "p99_us")]
        rows.append([s.label, fmt(rate(r))] +
                    [fmt(r.get(f)) for f in ("p50_us", "p90_us", "p99_us", "max_us")] + ratios)
    head = ["one client, top 10", "req/s", "p50 µs", "p90 µs", "p99 µs", "max µs",
            "attache ÷ peer (p50)", "attache ÷ peer (p99)"]
    return ["### One client: latency", ""] + table(head, rows)


def section_throughput(res, corpus):
    conns = res.conns(corpus)
    systems = query_systems(res, [corpus])
    if not systems:
        return []
    ref = {n: rate(res.query.get((corpus, res.ref, n))) for n in conns}
    ref_name = system_of(res.ref, QUERY_SYSTEMS).short
    rows = []
    for s in systems:
        rates = [rate(res.query.get((corpus, s.key, n))) for n in conns]
        rows.append([s.label] + [fmt(r) for r in rates])
        if s.key != res.ref and any(ref.values()):
            rows.append(["*%s ÷ %s*" % (ref_name, s.short)] +
                        [fmt_ratio(div(ref[n], r)) for n, r in zip(conns, rates)])
    head = ["req/s by connections"] + [str(n) for n in conns]
    return ["### Throughput", ""] + table(head, rows)


def section_corpus(res, corpus):
    body = (section_index(res, corpus) + section_noop(res, corpus) +
            section_latency(res, corpus) + section_throughput(res, corpus) +
            section_cpu(res, corpus) + section_rss(res, corpus) + section_noise(res, corpus))
    return ["## Corpus %s" % corpus, "", corpus_line(res, corpus), ""] + \
        (body or ["No measurements for this corpus.", ""])


def section_scale_index(res, corpora):
    peers = [s for s in index_systems(res, corpora) if s.key != REF_INDEX]
    rows = []
    for c in corpora:
        mb = res.mb(c)
        secs = res.index.get((c, REF_INDEX), {}).get("seconds")
        ref = div(secs, mb)
        # The ratio of s/MB on one corpus is the ratio of seconds: no MB needed.
        rows.append([c, fmt(mb, 1), fmt_secs(secs), fmt(ref, 3)] +
                    [fmt_ratio(div(secs, res.index.get((c, s.key), {}).get("seconds")))
                     for s in peers])
    head = ["corpus", "MB", "attache index s", "attache s/MB"] + \
        ["attache ÷ %s (s/MB)" % s.short for s in peers]
    return ["### Indexing", ""] + table(head, rows)


def section_scale_query(res, corpora):
    peers = [s for s in query_systems(res, corpora, 1) if s.key != res.ref]
    rows = []
    for c in corpora:
        ref = res.query.get((c, res.ref, 1), {})
        row = [c, fmt(res.mb(c), 1), fmt(ref.get("p50_us")), fmt(ref.get("p99_us"))]
        for s in peers:
            p99 = res.query.get((c, s.key, 1), {}).get("p99_us")
            ratio = div(ref.get("p99_us"), p99)
            row.append(fmt(p99) + ("" if ratio is None else " (%s)" % fmt_ratio(ratio)))
        rows.append(row)
    head = ["corpus", "MB", "attached p50 µs", "attached p99 µs"] + \
        ["%s p99 µs (attache ÷ it)" % s.short for s in peers]
    return ["### Queries, one client", ""] + table(head, rows)


def section_scale(res):
    corpora = res.corpora()
    if not corpora:
        return []
    lines = ["## Scaling across corpora", ""]
    if len(corpora) == 1:
        lines += ["Only the `%s` corpus was measured in this run." % corpora[0], ""]
    if index_systems(res, corpora):
        lines += section_scale_index(res, corpora)
    if query_systems(res, corpora, 1):
        lines += section_scale_query(res, corpora)
    return lines


# ---------------------------------------------------------------- summary

def best(candidates, lower_is_better):
    """(key, value) of the best of [(key, value)] with a positive value, or
    (None, None)."""
    have = [(k, v) for k, v in candidates if v is not None and v > 0]
    if not have:
        return None, None
    return (min if lower_is_better else max)(have, key=lambda kv: kv[1])


def aim_row(what, aim, mine, theirs, lower_is_better, limit, digits, unit, names):
    """One row of the summary: attached's figure against the best of theirs
    [(key, value)]; met when the ratio is within limit."""
    key, other = best(theirs, lower_is_better)
    ratio = div(mine, other)
    if ratio is None:
        return [what, aim, DASH, DASH, DASH]
    met = ratio <= limit if lower_is_better else ratio >= limit
    rest = [names.get(k, k) + " " + fmt(v, digits) + unit for k, v in theirs
            if k != key and v]
    return [what, aim, "**%s** (%s ÷ %s%s)" % (fmt_ratio(ratio), fmt(mine, digits),
                                                fmt(other, digits), unit),
            names.get(key, key) + ("" if not rest else "; " + ", ".join(rest)),
            "yes" if met else "no"]


def plural(n, word):
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


def summary_query_rows(res, c):
    names = {s.key: s.short for s in QUERY_SYSTEMS}
    q1 = res.query.get((c, res.ref, 1), {})
    rows = []
    for f, label in (("p50_us", "p50"), ("p99_us", "p99")):
        theirs = [(k, num(res.query.get((c, k, 1), {}).get(f))) for k in SPHINX_QUERY]
        rows.append(aim_row("one client, %s latency" % label, "≤ 0.5× searchd",
                            num(q1.get(f)), theirs, True, 0.5, 0, " µs", names))
    for n in res.conns(c):
        theirs = [(k, rate(res.query.get((c, k, n)))) for k in SPHINX_QUERY]
        rows.append(aim_row("throughput, %s" % plural(n, "connection"),
                            "≥ 2× searchd", rate(res.query.get((c, res.ref, n))), theirs,
                            False, 2, 0, " req/s", names))
    return rows


def summary_cpu_row(res, c):
    names = {s.key: s.short for s in QUERY_SYSTEMS}
    conns = res.conns(c)
    mine = [(n, num(res.query.get((c, res.ref, n), {}).get("server_cpu_ms"))) for n in conns]
    mine = [(n, v) for n, v in mine if v is not None]
    if not mine:
        return ["server CPU per query", "≤ 0.2 ms", DASH, DASH, DASH]
    worst_n, worst = max(mine, key=lambda nv: nv[1])
    theirs = [(k, num(res.query.get((c, k, worst_n), {}).get("server_cpu_ms")))
              for k in SPHINX_QUERY]
    key, other = best(theirs, True)
    rest = ["%s %s ms" % (names.get(k, k), fmt(v, 3)) for k, v in theirs if k != key and v]
    vs = DASH if key is None else "%s %s ms at %d (attached ÷ it: %s)%s" % (
        names.get(key, key), fmt(other, 3), worst_n, fmt_ratio(div(worst, other)),
        "".join("; " + r for r in rest))
    return ["server CPU per query", "≤ 0.2 ms",
            "**%s ms** (worst, at %s; %s)" % (
                fmt(worst, 3), plural(worst_n, "connection"),
                ", ".join("%d: %s" % (n, fmt(v, 3)) for n, v in mine)),
            vs, "yes" if worst <= 0.2 else "no"]


def summary_http_row(res, c):
    """HTTP p50 ÷ socket p50 of the same request at one client, the other
    connection counts beside it; None when the results have no HTTP row."""
    ratios = [(n, div(res.query.get((c, HTTP_QUERY, n), {}).get("p50_us"),
                      res.query.get((c, SOCKET_QUERY, n), {}).get("p50_us")))
              for n in res.conns(c)]
    ratios = [(n, r) for n, r in ratios if r is not None]
    if not ratios:
        return None
    what, aim = "HTTP p50 ÷ socket p50", "≤ %.2f×" % HTTP_AIM
    one = dict(ratios).get(1)
    if one is None:
        return [what, aim, DASH, DASH, DASH]
    http = num(res.query[(c, HTTP_QUERY, 1)].get("p50_us"))
    sock = num(res.query[(c, SOCKET_QUERY, 1)].get("p50_us"))
    rest = ["%d: %s" % (n, fmt_ratio(r)) for n, r in ratios if n != 1]
    return [what + ", one client", aim, "**%s** (%s ÷ %s µs)" % (
        fmt_ratio(one), fmt(http), fmt(sock)),
        "attached over TCP, the same request" + ("; by connections " + ", ".join(rest)
                                                 if rest else ""),
        "yes" if one <= HTTP_AIM else "no"]


def summary_index_rows(res, c):
    names = {s.key: s.short for s in INDEX_SYSTEMS}
    mine = num(res.index.get((c, REF_INDEX), {}).get("seconds"))
    sphinx = [(k, num(res.index.get((c, k), {}).get("seconds"))) for k in SPHINX_INDEX]
    xsome = [("xapian_some", num(res.index.get((c, "xapian_some"), {}).get("seconds")))]
    return [aim_row("index build", "≤ 3× Sphinx indexer", mine, sphinx, True, 3, 2, " s",
                    names),
            aim_row("index build", "≤ 0.5× raw Xapian STEM_SOME", mine, xsome, True, 0.5, 2,
                    " s", names)]


def summary_rss_row(res, c):
    anon = num(res.rss.get((c, "attache"), {}).get("rss_anon_mb"))
    return ["attached RssAnon after its runs", "< 100 MB",
            DASH if anon is None else "**%s MB**" % fmt(anon, 1), DASH,
            DASH if anon is None else ("yes" if anon < 100 else "no")]


def noise_spread(res, c, key):
    """[(field, first, second, spread)] of a system's repeated one-client run."""
    a, b = res.query.get((c, key, 1)), res.noise.get((c, key, 1))
    if not a or not b:
        return []
    out = []
    for f in ("p50_us", "p99_us", "rps"):
        x, y = (rate(a), rate(b)) if f == "rps" else (num(a.get(f)), num(b.get(f)))
        if x and y:
            out.append((f, x, y, abs(x - y) / min(x, y)))
    return out


def noise_text(res, c, key, names):
    spread = noise_spread(res, c, key)
    if not spread:
        return None
    unit = {"p50_us": " µs", "p99_us": " µs", "rps": " req/s"}
    label = {"p50_us": "p50", "p99_us": "p99", "rps": "req/s"}
    return "%s: %s" % (names.get(key, key), ", ".join(
        "%s %s → %s%s (%.0f%%)" % (label[f], fmt(x), fmt(y), unit[f], 100 * d)
        for f, x, y, d in spread))


def section_summary(res):
    c = SUMMARY_CORPUS
    if not any(k[0] == c for k in res.query) and not any(k[0] == c for k in res.index):
        return []
    http = summary_http_row(res, c)
    rows = summary_query_rows(res, c) + [summary_cpu_row(res, c)] + \
        summary_index_rows(res, c) + [summary_rss_row(res, c)] + ([http] if http else [])
    ref = system_of(res.ref, QUERY_SYSTEMS)
    lines = ["## Summary: the aims against this run", "",
             "Corpus `%s`. attached is \"%s\" (%s). Each ratio is attache ÷ the faster "
             "Sphinx configuration for that figure (named, with the other's figure "
             "beside it): searchd *deployed* (no prefix indexing, a 200-character "
             "snippet) or *prefix* (min_prefix_len = 1, a 40-word snippet); the index "
             "build against the faster Sphinx indexer, and against raw Xapian with "
             "Xapian's default STEM_SOME.%s" % (
                 c, ref.label, ref.desc,
                 "" if http is None else " The last row sets attached's HTTP front "
                 "(POST /search) against its socket protocol over TCP, on the same "
                 "request."), ""]
    lines += table(["figure", "aim", "measured (attache ÷ peer)", "against", "met"], rows)
    names = {s.key: s.label for s in QUERY_SYSTEMS}
    spread = [t for t in (noise_text(res, c, k, names) for k in [res.ref] + SPHINX_QUERY) if t]
    if spread:
        worst = {}
        for k in [res.ref] + SPHINX_QUERY:
            for f, _, _, d in noise_spread(res, c, k):
                worst[f] = max(worst.get(f, 0), d)
        lines += ["Noise: the one-client runs of attached and both searchds were run again "
                  "minutes after the first (first → second, spread = difference ÷ the "
                  "smaller):", ""] + bullets(spread) + [
                  "Two runs of the same thing differed by up to %s here: a ratio closer to "
                  "its aim than that is not settled by one run on this machine." % ", ".join(
                      "%.0f%% (%s)" % (100 * d, {"p50_us": "p50", "p99_us": "p99",
                                                 "rps": "req/s"}[f])
                      for f, d in worst.items()), ""]
    return lines


def section_noise(res, corpus):
    names = {s.key: s.label for s in QUERY_SYSTEMS}
    texts = [noise_text(res, corpus, k, names)
             for k in sorted({k[1] for k in res.noise if k[0] == corpus}, key=str)]
    texts = [t for t in texts if t]
    if not texts:
        return []
    return ["One client, run again later (first → second):", ""] + bullets(texts)


def section_charts(drawn, note):
    lines = ["## Charts", ""]
    if note:
        lines += [note, ""]
    for name, title in CHARTS:
        if name in drawn:
            lines += ["![%s](%s)" % (title, name), ""]
    return lines


def render(res, drawn, note):
    lines = section_header(res) + section_summary(res) + section_systems(res)
    for c in res.corpora():
        lines += section_corpus(res, c)
    lines += section_scale(res) + section_charts(drawn, note)
    return "\n".join(lines).rstrip("\n") + "\n"


# ---------------------------------------------------------------- charts

def gp_str(s):
    """s as a single-quoted gnuplot string."""
    return "'" + str(s).replace("'", "''") + "'"


class Chart:
    """The data files of one gnuplot run, in a temp dir."""

    def __init__(self, tmp, name):
        self.tmp, self.name, self.ndat = tmp, name, 0

    def data(self, rows):
        """Write rows (tuples of numbers) to a new .dat file; return its path."""
        self.ndat += 1
        path = os.path.join(self.tmp, "%s.%d.dat" % (self.name, self.ndat))
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(" ".join(repr(float(v)) for v in row) + "\n" for row in rows)
        return path


def series_by_conns(res, corpus, fields):
    """[(System, [(conns, value...)])] for the query systems of corpus, keeping
    the points where every field is a positive number."""
    out = []
    for s in query_systems(res, [corpus]):
        rows = []
        for n in res.conns(corpus):
            r = res.query.get((corpus, s.key, n))
            vals = [(rate(r) if f == "rps" else num(r.get(f))) if r else None for f in fields]
            if all(v is not None and v > 0 for v in vals):
                rows.append((n,) + tuple(vals))
        if rows:
            out.append((s, rows))
    return out


def curve_corpora(res):
    """The corpora of the scale curve: the scale corpora when there are two
    or more (the real corpus is another text, not a point on their curve),
    else every corpus."""
    scale = [c for c in res.corpora() if c != "base"]
    return scale if len(scale) >= 2 else res.corpora()


def series_by_size(res, systems, value):
    """[(System, [(corpus MB, value)])] over the corpora of the curve."""
    out = []
    for s in systems:
        rows = [(res.mb(c), value(c, s.key)) for c in curve_corpora(res) if res.mb(c)]
        rows = sorted(r for r in rows if r[1] is not None and r[1] > 0)
        if rows:
            out.append((s, rows))
    return out


def chart_corpus(res):
    """The corpus the connection charts show: base, else the first with queries."""
    with_queries = [c for c in res.corpora() if res.conns(c)]
    return "base" if "base" in with_queries else (with_queries[0] if with_queries else None)


def plot_line(path, cols, system, title=None, dash=1):
    return "%s using %s with linespoints lw 2 pt 7 ps 0.6 dt %d lc rgb '%s' %s" % (
        gp_str(path), cols, dash, system.color,
        "notitle" if title is None else "title " + gp_str(title))


def plot(plots):
    return "plot " + ", \\\n     ".join(plots)


def conns_axes(conns):
    return ["set logscale x 2", "set xlabel 'connections (client threads)'",
            "set xrange [%g:%g]" % (min(conns) / 1.25, max(conns) * 1.25),
            "set xtics (%s)" % ", ".join("'%d' %d" % (n, n) for n in conns),
            "set key outside right top Left reverse"]


def script_latency(res, chart):
    corpus = chart_corpus(res)
    series = series_by_conns(res, corpus, ("p50_us", "p99_us")) if corpus else []
    if not series:
        return None
    plots = []
    for s, rows in series:
        path = chart.data(rows)
        plots += [plot_line(path, "1:2", s, s.short), plot_line(path, "1:3", s, dash=2)]
    return conns_axes(res.conns(corpus)) + [
        "set title %s" % gp_str("Latency, corpus %s: p50 solid, p99 dashed" % corpus),
        *LOG_Y, "set ylabel 'latency µs (log)'", plot(plots)]


def script_throughput(res, chart):
    corpus = chart_corpus(res)
    series = series_by_conns(res, corpus, ("rps",)) if corpus else []
    if not series:
        return None
    return conns_axes(res.conns(corpus)) + [
        "set title %s" % gp_str("Throughput, corpus %s" % corpus),
        *LINEAR_Y, "set ylabel 'requests per second'",
        plot([plot_line(chart.data(rows), "1:2", s, s.short) for s, rows in series])]


def scale_panel(chart, series, title, ylabel, logy):
    mbs = sorted({r[0] for _, rows in series for r in rows})
    return ["set title %s" % gp_str(title), "set logscale x 10",
            "set xrange [%g:%g]" % (mbs[0] / 1.5, mbs[-1] * 1.5),
            "set xlabel 'corpus MB (log)'", "set ylabel %s" % gp_str(ylabel),
            *(LOG_Y if logy else LINEAR_Y),
            "set key below Left reverse",
            plot([plot_line(chart.data(rows), "1:2", s, s.short) for s, rows in series])]


def script_scale(res, chart):
    corpora = curve_corpora(res)
    idx = series_by_size(res, index_systems(res, corpora),
                         lambda c, k: div(res.index.get((c, k), {}).get("seconds"), res.mb(c)))
    qry = series_by_size(res, query_systems(res, corpora, 1),
                         lambda c, k: num(res.query.get((c, k, 1), {}).get("p99_us")))
    panels = []
    if idx:
        panels.append(scale_panel(chart, idx, "Index build", "seconds per MB", False))
    if qry:
        panels.append(scale_panel(chart, qry, "One client: p99", "p99 µs (log)", True))
    if not panels:
        return None
    return ["set multiplot layout 1,%d" % len(panels)] + \
        [line for p in panels for line in p] + ["unset multiplot"]


def run_gnuplot(lines, out_path):
    """Feed gnuplot the script on stdin; returns an error message or None."""
    script = "\n".join(["set encoding utf8", TERMINAL, "set termoption noenhanced",
                        "set output %s" % gp_str(out_path), "set grid"] + lines +
                       ["unset output", ""])
    try:
        p = subprocess.run(["gnuplot"], input=script, capture_output=True, text=True,
                           timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        return str(e)
    if p.returncode != 0:
        return p.stderr.strip().splitlines()[-1] if p.stderr.strip() else \
            "exit status %d" % p.returncode
    return None


def draw_charts(res, outdir):
    """Draw what there is data for. Returns (names drawn, note for RESULTS.md)."""
    if shutil.which("gnuplot") is None:
        return set(), ("Charts were not drawn: gnuplot was not found "
                       "(`apt-get install gnuplot-nox`, then rerun).")
    makers = {"latency.svg": script_latency, "throughput.svg": script_throughput,
              "scale.svg": script_scale}
    drawn, problems = set(), []
    with tempfile.TemporaryDirectory(prefix="attache-report.") as tmp:
        for name, _ in CHARTS:
            lines = makers[name](res, Chart(tmp, name.split(".")[0]))
            if lines is None:
                problems.append("%s: no data" % name)
                continue
            # Drawn in tmp and moved into place, so a failure leaves no half chart.
            err = run_gnuplot(lines, os.path.join(tmp, name))
            if err is None:
                shutil.move(os.path.join(tmp, name), os.path.join(outdir, name))
                drawn.add(name)
            else:
                warn("gnuplot failed on %s: %s" % (name, err))
                problems.append("%s: gnuplot failed (%s)" % (name, err))
    return drawn, ("Not drawn: " + "; ".join(problems) + ".") if problems else ""


# ---------------------------------------------------------------- main

def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv):
    if len(argv) != 3:
        print("usage: report.py RESULTS.jsonl OUTDIR", file=sys.stderr)
        return 2
    try:
        res = load(argv[1])
    except OSError as e:
        print("report.py: %s" % e, file=sys.stderr)
        return 1
    outdir = argv[2]
    os.makedirs(outdir, exist_ok=True)
    drawn, note = draw_charts(res, outdir)
    write_atomic(os.path.join(outdir, "RESULTS.md"), render(res, drawn, note))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
