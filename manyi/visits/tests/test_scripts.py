"""Call scripts: only known placeholders, values escaped."""

import pytest
from django.core.exceptions import ValidationError

from manyi.visits.scripts import render_script, validate_script


def test_placeholders_are_filled_in_and_escaped():
    text = "{{ contact_name }}先生/女士，您好！我是{{agent_name}}。"
    assert (
        render_script(text, {"contact_name": "<张>", "agent_name": "王芳"})
        == "&lt;张&gt;先生/女士，您好！我是王芳。"
    )


@pytest.mark.parametrize(
    "text",
    [
        "{% debug %}",
        "{% include 'base.html' %}",
        "{{ customer_name|upper }}",
        "{{ request }}",
        "{{ customer_name.__class__ }}",
        "{# x #}",
    ],
)
def test_tags_filters_and_unknown_names_are_refused(text):
    with pytest.raises(ValidationError):
        validate_script(text)
    assert render_script(text, {"customer_name": "x"}) == ""
