"""The category tree page shows who changed which category (REQUIREMENTS §9), to whoever
may read the audit log; the page itself is the administrators'."""

import pytest
from django.urls import reverse

from manyi.tickets.models import Category

pytestmark = pytest.mark.django_db

TREE = reverse("operations:categories")
SAVE = reverse("operations:category_save")


def test_the_tree_page_shows_each_renaming_with_the_old_name(people, client_as):
    category = Category.objects.create(code="audit-price", name="价格太贵")
    alice = client_as(people.alice)
    alice.post(SAVE, {"category": str(category.pk), "name": "<b>价格</b>", "is_active": "on"})
    category.refresh_from_db()
    assert category.name == "<b>价格</b>"
    html = alice.get(TREE).content.decode()
    trail = html[html.index('id="audit-trail"') :]
    assert "价格太贵" in trail and "&lt;b&gt;价格&lt;/b&gt;" in trail and "<b>价格" not in trail
    assert str(people.alice) in trail
    # What was done, in Chinese (django-auditlog's own words came through as "update").
    assert "<td>修改" in trail and "<td>新建" in trail and "update" not in trail


@pytest.mark.parametrize("who", ["sam", "amy", "hank", "ana"])
def test_only_administrators_reach_the_tree_and_its_trail(people, client_as, who):
    Category.objects.create(code="audit-price", name="价格")
    assert client_as(getattr(people, who)).get(TREE).status_code == 403
