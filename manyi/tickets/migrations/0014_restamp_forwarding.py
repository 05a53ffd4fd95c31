"""Existing tickets get the forwarding deadline, measured where seed 002 measures it.

Seed 002: “接到客户反馈后半个工作日内通过电子邮件分别发送给质量部、技术部等相关部门”. The
default policy of 0002 (“标准 (seed 002)”) put that half working day into the first response,
which acknowledging meets, so a ticket acknowledged at once but forwarded a day late counted as
on time. What this migration does:

- the default policy named “标准 (seed 002)” gets ``forwarding`` = 3 h 45 min of working time
  (half of the 7.5-hour office day of its calendar) unless an administrator set one; its first
  response (also half a working day) is left as it was. Other policies get no forwarding time:
  their administrators set one if they want it.
- every ticket's ``forwarded_at`` is re-stamped from its history: the first transition into
  “assigned” (the assignment to a responsible department), or into “closed as invalid /
  duplicate” when that came first (nothing was left to forward), as the workflow does now.
  Tickets without such an event stay unforwarded.
- every ticket whose policy has a forwarding time gets ``forwarding_due`` counted from its
  receipt in that policy's clock (working calendar with its holidays and make-up days).
- open tickets whose forwarding deadline had already passed unforwarded get the breach recorded
  at the time of the migration, so they show as missed (overdue queue, ticket page, statistics)
  without the next SLA sweep mailing the supervisors about deadlines nobody could see before.

Reversing it clears the re-stamped fields and the default policy's forwarding time.
"""

from datetime import timedelta

from django.db import migrations
from django.db.models import Min
from django.utils import timezone

from manyi.tickets import sla

DEFAULT_POLICY = "标准 (seed 002)"
HALF_WORKING_DAY = timedelta(hours=3, minutes=45)
FORWARDED_STATES = ("assigned", "invalid", "duplicate")
OPEN_STATES = ("new", "acknowledged", "assigned", "investigating", "action", "replied", "verified")
BATCH = 2000


def _calendar(policy):
    if policy.clock != "working" or policy.calendar is None:
        return None
    calendar = policy.calendar
    days = list(calendar.days.values_list("date", "is_working_day"))
    week = {int(day): [str(text) for text in ranges] for day, ranges in (calendar.hours or {}).items()}
    return sla.WorkCalendar.from_text(
        week,
        {day for day, working in days if not working},
        {day for day, working in days if working},
        zone=calendar.time_zone,
    )


def restamp(apps, schema_editor):
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    Ticket = apps.get_model("tickets", "Ticket")
    TicketEvent = apps.get_model("tickets", "TicketEvent")
    SlaPolicy.objects.filter(name=DEFAULT_POLICY, forwarding__isnull=True).update(forwarding=HALF_WORKING_DAY)
    policies = {
        policy.pk: (policy.forwarding, _calendar(policy))
        for policy in SlaPolicy.objects.filter(forwarding__isnull=False).select_related("calendar")
    }
    forwarded = dict(
        TicketEvent.objects.filter(kind="transition", to_state__in=FORWARDED_STATES)
        .order_by()
        .values_list("ticket_id")
        .annotate(first=Min("at"))
        .values_list("ticket_id", "first")
    )
    now = timezone.now()
    changed = []
    tickets = Ticket.objects.only("pk", "state", "received_at", "sla_policy_id").order_by("pk")
    for ticket in list(tickets):  # read first: SQLite does not like writes under an open cursor
        ticket.forwarded_at = forwarded.get(ticket.pk)
        policy = policies.get(ticket.sla_policy_id)
        ticket.forwarding_due = sla.deadline(ticket.received_at, *policy) if policy else None
        late = (
            ticket.state in OPEN_STATES
            and ticket.forwarded_at is None
            and ticket.forwarding_due is not None
            and ticket.forwarding_due < now
        )
        ticket.forwarding_breached_at = now if late else None
        if ticket.forwarded_at or ticket.forwarding_due:
            changed.append(ticket)
    fields = ["forwarded_at", "forwarding_due", "forwarding_breached_at"]
    Ticket.objects.bulk_update(changed, fields, batch_size=BATCH)


def unstamp(apps, schema_editor):
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    Ticket = apps.get_model("tickets", "Ticket")
    Ticket.objects.update(forwarded_at=None, forwarding_due=None, forwarding_breached_at=None)
    SlaPolicy.objects.filter(name=DEFAULT_POLICY, forwarding=HALF_WORKING_DAY).update(forwarding=None)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0013_forwarding_deadline_and_demand_policies")]

    operations = [migrations.RunPython(restamp, unstamp)]
