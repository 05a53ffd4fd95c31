"""The questionnaire templates shipped with the product follow their schema.

The templates are JSON files in manyi/surveys/questionnaire_templates/, described in SCHEMA.md
next to them. These are pure data checks: no database, no Django models. `template_problems`
lists everything wrong with one template, so a failure names every broken field at once.
"""

import copy
import itertools
import json
import math
import re
from pathlib import Path

import pytest

TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "manyi" / "surveys" / "questionnaire_templates"
TEMPLATE_FILES = sorted(TEMPLATE_DIR.glob("*.json"))

SHIPPED = {
    "iso9001_ten_items",
    "software_after_sales_visit",
    "express_delivery_service",
    "ecommerce_order_handling",
    "real_estate_owner",
    "relationship_nps",
    "hotel_guest_gsts",
}

TOP_KEYS = {
    "key",
    "title",
    "title_en",
    "description",
    "intro",
    "thanks",
    "scale_method",
    "validity_rule",
    "satisfied_threshold",
    "bands",
    "scales",
    "dimensions",
    "questions",
}
DIMENSION_KEYS = {"code", "title", "weight", "questions"}
QUESTION_REQUIRED_KEYS = {"code", "text", "kind", "required", "scored"}
QUESTION_OPTIONAL_KEYS = {
    "help",
    "weight",
    "scale",
    "options",
    "rows",
    "ask_importance",
    "other",
    "outcome",
    "condition",
    "columns",
    "max_rows",
    "shares_within_100",
}
OPTION_KEYS = {"label", "points", "neutral", "code", "condition"}
ROW_KEYS = {"code", "text"}

KINDS = {"rating", "single", "multiple", "yes_no", "nps", "text", "matrix", "table"}
COLUMN_KEYS = {"code", "label", "kind", "required"}
COLUMN_KINDS = {"text", "number", "percent"}
SCALE_METHODS = {"ratio", "range"}
VALIDITY_RULES = {"all_required", "one_missing_neutral", "two_thirds", "any_answer"}
SCORABLE_KINDS = {"rating", "matrix", "single"}

# The database columns the templates are loaded into (manyi/surveys/models.py).
MAX_LENGTH = {"key": 60, "title": 200, "code": 20, "text": 500, "help": 500, "label": 300, "row": 300}

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def has_chinese(value):
    return isinstance(value, str) and CHINESE.search(value) is not None


def is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def all_questions(template):
    """Every question, dimension questions first, in display order."""
    questions = [q for d in template.get("dimensions", []) for q in d.get("questions", [])]
    return questions + list(template.get("questions", []))


def _check_options(where, options, *, rated, problems):
    """Options of a scale or a choice question; rated ones need points and one neutral."""
    if not isinstance(options, list) or len(options) < 2:
        problems.append(f"{where}: needs a list of at least 2 options")
        return
    labels = []
    for i, option in enumerate(options):
        at = f"{where} option {i + 1}"
        if not isinstance(option, dict):
            problems.append(f"{at}: not an object")
            continue
        if unknown := set(option) - OPTION_KEYS:
            problems.append(f"{at}: unknown keys {sorted(unknown)}")
        label = option.get("label")
        if not isinstance(label, str) or not label.strip():
            problems.append(f"{at}: empty label")
        elif len(label) > MAX_LENGTH["label"]:
            problems.append(f"{at}: label longer than {MAX_LENGTH['label']}")
        labels.append(label)
        if "points" in option and not is_number(option["points"]):
            problems.append(f"{at}: points {option['points']!r} is not a number")
        if "neutral" in option and not isinstance(option["neutral"], bool):
            problems.append(f"{at}: neutral must be true or false")
        if option.get("neutral") and "points" not in option:
            problems.append(f"{at}: a neutral option needs points")
    if len(set(labels)) != len(labels):
        problems.append(f"{where}: duplicate option labels")
    if rated:
        if any("points" not in o for o in options if isinstance(o, dict)):
            problems.append(f"{where}: every option of a rated scale needs points")
        neutral = [o for o in options if isinstance(o, dict) and o.get("neutral") is True]
        if len(neutral) != 1:
            problems.append(f"{where}: exactly one neutral option needed, found {len(neutral)}")
        points = [o["points"] for o in options if isinstance(o, dict) and is_number(o.get("points"))]
        if points and min(points) == max(points):
            problems.append(f"{where}: highest and lowest points are equal")


