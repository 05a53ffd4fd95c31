"""Every error of the API is JSON in one shape, the ones Django would answer itself included:
sent as raw requests, the way a broken client sends them."""

import json
import logging

import pytest
from django.utils import translation

from manyi.api.models import ApiToken
from manyi.tickets.attachments import Attachment
from manyi.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def amy_token(people):
    return ApiToken.issue(people.amy, "raw")[1]


def send(client, method, path, token=None, body=b"", content_type="application/json", **extra):
    if token:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    extra.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
    return client.generic(method, f"/api{path}", body, content_type=content_type, **extra)


def detail(response):
    """The error's message, after checking the shape every API error has."""
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    data = response.json()
    assert set(data) == {"detail"}, data
    assert isinstance(data["detail"], str) and data["detail"], data
    return data["detail"]


def test_a_broken_multipart_boundary_gets_a_json_400_and_no_traceback_in_the_log(client, amy_token, caplog):
    body = b'--abc\r\nContent-Disposition: form-data; name="files"; filename="a.jpg"\r\n\r\nxyz'
    with caplog.at_level(logging.INFO):
        response = send(
            client,
            "POST",
            "/tickets/FK-2026-000001/attachments",
            amy_token,
            body,
            "multipart/form-data; boundary=",
        )
    assert response.status_code == 400
    assert "multipart" in detail(response)
    assert not [record for record in caplog.records if record.exc_info], "a traceback was logged"
    assert Attachment.objects.count() == 0


def test_a_multipart_body_without_any_boundary_gets_a_json_400(client, amy_token):
    response = send(
        client, "POST", "/tickets/FK-2026-000001/attachments", amy_token, b"garbage", "multipart/form-data"
    )
    assert response.status_code == 400
    assert "multipart" in detail(response)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/customers", "GET"),
        ("PUT", "/customers/C-1", "GET"),
        ("DELETE", "/tickets", "GET, POST"),
        ("PATCH", "/tickets/FK-2026-000001", "GET"),
        ("GET", "/tickets/FK-2026-000001/messages", "POST"),
    ],
)
def test_an_unsupported_method_gets_a_json_405_with_the_allowed_ones(
    client, amy_token, method, path, allowed
):
    response = send(client, method, path, amy_token)
    assert response.status_code == 405
    assert response["Allow"] == allowed
    assert detail(response) == f"This address does not accept {method}; it accepts {allowed}."


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "The request body is not valid JSON (line 1, column 2)."),
        (b'{"description": "x",}', "The request body is not valid JSON (line 1, column 21)."),
        (b"\xff\xfe\x00", "The request body is not valid JSON."),
        (b"[" * 100_000, "The request body is not valid JSON."),
    ],
)
def test_a_body_that_is_not_json_gets_a_json_400_saying_where_and_nothing_is_created(
    client, amy_token, body, message
):
    response = send(client, "POST", "/tickets", amy_token, body)
    assert response.status_code == 400
    assert detail(response) == message
    assert Ticket.objects.count() == 0


