"""The pack's figures against hand-worked numbers (conftest says where each comes from)."""

import datetime
import statistics

import pytest

from manyi.dashboards.tests.test_dashboard import ANSWERS, hand_index
from manyi.evidence.figures import evidence_pack
from manyi.evidence.scope import Period, Scope

from .conftest import YEAR_2025, aware

pytestmark = pytest.mark.django_db
NOW = aware(2026, 1, 15, 12)


def tables(pack):
    return {table.id: table for section in pack["sections"] for table in section.tables}


def column(table, name):
    at = table.columns.index(name)
    return {row[0]: row[at] for row in table.rows}


def pack_for(user, unit, period=YEAR_2025, now=NOW):
    return evidence_pack(user, Scope.for_user(user, unit), Period(*period), now=now)


def test_the_sections_follow_the_standard(actions):
    pack = pack_for(actions.people.alice, None)
    assert [(s.clause, s.title) for s in pack["sections"]] == [
        ("9.1.2", "Customer satisfaction"),
        ("9.3.2", "Management review inputs"),
        ("10.2", "Nonconformity and corrective action"),
    ]


def test_a_projects_key_figures_are_the_evaluations_hand_worked_values(actions):
    """翠湖花园 in 2025: 5 customers (C-E, 东0-2, the <script> one); complaints: the valid January
    one and the May one count (the invalid one and the inspection finding do not) → 2 ÷ 5 × 100 =
    40 per 100 customers; deadlines that fell due in 2025: response met, resolution missed → 50 %;
    site inspections 80 and 90 → 85; no survey answered in 2025."""
    pack = pack_for(actions.people.alice, actions.tree.garden)
    key = tables(pack)["key-figures"]
    value = column(key, "This period")
    assert value["Complaint rate"] == pytest.approx(40.0)
    assert column(key, "Arithmetic")["Complaint rate"] == "2 ÷ 5"
    assert value["SLA compliance"] == pytest.approx(50.0)
    assert value["Site inspection score"] == pytest.approx(85.0)
    assert value["Satisfaction index"] is None
    assert column(key, "Previous period")["Complaint rate"] == 0  # 2024: no ticket, 5 customers


def test_complaint_trends_sla_and_actions_of_a_project(actions):
    """翠湖花园's tickets received in 2025: three in January (valid, invalid, the finding) and one
    in May; the SLA per deadline: response met (1 of 1), resolution missed (0 of 1). Actions raised
    in 2025 on its tickets: verified, planned and overdue (deadline 2025-03-01 before 2026-01-15),
    planned not due → 3, open 2, overdue 1."""
    found = tables(pack_for(actions.people.alice, actions.tree.garden))
    assert column(found["complaint-summary"], "This period")["Tickets received"] == 4
    months = column(found["complaint-months"], "Tickets")
    assert (months["2025-01"], months["2025-05"], sum(months.values()), len(months)) == (3, 1, 4, 12)
    sla = column(found["sla"], "Compliance (%)")
    assert (sla["First response"], sla["Resolution"], sla["First solution"]) == (100.0, 0.0, None)
    status = column(found["action-status"], "Number of actions")
    assert (status["All"], status["Open"], status["Overdue"], status["Verified effective"]) == (3, 2, 1, 1)
    assert status["Done"] == 0  # the south project's done action is not this unit's


def test_the_register_lists_each_action_with_root_cause_and_verification(actions):
    register = tables(pack_for(actions.people.alice, actions.tree.garden))["register"]
    rows = {row[6]: row for row in register.rows}
    assert set(rows) == {
        "Corrective: corrective verified",
        "Preventive: preventive planned",
        "Corrective: corrective planned",
    }
    verified = rows["Corrective: corrective verified"]
    assert verified[0] == actions.valid.reference and verified[5] == "密封胶老化"
    assert verified[10] == "2025-02-01 复查无渗漏"
    assert rows["Preventive: preventive planned"][9] == "Planned · overdue"
    assert all(link.endswith(f"/tickets/{actions.valid.pk}/") for link in register.links[:2])


def test_the_whole_company_counts_every_unit_and_the_rows_of_no_unit(actions):
    found = tables(pack_for(actions.people.alice, None))
    assert column(found["complaint-summary"], "This period")["Tickets received"] == 5  # + 滨江府's
    assert column(found["action-status"], "Number of actions")["Done"] == 1
    units = column(found["inspection-units"], "Mean score")
    assert units == {"翠湖花园": pytest.approx(85.0), "滨江府": pytest.approx(70.0)}


def test_a_regions_pack_covers_only_its_subtree(actions):
    found = tables(pack_for(actions.tree.sid, actions.tree.south))
    assert column(found["complaint-summary"], "This period")["Tickets received"] == 1
    assert list(column(found["inspection-units"], "Mean score")) == ["滨江府"]
    assert [row[0] for row in found["register"].rows] == [actions.south.reference]


