"""Evaluation benchmark: the ISO 9001 evidence pack and the scorecard of every unit over a year.

Run with `.venv/bin/python bench/evaluation.py` (or `make bench-evaluation`). It creates a
throwaway PostgreSQL database (manyi_bench_evaluation_<pid> on 127.0.0.1:5432; BENCH_PG_URL to
change) and, in a child process with DATABASE_URL pointing at it, builds a group company:

1. 97 organisation units (the group, 8 regions, 11 projects each), 8 departments with a
   supervisor and a handler, an account manager per project, an analyst; 100,000 customers
   spread over the projects (each managed by its project's manager);
2. a year of data: the yearly survey's two waves (bench/reports.py's questionnaire of 20 rated
   items in 4 dimensions): last year's 30,000 answers at the start of the twelve months and this
   year's 100,000 invitations with 40,000 answers a month ago; 20,000 tickets received over the
   twelve months (bench/feedback.py's mix of categories, states and deadlines) in their
   customers' units, a quarter of them with one to two corrective actions (planned, done,
   verified effective, not effective; a root cause); 16 inspections per project (12 site
   inspections, 4 mystery visits) with a finding in one of three; 300 improvement actions;
3. times, with django.test.Client as the analyst (the process first warmed on a small pack, as
   a running server is), the evidence pack of the whole company over the last twelve months
   as a ZIP (the PDF and the workbook): with the survey datasets saved on disk as `manage.py
   periodic` keeps them (the figure printed), and with them read from the database first
   (logged); then publishing.compute of a scheme with every indicator kind over the same year
   (all 96 units and every employee scored and ranked; the median of 3).

Prints `BENCH evaluation.pack_1y_s` (target ≤ 30 s) and `BENCH evaluation.scorecard_100_units_s`
(target ≤ 5 s). BENCH_PROFILE=1 prints a profile of the pack and of the scorecard.
"""

import os
import shutil
import statistics
import sys
import time
from pathlib import Path

from common import SEED, bench, child_arguments, log, postgres_database, run_child, setup_django

CUSTOMERS = int(os.environ.get("CUSTOMERS", "100000"))
REGIONS = ["华东", "华北", "华南", "西南", "西北", "东北", "华中", "港澳"]
PROJECTS_PER_REGION = 11
# Scaled with CUSTOMERS (a smaller company for trying the script): 20,000 tickets, 40,000 and
# 30,000 answers for 100,000 customers.
TICKETS = CUSTOMERS // 5
THIS_WAVE, LAST_WAVE = CUSTOMERS * 2 // 5, CUSTOMERS * 3 // 10
IMPROVEMENTS = 300


def populate_and_time(database_url, folder):
    """Runs inside the child process."""
    setup_django(folder, database_url, env={"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"})
    import numpy as np
    from django.db import connection
    from django.utils import timezone

    rng = np.random.default_rng(SEED)
    now = timezone.now()
    started = time.perf_counter()
    company = Company(rng, now)
    company.survey()
    company.tickets()
    company.inspections()
    company.improvements()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    log(f"  company built in {time.perf_counter() - started:.0f} s")
    pack = time_pack(folder, company)
    scorecard = time_scorecard(company)
    print(f"RESULT pack_1y_s {pack:.3f}", flush=True)
    print(f"RESULT scorecard_100_units_s {scorecard:.3f}", flush=True)


class PermutedChoice:
    """A random generator whose `choice(ids, n)` deals customers from a shuffled deck (each
    answers once per wave, as one voice per invitation); the rest is the generator's."""

    def __init__(self, rng, ids):
        self.rng = rng
        self.deck = rng.permutation(ids)
        self.dealt = 0

    def choice(self, ids, n, **kwargs):
        if kwargs:
            return self.rng.choice(ids, n, **kwargs)
        hand = self.deck[self.dealt : self.dealt + n]
        self.dealt += n
        return hand

    def __getattr__(self, name):
        return getattr(self.rng, name)


