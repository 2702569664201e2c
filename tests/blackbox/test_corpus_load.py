"""The real corpus end to end under load, in every flavour (under valgrind,
`make memcheck`, it is the long walk through real text that the small
hand-made corpus of the other modules does not give):

- IndexTest: the first FILES State of the Union addresses indexed with a
  few .md, .html and .jsonl files; --list; an incremental run after a
  change, a removal, an addition and an unreadable file; --compact; --stats.
- ServeTest: attached (2 threads, the Unix socket, TCP with a token from
  its config file) under a few thousand mixed requests built from what the
  index holds (searches with filters, facets, wildcards, phrases, sorting,
  highlights; get of documents and passages; stats; ping) from bench/load
  on the socket and from authenticated TCP clients at the same time; then
  an index update and a SIGHUP with a new token while the load runs.

FILES is $ATTACHE_TEST_LOAD_FILES (default 60) and the main load
$ATTACHE_TEST_LOAD_REQUESTS (default 2000). Skipped without the corpus
(harness.corpus_dir) or bench/load.
"""
import glob
import json
import os
import random
import shutil
import signal
import subprocess
import threading
import unittest

import daemon as dm
import harness as h

FILES = int(os.environ.get("ATTACHE_TEST_LOAD_FILES") or 60)
REQUESTS = int(os.environ.get("ATTACHE_TEST_LOAD_REQUESTS") or 2000)

PROBES = ("government", "people", "congress", "state", "war", "law", "president",
          "country", "harbour", "bridge", "grain")
QUERIES = ('"the people"', "peace OR treaty", "war AND NOT britain", "presid*", "nation*",
           "+tax -income", "title:union", "quote:freedom", "war NEAR peace",
           "liberty ADJ freedom", "(trade OR commerce) AND (tariff OR duties)",
           "constitution*", '"public debt"', "xyzzynotaword", "social security", "p*")

EXTRA = {
    "extra/briefing.md": (
        "---\ntitle: \"Briefing on the \\\"harbour\\\" works\"\ndate: 2024-03-05\n"
        "source: 'Port Authority'\ntags:\n  - harbour\n  - budget\n---\n\n"
        "# Works on the harbour\n\nThe board met **on Tuesday** to review the "
        "[dredging plan](https://port.example/plan) and the `budget`.\n\n"
        "> \"We will finish before the winter storms,\" the chief engineer, Ada Byron, "
        "said.\n\n- First point, with ![a map](map.png)\n- Second point\n"),
    "extra/page.html": (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>  Grain prices   rise again </title>"
        "<meta property=\"og:site_name\" content=\"Farm Weekly\">"
        "<meta property=\"article:published_time\" content=\"2023-09-14T08:00:00Z\">"
        "<style>p { color: green; }</style><script>var x = 'not indexed';</script>"
        "</head><body><nav>Home | News</nav><article><h1>Grain prices rise again</h1>"
        "<p>Wheat prices rose. &ldquo;The harvest was poor,&rdquo; said Maria Lopez, a "
        "trader in the port.</p><p>Exports fell &amp; costs grew.<br>Caf&eacute; owners "
        "complain.</p></article></body></html>\n"),
    "extra/feed.jsonl": "\n".join([
        json.dumps({"id": "n1", "title": "First note", "date": "2022-01-02",
                    "body": "The council approved the new bridge.\nWork starts in spring."}),
        json.dumps({"title": "No id", "text": "A body under the text key, about the bridge."}),
        "this line is not json", "[1,2]", json.dumps({"id": "no-body"}),
        json.dumps({"id": "n5", "date": "March 3, 2021",
                    "body": "\"Tolls will stay low,\" the mayor, John Smith, said."})]) + "\n",
}


def speeches():
    """The first FILES addresses of the corpus (relative to it), or None."""
    root = h.corpus_dir()
    if root is None:
        return None, None
    names = sorted(os.path.relpath(p, root) for p in glob.glob(os.path.join(root, "sotu",
                                                                            "*.txt")))
    return root, names[:FILES] if len(names) >= 5 else None


def copy_corpus(test, names, root):
    """(tmp, corpus): the addresses and EXTRA copied into a new folder."""
    tmp = h.tmp_for(test)
    corpus = os.path.join(tmp, "corpus")
    for n in names:
        os.makedirs(os.path.dirname(os.path.join(corpus, n)), exist_ok=True)
        shutil.copy2(os.path.join(root, n), os.path.join(corpus, n))
    for n, text in EXTRA.items():
        h.write(os.path.join(corpus, n), text)
    return tmp, corpus


def require_corpus():
    root, names = speeches()
    if not names:
        raise unittest.SkipTest(h.NO_CORPUS + " (its sotu/ folder)")
    return root, names


def index(test, db, corpus, expect=h.EXIT_OK, extra=()):
    summary, rc, err = h.index_json(db, corpus, extra=("--wait", "600", *extra))
    test.assertEqual(rc, expect, f"attache-index exited {rc}: {err[-2000:]}")
    test.assertIsNotNone(summary, err)
    return summary


