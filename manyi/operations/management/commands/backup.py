"""manage.py backup /var/backups/manyi/manyi-2026-12-07.tar.gz

The database (pg_dump's custom format, or SQLite's online backup) and every stored file, with a
manifest of sizes and checksums, in one .tar.gz (manyi/operations/backup.py, DEPLOY.md)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from manyi.operations.backup import BackupError, write_backup


class Command(BaseCommand):
    help = "Back up the database and every stored file into one .tar.gz with a manifest and checksums."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar.gz to write (an existing one is replaced)")

    def handle(self, *args, archive, **options):
        try:
            manifest = write_backup(archive)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["database"]["tables"].values())
        self.stdout.write(
            _("Backed up %(tables)s tables (%(rows)s rows) and %(files)s files into %(archive)s.")
            % {
                "tables": len(manifest["database"]["tables"]),
                "rows": f"{rows:,}",
                "files": len(manifest["files"]),
                "archive": archive,
            }
        )
