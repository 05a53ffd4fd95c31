"""The pages: who sees which tasks, outcomes through the forms, review, rules, scripts, plans."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.testing import make_contact, make_customer, make_purchase
from manyi.visits.choices import Method, ReviewStatus, RuleKind, TaskStatus
from manyi.visits.models import VisitAttempt, VisitPlan, VisitRecord, VisitRule, VisitScript, VisitTask

from .factories import make_task, make_visit_campaign

pytestmark = pytest.mark.django_db


def record_post(**overrides):
    data = {
        "rec-visitee": "张工",
        "rec-visitee_title": "设备科长",
        "rec-method": Method.PHONE_FIRST,
        "rec-visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "rec-about_usage": "on",
        "rec-notes": "使用正常",
    }
    data.update(overrides)
    return data


def test_an_agent_sees_only_own_tasks(team, client_as):
    mine = make_task(make_customer(name="阿米的客户"), agent=team.amy)
    make_task(make_customer(name="鲍勃的客户"), agent=team.bob)
    page = client_as(team.amy).get(reverse("visits:list")).content.decode()
    assert "阿米的客户" in page and "鲍勃的客户" not in page
    assert client_as(team.amy).get(reverse("visits:task", args=[mine.pk])).status_code == 200
    bobs = VisitTask.objects.get(agent=team.bob)
    assert client_as(team.amy).get(reverse("visits:task", args=[bobs.pk])).status_code == 404
    # Another agent's choice of agent in the URL is ignored for agents.
    page = client_as(team.amy).get(reverse("visits:list") + f"?agent={team.bob.pk}").content.decode()
    assert "鲍勃的客户" not in page


def test_a_supervisor_sees_the_teams_tasks_and_not_other_teams(team, client_as):
    make_task(make_customer(name="阿米的客户"), agent=team.amy)
    make_task(make_customer(name="鲍勃的客户"), agent=team.bob)
    make_task(make_customer(name="售后的客户"), agent=team.otto)
    page = client_as(team.sam).get(reverse("visits:list")).content.decode()
    assert "阿米的客户" in page and "鲍勃的客户" in page and "售后的客户" not in page
    page = client_as(team.sam).get(reverse("visits:list") + f"?agent={team.bob.pk}").content.decode()
    assert "鲍勃的客户" in page and "阿米的客户" not in page
    # An agent of another team cannot be chosen.
    page = client_as(team.sam).get(reverse("visits:list") + f"?agent={team.otto.pk}").content.decode()
    assert "售后的客户" not in page
    otto_task = VisitTask.objects.get(agent=team.otto)
    assert client_as(team.sam).get(reverse("visits:task", args=[otto_task.pk])).status_code == 404
    assert client_as(team.olga).get(reverse("visits:task", args=[otto_task.pk])).status_code == 200


def test_tabs_split_today_overdue_callbacks_and_coming_days_by_priority(team, client_as):
    today = timezone.localdate()
    make_task(make_customer(name="今天普通"), agent=team.amy, due_on=today, priority=2)
    make_task(make_customer(name="今天紧急"), agent=team.amy, due_on=today, priority=4)
    make_task(make_customer(name="逾期客户"), agent=team.amy, due_on=today - timedelta(days=3))
    make_task(make_customer(name="下周客户"), agent=team.amy, due_on=today + timedelta(days=5))
    make_task(
        make_customer(name="回拨客户"),
        agent=team.amy,
        status=TaskStatus.CALLBACK,
        callback_at=timezone.now() + timedelta(hours=2),
        callback_reason="开会",
    )
    make_task(make_customer(name="已完成客户"), agent=team.amy, status=TaskStatus.DONE)
    client = client_as(team.amy)
    response = client.get(reverse("visits:list"))
    page = response.content.decode()
    assert page.index("今天紧急") < page.index("今天普通")
    assert "逾期客户" not in page and "已完成客户" not in page
    counts = {key: count for key, _label, count in response.context["tabs"]}
    assert counts == {"today": "2", "overdue": "1", "callbacks": "1", "upcoming": "1", "returned": "0"}
    assert "逾期客户" in client.get(reverse("visits:list") + "?tab=overdue").content.decode()
    assert "开会" in client.get(reverse("visits:list") + "?tab=callbacks").content.decode()
    assert "下周客户" in client.get(reverse("visits:list") + "?tab=upcoming").content.decode()
    assert client.get(reverse("visits:list") + "?tab=nonsense").status_code == 200


def test_the_worklist_query_count_does_not_grow_with_tasks(team, client_as, django_assert_max_num_queries):
    for _n in range(30):
        make_task(make_customer(), agent=team.amy)
    client = client_as(team.amy)
    with django_assert_max_num_queries(8):
        client.get(reverse("visits:list"))


@pytest.mark.parametrize("who", ["hank", "ana"])
def test_handlers_and_analysts_have_no_worklist(team, client_as, who):
    task = make_task(agent=team.amy)
    client = client_as(getattr(team, who))
    assert client.get(reverse("visits:list")).status_code == 403
    assert client.get(reverse("visits:task", args=[task.pk])).status_code == 403
    assert (
        client.post(reverse("visits:outcome", args=[task.pk, "refused"]), {"ref-reason": "x"}).status_code
        == 403
    )
    assert client.get(reverse("visits:rules")).status_code == 403
    assert client.get(reverse("visits:review")).status_code == 403


def test_analysts_read_the_report_and_handlers_do_not(team, client_as):
    assert client_as(team.ana).get(reverse("visits:report")).status_code == 200
    assert client_as(team.hank).get(reverse("visits:report")).status_code == 403
    assert client_as(team.amy).get(reverse("visits:report")).status_code == 403
    assert client_as(None).get(reverse("visits:list")).status_code == 302


def test_the_call_screen_shows_the_customers_context_and_the_script_with_the_name(team, client_as):
    from manyi.tickets.choices import Channel
    from manyi.tickets.workflow import open_ticket

    customer = make_customer(name="<b>恒信</b>机械")
    make_contact(customer, name="李经理", phone="13800001111", is_primary=True)
    make_purchase(customer, purchased_on=date(2026, 9, 1), warranty_end=date(2027, 9, 1))
    open_ticket(
        by=team.amy, channel=Channel.PHONE, subject="噪音大", description="设备噪音大", customer=customer
    )
    script = VisitScript.objects.create(
        name="首次回访", body="{{ contact_name }}您好！我是{{ agent_name }}，感谢{{ customer_name }}的支持。"
    )
    task = make_task(customer, agent=team.amy, script=script)
    page = client_as(team.amy).get(reverse("visits:task", args=[task.pk])).content.decode()
    assert "李经理您好！我是王芳，感谢&lt;b&gt;恒信&lt;/b&gt;机械的支持。" in page
    assert "13800001111" in page and "噪音大" in page and "2027-09-01" in page


def test_busy_through_the_form_and_bad_input_changes_nothing(team, client_as):
    task = make_task(agent=team.amy)
    client = client_as(team.amy)
    url = reverse("visits:outcome", args=[task.pk, "busy"])
    assert client.post(url, {"busy-callback_at": "明天", "busy-reason": "忙"}).status_code == 400
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"busy-callback_at": past, "busy-reason": "忙"}, follow=True)
    assert "回拨时间必须晚于现在" in response.content.decode()
    assert client.post(reverse("visits:outcome", args=[task.pk, "vanish"]), {}).status_code == 404
    task.refresh_from_db()
    assert (task.status, task.attempts) == (TaskStatus.PENDING, 0)
    later = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, {"busy-callback_at": later, "busy-reason": "在开会"}).status_code == 302
    task.refresh_from_db()
    assert (task.status, task.callback_reason) == (TaskStatus.CALLBACK, "在开会")


def test_done_through_the_form_with_answers(team, client_as):
    campaign = make_visit_campaign()
    task = make_task(agent=team.amy, campaign=campaign)
    questions = {q.code: q for q in campaign.questionnaire.questions.all()}
    client = client_as(team.amy)
    url = reverse("visits:complete", args=[task.pk])
    # Required question Q2 missing and no content ticked: nothing is stored.
    data = record_post(**{f"q-{questions['Q1'].pk}": str(questions["Q1"].options.first().pk)})
    del data["rec-about_usage"]
    assert client.post(url, data).status_code == 400
    assert not VisitRecord.objects.exists() and not VisitAttempt.objects.exists()
    data = record_post(
        **{
            f"q-{questions['Q1'].pk}": str(questions["Q1"].options.get(label="满意").pk),
            f"q-{questions['Q2'].pk}": str(questions["Q2"].options.get(label="很满意").pk),
            "rec-problem": "发票未收到",
        }
    )
    response = client.post(url, data)
    record = VisitRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == record.get_absolute_url()
    assert record.response.points == {"Q1": 8, "Q2": 10}
    assert record.response.agent == team.amy
    page = client.get(record.get_absolute_url()).content.decode()
    assert "发票未收到" in page
    # One click: the problem becomes a ticket.
    client.post(reverse("visits:record_ticket", args=[record.pk]))
    record.refresh_from_db()
    assert record.ticket is not None and record.ticket.customer == task.customer


def test_review_queue_approve_and_return(team, client_as):
    task = make_task(make_customer(name="待审客户"), agent=team.amy)
    record = VisitRecord.objects.create(
        task=task,
        customer=task.customer,
        agent=team.amy,
        visitee="张工",
        method=Method.PHONE_FIRST,
        visited_at=timezone.now(),
        about_usage=True,
    )
    assert "待审客户" in client_as(team.sam).get(reverse("visits:review")).content.decode()
    assert "待审客户" not in client_as(team.olga).get(reverse("visits:review")).content.decode()
    assert client_as(team.amy).get(reverse("visits:review")).status_code == 403
    url = reverse("visits:record_review", args=[record.pk])
    assert client_as(team.olga).post(url, {"decision": "approve"}).status_code == 404
    client_as(team.sam).post(url, {"decision": "return", "comments": ""})
    record.refresh_from_db()
    assert record.review_status == ReviewStatus.SUBMITTED  # returning needs comments
    client_as(team.sam).post(url, {"decision": "return", "comments": "请补充处理结果"})
    record.refresh_from_db()
    assert record.review_status == ReviewStatus.RETURNED
    # It is back on the agent's list; the agent corrects it and submits it again.
    client = client_as(team.amy)
    assert "请补充处理结果" in client.get(reverse("visits:list") + "?tab=returned").content.decode()
    edit = reverse("visits:record_edit", args=[record.pk])
    assert client_as(team.bob).get(edit).status_code == 404
    data = record_post(**{"rec-handling": "已补寄发票"})
    assert client_as(team.amy).post(edit, data).status_code == 302
    record.refresh_from_db()
    assert (record.review_status, record.handling) == (ReviewStatus.SUBMITTED, "已补寄发票")
    client_as(team.sam).post(url, {"decision": "approve"})
    record.refresh_from_db()
    assert record.review_status == ReviewStatus.APPROVED


def test_rules_and_scripts_are_edited_by_supervisors_with_validation(team, client_as):
    client = client_as(team.sam)
    bad = {
        "name": "交付后",
        "kind": RuleKind.AFTER_DELIVERY,
        "days": "-5",
        "purpose": "了解使用情况",
        "method": Method.PHONE_FIRST,
        "priority": "2",
        "catch_up_days": "14",
        "is_active": "on",
    }
    assert client.post(reverse("visits:rule_new"), bad).status_code == 400
    assert not VisitRule.objects.exists()
    assert client.post(reverse("visits:rule_new"), {**bad, "days": "30"}).status_code == 302
    assert VisitRule.objects.get().days == 30
    assert client_as(team.amy).post(reverse("visits:rule_new"), {**bad, "days": "90"}).status_code == 403
    client = client_as(team.sam)
    response = client.post(
        reverse("visits:script_new"), {"name": "坏话术", "body": "{% debug %}{{ secret }}", "is_active": "on"}
    )
    assert response.status_code == 400 and not VisitScript.objects.exists()
    assert (
        client.post(
            reverse("visits:script_new"),
            {"name": "好话术", "body": "{{ customer_name }}您好", "is_active": "on"},
        ).status_code
        == 302
    )


def test_plan_now_plans_the_rules(team, client_as):
    customer = make_customer(owner=team.amy)
    make_purchase(customer, purchased_on=timezone.localdate() - timedelta(days=30))
    VisitRule.objects.create(name="一个月", kind=RuleKind.AFTER_PURCHASE, days=30, purpose="一个月回访")
    client_as(team.sam).post(reverse("visits:plan_now"))
    client_as(team.sam).post(reverse("visits:plan_now"))
    assert VisitTask.objects.get().agent == team.amy


def test_a_plan_row_creates_a_task_and_exports_to_excel(team, client_as):
    from openpyxl import load_workbook

    customer = make_customer(code="C-PLAN-1", name="计划客户")
    client = client_as(team.sam)
    day = timezone.localdate() + timedelta(days=3)
    data = {
        "customer_code": "C-PLAN-1",
        "method": Method.ON_SITE_KEY,
        "purpose": "了解需求",
        "topic": "新产品介绍",
        "planned_on": day.isoformat(),
        "agent": str(team.bob.pk),
        "priority": "3",
    }
    assert client.post(reverse("visits:plan_new"), {**data, "customer_code": "NOPE"}).status_code == 400
    assert client.post(reverse("visits:plan_new"), {**data, "agent": str(team.otto.pk)}).status_code == 400
    assert client.post(reverse("visits:plan_new"), {**data, "planned_on": "2020-01-01"}).status_code == 400
    assert not VisitPlan.objects.exists()
    assert client.post(reverse("visits:plan_new"), data).status_code == 302
    task = VisitTask.objects.get()
    assert (task.customer, task.agent, task.due_on, task.method) == (
        customer,
        team.bob,
        day,
        Method.ON_SITE_KEY,
    )
    month = f"{day:%Y-%m}"
    page = client.get(reverse("visits:plans") + f"?month={month}&print=1").content.decode()
    assert "计划客户" in page and "新产品介绍" in page
    assert client.get(reverse("visits:plans") + "?month=13-2026").status_code == 400
    response = client.get(reverse("visits:plan_export") + f"?month={month}")
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1:4] == ("C-PLAN-1", "计划客户", str(Method.ON_SITE_KEY.label))
    assert (
        client_as(team.olga)
        .get(reverse("visits:plans") + f"?month={month}")
        .content.decode()
        .count("计划客户")
        == 0
    )


def test_visits_appear_on_the_customers_timeline(team, client_as):
    customer = make_customer(name="时间线客户")
    task = make_task(customer, agent=team.amy, status=TaskStatus.DONE, closed_at=timezone.now())
    VisitRecord.objects.create(
        task=task,
        customer=customer,
        agent=team.amy,
        visitee="张工",
        method=Method.PHONE_FIRST,
        visited_at=timezone.now(),
        about_usage=True,
        problem="门把手松动",
    )
    make_task(
        customer,
        agent=team.amy,
        status=TaskStatus.UNREACHABLE,
        closed_at=timezone.now(),
        purpose="三个月回访",
    )
    page = client_as(team.amy).get(customer.get_absolute_url()).content.decode()
    assert "交付后一个月回访" in page and "门把手松动" in page and "三个月回访" in page
    page = client_as(team.hank).get(customer.get_absolute_url()).content.decode()
    assert "门把手松动" in page  # handlers see the history, without links to the record
    assert VisitRecord.objects.get().get_absolute_url() not in page


def test_tab_counts_stop_at_the_cap(team, client_as, settings):
    from manyi.visits import worklist

    assert worklist.badge(999) == "999" and worklist.badge(1000) == "999+" and worklist.badge(0) == "0"
    today = timezone.localdate()
    customer = make_customer()
    for _n in range(3):
        make_task(customer, agent=team.amy, due_on=today)
    tasks = VisitTask.objects.filter(agent=team.amy)
    original, worklist.CAP = worklist.CAP, 2
    try:
        assert worklist.counts(tasks, today)["today"] == 2
        assert worklist.badge(2) == "1+"
    finally:
        worklist.CAP = original


def test_the_customer_can_ask_for_routine_visits_after_the_warranty(team, client_as):
    from manyi.visits.models import VisitPreference

    task = make_task(agent=team.amy)
    url = reverse("visits:after_warranty", args=[task.pk])
    assert client_as(team.bob).post(url, {"wanted": "1"}).status_code == 404
    assert not VisitPreference.objects.exists()
    client_as(team.amy).post(url, {"wanted": "1"})
    assert VisitPreference.objects.get(customer=task.customer).visits_after_warranty
    client_as(team.amy).post(url, {"wanted": "0"})
    assert not VisitPreference.objects.get(customer=task.customer).visits_after_warranty


def test_answers_of_a_confidential_campaign_stay_hidden_on_the_record(team, client_as):
    campaign = make_visit_campaign()
    type(campaign).objects.filter(pk=campaign.pk).update(confidential=True)
    from manyi.testing import make_response

    response = make_response(campaign.questionnaire, campaign, status="completed", index=77.7)
    task = make_task(agent=team.amy, campaign=campaign)
    record = VisitRecord.objects.create(
        task=task,
        customer=task.customer,
        agent=team.amy,
        visitee="张工",
        method=Method.PHONE_FIRST,
        visited_at=timezone.now(),
        about_usage=True,
        response=response,
    )
    assert "77.7" not in client_as(team.sam).get(record.get_absolute_url()).content.decode()
    assert "77.7" not in client_as(team.sam).get(reverse("visits:review")).content.decode()
    assert "77.7" in client_as(team.alice).get(record.get_absolute_url()).content.decode()
    assert "77.7" in client_as(team.alice).get(reverse("visits:review")).content.decode()


@pytest.mark.parametrize("name", ["plans", "scripts", "rules", "review"])
def test_analysts_and_agents_cannot_manage_visits(team, client_as, name):
    for who in (team.ana, team.amy, team.hank):
        assert client_as(who).get(reverse(f"visits:{name}")).status_code == 403


def test_the_call_screen_query_count_does_not_grow_with_the_customers_history(team, client_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (1, 6):
        customer = make_customer()
        for n in range(size):
            make_contact(customer, name=f"联系人{n}")
            make_purchase(customer)
        task = make_task(customer, agent=team.amy, campaign=make_visit_campaign())
        client = client_as(team.amy)
        client.get(reverse("visits:task", args=[task.pk]))  # the session is warm
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("visits:task", args=[task.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
