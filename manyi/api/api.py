"""The JSON REST API (DESIGN.md): tickets, customers and campaign responses for integrations.

Every call carries ``Authorization: Bearer <token>`` (tokens are made on /api/tokens/); the
token acts as its user, and each endpoint checks that user's capabilities
(``manyi.accounts.permissions``) and row rules exactly as the pages do: tickets through
``Ticket.objects.for_user``, personal data masked unless the user may see it, individual
answers of confidential campaigns only for who may read them. What the API answers leaves for
another system, as an export does, so for a user without the right to personal data it is
masked as exports are (``customers.masking.NameMask``, seed 004: "记录时用‘*客户’‘A公司’代替真实名称，
保护隐私"): phones and e-mail addresses, customers' names (a company as A公司, B公司 … lettered
within one answer: the customer code is the key that stays; a person as 张*), contacts' names,
and these names wherever free text writes them.

No token or a revoked one: 401. A role without the capability: 403. Bad input: 422 with
``{"detail": [{"loc": [...], "msg": "..."}]}`` and nothing changed. Every other error is
``{"detail": "..."}`` in the user's language (Accept-Language): 400 for a body that cannot be
read, 404, 405 (with Allow), 409, 413 for a body over the limit, 500 (``errors.py``). The
schema at /api/openapi.json states each operation's answers and input rules (``contract.py``);
the docs page is at /api/docs (served from our own static files).
"""

import hashlib
import json
from datetime import datetime, timedelta
from typing import Literal

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Header, NinjaAPI, Path, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError, ValidationError
from ninja.security import HttpBearer
from pydantic import field_validator

from manyi.accounts import permissions
from manyi.customers.masking import NameMask, mask_email, mask_phone
from manyi.customers.models import Customer
from manyi.customers.validators import normalize_phone
from manyi.private_files import serve_private_file
from manyi.results.models import Topic
from manyi.tickets import attachments as ticket_files
from manyi.tickets import workflow
from manyi.tickets.choices import Channel, Demand, Severity, TicketState
from manyi.tickets.models import Category, Ticket

from . import errors
from .common import Input, Page, PageQuery, invalid, paginate, refused, require
from .contract import NO_NUL, NOT_BLANK, PHONE, answers, matches, text_pattern
from .models import ApiToken, MessageRequest, TicketRequest, hash_token

# How often the last-used time of a token is written: not on every call.
LAST_USED_PRECISION = 60


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        row = ApiToken.objects.active().select_related("user").filter(key_hash=hash_token(token)).first()
        if row is None:
            return None
        now = timezone.now()
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


