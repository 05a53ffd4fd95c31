"""The demo forum (load_demo): the 华东 region's forum six weeks ago with its key customers
invited, five of six come, four opinions, the first already a ticket, the minutes as a PDF."""

import pytest
from django.utils import timezone

from manyi.accounts.choices import Role
from manyi.customers.choices import CustomerKind, CustomerType
from manyi.forums.demo import OPINIONS, load_demo_forums
from manyi.forums.models import Forum
from manyi.organisation.models import Unit
from manyi.testing import make_customer, make_department, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_company():
    group = Unit.objects.create(code="HX", name="恒信集团", kind="group")
    east = Unit.objects.create(code="HX-E", name="华东区域公司", kind="region", parent=group)
    south = Unit.objects.create(code="HX-S", name="华南区域公司", kind="region", parent=group)
    project = Unit.objects.create(code="HX-E-ZJ", name="浙江项目部", kind="project", parent=east)
    for n in range(8):
        make_customer(code=f"E{n:03d}", unit=project if n % 2 else east, customer_type=CustomerType.VIP)
    make_customer(code="S000", unit=south, customer_type=CustomerType.VIP)
    make_customer(code="E-AAA", unit=east, customer_type=CustomerType.VIP, kind=CustomerKind.PERSON)
    service = make_department(name="客服部", code="CS")
    return {"chenjing": make_user("chenjing", Role.SUPERVISOR, department=service)}


def test_the_demo_holds_the_east_regions_forum_with_a_ticket_and_minutes(demo_company, settings, tmp_path):
    settings.FORUM_MINUTES_ROOT = tmp_path / "minutes"
    assert load_demo_forums(demo_company) == 1
    forum = Forum.objects.get()
    assert forum.unit.code == "HX-E" and (timezone.localdate() - forum.held_on).days == 42
    codes = list(forum.invitations.values_list("customer__code", flat=True))
    assert codes == [f"E{n:03d}" for n in range(6)]  # the region's companies, never a person nor the south's
    assert forum.invitations.filter(attended=True).count() == 5
    opinions = list(forum.opinions.select_related("ticket"))
    assert [o.text for o in opinions] == [text for text, _who, _topic in OPINIONS]
    assert opinions[0].ticket is not None and opinions[0].ticket.unit == forum.unit
    assert [o.ticket_id is None for o in opinions[1:]] == [True, True, True]
    minutes = forum.minutes.get()
    assert minutes.content_type == "application/pdf" and minutes.file.read(5) == b"%PDF-"


def test_a_demo_without_units_gets_no_forum(demo_company):
    Unit.objects.filter(code="HX-E").update(code="OTHER")
    assert load_demo_forums(demo_company) == 0 and not Forum.objects.exists()
