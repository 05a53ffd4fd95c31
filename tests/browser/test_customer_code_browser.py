"""The customer code typed on the public feedback form (issue 16, why 3): a sender whose phone is
not in the archive types KH2023-0010 on a phone; the thanks page says nothing about the
customer; the agent sees the ticket in the queue as 杭州精工 marked 未核实, the warning and what
was typed on the ticket, confirms the customer, and the warning gives way to 已由工作人员核实."""

from manyi.testing import make_customer
from manyi.tickets.choices import CustomerMatch
from manyi.tickets.models import Ticket

from .conftest import SCREENSHOTS


def test_a_typed_code_reaches_the_staff_marked_unconfirmed(
    page, login, people, screenshot, browser, live_server
):
    from django.core.cache import cache

    cache.clear()  # the public form's rate limit
    customer = make_customer(code="KH2023-0010", name="杭州精工机械有限公司", phone="13900000000")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    sender = phone.new_page()
    sender.goto(live_server.url + "/feedback/")
    sender.fill("#id_contact_name", "李工")
    sender.fill("#id_contact_phone", "13812345678")
    sender.fill("#id_customer_code", "KH2023-0010")
    sender.select_option("#id_category", label="产品质量")
    sender.fill("#id_description", "新到的两台设备液压站漏油，需要派人到现场。")
    sender.click("#submit-button")
    sender.wait_for_url("**/feedback/thanks/**")
    thanks = sender.inner_text("body")
    sender.screenshot(path=str(SCREENSHOTS / "customer_code_thanks_phone.png"), full_page=True)
    phone.close()
    assert "杭州精工" not in thanks and "KH2023-0010" not in thanks
    ticket = Ticket.objects.get()
    assert (ticket.customer, ticket.customer_match, ticket.customer_given) == (
        customer,
        CustomerMatch.TYPED,
        "KH2023-0010",
    )

    login(people.amy)
    page.goto(page.base_url + "/tickets/")
    row = page.locator("#tickets tbody tr", has_text=ticket.reference)
    assert "杭州精工机械有限公司" in row.inner_text() and "未核实" in row.inner_text()
    screenshot("customer_code_queue")

    row.locator("a", has_text=ticket.reference).click()
    page.wait_for_url(f"**{ticket.get_absolute_url()}")
    warning = page.locator("#customer-unconfirmed")
    assert warning.is_visible() and "客户未核实" in warning.inner_text()
    assert page.inner_text("#customer-given") == "反馈人填写: KH2023-0010"
    screenshot("customer_code_unconfirmed")

    page.click("#confirm-customer button")
    page.wait_for_load_state()
    assert page.locator("#customer-unconfirmed").count() == 0
    assert "已由工作人员核实" in page.inner_text("#customer")
    assert "已核实客户：杭州精工机械有限公司 (KH2023-0010)" in page.inner_text("#timeline")
    screenshot("customer_code_confirmed")
