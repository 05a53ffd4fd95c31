"""Applying an industry's profile: its categories and call scripts, what the others leave behind."""

import importlib
import json

import pytest
from django.core.exceptions import ValidationError

from manyi.operations import company, industries
from manyi.operations.choices import Industry
from manyi.operations.models import Company
from manyi.surveys import loader
from manyi.tickets import workflow
from manyi.tickets.choices import Channel
from manyi.tickets.models import Category
from manyi.visits.models import VisitRule, VisitScript
from manyi.visits.scripts import validate_script

pytestmark = pytest.mark.django_db

ALL = Industry.values


def tree():
    """{root name: [child names]} of the active categories, as the forms offer them."""
    active = Category.objects.filter(is_active=True).select_related("parent")
    result = {}
    for category in active.order_by("position", "code"):
        if category.parent is None:
            result.setdefault(category.name, [])
    for category in active.order_by("position", "code"):
        if category.parent is not None and category.parent.is_active:
            result[category.parent.name].append(category.name)
    return result


def profile_tree(industry):
    return {
        root.name: [child.name for child in root.children] for root in industries.profile(industry).categories
    }


def active_scripts():
    return set(VisitScript.objects.filter(is_active=True).values_list("name", flat=True))


def ticket_in(code, by):
    return workflow.open_ticket(
        by=by,
        channel=Channel.PHONE,
        subject="小区电梯故障",
        description="三号楼电梯停了两天。",
        category=Category.objects.get(code=code),
    )


# --------------------------------------------------------------------------- the profiles


@pytest.mark.parametrize("industry", ALL)
def test_each_profile_is_two_levels_of_unique_codes_with_valid_scripts_and_templates(industry):
    profile = industries.profile(industry)
    codes = profile.category_codes()
    assert len(codes) == len(set(codes)) and all(len(code) <= 40 for code in codes)
    assert all(not child.children for root in profile.categories for child in root.children)
    assert len(profile.categories) >= 5 and len(profile.scripts) >= 4
    for script in profile.scripts:
        validate_script(script.body)  # only the placeholders the call screen fills
    known = {template.key for template in loader.list_templates()}
    assert profile.templates and set(profile.templates) <= known


def test_a_code_two_profiles_share_has_one_name():
    names = {}
    for profile in industries.profiles():
        for root in profile.categories:
            for node in (root, *root.children):
                assert names.setdefault(node.code, node.name) == node.name, node.code


def test_the_first_defaults_listed_are_the_tickets_migrations():
    migration = importlib.import_module("manyi.tickets.migrations.0002_defaults")
    codes = [
        code for code, _name, children in migration.CATEGORIES for code in (code, *(c for c, _ in children))
    ]
    assert sorted(industries.FIRST_DEFAULT_CODES) == sorted(codes)


def test_the_manufacturing_profile_keeps_the_demos_call_scripts_word_for_word():
    from manyi.visits.demo import SCRIPTS

    bodies = {script.name: script.body for script in industries.profile("manufacturing").scripts}
    assert {name: bodies.get(name) for name in SCRIPTS} == SCRIPTS


def test_an_unknown_industry_is_refused():
    with pytest.raises(KeyError):
        company.apply_industry("bakery")
    with pytest.raises(ValueError):
        company.set_up_company("某公司", "bakery")


def test_the_profile_files_are_utf8_json_named_after_the_industries():
    files = sorted(path.stem for path in industries.DIRECTORY.glob("*.json"))
    assert files == sorted(ALL)
    for industry in ALL:
        data = json.loads((industries.DIRECTORY / f"{industry}.json").read_text(encoding="utf-8"))
        assert data["industry"] == industry


# --------------------------------------------------------------------------- applying


@pytest.mark.parametrize("industry", ALL)
def test_each_industry_applies_and_yields_exactly_its_categories_and_scripts(industry):
    company.apply_industry(industry)
    assert tree() == profile_tree(industry)
    assert active_scripts() == set(industries.profile(industry).script_names())


def test_the_manufacturing_tree_has_no_property_management():
    company.apply_industry("manufacturing")
    names = set(Category.objects.values_list("name", flat=True))
    assert not names & {"物业管理", "房屋管理", "设备管理", "安全管理", "其他物业服务"}
    assert not Category.objects.filter(code__startswith="property").exists()
    # The codes of the first defaults stay: the API, the demo and exports name them.
    assert Category.objects.get(code="after_sales").children.filter(name="备件供应").exists()


def test_the_property_tree_follows_the_seeds_classes():
    company.apply_industry("property")
    roots = list(Category.objects.filter(parent=None, is_active=True).values_list("name", flat=True))
    assert roots[:3] == ["房屋管理", "设备管理", "安全管理"]  # seed 002, ① ② ③
    assert "产品包装" not in roots and "物业管理" not in roots


