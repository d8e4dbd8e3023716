"""The preview's web server: serves the last good build, puts a banner with the current problems
on every page, and tells open pages to reload when a new build (or new problems) is published.

Why not mkdocs' `LiveReloadServer`: it polls the disk every 0.5 s (half the 1 s budget from
save to reloaded page), has no place for a banner, and driving it from our own watcher would
mean setting its private attributes. The standard library's threading HTTP server and a
long-polled URL are enough, and let each build go into a fresh folder that is switched to in
one step, so a page is never served from a half-written site.
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
import socket
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

POLL_PATH = "/__pumpsite__/livereload"
POLL_TIMEOUT = 30.0  # seconds a reload poll is held open when nothing changes

# Asks the server, held open until something changes, for the newest build; reloads when it is
# newer than the one this page came from. Retries quietly while the server is away.
_SCRIPT = """<script>
(function () {
  var epoch = %d;
  function poll() {
    fetch("%s?epoch=" + epoch, {cache: "no-store"})
      .then(function (r) { if (!r.ok) { throw r; } return r.text(); })
      .then(function (t) { if (Number(t) > epoch) { location.reload(); } else { poll(); } })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
</script>"""

_HTML = "text/html; charset=utf-8"
_BODY_TAG = re.compile(rb"<body[^>]*>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the server shows: a built site (None before the first good build) and a banner."""

    site_dir: Path | None
    banner: str  # HTML put at the top of every page; "" when there is nothing to say
    epoch: int  # grows with every publication; pages reload when it passes theirs


def _epoch_after(previous: int) -> int:
    # Milliseconds of wall-clock time, so a restarted server is newer than the pages still open.
    return max(previous + 1, time.time_ns() // 1_000_000)


class LiveSite:
    """The current snapshot: the builder publishes, request threads read and wait for news."""

    def __init__(self, banner: str) -> None:
        self._changed = threading.Condition()
        self._snapshot = Snapshot(None, banner, _epoch_after(0))

    @property
    def snapshot(self) -> Snapshot:
        with self._changed:
            return self._snapshot

    def publish(self, site_dir: Path | None, banner: str) -> None:
        with self._changed:
            epoch = _epoch_after(self._snapshot.epoch)
            self._snapshot = Snapshot(site_dir, banner, epoch)
            self._changed.notify_all()

    def wait_newer(self, epoch: int, timeout: float) -> int:
        with self._changed:
            self._changed.wait_for(lambda: self._snapshot.epoch > epoch, timeout)
            return self._snapshot.epoch


def inject(html: bytes, snapshot: Snapshot) -> bytes:
    """The page with the banner at the top of its body and the reload script at the end."""
    script = (_SCRIPT % (snapshot.epoch, POLL_PATH)).encode()
    end = html.lower().rfind(b"</body>")
    if end < 0:
        end = len(html)
    html = html[:end] + script + html[end:]
    body = _BODY_TAG.search(html)
    start = body.end() if body else 0
    return html[:start] + snapshot.banner.encode() + html[start:]


def placeholder_page(snapshot: Snapshot) -> bytes:
    """The page for every address while there is no good build yet."""
    head = '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    head += "<title>pumpsite serve</title></head><body></body></html>"
    return inject(head.encode(), snapshot)


def _file_for(site_dir: Path, url_path: str) -> Path:
    """The file a URL path names inside the site; never outside it."""
    relative = posixpath.normpath("/" + url_path).lstrip("/")
    path = site_dir / relative if relative not in ("", ".") else site_dir
    return path / "index.html" if url_path.endswith("/") or path == site_dir else path


def _content_type(path: Path) -> str:
    kind, _ = mimetypes.guess_type(path.name)
    if kind is None:
        return "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") else kind


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the terminal is for problems and rebuilds, not for every request."""

    def _respond(self, *, send_body: bool) -> None:
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        if path == POLL_PATH:
            self._poll(urllib.parse.parse_qs(url.query), send_body)
            return
        snapshot = self.server.site.snapshot
        if snapshot.site_dir is None:
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, placeholder_page(snapshot), _HTML, send_body)
            return
        file = _file_for(snapshot.site_dir, path)
        if file.is_dir():
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", urllib.parse.quote(path + "/"))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = HTTPStatus.OK
        if not file.is_file():
            status, file = HTTPStatus.NOT_FOUND, snapshot.site_dir / "404.html"
        try:
            content = file.read_bytes()
        except OSError:  # no 404.html, or replaced by a newer build since the check
            status, file, content = HTTPStatus.NOT_FOUND, Path("404.html"), b"<h1>Not found</h1>"
        if file.suffix == ".html":
            content = inject(content, snapshot)
        self._send(status, content, _content_type(file), send_body)

    def _poll(self, query: dict[str, list[str]], send_body: bool) -> None:
        try:
            epoch = int(query.get("epoch", ["0"])[0])
        except ValueError:
            epoch = 0
        newest = self.server.site.wait_newer(epoch, self.server.poll_timeout)
        self._send(HTTPStatus.OK, str(newest).encode(), "text/plain", send_body)

    def _send(self, status: HTTPStatus, content: bytes, kind: str, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(content)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send_body:
            self.wfile.write(content)


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, port: int, site: LiveSite) -> None:
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.host, self.site = host, site
        self.poll_timeout = POLL_TIMEOUT
        super().__init__((host, port), _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A browser that went away (a tab closed or reloaded while it waited) is no error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]

    @property
    def url(self) -> str:
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{shown}:{self.server_address[1]}/"

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="pumpsite-http", daemon=True)
        thread.start()
        return thread
