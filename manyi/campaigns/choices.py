from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RUNNING = "running", _("Running")
    CLOSED = "closed", _("Closed")


class Channel(models.TextChoices):
    WEB = "web", _("Personal web link")
    EMAIL = "email", _("E-mail invitation")
    SMS = "sms", _("SMS invitation")
    PHONE = "phone", _("Phone interview")
    PAPER = "paper", _("Paper / Excel")
    ANONYMOUS = "anonymous", _("Anonymous public link")
    VISIT = "visit", _("On-site visit")


class DeliveryStatus(models.TextChoices):
    """What became of an invitation's message after it left (channels/): the gateway's receipt
    for an SMS, the mail server's acceptance for an e-mail (no receipt follows)."""

    NONE = "", _("Not sent by us")
    PENDING = "pending", _("Waiting for the receipt")
    ACCEPTED = "accepted", _("Accepted by the mail server")
    DELIVERED = "delivered", pgettext_lazy("message", "Delivered")
    FAILED = "failed", _("Not delivered")


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


class AnswerRefusal(models.TextChoices):
    """Why an invitation or a campaign takes no answer now (Invitation.refusal_to_answer); the
    labels are said to staff, the public page words them for the customer."""

    NOT_STARTED = "not_started", _("The campaign has not started: answers are taken once it runs.")
    CLOSED = "closed", _("The campaign is closed: reopen it with a new deadline to enter late answers.")
    PAST_DEADLINE = (
        "past_deadline",
        _("The campaign's deadline has passed: reopen it with a new deadline to enter late answers."),
    )
    OPTED_OUT = "opted_out", _("This customer has asked not to be surveyed.")
    ANSWERED = "answered", _("This customer has already answered.")


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


class Recurrence(models.TextChoices):
    """How often a survey is repeated: when a wave closes, the periodic job prepares the next
    one as a draft (workflow.make_next_wave). Seed 003: "营销部每年进行一次顾客满意度问卷调查",
    "建议至少每季度进行一次调查", "每半年一次向用户发放服务满意度调查表"."""

    NONE = "", _("Not repeated")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Every half year")
    YEARLY = "yearly", _("Yearly")


class ChaseOutcome(models.TextChoices):
    """What a chase call (电话催收, seed 000: "佐以电话催收问卷") to a customer who has not answered
    came to."""

    REACHED = "reached", _("Reached")
    WILL_ANSWER = "will_answer", _("Will answer")
    REFUSED = "refused", _("Refused")
    NO_ANSWER = "no_answer", _("No answer")


class QuotaStratum(models.TextChoices):
    """Who a quota counts (campaigns.models.Quota)."""

    CUSTOMER_TYPE = "customer_type", _("Customer type")
    REGION = "region", _("Region")
    ANSWER = "answer", _("Answer to a question")
