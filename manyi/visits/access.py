"""Who sees and who may assign which return visits: the one rule (issue 15), decided here.

Words. A *task* is a visit to make (VisitTask). Its *team* is its department: the agent's when
it was planned or assigned. The *unassigned pool* is the tasks with no agent: a team's (its
agent left) and those with no team at all (the customer has no owner who works visits). A
*manager* holds visits.manage; the team they manage is their department. The capabilities are
in manyi/accounts/permissions.py; nothing here or elsewhere compares role names.

    who (capabilities)               tasks: see, work       pool: assign  may assign to         plan table   records to review    monthly report
    agent (work)                     own                    –             –                     –            –                    –
    supervisor of team T             own, T's, the pool     T's and the   active members of T   T's tasks;   records of those     T's tasks
      (work, manage, review, report)   with no team           no-team pool  who work visits       edits rows   tasks, not their own
                                                                                                    of T's agents
    supervisor without a team        own                    –             –                     –            –                    –
    administrator (+ every_team)     all                    all           every active user     all          all, not their own   all
                                                                            who works visits
    analyst: the quality department, –                      –             –                     –            –                    all teams
      its manager (report + every_team)
    handler, a disabled account      –                      –             –                     –            –                    –

- Seeing a task (the call screen, the worklist, its record, the customer timeline's link) is
  being allowed to work it: record outcomes, complete it, open a ticket from its record.
- The worklist's tabs list a manager's team's tasks (every team's for an administrator), anyone
  else's own; the pool has a tab of its own; a manager may narrow the list to one of the agents
  they may assign to.
- The plan table 《客户回访计划表》 lists the tasks of the worklist's tabs planned in a month,
  whatever made them (a rule or a row of the table); the rows written in it (VisitPlan)
  are edited by the manager of their agent's team.
- Managing a task (assign, cancel) is seeing it while managing a team (or every team).
- Reviewing a record is managing its task with visits.review, and not having written it.
- Correcting a record is for the agent who wrote it, once it was returned to them.
- Everything above is within the user's organisation unit: a visit belongs to its customer's
  unit, and a region's staff see, assign, plan and report only their region's visits (the unit
  rule, manyi/organisation/access.py; no unit or the group's: every unit).
- A supervisor without a team manages nobody: their own tasks are worked as an agent works
  them, and they assign, plan, review and report nothing (they get a team from an administrator).
"""

from django.db.models import Q

from manyi.accounts import permissions as perms
from manyi.accounts.models import User
from manyi.organisation.access import limit_to_units

from .choices import ReviewStatus
from .models import VisitPlan, VisitRecord, VisitTask


class VisitScope:
    """The visits one user may see and act on, built from their capabilities: the table above.

    Every question is a queryset; the yes/no questions about one object ask the database the
    same query (`allows(task)` is "is it in tasks()"), so a list and a page can never disagree.
    """

    def __init__(self, user):
        self.user = user
        signed_in = user.is_authenticated

        def can(capability):
            return signed_in and user.can(capability)

        self.works = can(perms.WORK_VISITS)
        self.every_team = can(perms.VISITS_EVERY_TEAM)
        # The team a manager manages is their department; without one they manage nobody.
        self.team_id = getattr(user, "department_id", None) if can(perms.MANAGE_VISITS) else None
        self.manages = (
            self.works and can(perms.MANAGE_VISITS) and (self.every_team or self.team_id is not None)
        )
        self.reviews = self.manages and can(perms.REVIEW_VISITS)
        self.reads_reports = can(perms.VIEW_VISIT_REPORTS)

    def _in_units(self, tasks):
        """A visit belongs to its customer's organisation unit: a region's staff see their
        region's visits only, whatever their team (manyi/organisation/access.py)."""
        return limit_to_units(tasks, self.user, "customer__unit")

    # ------------------------------------------------------------------ querysets

    def tasks(self):
        """Tasks the user sees and may work: their own; a manager's team's and the pool with no
        team; everything for every team."""
        if not self.works:
            return VisitTask.objects.none()
        if self.manages and self.every_team:
            return self._in_units(VisitTask.objects.all())
        rows = Q(agent_id=self.user.pk)
        if self.manages:
            rows |= Q(department_id=self.team_id) | Q(agent__isnull=True, department__isnull=True)
        return self._in_units(VisitTask.objects.filter(rows))

    def worklist(self):
        """The worklist's tabs: a manager's team's tasks (every team's), anyone else's own.
        The pool with no team has its own tab (`pool()`); each is a range of one queue index."""
        if not self.works:
            return VisitTask.objects.none()
        if not self.manages:
            return self._in_units(VisitTask.objects.filter(agent_id=self.user.pk))
        return self._in_units(self._team_rows(VisitTask.objects.all(), "department_id"))

    def pool(self):
        """Unassigned tasks the user may hand out: their team's and those of no team."""
        if not self.manages:
            return VisitTask.objects.none()
        unassigned = self._in_units(VisitTask.objects.filter(agent__isnull=True))
        if self.every_team:
            return unassigned
        return unassigned.filter(Q(department__isnull=True) | Q(department_id=self.team_id))

    def assignable_agents(self):
        """Active users who work visits and to whom the user may assign a visit or plan row."""
        if not self.manages:
            return User.objects.none()
        agents = User.objects.filter(is_active=True, role__in=perms.roles_with(perms.WORK_VISITS))
        agents = limit_to_units(agents, self.user, "unit")  # a region assigns to its own staff
        return self._team_rows(agents, "department_id").order_by("username")

    def plan_tasks(self):
        """The visits the plan table lists: a manager's team's tasks (every team's), whatever
        made them; the worklist's tabs without the no-team pool, which is no team's plan."""
        if not self.manages:
            return VisitTask.objects.none()
        return self.worklist()

    def plans(self):
        """Rows of the plan table 《客户回访计划表》 the user manages: those of their team's agents."""
        if not self.manages:
            return VisitPlan.objects.none()
        plans = limit_to_units(VisitPlan.objects.all(), self.user, "customer__unit")
        return self._team_rows(plans, "agent__department_id")

    def records(self):
        """Visit records of the tasks the user sees."""
        return VisitRecord.objects.filter(task__in=self.tasks())

    def records_to_review(self):
        """Records the user may review (审阅): of tasks they manage, written by someone else."""
        if not self.reviews:
            return VisitRecord.objects.none()
        return self.records().exclude(agent_id=self.user.pk)

    def report_tasks(self):
        """Tasks the monthly report counts: every team's, or the manager's team's."""
        if not self.reads_reports or not (self.every_team or self.team_id is not None):
            return VisitTask.objects.none()
        return self._in_units(self._team_rows(VisitTask.objects.all(), "department_id"))

    def _team_rows(self, queryset, team_field):
        return queryset if self.every_team else queryset.filter(**{team_field: self.team_id})

    # ------------------------------------------------------------------ one object

    def allows(self, task):
        """May the user see and work this task?"""
        return self.tasks().filter(pk=task.pk).exists()

    def may_manage(self, task):
        """May the user assign or cancel this task?"""
        return self.manages and self.allows(task)

    def may_assign_to(self, agent):
        return agent is not None and self.assignable_agents().filter(pk=agent.pk).exists()

    def may_manage_plan(self, plan):
        return self.plans().filter(pk=plan.pk).exists()

    def may_review(self, record):
        return self.records_to_review().filter(pk=record.pk).exists()

    def may_correct(self, record):
        """The agent who wrote a record corrects it once it was returned to them."""
        return (
            self.works and record.agent_id == self.user.pk and record.review_status == ReviewStatus.RETURNED
        )
