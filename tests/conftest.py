"""What the browser suite and the accessibility check share: one Chromium for the whole run.

One Playwright for everything: two session fixtures each starting the sync API (the browser
suite's and a copy imported into another folder's conftest) made the second fail with "using
Playwright Sync API inside the asyncio loop".
"""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
# itself (creating users, checking rows) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("MANYI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium is required for browser tests but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


# Rows the migrations put in that every company starts with: live-server tests empty every table
# after each test, so a later one would find none of them. (module, function) of each.
SEEDED_BY_MIGRATIONS = [
    ("manyi.tickets.migrations.0002_defaults", "add_defaults"),  # categories, calendar, SLA policies
    ("manyi.results.migrations.0002_seed_topics", "seed"),  # the ten topics of open answers
    ("manyi.inspections.migrations.0002_shipped_checklists", "install"),  # the shipped checklists
]


@pytest.fixture(autouse=True)
def seeded_rows(request):
    """Put the migrations' starting rows back for a live-server test (see SEEDED_BY_MIGRATIONS)."""
    if "live_server" not in request.fixturenames:
        return
    import importlib

    from django.apps import apps

    request.getfixturevalue("transactional_db")
    for module, function in SEEDED_BY_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)
