"""Timeline providers for the customer page (manyi.customers.timeline).

Register them in CampaignsConfig.ready():

    from manyi.customers import timeline
    from . import timeline as campaign_timeline
    timeline.register(campaign_timeline.invitations)
    timeline.register(campaign_timeline.responses)
"""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from manyi.customers.timeline import TimelineEntry

from .answering import can_see_individual_answers


def invitations(customer, user):
    """Survey invitations sent to the customer and opened by them."""
    for invitation in customer.invitations.select_related("campaign"):
        name = invitation.campaign.name
        if invitation.sent_at:
            yield TimelineEntry(
                when=invitation.sent_at,
                kind="survey",
                title=_("Survey invitation sent: %(campaign)s") % {"campaign": name},
                detail=invitation.get_channel_display(),
            )
        if invitation.opened_at:
            yield TimelineEntry(
                when=invitation.opened_at,
                kind="survey",
                title=_("Survey link opened: %(campaign)s") % {"campaign": name},
            )


def _response_url(response):
    try:
        return reverse("entry:response", args=[response.pk])
    except NoReverseMatch:  # the entry URLs are not mounted
        return ""


def responses(customer, user):
    """Completed responses with index and grade; a link when the user may see the answers."""
    for response in customer.responses.completed().select_related("campaign", "agent"):
        allowed = can_see_individual_answers(user, response.campaign)
        if not allowed:
            detail = _("The answers of this survey are confidential.")
        elif response.index is not None:
            detail = _("Satisfaction index %(index).1f, %(grade)s") % {
                "index": response.index,
                "grade": response.grade,
            }
        elif response.valid is False:
            detail = _("Not valid for the index")
        else:
            detail = ""
        yield TimelineEntry(
            when=response.completed_at,
            kind="survey",
            title=_("Survey answered: %(campaign)s") % {"campaign": response.campaign.name},
            detail=detail,
            url=_response_url(response) if allowed else "",
            actor=response.agent.display_name if response.agent else "",
        )
