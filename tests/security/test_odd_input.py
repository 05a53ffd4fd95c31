"""Odd input is refused (4xx, or the form again with a message), never a server error (500).

Every URL pattern (``routes`` of the suite's conftest, filled with the objects of ``world``) and
every query or form parameter its view reads gets Unicode digits, overlong numbers, empty values,
huge strings, NUL bytes and deep nesting, as each role and anonymously; so does every operation
of the JSON API (query, path, header and body). Which parameters a page reads is found by asking
it: the administrator's first GET and POST of each route record every key the view, its forms
and their widgets look up in ``request.GET`` and ``request.POST`` (plus the keys the view's
module reads by name, for those read only past a check), so a parameter added later is fuzzed
without a list to keep up to date. The API's parameters come from its OpenAPI schema.

Every request runs in a transaction rolled back afterwards (and the client's cookies are put
back), so each one meets the same data and the same login.
"""

import copy
import inspect
import json
import logging
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.test.client import ClientHandler
from hypothesis import given
from hypothesis import strategies as st

from manyi.forms import MAX_ID, BadParameter, InputTooLarge, id_param, parse_id, parse_json, search_param

from .conftest import routes

pytestmark = pytest.mark.django_db

# The classes of odd input; every parameter gets each of them once (``rotations``).
ODD_VALUES = [
    ("superscript digit", "²"),
    ("Arabic-Indic digits", "١٢٣"),
    ("full-width digits", "１２"),
    ("30 digits", "123456789012345678901234567890"),
    ("just over 64 bits", str(MAX_ID + 1)),
    ("minus one", "-1"),
    ("1e309", "1e309"),
    ("empty", ""),
    ("NUL byte", "1\x00"),
    ("100 kB of digits", "9" * 100_000),
    ("100 kB of text", "满意<b>&'\"" * 10_000),
    ("deep nesting", "[" * 100_000),
]
# What an integer path argument can be that no row has: beyond the database's integers.
ODD_IDS = [("30 digits", 10**30 - 1), ("just over 64 bits", MAX_ID + 1)]
# JSON values for the fields of an API body, as JSON text.
ODD_JSON = [
    *((label, json.dumps(value)) for label, value in ODD_VALUES if label != "deep nesting"),
    ("30-digit number", "123456789012345678901234567890"),
    ("1e309 number", "1e309"),
    ("null", "null"),
    ("list", '["a", 1]'),
    ("object", '{"a": {"b": []}}'),
    ("true", "true"),
    ("deep nesting", "[" * 100_000 + "]" * 100_000),
]
# Whole API bodies.
ODD_BODIES = [
    ("empty body", ""),
    ("not JSON", "{"),
    ("deep nesting", "[" * 100_000),
    ("closed deep nesting", "[" * 100_000 + "]" * 100_000),
    ("a list", "[]"),
    ("a string", json.dumps("满意" * 50_000)),
    ("NUL", "\x00"),
    ("invalid UTF-8", b"{\xff\xfe}"),
]
ROLES = ("anonymous", "ana", "hank", "amy", "sam", "alice")  # alice, who reaches every page, last
NOT_REACHED = {301, 302, 401, 403, 404, 405, 429}
IGNORED_KEYS = {"csrfmiddlewaretoken"}
UNKNOWN_KEY = "no-such-parameter"


@dataclass
class Probe:
    """One request: client method, path, keyword arguments of the call, what is odd in it."""

    method: str
    path: str
    kwargs: dict = field(default_factory=dict)
    what: str = "as linked"


# --------------------------------------------------------------------------- which keys a page reads


