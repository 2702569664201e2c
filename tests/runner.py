"""Runs attache's test suites and prints one closing line of counts.

Usage: tests/run [--unit-only] [--no-fuzz] [--flavour rel|san] [--only SUBSTRING]

For each build flavour present (build/rel with bin/, build/san with its
own bin/), runs each cmocka binary in build/<flavour>/tests/ and each
black-box module tests/blackbox/test_*.py (unittest), with ATTACHE_BIN
pointing at that flavour's programs. Then (unless --unit-only or --no-fuzz)
`make -s fuzz-check`: each libFuzzer target of tests/fuzz/ is one test,
fuzz/<target>. Skipped tests are listed by name with their reason, so
nothing passes silently.
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
FLAVOURS = {"rel": ("build/rel", "bin"), "san": ("build/san", "build/san/bin")}
SAN_ENV = {
    "ASAN_OPTIONS": "abort_on_error=0:detect_leaks=1:halt_on_error=1:exitcode=86",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1:exitcode=86",
}


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


class Result(unittest.TestResult):
    def __init__(self, tally, flavour):
        super().__init__()
        self.tally, self.flavour = tally, flavour

    def _name(self, test):
        return f"{self.flavour}/blackbox/{test.id().split('.', 1)[-1]}"

    def addSuccess(self, test):
        self.tally.add("passed", self._name(test))

    def addFailure(self, test, err):
        self.tally.add("failed", self._name(test), self._exc_info_to_string(err, test))

    def addError(self, test, err):
        self.tally.add("failed", self._name(test), self._exc_info_to_string(err, test))

    def addSubTest(self, test, subtest, err):
        if err is not None:
            self.tally.add("failed", self._name(subtest), self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        self.tally.add("skipped", self._name(test), reason)

    def addExpectedFailure(self, test, err):
        self.tally.add("failed", self._name(test), "expected failure is not allowed")

    def addUnexpectedSuccess(self, test):
        self.tally.add("failed", self._name(test), "unexpected success")


def run_blackbox(flavour, tally, only):
    folder = os.path.join(ROOT, "tests", "blackbox")
    sys.path.insert(0, folder)
    for fn in sorted(os.listdir(folder)):
        if not (fn.startswith("test_") and fn.endswith(".py")):
            continue
        if only and only not in fn:
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
        suite.run(Result(tally, flavour))


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
                   if fn.startswith("fuzz_") and fn.endswith(".c") and only in fn)
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
    ap.add_argument("--flavour", choices=sorted(FLAVOURS))
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    tally = Tally()
    t0 = time.time()
    flavours = [args.flavour] if args.flavour else ["rel", "san"]
    for flavour in flavours:
        build, bindir = FLAVOURS[flavour]
        if not os.path.isdir(os.path.join(ROOT, build, "tests")):
            tally.add("skipped", f"{flavour}/all", f"{build} not built (make SANITIZE=1 "
                      "check-build)" if flavour == "san" else f"{build} not built")
            continue
        env = dict(os.environ, ATTACHE_BIN=os.path.join(ROOT, bindir),
                   ATTACHE_FLAVOUR=flavour)
        if flavour == "san":
            env.update(SAN_ENV)
        tests = os.path.join(ROOT, build, "tests")
        for fn in sorted(os.listdir(tests)):
            if fn.startswith("test_") and args.only in fn:
                run_unit(os.path.join(tests, fn), flavour, tally, env)
        if not args.unit_only:
            saved = dict(os.environ)
            os.environ.update(env)
            try:
                run_blackbox(flavour, tally, args.only)
            finally:
                os.environ.clear()
                os.environ.update(saved)
    if not args.unit_only and not args.no_fuzz:
        run_fuzz(tally, args.only)
    print(f"\n{time.time() - t0:.1f} s")
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
