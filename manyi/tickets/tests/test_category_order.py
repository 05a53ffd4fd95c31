"""Category lists on the staff pages read as a tree: each branch right under its parent."""

import re
from html import unescape

import pytest
from django.urls import reverse

from manyi.tickets import workflow
from manyi.tickets.choices import Channel
from manyi.tickets.models import Category, Ticket

from .test_views import intake

pytestmark = pytest.mark.django_db

SEP = " › "


def options(page, name):
    html = page.content.decode()
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [unescape(label).strip() for label in re.findall(r"<option[^>]*>(.*?)</option>", select, re.S)][1:]


def assert_tree_order(labels):
    assert any(SEP in label for label in labels), labels  # the seeded tree has branches
    for index, label in enumerate(labels):
        if SEP not in label:
            continue
        parent = label.rsplit(SEP, 1)[0]
        # Everything between the parent and this branch is inside the parent's branch.
        start = labels.index(parent)
        assert start < index, labels
        assert all(other.startswith(parent + SEP) for other in labels[start + 1 : index]), labels


@pytest.fixture
def ticket(db):
    return workflow.open_ticket(by=None, channel=Channel.PHONE, subject="电梯", description="电梯坏了三天")


def test_the_intake_form_lists_categories_as_a_tree(people, client_as):
    assert_tree_order(options(client_as(people.amy).get(reverse("tickets:create")), "category"))


def test_the_classification_form_lists_categories_as_a_tree(people, client_as, ticket):
    assert_tree_order(options(client_as(people.amy).get(ticket.get_absolute_url()), "category"))


def test_the_queue_filter_lists_categories_as_a_tree_retired_ones_too(people, client_as):
    Category.objects.filter(code="property_building").update(is_active=False)
    labels = options(client_as(people.sam).get(reverse("tickets:list")), "category")
    assert_tree_order(labels)
    assert str(Category.objects.get(code="property_building")) in labels


def test_a_branch_chosen_in_the_intake_form_is_recorded(people, client_as):
    building = Category.objects.get(code="property_building")
    response = client_as(people.amy).post(reverse("tickets:create"), intake(category=building.pk))
    assert response.status_code == 302
    assert Ticket.objects.get().category == building


def test_a_retired_category_cannot_be_chosen_at_intake(people, client_as):
    building = Category.objects.get(code="property_building")
    building.is_active = False
    building.save()
    response = client_as(people.amy).post(reverse("tickets:create"), intake(category=building.pk))
    assert "category" in response.context["form"].errors
    assert not Ticket.objects.exists()
