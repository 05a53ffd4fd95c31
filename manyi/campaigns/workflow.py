"""A campaign's life: issue invitations, start, close, reopen, and its live counts.

Every state change goes through ``_transition``, which refuses what the state does not allow
with a message for the user (``CampaignError``) and records a ``CampaignEvent`` (who, when,
from, to, why). Nothing here sends: ``on_started`` is where sending (channels/) is hooked in.
"""

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from manyi.customers.choices import ContactMethod
from manyi.customers.models import Contact, Customer
from manyi.organisation.access import limit_to_units

from . import quotas, recurrence
from .channels import SENDING_CHANNELS, sms
from .choices import CampaignState, Channel, InvitationStatus, VoiceRule
from .models import Campaign, CampaignEvent, Invitation, Response
from .targeting import draw_sample


class CampaignError(ValueError):
    """A change the campaign's state or settings do not allow; the message is for the user."""


# Invitation statuses at or past each step, for the counts.
SENT_OR_LATER = (
    InvitationStatus.SENT,
    InvitationStatus.OPENED,
    InvitationStatus.STARTED,
    InvitationStatus.COMPLETED,
)
OPENED_OR_LATER = (InvitationStatus.OPENED, InvitationStatus.STARTED, InvitationStatus.COMPLETED)
STARTED_OR_LATER = (InvitationStatus.STARTED, InvitationStatus.COMPLETED)

# Channels that invite named customers (one invitation each); only the anonymous link does not.
# Paper (mail, fax, Excel) is addressed to named customers too: seed 000's 2018 survey went out
# "以EMAIL或邮寄问卷调查为主,佐以电话催收问卷,回收方式为传真、邮寄或EMAIL", and the paper import
# accepts answers only for invited customers, so a paper campaign must issue its invitations.
PERSONAL_CHANNELS = (
    Channel.EMAIL,
    Channel.SMS,
    Channel.WEB,
    Channel.PHONE,
    Channel.VISIT,
    Channel.PAPER,
)


def invitation_channel(campaign, email, mobile="", preferred=ContactMethod.ANY):
    """How one customer is invited: the customer's preferred contact method decides, among the
    campaign's channels the customer can be reached by.

    - e-mail when preferred and there is an address; SMS when preferred, there is a mobile
      number and SMS is configured (channels/sms); WeChat or in person: the personal link,
      which staff copy or show as a QR code (Channel.WEB); phone: a phone interview;
    - otherwise (no preference, or the preferred way is impossible) e-mail if there is an
      address, else SMS if there is a mobile number, else the campaign's first of web, phone,
      visit and paper, else the personal link.
    A paper invitation (a questionnaire mailed or faxed, answers typed in or imported from
    Excel) is sent by no one: it stays issued until its answer comes back.
    Customers who opted out, withdrew consent or were erased are never sent anything whatever
    the channel (channels.contactable).
    """
    channels = campaign.channels or []
    can_email = bool(email) and Channel.EMAIL in channels
    can_sms = bool(mobile) and Channel.SMS in channels and sms.configured()
    if preferred == ContactMethod.EMAIL and can_email:
        return Channel.EMAIL
    if preferred == ContactMethod.SMS and can_sms:
        return Channel.SMS
    if preferred in (ContactMethod.WECHAT, ContactMethod.VISIT):
        return Channel.WEB
    if preferred == ContactMethod.PHONE and Channel.PHONE in channels:
        return Channel.PHONE
    if can_email:
        return Channel.EMAIL
    if can_sms:
        return Channel.SMS
    for channel in (Channel.WEB, Channel.PHONE, Channel.VISIT, Channel.PAPER):
        if channel in channels:
            return channel
    return Channel.WEB


