import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manyi.customers.choices import CustomerType
from manyi.customers.models import Contact, Customer
from manyi.surveys.models import MatrixRow, Option, Question, Questionnaire

from .choices import (
    AnswerRefusal,
    CampaignState,
    Channel,
    ChaseOutcome,
    DeliveryStatus,
    InvitationStatus,
    QuotaStratum,
    Recurrence,
    ResponseStatus,
    SamplingMethod,
    VoiceRule,
)


def new_token():
    return secrets.token_urlsafe(24)


# Short links in SMS (/s/<code>): letters and digits that cannot be misread (no 0/O, 1/l/I).
SHORT_CODE_ALPHABET = "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
SHORT_CODE_LENGTH = 8  # 56**8 ≈ 9.7e13 codes: a guess hits one of a million links once in 1e8 tries


def new_short_code():
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


# The advance notice comes at most two weeks before the survey link (seed 004 says 3-5 days).
MAX_NOTICE_DAYS = 14


def default_reminder_days():
    return [3, 5]


class CampaignQuerySet(models.QuerySet):
    def waves_of(self, campaign):
        """The waves of the campaign's series, itself included: the campaigns of that series run
        by the same organisation unit (a region's own series of the same name is another
        series, and not the group's to compare with)."""
        return self.filter(series=campaign.series, unit_id=campaign.unit_id)

    def for_user(self, user):
        """The campaigns the user sees by organisation unit: their unit's and its subtree's, and
        those run above it (the group's, the whole company's), in which they read only their
        own unit's answers (manyi/organisation/access.py)."""
        from manyi.organisation.access import limit_to_units

        return limit_to_units(self, user, "unit", shared=True)

    def run_by(self, user):
        """The campaigns the user's unit runs (theirs and their subtree's, every one for a user
        who sees everything): those they may edit, start, close and reopen. A campaign of the
        group is seen by a region but run by the group."""
        from manyi.organisation.access import limit_to_units

        return limit_to_units(self, user, "unit")


