"""Black-box tests of attached's command line and start-up: the index
(--db, $ATTACHE_DB), listeners (--socket, --socket-mode, --listen with IPv4,
IPv6 and none), stale and live sockets, --threads and the config file.
"""
import os
import re
import socket
import stat
import unittest

import daemon as dm
import harness as h


def listening_tcp_ports(pid):
    """The TCP ports process pid listens on (from /proc), or None when
    /proc cannot tell."""
    try:
        inodes = set()
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        ports = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                with open(table) as f:
                    next(f)
                    for line in f:
                        parts = line.split()
                        if parts[3] == "0A" and parts[9] in inodes:  # LISTEN
                            ports.add(int(parts[1].rsplit(":", 1)[1], 16))
            except FileNotFoundError:
                continue
        return ports
    except OSError:
        return None


class StartupTest(dm.StartCase):
    def start(self, *args, **kw):
        return dm.start_daemon(self, self.db, *args, tmp=self.t, **kw)

    # -- the index ------------------------------------------------------------

    def test_missing_index(self):
        missing = os.path.join(self.t, "no-such-index")
        self.assertExit2(["--db", missing] + self.listen_args(), "a missing index", names=missing)
        self.assertFalse(os.path.exists(missing), "nothing created")

    def test_folder_that_is_not_an_index(self):
        empty = os.path.join(self.t, "empty")
        os.mkdir(empty)
        h.write(os.path.join(empty, "note.txt"), "not an index\n")
        self.assertExit2(["--db", empty] + self.listen_args(), "a folder without an index",
                         names=empty)
        self.assertEqual(os.listdir(empty), ["note.txt"], "nothing written into it")

    def test_index_is_a_file(self):
        f = h.write(os.path.join(self.t, "file"), "x\n")
        self.assertExit2(["--db", f] + self.listen_args(), "a file as index", names=f)

    def test_no_index_given(self):
        self.assertExit2(self.listen_args(), "neither --db nor $ATTACHE_DB")

    def test_index_from_environment(self):
        d = dm.Daemon(None, self.t, env={"ATTACHE_DB": self.db})
        self.assertNotIn("--db", d.cmd())
        self.addCleanup(d.cleanup)
        d.start()
        with d.connect() as c:
            self.assertEqual(c.call({"op": "stats"})["documents"], dm.CORPUS_DOCS)

    def test_db_option_wins_over_environment(self):
        d = self.start(env={"ATTACHE_DB": os.path.join(self.t, "elsewhere")})
        with d.connect() as c:
            self.assertEqual(c.call({"op": "stats"})["documents"], dm.CORPUS_DOCS)

    # -- the Unix socket -------------------------------------------------------

    def test_socket_directory_missing(self):
        sock = os.path.join(self.t, "no-such-dir", "s.sock")
        self.assertExit2(["--db", self.db, "--socket", sock, "--listen",
                          f"127.0.0.1:{dm.free_port()}", "--threads", "1"],
                         "a socket in a missing folder")

    def test_socket_mode_default_0660(self):
        d = self.start()
        mode = os.stat(d.sock_path).st_mode
        self.assertTrue(stat.S_ISSOCK(mode))
        self.assertEqual(oct(stat.S_IMODE(mode)), oct(0o660))

    def test_socket_mode_option(self):
        for m in ("0600", "0640", "0666"):
            with self.subTest(mode=m):
                d = self.start("--socket-mode", m)
                self.assertEqual(oct(stat.S_IMODE(os.stat(d.sock_path).st_mode)),
                                 oct(int(m, 8)))
                self.assertEqual(d.stop(), 0)

    def test_stale_socket_is_replaced(self):
        path = os.path.join(self.t, "stale.sock")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        s.close()  # the file stays, nobody listens
        self.assertTrue(stat.S_ISSOCK(os.stat(path).st_mode))
        with self.assertRaises(ConnectionRefusedError):
            dm.Client.unix(path, timeout=5)
        d = dm.Daemon(self.db, self.t, unix=False)
        d.sock_path = path
        self.addCleanup(d.cleanup)
        d.start()
        with d.connect("unix") as c:
            self.assertIs(c.call({"op": "ping"})["pong"], True)

    def test_live_socket_is_not_clobbered(self):
        first = self.start()
        ino = os.stat(first.sock_path).st_ino
        p = self.assertExit2(["--db", self.db, "--socket", first.sock_path, "--listen",
                              f"127.0.0.1:{dm.free_port()}", "--threads", "1"],
                             "a second daemon on a live socket")
        self.assertEqual(os.stat(first.sock_path).st_ino, ino, "the socket file replaced")
        with first.connect("unix") as c:
            self.assertIs(c.call({"op": "ping"})["pong"], True)
        self.assertTrue(first.running())
        self.assertTrue(p.stderr)

    def test_unix_socket_only(self):
        d = self.start("--listen", "none", tcp=False)
        with d.connect("unix") as c:
            self.assertIs(c.call({"op": "ping"})["pong"], True)
        ports = listening_tcp_ports(d.pid)
        if ports is not None:
            self.assertEqual(ports, set(), "--listen none: no TCP listener")

    # -- TCP ----------------------------------------------------------------------

    def test_ipv6_loopback(self):
        if not dm.have_ipv6_loopback():
            self.skipTest("no IPv6 loopback (::1) on this machine")
        port = dm.free_port("::1", socket.AF_INET6)
        d = self.start("--listen", f"[::1]:{port}", tcp=False)
        with dm.Client.tcp("::1", port) as c:
            r = c.call({"id": 6, "op": "search", "q": "soybeans"})
            self.assertTrue(r["hits"])

    def test_several_listen_addresses(self):
        p2 = dm.free_port()
        d = self.start("--listen", f"127.0.0.1:{p2}")
        for port in (d.port, p2):
            with dm.Client.tcp("127.0.0.1", port) as c:
                self.assertIs(c.call({"op": "ping"})["pong"], True)
        ports = listening_tcp_ports(d.pid)
        if ports is not None:
            self.assertEqual(ports, {d.port, p2})

    def test_tcp_only(self):
        d = self.start(unix=False)
        with d.connect("tcp") as c:
            self.assertIs(c.call({"op": "ping"})["pong"], True)

    # -- threads, config ---------------------------------------------------------------

    def test_threads(self):
        d = self.start(threads=3)
        with d.connect() as c:
            self.assertEqual(c.call({"op": "stats"})["threads"], 3)

    def test_config_file(self):
        conf = h.write(os.path.join(self.t, "attached.conf"),
                       "# a comment line\n"
                       f"db = {self.db}\n"
                       "\n"
                       "threads = 3\n"
                       "max-connections = 5   \n"
                       "  idle-timeout = 7\n"
                       "max-line=1000\n"
                       "# max-line = 5\n"
                       "query-time = 1500\n"
                       "max-wildcard = 50\n"
                       "log-level = warn\n")
        d = dm.Daemon(None, self.t, "--config", conf, "--idle-timeout", "9", threads=None)
        self.addCleanup(d.cleanup)
        d.start()
        with d.connect() as c:
            s = c.call({"op": "stats"})
            self.assertEqual(s["threads"], 3, "threads from the file")
            self.assertEqual(s["documents"], dm.CORPUS_DOCS, "db from the file")
            lim = s["limits"]
            self.assertEqual({k: lim[k] for k in ("max_connections", "idle_timeout_s",
                                                  "max_line", "query_time_ms",
                                                  "max_wildcard")},
                             {"max_connections": 5, "idle_timeout_s": 9, "max_line": 1000,
                              "query_time_ms": 1500, "max_wildcard": 50},
                             "the file's values, except where the command line wins")
            c.send_bytes(b'{"id":1,"op":"ping","pad":"' + b"x" * 1500 + b'"}\n')
            dm.assert_error(self, c.recv(), "too_large", None)