@pytest.mark.parametrize("industry", ALL)
def test_applying_again_changes_nothing(industry):
    first = company.apply_industry(industry)
    assert first.changes_anything
    rows = list(Category.objects.values_list("pk", "code", "name", "parent_id", "position", "is_active"))
    scripts = list(VisitScript.objects.values_list("pk", "name", "body", "is_active"))
    again = company.apply_industry(industry)
    assert not again.changes_anything
    assert (
        list(Category.objects.values_list("pk", "code", "name", "parent_id", "position", "is_active")) == rows
    )
    assert list(VisitScript.objects.values_list("pk", "name", "body", "is_active")) == scripts


def test_a_category_in_use_survives_an_industry_change_deactivated(people):
    company.apply_industry("property")
    ticket = ticket_in("property_equipment_elevator", people.amy)
    plan = company.plan("hotel")
    assert "设备管理 › 电梯" in plan.deactivated and "设备管理" in plan.deactivated
    company.apply_industry("hotel")
    elevator = Category.objects.get(code="property_equipment_elevator")
    ticket.refresh_from_db()
    assert ticket.category == elevator and not elevator.is_active
    assert not elevator.parent.is_active  # its parent stays for the ticket's path, deactivated too
    assert not Category.objects.filter(code="property_equipment_water").exists()  # unused: gone
    assert tree() == profile_tree("hotel")
    # Back to property management: the same rows are offered again, the ticket's among them.
    company.apply_industry("property")
    elevator.refresh_from_db()
    assert elevator.is_active and tree() == profile_tree("property")


def test_a_call_script_a_visit_rule_uses_survives_deactivated():
    company.apply_industry("manufacturing")
    script = VisitScript.objects.get(name="保修期满回访")
    VisitRule.objects.create(name="保修期满", kind="warranty_end", purpose="保修期满回访", script=script)
    company.apply_industry("software")
    script.refresh_from_db()
    assert not script.is_active and VisitRule.objects.get().script == script
    assert not VisitScript.objects.filter(name="大客户特定回访").exists()


def test_what_an_administrator_added_or_renamed_is_left_alone():
    company.apply_industry("manufacturing")
    quality = Category.objects.get(code="product_quality")
    own = Category.objects.create(code="noise", name="噪音与振动", parent=quality, position=9)
    Category.objects.filter(code="price").update(name="价格与商务")
    VisitScript.objects.create(name="节日问候", body="{{ contact_name }}您好，节日快乐！")
    VisitScript.objects.filter(name="例行回访").update(
        body="您好，{{ contact_name }}，这是我们改过的例行回访。"
    )
    company.apply_industry("manufacturing")
    own.refresh_from_db()
    assert own.is_active and own.parent == quality
    assert Category.objects.get(code="price").name == "价格与商务"
    assert VisitScript.objects.get(name="例行回访").body.endswith("改过的例行回访。")
    # Another industry: its own categories leave, the administrator's stay; a root holding one
    # of them is kept (deactivated) so that it keeps its place.
    company.apply_industry("hotel")
    own.refresh_from_db()
    quality.refresh_from_db()
    assert own.is_active and not quality.is_active
    assert VisitScript.objects.get(name="节日问候").is_active


def test_the_plan_says_what_applying_does_and_writes_nothing():
    before = Category.objects.count()
    plan = company.plan("manufacturing")
    assert Category.objects.count() == before and not VisitScript.objects.exists()
    assert "物业管理 › 房屋管理" in plan.removed and "物业管理" in plan.removed
    assert "产品质量" in plan.kept and "产品质量 › 外观缺陷" in plan.created
    assert plan.scripts_created == industries.profile("manufacturing").script_names()
    done = company.apply_industry("manufacturing")
    assert done == plan


def test_setting_up_applies_on_the_first_setup_and_on_a_change_only(people):
    saved, applied = company.set_up_company("  恒信   精密 ", "manufacturing", by=people.alice)
    assert applied is not None and saved.name == "恒信 精密" and saved.set_up_by == people.alice
    Category.objects.filter(code="price").update(is_active=False)  # an administrator's choice
    saved, applied = company.set_up_company("恒信精密机械", "manufacturing")
    assert applied is None and not Category.objects.get(code="price").is_active
    assert Company.objects.count() == 1 and Company.current().name == "恒信精密机械"
    _saved, applied = company.set_up_company("恒信精密机械", "manufacturing", reapply=True)
    assert applied.reactivated == ["价格"] and Category.objects.get(code="price").is_active
    _saved, applied = company.set_up_company("恒信精密机械", "express")
    assert applied is not None and Company.current().industry == "express"
    assert tree() == profile_tree("express")


def test_an_empty_company_name_is_refused_and_nothing_is_stored():
    with pytest.raises(ValueError):
        company.set_up_company("   ", "hotel")
    assert not Company.objects.exists() and Category.objects.filter(code="property").exists()


def test_a_script_body_from_a_profile_would_pass_the_script_form():
    with pytest.raises(ValidationError):
        validate_script("{{ unknown }}")  # the check the profile test relies on does refuse
