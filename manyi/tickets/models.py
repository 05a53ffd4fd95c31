"""Feedback and complaint tickets (客户反馈 / 投诉, issue 5).

State changes go through :mod:`manyi.tickets.workflow` only. A ticket's history is written
through one door, ``Ticket.record_event``: the workflow's verbs, the callback, attachments and
inbound mail all call it (the SLA sweep on PostgreSQL is the one set-based exception, see
``escalation``). Deadline arithmetic is the pure :mod:`manyi.tickets.sla`; these models store
the policy, the calendar and the computed instants.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from manyi.accounts.models import Department
from manyi.customers.models import Customer
from manyi.sequences import YearlySequence

from . import sla
from .attachments import Attachment, InboundMessage  # noqa: F401  (models of files and inbound mail)
from .choices import (
    CLOSED_STATES,
    DEADLINES,
    OPEN_ACTION_STATUSES,
    OPEN_STATES,
    SEVERITY_PRIORITY,
    ActionKind,
    ActionStatus,
    CallbackRating,
    CallbackStatus,
    Channel,
    Clock,
    CustomerMatch,
    Demand,
    EventKind,
    Priority,
    ReplyMethod,
    Severity,
    TicketState,
    Validity,
)

REFERENCE_PREFIX = "FK"


class TicketError(ValueError):
    """A change the ticket's state or the user's role does not allow; the message is for the user."""


QUEUES = (
    ("open", pgettext_lazy("ticket queue", "Open")),
    ("mine", pgettext_lazy("ticket queue", "Assigned to me")),
    ("department", pgettext_lazy("ticket queue", "My department")),
    ("unassigned", pgettext_lazy("ticket queue", "Unassigned")),
    ("overdue", pgettext_lazy("ticket queue", "Overdue")),
    ("due_soon", pgettext_lazy("ticket queue", "Due soon")),
    ("closed", pgettext_lazy("ticket queue", "Closed")),
    ("callback", pgettext_lazy("ticket queue", "Callbacks to make")),
)


def queues_for(user):
    """QUEUES as ``user`` reads them: “mine” of someone never assigned is what they recorded."""
    from manyi.accounts.permissions import WORK_TICKETS

    if user.can(WORK_TICKETS):
        return QUEUES
    recorded = pgettext_lazy("ticket queue", "Recorded by me")
    return tuple((key, recorded if key == "mine" else label) for key, label in QUEUES)


class CategoryQuerySet(models.QuerySet):
    def for_customers(self):
        """What a customer may choose on the public form: not the company's own findings."""
        return self.exclude(code__in=Category.STAFF_ONLY)


class Category(models.Model):
    """A node of the configurable category tree (产品质量, 服务态度, 物业管理 › 房屋管理 …)."""

    # Categories of the company's own findings, never offered to customers on the public form:
    # an inspection's or a mystery visit's findings (品质巡检发现, made by the first finding).
    INSPECTION_FINDING = "inspection-finding"
    STAFF_ONLY = frozenset({INSPECTION_FINDING})

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return " › ".join(node.name for node in self.ancestors_and_self())

    def ancestors_and_self(self):
        """Root first. Stops at a loop instead of running forever (``clean`` forbids loops)."""
        chain, node, seen = [], self, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def clean(self):
        node = self.parent
        while node is not None:
            if node.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("A category cannot be inside itself.")})
            node = node.parent


def default_time_zone():
    return settings.TIME_ZONE


