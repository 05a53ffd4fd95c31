"""/healthz: a load balancer's probe (issue 17, point 4). Every part is tried for real; a part
that cannot be reached is a real unreachable database or cache, not a mock that raises."""

import datetime
import json
import socket

import pytest
from django.core.cache.backends.redis import RedisCache
from django.db.utils import ConnectionHandler
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from manyi import health

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: nothing listens


def _job(enqueued_at, run_after=None, status="READY"):
    job = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="manyi.operations.tasks.nothing",
        backend_name="default",
        status=status,
        run_after=run_after or get_date_max(),
    )
    DBTaskResult.objects.filter(pk=job.pk).update(enqueued_at=enqueued_at)
    return job


def test_it_answers_ok_for_every_part_without_signing_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "storage": "ok", "queue": "ok"},
        "queue": {"ready": 0, "oldest_age_s": None},
    }
    assert "no-cache" in response["Cache-Control"]


def test_it_counts_the_jobs_ready_to_run_and_the_age_of_the_oldest(client):
    now = timezone.now()
    _job(now - datetime.timedelta(minutes=10))
    _job(now - datetime.timedelta(minutes=2))
    _job(now - datetime.timedelta(hours=5), status="SUCCESSFUL")  # done: not waiting
    _job(now - datetime.timedelta(hours=3), run_after=now + datetime.timedelta(hours=1))  # not yet due
    body = json.loads(client.get("/healthz").content)
    assert body["queue"]["ready"] == 2
    assert 600 <= body["queue"]["oldest_age_s"] <= 600 + 60


def test_it_leaves_no_probe_behind(client, settings):
    client.get("/healthz")
    assert not list((settings.MEDIA_ROOT / "healthz").glob("*"))


def test_it_is_503_and_names_the_database_when_the_database_cannot_be_reached(client, monkeypatch, tmp_path):
    broken = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "no-such-folder" / "db")}}
    )
    monkeypatch.setattr(health, "database_connection", lambda: broken["default"])
    response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "fail"
    assert body["checks"] == {"database": "fail", "cache": "ok", "storage": "ok", "queue": "ok"}


def test_it_is_503_when_the_cache_server_cannot_be_reached(client, monkeypatch):
    unreachable = RedisCache(
        f"redis://127.0.0.1:{_closed_port()}/0", {"OPTIONS": {"socket_connect_timeout": 1}}
    )
    monkeypatch.setattr(health, "cache", lambda: unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["checks"]["cache"] == "fail"
    assert body["checks"]["database"] == "ok"


def test_it_is_503_when_the_storage_cannot_keep_a_file(client, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = blocker  # a folder that is a file: nothing can be written under it
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["storage"] == "fail"


def test_it_tells_nothing_of_what_failed_beyond_fail(client, monkeypatch, tmp_path):
    secret_host = "db-secret-host.internal"
    broken = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": f"/{secret_host}/no/db"}}
    )
    monkeypatch.setattr(health, "database_connection", lambda: broken["default"])
    response = client.get("/healthz")
    assert secret_host not in response.content.decode()
    assert set(json.loads(response.content)) == {"status", "checks", "queue"}


def test_it_takes_no_post(client):
    assert client.post("/healthz").status_code == 405
