"""The evaluation pages per role: a region's staff never see another region's scores, managers
edit, publish and record rewards, the person concerned sees their own reward, the XLSX export."""

import datetime
from io import BytesIO

import pytest
from django.urls import reverse

from manyi.evaluation import publishing
from manyi.evaluation.models import EvaluationResult, Indicator, RewardPenalty

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(scheme_2025, people):
    publishing.publish(scheme_2025, people.alice)
    return scheme_2025


def result_of(scheme, code):
    return EvaluationResult.objects.get(scheme=scheme, unit__code=code, employee=None)


def scorecard_units(client, scheme):
    html = client.get(reverse("evaluation:scheme", args=[scheme.pk])).content.decode()
    return {name for name in ("华东区域公司", "华南区域公司", "翠湖花园", "滨江府") if name in html}, html


def test_a_regions_staff_see_only_their_regions_scores(published, tree, client_as):
    units, _html = scorecard_units(client_as(tree.eva), published)
    assert units == {"华东区域公司", "翠湖花园"}
    units, _html = scorecard_units(client_as(tree.sid), published)
    assert units == {"华南区域公司", "滨江府"}
    units, html = scorecard_units(client_as(tree.gus), published)
    assert units == {"华东区域公司", "华南区域公司", "翠湖花园", "滨江府"}
    assert "1 ÷ 4 × 100 = 25" in html  # the arithmetic of 翠湖花园's complaint rate
    assert "min(20 ÷ 25, 1) × 100 = 80" in html
    south = result_of(published, "S1")
    assert client_as(tree.eva).get(reverse("evaluation:result", args=[south.pk])).status_code == 404
    assert client_as(tree.sid).get(reverse("evaluation:result", args=[south.pk])).status_code == 200


def test_draft_schemes_are_hidden_from_those_who_do_not_manage_them(scheme_2025, people, client_as):
    publishing.compute(scheme_2025)
    url = reverse("evaluation:scheme", args=[scheme_2025.pk])
    assert client_as(people.amy).get(url).status_code == 404
    assert scheme_2025.name not in client_as(people.amy).get(reverse("evaluation:schemes")).content.decode()
    assert client_as(people.alice).get(url).status_code == 200
    assert client_as(people.sam).post(reverse("evaluation:compute", args=[scheme_2025.pk])).status_code == 403


