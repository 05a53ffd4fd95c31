"""Every page passes axe-core's WCAG 2.1 A and AA rules (issue 20, deliverables 1 and 2).

axe-core (tests/a11y/vendor/, pinned, hash checked) is injected by Playwright into Debian's
Chromium on every page the roles reach in the security suite's world (one of every object, plus
an overdue ticket) and on the public pages (login, answer page, feedback form and status,
callback, thanks and opt-out pages) without signing in. Each page is checked at desktop size
(1366×900) and at phone size (390×844), in Chinese and in English, by the first role reaching it
(most capable first: it sees the most buttons; see ``visits``). The four combinations are two
halves (Chinese at desktop size with English at phone size, and the other two), both run on the
first database only (marked ``once``: the markup does not depend on the database), where
scripts/test.sh has more time to spare than in the PostgreSQL run alongside. Beside axe's rules, every aria-describedby and
aria-labelledby must name an id on the page (else the help text is never read out). Every
violation is listed as ``role lang size page | rule | element``; all of them, with the colours of
contrast failures, go to test-artifacts/a11y-violations-<half>.txt. The browser context bypasses the
Content-Security-Policy only so that the test can inject axe; the pages are the ones users get.

A violation that cannot be fixed at once may be listed in known_violations.txt (none is now);
the test fails on a violation not listed there and on a listed one that no longer occurs, so the
list can only get shorter.
"""

import datetime
import hashlib
import os
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.security.conftest import routes

pytestmark = [pytest.mark.browser, pytest.mark.once]

HERE = Path(__file__).resolve().parent
AXE = HERE / "vendor" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"  # axe-core 4.14.1
KNOWN = HERE / "known_violations.txt"
REPORT = HERE.parents[1] / "test-artifacts" / "a11y-violations.txt"  # every violation found, as found
# Pictures of the colours for people to look at: test-artifacts/screenshots/a11y-*.png.
SCREENSHOTS = HERE.parents[1] / "test-artifacts" / "screenshots"
SCREENSHOT_PAGES = {"home", "tickets:list", "dashboards:campaign", "public:answer", "feedback:form"}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
LOCALES = {"zh-hans": "zh-CN", "en": "en-US"}
ROLES = ["alice", "sam", "amy", "hank", "ana"]

# Pages that are not ours to check or not pages at all.
NOT_PAGES = {
    "logout": "POST only",
    "set_language": "POST only (a redirect on GET)",
    "health": "JSON",
    "healthz": "JSON",
    "api:openapi-json": "JSON",
    "api:openapi-view": "ninja's Swagger UI, a third-party page",
    "api:api-root": "JSON",
    "public:sms_callback": "the SMS gateway's endpoint",
}

RUN_AXE = r"""async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  // Our own check beside axe's: an aria-describedby or aria-labelledby naming an id that is not
  // on the page is silently ignored by screen readers (a help text never read out).
  const missing = [];
  document.querySelectorAll("[aria-describedby], [aria-labelledby]").forEach((element) => {
    for (const name of ["aria-describedby", "aria-labelledby"]) {
      for (const id of (element.getAttribute(name) || "").split(/\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) missing.push({target: `${element.tagName.toLowerCase()}[${name}="${id}"]`, colours: ""});
      }
    }
  });
  const ours = missing.length ? [{rule: "aria-reference-missing", impact: "serious", nodes: missing}] : [];
  return ours.concat(result.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    nodes: v.nodes.map((n) => {
      const data = (n.any[0] || {}).data || {};
      const colours = data.fgColor ? `${data.fgColor} on ${data.bgColor}, ${data.contrastRatio}:1` : "";
      return {target: n.target.join(" "), colours};
    }),
  })));
}"""


def axe_source():
    source = AXE.read_bytes()
    assert hashlib.sha256(source).hexdigest() == AXE_SHA256, (
        "tests/a11y/vendor/axe.min.js is not axe-core 4.14.1"
    )
    return source.decode()


def _stable(target):
    """An element's selector without database ids (they differ between runs and databases)."""
    return re.sub(r"\d+", "N", target)


def reachable(user, world):
    """(URL name, path) of every whole HTML page the user's capabilities (or being signed in)
    allow, once per URL name; anonymous (user None): the public pages."""
    from tests.security.test_routes import PUBLIC, SIGNED_IN

    seen, found = set(), []
    for route in routes(world):
        if route.name in NOT_PAGES or route.name in seen:
            continue
        needed = getattr(route.callback, "required_capabilities", None)
        if user is None:
            allowed = route.name in PUBLIC
        elif needed is None:
            allowed = route.name in SIGNED_IN
        else:
            allowed = all(user.can(c) for c in needed)
        if allowed:
            seen.add(route.name)
            found.append((route.name, route.path))
    return whole_pages(user, found)


def whole_pages(user, candidates):
    """The candidates whose GET answers the user with a whole HTML page: not a download (PDF,
    spreadsheet, QR code), not a view that takes only POST, not a fragment htmx puts into a page
    (checked inside the page that loads it). Asked of Django's test client, not of Chromium: a
    navigation that ended on Chromium's error page (a 405) or in a download made the next one
    "interrupted by another navigation", and that page went unchecked."""
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    pages = []
    for name, path in candidates:
        response = client.get(path)
        assert response.status_code < 500, f"GET {path} ({name}): {response.status_code}"
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        if getattr(response, "streaming", False):
            continue
        if "<html" in response.content[:500].decode(errors="replace").lower():
            pages.append((name, path))
    return pages


