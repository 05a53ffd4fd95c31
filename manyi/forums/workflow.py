"""What may be done to customer forums, and the one place it is done.

Every verb checks who may (``access.ForumScope``) and what the forum allows, changes nothing
when it refuses (``ForumError`` with a message for the user) and saves everything or nothing.

    forum        recorded for a unit the user sees, dated from 2000 to a year ahead (planned)
    invitations  customers of the forum's unit (and below) the user sees, by customer code
    attendance   from the forum's day on; only invited customers can have come
    opinions     from the forum's day on; said by an invited customer or by nobody named
    minutes      from the forum's day on; files checked as ticket attachments are
    follow-up    an opinion becomes one ticket (``tickets.workflow.open_ticket``: the tickets'
                 rules, SLA and all) and one improvement action
                 (``improvements.workflow.raise_improvement``), never twice
"""

import datetime
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from manyi.private_files import save_checked_files

from .access import ForumScope
from .models import Forum, Invitation, MinutesFile, Opinion

MAX_TEXT = 4000
MAX_CODES = 200
EARLIEST = datetime.date(2000, 1, 1)
# A forum may be recorded ahead of its day (to invite the customers), at most this far.
PLAN_AHEAD = datetime.timedelta(days=366)
# Customer codes as people paste them: one a line, or separated by commas (ASCII or Chinese),
# semicolons or spaces.
CODE_SEPARATORS = re.compile(r"[\s,，、;；]+")


class ForumError(ValueError):
    """A change the forum or the user's role does not allow; the message is for the user."""


def _text(value, *, required=False, what=None, limit=MAX_TEXT):
    value = (value or "").strip()
    if required and not value:
        raise ForumError(what or _("This field is required."))
    if len(value) > limit:
        raise ForumError(_("Keep the text under %(count)s characters.") % {"count": limit})
    if "\x00" in value:  # PostgreSQL stores no NUL character (a 500 otherwise)
        raise ForumError(_("Text must not contain the NUL character."))
    return value


def _managing(scope, forum):
    if not scope.may_manage(forum):
        raise ForumError(_("Your role does not allow changing this forum."))


def _taken_place(forum, today, what):
    if not forum.has_taken_place(today):
        raise ForumError(
            _("The forum is on %(date)s: %(what)s can be recorded from that day on.")
            % {"date": forum.held_on.isoformat(), "what": what}
        )


# --------------------------------------------------------------------------- the forum


def save_forum(*, by, unit, held_on, title, place, host, summary="", forum=None, now=None):
    """Record a new forum (``forum`` None) or change one; returns the forum."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    scope = ForumScope(by)
    if forum is not None:
        _managing(scope, forum)
    if not scope.may_hold_for(unit):
        raise ForumError(_("Choose a unit you may hold forums for."))
    if held_on is None or not (EARLIEST <= held_on <= today + PLAN_AHEAD):
        raise ForumError(
            _("The date must be between %(first)s and %(last)s.")
            % {"first": EARLIEST.isoformat(), "last": (today + PLAN_AHEAD).isoformat()}
        )
    if host is None or not host.is_active or not scope.hosts().filter(pk=host.pk).exists():
        raise ForumError(_("Choose an active host of your units."))
    values = {
        "unit": unit,
        "held_on": held_on,
        "title": _text(title, required=True, what=_("Give the forum a topic."), limit=200),
        "place": _text(place, required=True, what=_("Say where the forum is held."), limit=200),
        "host": host,
        "summary": _text(summary),
    }
    with transaction.atomic():
        if forum is None:
            return Forum.objects.create(**values, created_by=by, created_at=now)
        locked = Forum.objects.select_for_update().get(pk=forum.pk)
        recorded = (
            locked.invitations.filter(attended__isnull=False).exists()
            or locked.opinions.exists()
            or locked.minutes.exists()
        )
        if recorded and held_on > today:
            raise ForumError(
                _(
                    "Attendance, opinions or minutes are recorded: the forum has taken place and its date cannot be in the future."
                )
            )
        for field, value in values.items():
            setattr(locked, field, value)
        outside = locked.invitations.exclude(customer__in=scope.invitable_customers(locked))
        if unit.pk != forum.unit_id and outside.exists():
            raise ForumError(_("Some invited customers are not customers of that unit; remove them first."))
        locked.save()
    for field in values:
        setattr(forum, field, getattr(locked, field))
    return forum


# --------------------------------------------------------------------------- invitations


def parse_codes(text):
    """The customer codes in what was typed or pasted, each once, in order."""
    text = _text(text, required=True, what=_("Give the codes of the customers to invite."), limit=20_000)
    codes = list(dict.fromkeys(code for code in CODE_SEPARATORS.split(text) if code))
    if len(codes) > MAX_CODES:
        raise ForumError(_("Invite at most %(count)s customers at a time.") % {"count": MAX_CODES})
    return codes


def invite(forum, *, by, codes):
    """Invite the customers with these codes (a list of codes, or the text that holds them);
    all or none: one unknown code refuses the lot. Returns (invited, already invited) codes."""
    scope = ForumScope(by)
    _managing(scope, forum)
    if isinstance(codes, str):
        codes = parse_codes(codes)
    customers = {c.code: c for c in scope.invitable_customers(forum).filter(code__in=codes)}
    unknown = [code for code in codes if code not in customers]
    if unknown:
        raise ForumError(
            _("No customer of %(unit)s you may invite has the code %(codes)s; nobody was invited.")
            % {"unit": forum.unit.name, "codes": ", ".join(unknown[:20])}
        )
    with transaction.atomic():
        Forum.objects.select_for_update().get(pk=forum.pk)
        already = set(
            forum.invitations.filter(customer__code__in=codes).values_list("customer__code", flat=True)
        )
        added = [code for code in codes if code not in already]
        Invitation.objects.bulk_create(Invitation(forum=forum, customer=customers[code]) for code in added)
    return added, [code for code in codes if code in already]


def remove_invitation(invitation, *, by):
    """Take back an invitation; not once the customer's opinion is recorded."""
    _managing(ForumScope(by), invitation.forum)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.forum.opinions.filter(customer_id=locked.customer_id).exists():
            raise ForumError(_("An opinion of this customer is recorded; the invitation stays."))
        locked.delete()


