"""The satisfaction model page's rules (a PLS path model): the model proposed for a
questionnaire, the model saved for it, checking a model against the questionnaire's items,
and the PLS estimate on a campaign.

A model is the JSON form of analytics.pls.PathModel (the same as the manyi-pls command reads).
The proposal follows the questionnaire, as the ACSI does (Fornell et al. 1996: perceived
quality → satisfaction → loyalty): each dimension is a construct measured by its rated items;
they lead to overall satisfaction, measured by the questionnaire's outcome question, which
leads to the recommendation (NPS) when the questionnaire asks it. See `propose` for what is
proposed when the questionnaire lacks one of these.
"""

import re
from dataclasses import dataclass

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from manyi.analytics import pls
from manyi.results.dataset import rated_items
from manyi.results.filters import analysed
from manyi.surveys.choices import QuestionKind

from .models import SavedPathModel
from .pls_messages import list_separator, pls_error_message

MAX_ROWS = 10_000  # complete responses used; larger campaigns are sampled (seeded)
BOOTSTRAP = 500
RESAMPLE_CHOICES = (500, 1000, 2000, 5000)  # SmartPLS users ask for 5,000 subsamples
# Rows × resamples one page view may bootstrap: 5,000 resamples of up to 1,000 rows (0.4 s
# measured with 10 indicators in 6 constructs, 2-core machine);
# larger campaigns get fewer resamples (never below BOOTSTRAP), and the page says so.
BOOTSTRAP_BUDGET = 5_000_000
RECOMMENDATION = "NPS"


@dataclass(frozen=True)
class Proposal:
    """The model proposed for a questionnaire (None when none is possible) and why, in the
    user's language; `basis` names the case: "outcome", "recommendation", "dimension_scores",
    "higher_order", "acsi" or "none"."""

    spec: dict | None
    basis: str
    reason: str


