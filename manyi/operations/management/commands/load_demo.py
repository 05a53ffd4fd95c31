"""manage.py load_demo: demo data for 浙江恒信精密机械有限公司, and one login per role.

The data is loaded once. Later runs add nothing and only print the URL and the logins, so
`make run` may call this every time. Demo data is never mixed into a database that already
holds other customers or users.

Passwords (all demo users share one): DEMO_PASSWORD when set, and then it is (re)set on every
run; otherwise a random password generated on the first load and kept in VAR_DIR/demo_password
(mode 0600). When that file is gone, a new password is generated and set for the demo users;
--reset-passwords does that on purpose. A password a user changed later is kept and reported.
"""

import os
import random
import secrets
import time
import unicodedata
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone, translation

from manyi.accounts.choices import Role
from manyi.accounts.models import Department, User
from manyi.customers import demo_data
from manyi.customers.choices import CustomerKind, CustomerType, Lifecycle
from manyi.customers.models import Contact, Customer, Product, Purchase, Tag

PASSWORD_FILE = "demo_password"  # noqa: S105 (a file name, not a password)
# No look-alike characters (0/O, 1/l/I): the password is read off a terminal and typed.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105
PASSWORD_LENGTH = 14
DEFAULT_CUSTOMERS = 360


def random_password():
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def password_file() -> Path:
    return Path(settings.VAR_DIR) / PASSWORD_FILE


def write_password_file(password):
    path = password_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
    path.chmod(0o600)  # also when the file existed with a wider mode


def display_width(text):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text, width):
    return text + " " * max(0, width - display_width(text))


def zh(label):
    with translation.override("zh-hans"):
        return str(label)


