"""Reviews and exports show the order each respondent saw (issue 21).

A page that shuffles its questions and a question that shuffles its options give each
respondent an order of their own, stored on their response (Response.order). The staff's
response page shows the questions and the options in that order, and the CSV and Excel exports
carry it in display-order columns ("Q3|Q1|Q2", like Qualtrics' _DO columns). The expected
orders are read from the stored order and the page the respondent was shown, never from the
code under test.
"""

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from manyi.campaigns.choices import CampaignState, Channel
from manyi.campaigns.models import Response
from manyi.campaigns.tests.test_answer_pages import shuffled  # noqa: F401 - a fixture
from manyi.results.tests.conftest import fresh_datasets  # noqa: F401 - an autouse fixture
from manyi.testing import make_campaign, make_invitation, make_question, make_questionnaire

pytestmark = pytest.mark.django_db


def codes_on(html, start='id="current-page"'):
    return re.findall(r'id="question-\d+" data-code="(\w+)"', html.split(start, 1)[-1])


def labels_of(html, question):
    fieldset = html.split(f'id="question-{question.pk}"', 1)[1].split("</fieldset>", 1)[0]
    return re.findall(r'<label class="form-check-label" for="q-\d+-\d+">([^<]+)</label>', fieldset)


def answered(client, campaign, questions, respondents=4):
    """Respondents answer on their personal links; [(response, codes seen, colours seen)]."""
    seen = []
    for _ in range(respondents):
        invitation = make_invitation(campaign)
        html = client.get(f"/s/{invitation.token}/").content.decode()
        page = html.split('id="current-page"', 1)[1]
        data = {f"q-{q.pk}": str(q.options.first().pk) for q in questions}
        client.post(f"/s/{invitation.token}/", {**data, "action": "submit", "page": "0"})
        response = Response.objects.get(invitation=invitation)
        seen.append((response, codes_on(page, "<"), labels_of(page, questions[-1])))
    return seen


def test_the_response_page_shows_the_questions_and_options_in_the_order_the_respondent_saw(
    client,
    client_as,
    people,
    shuffled,  # noqa: F811
):
    campaign, questions = shuffled
    seen = answered(client, campaign, questions)
    assert len({tuple(codes) for _r, codes, _c in seen}) > 1  # not everyone saw the same order
    by_pk = {q.pk: q.code for q in questions}
    for response, codes, colours in seen:
        assert [by_pk[pk] for pk in response.order["questions"]] == codes
        html = client_as(people.alice).get(reverse("entry:response", args=[response.pk])).content.decode()
        assert codes_on(html, "<form") == codes
        assert labels_of(html, questions[-1]) == colours
        assert colours[-1] == "不适用"  # kept in place


def read_csv(data):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def export(client, campaign, fmt):
    url = reverse("reports:export", args=[campaign.pk]) + f"?format={fmt}"
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_exports_carry_the_order_each_respondent_saw(client, client_as, people, shuffled):  # noqa: F811
    campaign, questions = shuffled
    seen = answered(client, campaign, questions)
    code_of = {label: code for code, label in questions[-1].options.values_list("code", "label")}
    expected = {
        str(response.pk): ("|".join(codes), "|".join(code_of[label] for label in colours))
        for response, codes, colours in seen
    }
    client = client_as(people.alice)
    rows = read_csv(export(client, campaign, "csv"))
    header = rows[0]
    order, options = (
        header.index("Order of the questions shown"),
        header.index(f"{questions[-1].code} {questions[-1].text} (order of the options shown)"),
    )
    assert {row[0]: (row[order], row[options]) for row in rows[1:]} == expected
    sheet = load_workbook(io.BytesIO(export(client, campaign, "xlsx")), read_only=True).worksheets[0]
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    order, options = cells[0].index("Order of the questions shown"), cells[0].index(header[options])
    assert {str(row[0]): (row[order], row[options]) for row in cells[1:] if row[0] is not None} == expected


def test_a_questionnaire_that_does_not_shuffle_has_no_order_columns(client, client_as, people):
    questionnaire = make_questionnaire(title="固定顺序")
    question = make_question(questionnaire, code="Q1")
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    invitation = make_invitation(campaign)
    client.post(
        f"/s/{invitation.token}/", {f"q-{question.pk}": str(question.options.first().pk), "action": "submit"}
    )
    header = read_csv(export(client_as(people.alice), campaign, "csv"))[0]
    assert not [name for name in header if "order" in name]
