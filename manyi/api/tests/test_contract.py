"""The API keeps its published contract: Schemathesis generates requests from /api/openapi.json
(valid ones and ones breaking each stated rule) and runs every check on each answer: no server
error, every status and header documented, every body as its schema says, valid input
accepted, invalid input refused, an unsupported method 405 with Allow, no auth ignored. A
stateful run follows the schema's links (a ticket listed, then read, given a message and a file,
the file downloaded) with the same checks on every answer.

It runs in-process on the WSGI application against the test database (rolled back after), as
an administrator and as an analyst (a low role: no intake, no personal data). ``make
api-contract`` runs it alone.

Rules that depend on stored data are stated in the schema's descriptions and cannot be
generated from it: a category, topic or customer code must name one that exists, received_at must lie
between API_RECEIVED_AT_MAX_AGE_DAYS ago and now, an attachment must be a real image or PDF, a
path names an existing ticket. For valid (positive) cases only, the hook below puts such
values in, so that valid requests reach the operation instead of a 404 or 422; invalid
(negative) cases are sent as generated.
"""

import hashlib
import random
from datetime import timedelta

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone

from manyi.api.models import ApiToken
from manyi.campaigns.choices import ResponseStatus
from manyi.results.models import Topic
from manyi.testing import make_campaign, make_customer, make_question, make_questionnaire, make_response
from manyi.tickets import workflow
from manyi.tickets.choices import Channel, TicketState
from manyi.tickets.models import Category, Ticket
from manyi.tickets.tests.sample_files import image_bytes, use_attachment_root

pytestmark = pytest.mark.django_db

# Examples per operation and generation phase: enough to try every rule, few enough to keep
# the test near half a minute on two busy cores.
MAX_EXAMPLES = 12


class InProcessApp:
    """Django's WSGI handler for Schemathesis, without closing the test's database connection
    at the end of each request (as Django's test client does)."""

    def __init__(self):
        self.handler = WSGIHandler()

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            body = b"".join(response)
            response.close()
            return [body]
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


class World:
    """What the generated requests may name: tickets, a customer, a campaign, an attachment."""

    def __init__(self, people):
        self.open_ticket = workflow.open_ticket(
            by=None, channel=Channel.PHONE, subject="快递慢", description="一周没到。"
        )
        Ticket.objects.filter(pk=self.open_ticket.pk).update(
            department=people.quality, state=TicketState.ASSIGNED
        )
        closed = workflow.open_ticket(
            by=None, channel=Channel.PHONE, subject="已解决", description="已处理。"
        )
        Ticket.objects.filter(pk=closed.pk).update(state=TicketState.CLOSED)
        self.references = [self.open_ticket.reference, closed.reference]
        self.customer_codes = [make_customer(name="杭州西湖电器").code]
        self.categories = list(Category.objects.filter(is_active=True).values_list("code", flat=True))
        self.topics = list(Topic.objects.active().values_list("code", flat=True))
        questionnaire = make_questionnaire()
        make_question(questionnaire, code="Q1", text="总体满意度")
        campaign = make_campaign(questionnaire)
        make_response(questionnaire, campaign, status=ResponseStatus.COMPLETED, completed_at=timezone.now())
        self.campaign_ids = [campaign.pk]
        png = ("门.png", image_bytes("PNG"))
        workflow.attach(self.open_ticket, people.sam, _checked([png]), source="api")
        self.attachment_ids = list(self.open_ticket.attachments.values_list("pk", flat=True))


def _checked(files):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from manyi.tickets import attachments

    return attachments.check_uploads([SimpleUploadedFile(name, data) for name, data in files])


PATH_VALUES = {
    "reference": "references",
    "code": "customer_codes",
    "campaign_id": "campaign_ids",
    "attachment_id": "attachment_ids",
}


