#!/bin/sh
# bench/sphinx.sh: Sphinx searchd (2.2) as a benchmark peer, on the same
# passages as the other peers (fed by build/rel/bench/sphinx_peer xmlpipe).
# Everything (config, index, pid file, logs) lives under WORKDIR, so it runs
# as an unprivileged user; nothing is written to /var or /etc.
#
# Usage: bench/sphinx.sh index WORKDIR LISTFILE [deployed|prefix]
#            writes WORKDIR/sphinx.conf, builds the index "passages" from the
#            files named in LISTFILE (one a line); last line of stdout:
#            {"passages":N,"seconds":S} (wall time of the whole build,
#            passage cutting included). The configuration (default deployed):
#              deployed  what a site would run for these queries: no prefix
#                        indexing (the query set has no wildcards); query it
#                        with sphinx_peer --snippet-limit 200
#              prefix    min_prefix_len = 1, so word* works: Sphinx then also
#                        indexes every word unstemmed (bigger, slower to build)
#        bench/sphinx.sh start WORKDIR PORT
#            adds a searchd section listening on 127.0.0.1:PORT (SphinxQL,
#            the MySQL protocol) to WORKDIR/sphinx.conf, starts searchd and
#            waits until it answers (at most ~10 s, else its log and exit 1)
#        bench/sphinx.sh stop WORKDIR
#            stops that searchd and waits until it is gone
# Environment: SPHINX_MEM (indexer mem_limit, default 256M).
# bench/README.md ("Sphinx's configuration") says why each setting is what
# it is.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
peer=$root/build/rel/bench/sphinx_peer
marker='# searchd: written by bench/sphinx.sh start'

usage() {
    echo "usage: bench/sphinx.sh index WORKDIR LISTFILE [deployed|prefix]" \
        "| start WORKDIR PORT | stop WORKDIR" >&2
    exit 2
}

# abs PATH: PATH made absolute (the indexer runs the xmlpipe command from
# wherever it was started).
abs() {
    case $1 in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s/%s\n' "$(pwd)" "$1" ;;
    esac
}

# quote STRING: STRING as one single-quoted word for sh -c.
quote() {
    printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# The source, index and indexer sections. The schema is declared here, not
# in the stream: content is a full-text field and a string attribute (for
# SNIPPET()), file a string attribute. Both configurations share every
# setting but min_prefix_len.
write_conf() {
    # From the caller's directory, so relative names in LISTFILE mean what
    # they meant to the caller (and land in the attribute "file" as given).
    cmd="cd $(quote "$(pwd)") && SPHINX_PEER_COUNT=$(quote "$work/count") $(quote "$peer")"
    cmd="$cmd xmlpipe --files $(quote "$list")"
    cat >"$work/sphinx.conf" <<EOF
# Written by bench/sphinx.sh index ($config); searchd section added by
# bench/sphinx.sh start.
source passages_src
{
    type = xmlpipe2
    xmlpipe_command = $cmd
    xmlpipe_field_string = content
    xmlpipe_attr_string = file
}

index passages
{
    source = passages_src
    path = $work/index/passages
    # attributes in their own file, loaded into RAM at start (the default;
    # inline would copy them into every posting list, for filters)
    docinfo = extern
    ondisk_attrs = 0
    # open the index files once at start, not on every query
    preopen = 1
    # mlock needs root (CAP_IPC_LOCK); the index sits in the page cache
    mlock = 0
    # the 2.2 default (crc is deprecated in 2.2, and no faster here)
    dict = keywords
    # 0: no prefix indexing (deployed); 1: word* works, and every word is
    # also indexed unstemmed (prefix)
    min_prefix_len = $prefix
    morphology = stem_en
    min_word_len = 1
    # default charset_table (2.2 is UTF-8 only: English and Russian letters,
    # digits and '_'; everything else separates words)
}

indexer
{
    mem_limit = ${SPHINX_MEM:-256M}
}
EOF
}

cmd_index() {
    [ -r "$list" ] || { echo "sphinx.sh: cannot read $list" >&2; exit 2; }
    running && { echo "sphinx.sh: searchd runs on $work (stop it first)" >&2; exit 1; }
    case $config in
    deployed) prefix=0 ;;
    prefix) prefix=1 ;;
    *) usage ;;
    esac
    [ -x "$peer" ] || { echo "sphinx.sh: no $peer (make bench-tools)" >&2; exit 2; }
    mkdir -p "$work/index"
    rm -f "$work/count" "$work/index/passages."*
    write_conf
    t0=$(date +%s.%N)
    if ! indexer --config "$work/sphinx.conf" --all --quiet >"$work/indexer.log" 2>&1; then
        echo "sphinx.sh: indexer failed:" >&2
        cat "$work/indexer.log" >&2
        exit 1
    fi
    t1=$(date +%s.%N)
    # The stream's passage count, written only when the whole stream is out.
    [ -s "$work/count" ] || { echo "sphinx.sh: xmlpipe did not finish:" >&2;
        cat "$work/indexer.log" >&2; exit 1; }
    printf '{"passages":%s,"seconds":%s}\n' "$(cat "$work/count")" \
        "$(echo "$t0 $t1" | awk '{ printf "%.3f", $2 - $1 }')"
}