HALVES = {
    "first": [("zh-hans", "desktop"), ("en", "phone")],
    "second": [("en", "desktop"), ("zh-hans", "phone")],
}


def visits(world, half):
    """[(who, user, lang, size, pages)] of one half: every page once per combination, by the first
    role (most capable first) that reaches it, plus every role's start page. A page shows the same
    template to every role (the roles differ in which buttons it shows, and the first role sees
    the most), so this covers every template in each language and size without repeating it."""
    people = world.people
    taken, full = set(), []
    for who in [None, *ROLES]:
        user = getattr(people, who) if who else None
        pages = [(n, p) for n, p in reachable(user, world) if n not in taken or n == "home"]
        taken.update(n for n, p in pages)
        full.append((who or "anonymous", user, pages))
    return [(who, user, lang, size, pages) for lang, size in HALVES[half] for who, user, pages in full]


def session_cookie(user, base_url):
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base_url,
    }


def open_page(page, url):
    """page.goto, once more (with a longer wait) when the first times out or is interrupted by a
    navigation the page before started (a refresh): such a page must be checked, not counted as
    a download and skipped."""
    try:
        return page.goto(url)
    except PlaywrightTimeoutError:
        return page.goto(url, timeout=60_000)
    except PlaywrightError as error:
        if "interrupted by another navigation" not in str(error):
            raise
        return page.goto(url, timeout=60_000)


def check_pages(browser, base_url, user, who, lang, size, pages, source):
    """The violations on each page that answers 200 with a whole HTML page (not an htmx fragment),
    as ('who lang size page | rule | target', the colours of a contrast failure)."""
    context = browser.new_context(viewport=SIZES[size], locale=LOCALES[lang], bypass_csp=True)
    context.set_default_timeout(20_000)
    if user is not None:
        context.add_cookies([session_cookie(user, base_url)])
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": base_url}])
    page = context.new_page()
    found, visited = [], []
    try:
        for name, path in pages:
            where = f"{who} {lang} {size} {name}"
            try:
                response = open_page(page, base_url + path)
            except PlaywrightError as error:
                found.append((f"{where} | the page did not open | {str(error).splitlines()[0]}", ""))
                continue
            if response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
                found.append((f"{where} | the page answered {response.status} in Chromium", ""))
                continue
            if name in SCREENSHOT_PAGES:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(
                    path=str(SCREENSHOTS / f"a11y-{who}-{lang}-{size}-{name.replace(':', '-')}.png")
                )
            page.add_script_tag(content=source)
            visited.append(name)
            if os.environ.get("A11Y_TIMING"):
                print(f"{time.monotonic():.1f} {who} {lang} {size} {name}", flush=True)
            for violation in page.evaluate(RUN_AXE, WCAG_TAGS):
                for node in violation["nodes"]:
                    key = f"{where} | {violation['rule']} | {_stable(node['target'])}"
                    found.append((key, node["colours"]))
    finally:
        context.close()
    return found, visited


def known_violations():
    if not KNOWN.exists():
        return set()
    lines = KNOWN.read_text(encoding="utf-8").splitlines()
    return {line for line in lines if line.strip() and not line.startswith("#")}


def overdue(ticket):
    """The world's ticket past its solution deadline: the red rows of the queue and the ticket page."""
    from django.utils import timezone

    from manyi.tickets.models import Ticket

    Ticket.objects.filter(pk=ticket.pk).update(solution_due=timezone.now() - datetime.timedelta(hours=5))


@pytest.mark.parametrize("half", ["first", "second"])
def test_every_page_passes_axe_wcag21_aa(browser, live_server, world, half):
    source = axe_source()
    overdue(world.ticket)
    found, visited = set(), []
    started = time.monotonic()
    report_path = REPORT.with_name(f"{REPORT.stem}-{half}{REPORT.suffix}")
    report_path.parent.mkdir(parents=True, exist_ok=True)
    with report_path.open("w", encoding="utf-8") as report:
        for who, user, lang, size, pages in visits(world, half):
            violations, seen = check_pages(browser, live_server.url, user, who, lang, size, pages, source)
            report.writelines(f"{key}  {colours}\n" for key, colours in violations)
            report.flush()
            found.update(key for key, colours in violations)
            visited.extend(seen)
    if os.environ.get("A11Y_TIMING"):
        print(f"{len(visited)} pages checked in {time.monotonic() - started:.0f} s")
    assert len(visited) > 100, f"only {len(visited)} pages were checked"
    combinations = {f"{lang} {size}" for lang, size in HALVES[half]}
    known = {key for key in known_violations() if " ".join(key.split(" ")[1:3]) in combinations}
    new = sorted(found - known)
    gone = sorted(known - found)
    assert not new and not gone, (
        f"{len(new)} accessibility violations (WCAG 2.1 A/AA, axe-core 4.14.1):\n"
        + "\n".join(new)
        + (
            f"\n\n{len(gone)} entries of tests/a11y/known_violations.txt no longer occur: delete them:\n"
            + "\n".join(gone)
            if gone
            else ""
        )
    )
