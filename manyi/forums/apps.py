from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumsConfig(AppConfig):
    name = "manyi.forums"
    label = "forums"
    verbose_name = _("Customer forums")

    def ready(self):
        from auditlog.registry import auditlog

        from manyi.customers import timeline

        from . import timeline as forum_timeline
        from .models import Forum, Invitation, MinutesFile, Opinion

        # Who changed what (REQUIREMENTS §9): the forum, its invitations and attendance, the
        # opinions and what they became, the minutes files.
        auditlog.register(Forum)
        auditlog.register(Invitation)
        auditlog.register(Opinion)
        auditlog.register(MinutesFile)

        timeline.register(forum_timeline.forums)
