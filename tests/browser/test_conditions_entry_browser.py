"""An agent enters a phone interview on the entry form (issue 21): the VIP-only question is
there for a VIP customer from the start, the why-question follows the rating live, and what
is saved is the path taken (the server applies the same rule: campaigns/tests/test_entry_conditions.py)."""

from manyi.campaigns.choices import Channel
from manyi.campaigns.models import Answer, Response
from manyi.customers.choices import CustomerType
from manyi.testing import make_customer, make_invitation
from manyi.visits.tests.test_call_conditions import make_branching_campaign


def _pick(page, question, label):
    page.click(f"label[for='q-{question.pk}-{question.options.get(label=label).pk}']")


def test_the_phone_entry_follows_the_answers_and_the_customer_live(
    page, login, people, screenshot, transactional_db
):
    campaign, q1, q2, q3 = make_branching_campaign()
    invitation = make_invitation(
        campaign,
        customer=make_customer(name="宁波海天贸易有限公司", customer_type=CustomerType.VIP),
        channel=Channel.PHONE,
    )
    login(people.amy)
    page.goto(f"{page.base_url}/campaigns/entry/invitations/{invitation.pk}/phone/")
    page.wait_for_load_state("load")
    why, vip = page.locator(f"#question-{q2.pk}"), page.locator(f"#question-{q3.pk}")
    vip.wait_for(state="visible")
    assert why.is_hidden()
    _pick(page, q1, "很不满意")
    why.wait_for(state="visible")
    page.fill(f"#q-{q2.pk}", "送货晚了三天")
    _pick(page, q3, "满意")
    screenshot("conditions-phone-entry")
    _pick(page, q1, "满意")
    why.wait_for(state="hidden")
    page.click("#submit-button")
    page.wait_for_url("**/campaigns/entry/*/")
    response = Response.objects.get(invitation=invitation)
    saved = dict(Answer.objects.filter(response=response).values_list("question__code", "option__label"))
    assert saved == {"Q1": "满意", "Q3": "满意"}
