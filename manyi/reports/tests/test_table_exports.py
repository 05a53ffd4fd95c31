"""Table questions in the raw data exports: one column per row and column ("Q4 第1行 快递公司" …),
numbers as numbers, texts masked as open answers for readers without personal data."""

import csv
import io

import pyreadstat
import pytest
from django.urls import reverse

from manyi.campaigns.choices import CampaignState, Channel
from manyi.campaigns.tests.test_table_answers import cells, make_table_question
from manyi.testing import answer, make_campaign, make_customer, make_question, make_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture
def express(db):
    questionnaire = make_questionnaire(title="快递服务调查")
    rated = make_question(questionnaire, code="Q1", text="派送速度", required=False)
    table = make_table_question(questionnaire, required=False, table_max_rows=3)
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    answers = [
        {
            1: {"company": "圆通", "share": "50", "pros": "速度较好", "cons": "售后处理不够快"},
            3: {"company": "中通", "share": "12.5", "cons": "请回电 13812345678"},
        },
        {},  # a respondent who left the table empty
    ]
    for n, rows in enumerate(answers):
        data = cells(table, rows)
        data[f"q-{rated.pk}"] = str(rated.options.get(label="满意").pk)
        answer(campaign, data, customer=make_customer(code=f"K{n}"))
    return campaign


def export(client, campaign, fmt):
    response = client.get(reverse("reports:export", args=[campaign.pk]) + f"?format={fmt}")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_csv_has_a_column_per_row_and_column_of_the_table(client_as, people, express, fresh_datasets):
    rows = list(csv.reader(io.StringIO(export(client_as(people.alice), express, "csv").decode("utf-8-sig"))))
    header, first, second = rows
    labels = [h for h in header if h.startswith("Q4 ")]
    assert labels[:4] == ["Q4 第1行 快递公司", "Q4 第1行 件量占比", "Q4 第1行 优势", "Q4 第1行 劣势"]
    assert len(labels) == 3 * 4 and labels[-1] == "Q4 第3行 劣势"
    cell = dict(zip(header, first, strict=True))
    assert cell["Q4 第1行 快递公司"] == "圆通" and cell["Q4 第1行 件量占比"] == "50"
    # The page's third row was the second one filled.
    assert cell["Q4 第2行 快递公司"] == "中通" and cell["Q4 第2行 件量占比"] == "12.5"
    assert cell["Q4 第2行 劣势"] == "请回电 13812345678"  # alice may see personal data
    assert cell["Q4 第3行 快递公司"] == ""
    assert all(value == "" for name, value in zip(header, second, strict=True) if name.startswith("Q4 "))


def test_texts_are_masked_for_a_reader_without_personal_data(client_as, people, express, fresh_datasets):
    data = export(client_as(people.ana), express, "csv").decode("utf-8-sig")
    assert "13812345678" not in data and "138****5678" in data


def test_the_sav_carries_the_table_as_labelled_variables(
    client_as, people, express, fresh_datasets, tmp_path
):
    path = tmp_path / "answers.sav"
    path.write_bytes(export(client_as(people.ana), express, "sav"))
    frame, meta = pyreadstat.read_sav(str(path))
    labels = dict(zip(meta.column_labels, meta.column_names, strict=True))
    share = labels["Q4 第1行 件量占比"]
    assert list(frame[share].fillna(-1)) == [50.0, -1]
    assert list(frame[labels["Q4 第1行 快递公司"]]) == ["圆通", ""]


def test_who_may_export_is_unchanged(client_as, people, express):
    url = reverse("reports:export", args=[express.pk]) + "?format=csv"
    assert client_as(people.amy).get(url).status_code == 403
    assert client_as(people.hank).get(url).status_code == 403


def test_the_report_lists_the_table_per_company_and_withholds_the_texts_as_open_answers(
    client_as, people, express, fresh_datasets
):
    from manyi.reports.models import Report

    client = client_as(people.alice)
    assert client.post(reverse("reports:create", args=[express.pk])).status_code == 302
    report = Report.objects.get(campaign=express)
    html = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "Q4 目前主要合作快递公司及发件量占比?" in html
    # 圆通 and 中通 each named by the one respondent who filled the table: 50% and 12.5%.
    assert '<td>圆通</td><td class="num">1</td><td class="num">50.0</td><td>速度较好</td>' in html
    assert '<td>中通</td><td class="num">1</td><td class="num">12.5</td>' in html
    assert "13812345678" not in html  # contacts are taken out of the summary's texts

    express.confidential = True
    express.save()
    html = client_as(people.sam).get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "<td>圆通</td>" in html and "速度较好" not in html
