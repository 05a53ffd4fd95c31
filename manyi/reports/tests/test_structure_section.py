"""The report's structure analysis section (结构分析, issue 18): the dashboard's factor analysis,
reliability and segments (results.structure) in the web page, the PDF and the workbook; the
sentence saying why when they cannot be computed; reports published before it without it."""

import io
import json
import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from manyi.reports import publishing
from manyi.reports.figures import json_safe, report_figures
from manyi.reports.models import Report
from manyi.results.dataset import campaign_dataset
from manyi.results.filters import Selection
from manyi.results.structure import structure_analysis
from manyi.results.tests.test_structure import make_survey, simulated_points

pytestmark = pytest.mark.django_db
POPPLER = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
HOSTILE = '<b onclick="x">产品性能</b> & "Q"'
TITLE = "六、结构分析：因子、信度与客户群"


@pytest.fixture
def campaign():
    points, groups = simulated_points()
    return make_survey(points, groups, text={"Q1": HOSTILE})


def new_report(campaign, client):
    assert client.post(reverse("reports:create", args=[campaign.pk])).status_code == 302
    return Report.objects.get(campaign=campaign)


def fetch(client, report, name):
    response = client.get(reverse(f"reports:{name}", args=[report.pk]))
    assert response.status_code == 200, name
    return response.content


