"""Return visits on the customer's timeline (manyi.customers.timeline), registered in VisitsConfig.ready()."""

from django.utils.translation import gettext as _

from manyi.customers.timeline import TimelineEntry

from .access import VisitScope
from .choices import TaskStatus


def visits(customer, user):
    """Visits done (with the record), and visits given up (unreachable, refused)."""
    tasks = customer.visit_tasks.filter(
        status__in=(TaskStatus.DONE, TaskStatus.UNREACHABLE, TaskStatus.REFUSED)
    ).select_related("record", "agent")
    tasks = list(tasks.order_by("-closed_at")[:100])
    # One query for the links: the visits this reader may open.
    allowed_ids = set(
        VisitScope(user).tasks().filter(pk__in=[t.pk for t in tasks]).values_list("pk", flat=True)
    )
    for task in tasks:
        record = getattr(task, "record", None)
        allowed = task.pk in allowed_ids
        if record is not None:
            detail = ", ".join(str(c) for c in record.contents())
            if record.problem:
                detail += " · " + _("Problem found: %(problem)s") % {"problem": record.problem[:120]}
            yield TimelineEntry(
                when=record.visited_at,
                kind="visit",
                title=_("Return visit: %(purpose)s (%(method)s)")
                % {"purpose": task.purpose, "method": record.get_method_display()},
                detail=detail,
                url=record.get_absolute_url() if allowed else "",
                actor=record.agent.display_name if record.agent else "",
            )
        elif task.closed_at:
            yield TimelineEntry(
                when=task.closed_at,
                kind="visit",
                title=_("Return visit not made: %(purpose)s (%(status)s)")
                % {"purpose": task.purpose, "status": task.get_status_display()},
                url=task.get_absolute_url() if allowed else "",
                actor=task.agent.display_name if task.agent else "",
            )