def _unique(name, taken):
    """`name`, or `name (2)`, `name (3)` … when a construct already has it."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name} ({n})"
    taken.add(candidate)
    return candidate


def propose(questionnaire):
    """The model a statistician would start from for this questionnaire (a Proposal).

    - Drivers: each dimension with a rated item is a construct measured by its rated items
      (mode A); without dimensions the rated items form one construct. Items outside the
      dimensions, other than the outcome, are left out (they do not make the index either).
    - Overall satisfaction: the questionnaire's outcome question (整体满意度, Question.outcome,
      never part of the index), a construct of one indicator the drivers lead to.
    - Recommendation: the NPS question, led to by overall satisfaction (ACSI: satisfaction →
      loyalty), or by the drivers when there is no outcome question.
    - Neither: nothing outside the rated items can be explained. Overall satisfaction is then
      a construct measured by the dimension scores, each dimension leading to it: the
      two-stage approach to a higher-order construct (Becker, Klein & Wetzels 2012) with the
      questionnaire's own dimension scores as the first stage, so each dimension counts once
      (repeated indicators would weigh a dimension by its number of items). With fewer than
      two dimensions each rated item is a construct, and overall satisfaction the
      second-order construct of them all (repeated indicators; Lohmöller 1989, Tenenhaus et
      al. 2005 §6). Either way the paths describe how overall satisfaction is made up and its
      R² is near 1 by construction: the reason says so, and how to get a model of drivers.
    - No model when there are not two constructs to join by a path (a reason says why).
    - A questionnaire that asks the ACSI's six constructs (see `acsi_proposal`, e.g. the
      template acsi_customer_satisfaction_index) gets the ACSI model instead.
    """
    acsi = acsi_proposal(questionnaire)
    if acsi is not None:
        return acsi
    facts = _Facts.of(questionnaire)
    if facts.outcome or facts.asks_nps:
        return _proposal_explaining_an_answer(facts)
    codes = [code for code in score_dimensions(questionnaire) if code in facts.dimensions]
    if len(facts.blocks) >= 2 and len(codes) == len(facts.blocks):
        return _proposal_from_dimension_scores(facts, codes)
    return _higher_order_proposal(facts)


@dataclass
class _Facts:
    """What a proposal is made from: the rated items other than the outcome (`items`), the
    outcome question's key and text, whether the NPS question is asked, each dimension's
    construct (`blocks`: unique name -> item keys; `dimensions`: the codes that have one),
    the construct names `taken`, and how the drivers are measured (`drivers`, for the reason)."""

    items: list
    outcome: str | None
    outcome_text: str
    asks_nps: bool
    blocks: dict
    dimensions: set
    taken: set
    drivers: str

    @classmethod
    def of(cls, questionnaire):
        layout = questionnaire.layout()
        scheme = layout.scheme
        titles = dict(questionnaire.dimensions.values_list("code", "title"))
        items = [item for item in scheme.items if not item.outcome]
        outcome = next((item.key for item in scheme.items if item.outcome), None)
        taken = set()
        blocks, dimensions = {}, set()
        for dimension in scheme.dimensions:
            keys = [item.key for item in items if item.dimension == dimension.key]
            if keys:
                blocks[_unique(titles.get(dimension.key, dimension.key), taken)] = keys
                dimensions.add(dimension.key)
        return cls(
            items=items,
            outcome=outcome,
            outcome_text=next((q.text for q in layout.questions if q.code == outcome), ""),
            asks_nps=any(q.kind == QuestionKind.NPS for q in layout.questions),
            blocks=blocks,
            dimensions=dimensions,
            taken=taken,
            drivers=_("each dimension is a construct measured by its rated items"),
        )


def _measured_by_items(blocks):
    """The constructs of `blocks` (name -> item keys), each measured by its items (mode A)."""
    return {name: {"indicators": keys, "mode": "A"} for name, keys in blocks.items()}


def _proposal_explaining_an_answer(facts):
    """The drivers lead to overall satisfaction (the outcome question), which leads to the
    recommendation (NPS) when asked; or the drivers lead to whichever of the two is asked."""
    blocks, drivers = facts.blocks, facts.drivers
    if not blocks and facts.items:
        blocks = {_unique(_("Rated items"), facts.taken): [item.key for item in facts.items]}
        drivers = _("the rated items form one construct")
    constructs = _measured_by_items(blocks)
    paths = []
    leads_on = list(blocks)
    if facts.outcome:
        satisfaction = _unique(_("Overall satisfaction"), facts.taken)
        constructs[satisfaction] = {"indicators": [facts.outcome], "mode": "A"}
        paths += [[name, satisfaction] for name in leads_on]
        leads_on = [satisfaction]
    if facts.asks_nps:
        recommendation = _unique(_("Recommendation"), facts.taken)
        constructs[recommendation] = {"indicators": [RECOMMENDATION], "mode": "A"}
        paths += [[name, recommendation] for name in leads_on]
    if not paths:
        return Proposal(
            None,
            "none",
            _(
                "No model can be proposed: the questionnaire rates nothing that could explain "
                "its overall question or the recommendation. Give it rated items."
            ),
        )
    basis = "outcome" if facts.outcome else "recommendation"
    spec = {"constructs": constructs, "paths": paths, "scheme": "path"}
    reason = _explaining_reason(facts.outcome, facts.asks_nps)
    return Proposal(spec, basis, reason % {"drivers": drivers, "question": facts.outcome_text})


def _explaining_reason(outcome, asks_nps):
    """Why the proposal explaining the outcome and/or the recommendation looks as it does
    (with %(drivers)s and %(question)s to fill in)."""
    if outcome and asks_nps:
        return _(
            "Proposed from the questionnaire: %(drivers)s; it leads to overall satisfaction, "
            "measured by the question “%(question)s”, which leads to the recommendation (the "
            "0-10 NPS question)."
        )
    if outcome:
        return _(
            "Proposed from the questionnaire: %(drivers)s; it leads to overall satisfaction, "
            "measured by the question “%(question)s”."
        )
    return _(
        "Proposed from the questionnaire: %(drivers)s; it leads to the recommendation (the "
        "0-10 NPS question). The questionnaire asks no overall satisfaction question "
        "(one marked as the outcome of the key drivers), so satisfaction is no construct "
        "of its own here."
    )


def _proposal_from_dimension_scores(facts, codes):
    """Neither outcome nor NPS asked, two dimensions or more: overall satisfaction measured by
    the dimension scores (`codes`), each dimension leading to it (two-stage approach)."""
    constructs = _measured_by_items(facts.blocks)
    satisfaction = _unique(_("Overall satisfaction"), facts.taken)
    constructs[satisfaction] = {"indicators": codes, "mode": "A"}
    reason = _(
        "Proposed from the questionnaire: %(drivers)s. It asks neither an overall satisfaction "
        "question nor the recommendation, so nothing outside the rated items can be "
        "explained: overall satisfaction is measured by the dimension scores (each dimension "
        "once, as in the index), and each dimension leads to it. The paths show how much "
        "each dimension weighs in overall satisfaction as the answers have it, to set beside "
        "the questionnaire's own weights, not an effect measured on its own; its R² is close "
        "to 1 by construction. Mark an overall satisfaction question as the outcome of the "
        "key drivers in the questionnaire to estimate what drives satisfaction."
    )
    spec = {
        "constructs": constructs,
        "paths": [[name, satisfaction] for name in facts.blocks],
        "scheme": "path",
    }
    return Proposal(spec, "dimension_scores", reason % {"drivers": facts.drivers})


def _higher_order_proposal(facts):
    """Neither outcome nor NPS asked, and no dimension scores to measure by: overall
    satisfaction as the second-order construct of the dimensions (or, with fewer than two,
    of the rated items one by one); no model without two constructs."""
    blocks, drivers, taken = facts.blocks, facts.drivers, facts.taken
    if len(blocks) < 2:
        taken = set()
        blocks = {_unique(item.key, taken): [item.key] for item in facts.items}
        drivers = _("each rated item is a construct of its own")
    if len(blocks) < 2:
        return Proposal(
            None,
            "none",
            _(
                "No model can be proposed: a path model needs two constructs joined by a path, "
                "and this questionnaire has fewer than two rated items and no overall "
                "satisfaction or recommendation question."
            ),
        )
    constructs = _measured_by_items(blocks)
    satisfaction = _unique(_("Overall satisfaction"), taken)
    constructs[satisfaction] = {"lower_order": list(blocks), "mode": "A"}
    spec = {"constructs": constructs, "paths": [[name, satisfaction] for name in blocks], "scheme": "path"}
    reason = _(
        "Proposed from the questionnaire: %(drivers)s. It asks neither an overall satisfaction "
        "question nor the recommendation, so nothing outside the rated items can be explained: "
        "overall satisfaction is a second-order construct measured by all their items again "
        "(repeated indicators), and each construct leads to it. The paths show how much each "
        "weighs in overall satisfaction as the answers have it (one with more items weighs "
        "more), not an effect measured on its own; its R² is close to 1 by construction. Mark "
        "an overall satisfaction question as the outcome of the key drivers in the "
        "questionnaire to estimate what drives satisfaction."
    )
    return Proposal(spec, "higher_order", reason % {"drivers": drivers})


# The ACSI's constructs (Fornell et al. 1996, Figure 1) by the code prefix of their items in
# the template acsi_customer_satisfaction_index, and its paths (analytics/pls_models/acsi.json).
ACSI_CONSTRUCTS = (
    ("EXP", gettext_noop("Customer expectations")),
    ("QUA", gettext_noop("Perceived quality")),
    ("VAL", gettext_noop("Perceived value")),
    ("SAT", gettext_noop("Customer satisfaction")),
    ("CMP", gettext_noop("Customer complaints")),
    ("LOY", gettext_noop("Customer loyalty")),
)
ACSI_PATHS = (
    ("EXP", "QUA"),
    ("EXP", "VAL"),
    ("EXP", "SAT"),
    ("QUA", "VAL"),
    ("QUA", "SAT"),
    ("VAL", "SAT"),
    ("SAT", "CMP"),
    ("SAT", "LOY"),
    ("CMP", "LOY"),
)
_ACSI_CODE = re.compile(r"^(EXP|QUA|VAL|SAT|CMP|LOY)\d+$")


def acsi_proposal(questionnaire):
    """The ACSI model (a Proposal with basis "acsi") when the questionnaire rates all six ACSI
    constructs, an item belonging to a construct by its code: EXP1, EXP2 … customer
    expectations (顾客期望), QUA perceived quality (感知质量), VAL perceived value (感知价值),
    SAT customer satisfaction (顾客满意), CMP customer complaints (顾客抱怨), LOY customer
    loyalty (顾客忠诚); else None. Each construct is measured by its items (mode A) and the
    paths are the ACSI's: expectations → quality, value, satisfaction; quality → value,
    satisfaction; value → satisfaction; satisfaction → complaints, loyalty; complaints →
    loyalty. No answer scale is set: the index uses each item's observed range."""
    blocks = {}
    for item in questionnaire.layout().scheme.items:
        if match := _ACSI_CODE.match(item.key):
            blocks.setdefault(match.group(1), []).append(item.key)
    if len(blocks) < len(ACSI_CONSTRUCTS):
        return None
    names = {prefix: _(name) for prefix, name in ACSI_CONSTRUCTS}
    spec = {
        "constructs": {
            names[prefix]: {"indicators": blocks[prefix], "mode": "A"} for prefix, _n in ACSI_CONSTRUCTS
        },
        "paths": [[names[source], names[target]] for source, target in ACSI_PATHS],
        "scheme": "path",
    }
    reason = _(
        "Proposed from the questionnaire: it asks the six constructs of the American Customer "
        "Satisfaction Index (its items' codes begin EXP, QUA, VAL, SAT, CMP and LOY), so the "
        "ACSI model is proposed (Fornell et al. 1996): customer expectations lead to perceived "
        "quality, perceived value and customer satisfaction; perceived quality to perceived "
        "value and satisfaction; perceived value to satisfaction; satisfaction to customer "
        "complaints and customer loyalty; complaints to loyalty."
    )
    return Proposal(spec, "acsi", reason)