class Command(BaseCommand):
    help = "Load the demo data (once) and print the URL and the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--customers",
            type=int,
            default=DEFAULT_CUSTOMERS,
            help=f"how many demo customers to create on the first load (default {DEFAULT_CUSTOMERS})",
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="give the demo users a new random password (or DEMO_PASSWORD) and print it",
        )

    def handle(self, *args, customers, reset_passwords, **options):
        if not 1 <= customers <= 100_000:
            raise CommandError("--customers must be between 1 and 100000")
        started = time.perf_counter()
        usernames = [spec.username for spec in demo_data.DEMO_USERS]
        loaded = Product.objects.filter(code=demo_data.MARKER_PRODUCT).exists()
        if not loaded and self.database_in_use(usernames):
            self.stdout.write(
                self.style.WARNING(
                    "数据库中已有客户或用户，未加载演示数据。\n"
                    "The database already holds customers or users; demo data was not loaded.\n"
                    "For a demo, use an empty database, e.g. MANYI_VAR_DIR=/tmp/manyi-demo make run"
                )
            )
            self.stdout.write(f"网址 / URL: {settings.SITE_URL}")
            return

        password, source = self.demo_password(reset_passwords)
        if loaded:
            self.stdout.write("演示数据已存在，未重复加载。/ Demo data already loaded; nothing added.")
        else:
            with transaction.atomic():
                counts = self.load(password, customers)
            self.report(counts, time.perf_counter() - started)
        rows = self.sync_passwords(usernames, password, force=source in ("env", "new"))
        self.print_logins(rows, source)

    # --- passwords -------------------------------------------------------------------------
    def demo_password(self, reset):
        """(password, source): source is "env", "file" or "new" (just generated and saved)."""
        from_env = os.environ.get("DEMO_PASSWORD", "")
        if from_env:
            return from_env, "env"
        if not reset:
            try:
                kept = password_file().read_text(encoding="utf-8").strip()
            except FileNotFoundError:
                kept = ""
            if kept:
                return kept, "file"
        password = random_password()
        write_password_file(password)
        return password, "new"

    def sync_passwords(self, usernames, password, *, force):
        """Check the demo users' passwords; with `force`, set the ones that differ.

        Returns [(user, password shown)] in the order of DEMO_USERS. A password someone
        changed after loading is left alone (unless forced) and shown as changed.
        """
        users = {
            u.username: u for u in User.objects.filter(username__in=usernames).select_related("department")
        }
        verdicts = {}  # encoded hash -> does it match `password`; the demo users share one hash
        stale = []
        for user in users.values():
            if user.password not in verdicts:
                verdicts[user.password] = check_password(password, user.password)
            if not verdicts[user.password]:
                stale.append(user)
        if force and stale:
            encoded = make_password(password)
            User.objects.filter(pk__in=[u.pk for u in stale]).update(password=encoded)
            stale = []
        changed_note = "（已被修改 / changed; load_demo --reset-passwords）"
        return [
            (users[name], changed_note if users[name] in stale else password)
            for name in usernames
            if name in users
        ]

    # --- loading ---------------------------------------------------------------------------
    def database_in_use(self, usernames):
        return Customer.objects.exists() or User.objects.exclude(username__in=usernames).exists()

    def load(self, password, count):
        today = timezone.localdate()
        departments = self.create_departments()
        users = self.create_users(departments, make_password(password))

        Product.objects.bulk_create(
            Product(code=p.code, name=p.name, category=p.category, warranty_months=p.warranty_months)
            for p in demo_data.PRODUCTS
        )
        product_ids = dict(
            Product.objects.filter(code__in=demo_data.PRODUCTS_BY_CODE).values_list("code", "pk")
        )
        known_tags = set(Tag.objects.values_list("name", flat=True))
        Tag.objects.bulk_create(Tag(name=name) for name in demo_data.TAGS if name not in known_tags)
        tag_ids = dict(Tag.objects.filter(name__in=demo_data.TAGS).values_list("name", "pk"))

        records = demo_data.generate_customers(
            random.Random(demo_data.SEED),
            today,
            count=count,
            tz=timezone.get_current_timezone(),
            **settings.CUSTOMER_LIFECYCLE,
        )
        customers = [self.build_customer(record, users, today) for record in records]
        Customer.objects.bulk_create(customers, batch_size=500)
        customer_ids = dict(
            Customer.objects.filter(code__in=[r.code for r in records]).values_list("code", "pk")
        )

        contacts, tag_links, purchases = [], [], []
        Link = Customer.tags.through
        for record in records:
            customer_id = customer_ids[record.code]
            contacts += [Contact(customer_id=customer_id, **asdict(contact)) for contact in record.contacts]
            tag_links += [Link(customer_id=customer_id, tag_id=tag_ids[name]) for name in record.tags]
            purchases += [
                Purchase(
                    customer_id=customer_id,
                    product_id=product_ids[p.product_code],
                    order_number=p.order_number,
                    purchased_on=p.purchased_on,
                    quantity=p.quantity,
                    amount=p.amount,
                    delivered_on=p.delivered_on,
                    warranty_end=p.warranty_end,
                )
                for p in record.purchases
            ]
        Contact.objects.bulk_create(contacts, batch_size=500)
        Link.objects.bulk_create(tag_links, batch_size=500)
        Purchase.objects.bulk_create(purchases, batch_size=500)
        responses = self.load_stories(users, customer_ids)
        return {
            "departments": len(departments),
            "customers": customers,
            "contacts": len(contacts),
            "purchases": len(purchases),
            "responses": responses,
        }

    def load_stories(self, users, customer_ids):
        """What the demo company did with its customers, in order: its organisation units, the
        surveys, visits, inspections, improvements and reports, and its industry's set-up.
        Returns the number of survey responses."""
        # The organisation units before the surveys, tickets and visits: each takes its customer's.
        from manyi.operations.unit_demo import load_demo_units

        load_demo_units(users)
        from manyi.campaigns.demo import load_demo_surveys
        from manyi.improvements.demo import load_demo_improvements
        from manyi.operations.choices import Industry
        from manyi.operations.company import set_up_company
        from manyi.reports.demo import load_demo_reports
        from manyi.visits.demo import load_demo_visits

        responses = load_demo_surveys(
            list(Customer.objects.filter(pk__in=customer_ids.values()).order_by("code")),
            users,
            random.Random(demo_data.SEED + 1),
        )
        # Visits add answers to the surveys: the improvement quotes the figures after them.
        load_demo_visits(users, random.Random(demo_data.SEED + 2))
        # This year's inspections and mystery visits of the projects (issue 19), findings and all.
        from manyi.inspections.demo import load_demo_inspections

        load_demo_inspections(users, random.Random(demo_data.SEED + 3))
        # The 华东 region's invited-customer forum, one opinion already a ticket (issue 19).
        from manyi.forums.demo import load_demo_forums

        load_demo_forums(users)
        # The year's evaluation of the units, published, with rewards and penalties (issue 19).
        from manyi.evaluation.demo import load_demo_evaluation

        load_demo_evaluation(users)
        load_demo_improvements(users)
        load_demo_reports(users)
        # A machinery company: its categories and call scripts, not property management's.
        set_up_company(demo_data.COMPANY, Industry.MANUFACTURING)
        return responses

    def create_departments(self):
        departments = {}
        for code, name in demo_data.DEPARTMENTS:
            departments[code] = (
                Department.objects.filter(code=code).first()
                or Department.objects.filter(name=name).first()
                or Department.objects.create(code=code, name=name)
            )
        return departments

    def create_users(self, departments, encoded_password):
        """Create the demo users that do not exist yet; return them by username."""
        existing = {
            u.username: u
            for u in User.objects.filter(username__in=[s.username for s in demo_data.DEMO_USERS])
        }
        users = {}
        for spec in demo_data.DEMO_USERS:
            user = existing.get(spec.username)
            if user is None:
                user = User(
                    username=spec.username,
                    role=spec.role,
                    department=departments[spec.department],
                    last_name=spec.last_name,
                    first_name=spec.first_name,
                    phone=spec.phone,
                    email=f"{spec.username}@{demo_data.STAFF_EMAIL_DOMAIN}",
                    is_superuser=spec.is_superuser,
                    password=encoded_password,
                )
                user.save()
            users[spec.username] = user
        return users

    def build_customer(self, record, users, today):
        """An unsaved Customer with its search text, purchase summary and lifecycle, computed
        exactly as Customer.save() and refresh_purchase_summary() would."""
        customer = Customer(
            code=record.code,
            kind=record.kind,
            name=record.name,
            customer_type=record.customer_type,
            industry=record.industry,
            phone=record.phone,
            email=record.email,
            region=record.region,
            province=record.province,
            city=record.city,
            address=record.address,
            owner=users[record.owner],
            preferred_contact_method=record.preferred_contact_method,
            preferences=record.preferences,
            consent_to_contact=record.consent_to_contact,
            consent_changed_at=record.consent_changed_at,
            notes=record.notes,
            created_at=record.created_at,
        )
        contacts = [Contact(name=c.name, phone=c.phone, email=c.email) for c in record.contacts]
        customer.search_text = customer.build_search_text(contacts=contacts)
        if record.purchases:
            customer.first_purchase_on = min(p.purchased_on for p in record.purchases)
            customer.last_purchase_on = max(p.purchased_on for p in record.purchases)
            customer.purchase_count = len(record.purchases)
            customer.purchase_total = sum(p.amount for p in record.purchases)
        customer.lifecycle = customer.compute_lifecycle(today)
        return customer

    # --- output ----------------------------------------------------------------------------
    def report(self, counts, seconds):
        customers = counts["customers"]

        def tally(attribute, choices):
            found = Counter(getattr(c, attribute) for c in customers)
            return " · ".join(f"{zh(label)} {found.get(value, 0)}" for value, label in choices)

        self.stdout.write(
            self.style.SUCCESS(f"已加载演示数据 / Demo data loaded: {demo_data.COMPANY} ({seconds:.1f} s)")
        )
        self.stdout.write(
            f"  部门 departments {counts['departments']} · 用户 users {len(demo_data.DEMO_USERS)} · "
            f"产品 products {len(demo_data.PRODUCTS)} · 客户 customers {len(customers)} · "
            f"联系人 contacts {counts['contacts']} · 购买记录 purchases {counts['purchases']} · "
            f"调查答卷 survey responses {counts['responses']}"
        )
        self.stdout.write(f"  客户类别 kinds: {tally('kind', CustomerKind.choices)}")
        self.stdout.write(f"  客户类型 types: {tally('customer_type', CustomerType.choices)}")
        self.stdout.write(f"  生命周期 lifecycle: {tally('lifecycle', Lifecycle.choices)}")

    def print_logins(self, rows, source):
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"网址 / URL: {settings.SITE_URL}"))
        where = (
            "来自环境变量 DEMO_PASSWORD / from DEMO_PASSWORD"
            if source == "env"
            else f"保存在 / kept in {password_file()}"
        )
        self.stdout.write(f"演示账号 / Demo logins (密码 password: {where}):")
        table = [("用户名 username", "角色 role", "部门 department", "密码 password")]
        for user, shown in rows:
            role = f"{zh(Role(user.role).label)} {user.role}"
            department = f"{user.department.name} {user.department.code}" if user.department else "-"
            if not user.is_active:
                shown += "（已停用 / inactive）"
            table.append((user.username, role, department, shown))
        widths = [max(display_width(row[i]) for row in table) for i in range(3)]
        for row in table:
            self.stdout.write(
                "  " + "  ".join(pad(cell, widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3]
            )
