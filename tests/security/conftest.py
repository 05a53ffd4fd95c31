"""Fixtures of the security suite: one of every object, and every URL pattern filled with them.

``world`` makes a small but complete data set (a customer with a purchase, a questionnaire with a
dimension and a question, a running campaign with an invitation and an answer, a report and a
schedule, a ticket under investigation in the quality department with a corrective action and an
attachment, a closed ticket waiting for the customer's callback, an improvement with an evidence
file, a visit task with its record, rule, script and plan, a customer forum with an opinion and
its minutes, an API token), so that every route of
the app resolves to a real object. ``routes(world)`` lists every URL pattern outside the admin
site as ``Route``s with their path filled in; a pattern whose arguments it cannot fill fails the
suite, so a new URL pattern needs a line in ``ROUTE_ARGUMENTS`` below.
"""

import datetime
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from manyi.testing import (
    make_campaign,
    make_contact,
    make_customer,
    make_invitation,
    make_product,
    make_purchase,
    make_question,
    make_questionnaire,
)

SKIPPED_PREFIXES = (
    # Django's own admin site: its views check is_staff themselves (administrators only, see
    # accounts.models.User.save) and are tested by Django; manyi/accounts/tests/test_admin_site.py
    # covers who reaches it.
    "admin/",
)


@dataclass
class Route:
    """One URL pattern with real arguments: ``name`` is "namespace:name", ``path`` the URL."""

    name: str
    pattern: str
    path: str
    callback: object
    kwargs: dict = field(default_factory=dict)

    @property
    def label(self):
        extra = ",".join(f"{k}={v}" for k, v in self.kwargs.items() if not str(v).isdigit())
        return f"{self.name}[{extra}]" if extra else self.name


