"""Conditions and option codes are stored, copied and loaded (issue 21)."""

import copy
import importlib
import json

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from manyi.surveys import loader
from manyi.surveys.models import Option
from manyi.surveys.tests.test_loader import SMALL, write
from manyi.testing import make_question, make_questionnaire


def test_new_options_get_the_codes_a1_a2_in_order(db):
    question = make_question(make_questionnaire(), code="Q1")
    assert [o.code for o in question.options.all()] == ["A1", "A2", "A3", "A4", "A5"]
    extra = Option.objects.create(question=question, position=9, label="说不清")
    assert extra.code == "A6"


def test_an_option_code_is_unique_within_its_question(db):
    questionnaire = make_questionnaire()
    q1, q2 = make_question(questionnaire, code="Q1"), make_question(questionnaire, code="Q2")
    Option.objects.create(question=q1, label="别的", code="X1")
    Option.objects.create(question=q2, label="别的", code="X1")  # another question: fine
    with transaction.atomic(), pytest.raises(IntegrityError):
        Option.objects.create(question=q1, label="重复", code="X1")


def test_the_migration_gives_existing_options_codes_in_their_questions_order(db):
    questionnaire = make_questionnaire()
    q1, q2 = make_question(questionnaire, code="Q1"), make_question(questionnaire, code="Q2")
    Option.objects.update(code="")
    q1.options.filter(label="很满意").update(position=7)  # moved to the end
    migration = importlib.import_module("manyi.surveys.migrations.0007_question_conditions")
    migration.fill_codes(apps, None)
    assert list(q1.options.order_by("position", "pk").values_list("label", "code")) == [
        ("满意", "A1"),
        ("可以接受", "A2"),
        ("不满意", "A3"),
        ("很不满意", "A4"),
        ("很满意", "A5"),
    ]
    assert list(q2.options.values_list("code", flat=True)) == ["A1", "A2", "A3", "A4", "A5"]


def test_a_new_version_and_a_copy_keep_conditions_and_codes(db):
    questionnaire = make_questionnaire()
    q3 = make_question(questionnaire, code="Q3")
    make_question(questionnaire, code="Q4", condition='Q3 == "A4" or Q3 == "A5"')
    q3.options.filter(code="A5").update(code="BAD", condition="answered(Q1)")
    for duplicate in (
        questionnaire.duplicate(new_version=True),
        questionnaire.duplicate(title="副本"),
    ):
        assert duplicate.questions.get(code="Q4").condition == 'Q3 == "A4" or Q3 == "A5"'
        option = duplicate.questions.get(code="Q3").options.get(code="BAD")
        assert (option.label, option.condition) == ("很不满意", "answered(Q1)")


def test_a_template_may_carry_conditions_and_option_codes(db, tmp_path):
    data = copy.deepcopy(SMALL)
    q3 = data["questions"][0]
    q3["options"] = [{"label": "网站", "code": "WEB"}, {"label": "朋友", "condition": 'Q1 == "A1"'}]
    q3["condition"] = "answered(Q1)"
    questionnaire = loader.create_from_template("small", directory=write(tmp_path, data))
    question = questionnaire.questions.get(code=q3["code"])
    assert question.condition == "answered(Q1)"
    assert [(o.code, o.condition) for o in question.options.all()] == [("WEB", ""), ("A1", 'Q1 == "A1"')]
    assert [o.code for o in questionnaire.questions.get(code="Q1").options.all()] == ["A1", "A2", "A3"]


def test_a_template_condition_that_cannot_be_read_names_the_file_and_question(db, tmp_path):
    data = copy.deepcopy(SMALL)
    data["questions"][0]["condition"] = "(Q1 == 1"
    with pytest.raises(ValueError, match=r"small.json: question Q3: condition '\(Q1 == 1'"):
        loader.create_from_template("small", directory=write(tmp_path, data))
    assert json.dumps(data)  # the file itself was fine JSON
