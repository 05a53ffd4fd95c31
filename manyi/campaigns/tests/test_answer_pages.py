"""The public answer page page by page (issue 21): back / next, save and resume, per-page
validation, page conditions, piping and each respondent's order."""

import re

import pytest

from manyi.campaigns.choices import CampaignState, Channel, ResponseStatus
from manyi.campaigns.models import Answer, Response
from manyi.surveys.choices import QuestionKind
from manyi.surveys.models import Page
from manyi.testing import make_campaign, make_invitation, make_question, make_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    """Pages in English: the messages matched below are new (their Chinese is merged later)."""
    client.cookies["django_language"] = "en"
    return client


YES_NO = [("是", None, False), ("否", None, False)]


@pytest.fixture
def survey():
    """Page 1 (基本情况): Q1 repaired? and Q2 product quality; page 2 (维修服务) only when Q1 is
    是; page 3 (总体评价) pipes Q2's answer and Q5's text into its question."""
    questionnaire = make_questionnaire(title="售后服务调查")
    first = Page.objects.create(questionnaire=questionnaire, position=0, title="基本情况")
    repair = Page.objects.create(
        questionnaire=questionnaire,
        position=1,
        title="维修服务",
        condition='Q1 == "A1"',
        description="只问报修过的客户",
    )
    last = Page.objects.create(questionnaire=questionnaire, position=2, title="总体评价")
    q1 = make_question(
        questionnaire,
        code="Q1",
        text="您最近是否报修过？",
        kind=QuestionKind.SINGLE,
        options=YES_NO,
        scored=False,
        page=first,
    )
    q2 = make_question(questionnaire, code="Q2", text="产品质量", page=first)
    q5 = make_question(
        questionnaire,
        code="Q5",
        text="您的称呼",
        kind=QuestionKind.TEXT,
        options=(),
        required=False,
        page=first,
    )
    q3 = make_question(questionnaire, code="Q3", text="维修服务", page=repair)
    q4 = make_question(
        questionnaire,
        code="Q4",
        text="{Q5}，您对产品质量的评价是“{Q2}”，请说明原因",
        kind=QuestionKind.TEXT,
        options=(),
        page=last,
    )
    campaign = make_campaign(
        questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL, Channel.ANONYMOUS]
    )
    invitation = make_invitation(campaign)
    return campaign, invitation, {"Q1": q1, "Q2": q2, "Q3": q3, "Q4": q4, "Q5": q5}


def option(question, label):
    return str(question.options.get(label=label).pk)


def first_page(q, repaired="是", quality="满意", name="王先生"):
    return {
        f"q-{q['Q1'].pk}": option(q["Q1"], repaired),
        f"q-{q['Q2'].pk}": option(q["Q2"], quality),
        f"q-{q['Q5'].pk}": name,
    }


def post(client, invitation, data, action, page):
    return client.post(f"/s/{invitation.token}/", {**data, "action": action, "page": str(page)})


def current_page(html):
    return int(re.search(r'name="page" value="(\d+)"', html).group(1))


def visible_codes(html):
    """The codes of the questions on the page being answered (not the hidden other pages)."""
    current = html.split('id="current-page"', 1)[1].split('id="other-pages"', 1)[0]
    return re.findall(
        r'<fieldset class="question[^"]*" id="question-\d+" data-code="(\w+)"(?![^>]*hidden)', current
    )


def test_the_first_page_shows_its_questions_and_keeps_the_others_hidden_in_the_form(client, survey):
    _campaign, invitation, q = survey
    html = client.get(f"/s/{invitation.token}/").content.decode()

    assert current_page(html) == 0
    assert "基本情况" in html and visible_codes(html) == ["Q1", "Q2", "Q5"]
    hidden = html.split('id="other-pages"', 1)[1]
    assert f'id="question-{q["Q3"].pk}"' in hidden and f'id="question-{q["Q4"].pk}"' in hidden
    assert 'id="next-button"' in html and 'id="submit-button"' not in html and 'id="back-button"' not in html
    # Q1 unanswered: the repair page's condition does not hold, two pages are shown
    assert "Page 1 of 2" in html


