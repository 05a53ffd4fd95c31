"""A customer answers a questionnaire of pages on a phone (390×844, issue 21): an earlier answer
piped into a later text (live on its own page, from the server on later pages), a page shown
only by a condition on an earlier answer, back and next keeping the answers, and the browser
closed halfway: the same link opens again on the page they had reached."""

from manyi.campaigns.choices import CampaignState, Channel, ResponseStatus
from manyi.campaigns.models import Answer, Response
from manyi.surveys.choices import QuestionKind
from manyi.surveys.models import Page
from manyi.testing import make_campaign, make_invitation, make_question, make_questionnaire

PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN", "is_mobile": True}


def _survey():
    questionnaire = make_questionnaire(title="售后服务满意度调查", intro="大约需要两分钟。")
    first = Page.objects.create(questionnaire=questionnaire, position=0, title="基本情况")
    repair = Page.objects.create(
        questionnaire=questionnaire,
        position=1,
        title="维修服务",
        description="您最近报修过，请评价这次维修。",
        condition='Q1 == "A1"',
    )
    last = Page.objects.create(questionnaire=questionnaire, position=2, title="总体评价")
    q1 = make_question(
        questionnaire,
        code="Q1",
        text="您最近三个月是否报修过？",
        kind=QuestionKind.SINGLE,
        scored=False,
        options=(("是", None, False), ("否", None, False)),
        page=first,
    )
    q2 = make_question(questionnaire, code="Q2", text="您对产品质量的满意程度", page=first)
    q5 = make_question(
        questionnaire,
        code="Q5",
        text="您认为产品质量“{Q2}”的主要原因是？",
        kind=QuestionKind.TEXT,
        options=(),
        required=False,
        page=first,
    )
    q3 = make_question(questionnaire, code="Q3", text="您对维修服务的满意程度", page=repair)
    q4 = make_question(
        questionnaire,
        code="Q4",
        text="您对产品质量的评价是“{Q2}”，对维修的评价是“{Q3}”。您还有什么建议？",
        kind=QuestionKind.TEXT,
        options=(),
        page=last,
    )
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    return campaign, q1, q2, q3, q4, q5


def _pick(page, question, label):
    page.click(f"label[for='q-{question.pk}-{question.options.get(label=label).pk}']")


def _shot(page, name):
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _phone(browser):
    phone = browser.new_context(**PHONE)
    phone.set_default_timeout(10_000)
    return phone


def _first_visit(browser, link, invitation, q1, q2, q3, q4, q5):
    phone = _phone(browser)
    page = phone.new_page()
    page.goto(link)
    assert page.inner_text("#page-title") == "基本情况"
    assert page.locator(f"#question-{q3.pk}").is_hidden() and page.locator(f"#question-{q4.pk}").is_hidden()
    piped = page.locator(f"#question-{q5.pk} [data-pipe=Q2]")
    assert piped.inner_text() == "—"  # not answered yet

    _pick(page, q1, "是")
    _pick(page, q2, "满意")
    assert piped.inner_text() == "满意"  # live, on the same page
    _pick(page, q2, "很满意")
    assert piped.inner_text() == "很满意"
    page.fill(f"#q-{q5.pk}", "<b>做工</b>扎实")
    assert page.locator("#back-button").count() == 0
    _shot(page, "answer-pages-phone-page1")

    page.click("#next-button")
    page.wait_for_selector("#page-title:has-text('维修服务')")
    assert "您最近报修过" in page.inner_text("#page-description")
    draft = Response.objects.get(invitation=invitation)
    assert draft.status == ResponseStatus.IN_PROGRESS and draft.page == 1
    _shot(page, "answer-pages-phone-page2")
    phone.close()  # the browser is closed halfway