class Company:
    """The group, its units, people and customers (see the module docstring)."""

    def __init__(self, rng, now):
        import numpy as np

        from manyi.accounts.choices import Role
        from manyi.accounts.models import Department, User
        from manyi.customers.models import Customer
        from manyi.organisation.choices import UnitKind
        from manyi.organisation.models import Unit

        self.rng, self.now = rng, now
        started = time.perf_counter()
        group = Unit.objects.create(name="恒信集团", code="G", kind=UnitKind.GROUP)
        self.projects, self.managers = [], []
        for r, region_name in enumerate(REGIONS):
            region = Unit.objects.create(
                name=f"{region_name}区域公司", code=f"R{r}", kind=UnitKind.REGION, parent=group
            )
            for p in range(PROJECTS_PER_REGION):
                self.projects.append(
                    Unit.objects.create(
                        name=f"{region_name}项目{p + 1}",
                        code=f"R{r}P{p}",
                        kind=UnitKind.PROJECT,
                        parent=region,
                    )
                )
        self.units = Unit.objects.count()

        def user(username, role, **fields):
            person = User(username=username, role=role, **fields)
            person.set_unusable_password()
            person.save()
            return person

        self.departments = [Department.objects.create(name=f"部门{n}", code=f"B{n:02d}") for n in range(8)]
        self.handlers = []
        for n, department in enumerate(self.departments):
            user(f"supervisor{n}", Role.SUPERVISOR, department=department)
            self.handlers.append(user(f"handler{n}", Role.HANDLER, department=department))
        for n, project in enumerate(self.projects):
            self.managers.append(
                user(f"manager{n}", Role.AGENT, department=self.departments[0], unit=project)
            )
        self.analyst = user("analyst", Role.ANALYST)
        project_of = rng.integers(0, len(self.projects), CUSTOMERS)
        rows = [
            Customer(
                code=f"K{n:06d}",
                name=f"基准客户{n}",
                region=self.projects[project_of[n]].name[:2],
                unit_id=self.projects[project_of[n]].pk,
                owner_id=self.managers[project_of[n]].pk,
            )
            for n in range(CUSTOMERS)
        ]
        self.customer_ids = np.array(
            [c.pk for c in Customer.objects.bulk_create(rows, batch_size=5000)], dtype=np.int64
        )
        log(
            f"  {self.units} units, {User.objects.count()} people, {CUSTOMERS:,} customers "
            f"in {time.perf_counter() - started:.0f} s"
        )

    def survey(self):
        """The two waves (bench/reports.py's questionnaire and answer store), this wave invited."""
        from datetime import timedelta

        from django.db import connection
        from reports import ResponseStore, Survey

        from manyi.campaigns.choices import InvitationStatus
        from manyi.campaigns.models import Campaign, Invitation

        started = time.perf_counter()
        survey = self.survey_objects = Survey()
        Campaign.objects.filter(pk=survey.earlier.pk).update(invite_at=self.now - timedelta(days=350))
        survey.earlier.refresh_from_db()
        ResponseStore(PermutedChoice(self.rng, self.customer_ids), survey, self.customer_ids).store(
            survey.earlier, LAST_WAVE, -0.1
        )
        sent = survey.campaign.invite_at
        Invitation.objects.bulk_create(
            (
                Invitation(
                    campaign=survey.campaign,
                    customer_id=int(pk),
                    email=f"k{pk}@example.com",
                    status=InvitationStatus.SENT,
                    sent_at=sent,
                )
                for pk in self.customer_ids
            ),
            batch_size=5000,
        )
        ResponseStore(PermutedChoice(self.rng, self.customer_ids), survey, self.customer_ids).store(
            survey.campaign, THIS_WAVE, 0.0
        )
        with connection.cursor() as cursor:  # each answer to its customer's invitation
            # Fresh statistics first: planned on empty tables, the join runs once per invitation.
            cursor.execute("ANALYZE campaigns_response")
            cursor.execute("ANALYZE campaigns_invitation")
            cursor.execute(
                "UPDATE campaigns_response r SET invitation_id = i.id FROM campaigns_invitation i "
                "WHERE i.campaign_id = r.campaign_id AND i.customer_id = r.customer_id AND r.campaign_id = %s",
                [survey.campaign.pk],
            )
            cursor.execute(
                "UPDATE campaigns_invitation i SET status = %s, completed_at = r.completed_at "
                "FROM campaigns_response r WHERE r.invitation_id = i.id",
                [InvitationStatus.COMPLETED],
            )
        self.campaigns = [survey.earlier, survey.campaign]
        log(f"  survey waves in {time.perf_counter() - started:.0f} s")

    def tickets(self):
        """bench/feedback.py's tickets over the year, in their customers' units; a quarter with
        corrective actions and a root cause."""
        from datetime import timedelta

        from django.db import connection
        from feedback import TicketMaker

        from manyi.tickets.choices import ActionKind, ActionStatus
        from manyi.tickets.models import CorrectiveAction, Ticket

        started = time.perf_counter()
        TicketMaker(self.rng, self.departments, self.customer_ids, self.now).create(TICKETS)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE tickets_ticket")
            cursor.execute("ANALYZE customers_customer")
            cursor.execute(
                "UPDATE tickets_ticket t SET unit_id = c.unit_id FROM customers_customer c WHERE t.customer_id = c.id"
            )
        chosen = list(Ticket.objects.order_by("pk").values_list("pk", "received_at")[::4])
        Ticket.objects.filter(pk__in=[pk for pk, _at in chosen]).update(
            root_cause="工序控制不严，来料检验漏检"
        )
        statuses = [ActionStatus.PLANNED, ActionStatus.DONE, ActionStatus.VERIFIED, ActionStatus.INEFFECTIVE]
        actions = []
        for n, (pk, at) in enumerate(chosen):
            for k in range(1 + n % 2):
                status = statuses[int(self.rng.choice(4, p=[0.25, 0.2, 0.45, 0.1]))]
                done = status != ActionStatus.PLANNED
                actions.append(
                    CorrectiveAction(
                        ticket_id=pk,
                        kind=ActionKind.CORRECTIVE if k == 0 else ActionKind.PREVENTIVE,
                        description="加强来料检验，修订作业指导书",
                        owner=self.handlers[n % len(self.handlers)],
                        deadline=(at + timedelta(days=14)).date(),
                        status=status,
                        done_at=at + timedelta(days=10) if done else None,
                        verified_at=at + timedelta(days=20) if status == ActionStatus.VERIFIED else None,
                        verification="复查有效" if status == ActionStatus.VERIFIED else "",
                        created_at=at + timedelta(days=1),
                    )
                )
        CorrectiveAction.objects.bulk_create(actions, batch_size=5000)
        log(f"  {TICKETS:,} tickets, {len(actions):,} actions in {time.perf_counter() - started:.0f} s")

    def inspections(self):
        """12 site inspections and 4 mystery visits per project over the year, a finding in one of three."""
        from datetime import timedelta

        from manyi.inspections.choices import InspectionStatus, TemplateKind
        from manyi.inspections.models import ChecklistTemplate, Finding, Inspection, ItemResult

        started = time.perf_counter()
        templates = {
            kind: ChecklistTemplate.objects.filter(kind=kind).order_by("pk").first()
            for kind in TemplateKind.values
        }
        item = {kind: template.items().first() for kind, template in templates.items()}
        rows = []
        for project in self.projects:
            for month in range(16):
                kind = TemplateKind.SITE_INSPECTION if month < 12 else TemplateKind.MYSTERY_VISIT
                at = self.now - timedelta(days=int(self.rng.integers(1, 360)))
                rows.append(
                    Inspection(
                        template=templates[kind],
                        unit=project,
                        inspector=self.managers[0],
                        due_on=at.date(),
                        status=InspectionStatus.REVIEWED,
                        inspected_at=at,
                        submitted_at=at,
                        score=float(self.rng.uniform(60, 100)),
                    )
                )
        inspections = Inspection.objects.bulk_create(rows, batch_size=2000)
        failed = [i for n, i in enumerate(inspections) if n % 3 == 0]
        results = ItemResult.objects.bulk_create(
            [ItemResult(inspection=i, item=item[i.template.kind], points=0) for i in failed], batch_size=2000
        )
        Finding.objects.bulk_create(
            [
                Finding(inspection=r.inspection, result=r, created_at=r.inspection.inspected_at)
                for r in results
            ],
            batch_size=2000,
        )
        log(
            f"  {len(inspections):,} inspections, {len(results):,} findings in {time.perf_counter() - started:.0f} s"
        )

    def improvements(self):
        from datetime import timedelta

        from manyi.improvements.choices import Status
        from manyi.improvements.models import ImprovementAction

        statuses = [Status.PLANNED, Status.IN_PROGRESS, Status.DONE, Status.EFFECTIVE, Status.CLOSED]
        rows = []
        for n in range(IMPROVEMENTS):
            status = statuses[n % len(statuses)]
            deadline = (self.now - timedelta(days=int(self.rng.integers(-60, 360)))).date()
            rows.append(
                ImprovementAction(
                    reference=f"GJ-B-{n:04d}",
                    title=f"改进措施{n}",
                    problem="交货周期长",
                    measures="优化排产",
                    owner=self.handlers[n % len(self.handlers)],
                    unit=self.projects[n % len(self.projects)],
                    deadline=deadline,
                    status=status,
                    done_at=self.now - timedelta(days=30) if status in statuses[2:] else None,
                )
            )
        ImprovementAction.objects.bulk_create(rows)


