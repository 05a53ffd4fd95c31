"""Demo improvement actions for `manage.py load_demo` (REQUIREMENTS §8, seed 004's example).

Called after the demo surveys: the item of last year's wave the dashboard ranks first (急需改进,
else the lowest score) becomes an improvement already verified effective and measured in this
year's wave; a few after-sales complaints
become an improvement that is done and ready to be told to the customers; a late delivery
improvement is overdue; one more is planned.
"""

import datetime

from django.utils import timezone

from manyi.campaigns.models import Campaign
from manyi.customers.models import Customer
from manyi.tickets import workflow as ticket_workflow
from manyi.tickets.models import Category

from . import workflow
from .choices import Source
from .models import ImprovementAction
from .scores import survey_figure, survey_overview

MESSAGE = "我们已优化售后响应流程，增设客服专线，目前平均响应时间缩短至1.5小时内，欢迎继续监督。"

# The demo improvements' texts; the weakest survey item's title and problem name the item.
SURVEY_ITEM_TEXTS = {
    "root_cause": "流程环节多、责任人不明确。",
    "measures": "梳理流程，明确各环节负责人和时限；每月通报执行情况。",
    "expected_effect": "下一轮调查该项得分提高5分以上。",
}
SURVEY_ITEM_EVIDENCE = "新流程已发布（文件编号 QP-2025-07），培训记录存质量部。"
SURVEY_ITEM_VERIFIED = "抽查三个月记录，执行到位。"
AFTER_SALES_TEXTS = {
    "title": "缩短售后首次响应时间",
    "problem": "近一个月多位客户投诉售后响应慢（报修后一至两天才联系）。",
    "root_cause": "报修电话只有一条线路，夜间和周末无人接听。",
    "measures": "增设客服专线，承诺2小时内首次响应；周末安排值班。",
    "expected_effect": "售后首次响应平均时间降到2小时以内，同类投诉减少一半。",
}
AFTER_SALES_EVIDENCE = "专线 400-800-1234 已开通，值班表见售后部。"
# The complaints behind it: the ticket's subject and description, the technician's root cause
# and the agent's reply.
AFTER_SALES_TICKET = {
    "subject": "售后响应太慢",
    "description": "设备故障报修后两天才有人联系，影响生产。",
    "root_cause": "报修电话只有一条线路，夜间无人接听。",
    "reply": "已安排工程师上门维修，并在改进售后响应流程。",
}
DELIVERY_TEXTS = {
    "title": "减少交货延误",
    "problem": "交货期经常延误，客户在调查和投诉中多次提到。",
    "measures": "与物流商重新约定时效，发货前一天电话确认。",
}
DOCUMENTATION_TEXTS = {
    "title": "完善技术文档",
    "problem": "客户反映技术文档不够详细。",
    "measures": "补充常见故障处理说明和图示。",
}
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


def load_demo_improvements(users, now=None):
    """Create the demo improvements (once); returns how many were created."""
    if ImprovementAction.objects.exists():
        return 0
    now = now or timezone.now()
    today = timezone.localdate(now)
    supervisor, tech, quality = users["chenjing"], users["wulei"], users["zhoumin"]
    created = _survey_item_improvement(supervisor, quality, now)
    _after_sales_improvement(supervisor, users["liuyang"], tech, now)
    created += 1
    logistics = Category.objects.filter(code="logistics").first()
    if logistics is not None:
        workflow.raise_improvement(
            by=supervisor,
            **DELIVERY_TEXTS,
            source=Source.CATEGORY,
            category=logistics,
            owner=tech,
            deadline=today - 5 * DAY,
            now=now - 40 * DAY,
        )
        created += 1
    workflow.raise_improvement(
        by=supervisor, **DOCUMENTATION_TEXTS, owner=quality, deadline=today + 30 * DAY, now=now
    )
    return created + 1


