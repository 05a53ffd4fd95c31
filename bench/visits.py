"""Return-visit benchmark: the planner over 100,000 customers and the worklist with 100,000 tasks.

Run with `.venv/bin/python bench/visits.py` (or `make bench-visits`). It creates a throwaway
PostgreSQL database (manyi_bench_visits_<pid> on 127.0.0.1:5432; BENCH_PG_URL to change) and,
in a child process with DATABASE_URL pointing at it:

1. migrates, creates two departments (a supervisor each, 10 and 5 agents), 100,000 customers
   (owned by the agents; about 60 % new or active, 5 % key accounts and 2 % VIP) and about
   130,000 purchases delivered over the last two years with one- or two-year warranties;
2. creates the seven rules of the demo (30 and 90 days after delivery, warranty end, half-yearly
   under warranty, monthly for active customers, weekly for key accounts, after a closed ticket)
   and times ``plan_visits`` over all customers (the first run, which inserts the tasks), then
   a second run (nothing new: idempotence) that is logged;
3. tops the task table up to 100,000 tasks with visits of the past months (done, unreachable,
   refused) and open ones, then times, with django.test.Client, the worklist as the supervisor
   of the larger team (its "today" tab) and as one agent (median of 9 requests after one
   warm-up each); the figure reported is the slower of the two.

Prints `BENCH visits.plan_100k_s` and `BENCH visits.worklist_ms` (targets ≤ 10 s and ≤ 100 ms).
CUSTOMERS=<n> and TASKS=<n> change the sizes (default 100,000 each).
"""

import os
import time

from common import SEED, bench, child_arguments, log, postgres_database, run_child, setup_django, timed

CUSTOMERS = int(os.environ.get("CUSTOMERS", "100000"))
TASKS = int(os.environ.get("TASKS", "100000"))


def populate_and_time(database_url, folder):
    """Runs inside the child process."""
    setup_django(folder, database_url)
    import numpy as np
    from django.db import connection
    from django.utils import timezone

    rng = np.random.default_rng(SEED)
    today = timezone.localdate()
    supervisor, service, agents = make_staff()
    customers = make_customers(rng, agents, today)
    make_rules()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    plan_s = time_planning(today)
    print(f"RESULT plan_100k_s {plan_s:.3f}", flush=True)
    add_past_tasks(rng, customers, agents, today)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE visits_visittask")
    worklist_s = time_worklist(supervisor, service, agents)
    print(f"RESULT worklist_ms {worklist_s * 1000:.1f}", flush=True)


def make_staff():
    """Two departments, a supervisor each, 10 and 5 agents; returns (the first department's
    supervisor, that department, the agents)."""
    from manyi.accounts.choices import Role
    from manyi.accounts.models import Department, User

    def user(username, role, department):
        person = User(username=username, role=role, department=department)
        person.set_unusable_password()
        person.save()
        return person

    service = Department.objects.create(name="客服部", code="CS")
    after_sales = Department.objects.create(name="售后服务部", code="AS")
    supervisor = user("supervisor", Role.SUPERVISOR, service)
    user("supervisor2", Role.SUPERVISOR, after_sales)
    agents = [user(f"agent{n}", Role.AGENT, service) for n in range(10)]
    agents += [user(f"agent{n}", Role.AGENT, after_sales) for n in range(10, 15)]
    return supervisor, service, agents


def make_customers(rng, agents, today):
    """CUSTOMERS customers owned by the agents (2% by nobody) with one or two purchases each,
    delivered over the last two years."""
    from datetime import timedelta

    import numpy as np

    from manyi.customers.choices import CustomerType, Lifecycle
    from manyi.customers.models import Customer, Product, Purchase

    log(f"  creating {CUSTOMERS:,} customers and their purchases …")
    started = time.perf_counter()
    lifecycles = [Lifecycle.NEW, Lifecycle.ACTIVE, Lifecycle.DORMANT, Lifecycle.LOST]
    types = [CustomerType.NORMAL, CustomerType.KEY_ACCOUNT, CustomerType.VIP]
    lifecycle = rng.choice(len(lifecycles), CUSTOMERS, p=[0.15, 0.45, 0.25, 0.15])
    ctype = rng.choice(len(types), CUSTOMERS, p=[0.93, 0.05, 0.02])
    owner = rng.choice(np.array([a.pk for a in agents]), CUSTOMERS)
    customers = Customer.objects.bulk_create(
        [
            Customer(
                code=f"V{n:06d}",
                name=f"回访客户{n}",
                lifecycle=lifecycles[lifecycle[n]],
                customer_type=types[ctype[n]],
                owner_id=int(owner[n]) if n % 50 else None,  # 2 % without owner: the pool
            )
            for n in range(CUSTOMERS)
        ],
        batch_size=5000,
    )
    product = Product.objects.create(code="BENCH-1", name="数控机床", warranty_months=12)
    purchases = []
    for customer in customers:
        for _ in range(1 + int(rng.random() < 0.3)):
            delivered = today - timedelta(days=int(rng.integers(0, 730)))
            purchases.append(
                Purchase(
                    customer=customer,
                    product=product,
                    purchased_on=delivered - timedelta(days=int(rng.integers(3, 30))),
                    delivered_on=delivered,
                    warranty_end=delivered + timedelta(days=365 * int(rng.integers(1, 3))),
                    amount=1000,
                )
            )
    Purchase.objects.bulk_create(purchases, batch_size=5000)
    log(
        f"  {len(customers):,} customers, {len(purchases):,} purchases in {time.perf_counter() - started:.0f} s"
    )
    return customers


