"""Feedback benchmark: the ticket queue, the SLA sweep and the statistics over 100,000 tickets.

Run with `.venv/bin/python bench/feedback.py` (or `make bench-feedback`). It creates a
throwaway PostgreSQL database (manyi_bench_feedback_<pid> on 127.0.0.1:5432; BENCH_PG_URL to
change) and, in a child process with DATABASE_URL pointing at it:

1. migrates (default categories, calendar and SLA policies come with the migrations), creates
   8 departments, a supervisor and a handler per department, 5,000 customers;
2. bulk-creates 100,000 tickets received over the last 12 months, spread over the categories,
   departments, severities, channels and states: about 45 % closed (most in time), the rest
   open, about a third of all tickets overdue (a deadline passed, the step not done);
3. times, with django.test.Client as a supervisor, the ticket list (“Open” queue, first page;
   the median of 9 requests after one warm-up), then ``escalate_breaches`` over the whole
   table (the first sweep, which records every breach; the second, idle, is logged), then
   the statistics page over the 12 months (median of 3 after one warm-up).

Prints `BENCH feedback.queue_ms`, `BENCH feedback.sla_sweep_100k_s`, `BENCH feedback.stats_s`
(targets ≤ 100 ms, ≤ 5 s, ≤ 1 s). TICKETS=<n> changes the size (default 100,000).
"""

import os
import time

from common import SEED, bench, child_arguments, log, postgres_database, run_child, setup_django, timed

TICKETS = int(os.environ.get("TICKETS", "100000"))
CUSTOMERS = 5000
DEPARTMENTS = ["客服部", "质量部", "生产部", "物流部", "售后服务部", "销售部", "物业管理处", "研发部"]


def populate_and_time(database_url, folder):
    """Runs inside the child process."""
    setup_django(folder, database_url, env={"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"})
    import numpy as np
    from django.test import Client
    from django.utils import timezone

    supervisor, departments, customer_ids = make_people()
    now = timezone.now()
    TicketMaker(np.random.default_rng(SEED), departments, customer_ids, now).create(TICKETS)
    analyze()
    client = Client(HTTP_HOST="localhost")
    client.force_login(supervisor)
    queue_s, runs = timed(lambda: get(client, "/tickets/"), 9)
    log(f"  queue page: median {queue_s * 1000:.0f} ms ({', '.join(f'{t * 1000:.0f}' for t in runs)})")
    print(f"RESULT queue_ms {queue_s * 1000:.1f}", flush=True)
    sweep = time_sweep(now)
    print(f"RESULT sla_sweep_100k_s {sweep:.3f}", flush=True)
    analyze(vacuum=False)
    queue_after, _runs = timed(lambda: get(client, "/tickets/"), 5)
    log(f"  queue page after the sweep: median {queue_after * 1000:.0f} ms")
    stats_s, runs = timed(lambda: get(client, "/tickets/statistics/"), 3)
    log(f"  statistics page: median {stats_s:.3f} s ({', '.join(f'{t:.3f}' for t in runs)})")
    print(f"RESULT stats_s {stats_s:.3f}", flush=True)


def make_people():
    """8 departments with a supervisor and a handler each, 5,000 customers; returns (the first
    supervisor, the departments, the customers' ids as an array)."""
    import numpy as np

    from manyi.accounts.choices import Role
    from manyi.accounts.models import Department, User
    from manyi.customers.models import Customer

    departments = [
        Department.objects.create(name=name, code=f"B{n:02d}") for n, name in enumerate(DEPARTMENTS)
    ]
    supervisor = None
    for n, department in enumerate(departments):
        user = User(
            username=f"supervisor{n}", role=Role.SUPERVISOR, department=department, email=f"s{n}@example.com"
        )
        user.set_unusable_password()
        user.save()
        supervisor = supervisor or user
        handler = User(username=f"handler{n}", role=Role.HANDLER, department=department)
        handler.set_unusable_password()
        handler.save()
    customers = Customer.objects.bulk_create(
        [Customer(code=f"FB{n:05d}", name=f"基准客户{n}") for n in range(CUSTOMERS)], batch_size=5000
    )
    return supervisor, departments, np.array([c.pk for c in customers])


