"""A ticket's life as an explicit state machine (REQUIREMENTS §5, seeds 002 and 004).

    new → acknowledged → assigned → investigating → action → replied → verified → closed
                                                 ↘ replied (an explanation needs no action)
    reopen: replied / verified / closed / invalid / duplicate → assigned (acknowledged if no
    department yet); close as invalid or duplicate from any open state, with a reason.

``TRANSITIONS`` is the one table of who may do what: each transition names the states it
leaves, the capability it needs (``manyi.accounts.permissions``) and whether it is bound to
the ticket's department (handlers act only on their department's tickets; whoever may manage
tickets acts on all). Every change goes through ``_transition``: it locks the row, checks
role and state, sets the SLA timestamps, saves and records a ``TicketEvent``; a refusal raises
``TicketError`` with a message for the user and changes nothing. ``CHANGES`` does the same for
what is not a transition (classification, contact, notes, priority, actions, files, the
customer's messages) and ``ACTION_STEPS`` for the steps of a corrective action.
``allowed_actions`` reads the three tables for the ticket page, so the page offers exactly what
the verbs accept; the API and inbound mail call the same verbs (``add_customer_message``,
``attach``) as the pages.

SLA timestamps: the first response is met by acknowledging (or by closing as invalid or
duplicate straight away), the forwarding by the first assignment to a responsible department
(seed 002: 接到客户反馈后半个工作日内 … 发送给质量部、技术部等相关部门; closing as invalid
or duplicate before any assignment leaves nothing to forward and meets it too), the first
solution by the first reply to the customer, the resolution by closing. Deadlines come from the
matching ``SlaPolicy`` (severity, channel and customer demand, ``SlaPolicyQuerySet.for_ticket``),
counted from the time the feedback was received; reopening counts a new resolution deadline
from the reopening.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from manyi.accounts import permissions as perms
from manyi.customers.masking import mask_email
from manyi.organisation.access import may_see_unit

from . import attachments, callback
from . import topics as ticket_topics
from .choices import (
    DEADLINES,
    OPEN_ACTION_STATUSES,
    OPEN_STATES,
    PENDING_ACTION_STATUSES,
    ActionKind,
    ActionStatus,
    CallbackStatus,
    Channel,
    CustomerMatch,
    Demand,
    EventKind,
    Priority,
    ReplyMethod,
    Severity,
    TicketState,
    Validity,
)
from .models import Category, CorrectiveAction, SlaPolicy, Ticket, TicketError, TicketSequence

logger = logging.getLogger(__name__)

MAX_NOTE = 4000
# Feedback received up to this far in the future (clock skew of a phone or a mail server) is
# accepted as received now; anything later is a typing error.
CLOCK_SKEW = timedelta(minutes=5)
# Earlier is a typing mistake, not feedback; year 1 could not even be stored (no UTC time
# before it). The first moment of 2000 anywhere on Earth (UTC+14).
EARLIEST_RECEIVED = datetime(2000, 1, 1, tzinfo=dt_timezone(timedelta(hours=14)))


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise
    sources: tuple[str, ...]
    target: str | None  # None: decided by the verb (reopen)
    capability: str
    department_bound: bool = False


REOPENABLE = (
    TicketState.REPLIED,
    TicketState.VERIFIED,
    TicketState.CLOSED,
    TicketState.INVALID,
    TicketState.DUPLICATE,
)

TRANSITIONS = {
    t.name: t
    for t in (
        Transition(
            "acknowledge",
            gettext_lazy("Acknowledge"),
            (TicketState.NEW,),
            TicketState.ACKNOWLEDGED,
            perms.CREATE_TICKETS,
        ),
        Transition(
            "assign",
            gettext_lazy("Assign"),
            (TicketState.ACKNOWLEDGED, TicketState.ASSIGNED, TicketState.INVESTIGATING, TicketState.ACTION),
            TicketState.ASSIGNED,
            perms.MANAGE_TICKETS,
        ),
        Transition(
            "investigate",
            gettext_lazy("Start investigating"),
            (TicketState.ASSIGNED,),
            TicketState.INVESTIGATING,
            perms.WORK_TICKETS,
            department_bound=True,
        ),
        Transition(
            "plan_actions",
            gettext_lazy("Record the root cause"),
            (TicketState.INVESTIGATING,),
            TicketState.ACTION,
            perms.WORK_TICKETS,
            department_bound=True,
        ),
        Transition(
            "reply",
            gettext_lazy("Reply to the customer"),
            (TicketState.INVESTIGATING, TicketState.ACTION),
            TicketState.REPLIED,
            perms.REPLY_TICKETS,
        ),
        Transition(
            "verify",
            gettext_lazy("Verify"),
            (TicketState.REPLIED,),
            TicketState.VERIFIED,
            perms.VERIFY_TICKETS,
        ),
        Transition(
            "close",
            gettext_lazy("Close"),
            (TicketState.VERIFIED,),
            TicketState.CLOSED,
            perms.MANAGE_TICKETS,
        ),
        Transition(
            "reopen",
            gettext_lazy("Reopen"),
            REOPENABLE,
            None,
            perms.MANAGE_TICKETS,
        ),
        Transition(
            "close_invalid",
            gettext_lazy("Close as invalid"),
            OPEN_STATES,
            TicketState.INVALID,
            perms.MANAGE_TICKETS,
        ),
        Transition(
            "close_duplicate",
            gettext_lazy("Close as duplicate"),
            OPEN_STATES,
            TicketState.DUPLICATE,
            perms.MANAGE_TICKETS,
        ),
    )
}


# --------------------------------------------------------------------------- checks


def _in_department(ticket, user):
    return user.pk == ticket.assignee_id or (
        ticket.department_id is not None and user.department_id == ticket.department_id
    )


def refusal(ticket, user, name):
    """Why ``user`` may not apply transition ``name`` to ``ticket`` now (None: allowed)."""
    transition = TRANSITIONS[name]
    if user is None or not user.is_authenticated or not user.can(transition.capability):
        return _("Your role does not allow “%(action)s”.") % {"action": transition.label}
    if (
        transition.department_bound
        and not user.can(perms.MANAGE_TICKETS)
        and not _in_department(ticket, user)
    ):
        return _("Only the responsible department may do “%(action)s” on this ticket.") % {
            "action": transition.label
        }
    if ticket.state not in transition.sources:
        if name == "assign" and ticket.state == TicketState.NEW:
            # The first response (受理) is the customer being told; assigning does not tell them.
            return _("Acknowledge the ticket (tell the customer it is being handled) before assigning it.")
        return _("A ticket that is “%(state)s” cannot be changed by “%(action)s”.") % {
            "state": ticket.get_state_display(),
            "action": transition.label,
        }
    if name == "reply" and ticket.customer_match == CustomerMatch.TYPED:
        return _(
            "Confirm the customer first: the feedback names them only by what was typed on the "
            "feedback form, and the phone and e-mail given are not theirs in the archive."
        )
    return None


def may_work_on(ticket, user):
    """Investigate, plan and report actions: the responsible department, or a ticket manager."""
    return user.can(perms.WORK_TICKETS) and (user.can(perms.MANAGE_TICKETS) or _in_department(ticket, user))


def may_classify(ticket, user):
    return user.can(perms.CREATE_TICKETS) or may_work_on(ticket, user)


def may_edit_contact(ticket, user):
    """Who may classify and also sees contact data (a handler sees it masked, so cannot edit it)."""
    return may_classify(ticket, user) and user.can(perms.VIEW_PERSONAL_DATA)


def may_attach(ticket, user):
    """Who records or works on tickets adds files (to a ticket they can see)."""
    return user.can(perms.CREATE_TICKETS) or user.can(perms.WORK_TICKETS)


def _manages(ticket, user):
    return user.can(perms.MANAGE_TICKETS)


def _records(ticket, user):
    return user.can(perms.CREATE_TICKETS)


REOPEN_FIRST = gettext_lazy("Reopen the ticket before changing it.")


@dataclass(frozen=True)
class Change:
    """A change of a ticket that is not a transition: who may make it (``may(ticket, user)``,
    else ``refused`` is said), in which states (else ``wrong_state``), and whether the system
    (no user: inbound mail, the public feedback page) makes it too."""

    name: str
    may: Callable
    refused: Promise
    states: tuple[str, ...] = OPEN_STATES
    wrong_state: Promise = REOPEN_FIRST
    by_system: bool = False


CHANGES = {
    c.name: c
    for c in (
        Change("classify", may_classify, gettext_lazy("Your role does not allow classifying this ticket.")),
        Change(
            "edit_contact",
            may_edit_contact,
            gettext_lazy("Your role does not allow changing the contact details."),
        ),
        # Any state: the customer's timeline and statistics count the ticket once confirmed.
        Change(
            "confirm_customer",
            may_edit_contact,
            gettext_lazy("Your role does not allow changing the contact details."),
            states=tuple(TicketState),
        ),
        # Any state, closed too: a call from the customer after closing belongs on the timeline.
        Change(
            "add_note",
            may_classify,
            gettext_lazy("Your role does not allow adding notes to this ticket."),
            states=tuple(TicketState),
        ),
        Change(
            "raise_priority",
            _manages,
            gettext_lazy("Your role does not allow raising the priority."),
            by_system=True,
        ),
        Change(
            "add_action",
            may_work_on,
            gettext_lazy("Only the responsible department may plan actions on this ticket."),
            states=(TicketState.INVESTIGATING, TicketState.ACTION),
            wrong_state=gettext_lazy("Actions are planned while the ticket is investigated or in action."),
        ),
        Change("attach", may_attach, gettext_lazy("Your role does not allow this."), by_system=True),
        # A closed ticket takes no message: only ticket managers reopen (inbound mail opens a
        # follow-up ticket instead, the API answers 409).
        Change(
            "add_message",
            _records,
            gettext_lazy("Your role does not allow recording feedback."),
            by_system=True,
        ),
    )
}


def change_refusal(ticket, user, name):
    """Why ``user`` (None: the system) may not make change ``name`` to ``ticket`` now (None: allowed)."""
    change = CHANGES[name]
    if user is None:
        if not change.by_system:
            return str(change.refused)
    elif not user.is_authenticated or not change.may(ticket, user):
        return str(change.refused)
    if ticket.state not in change.states:
        return str(change.wrong_state)
    if name == "raise_priority" and ticket.priority >= Priority.URGENT:
        return _("The priority is already the highest.")
    if name == "confirm_customer" and ticket.customer_match != CustomerMatch.TYPED:
        return _("The customer of this ticket needs no confirmation.")
    return None


@dataclass(frozen=True)
class ActionStep:
    """A step of a corrective action: who may take it, from which statuses."""

    name: str
    may: Callable  # (action, user) → bool
    refused: Promise
    statuses: frozenset
    wrong_status: Promise


ACTION_STEPS = {
    s.name: s
    for s in (
        ActionStep(
            "complete",
            lambda action, user: user.pk == action.owner_id or may_work_on(action.ticket, user),
            gettext_lazy("Only the owner or the responsible department may report this action done."),
            frozenset(OPEN_ACTION_STATUSES),
            gettext_lazy("This action is not open."),
        ),
        ActionStep(
            "verify",
            lambda action, user: user.can(perms.VERIFY_TICKETS),
            gettext_lazy("Your role does not allow verifying actions."),
            frozenset((ActionStatus.DONE,)),
            gettext_lazy("Only an action reported done can be verified."),
        ),
        ActionStep(
            "cancel",
            lambda action, user: user.can(perms.MANAGE_TICKETS),
            gettext_lazy("Your role does not allow cancelling actions."),
            frozenset(ActionStatus) - {ActionStatus.VERIFIED, ActionStatus.CANCELLED},
            gettext_lazy("This action is not open."),
        ),
    )
}


def step_refusal(action, user, name):
    """Why ``user`` may not take step ``name`` of corrective ``action`` now (None: allowed)."""
    step = ACTION_STEPS[name]
    if user is None or not user.is_authenticated or not step.may(action, user):
        return str(step.refused)
    if action.ticket.state not in OPEN_STATES:
        return str(REOPEN_FIRST)
    if action.status not in step.statuses:
        return str(step.wrong_status)
    return None


def allowed_steps(action, user):
    """The steps ``user`` may take on ``action`` now (for its buttons)."""
    return frozenset(name for name in ACTION_STEPS if step_refusal(action, user, name) is None)


def allowed_transitions(ticket, user):
    """The transitions ``user`` may apply to ``ticket`` now, in table order (for the buttons)."""
    return [t for name, t in TRANSITIONS.items() if refusal(ticket, user, name) is None]


@dataclass(frozen=True)
class Allowed:
    """The transitions (for the buttons, in table order) and the names of everything else
    allowed; ``"classify" in allowed`` asks about one."""

    transitions: list
    names: frozenset

    def __contains__(self, name):
        return name in self.names


def allowed_actions(ticket, user):
    """What ``user`` may do to ``ticket`` now: the ticket page shows these buttons and forms
    and no others, and the verbs refuse the rest by the same rules (``refusal``,
    ``change_refusal``, ``callback.may_record``)."""
    transitions = allowed_transitions(ticket, user)
    names = {t.name for t in transitions}
    names |= {name for name in CHANGES if change_refusal(ticket, user, name) is None}
    if callback.may_record(ticket, user) is None:
        names.add("record_callback")
    return Allowed(transitions, frozenset(names))


def _refuse(reason):
    if reason:
        raise TicketError(reason)


def _locked_for(ticket, by, name):
    """The ticket's row, locked, when change ``name`` is allowed on it (else ``TicketError``)."""
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    _refuse(change_refusal(locked, by, name))
    return locked


