"""insert_rows writes what the ORM would (every kind of value, defaults, auto_now, primary keys),
skips rows that break a unique key only when asked, and sends one statement per batch: on SQLite
and on PostgreSQL (the suite runs on both)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from manyi.bulk import insert_rows
from manyi.campaigns.models import Answer, Invitation, Response
from manyi.customers.models import Contact, Customer
from manyi.testing import make_campaign, make_customer, make_question, make_questionnaire, make_user
from manyi.visits.models import VisitTask

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)


def inserts(queries):
    """The INSERT statements run (an executemany is logged once, as "10 times: INSERT …")."""
    statements = [re.sub(r"^\d+ times: ", "", q["sql"]) for q in queries.captured_queries]
    return [sql for sql in statements if sql.upper().startswith("INSERT")]


def test_rows_are_stored_as_the_orm_reads_them_back():
    owner = make_user("owner")
    rows = [
        (
            "C1",
            "杭州精工机械有限公司",
            owner.pk,
            Decimal("1234.50"),
            datetime.date(2025, 1, 31),
            AT,
            False,
            "备注",
        ),
        ("C2", "O'Brien; DROP TABLE", None, Decimal("0.00"), None, None, True, ""),
    ]
    fields = (
        "code",
        "name",
        "owner",
        "purchase_total",
        "first_purchase_on",
        "consent_changed_at",
        "consent_to_contact",
        "notes",
    )
    assert insert_rows(Customer, rows, fields=fields) == 2
    stored = list(
        Customer.objects.order_by("code").values_list(*[f if f != "owner" else "owner_id" for f in fields])
    )
    assert stored == rows


def test_fields_left_out_get_their_defaults_and_auto_now_the_time_of_the_call():
    default = Customer()
    before = timezone.now()
    insert_rows(Customer, [("D1", "甲", AT), ("D2", "乙", AT)], fields=("code", "name", "updated_at"))
    after = timezone.now()
    for customer in Customer.objects.all():
        for field in (
            "kind",
            "customer_type",
            "lifecycle",
            "purchase_count",
            "purchase_total",
            "search_text",
        ):
            assert getattr(customer, field) == getattr(default, field), field
        assert before <= customer.created_at <= after  # a callable default, called
        assert before <= customer.updated_at <= after  # auto_now, as save() sets it: not the value given
    # A callable default is called for each row: the invitations' tokens differ.
    campaign = make_campaign(make_questionnaire())
    customers = [make_customer().pk for _ in range(3)]
    insert_rows(Invitation, [(campaign.pk, pk) for pk in customers], fields=("campaign", "customer"))
    tokens = set(Invitation.objects.values_list("token", flat=True))
    assert len(tokens) == 3 and all(tokens)


def test_instances_get_their_primary_keys_in_their_order():
    questionnaire = make_questionnaire()
    question = make_question(questionnaire)
    campaign = make_campaign(questionnaire)
    responses = [
        Response(
            campaign=campaign, questionnaire=questionnaire, channel="web", points={"Q1": p}, index=p * 10
        )
        for p in (8.0, 6.0, 10.0)
    ]
    assert insert_rows(Response, responses, set_pks=True) == 3
    for response in responses:
        stored = Response.objects.get(pk=response.pk)
        assert stored.points == response.points and stored.index == response.index
        assert not response._state.adding
    answers = [Answer(response=responses[n % 3], question=question, text=f"答{n}") for n in range(7)]
    insert_rows(Answer, answers, set_pks=True)
    assert sorted(Answer.objects.values_list("pk", "response_id", "text")) == sorted(
        (a.pk, a.response_id, a.text) for a in answers
    )


def test_a_row_breaking_a_unique_key_is_skipped_only_when_asked():
    customer = make_customer()
    day = datetime.date(2026, 5, 1)
    VisitTask.objects.create(
        customer=customer, source_key="rule:1:old", purpose="回访", planned_on=day, due_on=day
    )
    fields = ("customer", "source_key", "purpose", "planned_on", "due_on")
    rows = [
        (customer.pk, key, "回访", day, day) for key in ("rule:1:old", "rule:1:new", "rule:1:new", "rule:1:b")
    ]

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(VisitTask, list(reversed(rows)), fields=fields, batch_size=1)
    assert VisitTask.objects.count() == 1  # the batches before the failing one are gone too

    assert insert_rows(VisitTask, rows, fields=fields, ignore_conflicts_on=("source_key",)) == 2
    assert sorted(VisitTask.objects.values_list("source_key", flat=True)) == [
        "rule:1:b",
        "rule:1:new",
        "rule:1:old",
    ]
    task = VisitTask.objects.get(source_key="rule:1:b")
    assert (task.attempts, task.unanswered_days, task.callback_reason) == (0, 0, "")  # the model's defaults


def test_many_rows_go_in_one_statement_per_batch():
    customer = make_customer()
    rows = [(customer.pk, f"联系人{n}", f"1380000{n:04d}") for n in range(25)]
    with CaptureQueriesContext(connection) as queries:
        assert insert_rows(Contact, rows, fields=("customer", "name", "phone"), batch_size=10) == 25
    assert len(inserts(queries)) == 3
    assert sorted(Contact.objects.values_list("name", "phone")) == sorted(
        (name, phone) for _c, name, phone in rows
    )
    if connection.vendor == "postgresql":
        assert all("UNNEST" in sql for sql in inserts(queries))  # one array per column


def test_thousands_of_rows_skip_conflicts_as_a_few_do():
    """(On PostgreSQL a thousand rows and more go by COPY.)"""
    customer = make_customer()
    day = datetime.date(2026, 5, 1)
    fields = ("customer", "source_key", "purpose", "planned_on", "due_on", "created_at")
    first = [
        (customer.pk, f"rule:2:{n}", "回访", day, day + datetime.timedelta(days=n % 40), AT)
        for n in range(1500)
    ]
    assert insert_rows(VisitTask, first, fields=fields, ignore_conflicts_on=("source_key",)) == 1500
    again = [(customer.pk, f"rule:2:{n}", "二次", day, day, AT) for n in range(1000, 2600)]
    assert insert_rows(VisitTask, again, fields=fields, ignore_conflicts_on=("source_key",)) == 1100
    assert VisitTask.objects.count() == 2600
    assert VisitTask.objects.filter(purpose="二次").count() == 1100  # the first rows were kept
    task = VisitTask.objects.get(source_key="rule:2:39")
    assert (task.due_on, task.created_at, task.status) == (day + datetime.timedelta(days=39), AT, "pending")
    contacts = [(customer.pk, f"联系人{n}") for n in range(1200)]
    assert insert_rows(Contact, contacts, fields=("customer", "name")) == 1200
    assert Contact.objects.filter(customer=customer, is_primary=False).count() == 1200


def test_several_instances_with_keys_take_one_statement():
    questionnaire = make_questionnaire()
    question = make_question(questionnaire)
    response = Response(campaign=make_campaign(questionnaire), questionnaire=questionnaire, channel="web")
    insert_rows(Response, [response], set_pks=True)
    answers = [Answer(response=response, question=question, number=n) for n in range(12)]
    with CaptureQueriesContext(connection) as queries:
        insert_rows(Answer, answers, set_pks=True)
    assert len(inserts(queries)) == 1
    assert Answer.objects.aggregate(last=Max("pk"))["last"] == max(a.pk for a in answers)


def test_calls_that_cannot_work_are_refused_and_write_nothing():
    customer = make_customer()
    with pytest.raises(ValueError, match="set_pks"):
        insert_rows(Contact, [(customer.pk, "甲")], fields=("customer", "name"), set_pks=True)
    with pytest.raises(ValueError, match="set_pks"):
        insert_rows(
            Contact, [Contact(customer=customer, name="乙")], set_pks=True, ignore_conflicts_on=("name",)
        )
    with pytest.raises(ValueError, match="3 values for 2 fields"):
        insert_rows(Contact, [(customer.pk, "丙", "多余")], fields=("customer", "name"))
    with pytest.raises(ValueError, match="once"):
        insert_rows(Contact, [(customer.pk, "丁", "戊")], fields=("customer", "name", "name"))
    assert insert_rows(Contact, [], fields=("customer", "name")) == 0
    assert not Contact.objects.exists()


def test_a_float_column_may_hold_whole_numbers_given_as_int():
    # A table question's share typed as 50 beside an NPS answer's 7.5: psycopg cannot write an
    # array of mixed int and float, and the answers go in as one array per column.
    questionnaire = make_questionnaire()
    question = make_question(questionnaire)
    campaign = make_campaign(questionnaire)
    response = Response.objects.create(campaign=campaign, questionnaire=questionnaire, channel="web")
    answers = [Answer(response=response, question=question, number=value) for value in (50, 7.5, 0, 12.25)]
    insert_rows(Answer, answers, set_pks=True)
    assert sorted(Answer.objects.values_list("number", flat=True)) == [0.0, 7.5, 12.25, 50.0]