def issue_invitations(campaign):
    """One invitation per sampled customer (or, under the per-contact voice rule, per contact
    person of each sampled customer); running it again never duplicates. Returns the new count.

    The e-mail address and the mobile number are the contact's, for a customer-wide invitation
    the customer's own else its primary contact's (copied, so a later change of the customer
    record does not redirect a sent link). Seed 000's 彩管 survey gave its questionnaires to the
    key people of each customer (采购专员、工艺或技术人员: 45 for 9 customers); a customer without
    contacts is asked once. The channel follows the customer's preferred contact method
    (invitation_channel).
    """
    if not any(channel in PERSONAL_CHANNELS for channel in campaign.channels or []):
        return 0  # an anonymous-only campaign has no personal invitations
    every_contact = campaign.voice == VoiceRule.CONTACT
    ids = draw_sample(campaign)
    already = set(campaign.invitations.values_list("customer_id", "contact_id"))
    invited_customers = {customer for customer, _contact in already}
    new_ids = ids if every_contact else [pk for pk in ids if pk not in invited_customers]
    created = 0
    batch = 2000
    for start in range(0, len(new_ids), batch):
        chunk = new_ids[start : start + batch]
        own = {
            pk: (email, phone, preferred)
            for pk, email, phone, preferred in Customer.objects.filter(pk__in=chunk).values_list(
                "pk", "email", "phone", "preferred_contact_method"
            )
        }
        people = Contact.objects.filter(customer_id__in=chunk)
        if not every_contact:
            people = people.filter(is_primary=True)
        contacts = {}
        for customer_id, contact_id, email, phone in people.order_by(
            "customer_id", "-is_primary", "pk"
        ).values_list("customer_id", "pk", "email", "phone"):
            contacts.setdefault(customer_id, []).append((contact_id, email, phone))
        invitations = []
        for pk in chunk:
            customer_email, customer_phone, preferred = own.get(pk, ("", "", ""))
            found = contacts.get(pk, [(None, "", "")])
            for contact_id, contact_email, contact_phone in found if every_contact else found[:1]:
                if (pk, contact_id) in already:
                    continue
                # A person's own address first when each person is asked; the company's else.
                emails = (contact_email, customer_email) if every_contact else (customer_email, contact_email)
                phones = (contact_phone, customer_phone) if every_contact else (customer_phone, contact_phone)
                email = next((e for e in emails if e), "")
                mobile = next((m for m in map(sms.mobile_number, phones) if m), "")
                invitations.append(
                    Invitation(
                        campaign=campaign,
                        customer_id=pk,
                        contact_id=contact_id,
                        email=email,
                        phone=mobile,
                        channel=invitation_channel(campaign, email, mobile, preferred),
                    )
                )
        Invitation.objects.bulk_create(invitations, ignore_conflicts=True)
        created += len(invitations)
    return created


def _refuse_unless(campaign, to_state, allowed_from):
    if campaign.state not in allowed_from:
        raise CampaignError(
            _("A campaign that is %(state)s cannot be changed to %(to)s.")
            % {"state": campaign.get_state_display().lower(), "to": CampaignState(to_state).label.lower()}
        )


def _transition(campaign, by, to_state, allowed_from, note=""):
    _refuse_unless(campaign, to_state, allowed_from)
    event = CampaignEvent.objects.create(
        campaign=campaign, by=by, from_state=campaign.state, to_state=to_state, note=note[:300]
    )
    campaign.state = to_state
    campaign.save(update_fields=["state", "deadline", "invite_at"])
    return event


def check_ready(campaign, now=None):
    """The reasons the campaign cannot start yet (an empty list when it can)."""
    now = now or timezone.now()
    problems = []
    if not campaign.questionnaire.questions.exists():
        problems.append(_("The questionnaire has no questions."))
    if not campaign.channels:
        problems.append(_("Choose at least one channel."))
    deadline = campaign.deadline or campaign.default_deadline()
    if deadline <= now:
        problems.append(_("The deadline must be in the future."))
    if campaign.invite_at and deadline <= campaign.invite_at:
        problems.append(_("The deadline must be after the invitations go out."))
    return problems


def start(campaign, by, now=None):
    """Draft → running: check, fix the deadline, issue the invitations, record, hand over to sending."""
    now = now or timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().select_related("questionnaire").get(pk=campaign.pk)
        _refuse_unless(campaign, CampaignState.RUNNING, (CampaignState.DRAFT,))
        problems = check_ready(campaign, now)
        if problems:
            raise CampaignError(" ".join(problems))
        if campaign.invite_at is None:
            campaign.invite_at = now
        if campaign.deadline is None:
            campaign.deadline = campaign.default_deadline()
        issued = issue_invitations(campaign)
        _transition(
            campaign,
            by,
            CampaignState.RUNNING,
            (CampaignState.DRAFT,),
            note=_("%(count)s invitations issued.") % {"count": issued},
        )
    on_started(campaign)
    return campaign


def on_started(campaign):
    """Called once after a campaign has started and its invitations exist.

    E-mail and SMS invitations due now are queued for the background worker at once; later
    ones are queued by the periodic job when their ``invite_at`` comes.
    """
    from .tasks import send_invitations

    if any(channel in SENDING_CHANNELS for channel in campaign.channels) and (
        campaign.invite_at is None or campaign.invite_at <= timezone.now()
    ):
        send_invitations.enqueue(campaign.pk)


