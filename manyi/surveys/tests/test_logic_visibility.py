"""Conditions applied by the server (issue 21): the same rule for the public page, the phone and
paper entry, the paper import and the validity rule.

The branch: "Q3 rated 不满意 or worse → ask why (Q4)". Options of the five-level scale get the
codes A1 很满意, A2 满意, A3 可以接受, A4 不满意, A5 很不满意.
"""

import pytest
from django.utils import translation

from manyi.campaigns.answering import AnswerForm, apply_scores, build_answers
from manyi.campaigns.choices import CampaignState, Channel, ResponseStatus
from manyi.campaigns.models import Answer, Response
from manyi.surveys.choices import QuestionKind, ValidityRule
from manyi.surveys.logic.visibility import hidden_items, page_logic, visible_questions
from manyi.surveys.models import Option
from manyi.testing import answer, make_campaign, make_invitation, make_question, make_questionnaire

pytestmark = pytest.mark.django_db

WHY = 'Q3 == "A4" or Q3 == "A5"'


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def branch():
    questionnaire = make_questionnaire(title="售后服务调查")
    q1 = make_question(questionnaire, code="Q1", text="产品质量")
    q2 = make_question(questionnaire, code="Q2", text="交货及时")
    q3 = make_question(questionnaire, code="Q3", text="服务态度")
    q4 = make_question(
        questionnaire,
        code="Q4",
        text="您不满意的原因是什么？",
        kind=QuestionKind.TEXT,
        options=(),
        condition=WHY,
    )
    campaign = make_campaign(
        questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL, Channel.PHONE]
    )
    return campaign, [q1, q2, q3, q4]


def data(questions, labels, why=None, action="submit"):
    posted = {
        f"q-{q.pk}": str(q.options.get(label=label).pk) for q, label in zip(questions, labels, strict=False)
    }
    if why is not None:
        posted[f"q-{questions[3].pk}"] = why
    posted["action"] = action
    return posted


def test_a_hidden_question_is_not_required_and_its_forged_answer_is_discarded(branch):
    campaign, questions = branch
    form = AnswerForm(
        campaign.questionnaire, data=data(questions, ["很满意", "满意", "满意"], why="伪造的原因")
    )
    assert form.is_valid(), form.errors
    assert f"q-{questions[3].pk}" not in form.cleaned_data
    assert questions[3].pk not in form.shown.questions
    assert [a.question.code for a in build_answers(campaign.questionnaire, form.cleaned_data)] == [
        "Q1",
        "Q2",
        "Q3",
    ]


def test_a_shown_question_is_required(branch):
    campaign, questions = branch
    form = AnswerForm(campaign.questionnaire, data=data(questions, ["很满意", "满意", "不满意"]))
    assert not form.is_valid()
    assert form.error_summary() == ["Please answer question Q4."]
    form = AnswerForm(
        campaign.questionnaire, data=data(questions, ["很满意", "满意", "很不满意"], why="态度差")
    )
    assert form.is_valid(), form.errors
    answers = build_answers(campaign.questionnaire, form.cleaned_data)
    assert [(a.question.code, a.text) for a in answers][-1] == ("Q4", "态度差")


def test_a_draft_keeps_a_shown_answer_and_drops_a_hidden_one(branch):
    campaign, questions = branch
    form = AnswerForm(campaign.questionnaire, data=data(questions, ["很满意"], why="先写着"), complete=False)
    assert form.is_valid()
    assert f"q-{questions[3].pk}" not in form.cleaned_data  # Q3 unanswered: Q4 not asked yet


