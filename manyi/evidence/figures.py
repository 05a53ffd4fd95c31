"""The figures of the ISO 9001 evidence pack, in the order of the standard (issue 19 point 6).

    §9.1.2   customer satisfaction: each survey campaign answered in the period (satisfaction
             index, satisfied rate, answers, invitations and response rate) and the period
             against the one before it
    §9.3.2   management review inputs: the key figures against the previous period (the
             evaluation's indicators), complaint trends by month and category, SLA compliance,
             the status of the corrective actions, inspection results, the improvement actions
             due or finished in the period (the results of earlier reviews' actions), the
             published evaluation result of the unit
    §10.2    nonconformity and corrective action: each ticket or inspection finding with its
             corrective and preventive actions, root cause and verification of effectiveness

Nothing is computed here that Manyi computes elsewhere: the survey figures and key figures are
the evaluation's measures (evaluation/measures.py via scope.ScopeMeasures, whose index and
satisfied rate are the dashboard's: results.filters.analysed, CampaignDataset.group_index); the
counts, the response rate are campaigns.workflow.campaign_counts; the complaint tables, SLA
compliance and callbacks are tickets.statistics.statistics; corrective actions are counted by
their status and CorrectiveAction.is_late; improvements by improvements.summary; inspections
by inspections.unit_scores. Each table row carries the absolute address (SITE_URL) of the page
the figure comes from.

The result is plain data: a list of sections, each with tables of (columns, rows, row links),
which the PDF and the workbook lay out alike (rendering.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from manyi.campaigns.models import Campaign, Response
from manyi.campaigns.workflow import campaign_counts
from manyi.customers.masking import NameMask
from manyi.evaluation.choices import DEFAULT_DIRECTION, Direction, IndicatorKind, SchemeStatus
from manyi.evaluation.models import EvaluationResult
from manyi.forums.models import Forum
from manyi.improvements.models import ImprovementAction
from manyi.improvements.summary import improvement_summary
from manyi.inspections.choices import FindingStatus, TemplateKind
from manyi.inspections.models import Finding, Inspection
from manyi.inspections.unit_scores import by_month, by_unit, scored
from manyi.links import absolute_url
from manyi.tickets.choices import OPEN_ACTION_STATUSES, ActionStatus
from manyi.tickets.models import Category, CorrectiveAction, Ticket
from manyi.tickets.statistics import Selection as TicketSelection
from manyi.tickets.statistics import statistics

from .scope import Period, Scope, ScopeMeasures

# The §10.2 register and the improvement list in the PDF (the workbook has every row).
PDF_ROWS = 40


@dataclass
class Table:
    id: str
    title: str
    columns: list
    rows: list = field(default_factory=list)
    links: list = field(default_factory=list)  # one absolute address (or "") per row
    note: str = ""
    source: str = ""  # the page the whole table comes from
    pdf_rows: int | None = None  # rows the PDF shows (None: all)

    def add(self, row, link=""):
        self.rows.append(row)
        self.links.append(link)


@dataclass
class Section:
    id: str
    clause: str
    title: str
    intro: str
    tables: list


def _link(name, args=(), query=None):
    path = reverse(name, args=args)
    if query:
        path += "?" + urlencode({key: value for key, value in query.items() if value not in ("", None)})
    return absolute_url(path)


def _bounds(period):
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(period.start, time.min), zone),
        timezone.make_aware(datetime.combine(period.end + timedelta(days=1), time.min), zone),
    )


def _period_query(period):
    return {"start": period.start.isoformat(), "end": period.end.isoformat()}


class Pack:
    """Gathers the figures of one pack: `evidence_pack(user, scope, period)` is the entry."""

    def __init__(self, user, scope: Scope, period: Period, now=None):
        self.user, self.scope, self.period = user, scope, period
        self.now = now or timezone.now()
        self.today = timezone.localtime(self.now).date()
        self.previous = period.previous()
        self.measures = ScopeMeasures(period, self.now)
        self.previous_measures = ScopeMeasures(self.previous, self.now)
        self.tickets = scope.limit(Ticket.objects.all())

    # ------------------------------------------------------------------ §9.1.2

    def campaigns(self, period):
        """The campaigns the reader sees with a completed answer of the scope in the period."""
        start, end = _bounds(period)
        answered = self.scope.limit(
            Response.objects.completed().filter(completed_at__gte=start, completed_at__lt=end),
            "customer__unit",
        )
        return (
            Campaign.objects.for_user(self.user)
            .filter(pk__in=answered.values("campaign_id"))
            .select_related("questionnaire")
            .order_by("invite_at", "pk")
        )

    def satisfaction(self):
        campaigns = list(self.campaigns(self.period))
        table = Table(
            "campaigns",
            _("Customer satisfaction by survey campaign"),
            [
                _("Campaign"),
                _("Valid answers in the period"),
                _("Satisfaction index"),
                _("Satisfied rate (%)"),
                _("Target index"),
                _("Invitations issued"),
                _("Returned"),
                _("Response rate (%)"),
            ],
            note=_(
                "The index and the satisfied rate of the valid answers received in the period from "
                "the unit's customers, as the campaign's dashboard shows them with the same unit and "
                "dates; invitations and returns are the whole campaign's, for the unit's customers."
            ),
        )
        query = {**self.scope.selection(self.period).as_query()}
        for campaign in campaigns:
            one = Campaign.objects.filter(pk=campaign.pk)
            index = self.measures.of(IndicatorKind.SURVEY_INDEX, self.scope, one)
            satisfied = self.measures.of(IndicatorKind.SATISFIED_RATE, self.scope, one)
            counts = campaign_counts(campaign, user=self.user, unit=self.scope.unit)
            name = campaign.name + (f" · {campaign.wave}" if campaign.wave else "")
            table.add(
                [
                    name,
                    int(index.den),
                    index.value,
                    satisfied.value,
                    campaign.target_index,
                    counts["issued"],
                    counts["returned"],
                    counts["response_rate"],
                ],
                _link("dashboards:campaign", [campaign.pk], query),
            )
        self.period_campaigns = campaigns
        return table

    def key_figures(self):
        """The evaluation's indicators over the scope, this period against the previous one."""
        now_campaigns = Campaign.objects.filter(pk__in=[c.pk for c in self.period_campaigns])
        before_campaigns = self.campaigns(self.previous)
        labels = dict(IndicatorKind.choices)
        table = Table(
            "key-figures",
            _("Key figures against the previous period"),
            [
                _("Indicator"),
                _("This period"),
                _("Arithmetic"),
                _("Previous period"),
                _("Change since the previous period"),
                _("Better is"),
            ],
            note=_(
                "Computed by the evaluation's rules (as the evaluation scorecard computes them) over "
                "the unit and the period; the previous period is as long and ends the day before this "
                "one starts (%(start)s – %(end)s)."
            )
            % {"start": self.previous.start.isoformat(), "end": self.previous.end.isoformat()},
        )
        links = {
            IndicatorKind.SURVEY_INDEX: _link("campaigns:list"),
            IndicatorKind.SATISFIED_RATE: _link("campaigns:list"),
            IndicatorKind.RESPONSE_RATE: _link("campaigns:list"),
            IndicatorKind.COMPLAINT_RATE: _link("ticket_stats:page", query=_period_query(self.period)),
            IndicatorKind.SLA_COMPLIANCE: _link("ticket_stats:page", query=_period_query(self.period)),
            IndicatorKind.CALLBACK_SATISFACTION: _link("visits:report"),
            IndicatorKind.INSPECTION_SCORE: _link(
                "inspections:results",
                query={"year": self.period.end.year, "kind": TemplateKind.SITE_INSPECTION},
            ),
            IndicatorKind.MYSTERY_VISIT_SCORE: _link(
                "inspections:results",
                query={"year": self.period.end.year, "kind": TemplateKind.MYSTERY_VISIT},
            ),
        }
        directions = dict(Direction.choices)
        self.key = {}
        for kind in IndicatorKind:  # every indicator the evaluation knows
            now = self.measures.of(kind, self.scope, now_campaigns)
            before = self.previous_measures.of(kind, self.scope, before_campaigns)
            self.key[kind] = now
            change = None if now.value is None or before.value is None else now.value - before.value
            table.add(
                [
                    str(labels[kind]),
                    now.value,
                    _arithmetic(now),
                    before.value,
                    change,
                    str(directions[DEFAULT_DIRECTION[kind]]),
                ],
                links[kind],
            )
        return table

    # ------------------------------------------------------------------ §9.3.2

    def complaints(self):
        selection = TicketSelection(self.period.start, self.period.end)
        stats = statistics(selection, queryset=self.tickets, now=self.now, repeat_limit=10)
        before = TicketSelection(self.previous.start, self.previous.end).tickets(self.tickets).count()
        source = _link("ticket_stats:page", query=_period_query(self.period))
        summary = Table(
            "complaint-summary",
            _("Feedback and complaints received"),
            [_("Measure"), _("This period"), _("Previous period")],
            source=source,
        )
        summary.add([_("Tickets received"), stats["total"], before], source)
        callback = stats["callback"]
        summary.add([_("Callbacks answered"), callback["answered"], None], source)
        summary.add([_("Satisfied with the handling (%)"), callback["percent"], None], source)
        summary.add([_("Repeat complainants"), stats["repeat_count"], None], source)

        months = Table(
            "complaint-months", _("Complaints by month"), [_("Month"), _("Tickets")], source=source
        )
        for row in stats["months"]:
            month = row["month"]
            last = min((month + timedelta(days=32)).replace(day=1) - timedelta(days=1), self.period.end)
            first = max(month, self.period.start)
            months.add(
                [month.strftime("%Y-%m"), row["count"]],
                _link("ticket_stats:page", query={"start": first.isoformat(), "end": last.isoformat()}),
            )
        categories = Table(
            "complaint-categories",
            _("Complaints by category (Pareto)"),
            [_("Category"), _("Tickets"), _("Share (%)"), _("Cumulative (%)"), _("Vital few")],
            source=source,
            note=_(
                "The categories up to %(share)s of the tickets, and the one crossing it, are the vital few."
            )
            % {"share": "80%"},
        )
        yes, no = _("Yes"), _("No")
        for row in stats["pareto"]:
            categories.add(
                [row["label"], row["count"], row["percent"], row["cumulative"], yes if row["vital"] else no],
                source,
            )
        sla = Table(
            "sla",
            _("SLA compliance of the tickets received in the period"),
            [_("Deadline"), _("Met"), _("Missed"), _("Not due yet"), _("Compliance (%)")],
            source=source,
            note=_("Met: the step done by its deadline; missed: done late or still not done after it."),
        )
        for row in stats["compliance"]:
            sla.add([str(row["label"]), row["met"], row["missed"], row["pending"], row["percent"]], source)
        return [summary, months, categories, sla]

    def corrective_actions(self):
        start, end = _bounds(self.period)
        actions = list(
            CorrectiveAction.objects.filter(
                ticket__in=self.tickets, created_at__gte=start, created_at__lt=end
            ).only("status", "deadline")
        )
        source = _link("ticket_stats:page", query=_period_query(self.period))
        table = Table(
            "action-status",
            _("Status of the corrective and preventive actions raised in the period"),
            [_("Status"), _("Number of actions")],
            note=_(
                "Open: planned, or found not effective and back with its owner; overdue: open past its deadline."
            ),
        )
        counts = dict.fromkeys(ActionStatus.values, 0)
        for action in actions:
            counts[action.status] += 1
        table.add([_("All"), len(actions)], source)
        table.add([_("Open"), sum(counts[s] for s in OPEN_ACTION_STATUSES)], source)
        table.add([_("Overdue"), sum(1 for action in actions if action.is_late(self.today))], source)
        for status, label in ActionStatus.choices:
            table.add([str(label), counts[status]], source)
        return table

    def inspections(self):
        start, end = _bounds(self.period)
        done = Inspection.objects.filter(
            unit__in=self.scope.subtree(), inspected_at__gte=start, inspected_at__lt=end
        )
        results = _link("inspections:results", query={"year": self.period.end.year})
        by_units = Table(
            "inspection-units",
            _("Inspection and mystery-visit results by unit"),
            [
                _("Unit"),
                _("Inspections"),
                _("Mean score"),
                _("Lowest score"),
                _("Findings"),
                _("Open findings"),
            ],
            source=results,
            note=_("First inspections submitted in the period; re-inspections are not counted."),
        )
        for row in by_unit(done):
            by_units.add(
                [row.unit.name, row.count, row.mean, row.lowest, row.findings, row.open_findings], results
            )
        months = Table(
            "inspection-months",
            _("Inspection scores by month"),
            [_("Month"), _("Mean score"), _("Inspections")],
        )
        for month, mean, count in by_month(done):
            months.add([month, mean, count], _link("inspections:results", query={"year": month[:4]}))
        findings = Table("findings", _("Inspection findings"), [_("Status"), _("Findings")])
        found = Finding.objects.filter(inspection__in=scored(done))
        for status, label in FindingStatus.choices:
            findings.add(
                [str(label), found.filter(status=status).count()],
                _link("inspections:findings", query={"status": status}),
            )
        return [by_units, months, findings]

    def improvements(self):
        """Improvement actions due in the period or finished in it: the results of the actions
        earlier reviews decided (ISO 9001 §9.3.2 a)."""
        start, end = _bounds(self.period)
        chosen = self.scope.limit(ImprovementAction.objects.for_user(self.user)).filter(
            Q(deadline__gte=self.period.start, deadline__lte=self.period.end)
            | Q(done_at__gte=start, done_at__lt=end)
        )
        found = improvement_summary(chosen, self.today)
        status_table = Table(
            "improvement-status",
            _("Improvement actions due or finished in the period"),
            [_("Status"), _("Improvement actions")],
            note=_(
                "On-time rate: of the actions done or past their deadline, the share done by the deadline."
            ),
        )
        for row in found["by_status"]:
            status_table.add(
                [row["label"], row["count"]], _link("improvements:list", query={"status": row["status"]})
            )
        status_table.add(
            [_("Overdue"), found["overdue"]], _link("improvements:list", query={"overdue": "on"})
        )
        status_table.add([_("On time (%)"), found["on_time_rate"]], _link("improvements:list"))
        rows = Table(
            "improvements",
            _("Improvement actions"),
            [
                _("Reference"),
                _("Title"),
                _("Status"),
                _("Owner"),
                _("Deadline"),
                _("Done on"),
                _("Score before"),
                _("Score after"),
            ],
            pdf_rows=PDF_ROWS,
        )
        for row in found["rows"]:
            rows.add(
                [
                    row["reference"],
                    row["title"],
                    row["status_label"],
                    row["owner"],
                    row["deadline"],
                    row["done_on"],
                    row["baseline_score"],
                    row["measured_score"],
                ],
                absolute_url(row["url"]),
            )
        return [status_table, rows]

    def evaluation(self):
        """The unit's result in the last published evaluation scheme that ends in the period."""
        table = Table(
            "evaluation",
            _("Evaluation result of the unit"),
            [_("Scheme"), _("Period of the scheme"), _("Score"), _("Rank"), _("Targets met")],
        )
        if self.scope.unit is None:
            return table
        result = (
            EvaluationResult.objects.filter(
                unit=self.scope.unit,
                employee__isnull=True,
                scheme__status=SchemeStatus.PUBLISHED,
                scheme__period_end__gte=self.period.start,
                scheme__period_end__lte=self.period.end,
            )
            .select_related("scheme")
            .order_by("-scheme__period_end", "-scheme__version")
            .first()
        )
        if result is not None:
            scheme = result.scheme
            table.add(
                [
                    str(scheme),
                    f"{scheme.period_start:%Y-%m-%d} – {scheme.period_end:%Y-%m-%d}",
                    result.total,
                    f"{result.rank} / {result.ranked_among}" if result.rank else None,
                    f"{result.targets_met} / {result.targets_counted}",
                ],
                absolute_url(result.get_absolute_url()),
            )
        return table

    # ------------------------------------------------------------------ §10.2

    def register(self):
        """Each ticket (a complaint or an inspection finding) received in the period with a
        corrective or preventive action: its root cause, its actions and their verification."""
        selection = TicketSelection(self.period.start, self.period.end)
        tickets = list(
            selection.tickets(self.tickets)
            .filter(actions__isnull=False)
            .distinct()
            .select_related("customer")
            .prefetch_related("actions__owner", "actions__verified_by")
            .order_by("received_at", "pk")
        )
        names = NameMask.for_reader(self.user, [t.customer_id for t in tickets if t.customer_id])
        # The category tree is small: its labels once, not a walk up the tree per ticket.
        categories = {c.pk: str(c) for c in Category.objects.select_related("parent__parent")}
        findings = dict(
            Finding.objects.filter(ticket__in=[t.pk for t in tickets]).values_list("ticket_id", "pk")
        )
        table = Table(
            "register",
            _("Nonconformities and their corrective actions"),
            [
                _("Reference"),
                _("Received on"),
                _("Category"),
                _("Customer"),
                _("Subject"),
                _("Root cause"),
                _("Corrective or preventive action"),
                _("Owner"),
                _("Deadline"),
                _("Status"),
                _("Verification of effectiveness"),
            ],
            pdf_rows=PDF_ROWS,
            note=_("One row per action; the ticket's page holds its full history."),
        )
        for ticket in tickets:
            customer = names.customer(ticket.customer_id, ticket.customer.name) if ticket.customer_id else ""
            source = _("Inspection finding") if ticket.pk in findings else ""
            for action in ticket.actions.all():
                verification = ""
                if action.verified_at:
                    verification = (
                        f"{timezone.localtime(action.verified_at):%Y-%m-%d} {action.verification}".strip()
                    )
                status = str(action.get_status_display())
                if action.is_late(self.today):
                    status += " · " + _("overdue")
                table.add(
                    [
                        ticket.reference,
                        timezone.localtime(ticket.received_at).date(),
                        categories.get(ticket.category_id, source),
                        customer or source,
                        ticket.subject,
                        ticket.root_cause,
                        f"{action.get_kind_display()}: {action.description}",
                        action.owner.display_name,
                        action.deadline,
                        status,
                        verification,
                    ],
                    absolute_url(ticket.get_absolute_url()),
                )
        return table

    # ------------------------------------------------------------------ all

    def forums(self):
        """Feedback from the invited customers' forums (特邀客户座谈会) of the scope held in the
        period: who was invited and came, the opinions raised and what they became."""
        forums = (
            self.scope.limit(
                Forum.objects.filter(held_on__gte=self.period.start, held_on__lte=self.period.end)
            )
            .select_related("unit")
            .annotate(
                invited=Count("invitations", distinct=True),
                came=Count("invitations", filter=Q(invitations__attended=True), distinct=True),
                raised=Count("opinions", distinct=True),
                tickets=Count("opinions", filter=Q(opinions__ticket__isnull=False), distinct=True),
                improvements=Count("opinions", filter=Q(opinions__improvement__isnull=False), distinct=True),
            )
            .order_by("held_on", "pk")
        )
        table = Table(
            "forums",
            _("Customer forums held in the period"),
            [
                _("Date"),
                _("Organisation unit"),
                pgettext("forum", "Topic"),
                _("Invited"),
                _("Came"),
                _("Opinions"),
                _("Made tickets"),
                _("Made improvements"),
            ],
            source=_link("forums:list"),
        )
        for forum in forums:
            row = [forum.held_on.isoformat(), forum.unit.name, forum.title, forum.invited, forum.came]
            table.add(
                [*row, forum.raised, forum.tickets, forum.improvements],
                _link("forums:detail", args=[forum.pk]),
            )
        return table

    def sections(self):
        satisfaction = self.satisfaction()
        key = self.key_figures()
        return [
            Section(
                "s912",
                "9.1.2",
                _("Customer satisfaction"),
                _(
                    "How the customers perceive the degree to which their needs and expectations are "
                    "fulfilled: the survey campaigns answered in the period."
                ),
                [satisfaction],
            ),
            Section(
                "s932",
                "9.3.2",
                _("Management review inputs"),
                _(
                    "Customer satisfaction and feedback, complaint trends, SLA compliance, the status "
                    "of the corrective actions, inspection results and the results of the actions "
                    "decided earlier."
                ),
                [
                    key,
                    self.forums(),
                    *self.complaints(),
                    self.corrective_actions(),
                    *self.inspections(),
                    *self.improvements(),
                    self.evaluation(),
                ],
            ),
            Section(
                "s102",
                "10.2",
                _("Nonconformity and corrective action"),
                _(
                    "Each complaint or inspection finding that needed action: what was found, its root "
                    "cause, the corrective and preventive actions and the verification of their effectiveness."
                ),
                [self.register()],
            ),
        ]


def _arithmetic(measure):
    """The numbers a key figure came from, as the scorecard prints them."""
    if measure.value is None:
        return ""
    if measure.parts:
        return (
            " + ".join(f"{name}: {index:g} × {n}" for name, index, n in measure.parts)
            + f" ÷ {int(measure.den)}"
        )
    return f"{measure.num:g} ÷ {measure.den:g}"


def evidence_pack(user, scope, period, now=None):
    """{"period", "previous", "unit", "generated_at", "sections"}: everything the PDF and the
    workbook show."""
    pack = Pack(user, scope, period, now)
    return {
        "period": period,
        "previous": pack.previous,
        "unit": scope.unit,
        "generated_at": timezone.localtime(pack.now),
        "generated_by": user.display_name,
        "sections": pack.sections(),
        "key": pack.key,
    }