def score_dimensions(questionnaire):
    """{code: title} of the dimensions whose scores may be indicators: a dimension code that is
    also an item's key (or NPS) would be ambiguous, so that dimension's score is not offered."""
    scheme = questionnaire.layout().scheme
    taken = {item.key for item in scheme.items} | {RECOMMENDATION}
    titles = dict(questionnaire.dimensions.values_list("code", "title"))
    return {d.key: titles.get(d.key, d.key) for d in scheme.dimensions if d.key not in taken}


def indicator_choices(campaign):
    """(key, label) of everything a construct can be measured by: the rated items (the
    dataset's columns), the dimension scores (0-100, as stored with each response) and, when
    asked, the recommendation (NPS)."""
    choices = [(key, f"{key} {text}") for key, text, *_rest in rated_items(campaign)]
    score = _("dimension score")
    choices += [
        (code, f"{code} {title} ({score})")
        for code, title in score_dimensions(campaign.questionnaire).items()
    ]
    nps = next((q for q in campaign.questionnaire.layout().questions if q.kind == QuestionKind.NPS), None)
    if nps is not None:
        choices.append((RECOMMENDATION, f"{RECOMMENDATION} {nps.text}"))
    return choices


def check(spec, known):
    """The PathModel of `spec` whose indicators are all in `known`; raises ValueError
    (pls.ModelError, see pls_messages, or a translated message) otherwise."""
    model = pls.PathModel.from_dict(spec)
    unknown = [name for name in dict.fromkeys(model.indicators) if name not in known]
    if unknown:
        raise ValueError(_("Unknown indicators: %(names)s.") % {"names": list_separator().join(unknown)})
    return model


