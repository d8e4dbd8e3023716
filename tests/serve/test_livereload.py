"""The preview's web server in-process, on a hand-made site folder."""

from __future__ import annotations

import http.client
import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pumpsite.serve.livereload import (
    MAX_CONNECTIONS,
    POLL_PATH,
    AllowedHosts,
    LiveSite,
    PreviewServer,
    Snapshot,
    inject,
)
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
            poll = (
                f"GET {POLL_PATH}?epoch={site.snapshot.epoch} HTTP/1.1\r\nHost: localhost\r\n\r\n"
            )
            browser.sendall(poll.encode())
            wait_until(lambda: len(waiting) > 0, "the poll to be held open")
            # Reset, not a polite close: what a tab that goes away mid-request often sends.
            browser.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        site.publish(None, "x" * 100_000)
        wait_until(lambda: len(waiting) == 0, "the poll to be answered")
    wait_until(lambda: not any("process_request" in t.name for t in threading.enumerate()), "")
    assert "Traceback" not in capsys.readouterr().err


# --- what a hostile page, link or client can do (issue 10) ---------------------------------------


def raw(server: PreviewServer, request: str, timeout: float = 30) -> bytes:
    """Send `request` as it is and read the answer until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout) as client:
        client.sendall(request.encode())
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk
    return answer


def head_of(answer: bytes) -> list[str]:
    return answer.split(b"\r\n\r\n", 1)[0].decode().splitlines()


@pytest.mark.parametrize(
    "path",
    [
        "/%2Fevil.example%2F..%2Fsub",
        "/%2F%2Fevil.example%2F..%2Fsub",
        "//evil.example/%2e%2e/sub",
        "/%5Cevil.example%2F..%2Fsub",
        "/%2Fevil.example%2F..",
    ],
)
def test_a_redirect_never_leaves_the_server(
    live: tuple[LiveSite, PreviewServer], site_dir: Path, path: str
) -> None:
    """/%2Fevil.example%2F..%2Fsub redirected to //evil.example/../sub/, another host."""
    site, server = live
    site.publish(site_dir, BANNER)
    response = get(server, path)
    location = response.getheader("Location")
    if path.endswith(".."):
        assert response.status == 200 and location is None  # the home page itself
    else:
        assert response.status == 301 and location == "/sub/"


def test_a_name_too_long_for_the_file_system_is_not_found(
    live: tuple[LiveSite, PreviewServer], site_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site, server = live
    site.publish(site_dir, BANNER)
    for path in ("/" + "a" * 300, "/sub/" + "%C3%A9" * 200, "/" + "b" * 256 + "/", "/a%00b"):
        response = get(server, path)
        assert response.status == 404 and b"Lost" in response.read(), path
    assert get(server, "/sub/").status == 200
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("host", "answered"),
    [
        ("127.0.0.1:8000", True),
        ("localhost:8000", True),
        ("LOCALHOST.", True),
        ("[::1]:8000", True),
        ("127.0.0.2", True),
        ("evil.example:8000", False),
        ("127.0.0.1.nip.io:8000", False),
        ("localhost.evil.example", False),
        ("localhost@evil.example", False),
        ("192.168.1.20:8000", False),
        ("", False),
        (None, False),
    ],
)
def test_on_loopback_only_loopback_names_are_answered(
    live: tuple[LiveSite, PreviewServer], site_dir: Path, host: str | None, answered: bool
) -> None:
    """DNS rebinding: a page on evil.example, once the name points at 127.0.0.1, read the
    preview; a request that calls the server by another name now gets no page, no poll."""
    site, server = live
    site.publish(site_dir, BANNER)
    header = "" if host is None else f"Host: {host}\r\n"
    for path in ("/", f"{POLL_PATH}?epoch=0"):
        answer = raw(server, f"GET {path} HTTP/1.1\r\n{header}Connection: close\r\n\r\n")
        status = head_of(answer)[0]
        if answered:
            assert status == "HTTP/1.1 200 OK", (host, path)
        else:
            assert status == "HTTP/1.1 403 Forbidden", (host, path)
            assert b"Home" not in answer and b"--dev-addr NAME:PORT" in answer


def test_on_a_network_address_names_of_this_computer_and_addresses_are_answered() -> None:
    own = socket.gethostname()
    for bound in ("0.0.0.0", "::", "192.168.1.20"):
        hosts = AllowedHosts.for_address(bound)
        for host in ("192.168.1.20:8000", "[fe80::1]:8000", "localhost", own, f"{own}.local"):
            assert hosts.accepts(host), (bound, host)
        assert not hosts.accepts("evil.example") and not hosts.accepts(None)
    named = AllowedHosts.for_address("measures.lan")
    assert named.accepts("measures.lan:8000") and named.accepts("10.0.0.5")
    assert not named.accepts("evil.example:8000")


@pytest.mark.slow
def test_silent_connections_are_closed_but_a_reload_poll_is_held_open(
    live: tuple[LiveSite, PreviewServer], site_dir: Path
) -> None:
    site, server = live
    server.idle_timeout = 0.3
    port = server.server_address[1]
    silent = socket.create_connection(("127.0.0.1", port), timeout=30)
    halfway = socket.create_connection(("127.0.0.1", port), timeout=30)
    halfway.sendall(b"GET / HTTP/1.1\r\nHost: local")  # a request that never ends
    started = time.monotonic()
    assert silent.recv(100) == b"" and halfway.recv(100) == b"", "closed by the server"
    assert time.monotonic() - started < 10
    silent.close()
    halfway.close()
    seen = site.snapshot.epoch
    publisher = threading.Timer(1.0, site.publish, args=(site_dir, ""))
    publisher.start()
    answer = int(get(server, f"{POLL_PATH}?epoch={seen}").read())  # held past idle_timeout
    publisher.join()
    assert answer == site.snapshot.epoch > seen


def test_connections_beyond_the_limit_are_turned_away_and_stopping_waits_for_none(
    site_dir: Path,
) -> None:
    site = LiveSite("")
    site.publish(site_dir, "")
    server = PreviewServer("127.0.0.1", 0, site)
    server.start()
    waiting = site._changed._waiters  # type: ignore[attr-defined]  # the polls held open
    poll = f"GET {POLL_PATH}?epoch={{}} HTTP/1.1\r\nHost: localhost\r\n\r\n"
    held = []
    try:
        for _ in range(MAX_CONNECTIONS):  # each one a thread, waiting for news
            held.append(socket.create_connection(("127.0.0.1", server.server_address[1]), 30))
            held[-1].sendall(poll.format(site.snapshot.epoch).encode())
        wait_until(lambda: len(waiting) == MAX_CONNECTIONS, "every poll to be held open")
        turned_away = head_of(raw(server, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"))
        assert (
            turned_away[0] == "HTTP/1.1 503 Service Unavailable" and "Retry-After: 1" in turned_away
        )
        site.publish(site_dir, "")  # news: every poll is answered and its slot freed
        for connection in held:
            assert b"200 OK" in connection.recv(100)
            connection.close()  # a browser would keep it for IDLE_TIMEOUT: the slot stays taken
        wait_until(lambda: get(server, "/").status == 200, "the slots to be freed")
        held.append(socket.create_connection(("127.0.0.1", server.server_address[1]), 30))
        held[-1].sendall(poll.format(site.snapshot.epoch).encode())
        wait_until(lambda: len(waiting) == 1, "a poll held open")
        started = time.monotonic()
        server.shutdown()
        server.server_close()
        assert time.monotonic() - started < 5, "no wait for the open connections"
    finally:
        for connection in held:
            connection.close()
