"""Chasing non-responders by phone (电话催收).

Seed 000, 2018 report: "以EMAIL或邮寄问卷调查为主,佐以电话催收问卷,回收方式为传真、邮寄或EMAIL";
REQUIREMENTS §3: "deadline (default 7 days); reminders (电话催收); response-rate tracking against a
target". Agents call the customers who have not answered from the campaign's non-responders list
and record each call's outcome on the invitation (ChaseCall).
"""

from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from .channels import NOT_CONTACTABLE, contactable, may_contact
from .choices import ChaseOutcome, InvitationStatus
from .models import ChaseCall

# An invitation that may still be answered: not answered, not opted out.
ANSWERED_OR_OPTED_OUT = (InvitationStatus.COMPLETED, InvitationStatus.OPTED_OUT)


class ChaseError(ValueError):
    """A chase call that may not be recorded; the message is for the user."""


def non_responders(campaign):
    """The campaign's invitations not answered yet whose customers may be contacted (consent,
    not erased, not opted out), each with its number of chase calls (`calls`) and the last
    call's outcome, time and note (`last_outcome`, `last_called_at`, `last_note`); those never
    called first, then
    those called longest ago."""
    last = ChaseCall.objects.filter(invitation=OuterRef("pk")).order_by("-at", "-pk")
    return (
        contactable(campaign.invitations.exclude(status__in=ANSWERED_OR_OPTED_OUT))
        .select_related("customer", "contact")
        .annotate(
            calls=Count("chase_calls"),
            last_outcome=Subquery(last.values("outcome")[:1]),
            last_called_at=Subquery(last.values("at")[:1]),
            last_note=Subquery(last.values("note")[:1]),
        )
        .order_by("calls", "last_called_at", "customer__code", "pk")
    )


def refusal_to_chase(invitation, now=None):
    """Why no chase call may be recorded for the invitation now, or "" when one may: a customer
    who answered, opted out or may no longer be contacted is not called, nor anyone once the
    campaign takes no answers."""
    if invitation.status == InvitationStatus.COMPLETED:
        return _("This customer has already answered.")
    if invitation.status == InvitationStatus.OPTED_OUT or not may_contact(invitation):
        return str(NOT_CONTACTABLE)
    refusal = invitation.campaign.refusal_to_answer(now)
    return str(refusal.label) if refusal else ""


def record_chase_call(invitation, *, by, outcome, note="", now=None):
    """Record a chase call's outcome on the invitation; refuses (ChaseError) what
    refusal_to_chase refuses and an outcome that is not one of ChaseOutcome."""
    now = now or timezone.now()
    if outcome not in ChaseOutcome.values:
        raise ChaseError(_("Choose the outcome of the call."))
    refusal = refusal_to_chase(invitation, now)
    if refusal:
        raise ChaseError(refusal)
    return ChaseCall.objects.create(invitation=invitation, at=now, by=by, outcome=outcome, note=note[:300])