def walk_patterns(resolver=None, prefix="", namespace=""):
    """(pattern text, "namespace:name", callback) of every URL pattern outside SKIPPED_PREFIXES."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if pattern.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            yield from walk_patterns(entry, pattern, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else (entry.name or "")
            yield pattern, name, entry.callback


def png_bytes():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _answer(campaign, questionnaire, invitation, text=""):
    """A completed web answer to every rated question (the second option) through the answer form."""
    from manyi.campaigns.answering import AnswerForm, save_response
    from manyi.campaigns.choices import Channel
    from manyi.surveys.choices import QuestionKind

    data = {}
    for question in questionnaire.questions.all():
        if question.kind == QuestionKind.TEXT:
            data[f"q-{question.pk}"] = text
        else:
            data[f"q-{question.pk}"] = str(question.options.order_by("position")[1].pk)
    form = AnswerForm(questionnaire, data=data)
    assert form.is_valid(), form.errors
    return save_response(
        campaign=campaign,
        questionnaire=questionnaire,
        cleaned_data=form.cleaned_data,
        channel=Channel.EMAIL,
        invitation=invitation,
    )[0]


@pytest.fixture
def world(people, settings, tmp_path):
    """One of every object the routes need, made by the people of the root conftest."""
    from manyi.api.models import ApiToken
    from manyi.campaigns.choices import CampaignState
    from manyi.campaigns.models import Quota
    from manyi.improvements import evidence as improvement_evidence
    from manyi.improvements import workflow as improvement_workflow
    from manyi.inspections import workflow as inspection_workflow
    from manyi.inspections.models import ChecklistTemplate
    from manyi.organisation.models import Unit
    from manyi.reports.models import Report, ReportSchedule
    from manyi.results import dataset as dataset_module
    from manyi.surveys.models import Dimension, Page
    from manyi.tickets import attachments as ticket_files
    from manyi.tickets import workflow as ticket_workflow
    from manyi.tickets.choices import CallbackStatus, TicketState
    from manyi.tickets.models import Ticket
    from manyi.visits.choices import Method
    from manyi.visits.models import VisitPlan, VisitRecord, VisitRule, VisitScript
    from manyi.visits.planner import plan_by_hand
    from manyi.visits.tests.factories import make_task

    settings.VAR_DIR = tmp_path
    dataset_module.forget()  # the dashboards' in-memory datasets of other tests' campaigns
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TICKET_ATTACHMENT_ROOT = tmp_path / "media" / "private" / "tickets"
    settings.IMPROVEMENT_EVIDENCE_ROOT = tmp_path / "media" / "private" / "improvements"
    today = timezone.localdate()

    customer = make_customer(name="华东机械", region="华东", phone="13812345678", email="wang@example.com")
    make_contact(customer, name="王工", phone="13912345678")
    product = make_product()
    purchase = make_purchase(customer, product)

    questionnaire = make_questionnaire(title="年度顾客满意度调查")
    dimension = Dimension.objects.create(
        questionnaire=questionnaire, code="D1", title="产品质量", weight=100, position=1
    )
    question = make_question(questionnaire, "Q1", text="产品性能", dimension=dimension, position=1)
    make_question(questionnaire, "Q2", text="服务态度", dimension=dimension, position=2)
    make_question(
        questionnaire,
        "OPEN",
        text="意见和建议",
        kind="text",
        options=(),
        scored=False,
        required=False,
        position=3,
    )
    campaign = make_campaign(
        questionnaire, name="2026年调查", state=CampaignState.RUNNING, channels=["email", "phone"]
    )
    page = Page.objects.create(questionnaire=questionnaire, position=0, title="基本情况")
    quota = Quota.objects.create(
        campaign=campaign, name="VIP客户", stratum="customer_type", value="vip", limit=50
    )
    invitation = make_invitation(campaign, customer, email="wang@example.com")
    answered = make_invitation(campaign, make_customer(name="已回复客户"))
    response = _answer(campaign, questionnaire, answered, "请联系我 13812345678，交货太慢")

    report = Report.objects.create(campaign=campaign, title="2026年满意度报告", created_by=people.sam)
    schedule = ReportSchedule.objects.create(
        campaign=campaign, next_run=today + datetime.timedelta(days=7), created_by=people.sam
    )

    ticket = ticket_workflow.open_ticket(
        by=people.amy,
        channel="phone",
        customer=customer,
        subject="售后响应太慢",
        description="报修后三天没有人联系。",
    )
    ticket_workflow.acknowledge(ticket, people.amy)
    ticket_workflow.assign(ticket, people.sam, people.quality, people.hank)
    ticket_workflow.start_investigation(ticket, people.hank)
    action = ticket_workflow.add_action(
        ticket,
        people.hank,
        description="增设客服专线",
        owner=people.hank,
        deadline=today + datetime.timedelta(days=5),
    )
    attachment = ticket_files.store(
        ticket,
        ticket_files.check_uploads([SimpleUploadedFile("photo.png", png_bytes())]),
        by=people.amy,
    )[0]
    # A ticket of the service department: outside hank's (the quality department's) view.
    foreign_ticket = ticket_workflow.open_ticket(
        by=people.amy,
        channel="email",
        customer=customer,
        subject="包装破损",
        description="收到的货物包装破损。",
    )
    ticket_workflow.acknowledge(foreign_ticket, people.amy)
    ticket_workflow.assign(foreign_ticket, people.sam, people.service)
    closed = ticket_workflow.open_ticket(
        by=people.amy,
        channel="phone",
        customer=customer,
        subject="发票未收到",
        description="发票一直没有收到。",
    )
    Ticket.objects.filter(pk=closed.pk).update(
        state=TicketState.CLOSED,
        callback_status=CallbackStatus.SENT,
        callback_token="c" * 32,
        callback_sent_at=timezone.now(),
        callback_expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    closed.refresh_from_db()

    improvement = improvement_workflow.raise_improvement(
        by=people.sam,
        title="缩短售后响应时间",
        problem="客户反映售后响应慢。",
        measures="增设客服专线。",
        owner=people.hank,
        deadline=today + datetime.timedelta(days=30),
        tickets=[ticket],
    )
    evidence = improvement_evidence.attach(
        improvement, people.sam, ticket_files.check_uploads([SimpleUploadedFile("done.png", png_bytes())])
    )[0]

    script = VisitScript.objects.create(name="交付回访话术", body="您好，{{ customer_name }}。")
    rule = VisitRule.objects.create(name="交付后30天", kind="after_delivery", days=30, purpose="交付后回访")
    task = make_task(customer, agent=people.amy, campaign=campaign, script=script)
    done_task = make_task(make_customer(name="已回访客户"), agent=people.amy)
    # A visit of the quality department's pool: not amy's to work on.
    foreign_task = make_task(customer, department=people.quality)
    record = VisitRecord.objects.create(
        task=done_task,
        customer=done_task.customer,
        agent=people.amy,
        visitee="张工",
        method=Method.PHONE_FIRST,
        visited_at=timezone.now(),
        about_usage=True,
    )
    plan = VisitPlan.objects.create(
        customer=customer,
        method=Method.PHONE_ROUTINE,
        purpose="年度回访",
        planned_on=today + datetime.timedelta(days=10),
        agent=people.amy,
        created_by=people.sam,
    )
    plan_by_hand(plan)  # a row of the plan table comes with its visit, as the page makes it

    # An inspection of a project with a photo on its first item (amy inspects, sam manages).
    settings.INSPECTION_PHOTO_ROOT = tmp_path / "media" / "private" / "inspections"
    checklist = ChecklistTemplate.objects.get(code="property-site-inspection")
    inspection = inspection_workflow.plan(
        by=people.sam,
        template=checklist,
        unit=Unit.objects.create(name="翠湖花园", code="CUIHU", kind="project"),
        inspector=people.amy,
        due_on=today + datetime.timedelta(days=7),
    )
    first = inspection.results.order_by("pk").first()
    inspection_workflow.save_answers(
        inspection,
        by=people.amy,
        answers={},
        photos={first.pk: ticket_files.check_uploads([SimpleUploadedFile("site.png", png_bytes())])},
    )

    # A customer forum of the inspected project, held yesterday: an invited customer who came, an
    # opinion of theirs and the minutes (sam records it).
    from manyi.forums import workflow as forum_workflow

    settings.FORUM_MINUTES_ROOT = tmp_path / "media" / "private" / "forums"
    forum = forum_workflow.save_forum(
        by=people.sam,
        unit=inspection.unit,
        held_on=today - datetime.timedelta(days=1),
        title="重点客户座谈会",
        place="会议室",
        host=people.sam,
    )
    forum_workflow.invite(forum, by=people.sam, codes=[customer.code])
    forum_invitation = forum.invitations.get()
    forum_workflow.record_attendance(forum, by=people.sam, came=[forum_invitation.pk])
    forum_opinion = forum_workflow.add_opinion(forum, by=people.sam, text="交货期太长", customer=customer)
    forum_minutes = forum_workflow.attach_minutes(
        forum,
        by=people.sam,
        checked_files=ticket_files.check_uploads([SimpleUploadedFile("纪要.png", png_bytes())]),
    )[0]

    token_rows = {}
    for person in ("alice", "sam", "amy", "hank", "ana", "ivan"):
        row, key = ApiToken.issue(getattr(people, person), name="security suite")
        token_rows[person] = (row, key)

    yield SimpleNamespace(
        people=people,
        customer=customer,
        product=product,
        purchase=purchase,
        questionnaire=questionnaire,
        dimension=dimension,
        page=page,
        quota=quota,
        question=question,
        campaign=campaign,
        invitation=invitation,
        response=response,
        report=report,
        schedule=schedule,
        ticket=ticket,
        action=action,
        attachment=attachment,
        closed_ticket=closed,
        foreign_ticket=foreign_ticket,
        foreign_task=foreign_task,
        improvement=improvement,
        evidence=evidence,
        script=script,
        rule=rule,
        task=task,
        record=record,
        plan=plan,
        checklist=checklist,
        inspection=inspection,
        inspection_photo=first.photos.get(),
        forum=forum,
        forum_invitation=forum_invitation,
        forum_opinion=forum_opinion,
        forum_minutes=forum_minutes,
        tokens={person: key for person, (row, key) in token_rows.items()},
        token_rows={person: row for person, (row, key) in token_rows.items()},
    )
    # Datasets kept in memory were read inside requests that were rolled back.
    dataset_module.forget()


def _template_key():
    from manyi.surveys import loader

    return loader.list_templates()[0].key


def _first_topic_pk():
    from manyi.results.models import Topic

    return Topic.objects.order_by("pk").values_list("pk", flat=True).first()


def _first_unit_pk():
    from manyi.organisation.models import Unit

    return Unit.objects.order_by("pk").values_list("pk", flat=True).first()


def _evaluation(world):
    """A published evaluation scheme with one indicator, a unit's result and a reward on it."""
    import datetime

    from manyi.evaluation.models import EvaluationResult, EvaluationScheme, Indicator, RewardPenalty

    if not hasattr(world, "evaluation_result"):
        scheme = EvaluationScheme.objects.create(
            name="2025年度满意度管理考评方案",
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 12, 31),
            status="published",
        )
        indicator = Indicator.objects.create(
            scheme=scheme, kind="inspection_score", weight=100, target=85, direction="higher"
        )
        result = EvaluationResult.objects.create(
            scheme=scheme, unit=world.inspection.unit, total=90.0, rank=1
        )
        RewardPenalty.objects.create(
            result=result,
            kind="bonus",
            amount=500,
            reason="巡检得分第一",
            approver=world.people.alice,
            approved_on=datetime.date(2026, 1, 15),
        )
        world.evaluation_indicator, world.evaluation_result = indicator, result
    return world.evaluation_result


