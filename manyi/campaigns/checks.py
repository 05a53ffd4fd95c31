"""Start-up checks of the campaigns' settings (`manage.py check`)."""

from django.conf import settings
from django.core.checks import Warning, register


@register()
def sms_settings_are_complete(app_configs=None, **kwargs):
    """SMS_PROVIDER names a gateway but a setting it needs is missing: SMS would silently stay
    off, and customers who prefer SMS would get only a personal link for staff to pass on."""
    from .channels import sms

    if not settings.SMS_PROVIDER or sms.configured():
        return []
    if settings.SMS_PROVIDER not in sms.GATEWAYS:
        problem = f"SMS_PROVIDER={settings.SMS_PROVIDER!r} is not a known gateway ({', '.join(sorted(sms.GATEWAYS))})."
    else:
        problem = "SMS_PROVIDER is set but SMS is off: a setting it needs is empty."
    return [
        Warning(
            problem,
            hint=(
                "Set SMS_ACCESS_KEY_ID, SMS_ACCESS_KEY_SECRET, SMS_SIGN_NAME and SMS_TEMPLATE_INVITATION "
                "(and SMS_APP_ID for tencent), or leave SMS_PROVIDER empty."
            ),
            id="manyi.W002",
        )
    ]
