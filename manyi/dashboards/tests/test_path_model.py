"""The satisfaction model page: PLS estimates checked against an independent computation."""

import html
import json
import random
import re

import numpy as np
import pytest
from django.urls import reverse

from manyi.campaigns.answering import AnswerForm, save_response
from manyi.campaigns.choices import CampaignState, Channel
from manyi.surveys.choices import QuestionKind
from manyi.surveys.models import Dimension
from manyi.testing import make_campaign, make_customer, make_invitation, make_question, make_questionnaire

pytestmark = pytest.mark.django_db
POINTS = [10, 8, 6, 4, 2]
LABEL = {10: "很满意", 8: "满意", 6: "可以接受", 4: "不满意", 2: "很不满意"}


@pytest.fixture
def answered():
    """60 responses to Q1, Q2 (dimension 质量), Q3 (服务) and NPS; returns (campaign, rows)."""
    questionnaire = make_questionnaire(title="模型")
    quality = Dimension.objects.create(
        questionnaire=questionnaire, code="D1", title="质量", weight=1, position=1
    )
    service = Dimension.objects.create(
        questionnaire=questionnaire, code="D2", title="服务", weight=1, position=2
    )
    questions = [
        make_question(questionnaire, "Q1", dimension=quality, position=1),
        make_question(questionnaire, "Q2", dimension=quality, position=2),
        make_question(questionnaire, "Q3", dimension=service, position=3),
    ]
    nps = make_question(questionnaire, "NPS", text="推荐", kind=QuestionKind.NPS, options=(), scored=False)
    questionnaire.refresh_from_db()
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    rng = random.Random(5)
    rows = []
    for n in range(60):
        level = rng.gauss(0, 1)
        chosen = [POINTS[min(4, max(0, round(2 - level + rng.gauss(0, 0.8))))] for _q in questions]
        recommend = min(10, max(0, round(7 + 1.5 * level + rng.gauss(0, 1))))
        data = {
            f"q-{q.pk}": str(q.options.get(label=LABEL[p]).pk) for q, p in zip(questions, chosen, strict=True)
        }
        data[f"q-{nps.pk}"] = str(recommend)
        form = AnswerForm(questionnaire, data=data)
        assert form.is_valid(), form.errors
        invitation = make_invitation(campaign, make_customer(code=f"M{n}", name=f"客户{n}"))
        save_response(
            campaign=campaign, questionnaire=questionnaire, cleaned_data=form.cleaned_data,
            channel=Channel.EMAIL, invitation=invitation,
        )  # fmt: skip
        rows.append([*chosen, recommend])
    return campaign, np.array(rows, float)


def test_single_indicator_constructs_give_the_standardised_regression(client_as, people, answered):
    """With one indicator per construct, PLS path coefficients are the standardised OLS
    coefficients of the outcome on its predictors: computed here with numpy alone."""
    campaign, rows = answered
    spec = {
        "constructs": {
            "质量": {"indicators": ["Q1"]},
            "服务": {"indicators": ["Q3"]},
            "推荐": {"indicators": ["NPS"]},
        },
        "paths": [["质量", "推荐"], ["服务", "推荐"]],
    }
    response = client_as(people.ana).post(
        reverse("dashboards:model", args=[campaign.pk]), {"model": json.dumps(spec)}
    )
    html = response.content.decode()
    assert response.status_code == 200
    z = (rows - rows.mean(axis=0)) / rows.std(axis=0, ddof=1)
    beta, *_ = np.linalg.lstsq(z[:, [0, 2]], z[:, 3], rcond=None)
    shown = dict(re.findall(r'data-path="([^"]+)" data-estimate="([^"]+)"', html))
    assert shown == {"质量 -> 推荐": f"{beta[0]:.3f}", "服务 -> 推荐": f"{beta[1]:.3f}"}


