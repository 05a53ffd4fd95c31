"""Rate limits shared by every process and server: counted in the database.

A limit in a process's memory (Django's default LocMemCache) is multiplied by the number of
gunicorn workers and does not hold across servers; the database is the one thing all of them
share, whatever the deployment (SQLite, PostgreSQL). One statement counts a request and
returns the count, so concurrent requests cannot both read the old count.
"""

import ipaddress
import time

from django.conf import settings
from django.db import connection

from .models import RateCounter

# Window-fixed counting: the window starts with the first request and lasts `seconds`; the
# first request after it starts the next one. Both CASEs read the row as it was before the update.
_HIT = """
INSERT INTO {table} (key, window_started, count) VALUES (%s, %s, 1)
ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN {table}.window_started <= %s THEN 1 ELSE {table}.count + 1 END,
  window_started = CASE WHEN {table}.window_started <= %s THEN excluded.window_started
                        ELSE {table}.window_started END
RETURNING count
"""


def parse_rate(rate):
    """'20/600' -> (20, 600): at most 20 requests in 600 seconds."""
    limit, _slash, seconds = str(rate).partition("/")
    return int(limit), int(seconds or 600)


def hit(key, limit, seconds, now=None):
    """Count one request under `key`; True when this request is over `limit` in the window."""
    now = time.time() if now is None else now
    sql = _HIT.format(table=connection.ops.quote_name(RateCounter._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(sql, [key[:200], now, now - seconds, now - seconds])
        (count,) = cursor.fetchone()
    return count > limit


def prune(now=None, older_than=86400):
    """Forget counters whose window ended long ago (the periodic job calls it)."""
    now = time.time() if now is None else now
    return RateCounter.objects.filter(window_started__lt=now - older_than).delete()[0]


def client_ip(request):
    """The client's address: REMOTE_ADDR, or behind a proxy listed in TRUSTED_PROXIES the
    address that proxy saw (X-Forwarded-For read from the right, skipping our own proxies).

    Without a trusted proxy the header is ignored: any client can write it."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    trusted = _trusted_networks()
    if not trusted or not _in(remote, trusted):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _in(hop, trusted):
            return hop
    return hops[0] if hops else remote


def login_client_ip(request):
    """The client's address for the login lockouts (django-axes), or None when the request
    carries none (a test client's force_login): axes keeps it in an address column, which
    PostgreSQL refuses to hold "unknown"."""
    address = client_ip(request)
    return None if address == "unknown" else address


def rate_limited(request, bucket="public-submit"):
    """Count one request from this client in `bucket`; True when over PUBLIC_SUBMIT_RATE
    ("20/600": 20 per 600 seconds). Each bucket (survey answers, feedback, status checks,
    callbacks) has its own allowance."""
    limit, seconds = parse_rate(getattr(settings, "PUBLIC_SUBMIT_RATE", "20/600"))
    return hit(_key(request, bucket), limit, seconds)


def already_limited(request, bucket):
    """Whether this client is over PUBLIC_SUBMIT_RATE in `bucket` now, without counting a
    request (a bucket that counts failures only, such as unknown short links, refuses the
    client's successes too while it is over)."""
    limit, seconds = parse_rate(getattr(settings, "PUBLIC_SUBMIT_RATE", "20/600"))
    count = (
        RateCounter.objects.filter(key=_key(request, bucket), window_started__gt=time.time() - seconds)
        .values_list("count", flat=True)
        .first()
    )
    return count is not None and count > limit


def _key(request, bucket):
    return f"{bucket}:{client_ip(request)}"[:200]


def _trusted_networks():
    networks = []
    for item in getattr(settings, "TRUSTED_PROXIES", []):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            continue
    return networks


def _in(address, networks):
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)
