"""A return visit as a call centre does it: the planner puts the visit on the agent's list, the
customer is busy and agrees a callback time, the agent calls back, asks the questionnaire and
writes the record, and the supervisor approves it."""

from datetime import timedelta

from django.utils import timezone

from manyi.campaigns.choices import Channel
from manyi.testing import make_contact, make_customer, make_purchase
from manyi.visits.choices import Method, Outcome, ReviewStatus, RuleKind, TaskStatus
from manyi.visits.models import VisitRecord, VisitRule, VisitScript, VisitTask
from manyi.visits.tests.factories import make_visit_campaign


def test_planned_visit_busy_callback_done_with_answers_and_approved(
    page, login, people, screenshot, transactional_db
):
    customer = make_customer(name="杭州恒信机械有限公司", owner=people.amy)
    make_contact(customer, name="李建国", title="设备科长", phone="13800001111", is_primary=True)
    today = timezone.localdate()
    make_purchase(customer, purchased_on=today - timedelta(days=40), delivered_on=today - timedelta(days=30))
    campaign = make_visit_campaign()
    script = VisitScript.objects.create(
        name="首次回访",
        body="{{ contact_name }}先生/女士，您好！我是客户服务部{{ agent_name }}，想耽误您几分钟做个回访，请问您现在方便吗？",
    )
    VisitRule.objects.create(
        name="交付后一个月回访",
        kind=RuleKind.AFTER_DELIVERY,
        days=30,
        purpose="交付满一个月：了解使用情况",
        method=Method.PHONE_FIRST,
        campaign=campaign,
        script=script,
    )

    # The supervisor runs the planner: the visit lands on the owner's list, due today.
    login(people.sam)
    page.goto(page.base_url + "/visits/rules/")
    page.click("#plan-now")
    page.wait_for_load_state()
    task = VisitTask.objects.get()
    assert (task.agent, task.due_on, task.status) == (people.amy, today, TaskStatus.PENDING)

    page.context.clear_cookies()
    login(people.amy)
    page.goto(page.base_url + "/visits/")
    assert page.inner_text("#count-today") == "1"
    screenshot("visits-worklist")
    page.click("#tasks .task-link")
    page.wait_for_url(f"**/visits/tasks/{task.pk}/")
    assert "李建国先生/女士，您好！我是客户服务部王芳" in page.inner_text("#script")
    assert "13800001111" in page.inner_text("#contacts")
    screenshot("visits-call-screen")

    # Busy: the customer asks to be called back tomorrow at ten.
    callback = (timezone.localtime() + timedelta(days=1)).replace(hour=10, minute=0)
    page.click("#outcome-busy")
    page.fill("#id_busy-callback_at", callback.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_busy-reason", "正在开会，明天上午十点再联系")
    page.click("#busy-form button[type=submit]")
    page.wait_for_url("**/visits/")
    task.refresh_from_db()
    assert task.status == TaskStatus.CALLBACK
    assert timezone.localtime(task.callback_at).strftime("%Y-%m-%d %H:%M") == callback.strftime(
        "%Y-%m-%d %H:%M"
    )
    assert page.inner_text("#count-callbacks") == "1"

    # The callback: the customer answers the questionnaire; the agent writes the record.
    page.click("#tab-callbacks")
    page.click("#tasks .task-link")
    page.wait_for_url(f"**/visits/tasks/{task.pk}/")
    assert "正在开会" in page.inner_text("#callback-info")
    questions = {q.code: q for q in campaign.questionnaire.questions.all()}
    q1_best = questions["Q1"].options.get(label="很满意")
    q2_good = questions["Q2"].options.get(label="满意")
    page.click(f"label[for=q-{questions['Q1'].pk}-{q1_best.pk}]")
    page.click(f"label[for=q-{questions['Q2'].pk}-{q2_good.pk}]")
    page.check("#id_rec-about_service")
    page.fill("#id_rec-notes", "设备运行正常，对服务响应满意")
    page.fill("#id_rec-problem", "说明书缺少维护保养章节")
    page.fill("#id_rec-handling", "已通知技术部补发电子版")
    page.check("#id_rec-customer_confirmed")
    screenshot("visits-call-screen-filled")
    page.click("#submit-record")
    page.wait_for_url("**/visits/records/*/")
    record = VisitRecord.objects.get()
    assert record.review_status == ReviewStatus.SUBMITTED
    assert (record.response.channel, record.response.agent) == (Channel.PHONE, people.amy)
    assert record.response.points == {"Q1": 10, "Q2": 8}
    assert list(task.visit_attempts.values_list("outcome", flat=True)) == [Outcome.BUSY, Outcome.DONE]

    # The supervisor reviews it.
    page.context.clear_cookies()
    login(people.sam)
    page.goto(page.base_url + "/visits/review/")
    page.click("#records .record-link")
    page.wait_for_url(f"**/visits/records/{record.pk}/")
    page.fill("#id_comments", "记录完整")
    page.click("#approve")
    page.wait_for_url("**/visits/review/")
    record.refresh_from_db()
    assert (record.review_status, record.reviewed_by, record.review_comments) == (
        ReviewStatus.APPROVED,
        people.sam,
        "记录完整",
    )


def test_a_supervisor_edits_and_removes_plan_rows_cancels_a_visit_and_downloads_the_report_pdf(
    page, login, people, screenshot, transactional_db, tmp_path
):
    import subprocess

    from manyi.visits.models import VisitAttempt, VisitPlan, VisitPreference

    customer = make_customer(code="C-PLAN-1", name="宁波永盛电器有限公司")
    make_customer(code="C-PLAN-2", name="苏州恒瑞精密有限公司")
    # The 10th of next month: in the future, and the day after it in the same month.
    day = (timezone.localdate().replace(day=1) + timedelta(days=40)).replace(day=10)
    login(people.sam)
    for code in ("C-PLAN-1", "C-PLAN-2"):
        page.goto(page.base_url + "/visits/plans/new/")
        page.fill("#id_customer_code", code)
        page.select_option("#id_method", Method.ON_SITE_KEY)
        page.fill("#id_purpose", "了解需求")
        page.fill("#id_planned_on", day.isoformat())
        page.select_option("#id_agent", str(people.amy.pk))
        page.click("#edit-form button[type=submit]")
        page.wait_for_url("**/visits/plans/?month=*")
    first, second = VisitPlan.objects.order_by("pk")

    # Edit the first row: another date and topic; its visit follows.
    page.click(f"#edit-plan-{first.pk}")
    page.fill("#id_topic", "新产品介绍")
    page.fill("#id_planned_on", (day + timedelta(days=1)).isoformat())
    page.click("#edit-form button[type=submit]")
    page.wait_for_url("**/visits/plans/?month=*")
    task = VisitTask.objects.get(plan=first)
    assert (task.due_on, task.purpose) == (day + timedelta(days=1), "了解需求 · 新产品介绍")
    # Remove the second (confirm dialog accepted).
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(f"#delete-plan-{second.pk}")
    page.wait_for_load_state()
    assert not VisitPlan.objects.filter(pk=second.pk).exists()
    assert "苏州恒瑞精密" not in page.inner_text("#plans")
    screenshot("visits-plan-table")

    # Cancel the first visit from its page, with a reason.
    page.goto(page.base_url + f"/visits/tasks/{task.pk}/")
    page.fill("#id_cx-reason", "客户已搬迁，改为下月现场拜访")
    screenshot("visits-call-screen-cancel")
    page.click("#cancel-visit")
    page.wait_for_load_state()
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED
    assert VisitAttempt.objects.get(task=task).by == people.sam
    # The worked (cancelled) row keeps its place in the plan, without edit buttons.
    page.goto(page.base_url + f"/visits/plans/?month={day:%Y-%m}")
    assert page.locator(f"#edit-plan-{first.pk}").count() == 0

    # The customer page: the supervisor notes the wish for visits after the warranty.
    page.goto(page.base_url + customer.get_absolute_url())
    page.click("#customer-after-warranty")
    page.wait_for_load_state()
    assert VisitPreference.objects.get(customer=customer).visits_after_warranty
    screenshot("visits-customer-preference")

    # The monthly report as PDF, counting the cancelled visit.
    page.goto(page.base_url + f"/visits/report/?month={day:%Y-%m}")
    assert page.inner_text("#total-cancelled") == "1"
    with page.expect_download() as download:
        page.click("#pdf-report")
    path = tmp_path / "visits.pdf"
    download.value.save_as(path)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    )
    total = next(line for line in text.stdout.splitlines() if line.split()[:1] in (["Total"], ["合计"]))
    assert total.split()[1:7] == ["0", "0", "0", "0", "0", "1"]
