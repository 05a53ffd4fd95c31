"""Start-up checks of the configuration (`manage.py check`, run by every management command)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Warning, register

LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


def _host_name(host):
    """An ALLOWED_HOSTS entry without its port: "[::1]:8000" → "[::1]", "a.cn:80" → "a.cn"."""
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.split(":")[0]


@register()
def site_url_is_set_for_production(app_configs=None, **kwargs):
    """Mailed and printed links are built from SITE_URL: on a server reached by others (debug off,
    a host name that is not this machine's) the default http://127.0.0.1:8000 would send every
    customer to their own computer."""
    served = {_host_name(host) for host in settings.ALLOWED_HOSTS}
    production = not settings.DEBUG and bool(served - LOOPBACK)
    local = urlsplit(settings.SITE_URL).hostname in {"127.0.0.1", "localhost", "::1"}
    if production and (not settings.SITE_URL_GIVEN or local):
        return [
            Warning(
                "SITE_URL is not set to this server's public address.",
                hint=(
                    f"Links in invitations, reminders and acknowledgements point to {settings.SITE_URL}. "
                    "Set SITE_URL, e.g. https://manyi.example.com."
                ),
                id="manyi.W001",
            )
        ]
    return []
