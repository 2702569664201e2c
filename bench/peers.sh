#!/bin/sh
# bench/peers.sh: attache beside its peers on one corpus, in one run on one
# machine. Indexing: wall seconds, peak RSS and size on disk of
# attache-index, raw Xapian (bench/xapian_floor --stem all and --stem some)
# and SQLite FTS5 (bench/fts5_peer index), all on the same passages. Then
# single-client query latency on bench/queries.txt: raw Xapian in-process on
# attache's index (bench/query_floor, without and with MSet::snippet), FTS5
# in-process (bench/fts5_peer query) and attached over its Unix socket
# (bench/load -c 1). Prints markdown tables with attache's ratio to each
# peer (attache's seconds / the peer's; attache's p50 / the peer's p50).
#
# Usage: bench/peers.sh [CORPUS] (default ../shared/corpus, else var/corpus)
# Environment: REQUESTS (queries per run, default 2000), STEP_TIMEOUT
# (seconds any one step may take before the run is abandoned, default 1800).
set -eu
cd "$(dirname "$0")/.."
corpus=${1:-}
[ -n "$corpus" ] || { [ -d ../shared/corpus ] && corpus=../shared/corpus || corpus=var/corpus; }
[ -d "$corpus" ] || { echo "no corpus at $corpus (run make run first)" >&2; exit 2; }
n=${REQUESTS:-2000}
limit=${STEP_TIMEOUT:-1800}
make -s all bench-tools
tmp=$(mktemp -d /tmp/attache-peers.XXXXXX)
trap 'kill $(cat "$tmp/pid" 2>/dev/null) 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
B=build/rel/bench
q=bench/queries.txt
find "$corpus" -type f -name '*.txt' | sort >"$tmp/files"
[ -s "$tmp/files" ] || { echo "no .txt files under $corpus" >&2; exit 2; }

# index NAME PATH CMD...: time CMD, then record seconds, RSS and PATH's size.
index() {
    name=$1 path=$2
    shift 2
    timeout "$limit" /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >"$tmp/out"
    printf 'index\t%s\t%s\t%s\t%s\n' "$name" "$(cat "$tmp/time")" \
        "$(du -sk "$path" | cut -f1)" "$(tail -n 1 "$tmp/out")" >>"$tmp/results"
}
# query NAME CMD...: a warm-up of 200, then the measured run (JSON out).
query() {
    name=$1
    shift
    timeout "$limit" "$@" -n 200 >/dev/null
    printf 'query\t%s\t%s\n' "$name" "$(timeout "$limit" "$@" -n "$n")" >>"$tmp/results"
}

index "attache-index" "$tmp/att" bin/attache-index --json --no-progress -d "$tmp/att" "$corpus"
index "raw Xapian, STEM_ALL (xapian_floor)" "$tmp/xall" \
    $B/xapian_floor --stem all "$tmp/xall" $(cat "$tmp/files")
index "raw Xapian, STEM_SOME (xapian_floor)" "$tmp/xsome" \
    $B/xapian_floor --stem some "$tmp/xsome" $(cat "$tmp/files")
index "SQLite FTS5 (fts5_peer)" "$tmp/fts5.db" \
    $B/fts5_peer index "$tmp/fts5.db" $(cat "$tmp/files")

bin/attached --db "$tmp/att" --socket "$tmp/sock" --threads "$(nproc)" \
    --pidfile "$tmp/pid" 2>"$tmp/log" &
for i in $(seq 200); do [ -S "$tmp/sock" ] && break; sleep 0.05; done
[ -S "$tmp/sock" ] || { echo "attached did not start:" >&2; cat "$tmp/log" >&2; exit 1; }
query "attached, Unix socket (load -c 1)" \
    $B/load --socket "$tmp/sock" --queries $q -c 1 -d "$limit" --json
query "raw Xapian, no snippets (query_floor)" $B/query_floor "$tmp/att" $q -t 1
query "raw Xapian, MSet::snippet (query_floor --snippet)" \
    $B/query_floor "$tmp/att" $q -t 1 --snippet
query "SQLite FTS5, bm25 + snippet (fts5_peer)" $B/fts5_peer query "$tmp/fts5.db" $q
rss=$(ps -o rss= -p "$(cat "$tmp/pid")" | tr -d ' ')

echo "Run of $(date -u +%Y-%m-%d) ($(date -u +%H:%MZ)), $(nproc) cores, $(uname -r)," \
    "corpus $corpus ($(wc -l <"$tmp/files") files, $(du -shL "$corpus" | cut -f1))," \
    "$n queries per query run; attached RSS after its run: $((rss / 1024)) MB."
echo
python3 - "$tmp/results" <<'EOF'
import json, sys

idx, qry = [], []
for line in open(sys.argv[1], encoding="utf-8"):
    f = line.rstrip("\n").split("\t")
    if f[0] == "index":
        secs, rss = f[2].split()
        extra = json.loads(f[4]) if f[4].startswith("{") else {}
        idx.append((f[1], float(secs), int(rss) / 1024, int(f[3]) / 1024, extra.get("passages")))
    else:
        qry.append((f[1], json.loads(f[2])))

a = idx[0][1]
print("| index build | passages | seconds | peak RSS MB | on disk MB | attache ÷ peer (time) |")
print("|---|---|---|---|---|---|")
for name, secs, rss, disk, passages in idx:
    print("| %s | %s | %.2f | %.0f | %.1f | %s |" % (
        name, passages if passages is not None else "", secs, rss, disk,
        "%.2f×" % (a / secs) if secs > 0 else "n/a"))
print()
a = qry[0][1]["p50_us"]
print("| one client, top 10 | queries/s | p50 µs | p90 µs | p99 µs | attache ÷ peer (p50) |")
print("|---|---|---|---|---|---|")
for name, d in qry:
    rate = d.get("rps", d.get("qps"))
    print("| %s | %.0f | %d | %d | %d | %.2f× |" % (
        name, rate, d["p50_us"], d["p90_us"], d["p99_us"], a / d["p50_us"]))
EOF