def test_a_question_depending_on_a_hidden_one_is_hidden_too(branch):
    campaign, questions = branch
    q5 = make_question(
        campaign.questionnaire,
        code="Q5",
        text="原因是否已告知客服？",
        kind=QuestionKind.YES_NO,
        options=(("是", None, False), ("否", None, False)),
        condition="answered(Q4)",
    )
    posted = data(questions, ["很满意", "满意", "满意"], why="伪造")
    posted[f"q-{q5.pk}"] = str(q5.options.first().pk)
    form = AnswerForm(campaign.questionnaire, data=posted)
    assert form.is_valid(), form.errors
    assert {questions[3].pk, q5.pk}.isdisjoint(form.shown.questions)
    assert f"q-{q5.pk}" not in form.cleaned_data


def test_a_hidden_option_cannot_be_chosen(branch):
    campaign, questions = branch
    q1 = questions[0]
    # 很不满意 is offered on Q1 only to someone who rated Q2 below 可以接受 (an odd rule, but a rule).
    Option.objects.filter(question=q1, code="A5").update(condition='Q2 == "A4" or Q2 == "A5"')
    questions[1].questionnaire.save()  # the layout is read again
    q1.refresh_from_db()
    # Q1 comes before Q2: its option may only name earlier answers, so here it is always hidden.
    form = AnswerForm(campaign.questionnaire, data=data(questions, ["很不满意", "满意", "满意"]))
    assert not form.is_valid()
    assert form.error_summary() == ["Question Q1: that answer is not one of its options."]
    shown, options = visible_questions(campaign.questionnaire, [])
    hidden = q1.options.get(code="A5")
    assert hidden.pk not in options and q1.options.get(code="A4").pk in options
    assert q1.pk in shown


def test_the_public_page_discards_a_forged_answer_to_a_hidden_question(client, branch):
    campaign, questions = branch
    invitation = make_invitation(campaign)
    result = client.post(
        f"/s/{invitation.token}/", data(questions, ["很满意", "满意", "满意"], why="伪造的原因")
    )
    assert result.status_code == 302
    response = Response.objects.get()
    assert response.status == ResponseStatus.COMPLETED
    assert not Answer.objects.filter(question=questions[3]).exists()


def test_the_public_page_asks_for_the_shown_question(client, branch):
    campaign, questions = branch
    invitation = make_invitation(campaign)
    result = client.post(f"/s/{invitation.token}/", data(questions, ["很满意", "满意", "不满意"]))
    assert result.status_code == 400
    page = result.content.decode()
    summary = page[page.index('id="error-summary"') :]
    assert "Q4" in summary[: summary.index("</ul>")]
    assert not Response.objects.filter(status=ResponseStatus.COMPLETED).exists()


def test_the_phone_entry_applies_the_same_rule(client_as, people, branch):
    campaign, questions = branch
    invitation = make_invitation(campaign)
    url = f"/campaigns/entry/invitations/{invitation.pk}/phone/"
    result = client_as(people.amy).post(url, data(questions, ["很满意", "满意", "满意"], why="伪造"))
    assert result.status_code == 302
    assert not Answer.objects.filter(question=questions[3]).exists()
    result = client_as(people.amy).post(url, data(questions, ["很满意", "满意", "不满意"]))
    assert Response.objects.get().status == ResponseStatus.COMPLETED  # the first one, unchanged


def test_the_page_carries_the_conditions_as_trees_for_its_script(client, branch):
    campaign, _questions = branch
    page = client.get(f"/s/{make_invitation(campaign).token}/").content.decode()
    assert 'id="answer-logic"' in page and "js/conditions.js" in page
    logic = page_logic(campaign.questionnaire)
    q4 = next(q for q in logic["questions"] if q["code"] == "Q4")
    assert q4["condition"] == [
        "or",
        ["==", ["ref", "Q3"], ["str", "A4"]],
        ["==", ["ref", "Q3"], ["str", "A5"]],
    ]
    q3 = next(q for q in logic["questions"] if q["code"] == "Q3")
    assert [o[1:3] for o in q3["options"]] == [["A1", 10], ["A2", 8], ["A3", 6], ["A4", 4], ["A5", 2]]