def test_next_checks_only_this_page_and_stores_nothing_when_it_fails(client, survey):
    _campaign, invitation, q = survey
    data = first_page(q)
    del data[f"q-{q['Q2'].pk}"]
    response = post(client, invitation, data, "next", 0)

    assert response.status_code == 400
    html = response.content.decode()
    summary = html.split('id="error-summary"', 1)[1].split("</ul>", 1)[0]
    assert f'<a class="alert-link" href="#question-{q["Q2"].pk}">Please answer question Q2.</a>' in summary
    assert (
        "Q4" not in html.split('id="error-summary"', 1)[1].split("</ul>", 1)[0]
    )  # a later page is not checked
    assert current_page(html) == 0
    assert not Response.objects.exists()


def test_next_saves_the_page_and_the_same_link_resumes_on_the_next_page(client, survey):
    _campaign, invitation, q = survey
    response = post(client, invitation, first_page(q), "next", 0)

    assert response.status_code == 302
    draft = Response.objects.get()
    assert draft.status == ResponseStatus.IN_PROGRESS and draft.page == 1
    assert set(Answer.objects.values_list("question__code", flat=True)) == {"Q1", "Q2", "Q5"}

    client.cookies.clear()  # the browser was closed: only the link is left
    client.cookies["django_language"] = "en"
    html = client.get(f"/s/{invitation.token}/").content.decode()
    assert current_page(html) == 1 and "维修服务" in html and "只问报修过的客户" in html
    assert visible_codes(html) == ["Q3"]
    assert "Page 2 of 3" in html
    # the earlier answers travel in the form, so "back" shows them again
    assert f'value="{option(q["Q2"], "满意")}" autocomplete="off" checked' in html
    assert 'id="back-button"' in html


def test_a_page_whose_condition_fails_is_skipped_both_ways(client, survey):
    _campaign, invitation, q = survey
    post(client, invitation, first_page(q, repaired="否"), "next", 0)
    assert Response.objects.get().page == 2

    html = client.get(f"/s/{invitation.token}/").content.decode()
    assert current_page(html) == 2 and visible_codes(html) == ["Q4"] and "Page 2 of 2" in html
    assert 'id="submit-button"' in html

    back = post(client, invitation, first_page(q, repaired="否"), "back", 2)
    assert back.status_code == 302 and Response.objects.get().page == 0


def test_answers_to_a_hidden_page_are_discarded_at_submit(client, survey):
    _campaign, invitation, q = survey
    data = {
        **first_page(q, repaired="否"),
        f"q-{q['Q3'].pk}": option(q["Q3"], "很满意"),
        f"q-{q['Q4'].pk}": "还行",
    }
    response = post(client, invitation, data, "submit", 2)

    assert response.status_code == 302 and response["Location"].endswith("/thanks/")
    stored = Response.objects.get()
    assert stored.status == ResponseStatus.COMPLETED
    assert not Answer.objects.filter(question=q["Q3"]).exists()
    assert stored.points == {"Q2": 8.0, "Q3": None}  # not asked: null, not missing


def test_submit_before_the_last_page_goes_on_to_the_next_page(client, survey):
    _campaign, invitation, q = survey
    response = post(client, invitation, first_page(q), "submit", 0)

    assert response.status_code == 302 and not response["Location"].endswith("/thanks/")
    assert Response.objects.get().status == ResponseStatus.IN_PROGRESS


def test_a_required_answer_missing_on_an_earlier_page_takes_the_submit_back_there(client, survey):
    _campaign, invitation, q = survey
    data = {**first_page(q), f"q-{q['Q3'].pk}": option(q["Q3"], "满意"), f"q-{q['Q4'].pk}": "好"}
    del data[f"q-{q['Q2'].pk}"]
    response = post(client, invitation, data, "submit", 2)

    assert response.status_code == 400
    assert current_page(response.content.decode()) == 0
    assert not Response.objects.filter(status=ResponseStatus.COMPLETED).exists()


def test_a_double_submit_counts_once(client, survey):
    _campaign, invitation, q = survey
    data = {**first_page(q), f"q-{q['Q3'].pk}": option(q["Q3"], "满意"), f"q-{q['Q4'].pk}": "好"}
    first = post(client, invitation, data, "submit", 2)
    second = post(client, invitation, data, "submit", 2)

    assert first.status_code == 302
    assert second.status_code == 200 and "You have already answered this survey" in second.content.decode()
    assert Response.objects.count() == 1
    assert Response.objects.get().status == ResponseStatus.COMPLETED


