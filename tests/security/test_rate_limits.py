"""Rate limits and the cache are shared by every worker and server, never kept in one process.

Issue 13, finding 9: the public-submission limit counted in each process's memory, so with 4
gunicorn workers it allowed 4x as many, and across servers it did not hold at all.
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory

from manyi.accounts import ratelimit
from manyi.accounts.models import RateCounter

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.mark.django_db
def test_a_window_counts_up_to_the_limit_then_refuses_until_it_ends():
    outcomes = [ratelimit.hit("k", 2, 10, now=t) for t in (0, 1, 2, 9.5)]
    assert outcomes == [False, False, True, True]
    assert ratelimit.hit("k", 2, 10, now=10.5) is False  # a new window started
    assert RateCounter.objects.get(key="k").count == 1


@pytest.mark.django_db
def test_keys_count_apart_and_old_windows_are_pruned():
    assert ratelimit.hit("a", 1, 60, now=0) is False
    assert ratelimit.hit("b", 1, 60, now=0) is False
    assert ratelimit.hit("a", 1, 60, now=1) is True
    assert ratelimit.prune(now=100_000, older_than=86400) == 2
    assert not RateCounter.objects.exists()


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(settings):
    factory = RequestFactory()
    spoofed = factory.get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert ratelimit.client_ip(spoofed) == "203.0.113.7"  # no trusted proxy: header ignored

    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    via_proxy = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    # The client may write anything left of what our proxy appended: the rightmost untrusted hop.
    assert ratelimit.client_ip(via_proxy) == "198.51.100.9"
    chained = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9, 10.0.0.3")
    assert ratelimit.client_ip(chained) == "198.51.100.9"
    assert ratelimit.client_ip(spoofed) == "203.0.113.7"


def test_the_default_cache_is_shared_by_processes_never_a_process_own_memory():
    backend = settings.CACHES["default"]["BACKEND"]
    assert backend == "django.core.cache.backends.db.DatabaseCache"
    from manyi.settings import _caches

    redis = _caches("redis://127.0.0.1:6379/3")["default"]
    assert redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    with pytest.raises(ValueError):
        _caches("locmem://")


def _redis_answers():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def test_the_redis_cache_works_when_configured():
    if not _redis_answers():
        if os.environ.get("MANYI_REQUIRE_REDIS") == "1":
            pytest.fail("Redis is required here but does not answer on 127.0.0.1:6379")
        pytest.skip("Redis does not answer on 127.0.0.1:6379")
    from django.core.cache.backends.redis import RedisCache

    from manyi.settings import _caches

    config = _caches("redis://127.0.0.1:6379/3")["default"]
    cache = RedisCache(config["LOCATION"], {"KEY_PREFIX": f"test-{uuid.uuid4()}"})
    cache.set("panel", {"words": ["售后"]}, 30)
    other = RedisCache(config["LOCATION"], {"KEY_PREFIX": cache.key_prefix})  # another process's
    assert other.get("panel") == {"words": ["售后"]}
    cache.delete("panel")


# --------------------------------------------------------------------------- real workers


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server_database():
    """A database of its own for a real server: a file for SQLite, a new database on the same
    PostgreSQL server when the suite runs there."""
    url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as var:
        if url.startswith("postgres"):
            import psycopg

            base, _slash, _name = url.rpartition("/")
            name = f"manyi_ratelimit_{os.getpid()}"
            with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
                admin.execute(f'CREATE DATABASE "{name}"')
            try:
                yield var, f"{base}/{name}"
            finally:
                with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            yield var, f"sqlite:///{var}/manyi.sqlite3"


def test_the_limit_holds_across_four_gunicorn_workers(server_database):
    var, database_url = server_database
    env = {
        **os.environ,
        "MANYI_VAR_DIR": var,
        "DATABASE_URL": database_url,
        "PUBLIC_SUBMIT_RATE": "5/600",
        "DJANGO_SETTINGS_MODULE": "manyi.settings",
    }
    env.pop("CACHE_URL", None)
    subprocess.run([BIN / "python", "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    port = _free_port()
    server = subprocess.Popen(
        [BIN / "gunicorn", "manyi.wsgi", "-w", "4", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    try:
        url = f"http://127.0.0.1:{port}/feedback/status/"
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = _get_when_up(opener, url, server)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "reference": "FK-2026-000001", "secret": "WRONG-CODE1"}
        ).encode()

        def post(_):
            request = urllib.request.Request(url, data=body, headers={"Referer": url})
            try:
                return opener.open(request, timeout=30).status
            except urllib.error.HTTPError as error:
                return error.code

        # Concurrent requests, so that all four workers take some of them.
        with ThreadPoolExecutor(max_workers=12) as pool:
            codes = list(pool.map(post, range(40)))
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert sorted(set(codes)) == [404, 429], codes
    assert codes.count(404) == 5  # the limit, not 4 x the limit


def _get_when_up(opener, url, server):
    deadline = time.monotonic() + 60
    while True:
        try:
            return opener.open(url, timeout=30).read().decode()
        except OSError:  # not listening yet (URLError, ConnectionError are OSErrors)
            if server.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.3)
