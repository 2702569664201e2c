"""Black-box tests of attached's security options: --token-file (TCP
clients send "auth" first; the Unix socket needs no token; SIGHUP reads a
new token), the warning when listening beyond loopback without a token,
--user (dropping root) and --socket-group, and the client's --token-file.
docs/PROTOCOL.md (Authentication) and attached.8 (SECURITY) are the
reference. Timing-safe comparison is not visible from outside: its results
are tested in tests/unit/test_token.c.
"""
import grp
import json
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import unittest

import daemon as dm
import harness as h

TOKEN = "kP3-test-token_0123456789"
RUN_TIMEOUT = 60


def write_token(path, text, mode=0o600):
    h.write(path, text)
    os.chmod(path, mode)
    return path


def proc_ids(pid):
    """(Uid line, Gid line, Groups line) of /proc/PID/status, as lists of ints."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("Uid", "Gid", "Groups"):
                out[key] = [int(x) for x in rest.split()]
    return out["Uid"], out["Gid"], out.get("Groups", [])


def can_bind_any():
    """True when this machine lets us listen on 0.0.0.0."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("0.0.0.0", 0))
        return True
    except OSError:
        return False


def user_or_skip(test, name="nobody"):
    try:
        return pwd.getpwnam(name)
    except KeyError:
        test.skipTest(f"no user {name} on this machine")


def group_or_skip(test):
    for name in ("nogroup", "daemon", "nobody"):
        try:
            g = grp.getgrnam(name)
        except KeyError:
            continue
        if g.gr_gid != os.getegid():
            return g
    test.skipTest("no group to give the socket to (nogroup, daemon, nobody)")


def open_to_all(path):
    """chmod a+rx path and every folder above it up to /tmp, so that another
    user can read what is inside."""
    while path not in ("/", "/tmp", ""):
        os.chmod(path, os.stat(path).st_mode | 0o755)
        path = os.path.dirname(path)


def client_env(extra=None):
    e = h._env(None)
    for k in ("ATTACHE_ADDR", "ATTACHE_TOKEN_FILE", "NO_COLOR", "COLUMNS", "LINES"):
        e.pop(k, None)
    e.update(extra or {})
    return e


def run_client(args, env=None, stdin=b""):
    return subprocess.run([h.bin_path("attache")] + [str(a) for a in args],
                          env=client_env(env), input=stdin, capture_output=True,
                          timeout=RUN_TIMEOUT)