def close(campaign, by, note="", now=None):
    """Running → closed. No new answers are accepted afterwards."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        _transition(campaign, by, CampaignState.CLOSED, (CampaignState.RUNNING,), note=note)
    return campaign


def reopen(campaign, by, deadline, note="", now=None):
    """Closed → running with a new deadline, which must be in the future."""
    now = now or timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        _refuse_unless(campaign, CampaignState.RUNNING, (CampaignState.CLOSED,))
        if deadline is None or deadline <= now:
            raise CampaignError(_("A reopened campaign needs a new deadline in the future."))
        campaign.deadline = deadline
        _transition(campaign, by, CampaignState.RUNNING, (CampaignState.CLOSED,), note=note)
    return campaign


def _rate(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


def campaign_counts(campaign, user=None, unit=None):
    """Issued, sent, opened, started, returned and valid, with rates: three aggregate queries.
    `user`: counted over the customers of the user's organisation units (a region's staff see
    their region's part of a group campaign; organisation/access.py); None: every customer.
    `unit`: counted over that organisation unit's customers and those of the units below it.

    Seed 000 (QR2104): "共发放了15份调查表,回收15份,回收率为100%"; the 彩管 report: "共发放问卷45份,
    实际收回28份,反馈率为62%,有效率为100%". So:
    - 发放 (issued): the invitations of the campaign;
    - 回收 (returned): completed responses to those invitations, by any channel (web, e-mail,
      phone, paper, a visit that answered the customer's invitation);
    - 回收率 (response rate) = returned / issued; 有效率 (valid rate) = valid returned / returned;
    - answers that came without an invitation (anonymous link, a walk-in paper form, a visit
      with no invitation) are counted apart, by channel, and never inflate the response rate;
    - progress = response rate / target response rate (capped at 100%).
    `completed` and `valid` count every completed response, invited or not: the analysis uses
    them all.
    """

    # Rows counted by their (never empty) status, not their id: the (campaign, status) index
    # then answers alone, an index-only scan instead of reading a million-row campaign's table
    # on every dashboard view (COUNT(*) cannot take a filter in Django).
    def within_units(rows):
        rows = rows.of_unit(unit)
        return rows if user is None else limit_to_units(rows, user, "customer__unit")

    invitations = within_units(Invitation.objects.filter(campaign=campaign)).aggregate(
        issued=Count("status"),
        sent=Count("status", filter=Q(status__in=SENT_OR_LATER)),
        opened=Count("status", filter=Q(status__in=OPENED_OR_LATER)),
        started=Count("status", filter=Q(status__in=STARTED_OR_LATER)),
        failed=Count("status", filter=Q(status=InvitationStatus.FAILED)),
        opted_out=Count("status", filter=Q(status=InvitationStatus.OPTED_OUT)),
    )
    responses = within_units(Response.objects.for_campaign(campaign)).counts()
    # Few rows, read through the partial index made for this question (response_uninvited).
    uninvited = [
        {
            **row,
            "label": Channel(row["channel"]).label if row["channel"] in Channel.values else row["channel"],
        }
        for row in within_units(
            Response.objects.completed().filter(campaign=campaign, invitation__isnull=True)
        )
        .values("channel")
        .annotate(completed=Count("channel"), valid=Count("channel", filter=Q(valid=True)))
        .order_by("channel")
    ]
    counts = {**invitations, **responses, "uninvited": uninvited}
    counts["uninvited_completed"] = sum(row["completed"] for row in uninvited)
    counts["uninvited_valid"] = sum(row["valid"] for row in uninvited)
    counts["returned"] = counts["completed"] - counts["uninvited_completed"]
    counts["returned_valid"] = counts["valid"] - counts["uninvited_valid"]
    issued, returned = counts["issued"], counts["returned"]
    counts["sent_rate"] = _rate(counts["sent"], issued)
    counts["open_rate"] = _rate(counts["opened"], issued)
    counts["start_rate"] = _rate(counts["started"], issued)
    counts["response_rate"] = _rate(returned, issued)
    counts["valid_rate"] = _rate(counts["returned_valid"], returned)
    target = campaign.target_response_rate or 0
    if counts["response_rate"] is None or not target:
        counts["progress"] = None
    else:
        counts["progress"] = min(100.0, round(100.0 * counts["response_rate"] / target, 1))
    counts["target_response_rate"] = target
    return counts


# What the next wave copies from the current one as it is (REQUIREMENTS §3, waves: "the same
# survey repeated (monthly, quarterly, yearly) to track change": the same target rules,
# sampling, channels, goals and rules, so the waves compare).
WAVE_COPIED_FIELDS = (
    "series",
    "channels",
    "purpose",
    "target_filters",
    "sampling_method",
    "sample_size",
    "sampling_seed",
    "stratify_by",
    "volume_share",
    "reminder_days",
    "notice_days",
    "target_response_rate",
    "target_index",
    "confidential",
    "voice",
    "recurrence",
)


DATED_TARGET_RULES = ("purchased_from", "purchased_to", "delivered_from", "delivered_to")


def next_wave_draft(campaign):
    """The next wave of `campaign`, unsaved: a draft of the newest version of the same
    questionnaire, with the same target rules, sampling, channels and goals, in the same series
    (the campaign's name when it had none), its wave named by the next period and its dates
    moved on by the recurrence (recurrence.next_wave_label, add_months), and so are the
    purchase and delivery periods of its target rules."""
    months = recurrence.step_months(campaign.recurrence, campaign.wave)
    wave = Campaign(
        state=CampaignState.DRAFT,
        questionnaire=campaign.questionnaire.newest_version(),
        previous_wave=campaign,
        created_by=campaign.created_by,
        unit_id=campaign.unit_id,  # the same organisation unit runs the next wave
        **{name: getattr(campaign, name) for name in WAVE_COPIED_FIELDS},
    )
    wave.series = campaign.series or campaign.name
    if months:
        wave.invite_at = recurrence.add_months(campaign.invite_at, months)
        wave.deadline = recurrence.add_months(campaign.deadline, months)
        # "Delivered this quarter" becomes "delivered next quarter": the target rules' periods
        # move on with the wave (targeting.PURCHASE_FIELDS).
        wave.target_filters = {
            name: recurrence.shift_day(value, months) if name in DATED_TARGET_RULES else value
            for name, value in (campaign.target_filters or {}).items()
        }
    wave.wave = recurrence.next_wave_label(campaign.wave, months, wave.invite_at)
    if campaign.wave and wave.wave and campaign.wave in campaign.name:
        wave.name = campaign.name.replace(campaign.wave, wave.wave, 1)
    elif wave.wave:
        wave.name = f"{campaign.name} {wave.wave}"[:200]
    else:
        wave.name = campaign.name
    return wave


def copy_as_next_wave(campaign, by, now=None):
    """ "Copy as next wave": the next wave of `campaign` as a draft (next_wave_draft), saved,
    for a manager to check and start. A campaign has one next wave: asking again while it
    exists is refused. Also what the periodic job does for a recurring wave that closed."""
    now = now or timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().select_related("questionnaire").get(pk=campaign.pk)
        existing = campaign.next_waves.order_by("pk").first()
        if existing is not None:
            raise CampaignError(
                _("This campaign already has its next wave: %(name)s.") % {"name": existing.name}
            )
        wave = next_wave_draft(campaign)
        if by is not None:
            wave.created_by = by
        wave.save()
        quotas.copy_quotas(campaign, wave)
        if not campaign.series:
            campaign.series = wave.series
        campaign.next_wave_made_at = now
        campaign.save(update_fields=["series", "next_wave_made_at"])
        CampaignEvent.objects.create(
            campaign=wave,
            by=by,
            to_state=CampaignState.DRAFT,
            note=(_("Next wave of %(name)s.") % {"name": campaign.name})[:300],
        )
    return wave


def make_due_next_waves(now=None):
    """The periodic job's part: every closed recurring wave without its next wave gets it, as a
    draft (copy_as_next_wave). Each is claimed first with a conditional UPDATE of
    `next_wave_made_at`, so two runs, or a run and a manager's copy, never make two; a next wave
    deleted by a manager is not made again. Returns how many were made."""
    now = now or timezone.now()
    made = 0
    due = Campaign.objects.filter(state=CampaignState.CLOSED, next_wave_made_at__isnull=True).exclude(
        recurrence=""
    )
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            claimed = Campaign.objects.filter(pk=pk, next_wave_made_at__isnull=True).update(
                next_wave_made_at=now
            )
            if not claimed or Campaign.objects.filter(previous_wave_id=pk).exists():
                continue
            campaign = Campaign.objects.select_related("questionnaire").get(pk=pk)
            wave = next_wave_draft(campaign)
            wave.save()
            quotas.copy_quotas(campaign, wave)
            if not campaign.series:
                Campaign.objects.filter(pk=pk).update(series=wave.series)
            CampaignEvent.objects.create(
                campaign=wave,
                to_state=CampaignState.DRAFT,
                note=(_("Next wave of %(name)s, made as it closed.") % {"name": campaign.name})[:300],
            )
            made += 1
    return made