def test_the_default_model_follows_the_dimensions(client_as, people, answered):
    campaign, _rows = answered
    html = client_as(people.ana).get(reverse("dashboards:model", args=[campaign.pk])).content.decode()
    paths = re.findall(r'data-path="([^"]+)"', html)
    assert len(paths) == 2 and all(
        path.endswith(" -> 推荐意愿") or path.endswith(" -> Recommendation") for path in paths
    )
    assert {path.split(" -> ")[0] for path in paths} == {"质量", "服务"}


@pytest.mark.parametrize(
    "model",
    [
        "{not json",
        json.dumps(
            {"constructs": {"A": {"indicators": ["Q1"]}, "B": {"indicators": ["Q99"]}}, "paths": [["A", "B"]]}
        ),
        json.dumps({"constructs": {"A": {"indicators": ["Q1"]}}, "paths": [["A", "Z"]]}),
    ],
)
def test_a_bad_model_gets_a_message(client_as, people, answered, model):
    campaign, _rows = answered
    response = client_as(people.ana).post(reverse("dashboards:model", args=[campaign.pk]), {"model": model})
    assert response.status_code == 400
    assert 'id="model-error"' in response.content.decode()


def test_agents_and_handlers_cannot_open_the_model(client_as, people, answered):
    campaign, _rows = answered
    for user in (people.amy, people.hank):
        assert client_as(user).get(reverse("dashboards:model", args=[campaign.pk])).status_code == 403


def _model_error(response):
    """The text of the page's error box (unescaped)."""
    found = re.search(r'id="model-error">(.*?)</div>', response.content.decode(), re.S)
    assert found, "no error box"
    return html.unescape(found.group(1)).strip()


UNKNOWN_CONSTRUCT = {"constructs": {"质量": {"indicators": ["Q1"]}}, "paths": [["质量", "价格"]]}
NO_INDICATORS = {
    "constructs": {"质量": {"indicators": ["Q1"]}, "服务": {"indicators": []}},
    "paths": [["质量", "服务"]],
}
UNCONNECTED = {
    "constructs": {
        n: {"indicators": [q]} for n, q in (("质量", "Q1"), ("服务", "Q3"), ("价格", "Q2"), ("推荐", "NPS"))
    },
    "paths": [["质量", "推荐"]],
}


@pytest.mark.parametrize(
    ("spec", "chinese", "english"),
    [
        (
            UNKNOWN_CONSTRUCT,
            "无法估计该模型： 路径“质量 -> 价格”中的结构变量“价格”不存在。",
            'The model cannot be estimated: Path "质量 -> 价格" names an unknown construct "价格".',
        ),
        (
            NO_INDICATORS,
            "无法估计该模型： 结构变量“服务”没有指标。",
            'The model cannot be estimated: Construct "服务" has no indicators.',
        ),
        (
            UNCONNECTED,
            "无法估计该模型： 以下结构变量没有任何路径相连：服务、价格。",
            "The model cannot be estimated: Construct(s) not connected by any path: 服务, 价格.",
        ),
    ],
)
def test_a_bad_model_is_explained_in_the_users_language(
    client_as, people, answered, settings, spec, chinese, english
):
    campaign, _rows = answered
    url = reverse("dashboards:model", args=[campaign.pk])
    client = client_as(people.ana)
    response = client.post(url, {"model": json.dumps(spec, ensure_ascii=False)})
    assert response.status_code == 400
    assert _model_error(response) == chinese
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(url, {"model": json.dumps(spec, ensure_ascii=False)})
    assert response.status_code == 400
    assert _model_error(response) == english


def test_a_data_problem_is_explained_in_the_users_language(client_as, people, answered):
    """No answers in the period: the figures are filled into the Chinese text."""
    campaign, _rows = answered
    spec = {
        "constructs": {"质量": {"indicators": ["Q1"]}, "推荐": {"indicators": ["NPS"]}},
        "paths": [["质量", "推荐"]],
    }
    url = reverse("dashboards:model", args=[campaign.pk]) + "?date_from=2099-01-01"
    response = client_as(people.ana).post(url, {"model": json.dumps(spec)})
    assert response.status_code == 400
    assert _model_error(response) == "无法估计该模型： 完整数据行太少：只有 0 行；该模型至少需要 3 行。"