def test_earlier_answers_are_piped_into_a_later_question_as_text(client, survey):
    _campaign, invitation, q = survey
    post(client, invitation, first_page(q, repaired="否", name="<script>alert(1)</script>"), "next", 0)
    html = client.get(f"/s/{invitation.token}/").content.decode()

    legend = html.split(f'id="q-{q["Q4"].pk}-legend"', 1)[1].split("</legend>", 1)[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;，您对产品质量的评价是“满意”" in legend
    assert "<script>alert" not in html


def test_a_missing_answer_pipes_a_neutral_placeholder(client, survey):
    _campaign, invitation, q = survey
    html = client.get(f"/s/{invitation.token}/").content.decode()
    hidden = html.split('id="other-pages"', 1)[1]
    legend = hidden.split(f'id="q-{q["Q4"].pk}-legend"', 1)[1].split("</legend>", 1)[0]
    assert "—，您对产品质量的评价是“—”" in legend
    assert "{Q2}" not in legend


def test_an_answer_on_the_same_page_is_piped_into_a_span_the_script_updates(client, survey):
    _campaign, invitation, q = survey
    q["Q5"].text = "您对“{Q2}”的理由"
    q["Q5"].save()
    html = client.get(f"/s/{invitation.token}/").content.decode()
    assert '<span class="piped" data-pipe="Q2">—</span>' in html


def test_save_keeps_the_page_and_says_so(client, survey):
    _campaign, invitation, q = survey
    data = first_page(q)
    del data[f"q-{q['Q2'].pk}"]
    response = post(client, invitation, data, "save", 0)

    assert response.status_code == 200 and 'id="saved-message"' in response.content.decode()
    assert Response.objects.get().page == 0


def test_the_anonymous_link_goes_page_by_page_and_stores_only_at_the_submit(client, survey):
    campaign, _invitation, q = survey
    html = client.get(f"/s/a/{campaign.public_token}/").content.decode()
    submission_id = re.search(r'name="submission_id" value="([0-9a-f-]+)"', html).group(1)
    base = {**first_page(q, repaired="否"), "submission_id": submission_id}

    step = client.post(f"/s/a/{campaign.public_token}/", {**base, "action": "next", "page": "0"})
    assert step.status_code == 200 and current_page(step.content.decode()) == 2
    assert not Response.objects.exists()

    done = client.post(
        f"/s/a/{campaign.public_token}/", {**base, f"q-{q['Q4'].pk}": "好", "action": "submit", "page": "2"}
    )
    assert done.status_code == 302
    assert Response.objects.get().status == ResponseStatus.COMPLETED


# ------------------------------------------------------------------------------------------
# Each respondent's order


@pytest.fixture
def shuffled():
    questionnaire = make_questionnaire(title="随机顺序")
    page = Page.objects.create(
        questionnaire=questionnaire, position=0, title="评价", randomise_questions=True
    )
    questions = [make_question(questionnaire, code=f"Q{n}", text=f"题{n}", page=page) for n in range(1, 7)]
    colour = make_question(
        questionnaire,
        code="Q7",
        text="最喜欢的颜色",
        kind=QuestionKind.SINGLE,
        scored=False,
        options=[
            ("红", None, False),
            ("绿", None, False),
            ("蓝", None, False),
            ("黄", None, False),
            ("不适用", None, False),
        ],
        randomise_options=True,
        page=page,
    )
    colour.options.filter(label="不适用").update(anchored=True)
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    return campaign, questions + [colour]


def shown_order(html):
    return re.findall(
        r'id="question-\d+" data-code="(\w+)"',
        html.split('id="current-page"', 1)[1].split('class="d-flex flex-wrap gap-2 mb-3 page-buttons"', 1)[0],
    )


def option_order(html, question):
    fieldset = html.split(f'id="question-{question.pk}"', 1)[1].split("</fieldset>", 1)[0]
    return re.findall(r'<label class="form-check-label" for="q-\d+-\d+">([^<]+)</label>', fieldset)


def test_each_respondent_sees_an_order_of_their_own_stable_on_reload_and_stored(client, shuffled):
    campaign, questions = shuffled
    invitations = [make_invitation(campaign) for _ in range(6)]
    orders = []
    for invitation in invitations:
        html = client.get(f"/s/{invitation.token}/").content.decode()
        again = client.get(f"/s/{invitation.token}/").content.decode()
        assert shown_order(html) == shown_order(again)
        assert sorted(shown_order(html)) == sorted(q.code for q in questions)
        options = option_order(html, questions[-1])
        assert options[-1] == "不适用" and sorted(options[:-1]) == ["红", "绿", "蓝", "黄"]
        orders.append(tuple(shown_order(html)))
    assert len(set(orders)) > 1  # 6 respondents, 7! orders: not all alike

    invitation = invitations[0]
    html = client.get(f"/s/{invitation.token}/").content.decode()
    data = {f"q-{q.pk}": str(q.options.first().pk) for q in questions}
    client.post(f"/s/{invitation.token}/", {**data, "action": "save", "page": "0"})
    stored = Response.objects.get(invitation=invitation)
    by_pk = {q.pk: q.code for q in questions}
    assert [by_pk[pk] for pk in stored.order["questions"]] == shown_order(html)
    colour = questions[-1]
    labels = dict(colour.options.values_list("pk", "label"))
    assert [labels[pk] for pk in stored.order["options"][str(colour.pk)]] == option_order(html, colour)

    resumed = client.get(f"/s/{invitation.token}/").content.decode()
    assert shown_order(resumed) == shown_order(html)

    client.post(f"/s/{invitation.token}/", {**data, "action": "submit", "page": "0"})
    completed = Response.objects.get(invitation=invitation)
    assert completed.status == ResponseStatus.COMPLETED and completed.order == stored.order


def test_a_questionnaire_without_shuffling_stores_no_order(client):
    questionnaire = make_questionnaire()
    question = make_question(questionnaire, code="Q1")
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    invitation = make_invitation(campaign)
    client.post(f"/s/{invitation.token}/", {f"q-{question.pk}": option(question, "满意"), "action": "submit"})
    assert Response.objects.get().order == {}


def test_a_new_version_and_a_copy_carry_the_pages(survey):
    campaign, _invitation, _questions = survey
    questionnaire = campaign.questionnaire
    for copy in (questionnaire.duplicate(new_version=True), questionnaire.duplicate(title="副本")):
        pages = list(copy.pages.all())
        assert [(p.title, p.condition) for p in pages] == [
            ("基本情况", ""),
            ("维修服务", 'Q1 == "A1"'),
            ("总体评价", ""),
        ]
        assert {p.pk for p in pages}.isdisjoint(set(questionnaire.pages.values_list("pk", flat=True)))
        placed = {question.code: question.page.title for question in copy.questions.select_related("page")}
        assert placed == {
            "Q1": "基本情况",
            "Q2": "基本情况",
            "Q5": "基本情况",
            "Q3": "维修服务",
            "Q4": "总体评价",
        }


def test_the_respondents_own_name_and_type_are_piped_on_their_page_only(client, people):
    from manyi.customers.choices import CustomerType
    from manyi.testing import make_customer

    questionnaire = make_questionnaire(title="VIP回访")
    question = make_question(
        questionnaire,
        code="Q1",
        text="尊敬的{customer.name}（{customer.type}客户），您对{customer.phone}服务满意吗？",
    )
    campaign = make_campaign(
        questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL, Channel.ANONYMOUS]
    )
    customer = make_customer(name="<i>李</i>先生", customer_type=CustomerType.VIP, phone="13812345678")
    invitation = make_invitation(campaign, customer=customer)

    own = client.get(f"/s/{invitation.token}/").content.decode()
    legend = own.split(f'id="q-{question.pk}-legend"', 1)[1].split("</legend>", 1)[0]
    assert "尊敬的&lt;i&gt;李&lt;/i&gt;先生（VIP客户）" in legend
    assert "{customer.phone}" in legend and "13812345678" not in own  # not a whitelisted field

    anonymous = client.get(f"/s/a/{campaign.public_token}/").content.decode()
    legend = anonymous.split(f'id="q-{question.pk}-legend"', 1)[1].split("</legend>", 1)[0]
    assert "尊敬的—（—客户）" in legend

    client.force_login(people.alice)  # the builder's preview shows the text as written
    preview = client.get(f"/surveys/{questionnaire.pk}/preview/").content.decode()
    assert "李" not in preview
