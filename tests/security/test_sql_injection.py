"""SQL injection in every filter (issue 13, deliverable 5).

The filters are collected, not listed by hand: the GET forms and the query strings of the links
on every page (as alice sees them, over a world with one of every object) and the
``request.GET`` names each view reads; for the JSON API, the query and path parameters of its
OpenAPI schema. Each parameter gets classic payloads, as each role that may open the page (the
first every payload, the others two each in turn, see payloads_for): no 500, no more rows than
a harmless value that matches nothing, every table still there and nothing changed.
"""

import inspect
import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit

import pytest
from django.test import Client

from .conftest import api_operations, changes, routes, snapshot, table_names
from .test_routes import PUBLIC, ROLES, SIGNED_IN

PAYLOADS = [
    "' OR '1'='1",  # a quoted string that turns into a condition true for every row
    '" OR "1"="1',
    "1; DROP TABLE customers_customer--",  # a second statement (the table is checked afterwards)
    "%' --",  # a LIKE wildcard and a comment
    "1 UNION SELECT username, password, 1, 1, 1 FROM accounts_user--",
    "\\'; SELECT pg_sleep(5); --",  # an escaped quote, then a delay on PostgreSQL
]
HARMLESS = "zzqx0nomatch"


class _FilterParser(HTMLParser):
    """{path: {parameter names}} of the GET forms and of the links with a query string."""

    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.page, self.found, self._form = page, {}, None

    def _path(self, url):
        return urlsplit(urljoin(self.page, url or self.page))

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            get = (a.get("method") or "get").lower() == "get"
            self._form = self._path(a.get("action")).path if get else None
            if self._form:
                self.found.setdefault(self._form, set())
        elif tag in ("input", "select", "textarea") and self._form and a.get("name"):
            if a.get("type", "").lower() not in ("submit", "button", "file"):
                self.found[self._form].add(a["name"])
        elif tag == "a" and "?" in a.get("href", ""):
            url = self._path(a["href"])
            names = {name for name, _value in parse_qsl(url.query, keep_blank_values=True)}
            self.found.setdefault(url.path, set()).update(names)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


_READS = re.compile(r"""request\.GET(?:\.get|\.getlist)?[(\[]\s*["']([\w-]+)["']""")


def _read_by_view(callback):
    """The GET parameters a view reads by name in its own body."""
    try:
        source = inspect.getsource(inspect.unwrap(callback))
    except (OSError, TypeError):
        return set()
    return set(_READS.findall(source))


def filters(world, client):
    """{path: (route, {parameter names})} for every page that takes GET parameters."""
    route_list = [r for r in routes(world) if r.name not in PUBLIC and not r.name.startswith("api:")]
    by_path = {route.path: route for route in route_list}
    found = {}
    for route in route_list:
        response = client.get(route.path)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            parser = _FilterParser(route.path)
            parser.feed(response.content.decode())
            for path, names in parser.found.items():
                found.setdefault(path, set()).update(names)
    pages = {}
    for path, route in by_path.items():
        names = found.get(path, set()) | _read_by_view(route.callback)
        names = {n for n in names if n != "csrfmiddlewaretoken"}
        if names:
            pages[path] = (route, names)
    return pages


def _rows(response):
    """How many rows a page shows: table rows of HTML, lines of CSV; None for other files."""
    kind = response.get("Content-Type", "")
    if response.status_code != 200:
        return 0
    if "html" in kind:
        return response.content.decode().count("<tr")
    if "csv" in kind:
        return response.content.count(b"\n")
    return None


def _roles_for(route):
    needed = getattr(route.callback, "required_capabilities", None)
    if route.name in SIGNED_IN or needed is None:
        return ROLES
    from manyi.accounts.permissions import role_can

    return [who for who in ROLES if all(role_can(_role_of(who), c) for c in needed)]


def _role_of(who):
    from manyi.accounts.choices import Role

    return {
        "alice": Role.ADMINISTRATOR,
        "sam": Role.SUPERVISOR,
        "amy": Role.AGENT,
        "hank": Role.HANDLER,
        "ana": Role.ANALYST,
    }[who]


def payloads_for(position):
    """The payloads the role at `position` among those who may open a page sends to each of its
    filters: the first (alice where she may) sends them all; each other role two, in turn, so
    that every role's own rows meet an injection and the walk stays a minute long."""
    if position == 0:
        return PAYLOADS
    first = 2 * (position - 1) % len(PAYLOADS)
    return [PAYLOADS[first], PAYLOADS[(first + 1) % len(PAYLOADS)]]


