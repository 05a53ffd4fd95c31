"""Reference numbers (FK-2026-000123): one per ticket, none lost or repeated under concurrency."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from manyi.tickets import workflow
from manyi.tickets.choices import Channel
from manyi.tickets.models import Ticket, TicketSequence

NOW = datetime(2026, 9, 25, 16, tzinfo=ZoneInfo("Asia/Shanghai"))


def open_one():
    return workflow.open_ticket(by=None, channel=Channel.WEB, subject="s", description="d", now=NOW)


def test_references_count_up_per_year(db):
    first, second = open_one(), open_one()
    assert (first.reference, second.reference) == ("FK-2026-000001", "FK-2026-000002")
    assert TicketSequence.objects.get(year=2026).last == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need a server database")
def test_concurrent_intake_never_repeats_a_reference():
    errors, barrier = [], threading.Barrier(8)

    def work():
        try:
            barrier.wait()
            for _ in range(5):
                open_one()
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    references = sorted(Ticket.objects.values_list("reference", flat=True))
    assert references == [f"FK-2026-{n:06d}" for n in range(1, 41)]
