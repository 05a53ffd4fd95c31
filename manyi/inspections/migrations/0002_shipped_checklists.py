from django.db import migrations


def install(apps, schema_editor):
    from manyi.inspections import examples

    examples.install(
        apps.get_model("inspections", "ChecklistTemplate"),
        apps.get_model("inspections", "ChecklistSection"),
        apps.get_model("inspections", "ChecklistItem"),
        apps.get_model("tickets", "Category"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0001_checklists_inspections_findings"),
        ("tickets", "0015_repair_policies_seed_000"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