def _clean_note(note, required=False, what=None):
    note = (note or "").strip()
    if required and not note:
        raise TicketError(what or _("Give a reason."))
    if len(note) > MAX_NOTE:
        raise TicketError(_("Keep the text under %(count)s characters.") % {"count": MAX_NOTE})
    return note


def _transition(ticket, by, name, *, now=None, note="", target=None, check=None, changes=None):
    """Lock, check role and state (then ``check(locked)``), apply ``changes(locked)``, record."""
    now = now or timezone.now()
    transition = TRANSITIONS[name]
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        reason = refusal(locked, by, name)
        if reason:
            raise TicketError(reason)
        if check:
            check(locked)
        from_state = locked.state
        fields = set(changes(locked) if changes else ())
        locked.state = (target(locked) if callable(target) else target) or transition.target
        locked.save(update_fields=sorted(fields | {"state"}))
        locked.record_event(EventKind.TRANSITION, note, by=by, at=now, from_state=from_state)
    ticket.take_values_of(locked)
    return ticket


# --------------------------------------------------------------------------- SLA


def apply_sla(ticket, policy=None):
    """Choose the policy for the ticket's severity, channel and demand and set the due instants."""
    policy = policy or SlaPolicy.objects.for_ticket(ticket.severity, ticket.channel, ticket.demand)
    ticket.sla_policy = policy
    dues = policy.deadlines(ticket.received_at) if policy is not None else (None,) * len(DEADLINES)
    for deadline, due in zip(DEADLINES, dues, strict=True):
        setattr(ticket, deadline.due, due)
    return ["sla_policy", *(deadline.due for deadline in DEADLINES)]


