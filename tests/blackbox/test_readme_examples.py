"""Black-box test of README.md's examples: each one runs against the index
`make run` builds and prints what README says it prints.

README marks its examples for this test: a fenced ```console block holds
commands, each on a line starting with "$ " (a trailing backslash
continues it), each followed by the output README shows; a fenced
```python block is a program run with python3. After the block, one HTML
comment per command (one for a python block), in order:

    <!-- expect: TEXT -->      TEXT appears in the output
    <!-- expect: /REGEX/ -->   REGEX matches the output

Output and TEXT are compared with every run of white space as one space,
so wrapping does not matter. Only the key line is checked, never a rank or
a count that the index's details could move. For a console block, the key
must also appear in the output README shows, so README cannot drift from
what is checked.

The demo is built as make run builds it, in a temporary folder: the State
of the Union addresses through tools/fetch-corpus.sh (ATTACHE_SOTU_DIR: the
real corpus's sotu/, ../shared/corpus/sotu or the var/corpus/sotu make run
fetched), which also writes their attache-meta.jsonl, and the repository's
corpus/sample (not the user's other files in corpus/), indexed into
var/index; attached serves it on var/attached.sock (where the examples
talk to it, through ATTACHE_ADDR or the path) and a free TCP port. The
commands run in that folder, whose bin/ links to the flavour's programs.
"""
import os
import re
import shutil
import subprocess
import unittest

import daemon as dm
import harness as h

README = os.path.join(h.REPO, "README.md")
MIN_EXAMPLES = 8            # fewer found: the markers were lost, not the examples
RUN_TIMEOUT = 60            # one example, seconds (scaled)
SALUTATIONS = ("Mr. Speaker", "Mr. President", "Madam Speaker", "Thank you",
               "The President", "Fellow-Citizens", "Fellow Citizens", "To the Senate",
               "Gentlemen of")
# The environment an example must not inherit: another daemon or index,
# another corpus source, colour settings.
SCRUB = ("ATTACHE_ADDR", "ATTACHE_DB", "ATTACHE_TOKEN_FILE", "ATTACHE_SOTU_TGZ",
         "ATTACHE_SOTU_DIR", "NO_COLOR", "COLUMNS")

