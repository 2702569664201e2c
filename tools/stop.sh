#!/bin/sh
# `make stop`: stop the attached that `make run` (tools/run.sh) started,
# from var/attached.pid. SIGTERM lets it answer what it has received; it is
# given ATTACHE_STOP_TIMEOUT seconds (default 30) to exit, then killed.
# Harmless when nothing runs; a stale pid file is removed.
set -u
cd "$(dirname "$0")/.." || exit 1

PIDFILE=var/attached.pid
ADDRFILE=var/attached.addr
HTTPFILE=var/attached.http
TIMEOUT=${ATTACHE_STOP_TIMEOUT:-30}

# alive, is_attached
. tools/procs.sh

# Wait up to $2 seconds for process $1 to end; 0 when it did.
wait_gone() {
    deadline=$(($(date +%s) + $2))
    while alive "$1"; do
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep 0.1
    done
    return 0
}

if [ ! -f "$PIDFILE" ]; then
    echo "attache: attached is not running (no $PIDFILE)"
    rm -f "$ADDRFILE" "$HTTPFILE"
    exit 0
fi

pid=$(head -n 1 "$PIDFILE" 2>/dev/null | tr -d ' \t\r')
case $pid in
    '' | *[!0-9]*)
        echo "attache: $PIDFILE holds no process id; removing it"
        rm -f "$PIDFILE" "$ADDRFILE" "$HTTPFILE"
        exit 0 ;;
esac

if ! alive "$pid"; then
    echo "attache: attached (pid $pid) is not running; removing the stale $PIDFILE"
    rm -f "$PIDFILE" "$ADDRFILE" "$HTTPFILE"
    exit 0
fi
if ! is_attached "$pid"; then
    echo "attache: pid $pid of $PIDFILE is another program now, not attached; removing the stale $PIDFILE"
    rm -f "$PIDFILE" "$ADDRFILE" "$HTTPFILE"
    exit 0
fi

echo "attache: stopping attached (pid $pid)"
if ! kill -TERM "$pid" 2>/dev/null; then
    alive "$pid" || { rm -f "$PIDFILE" "$ADDRFILE" "$HTTPFILE"; echo "attache: attached stopped"; exit 0; }
    echo "attache: cannot signal attached (pid $pid): not allowed?" >&2
    exit 1
fi
if ! wait_gone "$pid" "$TIMEOUT"; then
    echo "attache: attached (pid $pid) did not exit within $TIMEOUT s of SIGTERM; sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null
    if ! wait_gone "$pid" 10; then
        echo "attache: attached (pid $pid) is still running after SIGKILL" >&2
        exit 1
    fi
fi
# attached removes its pid file when it exits by itself; not when killed.
rm -f "$PIDFILE" "$ADDRFILE" "$HTTPFILE"
echo "attache: attached stopped"
