"""`pumpsite serve` for real: a subprocess serving a copy of the example over HTTP, files edited
on disk, and the served pages (and, in a browser, the open page) following the edits."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from pumpsite.build.run import BuildResult
from pumpsite.checks.inspection import inspect
from pumpsite.serve import run as serve_module
from pumpsite.serve.livereload import LiveSite
from pumpsite.serve.run import Outcome, Preview, banner, parse_address
from tests.browser import chromium, playwright
from tests.example_site import TODAY, copy_example
from tests.serve_process import (
    BANNER,
    CHURN_CSV,
    CHURN_PAGE,
    DEADLINE,
    ServeProcess,
    local_only,
    set_last_value,
    wait_until,
)

CHURN_MD = "measures/customers/customer-churn.md"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "repo")


@pytest.fixture
def server(example: Path) -> Iterator[ServeProcess]:
    process = ServeProcess(example, "--dev-addr", ":0")
    try:
        wait_until(lambda: process.count("Built the site"), "the first build")
        yield process
    finally:
        assert process.stop() == 0, process.output
    assert "Traceback" not in process.output, process.output


# --- the pieces ----------------------------------------------------------------------------------


def test_the_address_is_loopback_unless_told_otherwise() -> None:
    assert parse_address("127.0.0.1:8000") == ("127.0.0.1", 8000)
    assert parse_address(":8001") == ("127.0.0.1", 8001)
    assert parse_address("0.0.0.0:80") == ("0.0.0.0", 80)
    assert parse_address("[::1]:8000") == ("::1", 8000)
    for bad in ("8000", "localhost", "host:port", "127.0.0.1:70000"):
        with pytest.raises(ValueError, match="HOST:PORT"):
            parse_address(bad)


def inspected(root: Path) -> BuildResult:
    """What a build reports, without running the engine: the banner needs no more."""
    inspection = inspect(root, today=TODAY)
    return BuildResult(inspection, None if inspection.errors else root / "site")


def test_the_banner_lists_every_problem_escaped_and_is_empty_when_all_is_well(
    example: Path,
) -> None:
    result = inspected(example)
    assert result.ok and banner(Outcome(result, 1.0, []), has_pages=True) == ""
    warned = replace(result, engine_warnings=["A link to 'x.md' is <broken>."])
    folded = banner(Outcome(warned, 1.0, []), has_pages=True)
    assert folded.startswith("<details") and "with 1 warning." in folded
    assert "&lt;broken&gt;" in folded
    (example / CHURN_CSV).write_text("period,value\n2024-01,<script>alert(1)</script>\n")
    failed = inspected(example)
    html = banner(Outcome(failed, 1.0, [CHURN_CSV]), has_pages=True)
    assert "Not rebuilt" in html and "Showing the last good pages" in html
    assert f"{CHURN_CSV}:2" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert failed.problems and all(p.code in html for p in failed.problems)


def test_the_banner_shows_control_and_bidi_characters_in_a_file_name_as_escapes(
    example: Path,
) -> None:
    (example / "measures" / "evil\u202etxt.md").write_text("---\ntitle: [unclosed\n---\n")
    html = banner(Outcome(inspected(example), 1.0, []), has_pages=True)
    assert "measures/evil\\u202etxt.md" in html
    assert "\u202e" not in html


@pytest.mark.slow
def test_a_bug_in_pumpsite_is_shown_like_a_problem_and_the_last_good_pages_stay(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = LiveSite("")
    preview = Preview(example, tmp_path / "out", site, today=lambda: TODAY, as_of=None)
    assert preview.rebuild([]).ok
    good = site.snapshot.site_dir

    def broken_build(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(serve_module, "build", broken_build)
    outcome = preview.rebuild([CHURN_CSV])
    assert not outcome.ok and "pumpsite failed unexpectedly" in (outcome.failure or "")
    assert site.snapshot.site_dir == good and good is not None and good.is_dir()
    assert "ZeroDivisionError" in site.snapshot.banner and "report this bug" in site.snapshot.banner


@pytest.mark.slow
def test_a_rebuild_analyses_again_only_the_measure_whose_csv_changed(
    example: Path, tmp_path: Path
) -> None:
    preview = Preview(example, tmp_path / "out", LiveSite(""), today=lambda: TODAY, as_of=None)
    first = preview.rebuild([])
    set_last_value(example, "9.9")
    second = preview.rebuild([CHURN_CSV])
    assert first.ok and second.ok and first.result and second.result
    before, after = first.result.inspection.analyses, second.result.inspection.analyses
    assert after == inspect(example, today=TODAY).analyses  # what a fresh load gives
    assert {k for k in after if after[k] is not before[k]} == {"customer-churn"}


# --- the server ----------------------------------------------------------------------------------


def listening_address(port: int) -> str | None:
    """The local address a socket listens on at `port`, from the kernel's table (Linux)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                return address
    return None


