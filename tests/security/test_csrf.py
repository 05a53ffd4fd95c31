"""CSRF on every state-changing view (issue 13, deliverable 5).

Every route takes a POST only with the CSRF token: without it, signed in (alice, who may do
everything) or anonymous (the public forms), the answer is 403 and nothing in the database
changes, even when the POST carries exactly what the page's form would send. With the token the
same POST is not refused, so the 403 is the CSRF check's. The JSON API is CSRF-exempt because it
authenticates by bearer token only: a signed-in browser session alone reaches no API operation.
"""

import pytest
from django.db import transaction
from django.test import Client

from .conftest import api_operations, changes, routes, rows_written, snapshot, submitted_forms, walk_patterns
from .test_routes import INNER_RULES

# The ninja API's views: exempt from Django's CSRF check, authenticated by bearer token only.
API_PREFIX = "api:"
API_PAGES = ("api:openapi-json", "api:openapi-view", "api:api-root")
# Views a machine posts to without a browser session, exempt from the CSRF check: each says what
# authenticates it instead (a POST without that changes nothing, checked below).
MACHINE_POSTS = {
    "public:sms_callback": "the SMS gateway's receipts and replies; SMS_CALLBACK_SECRET in the address",
}


def _post(client, path, data, baseline, **extra):
    with transaction.atomic():
        written = rows_written()
        response = client.post(path, data, **extra)
        unchanged = written is not None and rows_written() == written
        changed = [] if unchanged else changes(baseline, snapshot())
        transaction.set_rollback(True)
    return response.status_code, changed


def test_no_view_outside_the_api_is_exempt_from_csrf():
    exempt = [
        name
        for _pattern, name, callback in walk_patterns()
        if getattr(callback, "csrf_exempt", False)
        and not name.startswith(API_PREFIX)
        and name not in MACHINE_POSTS
    ]
    assert not exempt, exempt


@pytest.mark.parametrize("who", ["alice", None])
def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(world, who):
    route_list = [r for r in routes(world) if not r.name.startswith(API_PREFIX) or r.name in API_PAGES]
    administrator = Client()
    administrator.force_login(world.people.alice)
    forms = submitted_forms(administrator, route_list)
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if who:
        client.force_login(getattr(world.people, who))
    client.get("/feedback/")  # a page with a form: the CSRF cookie is set
    token = client.cookies["csrftoken"].value
    baseline = snapshot()
    problems = []
    for route in route_list:
        if route.name in API_PAGES:
            continue  # ninja's schema and docs pages take GET only (405 to any POST)
        data = forms.get(route.path, {})
        status, changed = _post(client, route.path, data, baseline)
        if route.name in MACHINE_POSTS:
            if changed:
                problems.append(f"{route.label} {route.path}: {status} without its secret, changed {changed}")
            continue
        if status != 403 or changed:
            problems.append(f"{route.label} {route.path}: {status} without the CSRF token, changed {changed}")
        if who == "alice":
            # The control: with the token alice is not refused (but where a rule refuses her).
            inner = INNER_RULES.get(route.name)
            refused_anyway = inner is not None and not inner[1](world.people.alice, world, route)
            status, _changed = _post(client, route.path, data, baseline, HTTP_X_CSRFTOKEN=token)
            if route.name == "logout":
                client.force_login(world.people.alice)
                token = client.cookies["csrftoken"].value
            if status == 403 and not refused_anyway:
                problems.append(f"{route.label} {route.path}: 403 with the CSRF token too")
    assert not problems, "\n".join(problems)


def test_a_signed_in_session_alone_reaches_no_api_operation(world):
    """The API is exempt from Django's CSRF check; that is safe only because a browser's session
    cookie never authenticates it: without the bearer token, 401 and nothing changed."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(world.people.alice)
    client.get("/feedback/")
    token = client.cookies["csrftoken"].value
    baseline = snapshot()
    problems = []
    bodies = {
        "create_ticket": {"description": "会话伪造的反馈"},
        "add_message": {"text": "会话伪造的消息"},
    }
    for operation in api_operations(world):
        for extra in ({}, {"HTTP_X_CSRFTOKEN": token}):
            with transaction.atomic():
                response = getattr(client, operation.method.lower())(
                    operation.path, bodies.get(operation.name, {}), content_type="application/json", **extra
                )
                changed = changes(baseline, snapshot())
                transaction.set_rollback(True)
            if response.status_code != 401 or changed:
                problems.append(
                    f"{operation.method} {operation.path} by session{' with CSRF token' if extra else ''}: "
                    f"{response.status_code}, changed {changed}"
                )
    assert not problems, "\n".join(problems)
