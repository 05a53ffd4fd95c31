# ruff: noqa: S608 -- identifiers come from the models' metadata, quoted; values are parameters.
"""The SLA sweep (issue 5, item 4): record breached deadlines, escalate, tell the supervisors.

``escalate_breaches`` looks at the open tickets whose first-response, forwarding,
first-solution or resolution deadline has passed while the step it guards is not done and no breach has been
recorded for it yet. For each such ticket, in one transaction:

- the breach instant is recorded (``response_breached_at``, ``forwarding_breached_at``,
  ``solution_breached_at``, ``resolution_breached_at``) — this is what makes the sweep idempotent: a recorded breach is
  never escalated again (reopening clears the resolution breach, so a reopened ticket that
  misses its new deadline is escalated again);
- the priority goes up one step (at most to urgent), once per sweep even when several
  deadlines were missed at once;
- a ``TicketEvent`` of kind escalation says which deadlines were missed and the priority change.

Everything is set-based. The candidates are locked (SELECT … FOR UPDATE, in id order) until the
end, so two sweeps never escalate the same breach twice and no transition interleaves. On
PostgreSQL the lock, the UPDATE and the events' INSERT are one statement that returns only
what the e-mails need. On 100,000 tickets (~32,600 escalated, bench/feedback.py) that takes
~1.7 s, most of it the server maintaining the indexes: raising the priority, which the
queue-order index holds, rules out HOT updates, so each escalated row gets a new entry in every
index of the table. Reading the candidates into Python and sending 32,600 updates and events
back took 5.7 s. Other databases take the ORM path: one UPDATE per combination of missed
deadlines and chunk of ids, the events made by ``Ticket.new_event`` (what ``record_event``, the
one door to a ticket's history, writes) and saved with ``bulk_create``. The PostgreSQL
statement is the one writer of events outside that door, for its speed; a PostgreSQL test
checks that both paths leave the same tickets and events.

After the commit the supervisors — active users whose role has ``tickets.verify``, with an
e-mail address — get one message each listing their breached tickets: those of their
department, and those without a department or of a department without a supervisor. A mail
server that is down does not undo the escalation; the failures are counted and logged.
"""

