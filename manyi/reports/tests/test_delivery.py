"""Scheduled reports: published and e-mailed (real SMTP) with the PDF, once per period."""

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from manyi.accounts.choices import Role
from manyi.reports.choices import Frequency
from manyi.reports.delivery import next_period_start, period_label, send_due_reports
from manyi.reports.models import Report, ReportSchedule
from manyi.testing import make_user

pytestmark = pytest.mark.django_db


def test_periods():
    assert next_period_start(date(2026, 11, 23), Frequency.MONTHLY) == date(2026, 12, 1)
    assert next_period_start(date(2026, 12, 1), Frequency.MONTHLY) == date(2027, 1, 1)
    assert next_period_start(date(2026, 11, 23), Frequency.QUARTERLY) == date(2027, 1, 1)
    assert next_period_start(date(2026, 2, 10), Frequency.QUARTERLY) == date(2026, 4, 1)
    assert period_label(date(2026, 1, 1), Frequency.MONTHLY) == "2025-12"
    assert period_label(date(2026, 4, 1), Frequency.QUARTERLY).startswith("2026")


def test_a_due_schedule_publishes_and_mails_the_pdf_once(people, survey, smtp_server, settings):
    settings.SITE_URL = "https://manyi.example.com"
    people.ana.email = "ana@example.com"
    people.ana.save()
    people.amy.email = "amy@example.com"  # an agent: may not read reports
    people.amy.save()
    schedule = ReportSchedule.objects.create(
        campaign=survey, frequency=Frequency.MONTHLY, next_run=date(2026, 12, 1)
    )
    schedule.recipients.set([people.ana, people.amy])

    assert send_due_reports(today=date(2026, 11, 30)) == (0, 0)  # not yet
    assert send_due_reports(today=date(2026, 12, 1)) == (1, 1)
    report = Report.objects.get(campaign=survey)
    assert report.is_published and report.version == 1
    assert "2026-11" in report.title
    schedule.refresh_from_db()
    assert schedule.next_run == date(2027, 1, 1) and schedule.last_report == report

    assert len(smtp_server.messages) == 1
    _sender, recipients, message = smtp_server.messages[0]
    assert recipients == ["ana@example.com"]
    body = message.get_body(("plain",)).get_content()
    assert f"https://manyi.example.com/reports/{report.pk}/" in body
    pdfs = [part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert len(pdfs) == 1 and pdfs[0].get_content().startswith(b"%PDF")

    # The same day again, or a second run: nothing more.
    assert send_due_reports(today=date(2026, 12, 1)) == (0, 0)
    call_command("send_scheduled_reports")  # today (2026-11-…) is before the next run
    assert len(smtp_server.messages) == 1


def test_the_periodic_job_sends_the_scheduled_reports(people, survey, smtp_server):
    from io import StringIO

    from django.utils import timezone

    people.ana.email = "ana@example.com"
    people.ana.save()
    schedule = ReportSchedule.objects.create(
        campaign=survey, frequency=Frequency.MONTHLY, next_run=timezone.localdate()
    )
    schedule.recipients.set([people.ana])
    out = StringIO()
    call_command("periodic", stdout=out)
    call_command("periodic", stdout=StringIO())  # once per period
    assert "1 scheduled reports published, 1 e-mails sent" in out.getvalue()
    assert [recipients for _sender, recipients, _message in smtp_server.messages] == [["ana@example.com"]]


def test_stopped_schedules_send_nothing(people, survey, smtp_server):
    schedule = ReportSchedule.objects.create(
        campaign=survey, frequency=Frequency.QUARTERLY, next_run=date(2026, 1, 1), active=False
    )
    schedule.recipients.set([people.ana])
    assert send_due_reports(today=date(2026, 12, 1)) == (0, 0)
    assert not Report.objects.exists()


def test_scheduling_from_the_page_checks_rights_and_input(client_as, people, survey):
    reader = make_user("reader", Role.SUPERVISOR, email="reader@example.com")
    url = reverse("reports:schedule", args=[survey.pk])
    data = {"kind": "analysis", "frequency": "monthly", "next_run": "2099-01-01", "recipients": [reader.pk]}
    assert client_as(people.amy).post(url, data).status_code == 403
    assert client_as(people.sam).post(url, {**data, "next_run": "2000-01-01"}).status_code == 302
    assert not ReportSchedule.objects.exists()  # a day in the past is refused
    people.amy.email = "amy@example.com"
    people.amy.save()
    client_as(people.sam).post(url, {**data, "recipients": [people.amy.pk]})
    assert not ReportSchedule.objects.exists()  # an agent cannot subscribe to reports
    client_as(people.sam).post(url, data)
    schedule = ReportSchedule.objects.get()
    assert list(schedule.recipients.all()) == [reader]
    client_as(people.sam).post(reverse("reports:schedule_stop", args=[schedule.pk]))
    schedule.refresh_from_db()
    assert not schedule.active
