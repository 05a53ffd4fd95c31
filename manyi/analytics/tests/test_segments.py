"""Tests of manyi.analytics.segments against scikit-learn (silhouette, k-means, Ward) and on
data whose segments are known."""

import math

import numpy as np
import pytest
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score

from manyi.analytics import segments


def blobs(sizes=(120, 80, 60), seed=2, spread=4.0):
    """Well-separated groups of item scores (0-100 scale), and their true labels."""
    rng = np.random.default_rng(seed)
    centres = [(90, 85, 88, 92), (60, 70, 55, 65), (30, 45, 40, 35), (75, 30, 80, 40)]
    rows, truth = [], []
    for label, size in enumerate(sizes):
        rows.append(rng.normal(centres[label], spread, (size, 4)))
        truth += [label] * size
    return np.vstack(rows), np.asarray(truth)


def test_silhouette_matches_scikit_learn():
    x, truth = blobs(spread=15)
    labels = np.random.default_rng(1).permutation(truth)  # a poor clustering, too
    for chosen in (truth, labels):
        assert segments.silhouette(x, chosen) == pytest.approx(silhouette_score(x, chosen), abs=1e-10)


def test_silhouette_counts_a_row_alone_in_its_cluster_as_zero_like_scikit_learn():
    x, truth = blobs()
    truth = truth.copy()
    truth[0] = 7
    assert segments.silhouette(x, truth) == pytest.approx(silhouette_score(x, truth), abs=1e-10)
    assert math.isnan(segments.silhouette(x, np.zeros(len(x), int)))


@pytest.mark.parametrize("method", ["kmeans", "ward"])
def test_it_finds_well_separated_segments_and_their_number(method):
    x, truth = blobs()
    found = segments.segment(x, method=method, seed=3)
    assert found.suggested == 3 == found.k
    assert adjusted_rand_score(truth, found.labels) == 1.0
    assert found.sizes.tolist() == [120, 80, 60]  # numbered by size, largest first
    assert found.centres[0] == pytest.approx(x[truth == 0].mean(axis=0))
    # The silhouette it chose by is scikit-learn's for that clustering (all rows checked here).
    assert found.silhouettes[3] == pytest.approx(silhouette_score(x, found.labels), abs=1e-10)
    assert max(found.silhouettes, key=found.silhouettes.get) == 3


def test_kmeans_agrees_with_scikit_learn_and_its_inertia():
    x, _truth = blobs(sizes=(100, 100, 100, 100), spread=12)
    labels, centres, inertia = segments.kmeans(x, 4, seed=5)
    theirs = KMeans(4, n_init=10, random_state=0).fit(x)
    assert adjusted_rand_score(theirs.labels_, labels) == 1.0
    assert inertia == pytest.approx(theirs.inertia_, rel=1e-9)
    assert inertia == pytest.approx(((x - centres[labels]) ** 2).sum())


def test_ward_agrees_with_scikit_learn():
    x, _truth = blobs(spread=14)
    labels, _centres = segments.ward(x, 3)
    theirs = AgglomerativeClustering(3, linkage="ward").fit_predict(x)
    assert adjusted_rand_score(theirs, labels) == 1.0


def test_it_is_deterministic_for_a_seed_and_honours_a_chosen_k():
    x, _truth = blobs(spread=14)
    first = segments.segment(x, seed=11)
    again = segments.segment(x, seed=11)
    assert (first.labels == again.labels).all() and first.silhouettes == again.silhouettes
    four = segments.segment(x, k=4, seed=11)
    assert four.k == 4 and list(four.silhouettes) == [4]


def test_large_data_is_fitted_on_a_sample_and_every_row_joins_a_segment(monkeypatch):
    monkeypatch.setattr(segments, "FIT_ROWS", 200)
    monkeypatch.setattr(segments, "SILHOUETTE_ROWS", 150)
    x, truth = blobs(sizes=(400, 300, 200))
    found = segments.segment(x, seed=3)
    assert found.fitted_rows == 200 and len(found.labels) == 900
    assert found.k == 3 and adjusted_rand_score(truth, found.labels) == 1.0


def test_it_refuses_unknown_methods_and_too_few_rows():
    x, _truth = blobs()
    with pytest.raises(ValueError):
        segments.segment(x, method="dbscan")
    with pytest.raises(ValueError):
        segments.segment(x[:2])
