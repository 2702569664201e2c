"""Runs attache's test suites and prints one closing line of counts.

Usage: tests/run [--unit-only] [--no-fuzz] [--flavour rel|san|memcheck]
                 [--only SUBSTRING]...

For each build flavour present (build/rel with bin/, build/san with its
own bin/), runs each cmocka binary in build/<flavour>/tests/ and each
black-box module tests/blackbox/test_*.py (unittest), with ATTACHE_BIN
pointing at that flavour's programs. Then (unless --unit-only or --no-fuzz)
`make -s fuzz-check`: each libFuzzer target of tests/fuzz/ is one test,
fuzz/<target>. --only (repeatable) keeps the test binaries, modules and
fuzz targets whose file name holds one of the substrings. Skipped tests are
listed by name with their reason, so nothing passes silently.

The memcheck flavour (only when asked for: `make memcheck`) runs the
black-box modules on bin/'s programs under valgrind's memcheck: ATTACHE_BIN
is a folder of wrapper scripts that exec valgrind on them, each program
writing its log in a folder of the test (or of the class, for what
setUpClass starts). A memcheck error or a definite or indirect leak in a
log fails that test, or the class, naming the log and the first error.
Waits in the harness are stretched (ATTACHE_TEST_SLOWDOWN); tests that
cannot hold under valgrind skip by name (harness.not_under_valgrind).
"""
import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLAVOURS = {"rel": ("build/rel", "bin"), "san": ("build/san", "build/san/bin"),
            "memcheck": ("build/rel", "bin")}
SAN_ENV = {
    "ASAN_OPTIONS": "abort_on_error=0:detect_leaks=1:halt_on_error=1:exitcode=86",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1:exitcode=86",
    # Leaks inside a third-party frame known to lose memory on an exception
    # path (the file says which and why); nothing of attache's is listed.
    "LSAN_OPTIONS": "suppressions=" + os.path.join(ROOT, "tests", "lsan.supp"),
}
PROGRAMS = ("attache-index", "attached", "attache")
VG_EXIT = 99            # the exit status of a program in which memcheck found errors
VG_SLOWDOWN = "20"      # ATTACHE_TEST_SLOWDOWN of the memcheck flavour
VG_OPTIONS = ["--tool=memcheck", f"--error-exitcode={VG_EXIT}", "--leak-check=full",
              "--show-leak-kinds=definite,indirect",
              "--errors-for-leak-kinds=definite,indirect", "--num-callers=30",
              "--track-origins=no"]
VG_SUPP = os.path.join(ROOT, "tests", "memcheck.supp")  # used when it exists


class Tally:
    def __init__(self):
        self.passed, self.failed, self.skipped = [], [], []

    def add(self, outcome, name, detail=""):
        getattr(self, outcome).append((name, detail))
        mark = {"passed": "ok  ", "failed": "FAIL", "skipped": "skip"}[outcome]
        line = f"{mark} {name}"
        if detail and outcome != "passed":
            line += f"  ({detail.strip().splitlines()[-1][:200] if detail.strip() else ''})"
        print(line, flush=True)


def run_unit(binary, flavour, tally, env):
    name = os.path.basename(binary)
    env = dict(env, CMOCKA_MESSAGE_OUTPUT="TAP")
    try:
        p = subprocess.run([binary], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=600)
    except subprocess.TimeoutExpired:
        tally.add("failed", f"{flavour}/unit/{name}", "timed out after 600 s")
        return
    seen = bad = 0
    for line in p.stdout.splitlines():
        m = re.match(r"(not ok|ok) \d+ - (\S+)(.*)", line)
        if not m:
            continue
        seen += 1
        test = f"{flavour}/unit/{name}:{m.group(2)}"
        if "# SKIP" in m.group(3):
            tally.add("skipped", test, m.group(3).split("# SKIP", 1)[1] or "skipped")
        elif m.group(1) == "ok":
            tally.add("passed", test)
        else:
            bad += 1
            tally.add("failed", test, p.stdout[-2000:] + p.stderr[-2000:])
    if p.returncode != 0 and bad == 0:  # crashed, or a sanitizer stopped it
        tally.add("failed", f"{flavour}/unit/{name}",
                  f"exit status {p.returncode}: " + p.stderr[-3000:])


