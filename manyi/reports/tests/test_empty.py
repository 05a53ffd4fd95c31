"""A campaign without answers yet: the pages and files work and say so; publishing is refused."""

import io

import pyreadstat
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from manyi.campaigns.choices import CampaignState
from manyi.reports.models import Report
from manyi.testing import make_campaign, make_question, make_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiet():
    questionnaire = make_questionnaire(title="新问卷")
    make_question(questionnaire, "Q1", text="产品质量")
    return make_campaign(questionnaire, state=CampaignState.RUNNING)


def test_an_empty_campaign_reports_no_responses_yet(client_as, people, quiet, tmp_path):
    client = client_as(people.sam)
    client.post(reverse("reports:create", args=[quiet.pk]))
    report = Report.objects.get(campaign=quiet)
    html = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "还没有有效答卷" in html
    assert client.get(reverse("reports:pdf", args=[report.pk])).content.startswith(b"%PDF")
    assert client.get(reverse("reports:xlsx", args=[report.pk])).status_code == 200
    response = client.post(reverse("reports:publish", args=[report.pk]), follow=True)
    assert "还没有可报告的有效答卷" in response.content.decode()
    report.refresh_from_db()
    assert not report.is_published


def test_an_empty_campaign_exports_headers_only(client_as, people, quiet, tmp_path):
    client = client_as(people.alice)
    url = reverse("reports:export", args=[quiet.pk])
    data = b"".join(client.get(url + "?format=csv").streaming_content)
    assert data.decode("utf-8-sig").count("\n") == 1
    workbook = load_workbook(io.BytesIO(b"".join(client.get(url + "?format=xlsx").streaming_content)))
    assert workbook.worksheets[0].max_row == 1
    path = tmp_path / "empty.sav"
    path.write_bytes(b"".join(client.get(url + "?format=sav").streaming_content))
    frame, meta = pyreadstat.read_sav(str(path))
    assert len(frame) == 0 and "Q1 产品质量" in meta.column_labels
