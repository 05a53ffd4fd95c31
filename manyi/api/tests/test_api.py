"""The JSON API: tokens, capabilities, validation, and the same rules as the pages."""

import json
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.api.models import ApiToken, TicketRequest
from manyi.campaigns.choices import ResponseStatus
from manyi.campaigns.models import Answer
from manyi.testing import (
    make_campaign,
    make_contact,
    make_customer,
    make_question,
    make_questionnaire,
    make_response,
)
from manyi.tickets import workflow
from manyi.tickets.choices import Channel, TicketState
from manyi.tickets.models import Category, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(client):
    """call(method, path, user=None, token=None, json=None, **headers) → (status, parsed body)."""
    tokens = {}

    def request(method, path, user=None, token=None, body=None, **headers):
        if user is not None and token is None:
            if user.pk not in tokens:
                tokens[user.pk] = ApiToken.issue(user, "test")[1]
            token = tokens[user.pk]
        if token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        headers.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
        kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body is not None else {}
        response = getattr(client, method)(f"/api{path}", **kwargs, **headers)
        try:
            data = response.json()
        except ValueError:
            data = None
        return response.status_code, data

    return request


def ticket_body(**changes):
    body = {
        "subject": "空调不制冷",
        "description": "安装第二天就不制冷了，师傅说要换压缩机。",
        "channel": "api",
        "severity": "major",
        "demand": "repair",
        "category": "product_quality",
        "contact_name": "赵先生",
        "contact_phone": "13912345678",
        "contact_email": "zhao@example.cn",
    }
    body.update(changes)
    return body


# --------------------------------------------------------------------------- authentication


def test_without_a_token_every_endpoint_answers_401(call):
    for method, path in [
        ("get", "/tickets"),
        ("post", "/tickets"),
        ("get", "/tickets/FK-2026-000001"),
        ("get", "/customers"),
        ("get", "/campaigns/1/responses"),
    ]:
        status, _data = call(method, path, body={} if method == "post" else None)
        assert status == 401, path


def test_a_wrong_or_revoked_token_answers_401(call, people):
    row, token = ApiToken.issue(people.amy, "CRM")
    assert call("get", "/tickets", token=token)[0] == 200
    assert call("get", "/tickets", token=token + "x")[0] == 401
    row.revoked_at = timezone.now()
    row.save()
    assert call("get", "/tickets", token=token)[0] == 401


def test_a_disabled_users_token_answers_401(call, people):
    _row, token = ApiToken.issue(people.ivan, "old")
    assert call("get", "/tickets", token=token)[0] == 401


def test_only_the_hash_is_stored_and_the_last_use_is_recorded(call, people):
    row, token = ApiToken.issue(people.amy, "CRM")
    assert token not in {row.key_hash, row.hint} and len(row.key_hash) == 64
    assert not ApiToken.objects.filter(key_hash=token).exists()
    assert row.last_used_at is None
    call("get", "/tickets", token=token)
    row.refresh_from_db()
    assert row.last_used_at is not None


# --------------------------------------------------------------------------- tickets


def test_an_agent_records_feedback_and_it_appears_in_the_staff_queue(call, people, client):
    status, data = call("post", "/tickets", people.amy, body=ticket_body())
    assert status == 201
    ticket = Ticket.objects.get(reference=data["reference"])
    assert (ticket.channel, ticket.severity, ticket.demand, ticket.created_by) == (
        Channel.API,
        "major",
        "repair",
        people.amy,
    )
    assert ticket.category == Category.objects.get(code="product_quality")
    assert data["state"] == "new" and data["events"][0]["to_state"] == "new"
    client.force_login(people.sam)
    page = client.get(reverse("tickets:list") + "?queue=unassigned").content.decode()
    assert data["reference"] in page