@pytest.mark.slow
def test_an_address_in_use_is_a_clear_error(example: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(AssertionError, match="exited") as error:
            ServeProcess(example, "--dev-addr", f"127.0.0.1:{port}")
    assert f"error: cannot serve on 127.0.0.1:{port}" in str(error.value)
    assert "--dev-addr" in str(error.value) and "Traceback" not in str(error.value)


@pytest.mark.slow
def test_edits_reach_the_served_page_and_bad_ones_show_their_problems_until_fixed(
    server: ServeProcess, example: Path
) -> None:
    # `:0` kept the default host, and the system chose a free port.
    assert server.url.startswith("http://127.0.0.1:")
    if Path("/proc/net/tcp").exists():  # Linux: the kernel says where the socket listens
        assert listening_address(server.port) == "0100007F"  # 127.0.0.1 only, little-endian
    status, page = server.get(CHURN_PAGE)
    assert status == 200 and "5.20% in Oct 2026" in page and BANNER not in page

    set_last_value(example, "9.87")
    page = server.page_when(CHURN_PAGE, lambda body: "9.87% in Oct 2026" in body, "the edit")
    assert "5.20% in Oct 2026" not in page
    wait_until(lambda: server.count("Rebuilt in"), "the rebuild in the terminal")
    assert "Changed: data/customer-churn.csv" in server.output

    set_last_value(example, "abc")
    page = server.page_when(CHURN_PAGE, lambda body: BANNER in body, "the problems banner")
    assert f"{CHURN_CSV}:35" in page and "PS305" in page and "&#x27;abc&#x27;" in page
    assert "9.87% in Oct 2026" in page, "the last good page stays served under the banner"
    status, home = server.get("")
    assert status == 200 and BANNER in home, "every page shows the problems"
    # The page is published before the terminal line is printed: wait for the line too.
    wait_until(lambda: f"{CHURN_CSV}:35: error" in server.output, "the problems in the terminal")

    set_last_value(example, "4.44")
    page = server.page_when(CHURN_PAGE, lambda body: BANNER not in body, "the banner to go")
    assert "4.44% in Oct 2026" in page
    # One build per save: the builds' own writes never trigger another.
    wait_until(lambda: server.count("Rebuilt in") == 2, "the second rebuild in the terminal")
    assert server.count("Not rebuilt") == 1, server.output


@pytest.mark.slow
def test_with_poll_a_save_is_noticed_without_the_systems_notifications(example: Path) -> None:
    """--poll: for network drives, WSL's /mnt and Docker bind mounts, which send none."""
    process = ServeProcess(example, "--dev-addr", ":0", "--poll")
    try:
        wait_until(lambda: process.count("Built the site"), "the first build")
        set_last_value(example, "6.66")
        process.page_when(CHURN_PAGE, lambda body: "6.66% in Oct 2026" in body, "the edit")
        # The page is published before the terminal line is printed: wait for the line too.
        wait_until(lambda: "Changed: data/customer-churn.csv" in process.output, "the Changed line")
        assert "Looking for changes every 0.25 s (--poll)." in process.output
    finally:
        assert process.stop() == 0, process.output
    assert "Traceback" not in process.output, process.output


@pytest.mark.slow
def test_a_first_build_that_fails_is_shown_and_recovers(example: Path, tmp_path: Path) -> None:
    good = (example / "mkdocs.yml").read_text()
    (example / "mkdocs.yml").write_text("site_name: [unclosed\n")
    opened, browser = tmp_path / "opened.txt", tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {opened}\n')
    browser.chmod(0o755)
    process = ServeProcess(example, "--dev-addr", ":0", "--open", env={"BROWSER": f"{browser} %s"})
    try:
        assert wait_until(lambda: opened.is_file() and opened.read_text(), "--open") == process.url
        page = process.page_when("", lambda body: "Not rebuilt" in body, "the error page")
        assert "mkdocs.yml:1" in page and "no good pages" in page
        assert process.get("any/page/")[0] == 503
        (example / "mkdocs.yml").write_text(good)
        process.page_when(
            "", lambda body: "Performance report" in body and BANNER not in body, "the site"
        )
    finally:
        assert process.stop() == 0
    assert "Traceback" not in process.output


@pytest.mark.slow
def test_only_requests_for_this_computer_are_answered_and_redirects_stay_on_it(
    server: ServeProcess,
) -> None:
    """DNS rebinding, the open redirect and an over-long name, against the real server."""

    def ask(path: str, host: str) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        connection.request("GET", path, headers={"Host": host})
        return connection.getresponse()

    own = f"127.0.0.1:{server.port}"
    assert ask("/", own).status == 200 and ask("/", f"localhost:{server.port}").status == 200
    rebound = ask("/", f"evil.example:{server.port}")
    assert rebound.status == 403 and b"<html" not in rebound.read()
    assert ask("/__pumpsite__/livereload?epoch=0", "evil.example").status == 403
    moved = ask("/%2Fevil.example%2F..%2Fmeasures", own)
    assert moved.status == 301 and moved.getheader("Location") == "/measures/"
    assert ask("/measures/" + "x" * 300, own).status == 404


# --- 100 bad saves -------------------------------------------------------------------------------


def bad_saves(root: Path, pristine: Path) -> list[Callable[[], None]]:
    """Ten kinds of bad save, in an order that keeps every step possible when repeated."""
    csv, md = root / CHURN_CSV, root / CHURN_MD
    text = (pristine / CHURN_CSV).read_bytes()

    def rename(old: str, new: str) -> Callable[[], None]:
        return lambda: (root / old).rename(root / new)

    return [
        lambda: csv.write_bytes(text[: len(text) // 2 - 3]),  # half-written: cut mid-line
        csv.unlink,
        lambda: csv.write_bytes(b"\x00\xff period;value\n"),  # binary, not a CSV
        lambda: md.write_text("---\ntitle: [unclosed\n"),  # frontmatter never closed
        md.unlink,
        rename("measures", "measures-renamed"),
        rename("measures-renamed", "measures"),
        lambda: (
            md.write_bytes((pristine / CHURN_MD).read_bytes()),
            (root / "mkdocs.yml").write_text("site_name: [unclosed\n"),
        ),
        rename("data", "data-renamed"),
        lambda: (
            (root / "data-renamed").rename(root / "data"),
            (root / "glossary.yml").write_text("- not a mapping\n"),
        ),
    ]


def restore(root: Path, pristine: Path) -> None:
    for name in ("measures", "data"):
        shutil.rmtree(root / name)
        shutil.copytree(pristine / name, root / name)
    for name in ("mkdocs.yml", "glossary.yml"):
        shutil.copy2(pristine / name, root / name)


@pytest.mark.slow
def test_a_hundred_bad_saves_in_a_row_never_stop_the_server(
    server: ServeProcess, example: Path, tmp_path: Path
) -> None:
    pristine = copy_example(tmp_path / "pristine")
    saves = bad_saves(example, pristine)
    for number in range(100):
        saves[number % len(saves)]()
        status, page = server.get("")
        assert status == 200 and "</html>" in page, f"no answer after save {number + 1}"
        time.sleep((0.0, 0.02, 0.1)[number % 3])  # typing speed varies: some saves get built
    # The last save left a binary CSV, a broken mkdocs.yml and glossary: all three are shown.
    page = server.page_when(
        "",
        lambda body: all(f"{p}:" in body for p in (CHURN_CSV, "mkdocs.yml", "glossary.yml")),
        "the final problems",
    )
    assert "PS100" in page and "PS102" in page and "PS501" in page
    restore(example, pristine)
    page = server.page_when(CHURN_PAGE, lambda body: BANNER not in body, "the recovery")
    assert "5.20% in Oct 2026" in page
    assert server.count("Not rebuilt") >= 2, "saves were built during the storm, not only after"


def _search_docs(server: ServeProcess) -> list[dict[str, str]]:
    status, index = server.get("search/search_index.json")
    assert status == 200
    docs: list[dict[str, str]] = json.loads(index)["docs"]
    return docs


def _page_entries(docs: list[dict[str, str]], page: str) -> list[dict[str, str]]:
    return [entry for entry in docs if entry["location"].partition("#")[0] == page]


@pytest.mark.slow
def test_a_save_renders_only_its_pages_and_the_search_index_stays_whole(
    server: ServeProcess, example: Path
) -> None:
    before = _search_docs(server)
    set_last_value(example, "9.87")
    server.page_when(CHURN_PAGE, lambda body: "9.87% in Oct 2026" in body, "the edit")
    line = wait_until(lambda: server.count("Rebuilt in") and server.lines[-1], "the rebuild")
    assert re.search(r"Rebuilt in [0-9.]+ s \([1-9] pages? rendered\)", line), server.output

    after = _search_docs(server)
    assert any("9.87%" in entry["text"] for entry in _page_entries(after, CHURN_PAGE))
    assert not any("9.87%" in entry["text"] for entry in _page_entries(before, CHURN_PAGE))
    other = "measures/downtime-percent.html"
    assert _page_entries(after, other) and _page_entries(after, other) == _page_entries(
        before, other
    ), "another page's search entries changed"
    pages = {entry["location"].partition("#")[0] for entry in before}
    assert {entry["location"].partition("#")[0] for entry in after} == pages


@pytest.mark.slow
def test_a_measure_added_under_serve_is_a_full_build_with_its_page_in_the_navigation(
    server: ServeProcess, example: Path
) -> None:
    source = (example / CHURN_MD).read_text()
    copy = source.replace("title: Monthly customer churn", "title: Churn, the copy")
    (example / "data/churn-copy.csv").write_text((example / CHURN_CSV).read_text())
    (example / "measures/customers/churn-copy.md").write_text(copy)
    page = server.page_when(
        "measures/churn-copy.html", lambda body: "Churn, the copy" in body, "the new page"
    )
    assert "Not rebuilt" not in page, "a warning (the copy duplicates a measure) is all right"
    home = server.page_when("", lambda body: "measures/churn-copy.html" in body, "the nav link")
    assert 'href="measures/churn-copy.html"' in home
    wait_until(lambda: server.count("Rebuilt in"), "the rebuild in the terminal")
    assert server.count("rendered)") == 0, "adding a page is a full build:\n" + server.output
    docs = _search_docs(server)
    assert _page_entries(docs, "measures/churn-copy.html"), "the new page is not searchable"


# --- in a browser --------------------------------------------------------------------------------

SHOTS = Path(__file__).parents[1] / "screenshots"


@pytest.mark.slow
def test_the_open_page_reloads_by_itself_after_each_save(
    server: ServeProcess, example: Path
) -> None:
    sync_api, executable = playwright(), chromium()
    with sync_api.sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            local_only(page, server.url)
            page.goto(server.url + CHURN_PAGE)

            def reloads_after(value: str) -> None:
                page.evaluate("window.beforeTheSave = true")
                with page.expect_event("load", timeout=DEADLINE * 1000):
                    set_last_value(example, value)
                assert page.evaluate("window.beforeTheSave") is None, "a new document"

            reloads_after("9.87")
            assert "9.87% in Oct 2026" in page.inner_text("article")
            reloads_after("abc")
            shown = page.locator("#pumpsite-serve-banner")
            assert f"{CHURN_CSV}:35" in shown.inner_text()
            box = shown.bounding_box()
            assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 800, box
            SHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SHOTS / "serve-problems.png"))
            reloads_after("4.44")
            assert page.locator("#pumpsite-serve-banner").count() == 0
            assert "4.44% in Oct 2026" in page.inner_text("article")
        finally:
            browser.close()


@pytest.mark.slow
def test_a_page_on_a_name_rebound_to_this_computer_cannot_read_the_preview(
    server: ServeProcess,
) -> None:
    """DNS rebinding in a real browser: evil.example resolves to 127.0.0.1, as its owner can
    make it do once a reviewer opened one of its pages."""
    sync_api, executable = playwright(), chromium()
    with sync_api.sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--host-resolver-rules=MAP evil.example 127.0.0.1",
            ],
        )
        try:
            page = browser.new_page()
            evil = f"http://evil.example:{server.port}/"
            response = page.goto(evil)
            assert response is not None and response.status == 403
            assert "--dev-addr" in page.inner_text("body"), "the answer came from pumpsite serve"
            read = page.evaluate(f"fetch('{evil}{CHURN_PAGE}').then(r => r.status)")
            assert read == 403
        finally:
            browser.close()
