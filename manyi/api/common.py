"""What every part of the API shares: the capability check, paging, and what input may hold.
Kept apart from api.py so that the API's other modules (inspections) import it without a cycle."""

from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import HttpError, ValidationError
from pydantic import ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from .contract import no_nul_in_schema

MAX_PAGE_SIZE = 200
# Beyond any real list; a larger page number would overflow the database's OFFSET (a 500).
MAX_PAGE = 1_000_000


def require(request, capability):
    if not request.user.can(capability):
        raise HttpError(403, _("Your role does not allow this."))


def refused(message):
    """A field validator's refusal, its message as given (a ValueError's gets "Value error, ")."""
    return PydanticCustomError("value_error", "{reason}", {"reason": str(message)})


def invalid(field, message):
    return ValidationError([{"loc": ["body", "payload", field], "msg": str(message), "type": "value_error"}])


class Page(Schema):
    count: int
    page: int
    page_size: int
    next_page: int | None


def paginate(queryset, page, page_size):
    """(rows, Page) for 1-based ``page``; the count is one query, the rows another."""
    count = queryset.count()
    start = (page - 1) * page_size
    rows = list(queryset[start : start + page_size])
    has_next = start + page_size < count
    return rows, {
        "count": count,
        "page": page,
        "page_size": page_size,
        "next_page": page + 1 if has_next else None,
    }


class Input(Schema):
    """What a client sends: text without NUL characters (PostgreSQL stores none: a 500)."""

    model_config = ConfigDict(json_schema_extra=no_nul_in_schema)

    @field_validator("*", mode="after")
    @classmethod
    def no_nul(cls, value):
        if isinstance(value, str) and "\x00" in value:
            raise refused(_("Text must not contain the NUL character."))
        return value


class PageQuery(Input):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
