from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    """The levels of a group company in seed 003: 集团 → 事业部 / 区域公司 → 项目, 小区, 门店."""

    GROUP = "group", _("Group")
    BUSINESS_UNIT = "business_unit", _("Business unit")
    REGION = "region", _("Regional company")
    PROJECT = "project", _("Project")
    SITE = "site", _("Site")
    STORE = "store", _("Store")
    PROPERTY_COMPANY = "property_company", _("Property company")