class TokenTest(unittest.TestCase):
    """One daemon with a token, on TCP and a Unix socket."""

    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.tmp, cls.corpus, cls.db = dm.small_index(cls)
        cls.token_file = write_token(os.path.join(cls.tmp, "token"), TOKEN + "\n")
        # Ready once a ping is answered: on the Unix socket (no token there).
        cls.d = dm.start_daemon(cls, cls.db, "--token-file", cls.token_file, tmp=cls.tmp)

    def setUp(self):
        dm.check_alive(self, self.d)

    def tcp(self):
        c = self.d.connect("tcp")
        self.addCleanup(c.close)
        return c

    def assert_refused(self, c, resp, rid, what):
        dm.assert_error(self, resp, "unauthorized", rid, what)
        self.assertTrue(c.wait_eof(10), f"{what}: the connection is closed after the error")
        self.assertEqual(bytes(c.buf), b"", f"{what}: nothing more is answered")

    def test_tcp_without_auth_is_refused_and_closed(self):
        for req in ({"id": 1, "op": "ping"},
                    {"id": 2, "op": "search", "q": "soybeans"},
                    {"id": 3, "op": "stats"},
                    {"id": 4, "op": "frobnicate"}):
            with self.subTest(op=req["op"]):
                c = self.tcp()
                r = c.request(req)
                self.assert_refused(c, r, req["id"], f"{req['op']} before auth")
                self.assertIn("auth", r["error"]["message"], "the message says to send auth")
        c = self.tcp()
        c.send_bytes(b"not json at all\n")
        self.assert_refused(c, c.recv(), None, "a line that is not JSON before auth")

    def test_pipelined_requests_after_the_refusal_are_not_answered(self):
        c = self.tcp()
        c.send_bytes(c.encode({"id": 1, "op": "ping"}) +
                     c.encode({"id": 2, "op": "auth", "token": TOKEN}) +
                     c.encode({"id": 3, "op": "search", "q": "soybeans"}))
        self.assert_refused(c, c.recv(), 1, "ping first, then auth")

    def test_wrong_token_is_refused_and_closed(self):
        for token in ("wrong", TOKEN[:-1], TOKEN + "x", "", " " + TOKEN, TOKEN.upper()):
            with self.subTest(token=token):
                c = self.tcp()
                r = c.request({"id": "a", "op": "auth", "token": token})
                self.assert_refused(c, r, "a", f"token {token!r}")

    def test_right_token_then_search_on_the_same_connection(self):
        c = self.tcp()
        r = c.call({"id": 9, "op": "auth", "token": TOKEN})
        self.assertEqual((r["id"], r["ok"], r.get("auth")), (9, True, True), r)
        hits = c.call({"op": "search", "q": "soybeans"})["hits"]
        self.assertTrue(hits)
        self.assertIs(c.call({"op": "ping"})["pong"], True)
        c.call({"op": "get", "doc": "news/soybeans.txt"})
        # auth again with the right token: fine; with a wrong one: closed.
        self.assertIs(c.call({"op": "auth", "token": TOKEN})["auth"], True)
        r = c.request({"id": 5, "op": "auth", "token": "wrong"})
        self.assert_refused(c, r, 5, "a wrong token after a good one")

    def test_bad_requests_after_auth_keep_the_connection(self):
        c = self.tcp()
        c.call({"op": "auth", "token": TOKEN})
        dm.assert_error(self, c.request({"id": 1, "op": "frobnicate"}), "unknown_op", 1)
        dm.assert_error(self, c.request({"id": 2, "op": "auth"}), "bad_request", 2)
        self.assertIs(c.call({"op": "ping"})["pong"], True)

    def test_unix_socket_needs_no_token(self):
        with self.d.connect("unix") as c:
            self.assertTrue(c.call({"op": "search", "q": "soybeans"})["hits"])
            # auth is answered ok whatever the token: clients can always send it.
            self.assertIs(c.call({"op": "auth", "token": "anything"})["auth"], True)
            self.assertIs(c.call({"op": "ping"})["pong"], True)

    def test_refusals_are_counted(self):
        with self.d.connect("unix") as u:
            before = u.call({"op": "stats"})
        c = self.tcp()
        self.assert_refused(c, c.request({"id": 1, "op": "ping"}), 1, "ping")
        c = self.tcp()
        c.call({"op": "auth", "token": TOKEN})
        with self.d.connect("unix") as u:
            after = u.call({"op": "stats"})
        self.assertGreaterEqual(after["errors"].get("unauthorized", 0),
                                before["errors"].get("unauthorized", 0) + 1, after["errors"])
        self.assertGreaterEqual(after["requests"]["auth"], before["requests"]["auth"] + 1)
        self.assertEqual(after["requests"]["ping"], before["requests"]["ping"],
                         "a refused ping is not counted as a ping")

    # -- the client ------------------------------------------------------------

    def addr(self):
        return f"{self.d.host}:{self.d.port}"

    def test_client_with_token_file(self):
        p = run_client(["--connect", self.addr(), "--token-file", self.token_file,
                        "--color", "never", "soybeans"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"soybeans", p.stdout.lower())
        p = run_client(["--connect", self.addr(), "--token-file", self.token_file, "ping"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout.startswith(b"pong"), p.stdout)
        p = run_client(["--connect", self.addr(), "--token-file", self.token_file, "--json",
                        "get", "news/soybeans.txt"])
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), 1, "only the get's response, not the auth's")
        self.assertEqual(json.loads(lines[0])["doc"]["id"], "news/soybeans.txt")

    def test_client_token_from_environment(self):
        p = run_client(["--connect", self.addr(), "ping"],
                       env={"ATTACHE_TOKEN_FILE": self.token_file})
        self.assertEqual(p.returncode, 0, p.stderr)
        p = run_client(["ping"], env={"ATTACHE_TOKEN_FILE": self.token_file,
                                      "ATTACHE_ADDR": self.addr()})
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_client_raw_with_token(self):
        reqs = b'{"id":1,"op":"ping"}\n{"id":2,"op":"search","q":"soybeans"}\n'
        p = run_client(["--connect", self.addr(), "--token-file", self.token_file, "raw"],
                       stdin=reqs)
        self.assertEqual(p.returncode, 0, p.stderr)
        ids = [json.loads(x)["id"] for x in p.stdout.splitlines()]
        self.assertEqual(ids, [1, 2], "the responses to stdin's requests, no more")

    def test_client_without_token_or_with_a_wrong_one(self):
        wrong = write_token(os.path.join(h.tmp_for(self), "wrong"), "nope\n")
        for extra, what in (([], "no token"), (["--token-file", wrong], "a wrong token")):
            with self.subTest(what=what):
                p = run_client(["--connect", self.addr()] + extra + ["soybeans"])
                self.assertEqual(p.returncode, 2, f"{what}: {p}")
                err = p.stderr.decode()
                self.assertIn("unauthorized", err, what)
                self.assertIn("--token-file", err, f"{what}: the message says what to do")
                self.assertEqual(len(err.strip().splitlines()), 1, err)
                self.assertEqual(p.stdout, b"")

    def test_client_token_file_unreadable(self):
        missing = os.path.join(h.tmp_for(self), "missing")
        p = run_client(["--connect", self.addr(), "--token-file", missing, "ping"])
        self.assertEqual(p.returncode, 2, p)
        self.assertIn(missing, p.stderr.decode())

    def test_client_unix_socket_ignores_the_token(self):
        missing = os.path.join(h.tmp_for(self), "missing")
        p = run_client(["--socket", self.d.sock_path, "--token-file", missing, "ping"])
        self.assertEqual(p.returncode, 0, p.stderr)