@pytest.mark.parametrize("who", ["hank", "ana"])
def test_a_role_without_intake_gets_403_and_nothing_is_created(call, people, who):
    status, data = call("post", "/tickets", getattr(people, who), body=ticket_body())
    assert status == 403
    assert data["detail"] == "Your role does not allow this."
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"description": ""}, "description", "This field must not be blank."),
        ({"severity": "apocalyptic"}, "severity", "Choose one of: "),
        ({"channel": "carrier pigeon"}, "channel", "Choose one of: "),
        ({"channel": "survey"}, "channel", "Choose one of: 'phone'"),  # survey rules open those
        ({"category": "no-such"}, "category", "Choose an active category."),
        ({"customer_code": "C-NOPE"}, "customer_code", "No customer has this code."),
        ({"contact_email": "not an address"}, "contact_email", "Enter a valid e-mail address."),
        ({"received_at": "2026-01-01T10:00:00"}, None, "with its time zone"),
        ({"received_at": (timezone.now() + timedelta(days=2)).isoformat()}, None, "in the future"),
    ],
)
def test_bad_input_gets_422_with_a_clear_message_and_nothing_is_created(
    call, people, changes, field, message
):
    status, data = call("post", "/tickets", people.amy, body=ticket_body(**changes))
    assert status == 422
    problems = data["detail"]
    assert any(message in problem["msg"] for problem in problems), problems
    if field:
        assert any(problem["loc"][-1] == field for problem in problems), problems
    assert Ticket.objects.count() == 0
    assert TicketEvent.objects.count() == 0


