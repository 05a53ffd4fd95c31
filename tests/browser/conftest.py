"""Real-browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Screenshots go to test-artifacts/screenshots/ so a person can look at what users see.
Without /usr/bin/chromium these tests are skipped, unless MANYI_REQUIRE_BROWSER=1 (CI).
"""

from pathlib import Path

import pytest

from tests.conftest import CHROMIUM  # noqa: F401 (the browser fixture is in tests/conftest.py)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    """screenshot("name"): save a full-page PNG of the current page for people to look at."""

    def take(name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login(page):
    """login(user, password): log in through the real login form."""

    def log_in(user, password="correct horse battery"):
        page.goto(page.base_url + "/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("#login-form button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return log_in
