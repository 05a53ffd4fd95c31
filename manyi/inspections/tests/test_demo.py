"""The demo inspections (load_demo): this year's inspections of the projects, findings that
became tickets, one corrected and closed by a re-inspection, one with its action planned."""

import random

import pytest
from django.utils import timezone

from manyi.accounts.choices import Role
from manyi.inspections.choices import FindingStatus, InspectionStatus
from manyi.inspections.demo import PROJECTS, load_demo_inspections
from manyi.inspections.models import Finding, Inspection
from manyi.organisation.models import Unit
from manyi.testing import make_department, make_user
from manyi.tickets.choices import ActionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_users(settings, tmp_path):
    settings.INSPECTION_PHOTO_ROOT = tmp_path / "photos"
    service, quality = make_department(name="客服部", code="CS"), make_department(name="质量部", code="QA")
    group = Unit.objects.create(code="HX", name="恒信集团", kind="group")
    for code in PROJECTS:
        Unit.objects.create(code=code, name=f"项目{code}", kind="project", parent=group)
    return {
        "chenjing": make_user("chenjing", Role.SUPERVISOR, department=service),
        "liuyang": make_user("liuyang", Role.AGENT, department=service),
        "zhaoli": make_user("zhaoli", Role.AGENT, department=service),
        "zhoumin": make_user("zhoumin", Role.HANDLER, department=quality),
    }


def test_the_demo_has_this_years_inspections_findings_actions_and_a_closing_re_inspection(demo_users):
    count = load_demo_inspections(demo_users, random.Random(7))
    assert count == Inspection.objects.count() == len(PROJECTS) * 5 + 1
    reviewed = Inspection.objects.filter(status=InspectionStatus.REVIEWED, follow_up_of__isnull=True)
    assert reviewed.count() == len(PROJECTS) * 4
    assert all(i.score is not None and 0 < i.score <= 100 for i in reviewed)
    # Each project's first inspection failed an item on purpose: every finding has a ticket.
    assert Finding.objects.count() >= len(PROJECTS)
    assert not Finding.objects.filter(ticket__isnull=True).exists()
    closed = Finding.objects.filter(status=FindingStatus.RESOLVED)
    assert closed.exists() and all(
        f.resolved_by.inspection.follow_up_of_id == f.inspection_id for f in closed
    )
    verified = closed.filter(ticket__actions__isnull=False).get().ticket.actions.get()
    assert verified.status == ActionStatus.VERIFIED
    planned = Finding.objects.filter(status=FindingStatus.OPEN, ticket__actions__status=ActionStatus.PLANNED)
    assert planned.count() == 1
    # Still to do on the inspectors' lists, due after today.
    assert Inspection.objects.filter(
        status=InspectionStatus.PLANNED, due_on__gt=timezone.localdate()
    ).count() == len(PROJECTS)


def test_a_demo_without_units_gets_no_inspections(demo_users):
    Unit.objects.filter(code__in=PROJECTS).delete()
    assert load_demo_inspections(demo_users, random.Random(7)) == 0
