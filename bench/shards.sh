#!/bin/bash
# bench/shards.sh: attached on one index against the same documents in N
# shards, opened locally and served by one xapian-tcpsrv each, in one run on
# one machine, with the raw-Xapian floor under each layout beside it.
#
# Usage: bench/shards.sh [SIZE [COUNTS]]
#   SIZE    scale corpus (bench/scale-corpus SIZE, seed 1): 10M, 100M (the
#           default), 1G
#   COUNTS  shard counts, one or several: "2", "2 4" (default $SHARDS, else 3)
# Environment:
#   SHARDS    the shard counts when COUNTS is not given (3)
#   REQUESTS  requests a run (2000)       CONNS   connection counts ("1 4 16")
#   ROUNDS    each setup is measured ROUNDS times, the setups in turn, and
#             the table gives the median of each figure (1)
#   WORK      folder for the corpus and the indexes, kept afterwards: a later
#             run with the same SIZE reuses what is there (default: a
#             temporary folder, deleted at the end)
#   OUT       the report (bench/SHARDS.md)
#
# Indexes the corpus once unsharded and once per count with --shards N,
# serves the N shard folders with N xapian-tcpsrv processes on 127.0.0.1,
# and starts one attached per setup (one index; N local shards, which Xapian
# searches one after the other in one thread; N remote shards, searched at
# the same time in N processes), each on its own Unix socket. Every setup is
# then driven with bench/load at each connection count; the server CPU of a
# run is the utime+stime (from /proc/PID/stat) of attached and of the
# xapian-tcpsrv processes it used, before and after the run, over the
# requests. bench/query_floor (raw Xapian, one Database a thread, top 10
# with their stored data) runs on the same layouts: the one index, the
# sharded folder, and a stub file naming the remote shards.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-100M}
counts=${2:-${SHARDS:-3}}
n=${REQUESTS:-2000}
conns=${CONNS:-1 4 16}
rounds=${ROUNDS:-1}
out=${OUT:-bench/SHARDS.md}
src=../shared/corpus
[ -d "$src" ] || src=var/corpus
[ -d "$src" ] || { echo "bench/shards.sh: no corpus (run make run first)" >&2; exit 2; }
read -ra counts <<<"$counts"
for k in "${counts[@]}"; do
    if ! [[ $k =~ ^[0-9]+$ ]] || [ "$k" -lt 2 ] || [ "$k" -gt 64 ]; then
        echo "bench/shards.sh: bad shard count '$k' (2 to 64)" >&2
        exit 2
    fi
done
make -s all bench-tools
B=build/rel/bench
Q=bench/queries.txt
if [ -n "${WORK:-}" ]; then
    work=$WORK
    mkdir -p "$work"
else
    work=$(mktemp -d /tmp/attache-shards.XXXXXX)
