"""Black-box test of contrib/nginx-attache.conf: nginx ends TLS in front of
attached's --http listener, as docs/HTTP.md describes.

The configuration is used as shipped, with only its addresses, ports and
certificate paths replaced (each must be found once, so an edit of the
file that this test does not follow fails here instead of going
unnoticed). nginx runs as the current user from a temporary folder: a
self-signed certificate made there with the openssl program, its pid
file, logs and temporary files there too; nothing is written elsewhere.
The client is http.client over ssl, trusting only that certificate.

Needs /usr/sbin/nginx (Debian package nginx-light) and openssl: without
them every test here is skipped by name, with the reason.
"""
import grp
import gzip
import http.client
import json
import os
import pwd
import re
import shutil
import signal
import ssl
import subprocess
import time
import unittest
import urllib.parse

import daemon as dm
import harness as h

NGINX = "/usr/sbin/nginx"
OPENSSL = shutil.which("openssl")
SITE = os.path.join(h.REPO, "contrib", "nginx-attache.conf")
WEB_C = os.path.join(h.REPO, "daemon", "web.c")
NGINX_READY = h.scaled(20)   # seconds for nginx to answer its first request
TOKEN = "proxy-test-token-0123456789abcdef"
QUERY = "sanctions OR soybeans OR trade"
MAX_LINE = 65536             # attached's default --max-line, a body's limit


def skip_reason():
    if not os.path.exists(NGINX):
        return (f"{NGINX} is missing (Debian package nginx-light): the TLS proxy of "
                f"contrib/nginx-attache.conf cannot be tried")
    if OPENSSL is None:
        return "the openssl program is missing (Debian package openssl)"
    return None


def render_site(ports, upstream_port, cert, key):
    """contrib/nginx-attache.conf with the test's addresses and paths.
    ports: {"https": port, "http": port}."""
    with open(SITE, encoding="utf-8") as f:
        text = f.read()
    subs = [("listen 443 ssl;", f"listen 127.0.0.1:{ports['https']} ssl;"),
            ("listen [::]:443 ssl;", ""),
            ("listen 80;", f"listen 127.0.0.1:{ports['http']};"),
            ("listen [::]:80;", ""),
            ("server 127.0.0.1:7312;", f"server 127.0.0.1:{upstream_port};"),
            ("/etc/ssl/certs/search.example.org.pem", cert),
            ("/etc/ssl/private/search.example.org.key", key)]
    for old, new in subs:
        if text.count(old) != 1:
            raise AssertionError(f"contrib/nginx-attache.conf does not hold {old!r} exactly "
                                 f"once: update render_site in this test")
        text = text.replace(old, new)
    return text


