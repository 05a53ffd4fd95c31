from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "manyi.tickets"
    label = "tickets"
    verbose_name = _("Feedback and complaints")

    def ready(self):
        from auditlog.registry import auditlog

        from manyi.campaigns import answering
        from manyi.customers import timeline

        from . import survey_rule
        from . import timeline as ticket_timeline
        from .models import Category, SlaPolicy

        timeline.register(ticket_timeline.tickets)
        # Low survey scores are found by the tickets app's own rule, asked as each response is
        # completed (campaigns does not import tickets).
        answering.register_follow_up_rule(survey_rule.calls_for_ticket)
        # The topics handlers chose teach the topic rule at its next retraining (issue 18).
        from manyi.results import topics as topic_rule

        from . import topics as ticket_topics

        topic_rule.register_examples(ticket_topics.confirmed_examples)
        # Who changed a deadline policy or the category tree, and from what (REQUIREMENTS §9).
        auditlog.register(SlaPolicy)
        auditlog.register(Category)
