"""Real-browser fixtures: Playwright (Python) driving Debian's chromium against a live server.

Registered for the whole suite in the root conftest, so any app's tests may use ``page``."""

from __future__ import annotations

import os
import shutil

import pytest

# Playwright's sync API keeps an event loop running in this thread; the ORM calls the tests make
# between page actions are still plain synchronous calls, so Django's guard is lifted here only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CORETT_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"chromium not found at {CHROMIUM}; bin/test installs Debian's chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="es-GT")
    page = context.new_page()
    page.set_default_timeout(15_000)
    csp_violations: list[str] = []
    page.on(
        "console",
        lambda msg: csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield page
    context.close()
    assert csp_violations == [], f"the page broke its Content-Security-Policy: {csp_violations}"
