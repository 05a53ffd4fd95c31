"""The company setup page (公司设置), the category tree page, and what they change: the
categories the public feedback form and the staff ticket form offer, the template library's order."""

import re

import pytest
from django.urls import reverse

from manyi.operations import company
from manyi.operations.models import Company
from manyi.surveys.loader import TEMPLATE_DIR
from manyi.tickets.models import Category
from manyi.visits.models import VisitScript

pytestmark = pytest.mark.django_db

SETUP = reverse("operations:company")
TREE = reverse("operations:categories")
ADD = reverse("operations:category_add")
SAVE = reverse("operations:category_save")
MOVE = reverse("operations:category_move")
FEEDBACK = reverse("feedback:form")
NEW_TICKET = reverse("tickets:create")


def offered(page):
    """The labels of the category select of a rendered form, in order."""
    select = re.search(r'<select name="category"[^>]*>(.*?)</select>', page, re.S).group(1)
    return [
        label
        for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
        if value
    ]


def public_form_offers(client_as):
    return offered(client_as(None).get(FEEDBACK).content.decode())


def staff_form_offers(client_as, people):
    return offered(client_as(people.amy).get(NEW_TICKET).content.decode())


def state():
    """Everything the pages may change."""
    return (
        list(Company.objects.values_list("name", "industry")),
        list(
            Category.objects.order_by("pk").values_list("code", "name", "parent_id", "position", "is_active")
        ),
        list(VisitScript.objects.order_by("pk").values_list("name", "is_active")),
    )


def category(code):
    return Category.objects.get(code=code)


# --------------------------------------------------------------------------- who may


def requests():
    return [
        ("get", SETUP, {}),
        ("post", SETUP, {"name": "某某物业", "industry": "property"}),
        ("get", TREE, {}),
        ("post", ADD, {"name": "噪音"}),
        ("post", SAVE, {"category": "", "name": "改名", "is_active": "on"}),
        ("post", MOVE, {"category": "", "direction": "down"}),
    ]


@pytest.mark.parametrize("who", ["sam", "amy", "hank", "ana"])
@pytest.mark.parametrize("number", range(6))
def test_only_administrators_set_up_the_company_and_edit_the_categories(people, client_as, who, number):
    method, url, data = requests()[number]
    if "category" in data:
        data = {**data, "category": str(category("price").pk)}
    before = state()
    response = getattr(client_as(getattr(people, who)), method)(url, data)
    assert response.status_code == 403 and state() == before


@pytest.mark.parametrize("number", range(6))
def test_signed_out_visitors_go_to_the_login_page(client_as, number):
    method, url, data = requests()[number]
    before = state()
    response = getattr(client_as(None), method)(url, data)
    assert response.status_code == 302 and response.url.startswith(reverse("login")) and state() == before


def test_the_user_menu_links_the_setup_for_administrators_only(people, client_as):
    assert SETUP in client_as(people.alice).get(reverse("home")).content.decode()
    assert SETUP not in client_as(people.sam).get(reverse("home")).content.decode()


# --------------------------------------------------------------------------- the setup page


def test_before_setup_the_page_says_so_and_shows_what_manufacturing_brings(people, client_as):
    response = client_as(people.alice).get(SETUP)
    page = response.content.decode()
    assert response.status_code == 200 and response.context["company"] is None
    assert 'class="alert alert-warning" id="company-status"' in page
    assert "外观缺陷" in page and "满意度回访（首次）" in page and "顾客满意度调查表" in page
    # What setting up would remove from the tree installed with the system: property management.
    assert "物业管理 › 房屋管理" in response.context["plan"].removed


def test_the_page_previews_another_industry_and_ignores_an_unknown_one(people, client_as):
    page = client_as(people.alice).get(SETUP, {"industry": "hotel"}).content.decode()
    assert "前厅服务" in page and "离店回访" in page and "宾客满意度调查表（GSTS）" in page
    assert '<option value="hotel" selected>' in page
    response = client_as(people.alice).get(SETUP, {"industry": "<script>"})
    assert response.status_code == 200 and response.context["industry"] == "manufacturing"