# --------------------------------------------------------------------------- intake


def _choice(value, choices, message, blank=False):
    if blank and value in ("", None):
        return ""
    if value not in choices.values:
        raise TicketError(message)
    return value


def open_ticket(
    *,
    by,
    channel,
    subject,
    description,
    received_at=None,
    customer=None,
    customer_given="",
    customer_match="",
    contact_name="",
    contact_phone="",
    contact_email="",
    category=None,
    severity=Severity.GENERAL,
    demand="",
    response=None,
    now=None,
    unit=None,
    topic=None,
):
    """Record new feedback: reference number, SLA deadlines, the first event. ``by`` None: the system.

    ``topic``: the recorder's choice (results.Topic); without one, the topic suggested from the
    customer's words (tickets/topics.py), for a handler to confirm.

    ``unit``: the organisation unit the ticket belongs to (an inspected project's finding);
    by default its customer's.

    ``customer_given``: the company or customer code the sender typed (public form);
    ``customer_match``: how ``customer`` was found from it (``CustomerMatch``; blank: by the staff).
    """
    now = now or timezone.now()
    if by is not None and not by.can(perms.CREATE_TICKETS):
        raise TicketError(_("Your role does not allow recording feedback."))
    channel = _choice(channel, Channel, _("Choose a channel."))
    customer_match = _choice(customer_match, CustomerMatch, _("Say how the customer was found."), blank=True)
    if customer is None:
        customer_match = ""
    severity = _choice(severity, Severity, _("Choose a severity."))
    demand = _choice(demand, Demand, _("Choose what the customer asks for."), blank=True)
    description = _clean_note(description, required=True, what=_("Describe the feedback."))
    subject = (subject or "").strip() or description.splitlines()[0]
    subject = subject[:200]
    received_at = received_at or now
    if timezone.is_naive(received_at):
        raise TicketError(_("Give the time the feedback was received with its time zone."))
    if received_at > now + CLOCK_SKEW:
        raise TicketError(_("The feedback cannot have been received in the future."))
    if received_at < EARLIEST_RECEIVED:
        raise TicketError(_("The feedback cannot have been received before 2000."))
    if category is not None and not (isinstance(category, Category) and category.is_active):
        raise TicketError(_("Choose an active category."))
    ticket = Ticket(
        channel=channel,
        subject=subject,
        description=description,
        received_at=received_at,
        customer=customer,
        unit_id=getattr(unit, "pk", unit) or (customer.unit_id if customer is not None else None),
        customer_given=(customer_given or "").strip()[:200],
        customer_match=customer_match,
        contact_name=(contact_name or "").strip()[:100],
        contact_phone=(contact_phone or "").strip()[:30],
        contact_email=(contact_email or "").strip()[:254],
        category=category,
        severity=severity,
        demand=demand,
        response=response,
        created_by=by,
        created_at=now,
    )
    ticket.priority = ticket.default_priority()
    apply_sla(ticket)
    ticket_topics.apply_suggestion(ticket, topic, by=by, now=now)
    with transaction.atomic():
        ticket.reference = TicketSequence.next_reference(timezone.localtime(received_at).year)
        ticket.save()
        ticket.record_event(EventKind.TRANSITION, by=by, at=now, from_state="")
    return ticket


