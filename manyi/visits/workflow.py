"""What happens to a visit task: the outcomes of a call, the record, review and assignment.

    pending ─ busy ──────────→ callback (agreed time and reason) ─ … the same outcomes again
            ─ not reached ───→ pending, due the next day; on the 3rd different day: unreachable
            ─ refused ───────→ refused
            ─ cancel (supervisor, with a reason) → cancelled
            ─ done ──────────→ done + VisitRecord (submitted) ─ approve → approved
                                                                ─ return  → returned → resubmit

Every outcome is a VisitAttempt. Each verb asks the user's VisitScope (access.py) whether they
may act, locks the task row, and raises VisitError with a message for the user, changing
nothing, when refused.
"""

import datetime
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import VisitScope
from .choices import OPEN_STATUSES, PHONE_METHODS, Outcome, ReviewStatus, TaskStatus
from .models import VisitAttempt, VisitRecord, VisitTask
from .results import where_answers_go

UNREACHABLE_AFTER_DAYS = 3  # attempts on three different days, then the customer is unreachable
CALLBACK_WITHIN = datetime.timedelta(days=60)
CLOCK_SKEW = datetime.timedelta(minutes=5)
MAX_NOTE = 500


class VisitError(ValueError):
    """A change the task's state or the user's role does not allow; the message is for the user."""


def _open_task(task, by):
    """The task row, locked, if `by` may work it and it is still open."""
    locked = VisitScope(by).tasks().select_for_update().filter(pk=task.pk).first()
    if locked is None:
        raise VisitError(_("This visit is not yours to work on."))
    if locked.status not in OPEN_STATUSES:
        raise VisitError(
            _("This visit is already closed (%(status)s).") % {"status": locked.get_status_display()}
        )
    return locked


def _note(text, *, required=False, what=""):
    text = (text or "").strip()
    if required and not text:
        raise VisitError(what)
    if len(text) > MAX_NOTE:
        raise VisitError(_("Please write at most %(max)s characters.") % {"max": MAX_NOTE})
    return text


def _attempt(task, by, outcome, now, note="", callback_at=None):
    task.attempts += 1
    return VisitAttempt.objects.create(
        task=task, outcome=outcome, at=now, by=by, note=note, callback_at=callback_at
    )


def _close(task, status, now):
    task.status = status
    task.closed_at = now


def record_busy(task, *, by, callback_at, reason, now=None):
    """The customer is busy (不方便): the agreed time to call back and the reason (seed 000)."""
    now = now or timezone.now()
    reason = _note(reason, required=True, what=_("Write down why the customer could not talk now."))
    if callback_at is None or timezone.is_naive(callback_at):
        raise VisitError(_("Give the agreed callback time."))
    if callback_at <= now:
        raise VisitError(_("The callback time must be in the future."))
    if callback_at > now + CALLBACK_WITHIN:
        raise VisitError(_("The callback time must be within 60 days."))
    with transaction.atomic():
        task = _open_task(task, by)
        _attempt(task, by, Outcome.BUSY, now, reason, callback_at)
        task.status = TaskStatus.CALLBACK
        task.callback_at = callback_at
        task.callback_reason = reason
        task.due_on = timezone.localdate(callback_at)
        task.save()
    return task


def record_no_answer(task, *, by, note="", now=None):
    """Not reached: try again another day; the third different day makes it unreachable."""
    now = now or timezone.now()
    note = _note(note)
    today = timezone.localdate(now)
    with transaction.atomic():
        task = _open_task(task, by)
        _attempt(task, by, Outcome.NO_ANSWER, now, note)
        if task.last_unanswered_on != today:
            task.unanswered_days += 1
            task.last_unanswered_on = today
        if task.unanswered_days >= UNREACHABLE_AFTER_DAYS:
            _close(task, TaskStatus.UNREACHABLE, now)
        else:
            task.status = TaskStatus.PENDING
            task.callback_at = None
            task.due_on = max(task.due_on, today + datetime.timedelta(days=1))
        task.save()
    return task


def record_refused(task, *, by, reason, now=None):
    now = now or timezone.now()
    reason = _note(reason, required=True, what=_("Write down why the customer refused."))
    with transaction.atomic():
        task = _open_task(task, by)
        _attempt(task, by, Outcome.REFUSED, now, reason)
        _close(task, TaskStatus.REFUSED, now)
        task.save()
    return task


