"""An invitation's personal link in a real browser (issue 16, deliver 4): an agent opens it from
the campaign's invitation list, the QR code is drawn, and the copy button puts the link on the
clipboard (a static script: the page runs under the strict Content-Security-Policy)."""

import pytest

from manyi.campaigns.choices import CampaignState, Channel
from manyi.campaigns.models import Invitation
from manyi.testing import make_campaign, make_customer, make_question, make_questionnaire

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_agent_copies_a_customers_personal_link_for_wechat(page, login, people, screenshot):
    questionnaire = make_questionnaire(title="客户满意度调查")
    make_question(questionnaire)
    campaign = make_campaign(
        questionnaire, name="2026年第四季度", state=CampaignState.RUNNING, channels=[Channel.WEB]
    )
    customer = make_customer(name="宁波东方泵业", phone="13811110001", preferred_contact_method="wechat")
    invitation = Invitation.objects.create(campaign=campaign, customer=customer, channel=Channel.WEB)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=page.base_url)
    errors = []
    # Script errors and refusals by the Content-Security-Policy (the favicon's 404 is no error of ours).
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if "Refused" in message.text else None)

    login(people.amy)
    page.goto(f"{page.base_url}/campaigns/{campaign.pk}/")
    page.click(f"a[href='/campaigns/invitations/{invitation.pk}/']")
    page.wait_for_selector("#personal-qr")
    page.wait_for_load_state("load")  # the QR code is an image: drawn once the page has loaded

    link = f"http://127.0.0.1:8000/s/{invitation.token}/"
    assert page.input_value("#personal-link") == link
    drawn = page.eval_on_selector("#personal-qr", "img => [img.complete, img.naturalWidth]")
    assert drawn[0] and drawn[1] > 100
    page.click("#copy-link")
    page.wait_for_selector("#copy-link:has-text('已复制')")
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert not errors, errors
    screenshot("invitation-personal-link")