def _paths_table(page):
    return re.search(r'id="paths">(.*?)</table>', page, re.S).group(1)


def test_the_analyst_chooses_the_bootstrap_resamples_and_seed(client_as, people, answered):
    campaign, _rows = answered
    client = client_as(people.ana)
    url = reverse("dashboards:model", args=[campaign.pk])
    spec = client.get(url).content.decode()
    spec = html.unescape(re.search(r'<textarea[^>]*name="model"[^>]*>(.*?)</textarea>', spec, re.S).group(1))
    first = client.post(url, {"model": spec, "resamples": "1000", "seed": "7"}).content.decode()
    assert re.search(r"1000\D[^<]*7", re.search(r'id="model-sample">(.*?)</p>', first, re.S).group(1))
    again = client.post(url, {"model": spec, "resamples": "1000", "seed": "7"}).content.decode()
    other = client.post(url, {"model": spec, "resamples": "1000", "seed": "8"}).content.decode()
    assert _paths_table(first) == _paths_table(again)  # seeded: the same intervals
    assert _paths_table(first) != _paths_table(other)
    assert 'id="fewer-resamples"' not in first


def test_a_large_request_draws_fewer_resamples_and_says_so(client_as, people, answered, monkeypatch):
    from manyi.dashboards import path_model

    campaign, rows = answered
    monkeypatch.setattr(path_model, "BOOTSTRAP_BUDGET", len(rows) * 600)  # 600 resamples of these rows
    client = client_as(people.ana)
    url = reverse("dashboards:model", args=[campaign.pk])
    spec = html.unescape(
        re.search(
            r'<textarea[^>]*name="model"[^>]*>(.*?)</textarea>', client.get(url).content.decode(), re.S
        ).group(1)
    )
    page = client.post(url, {"model": spec, "resamples": "5000", "seed": "1"}).content.decode()
    sample = re.search(r'id="model-sample">(.*?)</p>', page, re.S).group(1)
    assert "600" in sample and 'id="fewer-resamples"' in sample and "5000" in sample


@pytest.mark.parametrize("options", [{"resamples": "3"}, {"seed": "-1"}, {"seed": "abc"}])
def test_bad_bootstrap_options_are_refused(client_as, people, answered, options):
    campaign, _rows = answered
    url = reverse("dashboards:model", args=[campaign.pk])
    spec = json.dumps({"constructs": {"质量": {"indicators": ["Q1", "Q2"]}, "服务": {"indicators": ["Q3"]}},
                       "paths": [["质量", "服务"]]}, ensure_ascii=False)  # fmt: skip
    response = client_as(people.ana).post(url, {"model": spec, "resamples": "500", "seed": "1", **options})
    assert response.status_code == 400 and 'id="model-error"' in response.content.decode()


def test_outer_weights_show_their_bootstrap_interval(client_as, people, answered):
    """The page's 500 resamples (seed 1) redone as a plain loop: numpy draws the rows, each
    resample is refitted, the 2.5% and 97.5% quantiles of a weight are its interval."""
    from manyi.analytics import pls

    campaign, rows = answered
    spec = {
        "constructs": {"质量": {"indicators": ["Q1", "Q2"], "mode": "B"}, "推荐": {"indicators": ["NPS"]}},
        "paths": [["质量", "推荐"]],
    }
    html = (
        client_as(people.ana)
        .post(
            reverse("dashboards:model", args=[campaign.pk]), {"model": json.dumps(spec, ensure_ascii=False)}
        )
        .content.decode()
    )
    model = pls.PathModel.from_dict(spec)
    draws = []
    for idx in np.random.default_rng(1).integers(0, len(rows), size=(500, len(rows))):
        data = {"Q1": rows[idx, 0], "Q2": rows[idx, 1], "NPS": rows[idx, 3]}
        draws.append(pls.fit(model, data).weights["质量"]["Q1"])
    low, high = np.quantile(draws, [0.025, 0.975])
    shown = re.search(r'data-weight-ci="([^"]+)"', html).group(1)
    assert shown == f"{low:.3f} {high:.3f}"
