"""Fixtures for the browser tests: a real server process, the system Chromium, fresh contexts.

Chromium is the distribution's (``/usr/bin/chromium``); the tests never download a browser.
Without it they skip locally and fail in CI, like the other external services.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.server_process import REPO_ROOT, ServerProcess
from tests.services import missing_service

CHROMIUM = os.environ.get("NEWSSEM_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
]
RESULTS_DIR = REPO_ROOT / "test-results"
_server_key = pytest.StashKey[ServerProcess]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    """A failing browser test shows the server's log: most client failures start there."""
    report = yield
    server = item.config.stash.get(_server_key, None)
    if report.failed and server is not None:
        report.sections.append(("newssem server log (tail)", server.log()[-12000:]))
    return report


# Package scope, not session: sync Playwright leaves its event loop installed in the main thread
# while it is open, which would break the asyncio tests collected after this package.
@pytest.fixture(scope="package")
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """The node under test; ``NEWSSEM_E2E_BASE_URL`` points the tests at a running one instead
    (a staging node with the demo school seeded)."""
    external = os.environ.get("NEWSSEM_E2E_BASE_URL")
    if external:
        yield ServerProcess.external(external.rstrip("/"))
        return
    server = ServerProcess(tmp_path_factory.mktemp("newssem-e2e"))
    request.config.stash[_server_key] = server
    try:
        server.start()
    except Exception:
        server.stop()
        raise
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        missing_service("Chromium", FileNotFoundError(CHROMIUM))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        missing_service("Playwright", error)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Open a page in its own context (own cookies), as a separate person on a separate device."""
    contexts: list[Any] = []

    def open_page(viewport: dict[str, int] | None = None) -> Any:
        context = browser.new_context(
            locale="ko-KR",
            timezone_id="Asia/Seoul",
            viewport=viewport or {"width": 1280, "height": 800},
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def results_dir() -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    return RESULTS_DIR