def _rated_points(template, question):
    """The points a scored question can give, or None if they cannot be found."""
    if question.get("kind") in ("rating", "matrix"):
        options = template.get("scales", {}).get(question.get("scale"))
    else:
        options = question.get("options")
    if not isinstance(options, list):
        return None
    return [o["points"] for o in options if isinstance(o, dict) and is_number(o.get("points"))]


def _check_question(template, question, problems):
    code = question.get("code", "?")
    where = f"question {code}"
    if missing := QUESTION_REQUIRED_KEYS - set(question):
        problems.append(f"{where}: missing keys {sorted(missing)}")
    if unknown := set(question) - QUESTION_REQUIRED_KEYS - QUESTION_OPTIONAL_KEYS:
        problems.append(f"{where}: unknown keys {sorted(unknown)}")
    kind = question.get("kind")
    if kind not in KINDS:
        problems.append(f"{where}: kind {kind!r} is not one of {sorted(KINDS)}")
        return
    if not has_chinese(question.get("text")):
        problems.append(f"{where}: text must be non-empty Chinese")
    elif len(question["text"]) > MAX_LENGTH["text"]:
        problems.append(f"{where}: text longer than {MAX_LENGTH['text']}")
    if "help" in question and (
        not has_chinese(question["help"]) or len(question["help"]) > MAX_LENGTH["help"]
    ):
        problems.append(f"{where}: help must be non-empty Chinese of at most {MAX_LENGTH['help']} chars")
    for flag in ("required", "scored", "ask_importance", "other", "outcome"):
        if flag in question and not isinstance(question[flag], bool):
            problems.append(f"{where}: {flag} must be true or false")
    if "weight" in question and not (is_number(question["weight"]) and question["weight"] > 0):
        problems.append(f"{where}: weight must be a number > 0")

    has = {key: key in question for key in ("scale", "options", "rows")}
    expected = {
        "rating": {"scale"},
        "matrix": {"scale", "rows"},
        "single": {"options"},
        "multiple": {"options"},
        "yes_no": {"options"},
        "nps": set(),
        "text": set(),
        "table": set(),
    }[kind]
    for key, present in has.items():
        if present and key not in expected:
            problems.append(f"{where}: a {kind} question has no {key!r}")
        if not present and key in expected:
            problems.append(f"{where}: a {kind} question needs {key!r}")

    scored = question.get("scored") is True
    if scored and kind not in SCORABLE_KINDS:
        problems.append(f"{where}: a {kind} question cannot be scored")
    if question.get("ask_importance") and not scored:
        problems.append(f"{where}: ask_importance is for scored items only")
    if question.get("other") and kind not in ("single", "multiple"):
        problems.append(f"{where}: other is for single and multiple choice only")

    if "scale" in question and question["scale"] not in template.get("scales", {}):
        problems.append(f"{where}: unknown scale {question['scale']!r}")
    if "options" in question:
        _check_options(where, question["options"], rated=scored, problems=problems)
        if kind == "yes_no" and len(question["options"]) != 2:
            problems.append(f"{where}: a yes/no question has exactly 2 options")
    if kind == "matrix" and "rows" in question:
        rows = question["rows"]
        if not isinstance(rows, list) or len(rows) < 2:
            problems.append(f"{where}: a matrix needs at least 2 rows")
        else:
            for row in rows:
                if not isinstance(row, dict) or set(row) != ROW_KEYS:
                    problems.append(f"{where}: each row is exactly {{code, text}}")
                elif not has_chinese(row["text"]) or len(row["text"]) > MAX_LENGTH["row"]:
                    problems.append(f"{where} row {row['code']}: text must be Chinese, ≤ {MAX_LENGTH['row']}")

    _check_table(where, question, problems)
    if scored:
        points = _rated_points(template, question)
        if not points or len(points) < 2:
            problems.append(f"{where}: a scored question needs options with points")
        elif template.get("scale_method") == "ratio" and min(points) < 0:
            problems.append(f"{where}: ratio scaling needs points ≥ 0; use range for negative points")


