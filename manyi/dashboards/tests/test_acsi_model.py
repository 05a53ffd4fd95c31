"""The ACSI questionnaire template and its model on the model page (issue 22, point 12).

Answers are simulated from a known ACSI structural model; the page's estimates are checked
against plspm on the same answers (an independent PLS implementation) and against the
simulated truth within the tolerance that sampling, measurement error and the answer scales
allow.
"""

import html
import math
import re

import numpy as np
import pandas as pd
import pytest
from django.urls import reverse
from django.utils import translation

from manyi.analytics import pls
from manyi.analytics.tests.test_pls import plspm_fit
from manyi.campaigns.answering import AnswerForm, save_response
from manyi.campaigns.choices import CampaignState, Channel
from manyi.dashboards import path_model
from manyi.surveys.loader import create_from_template
from manyi.testing import make_campaign, make_customer, make_invitation

pytestmark = pytest.mark.django_db
TEMPLATE = "acsi_customer_satisfaction_index"
N = 300
LOADING = 0.9
# The simulated structural model (standardised latent variables).
TRUTH = {
    ("EXP", "QUA"): 0.5,
    ("EXP", "VAL"): 0.2,
    ("QUA", "VAL"): 0.5,
    ("EXP", "SAT"): 0.1,
    ("QUA", "SAT"): 0.45,
    ("VAL", "SAT"): 0.35,
    ("SAT", "CMP"): -0.45,
    ("SAT", "LOY"): 0.55,
    ("CMP", "LOY"): -0.2,
}
ZH = {
    "EXP": "顾客期望",
    "QUA": "感知质量",
    "VAL": "感知价值",
    "SAT": "顾客满意",
    "CMP": "顾客抱怨",
    "LOY": "顾客忠诚",
}


def _latent(rng, n):
    """Latent scores with unit variance following TRUTH (residual variance 1 − R²)."""
    order = ["EXP", "QUA", "VAL", "SAT", "CMP", "LOY"]
    scores, corr = {}, {("EXP", "EXP"): 1.0}

    def cor(a, b):
        return 1.0 if a == b else corr.get((a, b), corr.get((b, a)))

    scores["EXP"] = rng.standard_normal(n)
    for target in order[1:]:
        sources = [s for (s, t) in TRUTH if t == target]
        beta = np.array([TRUTH[(s, target)] for s in sources])
        r = np.array([[cor(a, b) for b in sources] for a in sources])
        explained = beta @ r @ beta
        for other in order[: order.index(target)]:
            corr[(target, other)] = sum(TRUTH[(s, target)] * cor(s, other) for s in sources)
        noise = math.sqrt(1 - explained) * rng.standard_normal(n)
        scores[target] = sum(TRUTH[(s, target)] * scores[s] for s in sources) + noise
    return scores


def _points(rng, latent):
    """A 1-10 answer: an indicator loading LOADING on the latent variable, put on the scale."""
    x = LOADING * latent + math.sqrt(1 - LOADING**2) * rng.standard_normal(latent.size)
    return np.clip(np.round(5.5 + 1.8 * x), 1, 10).astype(int)


@pytest.fixture
def acsi_campaign():
    """A campaign of the ACSI template with N simulated answers; returns (campaign, answers
    as a DataFrame of points by question code)."""
    questionnaire = create_from_template(TEMPLATE)
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    rng = np.random.default_rng(2026)
    latent = _latent(rng, N)
    questions = {q.code: q for q in questionnaire.questions.prefetch_related("options")}
    answers = {}
    for code in questions:
        prefix = code[:3]
        if prefix == "CMP":
            # No complaint (0), complained to others (1), a formal complaint (2).
            answers[code] = np.digitize(latent["CMP"], [0.3, 1.2])
        elif prefix in ZH:
            answers[code] = _points(rng, latent[prefix])
    options = {code: {o.points: str(o.pk) for o in questions[code].options.all()} for code in answers}
    for n in range(N):
        data = {f"q-{questions[code].pk}": options[code][int(value[n])] for code, value in answers.items()}
        form = AnswerForm(questionnaire, data=data)
        assert form.is_valid(), form.errors
        invitation = make_invitation(campaign, make_customer(code=f"A{n}", name=f"客户{n}"))
        save_response(
            campaign=campaign, questionnaire=questionnaire, cleaned_data=form.cleaned_data,
            channel=Channel.EMAIL, invitation=invitation,
        )  # fmt: skip
    return campaign, pd.DataFrame(answers)