class RecordingQueryDict(QueryDict):
    """A QueryDict that notes in ``seen`` every key looked up (by the view, its forms and their
    widgets)."""

    def _note(self, key):
        if isinstance(key, str):
            self.seen.add(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._note(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._note(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)

    def copy(self):
        # A view may copy the posted data to add a key (a formset's counts): the copy's
        # lookups are the page's too.
        duplicate = super().copy()
        duplicate.seen = self.seen
        return duplicate


class RecordingHandler(ClientHandler):
    """Gives each request recording GET and POST dicts; ``seen`` has the keys of the last one."""

    seen = {}

    def get_response(self, request):
        self.seen = {"get": set(), "post": set()}
        request.GET.__class__ = RecordingQueryDict
        request.GET.seen = self.seen["get"]
        if request.method == "POST":
            request.POST.__class__ = RecordingQueryDict
            request.POST.seen = self.seen["post"]
        return super().get_response(request)


class RecordingClient(Client):
    def __init__(self, **defaults):
        super().__init__(raise_request_exception=False, **defaults)
        self.handler = RecordingHandler(enforce_csrf_checks=False)


def rolled_back(client, probe):
    """The response to one request whose changes are undone afterwards: in the database and in
    the client's cookies (logging out, or a session the rollback deleted, ends the login)."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        response = getattr(client, probe.method)(probe.path, **probe.kwargs)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def discover(client, route, failures):
    """{"get": keys, "post": keys} the route's view reads, None for a method it refuses (405).
    One made-up key is sent, as forms bound to ``request.POST or None`` read nothing of an
    empty one. A server error is added to ``failures``."""
    found = {}
    for method in ("get", "post"):
        response = rolled_back(client, Probe(method, route.path, {"data": {UNKNOWN_KEY: "1"}}))
        if response.status_code >= 500:
            failures.append(f"alice {method.upper()} {route.path}: {response.status_code}")
        keys = client.handler.seen[method] - IGNORED_KEYS - {UNKNOWN_KEY}
        found[method] = None if response.status_code == 405 else sorted(keys)
    return found


# --------------------------------------------------------------------------- what is sent


def rotations(keys, classes):
    """(values, what) per probe: in probe j, key i gets class (i + j) mod len(classes), so that
    every key meets every class once."""
    for j in range(len(classes)):
        chosen = {key: classes[(i + j) % len(classes)] for i, key in enumerate(keys)}
        yield (
            {key: value for key, (_label, value) in chosen.items()},
            ", ".join(f"{key}={label}" for key, (label, _value) in chosen.items()),
        )


def odd_paths(path, arguments):
    """(path, what) with each path argument replaced by each odd value of its kind."""
    for name, value in arguments.items():
        odd = ODD_IDS if isinstance(value, int) else [(label, v) for label, v in ODD_VALUES if v]
        text = quote(str(value), safe="")
        for label, odd_value in odd:
            replaced = quote(str(odd_value), safe="")
            head, found, tail = path.rpartition(f"/{text}")
            if found:
                yield f"{head}/{replaced}{tail}", f"path {name}={label}"


_READS = re.compile(r"""request\.(GET|POST)(?:\.get|\.getlist)?[\[(]\s*["']([^"']+)["']""")


def keys_in_source(callback):
    """{"get": keys, "post": keys} that the view's module reads from request.GET / request.POST
    by name: a key read only past a check the administrator's request does not pass (a valid
    campaign first …) is still sent, with those the view was seen to read."""
    found = {"get": set(), "post": set()}
    module = sys.modules.get(callback.__module__)
    if module is None or not callback.__module__.startswith("manyi."):
        return found
    for method, key in _READS.findall(inspect.getsource(module)):
        found[method.lower()].add(key)
    return found


def page_targets(world, failures):
    """The probes per route and method the administrator's requests show it accepts. The
    routes of one pattern (a ticket's transitions …) share a view: probed once."""
    recorder = RecordingClient()
    recorder.force_login(world.people.alice)
    targets, probed = [], set()
    for route in routes(world):
        found = discover(recorder, route, failures)
        named = keys_in_source(route.callback)
        for method, keys in found.items():
            if keys:  # the module's other keys, for a view that reads this method's data
                keys = sorted(set(keys) | named[method])
            if keys is None or (method == "post" and not keys and found["get"] is not None):
                continue  # refused, or a page that reads nothing posted: its GET covers it
            if (route.pattern, method) in probed:
                continue
            probed.add((route.pattern, method))
            probes = [
                Probe(method, route.path, {"data": d}, w) for d, w in rotations(keys, ODD_VALUES) if keys
            ]
            probes += [Probe(method, p, {}, w) for p, w in odd_paths(route.path, route.kwargs)]
            if probes:
                targets.append(probes)
    return targets


def api_targets(world):
    """A Target per operation of the JSON API: its query and header parameters, path arguments
    and JSON body fields from the OpenAPI schema, each with every odd class."""
    from manyi.api.api import api

    schema = api.get_openapi_schema()
    real = {
        "reference": world.ticket.reference,
        "attachment_id": world.attachment.pk,
        "code": world.customer.code,
        "campaign_id": world.campaign.pk,
    }
    targets = []
    for template, operations in schema["paths"].items():
        path = template.format(**{name: quote(str(value), safe="") for name, value in real.items()})
        for method, operation in operations.items():
            parameters = operation.get("parameters", [])
            query = [p["name"] for p in parameters if p["in"] == "query"]
            headers = [p["name"] for p in parameters if p["in"] == "header"]
            arguments = {p["name"]: real[p["name"]] for p in parameters if p["in"] == "path"}
            content = operation.get("requestBody", {}).get("content", {})
            body = "application/json" in content
            plain_kwargs = {"data": "{}", "content_type": "application/json"} if body else {}
            probes = [Probe(method, path, {"data": d}, w) for d, w in rotations(query, ODD_VALUES) if query]
            for values, what in rotations(headers, [v for v in ODD_VALUES if "\x00" not in v[1]]):
                environ = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in values.items()}
                probes.append(Probe(method, path, {**plain_kwargs, **environ}, what))
            probes += [Probe(method, p, plain_kwargs, w) for p, w in odd_paths(path, arguments)]
            if body:
                reference = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
                fields = list(schema["components"]["schemas"][reference]["properties"])
                for values, what in rotations(fields, ODD_JSON):
                    text = "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in values.items()) + "}"
                    probes.append(
                        Probe(method, path, {"data": text, "content_type": "application/json"}, what)
                    )
                for what, text in ODD_BODIES:
                    probes.append(
                        Probe(method, path, {"data": text, "content_type": "application/json"}, what)
                    )
            targets.append([Probe(method, path, plain_kwargs, "as documented"), *probes])
    return targets


# --------------------------------------------------------------------------- sending it


def clients(world):
    """(role, test client raising nothing): anonymous, and each named person logged in and
    carrying an API token of theirs."""
    found = []
    for role in ROLES:
        if role == "anonymous":
            client = Client(raise_request_exception=False)
        else:
            client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
            client.force_login(getattr(world.people, role))
        found.append((role, client))
    return found


def short(text, limit=60):
    text = text if isinstance(text, str) else repr(text)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def server_errors(world, targets):
    """Share each target's probes out among the roles: a role whose first probe does not reach
    the page (login redirect, 403, 404, 405) leaves them to the next, and the administrator,
    last, sends what is left. Returns a line per answer of 500 or more."""
    failures = []
    sent = defaultdict(int)
    people = clients(world)
    for position, (role, client) in enumerate(people):
        roles_left = len(people) - position
        for index, probes in enumerate(targets):
            share = -(-(len(probes) - sent[index]) // roles_left)  # the last role takes the rest
            for probe in probes[sent[index] : sent[index] + share]:
                response = rolled_back(client, probe)
                if response.status_code >= 500:
                    failures.append(
                        f"{role} {probe.method.upper()} {short(probe.path)} {probe.what}: {response.status_code}"
                    )
                elif response.status_code in NOT_REACHED and role != "alice":
                    break  # not this role's page (or this probe's 404): the next role sends it
                sent[index] += 1
    assert all(sent[index] == len(probes) for index, probes in enumerate(targets))
    return failures


@pytest.fixture
def quiet_request_log():
    """Thousands of refused requests would each log a warning (and a failure print them all)."""
    logger = logging.getLogger("django.request")
    disabled, logger.disabled = logger.disabled, True
    yield
    logger.disabled = disabled


@pytest.fixture
def no_rate_limits(settings):
    """The public forms count requests per client; here every request is the same client."""
    settings.PUBLIC_SUBMIT_RATE = "1000000/60"


def test_no_page_answers_odd_parameters_with_a_server_error(world, no_rate_limits, quiet_request_log):
    failures = []
    targets = page_targets(world, failures)
    assert sum(map(len, targets)) > 500, "few probes: is the recorder broken?"
    failures += server_errors(world, targets)
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)


def test_no_api_operation_answers_odd_input_with_a_server_error(world, quiet_request_log):
    targets = api_targets(world)
    assert sum(map(len, targets)) > 100
    failures = server_errors(world, targets)
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)


# --------------------------------------------------------------------------- the cases found so far


def test_a_reference_of_unicode_digits_on_the_public_status_form_is_not_found(client, world, no_rate_limits):
    response = client.post("/feedback/status/", {"reference": "FK-2026-²²²²²²", "secret": "13812345678"})
    assert response.status_code == 404
    assert "FK-2026-²²²²²²" in response.content.decode()  # the form again, with what was typed


@pytest.mark.parametrize("actor", ["²", "123456789012345678901234567890", str(MAX_ID + 1), "-1"])
def test_the_audit_log_refuses_an_actor_that_is_no_id_with_a_message(client_as, world, actor):
    response = client_as(world.people.alice).get("/accounts/audit/", {"actor": actor})
    assert response.status_code == 400
    assert "“操作人”必须是页面提供的选项之一，请重新选择。" in response.content.decode()


def test_the_audit_log_takes_the_largest_id_and_finds_no_one(client_as, world):
    response = client_as(world.people.alice).get("/accounts/audit/", {"actor": str(MAX_ID), "model": "1"})
    assert response.status_code == 200
    assert not response.context["page"].object_list


@pytest.mark.parametrize("campaign", ["²", "１２", "123456789012345678901234567890"])
def test_reports_refuse_a_campaign_that_is_no_id(client_as, world, campaign):
    client = client_as(world.people.sam)
    assert client.get("/reports/", {"campaign": campaign}).status_code == 400
    response = client.post("/reports/new/", {"campaign": campaign, "kind": "analysis"})
    assert response.status_code == 400
    assert not world.campaign.reports.exclude(pk=world.report.pk).exists()


@pytest.mark.parametrize(
    ("segment", "group"), [("product", "²"), ("month", "²²²²-²"), ("month", "9" * 30 + "-1")]
)
def test_a_drill_down_to_a_group_that_is_no_number_shows_no_responses(client_as, world, segment, group):
    url = f"/dashboards/campaigns/{world.campaign.pk}/responses/"
    response = client_as(world.people.alice).get(url, {"segment": segment, "group": group})
    assert response.status_code == 200
    assert response.context["total"] == 0


def test_a_model_of_100000_brackets_is_refused_with_a_message(client_as, world):
    url = f"/dashboards/campaigns/{world.campaign.pk}/model/"
    client = client_as(world.people.ana)
    response = client.post(url, {"model": "[" * 100_000})
    assert response.status_code == 400
    assert "文本太长" in response.context["error"]
    response = client.post(url, {"model": "[" * 30_000})
    assert response.status_code == 400
    assert "嵌套层数过多" in response.context["error"]


def test_changing_a_dimension_code_of_an_answered_questionnaire_edits_the_new_version(client_as, world):
    url = f"/surveys/{world.questionnaire.pk}/dimensions/{world.dimension.pk}/"
    response = client_as(world.people.sam).post(url, {"code": "D9", "title": "产品质量", "weight": "100"})
    assert response.status_code == 302
    newest = world.questionnaire.__class__.objects.filter(family=world.questionnaire.family).latest("version")
    assert newest.pk != world.questionnaire.pk
    assert list(newest.dimensions.values_list("code", flat=True)) == ["D9"]
    assert list(world.questionnaire.dimensions.values_list("code", flat=True)) == ["D1"]


def test_a_template_key_too_long_for_a_file_name_is_not_found(client_as, world):
    response = client_as(world.people.sam).post(f"/surveys/templates/{'a' * 100_000}/use/")
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["9" * 100_000, "²", "123456789012345678901234567890"])
def test_an_improvement_prefilled_from_no_id_is_a_blank_form(client_as, world, value):
    response = client_as(world.people.sam).get("/improvements/new/", {"ticket": value, "campaign": value})
    assert response.status_code == 200
    assert not response.context["form"].initial.get("tickets")