def _check_table(where, question, problems):
    """A table question's columns (seed 000 快递调查 四), rows offered and the 100% rule."""
    table_keys = {"columns", "max_rows", "shares_within_100"}
    if question.get("kind") != "table":
        if present := table_keys & set(question):
            problems.append(f"{where}: only a table question has {sorted(present)}")
        return
    columns = question.get("columns")
    if not isinstance(columns, list) or not columns:
        problems.append(f"{where}: a table needs a list of at least 1 column")
        return
    for column in columns:
        if not isinstance(column, dict) or set(column) != COLUMN_KEYS:
            problems.append(f"{where}: each column is exactly {sorted(COLUMN_KEYS)}")
        elif column["kind"] not in COLUMN_KINDS or not isinstance(column["required"], bool):
            problems.append(
                f"{where} column {column['code']}: kind in {sorted(COLUMN_KINDS)}, required true/false"
            )
        elif not re.fullmatch(r"[A-Za-z0-9_]{1,20}", column["code"]) or not has_chinese(column["label"]):
            problems.append(f"{where} column {column['code']}: code of letters/digits/_, Chinese label")
    codes = [c.get("code") for c in columns if isinstance(c, dict)]
    if len(set(codes)) != len(codes):
        problems.append(f"{where}: column codes repeat")
    rows = question.get("max_rows", 5)
    if not (isinstance(rows, int) and not isinstance(rows, bool) and 1 <= rows <= 20):
        problems.append(f"{where}: max_rows is a whole number from 1 to 20")
    if question.get("shares_within_100") and not any(
        isinstance(c, dict) and c.get("kind") == "percent" for c in columns
    ):
        problems.append(f"{where}: shares_within_100 needs a percent column")


def template_problems(template, name):
    """Everything wrong with one template (an empty list when it follows SCHEMA.md)."""
    problems = []
    if not isinstance(template, dict):
        return ["the file is not a JSON object"]
    if missing := TOP_KEYS - set(template):
        problems.append(f"missing keys {sorted(missing)}")
    if unknown := set(template) - TOP_KEYS:
        problems.append(f"unknown keys {sorted(unknown)}")
    if template.get("key") != name:
        problems.append(f"key {template.get('key')!r} differs from the file name {name!r}")
    if len(name) > MAX_LENGTH["key"]:
        problems.append(f"key longer than {MAX_LENGTH['key']}")

    for field in ("title", "description", "intro", "thanks"):
        if not has_chinese(template.get(field)):
            problems.append(f"{field} must be non-empty Chinese")
    if has_chinese(template.get("title")) and len(template["title"]) > MAX_LENGTH["title"]:
        problems.append(f"title longer than {MAX_LENGTH['title']}")
    title_en = template.get("title_en")
    if not isinstance(title_en, str) or not title_en.strip() or has_chinese(title_en):
        problems.append("title_en must be non-empty English")
    intro = template.get("intro") or ""
    if "分钟" not in intro:
        problems.append("intro must say about how long it takes (…分钟)")
    if "保密" not in intro:
        problems.append("intro must promise confidentiality (保密)")

    if template.get("scale_method") not in SCALE_METHODS:
        problems.append(
            f"scale_method {template.get('scale_method')!r} is not one of {sorted(SCALE_METHODS)}"
        )
    if template.get("validity_rule") not in VALIDITY_RULES:
        problems.append(
            f"validity_rule {template.get('validity_rule')!r} is not one of {sorted(VALIDITY_RULES)}"
        )
    threshold = template.get("satisfied_threshold")
    if not (is_number(threshold) and 0 <= threshold <= 100):
        problems.append("satisfied_threshold must be a number within 0–100")

    bands = template.get("bands")
    if not isinstance(bands, list) or not bands:
        problems.append("bands must be a non-empty list")
    else:
        edges = []
        for band in bands:
            if (
                not isinstance(band, list)
                or len(band) != 2
                or not is_number(band[0])
                or not has_chinese(band[1])
            ):
                problems.append(f"band {band!r} must be [min_score, Chinese label]")
            else:
                edges.append(band[0])
        if any(a <= b for a, b in itertools.pairwise(edges)):
            problems.append("band min scores must be strictly descending")
        if edges and (edges[-1] != 0 or edges[0] > 100):
            problems.append("bands must lie within 0–100 and end at 0")
        labels = [band[1] for band in bands if isinstance(band, list) and len(band) == 2]
        if len(set(labels)) != len(labels):
            problems.append("band labels must be unique")

    scales = template.get("scales")
    if not isinstance(scales, dict):
        problems.append("scales must be an object")
        scales = {}
    for scale_key, options in scales.items():
        _check_options(f"scale {scale_key}", options, rated=True, problems=problems)
        for option in options if isinstance(options, list) else []:
            if isinstance(option, dict) and not has_chinese(option.get("label")):
                problems.append(f"scale {scale_key}: label {option.get('label')!r} must be Chinese")
    used_scales = {q.get("scale") for q in all_questions(template) if isinstance(q, dict)}
    if unused := set(scales) - used_scales:
        problems.append(f"scales never used: {sorted(unused)}")

    dimensions = template.get("dimensions")
    if not isinstance(dimensions, list) or not isinstance(template.get("questions"), list):
        return problems + ["dimensions and questions must be lists"]
    for dimension in dimensions:
        where = f"dimension {dimension.get('code', '?')}"
        if set(dimension) != DIMENSION_KEYS:
            problems.append(f"{where}: keys must be exactly {sorted(DIMENSION_KEYS)}")
        if not has_chinese(dimension.get("title")) or len(dimension.get("title", "")) > MAX_LENGTH["title"]:
            problems.append(f"{where}: title must be Chinese, ≤ {MAX_LENGTH['title']}")
        if not (is_number(dimension.get("weight")) and dimension["weight"] > 0):
            problems.append(f"{where}: weight must be a number > 0")
        questions = dimension.get("questions")
        if not isinstance(questions, list) or not questions:
            problems.append(f"{where}: needs questions")
        elif not any(isinstance(q, dict) and q.get("scored") is True for q in questions):
            problems.append(f"{where}: needs at least one scored question")

    questions = all_questions(template)
    if not 8 <= len(questions) <= 30:
        problems.append(f"{len(questions)} questions; a template has 8–30")
    codes = [d.get("code") for d in dimensions]
    for question in questions:
        if not isinstance(question, dict):
            problems.append(f"question {question!r} is not an object")
            continue
        _check_question(template, question, problems)
        codes.append(question.get("code"))
        codes.extend(row.get("code") for row in question.get("rows", []) if isinstance(row, dict))
    for code in codes:
        if not isinstance(code, str) or not code.strip() or len(code) > MAX_LENGTH["code"]:
            problems.append(f"code {code!r} must be a non-empty string of at most {MAX_LENGTH['code']}")
    duplicates = sorted({c for c in codes if codes.count(c) > 1 and isinstance(c, str)})
    if duplicates:
        problems.append(f"duplicate codes {duplicates}")
    if not any(q.get("scored") is True for q in questions if isinstance(q, dict)):
        problems.append("no scored question")
    return problems


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def templates():
    return {path.stem: load(path) for path in TEMPLATE_FILES}