class IndexTest(unittest.TestCase):
    def setUp(self):
        root, self.names = require_corpus()
        self.tmp, self.corpus = copy_corpus(self, self.names, root)
        self.db = os.path.join(self.tmp, "db")

    def test_build_update_compact(self):
        first = index(self, self.db, self.corpus)
        n = len(self.names) + len(EXTRA)
        self.assertEqual((first["added"], first["failed"]), (n, 0), first)
        listed = h.list_index(self.db)
        self.assertEqual(len(listed), n)
        self.assertTrue(all(v[0] == "ok" for v in listed.values()), listed)

        changed, removed = self.names[-1], self.names[-2]
        with open(os.path.join(self.corpus, changed), "a") as f:
            f.write('\n\nA paragraph added: "the tariff on wool," the clerk said.\n')
        os.remove(os.path.join(self.corpus, removed))
        h.write(os.path.join(self.corpus, "extra", "added.txt"),
                "Title: A report added between two runs\nDate: 2020-06-30\n\n"
                "The committee \"will report again in the autumn,\" its chair, Lena "
                "Ortiz, said.\n")
        h.write(os.path.join(self.corpus, "extra", "binary.txt"), "binary\0\1\2 content")
        second = index(self, self.db, self.corpus, expect=h.EXIT_FAILED_FILES)
        self.assertEqual({k: second[k] for k in ("added", "updated", "removed", "failed")},
                         {"added": 1, "updated": 1, "removed": 1, "failed": 1}, second)
        self.assertEqual(h.list_index(self.db)["extra/binary.txt"][0], "failed")

        before = h.stats(self.db)
        p = h.run_indexer("-d", self.db, "--compact")
        self.assertEqual(p.returncode, 0, p.stderr)
        after = h.stats(self.db)
        self.assertIs(after["consistent"], True, after)
        self.assertEqual((after["documents"], after["passages"]),
                         (before["documents"], before["passages"]))
        self.assertEqual(after["documents"], second["documents"])


def write_config(path, token_file, log_level):
    h.write(path + ".new", f"log-level = {log_level}\nslow-ms = 1000\n"
            f"token-file = {token_file}\n")
    os.replace(path + ".new", path)


def new_token(path):
    h.write(path + ".new", os.urandom(24).hex() + "\n")
    os.chmod(path + ".new", 0o600)
    os.replace(path + ".new", path)
    with open(path) as f:
        return f.read().strip()