# The numeric settings: option -> (lowest, highest, key in stats.limits).
NUMERIC = {
    "threads": (1, 256, None),
    "max-connections": (1, 1000000, "max_connections"),
    "evict-idle": (0, 86400000, "evict_idle_ms"),
    "max-line": (256, 16 << 20, "max_line"),
    "idle-timeout": (0, 7 * 86400, "idle_timeout_s"),
    "request-timeout": (0, 86400, "request_timeout_s"),
    "query-time": (0, 600000, "query_time_ms"),
    "max-wildcard": (1, 1000000, "max_wildcard"),
    "max-output": (4096, 1 << 30, "max_output"),
    "max-client-memory": (0, (1 << 32) - 1, "max_client_memory"),
    "max-per-ip": (0, 1000000, "max_per_ip"),
    "slow-ms": (0, 3600000, None),
    "shard-timeout": (10, 600000, None),
    "shard-retry": (10, 3600000, None),
}

# Values unlike the defaults for every setting stats.limits shows.
LIMIT_VALUES = {"max-connections": 77, "evict-idle": 1234, "max-line": 3000,
                "idle-timeout": 99, "request-timeout": 7, "query-time": 1500,
                "max-wildcard": 55, "max-output": 100000, "max-client-memory": 12345678,
                "max-per-ip": 9}

