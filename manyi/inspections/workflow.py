"""What may be done to inspections and checklists, and the one place it is done.

Every verb checks who may (``access.InspectionScope``) and the state, changes nothing when it
refuses (``InspectionError`` with a message for the user) and saves everything or nothing.

    template   draft ──activate──▶ in use ──(a newer version activated)──▶ archived
               frozen once an inspection uses it; a correction is ``new_version`` (a draft copy)
    inspection planned ──save──▶ in progress ──submit──▶ submitted ──review──▶ reviewed
               planned / in progress ──cancel──▶ cancelled

Submitting scores it (``scoring.weighted_score``) and makes a ``Finding`` of every failed item
(less than its maximum). Reviewing opens, for each finding, a feedback ticket of the category
"inspection finding" through ``tickets.workflow.open_ticket``: its corrective actions (owner,
deadline, done, verified) are the tickets' own, planned and verified on the ticket page by the
tickets' rules (``tickets/workflow.py``), never restated here. A re-inspection
(``plan_follow_up``) asks the items of the open findings again; reviewing it closes each
finding whose item now passes and records the result on its ticket, where it also verifies the
actions reported done (effective when the item passes, not effective when it fails) through
``tickets.workflow.verify_action`` when the reviewer may verify actions.
"""

from datetime import date

from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from manyi.accounts import permissions as perms
from manyi.private_files import save_checked_files

from . import examples
from .access import InspectionScope
from .choices import (
    OPEN_INSPECTION_STATUSES,
    Answer,
    FindingStatus,
    InspectionStatus,
    TemplateStatus,
)
from .models import (
    ChecklistSection,
    ChecklistTemplate,
    Finding,
    Inspection,
    ItemPhoto,
    ItemResult,
)

MAX_TEXT = 4000
FINDING_CATEGORY = examples.FINDING_CATEGORY["code"]
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")


class InspectionError(ValueError):
    """A change the state or the user's role does not allow; the message is for the user."""


def _text(value, *, required=False, what=None):
    value = (value or "").strip()
    if required and not value:
        raise InspectionError(what or _("This field is required."))
    if len(value) > MAX_TEXT:
        raise InspectionError(_("Keep the text under %(count)s characters.") % {"count": MAX_TEXT})
    if "\x00" in value:  # PostgreSQL stores no NUL character (a 500 otherwise)
        raise InspectionError(_("Text must not contain the NUL character."))
    return value


# --------------------------------------------------------------------------- checklists


def _managing(by):
    if not InspectionScope(by).manages:
        raise InspectionError(_("Your role does not allow changing checklists."))


def _editable(template):
    if not template.is_editable():
        raise InspectionError(
            _("This checklist has been used or replaced and is frozen; make a new version to change it.")
        )


def add_section(template, by, *, title, title_en=""):
    _managing(by)
    _editable(template)
    title = _text(title, required=True, what=_("Give the section a title."))[:200]
    position = template.sections.count() + 1
    return ChecklistSection.objects.create(
        template=template, title=title, title_en=_text(title_en)[:200], position=position
    )


def save_item(item, by):
    """Save an item (new or changed; fields set by the form) of an editable checklist."""
    _managing(by)
    _editable(item.section.template)
    if item.pk is None:
        item.position = item.section.items.count() + 1
    item.save()
    return item


def delete_item(item, by):
    _managing(by)
    _editable(item.section.template)
    item.delete()


def activate(template, by):
    """A draft goes into use: inspections may be assigned with it; an earlier version in use is
    archived (its inspections keep it)."""
    _managing(by)
    if template.status != TemplateStatus.DRAFT:
        raise InspectionError(_("Only a draft can be put into use."))
    if not template.items().exists():
        raise InspectionError(_("Add at least one item before putting the checklist into use."))
    with transaction.atomic():
        ChecklistTemplate.objects.filter(code=template.code, status=TemplateStatus.ACTIVE).update(
            status=TemplateStatus.ARCHIVED
        )
        template.status = TemplateStatus.ACTIVE
        template.save(update_fields=["status"])
    return template


