"""A customer forum's page in a real browser: the supervisor opens the 华东 forum from the
"Quality management" menu, sees who came and the opinions, and makes a ticket of one opinion;
the page is screenshot in Chinese (test-artifacts/screenshots/forum-detail.png)."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from manyi.forums import workflow
from manyi.forums.models import Opinion
from manyi.organisation.models import Unit
from manyi.results.models import Topic
from manyi.testing import make_customer
from manyi.tickets.attachments import check_uploads
from manyi.tickets.models import Ticket
from tests.security.conftest import png_bytes


def _forum(people):
    group = Unit.objects.create(code="HX", name="恒信集团", kind="group")
    east = Unit.objects.create(code="HX-E", name="华东区域公司", kind="region", parent=group)
    customers = [
        make_customer(code=code, name=name, unit=east)
        for code, name in (
            ("C0001", "杭州精工机械有限公司"),
            ("C0002", "宁波海天塑机"),
            ("C0003", "苏州恒力重工"),
        )
    ]
    forum = workflow.save_forum(
        by=people.sam,
        unit=east,
        held_on=timezone.localdate() - datetime.timedelta(days=3),
        title="2026年华东区域重点客户座谈会",
        place="杭州 恒信大厦三楼会议室",
        host=people.sam,
        summary="听取重点客户对产品质量、交付和售后服务的意见和建议。",
    )
    workflow.invite(forum, by=people.sam, codes=[c.code for c in customers])
    came = list(forum.invitations.filter(customer__in=customers[:2]).values_list("pk", flat=True))
    workflow.record_attendance(forum, by=people.sam, came=came)
    delivery = Topic.objects.filter(code="delivery").first()
    first = workflow.add_opinion(
        forum,
        by=people.sam,
        text="设备到货后安装调试要等两周以上，希望缩短到一周以内。",
        customer=customers[0],
        topic=delivery,
    )
    workflow.make_ticket(first, by=people.sam)
    workflow.add_opinion(forum, by=people.sam, text="服务热线高峰期经常打不通。", customer=customers[1])
    workflow.attach_minutes(
        forum, by=people.sam, checked_files=check_uploads([SimpleUploadedFile("座谈会纪要.png", png_bytes())])
    )
    return forum


def test_the_supervisor_reads_the_forum_and_makes_a_ticket_of_an_opinion(
    page, login, screenshot, people, settings, tmp_path
):
    settings.FORUM_MINUTES_ROOT = tmp_path / "minutes"
    settings.TICKET_ATTACHMENT_ROOT = tmp_path / "tickets"
    forum = _forum(people)
    login(people.sam)
    page.click("#nav-quality")
    page.click("#nav-forums")
    page.click(f"#forums a[href='{forum.get_absolute_url()}']")
    assert page.locator("#invitations tbody tr").count() == 3
    assert page.locator("#forum-attendance-count").inner_text() == "2 / 3"
    ticket = Ticket.objects.get()
    assert ticket.reference in page.locator("#opinions").inner_text()
    screenshot("forum-detail")
    second = Opinion.objects.get(ticket__isnull=True)
    page.click(f"#opinion-{second.pk} form[action$='/ticket/'] button")
    page.wait_for_selector(".alert-success")
    second.refresh_from_db()
    assert (
        second.ticket is not None
        and second.ticket.reference in page.locator(f"#opinion-{second.pk}").inner_text()
    )
    assert Ticket.objects.count() == 2
