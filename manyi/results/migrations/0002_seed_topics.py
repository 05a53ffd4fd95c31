"""The ten topics the company's list starts from (analytics.topics.SEED_TOPICS: from the seeds'
survey items and complaint categories). A topic already there (by code) is left as it is."""

from django.db import migrations

# The list as analytics.topics holds it when the migration runs (get_or_create: a database that
# has the topics already keeps its own).
from manyi.analytics.topics import SEED_TOPICS


def seed(apps, schema_editor):
    Topic = apps.get_model("results", "Topic")
    for position, topic in enumerate(SEED_TOPICS, 1):
        Topic.objects.get_or_create(
            code=topic.code,
            defaults={
                "name_zh": topic.name_zh,
                "name_en": topic.name_en,
                "keywords": "\n".join(topic.keywords),
                "position": position * 10,
            },
        )


def unseed(apps, schema_editor):
    Topic = apps.get_model("results", "Topic")
    Topic.objects.filter(code__in=[t.code for t in SEED_TOPICS]).delete()


class Migration(migrations.Migration):
    dependencies = [("results", "0001_topics")]

    operations = [migrations.RunPython(seed, unseed)]
