import json

import pytest

from manyi.surveys import loader
from manyi.surveys.choices import QuestionKind
from manyi.surveys.models import Questionnaire

SHIPPED = [t.key for t in loader.list_templates()]

SMALL = {
    "key": "small",
    "title": "小问卷",
    "title_en": "Small",
    "description": "测试",
    "intro": "您好",
    "thanks": "谢谢",
    "scale_method": "range",
    "validity_rule": "two_thirds",
    "satisfied_threshold": 75,
    "bands": [[80, "好"], [0, "差"]],
    "scales": {
        "three": [
            {"label": "满意", "points": 3},
            {"label": "较满意", "points": 2, "neutral": True},
            {"label": "不满意", "points": 1},
        ]
    },
    "dimensions": [
        {
            "code": "D1",
            "title": "服务",
            "weight": 40,
            "questions": [
                {
                    "code": "Q1",
                    "text": "态度",
                    "kind": "rating",
                    "required": True,
                    "scale": "three",
                    "scored": True,
                    "weight": 2,
                    "ask_importance": True,
                },
                {
                    "code": "Q2",
                    "text": "环境",
                    "kind": "matrix",
                    "required": True,
                    "scale": "three",
                    "scored": True,
                    "rows": [{"code": "Q2a", "text": "大堂"}, {"code": "Q2b", "text": "客房"}],
                },
            ],
        }
    ],
    "questions": [
        {
            "code": "Q3",
            "text": "渠道",
            "kind": "multiple",
            "required": False,
            "scored": False,
            "other": True,
            "options": [{"label": "网站"}, {"label": "朋友"}],
        },
        {"code": "Q4", "text": "推荐", "kind": "nps", "required": False, "scored": False},
    ],
}


def write(tmp_path, data, name="small"):
    (tmp_path / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return tmp_path


def test_it_lists_every_shipped_template_with_its_question_count():
    templates = loader.list_templates()
    assert "iso9001_ten_items" in SHIPPED
    iso = next(t for t in templates if t.key == "iso9001_ten_items")
    key, title, title_en, description, count = iso
    assert (key, title, count) == ("iso9001_ten_items", "顾客满意度调查表", 13)
    assert "ISO 9001" in title_en and description


def test_it_builds_dimensions_questions_options_and_rows_in_file_order(db, tmp_path):
    q = loader.create_from_template("small", directory=write(tmp_path, SMALL))
    assert (q.title, q.intro, q.thanks, q.template_key) == ("小问卷", "您好", "谢谢", "small")
    assert (q.scale_method, q.validity_rule, q.satisfied_threshold) == ("range", "two_thirds", 75)
    assert q.bands == [[80, "好"], [0, "差"]]
    [dimension] = q.dimensions.all()
    assert (dimension.code, dimension.title, dimension.weight) == ("D1", "服务", 40)
    questions = q.questions_in_order()
    assert [x.code for x in questions] == ["Q1", "Q2", "Q3", "Q4"]
    q1, q2, q3, q4 = questions
    assert (q1.kind, q1.weight, q1.scored, q1.ask_importance, q1.dimension) == (
        "rating",
        2,
        True,
        True,
        dimension,
    )
    assert [(o.label, o.points, o.is_neutral) for o in q1.options.all()] == [
        ("满意", 3, False),
        ("较满意", 2, True),
        ("不满意", 1, False),
    ]
    assert [(r.code, r.text) for r in q2.rows.all()] == [("Q2a", "大堂"), ("Q2b", "客房")]
    assert q2.options.count() == 3
    assert (q3.allow_other, q3.required, q3.dimension) == (True, False, None)
    assert [o.points for o in q3.options.all()] == [None, None]
    assert (q4.kind, q4.options.count()) == (QuestionKind.NPS, 0)


def test_an_unknown_kind_names_the_file_and_question_and_saves_nothing(db, tmp_path):
    data = json.loads(json.dumps(SMALL))
    data["questions"][1]["kind"] = "slider"
    with pytest.raises(ValueError, match=r"small\.json.*Q4.*slider"):
        loader.create_from_template("small", directory=write(tmp_path, data))
    assert not Questionnaire.objects.exists()


def test_a_missing_scale_names_the_file_and_question(db, tmp_path):
    data = json.loads(json.dumps(SMALL))
    data["dimensions"][0]["questions"][0]["scale"] = "nope"
    with pytest.raises(ValueError, match=r"small\.json.*Q1.*nope"):
        loader.create_from_template("small", directory=write(tmp_path, data))
    assert not Questionnaire.objects.exists()


def test_an_unknown_key_is_a_key_error(db):
    for key in ("no_such_template", "../SCHEMA", ""):
        with pytest.raises(KeyError):
            loader.create_from_template(key)


@pytest.mark.parametrize("key", SHIPPED)
def test_every_shipped_template_loads_and_scores(db, key, people):
    questionnaire = loader.create_from_template(key, by=people.alice)
    data = loader.read_template(key)
    assert questionnaire.created_by == people.alice
    assert questionnaire.questions.count() == sum(1 for _ in loader._all_questions(data))
    assert questionnaire.template_key == key
    scoring = pytest.importorskip("manyi.analytics.scoring")
    scheme = questionnaire.scoring_scheme()
    scoring.validate_scheme(scheme)
    assert scheme.items
    # A customer who picks the best option everywhere scores 100.
    best = {item.key: item.max_points for item in scheme.items}
    result = scoring.score_response(scheme, best)
    assert result.valid and round(result.index, 6) == 100
