"""A finding's ticket category is the company's own: customers never see it on the public form."""

import pytest

from manyi.inspections import examples
from manyi.tickets.models import Category
from manyi.tickets.public_forms import FeedbackForm, category_choices

pytestmark = pytest.mark.django_db


def test_the_findings_category_is_staff_only_and_named_once():
    assert examples.FINDING_CATEGORY["code"] == Category.INSPECTION_FINDING
    assert Category.INSPECTION_FINDING in Category.STAFF_ONLY


def test_customers_can_neither_see_nor_choose_the_findings_category():
    finding = Category.objects.create(**examples.FINDING_CATEGORY)
    assert str(finding.pk) not in dict(category_choices(customers=True))
    assert str(finding.pk) in dict(category_choices())  # staff forms still offer it
    form = FeedbackForm(data={"category": str(finding.pk)})
    form.is_valid()
    assert "category" in form.errors
