"""The customer's timeline (manyi.customers.timeline): improvements raised from their
complaints, and when they were told what changed. Registered in ImprovementsConfig.ready()."""

from django.utils.translation import gettext as _

from manyi.accounts.permissions import VIEW_IMPROVEMENTS
from manyi.customers.timeline import TimelineEntry

from .models import ImprovementAction


def improvements(customer, user):
    if not user.can(VIEW_IMPROVEMENTS):
        return
    visible = ImprovementAction.objects.for_user(user)
    for improvement in visible.filter(tickets__customer=customer).distinct():
        yield TimelineEntry(
            when=improvement.created_at,
            kind="improvement",
            title=_("Improvement raised from their feedback: %(title)s") % {"title": improvement.title},
            detail=f"{improvement.reference} · {improvement.get_status_display()}",
            url=improvement.get_absolute_url(),
        )
    for notice in customer.improvement_notices.filter(improvement__in=visible).select_related(
        "improvement", "by"
    ):
        yield TimelineEntry(
            when=notice.told_at,
            kind="improvement",
            title=_("Told what changed: %(title)s") % {"title": notice.improvement.title},
            detail=notice.get_channel_display(),
            url=notice.improvement.get_absolute_url(),
            actor=notice.by.display_name if notice.by else "",
        )
