import datetime
from types import SimpleNamespace

import pytest

from manyi.dashboards.tests.test_dashboard import survey  # noqa: F401
from manyi.evaluation.tests.conftest import aware, english_messages, evaluation_data  # noqa: F401
from manyi.organisation.tests.conftest import tree  # noqa: F401
from manyi.results.tests.conftest import fresh_datasets  # noqa: F401

YEAR_2025 = (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))


@pytest.fixture
def actions(evaluation_data):  # noqa: F811
    """翠湖花园's valid January complaint gets two actions: a corrective one verified effective,
    and a preventive one planned with its deadline passed (overdue); the other project's
    customer complains in March (滨江府) with one action done, not yet verified. A customer whose
    name is markup complains in 翠湖花园 in May, with a planned action not yet due."""
    from manyi.testing import make_customer
    from manyi.tickets.models import CorrectiveAction, Ticket

    units, people = evaluation_data.tree, evaluation_data.people
    valid = Ticket.objects.get(
        customer=units.east_customer, validity="", received_at=aware(2025, 1, 10, 9), category__isnull=True
    )
    Ticket.objects.filter(pk=valid.pk).update(root_cause="密封胶老化")

    def action(ticket, kind, status, deadline, **fields):
        return CorrectiveAction.objects.create(
            ticket=ticket,
            kind=kind,
            description=f"{kind} {status}",
            owner=people.hank,
            deadline=deadline,
            status=status,
            created_at=ticket.received_at + datetime.timedelta(days=1),
            **fields,
        )

    action(
        valid,
        "corrective",
        "verified",
        datetime.date(2025, 1, 20),
        done_at=aware(2025, 1, 18, 9),
        verified_at=aware(2025, 2, 1, 9),
        verified_by=people.sam,
        verification="复查无渗漏",
    )
    action(valid, "preventive", "planned", datetime.date(2025, 3, 1))
    from manyi.tickets import workflow

    def complaint(customer, received):
        ticket = workflow.open_ticket(
            by=people.amy, customer=customer, channel="phone", subject="投诉", description="投诉内容"
        )
        Ticket.objects.filter(pk=ticket.pk).update(
            received_at=received,
            response_due=None,
            forwarding_due=None,
            solution_due=None,
            resolution_due=None,
        )
        ticket.refresh_from_db()
        return ticket

    south = complaint(units.south_customer, aware(2025, 3, 5, 9))
    action(south, "corrective", "done", datetime.date(2025, 3, 20), done_at=aware(2025, 3, 15, 9))
    script = make_customer(name="<script>alert(1)</script>有限公司", code="C-X", unit=units.garden)
    marked = complaint(script, aware(2025, 5, 5, 9))
    action(marked, "corrective", "planned", datetime.date(2099, 1, 1))
    return SimpleNamespace(tree=units, people=people, valid=valid, south=south, marked=marked)
