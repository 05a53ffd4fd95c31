"""A worker killed hard in the middle of sending a campaign's invitations (issue 17, point 2;
campaigns/recovery.py): the invitations it had claimed and not yet sent stay claimed; once the
lease has passed the periodic job `send-claims` returns them to the queue and a new worker sends
each missing one exactly once (counted by a real SMTP server, aiosmtpd). In normal operation
nothing is ever recovered, so nothing goes twice.

The kill test runs real `manage.py worker` processes on PostgreSQL, as test_workers.py does
(SQLite's test database is in memory, out of a subprocess's reach)."""

import asyncio
import os
import signal
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from manyi.campaigns import channels, recovery, tasks
from manyi.campaigns.choices import DeliveryStatus, InvitationStatus
from manyi.campaigns.models import Invitation
from manyi.operations.management.commands import periodic

from . import processes
from .test_workers import make_invitations, skip_unless_postgresql

INVITATIONS = 30
BATCH = 10
BLOCK_AT = 15  # the server holds the 15th message: the worker is killed waiting for its answer


class HoldingRecipients:
    """An SMTP handler that counts the messages it answered, per recipient, and holds the
    `block_at`-th message unanswered until `release` is set (then refuses it for now: its
    sender is gone)."""

    def __init__(self, block_at=None):
        self.counts = Counter()
        self.seen = 0
        self.block_at = block_at
        self.reached = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        with self.lock:
            self.seen += 1
            hold = self.seen == self.block_at
        if hold:
            self.reached.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 sender gone"
        with self.lock:
            self.counts.update(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def smtp():
    with processes.smtp_server(HoldingRecipients(block_at=BLOCK_AT)) as handler:
        yield handler
        handler.release.set()


def worker(tmp_path, smtp, name):
    env = {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_BATCH_SIZE": str(BATCH),
        "TASKS_BACKEND": "database",
    }
    return processes.start(
        tmp_path, ["python", "manage.py", "worker", "--batch", "--worker-id", name], env=env
    )


def claimed():
    return Invitation.objects.filter(claimed_at__isnull=False)


def recover_and_queue():
    """The periodic run's two jobs concerned, each under its lock: returns the summary lines."""
    lines = []
    jobs = [job for job in periodic.JOBS if job[0] in ("send-claims", "campaigns")]
    assert periodic.run_jobs(lines.append, jobs) == []
    return lines


@pytest.mark.database
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_leaves_claims_that_are_sent_once_after_the_lease(tmp_path, smtp, settings):
    skip_unless_postgresql()
    from django_tasks_db.models import DBTaskResult

    (campaign,) = make_invitations(INVITATIONS, 1)
    killed_job = tasks.send_invitations.enqueue(campaign.pk)
    first = worker(tmp_path, smtp, "killed")
    try:
        assert smtp.reached.wait(120), first.stdout.read() if first.poll() is not None else "no 15th message"
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(30)
    finally:
        first.kill()
    smtp.release.set()

    # Batch 1 accepted; batch 2: four accepted one by one, the held one and the five after it
    # still claimed; batch 3 never claimed.
    assert sum(smtp.counts.values()) == BLOCK_AT - 1
    assert Invitation.objects.filter(delivery_status=DeliveryStatus.ACCEPTED).count() == BLOCK_AT - 1
    stuck = set(claimed().values_list("pk", flat=True))
    assert len(stuck) == 2 * BATCH - BLOCK_AT + 1
    assert set(Invitation.objects.filter(pk__in=stuck).values_list("status", "delivery_status")) == {
        (InvitationStatus.SENT, DeliveryStatus.PENDING)
    }
    assert Invitation.objects.filter(status=InvitationStatus.ISSUED).count() == INVITATIONS - 2 * BATCH
    assert DBTaskResult.objects.get(pk=killed_job.id).status == "RUNNING"  # harmless: see recovery.py

    # Within the lease nothing is recovered (the worker might only be slow).
    assert recovery.recover_stale_claims() == 0
    assert "queued again" not in " ".join(recover_and_queue())
    assert set(claimed().values_list("pk", flat=True)) == stuck

    # The lease passed (SEND_CLAIM_LEASE_MINUTES is read by the periodic job).
    settings.SEND_CLAIM_LEASE_MINUTES = 0
    lines = recover_and_queue()
    assert f"{len(stuck)} invitations claimed by a stopped worker queued again" in lines
    assert not claimed().exists()
    second = worker(tmp_path, smtp, "second")
    output = second.communicate(timeout=240)[0]
    assert second.returncode == 0, output

    assert sum(smtp.counts.values()) == INVITATIONS
    assert set(smtp.counts) == {f"kehu{n}@example.cn" for n in range(INVITATIONS)}
    assert set(smtp.counts.values()) == {1}
    assert (
        Invitation.objects.filter(
            status=InvitationStatus.SENT, delivery_status=DeliveryStatus.ACCEPTED, claimed_at__isnull=True
        ).count()
        == INVITATIONS
    )
    assert recovery.recover_stale_claims() == 0


@pytest.mark.django_db
def test_normal_sending_leaves_no_claim_to_recover(smtp, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_BATCH_SIZE = "127.0.0.1", smtp.port, BATCH
    smtp.block_at = None
    (campaign,) = make_invitations(INVITATIONS, 1)
    assert channels.send_invitations(campaign) == (INVITATIONS, 0)
    assert not claimed().exists()
    assert recovery.recover_stale_claims(now=timezone.now() + timedelta(days=365)) == 0
    settings.SEND_CLAIM_LEASE_MINUTES = 0
    assert recover_and_queue()[-1].endswith("queued invitations for 0, reminders for 0")
    assert set(smtp.counts.values()) == {1} and sum(smtp.counts.values()) == INVITATIONS


@pytest.mark.django_db
def test_only_claims_older_than_the_lease_and_without_an_outcome_go_back(settings):
    (campaign,) = make_invitations(4, 1)
    now = timezone.now()
    waiting, accepted, failed, sms_sent = campaign.invitations.order_by("pk")
    Invitation.objects.filter(pk=waiting.pk).update(
        status=InvitationStatus.SENT, delivery_status=DeliveryStatus.PENDING, sent_at=now, claimed_at=now
    )
    Invitation.objects.filter(pk=accepted.pk).update(
        status=InvitationStatus.SENT, delivery_status=DeliveryStatus.ACCEPTED, sent_at=now, claimed_at=now
    )
    Invitation.objects.filter(pk=failed.pk).update(
        status=InvitationStatus.FAILED, delivery_status=DeliveryStatus.FAILED, claimed_at=now
    )
    # An SMS the gateway took waits for its receipt (pending) under the gateway's message id.
    Invitation.objects.filter(pk=sms_sent.pk).update(
        status=InvitationStatus.SENT,
        delivery_status=DeliveryStatus.PENDING,
        claimed_at=now,
        provider_message_id="m-1",
    )
    settings.SEND_CLAIM_LEASE_MINUTES = 15
    assert recovery.recover_stale_claims(now + timedelta(minutes=14)) == 0
    assert recovery.recover_stale_claims(now + timedelta(minutes=16)) == 1
    waiting.refresh_from_db()
    assert (waiting.status, waiting.delivery_status, waiting.sent_at, waiting.claimed_at) == (
        InvitationStatus.ISSUED,
        DeliveryStatus.NONE,
        None,
        None,
    )
    assert recovery.recover_stale_claims(now + timedelta(days=1)) == 0
