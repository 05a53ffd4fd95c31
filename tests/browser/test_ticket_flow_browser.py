"""The complaint loop as people do it (issue 5): a customer's low survey score opens a ticket;
the agent acknowledges it, the supervisor assigns it to the quality department, the handler
investigates, records the root cause, adds a corrective action and reports it done, the agent
replies by e-mail, the supervisor verifies the action and the ticket and closes it; the worker
e-mails the satisfaction callback over real SMTP, the customer answers on a phone from the link,
and the answer shows on the ticket."""

import re

from django.utils import timezone

from manyi.campaigns.answering import AnswerForm, save_response
from manyi.campaigns.choices import CampaignState, Channel
from manyi.testing import make_campaign, make_customer, make_invitation, make_question, make_questionnaire
from manyi.tickets import callback
from manyi.tickets.choices import ActionStatus, CallbackRating, CallbackStatus, ReplyMethod, TicketState
from manyi.tickets.models import Ticket
from manyi.tickets.survey_rule import open_pending_tickets


def low_score_response():
    """A customer answers an e-mailed survey with 很不满意 on the delivery question."""
    questionnaire = make_questionnaire(title="售后回访")
    questions = [
        make_question(questionnaire, "Q1", text="送货及时"),
        make_question(questionnaire, "Q2", text="服务态度"),
    ]
    questionnaire.refresh_from_db()
    campaign = make_campaign(
        questionnaire, name="2026年售后回访", state=CampaignState.RUNNING, channels=[Channel.EMAIL]
    )
    customer = make_customer(name="张三", email="zhang.san@example.com")
    invitation = make_invitation(campaign, customer, email="zhang.san@example.com", channel=Channel.EMAIL)
    labels = {"Q1": "很不满意", "Q2": "满意"}
    data = {f"q-{q.pk}": str(q.options.get(label=labels[q.code]).pk) for q in questions}
    form = AnswerForm(questionnaire, data=data)
    assert form.is_valid(), form.errors
    response, _created = save_response(
        campaign=campaign,
        questionnaire=questionnaire,
        cleaned_data=form.cleaned_data,
        channel=Channel.EMAIL,
        invitation=invitation,
    )
    return response


def do(page, name, note=None, **selects):
    form = f"#do-{name}"
    for field, value in selects.items():
        page.select_option(f"{form} select[name={field}]", value)
    if note is not None:
        page.fill(f"{form} textarea[name=note]", note)
    page.click(f"{form} button[type=submit]")
    page.wait_for_load_state()


def state(ticket):
    return Ticket.objects.get(pk=ticket.pk).state