def main_conf(tmp, site):
    """The top of an nginx configuration that keeps nginx in tmp, with the
    site file in its http block."""
    user = ""
    if os.geteuid() == 0:  # else the workers would run as nobody
        user = (f"user {pwd.getpwuid(os.geteuid()).pw_name} "
                f"{grp.getgrgid(os.getegid()).gr_name};\n")
    temps = "".join(f"    {kind}_temp_path {tmp}/{kind};\n"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (f"{user}pid {tmp}/nginx.pid;\nerror_log {tmp}/error.log info;\n"
            f"worker_processes 1;\nevents {{ worker_connections 64; }}\n"
            f"http {{\n    access_log {tmp}/access.log;\n{temps}"
            f"    include {site};\n}}\n")


def make_cert(tmp):
    """(cert, key): a self-signed certificate for 127.0.0.1 and localhost."""
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    p = subprocess.run([OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "2", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                       capture_output=True, text=True, timeout=h.scaled(60),
                       stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        raise AssertionError(f"openssl req exited {p.returncode}: {p.stderr}")
    return cert, key


class Nginx:
    """nginx in the foreground on a rendered configuration in tmp."""

    def __init__(self, tmp, upstream_port):
        self.tmp = tmp
        self.ports = {"https": dm.free_port(), "http": dm.free_port()}
        self.cert, key = make_cert(tmp)
        site = os.path.join(tmp, "attache.conf")
        h.write(site, render_site(self.ports, upstream_port, self.cert, key))
        self.conf = os.path.join(tmp, "nginx.conf")
        h.write(self.conf, main_conf(tmp, site))
        self.stderr_path = os.path.join(tmp, "nginx.stderr")
        self.proc = None
        self.ctx = ssl.create_default_context(cafile=self.cert)

    def cmd(self):
        c = [NGINX, "-p", self.tmp + "/", "-c", self.conf, "-g", "daemon off;"]
        help_text = subprocess.run([NGINX, "-h"], capture_output=True, text=True,
                                   stdin=subprocess.DEVNULL, timeout=h.scaled(30)).stderr
        if re.search(r"(?m)^\s*-e filename", help_text):  # nginx 1.19.5 and later
            c[1:1] = ["-e", os.path.join(self.tmp, "error.log")]
        return c

    def log(self):
        out = []
        for name in ("nginx.stderr", "error.log"):
            try:
                with open(os.path.join(self.tmp, name), encoding="utf-8",
                          errors="replace") as f:
                    out.append(f"--- {name}:\n{f.read()[-2500:]}")
            except FileNotFoundError:
                pass
        return "\n".join(out)

    def start(self):
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(self.cmd(), stdin=subprocess.DEVNULL, stdout=err,
                                         stderr=err)
        self.wait_ready()
        return self

    def connect(self):
        return http.client.HTTPSConnection("127.0.0.1", self.ports["https"], context=self.ctx,
                                           timeout=dm.IO_TIMEOUT)

    def wait_ready(self):
        """Poll GET /ready over TLS until it answers 200; fail with nginx's
        log when nginx exits first or the time is up."""
        deadline = time.monotonic() + NGINX_READY
        last = None
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"nginx exited with status {self.proc.returncode} "
                                     f"before answering:\n{self.log()}")
            conn = self.connect()
            try:
                conn.request("GET", "/ready")
                r = conn.getresponse()
                r.read()
                if r.status == 200:
                    return
                last = f"status {r.status}"
            except (OSError, http.client.HTTPException) as e:
                last = e
            finally:
                conn.close()
            if time.monotonic() > deadline:
                raise AssertionError(f"nginx not answering after {NGINX_READY} s ({last!r})"
                                     f":\n{self.log()}")
            time.sleep(0.02)

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGQUIT)  # finish the requests under way, then exit
        try:
            self.proc.wait(timeout=h.scaled(30))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=h.scaled(30))