def test_setting_up_a_machinery_company_takes_property_management_off_the_public_form(people, client_as):
    assert "物业管理 › 房屋管理" in public_form_offers(client_as)  # the tree installed with the system
    response = client_as(people.alice).post(
        SETUP, {"name": "浙江恒信精密机械有限公司", "industry": "manufacturing"}
    )
    assert response.status_code == 302 and response.url == SETUP
    assert (
        Company.current().name == "浙江恒信精密机械有限公司" and Company.current().set_up_by == people.alice
    )
    public = public_form_offers(client_as)
    assert not [label for label in public if "物业" in label or "房屋管理" in label]
    assert "产品质量 › 外观缺陷" in public and "售后服务 › 备件供应" in public
    assert staff_form_offers(client_as, people) == public
    page = client_as(people.alice).get(SETUP).content.decode()
    assert "浙江恒信精密机械有限公司" in page and "alert-warning" not in page


def test_a_property_company_is_offered_the_seeds_property_classes(people, client_as):
    client_as(people.alice).post(SETUP, {"name": "某某物业服务有限公司", "industry": "property"})
    public = public_form_offers(client_as)
    assert public[0] == "房屋管理" and "设备管理 › 电梯" in public and "产品包装" not in public


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "industry": "manufacturing"},
        {"name": "   ", "industry": "manufacturing"},
        {"name": "某公司", "industry": "bakery"},
        {"name": "某公司"},
        {"name": "长" * 101, "industry": "hotel"},
    ],
)
def test_bad_setup_input_is_shown_and_changes_nothing(people, client_as, data):
    before = state()
    response = client_as(people.alice).post(SETUP, data)
    assert response.status_code == 400 and response.context["form"].errors and state() == before


def test_saving_the_same_industry_keeps_the_administrators_edits_unless_restoring(people, client_as):
    alice = client_as(people.alice)
    alice.post(SETUP, {"name": "恒信", "industry": "manufacturing"})
    alice.post(SAVE, {"category": str(category("price").pk), "name": "价格", "is_active": ""})
    alice.post(SETUP, {"name": "恒信精密", "industry": "manufacturing"})
    assert "价格" not in public_form_offers(client_as)
    client_as(people.alice).post(SETUP, {"name": "恒信精密", "industry": "manufacturing", "reapply": "on"})
    assert "价格" in public_form_offers(client_as)


# --------------------------------------------------------------------------- the category tree


@pytest.fixture
def machinery(people):
    company.set_up_company("恒信", "manufacturing")


def test_the_tree_page_lists_every_category_with_its_code(people, client_as, machinery):
    response = client_as(people.alice).get(TREE)
    page = response.content.decode()
    assert response.status_code == 200
    for node in Category.objects.all():
        assert node.code in page
    roots = [root.code for root, _children in response.context["tree"]]
    assert roots[:2] == ["product_quality", "logistics"]


def test_an_added_category_is_offered_on_both_forms(people, client_as, machinery):
    response = client_as(people.alice).post(
        ADD, {"parent": str(category("product_quality").pk), "name": " 噪音与振动 ", "code": ""}
    )
    assert response.status_code == 302
    added = Category.objects.get(name="噪音与振动")
    assert added.code == "product_quality_1" and added.is_active
    assert (
        public_form_offers(client_as)[len(category("product_quality").children.all())]
        == "产品质量 › 噪音与振动"
    )
    assert "产品质量 › 噪音与振动" in staff_form_offers(client_as, people)
    client_as(people.alice).post(ADD, {"name": "环保", "code": "environment"})
    assert category("environment").parent is None and public_form_offers(client_as)[-1] == "环保"


