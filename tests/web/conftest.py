"""Fixtures for the web tests: the pinned Pyodide runtime, a published story
served on 127.0.0.1, and headless Chromium driven by Playwright.

Why Playwright: it is maintained by the Chromium-adjacent team, its Python
package carries its own driver (no browser download needed when it is given
Debian's Chromium with executable_path), every call waits for the page and
times out on its own, and it has downloads, file uploads, touch, viewports,
colour-scheme and reduced-motion emulation built in; selenium would need
chromedriver and hand-written waits, a raw CDP client all of that by hand.

Browser tests are marked `browser` (the Pyodide-in-Node run `wasm`). Where
Chromium, Node/npm or Playwright are missing they skip with a message saying
how to install them; with CI=true a skip is a failure, so CI never passes
without running them. Every browser test has a hard timeout (pytest-timeout)
on top of Playwright's own per-call timeouts: anything that reached Python's
input() under Pyodide would block the page forever.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest
from support import ROOT

from game.tools import publish
from game.web import runtime

IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")
ARTIFACTS = ROOT / "test-artifacts" / "web"  # screenshots, kept for people to look at (git-ignored)
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# As the machine notes say: no sandbox as root, no GPU, and none of Chromium's
# own network traffic (updates, sync, QUIC probes), which a closed network refuses.
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--disable-extensions", "--mute-audio",
]
CALL_TIMEOUT_MS = 30_000  # any one Playwright call
START_TIMEOUT_MS = 60_000  # the page's first scene on a loaded 2-core machine


def unavailable(why: str) -> None:
    """Skip, saying how to get what is missing; under CI a skip is a failure."""
    if IN_CI:
        pytest.fail(f"{why} (CI=true: the web tests must run, not skip)", pytrace=False)
    pytest.skip(why)


def chromium_path() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def pyodide_runtime() -> Path:
    try:
        return runtime.ensure()
    except runtime.RuntimeMissing as exc:
        unavailable(f"no Pyodide runtime: {exc}")
        raise


@pytest.fixture(scope="session")
def published(pyodide_runtime, tmp_path_factory) -> publish.Published:
    return publish.publish(ROOT / "story", tmp_path_factory.mktemp("web") / "aka", pyodide_runtime)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def site_url(published):
    """The published folder, served on 127.0.0.1 (Chromium will not run it from file://)."""
    handler = functools.partial(_Quiet, directory=str(published.folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        unavailable("no Chromium found; install Debian's with 'apt-get install chromium' "
                    "(.ci/run does this), then run the tests again")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed; pip install -e '.[test]'")
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS, timeout=START_TIMEOUT_MS)
        yield launched
        launched.close()


@pytest.fixture
def new_context(browser):
    """Fresh browser profiles (empty storage) for a test; closed after it."""
    opened = []

    def make(**options):
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(accept_downloads=True, **options)
        context.set_default_timeout(CALL_TIMEOUT_MS)
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
