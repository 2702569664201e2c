"""Black-box tests of attached's search page (daemon/web*.c) over HTTP,
with the standard library's http.client: the form, server-rendered
results (highlights, quotations, facets, filters, pages), the document
view, the assets, the security headers, index text that tries to inject
markup, and the login form of a daemon with a token file.

The helpers here (corpus_with_xss, start_web, Web) are shared with
test_browser.py.
"""
import html.parser
import http.client
import json
import os
import re
import time
import unittest
import urllib.parse

import daemon as dm
import harness as h

# Text an index may hold that must never become markup of the page.
SCRIPT = "<script>alert(1)</script>"
IMG = "\"><img src=x onerror=alert(1)>"
JS_URL = "javascript:alert(1)"
# The same, setting a flag a browser test looks for.
FLAG_SCRIPT = "<script>window.__xss=1</script>"
FLAG_IMG = "\"><img src=x onerror=\"window.__xss=1\">"
XSS_WORD = "xsscanary"
XSS_ID = "evil/" + SCRIPT
LONG_WORD = "Ultra" + "long" * 40 + "word"
LONG_URL = "https://example.com/" + "very-long-path-segment/" * 12 + "?q=" + "x" * 80

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")

TOKEN = "web-token-3f9c2a7d41"


def xss_records():
    """JSONL records of documents whose every field tries to inject markup."""
    return [
        {"id": XSS_ID, "title": f"{XSS_WORD} title {SCRIPT}", "author": f"Mallory {IMG}",
         "source": f"Src {SCRIPT}", "url": JS_URL, "date": "2025-01-02",
         "text": f"The {XSS_WORD} report says {SCRIPT} and {IMG} here. "
                 f"\"{FLAG_SCRIPT} is fine,\" said John Miller, a farmer. "
                 f"Then {FLAG_IMG} and {FLAG_SCRIPT} again."},
        {"id": "evil/flag", "title": f"{XSS_WORD} flag {FLAG_SCRIPT}",
         "author": f"Eve {FLAG_IMG}", "source": f"Flag {FLAG_IMG}", "url": JS_URL,
         "date": "2025-01-03",
         "text": f"Another {XSS_WORD} passage with {FLAG_IMG} inside and {FLAG_SCRIPT}."},
        {"id": "long/wide", "title": f"Wide {LONG_WORD}", "source": "Wide", "url": LONG_URL,
         "date": "2025-01-04",
         "text": f"A widecanary passage with {LONG_WORD} and {LONG_URL} in its text."},
    ]


def corpus_with_xss(test):
    """(tmp, db): the hand-made corpus (daemon.write_corpus) plus the
    records of xss_records in a .jsonl file, indexed."""
    tmp = h.tmp_for(test)
    corpus = dm.write_corpus(os.path.join(tmp, "corpus"))
    h.write(os.path.join(corpus, "evil.jsonl"),
            "".join(json.dumps(r) + "\n" for r in xss_records()))
    return tmp, dm.build_index(corpus, os.path.join(tmp, "db"))


