"""The raise form lists complaint categories as a tree, like the ticket pages."""

import pytest
from django.urls import reverse

from manyi.tickets.models import Category
from manyi.tickets.tests.test_category_order import assert_tree_order, options

pytestmark = pytest.mark.django_db


def test_the_raise_form_lists_categories_as_a_tree(people, client_as):
    page = client_as(people.sam).get(reverse("improvements:create"))
    assert_tree_order(options(page, "category"))


def test_raising_from_a_category_preselects_the_branch(people, client_as):
    building = Category.objects.get(code="property_building")
    body = (
        client_as(people.sam)
        .get(reverse("improvements:create") + f"?category={building.pk}")
        .content.decode()
    )
    assert f'<option value="{building.pk}" selected>' in body