# --------------------------------------------------------------------------- the verbs


def acknowledge(ticket, by, note="", now=None):
    """受理: the customer has been told the feedback is being handled (first response)."""
    now = now or timezone.now()
    note = _clean_note(note)

    def changes(t):
        if t.first_response_at is None:
            t.first_response_at = now
        return ["first_response_at"]

    return _transition(ticket, by, "acknowledge", now=now, note=note, changes=changes)


def assign(ticket, by, department, assignee=None, note="", now=None):
    """Hand the ticket to a responsible department (and optionally one person in it).

    The first assignment meets the forwarding deadline, seed 002: “接到客户反馈后半个工作日内
    通过电子邮件分别发送给质量部、技术部等相关部门” (forwarded to the departments within half a
    working day of receiving the feedback); a later reassignment does not move it.
    """
    now = now or timezone.now()
    note = _clean_note(note)
    if department is None or not department.is_active:
        raise TicketError(_("Choose an active department."))
    if assignee is not None and (
        not assignee.is_active
        or assignee.department_id != department.pk
        or not assignee.can(perms.WORK_TICKETS)
    ):
        raise TicketError(
            _("The person must be an active member of that department who may work on tickets.")
        )
    if assignee is not None and not may_see_unit(assignee, ticket.unit_id):
        # who is assigned sees the ticket: one of its organisation unit's staff or above it
        raise TicketError(_("The person must work in the ticket's organisation unit or a unit above it."))

    def changes(t):
        t.department, t.assignee = department, assignee
        if t.forwarded_at is None:  # the forwarding deadline (seed 002) is met by the first one
            t.forwarded_at = now
        return ["department", "assignee", "forwarded_at"]

    who = f"{department}" + (f" / {assignee}" if assignee else "")
    return _transition(
        ticket, by, "assign", now=now, note=" — ".join(part for part in (who, note) if part), changes=changes
    )


