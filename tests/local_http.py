"""A local HTTP server on 127.0.0.1 for the connector tests (never anything but loopback).

Routes: a PDF, HTML pages, a slow page, a page dripped a byte at a time, redirects (a loop, and
to any ``?to=`` URL), a page whose gzip encoding is broken, a 404, a PDF URL served as HTML, an
oversized PDF (with and without Content-Length), a flaky PDF (503 once), a CSV that breaks off
half-way once (then serves ``Range`` requests), a page with ETag support (304), and a fake UN
Digital Library record page linking to dated voting CSVs. Every request is logged with its headers.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

SLOW_SECONDS = 1.5
DRIP_SECONDS = 0.05
BIG_BYTES = 200_000
VOTES_CSV = ("undl_id,ms_code,ms_name,ms_vote,date,session,resolution,title\n"
             + "".join(f"{1000 + i},{code},{name},{vote},2018-12-05,73,A/RES/73/27,"
                       "Developments in the field of ICTs\n"
                       for i, (code, name, vote) in enumerate(
                           [("USA", "UNITED STATES", "N"), ("RUS", "RUSSIAN FEDERATION", "Y"),
                            ("KEN", "KENYA", "Y"), ("CHL", "CHILE", "A")]))).encode()
HALFWAY_CSV = b"".join(f"row {i},value {i * i}\n".encode() for i in range(4000))


def make_pdf(text: str) -> bytes:
    """A small valid one-page PDF holding ``text`` (fpdf2)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def html_page(title: str, body: str) -> bytes:
    return (f"<!doctype html><html><head><title>{title}</title></head><body>"
            f"<h1>{title}</h1><p>{body}</p></body></html>").encode()


PDF_TEXT = ("Statement by Kenya. Capacity building is the first priority of developing states "
            "in this working group, and the points of contact directory must be used.")
FLAKY_TEXT = ("Statement by Ghana. Critical infrastructure such as hospitals and undersea "
              "cables must never be the target of malicious ICT activity.")