class ManyiApi(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        upload_limits(schema)
        ticket_links(schema)
        return schema


def ticket_links(schema):
    """OpenAPI links: a ticket an operation answers with is read, given messages and files
    through its reference, and the first file it lists is downloaded by its id (for generated
    clients and tools that follow links)."""
    prefix = next(path for path in schema["paths"] if path.endswith("/tickets")).removesuffix("/tickets")
    ids = {
        (method, path.removeprefix(prefix)): operation["operationId"]
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }
    reference = {"reference": "$response.body#/reference"}
    links = {
        "GetTicket": {"operationId": ids["get", "/tickets/{reference}"], "parameters": reference},
        "AddMessage": {"operationId": ids["post", "/tickets/{reference}/messages"], "parameters": reference},
        "AddAttachments": {
            "operationId": ids["post", "/tickets/{reference}/attachments"],
            "parameters": reference,
        },
        "GetAttachment": {
            "operationId": ids["get", "/tickets/{reference}/attachments/{attachment_id}"],
            "parameters": {**reference, "attachment_id": "$response.body#/attachments/0/id"},
        },
    }
    answering_with_a_ticket = [
        ("post", "/tickets"),
        ("get", "/tickets/{reference}"),
        ("post", "/tickets/{reference}/messages"),
        ("post", "/tickets/{reference}/attachments"),
    ]
    for method, path in answering_with_a_ticket:
        for status, answer in schema["paths"][prefix + path][method]["responses"].items():
            if int(status) in (200, 201):
                answer["links"] = links


api = ManyiApi(
    title="Manyi API",
    version="1",
    description=__doc__,
    auth=BearerToken(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    parser=errors.JsonParser(),
)
json_error = errors.install(api)


# --------------------------------------------------------------------------- tickets

tickets = Router(tags=["tickets"])


CATEGORY_CODE = "^[-a-zA-Z0-9_]+$"  # a slug (Category.code)
# Tickets from survey answers are opened by the survey rules, never sent in.
IntakeChannel = Literal[tuple(c.value for c in Channel if c != Channel.SURVEY)]


def received_at_schema(schema):
    """The bounds of received_at, with this server's setting in the words."""
    schema["description"] = (
        "when the customer gave the feedback (RFC 3339, with its time zone offset); default now. "
        "Not later than now (5 minutes of clock skew are allowed) and not more than "
        f"{settings.API_RECEIVED_AT_MAX_AGE_DAYS} days ago (the server's API_RECEIVED_AT_MAX_AGE_DAYS); "
        "otherwise refused with 422."
    )


class TicketIn(Input):
    subject: str = Field("", max_length=200, description="default: the description's first line")
    description: str = Field(
        ...,
        min_length=1,
        max_length=workflow.MAX_NOTE,
        json_schema_extra=text_pattern(NOT_BLANK),
        description="the customer's words; not blank",
    )
    channel: IntakeChannel = Channel.API.value
    severity: Severity = Severity.GENERAL
    demand: Demand | None = None
    category: str | None = Field(
        None,
        max_length=40,
        json_schema_extra=text_pattern(CATEGORY_CODE),
        description="the code of an active ticket category (e.g. logistics); the categories are the "
        "company's data, set on its category page, so an unknown or retired code is refused with 422",
    )
    topic: str | None = Field(
        None,
        max_length=40,
        json_schema_extra=text_pattern(CATEGORY_CODE),
        description="the code of an active topic (e.g. delivery), when the sender knows it; without "
        "one the ticket takes the topic suggested from the description, for a handler to confirm; an "
        "unknown or retired code is refused with 422",
    )
    customer_code: str | None = Field(
        None,
        max_length=40,
        description="the code of a customer on record (not erased); an unknown code is refused with 422",
    )
    contact_name: str = Field("", max_length=100)
    contact_phone: str = Field(
        "",
        max_length=30,
        json_schema_extra=text_pattern(PHONE),
        description="a mainland mobile (13912345678, +86 139-1234-5678), a landline with its area "
        "code (0571-88886666, extension after a hyphen) or an international number (+4930123456); "
        "stored in its canonical form",
    )
    contact_email: str = Field(
        "",
        max_length=254,
        json_schema_extra={"anyOf": [{"maxLength": 0}, {"format": "email"}]},
        description="an e-mail address, or empty",
    )
    received_at: datetime | None = Field(None, json_schema_extra=received_at_schema)
    client_id: str | None = Field(
        None, max_length=100, description="your id of this feedback: sending it again returns the same ticket"
    )

    @field_validator("description")
    @classmethod
    def description_not_blank(cls, value):
        if not matches(NOT_BLANK, value):
            raise refused(_("Describe the feedback."))
        return value

    @field_validator("contact_phone")
    @classmethod
    def phone_as_stated(cls, value):
        if not matches(PHONE, value):
            raise refused(
                _("“%(value)s” is not a valid phone number (e.g. 13812345678 or 0571-88886666).")
                % {"value": value}
            )
        return value

    @field_validator("contact_email")
    @classmethod
    def email_or_nothing(cls, value):
        if value:
            try:
                validate_email(value)
            except DjangoValidationError as error:
                raise refused(_("Enter a valid e-mail address.")) from error
        return value

    @field_validator("category")
    @classmethod
    def category_code(cls, value):
        if value is not None and not matches(CATEGORY_CODE, value):
            raise refused(_("Choose an active category."))
        return value

    @field_validator("received_at")
    @classmethod
    def received_lately(cls, value):
        """Not before the configured number of days (a ticket received in 2000 was overdue by
        9,836 days at once); the future and a missing time zone are the workflow's refusals."""
        if value is not None and value.tzinfo is not None:
            days = settings.API_RECEIVED_AT_MAX_AGE_DAYS
            if value < timezone.now() - timedelta(days=days):
                raise refused(
                    _("The feedback cannot have been received more than %(days)s days ago.") % {"days": days}
                )
        return value


class EventOut(Schema):
    at: datetime
    by: str | None
    kind: str
    from_state: str
    to_state: str
    note: str


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: datetime


class TicketOut(Schema):
    reference: str
    state: TicketState
    channel: Channel
    subject: str
    description: str
    severity: Severity
    priority: int
    category: str | None
    demand: str
    customer_code: str | None
    contact_name: str
    contact_phone: str
    contact_email: str
    department: str | None
    topic: str | None = Field(description="the topic's code (results: the company's topic list)")
    topic_suggested: str | None = Field(description="the topic suggested from the customer's words")
    topic_confirmed: bool = Field(description="whether a person chose the topic (else it is the suggestion)")
    received_at: datetime
    response_due: datetime | None
    forwarding_due: datetime | None
    solution_due: datetime | None
    resolution_due: datetime | None
    overdue: bool


class TicketDetailOut(TicketOut):
    reply: str
    events: list[EventOut]
    attachments: list[AttachmentOut]


class TicketList(Page):
    results: list[TicketOut]


class MessageIn(Input):
    text: str = Field(
        ...,
        min_length=1,
        max_length=workflow.MAX_NOTE,
        json_schema_extra=text_pattern(NOT_BLANK),
        description="what the customer said; not blank",
    )

    @field_validator("text")
    @classmethod
    def text_not_blank(cls, value):
        if not matches(NOT_BLANK, value):
            raise refused(_("Write the customer's message."))
        return value


def _overdue(ticket, now):
    return ticket.is_open and any(
        due is not None and done is None and due < now for _name, due, done in ticket.deadline_times()
    )


def ticket_names(tickets, user):
    """How `user` sees the names of these tickets' customers and contacts (one NameMask for a
    page of tickets: two queries, none for a user who may see personal data)."""
    return NameMask.for_reader(
        user, {t.customer_id for t in tickets if t.customer_id}, [t.contact_name for t in tickets]
    )


def ticket_out(ticket, user, now=None, names=None):
    names = names or ticket_names([ticket], user)
    personal = user.can(permissions.VIEW_PERSONAL_DATA)
    return {
        "reference": ticket.reference,
        "state": ticket.state,
        "channel": ticket.channel,
        # Free text (the customer's words, notes) with phones, e-mail addresses and the
        # customer's and contacts' names masked for readers without the personal-data right.
        "subject": names.text(ticket.subject),
        "description": names.text(ticket.description),
        "severity": ticket.severity,
        "priority": ticket.priority,
        "category": ticket.category.code if ticket.category_id else None,
        "demand": ticket.demand,
        "customer_code": ticket.customer.code if ticket.customer_id else None,
        "contact_name": names.person(ticket.contact_name),
        "contact_phone": ticket.contact_phone if personal else mask_phone(ticket.contact_phone),
        "contact_email": ticket.contact_email if personal else mask_email(ticket.contact_email),
        "department": str(ticket.department) if ticket.department_id else None,
        "topic": ticket.topic.code if ticket.topic_id else None,
        "topic_suggested": ticket.topic_suggested.code if ticket.topic_suggested_id else None,
        "topic_confirmed": ticket.topic_chosen_by_id is not None,
        "received_at": ticket.received_at,
        "response_due": ticket.response_due,
        "forwarding_due": ticket.forwarding_due,
        "solution_due": ticket.solution_due,
        "resolution_due": ticket.resolution_due,
        "overdue": _overdue(ticket, now or timezone.now()),
    }


def ticket_detail_out(ticket, user):
    names = ticket_names([ticket], user)
    data = ticket_out(ticket, user, names=names)
    data["reply"] = names.text(ticket.reply)
    data["events"] = [
        {
            "at": event.at,
            "by": event.by.display_name if event.by_id else None,
            "kind": event.kind,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "note": names.text(event.note),
        }
        for event in ticket.events.select_related("by")
    ]
    data["attachments"] = [
        {
            "id": a.pk,
            "name": a.original_name,
            "content_type": a.content_type,
            "size": a.size,
            "uploaded_at": a.uploaded_at,
        }
        for a in ticket.attachments.all()
    ]
    return data


def _visible(request):
    return Ticket.objects.for_user(request.user).select_related(
        "category", "customer", "department", "topic", "topic_suggested"
    )


def _body_hash(payload):
    return hashlib.sha256(json.dumps(payload.dict(), sort_keys=True, default=str).encode()).hexdigest()


def _open_from_payload(request, payload):
    customer = None
    if payload.customer_code:
        customers = Customer.objects.for_user(request.user).filter(erased_at__isnull=True)
        customer = customers.filter(code=payload.customer_code.strip()).first()
        if customer is None:  # another unit's customer is no customer of this user's
            raise invalid("customer_code", _("No customer has this code."))
    category = None
    if payload.category:
        category = Category.objects.filter(code=payload.category, is_active=True).first()
        if category is None:
            raise invalid("category", _("Choose an active category."))
    topic = None
    if payload.topic:
        topic = Topic.objects.active().filter(code=payload.topic).first()
        if topic is None:
            raise invalid("topic", _("Choose an active topic."))
    try:
        contact_phone = normalize_phone(payload.contact_phone)
    except DjangoValidationError as error:
        raise invalid("contact_phone", " ".join(error.messages)) from error
    try:
        return workflow.open_ticket(
            by=request.user,
            channel=payload.channel,
            subject=payload.subject,
            description=payload.description,
            received_at=payload.received_at,
            customer=customer,
            contact_name=payload.contact_name,
            contact_phone=contact_phone,
            contact_email=payload.contact_email,
            category=category,
            severity=payload.severity,
            demand=payload.demand or "",
            topic=topic,
        )
    except workflow.TicketError as error:
        raise ValidationError(
            [{"loc": ["body", "payload"], "msg": str(error), "type": "value_error"}]
        ) from error


@tickets.post(
    "/tickets",
    **answers(
        {201: TicketDetailOut, 200: TicketDetailOut},
        400,
        401,
        403,
        409,
        413,
        422,
        conflict="This Idempotency-Key (or client_id) was used before with another body.",
    ),
    summary="Record feedback",
)
def create_ticket(
    request,
    payload: TicketIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=100),
):
    """Opens a ticket as the agent intake form does. With an ``Idempotency-Key`` header (or a
    ``client_id``), sending the same request again returns the first ticket with 200; the same
    key with different content is refused with 409."""
    require(request, permissions.CREATE_TICKETS)
    key = idempotency_key or payload.client_id
    if not key:
        return Status(201, ticket_detail_out(_open_from_payload(request, payload), request.user))
    body_hash = _body_hash(payload)
    earlier = TicketRequest.objects.filter(user=request.user, key=key).select_related("ticket").first()
    if earlier is None:
        try:
            with transaction.atomic():
                ticket = _open_from_payload(request, payload)
                TicketRequest.objects.create(user=request.user, key=key, body_hash=body_hash, ticket=ticket)
            return Status(201, ticket_detail_out(ticket, request.user))
        except IntegrityError:
            # A second request with the same key at the same moment: the first one's ticket.
            earlier = (
                TicketRequest.objects.filter(user=request.user, key=key).select_related("ticket").first()
            )
            if earlier is None:
                raise
    if earlier.body_hash != body_hash:
        raise HttpError(409, _("This Idempotency-Key was used for a different ticket."))
    return Status(200, ticket_detail_out(earlier.ticket, request.user))


class TicketFilters(PageQuery):
    state: list[TicketState] = Field(default_factory=list)
    overdue: bool | None = None
    open: bool | None = None
    channel: Channel | None = None


@tickets.get("/tickets", **answers({200: TicketList}, 400, 401, 403, 422), summary="List tickets")
def list_tickets(request, filters: Query[TicketFilters]):
    """The tickets the user may see, most urgent first; filters combine."""
    require(request, permissions.VIEW_TICKETS)
    now = timezone.now()
    rows = _visible(request)
    if filters.state:
        rows = rows.filter(state__in=filters.state)
    if filters.open is True:
        rows = rows.open()
    elif filters.open is False:
        rows = rows.closed()
    if filters.overdue is True:
        rows = rows.overdue(now)
    elif filters.overdue is False:
        rows = rows.exclude(pk__in=Ticket.objects.overdue(now).values("pk"))
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    rows = rows.order_by("-priority", "resolution_due", "-pk")
    page, info = paginate(rows, filters.page, filters.page_size)
    names = ticket_names(page, request.user)
    return {**info, "results": [ticket_out(ticket, request.user, now, names) for ticket in page]}


REFERENCE = Path(
    ...,
    min_length=1,
    pattern=NO_NUL,
    description="the ticket's reference, e.g. FK-2026-000123 (any case)",
)


@tickets.get(
    "/tickets/{reference}",
    **answers({200: TicketDetailOut}, 400, 401, 403, 404),
    summary="One ticket with its timeline",
)
def get_ticket(request, reference: str = REFERENCE):
    require(request, permissions.VIEW_TICKETS)
    return ticket_detail_out(get_object_or_404(_visible(request), reference=reference.upper()), request.user)


@tickets.post(
    "/tickets/{reference}/messages",
    **answers(
        {201: TicketDetailOut, 200: TicketDetailOut},
        400,
        401,
        403,
        404,
        409,
        413,
        422,
        conflict="The ticket is closed, or this Idempotency-Key was used before with another ticket or text.",
    ),
    summary="Add a customer message",
)
def add_message(
    request,
    payload: MessageIn,
    reference: str = REFERENCE,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=100),
):
    """What the customer said since (a call, a chat), on the ticket's timeline. With an
    ``Idempotency-Key`` header, sending the same message again changes nothing and answers 200;
    the same key with another ticket or text is refused with 409."""
    require(request, permissions.CREATE_TICKETS)
    ticket = get_object_or_404(_visible(request), reference=reference.upper())
    text = payload.text.strip()
    if not text:
        raise invalid("text", _("Write the customer's message."))
    body_hash = hashlib.sha256(f"{ticket.pk}\n{text}".encode()).hexdigest()
    if idempotency_key:
        earlier = MessageRequest.objects.filter(user=request.user, key=idempotency_key).first()
        if earlier is not None:
            return _repeated_message(earlier, body_hash, ticket, request.user)
    _refuse_with_409(workflow.change_refusal(ticket, request.user, "add_message"))
    try:
        with transaction.atomic():
            event = workflow.add_customer_message(ticket, request.user, text)
            if idempotency_key:
                MessageRequest.objects.create(
                    user=request.user, key=idempotency_key, body_hash=body_hash, event=event
                )
    except workflow.TicketError as error:  # closed meanwhile
        raise HttpError(409, str(error)) from error
    except IntegrityError:
        # The same key at the same moment: the first request's message stands, alone.
        earlier = MessageRequest.objects.filter(user=request.user, key=idempotency_key).first()
        if earlier is None:
            raise
        return _repeated_message(earlier, body_hash, ticket, request.user)
    return Status(201, ticket_detail_out(ticket, request.user))


