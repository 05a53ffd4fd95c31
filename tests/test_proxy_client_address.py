"""The client address behind a reverse proxy (issue 17, point 4): X-Forwarded-For is believed
only from a peer in TRUSTED_PROXIES, for the public submission rate limit and for the login
lockout alike; a client that writes the header itself gains nothing."""

import pytest

pytestmark = pytest.mark.django_db

NGINX = "127.0.0.1"


def login(client, username, password, **headers):
    return client.post("/accounts/login/", {"username": username, "password": password}, **headers)


def test_a_forged_forwarded_for_from_an_untrusted_peer_does_not_escape_the_login_lockout(
    people, client, settings
):
    settings.TRUSTED_PROXIES = [NGINX]
    # A client on the internet, straight to the app, names another address on every attempt.
    for attempt in range(5):
        login(client, "amy", "wrong", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}")
    response = login(
        client,
        "amy",
        "correct horse battery",
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert response.status_code == 429  # counted by its real address: locked out


def test_behind_the_trusted_proxy_each_client_is_locked_out_on_its_own(people, client, settings):
    settings.TRUSTED_PROXIES = [NGINX]
    for _ in range(5):
        login(client, "amy", "wrong", REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR="198.51.100.1")
    locked = login(
        client, "amy", "correct horse battery", REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    assert locked.status_code == 429
    # Another client through the same nginx is not the one who failed.
    other = login(
        client, "amy", "correct horse battery", REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR="198.51.100.2"
    )
    assert other.status_code == 302


def test_without_trusted_proxies_the_header_is_ignored(people, client, settings):
    settings.TRUSTED_PROXIES = []
    for attempt in range(5):
        login(client, "amy", "wrong", REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}")
    # Every attempt counted for 127.0.0.1, whatever the header said.
    response = login(
        client, "amy", "correct horse battery", REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR="198.51.100.50"
    )
    assert response.status_code == 429


def test_the_trusted_proxies_setting_comes_from_the_environment(monkeypatch):
    import importlib

    import manyi.settings as project_settings

    monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    try:
        assert importlib.reload(project_settings).TRUSTED_PROXIES == ["127.0.0.1", "10.0.0.0/8"]
    finally:
        monkeypatch.delenv("TRUSTED_PROXIES")
        importlib.reload(project_settings)