def stored_values(world, case):
    """Put values that exist into a valid case: the rules they follow are data, not schema."""
    pick = random.Random(hashlib.sha256(repr(case.path_parameters).encode()).digest())
    for name, values in PATH_VALUES.items():
        if name in (case.path_parameters or {}):
            case.path_parameters[name] = pick.choice(getattr(world, values))
    body = case.body if isinstance(case.body, dict) else None
    if body is None:
        return case
    if body.get("category") is not None:
        body["category"] = pick.choice(world.categories)
    if body.get("topic") is not None:
        body["topic"] = pick.choice(world.topics)
    if body.get("customer_code") is not None:
        body["customer_code"] = pick.choice(world.customer_codes)
    if body.get("received_at") is not None:
        body["received_at"] = (timezone.now() - timedelta(days=pick.randint(0, 300))).isoformat()
    if "files" in body:
        body["files"] = [image_bytes("PNG")] * max(1, min(len(body["files"] or []), 5))
    return case


# Loaded as the API serves it, when the tests are collected. The token is the role's (TestToken
# below), so Schemathesis does not generate the Authorization header itself.
schema = schemathesis.openapi.from_wsgi(
    "/api/openapi.json",
    InProcessApp(),
    config=schemathesis.config.SchemathesisConfig.from_dict(
        {
            "generation": {
                "mode": "all",
                "max-examples": MAX_EXAMPLES,
                "database": "none",
                "with-security-parameters": False,
            },
            "seed": 20,
        }
    ),
)


@schema.auth(refresh_interval=None)
class TestToken:
    """The token of the role under test, set by Schemathesis on every case as its own (explicit)
    authentication: the check of ignored authentication then takes it away, or replaces it, and
    expects a 401."""

    current = None

    def get(self, case, context):
        return TestToken.current

    def set(self, case, token, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}


@pytest.fixture(params=["alice", "ana"], ids=["administrator", "analyst"])
def contract(request, people, settings, tmp_path):
    """An administrator's or an analyst's token, and the world its requests may name."""
    use_attachment_root(settings, tmp_path)
    world = World(people)
    world.token = TestToken.current = ApiToken.issue(getattr(people, request.param), "contract")[1]
    yield world
    TestToken.current = None


@schema.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_the_api_keeps_its_schema(case, contract):
    if case.meta is not None and case.meta.generation.mode.is_positive:
        stored_values(contract, case)
    case.call_and_validate(headers={"Accept-Language": "en"})


def linked_values(world, case):
    """Like stored_values, but a path value a link took from an earlier answer (a ticket the
    scenario created, a file it attached) is kept: only generated ones are replaced."""
    from manyi.tickets.attachments import Attachment

    exists = {
        "reference": lambda value: Ticket.objects.filter(reference=value).exists(),
        "attachment_id": lambda value: Attachment.objects.filter(pk=value).exists(),
    }
    kept = {
        name: value
        for name, value in (case.path_parameters or {}).items()
        if name in exists and isinstance(value, (str, int)) and exists[name](value)
    }
    stored_values(world, case)
    case.path_parameters.update(kept)
    return case


def test_linked_calls_keep_the_schema(contract):
    """Schemathesis's stateful run: it follows the schema's links (a ticket created, then read,
    given a message and a file, the file downloaded) and runs every check on each answer."""

    followed = []

    class Scenario(schema.as_state_machine()):
        def step(self, input):
            if input.transition is not None and input.applied_parameters:
                followed.append(input.case.operation.label)  # a value taken from an earlier answer
            return super().step(input)

        def before_call(self, case):
            if case.meta is not None and case.meta.generation.mode.is_positive:
                linked_values(contract, case)
            case.headers = {**(case.headers or {}), "Accept-Language": "en"}

    Scenario.run(
        settings=hypothesis.settings(
            max_examples=10,
            stateful_step_count=5,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )
    # The scenarios did chain: calls named a ticket an earlier call answered with.
    assert any("{reference}" in label for label in followed), followed