def _refuse_with_409(refusal):
    """A change the ticket's state does not allow (the role was checked at the door: 403)."""
    if refusal:
        raise HttpError(409, refusal)


def _repeated_message(earlier, body_hash, ticket, user):
    if earlier.body_hash != body_hash:
        raise HttpError(409, _("This Idempotency-Key was used for a different message."))
    return Status(200, ticket_detail_out(ticket, user))


ATTACHMENT_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")


UPLOADS = File(..., min_length=1)


def upload_limits(schema):
    """The limits of an upload in the schema, with this server's settings in the words."""
    for path, operations in schema["paths"].items():
        if path.endswith("/tickets/{reference}/attachments"):
            body = operations["post"]["requestBody"]["content"]["multipart/form-data"]
            files = body["schema"]["properties"]["files"]
            files["maxItems"] = settings.TICKET_ATTACHMENT_MAX_FILES
            files["description"] = (
                f"1 to {settings.TICKET_ATTACHMENT_MAX_FILES} files (TICKET_ATTACHMENT_MAX_FILES), each at "
                f"most {settings.TICKET_ATTACHMENT_MAX_BYTES} bytes (TICKET_ATTACHMENT_MAX_BYTES) and a "
                "JPEG, PNG or WebP image or a PDF file by its content (not its name); otherwise all are "
                "refused with 422"
            )
            body["encoding"] = {"files": {"contentType": ", ".join(ATTACHMENT_TYPES)}}


