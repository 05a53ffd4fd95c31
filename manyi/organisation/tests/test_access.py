"""The unit rule (organisation/access.py) as plain answers, and through the customer pages."""

import pytest
from django.urls import reverse

from manyi.customers.models import Customer
from manyi.organisation import access

pytestmark = pytest.mark.django_db


def test_a_user_of_no_unit_or_of_the_group_sees_everything(tree, people):
    assert access.visible_units(people.sam) is None
    assert access.visible_units(tree.gus) is None
    assert set(Customer.objects.for_user(tree.gus)) == set(Customer.objects.all())


def test_a_regions_user_sees_the_region_and_its_projects_only(tree):
    assert set(access.visible_units(tree.eva)) == {tree.east, tree.garden}
    assert list(Customer.objects.for_user(tree.eva)) == [tree.east_customer]
    assert list(Customer.objects.for_user(tree.sid)) == [tree.south_customer]


def test_rows_of_no_unit_are_the_whole_companys_and_hidden_from_a_region_unless_shared(tree):
    assert not access.may_see_unit(tree.eva, None)
    assert access.may_see_unit(tree.eva, None, shared=True)
    # The group above the region shares its rows (a group-wide campaign), the other region does not.
    assert access.may_see_unit(tree.eva, tree.group, shared=True)
    assert not access.may_see_unit(tree.eva, tree.south, shared=True)
    assert not access.may_see_unit(tree.eva, tree.river)
    assert access.may_see_unit(tree.eva, tree.garden)


def test_a_company_without_units_sees_no_change(people):
    from manyi.testing import make_customer

    make_customer(code="A"), make_customer(code="B")
    for user in (people.alice, people.sam, people.amy, people.hank):
        assert access.visible_units(user) is None
        assert Customer.objects.for_user(user).count() == 2


def test_moving_a_project_to_another_region_moves_what_its_staff_see(tree):
    tree.garden.parent = tree.south
    tree.garden.save()
    sid = type(tree.sid).objects.get(pk=tree.sid.pk)  # a new request: a fresh user
    assert set(Customer.objects.for_user(sid)) == {tree.east_customer, tree.south_customer}


def test_a_regions_staff_see_only_their_customers_on_the_list_and_the_export(tree, client_as):
    client = client_as(tree.eva)
    page = client.get(reverse("customers:list")).content.decode()
    assert "华东客户" in page and "华南客户" not in page and "总部客户" not in page
    export = client.get(reverse("customers:export"), {"format": "csv"})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "C-E" in text and "C-S" not in text and "C-0" not in text


def test_another_regions_customer_is_not_found_by_its_id(tree, client_as):
    client = client_as(tree.eva)
    for name in ("customers:detail", "customers:edit", "customers:purchase_create"):
        assert client.get(reverse(name, args=[tree.south_customer.pk])).status_code == 404
        assert client.get(reverse(name, args=[tree.east_customer.pk])).status_code == 200


def test_the_unit_filter_keeps_a_unit_and_everything_below_it(tree, client_as):
    client = client_as(tree.gus)
    page = client.get(reverse("customers:list"), {"unit": tree.east.pk}).content.decode()
    assert "华东客户" in page and "华南客户" not in page
    # A region cannot filter by another region (it is not among the choices): an error, no rows.
    page = client_as(tree.eva).get(reverse("customers:list"), {"unit": tree.south.pk}).content.decode()
    assert "华南客户" not in page


def test_a_regions_new_customer_belongs_to_the_region_and_cannot_be_given_another(tree, client_as):
    client = client_as(tree.eva)
    form = {
        "kind": "company",
        "code": "C-NEW",
        "name": "新客户",
        "customer_type": "normal",
        "consent_to_contact": "on",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
    }
    refused = client.post(reverse("customers:create"), {**form, "unit": tree.river.pk})
    assert refused.status_code == 200 and not Customer.objects.filter(code="C-NEW").exists()
    missing = client.post(reverse("customers:create"), form)
    assert missing.status_code == 200 and not Customer.objects.filter(code="C-NEW").exists()
    client.post(reverse("customers:create"), {**form, "unit": tree.garden.pk})
    assert Customer.objects.get(code="C-NEW").unit == tree.garden
