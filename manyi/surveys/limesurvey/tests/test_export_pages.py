"""A questionnaire with pages and dimensions exported as .lss and imported again (issue 21).

LimeSurvey's question groups are the pages; the dimensions travel in each question's cssclass
(limesurvey/marks.py). The round trip must give the same pages, questions, options, points,
conditions and dimensions (code, title, weight, order), so the index is scored the same.
"""

import pytest
from django.utils import translation

from manyi.surveys.choices import QuestionKind
from manyi.surveys.limesurvey import mapping, reader, structure
from manyi.surveys.limesurvey.export import export_lss
from manyi.surveys.limesurvey.importing import create_questionnaire
from manyi.surveys.limesurvey.marks import dimension_mark, read_dimension_mark
from manyi.surveys.models import Dimension, Option, Page
from manyi.testing import make_question, make_questionnaire

pytestmark = pytest.mark.django_db

SCALE = [
    ("很满意", 5, False),
    ("满意", 4, False),
    ("一般", 3, True),
    ("不满意", 2, False),
    ("很不满意", 1, False),
]
CHOICES = [("价格", None, False), ("交期", None, False), ("服务", None, False)]


@pytest.fixture
def questionnaire():
    survey = make_questionnaire(title="物业服务满意度调查", intro="约 5 分钟。", thanks="谢谢！")
    service = Dimension.objects.create(
        questionnaire=survey, code="D1", title="客服 服务-质量", weight=30, position=1
    )
    repair = Dimension.objects.create(
        questionnaire=survey, code="REPAIR", title="维修", weight=70, position=2
    )
    first = Page.objects.create(questionnaire=survey, position=0, title="基本情况", description="关于您")
    second = Page.objects.create(
        questionnaire=survey, position=1, title="维修服务", condition='Q1 == "A4" or Q1 == "A5"'
    )
    third = Page.objects.create(questionnaire=survey, position=2, title="总体评价", randomise_questions=True)
    make_question(survey, "Q1", text="客服态度", options=SCALE, dimension=service, page=first)
    make_question(survey, "Q2", text="是否报修过", kind=QuestionKind.YES_NO, scored=False, page=first,
                  options=[("是", None, False), ("否", None, False)])  # fmt: skip
    make_question(survey, "Q3", text="维修质量", kind=QuestionKind.MATRIX, options=SCALE, dimension=repair,
                  page=second, rows=[("R1", "及时"), ("R2", "彻底")], condition='Q2 == "A1"')  # fmt: skip
    make_question(survey, "Q4", text="原因", kind=QuestionKind.TEXT, options=(), required=False,
                  page=second, condition="Q3.R1.points <= 2")  # fmt: skip
    make_question(survey, "Q5", text="整体服务", options=SCALE, dimension=service, page=third)
    focus = make_question(survey, "Q6", text="您关注哪些方面", kind=QuestionKind.MULTIPLE, options=CHOICES,
                          page=third, scored=False)  # fmt: skip
    Option.objects.filter(question=focus, label="服务").update(condition="Q5.points <= 2", anchored=True)
    focus.randomise_options = True
    focus.save()
    return survey


def shape(survey):
    """Everything the round trip keeps, as plain values."""
    return {
        "pages": [(p.title, p.description, p.condition, p.randomise_questions) for p in survey.pages.all()],
        "dimensions": [(d.code, d.title, d.weight, d.position) for d in survey.dimensions.all()],
        "questions": [
            (
                q.code,
                q.kind,
                q.text,
                q.page.title if q.page else None,
                q.dimension.code if q.dimension else None,
                q.condition,
                q.randomise_options,
                [(o.code, o.label, o.points, o.condition, o.anchored) for o in q.options.all()],
                [(r.code, r.text) for r in q.rows.all()],
            )
            for q in survey.questions_in_order()
        ],
    }


def imported(data):
    plan = mapping.plan_questionnaire(structure.read_survey(reader.read_lss_bytes(data)))
    return plan, create_questionnaire(plan)


