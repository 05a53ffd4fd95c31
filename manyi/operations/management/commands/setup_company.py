"""manage.py setup_company --industry manufacturing --name 浙江恒信精密机械有限公司

Sets the company's name and industry, as the 公司设置 page does, and applies the industry's
complaint categories and call scripts (always on the first setup and when the industry changes;
--reapply restores them for the same industry)."""

from django.core.management.base import BaseCommand, CommandError

from manyi.operations import company
from manyi.operations.choices import Industry
from manyi.operations.models import Company


class Command(BaseCommand):
    help = "Set the company's name and industry and apply the industry's categories and call scripts."

    def add_arguments(self, parser):
        parser.add_argument("--industry", required=True, choices=Industry.values)
        parser.add_argument("--name", help="the company's name (kept when omitted on a later run)")
        parser.add_argument(
            "--reapply",
            action="store_true",
            help="apply the industry's categories and call scripts again although the industry is unchanged",
        )

    def handle(self, *args, industry, name, reapply, **options):
        current = Company.current()
        name = name or (current.name if current else "")
        if not name.strip():
            raise CommandError("Give the company's name with --name.")
        try:
            saved, applied = company.set_up_company(name, industry, reapply=reapply)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{saved.name}: {saved.get_industry_display()} ({saved.industry})")
        if applied is None:
            self.stdout.write("The industry is unchanged: categories and call scripts left as they are.")
            return
        for label, items in (
            ("categories created", applied.created),
            ("categories offered again", applied.reactivated),
            ("categories deactivated (in use)", applied.deactivated),
            ("categories removed (unused)", applied.removed),
            ("call scripts created", applied.scripts_created),
            ("call scripts offered again", applied.scripts_reactivated),
            ("call scripts deactivated (in use)", applied.scripts_deactivated),
            ("call scripts removed (unused)", applied.scripts_removed),
        ):
            if items:
                self.stdout.write(f"{label}: {len(items)} ({'、'.join(items)})")
