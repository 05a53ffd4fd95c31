"""Two regions of a group, a customer or two in each, and a held forum of each region."""

import datetime
import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from manyi.forums import workflow
from manyi.organisation.models import Unit
from manyi.testing import make_customer

DAY = datetime.timedelta(days=1)


def png_upload(name="纪要.png"):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 90, 160)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf_upload(name="座谈会纪要.pdf"):
    data = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture(autouse=True)
def english_messages():
    """These tests read the messages in English (the msgids); pages show them translated."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def minutes_folder(settings, tmp_path):
    settings.FORUM_MINUTES_ROOT = tmp_path / "minutes"
    settings.TICKET_ATTACHMENT_ROOT = tmp_path / "tickets"


@pytest.fixture
def regions(people):
    """The group (alice, sam and ana by default see it all) with 华东 and 华西, a project under
    华东, customers of each, and a forum of each region held ten days ago."""
    group = Unit.objects.create(code="G", name="恒信集团", kind="group")
    east = Unit.objects.create(code="E", name="华东区域公司", kind="region", parent=group)
    west = Unit.objects.create(code="W", name="华西区域公司", kind="region", parent=group)
    east_project = Unit.objects.create(code="E1", name="浙江项目部", kind="project", parent=east)
    east_customer = make_customer(code="E-001", name="杭州精工", unit=east_project)
    east_other = make_customer(code="E-002", name="宁波机床", unit=east)
    west_customer = make_customer(code="W-001", name="成都重工", unit=west)
    held_on = timezone.localdate() - 10 * DAY
    common = {"by": people.sam, "held_on": held_on, "host": people.sam, "place": "会议室"}
    east_forum = workflow.save_forum(unit=east, title="华东客户座谈会", **common)
    west_forum = workflow.save_forum(unit=west, title="华西客户座谈会", **common)
    workflow.invite(east_forum, by=people.sam, codes=["E-001", "E-002"])
    workflow.invite(west_forum, by=people.sam, codes=["W-001"])
    return SimpleNamespace(
        group=group,
        east=east,
        west=west,
        east_project=east_project,
        east_customer=east_customer,
        east_other=east_other,
        west_customer=west_customer,
        east_forum=east_forum,
        west_forum=west_forum,
        held_on=held_on,
    )


@pytest.fixture
def west_opinion(regions, people):
    """An opinion of the 华西 customer with a minutes file on its forum."""
    from manyi.tickets.attachments import check_uploads

    forum = regions.west_forum
    opinion = workflow.add_opinion(forum, by=people.sam, text="交货期太长。", customer=regions.west_customer)
    workflow.attach_minutes(forum, by=people.sam, checked_files=check_uploads([pdf_upload()]))
    return opinion
