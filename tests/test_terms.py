"""Words that mean two things in English get their own Chinese term: a person's title (职务) is
not a document's (标题), a customer's kind (企业/个人: 性质) is not a question's or an action's (类型)."""

from django.utils import translation
from django.utils.translation import gettext, pgettext


def test_title_and_kind_in_chinese():
    with translation.override("zh-hans"):
        assert pgettext("person", "title") == pgettext("person", "Title") == "职务"
        assert gettext("title") == gettext("Title") == "标题"
        assert pgettext("customer", "kind") == pgettext("customer", "Kind") == "性质"
        assert gettext("kind") == gettext("Kind") == "类型"


def test_the_pages_use_them(client, db):
    from manyi.accounts.choices import Role
    from manyi.testing import make_user

    client.force_login(make_user("lead", Role.ADMINISTRATOR))
    assert "<th>职务</th>" in client.get("/customers/new/").content.decode()
    assert "<th>标题</th>" in client.get("/surveys/").content.decode()


def test_a_questionnaire_names_its_template_by_title_not_by_internal_key(client, db):
    from manyi.accounts.choices import Role
    from manyi.surveys.loader import create_from_template
    from manyi.testing import make_user

    client.force_login(make_user("lead", Role.ADMINISTRATOR))
    questionnaire = create_from_template("iso9001_ten_items")
    page = client.get(f"/surveys/{questionnaire.pk}/").content.decode()
    assert "iso9001_ten_items" not in page
    assert "顾客满意度调查表" in page
