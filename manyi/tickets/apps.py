from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "manyi.tickets"
    label = "tickets"
    verbose_name = _("Feedback and complaints")

    def ready(self):
        from manyi.customers import timeline

        from . import timeline as ticket_timeline

        timeline.register(ticket_timeline.tickets)
