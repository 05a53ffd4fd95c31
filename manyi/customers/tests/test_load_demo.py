import random
import re
import stat
from datetime import date, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from manyi.accounts.choices import Role
from manyi.accounts.models import Department, User
from manyi.customers import demo_data
from manyi.customers.choices import CustomerKind, CustomerType, Lifecycle
from manyi.customers.models import Contact, Customer, Product, Purchase, Tag
from manyi.customers.validators import normalize_phone
from manyi.testing import make_customer

USERNAMES = [spec.username for spec in demo_data.DEMO_USERS]


@pytest.fixture
def var_dir(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    return tmp_path


def load_demo(*args):
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def counts():
    models = [Department, User, Product, Tag, Customer, Contact, Purchase, Customer.tags.through]
    return {model.__name__: model.objects.count() for model in models}


def shown_password(output, username):
    line = next(line for line in output.splitlines() if line.strip().startswith(username + " "))
    return line.split()[-1]


def test_load_demo_builds_a_varied_archive(db, var_dir, settings):
    output = load_demo()

    assert Customer.objects.count() >= 300
    assert {u.role for u in User.objects.all()} == set(Role.values)
    assert set(Customer.objects.values_list("kind", flat=True)) == set(CustomerKind.values)
    assert set(Customer.objects.values_list("customer_type", flat=True)) == set(CustomerType.values)
    assert set(Customer.objects.values_list("lifecycle", flat=True)) == set(Lifecycle.values)
    assert set(Customer.objects.values_list("region", flat=True)) == set(demo_data.REGION_WEIGHTS)
    assert Department.objects.filter(code__in=["CS", "MKT", "QA", "TECH", "AS", "SALES"]).count() == 6
    assert set(User.objects.filter(role=Role.HANDLER).values_list("department__name", flat=True)) == {
        "质量部",
        "技术部",
    }
    assert User.objects.get(username="admin").is_superuser

    phones = [
        *Customer.objects.exclude(phone="").values_list("phone", flat=True),
        *Contact.objects.values_list("phone", flat=True),
        *User.objects.values_list("phone", flat=True),
    ]
    assert phones
    assert [normalize_phone(p) for p in phones] == phones

    codes = list(Customer.objects.values_list("code", flat=True))
    assert all(re.fullmatch(r"KH\d{4}-\d{4}", code) for code in codes)
    companies = Customer.objects.filter(kind=CustomerKind.COMPANY)
    names = list(companies.values_list("name", flat=True))
    assert len(names) == len(set(names))
    assert all(name.endswith("公司") for name in names)
    assert all(1 <= c.contacts.count() <= 3 for c in companies.prefetch_related("contacts"))
    assert set(Customer.objects.values_list("owner__role", flat=True)) == {Role.AGENT}
    no_consent = Customer.objects.filter(consent_to_contact=False).count()
    assert 0 < no_consent < Customer.objects.count() * 0.1
    assert Customer.objects.filter(purchase_count=0).exists()
    assert Customer.objects.filter(tags__name="老客户").exists()

    for purchase in Purchase.objects.select_related("product"):
        assert purchase.amount > 0
        assert purchase.delivered_on is None or purchase.delivered_on >= purchase.purchased_on
        if purchase.product.warranty_months:
            assert purchase.warranty_end > purchase.purchased_on
    two_years_ago = timezone.localdate() - timedelta(days=730)
    assert Purchase.objects.filter(purchased_on__lt=two_years_ago).exists()

    assert settings.SITE_URL in output
    for username in USERNAMES:
        assert re.search(rf"^\s+{username}\s", output, re.MULTILINE)


def test_stored_summaries_match_a_fresh_refresh(db, var_dir):
    load_demo()
    fields = ["first_purchase_on", "last_purchase_on", "purchase_count", "purchase_total", "lifecycle"]
    for customer in Customer.objects.order_by("?")[:60]:
        stored = [getattr(customer, f) for f in fields]
        customer.refresh_purchase_summary()
        customer.refresh_from_db()
        assert [getattr(customer, f) for f in fields] == stored, customer.code
        assert customer.search_text == customer.build_search_text()
        assert timezone.localdate(customer.created_at) <= (customer.first_purchase_on or timezone.localdate())


def test_a_second_run_adds_nothing_and_keeps_the_password(db, var_dir, settings):
    first = load_demo()
    before = counts()
    password = (var_dir / "demo_password").read_text().strip()
    assert stat.S_IMODE((var_dir / "demo_password").stat().st_mode) == 0o600
    assert shown_password(first, "admin") == password

    second = load_demo()

    assert counts() == before
    assert (var_dir / "demo_password").read_text().strip() == password
    assert settings.SITE_URL in second
    for username in USERNAMES:
        assert shown_password(second, username) == password
        assert User.objects.get(username=username).check_password(password)


def test_a_lost_password_file_gives_the_demo_users_a_new_password(db, var_dir):
    load_demo()
    old = (var_dir / "demo_password").read_text().strip()
    (var_dir / "demo_password").unlink()

    output = load_demo()

    new = (var_dir / "demo_password").read_text().strip()
    assert new != old
    assert shown_password(output, "lina") == new
    assert all(u.check_password(new) for u in User.objects.filter(username__in=USERNAMES))


def test_demo_password_from_the_environment(db, var_dir, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "演示-password-2024")
    output = load_demo()

    assert User.objects.get(username="chenjing").check_password("演示-password-2024")
    assert shown_password(output, "chenjing") == "演示-password-2024"
    assert not (var_dir / "demo_password").exists()


def test_a_password_changed_by_its_user_is_kept_and_reported(db, var_dir):
    load_demo()
    user = User.objects.get(username="zhaoli")
    user.set_password("my own secret 123")
    user.save()

    output = load_demo()

    assert User.objects.get(username="zhaoli").check_password("my own secret 123")
    assert "changed" in next(line for line in output.splitlines() if "zhaoli" in line)
    load_demo("--reset-passwords")
    new = (var_dir / "demo_password").read_text().strip()
    assert User.objects.get(username="zhaoli").check_password(new)


def test_demo_data_is_not_mixed_into_a_database_in_use(db, var_dir):
    make_customer(name="杭州精工机械有限公司", code="HZ001")

    output = load_demo()

    assert Customer.objects.count() == 1
    assert not User.objects.exists()
    assert "not loaded" in output
    assert not (var_dir / "demo_password").exists()


def test_the_generator_is_deterministic():
    def generate():
        return demo_data.generate_customers(
            random.Random(demo_data.SEED), date(2026, 6, 1), count=50, tz=ZoneInfo("Asia/Shanghai")
        )

    assert generate() == generate()
