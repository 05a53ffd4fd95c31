"""The demo forum for `manage.py load_demo` (issue 19, point 7): the 华东 region's invited-customer
forum (特邀客户座谈会) six weeks ago, its key customers invited, who came, the opinions raised
(one already a complaint ticket), and the minutes as a PDF.

Everything goes through ``workflow`` dated in the past with the verbs' ``now``, so the demo holds
nothing the pages could not have made.
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.html import escape

from manyi.customers.choices import CustomerKind, CustomerType
from manyi.organisation.models import Unit
from manyi.results.models import Topic
from manyi.tickets.attachments import check_uploads

from . import workflow
from .access import ForumScope

DAY = datetime.timedelta(days=1)
REGION = "HX-E"  # organisation/unit_demo.py: 华东区域公司; a demo without units gets no forum
TITLE = "华东区域重点客户座谈会"
PLACE = "杭州 恒信大厦三楼会议室"
SUMMARY = "邀请华东区域重点客户，听取对产品质量、交付和售后服务的意见和建议，为明年的改进计划提供参考。"
# (what was said, by the n-th invited customer or None, topic code); the first becomes a ticket.
OPINIONS = [
    ("设备到货后安装调试要等两周以上，影响投产，希望缩短到一周以内。", 0, "delivery"),
    ("售后工程师技术过硬，但服务热线高峰期经常打不通。", 1, "communication"),
    ("希望提供操作人员培训和完整的中文操作手册。", 2, "technical"),
    ("易损配件价格偏高，希望公布配件价格表。", None, "price"),
]
INVITED = 6
ABSENT = {4}  # the fifth invited customer sent apologies


def _minutes_pdf(forum, invitations, opinions):
    from manyi.pdf import html_to_pdf

    came = "、".join(escape(i.customer.name) for i in invitations if i.attended)
    said = "".join(f"<li>{escape(o.text)}</li>" for o in opinions)
    html = (
        "<html><head><meta charset='utf-8'><style>body{font-family:'Noto Sans CJK SC',sans-serif;"
        "font-size:11pt}</style></head><body>"
        f"<h1>{escape(forum.title)}纪要</h1>"
        f"<p>时间：{forum.held_on:%Y年%m月%d日}　地点：{escape(forum.place)}　主持：{escape(forum.host.display_name)}</p>"
        f"<p>出席客户：{came}</p><h2>客户意见和建议</h2><ol>{said}</ol>"
        "<p>会后由客服部将意见录入系统，逐条落实责任部门并回复客户。</p></body></html>"
    )
    return SimpleUploadedFile("座谈会纪要.pdf", html_to_pdf(html), content_type="application/pdf")


def load_demo_forums(users, today=None):
    """The 华东 region's forum six weeks ago. Returns the number of forums (0 without units)."""
    today = today or timezone.localdate()
    host = users.get("chenjing")
    region = Unit.objects.filter(code=REGION).first()
    if host is None or region is None:
        return 0
    held_on = today - 42 * DAY
    when = timezone.make_aware(datetime.datetime.combine(held_on, datetime.time(14, 0)))
    planned = when - 14 * DAY
    forum = workflow.save_forum(
        by=host,
        unit=region,
        held_on=held_on,
        title=f"{held_on.year}年{TITLE}",
        place=PLACE,
        host=host,
        summary=SUMMARY,
        now=planned,
    )
    # The region's key accounts: its companies, VIP customers first.
    customers = ForumScope(host).invitable_customers(forum).filter(kind=CustomerKind.COMPANY)
    chosen = list(customers.filter(customer_type=CustomerType.VIP).order_by("code")[:INVITED])
    chosen += list(customers.exclude(pk__in=[c.pk for c in chosen]).order_by("code")[: INVITED - len(chosen)])
    if not chosen:
        return 1
    workflow.invite(forum, by=host, codes=[c.code for c in chosen])
    invitations = {i.customer_id: i for i in forum.invitations.all()}
    came = [invitations[c.pk].pk for n, c in enumerate(chosen) if n not in ABSENT]
    workflow.record_attendance(forum, by=host, came=came, now=when + datetime.timedelta(hours=3))
    topics = {t.code: t for t in Topic.objects.all()}
    opinions = [
        workflow.add_opinion(
            forum,
            by=host,
            text=text,
            customer=chosen[who] if who is not None and who < len(chosen) else None,
            topic=topics.get(topic),
            now=when + DAY,
        )
        for text, who, topic in OPINIONS
    ]
    workflow.make_ticket(opinions[0], by=host, now=when + DAY)
    invitations = list(forum.invitations.select_related("customer"))
    workflow.attach_minutes(
        forum,
        by=host,
        checked_files=check_uploads([_minutes_pdf(forum, invitations, opinions)]),
        now=when + DAY,
    )
    return 1
