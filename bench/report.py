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
   "requests", "seconds_total"}                              once per run
  {"kind":"corpus", "corpus", "path", "files", "mb", "passages"}
  {"kind":"index", "corpus", "system", "seconds", "rss_mb", "disk_mb", "passages"}
      system: attache, xapian_all, xapian_some, fts5, sphinx
  {"kind":"noop", "corpus", "system", "seconds", "rss_mb"}    no-op reindex
  {"kind":"query", "corpus", "system", "conns", "requests", "rps" (or "qps"),
   "p50_us", "p90_us", "p99_us", "max_us"}
      system: attache_unix, attache_tcp, xapian_floor, xapian_snippet, fts5,
      sphinx; conns: 1, 2, 4, 8, 16 (any subset)
  {"kind":"rss", "corpus", "system", "rss_mb", "when"}        daemon RSS

Corpora are "base" and the scale corpora "10M", "100M", "1G" (in that order;
others follow in input order). Ratios are always attache ÷ peer.
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
    System("sphinx", "Sphinx indexer 2.2", "Sphinx",
           "Sphinx's indexer on the same passages", "#8c564b"),
]
QUERY_SYSTEMS = [
    System("attache_unix", "attached, Unix socket", "attached (Unix)",
           "full request: JSON, snippets, quotes, match: auto", "#1f77b4"),
    System("attache_tcp", "attached, TCP", "attached (TCP)",
           "the same over TCP on localhost", "#17becf"),
    System("xapian_floor", "raw Xapian, no snippets (floor)", "Xapian floor",
           "in-process, same query parsing, top 10 with stored data", "#2ca02c"),
    System("xapian_snippet", "raw Xapian with MSet::snippet", "Xapian + snippet",
           "the floor plus Xapian's own snippets", "#ff7f0e"),
    System("fts5", "SQLite FTS5 in-process (bm25 + snippet)", "FTS5",
           "AND, then OR when AND gives fewer than 10 rows", "#9467bd"),
    System("sphinx", "Sphinx searchd 2.2 (SNIPPET, MySQL protocol)", "Sphinx",
           "searchd over its MySQL protocol, with SNIPPET()", "#8c564b"),
]
OTHER_COLORS = ["#d62728", "#e377c2", "#7f7f7f", "#bcbd22"]
DAEMONS = {"attache": "attached", "sphinx": "Sphinx searchd"}
CORPUS_ORDER = ["base", "10M", "100M", "1G"]
REF_INDEX = "attache"
REF_QUERY = "attache_unix"
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
        self.seen = []    # corpora in input order

    def add(self, rec):
        kind, corpus = rec.get("kind"), rec.get("corpus")
        if kind == "meta":
            self.meta = rec
            return
        if not isinstance(corpus, str) or kind not in ("corpus", "index", "noop",
                                                        "query", "rss"):
            return
        system, conns = rec.get("system"), num(rec.get("conns"))
        if kind != "corpus" and not isinstance(system, str):
            return
        if kind == "query" and (conns is None or conns < 1):
            return
        if corpus not in self.seen:
            self.seen.append(corpus)
        if kind == "corpus":
            self.corpus[corpus] = rec
        elif kind == "query":
            self.query[(corpus, system, int(conns))] = rec
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
        "- Requests per query run: %s" % m.get("requests", "unknown"), "",
    ]


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
        "1× attache is faster, for throughput (req/s) above 1× attache is faster.", "",
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
    return bullets(["%s RSS: %s MB%s." % (DAEMONS.get(s, s), fmt(r.get("rss_mb"), 1),
                                          " (%s)" % r["when"] if r.get("when") else "")
                    for s, r in records_of(res.rss, corpus)])


def section_latency(res, corpus):
    systems = query_systems(res, [corpus], 1)
    if not systems:
        return []
    ref = res.query.get((corpus, REF_QUERY, 1), {})
    rows = []
    for s in systems:
        r = res.query[(corpus, s.key, 1)]
        ratios = [DASH if s.key == REF_QUERY else fmt_ratio(div(ref.get(f), r.get(f)))
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
    ref = {n: rate(res.query.get((corpus, REF_QUERY, n))) for n in conns}
    ref_name = system_of(REF_QUERY, QUERY_SYSTEMS).short
    rows = []
    for s in systems:
        rates = [rate(res.query.get((corpus, s.key, n))) for n in conns]
        rows.append([s.label] + [fmt(r) for r in rates])
        if s.key != REF_QUERY and any(ref.values()):
            rows.append(["*%s ÷ %s*" % (ref_name, s.short)] +
                        [fmt_ratio(div(ref[n], r)) for n, r in zip(conns, rates)])
    head = ["req/s by connections"] + [str(n) for n in conns]
    return ["### Throughput", ""] + table(head, rows)


def section_corpus(res, corpus):
    body = (section_index(res, corpus) + section_noop(res, corpus) +
            section_latency(res, corpus) + section_throughput(res, corpus) +
            section_rss(res, corpus))
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
    peers = [s for s in query_systems(res, corpora, 1) if s.key != REF_QUERY]
    rows = []
    for c in corpora:
        ref = res.query.get((c, REF_QUERY, 1), {})
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


def section_charts(drawn, note):
    lines = ["## Charts", ""]
    if note:
        lines += [note, ""]
    for name, title in CHARTS:
        if name in drawn:
            lines += ["![%s](%s)" % (title, name), ""]
    return lines


def render(res, drawn, note):
    lines = section_header(res) + section_systems(res)
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
