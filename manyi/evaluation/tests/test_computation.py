"""Results computed from the data in Manyi against hand-worked numbers (conftest's evaluation_data
says where each comes from); publishing freezes them; a correction is a new version."""

import datetime
import statistics

import pytest

from manyi.dashboards.tests.test_dashboard import hand_index
from manyi.evaluation import publishing
from manyi.evaluation.models import EvaluationResult, EvaluationScheme, Indicator
from manyi.inspections.models import Inspection

pytestmark = pytest.mark.django_db


def results(scheme):
    return {r.unit.code: r for r in EvaluationResult.objects.filter(scheme=scheme).select_related("unit")}


def parts(result):
    return {row["kind"]: row for row in result.breakdown}


def test_each_units_values_scores_total_and_rank_match_the_hand_computation(scheme_2025):
    publishing.compute(scheme_2025)
    by_code = results(scheme_2025)
    assert set(by_code) == {"E", "S", "E1", "S1"}  # the group itself is not ranked
    garden = parts(by_code["E1"])
    assert garden["complaint_rate"]["value"] == pytest.approx(25.0)  # 1 ÷ 4 × 100
    assert (garden["complaint_rate"]["num"], garden["complaint_rate"]["den"]) == (1, 4)
    assert garden["complaint_rate"]["score"] == pytest.approx(80.0)  # min(20 ÷ 25, 1) × 100
    assert garden["complaint_rate"]["met"] is False
    assert garden["sla_compliance"]["value"] == pytest.approx(50.0)  # 1 met of 2 due
    assert garden["sla_compliance"]["score"] == pytest.approx(50 / 90 * 100)
    assert garden["inspection_score"]["value"] == pytest.approx(85.0)  # (80 + 90) ÷ 2
    assert garden["inspection_score"]["score"] == pytest.approx(100.0)
    assert by_code["E1"].total == pytest.approx((30 * 80 + 30 * 50 / 90 * 100 + 40 * 100) / 100)
    river = parts(by_code["S1"])
    assert river["complaint_rate"]["value"] == 0 and river["complaint_rate"]["score"] == 100
    assert river["sla_compliance"]["value"] is None  # no deadline: left out, weights re-normalised
    assert by_code["S1"].total == pytest.approx((30 * 100 + 40 * 70 / 85 * 100) / 70)
    assert (by_code["S1"].rank, by_code["E1"].rank, by_code["E1"].ranked_among) == (1, 2, 2)
    # regions: only the inspection indicator applies (the others are for projects); their subtree
    assert [row["kind"] for row in by_code["E"].breakdown] == ["inspection_score"]
    assert by_code["E"].total == pytest.approx(100.0) and by_code["E"].rank == 1
    assert by_code["S"].total == pytest.approx(70 / 85 * 100) and by_code["S"].rank == 2


def test_publishing_freezes_the_results_and_a_correction_is_a_new_version(scheme_2025, people):
    publishing.publish(scheme_2025, people.alice)
    frozen = results(scheme_2025)["S1"].total
    Inspection.objects.filter(unit__code="S1").update(score=10.0)  # the data changes afterwards
    with pytest.raises(publishing.EvaluationError):
        publishing.compute(scheme_2025)
    assert results(scheme_2025)["S1"].total == frozen
    draft = publishing.correct(scheme_2025, people.alice)
    assert (draft.version, draft.previous, draft.status) == (2, scheme_2025, "draft")
    assert draft.indicators.count() == 3
    publishing.publish(draft, people.alice)
    scheme_2025.refresh_from_db()
    assert scheme_2025.status == "superseded"
    assert results(draft)["S1"].total < frozen  # the new version reads today's data
    assert results(scheme_2025)["S1"].total == frozen  # the old one keeps its numbers


def test_last_periods_values_come_from_the_published_scheme_before(scheme_2025, people):
    publishing.publish(scheme_2025, people.alice)
    this_year = EvaluationScheme.objects.create(
        name="2026", period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 12, 31)
    )
    Indicator.objects.create(scheme=this_year, kind="complaint_rate", weight=1, target=20, direction="lower")
    publishing.compute(this_year)
    garden = results(this_year)["E1"]
    assert parts(garden)["complaint_rate"]["value"] == pytest.approx(25.0)  # the 2026 ticket: 1 ÷ 4
    assert parts(garden)["complaint_rate"]["last_value"] == pytest.approx(25.0)
    assert garden.previous_total == pytest.approx(results(scheme_2025)["E1"].total)


def test_survey_index_and_satisfied_rate_read_the_chosen_campaigns_answers_by_unit(tree, survey, people):
    from manyi.customers.models import Customer
    from manyi.dashboards.tests.test_dashboard import ANSWERS

    Customer.objects.filter(region="华东").update(unit=tree.garden)
    Customer.objects.filter(region="华北").update(unit=tree.river)
    scheme = EvaluationScheme.objects.create(
        name="2025", period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31)
    )
    index = Indicator.objects.create(
        scheme=scheme, kind="survey_index", weight=60, target=80, direction="higher", unit_kinds=["project"]
    )
    index.campaigns.set([survey])
    rate = Indicator.objects.create(
        scheme=scheme, kind="satisfied_rate", weight=40, target=80, direction="higher", unit_kinds=["project"]
    )
    rate.campaigns.set([survey])
    publishing.compute(scheme)
    east = [hand_index(points) for where, points, _nps in ANSWERS if where == "华东"]
    garden = parts(results(scheme)["E1"])
    assert garden["survey_index"]["value"] == pytest.approx(statistics.mean(east))  # 75.5
    assert garden["survey_index"]["den"] == 4
    satisfied = sum(1 for value in east if value >= 70)
    assert garden["satisfied_rate"]["value"] == pytest.approx(100 * satisfied / len(east))


def test_the_demo_publishes_a_years_scheme_with_rewards_on_the_best_and_weakest_project(
    evaluation_data, people
):
    from manyi.evaluation.demo import load_demo_evaluation

    tree = evaluation_data.tree
    scheme = load_demo_evaluation(
        {"admin": people.alice, "huangwei": tree.eva}, today=datetime.date(2026, 1, 1)
    )
    assert (scheme.status, scheme.period_start, scheme.period_end) == (
        "published",
        datetime.date(2025, 1, 1),
        datetime.date(2025, 12, 31),
    )
    by_code = results(scheme)
    assert by_code["S1"].rank == 1 and by_code["E1"].rank == 2
    assert sorted(by_code["S1"].rewards.values_list("kind", flat=True)) == ["bonus", "commendation"]
    assert list(by_code["E1"].rewards.values_list("kind", "person")) == [("criticism", tree.eva.pk)]