def test_a_body_over_the_size_limit_gets_a_json_413_and_nothing_is_created(client, amy_token, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
    body = b'{"description": "x"' + b" " * (2 * 1024 * 1024) + b"}"
    response = send(client, "POST", "/tickets", amy_token, body)
    assert response.status_code == 413
    assert detail(response) == "The request is too large: the API accepts at most 2.0 MB."
    assert Ticket.objects.count() == 0
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024  # the setting is what decides
    response = send(client, "POST", "/tickets", amy_token, body)
    assert response.status_code == 201


def test_an_upload_announcing_more_than_the_attachment_limits_is_refused_before_it_is_read(
    client, amy_token, settings
):
    settings.TICKET_ATTACHMENT_MAX_FILES = 2
    settings.TICKET_ATTACHMENT_MAX_BYTES = 1024 * 1024
    limit = 2 * 1024 * 1024 + 1024 * 1024  # the files and the multipart framing
    path = "/tickets/FK-2026-000001/attachments"
    multipart = "multipart/form-data; boundary=abc"
    response = send(client, "POST", path, amy_token, b"--abc--", multipart, CONTENT_LENGTH=str(limit + 1))
    assert response.status_code == 413
    assert detail(response) == "The request is too large: the API accepts at most 3.0 MB."
    # Within the limit the body is read: this one holds no files.
    response = send(client, "POST", path, amy_token, b"--abc--\r\n", multipart)
    assert response.status_code == 422


def test_a_content_length_that_is_not_a_number_gets_a_json_400(client, amy_token):
    response = send(client, "POST", "/tickets", amy_token, b"{}", CONTENT_LENGTH="lots")
    assert response.status_code == 400
    assert detail(response) == "The Content-Length header is not a number."


@pytest.mark.parametrize("path", ["/nothing", "/tickets/", "/", "/tickets/FK-2026-000001/attachments/1/"])
def test_an_address_under_the_api_that_names_nothing_gets_a_json_404(client, amy_token, path):
    response = send(client, "GET", path, amy_token)
    assert response.status_code == 404
    assert detail(response) == "Not found."


def test_the_token_pages_keep_the_sites_own_error_pages(client):
    response = client.get("/api/tokens/nothing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_no_token_gets_a_json_401_saying_how_to_send_one(client):
    response = send(client, "GET", "/tickets")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert detail(response) == "Send a valid API token in the header Authorization: Bearer <token>."


def test_errors_are_in_the_users_language(client, amy_token):
    response = send(client, "DELETE", "/customers", amy_token, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 405
    assert detail(response) != "This address does not accept DELETE; it accepts GET."


def test_a_server_error_is_logged_and_answered_in_json(client, amy_token, monkeypatch, caplog):
    from manyi.api import api as api_module

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(api_module, "paginate", broken)
    client.raise_request_exception = False
    response = send(client, "GET", "/tickets", amy_token)
    assert response.status_code == 500
    assert detail(response) == "Something went wrong on our side; it has been logged."
    assert "the database went away" not in response.content.decode()
    assert any(
        record.exc_info and "the database went away" in str(record.exc_info[1]) for record in caplog.records
    )


def problems(response):
    """The problems of a 422, after checking the shape every one has."""
    assert response.status_code == 422, response.content[:300]
    data = response.json()
    assert set(data) == {"detail"} and isinstance(data["detail"], list), data
    for problem in data["detail"]:
        assert {"loc", "msg", "type"} <= set(problem), problem
    return {problem["loc"][-1]: problem for problem in data["detail"]}


BROKEN_TICKET = {
    "subject": "x" * 201,
    "description": "",
    "channel": "fax",
    "received_at": "soon",
    "client_id": 5,
}


def test_invalid_input_is_explained_in_english_field_by_field(client, amy_token):
    found = problems(send(client, "POST", "/tickets", amy_token, json.dumps(BROKEN_TICKET)))
    assert found["subject"]["msg"] == "Enter at most 200 characters."
    assert found["subject"]["type"] == "string_too_long" and found["subject"]["ctx"] == {"max_length": 200}
    assert found["description"]["msg"] == "This field must not be blank."
    assert found["channel"]["msg"].startswith("Choose one of: 'phone', ")
    assert found["received_at"]["msg"].startswith("Enter a date and time with its time zone")
    assert found["client_id"]["msg"] == "Enter text (a JSON string)."
    missing = problems(send(client, "POST", "/tickets", amy_token, "{}"))
    assert missing["description"] == {
        "type": "missing",
        "loc": ["body", "payload", "description"],
        "msg": "This field is required.",
    }
    assert not Ticket.objects.exists()


def test_invalid_input_is_explained_in_chinese_to_a_chinese_client(client, amy_token):
    found = problems(
        send(client, "POST", "/tickets", amy_token, json.dumps(BROKEN_TICKET), HTTP_ACCEPT_LANGUAGE="zh-hans")
    )
    english = problems(send(client, "POST", "/tickets", amy_token, json.dumps(BROKEN_TICKET)))
    for field, problem in found.items():
        assert problem["type"] == english[field]["type"]
        assert problem["msg"] != english[field]["msg"], problem
        assert any("\u4e00" <= character <= "\u9fff" for character in problem["msg"]), problem
    assert "200" in found["subject"]["msg"]


def test_query_parameters_out_of_range_are_explained_with_their_limits(client, amy_token):
    found = problems(send(client, "GET", "/tickets?page=0&page_size=many", amy_token))
    assert found["page"]["msg"] == "Enter a value of at least 1."
    assert found["page_size"]["msg"] == "Enter a whole number."


def test_our_own_rules_keep_their_message(client, amy_token):
    body = {"description": "漏水", "contact_phone": "abc", "received_at": "2026-12-01T09:00:00+08:00"}
    found = problems(send(client, "POST", "/tickets", amy_token, json.dumps(body)))
    assert found["contact_phone"]["type"] == "value_error"
    assert "abc" in found["contact_phone"]["msg"] and not found["contact_phone"]["msg"].startswith(
        "Value error"
    )


def test_every_kind_of_problem_pydantic_names_for_our_schema_has_a_message_of_ours():
    from manyi.api.errors import PYDANTIC_MESSAGES, problem_in_users_language

    with translation.override("en"):
        for kind in PYDANTIC_MESSAGES:
            ctx = {"min_length": 3, "max_length": 5, "ge": 1, "gt": 0, "le": 9, "lt": 10, "expected": "'a'"}
            message = problem_in_users_language(
                {"type": kind, "loc": ["body"], "msg": "pydantic", "ctx": ctx}
            )["msg"]
            assert message and message != "pydantic" and "%(" not in message, kind
        unknown = problem_in_users_language({"type": "something_new", "loc": ["body"], "msg": "English"})
        assert unknown["msg"] == "This value is not valid."
