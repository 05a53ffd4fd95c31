"""The monthly visit report 《客户回访报告》: counts, on-time rate, satisfaction, problems, Excel."""

import re
import shutil
import subprocess
from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from manyi.customers.choices import CustomerType
from manyi.testing import make_customer, make_response
from manyi.visits import report
from manyi.visits.choices import Method, TaskStatus
from manyi.visits.models import VisitRecord

from .factories import make_task, make_visit_campaign

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
MONTH = date(2026, 10, 1)


def done(agent, customer, planned, closed_day, index=None, problem=""):
    closed = (
        datetime(2026, 10, closed_day, 10, tzinfo=TZ)
        if closed_day <= 31
        else datetime(2026, 11, closed_day - 31, 10, tzinfo=TZ)
    )
    task = make_task(customer, agent=agent, due_on=planned, status=TaskStatus.DONE, closed_at=closed)
    response = None
    if index is not None:
        campaign = make_visit_campaign()
        response = make_response(
            campaign.questionnaire, campaign, status="completed", index=index, satisfied=index >= 80
        )
    return VisitRecord.objects.create(
        task=task,
        customer=customer,
        agent=agent,
        visitee="张工",
        method=Method.PHONE_FIRST,
        visited_at=closed,
        about_usage=True,
        response=response,
        problem=problem,
    )


@pytest.fixture
def october(team):
    key = make_customer(name="重点客户", customer_type=CustomerType.KEY_ACCOUNT)
    normal = make_customer(name="普通客户")
    # amy: 3 done (2 on time: closed 0 and 3 days after plan; 1 late: 4 days), 1 unreachable, 1 open.
    done(team.amy, key, date(2026, 10, 5), 5, index=90.0)
    done(team.amy, normal, date(2026, 10, 6), 9, index=70.0, problem="发票未收到")
    done(team.amy, normal, date(2026, 10, 7), 11)
    make_task(normal, agent=team.amy, due_on=date(2026, 10, 8), status=TaskStatus.UNREACHABLE)
    make_task(key, agent=team.amy, due_on=date(2026, 10, 30))
    # bob: 1 refused, 1 done on time.
    make_task(normal, agent=team.bob, due_on=date(2026, 10, 12), status=TaskStatus.REFUSED)
    done(team.bob, key, date(2026, 10, 31), 32, index=80.0)  # closed on 1 November: on time
    # Outside the month or the team: not counted.
    make_task(normal, agent=team.amy, due_on=date(2026, 11, 1))
    make_task(normal, agent=team.otto, due_on=date(2026, 10, 12))
    make_task(normal, agent=team.amy, due_on=date(2026, 10, 13), status=TaskStatus.CANCELLED)
    return team


def test_the_report_counts_by_agent_and_customer_type(october):
    data = report.build(october.sam, MONTH)
    total = data.total
    assert (total.planned, total.done, total.unreachable, total.refused, total.open) == (7, 4, 1, 1, 1)
    assert total.on_time == 3 and total.on_time_rate == pytest.approx(75.0)
    assert total.index == pytest.approx((90 + 70 + 80) / 3)
    assert total.satisfied_rate == pytest.approx(200 / 3)
    by_agent = dict(data.by_agent)
    assert (by_agent["王芳"].planned, by_agent["王芳"].done, by_agent["王芳"].on_time) == (5, 3, 2)
    assert (by_agent["白波"].planned, by_agent["白波"].refused, by_agent["白波"].index) == (2, 1, 80.0)
    by_type = {str(label): t for label, t in data.by_type}
    assert (
        by_type[str(CustomerType.KEY_ACCOUNT.label)].planned,
        by_type[str(CustomerType.KEY_ACCOUNT.label)].done,
    ) == (3, 2)
    assert by_type[str(CustomerType.KEY_ACCOUNT.label)].index == pytest.approx(85.0)
    assert (
        by_type[str(CustomerType.NORMAL.label)].planned,
        by_type[str(CustomerType.NORMAL.label)].unreachable,
    ) == (4, 1)
    assert [r.problem for r in data.problems] == ["发票未收到"]
    # The cancelled visit is counted apart, not among the planned ones (nor in the rates).
    assert total.cancelled == 1 and by_agent["王芳"].cancelled == 1 and by_agent["白波"].cancelled == 0


def test_another_team_sees_only_its_own_visits(october):
    assert report.build(october.olga, MONTH).total.planned == 1
    assert report.build(october.alice, MONTH).total.planned == 8
    assert report.build(october.ana, MONTH).total.planned == 8


