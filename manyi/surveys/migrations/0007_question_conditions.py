"""Questionnaire logic (issue 21): display conditions on questions and options, and option codes.

Existing options get the codes A1, A2 … in their question's order."""

from django.db import migrations, models


def fill_codes(apps, schema_editor):
    Option = apps.get_model("surveys", "Option")
    batch, last_question, n = [], None, 0
    for option in Option.objects.order_by("question_id", "position", "pk").only("pk", "question_id"):
        n = n + 1 if option.question_id == last_question else 1
        last_question = option.question_id
        option.code = f"A{n}"
        batch.append(option)
        if len(batch) >= 1000:
            Option.objects.bulk_update(batch, ["code"])
            batch = []
    Option.objects.bulk_update(batch, ["code"])


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0006_table_question"),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="condition",
            field=models.TextField(
                blank=True,
                help_text='Ask this question only when this holds, e.g. Q3 == "A4" or Q3 == "A5". Empty: always asked.',
                verbose_name="display condition",
            ),
        ),
        migrations.AddField(
            model_name="option",
            name="code",
            field=models.CharField(blank=True, max_length=20, verbose_name="code"),
        ),
        migrations.AddField(
            model_name="option",
            name="condition",
            field=models.TextField(
                blank=True,
                help_text="Offer this option only when this holds. Empty: always offered.",
                verbose_name="display condition",
            ),
        ),
        # Added before the codes are filled: no table is altered after its rows changed (PostgreSQL).
        migrations.AddConstraint(
            model_name="option",
            constraint=models.UniqueConstraint(
                condition=models.Q(("code", ""), _negated=True),
                fields=("question", "code"),
                name="option_code_unique",
            ),
        ),
        migrations.RunPython(fill_codes, migrations.RunPython.noop),
    ]