def _resume_and_go_back(phone, link, q1, q2, q3, q4, q5):
    page = phone.new_page()
    page.goto(link)
    page.wait_for_selector("#page-title:has-text('维修服务')")  # resumed where they were
    _pick(page, q3, "不满意")

    page.click("#back-button")  # back keeps the answers of both pages
    page.wait_for_selector("#page-title:has-text('基本情况')")
    assert page.locator(f"#q-{q2.pk}-{q2.options.get(label='很满意').pk}").is_checked()
    assert page.input_value(f"#q-{q5.pk}") == "<b>做工</b>扎实"
    _pick(page, q1, "否")  # no repair: the repair page is skipped
    page.click("#next-button")
    page.wait_for_selector("#page-title:has-text('总体评价')")
    assert "很满意" in page.inner_text(f"#q-{q4.pk}-legend")
    page.click("#back-button")
    page.wait_for_selector("#page-title:has-text('基本情况')")
    _pick(page, q1, "是")
    page.click("#next-button")
    page.wait_for_selector("#page-title:has-text('维修服务')")
    # the repair page was skipped meanwhile: its answer went with it, as at the submit
    assert not page.locator(f"#q-{q3.pk}-{q3.options.get(label='不满意').pk}").is_checked()
    _pick(page, q3, "不满意")
    return page


def _last_page_and_submit(page, q4):
    page.click("#next-button")
    page.wait_for_selector("#page-title:has-text('总体评价')")
    legend = page.inner_text(f"#q-{q4.pk}-legend")
    assert "对产品质量的评价是“很满意”，对维修的评价是“不满意”" in legend
    page.click("#submit-button")  # Q4 is required on this page
    page.wait_for_selector("#error-summary")
    assert page.locator(f"#q-{q4.pk}").is_visible()
    page.fill(f"#q-{q4.pk}", "维修人员能更早到就好了")
    _shot(page, "answer-pages-phone-last-page")
    page.click("#submit-button")
    page.wait_for_selector("[data-page=thanks]")
    _shot(page, "answer-pages-phone-thanks")


def test_a_customer_answers_page_by_page_on_a_phone_closes_the_browser_and_resumes(browser, live_server):
    campaign, q1, q2, q3, q4, q5 = _survey()
    invitation = make_invitation(campaign)
    link = f"{live_server.url}/s/{invitation.token}/"

    _first_visit(browser, link, invitation, q1, q2, q3, q4, q5)
    phone = _phone(browser)
    page = _resume_and_go_back(phone, link, q1, q2, q3, q4, q5)
    _last_page_and_submit(page, q4)
    phone.close()

    response = Response.objects.get()
    assert response.status == ResponseStatus.COMPLETED
    assert response.points == {"Q2": 10.0, "Q3": 4.0}
    texts = dict(Answer.objects.filter(question__in=[q4, q5]).values_list("question__code", "text"))
    assert texts == {"Q4": "维修人员能更早到就好了", "Q5": "<b>做工</b>扎实"}


def test_the_pages_work_without_javascript(browser, live_server):
    """Server-rendered pages, one form each: the other pages' questions are hidden by the HTML
    `hidden` attribute, next and back are plain submit buttons."""
    campaign, q1, q2, q3, q4, q5 = _survey()
    invitation = make_invitation(campaign)
    context = browser.new_context(java_script_enabled=False, **PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{invitation.token}/")
    assert page.locator(f"#question-{q3.pk}").is_hidden() and page.locator(f"#question-{q4.pk}").is_hidden()
    page.check(f"#q-{q1.pk}-{q1.options.get(label='否').pk}")
    _pick(page, q2, "满意")
    page.click("#next-button")
    page.wait_for_selector("#page-title:has-text('总体评价')")  # the repair page is skipped
    assert "“满意”" in page.inner_text(f"#q-{q4.pk}-legend")
    assert page.locator(f"#question-{q5.pk}").is_hidden()
    page.fill(f"#q-{q4.pk}", "没有")
    _shot(page, "answer-pages-no-javascript")
    page.click("#submit-button")
    page.wait_for_selector("[data-page=thanks]")
    context.close()
    assert Response.objects.get().status == ResponseStatus.COMPLETED
