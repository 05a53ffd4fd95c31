"""Links customers get are built from SITE_URL, which `make run` sets from HOST and PORT, and a
production configuration without it is warned about."""

import subprocess

import pytest
from django.core.checks import run_checks

from manyi.links import absolute_url


def site_url_in_make(*variables, env=None):
    """SITE_URL as the Makefile's recipes (`make run` among them) see it."""
    rule = "show-site-url:\n\t@echo $$SITE_URL"
    return subprocess.run(
        ["make", "-s", "--no-print-directory", f"--eval={rule}", "show-site-url", *variables],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout.strip()


def test_make_run_sets_site_url_from_host_and_port(monkeypatch):
    import os

    env = {key: value for key, value in os.environ.items() if key != "SITE_URL"}
    assert site_url_in_make(env=env) == "http://127.0.0.1:8000"
    assert site_url_in_make("PORT=8123", env=env) == "http://127.0.0.1:8123"
    assert site_url_in_make("HOST=0.0.0.0", "PORT=80", env=env) == "http://0.0.0.0:80"
    env["SITE_URL"] = "https://manyi.example.com"
    assert site_url_in_make("PORT=8123", env=env) == "https://manyi.example.com"


def test_links_follow_site_url(settings):
    settings.SITE_URL = "https://manyi.example.com"
    assert absolute_url("/s/abc/") == "https://manyi.example.com/s/abc/"


@pytest.mark.parametrize(
    ("debug", "hosts", "given", "url", "warned"),
    [
        (False, ["manyi.example.com"], False, "http://127.0.0.1:8000", True),
        (False, ["manyi.example.com"], True, "http://localhost:8000", True),
        (False, ["manyi.example.com"], True, "https://manyi.example.com", False),
        (False, ["127.0.0.1", "localhost", "[::1]"], False, "http://127.0.0.1:8000", False),
        (False, ["127.0.0.1:8000", "[::1]:8000"], False, "http://127.0.0.1:8000", False),
        (True, ["manyi.example.com"], False, "http://127.0.0.1:8000", False),
    ],
)
def test_a_server_reached_by_others_without_site_url_is_warned(settings, debug, hosts, given, url, warned):
    settings.DEBUG, settings.ALLOWED_HOSTS = debug, hosts
    settings.SITE_URL, settings.SITE_URL_GIVEN = url, given
    ids = [message.id for message in run_checks()]
    assert ("manyi.W001" in ids) is warned


@pytest.mark.parametrize(
    ("provider", "missing", "warned"),
    [
        ("", "SMS_ACCESS_KEY_ID", False),  # SMS off on purpose
        ("aliyun", None, False),  # complete
        ("aliyun", "SMS_SIGN_NAME", True),
        ("tencent", "SMS_APP_ID", True),
        ("aliyunn", None, True),  # a typing slip
    ],
)
def test_an_incomplete_sms_gateway_is_named_at_start_up(settings, provider, missing, warned):
    from manyi.campaigns.checks import sms_settings_are_complete

    settings.SMS_PROVIDER = provider
    for name in (
        "SMS_ACCESS_KEY_ID",
        "SMS_ACCESS_KEY_SECRET",
        "SMS_SIGN_NAME",
        "SMS_TEMPLATE_INVITATION",
        "SMS_APP_ID",
    ):
        setattr(settings, name, "" if name == missing else "x")
    assert [w.id for w in sms_settings_are_complete()] == (["manyi.W002"] if warned else [])