def _survey_item_improvement(supervisor, quality, now):
    """The item of last year's wave the dashboard ranks first (an item in the 急需改进 quadrant,
    else the lowest score), improved, verified effective and measured in this year's wave;
    1 when created, 0 without two waves or a scored item."""
    waves = list(Campaign.objects.filter(series__isnull=False).exclude(series="").order_by("invite_at"))
    if len(waves) < 2:
        return 0
    before, after = waves[0], waves[-1]
    items = [row for row in survey_overview(before)["items"] if row["score"] is not None]
    if not items:
        return 0
    weakest = items[0]
    where = "，位于重要性-满意度矩阵的“急需改进”区域" if weakest["quadrant"] == "improve" else ""
    improvement = workflow.raise_improvement(
        by=supervisor,
        title=f"提升“{weakest['label']}”满意度",
        problem=f"{before.name}中“{weakest['label']}”得分{weakest['score']:.1f}{where}。",
        **SURVEY_ITEM_TEXTS,
        target_score=min(100.0, weakest["score"] + 5),
        source=Source.SURVEY_ITEM,
        campaign=before,
        item_key=weakest["key"],
        owner=quality,
        deadline=timezone.localdate(before.invite_at) + 90 * DAY,
        now=before.invite_at + 40 * DAY,
    )
    start = before.invite_at
    workflow.apply(improvement, quality, "start", now=start + 45 * DAY)
    workflow.apply(improvement, quality, "complete", SURVEY_ITEM_EVIDENCE, now=start + 100 * DAY)
    workflow.apply(improvement, supervisor, "verify_effective", SURVEY_ITEM_VERIFIED, now=start + 130 * DAY)
    if survey_figure(after, Source.SURVEY_ITEM, weakest["key"]).score is not None:
        workflow.record_effect(improvement, supervisor, campaign=after, note="本年度调查复测。", now=now)
    return 1


def _after_sales_tickets(supervisor, agent, tech, category, now):
    """Three customers' complaints about slow after-sales service, answered and investigated."""
    customers = list(Customer.objects.exclude(email="").order_by("code")[:2]) + list(
        Customer.objects.filter(email="").order_by("code")[:1]
    )
    tickets = []
    for n, customer in enumerate(customers):
        received = now - (30 + n) * DAY
        ticket = ticket_workflow.open_ticket(
            by=agent,
            channel="phone",
            subject=AFTER_SALES_TICKET["subject"],
            description=AFTER_SALES_TICKET["description"],
            customer=customer,
            category=category,
            received_at=received,
            now=received,
        )
        tickets.append(ticket)
    for n, ticket in enumerate(tickets):
        received = now - (30 + n) * DAY
        ticket_workflow.acknowledge(ticket, agent, now=received + datetime.timedelta(minutes=40))
        ticket_workflow.assign(ticket, supervisor, tech.department, tech, now=received + 2 * HOUR)
        ticket_workflow.start_investigation(ticket, tech, now=received + 3 * HOUR)
        ticket_workflow.record_root_cause(ticket, tech, AFTER_SALES_TICKET["root_cause"], now=received + DAY)
        ticket_workflow.reply(ticket, agent, AFTER_SALES_TICKET["reply"], now=received + DAY)
    return tickets


def _after_sales_improvement(supervisor, agent, tech, now):
    """The complaints' improvement, done and overdue, with its message to the customers."""
    after_sales = Category.objects.filter(code="after_sales").first()
    improvement = workflow.raise_improvement(
        by=supervisor,
        **AFTER_SALES_TEXTS,
        source=Source.TICKETS,
        tickets=_after_sales_tickets(supervisor, agent, tech, after_sales, now),
        category=after_sales,
        owner=tech,
        deadline=timezone.localdate(now) - 2 * DAY,
        now=now - 25 * DAY,
    )
    workflow.apply(improvement, tech, "start", now=now - 24 * DAY)
    workflow.apply(improvement, tech, "complete", AFTER_SALES_EVIDENCE, now=now - 5 * DAY)
    workflow.update_improvement(improvement, supervisor, {"customer_message": MESSAGE}, now=now - 4 * DAY)