class Web:
    """A client of the daemon's HTTP listener: one connection per request."""

    def __init__(self, port, host="127.0.0.1"):
        self.host, self.port = host, port
        self.base = f"http://{host}:{port}"

    def request(self, method, path, body=None, headers=None):
        """(status, headers as a dict of lower-case names, body as str)."""
        c = http.client.HTTPConnection(self.host, self.port, timeout=dm.IO_TIMEOUT)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            hdrs = {}
            for k, v in r.getheaders():
                k = k.lower()
                hdrs[k] = hdrs[k] + "\n" + v if k in hdrs else v
            return r.status, hdrs, data.decode("utf-8")
        finally:
            c.close()

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def wait_ready(self, proc_alive, timeout=dm.READY_TIMEOUT):
        """Until GET /ready answers 200 (the HTTP listener is up)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                status, _, _ = self.get("/ready")
                if status == 200:
                    return
            except OSError:
                pass
            if not proc_alive() or time.monotonic() > deadline:
                raise AssertionError("the HTTP listener did not answer /ready")
            time.sleep(0.02)


def start_web(test, db, *args, tmp=None):
    """(Daemon, Web): attached on db with an HTTP listener on a free port."""
    d = dm.start_daemon(test, db, *args, tmp=tmp, http=True)
    web = Web(d.http_port)
    web.wait_ready(d.running)
    return d, web


def hrefs(page, rel=None, cls=None):
    """The href values of the <a> elements of page (HTML-unescaped)."""
    out = []
    for m in re.finditer(r"<a\b([^>]*)>", page):
        attrs = m.group(1)
        if rel and f'rel="{rel}"' not in attrs:
            continue
        if cls and f'class="{cls}"' not in attrs:
            continue
        href = re.search(r'href="([^"]*)"', attrs)
        if href:
            out.append(href.group(1).replace("&amp;", "&"))
    return out


def dates(page):
    return re.findall(r'<time class="date" datetime="([^"]*)"', page)


def hit_count(page):
    return len(re.findall(r'<li class="hit">', page))


class Markup(html.parser.HTMLParser):
    """The elements of a page as a browser's parser sees them: (tag,
    attributes) of each start tag, and the text inside each script."""

    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.tags, self.scripts, self._in_script = [], [], False
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def assert_no_live_markup(test, page, what):
    """None of the injected payloads is markup of page: no image, no inline
    script, no event handler or style attribute, no javascript: link."""
    low = page.lower()
    for bad in ("<script>alert", "<script>window", "<img", 'href="javascript:'):
        test.assertNotIn(bad, low, f"{what}: {bad!r} is live markup")
    m = Markup(page)
    for tag, attrs in m.tags:
        test.assertNotEqual(tag, "img", f"{what}: an image")
        for name, value in attrs.items():
            test.assertFalse(name.startswith("on"), f"{what}: <{tag} {name}=...>")
            test.assertNotEqual(name, "style", f"{what}: <{tag} style=...>")
            if name in ("href", "src", "action"):
                test.assertFalse((value or "").strip().lower().startswith("javascript:"),
                                 f"{what}: <{tag} {name}={value!r}>")
        if tag == "script":
            test.assertTrue(attrs.get("src", "").startswith("/static/"), f"{what}: {attrs}")
    test.assertEqual([t for t in m.scripts if t.strip()], [], f"{what}: an inline script")


class WebPageTest(unittest.TestCase):
    """One daemon with an HTTP listener, no token."""

    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.tmp, cls.db = corpus_with_xss(cls)
        cls.d, cls.web = start_web(cls, cls.db, tmp=cls.tmp)

    def setUp(self):
        dm.check_alive(self, self.d)

    def page(self, path, status=200):
        st, hdrs, body = self.web.get(path)
        self.assertEqual(st, status, f"GET {path}: {body[:500]}")
        return hdrs, body

    def test_form_and_headers(self):
        hdrs, body = self.page("/")
        self.assertTrue(hdrs.get("content-type", "").startswith("text/html"), hdrs)
        self.assertEqual(hdrs.get("content-security-policy"), CSP)
        self.assertEqual(hdrs.get("x-content-type-options"), "nosniff")
        self.assertEqual(hdrs.get("referrer-policy"), "no-referrer")
        self.assertIn('role="search"', body)
        self.assertRegex(body, r'<form id="search"[^>]* action="/" method="get"')
        self.assertIn('<label for="q"', body)
        self.assertIn('name="q"', body)
        self.assertIn('name="viewport"', body)
        for name in ("from", "to", "source", "speaker", "author", "actor"):
            self.assertIn(f'<input id="f-{name}" name="{name}"', body)
            self.assertIn(f'<label for="f-{name}">', body)
        self.assertIn("quote:", body, "the hints on the query language")
        self.assertIn("<main", body)
        self.assertNotIn('<li class="hit">', body, "no results without a query")
        assert_no_live_markup(self, body, "/")

    def test_results_are_rendered(self):
        hdrs, body = self.page("/?q=beijing")
        self.assertEqual(hdrs.get("content-security-policy"), CSP)
        self.assertIn("Beijing rebukes Tokyo over Taiwan remarks", body)
        self.assertIn("<mark>Beijing</mark>", body)
        self.assertRegex(body, r'class="total"[^>]*>\d+ passages? match')
        self.assertIn('<time class="date" datetime="2025-11-14">', body)
        self.assertIn('<span class="source">Reuters</span>', body)
        self.assertIn('<a class="url" rel="noopener noreferrer" '
                      'href="https://example.com/news/beijing-tokyo">', body)
        self.assertIn('<span class="speaker">Lin Jian</span>', body)
        self.assertIn('<span class="role">spokesperson</span>', body)
        self.assertIn('value="beijing"', body, "the box keeps the query")
        assert_no_live_markup(self, body, "/?q=beijing")

    def test_quotes_show_matches(self):
        _, body = self.page("/?q=%22red+line%22")
        self.assertRegex(body, r"<q>[^<]*<mark>red line</mark>[^<]*</q>")
        self.assertIn('<span class="speaker">Wang Yi</span>', body)

    def test_date_filter(self):
        _, all_ = self.page("/?q=" + urllib.parse.quote_plus(dm.BIG_QUERY) + "&sort=date")
        _, some = self.page("/?q=" + urllib.parse.quote_plus(dm.BIG_QUERY) +
                            "&from=2016-01-01&to=2017-12-31&sort=date")
        total = lambda p: int(re.search(r'data-total="(\d+)"', p).group(1))
        self.assertLess(total(some), total(all_))
        self.assertGreater(total(some), 0)
        for d in dates(some):
            self.assertTrue("2016-01-01" <= d <= "2017-12-31", d)
        self.assertIn('value="2016-01-01"', some, "the form keeps the filter")
        self.assertIn("from: 2016-01-01", some, "the filters in force are listed")

    def test_facet_link_adds_its_filter(self):
        _, body = self.page("/?q=sanctions")
        links = [u for u in hrefs(body) if "source=Reuters" in u]
        self.assertTrue(links, "a source facet links to its filter")
        _, filtered = self.page(links[0])
        self.assertGreater(hit_count(filtered), 0)
        sources = re.findall(r'<span class="source">([^<]*)</span>', filtered)
        self.assertEqual(set(sources), {"Reuters"})
        years = [u for u in hrefs(body) if "from=2024&to=2024" in u]
        self.assertTrue(years, "a year facet sets from and to")
        _, by_year = self.page(years[0])
        self.assertTrue(all(d.startswith("2024") for d in dates(by_year)), dates(by_year))
        # The link of a filter in force removes it.
        remove = [u for u in hrefs(filtered) if "source=" not in u and "q=sanctions" in u]
        self.assertTrue(remove, "a filter in force can be removed")

    def test_pages(self):
        q = "/?q=" + urllib.parse.quote_plus(dm.BIG_QUERY)
        _, first = self.page(q)
        self.assertEqual(hit_count(first), 10)
        nxt = hrefs(first, rel="next")
        self.assertEqual(len(nxt), 1, "a link to the next page")
        self.assertIn("offset=10", nxt[0])
        self.assertEqual(hrefs(first, rel="prev"), [])
        _, second = self.page(nxt[0])
        self.assertIn('<ol class="hits" id="hits" start="11">', second)
        self.assertGreater(hit_count(second), 0)
        first_titles = set(hrefs(first, cls="title"))
        self.assertFalse(first_titles & set(hrefs(second, cls="title")),
                         "page 2 holds other passages")
        prev = hrefs(second, rel="prev")
        self.assertEqual(len(prev), 1)
        _, again = self.page(prev[0])
        self.assertEqual(set(hrefs(again, cls="title")), first_titles)

    def test_document_view(self):
        _, body = self.page("/?q=%22grossly+violated%22")
        link = hrefs(body, cls="title")[0]
        self.assertTrue(link.startswith("/doc?id=news%2Fbeijing-tokyo.txt&p="), link)
        n = re.search(r"&p=(\d+)", link).group(1)
        self.assertTrue(link.endswith(f"#p{n}"), "the link scrolls to the passage")
        _, doc = self.page(link.split("#")[0])
        self.assertIn("<h1>Beijing rebukes Tokyo over Taiwan remarks</h1>", doc)
        self.assertRegex(doc, rf'<section class="passage current" id="p{n}"[^>]*>\s*'
                              rf'<p class="text">[^\n]*grossly violated')
        self.assertEqual(len(re.findall(r'class="passage current"', doc)), 1)
        self.assertIn('id="p0"', doc, "the whole document")
        self.assertIn("Analysts expect the dispute", doc)
        self.assertIn('<span class="speaker">Lin Jian</span>', doc)
        self.assertIn("Back to the results", doc)
        assert_no_live_markup(self, doc, link)

    def test_document_errors(self):
        st, _, body = self.web.get("/doc?id=no/such.txt")
        self.assertEqual(st, 404, body[:300])
        self.assertIn('class="error"', body)
        st, _, _ = self.web.get("/doc")
        self.assertEqual(st, 400)

    def test_query_syntax_error(self):
        st, _, body = self.web.get("/?q=" + urllib.parse.quote_plus("title:(") +
                                   "&from=2025-13-45")
        self.assertIn(st, (400,), body[:300])
        self.assertIn('class="error"', body)

    def test_assets(self):
        _, page = self.page("/")
        css = re.search(r'<link rel="stylesheet" href="(/static/style\.css\?v=[^"]+)"', page)
        js = re.search(r'<script src="(/static/app\.js\?v=[^"]+)" defer></script>', page)
        self.assertTrue(css and js, "the page names its assets with a version")
        for path, kind in ((css.group(1), "text/css"), (js.group(1), "text/javascript")):
            hdrs, body = self.page(path)
            self.assertTrue(hdrs["content-type"].startswith(kind), hdrs)
            self.assertIn("max-age=31536000", hdrs.get("cache-control", ""))
            self.assertGreater(len(body), 500)
            st, hh, empty = self.web.request("HEAD", path)
            self.assertEqual((st, empty), (200, ""))
            self.assertEqual(hh.get("content-type"), hdrs["content-type"])
        hdrs, _ = self.page("/static/app.js")
        self.assertEqual(hdrs.get("cache-control"), "no-cache", "an unversioned URL revalidates")
        _, js_text = self.page("/static/app.js")
        self.assertNotIn("innerHTML", js_text)
        self.page("/static/nothing.js", status=404)
        self.page("/nothing", status=404)

    def test_head_and_methods(self):
        st, hdrs, body = self.web.request("HEAD", "/?q=beijing")
        self.assertEqual((st, body), (200, ""))
        self.assertTrue(hdrs["content-type"].startswith("text/html"))
        st, hdrs, _ = self.web.request("DELETE", "/")
        self.assertEqual(st, 405)
        self.assertIn("GET", hdrs.get("allow", ""))

    def test_injected_markup_stays_text(self):
        for path in ("/?q=" + XSS_WORD, "/?q=" + XSS_WORD + "&sort=-date",
                     "/?q=" + XSS_WORD + "&author=" + urllib.parse.quote_plus("Mallory " + IMG)):
            _, body = self.page(path)
            self.assertGreater(hit_count(body), 0, path)
            assert_no_live_markup(self, body, path)
            self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", body)
            self.assertIn("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;", body)
            self.assertIn('<span class="url">javascript:alert(1)</span>', body,
                          "a javascript: URL is shown as text")
        _, body = self.page("/?q=" + XSS_WORD)
        for link in hrefs(body, cls="title"):
            self.assertNotIn("<", link)
            _, doc = self.page(link.split("#")[0])
            assert_no_live_markup(self, doc, link)
            self.assertIn("&lt;script&gt;", doc)
        for link in hrefs(body):
            if "author=" in link or "source=" in link:
                self.assertNotRegex(link, r"[<>\"' ]", "facet links are percent-encoded")
                _, page = self.page(link)
                assert_no_live_markup(self, page, link)
                self.assertGreater(hit_count(page), 0, f"{link} finds its document")

    def test_query_is_escaped(self):
        q = IMG + SCRIPT
        _, body = self.page("/?q=" + urllib.parse.quote(q))
        assert_no_live_markup(self, body, "the query echoed")
        self.assertIn('value="&quot;&gt;&lt;img', body)
        # Bytes that are not UTF-8 do not reach the page as they came.
        st, _, body = self.web.get("/?q=%FF%FEbeijing%00")
        self.assertIn(st, (200, 400))
        self.assertIn("\ufffd", body)


class WebLoginTest(unittest.TestCase):
    """A daemon with a token file: the page asks for the token once."""

    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.tmp, cls.corpus, cls.db = dm.small_index(cls)
        token_file = os.path.join(cls.tmp, "token")
        h.write(token_file, TOKEN + "\n")
        os.chmod(token_file, 0o600)
        cls.d, cls.web = start_web(cls, cls.db, "--token-file", token_file, tmp=cls.tmp)

    def setUp(self):
        dm.check_alive(self, self.d)

    def login(self, token, headers=None, nxt=None):
        form = {"token": token}
        if nxt is not None:
            form["next"] = nxt
        return self.web.request("POST", "/login", body=urllib.parse.urlencode(form),
                                headers=dict({"Content-Type":
                                              "application/x-www-form-urlencoded"},
                                             **(headers or {})))

    def test_pages_ask_for_the_token(self):
        for path in ("/", "/?q=beijing", "/doc?id=news%2Fbeijing-tokyo.txt&p=1"):
            st, hdrs, body = self.web.get(path)
            self.assertEqual(st, 401, path)
            self.assertRegex(body, r'<form class="login" action="/login" method="post">')
            self.assertIn('type="password"', body)
            self.assertNotIn("Beijing rebukes", body, f"{path}: nothing of the index")
            self.assertEqual(hdrs.get("content-security-policy"), CSP)
        st, _, _ = self.web.get("/static/style.css")
        self.assertEqual(st, 200, "the assets need no token")
        st, _, body = self.web.get("/login")
        self.assertEqual(st, 200)
        self.assertIn('name="token"', body)

    def test_wrong_token(self):
        st, hdrs, body = self.login("not-the-token")
        self.assertEqual(st, 401)
        self.assertNotIn("set-cookie", hdrs)
        self.assertIn('class="error"', body)
        self.assertIn('name="token"', body, "the form again")
        st, hdrs, _ = self.login("")
        self.assertEqual(st, 401)
        self.assertNotIn("set-cookie", hdrs)

    def test_login_sets_the_cookie(self):
        st, hdrs, _ = self.login(TOKEN)
        self.assertEqual(st, 303)
        self.assertEqual(hdrs.get("location"), "/")
        cookie = hdrs.get("set-cookie", "")
        self.assertEqual(cookie, f"attache_token={TOKEN}; HttpOnly; SameSite=Strict; Path=/")
        st, _, body = self.web.get("/?q=beijing", headers={"Cookie": f"attache_token={TOKEN}"})
        self.assertEqual(st, 200)
        self.assertIn("<mark>Beijing</mark>", body)
        st, _, body = self.web.get("/?q=beijing", headers={"Cookie": "attache_token=wrong"})
        self.assertEqual(st, 401)

    def test_login_returns_where_it_was(self):
        st, hdrs, _ = self.login(TOKEN, nxt="/?q=beijing")
        self.assertEqual((st, hdrs.get("location")), (303, "/?q=beijing"))
        for bad in ("//evil.example/", "https://evil.example/", "/\\evil", "/a\r\nX: y"):
            st, hdrs, _ = self.login(TOKEN, nxt=bad)
            self.assertEqual((st, hdrs.get("location")), (303, "/"), repr(bad))

    def test_secure_cookie_behind_tls(self):
        st, hdrs, _ = self.login(TOKEN, headers={"X-Forwarded-Proto": "https"})
        self.assertEqual(st, 303)
        self.assertTrue(hdrs.get("set-cookie", "").endswith("; Secure"), hdrs)


if __name__ == "__main__":
    unittest.main()
