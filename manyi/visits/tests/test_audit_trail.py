"""The audit trail of return visits (REQUIREMENTS §9 "Audit trail of who changed what"):
records, rules, call scripts and plan rows keep who changed what, and the pages show it to
whoever may read the audit log."""

from datetime import date, timedelta

from auditlog.models import LogEntry
from django.urls import reverse

from manyi.testing import make_customer
from manyi.visits.choices import Method, ReviewStatus, RuleKind
from manyi.visits.models import VisitPlan, VisitRule, VisitScript

from .factories import make_record, make_task
from .test_views import record_post


def last_change(obj):
    return LogEntry.objects.get_for_object(obj).filter(action=LogEntry.Action.UPDATE).latest("timestamp")


def test_a_record_corrected_after_it_was_returned_keeps_its_old_text_in_the_trail(team, client_as):
    task = make_task(make_customer(name="回访客户"), agent=team.amy)
    record = make_record(task, notes="设备运行正常", handling="")
    review = reverse("visits:record_review", args=[record.pk])
    client_as(team.sam).post(review, {"decision": "return", "comments": "请补充处理结果"})
    edit = reverse("visits:record_edit", args=[record.pk])
    data = record_post(**{"rec-notes": "设备偶有异响", "rec-handling": "已派工程师上门"})
    assert client_as(team.amy).post(edit, data).status_code == 302
    record.refresh_from_db()
    assert (record.review_status, record.notes) == (ReviewStatus.SUBMITTED, "设备偶有异响")

    correction = last_change(record)
    assert correction.actor == team.amy
    assert correction.changes_dict["notes"] == ["设备运行正常", "设备偶有异响"]
    assert correction.changes_dict["handling"] == ["", "已派工程师上门"]
    assert correction.changes_dict["review_status"] == [ReviewStatus.RETURNED, ReviewStatus.SUBMITTED]
    # The supervisor's return is in the trail too, with the comments.
    returned = LogEntry.objects.get_for_object(record).filter(actor=team.sam).get()
    assert returned.changes_dict["review_comments"] == ["", "请补充处理结果"]

    # The administrator reads the old text on the record's page; the agent and the
    # supervisor, who may not read the audit log, see the record without its trail.
    page = reverse("visits:record", args=[record.pk])
    html = client_as(team.alice).get(page).content.decode()
    assert 'id="audit-trail"' in html
    trail = html[html.index('id="audit-trail"') :]
    assert "设备运行正常" in trail and "设备偶有异响" in trail and "请补充处理结果" in trail
    for reader in (team.amy, team.sam):
        response = client_as(reader).get(page)
        assert response.status_code == 200
        assert 'id="audit-trail"' not in response.content.decode()


def test_text_in_the_trail_is_shown_as_text(team, client_as):
    task = make_task(make_customer(), agent=team.amy)
    record = make_record(task, notes="正常")
    record.notes = '<script>alert("x")</script>'
    record.save()
    html = client_as(team.alice).get(reverse("visits:record", args=[record.pk])).content.decode()
    trail = html[html.index('id="audit-trail"') :]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in trail
    assert '<script>alert("x")' not in html


def test_rules_scripts_and_plans_keep_their_old_values(team, client_as):
    script = VisitScript.objects.create(name="交付回访", body="您好，{{ customer_name }}")
    rule = VisitRule.objects.create(
        name="交付后", kind=RuleKind.AFTER_DELIVERY, days=30, purpose="了解使用情况", script=script
    )
    plan = VisitPlan.objects.create(
        customer=make_customer(name="计划客户"),
        method=Method.PHONE_FIRST,
        purpose="年度回访",
        planned_on=date.today() + timedelta(days=3),
        agent=team.amy,
    )
    old_day = plan.planned_on
    client_as(team.sam)
    script.body = "您好，我是{{ agent_name }}"
    script.save()
    rule.days = 45
    rule.save()
    plan.planned_on = old_day + timedelta(days=7)
    plan.save()

    assert last_change(script).changes_dict["body"] == [
        "您好，{{ customer_name }}",
        "您好，我是{{ agent_name }}",
    ]
    assert last_change(rule).changes_dict["days"] == ["30", "45"]
    assert last_change(plan).changes_dict["planned_on"] == [
        old_day.isoformat(),
        (old_day + timedelta(days=7)).isoformat(),
    ]
    assert "updated_at" not in last_change(script).changes_dict

    # Each edit page shows its trail to the administrator, not to the supervisor.
    for url, old, new in (
        (reverse("visits:script_edit", args=[script.pk]), "{{ customer_name }}", "{{ agent_name }}"),
        (reverse("visits:rule_edit", args=[rule.pk]), "30", "45"),
    ):
        html = client_as(team.alice).get(url).content.decode()
        trail = html[html.index('id="audit-trail"') :]
        assert old in trail and new in trail
        assert 'id="audit-trail"' not in client_as(team.sam).get(url).content.decode()


def test_the_plan_page_shows_the_rows_trail_to_the_administrator(team, client_as):
    plan = VisitPlan.objects.create(
        customer=make_customer(name="计划客户"),
        method=Method.PHONE_FIRST,
        purpose="年度回访",
        planned_on=date.today() + timedelta(days=3),
        agent=team.amy,
    )
    plan.purpose = "年度回访（改）"
    plan.save()
    url = reverse("visits:plan_edit", args=[plan.pk])
    response = client_as(team.alice).get(url)
    assert response.status_code == 200, response
    trail = response.content.decode()[response.content.decode().index('id="audit-trail"') :]
    assert "年度回访（改）" in trail
    assert client_as(team.amy).get(url).status_code == 403


def test_the_form_for_a_new_rule_shows_no_trail(team, client_as):
    html = client_as(team.alice).get(reverse("visits:rule_new")).content.decode()
    assert 'id="audit-trail"' not in html
