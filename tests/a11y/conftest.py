"""The accessibility check reuses the browser suite's Chromium and the seeded rows of every
live-server test (tests/conftest.py), and the security suite's world (one of every object, every
URL pattern filled with it)."""

from tests.security.conftest import world  # noqa: F401 (fixture)
