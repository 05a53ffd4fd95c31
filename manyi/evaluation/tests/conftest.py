import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from manyi.dashboards.tests.test_dashboard import survey  # noqa: F401
from manyi.organisation.tests.conftest import tree  # noqa: F401
from manyi.results.tests.conftest import fresh_datasets  # noqa: F401


@pytest.fixture(autouse=True)
def english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


def aware(*args):
    return timezone.make_aware(datetime.datetime(*args))


@pytest.fixture
def evaluation_data(tree, people):  # noqa: F811
    """Last year (2025) in both regions' projects: tickets with deadlines, inspections, customers.

    翠湖花园 (east): 4 customers (C-E + 3 more), 1 valid complaint + 1 judged invalid + 1
    inspection finding (not counted) → 1 ÷ 4 × 100 = 25 per 100 customers; deadlines: response
    met, resolution missed, one not set → 1 ÷ 2 × 100 = 50 %; site inspections 80 and 90 → 85.
    滨江府 (south): 2 customers, no ticket → 0; site inspection 70 → 70."""
    from manyi.inspections.models import Inspection
    from manyi.inspections.tests.factories import EXAMPLE_ITEMS, make_checklist
    from manyi.testing import make_customer
    from manyi.tickets import workflow as ticket_workflow
    from manyi.tickets.models import Category, Ticket

    for n in range(3):
        make_customer(name=f"东{n}", code=f"C-E{n}", unit=tree.garden)
    make_customer(name="南1", code="C-S1", unit=tree.river)

    def ticket(customer, **fields):
        t = ticket_workflow.open_ticket(
            by=people.amy, customer=customer, channel="phone", subject="漏水", description="屋顶漏水"
        )
        Ticket.objects.filter(pk=t.pk).update(**fields)
        return t

    jan = aware(2025, 1, 10, 9)
    ticket(
        tree.east_customer,
        received_at=jan,
        response_due=jan + datetime.timedelta(hours=4),
        first_response_at=jan + datetime.timedelta(hours=1),
        resolution_due=jan + datetime.timedelta(days=3),
        resolved_at=jan + datetime.timedelta(days=5),
        forwarding_due=None,
        solution_due=None,
    )
    ticket(
        tree.east_customer,
        received_at=jan,
        validity="invalid",
        response_due=None,
        forwarding_due=None,
        solution_due=None,
        resolution_due=None,
    )
    finding, _ = Category.objects.get_or_create(code="inspection-finding", defaults={"name": "品质巡检发现"})
    ticket(
        tree.east_customer,
        received_at=jan,
        category=finding,
        response_due=None,
        forwarding_due=None,
        solution_due=None,
        resolution_due=None,
    )
    ticket(
        tree.east_customer,
        received_at=aware(2026, 2, 1, 9),
        response_due=None,
        forwarding_due=None,
        solution_due=None,
        resolution_due=None,
    )  # this year: not in 2025's figures

    checklist = make_checklist(EXAMPLE_ITEMS)
    for unit, score, day in ((tree.garden, 80.0, 3), (tree.garden, 90.0, 4), (tree.river, 70.0, 5)):
        Inspection.objects.create(
            template=checklist,
            unit=unit,
            inspector=people.amy,
            due_on=datetime.date(2025, 6, day),
            status="submitted",
            score=score,
            inspected_at=aware(2025, 6, day, 10),
        )
    return SimpleNamespace(tree=tree, people=people, checklist=checklist)


@pytest.fixture
def scheme_2025(evaluation_data):
    from manyi.evaluation.models import EvaluationScheme, Indicator

    scheme = EvaluationScheme.objects.create(
        name="2025年度满意度管理考评方案",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
    )
    Indicator.objects.create(
        scheme=scheme,
        kind="complaint_rate",
        weight=30,
        target=20,
        direction="lower",
        unit_kinds=["project"],
        position=1,
    )
    Indicator.objects.create(
        scheme=scheme,
        kind="sla_compliance",
        weight=30,
        target=90,
        direction="higher",
        unit_kinds=["project"],
        position=2,
    )
    Indicator.objects.create(
        scheme=scheme, kind="inspection_score", weight=40, target=85, direction="higher", position=3
    )
    return scheme
