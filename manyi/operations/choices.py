from django.db import models
from django.utils.translation import gettext_lazy as _


class Industry(models.TextChoices):
    """The industries a company can be set up for; each has its profile in industries/<value>.json."""

    MANUFACTURING = "manufacturing", _("Manufacturing (machinery and equipment)")
    PROPERTY = "property", _("Property management")
    EXPRESS = "express", _("Express delivery")
    HOTEL = "hotel", _("Hotel")
    SOFTWARE = "software", _("Software")