def test_the_template_asks_the_six_acsi_constructs():
    questionnaire = create_from_template(TEMPLATE)
    with translation.override("en"):
        proposal = path_model.propose(questionnaire)
    assert proposal.basis == "acsi"
    assert proposal.spec["constructs"] == {
        "Customer expectations": {"indicators": ["EXP1", "EXP2", "EXP3"], "mode": "A"},
        "Perceived quality": {"indicators": ["QUA1", "QUA2", "QUA3"], "mode": "A"},
        "Perceived value": {"indicators": ["VAL1", "VAL2"], "mode": "A"},
        "Customer satisfaction": {"indicators": ["SAT1", "SAT2", "SAT3"], "mode": "A"},
        "Customer complaints": {"indicators": ["CMP1"], "mode": "A"},
        "Customer loyalty": {"indicators": ["LOY1", "LOY2"], "mode": "A"},
    }
    # The same paths as the ACSI preset of the manyi-pls command.
    preset = pls.load_preset("acsi")
    english = {
        "Customer Expectations": "Customer expectations",
        "Perceived Quality": "Perceived quality",
        "Perceived Value": "Perceived value",
        "Customer Satisfaction": "Customer satisfaction",
        "Customer Complaints": "Customer complaints",
        "Customer Loyalty": "Customer loyalty",
    }
    assert sorted(proposal.spec["paths"]) == sorted([english[a], english[b]] for a, b in preset.paths)


def test_a_questionnaire_missing_a_construct_gets_the_usual_proposal():
    questionnaire = create_from_template(TEMPLATE)
    questionnaire.questions.filter(code="CMP1").delete()
    assert path_model.propose(questionnaire).basis != "acsi"


def test_the_model_page_offers_and_estimates_the_acsi_model(client_as, people, acsi_campaign):
    campaign, answers = acsi_campaign
    page = client_as(people.ana).get(reverse("dashboards:model", args=[campaign.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "ACSI" in html.unescape(re.search(r'id="model-proposal">(.*?)</div>', text, re.S).group(1))
    shown = {
        tuple(path.split(" -> ")): float(value)
        for path, value in re.findall(r'data-path="([^"]+)" data-estimate="([^"]+)"', text)
    }
    names = ZH  # the analyst reads Chinese
    assert set(shown) == {(names[a], names[b]) for a, b in TRUTH}

    # plspm on the same answers, with the same model.
    with translation.override("en"):
        model = pls.PathModel.from_dict(path_model.propose(campaign.questionnaire).spec)
    reference = plspm_fit(model, answers)
    english = {name: prefix for prefix, name in path_model.ACSI_CONSTRUCTS}
    # plspm may turn a construct round; ours turns each so that its loadings are mostly
    # positive, so plspm's constructs are turned the same way before comparing.
    turn = {
        c.name: np.sign(sum(reference["loadings"][(c.name, i)] for i in c.indicators))
        for c in model.constructs
    }
    for (source, target), value in reference["paths"].items():
        key = (names[english[source]], names[english[target]])
        assert shown[key] == pytest.approx(value * turn[source] * turn[target], abs=0.0006), key

    # The simulated truth: sampling error at n = 300 is about 0.05; composites of 2-3
    # indicators loading 0.9 attenuate the paths by under 10 %, the one three-level
    # complaint answer much more (it keeps about 3/4 of the latent correlation).
    for (source, target), value in TRUTH.items():
        estimate = shown[(names[source], names[target])]
        if "CMP" in (source, target):
            assert np.sign(estimate) == np.sign(value) and abs(estimate - value) < 0.2, (source, target)
        else:
            assert estimate == pytest.approx(value, abs=0.12), (source, target)