class Campaign(models.Model):
    """A survey campaign (调查计划): who is asked which questionnaire, how and until when.

    Campaigns with the same `series` are waves of one survey repeated over time.
    """

    name = models.CharField(_("name"), max_length=200)
    series = models.CharField(
        _("series"),
        max_length=200,
        blank=True,
        help_text=_("Campaigns of one series are compared wave by wave."),
    )
    wave = models.CharField(_("wave"), max_length=100, blank=True, help_text=_("For example 2026年第四季度"))
    recurrence = models.CharField(
        _("repeated"),
        max_length=12,
        choices=Recurrence.choices,
        default=Recurrence.NONE,
        blank=True,
        help_text=_("When this wave closes, the next one is prepared as a draft for you to check and start."),
    )
    # The wave this one was copied from, and when this one's next wave was made (by hand or by
    # the periodic job): set once, so a recurring campaign gets one next wave, not one a run.
    previous_wave = models.ForeignKey(
        "self",
        verbose_name=_("previous wave"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_waves",
        editable=False,
    )
    # The organisation unit that runs the campaign; none = the whole company. A region's staff
    # see their region's campaigns and those of the units above it, each with only their own
    # region's answers (manyi/organisation/access.py).
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("organisation unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    next_wave_made_at = models.DateTimeField(null=True, blank=True, editable=False)
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.PROTECT, related_name="campaigns"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=CampaignState.choices, default=CampaignState.DRAFT
    )
    channels = models.JSONField(_("channels"), default=list)
    purpose = models.TextField(_("purpose"), blank=True)
    # Target list: the customer list's filter parameters, then a sample of those customers.
    target_filters = models.JSONField(_("target filters"), default=dict, blank=True)
    sampling_method = models.CharField(
        _("sampling"), max_length=20, choices=SamplingMethod.choices, default=SamplingMethod.ALL
    )
    sample_size = models.PositiveIntegerField(_("sample size"), null=True, blank=True)
    sampling_seed = models.PositiveIntegerField(_("random seed"), default=1)
    stratify_by = models.CharField(_("stratify by"), max_length=30, blank=True)
    volume_share = models.FloatField(_("share of business volume"), default=0.8)
    invite_at = models.DateTimeField(_("invitations go out at"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    # Seed 004: "提前3-5天向客户发送调查邀请,说明目的、预计耗时及保密承诺,提升配合度。"
    notice_days = models.PositiveSmallIntegerField(
        _("advance notice, days before the invitation"),
        default=0,
        validators=[MaxValueValidator(MAX_NOTICE_DAYS)],
        help_text=_(
            "An e-mail that many days before the survey link comes, stating the purpose, the time "
            'answering takes and that answers stay confidential ("提前3-5天向客户发送调查邀请，说明'
            '目的、预计耗时及保密承诺"). 0: no notice.'
        ),
    )
    reminder_days = models.JSONField(_("reminders, days after the invitation"), default=default_reminder_days)
    target_response_rate = models.FloatField(_("target response rate (%)"), default=70)
    target_index = models.FloatField(
        _("target satisfaction index"),
        null=True,
        blank=True,
        help_text=_("0-100, for example 85; the dashboard compares the index with it."),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_("Individual answers only for roles granted it; others see totals."),
    )
    voice = models.CharField(
        _("answers counted per customer"),
        max_length=10,
        choices=VoiceRule.choices,
        default=VoiceRule.CUSTOMER,
        help_text=_(
            "When a customer answered more than once (by the link and again on a visit), the figures "
            "count their latest answer only; exports keep every answer, marked. Per contact person: "
            "each of a customer's contacts is invited and counts once."
        ),
    )
    public_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        indexes = [
            # The periodic job's question: which closed recurring waves still need their next one.
            models.Index(
                fields=["id"],
                condition=Q(state=CampaignState.CLOSED, next_wave_made_at__isnull=True) & ~Q(recurrence=""),
                name="campaign_next_wave_due",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("campaigns:detail", args=[self.pk])

    def default_deadline(self):
        return (self.invite_at or timezone.now()) + timedelta(days=7)

    def refusal_to_answer(self, now=None):
        """Why the campaign takes no answer now (an AnswerRefusal), or None while it does.

        One rule for every way an answer comes in: the customer's link, the anonymous link, a
        phone interview or a paper questionnaire typed in by an agent, the paper import and a
        return visit. A campaign takes answers while it runs and until its deadline.

        The deadline ends the survey period for staff too, not only for the link. The figures
        count the questionnaires returned in the survey's period (seed 000: "共发放了15份调查表,
        回收15份,回收率为100%"), and the periodic job closes the campaign at its deadline: staff
        entry that looked only at the state took answers after the deadline until that job
        happened to run. A paper questionnaire that comes back late is entered by reopening the
        campaign with a new deadline (workflow.reopen), which its history records with who and
        why, so the period always says what the figures count.
        """
        now = now or timezone.now()
        if self.state == CampaignState.DRAFT:
            return AnswerRefusal.NOT_STARTED
        if self.state != CampaignState.RUNNING:
            return AnswerRefusal.CLOSED
        if self.deadline is not None and now >= self.deadline:
            return AnswerRefusal.PAST_DEADLINE
        return None

    def is_open(self, now=None):
        return self.refusal_to_answer(now) is None


class CampaignEvent(models.Model):
    """Every state change of a campaign: who, when, from, to, why."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    from_state = models.CharField(max_length=10, choices=CampaignState.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=CampaignState.choices)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.campaign}: {self.from_state} → {self.to_state}"


class ByCustomerUnitQuerySet(models.QuerySet):
    """Invitations and responses belong to the organisation unit of their customer
    (organisation/access.py): a region reads its part of a group campaign."""

    def for_user(self, user):
        """The rows the user sees: of the campaigns they see, of the customers of their
        organisation units; a response of no customer (an anonymous link) is the whole
        company's."""
        from manyi.organisation.access import limit_to_units

        return limit_to_units(
            self.filter(campaign__in=Campaign.objects.for_user(user)), user, "customer__unit"
        )

    def of_unit(self, unit):
        """The rows of the customers of `unit` and of the units below it (a report, a count or
        an improvement of that unit); every row for None."""
        if unit is None:
            return self
        from manyi.organisation.models import Unit

        return self.filter(customer__unit__in=Unit.objects.within(unit))


class Invitation(models.Model):
    """One customer asked in one campaign, with a personal one-time token.

    `email` and `phone` (a mainland mobile number, 11 digits) are copied when the invitation is
    issued, so a later change of the customer record does not redirect a sent link. The
    delivery fields say what became of the message sent through the invitation's channel
    (channels/): the gateway's message id, its receipt (delivered or not, when) and `error`.
    `short_code` is given when a short link is first needed (an SMS): /s/<short_code>.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="invitations")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    short_code = models.CharField(max_length=16, unique=True, null=True, blank=True, editable=False)
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.ISSUED
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    # When the advance notice went out (notices.py); null: none sent.
    notice_sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    delivery_status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.NONE, blank=True
    )
    provider_message_id = models.CharField(max_length=100, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # When a worker claimed the invitation for sending; cleared once the outcome is written.
    # A claim older than the lease is a killed worker's (campaigns/recovery.py).
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ByCustomerUnitQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        # One invitation per customer, or per contact person when the campaign asks each of a
        # customer's people (彩管 report: 45 questionnaires to the key people of 9 customers).
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "customer"],
                condition=models.Q(contact__isnull=True),
                name="one_invitation_per_customer",
            ),
            models.UniqueConstraint(
                fields=["campaign", "contact"],
                condition=models.Q(contact__isnull=False),
                name="one_invitation_per_contact",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status"]),
            # A delivery receipt names the gateway's message id (Tencent's sid): few rows have one.
            models.Index(
                fields=["provider_message_id"],
                condition=~Q(provider_message_id=""),
                name="invitation_provider_message",
            ),
            # Few rows are claimed at a time: the recovery's periodic query reads only those.
            models.Index(
                fields=["claimed_at"], condition=Q(claimed_at__isnull=False), name="invitation_claim"
            ),
        ]

    def __str__(self):
        return f"{self.campaign} → {self.customer}"

    def answer_path(self):
        return reverse("public:answer", args=[self.token])

    def give_short_code(self):
        """The invitation's short code, made now if it has none (unique; a collision, about
        one in 1e8 at a million links, draws again)."""
        while not self.short_code:
            code = new_short_code()
            try:
                with transaction.atomic():
                    given = Invitation.objects.filter(pk=self.pk, short_code__isnull=True).update(
                        short_code=code
                    )
            except IntegrityError:
                continue
            if given:
                self.short_code = code
            else:
                self.short_code = Invitation.objects.values_list("short_code", flat=True).get(pk=self.pk)
        return self.short_code

    def short_path(self):
        return reverse("public:short", args=[self.give_short_code()])

    def refusal_to_answer(self, now):
        """Why this invitation may not be answered now (an AnswerRefusal), or None.

        The customer asked not to be surveyed (opted out), or answered already (save_response
        marks the invitation completed in the transaction that completes its response, so the
        status tells without a query); otherwise the campaign's rule
        (Campaign.refusal_to_answer: running, before its deadline). Every answering path asks
        this: the public page, phone and paper entry, the paper import and return visits.
        """
        if self.status == InvitationStatus.OPTED_OUT:
            return AnswerRefusal.OPTED_OUT
        if self.status == InvitationStatus.COMPLETED:
            return AnswerRefusal.ANSWERED
        return self.campaign.refusal_to_answer(now)

    def mark_opened(self, now):
        """The customer opened the questionnaire: the first time is kept (the funnel's opened
        count), and an invitation issued or sent becomes opened (one started or answered, or
        whose sending failed, keeps its status)."""
        if self.opened_at is not None:
            return
        self.opened_at = now
        fields = ["opened_at"]
        if self.status in (InvitationStatus.ISSUED, InvitationStatus.SENT):
            self.status = InvitationStatus.OPENED
            fields.append("status")
        self.save(update_fields=fields)


class ChaseCall(models.Model):
    """A call to a customer who has not answered yet (电话催收): who called, when, what came of it.

    Seed 000, 2018 report: "以EMAIL或邮寄问卷调查为主,佐以电话催收问卷"; the non-responders list
    (chasing.non_responders) shows each invitation's calls so agents know whom to call next.
    """

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="chase_calls")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    outcome = models.CharField(_("outcome"), max_length=12, choices=ChaseOutcome.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["invitation", "-at"])]

    def __str__(self):
        return f"{self.invitation}: {self.outcome}"


class OptOut(models.Model):
    """A customer who asked never to be invited to surveys again."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="survey_opt_out")
    at = models.DateTimeField(default=timezone.now)
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return str(self.customer)


class SmsReply(models.Model):
    """A text message a customer sent back to our SMS number, as the gateway pushed it.

    Every reply is kept; one that asks to stop (回复TD退订: TD, T, N, 退订) opts the customers
    with that mobile number out of surveys, as the e-mail opt-out link does (`opted_out`).
    `key` is the gateway's identity of the message, so a push repeated changes nothing."""

    provider = models.CharField(max_length=10)
    key = models.CharField(max_length=200, unique=True)
    phone = models.CharField(max_length=30)
    text = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    opted_out = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-received_at", "-pk"]

    def __str__(self):
        return f"{self.phone}: {self.text}"


# The responses every count and figure reads: a draft (in progress) is never an answer, and a
# completed one is valid when its scoring found it so (the questionnaire's validity rule).
COMPLETED = Q(status=ResponseStatus.COMPLETED)
VALID = COMPLETED & Q(valid=True)


class ResponseQuerySet(ByCustomerUnitQuerySet):
    def completed(self):
        return self.filter(COMPLETED)

    def valid(self):
        return self.filter(VALID)

    def for_campaign(self, campaign):
        return self.filter(campaign=campaign)

    def counts(self):
        """{"responses", "completed", "valid"}: how many of these responses there are, drafts
        included, and how many are completed and valid, in one aggregate. Rows are counted by
        their (never empty) status, not their id: the (campaign, status[, valid]) indexes then
        answer alone, an index-only scan instead of reading a million-row campaign's table."""
        return self.aggregate(
            responses=models.Count("status"),
            completed=models.Count("status", filter=COMPLETED),
            valid=models.Count("status", filter=VALID),
        )


class AnswerQuerySet(models.QuerySet):
    def of_completed_responses(self):
        """The answers of completed responses: a draft's answers are never read as answers."""
        return self.filter(response__status=ResponseStatus.COMPLETED)


class Response(models.Model):
    """One filled-in questionnaire. Scores are computed once, when it is completed, and stored.

    `invitation` is unique: a personal link can never produce a second response. `submission_id`
    (sent by the answer page) is unique too, so a repeated submit of an anonymous form is
    recognised instead of counted twice.
    """

    # No index of its own: the (campaign, status, valid) index starts with it.
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="responses", db_index=False)
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="responses")
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.PROTECT, related_name="response"
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entered_responses",
    )
    submission_id = models.UUIDField(null=True, blank=True, unique=True)
    status = models.CharField(
        max_length=12, choices=ResponseStatus.choices, default=ResponseStatus.IN_PROGRESS
    )
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    valid = models.BooleanField(null=True)
    invalid_reason = models.CharField(max_length=30, blank=True)
    index = models.FloatField(null=True, blank=True)
    grade = models.CharField(max_length=30, blank=True)
    satisfied = models.BooleanField(null=True)
    dimension_scores = models.JSONField(default=dict, blank=True)
    item_scores = models.JSONField(default=dict, blank=True)
    nps = models.SmallIntegerField(null=True, blank=True)
    # The answers as analysis reads them, written with the scores: item key (question or
    # matrix row code) -> points of the option chosen (answered items only, no imputation),
    # and -> stated importance 1-5. Dashboards read these instead of the answer rows.
    points = models.JSONField(default=dict, blank=True)
    importance = models.JSONField(default=dict, blank=True)
    # Item key -> points of the option chosen for the main competitor (market position).
    competitor = models.JSONField(default=dict, blank=True)
    # Set with the scores when the answers call for a ticket (tickets.survey_rule); the periodic
    # job opens the ticket and clears it. Written in the response's own row: no extra work
    # on the answer page, and never a ticket for an answer that was not stored.
    ticket_pending = models.BooleanField(default=False)
    # Pages and order (issue 21): the page an unfinished response is on (0 = the first of the
    # pages shown), so the same link resumes there; and the order this respondent was shown,
    # {"questions": [pk, ...], "options": {"<question pk>": [pk, ...]}} for the pages and
    # questions that shuffle (surveys/pages.py), so reviews and exports can show it again.
    page = models.PositiveSmallIntegerField(default=0)
    order = models.JSONField(default=dict, blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_at", "-pk"]
        indexes = [
            models.Index(fields=["campaign", "status", "valid"]),
            models.Index(
                fields=["ticket_pending"], condition=Q(ticket_pending=True), name="response_ticket_pending"
            ),
            # The dashboard dataset asks on every view how many completed responses a campaign
            # has and the newest id: an index-only scan of this small index instead of a scan
            # of the table (1,000,000 responses: 0.1 s instead of 0.5 s on PostgreSQL).
            models.Index(fields=["campaign", "id"], condition=COMPLETED, name="response_completed"),
            # Answers that came without an invitation (anonymous link, walk-in paper, a visit)
            # are counted apart from the returned ones on every counts view: few rows, so a
            # small partial index finds them without reading the campaign's responses.
            models.Index(
                fields=["campaign", "channel", "valid"],
                condition=Q(status=ResponseStatus.COMPLETED, invitation__isnull=True),
                name="response_uninvited",
            ),
        ]

    def __str__(self):
        return f"{self.campaign} #{self.pk}"


class Answer(models.Model):
    """One answer: an option chosen (per matrix row), a number (NPS) or a text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    # No index of its own: the (question, option) index starts with it. Every index costs
    # each submitted answer an insert.
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers", db_index=False)
    row = models.ForeignKey(
        MatrixRow, null=True, blank=True, on_delete=models.PROTECT, related_name="answers"
    )
    option = models.ForeignKey(
        Option, null=True, blank=True, on_delete=models.PROTECT, related_name="answers"
    )
    number = models.FloatField(null=True, blank=True)
    text = models.TextField(blank=True)
    importance = models.PositiveSmallIntegerField(null=True, blank=True)
    # The option chosen for the main competitor on the same item (Question.ask_competitor).
    competitor_option = models.ForeignKey(
        Option, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # A table question's cell: the row the respondent filled (1, 2 …) and the column's code
    # (TableColumn.code); its value is in `text` or `number`. Nullable, no default: adding them
    # rewrites none of the table's rows.
    table_row = models.PositiveSmallIntegerField(null=True, blank=True)
    table_column = models.CharField(max_length=20, null=True, blank=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["question", "option"])]

    def __str__(self):
        return f"{self.response_id}/{self.question_id}"


class Quota(models.Model):
    """A quota (配额) of one stratum of a campaign's respondents, e.g. 50 VIP customers.

    `completed` counts the completed valid responses of the stratum; it is raised in the
    transaction that completes a response, by a conditional UPDATE that never passes `limit`
    (campaigns/quotas.py), so two submits at once cannot overshoot. When it reaches the limit,
    respondents of the stratum get a polite page instead of the questionnaire.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="quotas")
    name = models.CharField(_("name"), max_length=100)
    stratum = models.CharField(_("who counts"), max_length=20, choices=QuotaStratum.choices)
    value = models.CharField(
        _("value"),
        max_length=100,
        help_text=_("The customer type (vip, key, normal), the region, or the answer's option code (A1)."),
    )
    question_code = models.CharField(
        _("screening question"),
        max_length=20,
        blank=True,
        help_text=_("For a quota by answer: its code (Q1)."),
    )
    limit = models.PositiveIntegerField(_("limit"), validators=[MinValueValidator(1)])
    completed = models.PositiveIntegerField(_("completed"), default=0, editable=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.CheckConstraint(condition=Q(completed__lte=models.F("limit")), name="quota_within_limit")
        ]

    def __str__(self):
        return self.name

    @property
    def is_full(self):
        return self.completed >= self.limit

    @property
    def value_label(self):
        """The stratum's value as people read it: a customer type by its name (VIP, 大客户)."""
        if self.stratum == QuotaStratum.CUSTOMER_TYPE and self.value in CustomerType.values:
            return CustomerType(self.value).label
        return self.value