def test_a_search_of_100_kb_finds_nothing_and_fails_nothing(client_as, world):
    client = client_as(world.people.alice)
    for url in (f"/campaigns/entry/{world.campaign.pk}/", "/accounts/audit/"):
        response = client.get(url, {"q": "满意" * 50_000})
        assert response.status_code == 200, url


def test_a_posted_form_count_cannot_make_a_thousand_forms(client_as, world):
    response = client_as(world.people.sam).post(
        f"/customers/{world.customer.pk}/edit/",
        {"contacts-TOTAL_FORMS": "1000", "contacts-INITIAL_FORMS": "0"},
    )
    assert response.status_code in (200, 400)
    assert len(response.context["contacts"].forms) <= 50


# --------------------------------------------------------------------------- the helpers


@given(st.text())
def test_parse_id_takes_only_ascii_digits_within_64_bits(text):
    value = parse_id(text)
    if value is not None:
        assert text.isascii() and text.isdecimal() and 0 <= value <= MAX_ID and int(text) == value


@given(st.integers(min_value=0, max_value=2**70))
def test_parse_id_reads_every_id_the_database_can_hold(number):
    assert parse_id(str(number)) == (number if number <= MAX_ID else None)


def test_id_param_is_none_when_absent_or_empty_and_refuses_what_is_no_id():
    assert id_param(QueryDict("a=1"), "b") is None
    assert id_param(QueryDict("b="), "b") is None
    assert id_param(QueryDict("b=42"), "b") == 42
    for text in ("²", "١٢٣", "１２", " 1", "1.0", "-1", str(MAX_ID + 1)):
        with pytest.raises(BadParameter):
            id_param({"b": text}, "b")


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    )
)
def test_parse_json_reads_what_json_dumps_wrote_when_shallow(value):
    text = json.dumps(value)
    try:
        assert parse_json(text, max_length=10**6) == value
    except InputTooLarge:
        assert text.count("[") + text.count("{") > 20


