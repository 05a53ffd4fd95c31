"""The whole survey loop as people do it: a supervisor builds a questionnaire from a template,
starts an e-mail campaign, the worker sends the invitations over real SMTP, a customer answers
on a phone from the link in the e-mail, and the supervisor sees the answer counted."""

import re

from django.core.management import call_command

from manyi.campaigns.choices import CampaignState, Channel, InvitationStatus, ResponseStatus
from manyi.campaigns.models import Campaign, Response
from manyi.surveys.models import Questionnaire
from manyi.testing import make_customer
from tests.browser.conftest import SCREENSHOTS


def test_a_survey_goes_from_template_to_invitation_email_to_answer_to_counts(
    page, login, people, screenshot, smtp_server, live_server, settings, transactional_db
):
    settings.SITE_URL = live_server.url
    for n in range(6):
        make_customer(name=f"普通客户{n}", customer_type="normal", email=f"normal{n}@example.com")
    for n in range(4):
        make_customer(name=f"重点客户{n}", customer_type="key", email=f"key{n}@example.com")
    for n in range(2):
        make_customer(name=f"VIP客户{n}", customer_type="vip", email=f"vip{n}@example.com")

    # The ISO 9001 ten-item questionnaire, in one click from the template library.
    login(people.sam)
    page.goto(page.base_url + "/surveys/templates/")
    page.click("[data-key=iso9001_ten_items] button[type=submit]")
    page.wait_for_url("**/surveys/*/")
    questionnaire = Questionnaire.objects.get()
    assert questionnaire.template_key == "iso9001_ten_items"

    # An e-mail campaign, six customers drawn stratified by customer type.
    page.goto(page.base_url + "/campaigns/")
    page.click("#new-campaign")
    page.fill("#id_name", "2026年度顾客满意度调查")
    page.select_option("#id_questionnaire", str(questionnaire.pk))
    page.check("#channels input[value=email]")
    page.select_option("#id_sampling_method", "stratified")
    page.fill("#id_sample_size", "6")
    page.select_option("#id_stratify_by", "customer_type")
    page.click("#campaign-form button[type=submit]")

    page.wait_for_url("**/campaigns/*/preview/")
    assert page.inner_text("#population") == "12"
    assert page.inner_text("#sample-size") == "6"
    assert page.locator("#sample tbody tr").count() == 6
    page.click("#start")
    page.wait_for_url("**/campaigns/*/")
    assert page.inner_text("#count-issued") == "6"
    campaign = Campaign.objects.get()
    assert campaign.state == CampaignState.RUNNING
    assert set(campaign.invitations.values_list("channel", flat=True)) == {Channel.EMAIL}
    # Proportional strata: 6 normal, 4 key, 2 VIP of 12 → 3, 2 and 1 of 6.
    drawn = sorted(campaign.invitations.values_list("customer__customer_type", flat=True))
    assert drawn == ["key", "key", "normal", "normal", "normal", "vip"]

    # Starting queued the sending; the background worker sends over SMTP.
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert len(smtp_server.messages) == 6
    assert campaign.invitations.filter(status=InvitationStatus.SENT).count() == 6

    _sender, recipients, message = smtp_server.messages[0]
    body = message.get_body(preferencelist=("plain",)).get_content()
    links = re.findall(re.escape(live_server.url) + r"/s/[^/\s]+/(?:optout/)?", body)
    answer_links = [link for link in links if not link.endswith("/optout/")]
    assert len(answer_links) == 1, body
    link = answer_links[0]
    invitation = campaign.invitations.get(email=recipients[0])
    assert link.endswith(f"/s/{invitation.token}/")

    # The customer answers on a phone, in a browser of their own.
    context = page.context.browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.set_default_timeout(10_000)
    phone = context.new_page()
    try:
        phone.goto(link)
        assert phone.inner_text("#survey-title") == "顾客满意度调查表"
        required = questionnaire.questions.filter(required=True)
        assert required.count() == 10
        for question in required:
            fieldset = phone.locator(f"#question-{question.pk}")
            fieldset.locator("label.btn").first.click()
        assert phone.inner_text("#progress-answered") == "10"
        phone.click("#submit-button")
        phone.wait_for_selector("[data-page=thanks]")
        assert "感谢您在百忙之中填写本调查表" in phone.inner_text("#public-message")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        phone.screenshot(path=str(SCREENSHOTS / "survey-flow-answer-mobile.png"), full_page=True)
    finally:
        context.close()

    # Back at the office: the campaign counts the answer.
    page.goto(page.base_url + f"/campaigns/{campaign.pk}/")
    assert page.inner_text("#count-returned") == "1"
    assert page.inner_text("#count-sent") == "6"
    screenshot("survey-flow-campaign-counts")

    response = Response.objects.get(status=ResponseStatus.COMPLETED)
    assert response.campaign == campaign
    assert response.index is not None
    assert Response.objects.filter(status=ResponseStatus.COMPLETED).count() == 1