def new_version(template, by):
    """A draft copy with the next version number, sections and items included."""
    _managing(by)
    if ChecklistTemplate.objects.filter(code=template.code, status=TemplateStatus.DRAFT).exists():
        raise InspectionError(_("A draft of this checklist exists already; edit that one."))
    with transaction.atomic():
        last = ChecklistTemplate.objects.filter(code=template.code).order_by("-version").first()
        copy = ChecklistTemplate.objects.create(
            code=template.code,
            version=last.version + 1,
            kind=template.kind,
            name=template.name,
            name_en=template.name_en,
            description=template.description,
            status=TemplateStatus.DRAFT,
            created_by=by,
        )
        for section in template.sections.all():
            items = list(section.items.all())
            section.pk, section.template = None, copy
            section.save()
            for item in items:
                item.pk, item.section = None, section
                item.save()
    return copy


# --------------------------------------------------------------------------- assignments


def _check_assignment(scope, unit, inspector, due_on, now):
    if not scope.may_plan_for(unit):
        raise InspectionError(_("Choose a unit you may plan inspections for."))
    if inspector is None or not inspector.is_active or not inspector.can(perms.WORK_INSPECTIONS):
        raise InspectionError(_("Choose an active inspector."))
    if due_on is None or due_on < timezone.localdate(now):
        raise InspectionError(_("The due date must be today or later."))


def plan(*, by, template, unit, inspector, due_on, instructions="", now=None):
    """Assign an inspection of ``unit`` with a checklist in use to an inspector, due ``due_on``."""
    now = now or timezone.now()
    scope = InspectionScope(by)
    if not scope.manages:
        raise InspectionError(_("Your role does not allow assigning inspections."))
    if template is None or template.status != TemplateStatus.ACTIVE:
        raise InspectionError(_("Choose a checklist that is in use."))
    _check_assignment(scope, unit, inspector, due_on, now)
    with transaction.atomic():
        inspection = Inspection.objects.create(
            template=template,
            unit=unit,
            inspector=inspector,
            due_on=due_on,
            instructions=_text(instructions),
            created_by=by,
            created_at=now,
        )
        ItemResult.objects.bulk_create(
            ItemResult(inspection=inspection, item=item) for item in template.items()
        )
    return inspection


def plan_follow_up(inspection, *, by, inspector, due_on, instructions="", now=None):
    """A re-inspection (整改复查) of the items whose findings are open, same checklist and unit."""
    now = now or timezone.now()
    original = inspection.follow_up_of or inspection
    scope = InspectionScope(by)
    if not scope.may_manage(original):
        raise InspectionError(_("Your role does not allow assigning inspections."))
    if original.status != InspectionStatus.REVIEWED:
        raise InspectionError(_("Review the inspection before planning its re-inspection."))
    findings = list(original.findings.open().select_related("result__item"))
    if not findings:
        raise InspectionError(_("This inspection has no open findings to re-inspect."))
    if original.follow_ups.exclude(
        status__in=(InspectionStatus.REVIEWED, InspectionStatus.CANCELLED)
    ).exists():
        raise InspectionError(_("A re-inspection of this inspection is already under way."))
    _check_assignment(scope, original.unit, inspector, due_on, now)
    with transaction.atomic():
        follow_up = Inspection.objects.create(
            template=original.template,
            unit=original.unit,
            inspector=inspector,
            due_on=due_on,
            follow_up_of=original,
            instructions=_text(instructions),
            created_by=by,
            created_at=now,
        )
        ItemResult.objects.bulk_create(
            ItemResult(inspection=follow_up, item=finding.result.item) for finding in findings
        )
    return follow_up


def cancel(inspection, *, by, reason):
    if not InspectionScope(by).may_manage(inspection):
        raise InspectionError(_("Your role does not allow cancelling this inspection."))
    reason = _text(reason, required=True, what=_("Say why the inspection is cancelled."))
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if locked.status not in OPEN_INSPECTION_STATUSES:
            raise InspectionError(_("Only a planned or started inspection can be cancelled."))
        locked.status = InspectionStatus.CANCELLED
        locked.review_note = reason
        locked.save(update_fields=["status", "review_note"])
    inspection.status, inspection.review_note = locked.status, locked.review_note
    return inspection


# --------------------------------------------------------------------------- the inspector's form


def check_photos(checked_files):
    """Only photos are taken (the ticket checks also let PDF documents through)."""
    for checked in checked_files:
        if checked.content_type not in IMAGE_TYPES:
            raise InspectionError(
                _("“%(name)s” is not a photo (JPEG, PNG or WebP); it was not accepted.")
                % {"name": checked.name}
            )
    return checked_files


