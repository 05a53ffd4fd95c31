"""A supervisor moves a LimeSurvey archive in through the builder: upload, read the report, import."""

import io
import zipfile
from pathlib import Path

import pytest

from manyi.campaigns.models import Campaign
from manyi.surveys.models import Questionnaire

DATA = Path(__file__).resolve().parents[2] / "manyi" / "surveys" / "limesurvey" / "tests" / "data"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def archive():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as lsa:
        lsa.write(DATA / "satisfaction_ls6.lss", "survey_471152.lss")
        lsa.write(DATA / "survey_471152_responses.lsr", "survey_471152_responses.lsr")
        lsa.write(DATA / "survey_471152_tokens.lst", "survey_471152_tokens.lst")
    return buffer.getvalue()


def test_a_supervisor_previews_the_report_and_imports_an_archive(page, login, people, screenshot):
    login(people.sam)
    page.goto(page.base_url + "/surveys/")
    page.click("#limesurvey-import-link")
    page.set_input_files(
        "#id_file", files=[{"name": "客户满意度.lsa", "mimeType": "application/zip", "buffer": archive()}]
    )
    page.click("#upload-button")
    page.wait_for_selector("#limesurvey-unsupported")
    assert "公式（*）：未导入" in page.inner_text("#limesurvey-unsupported")
    assert "any_of(Q5" in page.inner_text("#limesurvey-questions")
    assert not Questionnaire.objects.exists()
    screenshot("limesurvey-import-preview")

    page.click("#confirm-import")
    page.wait_for_selector("#limesurvey-export-link")
    questionnaire = Questionnaire.objects.get()
    assert page.url.endswith(questionnaire.get_absolute_url())
    assert Campaign.objects.get().responses.count() == 2
    screenshot("limesurvey-imported")
