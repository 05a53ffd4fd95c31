"""The customer's timeline (manyi.customers.timeline): the forums they were invited to, whether
they came, and the opinions they raised there. Registered in ForumsConfig.ready()."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from manyi.customers.timeline import TimelineEntry

from .access import ForumScope


def _day(forum):
    return timezone.make_aware(datetime.datetime.combine(forum.held_on, datetime.time.min))


def forums(customer, user):
    visible = ForumScope(user).forums()
    for invitation in customer.forum_invitations.filter(forum__in=visible).select_related("forum__unit"):
        forum = invitation.forum
        if invitation.attended is None:
            status = _("invited")
        else:
            status = _("came") if invitation.attended else _("did not come")
        yield TimelineEntry(
            when=_day(forum),
            kind="forum",
            all_day=True,
            title=_("Customer forum: %(title)s") % {"title": forum.title},
            detail=f"{forum.unit.name} · {forum.place} · {status}",
            url=forum.get_absolute_url(),
        )
    for opinion in customer.forum_opinions.filter(forum__in=visible).select_related("forum", "ticket"):
        detail = opinion.text if opinion.ticket is None else f"{opinion.text} → {opinion.ticket.reference}"
        yield TimelineEntry(
            when=_day(opinion.forum),
            kind="forum",
            all_day=True,
            title=_("Opinion raised at the forum “%(title)s”") % {"title": opinion.forum.title},
            detail=detail,
            url=opinion.get_absolute_url(),
        )
