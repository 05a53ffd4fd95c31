"""manage.py restore /var/backups/manyi/manyi-2026-12-07.tar.gz

Into an EMPTY database only (DATABASE_URL): the archive is checked whole first (names, sizes,
checksums), then the database is restored, then the files (manyi/operations/backup.py)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from manyi.operations.backup import DEFAULT_MAX_BYTES, BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup made by manage.py backup into an empty database, then its files."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar.gz written by manage.py backup")
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=DEFAULT_MAX_BYTES,
            help="refuse an archive larger than this, packed or unpacked (default: %(default)s)",
        )

    def handle(self, *args, archive, max_bytes, **options):
        try:
            manifest, written = restore_backup(archive, max_bytes=max_bytes)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("Restored %(tables)s tables and %(files)s files (backup of %(when)s).")
            % {
                "tables": len(manifest["database"]["tables"]),
                "files": written,
                "when": manifest["created_at"],
            }
        )
