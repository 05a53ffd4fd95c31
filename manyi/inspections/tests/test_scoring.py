"""The score rule against a hand-worked example (scoring.weighted_score)."""

import pytest

from manyi.inspections.scoring import ItemScore, mean_score, weighted_score


def test_the_weighted_percentage_leaves_not_applicable_items_out_of_the_denominator():
    # By hand: 2 × 4/5 = 1.6; 3 × 0/5 = 0 (failed); the n/a item is left out; 1 × 10/10 = 1.
    # (1.6 + 0 + 1) / (2 + 3 + 1) = 2.6 / 6 = 43.33 %. Counted in, the n/a item would make it
    # 2.6 / 7 = 37.14 %.
    items = [
        ItemScore(weight=2, max_points=5, points=4),
        ItemScore(weight=3, max_points=5, points=0),
        ItemScore(weight=1, max_points=5, points=None, not_applicable=True),
        ItemScore(weight=1, max_points=10, points=10),
    ]
    assert weighted_score(items) == pytest.approx(100 * 2.6 / 6)
    assert weighted_score(items) == pytest.approx(43.333, abs=0.001)


def test_an_unanswered_item_does_not_count_and_nothing_applicable_gives_no_score():
    assert weighted_score([ItemScore(1, 5, 5), ItemScore(4, 5, None)]) == 100
    assert weighted_score([ItemScore(1, 5, None, not_applicable=True)]) is None
    assert weighted_score([]) is None


def test_an_item_fails_below_its_maximum_and_not_when_not_applicable():
    assert ItemScore(1, 5, 4.5).failed
    assert not ItemScore(1, 5, 5).failed
    assert not ItemScore(1, 5, None, not_applicable=True).failed


def test_equal_weights_give_the_plain_mean_of_the_shares():
    # 3/5 = 60 %, 5/5 = 100 %, 1/2 = 50 %: (60 + 100 + 50) / 3 = 70 %.
    assert weighted_score([ItemScore(1, 5, 3), ItemScore(1, 5, 5), ItemScore(1, 2, 1)]) == pytest.approx(70)


def test_the_mean_of_several_inspections_skips_those_without_a_score():
    assert mean_score([80, None, 90]) == 85
    assert mean_score([None]) is None