def test_a_questionnaire_without_conditions_sends_no_script(client):
    questionnaire = make_questionnaire()
    make_question(questionnaire, code="Q1")
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    page = client.get(f"/s/{make_invitation(campaign).token}/").content.decode()
    assert "answer-logic" not in page and "conditions.js" not in page
    assert page_logic(questionnaire) is None


# --------------------------------------------------------------------------- the validity rule


@pytest.fixture
def seed_000_rule():
    """Seed 000, 2018 report: "评价遗漏一项的按‘一般’记3分，遗漏2项以上评分的调查表按无效卷不予统计"."""
    questionnaire = make_questionnaire(validity_rule=ValidityRule.ONE_MISSING_NEUTRAL)
    rated = [make_question(questionnaire, code=f"Q{n}", text=f"第{n}项") for n in (1, 2, 3)]
    repair = 'Q3 == "A4" or Q3 == "A5"'
    rated += [
        make_question(questionnaire, code=f"Q{n}", text=f"维修第{n}项", condition=repair) for n in (4, 5)
    ]
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    return campaign, rated


def chosen(questions, labels):
    return {
        f"q-{q.pk}": str(q.options.get(label=label).pk) for q, label in zip(questions, labels, strict=False)
    }


def test_two_questions_hidden_by_a_condition_are_not_missing(seed_000_rule):
    campaign, rated = seed_000_rule
    response = answer(campaign, chosen(rated, ["很满意", "满意", "满意"]))
    assert response.valid is True
    # The index is the three answered items only (10, 8, 8 of 10 → 100, 80, 80), nothing imputed.
    assert response.index == pytest.approx((100 + 80 + 80) / 3)
    assert set(response.item_scores) == {"Q1", "Q2", "Q3"}


def scored(campaign, posted):
    """The score of a draft's answers, as completing it would compute."""
    form = AnswerForm(campaign.questionnaire, data=posted, complete=False)
    assert form.is_valid()
    answers = build_answers(campaign.questionnaire, form.cleaned_data)
    return apply_scores(Response(campaign=campaign, questionnaire=campaign.questionnaire), answers), answers


def test_two_shown_questions_left_out_still_make_it_invalid(seed_000_rule):
    campaign, rated = seed_000_rule
    result, _answers = scored(campaign, chosen(rated, ["很满意", "满意", "不满意"]))
    assert (result.valid, result.invalid_reason, result.missing) == (False, "missing_items", 2)


def test_one_shown_question_left_out_counts_as_neutral(seed_000_rule):
    campaign, rated = seed_000_rule
    result, answers = scored(campaign, chosen(rated, ["很满意", "满意", "不满意", "满意"]))
    assert hidden_items(campaign.questionnaire.layout(), answers) == frozenset()
    assert result.valid and result.imputed == ("Q5",)
    # 100, 80, 40, 80 and Q5's 可以接受 6 → 60
    assert result.index == pytest.approx((100 + 80 + 40 + 80 + 60) / 5)


def test_the_scoring_engine_counts_only_the_items_asked():
    """Seed 000 (彩管 report): "有效答题数≧总题数的2/3" — of the questions asked."""
    from manyi.analytics import scoring

    items = [scoring.ItemSpec(key=f"Q{n}", min_points=0, max_points=10) for n in range(1, 6)]
    scheme = scoring.ScoringScheme(items=items, dimensions=(), validity_rule="two_thirds")
    answers = {"Q1": 10, "Q2": 8}
    assert scoring.score_response(scheme, answers).invalid_reason == "too_few_answers"  # 2 of 5
    result = scoring.score_response(scheme, answers, not_applicable={"Q4", "Q5"})  # 2 of 3 asked
    assert (result.valid, result.answered, result.missing, result.index) == (True, 2, 1, 90.0)
    # An item answered although "not asked" still counts as answered (nothing is thrown away here).
    result = scoring.score_response(scheme, {"Q1": 10, "Q4": 0}, not_applicable={"Q4"})
    assert (result.answered, result.missing) == (2, 3)