MANPAGE = os.path.join(h.REPO, "docs", "man", "attached.8")
SAMPLE_CONF = os.path.join(h.REPO, "contrib", "attached.conf")


def help_settings(stdout):
    """The long options --help lists at the start of its lines."""
    return set(re.findall(r"(?m)^ +(?:-\w, )?--([a-z][a-z-]*)", stdout))


class SettingsTest(dm.StartCase):
    """The settings table: --help, the config file, the command line and
    stats.limits agree, and a bad number names its option and range."""

    def refused(self, args, what):
        """The message of attached refusing args (assertExit2)."""
        return self.assertExit2(args, what).stderr

    def test_help_lists_every_setting(self):
        p = dm.run_daemon(["--help"])
        self.assertEqual(p.returncode, 0, p.stderr)
        listed = help_settings(p.stdout)
        self.assertTrue(set(NUMERIC) <= listed, f"missing {set(NUMERIC) - listed}")
        with open(MANPAGE) as f:
            man = f.read().replace("\\-", "-")
        documented = set(re.findall(r"(?m)^\.B[IR] (?:-\w \", \" )?--([a-z][a-z-]*)", man))
        self.assertEqual(listed, documented, "--help and attached(8) list the same options")
        with open(SAMPLE_CONF) as f:
            sample = set(re.findall(r"(?m)^#?([a-z][a-z-]*) = ", f.read()))
        self.assertTrue(sample and sample <= listed, f"contrib/attached.conf: {sample - listed}")
        # Every setting --help lists is a config key (but --config, --help,
        # --version): a bad value is "bad value", never "unknown option".
        conf = os.path.join(self.t, "probe.conf")
        for name in sorted(listed - {"help", "version"}):
            with self.subTest(key=name):
                h.write(conf, f"{name} = !\nno-such-key = 1\n")
                err = self.refused(self.common() + ["--config", conf], name)
                self.assertNotIn(f'unknown option "{name}"', err)
                if name == "config":
                    self.assertIn("command line only", err)
        h.write(conf, "help = 1\n")
        self.assertIn('unknown option "help"', self.refused(self.common() + ["-c", conf], "help"))

    def test_bad_numbers_name_the_option_and_range(self):
        for name, (lo, hi, _) in NUMERIC.items():
            for bad in ("2.5", "", "1e3", " 5", "+5", "0x10", "5ms", str(hi + 1), str(lo - 1)):
                with self.subTest(option=name, value=bad):
                    err = self.refused(self.common() + [f"--{name}", bad], name)
                    self.assertIn(f"--{name}", err)
                    self.assertIn(f"from {lo} to {hi}", err)
        conf = os.path.join(self.t, "bad.conf")
        h.write(conf, "# numbers\n\nmax-line = 1e3\n")
        err = self.refused(self.common() + ["--config", conf], "max-line in the file")
        self.assertIn(f'{conf}:3: bad value for option "max-line"', err)
        self.assertIn("from 256 to 16777216", err)
        for name, (lo, hi, _) in NUMERIC.items():  # the bounds themselves are good
            for good in (lo, hi):
                with self.subTest(option=name, value=good):
                    h.write(conf, f"{name} = {good}\nno-such-key = 1\n")
                    err = self.refused(self.common() + ["--config", conf], name)
                    self.assertIn(':2: unknown option "no-such-key"', err)

    def test_file_and_command_line_give_the_same_limits(self):
        conf = h.write(os.path.join(self.t, "limits.conf"),
                       "".join(f"{k} = {v}\n" for k, v in LIMIT_VALUES.items()))
        want = {NUMERIC[k][2]: v for k, v in LIMIT_VALUES.items()}
        args = [a for k, v in LIMIT_VALUES.items() for a in (f"--{k}", str(v))]
        defaults = dm.start_daemon(self, self.db, tmp=self.t)
        from_file = dm.start_daemon(self, self.db, "--config", conf, tmp=self.t)
        from_args = dm.start_daemon(self, self.db, *args, tmp=self.t)
        got = []
        for d in (defaults, from_file, from_args):
            with d.connect() as c:
                got.append(c.call({"op": "stats"})["limits"])
        self.assertEqual(set(got[0]), set(want) | {"max_limit"}, "the keys of stats.limits")
        for k, v in want.items():
            self.assertNotEqual(got[0][k], v, f"{k}: the test value is the default")
        self.assertEqual({k: got[1][k] for k in want}, want, "from the config file")
        self.assertEqual({k: got[2][k] for k in want}, want, "from the command line")


if __name__ == "__main__":
    unittest.main()
