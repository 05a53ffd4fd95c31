"""The channels that carry invitations to customers: one module each, one small interface.

A channel (``email.py``, ``sms/``) is an object with
- ``channel``: the ``Channel`` of the invitations it carries;
- ``reachable(invitations)``: those of them it may send to now (the customer may be
  contacted, the invitation has an address for it, the channel is configured);
- ``send(invitations, *, reminder)``: send invitations already claimed here, write each one's
  outcome (``delivery_status``, ``error``, ``provider_message_id``) and give back with
  ``release`` those it could not try; returns (sent, failed).

Sending is at most once per invitation whatever the channel: a batch is first claimed with a
conditional UPDATE (issued → sent; reminders_sent k-1 → k), then sent, so two workers never
send one invitation twice. Customers who opted out, withdrew consent or were erased are never
sent to. Invitations of the other channels (a personal link staff share by WeChat or in
person, a phone interview, a visit) are sent by no one: staff find the link on the
invitation's page (``campaigns:invitation``).
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ..choices import Channel, DeliveryStatus, InvitationStatus
from ..models import Invitation, OptOut

# Invitations that can still be answered, and so may be reminded.
OPEN_STATUSES = (InvitationStatus.SENT, InvitationStatus.OPENED, InvitationStatus.STARTED)

# Channels whose invitations go out by themselves.
SENDING_CHANNELS = (Channel.EMAIL, Channel.SMS)


# Said wherever staff would contact a customer the rule below refuses.
NOT_CONTACTABLE = gettext_lazy(
    "This customer may not be contacted for surveys (opted out, no consent or erased)."
)


def may_be_contacted(prefix=""):
    """The one rule of who may still be contacted for surveys, as a condition on Customer
    (`prefix` "customer__" for a model pointing to one): consent given, personal data not
    erased, not opted out. Every channel, the target list, chase calls and shared links use it."""
    return Q(
        **{
            f"{prefix}consent_to_contact": True,
            f"{prefix}erased_at__isnull": True,
            f"{prefix}survey_opt_out__isnull": True,
        }
    )


def contactable(invitations):
    """Invitations whose customer may still be contacted (the rule every channel applies)."""
    return invitations.filter(may_be_contacted("customer__"))


def may_contact(invitation):
    """Whether this invitation's customer may still be contacted, as it is in the database now."""
    return contactable(Invitation.objects.filter(pk=invitation.pk)).exists()


def opt_out(customer_ids, *, now=None, invitations=None):
    """Opt these customers out of surveys: an OptOut each (`invitations`: customer id → the
    invitation they opted out by), and every invitation of theirs not answered, in every
    campaign, marked opted out, so that no channel sends it, no agent interviews them for it
    and its link takes no answer. Returns how many customers were newly opted out."""
    now = now or timezone.now()
    customer_ids = sorted(set(customer_ids))
    added = 0
    for customer_id in customer_ids:
        _opt_out, created = OptOut.objects.get_or_create(
            customer_id=customer_id,
            defaults={"at": now, "invitation_id": (invitations or {}).get(customer_id)},
        )
        added += created
    Invitation.objects.filter(customer_id__in=customer_ids).exclude(
        status__in=(InvitationStatus.COMPLETED, InvitationStatus.OPTED_OUT)
    ).update(status=InvitationStatus.OPTED_OUT)
    return added


def all_channels():
    """The channels that send, by their Channel (imported here: email.py imports mailing.py,
    which imports this package for ``release``)."""
    from .email import EmailChannel
    from .sms import SmsChannel

    return {channel.channel: channel for channel in (EmailChannel(), SmsChannel())}


def _chosen(only):
    channels = all_channels()
    return [channels[name] for name in (only or channels)]


def release(invitation_ids, *, reminder):
    """Give claimed invitations back unsent, for a later run (the gateway or mail server could
    not be reached): nobody is invited twice, nobody is forgotten."""
    if reminder:
        Invitation.objects.filter(pk__in=invitation_ids).update(reminders_sent=F("reminders_sent") - 1)
    else:
        Invitation.objects.filter(pk__in=invitation_ids).update(
            status=InvitationStatus.ISSUED, sent_at=None, delivery_status=DeliveryStatus.NONE, claimed_at=None
        )


def _claimed(ids):
    return list(
        Invitation.objects.filter(pk__in=ids)
        .select_related("campaign__questionnaire", "customer", "contact")
        .order_by("pk")
    )


def _claim(ids, now):
    """Claim these issued invitations for sending (issued → sent, `claimed_at` stamped: see
    recovery.py); returns (the ids this call claimed, its stamp): another worker's claim has
    another time."""
    stamp = timezone.now()
    Invitation.objects.filter(pk__in=ids, status=InvitationStatus.ISSUED).update(
        status=InvitationStatus.SENT,
        sent_at=now,
        delivery_status=DeliveryStatus.PENDING,
        error="",
        claimed_at=stamp,
    )
    mine = Invitation.objects.filter(pk__in=ids, sent_at=now, claimed_at=stamp)
    return list(mine.values_list("pk", flat=True)), stamp


