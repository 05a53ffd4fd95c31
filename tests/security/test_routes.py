"""Access of every role to every route and API operation (issue 13, deliverable 5).

Statically: every URL pattern's view is guarded by ``@capability_required`` (which marks the view
with ``required_capabilities``) or is listed below as public or for any signed-in user; every
API operation authenticates by token and begins with ``require(request, permissions.X)``. A new
view with neither fails here with its URL name.

Dynamically, over a world with one of every object (tests/security/conftest.py): anonymous, each
named role and ivan (disabled after signing in) GET and POST every route, the POST carrying what
the page's form sends. A caller without the route's capabilities gets 403 (anonymous: the login
page; 404 for an object outside its scope; 405 for a method the view never takes) and nothing in
the database changes; where the view applies a further rule in its body (INNER_RULES) a refused
caller changes nothing either; a caller with the capabilities is never answered 403; no GET
changes anything (but GET_RECORDS). Each request runs in a transaction rolled back afterwards, so
every route meets the same world. The same for every API operation with each role's token, and
row rules (another department's ticket, another team's visit) by every route that takes them.
Django's admin site is left out: Django's own, for administrators only
(accounts/tests/test_admin_site.py).
"""

import ast
import inspect
import textwrap

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client

from manyi.accounts import permissions
from manyi.accounts.permissions import ROLE_CAPABILITIES

from .conftest import (
    api_operations,
    changes,
    png_bytes,
    routes,
    rows_written,
    snapshot,
    submitted_forms,
    walk_patterns,
)

# Views anyone may open, signed in or not: each says why.
PUBLIC = {
    "health": "load-balancer probe; answers only {'status': 'ok'}",
    "healthz": "load-balancer probe: ok/fail per part (database, cache, storage, queue) and the queue's counts",
    "set_language": "Django's language switch, used on the login page too",
    "login": "the sign-in page",
    "logout": "ends the caller's own session",
    "feedback:form": "the public feedback form (rate limited)",
    "feedback:thanks": "says a reference was received, nothing of its content",
    "feedback:status": "status by reference and the sender's phone or e-mail",
    "ticket_callback:answer": "the customer's satisfaction callback; the unguessable token is the key",
    "public:anonymous": "a campaign's anonymous answer page; the unguessable public token is the key",
    "public:anonymous_thanks": "the thank-you page after it",
    "public:answer": "an invited customer's answer page; the unguessable invitation token is the key",
    "public:thanks": "the thank-you page after it",
    "public:optout": "an invited customer asks not to be surveyed again; the invitation token is the key",
    "public:short": "an SMS's short link to the answer page; the unguessable short code is the key",
    "public:sms_callback": "the SMS gateway's receipts and replies; the secret in the address is the key",
    "api:openapi-json": "the API's schema: operations and fields, no data",
    "api:openapi-view": "the API's documentation page, from the schema",
    "api:api-root": "ninja's root of the API (no data)",
}

# Views every signed-in user may open whatever the role (login_required): each says why.
SIGNED_IN = {
    "home": "the start page: links by capability and customer counts by lifecycle",
    "password_change": "one's own password",
    "password_change_done": "one's own password",
    "api_tokens": "one's own API tokens (a token can do only what its user can)",
    "api_token_revoke": "one's own API tokens; another's token is 404",
}


# GETs that write by design (nothing a caller chooses): each says what.
GET_RECORDS = {
    "public:answer": "the invitation's first opening (opened_at, for the response funnel)",
}


def _ticket(world):
    world.ticket.refresh_from_db()
    return world.ticket


def _improvement(world):
    world.improvement.refresh_from_db()
    return world.improvement


def _transition_allowed(user, world, route):
    from manyi.tickets import workflow

    return user.can(workflow.TRANSITIONS[route.kwargs["name"]].capability)


def _improvement_transition_allowed(user, world, route):
    from manyi.improvements import workflow

    transition = workflow.TRANSITIONS[route.kwargs["name"]]
    return workflow.may_manage(user) or (
        transition.owner_may and workflow.is_owner_at_work(_improvement(world), user)
    )


