"""A designer splits a questionnaire into pages and a supervisor sets a quota (issue 21): the
builder's pages card, the page form with a condition, a question put on a page with its options
shuffled and 不适用 kept in place, and the campaign page's quota fill."""

from manyi.campaigns.choices import CampaignState, Channel
from manyi.campaigns.models import Quota
from manyi.surveys.choices import QuestionKind
from manyi.testing import make_campaign, make_question, make_questionnaire


def test_a_designer_adds_pages_and_a_supervisor_a_quota(page, login, people, screenshot):
    questionnaire = make_questionnaire(title="售后服务调查")
    make_question(
        questionnaire,
        code="Q1",
        text="您最近是否报修过？",
        kind=QuestionKind.SINGLE,
        scored=False,
        options=(("是", None, False), ("否", None, False)),
    )
    make_question(questionnaire, code="Q2", text="您对维修服务的满意程度")
    make_question(
        questionnaire,
        code="Q3",
        text="您是通过哪个渠道报修的？",
        kind=QuestionKind.SINGLE,
        scored=False,
        options=(
            ("电话", None, False),
            ("微信", None, False),
            ("网站", None, False),
            ("记不清", None, False),
        ),
    )
    login(people.alice)

    page.goto(f"{page.base_url}/surveys/{questionnaire.pk}/")
    assert "没有分页" in page.inner_text("#pages") or "No pages" in page.inner_text("#pages")
    page.click("#add-page")
    page.fill("#id_title", "维修服务")
    page.fill("#id_description", "只问报修过的客户")
    page.fill("#id_condition", 'Q1 == "A1"')
    page.check("#id_randomise_questions")
    screenshot("pages-builder-page-form")
    page.click("#save-page")
    page.wait_for_url("**/surveys/*/#page-*")
    added = questionnaire.pages.get()
    assert (added.title, added.condition, added.randomise_questions) == ("维修服务", 'Q1 == "A1"', True)
    assert 'Q1 == "A1"' in page.inner_text("#pages")

    q3 = questionnaire.questions.get(code="Q3")
    page.goto(f"{page.base_url}/surveys/{questionnaire.pk}/questions/{q3.pk}/")
    page.select_option("#id_page", label="维修服务")
    page.check("#id_randomise_options")
    page.check("#id_options-3-anchored")
    screenshot("pages-builder-question-form")
    page.click("#save-question")
    page.wait_for_url("**/surveys/*/#question-*")
    q3 = questionnaire.questions.get(code="Q3")
    assert q3.page == added and q3.randomise_options
    assert [o.label for o in q3.options.filter(anchored=True)] == ["记不清"]
    screenshot("pages-builder-questionnaire")

    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    page.goto(f"{page.base_url}/campaigns/{campaign.pk}/")
    page.click("#add-quota")
    page.fill("#id_name", "VIP客户")
    page.select_option("#id_stratum", "customer_type")
    page.fill("#id_value", "vip")
    page.fill("#id_limit", "50")
    page.click("#save-quota")
    page.wait_for_url("**/campaigns/*/#quotas")
    assert Quota.objects.get().limit == 50
    assert "0 / 50" in page.inner_text("#quotas")
    page.locator("#quotas").scroll_into_view_if_needed()
    screenshot("pages-builder-campaign-quotas")