def test_pages_questions_options_points_conditions_dimensions_and_shuffling_come_back(questionnaire):
    with translation.override("en"):
        data, notes = export_lss(questionnaire)
        plan, again = imported(data)
    assert shape(again) == shape(questionnaire)
    assert shape(again)["dimensions"] == [("D1", "客服 服务-质量", 30.0, 1), ("REPAIR", "维修", 70.0, 2)]
    assert any("manyi-dimension" in str(note) for note in notes)
    assert any("dimension marks" in str(note) for note in plan.report.notes)
    # The same scoring: items, their dimensions and the dimensions' weights.
    assert again.scoring_scheme() == questionnaire.scoring_scheme()


def test_a_dimension_spread_over_pages_keeps_its_questions(questionnaire):
    _plan, again = imported(export_lss(questionnaire)[0])
    assert list(again.questions.filter(dimension__code="D1").values_list("code", flat=True)) == ["Q1", "Q5"]
    assert [p.title for p in again.pages.all()] == ["基本情况", "维修服务", "总体评价"]


def test_without_pages_the_dimensions_keep_their_codes_and_weights_too():
    survey = make_questionnaire(title="年度调查")
    quality = Dimension.objects.create(
        questionnaire=survey, code="QUAL", title="质量", weight=2.5, position=1
    )
    make_question(survey, "Q1", options=SCALE, dimension=quality)
    make_question(survey, "Q2", kind=QuestionKind.TEXT, options=())
    _plan, again = imported(export_lss(survey)[0])
    assert [(d.code, d.title, d.weight) for d in again.dimensions.all()] == [("QUAL", "质量", 2.5)]
    assert [q.dimension.code if q.dimension else None for q in again.questions_in_order()] == ["QUAL", None]


@pytest.mark.parametrize(
    "cssclass",
    [
        "manyi-dimension-1-D1-1-",  # no title: the code is the title
        "manyi-dimension-1-D1-999-%E8%B4%A8",  # weight beyond 100: 1
        "manyi-dimension-1-D1-nan-%E8%B4%A8",  # not a number: 1
        "x manyi-dimension-1-D1-1-%E8%B4%A8 y",
    ],
)
def test_a_mark_from_elsewhere_reads_safely(cssclass):
    mark = read_dimension_mark(cssclass)
    assert (mark.code, mark.weight) == ("D1", 1.0)
    assert mark.title in ("D1", "质")


@pytest.mark.parametrize(
    "cssclass", ["", "manyi-kind-rating", "manyi-dimension-1--1-x", "manyi-dimension-1-%FF-1-x"]
)
def test_no_mark_or_a_broken_one_gives_no_dimension(cssclass):
    assert read_dimension_mark(cssclass) is None


def test_a_mark_is_one_class_token_whatever_the_title():
    dimension = Dimension(code="D-1", title="服务 质量 - 一", weight=0.5, position=3)
    mark = dimension_mark(dimension)
    assert " " not in mark and mark.startswith("manyi-dimension-3-D%2D1-0%2E5-")
    assert read_dimension_mark(mark) == read_dimension_mark(f"a {mark} b")
    assert (read_dimension_mark(mark).code, read_dimension_mark(mark).title) == ("D-1", "服务 质量 - 一")


def test_an_option_condition_of_a_single_choice_is_said_to_be_left_out(questionnaire):
    Option.objects.filter(question__code="Q1", code="A5").update(condition='Q2 == "A1"')
    with translation.override("en"):
        _data, notes = export_lss(questionnaire)
    assert "Q1: an option's condition was left out." in [str(note) for note in notes]


def test_a_random_group_that_is_not_a_whole_page_is_reported(questionnaire):
    data, _notes = export_lss(questionnaire)
    # one of the page's two questions in another random group: no Manyi equivalent
    text = data.decode().replace("manyipage3", "mixed", 1)
    plan = mapping.plan_questionnaire(structure.read_survey(reader.read_lss_bytes(text.encode())))
    assert sorted(plan.report.unsupported["random_group"]["examples"]) == ["manyipage3: Q6", "mixed: Q5"]
    assert not any(group.randomise for group in plan.groups)
