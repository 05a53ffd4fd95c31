from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class CustomerType(models.TextChoices):
    VIP = "vip", _("VIP")
    KEY_ACCOUNT = "key", _("Key account")
    NORMAL = "normal", _("Normal")


class Lifecycle(models.TextChoices):
    NEW = "new", _("New")
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    LOST = "lost", _("Lost")


class ContactMethod(models.TextChoices):
    ANY = "", _("No preference")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    VISIT = "visit", _("On-site visit")