def start_investigation(ticket, by, note="", now=None):
    return _transition(ticket, by, "investigate", now=now, note=_clean_note(note))


def record_root_cause(ticket, by, root_cause, note="", now=None):
    """原因分析 done: the root cause is written down; corrective and preventive actions follow."""
    root_cause = _clean_note(root_cause, required=True, what=_("Describe the root cause."))

    def changes(t):
        t.root_cause = root_cause
        return ["root_cause"]

    return _transition(ticket, by, "plan_actions", now=now, note=_clean_note(note), changes=changes)


def reply(ticket, by, text, method=ReplyMethod.PHONE, now=None):
    """答复客户: what the customer was told, by e-mail or in a logged phone call.

    By e-mail the message goes to the ticket's contact e-mail while the ticket is locked and
    before anything is saved: a message the mail server refuses changes nothing. The first
    reply meets the first-solution deadline.
    """
    now = now or timezone.now()
    text = _clean_note(text, required=True, what=_("Write the reply to the customer."))
    method = _choice(method, ReplyMethod, _("Choose how the customer is answered."))

    def check(t):
        if method != ReplyMethod.EMAIL:
            return
        if not t.contact_email:
            raise TicketError(_("The ticket has no contact e-mail; reply by phone and log the call."))
        from . import mail

        try:
            mail.send(mail.reply_email(t, text))
        except mail.MailError as error:
            raise TicketError(str(error)) from error

    def changes(t):
        t.reply, t.reply_method = text, method
        if t.first_solution_at is None:
            t.first_solution_at = now
        return ["reply", "reply_method", "first_solution_at"]

    how = ReplyMethod(method).label
    if method == ReplyMethod.EMAIL:
        # The timeline is read by roles that may not see contact data: the address is masked.
        how = _("By e-mail to %(address)s") % {"address": mask_email(ticket.contact_email)}
    note = f"{how}: {text}"
    return _transition(ticket, by, "reply", now=now, note=note, check=check, changes=changes)


def verify(ticket, by, note="", now=None):
    """跟踪验证: every action is verified effective or cancelled."""

    def check(t):
        if t.actions.filter(status__in=PENDING_ACTION_STATUSES).exists():
            raise TicketError(_("Every action must be verified effective or cancelled first."))

    return _transition(ticket, by, "verify", now=now, note=_clean_note(note), check=check)


def close(ticket, by, note="", now=None):
    """闭单."""
    now = now or timezone.now()

    def changes(t):
        t.resolved_at = now
        return ["resolved_at", *reset_callback(t, CallbackStatus.DUE)]

    _transition(ticket, by, "close", now=now, note=_clean_note(note), changes=changes)
    # The satisfaction callback goes out from the background worker once the close is saved.
    transaction.on_commit(lambda: _queue_callback(ticket.pk))
    return ticket


def reset_callback(t, status):
    """A new satisfaction callback (or none): forget the previous one's link and answer."""
    t.callback_status, t.callback_token = status, None
    t.callback_sent_at = t.callback_expires_at = t.callback_answered_at = t.callback_rating = None
    t.callback_comment = t.callback_method = ""
    return [
        "callback_status",
        "callback_token",
        "callback_sent_at",
        "callback_expires_at",
        "callback_answered_at",
        "callback_rating",
        "callback_comment",
        "callback_method",
    ]


def _queue_callback(ticket_id):
    from .tasks import send_callback

    try:
        send_callback.enqueue(ticket_id)
    except Exception:  # a queue that is down must not undo the close; the callback stays due
        # and callback.send_due_callbacks (task tasks.send_due_callbacks) sends every due one.
        logger.exception("satisfaction callback of ticket %s not queued", ticket_id)


