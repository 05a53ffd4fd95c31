"""Every HTML page carries a strict Content-Security-Policy and holds no inline script.

A text that slipped through escaping (finding 1 and 2 of the security issue) must still not run:
the browser runs only our own script files, no inline <script>, no on*= handler, no eval. The
crawl opens every URL pattern (with real objects from the ``world`` fixture) as every named
person and anonymously; each page that answers 200 with HTML must send the header and must not
need an inline script to work.
"""

import re

import pytest

from .conftest import routes

pytestmark = pytest.mark.django_db

PEOPLE = ("alice", "sam", "amy", "hank", "ana", None)

# Variants of a page chosen by a query string.
QUERY_PAGES = ("/visits/plans/?print=1",)
# Pages of Django's admin site (skipped by routes()): the administrators' pages are HTML too.
ADMIN_PAGES = (
    "/admin/",
    "/admin/accounts/user/",
    "/admin/accounts/department/add/",
    "/admin/tickets/category/",
)

_SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
_STYLE = re.compile(r"<[a-z][^>]*\sstyle\s*=|<style\b", re.IGNORECASE)
# Pages of libraries that style themselves (the browser then ignores those inline styles).
STYLE_EXEMPT = ("/admin/", "/api/docs")
_DATA_SCRIPT_TYPES = ("application/json", "application/ld+json")


def directives(header):
    """{"script-src": ["'self'"], ...} from a Content-Security-Policy header."""
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0].lower()] = words[1:]
    return parsed


def problems(response):
    """What is wrong with the policy and the markup of one HTML response (empty: nothing)."""
    found = []
    header = response.headers.get("Content-Security-Policy")
    if not header:
        return ["no Content-Security-Policy header"]
    policy = directives(header)
    script_src = policy.get("script-src", policy.get("default-src"))
    if script_src is None:
        found.append("no script-src (nor default-src)")
    elif any(
        word in script_src for word in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:")
    ):
        found.append(f"weak script-src {' '.join(script_src)}")
    for name, wanted in (("object-src", "'none'"), ("base-uri", "'self'"), ("frame-ancestors", "'none'")):
        if policy.get(name) != [wanted]:
            found.append(f"{name} is {policy.get(name)}, not {wanted}")
    if "'unsafe-inline'" in policy.get("style-src", []):
        found.append("style-src allows 'unsafe-inline'")
    body = response.content.decode(errors="replace")
    for attributes in _SCRIPT.findall(body):
        kind = re.search(r"""type\s*=\s*["']?([^"'\s>]+)""", attributes, re.IGNORECASE)
        if "src=" not in attributes.lower() and not (kind and kind.group(1).lower() in _DATA_SCRIPT_TYPES):
            found.append(f"inline <script{attributes}>")
    for handler in _HANDLER.findall(body):
        found.append(f"inline handler {handler[-60:]!r}")
    request = getattr(response, "wsgi_request", None)
    if not (request and request.path.startswith(STYLE_EXEMPT)):
        # Blocked by style-src 'self': the page would look broken.
        found += [f"inline style {style[-60:]!r}" for style in _STYLE.findall(body)]
    return found


def test_the_policy_check_catches_what_it_should(client):
    """The checker itself: no header, an inline script, handler or style: each is caught."""
    from django.http import HttpResponse

    bare = HttpResponse("<p>hi</p>")
    assert problems(bare) == ["no Content-Security-Policy header"]
    page = HttpResponse(
        '<script>alert(1)</script><img src=x onerror="alert(1)"><script src="/s.js"></script><p style="x">'
    )
    page["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; "
        "frame-ancestors 'none'"
    )
    found = problems(page)
    assert any("weak script-src" in p for p in found)
    assert any(p.startswith("inline <script") for p in found)
    assert any("inline handler" in p for p in found)
    assert any("inline style" in p for p in found)
    data = HttpResponse('<script id="d" type="application/json">{"a": 1}</script>')
    data["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
    )
    assert problems(data) == []


def test_every_html_page_has_a_strict_policy_and_no_inline_script_for_every_role(world, client):
    from django.utils import timezone

    if world.response.completed_at is None:  # a completed answer has its time (the dashboard reads it)
        world.response.completed_at = timezone.now()
        world.response.save(update_fields=["completed_at"])
    pages = [route.path for route in routes(world)]
    checked, failures = set(), []
    for person in PEOPLE:
        client.logout()
        if person is not None:
            client.force_login(getattr(world.people, person))
        for path in pages + list(QUERY_PAGES) + (list(ADMIN_PAGES) if person == "alice" else []):
            response = client.get(path)
            if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
                continue
            checked.add(path)
            failures += [f"{person or 'anonymous'} {path}: {p}" for p in problems(response)]
    assert not failures, "\n".join(failures)
    # The crawl really reached the pages that show users' texts, and the public ones.
    for must in (
        f"/visits/tasks/{world.task.pk}/",
        f"/dashboards/campaigns/{world.campaign.pk}/",
        f"/tickets/{world.ticket.pk}/",
        f"/customers/{world.customer.pk}/",
        f"/reports/{world.report.pk}/",
        f"/s/{world.invitation.token}/",
        "/feedback/",
        "/api/docs",
        "/visits/plans/?print=1",
        "/admin/",
    ):
        assert any(path.startswith(must) for path in checked), f"{must} was not checked"
    assert len(checked) > 60


def test_error_pages_carry_the_policy_too(client, people):
    client.force_login(people.amy)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