def route_arguments(world):
    """Real arguments per route name: a dict, or a list of dicts for a route to try several ways."""
    from manyi.improvements import workflow as improvement_workflow
    from manyi.tickets import workflow as ticket_workflow

    w = world
    ticket = {"pk": w.ticket.pk}
    evaluation = _evaluation(w)
    return {
        **{
            f"evaluation:{name}": {"pk": evaluation.scheme_id}
            for name in (
                "scheme",
                "scheme_edit",
                "indicator_add",
                "compute",
                "publish",
                "correct",
                "rewards_export",
            )
        },
        "evaluation:indicator_delete": {"pk": w.evaluation_indicator.pk},
        **{f"evaluation:{name}": {"pk": evaluation.pk} for name in ("result", "reward_add")},
        "customers:import_map": {"token": "0" * 32},
        "customers:import_cancel": {"token": "0" * 32},
        "customers:product_edit": {"pk": w.product.pk},
        "customers:detail": {"pk": w.customer.pk},
        "customers:edit": {"pk": w.customer.pk},
        "customers:erase": {"pk": w.customer.pk},
        "customers:purchase_create": {"pk": w.customer.pk},
        "customers:purchase_edit": {"pk": w.customer.pk, "purchase_pk": w.purchase.pk},
        "customers:purchase_delete": {"pk": w.customer.pk, "purchase_pk": w.purchase.pk},
        "surveys:use_template": {"key": _template_key()},
        **{
            f"surveys:{name}": {"pk": w.questionnaire.pk}
            for name in (
                "detail",
                "settings",
                "copy",
                "archive",
                "preview",
                "dimension_create",
                "question_create",
                "limesurvey_export",
            )
        },
        "surveys:dimension_edit": {"pk": w.questionnaire.pk, "dimension_pk": w.dimension.pk},
        "surveys:dimension_delete": {"pk": w.questionnaire.pk, "dimension_pk": w.dimension.pk},
        "surveys:dimension_move": [
            {"pk": w.questionnaire.pk, "dimension_pk": w.dimension.pk, "direction": d} for d in ("up", "down")
        ],
        "surveys:page_create": {"pk": w.questionnaire.pk},
        "surveys:page_edit": {"pk": w.questionnaire.pk, "page_pk": w.page.pk},
        "surveys:page_delete": {"pk": w.questionnaire.pk, "page_pk": w.page.pk},
        "surveys:page_move": [
            {"pk": w.questionnaire.pk, "page_pk": w.page.pk, "direction": d} for d in ("up", "down")
        ],
        "campaigns:quota_create": {"pk": w.campaign.pk},
        "campaigns:quota_edit": {"pk": w.campaign.pk, "quota_pk": w.quota.pk},
        "campaigns:quota_delete": {"pk": w.campaign.pk, "quota_pk": w.quota.pk},
        "surveys:question_edit": {"pk": w.questionnaire.pk, "question_pk": w.question.pk},
        "surveys:question_delete": {"pk": w.questionnaire.pk, "question_pk": w.question.pk},
        "surveys:question_move": [
            {"pk": w.questionnaire.pk, "question_pk": w.question.pk, "direction": d} for d in ("up", "down")
        ],
        "entry:invitations": {"campaign_pk": w.campaign.pk},
        "entry:import": {"campaign_pk": w.campaign.pk},
        "entry:enter": [{"pk": w.invitation.pk, "channel": c} for c in ("phone", "paper")],
        "entry:response": {"pk": w.response.pk},
        **{
            f"campaigns:{name}": {"pk": w.campaign.pk}
            for name in (
                "detail",
                "edit",
                "preview",
                "counts",
                "start",
                "close",
                "reopen",
                "next_wave",
                "non_responders",
            )
        },
        **{
            f"dashboards:{name}": {"pk": w.campaign.pk}
            for name in (
                "campaign",
                "drill_down",
                "keywords",
                "model",
                "crosstab",
                "structure",
                "word_cloud",
                "topics",
                "topic_answers",
            )
        },
        # A seed topic (results 0002_seed_topics): the topic editor's page.
        "operations:topic_edit": {"pk": _first_topic_pk()},
        # The world's organisation unit (the inspected project): the unit tree's edit page.
        "operations:unit_edit": {"pk": _first_unit_pk()},
        "dashboards:model_store": {"pk": w.campaign.pk},
        "reports:export": {"pk": w.campaign.pk},
        "reports:create": {"pk": w.campaign.pk},
        "reports:schedule": {"pk": w.campaign.pk},
        "reports:schedule_stop": {"pk": w.schedule.pk},
        **{
            f"reports:{name}": {"pk": w.report.pk}
            for name in ("detail", "edit", "publish", "revise", "pdf", "xlsx")
        },
        **{
            f"tickets:{name}": ticket
            for name in (
                "detail",
                "action_add",
                "classify",
                "contact",
                "customer_confirm",
                "note_add",
                "raise_priority",
                "callback_record",
                "topic",
            )
        },
        **{
            f"tickets:{name}": {**ticket, "action_pk": w.action.pk}
            for name in ("action_complete", "action_verify", "action_cancel")
        },
        "tickets:transition": [{**ticket, "name": name} for name in ticket_workflow.TRANSITIONS],
        "tickets:attachment_upload": ticket,
        "tickets:attachment": {**ticket, "attachment_pk": w.attachment.pk},
        **{
            f"improvements:{name}": {"pk": w.improvement.pk}
            for name in ("detail", "edit", "effect", "notify", "phone_call", "evidence_upload")
        },
        "improvements:evidence": {"pk": w.improvement.pk, "file_pk": w.evidence.pk},
        "improvements:transition": [
            {"pk": w.improvement.pk, "name": name} for name in improvement_workflow.TRANSITIONS
        ],
        "improvements:link_ticket": {"ticket_pk": w.ticket.pk},
        "ticket_callback:answer": {"token": w.closed_ticket.callback_token},
        "feedback:thanks": {"reference": w.ticket.reference},
        **{
            f"visits:{name}": {"pk": w.task.pk}
            for name in ("task", "complete", "assign", "cancel", "after_warranty")
        },
        "visits:outcome": [{"pk": w.task.pk, "outcome": o} for o in ("busy", "no_answer", "refused")],
        "visits:customer_after_warranty": {"pk": w.customer.pk},
        **{
            f"visits:{name}": {"pk": w.record.pk}
            for name in ("record", "record_edit", "record_review", "record_ticket")
        },
        "visits:rule_edit": {"pk": w.rule.pk},
        "visits:script_edit": {"pk": w.script.pk},
        "visits:plan_edit": {"pk": w.plan.pk},
        "visits:plan_delete": {"pk": w.plan.pk},
        "public:anonymous": {"public_token": w.campaign.public_token},
        "public:anonymous_thanks": {"public_token": w.campaign.public_token},
        "public:answer": {"token": w.invitation.token},
        "public:thanks": {"token": w.invitation.token},
        "public:optout": {"token": w.invitation.token},
        "public:short": {"code": w.invitation.give_short_code()},
        "public:sms_callback": [
            {"provider": p, "kind": k, "secret": "x" * 32}
            for p in ("aliyun", "tencent")
            for k in ("receipts", "replies")
        ],
        "campaigns:invitation": {"pk": w.invitation.pk},
        "campaigns:invitation_qr": {"pk": w.invitation.pk},
        "campaigns:invitation_shared": {"pk": w.invitation.pk},
        "campaigns:invitation_chase": {"pk": w.invitation.pk},
        "api_token_revoke": {"pk": w.token_rows["sam"].pk},
        **{
            f"inspections:{name}": {"pk": w.inspection.pk}
            for name in ("detail", "form", "review", "follow_up", "cancel")
        },
        **{
            f"inspections:{name}": {"pk": w.inspection.pk, "photo_pk": w.inspection_photo.pk}
            for name in ("photo", "form_photo")
        },
        **{
            f"inspections:{name}": {"pk": w.checklist.pk}
            for name in ("template", "template_activate", "template_new_version")
        },
        **{
            f"inspections:{name}": {"pk": w.checklist.pk, "item_pk": w.checklist.items().first().pk}
            for name in ("item_edit", "item_delete")
        },
        **{
            f"forums:{name}": {"pk": w.forum.pk}
            for name in ("detail", "edit", "delete", "invite", "attendance", "opinion_add", "minutes_upload")
        },
        "forums:invitation_remove": {"pk": w.forum.pk, "invitation_pk": w.forum_invitation.pk},
        **{
            f"forums:{name}": {"pk": w.forum.pk, "opinion_pk": w.forum_opinion.pk}
            for name in ("opinion_delete", "opinion_ticket", "opinion_improvement")
        },
        **{
            f"forums:{name}": {"pk": w.forum.pk, "file_pk": w.forum_minutes.pk}
            for name in ("minutes", "minutes_delete")
        },
    }


_ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


def routes(world):
    """Every URL pattern (outside the admin site and the ninja API's operations, which
    ``api_operations`` lists) as Routes with real paths. Fails on a pattern it cannot fill."""
    from django.urls import reverse

    arguments = route_arguments(world)
    found, missing = [], []
    for pattern, name, callback in walk_patterns():
        if name.startswith("api:") and name not in ("api:openapi-json", "api:openapi-view", "api:api-root"):
            continue
        wanted = {a or b for a, b in _ARGUMENT.findall(pattern)}
        if not wanted:
            found.append(Route(name, pattern, reverse(name), callback))
            continue
        if name not in arguments:
            missing.append(f"{name} ({pattern})")
            continue
        choices = arguments[name]
        for kwargs in choices if isinstance(choices, list) else [choices]:
            assert set(kwargs) == wanted, f"{name}: arguments {sorted(kwargs)} for {pattern}"
            found.append(Route(name, pattern, reverse(name, kwargs=kwargs), callback, kwargs))
    assert not missing, "tests/security/conftest.py route_arguments lacks: " + ", ".join(missing)
    return found


@dataclass
class Operation:
    """One operation of the ninja API: method, path with real arguments, the view function."""

    name: str
    method: str
    path: str
    view_func: object
    auth: list


def api_operations(world):
    """Every operation of the JSON API with real path arguments."""
    from manyi.api.api import api

    values = {
        "reference": world.ticket.reference,
        "attachment_id": world.attachment.pk,
        "code": world.customer.code,
        "campaign_id": world.campaign.pk,
    }
    found = []
    # The routers as the API bound them (auth inherited from the API): ninja 1.x keeps them here.
    for router in api._get_bound_routers():
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                url = "/api/" + "/".join(p.strip("/") for p in (router.prefix, path) if p.strip("/"))
                filled = re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), url)
                for method in operation.methods:
                    found.append(
                        Operation(
                            operation.view_func.__name__,
                            method,
                            filled,
                            operation.view_func,
                            operation.auth_callbacks,
                        )
                    )
    return found