def test_a_body_that_is_not_json_gets_422(client, people):
    token = ApiToken.issue(people.amy, "x")[1]
    response = client.post(
        "/api/tickets",
        data="{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code in (400, 422)
    assert Ticket.objects.count() == 0


def test_the_same_idempotency_key_gives_the_same_ticket(call, people):
    first = call("post", "/tickets", people.amy, body=ticket_body(), HTTP_IDEMPOTENCY_KEY="crm-4711")
    again = call("post", "/tickets", people.amy, body=ticket_body(), HTTP_IDEMPOTENCY_KEY="crm-4711")
    assert (first[0], again[0]) == (201, 200)
    assert first[1]["reference"] == again[1]["reference"]
    assert Ticket.objects.count() == 1
    changed = call(
        "post", "/tickets", people.amy, body=ticket_body(subject="别的"), HTTP_IDEMPOTENCY_KEY="crm-4711"
    )
    assert changed[0] == 409
    assert Ticket.objects.count() == 1


def test_a_client_id_works_like_an_idempotency_key_per_user(call, people):
    body = ticket_body(client_id="wx-889")
    assert call("post", "/tickets", people.amy, body=body)[0] == 201
    assert call("post", "/tickets", people.amy, body=body)[0] == 200
    assert call("post", "/tickets", people.sam, body=body)[0] == 201  # another user's key space
    assert Ticket.objects.count() == 2
    assert TicketRequest.objects.count() == 2


def make_ticket(department=None, state=TicketState.NEW, **kwargs):
    kwargs.setdefault("subject", "快递慢")
    ticket = workflow.open_ticket(by=None, channel=Channel.PHONE, description="一周没到。", **kwargs)
    Ticket.objects.filter(pk=ticket.pk).update(department=department, state=state)
    ticket.refresh_from_db()
    return ticket


def test_the_list_shows_what_the_user_may_see_with_filters(call, people):
    mine = make_ticket(people.quality, TicketState.ASSIGNED, contact_phone="13812345678")
    other = make_ticket(people.service)
    late = make_ticket(people.quality)
    Ticket.objects.filter(pk=late.pk).update(response_due=timezone.now() - timedelta(hours=1))
    closed = make_ticket(people.quality, TicketState.CLOSED)

    def references(user, query=""):
        status, data = call("get", f"/tickets{query}", user)
        assert status == 200
        return {row["reference"] for row in data["results"]}

    assert references(people.sam) == {t.reference for t in (mine, other, late, closed)}
    assert references(people.hank) == {mine.reference, late.reference, closed.reference}  # his department
    assert references(people.sam, "?overdue=true") == {late.reference}
    assert references(people.sam, "?state=assigned&state=closed") == {mine.reference, closed.reference}
    assert references(people.sam, "?open=false") == {closed.reference}
    assert call("get", "/tickets?state=lost", people.sam)[0] == 422


def test_contact_data_is_masked_for_who_may_not_see_it(call, people):
    ticket = make_ticket(people.quality, contact_phone="13812345678", contact_email="zhang@example.cn")
    _status, for_sam = call("get", f"/tickets/{ticket.reference}", people.sam)
    _status, for_hank = call("get", f"/tickets/{ticket.reference}", people.hank)
    assert (for_sam["contact_phone"], for_sam["contact_email"]) == ("13812345678", "zhang@example.cn")
    assert (for_hank["contact_phone"], for_hank["contact_email"]) == ("138****5678", "z***@example.cn")


def test_a_ticket_states_each_of_its_deadlines(call, people):
    """Every deadline the ticket page shows, the forwarding to the department included (seed 002)."""
    ticket = make_ticket(people.quality)
    _status, data = call("get", f"/tickets/{ticket.reference}", people.sam)
    for name in ("response_due", "forwarding_due", "solution_due", "resolution_due"):
        due = getattr(ticket, name)
        stated = data[name] and datetime.fromisoformat(data[name])
        assert due is None if stated is None else abs(stated - due) < timedelta(milliseconds=1), name
    assert ticket.forwarding_due is not None  # the default policy forwards within half a working day


def test_a_ticket_of_another_department_is_not_found_for_a_handler(call, people):
    ticket = make_ticket(people.service)
    assert call("get", f"/tickets/{ticket.reference}", people.hank)[0] == 404
    assert call("get", f"/tickets/{ticket.reference}", people.ana)[0] == 200


def test_pages_of_tickets(call, people):
    for _n in range(5):
        make_ticket()
    status, data = call("get", "/tickets?page_size=2&page=3", people.sam)
    assert (status, data["count"], len(data["results"]), data["next_page"]) == (200, 5, 1, None)
    assert call("get", "/tickets?page_size=2&page=1", people.sam)[1]["next_page"] == 2
    assert call("get", "/tickets?page_size=1000", people.sam)[0] == 422


def test_an_agent_adds_the_customers_message(call, people):
    ticket = make_ticket(people.quality, TicketState.ASSIGNED)
    status, data = call(
        "post", f"/tickets/{ticket.reference}/messages", people.amy, body={"text": "客户又来电催促。"}
    )
    assert status == 201
    event = ticket.events.order_by("-pk").first()
    assert (event.by, event.kind) == (people.amy, "message") and "客户又来电催促。" in event.note
    assert data["events"][-1]["note"] == event.note
    assert call("post", f"/tickets/{ticket.reference}/messages", people.ana, body={"text": "x"})[0] == 403
    assert call("post", f"/tickets/{ticket.reference}/messages", people.amy, body={"text": ""})[0] == 422
    closed = make_ticket(state=TicketState.CLOSED)
    assert (
        call("post", f"/tickets/{closed.reference}/messages", people.amy, body={"text": "再说一遍"})[0] == 409
    )


def test_a_repeated_message_with_its_idempotency_key_is_recorded_once(call, people):
    ticket = make_ticket(people.quality, TicketState.ASSIGNED)
    other = make_ticket(people.quality, TicketState.ASSIGNED)
    path = f"/tickets/{ticket.reference}/messages"

    def messages(t):
        return t.events.filter(kind="message").count()

    first = call("post", path, people.amy, body={"text": "客户又来电催促。"}, HTTP_IDEMPOTENCY_KEY="call-881")
    again = call("post", path, people.amy, body={"text": "客户又来电催促。"}, HTTP_IDEMPOTENCY_KEY="call-881")
    assert (first[0], again[0]) == (201, 200)
    assert messages(ticket) == 1 and again[1]["events"] == first[1]["events"]
    changed = call("post", path, people.amy, body={"text": "另一件事"}, HTTP_IDEMPOTENCY_KEY="call-881")
    moved = call(
        "post",
        f"/tickets/{other.reference}/messages",
        people.amy,
        body={"text": "客户又来电催促。"},
        HTTP_IDEMPOTENCY_KEY="call-881",
    )
    assert (changed[0], moved[0]) == (409, 409)
    assert (messages(ticket), messages(other)) == (1, 0)
    # Without a key every message counts; a key is per user.
    assert call("post", path, people.amy, body={"text": "客户又来电催促。"})[0] == 201
    assert (
        call("post", path, people.sam, body={"text": "客户又来电催促。"}, HTTP_IDEMPOTENCY_KEY="call-881")[0]
        == 201
    )
    assert messages(ticket) == 3


# --------------------------------------------------------------------------- customers


def test_customers_are_searched_and_masked_unless_the_user_may_see_personal_data(call, people):
    customer = make_customer(name="杭州西湖电器", phone="0571-88886666", email="info@xihu.example")
    make_contact(customer, name="钱经理", phone="13700001111")
    make_customer(name="宁波某公司")
    status, data = call("get", "/customers?q=西湖", people.amy)
    assert status == 200 and [row["code"] for row in data["results"]] == [customer.code]
    assert (data["results"][0]["phone"], data["results"][0]["email"]) == (
        "0571-88886666",
        "info@xihu.example",
    )
    status, data = call("get", f"/customers/{customer.code}", people.hank)
    assert status == 200
    assert (data["phone"], data["email"]) == ("0571-****6666", "i***@xihu.example")
    assert call("get", "/customers/NOPE", people.amy)[0] == 404


def test_customers_need_the_customer_capability(call, people):
    from manyi.accounts.choices import Role
    from manyi.accounts.permissions import ROLE_CAPABILITIES, VIEW_CUSTOMERS

    without = [role for role, caps in ROLE_CAPABILITIES.items() if VIEW_CUSTOMERS not in caps]
    for role in without:  # none today; the test follows the table
        from manyi.testing import make_user

        assert call("get", "/customers", make_user(role=role))[0] == 403
    assert Role.HANDLER not in without


# --------------------------------------------------------------------------- responses


@pytest.fixture
def survey():
    questionnaire = make_questionnaire()
    question = make_question(questionnaire, code="Q1", text="总体满意度")
    comment = make_question(questionnaire, code="Q2", text="意见", kind="text", options=())
    return questionnaire, question, comment


def answered(questionnaire, question, comment, campaign, customer=None, text="请打 13812345678 联系我"):
    response = make_response(
        questionnaire,
        campaign,
        customer=customer,
        status=ResponseStatus.COMPLETED,
        completed_at=timezone.now(),
        valid=True,
        index=80.0,
        nps=9,
    )
    Answer.objects.create(response=response, question=question, option=question.options.get(label="满意"))
    Answer.objects.create(response=response, question=comment, text=text)
    return response


def test_responses_are_exported_page_by_page(call, people, survey):
    questionnaire, question, comment = survey
    campaign = make_campaign(questionnaire)
    customer = make_customer(name="客户甲")
    first = answered(questionnaire, question, comment, campaign, customer)
    answered(questionnaire, question, comment, campaign)
    make_response(questionnaire, campaign)  # in progress: not exported
    status, data = call("get", f"/campaigns/{campaign.pk}/responses?page_size=1", people.sam)
    assert status == 200
    assert (data["count"], data["next_page"], data["campaign"]) == (2, 2, campaign.name)
    assert data["questionnaire"] == questionnaire.title
    row = data["results"][0]
    assert (row["id"], row["customer_code"], row["index"], row["nps"]) == (first.pk, customer.code, 80.0, 9)
    assert row["questionnaire_version"] == 1
    assert row["answers"][0] == {
        "question": "Q1",
        "row": None,
        "option": "满意",
        "points": 8.0,
        "number": None,
        "text": "",
    }
    assert row["answers"][1]["text"] == "请打 13812345678 联系我"  # sam may see personal data


def test_phones_in_open_answers_are_masked_without_the_personal_data_right(call, people, survey):
    questionnaire, question, comment = survey
    campaign = make_campaign(questionnaire)
    answered(questionnaire, question, comment, campaign)
    status, data = call("get", f"/campaigns/{campaign.pk}/responses", people.ana)
    assert status == 200
    assert data["results"][0]["answers"][1]["text"] == "请打 138****5678 联系我"


def test_confidential_answers_only_for_who_may_read_them(call, people, survey):
    questionnaire, question, comment = survey
    campaign = make_campaign(questionnaire, confidential=True)
    answered(questionnaire, question, comment, campaign)
    status, data = call("get", f"/campaigns/{campaign.pk}/responses", people.sam)  # no confidential right
    assert status == 403
    assert data["detail"] == "The answers of this survey are confidential."
    assert call("get", f"/campaigns/{campaign.pk}/responses", people.ana)[0] == 200  # analysts may
    assert call("get", f"/campaigns/{campaign.pk}/responses", people.hank)[0] == 403  # no responses at all


# --------------------------------------------------------------------------- schema and docs


def test_the_openapi_schema_lists_the_endpoints(client):
    schema = client.get("/api/openapi.json").json()
    assert {
        "/api/tickets",
        "/api/tickets/{reference}",
        "/api/customers",
        "/api/campaigns/{campaign_id}/responses",
    } <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"


def test_the_docs_page_loads_nothing_from_other_sites(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui-bundle.js" in page
    assert "cdn." not in page and "https://" not in page


# --------------------------------------------------------------------------- the token page


def test_a_user_creates_a_token_sees_it_once_and_revokes_it(client, people, call):
    client.force_login(people.amy)
    client.cookies["django_language"] = "en"
    page = client.post(reverse("api_tokens"), {"name": "CRM 同步"}).content.decode()
    row = ApiToken.objects.get(user=people.amy)
    token = page.split('id="token-value">')[1].split("<")[0]
    assert token.startswith(row.hint) and "Copy it now" in page
    assert call("get", "/tickets", token=token)[0] == 200
    assert token not in client.get(reverse("api_tokens")).content.decode()  # shown once
    client.post(reverse("api_token_revoke", args=[row.pk]))
    assert call("get", "/tickets", token=token)[0] == 401


def test_a_user_cannot_revoke_someone_elses_token(client, people, call):
    row, token = ApiToken.issue(people.sam, "sam's")
    client.force_login(people.amy)
    assert client.post(reverse("api_token_revoke", args=[row.pk])).status_code == 404
    assert call("get", "/tickets", token=token)[0] == 200


def test_a_token_needs_a_name(client, people):
    client.force_login(people.amy)
    response = client.post(reverse("api_tokens"), {"name": "   "})
    assert response.status_code == 400
    assert ApiToken.objects.count() == 0


def test_the_token_page_needs_a_login(client):
    assert client.get(reverse("api_tokens")).status_code == 302


# --------------------------------------------------------------------------- attachments and more checks


@pytest.fixture
def files_root(settings, tmp_path):
    from manyi.tickets.tests.sample_files import use_attachment_root

    return use_attachment_root(settings, tmp_path)


def upload(client, token, reference, *files):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"/api/tickets/{reference}/attachments",
        {"files": [SimpleUploadedFile(name, data) for name, data in files]},
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_photos_are_attached_and_downloaded_through_the_api(client, people, files_root):
    from manyi.tickets.tests.sample_files import image_bytes, pdf_bytes

    ticket = make_ticket(people.quality, TicketState.ASSIGNED)
    token = ApiToken.issue(people.amy, "app")[1]
    pdf = pdf_bytes()  # made once: a PDF holds the time it was written
    response = upload(client, token, ticket.reference, ("门.jpg", image_bytes("JPEG")), ("单.pdf", pdf))
    assert response.status_code == 201
    listed = response.json()["attachments"]
    assert [(a["name"], a["content_type"]) for a in listed] == [
        ("门.jpg", "image/jpeg"),
        ("单.pdf", "application/pdf"),
    ]
    assert ticket.attachments.filter(source="api", uploaded_by=people.amy).count() == 2
    download = client.get(
        f"/api/tickets/{ticket.reference}/attachments/{listed[1]['id']}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    other_department = ApiToken.issue(make_handler(people), "x")[1]
    assert (
        client.get(
            f"/api/tickets/{ticket.reference}/attachments/{listed[1]['id']}",
            HTTP_AUTHORIZATION=f"Bearer {other_department}",
        ).status_code
        == 404
    )


def test_an_attachment_from_the_api_carries_the_headers_of_the_ticket_page(client, people, files_root):
    """A customer's PDF is sent through the API as through the ticket page: as a download,
    never sniffed, sandboxed if opened, and not kept in a cache."""
    from manyi.tickets.tests.sample_files import pdf_bytes

    ticket = make_ticket(people.quality, TicketState.ASSIGNED)
    token = ApiToken.issue(people.amy, "app")[1]
    [attachment] = upload(client, token, ticket.reference, ("单.pdf", pdf_bytes())).json()["attachments"]
    through_api = client.get(
        f"/api/tickets/{ticket.reference}/attachments/{attachment['id']}",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    client.force_login(people.amy)
    on_the_page = client.get(reverse("tickets:attachment", args=[ticket.pk, attachment["id"]]))
    assert through_api.status_code == on_the_page.status_code == 200
    assert through_api["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in through_api["Content-Security-Policy"]
    assert "sandbox" in through_api["Content-Security-Policy"]
    assert "no-store" in through_api["Cache-Control"]
    assert through_api["Content-Disposition"].startswith("attachment")
    assert "filename*=utf-8''%E5%8D%95.pdf" in through_api["Content-Disposition"]
    for header in (
        "Content-Type",
        "Content-Disposition",
        "X-Content-Type-Options",
        "Content-Security-Policy",
        "Cache-Control",
    ):
        assert through_api[header] == on_the_page[header], header


def make_handler(people):
    from manyi.accounts.choices import Role
    from manyi.testing import make_user

    return make_user("harry", Role.HANDLER, department=people.service)


def test_a_fake_image_through_the_api_is_refused_and_nothing_stored(client, people, files_root):
    from manyi.tickets.attachments import Attachment
    from manyi.tickets.tests.sample_files import HTML, image_bytes, stored_files

    ticket = make_ticket(people.quality, TicketState.ASSIGNED)
    token = ApiToken.issue(people.amy, "app")[1]
    response = upload(client, token, ticket.reference, ("a.png", image_bytes()), ("b.png", HTML))
    assert response.status_code == 422
    assert "“b.png” is not a JPEG, PNG or WebP image" in response.json()["detail"][0]["msg"]
    assert Attachment.objects.count() == 0 and stored_files(files_root) == []
    analyst = ApiToken.issue(people.ana, "ro")[1]
    assert upload(client, analyst, ticket.reference, ("a.png", image_bytes())).status_code == 403


def test_a_phone_number_that_is_not_one_gets_422(call, people):
    status, data = call("post", "/tickets", people.amy, body=ticket_body(contact_phone="12345"))
    assert status == 422
    assert data["detail"][0]["loc"][-1] == "contact_phone"
    assert Ticket.objects.count() == 0
    status, data = call("post", "/tickets", people.amy, body=ticket_body(contact_phone="+86 139-1234-5678"))
    assert status == 201
    assert Ticket.objects.get().contact_phone == "13912345678"


def test_the_ticket_list_costs_the_same_queries_for_5_or_50_tickets(
    call, people, django_assert_max_num_queries
):
    customer = make_customer()
    for _n in range(5):
        make_ticket(people.quality, customer=customer, category=Category.objects.get(code="logistics"))
    call("get", "/tickets", people.sam)  # the token is issued and first used
    with django_assert_max_num_queries(6) as few:
        call("get", "/tickets", people.sam)
    for _n in range(45):
        make_ticket(people.quality, customer=customer, category=Category.objects.get(code="logistics"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        status, data = call("get", "/tickets", people.sam)
    assert status == 200 and len(data["results"]) == 50


def test_an_administrator_revokes_a_token_in_the_admin(client, people, call):
    row, token = ApiToken.issue(people.amy, "leaked")
    assert client.get("/admin/api/apitoken/").status_code == 302
    client.force_login(people.sam)  # a supervisor is no administrator
    assert client.get("/admin/api/apitoken/").status_code == 302
    client.force_login(people.alice)
    page = client.get("/admin/api/apitoken/").content.decode()
    assert "leaked" in page and row.key_hash not in page
    client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [row.pk]})
    client.logout()
    assert call("get", "/tickets", token=token)[0] == 401
    assert client.get("/admin/api/apitoken/add/").status_code in (302, 403)


# --------------------------------------------------------------------------- review: limits and rights


def test_an_agent_may_read_answers_but_not_export_a_campaigns_responses(call, people, survey):
    # Exporting answers is its own right (responses.export), as for the CSV/Excel/SPSS files.
    questionnaire, question, comment = survey
    campaign = make_campaign(questionnaire)
    answered(questionnaire, question, comment, campaign)
    status, data = call("get", f"/campaigns/{campaign.pk}/responses", people.amy)
    assert (status, data["detail"]) == (403, "Your role does not allow this.")
    assert call("get", f"/campaigns/{campaign.pk}/responses", people.sam)[0] == 200


def test_a_page_number_beyond_any_list_gets_422_not_a_server_error(call, people, survey):
    campaign = make_campaign(survey[0])
    huge = 10**20
    for path in ("/tickets", "/customers", f"/campaigns/{campaign.pk}/responses"):
        status, data = call("get", f"{path}?page={huge}", people.sam)
        assert status == 422, path
        assert data["detail"][0]["loc"][-1] == "page"
    status, data = call("get", "/tickets?page=1000", people.sam)  # a page past the end: empty
    assert (status, data["results"], data["next_page"]) == (200, [], None)


def test_numbers_too_large_for_the_database_in_addresses_get_404(call, people):
    ticket = make_ticket()
    huge = 10**20
    assert call("get", f"/tickets/{ticket.reference}/attachments/{huge}", people.sam)[0] == 404
    assert call("get", f"/campaigns/{huge}/responses", people.sam)[0] == 404


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "1999-12-30T08:00:00+08:00"])
def test_a_received_time_before_any_real_feedback_gets_422_and_nothing_is_created(call, people, when):
    status, data = call("post", "/tickets", people.amy, body=ticket_body(received_at=when))
    assert status == 422
    assert data["detail"][0]["msg"] == "The feedback cannot have been received more than 365 days ago."
    assert data["detail"][0]["loc"] == ["body", "payload", "received_at"]
    assert not Ticket.objects.exists()


def test_the_oldest_received_time_accepted_is_the_configured_number_of_days_ago(call, people, settings):
    """API_RECEIVED_AT_MAX_AGE_DAYS decides what is refused, and the schema says it."""
    now = timezone.now()
    settings.API_RECEIVED_AT_MAX_AGE_DAYS = 30
    too_old = (now - timedelta(days=30, minutes=1)).isoformat()
    status, data = call("post", "/tickets", people.amy, body=ticket_body(received_at=too_old))
    assert (status, data["detail"][0]["msg"]) == (
        422,
        "The feedback cannot have been received more than 30 days ago.",
    )
    assert not Ticket.objects.exists()
    just_in_time = (now - timedelta(days=29, hours=23)).isoformat()
    status, data = call("post", "/tickets", people.amy, body=ticket_body(received_at=just_in_time))
    assert status == 201
    assert abs(Ticket.objects.get().received_at - (now - timedelta(days=29, hours=23))) < timedelta(seconds=1)
    settings.API_RECEIVED_AT_MAX_AGE_DAYS = 31
    assert call("post", "/tickets", people.amy, body=ticket_body(received_at=too_old))[0] == 201
    described = call("get", "/openapi.json")[1]["components"]["schemas"]["TicketIn"]["properties"]
    assert "not more than 31 days ago" in described["received_at"]["description"]