class Memcheck:
    """The memcheck flavour's folder: bin/ holds one wrapper script per
    program, logs/ the valgrind logs, one folder per test and one per class
    (what setUpClass starts and class cleanups stop). The wrappers read the
    log folder from ATTACHE_VG_LOGDIR when the program starts."""

    def __init__(self):
        self.top = tempfile.mkdtemp(prefix="attache-memcheck-", dir="/tmp")
        os.chmod(self.top, 0o755)  # tests run programs as another user too
        self.bin = os.path.join(self.top, "bin")
        self.logs = os.path.join(self.top, "logs")
        os.makedirs(self.bin)
        self.fallback = self.logdir("unattributed")
        self.seen = set()  # logs found clean and complete, or already reported
        opts = VG_OPTIONS + ([f"--suppressions={VG_SUPP}"] if os.path.exists(VG_SUPP) else [])
        for prog in PROGRAMS:
            path = os.path.join(self.bin, prog)
            with open(path, "w") as f:
                f.write(f"#!/bin/sh\n# {prog} under valgrind's memcheck (tests/runner.py)\n"
                        f'd=${{ATTACHE_VG_LOGDIR:-{self.fallback}}}\n'
                        f"exec {shutil.which('valgrind')} {' '.join(opts)} "
                        f'--log-file="$d/{prog}.%p.log" {os.path.join(ROOT, "bin", prog)} "$@"\n')
            os.chmod(path, 0o755)

    def logdir(self, *parts):
        """A log folder (made, writable by all as /tmp is: a test may run
        a program as another user), set as the one programs started now use."""
        path = os.path.join(self.logs, *parts)
        os.makedirs(path, exist_ok=True)
        os.chmod(path, 0o1777)
        os.environ["ATTACHE_VG_LOGDIR"] = path
        return path

    def problems(self, folder):
        """(log, first error) for each log under folder that shows a
        memcheck error or a counted leak, each log reported once."""
        found = []
        for base, _, files in os.walk(folder):
            for fn in sorted(files):
                path = os.path.join(base, fn)
                if path in self.seen or not fn.endswith(".log"):
                    continue
                complete, first = read_vg_log(path)
                if first:
                    found.append((os.path.relpath(path, self.top), first))
                if first or complete:
                    self.seen.add(path)
        return found

    def report(self, problems):
        return "".join(f"\nvalgrind {log}: {first}" for log, first in problems)


def read_vg_log(path):
    """(complete, first error) of a valgrind log: complete once it has its
    ERROR SUMMARY (the program ended, not killed); the first error is the
    first error record with its first frames (a memory error before a
    leak, a definite leak before an indirect one; the ERROR SUMMARY line
    when it counts errors and no record was read), None when clean."""
    with open(path, errors="replace") as f:
        lines = [re.sub(r"^==\d+== ?", "", ln.rstrip("\n")) for ln in f]
    summary = next((ln for ln in lines if ln.startswith("ERROR SUMMARY:")), None)
    records = []
    for i, ln in enumerate(lines[:-1]):
        if (ln and not ln.startswith((" ", "Warning:", "WARNING:"))
                and re.match(r"\s+(at|by) 0x", lines[i + 1])):
            frames = []
            for x in lines[i + 1:i + 4]:
                if not re.match(r"\s+(at|by) 0x", x):
                    break
                frames.append(x.strip())
            rank = 2 if "indirectly lost" in ln else 1 if "definitely lost" in ln else 0
            records.append((rank, i, " / ".join([ln] + frames)))
    if records:
        return summary is not None, min(records)[2]
    if summary and not summary.startswith("ERROR SUMMARY: 0 errors"):
        return True, summary
    return summary is not None, None