def send_invitations(campaign, now=None, limit=None, only=None):
    """Send the campaign's unsent invitations through each channel (``only``: these
    Channels); returns (sent, failed). Claimed one batch at a time (EMAIL_BATCH_SIZE, at most
    900 for SQLite's parameter limit), so a claim is held for as long as one batch takes, which
    SEND_CLAIM_LEASE_MINUTES must exceed (recovery.py); once the channel has written each
    outcome the claim is cleared."""
    now = now or timezone.now()
    sent = failed = 0
    size = max(1, min(900, settings.EMAIL_BATCH_SIZE))
    for channel in _chosen(only):
        due = channel.reachable(campaign.invitations.filter(status=InvitationStatus.ISSUED))
        ids = list(due.values_list("pk", flat=True)[:limit])
        for start in range(0, len(ids), size):
            claimed, stamp = _claim(ids[start : start + size], now)
            channel_sent, channel_failed = channel.send(_claimed(claimed), reminder=False)
            # Only this claim's: a claim recovered and taken since by another worker stays its.
            Invitation.objects.filter(pk__in=claimed, claimed_at=stamp).update(claimed_at=None)
            sent, failed = sent + channel_sent, failed + channel_failed
            if claimed and not channel_sent + channel_failed:
                break  # nothing went through (server or gateway unreachable): the rest waits
    return sent, failed


def reminder_due_number(campaign, invitation_sent_at, now):
    """How many reminders should have gone out by `now` for an invitation sent then."""
    days = sorted(d for d in campaign.reminder_days if d > 0)
    return sum(1 for d in days if now >= invitation_sent_at + timedelta(days=d))


def reminders_due(campaign, now):
    """The condition of the invitations owed a reminder at `now`: sent at least the k-th
    reminder day ago and reminded fewer than k times (reminder_due_number, in the database)."""
    days = sorted(d for d in campaign.reminder_days if d > 0)
    due = Q(pk__in=[])
    for number, day in enumerate(days, start=1):
        due |= Q(reminders_sent__lt=number, sent_at__lte=now - timedelta(days=day))
    return due


def send_reminders(campaign, now=None, only=None):
    """Remind non-responders on the campaign's reminder days, through the channel that invited
    them (each reminder at most once)."""
    now = now or timezone.now()
    if campaign.deadline and now >= campaign.deadline:
        return 0, 0
    sent = failed = 0
    for channel in _chosen(only):
        candidates = channel.reachable(
            campaign.invitations.filter(reminders_due(campaign, now), status__in=OPEN_STATUSES)
        )
        claimed = []
        for pk, sent_at, reminders_sent in candidates.values_list("pk", "sent_at", "reminders_sent"):
            due = reminder_due_number(campaign, sent_at, now)
            if due > reminders_sent:
                won = Invitation.objects.filter(pk=pk, reminders_sent=reminders_sent).update(
                    reminders_sent=due, last_reminded_at=now
                )
                if won:
                    claimed.append(pk)
        channel_sent, channel_failed = channel.send(_claimed(claimed), reminder=True)
        sent, failed = sent + channel_sent, failed + channel_failed
    return sent, failed


def due_work(campaign, now):
    """(invitations to send, reminders to send) for the periodic job's decision."""
    invite = remind = False
    owed = reminders_due(campaign, now)
    for channel in all_channels().values():
        unsent = channel.reachable(campaign.invitations.filter(status=InvitationStatus.ISSUED))
        invite = invite or ((campaign.invite_at is None or campaign.invite_at <= now) and unsent.exists())
        remind = (
            remind or channel.reachable(campaign.invitations.filter(owed, status__in=OPEN_STATUSES)).exists()
        )
    return invite, remind


def mark_shared(invitation, now=None):
    """Staff passed an issued invitation's personal link on by hand (WeChat, in person): it is
    sent from now on, once. Invitations a channel sends (e-mail, SMS) are not marked by hand.
    Returns whether it was marked."""
    now = now or timezone.now()
    marked = (
        Invitation.objects.filter(pk=invitation.pk, status=InvitationStatus.ISSUED)
        .exclude(channel__in=SENDING_CHANNELS)
        .update(status=InvitationStatus.SENT, sent_at=now)
    )
    if marked:
        invitation.status, invitation.sent_at = InvitationStatus.SENT, now
    return bool(marked)


def delivery_counts(campaign, user=None):
    """The campaign's invitations by channel and delivery status, for its page: one row per
    channel used, {"channel", "label", "total", "statuses": {delivery status: count}}, where
    the status "" (not sent by us) is "none". `user`: counted over the customers of the user's
    organisation units (a region reads its part of a group campaign; organisation/access.py);
    None: every invitation."""
    from manyi.organisation.access import limit_to_units

    invitations = Invitation.objects.filter(campaign=campaign)
    if user is not None:
        invitations = limit_to_units(invitations, user, "customer__unit")
    rows = {}
    counted = invitations.values("channel", "delivery_status").annotate(n=Count("status")).order_by()
    for row in counted:
        channel = row["channel"]
        entry = rows.setdefault(
            channel,
            {
                "channel": channel,
                "label": Channel(channel).label if channel in Channel.values else channel,
                "total": 0,
                "statuses": dict.fromkeys((status or "none" for status in DeliveryStatus.values), 0),
            },
        )
        entry["total"] += row["n"]
        status = row["delivery_status"] or "none"
        entry["statuses"][status] = entry["statuses"].get(status, 0) + row["n"]
    order = list(Channel.values)
    return sorted(
        rows.values(), key=lambda entry: order.index(entry["channel"]) if entry["channel"] in order else 99
    )
