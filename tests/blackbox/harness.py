"""Shared helpers for the black-box tests: where the programs and the corpus
are, temporary folders, running attache-index and reading what it prints.

Everything here talks to the programs the way a user or a cron job would:
command lines, exit statuses, stdout and stderr, and files on disk.
"""
import fcntl
import json
import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

NO_CORPUS = "no corpus: ../shared/corpus or var/corpus (make run) needed"

# Exit statuses of attache-index (indexer/main.c).
EXIT_OK, EXIT_FAILED_FILES, EXIT_USAGE, EXIT_LOCKED, EXIT_INTERRUPTED = 0, 1, 2, 75, 130

SUMMARY_KEYS = {"added", "updated", "removed", "unchanged", "failed", "skipped",
                "documents", "passages", "seconds", "interrupted", "meta_updated",
                "duplicates", "id_conflicts", "records"}
STATS_KEYS = {"documents", "passages", "files", "failed", "terms", "spellings",
              "spelling_freq", "bytes", "revision", "shards", "consistent"}


# The flavour under test, as tests/runner.py sets it: rel (bin/), san (the
# sanitizer build) or memcheck (bin/'s programs under valgrind's memcheck,
# through wrapper scripts in $ATTACHE_BIN). The runner loads this module
# afresh for each flavour, so module-level values follow the flavour.
FLAVOUR = os.environ.get("ATTACHE_FLAVOUR", "rel")

# How many times slower the programs run than the release build: the
# memcheck flavour sets ATTACHE_TEST_SLOWDOWN. The harness's waits for a
# program (to be ready, to answer, to exit, a condition in wait_until)
# are multiplied by it; bounds a test asserts are not.
SLOWDOWN = float(os.environ.get("ATTACHE_TEST_SLOWDOWN") or 1)


def scaled(seconds):
    """seconds of waiting for a program, stretched for a slow flavour."""
    return seconds * SLOWDOWN


def not_under_valgrind(reason):
    """Decorator for a test method or class that cannot hold under valgrind
    for a reason other than a memory error (a time or memory bound that
    valgrind's slowdown and heap break, or a volume that would take it
    hours): skipped in the memcheck flavour, with reason. Keep the list
    short: a test that fails under valgrind for a memory error is a bug."""
    return unittest.skipIf(FLAVOUR == "memcheck", f"not under valgrind: {reason}")


def build_dir():
    """The build folder of the flavour under test (build/rel, build/san;
    the memcheck flavour runs build/rel's programs), for bench/load."""
    return os.environ.get("ATTACHE_BUILD") or os.path.join(
        REPO, "build", "rel" if FLAVOUR == "memcheck" else FLAVOUR)


def bin_path(name):
    """A program of the flavour under test ($ATTACHE_BIN, else <repo>/bin)."""
    return os.path.join(os.environ.get("ATTACHE_BIN") or os.path.join(REPO, "bin"), name)


def corpus_dir():
    """The real corpus, or None: $ATTACHE_TEST_CORPUS when set, else
    ../shared/corpus, else var/corpus (the one `make run` fetches)."""
    forced = os.environ.get("ATTACHE_TEST_CORPUS")
    if forced:
        return os.path.realpath(forced) if os.path.isdir(forced) else None
    for path in (os.path.join(REPO, "..", "shared", "corpus"),
                 os.path.join(REPO, "var", "corpus")):
        if os.path.isdir(path):
            return os.path.realpath(path)
    return None


def make_tmp(prefix="attache-bb-"):
    """A new folder under /tmp; the caller arranges its removal."""
    return tempfile.mkdtemp(prefix=prefix, dir="/tmp")


def tmp_for(test):
    """A new folder under /tmp removed when the test (or class) is done.
    test is a TestCase instance, or a TestCase class inside setUpClass."""
    path = make_tmp()
    if isinstance(test, type):
        test.addClassCleanup(shutil.rmtree, path, ignore_errors=True)
    else:
        test.addCleanup(shutil.rmtree, path, ignore_errors=True)
    return path


def copy_tree(src, dst):
    """Copy a folder keeping modification times to the nanosecond, so the
    copy looks unchanged to the indexer."""
    shutil.copytree(src, dst, copy_function=shutil.copy2, symlinks=True)
    return dst