def test_the_report_page_and_its_excel_file(october, client_as):
    from openpyxl import load_workbook

    client = client_as(october.sam)
    page = client.get(reverse("visits:report") + "?month=2026-10")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="total-planned">7<' in html and 'id="total-on-time">75.0%<' in html
    assert "发票未收到" in html
    assert client.get(reverse("visits:report") + "?month=2026-1x").status_code == 400
    response = client.get(reverse("visits:report_export") + "?month=2026-10")
    rows = list(
        load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    total = next(row for row in rows if row[0] in ("Total", "合计"))
    assert total[1:8] == (7, 4, 1, 1, 1, 1, 75.0)
    assert any(row[0] == "发票未收到" for row in rows)


POPPLER = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")


@POPPLER
def test_the_report_as_pdf_has_the_pages_figures_and_an_embedded_cjk_font(october, client_as, tmp_path):
    client = client_as(october.sam)
    response = client.get(reverse("visits:report_pdf") + "?month=2026-10")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "visit-report-2026-10" in response["Content-Disposition"]
    path = tmp_path / "visits.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    # The total line, computed here from the fixture: 7 planned, 4 done, 1 unreachable,
    # 1 refused, 1 open, 1 cancelled, 3 of 4 on time, index (90+70+80)/3, 2 of 3 satisfied.
    index = f"{(90 + 70 + 80) / 3:.1f}"
    satisfied = f"{100 * 2 / 3:.1f}"
    total_line = next(line for line in text.splitlines() if line.split()[:1] in (["Total"], ["合计"]))
    assert total_line.split()[1:] == ["7", "4", "1", "1", "1", "1", "75.0", index, satisfied]
    assert "发票未收到" in text and "客户回访报告" in text and re.search(r"\b1 ?/ ?1\b", text)
    # The HTML page shows the same figures.
    html = client.get(reverse("visits:report") + "?month=2026-10").content.decode()
    assert f'id="total-index">{index}<' in html and 'id="total-cancelled">1<' in html
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    cjk = [line.split() for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(cells[-5] == "yes" for cells in cjk)  # the "emb" column


def test_the_pdf_follows_the_reports_access_rule(october, client_as):
    url = reverse("visits:report_pdf") + "?month=2026-10"
    assert client_as(october.amy).get(url).status_code == 403
    # Another team's supervisor gets a PDF of their own team only (1 planned visit).
    assert client_as(october.olga).get(url).status_code == 200
    bad = client_as(october.sam).get(reverse("visits:report_pdf") + "?month=2026-1x")
    assert bad.status_code == 302


def test_satisfaction_from_visits_is_computed_from_the_answers_given_on_the_visits(team):
    """Visits completed through the workflow with real answers (scored like web answers); the
    report's index and satisfied share are computed here by hand from the options' points."""
    from manyi.campaigns.answering import AnswerForm
    from manyi.visits import workflow

    campaign = make_visit_campaign()
    questions = {q.code: q for q in campaign.questionnaire.questions.all()}
    points_of = {"很满意": 10, "满意": 8, "可以接受": 6, "不满意": 4}
    given = [("很满意", "满意"), ("可以接受", "不满意"), ("满意", "可以接受")]
    for n, (q1, q2) in enumerate(given):
        task = make_task(make_customer(), agent=team.amy, due_on=date(2026, 10, 5 + n), campaign=campaign)
        form = AnswerForm(
            campaign.questionnaire,
            data={
                f"q-{questions['Q1'].pk}": str(questions["Q1"].options.get(label=q1).pk),
                f"q-{questions['Q2'].pk}": str(questions["Q2"].options.get(label=q2).pk),
            },
        )
        assert form.is_valid(), form.errors
        visited = datetime(2026, 10, 6 + n, 10, tzinfo=TZ)
        record = VisitRecord(
            visitee="张工", method=Method.PHONE_ROUTINE, visited_at=visited, about_usage=True
        )
        workflow.complete(task, by=team.amy, record=record, answers=form.cleaned_data, now=visited)
    # A web answer in the same campaign is not a visit: not in the visit report.
    make_response(campaign.questionnaire, campaign, status="completed", index=10.0, satisfied=False)

    # Each answer's index: the mean of its points on a 0-100 scale (10 points = 100);
    # satisfied: index ≥ 70 (seed 000).
    indexes = [(points_of[a] + points_of[b]) / 2 * 10 for a, b in given]  # 90, 50, 70
    expected_index = sum(indexes) / len(indexes)
    expected_satisfied = 100 * sum(i >= 70 for i in indexes) / len(indexes)
    total = report.build(team.sam, MONTH).total
    assert total.index == pytest.approx(expected_index)  # 70.0
    assert total.satisfied_rate == pytest.approx(expected_satisfied)  # 66.7
    assert (total.planned, total.done) == (3, 3)
