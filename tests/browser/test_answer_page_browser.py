"""A customer answers a survey on a phone: progress, a missing answer, thanks, already answered."""

from manyi.campaigns.choices import CampaignState, Channel, ResponseStatus
from manyi.campaigns.models import Response
from manyi.surveys.choices import QuestionKind
from manyi.surveys.models import Dimension
from manyi.testing import make_campaign, make_invitation, make_question, make_questionnaire


def test_a_customer_answers_on_a_phone_sized_screen(browser, live_server, screenshot):
    questionnaire = make_questionnaire(
        title="2026年售后服务满意度调查",
        intro="感谢您抽出三分钟时间。您的回答仅用于改进服务，我们会严格保密。",
        thanks="感谢您的宝贵意见！我们会认真改进。",
    )
    product = Dimension.objects.create(questionnaire=questionnaire, code="D1", title="产品质量", position=1)
    service = Dimension.objects.create(questionnaire=questionnaire, code="D2", title="服务", position=2)
    q1 = make_question(questionnaire, code="Q1", text="您对产品质量的满意程度", dimension=product)
    q2 = make_question(questionnaire, code="Q2", text="您对交货及时性的满意程度", dimension=product)
    q3 = make_question(questionnaire, code="Q3", text="您对服务人员态度的满意程度", dimension=service)
    make_question(
        questionnaire, code="Q4", text="您有什么建议？", kind=QuestionKind.TEXT, options=(), required=False
    )
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    invitation = make_invitation(campaign)

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        link = f"{live_server.url}/s/{invitation.token}/"
        page.goto(link)
        assert page.inner_text("#survey-title") == "2026年售后服务满意度调查"
        assert page.inner_text("#progress-answered") == "0"
        assert page.inner_text("#progress-total") == "4"

        page.click(f"label[for='q-{q1.pk}-{q1.options.get(label='很满意').pk}']")
        assert page.inner_text("#progress-answered") == "1"
        page.click(f"label[for='q-{q2.pk}-{q2.options.get(label='满意').pk}']")
        assert page.inner_text("#progress-answered") == "2"
        screenshot_page(page, screenshot, "answer-page-mobile")

        page.click("#submit-button")
        page.wait_for_selector("#error-summary")
        assert "Q3" in page.inner_text("#error-summary")
        assert "Q3" in page.inner_text(f"#question-{q3.pk} .invalid-feedback")
        assert page.inner_text("#progress-answered") == "2"  # what was chosen is still chosen
        assert not Response.objects.filter(status=ResponseStatus.COMPLETED).exists()
        screenshot_page(page, screenshot, "answer-missing-required")

        page.click(f"label[for='q-{q3.pk}-{q3.options.get(label='可以接受').pk}']")
        page.fill(f"#q-{questionnaire.questions.get(code='Q4').pk}", "希望送货再快一点")
        assert page.inner_text("#progress-answered") == "4"
        page.click("#submit-button")
        page.wait_for_selector("[data-page=thanks]")
        assert "感谢您的宝贵意见" in page.inner_text("#public-message")
        screenshot_page(page, screenshot, "answer-thanks")

        response = Response.objects.get()
        assert response.status == ResponseStatus.COMPLETED
        # 产品质量 (100 + 80) / 2 = 90, 服务 60; equal dimension weights → (90 + 60) / 2 = 75 → 满意
        assert round(response.index, 6) == 75.0 and response.grade == "满意"

        page.goto(link)
        page.wait_for_selector("[data-page=already]")
    finally:
        context.close()


def screenshot_page(page, screenshot, name):
    # The shared `screenshot` fixture shoots the desktop `page`; this test has its own phone page.
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
