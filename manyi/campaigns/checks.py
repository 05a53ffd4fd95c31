"""Start-up checks of the campaigns' settings (`manage.py check`)."""

import re

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


@register()
def sms_callback_secret_is_usable(app_configs=None, **kwargs):
    """SMS is on but SMS_CALLBACK_SECRET is empty, short, or has characters an address cannot
    carry as they are: the gateway's pushes find no address (404), so delivery receipts are
    lost and, worse, customers' 回复TD退订 replies are never heard and they keep being invited."""
    from .channels import sms

    if not sms.configured():
        return []
    secret = settings.SMS_CALLBACK_SECRET
    if re.fullmatch(sms.CALLBACK_SECRET_PATTERN, secret) and len(secret) >= sms.CALLBACK_SECRET_MIN_LENGTH:
        return []
    return [
        Warning(
            "SMS is on but SMS_CALLBACK_SECRET is empty, shorter than "
            f"{sms.CALLBACK_SECRET_MIN_LENGTH} characters or not made of letters, digits, - and _: "
            "delivery receipts and opt-out replies (回复TD退订) cannot reach the site.",
            hint=(
                "Set SMS_CALLBACK_SECRET to a random text such as the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(24))'` and give the gateway's "
                "console the addresses /s/sms/<provider>/receipts/<secret>/ and .../replies/<secret>/."
            ),
            id="manyi.W003",
        )
    ]
