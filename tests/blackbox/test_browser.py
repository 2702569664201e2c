"""The search page in a real browser: Debian's headless Chromium driven
through chromedriver by the W3C WebDriver protocol (urllib only). Typing
a query, filters, pages, a document, injected markup staying inert, the
page without JavaScript, a phone-sized screen, light and dark.

Needs the packages chromium and chromium-driver (/usr/bin/chromium,
/usr/bin/chromedriver); without them every test here is skipped, by
name, saying so.
"""
import base64
import json
import os
import re
import socket
import subprocess
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

import daemon as dm
import harness as h
import test_http_web as hw

CHROMIUM = os.environ.get("ATTACHE_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("ATTACHE_CHROMEDRIVER", "/usr/bin/chromedriver")
HAVE_BROWSER = os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)
NO_BROWSER = (f"needs {CHROMIUM} and {CHROMEDRIVER} (Debian packages chromium and "
              f"chromium-driver)")
needs_browser = unittest.skipUnless(HAVE_BROWSER, NO_BROWSER)

WAIT = h.scaled(15)        # for a condition in the page
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
ENTER = "\ue007"


class WebDriverError(AssertionError):
    pass


class Driver:
    """chromedriver on a free port of 127.0.0.1, stopped by close()."""

    def __init__(self, tmp):
        self.port = dm.free_port()
        self.log = open(os.path.join(tmp, "chromedriver.log"), "wb")
        self.proc = subprocess.Popen([CHROMEDRIVER, f"--port={self.port}"],
                                     stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=self.log)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + WAIT
        while True:
            try:
                if self.call("GET", "/status").get("ready"):
                    return
            except (OSError, WebDriverError):
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise AssertionError("chromedriver did not start")
            time.sleep(0.05)

    def call(self, method, path, body=None, timeout=60):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                out = json.loads(r.read().decode())
        except urllib.error.HTTPError as e:
            out = json.loads(e.read().decode() or "{}")
            raise WebDriverError(f"{method} {path}: {e.code} {out.get('value')}") from None
        return out.get("value")

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()