def test_the_editor_validates_indicators_and_refuses_changes_once_published(scheme_2025, people, client_as):
    client = client_as(people.alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the messages are matched in English
    add = reverse("evaluation:indicator_add", args=[scheme_2025.pk])
    response = client.post(
        add, {"kind": "survey_index", "weight": "0", "target": "80", "direction": "higher"}, follow=True
    )
    html = response.content.decode()
    assert "A weight is a number above 0 and at most 100." in html
    assert "Choose the survey campaigns this indicator reads." in html
    assert scheme_2025.indicators.count() == 3
    client.post(
        add,
        {
            "kind": "mystery_visit_score",
            "weight": "10",
            "target": "90",
            "direction": "higher",
            "unit_kinds": ["store"],
        },
    )
    assert scheme_2025.indicators.filter(kind="mystery_visit_score", unit_kinds=["store"]).exists()
    client.post(reverse("evaluation:publish", args=[scheme_2025.pk]))
    scheme_2025.refresh_from_db()
    assert scheme_2025.status == "published"
    response = client.post(
        add, {"kind": "complaint_rate", "weight": "10", "target": "5", "direction": "lower"}, follow=True
    )
    assert "A published scheme cannot be changed" in response.content.decode()
    assert scheme_2025.indicators.count() == 4
    indicator = scheme_2025.indicators.first()
    client.post(reverse("evaluation:indicator_delete", args=[indicator.pk]))
    assert Indicator.objects.filter(pk=indicator.pk).exists()


def test_rewards_are_recorded_by_managers_and_seen_by_the_person_concerned(
    published, tree, people, client_as
):
    garden = result_of(published, "E1")
    url = reverse("evaluation:reward_add", args=[garden.pk])
    client = client_as(people.alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the messages are matched in English
    bad = client.post(
        url,
        {"kind": "bonus", "reason": "第一", "approver": people.alice.pk, "approved_on": "2026-01-15"},
        follow=True,
    )
    assert "A bonus needs its amount." in bad.content.decode()
    assert not RewardPenalty.objects.exists()
    client.post(
        url,
        {
            "kind": "bonus",
            "amount": "2000",
            "person": tree.sid.pk,
            "reason": "=HYPERLINK(1)",
            "approver": people.alice.pk,
            "approved_on": "2026-01-15",
        },
    )
    client.post(
        url,
        {
            "kind": "criticism",
            "reason": "投诉处理不及时",
            "approver": people.alice.pk,
            "approved_on": "2026-01-16",
        },
    )
    assert RewardPenalty.objects.count() == 2
    assert (
        client_as(tree.eva)
        .post(
            url, {"kind": "commendation", "reason": "x", "approver": tree.eva.pk, "approved_on": "2026-01-15"}
        )
        .status_code
        == 403
    )
    assert RewardPenalty.objects.count() == 2
    # sid (south) is the person concerned of the bonus on the east's project: he sees it, not the criticism
    page = client_as(tree.sid).get(reverse("evaluation:result", args=[garden.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "2000" in html and "投诉处理不及时" not in html
    html = client_as(tree.eva).get(reverse("evaluation:result", args=[garden.pk])).content.decode()
    assert "2000" in html and "投诉处理不及时" in html


def test_the_rewards_export_for_payroll_is_an_xlsx_with_neutralised_text(published, tree, people, client_as):
    from openpyxl import load_workbook

    RewardPenalty.objects.create(
        result=result_of(published, "E1"),
        kind="bonus",
        amount=2000,
        person=tree.eva,
        reason="=HYPERLINK(1)",
        approver=people.alice,
        approved_on=datetime.date(2026, 1, 15),
    )
    RewardPenalty.objects.create(
        result=result_of(published, "S1"),
        kind="demotion",
        person=tree.sid,
        reason="严重质量问题",
        approver=people.alice,
        approved_on=datetime.date(2026, 1, 16),
    )
    url = reverse("evaluation:rewards_export", args=[published.pk])
    response = client_as(people.alice).get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="rewards-2025-v1-')
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("Unit code", "Unit", "Person concerned", "User name", "Kind", "Amount (yuan)")
    assert [(r[0], r[3], r[4], r[5], r[7]) for r in rows[1:]] == [
        ("E1", "eva", "Bonus", 2000, "'=HYPERLINK(1)"),
        ("S1", "sid", "Demotion", None, "严重质量问题"),
    ]
    assert (
        client_as(tree.eva).get(reverse("evaluation:rewards_export", args=[published.pk])).status_code == 403
    )


def test_an_employees_own_result_is_seen_by_them_and_their_managers_only(
    scheme_2025, tree, people, client_as
):
    from manyi.customers.models import Customer

    Customer.objects.filter(pk=tree.east_customer.pk).update(owner=people.sam)
    people.sam.unit = tree.garden
    people.sam.save()
    publishing.publish(scheme_2025, people.alice)
    mine = EvaluationResult.objects.get(scheme=scheme_2025, employee__isnull=False)
    # sam manages one customer with one counted complaint in 2025: 1 ÷ 1 × 100 = 100 per 100
    # customers → min(20 ÷ 100, 1) × 100 = 20; no ticket assigned to him, inspections are not his
    assert (mine.employee, mine.unit, mine.rank) == (people.sam, tree.garden, 1)
    assert [
        (row["kind"], row["value"], row["score"]) for row in mine.breakdown if row["value"] is not None
    ] == [("complaint_rate", 100.0, 20.0)]
    assert mine.total == pytest.approx(20.0)
    url = reverse("evaluation:result", args=[mine.pk])
    scheme_url = reverse("evaluation:scheme", args=[scheme_2025.pk])
    for user, sees in (
        (people.sam, True),
        (tree.eva, True),
        (people.alice, True),
        (tree.sid, False),
        (people.amy, False),
    ):
        assert (client_as(user).get(url).status_code == 200) is sees, user
        assert ('id="staff-scorecard"' in client_as(user).get(scheme_url).content.decode()) is sees, user