def _points_for(item, answer, points):
    """(answer, points) to store: a pass/fail item's pass is its maximum, fail 0."""
    if answer == Answer.NOT_APPLICABLE:
        return Answer.NOT_APPLICABLE, None
    if item.is_pass_fail:
        if answer == Answer.PASS:
            return Answer.PASS, item.max_points
        if answer == Answer.FAIL:
            return Answer.FAIL, 0
        return "", None
    if points is None:
        return "", None
    if points < 0 or points > item.max_points:
        raise InspectionError(
            _("“%(item)s”: give between 0 and %(max)s points.") % {"item": item.label, "max": item.max_points}
        )
    return "", points


def save_answers(inspection, *, by, answers, photos=None, summary=None, submit=False, now=None):
    """The inspector saves (and with ``submit`` hands in) their answers.

    ``answers``: {result id: (answer, points or None, note)}; ``photos``: {result id: [CheckedFile]}
    already checked by ``tickets.attachments.check_uploads``. Submitting needs every item answered,
    a note on every failed item and a photo on every failed item whose checklist asks for one.
    """
    now = now or timezone.now()
    photos = photos or {}
    scope = InspectionScope(by)
    if not scope.may_fill_in(inspection):
        raise InspectionError(_("Only the inspector can fill in this inspection while it is open."))
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if not scope.may_fill_in(locked):
            raise InspectionError(_("Only the inspector can fill in this inspection while it is open."))
        results = _answered(locked, answers, photos)
        if submit:
            _check_complete(results.values(), photos)
        for result in results.values():
            result.save(update_fields=["answer", "points", "note"])
        for pk, files in photos.items():
            if files:
                _store_photos(results[pk], files, by, now)
        _score_and_hand_in(locked, results.values(), summary, submit, now)
    for field in ("summary", "inspected_at", "score", "status", "submitted_at"):
        setattr(inspection, field, getattr(locked, field))
    return inspection


def _answered(inspection, answers, photos):
    """The inspection's results with the answers applied (not saved); refuses a form of another."""
    results = {r.pk: r for r in inspection.results.select_related("item")}
    if (set(answers) | set(photos)) - set(results):
        raise InspectionError(_("The form does not match this inspection; reload the page."))
    for pk, (answer, points, note) in answers.items():
        result = results[pk]
        result.answer, result.points = _points_for(result.item, answer, points)
        result.note = _text(note)
    for files in photos.values():
        check_photos(files)
    return results


def _score_and_hand_in(inspection, results, summary, submit, now):
    if summary is not None:
        inspection.summary = _text(summary)
    inspection.inspected_at = inspection.inspected_at or now
    inspection.score = inspection.compute_score()
    inspection.status = InspectionStatus.SUBMITTED if submit else InspectionStatus.IN_PROGRESS
    fields = ["summary", "inspected_at", "score", "status"]
    if submit:
        inspection.submitted_at = now
        fields.append("submitted_at")
        if not inspection.is_follow_up:  # a re-inspection's failures keep the first findings open
            Finding.objects.bulk_create(
                Finding(inspection=inspection, result=r, created_at=now) for r in results if r.failed
            )
    inspection.save(update_fields=fields)


def _check_complete(results, new_photos):
    problems = []
    for result in results:
        item = result.item
        if not result.is_answered:
            problems.append(_("“%(item)s” is not answered.") % {"item": item.label})
        elif result.failed:
            if not result.note:
                problems.append(_("“%(item)s” failed: say what is wrong.") % {"item": item.label})
            if item.photo_on_failure and not (new_photos.get(result.pk) or result.photos.exists()):
                problems.append(_("“%(item)s” failed: add a photo.") % {"item": item.label})
    if problems:
        raise InspectionError(" ".join(str(p) for p in problems))


def _store_photos(result, checked_files, by, now):
    return save_checked_files(
        ItemPhoto, checked_files, record=lambda rows: None, result=result, uploaded_by=by, uploaded_at=now
    )


def photo_summary(photos):
    return ", ".join(f"{p.original_name} ({filesizeformat(p.size)})" for p in photos)


# --------------------------------------------------------------------------- review


