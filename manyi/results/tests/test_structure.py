"""Factor analysis, reliability and segments of a campaign (results.structure): the matrix read
from answered questionnaires (analysed rows, listwise deletion) and its figures checked against
factor_analyzer, scikit-learn and the formulas on the same answers written out by hand."""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from manyi.campaigns.choices import CampaignState, Channel
from manyi.customers.choices import CustomerType
from manyi.results.dataset import campaign_dataset
from manyi.results.filters import Selection
from manyi.results.structure import Options, item_matrix, structure_analysis
from manyi.surveys.models import Dimension
from manyi.testing import (
    answer,
    make_campaign,
    make_customer,
    make_invitation,
    make_product,
    make_purchase,
    make_question,
    make_questionnaire,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_datasets")]
LABEL = {10: "很满意", 8: "满意", 6: "可以接受", 4: "不满意", 2: "很不满意"}
ITEMS = [
    ("Q1", "产品性能", "D1"),
    ("Q2", "产品外观", "D1"),
    ("Q3", "产品耐用性", "D1"),
    ("Q4", "服务态度", "D2"),
    ("Q5", "响应速度", "D2"),
    ("Q6", "维修质量", "D2"),
]


def simulated_points(n=64, seed=8):
    """Two customer groups (satisfied with both, and satisfied with the product but not the
    service), items driven by a product factor (Q1-Q3) and a service factor (Q4-Q6), on the
    2-10 scale."""
    rng = np.random.default_rng(seed)
    group = np.arange(n) % 2
    centre = np.where(group[:, None] == 0, [0.8, 0.8], [0.3, -1.9])
    factors = centre + rng.normal(0, 0.5, (n, 2))
    raw = 6 + 1.5 * np.repeat(factors, 3, axis=1) + rng.normal(0, 0.6, (n, 6))
    return np.clip(np.round(raw / 2) * 2, 2, 10).astype(int), group


def make_survey(points, groups, *, validity_rule=None, required=True, text=None):
    kwargs = {"validity_rule": validity_rule} if validity_rule else {}
    questionnaire = make_questionnaire(title="年度顾客满意度调查", **kwargs)
    dimensions = {
        "D1": Dimension.objects.create(
            questionnaire=questionnaire, code="D1", title="产品质量", weight=50, position=1
        ),
        "D2": Dimension.objects.create(
            questionnaire=questionnaire, code="D2", title="服务", weight=50, position=2
        ),
    }
    questions = [
        make_question(
            questionnaire,
            code,
            text=(text or {}).get(code, label),
            dimension=dimensions[dim],
            position=i,
            required=required,
        )
        for i, (code, label, dim) in enumerate(ITEMS, start=1)
    ]
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    products = [make_product(name="空调A"), make_product(name="冰箱B")]
    for n, (row, group) in enumerate(zip(points, groups, strict=True)):
        customer = make_customer(
            region="华东" if group == 0 else "华北",
            customer_type=CustomerType.VIP if group == 0 else CustomerType.NORMAL,
        )
        make_purchase(customer, products[group])
        data = {
            f"q-{q.pk}": str(q.options.get(label=LABEL[p]).pk)
            for q, p in zip(questions, row, strict=True)
            if p
        }
        answer(campaign, data, invitation=make_invitation(campaign, customer))
        assert n < len(points)
    return campaign


@pytest.fixture
def survey():
    points, groups = simulated_points()
    return make_survey(points, groups), points * 10.0, groups  # ratio scale: 10 points = 100


def analyse(campaign, **options):
    return structure_analysis(campaign, campaign_dataset(campaign), Selection(), Options(**options))


def test_the_figures_are_those_of_the_answers_by_independent_implementations(survey):
    factor_analyzer = pytest.importorskip("factor_analyzer")
    campaign, scores, _groups = survey
    found = analyse(campaign)
    assert found["problem"] == "" and found["n"] == 64 and found["dropped"] == 0
    per_item, overall = factor_analyzer.calculate_kmo(scores)
    figures = found["factor"]
    assert figures["kmo"] == pytest.approx(overall, abs=1e-3)
    chi2, _p = factor_analyzer.calculate_bartlett_sphericity(scores)
    assert figures["bartlett"]["chi2"] == pytest.approx(chi2, abs=0.01)
    assert figures["bartlett"]["df"] == 15
    eigen = np.linalg.eigvalsh(np.corrcoef(scores, rowvar=False))[::-1]
    assert [e["value"] for e in figures["eigenvalues"]] == pytest.approx(eigen, abs=1e-3)
    assert len(figures["factors"]) == int((eigen > 1).sum())
    by_key = {row["key"]: row for row in figures["rows"]}
    assert by_key["Q1"]["kmo"] == pytest.approx(per_item[0], abs=1e-3)


def test_the_product_and_service_items_load_on_their_own_factors(survey):
    campaign, _scores, _groups = survey
    figures = analyse(campaign, factors=2, method="paf", rotation="varimax")["factor"]
    main = {
        row["key"]: next(i for i, x in enumerate(row["loadings"]) if x["main"]) for row in figures["rows"]
    }
    assert main["Q1"] == main["Q2"] == main["Q3"] != main["Q4"] == main["Q5"] == main["Q6"]
    assert all(row["loadings"][main[row["key"]]]["salient"] for row in figures["rows"])
    # SPSS's "sorted by size": the first factor's items first.
    first = [row["key"] for row in figures["rows"]][:3]
    assert all(main[key] == 0 for key in first)
    promax = analyse(campaign, factors=2, rotation="promax")["factor"]
    assert promax["phi"] is not None and promax["phi"][0][0] == pytest.approx(1.0)


def test_alpha_per_dimension_is_cronbachs_on_the_answers(survey):
    campaign, scores, _groups = survey

    def alpha(x):
        cov = np.cov(x, rowvar=False)
        k = x.shape[1]
        return k / (k - 1) * (1 - np.trace(cov) / cov.sum())

    scales = {scale["title"]: scale for scale in analyse(campaign)["reliability"]}
    assert scales["产品质量"]["alpha"] == pytest.approx(alpha(scores[:, :3]), abs=1e-3)
    assert scales["服务"]["alpha"] == pytest.approx(alpha(scores[:, 3:]), abs=1e-3)
    assert scales[None]["alpha"] == pytest.approx(alpha(scores), abs=1e-3)
    assert scales["服务"]["items"][0]["if_deleted"] == pytest.approx(alpha(scores[:, 4:]), abs=1e-3)


def test_segments_are_the_two_customer_groups_with_their_type_region_and_products(survey):
    campaign, scores, groups = survey
    segments = analyse(campaign)["segments"]
    assert segments["suggested"] == 2 == segments["k"]
    theirs = KMeans(2, n_init=10, random_state=0).fit_predict(scores)
    matrix = item_matrix(campaign, campaign_dataset(campaign), Selection())
    # Segment j's customers are those whose scores sit nearest its centre.
    centres = np.array([[cell["value"] for cell in row["cells"]] for row in segments["rows"]]).T
    labels = ((matrix.scores[:, None, :] - centres[None]) ** 2).sum(axis=2).argmin(axis=1)
    assert adjusted_rand_score(theirs, labels) == 1.0
    assert adjusted_rand_score(groups, labels) == 1.0
    assert segments["index"] == pytest.approx(scores.mean(), abs=0.05)
    for j, group in enumerate(segments["groups"]):
        # Seed 000's index by hand: the mean of the two dimensions (50/50), each its items' mean.
        assert group["index"] == pytest.approx(matrix.scores[labels == j].mean(), abs=0.05)
        assert group["size"] == 32
        assert len(group["region"]) == 1 and group["region"][0]["percent"] == 100.0
        assert group["products"][0]["count"] == 32
    types = {group["customer_type"][0]["name"] for group in segments["groups"]}
    assert types == {str(CustomerType.VIP.label), str(CustomerType.NORMAL.label)}
    assert {group["products"][0]["name"] for group in segments["groups"]} == {"空调A", "冰箱B"}


def test_rows_missing_an_item_are_left_out_and_counted():
    points, groups = simulated_points(n=40)
    points[0, 2] = 0  # not answered: under "any answer" the questionnaire stays valid
    points[1, 4] = 0
    campaign = make_survey(points, groups, validity_rule="any_answer", required=False)
    matrix = item_matrix(campaign, campaign_dataset(campaign), Selection())
    assert (matrix.analysed, len(matrix.rows), matrix.dropped) == (40, 38, 2)
    assert matrix.scores == pytest.approx(np.delete(points, [0, 1], axis=0) * 10.0)


def test_too_few_responses_say_why_instead_of_figures(survey, settings):
    campaign, _scores, _groups = survey
    settings.ANALYSIS_MIN_RESPONSES = 100
    found = analyse(campaign)
    assert found["problem"] == "too_few" and "factor" not in found and found["min_responses"] == 100


def test_an_item_everyone_rated_alike_makes_the_matrix_singular():
    points, groups = simulated_points(n=40)
    points[:, 1] = 8
    campaign = make_survey(points, groups)
    found = analyse(campaign)
    assert found["problem"] == "singular" and "segments" not in found


def test_a_customer_who_answered_twice_counts_once(survey):
    campaign, _scores, _groups = survey
    first = analyse(campaign)["n"]
    response = campaign.responses.order_by("pk").first()
    question_data = {f"q-{a.question_id}": str(a.option_id) for a in response.answers.all()}
    answer(campaign, question_data, customer=response.customer)
    assert analyse(campaign)["n"] == first
