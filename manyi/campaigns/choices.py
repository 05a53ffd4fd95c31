from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RUNNING = "running", _("Running")
    CLOSED = "closed", _("Closed")


class Channel(models.TextChoices):
    WEB = "web", _("Personal web link")
    EMAIL = "email", _("E-mail invitation")
    PHONE = "phone", _("Phone interview")
    PAPER = "paper", _("Paper / Excel")
    ANONYMOUS = "anonymous", _("Anonymous public link")
    VISIT = "visit", _("On-site visit")


class SamplingMethod(models.TextChoices):
    ALL = "all", _("Everyone in the target list")
    SIMPLE = "simple", _("Simple random sample")
    STRATIFIED = "stratified", _("Stratified (proportional)")
    SYSTEMATIC = "systematic", _("Systematic")
    TOP_VOLUME = "top_volume", _("Top customers by business volume")


class InvitationStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Sending failed")
    OPENED = "opened", _("Opened")
    STARTED = "started", _("Started")
    COMPLETED = "completed", _("Completed")
    OPTED_OUT = "opted_out", _("Opted out")


class ResponseStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class VoiceRule(models.TextChoices):
    """How many of a customer's answers to one campaign the figures count. The seeds count
    customers ("4家客户满意度≥70分,为满意客户"), so by default one customer is one voice."""

    CUSTOMER = "customer", _("One voice per customer: their latest answer counts")
    CONTACT = (
        "contact",
        _("One voice per contact person: every contact is invited; each one's latest answer counts"),
    )
    RESPONSE = "response", _("Every answer counts")