def pdf_text(data, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def section_html(html):
    found = re.search(r'<section id="structure">(.*?)</section>', html, re.S)
    return found and found.group(1)


def test_the_sections_figures_are_the_dashboards(campaign):
    figures = report_figures(campaign)["structure"]
    dashboard = structure_analysis(campaign, campaign_dataset(campaign), Selection())
    assert figures == json_safe(dashboard)
    # Plain JSON: it reads back from a published snapshot exactly as written.
    assert json.loads(json.dumps(figures)) == figures
    assert figures["problem"] == "" and figures["n"] == 64
    assert figures["options"] == {
        "method": "pc", "rotation": "varimax", "factors": None, "clustering": "kmeans", "clusters": None, "seed": 1
    }  # fmt: skip
    factor = dashboard["factor"]
    assert figures["factor"]["kmo"] == factor["kmo"]
    assert [r["key"] for r in figures["factor"]["rows"]] == [r["key"] for r in factor["rows"]]
    assert [[x["value"] for x in r["loadings"]] for r in figures["factor"]["rows"]] == [
        [x["value"] for x in r["loadings"]] for r in factor["rows"]
    ]
    assert [s["alpha"] for s in figures["reliability"]] == [s["alpha"] for s in dashboard["reliability"]]
    assert [g["size"] for g in figures["segments"]["groups"]] == [32, 32]


@POPPLER
def test_page_pdf_and_workbook_show_the_section(campaign, client_as, people, tmp_path):
    client = client_as(people.sam)
    report = new_report(campaign, client)
    figures = report_figures(campaign)["structure"]
    factor = figures["factor"]

    html = fetch(client, report, "detail").decode()
    assert f'<section id="structure"><h2>{TITLE}</h2>' in html
    part = section_html(html)
    assert f'id="structure-kmo">{factor["kmo"]:.3f}<' in part
    # |loading| >= 0.4 highlighted, the others not.
    table = part.split('id="structure-loadings"')[1].split("</table>")[0]
    cells = re.findall(r'<td class="num( salient table-warning)?">(-?\d+\.\d{3})</td>', table)
    loadings = [x for row in factor["rows"] for x in row["loadings"]]
    assert len(cells) == len(loadings) + len(factor["rows"])  # and each item's communality
    salient = [f"{x['value']:.3f}" for x in loadings if abs(x["value"]) >= 0.4]
    assert sorted(text for mark, text in cells if mark) == sorted(salient)
    # Item names are escaped wherever shown.
    assert HOSTILE not in html and "<b onclick" not in html
    assert "&lt;b onclick=&quot;x&quot;&gt;产品性能&lt;/b&gt; &amp; &quot;Q&quot;" in part
    assert "本问卷" not in part and "完整答卷仅" not in part

    text = pdf_text(fetch(client, report, "pdf"), tmp_path)
    assert re.search(rf"^{TITLE}[ .]*\d+\s*$", text, re.M)  # in the contents, with its page
    assert text.count(TITLE) == 2
    assert "Kaiser-Meyer-Olkin" in text or "KMO" in text
    assert f"{factor['kmo']:.3f}" in text
    assert f"{factor['bartlett']['chi2']:.2f}" in text
    for scale in figures["reliability"]:
        assert f"{scale['alpha']:.3f}" in text
    assert "七、主要问题与改进优先级" in text

    book = load_workbook(io.BytesIO(fetch(client, report, "xlsx")))
    assert book.sheetnames.index("结构分析") == book.sheetnames.index("重要性") + 1
    ws = book["结构分析"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == [TITLE] + [None] * (len(rows[0]) - 1)
    by_name = {}
    for row in rows:  # the loadings table comes first; the segments' table names the items again
        by_name.setdefault(row[0], row)
    for row in factor["rows"]:
        name = f"{row['key']} {row['label']}"
        assert name in by_name
        line = by_name[name]
        assert line[1 : 1 + len(row["loadings"])] == [x["value"] for x in row["loadings"]]
    q1 = next(r for r in ws.iter_rows() if r[0].value == f"Q1 {HOSTILE}")
    for cell, x in zip(q1[1:], next(r for r in factor["rows"] if r["key"] == "Q1")["loadings"], strict=False):
        assert (cell.fill.fgColor.rgb.endswith("FFF3CD")) == x["salient"]


@POPPLER
def test_too_few_answers_say_so_instead(campaign, client_as, people, settings, tmp_path):
    settings.ANALYSIS_MIN_RESPONSES = 100
    client = client_as(people.sam)
    report = new_report(campaign, client)
    sentence = "完整答卷仅 64 份：因子分析和聚类分析至少需要 100 份"
    part = section_html(fetch(client, report, "detail").decode())
    assert sentence in part and "structure-loadings" not in part
    text = re.sub(r"\s+", "", pdf_text(fetch(client, report, "pdf"), tmp_path))
    assert TITLE in text and sentence.replace(" ", "") in text
    ws = load_workbook(io.BytesIO(fetch(client, report, "xlsx")))["结构分析"]
    assert any(sentence in (row[0].value or "") for row in ws.iter_rows())


def test_a_report_published_before_the_section_renders_without_it(campaign, client_as, people):
    client = client_as(people.sam)
    report = new_report(campaign, client)
    publishing.publish(report, by=people.sam)
    report.refresh_from_db()
    assert report.snapshot["structure"]["problem"] == ""
    snapshot = dict(report.snapshot)
    del snapshot["structure"]
    Report.objects.filter(pk=report.pk).update(snapshot=snapshot)
    html = fetch(client, report, "detail").decode()
    assert section_html(html) is None
    # Numbered as it was published: the later sections keep their numbers.
    assert "<h2>六、主要问题与改进优先级</h2>" in html and "<h2>八、结论</h2>" in html
    assert fetch(client, report, "pdf").startswith(b"%PDF")
    book = load_workbook(io.BytesIO(fetch(client, report, "xlsx")))
    assert "结构分析" not in book.sheetnames
    assert book["结论"]["A1"].value == "八、结论"


def test_who_may_read_the_section_is_unchanged(campaign, client_as, people):
    report = new_report(campaign, client_as(people.sam))
    for name in ("detail", "pdf", "xlsx"):
        address = reverse(f"reports:{name}", args=[report.pk])
        assert client_as(people.amy).get(address).status_code == 403
        assert client_as(people.hank).get(address).status_code == 403
        assert client_as(None).get(address).status_code == 302
    assert TITLE in client_as(people.ana).get(reverse("reports:detail", args=[report.pk])).content.decode()


def test_section_numbers_are_computed_in_each_language():
    from django.utils import translation

    from manyi.reports.choices import ReportKind
    from manyi.reports.sections import section_titles

    with translation.override("en"):
        titles = section_titles(ReportKind.ANALYSIS)
        assert titles["structure"] == "6. Structure analysis: factors, reliability and segments"
        assert titles["conclusions"] == "9. Conclusions" and titles["appendix"] == "Appendix"
        assert section_titles(ReportKind.ANALYSIS, {"structure": None})["conclusions"] == "8. Conclusions"
    with translation.override("zh-hans"):
        assert section_titles(ReportKind.CSR)["conclusions"] == "十、结论与建议"
