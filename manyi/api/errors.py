"""Every error of the JSON API in one shape: ``{"detail": "what is wrong"}``, and for input that
does not validate (422) ``{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}``.

Django answers some requests before or around ninja's operations with its own HTML pages (a
malformed multipart body, a body over the size limit, an unsupported method, an address no
operation has); here they get the JSON the API's clients read, in the user's language.
"""

import json
import logging
import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.signals import got_request_exception
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

logger = logging.getLogger("django.request")

# Room for the multipart framing and the form's other fields around the largest set of files.
MULTIPART_OVERHEAD = 1024 * 1024


class BodyNotJson(ValueError):
    """A request body that is not JSON; ninja turns any parser error into a 400 of its own."""


class JsonParser(Parser):
    def parse_body(self, request):
        try:
            return json.loads(request.body)
        except json.JSONDecodeError as error:
            raise BodyNotJson(
                _("The request body is not valid JSON (line %(line)d, column %(column)d).")
                % {"line": error.lineno, "column": error.colno}
            ) from error
        except (ValueError, RecursionError) as error:  # not UTF-8, or nested beyond any real body
            raise BodyNotJson(_("The request body is not valid JSON.")) from error


def body_limit(request):
    """The largest body accepted (bytes): the attachment limits for a multipart upload, Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE for anything else."""
    if request.content_type == "multipart/form-data":
        return (
            settings.TICKET_ATTACHMENT_MAX_FILES * settings.TICKET_ATTACHMENT_MAX_BYTES + MULTIPART_OVERHEAD
        )
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_large_message(limit):
    return _("The request is too large: the API accepts at most %(megabytes)s MB.") % {
        "megabytes": round(limit / (1024 * 1024), 1)
    }


