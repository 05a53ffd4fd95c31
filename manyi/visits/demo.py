"""Demo data for return visits: the call scripts of seed 000, the rules of seeds 000 and 003,
the planner's tasks for today, and two months of visits already made (records, reviews, a
ticket), so that the worklist, the review queue and the monthly report have something to show."""

import datetime

from django.utils import timezone

from manyi.campaigns.answering import AnswerForm
from manyi.campaigns.choices import CampaignState
from manyi.campaigns.models import Campaign
from manyi.customers.models import Customer

from . import workflow
from .choices import Method, Priority, RuleKind
from .models import VisitRecord, VisitRule, VisitScript, VisitTask
from .planner import add_months, plan_visits

SCRIPTS = {
    "满意度回访（首次）": (
        "{{ contact_name }}先生/女士，您好！我是客户服务部{{ agent_name }}，为了能更好地为您服务，"
        "现在想耽误您几分钟时间，对{{ customer_name }}购买的{{ product }}做一个满意度回访，请问您现在方便吗？\n"
        "（不方便）请问您什么时间方便呢？我什么时间打给您合适？——确认二次回访的具体日期和时间段，记录原因。\n"
        "（方便）1. 产品使用是否正常？ 2. 有没有需要我们解决的问题？ 3. 对我们的服务响应和服务人员是否满意？"
        " 4. 贵单位对接人员有没有变动？ 5. 还有其他需求或建议吗？\n"
        "结束语：非常感谢您的支持，您的问题我已经详细记录，我们会尽快给您回复，祝您工作顺利，再见！"
    ),
    "例行回访": (
        "您好，请问是{{ customer_name }}的{{ contact_name }}吗？我是客户服务部{{ agent_name }}，"
        "这次是例行回访（{{ purpose }}），耽误您几分钟可以吗？\n"
        "请问最近设备运行情况怎么样？有没有需要我们上门处理的问题？\n"
        "非常感谢您的合作，如果您在使用中有什么问题，请随时和我们联系。"
    ),
    "投诉闭单回访": (
        "{{ contact_name }}您好，我是客户服务部{{ agent_name }}。您之前反映的问题我们已经处理完毕，"
        "想了解一下处理结果您是否满意？问题是否彻底解决了？\n"
        "感谢您的反馈，我们会继续改进。"
    ),
}

RULES = [
    # name, kind, days, purpose, method, priority, script
    (
        "交付后一个月回访",
        RuleKind.AFTER_DELIVERY,
        30,
        "交付满一个月：了解使用情况",
        Method.PHONE_FIRST,
        Priority.NORMAL,
        "满意度回访（首次）",
    ),
    (
        "交付后三个月回访",
        RuleKind.AFTER_DELIVERY,
        90,
        "交付满三个月：了解使用情况和问题",
        Method.PHONE_ROUTINE,
        Priority.NORMAL,
        "满意度回访（首次）",
    ),
    (
        "保修期满回访",
        RuleKind.WARRANTY_END,
        0,
        "保修期满：确认设备状况，介绍维保服务",
        Method.PHONE_ROUTINE,
        Priority.HIGH,
        "例行回访",
    ),
    (
        "保修期内半年回访",
        RuleKind.HALF_YEARLY,
        0,
        "保修期内定期回访",
        Method.PHONE_ROUTINE,
        Priority.NORMAL,
        "例行回访",
    ),
    ("活跃客户月度例行回访", RuleKind.MONTHLY, 0, "例行回访", Method.PHONE_ROUTINE, Priority.LOW, "例行回访"),
    (
        "大客户每周特定回访",
        RuleKind.WEEKLY_KEY,
        0,
        "大客户特定回访",
        Method.ON_SITE_KEY,
        Priority.HIGH,
        "例行回访",
    ),
    (
        "投诉闭单回访",
        RuleKind.TICKET_CLOSED,
        1,
        "闭单回访：确认处理结果",
        Method.PHONE_ROUTINE,
        Priority.URGENT,
        "投诉闭单回访",
    ),
]

PROBLEMS = ["设备运行时噪音偏大，希望安排工程师检查", "发票尚未收到", "操作说明书缺页", "备件交货慢"]
NOTES = [
    "设备运行正常，操作人员已熟练",
    "对服务响应速度满意",
    "希望增加操作培训",
    "对接人已更换为新任设备科长",
]


def load_demo_visits(users, rng, today=None):
    """Create scripts, rules, past visits and today's plan. Returns the number of tasks."""
    today = today or timezone.localdate()
    scripts = {name: VisitScript.objects.create(name=name, body=body) for name, body in SCRIPTS.items()}
    campaign = Campaign.objects.filter(state=CampaignState.RUNNING).order_by("-created_at").first()
    rules = {}
    for name, kind, days, purpose, method, priority, script in RULES:
        rules[kind, days] = VisitRule.objects.create(
            name=name,
            kind=kind,
            days=days,
            purpose=purpose,
            method=method,
            priority=priority,
            script=scripts[script],
            campaign=campaign if kind != RuleKind.WEEKLY_KEY else None,
        )
    _past_visits(users, rng, today, campaign, scripts["满意度回访（首次）"], rules)
    plan_visits(today)
    return VisitTask.objects.count()