@given(st.integers(min_value=21, max_value=200_000), st.sampled_from("[{"))
def test_parse_json_refuses_deep_nesting_before_parsing(depth, bracket):
    text = bracket * depth if bracket == "[" else '{"a":' * depth
    with pytest.raises(InputTooLarge):
        parse_json(text, max_length=10**6)


def test_search_param_is_short_and_without_nul():
    assert search_param({"q": " 满意\x00度 " + "x" * 1000}) == ("满意度 " + "x" * 1000)[:200]


@pytest.mark.parametrize(
    "path", ["/s/1%00/", "/s/a/1%00/thanks/", "/customers/?q=1%00", "/api/customers/1%00"]
)
def test_an_address_holding_a_nul_character_is_refused(client_as, world, path):
    response = client_as(world.people.alice).get(path)
    assert response.status_code == 400
    is_json = response["Content-Type"] == "application/json"
    text = response.json()["detail"] if is_json else response.content.decode()
    assert "网址中含有本网站网址不会有的字符。" in text


def test_the_api_refuses_text_holding_a_nul_character(client, world):
    url = f"/api/tickets/{world.ticket.reference}/messages"
    response = client.post(
        url,
        json.dumps({"text": "客户来电\x00"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {world.tokens['sam']}",
    )
    assert response.status_code == 422
    assert not world.ticket.events.filter(note__contains="客户来电").exists()


@pytest.mark.parametrize("text", ["3,²", "123456789012345678901234567890", "3,366", "0"])
def test_reminder_days_beyond_a_year_or_of_unicode_digits_are_refused(text):
    from manyi.campaigns.forms import parse_reminder_days

    with pytest.raises(ValueError):
        parse_reminder_days(text)
    assert parse_reminder_days("3，5、365") == [3, 5, 365]
