"""Several background workers at once, as on several servers (issue 17, point 2): three real
worker processes share the queue of invitation jobs, send through a real SMTP server (aiosmtpd)
and every customer receives exactly one invitation; no job is run twice. Once with the database
queue on PostgreSQL (django-tasks-db's db_worker), once with the Redis queue (TASKS_BACKEND=rq:
django-tasks-rq and rq's own worker) against the Redis on 127.0.0.1:6379.

The suite sends 1,000 invitations here (10 campaigns, each job queued three times, as if three
servers' periodic runs had queued it); `make bench-scale` sends 10,000 the same way
(BENCH scale.tasks_twice, scale.invitations_per_s)."""

import json
import os
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from manyi.campaigns import tasks
from manyi.campaigns.choices import CampaignState, Channel, InvitationStatus
from manyi.campaigns.models import Campaign, Invitation
from manyi.customers.models import Customer
from manyi.surveys.models import Question, Questionnaire

from . import processes

INVITATIONS = 1_000
CAMPAIGNS = 10
QUEUED_TIMES = 3  # each campaign's job queued this many times
WORKERS = 3
REDIS_URL = os.environ.get("MANYI_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


class Recipients:
    """A real SMTP server's handler that counts what it was given, per recipient."""

    def __init__(self):
        self.counts = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        with self.lock:
            self.counts.update(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def smtp():
    with processes.smtp_server(Recipients()) as handler:
        yield handler


def make_invitations(count, campaigns):
    """`campaigns` running e-mail campaigns sharing `count` invitations to as many customers."""
    questionnaire = Questionnaire.objects.create(title="客户满意度调查")
    Question.objects.create(questionnaire=questionnaire, code="Q1", text="总体满意度", kind="text")
    customers = Customer.objects.bulk_create(
        Customer(code=f"W{n:06d}", name=f"客户{n}", email=f"kehu{n}@example.cn") for n in range(count)
    )
    made = []
    for number in range(campaigns):
        campaign = Campaign.objects.create(
            name=f"第{number + 1}批满意度调查",
            questionnaire=questionnaire,
            state=CampaignState.RUNNING,
            channels=[Channel.EMAIL],
            invite_at=timezone.now() - timedelta(minutes=1),
            deadline=timezone.now() + timedelta(days=7),
        )
        Invitation.objects.bulk_create(
            Invitation(campaign=campaign, customer=customer, email=customer.email, channel=Channel.EMAIL)
            for customer in customers[number::campaigns]
        )
        made.append(campaign)
    return made


def run_workers(tmp_path, smtp, env=None):
    """WORKERS real `manage.py worker --batch` processes until the queue is empty."""
    environment = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp.port), **(env or {})}
    workers = [
        processes.start(
            tmp_path,
            ["python", "manage.py", "worker", "--batch", "--worker-id", f"test-{n}"],
            env=environment,
        )
        for n in range(WORKERS)
    ]
    try:
        outputs = [worker.communicate(timeout=240)[0] for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
    assert [worker.returncode for worker in workers] == [0] * WORKERS, outputs


def assert_each_invited_once(smtp, count):
    assert sum(smtp.counts.values()) == count
    assert set(smtp.counts) == {f"kehu{n}@example.cn" for n in range(count)}
    assert set(smtp.counts.values()) == {1}
    assert Invitation.objects.filter(status=InvitationStatus.SENT).count() == count


def skip_unless_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("workers on several servers share PostgreSQL (SQLite's test database is in memory)")


@pytest.mark.django_db(transaction=True)
def test_three_database_workers_send_each_invitation_once(tmp_path, smtp, settings):
    skip_unless_postgresql()
    from django_tasks_db.models import DBTaskResult

    queued = [
        tasks.send_invitations.enqueue(campaign.pk)
        for campaign in make_invitations(INVITATIONS, CAMPAIGNS)
        for _time in range(QUEUED_TIMES)
    ]
    run_workers(tmp_path, smtp, env={"TASKS_BACKEND": "database"})
    assert_each_invited_once(smtp, INVITATIONS)
    results = DBTaskResult.objects.filter(pk__in=[result.id for result in queued])
    assert results.count() == len(queued)
    # Every job ran once, by one worker: a job claimed twice lists two worker ids.
    assert [(result.status, len(result.worker_ids)) for result in results] == [("SUCCESSFUL", 1)] * len(
        queued
    )
    sent = sum(result.return_value["sent"] for result in results)
    assert sent == INVITATIONS
    assert len({result.worker_ids[0] for result in results}) > 1, "the workers did not share the jobs"


def redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("MANYI_REQUIRE_REDIS") == "1":
            raise
        pytest.skip(f"no Redis at {REDIS_URL} (set MANYI_REQUIRE_REDIS=1 to fail instead)")


@pytest.mark.django_db(transaction=True)
def test_three_rq_workers_send_each_invitation_once(tmp_path, smtp, settings):
    """TASKS_BACKEND=rq: the jobs go to Redis and rq's workers run them (the invitations are
    still claimed in the database, whichever queue carries the job)."""
    skip_unless_postgresql()
    redis_or_skip()
    import django_rq

    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    queue = django_rq.get_queue("default")
    queue.empty()
    campaigns = make_invitations(INVITATIONS // 5, CAMPAIGNS)
    queued = [tasks.send_invitations.enqueue(c.pk) for c in campaigns for _time in range(QUEUED_TIMES)]
    assert queue.count == len(queued)
    run_workers(tmp_path, smtp, env={"TASKS_BACKEND": "rq", "TASKS_REDIS_URL": REDIS_URL})
    assert_each_invited_once(smtp, INVITATIONS // 5)
    results = [tasks.send_invitations.get_result(result.id) for result in queued]
    assert [(result.status, len(result.worker_ids)) for result in results] == [("SUCCESSFUL", 1)] * len(
        queued
    )
    assert sum(result.return_value["sent"] for result in results) == INVITATIONS // 5
    assert queue.count == 0


def read_settings(**env):
    """manyi/settings.py read in a fresh process with these variables: (exit code, output)."""
    code = (
        "import json, manyi.settings as s; "
        "print(json.dumps([s.TASKS, getattr(s, 'RQ_QUEUES', None), 'django_rq' in s.INSTALLED_APPS]))"
    )
    clean = {key: value for key, value in os.environ.items() if key not in ("CACHE_URL", "TASKS_REDIS_URL")}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=processes.ROOT, env={**clean, **env}, capture_output=True, text=True
    )
    return done.returncode, done.stdout + done.stderr


def test_the_tasks_backend_is_chosen_by_name():
    assert json.loads(read_settings(TASKS_BACKEND="")[1]) == [
        {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
        None,
        False,
    ]
    # The Redis of the cache unless the queue has its own.
    output = read_settings(TASKS_BACKEND="rq", CACHE_URL="redis://10.0.0.5:6379/0")[1]
    assert json.loads(output)[1:] == [
        {"default": {"URL": "redis://10.0.0.5:6379/0", "DEFAULT_TIMEOUT": 3600}},
        True,
    ]
    output = read_settings(
        TASKS_BACKEND="rq", CACHE_URL="redis://10.0.0.5:6379/0", TASKS_REDIS_URL="redis://10.0.0.6:6379/1"
    )[1]
    assert json.loads(output)[0] == {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    assert json.loads(output)[1]["default"]["URL"] == "redis://10.0.0.6:6379/1"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TASKS_BACKEND": "celery"}, "TASKS_BACKEND must be one of database, rq, not 'celery'"),
        ({"TASKS_BACKEND": "rq"}, "TASKS_BACKEND=rq needs TASKS_REDIS_URL (or CACHE_URL)"),
    ],
)
def test_a_tasks_backend_that_cannot_work_stops_the_start(env, message):
    code, output = read_settings(**env)
    assert code != 0
    assert message in output
