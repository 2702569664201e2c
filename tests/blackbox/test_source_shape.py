"""The shape rules of docs/ARCHITECTURE.md, checked on the sources of the
three programs and the library (lib/, daemon/, indexer/, client/,
include/): no file over 700 lines, no function body over 80 lines, no line
over 100 columns, no tab. It reads files only; the result is the same in
every flavour, so it runs in the first one only.
"""
import os
import re
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIRS = ("lib", "daemon", "indexer", "client", "include/attache")
MAX_FILE, MAX_FUNC, MAX_COLS = 700, 80, 100

# A function opens with "{" alone at column 0 under its declaration (C), or
# with a declaration line at column 0 that ends in "{" (C++); it ends at the
# first line that starts with "}" at column 0.
DECL_END = re.compile(r"^[A-Za-z_].*\)\s*(const\s*)?(noexcept\s*)?\{\s*$")
NOT_DECL = ("if", "for", "while", "switch", "extern", "namespace", "struct", "enum", "union",
            "static const", "const")


def sources():
    for d in DIRS:
        for name in sorted(os.listdir(os.path.join(ROOT, d))):
            if name.endswith((".c", ".h", ".cc")):
                yield os.path.join(d, name)


def functions(lines):
    """(first line number, body length) of each function in lines."""
    i = 0
    while i < len(lines):
        line = lines[i]
        opens = line == "{" or (DECL_END.match(line) and not line.startswith(NOT_DECL))
        if opens:
            j = i + 1
            while j < len(lines) and not lines[j].startswith("}"):
                j += 1
            yield i + 1, j - i - 1
            i = j
        i += 1


class SourceShapeTest(unittest.TestCase):
    def setUp(self):
        flavour = os.environ.get("ATTACHE_FLAVOUR", "rel")
        if flavour != "rel":
            self.skipTest("reads sources only: checked once, in the rel flavour")

    def each_file(self):
        for rel in sources():
            with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
                yield rel, f.read().split("\n")[:-1]

    def test_files_are_at_most_700_lines(self):
        long = [f"{rel}: {len(lines)}" for rel, lines in self.each_file()
                if len(lines) > MAX_FILE]
        self.assertEqual(long, [], "split these files along their jobs")

    def test_functions_are_at_most_80_lines(self):
        long = [f"{rel}:{at}: {n} lines" for rel, lines in self.each_file()
                for at, n in functions(lines) if n > MAX_FUNC]
        self.assertEqual(long, [])

    def test_lines_are_at_most_100_columns_without_tabs(self):
        bad = [f"{rel}:{i + 1}" for rel, lines in self.each_file()
               for i, line in enumerate(lines) if len(line) > MAX_COLS or "\t" in line]
        self.assertEqual(bad, [])

    def test_the_function_finder_finds_functions(self):
        # The rule above is only as good as the finder: a C and a C++
        # definition of known length must be seen.
        c = ["static int f(void)", "{"] + ["    x++;"] * 81 + ["}"]
        cc = ["int g(att_err *err) {"] + ["    y++;"] * 3 + ["}"]
        self.assertEqual(list(functions(c)), [(2, 81)])
        self.assertEqual(list(functions(cc)), [(1, 3)])


if __name__ == "__main__":
    unittest.main()