# --------------------------------------------------------------------------- every file


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: p.stem)
def test_each_template_follows_the_schema(path):
    assert template_problems(load(path), path.stem) == []


def test_the_product_ships_at_least_the_seven_templates_of_the_requirements(templates):
    assert len(TEMPLATE_FILES) >= 7
    assert set(templates) >= SHIPPED
    assert (TEMPLATE_DIR / "SCHEMA.md").is_file()


def test_the_set_uses_importance_nps_matrix_and_multiple_choice(templates):
    def kinds(template):
        return {q["kind"] for q in all_questions(template)}

    with_importance = [
        k for k, t in templates.items() if any(q.get("ask_importance") for q in all_questions(t))
    ]
    assert len(with_importance) >= 2
    for kind in ("nps", "matrix", "multiple", "yes_no", "single", "rating", "text"):
        assert any(kind in kinds(t) for t in templates.values()), kind
    assert {t["scale_method"] for t in templates.values()} == SCALE_METHODS
    assert {t["validity_rule"] for t in templates.values()} == VALIDITY_RULES


def test_titles_are_unique(templates):
    titles = [t["title"] for t in templates.values()]
    assert len(set(titles)) == len(titles)


# --------------------------------------------------------------------------- the seeds' content


def _scale(template, key):
    return [(o["label"], o["points"], o.get("neutral", False)) for o in template["scales"][key]]


def test_iso9001_has_the_ten_items_and_the_five_levels_of_seed_000(templates):
    template = templates["iso9001_ten_items"]
    rated = [q["text"] for q in all_questions(template) if q["scored"]]
    assert rated == [
        "企业信誉及形象",
        "价格合理性",
        "产品性能",
        "产品质量",
        "产品外观",
        "服务是否及时",
        "服务态度",
        "维修质量",
        "按时交付能力",
        "紧急供货能力",
    ]
    assert _scale(template, "five_10") == [
        ("很满意", 10, False),
        ("满意", 8, False),
        ("可以接受", 6, True),
        ("不满意", 4, False),
        ("很不满意", 2, False),
    ]
    assert (template["scale_method"], template["validity_rule"]) == ("ratio", "one_missing_neutral")
    # Each item is 10 % of the index, as in the seed's plain average of the ten items.
    for dimension in template["dimensions"]:
        assert dimension["weight"] == 10 * len(dimension["questions"])
    assert any("意见和建议" in q["text"] and q["kind"] == "text" for q in template["questions"])


