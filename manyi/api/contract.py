"""What the OpenAPI schema promises beyond field types: every answer an operation gives (the
errors with their bodies) and the rules its input follows, as patterns a generated client can
check before sending. Each pattern here is also what the server checks (``re.fullmatch`` in
the validators), so the schema and the server cannot drift apart.

The patterns use only what JSON Schema's (ECMA-262), Python's and pydantic's regular
expressions read alike: explicit character classes, no ``\\s`` (whose members differ).
"""

import re

from ninja import Field, Schema

# Python's str.strip() whitespace, spelled out (JSON Schema's \s is another set).
WHITESPACE = "\\t\\n\\u000b\\f\\r\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
# Text without the NUL character (PostgreSQL stores none).
NO_NUL = "^[^\\u0000]*$"
# Text with something besides whitespace in it, and no NUL.
NOT_BLANK = f"^[^\\u0000]*[^\\u0000{WHITESPACE}][^\\u0000]*$"
# The phone numbers customers.validators.normalize_phone reads, in the ways people write them:
# a mainland mobile (11 digits, 1[3-9]…, optionally +86/0086 and spaces or hyphens as 3-4-4),
# a landline with its area code (0571-88886666, an extension after a hyphen), or an
# international number (+ and 7-15 digits); or nothing.
PHONE = (
    "^$"
    "|^(?:(?:\\+86|0086)[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}$"
    "|^0[0-9]{2,3}[ -]?[0-9]{7,8}(?:-[0-9]{1,6})?$"
    "|^\\+[0-9]{7,15}$"
)


def matches(pattern, value):
    """Whether ``value`` matches ``pattern`` as JSON Schema reads it (Python's ``$`` would also
    match before a final newline)."""
    return re.search(pattern.replace("$", "\\Z"), value) is not None


def text_pattern(pattern):
    """json_schema_extra for a text field: ``pattern`` on its text (beside null if optional)."""

    def extra(schema):
        for variant in [schema, *schema.get("anyOf", [])]:
            if variant.get("type") == "string":
                variant["pattern"] = pattern

    return extra


def no_nul_in_schema(schema):
    """json_schema_extra of the input models: every text field without a pattern of its own
    says it holds no NUL character (the models refuse it: Input.no_nul)."""
    for field in schema.get("properties", {}).values():
        for variant in [field, *field.get("anyOf", [])]:
            is_text = variant.get("type") == "string" and not ({"pattern", "format", "enum"} & set(variant))
            if is_text and "anyOf" not in variant:
                variant["pattern"] = NO_NUL
            items = variant.get("items", {})
            if items.get("type") == "string" and not ({"pattern", "format", "enum", "$ref"} & set(items)):
                items["pattern"] = NO_NUL


class ErrorOut(Schema):
    """Every refusal but invalid input."""

    detail: str = Field(
        ..., description="what is wrong, in the user's language (Accept-Language: zh-hans, en)"
    )


class Problem(Schema):
    loc: list[str | int] = Field(..., description='where: ["body"|"query"|"path"|"header", …, field]')
    msg: str = Field(..., description="what is wrong, in the user's language")
    type: str = Field(..., description="the kind of problem, e.g. missing, string_too_long, value_error")


class ValidationErrorOut(Schema):
    """Input that breaks a rule: one entry per problem; nothing was changed."""

    detail: list[Problem]


ERRORS = {
    400: (
        "The request cannot be read: a body that is not JSON or not a well-formed multipart "
        "form, a Content-Length that is no number, or a NUL character in the address.",
        ErrorOut,
    ),
    401: ("No token, or one that is wrong or revoked, or whose user is disabled.", ErrorOut),
    403: ("The token's user may not do this (the role's capabilities).", ErrorOut),
    404: ("Nothing with this address, or nothing the token's user may see.", ErrorOut),
    409: ("The request conflicts with the state of what it names.", ErrorOut),
    413: ("The request body is over the size limit; nothing was read or changed.", ErrorOut),
    422: (
        "The input breaks a rule (the schema's patterns, lengths, ranges, formats and "
        "descriptions); nothing was changed.",
        ValidationErrorOut,
    ),
}


def answers(ok, *codes, **descriptions):
    """``response=`` and ``openapi_extra=`` for an operation: its success bodies and every
    error it gives, each with its body's schema and what it means (``conflict=`` says what a
    409 is for this operation)."""
    response = dict(ok)
    extra = {}
    for code in codes:
        description, body = ERRORS[code]
        if code == 409 and "conflict" in descriptions:
            description = descriptions["conflict"]
        response[code] = body
        extra[code] = {"description": description}
    if 401 in codes:
        extra[401]["headers"] = {
            "WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string", "enum": ["Bearer"]}}
        }
    return {"response": response, "openapi_extra": {"responses": extra}}