class NoTokenTest(unittest.TestCase):
    """Without --token-file: auth is answered ok, nothing needs it."""

    def test_auth_without_a_token_configured(self):
        dm.require_daemon(self)
        tmp, _, db = dm.small_index(self)
        d = dm.start_daemon(self, db, tmp=tmp)
        for kind in ("tcp", "unix"):
            with d.connect(kind) as c:
                self.assertIs(c.call({"op": "ping"})["pong"], True, kind)
                r = c.call({"id": 3, "op": "auth", "token": "whatever"})
                self.assertEqual((r["id"], r["auth"]), (3, True), r)
                self.assertTrue(c.call({"op": "search", "q": "soybeans"})["hits"], kind)
        self.assertNotIn("WARNING", d.stderr(), "127.0.0.1 is loopback: no warning")


class StartupTest(dm.StartCase):
    """Token files, the warning about open addresses, SIGHUP."""

    def test_bad_token_files(self):
        empty = write_token(os.path.join(self.t, "empty"), "")
        blank = write_token(os.path.join(self.t, "blank"), "  \n\nsecond line\n")
        long_ = write_token(os.path.join(self.t, "long"), "x" * 1025 + "\n")
        missing = os.path.join(self.t, "missing")
        for path, what in ((empty, "an empty token file"), (blank, "a blank first line"),
                           (long_, "a token over 1024 bytes"), (missing, "a missing file"),
                           (self.t, "a folder")):
            with self.subTest(what=what):
                self.assertExit2(self.common() + ["--token-file", path], what, names=path)

    def test_token_file_in_the_config_file(self):
        tok = write_token(os.path.join(self.t, "tok"), TOKEN + "\n")
        conf = h.write(os.path.join(self.t, "attached.conf"), f"token-file = {tok}\n")
        d = dm.start_daemon(self, self.db, "--config", conf, tmp=self.t)
        with d.connect("tcp") as c:
            dm.assert_error(self, c.request({"id": 1, "op": "ping"}), "unauthorized", 1)
        with d.connect("tcp") as c:
            c.call({"op": "auth", "token": TOKEN})
            c.call({"op": "ping"})
        bad = h.write(os.path.join(self.t, "bad.conf"),
                      f"token-file = {os.path.join(self.t, 'missing')}\n")
        self.assertExit2(self.common() + ["--config", bad], "a missing token file (config)")

    def test_group_readable_token_file_warns(self):
        for mode, warns in ((0o640, True), (0o604, True), (0o600, False), (0o400, False)):
            with self.subTest(mode=oct(mode)):
                tok = write_token(os.path.join(self.t, f"tok{mode:o}"), TOKEN + "\n", mode)
                d = dm.start_daemon(self, self.db, "--token-file", tok, tmp=self.t)
                err = d.stderr()
                self.assertEqual("readable by" in err, warns, err)
                if warns:
                    self.assertIn(tok, err)
                self.assertEqual(d.stop(), 0)

    def listen_any(self, *args):
        if not can_bind_any():
            self.skipTest("cannot listen on 0.0.0.0 here")
        port = dm.free_port("0.0.0.0")
        d = dm.start_daemon(self, self.db, "--listen", f"0.0.0.0:{port}", *args, tcp=False,
                            tmp=self.t)
        return d, port

    def test_warning_when_listening_beyond_loopback_without_token(self):
        d, port = self.listen_any()
        warn = [x for x in d.stderr().splitlines() if "WARNING:" in x]
        self.assertEqual(len(warn), 1, d.stderr())
        line = warn[0]
        self.assertRegex(line, r"(^|\s)WARNING:", "the message starts with WARNING:")
        self.assertIn(f"0.0.0.0:{port}", line)
        self.assertIn("--token-file", line, "says how to fix it")
        self.assertIn("127.0.0.1", line, "says how to fix it")
        with dm.Client.tcp("127.0.0.1", port) as c:
            self.assertIs(c.call({"op": "ping"})["pong"], True, "served as before")

    def test_no_warning_with_a_token(self):
        tok = write_token(os.path.join(self.t, "tok"), TOKEN + "\n")
        d, port = self.listen_any("--token-file", tok)
        self.assertNotIn("WARNING", d.stderr())
        with dm.Client.tcp("127.0.0.1", port) as c:
            dm.assert_error(self, c.request({"id": 1, "op": "ping"}), "unauthorized", 1)

    def test_default_address_is_loopback_only(self):
        """Without --listen: TCP on 127.0.0.1:7311, and on no other address
        (read from the kernel's table of the daemon's listening sockets)."""
        port = 7311
        try:
            with socket.socket() as probe:
                probe.bind(("0.0.0.0", port))
        except OSError:
            self.skipTest(f"port {port} is taken on this machine")
        d = dm.Daemon(self.db, self.t, tcp="default", threads=1)
        self.addCleanup(d.cleanup)
        d.start()
        with dm.Client.tcp("127.0.0.1", port) as c:
            self.assertIs(c.call({"op": "ping"})["pong"], True)
        inodes = set()
        for fd in os.listdir(f"/proc/{d.pid}/fd"):
            target = os.readlink(f"/proc/{d.pid}/fd/{fd}")
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        listening = []
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with open(table) as f:
                for row in f.read().splitlines()[1:]:
                    cols = row.split()
                    if cols[3] == "0A" and cols[9] in inodes:  # 0A: LISTEN
                        listening.append(cols[1])
        self.assertEqual(listening, [f"0100007F:{port:04X}"],
                         "one TCP socket, on 127.0.0.1:7311 (little-endian hex)")
        self.assertNotIn("WARNING", d.stderr())

    def test_no_warning_on_loopback(self):
        extra = []
        if dm.have_ipv6_loopback():
            extra = ["--listen", f"[::1]:{dm.free_port('::1', socket.AF_INET6)}"]
        d = dm.start_daemon(self, self.db, "--listen", f"127.0.0.2:{dm.free_port()}",
                            *extra, tmp=self.t)
        self.assertNotIn("WARNING", d.stderr())

    def test_sighup_reads_a_new_token(self):
        tok = write_token(os.path.join(self.t, "tok"), "old-token\n")
        d = dm.start_daemon(self, self.db, "--token-file", tok, tmp=self.t)
        before = d.connect("tcp")
        self.addCleanup(before.close)
        before.call({"op": "auth", "token": "old-token"})
        write_token(tok, "new-token\n")
        d.signal(signal.SIGHUP)

        def new_token_works():
            with d.connect("tcp") as c:
                r = c.request({"op": "auth", "token": "new-token"})
                return r["ok"] is True
        h.wait_until(new_token_works, 10, "the new token accepted after SIGHUP")
        with d.connect("tcp") as c:
            r = c.request({"id": 1, "op": "auth", "token": "old-token"})
            dm.assert_error(self, r, "unauthorized", 1, "the old token on a new connection")
            self.assertTrue(c.wait_eof(10))
        self.assertIs(before.call({"op": "ping"})["pong"], True,
                      "a connection authenticated before SIGHUP stays so")

    def test_sighup_with_a_bad_token_file_keeps_the_old_token(self):
        tok = write_token(os.path.join(self.t, "tok"), "old-token\n")
        d = dm.start_daemon(self, self.db, "--token-file", tok, tmp=self.t)
        write_token(tok, "")
        d.signal(signal.SIGHUP)
        h.wait_until(lambda: "keeping the old one" in d.stderr(), 10, "the SIGHUP error")
        self.assertIn("holds no token", d.stderr())
        with d.connect("tcp") as c:
            c.call({"op": "auth", "token": "old-token"})
            self.assertTrue(c.call({"op": "search", "q": "soybeans"})["hits"])


