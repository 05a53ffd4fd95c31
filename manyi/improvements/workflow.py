"""The life of an improvement action as an explicit state machine (REQUIREMENTS §8).

    planned → in progress → done → verified effective → closed
                              ↘ not effective → in progress (worked on again) or closed
    cancelled, with a reason, from any status before closing.

Who may do what is the one table ``TRANSITIONS``: the owner (a handler with
``improvements.work``) carries the improvement out; whoever may manage improvements
(supervisors, administrators) raises, verifies, closes and cancels, and may also do the
owner's steps. Every change locks the row, checks role and status, saves and records an
``ImprovementEvent``; a refusal raises ``ImprovementError`` and changes nothing.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from manyi.accounts import permissions as perms
from manyi.organisation.access import may_see_unit

from .choices import SURVEY_SOURCES, EventKind, Source, Status
from .models import ImprovementAction, ImprovementEvent, ImprovementSequence
from .scores import later_waves, survey_figure, survey_targets

MAX_TEXT = 4000
MAX_TICKETS = 200


class ImprovementError(ValueError):
    """A change the improvement's status or the user's role does not allow; the message is for the user."""


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise
    sources: tuple[str, ...]
    target: str
    owner_may: bool = False  # the owner may do it (else only managers)
    note_required: bool = False


TRANSITIONS = {
    t.name: t
    for t in (
        Transition("start", gettext_lazy("Start"), (Status.PLANNED,), Status.IN_PROGRESS, owner_may=True),
        Transition(
            "complete",
            gettext_lazy("Report done"),
            (Status.IN_PROGRESS,),
            Status.DONE,
            owner_may=True,
            note_required=True,
        ),
        Transition("verify_effective", gettext_lazy("Verified effective"), (Status.DONE,), Status.EFFECTIVE),
        Transition(
            "verify_not_effective",
            gettext_lazy("Not effective"),
            (Status.DONE,),
            Status.NOT_EFFECTIVE,
            note_required=True,
        ),
        Transition(
            "rework",
            gettext_lazy("Work on it again"),
            (Status.NOT_EFFECTIVE,),
            Status.IN_PROGRESS,
            owner_may=True,
        ),
        Transition("close", gettext_lazy("Close"), (Status.EFFECTIVE, Status.NOT_EFFECTIVE), Status.CLOSED),
        Transition(
            "cancel",
            gettext_lazy("Cancel the improvement"),
            (Status.PLANNED, Status.IN_PROGRESS, Status.DONE, Status.NOT_EFFECTIVE),
            Status.CANCELLED,
            note_required=True,
        ),
    )
}

# What the owner may change; the rest (title, owner, deadline, source …) is the manager's.
OWNER_FIELDS = ("root_cause", "measures", "evidence", "expected_effect", "customer_message")
MANAGER_FIELDS = (
    "title",
    "problem",
    "owner",
    "department",
    "deadline",
    "target_score",
    *OWNER_FIELDS,
)
EDITABLE_STATUSES = (Status.PLANNED, Status.IN_PROGRESS, Status.DONE, Status.NOT_EFFECTIVE, Status.EFFECTIVE)


# --------------------------------------------------------------------------- checks


def may_manage(user):
    return user is not None and user.is_authenticated and user.can(perms.MANAGE_IMPROVEMENTS)


def is_owner_at_work(improvement, user):
    return (
        user is not None
        and user.is_authenticated
        and user.can(perms.WORK_IMPROVEMENTS)
        and user.pk == improvement.owner_id
    )


def may_edit(improvement, user):
    """Managers edit any improvement; an owner edits their own (the owner's fields only)."""
    if improvement.status not in EDITABLE_STATUSES:
        return False
    return may_manage(user) or is_owner_at_work(improvement, user)


def refusal(improvement, user, name):
    """Why ``user`` may not apply transition ``name`` now (None: allowed)."""
    transition = TRANSITIONS[name]
    if not (may_manage(user) or (transition.owner_may and is_owner_at_work(improvement, user))):
        if (
            transition.owner_may
            and user is not None
            and user.is_authenticated
            and user.can(perms.WORK_IMPROVEMENTS)
        ):
            return _("Only the owner of this improvement may do “%(action)s”.") % {"action": transition.label}
        return _("Your role does not allow “%(action)s”.") % {"action": transition.label}
    if improvement.status not in transition.sources:
        return _("An improvement that is “%(status)s” cannot be changed by “%(action)s”.") % {
            "status": improvement.get_status_display(),
            "action": transition.label,
        }
    return None


def allowed_transitions(improvement, user):
    return [t for name, t in TRANSITIONS.items() if refusal(improvement, user, name) is None]


def _text(value, *, required=False, what=None, limit=MAX_TEXT):
    value = (value or "").strip()
    if required and not value:
        raise ImprovementError(what or _("Give a reason."))
    if len(value) > limit:
        raise ImprovementError(_("Keep the text under %(count)s characters.") % {"count": limit})
    return value


def _record(improvement, by, kind, from_status, to_status, note, now):
    return ImprovementEvent.objects.create(
        improvement=improvement,
        by=by,
        at=now,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )


def _refresh(improvement, locked):
    for field in ImprovementAction._meta.concrete_fields:
        setattr(improvement, field.attname, getattr(locked, field.attname))


def _check_owner(owner):
    if owner is None or not owner.is_active:
        raise ImprovementError(_("Choose an active owner."))
    if not (owner.can(perms.WORK_IMPROVEMENTS) or owner.can(perms.MANAGE_IMPROVEMENTS)):
        raise ImprovementError(_("The owner must be someone who may carry out improvements."))


def _check_owner_unit(owner, unit):
    """The owner sees the improvement by its organisation unit (organisation/access.py): one of
    the unit's staff, or of a unit above it; another region's staff would read it through it."""
    if not may_see_unit(owner, unit, shared=True):
        raise ImprovementError(
            _("The owner must work in the improvement's organisation unit or a unit above it.")
        )


def _check_deadline(deadline, now, previous=None):
    if deadline is None:
        raise ImprovementError(_("Give a deadline."))
    if deadline != previous and deadline < timezone.localdate(now):
        raise ImprovementError(_("The deadline must be today or later."))


def _check_score(value):
    if value is not None and not (0 <= value <= 100):
        raise ImprovementError(_("A score is between 0 and 100."))


def _check_department(department):
    if department is not None and not department.is_active:
        raise ImprovementError(_("Choose an active department."))


# The texts a user must write, with the message for a blank one and the longest allowed; the
# other texts (root cause, evidence, expected effect, message to customers) may stay blank.
REQUIRED_TEXTS = {
    "title": (gettext_lazy("Give the improvement a title."), 200),
    "problem": (gettext_lazy("Describe the problem."), MAX_TEXT),
    "measures": (gettext_lazy("Describe the planned measures."), MAX_TEXT),
}


def _cleaned(name, value, now, previous_deadline=None):
    """A field's value checked by its rule, the same when raising and when editing."""
    if name in REQUIRED_TEXTS:
        what, limit = REQUIRED_TEXTS[name]
        return _text(value, required=True, what=str(what), limit=limit)
    if name in ("root_cause", "evidence", "expected_effect", "customer_message"):
        return _text(value)
    if name == "owner":
        _check_owner(value)
    elif name == "department":
        _check_department(value)
    elif name == "deadline":
        _check_deadline(value, now, previous=previous_deadline)
    elif name == "target_score":
        _check_score(value)
    return value


def _checked_tickets(tickets, source):
    """The tickets, each once: at most MAX_TICKETS, at least one for an improvement raised from tickets."""
    tickets = list(dict.fromkeys(tickets))
    if len(tickets) > MAX_TICKETS:
        raise ImprovementError(_("Link at most %(count)s tickets.") % {"count": MAX_TICKETS})
    if source == Source.TICKETS and not tickets:
        raise ImprovementError(_("Link at least one ticket."))
    return tickets


# --------------------------------------------------------------------------- raising


def raise_improvement(
    *,
    by,
    title,
    problem,
    measures,
    owner,
    deadline,
    source=Source.OTHER,
    department=None,
    category=None,
    campaign=None,
    item_key="",
    tickets=(),
    root_cause="",
    expected_effect="",
    target_score=None,
    unit=None,
    now=None,
):
    """Record a new improvement action; the survey source's current score becomes the baseline.
    ``unit``: the organisation unit it is for (improvement_unit)."""
    now = now or timezone.now()
    if not may_manage(by):
        raise ImprovementError(_("Your role does not allow raising improvements."))
    texts = {
        name: _cleaned(name, value, now)
        for name, value in (
            ("title", title),
            ("problem", problem),
            ("measures", measures),
            ("root_cause", root_cause),
            ("expected_effect", expected_effect),
        )
    }
    if source not in Source.values:
        raise ImprovementError(_("Choose where the improvement comes from."))
    for name, value in (("owner", owner), ("deadline", deadline), ("target_score", target_score)):
        _cleaned(name, value, now)
    _check_department(department)
    tickets = _checked_tickets(tickets, source)
    if source == Source.CATEGORY and category is None:
        raise ImprovementError(_("Choose the complaint category."))
    item_label, baseline = "", None
    if source in SURVEY_SOURCES:
        _check_campaign(by, campaign)
        unit = improvement_unit(by, unit, campaign)
        item_key, item_label, baseline = _survey_baseline(campaign, source, item_key, unit)
        category = None
    else:
        campaign, item_key = None, ""
        unit = improvement_unit(by, unit)
    _check_owner_unit(owner, unit)
    improvement = ImprovementAction(
        **texts,
        source=source,
        category=category,
        campaign=campaign,
        item_key=item_key,
        item_label=item_label[:300],
        baseline_score=baseline,
        target_score=target_score,
        owner=owner,
        department=department or owner.department,
        deadline=deadline,
        unit=unit,
        created_by=by,
        created_at=now,
    )
    with transaction.atomic():
        improvement.reference = ImprovementSequence.next_reference(timezone.localtime(now).year)
        improvement.save()
        if tickets:
            improvement.tickets.set(tickets)
        note = ", ".join(t.reference for t in tickets[:20])
        _record(improvement, by, EventKind.CREATED, "", Status.PLANNED, note, now)
    return improvement


def improvement_unit(by, unit, campaign=None):
    """The organisation unit an improvement is for: the one chosen, if ``by`` sees it; else the
    survey campaign's; else a region's staff's own unit (their improvement is their region's,
    not the whole company's); else none, the whole company's (organisation/access.py)."""
    from manyi.organisation.access import may_see_unit, sees_everything

    if unit is not None:
        if not may_see_unit(by, unit):
            raise ImprovementError(_("Choose one of the listed organisation units."))
        return unit
    if campaign is not None and campaign.unit_id is not None:
        return campaign.unit
    return None if sees_everything(by) else by.unit


def _check_campaign(by, campaign):
    from manyi.campaigns.models import Campaign

    if campaign is not None and not Campaign.objects.for_user(by).filter(pk=campaign.pk).exists():
        raise ImprovementError(_("Choose the survey campaign."))  # another unit's: not one to choose


def _survey_baseline(campaign, source, item_key, unit=None):
    """(item key, its label, its current score) of the survey item or dimension an improvement
    is raised from; the score over the improvement's unit's answers (survey_figure)."""
    if campaign is None:
        raise ImprovementError(_("Choose the survey campaign."))
    item_key = (item_key or "").strip()
    figure = survey_figure(campaign, source, item_key, unit)
    if figure is None:
        choices = ", ".join(survey_targets(campaign)[source]) or "—"
        raise ImprovementError(
            _("The campaign has no item or dimension “%(key)s”. Choose one of: %(choices)s.")
            % {"key": item_key, "choices": choices}
        )
    return item_key, figure.label, figure.score


# --------------------------------------------------------------------------- editing


def update_improvement(improvement, by, changes, *, tickets=None, now=None):
    """Change fields (``changes``: name → value) and, for managers, the linked tickets.

    Owners may change only ``OWNER_FIELDS``; a field outside what the user may change is
    refused as a whole. Records one event naming what changed.
    """
    now = now or timezone.now()
    manager = may_manage(by)
    if not may_edit(improvement, by):
        if improvement.status not in EDITABLE_STATUSES:
            raise ImprovementError(_("A closed or cancelled improvement cannot be changed."))
        raise ImprovementError(_("Only the owner or a manager may change this improvement."))
    allowed = MANAGER_FIELDS if manager else OWNER_FIELDS
    unknown = set(changes) - set(allowed)
    if unknown or (tickets is not None and not manager):
        raise ImprovementError(_("Your role does not allow changing these fields."))
    cleaned = {name: _cleaned(name, value, now, improvement.deadline) for name, value in changes.items()}
    if "owner" in cleaned:
        _check_owner_unit(cleaned["owner"], improvement.unit_id)
    if tickets is not None:
        tickets = _checked_tickets(tickets, improvement.source)
    with transaction.atomic():
        locked = ImprovementAction.objects.select_for_update().get(pk=improvement.pk)
        if not may_edit(locked, by):
            raise ImprovementError(_("A closed or cancelled improvement cannot be changed."))
        labels = _apply_changes(locked, cleaned, tickets)
        if not labels:
            return improvement
        _record(locked, by, EventKind.EDITED, locked.status, locked.status, "、".join(labels), now)
    _refresh(improvement, locked)
    return improvement


def _apply_changes(locked, cleaned, tickets):
    """Save the fields whose value changes and set the tickets if they change; the labels of
    what changed (none: nothing to record)."""
    changed = [name for name, value in cleaned.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, cleaned[name])
    labels = [str(ImprovementAction._meta.get_field(name).verbose_name) for name in changed]
    if tickets is not None:
        before = set(locked.tickets.values_list("pk", flat=True))
        if before != {t.pk for t in tickets}:
            locked.tickets.set(tickets)
            labels.append(str(ImprovementAction._meta.get_field("tickets").verbose_name))
    if changed:
        locked.save(update_fields=changed)
    return labels


def link_ticket(improvement, by, ticket, now=None):
    """Add one ticket (raising an existing improvement from a ticket)."""
    current = list(improvement.tickets.all())
    if ticket in current:
        return improvement
    return update_improvement(improvement, by, {}, tickets=[*current, ticket], now=now)


# --------------------------------------------------------------------------- transitions


def apply(improvement, by, name, note="", now=None):
    """Apply transition ``name`` with its note (evidence, reason); returns the improvement."""
    if name not in TRANSITIONS:
        raise ImprovementError(_("Unknown action."))
    now = now or timezone.now()
    transition = TRANSITIONS[name]
    what = {
        "complete": _("Describe what was done (the evidence)."),
        "verify_not_effective": _("Say why the improvement did not work."),
        "cancel": _("Give the reason for cancelling."),
    }.get(name)
    note = _text(note, required=transition.note_required, what=what)
    with transaction.atomic():
        locked = ImprovementAction.objects.select_for_update().get(pk=improvement.pk)
        reason = refusal(locked, by, name)
        if reason:
            raise ImprovementError(reason)
        from_status = locked.status
        fields = ["status"]
        if name == "start" and locked.started_at is None:
            locked.started_at = now
            fields.append("started_at")
        elif name == "complete":
            locked.done_at = now
            locked.evidence = "\n\n".join(filter(None, (locked.evidence, note)))
            fields += ["done_at", "evidence"]
        elif name in ("verify_effective", "verify_not_effective"):
            locked.verified_at = now
            fields.append("verified_at")
        elif name == "rework":
            locked.done_at = locked.verified_at = None
            fields += ["done_at", "verified_at"]
        elif name == "close":
            locked.closed_at = now
            fields.append("closed_at")
        elif name == "cancel":
            locked.cancel_reason = note
            fields.append("cancel_reason")
        locked.status = transition.target
        locked.save(update_fields=fields)
        _record(locked, by, EventKind.TRANSITION, from_status, locked.status, note, now)
    _refresh(improvement, locked)
    return improvement


# --------------------------------------------------------------------------- effect


def record_effect(improvement, by, *, campaign=None, note="", now=None):
    """The measured effect: the same item's score in a later wave, and/or a description.

    Managers record it once the work is done (done, verified or not effective).
    """
    now = now or timezone.now()
    if not may_manage(by):
        raise ImprovementError(_("Your role does not allow recording the effect."))
    if improvement.status not in (Status.DONE, Status.EFFECTIVE, Status.NOT_EFFECTIVE, Status.CLOSED):
        raise ImprovementError(_("The effect is measured once the improvement is done."))
    note = _text(note)
    score = None
    if campaign is not None:
        score = _measured_score(improvement, campaign)
    elif not note:
        raise ImprovementError(_("Choose the later wave or describe the effect."))
    with transaction.atomic():
        locked = ImprovementAction.objects.select_for_update().get(pk=improvement.pk)
        fields = []
        if campaign is not None:
            locked.measured_campaign, locked.measured_score = campaign, score
            fields += ["measured_campaign", "measured_score"]
        if note:
            locked.measured_effect = note
            fields.append("measured_effect")
        locked.save(update_fields=fields)
        text = note
        if score is not None:
            measured = _("%(campaign)s: %(score).1f") % {"campaign": campaign.name, "score": score}
            text = " ".join(filter(None, (measured, note)))
        _record(locked, by, EventKind.MEASURED, locked.status, locked.status, text, now)
    _refresh(improvement, locked)
    return improvement


def _measured_score(improvement, campaign):
    """The improvement's survey item's score in a later wave ``campaign``."""
    if improvement.source not in SURVEY_SOURCES:
        raise ImprovementError(_("Only an improvement raised from a survey has a score to compare."))
    if campaign.pk == improvement.campaign_id:
        raise ImprovementError(_("Choose a later wave, not the campaign the problem was found in."))
    figure = survey_figure(campaign, improvement.source, improvement.item_key, improvement.unit)
    if figure is None:
        raise ImprovementError(
            _("That campaign does not ask about “%(item)s”.") % {"item": improvement.item_label}
        )
    if figure.score is None:
        raise ImprovementError(_("Nobody has answered that item in that campaign yet."))
    return figure.score


def suggested_waves(improvement):
    """Later waves of the source campaign's series, where the effect can be measured."""
    if improvement.source not in SURVEY_SOURCES:
        return []
    return later_waves(improvement.campaign)