def time_pack(folder, company):
    """Seconds of the pack of the whole company over the last twelve months (ZIP: PDF and
    workbook), the datasets saved on disk; logged: read from the database first, and again warm."""
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from manyi.evidence.scope import Period
    from manyi.results import dataset

    client = Client(HTTP_HOST="localhost")
    client.force_login(company.analyst)
    period = Period.default(timezone.localdate())
    url = reverse("evidence:download")
    query = {"start": period.start.isoformat(), "end": period.end.isoformat(), "format": "zip"}
    warm_up = {
        **query,
        "unit": company.projects[0].pk,
        "start": (period.end - timezone.timedelta(days=7)).isoformat(),
    }

    def get(params):
        started = time.perf_counter()
        response = client.get(url, params)
        assert response.status_code == 200, response.status_code
        return time.perf_counter() - started, len(response.content)

    get(warm_up)
    dataset.forget()
    shutil.rmtree(Path(folder) / "analysis", ignore_errors=True)
    cache.clear()
    uncached, size = get(query)
    dataset.forget()
    cache.clear()
    first, _size = get(query)
    warm, _size = get(query)
    log(
        f"  pack (ZIP, {size / 1024:.0f} KiB): {first:.2f} s with the datasets on disk, "
        f"{uncached:.2f} s read from the database first, {warm:.2f} s warm"
    )
    if os.environ.get("BENCH_PROFILE"):
        profile(lambda: get(query))
    return first