# --------------------------------------------------------------------------- "nothing changed"

# Rows that change on any request and say nothing about what the request was allowed to do.
VOLATILE_TABLES = {
    "django_session",  # logging in, CSRF and messages
    "accounts_ratecounter",  # rate limits count refused requests too
    "manyi_cache",  # the shared cache (rate limits, computed figures)
}
VOLATILE_COLUMNS = {
    "accounts_user": {"last_login"},
    "api_apitoken": {"last_used_at"},
}


def table_names():
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def snapshot():
    """Every row of every table (but the volatile ones): equal snapshots, nothing changed."""
    state = {}
    with connection.cursor() as cursor:
        for table in table_names():
            if table in VOLATILE_TABLES or table.startswith(("axes_", "sqlite_")):
                continue
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 (table names from introspection)
            columns = [c[0] for c in cursor.description]
            keep = [i for i, c in enumerate(columns) if c not in VOLATILE_COLUMNS.get(table, ())]
            state[table] = sorted(tuple(repr(row[i]) for i in keep) for row in cursor.fetchall())
    return state


_WATCHED_RELATIONS = {}


def _watched_relations():
    """The oids of the project's tables and of pg_class (a table created or dropped writes a row
    there), once per test database: summing the statistics of these ~100 relations costs a
    quarter of summing pg_stat_xact_all_tables' thousand, and the walks ask twice a request."""
    name = connection.settings_dict["NAME"]
    if name not in _WATCHED_RELATIONS:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
                " UNION SELECT 'pg_class'::regclass::oid"
            )
            _WATCHED_RELATIONS[name] = [row[0] for row in cursor.fetchall()]
    return _WATCHED_RELATIONS[name]