def _may_classify(user, world, route):
    from manyi.tickets import workflow

    return workflow.may_classify(_ticket(world), user)


def _may_edit_contact(user, world, route):
    from manyi.tickets import workflow

    return workflow.may_edit_contact(_ticket(world), user)


def _may_attach(user, world, route):
    return user.can(permissions.CREATE_TICKETS) or user.can(permissions.WORK_TICKETS)


def _may_edit_improvement(user, world, route):
    from manyi.improvements import workflow

    return workflow.may_edit(_improvement(world), user)


def _may_record_call(user, world, route):
    from manyi.improvements import notify

    return notify.may_record_call(user)


def _may_edit_visit_record(user, world, route):
    from manyi.visits import workflow

    world.record.refresh_from_db()
    return workflow.can_edit_record(user, world.record)


def _owns_token(user, world, route):
    return world.token_rows["sam"].user_id == user.pk


# Rules a view applies in its body, beyond the capabilities of its decorator (object-level
# rules, one of several capabilities, a capability that depends on the URL). A role the rule
# refuses may get 403, 404 or a refusal message, but nothing may change; a role it allows must
# not get 403. Each is (what it checks, the same rule asked of the code that decides it).
INNER_RULES = {
    "tickets:transition": ("the transition's capability, workflow.TRANSITIONS[name]", _transition_allowed),
    "tickets:classify": ("workflow.may_classify: records tickets or works on this one", _may_classify),
    "tickets:topic": ("workflow.may_classify, as the classification", _may_classify),
    "tickets:note_add": ("workflow.may_classify: records tickets or works on this one", _may_classify),
    "tickets:contact": ("workflow.may_edit_contact: may classify and sees personal data", _may_edit_contact),
    "tickets:customer_confirm": ("workflow.may_edit_contact, as the contact form", _may_edit_contact),
    "tickets:attachment_upload": ("tickets.create or tickets.work", _may_attach),
    "improvements:transition": (
        "improvements.manage, or its owner for owner_may transitions",
        _improvement_transition_allowed,
    ),
    "improvements:edit": ("workflow.may_edit: a manager, or the owner at work", _may_edit_improvement),
    "improvements:evidence_upload": (
        "workflow.may_edit: a manager, or the owner at work",
        _may_edit_improvement,
    ),
    "improvements:phone_call": ("notify.may_record_call", _may_record_call),
    "visits:record_edit": (
        "workflow.can_edit_record: the agent of a returned record",
        _may_edit_visit_record,
    ),
    "api_token_revoke": ("the token's owner", _owns_token),
}

ROLES = ["alice", "sam", "amy", "hank", "ana"]


def _callback_capabilities(callback):
    return getattr(callback, "required_capabilities", None)


# --------------------------------------------------------------------------- static


def unguarded_views(resolver=None):
    """The URL patterns (outside the API's operations) whose view has no @capability_required and
    is not listed as public or for any signed-in user."""
    found = []
    for pattern, name, callback in walk_patterns(resolver):
        if name.startswith("api:") and name not in PUBLIC:
            continue  # the API's operations: see the next test
        if _callback_capabilities(callback) is None and name not in PUBLIC and name not in SIGNED_IN:
            found.append(f"{name or '(no name)'} {pattern}")
    return found


def test_every_view_is_guarded_by_a_capability_or_listed_as_public():
    unguarded = unguarded_views()
    assert not unguarded, (
        "Views without @capability_required and not listed as public in tests/security/test_routes.py: "
        + "; ".join(unguarded)
    )
    names = {name for _pattern, name, _callback in walk_patterns()}
    stale = [
        name
        for _pattern, name, callback in walk_patterns()
        if (name in PUBLIC or name in SIGNED_IN) and _callback_capabilities(callback) is not None
    ]
    assert not stale, f"Listed as public or signed-in but guarded by a capability: {stale}"
    listed = set(PUBLIC) | set(SIGNED_IN) | set(INNER_RULES) | set(GET_RECORDS)
    assert not listed - names, f"listed routes that no longer exist: {sorted(listed - names)}"