# The searchd section, replacing any earlier one; the same for both
# configurations. One thread per connection (workers = threads: the
# clients keep their connections, and 2.2 has no thread pool);
# dist_threads only splits distributed indexes, and this is one local
# index. The index is loaded before connections are accepted.
write_searchd() {
    awk -v m="$marker" '$0 == m { exit } { print }' "$work/sphinx.conf" >"$work/sphinx.conf.new"
    cat >>"$work/sphinx.conf.new" <<EOF
$marker
searchd
{
    listen = 127.0.0.1:$port:mysql41
    log = $work/searchd.log
    pid_file = $work/searchd.pid
    # no binlog (it is for RT indexes), no query log (attached logs no
    # line per request at its default level)
    binlog_path =
    workers = threads
    max_children = 256
    dist_threads = 0
    read_timeout = 5
    client_timeout = 300
    # load the index before accepting connections (there is no rotation)
    seamless_rotate = 0
}
EOF
    mv "$work/sphinx.conf.new" "$work/sphinx.conf"
}

# Whether searchd answers on the port: its MySQL greeting packet arrives.
answers() {
    python3 - "$port" <<'EOF' 2>/dev/null
import socket, sys

with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1) as s:
    sys.exit(0 if len(s.recv(64)) > 4 else 1)
EOF
}

# Whether pid $1 is alive (and not a zombie).
alive() {
    kill -0 "$1" 2>/dev/null || return 1
    [ ! -r "/proc/$1/stat" ] || [ "$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat")" != Z ]
}

# Whether the searchd of WORKDIR's pid file is alive.
running() {
    [ -s "$work/searchd.pid" ] && alive "$(cat "$work/searchd.pid")"
}

# The pids of WORKDIR's searchd, from its log (main process, watchdog),
# those that still run searchd with WORKDIR's config (a pid is reused once
# its process is gone).
logged_pids() {
    for p in $(sed -n 's/^.*\[\([0-9]*\)\] watchdog: main process \([0-9]*\) forked ok.*$/\2 \1/p' \
        "$work/searchd.log" 2>/dev/null | tail -n 1); do
        cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline") || continue
        case $cmdline in
        *"searchd --config $work/sphinx.conf"*) echo "$p" ;;
        esac
    done
}

# end_pids PID...: SIGTERM, then SIGKILL what is still alive after ~5 s
# (searchd ignores SIGTERM while it retries a busy port); returns when all
# are gone.
end_pids() {
    kill "$@" 2>/dev/null || true
    n=0
    while :; do
        left=
        for p in "$@"; do
            if alive "$p"; then left="$left $p"; fi
        done
        [ -n "$left" ] || return 0
        # shellcheck disable=SC2086 # the pids are words
        [ $n -ne 50 ] || kill -9 $left 2>/dev/null || true
        [ $n -lt 100 ] || { echo "sphinx.sh: searchd ($left) does not go away" >&2; exit 1; }
        sleep 0.1
        n=$((n + 1))
    done
}

# start_failed WHY: report, show searchd's output and log, end what this
# start began (the launcher, and the daemon if it forked), exit 1.
start_failed() {
    echo "sphinx.sh: searchd $1 (127.0.0.1:$port):" >&2
    cat "$work/searchd.out" "$work/searchd.log" >&2
    # shellcheck disable=SC2046 # the pids are words
    end_pids "$launcher" $(logged_pids)
    exit 1
}

# searchd runs in the background because its launcher retries a busy port
# for over half a minute before giving up; the wait is bounded (~10 s) and
# looks for the daemon's own "accepting connections" (logged once it is
# bound and the index is loaded), then for its greeting on the port.
cmd_start() {
    [ -f "$work/sphinx.conf" ] || { echo "sphinx.sh: no $work/sphinx.conf (index first)" >&2;
        exit 2; }
    running && { echo "sphinx.sh: searchd already runs on $work" >&2; exit 1; }
    write_searchd
    rm -f "$work/searchd.pid"
    : >"$work/searchd.log"
    searchd --config "$work/sphinx.conf" >"$work/searchd.out" 2>&1 &
    launcher=$!
    reaped=false # the launcher exits (0) once the daemon has forked
    i=0
    while [ $i -lt 100 ]; do
        if grep -q 'accepting connections' "$work/searchd.log" && running && answers; then
            return 0
        fi
        if ! $reaped && ! alive "$launcher"; then
            wait "$launcher" || start_failed "failed"
            reaped=true
        fi
        ! grep -q 'FATAL' "$work/searchd.log" || start_failed "failed"
        sleep 0.1
        i=$((i + 1))
    done
    start_failed "does not answer after 10 s"
}

# searchd --stopwait asks the daemon to stop and waits for it; the
# processes its log names (main and watchdog) are then ended if need be
# and waited for. Nothing running is not an error.
cmd_stop() {
    if running; then
        searchd --config "$work/sphinx.conf" --stopwait >>"$work/searchd.out" 2>&1 || true
    fi
    # shellcheck disable=SC2046 # the pids are words
    end_pids $(logged_pids)
}

[ $# -ge 2 ] || usage
verb=$1
work=$(abs "$2")
case $verb in
index)
    [ $# -eq 3 ] || [ $# -eq 4 ] || usage
    list=$(abs "$3")
    config=${4:-deployed}
    cmd_index
    ;;
start)
    [ $# -eq 3 ] || usage
    port=$3
    cmd_start
    ;;
stop)
    [ $# -eq 2 ] || usage
    cmd_stop
    ;;
*) usage ;;
esac
