from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Count, Max, Min, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .choices import ContactMethod, CustomerKind, CustomerType, Lifecycle
from .lifecycle import lifecycle_stage


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name


class Product(models.Model):
    """Something the company sells; purchases, surveys and complaints refer to it."""

    code = models.CharField(_("product code"), max_length=50, unique=True)
    name = models.CharField(_("product name"), max_length=200)
    category = models.CharField(_("category"), max_length=100, blank=True)
    warranty_months = models.PositiveIntegerField(_("warranty (months)"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self):
        return self.name


# The aggregate behind Customer's purchase summary fields, and those fields.
PURCHASE_SUMMARY = {
    "first": Min("purchased_on"),
    "last": Max("purchased_on"),
    "n": Count("pk"),
    "total": Sum("amount"),
}
SUMMARY_FIELDS = ["first_purchase_on", "last_purchase_on", "purchase_count", "purchase_total", "lifecycle"]


class CustomerQuerySet(models.QuerySet):
    def for_user(self, user):
        """The customers the user sees: those of their organisation unit and the units below
        it; every customer for a user of no unit or of the group (organisation/access.py)."""
        from manyi.organisation.access import limit_to_units

        return limit_to_units(self, user, "unit")

    def refresh_purchase_summaries(self, customer_ids, today=None, chunk_size=900):
        """refresh_purchase_summary() for many customers: one aggregate query and one bulk
        update per chunk (chunks keep IN lists under SQLite's parameter limit)."""
        ids = sorted(customer_ids)
        for start in range(0, len(ids), chunk_size):
            chunk = ids[start : start + chunk_size]
            summaries = {
                row.pop("customer_id"): row
                for row in Purchase.objects.filter(customer_id__in=chunk)
                .values("customer_id")
                .annotate(**PURCHASE_SUMMARY)
                .order_by()
            }
            customers = list(self.filter(pk__in=chunk).only("pk", "created_at"))
            for customer in customers:
                customer.apply_purchase_summary(summaries.get(customer.pk, {}), today)
            self.model.objects.bulk_update(customers, SUMMARY_FIELDS, batch_size=2000)

    def search(self, text, *, personal):
        """Match name, code, phone, e-mail and contacts' names and phones, case-insensitively.

        `personal`: may the searcher see personal data? If not, only the name and the code are
        matched: a search by phone or e-mail would tell them whose number it is (and, digit by
        digit, the masked part of it).
        """
        text = (text or "").strip().lower()
        if not text:
            return self
        if not personal:
            return self.filter(Q(name__icontains=text) | Q(code__icontains=text))
        return self.filter(search_text__contains=text)

    def lifecycle_counts(self):
        counts = dict(self.values_list("lifecycle").annotate(n=Count("pk")).order_by())
        return [(value, label, counts.get(value, 0)) for value, label in Lifecycle.choices]

    def possible_duplicates(self, *, code="", phones=(), emails=(), exclude_pk=None):
        """Customers that share the code, a phone number or an e-mail address."""
        condition = Q()
        if code:
            condition |= Q(code__iexact=code)
        phones = [p for p in phones if p]
        emails = [e.lower() for e in emails if e]
        if phones:
            condition |= Q(phone__in=phones) | Q(contacts__phone__in=phones)
        if emails:
            condition |= Q(email__in=emails) | Q(contacts__email__in=emails)
        if not condition:
            return self.none()
        found = self.filter(condition)
        if exclude_pk:
            found = found.exclude(pk=exclude_pk)
        return found.distinct()


class Customer(models.Model):
    """A person or company that buys from us: the centre of the archive (客户档案)."""

    kind = models.CharField(
        pgettext_lazy("customer", "kind"),
        max_length=10,
        choices=CustomerKind.choices,
        default=CustomerKind.COMPANY,
    )
    code = models.CharField(_("customer code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    customer_type = models.CharField(
        _("customer type"), max_length=10, choices=CustomerType.choices, default=CustomerType.NORMAL
    )
    lifecycle = models.CharField(
        _("lifecycle"), max_length=10, choices=Lifecycle.choices, default=Lifecycle.NEW, editable=False
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    region = models.CharField(_("region"), max_length=50, blank=True)
    province = models.CharField(_("province"), max_length=50, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_customers",
    )
    # The organisation unit (区域公司, 项目, 门店) the customer belongs to; none = the whole
    # company. Who sees the customer follows it (manyi/organisation/access.py).
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("organisation unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")
    preferred_contact_method = models.CharField(
        _("preferred contact method"), max_length=10, choices=ContactMethod.choices, blank=True
    )
    preferences = models.CharField(
        _("preferences"), max_length=300, blank=True, help_text=_("For example: 偏好电话沟通, 工作日上午联系")
    )
    consent_to_contact = models.BooleanField(_("consents to be contacted"), default=True)
    consent_changed_at = models.DateTimeField(_("consent changed at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Set when the customer asked to be forgotten: identity removed, statistics kept.
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True, editable=False)

    # Summary of purchases, kept by refresh_purchase_summary(); used for sorting,
    # lifecycle and the "80% of business volume" sampling rule.
    first_purchase_on = models.DateField(_("first purchase"), null=True, blank=True, editable=False)
    last_purchase_on = models.DateField(_("last purchase"), null=True, blank=True, editable=False)
    purchase_count = models.PositiveIntegerField(_("purchases"), default=0, editable=False)
    purchase_total = models.DecimalField(
        _("business volume"), max_digits=16, decimal_places=2, default=0, editable=False
    )
    # Lower-cased name, code, phones, e-mails and contact names: one column to search.
    search_text = models.TextField(default="", editable=False)

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["customer_type"]),
            models.Index(fields=["lifecycle"]),
            models.Index(fields=["region"]),
            models.Index(fields=["phone"]),
            models.Index(fields=["email"]),
            models.Index(fields=["last_purchase_on"]),
            models.Index(fields=["purchase_total"]),
            models.Index(fields=["name"]),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        if not self.pk:
            self.lifecycle = self.compute_lifecycle()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("customers:detail", args=[self.pk])

    def build_search_text(self, contacts=None):
        if contacts is None:
            contacts = self.contacts.all() if self.pk else []
        parts = [self.code, self.name, self.phone, self.email]
        for contact in contacts:
            parts += [contact.name, contact.phone, contact.email]
        return " ".join(p for p in parts if p).lower()

    def refresh_search_text(self):
        self.search_text = self.build_search_text()
        Customer.objects.filter(pk=self.pk).update(search_text=self.search_text)

    def compute_lifecycle(self, today=None):
        today = today or timezone.localdate()
        return lifecycle_stage(
            today,
            timezone.localdate(self.created_at),
            self.first_purchase_on,
            self.last_purchase_on,
            **settings.CUSTOMER_LIFECYCLE,
        )

    def apply_purchase_summary(self, summary, today=None):
        """Set the summary fields from an aggregate of PURCHASE_SUMMARY (empty: no purchases)."""
        self.first_purchase_on = summary.get("first")
        self.last_purchase_on = summary.get("last")
        self.purchase_count = summary.get("n") or 0
        self.purchase_total = summary.get("total") or 0
        self.lifecycle = self.compute_lifecycle(today)

    def refresh_purchase_summary(self, today=None):
        """Recompute the purchase summary and the lifecycle from the purchases."""
        self.apply_purchase_summary(self.purchases.aggregate(**PURCHASE_SUMMARY), today)
        Customer.objects.filter(pk=self.pk).update(**{name: getattr(self, name) for name in SUMMARY_FIELDS})

    def set_consent(self, consent: bool):
        if consent != self.consent_to_contact:
            self.consent_to_contact = consent
            self.consent_changed_at = timezone.now()

    PERSONAL_FIELDS = ("phone", "email", "address", "preferences", "notes")

    def erase_personal_data(self):
        """Forget who the customer is, on request, keeping purchases and answers for statistics.

        Contacts are deleted and personal values are also scrubbed from the audit trail, which
        would otherwise keep the old phone numbers and e-mail addresses.
        """
        from auditlog.context import disable_auditlog
        from auditlog.models import LogEntry
        from django.contrib.contenttypes.models import ContentType

        contact_ids = [str(pk) for pk in self.contacts.values_list("pk", flat=True)]
        with disable_auditlog():
            self.contacts.all().delete()
            self.name = gettext("Erased customer %(code)s") % {"code": self.code}
            for name in self.PERSONAL_FIELDS:
                setattr(self, name, "")
            self.consent_to_contact = False
            self.consent_changed_at = self.erased_at = timezone.now()
            self.save()
        scrubbed = {"name", "contact_name", "title", *self.PERSONAL_FIELDS}
        entries = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Customer), object_pk=str(self.pk)
        ) | LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Contact), object_pk__in=contact_ids
        )
        for entry in entries:
            changes = {
                key: (["***", "***"] if key in scrubbed else value)
                for key, value in (entry.changes_dict or {}).items()
            }
            LogEntry.objects.filter(pk=entry.pk).update(
                changes=changes, changes_text="", object_repr=self.code
            )

    @property
    def latest_delivery_on(self) -> date | None:
        return self.purchases.aggregate(d=Max("delivered_on"))["d"]

    @property
    def latest_warranty_end(self) -> date | None:
        return self.purchases.aggregate(d=Max("warranty_end"))["d"]


class Contact(models.Model):
    """A person to talk to at a customer (for a company: buyer, engineer, manager …)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("contact name"), max_length=100)
    title = models.CharField(pgettext_lazy("person", "title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ["-is_primary", "pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [models.Index(fields=["phone"]), models.Index(fields=["email"])]

    def __str__(self):
        return self.name


class Purchase(models.Model):
    """One purchase: drives lifecycle, business volume and visit dates (delivery, warranty)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="purchases")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="purchases"
    )
    order_number = models.CharField(_("order number"), max_length=50, blank=True)
    purchased_on = models.DateField(_("purchase date"))
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, default=1)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)
    delivered_on = models.DateField(_("delivery date"), null=True, blank=True)
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True)

    class Meta:
        ordering = ["-purchased_on", "-pk"]
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        indexes = [
            models.Index(fields=["purchased_on"]),
            models.Index(fields=["delivered_on"]),
            models.Index(fields=["warranty_end"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="purchase_quantity_positive"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="purchase_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.product} {self.purchased_on}"