def test_a_new_view_without_a_capability_is_caught_by_its_url_name():
    """The check above on a URLconf with one guarded and one forgotten view."""
    from types import ModuleType

    from django.http import HttpResponse
    from django.urls import URLResolver, include, path
    from django.urls.resolvers import RegexPattern

    from manyi.accounts.decorators import capability_required

    def forgotten(request):
        return HttpResponse("customer list")

    @capability_required(permissions.VIEW_CUSTOMERS)
    def guarded(request):
        return HttpResponse("customer list")

    app = ModuleType("new_app_urls")
    app.app_name = "new_app"
    app.urlpatterns = [
        path("guarded/", guarded, name="guarded"),
        path("forgotten/", forgotten, name="forgotten"),
    ]
    root = ModuleType("root_urls")
    root.urlpatterns = [path("new/", include(app)), path("admin/", forgotten, name="admin_page")]
    assert unguarded_views(URLResolver(RegexPattern(r"^/"), root)) == ["new_app:forgotten new/forgotten/"]


def _required_in_body(function):
    """The capabilities an API operation asks with require(request, permissions.X)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "require"
            and len(node.args) == 2
            and isinstance(node.args[1], ast.Attribute)
            and isinstance(node.args[1].value, ast.Name)
            and node.args[1].value.id == "permissions"
        ):
            found.append(getattr(permissions, node.args[1].attr))
    return found


def _first_statement_requires(function):
    """Whether the operation's body begins (after its docstring and imports) with require(...)."""
    body = ast.parse(textwrap.dedent(inspect.getsource(function))).body[0].body
    for statement in body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # the docstring
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            continue
        call = statement.value if isinstance(statement, ast.Expr) else None
        return isinstance(call, ast.Call) and getattr(call.func, "id", "") == "require"
    return False


def test_every_api_operation_authenticates_by_token_and_asks_a_capability_first(world):
    from manyi.api.api import BearerToken

    problems = []
    for operation in api_operations(world):
        if not any(isinstance(auth, BearerToken) for auth in operation.auth):
            problems.append(f"{operation.name}: no token authentication")
        if not _required_in_body(operation.view_func) or not _first_statement_requires(operation.view_func):
            problems.append(f"{operation.name}: does not begin with require(request, permissions.X)")
    assert not problems, problems


def test_an_api_operation_that_does_not_begin_by_asking_a_capability_is_caught():
    def forgotten(request, code):
        return {"code": code}

    def late(request, code):
        customer = {"code": code}
        require(request, permissions.VIEW_CUSTOMERS)  # noqa: F821 (read, never run)
        return customer

    def guarded(request, code):
        """One customer."""
        require(request, permissions.VIEW_CUSTOMERS)  # noqa: F821
        return {"code": code}

    assert [_first_statement_requires(f) for f in (forgotten, late, guarded)] == [False, False, True]
    assert _required_in_body(guarded) == [permissions.VIEW_CUSTOMERS]


# --------------------------------------------------------------------------- dynamic


def _attempt(client, method, path, baseline, *, watched=True, **extra):
    """(status, location, tables changed from ``baseline``) of one request, rolled back
    afterwards: every request meets the world as it was made. With ``watched=False`` (a caller
    allowed to act, whose changes are the point) the tables are not compared: reading every
    table after each such POST was half the walk's queries."""
    with transaction.atomic():
        written = rows_written() if watched else None
        response = getattr(client, method)(path, **extra)
        unchanged = not watched or (written is not None and rows_written() == written)
        changed = [] if unchanged else changes(baseline, snapshot())
        transaction.set_rollback(True)
    return response.status_code, response.get("Location", ""), changed


def _route_capabilities(route):
    return _callback_capabilities(route.callback) or frozenset()


def _is_login_redirect(status, location):
    return status == 302 and location.startswith(resolve_url(settings.LOGIN_URL))