def test_a_unit_bound_user_cannot_choose_another_region_or_the_whole_company(actions):
    with pytest.raises(ValueError):
        Scope.for_user(actions.tree.sid, actions.tree.garden)
    with pytest.raises(ValueError):
        Scope.for_user(actions.tree.sid, None)


def test_the_survey_figures_are_the_dashboards_for_the_units_customers(tree, survey, people):
    """The survey fixture's answers came in today; 华东's four customers belong to 翠湖花园:
    index = mean of their hand-worked indices, satisfied = those ≥ 70 ÷ 4 (seed 000)."""
    from manyi.customers.models import Customer

    Customer.objects.filter(region="华东").update(unit=tree.garden)
    today = datetime.date.today()
    pack = pack_for(people.alice, tree.garden, (today - datetime.timedelta(days=30), today), now=None)
    campaigns = tables(pack)["campaigns"]
    east = [hand_index(points) for where, points, _nps in ANSWERS if where == "华东"]
    [row] = campaigns.rows
    assert row[1] == 4
    assert row[2] == pytest.approx(statistics.mean(east))
    assert row[3] == pytest.approx(100 * sum(1 for v in east if v >= 70) / 4)
    assert (row[4], row[5], row[6], row[7]) == (80, 4, 4, 100.0)  # target; issued, returned, rate
    assert f"/dashboards/campaigns/{survey.pk}/?" in campaigns.links[0]
    assert f"unit={tree.garden.pk}" in campaigns.links[0] and campaigns.links[0].startswith("http")
    key = tables(pack)["key-figures"]
    assert column(key, "This period")["Satisfaction index"] == pytest.approx(statistics.mean(east))
    assert column(key, "Previous period")["Satisfaction index"] is None  # nothing answered before


def test_the_packs_queries_do_not_grow_with_its_rows(actions):
    """One more ticket with an action, a category three levels deep and a customer: the same
    number of queries (no query per row of the register)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from manyi.testing import make_customer
    from manyi.tickets.models import Category, CorrectiveAction, Ticket

    def queries():
        with CaptureQueriesContext(connection) as captured:
            pack_for(actions.people.alice, actions.tree.garden)
        return len(captured)

    top = Category.objects.create(code="t1", name="产品")
    middle = Category.objects.create(code="t2", name="质量", parent=top)
    leaf = Category.objects.create(code="t3", name="外观", parent=middle)
    Ticket.objects.filter(pk=actions.marked.pk).update(category=leaf)
    before = queries()
    ticket = Ticket.objects.get(pk=actions.valid.pk)
    ticket.pk, ticket.reference = None, "FK-2025-999999"
    ticket.customer = make_customer(name="另一客户", unit=actions.tree.garden)
    ticket.category = leaf
    ticket.save()
    CorrectiveAction.objects.create(
        ticket=ticket,
        description="再加一项",
        owner=actions.people.hank,
        deadline=datetime.date(2025, 2, 1),
        created_at=aware(2025, 1, 12, 9),
    )
    assert queries() == before


def test_the_forums_held_in_the_period_are_the_customers_feedback(actions):
    """Feedback from interested parties (§9.3.2): 翠湖花园's forum in June 2025 invited two of its
    customers, one came and raised one opinion, made a ticket; 滨江府's forum and a 翠湖花园 forum
    of 2024 are not in 翠湖花园's 2025 pack."""
    from manyi.forums.models import Forum, Invitation, Opinion

    tree, people = actions.tree, actions.people
    held = Forum.objects.create(
        unit=tree.garden,
        held_on=datetime.date(2025, 6, 3),
        title="物业服务座谈",
        place="会所",
        host=people.sam,
    )
    Invitation.objects.create(forum=held, customer=tree.east_customer, attended=True)
    Invitation.objects.create(forum=held, customer=actions.marked.customer, attended=False)
    Opinion.objects.create(forum=held, text="电梯维修太慢", customer=tree.east_customer, ticket=actions.valid)
    Forum.objects.create(
        unit=tree.river, held_on=datetime.date(2025, 6, 4), title="滨江府座谈", place="会所", host=people.sam
    )
    Forum.objects.create(
        unit=tree.garden, held_on=datetime.date(2024, 6, 3), title="去年座谈", place="会所", host=people.sam
    )
    forums = tables(pack_for(people.alice, tree.garden))["forums"]
    assert forums.rows == [["2025-06-03", "翠湖花园", "物业服务座谈", 2, 1, 1, 1, 0]]
    assert forums.links[0].endswith(f"/forums/{held.pk}/")
