"""The customer and purchase exports name customers and contacts the way seed 004 records them
(“记录时用‘*客户’‘A公司’代替真实名称，保护隐私”) for a reader without the right to personal data
(the analyst exports customers but may not see personal data), and in clear for one with it
(issue 22, point 5)."""

import pytest

from manyi.accounts import permissions
from manyi.customers.choices import CustomerKind
from manyi.testing import make_contact, make_customer, make_product, make_purchase

from .test_exporting import ENGLISH, by_code, read_csv, read_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive():
    hz = make_customer(code="HZ001", name="杭州精工机械有限公司", phone="13812345678")
    make_contact(hz, name="张伟", phone="13900001111", is_primary=True)
    nb = make_customer(code="NB002", name="宁波海天塑机")
    person = make_customer(code="P003", name="欧阳娜娜", kind=CustomerKind.PERSON)
    for customer in (hz, nb, person):
        make_purchase(customer, make_product(name="数控机床"), amount="100.00")
    return hz, nb, person


def customers(client, export_format):
    response = client.get(f"/customers/export/?format={export_format}", **ENGLISH)
    assert response.status_code == 200
    return by_code(read_csv(response) if export_format == "csv" else read_xlsx(response)[1])[1]


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_the_analyst_gets_the_customers_named_the_seeds_way(archive, people, client_as, export_format):
    assert people.ana.can(permissions.EXPORT_CUSTOMERS) and not people.ana.can(permissions.VIEW_PERSONAL_DATA)
    rows = customers(client_as(people.ana), export_format)
    assert {code: row["Customer name"] for code, row in rows.items()} == {
        "HZ001": "A公司",
        "NB002": "B公司",
        "P003": "欧***",
    }
    assert rows["HZ001"]["Contact"] == "张*"
    everything = repr(rows)
    assert not [name for name in ("精工", "海天", "欧阳娜娜", "张伟") if name in everything]


def test_the_supervisor_gets_the_names_whole(archive, people, client_as):
    rows = customers(client_as(people.sam), "csv")
    assert (rows["HZ001"]["Customer name"], rows["HZ001"]["Contact"]) == ("杭州精工机械有限公司", "张伟")
    assert rows["P003"]["Customer name"] == "欧阳娜娜"


def test_the_purchase_export_names_customers_as_the_customer_export_does(archive, people, client_as):
    response = client_as(people.ana).get("/customers/export/purchases/?format=csv", **ENGLISH)
    header, *rows = read_csv(response)
    assert header[:2] == ["Customer code", "Customer name"]
    assert sorted((row[0], row[1]) for row in rows) == [
        ("HZ001", "A公司"),
        ("NB002", "B公司"),
        ("P003", "欧***"),
    ]
    response = client_as(people.sam).get("/customers/export/purchases/?format=csv", **ENGLISH)
    assert ("HZ001", "杭州精工机械有限公司") in {(row[0], row[1]) for row in read_csv(response)[1:]}
