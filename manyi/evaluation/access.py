"""Who sees which evaluation result and which reward or penalty (issue 19 point 3).

- A unit's result: whoever holds evaluation.view and sees the unit (organisation/access.py: a
  region's staff see their region's subtree, never another region's scores; the group sees all).
- An employee's own result: the employee, and whoever holds evaluation.view_staff and sees the
  employee's unit (their managers).
- A reward or penalty: visible with its result — to the managers of the unit (who see its
  subtree) — and to the person concerned, on their own result page, even when their unit does
  not cover the result's unit.
"""

from django.db.models import Q

from manyi.accounts import permissions as perms
from manyi.organisation.access import limit_to_units, may_see_unit, visible_unit_ids

from .models import EvaluationResult, RewardPenalty


def visible_results(user, queryset=None):
    queryset = EvaluationResult.objects.all() if queryset is None else queryset
    return limit_to_units(queryset, user, "unit")


def visible_employee_results(user, queryset):
    """Employees' own results: their own, and those of their unit's subtree for their managers
    (evaluation.view_staff)."""
    if not user.can(perms.VIEW_STAFF_EVALUATION):
        return queryset.filter(employee=user)
    ids = visible_unit_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(Q(unit_id__in=sorted(ids)) | Q(employee=user))


def may_see_unit_result(user, result):
    """The scores and all the rewards: for a unit's result the managers of the unit (its
    subtree); for an employee's, the employee and their managers."""
    if result.employee_id:
        if result.employee_id == user.pk:
            return True
        return user.can(perms.VIEW_STAFF_EVALUATION) and may_see_unit(user, result.unit)
    return may_see_unit(user, result.unit)


def may_see_result(user, result):
    if may_see_unit_result(user, result):
        return True
    return result.rewards.filter(person=user).exists()


def visible_rewards(user, queryset=None):
    queryset = RewardPenalty.objects.all() if queryset is None else queryset
    ids = visible_unit_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(Q(result__unit_id__in=sorted(ids)) | Q(person=user))
