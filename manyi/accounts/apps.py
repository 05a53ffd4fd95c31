from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "manyi.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from auditlog.registry import auditlog

        import manyi.checks  # noqa: F401  (registers the start-up checks)

        from .models import Department, User

        auditlog.register(User, exclude_fields=["password", "last_login"])
        auditlog.register(Department)
