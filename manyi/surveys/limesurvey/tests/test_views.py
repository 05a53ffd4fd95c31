"""The builder's LimeSurvey pages: upload, preview, import; and the .lss download."""

import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from manyi.campaigns.models import Campaign, Response
from manyi.customers.models import Customer
from manyi.surveys.limesurvey import reader
from manyi.surveys.models import Questionnaire
from manyi.testing import make_question, make_questionnaire

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
EDITORS = {"alice", "sam"}
VIEWERS = {"alice", "sam", "amy", "ana"}
ROLES = ["alice", "sam", "amy", "hank", "ana", "ivan"]
UPLOAD = reverse("surveys:limesurvey_import")
CONFIRM = reverse("surveys:limesurvey_import_confirm")


def lss(name="satisfaction_ls6.lss"):
    return SimpleUploadedFile(
        name, (DATA / "satisfaction_ls6.lss").read_bytes(), content_type="application/xml"
    )


def lsa(tmp_path):
    path = tmp_path / "survey_archive_471152.lsa"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(DATA / "satisfaction_ls6.lss", "survey_471152.lss")
        archive.write(DATA / "survey_471152_responses.lsr", "survey_471152_responses.lsr")
        archive.write(DATA / "survey_471152_tokens.lst", "survey_471152_tokens.lst")
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/zip")


@pytest.mark.parametrize("role", ROLES)
def test_only_survey_editors_may_upload_and_import(client_as, people, role):
    client = client_as(getattr(people, role))
    pages = [client.get(UPLOAD), client.post(UPLOAD, {"file": lss()}), client.post(CONFIRM)]
    if role in EDITORS:
        assert [p.status_code for p in pages[:2]] == [200, 200]
        assert pages[2].status_code == 302
    elif role == "ivan":
        assert all(p.status_code in (302, 403) for p in pages)
    else:
        assert all(p.status_code == 403 for p in pages)
    assert Questionnaire.objects.count() == (1 if role in EDITORS else 0)


@pytest.mark.parametrize("role", ROLES)
def test_only_survey_viewers_may_download_the_lss(client_as, people, role):
    questionnaire = make_questionnaire(title="导出")
    make_question(questionnaire, "Q1")
    response = client_as(getattr(people, role)).get(
        reverse("surveys:limesurvey_export", args=[questionnaire.pk])
    )
    if role in VIEWERS:
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert b"<LimeSurveyDocType>Survey</LimeSurveyDocType>" in response.content
    else:
        assert response.status_code in ((302, 403) if role == "ivan" else (403,))


def test_the_preview_shows_what_will_be_created_and_creates_nothing(client_as, people):
    page = client_as(people.alice).post(UPLOAD, {"file": lss()}).content.decode()
    assert "客户满意度调查" in page and 'id="limesurvey-unsupported"' in page and "Q15" in page
    assert "any_of(Q5, &quot;SQ001&quot;)" in page  # the converted condition, escaped
    assert page.count('data-page="G') == 2 and "总体评价" in page  # each question group is a page
    assert not Questionnaire.objects.exists()


def test_confirming_imports_the_previewed_file_once(client_as, people):
    client = client_as(people.alice)
    client.post(UPLOAD, {"file": lss()})
    response = client.post(CONFIRM)
    questionnaire = Questionnaire.objects.get()
    assert response.status_code == 302 and response.url == questionnaire.get_absolute_url()
    assert questionnaire.questions.count() == 13 and questionnaire.created_by == people.alice
    assert client.post(CONFIRM).status_code == 404  # the upload is gone
    assert Questionnaire.objects.count() == 1


def test_an_archive_brings_participants_and_responses_into_a_closed_campaign(client_as, people, tmp_path):
    client = client_as(people.sam)
    page = client.post(UPLOAD, {"file": lsa(tmp_path)}).content.decode()
    assert "Participants" in page or "参与者" in page
    client.post(CONFIRM)
    campaign = Campaign.objects.get()
    assert campaign.state == "closed" and campaign.invitations.count() == 3
    assert Response.objects.filter(campaign=campaign, status="completed").count() == 2
    assert Customer.objects.count() == 3


def test_another_users_upload_cannot_be_confirmed(client_as, people):
    client_as(people.alice).post(UPLOAD, {"file": lss()})
    assert client_as(people.sam).post(CONFIRM).status_code == 404
    assert not Questionnaire.objects.exists()


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("survey.txt", b"hello"),
        SimpleUploadedFile("survey.lss", b"<html></html>"),
        SimpleUploadedFile("survey.lss", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><document/>'),
        SimpleUploadedFile("survey.lsa", b"PK\x03\x04broken"),
        SimpleUploadedFile("survey.lss", b""),
    ],
    ids=["not LimeSurvey by name", "not LimeSurvey by content", "entities", "broken archive", "empty"],
)
def test_bad_uploads_are_refused_with_a_message_and_change_nothing(client_as, people, upload):
    response = client_as(people.alice).post(UPLOAD, {"file": upload})
    assert response.status_code == 200
    assert 'id="upload-errors"' in response.content.decode()
    assert not Questionnaire.objects.exists()
    assert client_as(people.alice).post(CONFIRM).status_code == 404


def test_a_file_over_the_limit_is_refused_before_it_is_stored(client_as, people, monkeypatch):
    monkeypatch.setattr(reader, "MAX_LSS_BYTES", 1000)
    response = client_as(people.alice).post(UPLOAD, {"file": lss()})
    assert 'id="upload-errors"' in response.content.decode()
    assert not Questionnaire.objects.exists()