def reopen(ticket, by, reason, now=None):
    """Back to work: to the department it was assigned to, else to acknowledged."""
    now = now or timezone.now()
    reason = _clean_note(reason, required=True, what=_("Give the reason for reopening."))

    def changes(t):
        t.resolved_at = t.resolution_breached_at = None
        t.duplicate_of = None
        t.reopened_count += 1
        if t.sla_policy is not None:
            t.resolution_due = t.sla_policy.due("resolution", now)
        fields = ["resolved_at", "resolution_breached_at", "duplicate_of", "reopened_count", "resolution_due"]
        if t.callback_status != CallbackStatus.ANSWERED:  # an unanswered link stops working
            fields += reset_callback(t, CallbackStatus.NONE)
        return fields

    def target(t):
        return TicketState.ASSIGNED if t.department_id else TicketState.ACKNOWLEDGED

    return _transition(ticket, by, "reopen", now=now, note=reason, target=target, changes=changes)


def _closing_changes(now, **values):
    def changes(t):
        if t.first_response_at is None:
            t.first_response_at = now
        if t.forwarded_at is None:  # closed before any department had it: nothing to forward
            t.forwarded_at = now
        t.resolved_at = now
        for name, value in values.items():
            setattr(t, name, value)
        return ["first_response_at", "forwarded_at", "resolved_at", *values]

    return changes


def close_invalid(ticket, by, reason, validity=Validity.INVALID, now=None):
    """投诉不成立 or 非正常投诉: closed with the reason, which the customer is told."""
    now = now or timezone.now()
    reason = _clean_note(reason, required=True, what=_("Give the reason the feedback is not valid."))
    if validity not in (Validity.INVALID, Validity.ABNORMAL):
        raise TicketError(_("Choose “not valid” or “abnormal claim”."))
    changes = _closing_changes(now, validity=validity, validity_reason=reason, close_reason=reason)
    return _transition(ticket, by, "close_invalid", now=now, note=reason, changes=changes)


def close_duplicate(ticket, by, original, note="", now=None):
    """The same feedback is already a ticket: this one closes and points to it."""
    now = now or timezone.now()
    note = _clean_note(note)
    if original is None or original.pk == ticket.pk:
        raise TicketError(_("Choose the other ticket this one repeats."))
    if original.state == TicketState.DUPLICATE:
        raise TicketError(_("That ticket is itself a duplicate; choose the one it repeats."))
    reason = _("Duplicate of %(reference)s.") % {"reference": original.reference}
    changes = _closing_changes(
        now, duplicate_of=original, close_reason=" ".join(filter(None, (reason, note)))
    )
    return _transition(
        ticket, by, "close_duplicate", now=now, note=" ".join(filter(None, (reason, note))), changes=changes
    )


# --------------------------------------------------------------------------- classification


def classify(
    ticket, by, *, category=None, severity=None, demand=None, validity=None, validity_reason=None, now=None
):
    """Change category, severity, demand or validity (判定) of an open ticket; records the change.

    A new severity or demand re-selects the SLA policy and recomputes the deadlines from the
    time the feedback was received; a new severity raises the priority to its default if lower.
    """
    now = now or timezone.now()
    _refuse(change_refusal(ticket, by, "classify"))
    with transaction.atomic():
        t = _locked_for(ticket, by, "classify")
        fields, notes = set(), []
        if category is not None and category != t.category:
            if not (isinstance(category, Category) and category.is_active):
                raise TicketError(_("Choose an active category."))
            t.category = category
            fields.add("category")
            notes.append(_("Category: %(value)s") % {"value": category})
        if demand is not None and demand != t.demand:
            t.demand = _choice(demand, Demand, _("Choose what the customer asks for."), blank=True)
            fields.add("demand")
            notes.append(_("Demand: %(value)s") % {"value": t.get_demand_display() or "—"})
        if validity is not None:
            validity = _choice(validity, Validity, _("Choose the validity."), blank=True)
            reason = _clean_note(validity_reason)
            if validity in (Validity.INVALID, Validity.ABNORMAL) and not reason:
                raise TicketError(_("Give the reason the feedback is not valid."))
            if (validity, reason) != (t.validity, t.validity_reason):
                t.validity, t.validity_reason = validity, reason
                fields |= {"validity", "validity_reason"}
                notes.append(_("Validity: %(value)s") % {"value": t.get_validity_display() or "—"})
        if severity is not None and severity != t.severity:
            t.severity = _choice(severity, Severity, _("Choose a severity."))
            fields.add("severity")
            t.priority = max(t.priority, t.default_priority())
            fields.add("priority")
            notes.append(_("Severity: %(value)s") % {"value": t.get_severity_display()})
        if fields & {"severity", "demand"}:
            fields |= set(apply_sla(t))
        if not fields:
            return ticket
        t.save(update_fields=sorted(fields))
        t.record_event(EventKind.CHANGE, "; ".join(str(n) for n in notes), by=by, at=now)
    ticket.take_values_of(t)
    return ticket


