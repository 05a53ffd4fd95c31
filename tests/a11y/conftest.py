"""The accessibility check reuses the browser suite's Chromium and the security suite's world
(one of every object, every URL pattern filled with it)."""

from tests.browser.conftest import ticket_defaults  # noqa: F401 (fixture; the browser is tests/conftest.py's)
from tests.security.conftest import world  # noqa: F401 (fixture)
