from django.db import migrations


def install(apps, schema_editor):
    from manyi.inspections import examples

    examples.install(
        apps.get_model("inspections", "ChecklistTemplate"),
        apps.get_model("inspections", "ChecklistSection"),
        apps.get_model("inspections", "ChecklistItem"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0001_checklists_inspections_findings"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