@tickets.post(
    "/tickets/{reference}/attachments",
    **answers(
        {201: TicketDetailOut},
        400,
        401,
        403,
        404,
        409,
        413,
        422,
        conflict="The ticket is closed.",
    ),
    summary="Attach photos or PDF files",
)
def add_attachments(
    request,
    files: list[UploadedFile] = UPLOADS,
    reference: str = REFERENCE,
):
    """Multipart form field ``files`` (up to 5; JPEG, PNG, WebP or PDF, checked by content as
    on the ticket page). One refused file refuses them all (422) and nothing is stored."""
    require(request, permissions.VIEW_TICKETS)
    ticket = get_object_or_404(_visible(request), reference=reference.upper())
    if not workflow.may_attach(ticket, request.user):
        raise HttpError(403, _("Your role does not allow this."))
    _refuse_with_409(workflow.change_refusal(ticket, request.user, "attach"))
    try:
        checked = ticket_files.check_uploads(files)
    except ticket_files.AttachmentError as error:
        raise invalid("files", error) from error
    if not checked:
        raise invalid("files", _("Choose one or more files to attach."))
    try:
        workflow.attach(ticket, request.user, checked, source=ticket_files.Source.API)
    except workflow.TicketError as error:  # closed meanwhile
        raise HttpError(409, str(error)) from error
    return Status(201, ticket_detail_out(ticket, request.user))


