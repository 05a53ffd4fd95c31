"""The periodic jobs, each under a lock of its own (locks.py): started on two servers at once,
or while a long run is still going, no job runs in two places at the same time; the other
server skips the jobs it finds held and does the rest (issue 17, point 2)."""

import time

from django.core.management.base import BaseCommand

from manyi.operations.locks import held


def _campaigns():
    from manyi.campaigns.tasks import run_due_jobs

    done = run_due_jobs()
    return (
        f"closed {done['closed']} campaigns ({done['next_waves']} next waves prepared); "
        f"advance notices: {done['notices']} sent; queued invitations for {done['invitations']}, "
        f"reminders for {done['reminders']}"
    )


def _send_claims():
    from manyi.campaigns.recovery import recover_stale_claims

    recovered = recover_stale_claims()
    return f"{recovered} invitations claimed by a stopped worker queued again" if recovered else None


def _survey_tickets():
    from manyi.tickets.survey_rule import open_pending_tickets

    return f"{open_pending_tickets()} tickets opened from low survey scores"


def _escalation():
    from manyi.tickets.escalation import escalate_breaches

    return f"{escalate_breaches()['tickets']} tickets escalated for missed deadlines"


def _callbacks():
    from manyi.tickets.callback import send_due_callbacks

    callbacks = send_due_callbacks()  # those the task queue did not take
    return f"satisfaction callbacks: {callbacks['sent']} e-mailed, {callbacks['phone']} left for a call"


def _analysis():
    from manyi.results.dataset import refresh_recent

    return f"analysis data of {refresh_recent()} campaigns up to date"


def _ticket_mail():
    from manyi.tickets.inbound import describe, fetch_configured

    mail = fetch_configured()
    return None if mail is None else f"ticket mail: {describe(mail)}"


def _visits():
    from manyi.visits.planner import periodic_summary

    return periodic_summary()


def _reports():
    from manyi.reports.delivery import send_due_reports
    from manyi.reports.rendering import draw_draft_charts

    reports, report_mails = send_due_reports()
    charts = draw_draft_charts()
    return (
        f"{reports} scheduled reports published, {report_mails} e-mails sent; "
        f"charts of {charts} draft reports drawn"
    )


def _rate_counters():
    from manyi.accounts.ratelimit import prune

    prune()
    return None


# (lock name, job) in the order they run; a job returns its line of the summary (None: none).
JOBS = (
    ("send-claims", _send_claims),  # before campaigns: what it returns is queued in this run
    ("campaigns", _campaigns),
    ("survey-tickets", _survey_tickets),
    ("escalation", _escalation),
    ("callbacks", _callbacks),
    ("analysis", _analysis),
    ("ticket-mail", _ticket_mail),
    ("visits", _visits),
    ("reports", _reports),
    ("rate-counters", _rate_counters),
)


def run_jobs(write, jobs=JOBS):
    """Run each job whose lock is free; returns the names of those skipped (held elsewhere)."""
    skipped = []
    for name, job in jobs:
        with held(f"periodic:{name}") as acquired:
            if not acquired:
                skipped.append(name)
                continue
            line = job()
        if line:
            write(line)
    if skipped:
        write(f"running elsewhere, skipped here: {', '.join(skipped)}")
    return skipped


class Command(BaseCommand):
    help = (
        "Runs the periodic jobs once (return to the queue invitations a stopped worker had claimed, "
        "close campaigns past their deadline, queue invitations and "
        "reminders that are due, open tickets for low survey scores, escalate missed ticket deadlines, "
        "send satisfaction callbacks left waiting, read ticket mail when a mailbox is configured, "
        "publish and e-mail scheduled reports, draw the charts of draft reports whose figures changed, "
        "bring dashboards' analysis data up to date). Each job takes a lock first: one another process "
        "or server is running is skipped. Run it from cron or a timer every minute, or with --loop."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, metavar="SECONDS", help="run every SECONDS until stopped")

    def handle(self, *args, loop=None, **options):
        while True:
            run_jobs(self.stdout.write)
            if not loop:
                return
            time.sleep(loop)
