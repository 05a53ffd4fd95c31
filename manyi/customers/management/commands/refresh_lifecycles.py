"""manage.py refresh_lifecycles: recompute every customer's lifecycle stage for today.

Stages move with time alone (an active customer who buys nothing turns dormant, then
lost), so this runs once a day, e.g. from cron:

    15 2 * * *  cd /srv/manyi && .venv/bin/python manage.py refresh_lifecycles

Idempotent: a second run on the same day changes nothing. It reads customers in primary-key
chunks (only the columns it needs) and writes only the rows whose stage changed. Each chunk
is one short transaction that locks its rows (SELECT … FOR UPDATE on PostgreSQL; SQLite's
write lock), so a purchase recorded meanwhile is never overwritten with a stale stage.
"""

import datetime
from collections import Counter, defaultdict

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from manyi.customers.lifecycle import lifecycle_stage
from manyi.customers.models import Customer


def refresh_lifecycles(today: datetime.date, chunk_size: int = 2000):
    """Bring Customer.lifecycle up to date for `today`.

    Returns (customers seen, Counter of (old stage, new stage) for the rows changed).
    """
    thresholds = settings.CUSTOMER_LIFECYCLE
    seen, transitions = 0, Counter()
    last_pk = 0
    while True:
        with transaction.atomic():
            rows = list(
                Customer.objects.filter(pk__gt=last_pk)
                .order_by("pk")
                .select_for_update()
                .values_list("pk", "created_at", "first_purchase_on", "last_purchase_on", "lifecycle")[
                    :chunk_size
                ]
            )
            if not rows:
                break
            changes = defaultdict(list)  # new stage -> [pk]
            for pk, created_at, first, last, stage in rows:
                new = lifecycle_stage(today, timezone.localdate(created_at), first, last, **thresholds)
                if new != stage:
                    changes[new].append(pk)
                    transitions[(stage, new)] += 1
            for stage, pks in changes.items():
                Customer.objects.filter(pk__in=pks).update(lifecycle=stage)
        seen += len(rows)
        last_pk = rows[-1][0]
    return seen, transitions


class Command(BaseCommand):
    help = "Recompute every customer's lifecycle stage (new / active / dormant / lost) for today."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            help="compute the stages as of this day (YYYY-MM-DD) instead of today",
        )
        parser.add_argument("--chunk-size", type=int, default=2000, help="customers per transaction")

    def handle(self, *args, date=None, chunk_size=2000, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1")
        today = date or timezone.localdate()
        seen, transitions = refresh_lifecycles(today, chunk_size)
        changed = sum(transitions.values())
        detail = ", ".join(f"{old}→{new} {n}" for (old, new), n in sorted(transitions.items()))
        self.stdout.write(
            f"Lifecycle refreshed for {today}: {changed} of {seen} customers changed"
            + (f" ({detail})" if detail else "")
        )
