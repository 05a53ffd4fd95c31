"""The satisfaction analysis report: figures equal the dashboard's (in HTML, PDF and Excel), the
CJK font is embedded, drafts change with new answers and published reports do not."""

import io
import os
import re
import shutil
import statistics
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from manyi.campaigns.answering import can_see_individual_answers
from manyi.reports import publishing
from manyi.reports.models import Report
from manyi.results.filters import Selection
from manyi.results.summary import dashboard_summary
from manyi.testing import make_customer

from .conftest import ANSWERS, EARLIER, answer, hand_index

pytestmark = pytest.mark.django_db

POPPLER = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")


def pdf_text(data, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def new_report(survey, user, client):
    response = client.post(reverse("reports:create", args=[survey.pk]))
    assert response.status_code == 302
    return Report.objects.get(campaign=survey)


@POPPLER
def test_the_pdf_states_the_dashboards_figures_with_an_embedded_cjk_font(client_as, people, survey, tmp_path):
    client = client_as(people.sam)
    report = new_report(survey, people.sam, client)
    response = client.get(reverse("reports:pdf", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)

    summary = dashboard_summary(survey, Selection())
    indices = [hand_index(points) for _r, points, _n, _t in ANSWERS]
    assert summary["headline"]["index"] == pytest.approx(statistics.mean(indices))
    assert f"{statistics.mean(indices):.1f}" in text
    satisfied = 100 * sum(1 for x in indices if x >= 70) / len(indices)
    assert f"{satisfied:.1f}%" in text
    for item in summary["items"]:
        assert f"{item['score']:.1f}" in text
    for dimension in summary["dimensions"]:
        assert f"{dimension['mean']:.1f}" in text
    before = statistics.mean(hand_index(p) for p in EARLIER)
    assert f"{statistics.mean(indices) - before:+.1f}".replace("+", "+") in text.replace(" ", "")
    # Issued 9 (8 answered, one not), returned 8, valid 8.
    assert re.search(r"88\.9%", text)
    # The sections and the table of contents with page numbers, and the page footer.
    for heading in ("调查目的", "调查方法与样本", "总体满意度", "主要问题", "改进措施", "附录"):
        assert heading in text
    pages = text.count("\f")
    assert pages >= 3
    for page in range(1, pages + 1):
        assert re.search(rf"(?<!\d){page}\s*/\s*{pages}(?!\d)", text)
    assert re.search(r"一、调查目的[ .]*\d+\s*$", text, re.M)  # the contents give page numbers

    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "report.pdf")], check=True, capture_output=True, text=True
    ).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk, fonts
    assert all(" yes " in line for line in cjk)  # embedded


@POPPLER
def test_page_one_renders_to_png(client_as, people, survey, tmp_path):
    client = client_as(people.alice)
    report = new_report(survey, people.alice, client)
    (tmp_path / "report.pdf").write_bytes(client.get(reverse("reports:pdf", args=[report.pk])).content)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "report.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    page = next(tmp_path.glob("page*.png"))
    assert page.stat().st_size > 5000
    keep = os.environ.get("MANYI_KEEP_REPORT_PNG")
    if keep:
        shutil.copy(tmp_path / "report.pdf", keep + ".pdf")
        subprocess.run(["pdftoppm", "-png", "-r", "80", str(tmp_path / "report.pdf"), keep], check=True)


def test_the_html_page_shows_the_figures_and_the_quadrant_names(client_as, people, survey):
    client = client_as(people.sam)
    report = new_report(survey, people.sam, client)
    html = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    indices = [hand_index(points) for _r, points, _n, _t in ANSWERS]
    assert re.search(rf'id="index">{statistics.mean(indices):.1f}<', html)
    assert 'id="returned">8<' in html and 'id="issued">9<' in html
    assert "data:image/png;base64," in html
    assert 'id="draft-mark"' in html