def answer_channel(method):
    from manyi.campaigns.choices import Channel

    return Channel.PHONE if method in PHONE_METHODS else Channel.VISIT


def complete(task, *, by, record, answers=None, now=None):
    """The visit took place: store the record (an unsaved VisitRecord with the form's fields),
    the questionnaire answers (cleaned data of the AnswerForm, scored like web answers; in the
    survey when they answer the customer's open invitation, else in its visit results: see
    results.py) and a DONE attempt; the record waits for the supervisor's review."""
    from manyi.campaigns.answering import save_response

    now = now or timezone.now()
    if record.visited_at is None or timezone.is_naive(record.visited_at):
        raise VisitError(_("Give the time of the visit."))
    if record.visited_at > now + CLOCK_SKEW:
        raise VisitError(_("The visit cannot have taken place in the future."))
    if answers is not None and task.campaign_id is None:
        raise VisitError(_("This visit has no questionnaire."))
    with transaction.atomic():
        task = _open_task(task, by)
        response = None
        if answers is not None:
            if (refusal := task.campaign.refusal_to_answer(now)) is not None:
                raise VisitError(refusal.label)  # the survey's rule, re-read with the locked task
            campaign, invitation = where_answers_go(
                task.campaign, task.customer_id, contact_id=task.contact_id, now=now
            )
            # One id per task: a second submit finds the stored answers instead of adding more.
            response, _created = save_response(
                campaign=campaign,
                questionnaire=campaign.questionnaire,
                cleaned_data=answers,
                channel=answer_channel(record.method),
                invitation=invitation,
                customer=task.customer,
                agent=by,
                submission_id=uuid.uuid5(uuid.NAMESPACE_URL, f"manyi-visit-task-{task.pk}"),
            )
        _attempt(task, by, Outcome.DONE, now)
        _close(task, TaskStatus.DONE, now)
        task.callback_at = None
        task.save()
        record.task = task
        record.customer_id = task.customer_id
        record.agent = by
        record.response = response
        record.review_status = ReviewStatus.SUBMITTED
        record.submitted_at = now
        record.save()
    return record


def assign(task, *, by, agent):
    scope = VisitScope(by)
    if not scope.may_manage(task):
        raise VisitError(_("Only the team's supervisor can assign this visit."))
    if agent is None or not VisitScope(agent).works:
        raise VisitError(_("Choose an active agent."))
    if not scope.may_assign_to(agent):
        raise VisitError(_("Choose an agent of your team."))
    with transaction.atomic():
        task = _open_task(task, by)
        task.agent = agent
        task.department_id = agent.department_id
        task.save(update_fields=["agent", "department"])
    return task


def review(record, *, by, approve, comments, now=None):
    """The supervisor's review (审阅): approve, or return with comments (指导意见)."""
    now = now or timezone.now()
    if not VisitScope(by).may_review(record):
        raise VisitError(_("You cannot review this record (reviews are by the agent's supervisor)."))
    comments = (comments or "").strip()
    if not approve and not comments:
        raise VisitError(_("Say what the agent should change (指导意见)."))
    if len(comments) > 4000:
        raise VisitError(_("Please write at most %(max)s characters.") % {"max": 4000})
    with transaction.atomic():
        record = VisitRecord.objects.select_for_update().get(pk=record.pk)
        if record.review_status != ReviewStatus.SUBMITTED:
            raise VisitError(_("This record is not waiting for review."))
        record.review_status = ReviewStatus.APPROVED if approve else ReviewStatus.RETURNED
        record.reviewed_by = by
        record.reviewed_at = now
        record.review_comments = comments
        record.save()
    return record


def can_edit_record(user, record):
    """VisitScope.may_correct, asked here by the security suite's route rules."""
    return VisitScope(user).may_correct(record)


def resubmit(record, *, by, now=None):
    """The agent corrected a returned record (fields already set on `record`) and submits it again."""
    now = now or timezone.now()
    stored = VisitRecord.objects.get(pk=record.pk)
    if not can_edit_record(by, stored):
        raise VisitError(_("Only the agent can correct a record returned to them."))
    if record.visited_at is None or record.visited_at > now + CLOCK_SKEW:
        raise VisitError(_("The visit cannot have taken place in the future."))
    record.review_status = ReviewStatus.SUBMITTED
    record.submitted_at = now
    record.save()
    return record