def test_the_roles_after_the_first_share_the_payloads_between_them():
    assert payloads_for(0) == PAYLOADS
    shared = [payload for position in (1, 2, 3) for payload in payloads_for(position)]
    assert sorted(shared) == sorted(PAYLOADS)
    assert all(len(payloads_for(position)) == 2 for position in range(1, 9))


def test_every_filter_of_every_page_refuses_sql_injection(world):
    administrator = Client()
    administrator.force_login(world.people.alice)
    pages = filters(world, administrator)
    # The list pages the issue names must be among those found (the collection works).
    for expected in (
        "/customers/",
        "/tickets/",
        "/accounts/audit/",
        "/visits/",
        "/improvements/",
        "/reports/",
    ):
        assert expected in pages, f"no filters found on {expected}"
    assert any(path.startswith("/dashboards/") for path in pages)
    # The row count sees a filter work: a search that matches nothing shows fewer rows.
    assert _rows(administrator.get("/customers/", {"q": HARMLESS})) < _rows(administrator.get("/customers/"))
    tables, baseline = table_names(), snapshot()
    clients = {}
    for who in ROLES:
        clients[who] = Client(raise_request_exception=False)
        clients[who].force_login(getattr(world.people, who))
    problems = []
    for path, (route, names) in sorted(pages.items()):
        for position, who in enumerate(_roles_for(route)):
            client = clients[who]
            for name in sorted(names):
                harmless = client.get(path, {name: HARMLESS})
                if harmless.status_code >= 500:
                    problems.append(f"{who} {path}?{name}={HARMLESS}: {harmless.status_code}")
                    continue
                ceiling = _rows(harmless)
                for payload in payloads_for(position):
                    response = client.get(path, {name: payload})
                    where = f"{who} {path}?{name}={payload!r}"
                    if response.status_code >= 500:
                        problems.append(f"{where}: {response.status_code}")
                        continue
                    rows = _rows(response)
                    if ceiling is not None and rows is not None and rows > ceiling:
                        problems.append(f"{where}: {rows} rows, {ceiling} for a value that matches nothing")
        if table_names() != tables:
            problems.append(f"{path}: tables changed: {sorted(set(tables) ^ set(table_names()))}")
            tables = table_names()
    changed = changes(baseline, snapshot())
    assert not changed, f"the filters changed {changed}"
    assert not problems, "\n".join(problems)


def _api_rows(response):
    if response.status_code != 200:
        return 0
    body = json.loads(response.content)
    return body.get("count", len(body.get("results", []))) if isinstance(body, dict) else len(body)


def _api_cases(world):
    """(description, function of a value giving the URL) for every GET parameter of the API:
    the query parameters and the path parameters of its OpenAPI schema."""
    from manyi.api.api import api

    schema = api.get_openapi_schema()
    real = {op.view_func.__name__: op.path for op in api_operations(world) if op.method == "GET"}
    cases = []
    for template, methods in schema["paths"].items():
        spec = methods.get("get")
        if spec is None:
            continue
        filled = next(path for name, path in real.items() if spec["operationId"].endswith(name))
        values = dict(zip(template.split("/"), filled.split("/"), strict=True))
        for parameter in spec.get("parameters", []):
            name = parameter["name"]
            if parameter["in"] == "query":
                cases.append(
                    (
                        f"{template}?{name}",
                        lambda value, path=filled, name=name: f"{path}?{urlencode({name: value})}",
                    )
                )
            elif parameter["in"] == "path":
                slot = "{" + name + "}"

                def url(value, template=template, slot=slot, values=values):
                    parts = [
                        quote(value, safe="") if part == slot else values[part]
                        for part in template.split("/")
                    ]
                    return "/".join(parts)

                cases.append((f"{template} {name}", url))
    return cases


@pytest.mark.parametrize("who", ROLES)
def test_every_api_parameter_refuses_sql_injection(world, who):
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {world.tokens[who]}")
    client.get("/api/customers")  # the first use stamps the token's last use
    tables, baseline = table_names(), snapshot()
    cases = _api_cases(world)
    assert any("?q" in where for where, _url in cases), "the customer search was not found in the schema"
    problems = []
    for where, url in cases:
        ceiling = _api_rows(client.get(url(HARMLESS)))
        for payload in PAYLOADS:
            response = client.get(url(payload))
            if response.status_code >= 500:
                problems.append(f"{who} {where}={payload!r}: {response.status_code}")
            elif _api_rows(response) > ceiling:
                problems.append(
                    f"{who} {where}={payload!r}: {_api_rows(response)} rows, {ceiling} for no match"
                )
    assert table_names() == tables
    assert not changes(baseline, snapshot())
    assert not problems, "\n".join(problems)
