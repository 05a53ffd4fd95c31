"""The full CSR report (seed 001): technical, fieldwork, data and analysis parts."""

import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from manyi.reports.choices import ReportKind
from manyi.reports.models import Report

from .conftest import ANSWERS

pytestmark = pytest.mark.django_db


def test_a_csr_report_has_the_technical_fieldwork_and_data_parts(client_as, people, survey):
    client = client_as(people.sam)
    response = client.post(reverse("reports:create", args=[survey.pk]), {"kind": "csr"})
    report = Report.objects.get(campaign=survey)
    assert response.status_code == 302 and report.kind == ReportKind.CSR
    html = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    for section in ("technical", "fieldwork", "data", "overall", "importance", "appendix"):
        assert f'<section id="{section}">' in html
    assert '<section id="method">' not in html

    # Non-response check by region: 4 of 9 invited customers are in 华东 and all 4 answered.
    bias = re.search(r'id="bias-table">(.*?)</table>', html, re.S).group(1)
    east = re.search(r"<td>华东</td>(.*?)</tr>", bias, re.S).group(1)
    assert re.findall(r'class="num">([^<]*)<', east) == ["4", "44.4", "4", "50.0", "100.0"]
    assert "1 / 9" not in html  # (the unanswered invitation has no region)

    # Frequencies of Q1: 10 ×3, 8 ×2, 6 ×2, 4 ×1, 2 ×0 out of 8.
    q1 = [points[0] for _r, points, _n, _t in ANSWERS]
    table = re.search(r"<th>Q1 产品性能</th>.*?</table>", html, re.S).group(0)
    rows = re.findall(
        r"<tr><td>([^<]*)</td><td class=\"num\">(\d+)</td><td class=\"num\">([^<]*)</td></tr>", table
    )
    expected = {
        label: q1.count(points)
        for label, points in (("很满意", 10), ("满意", 8), ("可以接受", 6), ("不满意", 4), ("很不满意", 2))
    }
    assert {label: int(n) for label, n, _share in rows} == expected
    assert {label: share for label, _n, share in rows}["很满意"] == f"{100 * 3 / 8:.1f}"

    # Fieldwork: all 8 answers came by e-mail.
    channels = re.search(r'id="channel-table">(.*?)</table>', html, re.S).group(1)
    assert re.search(r'<td class="num">8</td>', channels)


def test_an_unknown_kind_of_report_is_refused(client_as, people, survey):
    response = client_as(people.sam).post(reverse("reports:create", args=[survey.pk]), {"kind": "novel"})
    assert response.status_code == 400
    assert not Report.objects.exists()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_the_csr_pdf_lists_its_parts_in_the_contents(client_as, people, survey, tmp_path):
    client = client_as(people.sam)
    client.post(reverse("reports:create", args=[survey.pk]), {"kind": "csr"})
    report = Report.objects.get(campaign=survey)
    path = tmp_path / "csr.pdf"
    path.write_bytes(client.get(reverse("reports:pdf", args=[report.pk])).content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    for title in ("一、技术报告", "二、实地执行报告", "三、数据报告", "四、分析报告", "十、结论与建议"):
        assert re.search(rf"{title}[^\n]*?\d+\s*$", text, re.M), title


def test_the_csr_workbook_adds_technical_fieldwork_and_data_sheets(client_as, people, survey):
    import io

    from openpyxl import load_workbook

    client = client_as(people.sam)
    client.post(reverse("reports:create", args=[survey.pk]), {"kind": "csr"})
    report = Report.objects.get(campaign=survey)
    workbook = load_workbook(io.BytesIO(client.get(reverse("reports:xlsx", args=[report.pk])).content))
    assert workbook.sheetnames[2:5] == ["技术", "实地", "数据"]
    assert len(workbook.sheetnames) == 14  # with the structure analysis
    data = list(workbook["数据"].iter_rows(values_only=True))
    assert ("很满意", 3, 37.5) in data  # Q1: three of eight answered 很满意
