"""The satisfaction model page's data: a PLS path model fitted on a campaign's answers.

The default model follows the questionnaire: each dimension is a construct measured by its
items (mode A), and every dimension leads to the recommendation construct (the NPS answer)
when the questionnaire asks it. Analysts may edit the model (the JSON form of
analytics.pls.PathModel, the same as the manyi-pls command reads).
"""

import numpy as np
from django.utils.translation import gettext as _

from manyi.analytics import pls

from .filters import analysed
from .pls_messages import list_separator

MAX_ROWS = 10_000  # complete responses used; larger campaigns are sampled (seeded)
BOOTSTRAP = 500
RESAMPLE_CHOICES = (500, 1000, 2000, 5000)  # SmartPLS users ask for 5,000 subsamples
# Rows × resamples one page view may bootstrap: 5,000 resamples of up to 1,000 rows (0.4 s
# measured with 10 indicators in 6 constructs, 2-core machine);
# larger campaigns get fewer resamples (never below BOOTSTRAP), and the page says so.
BOOTSTRAP_BUDGET = 5_000_000
RECOMMENDATION = "NPS"


def default_model(campaign, dataset):
    """The questionnaire's dimensions → recommendation, as the JSON form (a dict)."""
    layout = campaign.questionnaire.layout()
    titles = {d.code: d.title for d in campaign.questionnaire.dimensions.all()}
    blocks = {}
    for question in layout.questions:
        if question.dimension_id is None:
            continue
        code = question.dimension.code
        keys = [row.code for row in layout.rows[question.pk]] if layout.rows[question.pk] else [question.code]
        blocks.setdefault(titles.get(code, code), []).extend(k for k in keys if k in dataset.item_keys)
    constructs = {name: {"indicators": keys, "mode": "A"} for name, keys in blocks.items() if keys}
    paths = []
    if np.any(~np.isnan(dataset.nps)):
        outcome = _("Recommendation")
        constructs[outcome] = {"indicators": [RECOMMENDATION], "mode": "A"}
        paths = [[name, outcome] for name in blocks if name in constructs and name != outcome]
    return {"constructs": constructs, "paths": paths, "scheme": "path"}


def model_data(dataset, selection, model, scheme, seed=1):
    """Columns for the model's indicators over the analysed responses (valid questionnaires,
    with the validity rule's neutral answers filled in; a sample when large)."""
    rows = analysed(dataset, selection)
    keep = np.flatnonzero(rows)
    columns = {
        key: dataset.item_points(scheme, i, rows)
        for i, key in enumerate(dataset.item_keys)
        if key in model.indicators
    }
    columns[RECOMMENDATION] = dataset.nps[keep]
    unknown = [name for name in model.indicators if name not in columns]
    if unknown:
        raise ValueError(_("Unknown indicators: %(names)s.") % {"names": list_separator().join(unknown)})
    complete = np.ones(keep.size, bool)
    for name in model.indicators:
        complete &= ~np.isnan(columns[name])
    rows = np.flatnonzero(complete)
    total = int(rows.size)
    if rows.size > MAX_ROWS:
        rows = np.sort(np.random.default_rng(seed).choice(rows, MAX_ROWS, replace=False))
    return {name: columns[name][rows] for name in model.indicators}, total


def estimate(campaign, dataset, selection, spec, resamples=BOOTSTRAP, seed=1):
    """Fit and bootstrap the model (`resamples`, drawn with `seed`, within BOOTSTRAP_BUDGET);
    returns a dict for the template.

    Raises ValueError: pls.ModelError (English, see pls_messages.pls_error_message) or an
    already translated message.
    """
    model = pls.PathModel.from_dict(spec)
    data, complete = model_data(dataset, selection, model, campaign.questionnaire.layout().scheme)
    rows = len(next(iter(data.values()))) if data else 0
    drawn = min(resamples, max(BOOTSTRAP, BOOTSTRAP_BUDGET // max(rows, 1)))
    boot = pls.bootstrap(model, data, drawn, seed=seed)
    result = boot.fit
    paths = [
        {
            "source": source,
            "target": target,
            "estimate": result.paths[(source, target)],
            "stat": boot.paths[(source, target)],
            "significant": not (
                boot.paths[(source, target)].lower <= 0 <= boot.paths[(source, target)].upper
            ),
        }
        for source, target in model.paths
    ]
    ave, rho_c, alpha = result.ave, result.rho_c, result.cronbach_alpha
    htmt = result.htmt
    names = list(model.names)
    return {
        "model": model,
        "used": result.n_rows,
        "resamples": drawn,
        "requested": resamples,
        "seed": seed,
        "complete": complete,
        "converged": result.converged,
        "iterations": result.iterations,
        "paths": paths,
        "r2": [(name, result.r2[name], result.r2_adjusted[name]) for name in model.endogenous],
        "constructs": [
            {
                "name": name,
                "mode": pls.construct_mode(model, name),
                "ave": ave.get(name),
                "rho_c": rho_c.get(name),
                "alpha": alpha.get(name),
                "index": result.index.get(name),
                "indicators": [
                    (
                        indicator,
                        result.loadings[name][indicator],
                        result.weights[name][indicator],
                        boot.weights[(name, indicator)],
                    )
                    for indicator in result.loadings[name]
                ],
            }
            for name in names
        ],
        "htmt": [[htmt.get((a, b), htmt.get((b, a))) if a != b else None for b in names] for a in names],
        "names": names,
        "diagram": {
            "nodes": [
                {"name": name, "r2": result.r2.get(name), "exogenous": name not in model.endogenous}
                for name in names
            ],
            "links": [
                {
                    "source": p["source"],
                    "target": p["target"],
                    "value": round(p["estimate"], 3),
                    "significant": p["significant"],
                }
                for p in paths
            ],
        },
    }