def record_attendance(forum, *, by, came, now=None):
    """Who came: the invitations in ``came`` (ids) came, every other invited customer did not."""
    now = now or timezone.now()
    _managing(ForumScope(by), forum)
    _taken_place(forum, timezone.localdate(now), _("attendance"))
    came = set(came)
    with transaction.atomic():
        Forum.objects.select_for_update().get(pk=forum.pk)
        invited = set(forum.invitations.values_list("pk", flat=True))
        if not came <= invited:
            raise ForumError(_("Only customers invited to this forum can have come; reload the page."))
        forum.invitations.filter(pk__in=came).update(attended=True)
        forum.invitations.exclude(pk__in=came).update(attended=False)
    return len(came)


# --------------------------------------------------------------------------- opinions


def add_opinion(forum, *, by, text, customer=None, topic=None, now=None):
    """An opinion raised at the forum; ``customer``, when given, is an invited one."""
    now = now or timezone.now()
    _managing(ForumScope(by), forum)
    _taken_place(forum, timezone.localdate(now), _("opinions"))
    text = _text(text, required=True, what=_("Write down the opinion."))
    if customer is not None and not forum.invitations.filter(customer=customer).exists():
        raise ForumError(_("Choose a customer invited to this forum, or nobody."))
    if topic is not None and not topic.is_active:
        raise ForumError(_("Choose an active topic."))
    return Opinion.objects.create(
        forum=forum, text=text, customer=customer, topic=topic, created_by=by, created_at=now
    )


def delete_opinion(opinion, *, by):
    """Remove an opinion recorded by mistake; not one that became a ticket or an improvement."""
    _managing(ForumScope(by), opinion.forum)
    with transaction.atomic():
        locked = Opinion.objects.select_for_update().get(pk=opinion.pk)
        if locked.is_followed_up:
            raise ForumError(_("This opinion became a ticket or an improvement; it stays on record."))
        locked.delete()


def _locked_opinion(opinion, by):
    _managing(ForumScope(by), opinion.forum)
    # Only the opinion's row is locked (PostgreSQL locks no row of an outer join's nullable side).
    return (
        Opinion.objects.select_for_update(of=("self",))
        .select_related("forum__unit", "forum__host", "customer", "topic")
        .get(pk=opinion.pk)
    )


def _context_line(forum):
    return _(
        "Raised at the customer forum “%(title)s” of %(unit)s on %(date)s (host: %(host)s, place: %(place)s)."
    ) % {
        "title": forum.title,
        "unit": forum.unit.name,
        "date": forum.held_on.isoformat(),
        "host": forum.host.display_name,
        "place": forum.place,
    }


def _first_line(text, limit):
    return text.strip().splitlines()[0][:limit]


