"""Computing, publishing and correcting an evaluation scheme.

`compute` stores a draft's results (again at every call); `publish` computes them a last time and
freezes them: a published scheme's results are never recomputed and its indicators never
edited. `correct` starts a new draft version (indicators and campaigns copied, `previous` linked);
publishing it marks the version it corrects superseded (kept, with its results and rewards).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from manyi.organisation.models import Unit

from . import scoring
from .choices import EMPLOYEE_KINDS, Direction, SchemeStatus
from .measures import EmployeeMeasures, UnitMeasures
from .models import EvaluationResult, EvaluationScheme


class EvaluationError(Exception):
    """A refused step, with a message for the user; nothing changed."""


def evaluated_units(indicators):
    """The active units below the group (not the root) whose kind some indicator applies to."""
    units = Unit.objects.filter(is_active=True, parent__isnull=False).order_by("path")
    return [unit for unit in units if any(indicator.applies_to(unit) for indicator in indicators)]


def last_period(scheme):
    """The published scheme of the period before (ended before this one starts), or None."""
    return (
        EvaluationScheme.objects.filter(status=SchemeStatus.PUBLISHED, period_end__lt=scheme.period_start)
        .order_by("-period_end", "-version")
        .first()
    )


def _last_values(scheme):
    previous = last_period(scheme)
    if previous is None:
        return {}, {}
    results = list(previous.results.all())
    totals = {_key(result): result.total for result in results}
    values = {(_key(result), part["kind"]): part["value"] for result in results for part in result.breakdown}
    return totals, values


def _key(result):
    """Whose result it is, the same from one period to the next."""
    return ("employee", result.employee_id) if result.employee_id else ("unit", result.unit_id)


def unit_breakdown(indicators, unit, measures, last_values, key=None):
    """The per-indicator rows of one unit (or, with measures for employees, one employee: then
    `indicators` are those that apply to people) and its weighted total (scoring's rules)."""
    rows = []
    key = key or ("unit", unit.pk)
    for indicator in indicators:
        if key[0] == "unit" and not indicator.applies_to(unit):
            continue
        measure = measures.measure(indicator, unit)
        higher = indicator.direction == Direction.HIGHER
        score = scoring.indicator_score(measure.value, indicator.target, higher)
        rows.append(
            {
                "indicator": indicator.pk,
                "kind": indicator.kind,
                "direction": indicator.direction,
                "weight": indicator.weight,
                "target": indicator.target,
                **measure.as_dict(),
                "score": score,
                "met": scoring.target_met(measure.value, indicator.target, higher),
                "last_value": last_values.get((key, indicator.kind)),
            }
        )
    weighted = scoring.weighted_total((row["weight"], row["score"]) for row in rows)
    for row in rows:
        row["used_weight"] = row["weight"] / weighted.weight_used if row["score"] is not None else 0
    return rows, weighted


@transaction.atomic
def compute(given, now=None):
    """Store the draft's results per unit (replacing the last computation)."""
    scheme = EvaluationScheme.objects.select_for_update().get(pk=given.pk)
    if not scheme.is_editable:
        raise EvaluationError(_("A published scheme's results are frozen; correct it as a new version."))
    indicators = list(scheme.indicators.prefetch_related("campaigns"))
    if not indicators:
        raise EvaluationError(_("Add at least one indicator before computing the results."))
    measures = UnitMeasures(scheme, now)
    last_totals, last_values = _last_values(scheme)
    scheme.results.all().delete()
    results = []
    for unit in evaluated_units(indicators):
        rows, weighted = unit_breakdown(indicators, unit, measures, last_values)
        results.append(_result(scheme, rows, weighted, last_totals, unit=unit))
    results += _employee_results(scheme, indicators, now, last_totals, last_values)
    _rank(results)
    EvaluationResult.objects.bulk_create(results)
    scheme.computed_at = now or timezone.now()
    scheme.save(update_fields=["computed_at"])
    given.refresh_from_db()
    return scheme


def _result(scheme, rows, weighted, last_totals, unit, employee=None):
    counted = [row for row in rows if row["met"] is not None]
    key = ("employee", employee.pk) if employee else ("unit", unit.pk)
    return EvaluationResult(
        scheme=scheme,
        unit=unit,
        employee=employee,
        total=weighted.total,
        targets_met=sum(1 for row in counted if row["met"]),
        targets_counted=len(counted),
        previous_total=last_totals.get(key),
        breakdown=rows,
    )


def _employee_results(scheme, indicators, now, last_totals, last_values):
    """Every active employee with data on an indicator that applies to people (EMPLOYEE_KINDS)."""
    personal = [indicator for indicator in indicators if indicator.kind in EMPLOYEE_KINDS]
    if not personal:
        return []
    measures = EmployeeMeasures(scheme, now)
    results = []
    for employee in (
        get_user_model().objects.filter(is_active=True).select_related("unit").order_by("username")
    ):
        key = ("employee", employee.pk)
        rows, weighted = unit_breakdown(personal, employee, measures, last_values, key=key)
        if weighted.total is not None:
            results.append(
                _result(scheme, rows, weighted, last_totals, unit=employee.unit, employee=employee)
            )
    return results


def _rank(results):
    by_kind = {}
    for result in results:
        group = "employee" if result.employee_id or result.employee else result.unit.kind
        by_kind.setdefault(group, []).append(result)
    for group in by_kind.values():
        # compared to two decimals: totals that print alike rank alike (no float noise)
        totals = {id(result): None if result.total is None else round(result.total, 2) for result in group}
        ranks = scoring.competition_ranks(totals)
        ranked = sum(1 for result in group if result.total is not None)
        for result in group:
            result.rank = ranks.get(id(result))
            result.ranked_among = ranked


@transaction.atomic
def publish(given, by, now=None):
    """Compute a last time and freeze; the version this one corrects becomes superseded."""
    now = now or timezone.now()
    scheme = compute(given, now)
    scheme.status = SchemeStatus.PUBLISHED
    scheme.published_at = now
    scheme.published_by = by
    scheme.save(update_fields=["status", "published_at", "published_by"])
    if scheme.previous_id:
        EvaluationScheme.objects.filter(pk=scheme.previous_id).update(status=SchemeStatus.SUPERSEDED)
    given.refresh_from_db()
    return scheme


@transaction.atomic
def correct(scheme, by):
    """A new draft version of a published scheme, its indicators copied."""
    if scheme.status != SchemeStatus.PUBLISHED:
        raise EvaluationError(_("Only the published version of a scheme can be corrected."))
    if scheme.corrections.filter(status=SchemeStatus.DRAFT).exists():
        raise EvaluationError(_("A corrected version of this scheme is already being drafted."))
    draft = EvaluationScheme.objects.create(
        name=scheme.name,
        period_start=scheme.period_start,
        period_end=scheme.period_end,
        version=scheme.version + 1,
        previous=scheme,
        created_by=by,
    )
    for indicator in scheme.indicators.prefetch_related("campaigns"):
        campaigns = list(indicator.campaigns.all())
        indicator.pk = None
        indicator.scheme = draft
        indicator.save()
        indicator.campaigns.set(campaigns)
    return draft
