"""The evaluation's arithmetic against hand-worked examples (scoring.py's rules)."""

import pytest

from manyi.evaluation import scoring


def test_a_higher_is_better_indicator_scores_its_share_of_the_target_capped_at_100():
    assert scoring.indicator_score(76.0, 80.0, True) == pytest.approx(95.0)  # 76 ÷ 80 × 100
    assert scoring.indicator_score(90.0, 80.0, True) == 100.0  # beyond the target earns nothing more
    assert scoring.indicator_score(None, 80.0, True) is None


def test_a_lower_is_better_indicator_scores_target_over_value():
    assert scoring.indicator_score(4.0, 3.0, False) == pytest.approx(75.0)  # 3 ÷ 4 × 100
    assert scoring.indicator_score(2.0, 3.0, False) == 100.0
    assert scoring.indicator_score(0.0, 3.0, False) == 100.0
    assert scoring.indicator_score(1.0, 0.0, False) == 0.0


def test_targets_met_follow_the_direction():
    assert scoring.target_met(80, 80, True) is True
    assert scoring.target_met(79.9, 80, True) is False
    assert scoring.target_met(3, 3, False) is True
    assert scoring.target_met(None, 3, False) is None


def test_the_weighted_total_renormalises_the_weights_of_indicators_with_data():
    # 40 × 95 + 30 × 75 + 30 × (no data) → (3800 + 2250) ÷ 70 = 86.43
    weighted = scoring.weighted_total([(40, 95.0), (30, 75.0), (30, None)])
    assert weighted.total == pytest.approx(6050 / 70)
    assert (weighted.weight_used, weighted.weight_planned) == (70, 100)
    assert scoring.weighted_total([(50, None)]).total is None


def test_equal_totals_share_a_rank_and_the_next_rank_is_skipped():
    ranks = scoring.competition_ranks({"a": 90.0, "b": 85.0, "c": 85.0, "d": 70.0, "e": None})
    assert ranks == {"a": 1, "b": 2, "c": 2, "d": 4}