class WorkingCalendar(models.Model):
    """Weekly working hours, holidays (法定节假日) and make-up working days (调休).

    ``hours`` maps a weekday ("0" = Monday … "6" = Sunday) to ranges like "08:30-12:00"; a
    missing weekday is a day off. A make-up working day keeps the Monday hours.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    hours = models.JSONField(_("weekly working hours"), default=dict)
    time_zone = models.CharField(_("time zone"), max_length=50, default=default_time_zone)

    class Meta:
        ordering = ["name"]
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")

    def __str__(self):
        return self.name

    def week(self):
        """``{0: ["08:30-12:00", …], …}`` from the stored JSON (keys are strings there)."""
        if not isinstance(self.hours, dict):
            raise ValidationError({"hours": _("Give the working hours per weekday.")})
        week = {}
        for key, ranges in self.hours.items():
            if str(key) not in {str(day) for day in range(7)} or not isinstance(ranges, list):
                raise ValidationError({"hours": _("Give the working hours per weekday 0 (Monday) to 6.")})
            week[int(key)] = [str(text) for text in ranges]
        return week

    def clean(self):
        try:
            self.to_sla(holidays=(), workdays=())  # the hours only: the days may not be saved yet
        except (ValueError, TypeError) as error:
            raise ValidationError(
                {"hours": _("Working hours are not valid: %(error)s") % {"error": error}}
            ) from error

    def to_sla(self, holidays=None, workdays=None):
        """The pure calendar of :mod:`sla` (holidays and make-up days read from the database)."""
        if holidays is None or workdays is None:
            days = list(self.days.values_list("date", "is_working_day"))
            holidays = {day for day, working in days if not working}
            workdays = {day for day, working in days if working}
        return sla.WorkCalendar.from_text(self.week(), holidays, workdays, zone=self.time_zone)


class CalendarDay(models.Model):
    """A holiday (day off) or a make-up working day (调休上班) of one calendar."""

    calendar = models.ForeignKey(WorkingCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("For example 国庆节"))
    is_working_day = models.BooleanField(
        _("make-up working day"),
        default=False,
        help_text=_("A weekend day worked instead of a holiday (调休); otherwise a day off."),
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday or make-up working day")
        verbose_name_plural = _("holidays and make-up working days")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="one_entry_per_calendar_day")
        ]

    def __str__(self):
        return f"{self.date} {self.name}"


class SlaPolicyQuerySet(models.QuerySet):
    def for_ticket(self, severity, channel, demand=""):
        """The active policy for a ticket of this severity, channel and customer demand.

        A policy matches when each of its three conditions is blank (any) or equal to the
        ticket's. The most specific matching policy wins: the one with the most conditions
        given; between equally specific ones severity counts before demand, demand before
        channel (so “serious” beats “repair”, “repair” beats “phone”); the oldest last.
        Seed 000's “7天内派人保修 … 紧急抢修 … 立即” is two policies: demand “repair” with a
        7-day resolution, and demand “repair” with severity “serious” and a short one.
        """
        candidates = list(
            self.filter(is_active=True)
            .filter(Q(severity=severity) | Q(severity=""))
            .filter(Q(channel=channel) | Q(channel=""))
            .filter(Q(demand=demand or "") | Q(demand=""))
            .select_related("calendar")
        )
        candidates.sort(key=SlaPolicy.specificity)
        return candidates[0] if candidates else None


class SlaPolicy(models.Model):
    """Deadlines for one severity, channel and customer demand (blank: any).

    Seed 004: negative feedback answered within 1 hour, a first solution in 24 hours; seed 002:
    forwarded to the departments within half a working day, a reply within a week; seed 000:
    repair within 7 days, emergencies at once (a policy per demand). No forwarding time: the
    policy sets no forwarding deadline.
    """

    name = models.CharField(_("name"), max_length=100)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    demand = models.CharField(_("customer demand"), max_length=15, choices=Demand.choices, blank=True)
    first_response = models.DurationField(_("first response within"))
    forwarding = models.DurationField(
        _("forwarded to the department within"),
        null=True,
        blank=True,
        help_text=_("Met when the ticket is assigned to a responsible department. Empty: no such deadline."),
    )
    first_solution = models.DurationField(_("first solution within"))
    resolution = models.DurationField(_("resolution within"))
    clock = models.CharField(_("counted in"), max_length=10, choices=Clock.choices, default=Clock.CALENDAR)
    calendar = models.ForeignKey(
        WorkingCalendar,
        verbose_name=_("working calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="policies",
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = SlaPolicyQuerySet.as_manager()

    class Meta:
        ordering = ["severity", "demand", "channel", "pk"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(
                fields=["severity", "channel", "demand"],
                condition=Q(is_active=True),
                name="one_active_policy_per_severity_channel_demand",
                violation_error_message=_(
                    "Another active policy has the same severity, channel and customer demand."
                ),
            )
        ]

    def __str__(self):
        return self.name

    def specificity(self):
        """Sort key of ``SlaPolicyQuerySet.for_ticket``: the most specific policy first."""
        blanks = (self.severity == "", self.demand == "", self.channel == "")
        return (sum(blanks), *blanks, self.pk or 0)

    def clean(self):
        errors = {}
        for name in ("first_response", "forwarding", "first_solution", "resolution"):
            value = getattr(self, name)
            if value is not None and value <= timedelta(0):
                errors[name] = _("Give a duration longer than zero.")
        if self.clock == Clock.WORKING and self.calendar_id is None:
            errors["calendar"] = _("Working hours need a working calendar.")
        if errors:
            raise ValidationError(errors)

    def work_calendar(self):
        """The pure calendar the deadlines are counted in (None: calendar time)."""
        if self.clock == Clock.WORKING and self.calendar is not None:
            return self.calendar.to_sla()
        return None

    def durations(self):
        """{deadline name: duration or None} in the order of ``DEADLINES``."""
        return {
            "response": self.first_response,
            "forwarding": self.forwarding,
            "solution": self.first_solution,
            "resolution": self.resolution,
        }

    def due(self, name, start, calendar=False):
        """When the deadline ``name`` falls due counted from ``start`` (None: the policy sets none)."""
        duration = self.durations()[name]
        if duration is None:
            return None
        return sla.deadline(start, duration, self.work_calendar() if calendar is False else calendar)

    def deadlines(self, start):
        """The due instants counted from ``start``, one per ``DEADLINES`` entry (None: not set)."""
        calendar = self.work_calendar()
        return tuple(self.due(d.name, start, calendar) for d in DEADLINES)


class SurveyTicketRule(models.Model):
    """When a survey answer opens a ticket (issue 5 §1): one row, edited in the admin.

    Without the row the rule comes from ``settings.TICKET_SURVEY_RULE`` or the defaults of
    :class:`manyi.tickets.survey_rule.SurveyRule`; an empty threshold is switched off.
    """

    max_item_score = models.FloatField(
        _("rated item at or below"),
        null=True,
        blank=True,
        default=40.0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Item score 0-100 (2 of 5 is 40 on a 1-5 scale). Empty: items open no ticket."),
    )
    max_nps = models.PositiveSmallIntegerField(
        _("recommendation (NPS) at or below"),
        null=True,
        blank=True,
        default=6,
        validators=[MaxValueValidator(10)],
        help_text=_("0-10; 6 and below are detractors. Empty: the NPS opens no ticket."),
    )
    min_index = models.FloatField(
        _("satisfaction index below"),
        null=True,
        blank=True,
        default=60.0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Index 0-100. Empty: the index opens no ticket."),
    )

    class Meta:
        verbose_name = _("rule for tickets from survey answers")
        verbose_name_plural = _("rule for tickets from survey answers")

    def __str__(self):
        return str(self._meta.verbose_name)


class TicketSequence(YearlySequence):
    """FK-2026-000123."""

    prefix = REFERENCE_PREFIX
    width = 6


class TicketQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def closed(self):
        return self.filter(state__in=CLOSED_STATES)

    def overdue(self, now):
        """Open tickets with a deadline passed and the step it guards not done."""
        condition = Q()
        for d in DEADLINES:
            condition |= Q(**{f"{d.done}__isnull": True, f"{d.due}__lt": now})
        return self.open().filter(condition)

    def due_soon(self, now, hours=None):
        """Open tickets not overdue with a deadline to meet within ``hours``
        (settings.TICKET_DUE_SOON_HOURS): what to work on before it breaches."""
        hours = settings.TICKET_DUE_SOON_HOURS if hours is None else hours
        soon, in_time = Q(), Q()
        for d in DEADLINES:
            unmet = Q(**{f"{d.done}__isnull": True})
            soon |= unmet & Q(**{f"{d.due}__gte": now, f"{d.due}__lt": now + timedelta(hours=hours)})
            # Spelled out rather than negated: a deadline not set (NULL) is never overdue.
            in_time &= ~unmet | Q(**{f"{d.due}__isnull": True}) | Q(**{f"{d.due}__gte": now})
        return self.open().filter(soon & in_time)

    def queue(self, name, user, now):
        """The named work queue (QUEUES) as ``user`` sees it; unknown names give the open tickets."""
        from manyi.accounts.permissions import WORK_TICKETS

        tickets = self.for_user(user)
        if name == "mine":
            if not user.can(WORK_TICKETS):
                # Agents are never assignees (they record and reply): theirs are the ones they
                # recorded, to answer the customer when the department is done.
                return tickets.open().filter(created_by=user)
            return tickets.open().filter(assignee=user)
        if name == "department":
            if user.department_id is None:
                return tickets.none()
            return tickets.open().filter(department_id=user.department_id)
        if name == "unassigned":
            return tickets.open().filter(department__isnull=True)
        if name == "overdue":
            return tickets.overdue(now)
        if name == "due_soon":
            return tickets.due_soon(now)
        if name == "closed":
            return tickets.closed()
        if name == "callback":
            return tickets.callbacks_to_make(now)
        return tickets.open()

    def with_known_customer(self):
        """Tickets whose customer is certain: not one matched only by a code or name typed on
        the public form and not confirmed yet (anyone can type another company's code)."""
        return self.filter(customer__isnull=False).exclude(customer_match=CustomerMatch.TYPED)

    def callbacks_to_make(self, now):
        """Closed tickets whose satisfaction callback waits for a phone call: no e-mail address
        (or the mail failed), or the e-mailed link ran out unanswered."""
        return self.filter(state=TicketState.CLOSED).filter(
            Q(callback_status=CallbackStatus.PHONE)
            | Q(callback_status=CallbackStatus.SENT, callback_expires_at__lt=now)
        )

    def for_user(self, user):
        """What the user may see: every ticket with ``tickets.view_all``; otherwise (a handler)
        the department's, the ones assigned to them, and the ones whose corrective or preventive
        action they own — an owner in another department reports it done from the ticket."""
        from manyi.accounts.permissions import VIEW_ALL_TICKETS, VIEW_TICKETS
        from manyi.organisation.access import limit_to_units, unit_condition

        if not user.is_authenticated or not user.can(VIEW_TICKETS):
            return self.none()
        if user.can(VIEW_ALL_TICKETS):
            # "All" is all of the user's organisation unit: a region's staff see their region's.
            return limit_to_units(self, user, "unit")
        # A subquery, not a join: a join would repeat a ticket once per action.
        visible = Q(assignee=user) | Q(pk__in=CorrectiveAction.objects.filter(owner=user).values("ticket_id"))
        if user.department_id is not None:  # department_id=None would mean every unassigned ticket
            # The department's tickets of the handler's organisation unit.
            visible |= Q(department_id=user.department_id) & unit_condition(user, "unit")
        return self.filter(visible)


class Ticket(models.Model):
    """One piece of feedback or complaint, from intake to closing (闭单)."""

    reference = models.CharField(_("reference"), max_length=20, editable=False)  # unique: Meta
    state = models.CharField(
        _("state"), max_length=15, choices=TicketState.choices, default=TicketState.NEW, editable=False
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    # The organisation unit the ticket belongs to: its customer's when it is recorded or the
    # customer is identified (workflow), none = the whole company. Who sees it follows it.
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("organisation unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    # What the customer typed as company or customer code on the public form, kept whatever
    # it matched (the staff identify the customer from it), and how the customer was found.
    customer_given = models.CharField(_("company or customer code given"), max_length=200, blank=True)
    customer_match = models.CharField(
        _("customer found by"), max_length=10, choices=CustomerMatch.choices, blank=True, editable=False
    )
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.GENERAL
    )
    # The topic (results.Topic, issue 18): suggested from the customer's words when the ticket
    # is recorded; a person's choice (confirming the suggestion or changing it) keeps who and
    # when, and teaches the topic rule at its next retraining (tickets/apps.py).
    topic = models.ForeignKey(
        "results.Topic",
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    topic_suggested = models.ForeignKey(
        "results.Topic",
        verbose_name=_("suggested topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    topic_chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("topic chosen by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    topic_chosen_at = models.DateTimeField(_("topic chosen at"), null=True, blank=True, editable=False)
    validity = models.CharField(_("validity"), max_length=10, choices=Validity.choices, blank=True)
    validity_reason = models.TextField(_("reason for the validity"), blank=True)
    demand = models.CharField(_("customer demand"), max_length=15, choices=Demand.choices, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        db_index=False,  # the (assignee, state) index serves assignee lookups
    )
    root_cause = models.TextField(_("root cause"), blank=True)
    reply = models.TextField(_("reply to the customer"), blank=True)
    reply_method = models.CharField(
        _("replied"), max_length=10, choices=ReplyMethod.choices, blank=True, editable=False
    )
    close_reason = models.TextField(_("reason for closing"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    # The survey answer that opened it (seed 004: negative feedback answered within an hour).
    response = models.OneToOneField(
        "campaigns.Response",
        verbose_name=_("survey response"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ticket",
    )
    sla_policy = models.ForeignKey(
        SlaPolicy, verbose_name=_("SLA policy"), null=True, blank=True, on_delete=models.SET_NULL
    )
    response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    forwarding_due = models.DateTimeField(_("forwarding to the department due"), null=True, blank=True)
    solution_due = models.DateTimeField(_("first solution due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    # The first assignment to a responsible department (分派 / 转交), or closing before one.
    forwarded_at = models.DateTimeField(_("forwarded to the department at"), null=True, blank=True)
    first_solution_at = models.DateTimeField(_("first solution at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    response_breached_at = models.DateTimeField(_("first response breach recorded"), null=True, blank=True)
    forwarding_breached_at = models.DateTimeField(_("forwarding breach recorded"), null=True, blank=True)
    solution_breached_at = models.DateTimeField(_("first solution breach recorded"), null=True, blank=True)
    resolution_breached_at = models.DateTimeField(_("resolution breach recorded"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    # The satisfaction callback after closing (闭单回访, see callback.py): one question, answered
    # through a personal one-time link or recorded by an agent from a phone call.
    callback_status = models.CharField(
        _("satisfaction callback"),
        max_length=10,
        choices=CallbackStatus.choices,
        blank=True,
        default=CallbackStatus.NONE,
        editable=False,
    )
    callback_token = models.CharField(max_length=64, null=True, blank=True, editable=False)  # unique: Meta
    callback_sent_at = models.DateTimeField(_("callback sent at"), null=True, blank=True, editable=False)
    callback_expires_at = models.DateTimeField(
        _("callback link valid until"), null=True, blank=True, editable=False
    )
    callback_rating = models.PositiveSmallIntegerField(
        _("callback satisfaction"), choices=CallbackRating.choices, null=True, blank=True, editable=False
    )
    callback_comment = models.TextField(_("callback comment"), blank=True, editable=False)
    callback_answered_at = models.DateTimeField(
        _("callback answered at"), null=True, blank=True, editable=False
    )
    callback_method = models.CharField(
        _("callback answered"), max_length=10, choices=ReplyMethod.choices, blank=True, editable=False
    )
    # The public feedback page (/feedback/): the form's one-time id, so that submitting it twice
    # records one ticket, and a keyed hash of the check code the customer reads the status with.
    submission_id = models.UUIDField(null=True, blank=True, editable=False)  # unique: Meta
    check_code_hash = models.CharField(max_length=128, blank=True, editable=False)

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["state", "department"]),
            models.Index(fields=["assignee", "state"]),
            # The escalation sweep looks for open tickets with a deadline passed.
            models.Index(
                fields=["resolution_due"],
                name="ticket_open_resolution_due",
                condition=Q(resolved_at__isnull=True),
            ),
            # The queue pages' order: the first page comes from the index, not from a sort.
            models.Index(
                models.F("priority").desc(),
                "resolution_due",
                models.F("id").desc(),
                name="ticket_queue_order",
            ),
        ]
        # Unique constraints rather than unique fields: no LIKE index on PostgreSQL beside the
        # unique one (nothing matches these by pattern), and no entry for the many tickets
        # without a token or submission id. The SLA sweep raises priorities, which rules out
        # HOT updates: every index of the table gets a new entry per escalated ticket (these
        # four indexes fewer: ~0.2 s of ~2.2 s for 32,600 tickets, bench/feedback.py).
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="ticket_reference_unique"),
            models.UniqueConstraint(
                fields=["callback_token"],
                condition=Q(callback_token__isnull=False),
                name="ticket_callback_token_unique",
            ),
            models.UniqueConstraint(
                fields=["submission_id"],
                condition=Q(submission_id__isnull=False),
                name="ticket_submission_id_unique",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.subject}"

    def get_absolute_url(self):
        return reverse("tickets:detail", args=[self.pk])

    @property
    def is_open(self):
        return self.state in OPEN_STATES

    def new_event(self, kind, note="", *, by=None, at=None, from_state=None):
        """An unsaved ``TicketEvent``: the ticket's state now is where the change left it,
        ``from_state`` where it was (a transition; by default the same state). ``by`` None: the
        system."""
        return TicketEvent(
            ticket=self,
            kind=kind,
            note=note,
            by=by,
            at=at or timezone.now(),
            from_state=self.state if from_state is None else from_state,
            to_state=self.state,
        )

    def record_event(self, kind, note="", *, by=None, at=None, from_state=None):
        """Write one entry of the ticket's history (the one door every writer uses)."""
        event = self.new_event(kind, note, by=by, at=at, from_state=from_state)
        event.save()
        return event

    def take_values_of(self, saved):
        """Copy the field values of ``saved`` (this ticket's row, locked, changed and saved by a
        verb) onto this instance, so that the caller's ticket shows the change."""
        for field in Ticket._meta.concrete_fields:
            setattr(self, field.attname, getattr(saved, field.attname))

    def default_priority(self):
        return SEVERITY_PRIORITY.get(self.severity, Priority.NORMAL)

    def sla_calendar(self):
        return self.sla_policy.work_calendar() if self.sla_policy else None

    def deadline_times(self):
        """(name, due, done at) of each deadline, in the order of the ticket's life."""
        return [(d.name, getattr(self, d.due), getattr(self, d.done)) for d in DEADLINES]

    def deadline_status(self, now=None, calendar=False):
        """Per deadline: (name, due, done_at, breached, time left) for the pages and the sweep.

        ``calendar``: the policy's pure calendar when the caller has it already (a list page
        reads each calendar once); by default it is read here.
        """
        now = now or timezone.now()
        if calendar is False:
            calendar = self.sla_calendar()
        rows = []
        for name, due, done in self.deadline_times():
            if due is None:
                continue
            left = None if done else sla.time_left(now, due, calendar)
            rows.append((name, due, done, sla.is_overdue(now, due, done), left))
        return rows

    def next_deadline(self, now=None, calendar=False):
        """The first deadline not met yet as (name, due, breached, time left), or None.

        Only that deadline's time left is worked out (list pages show one per ticket)."""
        if not self.is_open:
            return None
        now = now or timezone.now()
        for name, due, done in self.deadline_times():
            if due is not None and done is None:
                if calendar is False:
                    calendar = self.sla_calendar()
                return name, due, sla.is_overdue(now, due, None), sla.time_left(now, due, calendar)
        return None


class TicketEvent(models.Model):
    """Every change of a ticket: who, when, from which state to which, why."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(max_length=12, choices=EventKind.choices, default=EventKind.TRANSITION)
    from_state = models.CharField(max_length=15, choices=TicketState.choices, blank=True)
    to_state = models.CharField(max_length=15, choices=TicketState.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.ticket.reference}: {self.from_state} → {self.to_state}"


class CorrectiveActionQuerySet(models.QuerySet):
    def open(self):
        """Still to be carried out: planned, or found not effective (back to the owner)."""
        return self.filter(status__in=OPEN_ACTION_STATUSES)

    def owned_by(self, user):
        return self.filter(owner=user)


class CorrectiveAction(models.Model):
    """A corrective or preventive action (纠正预防措施) with owner, deadline, status, verification."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(
        _("kind"), max_length=12, choices=ActionKind.choices, default=ActionKind.CORRECTIVE
    )
    description = models.TextField(pgettext_lazy("corrective action", "action details"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="ticket_actions",
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    result = models.TextField(_("what was done"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification = models.TextField(_("verification"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CorrectiveActionQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("corrective or preventive action")
        verbose_name_plural = _("corrective and preventive actions")

    def __str__(self):
        return self.description[:60]

    def is_late(self, today: date):
        return self.status in OPEN_ACTION_STATUSES and self.deadline < today
