"""``/healthz``: what a load balancer asks before it sends an app server requests (issue 17, point 4).

Each part is tried for real, not assumed: the database answers a query, the cache keeps and
gives back a value, the file storage keeps, gives back and removes a small file, and the task
queue is counted (jobs ready to run and the age of the oldest, from django-tasks' database
backend). The answer is JSON, 200 when every part works and 503 when one does not, so that a
load balancer takes a server whose database or cache is unreachable out of rotation.

Anyone may ask (a load balancer has no account), so the answer holds nothing but "ok" or
"fail" per part and the queue's two numbers: no error message (it may name a host, a user or
a bucket), no version, no setting. What failed and why goes to the log.

A long queue does not fail the check: every server shares the queue, and taking them all
out of rotation for it would stop answering too. Monitoring reads the numbers instead.
"""

import logging
import secrets

from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

DATABASE_QUEUE = "django_tasks_db.DatabaseBackend"
PROBE_FOLDER = "healthz"


def database_connection():
    return connections[DEFAULT_DB_ALIAS]


def cache():
    return caches["default"]


def storage():
    return default_storage


def check_database():
    with database_connection().cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone()[0] != 1:
            raise RuntimeError("SELECT 1 did not answer 1")


def check_cache():
    key = f"healthz:{secrets.token_hex(8)}"
    value = secrets.token_hex(8)
    store = cache()
    store.set(key, value, timeout=30)
    try:
        if store.get(key) != value:
            raise RuntimeError("the cache did not give back what it was given")
    finally:
        store.delete(key)


def check_storage():
    files = storage()
    content = secrets.token_bytes(16)
    name = files.save(f"{PROBE_FOLDER}/{secrets.token_hex(8)}.probe", ContentFile(content))
    try:
        with files.open(name, "rb") as handle:
            if handle.read() != content:
                raise RuntimeError("the storage did not give back what it was given")
    finally:
        files.delete(name)


def queue_depth(now=None):
    """{"ready": jobs waiting to run, "oldest_age_s": seconds the oldest has waited (None: no
    job)}, or None when the tasks backend is not the database's."""
    if settings.TASKS["default"]["BACKEND"] != DATABASE_QUEUE:
        return None
    from django.db.models import Count, Min
    from django_tasks_db.models import DBTaskResult

    found = DBTaskResult.objects.ready().aggregate(ready=Count("pk"), oldest=Min("enqueued_at"))
    oldest = found["oldest"]
    age = None if oldest is None else max(0, round(((now or timezone.now()) - oldest).total_seconds()))
    return {"ready": found["ready"], "oldest_age_s": age}


CHECKS = {"database": check_database, "cache": check_cache, "storage": check_storage}


def _outcome(name, check):
    try:
        check()
    except Exception:
        logger.exception("health check: %s failed", name)
        return "fail"
    return "ok"


def report():
    """(healthy, the JSON body)."""
    parts = {name: _outcome(name, check) for name, check in CHECKS.items()}
    queue = None
    try:
        queue = queue_depth()
    except Exception:
        logger.exception("health check: queue failed")
        parts["queue"] = "fail"
    else:
        parts["queue"] = "ok"
    healthy = all(state == "ok" for state in parts.values())
    body = {"status": "ok" if healthy else "fail", "checks": parts}
    if queue is not None:
        body["queue"] = queue
    return healthy, body


@never_cache
@require_safe
def healthz(request):
    """Public by design (tests/security/test_routes.py lists it): "ok"/"fail" per part and the
    queue's counts, nothing else."""
    healthy, body = report()
    return JsonResponse(body, status=200 if healthy else 503)