DOWNLOAD = answers({200: None}, 400, 401, 403, 404, 422)
DOWNLOAD["openapi_extra"]["responses"][200] = {
    "description": "the file, with its content type",
    "content": {
        media: {"schema": {"type": "string", "format": "binary"}}
        for media in ("image/jpeg", "image/png", "image/webp", "application/pdf")
    },
}


@tickets.get("/tickets/{reference}/attachments/{attachment_id}", **DOWNLOAD, summary="Download an attachment")
def get_attachment(request, reference: str = REFERENCE, attachment_id: int = Path(..., ge=1)):
    require(request, permissions.VIEW_TICKETS)
    ticket = get_object_or_404(_visible(request), reference=reference.upper())
    attachment = get_object_or_404(ticket_files.Attachment, pk=attachment_id, ticket=ticket)
    try:
        # Always a download here: an API client saves the file, it does not show it.
        return serve_private_file(
            attachment.file,
            content_type=attachment.content_type,
            as_attachment=True,
            filename=attachment.original_name,
        )
    except Http404 as error:
        raise HttpError(404, _("The file is missing from the storage.")) from error


# --------------------------------------------------------------------------- customers

customers = Router(tags=["customers"])


class CustomerOut(Schema):
    code: str
    name: str
    kind: str
    customer_type: str
    lifecycle: str
    region: str
    province: str
    city: str
    phone: str
    email: str
    erased: bool


