"""Fixtures for testing the built site as a reader sees it: the HTML in _build/html, served over HTTP on the
loopback interface and opened in Debian's headless Chromium through Playwright.

The site must be built first (`make book`); `make test` does that before running these tests. Playwright is
never asked to download a browser: it drives the system Chromium at ``/usr/bin/chromium`` (override with
``SCRATCHNLP_CHROMIUM``). ``SCRATCHNLP_SITE_DIR`` points the tests at a site built elsewhere (the folder holding
its index.html) instead of _build/html.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML_DIR = Path(os.environ.get("SCRATCHNLP_SITE_DIR") or ROOT / "_build" / "html").resolve()
CHROMIUM = Path(os.environ.get("SCRATCHNLP_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside it, else as it is."""
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def _require_site() -> Path:
    if not (HTML_DIR / "index.html").is_file():
        pytest.fail(
            f"the built site is missing ({_shown(HTML_DIR)}/index.html not found): "
            "run `make book` first (`make test` builds it before the site tests)",
            pytrace=False,
        )
    return HTML_DIR


@pytest.fixture(scope="session")
def site_dir() -> Path:
    """The built HTML folder; fails with instructions when the site has not been built."""
    return _require_site()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature of the base class
        pass


@pytest.fixture(scope="session")
def site_url(site_dir: Path) -> Iterator[str]:
    """Base URL (ending in /) of the built site, served by http.server on 127.0.0.1 and a free port."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless system Chromium driven by Playwright."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's package (`apt-get install chromium`; "
            "`make test` does it) or set SCRATCHNLP_CHROMIUM",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class OpenedPage:
    """A page opened in the browser with every problem it reported while loading."""

    page: object
    url: str
    errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)


@pytest.fixture
def open_page(browser: object, site_url: str) -> Iterator[Callable[..., OpenedPage]]:
    """Open a site page (path relative to the site root; ``width``: the viewport's width in CSS pixels, 1280 by
    default, 390 for a phone) and collect console errors, uncaught exceptions,
    failed requests and any request that leaves the site's own origin (those are blocked: the published
    site must work without third-party servers)."""
    contexts = []
    origin = urlsplit(site_url).netloc

    def _open(path: str, *, wait_until: str = "load", width: int = 1280) -> OpenedPage:
        context = browser.new_context(viewport={"width": width, "height": 900})
        contexts.append(context)
        page = context.new_page()
        opened = OpenedPage(page=page, url=site_url + path)

        def _route(route: object) -> None:
            url = route.request.url
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") and parts.netloc != origin:
                opened.external_requests.append(url)
                route.abort()
            else:
                route.continue_()

        context.route("**/*", _route)

        def _console(msg: object) -> None:
            if msg.type == "error":
                loc = msg.location or {}
                opened.errors.append(f"console error: {msg.text} [{loc.get('url', '')}:{loc.get('lineNumber', '')}]")

        page.on("console", _console)
        page.on("pageerror", lambda exc: opened.errors.append(f"uncaught exception: {exc}"))
        page.on(
            "requestfailed",
            lambda req: (
                opened.errors.append(f"request failed: {req.url} ({req.failure})")
                if urlsplit(req.url).netloc == origin
                else None
            ),
        )
        page.on(
            "response",
            lambda resp: opened.errors.append(f"HTTP {resp.status}: {resp.url}") if resp.status >= 400 else None,
        )
        page.goto(opened.url, wait_until=wait_until)
        page.wait_for_load_state("networkidle")
        return opened

    yield _open
    for context in contexts:
        context.close()
