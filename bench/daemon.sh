#!/bin/sh
# bench/daemon.sh: attached's end-to-end latency and throughput over the
# Unix socket and TCP at 1, 2, 4, 8 and 16 connections, beside the same queries
# run in-process on raw Xapian (the floor), in one run on one machine.
# Usage: bench/daemon.sh [CORPUS] (default ../shared/corpus, else var/corpus)
set -eu
cd "$(dirname "$0")/.."
corpus=${1:-}
[ -n "$corpus" ] || { [ -d ../shared/corpus ] && corpus=../shared/corpus || corpus=var/corpus; }
[ -d "$corpus" ] || { echo "no corpus at $corpus (run make run first)" >&2; exit 2; }
make -s all bench-tools
tmp=$(mktemp -d /tmp/attache-bench.XXXXXX)
trap 'kill $(cat "$tmp/pid" 2>/dev/null) 2>/dev/null; rm -rf "$tmp"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
bin/attache-index -q -d "$tmp/db" "$corpus"
bin/attached --db "$tmp/db" --socket "$tmp/sock" --listen "127.0.0.1:$port" \
    --threads "$(nproc)" --pidfile "$tmp/pid" 2>"$tmp/log" &
for i in $(seq 100); do [ -S "$tmp/sock" ] && break; sleep 0.05; done
q=bench/queries.txt
n=${REQUESTS:-4000}
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(uname -r), corpus $corpus, $n requests each"
echo "what                       conns      req/s    p50 us    p99 us"
row() { python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print("%-26s %5s %10.0f %9d %9d" % (sys.argv[1], d.get("conns", d.get("threads")), d.get("rps", d.get("qps")), d["p50_us"], d["p99_us"]))' "$1"; }
build/rel/bench/load --socket "$tmp/sock" --queries $q -c 1 -n 300 --json >/dev/null  # warm up
for c in 1 2 4 8 16; do
    build/rel/bench/load --socket "$tmp/sock" --queries $q -c $c -n $n --json | row "attached unix"
done
for c in 1 2 4 8 16; do
    build/rel/bench/load --connect "127.0.0.1:$port" --queries $q -c $c -n $n --json | row "attached tcp"
done
for t in 1 2 4 8 16; do
    build/rel/bench/query_floor "$tmp/db" $q -t $t -n $n | row "raw xapian, no snippets"
done
build/rel/bench/query_floor "$tmp/db" $q -t 1 -n 1000 --snippet | row "raw xapian, MSet::snippet"
echo "daemon RSS after the run: $(ps -o rss= -p "$(cat "$tmp/pid")") KB"
