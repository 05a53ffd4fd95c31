"""manage.py import_lss FILE [--dry-run] [--json]: move a LimeSurvey survey in.

A .lss file becomes a questionnaire; a .lsa archive also brings its participants (as
customers matched by e-mail or created, invited in a closed campaign) and its completed
responses. --dry-run reads and reports, creating nothing. --json prints one JSON object
(groups, questions, subquestions, languages, unsupported …). A file that cannot be read exits
with code 2 and a message.
"""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from manyi.operations.limesurvey_archive import import_limesurvey
from manyi.surveys.limesurvey.reader import LimeSurveyFileError


class Command(BaseCommand):
    help = "Import a LimeSurvey survey (.lss) or survey archive (.lsa)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Read and report; create nothing.")
        parser.add_argument("--json", action="store_true", help="Print the report as one JSON object.")

    def handle(self, *args, **options):
        translation.activate(settings.LANGUAGE_CODE)
        try:
            result = import_limesurvey(options["file"], dry_run=options["dry_run"])
        except LimeSurveyFileError as error:
            raise CommandError(str(error), returncode=2) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
            return
        self._print(result, options["dry_run"])

    def _print(self, result, dry_run):
        report = result.report
        write = self.stdout.write
        write(
            _(
                "%(groups)s groups, %(questions)s questions, %(subquestions)s subquestions; languages: %(languages)s"
            )
            % {
                "groups": report.groups,
                "questions": report.questions,
                "subquestions": report.subquestions,
                "languages": ", ".join(report.languages),
            }
        )
        if result.is_archive:
            write(
                _("%(participants)s participants, %(responses)s completed responses")
                % {"participants": report.participants, "responses": report.responses}
            )
        for label, count, examples in report.unsupported_rows():
            write(f"  - {label}: {count}" + (f" ({', '.join(examples)})" if examples else ""))
        for note in report.notes:
            write(f"  * {note}")
        if dry_run:
            write(_("Dry run: nothing was created."))
        else:
            write(
                _("Created questionnaire “%(title)s” (id %(id)s).")
                % {"title": result.questionnaire.title, "id": result.questionnaire.pk}
            )
            if result.campaign is not None:
                write(
                    _("Created closed campaign “%(name)s” (id %(id)s).")
                    % {"name": result.campaign.name, "id": result.campaign.pk}
                )
