import time

from django.core.management.base import BaseCommand

from manyi.campaigns.tasks import run_due_jobs


class Command(BaseCommand):
    help = (
        "Runs the periodic jobs once (close campaigns past their deadline, queue invitations and "
        "reminders that are due, open tickets for low survey scores, escalate missed ticket deadlines, send satisfaction callbacks left waiting, read ticket mail when a mailbox is configured, publish and e-mail scheduled reports, draw the charts of draft reports whose figures changed, bring dashboards' analysis data up to date). Run it from cron "
        "every few minutes, or with --loop."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, metavar="SECONDS", help="run every SECONDS until stopped")

    def handle(self, *args, loop=None, **options):
        from manyi.accounts.ratelimit import prune as prune_rate_counters
        from manyi.reports.delivery import send_due_reports
        from manyi.reports.rendering import draw_draft_charts
        from manyi.results.dataset import refresh_recent
        from manyi.tickets.callback import send_due_callbacks
        from manyi.tickets.escalation import escalate_breaches
        from manyi.tickets.inbound import describe as describe_mail
        from manyi.tickets.inbound import fetch_configured as fetch_ticket_mail
        from manyi.tickets.survey_rule import open_pending_tickets
        from manyi.visits.planner import periodic_summary as plan_visits

        while True:
            done = run_due_jobs()
            tickets = open_pending_tickets()
            escalated = escalate_breaches()
            callbacks = send_due_callbacks()  # those the task queue did not take
            refreshed = refresh_recent()
            mail = fetch_ticket_mail()
            reports, report_mails = send_due_reports()
            charts = draw_draft_charts()
            prune_rate_counters()
            self.stdout.write(
                f"closed {done['closed']} campaigns ({done['next_waves']} next waves prepared); "
                f"advance notices: {done['notices']} sent; queued invitations for {done['invitations']}, "
                f"reminders for {done['reminders']}; {tickets} tickets opened from low survey scores; "
                f"{escalated['tickets']} tickets escalated for missed deadlines; "
                f"satisfaction callbacks: {callbacks['sent']} e-mailed, {callbacks['phone']} left for a call; "
                f"analysis data of {refreshed} campaigns up to date"
                + (f"; ticket mail: {describe_mail(mail)}" if mail is not None else "")
            )
            self.stdout.write(plan_visits())
            self.stdout.write(
                f"{reports} scheduled reports published, {report_mails} e-mails sent; "
                f"charts of {charts} draft reports drawn"
            )
            if not loop:
                return
            time.sleep(loop)
