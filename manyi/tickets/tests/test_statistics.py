"""Ticket statistics: every figure checked against a hand computation, the export, who may see it."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.urls import reverse

from manyi.testing import make_customer
from manyi.tickets.choices import Channel, Severity, TicketState
from manyi.tickets.models import Category, Ticket
from manyi.tickets.statistics import Selection, statistics

from .conftest import in_english

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=SHANGHAI)
FAR = datetime(2099, 1, 1, tzinfo=SHANGHAI)  # a deadline not due yet, whenever the test runs
PERIOD = {"start": "2026-01-01", "end": "2026-03-31"}
H = timedelta(hours=1)


def at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


def make(n, received, category=None, department=None, customer=None, **fields):
    fields.setdefault("channel", Channel.PHONE)
    return Ticket.objects.create(
        reference=f"FK-T-{n:04d}",
        subject=f"反馈{n}",
        description="……",
        received_at=received,
        category=category,
        department=department,
        customer=customer,
        state=fields.pop("state", TicketState.ASSIGNED),
        **fields,
    )


@pytest.fixture
def data(people):
    quality_cat = Category.objects.get(code="product_quality")  # 产品质量
    packaging = Category.objects.get(code="packaging")  # 产品包装
    attitude = Category.objects.get(code="service_attitude")  # 服务态度
    c1 = make_customer(code="C1", name="张三")
    c2 = make_customer(code="C2", name="=1+2")  # a formula, to be neutralised in the export
    c3 = make_customer(code="C3", name="李四")
    service, quality = people.service, people.quality
    t1 = at(2026, 1, 5, 10)
    make(1, t1, quality_cat, service, c1, first_response_at=t1 + 2 * H, resolved_at=t1 + 30 * H,
         response_due=t1 + 4 * H, resolution_due=t1 + 24 * H, state=TicketState.CLOSED)  # fmt: skip
    t2 = at(2026, 1, 20, 9)
    make(2, t2, quality_cat, service, c1, severity=Severity.MINOR, first_response_at=t2 + 0.5 * H,
         resolved_at=t2 + 10 * H, response_due=t2 + H, resolution_due=t2 + 48 * H,
         state=TicketState.CLOSED)  # fmt: skip
    t3 = at(2026, 2, 3, 14)
    make(3, t3, quality_cat, quality, c2, severity=Severity.MAJOR, channel=Channel.WECHAT,
         first_response_at=t3 + 5 * H, response_due=t3 + 4 * H, resolution_due=t3 + 72 * H)  # fmt: skip
    t4 = at(2026, 2, 10, 8)
    make(4, t4, packaging, quality, c2, channel=Channel.EMAIL, first_response_at=t4 + H,
         resolved_at=t4 + 100 * H, state=TicketState.INVALID)  # fmt: skip
    make(
        5, at(2026, 3, 1, 12), packaging, None, c2, channel=Channel.WEB, response_due=FAR, resolution_due=FAR
    )
    t6 = at(2026, 3, 31, 23, 30)  # the last half hour of the period
    make(6, t6, attitude, service, c3, first_response_at=t6 + 3 * H, response_due=t6 + 2 * H)
    t9 = at(2026, 3, 15, 9)
    make(9, t9, None, service, None, first_response_at=t9 + 7 * H)
    # Outside the period (local dates): not counted; c3 has only one ticket inside it.
    make(7, at(2026, 4, 1, 0, 30), quality_cat, service, c3)
    make(8, at(2025, 12, 31, 23, 59), attitude, service, c1)
    return people


def test_counts_durations_compliance_repeats_and_pareto(data):
    stats = statistics(Selection(date(2026, 1, 1), date(2026, 3, 31)), now=NOW)
    assert stats["total"] == 7

    def table(rows):
        return {row["label"]: row["count"] for row in rows}

    assert table(stats["categories"]) == {"产品质量": 3, "产品包装": 2, "服务态度": 1, "Not classified": 1}
    assert table(stats["departments"]) == {"客服部": 4, "质量部": 2, "No department": 1}
    assert table(stats["severities"]) == {"General": 5, "Minor": 1, "Major": 1}
    assert table(stats["channels"]) == {"Phone": 4, "WeChat / app": 1, "E-mail": 1, "Web form": 1}
    assert stats["departments"][0]["percent"] == pytest.approx(400 / 7)
    assert [(row["month"], row["count"]) for row in stats["months"]] == [
        (date(2026, 1, 1), 2),
        (date(2026, 2, 1), 2),
        (date(2026, 3, 1), 3),
    ]

    response_hours = [2, 0.5, 5, 1, 3, 7]  # t1 t2 t3 t4 t6 t9
    close_hours = [30, 10, 100]  # t1 t2 t4
    response, _forwarding, close = stats["durations"]
    assert response["count"] == 6 and close["count"] == 3
    assert response["median"] == pytest.approx(2.5)
    assert response["p90"] == pytest.approx(np.percentile(response_hours, 90))
    assert response["p90"] == pytest.approx(6.0)  # 3 + 0.5 × (7 − 5): linear, as percentile_cont
    assert close["median"] == pytest.approx(30)
    assert close["p90"] == pytest.approx(np.percentile(close_hours, 90))

    compliance = {row["key"]: row for row in stats["compliance"]}
    # Response: t1 and t2 met, t3 and t6 late, t5 not due yet.
    assert (compliance["response"]["met"], compliance["response"]["missed"]) == (2, 2)
    assert compliance["response"]["pending"] == 1
    assert compliance["response"]["percent"] == pytest.approx(50.0)
    # Resolution: t2 met, t1 closed late, t3 overdue and still open, t5 not due yet.
    assert (compliance["resolution"]["met"], compliance["resolution"]["missed"]) == (1, 2)
    assert compliance["resolution"]["percent"] == pytest.approx(100 / 3)
    assert compliance["solution"]["decided"] == 0 and compliance["solution"]["percent"] is None

    assert [(row["code"], row["count"]) for row in stats["repeat"]] == [("C2", 3), ("C1", 2)]
    assert stats["repeat_count"] == 2

    pareto = stats["pareto"]
    assert [row["count"] for row in pareto] == [3, 2, 1, 1]
    assert [row["label"] for row in pareto[:2]] == ["产品质量", "产品包装"]
    assert [row["cumulative"] for row in pareto] == pytest.approx([300 / 7, 500 / 7, 600 / 7, 100])
    assert [row["vital"] for row in pareto] == [True, True, True, False]  # the third crosses 80 %


def test_the_department_filter(data):
    stats = statistics(Selection(date(2026, 1, 1), date(2026, 3, 31), data.quality), now=NOW)
    assert stats["total"] == 2
    assert {row["label"]: row["count"] for row in stats["categories"]} == {"产品质量": 1, "产品包装": 1}
    assert stats["repeat_count"] == 1  # c2: t3 and t4


def test_an_empty_selection(db):
    stats = statistics(Selection(date(2026, 1, 1), date(2026, 1, 31)), now=NOW)
    assert stats["total"] == 0 and stats["pareto"] == [] and stats["repeat"] == []
    assert stats["durations"][0]["median"] is None
    assert stats["months"] == [{"month": date(2026, 1, 1), "count": 0}]


# --------------------------------------------------------------------------- the page


URL = "/tickets/statistics/"


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 200), ("sam", 200), ("ana", 200), ("amy", 403), ("hank", 403), ("ivan", 302)],
)
def test_who_may_see_the_statistics(data, client_as, who, status):
    assert reverse("ticket_stats:page") == URL
    client = client_as(getattr(data, who))
    assert client.get(URL, PERIOD).status_code == status
    assert client.get(reverse("ticket_stats:export"), PERIOD).status_code == status


def test_signed_out_visitors_go_to_the_login_page(client_as):
    response = client_as(None).get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_page_shows_the_tables(data, client_as):
    response = in_english(client_as(data.sam)).get(URL, PERIOD)
    assert response.status_code == 200
    content = response.content.decode()
    for table in (
        "durations",
        "compliance",
        "pareto",
        "departments",
        "severities",
        "channels",
        "months",
        "repeat",
    ):
        assert f'id="{table}"' in content
    assert "7 tickets received from 2026-01-01 to 2026-03-31." in content
    assert "C2" in content and "=1+2" in content
    stats = response.context["stats"]
    assert stats["total"] == 7


def test_the_page_defaults_to_the_last_twelve_months(data, client_as):
    response = client_as(data.sam).get(URL)
    assert response.status_code == 200
    selection = response.context["selection"]
    assert (selection.end - selection.start).days in (364, 365)


def test_an_end_on_29_february_alone_gives_the_year_before_it(data, client_as):
    # A year back from 29 February is no date: that was a server error.
    response = client_as(data.sam).get(URL, {"end": "2024-02-29"})
    assert response.status_code == 200
    selection = response.context["selection"]
    assert (selection.start, selection.end) == (date(2023, 3, 1), date(2024, 2, 29))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-13-01"}, "Enter a valid date."),
        ({"start": "2026-03-01", "end": "2026-02-01"}, "The end date must not be before the start date."),
        ({"department": "999999"}, "Select a valid choice."),
        ({"department": "abc"}, "Select a valid choice."),
        ({"start": "1900-01-01", "end": "2026-01-01"}, "Choose a period of at most ten years."),
        # The ends of the calendar were server errors (no year 0, no day after 9999-12-31).
        ({"end": "0001-06-30"}, "Choose dates from 1900 to 2999."),
        ({"start": "0001-01-01", "end": "0001-01-31"}, "Choose dates from 1900 to 2999."),
        ({"start": "9999-12-01", "end": "9999-12-31"}, "Choose dates from 1900 to 2999."),
    ],
)
def test_bad_filters_are_refused_with_a_message(data, client_as, query, message):
    client = in_english(client_as(data.sam))
    response = client.get(URL, query)
    assert response.status_code == 400
    assert message in response.content.decode()
    export = client.get(reverse("ticket_stats:export"), query)
    assert export.status_code == 400
    assert message in export.content.decode()


def test_the_export_has_one_sheet_per_table(data, client_as):
    from openpyxl import load_workbook

    # The administrator reads the names (the analyst reads them masked: test_statistics_names).
    client = in_english(client_as(data.alice))
    response = client.get(reverse("ticket_stats:export"), {**PERIOD, "department": ""})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "ticket-statistics-20260101-20260331.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == [
        "Filters",
        "Categories",
        "Departments",
        "Severity",
        "Channels",
        "Months",
        "Durations",
        "SLA compliance",
        "Callback satisfaction",
        "Repeat complainants",
        "Pareto",
    ]

    def rows(name):
        return [list(row) for row in book[name].iter_rows(values_only=True)]

    assert rows("Filters")[-1] == ["Tickets", 7]
    assert rows("Months")[1:] == [["2026-01", 2], ["2026-02", 2], ["2026-03", 3]]
    pareto = rows("Pareto")
    assert pareto[0] == ["Category", "Tickets", "Share (%)", "Cumulative (%)", "Vital few"]
    assert [row[1] for row in pareto[1:]] == [3, 2, 1, 1]
    assert [row[3] for row in pareto[1:]] == pytest.approx([300 / 7, 500 / 7, 600 / 7, 100])
    durations = rows("Durations")
    assert durations[1][1:4] == [
        6,
        pytest.approx(2.5),
        pytest.approx(np.percentile([2, 0.5, 5, 1, 3, 7], 90)),
    ]
    compliance = rows("SLA compliance")
    assert compliance[1][1:] == [2, 2, 1, pytest.approx(50.0)]
    assert compliance[3][-1] is None  # no first-solution deadline decided
    repeat = rows("Repeat complainants")
    assert [row[:3] for row in repeat[1:]] == [["C2", "'=1+2", 3], ["C1", "张三", 2]]
    assert book["Repeat complainants"]["B2"].data_type == "s"  # text, not a formula


def test_the_export_follows_the_department_filter(data, client_as):
    from openpyxl import load_workbook

    client = in_english(client_as(data.alice))
    response = client.get(reverse("ticket_stats:export"), {**PERIOD, "department": data.quality.pk})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    filters = [list(row) for row in book["Filters"].iter_rows(values_only=True)]
    assert ["Responsible department", "质量部"] in filters and ["Tickets", 2] in filters


@pytest.mark.parametrize("who, linked", [("sam", True), ("alice", True), ("amy", False), ("hank", False)])
def test_the_queue_page_links_the_statistics_for_those_who_may_read_them(people, client_as, who, linked):
    client = client_as(getattr(people, who))
    body = client.get(reverse("tickets:list")).content.decode()
    assert (reverse("ticket_stats:page") in body) is linked
    assert client.get(reverse("ticket_stats:page")).status_code == (200 if linked else 403)
