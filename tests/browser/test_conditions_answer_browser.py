"""A respondent walks a branch on the answer page (issue 21): "Q3 rated 不满意 or worse → ask
why (Q4)". Q4 appears when 不满意 is chosen, disappears when the rating goes back to 满意, and
its answer is then not submitted; an option offered only to unhappy respondents follows too."""

from manyi.campaigns.choices import CampaignState, Channel, ResponseStatus
from manyi.campaigns.models import Answer, Response
from manyi.surveys.choices import QuestionKind
from manyi.testing import make_campaign, make_invitation, make_question, make_questionnaire


def _survey():
    questionnaire = make_questionnaire(title="售后服务满意度调查")
    q1 = make_question(questionnaire, code="Q1", text="您对产品质量的满意程度")
    q2 = make_question(questionnaire, code="Q2", text="您对交货及时性的满意程度")
    q3 = make_question(questionnaire, code="Q3", text="您对服务人员态度的满意程度")
    q4 = make_question(
        questionnaire,
        code="Q4",
        text="您对服务态度不满意的主要原因是什么？",
        kind=QuestionKind.TEXT,
        options=(),
        condition='Q3 == "A4" or Q3 == "A5"',
    )
    q5 = make_question(
        questionnaire,
        code="Q5",
        text="您希望我们如何跟进？",
        kind=QuestionKind.SINGLE,
        scored=False,
        options=(("不需要跟进", None, False), ("电话回访", None, False), ("上门致歉", None, False)),
    )
    # 上门致歉 is offered only when the attitude was rated 很不满意.
    q5.options.filter(label="上门致歉").update(condition='Q3 == "A5"')
    questionnaire.save()  # moves updated_at: the cached layout is read again
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    return campaign, q1, q2, q3, q4, q5


def _pick(page, question, label):
    page.click(f"label[for='q-{question.pk}-{question.options.get(label=label).pk}']")


def test_a_why_question_follows_the_rating_live_and_its_answer_is_dropped(page, screenshot):
    campaign, q1, q2, q3, q4, q5 = _survey()
    invitation = make_invitation(campaign)
    page.goto(f"{page.base_url}/s/{invitation.token}/")
    why = page.locator(f"#question-{q4.pk}")
    apology = page.locator(f"#q-{q5.pk}-{q5.options.get(label='上门致歉').pk}")

    assert why.is_hidden()
    assert apology.is_hidden() and apology.is_disabled()
    assert page.inner_text("#progress-total") == "4"

    _pick(page, q1, "很满意")
    _pick(page, q2, "满意")
    _pick(page, q3, "不满意")
    why.wait_for(state="visible")
    assert page.inner_text("#progress-total") == "5"
    page.fill(f"#q-{q4.pk}", "等了两个小时才有人接电话")
    assert apology.is_hidden()
    screenshot("conditions-why-shown")

    _pick(page, q3, "很不满意")
    apology.wait_for(state="visible")
    assert apology.is_enabled()
    page.check(f"#q-{q5.pk}-{q5.options.get(label='上门致歉').pk}", force=True)
    screenshot("conditions-apology-offered")

    _pick(page, q3, "满意")  # changed back: Q4 and 上门致歉 go away
    why.wait_for(state="hidden")
    assert page.locator(f"#q-{q4.pk}").is_disabled()
    assert apology.is_hidden() and not apology.is_checked()
    assert page.inner_text("#progress-total") == "4"
    screenshot("conditions-why-hidden")

    page.check(f"#q-{q5.pk}-{q5.options.get(label='电话回访').pk}", force=True)
    page.click("#submit-button")
    page.wait_for_selector("[data-page=thanks]")
    response = Response.objects.get()
    assert response.status == ResponseStatus.COMPLETED
    assert not Answer.objects.filter(question=q4).exists()
    assert Answer.objects.get(question=q5).option.label == "电话回访"
    assert Answer.objects.get(question=q3).option.label == "满意"


def test_the_why_answer_is_kept_when_the_rating_stays_low(page):
    campaign, q1, q2, q3, q4, q5 = _survey()
    invitation = make_invitation(campaign)
    page.goto(f"{page.base_url}/s/{invitation.token}/")
    _pick(page, q1, "满意")
    _pick(page, q2, "满意")
    _pick(page, q3, "很不满意")
    page.fill(f"#q-{q4.pk}", "态度冷淡")
    page.check(f"#q-{q5.pk}-{q5.options.get(label='上门致歉').pk}", force=True)
    page.click("#submit-button")
    page.wait_for_selector("[data-page=thanks]")
    assert Answer.objects.get(question=q4).text == "态度冷淡"
    assert Answer.objects.get(question=q5).option.label == "上门致歉"
