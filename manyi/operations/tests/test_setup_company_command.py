"""manage.py setup_company: the same setup as the page, from the command line."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from manyi.operations import industries
from manyi.operations.models import Company
from manyi.tickets.models import Category
from manyi.visits.models import VisitScript

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("setup_company", *args, stdout=out)
    return out.getvalue()


def test_it_sets_up_the_company_and_applies_the_industry():
    output = run("--industry", "express", "--name", "顺达快运有限公司")
    company = Company.current()
    assert (company.name, company.industry) == ("顺达快运有限公司", "express")
    profile = industries.profile("express")
    assert "call scripts created: 4" in output and "categories removed (unused)" in output
    active = set(Category.objects.filter(is_active=True).values_list("code", flat=True))
    assert active == set(profile.category_codes())
    assert set(VisitScript.objects.values_list("name", flat=True)) == set(profile.script_names())


def test_a_second_run_keeps_the_name_and_leaves_the_lists_alone_unless_reapplying():
    run("--industry", "hotel", "--name", "西湖大酒店")
    Category.objects.filter(code="hotel_room").update(is_active=False)
    output = run("--industry", "hotel")
    assert Company.current().name == "西湖大酒店" and "unchanged" in output
    assert not Category.objects.get(code="hotel_room").is_active
    output = run("--industry", "hotel", "--reapply")
    assert (
        "categories offered again: 1 (客房)" in output and Category.objects.get(code="hotel_room").is_active
    )


def test_it_refuses_an_unknown_industry_and_a_missing_name():
    with pytest.raises(CommandError):
        run("--industry", "bakery", "--name", "某公司")
    with pytest.raises(CommandError):
        run("--industry", "hotel")
    assert not Company.objects.exists() and Category.objects.filter(code="property").exists()


def test_a_name_longer_than_the_page_allows_is_refused_and_changes_nothing():
    """The page's form takes at most 100 characters; the command said nothing and PostgreSQL
    then failed half-way with a database error."""
    with pytest.raises(CommandError, match="100"):
        run("--industry", "express", "--name", "顺" * 101)
    assert Company.current() is None
    assert not VisitScript.objects.exists()