def _route_problems(world, who, route_list, forms, baseline):
    """What goes wrong when ``who`` (None: anonymous) GETs and POSTs every route. ivan, whose
    account is disabled, keeps a session from before: he must be treated as anonymous."""
    user = getattr(world.people, who) if who else None
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    if user is not None and not user.is_active:
        user = None
    problems = []
    for route in route_list:
        if route.name in PUBLIC:
            kind = "public"
        elif route.name in SIGNED_IN:
            kind = "signed-in"
        else:
            kind = "guarded"
        needed = _route_capabilities(route)
        if user is None:
            allowed = kind == "public"
        elif kind == "guarded":
            allowed = all(user.can(capability) for capability in needed)
        else:
            allowed = True
        inner = INNER_RULES.get(route.name)
        may_act = allowed and (inner is None or user is None or inner[1](user, world, route))
        for method in ("get", "post"):
            # A POST carries what the form on the page would send (as alice sees it), so that a
            # missing check shows as a change, not as a form error.
            data = forms.get(route.path, {}) if method == "post" else {}
            watched = method == "get" or not may_act
            status, location, changed = _attempt(
                client, method, route.path, baseline, watched=watched, data=data
            )
            if route.name == "logout" and user is not None:
                client.force_login(user)
            where = f"{who or 'anonymous'} {method.upper()} {route.label} {route.path}"
            if status >= 500:
                problems.append(f"{where}: {status}")
                continue
            if method == "get" and changed and route.name not in GET_RECORDS:
                problems.append(f"{where}: a GET changed {changed}")
            if not allowed:
                refused = status in (401, 403, 404) or _is_login_redirect(status, location)
                refused = refused or status == 405  # a method the view never takes
                if not refused:
                    problems.append(f"{where}: {status} {location} for a role without {sorted(needed)}")
                if changed:
                    problems.append(f"{where}: changed {changed} for a role without {sorted(needed)}")
            elif not may_act:
                if changed:
                    problems.append(f"{where}: changed {changed}, refused by {inner[0]}")
            elif status == 403:
                problems.append(f"{where}: 403 for a role with {sorted(needed)}")
    return problems


def test_each_role_reaches_exactly_the_routes_its_capabilities_allow(world):
    """One world for all: every request is rolled back, so each meets it as it was made."""
    route_list = routes(world)
    administrator = Client()
    administrator.force_login(world.people.alice)
    forms = submitted_forms(administrator, route_list)
    assert len(forms) > 40, "the pages' forms were not found"
    baseline = snapshot()
    problems = []
    for who in [None, *ROLES, "ivan"]:
        problems += _route_problems(world, who, route_list, forms, baseline)
    assert not problems, "\n".join(problems)


def _outside_scope(world):
    """(who, route, the same route on an object outside who's scope): hank and every ticket route
    on a ticket of another department, amy and every visit-task route on another team's visit."""
    cases = []
    for route in routes(world):
        kwargs = route.kwargs
        if route.name.startswith(("tickets:", "improvements:link_ticket")) and world.ticket.pk in (
            kwargs.get("pk"),
            kwargs.get("ticket_pk"),
        ):
            key = "pk" if "pk" in kwargs else "ticket_pk"
            cases.append(("hank", route, {**kwargs, key: world.foreign_ticket.pk}))
        elif route.name.startswith("visits:") and route.pattern.startswith("visits/tasks/"):
            cases.append(("amy", route, {**kwargs, "pk": world.foreign_task.pk}))
    return cases


def test_objects_outside_a_users_scope_are_404_and_unchanged_by_every_route(world):
    """Row rules, not only capabilities: hank sees his department's tickets only, amy works her
    own visits only; by any route, another's object is not found, and nothing changes."""
    from django.urls import reverse

    administrator = Client()
    administrator.force_login(world.people.alice)
    route_list = routes(world)
    forms = submitted_forms(administrator, route_list)
    baseline = snapshot()
    cases = _outside_scope(world)
    assert {who for who, _route, _kwargs in cases} == {"hank", "amy"}
    clients = {}
    problems = []
    for who, route, kwargs in cases:
        if who not in clients:
            clients[who] = Client(raise_request_exception=False)
            clients[who].force_login(getattr(world.people, who))
        path = reverse(route.name, kwargs=kwargs)
        # The form as it is on the page of the object in scope, sent to the one outside it.
        for method, data in (("get", {}), ("post", forms.get(route.path, {}))):
            status, _location, changed = _attempt(clients[who], method, path, baseline, data=data)
            if status not in (403, 404, 405) or changed:
                problems.append(f"{who} {method.upper()} {route.label} {path}: {status}, changed {changed}")
    assert not problems, "\n".join(problems)