class PrivilegeTest(dm.StartCase):
    """--user and --socket-group."""

    def need_root(self):
        if os.geteuid() != 0:
            self.skipTest("needs root")

    def public_index(self):
        """A copy of the index in a folder every user may read."""
        folder = h.tmp_for(self)
        db = os.path.join(folder, "db")
        shutil.copytree(self.db, db)
        open_to_all(folder)
        for root, dirs, files in os.walk(db):
            for n in dirs:
                os.chmod(os.path.join(root, n), 0o755)
            for n in files:
                os.chmod(os.path.join(root, n), 0o644)
        return db

    def test_unknown_user(self):
        p = dm.run_daemon(self.common() + ["--user", "no-such-user-attache"])
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("no-such-user-attache", p.stderr)

    def test_other_user_without_root(self):
        nobody = user_or_skip(self)
        if os.geteuid() != 0:
            me = pwd.getpwuid(os.geteuid()).pw_name
            other = "root" if me != "root" else nobody.pw_name
            p = dm.run_daemon(self.common() + ["--user", other])
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn(other, p.stderr)
            return
        # As root: run attached as nobody, asking for root, then for nobody.
        if not os.access(h.bin_path("attached"), os.X_OK):
            self.skipTest("attached not executable")
        open_to_all(self.t)
        db = self.public_index()
        cmd = [h.bin_path("attached")] + self.common(db)
        p = subprocess.run(cmd + ["--user", "root"], user=nobody.pw_uid,
                           group=nobody.pw_gid, extra_groups=[], env=h._env(None),
                           capture_output=True, text=True, timeout=RUN_TIMEOUT,
                           stdin=subprocess.DEVNULL)
        if p.returncode == 126 or "Permission denied" in p.stderr:
            self.skipTest(f"nobody cannot run {h.bin_path('attached')}: {p.stderr}")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("root", p.stderr)
        self.assertIn("only root", p.stderr)
        # Naming the user it runs as is fine (--listen none: nothing to leave
        # open; the socket in a folder of nobody's).
        own = os.path.join(self.t, "nobody")
        os.mkdir(own, 0o755)
        os.chown(own, nobody.pw_uid, nobody.pw_gid)
        sock = os.path.join(own, "n.sock")
        proc = subprocess.Popen([h.bin_path("attached"), "--db", db, "--socket", sock,
                                 "--listen", "none", "--threads", "1", "--user",
                                 nobody.pw_name], user=nobody.pw_uid, group=nobody.pw_gid,
                                extra_groups=[], env=h._env(None), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            h.wait_until(lambda: os.path.exists(sock) or proc.poll() is not None, 20,
                         "the socket of attached run as nobody")
            self.assertIsNone(proc.poll(), proc.stderr.read() if proc.poll() else "")
            d = dm.Daemon(db, self.t)  # only for its client
            d.sock_path = sock
            d.proc = proc
            d.wait_ready(kind="unix")
        finally:
            proc.send_signal(signal.SIGTERM)
            err = proc.communicate(timeout=RUN_TIMEOUT)[1]
        self.assertEqual(proc.returncode, 0, err)

    def test_current_user(self):
        me = pwd.getpwuid(os.geteuid()).pw_name
        d = dm.start_daemon(self, self.db, "--user", me, tmp=self.t)
        with d.connect() as c:
            self.assertIs(c.call({"op": "ping"})["pong"], True)
        self.assertEqual(proc_ids(d.pid)[0][1], os.geteuid())

    def test_root_drops_to_nobody(self):
        self.need_root()
        nobody = user_or_skip(self)
        db = self.public_index()
        open_to_all(self.t)
        pidfile = os.path.join(self.t, "attached.pid")
        d = dm.start_daemon(self, db, "--user", "nobody", "--pidfile", pidfile, tmp=self.t)
        uid, gid, groups = proc_ids(d.pid)
        self.assertEqual(uid, [nobody.pw_uid] * 4, "real, effective, saved and fs uid")
        self.assertEqual(gid, [nobody.pw_gid] * 4, "real, effective, saved and fs gid")
        want_groups = {g.gr_gid for g in grp.getgrall() if "nobody" in g.gr_mem}
        want_groups.add(nobody.pw_gid)
        self.assertTrue(set(groups) <= want_groups, f"supplementary groups {groups}")
        self.assertNotIn(0, groups, "root's groups are gone")
        with open(pidfile) as f:
            self.assertEqual(f.read().strip(), str(d.pid), "the pidfile, written as root")
        st = os.stat(d.sock_path)
        self.assertEqual((st.st_uid, st.st_gid), (nobody.pw_uid, nobody.pw_gid),
                         "the socket is given to the user")
        for kind in ("unix", "tcp"):
            with d.connect(kind) as c:
                self.assertTrue(c.call({"op": "search", "q": "soybeans"})["hits"], kind)
        # Reopening (SIGHUP) works as nobody too.
        d.signal(signal.SIGHUP)
        with d.connect() as c:
            self.assertIs(c.call({"op": "ping"})["pong"], True)
        self.assertEqual(d.stop(), 0, d.stderr())

    def test_root_drops_to_a_user_who_cannot_read_the_index(self):
        self.need_root()
        user_or_skip(self)
        private = os.path.join(self.t, "private")
        os.mkdir(private, 0o700)
        db = os.path.join(private, "db")
        shutil.copytree(self.db, db)
        pidfile = os.path.join(self.t, "attached.pid")
        p = dm.run_daemon(self.common(db) + ["--user", "nobody", "--pidfile", pidfile])
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(db, p.stderr, "names the index")
        self.assertIn("nobody", p.stderr, "names the user")
        self.assertFalse(os.path.exists(os.path.join(self.t, "s.sock")),
                         "the index is tried as the user before anything is bound")
        self.assertFalse(os.path.exists(pidfile))

    def test_socket_group(self):
        g = group_or_skip(self)
        if os.geteuid() != 0 and g.gr_gid not in os.getgroups():
            self.skipTest(f"not root nor a member of {g.gr_name}")
        d = dm.start_daemon(self, self.db, "--socket-group", g.gr_name, "--socket-mode",
                            "0660", tmp=self.t)
        st = os.stat(d.sock_path)
        self.assertEqual(st.st_gid, g.gr_gid, f"the socket's group is {g.gr_name}")
        self.assertEqual(st.st_uid, os.geteuid(), "the owner stays")
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o660)
        with d.connect("unix") as c:
            self.assertIs(c.call({"op": "ping"})["pong"], True)
        self.assertEqual(d.stop(), 0)
        # By number too.
        d = dm.start_daemon(self, self.db, "--socket-group", str(g.gr_gid), tmp=self.t)
        self.assertEqual(os.stat(d.sock_path).st_gid, g.gr_gid)

    def test_socket_group_with_user(self):
        self.need_root()
        nobody = user_or_skip(self)
        g = group_or_skip(self)
        db = self.public_index()
        open_to_all(self.t)
        d = dm.start_daemon(self, db, "--user", "nobody", "--socket-group", g.gr_name,
                            tmp=self.t)
        st = os.stat(d.sock_path)
        self.assertEqual((st.st_uid, st.st_gid), (nobody.pw_uid, g.gr_gid))

    def test_unknown_socket_group(self):
        p = dm.run_daemon(self.common() + ["--socket-group", "no-such-group-attache"])
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("no-such-group-attache", p.stderr)


