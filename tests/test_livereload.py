"""The preview's web server in-process, on a hand-made site folder."""

from __future__ import annotations

import http.client
import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pumpsite.livereload import POLL_PATH, LiveSite, PreviewServer, Snapshot, inject
from tests.serve_process import wait_until

BANNER = '<div id="b">PROBLEMS</div>'


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "sub").mkdir(parents=True)
    (site / "index.html").write_text("<html><body><h1>Home</h1></body></html>")
    (site / "sub" / "index.html").write_text("<html><body><h1>Sub</h1></body></html>")
    (site / "404.html").write_text("<html><body><h1>Lost</h1></body></html>")
    (site / "style.css").write_text("body { color: red; }")
    (tmp_path / "secret.txt").write_text("not for the web")
    return site


@pytest.fixture
def live() -> Iterator[tuple[LiveSite, PreviewServer]]:
    site = LiveSite("<div>Building</div>")
    server = PreviewServer("127.0.0.1", 0, site)
    server.start()
    try:
        yield site, server
    finally:
        server.shutdown()
        server.server_close()


def get(server: PreviewServer, path: str, method: str = "GET") -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=30)
    connection.request(method, path)  # sent as written: no client-side normalisation
    return connection.getresponse()


def test_the_banner_goes_at_the_top_of_the_body_and_the_script_at_the_end() -> None:
    page = b'<html><body class="x"><p>content</p></body></html>'
    served = inject(page, Snapshot(None, "<div>BANNER</div>", 42)).decode()
    assert '<body class="x"><div>BANNER</div><p>content' in served
    assert served.index("var epoch = 42;") < served.index("</body>")
    assert "BANNER" in inject(b"no body at all", Snapshot(None, "BANNER", 1)).decode()


def test_before_the_first_good_build_every_page_says_why(
    live: tuple[LiveSite, PreviewServer],
) -> None:
    site, server = live
    response = get(server, "/measures/x/")
    assert response.status == 503 and b"Building" in response.read()
    site.publish(None, BANNER)
    assert b"PROBLEMS" in get(server, "/").read()


def test_pages_get_the_banner_and_other_files_are_served_as_they_are(
    live: tuple[LiveSite, PreviewServer], site_dir: Path
) -> None:
    site, server = live
    site.publish(site_dir, BANNER)
    home = get(server, "/")
    assert home.status == 200 and home.getheader("Content-Type") == "text/html; charset=utf-8"
    assert home.getheader("Cache-Control") == "no-store"
    html = home.read().decode()
    assert f"<body>{BANNER}<h1>Home</h1>" in html and POLL_PATH in html
    assert get(server, "/style.css").read() == b"body { color: red; }"
    head = get(server, "/sub/", method="HEAD")
    assert head.status == 200 and head.read() == b""


def test_folders_redirect_and_missing_pages_get_the_sites_404(
    live: tuple[LiveSite, PreviewServer], site_dir: Path
) -> None:
    site, server = live
    site.publish(site_dir, BANNER)
    folder = get(server, "/sub")
    assert folder.status == 301 and folder.getheader("Location") == "/sub/"
    missing = get(server, "/no/such/page/")
    assert missing.status == 404 and b"Lost" in (body := missing.read()) and b"PROBLEMS" in body
    for escape in ("/../secret.txt", "/%2e%2e/secret.txt", "/sub/../../secret.txt"):
        response = get(server, escape)
        assert response.status == 404 and b"not for the web" not in response.read(), escape


def test_a_reload_poll_answers_when_something_newer_is_published(
    live: tuple[LiveSite, PreviewServer], site_dir: Path
) -> None:
    site, server = live
    seen = site.snapshot.epoch
    stale = get(server, f"{POLL_PATH}?epoch={seen - 1}")
    assert int(stale.read()) == seen, "an older page hears at once that it is out of date"
    publisher = threading.Timer(0.2, site.publish, args=(site_dir, ""))
    publisher.start()
    answer = int(get(server, f"{POLL_PATH}?epoch={seen}").read())
    publisher.join()
    assert answer == site.snapshot.epoch > seen
    server.poll_timeout = 0.1
    assert int(get(server, f"{POLL_PATH}?epoch={answer}").read()) == answer, "nothing new"


def test_a_browser_leaving_while_it_waits_is_not_reported_as_an_error(
    live: tuple[LiveSite, PreviewServer], capsys: pytest.CaptureFixture[str]
) -> None:
    site, server = live
    waiting = site._changed._waiters  # type: ignore[attr-defined]  # the polls held open
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", server.server_address[1])) as browser:
            poll = f"GET {POLL_PATH}?epoch={site.snapshot.epoch} HTTP/1.1\r\nHost: x\r\n\r\n"
            browser.sendall(poll.encode())
            wait_until(lambda: len(waiting) > 0, "the poll to be held open")
            # Reset, not a polite close: what a tab that goes away mid-request often sends.
            browser.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        site.publish(None, "x" * 100_000)
        wait_until(lambda: len(waiting) == 0, "the poll to be answered")
    wait_until(lambda: not any("process_request" in t.name for t in threading.enumerate()), "")
    assert "Traceback" not in capsys.readouterr().err
