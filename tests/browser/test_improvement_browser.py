"""The improvement loop in a real browser: from a complaint ticket the supervisor raises an
improvement, the handler carries it out, the supervisor verifies it and tells the customers;
the customer with an e-mail address gets one message over real SMTP, the one without is
marked told by phone by the agent."""

import datetime

import pytest
from django.utils import timezone

from manyi.improvements.choices import Status
from manyi.improvements.models import CustomerNotice, ImprovementAction
from manyi.testing import make_customer
from manyi.tickets import workflow as ticket_workflow

pytestmark = pytest.mark.browser


def do(page, name, note=""):
    form = f"#do-{name}"
    if note:
        page.fill(f"{form} textarea[name=note]", note)
    page.click(f"{form} button[type=submit]")
    page.wait_for_load_state()


def test_an_improvement_raised_from_a_ticket_is_carried_out_verified_and_told(
    page,
    login,
    people,
    screenshot,
    smtp_server,
    live_server,
    transactional_db,
):
    with_mail = make_customer(name="杭州甲机械有限公司", email="jia@example.com")
    by_phone = make_customer(name="温州乙贸易公司", phone="0577-88880000")
    tickets = [
        ticket_workflow.open_ticket(
            by=people.amy,
            channel="phone",
            subject="售后响应太慢",
            description="报修后三天无人联系。",
            customer=c,
        )
        for c in (with_mail, by_phone)
    ]

    login(people.sam)
    page.goto(page.base_url + tickets[0].get_absolute_url())
    page.click("#raise-improvement")
    page.fill("#id_tickets", " ".join(t.reference for t in tickets))
    page.fill("#id_measures", "增设客服专线，承诺2小时内首次响应。")
    page.select_option("#id_owner", str(people.hank.pk))
    page.fill("#id_deadline", (timezone.localdate() + datetime.timedelta(days=14)).isoformat())
    screenshot("improvement_form")
    page.click("#improvement-form button[type=submit]")
    page.wait_for_url("**/improvements/*/")
    improvement = ImprovementAction.objects.get()
    assert improvement.title == "售后响应太慢"
    assert set(improvement.tickets.all()) == set(tickets)

    page.context.clear_cookies()
    login(people.hank)
    page.goto(page.base_url + improvement.get_absolute_url())
    do(page, "start")
    do(page, "complete", "专线 400-800-1234 已开通，值班表见售后部。")
    assert ImprovementAction.objects.get().status == Status.DONE

    page.context.clear_cookies()
    login(people.sam)
    page.goto(page.base_url + improvement.get_absolute_url())
    do(page, "verify_effective", "抽查20单，均2小时内响应。")
    page.click("#edit")
    page.fill("#id_customer_message", "我们已优化售后响应流程，目前平均响应时间缩短至1.5小时内。")
    page.click("#improvement-form button[type=submit]")
    page.wait_for_url("**/improvements/*/")
    page.click("#notify button[type=submit]")
    page.wait_for_load_state()
    assert "温州乙贸易公司" in page.inner_text(".alert-warning")
    assert [rcpts for _sender, rcpts, _message in smtp_server.messages] == [["jia@example.com"]]
    page.click("#notify button[type=submit]")  # a second click sends nothing
    page.wait_for_load_state()
    assert len(smtp_server.messages) == 1

    page.context.clear_cookies()
    login(people.amy)
    page.goto(page.base_url + improvement.get_absolute_url())
    page.click(f'#recipients tr[data-key="c{by_phone.pk}"] button')
    page.wait_for_load_state()
    screenshot("improvement_detail")
    assert CustomerNotice.objects.filter(improvement=improvement).count() == 2
    assert "电话" in page.inner_text(f'#recipients tr[data-key="c{by_phone.pk}"]')