def as_spec(model):
    """The JSON form of a checked model, as the form and the JSON editor show it: a
    higher-order construct by its lower-order constructs, every path listed."""
    constructs = {}
    for construct in model.constructs:
        if construct.lower_order:
            constructs[construct.name] = {"lower_order": list(construct.lower_order), "mode": construct.mode}
        else:
            constructs[construct.name] = {"indicators": list(construct.indicators), "mode": construct.mode}
    spec = {"constructs": constructs, "paths": [list(path) for path in model.paths], "scheme": model.scheme}
    if model.scale is not None:
        spec["scale"] = list(model.scale)
    return spec


@dataclass(frozen=True)
class Current:
    """The model the page starts from (`spec`): the saved one (`uses_saved`) when it still
    fits the questionnaire and the proposal was not asked for, else the proposal; `saved` is
    the saved row if any, `problem` why it was set aside."""

    spec: dict | None
    proposal: Proposal
    saved: SavedPathModel | None = None
    uses_saved: bool = False
    problem: str = ""


def saved_model(questionnaire):
    """The model saved for this questionnaire, else the newest saved for another version of
    it (a new version keeps the analyst's model while its items still fit), else None."""
    saved = SavedPathModel.objects.select_related("questionnaire", "saved_by")
    return (
        saved.filter(questionnaire=questionnaire).first()
        or saved.filter(questionnaire__family=questionnaire.family)
        .order_by("-questionnaire__version")
        .first()
    )