class Session:
    """One browser: navigation, elements by CSS selector, keys, scripts,
    DevTools commands and screenshots."""

    def __init__(self, driver, javascript=True):
        self.d = driver
        opts = {"binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--window-size=1200,900", "--disable-dev-shm-usage",
                         "--no-first-run", "--no-default-browser-check"]}
        if not javascript:
            opts["prefs"] = {"profile.managed_default_content_settings.javascript": 2}
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome",
                                                 "goog:chromeOptions": opts}}}
        self.id = driver.call("POST", "/session", caps)["sessionId"]
        self.path = f"/session/{self.id}"

    def call(self, method, path, body=None):
        return self.d.call(method, self.path + path, body)

    def close(self):
        try:
            self.d.call("DELETE", self.path)
        except (OSError, WebDriverError):
            pass

    def go(self, url):
        self.call("POST", "/url", {"url": url})

    def url(self):
        return self.call("GET", "/url")

    def js(self, script, *args):
        return self.call("POST", "/execute/sync", {"script": script, "args": list(args)})

    def find(self, css):
        """The elements matching css (references), possibly none."""
        els = self.call("POST", "/elements", {"using": "css selector", "value": css})
        return [e[ELEMENT] for e in els]

    def one(self, css):
        els = self.wait(lambda: self.find(css), f"an element {css}")
        return els[0]

    def text(self, el):
        return self.call("GET", f"/element/{el}/text")

    def attr(self, el, name):
        return self.call("GET", f"/element/{el}/attribute/{name}")

    def click(self, el):
        self.call("POST", f"/element/{el}/click", {})

    def keys(self, el, text):
        self.call("POST", f"/element/{el}/value", {"text": text})

    def clear(self, el):
        self.call("POST", f"/element/{el}/clear", {})

    def cdp(self, cmd, params):
        return self.call("POST", "/goog/cdp/execute", {"cmd": cmd, "params": params})

    def screenshot(self, path):
        data = base64.b64decode(self.call("GET", "/screenshot"))
        with open(path, "wb") as f:
            f.write(data)
        return data

    def press(self, key):
        """key pressed and released where the focus is."""
        self.call("POST", "/actions", {"actions": [{
            "type": "key", "id": "keyboard",
            "actions": [{"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}]}]})

    def alert_open(self):
        try:
            self.call("GET", "/alert/text")
            return True
        except WebDriverError as e:
            if "no such alert" in str(e):
                return False
            raise

    def wait(self, cond, what, timeout=WAIT):
        """Poll cond() until it is truthy; its value."""
        deadline = time.monotonic() + timeout
        last = None
        while True:
            try:
                v = cond()
                if v:
                    return v
            except WebDriverError as e:
                last = e
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {timeout} s for {what}; last error: {last}")
            time.sleep(0.05)


def png_size(data):
    """(width, height) of a PNG."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


class BrowserCase(unittest.TestCase):
    """A daemon with an HTTP listener on the corpus with injected markup,
    chromedriver and one browser for the class (with JavaScript unless
    javascript is False)."""

    javascript = True

    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.tmp, cls.db = hw.corpus_with_xss(cls)
        cls.d, cls.web = hw.start_web(cls, cls.db, tmp=cls.tmp)
        cls.driver = Driver(cls.tmp)
        cls.addClassCleanup(cls.driver.close)
        cls.s = Session(cls.driver, javascript=cls.javascript)
        cls.addClassCleanup(cls.s.close)

    def setUp(self):
        dm.check_alive(self, self.d)

    def open(self, path):
        self.s.go(self.web.base + path)

    def hits(self):
        return self.s.js("return document.querySelectorAll('#hits .hit').length")

    def start_of_hits(self):
        return self.s.js("var o = document.getElementById('hits');"
                         "return o ? o.getAttribute('start') : null")

    def total(self):
        return self.s.js("var t = document.getElementById('total');"
                         "return t ? Number(t.dataset.total) : -1")


@needs_browser
class BrowserSearchTest(BrowserCase):

    def search(self, query):
        """Type query in the box of a fresh page and press Enter."""
        self.open("/")
        box = self.s.one("#q")
        self.s.js("window.__page = 'kept'")
        self.s.keys(box, query + ENTER)

    def test_type_and_enter_shows_highlighted_hits(self):
        self.search("beijing")
        self.s.wait(lambda: self.s.find("#hits .hit mark"), "highlighted hits")
        marks = [self.s.text(m) for m in self.s.find("#hits .hit mark")]
        self.assertIn("Beijing", marks)
        self.assertEqual(self.s.js("return window.__page"), "kept",
                         "the results came in place (JavaScript), not by a new page")
        self.assertIn("q=beijing", self.s.url(), "the address follows the search")
        speakers = [self.s.text(e) for e in self.s.find(".hit .speaker")]
        self.assertIn("Lin Jian", speakers)

    def test_date_filter_narrows(self):
        q = urllib.parse.quote_plus(dm.BIG_QUERY)
        self.open(f"/?q={q}")
        before = self.s.wait(lambda: self.total() > 0 and self.total(), "results")
        self.s.js("window.__page = 'kept'")
        self.s.click(self.s.one("#filters summary"))
        self.s.keys(self.s.one("#f-from"), "2016-01-01")
        self.s.keys(self.s.one("#f-to"), "2017-12-31" + ENTER)
        after = self.s.wait(lambda: 0 < self.total() < before and self.total(),
                            "fewer hits")
        self.assertLess(after, before)
        dates = self.s.js("return Array.from(document.querySelectorAll('#hits time'))"
                          ".map(function (t) { return t.getAttribute('datetime'); })")
        self.assertTrue(dates)
        for d in dates:
            self.assertTrue("2016-01-01" <= d <= "2017-12-31", d)
        self.assertIn("from=2016-01-01", self.s.url())
        self.assertEqual(self.s.js("return window.__page"), "kept")

    def test_page_forward_and_back(self):
        self.open("/?q=" + urllib.parse.quote_plus(dm.BIG_QUERY))
        self.s.wait(lambda: self.hits() == 10, "a first page of 10 hits")
        first = self.s.text(self.s.one("#hits .hit a.title"))
        self.s.click(self.s.one("a[rel=next]"))
        self.s.wait(lambda: self.start_of_hits() == "11", "the second page")
        self.assertIn("offset=10", self.s.url())
        self.assertGreater(self.hits(), 0)
        self.s.call("POST", "/back", {})
        self.s.wait(lambda: self.start_of_hits() == "1", "the first page again")
        self.assertEqual(self.s.text(self.s.one("#hits .hit a.title")), first)

    def test_keys_move_and_open(self):
        self.search("beijing")
        self.s.wait(lambda: self.hits() > 1, "hits")
        links = "return Array.from(document.querySelectorAll('#hits a.title'))" \
                ".map(function (a) { return a.href; })"
        hrefs = self.s.js(links)
        focused = "return document.activeElement.href || document.activeElement.id"
        self.s.js("document.activeElement.blur()")
        self.s.press("j")
        self.s.press("j")
        self.assertEqual(self.s.js(focused), hrefs[1])
        self.s.press("k")
        self.assertEqual(self.s.js(focused), hrefs[0])
        self.assertEqual(self.s.js("return document.querySelector('.hit.selected a.title')"
                                   ".href"), hrefs[0])
        self.s.press("/")
        self.assertEqual(self.s.js(focused), "q")
        self.s.js("document.activeElement.blur()")
        self.s.press("\ue015")  # arrow down
        self.assertEqual(self.s.js(focused), hrefs[0])
        self.s.press(ENTER)
        self.s.wait(lambda: "/doc?" in self.s.url(), "the document opened")
        self.assertEqual(self.s.url(), hrefs[0])

    def test_open_document_at_the_passage(self):
        self.search('"grossly violated"')
        link = self.s.one("#hits a.title")
        href = self.s.attr(link, "href")
        n = re.search(r"[?&]p=(\d+)", href).group(1)
        self.s.click(link)
        cur = self.s.wait(lambda: self.s.find(".passage.current"), "the document")[0]
        self.assertEqual(self.s.attr(cur, "id"), f"p{n}")
        self.assertIn("grossly violated", self.s.text(cur))
        visible = ("var r = document.querySelector('.passage.current')"
                   ".getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight")
        self.s.wait(lambda: self.s.js(visible), "the passage scrolled into view")

    def assert_inert(self, what):
        self.assertFalse(self.s.alert_open(), f"{what}: an alert opened")
        self.assertIsNone(self.s.js("return window.__xss === undefined ? null : window.__xss"),
                          f"{what}: an injected script ran")
        self.assertEqual(self.s.js("return document.querySelectorAll('img').length"), 0,
                         f"{what}: an injected image")
        self.assertEqual(self.s.js("return Array.from(document.scripts)"
                                   ".filter(function (s) { return !s.src; }).length"), 0,
                         f"{what}: an inline script")
        self.assertEqual(self.s.js("return document.querySelectorAll("
                                   "'a[href^=\"javascript:\"]').length"), 0,
                         f"{what}: a javascript: link")

    def test_injected_markup_is_inert(self):
        self.open(f"/?q={hw.XSS_WORD}")
        self.s.wait(lambda: self.hits() > 0, "server-rendered hits")
        self.assert_inert("server-rendered results")
        titles = [self.s.text(t) for t in self.s.find("#hits a.title")]
        self.assertTrue(any("<script>" in t for t in titles), titles)
        self.search(hw.XSS_WORD)
        self.s.wait(lambda: self.hits() > 0 and self.s.js("return window.__page") == "kept"
                    and not self.s.js("return document.getElementById('results')"
                                      ".hasAttribute('aria-busy')"),
                    "results rendered by the script")
        self.assert_inert("results rendered by the script")
        authors = [self.s.text(a) for a in self.s.find("#hits .author")]
        self.assertTrue(any("<img src=x" in a for a in authors), authors)
        self.s.click(self.s.one("#hits a.title"))
        self.s.wait(lambda: self.s.find(".passage.current"), "the document")
        self.assert_inert("the document")
        self.assertIn("<script>", self.s.text(self.s.one("h1")))

    def test_phone_width_has_no_horizontal_scroll(self):
        self.s.cdp("Emulation.setDeviceMetricsOverride",
                   {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
        try:
            for path in ("/?q=widecanary", "/?q=" + urllib.parse.quote_plus(dm.BIG_QUERY),
                         "/doc?id=long%2Fwide&p=0"):
                self.open(path)
                self.s.one("#hits .hit, .passage")
                width = self.s.js("return document.documentElement.scrollWidth")
                self.assertLessEqual(width, 390, f"{path}: {width} px wide")
        finally:
            self.s.cdp("Emulation.clearDeviceMetricsOverride", {})

    def test_light_and_dark(self):
        folder = h.tmp_for(self)
        colours = {}
        try:
            for scheme in ("light", "dark"):
                self.s.cdp("Emulation.setEmulatedMedia",
                           {"media": "", "features": [{"name": "prefers-color-scheme",
                                                       "value": scheme}]})
                self.open("/?q=beijing")
                self.s.one("#hits .hit mark")
                colours[scheme] = self.s.js("return getComputedStyle(document.body)"
                                            ".backgroundColor")
                path = os.path.join(folder, f"results-{scheme}.png")
                data = self.s.screenshot(path)
                self.assertEqual(data[:8], b"\x89PNG\r\n\x1a\n")
                self.assertGreater(png_size(data)[0], 300)
                self.assertTrue(os.path.getsize(path) > 1000)
        finally:
            self.s.cdp("Emulation.setEmulatedMedia", {"media": "", "features": []})
        self.assertNotEqual(colours["light"], colours["dark"])
        self.assertEqual(colours["light"], "rgb(255, 255, 255)")


@needs_browser
class BrowserNoScriptTest(BrowserCase):
    """A browser with JavaScript turned off still searches."""

    javascript = False

    def test_search_without_javascript(self):
        self.open("/")
        self.s.keys(self.s.one("#q"), "beijing" + ENTER)
        self.s.wait(lambda: "q=beijing" in self.s.url() and self.s.find("#hits .hit mark"),
                    "server-rendered results")
        self.assertIn("Beijing", [self.s.text(m) for m in self.s.find("#hits .hit mark")])
        self.s.click(self.s.one("#hits a.title"))
        cur = self.s.wait(lambda: self.s.find(".passage.current"), "the document")[0]
        self.assertIn("Beijing", self.s.text(cur))

    def test_javascript_is_off(self):
        self.open("/?q=beijing")
        self.s.one("#hits .hit")
        # The script marks a hit as selected on "j": nothing happens here.
        self.s.press("j")
        self.assertEqual(self.s.find(".hit.selected"), [])


if __name__ == "__main__":
    unittest.main()