FENCE = re.compile(r"^```(\w*)[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)
EXPECT = re.compile(r"\A\s*<!--\s*expect:\s*(.*?)\s*-->", re.S)


def squeeze(text):
    return " ".join(text.split())


class Example:
    """One example: kind "sh" (a command) or "python" (a program), where
    it starts in README (line), what README shows after it, and the key."""

    def __init__(self, kind, code, line, shown):
        self.kind, self.code, self.line, self.shown = kind, code, line, shown
        self.expect = None

    def name(self):
        first = self.code.strip().splitlines()[0]
        return f"README.md:{self.line}: {first[:70]}"

    def found_in(self, output):
        """Whether the key is in output (white space squeezed)."""
        out = squeeze(output)
        if len(self.expect) > 2 and self.expect.startswith("/") and self.expect.endswith("/"):
            return re.search(self.expect[1:-1], out) is not None
        return squeeze(self.expect) in out


def console_examples(body, line):
    """The commands of a console block with the output shown under each."""
    examples = []
    lines = body.splitlines()
    i = 0
    while i < len(lines):
        if not lines[i].startswith("$ "):
            i += 1
            continue
        start = line + i
        cmd = lines[i][2:]
        while cmd.endswith("\\") and i + 1 < len(lines):
            i += 1
            cmd = cmd[:-1] + "\n" + lines[i]
        i += 1
        shown = []
        while i < len(lines) and not lines[i].startswith("$ "):
            shown.append(lines[i])
            i += 1
        examples.append(Example("sh", cmd, start, "\n".join(shown)))
    return examples


def parse_readme(text):
    """(examples, problems): every example of README's console and python
    blocks with its key; problems lists blocks whose keys do not match
    their commands."""
    examples, problems = [], []
    for m in FENCE.finditer(text):
        lang, body = m.group(1), m.group(2)
        line = text.count("\n", 0, m.start(2)) + 1
        if lang == "console":
            found = console_examples(body, line)
        elif lang == "python":
            found = [Example("python", body, line, None)]
        else:
            continue
        keys, rest = [], text[m.end():]
        while True:
            e = EXPECT.match(rest)
            if not e:
                break
            keys.append(e.group(1))
            rest = rest[e.end():]
        if len(keys) != len(found):
            problems.append(f"README.md:{line}: a {lang} block with {len(found)} example(s) "
                            f"and {len(keys)} <!-- expect: --> comment(s) after it")
            continue
        for ex, key in zip(found, keys):
            ex.expect = key
        examples += found
    return examples, problems


@h.not_under_valgrind("indexes the 233 addresses and runs every README example")
class ReadmeExamplesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        corpus = h.corpus_dir()
        sotu = os.path.join(corpus, "sotu") if corpus else None
        if not sotu or not os.path.isdir(sotu):
            raise unittest.SkipTest("no corpus: ../shared/corpus/sotu or var/corpus/sotu "
                                    "(make run) needed to build the demo index README's "
                                    "examples run against")
        with open(README, encoding="utf-8") as f:
            cls.examples, cls.problems = parse_readme(f.read())

        tmp = h.make_tmp("attache-readme-")
        cls.addClassCleanup(shutil.rmtree, tmp, ignore_errors=True)
        cls.demo = demo = os.path.join(tmp, "demo")
        os.makedirs(os.path.join(demo, "bin"))
        for prog in ("attache-index", "attached", "attache"):
            os.symlink(h.bin_path(prog), os.path.join(demo, "bin", prog))
        shutil.copytree(os.path.join(h.REPO, "corpus", "sample"),
                        os.path.join(demo, "corpus", "sample"))

        env = {k: v for k, v in os.environ.items() if k not in SCRUB}
        cls.fetch = subprocess.run(
            [os.path.join(h.REPO, "tools", "fetch-corpus.sh"), "var/corpus/sotu"], cwd=demo,
            env=dict(env, ATTACHE_SOTU_DIR=sotu), capture_output=True, text=True,
            timeout=300, stdin=subprocess.DEVNULL)
        if cls.fetch.returncode != 0:
            raise AssertionError(f"tools/fetch-corpus.sh with ATTACHE_SOTU_DIR={sotu}: exit "
                                 f"{cls.fetch.returncode}\n{cls.fetch.stderr}")
        cls.index = h.run_indexer("-d", "var/index", "var/corpus", "corpus", cwd=demo,
                                  timeout=600)
        if cls.index.returncode not in (h.EXIT_OK, h.EXIT_FAILED_FILES):
            raise AssertionError(f"attache-index: exit {cls.index.returncode}\n"
                                 f"{cls.index.stderr[-3000:]}")

        cls.sock = os.path.join(demo, "var", "attached.sock")
        d = dm.Daemon(os.path.join(demo, "var", "index"), tmp)
        d.sock_path = cls.sock
        cls.addClassCleanup(d.cleanup)
        cls.d = d.start()
        cls.env = dict(env, ATTACHE_ADDR=f"unix:{cls.sock}")

    def run_example(self, ex):
        if ex.kind == "sh":
            cmd, stdin = ["sh", "-c", ex.code], subprocess.DEVNULL
        else:
            cmd, stdin = ["python3", "-"], None
        return subprocess.run(cmd, cwd=self.demo, env=self.env, capture_output=True,
                              text=True, timeout=h.scaled(RUN_TIMEOUT),
                              input=ex.code if stdin is None else None,
                              stdin=stdin)

    # -- the tests --------------------------------------------------------------

    def test_readme_marks_its_examples(self):
        self.assertEqual(self.problems, [], "README's examples and their keys")
        self.assertGreaterEqual(len(self.examples), MIN_EXAMPLES,
                                f"README.md holds only {len(self.examples)} marked examples: "
                                f"the ```console blocks and <!-- expect: --> comments lost?")
        for ex in self.examples:
            if ex.kind == "sh":
                with self.subTest(ex.name()):
                    self.assertTrue(ex.found_in(ex.shown),
                                    f"{ex.name()}: the key {ex.expect!r} is not in the output "
                                    f"README shows:\n{ex.shown}")

    def test_examples_run_and_print_their_key(self):
        self.assertTrue(self.examples, "no marked examples in README.md")
        for ex in self.examples:
            with self.subTest(ex.name()):
                dm.check_alive(self, self.d)
                p = self.run_example(ex)
                what = (f"{ex.name()}\n(run in {self.demo}, ATTACHE_ADDR=unix:{self.sock})\n"
                        f"stdout:\n{p.stdout[-3000:]}\nstderr:\n{p.stderr[-2000:]}")
                self.assertEqual(p.returncode, 0, f"exit status {p.returncode}: {what}")
                self.assertTrue(ex.found_in(p.stdout),
                                f"{ex.expect!r} is not in the output: {what}")

    def test_demo_index_builds_cleanly(self):
        self.assertEqual(self.index.returncode, h.EXIT_OK,
                         "attache-index on var/corpus and corpus/ reported failed files "
                         "(attache-meta.jsonl taken for a document?):\n"
                         f"{self.index.stderr[:1500]}")
        self.assertNotIn("not in the table", self.fetch.stderr,
                         "tools/sotu-meta.tsv misses a president of the corpus")

    def test_addresses_carry_their_metadata(self):
        """Every address has the title, author, year, source and party of
        var/corpus/sotu/attache-meta.jsonl, and no title is a salutation."""
        folder = os.path.join(self.demo, "var", "corpus", "sotu")
        names = sorted(n for n in os.listdir(folder) if n.endswith(".txt"))
        self.assertEqual(len(names), 233, "the addresses in var/corpus/sotu")
        with self.d.connect() as c:
            for i, n in enumerate(names):
                c.send({"id": i, "op": "get", "doc": f"sotu/{n}", "passage": 0})
            got = {}
            for _ in names:
                r = c.recv()
                self.assertTrue(r["ok"], f"get of address {r['id']}: {r}")
                got[r["id"]] = r["doc"]
            docs = [got[i] for i in range(len(names))]
        bad, salutes = [], []
        for n, doc in zip(names, docs):
            year = n[:4]
            author = doc.get("author") or ""
            party = (doc.get("fields") or {}).get("party")
            want = f"State of the Union Address, {year} \u2014 {author}"
            if not author or doc.get("title") != want or doc.get("date") != year or \
                    doc.get("source") != "State of the Union" or \
                    (party is None) != n.endswith("_n.txt"):
                bad.append(f"{n}: title {doc.get('title')!r}, author {author!r}, "
                           f"date {doc.get('date')!r}, source {doc.get('source')!r}, "
                           f"party {party!r}")
            if (doc.get("title") or "").startswith(SALUTATIONS):
                salutes.append(n)
        if salutes:
            self.fail(f"{len(salutes)} addresses titled by their salutation, such as "
                      f"{', '.join(salutes[:3])}")
        if bad:
            self.fail(f"{len(bad)} of {len(names)} addresses without their metadata "
                      "(attache-meta.jsonl not applied?); the first:\n" + "\n".join(bad[:5]))
        by_file = dict(zip(names, docs))
        for n, author, party in (("1862_abraham_lincoln_r.txt", "Abraham Lincoln", "Republican"),
                                 ("2005_george_w_bush_r.txt", "George W. Bush", "Republican"),
                                 ("1934_franklin_d_roosevelt_d.txt", "Franklin D. Roosevelt",
                                  "Democratic"),
                                 ("1898_william_mc_kinley_r.txt", "William McKinley",
                                  "Republican")):
            self.assertEqual(by_file[n]["author"], author, n)
            self.assertEqual(by_file[n]["fields"].get("party"), party, n)


if __name__ == "__main__":
    unittest.main()