def current(campaign, *, proposed=False):
    """The saved model if it still fits the questionnaire's items (unless `proposed` asks for
    the proposal), else the proposal (a Current)."""
    questionnaire = campaign.questionnaire
    proposal = propose(questionnaire)
    saved = saved_model(questionnaire)
    if saved is None or proposed:
        return Current(proposal.spec, proposal, saved)
    try:
        model = check(saved.spec, {key for key, _label in indicator_choices(campaign)})
    except ValueError as problem:
        why = _("The saved model no longer fits the questionnaire: %(problem)s The proposed model is shown.")
        return Current(proposal.spec, proposal, saved, problem=why % {"problem": pls_error_message(problem)})
    return Current(as_spec(model), proposal, saved, uses_saved=True)


def save(questionnaire, spec, *, by):
    """Keep `spec` (checked: see check) as the questionnaire's model."""
    SavedPathModel.objects.update_or_create(
        questionnaire=questionnaire, defaults={"spec": spec, "saved_by": by, "saved_at": timezone.now()}
    )


def model_data(dataset, selection, model, scheme, seed=1):
    """Columns for the model's indicators over the analysed responses (valid questionnaires,
    with the validity rule's neutral answers filled in; a sample when large): items,
    dimension scores (by dimension code) and the recommendation (NPS)."""
    rows = analysed(dataset, selection)
    keep = np.flatnonzero(rows)
    columns = {
        key: dataset.item_points(scheme, i, rows)
        for i, key in enumerate(dataset.item_keys)
        if key in model.indicators
    }
    for j, code in enumerate(dataset.dimension_keys):
        if code in model.indicators and code not in columns:
            columns[code] = dataset.dimensions[keep, j].astype(np.float64)
    columns[RECOMMENDATION] = dataset.nps[keep]
    complete = np.ones(keep.size, bool)
    for name in dict.fromkeys(model.indicators):
        complete &= ~np.isnan(columns[name])
    rows = np.flatnonzero(complete)
    total = int(rows.size)
    if rows.size > MAX_ROWS:
        rows = np.sort(np.random.default_rng(seed).choice(rows, MAX_ROWS, replace=False))
    return {name: columns[name][rows] for name in model.indicators}, total


def estimate(campaign, dataset, selection, model, resamples=BOOTSTRAP, seed=1):
    """Fit and bootstrap `model` (a PathModel from check) with `resamples` drawn with `seed`,
    within BOOTSTRAP_BUDGET; returns a dict for the template.

    Raises pls.ModelError (English, see pls_messages.pls_error_message) on a data problem.
    """
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
    names = list(model.names)
    htmt = result.htmt
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
        "constructs": _construct_figures(model, boot),
        "htmt": [[htmt.get((a, b), htmt.get((b, a))) if a != b else None for b in names] for a in names],
        "names": names,
        "diagram": _diagram(model, result, paths),
    }


def _construct_figures(model, boot):
    """Each construct's mode, reliability (AVE, ρc, Cronbach's α), index and indicators (with
    loading, weight and the weight's bootstrap interval), in the model's order."""
    result = boot.fit
    higher_order = {c.name for c in model.constructs if c.lower_order}
    return [
        {
            "name": name,
            "mode": pls.construct_mode(model, name),
            "higher_order": name in higher_order,
            "ave": result.ave.get(name),
            "rho_c": result.rho_c.get(name),
            "alpha": result.cronbach_alpha.get(name),
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
        for name in model.names
    ]


def _diagram(model, result, paths):
    """The path diagram's nodes (constructs, by column: see _levels) and links (the paths)."""
    levels = _levels(model)
    return {
        "nodes": [
            {
                "name": name,
                "r2": result.r2.get(name),
                "exogenous": name not in model.endogenous,
                "level": levels[name],
            }
            for name in model.names
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
    }


def _levels(model):
    """Each construct's column in the path diagram: 0 for those no path leads to, else one
    more than the furthest construct leading to it (in topological order: paths are acyclic)."""
    levels = dict.fromkeys(model.names, 0)
    waiting = {name: len(model.predecessors(name)) for name in model.names}
    ready = [name for name in model.names if not waiting[name]]
    while ready:
        source = ready.pop()
        for start, target in model.paths:
            if start == source:
                levels[target] = max(levels[target], levels[source] + 1)
                waiting[target] -= 1
                if not waiting[target]:
                    ready.append(target)
    return levels
