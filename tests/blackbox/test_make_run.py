"""Black-box test of the one-command demo, `make run`, as a new user meets
it: in a fresh clone of the repository (its committed HEAD), `make run`
installs nothing new, builds from scratch, puts the State of the Union
addresses in var/corpus/sotu (copied from the real corpus through
ATTACHE_SOTU_DIR, so no network is needed), indexes them, starts attached in
the background and shows ranked, highlighted passages and what to type next.
A second `make run` reuses the daemon; `make stop` stops it, and a second
`make stop` is harmless.

The daemon listens on a free TCP port (ATTACHE_DEMO_LISTEN), never on the
default 7311, and is killed by its pid whatever happens. Slow: one clone,
one build from scratch.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import time
import unittest
import urllib.request

import daemon as dm
import harness as h

BUILD_TIMEOUT = int(os.environ.get("ATTACHE_TEST_MAKE_RUN_TIMEOUT", "900"))  # first run
RERUN_TIMEOUT = 300
STOP_TIMEOUT = 120

# What a user's environment may hold that must not leak into the clone's
# make: an outer make's flags (its jobserver is not ours), a sanitizer
# build, another index or daemon address, another source of the corpus.
SCRUB = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "SANITIZE", "ATTACHE_DB",
         "ATTACHE_ADDR", "ATTACHE_SOTU_TGZ", "ATTACHE_SOTU_DIR", "ATTACHE_DEMO_LISTEN",
         "ATTACHE_DEMO_HTTP", "ATTACHE_HTTP", "ASAN_OPTIONS", "UBSAN_OPTIONS", "NO_COLOR")


def alive(pid):
    """Whether process pid exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return None


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def tail(text, n=40):
    return "\n".join(text.splitlines()[-n:])


