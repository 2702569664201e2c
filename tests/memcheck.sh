#!/usr/bin/env bash
# tests/memcheck.sh: run attache's three programs under valgrind's memcheck
# and report what it finds.
#
# Usage: tests/memcheck.sh [CORPUS]
#
#   CORPUS   a folder of reports to index (.txt, .md, .html, .htm, .jsonl).
#            Default: ../shared/corpus/sotu beside the repository when it
#            exists, else var/corpus/sotu (where `make run` puts the State of
#            the Union addresses). With neither, the script says so and
#            exits 77 (skipped).
#
# It builds nothing: run `make` first (and `make bench-tools` to drive the
# daemon with build/rel/bench/load; without it a small Python client sends
# the load). Everything happens in a temporary folder that is removed at the
# end. The steps:
#
#   1. attache-index: a first build of the first MEMCHECK_FILES files of the
#      corpus (copied into the temporary folder) plus a few small .md, .html
#      and .jsonl files written here; --list; an incremental run after one
#      file is changed, one removed, others added (one of them binary, so it
#      fails on purpose: exit 1 is expected there); --compact; --stats and
#      --stats --json.
#   2. attached (--threads 2, a Unix socket and a free 127.0.0.1 port, a
#      config file with a token for TCP): mixed requests over the socket
#      (searches with filters, facets, wildcards, phrases, sorting; get;
#      stats; ping) and over TCP; malformed and edge-case lines (bad JSON,
#      bad fields, unknown op, a query syntax error, a too-long line, a
#      client that does not read, clients that vanish mid-line, wrong
#      tokens); then, while load runs, an index update (itself under
#      valgrind) and a SIGHUP with a changed config and token; at the end
#      SIGTERM with connections still open, and the daemon must exit 0.
#   3. attache, the client: searches (plain, --json, filters, paging,
#      colour), get, stats, ping, raw, over the socket and over TCP.
#
# Each run's valgrind log is kept in the temporary folder (copied to
# MEMCHECK_LOGS when that is set). For each run the script prints valgrind's
# ERROR SUMMARY, the definitely, indirectly and possibly lost lines and the
# wall time, then a total per program. On a failed run it prints the log.
#
# Expected on a clean tree: no errors and nothing lost, except attached's
# "possibly lost: 320 bytes in 1 blocks" once it has run a search: the
# thread glibc starts for the timer of Xapian's search time limit
# (timer_create with SIGEV_THREAD, called inside Enquire::get_mset) lives
# until exit, and its thread-local block is only pointed to from inside.
# Possible leaks do not count as errors here, so no suppression is needed.
#
# Exit status: 0 no memcheck error, no definite or indirect leak and every
# program ended as expected; 1 otherwise; 2 a usage or set-up error; 77
# skipped (no corpus, or valgrind or python3 missing).
#
# Environment:
#   MEMCHECK_FILES     corpus files to index (default 60)
#   MEMCHECK_REQUESTS  requests of the main load over the Unix socket
#                      (default 2000; about 60 a second under valgrind)
#   MEMCHECK_LOGS      a folder to copy the valgrind logs into
#   MEMCHECK_TIMEOUT   seconds to wait for the daemon to answer or exit (300)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

NFILES=${MEMCHECK_FILES:-60}
NREQ=${MEMCHECK_REQUESTS:-2000}
TIMEOUT=${MEMCHECK_TIMEOUT:-300}
BIN=$ROOT/bin
LOAD=$ROOT/build/rel/bench/load

say() { printf 'memcheck: %s\n' "$*"; }
die() { printf 'memcheck: %s\n' "$*" >&2; exit 2; }
skip() { printf 'memcheck: SKIPPED: %s\n' "$*" >&2; exit 77; }

case ${1:-} in
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (usage: tests/memcheck.sh [CORPUS])" ;;
esac
[ $# -le 1 ] || die "usage: tests/memcheck.sh [CORPUS]"
case $NFILES$NREQ$TIMEOUT in
    *[!0-9]*) die "MEMCHECK_FILES, MEMCHECK_REQUESTS and MEMCHECK_TIMEOUT must be numbers" ;;
esac

# ---------------------------------------------------------------------------
# What is needed

command -v valgrind >/dev/null 2>&1 || skip "valgrind is not installed (apt-get install valgrind)"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
for p in attache-index attached attache; do
    [ -x "$BIN/$p" ] || die "$BIN/$p is missing: build it first (make)"
done