def make_rules():
    """The demo's seven rules."""
    from manyi.visits.demo import RULES
    from manyi.visits.models import VisitRule

    for name, kind, days, purpose, method, priority, _script in RULES:
        VisitRule.objects.create(
            name=name, kind=kind, days=days, purpose=purpose, method=method, priority=priority
        )


def time_planning(today):
    """Seconds of the first plan_visits (which inserts the tasks); the second must add nothing."""
    from manyi.visits.planner import plan_visits

    started = time.perf_counter()
    created = plan_visits(today)
    plan_s = time.perf_counter() - started
    log(f"  planning: {sum(created.values()):,} tasks in {plan_s:.2f} s")
    for rule, count in created.items():
        log(f"    {rule.name}: {count:,}")
    started = time.perf_counter()
    again = sum(plan_visits(today).values())
    log(f"  planning again (idempotent): {again} new tasks in {time.perf_counter() - started:.2f} s")
    assert again == 0
    return plan_s


def add_past_tasks(rng, customers, agents, today):
    """Tasks of the past months (done, unreachable, refused) and open ones, up to TASKS."""
    from manyi.visits.models import VisitTask

    missing = TASKS - VisitTask.objects.count()
    if missing > 0:
        log(f"  adding {missing:,} tasks of past months and open ones …")
        VisitTask.objects.bulk_create(past_tasks(rng, missing, customers, agents, today), batch_size=5000)
    log(f"  {VisitTask.objects.count():,} tasks, {VisitTask.objects.open().count():,} open")


def past_tasks(rng, count, customers, agents, today):
    from datetime import timedelta

    from django.utils import timezone

    from manyi.visits.choices import Method, TaskStatus
    from manyi.visits.models import VisitTask

    statuses = [
        TaskStatus.DONE,
        TaskStatus.UNREACHABLE,
        TaskStatus.REFUSED,
        TaskStatus.PENDING,
        TaskStatus.CALLBACK,
    ]
    status = rng.choice(len(statuses), count, p=[0.8, 0.06, 0.04, 0.08, 0.02])
    agent = rng.choice(len(agents), count)
    ago = rng.integers(0, 180, count)
    now = timezone.now()
    rows = []
    for i in range(count):
        day = today - timedelta(days=int(ago[i]))
        closed = statuses[status[i]] in (TaskStatus.DONE, TaskStatus.UNREACHABLE, TaskStatus.REFUSED)
        rows.append(
            VisitTask(
                customer_id=customers[i % len(customers)].pk,
                source_key=f"bench{i}",
                purpose="例行回访",
                method=Method.PHONE_ROUTINE,
                planned_on=day,
                due_on=day,
                agent=agents[agent[i]],
                department_id=agents[agent[i]].department_id,
                priority=int(rng.integers(1, 5)),
                status=statuses[status[i]],
                callback_at=now + timedelta(hours=int(rng.integers(1, 72)))
                if statuses[status[i]] == TaskStatus.CALLBACK
                else None,
                closed_at=now - timedelta(days=int(ago[i])) if closed else None,
            )
        )
    return rows


def time_worklist(supervisor, service, agents):
    """The slower of the worklist as the supervisor of the larger team and as one agent
    (median of 9 requests after one warm-up each), in seconds."""
    from django.test import Client

    client = Client(HTTP_HOST="localhost")

    def worklist():
        response = client.get("/visits/")
        assert response.status_code == 200, response.status_code

    client.force_login(supervisor)
    team_s, runs = timed(worklist, 9)
    log(
        f"  worklist, supervisor of {service.name}: median {team_s * 1000:.0f} ms ({', '.join(f'{t * 1000:.0f}' for t in runs)})"
    )
    client.force_login(agents[0])
    agent_s, runs = timed(worklist, 9)
    log(
        f"  worklist, one agent: median {agent_s * 1000:.0f} ms ({', '.join(f'{t * 1000:.0f}' for t in runs)})"
    )
    return max(team_s, agent_s)


def main():
    name = f"manyi_bench_visits_{os.getpid()}"
    with postgres_database(name) as url:
        log(f"PostgreSQL ({name}):")
        results = dict(run_child(__file__, url, "manyi-bench-visits-"))
    bench("visits.plan_100k_s", f"{float(results['plan_100k_s']):.3f}")
    bench("visits.worklist_ms", f"{float(results['worklist_ms']):.1f}")


if __name__ == "__main__":
    child = child_arguments()
    if child:
        populate_and_time(*child)
    else:
        main()
