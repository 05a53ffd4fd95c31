"""/api/: the JSON API (ninja) and the page where users manage their tokens."""

from functools import wraps

from django.http import Http404
from django.urls import path, re_path
from django.utils.translation import gettext as _

from . import views
from .api import api, json_error
from .errors import oversized


def in_json(view):
    """The API's operations with the refusals Django would answer in HTML answered in JSON: a
    body over the size limit (413, before it is read), an unsupported method (405 with Allow),
    an address that names nothing (404)."""

    @wraps(view)
    def answer(request, *args, **kwargs):
        refusal = oversized(request)
        if refusal is not None:
            return json_error(request, str(refusal), refusal.status_code)
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return json_error(request, _("Not found."), 404)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = sorted(
                method.strip() for method in response.get("Allow", "").split(",") if method.strip()
            )
            message = _("This address does not accept %(method)s; it accepts %(allowed)s.") % {
                "method": request.method,
                "allowed": ", ".join(allowed),
            }
            return json_error(request, message, 405, Allow=", ".join(allowed))
        return response

    return answer


def no_such_operation(request, rest=""):
    """An address under /api/ that no operation has (answered by in_json)."""
    raise Http404


ninja_patterns, ninja_app, ninja_namespace = api.urls
for pattern in ninja_patterns:
    pattern.callback = in_json(pattern.callback)

urlpatterns = [
    path("tokens/", views.tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke, name="api_token_revoke"),
    path(
        "",
        (
            [
                *ninja_patterns,
                # The token pages above keep the site's HTML pages for their own errors.
                re_path(r"^(?!tokens/)(?P<rest>.+)$", in_json(no_such_operation), name="no-such-operation"),
            ],
            ninja_app,
            ninja_namespace,
        ),
    ),
]