if __name__ == "__main__":
    unittest.main()


class LogInjectionTest(unittest.TestCase):
    """Client text reaches the log (unknown ops, document ids, request ids,
    the addresses of failing requests); control characters in it are
    escaped, so a request cannot write a line of its own into the log or
    send escape sequences to an operator's terminal."""

    def test_newlines_and_control_characters_are_escaped(self):
        dm.require_daemon(self)
        tmp, _, db = dm.small_index(self)
        d = dm.start_daemon(self, db, "--log-level", "debug", tmp=tmp)
        forged = "2026-01-01T00:00:00.000Z attached: error: FORGED"
        nasty = [f"x\n{forged}", f"x\r{forged}", f"x\r\n{forged}", f"\x1b[2J\x1b[31m{forged}",
                 f"x\u2028{forged}", f"x\u2029{forged}", f"x\u0085{forged}",
                 f"x\u009b2J{forged}", f"x\x00{forged}", f"x\x7f\x08\x08{forged}"]
        since = len(d.stderr())
        with d.connect() as c:
            for s in nasty:
                for req in ({"id": s, "op": s}, {"id": 1, "op": "get", "doc": s},
                            {"id": 2, "op": "search", "q": s, "filter": {"source": s}},
                            {"id": 3, "op": "search", "q": "", "filter": {"doc": s}},
                            {"id": 4, "op": "search", "q": f"tax AND ({s}"}):
                    r = c.request(req)
                    self.assertIn("ok", r)
            self.assertIs(c.call({"op": "ping"})["pong"], True)

        def logged():
            return d.stderr()[since:].count("FORGED") >= len(nasty) * 2

        h.wait_until(logged, 10, "the unknown ops and document ids logged")
        log = d.stderr()[since:]
        for line in log.split("\n"):
            if line:
                self.assertRegex(line, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z attached: ",
                                 f"a line the daemon did not write:\n{log[-3000:]}")
                self.assertNotRegex(line, r"[\x00-\x08\x0b-\x1f\x7f]",
                                    f"a raw control character in {line!r}")
        self.assertNotIn("\r", log)
        for ch in ("\u2028", "\u2029", "\u0085", "\u009b"):
            self.assertNotIn(ch, log)
            self.assertIn(f"\\u{ord(ch):04x}2", log, "escaped as \\uHHHH")
        self.assertIn("\\n2026-01-01T00:00:00.000Z attached: error: FORGED", log)