def open_problem_ticket(record, *, by):
    """A problem found on the visit becomes a feedback ticket (one click)."""
    from manyi.tickets.choices import Channel
    from manyi.tickets.workflow import TicketError, open_ticket

    if not VisitScope(by).allows(record.task):
        raise VisitError(_("This visit is not yours to work on."))
    if not record.problem.strip():
        raise VisitError(_("Describe the problem found before opening a ticket."))
    with transaction.atomic():
        record = VisitRecord.objects.select_for_update().get(pk=record.pk)
        if record.ticket_id:
            raise VisitError(_("A ticket is already open for this visit."))
        try:
            ticket = open_ticket(
                by=by,
                channel=Channel.PHONE if record.method in PHONE_METHODS else Channel.ON_SITE,
                subject=_("Found on a return visit: %(problem)s")
                % {"problem": record.problem.splitlines()[0][:120]},
                description=record.problem,
                received_at=record.visited_at,
                customer=record.customer,
                contact_name=record.visitee,
            )
        except TicketError as error:
            raise VisitError(str(error)) from error
        record.ticket = ticket
        record.save(update_fields=["ticket"])
    return ticket


def cancel(task, *, by, reason, now=None):
    """A supervisor cancels an open visit; who, when and why are kept as an attempt row
    (not counted as a call). The task leaves the worklists; the report counts it as cancelled."""
    now = now or timezone.now()
    if not VisitScope(by).may_manage(task):
        raise VisitError(_("Only the team's supervisor can cancel this visit."))
    reason = _note(reason, required=True, what=_("Say why the visit is cancelled."))
    with transaction.atomic():
        task = _open_task(task, by)
        VisitAttempt.objects.create(task=task, outcome=Outcome.CANCELLED, at=now, by=by, note=reason)
        _close(task, TaskStatus.CANCELLED, now)
        task.callback_at = None
        task.save()
    return task


# ---------------------------------------------------------------- rows of the plan table


def plan_task(plan):
    return VisitTask.objects.filter(plan=plan).order_by("pk").first()


def plan_locked_reason(task):
    """Why a plan row can no longer change (its visit was worked on), or "" when it can."""
    if task is None:
        return ""
    if task.status not in OPEN_STATUSES or task.attempts:
        return _(
            "This visit has already been worked on (%(status)s, %(attempts)s attempts): its row "
            "stays in the plan as it is. Reassign or cancel the visit on its page instead."
        ) % {"status": task.get_status_display(), "attempts": task.attempts}
    return ""


def _plan_guard(plan, by):
    if not VisitScope(by).may_manage_plan(plan):
        raise VisitError(_("Only the team's supervisor can change this plan."))
    task = plan_task(plan)
    if task is not None:
        task = VisitTask.objects.select_for_update().get(pk=task.pk)
        reason = plan_locked_reason(task)
        if reason:
            raise VisitError(reason)
    return task


def update_plan(plan, *, by):
    """Save an edited plan row (fields already set on `plan`) and its untouched visit with it."""
    from .planner import hand_purpose, plan_by_hand

    stored = type(plan).objects.select_related("agent").get(pk=plan.pk)
    with transaction.atomic():
        task = _plan_guard(stored, by)
        if not VisitScope(by).may_assign_to(plan.agent):  # the new agent must be of the team too
            raise VisitError(_("Choose an agent of your team."))
        plan.save()
        if task is None:
            return plan_by_hand(plan)
        if task.customer_id != plan.customer_id:
            # The reasons the planner joined were the other customer's: planned again for them.
            task.merged_reasons.all().delete()
        task.customer = plan.customer
        task.contact = None
        task.purpose = hand_purpose(plan, task)  # with the reasons the planner joined to it
        task.method = plan.method
        task.planned_on = task.due_on = plan.planned_on
        task.agent = plan.agent
        task.department_id = plan.agent.department_id
        task.priority = plan.priority
        task.campaign = plan.campaign
        task.script = plan.script
        task.save()
    return task


def delete_plan(plan, *, by):
    """Remove a plan row and its visit, if nobody worked on the visit yet."""
    with transaction.atomic():
        task = _plan_guard(plan, by)
        if task is not None:
            task.delete()
        plan.delete()
