"""Return visits (客户回访, REQUIREMENTS §4, seeds 000 and 003).

Rules (VisitRule) and the plan table 《客户回访计划表》 (VisitPlan) produce visit tasks
(VisitTask), one per source key so that planning twice never duplicates a task. Agents work
the tasks; every call is a VisitAttempt; a visit done is written down as a VisitRecord (the
fields of 《客户回访记录表》) that a supervisor reviews (审阅, 指导意见). Who sees which of
them is decided in access.py (VisitScope).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manyi.accounts.models import Department
from manyi.customers.models import Contact, Customer

from .choices import Method, Outcome, Priority, ReviewStatus, RuleKind, TaskStatus


class VisitScript(models.Model):
    """A call script (话术): a text with placeholders such as {{ customer_name }}."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    body = models.TextField(
        _("script"),
        help_text=_(
            "Placeholders: {{ customer_name }}, {{ contact_name }}, {{ agent_name }}, "
            "{{ product }}, {{ purpose }}."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("call script")
        verbose_name_plural = _("call scripts")

    def __str__(self):
        return self.name


class VisitRule(models.Model):
    """When visits are due: N days after delivery, at warranty end, monthly, weekly …"""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=RuleKind.choices)
    days = models.IntegerField(
        _("days"),
        default=0,
        help_text=_(
            "Days after delivery, purchase or closing; at warranty end: days before (negative) or after."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    purpose = models.CharField(_("purpose"), max_length=200)
    method = models.CharField(
        _("method"), max_length=20, choices=Method.choices, default=Method.PHONE_ROUTINE
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("questionnaire (survey campaign)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The answers are stored in this campaign and scored with its web answers."),
    )
    script = models.ForeignKey(
        VisitScript, verbose_name=_("call script"), null=True, blank=True, on_delete=models.SET_NULL
    )
    catch_up_days = models.PositiveSmallIntegerField(
        _("catch up (days)"),
        default=14,
        help_text=_("Visits that fell due this many days ago or less are still planned."),
    )
    # Seasonal rules (季节性回访): the days of the year they fall due, [{"month": 5, "day": 1,
    # "label": "雨季前"}, …], and the products whose buyers get them (none: every active customer).
    season_days = models.JSONField(_("days of the year"), default=list, blank=True)
    products = models.ManyToManyField(
        "customers.Product",
        verbose_name=_("products"),
        blank=True,
        related_name="+",
        help_text=_(
            "Seasonal visits: customers who bought one of these products; none: every active customer."
        ),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["kind", "days", "pk"]
        verbose_name = _("visit rule")
        verbose_name_plural = _("visit rules")

    def __str__(self):
        return self.name


class VisitPreference(models.Model):
    """What a customer asked about visits: routine visits after the warranty (seed 000)."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="visit_preference")
    visits_after_warranty = models.BooleanField(_("wants routine visits after the warranty"), default=False)

    def __str__(self):
        return str(self.customer)


class VisitPlan(models.Model):
    """One row of 《客户回访计划表》: a visit planned by hand."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    purpose = models.CharField(_("purpose"), max_length=200)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    planned_on = models.DateField(_("planned date"))
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="+"
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("questionnaire (survey campaign)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    script = models.ForeignKey(
        VisitScript, verbose_name=_("call script"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["planned_on", "pk"]
        verbose_name = _("visit plan")
        verbose_name_plural = _("visit plans")

    def __str__(self):
        return f"{self.customer} {self.planned_on}"


class VisitTaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=(TaskStatus.PENDING, TaskStatus.CALLBACK))


class VisitTask(models.Model):
    """A visit to make: from a rule, a plan row or by hand; worked until done or given up.

    The planner inserts tens of thousands of rows at once (≤ 10 s for 100,000 customers), so
    the table carries only what its reads need: no index per foreign key (db_index=False; the
    composite indexes below serve the worklist, the customer page and the planner), and
    database-level constraints only for the customer and the rule. The other references
    (agent, team, contact, plan, campaign, script, ticket, purchase) are checked by Django
    and cleared by it on deletion (on_delete), not by a trigger on every inserted row.
    """

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="visit_tasks",
        db_index=False,
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    rule = models.ForeignKey(
        VisitRule,
        verbose_name=_("rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        db_index=False,
    )
    plan = models.ForeignKey(
        VisitPlan,
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        db_index=False,
        db_constraint=False,
    )
    # What produced it ("r3:p41" = rule 3, purchase 41; "r5:c7:2026-11" = rule 5, customer 7,
    # November): unique, so the planner can run any number of times.
    source_key = models.CharField(max_length=80, editable=False)
    purpose = models.CharField(_("purpose"), max_length=200)
    method = models.CharField(
        _("method"), max_length=20, choices=Method.choices, default=Method.PHONE_ROUTINE
    )
    # planned_on stays as planned (the report's on-time rate); due_on moves with callbacks and retries.
    planned_on = models.DateField(_("planned date"))
    due_on = models.DateField(_("due on"))
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visit_tasks",
        db_index=False,
        db_constraint=False,
    )
    # The team that owns it (the agent's department when planned): what a supervisor sees.
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Days on which the customer could not be reached (retry policy: three different days).
    unanswered_days = models.PositiveSmallIntegerField(default=0)
    last_unanswered_on = models.DateField(null=True, blank=True)
    callback_at = models.DateTimeField(_("callback at"), null=True, blank=True)
    callback_reason = models.CharField(_("reason"), max_length=300, blank=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    script = models.ForeignKey(
        VisitScript,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # Anchor facts for the report: the ticket whose closing called for it, the purchase.
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    purchase = models.ForeignKey(
        "customers.Purchase",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = VisitTaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "-priority", "pk"]
        verbose_name = _("visit task")
        verbose_name_plural = _("visit tasks")
        # A constraint rather than unique=True: the same index, without PostgreSQL's extra
        # LIKE index for a unique CharField, which nothing here reads.
        constraints = [models.UniqueConstraint(fields=["source_key"], name="visit_task_source_key")]
        indexes = [
            # The worklist reads an agent's, a team's or everyone's tasks of one status by due
            # date (today, overdue, coming days) in priority order, and counts each tab.
            # With the id last, "today" (one due date) is read in its order straight from the index.
            models.Index(
                fields=["agent", "status", "due_on", "-priority", "id"], name="visit_task_agent_queue"
            ),
            models.Index(
                fields=["department", "status", "due_on", "-priority", "id"], name="visit_task_team_queue"
            ),
            models.Index(fields=["status", "due_on", "-priority", "id"], name="visit_task_queue"),
            models.Index(fields=["customer", "due_on"], name="visit_task_customer"),
            # The planner reads the keys a rule planned in its window.
            models.Index(fields=["rule", "planned_on"], name="visit_task_rule_planned"),
        ]

    def __str__(self):
        return f"{self.customer} · {self.purpose} · {self.due_on}"

    def get_absolute_url(self):
        return reverse("visits:task", args=[self.pk])

    @property
    def is_open(self):
        return self.status in (TaskStatus.PENDING, TaskStatus.CALLBACK)


class MergedReason(models.Model):
    """A reason a rule gave for visiting a customer that the planner joined to another visit
    of the customer a few days apart (planner.MERGE_DAYS) instead of making a second task.

    Its source key is kept so that planning again knows the reason is planned, also once the
    visit it joined is done; `due_on` is the day the reason fell due (the planner reads the
    keys of recent days by it).
    """

    task = models.ForeignKey(VisitTask, on_delete=models.CASCADE, related_name="merged_reasons")
    key = models.CharField(max_length=80)
    rule = models.ForeignKey(VisitRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key"], name="visit_merged_reason_key")]
        # The planner reads the keys of recent days.
        indexes = [models.Index(fields=["due_on"], name="visit_merged_reason_due")]

    def __str__(self):
        return f"{self.key} → {self.task_id}"


class VisitAttempt(models.Model):
    """One call or visit attempt and how it went; every one is kept."""

    task = models.ForeignKey(VisitTask, on_delete=models.CASCADE, related_name="visit_attempts")
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    callback_at = models.DateTimeField(_("callback at"), null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("visit attempt")
        verbose_name_plural = _("visit attempts")

    def __str__(self):
        return f"{self.task_id} {self.outcome} {self.at:%Y-%m-%d %H:%M}"


class VisitRecord(models.Model):
    """《客户回访记录表》: what the customer said, what was done about it, and the review."""

    task = models.OneToOneField(VisitTask, on_delete=models.CASCADE, related_name="record")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="visit_records")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    visitee = models.CharField(_("person visited"), max_length=100)  # 被访人
    visitee_title = models.CharField(_("title"), max_length=100, blank=True)  # 职务
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)  # 回访方式
    visited_at = models.DateTimeField(_("visit time"))  # 回访时间
    purchased_on = models.DateField(_("product purchase date"), null=True, blank=True)  # 产品购买时间
    # 回访内容: □1.产品使用情况 □2.产品问题反馈 □3.服务响应情况 □4.人员变动情况 □5.其他需求
    about_usage = models.BooleanField(_("product use"), default=False)
    about_problems = models.BooleanField(_("product problems"), default=False)
    about_service = models.BooleanField(_("service response"), default=False)
    about_staff = models.BooleanField(_("staff changes"), default=False)
    about_other = models.BooleanField(_("other needs"), default=False)
    notes = models.TextField(_("what the customer said"), blank=True)  # 电话或现场答复记录
    remarks = models.TextField(_("remarks"), blank=True)
    problem = models.TextField(_("problem found"), blank=True)  # 遗留问题
    handling = models.TextField(_("handling and result"), blank=True)  # 处理方式及结果
    customer_confirmed = models.BooleanField(_("confirmed by the customer"), default=False)  # 客户签名确认
    response = models.OneToOneField(
        "campaigns.Response", null=True, blank=True, on_delete=models.SET_NULL, related_name="visit_record"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_status = models.CharField(
        _("review"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.SUBMITTED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comments = models.TextField(_("comments (指导意见)"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        ordering = ["-visited_at", "-pk"]
        verbose_name = _("visit record")
        verbose_name_plural = _("visit records")
        indexes = [
            models.Index(fields=["review_status", "submitted_at"], name="visit_record_review"),
            models.Index(fields=["customer", "visited_at"], name="visit_record_customer"),
        ]

    def __str__(self):
        return f"{self.customer} {self.visited_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("visits:record", args=[self.pk])

    CONTENTS = ("about_usage", "about_problems", "about_service", "about_staff", "about_other")

    def contents(self):
        return [self._meta.get_field(name).verbose_name for name in self.CONTENTS if getattr(self, name)]


class VisitResults(models.Model):
    """A survey campaign and its visit results campaign (回访结果): where a return visit's answers
    go when the customer holds no open invitation of the survey. The rule is in results.py."""

    survey = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="visit_results", verbose_name=_("survey")
    )
    campaign = models.OneToOneField(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="visit_results_of",
        verbose_name=_("visit results"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("visit results")
        verbose_name_plural = _("visit results")

    def __str__(self):
        return str(self.campaign)


class PlannerRun(models.Model):
    """The planner ran for this day: the periodic job plans once a day, not every minute."""

    day = models.DateField(unique=True)
    at = models.DateTimeField(default=timezone.now)
    created = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)

    def __str__(self):
        return f"{self.day}: {self.created}"
