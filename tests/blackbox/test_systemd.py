"""Black-box tests of attached under a service manager, without systemd:
the test binds a Unix datagram socket of its own and gives its path to the
daemon as NOTIFY_SOCKET, then reads what the daemon tells it (sd_notify):
READY=1 once it serves (with MAINPID), RELOADING=1 then READY=1 around a
SIGHUP, STOPPING=1 on SIGTERM, and WATCHDOG=1 at half of WATCHDOG_USEC
while every worker's event loop turns (none while one is stuck). Without
NOTIFY_SOCKET the daemon runs as it always did.

Also: systemd-analyze verify accepts the unit files of contrib/ (copies
whose programs are this build's), and the timer keeps the README's
crontab schedule and paths.
"""
import glob
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import time
import unittest

import daemon as dm
import harness as h
import test_shards as ts

WATCHDOG_USEC = 400000          # the pings then come every 200 ms
NOTE_TIMEOUT = h.scaled(20)     # for a notification the daemon owes
PACE_WINDOW = 2.0               # seconds over which the pings are counted
CONTRIB = os.path.join(h.REPO, "contrib")
UNIT_SUFFIXES = (".service", ".timer", ".socket", ".path", ".target")
ANALYZE = shutil.which("systemd-analyze")
NO_ANALYZE = "systemd-analyze not found (Debian package systemd)"


def parse_note(data):
    """A notification datagram as a dict (KEY=VALUE lines)."""
    out = {}
    for line in data.decode("utf-8", "replace").split("\n"):
        if "=" in line:
            k, v = line.split("=", 1)
            out[k] = v
    return out


