"""A small HTTP/1.1 client for the black-box tests of attached's HTTP
front, over a raw socket: the tests need to send what a well-behaved
library will not (two Content-Lengths, a head dripped a byte at a time,
pipelined requests) and to read every response byte for byte. Every
socket call has a time-out, so a silent daemon fails a test."""
import gzip
import json
import socket

import daemon as dm


class Response:
    def __init__(self, status, reason, version, headers, body):
        self.status, self.reason, self.version = status, reason, version
        self.headers = headers          # [(name lower-cased, value)]
        self.body = body

    def header(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k == name:
                return v
        return None

    def all(self, name):
        return [v for k, v in self.headers if k == name.lower()]

    def text(self):
        body = self.body
        if self.header("content-encoding") == "gzip":
            body = gzip.decompress(body)
        return body.decode("utf-8")

    def json(self):
        return json.loads(self.text())


class Conn:
    """One connection to host:port; responses are read in order."""

    def __init__(self, host, port, timeout=dm.IO_TIMEOUT):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = bytearray()
        self.eof = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            self.eof = True
            raise dm.Closed("the daemon closed the connection")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        i = self.buf.index(b"\r\n")
        line = bytes(self.buf[:i])
        del self.buf[:i + 2]
        return line.decode("latin-1")

    def read_response(self, head_only=False):
        """The next response (100 Continue is returned like any other)."""
        status_line = self._line()
        version, status, reason = (status_line.split(" ", 2) + [""])[:3]
        headers = []
        while True:
            line = self._line()
            if line == "":
                break
            k, _, v = line.partition(":")
            headers.append((k.strip().lower(), v.strip()))
        r = Response(int(status), reason, version, headers, b"")
        n = int(r.header("content-length") or 0) if not head_only and status != "100" else 0
        while len(self.buf) < n:
            self._fill()
        r.body = bytes(self.buf[:n])
        del self.buf[:n]
        return r

    def request(self, method, path, body=None, headers=None, version="1.1"):
        self.send(encode(method, path, body, headers, version))
        return self.read_response(head_only=method == "HEAD")

    def wait_eof(self, timeout):
        """True when the daemon closes the connection within timeout
        (bytes that come first are kept in self.buf)."""
        self.sock.settimeout(timeout)
        try:
            while True:
                self._fill()
        except dm.Closed:
            return True
        except (socket.timeout, TimeoutError, BlockingIOError):
            return False
        except ConnectionResetError:
            return True


def encode(method, path, body=None, headers=None, version="1.1"):
    """The bytes of one request; body may be a dict (sent as JSON)."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    elif isinstance(body, str):
        body = body.encode()
    hs = {"Host": "localhost"}
    if body is not None:
        hs["Content-Length"] = str(len(body))
    hs.update(headers or {})
    head = f"{method} {path} HTTP/{version}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in hs.items() if v is not None) + "\r\n"
    return head.encode() + (body or b"")


def call(d, method, path, body=None, headers=None, version="1.1"):
    """One request on a new connection to daemon d's HTTP port."""
    with Conn(d.host, d.http_port) as c:
        return c.request(method, path, body, headers, version)