fi
run_dir=$(mktemp -d "$work/run.XXXXXX")
sids=()
cleanup() {
    for s in "${sids[@]}"; do kill -- "-$s" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ -n "${WORK:-}" ]; then rm -rf "$run_dir"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { printf '%s  %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
free_port() { # a TCP port that is free on 127.0.0.1 just now
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}
wait_for() { # wait_for CMD...: poll CMD until it succeeds (10 s at most)
    for _ in $(seq 400); do "$@" 2>/dev/null && return 0; sleep 0.025; done
    echo "bench/shards.sh: timed out waiting for: $*" >&2
    exit 1
}
# ticks SID...: CPU clock ticks used so far by the processes of these
# sessions: utime+stime, plus cutime+cstime for children already reaped.
ticks() {
    python3 - "$@" <<'EOF'
import os, sys
sids, t = {int(a) for a in sys.argv[1:]}, 0
for p in os.listdir("/proc"):
    try:
        s = open("/proc/%s/stat" % p).read() if p.isdigit() else ""
    except OSError:
        continue
    f = s[s.rfind(")") + 2:].split()
    if len(f) > 14 and int(f[3]) in sids:  # f[3]: session; f[11:15]: times
        t += sum(int(x) for x in f[11:15])
print(t)
EOF
}
hz=$(getconf CLK_TCK)
ms() { # ms T0 T1 [SECONDS]: milliseconds from ticks T0 to T1, plus SECONDS
    awk -v a="$1" -v b="$2" -v hz="$hz" "BEGIN { print ((b - a) / hz + ${3:-0}) * 1000 }"
}

# The corpus and the indexes, unless WORK already holds them for SIZE.
if [ "$(cat "$work/size" 2>/dev/null)" != "$size" ]; then
    rm -rf "$work/corpus" "$work/one" "$work"/shards-* "$work"/*.secs "$work/size"
fi
if [ ! -e "$work/size" ]; then
    say "corpus $size"
    bench/scale-corpus "$size" "$work/corpus" --source "$src" >/dev/null
    echo "$size" >"$work/size"
fi
# index NAME ARGS...: attache-index ARGS into $work/NAME, timed, unless done.
index() {
    local name=$1
    shift
    [ -e "$work/$name.secs" ] && return 0
    say "index: $name"
    rm -rf "${work:?}/$name"
    /usr/bin/time -f '%e' -o "$run_dir/secs" bin/attache-index -q "$@" -d "$work/$name" \
        "$work/corpus"
    mv "$run_dir/secs" "$work/$name.secs"
}
index one
for k in "${counts[@]}"; do index "shards-$k" --shards "$k"; done

say "reading the indexes into the page cache"
for d in one "${counts[@]/#/shards-}"; do
    find "$work/$d" -type f -exec cat {} + >/dev/null
done

# serve SID-VAR LOG CMD...: start CMD in a session of its own, its output
# in LOG; the session id in SID-VAR.
serve() {
    local -n sid_var=$1
    local log=$2
    shift 2
    setsid "$@" </dev/null >"$log" 2>&1 &
    sid_var=$!
    sids+=("$sid_var")
}
declare -A dbargs tcpsids floordb
dbargs[one]="--db $work/one"
floordb[one]=$work/one
setups=(one)
for k in "${counts[@]}"; do
    remote=() ssids=()
    : >"$run_dir/remote-$k.stub"
    for ((i = 0; i < k; i++)); do
        port=$(free_port)
        serve sid "$run_dir/tcpsrv-$k-$i.log" xapian-tcpsrv --port "$port" \
            --interface 127.0.0.1 --quiet --idle-timeout 3600000 "$work/shards-$k/s${i}of$k"
        wait_for bash -c "exec 3<>/dev/tcp/127.0.0.1/$port"
        remote+=(--db "tcp://127.0.0.1:$port")
        ssids+=("$sid")
        echo "remote 127.0.0.1:$port" >>"$run_dir/remote-$k.stub"
    done
    dbargs[local-$k]="--db $work/shards-$k"
    floordb[local-$k]=$work/shards-$k
    dbargs[remote-$k]="${remote[*]} --on-shard-failure error"
    tcpsids[remote-$k]="${ssids[*]}"
    floordb[remote-$k]=$run_dir/remote-$k.stub
    setups+=("local-$k" "remote-$k")
done

declare -A daemon
for s in "${setups[@]}"; do
    # shellcheck disable=SC2086  # dbargs holds words
    serve sid "$run_dir/$s.log" bin/attached ${dbargs[$s]} --socket "$run_dir/$s.sock" \
        --listen none --threads "$(nproc)"
    daemon[$s]=$sid
    wait_for test -S "$run_dir/$s.sock"
    $B/load --socket "$run_dir/$s.sock" --queries $Q -c 1 -n 200 >/dev/null
done

# measure SETUP CONNS ROUND: one load run on SETUP's daemon, one query_floor
# run on its layout; a line each in results: kind, setup, conns, round,
# server CPU ms over the run, the 1-minute load average before, the JSON.
measure() {
    local s=$1 c=$2 r=$3 t0 t1 la j
    local -a ps
    read -ra ps <<<"${tcpsids[$s]:-}"
    la=$(cut -d' ' -f1 /proc/loadavg) t0=$(ticks "${daemon[$s]}" "${ps[@]}")
    j=$($B/load --socket "$run_dir/$s.sock" --queries $Q -c "$c" -n "$n" --json)
    t1=$(ticks "${daemon[$s]}" "${ps[@]}")
    printf 'attached\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$c" "$r" \
        "$(ms "$t0" "$t1")" "$la" "$j" >>"$run_dir/results"
    la=$(cut -d' ' -f1 /proc/loadavg) t0=$(ticks "${ps[@]}")
    j=$(/usr/bin/time -f '%U %S' -o "$run_dir/floor.cpu" \
        $B/query_floor "${floordb[$s]}" $Q -t "$c" -n "$n")
    t1=$(ticks "${ps[@]}")
    read -r u sy <"$run_dir/floor.cpu"
    printf 'floor\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$c" "$r" \
        "$(ms "$t0" "$t1" "$u + $sy")" "$la" "$j" \
        >>"$run_dir/results"
}
for ((r = 1; r <= rounds; r++)); do
    for s in "${setups[@]}"; do
        for c in $conns; do
            say "round $r/$rounds: $s, $c connections"
            measure "$s" "$c" "$r"
        done
    done
done
for s in "${setups[@]}"; do
    kill "${daemon[$s]}"
    wait "${daemon[$s]}" || true
done

{
    echo "# Shards: one index, local shards, shards served by xapian-tcpsrv"
    echo
    echo "Generated by \`SHARDS=\"${counts[*]}\" REQUESTS=$n CONNS=\"$conns\" ROUNDS=$rounds" \
        "bench/shards.sh $size\` on $(date -u +%Y-%m-%dT%H:%MZ): $(nproc) cores, $(uname -r)," \
        "bench/scale-corpus $size (seed 1) from $src, $n requests a run, top 10 with" \
        "snippets and quotes; attached (\`--threads $(nproc)\`) over its Unix socket, the" \
        "shard servers on the same machine, on loopback. Each figure is the median of" \
        "$rounds round(s), the setups measured in turn in each round."
    echo
    printf 'Index build: one database %s s' "$(cat "$work/one.secs")"
    for k in "${counts[@]}"; do printf ', %s shards %s s' "$k" "$(cat "$work/shards-$k.secs")"; done
    echo " (the shards with one writer thread each)."
    echo
    python3 bench/shards_report.py "$run_dir/results"
} >"$out"
say "done: $out"
