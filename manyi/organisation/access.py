"""Which organisation units a user sees: the one unit rule (issue 19, REQUIREMENTS §10), decided here.

Seed 003 / §10: "the group's customer department sees all, a region its own". So:

    the user's unit             sees the rows (customers, tickets, visits, figures …) of
    none                        every unit, and the rows of no unit (the whole company)
    a root unit (集团)           every unit, and the rows of no unit
    any other unit (区域公司)     that unit and every unit below it (its subtree) — not the rows
                                of no unit, which belong to the whole company, not to the region

A company that sets up no units sees no change: nobody has a unit, so everybody sees everything.

What a user may *do* is still the capability table (accounts/permissions.py); this rule only
narrows *which rows* the capabilities apply to. The apps' access points (Customer.objects.for_user,
Ticket.objects.for_user, visits/access.VisitScope, the campaign list, the dashboards' and reports'
selections) call these functions and never restate the rule. The lists of staff to pick from
(an owner, an assignee, an inspector, a filter by person) ask visible_people.

The organisation app sits below accounts, so a user is taken as any object with `unit_id` (and
`unit`), not imported.
"""

from django.db.models import Q

from .models import Unit


def _own_unit(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if getattr(user, "unit_id", None) is None:
        return None
    return user.unit


def sees_everything(user):
    """True for a user with no unit or with a root unit (the group): no rows are hidden by unit."""
    unit = _own_unit(user)
    return unit is None or unit.parent_id is None


def visible_units(user):
    """The units whose rows the user sees: None when they see everything (no unit, or a root
    unit); otherwise a queryset of their unit and every unit below it (inactive ones included:
    a deactivated project's history stays its region's)."""
    if sees_everything(user):
        return None
    return Unit.objects.within(_own_unit(user))


def visible_unit_ids(user):
    """visible_units(user) as a set of ids (None: everything); the subtree is small, so callers
    filter with an IN list of ids rather than a join on the path."""
    units = visible_units(user)
    if units is None:
        return None
    cached = getattr(user, "_visible_unit_ids", None)
    if cached is not None and cached[0] == user.unit_id:
        return cached[1]
    ids = frozenset(units.values_list("pk", flat=True))
    user._visible_unit_ids = (user.unit_id, ids)  # asked once a request, not once a query
    return ids


def shared_unit_ids(user):
    """The units above the user's own (its ancestors): what they run covers the user's unit
    too (a group-wide campaign asks the region's customers), so it is shown to the user, with
    only the user's own rows in it. None when the user sees everything."""
    if sees_everything(user):
        return None
    unit = _own_unit(user)
    return frozenset(int(part) for part in unit.path.strip("/").split("/")[:-1] if part)


def limit_to_units(queryset, user, field="unit", *, shared=False):
    """The rows of `queryset` the user sees by unit: those whose `field` (a lookup path to a
    Unit foreign key: "unit", "customer__unit", …) lies in visible_units(user). Unchanged for a
    user who sees everything. Rows of no unit are hidden from a unit-bound user.

    `shared`: also keep rows of no unit and of the units above the user's (a campaign the
    group runs for every region is seen by the region, which then sees only its own answers)."""
    ids = visible_unit_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(unit_condition(user, field, shared=shared))


def unit_condition(user, field="unit", *, shared=False):
    """limit_to_units as a Q object, to combine with other conditions (an empty Q keeps every
    row: the user sees everything)."""
    ids = visible_unit_ids(user)
    if ids is None:
        return Q()
    condition = Q(**{f"{field}__in": sorted(ids)})
    if shared:
        condition |= Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__in": sorted(shared_unit_ids(user))})
    return condition


def may_see_unit(user, unit, *, shared=False):
    """May the user see a row of this unit (None: of the whole company)? The yes/no form of
    limit_to_units, for one object."""
    ids = visible_unit_ids(user)
    if ids is None:
        return True
    unit_id = getattr(unit, "pk", unit)
    if unit_id is None:
        return shared
    return unit_id in ids or (shared and unit_id in shared_unit_ids(user))


def assignable_units(user):
    """The active units the user may give a customer, user, campaign or ticket: those they see
    (every active unit for a user who sees everything)."""
    units = Unit.objects.filter(is_active=True)
    ids = visible_unit_ids(user)
    return units if ids is None else units.filter(pk__in=sorted(ids))


def visible_people(user, queryset=None, *, keep=None):
    """The people (user accounts) the user may see and pick in a list of staff: those of the
    units they see, and — as with shared=True — those of no unit and of the units above the
    user's own (the group's staff, who work the region's rows too); never another region's.
    Everyone for a user who sees everything.

    `queryset`: the accounts to narrow (default: the active ones); its own conditions (a role,
    a department) are kept. `keep`: a person already chosen (a record's current owner, by id
    or object) stays listed, so a form showing the record can be saved unchanged. A form's
    ModelChoiceField validates against this queryset, so a posted id outside it is refused."""
    if queryset is None:
        from django.contrib.auth import get_user_model  # accounts sits above this app

        queryset = get_user_model().objects.filter(is_active=True)
    condition = unit_condition(user, "unit", shared=True)
    if not condition:
        return queryset
    keep = getattr(keep, "pk", keep)
    if keep is not None:
        condition |= Q(pk=keep)
    return queryset.filter(condition)
