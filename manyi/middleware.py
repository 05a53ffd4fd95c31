"""Request checks every view relies on."""

from django.http import JsonResponse
from django.utils.translation import gettext as _

from manyi.forms import BadParameter


def refuse_nul_in_address(get_response):
    """400 for an address holding a NUL character (%00) in its path or query string: no page
    writes one, a ``str`` path argument takes it, and PostgreSQL refuses any text holding it
    (a server error at the first query with it). The JSON API answers in JSON."""

    def middleware(request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            message = _("The address holds a character that no address of this site holds.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            raise BadParameter(message)
        return get_response(request)

    return middleware
