from manyi.customers.models import Product
from manyi.testing import make_product


def test_an_agent_adds_a_product(people, client_as):
    response = client_as(people.amy).post(
        "/customers/products/new/",
        {"code": "PUMP-1", "name": "离心泵", "category": "泵", "warranty_months": "24"},
    )
    assert response.status_code == 302
    assert Product.objects.get(code="PUMP-1").warranty_months == 24


def test_a_taken_code_or_absurd_warranty_is_refused(people, client_as):
    make_product(code="PUMP-1", name="离心泵")
    response = client_as(people.amy).post(
        "/customers/products/new/", {"code": "pump-1", "name": "另一个泵", "warranty_months": "999"}
    )
    assert set(response.context["form"].errors) == {"code", "warranty_months"}
    assert Product.objects.count() == 1


def test_read_only_roles_see_products_but_cannot_change_them(people, client_as):
    product = make_product(name="数控车床")
    for who in ["hank", "ana"]:
        client = client_as(getattr(people, who))
        assert "数控车床" in client.get("/customers/products/").content.decode()
        assert client.get("/customers/products/new/").status_code == 403
        response = client.post(f"/customers/products/{product.pk}/edit/", {"code": "X", "name": "改"})
        assert response.status_code == 403
    product.refresh_from_db()
    assert product.name == "数控车床"
