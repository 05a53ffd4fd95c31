"""What one evidence pack covers: a period (from–to, local dates) and an organisation unit, as
one user may see them (issue 19 point 6).

The unit rule is organisation/access.py's: a region's staff choose their region or a unit below
it and every figure covers only that unit's subtree; a user who sees everything may also choose
the whole company (no unit), whose figures include the rows of no unit. `Scope.limit` narrows a
queryset accordingly, and `ScopeMeasures` reads the evaluation's indicator rules
(evaluation/measures.py: survey index, satisfied rate, response rate, complaint rate, SLA
compliance, callback satisfaction, inspection scores) over the scope instead of one unit, the
way EmployeeMeasures reads them over one employee: the rules themselves are not restated here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from manyi.campaigns.models import Campaign
from manyi.evaluation.measures import UnitMeasures
from manyi.organisation.access import sees_everything, visible_unit_ids, visible_units
from manyi.organisation.models import Unit
from manyi.results.filters import Selection
from manyi.tickets.statistics import default_selection


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included (local dates)."""

    start: date
    end: date

    # The names period_bounds() reads from an evaluation scheme.
    @property
    def period_start(self):
        return self.start

    @property
    def period_end(self):
        return self.end

    @property
    def days(self):
        return (self.end - self.start).days + 1

    def previous(self):
        """The period just before this one, as long: as many whole months when the period is
        whole months (2025 → 2024, a quarter → the quarter before), else as many days."""
        end = self.start - timedelta(days=1)
        months = self.whole_months()
        if months:
            first = self.start.year * 12 + self.start.month - 1 - months
            return Period(date(first // 12, first % 12 + 1, 1), end)
        return Period(end - timedelta(days=self.days - 1), end)

    def whole_months(self):
        """How many calendar months the period spans when it runs from a first to a last day of
        a month (0 otherwise)."""
        if self.start.day != 1 or (self.end + timedelta(days=1)).day != 1:
            return 0
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @classmethod
    def default(cls, today=None):
        """The last twelve months up to today, as the ticket statistics page's default."""
        chosen = default_selection(today)
        return cls(chosen.start, chosen.end)


def choosable_units(user):
    """The units the user may make a pack for: those they see (inactive ones included: an audit
    may cover a project closed since), in tree order."""
    units = visible_units(user)
    return (Unit.objects.all() if units is None else units).order_by("path")


def may_choose_whole_company(user):
    return sees_everything(user)


@dataclass(frozen=True)
class Scope:
    """The rows a pack covers: `unit`'s subtree (None: the whole company) among the units the
    reader sees (`units`: None = every unit)."""

    unit: Unit | None
    units: frozenset | None

    @classmethod
    def for_user(cls, user, unit):
        """The scope of `unit` for `user`; ValueError when the user may not choose it."""
        units = visible_unit_ids(user)
        if unit is None and units is not None:
            raise ValueError("a unit-bound user chooses a unit")
        if unit is not None and units is not None and unit.pk not in units:
            raise ValueError("a unit the user does not see")
        return cls(unit, units)

    @property
    def unit_id(self):
        return self.unit.pk if self.unit is not None else None

    def subtree(self):
        units = Unit.objects.within(self.unit) if self.unit is not None else Unit.objects.all()
        if self.units is not None:
            units = units.filter(pk__in=sorted(self.units))
        return units

    def limit(self, queryset, field="unit"):
        """The rows of `queryset` whose `field` (a lookup to a Unit) lies in the scope; for the
        whole company, every row (those of no unit too)."""
        if self.unit is None and self.units is None:
            return queryset
        return queryset.filter(**{f"{field}__in": self.subtree()})

    def selection(self, period):
        """The survey answers' selection (results.filters) of the scope's customers in the
        period: what the campaign dashboard shows with the same unit and dates chosen."""
        return Selection(unit=self.unit_id, units=self.units, date_from=period.start, date_to=period.end)


@dataclass(frozen=True)
class Ask:
    """What UnitMeasures.measure reads of an indicator: its kind and its campaigns."""

    kind: str
    campaigns: object  # a queryset of campaigns


class ScopeMeasures(UnitMeasures):
    """The evaluation's measures over a Scope and a Period (module docstring)."""

    def __init__(self, period, now=None):
        super().__init__(period, now)
        self.period = period

    def members(self, scope):
        """The unit ids whose rows the scope adds up; for the whole company also the rows of no
        unit (None)."""
        key = ("scope", scope.unit_id, scope.units)
        if key not in self._members:
            ids = set(scope.subtree().values_list("pk", flat=True))
            self._members[key] = ids | {None} if scope.unit is None and scope.units is None else ids
        return self._members[key]

    def _selection(self, scope):
        return scope.selection(self.period)

    def of(self, kind, scope, campaigns=None):
        return self.measure(Ask(kind, campaigns if campaigns is not None else Campaign.objects.none()), scope)
