"""The demo is a machinery company: load_demo sets it up for manufacturing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from manyi.customers import demo_data
from manyi.operations import industries
from manyi.operations.models import Company
from manyi.results import dataset as dataset_module
from manyi.tickets.models import Category
from manyi.visits.models import VisitRule, VisitScript


@pytest.fixture
def demo(db, settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    dataset_module.forget()
    call_command("load_demo", "--customers", "40", stdout=StringIO())
    yield
    dataset_module.forget()


def test_the_demo_company_is_set_up_for_manufacturing_and_offers_no_property_categories(demo, client):
    company = Company.current()
    assert (company.name, company.industry) == (demo_data.COMPANY, "manufacturing")
    page = client.get(reverse("feedback:form")).content.decode()
    assert "售后服务 › 备件供应" in page
    assert "物业" not in page and "房屋管理" not in page
    profile = industries.profile("manufacturing")
    active = set(Category.objects.filter(is_active=True).values_list("code", flat=True))
    # Beside the industry's tree: the staff-only category the demo's inspection findings made.
    assert active - Category.STAFF_ONLY == set(profile.category_codes())
    # The demo's visit rules keep their scripts, which are manufacturing's.
    assert set(VisitScript.objects.filter(is_active=True).values_list("name", flat=True)) == set(
        profile.script_names()
    )
    assert all(rule.script.is_active for rule in VisitRule.objects.exclude(script=None))
