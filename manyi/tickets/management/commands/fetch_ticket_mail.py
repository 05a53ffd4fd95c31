from django.core.management.base import BaseCommand, CommandError

from manyi.tickets import inbound


class Command(BaseCommand):
    help = (
        "Reads customer e-mail into tickets: from the Maildir in TICKET_MAIL_MAILDIR and/or the IMAP "
        "folder of TICKET_MAIL_IMAP_HOST (PORT, USER, PASSWORD, SSL, FOLDER). Each message opens a "
        "ticket or, with a reference number, adds to one; a message is never processed twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--maildir", help="read this Maildir instead of TICKET_MAIL_MAILDIR")

    def handle(self, *args, maildir=None, **options):
        config = inbound.MailConfig.from_env()
        if maildir:
            config = inbound.MailConfig(maildir=maildir)
        if not config.configured:
            raise CommandError("No mailbox configured: set TICKET_MAIL_MAILDIR or TICKET_MAIL_IMAP_HOST.")
        try:
            counts = inbound.fetch(config)
        except (OSError, inbound.mailbox.Error, inbound.imaplib.IMAP4.error) as error:
            raise CommandError(f"Reading the mailbox failed: {error}") from error
        self.stdout.write(f"ticket mail: {inbound.describe(counts)}")