def _past_visits(users, rng, today, campaign, script, rules):
    """Visits of last month and this month so far, as the delivery and monthly rules planned them."""
    agents = [users[name] for name in ("liuyang", "zhaoli") if name in users]
    supervisor = users.get("chenjing")
    if not agents or supervisor is None:
        return
    customers = list(Customer.objects.filter(erased_at__isnull=True).order_by("code")[:400])
    if not customers:
        return
    VisitTask.objects.bulk_create(_past_tasks(agents, customers, rng, today, campaign, script, rules))
    tz = timezone.get_current_timezone()
    visits = []
    for n, task in enumerate(
        VisitTask.objects.filter(source_key__startswith="demo")
        .select_related("customer", "campaign__questionnaire")
        .order_by("pk")
    ):
        when = datetime.datetime.combine(task.planned_on, datetime.time(9 + n % 8, 15), tzinfo=tz)
        visits.append((when + datetime.timedelta(days=rng.choice((0, 0, 0, 1, 2, 5))), task.pk, task))
    now = timezone.now()
    # In the order they happened, as in use: the survey's visit results are made at the first
    # answer of a customer it did not invite, so no answer in them is dated before they exist.
    for when, _pk, task in sorted(visits):
        if when < now:  # else still to do
            _past_outcome(task, supervisor, when, now, today, rng)


def _past_tasks(agents, customers, rng, today, campaign, script, rules):
    """Sixty unsaved tasks: forty last month, twenty this month so far; two in three after a
    delivery, the others monthly."""
    last_month = add_months(today.replace(day=1), -1)
    # Visits planned before the wave's invitations went out did not ask its questionnaire.
    wave_started = timezone.localdate(campaign.invite_at) if campaign and campaign.invite_at else None
    tasks = []
    for n in range(60):
        month = last_month if n < 40 else today.replace(day=1)
        span = 28 if month == last_month else max(1, today.day - 1)
        day = month + datetime.timedelta(days=rng.randrange(span))
        agent = agents[n % len(agents)]
        tasks.append(
            VisitTask(
                customer=rng.choice(customers),
                source_key=f"demo{n}",
                rule=rules[RuleKind.AFTER_DELIVERY, 30] if n % 3 else rules[RuleKind.MONTHLY, 0],
                purpose="交付满一个月：了解使用情况" if n % 3 else "例行回访",
                method=Method.PHONE_FIRST if n % 3 else Method.PHONE_ROUTINE,
                planned_on=day,
                due_on=day,
                agent=agent,
                department_id=agent.department_id,
                campaign=campaign if wave_started is None or day > wave_started else None,
                script=script,
            )
        )
    return tasks


def _past_outcome(task, supervisor, when, now, today, rng):
    """A past visit's outcome: refused, three calls unanswered, busy (this month), or done."""
    agent = task.agent
    roll = rng.random()
    if roll < 0.08:
        workflow.record_refused(task, by=agent, reason="客户表示不需要回访", now=when)
    elif roll < 0.16:
        for k in range(3):
            if when + datetime.timedelta(days=k) < now:
                task = workflow.record_no_answer(
                    task, by=agent, note="无人接听", now=when + datetime.timedelta(days=k)
                )
    elif roll < 0.24 and task.planned_on >= today.replace(day=1):
        workflow.record_busy(
            task,
            by=agent,
            callback_at=now + datetime.timedelta(days=1, hours=2),
            reason="客户在开会，约明天再联系",
            now=when,
        )
    else:
        _done(task, agent, supervisor, when, rng)


def _done(task, agent, supervisor, when, rng):
    answers = None
    if task.campaign_id and task.campaign.is_open():
        from manyi.campaigns.demo import _answers

        form = AnswerForm(
            task.campaign.questionnaire, data=_answers(task.campaign.questionnaire, rng.gauss(0.4, 0.8), rng)
        )
        answers = form.cleaned_data if form.is_valid() else None
    contact = task.customer.contacts.first()
    problem = rng.choice(PROBLEMS) if rng.random() < 0.25 else ""
    record = VisitRecord(
        visitee=contact.name if contact else task.customer.name,
        visitee_title=contact.title if contact else "",
        method=task.method,
        visited_at=when,
        about_usage=True,
        about_problems=bool(problem),
        about_service=rng.random() < 0.6,
        about_staff=rng.random() < 0.1,
        notes=rng.choice(NOTES),
        problem=problem,
        handling="已转相关部门处理" if problem else "",
        customer_confirmed=True,
    )
    record = workflow.complete(task, by=agent, record=record, answers=answers, now=when)
    if record.response_id:
        # Answered at the visit (save_response stamps the time it runs at).
        response = record.response
        type(response).objects.filter(pk=response.pk).update(started_at=when, completed_at=when)
        if response.invitation_id:
            type(response.invitation).objects.filter(pk=response.invitation_id).update(
                started_at=when, completed_at=when
            )
    if problem and rng.random() < 0.6:
        workflow.open_problem_ticket(record, by=agent)
    if when.date() < timezone.localdate() - datetime.timedelta(days=7):
        roll = rng.random()
        if roll < 0.8:
            workflow.review(
                record, by=supervisor, approve=True, comments="", now=when + datetime.timedelta(days=1)
            )
        elif roll < 0.9:
            workflow.review(
                record,
                by=supervisor,
                approve=False,
                comments="请补充客户对服务响应的具体评价。",
                now=when + datetime.timedelta(days=1),
            )
    return record
