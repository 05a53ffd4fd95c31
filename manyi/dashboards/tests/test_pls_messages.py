"""The PLS engine's messages reach the user translated: every template pls.py raises is in
the catalogue (read from pls.py's source, so a new untranslated message fails here)."""

import ast
import inspect
import re

import pytest
from django.utils import translation

from manyi.analytics import pls
from manyi.dashboards.pls_messages import TEMPLATES, pls_error_message

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# Only the command line reads files; their errors never reach the web page.
CLI_ONLY = {"load_model", "load_preset", "read_csv", "command_line"}


def _raised():
    """(function name, node) for every `raise` in pls.py, with the enclosing function's name."""
    tree = ast.parse(inspect.getsource(pls))
    found = []
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef):
            found.extend((function.name, node) for node in ast.walk(function) if isinstance(node, ast.Raise))
    return found


def _model_errors():
    """{template: set of keyword names} for every ModelError(...) call in pls.py."""
    calls = [
        node
        for node in ast.walk(ast.parse(inspect.getsource(pls)))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "ModelError"
    ]
    assert len(calls) > 30  # the parsing found them
    for call in calls:
        # An f-string or a variable could not be looked up in the catalogue.
        assert isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str), ast.unparse(
            call
        )
    return {call.args[0].value: {k.arg for k in call.keywords} for call in calls}


def test_every_template_pls_raises_is_in_the_catalogue():
    raised = _model_errors()
    assert set(raised) - TEMPLATES == set()
    assert TEMPLATES - set(raised) == set()  # nothing stale


def test_each_template_names_exactly_the_params_it_is_given():
    for template, keywords in _model_errors().items():
        assert set(PLACEHOLDER.findall(template)) == keywords, template


def test_outside_the_command_line_pls_raises_only_model_errors():
    for function, node in _raised():
        if node.exc is None or function in CLI_ONLY:
            continue
        call = node.exc
        assert isinstance(call, ast.Call) and ast.unparse(call.func) == "ModelError", (
            function,
            ast.unparse(node),
        )


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_template_has_a_chinese_translation_with_the_same_placeholders(template):
    with translation.override("zh-hans"):
        chinese = translation.gettext(template)
    assert chinese != template
    assert re.search(r"[\u4e00-\u9fff]", chinese)
    assert sorted(PLACEHOLDER.findall(chinese)) == sorted(PLACEHOLDER.findall(template))


def test_a_model_error_is_filled_in_the_active_language():
    with pytest.raises(pls.ModelError) as caught:
        pls.PathModel.from_dict(
            {"constructs": {n: {"indicators": [n.lower()]} for n in "ABCD"}, "paths": [["A", "B"]]}
        )
    error = caught.value
    assert isinstance(error, ValueError)
    assert str(error) == "Construct(s) not connected by any path: C, D."
    with translation.override("zh-hans"):
        assert pls_error_message(error) == "以下结构变量没有任何路径相连：C、D。"
    with translation.override("en"):
        assert pls_error_message(error) == "Construct(s) not connected by any path: C, D."


def test_data_errors_are_translated_with_their_figures():
    model = pls.PathModel.from_dict(
        {"constructs": {"X": {"indicators": ["x"]}, "Y": {"indicators": ["y"]}}, "paths": [["X", "Y"]]}
    )
    with pytest.raises(pls.ModelError) as caught:
        pls.fit(model, {"x": [1.0, 2.0, None, 4.0], "y": [2.0, None, 1.0, 3.0]})
    assert str(caught.value) == (
        "Too few complete rows: 2 after dropping 2 incomplete row(s); this model needs at least 3."
    )
    with translation.override("zh-hans"):
        assert (
            pls_error_message(caught.value)
            == "完整数据行太少：去掉 2 行不完整数据后只剩 2 行；该模型至少需要 3 行。"
        )
    with pytest.raises(pls.ModelError) as caught:
        pls.fit(model, {"x": [1.0, "abc", 3.0, 4.0], "y": [2.0, 1.0, 1.0, 3.0]})
    with translation.override("zh-hans"):
        assert pls_error_message(caught.value) == "列“x”不是数值（发现 'abc'）。"


def test_other_errors_keep_their_text():
    assert pls_error_message(ValueError("未知指标：Q9。")) == "未知指标：Q9。"
    unknown = pls.ModelError("Not catalogued: %(name)s.", name="Z")
    with translation.override("zh-hans"):
        assert pls_error_message(unknown) == "Not catalogued: Z."


def test_a_list_the_user_wrote_is_shown_as_written_not_as_names():
    spec = {
        "constructs": {"A": {"indicators": ["a"]}, "B": {"indicators": ["b"]}},
        "paths": [["A", ["B"]]],
        "scheme": ["path"],
    }
    with pytest.raises(pls.ModelError) as caught:
        pls.PathModel.from_dict(spec)
    assert str(caught.value) == "Unknown inner weighting scheme \"['path']\"; use path, centroid, factorial."
    spec["scheme"] = "path"
    with pytest.raises(pls.ModelError) as caught:
        pls.PathModel.from_dict(spec)
    with translation.override("zh-hans"):
        assert pls_error_message(caught.value) == "路径“A -> ['B']”中的结构变量“['B']”不存在。"
