from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running the product as a whole: the periodic jobs and the demo data. It sits above every
    other app (it calls into all of them), so no app needs to import another one above it."""

    name = "manyi.operations"
    label = "operations"
    verbose_name = _("Operations")