def _env(env):
    """The environment for a run: ours without ATTACHE_DB, plus env.
    ATTACHE_HTTP=none unless env sets it: a daemon a test starts serves
    HTTP only where the test asks (--http), never on the default port."""
    e = dict(os.environ)
    e.pop("ATTACHE_DB", None)
    e["ATTACHE_HTTP"] = "none"
    if env:
        e.update(env)
    return e


def indexer_cmd(*args):
    return [bin_path("attache-index")] + [str(a) for a in args]


def run_indexer(*args, env=None, timeout=300, cwd=None):
    """Run attache-index to the end; a CompletedProcess with text output.
    env adds to (or overrides) the inherited environment, from which
    ATTACHE_DB is removed so that only what a test sets counts. timeout
    is scaled for a slow flavour."""
    return subprocess.run(indexer_cmd(*args), env=_env(env), capture_output=True,
                          text=True, timeout=scaled(timeout), stdin=subprocess.DEVNULL,
                          cwd=cwd)


def start_indexer(*args, env=None):
    """Start attache-index in the background (stdout and stderr piped)."""
    return subprocess.Popen(indexer_cmd(*args), env=_env(env), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)


PROGRESS = re.compile(r"(\d+)/(\d+) files")


class Watched:
    """attache-index running in the background with --progress: its
    output is read as it comes, so a test can wait until it has gone
    through a number of files (the progress bar, not a clock)."""

    def __init__(self, *args, env=None):
        self.proc = subprocess.Popen(indexer_cmd("--progress", *args), env=_env(env),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL)
        self.pid = self.proc.pid
        self._out, self._err = bytearray(), bytearray()
        self._lock = threading.Lock()
        self._done = 0
        self._readers = [threading.Thread(target=self._read, args=(f, b, b is self._err),
                                          daemon=True)
                         for f, b in ((self.proc.stdout, self._out),
                                      (self.proc.stderr, self._err))]
        for t in self._readers:
            t.start()

    def _read(self, f, buf, progress):
        while True:
            chunk = os.read(f.fileno(), 65536)
            if not chunk:
                return
            with self._lock:
                buf += chunk
                if progress:
                    tail = buf[-200:].decode("utf-8", "replace")
                    for m in PROGRESS.finditer(tail):
                        self._done = max(self._done, int(m.group(1)))

    def files_done(self):
        """The highest "N/M files" the progress bar has shown."""
        with self._lock:
            return self._done

    def running(self):
        return self.proc.poll() is None

    def signal(self, sig):
        os.kill(self.pid, sig)

    def wait_files(self, n, timeout=300):
        """Wait until the progress bar shows n files done; returns the
        count, or raises when the run ends (or times out) before."""
        wait_until(lambda: self.files_done() >= n or not self.running(), timeout,
                   f"{n} files done")
        if self.files_done() < n:
            raise AssertionError(f"the run ended (exit {self.proc.returncode}) after "
                                 f"{self.files_done()} files, before {n}")
        return self.files_done()

    def finish(self, timeout=300):
        """(returncode, stdout, stderr) once it has ended; the progress
        bar's redraws are left out of stderr."""
        rc = self.proc.wait(timeout=scaled(timeout))
        for t in self._readers:
            t.join(timeout=60)
        self.proc.stdout.close()
        self.proc.stderr.close()
        err = re.sub(r"\r\[[^\]]*\][^\r\n]*|\r\x1b\[K", "",
                     self._err.decode("utf-8", "replace"))
        return rc, self._out.decode("utf-8", "replace"), err

    def stop(self):
        """Kill it if it still runs, and reap it (for cleanups)."""
        if self.running():
            try:
                os.kill(self.pid, signal.SIGCONT)
                self.proc.kill()
            except ProcessLookupError:
                pass
        try:
            self.finish(timeout=60)
        except (subprocess.TimeoutExpired, ValueError):
            pass


def finish(proc, timeout=300):
    """Wait for a background run; (returncode, stdout, stderr)."""
    out, err = proc.communicate(timeout=scaled(timeout))
    return proc.returncode, out, err