def review(inspection, *, by, note="", now=None):
    """A manager accepts a submitted inspection: the findings of an inspection become
    corrective-action tickets; a re-inspection closes the findings whose items now pass."""
    now = now or timezone.now()
    if not InspectionScope(by).may_manage(inspection):
        raise InspectionError(_("Your role does not allow reviewing this inspection."))
    note = _text(note)
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if locked.status != InspectionStatus.SUBMITTED:
            raise InspectionError(_("Only a submitted inspection can be reviewed."))
        locked.status, locked.reviewed_by, locked.reviewed_at, locked.review_note = (
            InspectionStatus.REVIEWED,
            by,
            now,
            note,
        )
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        if locked.is_follow_up:
            _verify_findings(locked, by, now)
        else:
            for finding in locked.findings.filter(ticket__isnull=True).select_related("result__item"):
                open_finding_ticket(finding, by=by, now=now)
    for field in ("status", "reviewed_by", "reviewed_at", "review_note"):
        setattr(inspection, field, getattr(locked, field))
    return inspection


def finding_category():
    """The ticket category of findings (品质巡检发现): made by the first finding; None when an
    administrator has switched it off in the category tree."""
    from manyi.tickets.models import Category

    category = Category.objects.filter(code=FINDING_CATEGORY).first()
    if category is None:
        position = Category.objects.filter(parent__isnull=True).count() + 1
        category = Category.objects.create(parent=None, position=position, **examples.FINDING_CATEGORY)
    return category if category.is_active else None


def open_finding_ticket(finding, *, by, now=None):
    """The finding as a feedback ticket (no customer, found on site): the tickets' workflow takes
    it from there — assigned to the responsible department, root cause, corrective actions with
    owners and deadlines, verification."""
    from manyi.tickets.choices import Channel, Severity
    from manyi.tickets.workflow import TicketError, open_ticket

    inspection, result = finding.inspection, finding.result
    item = result.item
    lines = [
        _("%(checklist)s, %(unit)s, inspected %(date)s by %(inspector)s.")
        % {
            "checklist": inspection.template.title,
            "unit": inspection.unit,
            "date": timezone.localdate(inspection.inspected_at or now).isoformat(),
            "inspector": inspection.inspector.display_name,
        },
        _("Item: %(item)s (%(points)s of %(max)s points)")
        % {"item": item.label, "points": _number(result.points), "max": item.max_points},
        result.note,
    ]
    try:
        ticket = open_ticket(
            by=by if by is not None and by.can(perms.CREATE_TICKETS) else None,
            channel=Channel.ON_SITE,
            subject=(_("Inspection finding: %(item)s") % {"item": item.label})[:200],
            description="\n".join(line for line in lines if line),
            received_at=inspection.submitted_at or now,
            category=finding_category(),
            severity=Severity.MINOR,
            unit=inspection.unit,  # the inspected unit's staff see it (organisation.access)
            now=now,
        )
    except TicketError as error:
        raise InspectionError(str(error)) from error
    finding.ticket = ticket
    finding.save(update_fields=["ticket"])
    return ticket


def _number(value):
    if value is None:
        return "—"
    return f"{float(value):g}"


def _verify_findings(follow_up, by, now):
    """Each re-inspected item: passing closes its finding; either way the ticket hears of it."""
    from manyi.tickets.choices import ActionStatus, EventKind
    from manyi.tickets.workflow import step_refusal, verify_action

    original = follow_up.follow_up_of
    open_findings = {f.result.item_id: f for f in original.findings.open().select_related("result", "ticket")}
    for result in follow_up.results.select_related("item"):
        finding = open_findings.get(result.item_id)
        if finding is None or not result.is_answered or result.not_applicable:
            continue
        passed = not result.failed
        if passed:
            finding.status, finding.resolved_by, finding.resolved_at = FindingStatus.RESOLVED, result, now
            finding.save(update_fields=["status", "resolved_by", "resolved_at"])
        ticket = finding.ticket
        if ticket is None:
            continue
        text = (
            _("Re-inspection on %(date)s: the item passes (%(points)s of %(max)s points).")
            if passed
            else _("Re-inspection on %(date)s: the item still fails (%(points)s of %(max)s points).")
        ) % {
            "date": timezone.localdate(follow_up.inspected_at or now).isoformat(),
            "points": _number(result.points),
            "max": result.item.max_points,
        }
        ticket.record_event(EventKind.NOTE, "\n".join(filter(None, (str(text), result.note))), by=by, at=now)
        for action in ticket.actions.filter(status=ActionStatus.DONE):
            if step_refusal(action, by, "verify") is None:
                verify_action(action, by, passed, note="" if passed else str(text), now=now)


def overdue(today: date):
    return Inspection.objects.overdue(today)
