"""A campaign for the buyers of a product delivered in a period, repeated quarterly; an agent
calls its non-responders (电话催收) and records the call."""

from datetime import date

from manyi.campaigns.choices import ChaseOutcome, Recurrence
from manyi.campaigns.models import Campaign, ChaseCall
from manyi.testing import make_customer, make_product, make_purchase, make_question, make_questionnaire


def test_a_supervisor_targets_buyers_by_product_and_delivery_and_an_agent_chases_them(
    page, login, people, screenshot
):
    questionnaire = make_questionnaire(title="水泵用户满意度调查")
    make_question(questionnaire, text="您对水泵质量的满意程度")
    pump = make_product(code="PUMP", name="水泵", category="泵")
    valve = make_product(code="VALVE", name="阀门", category="阀")
    for n in range(3):
        make_purchase(
            make_customer(name=f"水泵用户{n}", phone=f"1381234000{n}"),
            pump,
            purchased_on=date(2026, 9, 1),
            delivered_on=date(2026, 10, 10 + n),
        )
    make_purchase(
        make_customer(name="阀门用户"), valve, purchased_on=date(2026, 9, 1), delivered_on=date(2026, 10, 12)
    )
    make_purchase(
        make_customer(name="早期水泵用户"), pump, purchased_on=date(2025, 1, 1), delivered_on=date(2025, 1, 9)
    )

    login(people.sam)
    page.goto(page.base_url + "/campaigns/new/")
    page.fill("#id_name", "2026年第四季度水泵用户调查")
    page.fill("#id_wave", "2026年第四季度")
    page.select_option("#id_recurrence", Recurrence.QUARTERLY)
    page.select_option("#id_questionnaire", str(questionnaire.pk))
    page.check("#channels input[value=phone]")
    page.select_option("#id_target_product", "PUMP")
    page.fill("#id_target_delivered_from", "2026-10-01")
    page.fill("#id_target_delivered_to", "2026-12-31")
    screenshot("campaign-form-purchase-rules")
    page.click("#campaign-form button[type=submit]")
    page.wait_for_url("**/campaigns/*/preview/")
    assert page.inner_text("#population") == "3"
    page.click("#start")
    page.wait_for_url("**/campaigns/*/")
    campaign = Campaign.objects.get()
    assert campaign.recurrence == Recurrence.QUARTERLY

    page.context.clear_cookies()
    login(people.amy)
    page.goto(page.base_url + f"/campaigns/{campaign.pk}/")
    page.click("#non-responders-link")
    page.wait_for_url("**/non-responders/")
    rows = page.locator("#non-responders tbody tr")
    assert rows.count() == 3
    first = rows.nth(0)
    first.locator("select[name=outcome]").select_option(ChaseOutcome.WILL_ANSWER)
    first.locator("input[name=note]").fill("周五前寄回")
    first.locator("button[type=submit]").click()
    page.wait_for_load_state()
    screenshot("campaign-non-responders")
    call = ChaseCall.objects.get()
    assert (call.outcome, call.note, call.by) == (ChaseOutcome.WILL_ANSWER, "周五前寄回", people.amy)
    # The called customer moves to the end of the list: those not called yet come first.
    called = call.invitation.customer.name
    assert called in page.locator("#non-responders tbody tr").nth(2).inner_text()
    assert called not in page.locator("#non-responders tbody tr").nth(0).inner_text()