@unittest.skipIf(skip_reason() is not None, skip_reason() or "")
class NginxProxyTest(unittest.TestCase):
    """attached with a token behind contrib/nginx-attache.conf."""

    @classmethod
    def setUpClass(cls):
        dm.skip_without_daemon()
        cls.tmp, _, cls.db = dm.small_index(cls)
        token_file = os.path.join(cls.tmp, "token")
        h.write(token_file, TOKEN + "\n")
        os.chmod(token_file, 0o600)
        cls.d = dm.start_daemon(cls, cls.db, "--token-file", token_file, http=True,
                                tmp=cls.tmp)
        ngx_tmp = os.path.join(cls.tmp, "nginx")
        os.mkdir(ngx_tmp)
        cls.ngx = Nginx(ngx_tmp, cls.d.http_port)
        cls.addClassCleanup(cls.ngx.stop)
        cls.ngx.start()

    def setUp(self):
        dm.check_alive(self, self.d)
        if self.ngx.proc.poll() is not None:
            self.fail(f"nginx exited (status {self.ngx.proc.returncode}):\n{self.ngx.log()}")
        self.conn = self.ngx.connect()
        self.addCleanup(self.conn.close)

    def request(self, method, path, body=None, headers=None, token=True, conn=None):
        """(status, headers as a dict with lower-case names, body bytes)."""
        hdrs = dict(headers or {})
        if token:
            hdrs["Authorization"] = f"Bearer {TOKEN}"
        conn = conn or self.conn
        conn.request(method, path, body=body, headers=hdrs)
        r = conn.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data

    def socket_search(self, **req):
        with self.d.connect() as c:  # the Unix socket needs no token
            return c.call(dict(req, op="search"))

    # -- the tests -------------------------------------------------------------

    def test_search_with_the_token_finds_what_the_socket_finds(self):
        want = self.socket_search(q=QUERY, limit=5)
        self.assertTrue(want["hits"], "the query finds nothing: a test that cannot fail")
        qs = urllib.parse.urlencode({"q": QUERY, "limit": 5})
        status, hdrs, body = self.request("GET", f"/search?{qs}")
        self.assertEqual(status, 200, body[:300])
        self.assertTrue(hdrs.get("content-type", "").startswith("application/json"), hdrs)
        got = json.loads(body)
        self.assertEqual([dm.hit_key(x) for x in got["hits"]],
                         [dm.hit_key(x) for x in want["hits"]])
        self.assertEqual(got["total"], want["total"])
        status, _, body = self.request("POST", "/search",
                                       body=json.dumps({"q": QUERY, "limit": 5}),
                                       headers={"Content-Type": "application/json"})
        self.assertEqual(status, 200, body[:300])
        self.assertEqual([dm.hit_key(x) for x in json.loads(body)["hits"]],
                         [dm.hit_key(x) for x in want["hits"]])

    def test_without_the_token_401(self):
        for token, headers in ((False, {}), (False, {"Authorization": "Bearer wrong-token"})):
            with self.subTest(headers=headers):
                status, hdrs, body = self.request("GET", "/search?q=trade", token=token,
                                                  headers=headers)
                self.assertEqual(status, 401, body[:300])
                self.assertIn("Bearer", hdrs.get("www-authenticate", ""))
                self.assertEqual(dm.error_code(json.loads(body)), "unauthorized")

    def test_ready_is_open(self):
        status, _, body = self.request("GET", "/ready", token=False)
        self.assertEqual(status, 200, body[:300])
        self.assertEqual(json.loads(body).get("status"), "ok")

    def test_gzip_passes_through(self):
        qs = urllib.parse.urlencode({"q": QUERY, "limit": 10})
        status, hdrs, plain = self.request("GET", f"/search?{qs}")
        self.assertEqual(status, 200)
        self.assertGreaterEqual(len(plain), 860, "too small a response to be compressed")
        self.assertNotIn("content-encoding", hdrs)
        status, hdrs, packed = self.request("GET", f"/search?{qs}",
                                            headers={"Accept-Encoding": "gzip"})
        self.assertEqual(status, 200)
        self.assertEqual(hdrs.get("content-encoding"), "gzip", hdrs)
        self.assertLess(len(packed), len(plain))
        a, b = json.loads(gzip.decompress(packed)), json.loads(plain)
        a.pop("took_us", None)
        b.pop("took_us", None)
        self.assertEqual(a, b)

    def test_attached_headers_and_hsts_reach_the_client(self):
        status, hdrs, _ = self.request("GET", "/stats")
        self.assertEqual(status, 200)
        self.assertIn("default-src 'none'", hdrs.get("content-security-policy", ""))
        self.assertEqual(hdrs.get("x-content-type-options"), "nosniff")
        self.assertEqual(hdrs.get("cache-control"), "no-store")
        self.assertIn("max-age=", hdrs.get("strict-transport-security", ""))

    def test_upstream_connections_are_kept_alive(self):
        with self.d.connect() as c:
            before = c.call({"op": "stats"})["connections"]["total"]
            for i in range(6):
                status, _, body = self.request("GET", f"/search?q=trade&limit=1&id={i}")
                self.assertEqual(status, 200, body[:300])
            after = c.call({"op": "stats"})["connections"]["total"]
        self.assertLessEqual(after - before, 1,
                             "nginx opened a connection to attached for each request")

    def test_body_limit_is_attacheds_max_line(self):
        # nginx's client_max_body_size lets through what --max-line (65536
        # by default) allows, and no more.
        req = json.dumps({"q": "trade", "limit": 1})
        for size, want in ((MAX_LINE, 200), (MAX_LINE + 1, 413)):
            with self.subTest(size=size):
                status, _, body = self.request("POST", "/search",
                                               body=req + " " * (size - len(req)),
                                               headers={"Content-Type": "application/json"})
                self.assertEqual(status, want, body[:300])

    def test_plain_http_redirects_to_https(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.ngx.ports["http"],
                                          timeout=dm.IO_TIMEOUT)
        self.addCleanup(conn.close)
        status, hdrs, _ = self.request("GET", "/search?q=trade", token=False, conn=conn)
        self.assertEqual(status, 301)
        self.assertTrue(hdrs.get("location", "").startswith("https://"), hdrs)

    def test_login_cookie_is_secure_behind_tls(self):
        if not os.path.exists(WEB_C):
            self.skipTest("daemon/web.c (the search page and its /login) is not built in")
        form = urllib.parse.urlencode({"token": TOKEN, "next": "/"})
        status, hdrs, body = self.request(
            "POST", "/login", body=form, token=False,
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 303, body[:300])
        cookie = hdrs.get("set-cookie", "")
        attrs = [a.strip().lower() for a in cookie.split(";")]
        self.assertIn("secure", attrs, cookie)
        self.assertIn("httponly", attrs, cookie)
        pair = cookie.split(";")[0]
        status, _, body = self.request("GET", "/search?q=trade", token=False,
                                       headers={"Cookie": pair})
        self.assertEqual(status, 200, body[:300])


if __name__ == "__main__":
    unittest.main()
