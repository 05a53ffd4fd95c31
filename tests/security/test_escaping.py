"""Text that customers, staff or files supply is escaped in e-mails and PDFs, not only on pages.

The pages are covered by the browser test (tests/browser/test_xss_browser.py) and the CSP crawl;
an HTML e-mail is read in a mail program without our Content-Security-Policy, and a PDF is drawn
by WeasyPrint on the server, so markup there must never be taken as markup.
"""

import datetime
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.template import engines
from django.template.loader import get_template

from manyi.emails import build_email

DATE_PARTS = set(dir(datetime.datetime))
PAYLOAD = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


class Anything:
    """A template value that answers every attribute, key and loop with itself and prints as
    the payload: any variable an e-mail template shows, wherever it comes from, is hostile."""

    def __getattr__(self, name):
        # Not a date either: the |date filter then prints nothing instead of failing.
        if name.startswith("__") or name in DATE_PARTS:
            raise AttributeError(name)
        return self

    def __getitem__(self, key):
        return self

    def __iter__(self):
        return iter([self])

    def __len__(self):
        return 1

    def __bool__(self):
        return True

    def __str__(self):
        return PAYLOAD


class HostileContext(dict):
    """Every name is hostile text, except the counters of {% blocktranslate count %}, which
    Django requires to be numbers (a number is no text an attacker writes)."""

    def __contains__(self, key):
        return True

    def __getitem__(self, key):
        return 2 if key in COUNTERS else Anything()

    def get(self, key, default=None):
        return self[key]


def _email_template_paths():
    for engine in engines.all():
        for loader in engine.engine.template_loaders:
            for directory in loader.get_dirs():
                yield from Path(directory).glob("emails/*")


COUNTERS = {
    name
    for path in _email_template_paths()
    for name in re.findall(r"\bcount\s+\w+\s*=\s*(\w+)", path.read_text())
}


def _email_templates():
    return sorted(
        path.name.removesuffix("_body.html")
        for path in _email_template_paths()
        if path.name.endswith("_body.html")
    )


def test_the_e_mails_are_found():
    assert {"campaign_invitation", "feedback_acknowledgement", "ticket_reply", "report_delivery"} <= set(
        _email_templates()
    )


@pytest.mark.parametrize("name", _email_templates())
def test_every_html_e_mail_escapes_every_value_it_shows_and_the_text_part_shows_it_as_typed(name):
    message = build_email(name, HostileContext(), to=["a@example.com"])
    html = message.alternatives[0][0]
    assert "<img src=x" not in html and "<script>" not in html, html
    assert "&lt;img src=x" in html or "&lt;script&gt;" in html or PAYLOAD not in html
    # Plain text cannot run: there the value must read as typed, not as &lt;img.
    assert "&lt;" not in message.body and "&quot;" not in message.body
    assert "&lt;" not in message.subject
    source = Path(get_template(f"emails/{name}_body.html").origin.name).read_text()
    assert "|safe" not in source and "autoescape off" not in source and "safeseq" not in source


@pytest.mark.django_db
def test_a_real_ticket_reply_mail_escapes_the_customer_and_staff_texts():
    from manyi.tickets import mail
    from manyi.tickets.models import Ticket

    ticket = Ticket(
        reference="FK-2026-000001", subject=PAYLOAD, contact_name=PAYLOAD, contact_email="a@example.com"
    )
    message = mail.reply_email(ticket, PAYLOAD)
    html = message.alternatives[0][0]
    assert "<img src=x" not in html and "&lt;img src=x" in html
    # The plain-text part is text: the payload appears as typed, where it cannot run.
    assert PAYLOAD in message.body


def test_build_email_takes_the_html_alternative_from_the_escaping_template():
    message = build_email(
        "ticket_reply",
        {
            "reference": "FK-2026-000001",
            "subject": PAYLOAD,
            "name": PAYLOAD,
            "text": PAYLOAD,
            "status_url": "/",
        },
        to=["a@example.com"],
    )
    assert "&lt;script&gt;" in message.alternatives[0][0]


@pytest.mark.django_db
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_the_pdf_report_prints_markup_in_supplied_texts_as_text(people, tmp_path, settings):
    """WeasyPrint draws the report's HTML: a title or conclusion holding markup must be printed
    as the characters typed, not become an element (or an image fetched by the server)."""
    from manyi.reports import publishing, rendering
    from manyi.testing import make_campaign, make_question, make_questionnaire

    settings.VAR_DIR = tmp_path
    questionnaire = make_questionnaire(title="问卷" + PAYLOAD)
    make_question(questionnaire, "Q1", text="服务" + PAYLOAD)
    campaign = make_campaign(questionnaire, name="调查" + PAYLOAD)
    report = publishing.new_draft(campaign)
    report.title = "报告" + PAYLOAD
    report.conclusions = "结论" + PAYLOAD
    report.save()
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(rendering.pdf_bytes(report, people.alice))
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    flat = "".join(text.split())
    assert "报告<imgsrc=xonerror=" in flat
    assert "结论<imgsrc=xonerror=" in flat
