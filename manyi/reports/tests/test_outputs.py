"""Every section of a report as the reader gets it — the web page, the PDF's text and the
workbook's cells — for an analysis report (a draft) and a full CSR report (published).

The expected figures are worked out here from the respondents' answers (conftest.ANSWERS and
EARLIER) and the database rows, by the seeds' rules, never taken from the report code: these
tests hold the three renderings to the same content while the code that lays them out changes.
"""

import datetime
import io
import math
import re
import shutil
import statistics
import subprocess
from html import unescape
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from scipy import stats as sps

from manyi.campaigns.choices import InvitationStatus
from manyi.campaigns.models import Invitation, Response
from manyi.customers.masking import mask_text, neutralise_formula
from manyi.reports import publishing
from manyi.reports.models import Report

from .conftest import ANSWERS, EARLIER, LABEL, hand_index

pytestmark = pytest.mark.django_db

POPPLER = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
ITEMS = {"Q1": ("产品性能", "产品质量"), "Q2": ("产品外观", "产品质量"), "Q3": ("服务态度", "服务")}
ORDER = ("improve", "undecided", "keep", "secondary", "bonus")  # analytics.importance: key drivers


def quadrant_name(key):
    return {
        "improve": _("Improve urgently"),
        "undecided": _("Undecided: its interval reaches the line"),
        "keep": _("Keep it up"),
        "secondary": _("Secondary"),
        "bonus": _("Nice to have"),
    }[key]


def one(value):
    return f"{value:.1f}"


# ------------------------------------------------------------------------------------------
# The figures, by hand


def worked_out(campaign):
    """The report's figures from the answers: seed 000's index (item = points × 10, dimension =
    mean of its items, index = Σ dimension × weight / Σ weight), the satisfied customers (index ≥
    70), NPS (9-10 promoters, 0-6 detractors), the items' importance as their correlation with
    the recommendation, quadrants split at the items' means (an important item below the line
    whose 95% interval reaches it is undecided), problems: urgent items, then those below the
    target, lowest first."""
    questionnaire = campaign.questionnaire
    indices = [hand_index(points) for _r, points, _n, _t in ANSWERS]
    n = len(indices)
    mean, sd = statistics.mean(indices), statistics.stdev(indices)
    half = sps.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    earlier = statistics.mean(hand_index(points) for points in EARLIER)
    recommend = [r for _r, _p, r, _t in ANSWERS]
    items = {}
    for column, (key, (label, dimension)) in enumerate(ITEMS.items()):
        points = [p[column] for _r, p, _n, _t in ANSWERS]
        score_sd = statistics.stdev(points) * 10
        items[key] = {
            "key": key,
            "label": label,
            "dimension": dimension,
            "n": len(points),
            "mean": statistics.mean(points),
            "sd": statistics.stdev(points),
            "score": statistics.mean(points) * 10,
            "high": statistics.mean(points) * 10 + sps.t.ppf(0.975, n - 1) * score_sd / math.sqrt(n),
            "top2": 100 * sum(1 for p in points if p >= 8) / len(points),
            "importance": statistics.correlation(points, recommend),
            "counts": {LABEL[value]: points.count(value) for value in (10, 8, 6, 4, 2)},
        }
    importance_line = statistics.mean(i["importance"] for i in items.values())
    performance_line = statistics.mean(i["score"] for i in items.values())
    for item in items.values():
        if item["importance"] >= importance_line:
            if item["score"] >= performance_line:
                item["quadrant"] = "keep"
            else:
                item["quadrant"] = "undecided" if item["high"] >= performance_line else "improve"
        else:
            item["quadrant"] = "bonus" if item["score"] >= performance_line else "secondary"
    priorities = sorted(items.values(), key=lambda i: (ORDER.index(i["quadrant"]), -i["importance"]))
    target = campaign.target_index
    urgent = [i for i in priorities if i["quadrant"] == "improve"]
    below = sorted(
        (i for i in items.values() if i["score"] < target and i not in urgent), key=lambda i: i["score"]
    )
    bands = sorted(questionnaire.bands, key=lambda band: -band[0])
    band_counts = [
        (label, sum(1 for x in indices if x >= low and not any(x >= b for b, _l in bands if b > low)))
        for low, label in bands
    ]
    return {
        "index": mean,
        "low": mean - half,
        "high": mean + half,
        "target": target,
        "earlier": earlier,
        "p_value": sps.mannwhitneyu(indices, [hand_index(p) for p in EARLIER]).pvalue,
        "satisfied": sum(1 for x in indices if x >= questionnaire.satisfied_threshold),
        "n": n,
        "nps": 100 * (sum(1 for r in recommend if r >= 9) - sum(1 for r in recommend if r <= 6)) / n,
        "bands": band_counts,
        "dimensions": [
            ("产品质量", 60, statistics.mean((p[0] + p[1]) * 5 for _r, p, _n, _t in ANSWERS)),
            ("服务", 40, statistics.mean(p[2] * 10 for _r, p, _n, _t in ANSWERS)),
        ],
        "items": items,
        "priorities": priorities,
        "problems": urgent + below,
        "issued": Invitation.objects.filter(campaign=campaign).count(),
        "returned": len(ANSWERS),
        "open_answers": [text for _r, _p, _n, text in ANSWERS if text],
    }


