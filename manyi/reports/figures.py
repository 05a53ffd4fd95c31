"""The figures of a satisfaction analysis report, as plain JSON-ready data.

Everything comes from the dashboard's summary (`dashboard_summary` over all of the campaign's
responses), the campaign's counts (`campaign_counts`) and the analysis functions, so a report
always says what the dashboard says. `report_figures` is what a draft shows and what a
published report keeps as its frozen snapshot: numbers, labels and lists only (no model
objects), so that it reads back from the database exactly as it was written.

The sections follow the seeds' reports (《顾客满意度分析报告》, 2018年客户满意度调查分析报告,
顾客满意度调查项目的分析报告): purpose; method and sample; overall index against the target
and the previous wave; satisfied-customer rate; dimensions and items; importance-performance
quadrants; main problems and priorities (急需改进 first); improvement actions; appendix.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from django.apps import apps
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from manyi.analytics import text
from manyi.campaigns.choices import Channel
from manyi.campaigns.workflow import campaign_counts
from manyi.results import open_answers
from manyi.results.dataset import campaign_dataset
from manyi.results.filters import Selection, mask
from manyi.results.structure import structure_analysis
from manyi.results.summary import dashboard_summary
from manyi.surveys.choices import QuestionKind

from .table_figures import table_figures
from .topic_figures import topic_problem_figures

SNAPSHOT_FORMAT = 1
OPEN_ANSWERS_KEPT = 200  # per question in the appendix; the count of all is always given
KEYWORDS_KEPT = 150  # the word cloud's words


def quadrant_names():
    """The seed 001 CSR names of the quadrants (results.summary.QUADRANT_LABELS' keys),
    written out here with gettext so that the catalogue has them."""
    return {
        "improve": _("Improve urgently"),  # 急需改进
        "undecided": _("Undecided: its interval reaches the line"),  # 待定
        "keep": _("Keep it up"),  # 继续保持
        "secondary": _("Secondary"),  # 次要
        "bonus": _("Nice to have"),  # 锦上添花
    }


def _num(value, digits=4):
    """A JSON-safe float (None for missing or NaN)."""
    if value is None:
        return None
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        return None
    return round(value, digits)


def _test(result):
    if result is None:
        return None
    return {
        "method": result.method,
        "p_value": _num(result.p_value, 6),
        "significant": bool(result.significant),
        "effect_size": _num(result.effect_size),
        "effect_name": result.effect_name,
    }


def _comparison(found):
    if not found:
        return None
    wave = found["campaign"]
    return {
        "label": wave.wave or wave.name,
        "campaign_id": wave.pk,
        "index": _num(found["index"]),
        "change": _num(found["change"]),
        "test": _test(found["means"]),
        "satisfied_rate": _num(found["satisfied_rate"]),
        "rates_test": _test(found["rates"]),
    }


def default_purpose():
    """The purposes of the 2018 seed report, for campaigns that state none."""
    return "\n".join(
        [
            _(
                "1. Identify the key factors of satisfaction and measure the current level of customer satisfaction;"
            ),
            _("2. Understand what customers think and find their latent needs;"),
            _(
                "3. Find the strengths and weaknesses, the chances to improve, and decide on improvement actions;"
            ),
            _(
                "4. Talk with customers, reduce complaints and customer loss, and raise satisfaction and loyalty."
            ),
        ]
    )


def report_figures(campaign, now=None, unit=None):
    """The report's figures for the campaign's responses as they are now: one function per
    section computes that section's part. `unit`: only the answers of that organisation unit's
    customers (and of the units below it), read through filters.analysed() as on the dashboard."""
    questionnaire = campaign.questionnaire
    dataset = campaign_dataset(campaign)
    selection = Selection(unit=getattr(unit, "pk", unit))
    summary = dashboard_summary(campaign, selection, dataset=dataset)
    counts = campaign_counts(campaign, unit=unit)
    names = quadrant_names()
    dimensions = _dimensions(summary, questionnaire)
    items = _items(summary, {d["key"]: d["title"] for d in dimensions}, names)
    quadrant, priorities = _importance(summary["importance"], names)
    texts = _open_answers(campaign, dataset, selection)
    held = mask(dataset, selection, every_answer=True)  # the unit's responses (every one: no unit)
    return {
        "format": SNAPSHOT_FORMAT,
        "generated_at": (now or timezone.now()).isoformat(),
        "unit": {"id": unit.pk, "name": unit.name, "code": unit.code} if unit is not None else None,
        "campaign": {
            "id": campaign.pk,
            "name": campaign.name,
            "series": campaign.series,
            "wave": campaign.wave,
            "confidential": campaign.confidential,
        },
        "questionnaire": {
            "id": questionnaire.pk,
            "title": questionnaire.title,
            "version": questionnaire.version,
        },
        "purpose": campaign.purpose.strip() or default_purpose(),
        "method": _method(campaign, questionnaire, counts),
        "technical": _technical(campaign, dataset, held, unit),
        "fieldwork": _fieldwork(campaign, dataset, counts, held, unit),
        "overall": _overall(summary["headline"], campaign.target_index),
        "dimensions": dimensions,
        "items": items,
        "waves": [
            {
                "label": w["label"],
                "current": w["current"],
                "n": w["summary"].n,
                "mean": _num(w["summary"].mean),
            }
            for w in summary["waves"]
            if w["summary"] is not None
        ],
        "trend": [
            {"period": f"{p.label // 100}-{p.label % 100:02d}", "n": p.n, "mean": _num(p.mean)}
            for p in summary["trend"]
        ],
        "quadrant": quadrant,
        "priorities": priorities,
        "problems": _problems(items, priorities, campaign.target_index, questionnaire.satisfied_threshold),
        "topic_problems": topic_problem_figures(dataset, selection),
        "improvements": improvement_figures(campaign, unit),
        "questions": _questions(questionnaire),
        "open_answers": texts["questions"],
        "keywords": texts["keywords"],
        "tables": table_figures(campaign, dataset, selection),
        "structure": structure_figures(campaign, dataset, selection),
    }


def structure_figures(campaign, dataset, selection=None):
    """The structure analysis (factor analysis, reliability, segments) exactly as the dashboard's
    structure page computes it with its default options over all of the campaign's responses
    (results.structure.structure_analysis), as plain JSON data. Seed 001: "可以利用SPSS进行因子
    分析和聚类分析,将客户满意度得分进行归纳和分类". Snapshots published before it have no
    "structure" key, and their reports have no such section."""
    return json_safe(structure_analysis(campaign, dataset, selection or Selection()))


def json_safe(value):
    """`value` with dataclasses as dicts, tuples as lists, numpy numbers as Python numbers and
    NaN or infinity as None, so that it reads back from a JSON field exactly as written."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [json_safe(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _method(campaign, questionnaire, counts):
    """The method and sample: how the customers were drawn and asked, and seed 000's counts
    (发放 issued, 回收 returned, 回收率 = returned / issued, 有效率 = valid / returned)."""
    channel_names = dict(Channel.choices)
    return {
        "sampling": str(campaign.get_sampling_method_display()),
        "sampling_method": campaign.sampling_method,
        "sample_size": campaign.sample_size,
        "volume_share": _num(campaign.volume_share * 100)
        if campaign.sampling_method == "top_volume"
        else None,
        "stratify_by": campaign.stratify_by,
        "channels": [str(channel_names.get(c, c)) for c in campaign.channels],
        "invite_at": _date(campaign.invite_at),
        "deadline": _date(campaign.deadline),
        "reminder_days": list(campaign.reminder_days or []),
        "issued": counts["issued"],
        "returned": counts["returned"],
        "valid": counts["returned_valid"],
        "uninvited": [[str(row["label"]), row["completed"]] for row in counts["uninvited"]],
        "response_rate": _num(counts["response_rate"], 2),
        "valid_rate": _num(counts["valid_rate"], 2),
        "validity_rule": str(questionnaire.get_validity_rule_display()),
        "scale_method": str(questionnaire.get_scale_method_display()),
        "index_method": str(questionnaire.get_index_method_display()),
        "threshold": _num(questionnaire.satisfied_threshold),
        "bands": [[_num(low), label] for low, label in questionnaire.bands],
    }


def _overall(headline, target):
    """The overall index against the target and the earlier waves, the satisfied-customer rate,
    NPS and the grade bands, as the dashboard's headline gives them."""
    index = headline["index"]
    satisfied = headline["satisfied"]
    nps = headline["nps"]
    ci = headline["index_ci"]
    return {
        "responses": headline["responses"],
        "valid": headline["valid"],
        "index": _num(index),
        "index_low": _num(ci.low) if ci else None,
        "index_high": _num(ci.high) if ci else None,
        "target": _num(target),
        # results.summary.target_status: reached only when the whole 95% interval is.
        "target_status": headline["target_status"],
        "reached": headline["target_status"] == "reached" if headline["target_status"] else None,
        "gap": None if index is None or target is None else _num(index - target),
        "previous": _comparison(headline["previous"]),
        "last_year": _comparison(headline["last_year"]),
        "satisfied": None
        if satisfied is None
        else {key: _num(value) if isinstance(value, float) else value for key, value in satisfied.items()},
        "threshold": _num(headline["threshold"]),
        "nps": None
        if nps is None
        else {
            "n": nps.n,
            "score": _num(nps.nps),
            "low": _num(nps.low),
            "high": _num(nps.high),
            "promoters": nps.promoters,
            "passives": nps.passives,
            "detractors": nps.detractors,
        },
        "bands": [
            {"label": band.label, "count": band.count, "percent": _num(band.percent)}
            for band in headline["bands"] or ()
        ],
    }


def _dimensions(summary, questionnaire):
    weights = {d.code: d.weight for d in questionnaire.dimensions.all()}
    return [
        {
            "key": d["key"],
            "title": d["title"],
            "weight": _num(weights.get(d["key"])),
            "n": d["n"],
            "mean": _num(d["mean"]),
        }
        for d in summary["dimensions"]
    ]


def _items(summary, dimension_titles, names):
    """Each item's statistics, quadrant and answer distribution (the CSR data report's
    frequencies: all of the item's answers, share of n)."""
    items = []
    for row in summary["items"]:
        s = row["summary"]
        items.append(
            {
                "key": row["key"],
                "label": row["label"],
                "dimension": dimension_titles.get(row["dimension"], row["dimension"] or ""),
                "n": s.n,
                "mean": _num(s.mean) if s.n else None,
                "sd": _num(s.sd) if s.n > 1 else None,
                "score": _num(row["score"]),
                "top2": _num(s.top2) if s.n else None,
                "quadrant": row.get("quadrant"),
                "quadrant_label": names.get(row.get("quadrant"), ""),
                "distribution": [
                    {
                        "label": d["label"],
                        "points": _num(d["points"]),
                        "count": d["count"],
                        "share": _num(100.0 * d["count"] / s.n, 2) if s.n else None,
                    }
                    for d in row["distribution"]
                ],
            }
        )
    return items


def _importance(importance, names):
    """(the quadrant chart's points and lines, the key drivers as priorities), or (None, [])
    without an importance analysis. key_drivers ranks 急需改进 first, then 待定, 继续保持, 次要
    and 锦上添花."""
    if not importance:
        return None, []
    quadrant = {
        "source": importance["source"],
        "importance_line": _num(importance["importance_line"]),
        "performance_line": _num(importance["performance_line"]),
        "points": [
            {
                "key": p["key"],
                "label": p["label"],
                "importance": _num(p["importance"]),
                "performance": _num(p["performance"]),
                "quadrant": p["quadrant"],
            }
            for p in importance["points"]
        ],
        "labels": names,
    }
    priorities = [
        {
            "priority": d["driver"].priority,
            "key": d["driver"].item,
            "label": d["label"],
            "importance": _num(d["driver"].importance),
            "performance": _num(d["driver"].performance),
            "gap": _num(d["driver"].performance_gap),
            "share": _num(d["share"]),
            "quadrant": d["driver"].quadrant,
            "quadrant_label": names.get(d["driver"].quadrant, ""),
        }
        for d in importance["drivers"]
    ]
    return quadrant, priorities


def _invitations(campaign, unit):
    """The campaign's invitations, of the unit's customers (and its subtree's) when `unit`."""
    from manyi.campaigns.models import Invitation

    return Invitation.objects.filter(campaign=campaign).of_unit(unit)


def _technical(campaign, dataset, held, unit):
    """The CSR technical report's figures: who was asked (the target list's filters), and a
    check for non-response bias: each region's share of the invited against its share of
    the respondents (a large gap means the answers over-represent some regions). `held`: the
    rows of the report's unit; `unit`: its invitations only."""
    from django.db.models import Count

    invited = dict(
        _invitations(campaign, unit)
        .values_list("customer__region")
        .annotate(n=Count("pk"))
        .values_list("customer__region", "n")
    )
    codes = dataset.codes["region"][held]
    labels = dataset.labels["region"]
    answered = {
        labels[code]: int(n)
        for code, n in enumerate(np.bincount(codes[codes >= 0], minlength=len(labels)))
        if n
    }
    answered_none = int(np.count_nonzero(codes < 0))
    total_invited = sum(invited.values())
    total_answered = int(np.count_nonzero(held))
    rows = []
    for region in sorted(set(invited) | set(answered), key=lambda r: r or "~"):
        n_invited = invited.get(region, 0)
        n_answered = answered.get(region, 0) if region else answered_none
        rows.append(
            {
                "region": region or "",
                "invited": n_invited,
                "invited_share": _num(100.0 * n_invited / total_invited, 2) if total_invited else None,
                "answered": n_answered,
                "answered_share": _num(100.0 * n_answered / total_answered, 2) if total_answered else None,
                "response_rate": _num(100.0 * n_answered / n_invited, 2) if n_invited else None,
            }
        )
    gaps = [
        abs(r["invited_share"] - r["answered_share"])
        for r in rows
        if r["invited_share"] is not None and r["answered_share"] is not None
    ]
    return {
        "population": [
            [str(key), str(value)]
            for key, value in (campaign.target_filters or {}).items()
            if value not in ("", None, [])
        ],
        "sampling_seed": campaign.sampling_seed,
        "stratify_by": campaign.stratify_by,
        "regions": rows,
        "largest_gap": _num(max(gaps), 2) if gaps else None,
        "anonymous": int(np.count_nonzero(dataset.customer[held] < 0)),
    }


def _fieldwork(campaign, dataset, counts, held, unit):
    """The CSR fieldwork report's figures: channels, dates, reminders, completions by week, of
    the report's unit's rows (`held`) and invitations."""
    from django.db.models import Count, Q, Sum

    channel_names = dict(Channel.choices)
    codes = dataset.codes["channel"][held]
    by_channel = [
        {"channel": str(channel_names.get(label, label)), "count": int(np.count_nonzero(codes == code))}
        for code, label in enumerate(dataset.labels["channel"])
    ]
    reminders = _invitations(campaign, unit).aggregate(
        sent=Sum("reminders_sent"), reminded=Count("pk", filter=Q(reminders_sent__gt=0))
    )
    weeks = []
    local = (dataset.completed[held] + np.timedelta64(_utc_offset(), "s")).astype("datetime64[D]")
    if local.size:
        # ISO weeks start on Monday; 1970-01-01 was a Thursday.
        monday = local - ((local.astype(np.int64) + 3) % 7).astype("timedelta64[D]")
        starts, n = np.unique(monday, return_counts=True)
        weeks = [{"week": str(start), "count": int(count)} for start, count in zip(starts, n, strict=True)]
    return {
        "by_channel": sorted(by_channel, key=lambda row: -row["count"]),
        "first": str(local.min()) if local.size else None,
        "last": str(local.max()) if local.size else None,
        "sent": counts["sent"],
        "opened": counts["opened"],
        "failed": counts["failed"],
        "opted_out": counts["opted_out"],
        "reminders_sent": reminders["sent"] or 0,
        "reminded": reminders["reminded"],
        "interviewers": len({code for code in np.unique(dataset.codes["agent"][held]).tolist() if code >= 0}),
        "weeks": weeks,
    }


def _utc_offset():
    offset = timezone.localtime().utcoffset()
    return int(offset.total_seconds()) if offset else 0


def _date(value):
    return timezone.localtime(value).date().isoformat() if value else None


def _problems(items, priorities, target, threshold):
    """Main problems: the 急需改进 items (most important first), then other items scoring
    below the target (or the satisfied threshold without a target), lowest first."""
    bar = target if target is not None else threshold
    by_key = {item["key"]: item for item in items}
    problems, seen = [], set()
    for driver in priorities:
        if driver["quadrant"] == "improve":
            item = by_key.get(driver["key"])
            problems.append(_problem(item or driver, driver, _("Important to customers and scored low")))
            seen.add(driver["key"])
    below = sorted(
        (
            item
            for item in items
            if item["score"] is not None and item["score"] < bar and item["key"] not in seen
        ),
        key=lambda item: item["score"],
    )
    for item in below:
        problems.append(_problem(item, None, _("Scored below %(bar)s") % {"bar": f"{bar:g}"}))
    return problems


def _problem(item, driver, reason):
    return {
        "key": item["key"],
        "label": item["label"],
        "score": item.get("score", item.get("performance")),
        "top2": item.get("top2"),
        "quadrant_label": (driver or item).get("quadrant_label", ""),
        "reason": reason,
    }


def improvement_figures(campaign, unit=None):
    """The improvement actions raised from this campaign or measured in it, with their status
    (manyi.improvements.summary), or None while that app is not installed. `unit`: those of
    that organisation unit and the units below it."""
    if not apps.is_installed("manyi.improvements"):
        return None
    from django.db.models import Q

    from manyi.improvements.models import ImprovementAction
    from manyi.improvements.summary import improvement_summary
    from manyi.organisation.models import Unit

    improvements = ImprovementAction.objects.filter(Q(campaign=campaign) | Q(measured_campaign=campaign))
    if unit is not None:
        improvements = improvements.filter(unit__in=Unit.objects.within(unit))
    found = improvement_summary(improvements)
    return {
        "total": found["total"],
        "open": found["open"],
        "overdue": found["overdue"],
        "on_time_rate": _num(found["on_time_rate"], 2),
        "by_status": found["by_status"],
        "rows": [
            {
                "reference": row["reference"],
                "title": row["title"],
                "subject": row["subject"],
                "status": row["status_label"],
                "owner": row["owner"],
                "department": row["department"],
                "deadline": row["deadline"].isoformat() if row["deadline"] else None,
                "done_on": row["done_on"].isoformat() if row["done_on"] else None,
                "overdue": row["overdue"],
                "baseline_score": _num(row["baseline_score"]),
                "measured_score": _num(row["measured_score"]),
                "score_change": _num(row["score_change"]),
            }
            for row in found["rows"]
        ],
    }


def _questions(questionnaire):
    layout = questionnaire.layout()
    kinds = dict(QuestionKind.choices)
    questions = []
    for question in layout.questions:
        options = list(layout.options[question.pk].values())
        questions.append(
            {
                "code": question.code,
                "text": question.text,
                "kind": str(kinds.get(question.kind, question.kind)),
                "dimension": question.dimension.title if question.dimension_id else "",
                "weight": _num(question.weight),
                "options": [o.label if o.points is None else f"{o.label} ({o.points:g})" for o in options],
                "rows": [f"{row.code} {row.text}" for row in layout.rows[question.pk]],
            }
        )
    return questions


def _open_answers(campaign, dataset, selection=None):
    """Open answers per text question (the first OPEN_ANSWERS_KEPT, with the count of all) and
    the keywords of all of them (the word cloud's words, from analytics.text). Both read the
    rows every figure reads (`open_answers.analysed_answers`: one voice, valid; seed 000
    "遗漏2项以上评分的调查表按无效卷不予统计"), so an invalid questionnaire's answer is neither
    listed nor a keyword."""
    selection = selection or Selection()
    # Segmenting many answers takes seconds: kept in the cache for the data's state, as the
    # dashboard's keyword panel is.
    key = open_answers._key(dataset, selection, "report-keywords")
    keywords = cache.get(key)
    if keywords is None:
        # Personal data never becomes words of the cloud (open_answers strips it).
        texts, _indices, _questions = open_answers.open_answers(dataset, selection)
        found = text.summarise_answers(texts, top=KEYWORDS_KEPT).keywords if texts else ()
        keywords = [[k.word, k.count] for k in found]
        cache.set(key, keywords, open_answers.CACHE_SECONDS)
    text_questions = [q for q in campaign.questionnaire.layout().questions if q.kind == QuestionKind.TEXT]
    # One query for all questions, not two per question.
    by_question = {q.pk: {"count": 0, "answers": []} for q in text_questions}
    if text_questions:
        for _response, question_id, answer_text in open_answers.analysed_answers(
            dataset, selection, questions=text_questions
        ):
            listed = by_question[question_id]
            listed["count"] += 1
            if len(listed["answers"]) < OPEN_ANSWERS_KEPT:
                listed["answers"].append(answer_text)
    questions = [{"code": q.code, "text": q.text, **by_question[q.pk]} for q in text_questions]
    return {
        "questions": questions,
        "keywords": keywords,
    }