def rows_written():
    """Rows inserted, updated or deleted so far, a cheap test of "nothing changed" before a
    snapshot: SQLite counts them on the connection, PostgreSQL in the transaction's statistics
    of every table of the project and of pg_class (so a created or dropped table counts). None
    elsewhere: compare snapshots."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        return connection.connection.total_changes
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COALESCE(SUM(pg_stat_get_xact_tuples_inserted(r) + pg_stat_get_xact_tuples_updated(r)"
                " + pg_stat_get_xact_tuples_deleted(r)), 0) FROM unnest(%s::oid[]) AS r",
                [_watched_relations()],
            )
            return cursor.fetchone()[0]
    return None


def changes(before, after):
    """The tables whose rows differ, with the count before and after."""
    return [
        f"{table} {len(before.get(table, []))}->{len(after.get(table, []))}"
        for table in sorted(set(before) | set(after))
        if before.get(table) != after.get(table)
    ]


# --------------------------------------------------------------------------- the forms of the pages


class _FormParser(HTMLParser):
    """The POST forms of a page: [(action, {field: value})], filled as a user would submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = (a.get("action", ""), {})
                self.forms.append(self._form)
            return
        if self._form is None:
            return
        data = self._form[1]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if kind == "checkbox" and "checked" not in a:
                    return
                data.setdefault(name, a.get("value", "on"))
            elif kind == "file":
                return
            elif kind in ("submit", "button", "image"):
                data.setdefault(name, a.get("value", ""))
            elif name != "csrfmiddlewaretoken":
                data.setdefault(name, a.get("value") or _FILLERS.get(kind, "安全测试"))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if "selected" in a or (value and not data.get(self._select)):
                data[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            data.setdefault(name, "安全测试：说明")
        elif tag == "button" and name:
            data.setdefault(name, a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


_FILLERS = {
    "email": "security@example.com",
    "tel": "13800000000",
    "number": "1",
    "date": "2026-12-31",
    "datetime-local": "2026-12-31T10:00",
    "url": "https://example.com/",
}


def page_forms(html, page_path):
    """{action path: data} of the POST forms on a page (the first form for each action)."""
    from urllib.parse import urljoin, urlsplit

    parser = _FormParser()
    parser.feed(html)
    found = {}
    for action, data in parser.forms:
        path = urlsplit(urljoin(page_path, action or page_path)).path
        found.setdefault(path, data)
    return found


def submitted_forms(client, route_list):
    """{path: data} of every POST form on every page the client can GET, as the page fills it."""
    forms = {}
    for route in route_list:
        response = client.get(route.path)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            for path, data in page_forms(response.content.decode(), route.path).items():
                forms.setdefault(path, data)
    return forms