def oversized(request):
    """The error for a body whose announced length is over the limit, before any of it is read
    (a multipart upload is otherwise streamed to disk whole before its files are checked)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return HttpError(400, _("The Content-Length header is not a number."))
    limit = body_limit(request)
    if limit is not None and length > limit:
        return HttpError(413, too_large_message(limit))
    return None


def _unauthenticated(request, exc):
    return (
        _("Send a valid API token in the header Authorization: Bearer <token>."),
        401,
        {"WWW-Authenticate": "Bearer"},
    )


def _http_error(request, exc):
    if isinstance(exc.__cause__, BodyNotJson):  # ninja's "Cannot parse request body"
        return str(exc.__cause__), 400, {}
    return str(exc), exc.status_code, {}


def _not_found(request, exc):
    return _("Not found."), 404, {}


def _bad_multipart(request, exc):
    return _("The request body is not a well-formed multipart form (check its boundary)."), 400, {}


def _too_big(request, exc):
    return too_large_message(settings.DATA_UPLOAD_MAX_MEMORY_SIZE), 413, {}


def _too_many(request, exc):
    return _("The request has too many fields or files."), 413, {}


def _at_least(ctx):
    if ctx.get("min_length") == 1:
        return _("This field must not be blank.")
    count = ctx.get("min_length", 0)
    return ngettext("Enter at least %(count)d character.", "Enter at least %(count)d characters.", count) % {
        "count": count
    }


def _at_most(ctx):
    count = ctx.get("max_length", 0)
    return ngettext("Enter at most %(count)d character.", "Enter at most %(count)d characters.", count) % {
        "count": count
    }


def _items_at_least(ctx):
    count = ctx.get("min_length", 0)
    return ngettext("Give at least %(count)d item.", "Give at least %(count)d items.", count) % {
        "count": count
    }


def _items_at_most(ctx):
    count = ctx.get("max_length", 0)
    return ngettext("Give at most %(count)d item.", "Give at most %(count)d items.", count) % {"count": count}


def _whole_number(ctx):
    return _("Enter a whole number.")


def _number(ctx):
    return _("Enter a number.")


def _date_time(ctx):
    return _("Enter a date and time with its time zone, e.g. 2026-03-01T09:30:00+08:00.")


def _date(ctx):
    return _("Enter a date, e.g. 2026-03-01.")


def _object(ctx):
    return _("Send an object (JSON {…}) here.")


# pydantic's problems (their `type`) in the user's language; pydantic itself speaks English only.
# A problem of our own rules (value_error) already carries its message in the user's language.
PYDANTIC_MESSAGES = {
    "missing": lambda ctx: _("This field is required."),
    "string_too_short": _at_least,
    "string_too_long": _at_most,
    "too_short": _items_at_least,
    "too_long": _items_at_most,
    "string_pattern_mismatch": lambda ctx: (
        _("The value does not have the expected form (pattern %(pattern)s).")
        % {"pattern": ctx.get("pattern", "")}
    ),
    "string_type": lambda ctx: _("Enter text (a JSON string)."),
    "string_unicode": lambda ctx: _("Enter text (a JSON string)."),
    "int_parsing": _whole_number,
    "int_type": _whole_number,
    "int_from_float": _whole_number,
    "float_parsing": _number,
    "float_type": _number,
    "bool_parsing": lambda ctx: _("Enter true or false."),
    "bool_type": lambda ctx: _("Enter true or false."),
    "greater_than_equal": lambda ctx: _("Enter a value of at least %(limit)s.") % {"limit": ctx.get("ge")},
    "greater_than": lambda ctx: _("Enter a value greater than %(limit)s.") % {"limit": ctx.get("gt")},
    "less_than_equal": lambda ctx: _("Enter a value of at most %(limit)s.") % {"limit": ctx.get("le")},
    "less_than": lambda ctx: _("Enter a value less than %(limit)s.") % {"limit": ctx.get("lt")},
    "datetime_parsing": _date_time,
    "datetime_from_date_parsing": _date_time,
    "datetime_type": _date_time,
    "timezone_aware": lambda ctx: _("Give the time zone, e.g. +08:00."),
    "date_parsing": _date,
    "date_from_datetime_parsing": _date,
    "date_from_datetime_inexact": _date,
    "date_type": _date,
    "enum": lambda ctx: _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")},
    "literal_error": lambda ctx: _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")},
    "list_type": lambda ctx: _("Send a list (JSON […]) here."),
    "dict_type": _object,
    "model_type": _object,
    "model_attributes_type": _object,
    "json_invalid": lambda ctx: _("The value is not valid JSON."),
    "extra_forbidden": lambda ctx: _("This field is not accepted here."),
    "uuid_parsing": lambda ctx: _("Enter a UUID."),
    "url_parsing": lambda ctx: _("Enter a web address."),
}
VALUE_ERROR_PREFIX = "Value error, "


def problem_in_users_language(problem):
    """One 422 problem with its `msg` in the user's language; `type`, `loc` and `ctx` unchanged
    (clients branch on `type`, people read `msg`)."""
    kind = problem.get("type", "")
    ctx = problem.get("ctx") or {}
    if kind == "value_error":
        message = str(problem.get("msg", ""))
        message = message.removeprefix(VALUE_ERROR_PREFIX)
    elif kind in PYDANTIC_MESSAGES:
        message = PYDANTIC_MESSAGES[kind](ctx)
    else:
        message = _("This value is not valid.")
    return {**problem, "msg": message}


def _invalid_input(request, exc):
    return [problem_in_users_language(problem) for problem in exc.errors], 422, {}


def _server_error(request, exc):
    # Logged and signalled as Django does for a view's exception (error reports, and the test
    # client re-raises it), but answered in JSON.
    logger.error("Internal Server Error: %s", request.path, exc_info=sys.exc_info())
    got_request_exception.send(sender=None, request=request)
    return _("Something went wrong on our side; it has been logged."), 500, {}


HANDLERS = {
    AuthenticationError: _unauthenticated,
    HttpError: _http_error,
    ValidationError: _invalid_input,
    Http404: _not_found,
    MultiPartParserError: _bad_multipart,
    RequestDataTooBig: _too_big,
    TooManyFieldsSent: _too_many,
    TooManyFilesSent: _too_many,
    Exception: _server_error,
}


def install(api):
    """Register the JSON answers on the ninja API; returns ``json_error(request, message,
    status, **headers)`` for errors answered outside an operation."""

    def json_error(request, message, status, **headers):
        response = api.create_response(request, {"detail": message}, status=status)
        for name, value in headers.items():
            response[name] = value
        return response

    def handler(explain):
        def answer(request, exc):
            message, status, headers = explain(request, exc)
            return json_error(request, message, status, **headers)

        return answer

    for exception, explain in HANDLERS.items():
        api.add_exception_handler(exception, handler(explain))
    return json_error