def test_the_weighted_variant_has_the_percentages_of_seed_000_scoring_rules(templates):
    template = templates["iso9001_weighted_dimensions"]
    weights = {d["title"]: d["weight"] for d in template["dimensions"]}
    assert weights == {"质量水平": 30, "交货信誉": 30, "价格": 20, "服务": 10, "技术开发能力": 10}
    assert sum(weights.values()) == 100
    quality = {q["text"]: q["weight"] for q in template["dimensions"][0]["questions"]}
    assert quality == {"产品实物质量": 20, "包装方式、运输质量": 10}
    for dimension in template["dimensions"]:
        assert sum(q["weight"] for q in dimension["questions"]) == dimension["weight"]


def test_real_estate_uses_the_50_30_20_0_minus_10_scale_of_seed_003(templates):
    template = templates["real_estate_owner"]
    assert _scale(template, "five_50") == [
        ("非常满意", 50, False),
        ("满意", 30, False),
        ("一般", 20, True),
        ("不满意", 0, False),
        ("非常不满意", -10, False),
    ]
    assert template["scale_method"] == "range"
    titles = [d["title"] for d in template["dimensions"]]
    assert titles == ["产品质量", "交付期限", "售后服务", "人员素质", "客户口碑"]


def test_express_asks_the_seed_000_checklists_charges_competitors_and_nps(templates):
    template = templates["express_delivery_service"]
    questions = all_questions(template)
    assert [d["title"] for d in template["dimensions"]][:4] == [
        "受理服务",
        "揽收服务",
        "投递服务",
        "售后服务",
    ]
    checklists = [q for q in questions if q["kind"] == "multiple" and "环节存在的问题" in q["text"]]
    assert len(checklists) == 4
    assert all(q.get("other") for q in checklists)
    labels = {o["label"] for q in checklists for o in q["options"]}
    assert {"电话接通率低", "揽收件易出现超区", "未通知即任意返货", "妥投率低", "投诉处理不及时"} <= labels
    assert any(q["kind"] == "yes_no" and "乱收费" in q["text"] for q in questions)
    assert any(q["kind"] == "matrix" for q in questions)
    # 四、目前主要合作快递公司及发件量占比?圆通和其他快递公司对比存在的优劣势? as the seed's table.
    [table] = [q for q in questions if q["kind"] == "table"]
    assert [c["label"] for c in table["columns"]] == ["快递公司", "件量占比", "优势", "劣势"]
    assert [c["kind"] for c in table["columns"]] == ["text", "percent", "text", "text"]
    assert table["shares_within_100"] is True
    assert not any(q["kind"] == "text" and ("优势" in q["text"] or "劣势" in q["text"]) for q in questions)
    assert any(q["kind"] == "nps" for q in questions)


def test_relationship_survey_asks_for_a_recommendation_and_its_reason(templates):
    template = templates["relationship_nps"]
    questions = all_questions(template)
    assert [q["text"] for q in questions if q["kind"] == "nps"] == [
        "您是否愿意推荐我们的服务？请用 0–10 分表示您向朋友或同行推荐我们的可能性。"
    ]
    assert any("推荐理由" in q["text"] and q["kind"] == "text" for q in questions)
    # Seed 004: ≥4.5 非常满意, 3.5–4.4 基本满意, <3.5 需改进, on 1–5 scored as points ÷ 5 × 100.
    assert template["bands"] == [[90, "非常满意"], [70, "基本满意"], [0, "需改进"]]
    assert template["scale_method"] == "ratio"


def test_hotel_answers_are_promised_to_headquarters_only(templates):
    template = templates["hotel_guest_gsts"]
    assert "仅集团总部可见" in template["intro"]
    assert "酒店员工不会看到" in template["intro"]


def test_ecommerce_chapters_become_dimensions(templates):
    template = templates["ecommerce_order_handling"]
    assert [d["title"] for d in template["dimensions"]] == [
        "订单处理速度",
        "商品信息准确性",
        "物流配送服务",
        "客户服务质量",
        "退换货服务",
    ]
    assert all(q.get("ask_importance") for d in template["dimensions"] for q in d["questions"])