@dataclass
class ServerState:
    """What the server has seen: requests (path, headers) and per-path counts."""

    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def paths(self) -> list[str]:
        with self.lock:
            return [p for p, _ in self.requests]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str, *, etag: str = "",
              length: bool = True, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Accept-Ranges", "bytes")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _ranged(self, body: bytes, content_type: str, etag: str) -> None:
        """Serve ``body``, honouring ``Range: bytes=N-`` (with ``If-Range``)."""
        wanted = self.headers.get("Range", "")
        if_range = self.headers.get("If-Range", "")
        if wanted.startswith("bytes=") and (not if_range or if_range == etag):
            start = int(wanted.removeprefix("bytes=").split("-")[0])
            if start >= len(body):
                self._send(416, b"", "text/plain", extra={"Content-Range": f"bytes */{len(body)}"})
                return
            self._send(206, body[start:], content_type, etag=etag,
                       extra={"Content-Range": f"bytes {start}-{len(body) - 1}/{len(body)}"})
            return
        self._send(200, body, content_type, etag=etag)

    def do_GET(self) -> None:
        state = self.server.state
        path = urlsplit(self.path).path
        with state.lock:
            state.requests.append((path, dict(self.headers.items())))
            state.counts[path] += 1
            count = state.counts[path]
        pdf, html = self.server.pdf, "text/html; charset=utf-8"
        if path == "/docs/statement.pdf":
            self._ranged(pdf, "application/pdf", '"pdf-v1"')
        elif path == "/docs/octet.pdf":
            self._send(200, pdf, "application/octet-stream")
        elif path == "/docs/fake.pdf":
            self._send(200, b"this is not a pdf at all", "application/octet-stream")
        elif path in ("/docs/page", "/docs/page.html"):
            self._send(200, html_page("Statement by Chile", "Chile supports a Programme of "
                                      "Action and meaningful stakeholder participation."), html)
        elif path == "/docs/report.html":
            self._send(200, html_page("Annual progress report", "States agreed on the points "
                                      "of contact directory and on capacity-building "
                                      "principles."), html)
        elif path == "/slow.html":
            time.sleep(SLOW_SECONDS)
            self._send(200, html_page("Slow statement", "Peru speaks slowly about ransomware "
                                      "and health infrastructure."), html)
        elif path == "/wrong.pdf":
            self._send(200, html_page("Login", "Please sign in to read this document."), html)
        elif path == "/big.pdf":
            self._send(200, b"%PDF-" + b"0" * BIG_BYTES, "application/pdf")
        elif path == "/big-stream.pdf":
            self._send(200, b"%PDF-" + b"0" * BIG_BYTES, "application/pdf", length=False)
        elif path == "/flaky.pdf":
            if count == 1:
                self._send(503, b"busy", "text/plain")
            else:
                self._send(200, self.server.flaky_pdf, "application/pdf")
        elif path == "/halfway.csv":
            if count == 1:  # promise the whole file, send half, hang up
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.send_header("ETag", '"csv-v1"')
                self.send_header("Content-Length", str(len(HALFWAY_CSV)))
                self.end_headers()
                self.wfile.write(HALFWAY_CSV[: len(HALFWAY_CSV) // 2])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self._ranged(HALFWAY_CSV, "text/csv", '"csv-v1"')
        elif path == "/etag.html":
            if self.headers.get("If-None-Match") == '"page-v1"':
                self._send(304, b"", html, etag='"page-v1"', length=False)
                return
            self._send(200, html_page("Versioned", "A page that has an entity tag and does "
                                      "not change."), html, etag='"page-v1"')
        elif path == "/votes/record":
            links = "".join(f'<a href="{h}">{h}</a>' for h in (
                "/votes/files/2024_1_5_ga_voting.csv?ln=en", "/votes/files/readme.pdf",
                "/votes/files/2025_9_19_ga_voting.csv?ln=en",
                "/votes/files/2025_11_25_sc_voting.csv?ln=en"))
            self._send(200, f"<html><body><h1>GA voting data</h1>{links}</body></html>".encode(),
                       html)
        elif path.startswith("/votes/files/") and path.endswith(".csv"):
            self._ranged(VOTES_CSV, "text/csv; charset=utf-8", '"votes-v1"')
        elif path == "/redirect-loop":
            self._send(302, b"", "text/plain", extra={"Location": "/redirect-loop"})
        elif path == "/redirect":
            target = parse_qs(urlsplit(self.path).query).get("to", ["/"])[0]
            self._send(302, b"", "text/plain", extra={"Location": target})
        elif path == "/bad-gzip.html":
            self._send(200, b"this is not gzip data at all", html,
                       extra={"Content-Encoding": "gzip"})
        elif path == "/drip.html":  # one byte at a time, each well within any read timeout
            body = html_page("Drip", "x" * 400)
            self.send_response(200)
            self.send_header("Content-Type", html)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for byte in body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(DRIP_SECONDS)
        elif path == "/votes/empty-record":
            self._send(202, b"<html><body>checking your browser</body></html>", html)
        else:
            self._send(404, b"not found", "text/plain")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: ServerState
    pdf: bytes
    flaky_pdf: bytes

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that time out and hang up are expected here


class LocalServer:
    """Context manager running the server in a thread; ``url(path)`` builds loopback URLs."""

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = ServerState()
        self._server.pdf = make_pdf(PDF_TEXT)
        self._server.flaky_pdf = make_pdf(FLAKY_TEXT)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def state(self) -> ServerState:
        return self._server.state

    @property
    def pdf(self) -> bytes:
        return self._server.pdf

    def url(self, path: str) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def closed_port_url(path: str = "/x.pdf") -> str:
    """A loopback URL on a port nobody listens on (connection refused: 'offline')."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"
