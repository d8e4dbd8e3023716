"""The preview's web server: serves the last good build, puts a banner with the current problems
on every page, and tells open pages to reload when a new build (or new problems) is published.

Why not mkdocs' `LiveReloadServer`: it polls the disk every 0.5 s (half the 1 s budget from
save to reloaded page), has no place for a banner, and driving it from our own watcher would
mean setting its private attributes. The standard library's threading HTTP server and a
long-polled URL are enough, and let each build go into a fresh folder that is switched to in
one step, so a page is never served from a half-written site.

What a web page or another computer can do with the server is bounded: requests must name the
server by a name of its own (`AllowedHosts`, against DNS rebinding), a redirect never leaves the
server, a connection silent for `IDLE_TIMEOUT` is closed, and at most `MAX_CONNECTIONS` are
served at once (each has a thread; more are told to come back).
"""

from __future__ import annotations

import contextlib
import ipaddress
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
from typing import Any

POLL_PATH = "/__pumpsite__/livereload"
POLL_TIMEOUT = 30.0  # seconds a reload poll is held open when nothing changes
IDLE_TIMEOUT = 10.0  # seconds a connection may stay silent, between requests or within one
MAX_CONNECTIONS = 64  # served at once; an open tab holds one for its reload poll

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


def locate(site_dir: Path, url_path: str) -> tuple[Path, str | None]:
    """The file a URL path names inside the site, never outside it; and, when the path names a
    folder without its final '/', the address to redirect to: always a path on this server."""
    relative = posixpath.normpath("/" + url_path).lstrip("/")
    if relative in ("", "."):
        return site_dir / "index.html", None
    path = site_dir / relative
    if url_path.endswith("/"):
        return path / "index.html", None
    if _is_dir(path):
        return path, "/" + urllib.parse.quote(relative) + "/"
    return path, None


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a name too long for the file system
        return False


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (OSError, ValueError):  # missing, a folder, too long a name, a NUL byte
        return None


_HOST = re.compile(r"(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9._-]+))(?::\d{1,5})?")


def _address(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class AllowedHosts:
    """The names a request may call the server by (its Host header). Against DNS rebinding: a
    web page the reviewer visits, on a name its owner then points at 127.0.0.1, would otherwise
    read the preview. An IP address cannot be rebound, so only names are restricted."""

    names: frozenset[str]
    any_address: bool  # on a network address: any IP, clients may use any of this computer's

    @classmethod
    def for_address(cls, host: str) -> AllowedHosts:
        bound = host.lower().rstrip(".")
        address = _address(bound)
        if bound == "localhost" or (address is not None and address.is_loopback):
            return cls(frozenset({"localhost", bound}), any_address=False)
        own = socket.gethostname().lower()
        return cls(frozenset({"localhost", bound, own, f"{own}.local"}), any_address=True)

    def accepts(self, header: str | None) -> bool:
        match = _HOST.fullmatch(header or "")
        if match is None:
            return False
        name = (match["ipv6"] or match["name"]).lower().rstrip(".")
        address = _address(name)
        if address is not None:
            return self.any_address or address.is_loopback
        return name in self.names


_WRONG_HOST = (
    b"pumpsite serve answers only requests that call it localhost, by its IP address, or by the "
    b"name given with --dev-addr NAME:PORT.\n"
)
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n"
    b"Connection: close\r\n\r\n"
)


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

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.idle_timeout)  # reads and writes alike

    def _respond(self, *, send_body: bool) -> None:
        if not self.server.hosts.accepts(self.headers.get("Host")):
            self._send(HTTPStatus.FORBIDDEN, _WRONG_HOST, "text/plain; charset=utf-8", send_body)
            return
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        if path == POLL_PATH:
            self._poll(urllib.parse.parse_qs(url.query), send_body)
            return
        snapshot = self.server.site.snapshot
        if snapshot.site_dir is None:
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, placeholder_page(snapshot), _HTML, send_body)
            return
        file, folder = locate(snapshot.site_dir, path)
        if folder is not None:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", folder)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, content = HTTPStatus.OK, _read(file)
        if content is None:  # also when replaced by a newer build since
            status, file = HTTPStatus.NOT_FOUND, snapshot.site_dir / "404.html"
            content = _read(file) or b"<h1>Not found</h1>"
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
    block_on_close = False  # stopping waits for no reload poll nor idle browser connection
    request_queue_size = MAX_CONNECTIONS  # a page opening many connections at once waits less

    def __init__(self, host: str, port: int, site: LiveSite) -> None:
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.host, self.site = host, site
        self.hosts = AllowedHosts.for_address(host)
        self.poll_timeout, self.idle_timeout = POLL_TIMEOUT, IDLE_TIMEOUT
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__((host, port), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve the connection in a thread of its own, unless MAX_CONNECTIONS are served."""
        if not self._slots.acquire(blocking=False):
            with contextlib.suppress(OSError):
                request.sendall(_BUSY)  # the page's reload script tries again a second later
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:  # no thread started: the slot is free again
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: object, client_address: object) -> None:
        """A browser that went away (a tab closed or reloaded while it waited) or stayed silent
        too long is no error."""
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]

    @property
    def url(self) -> str:
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{shown}:{self.server_address[1]}/"

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="pumpsite-http", daemon=True)
        thread.start()
        return thread
