"""manage.py import_lss with a LimeSurvey archive: participants, invitations and scored responses."""

import json
import re
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from manyi.campaigns.models import Campaign, Invitation, Response
from manyi.customers.models import Customer
from manyi.surveys.models import Questionnaire
from manyi.testing import make_customer

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[2] / "surveys" / "limesurvey" / "tests" / "data"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def archive(tmp_path):
    path = tmp_path / "survey_archive_471152.lsa"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as lsa:
        lsa.write(DATA / "satisfaction_ls6.lss", "survey_471152.lss")
        lsa.write(DATA / "survey_471152_responses.lsr", "survey_471152_responses.lsr")
        lsa.write(DATA / "survey_471152_tokens.lst", "survey_471152_tokens.lst")
    return path


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("import_lss", *map(str, args), stdout=out)
    return out.getvalue()


def test_json_reports_groups_questions_subquestions_languages_and_what_was_not_carried(archive):
    report = json.loads(run(archive, "--dry-run", "--json"))
    assert (report["groups"], report["questions"], report["subquestions"]) == (2, 15, 13)
    assert report["groups_as_pages"] is True  # two groups: two pages
    assert report["languages"] == ["zh-Hans", "en"]
    assert report["participants"] == 3 and report["responses"] == 2
    assert report["unsupported"]["equation"]["count"] == 1
    assert report["unsupported"]["incomplete_responses"]["count"] == 1
    assert not Questionnaire.objects.exists() and not Customer.objects.exists()  # a dry run


def test_a_plain_lss_file_creates_only_the_questionnaire():
    report = json.loads(run(DATA / "satisfaction_ls3.lss", "--json"))
    assert report["archive"] is False and report["campaign_id"] is None
    assert Questionnaire.objects.get().pk == report["questionnaire_id"]
    assert not Campaign.objects.exists()


def test_participants_are_matched_by_email_or_created_and_invited_in_a_closed_campaign(archive):
    known = make_customer(name="王伟的公司", email="Wang.Wei@example.com")
    run(archive)
    campaign = Campaign.objects.get()
    assert campaign.state == "closed" and campaign.questionnaire == Questionnaire.objects.get()
    invitations = {i.customer.name: i for i in Invitation.objects.select_related("customer")}
    assert set(invitations) == {"王伟的公司", "Anna Li", "张静"}
    assert invitations["王伟的公司"].customer == known
    assert Customer.objects.count() == 3
    assert invitations["张静"].status == "sent" and invitations["张静"].completed_at is None
    assert invitations["Anna Li"].status == "completed"


def test_completed_responses_keep_their_dates_and_are_scored_like_any_other(archive):
    run(archive)
    responses = {r.invitation.email: r for r in Response.objects.select_related("invitation")}
    assert len(responses) == 2  # the third never submitted
    wang = responses["wang.wei@example.com"]
    assert wang.status == "completed"
    assert wang.completed_at == datetime(2026, 3, 2, 10, 15, tzinfo=SHANGHAI)
    assert wang.started_at == datetime(2026, 3, 2, 10, 5, tzinfo=SHANGHAI)
    # Points on 1-5 scales, scaled to 0-100 by points ÷ highest: Q1 不满意 2 -> 40; Q3 rows 满意 4 -> 80
    # and 很不满意 1 -> 20 (group 1); Q9 4 -> 80 (group 2). Groups weigh alike.
    group1, group2 = (40 + 80 + 20) / 3, 80
    assert wang.points == {"Q1": 2, "SQ001": 4, "SQ002": 1, "Q9": 4}
    assert wang.dimension_scores == pytest.approx({"G1": group1, "G2": group2})
    assert wang.index == pytest.approx((group1 + group2) / 2)
    assert wang.nps == 9 and wang.valid
    answers = {
        (a.question.code, a.option.label if a.option else a.text or a.number) for a in wang.answers.all()
    }
    assert {("Q2", "交期太长"), ("Q5", "价格"), ("Q8", "价格透明"), ("Q12", "是"), ("Q7", "120")} <= answers
    anna = responses["anna.li@example.com"]
    assert ("Q5", "快速响应") in {(a.question.code, a.text) for a in anna.answers.all()}  # "other"
    assert anna.nps == 10 and anna.index == pytest.approx(((100 + 100 + 80) / 3 + 100) / 2)


def test_a_participant_marked_completed_without_a_date_takes_the_responses_submit_date(tmp_path):
    tokens = (DATA / "survey_471152_tokens.lst").read_bytes().replace(b"2026-03-03 16:40", b"Y")
    path = tmp_path / "survey_archive_471152.lsa"
    with zipfile.ZipFile(path, "w") as lsa:
        lsa.write(DATA / "satisfaction_ls6.lss", "survey_471152.lss")
        lsa.write(DATA / "survey_471152_responses.lsr", "survey_471152_responses.lsr")
        lsa.writestr("survey_471152_tokens.lst", tokens)
    run(path)
    anna = Invitation.objects.get(email="anna.li@example.com")
    assert anna.status == "completed"
    assert anna.completed_at == datetime(2026, 3, 3, 16, 40, tzinfo=SHANGHAI)


def test_responses_with_columns_named_by_question_id_read_the_same(tmp_path):
    """Newer LimeSurvey names response columns Q<qid> and Q<qid>_S<subquestion qid>."""
    renamed = {
        "X1X1": "Q1", "X1X2": "Q2", "X1X3SQ001": "Q3_S31", "X1X3SQ002": "Q3_S32", "X1X4SQ001-0": "Q4_S41-0",
        "X1X4SQ001-1": "Q4_S41-1", "X2X5SQ001comment": "Q5_S51comment", "X2X5SQ001": "Q5_S51",
        "X2X5SQ002": "Q5_S52", "X2X5SQ003": "Q5_S53", "X2X5other": "Q5_other", "X2X6": "Q6", "X2X7": "Q7",
        "X2X8SQ001": "Q8_S81", "X2X9": "Q9", "X2X12": "Q12",
    }  # fmt: skip
    responses = (DATA / "survey_471152_responses.lsr").read_text()
    for old, new in renamed.items():
        responses = re.sub(rf"([</>])_471152{old}([/<>])", rf"\g<1>{new}\g<2>", responses)
    assert "471152X" not in responses
    path = tmp_path / "survey_archive_471152.lsa"
    with zipfile.ZipFile(path, "w") as lsa:
        lsa.write(DATA / "satisfaction_ls6.lss", "survey_471152.lss")
        lsa.writestr("survey_471152_responses.lsr", responses)
        lsa.write(DATA / "survey_471152_tokens.lst", "survey_471152_tokens.lst")
    report = json.loads(run(path, "--json"))
    assert report["unsupported"]["unmatched_answers"]["count"] == 3  # the second scale twice, a comment
    wang = Response.objects.get(invitation__email="wang.wei@example.com")
    assert wang.points == {"Q1": 2, "SQ001": 4, "SQ002": 1, "Q9": 4} and wang.nps == 9
    anna = Response.objects.get(invitation__email="anna.li@example.com")
    assert ("Q5", "快速响应") in {(a.question.code, a.text) for a in anna.answers.all()}