def make_ticket(opinion, *, by, now=None):
    """The opinion as a feedback ticket of the forum's unit and the customer who raised it,
    received on the forum's day; the tickets' workflow takes it from there. Once only."""
    from manyi.tickets.choices import Channel
    from manyi.tickets.workflow import TicketError, open_ticket

    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_opinion(opinion, by)
        if locked.ticket_id is not None:
            raise ForumError(
                _("This opinion is already ticket %(reference)s.") % {"reference": locked.ticket.reference}
            )
        forum = locked.forum
        # Heard at the forum: received on its day (its start; the forum has no time of day).
        day_start = timezone.make_aware(datetime.datetime.combine(forum.held_on, datetime.time()))
        topic = locked.topic if locked.topic is not None and locked.topic.is_active else None
        customer = locked.customer
        try:
            ticket = open_ticket(
                by=by,
                channel=Channel.ON_SITE,
                subject=(_("Customer forum: %(opinion)s") % {"opinion": _first_line(locked.text, 120)})[:200],
                description=f"{locked.text}\n\n{_context_line(forum)}",
                received_at=min(day_start, now),
                # A customer whose personal data has been erased takes no new feedback.
                customer=customer if customer is not None and customer.erased_at is None else None,
                unit=forum.unit,
                topic=topic,
                now=now,
            )
        except TicketError as error:
            raise ForumError(str(error)) from error
        locked.ticket = ticket
        locked.save(update_fields=["ticket"])
    opinion.ticket = ticket
    return ticket


def make_improvement(opinion, *, by, title, measures, owner, deadline, now=None):
    """The opinion as an improvement action of the forum's unit (linked to its ticket when it
    has one); the improvements' workflow takes it from there. Once only."""
    from manyi.improvements.choices import Source
    from manyi.improvements.workflow import ImprovementError, raise_improvement

    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_opinion(opinion, by)
        if locked.improvement_id is not None:
            raise ForumError(
                _("This opinion is already improvement %(reference)s.")
                % {"reference": locked.improvement.reference}
            )
        forum = locked.forum
        tickets = [locked.ticket] if locked.ticket_id else []
        try:
            improvement = raise_improvement(
                by=by,
                title=title or _first_line(locked.text, 200),
                problem=f"{locked.text}\n\n{_context_line(forum)}",
                measures=measures,
                owner=owner,
                deadline=deadline,
                source=Source.TICKETS if tickets else Source.OTHER,
                tickets=tickets,
                unit=forum.unit,  # the forum's unit's (organisation.access): another region does not see it
                now=now,
            )
        except ImprovementError as error:
            raise ForumError(str(error)) from error
        locked.improvement = improvement
        locked.save(update_fields=["improvement"])
    opinion.improvement = improvement
    return improvement


# --------------------------------------------------------------------------- minutes


def attach_minutes(forum, *, by, checked_files, now=None):
    """Files that passed ``tickets.attachments.check_uploads`` as the forum's minutes; all or none."""
    now = now or timezone.now()
    _managing(ForumScope(by), forum)
    _taken_place(forum, timezone.localdate(now), _("minutes"))
    if not checked_files:
        raise ForumError(_("Choose a file of the minutes."))
    return save_checked_files(
        MinutesFile, checked_files, record=lambda rows: None, forum=forum, uploaded_by=by, uploaded_at=now
    )


def delete_minutes(minutes_file, *, by):
    """Remove a minutes file uploaded by mistake (the file goes once the row is gone)."""
    _managing(ForumScope(by), minutes_file.forum)
    storage, name = minutes_file.file.storage, minutes_file.file.name
    with transaction.atomic():
        minutes_file.delete()
        transaction.on_commit(lambda: storage.delete(name))


# --------------------------------------------------------------------------- removing a forum


def delete_forum(forum, *, by):
    """Remove a forum recorded by mistake, with its invitations, opinions and minutes; not one
    whose opinion became a ticket or an improvement (they point back to it)."""
    _managing(ForumScope(by), forum)
    with transaction.atomic():
        locked = Forum.objects.select_for_update().get(pk=forum.pk)
        followed_up = locked.opinions.filter(ticket__isnull=False) | locked.opinions.filter(
            improvement__isnull=False
        )
        if followed_up.exists():
            raise ForumError(
                _("An opinion of this forum became a ticket or an improvement; the forum stays on record.")
            )
        files = [(m.file.storage, m.file.name) for m in locked.minutes.all()]
        locked.delete()
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
