from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "manyi.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self):
        from auditlog.registry import auditlog

        from . import timeline
        from .models import Contact, Customer, Product, Purchase

        auditlog.register(Customer, exclude_fields=["search_text", "updated_at"], m2m_fields={"tags"})
        auditlog.register(Contact)
        auditlog.register(Purchase)
        auditlog.register(Product)
        timeline.register_builtin_providers()
