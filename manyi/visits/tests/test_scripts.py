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


def test_the_literal_text_of_a_script_is_escaped_too():
    text = '<img src=x onerror=alert(1)>您好，{{ customer_name }}\n"再见"'
    assert render_script(text, {"customer_name": "<b>恒信</b>"}) == (
        "&lt;img src=x onerror=alert(1)&gt;您好，&lt;b&gt;恒信&lt;/b&gt;\n&quot;再见&quot;"
    )


@pytest.mark.django_db
def test_a_script_with_markup_shows_as_text_on_the_call_screen_and_the_placeholders_still_work(
    people, client_as
):
    from django.urls import reverse

    from manyi.testing import make_customer
    from manyi.visits.models import VisitScript

    from .factories import make_task

    script = VisitScript.objects.create(
        name="首次回访",
        body="<img src=x onerror=alert(1)>您好，{{ customer_name }}！\n我是{{ agent_name }}。",
    )
    task = make_task(make_customer(name="<script>alert(2)</script>恒信"), agent=people.amy, script=script)
    page = client_as(people.amy).get(reverse("visits:task", args=[task.pk])).content.decode()
    assert "<img src=x" not in page and "<script>alert(2)" not in page
    assert (
        "&lt;img src=x onerror=alert(1)&gt;您好，&lt;script&gt;alert(2)&lt;/script&gt;恒信！<br>我是王芳。"
        in page
    )
