"""The OpenAPI schema states what the API does: every answer of each operation with its body,
and the rules the input follows (patterns, lengths, ranges, formats, enums), the rules that
depend on data in the descriptions. Read from /api/openapi.json as a client reads it."""

import re

import pytest

from manyi.api.contract import NO_NUL, NOT_BLANK, PHONE, matches
from manyi.customers.validators import normalize_phone
from manyi.tickets.choices import Channel, Demand, Severity

pytestmark = pytest.mark.django_db

# Every operation and the statuses it answers with.
EXPECTED = {
    ("post", "/api/tickets"): {200, 201, 400, 401, 403, 409, 413, 422},
    ("get", "/api/tickets"): {200, 400, 401, 403, 422},
    ("get", "/api/tickets/{reference}"): {200, 400, 401, 403, 404},
    ("post", "/api/tickets/{reference}/messages"): {200, 201, 400, 401, 403, 404, 409, 413, 422},
    ("post", "/api/tickets/{reference}/attachments"): {201, 400, 401, 403, 404, 409, 413, 422},
    ("get", "/api/tickets/{reference}/attachments/{attachment_id}"): {200, 400, 401, 403, 404, 422},
    ("get", "/api/customers"): {200, 400, 401, 403, 422},
    ("get", "/api/customers/{code}"): {200, 400, 401, 403, 404},
    ("get", "/api/campaigns/{campaign_id}/responses"): {200, 400, 401, 403, 404, 422},
    ("get", "/api/inspections"): {200, 400, 401, 403, 422},
}


@pytest.fixture
def schema(client):
    return client.get("/api/openapi.json").json()


def resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def body_of(schema, operation, status):
    content = operation["responses"][str(status)]["content"]["application/json"]
    return resolve(schema, content["schema"])


def test_every_operation_states_each_answer_it_gives(schema):
    found = {
        (method, path): {int(code) for code in operation["responses"]}
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }
    assert found == EXPECTED


def test_each_error_states_its_body(schema):
    error = {"detail"}
    for (method, path), statuses in EXPECTED.items():
        operation = schema["paths"][path][method]
        for status in statuses - {200, 201}:
            body = body_of(schema, operation, status)
            assert set(body["properties"]) == error and body["required"] == ["detail"], (path, status)
            detail = body["properties"]["detail"]
            if status == 422:
                problem = resolve(schema, detail["items"])
                assert set(problem["required"]) == {"loc", "msg", "type"}, path
            else:
                assert detail["type"] == "string", (path, status)
            assert operation["responses"][str(status)]["description"], (path, status)
        assert operation["responses"]["401"]["headers"]["WWW-Authenticate"]["schema"]["enum"] == ["Bearer"]


def test_a_409_says_what_conflicts(schema):
    creating = schema["paths"]["/api/tickets"]["post"]["responses"]["409"]["description"]
    assert "Idempotency-Key" in creating and "another body" in creating
    adding = schema["paths"]["/api/tickets/{reference}/messages"]["post"]["responses"]["409"]["description"]
    assert "closed" in adding and "Idempotency-Key" in adding


def ticket_fields(schema):
    return schema["components"]["schemas"]["TicketIn"]["properties"]


def text_variant(field):
    return next(v for v in [field, *field.get("anyOf", [])] if v.get("type") == "string")


def test_the_ticket_input_states_its_rules(schema):
    fields = ticket_fields(schema)
    assert fields["description"]["pattern"] == NOT_BLANK and fields["description"]["maxLength"] == 4000
    assert fields["contact_phone"]["pattern"] == PHONE and fields["contact_phone"]["maxLength"] == 30
    assert fields["contact_email"]["anyOf"] == [{"maxLength": 0}, {"format": "email"}]
    assert text_variant(fields["received_at"])["format"] == "date-time"
    assert "time zone" in fields["received_at"]["description"]
    assert set(fields["channel"]["enum"]) == {c.value for c in Channel} - {"survey"}
    assert resolve(schema, fields["severity"]["allOf"][0])["enum"] == list(Severity.values)
    assert resolve(schema, fields["demand"]["anyOf"][0])["enum"] == list(Demand.values)
    category = fields["category"]
    assert text_variant(category)["pattern"] == "^[-a-zA-Z0-9_]+$"
    assert "company's data" in category["description"] and "422" in category["description"]
    assert "422" in fields["customer_code"]["description"]
    for name in ("subject", "contact_name"):
        assert fields[name]["pattern"] == NO_NUL, name
    assert text_variant(fields["client_id"])["maxLength"] == 100


