import pytest
from django.urls import reverse

from manyi.surveys import loader
from manyi.surveys.models import Dimension, Questionnaire
from manyi.testing import make_question, make_questionnaire, make_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    questionnaire = make_questionnaire(title="年度顾客满意度调查")
    service = Dimension.objects.create(
        questionnaire=questionnaire, code="D1", title="服务", weight=60, position=1
    )
    quality = Dimension.objects.create(
        questionnaire=questionnaire, code="D2", title="质量", weight=40, position=2
    )
    make_question(questionnaire, "Q1", dimension=service, text="服务态度", position=1)
    make_question(questionnaire, "Q2", dimension=service, text="响应速度", position=2)
    make_question(questionnaire, "Q3", dimension=quality, text="产品质量", position=3)
    return questionnaire


def question_post(**overrides):
    """A valid POST for a rating question on the 10/8/6/4/2 scale."""
    data = {
        "kind": "rating",
        "code": "Q9",
        "text": "交货及时性",
        "help_text": "",
        "dimension": "",
        "required": "on",
        "weight": "1",
        "scored": "on",
        "options-TOTAL_FORMS": "5",
        "options-INITIAL_FORMS": "0",
        "rows-TOTAL_FORMS": "0",
        "rows-INITIAL_FORMS": "0",
    }
    for i, (label, points, neutral) in enumerate(
        [
            ("很满意", 10, False),
            ("满意", 8, False),
            ("可以接受", 6, True),
            ("不满意", 4, False),
            ("很不满意", 2, False),
        ]
    ):
        data[f"options-{i}-label"] = label
        data[f"options-{i}-points"] = str(points)
        if neutral:
            data[f"options-{i}-is_neutral"] = "on"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def snapshot(questionnaire):
    """Everything the builder can change, to check that a rejected edit changed nothing."""
    questionnaire.refresh_from_db()
    return (
        [
            (f, getattr(questionnaire, f))
            for f in ("title", "intro", "bands", "scale_method", "satisfied_threshold")
        ],
        list(questionnaire.dimensions.values_list("code", "title", "weight", "position")),
        [
            (
                q.code,
                q.text,
                q.kind,
                q.weight,
                q.position,
                q.dimension_id,
                [(o.label, o.points, o.is_neutral) for o in q.options.all()],
                [r.code for r in q.rows.all()],
            )
            for q in questionnaire.questions.order_by("pk")
        ],
        Questionnaire.objects.count(),
    )


