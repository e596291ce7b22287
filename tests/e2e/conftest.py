"""Browser tests: headless Chromium (the Debian package, never a downloaded one) via Playwright."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse database
# access from the test itself (creating users, reading the outbox) while that loop is running.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def console_errors():
    """Everything the page reports as an error, including Content Security Policy violations."""
    return []


@pytest.fixture
def page(browser, live_server, console_errors):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1024, "height": 768})
    page = context.new_page()

    def on_console(message):
        if message.type != "error":
            return
        url = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and url == page.url:
            return  # the document's own status, such as the 404 page's 404, not a missing resource
        console_errors.append(f"{message.text} ({url})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under test-results/ for a person to look at."""
    RESULTS_DIR.mkdir(exist_ok=True)

    def take(name):
        page.screenshot(path=RESULTS_DIR / f"{name}.png", full_page=True)

    return take
