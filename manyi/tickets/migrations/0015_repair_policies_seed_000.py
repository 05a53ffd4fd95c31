"""Seed 000's repair deadlines shipped as deadline (SLA) policies by the customer's demand.

Seed 000 (回访保修程序): “属于保修范围、内容的项目,应在接到保修通知之日起7天内派人保修。” and
“发生紧急抢修事故的,在接到事故通知后,应立即到达现场抢修。” Two policies, counted in calendar time
from the notice (“之日起7天”; an emergency does not wait for office hours):

- “维修 (seed 000)”, demand repair: someone sent to repair (the first solution) and the repair
  done (resolution) within 7 days; a first response and the forwarding to the department that
  repairs within 4 hours.
- “紧急抢修 (seed 000)”, demand repair and severity serious (an emergency: 紧急抢修事故): at the
  site at once, taken as 4 hours for the first solution; a first response and the forwarding
  within 1 hour, as the shipped serious-complaint policy answers; the repair done within the
  same 7 days.

A company's own choices stand: a policy is added only when no active policy for repair with the
same severity exists, and neither is added when the company already has any active repair
policy (it has decided how repairs are timed). Running it again adds nothing. Tickets keep the
deadlines they were given; new tickets and tickets whose demand or severity changes follow the
policies. Reversing removes the two policies when no ticket uses them.
"""

from datetime import timedelta

from django.db import migrations

REPAIR = "repair"
SERIOUS = "serious"
POLICIES = [
    {
        "name": "维修 (seed 000)",
        "severity": "",
        "first_response": timedelta(hours=4),
        "forwarding": timedelta(hours=4),
        "first_solution": timedelta(days=7),
        "resolution": timedelta(days=7),
    },
    {
        "name": "紧急抢修 (seed 000)",
        "severity": SERIOUS,
        "first_response": timedelta(hours=1),
        "forwarding": timedelta(hours=1),
        "first_solution": timedelta(hours=4),
        "resolution": timedelta(days=7),
    },
]


def add_repair_policies(apps, schema_editor):
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    if SlaPolicy.objects.filter(is_active=True, demand=REPAIR).exists():
        return
    for policy in POLICIES:
        SlaPolicy.objects.create(demand=REPAIR, channel="", clock="calendar", is_active=True, **policy)


def remove_repair_policies(apps, schema_editor):
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    names = [policy["name"] for policy in POLICIES]
    SlaPolicy.objects.filter(name__in=names, demand=REPAIR, ticket__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0014_restamp_forwarding")]

    operations = [migrations.RunPython(add_repair_policies, remove_repair_policies)]