class CustomerList(Page):
    results: list[CustomerOut]


class CustomerQuery(PageQuery):
    q: str = Field(
        "",
        max_length=100,
        description="name or code; also phone, e-mail and a contact's name or phone for users who may "
        "see personal data (for others those are not searched)",
    )


def customer_out(customer, user, names=None):
    personal = user.can(permissions.VIEW_PERSONAL_DATA)
    names = names or NameMask.for_reader(user, [customer.pk])
    return {
        "code": customer.code,
        "name": names.customer(customer.pk, customer.name),
        "kind": customer.kind,
        "customer_type": customer.customer_type,
        "lifecycle": customer.lifecycle,
        "region": customer.region,
        "province": customer.province,
        "city": customer.city,
        "phone": customer.phone if personal else mask_phone(customer.phone),
        "email": customer.email if personal else mask_email(customer.email),
        "erased": customer.erased_at is not None,
    }


@customers.get(
    "/customers", **answers({200: CustomerList}, 400, 401, 403, 422), summary="List or search customers"
)
def list_customers(request, query: Query[CustomerQuery]):
    require(request, permissions.VIEW_CUSTOMERS)
    personal = request.user.can(permissions.VIEW_PERSONAL_DATA)
    rows = Customer.objects.for_user(request.user).search(query.q, personal=personal).order_by("code")
    page, info = paginate(rows, query.page, query.page_size)
    names = NameMask.for_reader(request.user, [customer.pk for customer in page])
    return {**info, "results": [customer_out(customer, request.user, names) for customer in page]}