def time_scorecard(company):
    """Median seconds of publishing.compute of a year's scheme with every indicator kind."""
    from django.utils import timezone

    from manyi.evaluation import publishing
    from manyi.evaluation.choices import CAMPAIGN_KINDS, DEFAULT_DIRECTION, IndicatorKind
    from manyi.evaluation.models import EvaluationResult, EvaluationScheme, Indicator
    from manyi.evidence.scope import Period
    from manyi.results import dataset

    period = Period.default(timezone.localdate())
    scheme = EvaluationScheme.objects.create(
        name="年度满意度管理考评方案", period_start=period.start, period_end=period.end
    )
    for position, kind in enumerate(IndicatorKind):
        indicator = Indicator.objects.create(
            scheme=scheme,
            kind=kind,
            weight=10 + position,
            target=85 if kind != IndicatorKind.COMPLAINT_RATE else 20,
            direction=DEFAULT_DIRECTION[kind],
            position=position,
        )
        if kind in CAMPAIGN_KINDS:
            indicator.campaigns.set(company.campaigns)
    times = []
    for _ in range(3):
        dataset.forget()  # read from disk, as a web process that has not used them
        started = time.perf_counter()
        publishing.compute(scheme)
        times.append(time.perf_counter() - started)
    units = EvaluationResult.objects.filter(scheme=scheme, employee__isnull=True).count()
    people = EvaluationResult.objects.filter(scheme=scheme, employee__isnull=False).count()
    log(
        f"  scorecard of {units} units and {people} employees: median {statistics.median(times):.2f} s "
        f"({', '.join(f'{t:.2f}' for t in times)})"
    )
    if os.environ.get("BENCH_PROFILE"):
        profile(lambda: publishing.compute(scheme))
    return statistics.median(times)


def profile(function):
    import cProfile
    import pstats

    found = cProfile.Profile()
    found.enable()
    function()
    found.disable()
    pstats.Stats(found, stream=sys.stderr).sort_stats("cumulative").print_stats(35)


def main():
    name = f"manyi_bench_evaluation_{os.getpid()}"
    with postgres_database(name) as url:
        log(f"PostgreSQL ({name}), {CUSTOMERS:,} customers:")
        results = {key: float(value) for key, value in run_child(__file__, url, "manyi-bench-evaluation-")}
    bench("evaluation.pack_1y_s", f"{results['pack_1y_s']:.2f}")
    bench("evaluation.scorecard_100_units_s", f"{results['scorecard_100_units_s']:.2f}")


if __name__ == "__main__":
    arguments = child_arguments()
    if arguments:
        populate_and_time(*arguments)
    else:
        main()