def test_the_list_shows_current_questionnaires_with_version_and_question_count(client_as, people, survey):
    make_response(survey)
    survey.editable_version(by=people.alice)
    make_questionnaire(title="已归档", is_archived=True)
    response = client_as(people.ana).get(reverse("surveys:list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "年度顾客满意度调查" in page and "v2" in page and "已归档" not in page
    assert next(iter(response.context["rows"]))[0].question_count == 3


def test_the_template_library_lists_the_shipped_templates(client_as, people):
    response = client_as(people.sam).get(reverse("surveys:templates"))
    assert response.status_code == 200
    for template in loader.list_templates():
        assert template.title in response.content.decode()


def test_using_a_template_creates_the_questionnaire_and_opens_it(client_as, people):
    response = client_as(people.sam).post(reverse("surveys:use_template", args=["iso9001_ten_items"]))
    questionnaire = Questionnaire.objects.get()
    assert response.status_code == 302 and response.url == questionnaire.get_absolute_url()
    assert questionnaire.template_key == "iso9001_ten_items" and questionnaire.created_by == people.sam
    assert questionnaire.questions.count() == 13


def test_using_an_unknown_template_is_404_and_creates_nothing(client_as, people):
    response = client_as(people.alice).post(reverse("surveys:use_template", args=["no_such"]))
    assert response.status_code == 404 and not Questionnaire.objects.exists()


def test_using_a_template_needs_post(client_as, people):
    response = client_as(people.alice).get(reverse("surveys:use_template", args=["iso9001_ten_items"]))
    assert response.status_code == 405 and not Questionnaire.objects.exists()


def test_a_blank_questionnaire_is_created_with_a_title(client_as, people):
    client = client_as(people.alice)
    assert client.post(reverse("surveys:create"), {"title": ""}).status_code == 200
    assert not Questionnaire.objects.exists()
    response = client.post(reverse("surveys:create"), {"title": "新问卷", "description": ""})
    questionnaire = Questionnaire.objects.get()
    assert response.url == questionnaire.get_absolute_url() and questionnaire.created_by == people.alice


def test_the_builder_page_shows_dimensions_and_questions_grouped(client_as, people, survey):
    response = client_as(people.alice).get(survey.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("服务态度") < page.index("响应速度") < page.index("产品质量")
    assert "Add question" in page or "添加" in page


def test_settings_are_saved_with_bands_as_lines(client_as, people, survey):
    response = client_as(people.alice).post(
        reverse("surveys:settings", args=[survey.pk]),
        {
            "title": "新标题",
            "description": "",
            "intro": "您好",
            "thanks": "谢谢",
            "scale_method": "range",
            "validity_rule": "two_thirds",
            "index_method": "respondent_mean",
            "satisfied_threshold": "80",
            "bands_text": "85 很满意\n60 满意\n0 不满意",
        },
    )
    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.title, survey.scale_method, survey.satisfied_threshold) == ("新标题", "range", 80)
    assert survey.index_method == "respondent_mean"
    assert survey.bands == [[85, "很满意"], [60, "满意"], [0, "不满意"]]


@pytest.mark.parametrize(
    "bands, threshold",
    [
        ("90 很满意\n95 满意\n0 差", "70"),
        ("90 很满意\n60 满意", "70"),
        ("很满意", "70"),
        ("90 很满意\n0 差", "170"),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(client_as, people, survey, bands, threshold):
    before = snapshot(survey)
    response = client_as(people.alice).post(
        reverse("surveys:settings", args=[survey.pk]),
        {
            "title": "改了",
            "scale_method": "ratio",
            "validity_rule": "all_required",
            "index_method": "item_first",
            "satisfied_threshold": threshold,
            "bands_text": bands,
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors
    assert snapshot(survey) == before


def test_a_dimension_is_added_edited_and_deleted(client_as, people, survey):
    client = client_as(people.alice)
    client.post(
        reverse("surveys:dimension_create", args=[survey.pk]), {"code": "D3", "title": "价格", "weight": "20"}
    )
    price = survey.dimensions.get(code="D3")
    assert (price.weight, price.position) == (20, 3)
    client.post(
        reverse("surveys:dimension_edit", args=[survey.pk, price.pk]),
        {"code": "D3", "title": "价格合理性", "weight": "25"},
    )
    price.refresh_from_db()
    assert (price.title, price.weight) == ("价格合理性", 25)
    client.post(reverse("surveys:dimension_delete", args=[survey.pk, price.pk]))
    assert not survey.dimensions.filter(code="D3").exists()


@pytest.mark.parametrize(
    "data",
    [
        {"code": "D1", "title": "重复", "weight": "10"},
        {"code": "D9", "title": "零", "weight": "0"},
        {"code": "D9", "title": "负", "weight": "-1"},
        {"code": "D9", "title": "手误", "weight": "1e9"},
        {"code": "D9", "title": "超过一百", "weight": "100.5"},
        {"code": "D9", "title": "非数", "weight": "nan"},
    ],
)
def test_a_dimension_with_a_used_code_or_no_weight_is_refused(client_as, people, survey, data):
    before = snapshot(survey)
    response = client_as(people.alice).post(reverse("surveys:dimension_create", args=[survey.pk]), data)
    assert response.status_code == 400 and snapshot(survey) == before


def test_dimensions_move_up_and_down(client_as, people, survey):
    quality = survey.dimensions.get(code="D2")
    client_as(people.alice).post(reverse("surveys:dimension_move", args=[survey.pk, quality.pk, "up"]))
    assert list(survey.dimensions.values_list("code", flat=True)) == ["D2", "D1"]
    assert [q.code for q in survey.questions_in_order()] == ["Q3", "Q1", "Q2"]


def test_a_new_question_gets_the_next_free_code_suggested(client_as, people, survey):
    response = client_as(people.alice).get(reverse("surveys:question_create", args=[survey.pk]))
    assert response.context["form"]["code"].value() == "Q4"


def test_a_rating_question_is_added_with_its_options(client_as, people, survey):
    response = client_as(people.alice).post(
        reverse("surveys:question_create", args=[survey.pk]), question_post()
    )
    assert response.status_code == 302
    question = survey.questions.get(code="Q9")
    assert [(o.label, o.points, o.is_neutral) for o in question.options.all()][2] == ("可以接受", 6, True)
    assert question.position == 4
    assert [q.code for q in survey.questions_in_order()][-1] == "Q9"


def test_a_question_is_edited(client_as, people, survey):
    question = survey.questions.get(code="Q1")
    dimension = survey.dimensions.get(code="D2")
    client_as(people.alice).post(
        reverse("surveys:question_edit", args=[survey.pk, question.pk]),
        question_post(code="Q1", text="服务人员的态度", weight="2", dimension=str(dimension.pk)),
    )
    question.refresh_from_db()
    assert (question.text, question.weight, question.dimension) == ("服务人员的态度", 2, dimension)


def test_a_matrix_question_is_saved_with_its_items(client_as, people, survey):
    data = question_post(kind="matrix", code="Q5")
    data.update(
        {
            "rows-TOTAL_FORMS": "2",
            "rows-0-code": "Q5a",
            "rows-0-text": "大堂",
            "rows-1-code": "Q5b",
            "rows-1-text": "客房",
        }
    )
    response = client_as(people.alice).post(reverse("surveys:question_create", args=[survey.pk]), data)
    assert response.status_code == 302
    assert [r.code for r in survey.questions.get(code="Q5").rows.all()] == ["Q5a", "Q5b"]


def options(*items):
    data = {"options-TOTAL_FORMS": str(len(items))}
    for i, (label, points, neutral) in enumerate(items):
        data[f"options-{i}-label"] = label
        data[f"options-{i}-points"] = "" if points is None else str(points)
        if neutral:
            data[f"options-{i}-is_neutral"] = "on"
    return data


BAD_QUESTIONS = {
    "rating with one option": question_post(**{"options-TOTAL_FORMS": "1"}),
    "rating without a neutral": question_post(**{"options-2-is_neutral": None}),
    "rating with two neutrals": question_post(**{"options-0-is_neutral": "on"}),
    "rating without points": question_post(**{"options-1-points": ""}),
    "rating with equal points": question_post(**options(("好", 1, False), ("中", 1, True))),
    "negative points on the ratio scale": question_post(
        **options(("好", 50, False), ("中", 20, True), ("差", -10, False))
    ),
    "a used code": question_post(code="Q1"),
    "a code used by a matrix item": None,  # filled in the test
    "zero weight": question_post(weight="0"),
    "nps with options": question_post(kind="nps", scored=None),
    "text with options": question_post(kind="text", scored=None),
    "yes/no with three options": question_post(
        kind="yes_no",
        scored=None,
        **options(("是", None, False), ("否", None, False), ("不知道", None, False)),
    ),
    "scored multiple choice": question_post(
        kind="multiple", **options(("A", None, False), ("B", None, False))
    ),
    "matrix with one item": question_post(
        kind="matrix", **{"rows-TOTAL_FORMS": "1", "rows-0-code": "Q9a", "rows-0-text": "大堂"}
    ),
    "matrix item with the question's code": question_post(
        kind="matrix",
        **{
            "rows-TOTAL_FORMS": "2",
            "rows-0-code": "Q9",
            "rows-0-text": "大堂",
            "rows-1-code": "Q9b",
            "rows-1-text": "客房",
        },
    ),
    "other on a rating": question_post(allow_other="on"),
}


@pytest.mark.parametrize("case", BAD_QUESTIONS)
def test_a_bad_question_is_refused_with_a_message_and_changes_nothing(client_as, people, survey, case):
    data = BAD_QUESTIONS[case]
    if data is None:
        make_question(survey, "Q7", kind="matrix", rows=[("Q7a", "大堂"), ("Q7b", "客房")])
        data = question_post(code="Q7a")
    before = snapshot(survey)
    response = client_as(people.alice).post(reverse("surveys:question_create", args=[survey.pk]), data)
    assert response.status_code == 400
    editor = response.context["editor"]
    assert editor.errors or editor.form.errors or editor.options.errors
    assert snapshot(survey) == before


@pytest.mark.parametrize("weight", ["0", "1e9", "101"])
def test_a_weight_out_of_range_gets_one_clear_message(client_as, people, survey, weight):
    """A weight of 1e9 (a typing slip) made every other item's weight vanish from the index."""
    before = snapshot(survey)
    response = client_as(people.alice).post(
        reverse("surveys:question_create", args=[survey.pk]), question_post(weight=weight)
    )
    assert response.context["form"].errors["weight"] == ["权重必须大于 0 且不超过 100。"]
    assert snapshot(survey) == before


def test_a_weight_of_100_is_a_percentage_and_accepted(client_as, people, survey):
    response = client_as(people.alice).post(
        reverse("surveys:dimension_create", args=[survey.pk]),
        {"code": "D9", "title": "全部", "weight": "100"},
    )
    assert response.status_code == 302 and survey.dimensions.get(code="D9").weight == 100


def test_the_nps_and_text_questions_are_saved_without_options(client_as, people, survey):
    client = client_as(people.alice)
    base = {"options-TOTAL_FORMS": "0", "scored": None}
    assert (
        client.post(
            reverse("surveys:question_create", args=[survey.pk]), question_post(kind="nps", **base)
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("surveys:question_create", args=[survey.pk]),
            question_post(kind="text", code="Q10", **base),
        ).status_code
        == 302
    )
    assert survey.questions.get(code="Q9").kind == "nps"


def test_questions_move_inside_their_dimension_with_an_htmx_partial(client_as, people, survey):
    q2 = survey.questions.get(code="Q2")
    response = client_as(people.alice).post(
        reverse("surveys:question_move", args=[survey.pk, q2.pk, "up"]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode() and 'id="builder"' in response.content.decode()
    assert [q.code for q in survey.questions_in_order()] == ["Q2", "Q1", "Q3"]
    # The first question of a dimension does not move further up, nor into another dimension.
    client_as(people.alice).post(reverse("surveys:question_move", args=[survey.pk, q2.pk, "up"]))
    q3 = survey.questions.get(code="Q3")
    client_as(people.alice).post(reverse("surveys:question_move", args=[survey.pk, q3.pk, "up"]))
    assert [q.code for q in survey.questions_in_order()] == ["Q2", "Q1", "Q3"]


def test_a_question_is_deleted(client_as, people, survey):
    q1 = survey.questions.get(code="Q1")
    client_as(people.alice).post(reverse("surveys:question_delete", args=[survey.pk, q1.pk]))
    assert not survey.questions.filter(code="Q1").exists()


def test_copy_makes_a_new_questionnaire_family(client_as, people, survey):
    response = client_as(people.sam).post(reverse("surveys:copy", args=[survey.pk]))
    copy = Questionnaire.objects.exclude(pk=survey.pk).get()
    assert response.url == copy.get_absolute_url()
    assert copy.family != survey.family and copy.version == 1
    assert copy.title.startswith("年度顾客满意度调查") and copy.title != survey.title
    assert copy.questions.count() == 3 and copy.dimensions.count() == 2


def test_archive_hides_the_questionnaire_from_the_list(client_as, people, survey):
    client = client_as(people.alice)
    client.post(reverse("surveys:archive", args=[survey.pk]))
    survey.refresh_from_db()
    assert survey.is_archived
    assert survey not in Questionnaire.objects.current()


class TestFrozenQuestionnaires:
    """A questionnaire with responses is never edited in place: the change goes to a new version."""

    @pytest.fixture
    def answered(self, survey):
        make_response(survey)
        return survey

    def assert_new_version(self, response, v1, before):
        v2 = Questionnaire.objects.get(family=v1.family, version=2)
        assert response.status_code == 302 and response.url.startswith(v2.get_absolute_url())
        assert snapshot(v1)[:3] == before[:3]
        return v2

    def test_editing_a_question_creates_version_2_and_leaves_version_1_alone(
        self, client_as, people, answered
    ):
        before = snapshot(answered)
        q1 = answered.questions.get(code="Q1")
        client = client_as(people.alice)
        response = client.post(
            reverse("surveys:question_edit", args=[answered.pk, q1.pk]),
            question_post(code="Q1", text="新的措辞"),
        )
        v2 = self.assert_new_version(response, answered, before)
        assert v2.questions.get(code="Q1").text == "新的措辞"
        assert answered.questions.get(code="Q1").text == "服务态度"
        message = [str(m) for m in response.wsgi_request._messages]
        assert any("v2" in m for m in message)

    def test_an_edit_asked_of_an_older_version_changes_nothing_and_points_to_the_newest(
        self, client_as, people, answered
    ):
        client = client_as(people.alice)
        q1 = answered.questions.get(code="Q1")
        client.post(
            reverse("surveys:question_edit", args=[answered.pk, q1.pk]), question_post(code="Q1", text="一")
        )
        v2 = Questionnaire.objects.get(family=answered.family, version=2)
        before = (snapshot(answered), snapshot(v2))
        response = client.post(reverse("surveys:question_create", args=[answered.pk]), question_post())
        assert response.status_code == 302 and response.url == v2.get_absolute_url()
        assert (snapshot(answered), snapshot(v2)) == before
        page = client.get(answered.get_absolute_url()).content.decode()
        assert 'id="older-note"' in page
        assert reverse("surveys:question_create", args=[answered.pk]) not in page
        assert 'name="bands_text"' not in page

    ACTIONS = (
        "settings",
        "add_question",
        "delete_question",
        "move_question",
        "add_dimension",
        "edit_dimension",
        "delete_dimension",
        "move_dimension",
    )

    def edit(self, questionnaire, action):
        """(url, data) of each builder change, asked of `questionnaire`."""
        q2 = questionnaire.questions.get(code="Q2")
        d2 = questionnaire.dimensions.get(code="D2")
        return {
            "settings": (
                reverse("surveys:settings", args=[questionnaire.pk]),
                {
                    "title": "v2",
                    "scale_method": "ratio",
                    "validity_rule": "all_required",
                    "index_method": "respondent_mean",
                    "satisfied_threshold": "70",
                    "bands_text": "60 好\n0 差",
                },
            ),
            "add_question": (reverse("surveys:question_create", args=[questionnaire.pk]), question_post()),
            "delete_question": (reverse("surveys:question_delete", args=[questionnaire.pk, q2.pk]), {}),
            "move_question": (reverse("surveys:question_move", args=[questionnaire.pk, q2.pk, "up"]), {}),
            "add_dimension": (
                reverse("surveys:dimension_create", args=[questionnaire.pk]),
                {"code": "D3", "title": "价格", "weight": "5"},
            ),
            "edit_dimension": (
                reverse("surveys:dimension_edit", args=[questionnaire.pk, d2.pk]),
                {"code": "D2", "title": "产品", "weight": "5"},
            ),
            "delete_dimension": (reverse("surveys:dimension_delete", args=[questionnaire.pk, d2.pk]), {}),
            "move_dimension": (reverse("surveys:dimension_move", args=[questionnaire.pk, d2.pk, "up"]), {}),
        }[action]

    @pytest.mark.parametrize("action", ACTIONS)
    def test_every_edit_goes_to_a_new_version(self, client_as, people, answered, action):
        before = snapshot(answered)
        response = client_as(people.alice).post(*self.edit(answered, action))
        v2 = self.assert_new_version(response, answered, before)
        assert snapshot(v2)[:3] != before[:3]

    @pytest.mark.parametrize("htmx", [False, True])
    @pytest.mark.parametrize("action", ACTIONS)
    def test_every_edit_asked_of_an_older_version_changes_nothing_and_goes_to_the_newest(
        self, client_as, people, answered, action, htmx
    ):
        v2 = answered.duplicate(new_version=True)
        before = (snapshot(answered), snapshot(v2))
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        response = client_as(people.alice).post(*self.edit(answered, action), **headers)
        if htmx:
            assert response.headers["HX-Redirect"] == v2.get_absolute_url()
        else:
            assert response.status_code == 302 and response.url == v2.get_absolute_url()
        assert (snapshot(answered), snapshot(v2)) == before
        assert Questionnaire.objects.filter(family=answered.family).count() == 2

    def test_htmx_edits_of_a_frozen_questionnaire_send_the_browser_to_the_new_version(
        self, client_as, people, answered
    ):
        q2 = answered.questions.get(code="Q2")
        response = client_as(people.alice).post(
            reverse("surveys:question_move", args=[answered.pk, q2.pk, "up"]), HTTP_HX_REQUEST="true"
        )
        v2 = Questionnaire.objects.get(family=answered.family, version=2)
        assert response.headers["HX-Redirect"].startswith(v2.get_absolute_url())

    def test_a_rejected_edit_of_a_frozen_questionnaire_creates_no_version(self, client_as, people, answered):
        response = client_as(people.alice).post(
            reverse("surveys:question_create", args=[answered.pk]), question_post(code="Q1")
        )
        assert response.status_code == 400
        assert Questionnaire.objects.filter(family=answered.family).count() == 1


def test_the_preview_shows_questions_as_respondents_see_them(client_as, people, survey):
    make_question(survey, "Q4", kind="nps", options=[], scored=False, text="您愿意推荐我们吗？")
    make_question(
        survey, "Q5", kind="matrix", rows=[("Q5a", "大堂"), ("Q5b", "客房")], text="环境", ask_importance=True
    )
    q1 = survey.questions.get(code="Q1")
    q1.ask_importance = True
    q1.save()
    response = client_as(people.amy).get(reverse("surveys:preview", args=[survey.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "服务" in page and "很满意" in page
    assert f'name="preview-{q1.pk}-importance"' in page
    nps = survey.questions.get(code="Q4")
    assert all(f'name="preview-{nps.pk}" id="preview-{nps.pk}-{n}" value="{n}"' in page for n in range(11))
    matrix = survey.questions.get(code="Q5")
    for row in matrix.rows.all():
        assert f'name="preview-{matrix.pk}-{row.pk}"' in page
        assert f'name="preview-{matrix.pk}-{row.pk}-importance"' in page
    assert page.index("服务态度") < page.index("产品质量") < page.index("您愿意推荐我们吗")


def test_the_list_and_builder_pages_take_the_same_number_of_queries_for_more_data(client_as, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(people.alice)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = loader.create_from_template("iso9001_ten_items")
    list_small, detail_small = count(reverse("surveys:list")), count(small.get_absolute_url())
    big = loader.create_from_template("hotel_guest_gsts")
    loader.create_from_template("express_delivery_service")
    assert count(reverse("surveys:list")) == list_small
    assert count(big.get_absolute_url()) == detail_small
    assert count(reverse("surveys:preview", args=[big.pk])) <= detail_small


def test_answer_forms_see_every_builder_edit_made_after_they_were_cached(client_as, people, survey):
    """The answer form reads a per-process cached layout; each edit must be seen at once."""

    def layout():
        return Questionnaire.objects.get(pk=survey.pk).layout()

    def labels(code):
        question = next(q for q in layout().questions if q.code == code)
        return [option.label for option in layout().options[question.pk].values()]

    alice = client_as(people.alice)
    q1 = survey.questions.get(code="Q1")
    assert labels("Q1") == ["很满意", "满意", "可以接受", "不满意", "很不满意"]

    service = str(survey.dimensions.get(code="D1").pk)
    post = question_post(
        code="Q1", text="服务态度", dimension=service, **{"options-4-label": None, "options-4-points": None}
    )
    post["options-TOTAL_FORMS"] = "4"
    alice.post(reverse("surveys:question_edit", args=[survey.pk, q1.pk]), post)
    assert labels("Q1") == ["很满意", "满意", "可以接受", "不满意"]
    assert [item.max_points for item in layout().scheme.items] == [10, 10, 10]

    alice.post(reverse("surveys:question_move", args=[survey.pk, survey.questions.get(code="Q2").pk, "up"]))
    assert [q.code for q in layout().questions] == ["Q2", "Q1", "Q3"]

    dimension = survey.dimensions.get(code="D1")
    dimension.weight = 75
    dimension.save()
    assert [d.weight for d in layout().scheme.dimensions] == [75, 40]

    alice.post(reverse("surveys:question_delete", args=[survey.pk, survey.questions.get(code="Q3").pk]))
    assert [q.code for q in layout().questions] == ["Q2", "Q1"]