def test_the_workbook_has_one_sheet_per_section(client_as, people, survey):
    client = client_as(people.sam)
    report = new_report(survey, people.sam, client)
    response = client.get(reverse("reports:xlsx", args=[report.pk]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 11  # with the structure analysis
    assert workbook.sheetnames[0] == "目的"
    overall = workbook.worksheets[2]
    values = {row[0]: row[1] for row in overall.iter_rows(values_only=True) if row and row[0]}
    indices = [hand_index(points) for _r, points, _n, _t in ANSWERS]
    assert values["总体满意度指数"] == pytest.approx(statistics.mean(indices), abs=1e-4)
    assert workbook.worksheets[3]._charts  # a native bar chart of the dimensions


def test_a_published_report_does_not_change_after_new_answers(client_as, people, survey, tmp_path):
    client = client_as(people.sam)
    report = new_report(survey, people.sam, client)
    client.post(
        reverse("reports:edit", args=[report.pk]),
        {"kind": "analysis", "title": report.title, "number": "QR2104", "conclusions": "总体良好。"},
    )
    assert client.post(reverse("reports:publish", args=[report.pk])).status_code == 302
    report.refresh_from_db()
    assert report.is_published and report.version == 1
    assert report.questionnaire_id == survey.questionnaire_id
    frozen = report.snapshot["overall"]["index"]
    html_before = client.get(reverse("reports:detail", args=[report.pk])).content.decode()

    answer(survey, survey.questionnaire, make_customer(code="LATE"), (2, 2, 2), 0, "很差")
    html_after = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert re.search(r'id="index">([^<]*)<', html_after).group(1) == f"{frozen:.1f}"
    assert re.search(r'id="returned">([^<]*)<', html_after).group(1) == "8"
    report.refresh_from_db()
    assert report.snapshot["overall"]["index"] == frozen
    assert html_before.count("很差") == html_after.count("很差")

    # Editing and publishing again are refused; a new version starts from it and counts the new answer.
    response = client.post(
        reverse("reports:edit", args=[report.pk]), {"kind": "analysis", "title": "改", "conclusions": "改"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.conclusions == "总体良好。"
    with pytest.raises(publishing.PublishError):
        publishing.publish(report)
    client.post(reverse("reports:revise", args=[report.pk]))
    draft = Report.objects.exclude(pk=report.pk).get()
    assert draft.conclusions == "总体良好。" and draft.number == "QR2104"
    publishing.publish(draft, by=people.sam)
    assert draft.version == 2
    assert draft.snapshot["overall"]["responses"] == 9


def test_open_answers_are_masked_or_withheld_as_the_reader_may_see(client_as, people, survey):
    client = client_as(people.alice)
    report = new_report(survey, people.alice, client)
    html = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "13812345678" in html  # the administrator may see personal data
    html = client_as(people.ana).get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "13812345678" not in html and "138****5678" in html
    survey.confidential = True
    survey.save()
    assert not can_see_individual_answers(people.sam, survey)
    html = client_as(people.sam).get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert 'id="open-answers-withheld"' in html
    assert "交货太慢，服务态度一般" not in html


def test_who_may_read_edit_and_publish(client_as, people, survey):
    client = client_as(people.sam)
    report = new_report(survey, people.sam, client)
    detail = reverse("reports:detail", args=[report.pk])
    assert client_as(people.amy).get(detail).status_code == 403
    assert client_as(people.hank).get(detail).status_code == 403
    assert client_as(people.amy).post(reverse("reports:publish", args=[report.pk])).status_code == 403
    assert client_as(people.amy).post(reverse("reports:create", args=[survey.pk])).status_code == 403
    assert client_as(None).get(reverse("reports:pdf", args=[report.pk])).status_code == 302
    report.refresh_from_db()
    assert not report.is_published


def test_the_analyst_reads_and_exports_reports_but_writes_none(client_as, people, survey):
    """REQUIREMENTS §9: the analyst reads only. She opened, edited, published and scheduled
    reports (the role had the report-editing right, against its own comment)."""
    report = new_report(survey, people.sam, client_as(people.sam))
    analyst = client_as(people.ana)
    for name in ("detail", "pdf", "xlsx"):
        assert analyst.get(reverse(f"reports:{name}", args=[report.pk])).status_code == 200, name
    assert analyst.get(reverse("reports:export", args=[survey.pk]), {"format": "csv"}).status_code == 200
    refused = [
        analyst.post(reverse("reports:create", args=[survey.pk]), {"kind": "analysis"}),
        analyst.post(reverse("reports:edit", args=[report.pk]), {"title": "改", "conclusions": "改"}),
        analyst.post(reverse("reports:publish", args=[report.pk])),
        analyst.post(reverse("reports:schedule", args=[survey.pk]), {"kind": "analysis"}),
    ]
    assert [response.status_code for response in refused] == [403] * 4
    report.refresh_from_db()
    assert not report.is_published and report.title != "改"
    assert Report.objects.count() == 1
    html = analyst.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert reverse("reports:edit", args=[report.pk]) not in html


def test_the_word_cloud_never_holds_phones_or_e_mail_addresses(survey):
    from manyi.reports.figures import report_figures

    words = " ".join(word for word, _count in report_figures(survey)["keywords"])
    assert "交货" in words or "服务" in words
    for leak in ("13812345678", "5678", "wang"):
        assert leak not in words


def test_contacts_in_open_answers_are_masked():
    from manyi.customers.masking import mask_text

    assert mask_text("电话 13812345678，座机 0571-88886666，邮箱 zhang.wei@example.com") == (
        "电话 138****5678，座机 0571-****6666，邮箱 z***@example.com"
    )
    assert mask_text("订单号 2026112300001234 无需遮盖") == "订单号 2026112300001234 无需遮盖"


def test_publishing_is_in_the_audit_log_without_the_frozen_figures(client_as, people, survey):
    from auditlog.models import LogEntry

    client = client_as(people.sam)
    report = new_report(survey, people.sam, client)
    client.post(reverse("reports:publish", args=[report.pk]))
    entries = LogEntry.objects.get_for_object(Report.objects.get(pk=report.pk)).order_by("timestamp")
    published = entries.last()
    assert published.actor == people.sam
    changes = published.changes_dict
    assert changes["status"][1] == "published" and changes["version"][1] == "1"
    assert "snapshot" not in changes


def test_the_improvement_actions_of_the_campaign_are_in_the_report(client_as, people, survey, action):
    client = client_as(people.sam)
    report = new_report(survey, people.sam, client)
    html = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    section = re.search(r'<section id="improvements">(.*?)</section>', html, re.S).group(1)
    table = re.search(r'id="improvement-table">(.*?)</table>', section, re.S).group(1)
    assert "缩短售后响应时间" in table and people.hank.display_name in table
    assert "60.0" in table  # the item's score when the action was raised: the baseline


def test_a_published_pdf_is_drawn_once_per_kind_of_reader(client_as, people, survey, settings, tmp_path):
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = tmp_path

    client = client_as(people.sam)
    report = new_report(survey, people.sam, client)
    client.post(reverse("reports:publish", args=[report.pk]))
    reader = client_as(people.ana)  # may not see personal data
    first = reader.get(reverse("reports:pdf", args=[report.pk])).content
    kept = sorted(default_storage.listdir("private/reports")[1])
    assert kept == [f"report-{report.pk}-v1-masked-zh-hans.pdf"]
    assert reader.get(reverse("reports:pdf", args=[report.pk])).content == first
    client_as(people.alice).get(reverse("reports:pdf", args=[report.pk]))  # may see personal data
    kept = sorted(default_storage.listdir("private/reports")[1])
    assert kept == [f"report-{report.pk}-v1-full-zh-hans.pdf", f"report-{report.pk}-v1-masked-zh-hans.pdf"]


def test_answers_without_an_invitation_are_reported_apart_from_the_returned(client_as, people, survey):
    """Seed 000: 回收率 = returned of issued. An answer through the anonymous link is analysed
    but is no returned questionnaire: the method table keeps 8 of 9 and names it apart."""
    from manyi.campaigns.answering import AnswerForm, save_response
    from manyi.campaigns.choices import Channel
    from manyi.reports.figures import report_figures

    question = survey.questionnaire.questions.get(code="Q1")
    form = AnswerForm(
        survey.questionnaire, data={f"q-{question.pk}": str(question.options.first().pk)}, complete=False
    )
    assert form.is_valid(), form.errors
    save_response(
        campaign=survey,
        questionnaire=survey.questionnaire,
        cleaned_data=form.cleaned_data,
        channel=Channel.ANONYMOUS,
    )
    method = report_figures(survey)["method"]
    assert (method["issued"], method["returned"], method["response_rate"]) == (9, 8, 88.9)  # not 9 of 9
    assert method["uninvited"] == [[str(Channel.ANONYMOUS.label), 1]]
    report = new_report(survey, people.sam, client_as(people.sam))
    html = client_as(people.sam).get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert 'id="returned">8<' in html and 'id="uninvited"' in html