class ServeTest(unittest.TestCase):
    """One daemon for the class, on an index of the real corpus."""

    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        root, cls.names = require_corpus()
        cls.load = os.path.join(h.build_dir(), "bench", "load")
        if not os.path.exists(cls.load):
            raise unittest.SkipTest(f"{cls.load} not built (make check-build)")
        cls.tmp, cls.corpus = copy_corpus(cls, cls.names, root)
        cls.db = os.path.join(cls.tmp, "db")
        p = h.run_indexer("-d", cls.db, "--no-progress", "--quiet", cls.corpus)
        if p.returncode != 0:
            raise AssertionError(f"attache-index exited {p.returncode}: {p.stderr}")
        cls.token_file = os.path.join(cls.tmp, "token")
        cls.token = new_token(cls.token_file)
        cls.conf = os.path.join(cls.tmp, "attached.conf")
        write_config(cls.conf, cls.token_file, "info")
        cls.d = dm.start_daemon(cls, cls.db, "--config", cls.conf, tmp=cls.tmp)
        cls.requests = cls.prepare()

    @classmethod
    def prepare(cls):
        """The request lines of the load: every one must succeed."""
        docs, passages, speakers, years = [], [], set(), set()
        with cls.d.connect() as c:
            for w in PROBES:
                r = c.call({"op": "search", "q": w, "limit": 50, "facets": True,
                            "match": "any"})
                for hit in r["hits"]:
                    if hit["doc"]["id"] not in docs:
                        docs.append(hit["doc"]["id"])
                    passages.append((hit["doc"]["id"], hit["passage"]["n"]))
                    speakers.update(q["speaker"] for q in hit.get("quotes", [])
                                    if q.get("speaker"))
                years.update(r.get("facets", {}).get("year", {}))
        years = sorted(years) or ["2000"]
        rnd = random.Random(7)
        reqs = [q for q in QUERIES for _ in range(2)]
        reqs += [{"op": "search", "q": q, "limit": 20, "facets": True, "per_doc": 2}
                 for q in QUERIES[:8]]
        for _ in range(10):
            y1 = rnd.choice(years)
            y2 = max(y1, rnd.choice(years))
            reqs.append({"op": "search", "q": rnd.choice(PROBES), "limit": 5,
                         "filter": {"from": y1, "to": y2}, "facets": True,
                         "sort": rnd.choice(["date", "-date", "relevance"])})
            reqs.append({"op": "search", "q": "", "filter": {"from": y1, "to": y2 + "-12-31"},
                         "limit": 3, "offset": rnd.randint(0, 20)})
        for s in sorted(speakers)[:5]:
            reqs.append({"op": "search", "q": "people", "filter": {"speaker": s},
                         "quotes": True})
        for d in docs[:10]:
            reqs.append({"op": "search", "q": "people", "filter": {"doc": d},
                         "highlight": {"pre": "[[", "post": "]]", "length": 100}})
            reqs += [{"op": "get", "doc": d}] * 2
        reqs += [{"op": "get", "doc": d, "passage": n} for d, n in passages[:30]]
        reqs += [{"op": "stats"}, {"op": "ping"}] * (len(reqs) // 8)
        cls.docs = docs
        return [r if isinstance(r, str) else json.dumps(r) for r in reqs]

    def queries_file(self):
        path = os.path.join(self.tmp, "requests.txt")
        h.write(path, "\n".join(self.requests) + "\n")
        return path

    def start_load(self, n, pipeline):
        return subprocess.Popen([self.load, "--socket", self.d.sock_path, "--queries",
                                 self.queries_file(), "-c", "2", "-p", str(pipeline),
                                 "-n", str(n), "-d", "3600", "--json"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def finish_load(self, proc, n):
        rc, out, err = h.finish(proc, timeout=600)
        self.assertEqual(rc, 0, f"bench/load: {err[-2000:]}")
        r = json.loads(out)
        self.assertEqual((r["requests"], r["errors"]), (n, 0), err[-2000:])

    def tcp_clients(self, n, errors, conns=2):
        """Threads sending n requests in all over TCP, after auth; what goes
        wrong is appended to errors."""
        def work(seed):
            rnd = random.Random(seed)
            try:
                with dm.Client.tcp(self.d.host, self.d.port) as c:
                    c.call({"op": "auth", "token": self.token})
                    for _ in range(n // conns):
                        line = rnd.choice(self.requests)
                        c.call(json.loads(line) if line.startswith("{")
                               else {"op": "search", "q": line})
            except Exception as e:  # noqa: BLE001 - the test reports it
                errors.append(f"tcp client {seed}: {e!r}")
        threads = [threading.Thread(target=work, args=(i,)) for i in range(conns)]
        for t in threads:
            t.start()
        return threads

    def setUp(self):
        dm.check_alive(self, self.d)

    def test_mixed_load_on_socket_and_tcp(self):
        self.assertGreater(len(self.docs), 5)
        errors = []
        threads = self.tcp_clients(REQUESTS // 5, errors)
        load = self.start_load(REQUESTS, 4)
        self.finish_load(load, REQUESTS)
        for t in threads:
            t.join(dm.IO_TIMEOUT)
        self.assertEqual(errors, [])
        with self.d.connect() as c:
            s = c.call({"op": "stats"})
            self.assertGreaterEqual(s["requests"]["total"], REQUESTS * 6 // 5)
            self.assertFalse(s["errors"].get("internal"), s["errors"])
            dm.assert_error(self, c.request({"op": "search", "q": "war AND"}), "query_syntax")
            dm.assert_error(self, c.request({"op": "get", "doc": self.docs[0],
                                             "passage": 999999}), "not_found")

    def test_update_and_sighup_under_load(self):
        n = max(REQUESTS // 4, 10)
        load = self.start_load(n, 2)
        with self.d.connect() as c:
            rev = c.call({"op": "ping"})["revision"]
            with open(os.path.join(self.corpus, self.names[-3]), "a") as f:
                f.write('\n\nA paragraph added while it serves: "the canal is open," '
                        "the engineer said.\n")
            os.remove(os.path.join(self.corpus, "extra", "page.html"))
            h.write(os.path.join(self.corpus, "extra", "late.md"),
                    "---\ntitle: Late news\ndate: 2025-01-15\n---\n\nThe ferry \"runs "
                    "again from Monday,\" the harbour master, Tom Reed, said. Zebrafruit.\n")
            p = h.run_indexer("-d", self.db, "--wait", "600", "--quiet", self.corpus)
            self.assertEqual(p.returncode, 0, p.stderr)
            h.wait_until(lambda: c.call({"op": "ping"})["revision"] != rev, 30,
                         "the daemon to see the new revision")
            hits = c.call({"op": "search", "q": "zebrafruit"})["hits"]
            self.assertEqual([x["doc"]["id"] for x in hits], ["extra/late.md"])

        old = self.token
        type(self).token = new_token(self.token_file)
        write_config(self.conf, self.token_file, "warn")
        self.d.signal(signal.SIGHUP)

        def new_token_works():
            with dm.Client.tcp(self.d.host, self.d.port) as t:
                return t.request({"op": "auth", "token": self.token}).get("ok")
        h.wait_until(new_token_works, 30, "the new token after SIGHUP")
        with dm.Client.tcp(self.d.host, self.d.port) as t:
            dm.assert_error(self, t.request({"op": "auth", "token": old}), "unauthorized")
        self.finish_load(load, n)


if __name__ == "__main__":
    unittest.main()