import logging
from collections import defaultdict

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Least
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from manyi.accounts import permissions as perms
from manyi.accounts.models import User
from manyi.customers.masking import private_text
from manyi.emails import build_email, send_each
from manyi.links import absolute_url
from manyi.organisation.access import may_see_unit

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

    Returns ``{"tickets", "response", "forwarding", "solution", "resolution", "raised", "emails",
    "failed"}``: tickets escalated, breaches per deadline, priorities raised, messages sent
    and messages the mail server refused.
    """
    now = now or timezone.now()
    result = {
        "tickets": 0,
        **{d.name: 0 for d in DEADLINES},
        "raised": 0,
        "emails": 0,
        "failed": 0,
    }
    with transaction.atomic():
        if connection.vendor == "postgresql":
            escalated = _escalate_in_one_statement(now)
        else:
            escalated = _escalate_with_the_orm(now)
    if not escalated:
        return result
    for item in escalated:
        for name in item["missed"]:
            result[name] += 1
    result["tickets"] = len(escalated)
    result["raised"] = sum(1 for item in escalated if item["new_priority"] != item["priority"])
    if notify:
        result["emails"], result["failed"] = notify_supervisors(escalated, now)
    return result


def _escalated(pk, reference, subject, state, priority, department_id, missed):
    """What the e-mails and the counts need of an escalated ticket."""
    return {
        "pk": pk,
        "reference": reference,
        "subject": subject,
        "state": state,
        "priority": priority,
        "new_priority": min(priority + 1, Priority.URGENT),
        "department_id": department_id,
        "missed": missed,
    }


def _escalate_with_the_orm(now):
    deadline_fields = [field for d in DEADLINES for field in (d.due, d.done, d.breached)]
    candidates = list(
        Ticket.objects.filter(state__in=OPEN_STATES)
        .filter(breach_condition(now))
        .select_for_update()
        .order_by("pk")
        .only("reference", "subject", "state", "priority", "department", *deadline_fields)
    )
    if not candidates:
        return []
    groups = defaultdict(list)  # missed deadlines → ticket ids
    escalated = []
    for ticket in candidates:
        missed = tuple(
            d.name
            for d in DEADLINES
            if getattr(ticket, d.due) is not None
            and getattr(ticket, d.due) < now
            and getattr(ticket, d.done) is None
            and getattr(ticket, d.breached) is None
        )
        groups[missed].append(ticket.pk)
        escalated.append(
            _escalated(
                ticket.pk,
                ticket.reference,
                ticket.subject,
                ticket.state,
                ticket.priority,
                ticket.department_id,
                missed,
            )
        )
    size = _chunk_size()
    breach_fields = {d.name: d.breached for d in DEADLINES}
    for missed, ids in groups.items():
        values = {breach_fields[name]: now for name in missed}
        for start in range(0, len(ids), size):
            Ticket.objects.filter(pk__in=ids[start : start + size]).update(
                priority=Least(F("priority") + 1, Value(int(Priority.URGENT))), **values
            )
    with translation.override(settings.LANGUAGE_CODE):
        labels = dict(Priority.choices)
        notes = {}  # a handful of distinct notes: translated once each, not per ticket
        events = []
        for ticket, item in zip(candidates, escalated, strict=True):
            key = (item["missed"], item["priority"], item["new_priority"])
            if key not in notes:
                notes[key] = _escalation_note(item["missed"], item["priority"], item["new_priority"], labels)
            events.append(ticket.new_event(EventKind.ESCALATION, notes[key], at=now))
    TicketEvent.objects.bulk_create(events, batch_size=2000)
    return escalated


# Missed deadlines as bits (DEADLINES order) → the tuple of their names, for every combination.
MISSED_BY_BITS = {
    bits: tuple(d.name for index, d in enumerate(DEADLINES) if bits & (1 << index))
    for bits in range(1, 1 << len(DEADLINES))
}


def _escalate_in_one_statement(now):
    """PostgreSQL: lock the candidates, update them and insert their events in one statement.

    The events' notes are the few distinct texts (missed deadlines × priority) translated here
    and joined in by the server, so no row goes from Python to the server; what comes back is
    what the counts and the e-mails use.
    """
    with translation.override(settings.LANGUAGE_CODE):
        labels = dict(Priority.choices)
        notes = {
            (bits, old): _escalation_note(missed, old, min(old + 1, Priority.URGENT), labels)
            for bits, missed in MISSED_BY_BITS.items()
            for old in labels
        }
    each_deadline = [now] * len(DEADLINES)
    params = [
        *each_deadline,  # the missed bits
        [str(s) for s in OPEN_STATES],
        *each_deadline,  # the candidates
        int(Priority.URGENT),
        *each_deadline,  # the breach times set
        now,
        str(EventKind.ESCALATION),
        [bits for bits, _old in notes],
        [old for _bits, old in notes],
        list(notes.values()),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_escalation_sql(), params)
        rows = cursor.fetchall()
    unknown = {old for *_fields, old, _department, _bits in rows if old not in labels}
    if unknown:  # no note for it, so no event: undo the sweep rather than escalate silently
        raise ValueError(f"tickets with a priority that is not a choice: {sorted(unknown)}")
    return [
        _escalated(pk, reference, subject, state, old, department_id, MISSED_BY_BITS[bits])
        for pk, reference, subject, state, old, department_id, bits in rows
    ]


def _escalation_sql():
    """The statement of _escalate_in_one_statement. Its parameters: the time once per deadline
    (the missed bits), the open states, the time once per deadline (the candidates), the top
    priority, the time once per deadline (the breach times set), the events' time and kind, and
    the notes as three arrays (missed bits, priority, text)."""
    qn = connection.ops.quote_name

    def ticket(name):
        return qn(Ticket._meta.get_field(name).column)

    def event(name):
        return qn(TicketEvent._meta.get_field(name).column)

    pk, priority, state = ticket("id"), ticket("priority"), ticket("state")
    missed_terms, where_terms, set_terms = [], [], []
    for index, d in enumerate(DEADLINES):
        condition = f"{ticket(d.due)} < %s AND {ticket(d.done)} IS NULL AND {ticket(d.breached)} IS NULL"
        missed_terms.append(f"CASE WHEN {condition} THEN {1 << index} ELSE 0 END")
        where_terms.append(f"({condition})")
        set_terms.append(
            f"{ticket(d.breached)} = CASE WHEN c.missed & {1 << index} <> 0 THEN %s ELSE t.{ticket(d.breached)} END"
        )
    event_columns = ", ".join(
        event(name) for name in ("ticket", "at", "by", "kind", "from_state", "to_state", "note")
    )
    return f"""
        WITH c AS (
            SELECT {pk}, {priority}, ({" + ".join(missed_terms)}) AS missed
            FROM {qn(Ticket._meta.db_table)}
            WHERE {state} = ANY(%s) AND ({" OR ".join(where_terms)})
            ORDER BY {pk}
            FOR UPDATE
        ), updated AS (
            UPDATE {qn(Ticket._meta.db_table)} t
            SET {priority} = LEAST(t.{priority} + 1, %s), {", ".join(set_terms)}
            FROM c
            WHERE t.{pk} = c.{pk}
            RETURNING t.{pk} AS pk, t.{ticket("reference")} AS reference, t.{ticket("subject")} AS subject,
                t.{state} AS state, c.{priority} AS old_priority, t.{ticket("department")} AS department_id,
                c.missed
        ), events AS (
            INSERT INTO {qn(TicketEvent._meta.db_table)} ({event_columns})
            SELECT u.pk, %s, NULL, %s, u.state, u.state, n.note
            FROM updated u
            JOIN UNNEST(%s::integer[], %s::integer[], %s::text[]) AS n (missed, priority, note)
                ON n.missed = u.missed AND n.priority = u.old_priority
            ORDER BY u.pk
        )
        SELECT pk, reference, subject, state, old_priority, department_id, missed FROM updated ORDER BY pk
    """


def _escalation_note(missed, priority, new_priority, labels):
    deadlines = "、".join(str(DEADLINE_NOUNS[name]) for name in missed)
    if new_priority != priority:
        return _("Deadline passed: %(deadlines)s. Priority raised from %(old)s to %(new)s.") % {
            "deadlines": deadlines,
            "old": labels[priority],
            "new": labels[new_priority],
        }
    return _("Deadline passed: %(deadlines)s. The priority is already %(priority)s.") % {
        "deadlines": deadlines,
        "priority": labels[priority],
    }


# --------------------------------------------------------------------------- e-mail


def supervisors():
    """Active users whose role may verify tickets and who have an e-mail address."""
    roles = [
        role for role, capabilities in perms.ROLE_CAPABILITIES.items() if perms.VERIFY_TICKETS in capabilities
    ]
    return list(User.objects.filter(is_active=True, role__in=roles).exclude(email="").order_by("username"))


def recipients_by_ticket(escalated, people):
    """user → the escalated tickets they are told about (department first, else everyone),
    among the supervisors who see the ticket's organisation unit (a region's supervisors are
    told of their region's tickets only; organisation/access.py)."""
    units = dict(
        Ticket.objects.filter(pk__in=[item["pk"] for item in escalated]).values_list("pk", "unit_id")
    )
    lists = defaultdict(list)
    for item in escalated:
        seeing = [user for user in people if may_see_unit(user, units.get(item["pk"]))]
        department = [user for user in seeing if user.department_id == item["department_id"]]
        for user in (department if item["department_id"] is not None else []) or seeing:
            lists[user].append(item)
    return lists


def escalation_email(user, items, now):
    with translation.override(settings.LANGUAGE_CODE):
        # Translated once per distinct value, not once per row (and not again by the template).
        labels = {value: str(label) for value, label in Priority.choices}
        missed_texts = {}
        rows = []
        for item in items[:MAIL_LIST_LIMIT]:
            missed = item["missed"]
            if missed not in missed_texts:
                missed_texts[missed] = "、".join(str(DEADLINE_NOUNS[name]) for name in missed)
            rows.append(
                {
                    "reference": item["reference"],
                    # A subject may quote the customer (public feedback): masked as on the pages.
                    "subject": private_text(item["subject"], user),
                    "missed": missed_texts[missed],
                    "priority": labels[item["new_priority"]],
                    "url": absolute_url(reverse("tickets:detail", args=[item["pk"]])),
                }
            )
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
    return send_each([escalation_email(user, items, now) for user, items in lists.items()])