# --------------------------------------------------------------------------- the checker itself


@pytest.fixture
def good():
    return load(TEMPLATE_DIR / "iso9001_ten_items.json")


def _break(template, change):
    broken = copy.deepcopy(template)
    change(broken)
    return template_problems(broken, "iso9001_ten_items")


def test_the_checker_accepts_a_good_template(good):
    assert template_problems(good, "iso9001_ten_items") == []


def test_the_checker_reports_a_file_name_that_differs_from_the_key(good):
    assert template_problems(good, "other_name") == [
        "key 'iso9001_ten_items' differs from the file name 'other_name'"
    ]


TABLE_COLUMN = {"code": "company", "label": "快递公司", "kind": "text", "required": True}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda t: t["scales"]["five_10"][2].pop("neutral"), "exactly one neutral option needed, found 0"),
        (
            lambda t: t["scales"]["five_10"][0].update(neutral=True),
            "exactly one neutral option needed, found 2",
        ),
        (lambda t: t["scales"]["five_10"][0].update(points="10"), "is not a number"),
        (lambda t: t["dimensions"][0]["questions"][0].update(scale="five_5"), "unknown scale 'five_5'"),
        (lambda t: t["dimensions"][1]["questions"][0].update(code="Q1"), "duplicate codes ['Q1']"),
        (lambda t: t["dimensions"][0].update(weight=0), "weight must be a number > 0"),
        (lambda t: t["dimensions"][0].pop("weight"), "weight must be a number > 0"),
        (lambda t: t["dimensions"][0]["questions"][0].update(kind="slider"), "kind 'slider' is not one of"),
        (lambda t: t["dimensions"][0]["questions"][0].update(weight=-1), "weight must be a number > 0"),
        (lambda t: t["questions"][0].update(scored=True), "a text question cannot be scored"),
        (lambda t: t["questions"][0].update(ask_importance=True), "ask_importance is for scored items only"),
        (lambda t: t["questions"][0].update(options=[{"label": "是"}]), "a text question has no 'options'"),
        (lambda t: t.update(bands=[[60, "一般"], [90, "很满意"], [0, "很不满意"]]), "strictly descending"),
        (lambda t: t.update(bands=[[90, "很满意"], [40, "不满意"]]), "end at 0"),
        (lambda t: t.update(title="Customer survey"), "title must be non-empty Chinese"),
        (lambda t: t.update(thanks=""), "thanks must be non-empty Chinese"),
        (lambda t: t.update(scale_method="linear"), "scale_method 'linear'"),
        (lambda t: t.update(validity_rule="half"), "validity_rule 'half'"),
        (lambda t: t.pop("intro"), "missing keys ['intro']"),
        (lambda t: t.update(colour="red"), "unknown keys ['colour']"),
        (lambda t: t["questions"][0].pop("required"), "missing keys ['required']"),
        (lambda t: t["scales"]["five_10"][4].update(points=-2), "ratio scaling needs points ≥ 0"),
        (
            lambda t: t["dimensions"][0]["questions"][0].update(scored=False),
            "needs at least one scored question",
        ),
        (lambda t: t["dimensions"][0]["questions"][0].update(text="x" * 501 + "中"), "text longer than 500"),
        (
            lambda t: t["questions"].extend(copy.deepcopy(t["questions"][:1] * 20)),
            "questions; a template has 8–30",
        ),
        (lambda t: t["questions"][0].update(columns=[]), "only a table question has ['columns']"),
        (lambda t: t["questions"][0].update(kind="table"), "a table needs a list of at least 1 column"),
        (
            lambda t: t["questions"][0].update(kind="table", columns=[TABLE_COLUMN, TABLE_COLUMN]),
            "column codes repeat",
        ),
        (
            lambda t: t["questions"][0].update(kind="table", columns=[TABLE_COLUMN], shares_within_100=True),
            "shares_within_100 needs a percent column",
        ),
        (
            lambda t: t["questions"][0].update(kind="table", columns=[TABLE_COLUMN], max_rows=21),
            "max_rows is a whole number from 1 to 20",
        ),
        (
            lambda t: t["questions"][0].update(kind="table", columns=[{**TABLE_COLUMN, "kind": "date"}]),
            "kind in ['number', 'percent', 'text']",
        ),
    ],
)
def test_the_checker_reports_each_kind_of_mistake(good, change, expected):
    problems = _break(good, change)
    assert any(expected in p for p in problems), problems