@customers.get("/customers/{code}", **answers({200: CustomerOut}, 400, 401, 403, 404), summary="One customer")
def get_customer(
    request,
    code: str = Path(..., min_length=1, pattern=NO_NUL, description="the customer's code"),
):
    require(request, permissions.VIEW_CUSTOMERS)
    return customer_out(get_object_or_404(Customer.objects.for_user(request.user), code=code), request.user)


# --------------------------------------------------------------------------- responses

responses = Router(tags=["campaign responses"])


class AnswerOut(Schema):
    question: str
    row: str | None
    option: str | None
    points: float | None
    number: float | None
    text: str


class ResponseOut(Schema):
    id: int
    questionnaire_version: int  # a campaign's answers can span versions of its questionnaire
    completed_at: datetime | None
    channel: str
    customer_code: str | None
    customer_name: str | None
    valid: bool | None
    index: float | None
    grade: str
    satisfied: bool | None
    nps: int | None
    dimension_scores: dict
    answers: list[AnswerOut]


class ResponseList(Page):
    campaign: str
    questionnaire: str
    results: list[ResponseOut]


@responses.get(
    "/campaigns/{campaign_id}/responses",
    **answers({200: ResponseList}, 400, 401, 403, 404, 422),
    summary="Export completed responses",
)
def export_responses(request, query: Query[PageQuery], campaign_id: int = Path(..., ge=1)):
    """Completed responses of one campaign, page by page, with their answers. A confidential
    campaign's answers only for who may read them (others: 403). Without the right to
    personal data, customers' names are masked as the campaign's exports mask them (companies
    lettered over all the campaign's respondents, so A公司 is one company on every page), and
    so are phones, e-mail addresses and these names in open answers."""
    from manyi.campaigns.answering import can_see_individual_answers
    from manyi.campaigns.models import Answer, Campaign, Response

    require(request, permissions.VIEW_RESPONSES)
    # A campaign's answers in bulk are an export, as the CSV/Excel/SPSS files (agents read
    # single responses but do not export them).
    require(request, permissions.EXPORT_RESPONSES)
    # Every answer of the campaign: of a campaign the user's organisation unit runs (a region
    # does not export the answers of a campaign the group runs across every region).
    campaign = get_object_or_404(Campaign.objects.run_by(request.user), pk=campaign_id)
    if not can_see_individual_answers(request.user, campaign):
        raise HttpError(403, _("The answers of this survey are confidential."))
    completed = Response.objects.for_campaign(campaign).completed()
    names = NameMask.for_reader(
        request.user, completed.exclude(customer=None).values_list("customer_id", flat=True)
    )
    rows = (
        completed.select_related("customer", "questionnaire")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("question", "row", "option").order_by("pk"),
            )
        )
        .order_by("pk")
    )
    page, info = paginate(rows, query.page, query.page_size)
    results = []
    for response in page:
        answers = [
            {
                "question": answer.question.code,
                "row": answer.row.code if answer.row_id else None,
                "option": answer.option.label if answer.option_id else None,
                "points": answer.option.points if answer.option_id else None,
                "number": answer.number,
                "text": names.text(answer.text),
            }
            for answer in response.answers.all()
        ]
        results.append(
            {
                "id": response.pk,
                "questionnaire_version": response.questionnaire.version,
                "completed_at": response.completed_at,
                "channel": response.channel,
                "customer_code": response.customer.code if response.customer_id else None,
                "customer_name": names.customer(response.customer_id, response.customer.name)
                if response.customer_id
                else None,
                "valid": response.valid,
                "index": response.index,
                "grade": response.grade,
                "satisfied": response.satisfied,
                "nps": response.nps,
                "dimension_scores": response.dimension_scores or {},
                "answers": answers,
            }
        )
    return {
        **info,
        "campaign": campaign.name,
        "questionnaire": campaign.questionnaire.title,
        "results": results,
    }


api.add_router("", tickets)
api.add_router("", customers)
api.add_router("", responses)

# Inspections (issue 19) are in their own module, which reads require/paginate from this one.
from .inspections import inspections as inspection_router  # noqa: E402

api.add_router("", inspection_router)
