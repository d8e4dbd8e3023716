"""Take the README's screenshots (docs/images/) of the example site, with Debian's Chromium.

Usage: .venv/bin/python scripts/screenshots.py   (needs playwright, from the dev extras)
"""

from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PAGES = {"review.html": "review.png", "measures/customer-complaints.html": "measure.png"}
SUMMARY = ("review.html", ".pumpsite-summary", "review-summary.png")  # one element of a page


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        pumpsite = [str(Path(sys.executable).parent / "pumpsite"), "build", "--site-dir", str(site)]
        subprocess.run([*pumpsite, str(ROOT)], check=True, capture_output=True)
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            for url, name in PAGES.items():
                page.goto(f"http://127.0.0.1:{server.server_port}/{url}")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=ROOT / "docs/images" / name)
            url, selector, name = SUMMARY
            page.goto(f"http://127.0.0.1:{server.server_port}/{url}")
            page.locator(selector).first.screenshot(path=ROOT / "docs/images" / name)
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
