from django.core.management.base import BaseCommand

from manyi.reports.delivery import send_due_reports


class Command(BaseCommand):
    help = "Publishes and e-mails the monthly and quarterly reports whose day has come (run daily from cron)."

    def handle(self, *args, **options):
        reports, emails = send_due_reports()
        self.stdout.write(f"{reports} scheduled reports published, {emails} e-mails sent")