class MakeRunTest(unittest.TestCase):
    def setUp(self):
        if os.environ.get("ATTACHE_FLAVOUR", "rel") != "rel":
            self.skipTest("make run builds and runs the release flavour: tested once, "
                          "with the rel flavour")
        if shutil.which("git") is None or shutil.which("make") is None:
            self.skipTest("git and make needed (to clone the repository and run make run)")
        if not os.path.exists(os.path.join(h.REPO, ".git")):  # a file in a linked worktree
            self.skipTest(f"{h.REPO} is not a git repository: nothing to clone")
        corpus = h.corpus_dir()
        self.sotu = os.path.join(corpus, "sotu") if corpus else None
        if not self.sotu or not os.path.isdir(self.sotu):
            self.skipTest("no corpus: ../shared/corpus/sotu or var/corpus/sotu (make run) "
                          "needed, to pass as ATTACHE_SOTU_DIR")
        self.tmp = h.make_tmp("attache-make-run-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.clone = os.path.join(self.tmp, "clone")
        self.pids = set()
        # Registered after the folder's removal, so it runs before it.
        self.addCleanup(self.kill_daemons)

    # -- helpers ----------------------------------------------------------------

    def pidfile(self):
        return os.path.join(self.clone, "var", "attached.pid")

    def kill_daemons(self):
        """Kill, by pid, every attached this test started (from the clone)."""
        pid = read_pid(self.pidfile())
        if pid:
            self.pids.add(pid)
        for pid in self.pids:
            if not alive(pid) or comm(pid) not in (None, "attached"):
                continue
            try:
                cwd = os.path.realpath(os.readlink(f"/proc/{pid}/cwd"))
                if cwd != os.path.realpath(self.clone):
                    continue  # the pid went to another program meanwhile
            except OSError:
                pass
            try:
                os.kill(pid, signal.SIGTERM)
                deadline = time.monotonic() + dm.STOP_TIMEOUT
                while alive(pid) and time.monotonic() < deadline:
                    time.sleep(0.05)
                if alive(pid):
                    os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def make(self, target, timeout):
        """Run make TARGET in the clone; (status, stdout, stderr). make and
        what it starts run in a process group of their own, killed whole on
        a time-out (the daemon has a session of its own and stays)."""
        cmd = ["make", f"-j{min(os.cpu_count() or 1, 8)}", target]
        proc = subprocess.Popen(cmd, cwd=self.clone, env=self.env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            out, err = proc.communicate()
            self.fail(f"make {target} took more than {timeout} s (a daemon holding its "
                      f"output open?)\nstdout:\n{tail(out)}\nstderr:\n{tail(err)}")
        pid = read_pid(self.pidfile())
        if pid:
            self.pids.add(pid)
        return proc.returncode, out, err

    def client(self, *args):
        return subprocess.run([os.path.join(self.clone, "bin", "attache")] + list(args),
                              cwd=self.clone, env=self.env, capture_output=True, text=True,
                              timeout=60, stdin=subprocess.DEVNULL)

    def assertServing(self, pid, what):
        self.assertTrue(alive(pid), f"{what}: pid {pid} of var/attached.pid is not running")
        self.assertIn(comm(pid), (None, "attached"), f"{what}: pid {pid} is not attached")
        for how in (["--socket", "var/attached.sock"], ["-C", self.listen]):
            p = self.client(*how, "ping")
            self.assertEqual(p.returncode, 0, f"{what}: bin/attache {' '.join(how)} ping: "
                             f"exit {p.returncode}; stderr: {p.stderr}")
            self.assertIn("pong", p.stdout, f"{what}: the ping's answer")
        # The search page's address that make run printed answers, and the
        # API finds what the client finds.
        with urllib.request.urlopen(f"http://{self.http}/search?q=emancipation&limit=1",
                                    timeout=60) as r:
            self.assertEqual(r.status, 200, f"{what}: GET /search over HTTP")
            self.assertTrue(json.loads(r.read())["hits"], f"{what}: no hit over HTTP")

    def assertDemoOutput(self, rc, out, err, what):
        both = f"stdout:\n{tail(out)}\nstderr:\n{tail(err)}"
        self.assertEqual(rc, 0, f"{what}: exit status {rc}\n{both}")
        self.assertTrue(re.search(r"^1\. \S", out, re.M), f"{what}: no ranked results\n{both}")
        self.assertTrue(re.search(r"⟦emancipation⟧", out, re.I),
                        f"{what}: no highlighted match (without colour, between ⟦ ⟧)\n{both}")
        self.assertTrue(re.search(r"\d+ of about \d+ results", out),
                        f"{what}: no result count\n{both}")
        self.assertIn(f"http://{self.http}/", out, f"{what}: the search page's URL\n{both}")
        for hint in ("make stop", "--help", "corpus/", "bin/attache-index"):
            self.assertTrue(hint in out, f"{what}: the closing hints do not name {hint}\n{both}")
        self.assertFalse("\x1b[" in out, f"{what}: escape sequences on a pipe\n{both}")

    # -- the test ---------------------------------------------------------------

    def test_make_run_twice_then_make_stop_twice(self):
        p = subprocess.run(["git", "clone", "--quiet", h.REPO, self.clone],
                           capture_output=True, text=True, timeout=300,
                           stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 0, f"git clone {h.REPO}: {p.stderr}")
        with open(os.path.join(self.clone, "Makefile")) as f:
            makefile = f.read()
        if not os.path.isfile(os.path.join(self.clone, "tools", "run.mk")) or \
                not re.search(r"^-?include\s+tools/run\.mk\b", makefile, re.M):
            self.skipTest("the committed Makefile does not include tools/run.mk "
                          "(make run not committed yet)")
        if not any(n.endswith(".c") for n in os.listdir(os.path.join(self.clone, "client"))):
            self.skipTest("the client (client/*.c) is not committed yet: make run needs it")

        self.listen = f"127.0.0.1:{dm.free_port()}"
        self.http = f"127.0.0.1:{dm.free_port()}"
        self.env = {k: v for k, v in os.environ.items() if k not in SCRUB}
        self.env.update(ATTACHE_SOTU_DIR=self.sotu, ATTACHE_DEMO_LISTEN=self.listen,
                        ATTACHE_DEMO_HTTP=self.http, ATTACHE_DEMO_TIMEOUT="60")

        # 1. From scratch: build, corpus, index, daemon, searches, hints.
        rc, out, err = self.make("run", BUILD_TIMEOUT)
        self.assertDemoOutput(rc, out, err, "the first make run")
        n = len([f for f in os.listdir(os.path.join(self.clone, "var", "corpus", "sotu"))
                 if f.endswith(".txt")])
        self.assertEqual(n, 233, "the State of the Union addresses in var/corpus/sotu")
        meta = os.path.join(self.clone, "var", "corpus", "sotu", "attache-meta.jsonl")
        self.assertTrue(os.path.isfile(meta), "var/corpus/sotu/attache-meta.jsonl, the "
                        "addresses' titles, presidents and parties, is written")
        with open(meta, encoding="utf-8") as f:
            described = [json.loads(line)["file"] for line in f if line.strip()]
        self.assertEqual(len(described), 233, "one line of attache-meta.jsonl per address")
        with open(meta, "rb") as f:
            meta_bytes = f.read()
        pid = read_pid(self.pidfile())
        self.assertIsNotNone(pid, "var/attached.pid holds the daemon's pid")
        self.assertServing(pid, "after the first make run")

        # 2. Again: cheap, and the same daemon; a corpus fetched before the
        # addresses were described gets its attache-meta.jsonl.
        os.remove(meta)
        rc, out, err = self.make("run", RERUN_TIMEOUT)
        self.assertDemoOutput(rc, out, err, "the second make run")
        self.assertEqual(read_pid(self.pidfile()), pid,
                         "the second make run reuses the running daemon (same pid)")
        self.assertTrue(os.path.isfile(meta), "the second make run writes the missing "
                        "var/corpus/sotu/attache-meta.jsonl")
        with open(meta, "rb") as f:
            self.assertEqual(f.read(), meta_bytes, "attache-meta.jsonl written again")
        self.assertServing(pid, "after the second make run")

        # 3. make stop: the daemon ends, its pid file goes.
        rc, out, err = self.make("stop", STOP_TIMEOUT)
        self.assertEqual(rc, 0, f"make stop: exit status {rc}\n{out}\n{err}")
        self.assertFalse(alive(pid), f"attached (pid {pid}) still runs after make stop")
        self.assertFalse(os.path.exists(self.pidfile()), "var/attached.pid left by make stop")

        # 4. make stop with nothing running: harmless.
        rc, out, err = self.make("stop", STOP_TIMEOUT)
        self.assertEqual(rc, 0, f"the second make stop: exit status {rc}\n{out}\n{err}")
        self.assertFalse(os.path.exists(self.pidfile()), "var/attached.pid after make stop")


if __name__ == "__main__":
    unittest.main()
