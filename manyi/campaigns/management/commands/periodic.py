import time

from django.core.management.base import BaseCommand

from manyi.campaigns.tasks import run_due_jobs


class Command(BaseCommand):
    help = (
        "Runs the periodic jobs once (close campaigns past their deadline, queue invitations and "
        "reminders that are due). Run it from cron every few minutes, or with --loop."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, metavar="SECONDS", help="run every SECONDS until stopped")

    def handle(self, *args, loop=None, **options):
        while True:
            done = run_due_jobs()
            self.stdout.write(
                f"closed {done['closed']} campaigns; queued invitations for {done['invitations']}, "
                f"reminders for {done['reminders']}"
            )
            if not loop:
                return
            time.sleep(loop)