class Result(unittest.TestResult):
    """Each outcome into the tally; under memcheck, a test whose programs'
    logs show errors fails (a class's own logs are checked after it)."""

    def __init__(self, tally, flavour, vg=None, module=""):
        super().__init__()
        self.tally, self.flavour, self.vg, self.module = tally, flavour, vg, module
        self.vgdir = {}  # test id -> its log folder

    def _name(self, test):
        m = re.match(r"(\w+) \((.+)\)$", test.id())  # "setUpClass (module.Class)"
        tid = f"{m.group(2)}.{m.group(1)}" if m else test.id()
        return f"{self.flavour}/blackbox/{tid.split('.', 1)[-1]}"

    def _vg(self, test):
        """What valgrind found in the test's own logs ("" when nothing)."""
        folder = self.vgdir.get(test.id())
        return self.vg.report(self.vg.problems(folder)) if self.vg and folder else ""

    def startTest(self, test):
        super().startTest(test)
        if self.vg:
            cls, method = test.id().split(".")[-2:]
            self.vgdir[test.id()] = self.vg.logdir(self.module, cls, method)

    def stopTest(self, test):
        super().stopTest(test)
        if self.vg:
            self.vg.logdir(self.module, test.id().split(".")[-2], "class")

    def addSuccess(self, test):
        found = self._vg(test)
        if found:
            self.tally.add("failed", self._name(test), found)
        else:
            self.tally.add("passed", self._name(test))

    def addFailure(self, test, err):
        self.tally.add("failed", self._name(test),
                       self._exc_info_to_string(err, test) + self._vg(test))

    def addError(self, test, err):
        self.tally.add("failed", self._name(test),
                       self._exc_info_to_string(err, test) + self._vg(test))

    def addSubTest(self, test, subtest, err):
        if err is not None:
            self.tally.add("failed", self._name(subtest), self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        self.tally.add("skipped", self._name(test), reason)

    def addExpectedFailure(self, test, err):
        self.tally.add("failed", self._name(test), "expected failure is not allowed")

    def addUnexpectedSuccess(self, test):
        self.tally.add("failed", self._name(test), "unexpected success")


def picked(name, only):
    """Whether --only (a list of substrings, empty for all) keeps name."""
    return not only or any(o in name for o in only)


def run_blackbox(flavour, tally, only, vg=None):
    folder = os.path.join(ROOT, "tests", "blackbox")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    # The helper modules (harness, daemon) read the flavour when loaded:
    # load them afresh for each flavour.
    for name, mod in list(sys.modules.items()):
        if os.path.dirname(getattr(mod, "__file__", None) or "") == folder:
            del sys.modules[name]
    for fn in sorted(os.listdir(folder)):
        if not (fn.startswith("test_") and fn.endswith(".py")):
            continue
        if not picked(fn, only):
            continue
        spec = importlib.util.spec_from_file_location(f"bb_{flavour}_{fn[:-3]}",
                                                      os.path.join(folder, fn))
        mod = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(mod)
        except Exception as e:  # a module that cannot load is a failure
            tally.add("failed", f"{flavour}/blackbox/{fn}", repr(e))
            continue
        suite = unittest.defaultTestLoader.loadTestsFromModule(mod)
        if vg is None:
            suite.run(Result(tally, flavour))
            continue
        # Class by class, so that what a class's fixtures start logs into
        # the class's folder, checked once its cleanups have run.
        for sub in suite:
            tests = list(sub)
            if not tests:
                continue
            cls = tests[0].id().split(".")[-2]
            vg.logdir(fn[:-3], cls, "class")
            sub.run(Result(tally, flavour, vg, fn[:-3]))
            found = vg.problems(os.path.join(vg.logs, fn[:-3], cls))
            if found:
                tally.add("failed", f"{flavour}/blackbox/{fn[:-3]}.{cls}", vg.report(found))
        found = vg.problems(vg.fallback)
        if found:
            tally.add("failed", f"{flavour}/blackbox/{fn[:-3]}", vg.report(found))


FUZZ_PROBE = """#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }
"""


def fuzz_unavailable():
    """Why the libFuzzer targets cannot be built here, or None."""
    cc = os.environ.get("FUZZ_CC", "clang")
    if shutil.which(cc) is None:
        return f"{cc} is not installed (make deps installs clang)"
    with tempfile.TemporaryDirectory() as tmp:
        try:
            p = subprocess.run([cc, "-fsanitize=fuzzer,address,undefined", "-x", "c", "-",
                                "-o", os.path.join(tmp, "probe")], input=FUZZ_PROBE,
                               capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as e:
            return f"{cc} could not be run: {e}"
    if p.returncode != 0:
        err = p.stderr.strip().splitlines()
        return (f"{cc} cannot link -fsanitize=fuzzer (libFuzzer missing?): "
                + (err[-1] if err else f"exit status {p.returncode}"))
    return None


def run_fuzz(tally, only):
    """`make -s fuzz-check` (tests/fuzz/run.sh): each target one test."""
    folder = os.path.join(ROOT, "tests", "fuzz")
    files = os.listdir(folder) if os.path.isdir(folder) else []
    names = sorted(fn[:-2] for fn in files
                   if fn.startswith("fuzz_") and fn.endswith(".c") and picked(fn, only))
    if not names:
        return
    why = fuzz_unavailable()
    if why:
        for n in names:
            tally.add("skipped", f"fuzz/{n}", why)
        return
    try:
        p = subprocess.run(["make", "-s", "--no-print-directory", "fuzz-check",
                            "FUZZ_TARGETS=" + " ".join(names)], cwd=ROOT,
                           capture_output=True, text=True, timeout=1800)
        out = p.stdout + p.stderr
    except subprocess.TimeoutExpired as e:
        done = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else e.stdout
        out = f"{done or ''}\nmake fuzz-check timed out after 1800 s"
    results = {}  # name -> (ok, the lines run.sh printed for it)
    for line in out.splitlines():
        m = re.match(r"(ok  |FAIL) (fuzz_\w+) ", line)
        if m:
            cur = m.group(2)
            results[cur] = (m.group(1) == "ok  ", [line])
        elif line.startswith("  ") and results:
            results[cur][1].append(line)
    for n in names:
        if n not in results:  # never ran: the build (or make) failed
            tally.add("failed", f"fuzz/{n}", out[-3000:] + "\nmake fuzz-check did not run it")
        elif results[n][0]:
            tally.add("passed", f"fuzz/{n}")
        else:
            block = results[n][1]
            key = [ln.strip() for ln in block
                   if re.search(r"contract broken|runtime error|SUMMARY", ln)]
            tally.add("failed", f"fuzz/{n}", "\n".join(block + key[:1]))
            print("\n".join(block[1:]), flush=True)  # the failing output's tail


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--unit-only", action="store_true")
    ap.add_argument("--no-fuzz", action="store_true", help="skip make fuzz-check")
    ap.add_argument("--flavour", choices=sorted(FLAVOURS),
                    help="one flavour (default: rel and san; memcheck only when named)")
    ap.add_argument("--only", action="append", default=[],
                    help="only files whose name holds this substring (repeatable)")
    args = ap.parse_args()
    tally = Tally()
    t0 = time.time()
    flavours = [args.flavour] if args.flavour else ["rel", "san"]
    kept = []  # memcheck folders kept for their logs
    for flavour in flavours:
        build, bindir = FLAVOURS[flavour]
        if not os.path.isdir(os.path.join(ROOT, build, "tests")):
            tally.add("skipped", f"{flavour}/all", f"{build} not built (make SANITIZE=1 "
                      "check-build)" if flavour == "san" else f"{build} not built")
            continue
        env = dict(os.environ, ATTACHE_BIN=os.path.join(ROOT, bindir),
                   ATTACHE_FLAVOUR=flavour, ATTACHE_BUILD=os.path.join(ROOT, build))
        if flavour == "san":
            env.update(SAN_ENV)
        vg = None
        if flavour == "memcheck":
            if args.unit_only:
                continue
            if shutil.which("valgrind") is None:
                tally.add("skipped", "memcheck/all", "valgrind is not installed "
                          "(make memcheck installs it)")
                continue
            vg = Memcheck()
            env.update(ATTACHE_BIN=vg.bin, ATTACHE_TEST_SLOWDOWN=VG_SLOWDOWN)
            print(f"memcheck: valgrind logs in {vg.top}", flush=True)
        else:  # the unit tests run natively (memcheck: black-box only)
            tests = os.path.join(ROOT, build, "tests")
            for fn in sorted(os.listdir(tests)):
                if fn.startswith("test_") and picked(fn, args.only):
                    run_unit(os.path.join(tests, fn), flavour, tally, env)
        if not args.unit_only:
            saved = dict(os.environ)
            os.environ.update(env)
            failed = len(tally.failed)
            try:
                run_blackbox(flavour, tally, args.only, vg)
            finally:
                os.environ.clear()
                os.environ.update(saved)
            if vg and len(tally.failed) > failed:
                kept.append(vg.top)
            elif vg:
                shutil.rmtree(vg.top, ignore_errors=True)
    if not args.unit_only and not args.no_fuzz and "memcheck" not in flavours:
        run_fuzz(tally, args.only)
    print(f"\n{time.time() - t0:.1f} s")
    for top in kept:
        print(f"memcheck: the valgrind logs are kept in {top}")
    if tally.skipped:
        print("skipped:")
        for name, why in tally.skipped:
            print(f"  {name}: {why}")
    if tally.failed:
        print("failed:")
        for name, _ in tally.failed:
            print(f"  {name}")
    line = f"{len(tally.passed)} passed, {len(tally.failed)} failed"
    if tally.skipped:
        line += f", {len(tally.skipped)} skipped"
    print(line)
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