# A default corpus counts only when it holds .txt files.
has_txt() { compgen -G "$1/*.txt" >/dev/null; }
if [ $# -eq 1 ]; then
    CORPUS=$1
    [ -d "$CORPUS" ] || die "$CORPUS is not a folder"
elif has_txt "$ROOT/../shared/corpus/sotu"; then
    CORPUS=$ROOT/../shared/corpus/sotu
elif has_txt "$ROOT/var/corpus/sotu"; then
    CORPUS=$ROOT/var/corpus/sotu
else
    skip "no corpus is available: neither ../shared/corpus/sotu nor var/corpus/sotu
holds .txt files. Give a folder of reports (tests/memcheck.sh FOLDER), or run
\`make run\` once to fetch the State of the Union addresses into var/corpus/sotu."
fi
CORPUS=$(cd "$CORPUS" && pwd)

# ---------------------------------------------------------------------------
# The temporary folder, and what must be stopped when the script ends

WORK=$(mktemp -d "${TMPDIR:-/tmp}/attache-memcheck.XXXXXX")
LOGS=$WORK/logs
mkdir "$LOGS" "$WORK/out"
DAEMON_PID=
BG_PIDS=()

cleanup() {
    local rc=$? p
    trap - EXIT INT TERM
    for p in "${BG_PIDS[@]}" $DAEMON_PID; do
        if kill -0 "$p" 2>/dev/null; then
            kill -KILL "$p" 2>/dev/null || true
            wait "$p" 2>/dev/null || true
        fi
    done
    if [ -n "${MEMCHECK_LOGS:-}" ]; then
        mkdir -p "$MEMCHECK_LOGS" && cp -p "$LOGS"/*.log "$MEMCHECK_LOGS"/ 2>/dev/null &&
            echo "memcheck: the valgrind logs are in $MEMCHECK_LOGS"
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

START=$EPOCHREALTIME
elapsed() { # seconds since $1, one decimal
    awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}

# ---------------------------------------------------------------------------
# Running a program under valgrind, and what is recorded of each run

# shellcheck disable=SC2054 # (the commas are part of the options)
VALGRIND=(valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --track-origins=no
    --num-callers=30)
if [ -f tests/memcheck.supp ]; then
    VALGRIND+=(--suppressions="$ROOT/tests/memcheck.supp")
fi

R_LABEL=() R_PROG=() R_LOG=() R_RC=() R_EXPECT=() R_TIME=() R_NOTE=() R_BAD=()
NRUN=0
FAILED=0

# The log file of the next run, named after its label.
next_log() {
    printf '%s/%02d-%s.log' "$LOGS" $((NRUN + 1)) "$1"
}

# record LABEL PROGRAM LOG STATUS EXPECTED START [NOTE [BAD]]: remember one
# run. EXPECTED lists the exit statuses that count as success ("0" or "1 2");
# BAD=1 marks it failed whatever its status (the daemon's clients failed).
record() {
    R_LABEL+=("$1") R_PROG+=("$(basename "$2")") R_LOG+=("$3") R_RC+=("$4")
    R_EXPECT+=("$5") R_TIME+=("$(elapsed "$6")") R_NOTE+=("${7:-}") R_BAD+=("${8:-0}")
    NRUN=$((NRUN + 1))
    local i=$((NRUN - 1))
    printf 'memcheck: [%2d] %-28s exit %-3s %6s s  %s\n' "$NRUN" "$1" "$4" "${R_TIME[$i]}" "${7:-}"
    if ! run_ok "$i"; then
        FAILED=1
        explain "$i" >&2
    fi
}

# vg LABEL EXPECTED PROGRAM ARGS...: run PROGRAM under valgrind, its stdout
# in out/LABEL.out and its stderr in out/LABEL.err.
vg() {
    local label=$1 expect=$2 log t0 rc=0
    shift 2
    log=$(next_log "$label")
    t0=$EPOCHREALTIME
    "${VALGRIND[@]}" --log-file="$log" "$@" >"$WORK/out/$label.out" 2>"$WORK/out/$label.err" </dev/null ||
        rc=$?
    record "$label" "$1" "$log" "$rc" "$expect" "$t0"
}

# The same with stdin from file $3.
vg_stdin() {
    local label=$1 expect=$2 input=$3 log t0 rc=0
    shift 3
    log=$(next_log "$label")
    t0=$EPOCHREALTIME
    "${VALGRIND[@]}" --log-file="$log" "$@" >"$WORK/out/$label.out" 2>"$WORK/out/$label.err" <"$input" ||
        rc=$?
    record "$label" "$1" "$log" "$rc" "$expect" "$t0"
}

# One figure of a log: errors (the ERROR SUMMARY count; nothing when the log
# has no summary), or definitely, indirectly, possibly, reachable: "BYTES
# BLOCKS" ("0 0" when absent, as after "All heap blocks were freed").
figure() {
    local what=$1 log=$2
    awk -v what="$what" '
        /ERROR SUMMARY:/ { summary = 1; errors = $4 }
        what != "errors" && index($0, what " lost:") || (what == "reachable" && /still reachable:/) {
            for (i = 1; i <= NF; i++) if ($i == "bytes") { b = $(i - 1); k = $(i + 2) }
            gsub(",", "", b); gsub(",", "", k); found = 1
        }
        END {
            if (what == "errors") { if (summary) { gsub(",", "", errors); print errors }; exit }
            if (found) print b, k; else print "0 0"
        }' "$log"
}

# True when run $1 ended as expected and valgrind found nothing that counts.
run_ok() {
    local i=$1 e
    [ "${R_BAD[$i]}" = 0 ] || return 1
    [ "${R_RC[$i]}" != 99 ] || return 1
    [ -n "$(figure errors "${R_LOG[$i]}")" ] || return 1
    [ "$(figure errors "${R_LOG[$i]}")" = 0 ] || return 1
    for e in ${R_EXPECT[$i]}; do
        [ "${R_RC[$i]}" = "$e" ] && return 0
    done
    return 1
}

# Why run $1 failed: its stderr, and its valgrind log (without the banner)
# when valgrind found something or the program did not end normally.
explain() {
    local i=$1 label=${R_LABEL[$1]} rc=${R_RC[$1]} e
    e=$(figure errors "${R_LOG[$i]}")
    if [ "${R_BAD[$i]}" != 0 ]; then
        echo "memcheck: FAILED: $label: exit $rc, but its clients failed (above)"
    else
        echo "memcheck: FAILED: $label exited with status $rc (expected: ${R_EXPECT[$i]// / or }; 99: valgrind found errors)"
    fi
    if [ -s "$WORK/out/$label.err" ]; then
        echo "---- its stderr (last 20 lines):"
        tail -n 20 "$WORK/out/$label.err"
    fi
    if [ "$rc" = 99 ] || [ "${e:-x}" != 0 ] || [ "$rc" -gt 128 ]; then
        echo "---- its valgrind log ${R_LOG[$i]##*/} (at most 300 lines):"
        sed -e 's/^==[0-9]*== \{0,1\}//' "${R_LOG[$i]}" | awk 'NR > 6' | head -n 300
    fi
    echo "----"
}

# ---------------------------------------------------------------------------
# The Python helper: readiness, load, edge cases (written here, run below)

PY=$WORK/client.py
cat >"$PY" <<'PYTHON'
"""memcheck's client of attached (docs/PROTOCOL.md). ADDR is unix:PATH or
HOST:PORT. Modes:
  free-port                         print a free TCP port of 127.0.0.1
  wait ADDR PID SECONDS             poll a ping until answered; print the revision
  revision ADDR                     print the current revision
  wait-revision ADDR OLD SECONDS    poll until the revision is not OLD
  wait-token ADDR TOKENFILE SECONDS poll until an auth with this token succeeds
  prepare ADDR OUT EXCLUDE_FILE     write a file of mixed requests, one a line
  bulk ADDR FILE N CONNS PIPELINE TOKENFILE|-   send N requests from FILE
  edge SOCK TCP TOKENFILE ID OLDTOKEN   malformed and edge-case requests
  hold SOCK TCP TOKENFILE READYFILE hold connections open until the daemon exits
  stats ADDR                        print the request counters
"""
import json
import os
import random
import socket
import sys
import threading
import time

IO_TIMEOUT = 300


def dial(addr, timeout=IO_TIMEOUT):
    if addr.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(addr[5:])
    else:
        host, _, port = addr.rpartition(":")
        s = socket.create_connection((host, int(port)), timeout=timeout)
    return s


class Conn:
    def __init__(self, addr, timeout=IO_TIMEOUT):
        self.s = dial(addr, timeout)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def line(self):
        while b"\n" not in self.buf:
            chunk = self.s.recv(1 << 16)
            if not chunk:
                raise EOFError("the daemon closed the connection")
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return json.loads(line)

    def ask(self, obj):
        self.send(json.dumps(obj).encode() + b"\n")
        return self.line()

    def at_eof(self):
        """True once the daemon closes the connection (reading what is left)."""
        try:
            while True:
                chunk = self.s.recv(1 << 16)
                if not chunk:
                    return True
                self.buf += chunk
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False

    def close(self):
        self.s.close()


def token(path):
    with open(path) as f:
        return f.readline().strip()


def authed(addr, tokenfile, timeout=IO_TIMEOUT):
    c = Conn(addr, timeout)
    if tokenfile != "-" and not addr.startswith("unix:"):
        r = c.ask({"op": "auth", "token": token(tokenfile)})
        if not r.get("ok"):
            raise RuntimeError("auth refused: %s" % r)
    return c


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie has exited: it only waits for the script to reap it.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def ping(addr):
    c = Conn(addr, 10)
    try:
        r = c.ask({"op": "ping"})
    finally:
        c.close()
    if not r.get("ok"):
        raise RuntimeError("ping: %s" % r)
    return r["revision"]


def poll(what, seconds, attempt, pid=None):
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        if pid is not None and not alive(pid):
            sys.exit("the daemon (pid %d) exited while waiting for %s" % (pid, what))
        try:
            r = attempt()
            if r is not None:
                return r
        except (OSError, EOFError, ValueError, RuntimeError) as e:
            last = e
        time.sleep(0.1)
    sys.exit("no %s within %d s (last: %s)" % (what, seconds, last))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])


# ---------------------------------------------------------------------------
# prepare: learn ids, sources, speakers and years from the index, then
# write a mix of requests that must all succeed.

PROBES = ["government", "people", "congress", "state", "year", "war", "law", "report",
          "time", "president", "said", "country", "new",
          "harbour", "bridge", "tolls", "grain"]  # the small files written by memcheck
QUERIES = ['"the people"', "peace OR treaty", "war AND NOT britain", "presid*", "nation*",
           "+tax -income", "title:union", "quote:freedom", "war NEAR peace", "liberty ADJ freedom",
           "(trade OR commerce) AND (tariff OR duties)", "1800..1850 congress", "speaker:lincoln",
           "constitution*", '"public debt"', "xyzzynotaword", "unemployment insurance",
           "social security", "slavery emancipation", "gold silver currency"]


def prepare(addr, out, exclude_file):
    with open(exclude_file) as f:
        exclude = {l.strip() for l in f if l.strip()}
    c = Conn(addr)
    docs, passages, sources, speakers, years, hitword = [], [], set(), set(), set(), None
    for w in PROBES:
        r = c.ask({"op": "search", "q": w, "limit": 50, "facets": True, "match": "any"})
        if not r.get("ok"):
            sys.exit("prepare: search %r failed: %s" % (w, r))
        if r["hits"] and hitword is None:
            hitword = w
        for h in r["hits"]:
            d = h["doc"]
            if d["id"] in exclude or any(d["id"].startswith(x + "#") for x in exclude):
                continue
            if d["id"] not in docs:
                docs.append(d["id"])
            passages.append((d["id"], h["passage"]["n"]))
            if d.get("source"):
                sources.add(d["source"])
            for q in h.get("quotes", []):
                if q.get("speaker"):
                    speakers.add(q["speaker"])
        for y in r.get("facets", {}).get("year", {}):
            years.add(y)
    c.close()
    if hitword is None:
        sys.exit("prepare: no probe word matches anything in this index")
    years = sorted(years) or ["2000"]
    rnd = random.Random(7)
    reqs = []

    def add(weight, obj):
        for _ in range(weight):
            reqs.append(obj if isinstance(obj, str) else json.dumps(obj))

    for q in QUERIES:
        add(2, q)
    for q in QUERIES[:8]:
        add(1, {"op": "search", "q": q, "limit": 20, "facets": True, "per_doc": 2})
    for _ in range(10):
        y1 = rnd.choice(years)
        y2 = max(y1, rnd.choice(years))
        add(1, {"op": "search", "q": rnd.choice(PROBES), "filter": {"from": y1, "to": y2},
                "sort": rnd.choice(["date", "-date", "relevance"]), "limit": 5, "facets": True})
        add(1, {"op": "search", "q": "", "filter": {"from": y1, "to": y2 + "-12-31"},
                "limit": 3, "offset": rnd.randint(0, 20)})
    for s in sorted(sources)[:5]:
        add(1, {"op": "search", "q": hitword, "filter": {"source": s}, "limit": 3})
    for s in sorted(speakers)[:5]:
        add(1, {"op": "search", "q": hitword, "filter": {"speaker": s}, "quotes": True})
    for d in docs[:10]:
        add(1, {"op": "search", "q": hitword, "filter": {"doc": d}, "match": "all",
                "highlight": {"pre": "[[", "post": "]]", "length": 100}})
        add(2, {"op": "get", "doc": d})
    for d, n in passages[:30]:
        add(1, {"op": "get", "doc": d, "passage": n})
    add(1, {"op": "search", "q": hitword + " zzzznothing", "match": "auto", "limit": 7,
            "quotes": False})
    add(1, {"op": "search", "q": "p*", "limit": 10, "offset": 5})
    n = len(reqs)
    add(max(1, n // 8), {"op": "stats"})
    add(max(1, n // 8), {"op": "ping"})
    with open(out, "w") as f:
        for r in reqs:
            f.write(r + "\n")
    with open(out + ".hitword", "w") as f:
        f.write(hitword + "\n")
    with open(out + ".docs", "w") as f:
        for d in docs:
            f.write(d + "\n")
    kinds = {}
    for r in reqs:
        op = json.loads(r).get("op", "search") if r.startswith("{") else "search"
        kinds[op] = kinds.get(op, 0) + 1
    print("%d request lines (%s); %d documents to get, %d sources, %d speakers, %d years" % (
        len(reqs), ", ".join("%s %d" % kv for kv in sorted(kinds.items())), len(docs),
        len(sources), len(speakers), len(years)))


# ---------------------------------------------------------------------------
# bulk: the Python stand-in for bench/load (also used over TCP, with auth)

def bulk(addr, path, n, conns, pipeline, tokenfile):
    with open(path) as f:
        lines = []
        for l in f:
            l = l.rstrip("\n")
            if l and not l.startswith("#"):
                lines.append((l if l.startswith("{") else json.dumps({"op": "search", "q": l}))
                             .encode() + b"\n")
    lock = threading.Lock()
    state = {"issued": 0, "done": 0, "errors": []}

    def worker(seed):
        rnd = random.Random(seed)
        try:
            c = authed(addr, tokenfile)
            while True:
                with lock:
                    k = min(pipeline, n - state["issued"])
                    state["issued"] += max(k, 0)
                if k <= 0:
                    break
                c.send(b"".join(rnd.choice(lines) for _ in range(k)))
                for _ in range(k):
                    r = c.line()
                    with lock:
                        state["done"] += 1
                        if not r.get("ok"):
                            state["errors"].append(r)
            c.close()
        except Exception as e:  # noqa: BLE001 - reported below
            with lock:
                state["errors"].append("connection %d: %r" % (seed, e))

    t0 = time.monotonic()
    ts = [threading.Thread(target=worker, args=(i,)) for i in range(conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    secs = time.monotonic() - t0
    print("%d requests in %.1f s over %d connections: %d errors" % (
        state["done"], secs, conns, len(state["errors"])))
    for e in state["errors"][:5]:
        print("  error:", e)
    sys.exit(1 if state["errors"] or state["done"] != n else 0)


# ---------------------------------------------------------------------------
# edge: every line below must get exactly the expected answer

def edge(sock, tcp, tokenfile, doc, old_token):
    problems = []
    sent = [0]

    def check(what, r, code):
        got = None if r.get("ok") else r.get("error", {}).get("code")
        if got != code:
            problems.append("%s: expected %s, got %s" % (what, code or "ok", json.dumps(r)[:200]))

    c = Conn(sock)
    deep = "[" * 17 + "]" * 17
    cases = [
        (b"this is not json", "bad_json"),
        (b'{"op":"ping"', "bad_json"),
        (b'{"op":"ping"} trailing', "bad_json"),
        (b"[1,2,3]", "bad_json"),
        (b'"a string"', "bad_json"),
        (('{"op":"search","q":%s}' % deep).encode(), "bad_json"),
        (b"[" * 20000, "bad_json"),
        (b'{"op":"search","q":"\xff\xfe broken utf-8"}', "bad_json"),
        (b'{"op":"dance"}', "unknown_op"),
        (b'{"q":"no op"}', "bad_request"),
        (b'{"op":"search"}', "bad_request"),
        (b'{"op":"search","q":42}', "bad_request"),
        (b'{"op":"search","q":""}', "bad_request"),
        (b'{"op":"search","q":"war","limit":0}', "bad_request"),
        (b'{"op":"search","q":"war","limit":1001}', "bad_request"),
        (b'{"op":"search","q":"war","offset":-1}', "bad_request"),
        (b'{"op":"search","q":"war","colour":"red"}', "bad_request"),
        (b'{"op":"search","q":"war\\u0000peace"}', "bad_request"),
        (b'{"op":"search","q":"war","filter":{"from":"2021-02-30"}}', "bad_request"),
        (b'{"op":"search","q":"war","filter":{"planet":"mars"}}', "bad_request"),
        (b'{"op":"search","q":"war","sort":"sideways"}', "bad_request"),
        (b'{"op":"search","q":"war","match":"some"}', "bad_request"),
        (('{"op":"search","q":"war","highlight":{"pre":"%s"}}' % ("x" * 65)).encode(),
         "bad_request"),
        (b'{"op":"search","q":"war","highlight":{"length":5}}', "bad_request"),
        (b'{"op":"search","q":"war AND"}', "query_syntax"),
        (b'{"op":"search","q":"(war OR"}', "query_syntax"),
        (b'{"op":"search","q":"(war OR peace"}', None),
        (b'{"op":"get","doc":"no/such/document.txt"}', "not_found"),
        (('{"op":"get","doc":%s,"passage":999999}' % json.dumps(doc)).encode(), "not_found"),
        (b'{"op":"get"}', "bad_request"),
        (b'{"id":{"nested":[1,2]},"op":"ping"}', None),
        (b'{"id":"\xc3\xa9t\xc3\xa9","op":"search","q":"\xc3\xa9t\xc3\xa9 na\xc3\xafve"}', None),
        (b'{"op":"search","q":"' + b" ".join(b"w%d" % i for i in range(300)) + b'"}', None),
        (b'{"op":"search","q":"a*","limit":50,"facets":true}', None),
        (b'{"op":"auth","token":"anything"}', None),
    ]
    for line, code in cases:
        c.send(line + b"\n")
        sent[0] += 1
        check(line[:40], c.line(), code)

    # Empty lines get no answer; the next request does.
    c.send(b"\n   \n")
    check("ping after empty lines", c.ask({"op": "ping", "id": "e"}), None)
    sent[0] += 1

    # A line longer than --max-line (65536): too_large, and the connection
    # still works.
    c.send(b'{"op":"search","q":"' + b"x" * 70000 + b'"}\n')
    check("too long line", c.line(), "too_large")
    check("ping after too long line", c.ask({"op": "ping"}), None)
    sent[0] += 2

    # A request sent a few bytes at a time.
    req = json.dumps({"op": "search", "q": "war", "limit": 2}).encode() + b"\n"
    for i in range(0, len(req), 3):
        c.send(req[i:i + 3])
        time.sleep(0.002)
    check("request in pieces", c.line(), None)
    sent[0] += 1

    # 150 pipelined requests in one write, good and bad, read back in order.
    burst = []
    for i in range(150):
        kind = i % 5
        if kind == 0:
            burst.append({"id": i, "op": "ping"})
        elif kind == 1:
            burst.append({"id": i, "op": "search", "q": "war", "limit": 1})
        elif kind == 2:
            burst.append({"id": i, "op": "stats"})
        elif kind == 3:
            burst.append({"id": i, "op": "get", "doc": doc, "passage": 0})
        else:
            burst.append({"id": i, "op": "nope"})
    c.send(b"".join(json.dumps(r).encode() + b"\n" for r in burst))
    for i in range(150):
        r = c.line()
        if r.get("id") != i:
            problems.append("burst: response %d has id %r" % (i, r.get("id")))
            break
        check("burst %d" % i, r, "unknown_op" if i % 5 == 4 else None)
    sent[0] += 150

    # A client that does not read: 15 big answers (limit 200, whole
    # passages) exceed --max-output (4 MiB); then it reads them all.
    big = json.dumps({"op": "search", "q": "war OR peace OR people OR government",
                      "limit": 200, "match": "any"}).encode() + b"\n"
    c.send(big * 15)
    for i in range(15):
        check("big answer %d" % i, c.line(), None)
    sent[0] += 15
    c.close()

    # Clients that vanish: at once; mid-line; with a request unanswered;
    # with big answers unread.
    Conn(sock).close()
    d = Conn(sock)
    d.send(b'{"op":"search","q":"half a li')
    d.close()
    d = Conn(sock)
    d.send(b'{"op":"search","q":"war","limit":50}\n{"op":"stats"}\n')
    d.close()
    d = Conn(sock)
    d.send(big * 5)
    d.close()
    sent[0] += 7

    # TCP: a request before auth, a wrong token, the old token (after
    # SIGHUP), the right one.
    t = Conn(tcp, 60)
    check("tcp before auth", t.ask({"op": "ping"}), "unauthorized")
    if not t.at_eof():
        problems.append("tcp before auth: the connection stayed open")
    t.close()
    for what, tok in (("wrong token", "not-the-token"), ("old token", old_token)):
        if tok == "-":
            continue
        t = Conn(tcp)
        check("tcp " + what, t.ask({"op": "auth", "token": tok}), "unauthorized")
        t.close()
    t = Conn(tcp)
    check("tcp auth", t.ask({"op": "auth", "token": token(tokenfile)}), None)
    check("tcp search", t.ask({"op": "search", "q": "war", "limit": 3, "facets": True}), None)
    check("tcp bad json", (t.send(b"{nope\n"), t.line())[1], "bad_json")
    t.close()
    sent[0] += 7

    # A client with many connections at once.
    many = [Conn(sock) for _ in range(40)]
    for m in many:
        m.send(b'{"op":"ping"}\n')
    for m in many:
        check("one of 40 connections", m.line(), None)
        m.close()
    sent[0] += 40

    print("%d edge-case requests: %d unexpected answers" % (sent[0], len(problems)))
    for p in problems[:20]:
        print("  " + p)
    sys.exit(1 if problems else 0)


# ---------------------------------------------------------------------------
# hold: connections left open at SIGTERM; each must be closed by the daemon

def hold(sock, tcp, tokenfile, ready):
    conns = []
    c = Conn(sock)
    c.ask({"op": "ping"})
    conns.append(("idle unix", c))
    c = Conn(sock)
    c.send(b'{"op":"search","q":"unfinish')
    conns.append(("half a line", c))
    c = authed(tcp, tokenfile)
    conns.append(("idle tcp", c))
    with open(ready, "w") as f:
        f.write("ready\n")
    bad = [what for what, c in conns if not c.at_eof()]
    if bad:
        sys.exit("still open after the daemon exited: " + ", ".join(bad))
    print("%d connections held open were closed by the daemon" % len(conns))


def main(argv):
    mode, args = argv[1], argv[2:]
    if mode == "free-port":
        free_port()
    elif mode == "wait":
        print(poll("answer to a ping", int(args[2]), lambda: ping(args[0]), pid=int(args[1])))
    elif mode == "revision":
        print(ping(args[0]))
    elif mode == "wait-revision":
        old = int(args[1])
        print(poll("new revision", int(args[2]),
                   lambda: (lambda r: r if r != old else None)(ping(args[0]))))
    elif mode == "wait-token":
        def attempt():
            c = Conn(args[0], 10)
            try:
                r = c.ask({"op": "auth", "token": token(args[1])})
            finally:
                c.close()
            return True if r.get("ok") else None
        poll("acceptance of the new token", int(args[2]), attempt)
    elif mode == "prepare":
        prepare(*args)
    elif mode == "bulk":
        bulk(args[0], args[1], int(args[2]), int(args[3]), int(args[4]), args[5])
    elif mode == "edge":
        edge(*args)
    elif mode == "hold":
        hold(*args)
    elif mode == "stats":
        c = Conn(args[0])
        r = c.ask({"op": "stats"})
        print(json.dumps({k: r.get(k) for k in ("revision", "documents", "passages",
                                                "connections", "requests", "errors")}))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main(sys.argv)
PYTHON
client() { python3 "$PY" "$@"; }

# ---------------------------------------------------------------------------
# The corpus: the first NFILES reports, and a few small files of the other
# formats written here

SRC=$WORK/corpus
mkdir -p "$SRC"
mapfile -t FILES < <(cd "$CORPUS" && find . -type f ! -path '*/.*' \
    \( -iname '*.txt' -o -iname '*.md' -o -iname '*.html' -o -iname '*.htm' -o -iname '*.jsonl' \) |
    sed 's|^\./||' | LC_ALL=C sort | head -n "$NFILES")
[ "${#FILES[@]}" -ge 5 ] || die "$CORPUS holds ${#FILES[@]} reports; at least 5 are needed"
for f in "${FILES[@]}"; do
    mkdir -p "$SRC/$(dirname "$f")"
    cp -p "$CORPUS/$f" "$SRC/$f"
done
NF=${#FILES[@]}
CHANGED1=${FILES[NF - 1]} # changed before the incremental run
REMOVED1=${FILES[NF - 2]} # removed before it
CHANGED2=${FILES[NF - 3]} # changed while the daemon serves
BYTES=$(du -sk "$SRC" | cut -f1)
say "corpus: $NF files ($BYTES KiB) of $CORPUS; logs and index in $WORK"

write_extra() {
    mkdir -p "$SRC/extra"
    cat >"$SRC/extra/briefing.md" <<'EOF'
---
title: "Briefing on the \"harbour\" works"
date: 2024-03-05
source: 'Port Authority'
url: https://port.example/briefing
tags:
  - harbour
  - budget
---

# Works on the harbour

The board met **on Tuesday** to review the [dredging plan](https://port.example/plan)
and the `budget` for the year.

> "We will finish before the winter storms," the chief engineer, Ada Byron, said.

- First point, with ![a map](map.png)
- Second point

```
TABLE 1: TONNAGE 2023
```
EOF
    cat >"$SRC/extra/page.html" <<'EOF'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>  Grain prices   rise again </title>
<meta property="og:site_name" content="Farm Weekly">
<link rel="canonical" href="https://farm.example/grain">
<meta property="article:published_time" content="2023-09-14T08:00:00Z">
<style>p { color: green; }</style><script>var x = "not indexed";</script>
</head><body><nav>Home | News</nav>
<article><h1>Grain prices rise again</h1>
<p>Wheat and barley prices rose for the third month. &ldquo;The harvest was
poor,&rdquo; said Maria Lopez, a trader in the port.</p>
<p>Exports fell by a tenth &amp; storage costs grew.<br>Caf&eacute; owners
complain too.</p></article><footer>&copy; Farm Weekly</footer></body></html>
EOF
    {
        printf '%s\n' '{"id":"n1","title":"First note","date":"2022-01-02","source":"Wire","url":"https://w.example/1","body":"The council approved the new bridge.\nWork starts in spring."}'
        printf '%s\n' '{"title":"No id","text":"A body under the text key, about the bridge toll."}'
        printf '%s\n' 'this line is not json' '[1,2]' '{"id":"no-body"}' '{"id":"n4","body":17}'
        printf '%s\n' '{"id":"n5","date":"March 3, 2021","body":"\"Tolls will stay low,\" the mayor, John Smith, said."}'
    } >"$SRC/extra/feed.jsonl"
}

# ===========================================================================
say "1/3 attache-index"
DB=$WORK/index
write_extra
vg index-build 0 "$BIN/attache-index" -d "$DB" --no-progress "$SRC"
vg index-list 0 "$BIN/attache-index" -d "$DB" --list
printf '\n\nA paragraph added by memcheck: "the tariff on wool," the clerk said.\n' >>"$SRC/$CHANGED1"
rm -f "$SRC/$REMOVED1"
cat >"$SRC/extra/added.txt" <<'EOF'
Title: A report added between two runs
Date: 2020-06-30
Source: memcheck

The committee "will report again in the autumn," its chair, Lena Ortiz, said.
Nothing else happened.
EOF
printf 'binary\0\1\2\3 content' >"$SRC/extra/binary.txt"
# Exit 1: extra/binary.txt fails, on purpose.
vg index-update 1 "$BIN/attache-index" -d "$DB" --json "$SRC"
vg index-compact 0 "$BIN/attache-index" -d "$DB" --compact
vg index-stats 0 "$BIN/attache-index" -d "$DB" --stats
vg index-stats-json 0 "$BIN/attache-index" -d "$DB" --stats --json
sed 's/^/    /' "$WORK/out/index-stats.out"

# ===========================================================================
say "2/3 attached"
SOCK=$WORK/attached.sock
PORT=$(client free-port)
TCP=127.0.0.1:$PORT
CONF=$WORK/attached.conf
TOKEN=$WORK/token
OLD_TOKEN=$WORK/token.old
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TOKEN"
cat >"$CONF" <<EOF
# attached's config for memcheck (reloaded by SIGHUP)
log-level = info
slow-ms = 1000
query-time = 120000
idle-timeout = 600
token-file = $TOKEN
EOF
DLOG=$(next_log attached)
DSTART=$EPOCHREALTIME
"${VALGRIND[@]}" --log-file="$DLOG" "$BIN/attached" --db "$DB" --socket "$SOCK" \
    --listen "$TCP" --threads 2 --config "$CONF" \
    >"$WORK/out/attached.out" 2>"$WORK/out/attached.err" </dev/null &
DAEMON_PID=$!
t0=$EPOCHREALTIME
REV=$(client wait "unix:$SOCK" "$DAEMON_PID" "$TIMEOUT") || {
    echo "memcheck: attached did not start; its stderr:" >&2
    tail -n 20 "$WORK/out/attached.err" >&2
    cat "$DLOG" >&2
    exit 1
}
say "attached (pid $DAEMON_PID) answers on $SOCK and $TCP after $(elapsed "$t0") s (revision $REV)"

DREQ=0 # requests sent to the daemon, counted by this script
DFAIL=()
step() { # step WHAT COMMAND...: a load step; its output indented
    local what=$1 rc=0 out
    shift
    out=$("$@" 2>&1) || rc=$?
    printf '    %-22s %s\n' "$what:" "$(printf '%s' "$out" | head -n 1)"
    printf '%s\n' "$out" | tail -n +2 | head -n 20 | sed 's/^/        /'
    if [ "$rc" -ne 0 ]; then
        DFAIL+=("$what (exit $rc)")
    fi
    return 0
}
count() { # the first number of the last line of file $1's output (requests)
    printf '%s' "$1" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) { print $i; exit } }'
}

printf '%s\n' "$CHANGED1" "$REMOVED1" "$CHANGED2" extra/added.txt extra/binary.txt \
    extra/page.html extra/late.md >"$WORK/exclude"
MIX=$WORK/mixed.txt
step "prepare" client prepare "unix:$SOCK" "$MIX" "$WORK/exclude"
DREQ=$((DREQ + 17)) # the probe searches of prepare
DOC=$(head -n 1 "$MIX.docs")
HIT=$(cat "$MIX.hitword")

# Main load: over the Unix socket with bench/load (or the Python client),
# together with a smaller one over TCP with a token.
NTCP=$((NREQ / 5))
client bulk "$TCP" "$MIX" "$NTCP" 2 2 "$TOKEN" >"$WORK/out/bulk-tcp.out" 2>&1 &
TCP_PID=$!
BG_PIDS+=("$TCP_PID")
if [ -x "$LOAD" ]; then
    step "load (unix socket)" "$LOAD" --socket "$SOCK" --queries "$MIX" -c 2 -p 4 -n "$NREQ" -d 3600
else
    step "python load (unix)" client bulk "unix:$SOCK" "$MIX" "$NREQ" 2 4 -
fi
DREQ=$((DREQ + NREQ))
rc=0
wait "$TCP_PID" || rc=$?
printf '    %-22s %s\n' "python load (tcp):" "$(head -n 1 "$WORK/out/bulk-tcp.out")"
tail -n +2 "$WORK/out/bulk-tcp.out" | head -n 5 | sed 's/^/        /'
[ "$rc" -eq 0 ] || DFAIL+=("python load over tcp (exit $rc)")
DREQ=$((DREQ + NTCP))

out=$(client edge "unix:$SOCK" "$TCP" "$TOKEN" "$DOC" - 2>&1) && rc=0 || rc=$?
printf '    %-22s %s\n' "edge cases:" "$(printf '%s' "$out" | head -n 1)"
printf '%s\n' "$out" | tail -n +2 | head -n 20 | sed 's/^/        /'
[ "$rc" -eq 0 ] || DFAIL+=("edge cases (exit $rc)")
DREQ=$((DREQ + $(count "$out")))

# While load runs: an index update (under valgrind too), then SIGHUP with
# a changed config and a new token.
NLATE=$((NREQ / 4))
if [ -x "$LOAD" ]; then
    "$LOAD" --socket "$SOCK" --queries "$MIX" -c 2 -p 2 -n "$NLATE" -d 3600 >"$WORK/out/late.out" 2>&1 &
else
    client bulk "unix:$SOCK" "$MIX" "$NLATE" 2 2 - >"$WORK/out/late.out" 2>&1 &
fi
LATE_PID=$!
BG_PIDS+=("$LATE_PID")
printf '\n\nA paragraph added while attached serves: "the canal is open," the engineer said.\n' \
    >>"$SRC/$CHANGED2"
rm -f "$SRC/extra/page.html"
cat >"$SRC/extra/late.md" <<'EOF'
---
title: Late news
date: 2025-01-15
---

The ferry "runs again from Monday," the harbour master, Tom Reed, said.
EOF
REV=$(client revision "unix:$SOCK")
vg index-update-live 0 "$BIN/attache-index" -d "$DB" --wait 600 "$SRC"
out=$(client wait-revision "unix:$SOCK" "$REV" "$TIMEOUT" 2>&1) && rc=0 || rc=$?
printf '    %-22s %s\n' "index change seen:" "revision $REV -> $out"
[ "$rc" -eq 0 ] || DFAIL+=("the daemon did not see the index change")
cp -p "$TOKEN" "$OLD_TOKEN"
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TOKEN.new"
mv "$TOKEN.new" "$TOKEN"
sed -i 's/^log-level = info/log-level = warn/; s/^slow-ms = .*/slow-ms = 500/' "$CONF"
kill -HUP "$DAEMON_PID"
out=$(client wait-token "$TCP" "$TOKEN" "$TIMEOUT" 2>&1) && rc=0 || rc=$?
printf '    %-22s %s\n' "SIGHUP:" "$([ "$rc" -eq 0 ] && echo "the new token is accepted" || echo "$out")"
[ "$rc" -eq 0 ] || DFAIL+=("SIGHUP: the new token was not accepted")
rc=0
wait "$LATE_PID" || rc=$?
printf '    %-22s %s\n' "load during changes:" "$(head -n 1 "$WORK/out/late.out")"
tail -n +2 "$WORK/out/late.out" | head -n 5 | sed 's/^/        /'
[ "$rc" -eq 0 ] || DFAIL+=("load during the index change and SIGHUP (exit $rc)")
DREQ=$((DREQ + NLATE + 2))

out=$(client edge "unix:$SOCK" "$TCP" "$TOKEN" "$DOC" "$(cat "$OLD_TOKEN")" 2>&1) && rc=0 || rc=$?
printf '    %-22s %s\n' "edge cases again:" "$(printf '%s' "$out" | head -n 1)"
printf '%s\n' "$out" | tail -n +2 | head -n 20 | sed 's/^/        /'
[ "$rc" -eq 0 ] || DFAIL+=("edge cases after SIGHUP (exit $rc)")
DREQ=$((DREQ + $(count "$out")))

# ===========================================================================
say "3/3 attache (while attached still runs)"
A=("$BIN/attache" --socket "$SOCK" --timeout 300)
vg client-search "0" "${A[@]}" -n 3 "$HIT"
vg client-json "0" "${A[@]}" --json -n 2 "$HIT"
vg client-filters "0 1" "${A[@]}" --from 1800 --to 1900 --sort date --per-doc 1 --full \
    --match any -n 4 "$HIT" war
vg client-phrase "0 1" "${A[@]}" --color always --width 60 --page 2 -n 3 "\"$HIT\" OR nation*"
vg client-nothing "1" "${A[@]}" zzqxjvwnothing
vg client-get "0" "${A[@]}" get "$DOC"
vg client-get-passage "0" "${A[@]}" get "$DOC#0"
vg client-get-json "0" "${A[@]}" --json get "$DOC"
vg client-get-missing "1 2" "${A[@]}" get no/such/document.txt
vg client-stats "0" "${A[@]}" stats
vg client-ping "0" "${A[@]}" ping
vg client-syntax "2" "${A[@]}" "war AND"
printf '%s\n' '{"op":"ping","id":1}' "{\"op\":\"search\",\"q\":\"$HIT\",\"limit\":2}" \
    '{"op":"stats"}' >"$WORK/raw.in"
vg_stdin client-raw "0" "$WORK/raw.in" "${A[@]}" raw
vg client-tcp "0" "$BIN/attache" --connect "$TCP" --token-file "$TOKEN" --timeout 300 -n 2 "$HIT"
vg client-tcp-json "0" "$BIN/attache" --connect "$TCP" --token-file "$TOKEN" --timeout 300 --json stats
vg client-bad-option "2" "$BIN/attache" --limit nope "$HIT"
DREQ=$((DREQ + 20))

# ===========================================================================
say "stopping attached (SIGTERM with connections open)"
STATS=$(client stats "unix:$SOCK" 2>&1) || STATS="(no stats: $STATS)"
READY=$WORK/held
client hold "unix:$SOCK" "$TCP" "$TOKEN" "$READY" >"$WORK/out/hold.out" 2>&1 &
HOLD_PID=$!
BG_PIDS+=("$HOLD_PID")
python3 - "$READY" "$HOLD_PID" "$TIMEOUT" <<'EOF' || DFAIL+=("the held connections did not open")
import os, sys, time
ready, pid, limit = sys.argv[1], int(sys.argv[2]), time.monotonic() + int(sys.argv[3])
while not os.path.exists(ready):
    if time.monotonic() > limit or not os.path.exists("/proc/%d" % pid):
        sys.exit(1)
    time.sleep(0.05)
EOF
kill -TERM "$DAEMON_PID"
t0=$EPOCHREALTIME
deadline=$((SECONDS + TIMEOUT))
while kill -0 "$DAEMON_PID" 2>/dev/null && [ "$(awk '{ print $3 }' "/proc/$DAEMON_PID/stat" 2>/dev/null)" != Z ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then
        DFAIL+=("attached did not exit within $TIMEOUT s of SIGTERM (killed)")
        kill -KILL "$DAEMON_PID"
        break
    fi
    sleep 0.1
done
rc=0
wait "$DAEMON_PID" || rc=$?
DAEMON_PID=
say "attached exited with status $rc $(elapsed "$t0") s after SIGTERM"
rc2=0
wait "$HOLD_PID" || rc2=$?
printf '    %-22s %s\n' "held connections:" "$(head -n 1 "$WORK/out/hold.out")"
[ "$rc2" -eq 0 ] || DFAIL+=("held connections (exit $rc2)")
DREQ=$((DREQ + 2))
printf '    %-22s %s\n' "daemon's counters:" "$STATS"
note="about $DREQ requests"
if [ ${#DFAIL[@]} -gt 0 ]; then
    note="$note; FAILED: $(IFS=';'; echo "${DFAIL[*]}")"
fi
if [ ${#DFAIL[@]} -gt 0 ]; then
    printf 'memcheck: FAILED: %s\n' "${DFAIL[@]}" >&2
fi
record attached "$BIN/attached" "$DLOG" "$rc" 0 "$DSTART" "$note" $((${#DFAIL[@]} > 0))

# ===========================================================================
# The report

human() { # BYTES BLOCKS -> "N bytes in M blocks"
    printf '%s bytes in %s blocks' "$1" "$2"
}

echo
echo "== valgrind memcheck, run by run"
for ((i = 0; i < NRUN; i++)); do
    log=${R_LOG[$i]}
    printf '%-20s %-15s exit %-3s %7s s  %s\n' "${R_LABEL[$i]}" "${R_PROG[$i]}" "${R_RC[$i]}" \
        "${R_TIME[$i]}" "$(run_ok "$i" && echo ok || echo FAILED)"
    summary=$(grep -h 'ERROR SUMMARY:' "$log" | sed 's/^==[0-9]*== //' || true)
    printf '    %s\n' "${summary:-no ERROR SUMMARY: valgrind did not finish}"
    if grep -q 'All heap blocks were freed' "$log"; then
        echo "    all heap blocks were freed: no leaks"
    else
        grep -h -E '(definitely|indirectly|possibly) lost:|still reachable:' "$log" |
            sed 's/^==[0-9]*== */    /'
    fi
done

echo
echo "== per program"
printf '%-14s %4s %10s %7s %18s %18s %18s %18s\n' program runs "wall (s)" errors \
    "definitely lost" "indirectly lost" "possibly lost" "still reachable"
for prog in attache-index attached attache; do
    awk_in=
    n=0
    for ((i = 0; i < NRUN; i++)); do
        [ "${R_PROG[$i]}" = "$prog" ] || continue
        n=$((n + 1))
        e=$(figure errors "${R_LOG[$i]}")
        awk_in+="${R_TIME[$i]} ${e:-0} $(figure definitely "${R_LOG[$i]}")"
        awk_in+=" $(figure indirectly "${R_LOG[$i]}") $(figure possibly "${R_LOG[$i]}")"
        awk_in+=" $(figure reachable "${R_LOG[$i]}")"$'\n'
    done
    [ "$n" -gt 0 ] || continue
    printf '%s' "$awk_in" | awk -v prog="$prog" -v n="$n" '
        { t += $1; e += $2; db += $3; dk += $4; ib += $5; ik += $6; pb += $7; pk += $8
          rb += $9; rk += $10 }
        END { printf "%-14s %4d %10.1f %7d %18s %18s %18s %18s\n", prog, n, t, e,
              db " B/" dk, ib " B/" ik, pb " B/" pk, rb " B/" rk }'
done
echo "(bytes/blocks summed over the runs; only definite and indirect leaks count as errors)"

echo
TOTAL=$(elapsed "$START")
if [ "$FAILED" -ne 0 ]; then
    echo "memcheck: FAILED (see above); total time $TOTAL s"
    exit 1
fi
echo "memcheck: OK: $NRUN runs, no memcheck errors, no definite or indirect leaks; total time $TOTAL s"