class TicketMaker:
    """Tickets received over the last 12 months: about 45% closed (most in time), a third
    overdue, the rest open with their deadlines ahead."""

    def __init__(self, rng, departments, customer_ids, now):
        import numpy as np

        from manyi.tickets.choices import CLOSED_STATES, OPEN_STATES, Channel, Severity
        from manyi.tickets.models import Category, SlaPolicy

        self.rng, self.departments, self.customer_ids, self.now = rng, departments, customer_ids, now
        self.categories = list(Category.objects.filter(children__isnull=True).values_list("pk", flat=True))
        self.policy = SlaPolicy.objects.filter(is_active=True).order_by("pk").first()
        self.severities = [s.value for s in Severity]
        self.channels = [c.value for c in Channel]
        self.open_states = [s.value for s in OPEN_STATES]
        self.closed_states = [s.value for s in CLOSED_STATES]
        # Pareto-like category weights; departments and severities skewed, as in real complaint data.
        self.category_p = np.array([0.5**i for i in range(len(self.categories))])
        self.category_p /= self.category_p.sum()
        self.department_p = np.array([8, 6, 5, 4, 3, 2, 1, 1], float)
        self.department_p /= self.department_p.sum()
        self.severity_p = [0.5, 0.25, 0.15, 0.05, 0.05]
        self.overdue = 0

    def create(self, count):
        from manyi.tickets.models import Ticket

        log(f"  creating {count:,} tickets …")
        started = time.perf_counter()
        batch = 10_000
        for first in range(0, count, batch):
            Ticket.objects.bulk_create(self.batch(first, min(batch, count - first)), batch_size=5000)
        log(f"  {count:,} tickets ({self.overdue:,} overdue) in {time.perf_counter() - started:.0f} s")

    def batch(self, first, n):
        from datetime import timedelta

        from manyi.tickets.choices import SEVERITY_PRIORITY
        from manyi.tickets.models import Ticket

        rng, now = self.rng, self.now
        received = (
            now - timedelta(days=365) + timedelta(seconds=1) * rng.integers(0, 365 * 86400, n).astype(object)
        )
        kind = rng.random(n)  # < 0.45 closed; < 0.78 overdue open; else open on time
        category = rng.choice(self.categories, n, p=self.category_p)
        department = rng.choice(len(self.departments), n, p=self.department_p)
        severity = rng.choice(self.severities, n, p=self.severity_p)
        channel = rng.choice(self.channels, n)
        customer = rng.choice(self.customer_ids, n)
        respond_h = rng.gamma(2.0, 1.5, n)
        close_h = rng.gamma(2.0, 40.0, n)
        rows = []
        for i in range(n):
            at = received[i]
            ticket = Ticket(
                reference=f"FK-B-{first + i:07d}",
                channel=str(channel[i]),
                subject=f"基准反馈{first + i}",
                description="客户反馈的问题描述。",
                received_at=at,
                created_at=at,
                category_id=int(category[i]),
                severity=str(severity[i]),
                priority=SEVERITY_PRIORITY[severity[i]],
                department=self.departments[int(department[i])] if kind[i] > 0.02 else None,
                customer_id=int(customer[i]) if rng.random() < 0.8 else None,
                sla_policy=self.policy,
                response_due=at + timedelta(hours=4),
                solution_due=at + timedelta(hours=48),
                resolution_due=at + timedelta(hours=120),
            )
            self.set_state(ticket, kind[i], float(respond_h[i]), float(close_h[i]))
            rows.append(ticket)
        return rows

    def set_state(self, ticket, kind, respond_h, close_h):
        from datetime import timedelta

        at, now = ticket.received_at, self.now
        if kind < 0.45:  # closed, mostly within the deadlines
            ticket.state = self.closed_states[0] if kind < 0.40 else str(self.rng.choice(self.closed_states))
            ticket.first_response_at = at + timedelta(hours=respond_h)
            ticket.first_solution_at = at + timedelta(hours=respond_h * 4)
            ticket.resolved_at = min(at + timedelta(hours=close_h), now)
        elif kind < 0.78 and at < now - timedelta(hours=121):  # open and overdue
            ticket.state = str(self.rng.choice(self.open_states))
            ticket.first_response_at = at + timedelta(hours=respond_h)
            self.overdue += 1
        else:  # open, deadlines ahead (counted from a recent reopening or a long policy)
            ticket.state = str(self.rng.choice(self.open_states[:3]))
            ticket.response_due = now + timedelta(hours=respond_h)
            ticket.solution_due = now + timedelta(hours=48)
            ticket.resolution_due = now + timedelta(hours=120)


def analyze(vacuum=True):
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("ANALYZE")
        else:
            cursor.execute("VACUUM ANALYZE tickets_ticket" if vacuum else "ANALYZE tickets_ticket")


def get(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.status_code


def time_sweep(now):
    """Seconds of the first SLA sweep, which records every breach (the second, idle, is logged)."""
    from django.utils import timezone

    from manyi.tickets.escalation import escalate_breaches
    from manyi.tickets.models import Ticket

    open_count = Ticket.objects.open().count()
    started = time.perf_counter()
    result = escalate_breaches(now)
    sweep = time.perf_counter() - started
    log(f"  sweep over {open_count:,} open tickets: {sweep:.2f} s, {result}")
    started = time.perf_counter()
    again = escalate_breaches(timezone.now())
    log(f"  second sweep (nothing new): {time.perf_counter() - started:.2f} s, {again['tickets']} escalated")
    return sweep


def main():
    name = f"manyi_bench_feedback_{os.getpid()}"
    with postgres_database(name) as url:
        log(f"PostgreSQL ({name}):")
        results = {key: float(value) for key, value in run_child(__file__, url, "manyi-bench-feedback-")}
    bench("feedback.queue_ms", f"{results['queue_ms']:.1f}")
    bench("feedback.sla_sweep_100k_s", f"{results['sla_sweep_100k_s']:.3f}")
    bench("feedback.stats_s", f"{results['stats_s']:.3f}")


if __name__ == "__main__":
    child = child_arguments()
    if child:
        populate_and_time(*child)
    else:
        main()