def test_the_other_inputs_state_their_rules(schema):
    message = schema["components"]["schemas"]["MessageIn"]["properties"]["text"]
    assert (message["pattern"], message["minLength"], message["maxLength"]) == (NOT_BLANK, 1, 4000)
    parameters = {
        (path, p["name"]): p["schema"]
        for path, methods in schema["paths"].items()
        for operation in methods.values()
        for p in operation.get("parameters", [])
    }
    assert (
        parameters[("/api/tickets", "page")]["minimum"],
        parameters[("/api/tickets", "page")]["maximum"],
    ) == (
        1,
        1_000_000,
    )
    assert parameters[("/api/customers", "page_size")]["maximum"] == 200
    assert parameters[("/api/customers", "q")]["maxLength"] == 100
    assert parameters[("/api/customers/{code}", "code")]["pattern"] == NO_NUL
    assert parameters[("/api/tickets/{reference}", "reference")]["pattern"] == NO_NUL
    assert parameters[("/api/campaigns/{campaign_id}/responses", "campaign_id")]["minimum"] == 1
    key = next(
        p
        for p in schema["paths"]["/api/tickets"]["post"]["parameters"]
        if p["in"] == "header" and p["name"] == "Idempotency-Key"
    )
    assert text_variant(key["schema"])["maxLength"] == 100


def test_the_upload_states_its_limits_from_the_settings(client, settings):
    settings.TICKET_ATTACHMENT_MAX_FILES = 3
    settings.TICKET_ATTACHMENT_MAX_BYTES = 2048
    schema = client.get("/api/openapi.json").json()
    body = schema["paths"]["/api/tickets/{reference}/attachments"]["post"]["requestBody"]["content"]
    files = body["multipart/form-data"]["schema"]["properties"]["files"]
    assert (files["minItems"], files["maxItems"]) == (1, 3)
    assert "2048 bytes" in files["description"]
    assert body["multipart/form-data"]["encoding"]["files"]["contentType"] == (
        "image/jpeg, image/png, image/webp, application/pdf"
    )


@pytest.mark.parametrize(
    "phone",
    [
        "",
        "13912345678",
        "139 1234 5678",
        "139-1234-5678",
        "+86 139-1234-5678",
        "+8613912345678",
        "008613912345678",
        "0571-88886666",
        "0571 88886666",
        "010-12345678-123",
        "+4930123456",
    ],
)
def test_every_phone_the_pattern_admits_is_one_the_server_reads(phone):
    assert matches(PHONE, phone)
    assert re.fullmatch(r"|1[3-9]\d{9}|0\d{2,3}-\d{7,8}(-\d{1,6})?|\+\d{7,15}", normalize_phone(phone))


@pytest.mark.parametrize(
    "phone", ["12345", "1391234567", "23912345678", "139123456789", "(0571)88886666", "13912345678\n", "+86"]
)
def test_a_phone_the_pattern_refuses_is_refused_by_the_api(client, people, phone):
    from manyi.api.models import ApiToken

    token = ApiToken.issue(people.amy, "x")[1]
    assert not matches(PHONE, phone)
    response = client.post(
        "/api/tickets",
        {"description": "一周没到。", "contact_phone": phone},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "contact_phone"


@pytest.mark.parametrize(
    ("text", "blank"),
    [("x", False), (" \t\n", True), ("\u3000", True), ("\x1c", True), ("\ufeff", False), ("", True)],
)
def test_not_blank_means_what_strip_means(text, blank):
    assert matches(NOT_BLANK, text) is not blank
    assert (text.strip() == "") is blank


def test_a_ticket_answer_links_to_what_can_be_done_with_it(schema):
    operations = {
        operation["operationId"]: (path, operation)
        for path, methods in schema["paths"].items()
        for operation in methods.values()
    }
    links = schema["paths"]["/api/tickets"]["post"]["responses"]["201"]["links"]
    assert set(links) == {"GetTicket", "AddMessage", "AddAttachments", "GetAttachment"}
    for link in links.values():
        path, operation = operations[link["operationId"]]
        named = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
        assert set(link["parameters"]) == named, path
    assert links["GetTicket"]["parameters"] == {"reference": "$response.body#/reference"}
    assert links["GetAttachment"]["parameters"]["attachment_id"] == "$response.body#/attachments/0/id"
    for path in ("/api/tickets/{reference}", "/api/tickets/{reference}/messages"):
        assert schema["paths"][path][next(iter(schema["paths"][path]))]["responses"]["200"]["links"] == links