def stop(proc):
    """Kill a background run if it still runs, and reap it (for cleanups)."""
    if proc.poll() is None:
        try:
            os.kill(proc.pid, signal.SIGCONT)
            proc.kill()
        except ProcessLookupError:
            pass
    try:
        proc.communicate(timeout=60)
    except (subprocess.TimeoutExpired, ValueError):
        pass


def parse_json_line(text):
    """The one JSON object a --json run prints on stdout."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) != 1:
        raise AssertionError(f"expected one JSON line on stdout, got {len(lines)}: {text!r}")
    return json.loads(lines[0])


def index_json(db, *paths, extra=(), env=None, timeout=300):
    """Index paths into db with --json. Returns (summary, exit status,
    stderr); summary is the parsed JSON object, or None when stdout held
    none (an error before any summary)."""
    p = run_indexer("-d", db, "--json", "--no-progress", *extra, *paths, env=env,
                    timeout=timeout)
    summary = parse_json_line(p.stdout) if p.stdout.strip() else None
    return summary, p.returncode, p.stderr


def stats(db, check=True):
    """--stats --json of db as a dict (None when it printed nothing).
    With check, a non-zero exit status raises AssertionError."""
    p = run_indexer("--stats", "--json", "-d", db, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError(f"--stats exited {p.returncode}: {p.stdout!r} {p.stderr!r}")
    return parse_json_line(p.stdout) if p.stdout.strip() else None


def list_text(db):
    """--list output of db (must succeed)."""
    p = run_indexer("--list", "-d", db, timeout=120)
    if p.returncode != 0:
        raise AssertionError(f"--list exited {p.returncode}: {p.stderr!r}")
    return p.stdout


def parse_list(text):
    """--list lines as {id: fields}: ("ok", documents, passages, hash) or
    ("failed", reason). Raises on a line in neither format."""
    out = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[1] == "failed":
            out[parts[0]] = ("failed", parts[2])
            continue
        if (len(parts) != 4 or not parts[1].endswith(" documents")
                or not parts[2].endswith(" passages")):
            raise AssertionError(f"bad --list line: {line!r}")
        docs = int(parts[1].split(" ")[0])
        passages = int(parts[2].split(" ")[0])
        out[parts[0]] = ("ok", docs, passages, parts[3])
    return out


def list_index(db):
    return parse_list(list_text(db))


def lock_path(db):
    return os.path.join(db, "attache.lock")


def lock_pid(db):
    """The pid written in DB/attache.lock, or None."""
    try:
        with open(lock_path(db)) as f:
            text = f.read().strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() else None


def lock_held(db):
    """Whether some process holds the flock on DB/attache.lock."""
    try:
        fd = os.open(lock_path(db), os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops a lock we may have taken
    return False


def live_generation(db):
    """The generation folder the DB/XAPIANDB stub names ("g1" ...)."""
    with open(os.path.join(db, "XAPIANDB")) as f:
        words = f.read().split()
    if len(words) != 2 or words[0] != "auto":
        raise AssertionError(f"odd XAPIANDB stub: {words!r}")
    return words[1]


def generations(db):
    """Every gN folder in db, sorted."""
    return sorted(n for n in os.listdir(db)
                  if n.startswith("g") and n[1:].isdigit()
                  and os.path.isdir(os.path.join(db, n)))


def wait_until(cond, timeout, what, interval=0.01):
    """Poll cond() until it returns something true, up to timeout seconds
    (scaled for a slow flavour); returns that value or raises
    AssertionError naming what."""
    timeout = scaled(timeout)
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


WORDS = ("trade tariff summit minister embassy treaty council harbour export grain "
         "steel satellite border envoy ceasefire delegation ministry parliament senate "
         "budget deficit inflation currency reserve alliance navy port railway pipeline "
         "election coalition governor province court ruling sanction visa refugee "
         "drought harvest fishery shipping customs arbitration charter protocol "
         "communique accord talks statement spokesman reporters capital region").split()


def words(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def article(seed, paragraphs=6, sentences=4):
    """A small deterministic text of several paragraphs of sentences."""
    rng = random.Random(seed)
    paras = []
    for _ in range(paragraphs):
        sents = [words(rng, rng.randint(8, 20)).capitalize() + "." for _ in range(sentences)]
        paras.append(" ".join(sents))
    return "\n\n".join(paras) + "\n"


def write(path, data, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(data)
    return path