# ------------------------------------------------------------------------------------------
# Reading the three renderings


class Tables(HTMLParser):
    """The rows of each table of a page (cell texts), by the table's id."""

    def __init__(self, html):
        super().__init__()
        self.tables, self._table, self._row, self._cell = {}, None, None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = self.tables.setdefault(attrs.get("id") or f"table-{len(self.tables)}", [])
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def section(html, name):
    found = re.search(rf'<section id="{name}">(.*?)</section>', html, re.S)
    return found.group(1) if found else None


def pdf_text(data, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    images = subprocess.run(["pdfimages", "-list", str(path)], check=True, capture_output=True, text=True)
    return text, sum(1 for row in images.stdout.splitlines()[2:] if row.split()[2] == "image")  # not masks


def cells(workbook):
    """Sheet title -> rows of values, trailing empty cells dropped."""
    found = {}
    for sheet in workbook.worksheets:
        rows = []
        for row in sheet.iter_rows(values_only=True):
            row = list(row)
            while row and row[-1] is None:
                row.pop()
            rows.append(tuple(row))
        found[sheet.title] = rows
    return found


def line(*parts):
    """A PDF text line holding these parts in this order, with any spacing between them."""
    return re.compile(r"\s*".join(re.escape(str(p)) for p in parts))


# ------------------------------------------------------------------------------------------
# The reports


@pytest.fixture
def analysis(client_as, people, survey, action):
    """Written by the supervisor, read by the analyst (her copy: phones and e-mails masked)."""
    client_as(people.sam).post(reverse("reports:create", args=[survey.pk]), {"kind": "analysis"})
    return client_as(people.ana), Report.objects.get(campaign=survey)


@pytest.fixture
def csr(client_as, people, survey, action):
    client_as(people.sam).post(reverse("reports:create", args=[survey.pk]), {"kind": "csr"})
    report = Report.objects.get(campaign=survey)
    report.conclusions = "总体良好。\n服务需改进。"
    report.save()
    publishing.publish(report, by=people.sam)
    return client_as(people.ana), report


def fetch(client, report, tmp_path):
    html = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    text, images = pdf_text(client.get(reverse("reports:pdf", args=[report.pk])).content, tmp_path)
    workbook = load_workbook(io.BytesIO(client.get(reverse("reports:xlsx", args=[report.pk])).content))
    return html, text, images, workbook


ANALYSIS_TITLES = [
    ("purpose", "一、调查目的"),
    ("method", "二、调查方法与样本"),
    ("overall", "三、总体满意度"),
    ("dimensions", "四、各维度及各项目满意度"),
    ("importance", "五、重要性-表现分析"),
    ("structure", "六、结构分析：因子、信度与客户群"),
    ("problems", "七、主要问题与改进优先级"),
    ("improvements", "八、改进措施及落实情况"),
    ("conclusions", "九、结论"),
    ("appendix", "附录"),
]
CSR_TITLES = [
    ("technical", "一、技术报告"),
    ("fieldwork", "二、实地执行报告"),
    ("data", "三、数据报告"),
    ("overall", "四、分析报告：总体满意度"),
    ("dimensions", "五、分析报告：各维度及各项目"),
    ("importance", "六、分析报告：重要性-表现"),
    ("structure", "七、分析报告：因子分析与聚类分析"),
    ("problems", "八、主要问题与改进优先级"),
    ("improvements", "九、改进措施及落实情况"),
    ("conclusions", "十、结论与建议"),
    ("appendix", "附录"),
]


@POPPLER
def test_the_analysis_report_says_the_same_in_html_pdf_and_excel(analysis, survey, people, action, tmp_path):
    client, report = analysis
    html, text, images, workbook = fetch(client, report, tmp_path)
    figures = worked_out(survey)
    check_contents(html, text, ANALYSIS_TITLES)
    check_html_analysis_parts(html, figures)
    check_html_common(html, figures, action)
    check_pdf_common(text, figures, action)
    assert line(_("Questionnaires issued"), figures["issued"]).search(text)
    assert line(_("Returned"), "8 ·").search(text)
    assert images == 6  # trend, NPS, dimensions, items, quadrants, word cloud
    sheets = cells(workbook)
    assert list(sheets) == [
        "目的", "方法", "总体", "维度与项目", "重要性", "结构分析", "主要问题", "改进措施", "结论", "问卷",
        "开放题答案",
    ]  # fmt: skip
    check_workbook_common(sheets, workbook, figures, action, report, survey, kind="analysis")
    assert sheets["结论"] == [(ANALYSIS_TITLES[8][1],)]  # no conclusions written yet
    # Which overall index the report shows (seed 000's item-first formula by default).
    method = "先题项后加权：先求各评估小项满意度，再按权重求加权平均"
    assert f'id="index-method">{method}<' in section(html, "method")
    assert ("综合满意度算法", method) in sheets["方法"]
    assert "综合满意度算法" in text and "先题项后加权" in text
    assert "结论尚未撰写" in section(html, "conclusions")


@POPPLER
def test_the_csr_report_says_the_same_in_html_pdf_and_excel(csr, survey, people, action, tmp_path):
    client, report = csr
    html, text, images, workbook = fetch(client, report, tmp_path)
    figures = worked_out(survey)
    check_contents(html, text, CSR_TITLES)
    assert f"第 1 版 · 发布于 {timezone.localdate(report.published_at):%Y-%m-%d}" in html
    check_html_csr_parts(html, figures, survey)
    check_html_common(html, figures, action)
    check_pdf_common(text, figures, action)
    assert line("调查对象（目标名单）", "客户档案中的全部客户").search(text)
    assert line("周（起始日）", "答案数").search(text)
    assert images == 6
    assert "总体良好。" in text and "服务需改进。" in text
    sheets = cells(workbook)
    assert list(sheets) == [
        "目的", "方法", "技术", "实地", "数据", "总体", "维度与项目", "重要性", "结构分析", "主要问题",
        "改进措施",
        "结论", "问卷", "开放题答案",
    ]  # fmt: skip
    check_workbook_common(sheets, workbook, figures, action, report, survey, kind="csr")
    check_workbook_csr_parts(sheets, figures, survey)
    # The workbook numbers the sheets both kinds share as the analysis report does.
    assert sheets["结论"] == [("九、结论",), ("总体良好。",), ("服务需改进。",)]


def check_contents(html, text, titles):
    """The contents list the kind's sections, in order, with their page in the PDF."""
    toc = re.search(r'<nav class="report-toc" id="toc"[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert re.findall(r'<a href="#([a-z]+)">([^<]*)</a>', toc) == titles
    for name, title in titles:
        assert re.search(rf'<section id="{name}"><h2>{title}</h2>', html)
        assert re.search(rf"^{title}[ .]*\d+\s*$", text, re.M), title
    shown = {name for name, _title in titles}
    for name in {"purpose", "method", "technical", "fieldwork", "data"} - shown:
        assert section(html, name) is None
    pages = text.count("\f")
    for page in range(1, pages + 1):
        assert re.search(rf"(?<!\d){page}\s*/\s*{pages}(?!\d)", text)


def check_html_analysis_parts(html, figures):
    purpose = re.search(r"<p>(.*?)</p>", section(html, "purpose"), re.S).group(1)
    assert purpose.split("<br>") == survey_purpose()
    method = {row[0]: row[1] for row in Tables(section(html, "method")).tables["method-table"]}
    assert method[_("Questionnaires issued")] == str(figures["issued"])
    assert method[_("Returned")] == f"8 · 回收率 {one(100 * 8 / figures['issued'])}%"
    assert method[_("Valid")] == "8 · 有效率 100.0%"
    assert method[_("Channels")] == "邮件邀请"


def check_html_csr_parts(html, figures, survey):
    tables = Tables(html).tables
    technical = {row[0]: row[1] for row in tables["technical-table"]}
    assert technical["发放问卷"] == str(figures["issued"])
    assert technical["回收"] == f"8 ({one(100 * 8 / figures['issued'])}%)"
    invited = {"华东": 4, "华北": 4, "–": 1}
    answered = {"华东": 4, "华北": 4, "–": 0}
    assert tables["bias-table"][1:] == [
        [region, str(n), one(100 * n / 9), str(answered[region]), one(100 * answered[region] / 8),
         one(100 * answered[region] / n)]
        for region, n in (("–", 1), ("华东", 4), ("华北", 4))
    ]  # fmt: skip
    assert sum(invited.values()) == figures["issued"]
    assert tables["fieldwork-table"][2][1] == (
        f"{sent_invitations(survey)} · 已打开 {opened_invitations(survey)} · 发送失败 0 · 退订 0"
    )
    assert tables["channel-table"][1:] == [["邮件邀请", "8"]]
    assert tables["week-table"][1:] == [[str(monday), "8"] for monday in answer_weeks(survey)]
    data = section(html, "data")
    for item in figures["items"].values():
        table = re.search(rf"<th>{item['key']} {item['label']}</th>.*?</table>", data, re.S).group(0)
        rows = Tables(f"<table>{table}").tables["table-0"]  # the heading row has no <tr>
        assert rows == [[label, str(n), one(100 * n / 8)] for label, n in item["counts"].items()]


def survey_purpose():
    """The 2018 seed report's four purposes: the campaign states none of its own."""
    return [
        "1. 确定影响满意度的关键因素，测定当前的顾客满意水平；",
        "2. 了解客户的想法，发掘客户的潜在需求；",
        "3. 测定企业的优势和劣势，发现提升服务质量的机会，制定改进措施；",
        "4. 增加与客户的交流，减少抱怨和顾客流失，提升客户满意度和忠诚度。",
    ]


def sent_invitations(survey):
    """Invitations that went out: all but the ones still only issued, failed or opted out."""
    return (
        Invitation.objects.filter(campaign=survey)
        .exclude(status__in=[InvitationStatus.ISSUED, InvitationStatus.FAILED, InvitationStatus.OPTED_OUT])
        .count()
    )


def opened_invitations(survey):
    later = [InvitationStatus.OPENED, InvitationStatus.STARTED, InvitationStatus.COMPLETED]
    return Invitation.objects.filter(campaign=survey, status__in=later).count()


def answer_weeks(survey):
    days = {
        timezone.localtime(r.completed_at).date()
        for r in Response.objects.filter(campaign=survey).exclude(completed_at=None)
    }
    return sorted({day - datetime.timedelta(days=day.weekday()) for day in days})


def check_html_common(html, figures, action):
    tables = Tables(html).tables
    overall = {row[0]: row[1] for row in tables["overall-table"]}
    assert (
        overall["总体满意度指数"]
        == f"{one(figures['index'])} (95% 置信区间 {one(figures['low'])}–{one(figures['high'])})"
    )
    assert overall["目标"] == f"{figures['target']:g} · 未达到（{one(figures['index'] - figures['target'])}）"
    comparison = (
        f"{one(figures['earlier'])} → {one(figures['index'])}, 变化 {one(figures['index'] - figures['earlier'])}"
        f" · 不显著 (p = {figures['p_value']:.3f})"
    )
    # The annual survey's previous wave is the one a year earlier: one row says both.
    assert overall["上一期（去年同期） (2025年)"] == comparison
    assert "去年同期 (2025年)" not in overall and "上一期 (2025年)" not in overall
    assert (
        overall["客户满意率"]
        == f"{one(100 * figures['satisfied'] / 8)}% ({figures['satisfied']} / 8, 指数 ≥ 70)"
    )
    assert overall["净推荐值（NPS）"] == f"{one(figures['nps'])} (n = 8)"
    assert tables["bands-table"][1:] == [[label, str(n), one(100 * n / 8)] for label, n in figures["bands"]]
    sentence = re.search(r'<p class="summary-sentence">([^<]*)</p>', html).group(1)
    assert sentence.startswith(f"总体满意度指数为 {one(figures['index'])}。 未达到 80 的目标。")
    assert f"下降 {one(figures['earlier'] - figures['index'])} 分，变化不显著" in sentence
    assert tables["dimension-table"][1:] == [[t, str(w), "8", one(m)] for t, w, m in figures["dimensions"]]
    assert tables["item-table"][1:] == [
        [f"{i['key']} {i['label']}", i["dimension"], "8", f"{i['mean']:.2f}", one(i["score"]), f"{i['sd']:.2f}",
         one(i["top2"]), quadrant_name(i["quadrant"])]
        for i in figures["items"].values()
    ]  # fmt: skip
    assert tables["priority-table"][1:] == [
        [str(rank), f"{i['key']} {i['label']}", quadrant_name(i["quadrant"]), f"{i['importance']:.3f}", one(i["score"])]
        for rank, i in enumerate(figures["priorities"], start=1)
    ]  # fmt: skip
    problems = re.findall(r"<li><strong>([^<]*)</strong>([^<]*)</li>", section(html, "problems"))
    assert problems == [
        (f"{i['key']} {i['label']}", f": {one(i['score'])} · {quadrant_name(i['quadrant'])} · 得分低于 80")
        for i in figures["problems"]
    ]
    owner = action.owner.display_name + (f" ({action.department})" if action.department_id else "")
    assert tables["improvement-table"][1:] == [
        [action.reference, "缩短售后响应时间", action.item_label, owner, action.deadline.isoformat(),
         str(action.get_status_display()), f"{one(figures['items']['Q3']['score'])} → –"]
    ]  # fmt: skip
    appendix = section(html, "appendix")
    questions = re.findall(r"<li><strong>([^<]*)</strong> ([^<]*) <span", appendix)
    assert questions == [
        (q.code, q.text) for q in action.campaign.questionnaire.questions.order_by("position")
    ]
    shown = re.findall(
        r"<li>([^<]*)</li>", re.search(r'<ol class="open-answers">(.*?)</ol>', appendix, re.S).group(1)
    )
    assert [unescape(a) for a in shown] == [mask_text(t) for t in figures["open_answers"]]
    images = re.findall(r'<img src="data:image/png;base64,[^"]+" alt="([^"]*)">', html)
    assert images == [
        "满意度指数趋势",
        "NPS",
        "各维度满意度",
        "各项目得分",
        "重要性-表现四象限图",
        "开放题答案词云图",
    ]


def check_pdf_common(text, figures, action):
    assert line(
        "总体满意度指数",
        one(figures["index"]),
        f"(95% 置信区间 {one(figures['low'])}–{one(figures['high'])})",
    ).search(text)
    assert line(
        f"{one(figures['earlier'])} → {one(figures['index'])}, 变化 {one(figures['index'] - figures['earlier'])}"
    ).search(text)
    assert line(f"{one(100 * figures['satisfied'] / 8)}% ({figures['satisfied']} / 8").search(text)
    for title, weight, mean in figures["dimensions"]:
        assert line(title, weight, 8, one(mean)).search(text)
    for i in figures["items"].values():
        assert line(f"{i['key']} {i['label']}", i["dimension"], 8, f"{i['mean']:.2f}", one(i["score"]),
                    f"{i['sd']:.2f}", one(i["top2"]), quadrant_name(i["quadrant"])).search(text)  # fmt: skip
    for rank, i in enumerate(figures["priorities"], start=1):
        assert line(
            rank, f"{i['key']} {i['label']}", quadrant_name(i["quadrant"]), f"{i['importance']:.3f}"
        ).search(text)
    for rank, i in enumerate(figures["problems"], start=1):
        assert line(f"{rank}. {i['key']} {i['label']}: {one(i['score'])}").search(text)
    assert "缩短售后响应时间" in text and action.reference in text
    for answer in figures["open_answers"]:
        assert mask_text(answer) in text


def check_workbook_common(sheets, workbook, figures, action, report, survey, kind):
    check_workbook_front(sheets, figures, report)
    check_workbook_analysis(sheets, workbook, figures, action, survey)


def check_workbook_front(sheets, figures, report):
    """The purpose, method and overall sheets."""
    version = report.version or "草稿"
    assert sheets["目的"][:4] == [
        ("一、调查目的",),
        (report.title,),
        ("版本", version),
        ("问卷", "年度顾客满意度调查 v1"),
    ]
    assert [row[0] for row in sheets["目的"][4:]] == survey_purpose()
    method = dict(row for row in sheets["方法"][1:])
    assert method["发放问卷"] == figures["issued"] and method["回收"] == 8 and method["有效"] == 8
    assert method["回收率（%）"] == pytest.approx(100 * 8 / figures["issued"], abs=0.05)
    assert method["有效率（%）"] == 100 and method["未经邀请的答卷"] == 0
    assert method["满意客户阈值"] == 70 and method["渠道"] == "邮件邀请"
    overall = sheets["总体"]
    assert overall[0] == ("三、总体满意度",)
    labels = dict(row for row in overall[1:11] if len(row) == 2)
    assert labels["总体满意度指数"] == pytest.approx(figures["index"], abs=1e-4)
    assert labels["目标"] == figures["target"]
    assert labels["客户满意率（%）"] == pytest.approx(100 * figures["satisfied"] / 8)
    assert labels["净推荐值（NPS）"] == pytest.approx(figures["nps"])
    assert [row[0] for row in overall[5:8]] == ["上一期（去年同期） (2025年)", "变化", "p 值"]
    assert overall[5][1] == pytest.approx(figures["earlier"])
    assert overall[6][1] == pytest.approx(figures["index"] - figures["earlier"])
    assert overall[7][1] == pytest.approx(figures["p_value"], abs=1e-6)
    assert overall[8][0].startswith(f"总体满意度指数为 {one(figures['index'])}。")
    assert overall[9:] == [(), ("期次", "指数", "n"), ("2025年", pytest.approx(figures["earlier"]), 4),
                            ("2026年", pytest.approx(figures["index"]), 8)]  # fmt: skip


def check_workbook_analysis(sheets, workbook, figures, action, survey):
    """The dimension, importance, problem, improvement, questionnaire and open-answer sheets."""
    dimensions = sheets["维度与项目"]
    assert dimensions[1] == ("维度", "满意度", "权重", "n")
    assert dimensions[2:4] == [(t, pytest.approx(m), w, 8) for t, w, m in figures["dimensions"]]
    assert dimensions[5] == ("子项", "得分", "维度", "n", "平均得分", "标准差", "前两级 %", "象限")
    assert dimensions[6:] == [
        (f"{i['key']} {i['label']}", pytest.approx(i["score"]), i["dimension"], 8, pytest.approx(i["mean"]),
         pytest.approx(i["sd"], abs=1e-4), pytest.approx(i["top2"]), quadrant_name(i["quadrant"]))
        for i in figures["items"].values()
    ]  # fmt: skip
    assert sheets["重要性"][1] == ("子项", "表现（满意度）", "重要性", "象限", "优先级")
    assert sheets["重要性"][2:] == [
        (f"{i['key']} {i['label']}", pytest.approx(i["score"]), pytest.approx(i["importance"], abs=1e-4),
         quadrant_name(i["quadrant"]), rank)
        for rank, i in enumerate(figures["priorities"], start=1)
    ]  # fmt: skip
    assert sheets["主要问题"][1] == ("子项", "得分", "象限", "原因")
    problems = len(figures["problems"])
    assert sheets["主要问题"][2 : 2 + problems] == [
        (f"{i['key']} {i['label']}", pytest.approx(i["score"]), quadrant_name(i["quadrant"]), "得分低于 80")
        for i in figures["problems"]
    ]
    # Then, after an empty row, the topics the open answers complain about (test_topic_problems.py).
    assert sheets["主要问题"][3 + problems][:2] == ("问题类型", "有效投诉")
    assert all(isinstance(row[1], int) for row in sheets["主要问题"][4 + problems :])  # counted by topic
    assert sheets["改进措施"][1] == (
        "编号",
        "操作",
        "子项",
        "负责人",
        "截止时间",
        "状态",
        "改进前得分",
        "改进后得分",
    )
    assert sheets["改进措施"][2:] == [
        (action.reference, "缩短售后响应时间", action.item_label, action.owner.display_name,
         action.deadline.isoformat(), str(action.get_status_display()), figures["items"]["Q3"]["score"])
    ]  # fmt: skip
    questions = list(survey.questionnaire.questions.order_by("position").select_related("dimension"))
    assert [(row[0], row[1], row[3] if len(row) > 3 else None) for row in sheets["问卷"][2:]] == [
        (q.code, q.text, q.dimension.title if q.dimension_id else None) for q in questions
    ]
    assert sheets["问卷"][:2] == [("附录",), ("编码", "题目", "类型", "维度", "选项")]
    q1 = sheets["问卷"][2]
    assert q1[4] == " / ".join(f"{LABEL[p]} ({p})" for p in (10, 8, 6, 4, 2))
    answers = sheets["开放题答案"]
    given = figures["open_answers"]
    assert answers[0] == ("题目", "回答")
    assert answers[1 : 1 + len(given)] == [
        ("OPEN 您的意见和建议", neutralise_formula(mask_text(t))) for t in given
    ]
    assert answers[1 + len(given) : 3 + len(given)] == [(), ("关键词", "答案数")]
    lowered = [t.lower() for t in given]
    for word, count in answers[3 + len(given) :]:
        assert 0 < count <= sum(1 for t in lowered if word in t), word
    charts = {sheet.title: len(sheet._charts) for sheet in workbook.worksheets if sheet._charts}
    assert charts == {"总体": 1, "维度与项目": 1, "重要性": 1}


def check_workbook_csr_parts(sheets, figures, survey):
    assert sheets["技术"] == [
        ("一、技术报告",),
        ("地区", "已邀请", "%", "已回答", "%", "回收率（%）"),
        (None, 1, pytest.approx(100 / 9, abs=0.01), 0, 0, 0),
        ("华东", 4, pytest.approx(400 / 9, abs=0.01), 4, 50, 100),
        ("华北", 4, pytest.approx(400 / 9, abs=0.01), 4, 50, 100),
    ]
    fieldwork = sheets["实地"]
    assert fieldwork[:5] == [
        ("二、实地执行报告",),
        ("已发送邀请", sent_invitations(survey)),
        ("已打开", opened_invitations(survey)),
        ("发送失败", 0),
        ("退订", 0),
    ]
    assert fieldwork[5:] == [
        ("催收提醒", 0),
        ("访员（电话及走访）", 0),
        ("渠道", "答案数"),
        ("邮件邀请", 8),
        ("周（起始日）", "答案数"),
    ] + [(str(monday), 8) for monday in answer_weeks(survey)]
    data = sheets["数据"]
    expected = [("三、数据报告",)]
    for i in figures["items"].values():
        expected.append((f"{i['key']} {i['label']}", "n", "%"))
        expected += [(label, n, pytest.approx(100 * n / 8)) for label, n in i["counts"].items()]
    assert data == expected