def update_contact(ticket, by, *, customer, contact_name="", contact_phone="", contact_email="", now=None):
    """Correct the customer and contact of an open ticket (a wrong number, a caller identified
    later); returns whether anything changed. The timeline names the fields changed, not their
    values: roles without the right to contact data read it too."""
    now = now or timezone.now()
    _refuse(change_refusal(ticket, by, "edit_contact"))
    values = {
        "customer_id": customer.pk if customer is not None else None,
        "contact_name": (contact_name or "").strip()[:100],
        "contact_phone": (contact_phone or "").strip()[:30],
        "contact_email": (contact_email or "").strip()[:254],
    }
    with transaction.atomic():
        t = _locked_for(ticket, by, "edit_contact")
        changed = [name for name, value in values.items() if getattr(t, name) != value]
        if not changed:
            return False
        for name in changed:
            setattr(t, name, values[name])
        fields = [name.removesuffix("_id") for name in changed]
        if "customer_id" in changed:
            t.customer_match = ""  # chosen by the staff now
            fields.append("customer_match")
            if customer is not None and customer.unit_id is not None:
                t.unit_id = customer.unit_id  # the ticket belongs to its customer's unit
                fields.append("unit")
        t.save(update_fields=fields)
        # The customer is named with its new value, the contact fields by name only: listed
        # among the fields as well, it read “客户 客户：…”.
        parts = []
        if "customer_id" in changed:
            parts.append(_("Customer changed to %(value)s") % {"value": customer or "—"})
        labels = [str(Ticket._meta.get_field(name).verbose_name) for name in changed if name != "customer_id"]
        if labels:
            parts.append(_("Contact details changed: %(fields)s") % {"fields": ", ".join(labels)})
        t.record_event(EventKind.CHANGE, "; ".join(str(part) for part in parts), by=by, at=now)
    ticket.take_values_of(t)
    return True


def confirm_customer(ticket, by, now=None):
    """The customer the public form named by code or name only is the sender: the staff have
    checked (by calling the number given, say), so the reply is no longer held back."""
    now = now or timezone.now()
    _refuse(change_refusal(ticket, by, "confirm_customer"))
    with transaction.atomic():
        t = _locked_for(ticket, by, "confirm_customer")
        t.customer_match = CustomerMatch.CONFIRMED
        t.save(update_fields=["customer_match"])
        note = _("Customer confirmed: %(customer)s") % {"customer": t.customer}
        t.record_event(EventKind.CHANGE, note, by=by, at=now)
    ticket.take_values_of(t)
    return ticket


def add_note(ticket, by, text, now=None):
    """An internal note on the timeline (a call from the customer, a promise, what to watch);
    any state, closed too, and no state change. The customer never sees it."""
    now = now or timezone.now()
    _refuse(change_refusal(ticket, by, "add_note"))
    text = _clean_note(text, required=True, what=_("Write the note."))
    return ticket.record_event(EventKind.NOTE, text, by=by, at=now)


def add_customer_message(ticket, by, text, *, heading="", now=None):
    """What the customer said since, on an open ticket's timeline: a call or chat an agent
    passes on through the API, an e-mail read from the ticket mailbox (``by`` None: the system).
    ``heading`` says how it came (the e-mail's sender and subject); without one the note is the
    message. A closed ticket takes none (``change_refusal``)."""
    now = now or timezone.now()
    _refuse(change_refusal(ticket, by, "add_message"))
    text = _clean_note(text, required=True, what=_("Write the customer's message."))
    # The event's kind reads “Customer message” already: without a heading the note is the text.
    note = f"{heading}\n\n{text}" if heading else text
    with transaction.atomic():
        return _locked_for(ticket, by, "add_message").record_event(EventKind.MESSAGE, note, by=by, at=now)


def attach(ticket, by, checked_files, *, source, note="", now=None):
    """Files that passed ``attachments.check_uploads`` / ``check_file`` on an open ticket, with
    one timeline event; all or nothing. ``by`` None: the system (inbound mail)."""
    _refuse(change_refusal(ticket, by, "attach"))
    with transaction.atomic():
        locked = _locked_for(ticket, by, "attach")
        return attachments.store(locked, checked_files, by=by, source=source, note=note, now=now)


def raise_priority(ticket, by, note="", now=None):
    """One step up (an escalation), refused when it is urgent already. ``by`` None: the system."""
    now = now or timezone.now()
    _refuse(change_refusal(ticket, by, "raise_priority"))
    note = _clean_note(note)
    with transaction.atomic():
        t = _locked_for(ticket, by, "raise_priority")
        t.priority += 1
        t.save(update_fields=["priority"])
        labels = dict(Priority.choices)
        text = _("Priority raised from %(old)s to %(new)s.") % {
            "old": labels[t.priority - 1],
            "new": labels[t.priority],
        }
        t.record_event(EventKind.ESCALATION, " ".join(filter(None, (str(text), note))), by=by, at=now)
    ticket.take_values_of(t)
    return ticket


