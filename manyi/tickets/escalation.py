"""The SLA sweep (issue 5, item 4): record breached deadlines, escalate, tell the supervisors.

``escalate_breaches`` looks at the open tickets whose first-response, first-solution or
resolution deadline has passed while the step it guards is not done and no breach has been
recorded for it yet. For each such ticket, in one transaction:

- the breach instant is recorded (``response_breached_at``, ``solution_breached_at``,
  ``resolution_breached_at``) — this is what makes the sweep idempotent: a recorded breach is
  never escalated again (reopening clears the resolution breach, so a reopened ticket that
  misses its new deadline is escalated again);
- the priority goes up one step (at most to urgent), once per sweep even when several
  deadlines were missed at once;
- a ``TicketEvent`` of kind escalation says which deadlines were missed and the priority change.

Everything is set-based: one SELECT … FOR UPDATE of the candidates (they stay locked until the
end, so two sweeps never escalate the same breach twice and no transition interleaves), one
UPDATE per combination of missed deadlines and chunk of ids, the events with ``bulk_create``.
100,000 open tickets are swept in well under the 5 s target (bench/feedback.py).

After the commit the supervisors — active users whose role has ``tickets.verify``, with an
e-mail address — get one message each listing their breached tickets: those of their
department, and those without a department or of a department without a supervisor. A mail
server that is down does not undo the escalation; the failures are counted and logged.
"""

import logging
import smtplib
from collections import defaultdict

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Least
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from manyi.accounts import permissions as perms
from manyi.accounts.models import User
from manyi.campaigns.mailing import absolute_url
from manyi.emails import build_email

from .choices import DEADLINE_NOUNS, DEADLINES, OPEN_STATES, EventKind, Priority
from .models import Ticket, TicketEvent

logger = logging.getLogger(__name__)

# Tickets listed in one e-mail; the rest are in the overdue queue the message links to.
MAIL_LIST_LIMIT = 200


def breach_condition(now):
    """Q of a ticket with at least one deadline passed, not met and not recorded as breached."""
    condition = Q()
    for d in DEADLINES:
        condition |= Q(**{f"{d.due}__lt": now, f"{d.done}__isnull": True, f"{d.breached}__isnull": True})
    return condition


def _chunk_size():
    limit = connection.features.max_query_params or 20_000
    return max(100, min(limit, 20_000) - 10)


def escalate_breaches(now=None, *, notify=True):
    """Record the new breaches, raise priorities, record events, e-mail the supervisors.

    Returns ``{"tickets", "response", "solution", "resolution", "raised", "emails",
    "failed"}``: tickets escalated, breaches per deadline, priorities raised, messages sent
    and messages the mail server refused.
    """
    now = now or timezone.now()
    result = {
        "tickets": 0,
        "response": 0,
        "solution": 0,
        "resolution": 0,
        "raised": 0,
        "emails": 0,
        "failed": 0,
    }
    with transaction.atomic():
        candidates = list(
            Ticket.objects.filter(state__in=OPEN_STATES)
            .filter(breach_condition(now))
            .select_for_update()
            .order_by("pk")
            .values_list(
                "pk",
                "reference",
                "subject",
                "state",
                "priority",
                "department_id",
                *(field for d in DEADLINES for field in (d.due, d.done, d.breached)),
            )
        )
        if not candidates:
            return result
        groups = defaultdict(list)  # missed deadlines → ticket ids
        escalated = []
        for row in candidates:
            pk, reference, subject, state, priority, department_id, *deadline_values = row
            missed = tuple(
                name
                for index, name in enumerate(d.name for d in DEADLINES)
                if deadline_values[3 * index] is not None
                and deadline_values[3 * index] < now
                and deadline_values[3 * index + 1] is None
                and deadline_values[3 * index + 2] is None
            )
            groups[missed].append(pk)
            escalated.append(
                {
                    "pk": pk,
                    "reference": reference,
                    "subject": subject,
                    "state": state,
                    "priority": priority,
                    "new_priority": min(priority + 1, Priority.URGENT),
                    "department_id": department_id,
                    "missed": missed,
                    "due": {d.name: deadline_values[3 * i] for i, d in enumerate(DEADLINES)},
                }
            )
        size = _chunk_size()
        breach_fields = {d.name: d.breached for d in DEADLINES}
        for missed, ids in groups.items():
            values = {breach_fields[name]: now for name in missed}
            for start in range(0, len(ids), size):
                Ticket.objects.filter(pk__in=ids[start : start + size]).update(
                    priority=Least(F("priority") + 1, Value(int(Priority.URGENT))), **values
                )
            for name in missed:
                result[name] += len(ids)
        with translation.override(settings.LANGUAGE_CODE):
            labels = dict(Priority.choices)
            notes = {}  # a handful of distinct notes: translated once each, not per ticket
            events = []
            for item in escalated:
                key = (item["missed"], item["priority"], item["new_priority"])
                if key not in notes:
                    notes[key] = _escalation_note(item, labels)
                events.append(
                    TicketEvent(
                        ticket_id=item["pk"],
                        at=now,
                        by=None,
                        kind=EventKind.ESCALATION,
                        from_state=item["state"],
                        to_state=item["state"],
                        note=notes[key],
                    )
                )
        TicketEvent.objects.bulk_create(events, batch_size=2000)
    result["tickets"] = len(escalated)
    result["raised"] = sum(1 for item in escalated if item["new_priority"] != item["priority"])
    if notify:
        result["emails"], result["failed"] = notify_supervisors(escalated, now)
    return result


