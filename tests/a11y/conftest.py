"""The accessibility check reuses the browser suite's Chromium and the security suite's world
(one of every object, every URL pattern filled with it)."""

from tests.browser.conftest import browser, ticket_defaults  # noqa: F401 (fixtures)
from tests.security.conftest import world  # noqa: F401 (fixture)