# --------------------------------------------------------------------------- actions


def add_action(ticket, by, *, description, owner, deadline, kind=ActionKind.CORRECTIVE, now=None):
    """纠正预防措施 with owner and deadline, while the ticket is under investigation or in action."""
    now = now or timezone.now()
    _refuse(change_refusal(ticket, by, "add_action"))
    kind = _choice(kind, ActionKind, _("Choose corrective or preventive."))
    description = _clean_note(description, required=True, what=_("Describe the action."))
    if owner is None or not owner.is_active:
        raise TicketError(_("Choose an active owner for the action."))
    if not may_see_unit(owner, ticket.unit_id):
        # the owner reads the ticket through the action: one of its unit's staff or above it
        raise TicketError(_("The person must work in the ticket's organisation unit or a unit above it."))
    if deadline is None or deadline < timezone.localdate(now):
        raise TicketError(_("The deadline must be today or later."))
    with transaction.atomic():
        locked = _locked_for(ticket, by, "add_action")
        action = CorrectiveAction.objects.create(
            ticket=locked,
            kind=kind,
            description=description,
            owner=owner,
            deadline=deadline,
            created_by=by,
            created_at=now,
        )
        locked.record_event(EventKind.ACTION, f"{action.get_kind_display()}: {description}", by=by, at=now)
    return action


def _still(action, name):
    """Lock the action's row and check its status again: a request that loaded it at the same
    time as one that has saved since must not record the same step twice."""
    step = ACTION_STEPS[name]
    status = CorrectiveAction.objects.select_for_update().values_list("status", flat=True).get(pk=action.pk)
    if status not in step.statuses:
        raise TicketError(str(step.wrong_status))


def complete_action(action, by, result, now=None):
    """The owner (or the responsible department) reports the action done, with what was done."""
    now = now or timezone.now()
    _refuse(step_refusal(action, by, "complete"))
    result = _clean_note(result, required=True, what=_("Describe what was done."))
    with transaction.atomic():
        _still(action, "complete")
        action.status, action.result, action.done_at = ActionStatus.DONE, result, now
        action.save(update_fields=["status", "result", "done_at"])
        action.ticket.record_event(EventKind.ACTION, _("Done: %(text)s") % {"text": result}, by=by, at=now)
    return action


def verify_action(action, by, effective, note="", now=None):
    """跟踪验证 of one action: effective, or not (back to the owner)."""
    now = now or timezone.now()
    _refuse(step_refusal(action, by, "verify"))
    note = _clean_note(note, required=not effective, what=_("Say why the action did not work."))
    with transaction.atomic():
        _still(action, "verify")
        action.status = ActionStatus.VERIFIED if effective else ActionStatus.INEFFECTIVE
        action.verified_by, action.verified_at, action.verification = by, now, note
        action.save(update_fields=["status", "verified_by", "verified_at", "verification"])
        text = _("Verified effective") if effective else _("Not effective")
        action.ticket.record_event(
            EventKind.ACTION, ": ".join(filter(None, (str(text), note))), by=by, at=now
        )
    return action


def cancel_action(action, by, reason, now=None):
    now = now or timezone.now()
    _refuse(step_refusal(action, by, "cancel"))
    reason = _clean_note(reason, required=True)
    with transaction.atomic():
        _still(action, "cancel")
        action.status, action.verification = ActionStatus.CANCELLED, reason
        action.save(update_fields=["status", "verification"])
        action.ticket.record_event(
            EventKind.ACTION, _("Cancelled: %(text)s") % {"text": reason}, by=by, at=now
        )
    return action


def choose_topic(ticket, by, topic, now=None):
    """A person confirms the suggested topic (tickets/topics.py) or changes it (the "classify"
    change of CHANGES: who may classify the ticket, while it is open). Records the change."""
    now = now or timezone.now()
    _refuse(change_refusal(ticket, by, "classify"))
    if not (isinstance(topic, ticket_topics.Topic) and topic.is_active):
        raise TicketError(_("Choose an active topic."))
    with transaction.atomic():
        t = _locked_for(ticket, by, "classify")
        confirmed = topic.pk == t.topic_suggested_id
        t.topic, t.topic_chosen_by, t.topic_chosen_at = topic, by, now
        t.save(update_fields=["topic", "topic_chosen_by", "topic_chosen_at"])
        note = (_("Topic confirmed: %(value)s") if confirmed else _("Topic: %(value)s")) % {
            "value": topic.name
        }
        t.record_event(EventKind.CHANGE, note, by=by, at=now)
    ticket.take_values_of(t)
    return ticket