def _escalation_note(item, labels):
    missed = "、".join(str(DEADLINE_NOUNS[name]) for name in item["missed"])
    if item["new_priority"] != item["priority"]:
        return _("Deadline passed: %(deadlines)s. Priority raised from %(old)s to %(new)s.") % {
            "deadlines": missed,
            "old": labels[item["priority"]],
            "new": labels[item["new_priority"]],
        }
    return _("Deadline passed: %(deadlines)s. The priority is already %(priority)s.") % {
        "deadlines": missed,
        "priority": labels[item["priority"]],
    }


# --------------------------------------------------------------------------- e-mail


def supervisors():
    """Active users whose role may verify tickets and who have an e-mail address."""
    roles = [
        role for role, capabilities in perms.ROLE_CAPABILITIES.items() if perms.VERIFY_TICKETS in capabilities
    ]
    return list(User.objects.filter(is_active=True, role__in=roles).exclude(email="").order_by("username"))


def recipients_by_ticket(escalated, people):
    """user → the escalated tickets they are told about (department first, else everyone)."""
    by_department = defaultdict(list)
    for user in people:
        if user.department_id is not None:
            by_department[user.department_id].append(user)
    lists = defaultdict(list)
    for item in escalated:
        for user in by_department.get(item["department_id"]) or people:
            lists[user].append(item)
    return lists


def escalation_email(user, items, now):
    labels = dict(Priority.choices)
    with translation.override(settings.LANGUAGE_CODE):
        rows = [
            {
                "reference": item["reference"],
                "subject": item["subject"],
                "missed": "、".join(str(DEADLINE_NOUNS[name]) for name in item["missed"]),
                "priority": labels[item["new_priority"]],
                "url": absolute_url(reverse("tickets:detail", args=[item["pk"]])),
            }
            for item in items[:MAIL_LIST_LIMIT]
        ]
    context = {
        "user": user,
        "count": len(items),
        "rows": rows,
        "more": max(0, len(items) - MAIL_LIST_LIMIT),
        "overdue_url": absolute_url(reverse("tickets:list") + "?queue=overdue"),
        "now": now,
        "company": getattr(settings, "COMPANY_NAME", ""),
    }
    return build_email(
        "ticket_escalation", context, to=[user.email], headers={"Auto-Submitted": "auto-generated"}
    )


def notify_supervisors(escalated, now):
    """One message per supervisor over one connection; returns (sent, failed)."""
    lists = recipients_by_ticket(escalated, supervisors())
    if not lists:
        if escalated:
            logger.warning("%s tickets escalated but no supervisor has an e-mail address", len(escalated))
        return 0, 0
    sent = failed = 0
    mail = get_connection(fail_silently=False)
    try:
        mail.open()
        for user, items in lists.items():
            try:
                mail.send_messages([escalation_email(user, items, now)])
                sent += 1
            except smtplib.SMTPException as error:
                failed += 1
                logger.warning("escalation e-mail to %s not sent: %s", user.username, error)
    except OSError as error:  # no mail server: the escalation stands, the message is lost
        failed += len(lists) - sent
        logger.warning("mail server unreachable, escalation e-mails not sent: %s", error)
    finally:
        mail.close()
    return sent, failed
