from manyi.campaigns.choices import CampaignState
from manyi.campaigns.models import Campaign
from manyi.testing import make_customer, make_question, make_questionnaire


def test_a_supervisor_plans_a_stratified_campaign_previews_it_and_starts_it(page, login, people, screenshot):
    questionnaire = make_questionnaire(title="2026年度客户满意度调查问卷")
    make_question(questionnaire, text="您对产品质量的满意程度")
    for n in range(24):
        make_customer(name=f"普通客户{n}", customer_type="normal", email=f"c{n}@example.com")
    for n in range(12):
        make_customer(name=f"重点客户{n}", customer_type="key", phone="13812345678")
    for n in range(4):
        make_customer(name=f"VIP客户{n}", customer_type="vip", email=f"vip{n}@example.com")

    login(people.sam)
    page.goto(page.base_url + "/campaigns/")
    page.click("#new-campaign")
    page.fill("#id_name", "2026年第四季度客户满意度调查")
    page.fill("#id_series", "季度满意度调查")
    page.fill("#id_wave", "2026年第四季度")
    page.select_option("#id_questionnaire", str(questionnaire.pk))
    page.check("#channels input[value=email]")
    page.check("#channels input[value=phone]")
    page.check("#channels input[value=anonymous]")
    page.select_option("#id_sampling_method", "stratified")
    page.fill("#id_sample_size", "10")
    page.select_option("#id_stratify_by", "customer_type")
    page.click("#campaign-form button[type=submit]")

    page.wait_for_url("**/campaigns/*/preview/")
    assert page.inner_text("#population") == "40"
    assert page.inner_text("#sample-size") == "10"
    plan = page.inner_text("#plan")
    assert "24" in plan and "12" in plan and "4" in plan
    assert page.locator("#sample tbody tr").count() == 10
    screenshot("campaign-preview")

    page.click("#start")
    page.wait_for_url("**/campaigns/*/")
    assert page.inner_text("#count-issued") == "10"
    assert "/s/a/" in page.inner_text("#anonymous-link")
    screenshot("campaign-detail")
    campaign = Campaign.objects.get()
    assert campaign.state == CampaignState.RUNNING
    assert campaign.invitations.count() == 10
    assert set(campaign.invitations.values_list("channel", flat=True)) <= {"email", "phone"}