class Listener:
    """The service manager's end: a datagram socket in tmp, and what came."""

    def __init__(self, test, tmp):
        self.path = os.path.join(tmp, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        test.addCleanup(self.sock.close)
        self.sock.bind(self.path)
        self.seen = []   # (monotonic time, dict), every datagram read

    def recv(self, timeout):
        """The next notification (time, dict), or None after timeout s."""
        self.sock.settimeout(max(timeout, 0.001))
        try:
            data = self.sock.recv(4096)
        except socket.timeout:
            return None
        note = (time.monotonic(), parse_note(data))
        self.seen.append(note)
        return note

    def wait_for(self, key, timeout=NOTE_TIMEOUT, proc=None):
        """Read until a notification with key comes; returns (time, dict).
        Fails on timeout, or when proc exits first."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {key} within {timeout} s; got {self.keys()}")
            note = self.recv(min(left, 0.5))
            if note is not None and key in note[1]:
                return note
            if proc is not None and proc.poll() is not None and note is None:
                raise AssertionError(f"attached exited ({proc.returncode}) before {key}; "
                                     f"got {self.keys()}")

    def pings_for(self, seconds):
        """The times of the WATCHDOG=1 pings read during the next seconds
        (this wait measures the pace: it is no wait for a condition)."""
        out = []
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            note = self.recv(end - time.monotonic())
            if note is not None and note[1].get("WATCHDOG") == "1":
                out.append(note[0])
        return out

    def keys(self):
        return [sorted(n.keys()) for _, n in self.seen[-12:]]


class NotifyDaemon(dm.Daemon):
    """A Daemon whose environment may also lose variables (unset), and
    which may be started through sh to set WATCHDOG_PID to its own pid
    (exec keeps the pid)."""

    def __init__(self, *args, unset=(), own_pid=False, **kw):
        super().__init__(*args, **kw)
        self.unset, self.own_pid = unset, own_pid

    def cmd(self):
        c = super().cmd()
        if self.own_pid:
            c = ["/bin/sh", "-c", 'WATCHDOG_PID=$$; export WATCHDOG_PID; exec "$@"', "sh"] + c
        return c

    def start(self, wait=True):
        env = h._env(self.env)
        for k in self.unset:
            env.pop(k, None)
        self._errf = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(self.cmd(), stdin=subprocess.DEVNULL, stdout=self._errf,
                                     stderr=self._errf, env=env)
        if wait:
            self.wait_ready()
        return self


class NotifyTest(unittest.TestCase):
    def setUp(self):
        dm.skip_without_daemon()
        self.tmp, self.corpus, self.db = dm.small_index(self)
        self.mgr = Listener(self, self.tmp)

    def daemon(self, *args, env=None, watchdog=False, dbs=None, **kw):
        """Started without waiting: the test waits for READY=1 itself."""
        e = {"NOTIFY_SOCKET": self.mgr.path}
        if watchdog:
            e["WATCHDOG_USEC"] = str(WATCHDOG_USEC)
        e.update(env or {})
        d = NotifyDaemon(dbs or self.db, self.tmp, *args, env=e, **kw)
        self.addCleanup(d.cleanup)
        return d.start(wait=False)

    def ready(self, d):
        _, note = self.mgr.wait_for("READY", proc=d.proc)
        return note

    def test_ready_once_serving(self):
        d = self.daemon()
        note = self.ready(d)
        # no retry: the sockets listen and the workers answer once READY=1 came
        for kind in ("unix", "tcp"):
            with d.connect(kind) as c:
                self.assertIs(c.call({"op": "ping"}).get("pong"), True, kind)
        self.assertEqual(note.get("READY"), "1")
        self.assertEqual(note.get("MAINPID"), str(d.pid), note)
        self.assertIn("serving", note.get("STATUS", ""), note)
        self.assertNotIn("WATCHDOG", [k for _, n in self.mgr.seen for k in n],
                         "no watchdog pings without WATCHDOG_USEC")

    def test_every_worker_serves_once_ready(self):
        # each worker opens its own index handle before READY=1
        d = self.daemon(threads=4)
        self.ready(d)
        for _ in range(8):  # every worker in turn (round-robin hand-off)
            with d.connect("tcp") as c:
                self.assertIs(c.call({"op": "search", "q": "soybeans"})["ok"], True)

    def test_sighup_reloading_then_ready(self):
        d = self.daemon(log_level="info")
        self.ready(d)
        d.signal(signal.SIGHUP)
        t_rel, rel = self.mgr.wait_for("RELOADING", proc=d.proc)
        self.assertEqual(rel.get("RELOADING"), "1")
        # MONOTONIC_USEC: CLOCK_MONOTONIC, as time.monotonic() reads it
        self.assertRegex(rel.get("MONOTONIC_USEC", ""), r"^\d+$", rel)
        self.assertLess(abs(int(rel["MONOTONIC_USEC"]) / 1e6 - t_rel), 5, rel)
        _, again = self.mgr.wait_for("READY", proc=d.proc)
        self.assertEqual(again.get("READY"), "1")
        with d.connect() as c:
            self.assertIs(c.call({"op": "ping"}).get("pong"), True)
        self.assertEqual(d.stop(), 0)
        self.assertIn("SIGHUP: configuration reloaded", d.stderr())

    def test_sigterm_stopping(self):
        d = self.daemon()
        self.ready(d)
        d.signal(signal.SIGTERM)
        _, note = self.mgr.wait_for("STOPPING", proc=d.proc)
        self.assertEqual(note.get("STOPPING"), "1")
        self.assertEqual(d.wait(), 0, d.stderr()[-2000:])

    @h.not_under_valgrind("the pace of the pings is a time bound")
    def test_watchdog_pace(self):
        for own_pid in (False, True):  # WATCHDOG_PID unset, then the daemon's pid
            with self.subTest(watchdog_pid=own_pid):
                d = self.daemon(watchdog=True, own_pid=own_pid)
                self.ready(d)
                self.check_pace(self.mgr.pings_for(PACE_WINDOW), f"WATCHDOG_PID set: {own_pid}")
                d.cleanup()

    def check_pace(self, pings, what):
        expect = PACE_WINDOW / (WATCHDOG_USEC / 2e6)   # 10
        self.assertGreaterEqual(len(pings), expect * 0.5, f"{what}: {len(pings)} pings")
        self.assertLessEqual(len(pings), expect * 1.5 + 1, f"{what}: {len(pings)} pings")
        gaps = [b - a for a, b in zip(pings, pings[1:])]
        self.assertLess(max(gaps), WATCHDOG_USEC / 1e6,
                        f"{what}: a gap between pings longer than WATCHDOG_USEC: {gaps}")

    def test_watchdog_of_another_process(self):
        # WATCHDOG_PID names another process: the watchdog is not ours
        d = self.daemon(watchdog=True, env={"WATCHDOG_PID": "1"})
        self.ready(d)
        pings = self.mgr.pings_for(3 * WATCHDOG_USEC / 1e6)
        self.assertEqual(pings, [], "no pings when WATCHDOG_PID is another process's")

    def test_without_notify_socket(self):
        # WATCHDOG_USEC alone (no NOTIFY_SOCKET): nothing to tell, no timer
        d = self.daemon(log_level="info", env={"WATCHDOG_USEC": str(WATCHDOG_USEC)},
                        unset=("NOTIFY_SOCKET",))
        d.wait_ready()
        with d.connect("tcp") as c:
            self.assertIs(c.call({"op": "search", "q": "soybeans"})["ok"], True)
        self.assertIsNone(self.mgr.recv(0.2), "nothing may reach the socket")
        self.assertEqual(d.stop(), 0)
        self.assertNotIn("watchdog", d.stderr())
        self.assertNotIn("NOTIFY_SOCKET", d.stderr())

    def test_notify_socket_gone(self):
        # a socket nobody listens on: one warning, and the daemon serves
        d = self.daemon(env={"NOTIFY_SOCKET": os.path.join(self.tmp, "nobody.sock")},
                        watchdog=True)
        d.wait_ready()
        h.wait_until(lambda: "cannot notify the service manager" in d.stderr(), 10,
                     "the warning")
        with d.connect() as c:
            self.assertIs(c.call({"op": "ping"}).get("pong"), True)
        self.assertEqual(d.stop(), 0)
        self.assertEqual(d.stderr().count("cannot notify the service manager"), 1,
                         d.stderr()[-2000:])


class WatchdogStuckWorkerTest(unittest.TestCase):
    """A worker blocked (a search waiting on a hung remote shard) holds the
    pings back until its loop turns again: systemd would restart a daemon
    that stays stuck."""

    SHARD_TIMEOUT_MS = 2500

    def setUp(self):
        ts.require_programs(self, tcpsrv=True)
        self.tmp, self.corpus = ts.small_corpus(self)
        S = os.path.join(self.tmp, "S")
        ts.build(self.corpus, S, "--shards", 2)
        self.mgr = Listener(self, self.tmp)
        self.srv = ts.start_tcpsrv(self, os.path.join(S, ts.shard_name(1, 2)), self.tmp)

    @h.not_under_valgrind("the pace of the pings is a time bound")
    def test_stuck_worker_holds_pings_back(self):
        d = NotifyDaemon(os.path.join(self.tmp, "S", ts.shard_name(0, 2)), self.tmp,
                         "--db", self.srv.spec, "--shard-timeout", self.SHARD_TIMEOUT_MS,
                         threads=1, env={"NOTIFY_SOCKET": self.mgr.path,
                                         "WATCHDOG_USEC": str(WATCHDOG_USEC)})
        self.addCleanup(d.cleanup)
        d.start(wait=False)
        self.mgr.wait_for("READY", proc=d.proc)
        self.assertGreaterEqual(len(self.mgr.pings_for(1.0)), 2, "pings before the hang")
        self.srv.freeze()
        self.addCleanup(self.srv.thaw)
        c = d.connect()
        self.addCleanup(c.close)
        t0 = time.monotonic()
        c.send({"id": 1, "op": "search", "q": "trade"})  # the only worker waits on the shard
        pings = self.mgr.pings_for(self.SHARD_TIMEOUT_MS / 1000 + 1.5)
        t1 = time.monotonic()
        resp = c.recv(timeout=30)
        self.assertEqual(resp["id"], 1)
        times = [t0] + pings + [t1]
        gaps = [round(b - a, 3) for a, b in zip(times, times[1:])]
        self.assertGreater(max(gaps), 3 * WATCHDOG_USEC / 1e6,
                           f"no ping held back while the worker was stuck: gaps {gaps}")
        self.assertIn("watchdog: worker 0 has not turned its event loop", d.stderr())
        # its loop turns again: the pings resume at their pace
        self.assertGreaterEqual(len(self.mgr.pings_for(1.0)), 2, "pings after the hang")
        h.wait_until(lambda: "pings resume" in d.stderr(), 10, "the log line")


def unit_files():
    return sorted(p for p in glob.glob(os.path.join(CONTRIB, "*"))
                  if p.endswith(UNIT_SUFFIXES))


def ours(path):
    """A copy's text: programs of /usr/local/bin are this build's (or a
    script of contrib/, which make install puts there)."""
    with open(path) as f:
        text = f.read()

    def program(name):
        script = os.path.join(CONTRIB, name)
        return script if os.access(script, os.X_OK) else h.bin_path(name)

    return re.sub(r"/usr/local/bin/([\w.-]+)", lambda m: program(m.group(1)), text)


def verify(files):
    """(exit status, problems): systemd-analyze verify on files. A problem
    is a line naming a file and line number (an unknown key or section, a
    value that does not parse: systemd only warns about those), or any
    line when the exit status is not 0."""
    p = subprocess.run([ANALYZE, "verify", "--man=no"] + files, capture_output=True,
                       text=True, timeout=120, stdin=subprocess.DEVNULL)
    lines = [ln for ln in (p.stdout + p.stderr).splitlines() if ln.strip()]
    located = re.compile(r"^\S+\.(service|timer|socket|path|target):\d+:")
    problems = [ln for ln in lines if located.match(ln) or p.returncode != 0]
    return p.returncode, problems


@unittest.skipIf(ANALYZE is None, NO_ANALYZE)
class UnitFilesTest(unittest.TestCase):
    def setUp(self):
        for name in ("attached", "attache-index"):
            if not os.path.exists(h.bin_path(name)):
                self.skipTest(f"{h.bin_path(name)} not built")
        self.tmp = h.tmp_for(self)

    def copies(self, edit=None):
        out = []
        for src in unit_files():
            dst = os.path.join(self.tmp, os.path.basename(src))
            text = ours(src)
            if edit is not None:
                text = edit(os.path.basename(src), text)
            h.write(dst, text)
            out.append(dst)
        return out

    def test_units_verify(self):
        files = self.copies()
        names = [os.path.basename(f) for f in files]
        for want in ("attached.service", "attache-index.service", "attache-index.timer"):
            self.assertIn(want, names)
        rc, problems = verify(files)
        self.assertEqual((rc, problems), (0, []), f"systemd-analyze verify {names}")

    def test_verify_catches_mistakes(self):
        # the check above can fail: a misspelt key and a bad value are found
        def spoil(name, text):
            if name != "attached.service":
                return text
            return text.replace("WatchdogSec=30s", "WatchdogSec=thirty").replace(
                "NoNewPrivileges=yes", "NoNewPrivilege=yes")
        rc, problems = verify(self.copies(spoil))
        text = "\n".join(problems)
        self.assertIn("thirty", text, problems)
        self.assertIn("NoNewPrivilege", text, problems)


def unit_settings(name):
    """{key: [values]} of a contrib unit file."""
    out = {}
    with open(os.path.join(CONTRIB, name)) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith(("#", ";", "[")) and "=" in line:
                k, v = line.split("=", 1)
                out.setdefault(k.strip(), []).append(v.strip())
    return out


class UnitContentTest(unittest.TestCase):
    def test_attached_unit(self):
        u = unit_settings("attached.service")
        self.assertEqual(u.get("Type"), ["notify"])
        self.assertEqual(u.get("NotifyAccess"), ["main"])
        self.assertEqual(u.get("WatchdogSec"), ["30s"])
        self.assertEqual(u.get("ExecReload"), ["/bin/kill -HUP $MAINPID"])
        self.assertEqual(u.get("CapabilityBoundingSet"), [""])
        argv = shlex.split(u["ExecStart"][0])
        self.assertIn("--http", argv)
        for port in (a.rsplit(":", 1)[1] for a in argv if re.match(r"^[\d.]+:\d+$", a)):
            self.assertGreaterEqual(int(port), 1024, "no capability to bind a port below")

    def test_timer_matches_the_readme_crontab(self):
        with open(os.path.join(h.REPO, "README.md")) as f:
            readme = f.read()
        m = re.search(r"^\s+\*/(\d+) \* \* \* \*\s+(attache-index .*)$", readme, re.M)
        self.assertIsNotNone(m, "the crontab line of the README")
        every, cron_argv = m.group(1), shlex.split(m.group(2))
        timer = unit_settings("attache-index.timer")
        self.assertEqual(timer.get("OnCalendar"), [f"*:0/{every}"])
        self.assertEqual(timer.get("Persistent"), ["true"])
        svc = unit_settings("attache-index.service")
        argv = shlex.split(svc["ExecStart"][0])
        self.assertEqual(os.path.basename(argv[0]), "attache-index")
        self.assertEqual(argv[1:], cron_argv[1:], "the same options and paths as the crontab")
        self.assertEqual(svc.get("Type"), ["oneshot"])
        db = argv[argv.index("-d") + 1]
        self.assertIn(db, svc.get("ReadWritePaths", []))


if __name__ == "__main__":
    unittest.main()