def test_a_handlers_token_finds_no_ticket_of_another_department(world):
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {world.tokens['hank']}")
    client.get("/api/customers")  # the first use stamps the token's last use
    baseline = snapshot()
    listed = client.get("/api/tickets", {"page_size": 200}).json()["results"]
    assert world.ticket.reference in {t["reference"] for t in listed}
    assert world.foreign_ticket.reference not in {t["reference"] for t in listed}
    foreign = f"/api/tickets/{world.foreign_ticket.reference}"
    assert client.get(foreign).status_code == 404
    # hank may attach files to the tickets he works on (tickets.work), not to this one.
    upload = SimpleUploadedFile("photo.png", png_bytes())
    status, _location, changed = _attempt(
        client, "post", f"{foreign}/attachments", baseline, data={"files": [upload]}
    )
    assert (status, changed) == (404, [])


def _api_payloads(world, operation):
    """A valid body for each state-changing operation, so that the capability check is reached."""
    if operation.name == "create_ticket":
        return {"data": {"description": "安全测试：经API记录的反馈"}, "content_type": "application/json"}
    if operation.name == "add_message":
        return {"data": {"text": "客户来电补充说明"}, "content_type": "application/json"}
    if operation.name == "add_attachments":
        return {"data": {"files": [SimpleUploadedFile("photo.png", png_bytes())]}}
    return {}


def _api_capabilities(operation):
    return _required_in_body(operation.view_func)


@pytest.mark.parametrize("who", [None, *ROLES, "ivan"])
def test_each_role_token_reaches_exactly_the_api_operations_its_capabilities_allow(world, who):
    """ivan's token was made before his account was disabled: it must answer 401 as no token."""
    client = Client(raise_request_exception=False)
    headers = {}
    if who is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {world.tokens[who]}"
        client.get("/api/customers", **headers)  # the first use stamps the token's last use
    user = getattr(world.people, who) if who else None
    if user is not None and not user.is_active:
        user = None
    baseline = snapshot()
    problems = []
    for operation in api_operations(world):
        needed = _api_capabilities(operation)
        allowed = user is not None and all(user.can(capability) for capability in needed)
        if operation.name == "add_attachments" and user is not None:
            allowed = allowed and _may_attach(user, world, None)
        payload = _api_payloads(world, operation)
        status, _location, changed = _attempt(
            client, operation.method.lower(), operation.path, baseline, **payload, **headers
        )
        where = f"{operation.method} {operation.path} ({operation.name})"
        if status >= 500:
            problems.append(f"{where}: {status}")
        elif user is None and status != 401:
            problems.append(f"{where}: {status} without a valid token")
        elif user is not None and not allowed and status not in (403, 404):
            problems.append(f"{where}: {status} for a role without {needed}")
        elif allowed and status == 403:
            problems.append(f"{where}: 403 for a role with {needed}")
        if not allowed and changed:
            problems.append(f"{where}: changed {changed}")
        if operation.method == "GET" and changed:
            problems.append(f"{where}: a GET changed {changed}")
    assert not problems, f"{who or 'anonymous'}:\n" + "\n".join(problems)


def test_the_role_table_names_only_known_roles_and_capabilities():
    """A typo in the table would silently grant nothing; every capability is a constant."""
    from manyi.accounts.choices import Role

    known = {value for name, value in vars(permissions).items() if name.isupper() and isinstance(value, str)}
    assert set(ROLE_CAPABILITIES) <= set(Role)
    for role, capabilities in ROLE_CAPABILITIES.items():
        assert capabilities <= known, (role, capabilities - known)