def test_renaming_and_deactivating_change_what_the_forms_offer(people, client_as, machinery):
    alice = client_as(people.alice)
    alice.post(
        SAVE, {"category": str(category("mfg_delivery_late").pk), "name": "交期延误", "is_active": "on"}
    )
    assert "物流配送 › 交期延误" in public_form_offers(client_as)
    client_as(people.alice).post(
        SAVE, {"category": str(category("logistics").pk), "name": "物流配送"}
    )  # unticked
    public = public_form_offers(client_as)
    assert not [label for label in public if label.startswith("物流配送")]  # the root takes its children
    assert staff_form_offers(client_as, people) == public
    client_as(people.alice).post(
        SAVE, {"category": str(category("logistics").pk), "name": "物流配送", "is_active": "on"}
    )
    assert "物流配送 › 交期延误" in public_form_offers(client_as)


def test_moving_a_category_changes_the_order_the_forms_offer(people, client_as, machinery):
    before = public_form_offers(client_as)
    assert before.index("物流配送") < before.index("产品包装")
    client_as(people.alice).post(MOVE, {"category": str(category("packaging").pk), "direction": "up"})
    after = public_form_offers(client_as)
    assert after.index("产品包装") < after.index("物流配送")
    assert staff_form_offers(client_as, people) == after
    # At the top already: nothing moves.
    client_as(people.alice).post(MOVE, {"category": str(category("product_quality").pk), "direction": "up"})
    assert public_form_offers(client_as) == after


@pytest.mark.parametrize(
    ("url", "data"),
    [
        (ADD, {"name": ""}),
        (ADD, {"name": "产品质量"}),  # a sibling of that name exists
        (ADD, {"name": "新分类", "code": "price"}),  # the code is taken
        (ADD, {"name": "新分类", "code": "不是代码"}),
        (ADD, {"name": "三级", "parent": "CHILD"}),  # two levels only
        (ADD, {"name": "新分类", "parent": "999999"}),
        (ADD, {"name": "新分类", "parent": "1e3"}),
        (SAVE, {"category": "999999", "name": "改名", "is_active": "on"}),
        (SAVE, {"category": "abc", "name": "改名", "is_active": "on"}),
        (SAVE, {"category": "PRICE", "name": "", "is_active": "on"}),
        (SAVE, {"category": "PRICE", "name": "产品质量", "is_active": "on"}),
        (MOVE, {"category": "PRICE", "direction": "sideways"}),
        (MOVE, {"category": "", "direction": "up"}),
    ],
)
def test_bad_category_input_is_refused_with_a_message_and_changes_nothing(
    people, client_as, machinery, url, data
):
    replace = {"CHILD": str(category("mfg_delivery_late").pk), "PRICE": str(category("price").pk)}
    data = {key: replace.get(value, value) for key, value in data.items()}
    before = state()
    response = client_as(people.alice).post(url, data)
    assert response.status_code == 400 and state() == before
    page = response.content.decode()
    assert 'class="alert alert-danger' in page or "invalid-feedback" in page


# --------------------------------------------------------------------------- template library


def test_the_template_library_offers_the_industrys_templates_first(people, client_as):
    library = reverse("surveys:templates")
    shipped = len(list(TEMPLATE_DIR.glob("*.json")))  # every template the product ships
    response = client_as(people.sam).get(library)
    assert not response.context["first"] and len(response.context["others"]) == shipped  # before setup
    company.set_up_company("某酒店", "hotel")
    response = client_as(people.sam).get(library)
    assert [t.key for t in response.context["first"]] == ["hotel_guest_gsts", "relationship_nps"]
    others = [t.key for t in response.context["others"]]
    assert "iso9001_ten_items" in others and "hotel_guest_gsts" not in others and len(others) == shipped - 2
    page = response.content.decode()
    assert page.index('data-key="hotel_guest_gsts"') < page.index('id="templates-other"')
    assert page.index('id="templates-other"') < page.index('data-key="iso9001_ten_items"')
    assert reverse("surveys:use_template", args=["iso9001_ten_items"]) in page  # still reachable