def test_a_low_score_becomes_a_ticket_that_is_handled_closed_and_called_back(
    page, login, people, screenshot, smtp_server, live_server, browser, settings, transactional_db
):
    settings.SITE_URL = live_server.url
    response = low_score_response()
    assert open_pending_tickets() == 1  # what `manage.py periodic` runs
    ticket = Ticket.objects.get(response=response)
    assert ticket.contact_email == "zhang.san@example.com"
    url = page.base_url + ticket.get_absolute_url()

    # The agent acknowledges (受理).
    login(people.amy)
    page.goto(url)
    assert "送货及时" in page.inner_text("#ticket-fields")
    do(page, "acknowledge", "已致电客户致歉")
    assert state(ticket) == TicketState.ACKNOWLEDGED

    # The supervisor assigns it to the quality department's handler from the unassigned queue.
    page.context.clear_cookies()
    login(people.sam)
    page.goto(page.base_url + "/tickets/?queue=unassigned")
    page.check(f"#bulk-assign input[name=tickets][value='{ticket.pk}']")
    page.select_option("#bulk-assign select[name=department]", str(people.quality.pk))
    page.select_option("#bulk-assign select[name=assignee]", str(people.hank.pk))
    screenshot("ticket-bulk-assign")
    page.click("#bulk-assign button[type=submit]")
    page.wait_for_load_state()
    assert ticket.reference in page.inner_text(".alert-success")
    assert state(ticket) == TicketState.ASSIGNED

    # The handler investigates, records the root cause and a corrective action, and does it.
    page.context.clear_cookies()
    login(people.hank)
    page.goto(url)
    do(page, "investigate")
    do(page, "plan_actions", "承运商在雨天未使用防水包装")
    assert state(ticket) == TicketState.ACTION
    page.select_option("#action_owner", str(people.hank.pk))
    page.fill("#action_deadline", timezone.localdate().isoformat())
    page.fill("#action_description", "与承运商约定雨天加防水膜")
    page.click("#action-form button[type=submit]")
    page.wait_for_load_state()
    action = ticket.actions.get()
    assert action.status == ActionStatus.PLANNED
    page.click(f"#action-{action.pk} summary:has-text('报告完成')")
    page.fill(f"#complete-{action.pk} textarea[name=result]", "已签补充协议")
    page.click(f"#complete-{action.pk} button[type=submit]")
    page.wait_for_load_state()
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    screenshot("ticket-action-done")

    # The agent replies to the customer by e-mail.
    page.context.clear_cookies()
    login(people.amy)
    page.goto(url)
    do(page, "reply", "非常抱歉，已为您补发并加强包装。", method="email")
    assert state(ticket) == TicketState.REPLIED
    [(_sender, recipients, reply)] = smtp_server.messages
    assert recipients == ["zhang.san@example.com"]
    assert "非常抱歉，已为您补发并加强包装。" in reply.get_body(("plain",)).get_content()
    assert "邮件答复" in page.inner_text("#timeline")

    # The supervisor verifies the action and the ticket, then closes it.
    page.context.clear_cookies()
    login(people.sam)
    page.goto(url)
    page.click(f"#action-{action.pk} summary:has-text('验证')")
    page.select_option(f"#verify-{action.pk} select[name=effective]", "yes")
    page.click(f"#verify-{action.pk} button[type=submit]")
    page.wait_for_load_state()
    action.refresh_from_db()
    assert action.status == ActionStatus.VERIFIED
    do(page, "verify", "回访司机确认")
    do(page, "close")
    closed = Ticket.objects.get(pk=ticket.pk)
    assert (closed.state, closed.reply_method, closed.callback_status) == (
        TicketState.CLOSED,
        ReplyMethod.EMAIL,
        CallbackStatus.DUE,
    )

    # The background worker e-mails the satisfaction callback.
    assert callback.send_due_callbacks() == {"sent": 1, "phone": 0}
    message = smtp_server.messages[-1][2]
    assert smtp_server.messages[-1][1] == ["zhang.san@example.com"]
    link = re.search(
        r"https?://\S+/feedback/callback/[\w-]+/", message.get_body(("plain",)).get_content()
    ).group(0)
    assert link.startswith(live_server.url)

    # The customer opens the link on a phone and answers.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    try:
        customer = phone.new_page()
        customer.goto(link)
        assert "您对本次反馈的处理满意吗" in customer.inner_text("#callback-form")
        assert customer.evaluate("document.documentElement.scrollWidth") <= 390
        customer.screenshot(
            path=str(screenshot_dir(screenshot) / "ticket-callback-phone.png"), full_page=True
        )
        customer.click("label:has-text('满意') >> nth=1")  # 非常满意 is first, 满意 second
        customer.fill("textarea[name=comment]", "处理及时，谢谢")
        customer.click("#callback-submit")
        customer.wait_for_selector("#public-message[data-page=thanks]")
        customer.go_back()
        customer.reload()
        assert customer.locator("#public-message[data-page=used]").count() == 1
    finally:
        phone.close()
    answered = Ticket.objects.get(pk=ticket.pk)
    assert (answered.callback_status, answered.callback_rating, answered.callback_comment) == (
        CallbackStatus.ANSWERED,
        CallbackRating.SATISFIED,
        "处理及时，谢谢",
    )

    # The supervisor sees the answer on the ticket.
    page.goto(url)
    assert page.inner_text("#callback-rating") == "满意"
    assert "处理及时，谢谢" in page.inner_text("#callback")
    assert "满意度回访" in page.inner_text("#timeline")
    screenshot("ticket-closed-with-callback")

    # And the ticket statistics count it.
    page.goto(page.base_url + "/tickets/statistics/")
    assert page.inner_text("#callback-summary") == "已回答 1 份，满意 1 份（100.0 %）。"
    screenshot("ticket-statistics-callback")


def screenshot_dir(screenshot):
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
